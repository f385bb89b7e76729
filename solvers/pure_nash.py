r"""All pure-strategy Nash equilibria of an N-player game.

A pure profile :math:`s` is a Nash equilibrium when no player gains by a
unilateral change of action:

.. math:: u_i(s) \ge \max_{t_i} u_i(t_i, s_{-i}) - \text{tol} \quad \text{for every player } i.

The kernel finds player 0's best responses with contiguous passes over
player 0's payoffs, then checks only those candidate profiles for the other
players, dropping a candidate at the first player who would deviate. Memory
traffic stays close to one read of the payoff data, which is what makes games
with millions of profiles (3 players x 100 actions) quick.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from coop.games.normal_form import NormalFormGame
from coop.solvers.results import Equilibrium, NashResult, regret_tolerance


@njit(cache=True)
def _pure_nash_kernel(flat_payoffs, shape, tol):
    """Flat indices of the pure Nash equilibria.

    Parameters
    ----------
    flat_payoffs : float64[:, :]
        ``(N, prod(shape))``: each player's payoff array flattened in C order.
    shape : int64[:]
        Number of actions of each player.
    tol : float64
        A best response may fall short of the best value on its line by at most ``tol``.

    Returns
    -------
    int64[:]
        Flat (C-order) indices of the equilibrium profiles, ascending.

    Notes
    -----
    Player 0's array is scanned in full, row by row (its own axis is the
    slowest, so each row is a contiguous block and the running maximum
    vectorises). Only the profiles where player 0 best-responds (about one in
    ``a_0``) stay candidates. For each other player, a candidate is dropped
    unless it reaches the maximum of its line along that player's axis; the
    maxima come either from the candidates' own lines or, when those are
    strided and many, from one contiguous pass over that player's array,
    whichever touches fewer cache lines.
    """
    n = shape.shape[0]
    total = flat_payoffs.shape[1]
    strides = np.empty(n, dtype=np.int64)
    s = 1
    for j in range(n - 1, -1, -1):
        strides[j] = s
        s *= shape[j]
    a0 = shape[0]
    post = total // a0
    u0 = flat_payoffs[0]
    best = u0[:post].copy()
    for k in range(1, a0):
        row = k * post
        for q in range(post):
            best[q] = max(best[q], u0[row + q])
    for q in range(post):
        best[q] -= tol
    # count, then fill: growing an array inside this loop would cost Numba a reference count per element
    count = 0
    for k in range(a0):
        row = k * post
        for q in range(post):
            count += u0[row + q] >= best[q]
    cand = np.empty(count, dtype=np.int64)
    c = 0
    for k in range(a0):
        row = k * post
        for q in range(post):
            if u0[row + q] >= best[q]:
                cand[c] = row + q
                c += 1
    for i in range(1, n):
        if count == 0:
            break
        ui = flat_payoffs[i]
        st = strides[i]
        ai = shape[i]
        # cache lines touched: one per value on strided lines, one per 8 values on contiguous ones
        line_cost = count * ai if st >= 8 else count * ((ai * st + 7) // 8)
        if line_cost > total // 8:
            count = _filter_by_scan(ui, cand, count, st, ai, total, tol)
        else:
            count = _filter_by_lines(ui, cand, count, st, ai, tol)
    return np.sort(cand[:count])


@njit(cache=True)
def _filter_by_lines(ui, cand, count, st, ai, tol):
    """Keep candidates that reach the maximum of their own line (stride ``st``, length ``ai``)."""
    kept = 0
    for r in range(count):
        f = cand[r]
        base = f - ((f // st) % ai) * st
        m = ui[base]
        for k in range(1, ai):
            v = ui[base + k * st]
            if v > m:
                m = v
        if ui[f] >= m - tol:
            cand[kept] = f
            kept += 1
    return kept


@njit(cache=True)
def _filter_by_scan(ui, cand, count, st, ai, total, tol):
    """Same as ``_filter_by_lines`` but computes every line maximum in one contiguous pass."""
    block = st * ai
    pre = total // block
    best = np.empty(pre * st)
    for p in range(pre):
        b = p * st
        base = p * block
        for q in range(st):
            best[b + q] = ui[base + q]
        for k in range(1, ai):
            row = base + k * st
            for q in range(st):
                best[b + q] = max(best[b + q], ui[row + q])
    kept = 0
    for r in range(count):
        f = cand[r]
        p = f // block
        q = f % st
        if ui[f] >= best[p * st + q] - tol:
            cand[kept] = f
            kept += 1
    return kept


def pure_nash_equilibria(game: NormalFormGame, tol: float | None = None) -> NashResult:
    """Find every pure-strategy Nash equilibrium of an N-player game.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game.
    tol : float, optional
        Absolute regret tolerance; by default ``1e-9`` times the payoff spread,
        so exact ties in the payoffs count as best responses.

    Returns
    -------
    NashResult
        ``guarantee="all_pure"``; equilibria in the order of their flat index
        (the first player's action changes slowest).

    Examples
    --------
    The prisoner's dilemma has one pure equilibrium, mutual defection:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> res = pure_nash_equilibria(pd)
    >>> [eq.support(0) + eq.support(1) for eq in res.equilibria]
    [(1, 1)]
    """
    tol = regret_tolerance(game, tol)
    rows = pure_nash_indices(game, tol)
    equilibria = []
    rejected = 0
    for row, payoffs, regret in zip(rows, *_pure_payoffs_and_regrets(game, rows), strict=False):
        if regret > tol:  # the kernel and the independent check disagree: never report it
            rejected += 1
            continue
        strategies = game.pure_profile(row)
        for s in strategies:
            s.setflags(write=False)
        payoffs.setflags(write=False)
        equilibria.append(Equilibrium(strategies, payoffs, float(regret)))
    return NashResult(
        game=game,
        method="pure_enumeration",
        equilibria=tuple(equilibria),
        guarantee="all_pure",
        degenerate=None,
        tol=tol,
        num_iter=game.num_profiles,
        rejected=rejected,
        parameters={},
    )


def _pure_payoffs_and_regrets(game: NormalFormGame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Payoff vectors ``(k, N)`` and max regrets ``(k,)`` of pure profiles, checked independently of the kernel."""
    n = game.num_players
    payoffs = np.empty((len(rows), n))
    regrets = np.zeros(len(rows))
    if len(rows) == 0:
        return payoffs, regrets
    for i in range(n):
        u = game.payoffs[i]
        own = u[tuple(rows.T)]
        best = u.max(axis=i)[tuple(np.delete(rows, i, axis=1).T)]
        payoffs[:, i] = own
        regrets = np.maximum(regrets, best - own)
    return payoffs, regrets


def pure_nash_indices(game: NormalFormGame, tol: float | None = None) -> np.ndarray:
    """Action-index rows ``(k, N)`` of all pure equilibria, without building result objects (for large games)."""
    tol = regret_tolerance(game, tol)
    flat = game.payoffs.reshape(game.num_players, -1)
    idx = _pure_nash_kernel(flat, np.array(game.num_actions, dtype=np.int64), tol)
    return np.array(np.unravel_index(idx, game.num_actions), dtype=np.int64).T.reshape(-1, game.num_players)
