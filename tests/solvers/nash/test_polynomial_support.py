"""Tests of N-player support enumeration (polynomial systems) and ordered support search.

Oracles: pygambit 17's ``enumpoly_solve`` (support enumeration with polynomial
systems) and ``gnm_solve`` (global Newton method) for N-player games, and
``enummixed_solve`` (vertex enumeration, complete on nondegenerate games) for
2-player games. On random games pygambit's ``enumpoly_solve`` often misses
equilibria (it returned even counts, which the oddness theorem rules out for
generic games; ``gnm_solve`` finds some of the missing ones), so N-player
checks assert that every equilibrium either oracle finds is ours, that ours are
verified, and that generic games get an odd number (Wilson 1971, "Computing
equilibria of N-person games", SIAM J. Appl. Math. 21).
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.nash.polynomial_support import polynomial_support_enumeration, support_search
from tests import regret
from tests.oracles import gambit_flat, pygambit
from tests.strategies import games
from tests.textbook_games import three_player_matching_pennies, two_totally_mixed_2x2x2

#: probabilities of matched equilibria agree to this
PROB_TOL = 1e-6


# ----------------------------------------------------------------------------- helpers
def _random_game(shape: tuple[int, ...], seed: int) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    return NormalFormGame.from_payoffs(rng.standard_normal((len(shape), *shape)))


def _flat(result) -> list[np.ndarray]:
    return [np.concatenate(eq.strategies) for eq in result.equilibria]


def _gambit_flat(gambit_result) -> list[np.ndarray]:
    return [gambit_flat(eq) for eq in gambit_result.equilibria]


def _oracle_equilibria(game: NormalFormGame, profiles: list[np.ndarray]) -> list[np.ndarray]:
    """Oracle profiles that are equilibria to 1e-7 x payoff spread.

    pygambit's enumpoly sometimes returns a point near an equilibrium whose regret is
    ~1e-4 (on a 4x4x4 game: an unused action beat the support by 3.6e-4); such points
    are not equilibria and are not expected among ours (ours has the exact one nearby).
    """
    cuts = np.cumsum(game.num_actions)[:-1]
    return [q for q in profiles if game.max_regret(np.split(q, cuts)) <= 1e-7 * game.payoff_scale]


def _missing(found: list[np.ndarray], reference: list[np.ndarray], tol: float = PROB_TOL) -> list:
    """The profiles of ``reference`` with no match in ``found``."""
    return [q for q in reference if not any(np.max(np.abs(q - f)) <= tol for f in found)]


def _brute_force_pure(game: NormalFormGame, tol: float) -> set[tuple[int, ...]]:
    return regret.pure_equilibria(game, tol)


def _pure_supports(result) -> set[tuple[int, ...]]:
    n = result.game.num_players
    return {tuple(eq.support(i)[0] for i in range(n)) for eq in result.equilibria if eq.is_pure}


def _check_verified(result) -> None:
    game = result.game
    for eq in result.equilibria:
        assert eq.relative_regret <= result.tol
        assert regret.is_equilibrium(game, eq.strategies, result.tol)
        for i, s in enumerate(eq.strategies):
            assert s.shape == (game.num_actions[i],)
            assert s.min() >= 0.0
            assert abs(s.sum() - 1.0) <= 1e-12


# ----------------------------------------------------------------------------- textbook games
def public_goods_3() -> NormalFormGame:
    """Three-player linear public goods game (Ledyard 1995, "Public goods: a survey of
    experimental research"): contributing costs 1 and returns 0.5 to each player, so not
    contributing is strictly dominant; the unique equilibrium is pure (nobody contributes)."""
    P = np.zeros((3, 2, 2, 2))
    for prof in itertools.product(range(2), repeat=3):
        pot = 1.5 * sum(prof)  # action 1 = contribute
        for i in range(3):
            P[(i, *prof)] = pot / 3 - prof[i]
    return NormalFormGame.from_payoffs(P, actions=(("keep", "give"),) * 3)


def three_player_coordination() -> NormalFormGame:
    """Strict 3-player coordination with distinct rewards: everyone gets ``3 + i`` (player i)
    when all choose A, ``1 + 0.1 i`` when all choose B, and small distinct losses otherwise."""
    rng = np.random.default_rng(7)
    P = -1.0 - rng.random((3, 2, 2, 2))
    for i in range(3):
        P[i, 0, 0, 0] = 3.0 + i
        P[i, 1, 1, 1] = 1.0 + 0.1 * i
    return NormalFormGame.from_payoffs(P)


def test_three_player_matching_pennies_unique_half_half():
    res = polynomial_support_enumeration(three_player_matching_pennies())
    assert res.guarantee == "all" and res.degenerate is False and res.converged
    assert len(res.equilibria) == 1
    for s in res.equilibria[0].strategies:
        np.testing.assert_allclose(s, [0.5, 0.5], atol=PROB_TOL)
    _check_verified(res)


def test_two_totally_mixed_2x2x2_nine_equilibria_as_pygambit():
    game = two_totally_mixed_2x2x2()
    res = polynomial_support_enumeration(game)
    _check_verified(res)
    assert res.guarantee == "all"
    assert len(res.equilibria) == 9
    totally_mixed = [eq for eq in res.equilibria if all(np.all(s > 1e-9) for s in eq.strategies)]
    assert len(totally_mixed) == 2
    ours = _flat(res)
    theirs = _gambit_flat(pygambit.nash.enumpoly_solve(game.to_gambit()))
    assert len(theirs) == 9
    assert _missing(ours, theirs) == [] and _missing(theirs, ours) == []


@pytest.mark.parametrize(
    ("factory", "expected"),
    [
        pytest.param(public_goods_3, {(0, 0, 0)}, id="public_goods"),
        pytest.param(three_player_coordination, {(0, 0, 0), (1, 1, 1)}, id="coordination"),
    ],
)
def test_pure_equilibria_games(factory, expected):
    game = factory()
    res = polynomial_support_enumeration(game)
    _check_verified(res)
    assert _pure_supports(res) == expected
    theirs = _gambit_flat(pygambit.nash.enumpoly_solve(game.to_gambit()))
    assert _missing(_flat(res), theirs) == []
    if factory is public_goods_3:
        assert len(res.equilibria) == 1  # strict dominance: nothing mixed


# ----------------------------------------------------------------------------- N-player oracles
N_PLAYER_CASES = [
    pytest.param((2, 2, 2), seed, id=f"2x2x2-{seed}") for seed in range(6)
] + [
    pytest.param((3, 3, 3), seed, id=f"3x3x3-{seed}") for seed in range(4)
] + [
    pytest.param((2, 3, 4), seed, id=f"2x3x4-{seed}") for seed in range(3)
] + [
    pytest.param((2, 2, 2, 2), seed, id=f"2x2x2x2-{seed}") for seed in range(4)
]


@pytest.mark.parametrize(("shape", "seed"), N_PLAYER_CASES)
def test_contains_every_oracle_equilibrium(shape, seed):
    game = _random_game(shape, seed)
    res = polynomial_support_enumeration(game)
    _check_verified(res)
    assert res.guarantee == "all" and res.degenerate is False
    assert len(res.equilibria) % 2 == 1  # generic games have an odd number
    ours = _flat(res)
    gambit = game.to_gambit()
    for oracle in (pygambit.nash.enumpoly_solve, pygambit.nash.gnm_solve):
        theirs = _oracle_equilibria(game, _gambit_flat(oracle(gambit)))
        assert _missing(ours, theirs) == []
    assert _pure_supports(res) == _brute_force_pure(game, res.tol)


def test_finds_the_mixed_equilibrium_enumpoly_misses():
    # seed 12: pygambit's enumpoly returns two pure-ish equilibria, gnm finds a third
    game = _random_game((2, 2, 2), 12)
    res = polynomial_support_enumeration(game)
    ours = _flat(res)
    enumpoly = _gambit_flat(pygambit.nash.enumpoly_solve(game.to_gambit()))
    gnm = _gambit_flat(pygambit.nash.gnm_solve(game.to_gambit()))
    assert len(enumpoly) == 2 and len(ours) == 3
    assert _missing(ours, enumpoly) == []
    assert _missing(ours, gnm) == [] and _missing(gnm, ours) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seed", "oracle"),
    [
        # enumpoly takes ~4 s on seed 0 but minutes on others (e.g. seed 1000), so gnm there
        pytest.param(0, "enumpoly_solve", id="enumpoly-0"),
        pytest.param(1000, "gnm_solve", id="gnm-1000"),
    ],
)
def test_4x4x4_contains_oracle(seed, oracle):
    game = _random_game((4, 4, 4), seed)
    res = polynomial_support_enumeration(game)
    _check_verified(res)
    assert res.guarantee == "all" and len(res.equilibria) % 2 == 1
    theirs = _oracle_equilibria(game, _gambit_flat(getattr(pygambit.nash, oracle)(game.to_gambit())))
    assert len(theirs) >= 1
    assert _missing(_flat(res), theirs) == []


# ----------------------------------------------------------------------------- 2 players
@pytest.mark.parametrize(
    ("shape", "seed"),
    [pytest.param(s, seed, id=f"{s[0]}x{s[1]}-{seed}")
     for s in [(2, 2), (3, 3), (4, 4), (3, 5), (5, 3)] for seed in range(3)],
)
def test_two_players_equal_vertex_enumeration(shape, seed):
    game = _random_game(shape, seed)
    res = polynomial_support_enumeration(game)
    _check_verified(res)
    assert res.guarantee == "all"
    ours = _flat(res)
    theirs = _gambit_flat(pygambit.nash.enummixed_solve(game.to_gambit(), rational=False))
    assert len(ours) == len(theirs)
    assert _missing(ours, theirs) == [] and _missing(theirs, ours) == []


# ----------------------------------------------------------------------------- properties
@settings(deadline=None, max_examples=25)
@given(games(n_players=3, max_actions=3))
def test_property_verified_and_pure_equal_brute_force(game):
    res = polynomial_support_enumeration(game)
    _check_verified(res)
    assert len(res.equilibria) >= 1
    assert _pure_supports(res) == _brute_force_pure(game, res.tol)


@settings(deadline=None, max_examples=25)
@given(games(n_players=(3, 4), max_actions=3, continuous=False, max_profiles=54))
def test_property_degenerate_games_do_not_crash(game):
    res = polynomial_support_enumeration(game)
    _check_verified(res)
    assert len(res.equilibria) >= 1
    # pure profiles are checked directly, ties or not
    assert _pure_supports(res) == _brute_force_pure(game, res.tol)
    if res.guarantee == "some":
        assert res.degenerate and res.notes


def test_all_zero_game_is_degenerate_but_answered():
    game = NormalFormGame.from_payoffs(np.zeros((3, 2, 2, 2)))
    res = polynomial_support_enumeration(game)
    _check_verified(res)
    assert res.degenerate is True and res.guarantee == "some"
    assert any("degenerate" in note for note in res.notes)
    assert _pure_supports(res) == set(itertools.product(range(2), repeat=3))


def test_integer_game_with_ties_returns_only_verified():
    rng = np.random.default_rng(5)
    game = NormalFormGame.from_payoffs(rng.integers(-1, 2, (3, 3, 3, 3)).astype(float))
    res = polynomial_support_enumeration(game)
    _check_verified(res)
    assert res.degenerate is True
    assert _pure_supports(res) == _brute_force_pure(game, res.tol)


# ----------------------------------------------------------------------------- support search
@pytest.mark.parametrize("seed", range(4))
def test_support_search_finds_one_of_all(seed):
    game = _random_game((3, 3, 3), seed)
    one = support_search(game)
    assert one.guarantee == "some" and one.converged
    assert len(one.equilibria) >= 1
    _check_verified(one)
    assert _missing(_flat(polynomial_support_enumeration(game)), _flat(one)) == []


def test_support_search_prefers_small_supports():
    # a game with a pure equilibrium: sizes (1, 1, 1) come first in the order
    one = support_search(three_player_coordination())
    assert all(eq.is_pure for eq in one.equilibria)
    assert one.num_iter <= 8


@pytest.mark.parametrize("shape", [(6, 6, 6), (4, 4, 4, 4), (8, 8, 8)])
def test_support_search_larger_games(shape):
    game = _random_game(shape, 11)
    one = support_search(game)
    assert one.converged and len(one.equilibria) >= 1
    _check_verified(one)


def test_support_search_cap_reports_not_converged():
    one = support_search(three_player_matching_pennies(), max_supports=3)
    assert not one.converged and one.equilibria == ()
    assert any("max_supports" in note for note in one.notes)


# ----------------------------------------------------------------------------- contract
def test_max_supports_cap_and_json():
    game = _random_game((3, 3, 3), 2)
    full = polynomial_support_enumeration(game)
    part = polynomial_support_enumeration(game, max_supports=27)  # the pure profiles only
    assert part.guarantee == "some" and not part.converged
    assert {tuple(x.round(8)) for x in _flat(part)} <= {tuple(x.round(8)) for x in _flat(full)}
    doc = json.loads(json.dumps(full.to_dict()))
    assert doc["method"] == "polynomial_support_enumeration"
    assert len(doc["equilibria"]) == len(full.equilibria)


def test_input_not_mutated_and_deterministic():
    game = _random_game((2, 3, 3), 4)
    before = game.payoffs.copy()
    a = polynomial_support_enumeration(game)
    b = polynomial_support_enumeration(game)
    np.testing.assert_array_equal(game.payoffs, before)
    assert len(a.equilibria) == len(b.equilibria)
    for x, y in zip(_flat(a), _flat(b), strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        pytest.param({"tol": -1.0}, "tol", id="negative_tol"),
        pytest.param({"tol": float("nan")}, "tol", id="nan_tol"),
        pytest.param({"max_supports": 0}, "max_supports", id="zero_cap"),
        pytest.param({"max_supports": 2.5}, "max_supports", id="float_cap"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        polynomial_support_enumeration(three_player_matching_pennies(), **kwargs)


def test_too_many_supports_refused():
    game = NormalFormGame.from_payoffs(np.zeros((3, 9, 9, 9)))
    with pytest.raises(InputError, match="support profiles"):
        polynomial_support_enumeration(game)
    with pytest.raises(InputError, match="NormalFormGame"):
        support_search(np.zeros((2, 2, 2)))
