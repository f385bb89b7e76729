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

from dataclasses import dataclass
from typing import Any

from coop.errors import InputError
from coop.games.automata import automaton_size, check_table_size
from coop.games.names import CLASSIC_FIELD, STRATEGY_PARAMETERS
from coop.scenarios import fields
from coop.scenarios.automata_section import CustomAutomatonSpec, strategy_name, strategy_parameter
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.yaml_source import YNode
from coop.solvers.repeated.names import DEFAULT_REPETITIONS, DEFAULT_TOURNAMENT_SEED, DEFAULT_TURNS
from coop.solvers.repeated.sizes import check_tournament

TOURNAMENT_KEYS: dict[str, KeySpec] = {
    "strategies": KeySpec("the strategies that take part"),
    "turns": KeySpec(f"periods per match (default {DEFAULT_TURNS})"),
    "repetitions": KeySpec(f"how many times the round robin is played (default {DEFAULT_REPETITIONS})"),
    "noise": KeySpec("implementation noise in [0, 1] (default: repeated.noise)"),
    "seed": KeySpec(f"seed of the random numbers (default {DEFAULT_TOURNAMENT_SEED})"),
}

ENTRY_KEYS: dict[str, KeySpec] = {
    "strategy": KeySpec("the strategy's name", required=True),
    **{key: KeySpec(p.summary) for key, p in STRATEGY_PARAMETERS.items()},
}


@dataclass(frozen=True, eq=False)
class TournamentSpec:
    """What ``repeated.tournament`` asks for; ``strategies`` as ``round_robin`` takes them."""

    strategies: tuple[Any, ...]
    turns: int
    repetitions: int
    noise: float | None
    seed: int


def _strategy(node: YNode, customs: dict[str, CustomAutomatonSpec], scalar: fields.Scalar) -> Any:
    if node.kind == "scalar":
        name = strategy_name(node, customs)
        return customs.get(name, name)
    check_keys(node, ENTRY_KEYS, "a tournament strategy")
    name = strategy_name(node["strategy"], customs)
    if name in customs:
        extra = [k for k in node.value if k != "strategy"]
        if extra:
            raise node.error(f"the custom automaton {name!r} takes no parameters", key=extra[0])
        return customs[name]
    params: dict[str, Any] = {}
    for key, parameter in STRATEGY_PARAMETERS.items():
        if key not in node:
            continue
        if name != parameter.owner:
            raise node.error(f"{key!r} is a parameter of {parameter.owner}, not of {name}", key=key)
        params[key] = strategy_parameter(node[key], key, scalar)
    return (name, params) if params else name


def _size(strategy: Any, num_profiles: int) -> int:
    """Number of states of a parsed tournament strategy, without building it; one whose transition table would
    not fit the memory budget is refused (:func:`coop.games.automata.check_table_size`)."""
    if isinstance(strategy, CustomAutomatonSpec):
        size, name = len(strategy.states), f"automaton {strategy.name!r}"
    elif isinstance(strategy, tuple):
        size = automaton_size(strategy[0], **strategy[1])
        name = strategy[0] + "".join(f" with {k} = {v}" for k, v in strategy[1].items())
    else:
        size, name = automaton_size(strategy), strategy
    check_table_size(size, num_profiles, name)
    return size


def build_tournament(node: YNode, num_players: int, customs: dict[str, CustomAutomatonSpec],
                     scalar: fields.Scalar, num_profiles: int = 4) -> TournamentSpec:
    """Validate ``repeated.tournament`` (in a stage game of ``num_profiles`` action profiles); a tournament too
    large to play is refused here, before any automaton is built."""
    check_keys(node, TOURNAMENT_KEYS, "tournament")
    if num_players != 2:
        raise node.error(f"a tournament needs a 2-player stage game; this one has {num_players} players")
    if "strategies" in node:
        entries = fields.sequence(node["strategies"], "strategies", least=2, of="strategies")
        strategies = tuple(_strategy(s, customs, scalar) for s in entries)
    else:
        strategies = CLASSIC_FIELD
    turns = fields.whole_number(node["turns"], scalar, "turns", 1) if "turns" in node else DEFAULT_TURNS
    reps = (fields.whole_number(node["repetitions"], scalar, "repetitions", 1) if "repetitions" in node
            else DEFAULT_REPETITIONS)
    noise = fields.probability(node["noise"], scalar, "noise") if "noise" in node else None
    seed = fields.whole_number(node["seed"], scalar, "seed", 0) if "seed" in node else DEFAULT_TOURNAMENT_SEED
    try:  # a symmetric game plays the fewest matches: the solver checks again with the game's own
        check_tournament(len(strategies), turns, reps, True, max(_size(s, num_profiles) for s in strategies),
                         num_profiles)
    except InputError as err:
        raise node.error(err.message) from None
    return TournamentSpec(strategies, turns, reps, noise, seed)
