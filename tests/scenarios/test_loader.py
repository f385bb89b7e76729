"""Loading scenario files: a valid document builds the right game; every invalid one gets a located error."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from coop.errors import InputError
from coop.scenarios import load, top_level_keys

BASE = """\
format: 1
title: Two players
description: A small test game.
assumptions: [payoffs are illustrative]
sources: [none]
players:
  - name: US
    actions: [a, b]
  - name: China
    actions: [c, d, e]
parameters:
  gain: 3
  loss: "gain / 2"
  w: {value: 0, description: a weight}
payoffs:
  table:
    - profile: {US: a, China: c}
      payoffs: {US: 1, China: gain}
    - profile: {US: a, China: d}
      payoffs: [2, loss]
    - profile: [a, e]
      payoffs: {US: 3, China: "gain - loss"}
    - profile: {US: b, China: c}
      payoffs: {US: 4, China: 0}
    - profile: {US: b, China: d}
      payoffs: {US: 5, China: -1}
    - profile: {US: b, China: e}
      payoffs: {US: "max(gain, 6)", China: "2 ** -1"}
framing:
  relative_gains: w
red_lines:
  - name: no b
    player: US
    action: b
"""


def write(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the first occurrence of ``marker`` in ``text``."""
    index = text.index(marker)
    return text[:index].count("\n") + 1


def error_of(tmp_path, text: str) -> InputError:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load(path)
    assert str(info.value).startswith(str(path)), str(info.value)
    return info.value


def test_base_document_builds_the_expected_game(tmp_path):
    s = load(write(tmp_path, BASE))
    assert s.name == "s"
    assert s.title == "Two players"
    assert s.game.title == "Two players" and s.game.description == "A small test game."
    assert s.game.players == ("US", "China")
    assert s.game.actions == (("a", "b"), ("c", "d", "e"))
    assert s.parameters == {"gain": 3.0, "loss": 1.5, "w": 0.0}
    assert s.parameter_descriptions == {"w": "a weight"}
    expected = np.array([[[1, 2, 3], [4, 5, 6]], [[3, 1.5, 1.5], [0, -1, 0.5]]], dtype=float)
    np.testing.assert_array_equal(s.game.payoffs, expected)
    assert s.assumptions == ("payoffs are illustrative",)
    assert [(r.name, r.player, r.action) for r in s.red_lines] == [("no b", "US", "b")]
    assert s.framing == {"relative_gains": 0.0}
    d = json.loads(json.dumps(s.to_dict()))
    assert d["players"] == ["US", "China"] and d["actions"]["China"] == ["c", "d", "e"]
    assert d["red_lines"][0]["action"] == "b" and d["parameters"]["loss"] == 1.5


def test_arrays_and_formulas_give_the_same_game_as_the_table(tmp_path):
    table = load(write(tmp_path, BASE, "t.yaml")).game.payoffs
    arrays = BASE.split("payoffs:\n  table:")[0] + (
        "payoffs:\n"
        "  arrays:\n"
        "    US: [[1, 2, 3], [4, 5, 'max(gain, 6)']]\n"
        "    China: [[gain, loss, gain - loss], [0, -1, '2 ** -1']]\n"
    )
    formulas = BASE.split("payoffs:\n  table:")[0] + (
        "payoffs:\n"
        "  formulas:\n"
        "    US: US.a * (China.c + 2 * China.d + 3 * China.e) + US.b * (4 * China.c + 5 * China.d + 6 * China.e)\n"
        "    China: US.a * (gain * China.c + loss * (China.d + China.e)) + US.b * (0.5 * China.e - China.d)\n"
    )
    np.testing.assert_array_equal(load(write(tmp_path, arrays, "a.yaml")).game.payoffs, table)
    np.testing.assert_array_equal(load(write(tmp_path, formulas, "f.yaml")).game.payoffs, table)


def test_relative_gains_framing_is_applied(tmp_path):
    s = load(write(tmp_path, BASE.replace("w: {value: 0,", "w: {value: 0.5,")))
    # profile (b, c): US 4, China 0 -> US 4 + 0.5 * 4 = 6, China 0 - 0.5 * 4 = -2
    assert s.game.payoffs[0][1, 0] == 6.0 and s.game.payoffs[1][1, 0] == -2.0


def test_parameter_overrides_recompute_derived_values(tmp_path):
    path = write(tmp_path, BASE)
    s = load(path, parameters={"gain": 4})
    assert s.parameters["loss"] == 2.0
    assert s.with_parameters({"gain": 10}).parameters["loss"] == 5.0
    with pytest.raises(InputError, match=r"unknown parameter 'gian' \(did you mean 'gain'\?\)"):
        load(path, parameters={"gian": 1})
    with pytest.raises(InputError, match="finite number"):
        load(path, parameters={"gain": float("nan")})


def test_every_top_level_key_is_known_once():
    assert {"title", "players", "payoffs"} <= {k for k, s in top_level_keys().items() if s.required}
    reserved = {k for k, s in top_level_keys().items() if s.reserved}
    assert reserved == set()
    assert "sweep" in top_level_keys()


# Each case: (a change to BASE as (old, new), the marker whose line the error names, a regex for the message).
CASES = [
    pytest.param(
        ("title: Two players", "title: Two players\ntittle: x"),
        "tittle",
        r"at tittle: unknown key 'tittle' in the scenario \(did you mean 'title'\?\); known keys: 'format'",
        id="unknown_top_key",
    ),
    pytest.param(
        ("framing:", "sweep: {population: 100}\nframing:"),
        "sweep",
        r"unknown key 'population' in the sweep section; known keys: 'parameters'",
        id="sweep_unknown_key",
    ),
    pytest.param(("format: 1", "format: 2"), "format", r"format 2 is not supported", id="format_version"),
    pytest.param(("title: Two players\n", ""), "format", r"missing the required key 'title'", id="missing_title"),
    pytest.param(
        ("    actions: [c, d, e]", "    actions: [c, d, e"),
        "parameters:",
        r"malformed YAML: .*started at line 10",
        id="malformed_yaml",
    ),
    pytest.param(
        ("  gain: 3", "  gain: !!python/object/apply:os.system [ls]"),
        "gain:",
        r"YAML tag .* is not supported",
        id="python_tag",
    ),
    pytest.param(("  gain: 3", "  gain: &g 3\n  g2: *g"), "g2:", r"aliases", id="alias"),
    pytest.param(
        ("  gain: 3", "  gain: 3\n  gain: 4"),
        "gain: 4",
        r"duplicate key 'gain' \(first given at line 12\)",
        id="duplicate_key",
    ),
    pytest.param(
        ("  - name: China", "  - name: US"),
        "name: US\n    actions: [c",
        r"duplicate player name 'US' \(first given at line 7\)",
        id="duplicate_player",
    ),
    pytest.param(("[a, b]", "[a, a]"), "[a, a]", r"duplicate action 'a' of player 'US'", id="duplicate_action"),
    pytest.param(("[a, b]", "[a, 2b]"), "[a, 2b]", r"invalid action name of 'US' '2b'", id="invalid_action"),
    pytest.param(("name: US", "name: U S"), "U S", r"invalid player name 'U S'", id="invalid_player"),
    pytest.param(("  gain: 3", "  log: 3\n  gain: 3"), "log: 3", r"name of a function", id="function_parameter"),
    pytest.param(("  gain: 3", "  gain: .nan"), "gain: .nan", r"finite number", id="nan_parameter"),
    pytest.param(("  gain: 3", "  gain: .inf"), "gain: .inf", r"finite number", id="inf_parameter"),
    pytest.param(
        ("  gain: 3", "  gain: true"), "gain: true", r"number or a formula, got the boolean 'true'", id="bool_parameter"
    ),
    pytest.param(
        ('loss: "gain / 2"', 'loss: "gain / (gain - 3)"'), "loss:", r"division by zero", id="division_by_zero"
    ),
    pytest.param(('loss: "gain / 2"', 'loss: "gain ^ 2"'), "loss:", r"column 6 .*write '\*\*'", id="caret"),
    pytest.param(
        ('loss: "gain / 2"', 'loss: "later / 2"\n  later: 1'),
        "loss:",
        r"parameter 'later' is defined later \(line 14\)",
        id="later_parameter",
    ),
    pytest.param(
        ('China: "gain - loss"', 'China: "gian - loss"'),
        "gian",
        r"at payoffs\.table\[2\]\.payoffs\.China: unknown parameter 'gian' \(did you mean 'gain'\?\)",
        id="unknown_parameter",
    ),
    pytest.param(
        ('China: "gain - loss"', 'China: "US.a - loss"'),
        "US.a - loss",
        r"indicators can be used only",
        id="indicator_in_table",
    ),
    pytest.param(
        ("profile: [a, e]", "profile: [a, f]"),
        "[a, f]",
        r"at payoffs\.table\[2\]\.profile\[1\]: unknown action 'f' of player 'China'",
        id="unknown_action",
    ),
    pytest.param(
        ("profile: {US: b, China: c}", "profile: {US: b, Chna: c}"),
        "Chna",
        r"unknown player 'Chna' \(did you mean 'China'\?\)",
        id="unknown_player_in_profile",
    ),
    pytest.param(
        ("profile: {US: b, China: c}", "profile: {US: b}"),
        "{US: b}",
        r"the profile has no entry for player 'China'",
        id="incomplete_profile",
    ),
    pytest.param(
        ("profile: {US: b, China: d}", "profile: {US: a, China: c}"),
        "{US: a, China: c}\n      payoffs: {US: 5",
        r"profile \{US: a, China: c\} is given twice \(first at line 17\)",
        id="repeated_profile",
    ),
    pytest.param(
        ("    - profile: {US: b, China: d}\n      payoffs: {US: 5, China: -1}\n", ""),
        "table:",
        r"gives 5 of the 6 action profiles; missing \{US: b, China: d\}",
        id="missing_profile",
    ),
    pytest.param(
        ("payoffs: [2, loss]", "payoffs: [2, loss, 3]"),
        "[2, loss, 3]",
        r"lists 3 entries, expected 2 \(one per player, in the order US, China\)",
        id="payoff_list_length",
    ),
    pytest.param(
        ("payoffs: {US: 4, China: 0}", "payoffs: {US: 4, China: .nan}"),
        "China: .nan",
        r"finite number",
        id="nan_payoff",
    ),
    pytest.param(
        ("payoffs:\n  table:", "payoffs:\n  formulas: {US: 1, China: 2}\n  table:"),
        "payoffs:\n  formulas",
        r"exactly one of 'table', 'arrays' or 'formulas', got 'table' and 'formulas'",
        id="two_payoff_kinds",
    ),
    pytest.param(
        ("  relative_gains: w", "  relative_gains: -1"), "relative_gains: -1", r"must be >= 0", id="negative_weight"
    ),
    pytest.param(
        ("  relative_gains: w", "  relative_gain: w"),
        "relative_gain:",
        r"unknown key 'relative_gain' in framing \(did you mean 'relative_gains'\?\)",
        id="framing_typo",
    ),
    pytest.param(
        ("    action: b", "    action: z"), "action: z", r"unknown action 'z' of player 'US'", id="red_line_action"
    ),
    pytest.param(("    player: US", "    player: UK"), "player: UK", r"unknown player 'UK'", id="red_line_player"),
    pytest.param(
        ("    action: b", "    action: b\n  - name: no b\n    player: US\n    action: a"),
        "name: no b\n    player: US\n    action: a",
        r"duplicate red line 'no b'",
        id="red_line_duplicate",
    ),
    pytest.param(
        ("  w: {value: 0, description: a weight}", "  w: {valu: 0}"),
        "w: {valu",
        r"unknown key 'valu' in parameter 'w' \(did you mean 'value'\?\)",
        id="parameter_mapping_key",
    ),
]


@pytest.mark.parametrize("change, marker, message", CASES)
def test_errors_name_the_line_and_place(tmp_path, change, marker, message):
    old, new = change
    assert old in BASE
    text = BASE.replace(old, new, 1)
    err = error_of(tmp_path, text)
    assert err.line == line_of(text, marker), str(err)
    assert re.search(message, str(err)), str(err)


def test_arrays_of_the_wrong_shape(tmp_path):
    head = BASE.split("payoffs:\n  table:")[0]
    text = head + "payoffs:\n  arrays:\n    US: [[1, 2, 3], [4, 5]]\n    China: [[1, 2, 3], [4, 5, 6]]\n"
    err = error_of(tmp_path, text)
    assert err.line == line_of(text, "US: [[1")
    assert err.place == "payoffs.arrays.US[1]"
    assert "has 2 entries, expected 3, one per action of 'China'" in str(err)
    text = head + "payoffs:\n  arrays:\n    US: [1, 2]\n    China: [[1, 2, 3], [4, 5, 6]]\n"
    err = error_of(tmp_path, text)
    assert "a list of 3 entries" in str(err) and err.place == "payoffs.arrays.US[0]"
    text = head + "payoffs:\n  arrays:\n    US: [[1, 2, 3], [4, 5, 6]]\n"
    assert "no entry for player 'China'" in str(error_of(tmp_path, text))


def test_formula_payoff_errors(tmp_path):
    head = BASE.split("payoffs:\n  table:")[0]
    text = head + "payoffs:\n  formulas:\n    US: gain * US.a\n    China: gain * China.cc\n"
    err = error_of(tmp_path, text)
    assert err.line == line_of(text, "China: gain")
    assert "unknown indicator 'China.cc' (did you mean 'China.c'?)" in str(err)
    text = head + "payoffs:\n  formulas:\n    US: 1 / (US.a - 1)\n    China: 0\n"
    err = error_of(tmp_path, text)
    assert "division by zero" in str(err) and err.line == line_of(text, "US: 1 /")
    text = head + "payoffs:\n  formulas:\n    US: gian\n    China: 0\n"
    assert "unknown parameter 'gian' (did you mean 'gain'?)" in str(error_of(tmp_path, text))


def test_game_too_large_is_refused_before_allocating(tmp_path):
    many = ", ".join(f"x{k}" for k in range(2000))
    text = (
        f"title: big\nplayers:\n  - name: A\n    actions: [{many}]\n  - name: B\n    actions: [{many}]\n"
        f"  - name: C\n    actions: [{many}]\npayoffs:\n  formulas: {{A: 0, B: 0, C: 0}}\n"
    )
    err = error_of(tmp_path, text)
    assert "GiB" in str(err) and err.line == 2


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param("", "the file is empty", id="empty"),
        pytest.param("- a\n- b\n", "the scenario must be a mapping", id="list"),
        pytest.param("title: x\n---\ntitle: y\n", "more than one YAML document", id="two_documents"),
        pytest.param("title: x\nplayers: []\npayoffs: {table: []}\n", "players must be a list", id="no_players"),
        pytest.param(
            "title: x\nplayers:\n  - name: A\n    actions: []\npayoffs: {table: []}\n",
            "non-empty list",
            id="no_actions",
        ),
        pytest.param(
            "title: x\nplayers:\n  - {name: A, actions: [a]}\n", "missing the required key 'payoffs'", id="no_payoffs"
        ),
        pytest.param(
            "title: ''\nplayers:\n  - {name: A, actions: [a]}\npayoffs: {formulas: {A: 1}}\n",
            "title is empty",
            id="empty_title",
        ),
    ],
)
def test_document_level_errors(tmp_path, text, message):
    assert message in str(error_of(tmp_path, text))


def test_one_player_game_refuses_relative_gains(tmp_path):
    text = (
        "title: x\nplayers:\n  - {name: A, actions: [a]}\npayoffs: {formulas: {A: 1}}\nframing: {relative_gains: 1}\n"
    )
    err = error_of(tmp_path, text)
    assert "at least two players" in str(err) and err.line == 5


def test_missing_file_and_unknown_name():
    with pytest.raises(InputError, match="no such file, and no bundled scenario named 'nope'"):
        load("nope.yaml")
    with pytest.raises(InputError, match=r"did you mean 'export-controls'\?"):
        load("export-control")


def test_non_yaml_file_is_refused(tmp_path):
    path = write(tmp_path, "title: x\n", "s.txt")
    with pytest.raises(InputError, match=r"\.yaml or \.yml"):
        load(path)


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"title: x\ndescription: \xff\xfe\n")
    with pytest.raises(InputError, match="not UTF-8") as info:
        load(path)
    assert info.value.line == 2


def test_the_documented_examples_load(tmp_path):
    """Every complete YAML example in docs/scenario-format.md loads; the payoff fragments build with its players."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    complete = [b for b in blocks if b.startswith("format: 1")]
    assert len(complete) == 1
    s = load(write(tmp_path, complete[0], "example.yaml"))
    assert s.game.players == ("US", "China") and s.red_lines[0].action == "retaliate"
    head = (
        complete[0]
        .split("payoffs:\n")[0]
        .replace("  retaliation_self_cost: 0.5\n", "  retaliation_self_cost: 0.5\n  gain: 3\n  loss: 1\n")
    )
    # the symmetric `all:` fragment needs players with the same actions: it is GROUP below
    fragments = [b for b in blocks if b.startswith("payoffs:") and "all:" not in b]
    assert len(fragments) == 3
    for k, fragment in enumerate(fragments):
        text = head + fragment
        if "formulas" in fragment:  # that fragment's China chooses whether to comply
            text = text.replace("[retaliate, accommodate]", "[retaliate, comply]")
        assert load(write(tmp_path, text, f"fragment{k}.yaml")).game.num_actions == (2, 2)


def test_hostile_yaml_is_refused_quickly(tmp_path):
    laughs = 'a: &a ["lol", "lol"]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n'
    err = error_of(tmp_path, laughs)
    assert "aliases" in str(err) and err.line == 2
    assert "nests too deeply" in str(error_of(tmp_path, "[" * 5000 + "]" * 5000))


GROUP = """\
title: Collective-risk dilemma in groups of four
players:
  - {name: P1, actions: [C, D]}
  - {name: P2, actions: [C, D]}
  - {name: P3, actions: [C, D]}
  - {name: P4, actions: [C, D]}
parameters:
  b: 1
  c: 0.1
  r: 0.9
  M: 2
payoffs:
  formulas:
    all: "b * (1 - r * (1 - step(n_C - M))) - c * b * self.C"
"""


def test_one_formula_for_all_players_with_counts(tmp_path):
    """Santos and Pacheco (2011): the group keeps its endowment if at least M contribute, else loses it w.p. r."""
    game = load(write(tmp_path, GROUP)).game
    for profile in np.ndindex(*game.num_actions):
        n_c = sum(a == 0 for a in profile)
        for i, a in enumerate(profile):
            kept = 1.0 if n_c >= 2 else 1.0 - 0.9
            assert game.payoffs[i][profile] == pytest.approx(kept - 0.1 * (a == 0))


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('    all: "b', '    P1: "b', "has no entry for player 'P2'"),
        ("self.C", "self.X", r"unknown indicator 'self.X'"),
        ("n_C - M", "n_Q - M", r"unknown parameter 'n_Q'.*counts are n_action"),
        ("  - {name: P4, actions: [C, D]}", "  - {name: P4, actions: [C, E]}", "needs every player to have the same"),
    ],
)
def test_all_formula_errors(tmp_path, old, new, message):
    with pytest.raises(InputError, match=message):
        load(write(tmp_path, GROUP.replace(old, new)))
