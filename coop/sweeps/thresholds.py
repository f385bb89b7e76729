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

import numpy as np

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


def _bisect_batch(evaluate: Any, parameters: Sequence[str],
                  brackets: list[tuple[str, dict[str, float], float, float, Metric, Metric]], metric: str,
                  rtol: float) -> list[Threshold] | None:
    """:func:`_bisect` of many brackets in lockstep, each step one batched evaluation of every midpoint
    (``evaluate.evaluate_batch``, the sweep's columnar path); ``None`` when the evaluator has none."""
    batched = getattr(evaluate, "evaluate_batch", None)
    if batched is None or not brackets:
        return None
    lo = [float(x[2]) for x in brackets]
    hi = [float(x[3]) for x in brackets]
    below: list[Metric] = [x[4] for x in brackets]
    above: list[Metric] = [x[5] for x in brackets]
    count = [0] * len(brackets)
    scales = [max(abs(a), abs(b), 1e-300) for a, b in zip(lo, hi, strict=True)]
    while True:
        live = [k for k in range(len(brackets))
                if hi[k] - lo[k] > rtol * scales[k] and lo[k] < 0.5 * (lo[k] + hi[k]) < hi[k]]
        if not live:
            break
        values = np.empty((len(live), len(parameters)))
        for row, k in enumerate(live):
            parameter, at = brackets[k][0], brackets[k][1]
            point = {**at, parameter: 0.5 * (lo[k] + hi[k])}
            values[row] = [point[p] for p in parameters]
        columns = batched(list(parameters), values)
        if columns is None:
            return None
        for row, k in enumerate(live):
            mid = 0.5 * (lo[k] + hi[k])
            value = _plain(columns[metric][row]) if metric in columns else None
            count[k] += 1
            if _same(value, below[k]):
                lo[k] = mid
            else:
                hi[k], above[k] = mid, value
    return [Threshold(metric, parameter, 0.5 * (lo[k] + hi[k]), lo[k], hi[k], below[k], above[k], dict(at), count[k])
            for k, (parameter, at, *_) in enumerate(brackets)]


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

    # the brackets to refine, in table order: (metric, parameter, at, lo, hi, below, above)
    jobs: list[tuple[str, str, dict[str, float], float, float, Metric, Metric]] = []
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
                    if len(jobs) >= max_boundaries:
                        skipped += 1
                        continue
                    jobs.append((metric, parameter, {p: float(a[p]) for p in others}, float(a[parameter]),
                                 float(b[parameter]), below, above))
    by_metric: dict[str, Callable[[dict[str, float]], Mapping[str, Metric]]] = {}
    steps: list[list[Threshold]] = [[] for _ in jobs]
    todo = list(range(len(jobs)))
    current = {k: (jobs[k][3], jobs[k][5]) for k in todo}  # where the next change is looked for: (lo, below)
    for _ in range(MAX_CHANGES_PER_STEP):  # a value in between: refine the next change too
        if not todo:
            break
        results: dict[int, Threshold] = {}
        for metric in dict.fromkeys(jobs[k][0] for k in todo):
            mine = [k for k in todo if jobs[k][0] == metric]
            fn = evaluator_for(metric) if evaluator_for is not None else evaluate
            batch = _bisect_batch(fn, parameters, [(jobs[k][1], jobs[k][2], current[k][0], jobs[k][4], current[k][1],
                                                    jobs[k][6]) for k in mine], metric, rtol)
            if batch is None:  # no batched path: one bracket at a time
                if metric not in by_metric:
                    by_metric[metric] = cached_for(metric)
                batch = [_bisect(by_metric[metric], metric, jobs[k][1], jobs[k][2], current[k][0], jobs[k][4],
                                 current[k][1], jobs[k][6], rtol) for k in mine]
            results.update(zip(mine, batch, strict=True))
        following = []
        for k in todo:
            t = results[k]
            steps[k].append(t)
            if not _same(t.above, jobs[k][6]) and len(jobs) + sum(len(x) - 1 for x in steps) < max_boundaries:
                current[k] = (t.upper, t.above)
                following.append(k)
        todo = following
    for k in range(len(jobs)):
        found += _merge_close(steps[k])
    if skipped:
        notes.append(f"{skipped} more boundaries were not refined (at most {max_boundaries}); sweep fewer points "
                     "or choose metrics with --threshold-metric")
    return found, notes
