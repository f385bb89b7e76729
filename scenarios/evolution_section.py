"""The ``evolution`` section of a scenario: where populations of decision makers go.

.. code-block:: yaml

    evolution:
      populations: one               # one (a symmetric game: players drawn from one population; with N > 2
                                     # players, in groups of N) or per_player (one population per player);
                                     # default: one if the game is symmetric, else per_player
      dynamics:                      # deterministic dynamics of large populations (optional;
        - dynamic: replicator        #   default: the replicator dynamic from the centre)
          start: {restrain: 0.2, race: 0.8}   # per_player: {US: {restrain: 0.2, race: 0.8}, China: ...}
          time: 100
        - {dynamic: logit, eta: 0.1, time: 50}
      rest_points: true              # rest points of the replicator dynamic and their stability
                                     # (default: true, except per_player with 3+ players)
      basins: {resolution: 12, time: 200}      # optional: basins of attraction on a grid of starts
      finite_population:             # optional, symmetric games: a population of `size` players
        size: 100                    # Z >= 2
        selection: 1.0               # intensity of selection beta >= 0
        mutation: 0.0                # mu in [0, 1]; > 0 adds the full stationary distribution
        rule: fermi                  # fermi (pairwise comparison), moran (fitness 1 - beta + beta payoff,
                                     # beta <= 1) or moran_exp (fitness exp(beta payoff))
        group_achievement: {strategy: C, at_least: 3}   # optional: how often a group of N reaches M
        full_distribution: false     # true: every state's stationary probability in the JSON

Dynamics: ``replicator``, ``best_response``, ``logit`` (with ``eta > 0``),
``bnn`` (Brown-von Neumann-Nash) and ``smith``. Numbers may be formulas of the
scenario's parameters. A start off the simplex, negative rates, ``size < 2``,
a group larger than the population and a one-population model of a game that
is not symmetric are one error line each, at their line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.scenarios import fields
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.sections import SectionContext
from coop.scenarios.yaml_source import YNode
from coop.solvers.evolution.names import (
    DEFAULT_BASIN_RESOLUTION,
    DEFAULT_BASIN_TIME,
    DEFAULT_DYNAMIC,
    DEFAULT_LOGIT_ETA,
    DEFAULT_MUTATION,
    DEFAULT_RUN_TIME,
    DEFAULT_SELECTION,
    DEFAULT_UPDATE_RULE,
    DYNAMICS,
    POPULATIONS,
    UPDATE_RULES,
    Dynamic,
    Populations,
    UpdateRule,
)
from coop.solvers.evolution.sizes import check_basins, check_integrations, check_population

if TYPE_CHECKING:
    from coop.games.population import PopulationGame

EVOLUTION_KEYS: dict[str, KeySpec] = {
    "populations": KeySpec(f"{' or '.join(POPULATIONS)} (one: a symmetric game)"),
    "dynamics": KeySpec("deterministic dynamics to integrate: dynamic, start, time, eta"),
    "rest_points": KeySpec("whether to find the rest points and their stability (default: 2-player games)"),
    "basins": KeySpec("basins of attraction: resolution, dynamic, time"),
    "finite_population": KeySpec("a finite population: size, selection, mutation, rule"),
}

DYNAMIC_KEYS: dict[str, KeySpec] = {
    "dynamic": KeySpec(", ".join(DYNAMICS), required=True),
    "start": KeySpec("the starting shares of the actions (default: equal shares)"),
    "time": KeySpec(f"how long to integrate (default {DEFAULT_RUN_TIME:g})"),
    "eta": KeySpec(f"noise of the logit dynamic (> 0, default {DEFAULT_LOGIT_ETA:g})"),
}

BASIN_KEYS: dict[str, KeySpec] = {
    "resolution": KeySpec(f"grid steps per axis of the simplex (default {DEFAULT_BASIN_RESOLUTION})"),
    "dynamic": KeySpec(f"the dynamic (default {DEFAULT_DYNAMIC})"),
    "time": KeySpec(f"how long to integrate from each start (default {DEFAULT_BASIN_TIME:g})"),
    "eta": KeySpec(f"noise of the logit dynamic (default {DEFAULT_LOGIT_ETA:g})"),
}

FINITE_KEYS: dict[str, KeySpec] = {
    "size": KeySpec("population size Z >= 2", required=True),
    "selection": KeySpec(f"intensity of selection beta >= 0 (default {DEFAULT_SELECTION:g})"),
    "mutation": KeySpec(f"mutation (exploration) rate mu in [0, 1] (default {DEFAULT_MUTATION:g})"),
    "rule": KeySpec(f"{', '.join(UPDATE_RULES)} (default {DEFAULT_UPDATE_RULE})"),
    "group_achievement": KeySpec("how often a group reaches a threshold: {strategy, at_least}"),
    "full_distribution": KeySpec("every population state's stationary probability in the JSON (default: the 10 "
                                 "most likely)"),
}

ACHIEVEMENT_KEYS: dict[str, KeySpec] = {
    "strategy": KeySpec("the strategy that counts towards the threshold (an action)", required=True),
    "at_least": KeySpec("the threshold M: how many of the group must play it (a whole number or formula)",
                        required=True),
}

START_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class DynamicRun:
    """One deterministic run: the dynamic, its noise, the flat start state and the end time."""

    dynamic: Dynamic
    eta: float | None
    start: np.ndarray
    time: float


@dataclass(frozen=True, eq=False)
class BasinSpec:
    resolution: int
    dynamic: Dynamic
    eta: float | None
    time: float


@dataclass(frozen=True, eq=False)
class AchievementSpec:
    """``group_achievement``: groups succeed with at least ``at_least`` players of the strategy ``strategy``."""

    strategy: int
    at_least: int


@dataclass(frozen=True, eq=False)
class FiniteSpec:
    size: int
    selection: float
    mutation: float
    rule: UpdateRule
    achievement: AchievementSpec | None = None
    full_distribution: bool = False


@dataclass(frozen=True, eq=False)
class EvolutionSpec:
    """What the ``evolution`` section asks for."""

    populations: Populations
    runs: tuple[DynamicRun, ...]
    rest_points: bool
    basins: BasinSpec | None
    finite: FiniteSpec | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "populations": self.populations,
            "dynamics": [{"dynamic": r.dynamic, "eta": r.eta, "time": r.time} for r in self.runs],
            "rest_points": self.rest_points,
            "basins": None if self.basins is None else {"resolution": self.basins.resolution,
                                                        "dynamic": self.basins.dynamic, "time": self.basins.time},
            "finite_population": None if self.finite is None else {
                "size": self.finite.size, "selection": self.finite.selection, "mutation": self.finite.mutation,
                "rule": self.finite.rule, "full_distribution": self.finite.full_distribution,
                "group_achievement": None if self.finite.achievement is None else {
                    "strategy": self.finite.achievement.strategy, "at_least": self.finite.achievement.at_least}},
        }


def is_symmetric(game: NormalFormGame, tol: float = 1e-12) -> bool:
    """Every player has the same actions and swapping two players swaps their payoffs."""
    n = game.num_players
    if any(a != game.actions[0] for a in game.actions):
        return False
    pay = game.payoffs
    scale = tol * max(1.0, game.payoff_scale)
    for i in range(n - 1):
        perm = list(range(n))
        perm[i], perm[i + 1] = perm[i + 1], perm[i]
        swapped = np.transpose(pay, [0] + [p + 1 for p in perm])[perm]
        if not np.allclose(swapped, pay, atol=scale, rtol=0.0):
            return False
    return True


def _shares(node: YNode, actions: tuple[str, ...], where: str, scalar: Callable[[YNode, str], float]) -> np.ndarray:
    if node.kind != "map":
        raise node.error(f"{where} must map actions to shares, e.g. {{{actions[0]}: 0.5, ...}}, got {node.describe()}")
    x = np.zeros(len(actions))
    for key, vnode in node.items():
        a = fields.action(node, actions, key=key, where=where)
        x[a] = fields.positive(vnode, scalar, f"the share of {key}", strict=False)
    if abs(x.sum() - 1.0) > START_TOL:
        raise node.error(f"the shares in {where} sum to {x.sum():.12g}; a start on the simplex sums to 1")
    return x


def _start(node: YNode | None, game: NormalFormGame, populations: str,
           scalar: Callable[[YNode, str], float]) -> np.ndarray:
    if populations == "one":
        acts = game.actions[0]
        if node is None:
            return np.full(len(acts), 1.0 / len(acts))
        return _shares(node, acts, "start", scalar)
    if node is None:
        return np.concatenate([np.full(len(a), 1.0 / len(a)) for a in game.actions])
    shares = fields.player_map(node, game.players, "start", "shares")
    return np.concatenate([_shares(v, acts, f"start.{p}", scalar)
                           for p, acts, v in zip(game.players, game.actions, shares, strict=True)])


def _check(where: YNode, check: Callable[..., None], *args: Any) -> None:
    """Run a size check of :mod:`coop.solvers.evolution.sizes`; its refusal is located at ``where``."""
    try:
        check(*args)
    except InputError as err:
        raise where.error(err.message) from None


def build_evolution(node: YNode, game: NormalFormGame, scalar: Callable[[YNode, str], float]) -> EvolutionSpec:
    """Validate the ``evolution`` section against the stage game; work past the budgets (the integrations, the
    basins' starts, a finite population's tables) is refused here, before anything runs."""
    if node.kind == "scalar" and node.value is None:
        node = YNode("map", {}, node.line, node.place, node.source)
    check_keys(node, EVOLUTION_KEYS, "evolution")
    symmetric = is_symmetric(game)
    if "populations" in node:
        populations = fields.choice(node["populations"], POPULATIONS, "population model")
        if populations == "one" and not symmetric:
            raise node["populations"].error(
                "one population needs a symmetric game (every player with the same actions, payoffs that only "
                "depend on who plays what); use per_player")
    else:
        populations = "one" if symmetric else "per_player"
    groups = populations == "one" and game.num_players > 2
    runs: list[DynamicRun] = []
    if "dynamics" in node:
        for entry in fields.sequence(node["dynamics"], "dynamics"):
            if entry.kind == "scalar":
                dyn = fields.choice(entry, DYNAMICS, "dynamic")
                runs.append(DynamicRun(dyn, DEFAULT_LOGIT_ETA if dyn == "logit" else None,
                                       _start(None, game, populations, scalar), DEFAULT_RUN_TIME))
                continue
            check_keys(entry, DYNAMIC_KEYS, "a dynamic")
            dyn = fields.choice(entry["dynamic"], DYNAMICS, "dynamic")
            eta = None
            if dyn == "logit":
                eta = fields.positive(entry["eta"], scalar, "eta") if "eta" in entry else DEFAULT_LOGIT_ETA
            elif "eta" in entry:
                raise entry.error(f"eta is the noise of the logit dynamic, not of {dyn}", key="eta")
            time = fields.positive(entry["time"], scalar, "time") if "time" in entry else DEFAULT_RUN_TIME
            runs.append(DynamicRun(dyn, eta, _start(entry.get("start"), game, populations, scalar), time))
    else:
        runs.append(DynamicRun(DEFAULT_DYNAMIC, None, _start(None, game, populations, scalar), DEFAULT_RUN_TIME))
    one = populations == "one" and game.num_players == 2  # one population in groups runs N identical ones
    sizes = [len(game.actions[0])] if one else list(game.num_actions)
    if "dynamics" in node:
        for run, entry in zip(runs, fields.sequence(node["dynamics"], "dynamics"), strict=True):
            _check(entry, check_integrations, 1, run.time, run.dynamic, game.payoff_scale, sizes, one, run.eta)
    # one population per player of a game with three or more players has many rest points (every pure
    # profile and more): they are listed only on request
    rest = game.num_players == 2 or (groups and len(game.actions[0]) == 2)
    if "rest_points" in node:
        rest = fields.flag(node["rest_points"], "rest_points")
    basins = None
    if "basins" in node:
        bnode = node["basins"]
        if bnode.kind == "scalar" and bnode.value is True:
            bnode = YNode("map", {}, bnode.line, bnode.place, bnode.source)
        check_keys(bnode, BASIN_KEYS, "basins")
        if groups:
            raise bnode.error("basins are computed for 2-player games or one population per player; this game has "
                              f"{game.num_players} players in one population")
        res = (fields.whole_number(bnode["resolution"], scalar, "resolution", 2, 200) if "resolution" in bnode
               else DEFAULT_BASIN_RESOLUTION)
        dyn = fields.choice(bnode["dynamic"], DYNAMICS, "dynamic") if "dynamic" in bnode else DEFAULT_DYNAMIC
        eta = None
        if dyn == "logit":
            eta = fields.positive(bnode["eta"], scalar, "eta") if "eta" in bnode else DEFAULT_LOGIT_ETA
        time = fields.positive(bnode["time"], scalar, "time") if "time" in bnode else DEFAULT_BASIN_TIME
        _check(bnode, check_basins, sizes, res, time, dyn, game.payoff_scale, sizes, one, eta)
        basins = BasinSpec(res, dyn, eta, time)
    finite = None
    if "finite_population" in node:
        fnode = node["finite_population"]
        if not symmetric:
            raise fnode.error("a finite population needs a symmetric game: every player with the same actions and "
                              "payoffs that only depend on who plays what")
        finite = _finite(fnode, game.num_players, game.actions[0], scalar)
    return EvolutionSpec(populations, tuple(runs), rest, basins, finite)


def _finite(fnode: YNode, group: int, strategies: tuple[str, ...], scalar: Callable[[YNode, str], float]
            ) -> FiniteSpec:
    """``finite_population``: a population of ``size`` playing in groups of ``group`` (``strategies``)."""
    check_keys(fnode, FINITE_KEYS, "finite_population")
    z = fields.whole_number(fnode["size"], scalar, "the population size", 2)
    if group > z:
        raise fnode["size"].error(f"groups of {group} players cannot be drawn from a population of {z}")
    beta = (fields.positive(fnode["selection"], scalar, "selection", strict=False) if "selection" in fnode
            else DEFAULT_SELECTION)
    mu = fields.probability(fnode["mutation"], scalar, "mutation") if "mutation" in fnode else DEFAULT_MUTATION
    rule = fields.choice(fnode["rule"], UPDATE_RULES, "update rule") if "rule" in fnode else DEFAULT_UPDATE_RULE
    _check(fnode["size"], check_population, z, len(strategies), group)
    achievement = None
    if "group_achievement" in fnode:
        anode = fnode["group_achievement"]
        check_keys(anode, ACHIEVEMENT_KEYS, "group_achievement")
        strategy = fields.action(anode["strategy"], strategies)
        at_least = fields.whole_number(anode["at_least"], scalar, "at_least", 1, group, unit="players of the group")
        achievement = AchievementSpec(strategy, at_least)
    full = fields.flag(fnode["full_distribution"], "full_distribution") if "full_distribution" in fnode else False
    return FiniteSpec(z, beta, mu, rule, achievement, full)


def build_group_evolution(node: YNode, group: PopulationGame, scalar: Callable[[YNode, str], float]
                          ) -> EvolutionSpec:
    """The ``evolution`` section of a group too large for its normal form: a finite population only (the
    deterministic dynamics need the normal form)."""
    if node.kind == "scalar" and node.value is None:
        node = YNode("map", {}, node.line, node.place, node.source)
    check_keys(node, EVOLUTION_KEYS, "evolution")
    for key in ("dynamics", "basins", "rest_points", "populations"):
        if key in node:
            raise node.error(f"evolution.{key} needs the game's normal form; a group of {group.group_size} members "
                             "is analysed by counts: use evolution.finite_population", key=key)
    if "finite_population" not in node:
        raise node.error(f"a group of {group.group_size} members evolves in a finite population: give "
                         "evolution.finite_population (size, selection, mutation)")
    finite = _finite(node["finite_population"], group.group_size, group.strategies, scalar)
    return EvolutionSpec("one", (), False, None, finite)


def parse_evolution(node: YNode, context: SectionContext) -> EvolutionSpec:
    """The registered parser of the ``evolution`` section (see :mod:`coop.scenarios.sections`)."""
    return build_evolution(node, context.game, context.scalar)
