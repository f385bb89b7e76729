"""The ``repeated`` section of a scenario: the repeated game and the strategy profiles to analyse.

.. code-block:: yaml

    repeated:
      delta: 0.9                       # discount factor, in [0, 1) (or `continuation:`, the same number)
      horizon: 10                      # optional: a finitely repeated game (then delta may be left out)
      cooperate: {US: restrain, China: restrain}
      defect: {US: race, China: race}
      noise: 0.0                       # optional: intended action flipped with this probability
      detection: 1.0                   # optional: a defection is seen with this probability
      false_alarm: 0.0                 # optional: a cooperative act is seen as defection
      automata:                        # optional: custom automata (see automata_section.py)
        cautious:
          states: [trust, punish]
          play: {trust: cooperate, punish: defect}
          transitions: {trust: [{when: {China: defect}, to: punish}]}
      strategies:                      # optional; default: grim trigger, tit-for-tat, Pavlov
        - grim_trigger                 # every player uses it
        - {all: k_period_punishment, k: 2}
        - {name: mixed, players: {US: grim_trigger, China: tit_for_tat}}
        - {players: {US: cautious, China: tit_for_tat}}

Numbers may be formulas of the scenario's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coop.errors import InputError
from coop.games.automata import BUILDERS, Automaton
from coop.games.normal_form import NormalFormGame
from coop.games.repeated import RepeatedGame
from coop.scenarios.automata_section import CustomAutomatonSpec, build_automata
from coop.scenarios.formula import known_list, suggest
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.sections import SectionContext
from coop.scenarios.tournament_section import TournamentSpec, build_tournament
from coop.scenarios.yaml_source import YNode

REPEATED_KEYS: dict[str, KeySpec] = {
    "delta": KeySpec("discount factor in [0, 1) (a number or formula)"),
    "continuation": KeySpec("probability of another round, in [0, 1): another name for delta"),
    "horizon": KeySpec("number of periods of a finitely repeated game (default: infinite)"),
    "cooperate": KeySpec("each player's cooperative action", required=True),
    "defect": KeySpec("each player's defecting action", required=True),
    "noise": KeySpec("implementation noise epsilon in [0, 1]"),
    "detection": KeySpec("probability a defection is observed, in [0, 1]"),
    "false_alarm": KeySpec("probability a cooperative act is observed as defection, in [0, 1]"),
    "automata": KeySpec("custom automata, usable by name in strategies"),
    "strategies": KeySpec("the strategy profiles to analyse"),
    "tournament": KeySpec("a round-robin tournament of strategies (2-player games)"),
}

STRATEGY_KEYS: dict[str, KeySpec] = {
    "name": KeySpec("a label for the profile"),
    "all": KeySpec("one strategy used by every player"),
    "players": KeySpec("a strategy per player"),
    "k": KeySpec("punishment length of k_period_punishment"),
    "generosity": KeySpec("forgiveness probability of generous_tit_for_tat"),
}

#: Profiles analysed when a scenario lists none.
DEFAULT_STRATEGIES = ("grim_trigger", "tit_for_tat", "win_stay_lose_shift")


@dataclass(frozen=True, eq=False)
class StrategyProfile:
    """A named profile of automata, one per player, with the strategy names used."""

    name: str
    strategies: tuple[str, ...]
    automata: tuple[Automaton, ...]


@dataclass(frozen=True, eq=False)
class RepeatedSpec:
    """What the ``repeated`` section asks for: the repeated game and the profiles to analyse."""

    game: RepeatedGame
    profiles: tuple[StrategyProfile, ...]
    tournament: TournamentSpec | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**self.game.to_dict(), "strategies": [p.name for p in self.profiles]}


def _labels(node: YNode, stage: NormalFormGame, what: str) -> dict[str, str]:
    if node.kind != "map":
        raise node.error(f"{what} must be a mapping {{player: action}}, got {node.describe()}")
    out: dict[str, str] = {}
    for player, child in node.items():
        if player not in stage.players:
            raise node.error(
                f"unknown player {player!r}{suggest(player, stage.players)}; the players are "
                f"{known_list(stage.players)}",
                key=player,
            )
        i = stage.players.index(player)
        if child.kind != "scalar" or child.text not in stage.actions[i]:
            raise child.error(
                f"unknown action {child.text or child.describe()!r} of player {player!r}; "
                f"the actions of {player!r} are {known_list(stage.actions[i])}"
            )
        out[player] = child.text
    missing = [p for p in stage.players if p not in out]
    if missing:
        raise node.error(f"{what} has no action for player {missing[0]!r}")
    return out


def _strategy_name(node: YNode, customs: dict[str, CustomAutomatonSpec]) -> str:
    name = node.text if node.kind == "scalar" else ""
    if name not in BUILDERS and name not in customs:
        known = list(BUILDERS) + list(customs)
        raise node.error(
            f"unknown strategy {name or node.describe()!r}{suggest(name, known)}; "
            f"expected one of {known_list(known)} (or an automaton defined under 'automata')"
        )
    return name


def _automaton(game: RepeatedGame, kind: str, player: int, params: dict[str, Any],
               customs: dict[str, CustomAutomatonSpec]) -> Automaton:
    if kind in customs:
        return customs[kind].build(game, player)
    accepted = {k: v for k, v in params.items() if (k, kind) in {("k", "k_period_punishment"),
                                                                  ("generosity", "generous_tit_for_tat")}}
    return game.automaton(kind, player, **accepted)


def _profile(entry: YNode, game: RepeatedGame, scalar, customs: dict[str, CustomAutomatonSpec]) -> StrategyProfile:
    stage = game.stage
    if entry.kind == "scalar":
        kind = _strategy_name(entry, customs)
        automata = tuple(_automaton(game, kind, i, {}, customs) for i in range(stage.num_players))
        return StrategyProfile(kind, (kind,) * stage.num_players, automata)
    check_keys(entry, STRATEGY_KEYS, "a strategy profile")
    if ("all" in entry) == ("players" in entry):
        raise entry.error("a strategy profile needs exactly one of 'all' (one strategy) or 'players'")
    params: dict[str, Any] = {}
    if "k" in entry:
        k = scalar(entry["k"], "k")
        if k != int(k) or k < 1:
            raise entry["k"].error(f"k must be a whole number >= 1, got {k:g}")
        params["k"] = int(k)
    if "generosity" in entry:
        g = scalar(entry["generosity"], "generosity")
        if not 0.0 <= g <= 1.0:
            raise entry["generosity"].error(f"generosity must be a probability in [0, 1], got {g:g}")
        params["generosity"] = g
    if "all" in entry:
        kinds = (_strategy_name(entry["all"], customs),) * stage.num_players
    else:
        pnode = entry["players"]
        if pnode.kind != "map":
            raise pnode.error(f"players must be a mapping {{player: strategy}}, got {pnode.describe()}")
        chosen: dict[str, str] = {}
        for player, child in pnode.items():
            if player not in stage.players:
                raise pnode.error(f"unknown player {player!r}{suggest(player, stage.players)}", key=player)
            chosen[player] = _strategy_name(child, customs)
        missing = [p for p in stage.players if p not in chosen]
        if missing:
            raise pnode.error(f"no strategy given for player {missing[0]!r}")
        kinds = tuple(chosen[p] for p in stage.players)
    automata = [_automaton(game, kind, i, params, customs) for i, kind in enumerate(kinds)]
    if "name" in entry:
        name = entry["name"].text.strip()
    else:
        name = kinds[0] if len(set(kinds)) == 1 else " / ".join(kinds)
        if "k" in params and "k_period_punishment" in kinds:
            name += f" (k={params['k']})"
    return StrategyProfile(name, kinds, tuple(automata))


def build_repeated(node: YNode, stage: NormalFormGame, scalar) -> RepeatedSpec:
    """Validate the ``repeated`` section; ``scalar(node, what)`` evaluates a number or formula."""
    check_keys(node, REPEATED_KEYS, "repeated")
    horizon = None
    if "horizon" in node:
        h = scalar(node["horizon"], "horizon")
        if h != int(h) or h < 1:
            raise node["horizon"].error(f"horizon must be a whole number of periods >= 1, got {h:g}")
        horizon = int(h)
    if "delta" in node and "continuation" in node:
        raise node.error("give either delta or continuation (the same number), not both", key="continuation")
    key = "continuation" if "continuation" in node else "delta"
    if key not in node and horizon is None:
        raise node.error("repeated is missing the required key 'delta' (discount factor in [0, 1); it may be left "
                         "out only with a finite horizon, to count every period alike)")
    delta = None
    if key in node:
        delta = scalar(node[key], key)
        if not 0.0 <= delta < 1.0:
            raise node[key].error(f"{key} must be in [0, 1), got {delta:g}")
    probs = {}
    for key, default in (("noise", 0.0), ("detection", 1.0), ("false_alarm", 0.0)):
        probs[key] = scalar(node[key], key) if key in node else default
        if not 0.0 <= probs[key] <= 1.0:
            raise node[key].error(f"{key} must be a probability in [0, 1], got {probs[key]:g}")
    cooperate = _labels(node["cooperate"], stage, "cooperate")
    defect = _labels(node["defect"], stage, "defect")
    for p in stage.players:
        if cooperate[p] == defect[p]:
            raise node["defect"].error(f"player {p!r} has the same cooperative and defecting action {defect[p]!r}")
    try:
        game = RepeatedGame.from_labels(stage, delta, cooperate, defect, **probs, horizon=horizon)
    except InputError as err:
        raise err.located(line=node.line, place=node.place) from None
    customs = build_automata(node["automata"], scalar) if "automata" in node else {}
    if "strategies" in node:
        snode = node["strategies"]
        if snode.kind != "seq" or len(snode) == 0:
            raise snode.error(f"strategies must be a non-empty list, got {snode.describe()}")
        profiles = tuple(_profile(entry, game, scalar, customs) for entry in snode)
    else:
        profiles = tuple(StrategyProfile(k, (k,) * stage.num_players, game.profile(k)) for k in DEFAULT_STRATEGIES)
    names = [p.name for p in profiles]
    for k, name in enumerate(names):
        if name in names[:k]:
            raise node["strategies"].error(f"two strategy profiles are named {name!r}; give each a distinct name")
    tournament = None
    if "tournament" in node:
        tournament = build_tournament(node["tournament"], stage.num_players, customs, scalar)
    return RepeatedSpec(game, profiles, tournament)


def parse_repeated(node: YNode, context: SectionContext) -> RepeatedSpec:
    """The registered parser of the ``repeated`` section (see :mod:`coop.scenarios.sections`)."""
    return build_repeated(node, context.game, context.scalar)
