"""Formulas evaluated at every action profile at once: the names they may use and their values.

A formula of ``payoffs.formulas`` (or of ``repeated.signals``) may name the
scenario's parameters, the action indicators ``Player.action`` (1 where the
player plays that action, else 0), the counts ``n_action`` (how many players
play it, when every player has the same actions and no parameter has that
name) and, in a formula shared by every player, ``self.action`` (the owner's
own indicator). Each indicator is an array that broadcasts over the profile
axes (one axis per player, C order), so one evaluation of the parsed formula
gives its value at every profile.

>>> import numpy as np
>>> names = ProfileNames({"b": 2.0}, ("US", "China"), (("C", "D"), ("C", "D")))
>>> evaluate_over_profiles("b * n_D + US.C", names).tolist()  # (C,C), (C,D); (D,C), (D,D)
[[1.0, 3.0], [2.0, 4.0]]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from coop.errors import InputError
from coop.scenarios.formula import known_list, parse_formula, shown, suggest


class ProfileNames:
    """The values a profile formula may name (parameters, indicators, counts), made on demand.

    Indicators and counts are made only for the names a formula uses: one array per action of every
    player (or a full-size count per shared action) would take memory quadratic in the actions.

    Parameters
    ----------
    params : mapping
        The scenario's parameters (numbers).
    players, actions : tuple
        The players and each player's action labels.
    self_player : int, optional
        The player whose ``self.action`` indicators a formula shared by every player reads.
    """

    def __init__(self, params: Mapping[str, float], players: tuple[str, ...],
                 actions: tuple[tuple[str, ...], ...], self_player: int | None = None) -> None:
        self.params = params
        self.players = players
        self.actions = actions
        self.self_player = self_player
        self.shape = tuple(len(a) for a in actions)
        self.shared = all(a == actions[0] for a in actions)
        self.positions = {f"{p}.{a}": (i, k) for i, (p, acts) in enumerate(zip(players, actions, strict=True))
                          for k, a in enumerate(acts)}
        self.counted = ({f"n_{a}": k for k, a in enumerate(actions[0]) if f"n_{a}" not in params}
                        if self.shared else {})
        self._counts: dict[str, np.ndarray] = {}

    def for_player(self, player: int) -> ProfileNames:
        """The same names with ``self.action`` reading ``player``'s indicators (sharing the counts made)."""
        other = ProfileNames.__new__(ProfileNames)
        other.__dict__.update(self.__dict__)
        other.self_player = player
        return other

    def indicator(self, i: int, k: int) -> np.ndarray:
        """1 where player ``i`` plays action ``k``: shape 1 on every axis but ``i``'s."""
        view = [1] * len(self.shape)
        view[i] = self.shape[i]
        x = np.zeros(self.shape[i])
        x[k] = 1.0
        return x.reshape(view)

    def value(self, name: str) -> float | np.ndarray | None:
        """The value of ``name``, ``None`` when it is unknown."""
        if self.self_player is not None and name.startswith("self."):
            acts = self.actions[self.self_player]
            if name[5:] in acts:  # `self.action`: the owner's own
                return self.indicator(self.self_player, acts.index(name[5:]))
        if name in self.params:
            return self.params[name]
        if name in self.positions:
            return self.indicator(*self.positions[name])
        if name in self.counted:  # n_<action>: how many players play it (full size: made once per name)
            if name not in self._counts:
                total = np.zeros(self.shape)
                for j in range(len(self.shape)):
                    total += self.indicator(j, self.counted[name])
                self._counts[name] = total
            return self._counts[name]
        return None

    def unknown(self, name: str, text: str, hint: str = "") -> InputError:
        """The error for a name that is none of these."""
        if "." in name:
            indicators = list(self.positions)
            extra = ", or self.action in payoffs.formulas.all" if self.shared else ""
            return InputError(
                f"unknown indicator {name!r}{suggest(name, indicators)} in formula {shown(text)}; indicators "
                f"are Player.action, e.g. {indicators[0]!r}{extra}"
            )
        counts = f"; counts are n_action, e.g. n_{self.actions[0][0]}" if self.shared else ""
        near = list(self.params) + list(self.counted)
        return InputError(
            f"unknown parameter {name!r}{suggest(name, near)} in formula {shown(text)}; "
            f"known: {known_list(self.params)}{counts}{hint}"
        )


def evaluate_over_profiles(text: str, names: ProfileNames, hint: str = "") -> np.ndarray:
    """The formula ``text`` at every profile: an array of shape ``names.shape``.

    Raises :class:`InputError` (unlocated) for a name that is none of ``names``; ``hint`` ends that message.
    """
    formula = parse_formula(text)
    local: dict[str, float | np.ndarray] = {}
    for name in sorted(formula.names):
        v = names.value(name)
        if v is None:
            raise names.unknown(name, formula.text, hint)
        local[name] = v
    return np.array(np.broadcast_to(formula.evaluate(local), names.shape), dtype=float)
