"""Batched equilibria against the single-game solver point by point, brute force, nashpy and pygambit.

Every unflagged point must give what ``solve_game`` gives (same count, profiles and payoffs within 1e-9, same
order); every point the single solver finds degenerate (or cannot certify complete) must be flagged.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.nash.batched import (
    MAX_EQUILIBRIA_2X2,
    MAX_EQUILIBRIA_2X2X2,
    batched_equilibria_2x2,
    batched_equilibria_2x2x2,
    batched_pure_equilibria,
)
from coop.solvers.nash.pure_nash import pure_nash_indices
from coop.solvers.nash.results import canonical_order
from coop.solvers.nash.solve import solve_game
from tests import textbook_games as tg
from tests.oracles import gambit_flat, nashpy, pygambit

#: profiles and payoffs must agree with the single solver's to this
TOL = 1e-9
#: agreement with the external oracles (floating-point enumerations of their own)
TOL_ORACLE = 1e-6

Generator = Callable[[np.random.Generator, int, tuple[int, ...]], np.ndarray]


# ----------------------------------------------------------------------------- random families
def _gauss(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    return rng.standard_normal((n, *shape))


def _small_int(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    return rng.integers(-2, 3, (n, *shape)).astype(float)


def _int_wide(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    return 1e6 * rng.integers(-20, 21, (n, *shape)).astype(float)


def _near_int(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    """Integer payoffs moved by 1e-12 to 1e-4: near-ties on both sides of the degeneracy margin."""
    scale = 10.0 ** rng.integers(-12, -3, (n,) + (1,) * len(shape))
    return rng.integers(-3, 4, (n, *shape)) + scale * rng.standard_normal((n, *shape))


def _third_player_irrelevant(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    """Players 0 and 1 do not care what player 2 does (structural zeros in the bilinear system)."""
    g = rng.standard_normal((n, *shape))
    g[:, 0, :, :, 1] = g[:, 0, :, :, 0]
    g[:, 1, :, :, 1] = g[:, 1, :, :, 0]
    return g


def _factorable(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    """Player 0's incentive is a product of a function of player 1 and one of player 2."""
    g = rng.standard_normal((n, *shape))
    a = rng.standard_normal((n, 2))
    b = rng.standard_normal((n, 2))
    g[:, 0, 0] = g[:, 0, 1] + a[:, :, None] * b[:, None, :]
    return g


def _symmetric_int(rng: np.random.Generator, n: int, shape: tuple[int, ...]) -> np.ndarray:
    m = rng.integers(-3, 4, (n, 2, 2, 2)).astype(float)
    g = np.empty((n, *shape))
    for a, b, c in itertools.product(range(2), repeat=3):
        g[:, 0, a, b, c] = m[:, a, b, c]
        g[:, 1, a, b, c] = m[:, b, a, c]
        g[:, 2, a, b, c] = m[:, c, a, b]
    return g


# ----------------------------------------------------------------------------- checks
def _check_verified(res, payoffs: np.ndarray) -> None:
    """Every listed equilibrium: probability vectors, regret within the tolerance (recomputed here), empty slots."""
    for p in range(res.num_points):
        k = int(res.count[p])
        if res.degenerate[p]:
            assert k == 0
            assert np.all(np.isnan(res.strategies[p]))
            continue
        assert k % 2 == 1
        game = NormalFormGame.from_payoffs(payoffs[p])
        assert res.tol[p] == pytest.approx(1e-9 * game.payoff_scale, rel=1e-12)
        for e in range(k):
            s = res.strategies[p, e]
            assert np.all(s >= 0.0) and np.allclose(s.sum(axis=1), 1.0, atol=1e-12)
            pay, reg = game.payoffs_and_regrets(tuple(s))
            assert reg.max() <= res.tol[p]
            np.testing.assert_allclose(res.payoffs[p, e], pay, atol=TOL * game.payoff_scale)
            assert res.pure[p, e] == bool(np.all((s == 0.0) | (s == 1.0)))
        assert np.all(np.isnan(res.strategies[p, k:]))
        if k > 1:  # the reporting order
            flat = res.strategies[p, :k].reshape(k, -1)
            assert canonical_order(flat, res.pure[p, :k]).tolist() == list(range(k))


def _compare_with_single(res, payoffs: np.ndarray, method: str) -> tuple[int, int]:
    """Point-by-point agreement with ``solve_game``; returns (points flagged, points the single solver calls
    degenerate)."""
    single_degenerate = 0
    for p in range(res.num_points):
        game = NormalFormGame.from_payoffs(payoffs[p])
        sol = solve_game(game, method=method)  # type: ignore[arg-type]
        degenerate = bool(sol.degenerate) or not sol.complete
        single_degenerate += degenerate
        if degenerate:
            assert res.degenerate[p], f"point {p} is degenerate for solve_game but not flagged: {payoffs[p].tolist()}"
            continue
        if res.degenerate[p]:
            continue  # flagged for safety: the caller solves it one at a time
        eqs = sol.equilibria
        assert int(res.count[p]) == len(eqs), f"point {p}: {payoffs[p].tolist()}"
        for k, eq in enumerate(eqs):
            np.testing.assert_allclose(res.strategies[p, k].ravel(), np.concatenate(eq.strategies), rtol=0, atol=TOL)
            np.testing.assert_allclose(res.payoffs[p, k], eq.payoffs, rtol=0, atol=TOL * game.payoff_scale)
            assert res.pure[p, k] == eq.is_pure
    return int(res.degenerate.sum()), single_degenerate


# ----------------------------------------------------------------------------- 2x2
# point counts: enough for hundreds of ties per integer family (the test suite's time is shared: issue 12, item 10)
@pytest.mark.parametrize("family, n, seed", [
    pytest.param(_gauss, 800, 1, id="gauss"),
    pytest.param(_small_int, 600, 2, id="small_int"),
    pytest.param(_int_wide, 500, 3, id="int_wide"),
    pytest.param(_near_int, 500, 4, id="near_int"),
])
def test_2x2_equals_vertex_enumeration_point_by_point(family, n, seed):
    payoffs = family(np.random.default_rng(seed), n, (2, 2, 2))
    res = batched_equilibria_2x2(payoffs)
    assert res.strategies.shape == (n, MAX_EQUILIBRIA_2X2, 2, 2)
    _check_verified(res, payoffs)
    flagged, degenerate = _compare_with_single(res, payoffs, "vertex")
    if family is _gauss:
        assert flagged == 0
    if family in (_small_int, _int_wide):  # exact ties: flagged exactly where vertex enumeration is degenerate
        assert flagged == degenerate > 0


# ----------------------------------------------------------------------------- 2x2x2
@pytest.mark.parametrize("family, n, seed", [
    pytest.param(_gauss, 800, 11, id="gauss"),
    pytest.param(_small_int, 600, 12, id="small_int"),
    pytest.param(_int_wide, 500, 13, id="int_wide"),
    pytest.param(_near_int, 400, 14, id="near_int"),
    pytest.param(_third_player_irrelevant, 400, 15, id="third_player_irrelevant"),
    pytest.param(_factorable, 400, 16, id="factorable"),
    pytest.param(_symmetric_int, 500, 17, id="symmetric_int"),
])
def test_2x2x2_equals_polynomial_enumeration_point_by_point(family, n, seed):
    payoffs = family(np.random.default_rng(seed), n, (3, 2, 2, 2))
    res = batched_equilibria_2x2x2(payoffs)
    assert res.strategies.shape == (n, MAX_EQUILIBRIA_2X2X2, 3, 2)
    _check_verified(res, payoffs)
    flagged, degenerate = _compare_with_single(res, payoffs, "polynomial")
    if family in (_gauss, _third_player_irrelevant):
        assert flagged == 0
    if family in (_small_int, _int_wide, _symmetric_int):
        # exact ties that support no equilibrium are answered, not flagged: few flags beyond the single solver's
        assert degenerate <= flagged <= degenerate + 0.01 * n


def test_2x2x2_totally_mixed_pair():
    """Nine equilibria, two totally mixed (the most a generic 2x2x2 game has), in solve_game's order."""
    game = tg.two_totally_mixed_2x2x2()
    res = batched_equilibria_2x2x2(game.payoffs[None])
    assert not res.degenerate[0] and res.count[0] == 9
    assert int((res.strategies[0, :9] > 0.0).all(axis=(1, 2)).sum()) == 2
    _compare_with_single(res, game.payoffs[None], "polynomial")


@pytest.mark.parametrize("factory, count", [
    pytest.param(tg.prisoners_dilemma, 1, id="pd"),
    pytest.param(tg.battle_of_the_sexes, 3, id="bos"),
    pytest.param(tg.matching_pennies, 1, id="matching_pennies"),
    pytest.param(tg.stag_hunt, 3, id="stag_hunt"),
    pytest.param(tg.chicken, 3, id="chicken"),
])
def test_2x2_textbook(factory, count):
    game = factory()
    res = batched_equilibria_2x2(game.payoffs[None])
    assert not res.degenerate[0] and res.count[0] == count
    assert len(res.equilibria(0)) == count
    _compare_with_single(res, game.payoffs[None], "vertex")


def test_three_player_matching_pennies():
    game = tg.three_player_matching_pennies()
    res = batched_equilibria_2x2x2(game.payoffs[None])
    assert res.count[0] == 1
    np.testing.assert_allclose(res.strategies[0, 0], 0.5, atol=1e-12)


@pytest.mark.parametrize("payoffs", [
    pytest.param(np.zeros((2, 2, 2)), id="constant"),
    pytest.param(np.array([[[1.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]]), id="column_indifferent"),
    pytest.param(np.array([[[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]]]), id="row_indifferent"),
])
def test_2x2_degenerate_games_are_flagged(payoffs):
    res = batched_equilibria_2x2(payoffs[None])
    assert res.degenerate[0] and res.count[0] == 0
    assert res.flagged().tolist() == [0]
    with pytest.raises(InputError, match="degenerate"):
        res.equilibria(0)


def test_2x2x2_continuum_is_flagged():
    """Player 2 is indifferent everywhere: a continuum of equilibria."""
    payoffs = np.random.default_rng(0).standard_normal((3, 2, 2, 2))
    payoffs[2] = 1.0
    res = batched_equilibria_2x2x2(payoffs[None])
    assert res.degenerate[0]
    assert solve_game(NormalFormGame.from_payoffs(payoffs), method="polynomial").degenerate


def test_mixed_batch_keeps_points_apart():
    """Degenerate points among regular ones do not disturb their neighbours."""
    rng = np.random.default_rng(5)
    payoffs = rng.standard_normal((50, 2, 2, 2))
    payoffs[::7] = 0.0
    res = batched_equilibria_2x2(payoffs)
    assert res.flagged().tolist() == list(range(0, 50, 7))
    alone = batched_equilibria_2x2(payoffs[1:2])
    np.testing.assert_array_equal(alone.strategies[0], res.strategies[1])


def test_explicit_tolerance_and_margin():
    rng = np.random.default_rng(6)
    payoffs = rng.standard_normal((200, 3, 2, 2, 2))
    res = batched_equilibria_2x2x2(payoffs, tol=1e-6, degeneracy_tol=1e-4)
    assert np.all(res.tol == 1e-6) and res.degeneracy_tol == 1e-4
    listed = np.arange(res.max_equilibria)[None, :] < res.count[:, None]
    assert np.all(res.max_regret[listed] <= 1e-6)
    loose = batched_equilibria_2x2x2(payoffs, degeneracy_tol=1e-2)
    assert loose.degenerate.sum() >= res.degenerate.sum()


def test_results_to_dict_and_equilibria():
    rng = np.random.default_rng(7)
    payoffs = rng.integers(-2, 3, (40, 3, 2, 2, 2)).astype(float)
    res = batched_equilibria_2x2x2(payoffs)
    doc = json.loads(json.dumps(res.to_dict()))
    assert len(doc["points"]) == 40
    for p, point in enumerate(doc["points"]):
        assert point["degenerate"] == bool(res.degenerate[p])
        if not point["degenerate"]:
            assert len(point["equilibria"]) == res.count[p]
            eqs = res.equilibria(p)
            assert len(eqs) == res.count[p]
            assert all(eq.max_regret <= res.tol[p] for eq in eqs)
    assert not res.strategies.flags.writeable


def test_inputs_are_left_unchanged_and_batch_order_is_irrelevant():
    rng = np.random.default_rng(8)
    payoffs = rng.standard_normal((100, 3, 2, 2, 2))
    before = payoffs.copy()
    res = batched_equilibria_2x2x2(payoffs)
    np.testing.assert_array_equal(payoffs, before)
    rev = batched_equilibria_2x2x2(payoffs[::-1])
    np.testing.assert_array_equal(rev.strategies[::-1], res.strategies)


@pytest.mark.parametrize("call, payoffs, match", [
    pytest.param(batched_equilibria_2x2, np.zeros((3, 2, 2, 3)), "shape", id="2x2_shape"),
    pytest.param(batched_equilibria_2x2x2, np.zeros((3, 2, 2, 2)), "shape", id="2x2x2_shape"),
    pytest.param(batched_equilibria_2x2, np.zeros((0, 2, 2, 2)), "no points", id="empty"),
    pytest.param(batched_equilibria_2x2, np.full((2, 2, 2, 2), np.nan), "finite", id="nan"),
    pytest.param(batched_pure_equilibria, np.zeros((3, 2, 2)), "shape", id="pure_shape"),
    pytest.param(batched_pure_equilibria, "abc", "numbers", id="not_numbers"),
])
def test_bad_input_is_one_clear_error(call, payoffs, match):
    with pytest.raises(InputError, match=match):
        call(payoffs)


def test_bad_tolerances():
    payoffs = np.zeros((1, 2, 2, 2))
    with pytest.raises(InputError, match="tol"):
        batched_equilibria_2x2(payoffs, tol=-1.0)
    with pytest.raises(InputError, match="degeneracy_tol"):
        batched_equilibria_2x2(payoffs, degeneracy_tol=0.5)
    with pytest.raises(InputError, match="tol"):
        batched_pure_equilibria(payoffs, tol=float("nan"))


# ----------------------------------------------------------------------------- external oracles
def _same_sets(ours: list[np.ndarray], theirs: list[np.ndarray]) -> bool:
    if len(ours) != len(theirs):
        return False
    return all(any(np.abs(a - b).max() <= TOL_ORACLE for b in theirs) for a in ours)


def test_2x2_against_nashpy():
    rng = np.random.default_rng(21)
    payoffs = rng.standard_normal((40, 2, 2, 2))
    res = batched_equilibria_2x2(payoffs)
    assert not res.degenerate.any()
    for p in range(40):
        game = nashpy.Game(payoffs[p, 0], payoffs[p, 1])
        theirs = [np.concatenate(eq) for eq in game.support_enumeration()]
        ours = [res.strategies[p, k].ravel() for k in range(int(res.count[p]))]
        assert _same_sets(ours, theirs), p


def test_2x2x2_against_pygambit():
    """Every equilibrium pygambit's enumpoly reports is ours; where its count is odd (as a nondegenerate game's
    is), the lists are the same. Enumpoly now and then misses a totally mixed equilibrium (an even count), which
    coop's polynomial solver and the regret check confirm."""
    rng = np.random.default_rng(22)
    payoffs = rng.standard_normal((30, 3, 2, 2, 2))
    res = batched_equilibria_2x2x2(payoffs)
    assert not res.degenerate.any()
    same = 0
    for p in range(30):
        game = NormalFormGame.from_payoffs(payoffs[p])
        theirs = [gambit_flat(eq) for eq in pygambit.nash.enumpoly_solve(game.to_gambit()).equilibria]
        theirs = [q for q in theirs if game.max_regret(np.split(q, [2, 4])) <= 1e-7 * game.payoff_scale]
        ours = [res.strategies[p, k].ravel() for k in range(int(res.count[p]))]
        assert all(any(np.abs(q - o).max() <= TOL_ORACLE for o in ours) for q in theirs), p
        if len(theirs) % 2 == 1:
            assert _same_sets(ours, theirs), p
            same += 1
    assert same >= 25


# ----------------------------------------------------------------------------- pure equilibria
def _brute_force_pure(payoffs: np.ndarray) -> set[tuple[int, ...]]:
    """Readable reference: every profile against every unilateral deviation."""
    tol = 1e-9 * NormalFormGame.from_payoffs(payoffs).payoff_scale
    n = payoffs.shape[0]
    found = set()
    for prof in itertools.product(*[range(a) for a in payoffs.shape[1:]]):
        if all(payoffs[(i, *prof[:i], alt, *prof[i + 1:])] <= payoffs[(i, *prof)] + tol
               for i in range(n) for alt in range(payoffs.shape[1 + i])):
            found.add(prof)
    return found


@pytest.mark.parametrize("shape", [(2, 3), (3, 3, 2), (2, 2, 2, 2), (1, 4), (5,)])
@pytest.mark.parametrize("integer", [False, True], ids=["gauss", "int"])
def test_pure_mask_equals_brute_force(shape, integer):
    rng = np.random.default_rng([*shape, int(integer)])
    n = 150
    full = (n, len(shape), *shape)
    payoffs = rng.integers(0, 3, full).astype(float) if integer else rng.standard_normal(full)
    res = batched_pure_equilibria(payoffs)
    assert res.mask.shape == (n, *shape) and res.shape == shape
    for p in range(n):
        found = {tuple(int(k) for k in row) for row in res.profiles(p)}
        assert found == _brute_force_pure(payoffs[p])
        rows = pure_nash_indices(NormalFormGame.from_payoffs(payoffs[p]))
        assert res.profiles(p).tolist() == rows.tolist()
        assert res.count[p] == len(found)
    json.dumps(res.to_dict())


def test_pure_explicit_tolerance_counts_near_ties():
    payoffs = np.array([[[[1.0, 0.0], [1.0 - 1e-6, 0.0]], [[1.0, 0.0], [1.0, 0.0]]]])
    assert batched_pure_equilibria(payoffs).count[0] == 1
    assert batched_pure_equilibria(payoffs, tol=1e-5).count[0] == 2
