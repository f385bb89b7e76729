"""The `repeated` section of a scenario: loading, errors with their lines, and what `coop solve` reports."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from coop.errors import InputError
from coop.scenarios import load

BASE = """\
title: Prisoner's dilemma, repeated
players:
  - name: A
    actions: [C, D]
  - name: B
    actions: [C, D]
parameters:
  T: 5
  R: 3
  P: 1
  S: 0
  patience: 0.9
payoffs:
  table:
    - {profile: [C, C], payoffs: [R, R]}
    - {profile: [C, D], payoffs: [S, T]}
    - {profile: [D, C], payoffs: [T, S]}
    - {profile: [D, D], payoffs: [P, P]}
repeated:
  delta: patience
  cooperate: {A: C, B: C}
  defect: {A: D, B: D}
  strategies:
    - grim_trigger
    - {name: pavlov, all: win_stay_lose_shift}
    - {all: k_period_punishment, k: 2}
"""


def write(tmp_path, text, name="pd.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_section_builds_the_repeated_game(tmp_path):
    spec = load(write(tmp_path, BASE)).repeated
    assert spec.game.delta == 0.9
    assert [p.name for p in spec.profiles] == ["grim_trigger", "pavlov", "k_period_punishment (k=2)"]
    assert spec.profiles[2].automata[0].num_states == 3


def test_default_strategies(tmp_path):
    text = BASE.split("  strategies:")[0]
    spec = load(write(tmp_path, text)).repeated
    assert [p.name for p in spec.profiles] == ["grim_trigger", "tit_for_tat", "win_stay_lose_shift"]


def test_solve_reports_closed_form_thresholds(tmp_path, coop_cli):
    path = write(tmp_path, BASE)
    res = coop_cli("solve", str(path), "--format", "json")
    assert res.exit_code == 0, res.stderr
    rep = json.loads(res.stdout)["repeated"]
    assert rep["delta"] == 0.9
    by_name = {p["name"]: p for p in rep["profiles"]}
    T, R, P = 5, 3, 1
    # grim trigger: (T - R) / (T - P); Pavlov: (T - R) / (R - P); 2-period punishment: T - R = (R - P)(d + d^2)
    assert by_name["grim_trigger"]["critical_delta"]["A"] == pytest.approx((T - R) / (T - P), abs=1e-6)
    assert by_name["pavlov"]["critical_delta"]["B"] is None  # (T - R) / (R - P) = 1: no delta < 1 works
    k2 = (-1 + math.sqrt(1 + 4 * (T - R) / (R - P))) / 2
    assert by_name["k_period_punishment (k=2)"]["critical_delta_overall"] == pytest.approx(k2, abs=1e-6)
    assert by_name["grim_trigger"]["subgame_perfect"] is True
    assert by_name["pavlov"]["subgame_perfect"] is False
    res = coop_cli("solve", str(path), "--format", "json", "--set", "T=4")
    pavlov = {p["name"]: p for p in json.loads(res.stdout)["repeated"]["profiles"]}["pavlov"]
    assert pavlov["critical_delta_overall"] == pytest.approx((4 - R) / (R - P), abs=1e-6)
    assert by_name["grim_trigger"]["payoffs"] == {"A": pytest.approx(3.0), "B": pytest.approx(3.0)}
    text = coop_cli("solve", str(path)).stdout
    assert "Repeated game: discount factor delta = 0.9" in text
    assert "critical delta" in text


def test_arms_race_thresholds_follow_the_framing():
    plain = load("ai-arms-race")
    framed = load("ai-arms-race", parameters={"relative_gains": 0.5})
    from coop.solvers.repeated.profile_analysis import analyse_profile

    grim_plain = analyse_profile(plain.repeated.game, "g", plain.repeated.profiles[0].automata)
    grim_framed = analyse_profile(framed.repeated.game, "g", framed.repeated.profiles[0].automata)
    assert grim_plain.critical_delta_overall == 0.0  # a stag hunt: mutual restraint is a stage equilibrium
    assert grim_framed.critical_delta_overall == pytest.approx(0.2, abs=1e-6)  # (4.5 - 4) / (4.5 - 2)


@pytest.mark.parametrize(
    "old, new, message, marker",
    [
        ("  delta: patience", "  delta: 1.0", r"delta must be in \[0, 1\), got 1", "delta: 1.0"),
        ("    - grim_trigger", "    - grim_triger", r"unknown strategy 'grim_triger' \(did you mean", "grim_triger"),
        ("  cooperate: {A: C, B: C}", "  cooperate: {A: C}", "cooperate has no action for player 'B'", "cooperate:"),
        ("  defect: {A: D, B: D}", "  defect: {A: D, B: C}", "same cooperative and defecting action", "defect:"),
        ("  cooperate: {A: C, B: C}", "  cooperate: {A: C, B: X}", "unknown action 'X' of player 'B'", "cooperate:"),
        ("  delta: patience", "  delta: patience\n  noise: 1.5", r"noise must be a probability in \[0, 1\]", "noise:"),
        ("  delta: patience", "  delta: patience\n  nois: 0.1", r"unknown key 'nois'.*did you mean 'noise'", "nois:"),
        ("{all: k_period_punishment, k: 2}", "{all: k_period_punishment, k: 0}", "k must be a whole number", "k: 0"),
        ("{name: pavlov, all: win_stay_lose_shift}", "{name: pavlov}", "exactly one of 'all'", "{name: pavlov}"),
    ],
)
def test_errors_name_the_line(tmp_path, old, new, message, marker, coop_cli):
    assert old in BASE
    text = BASE.replace(old, new)
    line = 1 + next(k for k, row in enumerate(text.splitlines()) if marker in row)
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=message) as info:
        load(path)
    assert info.value.line == line
    res = coop_cli("solve", str(path))
    assert res.exit_code == 2
    assert "Traceback" not in res.stderr


# ---------------------------------------------------------------------- custom automata
CUSTOM = BASE.replace("  strategies:\n", """\
  automata:
    my_grim:
      states: [trust, punish]
      play: {trust: cooperate, punish: defect}
      transitions:
        trust:
          - {when: {self: defect}, to: punish}
          - {when: {A: D}, to: punish}
          - {when: {B: defect}, to: punish}
    lenient:
      states: [trust, angry]
      play: {trust: C, angry: D}
      initial: trust
      transitions:
        trust: {when: {self: cooperate, A: D}, to: {angry: 0.5, trust: 0.5}}
        angry:
          - {to: trust}
  strategies:
    - my_grim
    - {name: grim_vs_lenient, players: {A: my_grim, B: lenient}}
""")


def test_custom_automaton_equals_the_builtin_grim_trigger(tmp_path):
    from coop.solvers.repeated.profile_analysis import analyse_profile

    spec = load(write(tmp_path, CUSTOM)).repeated
    mine = spec.profiles[0]
    assert mine.name == "my_grim" and mine.strategies == ("my_grim", "my_grim")
    for i, a in enumerate(mine.automata):
        np.testing.assert_array_equal(a.transitions, spec.game.automaton("grim_trigger", i).transitions)
        np.testing.assert_array_equal(a.actions, spec.game.automaton("grim_trigger", i).actions)
    res = analyse_profile(spec.game, "mine", mine.automata)
    assert res.critical_delta_overall == pytest.approx(0.5, abs=1e-7)


def test_custom_automaton_rules_role_words_and_probabilities(tmp_path, coop_cli):
    spec = load(write(tmp_path, CUSTOM)).repeated
    lenient = spec.profiles[1].automata[1]  # used by player B
    assert lenient.state_names == ("trust", "angry") and lenient.actions.tolist() == [0, 1]
    # flat profiles (A, B): CC, CD, DC, DD; B cooperated and A defected only in DC
    np.testing.assert_allclose(lenient.transitions[0], [[1, 0], [1, 0], [0.5, 0.5], [1, 0]])
    np.testing.assert_allclose(lenient.transitions[1], [[1, 0]] * 4)
    res = coop_cli("solve", str(write(tmp_path, CUSTOM)), "--format", "json")
    assert res.exit_code == 0, res.stderr
    names = [p["name"] for p in json.loads(res.stdout)["repeated"]["profiles"]]
    assert names[:2] == ["my_grim", "grim_vs_lenient"]


@pytest.mark.parametrize(
    "old, new, message, marker",
    [
        ("play: {trust: cooperate, punish: defect}", "play: {trust: cooperate, punsh: defect}",
         r"unknown state 'punsh' \(did you mean 'punish'", "punsh"),
        ("play: {trust: cooperate, punish: defect}", "play: {trust: cooperate}",
         "does not say what to play in state 'punish'", "play: {trust: cooperate}"),
        ("play: {trust: C, angry: D}", "play: {trust: C, angry: X}", "plays 'X' in state 'angry'", "angry: X"),
        ("- {when: {A: D}, to: punish}", "- {when: {A: D}, to: punnish}", "unknown state 'punnish'", "punnish"),
        ("- {when: {A: D}, to: punish}", "- {when: {Q: D}, to: punish}", "unknown player 'Q'", "Q: D"),
        ("- {when: {A: D}, to: punish}", "- {when: {A: Z}, to: punish}", "unknown action 'Z' of 'A'", "A: Z"),
        ("{angry: 0.5, trust: 0.5}", "{angry: 1.5, trust: 0.5}", r"must lie in \[0, 1\]", "angry: 1.5"),
        ("{angry: 0.5, trust: 0.5}", "{angry: 0.4, trust: 0.5}", "sum to 0.9", "angry: 0.4"),
        ("    lenient:\n", "    tit_for_tat:\n", "is a built-in strategy", "    tit_for_tat:"),
        ("      initial: trust", "      initial: calm", "unknown initial state 'calm'", "initial: calm"),
        ("    - my_grim\n", "    - my_grin\n", r"unknown strategy 'my_grin' \(did you mean 'my_grim'", "my_grin"),
        ("        trust:\n          - {when: {self: defect}", "        trst:\n          - {when: {self: defect}",
         "unknown state 'trst'", "trst:"),
        ("          - {to: trust}", "          - {goto: trust}", "unknown key 'goto'", "goto"),
    ],
)
def test_custom_automaton_errors_name_the_line(tmp_path, old, new, message, marker, coop_cli):
    assert old in CUSTOM
    text = CUSTOM.replace(old, new, 1)
    line = 1 + next(k for k, row in enumerate(text.splitlines()) if marker in row)
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=message) as info:
        load(path)
    assert info.value.line == line
    res = coop_cli("solve", str(path))
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    assert res.stderr.count("\n") == 1


def test_finite_horizon_without_discounting(tmp_path, coop_cli):
    text = BASE.replace("  delta: patience\n", "  horizon: 10\n")
    spec = load(write(tmp_path, text)).repeated
    assert spec.game.horizon == 10 and spec.game.delta is None
    res = coop_cli("solve", str(write(tmp_path, text)), "--format", "json")
    assert res.exit_code == 0, res.stderr
    rep = json.loads(res.stdout)["repeated"]
    assert rep["horizon"] == 10 and rep["delta"] is None
    for p in rep["profiles"]:  # a unique stage equilibrium: cooperation unravels from the last period
        assert p["subgame_perfect"] is False and p["critical_delta_overall"] is None
    text_out = coop_cli("solve", str(write(tmp_path, text))).stdout
    assert "Repeated game: 10 periods, no discounting" in text_out


@pytest.mark.parametrize(
    "old, new, message, marker",
    [
        ("  delta: patience\n", "  delta: patience\n  horizon: 0\n", "whole number of periods >= 1, got 0", "horizon"),
        ("  delta: patience\n", "  delta: patience\n  horizon: 2.5\n", "whole number of periods", "horizon"),
        ("  delta: patience\n", "", "missing the required key 'delta'", "repeated:"),
    ],
)
def test_horizon_errors(tmp_path, old, new, message, marker):
    text = BASE.replace(old, new)
    line = 1 + next(k for k, row in enumerate(text.splitlines()) if marker in row)
    with pytest.raises(InputError, match=message) as info:
        load(write(tmp_path, text))
    assert info.value.line == line


def test_solve_reports_minmax_and_payoff_sets(tmp_path, coop_cli):
    """Prisoner's dilemma (5, 3, 1, 0) at delta = 0.9: every individually rational payoff is an SPE payoff."""
    res = coop_cli("solve", str(write(tmp_path, BASE)), "--format", "json")
    assert res.exit_code == 0, res.stderr
    sets = json.loads(res.stdout)["repeated"]["payoff_sets"]
    assert sets["minmax"]["players"]["A"]["mixed_minmax"] == pytest.approx(1.0)
    assert sets["minmax"]["players"]["B"]["pure_minmax"] == pytest.approx(1.0)
    ir = {(round(v["A"], 6), round(v["B"], 6)) for v in sets["individually_rational"]["vertices"]}
    assert ir == {(1.0, 1.0), (4.333333, 1.0), (3.0, 3.0), (1.0, 4.333333)}
    eq = sets["equilibrium"]
    assert eq["delta"] == 0.9 and not eq["empty"]
    assert {(round(v["A"], 5), round(v["B"], 5)) for v in eq["vertices"]} == {
        (1.0, 1.0), (4.33333, 1.0), (3.0, 3.0), (1.0, 4.33333)}
    text = coop_cli("solve", str(write(tmp_path, BASE))).stdout
    assert "Payoff sets of the repeated game (A, B)" in text
    assert "subgame-perfect payoffs at delta = 0.9" in text
    # a finite horizon has no JYC set; the reason is given
    finite_path = write(tmp_path, BASE.replace("  delta: patience\n", "  horizon: 5\n"))
    finite = coop_cli("solve", str(finite_path), "--format", "json")
    sets = json.loads(finite.stdout)["repeated"]["payoff_sets"]
    assert sets["equilibrium"] is None and "infinite horizon" in sets["equilibrium_note"]


# ---------------------------------------------------------------------- tournament
TOURNAMENT = CUSTOM + """\
  tournament:
    strategies:
      - my_grim
      - grim_trigger
      - always_defect
      - {strategy: generous_tit_for_tat, generosity: 0.25}
      - tit_for_tat
    turns: 50
    repetitions: 3
"""


def test_tournament_in_the_scenario(tmp_path, coop_cli):
    path = write(tmp_path, TOURNAMENT)
    spec = load(path).repeated.tournament
    assert spec.turns == 50 and spec.repetitions == 3 and spec.noise is None and spec.seed == 0
    res = coop_cli("solve", str(path), "--format", "json")
    assert res.exit_code == 0, res.stderr
    t = json.loads(res.stdout)["repeated"]["tournament"]
    assert t["strategies"] == ["my_grim", "grim_trigger", "always_defect", "generous_tit_for_tat(generosity=0.25)",
                               "tit_for_tat"]
    m = t["payoff_matrix"]
    # the hand-written grim trigger plays exactly like the built-in one, against everybody
    for other in t["strategies"]:
        assert m["my_grim"][other] == pytest.approx(m["grim_trigger"][other])
    assert m["tit_for_tat"]["always_defect"] == pytest.approx((0 + 49 * 1) / 50)  # S + 49 P over 50 turns
    text = coop_cli("solve", str(path)).stdout
    assert "Round-robin tournament: 5 strategies, 50 turns, 3 repetitions, no noise" in text


def test_tournament_defaults_to_the_classic_field(tmp_path):
    from coop.games.names import CLASSIC_FIELD

    spec = load(write(tmp_path, BASE + "  tournament: {turns: 10}\n")).repeated.tournament
    assert spec.strategies == CLASSIC_FIELD and len(CLASSIC_FIELD) == 10


@pytest.mark.parametrize(
    "old, new, message, marker",
    [
        ("    turns: 50", "    turns: 0", "turns must be a whole number >= 1", "turns: 0"),
        ("      - tit_for_tat\n    turns", "      - tit_for_tatt\n    turns", r"unknown strategy 'tit_for_tatt'",
         "tit_for_tatt"),
        ("{strategy: generous_tit_for_tat, generosity: 0.25}", "{strategy: tit_for_tat, generosity: 0.25}",
         "'generosity' is a parameter of generous_tit_for_tat", "{strategy: tit_for_tat"),
        ("    repetitions: 3", "    repetitions: 3\n    noise: 2", r"noise must be a probability", "noise: 2"),
        ("    repetitions: 3", "    repetitions: 3\n    rounds: 2", "unknown key 'rounds'", "rounds: 2"),
    ],
)
def test_tournament_errors_name_the_line(tmp_path, old, new, message, marker):
    assert old in TOURNAMENT
    text = TOURNAMENT.replace(old, new, 1)
    line = 1 + next(k for k, row in enumerate(text.splitlines()) if marker in row)
    with pytest.raises(InputError, match=message) as info:
        load(write(tmp_path, text))
    assert info.value.line == line


def test_tournament_needs_two_players():
    from coop.scenarios.tournament_section import build_tournament
    from coop.scenarios.yaml_source import parse_yaml

    node = parse_yaml("tournament: {turns: 5}\n", "x.yaml")["tournament"]
    with pytest.raises(InputError, match="needs a 2-player stage game; this one has 3 players"):
        build_tournament(node, 3, {}, lambda n, what: float(n.value))


def test_noisy_game_reports_the_perfect_public_equilibrium_set(tmp_path, coop_cli):
    """Noise that everybody sees is a public signal (the realised profile): the PPE payoff set is computed."""
    noisy = write(tmp_path, BASE.replace("  delta: patience\n", "  delta: patience\n  noise: 0.02\n"))
    res = coop_cli("solve", str(noisy), "--format", "json")
    assert res.exit_code == 0, res.stderr
    eq = json.loads(res.stdout)["repeated"]["payoff_sets"]["equilibrium"]
    assert eq["kind"] == "perfect_public_equilibrium" and "noise 0.02" in eq["monitoring"]
    assert eq["vertices"] and eq["complete"]


def test_private_monitoring_reports_why_there_is_no_equilibrium_payoff_set(tmp_path, coop_cli):
    private = write(tmp_path, BASE.replace("  delta: patience\n", "  delta: patience\n  detection: 0.8\n"))
    res = coop_cli("solve", str(private), "--format", "json")
    assert res.exit_code == 0, res.stderr
    sets = json.loads(res.stdout)["repeated"]["payoff_sets"]
    assert sets["equilibrium"] is None and "not computed for private monitoring" in sets["equilibrium_note"]


def test_continuation_probability_is_delta(tmp_path):
    spec = load(write(tmp_path, BASE.replace("  delta: patience", "  continuation: 0.75"))).repeated
    assert spec.game.delta == 0.75
    with pytest.raises(InputError, match="either delta or continuation") as info:
        load(write(tmp_path, BASE.replace("  delta: patience", "  delta: 0.5\n  continuation: 0.75")))
    assert info.value.line == 1 + BASE.replace("  delta: patience", "  delta: 0.5\n  continuation: 0.75").splitlines(
    ).index("  continuation: 0.75")
    with pytest.raises(InputError, match=r"continuation must be in \[0, 1\), got 1"):
        load(write(tmp_path, BASE.replace("  delta: patience", "  continuation: 1")))


def _big_automaton(n: int) -> str:
    states = [f"s{k}" for k in range(n)]
    return ("  automata:\n    big:\n      states: [" + ", ".join(states) + "]\n"
            + "      play: {" + ", ".join(f"{s}: cooperate" for s in states) + "}\n"
            + "      transitions:\n" + "".join(f"        {s}: [{{to: {states[(k + 1) % n]}}}]\n"
                                             for k, s in enumerate(states)))


@pytest.mark.parametrize("new, problem, marker", ids=["k3000", "k1e12", "k4000_one_player", "custom60"], argvalues=[
    ("    - {all: k_period_punishment, k: 3000}\n",
     r"'k_period_punishment \(k=3000\)', with 9,006,001 joint automaton states \(3,001 x 3,001\)", "k: 3000"),
    ("    - {all: k_period_punishment, k: 1.0e12}\n",
     r"joint automaton states \(1e\+12 x 1e\+12\)", "k: 1.0e12"),
    ("    - {players: {A: k_period_punishment, B: grim_trigger}, k: 4000}\n",
     r"8,002 joint automaton states \(4,001 x 2\)", "k: 4000"),
    ("    - big\n", r"'big', with 3,600 joint automaton states \(60 x 60\)", "    - big"),
])
def test_automata_too_large_are_refused_before_they_are_built(tmp_path, new, problem, marker):
    text = BASE.replace("    - {all: k_period_punishment, k: 2}\n", new).replace(
        "  strategies:\n", _big_automaton(60) + "  strategies:\n")
    line = 1 + next(k for k, row in enumerate(text.splitlines()) if marker in row)
    with pytest.raises(InputError, match=problem) as info:
        load(write(tmp_path, text))
    assert info.value.line == line
    assert "the limit is" in info.value.message and "remedy: automata with fewer states" in info.value.message


@pytest.mark.parametrize("horizon, problem", [
    ("1.0e12", "a finite horizon of 1e+12 periods"),
    ("10000000", "a finite horizon of 1e+07 periods"),
])
def test_a_horizon_too_long_to_analyse_is_refused_at_its_line(tmp_path, horizon, problem):
    text = BASE.replace("  delta: patience\n", f"  delta: patience\n  horizon: {horizon}\n")
    line = 1 + text.splitlines().index(f"  horizon: {horizon}")
    with pytest.raises(InputError, match=problem.replace("+", r"\+")) as info:
        load(write(tmp_path, text))
    assert info.value.line == line
    assert "remedy: a horizon of at most about" in info.value.message


def test_a_thousand_periods_are_analysed(tmp_path, coop_cli):
    """Each critical-delta check looped over the horizon in Python: 132 s for these 1,000 periods."""
    text = BASE.replace("  delta: patience\n", "  delta: patience\n  horizon: 1000\n")
    res = coop_cli("solve", str(write(tmp_path, text)), "--format", "json")
    assert res.exit_code == 0, res.stderr
    profiles = json.loads(res.stdout)["repeated"]["profiles"]
    assert [p["subgame_perfect"] for p in profiles] == [False, False, False]  # backward induction: only D


@pytest.mark.parametrize("tournament, problem", ids=["400_strategies", "turns_1e10", "k_1e9"], argvalues=[
    ("  tournament:\n    repetitions: 1000\n    strategies:\n"
     + "".join(f"      - {{strategy: random, p: {k / 400}}}\n" for k in range(400)),
     "a round robin of 400 strategies with 1,000 repetitions needs about"),
    ("  tournament:\n    turns: 1.0e10\n", "a round robin of 10 strategies with 10 repetitions of 1e+10 turns"),
    ("  tournament:\n    strategies: [tit_for_tat, {strategy: k_period_punishment, k: 1.0e9}]\n",
     "the transition table of k_period_punishment with k = 1000000000"),
])
def test_tournaments_too_large_are_refused_at_their_line(tmp_path, tournament, problem):
    text = BASE + tournament
    with pytest.raises(InputError, match=problem.replace("+", r"\+")) as info:
        load(write(tmp_path, text))
    assert info.value.line == 1 + text.splitlines().index("  tournament:")


LIMIT_OF_MEANS = BASE.replace("  delta: patience\n", "  criterion: limit_of_means\n").replace(
    "    - {all: k_period_punishment, k: 2}\n", "    - {all: k_period_punishment, k: 1}\n    - tit_for_tat\n")


def test_limit_of_means_in_the_report(tmp_path):
    """T - R = R - P: Pavlov and one period of punishment are subgame perfect under the limit of means only."""
    from tests.cli.helpers import invoke

    path = write(tmp_path, LIMIT_OF_MEANS)
    assert load(path).repeated.game.delta is None
    res = invoke("solve", path, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)["repeated"]
    assert doc["criterion"] == "limit of means" and doc["delta"] is None
    spe = {p["name"]: p["subgame_perfect"] for p in doc["profiles"]}
    assert spe == {"grim_trigger": True, "pavlov": True, "k_period_punishment (k=1)": True, "tit_for_tat": False}
    crit = {p["name"]: p["critical_delta_overall"] for p in doc["profiles"]}
    assert crit["pavlov"] is None and crit["k_period_punishment (k=1)"] is None
    assert {p["name"]: p["nash"] for p in doc["profiles"]}["tit_for_tat"] is True
    text = invoke("solve", path).output
    assert "Repeated game: limit of means" in text
    assert "SPE at limit of means" in text


@pytest.mark.parametrize("change, message", [
    (("  criterion: limit_of_means\n", "  criterion: limit_of_means\n  delta: 0.9\n"), "leave out 'delta'"),
    (("  criterion: limit_of_means\n", "  criterion: limit_of_means\n  horizon: 5\n"), "leave out 'horizon'"),
    (("  criterion: limit_of_means\n", "  criterion: average payoff\n"),
     "criterion must be one of discounted, limit_of_means, got the text 'average payoff'"),
    (("  criterion: limit_of_means\n", "  criterion: [1]\n"), "criterion must be one of"),
    (("  criterion: limit_of_means\n", ""), "missing the required key 'delta'"),
])
def test_limit_of_means_errors(tmp_path, change, message):
    path = write(tmp_path, LIMIT_OF_MEANS.replace(*change))
    with pytest.raises(InputError, match=message) as info:
        load(path)
    assert info.value.line is not None


def test_public_monitoring_in_the_report(tmp_path):
    """A public report with detection 0.8: grim trigger is a perfect public equilibrium from
    (T - R) / (T - R + q (R - P)) = 2 / 3.6 = 5/9 (private channels: the perfect-monitoring benchmark, 1/2)."""
    from tests.cli.helpers import invoke

    text = BASE.replace("  defect: {A: D, B: D}\n", "  defect: {A: D, B: D}\n  detection: 0.8\n  monitoring: public\n")
    path = write(tmp_path, text)
    assert load(path).repeated.game.monitoring == "public"
    res = invoke("solve", path, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)["repeated"]
    grim = next(p for p in doc["profiles"] if p["name"] == "grim_trigger")
    assert doc["monitoring"] == "public" and grim["spe_monitoring"] == "public"
    assert grim["critical_delta_overall"] == pytest.approx(5 / 9, abs=1e-7)
    private = invoke("solve", write(tmp_path, text.replace("  monitoring: public\n", ""), "private.yaml"),
                     "--format", "json")
    grim = next(p for p in json.loads(private.output)["repeated"]["profiles"] if p["name"] == "grim_trigger")
    assert grim["spe_monitoring"] == "perfect (benchmark)" and grim["critical_delta_overall"] == pytest.approx(0.5)
    bad = write(tmp_path, text.replace("monitoring: public", "monitoring: shared"), "bad.yaml")
    with pytest.raises(InputError, match="monitoring"):
        load(bad)
