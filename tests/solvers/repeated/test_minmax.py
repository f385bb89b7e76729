"""Minmax and maxmin values: closed forms, brute force, nashpy zero-sum values, grid search over independent
mixtures."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.repeated.minmax import minmax_values, pure_minmax
from tests import textbook_games as tg
from tests.oracles import nashpy
from tests.strategies import bimatrix, games

TOL = 1e-9  # exact LP / kernel answers, relative to a unit payoff spread
TOL_BOUND = 1e-6  # bounds reached by a local search


def correlated_punishment_gap() -> NormalFormGame:
    return tg.correlated_punishment_gap()


# (factory, pure minmax, mixed minmax, pure maxmin), each per player, worked out by hand
CLOSED_FORMS = [
    pytest.param(tg.prisoners_dilemma, [1, 1], [1, 1], [1, 1], id="pd"),
    pytest.param(tg.matching_pennies, [1, 1], [0, 0], [-1, -1], id="matching_pennies"),
    # chicken M = [[6, 2], [7, 0]]: the opponent going Straight holds you to 2 (swerve)
    pytest.param(tg.chicken, [2, 2], [2, 2], [2, 2], id="chicken"),
    # battle of the sexes: the opponent mixing 1/3 on your favourite makes you indifferent at 2/3
    pytest.param(tg.battle_of_the_sexes, [1, 1], [2 / 3, 2 / 3], [0, 0], id="bos"),
    # stag hunt M = [[4, 0], [3, 2]]: the opponent's Hare holds you to 2, your Hare guarantees 2
    pytest.param(tg.stag_hunt, [2, 2], [2, 2], [2, 2], id="stag_hunt"),
    pytest.param(tg.rock_paper_scissors, [1, 1], [0, 0], [-1, -1], id="rps"),
    # Jordan's 3-player matching pennies: one punisher mixing 1/2 makes any victim's payoff 0
    pytest.param(tg.three_player_matching_pennies, [1, 1, 1], [0, 0, 0], [-1, -1, -1], id="3p_matching_pennies"),
]


@pytest.mark.parametrize("factory, pure, mixed, pure_maxmin", CLOSED_FORMS)
def test_closed_forms(factory, pure, mixed, pure_maxmin):
    game = factory()
    res = minmax_values(game)
    assert np.allclose(res.pure_minmax, pure, atol=TOL)
    assert np.allclose(res.mixed_minmax, mixed, atol=TOL)
    assert np.allclose(res.mixed_minmax_lower, mixed, atol=TOL)
    assert np.allclose(res.pure_maxmin, pure_maxmin, atol=TOL)
    assert all(res.exact)
    values, profiles = pure_minmax(game)
    assert np.array_equal(values, res.pure_minmax)
    for i, prof in enumerate(profiles):
        assert game.payoffs[i][prof] == pytest.approx(pure[i], abs=TOL)
    _check_certificates(game, res)


def test_matching_pennies_punishment_is_half_half():
    res = minmax_values(tg.matching_pennies())
    assert np.allclose(res.mixed_punishment[0][1], [0.5, 0.5], atol=TOL)
    assert np.allclose(res.security_strategies[1], [0.5, 0.5], atol=TOL)


def test_bos_punishment_by_hand():
    # the column player punishes the row player (payoffs 2 on (B, B), 1 on (S, S)) with B at 1/3
    res = minmax_values(tg.battle_of_the_sexes())
    assert np.allclose(res.mixed_punishment[0][1], [1 / 3, 2 / 3], atol=TOL)
    assert np.allclose(res.mixed_punishment[1][0], [2 / 3, 1 / 3], atol=TOL)


def test_correlated_punishment_is_harsher_by_hand():
    """Player 1 gets 1 unless the punishers' actions differ, and then 1 only with the matching action.

    Correlated (a, b) / (b, a) half-half gives 1/2; independent p, q give
    1 - min((1 - p) q, p (1 - q)), at best 3/4 at p = q = 1/2; any pure punishment gives 1.
    """
    game = correlated_punishment_gap()
    res = minmax_values(game)
    assert res.pure_minmax[0] == pytest.approx(1.0)
    assert res.mixed_minmax_lower[0] == pytest.approx(0.5, abs=TOL)
    assert res.maxmin[0] == pytest.approx(0.5, abs=TOL)
    assert res.mixed_minmax_upper[0] == pytest.approx(0.75, abs=TOL_BOUND)
    assert not res.exact[0]
    assert any("[0.5, 0.75]" in note for note in res.notes)
    for s in res.mixed_punishment[0][1:]:
        assert np.allclose(s, [0.5, 0.5], atol=1e-3)
    _check_certificates(game, res)


def _check_certificates(game: NormalFormGame, res) -> None:
    """The reported strategies reach the reported values, and the values are ordered."""
    n = game.num_players
    tol = 1e-8 * game.payoff_scale
    for i in range(n):
        prof = list(res.mixed_punishment[i])
        values = game.action_values(prof)[i]
        assert values.max() == pytest.approx(res.mixed_minmax_upper[i], abs=tol)
        own = int(np.argmax(prof[i]))
        assert prof[i][own] == 1.0 and values[own] == pytest.approx(values.max(), abs=tol)  # a best response
        for j in range(n):
            assert prof[j].min() >= 0 and prof[j].sum() == pytest.approx(1.0)
        # the security strategy guarantees the maxmin against every pure profile of the others
        M = np.moveaxis(game.payoffs[i], i, 0).reshape(game.num_actions[i], -1)
        assert (res.security_strategies[i] @ M).min() == pytest.approx(res.maxmin[i], abs=tol)
        assert M[res.pure_security[i]].min() == pytest.approx(res.pure_maxmin[i], abs=tol)
        chain = [res.pure_maxmin[i], res.maxmin[i], res.mixed_minmax_lower[i], res.mixed_minmax_upper[i],
                 res.pure_minmax[i]]
        assert all(a <= b + tol for a, b in itertools.pairwise(chain))
    json.dumps(res.to_dict())


def brute_pure_minmax(game: NormalFormGame) -> np.ndarray:
    out = []
    for i in range(game.num_players):
        best = game.payoffs[i].max(axis=i)
        out.append(best.min())
    return np.array(out)


@settings(deadline=None, max_examples=25)
@given(games(n_players=(2, 4), max_actions=3, continuous=False))
def test_pure_minmax_brute_force(game):
    res = minmax_values(game, starts=1)
    assert np.array_equal(res.pure_minmax, brute_pure_minmax(game))
    maxmin = [np.moveaxis(game.payoffs[i], i, 0).reshape(game.num_actions[i], -1).min(axis=1).max()
              for i in range(game.num_players)]
    assert np.array_equal(res.pure_maxmin, maxmin)
    _check_certificates(game, res)


@settings(deadline=None, max_examples=20)
@given(bimatrix(max_actions=4))
def test_two_player_minimax_theorem(game):
    """With two players the mixed minmax equals the mixed maxmin (von Neumann) and is exact."""
    res = minmax_values(game)
    assert all(res.exact)
    assert np.allclose(res.mixed_minmax, res.maxmin, atol=1e-8 * game.payoff_scale)
    _check_certificates(game, res)


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed{s}") for s in range(4)])
def test_two_player_against_nashpy_zero_sum_value(seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((3, 4))
    B = rng.standard_normal((3, 4))
    res = minmax_values(NormalFormGame.from_bimatrix(A, B))
    for i, M in enumerate((A, B.T)):  # each player's payoff with its own actions as rows
        x, y = nashpy.Game(M, -M).lemke_howson(initial_dropped_label=0)
        assert res.mixed_minmax[i] == pytest.approx(float(x @ M @ y), abs=1e-8)


def grid_minmax_2x2x2(game: NormalFormGame, i: int, steps: int = 101) -> float:
    """Brute force over a grid of independent mixtures of the two punishers (2 actions each)."""
    grid = np.linspace(0.0, 1.0, steps)
    u = np.moveaxis(game.payoffs[i], i, 0)  # (2, 2, 2): own action, then the others in order
    P = np.stack([grid, 1 - grid], axis=1)
    vals = np.einsum("kab,pa,qb->kpq", u, P, P)
    return float(vals.max(axis=0).min())


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed{s}") for s in range(6)])
def test_three_player_bounds_bracket_grid_search(seed):
    rng = np.random.default_rng(100 + seed)
    game = NormalFormGame.from_payoffs(rng.standard_normal((3, 2, 2, 2)))
    res = minmax_values(game, seed=seed)
    h = 0.01
    lip = 2 * np.abs(game.payoffs).max()  # |d u / d p| <= 2 max |u| per punisher
    for i in range(3):
        g = grid_minmax_2x2x2(game, i)
        assert res.mixed_minmax_lower[i] <= g + 1e-9
        assert res.mixed_minmax_upper[i] <= g + 1e-7  # the local search does at least as well as the grid
        assert res.mixed_minmax_upper[i] >= g - lip * h  # and is reached by a real profile
    _check_certificates(game, res)


def test_seed_gives_same_answer():
    rng = np.random.default_rng(7)
    game = NormalFormGame.from_payoffs(rng.standard_normal((3, 3, 2, 2)))
    a = minmax_values(game, seed=3)
    b = minmax_values(game, seed=3)
    assert np.array_equal(a.mixed_minmax_upper, b.mixed_minmax_upper)


def test_to_dict_labels():
    d = minmax_values(tg.battle_of_the_sexes()).to_dict()
    assert set(d["players"]) == {"Row", "Column"}
    row = d["players"]["Row"]
    assert row["pure_punishment"] == {"Row": "S", "Column": "S"}  # Column plays S, Row's best reply is S
    assert row["mixed_punishment"]["Column"]["B"] == pytest.approx(1 / 3)
    assert row["exact"] is True


@pytest.mark.parametrize(
    "call, message",
    [
        pytest.param(lambda: minmax_values(np.zeros((2, 2, 2))), "NormalFormGame", id="not_a_game"),
        pytest.param(lambda: pure_minmax("pd"), "NormalFormGame", id="string"),
        pytest.param(lambda: minmax_values(tg.prisoners_dilemma(), tol=-1), "tol", id="negative_tol"),
        pytest.param(lambda: minmax_values(tg.prisoners_dilemma(), tol="x"), "tol", id="text_tol"),
        pytest.param(lambda: minmax_values(tg.prisoners_dilemma(), starts=-2), "starts", id="negative_starts"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(InputError, match=message):
        call()
