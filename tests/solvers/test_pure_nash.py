"""Pure Nash enumeration against brute force, pygambit's enumpure and quantecon's pure_nash_brute."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings

from coop.games import NormalFormGame
from coop.solvers.pure_nash import pure_nash_equilibria, pure_nash_indices
from tests import textbook_games as tg
from tests.strategies import games


def brute_force_pure(game: NormalFormGame) -> set[tuple[int, ...]]:
    """Readable reference: check every profile and every unilateral deviation."""
    tol = 1e-9 * game.payoff_scale
    found = set()
    for prof in itertools.product(*[range(a) for a in game.num_actions]):
        ok = True
        for i in range(game.num_players):
            own = game.payoffs[i][prof]
            for alt in range(game.num_actions[i]):
                dev = list(prof)
                dev[i] = alt
                if game.payoffs[i][tuple(dev)] > own + tol:
                    ok = False
        if ok:
            found.add(prof)
    return found


def coop_pure(game: NormalFormGame) -> set[tuple[int, ...]]:
    return {tuple(int(k) for k in row) for row in pure_nash_indices(game)}


@pytest.mark.parametrize(
    "factory, expected",
    [
        pytest.param(tg.prisoners_dilemma, {(1, 1)}, id="pd"),
        pytest.param(tg.stag_hunt, {(0, 0), (1, 1)}, id="stag_hunt"),
        pytest.param(tg.chicken, {(0, 1), (1, 0)}, id="chicken"),
        pytest.param(tg.battle_of_the_sexes, {(0, 0), (1, 1)}, id="bos"),
        pytest.param(tg.matching_pennies, set(), id="matching_pennies"),
        pytest.param(tg.three_player_matching_pennies, set(), id="3p_matching_pennies"),
    ],
)
def test_textbook_pure_equilibria(factory, expected):
    game = factory()
    res = pure_nash_equilibria(game)
    assert coop_pure(game) == expected
    assert len(res.equilibria) == len(expected)
    assert res.guarantee == "all_pure"
    for eq in res.equilibria:
        assert eq.is_pure
        assert eq.max_regret <= res.tol


def test_payoffs_of_equilibria_are_the_profile_payoffs():
    res = pure_nash_equilibria(tg.prisoners_dilemma())
    np.testing.assert_allclose(res.equilibria[0].payoffs, [1.0, 1.0])


def test_ties_count_as_best_responses():
    # a constant game: every profile is an equilibrium
    game = NormalFormGame.from_payoffs(np.zeros((3, 2, 3, 2)))
    assert len(pure_nash_equilibria(game).equilibria) == 12


def test_one_player_game_picks_the_best_actions():
    game = NormalFormGame.from_payoffs(np.array([[1.0, 3.0, 3.0, 2.0]]))
    assert coop_pure(game) == {(1,), (2,)}


@settings(deadline=None, max_examples=60)
@given(games(n_players=(2, 4), max_actions=4, continuous=False))
def test_matches_brute_force_on_random_games_with_ties(game):
    assert coop_pure(game) == brute_force_pure(game)


@settings(deadline=None, max_examples=30)
@given(games(n_players=(1, 5), max_actions=3, continuous=True, max_profiles=243))
def test_every_reported_equilibrium_has_zero_regret(game):
    res = pure_nash_equilibria(game)
    for eq in res.equilibria:
        assert game.max_regret(eq.strategies) <= res.tol
        for s in eq.strategies:
            assert s.sum() == pytest.approx(1.0)


def gambit_pure(game: NormalFormGame) -> set[tuple[int, ...]]:
    pygambit = pytest.importorskip("pygambit")
    g = game.to_gambit()
    out = set()
    for eq in pygambit.nash.enumpure_solve(g).equilibria:
        prof = []
        for player in g.players:
            probs = [float(eq[s]) for s in player.strategies]
            prof.append(int(np.argmax(probs)))
        out.add(tuple(prof))
    return out


@pytest.mark.parametrize(
    "shape, integer",
    [
        pytest.param((2, 2), True, id="2x2_int"),
        pytest.param((5, 7), True, id="5x7_int"),
        pytest.param((3, 3, 3), True, id="3x3x3_int"),
        pytest.param((6, 5, 4), False, id="6x5x4"),
        pytest.param((3, 3, 3, 3), True, id="3x3x3x3_int"),
        pytest.param((2, 2, 2, 2, 2), True, id="2^5_int"),
        pytest.param((12, 12, 12), True, id="12x12x12_int"),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_gambit_enumpure(shape, integer, seed):
    rng = np.random.default_rng(seed)
    size = (len(shape), *shape)
    payoffs = rng.integers(0, 4, size).astype(float) if integer else rng.standard_normal(size)
    game = NormalFormGame.from_payoffs(payoffs)
    assert coop_pure(game) == gambit_pure(game)


@pytest.mark.parametrize("shape", [(4, 4), (3, 4, 5), (2, 3, 2, 3)])
@pytest.mark.parametrize("seed", [3, 4])
def test_agrees_with_quantecon_pure_nash_brute(shape, seed):
    qe = pytest.importorskip("quantecon.game_theory")
    rng = np.random.default_rng(seed)
    game = NormalFormGame.from_payoffs(rng.integers(0, 3, (len(shape), *shape)).astype(float))
    theirs = {tuple(int(k) for k in p) for p in qe.pure_nash_brute(game.to_quantecon())}
    assert coop_pure(game) == theirs


def test_large_game_runs_and_agrees_with_numpy():
    # 3 players x 60 actions: 216,000 profiles; numpy reference by maxima along each axis
    rng = np.random.default_rng(7)
    payoffs = rng.integers(0, 50, (3, 60, 60, 60)).astype(float)
    game = NormalFormGame.from_payoffs(payoffs)
    mask = np.ones(game.num_actions, dtype=bool)
    for i in range(3):
        mask &= payoffs[i] >= payoffs[i].max(axis=i, keepdims=True)
    expected = {tuple(int(k) for k in idx) for idx in np.argwhere(mask)}
    assert coop_pure(game) == expected
