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

Dynamics: ``replicator``, ``best_response``, ``logit`` (with ``eta > 0``),
``bnn`` (Brown-von Neumann-Nash) and ``smith``. Numbers may be formulas of the
scenario's parameters. A start off the simplex, negative rates, ``size < 2``,
a group larger than the population and a one-population model of a game that
is not symmetric are one error line each, at their line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.games.normal_form import NormalFormGame
from coop.scenarios.formula import known_list, suggest
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.sections import SectionContext
from coop.scenarios.yaml_source import YNode

EVOLUTION_KEYS: dict[str, KeySpec] = {
    "populations": KeySpec("one (a symmetric game) or per_player"),
    "dynamics": KeySpec("deterministic dynamics to integrate: dynamic, start, time, eta"),
    "rest_points": KeySpec("whether to find the rest points and their stability (default: 2-player games)"),
    "basins": KeySpec("basins of attraction: resolution, dynamic, time"),
    "finite_population": KeySpec("a finite population: size, selection, mutation, rule"),
}

DYNAMIC_KEYS: dict[str, KeySpec] = {
    "dynamic": KeySpec("replicator, best_response, logit, bnn or smith", required=True),
    "start": KeySpec("the starting shares of the actions (default: equal shares)"),
    "time": KeySpec("how long to integrate (default 100)"),
    "eta": KeySpec("noise of the logit dynamic (> 0)"),
}

BASIN_KEYS: dict[str, KeySpec] = {
    "resolution": KeySpec("grid steps per axis of the simplex (default 10)"),
    "dynamic": KeySpec("the dynamic (default replicator)"),
    "time": KeySpec("how long to integrate from each start (default 200)"),
    "eta": KeySpec("noise of the logit dynamic"),
}

FINITE_KEYS: dict[str, KeySpec] = {
    "size": KeySpec("population size Z >= 2", required=True),
    "selection": KeySpec("intensity of selection beta >= 0 (default 1)"),
    "mutation": KeySpec("mutation (exploration) rate mu in [0, 1] (default 0)"),
    "rule": KeySpec("fermi (pairwise comparison, default), moran or moran_exp"),
}

DYNAMICS = ("replicator", "best_response", "logit", "bnn", "smith")
RULES = ("fermi", "moran", "moran_exp")
START_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class DynamicRun:
    """One deterministic run: the dynamic, its noise, the flat start state and the end time."""

    dynamic: str
    eta: float | None
    start: np.ndarray
    time: float


@dataclass(frozen=True, eq=False)
class BasinSpec:
    resolution: int
    dynamic: str
    eta: float | None
    time: float


@dataclass(frozen=True, eq=False)
class FiniteSpec:
    size: int
    selection: float
    mutation: float
    rule: str


@dataclass(frozen=True, eq=False)
class EvolutionSpec:
    """What the ``evolution`` section asks for."""

    populations: str
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
                "rule": self.finite.rule},
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


def _choice(node: YNode, options: tuple[str, ...], what: str) -> str:
    text = node.text if node.kind == "scalar" else ""
    if text not in options:
        raise node.error(f"unknown {what} {text or node.describe()!r}{suggest(text, options)}; "
                         f"expected one of {known_list(options)}")
    return text


def _positive(node: YNode, what: str, scalar: Callable[[YNode, str], float], strict: bool = True) -> float:
    x = scalar(node, what)
    if x < 0.0 or (strict and x == 0.0):
        raise node.error(f"{what} must be {'> 0' if strict else '>= 0'}, got {x:g}")
    return x


def _shares(node: YNode, actions: tuple[str, ...], where: str, scalar: Callable[[YNode, str], float]) -> np.ndarray:
    if node.kind != "map":
        raise node.error(f"{where} must map actions to shares, e.g. {{{actions[0]}: 0.5, ...}}, got {node.describe()}")
    x = np.zeros(len(actions))
    for key, vnode in node.items():
        if key not in actions:
            raise node.error(f"unknown action {key!r}{suggest(key, actions)} in {where}; the actions are "
                             f"{known_list(actions)}", key=key)
        v = scalar(vnode, f"the share of {key}")
        if v < 0.0:
            raise vnode.error(f"the share of {key} must be >= 0 (a start on the simplex), got {v:g}")
        x[actions.index(key)] = v
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
    if node.kind != "map":
        raise node.error(f"start must map each player to its shares, got {node.describe()}")
    for key in node.value:
        if key not in game.players:
            raise node.error(f"unknown player {key!r}{suggest(key, game.players)} in start; the populations are "
                             f"the players {known_list(game.players)}", key=key)
    blocks = []
    for i, p in enumerate(game.players):
        if p not in node:
            raise node.error(f"start has no shares for the population of {p!r}")
        blocks.append(_shares(node[p], game.actions[i], f"start.{p}", scalar))
    return np.concatenate(blocks)


def build_evolution(node: YNode, game: NormalFormGame, scalar: Callable[[YNode, str], float]) -> EvolutionSpec:
    """Validate the ``evolution`` section against the stage game."""
    if node.kind == "scalar" and node.value is None:
        node = YNode("map", {}, node.line, node.place, node.source)
    check_keys(node, EVOLUTION_KEYS, "evolution")
    symmetric = is_symmetric(game)
    if "populations" in node:
        populations = _choice(node["populations"], ("one", "per_player"), "population model")
        if populations == "one" and not symmetric:
            raise node["populations"].error(
                "one population needs a symmetric game (every player with the same actions, payoffs that only "
                "depend on who plays what); use per_player")
    else:
        populations = "one" if symmetric else "per_player"
    groups = populations == "one" and game.num_players > 2
    runs: list[DynamicRun] = []
    if "dynamics" in node:
        dnode = node["dynamics"]
        if dnode.kind != "seq" or len(dnode) == 0:
            raise dnode.error(f"dynamics must be a non-empty list, got {dnode.describe()}")
        for entry in dnode:
            if entry.kind == "scalar":
                runs.append(DynamicRun(_choice(entry, DYNAMICS, "dynamic"), None,
                                       _start(None, game, populations, scalar), 100.0))
                continue
            check_keys(entry, DYNAMIC_KEYS, "a dynamic")
            dyn = _choice(entry["dynamic"], DYNAMICS, "dynamic")
            eta = None
            if dyn == "logit":
                eta = _positive(entry["eta"], "eta", scalar) if "eta" in entry else 0.1
            elif "eta" in entry:
                raise entry.error(f"eta is the noise of the logit dynamic, not of {dyn}", key="eta")
            time = _positive(entry["time"], "time", scalar) if "time" in entry else 100.0
            runs.append(DynamicRun(dyn, eta, _start(entry.get("start"), game, populations, scalar), time))
    else:
        runs.append(DynamicRun("replicator", None, _start(None, game, populations, scalar), 100.0))
    # one population per player of a game with three or more players has many rest points (every pure
    # profile and more): they are listed only on request
    rest = game.num_players == 2 or (groups and len(game.actions[0]) == 2)
    if "rest_points" in node:
        rnode = node["rest_points"]
        if rnode.kind != "scalar" or not isinstance(rnode.value, bool):
            raise rnode.error(f"rest_points must be true or false, got {rnode.describe()}")
        rest = bool(rnode.value)
    basins = None
    if "basins" in node:
        bnode = node["basins"]
        if bnode.kind == "scalar" and bnode.value is True:
            bnode = YNode("map", {}, bnode.line, bnode.place, bnode.source)
        check_keys(bnode, BASIN_KEYS, "basins")
        if groups:
            raise bnode.error("basins are computed for 2-player games or one population per player; this game has "
                              f"{game.num_players} players in one population")
        res = scalar(bnode["resolution"], "resolution") if "resolution" in bnode else 10.0
        if res != int(res) or not 2 <= res <= 200:
            raise bnode["resolution"].error(f"resolution must be a whole number from 2 to 200, got {res:g}")
        dyn = _choice(bnode["dynamic"], DYNAMICS, "dynamic") if "dynamic" in bnode else "replicator"
        eta = (_positive(bnode["eta"], "eta", scalar) if "eta" in bnode else 0.1) if dyn == "logit" else None
        time = _positive(bnode["time"], "time", scalar) if "time" in bnode else 200.0
        basins = BasinSpec(int(res), dyn, eta, time)
    finite = None
    if "finite_population" in node:
        fnode = node["finite_population"]
        check_keys(fnode, FINITE_KEYS, "finite_population")
        if not symmetric:
            raise fnode.error("a finite population needs a symmetric game: every player with the same actions and "
                              "payoffs that only depend on who plays what")
        z = scalar(fnode["size"], "size")
        if z != int(z) or z < 2:
            raise fnode["size"].error(f"the population size must be a whole number >= 2, got {z:g}")
        if game.num_players > z:
            raise fnode["size"].error(f"groups of {game.num_players} players cannot be drawn from a population of "
                                      f"{int(z)}")
        beta = _positive(fnode["selection"], "selection", scalar, strict=False) if "selection" in fnode else 1.0
        mu = 0.0
        if "mutation" in fnode:
            mu = scalar(fnode["mutation"], "mutation")
            if not 0.0 <= mu <= 1.0:
                raise fnode["mutation"].error(f"mutation must be a probability in [0, 1], got {mu:g}")
        rule = _choice(fnode["rule"], RULES, "update rule") if "rule" in fnode else "fermi"
        finite = FiniteSpec(int(z), beta, mu, rule)
    return EvolutionSpec(populations, tuple(runs), rest, basins, finite)


def parse_evolution(node: YNode, context: SectionContext) -> EvolutionSpec:
    """The registered parser of the ``evolution`` section (see :mod:`coop.scenarios.sections`)."""
    return build_evolution(node, context.game, context.scalar)
