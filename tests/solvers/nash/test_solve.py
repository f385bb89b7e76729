"""The dispatcher behind `coop solve`: which method it picks and what it promises."""

from __future__ import annotations

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.nash import solve as solve_module
from coop.solvers.nash.solve import choose_method, solve_game
from tests import textbook_games as tg


def random_game(shape, seed=0, integer=False):
    rng = np.random.default_rng(seed)
    size = (len(shape), *shape)
    return NormalFormGame.from_payoffs(rng.integers(0, 4, size).astype(float) if integer else rng.standard_normal(size))


@pytest.mark.parametrize(
    "shape, expected",
    [
        pytest.param((4,), "pure", id="one_player"),
        pytest.param((3, 3), "vertex", id="2p_small"),
        pytest.param((30, 30), "vertex", id="2p_medium_budgeted"),
        pytest.param((500, 3), "lemke-howson", id="2p_huge"),
        pytest.param((3, 3, 3), "polynomial", id="3p_small"),
        pytest.param((2, 2, 2, 2), "polynomial", id="4p_small"),
        pytest.param((10, 10, 10), "search", id="3p_large"),
    ],
)
def test_choose_method(shape, expected):
    game = NormalFormGame.from_payoffs(np.zeros((len(shape), *shape)))
    assert choose_method(game) == expected


def test_small_bimatrix_is_complete():
    sol = solve_game(tg.battle_of_the_sexes())
    assert sol.complete and sol.guarantee == "all"
    assert len(sol.equilibria) == 3
    assert [e.is_pure for e in sol.equilibria] == [True, True, False]


def test_vertex_budget_falls_back_to_lemke_howson(monkeypatch):
    game = random_game((9, 9), seed=3)
    full = solve_game(game)
    assert full.complete
    monkeypatch.setattr(solve_module, "AUTO_MAX_BASES", 5)
    partial = solve_game(game)
    assert not partial.complete
    assert partial.guarantee == "some"
    assert "budget" in partial.summary
    assert len(partial.equilibria) >= 1
    # whatever was found is a subset of the full enumeration, and every pure equilibrium is kept
    full_flat = [np.concatenate(e.strategies) for e in full.equilibria]
    for eq in partial.equilibria:
        assert eq.max_regret <= partial.pure.tol
        assert any(np.allclose(np.concatenate(eq.strategies), f, atol=1e-7) for f in full_flat)
    assert sum(e.is_pure for e in partial.equilibria) == sum(e.is_pure for e in full.equilibria)


def test_large_three_player_game_reports_pure_plus_search():
    game = random_game((8, 8, 8), seed=1, integer=True)
    sol = solve_game(game)
    assert not sol.complete
    assert sol.summary.startswith("every pure-strategy equilibrium")
    assert len(sol.equilibria) >= len(sol.pure.equilibria)
    for eq in sol.equilibria:
        assert game.max_regret(eq.strategies) <= sol.pure.tol


def test_one_player_game():
    game = NormalFormGame.from_payoffs(np.array([[1.0, 3.0, 2.0]]))
    sol = solve_game(game)
    assert sol.complete
    assert [e.support(0) for e in sol.equilibria] == [(1,)]


@pytest.mark.parametrize("method", ["vertex", "support", "lemke-howson"])
def test_two_player_methods_reject_three_players(method):
    with pytest.raises(InputError, match="2-player"):
        solve_game(tg.three_player_matching_pennies(), method=method)


def test_unknown_method():
    with pytest.raises(InputError, match="unknown method"):
        solve_game(tg.stag_hunt(), method="magic")


def test_degenerate_game_is_reported():
    # duplicated column: a continuum of equilibria; Gambit lists the extreme ones
    A = np.array([[1.0, 1.0], [0.0, 0.0]])
    B = np.array([[1.0, 1.0], [1.0, 1.0]])
    sol = solve_game(NormalFormGame.from_bimatrix(A, B))
    assert sol.degenerate is True
    assert "degenerate" in sol.summary
    assert sol.guarantee == "all_extreme"
