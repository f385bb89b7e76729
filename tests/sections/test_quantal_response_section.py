"""The ``quantal_response`` section: its parser (one error line at its line), its report (text, JSON, metrics,
the figure), and the command line on the bundled scenario that has it."""

from __future__ import annotations

import json

import numpy as np
import pytest

import coop
from coop.errors import InputError
from coop.scenarios import load
from coop.solvers.nash.quantal_response import logit_branch
from tests.cli.helpers import invoke

BOS = """\
title: Battle of the sexes, unequal stakes
players:
  - {name: Row, actions: [opera, football]}
  - {name: Column, actions: [opera, football]}
payoffs:
  arrays:
    Row: [[3, 0], [0, 1]]
    Column: [[1, 0], [0, 2]]
"""


def write(tmp_path, text, name="bos.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("section, lambdas, observed", [
    ("quantal_response:\n", (), None),
    ("quantal_response: true\n", (), None),
    ("quantal_response: {lambda: 2}\n", (2.0,), None),
    ("quantal_response:\n  lambda: [0, 0.5, 3]\n  observed:\n    Row: {opera: 7}\n"
     "    Column: {football: 4, opera: 6}\n",
     (0.0, 0.5, 3.0), {"Row": {"opera": 7.0, "football": 0.0}, "Column": {"opera": 6.0, "football": 4.0}}),
])
def test_the_section_is_read(tmp_path, section, lambdas, observed):
    spec = load(write(tmp_path, BOS + section)).sections["quantal_response"]
    assert spec.lambdas == lambdas
    assert spec.to_dict() == {"lambda": list(lambdas), "observed": observed}


@pytest.mark.parametrize("section, line, message", [
    ("quantal_response:\n  lambda: -1\n", 10, "lambda must be >= 0, got -1"),
    ("quantal_response:\n  lambda: [1, .inf]\n", 10, "lambda must be a finite number, got .inf"),
    ("quantal_response:\n  lambdas: 1\n", 10, "unknown key 'lambdas' in quantal_response"),
    ("quantal_response:\n  observed: {Row: {opera: 1}}\n", 10, "observed has no observed play for player 'Column'"),
    ("quantal_response:\n  observed: {Row: {ballet: 1}, Column: {opera: 1}}\n", 10, "unknown action 'ballet'"),
    ("quantal_response:\n  observed: {Row: {opera: -1}, Column: {opera: 1}}\n", 10,
     "the observed count of Row's opera must be >= 0, got -1"),
    ("quantal_response:\n  observed: {Row: {opera: 0}, Column: {opera: 1}}\n", 10,
     "observed.Row has no observations"),
    ("quantal_response:\n  observed: {Row: [1, 2], Column: {opera: 1}}\n", 10,
     "observed.Row must map actions to counts"),
    ("quantal_response: 3\n", 9, "quantal_response must be a mapping"),
])
def test_bad_options_are_one_line_at_their_line(tmp_path, section, line, message):
    with pytest.raises(InputError) as err:
        load(write(tmp_path, BOS + section))
    assert message in str(err.value)
    assert err.value.line == line
    assert "\n" not in str(err.value)


def test_the_report_has_the_qre_the_end_point_and_the_fit(tmp_path):
    section = ("quantal_response:\n  lambda: [0.5, 4]\n  observed:\n    Row: {opera: 70, football: 30}\n"
               "    Column: {opera: 40, football: 60}\n")
    report = coop.analyse(load(write(tmp_path, BOS + section)))
    result = report.sections["quantal_response"].result
    again = logit_branch(report.loaded.game, [0.5, 4.0], [[70, 30], [40, 60]])
    for mine, theirs in zip(result.at_lambda, again.at_lambda, strict=True):
        assert np.array_equal(np.concatenate(mine.strategies), np.concatenate(theirs.strategies))
    doc = json.loads(json.dumps(report.to_dict(), allow_nan=False))["quantal_response"]
    assert [q["lambda"] for q in doc["at_lambda"]] == [0.5, 4.0]
    assert doc["end"]["relative_regret"] <= 1e-9 and doc["complete"] and doc["reason"] is None
    assert doc["fit"]["lambda"] == pytest.approx(again.fit.lam, rel=1e-12)
    text = " ".join(" ".join(report.sections["quantal_response"].text()).split())  # read across line breaks
    assert "err less on costlier mistakes" in text and "At lambda = 0.5:" in text
    assert "End of the branch: the Nash equilibrium" in text and "Fitted lambda" in text
    metrics = report.metrics()
    assert metrics["quantal_response.end_found"] is True
    assert metrics["quantal_response.fit_lambda"] == pytest.approx(again.fit.lam, rel=1e-12)
    assert metrics["quantal_response.lambda=0.5.Row.opera"] == pytest.approx(result.at_lambda[0].strategies[0][0])


def test_the_bundled_scenario_solves_and_plots(tmp_path):
    res = invoke("solve", "export-controls", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)["quantal_response"]
    assert [q["lambda"] for q in doc["at_lambda"]] == [0.5, 2.0]
    assert doc["end"] is not None and doc["end"]["relative_regret"] <= 1e-9
    fig = coop.plot_qre("export-controls", dpi=40)
    assert "US: restrict" in coop.plots.legend_texts(fig)
    assert fig.axes[0].get_xscale() == "log"
