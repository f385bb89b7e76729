"""Pure Nash enumeration against brute force, pygambit's enumpure and quantecon's pure_nash_brute."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.games import NormalFormGame
from coop.solvers.nash import pure_nash as pn
from coop.solvers.nash.pure_nash import pure_nash_equilibria, pure_nash_indices
from coop.solvers.nash.results import make_equilibrium
from tests import regret
from tests import textbook_games as tg
from tests.oracles import gambit_strategies, pygambit
from tests.oracles import quantecon as qe
from tests.strategies import games


def brute_force_pure(game: NormalFormGame) -> set[tuple[int, ...]]:
    """Readable reference: check every profile and every unilateral deviation (tests/regret.py)."""
    return regret.pure_equilibria(game)


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
        assert eq.relative_regret <= res.tol


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
        assert regret.is_equilibrium(game, eq.strategies, res.tol)
        for s in eq.strategies:
            assert s.sum() == pytest.approx(1.0)


@settings(deadline=None, max_examples=30)
@given(games(n_players=(1, 4), max_actions=4, continuous=False, max_profiles=256))
def test_result_fields_equal_the_shared_regret_check(game):
    # the kernel's payoffs, regrets and ratios against make_equilibrium (results.regret_check) on the same profile
    # (integer payoffs: ties and zero stakes are common)
    res = pure_nash_equilibria(game)
    assert [tuple(eq.support(i)[0] for i in range(game.num_players)) for eq in res.equilibria] == \
        [tuple(int(k) for k in r) for r in pure_nash_indices(game)]
    for eq in res.equilibria:
        ref = make_equilibrium(game, eq.strategies)
        np.testing.assert_array_equal(eq.payoffs, ref.payoffs)
        assert eq.max_regret == ref.max_regret
        assert eq.relative_regret == ref.relative_regret <= res.tol
        assert all(s.shape == (a,) and not s.flags.writeable for s, a in zip(eq.strategies, game.num_actions,
                                                                              strict=True))
        assert not eq.payoffs.flags.writeable and eq.payoffs.shape == (game.num_players,)


def test_pure_checks_drop_a_profile_with_regret():
    # a candidate that is not an equilibrium (player 1 gains 1 by deviating) is dropped; the other keeps its fields
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    game = NormalFormGame.from_bimatrix(A, A.T)
    table = pn._pure_checks(game.unit_payoffs, game.payoff_exponents, np.array([[0, 0], [1, 1]]), 1e-9)
    assert table.shape == (1, 2 * 2 + 2 + 4)
    np.testing.assert_array_equal(table[0], [1, 1, 1.0, 1.0, 0.0, 0.0, 0, 1, 0, 1])


def gambit_pure(game: NormalFormGame) -> set[tuple[int, ...]]:
    g = game.to_gambit()
    return {tuple(int(np.argmax(probs)) for probs in gambit_strategies(eq))
            for eq in pygambit.nash.enumpure_solve(g).equilibria}


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


# ----------------------------------------------------------------------------- the one-pass kernel
def numpy_pure(payoffs: np.ndarray, tol: float) -> set[tuple[int, ...]]:
    """Reference with the kernel's exact test: ``u_i >= max along axis i - tol`` for every player."""
    n = payoffs.shape[0]
    mask = np.ones(payoffs.shape[1:], dtype=bool)
    for i in range(n):
        mask &= payoffs[i] >= payoffs[i].max(axis=i, keepdims=True) - tol
    return {tuple(int(k) for k in idx) for idx in np.argwhere(mask)}


def default_tol(payoffs: np.ndarray) -> float:
    spread = float(payoffs.max() - payoffs.min())
    return 1e-9 * (spread if spread > 0 else 1.0)


def numpy_pure_local(payoffs: np.ndarray, tol: float = 1e-9) -> set[tuple[int, ...]]:
    """Reference with coop's rule: each player's regret within ``tol`` times the spread of their line
    (at least 1e-6 times its largest magnitude), vectorised over every profile."""
    n = payoffs.shape[0]
    mask = np.ones(payoffs.shape[1:], dtype=bool)
    for i in range(n):
        u = payoffs[i] / max(float(np.abs(payoffs[i]).max()), 1e-300)
        hi = u.max(axis=i, keepdims=True)
        lo = u.min(axis=i, keepdims=True)
        stake = np.maximum(hi - lo, 1e-6 * np.maximum(np.abs(hi), np.abs(lo)))
        mask &= hi - u <= tol * stake * (1 + 1e-9)
    return {tuple(int(k) for k in idx) for idx in np.argwhere(mask)}


@st.composite
def payoff_arrays(draw, max_players: int = 5, max_values: int = 30_000) -> np.ndarray:
    """Payoff arrays whose shapes reach every scan layout: short and long lines, tails, one-action players."""
    n = draw(st.integers(1, max_players))
    shape: list[int] = []
    for _ in range(n):
        room = max(1, max_values // (n * int(np.prod(shape, dtype=np.int64))))
        shape.append(draw(st.integers(1, min(room, 90))))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["integers", "few_values", "continuous", "constant"]))
    size = (n, *shape)
    if kind == "integers":
        return rng.integers(-3, 4, size).astype(float)
    if kind == "few_values":
        return rng.integers(0, 2, size).astype(float)
    if kind == "continuous":
        return rng.standard_normal(size) * draw(st.sampled_from([1e-6, 1.0, 1e6]))
    return np.full(size, draw(st.floats(-10, 10)))


@settings(deadline=None, max_examples=150)
@given(payoff_arrays())
def test_kernel_matches_numpy_reference(payoffs):
    game = NormalFormGame.from_payoffs(payoffs)
    rows = pure_nash_indices(game)
    assert rows.dtype == np.int64 and rows.shape[1] == payoffs.shape[0]
    found = [tuple(int(k) for k in r) for r in rows]
    assert found == sorted(found)  # C order of the profile, no duplicates
    assert set(found) == numpy_pure_local(game.payoffs)
    kernel = {tuple(int(k) for k in r) for r in pn._pure_nash_rows(game.payoffs, 0.0, True)}
    assert kernel == numpy_pure(game.payoffs, default_tol(game.payoffs))


@settings(deadline=None, max_examples=60)
@given(payoff_arrays(max_players=4, max_values=5_000), st.sampled_from([0.0, 0.5, 1.0, 2.5, -0.5]))
def test_kernel_with_an_absolute_tolerance(payoffs, tol):
    # the kernel compares with one absolute tolerance (pure_nash_indices gives it a loose one, then checks each
    # player's stake)
    found = {tuple(int(k) for k in r) for r in pn._pure_nash_rows(np.ascontiguousarray(payoffs), tol, False)}
    assert found == numpy_pure(payoffs, tol)


@settings(deadline=None, max_examples=40)
@given(payoff_arrays(max_players=4, max_values=20_000))
def test_parallel_kernel_matches_serial(payoffs):
    game = NormalFormGame.from_payoffs(payoffs)
    serial = pn._pure_nash_rows(game.payoffs, 0.0, True)
    parallel = pn._pure_nash_rows_parallel(game.payoffs, 0.0, True, 3)
    np.testing.assert_array_equal(serial, parallel)


@pytest.mark.parametrize("shape", [(10, 10, 10), (30, 30, 30), (10, 10, 10, 10), (100, 7), (7, 100), (5, 3, 70, 2),
                                   (1, 1, 1), (200,), (33, 17, 65)])
@pytest.mark.parametrize("seed", [0, 1])
def test_benchmark_like_shapes(shape, seed):
    rng = np.random.default_rng(seed)
    payoffs = rng.standard_normal((len(shape), *shape))
    game = NormalFormGame.from_payoffs(payoffs)
    assert coop_pure(game) == numpy_pure_local(game.payoffs)
    if np.prod(shape) <= 2_000 and seed == 0:  # the slow pure-Python brute force once per shape
        assert coop_pure(game) == brute_force_pure(game)


def test_a_large_payoff_elsewhere_does_not_loosen_the_check():
    # player 1's two actions differ by 1e-4 at row 0; a payoff of 1e6 in another row (or in the other
    # player's table) used to make one tolerance of 1e-3 for the whole game: now each line has its own stake
    payoffs = np.zeros((2, 3, 2))
    payoffs[1, 0] = [0.0, 1e-4]
    game = NormalFormGame.from_payoffs(payoffs)
    assert (0, 0) not in coop_pure(game) and (0, 1) in coop_pure(game)
    payoffs[1, 2, 0] = 1e6
    payoffs[1, 2, 1] = 1e6
    payoffs[0, 1, 1] = -1e6
    game = NormalFormGame.from_payoffs(payoffs)
    assert (0, 0) not in coop_pure(game) and (0, 1) in coop_pure(game)
    assert coop_pure(game) == numpy_pure_local(game.payoffs) == brute_force_pure(game)


def test_ties_up_to_rounding_still_count():
    # 0.1 + 0.2 and 0.3 differ in the last bit: a tie, whatever the scale of the payoffs
    for scale in (1.0, 1e-12, 1e12):
        payoffs = np.zeros((2, 2, 2))
        payoffs[0, :, 0] = [(0.1 + 0.2) * scale, 0.3 * scale]
        game = NormalFormGame.from_payoffs(payoffs)
        assert {(0, 0), (1, 0)} <= coop_pure(game)


def test_the_minimum_counts_in_the_spread_even_in_the_last_player():
    # a payoff of -1e6 in the last player's table neither loosens nor tightens the other players' checks
    rng = np.random.default_rng(5)
    payoffs = rng.integers(0, 3, (3, 6, 5, 4)).astype(float)
    payoffs[0, 0, 0, 0] = payoffs[0, 1, 0, 0] - 1e-4
    payoffs[2, 5, 4, 3] = -1e6
    game = NormalFormGame.from_payoffs(payoffs)
    assert coop_pure(game) == numpy_pure_local(game.payoffs) == brute_force_pure(game)


@pytest.mark.parametrize("width", [16, 48, 80])
@pytest.mark.parametrize("count", [1, 3, 4, 9])
def test_top2_strips_against_sorting(width, count):
    rng = np.random.default_rng(width + count)
    u = rng.integers(0, 5, width * count + 7).astype(float)
    x1 = np.full(width, -np.inf)
    x2 = np.full(width, -np.inf)
    tag = np.zeros(width)
    lo = np.full(width, np.inf)
    pn._top2_strips(u, 7, width, count, width, 0, pn.Top2(x1, x2, tag, lo))
    strips = u[7:].reshape(count, width)
    top = np.sort(strips, axis=0)
    np.testing.assert_array_equal(x1, top[-1])
    np.testing.assert_array_equal(x2, top[-2] if count > 1 else np.full(width, -np.inf))
    np.testing.assert_array_equal(tag, strips.argmax(axis=0))
    np.testing.assert_array_equal(lo, top[0])


@pytest.mark.parametrize("width", [1, 7, 8, 9, 100, 1001])
def test_fold_min_max(width):
    x = np.random.default_rng(width).standard_normal(width)
    assert pn._fold_min(x.copy(), width) == x.min()
    assert pn._fold_max(x.copy(), width) == x.max()
