"""Pictures of a sweep: metrics along one parameter, or a phase diagram over two, with thresholds marked.

Regions are named in words in the legend: the value of the region metric (by
default the stage game's equilibrium structure, e.g. ``2 pure (restrain,restrain)
(race,race) + 1 mixed``), joined with ``; `` when several metrics define them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.sections.base import PlotOptions
from coop.sweeps.thresholds import Threshold, categorical_metrics

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colour-blind-safe region colours (Okabe-Ito, then greys).
REGION_COLOURS = ("#56b4e9", "#e69f00", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7", "#999999",
                  "#dddddd", "#555555")
#: The region metric used when none is given, if the table has it.
DEFAULT_REGION_METRIC = "stage.structure"


def region_labels(table: Any, metrics: Sequence[str]) -> list[str]:
    """One label per row: the region metrics' values, joined (``"-"`` where missing)."""
    labels = []
    for row in table[list(metrics)].itertuples(index=False):
        parts = []
        for name, v in zip(metrics, row, strict=True):
            text = "-" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            parts.append(text if len(metrics) == 1 else f"{name.split('.', 1)[-1]}: {text}")
        labels.append("; ".join(parts))
    return labels


def default_region_metrics(table: Any, parameters: Sequence[str]) -> list[str]:
    """The stage game's equilibrium structure if swept, else the first categorical metric."""
    if DEFAULT_REGION_METRIC in table.columns:
        return [DEFAULT_REGION_METRIC]
    cats = categorical_metrics(table, parameters)
    if not cats:
        raise InputError("the sweep has no categorical metric to colour regions by; name one with --region")
    return cats[:1]


def _sweep_parts(source: Any, parameters: Sequence[str] | None,
                 thresholds: Sequence[Threshold] | None) -> tuple[Any, list[str], list[Threshold], str]:
    """The table, swept parameters, thresholds and scenario of a :class:`~coop.SweepResult`, of a table from
    :func:`coop.sweep` (its ``attrs`` hold the design and the thresholds), or of a bare table."""
    from coop.sweeps.design import Design
    from coop.sweeps.run import SweepResult

    if isinstance(source, SweepResult):
        table, names, found, scenario = source.table, list(source.design.names), list(source.thresholds), \
            source.source
    else:
        table, scenario = source, ""
        attrs = getattr(table, "attrs", {}) or {}
        names = list(Design.from_dict(attrs["design"]).names) if "design" in attrs else []
        found = [Threshold(**{k: v for k, v in t.items()}) for t in attrs.get("thresholds", ())]
    if parameters is not None:
        names = list(parameters)
    if not names:
        raise InputError("name the swept parameters: plot_sweep(table, parameters=[...])")
    return table, names, list(thresholds) if thresholds is not None else found, scenario


def plot_sweep(source: Any, parameters: Sequence[str] | None = None, thresholds: Sequence[Threshold] | None = None,
               *, regions: Sequence[str] | None = None, lines: Sequence[str] | None = None, title: str = "",
               options: PlotOptions | None = None, style: str | None = None, size: tuple[float, float] | None = None,
               dpi: float | None = None) -> Figure:
    """Draw a sweep: one parameter, the ``lines`` metrics along it over region bands; two, a phase diagram.

    Parameters
    ----------
    source : SweepResult or pandas.DataFrame
        A sweep: the result of ``coop sweep`` in Python, the table :func:`coop.sweep` returns (its
        ``attrs`` name the parameters and thresholds), or any table with one row per grid point.
    parameters : sequence of str, optional
        The swept parameters (1 or 2); default: the sweep's.
    thresholds : sequence of Threshold, optional
        Refined boundaries, drawn as lines (one parameter) or points (two); default: the sweep's.
    regions : sequence of str, optional
        Metrics whose values name the regions (default: the equilibrium structure).
    lines : sequence of str, optional
        Continuous metrics to draw along a single parameter (default: none).
    title : str
        Default: the scenario's title, when known.
    options : PlotOptions, optional
        Style, size and dpi (or give them as ``style``, ``size``, ``dpi``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import coop
    >>> table = coop.sweep("ai-arms-race", ["relative_gains=0:1:5"], sections=["stage"], workers=1)
    >>> fig = plot_sweep(table, dpi=50)
    >>> from coop.plots import legend_texts
    >>> legend_texts(fig)
    ['2 pure (restrain,restrain) (race,race) + 1 mixed', '1 pure (race,race)']
    """
    from matplotlib.artist import Artist
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from coop.plots import add_legend, finish_figure, new_figure, set_titles

    if options is None:
        options = PlotOptions(style=style or "paper", size=size, dpi=dpi)
    table, parameters, thresholds, scenario = _sweep_parts(source, parameters, thresholds)
    if len(parameters) not in (1, 2):
        raise InputError(f"a sweep picture shows 1 or 2 parameters; this sweep has {len(parameters)}: "
                         f"{', '.join(parameters)}")
    missing = [m for m in (*(regions or ()), *(lines or ()), *parameters) if m not in table.columns]
    if missing:
        raise InputError(f"unknown metric {missing[0]!r}; the sweep's metrics are "
                         f"{', '.join(c for c in table.columns if c not in parameters)}")
    if not title and scenario:
        from coop.scenarios import load

        title = load(scenario).title
    region_metrics = list(regions) if regions else default_region_metrics(table, parameters)
    labels = region_labels(table, region_metrics)
    names = list(dict.fromkeys(labels))
    colour = {name: REGION_COLOURS[k % len(REGION_COLOURS)] for k, name in enumerate(names)}
    shown = [t for t in thresholds if t.metric in region_metrics]
    handles: list[Artist] = []
    if len(parameters) == 1:
        p = parameters[0]
        fig, axes = new_figure(options, (8.0, 5.0))
        st = fig.coop_style
        ax = axes[0, 0]
        order = np.argsort(table[p].to_numpy(dtype=float))
        x = table[p].to_numpy(dtype=float)[order]
        edges = np.concatenate([[x[0]], 0.5 * (x[1:] + x[:-1]), [x[-1]]])
        for k, idx in enumerate(order):
            ax.axvspan(edges[k], edges[k + 1], color=colour[labels[idx]], alpha=0.35, lw=0)
        # the legend patches look as the bands do (the same colour at the same transparency)
        handles += [Patch(facecolor=colour[n], alpha=0.35, edgecolor="#333333", label=n) for n in names]
        for m in lines or ():
            line, = ax.plot(x, table[m].to_numpy(dtype=float)[order], lw=2, label=m)
            handles.append(line)
        for t in shown:
            ax.axvline(t.value, color="#000000", ls="--", lw=1)
            ax.annotate(f"{p} = {t.value:.6g}", (t.value, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(3, -14), textcoords="offset points", fontsize=st.text)
        if shown:
            handles.append(Line2D([], [], color="#000000", ls="--", lw=1, label="refined boundary (bisection)"))
        ax.set_xlabel(p, fontsize=st.label)
        ax.set_xlim(x[0], x[-1])
        if not lines:
            ax.set_yticks([])
        subtitle = (f"The stage game's equilibria as {p} varies" if region_metrics == [DEFAULT_REGION_METRIC]
                    else f"Regions along {p}, named by {', '.join(region_metrics)}")
    else:
        px, py = parameters
        xs = np.unique(table[px].to_numpy(dtype=float))
        ys = np.unique(table[py].to_numpy(dtype=float))
        if len(xs) * len(ys) != len(table):
            raise InputError("a phase diagram needs a grid design (every combination of the two parameters)")
        index = {name: k for k, name in enumerate(names)}
        grid = np.full((len(ys), len(xs)), np.nan)
        xi = np.searchsorted(xs, table[px].to_numpy(dtype=float))
        yi = np.searchsorted(ys, table[py].to_numpy(dtype=float))
        grid[yi, xi] = [index[label] for label in labels]
        cmap = ListedColormap([colour[n] for n in names])
        fig, axes = new_figure(options, (8.0, 7.0))
        st = fig.coop_style
        ax = axes[0, 0]

        def cell_edges(v: np.ndarray) -> np.ndarray:
            if len(v) == 1:
                return np.array([v[0] - 0.5, v[0] + 0.5])
            mid = 0.5 * (v[1:] + v[:-1])
            return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])

        ax.pcolormesh(cell_edges(xs), cell_edges(ys), grid, cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5,
                      shading="flat", alpha=0.85)
        handles += [Patch(facecolor=colour[n], alpha=0.85, edgecolor="#333333", label=n) for n in names]
        for t in shown:
            other = py if t.parameter == px else px
            point = (t.value, t.at[other]) if t.parameter == px else (t.at[other], t.value)
            ax.plot(*point, "o", ms=3, color="#000000")
        if shown:
            handles.append(Line2D([], [], marker="o", ls="", color="#000000", ms=3,
                                  label="refined boundary (bisection)"))
        ax.set_xlabel(px, fontsize=st.label)
        ax.set_ylabel(py, fontsize=st.label)
        subtitle = (f"The stage game's equilibria over {px} and {py}" if region_metrics == [DEFAULT_REGION_METRIC]
                    else f"Regions over {px} and {py}, named by {', '.join(region_metrics)}")
    set_titles(fig, title or "sweep", subtitle)
    add_legend(fig, handles)
    return finish_figure(fig, options)

