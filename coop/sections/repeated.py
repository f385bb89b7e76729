"""The repeated game: which strategy profiles are subgame perfect, and from which discount factor on.

JSON: ``repeated`` (the repeated game's parameters and one entry per strategy profile).
Figure: ``critical-delta``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from coop.errors import InputError
from coop.report_text import WIDTH, Table, format_number, format_probability
from coop.sections.base import (
    Analysis,
    Columns,
    Metric,
    PlotOptions,
    PointBatch,
    SectionResult,
    SolveOptions,
    finite_or_none,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coop.inputs import LoadedInput


def patience(game: Any) -> str:
    """``delta = 0.9``, with the horizon of a finitely repeated game; ``limit of means`` for an infinite game
    without discounting."""
    if game.delta is None and game.horizon is None:
        return "limit of means"
    d = "no discounting" if game.delta is None else f"delta = {format_number(game.delta)}"
    return d if game.horizon is None else f"{game.horizon} periods, {d}"


def limit_of_means(game: Any) -> bool:
    """Whether an infinitely repeated game is valued by the limit of means (no discount factor)."""
    return game.delta is None and game.horizon is None


def delta_text(x: float | None) -> str:
    """A critical discount factor for reading: ``never``, ``any`` or the number."""
    return "never" if x is None else format_probability(x) if x > 0 else "any"


def _named_profile(stage: Any, flat: int) -> dict[str, str]:
    import numpy as np

    idx = np.unravel_index(flat, stage.num_actions)
    return {p: stage.actions[i][int(idx[i])] for i, p in enumerate(stage.players)}


def signal_rows(game: Any) -> list[tuple[str, dict[str, str], dict[str, float]]]:
    """The public signal's distribution at the cooperative profile, at each player's lone defection from it and
    at general defection (intended actions, noise included): ``(what, profile, {signal: probability})``."""
    import numpy as np

    from coop.games.public_signals import public_signal_structure

    stage = game.stage
    structure = public_signal_structure(game)
    coop = np.array(game.cooperate)
    cases = [("cooperation", coop.copy())]
    if stage.num_players <= 4:
        for i, p in enumerate(stage.players):
            lone = coop.copy()
            lone[i] = game.defect[i]
            cases.append((f"{p} defects alone", lone))
    cases.append(("all defect", np.array(game.defect)))
    out = []
    for what, prof in cases:
        flat = int(np.ravel_multi_index(tuple(prof), stage.num_actions))
        probs = {n: float(x) for n, x in zip(structure.names, structure.probabilities[flat], strict=True)}
        out.append((what, _named_profile(stage, flat), probs))
    return out


def signals_dict(game: Any) -> dict[str, Any]:
    """JSON ``repeated.signals``: names, ``punish_on``, the distribution at cooperation and at defections
    (intended actions, noise included) and the table given every realised profile."""
    sig = game.signals
    return {
        "names": list(sig.names),
        "punish_on": list(sig.punish_on),
        "equilibrium": "perfect public equilibrium",
        "at": [{"case": what, "profile": prof, "probabilities": probs} for what, prof, probs in signal_rows(game)],
        "given_realised_profile": [
            {"profile": _named_profile(game.stage, f),
             "probabilities": {n: float(x) for n, x in zip(sig.names, row, strict=True)}}
            for f, row in enumerate(sig.table)],
    }


@dataclass(frozen=True, eq=False)
class RepeatedResult:
    """One :class:`~coop.solvers.repeated.profile_analysis.ProfileAnalysis` per strategy profile."""

    spec: Any  # coop.scenarios.repeated_section.RepeatedSpec
    profiles: tuple[Any, ...]

    def to_dict(self) -> dict[str, Any]:
        game = self.spec.game
        criterion = "limit of means" if limit_of_means(game) else "discounted"
        out = {**game.to_dict(), "criterion": criterion, "profiles": [a.to_dict() for a in self.profiles]}
        if game.signals is not None:
            out["signals"] = signals_dict(game)
        return out

    def text(self) -> list[str]:
        game = self.spec.game
        stage = game.stage
        roles = "; ".join(
            f"{p} cooperates with {stage.actions[i][game.cooperate[i]]}, defects with "
            f"{stage.actions[i][game.defect[i]]}" for i, p in enumerate(stage.players)
        )
        if limit_of_means(game):
            head = ("Repeated game: limit of means (each player values the long-run average payoff: any finite "
                    "number of periods counts for nothing, as for perfectly patient players)")
        else:
            head = (f"Repeated game: {'discount factor ' if game.horizon is None else ''}{patience(game)} (how "
                    "much each next period counts against the current one: 0, only the present; near 1, the "
                    "future almost as much)")
        lines = textwrap.wrap(head, WIDTH, subsequent_indent="  ")
        lines += textwrap.wrap(roles, WIDTH, initial_indent="  ", subsequent_indent="  ")
        if game.noise > 0.0:
            lines += textwrap.wrap(
                f"  implementation noise {format_number(game.noise)}: an intended action is flipped with this "
                "probability; everything below includes it", WIDTH, subsequent_indent="  ")
        if game.signals is not None:
            lines += self._signal_text(game)
        elif game.monitoring == "public" and (game.detection != 1.0 or game.false_alarm != 0.0):
            lines += textwrap.wrap(
                f"  public monitoring: one report of every player's action, which everybody reads (an inspector's), "
                f"with detection {format_number(game.detection)} (a defection is reported as one) and false alarm "
                f"{format_number(game.false_alarm)} (a cooperation is reported as a defection); the strategies react "
                "to the report, so payoffs, subgame perfection (of a perfect public equilibrium) and critical delta "
                "all include these errors", WIDTH, subsequent_indent="  ")
        elif game.detection != 1.0 or game.false_alarm != 0.0:
            lines += textwrap.wrap(
                f"  detection {format_number(game.detection)}, false alarm {format_number(game.false_alarm)}: "
                "the payoffs include these monitoring errors; subgame perfection and critical delta are computed "
                "with perfect monitoring (private signals make the automaton states private; monitoring: public "
                "makes them a public report)", WIDTH, subsequent_indent="  ")
        lines.append("")
        lines += self.tables()[0].text()
        for a in self.profiles:
            if not a.complete:
                lines += textwrap.wrap(f"INCOMPLETE ({a.name}): {a.reason}.", WIDTH, initial_indent="  ",
                                       subsequent_indent="    ")
        lines.append("")
        if limit_of_means(game):
            lines += textwrap.wrap(
                "Under the limit of means a profile is subgame perfect (SPE) when no player raises their long-run "
                "average by any strategy after any history, and Nash when not from the start; a deviation that "
                "gains for a while only is worth nothing, so a profile can be SPE here and for no discount factor "
                "(a tie between a one-time gain and a one-time loss). The columns of delta are those of "
                "discounting, for comparison:", WIDTH)
            lines.append("")
        lines += textwrap.wrap(
            "A profile is subgame perfect (SPE) when no player gains from a one-shot deviation after any history; "
            "its critical delta is the least discount factor from which this holds ('any': every delta, "
            "'never': no delta close to 1). 'Nash from delta' asks less: no player gains by any strategy "
            "from the start (threats need not be credible), as for tit-for-tat in Axelrod's tournaments.",
            WIDTH,
        )
        return lines

    @staticmethod
    def _signal_text(game: Any) -> list[str]:
        """The public signal: what it is, its distribution where it matters, and what the strategies read."""
        sig = game.signals
        punish = (f"; the built-in strategies read {', '.join(sig.punish_on)} as an observed defection"
                  if sig.punish_on else "")
        lines = textwrap.wrap(
            f"  public signal: {', '.join(sig.names)}, drawn each period given the actions played and seen by "
            f"everybody; the strategies react to the signal, not to the actions{punish}. Subgame perfection is "
            "that of a perfect public equilibrium (Fudenberg, Levine and Maskin 1994): payoffs follow the actions "
            "played, the strategies the signal. Its probabilities" + (
                " (with the noise):" if game.noise > 0.0 else ":"), WIDTH, subsequent_indent="  ")
        for what, prof, probs in signal_rows(game):
            shown = ", ".join(f"{n} {format_number(p)}" for n, p in probs.items())
            played = ", ".join(prof.values())
            lines += textwrap.wrap(f"    {what} ({played}): {shown}", WIDTH, subsequent_indent="      ")
        return lines

    def tables(self) -> list[Table]:
        """The strategy profiles' table (for ``--format markdown|latex``)."""
        game = self.spec.game
        names = ", ".join(game.stage.players)
        lom = limit_of_means(game)
        header = ["strategies", f"SPE at {patience(game)}", *(["Nash"] if lom else []), f"critical delta ({names})",
                  "Nash from delta", f"{'average ' if lom else ''}payoffs ({names})"]
        rows = [[a.name, "yes" if a.subgame_perfect else "no", *([("yes" if a.nash else "no")] if lom else []),
                 ", ".join(delta_text(d) for d in a.critical_delta), delta_text(a.nash_critical_delta_overall),
                 ", ".join(format_number(float(v)) for v in a.payoffs)]
                for a in self.profiles]
        return [Table("repeated", f"Repeated game ({patience(game)}): subgame perfection (SPE) and critical "
                      "discount factors", header, rows)]

    def brief(self) -> list[str]:
        """One sentence: which profiles are subgame perfect, and from which discount factor."""
        game = self.spec.game
        spe = [a.name for a in self.profiles if a.subgame_perfect]
        said = f"subgame perfect: {', '.join(spe)}" if spe else "no strategy profile is subgame perfect"
        crit = ", ".join(f"{a.name} {delta_text(a.critical_delta_overall)}" for a in self.profiles)
        return textwrap.wrap(f"Repeated game ({patience(game)}): {said}; critical delta (the least patience that "
                             f"sustains each): {crit}.", WIDTH)

    def metrics(self) -> dict[str, Metric]:
        players = self.spec.game.stage.players
        out: dict[str, Metric] = {}
        for a in self.profiles:
            out[f"{a.name}.spe"] = bool(a.subgame_perfect)
            out[f"{a.name}.critical_delta"] = finite_or_none(a.critical_delta_overall)
            for p, d in zip(players, a.critical_delta, strict=True):
                out[f"{a.name}.critical_delta.{p}"] = finite_or_none(d)
        return out


def _uses_parameters(node: Any, names: set[str], skip: set[str]) -> bool:
    """Whether any text in the section (outside the keys ``skip``) names a parameter."""
    import re

    if node.kind == "map":
        return any(_uses_parameters(child, names, set()) for key, child in node.items() if key not in skip)
    if node.kind == "seq":
        return any(_uses_parameters(child, names, set()) for child in node)
    return isinstance(node.value, str) and bool(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", node.value)) & names)


class RepeatedAnalysis(Analysis):
    """Subgame perfection and critical discount factors of the scenario's strategy profiles."""

    name: ClassVar[str] = "repeated"
    title: ClassVar[str] = "repeated game"
    json_path: ClassVar[tuple[str, ...]] = ("repeated",)
    figures: ClassVar[Mapping[str, str]] = {
        "critical-delta": "the discount factor each strategy profile (and institution) needs.",
    }
    figure_inputs: ClassVar[Mapping[str, tuple[str, ...]]] = {"critical-delta": ("institutions",)}

    def applies(self, loaded: LoadedInput) -> bool:
        return loaded.scenario is not None and loaded.scenario.repeated is not None

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> RepeatedResult:
        from coop.solvers.repeated.profile_analysis import analyse_profile

        spec = loaded.scenario.repeated
        analyses = []
        for p in spec.profiles:
            try:
                analyses.append(analyse_profile(spec.game, p.name, p.automata))
            except InputError as err:  # a size refused by the solver: say which profile
                raise InputError(f"the strategy profile {p.name!r}: {err.message}", source=loaded.source) from None
        return RepeatedResult(spec, tuple(analyses))

    def batch_columns(self, batch: PointBatch, options: SolveOptions) -> Columns | None:
        """Two players, an infinite horizon and perfect monitoring: each profile's critical discount factor and
        subgame perfection at every point's delta in one compiled call per profile
        (:mod:`coop.solvers.repeated.batched`)."""
        import numpy as np

        from coop.scenarios.evaluation import batched_values
        from coop.solvers.repeated.batched import batched_critical_delta, batched_subgame_perfect

        scenario = batch.loaded.scenario
        spec = scenario.repeated
        game = spec.game
        node = scenario.document["repeated"] if scenario.document is not None else None
        if (node is None or game.num_players != 2 or game.horizon is not None or game.delta is None
                or game.detection != 1.0 or game.signals is not None
                or game.false_alarm != 0.0):
            return None
        try:
            deltas = batched_values(scenario, batch.points, node["continuation" if "continuation" in node else "delta"])
            noise = batched_values(scenario, batch.points, node["noise"]) if "noise" in node else None
        except InputError:
            return None
        if not np.all((deltas >= 0.0) & (deltas < 1.0)) or (noise is not None and np.ptp(noise) > 0.0):
            return None  # a point the loader refuses, or noise that varies: point by point
        if _uses_parameters(node, set(scenario.parameters), skip={"delta", "continuation", "noise"}):
            return None  # strategies with parameters (a generosity, a k) may change from point to point
        columns: Columns = {}
        players = game.stage.players
        for profile in spec.profiles:
            crit = batched_critical_delta(batch.payoffs, profile.automata, game.cooperate, game.defect,
                                          noise=game.noise)
            columns[f"{profile.name}.spe"] = batched_subgame_perfect(batch.payoffs, deltas, profile.automata,
                                                                     game.cooperate, game.defect, noise=game.noise)
            columns[f"{profile.name}.critical_delta"] = np.asarray(crit.overall, dtype=float)
            for i, p in enumerate(players):
                columns[f"{profile.name}.critical_delta.{p}"] = np.asarray(crit.per_player[:, i], dtype=float)
        return columns

    def draw(self, kind: str, results: Mapping[str, Any], loaded: LoadedInput, options: PlotOptions) -> Figure:
        from coop.plots import critical_delta_rows, draw_critical_delta

        result: RepeatedResult = results[self.name]
        rows, notes = critical_delta_rows(result, results.get("institutions"))
        delta = options.delta if options.delta is not None else result.spec.game.delta
        return draw_critical_delta(rows, delta, loaded.game.title or loaded.source, options, notes)
