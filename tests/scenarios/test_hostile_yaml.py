"""Hostile, odd and oversized scenario files: one located error line and exit status 2, never a traceback.

Each case is a small file written to ``tmp_path`` and run through ``coop validate`` in-process (the same
reader as ``coop solve``); the error line must name the file and, where YAML gives one, the line. The
YAML 1.2 number rules and the tags are checked on the reader itself.
"""

from __future__ import annotations

import math
import re

import pytest

from coop.errors import InputError
from coop.scenarios import load, yaml_source
from coop.scenarios.yaml_source import MAX_YAML_BYTES, parse_yaml, resolve_plain

GAME = """\
title: T
players:
  - name: A
    actions: [a, b]
  - name: B
    actions: [c, d]
payoffs:
  arrays:
    A: [[1, 2], [3, PAY]]
    B: [[4, 3], [2, 1]]
"""
PAY_LINE = 9


def pay(value: str) -> str:
    """The game with one payoff of A written as ``value``."""
    return GAME.replace("PAY", value)


def players(count: int) -> str:
    entries = "".join(f"  - name: P{k}\n    actions: [a]\n" for k in range(count))
    return f"title: many\nplayers:\n{entries}payoffs:\n  formulas:\n    all: '1'\n"


def check_one_line(coop_cli, path, line: int | None, message: str) -> str:
    """``coop validate path`` fails with status 2 and one ``coop: error:`` line naming the file (and line)."""
    res = coop_cli("validate", path)
    out = res.stdout + res.stderr
    assert res.exit_code == 2, out
    assert "Traceback" not in out
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"coop: error: {path}"), lines[0]
    if line is not None:
        assert lines[0].startswith(f"coop: error: {path}, line {line}"), lines[0]
    assert re.search(message, lines[0]), lines[0]
    assert len(lines[0]) < 600, "the message shows long input shortened"
    return lines[0]


# (name, file content, line or None, message)
CASES = [
    # YAML tags: only the core ones, and a tagged value must read as its tag
    ("int_tag_text", pay("!!int abc"), PAY_LINE, r"'abc' is tagged !!int but is not an integer"),
    ("float_tag_text", pay("!!float abc"), PAY_LINE, r"tagged !!float but is not a number"),
    ("bool_tag_maybe", pay("!!bool maybe"), PAY_LINE, r"tagged !!bool but is not true or false"),
    ("int_tag_empty", pay("!!int ''"), PAY_LINE, r"'' is tagged !!int"),
    ("int_tag_bad_hex", pay("!!int 0x1g"), PAY_LINE, r"tagged !!int"),
    ("null_tag_text", pay("!!null x"), PAY_LINE, r"tagged !!null but is not empty"),
    ("timestamp_title", GAME.replace("title: T", "title: !!timestamp notadate"), 1,
     r"'!!timestamp' is not supported"),
    ("timestamp_valid", GAME.replace("title: T", "title: !!timestamp 2001-12-14"), 1, r"'!!timestamp' is not"),
    ("python_object", pay("!!python/object/apply:os.system [ls]"), PAY_LINE, r"'!!python/object/apply:os.system'"),
    ("custom_tag", pay("!foo 3"), PAY_LINE, r"'!foo' is not supported"),
    ("verbatim_tag", pay("!<tag:example.com,2000:x> 3"), PAY_LINE, r"'tag:example.com,2000:x' is not supported"),
    ("tag_directive", "%TAG !e! tag:example.com,2000:\n---\n" + GAME.replace("title: T", "title: !e!foo T"), 3,
     r"is not supported"),
    ("binary_tag", pay("!!binary aGVsbG8="), PAY_LINE, r"'!!binary' is not supported"),
    ("set_tag", pay("!!set {a: null}"), PAY_LINE, r"'!!set' is not supported"),
    ("seq_tag_on_scalar", pay("!!seq 3"), PAY_LINE, r"'!!seq' does not fit a plain value"),
    ("map_tag_on_list", pay("!!map [1]"), PAY_LINE, r"'!!map' does not fit a list"),
    # numbers that YAML 1.1 would have read otherwise are text, hence formula errors
    ("sexagesimal", pay("1:30"), PAY_LINE, r"unexpected character ':'"),
    ("yaml11_bool", pay("yes"), PAY_LINE, r"unknown parameter 'yes'"),
    ("underscored_int", pay("1_000"), PAY_LINE, r"a number runs into a name"),
    ("binary_int", pay("0b101"), PAY_LINE, r"a number runs into a name"),
    ("huge_int", pay("9" * 5000), PAY_LINE, r"has 5000 digits; at most 4000"),
    ("overflowing_float", pay("1e400"), PAY_LINE, r"must be a finite number, got 1e400"),
    ("nan", pay(".nan"), PAY_LINE, r"finite number"),
    # formulas with odd characters
    ("superscript", pay("'2²'"), PAY_LINE, r"column 2 .*'²' \(SUPERSCRIPT TWO\); superscripts .* '\*\*'"),
    ("lone_superscript", pay("'1 + ³'"), PAY_LINE, r"column 5 .*superscripts"),
    ("dot_superscript", pay("'.²'"), PAY_LINE, r"column 2 .*superscripts"),
    ("nul_in_formula", pay('"1\\x002"'), PAY_LINE, r"column 2 .*'\\x00'"),
    ("times_sign", pay("'2 × 3'"), PAY_LINE, r"'×' \(MULTIPLICATION SIGN\); write '\*'"),
    ("arabic_digits", pay("'١٢'"), PAY_LINE, r"digits 0-9"),
    ("long_formula", pay("'" + "x" * 100_000 + "'"), PAY_LINE, r"at most 10000 characters"),
    ("deep_parentheses", pay("'" + "(" * 10_000 + "1" + ")" * 10_000 + "'"), PAY_LINE, r"at most 10000 characters"),
    ("nested_parentheses", pay("'" + "(" * 4000 + "1" + ")" * 4000 + "'"), PAY_LINE, r"nests more than 100"),
    ("huge_power", pay("'10**10**10'"), PAY_LINE, r"non-finite number"),
    ("huge_literal", pay("'" + "9" * 5000 + "'"), PAY_LINE, r"is too large"),
    # players
    ("seventy_players", players(70), 2, r"70 players is too large: coop handles at most 32"),
    ("twenty_four_players", players(24).replace("actions: [a]", "actions: [a, b]"), 2,
     r"24 players with 2 x 2 x 2 x ... x 2 actions needs 3 GiB of payoffs; expected at most 1 GiB"),
    ("actions_over_the_size_cap", "title: T\nplayers:\n  - {name: A, actions: [a]}\npayoffs: {formulas: {A: 1}}\n"
     .replace("[a]", "[" + ", ".join(f"a{k}" for k in range(200_001)) + "]"), None, r"1 MiB"),
    # the document
    ("empty", "", None, r"the file is empty"),
    ("comments_only", "# nothing\n\n", None, r"the file is empty"),
    ("list_document", "- a\n- b\n", 1, r"the scenario must be a mapping"),
    ("scalar_document", "hello\n", 1, r"the scenario must be a mapping"),
    ("two_documents", GAME + "---\n" + GAME, 11, r"more than one YAML document"),
    ("billion_laughs", 'a: &a ["lol", "lol"]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n'
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n", 2, r"aliases"),
    ("merge_key", "base: &b {x: 1}\ntitle: T\nmore:\n  <<: {x: 1}\n", 4, r"merge keys"),
    ("deep_lists", "title: " + "[" * 10_000 + "]" * 10_000 + "\n", 1, r"nests too deeply \(more than 64"),
    ("deep_mappings", "title: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", 1, r"nests too deeply"),
    ("duplicate_key", GAME + "title: again\n", 11, r"duplicate key 'title' \(first given at line 1\)"),
    ("list_as_key", GAME + "? [a, b]\n: 1\n", 11, r"a mapping key must be a plain name"),
    ("long_key", GAME + "k" * 1000 + ": 1\n", 11, r"the mapping key 'kkk.*\.\.\.' is 1,000 characters long"),
    ("long_text_value", GAME.replace("players:\n", "players: " + "x" * 5000 + "\n", 1).split("  - name: A")[0]
     + "payoffs: {formulas: {A: 1}}\n", 2, r"players must be a list .*got the text 'xxx.*\.\.\.'"),
    ("control_character", GAME.replace("title: T", "title: T\x07"), 1, r"U\+0007"),
    ("malformed", "title: x\nplayers: [\n", 3, r"malformed YAML"),
    ("tab_indent", "title: x\n\tplayers: 1\n", 2, r"malformed YAML: .*tab"),
    ("tab_in_list", "title: x\nplayers:\n\t- a\n", 3, r"found character '\\t' .*spaces, not tabs"),
]

BINARY_CASES = [
    ("binary", bytes(range(256)) * 4, 2, r"not UTF-8 text"),
    ("invalid_utf8", GAME.encode() + b"# \xff\xfe\n", 11, r"not UTF-8 text"),
    ("utf16", GAME.encode("utf-16"), 1, r"UTF-16 text; save it as UTF-8"),
    ("utf16_without_bom", GAME.encode("utf-16-le"), 1, r"NUL character"),
    ("nul_bytes", b"title: x\x00\n", 1, r"NUL character"),
]


@pytest.mark.parametrize(("content", "line", "message"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_hostile_scenario_gives_one_line(tmp_path, coop_cli, content, line, message):
    path = tmp_path / "s.yaml"
    path.write_text(content, encoding="utf-8")
    check_one_line(coop_cli, path, line, message)


@pytest.mark.parametrize(("content", "line", "message"), [pytest.param(*c[1:], id=c[0]) for c in BINARY_CASES])
def test_undecodable_scenario_gives_one_line(tmp_path, coop_cli, content, line, message):
    path = tmp_path / "s.yaml"
    path.write_bytes(content)
    check_one_line(coop_cli, path, line, message)


@pytest.mark.parametrize(
    "tail",
    [pytest.param(lambda: "description: " + "x" * MAX_YAML_BYTES + "\n", id="long_description"),
     pytest.param(lambda: ("# " + "c" * 98 + "\n") * (MAX_YAML_BYTES // 100 + 1), id="comments_after")],
)
def test_file_over_the_cap_is_refused_before_parsing(tmp_path, coop_cli, monkeypatch, tail):
    def never(*args, **kwargs):
        raise AssertionError("a file over the cap must not be parsed")

    monkeypatch.setattr(yaml_source, "parse_yaml", never)
    path = tmp_path / "big.yaml"
    path.write_text(GAME.replace("PAY", "1") + tail(), encoding="utf-8")
    size = path.stat().st_size
    first = check_one_line(coop_cli, path, None, r"a scenario file may be at most 1 MiB")
    assert f"({size:,} bytes)" in first


def test_a_file_at_the_cap_is_read(tmp_path):
    text = GAME.replace("PAY", "1")
    filler = "# " + "c" * 97 + "\n"
    text += filler * ((MAX_YAML_BYTES - len(text)) // len(filler))
    text += "#" * (MAX_YAML_BYTES - len(text) - 1) + "\n"
    path = tmp_path / "cap.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size == MAX_YAML_BYTES
    assert load(path).game.num_actions == (2, 2)


def test_too_many_values_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(yaml_source, "MAX_VALUES", 50)
    with pytest.raises(InputError, match="more than 50 values") as info:
        parse_yaml("a: [" + ", ".join(["1"] * 60) + "]\n", source="v.yaml")
    assert info.value.line == 1


# ---------------------------------------------------------------------- numbers read as YAML 1.2 does
@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("10", 10), ("-3", -3), ("+7", 7), ("010", 10), ("0o17", 15), ("0x1F", 31), ("0x1f", 31),
        ("1.5", 1.5), (".5", 0.5), ("-.5", -0.5), ("2.", 2.0), ("1e10", 1e10), ("1.0e10", 1e10), ("1E-3", 1e-3),
        ("+1.5e+2", 150.0), (".inf", math.inf), ("-.Inf", -math.inf), ("+.INF", math.inf),
        ("true", True), ("True", True), ("TRUE", True), ("false", False), ("FALSE", False),
        ("null", None), ("~", None), ("", None), ("NULL", None),
        ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"), ("n", "n"),
        ("1:30", "1:30"), ("1_000", "1_000"), ("0b101", "0b101"), ("2001-12-14", "2001-12-14"),
        ("0o18", "0o18"), ("-0x1F", "-0x1F"), ("tRue", "tRue"), ("nUll", "nUll"), (".", "."), ("-", "-"),
        ("1e", "1e"), ("e5", "e5"), ("1.2.3", "1.2.3"),
    ],
)
def test_plain_values_follow_yaml_1_2(written, value):
    got = resolve_plain(written)
    assert got == value and type(got) is type(value)
    if written == "-":  # YAML syntax (a list entry) as a value: resolve_plain only
        return
    node = parse_yaml(f"x: {written}\n")["x"]
    assert node.value == value and type(node.value) is type(value)
    assert node.text == written


def test_nan_is_a_float():
    assert math.isnan(resolve_plain(".nan")) and math.isnan(resolve_plain(".NaN"))


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ('"010"', "010"), ("'yes'", "yes"), ("!!str 010", "010"), ("!!str", ""), ("! 12", "12"),
        ("!!int 0x10", 16), ("!!int -7", -7), ("!!float 1", 1.0), ("!!float 1e3", 1000.0),
        ("!!bool TRUE", True), ("!!null ~", None), ("!!null", None), ("|\n  010\n", "010\n"),
    ],
)
def test_quoted_and_tagged_values(written, value):
    node = parse_yaml(f"x: {written}\n")["x"]
    assert node.value == value and type(node.value) is type(value)


def test_numbers_in_a_scenario_mean_what_they_look_like(tmp_path):
    for written, expected in [("010", 10.0), ("0o17", 15.0), ("0x1F", 31.0), ("1e10", 1e10), ("1.0e10", 1e10)]:
        path = tmp_path / "n.yaml"
        path.write_text(pay(written), encoding="utf-8")
        assert load(path).game.payoffs[0][1, 1] == expected


# ---------------------------------------------------------------------- sizes that must stay fast
def test_many_actions_load_in_linear_time(tmp_path):
    """30,000 actions of one player: action checks and indicators are not quadratic (was 60 s and 9 GB)."""
    actions = ", ".join(f"a{k}" for k in range(30_000))
    path = tmp_path / "wide.yaml"
    path.write_text(f"title: wide\nplayers:\n  - name: A\n    actions: [{actions}]\n"
                    "payoffs:\n  formulas:\n    A: 'A.a7 - 1'\n", encoding="utf-8")
    game = load(path).game
    assert game.num_actions == (30_000,)
    assert game.payoffs[0][7] == 0.0 and game.payoffs[0][8] == -1.0


def test_thirty_two_players_with_one_action_load(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(players(32), encoding="utf-8")
    assert load(path).game.num_players == 32
