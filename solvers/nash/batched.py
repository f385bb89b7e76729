r"""Many small games of one shape solved along a batch axis in one compiled call.

A sweep over a small scenario solves the same stage game at thousands of
parameter points; one :func:`~coop.solvers.nash.solve.solve_game` call per
point spends most of its time in Python. The functions here take the payoffs
of all points at once, an array of shape ``(P, N, a_1, ..., a_N)`` (point
``p`` is the game ``payoffs[p]`` in coop's convention), and loop over the
points inside one Numba kernel.

- :func:`batched_pure_equilibria`: every pure equilibrium of games of any
  shape, as a boolean mask over the profiles of each point.
- :func:`batched_equilibria_2x2` and :func:`batched_equilibria_2x2x2`: every
  Nash equilibrium, pure and mixed, of 2x2 and 2x2x2 games, in closed form.

With two actions each, player :math:`i`'s incentive to play its first action
rather than its second, :math:`D_i = u_i(0, x_{-i}) - u_i(1, x_{-i})`, is
multilinear in the others' probabilities :math:`x_j` of their first action.
A pure profile is an equilibrium when every :math:`D_i` has the sign of the
action played. When a player mixes, its :math:`D_i` vanishes: for two mixing
players against a pure third one that is one linear equation per mixing
player; for three mixing players it is the system

.. math:: E_0(x_1, x_2) = 0, \qquad E_1(x_0, x_2) = 0, \qquad E_2(x_0, x_1) = 0

of bilinear equations. For fixed :math:`x_1`, :math:`E_0` is linear in
:math:`x_2` and :math:`E_2` linear in :math:`x_0`; substituting both into
:math:`E_1` and clearing denominators leaves a quadratic in :math:`x_1`
(McKelvey and McLennan 1997: a 2x2x2 game has at most two totally mixed
equilibria). Its roots, and the values of :math:`x_1` where a denominator
vanishes, are resolved case by case, polished by Newton's method on the full
system and kept when they lie inside the cube.

Degeneracy is detected, never guessed
-------------------------------------
The closed forms are exact for *nondegenerate* games, where every equilibrium
is isolated and no unused action is a best reply. A point is **flagged**
(``degenerate[p]`` true, ``count[p] = 0``, no equilibria listed) when the
kernel cannot certify that with a margin. With ``tie = max(degeneracy_tol *
spread, tol)`` (``spread`` the point's payoff spread, ``max - min``):

- 2x2: some player's two actions are within ``tie`` of each other against a
  pure action of the other player (exactly the games whose best-response
  polytopes vertex enumeration finds degenerate, with a margin).
- 2x2x2: a tie that can matter: a player within ``tie`` of indifferent
  against a pure profile of the others while both others' actions are best
  replies (within ``tie``) somewhere along that player's mixtures; two
  players indifferent along a whole edge of mixtures while the third
  player's action is a best reply somewhere on it; the third player within
  ``tie`` of indifferent at a two-player mixed candidate. Ties that support
  no equilibrium are answered, as the polynomial solver answers them.
- Any candidate whose probabilities lie within ``degeneracy_tol`` of 0 or 1
  (inside or just outside the simplex), a totally mixed solution whose
  Jacobian has a 1-norm condition number above ``1 / degeneracy_tol``, a
  near-double root, a continuum of totally mixed solutions.
- A candidate that fails verification, two equilibria within ``1e-7`` of
  each other, or an even number of equilibria (a nondegenerate game has an
  odd number, Wilson 1971).

Everything listed for an unflagged point is verified as a single solver
verifies it: probability vectors, regret at most the tolerance (by default
``1e-9`` times the payoff spread, as :func:`coop.solvers.nash.results.regret_tolerance`),
no two profiles within ``1e-7`` of each other, in coop's reporting order
(pure profiles first, then by probabilities in reading order, larger weight on
earlier actions first, :func:`coop.solvers.nash.results.canonical_order`). For
an unflagged point the list is every Nash equilibrium of the game, and it is
the list :func:`~coop.solvers.nash.solve.solve_game` reports with
``method="vertex"`` (2x2) or ``method="polynomial"`` (2x2x2), to rounding.
Callers solve the flagged points one at a time with the single-game solver
(:meth:`BatchedEquilibria.flagged` lists them).

References
----------
McKelvey, R. D. and McLennan, A. (1997). The maximal number of regular totally mixed Nash equilibria.
*Journal of Economic Theory* 72, 411-425.

Wilson, R. (1971). Computing equilibria of N-person games. *SIAM Journal on Applied Mathematics* 21, 80-87.
"""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.solvers.nash.results import Equilibrium
from coop.solvers.shared.jit import njit
from coop.solvers.shared.tolerances import PROB_EPS, REGRET_TOL

#: Default relative margin of the degeneracy checks (payoff ties, distance to the simplex boundary).
DEGENERACY_TOL = 1e-6
#: Most equilibria of a nondegenerate 2x2 game: two pure and one mixed.
MAX_EQUILIBRIA_2X2 = 3
#: Slots per point for 2x2x2 games: at most 4 pure, 6 with two players mixing, 2 totally mixed.
MAX_EQUILIBRIA_2X2X2 = 12
#: Profiles whose probabilities all differ by at most this are the same equilibrium.
_DEDUPE_TOL = 1e-7
#: Coefficients (on payoffs divided by the spread) at most this are structurally zero.
_ZERO = 1e-12
#: A candidate first coordinate is resolved when within this of the unit interval (Newton then polishes it).
_REACH = 0.05

#: Options of the equilibrium kernels: absolute regret tolerance (used unless ``default_tol``), whether to use
#: ``REGRET_TOL`` times each point's payoff spread instead, and the relative degeneracy margin.
BatchOptions = namedtuple("BatchOptions", ["tol", "default_tol", "deg_tol"])
#: The outputs the equilibrium kernels fill, per point ``p`` and slot ``k``: ``strategies`` ``(P, K, N, 2)``,
#: ``payoffs`` ``(P, K, N)``, ``regret`` ``(P, K)``, ``pure`` ``(P, K)``, ``count`` ``(P,)``, ``degenerate``
#: ``(P,)``, ``tols`` ``(P,)`` (the regret tolerance used) and ``rejected`` ``(P,)`` (candidates that failed
#: verification).
BatchOut = namedtuple("BatchOut", ["strategies", "payoffs", "regret", "pure", "count", "degenerate", "tols",
                                   "rejected"])
#: Scratch of one point: candidate probabilities of each player's first action ``x`` ``(C, N)``, whether each is
#: pure, the point's incentive table ``D`` ``(N, 2, 2)`` and the coefficients ``coef`` ``(N, 4)`` of its bilinear
#: forms.
Scratch = namedtuple("Scratch", ["x", "pure", "D", "coef"])


# ============================================================================ shared pieces
@njit(cache=True)
def _spread(u):
    """``max - min`` of the flat array ``u`` (1.0 when constant), the scale of the default tolerance."""
    lo = u[0]
    hi = u[0]
    for t in range(1, u.shape[0]):
        v = u[t]
        lo = min(lo, v)
        hi = max(hi, v)
    s = hi - lo
    return s if s > 0.0 else 1.0


@njit(cache=True)
def _comes_before(a, b, x, pure):
    """Whether candidate ``a`` is reported before ``b``: the rule of
    :func:`coop.solvers.shared.ordering.canonical_order_kernel` on the strategies ``(x, 1 - x)``."""
    if pure[a] != pure[b]:
        return pure[a]
    for i in range(x.shape[1]):
        for k in range(2):
            va = np.round(x[a, i] if k == 0 else 1.0 - x[a, i], 9)
            vb = np.round(x[b, i] if k == 0 else 1.0 - x[b, i], 9)
            if va != vb:
                return va > vb
    return False


@njit(cache=True)
def _profile_check(u, x, vals):
    """Each player's value of both actions against the others' mixes ``x`` (first-action probabilities).

    ``u`` is one point's payoffs ``(N, 2, ..., 2)`` flattened to ``(N, 2**N)``; fills ``vals`` ``(N, 2)`` and
    returns the largest regret.
    """
    n = x.shape[0]
    total = u.shape[1]
    for i in range(n):
        vals[i, 0] = 0.0
        vals[i, 1] = 0.0
    for f in range(total):
        # probability of the others' part of profile f, per player: the product over j != i
        for i in range(n):
            w = 1.0
            for j in range(n):
                if j == i:
                    continue
                a = (f >> (n - 1 - j)) & 1
                w *= x[j] if a == 0 else 1.0 - x[j]
            a_i = (f >> (n - 1 - i)) & 1
            vals[i, a_i] += w * u[i, f]
    worst = 0.0
    for i in range(n):
        own = x[i] * vals[i, 0] + (1.0 - x[i]) * vals[i, 1]
        worst = max(worst, max(vals[i, 0], vals[i, 1]) - own)
    return worst


@njit(cache=True)
def _finish_point(u, n_cand, scratch, tol, out, p):
    """Verify, deduplicate, order and store the candidates ``scratch.x[:n_cand]`` of point ``p``.

    A candidate off the simplex or with regret above ``tol`` is counted in ``out.rejected`` and flags the
    point, as does a near-duplicate or an even count. Returns nothing; ``out.count[p]`` is 0 for a flagged point.
    """
    x, pure = scratch.x, scratch.pure
    n = x.shape[1]
    K = out.regret.shape[1]
    vals = np.empty((n, 2))
    order = np.empty(n_cand, np.int64)
    kept = 0
    for c in range(n_cand):
        ok = True
        for i in range(n):
            v = x[c, i]
            if not (v >= 0.0 and v <= 1.0):  # also catches NaN
                ok = False
        if not ok:
            out.rejected[p] += 1
            continue
        for i in range(n):  # the cleaning of coop.solvers.nash.results.make_equilibrium
            if abs(x[c, i]) < PROB_EPS:
                x[c, i] = 0.0
            elif abs(1.0 - x[c, i]) < PROB_EPS:
                x[c, i] = 1.0
        reg = _profile_check(u, x[c], vals)
        if reg > tol:
            out.rejected[p] += 1
            continue
        for d in range(kept):
            diff = 0.0
            for i in range(n):
                diff = max(diff, abs(x[c, i] - x[order[d], i]))
            if diff <= _DEDUPE_TOL:
                out.degenerate[p] = True
        order[kept] = c
        kept += 1
    if out.rejected[p] > 0 or kept % 2 == 0 or kept > K:
        out.degenerate[p] = True
    if out.degenerate[p]:
        out.count[p] = 0
        return
    # insertion sort into reporting order (stable)
    for a in range(1, kept):
        cur = order[a]
        b = a - 1
        while b >= 0 and _comes_before(cur, order[b], x, pure):
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = cur
    for k in range(kept):
        c = order[k]
        out.regret[p, k] = _profile_check(u, x[c], vals)
        for i in range(n):
            out.strategies[p, k, i, 0] = x[c, i]
            out.strategies[p, k, i, 1] = 1.0 - x[c, i]
            out.payoffs[p, k, i] = x[c, i] * vals[i, 0] + (1.0 - x[c, i]) * vals[i, 1]
        out.pure[p, k] = pure[c]
    out.count[p] = kept


@njit(cache=True)
def _point_tolerances(u, opts):
    """The regret tolerance of one point and the tie margin (both absolute), and its payoff spread."""
    s = _spread(u.ravel())
    tol = REGRET_TOL * s if opts.default_tol else opts.tol
    return tol, max(opts.deg_tol * s, tol), s


# ============================================================================ 2x2
@njit(cache=True)
def _solve_2x2(P, p, opts, scratch, out):
    """Every equilibrium of the 2x2 game ``P[p]`` (``(2, 2, 2)``), or the degeneracy flag."""
    u = P[p]
    tol, tie, s = _point_tolerances(u, opts)
    out.tols[p] = tol
    # D[0, j]: the row player's gain from its first action when the column player plays j; D[1, i] likewise
    D = scratch.D
    for j in range(2):
        D[0, 0, j] = u[0, 0, j] - u[0, 1, j]
        D[1, 0, j] = u[1, j, 0] - u[1, j, 1]
    for i in range(2):
        for j in range(2):
            if abs(D[i, 0, j]) <= tie:
                out.degenerate[p] = True
                return
    x = scratch.x
    pure = scratch.pure
    n = 0
    for a in range(2):
        for b in range(2):
            if (D[0, 0, b] > 0.0) == (a == 0) and (D[1, 0, a] > 0.0) == (b == 0):
                x[n, 0] = 1.0 - a
                x[n, 1] = 1.0 - b
                pure[n] = True
                n += 1
    if D[0, 0, 0] * D[0, 0, 1] < 0.0 and D[1, 0, 0] * D[1, 0, 1] < 0.0:
        y = D[0, 0, 1] / (D[0, 0, 1] - D[0, 0, 0])  # makes the row player indifferent
        z = D[1, 0, 1] / (D[1, 0, 1] - D[1, 0, 0])  # makes the column player indifferent
        m = opts.deg_tol
        if min(y, z) <= m or max(y, z) >= 1.0 - m:
            out.degenerate[p] = True
            return
        x[n, 0] = z
        x[n, 1] = y
        pure[n] = False
        n += 1
    _finish_point(u.reshape(2, 4), n, scratch, tol, out, p)


@njit(cache=True)
def _equilibria_2x2_kernel(P, opts, out):
    """Every equilibrium of each 2x2 game ``P[p]`` (``P`` is ``(points, 2, 2, 2)``), into :class:`BatchOut`."""
    scratch = Scratch(np.empty((4, 2)), np.empty(4, np.bool_), np.empty((2, 1, 2)), np.empty((2, 4)))
    for p in range(P.shape[0]):
        _solve_2x2(P, p, opts, scratch, out)


# ============================================================================ 2x2x2
@njit(cache=True)
def _d(D, i, j, aj, k, ak):
    """Player ``i``'s incentive when player ``j`` plays ``aj`` and player ``k`` plays ``ak`` (``{i, j, k}`` all)."""
    return D[i, aj, ak] if j < k else D[i, ak, aj]


@njit(cache=True)
def _bilinear(f00, f01, f10, f11, s, t):
    """``f`` at first-action probabilities ``s`` (lower player) and ``t`` (higher player)."""
    return s * (t * f00 + (1.0 - t) * f01) + (1.0 - s) * (t * f10 + (1.0 - t) * f11)


@njit(cache=True)
def _residuals(c, x, F):
    """``E_0(x_1, x_2)``, ``E_1(x_0, x_2)``, ``E_2(x_0, x_1)`` into ``F``; coefficients ``c[i] = (al, be, ga, de)``
    of ``E_i = al + be * s + ga * t + de * s * t`` (``s``, ``t`` the lower and higher other player)."""
    F[0] = c[0, 0] + c[0, 1] * x[1] + c[0, 2] * x[2] + c[0, 3] * x[1] * x[2]
    F[1] = c[1, 0] + c[1, 1] * x[0] + c[1, 2] * x[2] + c[1, 3] * x[0] * x[2]
    F[2] = c[2, 0] + c[2, 1] * x[0] + c[2, 2] * x[1] + c[2, 3] * x[0] * x[1]


@njit(cache=True)
def _polish(c, x, deg_tol):
    """Newton's method on the totally mixed system from ``x`` (in place); returns a status.

    0: a regular root strictly inside the cube (by more than ``deg_tol``); 1: a root outside the cube;
    2: flag the point (a root within ``deg_tol`` of a face, an ill-conditioned Jacobian, or no convergence
    near the cube).
    """
    F = np.empty(3)
    cond = np.inf
    for it in range(8):
        _residuals(c, x, F)
        a = c[0, 1] + c[0, 3] * x[2]  # dE0/dx1
        b = c[0, 2] + c[0, 3] * x[1]  # dE0/dx2
        cc = c[1, 1] + c[1, 3] * x[2]  # dE1/dx0
        d = c[1, 2] + c[1, 3] * x[0]  # dE1/dx2
        e = c[2, 1] + c[2, 3] * x[1]  # dE2/dx0
        f = c[2, 2] + c[2, 3] * x[0]  # dE2/dx1
        det = a * d * e + b * cc * f
        # adjugate of [[0, a, b], [cc, 0, d], [e, f, 0]]
        i00, i01, i02 = -d * f, b * f, a * d
        i10, i11, i12 = d * e, -b * e, b * cc
        i20, i21, i22 = cc * f, a * e, -a * cc
        norm = max(abs(cc) + abs(e), max(abs(a) + abs(f), abs(b) + abs(d)))
        inorm = max(abs(i00) + abs(i10) + abs(i20), max(abs(i01) + abs(i11) + abs(i21),
                                                       abs(i02) + abs(i12) + abs(i22)))
        if det == 0.0 or not np.isfinite(det):
            cond = np.inf
            break
        cond = norm * inorm / abs(det)
        s0 = (i00 * F[0] + i01 * F[1] + i02 * F[2]) / det
        s1 = (i10 * F[0] + i11 * F[1] + i12 * F[2]) / det
        s2 = (i20 * F[0] + i21 * F[1] + i22 * F[2]) / det
        x[0] -= s0
        x[1] -= s1
        x[2] -= s2
        if max(abs(s0), max(abs(s1), abs(s2))) <= 1e-15 and it >= 1:
            break
    _residuals(c, x, F)
    res = max(abs(F[0]), max(abs(F[1]), abs(F[2])))
    lo = min(x[0], min(x[1], x[2]))
    hi = max(x[0], max(x[1], x[2]))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return 1 if cond < np.inf else 2
    if lo < -deg_tol or hi > 1.0 + deg_tol:
        return 1 if res <= 1e-9 or lo < -_REACH or hi > 1.0 + _REACH else 2
    if lo <= deg_tol or hi >= 1.0 - deg_tol:
        return 2
    if res > 1e-12 or not cond <= 1.0 / deg_tol:
        return 2
    return 0


@njit(cache=True)
def _linear_root(c0, c1):
    """Status and root of ``c0 + c1 t = 0``: 0 one root, 1 none, 2 every ``t``."""
    if abs(c1) > _ZERO:
        return 0, -c0 / c1
    if abs(c0) > _ZERO:
        return 1, 0.0
    return 2, 0.0


@njit(cache=True)
def _resolve_x1(c, x1, deg_tol, x, n):
    """Complete a candidate first-action probability ``x1`` of player 1 to totally mixed roots.

    Appends regular roots inside the cube to ``x`` (rows ``n`` on) and returns the new
    count, or -1 to flag the point (a continuum, or a root on a face of the cube).
    """
    # E2 = ca + cb x0, E0 = ea + eb x2 at this x1
    s0, x0 = _linear_root(c[2, 0] + c[2, 2] * x1, c[2, 1] + c[2, 3] * x1)
    s2, x2 = _linear_root(c[0, 0] + c[0, 1] * x1, c[0, 2] + c[0, 3] * x1)
    if s0 == 1 or s2 == 1:
        return n
    inside = -deg_tol <= x1 <= 1.0 + deg_tol
    if s0 == 2 and s2 == 2:
        return -1 if inside else n
    if s0 == 2:  # E1 linear in x0 at x2
        s0, x0 = _linear_root(c[1, 0] + c[1, 2] * x2, c[1, 1] + c[1, 3] * x2)
    elif s2 == 2:  # E1 linear in x2 at x0
        s2, x2 = _linear_root(c[1, 0] + c[1, 1] * x0, c[1, 2] + c[1, 3] * x0)
    if s0 == 2 or s2 == 2:
        return -1 if inside else n
    if s0 == 1 or s2 == 1:
        return n
    y = np.empty(3)
    y[0] = x0
    y[1] = x1
    y[2] = x2
    if abs(y[0] - 0.5) > 0.5 + _REACH or abs(y[2] - 0.5) > 0.5 + _REACH:
        # far outside: Newton is not needed to discard it, unless E1 is not met (not a root at all)
        return n
    status = _polish(c, y, deg_tol)
    if status == 2:
        return -1
    if status == 1:
        return n
    for r in range(n):
        if max(abs(x[r, 0] - y[0]), max(abs(x[r, 1] - y[1]), abs(x[r, 2] - y[2]))) <= 1e-9:
            return n  # the same root reached from two candidate values of x1
    x[n, 0] = y[0]
    x[n, 1] = y[1]
    x[n, 2] = y[2]
    return n + 1


@njit(cache=True)
def _totally_mixed(c, deg_tol, roots):
    """The regular totally mixed roots of the system with coefficients ``c`` into ``roots``; -1 flags the point."""
    # x0 = -ca / cb from E2, x2 = -ea / eb from E0; E1 * cb * eb is a quadratic in x1
    ca0, ca1 = c[2, 0], c[2, 2]
    cb0, cb1 = c[2, 1], c[2, 3]
    ea0, ea1 = c[0, 0], c[0, 1]
    eb0, eb1 = c[0, 2], c[0, 3]
    al, be, ga, de = c[1, 0], c[1, 1], c[1, 2], c[1, 3]
    q0 = al * cb0 * eb0 - be * ca0 * eb0 - ga * cb0 * ea0 + de * ca0 * ea0
    q1 = (al * (cb0 * eb1 + cb1 * eb0) - be * (ca0 * eb1 + ca1 * eb0)
          - ga * (cb0 * ea1 + cb1 * ea0) + de * (ca0 * ea1 + ca1 * ea0))
    q2 = al * cb1 * eb1 - be * ca1 * eb1 - ga * cb1 * ea1 + de * ca1 * ea1
    cand = np.empty(6)
    nc = 0
    eb_zero = abs(eb0) <= _ZERO and abs(eb1) <= _ZERO
    cb_zero = abs(cb0) <= _ZERO and abs(cb1) <= _ZERO
    if eb_zero or cb_zero:
        # E0 does not involve x2 (or E2 not x0): it fixes x1 by itself
        st, t = _linear_root(ea0, ea1) if eb_zero else _linear_root(ca0, ca1)
        if st == 2:
            return -1
        if st == 0:
            cand[nc] = t
            nc += 1
    else:
        big = max(abs(q0), max(abs(q1), abs(q2)))
        if big <= _ZERO:
            return -1  # E1 holds along the whole curve: a continuum (or none in the cube)
        if abs(q2) > _ZERO * big:
            disc = q1 * q1 - 4.0 * q2 * q0
            scale = q1 * q1 + 4.0 * abs(q2 * q0)
            if disc < 0.0:
                if disc >= -1e-10 * scale and -_REACH <= -q1 / (2.0 * q2) <= 1.0 + _REACH:
                    return -1  # a double root, or two that rounding made complex
            else:
                r = math.sqrt(disc)
                t = -0.5 * (q1 + (r if q1 >= 0.0 else -r))
                if t != 0.0:
                    cand[nc] = t / q2
                    cand[nc + 1] = q0 / t
                    nc += 2
                else:
                    cand[nc] = 0.0
                    nc += 1
        elif abs(q1) > _ZERO * big:
            cand[nc] = -q0 / q1
            nc += 1
        # where a denominator vanishes, E0 (or E2) may hold for every x2 (x0)
        if abs(eb1) > _ZERO:
            cand[nc] = -eb0 / eb1
            nc += 1
        if abs(cb1) > _ZERO:
            cand[nc] = -cb0 / cb1
            nc += 1
    n = 0
    for k in range(nc):
        x1 = cand[k]
        if not (-_REACH <= x1 <= 1.0 + _REACH):
            continue
        n = _resolve_x1(c, x1, deg_tol, roots, n)
        if n < 0:
            return -1
    return n


@njit(cache=True)
def _edge_root(d0, d1, tie):
    """Where ``x d0 + (1 - x) d1`` vanishes on ``[0, 1]``: status and root.

    0: one root strictly inside; 1: none; 2: both ends within ``tie`` of zero (a continuum, nearly);
    3: one end within ``tie`` of zero (a root on the boundary, returned).
    """
    t0 = abs(d0) <= tie
    t1 = abs(d1) <= tie
    if t0 and t1:
        return 2, 0.5
    if t0:
        return 3, 1.0
    if t1:
        return 3, 0.0
    if d0 * d1 < 0.0:
        return 0, d1 / (d1 - d0)
    return 1, 0.0


@njit(cache=True)
def _weak_interval(d0, d1, act, tie, lo, hi):
    """``[lo, hi]`` cut to the ``x`` where ``act`` is a best reply within ``tie``: the incentive
    ``x d0 + (1 - x) d1`` is ``>= -tie`` for ``act = 0`` and ``<= tie`` for ``act = 1`` (empty when ``lo > hi``)."""
    sign = 1.0 if act == 0 else -1.0
    v0 = sign * d0
    v1 = sign * d1
    if v0 == v1:
        return (lo, hi) if v1 >= -tie else (1.0, 0.0)
    r = (-tie - v1) / (v0 - v1)
    if v0 > v1:
        return max(lo, r), hi
    return lo, min(hi, r)


@njit(cache=True)
def _free_edge_relevant(Dk, sj, xj, si, xi, ak, tie):
    """Whether ``ak`` is a best reply (within ``tie``) of the third player somewhere on a continuum of the
    two-player support: ``x_j`` free when ``sj == 2``, ``x_i`` free when ``si == 2`` (``i < j``; ``Dk`` is the
    third player's incentive table)."""
    f00, f01, f10, f11 = Dk[0, 0], Dk[0, 1], Dk[1, 0], Dk[1, 1]
    if sj == 2 and si == 2:
        sign = 1.0 if ak == 0 else -1.0
        return max(max(sign * f00, sign * f01), max(sign * f10, sign * f11)) >= -tie
    if sj == 2:
        lo, hi = _weak_interval(_bilinear(f00, f01, f10, f11, xi, 1.0), _bilinear(f00, f01, f10, f11, xi, 0.0),
                                ak, tie, 0.0, 1.0)
    else:
        lo, hi = _weak_interval(_bilinear(f00, f01, f10, f11, 1.0, xj), _bilinear(f00, f01, f10, f11, 0.0, xj),
                                ak, tie, 0.0, 1.0)
    return lo <= hi


@njit(cache=True)
def _solve_2x2x2(P, p, opts, scratch, out):
    """Every equilibrium of the 2x2x2 game ``P[p]`` (``(3, 2, 2, 2)``), or the degeneracy flag."""
    u = P[p]
    tol, tie, s = _point_tolerances(u, opts)
    out.tols[p] = tol
    deg = opts.deg_tol
    D = scratch.D  # D[i, s, t]: player i's incentive at the others' actions (lower player s, higher t)
    for a in range(2):
        for b in range(2):
            D[0, a, b] = (u[0, 0, a, b] - u[0, 1, a, b]) / s
            D[1, a, b] = (u[1, a, 0, b] - u[1, a, 1, b]) / s
            D[2, a, b] = (u[2, a, b, 0] - u[2, a, b, 1]) / s
    tie_n = tie / s
    x = scratch.x
    pure = scratch.pure
    n = 0
    # pure profiles, in C order; a tie for some player is decided by that player's one-mixed support below
    for a in range(2):
        for b in range(2):
            for c in range(2):
                d0, d1, d2 = D[0, b, c], D[1, a, c], D[2, a, b]
                if min(abs(d0), min(abs(d1), abs(d2))) <= tie_n:
                    continue
                if (d0 > 0.0) == (a == 0) and (d1 > 0.0) == (b == 0) and (d2 > 0.0) == (c == 0):
                    x[n, 0] = 1.0 - a
                    x[n, 1] = 1.0 - b
                    x[n, 2] = 1.0 - c
                    pure[n] = True
                    n += 1
    # one player indifferent against a pure profile of the others: a continuum of candidates
    for i in range(3):
        j = 1 if i == 0 else 0
        k = 1 if i == 2 else 2
        for aj in range(2):
            for ak in range(2):
                if abs(_d(D, i, j, aj, k, ak)) > tie_n:
                    continue
                lo, hi = _weak_interval(_d(D, j, i, 0, k, ak), _d(D, j, i, 1, k, ak), aj, tie_n, 0.0, 1.0)
                lo, hi = _weak_interval(_d(D, k, i, 0, j, aj), _d(D, k, i, 1, j, aj), ak, tie_n, lo, hi)
                if lo <= hi:
                    out.degenerate[p] = True
                    return
    # two players mix, player k plays ak
    for k in range(3):
        i = 1 if k == 0 else 0
        j = 1 if k == 2 else 2
        for ak in range(2):
            sj, xj = _edge_root(_d(D, i, j, 0, k, ak), _d(D, i, j, 1, k, ak), tie_n)  # player i indifferent
            si, xi = _edge_root(_d(D, j, i, 0, k, ak), _d(D, j, i, 1, k, ak), tie_n)  # player j indifferent
            if sj == 1 or si == 1:
                continue
            if sj == 2 or si == 2:
                # a player indifferent along a whole edge: flag if player k's action can be a best reply there
                if _free_edge_relevant(D[k], sj, xj, si, xi, ak, tie_n):
                    out.degenerate[p] = True
                    return
                continue
            dk = _bilinear(D[k, 0, 0], D[k, 0, 1], D[k, 1, 0], D[k, 1, 1], xi, xj)  # i < j
            if abs(dk) <= tie_n:
                out.degenerate[p] = True
                return
            if (dk > 0.0) == (ak == 0):
                if sj == 3 or si == 3 or min(xi, xj) <= deg or max(xi, xj) >= 1.0 - deg:
                    out.degenerate[p] = True
                    return
                x[n, i] = xi
                x[n, j] = xj
                x[n, k] = 1.0 - ak
                pure[n] = False
                n += 1
    # all three mix: only if every player's incentive changes sign over the cube
    mixes = True
    for i in range(3):
        lo = min(min(D[i, 0, 0], D[i, 0, 1]), min(D[i, 1, 0], D[i, 1, 1]))
        hi = max(max(D[i, 0, 0], D[i, 0, 1]), max(D[i, 1, 0], D[i, 1, 1]))
        if lo > 0.0 or hi < 0.0:
            mixes = False
    if mixes:
        c = scratch.coef
        for i in range(3):
            f00, f01, f10, f11 = D[i, 0, 0], D[i, 0, 1], D[i, 1, 0], D[i, 1, 1]
            c[i, 0] = f11
            c[i, 1] = f01 - f11
            c[i, 2] = f10 - f11
            c[i, 3] = f00 - f01 - f10 + f11
        roots = np.empty((6, 3))
        m = _totally_mixed(c, deg, roots)
        if m < 0:
            out.degenerate[p] = True
            return
        for r in range(m):
            for i in range(3):
                x[n, i] = roots[r, i]
            pure[n] = False
            n += 1
    _finish_point(u.reshape(3, 8), n, scratch, tol, out, p)


@njit(cache=True)
def _equilibria_2x2x2_kernel(P, opts, out):
    """Every equilibrium of each 2x2x2 game ``P[p]`` (``P`` is ``(points, 3, 2, 2, 2)``), into :class:`BatchOut`."""
    scratch = Scratch(np.empty((16, 3)), np.empty(16, np.bool_), np.empty((3, 2, 2)), np.empty((3, 4)))
    for p in range(P.shape[0]):
        _solve_2x2x2(P, p, opts, scratch, out)


# ============================================================================ pure equilibria, any shape
@njit(cache=True)
def _batched_pure_kernel(flat, shape, tol, default_tol, mask, tols):
    """Pure equilibria of each game ``flat[p]`` (``(N, prod(shape))``, C order) into ``mask[p]``; counts returned.

    A profile is kept when every player's payoff is at least its best deviation minus the tolerance, and its
    regret (best deviation minus payoff) is at most the tolerance: the two tests of
    :func:`coop.solvers.nash.pure_nash.pure_nash_equilibria`.
    """
    P = flat.shape[0]
    n = flat.shape[1]
    total = flat.shape[2]
    post = np.empty(n, np.int64)
    acc = 1
    for i in range(n - 1, -1, -1):
        post[i] = acc
        acc *= shape[i]
    counts = np.zeros(P, np.int64)
    for p in range(P):
        u = flat[p]
        t = REGRET_TOL * _spread(u.ravel()) if default_tol else tol
        tols[p] = t
        m = mask[p]
        m[:] = True
        for i in range(n):
            a = shape[i]
            ps = post[i]
            blocks = total // (a * ps)
            for blk in range(blocks):
                for r in range(ps):
                    base = blk * a * ps + r
                    best = u[i, base]
                    for k in range(1, a):
                        best = max(best, u[i, base + k * ps])
                    for k in range(a):
                        f = base + k * ps
                        own = u[i, f]
                        if not (own >= best - t) or best - own > t:
                            m[f] = False
        c = 0
        for f in range(total):
            c += m[f]
        counts[p] = c
    return counts


# ============================================================================ results
@dataclass(frozen=True, eq=False)
class BatchedPure:
    """Every pure Nash equilibrium of each game of a batch.

    Attributes
    ----------
    mask : numpy.ndarray
        ``(P, a_1, ..., a_N)`` bool: ``mask[p][profile]`` is true when ``profile`` is a pure equilibrium of
        point ``p`` (regret at most ``tol[p]``).
    count : numpy.ndarray
        ``(P,)`` int64: pure equilibria per point.
    tol : numpy.ndarray
        ``(P,)``: the absolute regret tolerance used at each point.
    """

    mask: np.ndarray
    count: np.ndarray
    tol: np.ndarray
    method: str = "batched_pure_enumeration"
    guarantee: str = "all_pure"

    @property
    def num_points(self) -> int:
        return int(self.count.shape[0])

    @property
    def shape(self) -> tuple[int, ...]:
        """Actions per player."""
        return tuple(int(a) for a in self.mask.shape[1:])

    def profiles(self, point: int) -> np.ndarray:
        """``(k, N)`` int64 action indices of point ``point``'s pure equilibria, in C order of the profile."""
        return np.argwhere(self.mask[point]).astype(np.int64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "guarantee": self.guarantee,
            "shape": list(self.shape),
            "points": self.num_points,
            "count": self.count.tolist(),
            "tol": self.tol.tolist(),
            "equilibria": [self.profiles(p).tolist() for p in range(self.num_points)],
        }


@dataclass(frozen=True, eq=False)
class BatchedEquilibria:
    """Every Nash equilibrium of each nondegenerate game of a batch; degenerate points flagged.

    Attributes
    ----------
    strategies : numpy.ndarray
        ``(P, K, N, 2)``: slot ``k < count[p]`` holds the ``k``-th equilibrium of point ``p`` (each player's
        probabilities of its two actions); the other slots are NaN.
    payoffs : numpy.ndarray
        ``(P, K, N)``: each player's expected payoff (NaN in unused slots).
    max_regret : numpy.ndarray
        ``(P, K)``: the largest regret of each equilibrium (at most ``tol[p]``; NaN in unused slots).
    pure : numpy.ndarray
        ``(P, K)`` bool: whether the equilibrium is pure.
    count : numpy.ndarray
        ``(P,)`` int64: equilibria listed (0 for a flagged point).
    degenerate : numpy.ndarray
        ``(P,)`` bool: the point was not answered (see the module docstring); solve it with
        :func:`coop.solvers.nash.solve.solve_game`.
    tol : numpy.ndarray
        ``(P,)``: the absolute regret tolerance used at each point.
    rejected : numpy.ndarray
        ``(P,)`` int64: candidates that failed verification (each also flags its point).
    method : str
        ``"batched_2x2"`` or ``"batched_2x2x2"``.
    degeneracy_tol : float
        The relative margin of the degeneracy checks.
    guarantee : str
        ``"all"``: for every unflagged point, every Nash equilibrium (the game is nondegenerate).
    """

    strategies: np.ndarray
    payoffs: np.ndarray
    max_regret: np.ndarray
    pure: np.ndarray
    count: np.ndarray
    degenerate: np.ndarray
    tol: np.ndarray
    rejected: np.ndarray
    method: str
    degeneracy_tol: float
    guarantee: str = "all"

    @property
    def num_points(self) -> int:
        return int(self.count.shape[0])

    @property
    def max_equilibria(self) -> int:
        """``K``, the slots per point."""
        return int(self.strategies.shape[1])

    def flagged(self) -> np.ndarray:
        """Indices of the points to solve one at a time (degenerate or not certified)."""
        return np.flatnonzero(self.degenerate)

    def equilibria(self, point: int) -> tuple[Equilibrium, ...]:
        """Point ``point``'s equilibria as :class:`~coop.solvers.nash.results.Equilibrium` objects.

        Raises
        ------
        InputError
            For a flagged point, which has no answer here.
        """
        if self.degenerate[point]:
            raise InputError(f"point {point} is degenerate (or not certified): solve it with solve_game")
        out = []
        for k in range(int(self.count[point])):
            strategies = tuple(self.strategies[point, k, i].copy() for i in range(self.strategies.shape[2]))
            pay = self.payoffs[point, k].copy()
            for arr in (*strategies, pay):
                arr.setflags(write=False)
            out.append(Equilibrium(strategies, pay, float(self.max_regret[point, k])))
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        points: list[dict[str, Any]] = []
        for p in range(self.num_points):
            if self.degenerate[p]:
                points.append({"degenerate": True, "rejected": int(self.rejected[p]), "tol": float(self.tol[p]),
                               "equilibria": None})
                continue
            points.append({
                "degenerate": False,
                "tol": float(self.tol[p]),
                "equilibria": [
                    {"strategies": self.strategies[p, k].tolist(), "payoffs": self.payoffs[p, k].tolist(),
                     "pure": bool(self.pure[p, k]), "max_regret": float(self.max_regret[p, k])}
                    for k in range(int(self.count[p]))
                ],
            })
        return {
            "method": self.method,
            "guarantee": self.guarantee,
            "degeneracy_tol": self.degeneracy_tol,
            "points": points,
        }


# ============================================================================ wrappers
def _batch_payoffs(payoffs: Any, shape: tuple[int, ...] | None, name: str) -> np.ndarray:
    """``payoffs`` as a C-contiguous float64 array ``(P, N, a_1, ..., a_N)`` of finite numbers."""
    try:
        arr = np.ascontiguousarray(np.asarray(payoffs, dtype=np.float64))
    except (TypeError, ValueError):
        raise InputError(f"{name}: payoffs must be an array of numbers") from None
    if shape is not None:
        want = (len(shape), *shape)
        if arr.ndim != len(want) + 1 or arr.shape[1:] != want:
            raise InputError(f"{name}: payoffs must have shape (P, {', '.join(map(str, want))}), got {arr.shape}")
    elif arr.ndim < 3 or arr.shape[1] != arr.ndim - 2 or min(arr.shape[2:]) < 1:
        raise InputError(f"{name}: payoffs must have shape (P, N, a_1, ..., a_N), got {arr.shape}")
    if arr.shape[0] < 1:
        raise InputError(f"{name}: payoffs hold no points (P = 0)")
    if not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr).reshape(arr.shape[0], -1).all(axis=1))[0])
        raise InputError(f"{name}: payoffs must be finite numbers (point {bad} is not)")
    return arr


def _tol_arg(tol: float | None, name: str) -> tuple[float, bool]:
    if tol is None:
        return 0.0, True
    t = float(tol)
    if not math.isfinite(t) or t < 0.0:
        raise InputError(f"{name}: tol must be a finite number >= 0, got {tol!r}")
    return t, False


def batched_pure_equilibria(payoffs: Any, tol: float | None = None) -> BatchedPure:
    """Every pure Nash equilibrium of many games of one shape, in one compiled call.

    Parameters
    ----------
    payoffs : array-like
        ``(P, N, a_1, ..., a_N)``: ``payoffs[p]`` is point ``p``'s game in coop's convention.
    tol : float, optional
        Absolute regret tolerance for every point; by default each point's own ``1e-9`` times its payoff
        spread (max - min, 1 for a constant game), as :func:`coop.solvers.nash.pure_nash.pure_nash_equilibria`.

    Returns
    -------
    BatchedPure
        The mask equals the single solver's pure equilibria point by point (``guarantee="all_pure"``).

    Examples
    --------
    >>> import numpy as np
    >>> pd = np.array([[[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]]])
    >>> stag = np.array([[[4.0, 0.0], [3.0, 2.0]], [[4.0, 3.0], [0.0, 2.0]]])
    >>> res = batched_pure_equilibria(np.stack([pd, stag]))
    >>> res.count.tolist(), res.profiles(1).tolist()
    ([1, 2], [[0, 0], [1, 1]])
    """
    arr = _batch_payoffs(payoffs, None, "batched_pure_equilibria")
    t, default = _tol_arg(tol, "batched_pure_equilibria")
    P = arr.shape[0]
    shape = np.array(arr.shape[2:], dtype=np.int64)
    total = int(np.prod(shape))
    mask = np.empty((P, total), dtype=np.bool_)
    tols = np.empty(P)
    counts = _batched_pure_kernel(arr.reshape(P, arr.shape[1], total), shape, t, default, mask, tols)
    mask = mask.reshape((P, *arr.shape[2:]))
    for a in (mask, counts, tols):
        a.setflags(write=False)
    return BatchedPure(mask, counts, tols)


def _deg_arg(degeneracy_tol: float, name: str) -> float:
    d = float(degeneracy_tol)
    if not (REGRET_TOL <= d <= 1e-2):
        raise InputError(f"{name}: degeneracy_tol must lie in [{REGRET_TOL:g}, 0.01], got {degeneracy_tol!r}")
    return d


def _run_equilibria(payoffs: Any, shape: tuple[int, ...], tol: float | None, degeneracy_tol: float,
                    name: str) -> BatchedEquilibria:
    arr = _batch_payoffs(payoffs, shape, name)
    t, default = _tol_arg(tol, name)
    deg = _deg_arg(degeneracy_tol, name)
    n = len(shape)
    K = MAX_EQUILIBRIA_2X2 if n == 2 else MAX_EQUILIBRIA_2X2X2
    P = arr.shape[0]
    out = BatchOut(
        np.full((P, K, n, 2), np.nan), np.full((P, K, n), np.nan), np.full((P, K), np.nan),
        np.zeros((P, K), np.bool_), np.zeros(P, np.int64), np.zeros(P, np.bool_), np.empty(P),
        np.zeros(P, np.int64),
    )
    opts = BatchOptions(t, default, deg)
    if n == 2:
        _equilibria_2x2_kernel(arr, opts, out)
    else:
        _equilibria_2x2x2_kernel(arr, opts, out)
    for a in out:
        a.setflags(write=False)
    return BatchedEquilibria(
        strategies=out.strategies, payoffs=out.payoffs, max_regret=out.regret, pure=out.pure, count=out.count,
        degenerate=out.degenerate, tol=out.tols, rejected=out.rejected,
        method="batched_2x2" if n == 2 else "batched_2x2x2", degeneracy_tol=deg,
    )


def batched_equilibria_2x2(payoffs: Any, tol: float | None = None,
                           degeneracy_tol: float = DEGENERACY_TOL) -> BatchedEquilibria:
    """Every Nash equilibrium of many 2x2 games, in closed form, in one compiled call.

    Parameters
    ----------
    payoffs : array-like
        ``(P, 2, 2, 2)``: ``payoffs[p, i, a, b]`` is player ``i``'s payoff at point ``p`` when the row
        player plays ``a`` and the column player ``b``.
    tol : float, optional
        Absolute regret tolerance; by default ``1e-9`` times each point's payoff spread.
    degeneracy_tol : float
        Relative margin of the degeneracy checks (module docstring), in ``[1e-9, 0.01]``.

    Returns
    -------
    BatchedEquilibria
        ``K = 3`` slots per point. For an unflagged point: every equilibrium (1 or 3), verified, in the
        order :func:`~coop.solvers.nash.solve.solve_game` reports them (pure in C order, then the mixed one).
        A point is flagged when some player is within ``max(degeneracy_tol * spread, tol)`` of indifferent
        between its actions against a pure action of the other (the game is then degenerate or nearly so).

    Examples
    --------
    Battle of the sexes has two pure equilibria and one mixed:

    >>> import numpy as np
    >>> bos = np.array([[[2.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 2.0]]])
    >>> res = batched_equilibria_2x2(bos[None])
    >>> int(res.count[0]), bool(res.degenerate[0])
    (3, False)
    >>> res.strategies[0, 2].round(4).tolist()
    [[0.6667, 0.3333], [0.3333, 0.6667]]
    """
    return _run_equilibria(payoffs, (2, 2), tol, degeneracy_tol, "batched_equilibria_2x2")


def batched_equilibria_2x2x2(payoffs: Any, tol: float | None = None,
                             degeneracy_tol: float = DEGENERACY_TOL) -> BatchedEquilibria:
    """Every Nash equilibrium of many 2x2x2 games, in closed form, in one compiled call.

    Pure profiles are checked by the signs of the incentives, partially mixed ones solve two linear
    equations, totally mixed ones the bilinear system of the module docstring (a quadratic in one
    probability, then back-substitution and Newton's method).

    Parameters
    ----------
    payoffs : array-like
        ``(P, 3, 2, 2, 2)``: ``payoffs[p]`` is point ``p``'s game in coop's convention.
    tol : float, optional
        Absolute regret tolerance; by default ``1e-9`` times each point's payoff spread.
    degeneracy_tol : float
        Relative margin of the degeneracy checks (module docstring), in ``[1e-9, 0.01]``.

    Returns
    -------
    BatchedEquilibria
        ``K = 12`` slots per point. For an unflagged point: every equilibrium, verified, in the order
        :func:`~coop.solvers.nash.solve.solve_game` reports them with ``method="polynomial"``.

    Examples
    --------
    Jordan's three-player matching pennies has one equilibrium, everyone mixing half and half:

    >>> import numpy as np
    >>> P = np.zeros((3, 2, 2, 2))
    >>> for a, b, c in np.ndindex(2, 2, 2):
    ...     P[:, a, b, c] = [1 if a == b else -1, 1 if b == c else -1, 1 if c != a else -1]
    >>> res = batched_equilibria_2x2x2(P[None])
    >>> int(res.count[0]), res.strategies[0, 0].round(6).tolist()
    (1, [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])
    """
    return _run_equilibria(payoffs, (2, 2, 2), tol, degeneracy_tol, "batched_equilibria_2x2x2")
