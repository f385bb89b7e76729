"""The order in which coop reports equilibria, as one compiled rule.

Pure profiles come first; then every profile by its probabilities in reading
order (the strategies concatenated), larger weight on earlier actions first,
compared after rounding to 9 decimals so that rounding noise does not reorder;
ties keep their order. :func:`coop.solvers.nash.results.canonical_order` calls it
from Python and the 2-player verification kernels call it in compiled code.
"""

from __future__ import annotations

import numpy as np

from coop.solvers.shared.jit import njit


@njit(cache=True, inline="always")
def _comes_before(keys, pure, a, b):
    """Whether row ``a`` goes strictly before row ``b``."""
    if pure[a] != pure[b]:
        return pure[a]
    for c in range(keys.shape[1]):
        if keys[a, c] != keys[b, c]:
            return keys[a, c] > keys[b, c]
    return False


@njit(cache=True)
def canonical_order_kernel(flat, pure):
    """Indices that sort the rows of ``flat`` (``(k, d)`` float64) with flags ``pure`` (``(k,)`` bool).

    A stable insertion sort: the lists are short (one row per equilibrium).
    """
    k, d = flat.shape
    keys = np.empty((k, d))
    for r in range(k):
        for c in range(d):
            keys[r, c] = np.round(flat[r, c], 9)
    order = np.arange(k)
    for a in range(1, k):
        cur = order[a]
        b = a - 1
        while b >= 0 and _comes_before(keys, pure, cur, order[b]):
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = cur
    return order
