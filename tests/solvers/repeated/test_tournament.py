"""Tests of round-robin tournaments of automata: against the Axelrod library, the exact expected scores, textbook
facts and bad input.

Axelrod 4.13.1 conventions checked here: one match per unordered pair (player listed first in the row role),
self-play against a clone kept out of ``scores``, ``wins`` and ``normalised_scores``; noise flips each realised
action with probability ``noise`` and both players see the realised actions.
"""

from __future__ import annotations

import itertools
import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.automata import BUILDERS
from coop.games.names import CLASSIC_FIELD
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.tournament import initial_distribution, round_robin, swap_roles
from tests.oracles import axelrod as axl
from tests.textbook_games import prisoners_dilemma

R, S, T, P = 3.0, 0.0, 5.0, 1.0
TURNS = 200
#: sampling bound: |estimate - expectation| <= Z * standard error (plus SLACK)
Z = 5.0
SLACK = 1e-9

# coop strategy -> Axelrod strategy class (the deterministic ones: their matches are one sure play)
DETERMINISTIC = {
    "always_cooperate": "Cooperator",
    "always_defect": "Defector",
    "tit_for_tat": "TitForTat",
    "grudger": "Grudger",
    "grim_trigger": "Grudger",  # the same as Grudger without noise (it never defects first)
    "win_stay_lose_shift": "WinStayLoseShift",
    "tit_for_two_tats": "TitFor2Tats",
    "two_tits_for_tat": "TwoTitsForTat",
    "hard_tit_for_tat": "HardTitForTat",
    "suspicious_tit_for_tat": "SuspiciousTitForTat",
    "alternator": "Alternator",
    "cycler": "CyclerCCD",
}
STOCHASTIC = {"generous_tit_for_tat": "GTFT", "random": "Random"}
NAMES = list(DETERMINISTIC)


def pd_game(noise: float = 0.0, **kwargs) -> RepeatedGame:
    return RepeatedGame(prisoners_dilemma(T, R, P, S), None, (0, 0), (1, 1), noise=noise, **kwargs)


def axl_players(names):
    table = {**DETERMINISTIC, **STOCHASTIC}
    return [getattr(axl, table[n])() for n in names]


def axl_tournament(names, turns, repetitions, noise, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = axl.Tournament(axl_players(names), turns=turns, repetitions=repetitions, noise=noise, seed=seed)
        return t.play(progress_bar=False)


@pytest.fixture(scope="module")
def deterministic_round():
    return round_robin(pd_game(), NAMES, turns=TURNS, repetitions=1)


# ---------------------------------------------------------------------- (a) the same scores as Axelrod
@pytest.mark.parametrize(
    "a, b", [pytest.param(a, b, id=f"{a}-{b}") for a, b in itertools.combinations_with_replacement(NAMES, 2)]
)
def test_match_scores_equal_axelrod(deterministic_round, a, b):
    i, j = NAMES.index(a), NAMES.index(b)
    match = axl.Match(tuple(axl_players((a, b))), turns=TURNS)
    match.play()
    theirs = match.final_score()
    totals = deterministic_round.match_totals[0]
    if i == j:  # self-play: the diagonal is the mean of the two copies' totals
        assert totals[i, i] == (theirs[0] + theirs[1]) / 2
    else:
        assert (totals[i, j], totals[j, i]) == theirs


def test_exact_path_equals_the_one_sure_play(deterministic_round):
    exact = round_robin(pd_game(), NAMES, turns=TURNS, exact=True)
    np.testing.assert_array_equal(exact.match_totals[0], deterministic_round.match_totals[0])
    # deterministic matches do not vary over repetitions
    more = round_robin(pd_game(), NAMES, turns=TURNS, repetitions=3, seed=5)
    np.testing.assert_array_equal(more.match_totals, np.broadcast_to(exact.match_totals, more.match_totals.shape))


def test_full_tournament_equals_axelrod_without_noise():
    names = [n for n in NAMES if n != "grim_trigger"]
    theirs = axl_tournament(names, TURNS, 1, 0.0, seed=1)
    mine = round_robin(pd_game(), names, turns=TURNS, repetitions=1)
    k = len(names)
    np.testing.assert_array_equal(mine.match_totals[0][~np.eye(k, dtype=bool)].reshape(k, k - 1).sum(axis=1),
                                  [s[0] for s in theirs.scores])
    assert mine.wins[0].tolist() == [w[0] for w in theirs.wins]
    np.testing.assert_allclose(mine.normalised_scores[0], [s[0] for s in theirs.normalised_scores], rtol=0,
                               atol=1e-12)
    np.testing.assert_allclose(mine.payoff_matrix, theirs.payoff_matrix, rtol=0, atol=1e-12)
    assert mine.ranking == tuple(theirs.ranking)


# ---------------------------------------------------------------------- (b) exact vs sampled
CLASSIC10 = list(CLASSIC_FIELD)


@pytest.mark.parametrize(
    "game, turns, reps",
    [
        pytest.param(pd_game(0.05), 200, 300, id="noise_0.05"),
        pytest.param(pd_game(0.0), 100, 300, id="noise_0_stochastic_strategies"),
        pytest.param(pd_game(0.02, detection=0.8, false_alarm=0.05), 60, 400, id="imperfect_monitoring"),
        pytest.param(
            RepeatedGame(NormalFormGame.from_bimatrix([[4.0, 0.0], [6.0, 2.0]], [[3.0, 7.0], [-1.0, 1.0]]),
                         None, (0, 0), (1, 1), noise=0.1),
            60, 300, id="asymmetric_stage_game"),
    ],
)
def test_simulation_agrees_with_expected_scores(game, turns, reps):
    exact = round_robin(game, CLASSIC10, turns=turns, exact=True)
    sim = round_robin(game, CLASSIC10, turns=turns, repetitions=reps, seed=7)
    assert exact.method == "exact" and sim.method == "simulation"
    bound = Z * sim.payoff_std_error + SLACK
    assert np.all(np.abs(sim.payoff_matrix - exact.payoff_matrix) <= bound)
    se_scores = sim.normalised_scores.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(sim.scores - exact.scores) <= Z * se_scores + SLACK)


def test_axelrod_noisy_means_agree_with_expected_scores():
    names = ["tit_for_tat", "always_defect", "grudger", "win_stay_lose_shift", "generous_tit_for_tat", "random",
             "alternator"]
    turns, reps = 100, 20
    theirs = axl_tournament(names, turns, reps, 0.05, seed=3)
    exact = round_robin(pd_game(0.05), names, turns=turns, exact=True)
    per_rep = np.array(theirs.payoffs)  # (K, K, repetitions): score per turn
    se = per_rep.std(axis=2, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(per_rep.mean(axis=2) - exact.payoff_matrix) <= Z * se + SLACK)
    norm = np.array(theirs.normalised_scores)  # (K, repetitions)
    se_n = norm.std(axis=1, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(norm.mean(axis=1) - exact.scores) <= Z * se_n + SLACK)


def test_seeded_runs_repeat_and_differ_across_seeds():
    a = round_robin(pd_game(0.05), CLASSIC10, turns=50, repetitions=3, seed=11)
    b = round_robin(pd_game(0.05), CLASSIC10, turns=50, repetitions=3, seed=11)
    c = round_robin(pd_game(0.05), CLASSIC10, turns=50, repetitions=3, seed=12)
    np.testing.assert_array_equal(a.match_totals, b.match_totals)
    assert not np.array_equal(a.match_totals, c.match_totals)
    rng = np.random.default_rng(4)
    d = round_robin(pd_game(0.05), CLASSIC10, turns=50, repetitions=3, seed=rng)
    np.testing.assert_array_equal(d.match_totals, round_robin(pd_game(0.05), CLASSIC10, turns=50, repetitions=3,
                                                              seed=np.random.default_rng(4)).match_totals)


# ---------------------------------------------------------------------- (c) textbook facts
@pytest.mark.parametrize(
    "a, b, score_a, score_b",
    [
        pytest.param("tit_for_tat", "always_defect", S + 199 * P, T + 199 * P, id="tft_vs_alld"),
        pytest.param("always_cooperate", "always_defect", 200 * S, 200 * T, id="allc_vs_alld"),
        pytest.param("tit_for_tat", "always_cooperate", 200 * R, 200 * R, id="tft_vs_allc"),
        pytest.param("alternator", "always_cooperate", 100 * R + 100 * T, 100 * R + 100 * S, id="alt_vs_allc"),
        pytest.param("tit_for_tat", "suspicious_tit_for_tat", 100 * S + 100 * T, 100 * T + 100 * S, id="tft_vs_stft"),
        pytest.param("win_stay_lose_shift", "always_defect", 100 * S + 100 * P, 100 * T + 100 * P, id="wsls_vs_alld"),
        pytest.param("tit_for_two_tats", "alternator", 100 * R + 100 * S, 100 * R + 100 * T,
                     id="tf2t_exploited_by_alt"),
        pytest.param("grudger", "suspicious_tit_for_tat", S + T + 198 * P, T + S + 198 * P, id="grudger_vs_stft"),
    ],
)
def test_textbook_match_totals(a, b, score_a, score_b):
    res = round_robin(pd_game(), [a, b], turns=200, exact=True)
    assert res.match_totals[0, 0, 1] == score_a
    assert res.match_totals[0, 1, 0] == score_b


def test_noisy_tit_for_tat_tends_to_the_mean_of_the_four_payoffs():
    # Molander (1985): two TFT players under noise spend 1/4 of the time in each outcome
    res = round_robin(pd_game(0.05), ["tit_for_tat", "always_cooperate"], turns=4000, exact=True)
    assert abs(res.payoff_matrix[0, 0] - (R + S + T + P) / 4) < 0.01
    # GTFT recovers from errors: well above TFT in self-play under the same noise
    gen = round_robin(pd_game(0.05), ["generous_tit_for_tat", "always_cooperate"], turns=4000, exact=True)
    assert gen.payoff_matrix[0, 0] > res.payoff_matrix[0, 0] + 0.3


def test_random_starts_at_random_and_asymmetric_roles_are_averaged():
    g = pd_game()
    assert initial_distribution(g.automaton("random", 0)).tolist() == [0.5, 0.5]
    res = round_robin(g, ["random", "always_cooperate"], turns=1, exact=True)
    assert res.match_totals[0, 0, 1] == (R + T) / 2  # first move already random
    A = np.array([[4.0, 0.0], [6.0, 2.0]])
    B = np.array([[3.0, 7.0], [-1.0, 1.0]])
    asym = RepeatedGame(NormalFormGame.from_bimatrix(A, B), None, (0, 0), (1, 1))
    res = round_robin(asym, ["always_cooperate", "always_defect"], turns=10, exact=True)
    assert not res.symmetric
    assert res.payoff_matrix[0, 1] == (A[0, 1] + B[1, 0]) / 2
    assert res.payoff_matrix[1, 0] == (A[1, 0] + B[0, 1]) / 2
    assert res.payoff_matrix[0, 0] == (A[0, 0] + B[0, 0]) / 2


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_every_builder_is_role_symmetric(kind):
    # the tournament builds the row player's automaton only and swaps roles for the column player
    g = pd_game()
    row, col = g.automaton(kind, 0), g.automaton(kind, 1)
    np.testing.assert_array_equal(swap_roles(row.transitions, 2), col.transitions)
    np.testing.assert_array_equal(row.actions, col.actions)
    assert row.initial == col.initial


def test_result_dict_is_json(deterministic_round):
    d = json.loads(json.dumps(deterministic_round.to_dict()))
    assert d["strategies"] == NAMES and d["ranking"][0] == deterministic_round.ranked_names[0]
    assert d["payoff_matrix"]["tit_for_tat"]["always_defect"] == pytest.approx((S + 199 * P) / 200, abs=1e-12)
    assert set(d["wins"]) == set(NAMES)
    labels = round_robin(pd_game(), ["tit_for_tat", ("generous_tit_for_tat", {"generosity": 0.1}), "tit_for_tat"],
                         turns=5, repetitions=1).strategies
    assert labels == ("tit_for_tat", "generous_tit_for_tat(generosity=0.1)", "tit_for_tat #2")


# ---------------------------------------------------------------------- property tests
@settings(deadline=None, max_examples=15)
@given(
    pair=st.sampled_from([p for p in itertools.combinations(NAMES, 2) if "grim_trigger" not in p]),
    rstp=st.tuples(st.integers(-3, 6), st.integers(-3, 6), st.integers(-3, 6), st.integers(-3, 6)),
    turns=st.integers(1, 40),
)
def test_random_payoffs_match_axelrod(pair, rstp, turns):
    r, s, t, p = (float(x) for x in rstp)
    A = np.array([[r, s], [t, p]])
    game = RepeatedGame(NormalFormGame.from_bimatrix(A, A.T), None, (0, 0), (1, 1))
    mine = round_robin(game, list(pair), turns=turns, repetitions=1)
    match = axl.Match(tuple(axl_players(pair)), turns=turns, game=axl.Game(r=r, s=s, t=t, p=p))
    match.play()
    assert (mine.match_totals[0, 0, 1], mine.match_totals[0, 1, 0]) == match.final_score()


@settings(deadline=None, max_examples=15)
@given(
    names=st.lists(st.sampled_from(CLASSIC10), min_size=2, max_size=4),
    noise=st.floats(0.0, 1.0),
    turns=st.integers(1, 30),
)
def test_expected_scores_lie_in_the_payoff_range(names, noise, turns):
    res = round_robin(pd_game(noise), names, turns=turns, exact=True)
    assert np.all(res.payoff_matrix >= S - 1e-12) and np.all(res.payoff_matrix <= T + 1e-12)
    # each outcome's joint payoff lies in [2P, 2R] (2R = 6 >= S + T = 5 >= 2P = 2), so do the expectations
    both = res.payoff_matrix + res.payoff_matrix.T
    assert np.all(both <= 2 * R + 1e-9) and np.all(both >= 2 * P - 1e-9)


# ---------------------------------------------------------------------- (d) bad input
@pytest.mark.parametrize(
    "kwargs, message",
    [
        pytest.param(dict(strategies=["tit_for_tat", "tit_for_ten_tats"]), "unknown strategy 'tit_for_ten_tats'; "
                     "expected one of", id="unknown_strategy"),
        pytest.param(dict(strategies=["tit_for_tat"]), "at least two strategies", id="one_strategy"),
        pytest.param(dict(strategies=["tit_for_tat", 3]), "a name or a", id="bad_spec"),
        pytest.param(dict(strategies=["tit_for_tat", ("cycler", {"k": 2})]), "does not take the parameters",
                     id="bad_parameter"),
        pytest.param(dict(strategies=["tit_for_tat", ("cycler", {"cycle": "CX"})]), "string of C and D",
                     id="bad_parameter_value"),
        pytest.param(dict(turns=0), "turns must be an integer >= 1", id="turns_zero"),
        pytest.param(dict(turns=2.5), "turns must be an integer >= 1", id="turns_fraction"),
        pytest.param(dict(repetitions=0), "repetitions must be an integer >= 1", id="repetitions_zero"),
        pytest.param(dict(turns="many"), "must be integers", id="turns_text"),
        pytest.param(dict(noise=1.5), "noise must lie in", id="noise_range"),
        pytest.param(dict(game="pd"), "needs a RepeatedGame", id="not_a_game"),
    ],
)
def test_bad_input(kwargs, message):
    args = dict(game=pd_game(), strategies=["tit_for_tat", "always_defect"])
    args.update(kwargs)
    with pytest.raises(InputError, match=message.replace("(", r"\(")) as err:
        round_robin(**args)
    assert "\n" not in str(err.value)


def test_three_player_game_is_refused():
    u = np.zeros((3, 2, 2, 2))
    g3 = RepeatedGame(NormalFormGame.from_payoffs(u), None, (0, 0, 0), (1, 1, 1))
    with pytest.raises(InputError, match="2-player stage game, got 3 players"):
        round_robin(g3, ["tit_for_tat", "always_defect"])
