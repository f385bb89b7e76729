r"""Exact and simulated payoffs of a profile of automata in a repeated game.

The players' automaton states form a Markov chain on the joint states
:math:`s = (s_1, \dots, s_N)` (C order, the first player's state slowest).
From a joint state every player intends the action of its state; noise turns
the intended profile into a realised profile :math:`b`; each player observes
:math:`b` through its own monitoring channel and moves its automaton on what
it saw. The kernel :func:`_joint_chain_kernel` sums over realised profiles and
observations (each factor has at most two outcomes) to build the transition
matrix :math:`P` and the expected stage payoff :math:`u(s)` of each joint state.

Discounted values solve the linear system

.. math:: (I - \delta P)\, v = (1 - \delta)\, u,

and the payoff of the profile is :math:`v(s^0)` at the initial joint state.
The limit of means (``delta=None``) is :math:`\sum_C \Pr(\text{absorbed in } C)\,
\pi_C \cdot u` over the closed communicating classes :math:`C` of :math:`P`,
with :math:`\pi_C` the stationary distribution of :math:`C`: exactly the Cesaro
limit from :math:`s^0`.

:func:`simulate_payoffs` draws sample paths in a Numba kernel; it is an
independent check of the linear algebra.

Scenario mapping
----------------
``coop solve`` will call :func:`discounted_payoffs` for each strategy profile
listed in a scenario's ``repeated.profiles`` and put
:meth:`RepeatedPayoffs.to_dict` into the ``repeated`` JSON section.

References
----------
Mailath, G. J. and Samuelson, L. (2006). *Repeated Games and Reputations*, ch. 2 and 7 (automata, noise).
Kemeny, J. G. and Snell, J. L. (1960). *Finite Markov Chains*, ch. 3-5 (absorption, Cesaro limits).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.automata import Automaton
from coop.games.repeated import RepeatedGame, check_delta, pack_profile
from coop.solvers.repeated.sizes import check_joint_states
from coop.solvers.shared.arrays import advance_skipping, c_order_strides
from coop.solvers.shared.budgets import SIMULATION_STEPS, check_budget
from coop.solvers.shared.jit import njit
from coop.solvers.shared.random import index_from_uniform

# ---------------------------------------------------------------------- kernel inputs
# The fields are in the order the flat arguments of the simulation kernel had: Numba passes a namedtuple as its
# fields in order, so the kernel compiles to the same machine code as before (whose speed can hang on that order).
StageArrays = namedtuple("StageArrays", ["shape", "flat_payoffs"])
StageArrays.__doc__ = """The stage game of a repeated game, as the kernels read it.

Fields
------
shape : int64[:]
    ``(N,)`` number of actions of each player.
flat_payoffs : float64[:, :]
    ``(N, n_profiles)`` payoffs, profiles in flat C order.
"""

ProfileTables = namedtuple("ProfileTables", ["n_states", "acts", "trans", "initial"])
ProfileTables.__doc__ = """The automata of a profile, padded to a common number of states ``S``
(the arrays of :func:`coop.games.repeated.pack_profile`, in its order).

Fields
------
n_states : int64[:]
    ``(N,)`` number of automaton states of each player.
acts : int64[:, :]
    ``(N, S)`` action of each player's states.
trans : float64[:, :, :, :]
    ``(N, S, n_profiles, S)`` transition probabilities on each observed profile.
initial : int64[:]
    ``(N,)`` initial state of each player.
"""

Noise = namedtuple("Noise", ["coop", "defect", "eps", "q", "r"])
Noise.__doc__ = """Implementation noise and the monitoring channel.

Fields
------
coop, defect : int64[:]
    ``(N,)`` cooperative and defecting action of each player: noise flips one into the other, and the
    monitoring channel may see one as the other.
eps : float64
    Probability that a player's realised action is flipped between its cooperative and defecting one.
q : float64
    Detection: probability that a defection is seen as one.
r : float64
    False alarm: probability that a cooperation is seen as a defection.
"""

PublicDraws = namedtuple("PublicDraws", ["ptr", "signal", "prob"])
PublicDraws.__doc__ = """The public signal that every automaton reads, as sparse rows given the realised profile
(:func:`coop.games.public_signals.signal_table`); empty arrays for private channels.

Fields
------
ptr : int64[:]
    ``(n_profiles + 1,)`` (or ``(0,)``: private channels): realised profile ``b`` has the entries
    ``ptr[b]:ptr[b + 1]``.
signal, prob : int64[:], float64[:]
    Each entry's signal and probability.
"""

SimOptions = namedtuple("SimOptions", ["delta", "periods", "runs"])
SimOptions.__doc__ = """What :func:`_simulate_kernel` plays.

Fields
------
delta : float64
    Discount factor; negative for the mean payoff over the periods.
periods : int64
    Periods of each run.
runs : int64
    Independent runs.
"""


@njit(cache=True)
def _joint_chain_kernel(shape, flat_payoffs, n_states, acts, trans, coop, defect, eps, q, r):
    """Transition matrix ``(J, J)`` and expected stage payoffs ``(J, N)`` of the joint-state chain.

    Parameters
    ----------
    shape : int64[:]
        Number of actions of each player.
    flat_payoffs : float64[:, :]
        ``(N, n_profiles)`` payoffs, profiles in flat C order.
    n_states : int64[:]
        Number of automaton states of each player.
    acts : int64[:, :]
        ``(N, S)`` action of each player's states (padded).
    trans : float64[:, :, :, :]
        ``(N, S, n_profiles, S)`` transition probabilities (padded).
    coop, defect : int64[:]
        Cooperative and defecting action of each player.
    eps, q, r : float64
        Implementation noise, detection and false-alarm probabilities.

    The arguments stay flat: grouped into :class:`StageArrays`, :class:`ProfileTables` and :class:`Noise`
    they would cost about 4 us more per call (Numba types namedtuple arguments on a slow path), 15-20% of a
    call for the small automata this chain is built for.
    """
    n = shape.shape[0]
    pstr = c_order_strides(shape)
    sstr = c_order_strides(n_states)
    nj = 1
    for i in range(n):
        nj *= n_states[i]
    smax = acts.shape[1]
    P = np.zeros((nj, nj))
    U = np.zeros((nj, n))
    sidx = np.empty(n, dtype=np.int64)
    real_a = np.empty((n, 2), dtype=np.int64)
    real_p = np.empty((n, 2))
    real_k = np.empty(n, dtype=np.int64)
    obs_a = np.empty((n, 2), dtype=np.int64)
    obs_p = np.empty((n, 2))
    obs_k = np.empty(n, dtype=np.int64)
    rc = np.zeros(n, dtype=np.int64)
    oc = np.zeros(n, dtype=np.int64)
    b = np.empty(n, dtype=np.int64)
    nxt = np.zeros((n, smax))
    for js in range(nj):
        for i in range(n):
            sidx[i] = (js // sstr[i]) % n_states[i]
            a = acts[i, sidx[i]]
            if a == coop[i] or a == defect[i]:
                other = defect[i] if a == coop[i] else coop[i]
                real_a[i, 0] = a
                real_p[i, 0] = 1.0 - eps
                real_a[i, 1] = other
                real_p[i, 1] = eps
                real_k[i] = 2 if eps > 0.0 else 1
                if eps >= 1.0:
                    real_a[i, 0] = other
                    real_p[i, 0] = 1.0
                    real_k[i] = 1
            else:
                real_a[i, 0] = a
                real_p[i, 0] = 1.0
                real_k[i] = 1
            rc[i] = 0
        while True:  # every realised profile b
            pb = 1.0
            fb = 0
            for i in range(n):
                b[i] = real_a[i, rc[i]]
                pb *= real_p[i, rc[i]]
                fb += b[i] * pstr[i]
            if pb > 0.0:
                for i in range(n):
                    U[js, i] += pb * flat_payoffs[i, fb]
                # each observer's distribution of its next state
                for j in range(n):
                    if b[j] == coop[j]:
                        obs_a[j, 0] = b[j]
                        obs_p[j, 0] = 1.0 - r
                        obs_a[j, 1] = defect[j]
                        obs_p[j, 1] = r
                    else:
                        obs_a[j, 0] = b[j]
                        obs_p[j, 0] = q
                        obs_a[j, 1] = coop[j]
                        obs_p[j, 1] = 1.0 - q
                    obs_k[j] = 2
                for i in range(n):
                    for s in range(smax):
                        nxt[i, s] = 0.0
                    for j in range(n):
                        oc[j] = 0
                    while True:  # every observation of the others' actions
                        po = 1.0
                        fo = b[i] * pstr[i]
                        for j in range(n):
                            if j != i:
                                po *= obs_p[j, oc[j]]
                                fo += obs_a[j, oc[j]] * pstr[j]
                        if po > 0.0:
                            for s in range(n_states[i]):
                                nxt[i, s] += po * trans[i, sidx[i], fo, s]
                        if not advance_skipping(oc, obs_k, i):
                            break
                for js2 in range(nj):
                    p = pb
                    for i in range(n):
                        p *= nxt[i, (js2 // sstr[i]) % n_states[i]]
                        if p == 0.0:
                            break
                    P[js, js2] += p
            if not advance_skipping(rc, real_k, np.int64(-1)):  # the next realised profile (int64: no literal)
                break
    return P, U


def joint_chain(game: RepeatedGame, profile: Sequence[Automaton]) -> tuple[np.ndarray, np.ndarray, int]:
    """The joint-state chain of a profile: transition matrix ``(J, J)``, stage payoffs ``(J, N)``, initial state.

    Joint states are numbered in C order over the players' automaton states.
    """
    profile = game.check_profile(profile)
    stage = game.stage
    check_joint_states([a.num_states for a in profile], stage.num_actions)
    n_states, acts, trans, initial = pack_profile(profile)
    start = int(np.ravel_multi_index(tuple(initial), tuple(n_states)))
    if game.signals is not None or (game.monitoring == "public"
                                    and not (game.detection == 1.0 and game.false_alarm == 0.0)):
        return (*_public_chain(game, n_states, acts, trans, start), start)
    P, U = _joint_chain_kernel(
        np.array(stage.num_actions, dtype=np.int64),
        stage.payoffs.reshape(stage.num_players, -1),
        n_states,
        acts,
        trans,
        np.array(game.cooperate, dtype=np.int64),
        np.array(game.defect, dtype=np.int64),
        game.noise,
        game.detection,
        game.false_alarm,
    )
    return P, U, start


def _public_chain(game: RepeatedGame, n_states: np.ndarray, acts: np.ndarray, trans: np.ndarray,
                  start: int) -> tuple[np.ndarray, np.ndarray]:
    """The joint chain when every automaton reads one public signal (a report, or general signals): the on-path
    rows of the one-shot deviation tables (:func:`coop.solvers.repeated.subgame_perfection.deviation_tables`),
    which model that signal."""
    from coop.solvers.repeated.subgame_perfection import deviation_tables

    stage = game.stage
    dev = deviation_tables(game, n_states, acts, trans, start)
    n = stage.num_players
    joint = np.array(np.unravel_index(np.arange(dev.D.shape[0]), tuple(n_states)), dtype=np.int64).T  # (J, N)
    own = acts[np.arange(n)[None, :], joint]  # (J, N): the action each automaton plays
    rows = np.arange(joint.shape[0])
    P = np.ascontiguousarray(dev.D[rows, 0, own[:, 0], :])
    U = np.stack([dev.UD[rows, i, own[:, i]] for i in range(n)], axis=1)
    return P, U


def discounted_values(P: np.ndarray, U: np.ndarray, delta: float) -> np.ndarray:
    """Normalised discounted values ``(J, N)`` of every joint state: solve ``(I - delta P) v = (1 - delta) u``."""
    J = P.shape[0]
    return np.linalg.solve(np.eye(J) - delta * P, (1.0 - delta) * U)


@njit(cache=True)
def _finite_values_kernel(P, U, d, horizon, out):
    """Unnormalised values ``out`` ``(G, J, N)`` after ``horizon`` steps of ``W <- U + d P W``, per ``d``."""
    G = d.shape[0]
    J = P.shape[0]
    N = U.shape[1]
    W = np.zeros((J, N))
    new = np.zeros((J, N))
    for g in range(G):
        dg = d[g]
        for s in range(J):
            for i in range(N):
                W[s, i] = 0.0
        for _ in range(horizon):
            for s in range(J):
                for i in range(N):
                    acc = 0.0
                    for n in range(J):
                        acc += P[s, n] * W[n, i]
                    new[s, i] = U[s, i] + dg * acc
            for s in range(J):
                for i in range(N):
                    W[s, i] = new[s, i]
        for s in range(J):
            for i in range(N):
                out[g, s, i] = W[s, i]


def finite_horizon_values(P: np.ndarray, U: np.ndarray, delta: Any, horizon: int) -> np.ndarray:
    r"""Normalised values ``(J, N)`` of every joint state with ``horizon`` periods left.

    Backward recursion :math:`W_T = 0`, :math:`W_t = u + \delta P W_{t+1}`
    (``delta=None`` counts every period alike), then normalised by
    :math:`(1-\delta)/(1-\delta^T)` (or :math:`1/T`) so that values are in
    stage-payoff units. ``delta`` may also be an array ``(G,)`` of discount factors: then ``(G, J, N)``.
    The cost is linear in the horizon.
    """
    scalar = delta is None or np.ndim(delta) == 0
    d = np.ascontiguousarray(np.atleast_1d(np.asarray(1.0 if delta is None else delta, dtype=float)))
    W = np.empty((d.shape[0],) + U.shape)
    _finite_values_kernel(np.ascontiguousarray(P, dtype=float), np.ascontiguousarray(U, dtype=float), d,
                          int(horizon), W)
    W = _finite_norm(d, horizon)[:, None, None] * W
    return W[0] if scalar else W


def _finite_norm(d: np.ndarray, horizon: int) -> np.ndarray:
    """``(1 - d) / (1 - d**T)`` per discount factor, ``1 / T`` where ``d = 1``."""
    one = d == 1.0
    safe = np.where(one, 0.5, d)
    return np.where(one, 1.0 / horizon, (1.0 - safe) / (1.0 - safe**horizon))


def cesaro_values(P: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Limit-of-means payoffs ``(J, N)`` of a Markov chain from every state (its Cesaro limit ``P* U``).

    The closed classes of ``P`` (its strongly connected components that no transition leaves) each
    have one stationary distribution; a state's long-run average mixes theirs by the probability of
    ending in each (Puterman 1994, appendix A.4). Periodic classes are averaged, as the limit of
    means does.
    """
    from scipy.sparse.csgraph import connected_components  # here: SciPy's sparse modules take 0.2 s to import

    J = P.shape[0]
    adj = P > 0.0
    n_comp, labels = connected_components(adj, directed=True, connection="strong")
    closed = np.ones(n_comp, dtype=bool)
    rows, cols = np.nonzero(adj)
    closed[labels[rows][labels[rows] != labels[cols]]] = False
    recurrent = closed[labels]
    transient = np.flatnonzero(~recurrent)
    # probability of ending in each closed class, from every state
    absorb = np.zeros((J, n_comp))
    for c in np.flatnonzero(closed):
        absorb[labels == c, c] = 1.0
    if transient.size:
        Q = P[np.ix_(transient, transient)]
        R = P[np.ix_(transient, np.flatnonzero(recurrent))] @ absorb[recurrent]
        absorb[transient] = np.linalg.solve(np.eye(transient.size) - Q, R)
    class_values = np.zeros((n_comp, U.shape[1]))
    for c in np.flatnonzero(closed):
        members = np.flatnonzero(labels == c)
        k = members.size
        Pc = P[np.ix_(members, members)]
        # stationary distribution: pi (Pc - I) = 0, sum(pi) = 1
        A = np.vstack([(Pc - np.eye(k)).T, np.ones((1, k))])
        rhs = np.zeros(k + 1)
        rhs[-1] = 1.0
        pi = np.linalg.lstsq(A, rhs, rcond=None)[0]
        class_values[c] = pi @ U[members]
    out: np.ndarray = absorb @ class_values
    return out


def average_values(P: np.ndarray, U: np.ndarray, start: int) -> np.ndarray:
    """Limit-of-means payoffs ``(N,)`` from joint state ``start`` (Cesaro limit of the chain)."""
    out: np.ndarray = cesaro_values(P, U)[start]
    return out


@dataclass(frozen=True, eq=False)
class RepeatedPayoffs:
    """Payoffs of a profile of automata in a repeated game.

    Attributes
    ----------
    game : RepeatedGame
        The game (with the criterion's ``delta``).
    strategies : tuple of str
        The automata's names, one per player.
    criterion : str
        ``"discounted"``, ``"average"`` (limit of means), ``"finite discounted"`` or
        ``"finite average"`` (a finite horizon).
    payoffs : numpy.ndarray
        ``(N,)`` normalised payoff of each player from the initial joint state.
    state_values : numpy.ndarray or None
        ``(J, N)`` values of every joint state (``None`` for the limit of means); with a
        finite horizon, for the whole horizon ahead.
    initial_state : int
        Flat index of the initial joint state.
    """

    game: RepeatedGame = field(repr=False)
    strategies: tuple[str, ...]
    criterion: str
    payoffs: np.ndarray
    state_values: np.ndarray | None = field(default=None, repr=False)
    initial_state: int = 0

    def to_dict(self) -> dict[str, Any]:
        players = self.game.stage.players
        return {
            "criterion": self.criterion,
            **self.game.to_dict(),
            "strategies": dict(zip(players, self.strategies, strict=True)),
            "payoffs": {p: float(self.payoffs[i]) for i, p in enumerate(players)},
        }


def discounted_payoffs(
    game: RepeatedGame, profile: Sequence[Automaton], delta: float | None | str = "game"
) -> RepeatedPayoffs:
    """Exact normalised discounted (or limit-of-means) payoffs of a profile of automata.

    Parameters
    ----------
    game : RepeatedGame
        Stage game, discount factor, noise and monitoring.
    profile : sequence of Automaton
        One automaton per player.
    delta : float, None or "game"
        The discount factor to use; ``"game"`` (default) takes ``game.delta``,
        ``None`` asks for the limit of means.

    Returns
    -------
    RepeatedPayoffs

    Examples
    --------
    Grim trigger against itself in the prisoner's dilemma earns R = 3; with 5%
    5% implementation noise the punishment eventually starts for good, so
    the limit of means is that of noisy mutual defection,
    0.95**2 P + 0.95 * 0.05 (S + T) + 0.05**2 R = 1.1475:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, 0.9, (0, 0), (1, 1))
    >>> discounted_payoffs(g, g.profile("grim_trigger")).payoffs.round(6).tolist()
    [3.0, 3.0]
    >>> noisy = RepeatedGame(pd, None, (0, 0), (1, 1), noise=0.05)
    >>> discounted_payoffs(noisy, noisy.profile("grim_trigger")).payoffs.round(6).tolist()
    [1.1475, 1.1475]
    """
    d = game.delta if isinstance(delta, str) and delta == "game" else check_delta(delta)
    P, U, start = joint_chain(game, profile)
    names = tuple(a.name for a in profile)
    g = game if d == game.delta else game.with_delta(d)
    if game.horizon is not None:
        V = finite_horizon_values(P, U, d, game.horizon)
        crit = "finite average" if d is None else "finite discounted"
        return RepeatedPayoffs(g, names, crit, _readonly(V[start].copy()), _readonly(V), start)
    if d is None:
        vals = average_values(P, U, start)
        return RepeatedPayoffs(g, names, "average", _readonly(vals), None, start)
    V = discounted_values(P, U, d)
    return RepeatedPayoffs(g, names, "discounted", _readonly(V[start].copy()), _readonly(V), start)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


# ---------------------------------------------------------------------- simulation
@njit(cache=True)
def _draw(probs, k):
    """Index drawn from the first ``k`` entries of ``probs`` (they sum to one)."""
    return index_from_uniform(probs, k, np.random.random())  # noqa: NPY002 - Numba supports the legacy API only


@njit(cache=True)
def _simulate_kernel(stage, tables, noise, opts, seed, public):
    """Per-run payoffs ``(runs, N)``: normalised discounted sums over ``periods`` (or means if ``delta < 0``).

    Parameters
    ----------
    stage : StageArrays
        Actions per player and flat payoffs.
    tables : ProfileTables
        The players' automata and initial states.
    noise : Noise
        Cooperative and defecting actions, implementation noise, detection and false-alarm probabilities.
    opts : SimOptions
        Discount factor (negative: means), periods and runs.
    seed : int64
        Seed of Numba's generator.
    public : PublicDraws
        The public signal every automaton moves on (drawn given the realised profile), or empty arrays: each
        player observes the others through its own channel (``noise.q``, ``noise.r``).
    """
    np.random.seed(seed)  # noqa: NPY002 - seeds Numba's own generator, not NumPy's
    shape = stage.shape
    flat_payoffs = stage.flat_payoffs
    n_states = tables.n_states
    acts = tables.acts
    trans = tables.trans
    initial = tables.initial
    coop = noise.coop
    defect = noise.defect
    eps = noise.eps
    q = noise.q
    r = noise.r
    delta = opts.delta
    periods = opts.periods
    runs = opts.runs
    n = shape.shape[0]
    pstr = c_order_strides(shape)
    out = np.zeros((runs, n))
    state = np.empty(n, dtype=np.int64)
    b = np.empty(n, dtype=np.int64)
    for run in range(runs):
        for i in range(n):
            state[i] = initial[i]
        w = 1.0 - delta if delta >= 0.0 else 1.0 / periods
        for _t in range(periods):
            fb = 0
            for i in range(n):
                a = acts[i, state[i]]
                if (a == coop[i] or a == defect[i]) and np.random.random() < eps:  # noqa: NPY002
                    a = defect[i] if a == coop[i] else coop[i]
                b[i] = a
                fb += a * pstr[i]
            for i in range(n):
                out[run, i] += w * flat_payoffs[i, fb]
            if public.ptr.shape[0] > 0:  # one public signal, drawn given the realised profile, read by all
                lo = public.ptr[fb]
                y = public.signal[lo + _draw(public.prob[lo:public.ptr[fb + 1]], public.ptr[fb + 1] - lo)]
                for i in range(n):
                    state[i] = _draw(trans[i, state[i], y], n_states[i])
                if delta >= 0.0:
                    w *= delta
                continue
            for i in range(n):
                fo = b[i] * pstr[i]
                for j in range(n):
                    if j == i:
                        continue
                    o = b[j]
                    if b[j] == coop[j]:
                        if np.random.random() < r:  # noqa: NPY002
                            o = defect[j]
                    elif np.random.random() >= q:  # noqa: NPY002
                        o = coop[j]
                    fo += o * pstr[j]
                state[i] = _draw(trans[i, state[i], fo], n_states[i])
            if delta >= 0.0:
                w *= delta
    return out


def _public_draws(game: RepeatedGame) -> Any:
    """The public signal of a game whose automata read one (general signals or a public report), else empty."""
    if game.signals is None and game.monitoring != "public":
        return PublicDraws(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    from coop.games.public_signals import signal_table

    table = signal_table(game)
    return PublicDraws(table.ptr, table.signal, table.prob)


@dataclass(frozen=True, eq=False)
class SimulatedPayoffs:
    """Monte Carlo estimate of a profile's payoffs.

    Attributes
    ----------
    payoffs : numpy.ndarray
        ``(N,)`` mean over runs.
    std_error : numpy.ndarray
        ``(N,)`` standard error of the mean.
    truncation : float
        Bound on the discounted weight left out after ``periods`` (``delta**periods``
        times the payoff spread); 0 for the average criterion.
    """

    strategies: tuple[str, ...]
    criterion: str
    periods: int
    runs: int
    payoffs: np.ndarray
    std_error: np.ndarray
    truncation: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "strategies": list(self.strategies),
            "periods": self.periods,
            "runs": self.runs,
            "payoffs": self.payoffs.tolist(),
            "std_error": self.std_error.tolist(),
            "truncation": self.truncation,
        }


def simulate_payoffs(
    game: RepeatedGame,
    profile: Sequence[Automaton],
    periods: int = 1000,
    runs: int = 1000,
    seed: int | np.random.Generator | None = None,
) -> SimulatedPayoffs:
    """Estimate the payoffs of a profile by simulating ``runs`` plays of ``periods`` periods.

    With a discount factor the estimate is the normalised discounted sum of
    the first ``periods`` periods (the rest weighs at most ``delta**periods``);
    with ``game.delta=None`` it is the mean payoff over the periods, which
    approaches the limit of means as ``periods`` grows. A game with a finite
    horizon is played for exactly its ``horizon`` periods (``periods`` is
    ignored) and normalised as :func:`discounted_payoffs` does. When the
    automata read a public signal (an inspector's public report, or general
    signals) one signal is drawn each period given the realised profile and
    every automaton moves on it; otherwise each player observes the others
    through its own channel.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, 0.8, (0, 0), (1, 1), noise=0.1)
    >>> sim = simulate_payoffs(g, g.profile("tit_for_tat"), periods=200, runs=4000, seed=1)
    >>> exact = discounted_payoffs(g, g.profile("tit_for_tat")).payoffs
    >>> bool(np.all(np.abs(sim.payoffs - exact) < 5 * sim.std_error + sim.truncation))
    True
    """
    profile = game.check_profile(profile)
    periods = int(periods) if game.horizon is None else game.horizon
    runs = int(runs)
    if periods < 1 or runs < 2:
        raise InputError(f"simulation needs periods >= 1 and runs >= 2, got {periods} and {runs}")
    check_budget(f"a simulation of {runs:,} runs of {periods:,} periods", float(runs) * periods * game.num_players,
                 SIMULATION_STEPS, "fewer runs or periods", unit="player-periods")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    int_seed = int(rng.integers(0, 2**31 - 1))
    stage = game.stage
    delta = -1.0 if game.delta is None else float(game.delta)
    out = _simulate_kernel(
        StageArrays(np.array(stage.num_actions, dtype=np.int64), stage.payoffs.reshape(stage.num_players, -1)),
        ProfileTables(*pack_profile(profile)),
        Noise(np.array(game.cooperate, dtype=np.int64), np.array(game.defect, dtype=np.int64),
              game.noise, game.detection, game.false_alarm),
        SimOptions(delta, periods, runs),
        int_seed,
        _public_draws(game),
    )
    trunc = 0.0 if game.delta is None else float(game.delta**periods * np.abs(stage.payoffs).max())
    if game.horizon is not None:
        trunc = 0.0
        if game.delta is not None:
            out /= 1.0 - game.delta**periods  # the kernel weighs period t by (1 - delta) delta^t
    mean = out.mean(axis=0)
    se = out.std(axis=0, ddof=1) / np.sqrt(runs)
    crit = "average" if game.delta is None else "discounted"
    return SimulatedPayoffs(
        tuple(a.name for a in profile),
        crit if game.horizon is None else f"finite {crit}",
        periods, runs, _readonly(mean), _readonly(se), trunc,
    )
