"""Sweeps: a design of parameter points, the scenario evaluated at each, the table of their metrics.

The entry points are :func:`coop.sweep` (a DataFrame) and ``coop sweep`` (:mod:`coop.sweeps.run`).

- :mod:`coop.sweeps.design`: parameter ranges (``NAME=START:STOP:NUM``, ``...:log``, lists,
  bounds) and designs (grid, random, Sobol', Latin hypercube).
- :mod:`coop.sweeps.executor`: runs a picklable ``evaluate(point) -> metrics`` over a design,
  serially, in local processes or on a Dask cluster, in chunks stored to a folder (resumable).
- :mod:`coop.sweeps.output`: writes the table as CSV, Parquet or JSON.
- :mod:`coop.sweeps.point`, :mod:`coop.sweeps.thresholds`, :mod:`coop.sweeps.closed_form`,
  :mod:`coop.sweeps.figure`: one point's metrics, refined thresholds, closed forms, pictures.

Names are imported on first use, so ``import coop.sweeps`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coop._lazy import lazy_exports

if TYPE_CHECKING:
    from coop.sweeps.design import Design, ParameterRange, make_design, make_range, parse_range
    from coop.sweeps.executor import SweepStore, execute, run_sweep
    from coop.sweeps.output import write_store, write_table

_EXPORTS = {
    "Design": "coop.sweeps.design",
    "ParameterRange": "coop.sweeps.design",
    "make_design": "coop.sweeps.design",
    "make_range": "coop.sweeps.design",
    "parse_range": "coop.sweeps.design",
    "SweepStore": "coop.sweeps.executor",
    "execute": "coop.sweeps.executor",
    "run_sweep": "coop.sweeps.executor",
    "write_store": "coop.sweeps.output",
    "write_table": "coop.sweeps.output",
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
