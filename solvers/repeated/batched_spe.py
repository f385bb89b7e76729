"""Subgame perfection of one 2-player automaton profile at a given discount factor, for many stage games.

A sweep over a repeated scenario asks at every point whether the scenario's profiles are subgame perfect at
that point's delta. By the one-shot deviation principle this is whether, at every joint state reachable from
the start (on or off the path), no player gains more than the tolerance by deviating once; the
payoff-independent part of that check (the reachable joint states, the chains after each intention) is the
same tables :mod:`coop.solvers.repeated.batched` builds for critical discount factors, and the values at the
point's delta are solved directly, as there at each bisection step. The answer is, point by point,
``check_subgame_perfect(RepeatedGame(stage, delta, cooperate, defect, noise), profile).is_spe`` (up to a gain
within rounding of the tolerance).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numba import njit

from coop.errors import InputError
from coop.games.automata import Automaton
from coop.games.normal_form import NormalFormGame
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.batched import _direct_fails, _named_profile_tables, _profile_arg, profile_tables
from coop.solvers.shared.tolerances import REGRET_TOL


@njit(cache=True)
def _spe_kernel(flat, deltas, tables, out):
    """``out[p]``: no player of point ``p`` (payoffs ``flat[p]``, ``(N, F)``) gains at ``deltas[p]``."""
    onpath, dev = tables.onpath, tables.deviation
    chain, nxt, valid = tables.chain, tables.next_state, tables.valid
    P, n, F = flat.shape
    J = onpath.shape[0]
    A = dev.shape[2]
    U = np.empty(J)
    UD = np.empty((J, A))
    work = (np.empty((J, J)), np.empty(J), np.empty(1))
    for p in range(P):
        u = flat[p]
        lo = u[0, 0]
        hi = u[0, 0]
        for i in range(n):
            for f in range(F):
                lo = min(lo, u[i, f])
                hi = max(hi, u[i, f])
        work[2][0] = REGRET_TOL * (hi - lo if hi > lo else 1.0)
        ok = True
        for i in range(n):
            ui = u[i]
            for s in range(J):
                v = 0.0
                for f in range(F):
                    v += onpath[s, f] * ui[f]
                U[s] = v
                for a in range(A):
                    v = 0.0
                    for f in range(F):
                        v += dev[s, i, a, f] * ui[f]
                    UD[s, a] = v
            if _direct_fails(deltas[p], i, chain, nxt, valid, U, UD, work):
                ok = False
                break
        out[p] = ok


def batched_subgame_perfect(payoffs: Any, deltas: Any, profile: str | Sequence[str | Automaton],
                            cooperate: Sequence[int], defect: Sequence[int], noise: float = 0.0,
                            params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> np.ndarray:
    """Whether ``profile`` is subgame perfect at each point's discount factor: ``(P,)`` bool.

    Parameters
    ----------
    payoffs : array-like
        ``(P, 2, a_1, a_2)`` stage games.
    deltas : array-like
        ``(P,)`` discount factors in ``[0, 1)``.
    profile, cooperate, defect, noise, params
        As :func:`coop.solvers.repeated.batched.batched_critical_delta`.

    Examples
    --------
    Grim trigger in the prisoner's dilemma (T, R, P, S) = (5, 3, 1, 0) holds from delta = 1/2 on:

    >>> pd = np.array([[[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]]])
    >>> batched_subgame_perfect(np.stack([pd, pd]), [0.4, 0.6], "grim_trigger", (0, 0), (1, 1)).tolist()
    [False, True]
    """
    arr = np.ascontiguousarray(np.asarray(payoffs, dtype=np.float64))
    d = np.ascontiguousarray(np.asarray(deltas, dtype=np.float64)).reshape(-1)
    if arr.ndim != 4 or arr.shape[1] != 2 or arr.shape[0] != d.shape[0]:
        raise InputError(f"batched_subgame_perfect: payoffs must have shape (P, 2, a_1, a_2) with one delta per "
                         f"point, got {arr.shape} and {d.shape[0]} deltas")
    if not (np.all(np.isfinite(arr)) and np.all((d >= 0.0) & (d < 1.0))):
        raise InputError("batched_subgame_perfect: payoffs must be finite and every delta in [0, 1)")
    stage = NormalFormGame.from_payoffs(np.zeros(arr.shape[1:]))  # only the shape builds the automata
    game = RepeatedGame(stage, None, tuple(cooperate), tuple(defect), noise)
    names = [profile] * 2 if isinstance(profile, str) else list(profile)
    if len(names) == 2 and all(isinstance(x, str) for x in names):
        key = json.dumps([names, params, arr.shape[2:], game.cooperate, game.defect, game.noise], default=repr)
        tables = _named_profile_tables(key)[1]
    else:
        tables = profile_tables(game, _profile_arg(stage, profile, game.cooperate, game.defect, params))
    out = np.empty(arr.shape[0], dtype=np.bool_)
    _spe_kernel(arr.reshape(arr.shape[0], 2, -1), d, tables, out)
    return out
