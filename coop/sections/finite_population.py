"""A finite population of the scenario's ``evolution.finite_population``: fixation probabilities, the
small-mutation limit, the gradient of selection (2 strategies) and the stationary distribution with mutation.

JSON: ``evolution.finite_population``. Figures: ``stationary``, ``gradient``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from coop.errors import InputError
from coop.report_text import WIDTH, format_number, table_lines
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
from coop.solvers.shared.budgets import FULL_CHAIN_STATES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coop.inputs import LoadedInput

#: Each imitation rule in a few plain words.
RULE_PLAIN = {
    "fermi": "Fermi imitation (a player copies a better-off one with a probability that rises with the payoff gap)",
    "moran": "Moran process (players reproduce in proportion to their payoff)",
    "moran_exp": "Moran process (players reproduce in proportion to the exponential of their payoff)",
}
#: The full chain with mutation is solved up to this many population states (C(Z + m - 1, m - 1)).
MAX_FULL_CHAIN_STATES = FULL_CHAIN_STATES


def gradient_roots(bd: Any) -> list[dict[str, Any]]:
    """Where the gradient of selection changes sign: the finite population's interior rest points.

    ``bd.gradient[k]`` is T+(k) - T-(k) with ``k`` invaders; a change from + to - as ``k`` grows is a
    stable point (coexistence), from - to + an unstable one (a coordination threshold). The root is
    placed by linear interpolation and reported as a share ``k / Z`` of the invading strategy.
    """
    g = np.asarray(bd.gradient, dtype=float)
    z = bd.population_size
    tol = 1e-12 * max(1.0, float(np.abs(g).max(initial=0.0)))
    sign = np.where(g > tol, 1, np.where(g < -tol, -1, 0))[1:z]  # interior k = 1..Z-1
    roots = []
    prev_k, prev_s = 0, 0
    for k, sg in enumerate(sign, start=1):
        if sg == 0:
            continue
        if prev_s and sg != prev_s:
            a, b = g[prev_k], g[k]
            x = prev_k + (k - prev_k) * a / (a - b)
            roots.append({"share": float(x / z), "stable": bool(prev_s > 0)})
        prev_k, prev_s = k, sg
    return roots


def _batched_gradient_roots(matrices: np.ndarray, z: int, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Roots of the gradient of selection of many 2x2 pairwise games (Fermi rule, strategy 0 invading 1), as
    :func:`gradient_roots` finds them one game at a time: their number and the share of the first stable one."""
    count = matrices.shape[0]
    k = np.arange(1, z, dtype=float)
    # fitness with k invaders (strategy 0) among Z (sampling without replacement), as the single solver's kernel
    fa = ((k - 1.0) / (z - 1.0))[None, :] * matrices[:, 0, 0, None] + ((z - k) / (z - 1.0))[None, :] * matrices[:, 0, 1,
                                                                                                                 None]
    fb = (k / (z - 1.0))[None, :] * matrices[:, 1, 0, None] + ((z - k - 1.0) / (z - 1.0))[None, :] * matrices[:, 1, 1,
                                                                                                                None]
    pair = (k * (z - k) / (z * (z - 1.0)))[None, :]
    d = beta * (fa - fb)
    e = np.exp(-np.abs(d))  # the overflow-free sigmoid of the single solver, for d and for -d
    up = np.where(d >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    down = np.where(d <= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    g = np.zeros((count, z + 1))
    g[:, 1:z] = pair * up - pair * down
    tol = 1e-12 * np.maximum(1.0, np.abs(g).max(axis=1))
    sign = np.where(g > tol[:, None], 1, np.where(g < -tol[:, None], -1, 0))[:, 1:z]
    ks = np.arange(1, z)
    last = np.maximum.accumulate(np.where(sign != 0, ks[None, :], 0), axis=1)  # last nonzero k up to here
    prev = np.zeros_like(last)
    prev[:, 1:] = last[:, :-1]
    rows = np.arange(count)[:, None]
    prev_sign = np.where(prev > 0, sign[rows, np.maximum(prev - 1, 0)], 0)
    change = (sign != 0) & (prev_sign != 0) & (sign != prev_sign)
    n_roots = change.sum(axis=1).astype(np.int64)
    stable_change = change & (prev_sign > 0)
    first = np.argmax(stable_change, axis=1)
    has = stable_change.any(axis=1)
    kk = ks[first]
    pk = prev[np.arange(count), first]
    ga, gb = g[np.arange(count), pk], g[np.arange(count), kk]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (pk + (kk - pk) * ga / (ga - gb)) / z
    return n_roots, np.where(has, share, np.nan)


@dataclass(frozen=True, eq=False)
class FinitePopulationResult:
    """The population game, the small-mutation limit (with fixation), the gradient and the stationary chain."""

    spec: Any  # coop.scenarios.evolution_section.FiniteSpec
    population_game: Any  # coop.games.population.PopulationGame
    small_mutation: Any  # coop.solvers.evolution.fixation.SmallMutationResult
    gradient: Any = None  # coop.solvers.evolution.fixation.BirthDeath (2 strategies)
    stationary: Any = None  # coop.solvers.evolution.stationary.StationaryResult (with mutation)
    notes: tuple[str, ...] = field(default=())
    #: why the analysis is incomplete (the full chain with mutation skipped as too large), or None
    reason: str | None = None

    @property
    def complete(self) -> bool:
        return self.reason is None

    def achievement(self) -> dict[str, Any] | None:
        """The group achievement (:mod:`coop.solvers.evolution.group_achievement`): how often a group drawn from
        the population has at least ``at_least`` players of the strategy, with rare mutations and with mutation."""
        a = self.spec.achievement
        if a is None:
            return None
        from coop.solvers.evolution.group_achievement import group_achievement

        z, n = self.spec.size, self.population_game.group_size
        names = list(self.small_mutation.fixation.strategies)
        monomorphic = np.where(np.arange(len(names)) == a.strategy, z, 0)  # all play s: Z of them, else none
        rare = group_achievement(monomorphic, np.asarray(self.small_mutation.stationary, dtype=float), z, n,
                                 a.at_least)
        with_mutation = None
        if self.stationary is not None:
            st = self.stationary
            with_mutation = group_achievement(st.states[:, a.strategy], st.distribution, z, n, a.at_least)
        return {"strategy": names[a.strategy], "at_least": a.at_least, "group_size": n,
                "small_mutation": rare, "with_mutation": with_mutation}

    def to_dict(self) -> dict[str, Any]:
        f = self.spec
        return {
            "size": f.size, "selection": f.selection, "mutation": f.mutation, "rule": f.rule,
            "group_size": self.population_game.group_size,
            "small_mutation_limit": self.small_mutation.to_dict(),
            "gradient_of_selection": ({**self.gradient.to_dict(), "roots": gradient_roots(self.gradient)}
                                      if self.gradient is not None else None),
            "stationary": (self.stationary.to_dict(full=f.full_distribution) if self.stationary is not None
                           else None),
            "group_achievement": self.achievement(),
            "notes": list(self.notes),
            "complete": self.complete,
            "reason": self.reason,
        }

    def text(self) -> list[str]:
        f = self.spec
        sml = self.small_mutation
        fix = sml.fixation
        names = list(fix.strategies)
        group = self.population_game.group_size
        rule = RULE_PLAIN.get(f.rule, f"{f.rule} rule")
        lines = textwrap.wrap(
            f"Finite population: Z = {f.size} players, selection strength beta = {format_number(f.selection)} "
            f"(0: neutral drift, payoffs do not matter; the larger, the more payoffs decide), {rule}, "
            f"{'pairwise games' if group == 2 else f'groups of {group}'}", WIDTH, initial_indent="  ",
            subsequent_indent="    ")
        lines.append(f"  Fixation probability of one mutant (row) in a population of the column "
                     f"(neutral: 1/Z = {format_number(round(1.0 / f.size, 6))}):")
        rows = [[names[a]] + ["-" if a == r else f"{float(fix.fixation[r, a]):.3g}" for r in range(len(names))]
                for a in range(len(names))]
        lines += ["    " + line for line in table_lines(rows, ["mutant \\ resident", *names])]
        lines.append("  Small-mutation limit, share of time in each monomorphic state:")
        for k, name in enumerate(names):
            share = float(sml.stationary[k])
            lines.append(f"    {name.ljust(max(len(n) for n in names))}  {share:6.3f}  {'#' * round(40 * share)}")
        if self.gradient is not None:
            bd = self.gradient
            desc = "; ".join(f"{'stable' if r['stable'] else 'unstable'} at {100 * r['share']:.0f}% {bd.invader}"
                             for r in gradient_roots(bd)) or (f"none: selection pushes one way all along the "
                                                              f"{bd.invader}-{bd.resident} edge")
            lines += textwrap.wrap(f"Gradient of selection (T+ - T-: how much likelier the share of {bd.invader} is "
                                   f"to grow than to shrink, between all {bd.resident} and all {bd.invader}), where "
                                   f"it changes sign: {desc}", WIDTH, initial_indent="  ", subsequent_indent="    ")
        if self.stationary is not None:
            means = ", ".join(f"{n} {float(v):.3f}"
                              for n, v in zip(names, self.stationary.mean_frequencies, strict=True))
            lines += textwrap.wrap(f"With mutation (a player tries a random strategy with probability mu = "
                                   f"{format_number(f.mutation)}): the long-run average shares (over the stationary "
                                   f"distribution) are {means}", WIDTH, initial_indent="  ", subsequent_indent="    ")
        achieved = self.achievement()
        if achieved is not None:
            said = f"{achieved['small_mutation']:.3f} with rare mutations"
            if achieved["with_mutation"] is not None:
                said += f", {achieved['with_mutation']:.3f} with mutation {format_number(f.mutation)}"
            lines += textwrap.wrap(
                f"Group achievement (how often a group of {achieved['group_size']} drawn from the population has at "
                f"least {achieved['at_least']} playing {achieved['strategy']}, over the time spent in each state): "
                f"{said}", WIDTH, initial_indent="  ", subsequent_indent="    ")
        if self.stationary is not None and f.full_distribution:
            lines += textwrap.wrap(f"The stationary probability of each of the {len(self.stationary.states):,} "
                                   "population states is in the JSON output.", WIDTH, initial_indent="  ",
                                   subsequent_indent="    ")
        for note in self.notes:
            lines += textwrap.wrap(f"Note: {note}", WIDTH, initial_indent="  ", subsequent_indent="    ")
        if self.reason is not None:
            lines += textwrap.wrap(f"INCOMPLETE: {self.reason}.", WIDTH, initial_indent="  ", subsequent_indent="    ")
        lines.append("")
        lines += textwrap.wrap(
            "In a finite population a mutant that fixes more often than 1/Z is favoured by selection; the "
            "small-mutation limit says where the population spends its time when mutations are rare.", WIDTH)
        return lines

    def brief(self) -> list[str]:
        """One sentence: where the finite population spends its time."""
        sml = self.small_mutation
        names = list(sml.fixation.strategies)
        shares = ", ".join(f"{n} {100 * float(v):.0f}%" for n, v in zip(names, sml.stationary, strict=True))
        text = (f"Finite population (Z = {self.spec.size}): with rare mutations it spends its time as follows: "
                f"{shares}")
        if self.stationary is not None:
            means = ", ".join(f"{n} {float(v):.3f}"
                              for n, v in zip(names, self.stationary.mean_frequencies, strict=True))
            text += f"; with mutation {format_number(self.spec.mutation)}, the average shares are {means}"
        achieved = self.achievement()
        if achieved is not None:
            best = achieved["with_mutation"] if achieved["with_mutation"] is not None else achieved["small_mutation"]
            text += (f"; groups of {achieved['group_size']} reach {achieved['at_least']} {achieved['strategy']} "
                     f"{100 * best:.0f}% of the time")
        if self.reason is not None:
            text += " (INCOMPLETE: see the full report)"
        return textwrap.wrap(text + ".", WIDTH)

    def metrics(self) -> dict[str, Metric]:
        fix = self.small_mutation.fixation
        names = list(fix.strategies)
        z = self.spec.size
        out: dict[str, Metric] = {}
        for k, name in enumerate(names):
            out[f"small_mutation.{name}"] = float(self.small_mutation.stationary[k])
        out["small_mutation.favoured"] = names[int(np.argmax(self.small_mutation.stationary))]
        for a, mutant in enumerate(names):
            for r, resident in enumerate(names):
                if a != r:  # rho / (1/Z): above 1, selection favours the mutant
                    out[f"fixation_vs_neutral.{mutant}_in_{resident}"] = finite_or_none(float(fix.fixation[r, a]) * z)
        if self.stationary is not None:
            for name, v in zip(names, self.stationary.mean_frequencies, strict=True):
                out[f"stationary.{name}"] = float(v)
        if self.gradient is not None:
            roots = gradient_roots(self.gradient)
            out["gradient_roots"] = len(roots)
            stable = [r["share"] for r in roots if r["stable"]]
            out["gradient_stable_share"] = stable[0] if stable else None
        achieved = self.achievement()
        if achieved is not None:
            out["group_achievement.small_mutation"] = achieved["small_mutation"]
            out["group_achievement.with_mutation"] = achieved["with_mutation"]
        return out


class FinitePopulationAnalysis(Analysis):
    """Fixation, the small-mutation limit, the gradient of selection and the stationary distribution."""

    name: ClassVar[str] = "finite_population"
    title: ClassVar[str] = "finite population"
    json_path: ClassVar[tuple[str, ...]] = ("evolution", "finite_population")
    figures: ClassVar[Mapping[str, str]] = {
        "stationary": "where a finite population spends its time.",
        "gradient": "the gradient of selection of a 2-strategy finite population.",
    }

    def applies(self, loaded: LoadedInput) -> bool:
        evo = loaded.scenario.evolution if loaded.scenario is not None else None
        return evo is not None and evo.finite is not None

    def missing(self, loaded: LoadedInput) -> str:
        if loaded.scenario is None or loaded.scenario.evolution is None:
            return "a scenario with an 'evolution' section"
        return "evolution.finite_population in the scenario"

    def figure_refusal(self, kind: str, loaded: LoadedInput) -> str | None:
        """The gradient of selection is drawn for 2 strategies only."""
        if not self.applies(loaded):
            return f"the {kind} plot needs {self.missing(loaded)}"
        if kind == "gradient" and len(loaded.actions[0]) != 2:
            return "the gradient plot needs evolution.finite_population and a game with 2 strategies"
        return None

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> FinitePopulationResult:
        from coop.solvers.evolution.finite_population import num_states
        from coop.solvers.evolution.fixation import birth_death, small_mutation_limit
        from coop.solvers.evolution.stationary import stationary_distribution

        f = loaded.scenario.evolution.finite
        pop = loaded.population_game()
        sml = small_mutation_limit(pop, f.size, f.selection, rule=f.rule)
        gradient = None
        if pop.num_strategies == 2:
            gradient = birth_death(pop, f.size, f.selection, pop.strategies[0], pop.strategies[1], rule=f.rule)
        stationary = None
        reason = None
        if f.mutation > 0.0:
            states = num_states(f.size, pop.num_strategies)
            if states <= MAX_FULL_CHAIN_STATES:
                from coop.solvers.shared.progress import StoppedEarly

                try:
                    stationary = stationary_distribution(pop, f.size, f.selection, f.mutation, rule=f.rule,
                                                         stop_after=options.time_limit, progress=options.progress)
                except StoppedEarly as stop:
                    reason = (f"the stationary distribution with mutation was {stop.stopped.reason}: only the "
                              "small-mutation limit is reported")
            else:
                reason = (f"the full chain with mutation has {states:,} states (more than {MAX_FULL_CHAIN_STATES:,}), "
                          "too many to solve: only the small-mutation limit is reported (a smaller population, or "
                          "fewer strategies, gives the full stationary distribution)")
        return FinitePopulationResult(f, pop, sml, gradient, stationary, (), reason)

    def batch_columns(self, batch: PointBatch, options: SolveOptions) -> Columns | None:
        """Two strategies in pairwise games without mutation (Fermi rule): fixation and the small-mutation limit
        of every point in one compiled call (:mod:`coop.solvers.evolution.batched`), the gradient of selection
        and its roots as array operations."""
        from coop.solvers.evolution.batched import batched_fixation_2x2

        game = batch.loaded.game
        f = batch.loaded.scenario.evolution.finite
        if game.num_players != 2 or tuple(game.num_actions) != (2, 2) or game.actions[0] != game.actions[1] \
                or f.mutation > 0.0 or f.rule != "fermi" or f.achievement is not None:
            return None
        u = batch.payoffs
        matrices = u[:, 0]
        scale = np.maximum(u.reshape(u.shape[0], -1).max(axis=1) - u.reshape(u.shape[0], -1).min(axis=1), 1.0)
        if np.any(np.abs(u[:, 1] - np.swapaxes(matrices, 1, 2)) > 1e-9 * scale[:, None, None]):
            return None  # some point is not symmetric: the point-by-point path reports it
        res = batched_fixation_2x2(matrices, f.size, f.selection, rule=f.rule)
        names = list(game.actions[0])
        z = f.size
        columns: Columns = {}
        for k, name in enumerate(names):
            columns[f"small_mutation.{name}"] = res.stationary[:, k].astype(float)
        columns["small_mutation.favoured"] = np.array(names, dtype=object)[np.argmax(res.stationary, axis=1)]
        for a, mutant in enumerate(names):
            for r, resident in enumerate(names):
                if a != r:
                    columns[f"fixation_vs_neutral.{mutant}_in_{resident}"] = res.fixation[:, r, a] * z
        # the gradient's arrays are (points, Z): a batch is taken in slices that keep them within the budget
        from coop.solvers.shared.budgets import MEMORY_BYTES

        per_point = 8.0 * 16.0 * (z + 1.0)  # about sixteen (points, Z + 1) arrays at a time
        step = max(1, int(MEMORY_BYTES // per_point))
        parts = [_batched_gradient_roots(matrices[i:i + step], z, f.selection) for i in range(0, len(matrices), step)]
        roots = np.concatenate([p[0] for p in parts])
        stable = np.concatenate([p[1] for p in parts])
        columns["gradient_roots"] = roots
        columns["gradient_stable_share"] = stable
        return columns

    def draw(self, kind: str, results: Mapping[str, Any], loaded: LoadedInput, options: PlotOptions) -> Figure:
        from coop.plots import draw_gradient, draw_stationary
        from coop.sections.dynamics import note_incomplete

        result: FinitePopulationResult = results[self.name]
        if kind == "stationary":
            return note_incomplete(draw_stationary(result, loaded, options),
                                   [] if result.reason is None else [result.reason])
        if result.gradient is None:
            raise InputError("the gradient plot needs evolution.finite_population and a game with 2 strategies",
                             source=loaded.source)
        return draw_gradient(result, loaded, options)
