"""A computation that stops early (a step limit, an iteration cap, a chain too large to solve) says so, in the
text report (a plain sentence starting ``INCOMPLETE``), in the JSON (``"complete": false`` and a ``"reason"``
next to the existing ``success``/``converged`` keys) and on the figure; and ``delta = 0`` is a game, not an
error (issue 15)."""

from __future__ import annotations

import json

import pytest

import coop
from coop.sections.report import draw_figure
from coop.solvers.repeated import best_response

PD = """\
title: PD
players:
  - {name: US, actions: [C, D]}
  - {name: China, actions: [C, D]}
payoffs:
  arrays:
    US: [[3, 0], [5, 1]]
    China: [[3, 5], [0, 1]]
"""
FOREVER = PD + "evolution:\n  dynamics:\n    - {dynamic: replicator, start: {C: 0.3, D: 0.7}, time: 1.0e12}\n"
REPEATED = PD + "repeated:\n  delta: DELTA\n  cooperate: {US: C, China: C}\n  defect: {US: D, China: D}\n"


def write(tmp_path, text, name="case.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_an_integration_stopped_at_its_step_limit_is_not_reported_as_an_answer(tmp_path, coop_cli):
    path = write(tmp_path, FOREVER)
    res = coop_cli("solve", path)
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert ("replicator from C 3/10, D 7/10: INCOMPLETE: the integration stopped before t = 1e+12 because it "
            "reached its step limit of 200,000 steps; the last state computed is at t = 0") in text
    assert "at t = 0 the shares are" not in text
    doc = json.loads(coop_cli("solve", path, "--format", "json").stdout)
    run = doc["evolution"]["trajectories"][0]
    assert run["success"] is False and run["complete"] is False
    assert run["reason"].startswith("the integration stopped before t = 1e+12")
    metrics = coop.analyse(str(path)).sections["dynamics"].metrics()
    assert metrics["run1.end.C"] is None  # no end state, not the start passed off as one


def test_the_trajectories_figure_of_a_stopped_integration_says_so(tmp_path):
    fig = draw_figure("trajectories", str(write(tmp_path, FOREVER)))
    assert "INCOMPLETE: run 1 (replicator): the integration stopped" in fig.get_suptitle().replace("\n", " ")
    assert any("stopped early at t = 0" in t.get_text() for t in fig.axes[0].texts)
    assert all(line.get_marker() == "o" for line in fig.axes[0].get_lines())  # one point is visible


def test_complete_runs_say_so_too(tmp_path, coop_cli):
    doc = json.loads(coop_cli("solve", write(tmp_path, FOREVER.replace("1.0e12", "10")), "--format", "json").stdout)
    run = doc["evolution"]["trajectories"][0]
    assert run["complete"] is True and run["reason"] is None and run["success"] is True


def test_basins_with_starts_stopped_at_the_step_limit(tmp_path):
    import dataclasses

    from coop.solvers.evolution.rest_points import basins

    report = coop.analyse(str(write(tmp_path, PD + "evolution:\n  basins: {resolution: 4}\n")))
    result = report.sections["dynamics"]
    assert result.basins.complete and result.to_dict()["basins"]["complete"] is True
    stopped = basins(report.loaded.game, resolution=4, t_end=1e6, max_steps=300)
    result = dataclasses.replace(result, basins=stopped)
    text = " ".join(" ".join(result.text()).split())
    assert ("INCOMPLETE: 3 of 3 starts stopped at the integrator's step limit of 300 steps before time 1e+06; they "
            "are counted under no convergence") in text
    doc = result.to_dict()["basins"]
    assert doc["complete"] is False and doc["reason"] == stopped.reason and doc["no_convergence"] == 1.0


def test_a_chain_too_large_to_solve_makes_the_finite_population_incomplete(tmp_path, coop_cli):
    path = write(tmp_path, PD + "evolution:\n  finite_population: {size: 300000, selection: 1, mutation: 0.01}\n")
    text = " ".join(coop_cli("solve", path).stdout.split())
    assert "INCOMPLETE: the full chain with mutation has 300,001 states (more than 200,000)" in text
    doc = json.loads(coop_cli("solve", path, "--format", "json").stdout)["evolution"]["finite_population"]
    assert doc["complete"] is False and doc["stationary"] is None and "small-mutation limit" in doc["reason"]
    small = json.loads(coop_cli("solve", write(tmp_path, PD + "evolution:\n  finite_population: {size: 30, "
                                               "mutation: 0.01}\n", "small.yaml"), "--format", "json").stdout)
    assert small["evolution"]["finite_population"]["complete"] is True


def test_a_payoff_set_stopped_at_its_iteration_cap(tmp_path):
    from coop.sections.payoff_sets import PayoffSetsResult
    from coop.solvers.repeated.minmax import minmax_values
    from coop.solvers.repeated.payoff_sets import (
        equilibrium_payoff_set,
        feasible_payoff_set,
        individually_rational_set,
    )
    from tests.textbook_games import prisoners_dilemma

    pd = prisoners_dilemma()
    eq = equilibrium_payoff_set(pd, 0.9, max_iter=3)
    result = PayoffSetsResult(pd, minmax_values(pd), feasible_payoff_set(pd), individually_rational_set(pd), eq)
    text = " ".join(" ".join(result.text()).split())
    assert "INCOMPLETE: the outer approximation stopped at its iteration cap (3 iterations)" in text
    doc = result.to_dict()["equilibrium"]
    assert doc["converged"] is False and doc["complete"] is False and doc["reason"] == eq.reason


def test_a_policy_iteration_stopped_at_its_cap(tmp_path, coop_cli, monkeypatch):
    monkeypatch.setattr(best_response, "MAX_POLICY_ITERATIONS", 1)
    path = write(tmp_path, REPEATED.replace("DELTA", "0.9") + "  strategies: [tit_for_tat]\n")
    res = coop_cli("solve", path)
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "INCOMPLETE (tit_for_tat): a best-response policy iteration stopped at its limit of 1 improvements" in text
    profile = json.loads(coop_cli("solve", path, "--format", "json").stdout)["repeated"]["profiles"][0]
    assert profile["complete"] is False and "policy iteration" in profile["reason"]


def test_complete_repeated_and_institution_analyses_say_so(coop_cli):
    doc = json.loads(coop_cli("solve", "ai-safety-institutions", "--format", "json").stdout)
    assert all(p["complete"] is True and p["reason"] is None for p in doc["repeated"]["profiles"])
    assert all(a["complete"] is True and a["reason"] is None for a in doc["institutions"]["analyses"])


def test_a_sanction_search_that_runs_out_of_steps_says_so(monkeypatch):
    from coop.solvers.repeated import institutions

    monkeypatch.setattr(institutions, "_MAX_STEPS", 2)
    stopped: list[str] = []
    low, high = institutions._interval(lambda s: max(0.0, 1.0 - s), 0.25, 0.0, 1.0, stopped)
    assert high is None and 0.5 <= low <= 1.0
    assert len(stopped) == 1 and stopped[0].startswith("the bisection for the least sanction stopped after 2 steps")


@pytest.mark.parametrize("args", [
    ("solve", "DELTA0"),
    ("solve", "ai-arms-race", "--set", "patience=0"),
    ("solve", "ai-safety-institutions", "--set", "patience=0"),
])
def test_delta_zero_is_a_myopic_game(tmp_path, coop_cli, args):
    path = write(tmp_path, REPEATED.replace("DELTA", "0"))
    args = tuple(str(path) if a == "DELTA0" else a for a in args)
    res = coop_cli(*args, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["repeated"]["delta"] == 0.0
    if "payoff_sets" in doc["repeated"] and doc["repeated"]["payoff_sets"]["equilibrium"] is not None:
        eq = doc["repeated"]["payoff_sets"]["equilibrium"]
        assert eq["method"] == "stage_nash" and eq["delta"] == 0.0 and eq["complete"] is True
    assert coop_cli(*args).exit_code == 0


def test_delta_zero_reports_the_stage_equilibria(tmp_path, coop_cli):
    path = write(tmp_path, REPEATED.replace("DELTA", "0"))
    text = " ".join(coop_cli("solve", path).stdout.split())
    assert ("subgame-perfect payoffs at delta = 0 (only the first period counts: the payoffs of the stage game's "
            "pure Nash equilibria, with public randomisation their convex hull; exact): (1, 1)") in text
    profiles = json.loads(coop_cli("solve", path, "--format", "json").stdout)["repeated"]["profiles"]
    grim = next(p for p in profiles if p["name"] == "grim_trigger")
    assert grim["subgame_perfect"] is False and grim["critical_delta_overall"] == pytest.approx(0.5)
    arms = json.loads(coop_cli("solve", "ai-arms-race", "--set", "patience=0", "--format", "json").stdout)
    sets = arms["repeated"]["payoff_sets"]["equilibrium"]
    assert [list(v.values()) for v in sets["vertices"]] == [[2.0, 2.0], [4.0, 4.0]]  # the stag hunt's two
