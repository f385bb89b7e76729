r"""Population games: a symmetric game that a population plays in groups, and the collective-risk dilemma.

A :class:`PopulationGame` gives the payoff of an individual of each of
:math:`m` strategies as a function of the *composition* of its :math:`N-1`
co-players (how many of them follow each strategy), numbered in EGTtools'
``sample_simplex`` order (:mod:`coop.solvers.shared.compositions`). For
:math:`N = 2` the table is the payoff matrix. The finite-population solvers in
:mod:`coop.solvers.evolution` (fitness, fixation, stationary distributions,
simulation) and the group replicator dynamics take it as their game.

References
----------
Santos, F. C. and Pacheco, J. M. (2011). Risk of collective failure provides an escape from the tragedy of
the commons. *PNAS* 108(26), 10421-10425.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.games.validation import float_array, int_at_least, nonnegative, probability, strategy_labels
from coop.solvers.shared.budgets import GROUP_COMPOSITIONS
from coop.solvers.shared.compositions import binomial_table, composition_rank, compositions, edge_table

#: the largest number of co-player compositions a group game may have
MAX_COMPOSITIONS = GROUP_COMPOSITIONS


@dataclass(frozen=True, eq=False)
class PopulationGame:
    r"""A symmetric game played in groups of ``group_size`` drawn from a population.

    Parameters
    ----------
    payoffs : numpy.ndarray
        Shape ``(m, C(N-1+m-1, m-1))``: ``payoffs[s, c]`` is the payoff of an
        ``s``-player whose ``N-1`` co-players have composition
        ``compositions[c]`` (counts per strategy, in EGTtools ``sample_simplex``
        order). For ``N = 2`` this is the payoff matrix: ``payoffs[s, t]`` is
        ``s``'s payoff against ``t``.
    group_size : int
        ``N >= 2``.
    strategies : tuple of str
        Unique strategy labels.

    Examples
    --------
    >>> g = PopulationGame.from_matrix([[3.0, 0.0], [5.0, 1.0]], strategies=("C", "D"))
    >>> g.num_strategies, g.group_size
    (2, 2)
    >>> crd = collective_risk_dilemma(group_size=4, threshold=2, cost=0.1, risk=0.9)
    >>> crd.payoff("D", {"C": 2, "D": 1})  # 2 cooperating co-players + a defector: 3 of 4 ... threshold met
    1.0
    """

    payoffs: np.ndarray
    group_size: int
    strategies: tuple[str, ...]
    compositions: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        labels = tuple(str(s) for s in self.strategies)
        m = len(labels)
        if m < 1 or len(set(labels)) != m:
            raise InputError(f"strategies must be unique labels, got {list(labels)}", source="game")
        n = int_at_least(self.group_size, 2, "group size")
        count = math.comb(n - 1 + m - 1, m - 1)
        if count > MAX_COMPOSITIONS:
            raise InputError(f"{m} strategies in groups of {n} give {count:,} group compositions, too many to "
                             f"tabulate; the limit is {MAX_COMPOSITIONS:,}; remedy: fewer strategies or smaller groups",
                             source="game")
        data = float_array(self.payoffs, "payoffs")
        if data.shape != (m, count):
            raise InputError(f"payoffs must have shape ({m}, {count}) (strategies x compositions of the {n - 1} "
                             f"co-players), got {data.shape}", source="game")
        data = np.ascontiguousarray(data)
        data.setflags(write=False)
        comps = compositions(n - 1, m)
        comps.setflags(write=False)
        object.__setattr__(self, "payoffs", data)
        object.__setattr__(self, "group_size", n)
        object.__setattr__(self, "strategies", labels)
        object.__setattr__(self, "compositions", comps)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_matrix(cls, matrix: Any, strategies: Sequence[str] | None = None) -> PopulationGame:
        """Pairwise game (``N = 2``) from the payoff matrix ``matrix[s, t]`` of ``s`` against ``t``."""
        data = float_array(matrix, "payoff matrix")
        if data.ndim != 2 or data.shape[0] != data.shape[1] or data.shape[0] < 1:
            raise InputError(f"a payoff matrix must be square, got shape {data.shape}", source="game")
        return cls(data, 2, strategy_labels(strategies, data.shape[0]))

    @classmethod
    def from_normal_form(cls, game: NormalFormGame) -> PopulationGame:
        """The population game of a symmetric N-player normal-form game.

        Every player must have the same actions (same labels) and the game must be
        symmetric: a player's payoff depends only on its own action and the
        multiset of the others' actions, the same for every player.
        """
        n = game.num_players
        acts = game.actions[0]
        if n < 2 or any(a != acts for a in game.actions):
            raise InputError("a population game needs a symmetric game: every player with the same actions, got "
                             f"{[list(a) for a in game.actions]}", source="game")
        m = len(acts)
        comps = compositions(n - 1, m)
        binom = binomial_table(n - 1 + m, m)
        table = np.full((m, len(comps)), np.nan)
        tol = 1e-9 * max(game.payoff_scale, 1.0)
        for profile in np.ndindex(*game.num_actions):
            for i in range(n):
                s = profile[i]
                counts = np.bincount(np.delete(np.array(profile), i), minlength=m).astype(np.int64)
                c = composition_rank(counts, n - 1, binom)
                v = game.payoffs[(i,) + profile]
                if np.isnan(table[s, c]):
                    table[s, c] = v
                elif abs(table[s, c] - v) > tol:
                    raise InputError(
                        f"the game is not symmetric: player {game.players[i]!r} gets {v:g} at profile "
                        f"{[acts[k] for k in profile]} but {table[s, c]:g} in a profile with the same own action "
                        "and the same multiset of others' actions; a population game needs a symmetric game",
                        source="game")
        return cls(table, n, acts)

    @classmethod
    def two_strategy(cls, payoff_a: Any, payoff_b: Any, strategies: Sequence[str] = ("A", "B")) -> PopulationGame:
        """Two strategies in groups of ``N = len(payoff_a)``: ``payoff_a[j]`` / ``payoff_b[j]`` is an A-player's /
        B-player's payoff when ``j`` of its ``N - 1`` co-players play A (``j = 0..N-1``)."""
        a = float_array(payoff_a, "payoff_a")
        b = float_array(payoff_b, "payoff_b")
        if a.ndim != 1 or a.shape != b.shape or a.shape[0] < 2:
            raise InputError(f"payoff_a and payoff_b must be vectors of the same length N >= 2 (one entry per "
                             f"number of A co-players, 0..N-1), got shapes {a.shape} and {b.shape}", source="game")
        # composition index c has N-1-c A co-players
        return cls(np.stack([a[::-1], b[::-1]]), a.shape[0], strategy_labels(strategies, 2))

    @classmethod
    def from_function(cls, fn: Callable[[int, tuple[int, ...]], float], strategies: Sequence[str],
                      group_size: int) -> PopulationGame:
        """Group game from ``fn(s, counts)``: the payoff of an ``s``-player whose co-players number ``counts[t]``
        of each strategy ``t`` (``sum(counts) == group_size - 1``)."""
        labels = strategy_labels(strategies, len(strategies))
        n = int_at_least(group_size, 2, "group size")
        comps = compositions(n - 1, len(labels))
        table = np.array([[float(fn(s, tuple(int(v) for v in c))) for c in comps] for s in range(len(labels))])
        return cls(table, n, labels)

    # ----------------------------------------------------------------- accessors
    @property
    def num_strategies(self) -> int:
        return len(self.strategies)

    @property
    def payoff_scale(self) -> float:
        return float(np.ptp(self.payoffs)) if self.payoffs.size else 0.0

    def strategy_index(self, strategy: int | str) -> int:
        """Index of a strategy given by label or index; :class:`InputError` if unknown."""
        if isinstance(strategy, (int, np.integer)) and not isinstance(strategy, bool):
            if 0 <= int(strategy) < self.num_strategies:
                return int(strategy)
        elif strategy in self.strategies:
            return self.strategies.index(strategy)
        raise InputError(f"unknown strategy {strategy!r}; expected one of {list(self.strategies)}", source="game")

    def payoff(self, strategy: int | str, co_players: dict[str, int] | Sequence[int]) -> float:
        """Payoff of a ``strategy`` player whose co-players number ``co_players`` of each strategy."""
        s = self.strategy_index(strategy)
        if isinstance(co_players, dict):
            counts = np.zeros(self.num_strategies, dtype=np.int64)
            for key, v in co_players.items():
                counts[self.strategy_index(key)] = int(v)
        else:
            counts = np.asarray(co_players, dtype=np.int64)
        if counts.shape != (self.num_strategies,) or counts.min() < 0 or counts.sum() != self.group_size - 1:
            raise InputError(f"co-players must be {self.num_strategies} counts >= 0 summing to "
                             f"{self.group_size - 1}, got {counts.tolist()}", source="game")
        binom = binomial_table(self.group_size + self.num_strategies, self.num_strategies)
        return float(self.payoffs[s, composition_rank(counts, self.group_size - 1, binom)])

    def edge_table(self) -> np.ndarray:
        """``edge[a, b, j]``: index of the co-player composition with ``j`` a's and ``N - 1 - j`` b's."""
        m, n_co = self.num_strategies, self.group_size - 1
        return edge_table(m, n_co, binomial_table(n_co + m, m))

    def to_dict(self) -> dict[str, Any]:
        return {"strategies": list(self.strategies), "group_size": self.group_size,
                "compositions": self.compositions.tolist(), "payoffs": self.payoffs.tolist()}


def collective_risk_dilemma(group_size: int, threshold: int, cost: float, risk: float, endowment: float = 1.0,
                            strategies: Sequence[str] = ("C", "D")) -> PopulationGame:
    r"""The collective-risk dilemma of Santos and Pacheco (2011) as a two-strategy group game.

    In a group of :math:`N`, cooperators pay :math:`c b` of their endowment
    :math:`b`; if fewer than :math:`M` = ``threshold`` members cooperate, every
    member loses what is left with probability :math:`r` (a red line crossed).
    With :math:`k` cooperators in the group (focal included),

    .. math:: P_D(k) = b\,\{\Theta(k - M) + (1 - r)[1 - \Theta(k - M)]\},\qquad P_C(k) = P_D(k) - c b,

    :math:`\Theta(x) = 1` for :math:`x \ge 0`, else 0.

    Examples
    --------
    >>> g = collective_risk_dilemma(group_size=3, threshold=2, cost=0.1, risk=0.5)
    >>> g.payoff("C", {"C": 1, "D": 1}), g.payoff("C", {"C": 0, "D": 2})
    (0.9, 0.4)

    References
    ----------
    Santos, F. C. and Pacheco, J. M. (2011). Risk of collective failure provides an escape from the tragedy of
    the commons. *PNAS* 108(26), 10421-10425.
    """
    n = int_at_least(group_size, 2, "group size")
    m_thr = int_at_least(threshold, 0, "threshold")
    if m_thr > n:
        raise InputError(f"threshold must be at most the group size {n}, got {m_thr}", source="game")
    c = probability(cost, "cost (a fraction of the endowment)")
    r = probability(risk, "risk")
    b = nonnegative(endowment, "endowment")

    def defector(k: int) -> float:
        return b if k >= m_thr else b * (1.0 - r)

    payoff_c = [defector(j + 1) - c * b for j in range(n)]  # j cooperating co-players
    payoff_d = [defector(j) for j in range(n)]
    return PopulationGame.two_strategy(payoff_c, payoff_d, strategies)
