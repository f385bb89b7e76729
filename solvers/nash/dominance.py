r"""Iterated elimination of strictly dominated strategies (IESDS).

Action :math:`a` of player :math:`i` is *strictly dominated* by a mixed strategy
:math:`\sigma` over player :math:`i`'s other remaining actions when

.. math:: \sum_b \sigma_b\, u_i(b, s_{-i}) > u_i(a, s_{-i}) \quad \text{for every remaining } s_{-i}.

Rational players never play a strictly dominated action, and no Nash
equilibrium gives one positive probability, so removing them (and repeating,
because a removal can make other actions dominated) leaves every equilibrium
intact. For strict dominance the order of removal does not change the result
(Gilboa, Kalai and Zemel 1990), so each round removes every dominated action of
every player at once.

Pure-strategy dominance is checked with array comparisons. Dominance by a
mixed strategy is a linear programme per action: maximise the margin
:math:`\varepsilon` subject to :math:`\sum_b \sigma_b u_i(b, s) - u_i(a, s) \ge
\varepsilon` for all :math:`s` (Myerson 1991, thm. 1.6). Its optimum is the
value of the zero-sum game whose matrix holds the other actions' margins over
:math:`a` (rows :math:`b`, columns :math:`s`), solved and certified by
:func:`coop.solvers.nash.zero_sum.zero_sum_solution`. The action is dominated when
the optimal margin exceeds the tolerance. An action that is a best reply to
some remaining opponent profile is never dominated (no mixture beats it
there), so the programme is only set up for the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.results import regret_tolerance
from coop.solvers.nash.zero_sum import zero_sum_solution
from coop.solvers.shared.tolerances import STAKE_FLOOR

#: Mixed-dominance LPs are skipped (and the result says so) when a player's
#: opponents have more remaining profiles than this.
MAX_LP_CONSTRAINTS = 20_000


@dataclass(frozen=True)
class Elimination:
    """One action removed by IESDS.

    Attributes
    ----------
    round : int
        1-based elimination round.
    player : str
        The player whose action was removed.
    action : str
        The removed action.
    dominated_by : dict
        The dominating strategy: ``{action: probability}`` (one entry for a pure dominator).
    margin : float
        The smallest payoff advantage of the dominator over the removed action.
    """

    round: int
    player: str
    action: str
    dominated_by: dict[str, float]
    margin: float

    @property
    def by_mixed(self) -> bool:
        return len(self.dominated_by) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "player": self.player,
            "action": self.action,
            "dominated_by": dict(self.dominated_by),
            "by_mixed_strategy": self.by_mixed,
            "margin": self.margin,
        }


@dataclass(frozen=True, eq=False)
class DominanceResult:
    """The outcome of iterated elimination of strictly dominated strategies.

    Attributes
    ----------
    game : NormalFormGame
        The original game.
    remaining : tuple of tuple of int
        Indices of the surviving actions of each player.
    eliminations : tuple of Elimination
        Every removal, in order.
    mixed : bool
        Whether domination by mixed strategies was checked.
    complete : bool
        False if some mixed-dominance checks were skipped because the game was too large.
    tol : float
        The margin an action must be beaten by to count as strictly dominated.
    """

    game: NormalFormGame
    remaining: tuple[tuple[int, ...], ...]
    eliminations: tuple[Elimination, ...]
    mixed: bool
    complete: bool
    tol: float

    @property
    def remaining_actions(self) -> dict[str, list[str]]:
        return {
            p: [self.game.actions[i][k] for k in self.remaining[i]]
            for i, p in enumerate(self.game.players)
        }

    @property
    def solved(self) -> bool:
        """True when one action per player survives (the game is dominance solvable)."""
        return all(len(r) == 1 for r in self.remaining)

    def reduced_game(self) -> NormalFormGame:
        """The game restricted to the surviving actions."""
        index = np.ix_(*[list(r) for r in self.remaining])
        payoffs = np.stack([self.game.payoffs[i][index] for i in range(self.game.num_players)])
        actions = [[self.game.actions[i][k] for k in r] for i, r in enumerate(self.remaining)]
        return NormalFormGame.from_payoffs(
            payoffs, self.game.players, actions, self.game.title, self.game.description
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "mixed": self.mixed,
            "complete": self.complete,
            "solved": self.solved,
            "remaining": self.remaining_actions,
            "eliminated": [e.to_dict() for e in self.eliminations],
        }


def _own_axis_first(game: NormalFormGame, i: int, remaining: list[list[int]]) -> np.ndarray:
    """Player i's unit payoffs on the remaining actions, shape (own actions, opponent profiles)."""
    u = game.unit_payoffs[i][np.ix_(*remaining)]
    return np.moveaxis(u, i, 0).reshape(len(remaining[i]), -1)


def _column_stakes(U: np.ndarray) -> np.ndarray:
    """Per opponent profile (column), what is at stake for the player: the spread of the column, at least
    ``STAKE_FLOOR`` times its largest magnitude (1 where the column is all zeros: nothing can beat anything)."""
    hi = U.max(axis=0)
    lo = U.min(axis=0)
    stake = np.maximum(hi - lo, STAKE_FLOOR * np.maximum(np.abs(hi), np.abs(lo)))
    return np.where(stake > 0.0, stake, 1.0)


def _pure_dominator(U: np.ndarray, stake: np.ndarray, a: int, tol: float) -> tuple[int, float] | None:
    """The first action (by largest relative margin) that beats row ``a`` at every column by more than ``tol``
    times that column's stake; returns it and its smallest margin (in unit payoffs)."""
    diff = U - U[a]
    relative = (diff / stake).min(axis=1)
    relative[a] = -np.inf
    b = int(np.argmax(relative))
    return (b, float(diff[b].min())) if relative[b] > tol else None


def _mixed_dominator(U: np.ndarray, stake: np.ndarray, a: int, tol: float) -> tuple[np.ndarray, float] | None:
    """The mixture of the other rows that beats row ``a`` by the widest relative margin, if it exceeds ``tol``
    at every column (margins divided by the column's stake); returns it and its smallest margin (unit payoffs)."""
    others = [b for b in range(U.shape[0]) if b != a]
    if not others:
        return None
    V = U[others]  # (k, S)
    if np.any(V.max(axis=0) - U[a] <= tol * stake):
        return None  # a best reply (within tol) to some profile s: every mixture's margin at s is <= tol
    # max over sigma of min over s of sigma @ (V - U[a]) / stake: the row player's guarantee in a zero-sum
    # game, recomputed from the weights found; it decides
    if zero_sum_solution((V - U[a]) / stake).row_guarantee <= tol:
        return None
    # the mixture reported is the one with the widest margin in payoffs (the same programme without the stakes)
    sol = zero_sum_solution(V - U[a])
    full = np.zeros(U.shape[0])
    full[others] = sol.row_strategy
    return full, sol.row_guarantee


def iterated_dominance(
    game: NormalFormGame, mixed: bool = True, tol: float | None = None
) -> DominanceResult:
    """Iteratively remove strictly dominated actions of every player.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game.
    mixed : bool
        Also remove actions dominated only by a mixed strategy (one LP per
        action per round). Pure dominance is always checked first.
    tol : float, optional
        Relative tolerance: an action is dominated only if beaten by more than ``tol`` times
        what is at stake (the spread of the player's payoffs against that profile) against
        every remaining opponent profile; default ``1e-9``, so ties never count as domination.

    Returns
    -------
    DominanceResult

    Examples
    --------
    In the prisoner's dilemma cooperation is strictly dominated, so IESDS
    solves the game:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> pd = NormalFormGame.symmetric(np.array([[3.0, 0.0], [5.0, 1.0]]), actions=("C", "D"))
    >>> res = iterated_dominance(pd)
    >>> res.remaining_actions
    {'1': ['D'], '2': ['D']}
    """
    tol = regret_tolerance(game, tol)
    n = game.num_players
    remaining = [list(range(a)) for a in game.num_actions]
    eliminations: list[Elimination] = []
    complete = True
    round_no = 0
    changed = True
    while changed:
        changed = False
        round_no += 1
        removals: list[tuple[int, int, dict[str, float], float]] = []
        for i in range(n):
            if len(remaining[i]) < 2:
                continue
            U = _own_axis_first(game, i, remaining)
            stake = _column_stakes(U)
            exp = int(game.payoff_exponents[i])
            for a in range(U.shape[0]):
                pure = _pure_dominator(U, stake, a, tol)
                if pure is not None:
                    b, margin = pure
                    removals.append((i, a, {game.actions[i][remaining[i][b]]: 1.0}, float(np.ldexp(margin, exp))))
                    continue
                if not mixed or U.shape[0] < 3:  # with two actions, mixed dominance is pure dominance
                    continue
                if U.shape[1] > MAX_LP_CONSTRAINTS:
                    complete = False
                    continue
                found = _mixed_dominator(U, stake, a, tol)
                if found is not None:
                    sigma, margin = found
                    weights = {
                        game.actions[i][remaining[i][b]]: float(sigma[b])
                        for b in range(len(sigma))
                        if sigma[b] > 1e-12
                    }
                    removals.append((i, a, weights, float(np.ldexp(margin, exp))))
        if removals:
            changed = True
            dropped: dict[int, set[int]] = {}
            for i, a, weights, margin in removals:
                eliminations.append(
                    Elimination(round_no, game.players[i], game.actions[i][remaining[i][a]], weights, margin)
                )
                dropped.setdefault(i, set()).add(a)
            for i, local in dropped.items():
                remaining[i] = [k for j, k in enumerate(remaining[i]) if j not in local]
    return DominanceResult(
        game=game,
        remaining=tuple(tuple(r) for r in remaining),
        eliminations=tuple(eliminations),
        mixed=mixed,
        complete=complete,
        tol=tol,
    )
