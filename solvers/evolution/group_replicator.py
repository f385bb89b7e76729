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
from numba import njit

from coop.errors import InputError
from coop.games.population import PopulationGame
from coop.solvers.evolution.names import Dynamic

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
    """A rest point: ``state`` (shares), ``stability`` and the eigenvalue of the one-dimensional flow."""

    state: np.ndarray
    stability: str
    eigenvalues: np.ndarray
    field_norm: float


@dataclass(frozen=True, eq=False)
class GroupRestPoints:
    """Rest points of the replicator dynamic of one population of a 2-strategy group game.

    ``gradient_coefficients`` are the power-basis coefficients of :math:`g(p)` (lowest first).
    """

    strategies: tuple[str, ...]
    group_size: int
    points: tuple[GroupRestPoint, ...]
    gradient_coefficients: np.ndarray
    dynamic: Dynamic = "replicator"
    method: str = "gradient_roots"

    def to_dict(self) -> dict[str, Any]:
        return {
            "dynamic": self.dynamic,
            "method": self.method,
            "smooth": True,
            "parameters": {"group_size": self.group_size},
            "notes": ["one infinite population in groups of N: the roots of the gradient of selection"],
            "rest_points": [
                {"state": {"population": {s: float(v) for s, v in zip(self.strategies, p.state, strict=True)}},
                 "stability": p.stability,
                 "eigenvalues": [[float(e), 0.0] for e in p.eigenvalues],
                 "field_norm": p.field_norm}
                for p in self.points
            ],
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
    """Rest points of one population's replicator dynamic in a 2-strategy group game, with their stability.

    Examples
    --------
    The collective-risk dilemma at high risk has an unstable threshold and a stable coexistence point
    between the two monomorphic states (Santos and Pacheco 2011, Fig. 1):

    >>> from coop.games.population import collective_risk_dilemma
    >>> rp = group_rest_points(collective_risk_dilemma(group_size=6, threshold=3, cost=0.1, risk=0.9))
    >>> [(round(float(p.state[0]), 3), p.stability) for p in rp.points]
    [(0.0, 'stable'), (0.13, 'unstable'), (0.723, 'stable'), (1.0, 'unstable')]
    """
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
