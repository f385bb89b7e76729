"""One point of a sweep: the scenario with some parameters set, analysed, reduced to its metrics.

:class:`PointEvaluator` is what the executor sends to local processes or Dask
workers: a small frozen dataclass (it pickles as a path and a few options), which
loads its scenario once per process and then only rebuilds it with each point's
parameters.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.sections.base import Analysis, Metric
from coop.solvers.nash.methods import Method

if TYPE_CHECKING:
    from coop.scenarios.schema import Scenario
    from coop.sweeps.columns import ColumnChunk


def _modified(source: str) -> int:
    """The file's modification time (so an edited scenario is read again), or 0 for a bundled name."""
    try:
        return os.stat(source).st_mtime_ns
    except OSError:
        return 0


def _scenario(source: str) -> Scenario:
    return _read_scenario(source, _modified(source))


@functools.lru_cache(maxsize=8)
def _read_scenario(source: str, modified: int) -> Scenario:
    from coop.scenarios import load

    return load(source)


def _base_scenario(source: str, fixed: tuple[tuple[str, float], ...]) -> Scenario:
    return _read_base(source, _modified(source), fixed)


@functools.lru_cache(maxsize=8)
def _read_base(source: str, modified: int, fixed: tuple[tuple[str, float], ...]) -> Scenario:
    scenario = _read_scenario(source, modified)
    return scenario.with_parameters(dict(fixed)) if fixed else scenario


#: The batched path works through a chunk in blocks of this many points.
BATCH_BLOCK = 4096


@dataclass(frozen=True)
class PointEvaluator:
    """``evaluate(point) -> metrics`` for one scenario: every section's :meth:`metrics`, flat.

    Parameters
    ----------
    source : str
        The scenario file or bundled name.
    fixed : tuple of (str, float)
        Parameters set for every point (``coop sweep --set``); a point's own values win.
    method : str
        The stage game's equilibrium method (as ``coop solve --method``).
    sections : tuple of str, optional
        Only these analyses (and what they require); all that apply when empty.

    Examples
    --------
    >>> evaluate = PointEvaluator("ai-arms-race")
    >>> m = evaluate({"relative_gains": 0.5})
    >>> m["stage.structure"], m["repeated.grim_trigger.spe"]
    ('1 pure (race,race)', True)
    """

    source: str
    fixed: tuple[tuple[str, float], ...] = ()
    method: Method = "auto"
    sections: tuple[str, ...] = ()

    def scenario(self) -> Scenario:
        """The scenario as loaded (cached per process)."""
        return _scenario(self.source)

    def base(self) -> Scenario:
        """The scenario with the fixed parameters set (cached per process)."""
        return _base_scenario(self.source, self.fixed)

    def evaluate_batch(self, names: Sequence[str], values: np.ndarray) -> dict[str, Any] | None:
        """The metrics of many points at once as columns (``section.metric`` -> one value per point), equal to
        calling the evaluator point by point; ``None`` when some section has no batched path here (or a point
        cannot be built at all), so the caller goes point by point and records each point's own error.
        """
        from coop.errors import InputError
        from coop.inputs import LoadedInput
        from coop.scenarios.evaluation import batched_stage_payoffs
        from coop.sections.base import PointBatch, SolveOptions
        from coop.sections.registry import analyses

        scenario = self.base()
        loaded = LoadedInput.from_scenario(scenario)
        selected = [a for a in analyses() if (not self.sections or a.name in self.sections) and a.applies(loaded)]
        if any(type(a).batch_columns is Analysis.batch_columns for a in selected):
            return None
        values = np.asarray(values, dtype=np.float64)
        points = {name: values[:, k] for k, name in enumerate(names)}
        try:
            payoffs = batched_stage_payoffs(scenario, points)
        except InputError:
            return None
        batch = PointBatch(loaded, points, payoffs)
        options = SolveOptions(method=self.method)
        out: dict[str, Any] = {}
        for analysis in selected:
            columns = analysis.batch_columns(batch, options)
            if columns is None:
                return None
            for key, column in columns.items():
                out[f"{analysis.name}.{key}"] = column
        return out

    def evaluate_columns(self, names: Sequence[str], values: np.ndarray) -> ColumnChunk | None:
        """The executor's batched protocol (:mod:`coop.sweeps.columns`): :meth:`evaluate_batch` as a chunk."""
        from coop.sweeps.columns import ColumnChunk

        values = np.asarray(values, dtype=np.float64)
        blocks = []
        for start in range(0, values.shape[0], BATCH_BLOCK):  # blocks that stay in cache
            columns = self.evaluate_batch(names, values[start:start + BATCH_BLOCK])
            if columns is None:
                return None
            blocks.append(columns)
        if not blocks:
            return None
        joined = {key: np.concatenate([np.asarray(b[key]) for b in blocks]) if len(blocks) > 1 else blocks[0][key]
                  for key in blocks[0]}
        return ColumnChunk(joined, [None] * values.shape[0])

    def __call__(self, point: Mapping[str, float]) -> dict[str, Metric]:
        from coop.inputs import LoadedInput
        from coop.sections.base import SolveOptions
        from coop.sections.registry import analyses
        from coop.sections.report import SolveReport, run_analyses

        values = {**dict(self.fixed), **{k: float(v) for k, v in point.items()}}
        scenario = self.scenario().with_parameters(values)
        loaded = LoadedInput.from_scenario(scenario)
        selected = [a for a in analyses() if not self.sections or a.name in self.sections]
        options = SolveOptions(method=self.method)
        return SolveReport(loaded, options, run_analyses(loaded, options, selected)).metrics()
