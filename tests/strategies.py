"""Hypothesis strategies for random games (see STYLE.md, example 6).

Random payoffs are drawn from a small integer grid or from continuous values:
integer grids produce ties (degenerate games) often, continuous ones almost
never, so tests that need nondegenerate games use ``continuous=True``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from coop.games import NormalFormGame


@st.composite
def games(draw, n_players: int | tuple[int, int] = (2, 4), max_actions: int = 4,
          continuous: bool = True, max_profiles: int = 256) -> NormalFormGame:
    """A random N-player game with at most ``max_actions`` actions per player."""
    if isinstance(n_players, tuple):
        n = draw(st.integers(n_players[0], n_players[1]))
    else:
        n = n_players
    shape = []
    for _ in range(n):
        shape.append(draw(st.integers(1, max_actions)))
        while np.prod(shape) > max_profiles:
            shape[-1] -= 1
        shape[-1] = max(shape[-1], 1)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    size = (n, *shape)
    payoffs = rng.standard_normal(size) if continuous else rng.integers(-3, 4, size).astype(float)
    return NormalFormGame.from_payoffs(payoffs)


@st.composite
def bimatrix(draw, max_actions: int = 5, min_actions: int = 1, nondegenerate: bool = True) -> NormalFormGame:
    """A random 2-player game; ``nondegenerate=True`` uses continuous payoffs (degenerate with probability 0)."""
    m = draw(st.integers(min_actions, max_actions))
    n = draw(st.integers(min_actions, max_actions))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if nondegenerate:
        payoffs = rng.standard_normal((2, m, n))
    else:
        payoffs = rng.integers(0, 3, (2, m, n)).astype(float)
    return NormalFormGame.from_payoffs(payoffs)
