"""The batched path of a sweep gives exactly the metrics of the point-by-point path."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coop.games import NormalFormGame
from coop.solvers.nash.batched_dominance import batched_dominance_solvable
from coop.solvers.nash.dominance import iterated_dominance
from coop.solvers.nash.results import regret_tolerance
from coop.sweeps.point import PointEvaluator


def _same(a, b) -> bool:
    if isinstance(b, np.generic):
        b = b.item()
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, float):
        return b is not None and abs(a - float(b)) <= 1e-9 * max(1.0, abs(a))
    return bool(a == b)


def _assert_batch_equals_points(evaluate: PointEvaluator, names: list[str], values: np.ndarray) -> None:
    """The batched columns equal, point by point and key by key, what the evaluator gives one point at a time."""
    columns = evaluate.evaluate_batch(names, values)
    assert columns is not None
    for p, row in enumerate(values):
        point = dict(zip(names, row, strict=True))
        metrics = evaluate(point)
        assert list(metrics) == list(columns)
        for key, value in metrics.items():
            assert _same(value, columns[key][p]), (point, key, value, columns[key][p])


CASES = [
    ("ai-arms-race", {"relative_gains": (0.0, 1.5), "safe_value": (2.0, 5.0)}),
    ("export-controls", {"leakage": (0.0, 1.0), "alliance_value": (0.0, 5.0)}),
    ("red-lines", {"speed_advantage": (0.0, 5.0), "catastrophe_cost": (0.0, 20.0)}),
    ("ai-safety-institutions", {"safety_benefit": (0.0, 4.0), "compliance_cost": (0.0, 4.0)}),
]


@pytest.mark.parametrize("name, ranges", CASES)
def test_batched_stage_metrics_equal_the_point_by_point_ones(name, ranges):
    evaluate = PointEvaluator(name, sections=("stage",))
    rng = np.random.default_rng(7)
    names = list(ranges)
    values = np.column_stack([rng.uniform(lo, hi, 150) for lo, hi in ranges.values()])
    values[:40] = np.round(values[:40] * 2) / 2  # ties and degenerate games, which go one by one
    _assert_batch_equals_points(evaluate, names, values)


@pytest.mark.parametrize("selection", [0.01, 1.0])
def test_batched_finite_population_metrics_equal_the_point_by_point_ones(selection, tmp_path):
    from coop.scenarios import resolve

    text = resolve("ai-development-race").read_text().replace("selection: 0.01", f"selection: {selection}")
    path = tmp_path / "race.yaml"
    path.write_text(text)
    evaluate = PointEvaluator(str(path), sections=("finite_population",))
    rng = np.random.default_rng(3)
    values = np.column_stack([rng.uniform(0.0, 1.0, 120), rng.uniform(1.0, 5.0, 120)])
    names = ["disaster_risk", "speed"]
    _assert_batch_equals_points(evaluate, names, values)


def test_batched_repeated_metrics_equal_the_point_by_point_ones():
    evaluate = PointEvaluator("ai-arms-race", sections=("stage", "repeated"))
    rng = np.random.default_rng(5)
    names = ["relative_gains", "patience", "safe_value"]
    values = np.column_stack([rng.uniform(0.0, 1.2, 80), rng.uniform(0.0, 0.99, 80), rng.uniform(2.5, 6.0, 80)])
    values[:10, 0] = 1 / 3  # the degenerate framing weight
    _assert_batch_equals_points(evaluate, names, values)


def test_no_batched_path_for_other_methods_or_sections():
    assert PointEvaluator("ai-arms-race", method="pure", sections=("stage",)).evaluate_batch(
        ["relative_gains"], np.array([[0.1]])) is None
    assert PointEvaluator("ai-arms-race", sections=("payoff_sets",)).evaluate_batch(
        ["relative_gains"], np.array([[0.1]])) is None
    # a point the loader refuses (a negative framing weight): the caller goes point by point
    assert PointEvaluator("ai-arms-race", sections=("stage",)).evaluate_batch(
        ["relative_gains"], np.array([[0.1], [-1.0]])) is None


@pytest.mark.parametrize("n", [2, 3])
def test_batched_dominance_equals_iterated_dominance(n):
    rng = np.random.default_rng(n)
    games = rng.integers(0, 4, size=(300, n, *([2] * n))).astype(float)  # small integers: many ties
    tols = np.array([regret_tolerance(NormalFormGame.from_payoffs(g)) for g in games])
    fast = batched_dominance_solvable(games, tols)
    slow = [iterated_dominance(NormalFormGame.from_payoffs(g)).solved for g in games]
    assert fast.tolist() == slow
