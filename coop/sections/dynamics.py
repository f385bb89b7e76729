"""Deterministic evolutionary dynamics of the scenario's ``evolution`` section: trajectories, rest points and
their stability, basins of attraction.

JSON: ``evolution`` (``populations``, ``trajectories``, ``rest_points``, ``basins``, ``notes``; the
finite-population part is added by :mod:`coop.sections.finite_population`). Figures: ``simplex``,
``trajectories``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from coop.errors import InputError
from coop.report_text import WIDTH, format_number, format_strategy, plural, table_lines
from coop.sections.base import Analysis, Metric, PlotOptions, SectionResult, SolveOptions

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coop.inputs import LoadedInput


@dataclass(frozen=True)
class OnePopulationView:
    """How to print states of one population when they are computed as N identical ones: the first block."""

    names: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]

    def split(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        return (np.asarray(x)[..., : len(self.actions[0])],)


def population_state(model: Any, x: np.ndarray) -> str:
    """A population state for reading: ``C 0.723, D 0.277`` (one block per population)."""
    blocks = model.split(np.asarray(x, dtype=float))
    parts = [format_strategy(acts, np.clip(b, 0.0, None)) for acts, b in zip(model.actions, blocks, strict=True)]
    if len(parts) == 1:
        return parts[0]
    return "; ".join(f"{name}: {part}" for name, part in zip(model.names, parts, strict=True))


#: Each dynamic in a few plain words.
DYNAMIC_PLAIN = {
    "replicator": "strategies doing better than the population's average grow, the others shrink",
    "best_response": "a share of the population switches to a best reply at each moment",
    "logit": "players switch to better replies, with noise eta (small eta: nearly best replies)",
    "bnn": "Brown-von Neumann-Nash: strategies doing better than the average gain players in proportion",
    "smith": "players compare their strategy with another and switch in proportion to the payoff gap",
}
#: Each stability label of a rest point in plain words.
STABILITY_PLAIN = {
    "stable": "states nearby move into it",
    "unstable": "states nearby move away",
    "saddle": "states nearby move in along some directions and away along others",
    "centre": "states nearby circle around it",
    "non-hyperbolic": "the linear test cannot tell (an eigenvalue has zero real part)",
    "not-differentiable": "the dynamic has a kink there, so no eigenvalues",
}


def stability_legend(labels: list[str]) -> str:
    """The stability labels used, each in plain words, and what the eigenvalues are."""
    used = [s for s in STABILITY_PLAIN if s in labels]
    words = "; ".join(f"{s}: {STABILITY_PLAIN[s]}" for s in used)
    return (f"{words}. Eigenvalues: how fast a small push away from the rest point grows (positive) or dies out "
            "(negative), along the directions in which the shares can change.")


def _eigen(values: np.ndarray) -> str:
    out = []
    for v in values:
        re, im = float(np.real(v)), float(np.imag(v))
        out.append(format_number(round(re, 4)) + (f" {'+' if im > 0 else '-'} {format_number(round(abs(im), 4))}i"
                                                  if abs(im) > 1e-9 else ""))
    return ", ".join(out) or "-"


@dataclass(frozen=True, eq=False)
class DynamicsResult:
    """Trajectories, rest points (``None`` unless asked for) and basins (``None`` unless asked for)."""

    spec: Any  # coop.scenarios.evolution_section.EvolutionSpec
    model: Any  # how to split and name a state: the trajectories' model or a OnePopulationView
    trajectories: tuple[Any, ...]
    rest_points: Any = None
    basins: Any = None
    notes: tuple[str, ...] = field(default=())

    @property
    def groups(self) -> bool:
        return isinstance(self.model, OnePopulationView)

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C stopped the basins of attraction (the starts integrated by then are kept)."""
        return self.basins is not None and bool(self.basins.interrupted)

    def _trajectory_dict(self, t: Any) -> dict[str, Any]:
        doc: dict[str, Any] = t.to_dict()
        if self.groups:
            first = t.model.names[0]
            doc["populations"] = ["population"]
            doc["actions"] = {"population": list(self.model.actions[0])}
            doc["states"] = {"population": doc["states"][first]}
        return doc

    def to_dict(self) -> dict[str, Any]:
        return {
            "populations": self.spec.populations,
            "trajectories": [self._trajectory_dict(t) for t in self.trajectories],
            "rest_points": self.rest_points.to_dict() if self.rest_points is not None else None,
            "basins": self.basins.to_dict() if self.basins is not None else None,
            "finite_population": None,
            "notes": list(self.notes),
        }

    def text(self) -> list[str]:
        model = self.model
        n = self.trajectories[0].model.names if self.trajectories else model.names
        who = ("one population per player" if self.spec.populations == "per_player"
               else "one population playing the game against itself" if len(n) <= 1 or len(model.names) > 1
               else f"one population, in groups of {len(n)}")
        lines = [f"Evolutionary dynamics ({who})"]
        used = list(dict.fromkeys(t.dynamic for t in self.trajectories))
        if used:
            lines += textwrap.wrap("; ".join(f"{d}: {DYNAMIC_PLAIN[d]}" for d in used if d in DYNAMIC_PLAIN),
                                   WIDTH, initial_indent="  (", subsequent_indent="   ")
            lines[-1] += ")"
        for t in self.trajectories:
            eta = f" (eta {format_number(t.parameters['eta'])})" if t.dynamic == "logit" else ""
            if t.complete:
                said = (f"at t = {format_number(float(t.times[-1]))} the shares are "
                        f"{population_state(model, t.states[-1])}")
            else:  # never pass the last state computed off as where the dynamic goes
                said = (f"INCOMPLETE: {t.reason}: {population_state(model, t.states[-1])}. This is not where the "
                        "dynamic ends; give a shorter time")
            lines += textwrap.wrap(f"{t.dynamic}{eta} from {population_state(model, t.states[0])}: {said}",
                                   WIDTH, initial_indent="  ", subsequent_indent="    ")
        if self.rest_points is not None:
            rp = self.rest_points
            lines.append("")
            lines.append(f"  Rest points of the {rp.dynamic} dynamic and their stability:")
            rows = [[population_state(model, p.state), p.stability, _eigen(p.eigenvalues)] for p in rp.points]
            header = ["state", "stability", "eigenvalues"]
            lines += ["    " + line for line in table_lines(rows, header)]
            lines += textwrap.wrap(stability_legend([p.stability for p in rp.points]), WIDTH, initial_indent="    ",
                                   subsequent_indent="    ")
        if self.basins is not None:
            b = self.basins
            shares = "; ".join(f"{population_state(model, a.state)}: {100 * float(f):.0f}%"
                               for a, f in zip(b.attractors, b.fractions, strict=True))
            if b.unconverged > 0:
                shares += f"; no convergence: {100 * b.unconverged:.0f}%"
            lines += textwrap.wrap(f"Basins of attraction (where the {b.dynamic} dynamic ends from "
                                   f"{plural(len(b.starts), 'start')} on a grid): {shares}",
                                   WIDTH, initial_indent="  ", subsequent_indent="    ")
            if not b.complete:
                lines += textwrap.wrap(f"INCOMPLETE: {b.reason}.", WIDTH, initial_indent="    ",
                                       subsequent_indent="    ")
        for note in self.notes:
            lines += textwrap.wrap(f"Note: {note}", WIDTH, initial_indent="  ", subsequent_indent="    ")
        lines.append("")
        lines += textwrap.wrap("Rest points are where the dynamic stops; a stable one attracts the states near it.",
                               WIDTH)
        return lines

    @property
    def complete(self) -> bool:
        """Whether every integration reached its time (trajectories and basins)."""
        return all(t.complete for t in self.trajectories) and (self.basins is None or self.basins.complete)

    def reasons(self) -> list[str]:
        """Why each incomplete part stopped early."""
        out = [f"run {k + 1} ({t.dynamic}): {t.reason}" for k, t in enumerate(self.trajectories) if not t.complete]
        if self.basins is not None and not self.basins.complete:
            out.append(f"basins: {self.basins.reason}")
        return out

    def brief(self) -> list[str]:
        """One sentence: where each run ends, and the stable rest points."""
        model = self.model
        runs = [f"{t.dynamic} from {population_state(model, t.states[0])} ends at "
                f"{population_state(model, t.states[-1])}" if t.complete
                else f"{t.dynamic} from {population_state(model, t.states[0])} stopped early"
                for t in self.trajectories]
        text = "Evolutionary dynamics: " + "; ".join(runs) if runs else "Evolutionary dynamics"
        if self.rest_points is not None:
            stable = [population_state(model, p.state) for p in self.rest_points.points if p.stability == "stable"]
            text += (f"; {plural(len(stable), 'stable rest point')}" + (f" ({'; '.join(stable)})" if stable else ""))
        return textwrap.wrap(text + ".", WIDTH)

    def metrics(self) -> dict[str, Metric]:
        out: dict[str, Metric] = {}
        model = self.model
        for k, t in enumerate(self.trajectories):
            blocks = model.split(np.asarray(t.states[-1], dtype=float))
            for name, acts, block in zip(model.names, model.actions, blocks, strict=True):
                prefix = f"run{k + 1}.end" + (f".{name}" if len(model.names) > 1 else "")
                for a, share in zip(acts, block, strict=True):
                    # a run that stopped early has no end state: missing, not its last state computed
                    out[f"{prefix}.{a}"] = float(share) if t.complete else None
        if self.rest_points is not None:
            stable = [p for p in self.rest_points.points if p.stability == "stable"]
            out["stable_rest_points"] = len(stable)
            out["stable_supports"] = " | ".join(_support(model, p.state) for p in stable) or "none"
        if self.basins is not None:
            for a, f in zip(self.basins.attractors, self.basins.fractions, strict=True):
                out[f"basin.{_support(model, a.state)}"] = float(f)
        return out


def _support(model: Any, x: np.ndarray) -> str:
    """Which strategies a state uses, without their shares (a label that changes only when the support does):
    ``D`` or ``C+D``, one block per population."""
    blocks = model.split(np.asarray(x, dtype=float))
    parts = ["+".join(a for a, v in zip(acts, b, strict=True) if v > 1e-9)
             for acts, b in zip(model.actions, blocks, strict=True)]
    return "; ".join(parts)


class DynamicsAnalysis(Analysis):
    """Trajectories of the deterministic dynamics, rest points with their stability, basins of attraction."""

    name: ClassVar[str] = "dynamics"
    title: ClassVar[str] = "evolutionary dynamics"
    json_path: ClassVar[tuple[str, ...]] = ("evolution",)
    figures: ClassVar[Mapping[str, str]] = {
        "simplex": "phase portrait of one population (2 or 3 strategies).",
        "trajectories": "shares over time.",
    }

    def applies(self, loaded: LoadedInput) -> bool:
        return loaded.scenario is not None and loaded.scenario.evolution is not None and loaded.stage is not None

    def missing(self, loaded: LoadedInput) -> str:
        return "a scenario with an 'evolution' section"

    def figure_refusal(self, kind: str, loaded: LoadedInput) -> str | None:
        """The simplex is drawn for one population of 2 or 3 strategies (2 when it plays in groups of 3 or more)."""
        if not self.applies(loaded):
            return f"the {kind} plot needs {self.missing(loaded)}"
        if kind == "simplex":
            size = len(loaded.game.actions[0])
            if loaded.scenario.evolution.populations != "one" or size not in (2, 3) or (
                    loaded.game.num_players > 2 and size != 2):
                return "the simplex plot is for one population with 2 or 3 strategies (2 in groups of 3 or more)"
        return None

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> DynamicsResult:
        from coop.solvers.evolution.dynamics import integrate
        from coop.solvers.evolution.names import DEFAULT_LOGIT_ETA
        from coop.solvers.evolution.rest_points import basins, rest_points

        spec = loaded.scenario.evolution
        game = loaded.game
        notes: list[str] = []
        groups = spec.populations == "one" and game.num_players > 2

        def eta(value: float | None) -> float:
            return value if value is not None else DEFAULT_LOGIT_ETA

        model: Any
        if groups:
            # one population in groups of N: from a start shared by every player's population the per-player
            # dynamics stay on the diagonal, where they are the one-population dynamics
            runs = tuple(integrate(game, np.tile(run.start, game.num_players), np.linspace(0.0, run.time, 201),
                                   dynamic=run.dynamic, eta=eta(run.eta), populations="per_player")
                         for run in spec.runs)
            model = OnePopulationView(("population",), (game.actions[0],))
            notes.append(f"one population in groups of {game.num_players}: trajectories are those of "
                         f"{game.num_players} identical populations from the same start")
        else:
            runs = tuple(integrate(game, run.start, np.linspace(0.0, run.time, 201), dynamic=run.dynamic,
                                   eta=eta(run.eta), populations=spec.populations)
                         for run in spec.runs)
            model = runs[0].model
        rest: Any = None  # RestPoints, or GroupRestPoints for one population in groups
        if spec.rest_points and groups:
            from coop.games.population import PopulationGame
            from coop.solvers.evolution.group_replicator import group_rest_points

            rest = group_rest_points(PopulationGame.from_normal_form(game))
            acts = game.actions[0]
            notes += [f"the rest points with only {', '.join(acts[s] for s in face)} in use form a continuum (one "
                      "listed)" for face in rest.degenerate]
            notes += [f"INCOMPLETE: the rest points with all of {', '.join(acts[s] for s in face)} in use were not "
                      "searched (too large for the subdivision)" for face in rest.skipped]
        elif spec.rest_points:
            rest = rest_points(game, "replicator", populations=spec.populations)
        basin = None
        if spec.basins is not None:
            b = spec.basins
            basin = basins(game, b.dynamic, eta=eta(b.eta), resolution=b.resolution, t_end=b.time,
                           populations=spec.populations, stop_after=options.time_limit, progress=options.progress)
        return DynamicsResult(spec, model, runs, rest, basin, tuple(notes))

    def draw(self, kind: str, results: Mapping[str, Any], loaded: LoadedInput, options: PlotOptions) -> Figure:
        from coop.plots import draw_simplex, draw_trajectories

        result: DynamicsResult = results[self.name]
        if kind == "simplex":
            return note_incomplete(draw_simplex(result, loaded, options), result.reasons())
        if kind == "trajectories":
            return note_incomplete(draw_trajectories(result, loaded, options), result.reasons())
        raise InputError(f"the {self.name} section draws no {kind!r} figure")


def note_incomplete(fig: Figure, reasons: list[str]) -> Figure:
    """``fig`` with a note in its title (in red) when the computation it draws stopped early (``reasons``)."""
    if not reasons:
        return fig
    from coop.plots import add_title_note

    return add_title_note(fig, "INCOMPLETE: " + "; ".join(reasons))
