"""Custom automata written in a scenario: ``repeated.automata``.

A custom automaton is a Moore machine over the observed action profile
(:func:`coop.games.automata.custom`), written with labels so that a class can
read it. Each entry may be used by any player; the role words ``cooperate``
and ``defect`` stand for the using player's cooperative and defecting action
(``defect`` in a condition means *any* action other than the cooperative
one), and ``self`` in a condition stands for the using player.

.. code-block:: yaml

    repeated:
      ...
      automata:
        forgiving_trigger:
          states: [trust, punish, forgive]   # the first is the initial state unless `initial` is given
          play: {trust: cooperate, punish: defect, forgive: cooperate}
          transitions:                       # per state, rules tried in order; the first that matches applies
            trust:
              - {when: {China: defect}, to: punish}
              - {when: {self: defect}, to: punish}
            punish:
              - {to: forgive}                # a rule without `when` always matches
            forgive:
              - {to: {trust: 0.5, punish: 0.5}}
      strategies:
        - forgiving_trigger                  # every player uses it
        - {players: {US: forgiving_trigger, China: grim_trigger}}

A state without a matching rule stays where it is. Probabilities may be
formulas of the scenario's parameters. Unknown states, players or actions,
probabilities outside [0, 1] or not summing to one, and names that clash with
a built-in strategy are one error line each, at the line where they occur.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coop.games.automata import BUILDERS, PROB_TOL, Automaton, custom
from coop.games.names import STRATEGY_PARAMETERS
from coop.games.repeated import RepeatedGame
from coop.scenarios import fields
from coop.scenarios.formula import known_list, suggest
from coop.scenarios.schema import KeySpec, check_keys, identifier, text_list, text_value
from coop.scenarios.yaml_source import YNode

AUTOMATON_KEYS: dict[str, KeySpec] = {
    "states": KeySpec("the list of state names", required=True),
    "play": KeySpec("the action played in each state", required=True),
    "transitions": KeySpec("per state, the rules that choose the next state"),
    "initial": KeySpec("the initial state (default: the first)"),
}

RULE_KEYS: dict[str, KeySpec] = {
    "when": KeySpec("the observed actions this rule matches ({player: action}), or {signal: name} with signals"),
    "to": KeySpec("the next state, or {state: probability}", required=True),
}

#: The key of a condition on the public signal: ``when: {signal: bad}``.
SIGNAL = "signal"

#: Role words accepted in place of action labels.
ROLES = ("cooperate", "defect")


def strategy_name(node: YNode, customs: dict[str, CustomAutomatonSpec], hint: str = "") -> str:
    """The name of a built-in strategy or of one of the scenario's ``customs`` automata."""
    return fields.choice(node, [*BUILDERS, *customs], "strategy", hint=hint)


def strategy_parameter(node: YNode, key: str, scalar: fields.Scalar) -> Any:
    """The value of the parameter ``key`` of a built-in strategy (:data:`coop.games.names.STRATEGY_PARAMETERS`)."""
    if STRATEGY_PARAMETERS[key].kind == "count":
        return fields.whole_number(node, scalar, key, 1)
    return fields.probability(node, scalar, key)


@dataclass(frozen=True, eq=False)
class _Rule:
    when: YNode | None
    target: str | dict[str, float]
    node: YNode


@dataclass(frozen=True, eq=False)
class CustomAutomatonSpec:
    """A validated ``repeated.automata`` entry, built into an :class:`Automaton` for a given player."""

    name: str
    states: tuple[str, ...]
    play: dict[str, YNode]
    rules: dict[str, tuple[_Rule, ...]]
    initial: str
    node: YNode

    def build(self, game: RepeatedGame, player: int) -> Automaton:
        """The automaton for ``player``, with role words and ``self`` resolved; label errors point at their line."""
        stage = game.stage
        me = stage.players[player]
        actions = {}
        for state, vnode in self.play.items():
            label = text_value(vnode, f"the action of state {state!r}")
            if label not in stage.actions[player] and label in ROLES:
                label = stage.actions[player][game.cooperate[player] if label == "cooperate" else game.defect[player]]
            if label not in stage.actions[player]:
                raise vnode.error(
                    f"automaton {self.name!r} plays {label!r} in state {state!r}, which is not an action of "
                    f"{me!r}; the actions of {me!r} are {known_list(stage.actions[player])} (or cooperate/defect)"
                )
            actions[state] = label
        rules: dict[str, list[tuple[dict[str, list[str]], Any]]] = {}
        for state, state_rules in self.rules.items():
            rules[state] = [(self._condition(r, game, player), r.target) for r in state_rules]
        signals = None if game.signals is None else game.signals.names
        return custom(stage, player, self.states, actions, rules=rules, initial=self.initial, name=self.name,
                      signals=signals)

    def _condition(self, rule: _Rule, game: RepeatedGame, player: int) -> dict[str, list[str]]:
        stage = game.stage
        if rule.when is None:
            return {}
        if game.signals is not None:
            return {"signal": self._signals(rule.when, game.signals.names)}
        out: dict[str, list[str]] = {}
        for key, vnode in rule.when.items():
            if key == SIGNAL:
                raise rule.when.error(
                    f"a condition of automaton {self.name!r} on the public signal needs repeated.signals "
                    "(this game's strategies observe actions)", key=key)
            who = stage.players[player] if key == "self" else key
            if who not in stage.players:
                raise rule.when.error(
                    f"unknown player {key!r}{suggest(key, stage.players)} in a condition of automaton "
                    f"{self.name!r}; use a player name or 'self' ({known_list(stage.players)})",
                    key=key,
                )
            j = stage.players.index(who)
            labels: list[str] = []
            for label in text_list(vnode, f"the actions of {who!r} in a condition"):
                if label in stage.actions[j]:
                    labels.append(label)
                elif label == "cooperate":
                    labels.append(stage.actions[j][game.cooperate[j]])
                elif label == "defect":
                    labels += [a for k, a in enumerate(stage.actions[j]) if k != game.cooperate[j]]
                else:
                    raise vnode.error(
                        f"unknown action {label!r} of {who!r} in a condition of automaton {self.name!r}; the "
                        f"actions of {who!r} are {known_list(stage.actions[j])} (or cooperate/defect)"
                    )
            # `self` and the player's own name together: both must hold
            out[who] = [a for a in out[who] if a in labels] if who in out else labels
        return out


    def _signals(self, when: YNode, names: tuple[str, ...]) -> list[str]:
        """The signals a condition ``{signal: name or [names]}`` matches, with players refused."""
        for key in when.value:
            if key != SIGNAL:
                raise when.error(
                    f"with repeated.signals a condition of automaton {self.name!r} reads the public signal: "
                    f"{{signal: name}} with a name of {known_list(names)}; the players' actions ({key!r}) are "
                    "not observed", key=key)
        vnode = when[SIGNAL]
        labels = list(text_list(vnode, "the signals in a condition"))
        for k, label in enumerate(labels):
            if label not in names:
                where = vnode[k] if vnode.kind == "seq" else vnode
                raise where.error(f"unknown signal {label!r}{suggest(label, names)} in a condition of automaton "
                                  f"{self.name!r}; the signals are {known_list(names)}")
        return labels


def _target(node: YNode, states: tuple[str, ...], name: str, scalar: Callable[[YNode, str], float]) -> Any:
    where = f"automaton {name!r}"
    if node.kind == "scalar":
        return fields.choice(node, states, "state", where=where)
    if node.kind != "map" or len(node) == 0:
        raise node.error(f"'to' must be a state or {{state: probability}}, got {node.describe()}")
    out: dict[str, float] = {}
    for key, pnode in node.items():
        fields.choice(node, states, "state", key=key, where=where)
        p = scalar(pnode, f"the probability of moving to {key!r}")
        if not 0.0 <= p <= 1.0:
            raise pnode.error(f"the probability of moving to {key!r} must lie in [0, 1], got {p:g}")
        out[key] = p
    total = sum(out.values())
    if abs(total - 1.0) > PROB_TOL:
        raise node.error(f"the probabilities of the next state sum to {total:.12g}, expected 1")
    return out


def build_automata(node: YNode, scalar: Callable[[YNode, str], float]) -> dict[str, CustomAutomatonSpec]:
    """Validate ``repeated.automata``: a mapping from names to automaton definitions."""
    if node.kind != "map" or len(node) == 0:
        raise node.error(f"automata must be a mapping {{name: automaton}}, got {node.describe()}")
    specs: dict[str, CustomAutomatonSpec] = {}
    for name, anode in node.items():
        if name in BUILDERS:
            raise node.error(f"the automaton name {name!r} is a built-in strategy; choose another name", key=name)
        check_keys(anode, AUTOMATON_KEYS, f"automaton {name!r}")
        snode = anode["states"]
        states = tuple(identifier(s, "state name") for s in fields.sequence(snode, f"the states of automaton {name!r}"))
        for k, s in enumerate(states):
            if s in states[:k]:
                raise snode[k].error(f"automaton {name!r} has two states named {s!r}")
        pnode = anode["play"]
        if pnode.kind != "map":
            raise pnode.error(f"play must be a mapping {{state: action}}, got {pnode.describe()}")
        where = f"automaton {name!r}"
        for s in pnode.value:
            fields.choice(pnode, states, "state", key=s, where=where)
        missing = [s for s in states if s not in pnode]
        if missing:
            raise pnode.error(f"automaton {name!r} does not say what to play in state {missing[0]!r}")
        rules: dict[str, tuple[_Rule, ...]] = {}
        if "transitions" in anode:
            tnode = anode["transitions"]
            if tnode.kind != "map":
                raise tnode.error(f"transitions must be a mapping {{state: [rules]}}, got {tnode.describe()}")
            for s, rnode in tnode.items():
                fields.choice(tnode, states, "state", key=s, where=where)
                entries = [rnode] if rnode.kind == "map" else list(rnode) if rnode.kind == "seq" else None
                if entries is None:
                    raise rnode.error(
                        f"the rules of state {s!r} must be a list of {{when, to}}, got {rnode.describe()}"
                    )
                parsed = []
                for r in entries:
                    check_keys(r, RULE_KEYS, f"a rule of state {s!r}")
                    when = r.get("when")
                    if when is not None and when.kind != "map":
                        raise when.error(f"'when' must map players to actions, got {when.describe()}")
                    parsed.append(_Rule(when, _target(r["to"], states, name, scalar), r))
                rules[s] = tuple(parsed)
        initial = states[0]
        if "initial" in anode:
            initial = fields.choice(anode["initial"], states, "initial state", where=where)
        specs[name] = CustomAutomatonSpec(name, states, dict(pnode.items()), rules, initial, anode)
    return specs
