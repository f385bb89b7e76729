r"""Critical discount factors and subgame perfection of one automaton profile for many 2-player stage games at once.

A sweep over a repeated scenario asks, at every parameter point, from which
discount factor a strategy profile (grim trigger, tit-for-tat, ...) is subgame
perfect. :func:`batched_critical_delta` answers it for a batch of stage games
``payoffs`` of shape ``(P, 2, a_1, a_2)`` in one compiled call, with the
answers :func:`coop.solvers.repeated.subgame_perfection.critical_discount_factor`
gives point by point.

What depends on the payoffs is small: by the one-shot deviation principle
(Mailath and Samuelson 2006, prop. 2.2.1) the profile is subgame perfect at
:math:`\delta` when no player gains by a one-shot deviation at any reachable
joint state,

.. math:: g_i(s, a; \delta) = \frac{(1-\delta)\, \bar u_i(s, a) + \delta \sum_{s'} D(s' \mid s, a)\, V_i(s')
          - V_i(s)}{1 - \delta} \le \text{tol}, \qquad V = (1-\delta)(I - \delta P)^{-1} U,

and every term is linear in player :math:`i`'s payoffs once the automata (the
reachable joint states, the on-path chain :math:`P`, the deviation chains
:math:`D` and the realised profiles under implementation noise) are fixed. So
the profile is analysed once, and on each of the single function's grid of
discount factors (:data:`~coop.solvers.repeated.subgame_perfection.DELTA_GRID`)
the gains become one small matrix ``G[g, i]`` applied to the payoff vector
``u_i``. The kernel then follows the single function's rule for each point and
player: a player who gains at the last grid point (0.999) gets NaN ("never"),
one who never gains gets 0 ("any"), and otherwise the last grid point with a
gain and the next one bracket :math:`\delta^*`, which is bisected (60 steps at
most, to a width of ``1e-13``) with the values solved directly at each
midpoint. The grid is scanned from the top down, so the work per point grows
with :math:`1 - \delta^*`.

The answers equal the single function's up to rounding (a grid point or a
midpoint whose largest gain is within rounding of ``tol`` can be decided the
other way; the bisected values then differ by about ``1e-13``).

:func:`batched_subgame_perfect` asks the other question of a sweep, whether the
profile is subgame perfect at each point's own :math:`\delta`: the same tables,
and the values solved directly at that :math:`\delta`, as at a bisection
midpoint; point by point it is
:func:`~coop.solvers.repeated.subgame_perfection.check_subgame_perfect`'s
``is_spe``, up to the same rounding.

References
----------
Mailath, G. J. and Samuelson, L. (2006). *Repeated Games and Reputations*. Oxford UP, sec. 2.2.
"""

from __future__ import annotations

import functools
import json
import math
from collections import namedtuple
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.automata import BUILDERS, Automaton
from coop.games.normal_form import NormalFormGame
from coop.games.repeated import RepeatedGame, pack_profile
from coop.solvers.repeated.sizes import DELTA_GRID, check_joint_states, check_scan
from coop.solvers.repeated.subgame_perfection import _reachable_states, _realised
from coop.solvers.shared.arrays import c_order_strides
from coop.solvers.shared.jit import njit
from coop.solvers.shared.tolerances import REGRET_TOL

#: The payoff-independent analysis of a profile, restricted to the joint states reachable from the initial one:
#: ``grid`` (``(G,)`` discount factors), ``gains`` (``(G, N, J, A, F)``: the one-shot gain of player ``i`` at
#: joint state ``s`` after intending action ``a``, per unit of its payoff at flat profile ``f``), ``valid``
#: (``(N, A)``: ``a`` is an action of ``i``), ``onpath`` (``(J, F)``: the realised profiles on path),
#: ``chain`` (``(J, J)``: the on-path transitions), ``deviation`` (``(J, N, A, F)``: the realised profiles after
#: an intention) and ``next_state`` (``(J, N, A, J)``: the next joint state after it).
ProfileTables = namedtuple("ProfileTables", ["grid", "gains", "block_hi", "block_lo", "valid", "onpath", "chain",
                                             "deviation", "next_state"])
#: Options of the kernel: the absolute tolerance (unless ``default_tol``: ``REGRET_TOL`` times each point's
#: payoff spread).
CriticalOptions = namedtuple("CriticalOptions", ["tol", "default_tol"])
#: The outputs the kernel fills: ``per_player`` ``(P, N)``, ``overall`` ``(P,)`` (NaN: never) and ``tols``.
CriticalOut = namedtuple("CriticalOut", ["per_player", "overall", "tols"])
#: Bisection of the single function: at most this many halvings ...
_BISECTIONS = 60
#: ... stopping once the bracket is narrower than this.
_WIDTH = 1e-13
#: Grid points per block of the scan (a block whose bound shows no gain is passed over).
_BLOCK = 16


# ============================================================================ the profile, once
@njit(cache=True)
def _profile_structure_kernel(shape, n_states, acts, trans, start, roles, eps):
    """The payoff-independent tables of a profile over all joint states (perfect monitoring, noise ``eps``).

    Returns the joint states reachable from ``start`` (under any action profiles, as the one-shot deviation
    principle needs), the realised-profile weights of every intention ``(J, N, A, F)``, the next-state
    distributions ``(J, N, A, J)`` and each joint state's on-path intention (the action of player 0's state).
    """
    n = shape.shape[0]
    pstr = c_order_strides(shape)
    sstr = c_order_strides(n_states)
    nj = 1
    for i in range(n):
        nj *= n_states[i]
    nprof = 1
    amax = 0
    for i in range(n):
        nprof *= shape[i]
        amax = max(amax, shape[i])
    sidx = np.empty(n, np.int64)
    reach = _reachable_states(np.ones(nprof, dtype=np.bool_), n_states, trans, start)[0]
    weights = np.zeros((nj, n, amax, nprof))
    nxt = np.zeros((nj, n, amax, nj))
    own_action = np.empty(nj, np.int64)
    real_f = np.empty(1 << n, np.int64)
    real_p = np.empty(1 << n)
    for js in range(nj):
        base = 0
        for i in range(n):
            sidx[i] = (js // sstr[i]) % n_states[i]
            base += acts[i, sidx[i]] * pstr[i]
        own_action[js] = acts[0, sidx[0]]
        for i in range(n):
            own = acts[i, sidx[i]] * pstr[i]
            for a in range(shape[i]):
                m = _realised(base - own + a * pstr[i], shape, pstr, roles[0], roles[1], eps, real_f, real_p)
                for k in range(m):
                    fb = real_f[k]
                    pb = real_p[k]
                    if pb == 0.0:
                        continue
                    weights[js, i, a, fb] += pb
                    for js2 in range(nj):
                        p = pb
                        for j in range(n):
                            p *= trans[j, sidx[j], fb, (js2 // sstr[j]) % n_states[j]]
                            if p == 0.0:
                                break
                        nxt[js, i, a, js2] += p
    return reach, weights, nxt, own_action


# ============================================================================ the batch
@njit(cache=True)
def _gain_exceeds(coef, u, tol):
    """Whether ``sum_f coef[f] * u[f]`` (summed in order of ``f``) exceeds ``tol``."""
    v = 0.0
    for f in range(u.shape[0]):
        v += coef[f] * u[f]
    return v > tol


@njit(cache=True)
def _last_failure(gains_i, hi_i, lo_i, u, tol, bound):
    """The last grid point where the player gains more than ``tol`` by some one-shot deviation (-1: none).

    ``gains_i`` ``(G, R, F)`` are the gains of the ``R`` deviations per unit payoff; ``hi_i`` and ``lo_i``
    ``(B, R, F)`` their largest and smallest coefficients over each block of ``_BLOCK`` grid points. Blocks are
    taken from the top; one whose bound (largest coefficient where ``u >= 0``, smallest where ``u < 0``) is at
    most ``tol`` is passed over: the bound is at least every value of the block also in floating point
    (rounding is monotone), so the answer is the one of a full scan. ``bound`` ``(F,)`` is scratch.
    """
    G, R, F = gains_i.shape
    for b in range(hi_i.shape[0] - 1, -1, -1):
        hit = False
        for r in range(R):
            for f in range(F):
                bound[f] = hi_i[b, r, f] if u[f] >= 0.0 else lo_i[b, r, f]
            if _gain_exceeds(bound, u, tol):
                hit = True
                break
        if not hit:
            continue
        for g in range(min(G, (b + 1) * _BLOCK) - 1, b * _BLOCK - 1, -1):
            for r in range(R):
                if _gain_exceeds(gains_i[g, r], u, tol):
                    return g
    return -1


@njit(cache=True)
def _solve_dominant(M, V, J):
    """Solve ``M V = b`` in place (``b`` given in ``V``) for a strictly row diagonally dominant ``M``.

    ``I - delta P`` with ``P`` stochastic and ``delta < 1`` is one: Gaussian elimination needs no pivoting (the
    reduced matrices stay diagonally dominant), which for the few joint states of a profile is several times
    faster than the general pivoting solver.
    """
    for c in range(J):
        piv = M[c, c]
        for r in range(c + 1, J):
            g = M[r, c] / piv
            if g != 0.0:
                for q in range(c + 1, J):
                    M[r, q] -= g * M[c, q]
                V[r] -= g * V[c]
    for c in range(J - 1, -1, -1):
        acc = V[c]
        for q in range(c + 1, J):
            acc -= M[c, q] * V[q]
        V[c] = acc / M[c, c]


@njit(cache=True)
def _direct_fails(delta, i, chain, nxt, valid, U, UD, work):
    """Whether player ``i`` gains more than ``work[2][0]`` at ``delta``: the values solved directly.

    ``chain``, ``nxt`` and ``valid`` are the :class:`ProfileTables` fields ``chain``, ``next_state`` and ``valid``;
    ``U`` ``(J,)`` and ``UD`` ``(J, A)`` player ``i``'s on-path and deviation stage payoffs; ``work`` holds a
    ``(J, J)`` matrix, a ``(J,)`` vector and the tolerance.
    """
    M, V, tol = work[0], work[1], work[2][0]
    J = chain.shape[0]
    for s in range(J):
        for t in range(J):
            M[s, t] = -delta * chain[s, t]
        M[s, s] += 1.0
        V[s] = (1.0 - delta) * U[s]
    _solve_dominant(M, V, J)
    for s in range(J):
        for a in range(UD.shape[1]):
            if not valid[i, a]:
                continue
            cont = 0.0
            for t in range(J):
                cont += nxt[s, i, a, t] * V[t]
            if ((1.0 - delta) * UD[s, a] + delta * cont - V[s]) / (1.0 - delta) > tol:
                return True
    return False


@njit(cache=True)
def _point_tol(u, opts):
    """The tolerance of one point (payoffs ``u``, ``(N, F)``): ``opts.tol``, or by default ``REGRET_TOL`` times
    the payoff spread (1 for a constant game), as ``NormalFormGame.payoff_scale`` computes it."""
    if not opts.default_tol:
        return opts.tol
    lo = u[0, 0]
    hi = u[0, 0]
    for i in range(u.shape[0]):
        for f in range(u.shape[1]):
            lo = min(lo, u[i, f])
            hi = max(hi, u[i, f])
    return REGRET_TOL * (hi - lo if hi > lo else 1.0)


@njit(cache=True)
def _stage_payoffs(ui, i, onpath, dev, U, UD):
    """Player ``i``'s expected stage payoffs (``ui`` ``(F,)``): on path into ``U`` ``(J,)`` and after each intended
    action into ``UD`` ``(J, A)`` (``onpath``, ``dev``: the :class:`ProfileTables` fields ``onpath``,
    ``deviation``)."""
    for s in range(onpath.shape[0]):
        v = 0.0
        for f in range(ui.shape[0]):
            v += onpath[s, f] * ui[f]
        U[s] = v
        for a in range(UD.shape[1]):
            v = 0.0
            for f in range(ui.shape[0]):
                v += dev[s, i, a, f] * ui[f]
            UD[s, a] = v


@njit(cache=True)
def _critical_delta_kernel(flat, tables, opts, out):
    """Critical discount factors of every point ``flat[p]`` (``(N, F)`` payoffs) into :class:`CriticalOut`."""
    grid, gains, onpath, dev = tables.grid, tables.gains, tables.onpath, tables.deviation
    chain, nxt, valid = tables.chain, tables.next_state, tables.valid
    P = flat.shape[0]
    n = flat.shape[1]
    F = flat.shape[2]
    G = grid.shape[0]
    J = onpath.shape[0]
    A = dev.shape[2]
    bound = np.empty(F)
    U = np.empty(J)
    UD = np.empty((J, A))
    work = (np.empty((J, J)), np.empty(J), np.empty(1))
    for p in range(P):
        u = flat[p]
        tol = _point_tol(u, opts)
        out.tols[p] = tol
        work[2][0] = tol
        overall = 0.0
        for i in range(n):
            ui = u[i]
            g = _last_failure(gains[i], tables.block_hi[i], tables.block_lo[i], ui, tol, bound)
            if g == G - 1:  # gains at 0.999: never
                out.per_player[p, i] = np.nan
                overall = np.nan
                continue
            if g < 0:
                out.per_player[p, i] = 0.0
                continue
            _stage_payoffs(ui, i, onpath, dev, U, UD)
            lo_d = grid[g]
            hi_d = grid[g + 1]
            for _ in range(_BISECTIONS):
                mid = 0.5 * (lo_d + hi_d)
                if _direct_fails(mid, i, chain, nxt, valid, U, UD, work):
                    lo_d = mid
                else:
                    hi_d = mid
                if hi_d - lo_d < _WIDTH:
                    break
            out.per_player[p, i] = hi_d
            if not np.isnan(overall):
                overall = max(overall, hi_d)
        out.overall[p] = overall


@njit(cache=True)
def _subgame_perfect_kernel(flat, deltas, tables, opts, out):
    """``out[p]``: no player of point ``p`` (payoffs ``flat[p]``, ``(N, F)``) gains more than the point's tolerance
    by a one-shot deviation at ``deltas[p]``, the values solved directly as :func:`_direct_fails` does."""
    onpath, dev = tables.onpath, tables.deviation
    chain, nxt, valid = tables.chain, tables.next_state, tables.valid
    J = onpath.shape[0]
    U = np.empty(J)
    UD = np.empty((J, dev.shape[2]))
    work = (np.empty((J, J)), np.empty(J), np.empty(1))
    for p in range(flat.shape[0]):
        u = flat[p]
        work[2][0] = _point_tol(u, opts)
        ok = True
        for i in range(u.shape[0]):
            _stage_payoffs(u[i], i, onpath, dev, U, UD)
            if _direct_fails(deltas[p], i, chain, nxt, valid, U, UD, work):
                ok = False
                break
        out[p] = ok


# ============================================================================ results and wrapper
@dataclass(frozen=True, eq=False)
class BatchedCriticalDelta:
    """Critical discount factors of one profile of automata at every point of a batch of stage games.

    Attributes
    ----------
    strategies : tuple of str
        Each player's automaton name.
    per_player : numpy.ndarray
        ``(P, N)``: the least :math:`\\delta^*` from which the player has no profitable one-shot deviation on
        all of :math:`[\\delta^*, 1)`; 0 when it never has one, NaN when it has one at 0.999 ("never").
    overall : numpy.ndarray
        ``(P,)``: the largest of them (NaN when some player's is NaN): the profile is subgame perfect from there.
    tol : numpy.ndarray
        ``(P,)``: the per-period gain counted as no gain at each point.
    noise : float
        Implementation noise.
    method : str
        ``"grid+bisection"``, the single function's method.
    """

    strategies: tuple[str, ...]
    per_player: np.ndarray
    overall: np.ndarray
    tol: np.ndarray
    noise: float
    method: str = "grid+bisection"

    @property
    def num_points(self) -> int:
        return int(self.overall.shape[0])

    def critical(self, point: int) -> tuple[tuple[float | None, ...], float | None]:
        """Point ``point``'s per-player and overall values as the single function reports them (None: never)."""
        per = tuple(None if math.isnan(v) else float(v) for v in self.per_player[point])
        ov = float(self.overall[point])
        return per, None if math.isnan(ov) else ov

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "strategies": list(self.strategies),
            "noise": self.noise,
            "critical_delta": [[None if math.isnan(v) else float(v) for v in row] for row in self.per_player],
            "overall": [None if math.isnan(v) else float(v) for v in self.overall],
            "tol": self.tol.tolist(),
        }


def _profile_arg(stage: NormalFormGame, profile: str | Sequence[str | Automaton], cooperate: Sequence[int],
                 defect: Sequence[int],
                 params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None) -> tuple[Automaton, ...]:
    names: Sequence[str | Automaton] = [profile] * 2 if isinstance(profile, str) else list(profile)
    if len(names) != 2:
        raise InputError(f"a profile needs 2 automata, got {len(names)}")
    if params is None or isinstance(params, Mapping):
        per_player = [dict(params or {})] * 2
    else:
        per_player = [dict(q) for q in params]
        if len(per_player) != 2:
            raise InputError(f"params needs one mapping per player, got {len(per_player)}")
    out = []
    for i, item in enumerate(names):
        if isinstance(item, Automaton):
            out.append(item)
            continue
        if item not in BUILDERS:
            raise InputError(f"unknown strategy {item!r}; expected one of {sorted(BUILDERS)}")
        try:
            out.append(BUILDERS[item](stage, i, cooperate, defect, **per_player[i]))
        except TypeError as err:
            raise InputError(f"bad parameters {per_player[i]} for {item!r}: {err}") from err
    return tuple(out)


def profile_tables(game: RepeatedGame, profile: Sequence[Automaton]) -> ProfileTables:
    """The payoff-independent tables of ``profile`` in ``game``'s shape, roles and noise (see :class:`ProfileTables`).

    Only ``game``'s action counts, roles and noise are read; its payoffs and discount factor are not.
    """
    profile = game.check_profile(profile)
    check_joint_states([a.num_states for a in profile], game.stage.num_actions)
    n_states, acts, trans, initial = pack_profile(profile)
    shape = np.array(game.stage.num_actions, dtype=np.int64)
    roles = np.array([game.cooperate, game.defect], dtype=np.int64)
    start = int(np.ravel_multi_index(tuple(initial), tuple(n_states)))
    reach, weights, nxt, own = _profile_structure_kernel(shape, n_states, acts, trans, start, roles, game.noise)
    idx = np.flatnonzero(reach)
    check_scan(len(idx), game.num_players)
    weights = weights[idx]
    nxt = np.ascontiguousarray(nxt[idx][..., idx])
    rows = np.arange(len(idx))
    onpath = np.ascontiguousarray(weights[rows, 0, own[idx]])  # (J, F): player 0 "deviating" to its own action
    chain = np.ascontiguousarray(nxt[rows, 0, own[idx]])  # (J, J)
    grid = np.ascontiguousarray(DELTA_GRID, dtype=np.float64)
    d = grid[:, None, None]
    J = len(idx)
    values = (1.0 - d) * np.linalg.inv(np.eye(J)[None] - d * chain[None])  # (G, J, J): V = values @ U
    vmap = values @ onpath  # (G, J, F): V[:, i] = vmap @ u_i
    cont = np.einsum("siat,gtf->gisaf", nxt, vmap)
    d5 = grid[:, None, None, None, None]
    gains = ((1.0 - d5) * weights.transpose(1, 0, 2, 3)[None] + d5 * cont - vmap[:, None, :, None, :]) / (1.0 - d5)
    valid = np.zeros((game.num_players, weights.shape[2]), dtype=np.bool_)
    for i, a in enumerate(game.stage.num_actions):
        valid[i, :a] = True
        gains[:, i, :, a:] = 0.0  # not an action of player i: a zero row never exceeds a tolerance >= 0
    # (N, G, J * A, F), and the coefficients' extremes over blocks of grid points
    rows = np.ascontiguousarray(gains.transpose(1, 0, 2, 3, 4).reshape(game.num_players, len(grid), -1, gains.shape[4]))
    blocks = -(-len(grid) // _BLOCK)
    pad = np.concatenate([rows, np.repeat(rows[:, -1:], blocks * _BLOCK - len(grid), axis=1)], axis=1)
    pad = pad.reshape(game.num_players, blocks, _BLOCK, *rows.shape[2:])
    return ProfileTables(grid, rows, np.ascontiguousarray(pad.max(axis=2)), np.ascontiguousarray(pad.min(axis=2)),
                         valid, onpath, chain, np.ascontiguousarray(weights), nxt)


@functools.lru_cache(maxsize=32)
def _named_profile_tables(key: str) -> tuple[tuple[str, ...], ProfileTables]:
    """Automaton names and :func:`profile_tables` of a profile of named builders (``key`` is the JSON of
    ``[names, params, shape, cooperate, defect, noise]``); the arrays are read-only, as they are shared."""
    names, params, shape, cooperate, defect, noise = json.loads(key)
    stage = NormalFormGame.from_payoffs(np.zeros((len(shape), *shape)))
    game = RepeatedGame(stage, None, tuple(cooperate), tuple(defect), noise)
    automata = _profile_arg(stage, names, game.cooperate, game.defect, params)
    tables = profile_tables(game, automata)
    for a in tables:
        a.setflags(write=False)
    return tuple(a.name for a in automata), tables


def batched_critical_delta(
    payoffs: Any,
    profile: str | Sequence[str | Automaton],
    cooperate: Sequence[int],
    defect: Sequence[int],
    noise: float = 0.0,
    tol: float | None = None,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> BatchedCriticalDelta:
    """Critical discount factor of one 2-player automaton profile for many stage games, in one compiled call.

    Parameters
    ----------
    payoffs : array-like
        ``(P, 2, a_1, a_2)``: ``payoffs[p]`` is point ``p``'s stage game in coop's convention.
    profile : str or sequence
        A builder name of :data:`coop.games.automata.BUILDERS` for both players (``"grim_trigger"``), or one
        name or :class:`~coop.games.automata.Automaton` per player.
    cooperate, defect : sequence of int
        Each player's cooperative and defecting action index.
    noise : float
        Implementation noise (monitoring is perfect, the horizon infinite).
    tol : float, optional
        Largest per-period gain counted as no gain; by default ``1e-9`` times each point's payoff spread.
    params : mapping or sequence of mappings, optional
        Parameters of the named builders (``{"k": 3}`` for ``k_period_punishment``), for both players or one
        mapping per player.

    Returns
    -------
    BatchedCriticalDelta
        Point by point what :func:`~coop.solvers.repeated.subgame_perfection.critical_discount_factor` returns
        for ``RepeatedGame(stage, None, cooperate, defect, noise)`` (None there is NaN here).

    Examples
    --------
    Grim trigger in prisoner's dilemmas (T, R, P, S) = (5, 3, 1, 0) and (4, 3, 1, 0) needs
    :math:`\\delta \\ge (T - R) / (T - P)`:

    >>> import numpy as np
    >>> def pd(T, R, P, S):
    ...     A = np.array([[R, S], [T, P]], dtype=float)
    ...     return np.stack([A, A.T])
    >>> res = batched_critical_delta(np.stack([pd(5, 3, 1, 0), pd(4, 3, 1, 0)]), "grim_trigger", (0, 0), (1, 1))
    >>> res.overall.round(6).tolist()
    [0.5, 0.333333]
    """
    arr, strategies, tables, opts, eps = _batch_input("batched_critical_delta", payoffs, profile, cooperate, defect,
                                                      noise, tol, params)
    P = arr.shape[0]
    out = CriticalOut(np.empty((P, 2)), np.empty(P), np.empty(P))
    _critical_delta_kernel(arr.reshape(P, 2, -1), tables, opts, out)
    for a in out:
        a.setflags(write=False)
    return BatchedCriticalDelta(strategies, out.per_player, out.overall, out.tols, eps)


def batched_subgame_perfect(
    payoffs: Any,
    deltas: Any,
    profile: str | Sequence[str | Automaton],
    cooperate: Sequence[int],
    defect: Sequence[int],
    noise: float = 0.0,
    tol: float | None = None,
    params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> np.ndarray:
    """Whether one 2-player automaton profile is subgame perfect at each point's discount factor, in one compiled call.

    The one-shot deviation check of
    :func:`~coop.solvers.repeated.subgame_perfection.check_subgame_perfect` at every point: the profile is
    analysed once (:func:`profile_tables`), and at each point the values are solved at ``deltas[p]`` and every
    reachable joint state and intended action of each player is tried. A player's gain (per period, divided by
    ``1 - delta``) counts as none when it is at most the tolerance; ``delta = 0`` is the stage game at every
    reachable joint state, like any other discount factor.

    Parameters
    ----------
    payoffs : array-like
        ``(P, 2, a_1, a_2)``: ``payoffs[p]`` is point ``p``'s stage game in coop's convention.
    deltas : array-like
        ``(P,)``: point ``p``'s discount factor, in ``[0, 1)``.
    profile, cooperate, defect, noise, params
        As :func:`batched_critical_delta` (named profiles share its cached analysis).
    tol : float, optional
        Largest per-period gain counted as no gain; by default ``1e-9`` times each point's payoff spread, as
        ``check_subgame_perfect``.

    Returns
    -------
    numpy.ndarray
        ``(P,)`` bool: point by point
        ``check_subgame_perfect(RepeatedGame(stage, deltas[p], cooperate, defect, noise), profile, tol).is_spe``
        (a gain within rounding of the tolerance may be decided the other way).

    Examples
    --------
    Grim trigger in the prisoner's dilemma (T, R, P, S) = (5, 3, 1, 0) holds from delta = 1/2 on:

    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = np.stack([A, A.T])
    >>> batched_subgame_perfect(np.stack([pd] * 4), [0.0, 0.49, 0.5, 0.9], "grim_trigger", (0, 0), (1, 1)).tolist()
    [False, False, True, True]
    """
    arr, _, tables, opts, _ = _batch_input("batched_subgame_perfect", payoffs, profile, cooperate, defect, noise,
                                           tol, params)
    try:
        d = np.asarray(deltas, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("batched_subgame_perfect: deltas must be an array of numbers") from None
    if d.shape != arr.shape[:1]:
        raise InputError(f"batched_subgame_perfect: deltas must have shape ({arr.shape[0]},), one per point, "
                         f"got {d.shape}")
    if not np.all((d >= 0.0) & (d < 1.0)):
        raise InputError("batched_subgame_perfect: every delta must be a number in [0, 1)")
    out = np.empty(arr.shape[0], dtype=np.bool_)
    _subgame_perfect_kernel(arr.reshape(arr.shape[0], 2, -1), np.ascontiguousarray(d), tables, opts, out)
    return out


def _batch_input(who: str, payoffs: Any, profile: str | Sequence[str | Automaton], cooperate: Sequence[int],
                 defect: Sequence[int], noise: float, tol: float | None,
                 params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
                 ) -> tuple[np.ndarray, tuple[str, ...], ProfileTables, Any, float]:
    """The checked payoffs ``(P, 2, a_1, a_2)``, the automata's names, the profile's tables, the kernel's
    :class:`CriticalOptions` and the noise; bad input raises :class:`InputError` naming ``who``."""
    try:
        arr = np.ascontiguousarray(np.asarray(payoffs, dtype=np.float64))
    except (TypeError, ValueError):
        raise InputError(f"{who}: payoffs must be an array of numbers") from None
    if arr.ndim != 4 or arr.shape[1] != 2 or arr.shape[0] < 1 or min(arr.shape[2:]) < 1:
        raise InputError(f"{who}: payoffs must have shape (P, 2, a_1, a_2), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{who}: payoffs must be finite numbers")
    if tol is None:
        t, default = 0.0, True
    else:
        try:
            t, default = float(tol), False
        except (TypeError, ValueError):
            t, default = math.nan, False
        if not math.isfinite(t) or t < 0.0:
            raise InputError(f"{who}: tol must be a finite number >= 0, got {tol!r}")
    try:
        stage = NormalFormGame.from_payoffs(np.zeros(arr.shape[1:]))  # only the shape builds and checks the automata
        game = RepeatedGame(stage, None, tuple(cooperate), tuple(defect), noise)
        names = [profile] * 2 if isinstance(profile, str) else list(profile)
        if len(names) == 2 and all(isinstance(x, str) for x in names):
            # named builders: the same call again (a sweep's next chunk) reuses the analysis of the profile
            key = json.dumps([names, params, arr.shape[2:], game.cooperate, game.defect, game.noise], default=repr)
            strategies, tables = _named_profile_tables(key)
        else:
            automata = _profile_arg(stage, profile, game.cooperate, game.defect, params)
            strategies, tables = tuple(a.name for a in automata), profile_tables(game, automata)
    except InputError as err:
        raise InputError(f"{who}: {err.message}", err.source, err.line, err.place) from None
    return arr, strategies, tables, CriticalOptions(t, default), float(game.noise)
