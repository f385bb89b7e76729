"""Payoff sets of the repeated game: minmax values, feasible and individually rational payoffs, and (2 players)
the equilibrium payoffs at the scenario's delta.

The equilibrium set is the set of pure-strategy subgame-perfect payoffs (public randomisation) under perfect
monitoring (:func:`~coop.solvers.repeated.payoff_sets.equilibrium_payoff_set`), and the set of perfect public
equilibrium payoffs when the players read a common signal
(:func:`~coop.solvers.repeated.public_payoff_sets.public_payoff_set`): an inspector's public report, general
public signals, or the realised actions under implementation noise, which everybody sees when monitoring is
otherwise perfect (the signal is then the realised profile). With private monitoring errors (each player's own
channel) there is no common signal and the set is not computed.

JSON: ``repeated.payoff_sets``; its ``equilibrium`` says which set it is (``kind``: ``subgame_perfect`` or
``perfect_public_equilibrium``, and ``monitoring``). Figure: ``payoff-sets`` (any 2-player game).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from coop.errors import InputError
from coop.report_text import WIDTH, format_number
from coop.sections.base import Analysis, Metric, PlotOptions, SectionResult, SolveOptions, finite_or_none

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coop.games.normal_form import NormalFormGame
    from coop.inputs import LoadedInput

#: At most this many vertices of a payoff set are listed in the text report (all are in the JSON).
MAX_VERTICES = 8


def _vertices(v: Any) -> str:
    pts = ["(" + ", ".join(format_number(float(x)) for x in row) + ")" for row in v[:MAX_VERTICES]]
    more = f" and {len(v) - MAX_VERTICES} more (see --format json)" if len(v) > MAX_VERTICES else ""
    return ", ".join(pts) + more if pts else "empty"


@dataclass(frozen=True, eq=False)
class PayoffSetsResult:
    """Minmax values and payoff sets; ``equilibrium`` is ``None`` when ``equilibrium_note`` says why."""

    stage: NormalFormGame
    minmax: Any  # coop.solvers.repeated.minmax.MinmaxResult
    feasible: Any  # coop.solvers.repeated.payoff_sets.PayoffSet
    individually_rational: Any
    equilibrium: Any = None  # coop.solvers.repeated.payoff_sets.EquilibriumPayoffSet
    equilibrium_note: str | None = None
    default_budget: bool = False  # the equilibrium set was stopped by PPE_SECONDS, not by the user's limit

    @property
    def equilibrium_reason(self) -> str | None:
        """Why the equilibrium set is incomplete (``None`` when it is not), naming the default budget."""
        eq = self.equilibrium
        if eq is None or eq.complete:
            return None
        if self.default_budget:
            return (f"the default budget of {PPE_SECONDS:g} s for this set ran out (no --time-limit given; "
                    f"--time-limit gives it more): {eq.reason}")
        return str(eq.reason)

    def to_dict(self) -> dict[str, Any]:
        eq = None
        if self.equilibrium is not None:
            eq = self.equilibrium.to_dict()
            eq["reason"] = self.equilibrium_reason
            if not is_public_set(self.equilibrium):
                eq = {"kind": "subgame_perfect", "monitoring": "perfect monitoring", **eq}
        doc = {"minmax": self.minmax.to_dict(), "feasible": self.feasible.to_dict(),
               "individually_rational": self.individually_rational.to_dict(), "equilibrium": eq}
        if self.equilibrium_note is not None:
            doc["equilibrium_note"] = self.equilibrium_note
        return doc

    def text(self) -> list[str]:
        players = self.stage.players
        mm = self.minmax
        lines = [f"Payoff sets of the repeated game ({', '.join(players)})"]
        parts = []
        for i, p in enumerate(players):
            mixed = format_number(float(mm.mixed_minmax[i]))
            if not mm.exact[i]:
                mixed = f"between {format_number(float(mm.mixed_minmax_lower[i]))} and {mixed}"
            parts.append(f"{p} {mixed} (pure {format_number(float(mm.pure_minmax[i]))})")
        lines += textwrap.wrap("minmax, the least the others can hold a player to: " + "; ".join(parts), WIDTH,
                               initial_indent="  ", subsequent_indent="    ")
        lines += textwrap.wrap(f"feasible payoffs (what the players can get by mixing outcomes over time; its "
                               f"corners): {_vertices(self.feasible.vertices)}", WIDTH,
                               initial_indent="  ", subsequent_indent="    ")
        lines += textwrap.wrap(
            f"individually rational (above every minmax): {_vertices(self.individually_rational.vertices)}",
            WIDTH, initial_indent="  ", subsequent_indent="    ")
        eq = self.equilibrium
        if eq is None:
            lines += textwrap.wrap(f"({self.equilibrium_note})", WIDTH, initial_indent="  ", subsequent_indent="   ")
        elif eq.empty:
            lines.append(f"  {set_name(eq)} at delta = {format_number(eq.delta)}: none in pure strategies")
        elif is_public_set(eq):
            worst = ", ".join(f"{p} {format_number(float(eq.punishment[i]))}" for i, p in enumerate(players))
            bound = f", within {eq.error_bound:.1g}" if eq.error_bound is not None else ""
            lines += textwrap.wrap(
                f"perfect public equilibrium payoffs at delta = {format_number(eq.delta)} (pure strategies that "
                f"read the public signal, {eq.monitoring}, with a public coin every player sees; a polygon "
                f"computed to contain the true set, by the method of Judd, Yeltekin and Conklin with the operator "
                f"of Abreu, Pearce and Stacchetti for public signals{bound}): {_vertices(eq.vertices)}; "
                f"worst equilibrium payoffs: {worst}",
                WIDTH, initial_indent="  ", subsequent_indent="    ")
        elif eq.method == "stage_nash":
            worst = ", ".join(f"{p} {format_number(float(eq.punishment[i]))}" for i, p in enumerate(players))
            lines += textwrap.wrap(
                f"subgame-perfect payoffs at delta = 0 (only the first period counts: the payoffs of the stage "
                f"game's pure Nash equilibria, with public randomisation their convex hull; exact): "
                f"{_vertices(eq.vertices)}; worst equilibrium payoffs: {worst}",
                WIDTH, initial_indent="  ", subsequent_indent="    ")
        else:
            worst = ", ".join(f"{p} {format_number(float(eq.punishment[i]))}" for i, p in enumerate(players))
            bound = f", within {eq.error_bound:.1g}" if eq.error_bound is not None else ""
            lines += textwrap.wrap(
                f"subgame-perfect payoffs at delta = {format_number(eq.delta)} (pure strategies with a public "
                f"coin every player sees; a polygon computed to contain the true set, by the method of Judd, "
                f"Yeltekin and Conklin{bound}): {_vertices(eq.vertices)}; "
                f"worst equilibrium payoffs: {worst}",
                WIDTH, initial_indent="  ", subsequent_indent="    ")
        if eq is not None and not eq.complete:
            lines += textwrap.wrap(f"INCOMPLETE: {self.equilibrium_reason}.", WIDTH, initial_indent="  ",
                                   subsequent_indent="    ")
        lines += textwrap.wrap("Folk theorem: with patient enough players every feasible, individually rational "
                               "payoff is an equilibrium payoff.", WIDTH)
        return lines

    def brief(self) -> list[str]:
        """One sentence: the minmax values and, for 2 players, the worst subgame-perfect payoffs."""
        players = self.stage.players
        mm = ", ".join(f"{p} {format_number(float(self.minmax.mixed_minmax[i]))}" for i, p in enumerate(players))
        text = f"Payoff sets: the others can hold each player down to (minmax) {mm}"
        eq = self.equilibrium
        if eq is not None and eq.empty:
            text += f"; no {set_name(eq, plural=False)} in pure strategies at delta = {format_number(eq.delta)}"
        elif eq is not None:
            worst = ", ".join(f"{p} {format_number(float(eq.punishment[i]))}" for i, p in enumerate(players))
            text += f"; the worst {set_name(eq)} at delta = {format_number(eq.delta)} are {worst}"
        return textwrap.wrap(text + ".", WIDTH)

    def metrics(self) -> dict[str, Metric]:
        out: dict[str, Metric] = {}
        for i, p in enumerate(self.stage.players):
            out[f"minmax.{p}"] = finite_or_none(self.minmax.mixed_minmax[i])
        eq = self.equilibrium
        out["equilibrium_set"] = None if eq is None else ("empty" if eq.empty else "nonempty")
        if eq is not None and not eq.empty:
            for i, p in enumerate(self.stage.players):
                out[f"worst_equilibrium_payoff.{p}"] = finite_or_none(eq.punishment[i])
        return out


def is_public_set(eq: Any) -> bool:
    """Whether an equilibrium set is the perfect public equilibrium set (else the subgame-perfect one)."""
    return getattr(eq, "kind", None) == "perfect_public_equilibrium"


def set_name(eq: Any, plural: bool = True) -> str:
    """``subgame-perfect payoffs`` or ``perfect public equilibrium payoffs`` (singular: ``... payoff``)."""
    name = "perfect public equilibrium payoff" if is_public_set(eq) else "subgame-perfect payoff"
    return name + ("s" if plural else "")


#: Seconds the perfect public equilibrium set may take when the user gives no time limit: its outer iteration can
#: crawl for minutes (a thin set, or a discount factor near a threshold); stopped, its polygon still contains
#: the set and the report says it is incomplete.
PPE_SECONDS = 20.0

#: Why no equilibrium set is drawn with private monitoring errors.
PRIVATE_NOTE = ("the equilibrium payoff set is not computed for private monitoring (each player sees the others "
                "through a channel of its own, so there is no common signal to condition on); the payoffs above "
                "are the stage game's")


def computes_public_set(stage: NormalFormGame, repeated: Any = None, delta: float | None = None) -> bool:
    """Whether :func:`payoff_sets` computes the perfect public equilibrium payoff set: a 2-player repeated game
    with a common signal that is not perfect monitoring, an infinite horizon and a discount factor (``delta``,
    else the repeated game's)."""
    delta = delta if delta is not None else (repeated.delta if repeated is not None else None)
    return (stage.num_players == 2 and repeated is not None and repeated.horizon is None and delta is not None
            and repeated.public and not repeated.perfect)


def payoff_sets(stage: NormalFormGame, repeated: Any = None, delta: float | None = None, *,
                stop_after: Any = None, progress: Any = False) -> PayoffSetsResult:
    """Minmax values and payoff sets of ``stage``; the equilibrium set at ``delta`` (or the repeated game's).

    With a repeated game that has a common signal but is not perfect (an inspector's public report, general
    public signals, or implementation noise that everybody sees) the equilibrium set is the perfect public
    equilibrium payoff set (``stop_after`` and ``progress`` go to its iteration).
    """
    from coop.solvers.repeated.minmax import minmax_values
    from coop.solvers.repeated.payoff_sets import equilibrium_payoff_set, feasible_payoff_set, individually_rational_set

    mm = minmax_values(stage)
    parts: dict[str, Any] = {
        "minmax": mm,
        "feasible": feasible_payoff_set(stage),
        "individually_rational": individually_rational_set(stage, minmax="mixed", minmax_result=mm),
    }
    delta = delta if delta is not None else (repeated.delta if repeated is not None else None)
    if stage.num_players != 2:
        note = "the subgame-perfect payoff set is computed for 2-player games only"
    elif repeated is not None and repeated.horizon is not None:
        note = "the equilibrium payoff set is computed for an infinite horizon only"
    elif repeated is not None and not repeated.perfect and not repeated.public:
        note = PRIVATE_NOTE
    elif delta is None:
        note = "the equilibrium payoff set needs a discount factor"
    elif computes_public_set(stage, repeated, delta):
        from coop.solvers.repeated.public_payoff_sets import public_payoff_set

        budget = stop_after if stop_after is not None else PPE_SECONDS
        eq = public_payoff_set(repeated, delta, stop_after=budget, progress=progress)
        return PayoffSetsResult(stage, **parts, equilibrium=eq,
                                default_budget=stop_after is None and eq.stopped is not None)
    else:
        return PayoffSetsResult(stage, **parts, equilibrium=equilibrium_payoff_set(stage, delta))
    return PayoffSetsResult(stage, **parts, equilibrium_note=note)


class PayoffSetsAnalysis(Analysis):
    """Minmax values, feasible, individually rational and subgame-perfect payoff sets of the repeated game."""

    name: ClassVar[str] = "payoff_sets"
    title: ClassVar[str] = "payoff sets"
    json_path: ClassVar[tuple[str, ...]] = ("repeated", "payoff_sets")
    figures: ClassVar[Mapping[str, str]] = {
        "payoff-sets": "feasible, individually rational and equilibrium payoff sets of a 2-player game (subgame-"
                       "perfect, or perfect public equilibrium payoffs with a public signal).",
    }

    def applies(self, loaded: LoadedInput) -> bool:
        return loaded.scenario is not None and loaded.scenario.repeated is not None

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> PayoffSetsResult:
        return payoff_sets(loaded.scenario.repeated.game.stage, loaded.scenario.repeated.game,
                           stop_after=options.time_limit, progress=options.progress)

    def figure_refusal(self, kind: str, loaded: LoadedInput) -> str | None:
        """Any 2-player game, with or without a ``repeated`` section (:meth:`figure_result`)."""
        players = loaded.game.num_players
        return None if players == 2 else f"the payoff-sets plot needs a 2-player game; this one has {players} players"

    def figure_result(self, kind: str, loaded: LoadedInput, options: PlotOptions) -> PayoffSetsResult:
        """The figure works for any 2-player stage game, with or without a ``repeated`` section."""
        game = loaded.game
        if game.num_players != 2:
            raise InputError(f"the payoff-sets plot needs a 2-player game; this one has {game.num_players} players",
                             source=loaded.source)
        spec = loaded.scenario.repeated if loaded.scenario is not None else None
        repeated = spec.game if spec is not None else None
        if repeated is not None and options.delta is not None:
            repeated = repeated.with_delta(options.delta)
        return payoff_sets(game, repeated, options.delta)

    def draw(self, kind: str, results: Mapping[str, Any], loaded: LoadedInput, options: PlotOptions) -> Figure:
        from coop.plots import draw_payoff_sets
        from coop.sections.dynamics import note_incomplete

        sets: PayoffSetsResult = results[self.name]
        eq = sets.equilibrium
        reasons = [] if eq is None or eq.complete else [str(sets.equilibrium_reason)]
        return note_incomplete(draw_payoff_sets(sets, loaded, options), reasons)
