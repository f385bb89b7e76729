"""Iterated strict dominance of many games where every player has two actions, in one compiled call.

With two actions a mixed strategy strictly dominates an action only when the
other action does (:math:`p\\,u(a) + (1-p)\\,u(b) > u(a)` everywhere means
:math:`u(b) > u(a)` everywhere), so the elimination needs pure comparisons only.
Each round removes every dominated action of every player at once (the order
does not matter for strict dominance), with the same rule as
:func:`coop.solvers.nash.dominance.iterated_dominance`: an action is dominated
when the other beats it by more than the tolerance against every remaining
profile of the others.
"""

from __future__ import annotations

import numpy as np

from coop.errors import InputError
from coop.solvers.shared.jit import njit


@njit(cache=True)
def _dominance_kernel(payoffs, tol, solvable):
    """``payoffs``: ``(P, N, 2**N)`` (each game's payoff arrays flattened in C order); ``tol``: ``(P,)``."""
    count, n, m = payoffs.shape
    alive = np.empty((n, 2), dtype=np.bool_)
    removed = np.empty((n, 2), dtype=np.bool_)
    for p in range(count):
        alive[:, :] = True
        for _ in range(n + 1):
            any_removed = False
            for i in range(n):
                removed[i, 0] = False
                removed[i, 1] = False
                if not (alive[i, 0] and alive[i, 1]):
                    continue
                bit = n - 1 - i  # player i's action is bit (n - 1 - i) of the C-order profile index
                for a in range(2):
                    margin = np.inf
                    for idx in range(m):
                        if (idx >> bit) & 1 != a:
                            continue
                        live = True
                        for j in range(n):
                            if j != i and not alive[j, (idx >> (n - 1 - j)) & 1]:
                                live = False
                                break
                        if live:
                            other = idx ^ (1 << bit)
                            d = payoffs[p, i, other] - payoffs[p, i, idx]
                            if d < margin:
                                margin = d
                    if margin > tol[p]:
                        removed[i, a] = True
                        any_removed = True
            if not any_removed:
                break
            for i in range(n):
                for a in range(2):
                    if removed[i, a]:
                        alive[i, a] = False
        ok = True
        for i in range(n):
            if alive[i, 0] and alive[i, 1]:
                ok = False
        solvable[p] = ok


def batched_dominance_solvable(payoffs: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Whether iterated strict dominance leaves one profile, for each game of a batch.

    Parameters
    ----------
    payoffs : numpy.ndarray
        ``(P, N, 2, ..., 2)``: ``P`` games of ``N`` players with two actions each.
    tol : numpy.ndarray
        ``(P,)``: the margin an action must be beaten by (per game).

    Returns
    -------
    numpy.ndarray
        ``(P,)`` bool.

    Examples
    --------
    >>> pd = np.array([[[[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]]]])  # a prisoner's dilemma
    >>> sh = np.array([[[[4.0, 0.0], [3.0, 2.0]], [[4.0, 3.0], [0.0, 2.0]]]])  # a stag hunt
    >>> batched_dominance_solvable(np.concatenate([pd, sh]), np.array([1e-9, 1e-9])).tolist()
    [True, False]
    """
    u = np.ascontiguousarray(payoffs, dtype=np.float64)
    if u.ndim < 3 or u.shape[1] != u.ndim - 2 or any(a != 2 for a in u.shape[2:]):
        raise InputError(f"expected payoffs of shape (P, N, 2, ..., 2), got {u.shape}")
    t = np.ascontiguousarray(tol, dtype=np.float64).reshape(-1)
    if t.shape[0] != u.shape[0]:
        raise InputError(f"expected one tolerance per game ({u.shape[0]}), got {t.shape[0]}")
    out = np.empty(u.shape[0], dtype=np.bool_)
    _dominance_kernel(u.reshape(u.shape[0], u.shape[1], -1), t, out)
    return out
