"""One battery over every registered equilibrium solver (after Axelrod's TestPlayer contract tests).

Each solver, on each game it accepts: deterministic, leaves its input alone, returns strategies on
the simplex with regret within the tolerance, says what it guarantees, and serialises to JSON.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from coop.games import NormalFormGame
from coop.solvers.nash.methods import METHOD_HELP, METHODS
from coop.solvers.nash.pure_nash import pure_nash_equilibria
from coop.solvers.nash.results import NashResult
from coop.solvers.nash.solve import _mixed_solver
from tests import textbook_games as tg

SOLVERS = {m: (pure_nash_equilibria if m == "pure" else _mixed_solver(m)) for m in METHODS if m != "auto"}
TWO_PLAYER_ONLY = {"vertex", "support", "lemke-howson"}

GAMES = {
    "battle_of_the_sexes": tg.battle_of_the_sexes,
    "rock_paper_scissors": tg.rock_paper_scissors,
    "von_stengel_3x2": tg.von_stengel_3x2,
    "three_player_matching_pennies": tg.three_player_matching_pennies,
    "random_3x2x2": lambda: NormalFormGame.from_payoffs(np.random.default_rng(11).standard_normal((3, 3, 2, 2))),
    "integer_ties_3x3": lambda: NormalFormGame.from_payoffs(
        np.random.default_rng(4).integers(0, 2, (2, 3, 3)).astype(float)
    ),
}

CASES = [
    pytest.param(method, game, id=f"{method}-{game}")
    for method in SOLVERS
    for game in GAMES
    if not (method in TWO_PLAYER_ONLY and GAMES[game]().num_players != 2)
]


def test_every_method_is_documented_and_registered():
    assert set(METHOD_HELP) == set(METHODS)
    for method, solver in SOLVERS.items():
        assert solver.__doc__, method


@pytest.mark.parametrize("method, game_name", CASES)
def test_solver_contract(method, game_name):
    game = GAMES[game_name]()
    before = game.payoffs.copy()
    solver = SOLVERS[method]
    first = solver(game)
    second = solver(game)
    assert isinstance(first, NashResult)
    np.testing.assert_array_equal(game.payoffs, before)
    assert first.guarantee in {"all", "all_extreme", "all_pure", "some"}
    assert len(first.equilibria) == len(second.equilibria)
    for a, b in zip(first.equilibria, second.equilibria, strict=True):
        for sa, sb in zip(a.strategies, b.strategies, strict=True):
            np.testing.assert_array_equal(sa, sb)
    for eq in first.equilibria:
        for i, s in enumerate(eq.strategies):
            assert s.shape == (game.num_actions[i],)
            assert s.min() >= 0.0
            assert s.sum() == pytest.approx(1.0, abs=1e-12)
        assert eq.max_regret <= first.tol
        assert game.max_regret(eq.strategies) <= first.tol
    if first.guarantee in {"all", "all_extreme"} or method in {"lemke-howson", "search", "simplicial"}:
        assert first.equilibria, "every finite game has an equilibrium"
    json.dumps(first.to_dict(), allow_nan=False)
