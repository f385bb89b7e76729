"""Thresholds: where a categorical metric changes between neighbouring points, refined by bisection.

A sweep's table says, e.g., that the equilibrium structure is ``2 pure ... + 1 mixed``
at ``relative_gains = 0.32`` and ``1 pure (race,race)`` at ``0.34``. :func:`find_thresholds`
takes every such pair of neighbours along one parameter (the other parameters equal)
and bisects between them, evaluating the scenario at the midpoint, until the bracket
is narrower than ``rtol`` times the parameter's scale. The boundary reported is the
bracket's midpoint, with the values on either side.

A categorical metric is one whose values are labels, flags or counts (str, bool,
int); continuous metrics (payoffs, critical discount factors) are not bisected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coop.sections.base import Metric

#: Relative width of a refined bracket (the issue's default).
DEFAULT_RTOL = 1e-9
#: At most this many boundaries are refined in one sweep (each costs about 30 evaluations).
MAX_BOUNDARIES = 100
#: At most this many changes of one metric are refined between two neighbouring points.
MAX_CHANGES_PER_STEP = 4
#: Changes of one metric closer than this (relative) are one boundary: near a degenerate point the solvers
#: tell equilibria apart only to about 1e-7 (a mixed equilibrium merges with a pure one just before it).
MERGE_RTOL = 1e-6


@dataclass(frozen=True)
class Threshold:
    """One refined boundary of ``metric`` along ``parameter``, with the other parameters at ``at``."""

    metric: str
    parameter: str
    value: float
    lower: float
    upper: float
    below: Metric
    above: Metric
    at: dict[str, float] = field(default_factory=dict)
    evaluations: int = 0
    closed_form: str | None = None
    closed_form_value: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "parameter": self.parameter, "value": self.value, "lower": self.lower,
                "upper": self.upper, "below": self.below, "above": self.above, "at": dict(self.at),
                "evaluations": self.evaluations, "closed_form": self.closed_form,
                "closed_form_value": self.closed_form_value}


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _same(a: Any, b: Any) -> bool:
    if _missing(a) and _missing(b):
        return True
    if _missing(a) or _missing(b):
        return False
    return bool(a == b)


def _plain(v: Any) -> Metric:
    """A pandas/numpy cell as a plain metric value (NaN and missing as ``None``)."""
    if _missing(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, (bool, int, float, str)):
        return v
    return str(v)


def categorical_metrics(table: Any, parameters: Sequence[str]) -> list[str]:
    """The metric columns of ``table`` whose values are labels, flags or counts (not continuous numbers)."""
    out = []
    for column in table.columns:
        if column in parameters or column in ("error",):
            continue
        values = [v for v in table[column].tolist() if not _missing(v)]
        if not values:
            continue
        if all(isinstance(v, (str, bool)) for v in values) or all(
                isinstance(v, int) and not isinstance(v, bool) for v in values):
            out.append(column)
    return out


def _bisect(evaluate: Callable[[dict[str, float]], Mapping[str, Metric]], metric: str, parameter: str,
            at: dict[str, float], lo: float, hi: float, below: Metric, above: Metric, rtol: float) -> Threshold:
    evaluations = 0
    scale = max(abs(lo), abs(hi), 1e-300)
    while hi - lo > rtol * scale:
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:  # floating point: the bracket cannot shrink further
            break
        value = _plain(evaluate({**at, parameter: mid}).get(metric))
        evaluations += 1
        if _same(value, below):
            lo = mid
        else:  # the above value, or a third one in between: the first change lies below mid
            hi, above = mid, value
    return Threshold(metric, parameter, 0.5 * (lo + hi), lo, hi, below, above, dict(at), evaluations)


def _merge_close(steps: list[Threshold]) -> list[Threshold]:
    """Successive changes of one metric within :data:`MERGE_RTOL` of each other, as one boundary."""
    out: list[Threshold] = []
    for t in steps:
        prev = out[-1] if out else None
        if prev is not None and t.lower - prev.upper <= MERGE_RTOL * max(1.0, abs(t.value)):
            out[-1] = Threshold(t.metric, t.parameter, 0.5 * (prev.lower + t.upper), prev.lower, t.upper,
                                prev.below, t.above, dict(t.at), prev.evaluations + t.evaluations)
        else:
            out.append(t)
    return out


def find_thresholds(table: Any, parameters: Sequence[str],
                    evaluate: Callable[[dict[str, float]], Mapping[str, Metric]], *,
                    metrics: Sequence[str] | None = None, rtol: float = DEFAULT_RTOL,
                    max_boundaries: int = MAX_BOUNDARIES,
                    evaluator_for: Callable[[str], Callable[[dict[str, float]], Mapping[str, Metric]]] | None = None,
                    ) -> tuple[list[Threshold], list[str]]:
    """Refine every change of a categorical metric between neighbouring points of a grid sweep.

    Parameters
    ----------
    table : pandas.DataFrame
        The sweep's table: one column per parameter, then the metrics.
    parameters : sequence of str
        The swept parameters (the grid's axes).
    evaluate : callable
        ``evaluate(point) -> metrics`` for a full point (every swept parameter set).
    metrics : sequence of str, optional
        The metrics to refine; default: every categorical metric (:func:`categorical_metrics`).
    rtol : float
        Refine until the bracket is narrower than ``rtol`` times the parameter's magnitude.
    max_boundaries : int
        Refine at most this many boundaries (the rest are listed in the notes).
    evaluator_for : callable, optional
        ``evaluator_for(metric)``: a cheaper ``evaluate`` that computes at least ``metric`` (e.g. only its
        section); default ``evaluate`` for every metric.

    Returns
    -------
    thresholds : list of Threshold
    notes : list of str
    """
    chosen = list(metrics) if metrics is not None else categorical_metrics(table, parameters)
    found: list[Threshold] = []
    notes: list[str] = []
    skipped = 0
    cache: dict[tuple[Any, ...], Mapping[str, Metric]] = {}

    def cached_for(metric: str) -> Callable[[dict[str, float]], Mapping[str, Metric]]:
        fn = evaluator_for(metric) if evaluator_for is not None else evaluate

        def cached(point: dict[str, float]) -> Mapping[str, Metric]:
            key = (id(fn) if evaluator_for is not None else 0, *(point[p] for p in parameters))
            if key not in cache:
                cache[key] = fn(point)
            return cache[key]

        return cached

    by_metric: dict[str, Callable[[dict[str, float]], Mapping[str, Metric]]] = {}

    for parameter in parameters:
        others = [p for p in parameters if p != parameter]
        groups = table.groupby(others, sort=False) if others else [((), table)]
        for _, group in groups:
            rows = group.sort_values(parameter).to_dict("records")
            for a, b in zip(rows, rows[1:], strict=False):
                if (isinstance(a.get("error"), str) and a["error"]) or (isinstance(b.get("error"), str) and b["error"]):
                    continue
                for metric in chosen:
                    below, above = _plain(a.get(metric)), _plain(b.get(metric))
                    if _same(below, above):
                        continue
                    if len(found) >= max_boundaries:
                        skipped += 1
                        continue
                    at = {p: float(a[p]) for p in others}
                    lo, hi = float(a[parameter]), float(b[parameter])
                    steps: list[Threshold] = []
                    for _ in range(MAX_CHANGES_PER_STEP):  # a value in between: refine the next change too
                        if metric not in by_metric:
                            by_metric[metric] = cached_for(metric)
                        t = _bisect(by_metric[metric], metric, parameter, at, lo, hi, below, above, rtol)
                        steps.append(t)
                        if _same(t.above, above) or len(found) + len(steps) >= max_boundaries:
                            break
                        lo, below = t.upper, t.above
                    found += _merge_close(steps)
    if skipped:
        notes.append(f"{skipped} more boundaries were not refined (at most {max_boundaries}); sweep fewer points "
                     "or choose metrics with --threshold-metric")
    return found, notes
