"""A whole sweep of a scenario: its design, the metrics at every point, refined thresholds, closed forms.

:func:`sweep` is the Python entry (a pandas DataFrame, one row per point);
:func:`run` gives a :class:`SweepResult` with the thresholds and notes too, which
``coop sweep`` prints, writes and draws.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coop.errors import InputError
from coop.solvers.nash.methods import Method
from coop.sweeps.thresholds import Threshold

if TYPE_CHECKING:
    import pandas as pd

    from coop.scenarios.schema import Scenario
    from coop.sweeps.design import Design, ParameterRange


#: At most this many groups of thresholds are printed in the text summary.
MAX_THRESHOLD_LINES = 12


@dataclass(frozen=True, eq=False)
class SweepResult:
    """A finished sweep.

    Attributes
    ----------
    source : str
        The scenario.
    design : Design
        The points.
    table : pandas.DataFrame
        One row per point: the parameter columns, every section's metrics (``section.metric``), ``error``.
    thresholds : list of Threshold
        Refined boundaries (empty unless asked for), with closed forms where SymPy derived them.
    notes : list of str
    """

    source: str
    design: Design
    table: pd.DataFrame
    thresholds: list[Threshold] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def thresholds_table(self) -> pd.DataFrame:
        """The thresholds as a table: one row per refined boundary."""
        import pandas as pd

        columns = ["metric", "parameter", "value", "lower", "upper", "below", "above", "at", "evaluations",
                   "closed_form", "closed_form_value"]
        return pd.DataFrame([t.to_dict() for t in self.thresholds], columns=columns)

    def text(self, regions: Sequence[str] | None = None) -> str:
        """A readable summary: the design, how often each region occurs (regions named by the ``regions``
        metrics, default the equilibrium structure), the thresholds, the notes."""
        import textwrap

        from coop.sweeps.figure import default_region_metrics, region_labels

        names = list(self.design.names)
        lines = [f"Sweep of {self.source}: {len(self.table):,} points, {self.design.kind} over "
                 f"{', '.join(r.text() for r in self.design.parameters)}", ""]
        if not regions:
            try:
                regions = default_region_metrics(self.table, names)
            except InputError:
                regions = []
        else:
            regions = [r for r in regions if r in self.table.columns]
        if regions:
            counts = dict.fromkeys(region_labels(self.table, regions), 0)
            for label in region_labels(self.table, regions):
                counts[label] += 1
            lines.append(f"Regions by {', '.join(regions)} (points):")
            for label, count in sorted(counts.items(), key=lambda kv: -kv[1]):
                lines += textwrap.wrap(f"{count:>7,}  {label}", 88, subsequent_indent=" " * 9)
            lines.append("")
        if self.thresholds:
            lines.append("Thresholds (refined by bisection; the exact value where SymPy derives one):")
            groups: dict[tuple[Any, ...], list[Threshold]] = {}
            for t in self.thresholds:
                groups.setdefault((t.metric, t.parameter, str(t.below), str(t.above)), []).append(t)
            shown = 0
            for (metric, parameter, below, above), ts in groups.items():
                if shown >= MAX_THRESHOLD_LINES:
                    lines.append(f"  ... {len(groups) - shown} more (all are in --format json and -o)")
                    break
                shown += 1
                exact = {t.closed_form for t in ts}
                if len(ts) > 1 and len(exact) == 1 and None not in exact:
                    others = sorted(ts[0].at)
                    where = f"{exact.pop()} (bisection: {ts[0].value:.10g}), at all {len(ts)} values of " + \
                        ", ".join(others) if others else ""
                else:
                    parts = [(f"{t.closed_form} (bisection: {t.value:.10g})" if t.closed_form and len(ts) == 1
                              else f"{t.closed_form}" if t.closed_form else f"{t.value:.6g}")
                             + (f" at {', '.join(f'{k} {v:.4g}' for k, v in t.at.items())}" if t.at else "")
                             for t in ts[:6]]
                    where = "; ".join(parts) + (f"; ... ({len(ts)} in all)" if len(ts) > 6 else "")
                lines += textwrap.wrap(f"{metric}: {below} -> {above} at {parameter} = {where}", 88,
                                       initial_indent="  ", subsequent_indent="    ")
            lines.append("")
        for note in self.notes:
            lines += textwrap.wrap(f"Note: {note}", 88, subsequent_indent="  ")
        if not self.notes:
            lines.append(f"Columns: {', '.join(names)}, then {len(self.table.columns) - len(names) - 1} metrics "
                         "(section.metric) and error; write them with -o FILE.csv|.parquet|.json.")
        return "\n".join(lines).rstrip() + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (missing values are ``None``): the design, the points, the thresholds, the notes."""
        from coop.sweeps.output import table_records

        return {"source": self.source, "design": self.design.to_dict(), "points": table_records(self.table),
                "thresholds": [t.to_dict() for t in self.thresholds], "notes": list(self.notes)}


def _plan(evaluate: Any, design: Design, workers: int | None, scheduler: str | None) -> str:
    """``sweeping 2,091 points (relative_gains x patience, grid) on 2 workers; about 40 s``."""
    import os
    import time

    from coop.sweeps.executor import SCHEDULER_ENV, available_cores

    first = {name: float(v) for name, v in zip(design.names, design.values(0, 1)[0], strict=True)}
    evaluate(first)  # once to load and compile, then time it
    start = time.perf_counter()
    try:
        evaluate(first)
    except Exception:  # noqa: S110 - a failing point is recorded by the sweep itself
        pass
    seconds = time.perf_counter() - start
    where = scheduler or os.environ.get(SCHEDULER_ENV)
    cores = 1 if where else (workers or available_cores())
    runs_on = f"on the Dask cluster at {where}" if where else f"on {cores} worker{'s' if cores > 1 else ''}"
    eta = seconds * design.size / cores
    about = f"about {eta:.0f} s" if eta < 120 else f"about {eta / 60:.0f} min"
    return (f"sweeping {design.size:,} points ({' x '.join(design.names)}, {design.kind}) {runs_on}; {about}"
            + (" plus the cluster's own start-up" if where else ""))


def _design_of(scenario: Scenario, parameters: Sequence[str | ParameterRange], design: str | None,
               points: int | None, seed: int | None) -> tuple[Design, Any]:
    """The design: the command line's ranges, else the scenario's ``sweep`` section; and the section."""
    from coop.sweeps.design import check_parameter_names, make_design

    spec = scenario.sections.get("sweep")
    if spec is not None:
        chosen = spec.to_design(parameters, design, points, seed)
        check_parameter_names(chosen.names, scenario.parameters, str(scenario.source))
        return chosen, spec
    if not parameters:
        raise InputError(f"nothing to sweep: give parameter ranges (e.g. -p {next(iter(scenario.parameters), 'x')}"
                         "=0:1:51) or add a 'sweep' section to the scenario", source=str(scenario.source))
    return make_design(list(parameters), design=design or "grid", points=points, seed=seed,
                       known=scenario.parameters, source=str(scenario.source)), None


def run(source: str | Path, parameters: Sequence[str | ParameterRange] = (), *, design: str | None = None,
        points: int | None = None, seed: int | None = None, fixed: Mapping[str, float] | None = None,
        method: Method = "auto", sections: Sequence[str] = (), thresholds: bool | None = None,
        threshold_metrics: Sequence[str] | None = None, workers: int | None = None, scheduler: str | None = None,
        store: str | Path | None = None, resume: bool = False, force: bool = False, progress: bool | None = None,
        resume_hint: str | None = None, announce: Callable[[str], None] | None = None) -> SweepResult:
    """Sweep a scenario (see :func:`sweep` for the parameters); the table with thresholds and notes.

    ``announce(text)`` is told, before the work starts, how many points there are and about how long
    they will take (one point is timed first).
    """
    from coop.scenarios import resolve
    from coop.sections.registry import analyses
    from coop.sweeps.closed_form import with_closed_forms
    from coop.sweeps.executor import run_sweep
    from coop.sweeps.point import PointEvaluator
    from coop.sweeps.thresholds import find_thresholds

    path = str(resolve(source))
    fixed_items = tuple((k, float(v)) for k, v in (fixed or {}).items())
    scenario = PointEvaluator(path, fixed_items).base()  # read once per process, shared with the evaluator
    the_design, spec = _design_of(scenario, parameters, design, points, seed)
    from_section = spec is not None and not parameters  # the section's own sweep: its choices apply
    if from_section and not sections:
        sections = spec.sections
    if from_section and threshold_metrics is None and spec.threshold_metrics:
        threshold_metrics = spec.threshold_metrics
    clash = [n for n in the_design.names if fixed and n in fixed]
    if clash:
        raise InputError(f"parameter {clash[0]!r} is both swept and set with --set; give it one or the other")
    known_sections = [a.name for a in analyses()]
    unknown = [s for s in sections if s not in known_sections]
    if unknown:
        raise InputError(f"unknown section {unknown[0]!r}; the sections are {', '.join(known_sections)}")
    evaluate = PointEvaluator(path, fixed_items, method, tuple(sections))
    refine = (from_section and bool(spec.thresholds)) if thresholds is None else thresholds
    if announce is not None:
        announce(_plan(evaluate, the_design, workers, scheduler)
                 + ("; then thresholds are refined (about 30 evaluations each)" if refine else ""))
    table = run_sweep(evaluate, the_design, store=store, resume=resume, force=force, workers=workers,
                      scheduler=scheduler, progress=progress, resume_hint=resume_hint)
    found: list[Threshold] = []
    notes: list[str] = []
    if refine:
        if the_design.kind != "grid":
            notes.append("thresholds are refined between neighbouring points of a grid design; this sweep is "
                         f"a {the_design.kind} design, so none were refined")
        else:
            names = list(the_design.names)
            section_evaluators: dict[str, PointEvaluator] = {}

            def evaluator_for(metric: str) -> PointEvaluator:
                section = metric.split(".", 1)[0]  # bisect with the metric's own section only
                if section not in section_evaluators:
                    section_evaluators[section] = dataclasses.replace(evaluate, sections=(section,))
                return section_evaluators[section]

            found, more = find_thresholds(table, names, evaluate, metrics=threshold_metrics,
                                          evaluator_for=evaluator_for)
            notes += more
            lower = {n: float(table[n].min()) for n in names}
            upper = {n: float(table[n].max()) for n in names}
            found, more = with_closed_forms(found, scenario, lower, upper, dict(fixed or {}))
            notes += more
    errors = int(table["error"].notna().sum()) if "error" in table.columns else 0
    if errors:
        first = table["error"].dropna().iloc[0]
        notes.append(f"{errors} of {len(table)} points failed and are recorded with their error, e.g.: {first}")
    return SweepResult(str(source), the_design, table, found, notes)


def sweep(source: str | Path, parameters: Sequence[str | ParameterRange] = (), *, design: str | None = None,
          points: int | None = None, seed: int | None = None, fixed: Mapping[str, float] | None = None,
          method: Method = "auto", sections: Sequence[str] = (), thresholds: bool = False,
          threshold_metrics: Sequence[str] | None = None, workers: int | None = None,
          scheduler: str | None = None, store: str | Path | None = None, resume: bool = False,
          progress: bool | None = False) -> pd.DataFrame:
    """Evaluate a scenario over many parameter points: one row per point, every section's metrics.

    Parameters
    ----------
    source : str or Path
        A scenario file or bundled scenario name.
    parameters : sequence of str or ParameterRange
        Ranges in the command-line syntax (``"relative_gains=0:1:51"``, ``"leak=0.01:1:20:log"``,
        ``"risk=0.1,0.5,0.9"``, ``"x=0:1"`` for sampled designs); default: the scenario's ``sweep`` section.
    design : {"grid", "random", "sobol", "lhs"}, optional
        Default: the section's, else a grid.
    points, seed : int, optional
        Size and seed of a sampled design.
    fixed : mapping, optional
        Parameters set for every point (as ``--set``).
    method : str
        The stage game's equilibrium method.
    sections : sequence of str
        Only these analyses (by name: ``stage``, ``repeated``, ...); default: all that apply.
    thresholds : bool
        Refine where a categorical metric changes; the boundaries are in ``table.attrs["thresholds"]``.
    threshold_metrics : sequence of str, optional
        The metrics to refine (default: every categorical one).
    workers : int, optional
        Local processes (default: every core; 1 runs here).
    scheduler : str, optional
        A Dask scheduler address (``tcp://HOST:PORT``) whose workers have coop installed.
    store : str or Path, optional
        Keep the finished chunks here (to resume with ``resume=True``).
    resume : bool
    progress : bool, optional
        A progress bar on stderr.

    Returns
    -------
    pandas.DataFrame
        Indexed by point number: the swept parameters, then ``section.metric`` columns (see
        docs/sweeps.md), then ``error``. ``attrs["design"]`` holds the design, ``attrs["thresholds"]``
        the refined boundaries (a list of dicts) and ``attrs["notes"]`` the notes.

    Examples
    --------
    >>> import coop
    >>> table = coop.sweep("ai-arms-race", ["relative_gains=0:1:5"], sections=["stage"], workers=1)
    >>> table[["relative_gains", "stage.equilibria"]].values.tolist()
    [[0.0, 3.0], [0.25, 3.0], [0.5, 1.0], [0.75, 1.0], [1.0, 1.0]]
    """
    result = run(source, parameters, design=design, points=points, seed=seed, fixed=fixed, method=method,
                 sections=sections, thresholds=thresholds, threshold_metrics=threshold_metrics, workers=workers,
                 scheduler=scheduler, store=store, resume=resume, progress=progress)
    table = result.table
    table.attrs["design"] = result.design.to_dict()
    table.attrs["thresholds"] = [t.to_dict() for t in result.thresholds]
    table.attrs["notes"] = list(result.notes)
    return table
