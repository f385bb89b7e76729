"""The `evolution` section: validation with line numbers, and the population model it picks."""

from __future__ import annotations

import numpy as np
import pytest

from coop.errors import InputError
from coop.scenarios import load
from coop.scenarios.evolution_section import is_symmetric
from tests.textbook_games import battle_of_the_sexes, chicken, matching_pennies

HAWK_DOVE = """\
title: Hawk-dove
players:
  - {name: A, actions: [dove, hawk]}
  - {name: B, actions: [dove, hawk]}
parameters:
  V: 2
  C: 3
payoffs:
  arrays:
    A: [[V / 2, 0], [V, (V - C) / 2]]
    B: [[V / 2, V], [0, (V - C) / 2]]
evolution:
  dynamics:
    - dynamic: replicator
      start: {dove: 0.9, hawk: 0.1}
      time: 50
    - {dynamic: logit, eta: 0.2, start: {dove: 0.5, hawk: 0.5}}
  basins: {resolution: 8}
  finite_population:
    size: 50
    selection: 0.5
    mutation: 0.01
"""


def write(tmp_path, text):
    path = tmp_path / "evo.yaml"
    path.write_text(text)
    return path


def test_section_is_read(tmp_path):
    spec = load(write(tmp_path, HAWK_DOVE)).evolution
    assert spec.populations == "one"
    assert [r.dynamic for r in spec.runs] == ["replicator", "logit"]
    np.testing.assert_allclose(spec.runs[0].start, [0.9, 0.1])
    assert spec.runs[0].time == 50 and spec.runs[1].eta == 0.2 and spec.runs[1].time == 100
    assert spec.basins.resolution == 8 and spec.basins.dynamic == "replicator"
    f = spec.finite
    assert (f.size, f.selection, f.mutation, f.rule) == (50, 0.5, 0.01, "fermi")


def test_defaults_for_an_asymmetric_game(tmp_path):
    text = HAWK_DOVE.split("evolution:")[0].replace("B: [[V / 2, V], [0, (V - C) / 2]]", "B: [[1, 2], [0, 3]]")
    spec = load(write(tmp_path, text + "evolution:\n")).evolution
    assert spec.populations == "per_player" and spec.finite is None and spec.rest_points
    (run,) = spec.runs
    assert run.dynamic == "replicator" and run.time == 100
    np.testing.assert_allclose(run.start, [0.5, 0.5, 0.5, 0.5])


@pytest.mark.parametrize("game, expected", [(chicken(), True), (matching_pennies(), False),
                                            (battle_of_the_sexes(), False)], ids=["chicken", "pennies", "bos"])
def test_symmetry(game, expected):
    assert is_symmetric(game) is expected


@pytest.mark.parametrize(
    "old, new, message, marker",
    [
        ("start: {dove: 0.9, hawk: 0.1}", "start: {dove: 0.9, hawk: 0.2}", "sum to 1.1", "start:"),
        ("start: {dove: 0.9, hawk: 0.1}", "start: {dove: 1.1, hawk: -0.1}", "must be >= 0", "start:"),
        ("start: {dove: 0.9, hawk: 0.1}", "start: {dove: 0.9, hawks: 0.1}", r"unknown action 'hawks'", "start:"),
        ("- dynamic: replicator", "- dynamic: replicater", r"unknown dynamic .replicater. \(did you",
         "replicater"),
        ("{dynamic: logit, eta: 0.2,", "{dynamic: logit, eta: -0.2,", "eta must be > 0", "eta: -0.2"),
        ("{dynamic: logit, eta: 0.2,", "{dynamic: smith, eta: 0.2,", "eta is the noise of the logit", "smith"),
        ("      time: 50", "      time: -5", "time must be > 0", "time: -5"),
        ("    size: 50", "    size: 1", "whole number >= 2", "size: 1"),
        ("    selection: 0.5", "    selection: -1", "selection must be >= 0", "selection: -1"),
        ("    mutation: 0.01", "    mutation: 1.5", r"mutation must be a probability in \[0, 1\]", "mutation: 1.5"),
        ("    mutation: 0.01", "    mutation: 0.01\n    rule: wright", "unknown update rule 'wright'", "rule:"),
        ("  basins: {resolution: 8}", "  basins: {resolution: 1}", "resolution must be a whole number", "basins"),
        ("  basins: {resolution: 8}", "  basin: {resolution: 8}", r"unknown key 'basin'.*did you mean 'basins'",
         "basin:"),
    ],
)
def test_errors_name_the_line(tmp_path, old, new, message, marker):
    assert old in HAWK_DOVE
    text = HAWK_DOVE.replace(old, new, 1)
    line = 1 + next(k for k, row in enumerate(text.splitlines()) if marker in row)
    with pytest.raises(InputError, match=message) as info:
        load(write(tmp_path, text))
    assert info.value.line == line


def test_one_population_needs_a_symmetric_game(tmp_path):
    text = HAWK_DOVE.replace("B: [[V / 2, V], [0, (V - C) / 2]]", "B: [[1, 2], [0, 3]]")
    # per player, a start names each player's population
    with pytest.raises(InputError, match="unknown player 'dove' in start"):
        load(write(tmp_path, text))
    text = text.split("  dynamics:")[0] + "  finite_population:" + text.split("  finite_population:")[1]
    with pytest.raises(InputError, match="finite population needs a symmetric game"):
        load(write(tmp_path, text))
    with pytest.raises(InputError, match="one population needs a symmetric game"):
        load(write(tmp_path, text.replace("evolution:\n", "evolution:\n  populations: one\n")))


def test_group_larger_than_population(tmp_path):
    players = "".join(f"  - {{name: P{k}, actions: [C, D]}}\n" for k in range(1, 6))
    text = (f"title: Group\nplayers:\n{players}payoffs:\n  formulas:\n    all: \"step(n_C - 3) - 0.1 * self.C\"\n"
            "evolution:\n  finite_population: {size: 4}\n")
    with pytest.raises(InputError, match="groups of 5 players cannot be drawn from a population of 4"):
        load(write(tmp_path, text))


def test_solve_reports_the_evolution_section(tmp_path, coop_cli, coop_json):
    evo = coop_json("solve", write(tmp_path, HAWK_DOVE), "--format", "json")["evolution"]
    assert evo["populations"] == "one" and len(evo["trajectories"]) == 2
    final = evo["trajectories"][0]["states"]["population"]
    assert final["hawk"][-1] == pytest.approx(2 / 3, abs=1e-6)  # V / C: the mixed equilibrium attracts
    stable = [p for p in evo["rest_points"]["rest_points"] if p["stability"] == "stable"]
    assert len(stable) == 1 and stable[0]["state"]["population"]["hawk"] == pytest.approx(2 / 3)
    fp = evo["finite_population"]
    assert fp["size"] == 50 and fp["group_size"] == 2
    assert sum(fp["small_mutation_limit"]["stationary"].values()) == pytest.approx(1.0)
    roots = fp["gradient_of_selection"]["roots"]
    assert len(roots) == 1 and roots[0]["stable"] and roots[0]["share"] == pytest.approx(1 / 3, abs=0.05)
    means = fp["stationary"]["mean_frequencies"]
    assert fp["stationary"]["num_states"] == 51 and sum(means.values()) == pytest.approx(1.0)
    text = coop_cli("solve", write(tmp_path, HAWK_DOVE)).stdout
    assert "Evolutionary dynamics (one population playing the game against itself)" in text
    assert "Rest points of the replicator dynamic" in text


@pytest.mark.parametrize("old, new, problem, marker", ids=["basins_1e12", "basins_per_player", "population_1e9",
                                                            "run_of_a_huge_game"], argvalues=[
    ("  basins: {resolution: 8}", "  basins: {resolution: 200, time: 1.0e12}",
     "basins of attraction from 199 starts to time 1e+12 need about 4e+07 steps", "basins:"),
    (HAWK_DOVE[HAWK_DOVE.index("evolution:"):], "evolution:\n  populations: per_player\n"
                                                 "  basins: {resolution: 200, time: 1.0e12}\n",
     "basins of attraction from 39,601 starts", "basins:"),
    ("    size: 50", "    size: 1000000000",
     "a finite population of 1e+09 (its fixation probabilities and gradient of selection) needs about", "size:"),
    ("      time: 50\n", "      time: 1.0e6\n", None, None),
])
def test_work_past_the_budgets_is_refused_at_its_line(tmp_path, old, new, problem, marker):
    text = HAWK_DOVE.replace(old, new)
    if problem is None:  # a run of a 2x2 game to any time is bounded by the step limit: accepted
        load(write(tmp_path, text))
        return
    line = 1 + next(k for k, row in enumerate(text.splitlines()) if marker in row)
    with pytest.raises(InputError) as info:
        load(write(tmp_path, text))
    assert problem in info.value.message and "remedy:" in info.value.message
    assert info.value.line == line
