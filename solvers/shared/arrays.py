"""Small Numba helpers over shapes shared by several kernels."""

from __future__ import annotations

import numpy as np

from coop.solvers.shared.jit import njit


@njit(cache=True)
def c_order_strides(shape):
    """Element strides of a C-ordered array of this shape (the last axis moves fastest)."""
    n = shape.shape[0]
    out = np.empty(n, dtype=np.int64)
    acc = 1
    for j in range(n - 1, -1, -1):
        out[j] = acc
        acc *= shape[j]
    return out


@njit(cache=True)
def advance_skipping(idx, limits, skip):
    """Step the multi-index ``idx`` (``idx[j] < limits[j]``, last axis fastest), leaving axis ``skip`` alone.

    Returns False once every combination has been visited (``idx`` is back to zeros).
    """
    j = idx.shape[0] - 1
    while j >= 0:
        if j != skip:
            idx[j] += 1
            if idx[j] < limits[j]:
                return True
            idx[j] = 0
        j -= 1
    return False
