"""A group game by counts: its pure equilibria by composition, its symmetric mixed ones, and red lines on counts.

Applies to scenarios whose players are a group (``players: {group: N, actions: [...]}``,
:mod:`coop.games.group_game`), whatever ``N``; for small groups the stage game's analysis lists
every equilibrium of the normal form as well.

JSON: ``group_game``. Figure: ``group-incentive``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from coop.report_text import WIDTH, format_number, plural, table_lines
from coop.sections.base import Analysis, Metric, PlotOptions, SectionResult, SolveOptions

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coop.inputs import LoadedInput


#: The payoff table by counts is printed up to this many rows (compositions of the others).
MAX_COUNT_ROWS = 12
#: What each stability of a symmetric mix (three or more actions) means for a large population.
STABILITY_WORDS = {
    "stable": "stable: a large population that mixes settles here",
    "unstable": "unstable: a large population moves away from it in every direction",
    "saddle": "a saddle: a large population moves toward it along some directions and away along others",
    "centre": "a centre: a large population circles around it",
    "non-hyperbolic": "non-hyperbolic: the linear test cannot tell whether a large population settles here",
}


def _profiles(count: int) -> str:
    """How many profiles a composition stands for, readable at any size."""
    return f"{count:,}" if count < 10**12 else f"{count:.3g}"


@dataclass(frozen=True, eq=False)
class GroupGameResult:
    """The equilibria of the group game (:class:`~coop.solvers.nash.group_games.GroupEquilibria`) in context."""

    group: Any  # coop.games.group_game.GroupGame
    equilibria: Any  # coop.solvers.nash.group_games.GroupEquilibria

    def pure_crossings(self) -> list[list[str]]:
        """The red lines each pure equilibrium crosses."""
        return [[r.name for r in self.group.red_lines if r.crossed(e.counts)] for e in self.equilibria.pure]

    def mixed_crossings(self) -> list[dict[str, float]]:
        """Each symmetric mixed equilibrium's probability of crossing each red line (those above zero)."""
        out = []
        for e in self.equilibria.symmetric_mixed or ():
            probs = {r.name: r.probability(list(e.strategy)) for r in self.group.red_lines}
            out.append({k: v for k, v in probs.items() if v > 1e-12})
        return out

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = self.equilibria.to_dict()
        acts = self.group.actions
        pop = self.group.population
        doc["payoffs_by_counts"] = [
            {"others": dict(zip(acts, (int(v) for v in comp), strict=True)),
             "payoffs": dict(zip(acts, (float(v) for v in pop.payoffs[:, c]), strict=True))}
            for c, comp in enumerate(pop.compositions)]
        for entry, names in zip(doc["pure"], self.pure_crossings(), strict=True):
            entry["red_lines"] = names
        for entry, probs in zip(doc["symmetric_mixed"] or [], self.mixed_crossings(), strict=True):
            entry["red_lines"] = probs
        doc["red_lines"] = [r.to_dict() for r in self.group.red_lines]
        return doc

    def text(self) -> list[str]:
        g = self.group
        eq = self.equilibria
        acts = g.actions
        lines = textwrap.wrap(f"Group game by counts: {g.size} members, actions {', '.join(acts)}; an equilibrium "
                              "is described by how many members play each action", WIDTH, subsequent_indent="  ")
        pop = g.population
        if len(pop.compositions) <= MAX_COUNT_ROWS:
            lines.append("  A member's payoff by own action (columns) and how many of the others play each action:")
            rows = [[", ".join(f"{a} {c}" for a, c in zip(acts, comp, strict=True))]
                    + [format_number(round(float(pop.payoffs[k, c]), 6)) for k in range(len(acts))]
                    for c, comp in enumerate(pop.compositions)]
            lines += ["    " + line for line in table_lines(rows, ["others playing", *acts])]
        else:
            lines.append(f"  (the payoff table by counts has {len(pop.compositions)} rows: see payoffs_by_counts in "
                         "the JSON output)")
        crossed = self.pure_crossings()
        if eq.pure:
            rows = []
            for e, lines_crossed in zip(eq.pure, crossed, strict=True):
                pays = zip(acts, e.payoffs, strict=True)
                rows.append([", ".join(f"{a} {c}" for a, c in zip(acts, e.counts, strict=True)),
                             ", ".join(f"{a} {format_number(round(p, 6))}" for a, p in pays if p is not None),
                             _profiles(e.profiles), ", ".join(lines_crossed) or "-"])
            lines.append(f"  {plural(len(eq.pure), 'pure equilibrium', 'pure equilibria')} (no member gains by "
                         "switching):")
            lines += ["    " + line for line in table_lines(rows, ["how many play", "payoff of a member playing",
                                                                    "profiles", "red lines crossed"])]
        else:
            lines.append("  no pure equilibrium")
        if eq.symmetric_mixed is not None and len(acts) == 2:
            if eq.indifferent:
                lines += textwrap.wrap(f"  Every member is indifferent between {acts[0]} and {acts[1]} whatever the "
                                       "others do: every symmetric mix is an equilibrium.", WIDTH,
                                       subsequent_indent="    ")
            elif eq.symmetric_mixed:
                lines.append(f"  Symmetric mixed equilibria (every member plays {acts[0]} with probability x):")
                for e, probs in zip(eq.symmetric_mixed, self.mixed_crossings(), strict=True):
                    kind = ("stable: a large population that mixes settles here" if e.stable else
                            f"a tipping point: below it {acts[1]} spreads, above it {acts[0]}")
                    risk = "; ".join(f"crosses {k} with probability {v:.3g}" for k, v in probs.items())
                    lines += textwrap.wrap(f"x = {e.x:.4f} (payoff {format_number(round(e.payoff, 6))}), {kind}"
                                           + (f"; {risk}" if risk else ""), WIDTH, initial_indent="    ",
                                           subsequent_indent="      ")
            else:
                lines.append("  no symmetric mixed equilibrium: one action always earns more against a mix")
        elif eq.symmetric_mixed is not None:
            lines += self._many_actions_text()
        lines.append("")
        lines += textwrap.wrap(
            f"A symmetric mix x is an equilibrium when {acts[0]} and {acts[1]} earn the same against {g.size - 1} "
            "others each drawn from it: the roots of a polynomial of degree "
            f"{g.size - 1} in x, which are also where the replicator dynamic of a large population playing in "
            f"groups of {g.size} rests." if len(acts) == 2 else
            "A symmetric mix is an equilibrium when the actions it uses earn the same against "
            f"{g.size - 1} others each drawn from it, and no other action earns more: on each set of actions, "
            f"common roots of polynomials of degree {g.size - 1}, found by Bernstein subdivision and Newton's "
            "method and each checked for regret; they are also rest points of the replicator dynamic of a large "
            f"population playing in groups of {g.size}, whose stability is given."
            + (" The stage game above lists every equilibrium of the normal form as well." if g.has_normal_form
               else ""),
            WIDTH)
        return lines

    def _many_actions_text(self) -> list[str]:
        """The symmetric mixed equilibria of three or more actions, their stability and the continua."""
        eq = self.equilibria
        acts = self.group.actions
        lines: list[str] = []
        if eq.indifferent:
            return textwrap.wrap(f"  Every member is indifferent between {', '.join(acts)} whatever the others do: "
                                 "every symmetric mix is an equilibrium.", WIDTH, subsequent_indent="    ")
        if eq.symmetric_mixed:
            lines.append("  Symmetric mixed equilibria (every member plays each action with the probability shown):")
            for e, probs in zip(eq.symmetric_mixed, self.mixed_crossings(), strict=True):
                mix = ", ".join(f"{a} {p:.4f}" for a, p in zip(acts, e.strategy, strict=True) if p > 0.0)
                risk = "; ".join(f"crosses {k} with probability {v:.3g}" for k, v in probs.items())
                lines += textwrap.wrap(f"{mix} (payoff {format_number(round(e.payoff, 6))}), "
                                       f"{STABILITY_WORDS.get(e.stability, e.stability)}"
                                       + (f"; {risk}" if risk else ""), WIDTH, initial_indent="    ",
                                       subsequent_indent="      ")
        else:
            lines.append("  no isolated symmetric mixed equilibrium")
        for face in eq.degenerate:
            lines += textwrap.wrap(f"  Mixes of {', '.join(face)} only: their payoffs are equal on a continuum of "
                                   "mixes (not isolated points), so these are not listed one by one.", WIDTH,
                                   subsequent_indent="    ")
        if eq.skipped:
            lines += textwrap.wrap("  INCOMPLETE: mixes of " + "; ".join(", ".join(f) for f in eq.skipped)
                                   + " were not searched (too large for the subdivision in reasonable time): "
                                   "symmetric mixed equilibria using all of them may be missing.", WIDTH,
                                   subsequent_indent="    ")
        return lines

    def brief(self) -> list[str]:
        eq = self.equilibria
        acts = self.group.actions
        pure = "; ".join(", ".join(f"{a} {c}" for a, c in zip(acts, e.counts, strict=True)) for e in eq.pure[:4])
        text = f"Group of {self.group.size}: {plural(len(eq.pure), 'pure equilibrium', 'pure equilibria')}"
        text += f" ({pure}{'; ...' if len(eq.pure) > 4 else ''})" if eq.pure else ""
        if eq.symmetric_mixed and len(acts) == 2:
            text += "; symmetric mixes at x = " + ", ".join(
                f"{e.x:.3f} ({'stable' if e.stable else 'tipping point'})" for e in eq.symmetric_mixed)
        elif eq.symmetric_mixed:
            text += "; symmetric mixes " + "; ".join(
                "(" + ", ".join(f"{a} {p:.3f}" for a, p in zip(acts, e.strategy, strict=True) if p > 0.0)
                + f": {e.stability})" for e in eq.symmetric_mixed[:4]) + ("; ..." if len(eq.symmetric_mixed) > 4
                                                                           else "")
        return textwrap.wrap(text + ".", WIDTH)

    def metrics(self) -> dict[str, Metric]:
        eq = self.equilibria
        out: dict[str, Metric] = {"pure": len(eq.pure)}
        mixed = eq.symmetric_mixed
        if mixed is not None:
            out["symmetric_mixed"] = len(mixed)
            if len(self.group.actions) == 2:
                stable = [e.x for e in mixed if e.stable]
                tipping = [e.x for e in mixed if not e.stable]
                out["stable_x"] = stable[-1] if stable else None
                out["tipping_x"] = tipping[0] if tipping else None
            else:
                out["stable_mixed"] = sum(e.stable for e in mixed)
                out["degenerate_supports"] = len(eq.degenerate)
        crossed = self.pure_crossings()
        for r in self.group.red_lines:
            out[f"red_line.{r.name}"] = any(r.name in c for c in crossed)
        return out


class GroupGameAnalysis(Analysis):
    """Equilibria of a group game by counts (any group size)."""

    name: ClassVar[str] = "group_game"
    title: ClassVar[str] = "group game"
    json_path: ClassVar[tuple[str, ...]] = ("group_game",)
    figures: ClassVar[Mapping[str, str]] = {
        "group-incentive": "what the first action earns above the second as the share playing it grows (two "
                           "actions), with the symmetric equilibria.",
    }

    def applies(self, loaded: LoadedInput) -> bool:
        return loaded.group is not None

    def missing(self, loaded: LoadedInput) -> str:
        return "a scenario whose players are a group (players: {group: N, actions: [...]})"

    def figure_refusal(self, kind: str, loaded: LoadedInput) -> str | None:
        if not self.applies(loaded):
            return f"the {kind} plot needs {self.missing(loaded)}"
        if len(loaded.group.actions) != 2:
            return f"the {kind} plot needs a group game with two actions"
        return None

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> GroupGameResult:
        from coop.solvers.nash.group_games import group_equilibria
        from coop.solvers.shared.tolerances import REGRET_TOL

        group = loaded.group
        return GroupGameResult(group, group_equilibria(group.population, REGRET_TOL if options.tol is None
                                                       else options.tol))

    def draw(self, kind: str, results: Mapping[str, Any], loaded: LoadedInput, options: PlotOptions) -> Figure:
        from coop.plots import draw_group_incentive

        return draw_group_incentive(results[self.name], loaded, options)
