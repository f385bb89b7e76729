"""The stage payoffs of a scenario evaluated again, with some parameters given new values of any kind.

The loader (:mod:`coop.scenarios.loader`) validates a document and evaluates it
once, with numbers. Two later uses need the same evaluation with other values:

- a sweep evaluates the payoffs at many points at once, with each swept parameter
  a NumPy array of point values (:func:`batched_stage_payoffs`), so building the
  games of 10,000 points is a few array operations, not 10,000 loads;
- a closed-form threshold needs them as exact SymPy expressions of one parameter
  (:mod:`coop.scenarios.symbolic`).

Both walk the already validated document through :func:`walk_stage_payoffs` with
a *value function* that turns a scalar node into a value in the environment:
``Formula.evaluate`` (arrays broadcast) or ``Formula.to_sympy``. Parameters
derived from a swept one follow it (a derived parameter that was set with
``--set`` keeps its value), the others keep their values as loaded.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.scenarios.formula import parse_formula
from coop.scenarios.schema import number

if TYPE_CHECKING:
    from coop.scenarios.schema import Scenario
    from coop.scenarios.yaml_source import YNode

#: ``value(node, env)``: a scalar node (a number or a formula of the names in ``env``) as a value.
ValueOf = Callable[["YNode", Mapping[str, Any]], Any]


def parameter_environment(scenario: Scenario, swept: Mapping[str, Any], value: ValueOf,
                          constant: Callable[[float], Any]) -> dict[str, Any]:
    """Every parameter's value: ``swept`` ones as given, derived ones recomputed, the rest as loaded."""
    root = scenario.document
    if root is None:
        raise InputError("this scenario was not loaded from a document and cannot be evaluated again")
    unknown = [k for k in swept if k not in scenario.parameters]
    if unknown:
        raise InputError(f"unknown parameter {unknown[0]!r}; known: {', '.join(scenario.parameters)}")
    env: dict[str, Any] = {}
    loaded = dict(scenario.parameters)
    dependent: set[str] = set()
    node = root.get("parameters")
    entries = list(node.items()) if node is not None and node.kind == "map" else []
    for key, value_node in entries:
        if key in swept:
            env[key] = swept[key]
            dependent.add(key)
            continue
        if value_node.kind == "map":
            value_node = value_node["value"]
        if number(value_node, "a value") is None:
            formula = parse_formula(value_node.value)
            if formula.names & dependent:
                as_loaded = float(formula.evaluate(loaded))
                if abs(as_loaded - loaded[key]) <= 1e-12 * max(1.0, abs(loaded[key])):  # not set by --set
                    env[key] = value(value_node, env)
                    dependent.add(key)
                    continue
        env[key] = constant(loaded[key])
    return env


def walk_stage_payoffs(scenario: Scenario, env: Mapping[str, Any], value: ValueOf,
                       indicator: Callable[[bool], Any]) -> dict[tuple[int, ...], Any]:
    """``{(player, *profile): payoff}`` for every profile, framing applied, evaluated with ``value``."""
    root = scenario.document
    assert root is not None
    game = scenario.game
    players, actions = game.players, game.actions
    shape = tuple(len(a) for a in actions)
    n = len(players)
    out: dict[tuple[int, ...], Any] = {}
    pay = root["payoffs"]

    def per_player(node: YNode, i: int) -> YNode:
        return node[players[i]] if node.kind == "map" else node[i]

    if "table" in pay:
        for entry in pay["table"]:
            prof, values = entry["profile"], entry["payoffs"]
            idx = tuple(actions[i].index(per_player(prof, i).text) for i in range(n))
            for i in range(n):
                out[(i,) + idx] = value(per_player(values, i), env)
    elif "arrays" in pay:
        for i in range(n):
            node = per_player(pay["arrays"], i)
            for idx in itertools.product(*(range(a) for a in shape)):
                leaf = node
                for k in idx:
                    leaf = leaf[k]
                out[(i,) + idx] = value(leaf, env)
    else:
        formulas = pay["formulas"]
        shared = all(a == actions[0] for a in actions)
        for idx in itertools.product(*(range(a) for a in shape)):
            local = dict(env)
            for i, p in enumerate(players):
                for k, a in enumerate(actions[i]):
                    local[f"{p}.{a}"] = indicator(idx[i] == k)
            if shared:
                for k, a in enumerate(actions[0]):
                    if f"n_{a}" not in env:
                        local[f"n_{a}"] = sum((indicator(j == k) for j in idx), indicator(False))
            for i in range(n):
                if "all" in formulas:
                    mine = dict(local)
                    for k, a in enumerate(actions[i]):
                        mine[f"self.{a}"] = indicator(idx[i] == k)
                    out[(i,) + idx] = value(formulas["all"], mine)
                else:
                    out[(i,) + idx] = value(per_player(formulas, i), local)
    framing = root.get("framing")
    if framing is not None and framing.kind == "map" and "relative_gains" in framing:
        w = value(framing["relative_gains"], env)
        framed = {}
        for idx in itertools.product(*(range(a) for a in shape)):
            total = sum(out[(j,) + idx] for j in range(n))
            for i in range(n):
                u = out[(i,) + idx]
                framed[(i,) + idx] = u + w * (u - (total - u) / (n - 1))
        out = framed
    return out


def _numeric_value(node: YNode, env: Mapping[str, Any]) -> Any:
    x = number(node, "a value")
    if x is not None:
        return x
    return parse_formula(node.value).evaluate(env)


def batched_values(scenario: Scenario, points: Mapping[str, Any], node: YNode) -> np.ndarray:
    """The number or formula at ``node`` (anywhere in the scenario's document) at every point: ``(P,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.scenarios import load
    >>> s = load("ai-arms-race")
    >>> batched_values(s, {"patience": np.array([0.5, 0.8])}, s.document["repeated"]["delta"]).tolist()
    [0.5, 0.8]
    """
    arrays = {k: np.asarray(v, dtype=float).reshape(-1) for k, v in points.items()}
    count = next(iter(arrays.values())).shape[0] if arrays else 1
    env = parameter_environment(scenario, arrays, _numeric_value, float)
    return np.broadcast_to(np.asarray(_numeric_value(node, env), dtype=float), (count,)).copy()


def batched_stage_payoffs(scenario: Scenario, points: Mapping[str, Any]) -> np.ndarray:
    """The stage payoffs at many points at once: shape ``(P, N, a_1, ..., a_N)``.

    ``points`` maps each swept parameter to its ``P`` values. The result equals, point by point,
    ``scenario.with_parameters(point).game.payoffs``; a point whose formulas fail (a division by
    zero, a log of a negative number) makes the whole call raise :class:`InputError`, so the caller
    can fall back to evaluating points one at a time.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.scenarios import load
    >>> u = batched_stage_payoffs(load("ai-arms-race"), {"relative_gains": np.array([0.0, 0.5])})
    >>> u.shape, float(u[1, 0, 1, 0])  # the racer against a restrainer: 3 + 3w
    ((2, 2, 2, 2), 4.5)
    """
    arrays = {k: np.asarray(v, dtype=float).reshape(-1) for k, v in points.items()}
    sizes = {a.shape[0] for a in arrays.values()}
    if len(sizes) > 1:
        raise InputError(f"every swept parameter needs the same number of points, got sizes {sorted(sizes)}")
    count = sizes.pop() if sizes else 1
    env = parameter_environment(scenario, arrays, _numeric_value, float)
    framing = scenario.document.get("framing") if scenario.document is not None else None
    if framing is not None and framing.kind == "map" and "relative_gains" in framing:
        w = np.asarray(_numeric_value(framing["relative_gains"], env), dtype=float)
        if np.any(w < 0):
            raise InputError(f"the relative-gains weight must be >= 0, got {float(np.min(w)):g} at some points")
    group = scenario.group
    if group is not None:  # a group by counts: its size must not change from point to point
        document = scenario.document
        assert document is not None  # a scenario with a group was read from a document
        size = np.asarray(_numeric_value(document["players"]["group"], env), dtype=np.float64)
        if np.any(size != group.size):
            raise InputError("the group size changes from point to point: the points are solved one at a time")
    values = walk_stage_payoffs(scenario, env, _numeric_value, float)
    game = scenario.game
    out = np.empty((count, game.num_players, *game.num_actions))
    for key, v in values.items():
        out[(slice(None),) + key] = v
    if not np.all(np.isfinite(out)):
        raise InputError("some payoffs are not finite numbers at these points")
    return out
