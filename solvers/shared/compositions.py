r"""Compositions of an integer: enumeration, ranking and the binomial table they need.

A *composition* of ``total`` into ``m`` parts is a vector of ``m`` counts
:math:`x_s \ge 0` with :math:`\sum_s x_s` = ``total``; there are
:math:`\binom{total + m - 1}{m - 1}` of them. They number the states of a finite
population (counts per strategy) and the co-player groups of a
:class:`coop.games.population.PopulationGame`. The order is EGTtools'
``sample_simplex``: lexicographic with the first count decreasing,
``(T, 0, 0), (T-1, 1, 0), (T-1, 0, 1), (T-2, 2, 0), ...``.

>>> compositions(2, 3).tolist()
[[2, 0, 0], [1, 1, 0], [1, 0, 1], [0, 2, 0], [0, 1, 1], [0, 0, 2]]
>>> import numpy as np
>>> int(composition_rank(np.array([0, 1, 1]), 2, binomial_table(5, 3)))
4
"""

from __future__ import annotations

import numpy as np

from coop.solvers.shared.jit import njit


@njit(cache=True)
def binomial_table(n_max, k_max):
    """Exact binomial coefficients ``table[n, k]`` for ``n <= n_max``, ``k <= k_max`` (float64 Pascal triangle)."""
    table = np.zeros((n_max + 1, k_max + 1))
    for n in range(n_max + 1):
        table[n, 0] = 1.0
        for k in range(1, min(n, k_max) + 1):
            table[n, k] = table[n - 1, k - 1] + table[n - 1, k]
    return table


@njit(cache=True)
def compositions(total, m):
    """Every composition of ``total`` into ``m`` counts, ``(C(total+m-1, m-1), m)``, in ``sample_simplex`` order."""
    count = 1
    for k in range(1, m):
        count = count * (total + k) // k
    out = np.zeros((count, m), dtype=np.int64)
    x = np.zeros(m, dtype=np.int64)
    x[0] = total
    for r in range(count):
        out[r] = x
        # next: the rightmost nonzero count before the last moves one unit right, the tail collapses onto it
        p = m - 2
        while p >= 0 and x[p] == 0:
            p -= 1
        if p < 0:
            break
        tail = 0
        for q in range(p + 1, m):
            tail += x[q]
            x[q] = 0
        x[p] -= 1
        x[p + 1] = tail + 1
    return out


@njit(cache=True)
def composition_rank(x, total, binom):
    """Index of the composition ``x`` of ``total`` in ``sample_simplex`` order.

    ``binom`` is a :func:`binomial_table` with ``n_max >= total + m - 2`` and ``k_max >= m - 1``.
    Compositions sharing the prefix ``x[:p]`` with a larger ``p``-th count come first; there are
    ``C(R_p - x_p + m-p-2, m-p-1)`` of them, ``R_p`` the total left for positions ``p..m-1``.
    """
    m = x.shape[0]
    idx = 0
    rem = total
    for p in range(m - 1):
        idx += np.int64(binom[rem - x[p] + m - p - 2, m - p - 1])
        rem -= x[p]
    return idx


@njit(cache=True)
def edge_table(m, n_co, binom):
    """``edge[a, b, j]``: index of the composition of ``n_co`` into ``m`` parts with ``j`` at ``a`` and
    ``n_co - j`` at ``b`` (all of it at ``a`` when ``a == b``)."""
    edge = np.zeros((m, m, n_co + 1), dtype=np.int64)
    c = np.zeros(m, dtype=np.int64)
    for a in range(m):
        for b in range(m):
            for j in range(n_co + 1):
                c[:] = 0
                c[a] += j
                c[b] += n_co - j
                edge[a, b, j] = composition_rank(c, n_co, binom)
    return edge
