r"""Symmetric group games written by counts: N anonymous members, payoffs of the own action and the counts.

A scenario may give its players as a *group* instead of a list:

.. code-block:: yaml

    players:
      group: group_size          # N, a whole number or a formula of parameters
      actions: [C, D]
      member: member             # optional: the members are member1 ... memberN
    payoffs:
      formulas:
        all: "b * (1 - r * (1 - step(n_C - M))) - c * b * self.C"

Every member has the same actions and the same payoff formula of their own action
(``self.<action>``: 1 when the member plays it) and of how many members play each action
(``n_<action>``, the member included). The game is then a
:class:`~coop.games.population.PopulationGame` (payoffs per own action and co-players'
composition), whatever ``N``: a group of 50 has 2 x 50 payoffs, where its normal form would have
:math:`2^{50}` profiles. For small groups (at most :data:`MAX_NORMAL_FORM_PROFILES` profiles) the
normal form is built as well, so every analysis of a list of players applies too (all equilibria,
repeated games, dynamics).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from coop.games.population import PopulationGame
    from coop.scenarios.red_lines import CountRedLine

#: A group game's normal form is built when it has at most this many action profiles (m ** N).
MAX_NORMAL_FORM_PROFILES = 4096
#: The largest group a scenario may give (compositions and the finite population's chains stay small).
MAX_GROUP_SIZE = 10_000


def group_compositions(total: int, m: int) -> np.ndarray:
    """Every composition of ``total`` into ``m`` counts, ``(C(total + m - 1, m - 1), m)``, in EGTtools'
    ``sample_simplex`` order (first count decreasing), as :func:`coop.solvers.shared.compositions.compositions`
    gives them, in plain NumPy: a scenario is read without loading the compiled kernels.

    >>> group_compositions(2, 3).tolist()
    [[2, 0, 0], [1, 1, 0], [1, 0, 1], [0, 2, 0], [0, 1, 1], [0, 0, 2]]
    """
    if m == 1:
        return np.array([[total]], dtype=np.int64)
    blocks = [np.column_stack([np.full(len(rest), first, dtype=np.int64), rest])
              for first in range(total, -1, -1) for rest in (group_compositions(total - first, m - 1),)]
    return np.concatenate(blocks)


@dataclass(frozen=True, eq=False)
class GroupGame:
    """A symmetric group game by counts, with its members' names and its red lines on counts.

    Attributes
    ----------
    actions : tuple of str
        The actions every member has.
    size : int
        The group size ``N``.
    payoffs : numpy.ndarray
        ``(m, S)``: a member's payoff for each own action and each composition of the ``N - 1`` others
        (:func:`group_compositions` order, as :class:`~coop.games.population.PopulationGame`).
    member : str
        The members' name prefix: the members are ``member1 ... memberN``.
    red_lines : tuple of CountRedLine
        The scenario's red lines as sets of compositions of the group.
    """

    actions: tuple[str, ...]
    size: int
    payoffs: np.ndarray = field(repr=False)
    member: str = "member"
    red_lines: tuple[CountRedLine, ...] = ()

    @cached_property
    def population(self) -> PopulationGame:
        """The game as a :class:`~coop.games.population.PopulationGame` (what the solvers take)."""
        from coop.games.population import PopulationGame

        return PopulationGame(self.payoffs, self.size, self.actions)

    @property
    def compositions(self) -> np.ndarray:
        """``(S, m)``: the compositions of the ``N - 1`` others, in the order of :attr:`payoffs`' columns."""
        return group_compositions(self.size - 1, len(self.actions))

    @property
    def num_profiles(self) -> int:
        """The number of action profiles of the normal form (``m ** N``)."""
        return int(len(self.actions) ** self.size)

    @property
    def players(self) -> tuple[str, ...]:
        """The members' names, ``member1 ... memberN``."""
        return tuple(f"{self.member}{k}" for k in range(1, self.size + 1))

    @property
    def has_normal_form(self) -> bool:
        """Whether the scenario also builds the normal form (at most :data:`MAX_NORMAL_FORM_PROFILES` profiles)."""
        return self.num_profiles <= MAX_NORMAL_FORM_PROFILES

    def to_dict(self) -> dict[str, Any]:
        return {"group_size": self.size, "member": self.member, "actions": list(self.actions),
                "normal_form": self.has_normal_form}
