"""Pictures of a sweep: metrics along one parameter, or a phase diagram over two, with thresholds marked.

Regions are named in words in the legend: the value of the region metric (by
default the stage game's equilibrium structure, e.g. ``2 pure (restrain,restrain)
(race,race) + 1 mixed``), joined with ``; `` when several metrics define them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.sweeps.thresholds import Threshold, categorical_metrics

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


def plot_sweep(table: Any, parameters: Sequence[str], thresholds: Sequence[Threshold] = (), *,
               regions: Sequence[str] | None = None, lines: Sequence[str] | None = None, title: str = "") -> Any:
    """Draw a sweep: one parameter, the ``lines`` metrics along it over region bands; two, a phase diagram.

    Parameters
    ----------
    table : pandas.DataFrame
        The sweep's table (a grid design: one row per point).
    parameters : sequence of str
        The swept parameters (1 or 2).
    thresholds : sequence of Threshold
        Refined boundaries, drawn as lines (one parameter) or points (two).
    regions : sequence of str, optional
        Metrics whose values name the regions (default: the equilibrium structure).
    lines : sequence of str, optional
        Continuous metrics to draw along a single parameter (default: none).
    title : str
    """
    import matplotlib.pyplot as plt
    from matplotlib.artist import Artist
    from matplotlib.patches import Patch

    if len(parameters) not in (1, 2):
        raise InputError(f"a sweep picture shows 1 or 2 parameters; this sweep has {len(parameters)}: "
                         f"{', '.join(parameters)}")
    missing = [m for m in (*(regions or ()), *(lines or ())) if m not in table.columns]
    if missing:
        raise InputError(f"unknown metric {missing[0]!r}; the sweep's metrics are "
                         f"{', '.join(c for c in table.columns if c not in parameters)}")
    region_metrics = list(regions) if regions else default_region_metrics(table, parameters)
    labels = region_labels(table, region_metrics)
    names = list(dict.fromkeys(labels))
    colour = {name: REGION_COLOURS[k % len(REGION_COLOURS)] for k, name in enumerate(names)}
    shown = [t for t in thresholds if t.metric in region_metrics]
    handles: list[Artist] = [Patch(facecolor=colour[n], edgecolor="#333333", label=n) for n in names]
    if len(parameters) == 1:
        p = parameters[0]
        order = np.argsort(table[p].to_numpy(dtype=float))
        x = table[p].to_numpy(dtype=float)[order]
        fig, ax = plt.subplots(figsize=(8.0, 4.8), dpi=120)
        edges = np.concatenate([[x[0]], 0.5 * (x[1:] + x[:-1]), [x[-1]]])
        for k, idx in enumerate(order):
            ax.axvspan(edges[k], edges[k + 1], color=colour[labels[idx]], alpha=0.35, lw=0)
        for m in lines or ():
            ax.plot(x, table[m].to_numpy(dtype=float)[order], lw=2, label=m)
        for t in shown:
            ax.axvline(t.value, color="#000000", ls="--", lw=1)
            ax.annotate(f"{p} = {t.value:.6g}", (t.value, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(3, -12), textcoords="offset points", fontsize=9)
        ax.set_xlabel(p)
        ax.set_xlim(x[0], x[-1])
        if not lines:
            ax.set_yticks([])
        line_handles, _ = ax.get_legend_handles_labels()
        ax.legend(handles=[*handles, *line_handles], loc="upper center", bbox_to_anchor=(0.5, -0.15), fontsize=9,
                  frameon=False, ncol=1)
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
        from matplotlib.colors import ListedColormap

        cmap = ListedColormap([colour[n] for n in names])
        fig, ax = plt.subplots(figsize=(8.0, 6.4), dpi=120)

        def cell_edges(v: np.ndarray) -> np.ndarray:
            if len(v) == 1:
                return np.array([v[0] - 0.5, v[0] + 0.5])
            mid = 0.5 * (v[1:] + v[:-1])
            return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])

        ax.pcolormesh(cell_edges(xs), cell_edges(ys), grid, cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5,
                      shading="flat", alpha=0.85)
        for t in shown:
            other = py if t.parameter == px else px
            point = (t.value, t.at[other]) if t.parameter == px else (t.at[other], t.value)
            ax.plot(*point, "o", ms=3, color="#000000")
        if shown:
            handles.append(plt.Line2D([], [], marker="o", ls="", color="#000000", ms=3,
                                      label="refined boundary (bisection)"))
        ax.set_xlabel(px)
        ax.set_ylabel(py)
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=9, frameon=False)
    ax.set_title(title or "sweep", fontsize=10)
    fig.tight_layout()
    return fig
