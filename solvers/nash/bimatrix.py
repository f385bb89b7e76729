"""Shared pieces of the 2-player solvers: payoff scaling, bit-set hash tables and a fast equilibrium check.

Everything here is private to :mod:`coop.solvers.nash`. The kernels take and return
plain arrays and scalars only, or namedtuples of them (:class:`ProfileCheck`); the admission rule is an
array (:func:`verify_rule`).

- :func:`positive_bimatrix` rescales each player's payoff matrix affinely onto
  ``[1, 2]``. Positive affine maps per player leave the Nash equilibria
  unchanged, make the best-response polytopes bounded (von Stengel 2007,
  section 3.2) and let every kernel use fixed, scale-free tolerances.
- The hash-table helpers store keys made of ``W`` int64 words (bit sets of
  basic variables or of labels) with open addressing.
- :func:`verified_bimatrix_equilibria` is the 2-player specialisation of
  :func:`coop.solvers.nash.results.verified_equilibria`: the same admission rules
  (probability vectors within ``1e-9``, regret at most ``tol``, duplicates
  within ``1e-7`` removed, the same order), computed in one compiled pass with
  matrix-vector products instead of generic tensor contractions, so that fast
  solvers such as Lemke-Howson are not dominated by their own verification.
"""

from __future__ import annotations

import functools
import math
from collections import namedtuple

import numpy as np

from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.results import PROB_EPS, Equilibrium
from coop.solvers.shared.jit import njit
from coop.solvers.shared.ordering import canonical_order_kernel
from coop.solvers.shared.tolerances import STAKE_FLOOR

#: Probability vectors must sum to one within this (times the number of actions) and be >= -this.
_PROB_TOL = 1e-9
#: Candidates whose probabilities all differ by at most this are the same equilibrium.
_DEDUPE_TOL = 1e-7

#: The admission rule of :func:`verify_profile`, as the kernels take it: one float64 array of the relative regret
#: tolerance, the probability-vector tolerance, the magnitude below which a probability is cleaned to zero, the
#: stake floor (``STAKE_FLOOR``) and the two players' payoff exponents (the matrices checked are the unit payoffs
#: ``u_i * 2**-e_i``), at these positions. An array, not a namedtuple: Numba types a namedtuple argument on a
#: slow path, about a microsecond of every call of a 2-player solver.
RULE_TOL, RULE_PROB_TOL, RULE_PROB_EPS, RULE_FLOOR, RULE_E0, RULE_E1 = range(6)
#: The rule's former type, a namedtuple: no kernel takes it now, but Numba unpickles the cache index of a kernel
#: that took it, written by an earlier coop, before it finds the index stale; without the name it fails there.
VerifyRule = namedtuple("VerifyRule", ["tol", "prob_tol", "prob_eps", "floor", "e0", "e1"])
#: :func:`verify_profile`'s answer: status 0 kept, 1 rejected; the larger regret in payoff units (``inf`` off
#: the simplex) and the larger ratio of a player's regret to their stake.
ProfileCheck = namedtuple("ProfileCheck", ["status", "regret", "relative"])


def verify_rule(game: NormalFormGame, tol: float) -> np.ndarray:
    """coop's admission rule for the 2-player ``game`` with relative tolerance ``tol`` (see ``RULE_TOL``)."""
    e0, e1 = game.payoff_exponents.tolist()
    return rule_array(float(tol), e0, e1)


@functools.lru_cache(maxsize=256)
def rule_array(tol: float, e0: int, e1: int) -> np.ndarray:
    """The admission rule with relative tolerance ``tol`` for unit payoffs of exponents ``e0``, ``e1`` (read-only,
    one array per rule: a solver called on many games of one scale builds it once)."""
    rule = np.array((tol, _PROB_TOL, PROB_EPS, STAKE_FLOOR, e0, e1), dtype=np.float64)
    rule.setflags(write=False)
    return rule


@njit(cache=True)
def _prepare_bimatrix(P):
    """Rescale ``P[0]`` and ``P[1]`` (shape ``(2, m, n)``) each onto ``[1, 2]``; also return the payoff spread.

    The spread is ``P.max() - P.min()`` (1.0 for a constant game), the scale
    of :func:`coop.solvers.nash.results.regret_tolerance`.
    """
    m = P.shape[1]
    n = P.shape[2]
    A = np.empty((m, n))
    B = np.empty((m, n))
    lo_all = np.inf
    hi_all = -np.inf
    for k in range(2):
        out = A if k == 0 else B
        lo = np.inf
        hi = -np.inf
        for i in range(m):
            for j in range(n):
                v = P[k, i, j]
                lo = min(lo, v)
                hi = max(hi, v)
        lo_all = min(lo_all, lo)
        hi_all = max(hi_all, hi)
        spread = hi - lo
        for i in range(m):
            for j in range(n):
                out[i, j] = 1.0 + (P[k, i, j] - lo) / spread if spread > 0.0 else 1.0
    total = hi_all - lo_all
    return A, B, total if total > 0.0 else 1.0


def positive_bimatrix(game: NormalFormGame) -> tuple[np.ndarray, np.ndarray]:
    """The row player's and column player's matrices, each mapped affinely onto ``[1, 2]``.

    A constant matrix becomes all ones. Both results are C-contiguous float64
    arrays of shape ``(m, n)``. Built from the unit payoffs, so no entry can overflow.
    """
    out = []
    for i in range(2):
        u = game.unit_payoffs[i]
        lo = float(u.min())
        spread = float(u.max()) - lo
        if spread > 0.0:
            out.append(np.ascontiguousarray(1.0 + (u - lo) / spread))
        else:
            out.append(np.ones_like(u))
    return out[0], out[1]


# ---------------------------------------------------------------------------- hash sets of bit sets
@njit(cache=True)
def _hash_words(key):
    """Hash of a row of int64 words (splitmix64 finaliser per word), as a non-negative int64."""
    h = np.uint64(0x9E3779B97F4A7C15)
    for w in range(key.shape[0]):
        z = h ^ np.uint64(key[w])
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        h = z ^ (z >> np.uint64(31))
    return np.int64(h >> np.uint64(1))


@njit(cache=True)
def _table_slot(keys, used, key):
    """The slot holding ``key``, or the empty slot where it belongs (capacity is a power of two)."""
    cap = used.shape[0]
    width = key.shape[0]
    i = _hash_words(key) & (cap - 1)
    while used[i]:
        same = True
        for w in range(width):
            if keys[i, w] != key[w]:
                same = False
                break
        if same:
            return i
        i = (i + 1) & (cap - 1)
    return i


@njit(cache=True)
def _table_grow(keys, used, vals):
    """Double a table's capacity, rehashing its keys (``vals`` travel with them)."""
    cap = used.shape[0]
    width = keys.shape[1]
    new_keys = np.zeros((2 * cap, width), dtype=np.int64)
    new_used = np.zeros(2 * cap, dtype=np.bool_)
    new_vals = np.zeros(2 * cap, dtype=np.int64)
    for i in range(cap):
        if used[i]:
            s = _table_slot(new_keys, new_used, keys[i])
            new_used[s] = True
            new_keys[s, :] = keys[i]
            new_vals[s] = vals[i]
    return new_keys, new_used, new_vals


@njit(cache=True)
def _new_table(width, cap):
    return (
        np.zeros((cap, width), dtype=np.int64),
        np.zeros(cap, dtype=np.bool_),
        np.zeros(cap, dtype=np.int64),
    )


# ---------------------------------------------------------------------------- verification
@njit(cache=True)
def _is_probability(vec, prob_tol):
    total = 0.0
    for a in range(vec.shape[0]):
        v = vec[a]
        if not np.isfinite(v) or v < -prob_tol:
            return False
        total += v
    return abs(total - 1.0) <= prob_tol * max(1, vec.shape[0])


@njit(cache=True)
def _clean_into(vec, out, prob_eps):
    total = 0.0
    for a in range(vec.shape[0]):
        v = vec[a]
        if abs(v) < prob_eps:
            v = 0.0
        out[a] = v
        total += v
    if total > 0.0:
        for a in range(vec.shape[0]):
            out[a] /= total


@njit(cache=True, inline="always")
def _relative(regret, stake):
    if stake > 0.0:
        return regret / stake
    return np.inf if regret > 0.0 else 0.0


@njit(cache=True, inline="always")
def verify_profile(A, B, x, y, xc, yc, rule, pay):
    """Check one profile ``(x, y)`` of the bimatrix game with unit payoffs ``(A, B)``: every 2-player solver's rule.

    ``rule`` is the array of :func:`verify_rule`. Both vectors must be probability vectors (finite, entries
    ``>= -prob_tol``, sums within ``prob_tol`` times their length of one); they are then cleaned into ``xc``,
    ``yc`` (entries below ``prob_eps`` in magnitude zeroed, renormalised; ``xc`` may be ``x`` itself). Each
    player's regret must be at most ``tol`` times their stake: the spread of their payoffs over
    all own actions against the other's support, at least ``floor`` times the largest magnitude
    among them (:mod:`coop.solvers.shared.tolerances`). ``A`` and ``B`` are the unit payoffs; the two
    expected payoffs go to ``pay[0]``, ``pay[1]`` in payoff units (scaled back by ``2**e``). Returns a
    :class:`ProfileCheck` ``(status, regret, relative)``: status 0 kept, 1 rejected; the larger regret
    in payoff units (``inf`` off the simplex) and the larger regret-to-stake ratio.
    """
    tol, prob_tol, prob_eps, floor = rule[0], rule[1], rule[2], rule[3]
    e0, e1 = int(rule[4]), int(rule[5])
    if not (_is_probability(x, prob_tol) and _is_probability(y, prob_tol)):
        return ProfileCheck(1, np.inf, np.inf)
    _clean_into(x, xc, prob_eps)
    _clean_into(y, yc, prob_eps)
    m = xc.shape[0]
    n = yc.shape[0]
    best0 = -np.inf
    u0 = 0.0
    lo0 = np.inf
    hi0 = -np.inf
    for i in range(m):
        v = 0.0
        for j in range(n):
            v += A[i, j] * yc[j]
            if yc[j] > 0.0:
                lo0 = min(lo0, A[i, j])
                hi0 = max(hi0, A[i, j])
        if v > best0:
            best0 = v
        u0 += xc[i] * v
    best1 = -np.inf
    u1 = 0.0
    lo1 = np.inf
    hi1 = -np.inf
    for j in range(n):
        v = 0.0
        for i in range(m):
            v += B[i, j] * xc[i]
            if xc[i] > 0.0:
                lo1 = min(lo1, B[i, j])
                hi1 = max(hi1, B[i, j])
        if v > best1:
            best1 = v
        u1 += yc[j] * v
    r0 = max(best0 - u0, 0.0)
    r1 = max(best1 - u1, 0.0)
    stake0 = max(hi0 - lo0, floor * max(abs(hi0), abs(lo0)))
    stake1 = max(hi1 - lo1, floor * max(abs(hi1), abs(lo1)))
    pay[0] = math.ldexp(u0, e0)
    pay[1] = math.ldexp(u1, e1)
    regret = max(math.ldexp(r0, e0), math.ldexp(r1, e1))
    relative = max(_relative(r0, stake0), _relative(r1, stake1))
    ok = r0 <= tol * stake0 and r1 <= tol * stake1
    return ProfileCheck(0 if ok else 1, regret, relative)


@njit(cache=True)
def _verify_bimatrix_kernel(A, B, X, Y, rule, dedupe_tol):
    """Clean and check candidate profiles ``(X[k], Y[k])`` of the bimatrix game with unit payoffs ``(A, B)``.

    Returns cleaned copies of ``X`` and ``Y``, the payoffs ``(k, 2)``, the max regrets and the
    regret-to-stake ratios ``(k,)`` and a status per candidate: 0 kept, 1 rejected (off the
    simplex or regret above the tolerance), 2 duplicate of an earlier kept one.
    """
    k, m = X.shape
    n = Y.shape[1]
    Xc = np.zeros((k, m))
    Yc = np.zeros((k, n))
    pay = np.zeros((k, 2))
    reg = np.zeros(k)
    rel = np.zeros(k)
    status = np.zeros(k, dtype=np.int64)
    for c in range(k):
        st, r, q = verify_profile(A, B, X[c], Y[c], Xc[c], Yc[c], rule, pay[c])
        if st != 0 and r == np.inf:  # off the simplex: nothing cleaned or measured
            status[c] = 1
            continue
        reg[c] = r
        rel[c] = q
        if st != 0:
            status[c] = 1
            continue
        for d in range(c):
            if status[d] != 0:
                continue
            diff = 0.0
            for i in range(m):
                diff = max(diff, abs(Xc[c, i] - Xc[d, i]))
            for j in range(n):
                diff = max(diff, abs(Yc[c, j] - Yc[d, j]))
            if diff <= dedupe_tol:
                status[c] = 2
                break
    return Xc, Yc, pay, reg, rel, status


@njit(cache=True)
def verified_in_order(A, B, X, Y, rule):
    """:func:`_verify_bimatrix_kernel` with coop's rules, then the kept profiles in reporting order.

    ``A``, ``B`` are the unit payoffs and ``rule`` the array of :func:`verify_rule`. Returns ``(X, Y, payoffs,
    regrets, relative regrets)`` of the kept profiles, ordered by
    :func:`coop.solvers.shared.ordering.canonical_order_kernel`, and the number rejected.
    """
    Xc, Yc, pay, reg, rel, status = _verify_bimatrix_kernel(A, B, X, Y, rule, _DEDUPE_TOL)
    m = Xc.shape[1]
    n = Yc.shape[1]
    rejected = 0
    kept = 0
    for c in range(len(status)):
        if status[c] == 1:
            rejected += 1
        elif status[c] == 0:
            kept += 1
    idx = np.empty(kept, dtype=np.int64)
    flat = np.empty((kept, m + n))
    pure = np.empty(kept, dtype=np.bool_)
    r = 0
    for c in range(len(status)):
        if status[c] != 0:
            continue
        idx[r] = c
        sx = 0
        sy = 0
        for i in range(m):
            flat[r, i] = Xc[c, i]
            sx += Xc[c, i] > PROB_EPS
        for j in range(n):
            flat[r, m + j] = Yc[c, j]
            sy += Yc[c, j] > PROB_EPS
        pure[r] = sx == 1 and sy == 1
        r += 1
    order = idx[canonical_order_kernel(flat, pure)]
    return Xc[order], Yc[order], pay[order], reg[order], rel[order], rejected


def bimatrix_equilibria(
    X: np.ndarray, Y: np.ndarray, pay: np.ndarray, reg: np.ndarray, rel: np.ndarray
) -> tuple[Equilibrium, ...]:
    """Equilibrium objects over read-only row views of the kept profiles of :func:`verified_in_order`."""
    for arr in (X, Y, pay):
        arr.setflags(write=False)  # and so every row view below
    return tuple(Equilibrium((X[c], Y[c]), pay[c], float(reg[c]), float(rel[c])) for c in range(len(reg)))


def verified_bimatrix_equilibria(
    game: NormalFormGame, X: np.ndarray, Y: np.ndarray, tol: float
) -> tuple[tuple[Equilibrium, ...], int]:
    """Keep the candidate profiles ``(X[k], Y[k])`` that are Nash equilibria of the 2-player ``game``.

    Same rules and order as :func:`coop.solvers.nash.results.verified_equilibria`
    (see the module docstring; ``tol`` is relative); returns the equilibria and the number rejected.
    """
    U = game.unit_payoffs
    m = U.shape[1]
    n = U.shape[2]
    if X.ndim != 2 or X.dtype != np.float64 or not X.flags.c_contiguous:
        X = np.ascontiguousarray(np.asarray(X, dtype=np.float64).reshape(-1, m))
    if Y.ndim != 2 or Y.dtype != np.float64 or not Y.flags.c_contiguous:
        Y = np.ascontiguousarray(np.asarray(Y, dtype=np.float64).reshape(-1, n))
    Xk, Yk, pay, reg, rel, rejected = verified_in_order(U[0], U[1], X, Y, verify_rule(game, tol))
    return bimatrix_equilibria(Xk, Yk, pay, reg, rel), int(rejected)


def check_two_player(game: object, method: str) -> None:
    """Raise :class:`~coop.errors.InputError` unless ``game`` is a 2-player :class:`NormalFormGame`."""
    from coop.errors import InputError

    if not isinstance(game, NormalFormGame):
        raise InputError(f"{method} needs a NormalFormGame, got {type(game).__name__}")
    if game.num_players != 2:
        raise InputError(f"{method} solves 2-player games; this game has {game.num_players} players")
