r"""Nash equilibria of a 2-player game by support enumeration.

In a nondegenerate game every equilibrium has supports of equal size
:math:`k` (von Stengel 2007, proposition 3.3). For each pair of supports
:math:`I` (row player) and :math:`J` (column player) with :math:`|I| = |J| = k`,
the column player's mix :math:`y` must make the row player indifferent over
:math:`I`, and the row player's mix :math:`x` the column player over :math:`J`:

.. math::

    \sum_{j \in J} A_{ij} y_j = v \ (i \in I), \quad \sum_{j \in J} y_j = 1, \qquad
    \sum_{i \in I} B_{ij} x_i = u \ (j \in J), \quad \sum_{i \in I} x_i = 1.

A pair of solutions with :math:`x, y \ge 0` whose supports' actions are best
responses (no action outside earns more) is an equilibrium. The kernel solves
each :math:`(k+1) \times (k+1)` system by Gaussian elimination with partial
pivoting.

Degeneracy check: whenever a solution :math:`x > 0` on :math:`I` exists, the
number of the column player's best responses to it is counted (and likewise
for :math:`y`). More than :math:`k` proves the game degenerate. A strategy
with support :math:`I` and more than :math:`k` best responses solves the
system of :math:`I` and any :math:`k` of them, so if no system had a continuum
of solutions (singular systems without any solution are harmless) and no
excess was found, the game is nondegenerate and the list is complete.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.bimatrix import check_two_player, positive_bimatrix, verified_bimatrix_equilibria
from coop.solvers.nash.methods import Guarantee
from coop.solvers.nash.results import NashResult, regret_tolerance
from coop.solvers.shared.jit import njit
from coop.solvers.shared.linalg import solve_inplace

#: Probabilities and payoff differences at most this (payoffs rescaled to [1, 2]) count as zero.
ZERO_TOL = 1e-10
#: Pivots at most this make an indifference system singular.
SINGULAR_TOL = 1e-12

#: Tolerances of the kernels: probabilities and payoff differences that count as zero, and singular pivots.
Tolerances = namedtuple("Tolerances", ["zero_tol", "sing_tol"])
#: Workspace of one indifference system: the bordered matrix ``M`` (``(k+1, k+1)`` used) and its right-hand side.
IndifferenceSystem = namedtuple("IndifferenceSystem", ["M", "rhs"])
#: :func:`_indifferent_mix`'s answer: status and the common payoff of the indifferent actions.
Mix = namedtuple("Mix", ["status", "value"])


@njit(cache=True)
def _next_combination(c, n):
    """Advance the sorted index array ``c`` to the next k-subset of ``range(n)``; False after the last."""
    k = c.shape[0]
    i = k - 1
    while i >= 0 and c[i] == n - k + i:
        i -= 1
    if i < 0:
        return False
    c[i] += 1
    for j in range(i + 1, k):
        c[j] = c[j - 1] + 1
    return True


@njit(cache=True)
def _indifferent_mix(U, rows, cols, k, transpose, system, out, tols):
    """Solve for the mix over ``cols`` that equalises ``U[rows, cols]`` (or ``U^T`` with ``transpose``).

    ``system`` is the :class:`IndifferenceSystem` workspace, ``tols`` the :class:`Tolerances`.
    Writes the mix (length ``k``) into ``out`` and returns a :class:`Mix` ``(status, value)``:
    status 0 solved with all weights >= -zero_tol, 1 a negative weight,
    2 singular system with a continuum of solutions, 3 singular system
    without solution.
    """
    M = system.M
    rhs = system.rhs
    for a in range(k):
        for b in range(k):
            if transpose:
                M[a, b] = U[cols[b], rows[a]]
            else:
                M[a, b] = U[rows[a], cols[b]]
        M[a, k] = -1.0
        M[k, a] = 1.0
        rhs[a] = 0.0
    M[k, k] = 0.0
    rhs[k] = 1.0
    solved = solve_inplace(M, rhs, k + 1, tols.sing_tol, 0.0)
    if solved != 0:
        return Mix(solved, 0.0)
    status = 0
    for b in range(k):
        out[b] = rhs[b]
        if rhs[b] < -tols.zero_tol:
            status = 1
    return Mix(status, rhs[k])


@njit(cache=True)
def _best_response_count(U, mix_idx, mix, k, transpose, zero_tol):
    """Number of pure best responses to ``mix`` (weights on ``mix_idx``), and the best value."""
    if transpose:
        count_n = U.shape[1]
    else:
        count_n = U.shape[0]
    best = -np.inf
    count = 0
    for a in range(count_n):
        v = 0.0
        for t in range(k):
            if transpose:
                v += U[mix_idx[t], a] * mix[t]
            else:
                v += U[a, mix_idx[t]] * mix[t]
        if v > best + zero_tol:
            best = v
            count = 1
        elif v >= best - zero_tol:
            count += 1
            if v > best:
                best = v
    return count, best


@njit(cache=True)
def _support_enumeration_kernel(A, B, zero_tol, sing_tol):
    """All equilibria with equal-size supports of the bimatrix game ``(A, B)`` (any payoffs).

    Returns
    -------
    X : float64[:, :]
        ``(k, m)`` row player's mixes.
    Y : float64[:, :]
        ``(k, n)`` column player's mixes.
    pairs : int64
        Support pairs examined.
    singular : int64
        Singular systems that have a continuum of solutions (singular systems
        without any solution cannot hide an equilibrium and are not counted).
    degenerate : bool
        Whether a strategy with more best responses than its support size was found.
    """
    m, n = A.shape
    kmax = min(m, n)
    cap = 16
    X = np.zeros((cap, m))
    Y = np.zeros((cap, n))
    found = 0
    pairs = 0
    singular = 0
    degenerate = False
    system = IndifferenceSystem(np.empty((kmax + 1, kmax + 1)), np.empty(kmax + 1))
    tols = Tolerances(zero_tol, sing_tol)
    xs = np.empty(kmax)
    ys = np.empty(kmax)
    for k in range(1, kmax + 1):
        rows = np.arange(k)
        while True:
            cols = np.arange(k)
            while True:
                pairs += 1
                # y over cols makes the row player indifferent over rows
                sy, v = _indifferent_mix(A, rows, cols, k, False, system, ys, tols)
                # x over rows makes the column player indifferent over cols
                sx, u = _indifferent_mix(B, cols, rows, k, True, system, xs, tols)
                if sy == 2:
                    singular += 1
                if sx == 2:
                    singular += 1
                ok = sy == 0 and sx == 0
                if sy == 0:
                    cy, besty = _best_response_count(A, cols, ys, k, False, zero_tol)
                    if cy > k and _all_positive(ys, k, zero_tol):
                        degenerate = True
                    if besty > v + zero_tol:
                        ok = False
                if sx == 0:
                    cx, bestx = _best_response_count(B, rows, xs, k, True, zero_tol)
                    if cx > k and _all_positive(xs, k, zero_tol):
                        degenerate = True
                    if bestx > u + zero_tol:
                        ok = False
                if ok:
                    if found == cap:
                        cap *= 2
                        X2 = np.zeros((cap, m))
                        X2[:found] = X[:found]
                        X = X2
                        Y2 = np.zeros((cap, n))
                        Y2[:found] = Y[:found]
                        Y = Y2
                    for t in range(k):
                        X[found, rows[t]] = max(xs[t], 0.0)
                        Y[found, cols[t]] = max(ys[t], 0.0)
                    found += 1
                if not _next_combination(cols, n):
                    break
            if not _next_combination(rows, m):
                break
    return X[:found].copy(), Y[:found].copy(), pairs, singular, degenerate


@njit(cache=True)
def _all_positive(v, k, zero_tol):
    for t in range(k):
        if v[t] <= zero_tol:
            return False
    return True


def support_enumeration(game: NormalFormGame, tol: float | None = None) -> NashResult:
    """Find the Nash equilibria of a 2-player game by enumerating pairs of equal-size supports.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game. The work grows like ``sum_k C(m, k) C(n, k)``
        (``C(2n, n)`` for an ``n x n`` game), so this suits games up to
        about 12 actions a player.
    tol : float, optional
        Relative regret tolerance for the verification (each player's regret at most this times
        their stake; default ``1e-9``).

    Returns
    -------
    NashResult
        For a nondegenerate game ``guarantee="all"`` and ``degenerate=False``.
        When degeneracy is proved (a strategy with more pure best responses
        than its support size) ``degenerate=True`` and ``guarantee="some"``:
        equilibria with unequal supports or in continua can be missed, and
        :func:`~coop.solvers.nash.vertex_enumeration.vertex_enumeration` is the
        method to use. ``degenerate=None`` when singular systems left the
        question open.

    Examples
    --------
    Matching pennies has one equilibrium, both players mixing evenly:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> res = support_enumeration(NormalFormGame.from_bimatrix(A, -A))
    >>> [s.tolist() for s in res.equilibria[0].strategies], res.guarantee
    ([[0.5, 0.5], [0.5, 0.5]], 'all')

    References
    ----------
    B. von Stengel (2007), "Equilibrium computation for two-player games in
    strategic and extensive form", in *Algorithmic Game Theory*, ch. 3, section 3.3.
    """
    check_two_player(game, "support_enumeration")
    tol = regret_tolerance(game, tol)
    A, B = positive_bimatrix(game)
    X, Y, pairs, singular, degenerate = _support_enumeration_kernel(A, B, ZERO_TOL, SINGULAR_TOL)
    equilibria, rejected = verified_bimatrix_equilibria(game, X, Y, tol)
    notes = []
    if degenerate:
        deg: bool | None = True
        guarantee: Guarantee = "some"
        notes.append(
            "the game is degenerate (a strategy has more pure best responses than its support "
            "size): support enumeration can miss equilibria with unequal supports and only finds "
            "isolated points of continua; use vertex_enumeration for all extreme equilibria"
        )
    elif singular:
        deg = None
        guarantee = "some"
        notes.append(
            f"{singular} indifference systems had a continuum of solutions and were skipped, so degeneracy "
            "could not be ruled out; vertex_enumeration finds every extreme equilibrium in any case"
        )
    else:
        deg = False
        guarantee = "all"
    if rejected:
        notes.append(f"{rejected} candidates were not equilibria within the tolerance and were dropped")
    return NashResult(
        game=game,
        method="support_enumeration",
        equilibria=equilibria,
        guarantee=guarantee,
        degenerate=deg,
        tol=tol,
        converged=True,
        num_iter=int(pairs),
        rejected=rejected,
        parameters={},
        notes=tuple(notes),
    )
