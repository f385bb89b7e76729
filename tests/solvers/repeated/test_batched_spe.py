"""Batched subgame perfection equals check_subgame_perfect point by point."""

from __future__ import annotations

import numpy as np
import pytest

from coop.games import NormalFormGame
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.batched_spe import batched_subgame_perfect
from coop.solvers.repeated.subgame_perfection import check_subgame_perfect, critical_discount_factor


@pytest.mark.parametrize("noise", [0.0, 0.05])
@pytest.mark.parametrize("profile", ["grim_trigger", "tit_for_tat", "win_stay_lose_shift", "always_defect"])
def test_equal_to_the_single_check(profile, noise):
    rng = np.random.default_rng(11)
    count = 150
    payoffs = rng.integers(0, 6, size=(count, 2, 2, 2)).astype(float)  # ties
    payoffs[count // 2:] = rng.standard_normal((count - count // 2, 2, 2, 2))
    deltas = rng.uniform(0.0, 0.999, count)
    deltas[:10] = 0.0
    for p in range(10, 30):  # right at the critical discount factor, where rounding decides
        g = RepeatedGame(NormalFormGame.from_payoffs(payoffs[p]), None, (0, 0), (1, 1), noise)
        crit = critical_discount_factor(g, g.profile(profile)).overall
        if crit is not None and 0.0 < crit < 0.999:
            deltas[p] = crit + (1e-9 if p % 2 else -1e-9)
    fast = batched_subgame_perfect(payoffs, deltas, profile, (0, 0), (1, 1), noise=noise)
    for p in range(count):
        g = RepeatedGame(NormalFormGame.from_payoffs(payoffs[p]), float(deltas[p]), (0, 0), (1, 1), noise)
        assert bool(fast[p]) == check_subgame_perfect(g, g.profile(profile)).is_spe, (payoffs[p], deltas[p])


def test_grim_trigger_threshold_and_bad_input():
    pd = np.array([[[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]]])
    assert batched_subgame_perfect(np.stack([pd] * 3), [0.49, 0.5, 0.51], "grim_trigger", (0, 0), (1, 1)).tolist() \
        == [False, True, True]
    from coop.errors import InputError

    with pytest.raises(InputError, match="every delta in"):
        batched_subgame_perfect(pd[None], [1.0], "grim_trigger", (0, 0), (1, 1))
