"""The ``correlated`` section: its parser (one error line at its line), its report (text, JSON, metrics), the
command line, a bundled scenario with the section added, and a sweep over it."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import coop
from coop.errors import InputError
from coop.scenarios import load
from coop.scenarios.library import resolve
from tests.cli.helpers import invoke, one_line

CHICKEN = """\
title: Chicken (Aumann 1974)
players:
  - {name: Row, actions: [C, D]}
  - {name: Column, actions: [C, D]}
payoffs:
  arrays:
    Row: [[6, 2], [7, 0]]
    Column: [[6, 7], [2, 0]]
"""


def write(tmp_path, text, name="chicken.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


# ----------------------------------------------------------------------------------------- the parser
@pytest.mark.parametrize("section, kinds, objectives", [
    ("correlated:\n", ("correlated",), ("welfare", "fair")),
    ("correlated: true\n", ("correlated",), ("welfare", "fair")),
    ("correlated: {kinds: coarse}\n", ("coarse",), ("welfare", "fair")),
    ("correlated:\n  kinds: [coarse, correlated]\n  objectives: [fair]\n", ("coarse", "correlated"), ("fair",)),
])
def test_the_section_is_read(tmp_path, section, kinds, objectives):
    spec = load(write(tmp_path, CHICKEN + section)).sections["correlated"]
    assert (spec.kinds, spec.objectives) == (kinds, objectives)
    assert spec.to_dict() == {"kinds": list(kinds), "objectives": list(objectives)}


def test_without_the_section_there_is_none(tmp_path):
    scenario = load(write(tmp_path, CHICKEN))
    assert "correlated" not in scenario.sections
    assert "correlated" not in coop.analyse(scenario).sections


@pytest.mark.parametrize("section, line, message", [
    ("correlated:\n  kinds: [nash]\n", 10, "unknown kind 'nash' in kinds; expected one of 'correlated', 'coarse'"),
    ("correlated:\n  kinds: [correlated, correlated]\n", 10, "kind 'correlated' is listed twice in kinds"),
    ("correlated:\n  objectives: [welfare, utilitarian]\n", 10, "unknown objective 'utilitarian' in objectives"),
    ("correlated:\n  objectives: []\n", 10, "objectives must be a non-empty list of objectives"),
    ("correlated:\n  kind: coarse\n", 10, "unknown key 'kind' in correlated (did you mean 'kinds'?)"),
    ("correlated: 3\n", 9, "correlated must be a mapping with keys 'kinds', 'objectives', got the number 3"),
    ("correlated: false\n", 9, "correlated must be a mapping with keys 'kinds', 'objectives'"),
])
def test_bad_options_are_one_line_at_their_line(tmp_path, section, line, message):
    with pytest.raises(InputError) as err:
        load(write(tmp_path, CHICKEN + section))
    assert message in str(err.value)
    assert err.value.line == line
    assert "\n" not in str(err.value)


def test_a_game_too_large_for_the_programme_is_refused_when_loaded(tmp_path):
    acts = "[" + ", ".join(f"a{k}" for k in range(150)) + "]"
    text = (f"title: big\nplayers:\n  - {{name: A, actions: {acts}}}\n  - {{name: B, actions: {acts}}}\n"
            "payoffs:\n  formulas:\n    A: 0\n    B: 0\ncorrelated:\n")
    with pytest.raises(InputError, match="constraint coefficients; the limit is 250,000; remedy: a game with"):
        load(write(tmp_path, text, "big.yaml"))


# ----------------------------------------------------------------------------------------- the report
def test_chicken_report_json_text_and_metrics(tmp_path):
    report = coop.analyse(write(tmp_path, CHICKEN + "correlated:\n  kinds: [correlated, coarse]\n"))
    doc = report.to_dict()["correlated"]
    json.dumps(doc, allow_nan=False)
    assert doc["nash"] == {"best_welfare": pytest.approx(28 / 3), "best_min_payoff": pytest.approx(14 / 3),
                           "equilibria": 3, "complete": True}
    assert [(e["kind"], e["objective"]) for e in doc["equilibria"]] == [
        ("correlated", "welfare"), ("correlated", "fair"), ("coarse", "welfare"), ("coarse", "fair")]
    for e in doc["equilibria"]:
        assert e["found"] and e["reason"] is None and e["relative_violation"] <= e["tol"]
        assert {tuple(d["profile"].values()): d["probability"] for d in e["distribution"]} == {
            ("C", "C"): pytest.approx(0.5), ("C", "D"): pytest.approx(0.25), ("D", "C"): pytest.approx(0.25)}
        assert e["payoffs"] == {"Row": pytest.approx(5.25), "Column": pytest.approx(5.25)}
    assert doc["equilibria"][0]["gain_over_nash"] == pytest.approx(10.5 - 28 / 3, abs=1e-12)
    assert doc["equilibria"][1]["gain_over_nash"] == pytest.approx(5.25 - 14 / 3, abs=1e-12)

    text = report.text()
    assert "Correlated equilibria: what a mediator can achieve" in text
    assert "Coarse correlated equilibria" in text
    assert "total 10.5 (best Nash equilibrium 9.333: a mediator adds 1.167)" in " ".join(text.split())
    table = [line.split() for line in text.splitlines() if line.startswith("    1/")]
    assert table[:3] == [["1/2", "C", "C"], ["1/4", "C", "D"], ["1/4", "D", "C"]]
    assert "the same lottery as the welfare one" in text
    assert text.count("the same lottery as the correlated welfare one") == 2  # the coarse ones

    metrics = report.metrics()
    assert metrics["correlated.welfare.welfare"] == pytest.approx(10.5)
    assert metrics["correlated.welfare.gain"] == pytest.approx(10.5 - 28 / 3)
    assert metrics["correlated.fair.min_payoff"] == pytest.approx(5.25)
    assert metrics["correlated.coarse_fair.Row"] == pytest.approx(5.25)
    assert metrics["correlated.nash_best_min_payoff"] == pytest.approx(14 / 3)
    assert ("reach a total payoff of 10.5 (best Nash equilibrium 9.333: a mediator adds 1.167)"
            in " ".join(report.brief().split()))


def test_cli_json_and_bad_options(tmp_path):
    res = invoke("solve", write(tmp_path, CHICKEN + "correlated: {objectives: fair}\n"), "--format", "json")
    assert res.exit_code == 0, res.output
    (entry,) = json.loads(res.stdout)["correlated"]["equilibria"]
    assert entry["objective"] == "fair" and entry["min_payoff"] == pytest.approx(5.25)
    res = invoke("solve", write(tmp_path, CHICKEN + "correlated: {kinds: [nash]}\n", "bad.yaml"))
    assert res.exit_code == 2
    line = one_line(res.stderr)
    assert "bad.yaml" in line and "line 9" in line and "unknown kind 'nash'" in line


def test_three_players_with_a_mediator(tmp_path):
    # the hand-checked game of tests/solvers/nash/test_correlated.py: the mediator reaches (2, 2, 2)
    text = """\
title: three with a mediator
players:
  - {name: P1, actions: [U, D]}
  - {name: P2, actions: [L, R]}
  - {name: P3, actions: [A, B, C]}
payoffs:
  table:
    - {profile: [U, L, A], payoffs: [0, 0, 3]}
    - {profile: [U, R, A], payoffs: [0, 0, 0]}
    - {profile: [D, L, A], payoffs: [1, 0, 0]}
    - {profile: [D, R, A], payoffs: [0, 0, 0]}
    - {profile: [U, L, B], payoffs: [2, 2, 2]}
    - {profile: [U, R, B], payoffs: [0, 0, 0]}
    - {profile: [D, L, B], payoffs: [0, 0, 0]}
    - {profile: [D, R, B], payoffs: [2, 2, 2]}
    - {profile: [U, L, C], payoffs: [0, 0, 0]}
    - {profile: [U, R, C], payoffs: [0, 0, 0]}
    - {profile: [D, L, C], payoffs: [0, 1, 0]}
    - {profile: [D, R, C], payoffs: [0, 0, 3]}
correlated:
"""
    report = coop.analyse(write(tmp_path, text, "three.yaml"))
    result = report.sections["correlated"]
    for entry in result.entries:
        assert entry.equilibrium.payoffs == pytest.approx([2.0, 2.0, 2.0], abs=1e-12)
        assert entry.gain > 0.0
    recommended = {tuple(d["profile"].values()) for d in report.to_dict()["correlated"]["equilibria"][0]
                   ["distribution"]}
    assert recommended == {("U", "L", "B"), ("D", "R", "B")}


# ----------------------------------------------------------------------------------------- a bundled scenario
def test_a_bundled_scenario_with_the_section_added(tmp_path):
    text = resolve("ai-arms-race").read_text()
    path = write(tmp_path, text.rstrip("\n") + "\ncorrelated:\n  kinds: [correlated, coarse]\n", "ai-arms-race.yaml")
    with_section = coop.analyse(path)
    without = coop.analyse("ai-arms-race")
    doc, base = with_section.to_dict(), without.to_dict()
    # everything else is as before
    for key in set(base) - {"input", "scenario"}:
        assert doc[key] == base[key], key
    assert set(doc) - set(base) == {"correlated"}
    best_nash = max(float(np.sum(e.payoffs)) for e in without.sections["stage"].solution.equilibria)
    # (restrain, restrain) is a Nash equilibrium with the largest total of any profile: nothing to add
    assert best_nash == float(without.game.payoffs.sum(axis=0).max())
    assert " ".join(with_section.text().split()).count("a mediator adds nothing") == 4
    for entry in with_section.sections["correlated"].entries:
        ce = entry.equilibrium
        assert ce is not None and ce.relative_violation <= ce.tol
        if entry.objective == "welfare":
            assert ce.welfare >= best_nash - 1e-9
            assert entry.gain == pytest.approx(ce.welfare - best_nash, abs=1e-12)


def test_a_sweep_tabulates_the_gain(tmp_path):
    text = resolve("ai-arms-race").read_text()
    path = write(tmp_path, text.rstrip("\n") + "\ncorrelated: {objectives: welfare}\n", "ai-arms-race.yaml")
    table = coop.sweep(str(path), ["relative_gains=0:1:3"], workers=1)
    assert "correlated.welfare.gain" in table.columns
    gains = table["correlated.welfare.gain"].to_numpy(dtype=float)
    assert np.all(np.isfinite(gains)) and np.all(gains >= -1e-9)


def test_scipy_optimize_is_imported_only_by_the_section(tmp_path):
    path = write(tmp_path, CHICKEN + "correlated:\n")
    code = ("import sys, coop; coop.analyse({!r}); coop.analyse({!r}); "
            "print('scipy.optimize' in sys.modules)")
    for source, expected in (("ai-arms-race", "False"), (str(path), "True")):
        out = subprocess.run([sys.executable, "-c", code.format("ai-arms-race", source)], capture_output=True,
                             text=True, check=True).stdout
        assert out.strip() == expected
