r"""Equilibria of an infinitely repeated game under the limit-of-means criterion.

With the limit of means a player values a stream of stage payoffs by its
long-run average :math:`\lim_T \frac1T \sum_{t<T} \mathbb{E}\, u_i(a^t)`: any
finite number of periods counts for nothing. It is the criterion of the
classic folk theorems of Aumann and Shapley (1976) and Rubinstein (1979),
and the limit of perfectly patient players.

Against the others' automata, player :math:`i` faces an average-reward Markov
decision problem on the joint automaton states (as for discounting,
:mod:`coop.solvers.repeated.best_response`). Its optimal long-run average
from each state, the *optimal gain* :math:`g^*_i(s)`, may differ from state
to state (the problem is *multichain*: a deviation can lock the play into a
punishment for ever), and is the least :math:`g` of a pair :math:`(g, h)`
with

.. math::

    g(s) \ge \sum_{s'} D(s, a, s')\, g(s'), \qquad
    g(s) + h(s) \ge u^{dev}_i(s, a) + \sum_{s'} D(s, a, s')\, h(s')

for every state :math:`s` and action :math:`a`: a linear programme
(Puterman 1994, section 9.3), solved here with HiGHS. The profile's own
average from each state is the Cesàro limit of its Markov chain.

* The profile is a **Nash equilibrium** of the repeated game when no player's
  optimal gain from the initial state exceeds the profile's average there.
* It is **subgame perfect** when this holds at every joint state that some
  history reaches (every subgame): as no single deviation changes an average,
  the one-shot deviation principle does not apply, and the check compares
  with every strategy directly.

A deviation that gains only for a while is worth nothing here, so a profile
may be subgame perfect under the limit of means and for no discount factor:
:math:`k`-period punishment in the prisoner's dilemma with
:math:`T - R = k (R - P)` is the textbook case.

References
----------
Aumann, R. J. and Shapley, L. S. (1976). Long-term competition: a
game-theoretic analysis. Reprinted in *Essays in Game Theory* (1994), Springer.
Rubinstein, A. (1979). Equilibrium in supergames with the overtaking
criterion. *Journal of Economic Theory* 21, 1-9.
Puterman, M. L. (1994). *Markov Decision Processes*. Wiley, sections 8.2 and 9.3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.automata import Automaton
from coop.games.repeated import RepeatedGame
from coop.solvers.nash.results import REGRET_TOL
from coop.solvers.repeated.payoffs import cesaro_values
from coop.solvers.repeated.subgame_perfection import _tables

#: HiGHS's feasibility tolerances for the gain programmes, on payoffs scaled to at most one in magnitude.
LP_TOL = 1e-10


@dataclass(frozen=True, eq=False)
class LimitOfMeansCheck:
    """A profile of automata checked under the limit of means.

    Attributes
    ----------
    is_spe : bool
        No player gains by any strategy from any joint state that some history reaches.
    is_nash : bool
        No player gains by any strategy from the initial joint state.
    payoffs : numpy.ndarray
        ``(N,)`` each player's long-run average payoff from the initial state.
    spe_gain : numpy.ndarray
        ``(N,)`` per player, the most the best strategy earns above the profile's average, over the joint
        states checked (at most ``tol`` where the player has no profitable deviation).
    nash_gain : numpy.ndarray
        ``(N,)`` the same from the initial state only.
    worst_state : tuple of tuple of str
        Per player, the joint state (each player's automaton state) of the largest gain.
    best_deviation : tuple of str or None
        Per player, the action the best strategy plays first at that state (``None`` where the player
        has no profitable deviation).
    num_states : int
        The number of joint states checked.
    tol : float
        The largest gain counted as none, in payoff units.
    """

    game: RepeatedGame = field(repr=False)
    strategies: tuple[str, ...]
    is_spe: bool
    is_nash: bool
    payoffs: np.ndarray
    spe_gain: np.ndarray
    nash_gain: np.ndarray
    worst_state: tuple[tuple[str, ...], ...]
    best_deviation: tuple[str | None, ...]
    num_states: int
    tol: float

    def to_dict(self) -> dict[str, Any]:
        players = self.game.stage.players
        return {
            "criterion": "limit of means",
            "strategies": dict(zip(players, self.strategies, strict=True)),
            "subgame_perfect": self.is_spe,
            "nash": self.is_nash,
            "payoffs": {p: float(self.payoffs[i]) for i, p in enumerate(players)},
            "players": {
                p: {
                    "spe_gain": float(self.spe_gain[i]),
                    "nash_gain": float(self.nash_gain[i]),
                    "worst_state": list(self.worst_state[i]),
                    "best_deviation": self.best_deviation[i],
                }
                for i, p in enumerate(players)
            },
            "reachable_states": self.num_states,
            "tol": self.tol,
        }


def optimal_gains(D: np.ndarray, reward: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The optimal long-run average reward from every state of a multichain Markov decision problem.

    Parameters
    ----------
    D : numpy.ndarray
        ``(J, A, J)`` transition probabilities of each state and action.
    reward : numpy.ndarray
        ``(J, A)`` expected rewards (entries of invalid actions are ignored).
    valid : numpy.ndarray
        ``(J, A)`` bool: the actions available at each state (at least one per state).

    Returns
    -------
    gains : numpy.ndarray
        ``(J,)`` the optimal gain :math:`g^*(s)` of every state.
    policy : numpy.ndarray
        ``(J,)`` int: an optimal stationary policy, read from the programme's dual solution (its
        gain, evaluated exactly, equals :math:`g^*` up to the programme's rounding).

    Examples
    --------
    Two states: staying in state 0 pays 1 for ever; moving to state 1 pays 5 once, then 0 for ever.
    The optimal average from state 0 is 1, from state 1 it is 0:

    >>> import numpy as np
    >>> D = np.zeros((2, 2, 2)); D[0, 0, 0] = D[0, 1, 1] = D[1, 0, 1] = D[1, 1, 1] = 1.0
    >>> r = np.array([[1.0, 5.0], [0.0, 0.0]])
    >>> g, policy = optimal_gains(D, r, np.ones((2, 2), dtype=bool))
    >>> (g.round(9) + 0.0).tolist(), int(policy[0])
    ([1.0, 0.0], 0)
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, hstack, vstack

    J, A = valid.shape
    scale = float(np.abs(np.where(valid, reward, 0.0)).max()) or 1.0
    s_idx, a_idx = np.nonzero(valid)
    m = s_idx.size
    rows = coo_matrix((np.ones(m), (np.arange(m), s_idx)), shape=(m, J))  # picks g(s) or h(s) of each row
    Pm = coo_matrix(D[s_idx, a_idx, :])  # (m, J)
    zero = coo_matrix((m, J))
    # g(s) >= P g  ->  P g - g(s) <= 0 ;  g(s) + h(s) >= r + P h  ->  -g(s) - h(s) + P h <= -r
    A_ub = vstack([hstack([Pm - rows, zero]), hstack([-rows, Pm - rows])]).tocsr()
    b_ub = np.concatenate([np.zeros(m), -reward[s_idx, a_idx] / scale])
    c = np.concatenate([np.ones(J), np.zeros(J)])
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=(None, None), method="highs",
                  options={"primal_feasibility_tolerance": LP_TOL, "dual_feasibility_tolerance": LP_TOL})
    if res.status != 0:
        raise RuntimeError(f"the limit-of-means gain programme failed: {res.message}")
    g = res.x[:J] * scale
    # an optimal policy from the dual solution (Puterman 1994, theorem 9.3.8): where the stationary
    # weights x(s, .) are positive take an action with x(s, a) > 0, elsewhere one with y(s, a) > 0
    duals = np.abs(res.ineqlin.marginals)
    y = np.zeros((J, A))
    x = np.zeros((J, A))
    y[s_idx, a_idx] = duals[:m]
    x[s_idx, a_idx] = duals[m:]
    weights = np.where(x.sum(axis=1, keepdims=True) > 1e-12, x, y)
    policy = np.where(valid, weights, -1.0).argmax(axis=1)
    return g, policy


def _policy_gains(D: np.ndarray, reward: np.ndarray, policy: np.ndarray) -> np.ndarray:
    """The exact long-run average of a stationary policy from every state."""
    rows = np.arange(policy.size)
    return cesaro_values(D[rows, policy], reward[rows, policy][:, None])[:, 0]


def _player_gains(t: Any, i: int, own: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(J,)`` what player ``i``'s best strategy earns above the profile's average ``own`` from every joint state
    of the tables ``t``, and an optimal stationary policy (the action at each state)."""
    valid = t.F[:, i, :] >= 0
    reward = np.where(valid, t.UD[:, i, :], 0.0)
    Di = t.D[:, i, :, :]
    g_lp, policy = optimal_gains(Di, reward, valid)
    g_policy = _policy_gains(Di, reward, policy)
    # the programme's optimum, or the policy's exact gain where that is larger (rounding of the programme)
    return np.maximum(g_lp, g_policy) - own, policy


def _policy_gain_line(t0: Any, t1: Any, i: int, policy: np.ndarray, state: int) -> tuple[float, float]:
    """``(a, b)``: with stage payoffs affine in a parameter ``s`` (tables ``t0`` at ``s = 0``, ``t1`` at
    ``s = 1``, the same transitions), what player ``i``'s stationary ``policy`` earns above the profile's average
    from ``state`` is exactly ``a + b s``: both averages are linear in the stage payoffs."""
    valid = t0.F[:, i, :] >= 0
    Di = t0.D[:, i, :, :]
    ends = []
    for t in (t0, t1):
        reward = np.where(valid, t.UD[:, i, :], 0.0)
        ends.append(float(_policy_gains(Di, reward, policy)[state] - cesaro_values(t.P, t.U)[state, i]))
    return ends[0], ends[1] - ends[0]


def limit_of_means_check(game: RepeatedGame, profile: Sequence[Automaton], tol: float | None = None
                         ) -> LimitOfMeansCheck:
    """Check a profile of automata for a Nash and a subgame-perfect equilibrium under the limit of means.

    Parameters
    ----------
    game : RepeatedGame
        An infinitely repeated game (its ``delta`` is ignored) with perfect monitoring of the realised
        actions (implementation noise allowed).
    profile : sequence of Automaton
        One automaton per player.
    tol : float, optional
        The largest gain counted as none; ``1e-9`` times the payoff spread by default.

    Returns
    -------
    LimitOfMeansCheck

    Examples
    --------
    In the prisoner's dilemma (T, R, P, S) = (5, 3, 1, 0), one period of punishment deters a deviation
    exactly when T - R <= R - P: here 2 = 2, so it is subgame perfect under the limit of means, though for
    no discount factor (the gain of 2 comes a period before the loss of 2). Tit-for-tat is a Nash
    equilibrium but not subgame perfect: once both have defected it echoes mutual defection (1 a
    period) for ever, and cooperating once restores 3 a period, a gain of 2:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, None, (0, 0), (1, 1))
    >>> limit_of_means_check(g, g.profile("k_period_punishment", k=1)).is_spe
    True
    >>> tft = limit_of_means_check(g, g.profile("tit_for_tat"))
    >>> tft.is_nash, tft.is_spe, tft.spe_gain.round(6).tolist()
    (True, False, [2.0, 2.0])
    """
    if game.horizon is not None:
        raise InputError("the limit of means is a criterion of infinitely repeated games; this game has a horizon "
                         f"of {game.horizon} periods")
    t = _tables(game, profile)
    tol = REGRET_TOL * game.stage.payoff_scale if tol is None else float(tol)
    n = game.num_players
    own = cesaro_values(t.P, t.U)  # (J, N)
    spe_gain = np.empty(n)
    nash_gain = np.empty(n)
    worst: list[tuple[str, ...]] = []
    first: list[str | None] = []
    for i in range(n):
        gain, policy = _player_gains(t, i, own[:, i])
        s = int(np.argmax(gain))
        spe_gain[i] = gain[s]
        nash_gain[i] = gain[t.start]
        worst.append(t.joint_names[s])
        first.append(game.stage.actions[i][int(policy[s])] if gain[s] > tol else None)
    for a in (spe_gain, nash_gain):
        a.setflags(write=False)
    payoffs = own[t.start].copy()
    payoffs.setflags(write=False)
    return LimitOfMeansCheck(
        game, tuple(a.name for a in profile), bool(np.all(spe_gain <= tol)), bool(np.all(nash_gain <= tol)),
        payoffs, spe_gain, nash_gain, tuple(worst), tuple(first), int(t.reach.sum()), tol,
    )

