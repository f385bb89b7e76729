"""The figures of ``coop plot``, as matplotlib Figures for a notebook, a paper or a slide.

Each figure kind is registered by the section that owns it (:mod:`coop.sections.registry`) and drawn
here. The public functions take what a notebook has: a bundled scenario's name, a scenario file, a
:class:`~coop.scenarios.Scenario`, a :class:`~coop.games.NormalFormGame`, or a
:class:`~coop.SolveReport` from :func:`coop.analyse` (whose results are drawn, not computed again),
and optionally the section's result. They return a :class:`matplotlib.figure.Figure` made without
pyplot, so no backend is chosen or switched: a notebook shows it inline (it has a PNG
representation), a script saves it with :func:`save_figure` or ``fig.savefig``.

``payoff-sets`` (:func:`plot_payoff_sets`)
    For a 2-player stage game: the feasible payoff set (every mix of the outcomes), the
    individually rational part of it (hatched: each player gets at least their minmax value),
    and, at the repeated game's discount factor, the payoffs of the subgame-perfect equilibria
    with public randomisation (Judd-Yeltekin-Conklin outer approximation, its inner
    approximation dashed), which lie inside the hatched set; when the players read a public signal
    (an inspector's public report, general signals, or noise that everybody sees), the payoffs of
    the perfect public equilibria instead. The stage game's pure equilibria
    and the payoffs of the scenario's strategy profiles are marked. This is the picture of the
    folk theorem: as delta grows the equilibrium set fills the individually rational set.
``critical-delta`` (:func:`plot_critical_delta`)
    For a scenario with a ``repeated`` section: the critical discount factor of each strategy
    profile (and of each institution design), against the scenario's delta: a bar that ends
    left of the line is self-enforcing.
``simplex`` (:func:`plot_simplex`)
    For an ``evolution`` section with one population of 3 strategies: the replicator flow on the
    triangle, the rest points and the scenario's trajectories; with 2 strategies, the rate of
    change along the line of shares.
``trajectories`` (:func:`plot_trajectories`)
    The shares of every action over time for each run of the section.
``stationary`` (:func:`plot_stationary`)
    A finite population: the small-mutation stationary distribution as bars (and the mean
    shares with mutation).
``gradient`` (:func:`plot_gradient`)
    A finite population of 2 strategies: the gradient of selection (Santos and Pacheco 2011),
    whose roots are its interior rest points.
``qre`` (:func:`plot_qre`)
    A ``quantal_response`` section: each action's probability along the principal branch of logit
    quantal response equilibria, against lambda on a log scale, from near-random play to the Nash
    equilibrium the branch ends at; the lambdas asked for and the fitted lambda are marked.

Every function takes ``style`` (``"paper"``: a page or a notebook, text of at least 9 pt;
``"slide"``: 16:9, text of at least 12 pt), ``size`` (width, height in inches) and ``dpi``.

Examples
--------
>>> from coop.plots import plot_critical_delta
>>> fig = plot_critical_delta("ai-arms-race", style="slide", dpi=50)
>>> [round(v) for v in fig.get_size_inches() * fig.dpi]
[667, 375]
>>> "self-enforcing at delta = 0.9" in legend_texts(fig)
True
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from coop.errors import InputError
from coop.inputs import LoadedInput
from coop.output_files import figure_format, replacing
from coop.sections.base import SLIDE_SIZE, PlotOptions, check_figure_pixels

#: Colours (colour-blind safe, Okabe-Ito).
FEASIBLE, RATIONAL, EQUILIBRIUM, MARK = "#d9d9d9", "#0072b2", "#e69f00", "#000000"
GOOD, BAD, NEUTRAL, PROFILE = "#009e73", "#d55e00", "#56b4e9", "#009e73"
#: Line colours of the actions in the trajectories figure.
ACTION_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442", "#000000")


@dataclass(frozen=True)
class FigureStyle:
    """Font sizes (points), the default resolution and, for slides, the one size of a style.

    ``text`` is the smallest text drawn (ticks, legends, annotations); ``minimum`` is what every
    text of the figure is checked against (:func:`finish_figure` raises anything smaller).
    """

    name: str
    text: float
    label: float
    title: float
    minimum: float
    dpi: float
    size: tuple[float, float] | None


#: ``paper``: per-kind sizes (a column or a page), text of at least 9 pt. ``slide``: 13.33 x 7.5 in (16:9),
#: 1920 x 1080 pixels at 144 dpi, text of at least 12 pt (14 pt for the smallest text drawn).
STYLES = {
    "paper": FigureStyle("paper", text=9.0, label=10.0, title=11.0, minimum=9.0, dpi=150.0, size=None),
    "slide": FigureStyle("slide", text=14.0, label=16.0, title=18.0, minimum=12.0, dpi=144.0, size=SLIDE_SIZE),
}


class CoopFigure(Figure):
    """A matplotlib Figure that a notebook shows inline even when pyplot was never imported, and that knows
    its :class:`FigureStyle`."""

    coop_style: FigureStyle = STYLES["paper"]

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png")
        return buf.getvalue()


def figure_style(options: PlotOptions) -> FigureStyle:
    """The :class:`FigureStyle` of ``options``."""
    return STYLES[options.style]


def new_figure(options: PlotOptions, default_size: tuple[float, float], nrows: int = 1, ncols: int = 1,
               **subplots: Any) -> tuple[CoopFigure, np.ndarray]:
    """A figure of the asked size and resolution (``options.size`` or the style's size or ``default_size``),
    laid out by matplotlib's constrained layout, with an ``nrows x ncols`` array of axes."""
    style = figure_style(options)
    size = options.size or style.size or default_size
    dpi = options.dpi or style.dpi
    check_figure_pixels(size, dpi)
    fig = CoopFigure(figsize=size, dpi=dpi, layout="constrained")
    fig.coop_style = style
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplots)
    return fig, axes


def _one_axes(options: PlotOptions, default_size: tuple[float, float]) -> tuple[Figure, Any]:
    fig, axes = new_figure(options, default_size)
    return fig, axes[0, 0]


def _wrap(text: str, fig: Figure, size: float, share: float = 1.0) -> str:
    """``text`` wrapped to the width of the figure (``share`` of it) at font ``size``."""
    chars = max(30, int(share * fig.get_figwidth() * 72.0 / (0.52 * size)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def set_titles(fig: Figure, title: str, subtitle: str = "") -> None:
    """The scenario's title over the figure, and under it a question or sentence in plain words saying
    what the figure shows."""
    style = _style_of(fig)
    text = _wrap(title, fig, style.title)
    if subtitle:
        text += "\n" + _wrap(subtitle, fig, style.title)
    fig.suptitle(text, fontsize=style.title)


def add_title_note(fig: Figure, note: str) -> Figure:
    """``fig`` with ``note`` added under its title, the whole title in red (a figure of an incomplete answer)."""
    style = _style_of(fig)
    title = fig.get_suptitle()
    note = _wrap(note, fig, style.label)
    fig.suptitle(f"{title}\n{note}" if title else note, fontsize=style.label, color="#b00000")
    return fig


def _style_of(fig: Figure) -> FigureStyle:
    style: FigureStyle = getattr(fig, "coop_style", STYLES["paper"])
    return style


def add_legend(fig: Figure, handles: Sequence[Any], *, where: str = "below") -> Any:
    """A legend outside the axes (below them, or at the right), so that it covers nothing drawn."""
    style = _style_of(fig)
    if not handles:
        return None
    if where == "right":
        return fig.legend(handles=list(handles), loc="outside right center", fontsize=style.text, frameon=False)
    longest = max(len(h.get_label()) for h in handles)
    chars = fig.get_figwidth() * 72.0 / (0.5 * style.text)
    ncol = max(1, min(len(handles), int(chars // (longest + 6)), 3))
    return fig.legend(handles=list(handles), loc="outside lower center", fontsize=style.text, frameon=False,
                      ncol=ncol)


def legend_texts(fig: Figure) -> list[str]:
    """Every legend entry of ``fig`` (its figure legends and its axes' legends), in order."""
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    return [t.get_text() for legend in legends if legend is not None for t in legend.get_texts()]


def finish_figure(fig: Figure, options: PlotOptions) -> Figure:
    """Apply the style's text sizes everywhere: tick labels at the smallest size, and no text smaller than
    the style's minimum (9 pt on paper, 12 pt on a slide)."""
    style = figure_style(options)
    for ax in fig.axes:
        ax.tick_params(labelsize=style.text)
    for text in fig.findobj(Text):
        if float(text.get_fontsize()) < style.minimum:
            text.set_fontsize(style.minimum)
    return fig


def _start(options: PlotOptions, default_size: tuple[float, float], nrows: int = 1, ncols: int = 1,
           **subplots: Any) -> tuple[Figure, np.ndarray, FigureStyle]:
    fig, axes = new_figure(options, default_size, nrows, ncols, **subplots)
    return fig, axes, figure_style(options)


def _polygon(ax: Any, vertices: np.ndarray, **style: Any) -> Any:
    """Draw a convex set given by its vertices (a point, a segment or a polygon); the polygon, if it is one."""
    v = np.asarray(vertices, dtype=float)
    if v.shape[0] == 0:
        return None
    colour = style.get("edgecolor", style.get("facecolor"))
    if v.shape[0] == 1:
        ax.plot(v[:, 0], v[:, 1], "o", color=colour, zorder=style.get("zorder", 2))
        return None
    if v.shape[0] == 2:
        ax.plot(v[:, 0], v[:, 1], "-", lw=3, color=colour, zorder=style.get("zorder", 2))
        return None
    from matplotlib.patches import Polygon

    return ax.add_patch(Polygon(v, closed=True, **style))


def _area(vertices: np.ndarray) -> float:
    v = np.asarray(vertices, dtype=float)
    if v.shape[0] < 3:
        return 0.0
    x, y = v[:, 0], v[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


# ----------------------------------------------------------------------------- drawing (from section results)
def draw_payoff_sets(sets: Any, loaded: LoadedInput, options: PlotOptions) -> Figure:
    """Feasible, individually rational and equilibrium payoff sets of a 2-player game (see the module doc).

    ``sets`` is a :class:`~coop.sections.payoff_sets.PayoffSetsResult` of the stage game of ``loaded``.
    """
    from coop.solvers.nash.pure_nash import pure_nash_equilibria

    game = loaded.game
    eq = sets.equilibrium
    delta = eq.delta if eq is not None else options.delta
    fig, axes, st = _start(options, (7.0, 6.8))
    ax = axes[0, 0]
    feasible, mm, rational = sets.feasible, sets.minmax, sets.individually_rational
    handles: list[Any] = []
    _polygon(ax, feasible.vertices, facecolor=FEASIBLE, edgecolor="#7f7f7f", lw=1, zorder=1)
    handles.append(Patch(facecolor=FEASIBLE, edgecolor="#7f7f7f", label="feasible: every mix of the outcomes"))
    # the equilibrium set lies inside the individually rational one: it is filled, and the individually
    # rational set is hatched over it, so that both stay visible where they overlap
    subtitle = "No discount factor: the equilibrium payoffs are not drawn (give --delta, or delta= in Python)"
    public = getattr(eq, "kind", None) == "perfect_public_equilibrium"
    if eq is not None:
        if eq.empty:
            what = "perfect public equilibrium" if public else "subgame-perfect equilibrium"
            subtitle = f"At patience delta = {delta:g} no pure-strategy {what} exists"
        else:
            _polygon(ax, eq.vertices, facecolor=EQUILIBRIUM, edgecolor="#b35900", lw=1.5, zorder=2)
            # with implementation noise the expected payoffs can fall below the stage game's minmax: no claim
            # that a perfect public equilibrium set lies inside the hatched one
            label = (f"perfect public equilibrium payoffs at delta = {delta:g}" if public
                     else f"subgame-perfect payoffs at delta = {delta:g} (inside the hatched set)")
            handles.append(Patch(facecolor=EQUILIBRIUM, edgecolor="#b35900", label=label))
            if eq.inner_vertices.shape[0] >= 3:
                closed = np.vstack([eq.inner_vertices, eq.inner_vertices[:1]])
                ax.plot(closed[:, 0], closed[:, 1], ls="--", lw=1.2, color="#7a3d00", zorder=4)
                handles.append(Line2D([], [], ls="--", lw=1.2, color="#7a3d00",
                                      label="inner approximation of that set"))
            subtitle = f"Payoffs the repeated game can sustain at patience delta = {delta:g}"
            if public:
                subtitle += f", with a public signal: {eq.monitoring}"
            if eq.error_bound is not None and eq.error_bound > 1e-3 * game.payoff_scale:
                subtitle += f" (drawn to within {eq.error_bound:.2g})"
            ir_area = _area(rational.vertices)
            if ir_area > 0.0 and _area(eq.vertices) >= 0.995 * ir_area:
                subtitle += ": all the individually rational payoffs"
    hatched = _polygon(ax, rational.vertices, facecolor="none", edgecolor=RATIONAL, hatch="//", lw=1.5, zorder=3)
    if hatched is not None and hasattr(hatched, "set_hatch_linewidth"):  # matplotlib 3.10 and later
        hatched.set_hatch_linewidth(1.5)
    handles.insert(1, Patch(facecolor="white", edgecolor=RATIONAL, hatch="//",
                            label="individually rational: each gets at least their minmax"))
    for i, line in enumerate((ax.axvline, ax.axhline)):  # minmax of player 0 is vertical
        line(mm.mixed_minmax[i], color=RATIONAL, ls="--", lw=1.0, zorder=3)
    handles.append(Line2D([], [], color=RATIONAL, ls="--", lw=1.0,
                          label="minmax: the least each can be held to"))
    if any(mm.pure_minmax[i] > mm.mixed_minmax[i] + 1e-12 for i in range(2)):
        for i, line in enumerate((ax.axvline, ax.axhline)):
            if mm.pure_minmax[i] > mm.mixed_minmax[i] + 1e-12:
                line(mm.pure_minmax[i], color=RATIONAL, ls=":", lw=1.0, zorder=3)
        handles.append(Line2D([], [], color=RATIONAL, ls=":", lw=1.0, label="minmax with pure strategies only"))
    pure = pure_nash_equilibria(game)
    mid = 0.5 * (game.payoffs[0].min() + game.payoffs[0].max())
    for e in pure.equilibria:
        ax.plot(*e.payoffs, "s", color=MARK, ms=7, zorder=5)
        label = "(" + ", ".join(game.actions[i][int(np.argmax(s))] for i, s in enumerate(e.strategies)) + ")"
        right = e.payoffs[0] > mid
        ax.annotate(label, e.payoffs, textcoords="offset points", xytext=(-7 if right else 7, -14),
                    ha="right" if right else "left", fontsize=st.text)
    if pure.equilibria:
        handles.append(Line2D([], [], marker="s", ls="", color=MARK, ms=7, label="equilibrium of the one-shot game"))
    spec = loaded.scenario.repeated if loaded.scenario is not None else None
    if spec is not None and spec.game.horizon is None and delta is not None:
        from coop.solvers.repeated.payoffs import discounted_payoffs

        g = spec.game.with_delta(delta)
        at: dict[tuple[float, float], list[str]] = {}  # profiles with the same payoffs share one label
        for p in spec.profiles:
            v = discounted_payoffs(g, p.automata).payoffs
            at.setdefault((round(float(v[0]), 9), round(float(v[1]), 9)), []).append(p.name)
        for (x, y), names in at.items():
            ax.plot(x, y, "o", color=PROFILE, ms=6, zorder=6)
            right = x > mid  # label towards the middle, so it stays inside the axes
            ax.annotate("\n".join(names), (x, y), textcoords="offset points", xytext=(-7 if right else 7, 7),
                        ha="right" if right else "left", va="bottom", fontsize=st.text, color="#006d4f")
        if at:
            handles.append(Line2D([], [], marker="o", ls="", color=PROFILE, ms=6,
                                  label="the scenario's strategy profiles (their payoffs)"))
    ax.set_xlabel(f"payoff of {game.players[0]}", fontsize=st.label)
    ax.set_ylabel(f"payoff of {game.players[1]}", fontsize=st.label)
    set_titles(fig, loaded.game.title or loaded.source, subtitle)
    pad = 0.06 * game.payoff_scale
    ax.set_xlim(game.payoffs[0].min() - pad, game.payoffs[0].max() + pad)
    ax.set_ylim(game.payoffs[1].min() - pad, game.payoffs[1].max() + 3 * pad)
    ax.grid(True, lw=0.3, zorder=0)
    add_legend(fig, handles, where="right" if st.name == "slide" else "below")
    return fig


def critical_delta_rows(repeated: Any, institutions: Any = None) -> tuple[list[tuple[str, float | None]], list[str]]:
    """The rows of the critical-delta chart and a note on the designs left out.

    One row per strategy profile; with institutions, one per design and profile, the profiles alone
    labelled ``no institution``. A design that expects no sanction or reputation cost and leaves every
    critical discount factor as it is (a ``none`` design) would repeat the no-institution rows: it is left
    out, and the note says so.
    """
    base = [(a.name, a.critical_delta_overall) for a in repeated.profiles]
    if institutions is None or not institutions.analyses:
        return base, []
    by_design: dict[str, list[tuple[str, Any]]] = {}
    for profile, a in institutions.analyses:
        by_design.setdefault(a.institution.name, []).append((profile, a))
    plain = dict(base)
    rows = [(f"no institution: {name}", d) for name, d in base]
    folded = []
    for design, entries in by_design.items():
        inst = entries[0][1].institution
        same = all(_same_delta(a.critical.overall, plain.get(profile)) for profile, a in entries)
        if inst.expected_sanction() == 0.0 and same and len(entries) == len(base):
            folded.append(design)
            continue
        rows += [(f"{design}: {profile}", a.critical.overall) for profile, a in entries]
    notes = []
    if folded:
        names = ", ".join(repr(n) for n in folded)
        notes.append(f"the design {names} expects no sanction: its rows would repeat the no-institution rows"
                     if len(folded) == 1 else
                     f"the designs {names} expect no sanction: their rows would repeat the no-institution rows")
    return rows, notes


def _same_delta(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9


def draw_critical_delta(rows: Sequence[tuple[str, float | None]], delta: float | None, title: str,
                        options: PlotOptions, notes: Sequence[str] = ()) -> Figure:
    """Critical discount factor of every row (a strategy profile, or an institution with one) against delta."""
    height = max(3.6, 2.4 + 0.32 * len(rows))
    fig, axes, st = _start(options, (8.0, height))
    ax = axes[0, 0]
    y = np.arange(len(rows))[::-1]
    seen: dict[str, Any] = {}
    for k, (_, d) in enumerate(rows):
        if d is None:
            ax.barh(y[k], 1.0, color="#f0f0f0", edgecolor="#808080", hatch="//")
            ax.text(0.99, y[k], "never", va="center", ha="right", fontsize=st.text)
            seen["never"] = Patch(facecolor="#f0f0f0", edgecolor="#808080", hatch="//",
                                  label="never self-enforcing (no delta below 1 is enough)")
            continue
        if delta is None:
            colour, key, label = NEUTRAL, "bar", "critical discount factor"
        elif d <= delta:
            colour, key, label = GOOD, "good", f"self-enforcing at delta = {delta:g}"
        else:
            colour, key, label = BAD, "bad", f"needs more patience than delta = {delta:g}"
        ax.barh(y[k], max(d, 0.004), color=colour)
        seen[key] = Patch(facecolor=colour, label=label)
        ax.text(min(d + 0.01, 0.88), y[k], f"{d:.3g}", va="center", fontsize=st.text,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.8})
    ax.set_yticks(y, [r[0] for r in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel("critical discount factor (self-enforcing from here up to 1)", fontsize=st.label)
    handles = [seen[k] for k in ("good", "bad", "bar", "never") if k in seen]
    if delta is not None:
        ax.axvline(delta, color=MARK, ls="--", lw=1.2)
        handles.append(Line2D([], [], color=MARK, ls="--", lw=1.2, label=f"the scenario's delta = {delta:g}"))
    subtitle = "How patient must the players be for each strategy profile to be self-enforcing?"
    if notes:
        subtitle += "\n(" + "; ".join(notes) + ")"
    set_titles(fig, title, subtitle)  # over the figure: the long row labels make the axes narrow
    add_legend(fig, handles)
    return fig


# ----------------------------------------------------------------------------- evolution
STABILITY_STYLE = {  # marker face colour, edge colour, words
    "stable": ("#000000", "#000000", "stable rest point"),
    "unstable": ("#ffffff", "#000000", "unstable rest point"),
    "saddle": ("#999999", "#000000", "saddle (stable in some directions only)"),
    "centre": ("#56b4e9", "#000000", "centre (orbits around it)"),
}


def _ternary(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Barycentric (a, b, c) -> plane: a at the bottom left, b at the bottom right, c at the top."""
    x = np.atleast_2d(x)
    return x[:, 1] + 0.5 * x[:, 2], (np.sqrt(3) / 2) * x[:, 2]


def _rest_point_handles(points: Sequence[Any]) -> list[Any]:
    kinds = list(dict.fromkeys(p.stability for p in points))
    handles = []
    for kind in kinds:
        face, edge, words = STABILITY_STYLE.get(kind, ("#cccccc", "#000000", f"{kind} rest point"))
        handles.append(Line2D([], [], marker="o", ls="", ms=9, markerfacecolor=face, markeredgecolor=edge,
                              label=words))
    return handles


def draw_simplex(evo: Any, loaded: LoadedInput, options: PlotOptions) -> Figure:
    """Phase portrait of one population: the simplex of 3 strategies (a line for 2) with the flow, rest points
    and the scenario's trajectories (``evo``: a :class:`~coop.sections.dynamics.DynamicsResult`)."""
    from coop.solvers.evolution.dynamics import simplex_grid, vector_field

    model = evo.model
    groups = loaded.game.num_players > 2
    size = len(model.actions[0])
    if evo.spec.populations != "one" or size not in (2, 3) or (groups and size != 2):
        raise InputError("the simplex plot is for one population with 2 or 3 strategies (2 in groups of 3 or "
                         "more); use --kind trajectories", source=loaded.source)
    game, acts = loaded.game, model.actions[0]
    if groups:
        from coop.games.population import PopulationGame
        from coop.solvers.evolution.group_replicator import group_replicator_field

        pop = PopulationGame.from_normal_form(game)

        def field(x: np.ndarray) -> np.ndarray:
            return group_replicator_field(pop, x)
    else:
        def field(x: np.ndarray) -> np.ndarray:
            return vector_field(game, x, "replicator", populations="one")
    fig, axes, st = _start(options, (7.0, 6.0) if size == 3 else (7.5, 5.0))
    ax = axes[0, 0]
    rest = evo.rest_points
    points = list(rest.points) if rest is not None else []
    handles: list[Any] = []
    if size == 3:
        corners = np.eye(3)
        cx, cy = _ternary(corners)
        ax.fill(cx, cy, facecolor="#f7f7f7", edgecolor="#000000", lw=1)
        for k, name in enumerate(acts):
            ax.annotate(f"all {name}", (cx[k], cy[k]), textcoords="offset points", ha="center",
                        xytext=((-14, -18), (14, -18), (0, 8))[k], fontsize=st.label)
        grid = simplex_grid([3], 14)
        v = np.array([field(g) for g in grid])
        gx, gy = _ternary(grid)
        dx, dy = _ternary(grid + v)
        u, w = dx - gx, dy - gy
        speed = np.hypot(u, w)
        scale = np.where(speed > 0, 1.0 / np.maximum(speed, 1e-300), 0.0)
        arrows = ax.quiver(gx, gy, u * scale, w * scale, speed, cmap="viridis", angles="xy", scale=30,
                           width=0.004, alpha=0.9)
        bar = fig.colorbar(arrows, ax=ax, shrink=0.7)
        bar.set_label("speed of the flow (arrows show its direction)", fontsize=st.text)
        for t in evo.trajectories:
            tx, ty = _ternary(t.states)
            ax.plot(tx, ty, color=BAD, lw=1.8)
            ax.plot(tx[:1], ty[:1], "o", color=BAD, ms=5)
        if evo.trajectories:
            handles.append(Line2D([], [], color=BAD, lw=1.8, marker="o", ms=5,
                                  label="the scenario's runs (from the dot)"))
        for pnt in points:
            face, edge, _ = STABILITY_STYLE.get(pnt.stability, ("#cccccc", "#000000", ""))
            px, py = _ternary(pnt.state)
            ax.plot(px, py, "o", ms=10, markerfacecolor=face, markeredgecolor=edge, zorder=5)
        ax.set_aspect("equal")
        ax.axis("off")
        subtitle = "Where the replicator dynamic takes a population: shares of the three strategies"
    else:
        xs = np.linspace(0.0, 1.0, 201)
        flow = np.array([field(np.array([x, 1.0 - x]))[0] for x in xs])
        ax.axhline(0.0, color="#000000", lw=0.8)
        ax.plot(xs, flow, color=RATIONAL, lw=2)
        handles.append(Line2D([], [], color=RATIONAL, lw=2,
                              label=f"how fast the share of {acts[0]} changes (> 0: it grows)"))
        for pnt in points:
            face, edge, _ = STABILITY_STYLE.get(pnt.stability, ("#cccccc", "#000000", ""))
            ax.plot(pnt.state[0], 0.0, "o", ms=11, markerfacecolor=face, markeredgecolor=edge, zorder=5)
        ax.set_xlabel(f"share of {acts[0]} (the rest play {acts[1]})", fontsize=st.label)
        ax.set_ylabel("rate of change of that share", fontsize=st.label)
        ax.grid(True, lw=0.3)
        subtitle = f"Where the replicator dynamic takes the share of {acts[0]}"
    handles += _rest_point_handles(points)
    set_titles(fig, game.title or loaded.source, subtitle)
    add_legend(fig, handles)
    return fig


def draw_trajectories(evo: Any, loaded: LoadedInput, options: PlotOptions) -> Figure:
    """Shares of each action over time, for every run of the evolution section (one panel per run and
    population, side by side: the figure is landscape)."""
    runs = evo.trajectories
    model = evo.model
    n_pop, n_runs = len(model.names), len(runs)
    nrows, ncols = (1, n_pop) if n_runs == 1 else (n_pop, n_runs)
    width = max(7.5, 3.6 * ncols)
    height = 1.9 + 2.6 * nrows
    width = max(width, 1.4 * height)  # landscape
    fig, axes, st = _start(options, (width, height), nrows, ncols, sharey=True)
    colours: dict[str, str] = {}
    for c, t in enumerate(runs):
        blocks = model.split(t.states)
        for r, (name, acts, block) in enumerate(zip(model.names, model.actions, blocks, strict=True)):
            ax = axes[0, r] if n_runs == 1 else axes[r, c]
            for a, label in enumerate(acts):
                colour = colours.setdefault(label, ACTION_COLOURS[len(colours) % len(ACTION_COLOURS)])
                ax.plot(t.times, block[:, a], lw=1.8, color=colour, marker=None if t.complete else "o")
            ax.set_ylim(-0.02, 1.02)
            ax.grid(True, lw=0.3)
            eta = f" (eta {t.parameters['eta']:g})" if t.dynamic == "logit" else ""
            where = f"{name}, " if n_pop > 1 else ""
            ax.set_title(f"{where}run {c + 1}: {t.dynamic} dynamic{eta}", fontsize=st.label)
            ax.set_xlabel("time", fontsize=st.label)
            if ax is axes[0, 0] or (n_runs > 1 and c == 0):
                ax.set_ylabel("share of the population", fontsize=st.label)
            if not t.complete:  # a run of one point is no line: mark it, and say where it stopped
                ax.text(0.5, 0.5, f"stopped early at t = {float(t.times[-1]):.3g}\n(see the title)",
                        transform=ax.transAxes, ha="center", va="center", fontsize=st.text, color="#b00000")
    handles = [Line2D([], [], color=c, lw=1.8, label=label) for label, c in colours.items()]
    set_titles(fig, loaded.game.title or loaded.source, "How the shares of the actions change over time")
    add_legend(fig, handles, where="right")
    return fig


def draw_stationary(evo: Any, loaded: LoadedInput, options: PlotOptions) -> Figure:
    """Where a finite population spends its time: the small-mutation limit (and the mean shares with mutation);
    ``evo`` is a :class:`~coop.sections.finite_population.FinitePopulationResult`."""
    sml = evo.small_mutation
    names = list(sml.fixation.strategies)
    fig, axes, st = _start(options, (7.0, 5.0))
    ax = axes[0, 0]
    x = np.arange(len(names))
    both = evo.stationary is not None
    width = 0.38 if both else 0.6
    bars = [ax.bar(x - (width / 2 if both else 0.0), sml.stationary, width, color=RATIONAL,
                   label="small mutation: share of time with everyone playing it")]
    if both:
        bars.append(ax.bar(x + width / 2, evo.stationary.mean_frequencies, width, color=EQUILIBRIUM,
                           label=f"mutation rate {evo.spec.mutation:g}: mean share of the population"))
    for container in bars:
        ax.bar_label(container, fmt="%.2f", fontsize=st.text, padding=2)
    ax.set_xticks(x, names)
    ax.set_ylim(0.0, 1.1)
    ax.set_ylabel("share", fontsize=st.label)
    ax.set_xlabel("strategy", fontsize=st.label)
    f = evo.spec
    set_titles(fig, loaded.title or loaded.source,
               f"Where a finite population spends its time (population {f.size}, selection strength "
               f"{f.selection:g}, {f.rule} update rule)")
    ax.grid(True, axis="y", lw=0.3)
    add_legend(fig, bars)
    return fig


def draw_gradient(evo: Any, loaded: LoadedInput, options: PlotOptions) -> Figure:
    """The gradient of selection T+(k) - T-(k) of a 2-strategy finite population, with its roots."""
    from coop.sections.finite_population import gradient_roots

    bd = evo.gradient
    z = bd.population_size
    share = np.arange(z + 1) / z
    fig, axes, st = _start(options, (7.5, 5.0))
    ax = axes[0, 0]
    ax.axhline(0.0, color="#000000", lw=0.8)
    ax.plot(share, bd.gradient, color=RATIONAL, lw=2)
    handles: list[Any] = [Line2D([], [], color=RATIONAL, lw=2,
                                 label=f"gradient of selection (> 0: {bd.invader} tends to spread)")]
    roots = gradient_roots(bd)
    for r in roots:
        face = "#000000" if r["stable"] else "#ffffff"
        ax.plot(r["share"], 0.0, "o", ms=11, markerfacecolor=face, markeredgecolor="#000000", zorder=5)
    for stable, words in ((True, "stable mix (the population settles here)"),
                          (False, "unstable mix (a tipping point)")):
        if any(r["stable"] == stable for r in roots):
            handles.append(Line2D([], [], marker="o", ls="", ms=11, markeredgecolor="#000000",
                                  markerfacecolor="#000000" if stable else "#ffffff", label=words))
    ax.set_xlabel(f"share of {bd.invader} in the population (k / Z)", fontsize=st.label)
    ax.set_ylabel("T+ - T- (chance of one more minus one fewer)", fontsize=st.label)
    f = evo.spec
    set_titles(fig, loaded.title or loaded.source,
               f"Which way selection pushes the share of {bd.invader} (population {z}, selection strength "
               f"{f.selection:g})")
    ax.grid(True, lw=0.3)
    add_legend(fig, handles)
    return fig


def draw_qre(res: Any, loaded: LoadedInput, options: PlotOptions) -> Figure:
    """Each action's probability along the principal logit QRE branch against lambda (log scale), one panel per
    player; ``res`` is a :class:`~coop.solvers.nash.quantal_response.QuantalResponseResult`."""
    game = res.game
    n_players = game.num_players
    width = max(7.5, 3.4 * n_players)
    fig, axes, st = _start(options, (width, 4.8), 1, n_players, sharey=True)
    lam = np.asarray(res.branch_lambda)
    keep = lam > 0.0
    offsets = np.cumsum((0, *game.num_actions))
    handles: list[Any] = []
    asked = [q for q in res.at_lambda if q is not None and q.lam > 0.0]
    for i, player in enumerate(game.players):
        ax = axes[0, i]
        for k, action in enumerate(game.actions[i]):
            colour = ACTION_COLOURS[k % len(ACTION_COLOURS)]
            (line,) = ax.plot(lam[keep], res.branch_profiles[keep, offsets[i] + k], color=colour, lw=2.0,
                              label=f"{player}: {action}")
            handles.append(line)
            for q in asked:
                ax.plot(q.lam, q.strategies[i][k], "o", ms=7, color=MARK, zorder=5)
        if res.fit is not None and res.fit.lam > 0.0:
            ax.axvline(res.fit.lam, color=BAD, lw=2.0, ls="--")
        if keep.any():
            ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(True, lw=0.3)
        ax.set_title(player, fontsize=st.label)
        ax.set_xlabel("lambda (precision; log scale)", fontsize=st.label)
    axes[0, 0].set_ylabel("probability of the action", fontsize=st.label)
    if asked:
        handles.append(Line2D([], [], marker="o", ls="", ms=7, color=MARK, label="the QRE at the lambdas asked for"))
    if res.fit is not None and res.fit.lam > 0.0:
        handles.append(Line2D([], [], color=BAD, lw=2.0, ls="--",
                              label=f"fitted lambda = {res.fit.lam:.4g} (maximum likelihood)"))
    end = "a Nash equilibrium" if res.end is not None else "no verified equilibrium (the trace stopped)"
    set_titles(fig, game.title or loaded.source,
               "How play changes as players make fewer mistakes: each action's probability in the logit quantal "
               f"response equilibrium, from random play (small lambda) to {end} (large lambda)")
    add_legend(fig, handles)
    return fig


# ----------------------------------------------------------------------------- the public functions
def _options(delta: float | None, style: str, size: tuple[float, float] | None, dpi: float | None) -> PlotOptions:
    return PlotOptions(delta=delta, style=style, size=size, dpi=dpi)


def plot_payoff_sets(source: Any, result: Any = None, *, delta: float | None = None, style: str = "paper",
                     size: tuple[float, float] | None = None, dpi: float | None = None) -> Figure:
    """Feasible, individually rational and equilibrium payoff sets of a 2-player game (subgame-perfect, or
    perfect public equilibrium payoffs when the players read a public signal).

    Parameters
    ----------
    source : str, Path, Scenario, NormalFormGame or SolveReport
        A bundled scenario's name, a scenario or ``.nfg`` file, a scenario, a game, or a report of
        :func:`coop.analyse` (whose results are drawn).
    result : PayoffSetsResult, optional
        The section's result (``report.sections["payoff_sets"]``), instead of computing it.
    delta : float, optional
        The discount factor to draw the equilibrium set at (default: the scenario's).
    style : {"paper", "slide"}
    size : (float, float), optional
        Width and height in inches.
    dpi : float, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_payoff_sets("ai-arms-race", delta=0.5, dpi=50)
    >>> "subgame-perfect payoffs at delta = 0.5 (inside the hatched set)" in legend_texts(fig)
    True
    """
    from coop.sections.report import render_figure

    return render_figure("payoff-sets", source, _options(delta, style, size, dpi), result)


def plot_critical_delta(source: Any, result: Any = None, *, delta: float | None = None, style: str = "paper",
                        size: tuple[float, float] | None = None, dpi: float | None = None) -> Figure:
    """The critical discount factor of each strategy profile (and institution design) against delta.

    ``source`` and the style arguments are as in :func:`plot_payoff_sets`; ``result`` is the
    ``repeated`` section's result; ``delta`` replaces the scenario's discount factor.
    """
    from coop.sections.report import render_figure

    return render_figure("critical-delta", source, _options(delta, style, size, dpi), result)


def plot_simplex(source: Any, result: Any = None, *, style: str = "paper", size: tuple[float, float] | None = None,
                 dpi: float | None = None) -> Figure:
    """The replicator flow of one population of 2 or 3 strategies, its rest points and the scenario's runs.

    ``source`` and the style arguments are as in :func:`plot_payoff_sets`; ``result`` is the
    ``dynamics`` section's result.
    """
    from coop.sections.report import render_figure

    return render_figure("simplex", source, _options(None, style, size, dpi), result)


def plot_trajectories(source: Any, result: Any = None, *, style: str = "paper",
                      size: tuple[float, float] | None = None, dpi: float | None = None) -> Figure:
    """The shares of every action over time, one panel per run (and population).

    ``source`` and the style arguments are as in :func:`plot_payoff_sets`; ``result`` is the
    ``dynamics`` section's result.

    Examples
    --------
    >>> fig = plot_trajectories("collective-risk", dpi=50)
    >>> width, height = fig.get_size_inches()
    >>> bool(width > height)
    True
    """
    from coop.sections.report import render_figure

    return render_figure("trajectories", source, _options(None, style, size, dpi), result)


def plot_stationary(source: Any, result: Any = None, *, style: str = "paper",
                    size: tuple[float, float] | None = None, dpi: float | None = None) -> Figure:
    """Where a finite population spends its time (the small-mutation limit, and the shares with mutation).

    ``source`` and the style arguments are as in :func:`plot_payoff_sets`; ``result`` is the
    ``finite_population`` section's result.
    """
    from coop.sections.report import render_figure

    return render_figure("stationary", source, _options(None, style, size, dpi), result)


def plot_gradient(source: Any, result: Any = None, *, style: str = "paper", size: tuple[float, float] | None = None,
                  dpi: float | None = None) -> Figure:
    """The gradient of selection of a finite population of 2 strategies, with its stable and unstable mixes.

    ``source`` and the style arguments are as in :func:`plot_payoff_sets`; ``result`` is the
    ``finite_population`` section's result.
    """
    from coop.sections.report import render_figure

    return render_figure("gradient", source, _options(None, style, size, dpi), result)


def plot_qre(source: Any, result: Any = None, *, style: str = "paper", size: tuple[float, float] | None = None,
             dpi: float | None = None) -> Figure:
    """Each action's probability along the principal branch of logit quantal response equilibria, against lambda.

    ``source`` and the style arguments are as in :func:`plot_payoff_sets`; ``result`` is the
    ``quantal_response`` section's result.
    """
    from coop.sections.report import render_figure

    return render_figure("qre", source, _options(None, style, size, dpi), result)


def save_figure(fig: Figure, path: str | Path, *, force: bool = False) -> Path:
    """Write ``fig`` to ``path`` as PNG, SVG or PDF by its suffix, at the figure's size and dpi; the path.

    The file is written whole or not at all (:func:`coop.output_files.replacing`): an existing file
    is replaced only with ``force``, and only once the new one is complete.

    Raises
    ------
    coop.errors.InputError
        Another suffix than ``.png``, ``.svg``, ``.pdf``; an existing file without ``force``; a
        target that cannot be written.
    """
    fmt = figure_format(path)
    with replacing(path, force=force) as tmp:
        fig.savefig(tmp, format=fmt, dpi=fig.dpi)
    return Path(path)


def draw_group_incentive(result: Any, loaded: LoadedInput, options: PlotOptions) -> Figure:
    """A two-action group game: the first action's expected payoff minus the second's when each other member plays
    the first with probability x, with the symmetric mixed equilibria (its roots) marked."""
    from coop.solvers.nash.group_games import expected_payoffs

    group = result.group
    a, b = group.actions
    xs = np.linspace(0.0, 1.0, 401)
    gain = np.array([float(np.subtract(*expected_payoffs(group.population, float(x))[0])) for x in xs])
    fig, axes, st = _start(options, (7.5, 5.0))
    ax = axes[0, 0]
    ax.axhline(0.0, color="#000000", lw=0.8)
    ax.plot(xs, gain, color=RATIONAL, lw=2)
    handles: list[Any] = [Line2D([], [], color=RATIONAL, lw=2, label=f"{a}'s payoff minus {b}'s (> 0: {a} pays more)")]
    mixed = result.equilibria.symmetric_mixed or ()
    for e in mixed:
        ax.plot(e.x, 0.0, "o", ms=11, markerfacecolor="#000000" if e.stable else "#ffffff", markeredgecolor="#000000",
                zorder=5)
    for stable, words in ((True, "stable mix (a large population settles here)"),
                          (False, "tipping point (unstable mix)")):
        if any(e.stable == stable for e in mixed):
            handles.append(Line2D([], [], marker="o", ls="", ms=11, markeredgecolor="#000000",
                                  markerfacecolor="#000000" if stable else "#ffffff", label=words))
    ax.set_xlabel(f"x, the chance that each other member plays {a}", fontsize=st.label)
    ax.set_ylabel(f"{a}'s expected payoff minus {b}'s", fontsize=st.label)
    set_titles(fig, loaded.title or loaded.source,
               f"When does {a} pay in a group of {group.size}? The symmetric equilibria are where the curve is zero")
    ax.grid(True, lw=0.3)
    add_legend(fig, handles)
    return fig
