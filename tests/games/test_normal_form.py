"""Tests of NormalFormGame: constructors, validation, evaluation, and the oracle converters.

Expected payoffs, action values and regrets are compared with a brute-force sum over
all pure profiles, and with QuantEcon (``Player.payoff_vector``, ``is_nash``), Nashpy
(``Game[sigma_r, sigma_c]``) and pygambit (``MixedStrategyProfile``) on the same games.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.normal_form import MAX_PAYOFF_BYTES, check_game_size
from tests import textbook_games
from tests.oracles import gambit_labels, gambit_payoffs
from tests.strategies import games

TOL = 1e-12  # relative to the payoff scale: floating-point agreement of two sums
NASH_TOL = 1e-9


# ---------------------------------------------------------------------- helpers
def brute_force_action_values(game: NormalFormGame, profile) -> list[np.ndarray]:
    """v_i[k] = sum over profiles with s_i = k of prod_{j != i} sigma_j(s_j) u_i(s)."""
    values = [np.zeros(a) for a in game.num_actions]
    for s in itertools.product(*(range(a) for a in game.num_actions)):
        for i in range(game.num_players):
            weight = 1.0
            for j, k in enumerate(s):
                if j != i:
                    weight *= profile[j][k]
            values[i][s[i]] += weight * game.payoffs[(i, *s)]
    return values


def brute_force_expected(game: NormalFormGame, profile) -> np.ndarray:
    total = np.zeros(game.num_players)
    for s in itertools.product(*(range(a) for a in game.num_actions)):
        weight = np.prod([profile[j][k] for j, k in enumerate(s)])
        total += weight * game.payoffs[(slice(None), *s)]
    return total


@st.composite
def game_and_profile(draw, n_players=(1, 4), max_actions=4):
    game = draw(games(n_players=n_players, max_actions=max_actions, max_profiles=96))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    alpha = draw(st.sampled_from([0.2, 1.0, 5.0]))  # small alpha gives nearly pure strategies
    profile = []
    for a in game.num_actions:
        s = rng.dirichlet(np.full(a, alpha))
        if draw(st.booleans()) and a > 1:  # exact zeros too
            s[rng.integers(a)] = 0.0
            s /= s.sum()
        profile.append(s)
    return game, tuple(profile)


# ---------------------------------------------------------------------- constructors
def test_from_payoffs_defaults_and_copy():
    arr = np.arange(12.0).reshape(2, 2, 3)
    g = NormalFormGame.from_payoffs(arr, title="t", description="d")
    arr[0, 0, 0] = 99.0
    assert g.payoffs[0, 0, 0] == 0.0  # a copy, not a view
    assert g.players == ("1", "2")
    assert g.actions == (("1", "2"), ("1", "2", "3"))
    assert (g.title, g.description) == ("t", "d")
    assert g.num_players == 2 and g.num_actions == (2, 3) and g.num_profiles == 6
    assert g.payoffs.dtype == np.float64 and g.payoffs.flags.c_contiguous
    with pytest.raises(ValueError):
        g.payoffs[0, 0, 0] = 1.0  # read-only


def test_from_payoffs_accepts_integer_lists():
    g = NormalFormGame.from_payoffs([[[1, 2]], [[3, 4]]])
    assert g.payoffs.dtype == np.float64
    assert g.num_actions == (1, 2)


def test_from_bimatrix_convention():
    A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    B = -A
    g = NormalFormGame.from_bimatrix(A, B, players=("R", "C"), actions=(("u", "d"), ("l", "m", "r")))
    for r, c in itertools.product(range(2), range(3)):
        assert g.payoffs[0][r, c] == A[r, c]
        assert g.payoffs[1][r, c] == B[r, c]
    assert g.action_index("C", "m") == 1
    assert g.player_index("C") == 1


def test_symmetric_convention():
    M = np.array([[4.0, 0.0, 1.0], [3.0, 2.0, 5.0], [7.0, -1.0, 0.5]])
    g = NormalFormGame.symmetric(M, actions=("a", "b", "c"))
    for r, c in itertools.product(range(3), range(3)):
        assert g.payoffs[0][r, c] == M[r, c]
        assert g.payoffs[1][r, c] == M[c, r]  # column player's payoff of playing c against r
    assert g.actions == (("a", "b", "c"), ("a", "b", "c"))


def test_one_player_game():
    g = NormalFormGame.from_payoffs([[3.0, 1.0, 2.0]])
    assert g.num_players == 1
    s = (np.array([0.0, 0.5, 0.5]),)
    np.testing.assert_allclose(g.expected_payoffs(s), [1.5])
    np.testing.assert_allclose(g.regrets(s), [1.5])


def test_pure_profile_and_payoff_scale():
    g = textbook_games.von_stengel_3x2()
    p = g.pure_profile([2, 1])
    assert [s.tolist() for s in p] == [[0, 0, 1], [0, 1]]
    np.testing.assert_array_equal(g.expected_payoffs(p), g.payoffs[:, 2, 1])
    assert g.payoff_scale == 6.0
    assert NormalFormGame.from_payoffs(np.full((2, 2, 2), 3.0)).payoff_scale == 1.0


# ---------------------------------------------------------------------- validation
NAN_GAME = np.zeros((2, 2, 2))
NAN_GAME[1, 1, 0] = np.nan
INF_GAME = np.zeros((2, 2, 2))
INF_GAME[0, 0, 1] = -np.inf

VALIDATION = [
    pytest.param(lambda: NormalFormGame.from_payoffs(np.zeros((2, 2))), "not of the form", id="ndim_mismatch"),
    pytest.param(lambda: NormalFormGame.from_payoffs(np.zeros((3, 2, 2))), "not of the form", id="n_mismatch"),
    pytest.param(lambda: NormalFormGame.from_payoffs(np.zeros(4)), "not of the form", id="vector"),
    pytest.param(lambda: NormalFormGame.from_payoffs(np.zeros((2, 0, 2))), "at least one action", id="no_actions"),
    pytest.param(lambda: NormalFormGame.from_payoffs(NAN_GAME), "finite", id="nan"),
    pytest.param(lambda: NormalFormGame.from_payoffs(INF_GAME), "finite", id="inf"),
    pytest.param(lambda: NormalFormGame.from_payoffs(np.zeros((2, 2, 2)), players=("A", "A")), "unique",
                 id="duplicate_players"),
    pytest.param(lambda: NormalFormGame.from_payoffs(np.zeros((2, 2, 2)), players=("A",)), "1 player names",
                 id="too_few_players"),
    pytest.param(lambda: NormalFormGame.from_payoffs(np.zeros((2, 2, 2)), actions=(("a", "a"), ("b", "c"))),
                 "unique", id="duplicate_actions"),
    pytest.param(lambda: NormalFormGame.from_payoffs(np.zeros((2, 2, 2)), actions=(("a", "b"),)),
                 "action lists given for 1 players", id="too_few_action_lists"),
    pytest.param(lambda: NormalFormGame.from_payoffs(np.zeros((2, 2, 2)), actions=(("a", "b"), ("c",))),
                 "1 action names but 2 actions", id="wrong_action_count"),
    pytest.param(lambda: NormalFormGame.from_bimatrix(np.zeros((2, 2)), np.zeros((2, 3))), "one shape",
                 id="bimatrix_shapes"),
    pytest.param(lambda: NormalFormGame.from_bimatrix(np.zeros(2), np.zeros(2)), "one shape", id="bimatrix_1d"),
    pytest.param(lambda: NormalFormGame.symmetric(np.zeros((2, 3))), "square", id="symmetric_not_square"),
    pytest.param(lambda: check_game_size([10**5] * 3), "GiB", id="too_large"),
    pytest.param(lambda: textbook_games.stag_hunt().player_index("Nobody"), "unknown player", id="unknown_player"),
    pytest.param(lambda: textbook_games.stag_hunt().action_index("Row", "Fish"), "unknown action",
                 id="unknown_action"),
    pytest.param(lambda: textbook_games.stag_hunt().expected_payoffs([np.ones(2) / 2]), "needs 2 strategies",
                 id="profile_length"),
    pytest.param(lambda: textbook_games.stag_hunt().regrets([np.ones(2) / 2, np.ones(3) / 3]), "expected (2,)",
                 id="strategy_shape"),
]


@pytest.mark.parametrize(("build", "message"), VALIDATION)
def test_validation_errors(build, message):
    with pytest.raises(InputError) as info:
        build()
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_size_limit_boundary():
    side = math.isqrt(MAX_PAYOFF_BYTES // (8 * 2))  # a square 2-player game of exactly MAX_PAYOFF_BYTES
    assert 8 * 2 * side * side == MAX_PAYOFF_BYTES
    check_game_size([side, side])  # exactly at the limit: accepted
    with pytest.raises(InputError, match="GiB"):
        check_game_size([side, side + 1])


# ---------------------------------------------------------------------- evaluation vs brute force
@settings(deadline=None, max_examples=40)
@given(game_and_profile())
def test_evaluation_matches_brute_force(case):
    game, profile = case
    scale = game.payoff_scale
    values = game.action_values(profile)
    expected_values = brute_force_action_values(game, profile)
    for i in range(game.num_players):
        np.testing.assert_allclose(values[i], expected_values[i], rtol=0, atol=TOL * scale * 10)
    payoffs = game.expected_payoffs(profile)
    np.testing.assert_allclose(payoffs, brute_force_expected(game, profile), rtol=0, atol=TOL * scale * 10)
    regrets = game.regrets(profile)
    direct = [expected_values[i].max() - expected_values[i] @ profile[i] for i in range(game.num_players)]
    np.testing.assert_allclose(regrets, direct, rtol=0, atol=TOL * scale * 10)
    assert np.all(regrets >= -TOL * scale)
    assert game.max_regret(profile) == regrets.max()


def test_evaluation_does_not_mutate_profile():
    g = textbook_games.three_player_matching_pennies()
    profile = [np.array([0.3, 0.7]), np.array([0.5, 0.5]), np.array([1.0, 0.0])]
    copies = [s.copy() for s in profile]
    g.regrets(profile)
    g.expected_payoffs(profile)
    for s, c in zip(profile, copies, strict=True):
        np.testing.assert_array_equal(s, c)


# ---------------------------------------------------------------------- QuantEcon
def quantecon_action_values(qgame, profile):
    """Player i's payoff vector against the others' mixed actions, in QuantEcon's opponent order."""
    n = len(profile)
    out = []
    for i in range(n):
        opponents = tuple(profile[(i + k) % n] for k in range(1, n))
        out.append(qgame.players[i].payoff_vector(opponents[0] if n == 2 else opponents))
    return out


@settings(deadline=None, max_examples=30)
@given(game_and_profile(n_players=(2, 4)))
def test_against_quantecon_mixed(case):
    game, profile = case
    qgame = game.to_quantecon()
    scale = game.payoff_scale
    ours = game.action_values(profile)
    theirs = quantecon_action_values(qgame, profile)
    for i in range(game.num_players):
        np.testing.assert_allclose(ours[i], theirs[i], rtol=0, atol=TOL * scale * 10)
        assert abs(ours[i] @ profile[i] - theirs[i] @ profile[i]) <= TOL * scale * 10


@settings(deadline=None, max_examples=20)
@given(games(n_players=(2, 4), max_actions=3, continuous=False, max_profiles=27))
def test_pure_profiles_against_quantecon(game):
    """Payoffs and the Nash property of every pure profile (integer games: ties included)."""
    qgame = game.to_quantecon()
    for s in itertools.product(*(range(a) for a in game.num_actions)):
        np.testing.assert_array_equal(np.asarray(qgame[s], dtype=float), game.payoffs[(slice(None), *s)])
        profile = game.pure_profile(s)
        assert (game.max_regret(profile) <= NASH_TOL) == qgame.is_nash(s, tol=NASH_TOL)
        assert (game.max_regret(profile) <= NASH_TOL) == qgame.is_nash(profile, tol=NASH_TOL)


KNOWN_EQUILIBRIA = [
    pytest.param(textbook_games.matching_pennies, [[0.5, 0.5], [0.5, 0.5]], id="pennies"),
    pytest.param(textbook_games.battle_of_the_sexes, [[2 / 3, 1 / 3], [1 / 3, 2 / 3]], id="bos_mixed"),
    pytest.param(textbook_games.stag_hunt, [[2 / 3, 1 / 3], [2 / 3, 1 / 3]], id="stag_hunt_mixed"),
    pytest.param(textbook_games.chicken, [[2 / 3, 1 / 3], [2 / 3, 1 / 3]], id="chicken_mixed"),
    pytest.param(textbook_games.rock_paper_scissors, [[1 / 3] * 3, [1 / 3] * 3], id="rps"),
    pytest.param(textbook_games.von_stengel_3x2, [[4 / 5, 1 / 5, 0], [2 / 3, 1 / 3]], id="von_stengel_b"),
    pytest.param(textbook_games.von_stengel_3x2, [[0, 1 / 3, 2 / 3], [1 / 3, 2 / 3]], id="von_stengel_c"),
    pytest.param(textbook_games.three_player_matching_pennies, [[0.5, 0.5]] * 3, id="3p_pennies"),
]


@pytest.mark.parametrize(("factory", "profile"), KNOWN_EQUILIBRIA)
def test_known_equilibria_against_quantecon(factory, profile):
    game = factory()
    profile = [np.array(s, dtype=float) for s in profile]
    qgame = game.to_quantecon()
    assert game.max_regret(profile) <= NASH_TOL * game.payoff_scale
    assert qgame.is_nash(tuple(profile), tol=NASH_TOL)
    # move the first player off equilibrium towards its worst action: both must see regret
    values = game.action_values(profile)[0]
    off = np.zeros_like(profile[0])
    off[np.argmin(values) if np.ptp(values) > 0 else 0] = 1.0
    perturbed = [0.5 * profile[0] + 0.5 * off, *profile[1:]]
    ours_nash = game.max_regret(perturbed) <= NASH_TOL
    assert ours_nash == qgame.is_nash(tuple(perturbed), tol=NASH_TOL)


# ---------------------------------------------------------------------- Nashpy
@settings(deadline=None, max_examples=30)
@given(game_and_profile(n_players=2, max_actions=5))
def test_against_nashpy(case):
    game, profile = case
    theirs = game.to_nashpy()[profile[0], profile[1]]
    np.testing.assert_allclose(game.expected_payoffs(profile), theirs, rtol=0, atol=TOL * game.payoff_scale * 10)


def test_nashpy_rejects_three_players():
    with pytest.raises(InputError, match="2-player"):
        textbook_games.three_player_matching_pennies().to_nashpy()


# ---------------------------------------------------------------------- pygambit
@settings(deadline=None, max_examples=25)
@given(game_and_profile(n_players=(1, 4), max_actions=3))
def test_against_pygambit(case):
    game, profile = case
    gg = game.to_gambit()
    players = list(gg.players)
    assert gambit_labels(gg) == (game.players, game.actions)
    mixed = gg.mixed_strategy_profile(data=[s.tolist() for s in profile], rational=False)
    atol = TOL * game.payoff_scale * 10
    ours_values = game.action_values(profile)
    ours_payoffs = game.expected_payoffs(profile)
    ours_regrets = game.regrets(profile)
    payoffs, values, regrets = mixed.payoffs, mixed.strategy_values, mixed.player_regrets
    for i, player in enumerate(players):
        assert abs(payoffs[player] - ours_payoffs[i]) <= atol
        np.testing.assert_allclose(ours_values[i], [values[player][s] for s in gg.get_strategies(player)],
                                   rtol=0, atol=atol)
        assert abs(regrets[player] - ours_regrets[i]) <= atol


def test_to_gambit_pure_payoffs_exact():
    game = NormalFormGame.from_payoffs(np.random.default_rng(3).standard_normal((3, 2, 3, 2)),
                                       players=("A", "B", "C"), title="")
    gg = game.to_gambit()
    players = list(gg.players)
    strategies = [gg.get_strategies(p) for p in players]
    for s in itertools.product(range(2), range(3), range(2)):
        payoffs = gg.get_payoffs({p: strategies[i][k] for i, (p, k) in enumerate(zip(players, s, strict=True))})
        assert [float(payoffs[p]) for p in players] == game.payoffs[(slice(None), *s)].tolist()
    np.testing.assert_array_equal(gambit_payoffs(gg), game.payoffs)
