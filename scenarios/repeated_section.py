"""The ``repeated`` section of a scenario: the repeated game and the strategy profiles to analyse.

.. code-block:: yaml

    repeated:
      delta: 0.9                       # discount factor, in [0, 1) (or `continuation:`, the same number)
      criterion: discounted            # or limit_of_means: the long-run average (then no delta)
      horizon: 10                      # optional: a finitely repeated game (then delta may be left out)
      cooperate: {US: restrain, China: restrain}
      defect: {US: race, China: race}
      noise: 0.0                       # optional: intended action flipped with this probability
      detection: 1.0                   # optional: a defection is seen with this probability
      false_alarm: 0.0                 # optional: a cooperative act is seen as defection
      monitoring: private              # or public: one report of every action that every strategy reads
      signals:                         # optional, instead of detection/false_alarm: a general public signal
        good: rest                     #   (probabilities given the realised actions; see signals_section.py)
        bad: "0.1 + 0.3 * (US.race + China.race)"
      punish_on: bad                   # the signals the built-in strategies read as an observed defection
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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from coop.errors import InputError
from coop.games.automata import Automaton, automaton_size
from coop.games.names import DEFAULT_PROFILES, STRATEGY_PARAMETERS
from coop.games.normal_form import NormalFormGame
from coop.games.public_signals import SignalDistribution
from coop.games.repeated import MONITORING, RepeatedGame
from coop.scenarios import fields
from coop.scenarios.automata_section import (
    CustomAutomatonSpec,
    build_automata,
    strategy_name,
    strategy_parameter,
)
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.sections import SectionContext
from coop.scenarios.signals_section import build_signals
from coop.scenarios.tournament_section import TournamentSpec, build_tournament
from coop.scenarios.yaml_source import YNode
from coop.solvers.repeated.sizes import DELTA_GRID, check_horizon, check_joint_states

REPEATED_KEYS: dict[str, KeySpec] = {
    "delta": KeySpec("discount factor in [0, 1) (a number or formula)"),
    "continuation": KeySpec("probability of another round, in [0, 1): another name for delta"),
    "criterion": KeySpec("how payoff streams are valued: discounted (default) or limit_of_means"),
    "horizon": KeySpec("number of periods of a finitely repeated game (default: infinite)"),
    "cooperate": KeySpec("each player's cooperative action", required=True),
    "defect": KeySpec("each player's defecting action", required=True),
    "noise": KeySpec("implementation noise epsilon in [0, 1]"),
    "detection": KeySpec("probability a defection is observed, in [0, 1]"),
    "false_alarm": KeySpec("probability a cooperative act is observed as defection, in [0, 1]"),
    "monitoring": KeySpec("private (each player's own channel, default) or public (one report everybody reads)"),
    "signals": KeySpec("a public signal: {signal: probability given the realised actions}, at most one 'rest'"),
    "punish_on": KeySpec("the signals that built-in strategies read as an observed defection"),
    "automata": KeySpec("custom automata, usable by name in strategies"),
    "strategies": KeySpec("the strategy profiles to analyse"),
    "tournament": KeySpec("a round-robin tournament of strategies (2-player games)"),
}

#: The parameters of built-in strategies that a profile may give (``p`` of ``random`` only in tournaments).
PROFILE_PARAMETERS = ("k", "generosity")

STRATEGY_KEYS: dict[str, KeySpec] = {
    "name": KeySpec("a label for the profile"),
    "all": KeySpec("one strategy used by every player"),
    "players": KeySpec("a strategy per player"),
    **{key: KeySpec(STRATEGY_PARAMETERS[key].summary) for key in PROFILE_PARAMETERS},
}


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
    children = fields.player_map(node, stage.players, what, "action")
    return {p: acts[fields.action(child, acts, p)]
            for p, acts, child in zip(stage.players, stage.actions, children, strict=True)}


def _strategy_name(node: YNode, customs: dict[str, CustomAutomatonSpec]) -> str:
    return strategy_name(node, customs, hint=" (or an automaton defined under 'automata')")


def _accepted(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The profile's parameters that the built-in strategy ``kind`` takes."""
    return {k: v for k, v in params.items() if STRATEGY_PARAMETERS[k].owner == kind}


def _automaton(game: RepeatedGame, kind: str, player: int, params: dict[str, Any],
               customs: dict[str, CustomAutomatonSpec], entry: YNode) -> Automaton:
    if kind in customs:
        return customs[kind].build(game, player)
    try:
        return game.automaton(kind, player, **_accepted(kind, params))
    except InputError as err:  # a built-in that reacts to defections, on a signal without punish_on
        raise entry.error(err.message) from None


def _check_sizes(entry: YNode, name: str, kinds: tuple[str, ...], params: dict[str, Any],
                 customs: dict[str, CustomAutomatonSpec], stage: NormalFormGame) -> None:
    """Refuse a profile whose automata would be too large to analyse, before any of them is built."""
    sizes = [len(customs[k].states) if k in customs else automaton_size(k, **_accepted(k, params)) for k in kinds]
    try:
        check_joint_states(sizes, stage.num_actions, f"the strategy profile {name!r}")
    except InputError as err:
        raise entry.error(err.message) from None


def _profile(entry: YNode, game: RepeatedGame, scalar, customs: dict[str, CustomAutomatonSpec]) -> StrategyProfile:
    stage = game.stage
    if entry.kind == "scalar":
        kind = _strategy_name(entry, customs)
        _check_sizes(entry, kind, (kind,) * stage.num_players, {}, customs, stage)
        automata = tuple(_automaton(game, kind, i, {}, customs, entry) for i in range(stage.num_players))
        return StrategyProfile(kind, (kind,) * stage.num_players, automata)
    check_keys(entry, STRATEGY_KEYS, "a strategy profile")
    if ("all" in entry) == ("players" in entry):
        raise entry.error("a strategy profile needs exactly one of 'all' (one strategy) or 'players'")
    params = {key: strategy_parameter(entry[key], key, scalar) for key in PROFILE_PARAMETERS if key in entry}
    if "all" in entry:
        kinds = (_strategy_name(entry["all"], customs),) * stage.num_players
    else:
        kinds = tuple(_strategy_name(child, customs)
                      for child in fields.player_map(entry["players"], stage.players, "players", "strategy"))
    if "name" in entry:
        name = entry["name"].text.strip()
    else:
        name = kinds[0] if len(set(kinds)) == 1 else " / ".join(kinds)
        if "k" in params and "k_period_punishment" in kinds:
            name += f" (k={params['k']})"
    _check_sizes(entry, name, kinds, params, customs, stage)
    automata = tuple(_automaton(game, kind, i, params, customs, entry) for i, kind in enumerate(kinds))
    return StrategyProfile(name, kinds, automata)


#: The values of ``criterion``.
CRITERIA = ("discounted", "limit_of_means")


def _criterion(node: YNode) -> str:
    """The section's ``criterion`` (``discounted`` when left out; spaces and hyphens read as underscores)."""
    if "criterion" not in node:
        return "discounted"
    child = node["criterion"]
    text = child.value.strip().replace(" ", "_").replace("-", "_") if isinstance(child.value, str) else None
    if text not in CRITERIA:
        raise child.error(f"criterion must be one of {', '.join(CRITERIA)}, got {child.describe()}")
    return text


def _signals(node: YNode, stage: NormalFormGame, params: Mapping[str, float]) -> SignalDistribution | None:
    """The section's public signal (``signals`` and ``punish_on``), with what it cannot go with refused."""
    if "signals" not in node:
        if "punish_on" in node:
            raise node.error("punish_on names signals of repeated.signals, which this section does not define",
                             key="punish_on")
        return None
    for key in ("detection", "false_alarm"):
        if key in node:
            raise node.error(f"signals replace the inspector's report: leave out {key} and write the report's "
                             "errors into the signals' probabilities", key=key)
    if "monitoring" in node and node["monitoring"].text.strip() == "private":
        raise node["monitoring"].error("signals are public (every strategy reads them): leave out monitoring or "
                                       "write monitoring: public; private monitoring stays with detection and "
                                       "false_alarm (payoffs only)")
    if "tournament" in node:
        raise node.error("a tournament plays strategies that observe actions; it cannot be combined with signals",
                         key="tournament")
    return build_signals(node["signals"], node.get("punish_on"), stage, params)


def build_repeated(node: YNode, stage: NormalFormGame, scalar,
                   params: Mapping[str, float] | None = None) -> RepeatedSpec:
    """Validate the ``repeated`` section; ``scalar(node, what)`` evaluates a number or formula, ``params`` are the
    scenario's parameters (what the signals' formulas may name besides the action indicators)."""
    check_keys(node, REPEATED_KEYS, "repeated")
    horizon = None
    if "horizon" in node:
        horizon = fields.whole_number(node["horizon"], scalar, "horizon", 1, unit="periods")
        try:  # the least work a horizon takes (automata of one joint state): more is refused by the solvers
            check_horizon(horizon, None, stage.num_players, max(stage.num_actions), len(DELTA_GRID))
        except InputError as err:
            raise node["horizon"].error(err.message) from None
    if "delta" in node and "continuation" in node:
        raise node.error("give either delta or continuation (the same number), not both", key="continuation")
    key = "continuation" if "continuation" in node else "delta"
    limit_of_means = _criterion(node) == "limit_of_means"
    if limit_of_means and (key in node or horizon is not None):
        other = key if key in node else "horizon"
        raise node.error(f"the limit of means values an infinite stream by its long-run average: leave out "
                         f"{other!r} (or use criterion: discounted)", key=other)
    if key not in node and horizon is None and not limit_of_means:
        raise node.error("repeated is missing the required key 'delta' (discount factor in [0, 1); it may be left "
                         "out only with a finite horizon, to count every period alike, or with "
                         "criterion: limit_of_means)")
    delta = None
    if key in node:
        delta = scalar(node[key], key)
        if not 0.0 <= delta < 1.0:
            raise node[key].error(f"{key} must be in [0, 1), got {delta:g}")
    # the monitoring probabilities left out keep RepeatedGame's defaults (no noise, perfect monitoring)
    probs: dict[str, float] = {key: fields.probability(node[key], scalar, key)
                               for key in ("noise", "detection", "false_alarm") if key in node}
    monitoring = fields.choice(node["monitoring"], MONITORING, "monitoring") if "monitoring" in node else "private"
    signals = _signals(node, stage, params or {})
    cooperate = _labels(node["cooperate"], stage, "cooperate")
    defect = _labels(node["defect"], stage, "defect")
    for p in stage.players:
        if cooperate[p] == defect[p]:
            raise node["defect"].error(f"player {p!r} has the same cooperative and defecting action {defect[p]!r}")
    try:
        game = RepeatedGame.from_labels(stage, delta, cooperate, defect, probs.get("noise", 0.0),
                                        probs.get("detection", 1.0), probs.get("false_alarm", 0.0), horizon=horizon,
                                        monitoring=monitoring, signals=signals)
    except InputError as err:
        raise err.located(node.source, node.line, node.place) from None
    customs = build_automata(node["automata"], scalar) if "automata" in node else {}
    if "strategies" in node:
        profiles = tuple(_profile(entry, game, scalar, customs)
                         for entry in fields.sequence(node["strategies"], "strategies"))
    else:
        try:
            profiles = tuple(StrategyProfile(k, (k,) * stage.num_players, game.profile(k)) for k in DEFAULT_PROFILES)
        except InputError as err:  # the default strategies on a signal without punish_on
            raise node.error(f"with no strategies given, the defaults ({', '.join(DEFAULT_PROFILES)}) are used: "
                             f"{err.message}", key="signals") from None
    names = [p.name for p in profiles]
    for k, name in enumerate(names):
        if name in names[:k]:
            raise node["strategies"].error(f"two strategy profiles are named {name!r}; give each a distinct name")
    tournament = None
    if "tournament" in node:
        tournament = build_tournament(node["tournament"], stage.num_players, customs, scalar, stage.num_profiles)
    return RepeatedSpec(game, profiles, tournament)


def parse_repeated(node: YNode, context: SectionContext) -> RepeatedSpec:
    """The registered parser of the ``repeated`` section (see :mod:`coop.scenarios.sections`)."""
    return build_repeated(node, context.game, context.scalar, context.parameters)
