r"""Stable treaties: internal and external stability, minimum participation, sanctions, forum shopping.

A treaty of ``k`` members is *internally stable* when no member gains by
leaving, :math:`\pi_m(k) \ge \pi_n(k-1)`, and *externally stable* when no
non-member gains by joining, :math:`\pi_n(k) \ge \pi_m(k+1)` (d'Aspremont et al.
1983; Carraro and Siniscalco 1993); it is stable when both hold (the grand
coalition ``k = n`` needs only the first). Which way an *indifferent* country
moves is the tie rule (:data:`coop.games.treaty.TIE_RULES`); the default,
``join``, keeps an indifferent member in and brings an indifferent non-member in:
internal stability with ``>=``, external stability with ``>``. With it Barrett's
binary abatement game (:math:`\pi = bQ - cq`, :math:`b < c \le nb`) has the one
stable size :math:`k^* = \lceil c / b \rceil`, the smallest ``k`` with :math:`kb \ge c`
(Barrett 2003, ch. 7), and the linear-benefit, quadratic-cost game
(:math:`\pi = bQ - cq^2/2`) the one stable size 3 for every ``n >= 3``, since
:math:`\pi_m(k) - \pi_n(k-1) = -(k-1)(k-3)\,b^2/(2c)` (Barrett 1994; Finus 2001,
ch. 13). With the ``weak`` rule (nobody moves when indifferent) the latter has the
stable sizes 2 and 3, and Barrett's game also every size below :math:`k^* - 1`,
where nobody abates.

A *minimum participation* clause ``m`` makes the treaty bind only when at least
``m`` countries sign; with fewer everyone plays as a non-member and gets
:math:`\pi_n(0)` (Barrett 2003, ch. 11; Carraro, Marchiori and Oreffice 2009).
A *sanction* ``s`` is paid by a member that leaves a treaty in force: internal
stability becomes :math:`\pi_m(k) \ge \pi_n(k-1) - s`, so the least sanction that
stabilises an externally stable size ``k`` is :math:`\max(0, \pi_n(k-1) - \pi_m(k))`
(a sanction does not bind countries that have not signed, so it cannot make a
size that outsiders would join stable).

Two *competing treaties* A and B (forum shopping): each country is in A, in B or
in neither, and a partition :math:`(k_A, k_B)` is stable when no country gains by
moving alone: a member leaving its treaty (paying its sanction), a member
switching treaties (paying the sanction of the one it leaves), or a non-member
joining either. Under the tie rule a move that only leaves moves as a member
does, a move that only joins as a non-member does, and a switch needs a strict
gain unless the rule is ``strict``. The same rules apply to countries with their
own payoffs (every membership vector is checked).

References
----------
d'Aspremont, C., Jacquemin, A., Gabszewicz, J. J. and Weymark, J. A. (1983). On the
stability of collusive price leadership. *Canadian Journal of Economics* 16(1), 17-25.
Carraro, C. and Siniscalco, D. (1993). Strategies for the international protection of
the environment. *Journal of Public Economics* 52(3), 309-328.
Barrett, S. (1994). Self-enforcing international environmental agreements. *Oxford
Economic Papers* 46, 878-894.
Finus, M. (2001). *Game Theory and International Environmental Cooperation*. Edward Elgar.
Barrett, S. (2003). *Environment and Statecraft*. Oxford University Press, ch. 7 and 11.
Carraro, C., Marchiori, C. and Oreffice, S. (2009). Endogenous minimum participation in
international environmental treaties. *Environmental and Resource Economics* 42, 411-425.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.games.treaty import TIE_RULE_TEXT, SecondStage, TreatyGame

#: Payoff differences within this fraction of the largest payoff (at least 1) count as ties.
TIE_TOL = 1e-9

# which moves happen on a tie, per rule: (leave, join, switch)
_MOVES_ON_TIE: dict[str, tuple[bool, bool, bool]] = {
    "join": (False, True, False),
    "stay_out": (True, False, False),
    "weak": (False, False, False),
    "strict": (True, True, True),
}


def _moves(gain: Any, on_tie: bool, tol: float) -> Any:
    """Whether a country with this gain from moving moves (NaN: the move does not exist)."""
    g = np.asarray(gain, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out = g >= -tol if on_tie else g > tol
    return np.where(np.isnan(g), False, out)


def _none(x: Any) -> float | None:
    v = float(x)
    return v if np.isfinite(v) else None


# ---------------------------------------------------------------------------- one treaty, symmetric countries
@dataclass(frozen=True, eq=False)
class SizeTable:
    """Stability at every size ``k = 1..n`` under one minimum participation and sanction.

    Attributes
    ----------
    member : numpy.ndarray
        :math:`\\pi_m(k)` for ``k = 1..n`` with the clause applied.
    leaver : numpy.ndarray
        :math:`\\pi_n(k-1)`: what a member would get by leaving (before the sanction).
    non_member : numpy.ndarray
        :math:`\\pi_n(k)` (NaN at ``k = n``).
    joiner : numpy.ndarray
        :math:`\\pi_m(k+1)`: what a non-member would get by joining (NaN at ``k = n``).
    internal, external, stable : numpy.ndarray of bool
    least_sanction : numpy.ndarray
        The least sanction that makes each size stable (NaN: none does, outsiders would join).
    minimum_participation : int
    sanction : float
    """

    member: np.ndarray
    leaver: np.ndarray
    non_member: np.ndarray
    joiner: np.ndarray
    internal: np.ndarray
    external: np.ndarray
    stable: np.ndarray
    least_sanction: np.ndarray
    minimum_participation: int
    sanction: float

    @property
    def stable_sizes(self) -> tuple[int, ...]:
        return tuple(int(k) + 1 for k in np.flatnonzero(self.stable))

    def rows(self) -> list[dict[str, Any]]:
        n = len(self.member)
        return [{"k": k + 1, "member_payoff": _none(self.member[k]), "leave_payoff": _none(self.leaver[k]),
                 "non_member_payoff": _none(self.non_member[k]), "join_payoff": _none(self.joiner[k]),
                 "internal": bool(self.internal[k]), "external": bool(self.external[k]),
                 "stable": bool(self.stable[k]), "least_sanction": _none(self.least_sanction[k])}
                for k in range(n)]


def size_table(pi_m: np.ndarray, pi_n: np.ndarray, tie_rule: str, minimum_participation: int = 0,
               sanction: float = 0.0, tol: float | None = None) -> SizeTable:
    r"""Internal and external stability of every size from the payoffs :math:`\pi_m(k)`, :math:`\pi_n(k)`.

    Parameters
    ----------
    pi_m, pi_n : numpy.ndarray
        Payoffs at ``k = 0..n`` (``pi_m[0]`` and ``pi_n[n]`` are not used).
    tie_rule : str
        One of :data:`coop.games.treaty.TIE_RULES`.
    minimum_participation : int
        Below this many members the treaty does not bind: everyone gets ``pi_n[0]``.
    sanction : float
        Paid by a member that leaves a treaty in force.
    tol : float, optional
        Differences within ``tol`` are ties (default: :data:`TIE_TOL` times the largest payoff, at least 1).

    Examples
    --------
    Barrett's binary game with ``b = 1``, ``c = 2.5``: members abate when ``k >= 3``.

    >>> k = np.arange(6.0)
    >>> pi_m = np.where(k >= 3, k - 2.5, 0.0); pi_n = np.where(k >= 3, k, 0.0)
    >>> size_table(pi_m, pi_n, "join").stable_sizes
    (3,)
    >>> size_table(pi_m, pi_n, "weak").stable_sizes
    (1, 3)
    """
    n = len(pi_m) - 1
    m = int(minimum_participation)
    k = np.arange(n + 1)
    base = float(pi_n[0])
    in_force = k >= m
    pm = np.where(in_force, pi_m, base)
    pn = np.where(in_force, pi_n, base)
    if tol is None:
        finite = np.concatenate([pm[1:], pn[:-1]])
        tol = TIE_TOL * max(1.0, float(np.max(np.abs(finite[np.isfinite(finite)]), initial=0.0)))
    leave_tie, join_tie, _ = _MOVES_ON_TIE[tie_rule]
    member = pm[1:]
    leaver = pn[:-1]
    charged = np.where(in_force[1:], sanction, 0.0)
    non_member = np.append(pn[1:n], np.nan)
    joiner = np.append(pm[2:], np.nan)
    internal = ~_moves(leaver - charged - member, leave_tie, tol)
    external = ~_moves(joiner - non_member, join_tie, tol)
    external[n - 1] = True
    stable = internal & external
    # a sanction binds only members of a treaty in force, and never an outsider deciding whether to join
    needed = np.maximum(leaver - member, 0.0)
    unsanctioned = ~_moves(leaver - member, leave_tie, tol)
    least = np.where(external & in_force[1:], needed, np.nan)
    least = np.where(~in_force[1:] & external & unsanctioned, 0.0, least)
    return SizeTable(member, leaver, non_member, joiner, internal, external, stable, least, m, float(sanction))


@dataclass(frozen=True, eq=False)
class TreatyResult:
    """Everything :func:`treaty_stability` finds.

    Attributes
    ----------
    game : TreatyGame
    pi_m, pi_n : numpy.ndarray
        Members' and non-members' payoffs at ``k = 0..n`` before any clause (NaN where undefined);
        for countries with their own formulas, those of the first country.
    abatement : tuple of numpy.ndarray, optional
        Members' and non-members' abatement when a second stage was solved.
    method : str
        ``"formulas"``, ``"closed form"``, ``"numeric"`` or ``"binary"``.
    plain : SizeTable
        Stability without minimum participation and without sanction.
    table : SizeTable
        Stability with the treaty's minimum participation and sanction (the same as ``plain`` without them).
    closed_form : dict of str to str, optional
        ``pi_m``, ``pi_n``, ``internal`` (:math:`\\pi_m(k) - \\pi_n(k-1)`), ``external``
        (:math:`\\pi_n(k) - \\pi_m(k+1)`), and their roots in ``k``, from SymPy.
    forum : ForumResult, optional
        The competing treaties.
    asymmetric : AsymmetricResult, optional
        Countries with their own payoffs: every stable membership vector.
    """

    game: TreatyGame
    pi_m: np.ndarray
    pi_n: np.ndarray
    abatement: tuple[np.ndarray, np.ndarray] | None
    method: str
    plain: SizeTable
    table: SizeTable
    closed_form: dict[str, Any] | None = None
    forum: ForumResult | None = None
    asymmetric: AsymmetricResult | None = None

    @property
    def stable_sizes(self) -> tuple[int, ...]:
        """The stable sizes with the treaty's clauses (for asymmetric countries: the sizes of stable vectors)."""
        if self.asymmetric is not None:
            return tuple(sorted({len(v) for v in self.asymmetric.stable}))
        return self.table.stable_sizes

    @property
    def no_treaty(self) -> float:
        """Every country's payoff when nobody signs, :math:`\\pi_n(0)`."""
        return float(self.pi_n[0])

    @property
    def target(self) -> int:
        return self.game.target if self.game.target is not None else self.game.n

    @property
    def target_sanction(self) -> float | None:
        """The least sanction that makes the target size stable (with the minimum participation), or None."""
        return _none(self.table.least_sanction[self.target - 1])

    def to_dict(self) -> dict[str, Any]:
        g = self.game
        out: dict[str, Any] = {
            **g.to_dict(),
            "n": g.n,
            "method": self.method,
            "tie_rule_text": TIE_RULE_TEXT[g.tie_rule],
            "no_treaty_payoff": _none(self.pi_n[0]),
            "stable_sizes": list(self.stable_sizes),
            "stable_sizes_without_clauses": list(self.plain.stable_sizes) if self.asymmetric is None else None,
            "target_sanction": self.target_sanction if self.asymmetric is None else None,
            "sizes": self.table.rows() if self.asymmetric is None else [],
            "abatement": None if self.abatement is None else {
                "member": [_none(x) for x in self.abatement[0][1:]],
                "non_member": [_none(x) for x in self.abatement[1][:-1]]},
            "closed_form": self.closed_form,
            "forum": None if self.forum is None else self.forum.to_dict(),
            "asymmetric": None if self.asymmetric is None else self.asymmetric.to_dict(),
        }
        return out


def treaty_stability(game: TreatyGame) -> TreatyResult:
    """Solve a treaty game: payoffs at every size, stability, clauses, sanction, competing treaties.

    Parameters
    ----------
    game : TreatyGame

    Returns
    -------
    TreatyResult

    Examples
    --------
    The linear-benefit, quadratic-cost game has one stable treaty, of 3 countries:

    >>> from coop.games.treaty import TreatyGame
    >>> g = TreatyGame.second_stage(10, "b*Q - c*q**2/2", {"b": 1.0, "c": 1.0})
    >>> r = treaty_stability(g)
    >>> r.stable_sizes, r.closed_form["internal"]
    ((3,), '-b**2*(k - 3)*(k - 1)/(2*c)')

    With the ``weak`` tie rule sizes 2 and 3 are both stable:

    >>> treaty_stability(TreatyGame.second_stage(10, "b*Q - c*q**2/2", {"b": 1.0, "c": 1.0},
    ...                                          tie_rule="weak")).stable_sizes
    (2, 3)
    """
    from coop.solvers.coalitions.closed_form import size_closed_forms, stage_closed_forms
    from coop.solvers.coalitions.second_stage import solve_second_stage

    n = game.n
    k = np.arange(n + 1, dtype=np.float64)
    abatement = None
    closed = None
    if isinstance(game.payoffs, SecondStage):
        stage = solve_second_stage(game.payoffs.payoff, n, game.parameters,
                                   binary=game.payoffs.abatement == "binary",
                                   lead=game.payoffs.timing == "members_lead")
        pi_m, pi_n = stage.member[0], stage.non_member
        abatement = (stage.member_abatement[0], stage.non_member_abatement)
        method = stage.method
        if stage.expressions is not None:
            closed = stage_closed_forms(stage.closed_form or {}, stage.expressions)
    else:
        pi_m = np.full(n + 1, np.nan)
        pi_n = np.full(n + 1, np.nan)
        pi_m[1:] = game.member_payoffs(k[1:])
        pi_n[:-1] = game.non_member_payoffs(k[:-1])
        method = "formulas"
        if game.payoffs.symmetric:
            closed = size_closed_forms(game.payoffs.member[0], game.payoffs.non_member[0], game.parameters)
    plain = size_table(pi_m, pi_n, game.tie_rule)
    table = (size_table(pi_m, pi_n, game.tie_rule, game.minimum_participation, game.sanction)
             if game.minimum_participation > 1 or game.sanction > 0 else plain)
    forum = None
    asymmetric = None
    if not game.payoffs.symmetric:
        asymmetric = asymmetric_stability(game)
    elif game.competing is not None:
        forum = forum_stability(game)
    return TreatyResult(game, pi_m, pi_n, abatement, method, plain, table, closed, forum, asymmetric)


# ---------------------------------------------------------------------------- competing treaties
@dataclass(frozen=True, eq=False)
class ForumResult:
    """Two competing treaties, symmetric countries: every stable ``(k_A, k_B)``.

    Attributes
    ----------
    names : (str, str)
        The treaties' labels.
    stable : tuple of (int, int)
        Every stable pair of sizes ``(k_A, k_B)``.
    payoffs : tuple of (float or None, float or None, float or None)
        At each stable pair: a member of A's, a member of B's, a non-member's payoff (None when there is none).
    """

    names: tuple[str, str]
    stable: tuple[tuple[int, int], ...]
    payoffs: tuple[tuple[float | None, float | None, float | None], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"treaties": list(self.names),
                "stable": [{"sizes": {self.names[0]: a, self.names[1]: b},
                            "payoffs": {self.names[0]: pa, self.names[1]: pb, "non_member": pn}}
                           for (a, b), (pa, pb, pn) in zip(self.stable, self.payoffs, strict=True)]}


def _forum_tables(game: TreatyGame, country: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Payoffs of a member of A, of B and of a non-member at every ``(a, b)``, ``(n+1) x (n+1)`` (NaN: a + b > n)."""
    n = game.n
    a, b = np.meshgrid(np.arange(n + 1.0), np.arange(n + 1.0), indexing="ij")
    valid = a + b <= n
    if isinstance(game.payoffs, SecondStage):
        from coop.solvers.coalitions.second_stage import solve_second_stage

        stage = solve_second_stage(game.payoffs.payoff, n, game.parameters, treaties=2,
                                   binary=game.payoffs.abatement == "binary")
        return stage.member[0], stage.member[1], stage.non_member
    pa = np.full(a.shape, np.nan)
    pb = np.full(a.shape, np.nan)
    pn = np.full(a.shape, np.nan)
    pa[valid & (a > 0)] = game.member_payoffs(a[valid & (a > 0)], b[valid & (a > 0)], country)
    pb[valid & (b > 0)] = game.competing_payoffs(b[valid & (b > 0)], a[valid & (b > 0)], country)
    rest = valid & (a + b < n)
    pn[rest] = game.non_member_payoffs(a[rest], b[rest], country)
    return pa, pb, pn


def _effective(game: TreatyGame, pa: np.ndarray, pb: np.ndarray,
               pn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The payoffs with the minimum participation clauses: a treaty below its minimum plays as non-members."""
    assert game.competing is not None
    n = game.n
    ma, mb = game.minimum_participation, game.competing.minimum_participation
    idx = np.arange(n + 1)
    a_eff = np.where(idx >= ma, idx, 0)
    b_eff = np.where(idx >= mb, idx, 0)
    A, B = np.meshgrid(idx, idx, indexing="ij")
    ea, eb = a_eff[A], b_eff[B]
    pn_e = pn[ea, eb]
    pa_e = np.where(A >= ma, pa[A, eb], pn[0, eb])
    pb_e = np.where(B >= mb, pb[ea, B], pn[ea, 0])
    valid = A + B <= n
    pa_e = np.where(valid & (A > 0), pa_e, np.nan)
    pb_e = np.where(valid & (B > 0), pb_e, np.nan)
    pn_e = np.where(valid & (A + B < n), pn_e, np.nan)
    return pa_e, pb_e, pn_e


def _shift(x: np.ndarray, da: int, db: int) -> np.ndarray:
    """``out[a, b] = x[a + da, b + db]`` (NaN outside)."""
    out = np.full(x.shape, np.nan)
    na, nb = x.shape
    src_a = slice(max(da, 0), na + min(da, 0))
    dst_a = slice(max(-da, 0), na - max(da, 0))
    src_b = slice(max(db, 0), nb + min(db, 0))
    dst_b = slice(max(-db, 0), nb - max(db, 0))
    out[dst_a, dst_b] = x[src_a, src_b]
    return out


def _deviations(game: TreatyGame, tables: tuple[np.ndarray, np.ndarray, np.ndarray],
                tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per ``(a, b)``: whether a member of A, a member of B, a non-member would move (False when there is none)."""
    assert game.competing is not None
    pa, pb, pn = _effective(game, *tables)
    n = game.n
    idx = np.arange(n + 1)
    A, B = np.meshgrid(idx, idx, indexing="ij")
    sa = np.where(A >= game.minimum_participation, game.sanction, 0.0)
    sb = np.where(B >= game.competing.minimum_participation, game.competing.sanction, 0.0)
    leave, join, switch = _MOVES_ON_TIE[game.tie_rule]
    a_moves = (_moves(_shift(pn, -1, 0) - sa - pa, leave, tol)
               | _moves(_shift(pb, -1, 1) - sa - pa, switch, tol))
    b_moves = (_moves(_shift(pn, 0, -1) - sb - pb, leave, tol)
               | _moves(_shift(pa, 1, -1) - sb - pb, switch, tol))
    n_moves = _moves(_shift(pa, 1, 0) - pn, join, tol) | _moves(_shift(pb, 0, 1) - pn, join, tol)
    return a_moves, b_moves, n_moves


def _tol(*arrays: np.ndarray) -> float:
    big = max((float(np.max(np.abs(x[np.isfinite(x)]), initial=0.0)) for x in arrays), default=0.0)
    return TIE_TOL * max(1.0, big)


def forum_stability(game: TreatyGame) -> ForumResult:
    """Every stable pair of sizes ``(k_A, k_B)`` of two competing treaties, for symmetric countries.

    Examples
    --------
    Two treaties with the rules of the linear-benefit, quadratic-cost game among 7 countries:
    each keeps 3 members.

    >>> from coop.games.treaty import CompetingTreaty, TreatyGame
    >>> g = TreatyGame.second_stage(7, "b*Q - c*q**2/2", {"b": 1.0, "c": 1.0},
    ...                             competing=CompetingTreaty("B"))
    >>> forum_stability(g).stable
    ((3, 3),)
    """
    assert game.competing is not None
    tables = _forum_tables(game)
    pa, pb, pn = _effective(game, *tables)
    tol = _tol(pa, pb, pn)
    a_moves, b_moves, n_moves = _deviations(game, tables, tol)
    n = game.n
    stable = []
    payoffs = []
    for a in range(n + 1):
        for b in range(n + 1 - a):
            if not (a_moves[a, b] or b_moves[a, b] or n_moves[a, b]):
                stable.append((a, b))
                payoffs.append((_none(pa[a, b]), _none(pb[a, b]), _none(pn[a, b])))
    return ForumResult((game.name, game.competing.name), tuple(stable), tuple(payoffs))


# ---------------------------------------------------------------------------- countries with their own payoffs
@dataclass(frozen=True, eq=False)
class AsymmetricResult:
    """Countries with their own payoff formulas: every stable membership vector.

    Attributes
    ----------
    countries : tuple of str
    treaties : tuple of str
        The treaty (and the competing one).
    stable : tuple of dict
        Each stable vector as ``{treaty: (members...)}``; as a frozenset-like tuple of members when there is
        one treaty (see :meth:`to_dict`).
    payoffs : tuple of tuple of float
        Each country's payoff at each stable vector.
    vectors : int
        How many membership vectors were checked.
    """

    countries: tuple[str, ...]
    treaties: tuple[str, ...]
    stable: tuple[tuple[str, ...], ...]  # per stable vector: each country's choice ("" for none)
    payoffs: tuple[tuple[float, ...], ...]
    vectors: int

    def members(self, vector: tuple[str, ...], treaty: str) -> list[str]:
        return [c for c, t in zip(self.countries, vector, strict=True) if t == treaty]

    def to_dict(self) -> dict[str, Any]:
        return {"treaties": list(self.treaties), "vectors_checked": self.vectors,
                "stable": [{"members": {t: self.members(v, t) for t in self.treaties},
                            "payoffs": {c: _none(x) for c, x in zip(self.countries, p, strict=True)}}
                           for v, p in zip(self.stable, self.payoffs, strict=True)]}


def asymmetric_stability(game: TreatyGame) -> AsymmetricResult:
    """Check every membership vector of countries with their own formulas (one treaty: ``2**n``; two: ``3**n``).

    A vector is stable when no country gains by moving alone (see the module docstring for the tie rule).
    The sizes in each country's formulas are those of the vector; the clauses apply as for symmetric
    countries.
    """
    n = game.n
    competing = game.competing is not None
    treaties = (game.name, game.competing.name) if game.competing is not None else (game.name,)
    game2 = game if competing else _with_empty_rival(game)
    per_country = []
    for i in range(n):
        tables = _forum_tables(game2, i)
        per_country.append(_effective(game2, *tables))
    tol = _tol(*(x for t in per_country for x in t))
    assert game2.competing is not None
    leave, join, switch = _MOVES_ON_TIE[game.tie_rule]
    ma, mb = game2.minimum_participation, game2.competing.minimum_participation
    stable: list[tuple[str, ...]] = []
    payoffs: list[tuple[float, ...]] = []
    count = 0
    for vector in itertools.product(range(3 if competing else 2), repeat=n):
        count += 1
        a = vector.count(1)
        b = vector.count(2)
        sa = game.sanction if a >= ma else 0.0
        sb = game2.competing.sanction if b >= mb else 0.0
        mine = []
        moves = False
        for i, where in enumerate(vector):
            pa, pb, pn = per_country[i]
            if where == 1:
                here = pa[a, b]
                options = [(pn[a - 1, b] - sa, leave)] + ([(pb[a - 1, b + 1] - sa, switch)] if competing else [])
            elif where == 2:
                here = pb[a, b]
                options = [(pn[a, b - 1] - sb, leave), (pa[a + 1, b - 1] - sb, switch)]
            else:
                here = pn[a, b]
                options = [(pa[a + 1, b], join)] + ([(pb[a, b + 1], join)] if competing else [])
            mine.append(float(here))
            if any(bool(_moves(value - here, tie, tol)) for value, tie in options):
                moves = True
                break
        if not moves:
            names = ("",) + treaties
            stable.append(tuple(names[w] for w in vector))
            payoffs.append(tuple(mine))
    return AsymmetricResult(game.countries, treaties, tuple(stable), tuple(payoffs), count)


def _with_empty_rival(game: TreatyGame) -> TreatyGame:
    """The game with a competing treaty nobody joins (its tables are read only at size 0)."""
    from dataclasses import replace

    from coop.games.treaty import CompetingTreaty

    return replace(game, competing=CompetingTreaty("(none)", game.payoffs.member
                                                   if not isinstance(game.payoffs, SecondStage) else None))
