r"""Replicator dynamics of one large population playing a symmetric N-player game in groups.

Groups of :math:`N` are drawn from an infinitely large population in which a share
:math:`x_t` plays strategy :math:`t`; the :math:`N-1` co-players of a focal
individual therefore have composition :math:`c` with the multinomial probability
:math:`\binom{N-1}{c} \prod_t x_t^{c_t}`, and strategy :math:`s` earns

.. math:: f_s(x) = \sum_c \binom{N-1}{c} \prod_t x_t^{c_t}\, \pi_s(c),

with :math:`\pi_s(c)` the group payoff of a :class:`~coop.games.population.PopulationGame`
(the limit :math:`Z \to \infty` of its hypergeometric sampling). The replicator dynamic is
:math:`\dot x_s = x_s (f_s(x) - x \cdot f(x))` (Hauert, De Monte, Hofbauer and Sigmund 2002;
Santos and Pacheco 2011, eq. 2, for the collective-risk dilemma).

With two strategies, :math:`p = x_0` obeys :math:`\dot p = p (1-p)\, g(p)` with the
*gradient* :math:`g(p) = f_0 - f_1 = \sum_k \binom{N-1}{k} p^k (1-p)^{N-1-k} d_k`, a
polynomial of degree :math:`N-1` (:math:`d_k`: payoff difference when :math:`k` co-players
play strategy 0). Its roots in :math:`(0, 1)` are the interior rest points, stable where
:math:`g` decreases; :math:`p = 0` is stable when :math:`g(0) < 0` and :math:`p = 1` when
:math:`g(1) > 0`. :func:`group_rest_points` finds them exactly (polynomial roots).

With :math:`m \ge 3` strategies the rest points are every :math:`x` whose strategies in use earn the same,
face by face: on the face of a support :math:`S` the :math:`|S| - 1` equations
:math:`f_s(x) = f_{s_0}(x)` (:math:`s \in S`) are polynomials of degree :math:`N - 1` in Bernstein form,
their coefficients the payoff differences by composition. Vertices are always at rest; on an edge the
equation is univariate (:func:`coop.solvers.shared.bernstein.interval_roots`); on a larger face
:func:`coop.solvers.shared.bernstein.simplex_zeros` subdivides the face, discards sub-simplices on which
some equation's coefficients all have one sign, and polishes what is left by Newton's method (its
docstring states what is guaranteed: every isolated zero lies in a leaf; continua are reported as
such). The stability of each rest point is read from the eigenvalues of the field's Jacobian on the
tangent space of the whole simplex (:func:`group_jacobian`): the face's own directions and, for each
strategy :math:`b` not in use, the transversal eigenvalue :math:`f_b(x) - x \cdot f(x)`.

From a start shared by all players, the dynamics of one population per player of the same
symmetric game stay on the diagonal and coincide with this one; ``coop`` integrates
trajectories that way and uses this module for the rest points and their stability.

References
----------
Hauert, C., De Monte, S., Hofbauer, J. and Sigmund, K. (2002). Replicator dynamics for
optional public good games. *J. Theoretical Biology* 218, 187-194.
Santos, F. C. and Pacheco, J. M. (2011). Risk of collective failure provides an escape from
the tragedy of the commons. *PNAS* 108(26), 10421-10425.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.population import PopulationGame
from coop.solvers.evolution.names import Dynamic
from coop.solvers.evolution.rest_points import classify
from coop.solvers.shared.bernstein import (
    MAX_SUBDIVISION_WORK,
    bernstein_gradient,
    derivative_tables,
    interval_roots,
    simplex_zeros,
    subdivision_work,
)
from coop.solvers.shared.compositions import binomial_table, composition_rank, compositions
from coop.solvers.shared.jit import njit
from coop.solvers.shared.tolerances import REGRET_TOL
from coop.solvers.shared.tolerances import stake as player_stake

#: Roots of the gradient closer than this (in the share p) are merged; imaginary parts below it are dropped.
ROOT_TOL = 1e-9


@njit(cache=True)
def _group_fitness_kernel(payoffs, comps, x, log_norm):
    """``f_s(x)`` for every strategy: multinomial weights of the co-player compositions times the payoffs."""
    m, n_comp = payoffs.shape
    out = np.zeros(m)
    for c in range(n_comp):
        logw = log_norm
        zero = False
        for t in range(m):
            k = comps[c, t]
            if k == 0:
                continue
            if x[t] <= 0.0:
                zero = True
                break
            logw += k * math.log(x[t]) - math.lgamma(k + 1.0)
        if zero:
            continue
        w = math.exp(logw)
        for s in range(m):
            out[s] += w * payoffs[s, c]
    return out


def _state(game: PopulationGame, x: Any) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64).reshape(-1)
    if arr.shape != (game.num_strategies,):
        raise InputError(f"a state needs {game.num_strategies} shares, got {arr.size}")
    if np.any(arr < -1e-12) or abs(arr.sum() - 1.0) > 1e-9:
        raise InputError(f"a state must be on the simplex (shares >= 0 summing to 1), got {arr.tolist()}")
    return np.clip(arr, 0.0, None)


def group_fitness(game: PopulationGame, x: Any) -> np.ndarray:
    """Expected payoff of each strategy against ``N - 1`` co-players drawn from shares ``x``.

    Examples
    --------
    Collective-risk dilemma in groups of 4, threshold 2: with everybody cooperating a defector keeps all
    (1), a cooperator pays 0.1.

    >>> from coop.games.population import collective_risk_dilemma
    >>> game = collective_risk_dilemma(group_size=4, threshold=2, cost=0.1, risk=0.9)
    >>> group_fitness(game, [1.0, 0.0]).round(6).tolist()
    [0.9, 1.0]
    """
    xs = _state(game, x)
    log_norm = math.lgamma(game.group_size)  # log (N - 1)!
    return _group_fitness_kernel(game.payoffs, game.compositions.astype(np.int64), xs, log_norm)


def group_replicator_field(game: PopulationGame, x: Any) -> np.ndarray:
    """The replicator dynamic ``x_s (f_s - x . f)`` of one population in groups."""
    xs = _state(game, x)
    f = group_fitness(game, xs)
    return xs * (f - xs @ f)


@dataclass(frozen=True, eq=False)
class GroupRestPoint:
    """A rest point: ``state`` (shares), ``stability``, the eigenvalues on the simplex's tangent space (of the
    one-dimensional flow with two strategies) and the field's largest component there."""

    state: np.ndarray
    stability: str
    eigenvalues: np.ndarray
    field_norm: float

    @property
    def support(self) -> tuple[int, ...]:
        """The strategies in use."""
        return tuple(int(s) for s in np.flatnonzero(self.state > 0.0))


@dataclass(frozen=True, eq=False)
class GroupRestPoints:
    """Rest points of the replicator dynamic of one population of a group game.

    ``gradient_coefficients`` are the power-basis coefficients of :math:`g(p)` (lowest first) for two
    strategies, ``None`` for more. ``degenerate`` lists the supports (strategy indices) whose face holds a
    set of rest points that is not isolated (a curve or the whole face, as when the strategies always earn the
    same); ``points`` then holds one witness of each. ``skipped`` lists the faces too large to subdivide
    (their rest points are missing: the result is incomplete).
    """

    strategies: tuple[str, ...]
    group_size: int
    points: tuple[GroupRestPoint, ...]
    gradient_coefficients: np.ndarray | None
    dynamic: Dynamic = "replicator"
    method: str = "gradient_roots"
    degenerate: tuple[tuple[int, ...], ...] = ()
    skipped: tuple[tuple[int, ...], ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every face was searched."""
        return not self.skipped

    def to_dict(self) -> dict[str, Any]:
        notes = ["one infinite population in groups of N: the roots of the gradient of selection"
                 if self.gradient_coefficients is not None else
                 "one infinite population in groups of N: on each face, the states whose strategies earn the same "
                 "(Bernstein subdivision and Newton's method)"]
        notes += [f"a continuum of rest points on the face of {', '.join(self.strategies[s] for s in face)} (one "
                  "witness listed)" for face in self.degenerate]
        notes += [f"the face of {', '.join(self.strategies[s] for s in face)} is too large to search: its rest "
                  "points are missing" for face in self.skipped]
        return {
            "dynamic": self.dynamic,
            "method": self.method,
            "smooth": True,
            "parameters": {"group_size": self.group_size},
            "notes": notes,
            "rest_points": [
                {"state": {"population": {s: float(v) for s, v in zip(self.strategies, p.state, strict=True)}},
                 "stability": p.stability,
                 "eigenvalues": [[float(np.real(e)), float(np.imag(e))] for e in p.eigenvalues],
                 "field_norm": p.field_norm}
                for p in self.points
            ],
            "degenerate_faces": [[self.strategies[s] for s in face] for face in self.degenerate],
            "complete": self.complete,
        }


def gradient_polynomial(game: PopulationGame) -> np.polynomial.Polynomial:
    """The gradient :math:`g(p) = f_0 - f_1` of a 2-strategy group game, a polynomial in the share ``p``."""
    if game.num_strategies != 2:
        raise InputError(f"the gradient is defined for 2 strategies, this game has {game.num_strategies}")
    n1 = game.group_size - 1
    P = np.polynomial.Polynomial
    g = P([0.0])
    for c, comp in enumerate(game.compositions):
        k = int(comp[0])  # co-players of strategy 0
        d = float(game.payoffs[0, c] - game.payoffs[1, c])
        g = g + d * math.comb(n1, k) * P([0.0, 1.0]) ** k * P([1.0, -1.0]) ** (n1 - k)
    return g


def group_rest_points(game: PopulationGame) -> GroupRestPoints:
    """Rest points of one population's replicator dynamic in a group game, with their stability.

    Two strategies: the roots of the gradient (a polynomial in the share). More: face by face, see the
    module docstring (:func:`_rest_points_by_face`).

    Examples
    --------
    The collective-risk dilemma at high risk has an unstable threshold and a stable coexistence point
    between the two monomorphic states (Santos and Pacheco 2011, Fig. 1):

    >>> from coop.games.population import collective_risk_dilemma
    >>> rp = group_rest_points(collective_risk_dilemma(group_size=6, threshold=3, cost=0.1, risk=0.9))
    >>> [(round(float(p.state[0]), 3), p.stability) for p in rp.points]
    [(0.0, 'stable'), (0.13, 'unstable'), (0.723, 'stable'), (1.0, 'unstable')]
    """
    if game.num_strategies != 2:
        return _rest_points_by_face(game)
    g = gradient_polynomial(game)
    flow = np.polynomial.Polynomial([0.0, 1.0, -1.0]) * g  # p (1 - p) g(p)
    slope = flow.deriv()
    tol = 1e-9 * max(1e-300, float(np.abs(game.payoffs).max()))
    # a gradient that vanishes everywhere: every state is at rest (neutral drift)
    neutral = bool(np.all(np.abs(g.coef) <= tol))
    shares = [0.0]
    if not neutral:
        roots = [r.real for r in g.roots() if abs(r.imag) < ROOT_TOL and ROOT_TOL < r.real < 1.0 - ROOT_TOL]
        shares += sorted({round(float(r), 12) for r in roots})
    shares.append(1.0)
    points = []
    for p in shares:
        d = float(slope(p))
        stability = "non-hyperbolic" if neutral or abs(d) <= tol else "stable" if d < 0 else "unstable"
        points.append(GroupRestPoint(np.array([p, 1.0 - p]), stability, np.array([d]), 0.0))
    return GroupRestPoints(game.strategies, game.group_size, tuple(points), np.asarray(g.coef))


@njit(cache=True)
def _face_ranks(face_comps, support, m, n, binom):
    """The rank among the compositions of ``n`` into ``m`` parts of each composition of the face ``support``."""
    out = np.empty(face_comps.shape[0], dtype=np.int64)
    full = np.zeros(m, dtype=np.int64)
    for r in range(face_comps.shape[0]):
        full[:] = 0
        for q in range(support.shape[0]):
            full[support[q]] = face_comps[r, q]
        out[r] = composition_rank(full, n, binom)
    return out


def face_payoffs(game: PopulationGame, support: tuple[int, ...]) -> np.ndarray:
    """``(k, C(N - 1 + k - 1, k - 1))``: the payoffs of the ``k`` strategies of ``support`` when every co-player
    plays one of them, by composition of the co-players over the support (composition order): the Bernstein
    coefficients of their expected payoffs on the face."""
    n, m = game.group_size - 1, game.num_strategies
    sup = np.array(support, dtype=np.int64)
    ranks = _face_ranks(compositions(n, sup.size), sup, m, n, binomial_table(n + m, m))
    return game.payoffs[np.ix_(sup, ranks)]


def group_jacobian(game: PopulationGame, x: Any) -> np.ndarray:
    r"""``(m, m)``: the Jacobian of the replicator field :math:`x_s (f_s - x \cdot f)` at ``x``, with the
    derivatives :math:`\partial_t f_s = (N - 1) \sum_{c} \binom{N-2}{c} x^c\, \pi_s(c + e_t)` of the
    expected payoffs (sums over the compositions of :math:`N - 2` co-players)."""
    xs = _state(game, x)
    f = group_fitness(game, xs)
    m = game.num_strategies
    lower, mult, up = derivative_tables(game.group_size - 1, m)
    df = bernstein_gradient(np.ascontiguousarray(game.payoffs), lower, mult, up, xs)  # (m, m): d f_s / d x_t
    phi = xs @ f
    dphi = f + xs @ df
    return np.diag(f - phi) + xs[:, None] * (df - dphi[None, :])


def _tangent_eigenvalues(game: PopulationGame, x: np.ndarray) -> np.ndarray:
    m = game.num_strategies
    basis = np.linalg.qr(np.eye(m)[:, 1:] - 1.0 / m)[0]  # orthonormal columns that sum to zero
    return np.linalg.eigvals(basis.T @ group_jacobian(game, x) @ basis)


def _rest_point(game: PopulationGame, x: np.ndarray, tol: float) -> GroupRestPoint:
    ev = _tangent_eigenvalues(game, x)
    field = float(np.abs(group_replicator_field(game, x)).max())
    return GroupRestPoint(x, classify(ev, tol), ev, field)


def _rest_points_by_face(game: PopulationGame) -> GroupRestPoints:
    """The rest points of ``m >= 3`` strategies, face by face (module docstring)."""
    from itertools import combinations

    m, n = game.num_strategies, game.group_size - 1
    spread = float(np.ptp(game.payoffs))
    tol_ev = 1e-8 * max(spread, 1e-300)
    points: list[GroupRestPoint] = []
    degenerate: list[tuple[int, ...]] = []
    skipped: list[tuple[int, ...]] = []

    def add(support: tuple[int, ...], shares: np.ndarray) -> None:
        x = np.zeros(m)
        x[list(support)] = shares
        points.append(_rest_point(game, x, tol_ev))

    for s in range(m):
        add((s,), np.ones(1))
    for k in range(2, m + 1):
        for support in combinations(range(m), k):
            pay = face_payoffs(game, support)
            diff = pay[1:] - pay[:1]
            at_stake = player_stake(float(pay.max()), float(pay.min()))
            zero_tol = REGRET_TOL * at_stake
            if k == 2:
                d = diff[0][::-1]  # by the number of co-players on support[0], 0..n
                if np.all(np.abs(d) <= zero_tol):
                    degenerate.append(support)
                    add(support, np.full(2, 0.5))
                    continue
                j = np.arange(n + 1)
                from scipy.stats import binom

                found: list[float] = []
                for r in interval_roots(d):
                    if any(abs(r - v) <= 1e-9 for v in found):
                        continue
                    if abs(float(binom.pmf(j, n, r) @ d)) <= zero_tol:
                        found.append(r)
                for r in found:
                    add(support, np.array([r, 1.0 - r]))
                continue
            if subdivision_work(n, k) > MAX_SUBDIVISION_WORK:
                skipped.append(support)
                continue
            zeros = simplex_zeros(diff, n, zero_tol)
            if zeros.degenerate:
                degenerate.append(support)
            for y in zeros.points:
                if zeros.degenerate or y.min() > 1e-9:
                    add(support, y)
    return GroupRestPoints(game.strategies, game.group_size, tuple(points), None, method="bernstein_subdivision",
                           degenerate=tuple(degenerate), skipped=tuple(skipped))
