"""A scenario's stage payoffs as exact SymPy expressions of one parameter.

The loader evaluates formulas numerically; for a threshold in closed form the
same document is walked again (:mod:`coop.scenarios.evaluation`) with one
parameter kept as a symbol: the other parameters are exact rationals (their
values in the scenario as loaded, so ``--set`` values count), derived parameters
follow the symbol, and the payoffs become expressions, framing applied. Formulas
are turned into SymPy from their syntax trees
(:meth:`coop.scenarios.formula.Formula.to_sympy`), never from text.

:func:`best_response_boundaries` lists where some player's ranking of two of its
actions against some profile of the others flips: the only places where the pure
best-response structure of the stage game, and so its pure equilibria (and, in
2x2 games, its mixed ones), can change.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.scenarios.evaluation import parameter_environment, walk_stage_payoffs
from coop.scenarios.formula import parse_formula
from coop.scenarios.schema import number

if TYPE_CHECKING:
    import sympy

    from coop.scenarios.schema import Scenario
    from coop.scenarios.yaml_source import YNode


def _exact(value: float) -> Any:
    import sympy

    return sympy.nsimplify(value, rational=True)


def _sympy_value(node: YNode, env: Mapping[str, Any]) -> Any:
    """A number (as an exact rational, ``0.1`` is 1/10) or a formula at ``node``, as a SymPy expression."""
    import sympy

    x = number(node, "a value")
    if x is not None:
        try:
            return sympy.Rational(node.text)
        except (TypeError, ValueError):
            return _exact(x)
    return parse_formula(node.value).to_sympy(env)


def _indicator(flag: bool) -> Any:
    import sympy

    return sympy.Integer(int(flag))


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
        raise InputError(f"unknown parameter {parameter!r}; known: {', '.join(scenario.parameters)}")
    symbol = sympy.Symbol(parameter, real=True)
    env = parameter_environment(scenario, {parameter: symbol}, _sympy_value, _exact)
    values = walk_stage_payoffs(scenario, env, _sympy_value, _indicator)
    game = scenario.game
    out = np.empty((game.num_players, *game.num_actions), dtype=object)
    for key, v in values.items():
        out[key] = sympy.expand(v)
    return symbol, out


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
