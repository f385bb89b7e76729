"""The dispatcher behind `coop solve`: which method it picks and what it promises."""

from __future__ import annotations

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.nash import solve as solve_module
from coop.solvers.nash.solve import choose_method, solve_game
from tests import regret
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
        assert eq.relative_regret <= partial.pure.tol
        assert any(np.allclose(np.concatenate(eq.strategies), f, atol=1e-7) for f in full_flat)
    assert sum(e.is_pure for e in partial.equilibria) == sum(e.is_pure for e in full.equilibria)


def test_large_three_player_game_reports_pure_plus_search():
    game = random_game((8, 8, 8), seed=1, integer=True)
    sol = solve_game(game)
    assert not sol.complete
    assert sol.summary.startswith("every pure-strategy equilibrium")
    assert len(sol.equilibria) >= len(sol.pure.equilibria)
    for eq in sol.equilibria:
        assert regret.is_equilibrium(game, eq.strategies, sol.pure.tol)


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


# ----------------------------------------------------------------------------- the regret check is per player
def _profiles(sol) -> list[np.ndarray]:
    return [np.concatenate(e.strategies) for e in sol.equilibria]


@pytest.mark.parametrize(
    "row, col, expected",
    [
        # b beats a by at least 2 for the row player, whatever the 1e10 elsewhere: (b, c) only
        pytest.param([[1, 2], [3, 1e10]], [[4, 3], [2, 1]], [(1, 0)], id="one_large_own_payoff"),
        pytest.param([[1, 2], [3, 1.0e308]], [[4, 3], [2, 1]], [(1, 0)], id="payoff_near_the_float_limit"),
        # the column player's 1e10 must not hide its regret of 1 at (b, c): (b, d) only
        pytest.param([[1, 2], [3, 4]], [[1e10, 0], [0, 1]], [(1, 1)], id="large_payoff_of_the_other_player"),
    ],
)
def test_one_large_payoff_never_lets_a_non_equilibrium_pass(row, col, expected):
    game = NormalFormGame.from_bimatrix(np.array(row, float), np.array(col, float))
    sol = solve_game(game)
    assert [(e.support(0)[0], e.support(1)[0]) for e in sol.equilibria] == expected
    for e in sol.equilibria:
        assert regret.is_equilibrium(game, e.strategies)
    assert any(el.action == game.actions[0][0] or el.action == game.actions[1][0]
               for el in sol.dominance.eliminations)


def test_matching_pennies_near_the_float_limit():
    # the unit payoffs are exact powers-of-two rescalings, so nothing overflows: the mixed equilibrium is found
    big = 1.0e308
    game = NormalFormGame.from_bimatrix(np.array([[big, -big], [-big, big]]), np.array([[-big, big], [big, -big]]))
    sol = solve_game(game)
    assert sol.complete and len(sol.equilibria) == 1
    np.testing.assert_allclose(_profiles(sol)[0], [0.5, 0.5, 0.5, 0.5])
    assert np.all(np.isfinite(sol.equilibria[0].payoffs)) and sol.equilibria[0].relative_regret <= 1e-9


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (4, 3), (2, 2, 2), (3, 2, 2)])
@pytest.mark.parametrize("factor", [1e-10, 1e10])
@pytest.mark.parametrize("integer", [False, True])
def test_scaling_one_players_payoffs_changes_no_equilibrium(shape, factor, integer):
    # equilibria are invariant under a positive rescaling of one player's payoffs; so must coop's answers be
    for seed in range(4):
        game = random_game(shape, seed=seed, integer=integer)
        for player in range(len(shape)):
            scaled = np.array(game.payoffs)
            scaled[player] *= factor
            other = NormalFormGame.from_payoffs(scaled)
            a, b = solve_game(game), solve_game(other)
            assert len(a.equilibria) == len(b.equilibria)
            for p, q in zip(_profiles(a), _profiles(b), strict=True):
                np.testing.assert_allclose(p, q, atol=1e-9)
            assert a.dominance.remaining == b.dominance.remaining
