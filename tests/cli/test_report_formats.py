"""`coop solve --brief` and `--format markdown|latex|csv`; the report names only the figures `coop plot` draws."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

import coop
from coop.errors import InputError
from coop.sections.registry import figure_kinds
from coop.sections.report import draw_figure
from tests.cli.helpers import invoke

#: A screen: the brief report of every bundled scenario fits in this many lines.
SCREEN_LINES = 45


def solve(*args: str) -> str:
    result = invoke("solve", *args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", ["collective-risk", "ai-safety-institutions", "export-controls", "ai-arms-race"])
def test_brief_fits_a_screen(name: str) -> None:
    brief = solve(name, "--brief")
    full = solve(name)
    assert len(brief.splitlines()) <= SCREEN_LINES < len(full.splitlines()) or len(brief) < len(full)
    assert "Nash equilibri" in brief and "  #  " in brief  # the equilibria table
    assert "Payoffs (" not in brief  # no payoff tables
    assert f"The full report: coop solve {name}" in brief


def test_brief_has_one_sentence_per_section() -> None:
    brief = solve("ai-safety-institutions", "--brief")
    for start in ("Repeated game (delta = 0.2): no strategy profile is subgame perfect",
                  "Payoff sets: the others can hold each player down to (minmax)",
                  "Institutions (delta = 0.2): self-enforcing under"):
        assert start in brief
    assert "1 Nash equilibrium (1 pure, 0 mixed): every equilibrium of the game." in brief


def test_markdown_tables() -> None:
    out = solve("export-controls", "--format", "markdown")
    assert out.startswith("# Semiconductor export controls")
    assert "**Payoffs (US, China, EU) when EU plays align**" in out
    assert "| # | US | China | EU | payoffs (US, China, EU) |" in out
    assert "| 3 | restrict 0.933, open 0.067 | retaliate | align 0.650, trade 0.350 |" in out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert all(line.endswith(" |") for line in rows)
    brief = solve("export-controls", "--format", "markdown", "--brief")
    assert "Payoffs" not in brief and "| # | US |" in brief


def test_latex_tables() -> None:
    out = solve("red-lines", "--format", "latex")
    assert out.count("\\begin{table}") == out.count("\\end{table}") == 3  # two payoff tables, the equilibria
    assert "human\\_control 9/11, autonomous 2/11" in out
    assert "\\caption{Nash equilibria}" in out
    for block in out.split("\\begin{tabular}{")[1:]:
        columns = block.split("}", 1)[0].count("l")
        body = block.split("\\end{tabular}")[0]
        assert all(line.count("&") == columns - 1 for line in body.splitlines() if line.endswith("\\\\"))


def test_csv_equilibria_one_row_each() -> None:
    out = solve("red-lines", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    doc = json.loads(solve("red-lines", "--format", "json"))
    assert len(rows) == len(doc["equilibria"])
    for row, eq in zip(rows, doc["equilibria"], strict=True):
        for player, mix in eq["strategies"].items():
            for action, p in mix.items():
                assert float(row[f"{player}: {action}"]) == pytest.approx(p, abs=1e-15)
        for player, v in eq["payoffs"].items():
            assert float(row[f"payoff {player}"]) == pytest.approx(v)
        assert row["red lines crossed"] == "; ".join(c["name"] for c in eq["red_lines"])


def test_csv_marks_the_sets_of_a_degenerate_game(tmp_path) -> None:
    game = coop.NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]])
    path = tmp_path / "g.nfg"
    path.write_text(game.to_nfg())
    rows = list(csv.DictReader(io.StringIO(solve(str(path), "--format", "csv"))))
    assert [r["sets"] for r in rows] == ["1", "2", "1 3", "2 3"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_brief_refused_where_it_means_nothing(fmt: str) -> None:
    result = invoke("solve", "red-lines", "--format", fmt, "--brief")
    assert result.exit_code == 2
    assert "--brief" in result.output


@pytest.mark.parametrize("command", [["list"], ["sweep", "ai-arms-race", "-p", "relative_gains=0:1:2"]])
def test_other_commands_keep_text_and_json(command: list[str]) -> None:
    result = invoke(*command, "--format", "markdown")
    assert result.exit_code == 2
    assert "'markdown' is not one of 'text', 'json'" in " ".join(result.output.split())


# ---------------------------------------------------------------------------- report and plot agree
@pytest.mark.parametrize("name", ["ai-safety-institutions", "ai-arms-race", "collective-risk"])
def test_report_names_only_figures_that_can_be_drawn(name: str) -> None:
    report = coop.analyse(name)
    named = report.available_figures()
    text = report.text()
    for kind in figure_kinds():
        if kind in named:
            assert kind in text
            fig = draw_figure(kind, report.loaded)
            assert fig.axes
        else:
            with pytest.raises(InputError):
                draw_figure(kind, report.loaded)
    if report.game.num_players != 2:
        assert "payoff-sets" not in text


def test_two_player_game_without_scenario_names_the_payoff_sets(tmp_path) -> None:
    game = coop.NormalFormGame.from_payoffs(np.random.default_rng(0).standard_normal((2, 2, 2)))
    path = tmp_path / "g.nfg"
    path.write_text(game.to_nfg())
    out = solve(str(path))
    assert f"Figure: coop plot {path} --kind payoff-sets" in out
