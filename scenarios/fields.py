"""Checks of the fields of scenario sections, one copy for every section parser.

Each function reads one YAML node (a :class:`coop.scenarios.yaml_source.YNode`)
and returns the checked value, or raises an :class:`coop.errors.InputError` of
one line located at that node: the file, the line, the place in the document
and what was expected. Numbers go through the section's ``scalar(node, what)``
(a number or a formula of the scenario's parameters), so a formula's errors
name the field too.

Examples
--------
>>> from coop.scenarios.yaml_source import parse_yaml
>>> doc = parse_yaml("noise: 0.05\\nturns: 2.5\\nrule: fermy\\n", source="demo.yaml")
>>> def scalar(node, what):
...     return float(node.value)
>>> probability(doc["noise"], scalar, "noise")
0.05
>>> whole_number(doc["turns"], scalar, "turns", least=1)
Traceback (most recent call last):
...
coop.errors.InputError: demo.yaml, line 2, at turns: turns must be a whole number >= 1, got 2.5
>>> choice(doc["rule"], ("fermi", "moran"), "update rule")
Traceback (most recent call last):
...
coop.errors.InputError: demo.yaml, line 3, at rule: unknown update rule 'fermy' (did you mean 'fermi'?); ...
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

from coop.scenarios.formula import known_list, suggest
from coop.scenarios.yaml_source import YNode

#: How a section evaluates a number or formula: ``scalar(node, what) -> float``.
Scalar = Callable[[YNode, str], float]

#: A name among fixed options, such as a ``Literal`` type of :mod:`coop.solvers.evolution.names`.
Name = TypeVar("Name", bound=str)


def _name(node: YNode, key: str | None) -> str:
    """The name a node gives: the key ``key`` of a mapping, or the text of a scalar ("" otherwise)."""
    if key is not None:
        return key
    return node.text if node.kind == "scalar" else ""


def _shown(node: YNode, name: str, key: str | None) -> str:
    return name if (name or key is not None) else node.describe()


def _where(where: str | None) -> str:
    return f" in {where}" if where else ""


def choice(node: YNode, options: Sequence[Name], what: str, *, key: str | None = None, where: str | None = None,
           hint: str = "") -> Name:
    """One of ``options``, named by the scalar ``node`` (or by its key ``key`` when ``node`` is a mapping).

    The option itself is returned, so its type is that of ``options`` (a ``Literal`` of names, for instance).

    The error reads ``unknown {what} 'x' (did you mean 'y'?)[ in {where}]; expected one of ...{hint}``.
    """
    name = _name(node, key)
    for option in options:
        if option == name:
            return option
    raise node.error(f"unknown {what} {_shown(node, name, key)!r}{suggest(name, options)}{_where(where)}; "
                     f"expected one of {known_list(options)}{hint}", key=key)


def player(node: YNode, players: Sequence[str], *, key: str | None = None, where: str | None = None) -> int:
    """The index of the player named by the scalar ``node`` (or by the key ``key`` of the mapping ``node``)."""
    name = _name(node, key)
    if name not in players:
        raise node.error(f"unknown player {_shown(node, name, key)!r}{suggest(name, players)}{_where(where)}; "
                         f"the players are {known_list(players)}", key=key)
    return list(players).index(name)


def action(node: YNode, actions: Sequence[str], owner: str | None = None, *, key: str | None = None,
           where: str | None = None) -> int:
    """The index of the action named by the scalar ``node`` (or by the key ``key``) among ``actions``.

    ``owner`` is the player whose actions these are (``None`` for a population's strategies).
    """
    name = _name(node, key)
    if name not in actions:
        of, whose = (f" of player {owner!r}", f"the actions of {owner!r}") if owner is not None else ("", "the actions")
        raise node.error(f"unknown action {_shown(node, name, key)!r}{of}{suggest(name, actions)}{_where(where)}; "
                         f"{whose} are {known_list(actions)}", key=key)
    return list(actions).index(name)


def player_map(node: YNode, players: Sequence[str], what: str, entry: str = "entry") -> tuple[YNode, ...]:
    """A mapping ``{player: value}`` that names every player once: the value nodes in the players' order.

    ``entry`` names what each player is given, for the messages (``cooperate has no action for player 'B'``).
    """
    if node.kind != "map":
        raise node.error(f"{what} must be a mapping {{player: {entry}}}, got {node.describe()}")
    for key in node.value:
        player(node, players, key=key, where=what)
    missing = [p for p in players if p not in node]
    if missing:
        raise node.error(f"{what} has no {entry} for player {missing[0]!r}")
    return tuple(node[p] for p in players)


def probability(node: YNode, scalar: Scalar, what: str) -> float:
    """A number (or formula) in [0, 1]."""
    x = scalar(node, what)
    if not 0.0 <= x <= 1.0:
        raise node.error(f"{what} must be a probability in [0, 1], got {x:g}")
    return x


def positive(node: YNode, scalar: Scalar, what: str, strict: bool = True) -> float:
    """A number (or formula) ``> 0``, or ``>= 0`` when not ``strict``."""
    x = scalar(node, what)
    if x < 0.0 or (strict and x == 0.0):
        raise node.error(f"{what} must be {'> 0' if strict else '>= 0'}, got {x:g}")
    return x


def whole_number(node: YNode, scalar: Scalar, what: str, least: int, most: int | None = None,
                 unit: str = "") -> int:
    """A whole number (or a formula giving one) ``>= least`` and, when given, ``<= most``.

    ``unit`` is what it counts (``horizon must be a whole number of periods >= 1``).
    """
    x = scalar(node, what)
    if not math.isfinite(x) or x != int(x) or x < least or (most is not None and x > most):
        bounds = f"from {least} to {most}" if most is not None else f">= {least}"
        raise node.error(f"{what} must be a whole number{' of ' + unit if unit else ''} {bounds}, got {x:g}")
    return int(x)


def flag(node: YNode, what: str) -> bool:
    """``true`` or ``false``."""
    if node.kind != "scalar" or not isinstance(node.value, bool):
        raise node.error(f"{what} must be true or false, got {node.describe()}")
    return bool(node.value)


def sequence(node: YNode, what: str, least: int = 1, of: str = "") -> list[YNode]:
    """A list of at least ``least`` entries (``of`` names them in the message)."""
    if node.kind != "seq" or len(node) < least:
        kind = "a non-empty list" if least == 1 else f"a list of at least {least}"
        raise node.error(f"{what} must be {kind}{' of ' + of if of else ''}, got {node.describe()}")
    return list(node)
