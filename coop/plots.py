"""The figures of ``coop plot`` (matplotlib), each drawn from a section's result, saved as PNG, SVG or PDF.

The kinds are registered by the sections that own them (:mod:`coop.sections.registry`);
the drawing code lives here:

``payoff-sets``
    For a 2-player stage game: the feasible payoff set (convex hull of the
    pure payoff vectors), the individually rational part of it (above both
    mixed minmax values), and, at the repeated game's discount factor, the
    payoffs of the subgame-perfect equilibria with public randomisation
    (Judd-Yeltekin-Conklin outer approximation, its inner approximation
    dashed). The stage game's pure equilibria and the payoffs of the
    scenario's strategy profiles are marked. This is the picture of the folk
    theorem: as delta grows the equilibrium set fills the individually
    rational set.
``critical-delta``
    For a scenario with a ``repeated`` section: the critical discount factor
    of each strategy profile (and of each institution design), against the
    scenario's delta: a bar left of the line is self-enforcing.
``simplex``
    For an ``evolution`` section with one population of 3 strategies: the
    replicator flow on the triangle, the rest points (filled stable, open
    unstable, grey saddle) and the scenario's trajectories; with 2
    strategies, the rate of change along the line of shares.
``trajectories``
    The shares of every action over time for each run of the section.
``stationary``
    A finite population: the small-mutation stationary distribution as bars
    (and the mean shares with mutation).
``gradient``
    A finite population of 2 strategies: the gradient of selection
    (Santos and Pacheco 2011), whose roots are its interior rest points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.inputs import LoadedInput
from coop.output_files import figure_format, replacing
from coop.sections.base import PlotOptions

#: Fill colours (colour-blind safe, Okabe-Ito).
FEASIBLE, RATIONAL, EQUILIBRIUM, MARK = "#d9d9d9", "#56b4e9", "#e69f00", "#000000"


def _figure() -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")  # off-screen: works without a display
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 6.0), dpi=120)
    return fig, ax


def _polygon(ax: Any, vertices: np.ndarray, **style: Any) -> None:
    """Draw a convex set given by its vertices (a point, a segment or a polygon)."""
    v = np.asarray(vertices, dtype=float)
    if v.shape[0] == 0:
        return
    if v.shape[0] == 1:
        ax.plot(v[:, 0], v[:, 1], "o", color=style.get("edgecolor", style.get("facecolor")),
                label=style.get("label"), zorder=style.get("zorder", 2))
        return
    if v.shape[0] == 2:
        ax.plot(v[:, 0], v[:, 1], "-", lw=3, color=style.get("edgecolor", style.get("facecolor")),
                label=style.get("label"), zorder=style.get("zorder", 2))
        return
    from matplotlib.patches import Polygon

    ax.add_patch(Polygon(v, closed=True, **style))


def plot_payoff_sets(sets: Any, loaded: LoadedInput, options: PlotOptions) -> Any:
    """Feasible, individually rational and equilibrium payoff sets of a 2-player game (see the module doc).

    ``sets`` is a :class:`~coop.sections.payoff_sets.PayoffSetsResult` of the stage game of ``loaded``.
    """
    from coop.solvers.nash.pure_nash import pure_nash_equilibria

    game = loaded.game
    eq = sets.equilibrium
    delta = eq.delta if eq is not None else options.delta
    fig, ax = _figure()
    feasible, mm, rational = sets.feasible, sets.minmax, sets.individually_rational
    _polygon(ax, feasible.vertices, facecolor=FEASIBLE, edgecolor="#7f7f7f", lw=1, label="feasible", zorder=1)
    _polygon(ax, rational.vertices, facecolor=RATIONAL, edgecolor="#0072b2", lw=1, alpha=0.55,
             label="individually rational (mixed minmax)", zorder=2)
    for i, line in enumerate((ax.axvline, ax.axhline)):  # minmax of player 0 is vertical
        line(mm.mixed_minmax[i], color="#0072b2", ls="--", lw=0.8, zorder=2)
        if mm.pure_minmax[i] > mm.mixed_minmax[i] + 1e-12:
            line(mm.pure_minmax[i], color="#0072b2", ls=":", lw=0.8, zorder=2)
    title = loaded.game.title or loaded.source
    subtitle = "no discount factor: equilibrium set not drawn (give --delta)"
    if eq is not None:
        if eq.empty:
            subtitle = f"delta = {delta:g}: no pure-strategy subgame-perfect equilibrium"
        else:
            _polygon(ax, eq.vertices, facecolor=EQUILIBRIUM, edgecolor="#d55e00", lw=1.5, alpha=0.45,
                     label=f"subgame-perfect payoffs at delta = {delta:g}", zorder=3)
            if eq.inner_vertices.shape[0] >= 3:
                closed = np.vstack([eq.inner_vertices, eq.inner_vertices[:1]])
                ax.plot(closed[:, 0], closed[:, 1], ls="--", lw=0.8, color="#d55e00", zorder=4,
                        label="inner approximation")
            if eq.error_bound is None:
                subtitle = f"delta = {delta:g}"
            elif eq.error_bound == 0.0:
                subtitle = f"delta = {delta:g}; the set is exact"
            else:
                subtitle = f"delta = {delta:g}; equilibrium set within {eq.error_bound:.1g}"
    pure = pure_nash_equilibria(game)
    for k, e in enumerate(pure.equilibria):
        ax.plot(*e.payoffs, "s", color=MARK, ms=6, zorder=5, label=None if k else "pure stage equilibrium")
        label = "(" + ", ".join(game.actions[i][int(np.argmax(s))] for i, s in enumerate(e.strategies)) + ")"
        right = e.payoffs[0] > 0.5 * (game.payoffs[0].min() + game.payoffs[0].max())
        ax.annotate(f"stage Nash {label}", e.payoffs, textcoords="offset points", xytext=(-6 if right else 6, -12),
                    ha="right" if right else "left", fontsize=8)
    spec = loaded.scenario.repeated if loaded.scenario is not None else None
    if spec is not None and spec.game.horizon is None and delta is not None:
        from coop.solvers.repeated.payoffs import discounted_payoffs

        g = spec.game.with_delta(delta)
        at: dict[tuple[float, float], list[str]] = {}  # profiles with the same payoffs share one label
        for p in spec.profiles:
            v = discounted_payoffs(g, p.automata).payoffs
            at.setdefault((round(float(v[0]), 9), round(float(v[1]), 9)), []).append(p.name)
        mid = 0.5 * (game.payoffs[0].min() + game.payoffs[0].max())
        for k, ((x, y), names) in enumerate(at.items()):
            ax.plot(x, y, "o", color="#009e73", ms=5, zorder=6,
                    label=None if k else "the scenario's strategy profiles (their payoffs)")
            right = x > mid  # label towards the middle, so it stays inside the axes
            ax.annotate("\n".join(names), (x, y), textcoords="offset points", xytext=(-6 if right else 6, 6),
                        ha="right" if right else "left", va="bottom", fontsize=8, color="#006d4f")
    ax.set_xlabel(f"payoff of {game.players[0]}")
    ax.set_ylabel(f"payoff of {game.players[1]}")
    ax.set_title(f"{title}\n{subtitle}", fontsize=10)
    pad = 0.06 * game.payoff_scale
    ax.set_xlim(game.payoffs[0].min() - pad, game.payoffs[0].max() + pad)
    ax.set_ylim(game.payoffs[1].min() - pad, game.payoffs[1].max() + 2 * pad)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    ax.grid(True, lw=0.3)
    fig.tight_layout()
    return fig


def plot_critical_delta(rows: list[tuple[str, float | None]], delta: float | None, title: str) -> Any:
    """Critical discount factor of every row (a strategy profile, or an institution with one) against delta."""
    fig, ax = _figure()
    fig.set_size_inches(8.0, 1.2 + 0.35 * len(rows))
    y = np.arange(len(rows))[::-1]
    for k, (_, d) in enumerate(rows):
        if d is None:
            ax.barh(y[k], 1.0, color="#f0f0f0", edgecolor="#999999", hatch="//")
            ax.text(0.99, y[k], "never", va="center", ha="right", fontsize=8)
        else:
            ok = delta is not None and d <= delta
            ax.barh(y[k], max(d, 0.004), color="#009e73" if ok else "#d55e00")
            ax.text(min(d + 0.01, 0.9), y[k], f"{d:.3g}", va="center", fontsize=8)
    ax.set_yticks(y, [r[0] for r in rows], fontsize=8)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel("critical discount factor (self-enforcing from here up to 1)")
    if delta is not None:
        ax.axvline(delta, color=MARK, ls="--", lw=1)
        ax.text(delta, y.max() + 0.6, f" delta = {delta:g}", fontsize=8, va="bottom")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- evolution
STABILITY_STYLE = {  # marker face colour, edge colour
    "stable": ("#000000", "#000000"),
    "unstable": ("#ffffff", "#000000"),
    "saddle": ("#999999", "#000000"),
    "centre": ("#56b4e9", "#000000"),
}


def _ternary(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Barycentric (a, b, c) -> plane: a at the bottom left, b at the bottom right, c at the top."""
    x = np.atleast_2d(x)
    return x[:, 1] + 0.5 * x[:, 2], (np.sqrt(3) / 2) * x[:, 2]


def plot_simplex(evo: Any, loaded: LoadedInput) -> Any:
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
    fig, ax = _figure()
    rest = evo.rest_points
    if size == 3:
        corners = np.eye(3)
        cx, cy = _ternary(corners)
        ax.fill(cx, cy, facecolor="#f7f7f7", edgecolor="#000000", lw=1)
        for k, name in enumerate(acts):
            ax.annotate(name, (cx[k], cy[k]), textcoords="offset points", ha="center",
                        xytext=((-12, -14), (12, -14), (0, 8))[k], fontsize=10)
        grid = simplex_grid([3], 14)
        v = np.array([field(g) for g in grid])
        gx, gy = _ternary(grid)
        dx, dy = _ternary(grid + v)
        u, w = dx - gx, dy - gy
        speed = np.hypot(u, w)
        scale = np.where(speed > 0, 1.0 / np.maximum(speed, 1e-300), 0.0)
        ax.quiver(gx, gy, u * scale, w * scale, speed, cmap="viridis", angles="xy", scale=30, width=0.004,
                  alpha=0.8)
        for t in evo.trajectories:
            tx, ty = _ternary(t.states)
            ax.plot(tx, ty, color="#d55e00", lw=1.5)
            ax.plot(tx[:1], ty[:1], "o", color="#d55e00", ms=4)
        if rest is not None:
            for pnt in rest.points:
                face, edge = STABILITY_STYLE.get(pnt.stability, ("#cccccc", "#000000"))
                px, py = _ternary(pnt.state)
                ax.plot(px, py, "o", ms=9, markerfacecolor=face, markeredgecolor=edge, zorder=5)
        ax.set_aspect("equal")
        ax.axis("off")
    else:
        xs = np.linspace(0.0, 1.0, 201)
        flow = np.array([field(np.array([x, 1.0 - x]))[0] for x in xs])
        ax.axhline(0.0, color="#000000", lw=0.8)
        ax.plot(xs, flow, color="#0072b2", lw=2, label=f"replicator: d({acts[0]} share)/dt")
        if rest is not None:
            for pnt in rest.points:
                face, edge = STABILITY_STYLE.get(pnt.stability, ("#cccccc", "#000000"))
                ax.plot(pnt.state[0], 0.0, "o", ms=10, markerfacecolor=face, markeredgecolor=edge, zorder=5)
        ax.set_xlabel(f"share of {acts[0]} (the rest play {acts[1]})")
        ax.set_ylabel("rate of change")
        ax.legend(loc="best", fontsize=8)
        ax.grid(True, lw=0.3)
    ax.set_title(f"{game.title or loaded.source}\nreplicator dynamic: filled = stable rest point, open = unstable, "
                 "grey = saddle", fontsize=9)
    fig.tight_layout()
    return fig


def plot_trajectories(evo: Any, loaded: LoadedInput) -> Any:
    """Shares of each action over time, for every run of the evolution section (one panel per population)."""
    import matplotlib.pyplot as plt

    runs = evo.trajectories
    model = evo.model
    n_pop = len(model.names)
    fig, axes = plt.subplots(n_pop, len(runs), figsize=(4.5 * len(runs), 2.6 * n_pop + 0.8), dpi=120,
                             squeeze=False)
    for c, t in enumerate(runs):
        for r, (name, acts, block) in enumerate(zip(model.names, model.actions, model.split(t.states), strict=True)):
            ax = axes[r][c]
            for a, label in enumerate(acts):
                ax.plot(t.times, block[:, a], lw=1.5, label=label)
            ax.set_ylim(-0.02, 1.02)
            ax.grid(True, lw=0.3)
            if r == 0:
                eta = f", eta {t.parameters['eta']:g}" if t.dynamic == "logit" else ""
                ax.set_title(f"{t.dynamic}{eta}", fontsize=9)
            if c == 0:
                ax.set_ylabel(f"{name}: share" if n_pop > 1 else "share")
            if r == n_pop - 1:
                ax.set_xlabel("time")
            ax.legend(loc="best", fontsize=7)
    fig.suptitle(loaded.game.title or loaded.source, fontsize=10)
    fig.tight_layout()
    return fig


def plot_stationary(evo: Any, loaded: LoadedInput) -> Any:
    """Where a finite population spends its time: the small-mutation limit (and the mean shares with mutation);
    ``evo`` is a :class:`~coop.sections.finite_population.FinitePopulationResult`."""
    sml = evo.small_mutation
    names = list(sml.fixation.strategies)
    fig, ax = _figure()
    x = np.arange(len(names))
    width = 0.38 if evo.stationary is not None else 0.6
    ax.bar(x - (width / 2 if evo.stationary is not None else 0.0), sml.stationary, width, color="#0072b2",
           label="small-mutation limit: time in each monomorphic state")
    if evo.stationary is not None:
        f = evo.spec
        ax.bar(x + width / 2, evo.stationary.mean_frequencies, width, color="#e69f00",
               label=f"mutation {f.mutation:g}: mean share over the stationary distribution")
    ax.set_xticks(x, names)
    ax.set_ylim(0.0, 1.05)
    ax.set_ylabel("share")
    f = evo.spec
    ax.set_title(f"{loaded.game.title or loaded.source}\nZ = {f.size}, selection {f.selection:g}, {f.rule} rule",
                 fontsize=9)
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(True, axis="y", lw=0.3)
    fig.tight_layout()
    return fig


def plot_gradient(evo: Any, loaded: LoadedInput) -> Any:
    """The gradient of selection T+(k) - T-(k) of a 2-strategy finite population, with its roots."""
    from coop.sections.finite_population import gradient_roots

    bd = evo.gradient
    z = bd.population_size
    share = np.arange(z + 1) / z
    fig, ax = _figure()
    ax.axhline(0.0, color="#000000", lw=0.8)
    ax.plot(share, bd.gradient, color="#0072b2", lw=2)
    for r in gradient_roots(bd):
        face = "#000000" if r["stable"] else "#ffffff"
        ax.plot(r["share"], 0.0, "o", ms=10, markerfacecolor=face, markeredgecolor="#000000", zorder=5)
    ax.set_xlabel(f"share of {bd.invader} in the population (k / Z)")
    ax.set_ylabel(f"gradient of selection T+ - T- (> 0: {bd.invader} tends to spread)")
    f = evo.spec
    ax.set_title(f"{loaded.game.title or loaded.source}\nZ = {z}, selection {f.selection:g}; filled root = stable, "
                 "open = unstable", fontsize=9)
    ax.grid(True, lw=0.3)
    fig.tight_layout()
    return fig


def save_figure(fig: Any, path: str | Path, *, force: bool = False) -> Path:
    """Write ``fig`` to ``path`` as PNG, SVG or PDF by its suffix, and close it; the path.

    The file is written whole or not at all (:func:`coop.output_files.replacing`): an existing file
    is replaced only with ``force``, and only once the new one is complete.

    Raises
    ------
    coop.errors.InputError
        Another suffix than ``.png``, ``.svg``, ``.pdf``; an existing file without ``force``; a
        target that cannot be written.
    """
    import matplotlib.pyplot as plt

    try:
        fmt = figure_format(path)
        with replacing(path, force=force) as tmp:
            fig.savefig(tmp, format=fmt)
    finally:
        plt.close(fig)
    return Path(path)
