"""A scenario's stage payoffs as exact SymPy expressions of one parameter.

The loader evaluates formulas numerically; for a threshold in closed form the
same document is walked again with one parameter kept as a symbol: the other
parameters are exact rationals (their values in the scenario as loaded, so
``--set`` values count), derived parameters follow the symbol, and payoffs given
as a table, as arrays or as formulas (with ``Player.action`` indicators and
``n_action`` counts, one profile at a time) become expressions, with the
``relative_gains`` framing applied. Formulas are turned into SymPy from their
syntax trees (:meth:`coop.scenarios.formula.Formula.to_sympy`), never from text.

:func:`best_response_boundaries` lists where some player's ranking of two of its
actions against some profile of the others flips: the only places where the pure
best-response structure of the stage game, and so its pure equilibria (and, in
2x2 games, its mixed ones), can change.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.scenarios.formula import parse_formula
from coop.scenarios.schema import number

if TYPE_CHECKING:
    import sympy

    from coop.scenarios.schema import Scenario
    from coop.scenarios.yaml_source import YNode


def _exact(value: float) -> Any:
    import sympy

    return sympy.nsimplify(value, rational=True)


def _scalar(node: YNode, env: dict[str, Any]) -> Any:
    """A number or a formula of parameters at ``node``, as an exact expression."""
    import sympy

    x = number(node, "a value")
    if x is not None:
        try:
            return sympy.Rational(node.text)
        except (TypeError, ValueError):
            return _exact(x)
    return parse_formula(node.value).to_sympy(env)


def _parameters(scenario: Scenario, symbol: sympy.Symbol) -> dict[str, Any]:
    root = scenario.document
    assert root is not None
    env: dict[str, Any] = {}
    node = root.get("parameters")
    if node is None or node.kind != "map":
        return env
    name = symbol.name
    at = scenario.parameters[name]
    for key, value_node in node.items():
        if key == name:
            env[key] = symbol
            continue
        if value_node.kind == "map":
            value_node = value_node["value"]
        value = scenario.parameters[key]
        expr = _scalar(value_node, env) if number(value_node, "a value") is None else None
        if expr is not None and symbol in expr.free_symbols:
            # derived from the swept parameter: keep it symbolic unless --set gave it its own value
            if abs(float(expr.subs(symbol, _exact(at))) - value) <= 1e-12 * max(1.0, abs(value)):
                env[key] = expr
                continue
        env[key] = _exact(value)
    return env


def symbolic_payoffs(scenario: Scenario, parameter: str) -> tuple[sympy.Symbol, np.ndarray]:
    """The stage payoffs of ``scenario`` as expressions of ``parameter``: ``(symbol, payoffs)``.

    ``payoffs`` is an object array of shape ``(N, a_1, ..., a_N)`` like the game's.

    Examples
    --------
    >>> from coop.scenarios import load
    >>> w, u = symbolic_payoffs(load("ai-arms-race"), "relative_gains")
    >>> u[0, 1, 0]  # the racer's payoff against a restrainer: 3 + 3w
    3*relative_gains + 3
    """
    import sympy

    if parameter not in scenario.parameters:
        raise InputError(f"unknown parameter {parameter!r}")
    if scenario.document is None:
        raise InputError("this scenario was not loaded from a document")
    symbol = sympy.Symbol(parameter, real=True)
    env = _parameters(scenario, symbol)
    game = scenario.game
    players, actions = game.players, game.actions
    shape = tuple(len(a) for a in actions)
    out = np.empty((len(players), *shape), dtype=object)
    root = scenario.document
    pay = root["payoffs"]
    if "table" in pay:
        for entry in pay["table"]:
            prof, values = entry["profile"], entry["payoffs"]
            idx = tuple(actions[i].index((prof[p] if prof.kind == "map" else prof[i]).text)
                        for i, p in enumerate(players))
            for i, p in enumerate(players):
                out[(i, *idx)] = _scalar(values[p] if values.kind == "map" else values[i], env)
    elif "arrays" in pay:
        arrays = pay["arrays"]
        for i, p in enumerate(players):
            node = arrays[p] if arrays.kind == "map" else arrays[i]
            for idx in itertools.product(*(range(a) for a in shape)):
                leaf = node
                for k in idx:
                    leaf = leaf[k]
                out[(i, *idx)] = _scalar(leaf, env)
    else:
        formulas = pay["formulas"]
        shared = all(a == actions[0] for a in actions)
        for idx in itertools.product(*(range(a) for a in shape)):
            local = dict(env)
            for i, p in enumerate(players):
                for k, a in enumerate(actions[i]):
                    local[f"{p}.{a}"] = sympy.Integer(int(idx[i] == k))
            if shared:
                for k, a in enumerate(actions[0]):
                    local.setdefault(f"n_{a}", sympy.Integer(sum(1 for j in idx if j == k)))
            for i, p in enumerate(players):
                node = formulas["all"] if "all" in formulas else (formulas[p] if formulas.kind == "map"
                                                                  else formulas[i])
                mine = dict(local)
                if "all" in formulas:
                    for k, a in enumerate(actions[i]):
                        mine[f"self.{a}"] = sympy.Integer(int(idx[i] == k))
                out[(i, *idx)] = _scalar(node, mine)
    framing = root.get("framing")
    if framing is not None and framing.kind == "map" and "relative_gains" in framing:
        w = _scalar(framing["relative_gains"], env)
        n = len(players)
        others_mean = (out.sum(axis=0, keepdims=True) - out) / (n - 1)
        out = out + w * (out - others_mean)
    return symbol, np.vectorize(sympy.expand, otypes=[object])(out)


def best_response_boundaries(scenario: Scenario, parameter: str, lower: float, upper: float) -> list[Any]:
    """Exact values of ``parameter`` in ``[lower, upper]`` where a player's ranking of two actions flips.

    For each player, each pair of its actions and each profile of the others, the
    payoff difference is an expression of the parameter; its real roots in the
    interval are the candidates, sorted. A difference that is identically zero or
    that does not depend on the parameter gives none.

    Examples
    --------
    >>> from coop.scenarios import load
    >>> best_response_boundaries(load("ai-arms-race"), "relative_gains", 0.0, 1.0)
    [1/3]
    """
    import sympy

    symbol, u = symbolic_payoffs(scenario, parameter)
    interval = sympy.Interval(_exact(lower), _exact(upper))
    roots: set[Any] = set()
    n = u.shape[0]
    for i in range(n):
        moved = np.moveaxis(u[i], i, 0)
        rest = moved.reshape(moved.shape[0], -1)
        for a, b in itertools.combinations(range(rest.shape[0]), 2):
            for c in range(rest.shape[1]):
                diff = sympy.simplify(rest[a, c] - rest[b, c])
                if diff == 0 or symbol not in diff.free_symbols:
                    continue
                solutions = sympy.solveset(diff, symbol, domain=interval)
                if isinstance(solutions, sympy.FiniteSet):
                    roots.update(solutions)
    return sorted(roots, key=lambda r: float(r))
