"""The tournament of a scenario: ``repeated.tournament``, a round robin in the manner of Axelrod.

.. code-block:: yaml

    repeated:
      ...
      tournament:
        strategies:                  # optional; default: ten classic strategies (below)
          - tit_for_tat
          - always_defect
          - {strategy: generous_tit_for_tat, generosity: 0.2}
          - forgiving_trigger        # a custom automaton of repeated.automata
        turns: 200                   # optional, default 200
        repetitions: 10              # optional, default 10
        noise: 0.05                  # optional, default: repeated.noise
        seed: 1                      # optional, default 0: the same seed gives the same scores

Only 2-player stage games have tournaments. Every pair of strategies meets
(each strategy also meets a copy of itself, as in Axelrod's tournaments).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coop.games.automata import BUILDERS
from coop.scenarios.automata_section import CustomAutomatonSpec
from coop.scenarios.formula import known_list, suggest
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.yaml_source import YNode

TOURNAMENT_KEYS: dict[str, KeySpec] = {
    "strategies": KeySpec("the strategies that take part"),
    "turns": KeySpec("periods per match (default 200)"),
    "repetitions": KeySpec("how many times the round robin is played (default 10)"),
    "noise": KeySpec("implementation noise in [0, 1] (default: repeated.noise)"),
    "seed": KeySpec("seed of the random numbers (default 0)"),
}

ENTRY_KEYS: dict[str, KeySpec] = {
    "strategy": KeySpec("the strategy's name", required=True),
    "k": KeySpec("punishment length of k_period_punishment"),
    "generosity": KeySpec("forgiveness probability of generous_tit_for_tat"),
    "p": KeySpec("probability of cooperating of random"),
}

#: Axelrod's classic field, as coop's automata (Axelrod 1984; Nowak and Sigmund 1992, 1993).
CLASSIC_STRATEGIES = (
    "always_cooperate", "always_defect", "tit_for_tat", "grudger", "win_stay_lose_shift", "tit_for_two_tats",
    "suspicious_tit_for_tat", "generous_tit_for_tat", "alternator", "random",
)


@dataclass(frozen=True, eq=False)
class TournamentSpec:
    """What ``repeated.tournament`` asks for; ``strategies`` as ``round_robin`` takes them."""

    strategies: tuple[Any, ...]
    turns: int
    repetitions: int
    noise: float | None
    seed: int


def _whole(node: YNode, what: str, scalar: Callable[[YNode, str], float], least: int) -> int:
    x = scalar(node, what)
    if x != int(x) or x < least:
        raise node.error(f"{what} must be a whole number >= {least}, got {x:g}")
    return int(x)


def _strategy(node: YNode, customs: dict[str, CustomAutomatonSpec], scalar: Callable[[YNode, str], float]) -> Any:
    def name_of(n: YNode) -> str:
        name = n.text if n.kind == "scalar" else ""
        if name not in BUILDERS and name not in customs:
            known = list(BUILDERS) + list(customs)
            raise n.error(f"unknown strategy {name or n.describe()!r}{suggest(name, known)}; "
                          f"expected one of {known_list(known)}")
        return name

    if node.kind == "scalar":
        name = name_of(node)
        return customs.get(name, name)
    check_keys(node, ENTRY_KEYS, "a tournament strategy")
    name = name_of(node["strategy"])
    if name in customs:
        extra = [k for k in node.value if k != "strategy"]
        if extra:
            raise node.error(f"the custom automaton {name!r} takes no parameters", key=extra[0])
        return customs[name]
    params: dict[str, Any] = {}
    for key, owner in (("k", "k_period_punishment"), ("generosity", "generous_tit_for_tat"), ("p", "random")):
        if key not in node:
            continue
        if name != owner:
            raise node.error(f"{key!r} is a parameter of {owner}, not of {name}", key=key)
        value = scalar(node[key], key)
        if key == "k":
            if value != int(value) or value < 1:
                raise node[key].error(f"k must be a whole number >= 1, got {value:g}")
            value = int(value)
        elif not 0.0 <= value <= 1.0:
            raise node[key].error(f"{key} must be a probability in [0, 1], got {value:g}")
        params[key] = value
    return (name, params) if params else name


def build_tournament(node: YNode, num_players: int, customs: dict[str, CustomAutomatonSpec],
                     scalar: Callable[[YNode, str], float]) -> TournamentSpec:
    """Validate ``repeated.tournament``."""
    check_keys(node, TOURNAMENT_KEYS, "tournament")
    if num_players != 2:
        raise node.error(f"a tournament needs a 2-player stage game; this one has {num_players} players")
    if "strategies" in node:
        snode = node["strategies"]
        if snode.kind != "seq" or len(snode) < 2:
            raise snode.error(f"strategies must be a list of at least two strategies, got {snode.describe()}")
        strategies = tuple(_strategy(s, customs, scalar) for s in snode)
    else:
        strategies = CLASSIC_STRATEGIES
    turns = _whole(node["turns"], "turns", scalar, 1) if "turns" in node else 200
    reps = _whole(node["repetitions"], "repetitions", scalar, 1) if "repetitions" in node else 10
    noise = None
    if "noise" in node:
        noise = scalar(node["noise"], "noise")
        if not 0.0 <= noise <= 1.0:
            raise node["noise"].error(f"noise must be a probability in [0, 1], got {noise:g}")
    seed = _whole(node["seed"], "seed", scalar, 0) if "seed" in node else 0
    return TournamentSpec(strategies, turns, reps, noise, seed)
