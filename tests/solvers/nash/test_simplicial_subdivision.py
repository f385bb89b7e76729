"""Tests of one equilibrium by simplicial subdivision (van der Laan and Talman's restart method, Newton polish).

Every returned equilibrium is checked by the independent rule of ``tests/regret.py``. Oracles: coop's vertex
enumeration (2 players: the equilibrium found is one of the extreme equilibria of a nondegenerate game), coop's
polynomial enumeration (to pick games with a single equilibrium), and pygambit 17's ``simpdiv_solve`` on those
games, where any correct method must find the same point.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.nash import simplicial_subdivision as sd
from coop.solvers.nash._simplicial import FAILED, RUNNING, path_kernel
from coop.solvers.nash.polynomial_support import polynomial_support_enumeration
from coop.solvers.nash.solve import solve_game
from coop.solvers.nash.vertex_enumeration import vertex_enumeration
from coop.solvers.shared.progress import Progress
from tests import regret
from tests import textbook_games as tg
from tests.oracles import gambit_flat, pygambit

#: probabilities of two answers that are the same equilibrium agree to this
PROB_TOL = 1e-6
#: pygambit's simplicial subdivision stops at an approximate equilibrium (regret at most 1e-7 of the payoff
#: range by default, refined on a grid), so its point is compared with ours to this
GAMBIT_PROB_TOL = 1e-3


def _random_game(shape: tuple[int, ...], seed: int) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    return NormalFormGame.from_payoffs(rng.standard_normal((len(shape), *shape)))


def _flat(eq) -> np.ndarray:
    return np.concatenate(eq.strategies)


def _check(result) -> None:
    """One verified equilibrium, by coop's check and by the independent one."""
    game = result.game
    assert result.method == "simplicial_subdivision"
    assert result.guarantee == "some"
    assert result.converged and result.stopped is None
    assert len(result.equilibria) == 1
    eq = result.equilibria[0]
    assert eq.relative_regret <= result.tol
    assert regret.is_equilibrium(game, eq.strategies, result.tol)
    for i, s in enumerate(eq.strategies):
        assert s.shape == (game.num_actions[i],)
        assert s.min() >= 0.0
        assert s.sum() == pytest.approx(1.0, abs=1e-12)
    json.dumps(result.to_dict(), allow_nan=False)


# ----------------------------------------------------------------------------- textbook games
UNIQUE = [
    pytest.param(tg.three_player_matching_pennies, [[0.5, 0.5]] * 3, id="3p_matching_pennies"),
    pytest.param(tg.matching_pennies, [[0.5, 0.5]] * 2, id="matching_pennies"),
    pytest.param(tg.rock_paper_scissors, [[1 / 3] * 3] * 2, id="rock_paper_scissors"),
    pytest.param(tg.prisoners_dilemma, [[0.0, 1.0]] * 2, id="prisoners_dilemma"),
]


@pytest.mark.parametrize("factory, expected", UNIQUE)
def test_games_with_one_equilibrium(factory, expected):
    res = sd.simplicial_subdivision(factory())
    _check(res)
    for s, e in zip(res.equilibria[0].strategies, expected, strict=True):
        np.testing.assert_allclose(s, e, atol=1e-12)


@pytest.mark.parametrize("factory", [tg.battle_of_the_sexes, tg.stag_hunt, tg.chicken, tg.von_stengel_3x2,
                                     tg.two_totally_mixed_2x2x2, tg.correlated_punishment_gap])
def test_textbook_games_give_a_verified_equilibrium(factory):
    _check(sd.simplicial_subdivision(factory()))


def test_a_start_at_an_equilibrium_is_the_answer():
    game = tg.stag_hunt()
    res = sd.simplicial_subdivision(game, start=[np.array([0.0, 1.0]), np.array([0.0, 1.0])])
    _check(res)
    np.testing.assert_array_equal(_flat(res.equilibria[0]), [0.0, 1.0, 0.0, 1.0])
    assert res.parameters["start"] == [[0.0, 1.0], [0.0, 1.0]]
    assert res.parameters["starts"] == 1  # a given start is the only one


@pytest.mark.parametrize("payoffs", [
    pytest.param(np.zeros((2, 3, 3)), id="all_zero"),
    pytest.param(np.ones((3, 2, 2, 2)), id="constant_3p"),
    pytest.param(np.array([[[1.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]]), id="indifferent_column"),
    pytest.param(np.array([[[3.0, 0.0], [3.0, 1.0]], [[1.0, 2.0], [1.0, 2.0]]]), id="weakly_dominated"),
])
def test_degenerate_games(payoffs):
    _check(sd.simplicial_subdivision(NormalFormGame.from_payoffs(payoffs)))


def test_one_player_and_single_action_players():
    res = sd.simplicial_subdivision(NormalFormGame.from_payoffs(np.array([[1.0, 3.0, 2.0]])))
    _check(res)
    np.testing.assert_array_equal(res.equilibria[0].strategies[0], [0.0, 1.0, 0.0])
    game = _random_game((1, 3, 1, 3), 5)
    _check(sd.simplicial_subdivision(game))


# ----------------------------------------------------------------------------- 2 players: vertex enumeration
@pytest.mark.parametrize("shape, seed", [((4, 4), s) for s in range(6)] + [((6, 5), s) for s in range(4)]
                         + [((10, 10), s) for s in range(3)])
def test_two_player_equilibrium_is_an_extreme_one(shape, seed):
    game = _random_game(shape, seed)
    res = sd.simplicial_subdivision(game)
    _check(res)
    every = vertex_enumeration(game)
    assert every.degenerate is False and every.guarantee == "all_extreme"
    ours = _flat(res.equilibria[0])
    assert any(np.max(np.abs(ours - _flat(e))) <= PROB_TOL for e in every.equilibria)


# ----------------------------------------------------------------------------- N players
@pytest.mark.parametrize("shape, seeds", [
    ((3, 3, 3), range(8)),
    ((4, 4, 4), range(6)),
    ((2, 2, 2, 2, 2), range(6)),
    ((3, 2, 4), range(4)),
    ((6, 6, 6, 6), range(3)),
])
def test_random_games_verified_and_deterministic(shape, seeds):
    for seed in seeds:
        game = _random_game(shape, seed)
        first = sd.simplicial_subdivision(game)
        _check(first)
        again = sd.simplicial_subdivision(game)
        np.testing.assert_array_equal(_flat(first.equilibria[0]), _flat(again.equilibria[0]))
        assert first.num_iter == again.num_iter


def test_payoffs_left_alone_and_scale_invariant():
    game = _random_game((3, 3, 3), 2)
    before = game.payoffs.copy()
    res = sd.simplicial_subdivision(game)
    np.testing.assert_array_equal(game.payoffs, before)
    # a positive affine change of one player's payoffs changes neither the labels' order nor the answer
    scaled = game.payoffs.copy()
    scaled[1] = 1e6 * scaled[1] + 3.0
    other = sd.simplicial_subdivision(NormalFormGame.from_payoffs(scaled))
    np.testing.assert_allclose(_flat(other.equilibria[0]), _flat(res.equilibria[0]), atol=1e-9)


def test_start_changes_the_path_not_the_check():
    game = _random_game((3, 3, 3), 6)
    for start in ([np.eye(3)[2]] * 3, [np.full(3, 1 / 3)] * 3, [np.array([0.2, 0.0, 0.8])] * 3):
        _check(sd.simplicial_subdivision(game, start=start))


def _unique_equilibrium_games(shape: tuple[int, ...], count: int) -> list[tuple[NormalFormGame, np.ndarray]]:
    """Random games whose only equilibrium (by coop's complete enumeration) is the one given."""
    out = []
    seed = 0
    while len(out) < count:
        game = _random_game(shape, 1000 + seed)
        seed += 1
        every = polynomial_support_enumeration(game)
        if every.guarantee == "all" and len(every.equilibria) == 1:
            out.append((game, _flat(every.equilibria[0])))
    return out


@pytest.mark.parametrize("shape", [(2, 2, 2), (3, 3, 3), (2, 2, 2, 2)])
def test_unique_equilibrium_agrees_with_enumeration_and_gambit(shape):
    for game, only in _unique_equilibrium_games(shape, 3):
        res = sd.simplicial_subdivision(game)
        _check(res)
        np.testing.assert_allclose(_flat(res.equilibria[0]), only, atol=PROB_TOL)
        ggame = game.to_gambit()
        start = ggame.mixed_strategy_profile(
            data=[[pygambit.Rational(1 if k == 0 else 0) for k in range(a)] for a in game.num_actions],
            rational=True)
        theirs = pygambit.nash.simpdiv_solve(start).equilibrium
        np.testing.assert_allclose(gambit_flat(theirs).astype(float), only, atol=GAMBIT_PROB_TOL)


# ----------------------------------------------------------------------------- the path itself
def test_path_in_pieces_is_the_path_in_one_call():
    game = _random_game((4, 4, 4), 3)
    arrays = sd._game_arrays(game)
    v = sd._start_point(game, None)
    whole = sd._new_path(arrays, v, 16)
    count = path_kernel(arrays, whole, -1)
    pieces = sd._new_path(arrays, v, 16)
    total = 0
    while pieces.ints[2] == RUNNING:
        total += path_kernel(arrays, pieces, 3)
    assert total == count > 10
    assert whole.ints[2] not in (RUNNING, FAILED)
    for a, b in zip(whole, pieces, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_answer_does_not_depend_on_the_pieces(monkeypatch):
    """The runs take turns by vertex counts, so pieces of any size give the same run the win."""
    game = _hard_game()
    whole = sd.simplicial_subdivision(game)
    assert whole.parameters["starts"] == 4 and whole.num_iter > 4 * sd.ROUND_START
    monkeypatch.setattr(sd, "FIRST_CHUNK", 7)
    monkeypatch.setattr("coop.solvers.shared.progress.CHUNK_SECONDS", 1e-6)  # every later piece small too
    pieces = sd.simplicial_subdivision(game)
    np.testing.assert_array_equal(_flat(pieces.equilibria[0]), _flat(whole.equilibria[0]))
    assert pieces.num_iter == whole.num_iter
    assert pieces.parameters == whole.parameters


@pytest.mark.parametrize("mesh", [4, 8, 32])
def test_every_path_ends(mesh):
    for seed in range(5):
        game = _random_game((3, 4, 3), seed)
        arrays = sd._game_arrays(game)
        path = sd._new_path(arrays, sd._start_point(game, None), mesh)
        path_kernel(arrays, path, 1_000_000)
        assert path.ints[2] not in (RUNNING, FAILED)


# ----------------------------------------------------------------------------- stopping
def _hard_game() -> NormalFormGame:
    return _random_game((6, 6, 6, 6), 4)  # about 11,000 vertices labelled (four runs) before one verifies


def test_stop_after_returns_no_unverified_point():
    res = sd.simplicial_subdivision(_hard_game(), stop_after=0.0)
    assert res.equilibria == ()
    assert not res.converged
    assert res.stopped is not None and res.stopped.cause == "time_limit"
    assert any("no equilibrium was verified" in note for note in res.notes)
    json.dumps(res.to_dict(), allow_nan=False)


def test_progress_callback_and_ctrl_c():
    seen: list[Progress] = []

    def stop(p: Progress) -> None:
        seen.append(p)
        if len(seen) == 2:
            raise KeyboardInterrupt

    res = sd.simplicial_subdivision(_hard_game(), progress=stop)
    assert res.interrupted and res.equilibria == ()
    assert seen[0].unit == "vertices" and seen[1].done > seen[0].done


# ----------------------------------------------------------------------------- through solve_game, errors
def test_solve_game_method_simplicial():
    game = _random_game((3, 3, 3), 1)
    sol = solve_game(game, method="simplicial")
    assert sol.mixed is not None and sol.mixed.method == "simplicial_subdivision"
    assert not sol.complete
    assert "simplicial subdivision" in sol.summary
    for eq in sol.equilibria:
        assert regret.is_equilibrium(game, eq.strategies)


@pytest.mark.parametrize("start", [
    [np.array([1.0, 0.0])],
    [np.array([0.5, 0.6]), np.array([1.0, 0.0])],
    [np.array([1.0, 0.0, 0.0]), np.array([1.0, 0.0])],
    [np.array([-0.5, 1.5]), np.array([1.0, 0.0])],
    "ab",
])
def test_bad_start_is_refused(start):
    with pytest.raises(InputError, match="start"):
        sd.simplicial_subdivision(tg.stag_hunt(), start=start)


def test_bad_arguments_are_refused():
    with pytest.raises(InputError, match="NormalFormGame"):
        sd.simplicial_subdivision(np.zeros((2, 2, 2)))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="tolerance"):
        sd.simplicial_subdivision(tg.stag_hunt(), tol=1.0)
    with pytest.raises(InputError, match="stop_after"):
        sd.simplicial_subdivision(tg.stag_hunt(), stop_after=-1.0)
