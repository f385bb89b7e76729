r"""Compiled kernels of the logit quantal response equilibrium tracer (:mod:`coop.solvers.nash.quantal_response`).

The branch is traced in Turocy's (2005) coordinates: the unknowns are the log-probabilities
:math:`y_{ia} = \log \sigma_{ia}` of every action and :math:`\lambda`. For each player :math:`i` with
actions :math:`0, \dots, a_i - 1`, the equations are

.. math::

    \sum_a e^{y_{ia}} - 1 = 0, \qquad
    y_{ia} - y_{i0} - \lambda \, (u_{ia}(\sigma) - u_{i0}(\sigma)) = 0 \quad (a \ge 1),

where :math:`u_{ia}(\sigma)` is player :math:`i`'s expected payoff of action :math:`a` against the others'
mixed strategies: :math:`n` equations in :math:`n + 1` unknowns (:math:`n = \sum_i a_i`), whose solutions near
:math:`\lambda = 0` form one curve (the principal branch) starting at uniform play. The curve is followed by
arc length with a tangent predictor and a Newton corrector on the hyperplane through the predicted point normal
to the tangent (pseudo-arclength continuation, Allgower and Georg 1990, ch. 2 and 6), so that the branch may
turn back in :math:`\lambda`.

Payoffs arrive divided by the game's payoff spread (the wrapper scales :math:`\lambda` back), laid out as
``(N, a_1 * ... * a_N)`` with the last player's action changing fastest. The state of a trace lives in
arrays so that the tracer can stop after a number of steps and be resumed (time limits, progress, a branch
buffer that grows).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from coop.solvers.shared.jit import njit
from coop.solvers.shared.linalg import UNIQUE, solve_inplace

#: ``istate`` slots: accepted steps, branch points stored, next target, end point found (0/1), rejected steps,
#: attempts at the end point, corrector iterations (slot 5 is free)
I_STEPS, I_POINTS, I_TARGET, I_FOUND, I_REJECTED, I_POLISH, I_CHORD = 0, 1, 2, 3, 4, 6, 7
#: ``fstate`` slots: step length, largest lambda reached, best log likelihood, derivative of the log likelihood
#: along the branch at the last point, lambda of the end point, lambda of the last attempt at the end point
F_STEP, F_LAM_MAX, F_BEST, F_SLOPE, F_END_LAM, F_LAST_TRY = 0, 1, 2, 3, 4, 5

#: Kernel statuses: the trace is done; paused (step budget of this call used); the branch buffer is full; the
#: step length fell below its floor; lambda passed its cap without an end point; the step limit was reached
DONE, PAUSED, FULL, STALLED, LAMBDA_CAP, STEP_LIMIT = 0, 1, 2, 3, 4, 5

#: Options (``opts``): first step, most growth of a step, nominal corrector distance, nominal contraction,
#: nominal angle (radians), smallest step, cap of (scaled) lambda, regret at which to try the end point,
#: relative regret tolerance of the end point, largest distance from the traced point to the end point
O_FIRST, O_ACCEL, O_DIST, O_CONTRACT, O_ANGLE, O_HMIN, O_LAMCAP, O_TRIGGER, O_TOL, O_NEAR = range(10)
NUM_OPTS = 10

_PIVOT = 1e-300


# ----------------------------------------------------------------------------- kernel inputs
# The fields of each group are in the order the flat arguments had before they were grouped.
LogitGame = namedtuple("LogitGame", ["P", "offs", "sizes"])
LogitGame.__doc__ = """The game as the logit kernels read it.

Fields
------
P : float64[:, :]
    ``(N, a_1 * ... * a_N)`` payoffs divided by the game's payoff spread, the last player's action changing
    fastest.
offs : int64[:]
    ``(N,)`` index of each player's first action in the flat vectors of all actions.
sizes : int64[:]
    ``(N,)`` number of actions of each player.
"""

LogitWork = namedtuple("LogitWork", ["x", "U", "D", "F", "J", "M", "b"])
LogitWork.__doc__ = """Preallocated work arrays of the corrector (``n`` actions in all), reused at every step.

Fields
------
x : float64[:]
    ``(n,)`` probabilities ``exp(y)``.
U : float64[:]
    ``(n,)`` each action's expected payoff (:func:`action_values`).
D : float64[:, :]
    ``(n, n)`` derivatives of ``U`` in the others' probabilities.
F : float64[:]
    ``(n,)`` the equations.
J : float64[:, :]
    ``(n + 1, n + 1)`` their Jacobian in ``(y, lambda)`` (rows ``:n``).
M : float64[:, :]
    ``(n + 1, n + 1)`` the matrix of a Newton step (solved in place).
b : float64[:]
    ``(n + 1,)`` the right-hand side of a Newton step, then the step.
"""

CorrectorOptions = namedtuple("CorrectorOptions", ["max_iter", "accept_first", "kappa_max", "tol"])
CorrectorOptions.__doc__ = """Options of the correctors :func:`_chord` and :func:`_correct` (``PivOptions``-style).

Fields
------
max_iter : int64
    Most iterations.
accept_first : float64
    Largest accepted length of the first step (a longer one fails the correction).
kappa_max : float64
    Largest accepted contraction (ratio of successive step lengths).
tol : float64
    Step length at which the iteration has converged (scaled as each corrector says).
"""

TraceState = namedtuple("TraceState", ["z", "t", "istate", "fstate"])
TraceState.__doc__ = """The state of a trace that survives between calls of :func:`trace_kernel` (updated in place).

Fields
------
z : float64[:]
    ``(n + 1,)`` the current point ``(y, lambda)``.
t : float64[:]
    ``(n + 1,)`` its unit tangent.
istate : int64[:]
    Counters (``I_*`` slots).
fstate : float64[:]
    Scalars (``F_*`` slots).
"""

TraceRecords = namedtuple("TraceRecords", ["targets", "at_targets", "w", "fit_z", "end_x", "end_checks"])
TraceRecords.__doc__ = """What :func:`trace_kernel` looks for along the branch, and where it records it.

Fields
------
targets : float64[:]
    Increasing (scaled) lambdas at which to correct the QRE.
at_targets : float64[:, :]
    ``(len(targets), n + 1)`` output: the QRE ``(y, lambda)`` at each target (NaN if the correction fails).
w : float64[:]
    ``(n,)`` observed counts of the actions (zeros: no fit).
fit_z : float64[:]
    ``(n + 1,)`` output: the best local maximum of the log likelihood ``sum w * y`` along the branch.
end_x : float64[:]
    ``(n,)`` output: the end point (the Nash equilibrium the branch approaches).
end_checks : float64[:, :]
    ``(N, 3)`` output: payoff, regret and stake of each player at the end point.
"""


#: Log-probabilities below this (probabilities below 1e-100) count as probability 0: no sum of probabilities can
#: tell them from 0, and products of such numbers in the Jacobian and its factors would become subnormal numbers,
#: whose arithmetic is a hundred times slower.
_LOG_FLOOR = -230.0


@njit(cache=True, inline="always")
def _prob(y):
    return np.exp(y) if y > _LOG_FLOOR else 0.0


@njit(cache=True, inline="always")
def action_values(P, offs, sizes, x, U, D, want_d):
    """Each action's expected payoff ``U`` against the others' mixes ``x`` (flat), and, if ``want_d``,
    ``D[r, c]``: the derivative of ``U[r]`` (an action of player ``i``) in ``x[c]`` (an action of ``j != i``)."""
    N = sizes.shape[0]
    n = x.shape[0]
    S = P.shape[1]
    for r in range(n):
        U[r] = 0.0
    if want_d:
        for r in range(n):
            for c in range(n):
                D[r, c] = 0.0
    if N == 2:  # the common case, without the odometer: U = A y, U' = B^T x; D holds A and B^T
        m = sizes[0]
        k = sizes[1]
        for a in range(m):
            xa = x[a]
            acc = 0.0
            for b in range(k):
                u0 = P[0, a * k + b]
                u1 = P[1, a * k + b]
                acc += u0 * x[m + b]
                U[m + b] += u1 * xa
                if want_d:
                    D[a, m + b] = u0
                    D[m + b, a] = u1
            U[a] = acc
        return U
    if N == 3:  # three nested loops instead of the odometer (and no work arrays)
        m0 = sizes[0]
        m1 = sizes[1]
        m2 = sizes[2]
        o1 = offs[1]
        o2 = offs[2]
        p = 0
        for a in range(m0):
            xa = x[a]
            for b in range(m1):
                xb = x[o1 + b]
                for c in range(m2):
                    xc = x[o2 + c]
                    u0 = P[0, p]
                    u1 = P[1, p]
                    u2 = P[2, p]
                    U[a] += u0 * xb * xc
                    U[o1 + b] += u1 * xa * xc
                    U[o2 + c] += u2 * xa * xb
                    if want_d:
                        D[a, o1 + b] += u0 * xc
                        D[a, o2 + c] += u0 * xb
                        D[o1 + b, a] += u1 * xc
                        D[o1 + b, o2 + c] += u1 * xa
                        D[o2 + c, a] += u2 * xb
                        D[o2 + c, o1 + b] += u2 * xa
                    p += 1
        return U
    s = np.zeros(N, dtype=np.int64)
    xs = np.empty(N)
    for p in range(S):
        for k in range(N):
            xs[k] = x[offs[k] + s[k]]
        for i in range(N):
            u = P[i, p]
            if u == 0.0:
                continue
            prod = 1.0
            for k in range(N):
                if k != i:
                    prod *= xs[k]
            r = offs[i] + s[i]
            U[r] += u * prod
            if want_d:
                for j in range(N):
                    if j == i:
                        continue
                    q = u
                    for k in range(N):
                        if k != i and k != j:
                            q *= xs[k]
                    D[r, offs[j] + s[j]] += q
        k = N - 1
        while k >= 0:
            s[k] += 1
            if s[k] < sizes[k]:
                break
            s[k] = 0
            k -= 1
    return U


@njit(cache=True, inline="always")
def _system(P, offs, sizes, z, x, U, D, F, J):
    """The equations ``F`` (``n``) and their Jacobian ``J[:n, :]`` in ``(y, lambda)`` at ``z``; ``x = exp(y)``."""
    _residual(P, offs, sizes, z, x, U, D, F, True)
    N = sizes.shape[0]
    n = x.shape[0]
    lam = z[n]
    for i in range(N):
        o = offs[i]
        for c in range(n + 1):
            J[o, c] = 0.0
        for a in range(sizes[i]):
            J[o, o + a] = x[o + a]
        for a in range(1, sizes[i]):
            r = o + a
            for c in range(n):
                J[r, c] = -lam * (D[r, c] - D[o, c]) * x[c]
            J[r, r] += 1.0
            J[r, o] -= 1.0
            J[r, n] = -(U[r] - U[o])


@njit(cache=True, inline="always")
def _lu(M, piv, size):
    """LU factorisation of ``M[:size, :size]`` in place, with partial pivoting (row swaps in ``piv``); False when
    a pivot is zero or not finite."""
    for c in range(size):
        p = c
        best = abs(M[c, c])
        for r in range(c + 1, size):
            v = abs(M[r, c])
            if v > best:
                best = v
                p = r
        if not (best > _PIVOT) or not np.isfinite(best):
            return False
        piv[c] = p
        if p != c:
            for j in range(size):
                tmp = M[c, j]
                M[c, j] = M[p, j]
                M[p, j] = tmp
        inv = 1.0 / M[c, c]
        for r in range(c + 1, size):
            f = M[r, c] * inv
            M[r, c] = f
            if f != 0.0:
                for j in range(c + 1, size):
                    M[r, j] -= f * M[c, j]
    return True


@njit(cache=True, inline="always")
def _lu_solve(M, piv, b, size):
    """Solve with the factors of :func:`_lu`: ``b`` is overwritten with the solution."""
    for c in range(size):
        p = piv[c]
        if p != c:
            tmp = b[c]
            b[c] = b[p]
            b[p] = tmp
    for r in range(size):
        acc = b[r]
        for j in range(r):
            acc -= M[r, j] * b[j]
        b[r] = acc
    for r in range(size - 1, -1, -1):
        acc = b[r]
        for j in range(r + 1, size):
            acc -= M[r, j] * b[j]
        b[r] = acc / M[r, r]


@njit(cache=True, inline="always")
def _residual(P, offs, sizes, z, x, U, D, F, want_d):
    """The equations ``F`` at ``z``; ``x = exp(y)``; with ``want_d`` also the action values' derivatives ``D`` that
    the Jacobian needs (:func:`_system`)."""
    N = sizes.shape[0]
    n = x.shape[0]
    lam = z[n]
    for c in range(n):
        x[c] = _prob(z[c])
    action_values(P, offs, sizes, x, U, D, want_d)
    for i in range(N):
        o = offs[i]
        total = 0.0
        for a in range(sizes[i]):
            total += x[o + a]
        F[o] = total - 1.0
        for a in range(1, sizes[i]):
            r = o + a
            F[r] = z[r] - z[o] - lam * (U[r] - U[o])


@njit(cache=True, inline="always")
def _factor_at(game, z, row, work, M, piv, t, n):
    """At ``z``: the Jacobian (in ``work.J``), the factors of ``[J; row]`` in ``M``/``piv`` and the unit tangent
    ``t`` (``J t = 0``, ``row . t > 0``); False when the matrix is singular."""
    J = work.J
    _system(game.P, game.offs, game.sizes, z, work.x, work.U, work.D, work.F, J)
    for r in range(n):
        for c in range(n + 1):
            M[r, c] = J[r, c]
    for c in range(n + 1):
        M[n, c] = row[c]
        t[c] = 0.0
    t[n] = 1.0
    if not _lu(M, piv, n + 1):
        return False
    _lu_solve(M, piv, t, n + 1)
    norm = _norm(t, n + 1)
    if not np.isfinite(norm) or norm == 0.0:
        return False
    for c in range(n + 1):
        t[c] /= norm
    return True


@njit(cache=True, inline="always")
def _chord(game, w, zp, row, M, piv, work, opts, count):
    """The chord method from ``zp`` onto the curve, on the hyperplane through ``zp`` normal to ``row``, with the
    factors ``M``/``piv`` of ``[J; row]`` at the last accepted point kept for every iteration (Allgower and Georg
    1990, 6.1); the result is left in ``w``. ``opts`` is a :class:`CorrectorOptions`; ``count`` (one slot) counts
    the iterations. Returns ``(ok, first step length, largest contraction)``."""
    P, offs, sizes = game.P, game.offs, game.sizes
    x, U, D, F, b = work.x, work.U, work.D, work.F, work.b
    max_iter, tol = opts.max_iter, opts.tol
    n = x.shape[0]
    for c in range(n + 1):
        w[c] = zp[c]
    d0 = 0.0
    prev = 0.0
    kappa = 0.0
    for it in range(max_iter):
        count[0] += 1
        _residual(P, offs, sizes, w, x, U, D, F, False)
        dot = 0.0
        for c in range(n + 1):
            dot += row[c] * (w[c] - zp[c])
        for r in range(n):
            b[r] = -F[r]
        b[n] = -dot
        _lu_solve(M, piv, b, n + 1)
        d = _norm(b, n + 1)
        if not np.isfinite(d):
            return False, d0, kappa
        scale = 0.0
        for c in range(n + 1):
            w[c] += b[c]
            scale = max(scale, abs(w[c]))
        if it == 0:
            d0 = d
        # absolute while |z| < 1e5: log-probabilities far below 0 count
        status, kappa = _verdict(it, d, prev, kappa, scale, opts, tol * (1.0 + 1e-5 * scale))
        if status != 0:
            return status > 0, d0, kappa
        prev = d
    return False, d0, kappa


@njit(cache=True)
def _tangent(J, prev, t, M, n):
    """The unit tangent ``t`` of the curve at the point whose Jacobian is ``J[:n]``, oriented along ``prev``
    (``t . prev > 0``); False when the augmented matrix is singular."""
    for r in range(n):
        for c in range(n + 1):
            M[r, c] = J[r, c]
    for c in range(n + 1):
        M[n, c] = prev[c]
        t[c] = 0.0
    t[n] = 1.0
    if solve_inplace(M, t, n + 1, _PIVOT, 0.0) != UNIQUE:
        return False
    norm = _norm(t, n + 1)
    if not np.isfinite(norm) or norm == 0.0:
        return False
    for c in range(n + 1):
        t[c] /= norm
    return True


@njit(cache=True, inline="always")
def _verdict(it, d, prev, kappa, scale, opts, bound):
    """A corrector iteration judged, for the chord and the Newton corrector alike: ``-1`` when the first step
    is longer than ``opts.accept_first`` or the steps stop contracting (the caller shortens its step), ``1`` when
    the last step is within ``bound``, ``0`` to go on; with the largest contraction so far."""
    if it == 0:
        if d > opts.accept_first:
            return -1, kappa
    else:
        k = d / prev if prev > 0.0 else 0.0
        kappa = max(kappa, k)
        if k > opts.kappa_max and d > 1e-9 * (1.0 + scale):
            return -1, kappa
    if d <= bound:
        return 1, kappa
    return 0, kappa


@njit(cache=True, inline="always")
def _norm(v, size):
    s = 0.0
    for k in range(size):
        s += v[k] * v[k]
    return np.sqrt(s)


@njit(cache=True)
def _correct(game, z, t, zp, work, opts):
    """Newton's method from ``zp`` onto the curve, on the hyperplane through ``zp`` normal to ``t``; the result is
    left in ``z``. Returns ``(ok, first step length, largest contraction)``; ``ok`` is False when the steps do
    not shrink fast enough or do not converge in ``opts.max_iter`` iterations (the caller then shortens the
    step). ``opts`` is a :class:`CorrectorOptions`."""
    P, offs, sizes = game.P, game.offs, game.sizes
    x, U, D, F, J, M, b = work.x, work.U, work.D, work.F, work.J, work.M, work.b
    max_iter, tol = opts.max_iter, opts.tol
    n = x.shape[0]
    for c in range(n + 1):
        z[c] = zp[c]
    d0 = 0.0
    prev = 0.0
    kappa = 0.0
    for it in range(max_iter):
        _system(P, offs, sizes, z, x, U, D, F, J)
        for r in range(n):
            for c in range(n + 1):
                M[r, c] = J[r, c]
            b[r] = -F[r]
        dot = 0.0
        for c in range(n + 1):
            M[n, c] = t[c]
            dot += t[c] * (z[c] - zp[c])
        b[n] = -dot
        if solve_inplace(M, b, n + 1, _PIVOT, 0.0) != UNIQUE:
            return False, d0, kappa
        d = _norm(b, n + 1)
        if not np.isfinite(d):
            return False, d0, kappa
        for c in range(n + 1):
            z[c] += b[c]
        scale = 0.0
        for c in range(n + 1):
            scale = max(scale, abs(z[c]))
        if it == 0:
            d0 = d
        status, kappa = _verdict(it, d, prev, kappa, scale, opts, tol * (1.0 + scale))
        if status != 0:
            return status > 0, d0, kappa
        prev = d
    return False, d0, kappa


@njit(cache=True)
def _fixed_lambda(game, z, work, max_iter):
    """Newton's method on the equations at the fixed ``lambda = z[n]``, from ``z`` (updated in place)."""
    P, offs, sizes = game.P, game.offs, game.sizes
    x, U, D, F, J, M, b = work.x, work.U, work.D, work.F, work.J, work.M, work.b
    n = x.shape[0]
    for _it in range(max_iter):
        _system(P, offs, sizes, z, x, U, D, F, J)
        for r in range(n):
            for c in range(n):
                M[r, c] = J[r, c]
            b[r] = -F[r]
        if solve_inplace(M, b, n, _PIVOT, 0.0) != UNIQUE:
            return False
        d = 0.0
        scale = 0.0
        for c in range(n):
            z[c] += b[c]
            d = max(d, abs(b[c]))
            scale = max(scale, abs(z[c]))
        if not np.isfinite(d):
            return False
        if d <= 1e-13 * (1.0 + scale):
            for c in range(n):
                x[c] = _prob(z[c])
            return True
    return False


@njit(cache=True)
def relative_regrets(P, offs, sizes, x, U, lo, hi, out):
    """Each player's regret at ``x`` over their stake, by coop's rule (:mod:`coop.solvers.shared.tolerances`):
    the stake is the spread of the player's payoffs over their own actions and the others' supports, at least
    ``1e-6`` times the largest magnitude among them. ``U`` gets the action values; ``lo``, ``hi`` are workspaces;
    ``out`` gets ``(payoff, regret, stake)`` per player. Returns the largest ratio."""
    N = sizes.shape[0]
    S = P.shape[1]
    action_values(P, offs, sizes, x, U, np.empty((0, 0)), False)
    for i in range(N):
        lo[i] = np.inf
        hi[i] = -np.inf
    s = np.zeros(N, dtype=np.int64)
    for p in range(S):
        for i in range(N):
            inside = True
            for k in range(N):
                if k != i and x[offs[k] + s[k]] <= 0.0:
                    inside = False
                    break
            if inside:
                v = P[i, p]
                lo[i] = min(lo[i], v)
                hi[i] = max(hi[i], v)
        k = N - 1
        while k >= 0:
            s[k] += 1
            if s[k] < sizes[k]:
                break
            s[k] = 0
            k -= 1
    worst = 0.0
    for i in range(N):
        o = offs[i]
        pay = 0.0
        best = -np.inf
        for a in range(sizes[i]):
            pay += x[o + a] * U[o + a]
            best = max(best, U[o + a])
        regret = max(best - pay, 0.0)
        stake = max(hi[i] - lo[i], 1e-6 * max(abs(hi[i]), abs(lo[i])))
        out[i, 0] = pay
        out[i, 1] = regret
        out[i, 2] = stake
        ratio = regret / stake if stake > 0.0 else (np.inf if regret > 0.0 else 0.0)
        worst = max(worst, ratio)
    return worst


@njit(cache=True)
def _polish(game, xq, theta, xs, work, checks, lo, hi, opts):
    """From the traced point ``xq``, the Nash equilibrium on the support of the actions played with at least
    ``theta`` times the probability of the player's likeliest action: Newton's method on the indifference
    conditions (every action of the support earns the player's value ``v_i``, probabilities sum to one).

    Returns the relative regret of the cleaned result ``xs`` (``inf`` when Newton fails, a probability is
    negative or the result is farther than ``opts[O_NEAR]`` from ``xq``). Of ``work`` only ``U`` and ``D`` are
    used.
    """
    P, offs, sizes = game.P, game.offs, game.sizes
    U, D = work.U, work.D
    N = sizes.shape[0]
    n = xq.shape[0]
    idx = np.empty(n, dtype=np.int64)
    owner = np.empty(n, dtype=np.int64)
    k = 0
    for i in range(N):
        o = offs[i]
        top = 0.0
        for a in range(sizes[i]):
            top = max(top, xq[o + a])
        total = 0.0
        for a in range(sizes[i]):
            if xq[o + a] >= theta * top:
                idx[k] = o + a
                owner[k] = i
                k += 1
                xs[o + a] = xq[o + a]
                total += xq[o + a]
            else:
                xs[o + a] = 0.0
        for a in range(sizes[i]):
            xs[o + a] /= total
    size = k + N
    M = np.empty((size, size))
    b = np.empty(size)
    v = np.empty(N)
    action_values(P, offs, sizes, xs, U, D, False)
    for i in range(N):
        v[i] = 0.0
        for a in range(sizes[i]):
            v[i] += xs[offs[i] + a] * U[offs[i] + a]
    ok = False
    last = np.inf
    for it in range(30):
        action_values(P, offs, sizes, xs, U, D, True)
        resid = 0.0
        for r in range(size):
            for c in range(size):
                M[r, c] = 0.0
        for q in range(k):
            i = owner[q]
            row = idx[q]
            b[q] = -(U[row] - v[i])
            resid = max(resid, abs(b[q]))
            for c in range(k):
                if owner[c] != i:
                    M[q, c] = D[row, idx[c]]
            M[q, k + i] = -1.0
        for i in range(N):
            total = 0.0
            for q in range(k):
                if owner[q] == i:
                    M[k + i, q] = 1.0
                    total += xs[idx[q]]
            b[k + i] = -(total - 1.0)
            resid = max(resid, abs(b[k + i]))
        if resid <= 1e-14:
            ok = True
            break
        if it >= 3 and resid > 0.25 * last:
            return np.inf  # not converging quadratically: not the support the branch approaches
        last = resid
        if solve_inplace(M, b, size, _PIVOT, 1e-14) != UNIQUE:
            return np.inf
        step = 0.0
        for q in range(k):
            xs[idx[q]] += b[q]
            step = max(step, abs(b[q]))
        for i in range(N):
            v[i] += b[k + i]
        if not np.isfinite(step):
            return np.inf
        if step <= 1e-15:
            ok = True
            break
    if not ok:
        return np.inf
    far = 0.0
    for i in range(N):
        o = offs[i]
        total = 0.0
        for a in range(sizes[i]):
            if xs[o + a] < -1e-9:
                return np.inf
            if abs(xs[o + a]) < 1e-12:
                xs[o + a] = 0.0
            total += xs[o + a]
        for a in range(sizes[i]):
            xs[o + a] /= total
            far = max(far, abs(xs[o + a] - xq[o + a]))
    if far > opts[O_NEAR]:
        return np.inf
    return relative_regrets(P, offs, sizes, xs, U, lo, hi, checks)


@njit(cache=True)
def _support_size(offs, sizes, x, theta):
    """How many actions are played with at least ``theta`` times the probability of their player's likeliest."""
    count = 0
    for i in range(sizes.shape[0]):
        o = offs[i]
        top = 0.0
        for a in range(sizes[i]):
            top = max(top, x[o + a])
        for a in range(sizes[i]):
            if x[o + a] >= theta * top:
                count += 1
    return count


@njit(cache=True)
def _cleaned(P, offs, sizes, xq, xs, U, checks, lo, hi):
    """The relative regret of the traced point ``xq`` with probabilities below ``1e-12`` set to zero (in ``xs``)."""
    for i in range(sizes.shape[0]):
        o = offs[i]
        total = 0.0
        for a in range(sizes[i]):
            xs[o + a] = xq[o + a] if xq[o + a] >= 1e-12 else 0.0
            total += xs[o + a]
        for a in range(sizes[i]):
            xs[o + a] /= total
    return relative_regrets(P, offs, sizes, xs, U, lo, hi, checks)


@njit(cache=True)
def _qre_regret(offs, sizes, x, U, spreads):
    """The largest ratio of a player's regret at the interior point ``x`` (action values ``U``) to the spread of
    their payoffs: at a quantal response equilibrium every action is played, so this is coop's rule."""
    worst = 0.0
    for i in range(sizes.shape[0]):
        o = offs[i]
        pay = 0.0
        best = -np.inf
        for a in range(sizes[i]):
            pay += x[o + a] * U[o + a]
            best = max(best, U[o + a])
        if spreads[i] > 0.0:
            worst = max(worst, max(best - pay, 0.0) / spreads[i])
    return worst


@njit(cache=True)
def _slope(w, t, n):
    """The derivative of the log likelihood ``sum w * y`` along the tangent ``t``."""
    g = 0.0
    for c in range(n):
        g += w[c] * t[c]
    return g


@njit(cache=True)
def _loglik(w, z, n):
    s = 0.0
    for c in range(n):
        if w[c] > 0.0:
            s += w[c] * z[c]
    return s


@njit(cache=True)
def _refine_max(game, z0, t0, h, g0, g1, w, out, work):
    """The point of the branch between ``z0`` (slope ``g0 > 0``) and the point ``h`` further along ``t0``
    (slope ``g1 <= 0``) where the log likelihood's derivative along the branch vanishes, by the Illinois
    method on the distance along ``t0``; written to ``out``. Returns False if a correction fails."""
    J, M = work.J, work.M
    n = work.x.shape[0]
    exact = CorrectorOptions(20, np.inf, np.inf, 1e-12)
    zp = np.empty(n + 1)
    tt = np.empty(n + 1)
    a = 0.0
    c = h
    ga = g0
    gc = g1
    side = 0
    for _it in range(60):
        s = (a * gc - c * ga) / (gc - ga)
        for k in range(n + 1):
            zp[k] = z0[k] + s * t0[k]
        ok, _d0, _k = _correct(game, out, t0, zp, work, exact)
        if not ok:
            return False
        _system(game.P, game.offs, game.sizes, out, work.x, work.U, work.D, work.F, J)
        if not _tangent(J, t0, tt, M, n):
            return False
        g = _slope(w, tt, n)
        if abs(g) <= 1e-12 * (abs(g0) + abs(g1)) or abs(c - a) <= 1e-14 * h:
            return True
        if g > 0.0:
            a = s
            ga = g
            if side == 1:
                gc *= 0.5
            side = 1
        else:
            c = s
            gc = g
            if side == -1:
                ga *= 0.5
            side = -1
    return True


@njit(cache=True)
def trace_kernel(game, state, records, branch, max_steps, opts):
    """Follow the branch from the state ``(z, t)`` for at most ``max_steps`` accepted steps.

    ``game`` is a :class:`LogitGame`, ``state`` a :class:`TraceState` and ``records`` a :class:`TraceRecords`.
    ``istate``/``fstate`` hold the counters and scalars that survive between calls (``I_*``, ``F_*``); ``z`` is
    the current point ``(y, lambda)`` and ``t`` its unit tangent. Along the way:

    - each accepted point is appended to ``branch`` (rows ``(y, lambda)``);
    - the first time the branch reaches each of the increasing ``targets`` (scaled lambdas), the equilibrium
      there is corrected at that fixed lambda into the row of ``at_targets`` (NaN if the correction fails);
    - with weights ``w`` (observed counts), the local maxima of ``sum w * y`` along the branch are refined
      and the best kept in ``fit_z`` (``fstate[F_BEST]`` its value);
    - once the traced point's regret is below ``opts[O_TRIGGER]``, the Nash equilibrium nearby is sought
      (:func:`_polish`); the first within ``opts[O_TOL]`` by coop's rule is ``end_x`` (``end_checks``: payoff,
      regret and stake per player) and ``istate[I_FOUND] = 1``.

    The trace ends (:data:`DONE`) once the end point is found and every target reached. Returns a status.
    """
    P, offs, sizes = game.P, game.offs, game.sizes
    z, t, istate, fstate = state.z, state.t, state.istate, state.fstate
    targets, at_targets, w, fit_z = records.targets, records.at_targets, records.w, records.fit_z
    end_x, end_checks = records.end_x, records.end_checks
    N = sizes.shape[0]
    n = offs[N - 1] + sizes[N - 1]
    x = np.empty(n)
    U = np.empty(n)
    D = np.empty((n, n))
    F = np.empty(n)
    J = np.empty((n + 1, n + 1))
    M = np.empty((n + 1, n + 1))
    b = np.empty(n + 1)
    zp = np.empty(n + 1)
    zn = np.empty(n + 1)
    tn = np.empty(n + 1)
    zt = np.empty(n + 1)
    xs = np.empty(n)
    lo = np.empty(N)
    hi = np.empty(N)
    spreads = np.empty(N)
    work = LogitWork(x, U, D, F, J, M, b)
    chord_opts = CorrectorOptions(30, 2.0 * opts[O_DIST], 2.0 * opts[O_CONTRACT], 1e-7)
    # the factors of [J; normal] at the current point z (normal: the tangent before z's; the corrector's hyperplanes
    # are normal to it), and a second set for the next point
    LU = np.empty((n + 1, n + 1))
    piv = np.empty(n + 1, dtype=np.int64)
    LU2 = np.empty((n + 1, n + 1))
    piv2 = np.empty(n + 1, dtype=np.int64)
    normal = np.empty(n + 1)
    for c in range(n + 1):
        normal[c] = t[c]
    if not _factor_at(game, z, normal, work, LU, piv, tn, n):
        return STALLED
    for i in range(N):
        spreads[i] = np.max(P[i]) - np.min(P[i])
    fitting = False
    for c in range(n):
        if w[c] > 0.0:
            fitting = True
    K = targets.shape[0]
    taken = 0
    while taken < max_steps:
        if istate[I_FOUND] == 1 and istate[I_TARGET] >= K:
            return DONE
        if istate[I_POINTS] >= branch.shape[0]:
            return FULL
        if z[n] > opts[O_LAMCAP]:
            return LAMBDA_CAP
        h = fstate[F_STEP]
        for c in range(n + 1):
            zp[c] = z[c] + h * t[c]
        ok, d0, kappa = _chord(game, zn, zp, normal, LU, piv, work, chord_opts, istate[I_CHORD:I_CHORD + 1])
        angle = 0.0
        if ok:  # the next point's factors and tangent, oriented along this one
            ok = _factor_at(game, zn, t, work, LU2, piv2, tn, n)
            if ok:  # and one Newton step with them: the chord's last error (1e-9) becomes negligible
                for r in range(n):
                    b[r] = -F[r]
                b[n] = 0.0
                _lu_solve(LU2, piv2, b, n + 1)
                for c in range(n + 1):
                    zn[c] += b[c]
                cosine = 0.0
                for c in range(n + 1):
                    cosine += t[c] * tn[c]
                angle = np.arccos(min(1.0, max(-1.0, cosine)))
                ok = angle <= 2.0 * opts[O_ANGLE]
        if not ok:
            istate[I_REJECTED] += 1
            fstate[F_STEP] = 0.5 * h
            if 0.5 * h < opts[O_HMIN]:
                return STALLED
            continue
        # accepted: targets crossed on the way, in order
        lam0 = z[n]
        lam1 = zn[n]
        while istate[I_TARGET] < K and lam1 >= targets[istate[I_TARGET]]:
            k = istate[I_TARGET]
            frac = (targets[k] - lam0) / (lam1 - lam0) if lam1 > lam0 else 1.0
            frac = min(1.0, max(0.0, frac))
            for c in range(n + 1):
                zt[c] = z[c] + frac * (zn[c] - z[c])
            zt[n] = targets[k]
            if _fixed_lambda(game, zt, work, 50):
                for c in range(n + 1):
                    at_targets[k, c] = zt[c]
            else:
                for c in range(n + 1):
                    at_targets[k, c] = np.nan
            istate[I_TARGET] += 1
            # the tangent system is evaluated again below at zn
        if fitting:
            g1 = _slope(w, tn, n)
            g0 = fstate[F_SLOPE]
            if g0 > 0.0 and g1 <= 0.0:
                if _refine_max(game, z, t, h, g0, g1, w, zt, work):
                    val = _loglik(w, zt, n)
                    if val > fstate[F_BEST]:
                        fstate[F_BEST] = val
                        for c in range(n + 1):
                            fit_z[c] = zt[c]
            fstate[F_SLOPE] = g1
        for c in range(n + 1):
            z[c] = zn[c]
            normal[c] = t[c]
            t[c] = tn[c]
        LU, LU2 = LU2, LU
        piv, piv2 = piv2, piv
        fstate[F_LAM_MAX] = max(fstate[F_LAM_MAX], z[n])
        row = istate[I_POINTS]
        for c in range(n + 1):
            branch[row, c] = z[c]
        istate[I_POINTS] += 1
        istate[I_STEPS] += 1
        taken += 1
        # the end point: the Nash equilibrium the branch approaches
        if istate[I_FOUND] == 0:
            for c in range(n):
                x[c] = _prob(z[c])
            action_values(P, offs, sizes, x, U, D, False)
            # tried once lambda grew by half since the last try: supports of the likeliest actions only (a pure
            # equilibrium), of those within 1e-3 and within 1e-7 of the likeliest
            if z[n] >= 1.5 * fstate[F_LAST_TRY] and _qre_regret(offs, sizes, x, U, spreads) <= opts[O_TRIGGER]:
                fstate[F_LAST_TRY] = z[n]
                theta = 1.0
                tried = -1
                for _attempt in range(3):
                    size = _support_size(offs, sizes, x, theta)
                    if size == tried:  # the same support as the last try (supports only grow as theta falls)
                        theta = 1e-3 if theta == 1.0 else 1e-7
                        continue
                    tried = size
                    istate[I_POLISH] += 1
                    if _polish(game, x, theta, xs, work, end_checks, lo, hi, opts) <= opts[O_TOL]:
                        istate[I_FOUND] = 1
                        fstate[F_END_LAM] = z[n]
                        for c in range(n):
                            end_x[c] = xs[c]
                        break
                    theta = 1e-3 if theta == 1.0 else 1e-7
                if istate[I_FOUND] == 0 and _cleaned(P, offs, sizes, x, xs, U, end_checks, lo, hi) <= opts[O_TOL]:
                    # degenerate games (a continuum of equilibria): the traced point itself, once close enough
                    istate[I_FOUND] = 1
                    fstate[F_END_LAM] = z[n]
                    for c in range(n):
                        end_x[c] = xs[c]
        # the next step's length: shorter when the corrector worked hard or the branch turned
        f = max(np.sqrt(d0 / opts[O_DIST]), np.sqrt(kappa / opts[O_CONTRACT]), angle / opts[O_ANGLE], 1e-300)
        # on a grid of eighth powers of two: the last bits of the corrector's numbers (which differ between the
        # compiled and the interpreted kernel) do not move the branch's points
        f = 2.0 ** (np.ceil(np.log2(f) * 8.0) / 8.0)
        f = min(2.0, max(1.0 / opts[O_ACCEL], f))
        fstate[F_STEP] = h / f
    return PAUSED


@njit(cache=True)
def start_kernel(P, offs, sizes, z, t):
    """The branch's start: uniform play at ``lambda = 0`` in ``z``, and its tangent (towards growing lambda) in
    ``t``; False if the tangent cannot be computed."""
    N = sizes.shape[0]
    n = z.shape[0] - 1
    for i in range(N):
        for a in range(sizes[i]):
            z[offs[i] + a] = -np.log(sizes[i])
    z[n] = 0.0
    x = np.empty(n)
    U = np.empty(n)
    D = np.empty((n, n))
    F = np.empty(n)
    J = np.empty((n + 1, n + 1))
    M = np.empty((n + 1, n + 1))
    prev = np.zeros(n + 1)
    prev[n] = 1.0
    _system(P, offs, sizes, z, x, U, D, F, J)
    return _tangent(J, prev, t, M, n)
