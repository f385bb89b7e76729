r"""Correlated and coarse correlated equilibria of N-player games, by linear programming.

A *correlated equilibrium* (Aumann 1974) is a probability distribution
:math:`p` over the game's action profiles that a mediator draws from, telling
each player only their own part of the profile drawn, such that no player
gains by disobeying: for every player :math:`i` and every pair of own actions
:math:`a \ne a'`,

.. math::

    \sum_{s_{-i}} p(a, s_{-i}) \, \bigl(u_i(a, s_{-i}) - u_i(a', s_{-i})\bigr) \ge 0 .

A *coarse correlated equilibrium* (Moulin and Vial 1978) asks less: no player
gains by committing, before the draw, to one action :math:`a'` instead of
following the mediator,

.. math::

    \sum_{s} p(s) \, \bigl(u_i(s) - u_i(a', s_{-i})\bigr) \ge 0 .

Both sets are polytopes (linear constraints on :math:`p`), every Nash
equilibrium (a product distribution) lies in the first, and the first lies in
the second. Optimising a linear objective over them is a linear programme,
solved here by HiGHS (:func:`scipy.optimize.linprog`, ``method="highs"``); the
constraint matrices are built with NumPy, one sparse matrix with
:math:`\sum_i (a_i - 1) \prod_j a_j` coefficients. Each player's constraints are
written on that player's payoffs scaled by a power of two
(:attr:`~coop.games.normal_form.NormalFormGame.unit_payoffs`), which is exact
and does not change the polytope.

Every distribution returned is verified apart from the programme: each
player's gain from the best way of disobeying (for a correlated equilibrium,
the best replacement of each recommended action; for a coarse one, the best
single action) is recomputed from the distribution and must be at most ``tol``
times the player's stake, as for a Nash equilibrium
(:mod:`coop.solvers.shared.tolerances`). A vertex whose rounding fails the
check is first polished (its tight constraints solved again in least squares
on its support); a distribution that still fails is not returned.

``scipy.optimize`` is imported inside the solver, so importing this module
costs nothing.

References
----------
R. J. Aumann (1974), "Subjectivity and correlation in randomized strategies",
*Journal of Mathematical Economics* 1, 67-96 (the definition, and chicken's
correlated equilibrium that gives each player 5).
H. Moulin and J.-P. Vial (1978), "Strategically zero-sum games: the class of
games whose completely mixed equilibria cannot be improved upon",
*International Journal of Game Theory* 7, 201-221 (coarse correlated equilibria).
C. H. Papadimitriou and T. Roughgarden (2008), "Computing correlated equilibria
in multi-player games", *Journal of the ACM* 55(3), 14 (the linear programme).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.correlated_names import (
    KINDS,
    LP_SECONDS,
    OBJECTIVES,
    Kind,
    Objective,
    check_lp_size,
)
from coop.solvers.nash.results import regret_tolerance, relative_regret
from coop.solvers.shared.progress import StopAfter, TimeLimit, time_limit
from coop.solvers.shared.tolerances import PROB_EPS
from coop.solvers.shared.tolerances import stake as player_stake

if TYPE_CHECKING:
    from scipy.sparse import csr_array

    from coop.solvers.nash.results import Equilibrium

#: HiGHS' primal and dual feasibility tolerances (its defaults are 1e-7; vertices found this tightly almost
#: always pass the verification without polishing).
_HIGHS_TOL = 1e-10
#: The polishing solves a dense system of at most this many entries (tight constraints x support).
_MAX_POLISH_ENTRIES = 4_000_000


def _kind(kind: str) -> Kind:
    for k in KINDS:
        if k == kind:
            return k
    raise InputError(f"unknown kind of correlated equilibrium {kind!r}; expected one of {', '.join(KINDS)}")


def _objective(objective: str) -> Objective:
    for o in OBJECTIVES:
        if o == objective:
            return o
    raise InputError(f"unknown objective {objective!r} for a correlated equilibrium; expected one of "
                     f"{', '.join(OBJECTIVES)}")


def incentive_constraints(game: NormalFormGame, kind: Kind = "correlated") -> csr_array:
    """The incentive constraints as a sparse matrix ``A`` with ``A @ p <= 0`` for an equilibrium ``p``.

    ``p`` is the distribution flattened in C order (the game's action profiles in reading order). Row
    blocks follow the players; within player ``i``'s block, for ``kind="correlated"`` one row per ordered
    pair ``(a, a')`` of distinct own actions, for ``kind="coarse"`` one row per action ``a'``. Each row is
    written on player ``i``'s payoffs scaled by ``2**-e_i`` (:attr:`NormalFormGame.unit_payoffs`).

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> M = np.array([[6.0, 2.0], [7.0, 0.0]])
    >>> A = incentive_constraints(NormalFormGame.symmetric(M))
    >>> A.shape
    (4, 4)
    >>> p = np.array([1, 1, 1, 0]) / 3  # Aumann's distribution on chicken
    >>> bool(np.all(A @ p <= 0))
    True
    """
    from scipy.sparse import csr_array

    kind = _kind(kind)
    shape = game.num_actions
    num_profiles = game.num_profiles
    index = np.arange(num_profiles).reshape(shape)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    data: list[np.ndarray] = []
    offset = 0
    for i, n in enumerate(shape):
        if n < 2:
            continue
        u = np.moveaxis(game.unit_payoffs[i], i, 0).reshape(n, -1)  # own action x the others' profiles
        col = np.moveaxis(index, i, 0).reshape(n, -1)
        a, b = np.nonzero(~np.eye(n, dtype=bool))  # recommended a, deviation b
        others = u.shape[1]
        # the row of (a, b) asks sum_r p(a, r) (u(b, r) - u(a, r)) <= 0
        data.append((u[b] - u[a]).ravel())
        cols.append(col[a].ravel())
        if kind == "correlated":
            rows.append(np.repeat(offset + np.arange(a.size), others))
            offset += a.size
        else:  # one row per deviation b, over every recommended a
            rows.append(np.repeat(offset + b, others))
            offset += n
    if not rows:
        return csr_array((0, num_profiles))
    return csr_array((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                     shape=(offset, num_profiles))


def incentive_gains(game: NormalFormGame, distribution: np.ndarray,
                    kind: Kind = "correlated") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each player's expected payoff, gain from the best way of disobeying, and stake, all ``(N,)``.

    Computed from the distribution directly (not from the programme's constraints). For
    ``kind="correlated"`` player ``i``'s gain is :math:`\\sum_a \\max(0, \\max_{a'} \\sum_{s_{-i}}
    p(a, s_{-i}) (u_i(a', s_{-i}) - u_i(a, s_{-i})))`, what the best plan of replacing each recommended action
    earns; for ``kind="coarse"`` it is :math:`\\max(0, \\max_{a'} E_p[u_i(a', s_{-i})] - E_p[u_i(s)])`. For a
    product distribution both are the Nash regret (a Nash equilibrium gains nothing). The stake is the
    spread of ``u_i(k, s_-i)`` over every own action ``k`` and every ``s_-i`` drawn with positive probability,
    at least ``STAKE_FLOOR`` times its largest magnitude, as in :func:`coop.solvers.nash.results.regret_check`.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> chicken = NormalFormGame.symmetric(np.array([[6.0, 2.0], [7.0, 0.0]]))
    >>> pay, gain, stake = incentive_gains(chicken, np.array([[1, 1], [1, 0]]) / 3)
    >>> pay.tolist(), gain.round(12).tolist(), stake.tolist()
    ([5.0, 5.0], [0.0, 0.0], [7.0, 7.0])
    >>> incentive_gains(chicken, np.array([[1.0, 0.0], [0.0, 0.0]]))[1].tolist()  # (C, C): D earns 1 more
    [1.0, 1.0]
    """
    kind = _kind(kind)
    p = np.asarray(distribution, dtype=np.float64).reshape(game.num_actions)
    n_players = game.num_players
    pay = np.empty(n_players)
    gain = np.empty(n_players)
    stake = np.empty(n_players)
    for i, n in enumerate(game.num_actions):
        u = np.moveaxis(game.unit_payoffs[i], i, 0).reshape(n, -1)
        q = np.moveaxis(p, i, 0).reshape(n, -1)
        m = q @ u.T  # m[a, b] = sum_r p(a, r) u(b, r)
        own = np.diag(m)
        pay[i] = float(own.sum())
        if kind == "correlated":
            gain[i] = float(np.maximum(m.max(axis=1) - own, 0.0).sum())
        else:
            gain[i] = max(float(m.sum(axis=0).max()) - pay[i], 0.0)
        drawn = q.sum(axis=0) > 0.0
        at_stake = u[:, drawn] if drawn.any() else u
        stake[i] = player_stake(float(at_stake.max()), float(at_stake.min()))
    exps = game.payoff_exponents
    return np.ldexp(pay, exps), np.ldexp(gain, exps), np.ldexp(stake, exps)


@dataclass(frozen=True, eq=False)
class CorrelatedEquilibrium:
    """A verified correlated (or coarse correlated) equilibrium that optimises an objective.

    Attributes
    ----------
    game : NormalFormGame
    kind : {"correlated", "coarse"}
    objective : {"welfare", "fair"}
    distribution : numpy.ndarray
        The probability of each action profile, shape ``game.num_actions`` (read-only); probabilities
        below ``PROB_EPS`` are zero.
    payoffs : numpy.ndarray
        Each player's expected payoff, ``(N,)``.
    max_violation : float
        The largest gain any player gets from disobeying (see :func:`incentive_gains`), in payoff units.
    relative_violation : float
        The largest ratio of a player's gain to their stake; at most ``tol``.
    tol : float
        The relative tolerance of the verification.
    constraints : int
        The number of incentive constraints of the programme.
    lp_iterations : int
        Simplex iterations HiGHS took (all stages).
    polished : bool
        Whether the programme's vertex was polished before it passed the verification.
    """

    game: NormalFormGame
    kind: Kind
    objective: Objective
    distribution: np.ndarray
    payoffs: np.ndarray
    max_violation: float
    relative_violation: float
    tol: float
    constraints: int
    lp_iterations: int
    polished: bool = False

    @property
    def welfare(self) -> float:
        """The sum of the players' expected payoffs."""
        return float(self.payoffs.sum())

    @property
    def min_payoff(self) -> float:
        """The smallest expected payoff of any player."""
        return float(self.payoffs.min())

    @property
    def value(self) -> float:
        """The objective's value: ``welfare``, or ``min_payoff`` for ``objective="fair"``."""
        return self.welfare if self.objective == "welfare" else self.min_payoff

    def support(self) -> list[tuple[tuple[int, ...], float]]:
        """The profiles drawn with positive probability and their probabilities, most likely first (ties in
        reading order)."""
        flat = self.distribution.ravel()
        drawn = np.flatnonzero(flat > 0.0)
        order = drawn[np.lexsort((drawn, -np.round(flat[drawn], 12)))]
        return [(tuple(int(k) for k in np.unravel_index(j, self.game.num_actions)), float(flat[j])) for j in order]

    def to_dict(self) -> dict[str, Any]:
        """``{kind, objective, distribution: [{profile: {player: action}, probability}], payoffs, welfare, ...}``."""
        game = self.game
        return {
            "kind": self.kind,
            "objective": self.objective,
            "distribution": [
                {"profile": {p: game.actions[i][k] for i, (p, k) in enumerate(zip(game.players, prof, strict=True))},
                 "probability": prob}
                for prof, prob in self.support()],
            "payoffs": {p: _finite(self.payoffs[i]) for i, p in enumerate(game.players)},
            "welfare": _finite(self.welfare),
            "min_payoff": _finite(self.min_payoff),
            "max_violation": _finite(self.max_violation),
            "relative_violation": _finite(self.relative_violation),
            "tol": self.tol,
            "constraints": self.constraints,
            "lp_iterations": self.lp_iterations,
            "polished": self.polished,
        }


def _finite(x: float) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def correlated_equilibrium(game: NormalFormGame, kind: Kind = "correlated", objective: Objective = "welfare",
                           tol: float | None = None, *, stop_after: StopAfter = None) -> CorrelatedEquilibrium:
    r"""The correlated (or coarse correlated) equilibrium that maximises welfare or fairness.

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    kind : {"correlated", "coarse"}
        ``correlated``: no player gains by disobeying a recommendation once it is given (Aumann 1974);
        ``coarse``: no player gains by ignoring the mediator altogether for one fixed action (Moulin and
        Vial 1978). Every correlated equilibrium is a coarse one.
    objective : {"welfare", "fair"}
        ``welfare``: the largest sum of expected payoffs. ``fair``: the largest smallest expected payoff
        (max-min, with an auxiliary variable); then, among the distributions within ``1e-9`` of the payoff
        spread of it, the largest welfare (kept when it is larger by more than ``1e-9`` of the spread). Both
        compare the players' payoffs as they are written, in the game's common units, with no
        normalisation: welfare adds them and fairness compares them, as a scenario's payoff tables intend.
        Rescaling one player's payoffs leaves the equilibrium polytope unchanged but may change which point
        of it is fairest.
    tol : float, optional
        Relative tolerance of the verification (default ``1e-9``; see
        :func:`coop.solvers.nash.results.regret_tolerance`): each player's gain from disobeying is at most
        ``tol`` times their stake.
    stop_after : float or TimeLimit, optional
        Seconds (or a shared :class:`~coop.solvers.shared.progress.TimeLimit`, as ``coop solve --time-limit``
        passes) after which HiGHS stops; at most
        :data:`~coop.solvers.nash.correlated_names.LP_SECONDS` in any case.

    Returns
    -------
    CorrelatedEquilibrium
        One optimal distribution (a vertex of the polytope; others may reach the same value).

    Raises
    ------
    InputError
        An unknown ``kind`` or ``objective``, a tolerance out of range, or a game whose programme has more
        than :data:`~coop.solvers.nash.correlated_names.MAX_LP_COEFFICIENTS`
        coefficients.
    RuntimeError
        When HiGHS stops at the time limit, fails, or its answer fails the verification even after
        polishing (the last two not seen on any game tested); no distribution is then returned.

    Examples
    --------
    Chicken (Aumann 1974): the Nash equilibria give a total of at most 28/3 (the mixed one, 14/3 each); a
    mediator who draws (C, C) half the time and each of (C, D) and (D, C) a quarter gives each player 5.25:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> chicken = NormalFormGame.symmetric(np.array([[6.0, 2.0], [7.0, 0.0]]), actions=("C", "D"))
    >>> ce = correlated_equilibrium(chicken)
    >>> ce.distribution.round(12).tolist(), ce.payoffs.round(12).tolist()
    ([[0.5, 0.25], [0.25, 0.0]], [5.25, 5.25])
    >>> ce.relative_violation <= ce.tol
    True

    References
    ----------
    Aumann (1974); Moulin and Vial (1978); Papadimitriou and Roughgarden (2008): see the module docstring.
    """
    if not isinstance(game, NormalFormGame):
        raise TypeError(f"correlated_equilibrium takes a NormalFormGame, got {type(game).__name__}")
    kind = _kind(kind)
    objective = _objective(objective)
    rtol = regret_tolerance(game, tol)
    check_lp_size(game.num_actions)
    limit = time_limit(stop_after)
    from scipy.optimize import linprog

    A = incentive_constraints(game, kind)
    num_rows, num_profiles = A.shape
    # the objective's payoffs, every player's scaled by the same power of two (fairness compares them)
    top = float(np.abs(game.payoffs).max())
    common = np.ldexp(game.payoffs.reshape(game.num_players, -1), -int(np.frexp(top)[1]) if top > 0 else 0)
    iterations = 0

    def solve(cost: np.ndarray, A_ub: Any, b_ub: np.ndarray, extra: int) -> np.ndarray:
        nonlocal iterations
        seconds = LP_SECONDS if limit is None else min(LP_SECONDS, limit.left())
        if seconds <= 0.0:
            raise RuntimeError(f"the programme was not run: {_stopped(limit)}")
        options = {"primal_feasibility_tolerance": _HIGHS_TOL, "dual_feasibility_tolerance": _HIGHS_TOL,
                   "time_limit": seconds}
        n = num_profiles + extra
        A_eq = np.zeros((1, n))
        A_eq[0, :num_profiles] = 1.0
        bounds = [(0.0, None)] * num_profiles + [(None, None)] * extra
        res = linprog(cost, A_ub=A_ub if A_ub.shape[0] else None, b_ub=b_ub if A_ub.shape[0] else None,
                      A_eq=A_eq, b_eq=np.ones(1), bounds=bounds, method="highs", options=options)
        iterations += int(getattr(res, "nit", 0) or 0)
        if res.status == 1 and limit is not None and limit.left() <= 0.0:
            raise RuntimeError(f"HiGHS stopped: {_stopped(limit)}")
        if res.status == 1:
            raise RuntimeError(f"HiGHS stopped after {LP_SECONDS:g} s, its limit for one programme")
        if res.status != 0:  # there is always a correlated equilibrium: a numerical failure
            raise RuntimeError(f"HiGHS failed: {res.message}")
        return np.asarray(res.x, dtype=np.float64)

    from scipy.sparse import csr_array, hstack, vstack

    welfare = common.sum(axis=0)
    if objective == "welfare":
        p = solve(-welfare, A, np.zeros(num_rows), 0)
    else:
        n = game.num_players
        # maximise t subject to t <= E[u_i] for every player i
        A1 = vstack([hstack([A, csr_array((num_rows, 1))]),
                     csr_array(np.hstack([-common, np.ones((n, 1))]))]).tocsr()
        cost = np.zeros(num_profiles + 1)
        cost[-1] = -1.0
        p = solve(cost, A1, np.zeros(num_rows + n), 1)[:num_profiles]
        # then the largest welfare among the fairest: E[u_i] >= t* - slack for every i
        spread = float(common.max() - common.min())
        if spread > 0.0:
            best = float((common @ p).min())
            A2 = vstack([A, csr_array(-common)]).tocsr()
            b2 = np.concatenate([np.zeros(num_rows), np.full(n, -(best - 1e-9 * spread))])
            try:
                x2 = solve(-welfare, A2, b2, 0)
            except RuntimeError:  # stopped or failed: the fairest without the tie-break
                x2 = p
            if float(welfare @ x2) > float(welfare @ p) + 1e-9 * spread:
                p = x2  # (a welfare no larger keeps the first answer, which is not bent by the slack)
    return _verified(game, kind, objective, p, A, rtol, iterations)


def _stopped(limit: TimeLimit | None) -> str:
    return "the time limit was reached" if limit is None else f"the time limit of {limit.seconds:g} s was reached"


def _clean(p: np.ndarray) -> np.ndarray:
    q = np.where(p < PROB_EPS, 0.0, p)
    return q / q.sum()


def _verified(game: NormalFormGame, kind: Kind, objective: Objective, x: np.ndarray, A: Any, rtol: float,
              iterations: int) -> CorrelatedEquilibrium:
    """Clean the programme's vertex, verify it (polishing it first if it fails), and freeze the result."""
    p = _clean(x)
    pay, gain, stake = incentive_gains(game, p, kind)
    rel = relative_regret(gain, stake)
    polished = False
    if not rel <= rtol:
        q = polish(A, p)
        if q is not None:
            pay_q, gain_q, stake_q = incentive_gains(game, q, kind)
            rel_q = relative_regret(gain_q, stake_q)
            if rel_q < rel:
                p, pay, gain, stake, rel, polished = q, pay_q, gain_q, stake_q, rel_q, True
    if not rel <= rtol:
        raise RuntimeError(f"the {kind} equilibrium found by HiGHS fails the verification (a player gains "
                           f"{rel:.3g} of their stake by disobeying; the tolerance is {rtol:g})")
    dist = p.reshape(game.num_actions).copy()
    dist.setflags(write=False)
    pay.setflags(write=False)
    return CorrelatedEquilibrium(game, kind, objective, dist, pay, float(gain.max()), rel, rtol, A.shape[0],
                                 iterations, polished)


def polish(A: Any, p: np.ndarray) -> np.ndarray | None:
    """A distribution near ``p`` that meets ``p``'s tight constraints with equality, or ``None``.

    A vertex found by a simplex method solves a linear system: its tight rows of ``A @ p <= 0`` hold with
    equality, with the probabilities summing to one, on its support. Solving that system again by least
    squares removes the rounding the solver's tolerances left. A row counts as tight when its slack is at
    most a few times the largest violation ``v`` (``2 v``, then ``10 v``, ``100 v``, ``1000 v``: the first
    threshold whose answer violates no constraint by more than ``v / 100`` wins); ``None`` when none does,
    when the answer leaves the simplex, or when the system is too large (:data:`_MAX_POLISH_ENTRIES`).

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> chicken = NormalFormGame.symmetric(np.array([[6.0, 2.0], [7.0, 0.0]]))
    >>> A = incentive_constraints(chicken)
    >>> rough = np.array([0.5 + 3e-9, 0.25 - 1e-9, 0.25 - 2e-9, 0.0])
    >>> float((A @ rough).max()) > 0
    True
    >>> q = polish(A, rough)
    >>> float((A @ q).max()) <= 1e-15, q.round(12).tolist()
    (True, [0.5, 0.25, 0.25, 0.0])
    """
    if A.shape[0] == 0:
        return None
    support = np.flatnonzero(p > 0.0)
    slack = A @ p
    worst = float(slack.max())
    if worst <= 0.0:
        return None
    sub = A[:, support].tocsr()
    for factor in (2.0, 10.0, 100.0, 1000.0):
        rows = np.flatnonzero(slack > -factor * worst)
        if (rows.size + 1) * support.size > _MAX_POLISH_ENTRIES:
            return None
        M = np.vstack([sub[rows].toarray(), np.ones((1, support.size))])
        r = np.concatenate([-slack[rows], [1.0 - p[support].sum()]])
        q = p.copy()
        q[support] += np.linalg.lstsq(M, r, rcond=None)[0]
        if q.min() < -PROB_EPS:
            continue
        q = _clean(np.maximum(q, 0.0))
        if float((A @ q).max()) <= worst / 100:
            return q
    return None


def nash_benchmark(equilibria: Sequence[Equilibrium]) -> tuple[float | None, float | None]:
    """The best welfare and the best smallest payoff among Nash ``equilibria`` (``None`` when there are none).

    >>> import numpy as np
    >>> from coop.solvers.nash.results import Equilibrium
    >>> pure = Equilibrium((np.ones(1), np.ones(1)), np.array([2.0, 7.0]), 0.0)
    >>> mixed = Equilibrium((np.ones(1), np.ones(1)), np.array([4.5, 4.5]), 0.0)
    >>> nash_benchmark([pure, mixed])
    (9.0, 4.5)
    """
    if not equilibria:
        return None, None
    return (max(float(np.sum(e.payoffs)) for e in equilibria), max(float(np.min(e.payoffs)) for e in equilibria))


def mediator_gain(ce: CorrelatedEquilibrium, equilibria: Sequence[Equilibrium]) -> float | None:
    """What a mediator adds: ``ce.value`` minus the best Nash value of the same objective (the welfare, or the
    smallest payoff for ``fair``) among ``equilibria``; ``None`` when there are none.

    Every Nash equilibrium is a correlated one, so against a complete list the gain is never negative (up to
    the programme's tolerance).

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.solvers.nash.solve import solve_game
    >>> chicken = NormalFormGame.symmetric(np.array([[6.0, 2.0], [7.0, 0.0]]))
    >>> round(mediator_gain(correlated_equilibrium(chicken), solve_game(chicken).equilibria), 12)  # 10.5 - 28/3
    1.166666666667
    """
    welfare, least = nash_benchmark(equilibria)
    best = welfare if ce.objective == "welfare" else least
    return None if best is None else ce.value - best
