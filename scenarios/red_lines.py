r"""Red lines: outcomes that must not happen, and the chance that an equilibrium's play crosses them.

A red line is a set of action profiles. Three ways to write one in a scenario:

- one player's action: ``{name, player: China, action: retaliate}``, crossed when China retaliates;
- a group: ``player: [US, China]`` or ``player: all`` with an ``action`` every one of them has,
  crossed when any of them plays it;
- an outcome condition: ``when: "n_abstain >= 2"``, crossed at every profile where the
  condition holds. A condition compares formulas (``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``) and
  joins comparisons with ``and`` and ``or`` (``and`` binds first, no parentheses around them);
  the formulas are those of payoffs: parameters, ``Player.action`` indicators and, when every
  player has the same actions, counts ``n_action``.

Under a mixed profile :math:`\sigma` the red line is crossed with probability
:math:`\sum_{s \in R} \prod_i \sigma_i(s_i)`; an equilibrium *crosses* it when that probability
is positive (above ``PROB_EPS``). For one player's action this is the probability of that action.

Examples
--------
Three countries that each join or abstain; the red line is "at least two abstain":

>>> acts = (("join", "abstain"),) * 3
>>> line = outcome_red_line("two abstain", "n_abstain >= 2", acts, ("US", "China", "EU"), {})
>>> int(line.mask.sum())
4
>>> round(line.probability([[0.5, 0.5]] * 3), 3)  # half the profiles, all equally likely
0.5
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.scenarios.formula import parse_formula, shown, suggest

#: Comparison operators of a condition, longest first (so ``<=`` is not read as ``<``).
_COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")
_COMPARE = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal, "!=": np.not_equal,
}
_SPLIT_OR = re.compile(r"\s+or\s+")
_SPLIT_AND = re.compile(r"\s+and\s+")
#: Two formula values closer than this (relative to their size) count as equal in a comparison.
_EQUAL = 1e-9


@dataclass(frozen=True, eq=False)
class RedLine:
    """An outcome that must not happen: a set of action profiles (``mask``) of the scenario's game.

    Attributes
    ----------
    name, description : str
    player : str
        The player bound by it as written: one name, several joined by ``", "``, ``"all"``; empty for
        an outcome condition.
    action : str
        The action that crosses it; empty for an outcome condition.
    players : tuple of str
        The players bound by it (every player for an outcome condition).
    condition : str
        The outcome condition as written; empty for an action red line.
    mask : numpy.ndarray
        Boolean array over the action profiles (one axis per player): where the red line is crossed.
    """

    name: str
    player: str
    action: str
    description: str = ""
    players: tuple[str, ...] = ()
    condition: str = ""
    mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)

    def probability(self, strategies: Sequence[np.ndarray]) -> float:
        """The probability that play under the mixed profile ``strategies`` crosses the red line."""
        t = self.mask.astype(np.float64)
        for s in reversed(strategies):  # contract the last axis first
            t = t @ np.asarray(s, dtype=np.float64)
        return float(t)

    def probabilities(self, strategies: np.ndarray) -> np.ndarray:
        """:meth:`probability` of many 2-action-per-player profiles at once: ``strategies`` is ``(..., N, 2)``."""
        n = strategies.shape[-2]
        letters = "abcdefgh"[:n]
        spec = letters + "," + ",".join(f"...{c}" for c in letters) + "->..."
        return np.einsum(spec, self.mask.astype(np.float64), *(strategies[..., i, :] for i in range(n)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "player": self.player or None,
            "action": self.action or None,
            "players": list(self.players),
            "condition": self.condition or None,
            "description": self.description,
        }


def action_red_line(name: str, players: Sequence[str], as_written: str, action: str,
                    actions: Sequence[Sequence[str]], all_players: Sequence[str], description: str = "") -> RedLine:
    """The red line crossed when any of ``players`` plays ``action`` (each of them must have it)."""
    shape = tuple(len(a) for a in actions)
    mask = np.zeros(shape, dtype=bool)
    for p in players:
        i = list(all_players).index(p)
        if action not in actions[i]:
            raise InputError(f"player {p!r} has no action {action!r}{suggest(action, actions[i])}; "
                             f"its actions are {', '.join(map(repr, actions[i]))}")
        index: list[Any] = [slice(None)] * len(shape)
        index[i] = list(actions[i]).index(action)
        mask[tuple(index)] = True
    return RedLine(name, as_written, action, description, tuple(players), "", mask)


def outcome_red_line(name: str, condition: str, actions: Sequence[Sequence[str]], all_players: Sequence[str],
                     params: Mapping[str, float], description: str = "") -> RedLine:
    """The red line crossed at every profile where ``condition`` holds (see the module docstring)."""
    shape = tuple(len(a) for a in actions)

    def values(text: str) -> np.ndarray:
        return _profile_values(text, condition, actions, all_players, params, shape)

    mask = _condition_mask(condition, values, shape)
    return RedLine(name, "", "", description, tuple(all_players), condition.strip(), mask)


@dataclass(frozen=True, eq=False)
class CountRedLine:
    """A red line of a symmetric group game, as a set of *compositions* of the group (how many play each action).

    Attributes
    ----------
    name, description, condition : str
        As written (``condition`` over the counts ``n_action``; ``player: all`` with ``action: a`` is written
        ``n_a >= 1``).
    compositions : numpy.ndarray
        ``(S, m)`` every composition of the group.
    mask : numpy.ndarray
        ``(S,)`` bool: where the red line is crossed.
    """

    name: str
    condition: str
    description: str
    compositions: np.ndarray = field(repr=False)
    mask: np.ndarray = field(repr=False)

    def crossed(self, counts: Sequence[int]) -> bool:
        """Whether the composition ``counts`` crosses the red line."""
        hit = np.all(self.compositions == np.asarray(counts, dtype=np.int64), axis=1)
        return bool(np.any(self.mask & hit))

    def probability(self, shares: Sequence[float]) -> float:
        """The probability that a group whose members each play action ``a`` with probability ``shares[a]``
        (independently: a symmetric mixed profile) crosses the red line (multinomial weights)."""
        from scipy.stats import multinomial

        p = np.asarray(shares, dtype=np.float64)
        n = int(self.compositions[0].sum())
        w = multinomial.pmf(self.compositions, n, p / p.sum())
        return float(np.clip(np.sum(np.where(self.mask, w, 0.0)), 0.0, 1.0))

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "player": "all", "action": None, "players": [], "condition": self.condition,
                "description": self.description}


def count_red_line(name: str, condition: str, actions: Sequence[str], group_size: int,
                   params: Mapping[str, float], description: str = "") -> CountRedLine:
    """The red line of a group game crossed at every composition where ``condition`` holds: a condition over the
    counts ``n_action`` of the whole group and the parameters (no ``Player.action`` indicators: the members
    are anonymous).

    Examples
    --------
    Six members who contribute (C) or not (D); the red line is "fewer than three contribute":

    >>> line = count_red_line("too few", "n_C < 3", ("C", "D"), 6, {})
    >>> line.crossed([2, 4]), line.crossed([3, 3])
    (True, False)
    >>> round(line.probability([0.5, 0.5]), 4)  # P(Binomial(6, 1/2) < 3) = 22/64
    0.3438
    """
    from coop.games.group_game import group_compositions

    comps = group_compositions(group_size, len(actions))
    shape = (comps.shape[0],)

    def values(text: str) -> np.ndarray:
        if not text.strip():
            raise InputError(f"a comparison in condition {shown(condition)} has nothing on one side")
        formula = parse_formula(text.strip())
        env: dict[str, Any] = {}
        for key in formula.names:
            if key in params:
                env[key] = params[key]
            elif key.startswith("n_") and key[2:] in actions:
                env[key] = comps[:, list(actions).index(key[2:])].astype(np.float64)
            else:
                known = list(params) + [f"n_{a}" for a in actions]
                raise InputError(f"unknown name {key!r}{suggest(key, known)} in condition {shown(condition)}; a "
                                 "condition of a group uses parameters and the counts n_action")
        return np.asarray(formula.evaluate(env), dtype=np.float64)

    mask = _condition_mask(condition, values, shape)
    return CountRedLine(name, condition.strip(), description, comps, mask)


def _condition_mask(condition: str, values: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Where ``condition`` holds: comparisons joined by ``and`` (first) and ``or``; ``values(text)`` evaluates one
    side of a comparison over the outcomes."""
    mask = np.zeros(shape, dtype=bool)
    if not condition.strip():
        raise InputError("the condition is empty; expected a comparison such as 'n_abstain >= 2'")
    for alternative in _SPLIT_OR.split(condition.strip()):
        clause = np.ones(shape, dtype=bool)
        for comparison in _SPLIT_AND.split(alternative):
            clause &= _comparison(comparison, condition, values, shape)
        mask |= clause
    return mask


def _comparison(text: str, condition: str, values_of: Any, shape: tuple[int, ...]) -> np.ndarray:
    found = [(text.find(op), op) for op in _COMPARISONS if op in text]
    if not found:
        raise InputError(f"{shown(text.strip())} in condition {shown(condition)} compares nothing; "
                         "write a comparison such as 'n_abstain >= 2' (<, <=, >, >=, ==, !=)")
    at, _, op = min((pos, -len(op), op) for pos, op in found)  # the earliest, and the longest there
    left, right = text[:at], text[at + len(op):]
    if any(o in right for o in _COMPARISONS):
        raise InputError(f"{shown(text.strip())} in condition {shown(condition)} chains comparisons; "
                         "join them with 'and', as in 'n_a >= 1 and n_a <= 2'")
    values = [values_of(side) for side in (left, right)]
    a, b = np.broadcast_arrays(*values)
    if op in ("==", "!="):
        same = np.abs(a - b) <= _EQUAL * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
        return np.broadcast_to(same if op == "==" else ~same, shape)
    return np.broadcast_to(_COMPARE[op](a, b), shape)


def _profile_values(text: str, condition: str, actions: Sequence[Sequence[str]], players: Sequence[str],
                    params: Mapping[str, float], shape: tuple[int, ...]) -> np.ndarray:
    """A formula's value at every profile: parameters, indicators ``Player.action``, counts ``n_action``."""
    if not text.strip():
        raise InputError(f"a comparison in condition {shown(condition)} has nothing on one side")
    formula = parse_formula(text.strip())
    n = len(shape)
    shared = all(list(a) == list(actions[0]) for a in actions)
    env: dict[str, Any] = {}
    for name in formula.names:
        if name in params:
            env[name] = params[name]
            continue
        player, dot, action = name.partition(".")
        if dot and player in players and action in actions[list(players).index(player)]:
            i = list(players).index(player)
            view = [1] * n
            view[i] = shape[i]
            x = np.zeros(shape[i])
            x[list(actions[i]).index(action)] = 1.0
            env[name] = x.reshape(view)
            continue
        if shared and name.startswith("n_") and name[2:] in actions[0]:
            k = list(actions[0]).index(name[2:])
            total = np.zeros(shape)
            for i in range(n):
                view = [1] * n
                view[i] = shape[i]
                x = np.zeros(shape[i])
                x[k] = 1.0
                total = total + x.reshape(view)
            env[name] = total
            continue
        known = list(params) + [f"{p}.{a}" for p, acts in zip(players, actions, strict=True) for a in acts]
        if shared:
            known += [f"n_{a}" for a in actions[0]]
        raise InputError(f"unknown name {name!r}{suggest(name, known)} in condition {shown(condition)}; a condition "
                         "uses parameters, indicators Player.action" + (" and counts n_action" if shared else ""))
    return np.asarray(formula.evaluate(env), dtype=np.float64)
