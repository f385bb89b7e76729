"""Correlated equilibria of the stage game: what a mediator's recommendations achieve, and what that adds to the
best Nash equilibrium.

JSON: ``correlated``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from coop.report_text import WIDTH, format_number, format_probability, fractions_fit, table_lines
from coop.sections.base import Analysis, Metric, SectionResult, SolveOptions, finite_or_none

if TYPE_CHECKING:
    from coop.games.normal_form import NormalFormGame
    from coop.inputs import LoadedInput
    from coop.scenarios.correlated_section import CorrelatedSpec
    from coop.solvers.nash.correlated import CorrelatedEquilibrium

#: At most this many recommended profiles are listed per lottery in the text report (all are in the JSON).
MAX_PROFILES_SHOWN = 12

_GLOSS = {
    "correlated": ("Correlated equilibria: what a mediator can achieve",
                   "a mediator, such as an IAEA-like body that coordinates, draws a profile of actions by "
                   "lottery and tells each player only their own part; in a correlated equilibrium no player "
                   "gains by disobeying the recommendation (Aumann 1974)"),
    "coarse": ("Coarse correlated equilibria: what a mediator can achieve with commitment",
               "the players commit to the mediator's lottery before it is drawn; in a coarse correlated "
               "equilibrium no player gains by opting out for one fixed action chosen in advance (Moulin and "
               "Vial 1978); every correlated equilibrium is one"),
}
_OBJECTIVE_TITLE = {
    "welfare": "Highest welfare (total payoff)",
    "fair": "Fairest (the worst-off player gets the most, then the highest welfare)",
}


@dataclass(frozen=True, eq=False)
class CorrelatedEntry:
    """One kind and objective: the verified equilibrium, or why there is none (``reason``)."""

    kind: str
    objective: str
    equilibrium: CorrelatedEquilibrium | None
    gain: float | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        head: dict[str, Any] = {"kind": self.kind, "objective": self.objective,
                                "found": self.equilibrium is not None, "reason": self.reason}
        if self.equilibrium is None:
            return head
        return {**head, **self.equilibrium.to_dict(), "gain_over_nash": finite_or_none(self.gain)}


@dataclass(frozen=True, eq=False)
class CorrelatedResult:
    """The correlated equilibria a scenario's ``correlated`` section asks for, and the Nash benchmark."""

    game: NormalFormGame
    spec: CorrelatedSpec
    entries: tuple[CorrelatedEntry, ...]
    nash_welfare: float | None
    nash_min_payoff: float | None
    nash_count: int
    nash_complete: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.spec.to_dict(),
            "nash": {"best_welfare": finite_or_none(self.nash_welfare),
                     "best_min_payoff": finite_or_none(self.nash_min_payoff),
                     "equilibria": self.nash_count, "complete": self.nash_complete},
            "equilibria": [e.to_dict() for e in self.entries],
        }

    def _benchmark(self, objective: str) -> str:
        best = self.nash_welfare if objective == "welfare" else self.nash_min_payoff
        if best is None:
            return "no Nash equilibrium was found to compare with"
        found = "" if self.nash_complete else " found"
        return f"best Nash equilibrium{found} {format_number(best)}"

    def text(self) -> list[str]:
        lines: list[str] = []
        shown: list[CorrelatedEntry] = []
        for kind in self.spec.kinds:
            title, gloss = _GLOSS[kind]
            if lines:
                lines.append("")
            lines.append(title)
            lines += textwrap.wrap(f"({gloss}.)", WIDTH, initial_indent="  ", subsequent_indent="   ")
            for entry in (e for e in self.entries if e.kind == kind):
                lines += self._entry_lines(entry, shown)
                shown.append(entry)
        found = [e.equilibrium for e in self.entries if e.equilibrium is not None]
        if found:
            lines += textwrap.wrap("Every lottery was verified: no player gains by disobeying (tolerance "
                                   f"{found[0].tol:.0e} of the stake).", WIDTH)
        if not self.nash_complete and self.nash_count:
            lines += textwrap.wrap("The Nash list of the stage game may be incomplete: the gains are over the best "
                                   "equilibrium found.", WIDTH)
        return lines

    def _entry_lines(self, entry: CorrelatedEntry, shown: list[CorrelatedEntry]) -> list[str]:
        game = self.game
        ce = entry.equilibrium
        head = _OBJECTIVE_TITLE[entry.objective]
        if ce is None:
            return textwrap.wrap(f"{head}: none verified ({entry.reason}).", WIDTH, initial_indent="  ",
                                 subsequent_indent="    ")
        measure = "total" if entry.objective == "welfare" else "least payoff"
        lines = textwrap.wrap(f"{head}: {measure} {format_number(ce.value)} ({self._benchmark(entry.objective)}"
                              f"{self._gain(entry)})", WIDTH, initial_indent="  ", subsequent_indent="    ")
        same = next((e for e in shown if e.equilibrium is not None
                     and np.allclose(e.equilibrium.distribution, ce.distribution, rtol=0.0, atol=1e-12)), None)
        if same is not None:
            which = same.objective if same.kind == entry.kind else f"{same.kind} {same.objective}"
            lines.append(f"    the same lottery as the {which} one")
            return lines
        support = ce.support()
        probs = np.array([p for _, p in support])
        fraction = fractions_fit(probs)
        rows = [[format_probability(p, fraction), *(game.actions[i][k] for i, k in enumerate(prof))]
                for prof, p in support[:MAX_PROFILES_SHOWN]]
        lines += ["    " + line for line in table_lines(rows, ["probability", *game.players])]
        if len(support) > MAX_PROFILES_SHOWN:
            lines.append(f"    and {len(support) - MAX_PROFILES_SHOWN} more profiles (see --format json)")
        pays = ", ".join(f"{p} {format_number(float(ce.payoffs[i]))}" for i, p in enumerate(game.players))
        lines += textwrap.wrap(f"expected payoffs: {pays}", WIDTH, initial_indent="    ", subsequent_indent="      ")
        return lines

    def _gain(self, entry: CorrelatedEntry) -> str:
        """``": a mediator adds 1.167"``, ``": a mediator adds nothing"`` (within the tolerance), or nothing."""
        if entry.gain is None or entry.equilibrium is None:
            return ""
        if abs(entry.gain) <= entry.equilibrium.tol * max(1.0, float(np.ptp(self.game.payoffs))):
            return ": a mediator adds nothing"
        return f": a mediator adds {format_number(entry.gain)}"

    def brief(self) -> list[str]:
        """One sentence: what the mediator's best lotteries give, against the best Nash equilibrium."""
        parts = []
        for e in self.entries:
            if e.equilibrium is None or e.kind != self.spec.kinds[0]:
                continue
            what = "a total payoff" if e.objective == "welfare" else "a least payoff"
            parts.append(f"{what} of {format_number(e.equilibrium.value)} ({self._benchmark(e.objective)}"
                         f"{self._gain(e)})")
        if not parts:
            return ["Correlated equilibria: none verified."]
        kind = "correlated" if self.spec.kinds[0] == "correlated" else "coarse correlated"
        return textwrap.wrap(f"A mediator's recommendations ({kind} equilibria) reach {' and '.join(parts)}.",
                             WIDTH)

    def metrics(self) -> dict[str, Metric]:
        out: dict[str, Metric] = {"nash_best_welfare": finite_or_none(self.nash_welfare),
                                  "nash_best_min_payoff": finite_or_none(self.nash_min_payoff)}
        for e in self.entries:
            label = e.objective if e.kind == "correlated" else f"{e.kind}_{e.objective}"
            ce = e.equilibrium
            out[f"{label}.welfare"] = None if ce is None else finite_or_none(ce.welfare)
            out[f"{label}.min_payoff"] = None if ce is None else finite_or_none(ce.min_payoff)
            out[f"{label}.gain"] = finite_or_none(e.gain)
            for i, p in enumerate(self.game.players):
                out[f"{label}.{p}"] = None if ce is None else finite_or_none(ce.payoffs[i])
        return out


class CorrelatedAnalysis(Analysis):
    """Correlated (and coarse correlated) equilibria of the stage game, and the gain over the best Nash one."""

    name: ClassVar[str] = "correlated"
    title: ClassVar[str] = "correlated equilibria"
    json_path: ClassVar[tuple[str, ...]] = ("correlated",)
    section: ClassVar[str | None] = "correlated"
    requires: ClassVar[tuple[str, ...]] = ("stage",)

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> CorrelatedResult:
        from coop.solvers.nash.correlated import correlated_equilibrium, mediator_gain, nash_benchmark

        spec = loaded.scenario.sections["correlated"]
        game = loaded.game
        stage = earlier.get("stage")
        solution = getattr(stage, "solution", None)
        equilibria = tuple(solution.equilibria) if solution is not None else ()
        welfare, least = nash_benchmark(equilibria)
        entries = []
        for kind in spec.kinds:
            for objective in spec.objectives:
                try:
                    ce = correlated_equilibrium(game, kind, objective, tol=options.tol,
                                                stop_after=options.time_limit)
                except RuntimeError as err:  # HiGHS stopped or failed, or its answer failed the verification
                    entries.append(CorrelatedEntry(kind, objective, None, None, str(err)))
                    continue
                entries.append(CorrelatedEntry(kind, objective, ce, mediator_gain(ce, equilibria)))
        return CorrelatedResult(game, spec, tuple(entries), welfare, least, len(equilibria),
                                bool(solution is not None and solution.complete))
