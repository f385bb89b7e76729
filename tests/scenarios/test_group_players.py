"""Players as a group by counts (``players: {group: N, actions: [...]}``): loading, errors, and what coop solve
prints for small groups (with the normal form) and large ones (by counts only)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from coop.errors import InputError
from coop.games.population import collective_risk_dilemma
from coop.scenarios import load
from tests.cli.helpers import invoke

BASE = """\
title: Threshold group
parameters:
  N: 5
  M: 3
  c: 0.1
  r: 0.9
players:
  group: N
  actions: [C, D]
payoffs:
  formulas:
    all: "1 - r * (1 - step(n_C - M)) - c * self.C"
red_lines:
  - {name: too few, when: "n_C < M"}
"""


def write(tmp_path, text, name="group.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_small_group_has_both_forms(tmp_path):
    s = load(write(tmp_path, BASE))
    assert s.group is not None and s.group.size == 5 and s.group.has_normal_form
    assert s.players == tuple(f"member{k}" for k in range(1, 6))
    ref = collective_risk_dilemma(5, 3, 0.1, 0.9)
    np.testing.assert_allclose(s.group.population.payoffs, ref.payoffs, atol=1e-12)
    # the normal form is the same game, written out
    assert s.game.payoffs[(0,) + (0, 0, 1, 1, 1)] == pytest.approx(0.0, abs=1e-12)  # 2 contribute: lost, paid c
    assert s.game.payoffs[(0,) + (0, 0, 0, 1, 1)] == pytest.approx(0.9)  # 3: the threshold holds, paid c
    assert [r.name for r in s.group.red_lines] == ["too few"] and [r.name for r in s.red_lines] == ["too few"]


def test_a_large_group_is_analysed_by_counts(tmp_path):
    path = write(tmp_path, BASE)
    res = invoke("solve", path, "--set", "N=60", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert len(doc["players"]) == 60 and doc["actions"]["member60"] == ["C", "D"]
    assert "equilibria" not in doc  # no normal form: the stage game's analysis does not run
    group = doc["group_game"]
    assert [e["counts"] for e in group["pure"]] == [{"C": 3, "D": 57}, {"C": 0, "D": 60}]
    assert group["pure"][1]["red_lines"] == ["too few"] and group["pure"][0]["red_lines"] == []
    assert len(group["payoffs_by_counts"]) == 60
    assert [e["stable"] for e in group["symmetric_mixed"]] == [False, True]
    assert doc["scenario"]["group"] == {"group_size": 60, "member": "member", "actions": ["C", "D"],
                                        "normal_form": False}
    text = invoke("solve", path, "--set", "N=60").output
    assert "its 2^60 action profiles are not listed" in " ".join(text.split())
    assert "x = " in text and "tipping point" in text


def test_the_group_and_the_normal_form_agree_on_the_small_group(tmp_path):
    res = invoke("solve", write(tmp_path, BASE), "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    pure = [e for e in doc["equilibria"] if all(max(s.values()) == 1.0 for s in e["strategies"].values())]
    by_counts = sum(e["profiles"] for e in doc["group_game"]["pure"])
    assert len(pure) == by_counts == 11  # C(5, 3) profiles with three contributors, and nobody


@pytest.mark.parametrize("change, message", [
    (("  group: N\n", "  group: 1\n"), "the group size must be a whole number of members from 2"),
    (("  group: N\n", "  group: N / 2\n"), "the group size must be a whole number"),
    (("  group: N\n", ""), "missing the required key 'group'"),
    (("  actions: [C, D]\n", "  actions: [C, C]\n"), "duplicate action 'C'"),
    (("self.C", "self.X"), "unknown name 'self.X'"),
    (("self.C", "nn_C"), "unknown name 'nn_C'"),
    (("  formulas:\n    all:", "  formulas:\n    member1:"), "one formula for every member"),
    (("n_C < M", "n_X < M"), "unknown name 'n_X'"),
])
def test_errors_are_one_line_at_their_place(tmp_path, change, message):
    with pytest.raises(InputError, match=message) as info:
        load(write(tmp_path, BASE.replace(*change)))
    assert info.value.line is not None


def test_sections_that_need_the_normal_form_are_refused_for_a_large_group(tmp_path):
    text = BASE.replace("  N: 5\n", "  N: 40\n") + """\
repeated:
  delta: 0.9
  cooperate: {member1: C}
  defect: {member1: D}
"""
    res = invoke("solve", write(tmp_path, text))
    assert res.exit_code == 2
    assert "the repeated section needs the game's normal form" in res.output
    named = BASE.replace("  N: 5\n", "  N: 40\n") + "  - {name: one, player: member3, action: D}\n"
    with pytest.raises(InputError, match="names no member"):
        load(write(tmp_path, named))
    dynamics = BASE.replace("  N: 5\n", "  N: 40\n") + "evolution:\n  dynamics: [replicator]\n"
    with pytest.raises(InputError, match="evolution.dynamics needs the game's normal form"):
        load(write(tmp_path, dynamics))


def test_a_large_group_evolves_in_a_finite_population(tmp_path):
    text = BASE.replace("  N: 5\n", "  N: 30\n") + """\
evolution:
  finite_population: {size: 60, selection: 5, mutation: 0.01, group_achievement: {strategy: C, at_least: M}}
"""
    res = invoke("solve", write(tmp_path, text), "--format", "json")
    assert res.exit_code == 0, res.output
    finite = json.loads(res.output)["evolution"]["finite_population"]
    assert finite["group_size"] == 30 and finite["group_achievement"]["at_least"] == 3
    assert 0.0 <= finite["group_achievement"]["with_mutation"] <= 1.0


CLUBS = """\
title: Three clubs with crowding
parameters:
  N: 50
players:
  group: N
  actions: [A, B, C]
payoffs:
  formulas:
    all: "self.A * (3 * (N - 1) / 4 - n_A + 1) + self.B * (2 * (N - 1) / 4 - n_B + 1)
      + self.C * ((N - 1) / 4 - n_C + 1)"
red_lines:
  - {name: empty club, when: "n_C == 0"}
"""


def test_three_actions_in_a_group_of_fifty_show_their_symmetric_mixes(tmp_path):
    """Club s is worth a_s = (N - 1)(3, 2, 1)_s / 4 less one per other member in it: the one symmetric mixed
    equilibrium is x = (7, 4, 1) / 12 with payoff (N - 1) / 6 (tests/solvers/nash/test_group_games_many_actions.py
    derives it), stable; the text prints it as the two-action case prints x (4 decimals)."""
    path = write(tmp_path, CLUBS)
    res = invoke("solve", path, "--format", "json")
    assert res.exit_code == 0, res.output
    group = json.loads(res.output)["group_game"]
    assert group["complete"] and group["degenerate_supports"] == [] and not group["every_symmetric_mix"]
    (mix,) = group["symmetric_mixed"]
    np.testing.assert_allclose([mix["strategy"][a] for a in "ABC"], np.array([7, 4, 1]) / 12, atol=1e-12)
    assert mix["payoff"] == pytest.approx(49 / 6, rel=1e-12) and mix["stability"] == "stable" and mix["stable"]
    assert mix["red_lines"]["empty club"] == pytest.approx((11 / 12) ** 50, rel=1e-9)
    text = " ".join(invoke("solve", path).output.split())
    assert "A 0.5833, B 0.3333, C 0.0833 (payoff 8.167), stable" in text
    assert "Bernstein subdivision" in text


def test_three_actions_all_equal_say_every_mix(tmp_path):
    flat = CLUBS[:CLUBS.index("    all:")] + '    all: "2"\n'
    path = write(tmp_path, flat.replace("N: 50", "N: 8"))
    doc = json.loads(invoke("solve", path, "--format", "json").output)["group_game"]
    assert doc["every_symmetric_mix"] and doc["symmetric_mixed"] == []
    text = " ".join(invoke("solve", path).output.split())
    assert "indifferent between A, B, C whatever the others do: every symmetric mix is an equilibrium" in text
