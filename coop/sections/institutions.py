"""Institution designs: which make the scenario's strategy profiles self-enforcing, and with what sanction.

JSON: ``institutions`` (the designs and one row per design and strategy profile).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from coop.errors import InputError
from coop.report_text import WIDTH, Table, format_number
from coop.sections.base import Analysis, Metric, SectionResult, SolveOptions, finite_or_none
from coop.sections.repeated import delta_text, limit_of_means, patience

if TYPE_CHECKING:
    from coop.inputs import LoadedInput


def _sanction(x: float | None, none: str) -> str:
    return none if x is None else format_number(x)


@dataclass(frozen=True, eq=False)
class InstitutionsResult:
    """``(profile name, InstitutionAnalysis)`` for every design and every strategy profile."""

    repeated: Any  # coop.games.repeated.RepeatedGame
    designs: tuple[Any, ...]  # coop.games.institutions.Institution
    analyses: tuple[tuple[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        rows = [{"design": a.institution.name, "profile": profile, **a.to_dict()} for profile, a in self.analyses]
        return {"designs": [d.to_dict() for d in self.designs], "analyses": rows}

    def text(self) -> list[str]:
        lines = [f"Institutions (repeated game, {patience(self.repeated)})"]
        for design in self.designs:
            members = ", ".join(design.members) if design.members else "all"
            lines += textwrap.wrap(
                f"{design.name}: detection {format_number(design.detection)}, sanction "
                f"{format_number(design.sanction)}, reputation cost {format_number(design.reputation_cost)}, "
                f"participation cost {format_number(design.participation_cost)}, forum shopping "
                f"{format_number(design.forum_shopping)}; members: {members}",
                WIDTH, initial_indent="  ", subsequent_indent="    ")
        lines += textwrap.wrap(
            "(detection: the chance a defection is caught; sanction: what a caught defector pays; reputation cost: "
            "the standing a caught defector loses; participation cost: what each member pays every period; forum "
            "shopping: the chance a caught defector escapes both by moving to another forum)", WIDTH,
            initial_indent="  ", subsequent_indent="  ")
        lines.append("")
        lines += self.tables()[0].text()
        for profile, a in self.analyses:
            if not a.complete:
                lines += textwrap.wrap(f"INCOMPLETE ({a.institution.name}, {profile}): {a.reason}.", WIDTH,
                                       initial_indent="  ", subsequent_indent="    ")
        lines.append("")
        lines += textwrap.wrap(
            "SPE: subgame perfect, so the strategies are self-enforcing under the design. "
            "The least sanction is the smallest sanction (with the design's detection, forum shopping and "
            "reputation cost) that makes the strategies subgame perfect "
            + ("under the limit of means, where a deviation counts only through the long-run average it changes"
               if limit_of_means(self.repeated) else "at this delta")
            + "; above the ceiling the sanction also falls on the punishments the strategies rely on, and they "
            "stop being credible.",
            WIDTH,
        )
        return lines

    def tables(self) -> list[Table]:
        """Every design with every strategy profile (for ``--format markdown|latex``)."""
        players = self.repeated.stage.players
        header = ["institution", "strategies", "SPE", f"critical delta ({', '.join(players)})",
                  "least sanction", "sanction ceiling", f"payoffs ({', '.join(players)})"]
        rows = [[a.institution.name, profile, "yes" if a.subgame_perfect else "no",
                 ", ".join(delta_text(d) for d in a.critical.per_player),
                 _sanction(a.least_sanction, "none works"), _sanction(a.sanction_ceiling, "no limit"),
                 ", ".join(format_number(float(v)) for v in a.payoffs.payoffs)]
                for profile, a in self.analyses]
        return [Table("institutions", f"Institutions ({patience(self.repeated)}): which designs make the "
                      "strategies self-enforcing (SPE)", header, rows)]

    def brief(self) -> list[str]:
        """One sentence: under which designs which strategy profiles are self-enforcing."""
        works: dict[str, list[str]] = {}
        for profile, a in self.analyses:
            works.setdefault(a.institution.name, [])
            if a.subgame_perfect:
                works[a.institution.name].append(profile)
        yes = [f"{name} ({', '.join(p)})" for name, p in works.items() if p]
        no = [name for name, p in works.items() if not p]
        text = f"Institutions ({patience(self.repeated)}): "
        text += ("self-enforcing under " + "; ".join(yes)) if yes else "no design makes any profile self-enforcing"
        if yes and no:
            text += "; with " + ", ".join(repr(n) for n in no) + " no profile is"
        return textwrap.wrap(text + ".", WIDTH)

    def metrics(self) -> dict[str, Metric]:
        out: dict[str, Metric] = {}
        for profile, a in self.analyses:
            key = f"{a.institution.name}.{profile}"
            out[f"{key}.spe"] = bool(a.subgame_perfect)
            out[f"{key}.critical_delta"] = finite_or_none(a.critical.overall)
            out[f"{key}.least_sanction"] = finite_or_none(a.least_sanction)
        return out


class InstitutionsAnalysis(Analysis):
    """Every institution design with every strategy profile of the repeated game."""

    name: ClassVar[str] = "institutions"
    title: ClassVar[str] = "institutions"
    json_path: ClassVar[tuple[str, ...]] = ("institutions",)

    def applies(self, loaded: LoadedInput) -> bool:
        return loaded.scenario is not None and bool(loaded.scenario.institutions)

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> InstitutionsResult:
        from coop.solvers.repeated.institutions import analyse_institution

        scenario = loaded.scenario
        spec = scenario.repeated
        analyses = []
        for design in scenario.institutions:
            for p in spec.profiles:
                try:
                    analyses.append((p.name, analyse_institution(spec.game, p.automata, design)))
                except InputError as err:  # a size refused by the solver: say which profile
                    raise InputError(f"the strategy profile {p.name!r} under {design.name!r}: {err.message}",
                                     source=loaded.source) from None
        return InstitutionsResult(spec.game, scenario.institutions, tuple(analyses))
