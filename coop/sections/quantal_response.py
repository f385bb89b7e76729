"""Logit quantal response equilibria of the scenario's stage game (its ``quantal_response`` section): the principal
branch from uniform play to a Nash equilibrium, the QRE at the lambdas asked for, and lambda fitted to observed
play.

JSON: ``quantal_response`` (:meth:`coop.solvers.nash.quantal_response.QuantalResponseResult.to_dict`). Figure:
``qre``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from coop.errors import InputError
from coop.report_text import WIDTH, format_number, format_strategy
from coop.sections.base import Analysis, Metric, PlotOptions, SectionResult, SolveOptions, SolverSection

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coop.inputs import LoadedInput

#: What a QRE and lambda are, in one sentence for the reader.
GLOSS = ("A quantal response equilibrium (QRE) models players who err, but err less on costlier mistakes: each "
         "plays an action with probability proportional to exp(lambda x its expected payoff). At lambda = 0 "
         "everyone plays at random; as lambda grows play follows one path (the principal branch) to a Nash "
         "equilibrium. lambda is in the units of the payoffs: lambda times a payoff gap is a log-odds.")


def _profile(game: Any, strategies: Any) -> str:
    return "; ".join(f"{p}: {format_strategy(game.actions[i], np.round(np.asarray(strategies[i]), 4), fraction=False)}"
                     for i, p in enumerate(game.players))


@dataclass(frozen=True, eq=False)
class QuantalResponseSection(SolverSection):
    """The traced branch (:class:`~coop.solvers.nash.quantal_response.QuantalResponseResult`); after Ctrl-C, the
    branch traced by then."""

    def text(self) -> list[str]:
        r = self.result
        game = r.game
        lines = ["Logit quantal response equilibria (QRE)"]
        lines += textwrap.wrap(GLOSS, WIDTH, initial_indent="  ", subsequent_indent="  ")
        for lam, q in zip(r.lambdas, r.at_lambda, strict=True):
            said = _profile(game, q.strategies) if q is not None else "not reached (see the notes)"
            lines += textwrap.wrap(f"At lambda = {format_number(lam)}: {said}", WIDTH, initial_indent="  ",
                                   subsequent_indent="    ")
        if r.end is not None:
            lines += textwrap.wrap(
                f"End of the branch: the Nash equilibrium {_profile(game, r.end.strategies)} (verified, regret "
                f"{r.end.relative_regret:.1e} of the stake; the branch's play is within a regret of 0.001 of the "
                f"stake of it by lambda = {format_number(round(float(r.end_lambda), 4))}).", WIDTH,
                initial_indent="  ", subsequent_indent="    ")
        elif r.stopped is not None:
            lines += textwrap.wrap(f"INCOMPLETE: the trace was {r.stopped.reason}; no end point is claimed.", WIDTH,
                                   initial_indent="  ", subsequent_indent="    ")
        if r.fit is not None:
            f = r.fit
            where = ("where the trace ends (the likelihood still grows)" if f.at_end else
                     "maximum likelihood along the principal branch")
            lines += textwrap.wrap(
                f"Fitted lambda ({where}): {format_number(round(float(f.lam), 6))}, log likelihood "
                f"{format_number(round(float(f.log_likelihood), 4))}; play there: {_profile(game, f.strategies)}",
                WIDTH, initial_indent="  ", subsequent_indent="    ")
        for note in r.notes:
            lines += textwrap.wrap(f"Note: {note}", WIDTH, initial_indent="  ", subsequent_indent="    ")
        return lines

    def brief(self) -> list[str]:
        """One sentence: where the branch ends, and the fitted lambda."""
        r = self.result
        text = ("Quantal response: the principal branch ends at "
                + (_profile(r.game, r.end.strategies) if r.end is not None else "no verified equilibrium"))
        if r.fit is not None:
            text += f"; fitted lambda {format_number(round(float(r.fit.lam), 6))}"
        return textwrap.wrap(text + ".", WIDTH)

    def metrics(self) -> dict[str, Metric]:
        r = self.result
        game = r.game
        out: dict[str, Metric] = {"end_found": r.end is not None,
                                  "end_lambda": None if r.end_lambda is None else float(r.end_lambda)}
        for i, p in enumerate(game.players):
            for k, a in enumerate(game.actions[i]):
                out[f"end.{p}.{a}"] = None if r.end is None else float(r.end.strategies[i][k])
        for lam, q in zip(r.lambdas, r.at_lambda, strict=True):
            for i, p in enumerate(game.players):
                for k, a in enumerate(game.actions[i]):
                    out[f"lambda={lam:g}.{p}.{a}"] = None if q is None else float(q.strategies[i][k])
        if r.fit is not None:
            out["fit_lambda"] = float(r.fit.lam)
            out["fit_log_likelihood"] = float(r.fit.log_likelihood)
        return out


class QuantalResponseAnalysis(Analysis):
    """The principal branch of logit QRE of the stage game, when the scenario has a ``quantal_response`` section."""

    name: ClassVar[str] = "quantal_response"
    title: ClassVar[str] = "quantal response equilibria"
    json_path: ClassVar[tuple[str, ...]] = ("quantal_response",)
    section: ClassVar[str | None] = "quantal_response"
    figures: ClassVar[Mapping[str, str]] = {
        "qre": "each action's probability along the logit QRE branch, against lambda (log scale).",
    }

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> QuantalResponseSection:
        from coop.solvers.nash.quantal_response import logit_branch

        spec = loaded.scenario.sections["quantal_response"]
        observed = list(spec.observed) if spec.observed is not None else None
        return QuantalResponseSection(logit_branch(loaded.game, spec.lambdas, observed, tol=options.tol,
                                                   stop_after=options.time_limit, progress=options.progress))

    def draw(self, kind: str, results: Mapping[str, Any], loaded: LoadedInput, options: PlotOptions) -> Figure:
        from coop.plots import draw_qre
        from coop.sections.dynamics import note_incomplete

        if kind != "qre":
            raise InputError(f"the {self.name} section draws no {kind!r} figure")
        given = results[self.name]  # the section's result, or the solver's result itself (plot_qre(..., result))
        res = given.result if isinstance(given, QuantalResponseSection) else given
        reasons = [res.stopped.reason] if res.stopped is not None else []
        return note_incomplete(draw_qre(res, loaded, options), reasons)
