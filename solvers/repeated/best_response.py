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
from coop.solvers.repeated.payoffs import _finite_norm, discounted_values, finite_horizon_values
from coop.solvers.repeated.sizes import DELTA_GRID, check_horizon, check_scan
from coop.solvers.repeated.subgame_perfection import _Tables, _tables, final_interval_starts
from coop.solvers.shared.jit import njit

#: Policy iteration stops after this many improvements (it converges in a handful on automaton games).
MAX_POLICY_ITERATIONS = 200


def _optimal_values(t: _Tables, i: int, delta: Any, own: np.ndarray) -> tuple[np.ndarray, bool]:
    """Player ``i``'s optimal normalised values against the others' automata (policy iteration), and whether
    the iteration settled (``False``: it stopped at :data:`MAX_POLICY_ITERATIONS` improvements).

    ``delta`` is a float (values ``(J,)``) or an array ``(G,)`` of discount factors, solved
    together (values ``(G, J)``). ``own`` is the action the player's automaton takes at each
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
    settled = False
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
            settled = True
            break
        policy = np.where(improve, q.argmax(axis=2), policy)
    return (V[0] if scalar else V), settled


@njit(cache=True)
def _finite_optimal_kernel(Di, UDi, valid, d, horizon, out):
    """Unnormalised optimal values ``out`` ``(G, J)`` of one player over ``horizon`` periods, per discount factor
    of ``d``: ``W <- max_a [UD(s, a) + d sum_n D(s, a, n) W(n)]`` over the player's actions ``valid``."""
    G = d.shape[0]
    J = Di.shape[0]
    A = Di.shape[1]
    W = np.zeros(J)
    new = np.zeros(J)
    for g in range(G):
        dg = d[g]
        for s in range(J):
            W[s] = 0.0
        for _ in range(horizon):
            for s in range(J):
                top = -np.inf
                for a in range(A):
                    if not valid[s, a]:
                        continue
                    acc = 0.0
                    for n in range(J):
                        acc += Di[s, a, n] * W[n]
                    q = UDi[s, a] + dg * acc
                    if q > top:
                        top = q
                new[s] = top
            for s in range(J):
                W[s] = new[s]
        for s in range(J):
            out[g, s] = W[s]


def _finite_optimal_values(t: _Tables, i: int, delta: Any, horizon: int) -> np.ndarray:
    """Player ``i``'s optimal values over ``horizon`` periods (backward induction), normalised: ``(J,)`` for one
    discount factor (``None``: no discounting), ``(G, J)`` for an array of them."""
    scalar = delta is None or np.ndim(delta) == 0
    d = np.ascontiguousarray(np.atleast_1d(np.asarray(1.0 if delta is None else delta, dtype=float)))
    W = np.empty((d.shape[0], t.P.shape[0]))
    _finite_optimal_kernel(np.ascontiguousarray(t.D[:, i, :, :]), np.ascontiguousarray(t.UD[:, i, :]),
                           np.ascontiguousarray(t.F[:, i, :] >= 0), d, int(horizon), W)
    W = _finite_norm(d, horizon)[:, None] * W
    return W[0] if scalar else W


def _nash_gains(t: _Tables, game: RepeatedGame, delta: float | np.ndarray | None,
                players: Sequence[int]) -> tuple[np.ndarray, bool]:
    """Per player, what the best response earns above the profile from the start (normalised values), and
    whether every policy iteration settled.

    ``delta`` is one discount factor or a grid of them, or None (finite horizon only).
    """
    settled = True
    if game.horizon is None:
        assert delta is not None  # an infinite game is checked only with a discount factor
        own = np.unravel_index(t.onpath, game.stage.num_actions)
        if np.ndim(delta) == 1:  # a grid of discount factors: (G, len(players))
            d = np.asarray(delta, dtype=float)[:, None, None]
            J = t.P.shape[0]
            V = np.linalg.solve(np.eye(J)[None] - d * t.P[None], (1.0 - d) * t.U[None])[:, t.start]  # (G, N)
            columns = []
            for i in players:
                values, ok = _optimal_values(t, i, delta, np.asarray(own[i], dtype=np.int64))
                columns.append(values[:, t.start])
                settled = settled and ok
            return np.stack(columns, axis=1) - V[:, list(players)], settled
        V = discounted_values(t.P, t.U, float(delta))[t.start]
        best = []
        for i in players:
            values, ok = _optimal_values(t, i, delta, np.asarray(own[i], dtype=np.int64))
            best.append(values[t.start])
            settled = settled and ok
        return np.array(best) - V[list(players)], settled
    if delta is not None and np.ndim(delta) == 1:  # a grid of discount factors, in one backward pass
        check_horizon(game.horizon, t.P.shape[0], game.num_players, t.UD.shape[2], int(np.size(delta)))
        Vg = finite_horizon_values(t.P, t.U, delta, game.horizon)[:, t.start]  # (G, N)
        best_g = np.stack([_finite_optimal_values(t, i, delta, game.horizon)[:, t.start] for i in players], axis=1)
        return best_g - Vg[:, list(players)], settled
    check_horizon(game.horizon, t.P.shape[0], game.num_players, t.UD.shape[2])
    V = finite_horizon_values(t.P, t.U, delta, game.horizon)[t.start]
    best_f = np.array([_finite_optimal_values(t, i, delta, game.horizon)[t.start] for i in players])
    return best_f - V[list(players)], settled


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
    complete : bool
        ``False`` when a policy iteration stopped at :data:`MAX_POLICY_ITERATIONS` improvements before it
        settled: the best responses (hence ``is_nash`` and the critical deltas) may then be understated.
    reason : str or None
        Why the check is not complete.
    """

    game: RepeatedGame = field(repr=False)
    strategies: tuple[str, ...]
    is_nash: bool | None
    gains: np.ndarray | None
    critical_delta: tuple[float | None, ...]
    critical_delta_overall: float | None
    tol: float
    complete: bool = True
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        players = self.game.stage.players
        return {
            "nash": self.is_nash,
            "best_response_gain": None if self.gains is None else {
                p: float(self.gains[i]) for i, p in enumerate(players)},
            "critical_delta": dict(zip(players, self.critical_delta, strict=True)),
            "critical_delta_overall": self.critical_delta_overall,
            "complete": self.complete,
            "reason": self.reason,
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
    settled = True
    if game.delta is None and game.horizon is None:
        is_nash, gains = None, None
    else:
        gains, settled = _nash_gains(t, game, game.delta, players)
        is_nash = bool(np.all(gains <= tol))
        gains.setflags(write=False)
    crit, scan_settled = _critical(t, game, players, tol)
    known = [c for c in crit if c is not None]
    overall = max(known) if len(known) == len(crit) else None
    complete = settled and scan_settled
    reason = None if complete else (
        f"a best-response policy iteration stopped at its limit of {MAX_POLICY_ITERATIONS} improvements before "
        "it settled: the Nash check and its critical delta may understate what a deviation gains")
    return NashCheck(game, tuple(a.name for a in profile), is_nash, gains, crit, overall, tol, complete, reason)


def _critical(t: _Tables, game: RepeatedGame, players: tuple[int, ...], tol: float) -> tuple[
        tuple[float | None, ...], bool]:
    """Per player, the critical delta of the Nash conditions, and whether every policy iteration settled."""
    grid = DELTA_GRID
    settled = [True]

    def fails(d: float, who: tuple[int, ...]) -> np.ndarray:
        # normalised values shrink like (1 - delta): compare per period of patience, as the SPE gains are
        scale = 1.0 - d if game.horizon is None else 1.0
        gains, ok = _nash_gains(t, game, d, who)
        settled[0] = settled[0] and ok
        return gains > tol * scale

    if game.horizon is None:  # the whole grid in one batched policy iteration
        check_scan(t.P.shape[0], game.num_players)
        gains, ok = _nash_gains(t, game, grid, players)
        table = gains > tol * (1.0 - grid)[:, None]
    else:  # the whole grid in one backward pass
        gains, ok = _nash_gains(t, game, grid, players)
        table = gains > tol
    settled[0] = settled[0] and ok
    out = tuple(final_interval_starts(grid, table, lambda d, k: bool(fails(d, (players[k],))[0])))
    return out, settled[0]
