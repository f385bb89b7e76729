"""The random numbers of the simulation kernels: SplitMix64, seeded from the caller's seed.

SplitMix64 (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number generators", OOPSLA)
is a small, fast generator that passes BigCrush. Each kernel carries its own 64-bit state
(``state[0]``, a uint64 array of length one), so its results depend on the seed only, not on
Numba's global generator or on other kernels run before it.
"""

from __future__ import annotations

import numpy as np

from coop.solvers.shared.jit import njit


@njit(cache=True)
def uniform(state):
    """A uniform draw in [0, 1) from the SplitMix64 generator whose state is ``state[0]`` (advanced in place)."""
    z = state[0] + np.uint64(0x9E3779B97F4A7C15)
    state[0] = z
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return np.float64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def index_from_uniform(probs, k, u):
    """The index ``s < k`` with ``probs[0] + ... + probs[s-1] <= u < probs[0] + ... + probs[s]`` (the first
    ``k`` entries of ``probs`` sum to one; rounding sends the rest to ``k - 1``)."""
    c = 0.0
    for s in range(k - 1):
        c += probs[s]
        if u < c:
            return s
    return k - 1
