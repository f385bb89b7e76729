"""What a notebook user sees: one-line reprs, HTML tables, and plot functions that take the public objects."""

from __future__ import annotations

import re

import numpy as np
import pytest

import coop
from coop.errors import InputError
from coop.games import NormalFormGame
from coop.plots import legend_texts
from coop.sections.registry import analysis_named


@pytest.fixture(scope="module")
def arms_race():
    return coop.analyse("ai-arms-race")


def shaded_cells(text):
    return len(re.findall(r"<td[^>]*background", text))


def test_reprs_are_one_short_line(arms_race):
    game = arms_race.game
    solution = arms_race.sections["stage"].solution
    assert repr(game) == ("NormalFormGame('AI arms race between the US and China', players=('US', 'China'), "
                          "actions 2 x 2)")
    assert repr(solution) == "GameSolution(3 equilibria (2 pure), complete, method=vertex_enumeration)"
    assert repr(arms_race).startswith("SolveReport(") and "\n" not in repr(arms_race)
    untitled = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    assert repr(untitled) == "NormalFormGame(players=('1', '2'), actions 2 x 2)"
    one = coop.solve_game(NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
    assert repr(one).startswith("GameSolution(1 equilibrium, complete")


def test_the_payoff_table_marks_best_replies_and_shades_pure_equilibria(arms_race):
    text = arms_race.game._repr_html_()
    assert text.count("<table") == 1
    for action in ("restrain", "race", "US", "China"):
        assert action in text
    assert shaded_cells(text) == 2  # (restrain, restrain) and (race, race)
    assert "<u>4</u>, <u>4</u>" in text


def test_every_pure_equilibrium_is_a_shaded_cell_in_three_player_games():
    report = coop.analyse("export-controls")
    text = report.game._repr_html_()
    assert text.count("<table") == 2 and "when EU plays" in text
    pure = [e for e in report.sections["stage"].solution.equilibria if e.is_pure]
    assert shaded_cells(text) == len(pure)


def test_labels_are_escaped_and_large_games_are_not_drawn():
    game = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]], players=("<A>", "B&C"),
                                        actions=(("<b>x</b>", "y"), ("z", "w")), title="a <script> game")
    text = game._repr_html_()
    assert "<script>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text and "B&amp;C" in text
    big = NormalFormGame.from_payoffs(np.zeros((2, 30, 30)))
    assert "too many to show" in big._repr_html_()


def test_the_equilibria_table_highlights_the_pure_ones(arms_race):
    text = arms_race.sections["stage"].solution._repr_html_()
    assert "3 Nash equilibria" in text
    rows = re.findall(r"<tr>(.*?)</tr>", text)
    assert len(rows) == 4  # a header and three equilibria
    assert [">pure<" in r for r in rows[1:]] == [True, True, False]
    assert all("background" in r for r in rows[1:3]) and "background" not in rows[3]
    assert "race 1/3" in text or "race 2/3" in text  # the mixed one, as fractions


def test_the_report_has_a_heading_per_section(arms_race):
    text = arms_race._repr_html_()
    titles = [analysis_named(name).title for name in arms_race.sections]
    headings = re.findall(r"<h4>(.*?)</h4>", text)
    assert [h.lower() for h in headings] == [t.lower() for t in titles]
    assert text.startswith("<h3>AI arms race between the US and China</h3>")
    assert "<table" in text and "<pre" in text


# ----------------------------------------------------------------------------- plot functions, public objects
def test_a_report_is_drawn_from_its_results(arms_race, monkeypatch):
    from coop.sections import report as report_module

    def no_run(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(report_module, "run_analyses", no_run)
    fig = coop.plot_critical_delta(arms_race, dpi=30)
    assert "self-enforcing at delta = 0.9" in legend_texts(fig)
    fig = coop.plot_payoff_sets(arms_race, dpi=30)
    assert any(t.startswith("subgame-perfect payoffs at delta = 0.9") for t in legend_texts(fig))


def test_the_plot_functions_take_names_scenarios_games_and_results():
    scenario = coop.load("collective-risk")
    report = coop.analyse(scenario)
    result = report.sections["finite_population"]
    for fig in (coop.plot_gradient("collective-risk", dpi=30), coop.plot_gradient(scenario, result, dpi=30),
                coop.plot_stationary(report, style="slide", dpi=20), coop.plot_trajectories(scenario, dpi=30),
                coop.plot_simplex(report, dpi=30)):
        assert fig.axes and fig.get_suptitle()
    game = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], title="Prisoner's dilemma")
    fig = coop.plot_payoff_sets(game, delta=0.6, dpi=30)
    assert "Prisoner's dilemma" in fig.get_suptitle()
    assert any(t.startswith("subgame-perfect payoffs at delta = 0.6") for t in legend_texts(fig))
    with pytest.raises(InputError, match="needs a scenario with an 'evolution' section"):
        coop.plot_simplex(game)
    with pytest.raises(InputError, match="unknown figure style"):
        coop.plot_gradient(report, style="poster")


def test_plot_sweep_takes_what_coop_sweep_returns():
    table = coop.sweep("ai-arms-race", ["relative_gains=0:1:3"], sections=["stage"], workers=1)
    fig = coop.plot_sweep(table, dpi=30)
    assert fig.axes[0].get_xlabel() == "relative_gains"
    assert "AI arms race" not in fig.get_suptitle()  # a bare table does not know its scenario
    fig = coop.plot_sweep(table, title="Arms race", style="slide", dpi=20)
    assert [round(v) for v in fig.get_size_inches() * fig.dpi] == [267, 150]
