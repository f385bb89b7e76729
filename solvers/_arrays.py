"""Small Numba helpers over shapes shared by several kernels."""

from __future__ import annotations

import numpy as np
from numba import njit


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
