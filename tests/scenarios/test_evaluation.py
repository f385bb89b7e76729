"""Payoffs evaluated again at many points (arrays) or as exact expressions equal the loader's, point by point."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from coop.errors import InputError
from coop.scenarios import bundled_scenarios, load
from coop.scenarios.evaluation import batched_stage_payoffs
from coop.scenarios.symbolic import best_response_boundaries, symbolic_payoffs

CASES = [(b.name, p) for b in bundled_scenarios() for p in load(b.name).parameters]


@pytest.mark.parametrize("name, parameter", CASES)
def test_batched_payoffs_equal_the_loader_point_by_point(name, parameter):
    scenario = load(name)
    v = scenario.parameters[parameter]
    values = v * np.array([0.5, 0.9, 1.0, 1.3]) + np.array([0.0, 0.05, 0.0, 0.1])
    kept = []
    for x in values:
        try:
            kept.append((x, scenario.with_parameters({parameter: float(x)}).game.payoffs))
        except InputError:
            continue  # a value the loader refuses (e.g. a weight below 0); the batch path may refuse it too
    if not kept:
        return
    if len({ref.shape for _, ref in kept}) > 1:  # the group size changes the game's shape: point by point
        with pytest.raises(InputError, match="group size changes"):
            batched_stage_payoffs(scenario, {parameter: np.array([x for x, _ in kept])})
        return
    batch = batched_stage_payoffs(scenario, {parameter: np.array([x for x, _ in kept])})
    for k, (_, ref) in enumerate(kept):
        np.testing.assert_allclose(batch[k], ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, parameter", [c for c in CASES if c[0] != "collective-risk"])
def test_symbolic_payoffs_evaluate_to_the_loaded_game(name, parameter):
    scenario = load(name)
    symbol, u = symbolic_payoffs(scenario, parameter)
    at = sympy.nsimplify(scenario.parameters[parameter], rational=True)
    values = np.vectorize(lambda e: float(e.subs(symbol, at)), otypes=[float])(u)
    np.testing.assert_allclose(values, scenario.game.payoffs, rtol=1e-12, atol=1e-12)


def test_a_derived_parameter_follows_the_swept_one_unless_it_was_set():
    scenario = load("ai-arms-race")
    _, u = symbolic_payoffs(scenario, "relative_gains")
    assert str(u[0, 1, 0]) == "3*relative_gains + 3"
    w = scenario.with_parameters({"relative_gains": 0.5})
    assert batched_stage_payoffs(w, {"relative_gains": np.array([0.5])})[0].tolist() == w.game.payoffs.tolist()


def test_the_framing_weight_is_checked_at_every_point():
    with pytest.raises(InputError, match="relative-gains weight must be >= 0"):
        batched_stage_payoffs(load("ai-arms-race"), {"relative_gains": np.array([0.2, -0.1])})


def test_best_response_boundaries_of_the_arms_race_and_export_controls():
    assert best_response_boundaries(load("ai-arms-race"), "relative_gains", 0.0, 1.0) == [sympy.Rational(1, 3)]
    roots = best_response_boundaries(load("export-controls"), "leakage", 0.0, 1.0)
    assert [sympy.Rational(1, 3), sympy.Rational(1, 2), sympy.Rational(5, 8)] == [r for r in roots if r in
                                                                                  (sympy.Rational(1, 3),
                                                                                   sympy.Rational(1, 2),
                                                                                   sympy.Rational(5, 8))]
