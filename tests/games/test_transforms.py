"""Payoff transforms: relative gains against a hand computation and its invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.transforms import relative_gains
from tests.strategies import games
from tests.textbook_games import prisoners_dilemma, stag_hunt


def test_two_player_hand_computation():
    # Stag hunt [[4, 0], [3, 2]]: at (Hare, Stag) Row gets 3 and Column 0.
    g = relative_gains(stag_hunt(), 0.5)
    assert g.payoffs[0][1, 0] == 3 + 0.5 * (3 - 0)
    assert g.payoffs[1][1, 0] == 0 + 0.5 * (0 - 3)
    assert g.payoffs[0][0, 0] == 4.0 and g.payoffs[1][1, 1] == 2.0  # equal payoffs unchanged
    assert g.players == stag_hunt().players and g.actions == stag_hunt().actions
    assert g.title == "Stag hunt"


def test_three_player_hand_computation():
    u = np.zeros((3, 1, 1, 2))
    u[:, 0, 0, 0] = [6.0, 2.0, 4.0]
    u[:, 0, 0, 1] = [1.0, 1.0, 1.0]
    g = relative_gains(NormalFormGame.from_payoffs(u), 2.0)
    # player 0: 6 + 2 * (6 - (2 + 4) / 2) = 12; player 1: 2 + 2 * (2 - 5) = -4; player 2: 4 + 2 * (4 - 4) = 4
    np.testing.assert_allclose(g.payoffs[:, 0, 0, 0], [12.0, -4.0, 4.0])
    np.testing.assert_allclose(g.payoffs[:, 0, 0, 1], [1.0, 1.0, 1.0])


def test_weight_zero_is_identity():
    pd = prisoners_dilemma()
    np.testing.assert_array_equal(relative_gains(pd, 0).payoffs, pd.payoffs)


@pytest.mark.parametrize(
    "weight, message",
    [
        pytest.param(-0.1, ">= 0", id="negative"),
        pytest.param(float("nan"), "finite", id="nan"),
        pytest.param(float("inf"), "finite", id="inf"),
        pytest.param("a", "must be a number", id="text"),
    ],
)
def test_invalid_weights(weight, message):
    with pytest.raises(InputError, match=message):
        relative_gains(stag_hunt(), weight)


def test_one_player_refused():
    with pytest.raises(InputError, match="at least two players"):
        relative_gains(NormalFormGame.from_payoffs(np.ones((1, 3))), 1.0)


@settings(deadline=None, max_examples=30)
@given(games(n_players=(2, 3), max_actions=3), st.floats(0, 10))
def test_invariants(game, w):
    """The payoff sum at each profile is unchanged; the gap between two players grows by 1 + w N / (N - 1)."""
    g = relative_gains(game, w)
    n = game.num_players
    np.testing.assert_allclose(
        g.payoffs.sum(axis=0), game.payoffs.sum(axis=0), atol=1e-8 * (1 + w) * game.payoff_scale * n
    )
    factor = 1 + w * n / (n - 1)
    np.testing.assert_allclose(
        g.payoffs[0] - g.payoffs[1],
        factor * (game.payoffs[0] - game.payoffs[1]),
        atol=1e-8 * factor * game.payoff_scale,
    )
