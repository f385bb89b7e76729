"""The text report teaches: one number format per equilibrium, counts in the right number, plain words for the
solvers' terms, and degenerate games explained with their sets of equilibria (never '0 more' without a reason)."""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest

import coop
from coop.games import NormalFormGame
from coop.inputs import LoadedInput
from coop.report_text import format_decimal, format_profile, fractions_fit, plural
from coop.sections.report import analyse
from coop.sections.stage_text import plain_note


@functools.cache
def scenario_text(name: str) -> str:
    return coop.analyse(name).text()


def game_report(game: NormalFormGame, **options) -> str:
    return analyse(LoadedInput(game, "game.nfg", "nfg"), **options).text()


def flat(text: str) -> str:
    return " ".join(text.split())


def equilibrium_rows(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("  #  "))
    rows = []
    for line in lines[start + 2:]:
        if not line.strip():
            break
        rows.append(line)
    return rows


# ---------------------------------------------------------------------------- numbers
def test_one_number_format_per_equilibrium() -> None:
    """export-controls' third equilibrium has 14/15 for the US and 0.65 for the EU: all decimals then."""
    rows = equilibrium_rows(scenario_text("export-controls"))
    for row in rows:
        has_fraction = bool(re.search(r"\b\d+/\d+\b", row.split("  ")[0] + " ".join(row.split()[:-3])))
        has_decimal = bool(re.search(r"[a-z_] (0|1)\.\d{3}", row))
        assert not (has_fraction and has_decimal), row
    assert "restrict 0.933, open 0.067" in rows[2] and "align 0.650, trade 0.350" in rows[2]
    assert "restrict 0.600, open 0.400" in rows[4]  # 3/5 with 0.15 beside it: decimals too


def test_fractions_when_every_probability_is_one() -> None:
    rows = equilibrium_rows(scenario_text("red-lines"))
    assert "human_control 9/11, autonomous 2/11" in rows[2]
    assert "(p = 2/11)" in rows[2]


@pytest.mark.parametrize("strategies, expected", [
    ([np.array([2 / 3, 1 / 3]), np.array([1.0, 0.0])], ["a 2/3, b 1/3", "c"]),
    ([np.array([2 / 3, 1 / 3]), np.array([0.65, 0.35])], ["a 0.667, b 0.333", "c 0.650, d 0.350"]),
    ([np.array([0.99961, 0.00039]), np.array([0.5, 0.5])], ["a 0.99961, b 0.00039", "c 0.500, d 0.500"]),
])
def test_format_profile(strategies, expected) -> None:
    assert format_profile([("a", "b"), ("c", "d")], strategies) == expected


def test_decimals_never_hide_a_probability() -> None:
    assert format_decimal(1e-5) == "0.000010"
    assert format_decimal(0.0) == "0.000"
    assert fractions_fit(np.array([1.0, 0.0]))


# ---------------------------------------------------------------------------- counts
@pytest.mark.parametrize("count, expected", [(0, "0 red lines"), (1, "1 red line"), (2, "2 red lines")])
def test_plural(count: int, expected: str) -> None:
    assert plural(count, "red line") == expected


def test_one_equilibrium_is_singular() -> None:
    text = scenario_text("ai-safety-institutions")
    assert "1 Nash equilibrium found" in text
    assert "1 equilibria" not in text and "1 systems" not in text


def test_no_count_with_a_wrong_number() -> None:
    for name in ("export-controls", "red-lines", "ai-safety-institutions", "ai-arms-race"):
        text = flat(scenario_text(name))
        assert not re.search(r"\b1 (equilibria|systems|boxes|red lines|players|profiles|strategies)\b", text), name
        assert " 0 more" not in text


# ---------------------------------------------------------------------------- plain words
JARGON = ["pruned by conditional dominance", "systems solved", "best-response polytope",
          "more tight constraints than its dimension", "tangent space", "non-hyperbolic"]


@pytest.mark.parametrize("name", ["export-controls", "red-lines", "collective-risk", "ai-arms-race"])
def test_no_unexplained_jargon(name: str) -> None:
    text = flat(scenario_text(name))
    for term in JARGON:
        assert term not in text, term
    assert "a Nash equilibrium is a strategy for each player" in text


def test_solver_notes_in_plain_words() -> None:
    note = plain_note("visited 3 support profiles: 1 pruned by conditional dominance, 1 systems solved (1 boxes)")
    assert note.startswith("3 support profiles (choices of which actions each player mixes) were tried")
    assert "1 solved" in note and "1 box)" in note
    assert plain_note("something else entirely") == "something else entirely"


# ---------------------------------------------------------------------------- red lines
def test_red_line_sentence() -> None:
    assert "Red lines: all 3 equilibria cross at least one red line." in scenario_text("red-lines")


# ---------------------------------------------------------------------------- degenerate games
def von_stengel_degenerate() -> NormalFormGame:
    """von Stengel (2007), section 3.5: top meets a segment of column mixes, (1, 0) to (2/3, 1/3)."""
    return NormalFormGame.from_bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]], players=("Row", "Column"),
                                        actions=(("top", "middle", "bottom"), ("left", "right")))


def test_degenerate_game_explained_with_its_sets() -> None:
    text = flat(game_report(von_stengel_degenerate()))
    assert "The game is degenerate. What degenerate means:" in text
    assert "form 2 sets of equilibria (maximal Nash subsets)" in text
    assert ("set 1 (equilibria 1 and 2 at its corners): Row plays top and Column plays any mix of (left) and "
            "(left 2/3, right 1/3): every such pair is an equilibrium") in text
    assert "set 2: equilibrium 3 alone" in text
    assert "best-response polytope" not in text


def test_overlapping_sets_are_one_connected_piece() -> None:
    game = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]], players=("Row", "Column"))
    text = flat(game_report(game))
    assert "form 3 sets of equilibria" in text
    assert "Sets 1, 2 and 3 overlap" in text


def test_degenerate_with_isolated_equilibria_says_the_list_is_complete() -> None:
    # ties (column 2 and 3 of the row player's payoffs) that form no continuum: one isolated equilibrium
    game = NormalFormGame.from_bimatrix([[1, 3, 2], [0, 3, 2]], [[3, 0, 0], [3, 0, 2]])
    sol = analyse(LoadedInput(game, "g.nfg", "nfg")).sections["stage"].solution
    assert sol.degenerate and all(c.isolated for c in sol.components)
    assert "each is an isolated equilibrium" in flat(game_report(game))


def test_support_enumeration_on_a_degenerate_game_says_why_and_what_to_do() -> None:
    game = NormalFormGame.from_payoffs(np.zeros((2, 2, 3)))
    text = flat(game_report(game, method="support"))
    assert " 0 more" not in text
    assert "the list may be incomplete because the game is degenerate" in text
    assert "--method vertex lists every extreme equilibrium" in text


def test_three_player_degenerate_game_says_what_is_listed() -> None:
    rng = np.random.default_rng(3)
    game = NormalFormGame.from_payoffs(rng.integers(0, 2, (3, 2, 2, 2)).astype(float))
    text = flat(game_report(game))
    assert "The game is degenerate." in text
    assert "With 3 players coop lists the isolated equilibria and verified points of such sets" in text
    assert re.search(r"plus \d+ more found by polynomial support enumeration|found no other", text)


def test_a_2x2_report_names_the_game_and_its_selection(coop_cli, coop_json):
    # the arms race is a stag hunt until relative gains pass 1/3, then a prisoner's dilemma
    text = coop_cli("solve", "ai-arms-race").stdout
    assert "Game type: stag hunt" in text
    assert "(restrain, restrain) is payoff dominant" in text and "(race, race) is risk dominant" in text
    doc = coop_json("solve", "ai-arms-race", "--set", "relative_gains=0.5", "--format", "json")
    assert doc["game_type"]["name"] == "prisoner's dilemma"
    assert doc["game_type"]["ordinal"]["US"] == [[3, 1], [4, 2]]
    assert [s["profile"] for s in doc["selection"]] == [{"US": "race", "China": "race"}]
    assert coop_json("solve", "export-controls", "--format", "json")["game_type"] is None  # 3 players
