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
    Table,
    format_number,
    format_probability,
    fractions_fit,
    payoff_table_objects,
    payoff_tables,
)
from coop.sections.base import Analysis, Columns, Metric, PointBatch, SectionResult, SolveOptions
from coop.sections.stage_text import (
    MAX_EQUILIBRIA_SHOWN,
    brief_lines,
    degenerate_lines,
    equilibria_lines,
    equilibria_table,
    note_lines,
    red_line_sentence,
)
from coop.solvers.shared.tolerances import PROB_EPS

if TYPE_CHECKING:
    from coop.games.normal_form import NormalFormGame
    from coop.inputs import LoadedInput
    from coop.solvers.nash.results import Equilibrium
    from coop.solvers.nash.solve import GameSolution

__all__ = ["MAX_EQUILIBRIA_SHOWN", "StageAnalysis", "StageResult"]


def red_line_crossings(loaded: LoadedInput, eq: Equilibrium) -> list[dict[str, Any]]:
    """The red lines an equilibrium crosses: those its play reaches with positive probability."""
    crossed = []
    for rl in loaded.red_lines:
        p = rl.probability(eq.strategies)
        if p > PROB_EPS:
            crossed.append({"name": rl.name, "player": rl.player or None, "action": rl.action or None,
                            "condition": rl.condition or None, "probability": min(p, 1.0)})
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


#: The most action profiles whose payoffs the JSON document lists (``stage_payoffs``; larger: ``coop export``).
MAX_PAYOFF_TABLE_PROFILES = 10_000


def stage_payoff_table(game: NormalFormGame) -> list[dict[str, Any]] | None:
    """Every action profile with each player's payoff (framing applied: the game solved), the last player's
    action changing fastest; ``None`` for a game of more than :data:`MAX_PAYOFF_TABLE_PROFILES` profiles.

    Examples
    --------
    >>> from coop.games import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], ("US", "China"),
    ...                                  (("C", "D"), ("C", "D")))
    >>> stage_payoff_table(g)[1]
    {'profile': {'US': 'C', 'China': 'D'}, 'payoffs': {'US': 0.0, 'China': 5.0}}
    """
    if game.num_profiles > MAX_PAYOFF_TABLE_PROFILES:
        return None
    flat = game.payoffs.reshape(game.num_players, -1).T.tolist()
    grids = np.indices(game.num_actions).reshape(game.num_players, -1).T.tolist()
    return [{"profile": {p: game.actions[i][a] for i, (p, a) in enumerate(zip(game.players, idx, strict=True))},
             "payoffs": dict(zip(game.players, values, strict=True))}
            for idx, values in zip(grids, flat, strict=True)]


@dataclass(frozen=True, eq=False)
class StageResult:
    """The stage game's equilibria and dominance (:class:`~coop.solvers.nash.solve.GameSolution`) in context."""

    loaded: LoadedInput
    solution: GameSolution

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C stopped the equilibrium computation (what it verified is in ``solution``)."""
        return self.solution.interrupted

    def crossings(self) -> list[list[dict[str, Any]]]:
        return [red_line_crossings(self.loaded, eq) for eq in self.solution.equilibria]

    def to_dict(self) -> dict[str, Any]:
        body = self.solution.to_dict()
        for eq_dict, crossed in zip(body["equilibria"], self.crossings(), strict=True):
            eq_dict["red_lines"] = crossed
        doc = {k: body[k] for k in ("method", "guarantee", "complete", "reason", "degenerate", "summary", "tol",
                                    "notes")}
        doc["equilibria"] = body["equilibria"]
        doc["components"] = body["components"]
        doc["pure_equilibria"] = body["pure_equilibria"]
        doc["dominance"] = body["dominance"]
        doc["red_lines"] = [r.to_dict() for r in self.loaded.red_lines]
        from coop.solvers.nash.classification import classify_2x2, selection

        game = self.loaded.game
        doc["game_type"] = classify_2x2(game).to_dict(game) if game.num_actions == (2, 2) else None
        doc["selection"] = [s.to_dict(game) for s in selection(game)]
        doc["solver"] = body["solver"]
        doc["stage_payoffs"] = stage_payoff_table(game)
        return doc

    def text(self) -> list[str]:
        game = self.loaded.game
        solution = self.solution
        lines: list[str] = []
        tables = payoff_tables(game) if self.loaded.group is None else []  # a group's payoffs: by counts, below
        if tables:
            lines.append(f"Payoffs ({', '.join(game.players)})")
            lines += tables
        from coop.solvers.nash.classification import classify_2x2

        if game.num_actions == (2, 2):
            kind = classify_2x2(game)
            lines += textwrap.wrap(f"Game type: {kind.name} ({kind.description}).", WIDTH)
            lines.append("")
        lines += _dominance_block(solution)
        lines += equilibria_lines(self)
        lines += stopped_lines(self.solution)
        lines += degenerate_lines(self)
        lines += _selection_lines(game)
        red = red_line_sentence(self)
        if red is not None:
            lines.append(red)
        lines += note_lines(self)
        return lines

    def brief(self) -> list[str]:
        """The equilibria in a sentence and a short table (``coop solve --brief``)."""
        return brief_lines(self) + stopped_lines(self.solution)

    def tables(self) -> list[Table]:
        """The payoff tables and the equilibria table (all rows), for ``--format markdown|latex|csv``."""
        return [*payoff_table_objects(self.loaded.game), equilibria_table(self, None)]

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
        return loaded.stage is not None  # a large group has no normal form: the group analysis counts

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> StageResult:
        from coop.solvers.nash.solve import solve_game

        solution = solve_game(loaded.game, method=options.method, tol=options.tol,
                              dominance=options.mixed_dominance, stop_after=options.time_limit,
                              progress=options.progress)
        return StageResult(loaded, solution)

    def batch_columns(self, batch: PointBatch, options: SolveOptions) -> Columns | None:
        """2x2 and 2x2x2 games under ``auto``: every equilibrium of every point in one compiled call
        (:mod:`coop.solvers.nash.batched`), the points it flags as degenerate solved one by one."""
        from coop.solvers.nash.batched import batched_equilibria_2x2, batched_equilibria_2x2x2

        game = batch.loaded.game
        shape = tuple(game.num_actions)
        if options.method != "auto" or options.tol is not None or shape not in ((2, 2), (2, 2, 2)):
            return None
        solve = batched_equilibria_2x2 if shape == (2, 2) else batched_equilibria_2x2x2
        res = solve(batch.payoffs)
        return _stage_columns(batch, res, options)


def _selection_lines(game: NormalFormGame) -> list[str]:
    """Which pure equilibrium is payoff dominant (best for everybody) and which risk dominant (the safer bet)."""
    from coop.solvers.nash.classification import selection

    chosen = selection(game)
    out = []
    for s in chosen:
        label = "(" + ", ".join(game.actions[i][k] for i, k in enumerate(s.profile)) + ")"
        if s.payoff_dominant:
            out.append(f"{label} is payoff dominant: every player gets at least as much as in any other pure "
                       "equilibrium.")
        if s.risk_dominant:
            losses = " x ".join(format_number(v) for v in s.deviation_losses)
            out.append(f"{label} is risk dominant: its product of the losses from deviating alone ({losses}) is the "
                       "larger, so it is the safer bet when each is unsure what the other will do (Harsanyi and "
                       "Selten 1988).")
    return [line for text in out for line in textwrap.wrap(text, WIDTH)]


def stopped_lines(solution: GameSolution) -> list[str]:
    """``INCOMPLETE: ...`` when a time limit or Ctrl-C stopped the equilibrium computation, else nothing."""
    if solution.stopped is None:
        return []
    text = (f"INCOMPLETE: the computation was {solution.stopped.reason}. The equilibria above were verified, but "
            "there may be others; run again without the limit (or with a longer one) for the full list.")
    return textwrap.wrap(text, WIDTH) + [""]


def _dominance_block(solution: GameSolution) -> list[str]:
    dom = solution.dominance
    lines = ["Iterated elimination of strictly dominated strategies"]
    lines += textwrap.wrap("(an action is strictly dominated when another action, or a mix of actions, does better "
                           "whatever the others do: no rational player plays it, and removing it may make others "
                           "dominated in turn)", WIDTH, initial_indent="  ", subsequent_indent="  ")
    if not dom.eliminations:
        lines.append("  No action is strictly dominated" + (" (by a pure or mixed strategy)." if dom.mixed else "."))
    for e in dom.eliminations:
        if e.by_mixed:
            fraction = fractions_fit(np.array(list(e.dominated_by.values()), dtype=float))
            by = ", ".join(f"{a} {format_probability(p, fraction)}" for a, p in e.dominated_by.items())
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


def _stage_columns(batch: PointBatch, res: Any, options: SolveOptions) -> Columns:
    """The stage metrics of every point from a batched equilibrium result (see :meth:`StageResult.metrics`)."""
    shape = tuple(batch.loaded.game.num_actions)
    from coop.games.normal_form import NormalFormGame
    from coop.inputs import LoadedInput
    from coop.solvers.nash.batched_dominance import batched_dominance_solvable
    from coop.solvers.nash.solve import solve_game

    loaded = batch.loaded
    game = loaded.game
    size = batch.size
    count = res.count.astype(np.int64)
    k_max = res.pure.shape[1]
    valid = np.arange(k_max)[None, :] < count[:, None]
    pure = res.pure & valid
    n_pure = pure.sum(axis=1)
    # the structure label depends on the set of pure equilibria and the number of mixed ones: one code per point
    # (a bit per pure profile, in C order, which is the reporting order of pure profiles), one label per code
    profiles = np.argmax(res.strategies, axis=3)  # (P, K, N): the action a pure equilibrium plays
    flat = np.ravel_multi_index(tuple(np.moveaxis(profiles, 2, 0)), shape)
    bits = np.where(pure, np.left_shift(np.int64(1), flat.astype(np.int64)), 0).sum(axis=1)
    codes, inverse = np.unique(bits * (k_max + 1) + (count - n_pure), return_inverse=True)
    labels = np.empty(codes.shape[0], dtype=object)
    all_profiles = list(np.ndindex(*shape))
    for u, code in enumerate(codes.tolist()):
        mask, mixed = divmod(int(code), k_max + 1)
        chosen = [prof for b, prof in enumerate(all_profiles) if mask >> b & 1]
        parts = []
        if chosen:
            parts.append(f"{len(chosen)} pure " + " ".join(
                "(" + ",".join(game.actions[i][a] for i, a in enumerate(prof)) + ")" for prof in chosen))
        if mixed:
            parts.append(f"{mixed} mixed")
        labels[u] = " + ".join(parts) if parts else "none found"
    structure = labels[inverse.reshape(-1)]
    payoff = np.where(valid[:, :, None], res.payoffs, np.nan)
    has = count > 0
    with np.errstate(invalid="ignore"):
        best = np.where(has[:, None], np.nanmax(np.where(valid[:, :, None], payoff, -np.inf), axis=1), np.nan)
        worst = np.where(has[:, None], np.nanmin(np.where(valid[:, :, None], payoff, np.inf), axis=1), np.nan)
    columns: Columns = {
        "equilibria": count.copy(),
        "pure_equilibria": n_pure.astype(np.int64),
        "mixed_equilibria": (count - n_pure).astype(np.int64),
        "structure": structure,
        "complete": np.ones(size, dtype=bool),
        "degenerate": np.zeros(size, dtype=bool),
        "dominance_solvable": batched_dominance_solvable(batch.payoffs, res.tol),
    }
    for i, p in enumerate(game.players):
        columns[f"best_payoff.{p}"] = best[:, i].astype(float)
        columns[f"worst_payoff.{p}"] = worst[:, i].astype(float)
    if loaded.red_lines:
        crossed = [valid & (rl.probabilities(res.strategies) > PROB_EPS) for rl in loaded.red_lines]
        some = np.stack([c.any(axis=1) for c in crossed], axis=1)
        every = np.stack([c.sum(axis=1) == count for c in crossed], axis=1) & has[:, None]
        names = [rl.name for rl in loaded.red_lines]
        columns["red_lines_crossed_in_some"] = some.sum(axis=1).astype(np.int64)
        columns["red_lines_crossed_in_every"] = every.sum(axis=1).astype(np.int64)
        columns["red_lines_crossed"] = np.array(
            [", ".join(n for n, hit in zip(names, row, strict=True) if hit) or "none" for row in some], dtype=object)
    # the points the batched solver flags as degenerate: solved one at a time, as coop solve would
    for point_no in (int(k) for k in np.flatnonzero(res.degenerate)):
        point_game = NormalFormGame(batch.payoffs[point_no], game.players, game.actions, game.title, game.description)
        point = LoadedInput(point_game, loaded.source, loaded.kind, loaded.scenario)
        solution = solve_game(point_game, method=options.method, tol=options.tol, dominance=options.mixed_dominance)
        for key, value in StageResult(point, solution).metrics().items():
            column = columns[key]
            if isinstance(column, np.ndarray) and column.dtype != object and (
                    value is None or not isinstance(value, (int, float, bool, np.generic))
                    or (column.dtype == bool and not isinstance(value, bool))):
                columns[key] = column = column.astype(object)
            column[point_no] = np.nan if value is None and column.dtype == float else value
    return columns
