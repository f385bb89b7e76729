"""The stage game: its Nash equilibria (every one verified), dominated strategies and red lines crossed.

JSON: merged into the top level of the document (``method``, ``guarantee``,
``equilibria``, ``pure_equilibria``, ``dominance``, ``red_lines``, ``solver``,
...; see docs/json-output.md).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from coop.report_text import (
    WIDTH,
    format_number,
    format_probability,
    format_strategy,
    payoff_tables,
    table_lines,
)
from coop.sections.base import Analysis, Metric, SectionResult, SolveOptions
from coop.solvers.shared.tolerances import PROB_EPS

if TYPE_CHECKING:
    from coop.inputs import LoadedInput
    from coop.solvers.nash.results import Equilibrium
    from coop.solvers.nash.solve import GameSolution

#: At most this many equilibria are listed in the text report (all are in the JSON).
MAX_EQUILIBRIA_SHOWN = 40


def red_line_crossings(loaded: LoadedInput, eq: Equilibrium) -> list[dict[str, Any]]:
    """The red lines an equilibrium crosses: those whose action it plays with positive probability."""
    game = loaded.game
    crossed = []
    for rl in loaded.red_lines:
        i = game.player_index(rl.player)
        k = game.action_index(i, rl.action)
        p = float(eq.strategies[i][k])
        if p > PROB_EPS:
            crossed.append({"name": rl.name, "player": rl.player, "action": rl.action, "probability": p})
    return crossed


def profile_label(actions: tuple[tuple[str, ...], ...], eq: Equilibrium) -> str:
    """A pure profile as ``(restrain,race)``."""
    return "(" + ",".join(acts[int(np.argmax(s))] for acts, s in zip(actions, eq.strategies, strict=True)) + ")"


def equilibrium_structure(actions: tuple[tuple[str, ...], ...], equilibria: tuple[Equilibrium, ...]) -> str:
    """A readable label of the equilibrium set: ``2 pure (restrain,restrain) (race,race) + 1 mixed``."""
    pure = [profile_label(actions, e) for e in equilibria if e.is_pure]
    mixed = sum(1 for e in equilibria if not e.is_pure)
    parts = []
    if pure:
        parts.append(f"{len(pure)} pure " + " ".join(pure))
    if mixed:
        parts.append(f"{mixed} mixed")
    return " + ".join(parts) if parts else "none found"


@dataclass(frozen=True, eq=False)
class StageResult:
    """The stage game's equilibria and dominance (:class:`~coop.solvers.nash.solve.GameSolution`) in context."""

    loaded: LoadedInput
    solution: GameSolution

    def crossings(self) -> list[list[dict[str, Any]]]:
        return [red_line_crossings(self.loaded, eq) for eq in self.solution.equilibria]

    def to_dict(self) -> dict[str, Any]:
        body = self.solution.to_dict()
        for eq_dict, crossed in zip(body["equilibria"], self.crossings(), strict=True):
            eq_dict["red_lines"] = crossed
        doc = {k: body[k] for k in ("method", "guarantee", "complete", "degenerate", "summary", "tol", "notes")}
        doc["equilibria"] = body["equilibria"]
        doc["pure_equilibria"] = body["pure_equilibria"]
        doc["dominance"] = body["dominance"]
        doc["red_lines"] = [
            {"name": r.name, "player": r.player, "action": r.action, "description": r.description}
            for r in self.loaded.red_lines
        ]
        doc["solver"] = body["solver"]
        return doc

    def text(self) -> list[str]:
        game = self.loaded.game
        solution = self.solution
        lines: list[str] = []
        tables = payoff_tables(game)
        if tables:
            lines.append(f"Payoffs ({', '.join(game.players)})")
            lines += tables
        lines += _dominance_block(solution)
        n_eq = len(solution.equilibria)
        lines.append(f"Nash equilibria: {n_eq} found")
        lines += textwrap.wrap(f"Computed: {solution.summary}.", WIDTH)
        lines.append("")
        crossings = self.crossings()
        red_lines = self.loaded.red_lines
        if n_eq:
            header = ["#", *game.players, f"payoffs ({', '.join(game.players)})"]
            if red_lines:
                header.append("red lines crossed")
            rows = []
            for k, (eq, crossed) in enumerate(zip(solution.equilibria[:MAX_EQUILIBRIA_SHOWN], crossings,
                                                  strict=False), start=1):
                row = [str(k)]
                row += [format_strategy(game.actions[i], eq.strategies[i]) for i in range(game.num_players)]
                row.append(", ".join(format_number(float(v)) for v in eq.payoffs))
                if red_lines:
                    row.append("; ".join(_crossing(c) for c in crossed) or "none")
                rows.append(row)
            lines += ["  " + line for line in table_lines(rows, header)]
            if n_eq > MAX_EQUILIBRIA_SHOWN:
                lines.append(f"  ... and {n_eq - MAX_EQUILIBRIA_SHOWN} more (all are in --format json)")
            lines.append("")
            lines.append(
                f"Every equilibrium was verified: largest regret "
                f"{max(e.max_regret for e in solution.equilibria):.2g} (tolerance {solution.pure.tol:.2g})."
            )
        else:
            lines.append("  No equilibrium was found within the method's limits (see notes).")
        if red_lines:
            crossing = sum(1 for c in crossings if c)
            lines.append(f"Red lines: {crossing} of {n_eq} equilibria cross at least one red line.")
        for note in solution.notes:
            lines += textwrap.wrap(f"Note: {note}", WIDTH, subsequent_indent="  ")
        return lines

    def metrics(self) -> dict[str, Metric]:
        game = self.loaded.game
        eqs = self.solution.equilibria
        out: dict[str, Metric] = {
            "equilibria": len(eqs),
            "pure_equilibria": sum(1 for e in eqs if e.is_pure),
            "mixed_equilibria": sum(1 for e in eqs if not e.is_pure),
            "structure": equilibrium_structure(game.actions, eqs),
            "complete": self.solution.complete,
            "degenerate": self.solution.degenerate,
            "dominance_solvable": self.solution.dominance.solved,
        }
        for i, p in enumerate(game.players):
            values = [float(e.payoffs[i]) for e in eqs]
            out[f"best_payoff.{p}"] = max(values) if values else None
            out[f"worst_payoff.{p}"] = min(values) if values else None
        if self.loaded.red_lines:
            crossings = self.crossings()
            names = [r.name for r in self.loaded.red_lines]
            some = [n for n in names if any(any(c["name"] == n for c in cs) for cs in crossings)]
            every = [n for n in names if crossings and all(any(c["name"] == n for c in cs) for cs in crossings)]
            out["red_lines_crossed_in_some"] = len(some)
            out["red_lines_crossed_in_every"] = len(every)
            out["red_lines_crossed"] = ", ".join(some) if some else "none"
        return out


class StageAnalysis(Analysis):
    """Nash equilibria of the stage game (every one verified) and iterated strict dominance."""

    name: ClassVar[str] = "stage"
    title: ClassVar[str] = "stage game"
    json_path: ClassVar[tuple[str, ...]] = ()

    def applies(self, loaded: LoadedInput) -> bool:
        return True

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> StageResult:
        from coop.solvers.nash.solve import solve_game

        solution = solve_game(loaded.game, method=options.method, tol=options.tol,
                              dominance=options.mixed_dominance)
        return StageResult(loaded, solution)


def _crossing(c: dict[str, Any]) -> str:
    p = c["probability"]
    return c["name"] if p > 1 - 1e-9 else f"{c['name']} (p = {format_probability(p)})"


def _dominance_block(solution: GameSolution) -> list[str]:
    dom = solution.dominance
    lines = ["Iterated elimination of strictly dominated strategies"]
    if not dom.eliminations:
        lines.append("  No action is strictly dominated" + (" (by a pure or mixed strategy)." if dom.mixed else "."))
    for e in dom.eliminations:
        if e.by_mixed:
            by = ", ".join(f"{a} {format_probability(p)}" for a, p in e.dominated_by.items())
        else:
            by = next(iter(e.dominated_by))
        kind = "the mixed strategy " if e.by_mixed else ""
        lines.append(
            f"  round {e.round}: {e.player}'s {e.action} is strictly dominated by {kind}{by} "
            f"(worse by at least {format_number(e.margin)})"
        )
    if dom.eliminations:
        survivors = "; ".join(f"{p}: {', '.join(a)}" for p, a in dom.remaining_actions.items())
        lines.append(f"  surviving actions: {survivors}")
        if dom.solved:
            lines.append("  The game is dominance solvable: the survivors form its unique equilibrium.")
    lines.append("")
    return lines
