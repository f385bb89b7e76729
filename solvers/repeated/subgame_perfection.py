r"""Subgame perfection of automaton profiles and critical discount factors (perfect or public monitoring).

By the one-shot deviation principle (Mailath and Samuelson 2006, prop. 2.2.1),
a profile of automata is a subgame-perfect equilibrium of the discounted
repeated game iff at every joint state :math:`s` reachable from the initial
state (under *any* sequence of action profiles) and for every player
:math:`i` and stage action :math:`a_i`

.. math:: (1-\delta)\, u_i(a_i, a_{-i}(s)) + \delta \sum_{s'} \Pr(s' \mid s, (a_i, a_{-i}(s)))\, V_i(s')
          \;\le\; V_i(s),

where :math:`V` are the discounted values of the profile
(:func:`coop.solvers.repeated.payoffs.discounted_values`). The gain reported
is the left side minus the right side divided by :math:`1-\delta`, i.e. in
per-period payoff units, and the condition holds when it is at most
``tol`` (``1e-9`` times the payoff spread by default).

The analysis assumes that the automata read common information: **perfect
monitoring** of the realised actions, or **public monitoring**
(``monitoring="public"``): one report of every player's action, each defection
reported as one with probability ``detection`` and each cooperation as a
defection with probability ``false_alarm``, which every automaton reads. The
joint state is then common knowledge and the one-shot deviation principle
gives the perfect public equilibria (Fudenberg, Levine and Maskin 1994):
payoffs follow the realised profile, transitions its report. The same holds
for a **general public signal** (``signals``): a signal drawn given the
realised profile, on which every automaton moves. All three are one public
signal to the kernel (:func:`coop.games.public_signals.signal_table`: the
report's values are the reported profiles, perfect monitoring's the profiles
themselves), and the joint states checked are those that some sequence of
signals with positive probability reaches. A game with
imperfect *private* channels is refused with :class:`~coop.errors.InputError`,
since with private signals the players' automaton states drift apart and the
question becomes one of sequential equilibrium. **Implementation noise** is
handled: a player chooses an *intended* action, noise flips it with
probability :math:`\varepsilon`, everybody sees the realised profile, so the
one-shot deviation compares intentions and both sides of the inequality take
the expectation over the realised profiles (payoffs and transitions). With
noise :math:`\varepsilon < 1/2`, grim trigger in the prisoner's dilemma is
subgame perfect from

.. math:: \delta^* = \frac{g}{(1-\varepsilon)^2 g + (1-\varepsilon)(1-2\varepsilon)(R-P)},
          \qquad g = (1-\varepsilon)(T-R) + \varepsilon (P-S),

which is :math:`(T-R)/(T-P)` at :math:`\varepsilon = 0` and rises with the
noise (derived in ``tests/solvers/repeated/test_repeated.py``); tit-for-tat, never
subgame perfect on an interval without noise, stays so. Mixed transitions
(generous tit-for-tat) are allowed: the automaton states are then treated as
publicly observed.

Each :math:`V_i(s)` is a rational function of :math:`\delta`, so each
one-shot condition is a polynomial inequality in :math:`\delta`; the set of
:math:`\delta` where the profile is subgame perfect need not be an interval
(mutual tit-for-tat in the prisoner's dilemma is subgame perfect only at the
single point :math:`(T-R)/(R-S) = (P-S)/(T-P)`, when the two coincide). The
*critical discount factor* :math:`\delta^*` reported here is the infimum of
the final interval :math:`[\delta^*, 1)` on which every condition holds, or
``None`` if there is no such interval. :func:`critical_discount_factor`
finds it numerically (grid plus bisection); :func:`critical_discount_factor_symbolic`
finds it exactly with SymPy, also as a closed form in symbolic payoffs.

Scenario mapping
----------------
``coop solve`` will call :func:`check_subgame_perfect` at the scenario's
``delta`` and :func:`critical_discount_factor` for each strategy profile (and
institution) of a scenario's ``repeated`` section; the symbolic form is used
when the scenario's payoffs are formulas of named parameters.

References
----------
Mailath, G. J. and Samuelson, L. (2006). *Repeated Games and Reputations*. Oxford UP,
sec. 2.2 (one-shot deviation principle, automata) and 2.4 (grim trigger, tit-for-tat).
Friedman, J. W. (1971). A non-cooperative equilibrium for supergames. *Rev. Econ. Stud.* 38, 1-12.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.automata import Automaton
from coop.games.public_signals import signal_table
from coop.games.repeated import RepeatedGame, pack_profile
from coop.solvers.nash.results import REGRET_TOL
from coop.solvers.repeated.payoffs import discounted_values, finite_horizon_values, joint_chain
from coop.solvers.repeated.sizes import DELTA_GRID, check_horizon, check_joint_states, check_scan
from coop.solvers.shared.arrays import c_order_strides
from coop.solvers.shared.jit import njit

Flips = namedtuple("Flips", ["coop", "defect", "eps"])
Flips.__doc__ = """Implementation noise, as :func:`_deviation_tables_kernel` reads it.

Fields
------
coop, defect : int64[:]
    ``(N,)`` each player's cooperative and defecting action (noise flips one into the other).
eps : float64
    The probability of a flip, independently across players.
"""

SignalRows = namedtuple("SignalRows", ["ptr", "signal", "prob", "possible"])
SignalRows.__doc__ = """The public signal given each realised profile, as sparse rows
(:class:`coop.games.public_signals.SignalTable`).

Fields
------
ptr : int64[:]
    ``(n_profiles + 1,)``: realised profile ``b`` has the entries ``ptr[b]:ptr[b + 1]``.
signal, prob : int64[:], float64[:]
    Each entry's signal and its positive probability.
possible : bool[:]
    ``(n_signals,)`` whether the signal has a positive probability at some profile: the automata's moves
    on the others are never made.
"""

DeviationTables = namedtuple("DeviationTables", ["reach", "adj", "F", "UD", "D"])
DeviationTables.__doc__ = """One-shot deviation tables of a profile, as :func:`_deviation_tables_kernel` returns them.

Fields
------
reach : bool[:]
    ``(J,)`` joint states reachable from the initial one under any action profiles.
adj : bool[:, :]
    ``(J, J)``: some action profile leads from the first joint state to the second.
F : int64[:, :, :]
    ``(J, N, A)`` flat profile intended when player ``i`` takes action ``a`` at joint state ``s`` and the
    others follow their automata (-1 if ``a`` is not an action of ``i``).
UD : float64[:, :, :]
    ``(J, N, A)`` expected stage payoff of player ``i`` after that intention (noise included).
D : float64[:, :, :, :]
    ``(J, N, A, J)`` distribution of the next joint state after it.
"""


@njit(cache=True)
def _flips(f, shape, pstr, coop, defect, keep, out_f, out_p):
    """The profiles that the flat profile ``f`` may turn into when each player's action is kept with a probability
    of its kind, ``keep = (cooperative, defecting, any other)``, and otherwise replaced, independently: a
    cooperative action by the defecting one, any other by the cooperative one. Writes the profiles and
    probabilities into ``out_f``, ``out_p`` (length ``2**N``) and returns how many there are."""
    keep_coop, keep_defect, keep_other = keep[0], keep[1], keep[2]
    n = shape.shape[0]
    out_f[0] = f
    out_p[0] = 1.0
    m = 1
    for i in range(n):
        a = (f // pstr[i]) % shape[i]
        if a == coop[i]:
            other, keep = defect[i], keep_coop
        else:
            other, keep = coop[i], keep_defect if a == defect[i] else keep_other
        if keep == 1.0:
            continue
        shift = (other - a) * pstr[i]
        for k in range(m):
            out_f[m + k] = out_f[k] + shift
            out_p[m + k] = out_p[k] * (1.0 - keep)
            out_p[k] *= keep
        m *= 2
    return m


@njit(cache=True)
def _realised(f, shape, pstr, coop, defect, eps, out_f, out_p):
    """Realised profiles of the intended flat profile ``f`` under implementation noise: each player's cooperative
    (defecting) action is played as the defecting (cooperative) one with probability ``eps``, independently;
    other actions are played as intended (:func:`_flips`)."""
    return _flips(f, shape, pstr, coop, defect, (1.0 - eps, 1.0 - eps, 1.0), out_f, out_p)


@njit(cache=True)
def _reachable_states(possible, n_states, trans, start):
    """``(reach, adj)``: the joint states reachable from ``start`` under any action profiles (the one-shot
    deviation principle needs every one), and the one-period adjacency ``adj[s, t]`` under some observation
    ``o`` with ``possible[o]`` (an observed profile, or a public signal that some profile can draw: histories
    may realise any profile), by breadth-first search."""
    n = n_states.shape[0]
    sstr = c_order_strides(n_states)
    nj = 1
    for i in range(n):
        nj *= n_states[i]
    sidx = np.empty(n, dtype=np.int64)
    adj = np.zeros((nj, nj), dtype=np.bool_)
    for js in range(nj):
        for i in range(n):
            sidx[i] = (js // sstr[i]) % n_states[i]
        for f in range(possible.shape[0]):
            if not possible[f]:
                continue
            for js2 in range(nj):
                if adj[js, js2]:
                    continue
                p = 1.0
                for i in range(n):
                    p *= trans[i, sidx[i], f, (js2 // sstr[i]) % n_states[i]]
                    if p == 0.0:
                        break
                adj[js, js2] = p > 0.0
    reach = np.zeros(nj, dtype=np.bool_)
    queue = np.empty(nj, dtype=np.int64)
    reach[start] = True
    queue[0] = start
    head = 0
    tail = 1
    while head < tail:
        js = queue[head]
        head += 1
        for js2 in range(nj):
            if adj[js, js2] and not reach[js2]:
                reach[js2] = True
                queue[tail] = js2
                tail += 1
    return reach, adj


@njit(cache=True)
def _deviation_tables_kernel(shape, flat_payoffs, n_states, acts, trans, start, flips, signal):
    """One-shot deviations with implementation noise, when every automaton reads one public signal.

    ``flips`` (:data:`Flips`) is the implementation noise, ``signal`` (:data:`SignalRows`) the public signal's
    distribution given each realised profile; ``trans`` ``(N, S, n_signals, S)`` moves each automaton on the
    signal. An inspector's report (and perfect monitoring) is the signal whose values are the reported profiles.

    Returns
    -------
    DeviationTables
        Reachable joint states (from ``start``), one-period adjacency, and for every joint state, player
        and action: the intended profile, the deviator's expected stage payoff and the next-state distribution.
    """
    coop, defect, eps = flips.coop, flips.defect, flips.eps
    n = shape.shape[0]
    pstr = c_order_strides(shape)
    sstr = c_order_strides(n_states)
    nj = 1
    for i in range(n):
        nj *= n_states[i]
    amax = 0
    for i in range(n):
        amax = max(amax, shape[i])
    sidx = np.empty(n, dtype=np.int64)
    reach, adj = _reachable_states(signal.possible, n_states, trans, start)
    F = -np.ones((nj, n, amax), dtype=np.int64)
    UD = np.zeros((nj, n, amax))
    D = np.zeros((nj, n, amax, nj))
    real_f = np.empty(1 << n, dtype=np.int64)
    real_p = np.empty(1 << n)
    for js in range(nj):
        base = 0
        for i in range(n):
            sidx[i] = (js // sstr[i]) % n_states[i]
            base += acts[i, sidx[i]] * pstr[i]
        for i in range(n):
            own = acts[i, sidx[i]] * pstr[i]
            for a in range(shape[i]):
                f = base - own + a * pstr[i]
                F[js, i, a] = f
                m = _realised(f, shape, pstr, coop, defect, eps, real_f, real_p)
                for k in range(m):
                    fb = real_f[k]
                    pb = real_p[k]
                    if pb == 0.0:
                        continue
                    UD[js, i, a] += pb * flat_payoffs[i, fb]
                    for e in range(signal.ptr[fb], signal.ptr[fb + 1]):
                        # payoffs follow the realised profile, the automata the signal drawn given it
                        y = signal.signal[e]
                        po = pb * signal.prob[e]
                        for js2 in range(nj):
                            p = po
                            for j in range(n):
                                p *= trans[j, sidx[j], y, (js2 // sstr[j]) % n_states[j]]
                                if p == 0.0:
                                    break
                            D[js, i, a, js2] += p
    return DeviationTables(reach, adj, F, UD, D)


def deviation_tables(game: RepeatedGame, n_states: np.ndarray, acts: np.ndarray, trans: np.ndarray,
                     start: int) -> DeviationTables:
    """The one-shot deviation tables of a packed profile (:func:`coop.games.repeated.pack_profile`) under the
    game's public signal (:func:`coop.games.public_signals.signal_table`: general signals, an inspector's
    report or perfect monitoring) and its implementation noise."""
    table = signal_table(game)
    stage = game.stage
    return _deviation_tables_kernel(
        np.array(stage.num_actions, dtype=np.int64), np.ascontiguousarray(stage.payoffs.reshape(stage.num_players, -1)),
        n_states, acts, trans, np.int64(start),
        Flips(np.array(game.cooperate, dtype=np.int64), np.array(game.defect, dtype=np.int64), float(game.noise)),
        SignalRows(table.ptr, table.signal, table.prob, table.possible()),
    )


@dataclass(frozen=True, eq=False)
class _Tables:
    """Tables restricted to the J joint states reachable from the initial one (renumbered)."""

    P: np.ndarray  # (J, J) on-path transitions
    U: np.ndarray  # (J, N) expected stage payoffs on path
    start: int
    reach: np.ndarray  # (J,) bool
    adj: np.ndarray  # (J, J) bool: reachable in one period under some profile
    F: np.ndarray  # (J, N, A) intended profile of a one-shot deviation
    UD: np.ndarray  # (J, N, A) deviator's expected stage payoff
    D: np.ndarray  # (J, N, A, J)
    flat_payoffs: np.ndarray  # (N, n_profiles)
    onpath: np.ndarray  # (J,) flat profile the automata intend at each joint state
    joint_names: tuple[tuple[str, ...], ...]


def _tables(game: RepeatedGame, profile: Sequence[Automaton]) -> _Tables:
    if not game.public:
        raise InputError(
            "subgame perfection is checked with perfect or public monitoring only "
            f"(got detection={game.detection}, false_alarm={game.false_alarm} through private channels): with "
            "private signals the automaton states are not common knowledge"
        )
    profile = game.check_profile(profile)
    check_joint_states([a.num_states for a in profile], game.stage.num_actions)
    n_states, acts, trans, initial = pack_profile(profile)
    P, U, start = joint_chain(game, profile)
    flat = game.stage.payoffs.reshape(game.num_players, -1)
    dev = deviation_tables(game, n_states, acts, trans, start)
    joint = np.array(np.unravel_index(np.arange(P.shape[0]), tuple(n_states)), dtype=np.int64).T  # (J, N)
    played = acts[np.arange(game.num_players)[None, :], joint]
    onpath = np.ravel_multi_index(tuple(played.T), game.stage.num_actions).astype(np.int64)
    names = tuple(tuple(profile[i].state_names[k] for i, k in enumerate(row)) for row in joint)
    # the reachable states are closed under every profile: keep only them
    idx = np.flatnonzero(dev.reach)
    return _Tables(
        P[np.ix_(idx, idx)], U[idx], int(np.searchsorted(idx, start)), dev.reach[idx], dev.adj[np.ix_(idx, idx)],
        dev.F[idx], dev.UD[idx],
        np.ascontiguousarray(dev.D[idx][..., idx]), flat, onpath[idx], tuple(names[k] for k in idx),
    )


def _realised_profiles(game: RepeatedGame, f: int) -> list[tuple[int, float]]:
    """``(flat profile, probability)`` pairs realised from the intended flat profile ``f`` (noise only)."""
    shape = np.array(game.stage.num_actions, dtype=np.int64)
    n = len(shape)
    out_f = np.empty(1 << n, dtype=np.int64)
    out_p = np.empty(1 << n)
    m = _realised(int(f), shape, c_order_strides(shape), np.array(game.cooperate, dtype=np.int64),
                  np.array(game.defect, dtype=np.int64), game.noise, out_f, out_p)
    return [(int(out_f[k]), float(out_p[k])) for k in range(m) if out_p[k] > 0.0]


def _normalised_gains(t: _Tables, delta: Any) -> np.ndarray:
    """``(J, N, A)`` one-shot gains divided by ``1 - delta`` (``-inf`` for non-actions, unreachable states).

    ``delta`` may also be an array ``(G,)`` of discount factors: then ``(G, J, N, A)``, from one
    batched linear solve (what the grid scan of :func:`critical_discount_factor` uses).
    """
    if np.ndim(delta) == 0:
        V = discounted_values(t.P, t.U, delta)
        cont = np.einsum("sian,ni->sia", t.D, V)
        gains = ((1.0 - delta) * t.UD + delta * cont - V[:, :, None]) / (1.0 - delta)
    else:
        d = np.asarray(delta, dtype=float)[:, None, None]
        J = t.P.shape[0]
        V = np.linalg.solve(np.eye(J)[None] - d * t.P[None], (1.0 - d) * t.U[None])  # (G, J, N)
        cont = np.einsum("sian,gni->gsia", t.D, V)
        d4 = d[..., None]
        gains = ((1.0 - d4) * t.UD[None] + d4 * cont - V[..., None]) / (1.0 - d4)
    invalid = ~(t.F >= 0) | ~t.reach[:, None, None]
    gains[..., invalid] = -np.inf
    return gains


def _reach_by_period(t: _Tables, horizon: int) -> np.ndarray:
    """``(T, J)``: the joint states reachable in each period. The sets follow a deterministic map, so once one
    repeats the rest of the sequence is periodic and is filled in without stepping through it."""
    J = t.P.shape[0]
    reach_at = np.zeros((horizon, J), dtype=bool)
    reach_at[0, t.start] = True
    seen = {reach_at[0].tobytes(): 0}
    for k in range(1, horizon):
        reach_at[k] = t.adj[reach_at[k - 1]].any(axis=0)
        key = reach_at[k].tobytes()
        if key in seen:
            first = seen[key]
            rest = np.arange(k + 1, horizon)
            reach_at[k + 1:] = reach_at[first + (rest - first) % (k - first)]
            break
        seen[key] = k
    return reach_at


@njit(cache=True)
def _finite_gains_kernel(D, P, U, UD, not_action, reach_at, d, best, when):
    """Backward induction of the one-shot gains of a finite game, for each discount factor of ``d``.

    ``D`` ``(J, N, A, J)``, ``P`` ``(J, J)``, ``U`` ``(J, N)``, ``UD`` and ``not_action`` ``(J, N, A)``, ``reach_at``
    ``(T, J)``; fills ``best`` (``-inf`` on entry) and ``when`` ``(G, J, N, A)`` with the largest gain over the
    periods where the joint state is reachable and the period of it (the latest one on ties).
    """
    G = d.shape[0]
    J = P.shape[0]
    N = U.shape[1]
    A = UD.shape[2]
    T = reach_at.shape[0]
    W = np.zeros((J, N))
    PW = np.zeros((J, N))
    for g in range(G):
        dg = d[g]
        for s in range(J):
            for i in range(N):
                W[s, i] = 0.0
        for k in range(T - 1, -1, -1):
            for s in range(J):
                for i in range(N):
                    acc = 0.0
                    for n in range(J):
                        acc += P[s, n] * W[n, i]
                    PW[s, i] = acc
            for s in range(J):
                if not reach_at[k, s]:
                    continue
                for i in range(N):
                    stay = U[s, i]
                    for a in range(A):
                        if not_action[s, i, a]:
                            continue
                        acc = 0.0
                        for n in range(J):
                            acc += D[s, i, a, n] * W[n, i]
                        gain = UD[s, i, a] - stay + dg * (acc - PW[s, i])
                        if gain > best[g, s, i, a]:
                            best[g, s, i, a] = gain
                            when[g, s, i, a] = k
            for s in range(J):
                for i in range(N):
                    W[s, i] = U[s, i] + dg * PW[s, i]


def _finite_horizon_gains(t: _Tables, delta: Any, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Largest one-shot gain over the periods of a finite game, and the period where it occurs.

    Backward induction: with :math:`W_t` the (unnormalised) values with
    :math:`T - t` periods left, the gain of intending ``a`` at joint state
    ``s`` in period ``t`` is :math:`u^{dev} - u + \delta \sum (D - P) W_{t+1}`,
    in stage-payoff units. Only joint states reachable in period ``t`` count.
    ``delta`` may be a float, ``None`` (no discounting) or an array of
    discount factors ``(G,)``; returns gains ``(J, N, A)`` (``(G, J, N, A)``
    for an array; ``-inf`` where never reachable or not an action) and the
    period of each. The cost is linear in the horizon (:func:`check_horizon` bounds it).
    """
    scalar = delta is None or np.ndim(delta) == 0
    d = np.ascontiguousarray(np.atleast_1d(np.asarray(1.0 if delta is None else delta, dtype=float)))
    J = t.P.shape[0]
    check_horizon(horizon, J, t.UD.shape[1], t.UD.shape[2], d.shape[0])
    reach_at = _reach_by_period(t, horizon)
    shape = (d.shape[0],) + t.UD.shape
    best = np.full(shape, -np.inf)
    when = np.zeros(shape, dtype=np.int64)
    _finite_gains_kernel(np.ascontiguousarray(t.D), np.ascontiguousarray(t.P), np.ascontiguousarray(t.U),
                         np.ascontiguousarray(t.UD), np.ascontiguousarray(t.F < 0), reach_at, d, best, when)
    return (best[0], when[0]) if scalar else (best, when)


def _gains(t: _Tables, game: RepeatedGame, delta: float | None) -> tuple[np.ndarray, np.ndarray | None]:
    """One-shot gains ``(J, N, A)`` in per-period units, and their periods for a finite horizon."""
    if game.horizon is not None:
        return _finite_horizon_gains(t, delta, game.horizon)
    return _normalised_gains(t, delta), None


@dataclass(frozen=True, eq=False)
class SPEResult:
    """Outcome of the one-shot deviation check of a profile of automata.

    Attributes
    ----------
    is_spe : bool
        True when no player gains by any one-shot deviation at any reachable joint state.
    holds : tuple of bool
        Per player: no profitable one-shot deviation.
    max_gain : numpy.ndarray
        ``(N,)`` largest one-shot gain per player, in per-period payoff units
        (divided by ``1 - delta``); at most ``tol`` where the condition holds.
    worst_state : tuple of tuple of str
        Per player, the joint state (each player's automaton state) where the largest gain occurs.
    best_deviation : tuple of str
        Per player, the action label of that largest-gain deviation.
    payoffs : numpy.ndarray
        ``(N,)`` discounted payoffs of the profile.
    num_states : int
        Number of reachable joint states checked.
    worst_period : tuple of int, optional
        With a finite horizon, per player the period (from 0) of the largest gain.
    """

    game: RepeatedGame = field(repr=False)
    strategies: tuple[str, ...]
    is_spe: bool
    holds: tuple[bool, ...]
    max_gain: np.ndarray
    worst_state: tuple[tuple[str, ...], ...]
    best_deviation: tuple[str, ...]
    payoffs: np.ndarray
    num_states: int
    tol: float
    worst_period: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        players = self.game.stage.players
        return {
            "delta": self.game.delta,
            "strategies": dict(zip(players, self.strategies, strict=True)),
            "subgame_perfect": self.is_spe,
            "payoffs": {p: float(self.payoffs[i]) for i, p in enumerate(players)},
            "players": {
                p: {
                    "holds": self.holds[i],
                    "max_gain": float(self.max_gain[i]),
                    "worst_state": list(self.worst_state[i]),
                    "best_deviation": self.best_deviation[i],
                    **({} if self.worst_period is None else {"worst_period": self.worst_period[i]}),
                }
                for i, p in enumerate(players)
            },
            "reachable_states": self.num_states,
            "tol": self.tol,
        }


def check_subgame_perfect(game: RepeatedGame, profile: Sequence[Automaton], tol: float | None = None) -> SPEResult:
    """Check a profile of automata for subgame perfection by the one-shot deviation principle.

    Parameters
    ----------
    game : RepeatedGame
        With a discount factor (or a finite horizon, where ``delta=None`` means no
        discounting) and perfect monitoring (implementation noise allowed). With a
        finite horizon the check runs backwards over the periods, at the joint
        states reachable in each period.
    profile : sequence of Automaton
        One automaton per player.
    tol : float, optional
        Largest per-period gain counted as no gain; ``1e-9`` times the payoff spread by default.

    Returns
    -------
    SPEResult

    Examples
    --------
    Grim trigger in the prisoner's dilemma (T, R, P, S) = (5, 3, 1, 0) needs
    :math:`\\delta \\ge (T-R)/(T-P) = 1/2`:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, 0.6, (0, 0), (1, 1))
    >>> check_subgame_perfect(g, g.profile("grim_trigger")).is_spe
    True
    >>> res = check_subgame_perfect(g.with_delta(0.4), g.profile("grim_trigger"))
    >>> res.is_spe, res.best_deviation, round(float(res.max_gain[0]), 6)
    (False, ('D', 'D'), 0.666667)
    """
    if game.delta is None and game.horizon is None:
        raise InputError("subgame perfection of an infinitely repeated game needs a discount factor delta in [0, 1)")
    t = _tables(game, profile)
    tol = REGRET_TOL * game.stage.payoff_scale if tol is None else float(tol)
    gains, periods = _gains(t, game, game.delta)
    n = game.num_players
    max_gain = np.empty(n)
    worst, best, worst_period = [], [], []
    for i in range(n):
        g = gains[:, i, :]
        s, a = np.unravel_index(int(np.argmax(g)), g.shape)
        max_gain[i] = g[s, a]
        worst.append(t.joint_names[s])
        best.append(game.stage.actions[i][a])
        if periods is not None:
            worst_period.append(int(periods[s, i, a]))
    holds = tuple(bool(max_gain[i] <= tol) for i in range(n))
    if game.horizon is None:
        assert game.delta is not None  # an infinite game without delta was refused above
        V = discounted_values(t.P, t.U, game.delta)
    else:
        V = finite_horizon_values(t.P, t.U, game.delta, game.horizon)
    max_gain.setflags(write=False)
    return SPEResult(
        game, tuple(a.name for a in profile), all(holds), holds, max_gain, tuple(worst), tuple(best),
        V[t.start].copy(), int(t.reach.sum()), tol, None if periods is None else tuple(worst_period),
    )


@dataclass(frozen=True, eq=False)
class CriticalDiscount:
    """Critical discount factors of a profile: per player and overall.

    Attributes
    ----------
    per_player : tuple of (float or None)
        For each player in ``players``, the least :math:`\\delta^*` such that
        the player has no profitable one-shot deviation for every
        :math:`\\delta \\in [\\delta^*, 1)`; ``None`` when there is no such interval.
    overall : float or None
        The largest of them (``None`` if any is ``None``): the profile is
        subgame perfect on :math:`[\\delta^*, 1)`.
    players : tuple of int
        The players considered.
    method : str
        ``"grid+bisection"`` or ``"sympy"``.
    expressions : tuple or None
        SymPy expressions of ``per_player`` (symbolic method only).
    """

    game: RepeatedGame = field(repr=False)
    strategies: tuple[str, ...]
    players: tuple[int, ...]
    per_player: tuple[float | None, ...]
    overall: float | None
    method: str
    expressions: tuple[Any, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        names = self.game.stage.players
        out: dict[str, Any] = {
            "strategies": dict(zip(names, self.strategies, strict=True)),
            "critical_delta": {names[i]: self.per_player[k] for k, i in enumerate(self.players)},
            "overall": self.overall,
            "method": self.method,
        }
        if self.expressions is not None:
            out["expressions"] = {
                names[i]: (None if e is None else str(e)) for i, e in zip(self.players, self.expressions, strict=True)
            }
        return out


def _players_arg(game: RepeatedGame, player: int | str | None) -> tuple[int, ...]:
    if player is None:
        return tuple(range(game.num_players))
    if isinstance(player, str):
        return (game.stage.player_index(player),)
    p = int(player)
    if not 0 <= p < game.num_players:
        raise InputError(f"player index {p} out of range for a {game.num_players}-player game")
    return (p,)


def final_interval_starts(grid: np.ndarray, table: np.ndarray, fails: Callable[[float, int], bool]
                          ) -> list[float | None]:
    """Per column ``k`` of ``table`` (``table[g, k]``: condition ``k`` fails at ``grid[g]``), the left end of the
    final interval of ``[0, 1)`` where it holds: ``None`` if it fails at the last grid point, 0 if it never
    fails, else bisected to about ``1e-13`` with ``fails(delta, k)`` between the last failure and the next point.
    """
    out: list[float | None] = []
    for k in range(table.shape[1]):
        col = table[:, k]
        if col[-1]:
            out.append(None)
            continue
        bad = np.flatnonzero(col)
        if bad.size == 0:
            out.append(0.0)
            continue
        lo, hi = grid[bad[-1]], grid[bad[-1] + 1]
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if fails(mid, k):
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-13:
                break
        out.append(float(hi))
    return out


def critical_discount_factor(
    game: RepeatedGame,
    profile: Sequence[Automaton],
    player: int | str | None = None,
    tol: float | None = None,
) -> CriticalDiscount:
    """Least discount factor from which a profile of automata is subgame perfect (numerically).

    ``game.delta`` is ignored. For each player the one-shot gains are
    evaluated on :data:`~coop.solvers.repeated.sizes.DELTA_GRID` (0 to 0.999, step 0.001 and finer near 1);
    the last grid point with a profitable deviation and the next one bracket
    :math:`\\delta^*`, which is refined by bisection to about ``1e-12``. A
    player who gains at ``0.999`` gets ``None``; windows narrower than the
    grid step where a condition fails are not seen: use
    :func:`critical_discount_factor_symbolic` for an exact answer.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, None, (0, 0), (1, 1))
    >>> crit = critical_discount_factor(g, g.profile("grim_trigger"))
    >>> [round(d, 6) for d in crit.per_player], round(crit.overall, 6)
    ([0.5, 0.5], 0.5)
    >>> critical_discount_factor(g, g.profile("tit_for_tat")).overall is None
    True
    """
    players = _players_arg(game, player)
    t = _tables(game, profile)
    tol = REGRET_TOL * game.stage.payoff_scale if tol is None else float(tol)
    pl = np.array(players)

    def fails(delta: float) -> np.ndarray:
        g = _gains(t, game, delta)[0][:, pl, :]
        return g.max(axis=(0, 2)) > tol

    grid = DELTA_GRID
    if game.horizon is None:  # all discount factors at once: one batched solve
        check_scan(t.P.shape[0], game.num_players)
        table = _normalised_gains(t, grid)[:, :, pl, :].max(axis=(1, 3)) > tol
    else:  # all discount factors at once: one backward pass
        table = _finite_horizon_gains(t, grid, game.horizon)[0][:, :, pl, :].max(axis=(1, 3)) > tol
    out = final_interval_starts(grid, table, lambda d, k: bool(fails(d)[k]))
    known = [v for v in out if v is not None]
    overall = max(known) if len(known) == len(out) else None
    return CriticalDiscount(game, tuple(a.name for a in profile), players, tuple(out), overall, "grid+bisection")


# ---------------------------------------------------------------------- exact (SymPy)
def critical_discount_factor_symbolic(
    game: RepeatedGame,
    profile: Sequence[Automaton],
    payoffs: Any = None,
    sample: Mapping[Any, Any] | None = None,
    player: int | str | None = None,
) -> CriticalDiscount:
    """Exact critical discount factors with SymPy, as closed forms when the payoffs are formulas.

    Every discounted value is solved as a rational function of a symbol
    :math:`\\delta` on the reachable joint states; each one-shot condition
    becomes the sign of a polynomial in :math:`\\delta`, whose real roots in
    ``[0, 1)`` are isolated exactly. :math:`\\delta^*` is the left end of the
    final interval on which every condition holds.

    Parameters
    ----------
    game : RepeatedGame
        Stage game, roles and noise (``delta`` ignored; perfect monitoring).
    profile : sequence of Automaton
        Transition probabilities are converted to rationals (``limit_denominator(10**6)``).
    payoffs : array-like of SymPy expressions, optional
        Shape ``(N, a_1, ..., a_N)`` like ``game.stage.payoffs``; may contain
        symbols. Default: the stage game's payoffs as exact rationals.
    sample : mapping, optional
        ``{symbol: number}``: a parameter point at which the signs are decided
        (required when ``payoffs`` has symbols). The returned expression is the
        constraint that binds at that point, so it is the closed form on the
        region of parameters where the same constraint binds.
    player : int or str, optional
        Only this player's conditions.

    Returns
    -------
    CriticalDiscount
        ``per_player`` as floats at the sample point, ``expressions`` as SymPy
        expressions (``None`` where never subgame perfect), ``method="sympy"``.

    Examples
    --------
    >>> import numpy as np, sympy as sp
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> T, R, P, S = sp.symbols("T R P S")
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, None, (0, 0), (1, 1))
    >>> sym = [[[R, S], [T, P]], [[R, T], [S, P]]]
    >>> res = critical_discount_factor_symbolic(g, g.profile("grim_trigger"), sym, {T: 5, R: 3, P: 1, S: 0})
    >>> sp.simplify(res.expressions[0] - (T - R) / (T - P))
    0
    """
    import sympy as sp

    if game.horizon is not None:
        raise InputError("exact critical discount factors are computed for an infinite horizon only; "
                         "use critical_discount_factor for a finite one")

    players = _players_arg(game, player)
    t = _tables(game, profile)
    n = game.num_players
    shape = (n,) + game.stage.num_actions
    if payoffs is None:
        flat = [[_exact(float(x)) for x in row] for row in t.flat_payoffs]
    else:
        arr = np.empty(shape, dtype=object)
        try:
            arr[...] = np.array(payoffs, dtype=object).reshape(shape) if not isinstance(payoffs, np.ndarray) \
                else payoffs.astype(object).reshape(shape)
        except ValueError:
            raise InputError(f"symbolic payoffs must have shape {shape}") from None
        flat = []
        for row in arr.reshape(n, -1):
            out_row = []
            for x in row:
                if isinstance(x, sp.Basic):
                    out_row.append(x)
                elif isinstance(x, (int, float, np.integer, np.floating)):
                    exact = isinstance(x, (int, np.integer))
                    out_row.append(sp.Integer(int(x)) if exact else _exact(float(x)))
                else:
                    raise InputError(f"symbolic payoffs must be SymPy expressions or numbers, got {type(x).__name__}")
            flat.append(out_row)
    free = set().union(*(e.free_symbols for row in flat for e in row))
    subs: dict[Any, Any] = {}
    if free:
        if sample is None or not free <= set(sample):
            missing = sorted(str(s) for s in free - set(sample or {}))
            raise InputError(f"a sample value is needed for the symbols {missing}")
        for k, v in sample.items():
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating, sp.Number)):
                raise InputError(f"the sample value of {k} must be a number, got {v!r}")
            if isinstance(v, sp.Number):
                subs[k] = v
            elif isinstance(v, (int, np.integer)):
                subs[k] = sp.Integer(int(v))
            else:
                subs[k] = _exact(float(v))
    d = sp.Symbol("delta", positive=True)

    def rat(x: float) -> Any:
        from fractions import Fraction

        f = Fraction(float(x)).limit_denominator(10**6)
        return sp.Rational(f.numerator, f.denominator)

    states = np.flatnonzero(t.reach)
    pos = {int(s): k for k, s in enumerate(states)}
    m = len(states)
    Pm = sp.zeros(m, m)
    for a, s in enumerate(states):
        for b, s2 in enumerate(states):
            if t.P[s, s2] != 0.0:
                Pm[a, b] = rat(t.P[s, s2])
    M = sp.eye(m) - d * Pm
    # values: V = (1 - d) M^{-1} u, one column per player
    realised = {}

    def expected(i: int, f: int) -> Any:
        """Player i's expected stage payoff of the intended profile f, noise included (exact)."""
        if f not in realised:
            realised[f] = [(b, rat(p)) for b, p in _realised_profiles(game, f)]
        return sum((p * flat[i][b] for b, p in realised[f]), sp.Integer(0))

    Umat = sp.Matrix(m, n, lambda a, i: expected(i, int(t.onpath[states[a]])))
    Vmat = (M.LUsolve(Umat) * (1 - d)).applyfunc(sp.cancel)
    per: list[float | None] = []
    exprs: list[Any] = []
    for i in players:
        best_val, best_expr, never = 0.0, sp.Integer(0), False
        seen = set()
        for a, s in enumerate(states):
            for act in range(game.stage.num_actions[i]):
                f = int(t.F[s, i, act])
                cont = sum(
                    (rat(t.D[s, i, act, s2]) * Vmat[pos[int(s2)], i] for s2 in np.flatnonzero(t.D[s, i, act] > 0.0)),
                    sp.Integer(0),
                )
                gain = sp.cancel(sp.together((1 - d) * expected(i, f) + d * cont - Vmat[a, i]))
                if gain in seen:
                    continue
                seen.add(gain)
                res = _final_interval(gain, d, subs)
                if res is None:
                    never = True
                    break
                val, expr = res
                if val > best_val:
                    best_val, best_expr = val, expr
            if never:
                break
        if never:
            per.append(None)
            exprs.append(None)
        else:
            per.append(float(best_val))
            exprs.append(sp.simplify(best_expr))
    known = [v for v in per if v is not None]
    overall = max(known) if len(known) == len(per) else None
    return CriticalDiscount(
        game, tuple(a.name for a in profile), players, tuple(per), overall, "sympy", tuple(exprs)
    )


def _exact(x: float) -> Any:
    """A float as a SymPy rational: the simplest fraction with denominator <= 10**6 within 1e-12, else exactly."""
    from fractions import Fraction

    import sympy as sp

    f = Fraction(x).limit_denominator(10**6)
    if abs(float(f) - x) > 1e-12 * max(1.0, abs(x)):
        f = Fraction(x)
    return sp.Rational(f.numerator, f.denominator)


def _final_interval(gain: Any, d: Any, subs: Mapping[Any, Any]) -> tuple[float, Any] | None:
    """Left end of the final interval of ``[0, 1)`` where ``gain(d) <= 0`` at the sample point.

    Returns ``(value, expression)`` or ``None`` if ``gain > 0`` just below 1.
    """
    import sympy as sp

    num, den = sp.fraction(sp.together(gain))
    num_s = sp.Poly(sp.expand(num.subs(subs)), d)
    den_s = sp.expand(den.subs(subs))
    if num_s.is_zero:
        return 0.0, sp.Integer(0)
    # the denominator has no root in [0, 1) (it divides det(I - d P) times constants): its sign at 1/2 is its sign
    den_sign = sp.sign(den_s.subs(d, sp.Rational(1, 2)))
    roots = sorted({r for r in sp.real_roots(num_s) if 0 <= r < 1}, key=lambda r: float(r))
    points = [sp.Integer(0)] + list(roots) + [sp.Integer(1)]

    def sign_on(lo: Any, hi: Any) -> int:
        mid = (lo + hi) / 2 if lo != hi else lo
        mid = sp.nsimplify(sp.Float(float(mid), 30), rational=True) if not mid.is_Rational else mid
        return int(sp.sign(num_s.eval(mid)) * den_sign)

    # walk intervals from the right while the gain is <= 0 (roots are zeros of the gain)
    k = len(points) - 1
    if sign_on(points[k - 1], points[k]) > 0:
        return None
    while k - 1 > 0 and sign_on(points[k - 2], points[k - 1]) <= 0:
        k -= 1
    left = points[k - 1]
    if left == 0:
        return 0.0, sp.Integer(0)
    val = float(left)
    # the symbolic root that equals `left` at the sample point
    for factor, _mult in sp.factor_list(num, d)[1]:
        if sp.degree(factor, d) < 1:
            continue
        for cand in sp.roots(sp.Poly(factor, d)).keys():
            try:
                cv = complex(sp.N(cand.subs(subs)))
            except TypeError:
                continue
            if abs(cv.imag) < 1e-12 and abs(cv.real - val) < 1e-9:
                return val, cand
    return val, left
