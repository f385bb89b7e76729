"""An Axelrod-style round-robin tournament of repeated-game strategies.

JSON: ``repeated.tournament``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from coop.report_text import WIDTH, format_number, plural, table_lines
from coop.sections.base import Analysis, Metric, SectionResult, SolveOptions, SolverSection

if TYPE_CHECKING:
    from coop.inputs import LoadedInput


@dataclass(frozen=True, eq=False)
class TournamentSection(SolverSection):
    """The tournament's result (:class:`~coop.solvers.repeated.tournament.TournamentResult`); after Ctrl-C, the
    round robins played by then."""

    def text(self) -> list[str]:
        t = self.result
        noise = f"noise {format_number(t.noise)}" if t.noise else "no noise"
        lines = textwrap.wrap(f"Round-robin tournament: {plural(len(t.strategies), 'strategy', 'strategies')}, "
                              f"{plural(t.turns, 'turn')}, {plural(t.repetitions, 'repetition')}, {noise} "
                              f"(seed {t.seed})", WIDTH, subsequent_indent="  ")
        header = ["rank", "strategy", "median score per turn", "mean"]
        if t.wins is not None:
            header.append("wins per round robin")
        rows = []
        median = np.median(t.normalised_scores, axis=0)
        for rank, k in enumerate(t.ranking, start=1):
            row = [str(rank), t.strategies[k], format_number(round(float(median[k]), 4)),
                   format_number(round(float(t.scores[k]), 4))]
            if t.wins is not None:
                row.append(format_number(round(float(t.wins[:, k].mean()), 2)))
            rows.append(row)
        lines += ["  " + line for line in table_lines(rows, header)]
        lines.append("")
        if t.reason is not None:
            lines += textwrap.wrap(f"INCOMPLETE: the tournament was {t.reason}; the scores are those of the round "
                                   "robins played.", WIDTH)
        lines += textwrap.wrap(
            "Each strategy meets every other (and a copy of itself) in matches of the stage game; its score "
            "is its payoff per turn against the others, as in Axelrod's tournaments, ranked by the "
            "median over the repetitions; the pairwise scores are in the JSON output.", WIDTH)
        return lines

    def brief(self) -> list[str]:
        """One sentence: the ranking's top."""
        t = self.result
        median = np.median(t.normalised_scores, axis=0)
        top = [f"{t.strategies[k]} {format_number(round(float(median[k]), 4))}" for k in t.ranking[:3]]
        return textwrap.wrap(f"Round-robin tournament of {plural(len(t.strategies), 'strategy', 'strategies')}: "
                             f"best median scores per turn: {', '.join(top)}.", WIDTH)

    def metrics(self) -> dict[str, Metric]:
        t = self.result
        median = np.median(t.normalised_scores, axis=0)
        winner = int(t.ranking[0])
        out: dict[str, Metric] = {"winner": t.strategies[winner], "winner_score": float(median[winner])}
        for k, name in enumerate(t.strategies):
            out[f"score.{name}"] = float(median[k])
        return out


class TournamentAnalysis(Analysis):
    """The round-robin tournament of the scenario's ``repeated.tournament``."""

    name: ClassVar[str] = "tournament"
    title: ClassVar[str] = "tournament"
    json_path: ClassVar[tuple[str, ...]] = ("repeated", "tournament")

    def applies(self, loaded: LoadedInput) -> bool:
        spec = loaded.scenario.repeated if loaded.scenario is not None else None
        return spec is not None and spec.tournament is not None

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> TournamentSection:
        from coop.solvers.repeated.tournament import round_robin

        spec = loaded.scenario.repeated
        t = spec.tournament
        return TournamentSection(round_robin(spec.game, t.strategies, turns=t.turns, repetitions=t.repetitions,
                                             noise=t.noise, seed=t.seed, stop_after=options.time_limit,
                                             progress=options.progress))
