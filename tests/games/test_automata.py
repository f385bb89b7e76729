"""Tests of strategy automata and the repeated-game model: builders' tables, custom automata, validation."""

from __future__ import annotations

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.automata import (
    BUILDERS,
    Automaton,
    alternator,
    automaton_size,
    custom,
    cycler,
    generous_tit_for_tat,
    grim_trigger,
    grudger,
    hard_tit_for_tat,
    k_period_punishment,
    random,
    suspicious_tit_for_tat,
    tit_for_tat,
    tit_for_two_tats,
    two_tits_for_tat,
    win_stay_lose_shift,
)
from coop.games.repeated import RepeatedGame
from tests.textbook_games import prisoners_dilemma

C, D = 0, 1
ROLES = dict(cooperate=(C, C), defect=(D, D))
# flat profile order of a 2x2 game: (C,C), (C,D), (D,C), (D,D)
CC, CD, DC, DD = range(4)


def next_states(a: Automaton, state: int) -> list[int]:
    """Deterministic next state on each flat profile."""
    row = a.transitions[state]
    assert np.all((row == 0.0) | (row == 1.0))
    return row.argmax(axis=1).tolist()


def three_player_game() -> NormalFormGame:
    """Linear public goods game, 3 players, multiplier 2: u_i = 2 * (#contributors) / 3 - [i contributes]."""
    u = np.zeros((3, 2, 2, 2))
    for prof in np.ndindex(2, 2, 2):
        k = sum(1 for a in prof if a == C)
        for i in range(3):
            u[(i, *prof)] = 2.0 * k / 3.0 - (1.0 if prof[i] == C else 0.0)
    return NormalFormGame.from_payoffs(u, ("US", "China", "EU"), (("C", "D"),) * 3)


def test_tit_for_tat_copies_the_opponent():
    pd = prisoners_dilemma()
    for player, opp_defects in ((0, [CD, DD]), (1, [DC, DD])):
        a = tit_for_tat(pd, player, **ROLES)
        assert a.actions.tolist() == [C, D]
        for s in (0, 1):
            assert next_states(a, s) == [1 if f in opp_defects else 0 for f in range(4)]


def test_grim_trigger_own_and_others_defections():
    pd = prisoners_dilemma()
    g = grim_trigger(pd, 0, **ROLES)
    assert next_states(g, 0) == [0, 1, 1, 1]
    assert next_states(g, 1) == [1, 1, 1, 1]
    g_others = grim_trigger(pd, 0, **ROLES, trigger_on_own=False)
    assert next_states(g_others, 0) == [0, 1, 0, 1]


def test_win_stay_lose_shift_table():
    # Nowak and Sigmund (1993): after R or T repeat, after S or P switch (state = own next action)
    a = win_stay_lose_shift(prisoners_dilemma(), 0, **ROLES)
    for s in (0, 1):
        assert next_states(a, s) == [C, D, D, C]
    b = win_stay_lose_shift(prisoners_dilemma(), 1, **ROLES)
    assert next_states(b, 0) == [C, D, D, C]


def test_generous_tit_for_tat_is_mixed():
    a = generous_tit_for_tat(prisoners_dilemma(), 0, **ROLES, generosity=0.25)
    assert not a.is_deterministic
    np.testing.assert_allclose(a.transitions[0, CD], [0.25, 0.75])
    np.testing.assert_allclose(a.transitions[1, DC], [1.0, 0.0])


def test_k_period_punishment_cycles_back():
    a = k_period_punishment(prisoners_dilemma(), 0, **ROLES, k=3)
    assert a.state_names == ("cooperate", "punish1", "punish2", "punish3")
    assert a.actions.tolist() == [C, D, D, D]
    assert next_states(a, 0) == [0, 1, 1, 1]
    assert next_states(a, 1) == [2] * 4 and next_states(a, 3) == [0] * 4


def test_three_player_tit_for_tat_punishes_if_anyone_else_defected():
    g = three_player_game()
    a = tit_for_tat(g, 1, cooperate=(C, C, C), defect=(D, D, D))
    for f, prof in enumerate(np.ndindex(2, 2, 2)):
        others_defected = prof[0] == D or prof[2] == D
        assert next_states(a, 0)[f] == int(others_defected)


def test_custom_matches_builtin_grim_trigger():
    pd = prisoners_dilemma()
    a = custom(
        pd, 0, ["coop", "punish"], {"coop": "C", "punish": "D"},
        rules={"coop": [({"Row": "C", "Column": "C"}, "coop")]},
        default={"coop": "punish"},
    )
    b = grim_trigger(pd, 0, **ROLES)
    np.testing.assert_array_equal(a.transitions, b.transitions)
    np.testing.assert_array_equal(a.actions, b.actions)


def test_custom_mixed_target_and_lists():
    pd = prisoners_dilemma()
    a = custom(
        pd, 1, ["C", "D"], {"C": "C", "D": "D"},
        rules={"C": [({"Row": ["D"]}, {"D": 0.9, "C": 0.1})]},
        default={"D": "C"},
        initial="C",
    )
    np.testing.assert_allclose(a.transitions[0, DC], [0.1, 0.9])
    np.testing.assert_allclose(a.transitions[0, CD], [1.0, 0.0])  # no rule matched: stay
    np.testing.assert_allclose(a.transitions[1, DD], [1.0, 0.0])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        pytest.param(dict(actions={"coop": "C", "punish": "X"}), "unknown action 'X'", id="unknown_action"),
        pytest.param(dict(default={"coop": "nowhere"}), "unknown state 'nowhere'", id="unknown_target"),
        pytest.param(dict(default={"ghost": "coop"}), "unknown state 'ghost'", id="unknown_source"),
        pytest.param(dict(actions={"coop": "C"}), "has no action", id="missing_action"),
        pytest.param(dict(rules={"coop": [({"Nobody": "C"}, "coop")]}), "unknown player", id="unknown_player"),
        pytest.param(dict(default={"coop": {"coop": 1.5, "punish": -0.5}}), "outside [0, 1]", id="prob_range"),
        pytest.param(dict(default={"coop": {"coop": 0.5, "punish": 0.4}}), "sum to 0.9", id="prob_sum"),
        pytest.param(dict(initial="start"), "unknown state 'start'", id="initial"),
    ],
)
def test_custom_rejects_bad_input(kwargs, message):
    args = dict(states=["coop", "punish"], actions={"coop": "C", "punish": "D"})
    args.update(kwargs)
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        custom(prisoners_dilemma(), 0, **args)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        pytest.param(dict(transitions=np.full((2, 4, 2), 0.6)), "sum to 1.2", id="row_sum"),
        pytest.param(dict(transitions=np.stack([np.tile([1.5, -0.5], (4, 1))] * 2)), r"\[0, 1\]", id="range"),
        pytest.param(dict(initial=2), "initial state", id="initial"),
        pytest.param(dict(actions=[0, -1]), "negative", id="negative_action"),
        pytest.param(dict(state_names=("a", "a")), "unique", id="duplicate_states"),
        pytest.param(dict(transitions=np.ones((2, 4, 1))), "shape", id="shape"),
    ],
)
def test_automaton_validation(kwargs, message):
    args = dict(name="x", state_names=("a", "b"), actions=[0, 1], transitions=np.tile([1.0, 0.0], (2, 4, 1)))
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        Automaton(**args)


def test_profile_is_checked_against_the_stage_game():
    pd = prisoners_dilemma()
    g = RepeatedGame(pd, 0.9, (C, C), (D, D))
    bad_action = Automaton("x", ("a",), [2], np.ones((1, 4, 1)))
    with pytest.raises(InputError, match="2 actions"):
        g.check_profile([bad_action, bad_action])
    wrong_game = grim_trigger(three_player_game(), 0, (C, C, C), (D, D, D))
    with pytest.raises(InputError, match="8 profiles"):
        g.check_profile([wrong_game, wrong_game])
    with pytest.raises(InputError, match="needs 2 automata"):
        g.check_profile(g.profile("grim_trigger")[:1])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        pytest.param(dict(delta=1.0), r"\[0, 1\)", id="delta_one"),
        pytest.param(dict(delta=-0.1), r"\[0, 1\)", id="delta_negative"),
        pytest.param(dict(delta="high"), "a number", id="delta_text"),
        pytest.param(dict(noise=1.2), "noise", id="noise"),
        pytest.param(dict(detection=-0.5), "detection", id="detection"),
        pytest.param(dict(false_alarm=2), "false_alarm", id="false_alarm"),
        pytest.param(dict(cooperate=(0,)), "cooperative action is needed", id="missing_cooperate"),
        pytest.param(dict(defect=(0, 0)), "same cooperative and defecting", id="same_actions"),
        pytest.param(dict(defect=(1, 5)), "out of range", id="action_range"),
    ],
)
def test_repeated_game_validation(kwargs, message):
    args = dict(stage=prisoners_dilemma(), delta=0.9, cooperate=(0, 0), defect=(1, 1))
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        RepeatedGame(**args)


def test_from_labels_and_missing_player():
    pd = prisoners_dilemma()
    g = RepeatedGame.from_labels(pd, 0.5, {"Row": "C", "Column": "C"}, {"Row": "D", "Column": "D"})
    assert g.cooperate == (0, 0) and g.defect == (1, 1)
    with pytest.raises(InputError, match="no cooperative action given for player 'Column'"):
        RepeatedGame.from_labels(pd, 0.5, {"Row": "C"}, {"Row": "D", "Column": "D"})
    with pytest.raises(InputError, match="unknown action 'Z'"):
        RepeatedGame.from_labels(pd, 0.5, {"Row": "Z", "Column": "C"}, {"Row": "D", "Column": "D"})
    with pytest.raises(InputError, match="unknown strategy"):
        g.profile("tit_for_three_tats")


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_every_builder_gives_valid_automata_for_three_players(kind):
    g = RepeatedGame(three_player_game(), 0.9, (C, C, C), (D, D, D))
    profile = g.profile(kind)
    g.check_profile(profile)
    for i, a in enumerate(profile):
        np.testing.assert_allclose(a.transitions.sum(axis=2), 1.0)
        assert a.to_dict(g.stage, i)["initial"] == a.state_names[a.initial]
        starts_with_d = kind in ("always_defect", "suspicious_tit_for_tat")
        assert g.stage.actions[i][a.actions[a.initial]] == ("D" if starts_with_d else "C")


# ---------------------------------------------------------------------- classic tournament strategies
# Deterministic next states on (C,C), (C,D), (D,C), (D,D) for the row player, from the Axelrod
# library's definitions (TitFor2Tats: D iff the opponent's last two moves are D, D; TwoTitsForTat:
# D iff D in the last two; HardTitForTat: D iff D in the last three; Alternator: the opposite of its
# own last move).
@pytest.mark.parametrize(
    "builder, actions, initial, table",
    [
        pytest.param(grudger, [C, D], 0, [[0, 1, 0, 1], [1, 1, 1, 1]], id="grudger"),
        pytest.param(tit_for_two_tats, [C, C, D], 0, [[0, 1, 0, 1], [0, 2, 0, 2], [0, 2, 0, 2]], id="tf2t"),
        pytest.param(two_tits_for_tat, [C, D, D], 0, [[0, 1, 0, 1], [2, 1, 2, 1], [0, 1, 0, 1]], id="2tft"),
        pytest.param(hard_tit_for_tat, [C, D, D, D], 0,
                     [[0, 1, 0, 1], [2, 1, 2, 1], [3, 1, 3, 1], [0, 1, 0, 1]], id="hard_tft"),
        pytest.param(suspicious_tit_for_tat, [C, D], 1, [[0, 1, 0, 1], [0, 1, 0, 1]], id="stft"),
        pytest.param(alternator, [C, D], 0, [[1, 1, 0, 0], [1, 1, 0, 0]], id="alternator"),
        pytest.param(cycler, [C, C, D], 0, [[1] * 4, [2] * 4, [0] * 4], id="cycler_ccd"),
    ],
)
def test_classic_builders_tables(builder, actions, initial, table):
    a = builder(prisoners_dilemma(), 0, **ROLES)
    assert a.actions.tolist() == actions
    assert a.initial == initial
    assert [next_states(a, s) for s in range(a.num_states)] == table


def test_classic_builders_column_player_reads_the_row_player():
    # for the column player the opponent's defections are the profiles (D, C) and (D, D)
    a = tit_for_two_tats(prisoners_dilemma(), 1, **ROLES)
    assert next_states(a, 1) == [0, 0, 2, 2]
    b = alternator(prisoners_dilemma(), 1, **ROLES)
    assert next_states(b, 0) == [1, 0, 1, 0]


def test_grudger_ignores_own_defections_unlike_default_grim_trigger():
    pd = prisoners_dilemma()
    assert next_states(grudger(pd, 0, **ROLES), 0)[DC] == 0
    assert next_states(grim_trigger(pd, 0, **ROLES), 0)[DC] == 1


def test_random_is_memoryless_and_mixed():
    a = random(prisoners_dilemma(), 0, **ROLES, p=0.3)
    assert not a.is_deterministic
    np.testing.assert_allclose(a.transitions, np.broadcast_to([0.3, 0.7], (2, 4, 2)))
    assert random(prisoners_dilemma(), 0, **ROLES).transitions[0, 0].tolist() == [0.5, 0.5]


def test_cycler_other_cycles():
    a = cycler(prisoners_dilemma(), 1, **ROLES, cycle="dc")
    assert a.name == "cycler_dc" and a.actions.tolist() == [D, C]


@pytest.mark.parametrize(
    "builder, kwargs, message",
    [
        pytest.param(cycler, dict(cycle="CXD"), "string of C and D", id="cycle_letters"),
        pytest.param(cycler, dict(cycle=""), "non-empty", id="cycle_empty"),
        pytest.param(random, dict(p=1.5), r"\[0, 1\]", id="random_p_range"),
        pytest.param(random, dict(p="half"), "a number", id="random_p_text"),
    ],
)
def test_classic_builders_reject_bad_parameters(builder, kwargs, message):
    with pytest.raises(InputError, match=message):
        builder(prisoners_dilemma(), 0, **ROLES, **kwargs)


def test_three_player_tit_for_two_tats_counts_any_other_defection():
    g = three_player_game()
    a = tit_for_two_tats(g, 0, cooperate=(C, C, C), defect=(D, D, D))
    for f, prof in enumerate(np.ndindex(2, 2, 2)):
        others_defected = prof[1] == D or prof[2] == D
        assert next_states(a, 1)[f] == (2 if others_defected else 0)


@pytest.mark.parametrize("kind, params", [(k, {}) for k in BUILDERS if k not in ("custom",)]
                         + [("k_period_punishment", {"k": 7}), ("cycler", {"cycle": "CDDCD"})])
def test_automaton_size_is_the_number_of_states_the_builder_makes(kind, params):
    """What the scenario parser checks sizes with, before any automaton is built."""
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    pd = NormalFormGame.from_bimatrix(A, A.T)
    assert automaton_size(kind, **params) == BUILDERS[kind](pd, 0, (0, 0), (1, 1), **params).num_states


def test_a_transition_table_too_large_is_refused_before_it_is_allocated():
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    pd = NormalFormGame.from_bimatrix(A, A.T)
    with pytest.raises(InputError, match=r"the transition table of k_period_punishment with k = 100000 \(100,001 "
                                         r"states, 4 observed profiles\) needs about 298 GiB; the limit is 2 GiB; "
                                         r"remedy: an automaton with fewer states \(at most about 8,192"):
        BUILDERS["k_period_punishment"](pd, 0, (0, 0), (1, 1), k=100_000)
