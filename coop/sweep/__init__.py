"""Sweeps: a design of parameter points, the scenario evaluated at each, the table of their metrics.

- :mod:`coop.sweep.design`: parameter ranges (``NAME=START:STOP:NUM``, ``...:log``, lists,
  bounds) and designs (grid, random, Sobol', Latin hypercube).
- :mod:`coop.sweep.executor`: runs a picklable ``evaluate(point) -> metrics`` over a design,
  serially, in local processes or on a Dask cluster, in chunks stored to a folder (resumable).
- :mod:`coop.sweep.output`: writes the table as CSV, Parquet or JSON.
- :mod:`coop.sweep.point`, :mod:`coop.sweep.thresholds`, :mod:`coop.sweep.closed_form`,
  :mod:`coop.sweep.figure`: one point's metrics, refined thresholds, closed forms, pictures.

Names are imported on first use, so ``import coop.sweep`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coop._lazy import lazy_exports

if TYPE_CHECKING:
    from coop.sweep.design import Design, ParameterRange, make_design, make_range, parse_range
    from coop.sweep.executor import SweepStore, execute, run_sweep
    from coop.sweep.output import write_store, write_table

_EXPORTS = {
    "Design": "coop.sweep.design",
    "ParameterRange": "coop.sweep.design",
    "make_design": "coop.sweep.design",
    "make_range": "coop.sweep.design",
    "parse_range": "coop.sweep.design",
    "SweepStore": "coop.sweep.executor",
    "execute": "coop.sweep.executor",
    "run_sweep": "coop.sweep.executor",
    "write_store": "coop.sweep.output",
    "write_table": "coop.sweep.output",
}

__all__ = [
    "Design",
    "ParameterRange",
    "SweepStore",
    "execute",
    "make_design",
    "make_range",
    "parse_range",
    "run_sweep",
    "write_store",
    "write_table",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
