r"""Which institution design makes a cooperative profile self-enforcing, and at what cost.

:func:`analyse_institution` applies an :class:`~coop.games.institutions.Institution`
to the stage game of a :class:`~coop.games.repeated.RepeatedGame` (expected
sanctions, participation cost, forum shopping; see
:mod:`coop.games.institutions` for the assumptions) and reports, for a
profile of automata:

* whether the profile is subgame perfect at the game's :math:`\delta`
  (:func:`~coop.solvers.repeated.subgame_perfection.check_subgame_perfect`);
* the critical discount factor of each player
  (:func:`~coop.solvers.repeated.subgame_perfection.critical_discount_factor`);
* the discounted (or limit-of-means) payoffs, with the game's implementation
  noise and imperfect monitoring
  (:func:`~coop.solvers.repeated.payoffs.discounted_payoffs`);
* the **least sanction**: the smallest :math:`s \ge 0` such that the profile is
  subgame perfect at :math:`\delta` when the institution's sanction is
  :math:`s` (its detection, forum shopping, reputational and participation
  costs held fixed), and the largest such sanction (the *ceiling*).

Subgame perfection is decided by the one-shot deviation principle, which
:mod:`coop.solvers.repeated.subgame_perfection` implements for perfect monitoring of
the realised actions, implementation noise included; for a game with
imperfect monitoring (detection below one, false alarms) these three answers
are computed on the same game with perfect monitoring (the institution's own
detection still scales the expected sanction) and a note says so. The payoffs
always use the game's noise and monitoring. With an inspector's *public* report
(``monitoring="public"``) the institution's effective detection is the report's
detection, so its accuracy moves the critical discount factors and the least
sanction through the report too. With a general public signal (``signals``) the
strategies read that signal and the institution inspects on its own: its
detection scales the expected sanction only (a perfect public equilibrium of the
sanctioned game), and a note says so.

The sanction search
-------------------
For a fixed :math:`\delta` the value of every joint state is linear in the
stage payoffs, which are affine in the sanction :math:`s`; so every one-shot
gain is affine in :math:`s`, and a player's largest gain
:math:`g_i(s)` (a maximum of affine functions) is convex and piecewise linear.
The set of sanctions where player :math:`i` has no profitable deviation,
:math:`\{s \ge 0 : g_i(s) \le \mathrm{tol}\}`, is therefore an interval
:math:`[\underline s_i, \overline s_i]`, and the profile is subgame perfect
exactly on the intersection of these intervals. The search finds a feasible
sanction by doubling from :math:`\text{spread}/(q(1-f))` (the sanction whose
expectation equals the payoff spread) while :math:`g_i` decreases, then by a
golden-section search for the minimum of :math:`g_i` (valid for convex
functions); the ends of the interval are refined by bisection to about
``1e-12`` of the payoff spread. Doubling stops at :data:`SANCTION_CAP` times
the starting sanction: a ceiling beyond it is reported as ``None``
(unbounded). The interval need not reach infinity: a sanction also hits the
defections that carry out a punishment, so a large one can make the
punishment phase of a trigger strategy non-credible (grim trigger in the
prisoner's dilemma needs :math:`s_e \le P - S`).

Scenario mapping
----------------
``coop solve`` will call :func:`compare_institutions` for the cooperative
profile of a scenario's ``repeated`` section and each design of its
``institutions`` section, and print ``InstitutionAnalysis.to_dict()`` under
``repeated.institutions`` in the JSON.

References
----------
Mailath, G. J. and Samuelson, L. (2006). *Repeated Games and Reputations*. Oxford UP,
sec. 2.2 (one-shot deviation principle).
Abbott, K. W. and Snidal, D. (1998). Why states act through formal international
organizations. *Journal of Conflict Resolution* 42(1), 3-32.
Keohane, R. O. and Victor, D. G. (2011). The regime complex for climate change.
*Perspectives on Politics* 9(1), 7-23.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.automata import Automaton
from coop.games.institutions import Institution
from coop.games.normal_form import NormalFormGame
from coop.games.repeated import RepeatedGame
from coop.solvers.nash.results import REGRET_TOL
from coop.solvers.repeated.limit_of_means import LimitOfMeansCheck
from coop.solvers.repeated.payoffs import RepeatedPayoffs, discounted_payoffs
from coop.solvers.repeated.subgame_perfection import (
    CriticalDiscount,
    SPEResult,
    _gains,
    _tables,
    check_subgame_perfect,
    critical_discount_factor,
)

#: The sanction search doubles up to this many times the starting sanction ``spread / (q (1 - f))``.
SANCTION_CAP = 2.0**30

_REL_PRECISION = 1e-12
_MAX_STEPS = 400  # every search loop is bounded, whatever rounding does


@dataclass(frozen=True, eq=False)
class InstitutionAnalysis:
    """What an institution does to a profile of automata in a repeated game.

    Attributes
    ----------
    game : RepeatedGame
        The repeated game *without* the institution.
    institution : Institution
        The design analysed.
    strategies : tuple of str
        The automata's names, one per player.
    stage : NormalFormGame
        The stage game under the institution (expected payoffs).
    members : tuple of int
        Indices of the players bound by the institution.
    subgame_perfect : bool or None
        Whether the profile is subgame perfect at ``game.delta`` under the
        institution (under the limit of means when the game has no discount factor).
    spe : SPEResult or None
        The one-shot deviation check behind ``subgame_perfect`` (``None`` under the limit of means).
    critical : CriticalDiscount
        Critical discount factor per player under the institution.
    payoffs : RepeatedPayoffs
        Payoffs under the institution, with the game's noise and monitoring.
    least_sanction : float or None
        Smallest sanction making the profile subgame perfect at ``game.delta``,
        or under the limit of means when the game has no discount factor
        (``None``: no sanction does).
    sanction_ceiling : float or None
        Largest such sanction; ``None`` when unbounded (or when there is none).
    least_sanction_per_player, sanction_ceiling_per_player : tuple of (float or None)
        The same per player (each player's own one-shot conditions).
    tol : float
        Largest one-shot gain counted as no gain.
    notes : tuple of str
        Caveats (perfect monitoring assumed for subgame perfection, no discount factor).
    reason : str or None
        Why the sanctions are not exact: a search that stopped at its step limit (``None``: none did).
    limit_of_means : LimitOfMeansCheck or None
        The check under the limit of means behind ``subgame_perfect`` (``None`` with a discount factor).
    """

    game: RepeatedGame = field(repr=False)
    institution: Institution
    strategies: tuple[str, ...]
    stage: NormalFormGame = field(repr=False)
    members: tuple[int, ...]
    subgame_perfect: bool | None
    spe: SPEResult | None = field(repr=False)
    critical: CriticalDiscount = field(repr=False)
    payoffs: RepeatedPayoffs = field(repr=False)
    least_sanction: float | None
    sanction_ceiling: float | None
    least_sanction_per_player: tuple[float | None, ...]
    sanction_ceiling_per_player: tuple[float | None, ...]
    tol: float
    notes: tuple[str, ...] = ()
    reason: str | None = None
    limit_of_means: LimitOfMeansCheck | None = field(default=None, repr=False)

    @property
    def complete(self) -> bool:
        """Whether every sanction search reached its precision (``reason`` says which did not)."""
        return self.reason is None

    @property
    def critical_delta(self) -> tuple[float | None, ...]:
        """Critical discount factor of each player under the institution."""
        return self.critical.per_player

    def to_dict(self) -> dict[str, Any]:
        players = self.game.stage.players
        return {
            "institution": self.institution.to_dict(),
            "members": [players[i] for i in self.members],
            "strategies": dict(zip(players, self.strategies, strict=True)),
            "delta": self.game.delta,
            "subgame_perfect": self.subgame_perfect,
            "critical_delta": {p: self.critical.per_player[i] for i, p in enumerate(players)},
            "critical_delta_overall": self.critical.overall,
            "criterion": self.payoffs.criterion,
            "payoffs": {p: float(self.payoffs.payoffs[i]) for i, p in enumerate(players)},
            "least_sanction": self.least_sanction,
            "sanction_ceiling": self.sanction_ceiling,
            "least_sanction_per_player": dict(zip(players, self.least_sanction_per_player, strict=True)),
            "sanction_ceiling_per_player": dict(zip(players, self.sanction_ceiling_per_player, strict=True)),
            "monitoring": {"noise": self.game.noise, "detection": self.game.detection,
                           "false_alarm": self.game.false_alarm},
            "tol": self.tol,
            "notes": list(self.notes),
            "complete": self.complete,
            "reason": self.reason,
            "limit_of_means": None if self.limit_of_means is None else self.limit_of_means.to_dict(),
        }


def _resolve_profile(repeated: RepeatedGame, profile: Sequence[Automaton] | str) -> tuple[Automaton, ...]:
    if isinstance(profile, str):
        return repeated.profile(profile)
    return repeated.check_profile(profile)


def _interval(f: Callable[[float], float], start: float, tol: float, scale: float,
              stopped: list[str] | None = None) -> tuple[float | None, float | None]:
    """Ends of ``{s >= 0 : f(s) <= tol}`` for a convex ``f`` (an interval); ``(None, None)`` if empty.

    ``start`` is the first sanction tried by doubling; the upper end is ``None``
    when ``f`` is still feasible at ``SANCTION_CAP * start``. A search that runs out of its
    ``_MAX_STEPS`` steps before its precision appends what it left undone to ``stopped``.
    """
    stopped = [] if stopped is None else stopped
    eps = _REL_PRECISION * scale
    cap = SANCTION_CAP * start
    inside = None
    f0 = f(0.0)
    if f0 <= tol:
        inside = 0.0
    else:
        prev, u = f0, start
        while True:
            fu = f(u)
            if fu <= tol:
                inside = u
                break
            if fu >= prev or u >= cap:
                break  # f no longer decreases: by convexity its minimum lies in [0, u]
            prev, u = fu, 2.0 * u
        if inside is None:
            # golden-section search for the minimum of the convex f on [0, u]
            a, b = 0.0, u
            r = (5.0**0.5 - 1.0) / 2.0
            c, d = b - r * (b - a), a + r * (b - a)
            fc, fd = f(c), f(d)
            for _ in range(_MAX_STEPS):
                if b - a <= eps * max(1.0, u / scale):
                    break
                if min(fc, fd) <= tol:
                    inside = c if fc <= fd else d
                    break
                if fc <= fd:
                    b, d, fd = d, c, fc
                    c = b - r * (b - a)
                    fc = f(c)
                else:
                    a, c, fc = c, d, fd
                    d = a + r * (b - a)
                    fd = f(d)
            else:
                stopped.append(f"the search for a working sanction stopped after {_MAX_STEPS} steps (none found)")
            if inside is None:
                return None, None
    # lower end: f(lo) > tol >= f(hi)
    if inside == 0.0:
        lower = 0.0
    else:
        lo, hi = 0.0, inside
        for _ in range(_MAX_STEPS):
            if hi - lo <= eps * max(1.0, hi / scale):
                break
            mid = 0.5 * (lo + hi)
            if f(mid) <= tol:
                hi = mid
            else:
                lo = mid
        else:
            stopped.append(f"the bisection for the least sanction stopped after {_MAX_STEPS} steps "
                           f"(between {lo:.6g} and {hi:.6g})")
        lower = hi
    # upper end: double past the feasible point, then bisect
    ok, v = inside, max(inside, start)
    while True:
        v = 2.0 * v
        if f(v) > tol:
            break
        ok = v
        if v >= cap:
            return float(lower), None
    lo, hi = ok, v
    for _ in range(_MAX_STEPS):
        if hi - lo <= eps * max(1.0, lo / scale):
            break
        mid = 0.5 * (lo + hi)
        if f(mid) <= tol:
            lo = mid
        else:
            hi = mid
    else:
        stopped.append(f"the bisection for the sanction ceiling stopped after {_MAX_STEPS} steps "
                       f"(between {lo:.6g} and {hi:.6g})")
    return float(lower), float(lo)


def analyse_institution(
    repeated: RepeatedGame,
    profile: Sequence[Automaton] | str,
    institution: Institution,
    tol: float | None = None,
) -> InstitutionAnalysis:
    """Subgame perfection, critical discount factors, payoffs and least sanction under an institution.

    Parameters
    ----------
    repeated : RepeatedGame
        The repeated game without the institution (its ``cooperate`` actions
        are the ones the institution does not sanction).
    profile : sequence of Automaton or str
        One automaton per player, or a builder name used by every player
        (``"grim_trigger"``).
    institution : Institution
        The design.
    tol : float, optional
        Largest per-period one-shot gain counted as no gain; default ``1e-9``
        times the payoff spread of the stage game *without* the institution
        (the same for every sanction tried, so the search is consistent).

    Returns
    -------
    InstitutionAnalysis

    Examples
    --------
    Grim trigger in the prisoner's dilemma (T, R, P, S) = (5, 3, 1, 0) needs
    :math:`\\delta \\ge (T - s_e - R)/(T - P)` with the expected sanction
    :math:`s_e = q(1-f)(s+\\rho)`, and :math:`s_e \\le P - S` to keep the
    punishment credible; at :math:`\\delta = 0.4` the least :math:`s_e` is
    :math:`T - R - \\delta (T - P) = 0.4`, so with :math:`q = 0.5` the
    sanction must lie in :math:`[0.8, 2]`:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.institutions import Institution
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, ("US", "China"), (("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, 0.4, (0, 0), (1, 1))
    >>> res = analyse_institution(g, "grim_trigger", Institution("treaty", detection=0.5, sanction=0.5))
    >>> res.subgame_perfect, [round(d, 6) for d in res.critical_delta]
    (False, [0.4375, 0.4375])
    >>> round(res.least_sanction, 6), round(res.sanction_ceiling, 6)
    (0.8, 2.0)
    """
    if not isinstance(repeated, RepeatedGame):
        raise InputError("analyse_institution needs a RepeatedGame")
    if not isinstance(institution, Institution):
        raise InputError(f"expected an Institution, got {type(institution).__name__}")
    prof = _resolve_profile(repeated, profile)
    base = repeated.stage
    tol = REGRET_TOL * base.payoff_scale if tol is None else float(tol)
    members = institution.member_indices(base)
    stage = institution.apply(base, repeated.cooperate, repeated.defect)
    notes: list[str] = []
    if repeated.signals is not None:
        # the strategies read the scenario's public signal; the institution inspects on its own, so its
        # detection enters the expected sanction of the stage payoffs, not the signal
        under = dataclasses.replace(repeated, stage=stage)
        perfect = under
        notes.append(
            f"the strategies read the public signal ({', '.join(repeated.signals.names)}), a perfect public "
            "equilibrium; the institution inspects on its own: a member's defection is sanctioned with probability "
            f"{institution.effective_detection:g} (its detection times one minus forum shopping), whatever the "
            "signal shows, so its detection moves the expected sanction, not the signal")
    elif repeated.monitoring == "public":
        # the inspector's report is the public signal every strategy reads: its accuracy moves the critical
        # discount factors and the least sanction (a perfect public equilibrium)
        under = dataclasses.replace(repeated, stage=stage, detection=institution.effective_detection)
        perfect = under
        notes.append(
            f"the inspector's report is public (detection {institution.effective_detection:g}, false alarm "
            f"{repeated.false_alarm:g}): every strategy reads it, so subgame perfection, critical discount factors "
            "and sanctions include its errors (a perfect public equilibrium); sanctions fall on reported defections")
    else:
        under = dataclasses.replace(repeated, stage=stage)
        perfect = dataclasses.replace(under, detection=1.0, false_alarm=0.0)
    if repeated.monitoring != "public" and (repeated.detection != 1.0 or repeated.false_alarm != 0.0):
        notes.append(
            "subgame perfection, critical discount factors and sanctions are computed with perfect monitoring "
            "of the players' actions (the game's noise included); the payoffs use the game's monitoring too"
        )
    payoffs = discounted_payoffs(under, prof)
    critical = critical_discount_factor(perfect, prof, tol=tol)
    n = repeated.num_players
    if repeated.delta is None and repeated.horizon is None:
        return _limit_of_means_analysis(repeated, institution, prof, stage, perfect, critical, payoffs, tol, notes)
    spe = check_subgame_perfect(perfect, prof, tol=tol)

    def gain_tensor(s: float) -> np.ndarray:
        g = dataclasses.replace(perfect, stage=institution.with_sanction(s).apply(base, repeated.cooperate))
        return _gains(_tables(g, prof), g, g.delta)[0]

    # every one-shot gain is affine in the sanction (the transitions do not depend on it), so two
    # evaluations give all of them: g(s) = g(0) + s (g(1) - g(0)), exactly up to rounding
    at_zero = gain_tensor(0.0)
    slope = np.where(np.isfinite(at_zero), gain_tensor(1.0) - at_zero, 0.0)

    def gains(s: float) -> np.ndarray:
        return (at_zero + s * slope).max(axis=(0, 2))

    eff = institution.effective_detection
    stopped: list[str] = []
    lows: list[float | None] = []
    highs: list[float | None] = []
    for i in range(n):
        if eff == 0.0 or i not in members:
            # the sanction does not reach this player: its conditions hold for every sanction or none
            ok = bool(gains(0.0)[i] <= tol)
            lows.append(0.0 if ok else None)
            highs.append(None)
            continue
        start = base.payoff_scale / eff

        def gain_of_player(s: float, i: int = i) -> float:
            return float(gains(s)[i])

        lo, hi = _interval(gain_of_player, start, tol, base.payoff_scale, stopped)
        lows.append(lo)
        highs.append(hi)
    least, ceiling, per_high = _combine(lows, highs, eff, notes)
    return InstitutionAnalysis(
        repeated, institution, tuple(a.name for a in prof), stage, members, spe.is_spe, spe, critical, payoffs,
        least, ceiling, tuple(lows), per_high, tol, tuple(notes), "; ".join(stopped) or None,
    )


def _combine(lows: list[float | None], highs: list[float | None], eff: float, notes: list[str]
             ) -> tuple[float | None, float | None, tuple[float | None, ...]]:
    """The least sanction and the ceiling for all players from each player's interval (``None`` low: none works
    for that player; ``None`` high: no ceiling), and the per-player ceilings; appends why none works."""
    least: float | None = None
    ceiling: float | None = None
    if all(v is not None for v in lows):
        least = max(v for v in lows if v is not None)
        finite = [h for h in highs if h is not None]
        ceiling = min(finite) if finite else None
        if ceiling is not None and least > ceiling:
            least = ceiling = None
            notes.append("the players' feasible sanction intervals do not overlap: no sanction works for all")
    elif eff == 0.0:
        notes.append("detection * (1 - forum_shopping) = 0: no sanction can reach a defector")
    return least, ceiling, tuple(None if lows[i] is None else highs[i] for i in range(len(lows)))


def _limit_of_means_analysis(repeated: RepeatedGame, institution: Institution, prof: tuple[Automaton, ...],
                             stage: NormalFormGame, perfect: RepeatedGame, critical: CriticalDiscount,
                             payoffs: RepeatedPayoffs, tol: float, notes: list[str]) -> InstitutionAnalysis:
    r"""The institution's analysis under the limit of means: subgame perfection against every strategy, and the
    least sanction and ceiling.

    Under the limit of means (:mod:`coop.solvers.repeated.limit_of_means`) player :math:`i`'s largest gain
    :math:`G_i(s)`, over the joint states some history reaches, is the optimal long-run average of the
    average-reward programme less the profile's own average. For a fixed stationary policy both averages are
    linear in the stage payoffs (Cesaro limits of chains that the sanction does not change), and the stage
    payoffs are affine in the sanction :math:`s`; the optimum is a maximum over finitely many deterministic
    stationary policies (Puterman 1994, theorem 9.1.8). So :math:`G_i` is convex and piecewise linear in
    :math:`s`, and the sanctions with :math:`G_i(s) \le` ``tol`` form an interval. Its ends are found exactly
    by Newton's method on this convex piecewise-linear function: from an infeasible sanction (0 for the lower
    end, :data:`SANCTION_CAP` times ``spread / (q (1 - f))`` for the ceiling) the policy and state optimal
    there give a linear piece :math:`a + b s` of :math:`G_i` (evaluated exactly, at :math:`s = 0` and
    :math:`s = 1`), a supporting line since :math:`G_i` is their maximum; the next sanction is its zero
    :math:`-a / b`. Every step lands on the zero of a line that lies below :math:`G_i`, so it never overshoots the
    interval, and each step moves to another piece: the iteration stops, on the exact crossing, after at most
    as many steps as there are pieces (bounded by ``_MAX_STEPS``). A line that does not come down to zero
    means no sanction on that side works (or, for the ceiling, that the gain stays within ``tol`` up to the
    cap: no ceiling). Each end is accepted by the verdict itself, :math:`G_i(s) \le` ``tol``.

    A deviation counts only through the long-run average, so, with every member bound and the expected
    sanction :math:`s_e = q (1 - f)(s + \rho)` on every defection, always-cooperate in the prisoner's dilemma
    needs :math:`s_e \ge T - R` (defecting for ever earns :math:`T - s_e` against :math:`R`), and grim trigger
    needs no sanction but at most :math:`s_e = P - S` (beyond it cooperating during the punishment pays).
    """
    from coop.solvers.repeated.limit_of_means import _player_gains, _policy_gain_line, limit_of_means_check
    from coop.solvers.repeated.payoffs import cesaro_values

    base = repeated.stage
    n = repeated.num_players
    members = institution.member_indices(base)
    lom = limit_of_means_check(perfect, prof, tol=tol)
    notes.append("the limit of means: subgame perfection is checked against every strategy from every reachable "
                 "joint state (average-reward programmes), and the least sanction is where the largest long-run "
                 "gain of a deviation crosses zero")

    def tables(s: float) -> Any:
        return _tables(dataclasses.replace(perfect, stage=institution.with_sanction(s).apply(base, repeated.cooperate)),
                       prof)

    t0, t1 = tables(0.0), tables(1.0)
    d_ud = np.where(np.isfinite(t0.UD) & np.isfinite(t1.UD), t1.UD - t0.UD, 0.0)

    def at(s: float) -> Any:
        return dataclasses.replace(t0, U=t0.U + s * (t1.U - t0.U), UD=t0.UD + s * d_ud)

    def largest_gain(i: int, s: float) -> tuple[float, int, np.ndarray]:
        t = at(s)
        gain, policy = _player_gains(t, i, cesaro_values(t.P, t.U)[:, i])
        k = int(np.argmax(gain))
        return float(gain[k]), k, policy

    def crossing(i: int, s: float) -> float | None:
        """Where the linear piece optimal at ``s`` (a supporting line of the convex gain) crosses zero."""
        _, state, policy = largest_gain(i, s)
        a, b = _policy_gain_line(t0, t1, i, policy, state)
        return None if b == 0.0 else -a / b

    def end(i: int, s: float, gain: float, rightwards: bool) -> float | None:
        """From an infeasible ``s``, Newton's steps along supporting lines towards the interval (rightwards: the
        lower end); ``None`` when a supporting line never comes down to zero on that side (no end there)."""
        for _ in range(_MAX_STEPS):
            if gain <= tol:
                return s
            nxt = crossing(i, s)
            if nxt is None or (nxt <= s if rightwards else nxt >= s) or nxt < 0.0:
                return None
            s = nxt
            gain = largest_gain(i, s)[0]
        stopped.append(f"the search for the {'least sanction' if rightwards else 'sanction ceiling'} stopped after "
                       f"{_MAX_STEPS} steps (at {s:.6g})")
        return s

    eff = institution.effective_detection
    stopped: list[str] = []
    lows: list[float | None] = []
    highs: list[float | None] = []
    for i in range(n):
        if eff == 0.0 or i not in members:
            ok = bool(lom.spe_gain[i] <= tol)
            lows.append(0.0 if ok else None)
            highs.append(None)
            continue
        lo = end(i, 0.0, largest_gain(i, 0.0)[0], True)
        hi: float | None = None
        if lo is not None:
            cap = SANCTION_CAP * max(base.payoff_scale / eff, lo)
            g_cap = largest_gain(i, cap)[0]
            hi = None if g_cap <= tol else end(i, cap, g_cap, False)
            if hi is not None and hi < lo:
                lo = hi = None
        lows.append(lo)
        highs.append(hi)
    least, ceiling, per_high = _combine(lows, highs, eff, notes)
    return InstitutionAnalysis(
        repeated, institution, tuple(a.name for a in prof), stage, members, lom.is_spe, None, critical, payoffs,
        least, ceiling, tuple(lows), per_high, tol, tuple(notes), "; ".join(stopped) or None, lom,
    )


def compare_institutions(
    repeated: RepeatedGame,
    profile: Sequence[Automaton] | str,
    institutions: Sequence[Institution],
    tol: float | None = None,
) -> tuple[InstitutionAnalysis, ...]:
    """:func:`analyse_institution` for each design, in order (names must be unique).

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.institutions import fsb_like, iaea_like, no_institution
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, ("US", "China"), (("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, 0.4, (0, 0), (1, 1))
    >>> rows = compare_institutions(g, "grim_trigger", [no_institution(), fsb_like(), iaea_like()])
    >>> [(r.institution.name, r.subgame_perfect) for r in rows]
    [('no institution', False), ('FSB-like peer review', True), ('IAEA-like body', False)]
    """
    insts = tuple(institutions)
    if not insts:
        raise InputError("compare_institutions needs at least one institution")
    names = [getattr(x, "name", None) for x in insts]
    if len(set(names)) != len(names):
        raise InputError(f"institution names must be unique, got {names}")
    prof = _resolve_profile(repeated, profile)
    return tuple(analyse_institution(repeated, prof, x, tol) for x in insts)
