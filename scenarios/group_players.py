"""Players given as a group by counts (``players: {group: N, actions: [...]}``): reading and payoffs.

See :mod:`coop.games.group_game` for the form and what it builds. The loader reads the form
before the parameters (:func:`read_group_form`), the group size after them (it may be a parameter),
then the payoffs by counts (:func:`group_payoffs`) and the red lines by counts
(:func:`group_red_lines`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from coop.errors import InputError
from coop.games.group_game import MAX_GROUP_SIZE, group_compositions
from coop.scenarios import fields
from coop.scenarios.formula import known_list, parse_formula, shown, suggest
from coop.scenarios.red_lines import CountRedLine, count_red_line
from coop.scenarios.schema import KeySpec, check_keys, identifier, number, text_value
from coop.scenarios.yaml_source import YNode
from coop.solvers.shared.budgets import GROUP_COMPOSITIONS as MAX_COMPOSITIONS

GROUP_KEYS: dict[str, KeySpec] = {
    "group": KeySpec("the number of members N (a whole number >= 2 or a formula of parameters)", required=True),
    "actions": KeySpec("the actions every member has", required=True),
    "member": KeySpec("the members' name prefix (default: member, giving member1 ... memberN)"),
    "description": KeySpec("who the members are"),
}

#: The scenario sections a group too large for its normal form can have (analysed by counts).
COUNT_SECTIONS = ("evolution", "sweep")


@dataclass(frozen=True)
class GroupForm:
    """``players`` as a group, read before the parameters (the size may be a formula of them)."""

    node: YNode
    actions: tuple[str, ...]
    member: str
    description: str


def read_group_form(node: YNode) -> GroupForm:
    """The group form's actions and member prefix (its size is read later, with the parameters)."""
    check_keys(node, GROUP_KEYS, "players (a group)")
    acts_node = node["actions"]
    if acts_node.kind != "seq" or len(acts_node) == 0:
        raise acts_node.error(f"the members' actions must be a non-empty list of names, got {acts_node.describe()}")
    acts: dict[str, None] = {}
    for a_node in acts_node:
        action = identifier(a_node, "action name")
        if action in acts:
            raise a_node.error(f"duplicate action {action!r}")
        acts[action] = None
    member = identifier(node["member"], "member name prefix") if "member" in node else "member"
    description = text_value(node["description"], "the group's description").strip() if "description" in node else ""
    return GroupForm(node, tuple(acts), member, description)


def group_size(form: GroupForm, scalar: Callable[[YNode, str], float]) -> int:
    """``N``, a whole number from 2 to :data:`~coop.games.group_game.MAX_GROUP_SIZE`."""
    return fields.whole_number(form.node["group"], scalar, "the group size", 2, MAX_GROUP_SIZE, unit="members")


def group_payoffs(node: YNode, form: GroupForm, size: int, params: Mapping[str, float],
                  source: str) -> np.ndarray:
    """The payoffs of ``payoffs.formulas.all`` by counts, ``(m, S)``: each own action against each composition of
    the ``N - 1`` co-players (:func:`~coop.games.group_game.group_compositions` order), with ``self.<action>``
    the member's own indicator and ``n_<action>`` the count in the whole group (the member included)."""
    formula_node = _the_formula(node)
    acts = form.actions
    m = len(acts)
    try:
        count = math.comb(size - 1 + m - 1, m - 1)
        if count > MAX_COMPOSITIONS:
            raise InputError(f"{m} actions in a group of {size} give {count:,} compositions of the co-players, more "
                             f"than {MAX_COMPOSITIONS:,}; remedy: a smaller group or fewer actions")
        comps = group_compositions(size - 1, m).astype(np.float64)  # (S, m) co-players on each action
        own = np.arange(m)[:, None]  # rows: the member's own action
        x = number(formula_node, "the members' payoff formula")
        if x is not None:
            return np.full((m, comps.shape[0]), x)
        formula = parse_formula(formula_node.value)
        env: dict[str, float | np.ndarray] = {}
        for name in sorted(formula.names):
            if name in params:
                env[name] = params[name]
            elif name.startswith("self.") and name[5:] in acts:
                env[name] = np.broadcast_to((own == acts.index(name[5:])).astype(np.float64), (m, comps.shape[0]))
            elif name.startswith("n_") and name[2:] in acts:
                k = acts.index(name[2:])
                env[name] = comps[None, :, k] + (own == k)
            else:
                near = list(params) + [f"self.{a}" for a in acts] + [f"n_{a}" for a in acts]
                raise InputError(f"unknown name {name!r}{suggest(name, near)} in formula {shown(formula.text)}; a "
                                 f"group's payoff uses parameters ({known_list(params)}), self.action (the member's "
                                 "own action) and n_action (how many of the group play it)")
        table = np.broadcast_to(np.asarray(formula.evaluate(env), dtype=np.float64), (m, comps.shape[0]))
        if not np.all(np.isfinite(table)):
            raise InputError(f"the payoff formula {shown(formula.text)} is not a finite number for every "
                             "composition of the group")
        return np.array(table)
    except InputError as err:
        raise err.located(source, formula_node.line, formula_node.place or None) from None


def _the_formula(node: YNode) -> YNode:
    """``payoffs.formulas.all``: the one payoff form a group has."""
    expected = "a group's payoffs are one formula for every member: payoffs: {formulas: {all: '...'}}"
    if node.kind != "map" or list(node.value) != ["formulas"]:
        raise node.error(expected)
    formulas = node["formulas"]
    if formulas.kind != "map" or list(formulas.value) != ["all"]:
        raise formulas.error(expected)
    return formulas["all"]


def group_red_lines(node: YNode | None, form: GroupForm, size: int, params: Mapping[str, float],
                    source: str, with_normal_form: bool) -> tuple[CountRedLine, ...]:
    """The red lines of a group as sets of compositions: ``when`` conditions over the counts, and
    ``player: all`` with an ``action`` (crossed when anybody plays it). A red line on named members needs
    the normal form: it is refused for a large group, and left to the normal form's analysis otherwise."""
    if node is None or node.kind != "seq":
        return ()
    out = []
    for entry in node:
        if entry.kind != "map" or "name" not in entry:
            continue  # the loader's own reading reports malformed entries
        name = text_value(entry["name"], "a red line name").strip()
        description = text_value(entry["description"], "a description").strip() if "description" in entry else ""
        if "when" in entry:
            condition = text_value(entry["when"], "a red line's condition")
            try:
                out.append(count_red_line(name, condition, form.actions, size, params, description))
            except InputError as err:
                raise err.located(source, entry["when"].line, entry["when"].place) from None
            continue
        player = entry.get("player")
        action = entry.get("action")
        if player is not None and player.kind == "scalar" and player.text == "all" and action is not None:
            act = form.actions[fields.action(action, form.actions)]
            out.append(count_red_line(name, f"n_{act} >= 1", form.actions, size, params, description))
        elif not with_normal_form:
            where = player if player is not None else entry
            raise where.error("a red line of a large group names no member: write player: all with an action, or "
                              "a condition on the counts (when: 'n_C < 3')")
    return tuple(out)
