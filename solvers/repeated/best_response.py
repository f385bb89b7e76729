r"""Best responses to a profile of automata: is it a Nash equilibrium of the repeated game, and from which delta?

Subgame perfection (:mod:`coop.solvers.repeated.subgame_perfection`) asks that no
player gain by deviating after *any* history; a Nash equilibrium of the
repeated game only asks it at the start, i.e. along the path of play. The
difference is the classic one of tit-for-tat in the prisoner's dilemma: mutual
tit-for-tat is a Nash equilibrium for

.. math:: \delta \ge \max\left(\frac{T-R}{T-P},\ \frac{T-R}{R-S}\right)

(Axelrod 1984, ch. 3; Axelrod and Hamilton 1981), but subgame perfect on no
interval of discount factors, because after a defection it asks a player to
accept the sucker's payoff to restore cooperation.

Against fixed automata of the others, player :math:`i`'s problem is a Markov
decision problem on the joint automaton states (perfect monitoring of the
realised actions, implementation noise included): in state :math:`s` it
chooses an intended action :math:`a`, earns the expected stage payoff
:math:`u^{dev}_i(s, a)` and moves by :math:`D(s, a, \cdot)`. Its optimal value

.. math:: V^*_i(s) = \max_a\ (1-\delta)\, u^{dev}_i(s, a) + \delta \sum_{s'} D(s, a, s')\, V^*_i(s')

is found by policy iteration (Howard 1960), starting from the automaton's own
policy; the profile is a Nash equilibrium iff :math:`V_i(s_0) \ge V^*_i(s_0)`
for every player, up to ``tol``. With a finite horizon, :math:`V^*` is found
by backward induction. The player's own automaton state is part of the joint
state: it is a function of the history, so conditioning on it adds nothing a
strategy could not do.

References
----------
Axelrod, R. and Hamilton, W. D. (1981). The evolution of cooperation. *Science* 211, 1390-1396.
Axelrod, R. (1984). *The Evolution of Cooperation*. Basic Books, ch. 3.
Howard, R. A. (1960). *Dynamic Programming and Markov Processes*. MIT Press.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.games.automata import Automaton
from coop.games.repeated import RepeatedGame
from coop.solvers.nash.results import REGRET_TOL
from coop.solvers.repeated.payoffs import discounted_values, finite_horizon_values
from coop.solvers.repeated.subgame_perfection import DELTA_GRID, _Tables, _tables, final_interval_starts

#: Policy iteration stops after this many improvements (it converges in a handful on automaton games).
MAX_POLICY_ITERATIONS = 200


def _optimal_values(t: _Tables, i: int, delta: Any, own: np.ndarray) -> np.ndarray:
    """Player ``i``'s optimal normalised values against the others' automata (policy iteration).

    ``delta`` is a float (returns ``(J,)``) or an array ``(G,)`` of discount factors, solved
    together (returns ``(G, J)``). ``own`` is the action the player's automaton takes at each
    joint state: the first policy.
    """
    scalar = np.ndim(delta) == 0
    d = np.atleast_1d(np.asarray(delta, dtype=float))[:, None]  # (G, 1)
    G, J = d.shape[0], t.P.shape[0]
    valid = t.F[:, i, :] >= 0
    Di = t.D[:, i, :, :]  # (J, A, J)
    reward = np.where(valid, t.UD[:, i, :], 0.0)
    policy = np.broadcast_to(own, (G, J)).copy()
    rows = np.arange(J)[None, :]
    eye = np.eye(J)[None]
    V = np.zeros((G, J))
    for _ in range(MAX_POLICY_ITERATIONS):
        P = Di[rows, policy]  # (G, J, J)
        u = reward[rows, policy]  # (G, J)
        V = np.linalg.solve(eye - d[:, :, None] * P, ((1.0 - d) * u)[..., None])[..., 0]
        q = (1.0 - d[:, :, None]) * reward[None] + d[:, :, None] * np.einsum("san,gn->gsa", Di, V)
        q[:, ~valid] = -np.inf
        current = np.take_along_axis(q, policy[..., None], axis=2)[..., 0]
        best = q.max(axis=2)
        # switch only where strictly better, so the iteration cannot cycle between ties
        improve = best > current + 1e-12 * max(1.0, float(np.abs(t.flat_payoffs).max()))
        if not improve.any():
            break
        policy = np.where(improve, q.argmax(axis=2), policy)
    return V[0] if scalar else V


def _finite_optimal_values(t: _Tables, i: int, delta: float | None, horizon: int) -> np.ndarray:
    """Player ``i``'s optimal values ``(J,)`` over ``horizon`` periods (backward induction), normalised."""
    d = 1.0 if delta is None else float(delta)
    valid = t.F[:, i, :] >= 0
    W = np.zeros(t.P.shape[0])
    for _ in range(horizon):
        q = t.UD[:, i, :] + d * np.einsum("san,n->sa", t.D[:, i, :, :], W)
        W = np.where(valid, q, -np.inf).max(axis=1)
    norm = 1.0 / horizon if d == 1.0 else (1.0 - d) / (1.0 - d**horizon)
    return norm * W


def _nash_gains(t: _Tables, game: RepeatedGame, delta: float | np.ndarray | None,
                players: Sequence[int]) -> np.ndarray:
    """Per player, what the best response earns above the profile from the start (normalised values).

    ``delta`` is one discount factor or a grid of them (infinite horizon only), or None (finite horizon only).
    """
    if game.horizon is None:
        assert delta is not None  # an infinite game is checked only with a discount factor
        own = np.unravel_index(t.onpath, game.stage.num_actions)
        if np.ndim(delta) == 1:  # a grid of discount factors: (G, len(players))
            d = np.asarray(delta, dtype=float)[:, None, None]
            J = t.P.shape[0]
            V = np.linalg.solve(np.eye(J)[None] - d * t.P[None], (1.0 - d) * t.U[None])[:, t.start]  # (G, N)
            best = np.stack([_optimal_values(t, i, delta, np.asarray(own[i], dtype=np.int64))[:, t.start]
                             for i in players], axis=1)
            return best - V[:, list(players)]
        V = discounted_values(t.P, t.U, float(delta))[t.start]
        best = np.array([_optimal_values(t, i, delta, np.asarray(own[i], dtype=np.int64))[t.start] for i in players])
    else:
        assert not isinstance(delta, np.ndarray)  # a grid of discount factors is for infinite games
        V = finite_horizon_values(t.P, t.U, delta, game.horizon)[t.start]
        best = np.array([_finite_optimal_values(t, i, delta, game.horizon)[t.start] for i in players])
    return best - V[list(players)]


@dataclass(frozen=True, eq=False)
class NashCheck:
    """Whether a profile of automata is a Nash equilibrium of the repeated game.

    Attributes
    ----------
    is_nash : bool
        No player can gain by any strategy (deviations at the start and after).
    gains : numpy.ndarray
        ``(N,)`` what each player's best response earns above the profile, in (normalised) payoff units.
    critical_delta : tuple of (float or None)
        Per player, the least delta from which the player has no profitable strategy
        (``None``: not on any interval up to 1); with a finite horizon, over ``[0, 1)`` likewise.
    critical_delta_overall : float or None
        The largest of them.
    """

    game: RepeatedGame = field(repr=False)
    strategies: tuple[str, ...]
    is_nash: bool | None
    gains: np.ndarray | None
    critical_delta: tuple[float | None, ...]
    critical_delta_overall: float | None
    tol: float

    def to_dict(self) -> dict[str, Any]:
        players = self.game.stage.players
        return {
            "nash": self.is_nash,
            "best_response_gain": None if self.gains is None else {
                p: float(self.gains[i]) for i, p in enumerate(players)},
            "critical_delta": dict(zip(players, self.critical_delta, strict=True)),
            "critical_delta_overall": self.critical_delta_overall,
        }


def check_nash(game: RepeatedGame, profile: Sequence[Automaton], tol: float | None = None) -> NashCheck:
    """Check a profile of automata for a Nash equilibrium of the repeated game, and find its critical deltas.

    The critical delta of each player is found on :data:`~coop.solvers.repeated.subgame_perfection.DELTA_GRID`
    and refined by bisection, as for subgame perfection. Perfect monitoring of the
    realised actions is assumed (noise allowed).

    Examples
    --------
    Tit-for-tat in the prisoner's dilemma (T, R, P, S) = (5, 3, 1, 0) is a Nash equilibrium
    from delta = max((T-R)/(T-P), (T-R)/(R-S)) = 2/3, although never subgame perfect:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, 0.9, (0, 0), (1, 1))
    >>> res = check_nash(g, g.profile("tit_for_tat"))
    >>> res.is_nash, round(res.critical_delta_overall, 6)
    (True, 0.666667)
    """
    t = _tables(game, profile)
    tol = REGRET_TOL * game.stage.payoff_scale if tol is None else float(tol)
    players = tuple(range(game.num_players))
    if game.delta is None and game.horizon is None:
        is_nash, gains = None, None
    else:
        gains = _nash_gains(t, game, game.delta, players)
        is_nash = bool(np.all(gains <= tol))
        gains.setflags(write=False)
    crit = _critical(t, game, players, tol)
    known = [c for c in crit if c is not None]
    overall = max(known) if len(known) == len(crit) else None
    return NashCheck(game, tuple(a.name for a in profile), is_nash, gains, crit, overall, tol)


def _critical(t: _Tables, game: RepeatedGame, players: tuple[int, ...], tol: float) -> tuple[float | None, ...]:
    grid = DELTA_GRID

    def fails(d: float, who: tuple[int, ...]) -> np.ndarray:
        # normalised values shrink like (1 - delta): compare per period of patience, as the SPE gains are
        scale = 1.0 - d if game.horizon is None else 1.0
        return _nash_gains(t, game, d, who) > tol * scale

    if game.horizon is None:  # the whole grid in one batched policy iteration
        table = _nash_gains(t, game, grid, players) > tol * (1.0 - grid)[:, None]
    else:
        table = np.array([fails(d, players) for d in grid])  # (G, N)
    return tuple(final_interval_starts(grid, table, lambda d, k: bool(fails(d, (players[k],))[0])))
