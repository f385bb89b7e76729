r"""Numba kernels for support enumeration with polynomial indifference systems.

Notation
--------
For a support profile :math:`(S_1, \dots, S_N)` with :math:`k_i = |S_i|`, player
``i``'s mixed strategy on :math:`S_i` is parametrised by its first
:math:`m_i = k_i - 1` probabilities :math:`x_{i,1}, \dots, x_{i,m_i}` (the free
variables); the last support action gets :math:`1 - \sum_t x_{i,t}`. With
:math:`s_i^0 = S_i[0]` the reference action, the indifference equations are

.. math:: f_{i,r}(x) = u_i(S_i[r], x_{-i}) - u_i(s_i^0, x_{-i}) = 0, \qquad r = 1, \dots, m_i,

:math:`n = \sum_i m_i` equations in :math:`n` unknowns. Each :math:`f_{i,r}` is
multilinear: affine in every other player's block of free variables, so affine
in every single variable. Its exact range over a box is therefore the range of
its values at the box's corners, and so is the range of every partial
derivative (itself multilinear in the remaining variables). This gives a sound
exclusion test and an exact interval Jacobian for the Krawczyk operator
(Krawczyk 1969; Neumaier 1990, "Interval methods for systems of equations",
ch. 5):

.. math:: K(X) = y - Y f(y) + (I - Y J(X)) (X - y), \qquad y = \operatorname{mid} X,\ Y \approx J(y)^{-1}.

Every root in :math:`X` lies in :math:`K(X)`; if :math:`K(X) \cap X = \emptyset`
there is none, and if :math:`K(X)` lies in the interior of :math:`X` there is
exactly one, to which Newton's method from :math:`y` converges. Boxes that are
neither excluded nor certified are shrunk to :math:`X \cap K(X)` or bisected.

The values of all of player ``i``'s actions at all corner combinations come
from one tensor contraction: player ``i``'s payoffs restricted to the others'
supports (layout ``(k_j for j != i, a_i)``) are multiplied, axis by axis, by
each other player's matrix of corner strategies (rows = corners, columns =
support actions). Replacing one player's corner matrix by the rows
:math:`e_t - e_{k_j}` gives the partial derivatives with respect to that
player's free variables at every corner combination of the rest.

Kernels take only arrays and scalars, grouped into namedtuples where the lists
grow long (:class:`System`, :class:`Rows`, :class:`SupportOptions`,
:class:`SearchPlan`); the public wrappers live in
:mod:`coop.solvers.nash.polynomial_support`.

The enumeration runs in pieces (:mod:`coop.solvers.shared.progress`): each call of
:func:`_support_kernel` does about ``plan.budget`` units of work, counted as the
cost of the contractions (one unit per corner value, see :func:`_box_weight`),
and leaves a :class:`Cursor` that the next call resumes from, inside a support
system if need be (its stack of boxes, :class:`BoxSearch`). The boxes are
examined in the same order whatever the pieces, so the answer does not depend
on them.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from coop.solvers.shared.arrays import advance_skipping, c_order_strides
from coop.solvers.shared.jit import njit
from coop.solvers.shared.linalg import UNIQUE, inverse_into, solve_inplace

# status flags of one support system
_OK = 0
_SINGULAR = 1  # a non-isolated (singular) solution was met: the support was abandoned there
_CAPPED = 2  # the per-support box budget ran out
_PAUSED = 3  # the work budget of the call ran out: the search resumes where it stopped on the next call

#: bisection point inside a box (off-centre so that symmetric roots such as 1/2 do not land on faces)
_SPLIT = 0.4781
#: boxes narrower than this are no longer bisected (Newton decides)
_WMIN = 1e-9
#: below this width an uncertified box is also tested for a singular (non-isolated) solution
_WNEWTON = 1e-3
#: the Krawczyk test is tried on boxes at most this wide (wider ones are rarely certified)
_WKRAWCZYK = 0.25
#: boxes with a side narrower than this get their Jacobian from derivatives, not corner differences
_WDIRECT = 1e-4
#: condition number above which a Jacobian at a solution counts as singular
_COND_SINGULAR = 1e10
#: a pivot of a Newton step or of the Krawczyk preconditioner is zero at most this, or below
#: ``_PIVOT_REL`` times the matrix's largest entry
_PIVOT_ABS = 1e-300
_PIVOT_REL = 1e-15

# ----------------------------------------------------------------------------- grouped kernel inputs and results
#: One support system: player ``i``'s payoffs restricted to the others' supports (``Tbuf[Toff[i]:Toff[i+1]]``,
#: layout ``(k_j for j != i, a_i)``), actions per player ``shape``, support sizes ``k``, supports ``supp``
#: (row ``i``, first ``k[i]`` entries), membership ``insupp`` and the offset of each player's free variables
#: ``voff`` (``N + 1`` entries, the last is their number).
System = namedtuple("System", ["Tbuf", "Toff", "shape", "k", "supp", "insupp", "voff"])
#: The rows each player's payoffs are contracted with: ``mats[j, :mrows[j], :k[j]]`` (box corners, vertices of
#: box and simplex, or one point) and ``dmats[j, :k[j]-1, :k[j]]`` (the directions ``e_t - e_{k_j}``).
Rows = namedtuple("Rows", ["mats", "mrows", "dmats"])
#: Options of one support system: exclusion margin, residual tolerance of a root, regret tolerance, box budget,
#: and whether the game is symmetric. Then the enumeration visits only the support profiles whose supports are
#: sorted across the players (:func:`_sorted_supports`, one per orbit of player permutations), and a system
#: looks for roots only where players of one support are sorted by their first free probability
#: (:func:`_sort_players`): the caller permutes the roots found.
SupportOptions = namedtuple("SupportOptions", ["eps", "ftol", "tol", "max_boxes", "symmetric"])
#: The order of the enumeration: return after the first support with an equilibrium, stop after visiting
#: ``max_supports`` support profiles in all (-1: no limit), return from this call after about ``budget`` units
#: of work (-1: no limit).
SearchPlan = namedtuple("SearchPlan", ["stop_first", "max_supports", "budget"])
#: Newton's method's answer: the point, whether the residual is within ``ftol``, whether the Jacobian there
#: is singular, and each player's largest gain of an unused action.
NewtonResult = namedtuple("NewtonResult", ["x", "converged", "singular", "gmax"])
#: One support system's branch and prune, between calls as at its end: the boxes still to examine
#: (``slo[:top]``, ``shi[:top]``), the roots found (``roots[:nroots]``: free variables and a tie flag per row),
#: the boxes examined and the status (``_PAUSED`` while boxes remain).
BoxSearch = namedtuple("BoxSearch", ["slo", "shi", "top", "roots", "nroots", "boxes", "status"])
#: Where the enumeration stands between calls (updated in place, except ``search``): ``pos`` = (size-profile
#: row, whether ``supp`` holds the row's current support, whether ``search`` holds that support's paused
#: system, whether the enumeration has ended); ``supp`` the current supports (row ``i``, first ``k[i]``
#: entries); ``stats`` the statistics (see :func:`_support_kernel`); ``search`` the paused :class:`BoxSearch`.
Cursor = namedtuple("Cursor", ["pos", "supp", "stats", "search"])
#: One call's answer: the mixed strategies and tie flags of the roots of the supports finished in this call, the
#: paused system (for the next :class:`Cursor`) and the units of work done.
SupportSearch = namedtuple("SupportSearch", ["profiles", "ties", "search", "work"])


# ----------------------------------------------------------------------------- small helpers
@njit(cache=True)
def _sorted_supports(supp, k):
    """Whether the supports are sorted across the players: by size, then lexicographically (the one support
    profile of its orbit under player permutations that a symmetric game's enumeration visits)."""
    for j in range(k.shape[0] - 1):
        if k[j] != k[j + 1]:
            if k[j] > k[j + 1]:
                return False
            continue
        for t in range(k[j]):
            if supp[j, t] != supp[j + 1, t]:
                if supp[j, t] > supp[j + 1, t]:
                    return False
                break
    return True


@njit(cache=True)
def _sort_players(supp, k, voff, lo, hi):
    """Narrow the box to where each player's first free probability is at most the next player's, for
    neighbours with the same support (the system is symmetric in them, so every root is a permutation of one
    there). Returns False when nothing of the box is left."""
    for j in range(k.shape[0] - 1):
        if k[j] < 2 or k[j] != k[j + 1]:
            continue
        same = True
        for t in range(k[j]):
            if supp[j, t] != supp[j + 1, t]:
                same = False
                break
        if not same:
            continue
        a = voff[j]
        b = voff[j + 1]
        if hi[a] > hi[b]:
            hi[a] = hi[b]
        if lo[b] < lo[a]:
            lo[b] = lo[a]
        if lo[a] > hi[a] or lo[b] > hi[b]:
            return False
    return True


@njit(cache=True)
def _next_combination(c, k, a):
    """Advance ``c[:k]`` to the next k-subset of ``range(a)`` (lexicographic); False when it wraps."""
    t = k - 1
    while t >= 0 and c[t] == a - k + t:
        t -= 1
    if t < 0:
        for s in range(k):
            c[s] = s
        return False
    c[t] += 1
    for s in range(t + 1, k):
        c[s] = c[s - 1] + 1
    return True


# ----------------------------------------------------------------------------- payoff restriction
@njit(cache=True)
def _restrict(flat, shape, strides, supp, k, Tbuf, Toff):
    """Fill ``Tbuf`` with each player's payoffs restricted to the others' supports.

    Player ``i``'s block starts at ``Toff[i]`` with layout ``(k_j for j != i, a_i)``.
    """
    N = shape.shape[0]
    idx = np.zeros(N, dtype=np.int64)
    pos = 0
    for i in range(N):
        Toff[i] = pos
        a_i = shape[i]
        # odometer over the others' support positions, last player fastest
        for j in range(N):
            idx[j] = 0
        while True:
            base = 0
            for j in range(N):
                if j != i:
                    base += strides[j] * supp[j, idx[j]]
            for a in range(a_i):
                Tbuf[pos] = flat[i, base + strides[i] * a]
                pos += 1
            if not advance_skipping(idx, k, i):
                break
    Toff[N] = pos


@njit(cache=True)
def _conditionally_dominated(Tbuf, Toff, shape, supp, k, eps):
    """Whether some action in a support is strictly dominated (by a pure action) given the others' supports."""
    N = shape.shape[0]
    for i in range(N):
        a_i = shape[i]
        t0 = Toff[i]
        rows = (Toff[i + 1] - t0) // a_i
        for r in range(k[i]):
            a = supp[i, r]
            for b in range(a_i):
                if b == a:
                    continue
                dominated = True
                for q in range(rows):
                    if Tbuf[t0 + q * a_i + b] <= Tbuf[t0 + q * a_i + a] + eps:
                        dominated = False
                        break
                if dominated:
                    return True
    return False


# ----------------------------------------------------------------------------- contraction
@njit(cache=True)
def _contract(Tbuf, Toff, i, shape, k, mats, mrows, dmats, jo):
    """Contract player ``i``'s restricted payoffs with every other player's matrix.

    Player ``j``'s matrix is ``mats[j, :mrows[j], :k[j]]``, or ``dmats[j, :k[j]-1, :k[j]]``
    when ``j == jo``. The result has layout ``(a_i, c_j for j != i)`` with ``c_j``
    the number of rows used for player ``j``.
    """
    N = shape.shape[0]
    t0 = Toff[i]
    size = Toff[i + 1] - t0
    cur = Tbuf[t0 : t0 + size].copy()
    for j in range(N):
        if j == i:
            continue
        d = k[j]
        M = dmats if j == jo else mats
        c = k[j] - 1 if j == jo else mrows[j]
        R = size // d
        out = np.zeros(R * c)
        for dd in range(d):
            src = cur[dd * R : (dd + 1) * R]
            for cc in range(c):
                w = M[j, cc, dd]
                if w != 0.0:
                    for r in range(R):
                        out[r * c + cc] += w * src[r]
        cur = out
        size = R * c
    return cur


@njit(cache=True)
def _set_corners(lo, hi, k, voff, mats, mrows):
    """Rows = the corners of each player's box of free variables (the last probability may be negative)."""
    N = k.shape[0]
    for j in range(N):
        m = k[j] - 1
        rows = 1 << m
        mrows[j] = rows
        for c in range(rows):
            s = 0.0
            for t in range(m):
                v = hi[voff[j] + t] if (c >> t) & 1 else lo[voff[j] + t]
                mats[j, c, t] = v
                s += v
            mats[j, c, m] = 1.0 - s


@njit(cache=True)
def _set_vertices(lo, hi, k, voff, mats, mrows):
    """Rows = the vertices of each player's box intersected with ``sum(x) <= 1``.

    A multilinear function takes its extreme values over a product of polytopes at
    products of vertices, so these rows give the exact range over the feasible part
    of the box. The vertices are the box corners with ``sum <= 1`` and the points
    where a box edge crosses ``sum = 1``. Returns False if some player's part is empty.
    """
    N = k.shape[0]
    for j in range(N):
        m = k[j] - 1
        rows = 0
        for c in range(1 << m):
            s = 0.0
            for t in range(m):
                s += hi[voff[j] + t] if (c >> t) & 1 else lo[voff[j] + t]
            if s <= 1.0:
                for t in range(m):
                    mats[j, rows, t] = hi[voff[j] + t] if (c >> t) & 1 else lo[voff[j] + t]
                mats[j, rows, m] = 1.0 - s
                rows += 1
                for t in range(m):
                    if (c >> t) & 1 == 0:
                        s2 = s - lo[voff[j] + t] + hi[voff[j] + t]
                        if s2 > 1.0:
                            for q in range(m):
                                mats[j, rows, q] = hi[voff[j] + q] if (c >> q) & 1 else lo[voff[j] + q]
                            mats[j, rows, t] = 1.0 - (s - lo[voff[j] + t])
                            mats[j, rows, m] = 0.0
                            rows += 1
        if rows == 0:
            return False
        mrows[j] = rows
    return True


@njit(cache=True)
def _set_point(x, k, voff, mats, mrows):
    """Rows = the one point ``x`` of free variables."""
    N = k.shape[0]
    for j in range(N):
        m = k[j] - 1
        mrows[j] = 1
        s = 0.0
        for t in range(m):
            v = x[voff[j] + t]
            mats[j, 0, t] = v
            s += v
        mats[j, 0, m] = 1.0 - s


@njit(cache=True)
def _range_excludes(system, rows, eps):
    """True when some equation's range over the box set in ``rows`` misses 0, or some outside action beats
    the support."""
    Tbuf, Toff, shape, k, supp, insupp, voff = system
    mats, mrows, dmats = rows
    N = shape.shape[0]
    for i in range(N):
        a_i = shape[i]
        V = _contract(Tbuf, Toff, i, shape, k, mats, mrows, dmats, -1)
        C = V.shape[0] // a_i
        ref = supp[i, 0]
        for b in range(a_i):
            if b == ref:
                continue
            lo = np.inf
            hi = -np.inf
            for c in range(C):
                d = V[b * C + c] - V[ref * C + c]
                if d < lo:
                    lo = d
                if d > hi:
                    hi = d
            if lo > eps:
                return True  # b does strictly better than the support everywhere in the box
            if insupp[i, b] and hi < -eps:
                return True
    return False


@njit(cache=True)
def _corner_pass(system, rows, lo, hi, eps, Jlo, Jhi):
    """Range test, hull-consistency narrowing and interval Jacobian from the box corners.

    ``rows.mats`` must hold the corners of the box ``lo``/``hi``. For each player the
    values of all actions at all corner combinations give:

    * the exact range of each equation over the box (exclusion if it misses 0) and
      of each outside action's gain (exclusion if positive everywhere);
    * narrowing: every equation (and outside-action inequality) is affine in each
      single variable ``x_t``; with ``v0``, ``v1`` its values at paired corners on
      the faces ``x_t = lo_t`` and ``x_t = hi_t``, its minimum (maximum) over the
      other variables at a given ``x_t`` is the minimum (maximum) of the segments
      between them, so ``x_t`` can only lie where some segment reaches 0;
    * the exact range of each partial derivative, ``(v1 - v0) / (hi_t - lo_t)``
      over the pairs (a multilinear function of the other variables).

    Narrows ``lo``/``hi`` in place and fills ``Jlo``/``Jhi`` (for the box before
    narrowing, which contains the narrowed one). Returns False if the box holds no
    solution.
    """
    Tbuf, Toff, shape, k, supp, insupp, voff = system
    mats, mrows, dmats = rows
    N = shape.shape[0]
    n = lo.shape[0]
    lo0 = lo.copy()
    hi0 = hi.copy()
    for a in range(n):
        for b in range(n):
            Jlo[a, b] = 0.0
            Jhi[a, b] = 0.0
    for i in range(N):
        a_i = shape[i]
        ref = supp[i, 0]
        V = _contract(Tbuf, Toff, i, shape, k, mats, mrows, dmats, -1)
        C = V.shape[0] // a_i
        # exact ranges over the box
        for act in range(a_i):
            if act == ref:
                continue
            vmin = np.inf
            vmax = -np.inf
            for c in range(C):
                d = V[act * C + c] - V[ref * C + c]
                if d < vmin:
                    vmin = d
                if d > vmax:
                    vmax = d
            if vmin > eps or (insupp[i, act] and vmax < -eps):
                return False
        for j in range(N):
            if j == i or k[j] <= 1:
                continue
            stride = 1
            for l in range(j + 1, N):
                if l != i:
                    stride *= mrows[l]
            rows_j = mrows[j]
            for b in range(k[j] - 1):
                t = voff[j] + b
                w = hi0[t] - lo0[t]
                if w <= 0.0:
                    continue
                step = (1 << b) * stride
                new_lo = 0.0
                new_hi = 1.0
                e = voff[i]
                for act in range(a_i):
                    if act == ref:
                        continue
                    equation = insupp[i, act]
                    le_lo = np.inf
                    le_hi = -np.inf
                    ge_lo = np.inf
                    ge_hi = -np.inf
                    dmin = np.inf
                    dmax = -np.inf
                    for c in range(C):
                        if (((c // stride) % rows_j) >> b) & 1:
                            continue
                        v0 = V[act * C + c] - V[ref * C + c]
                        v1 = V[act * C + c + step] - V[ref * C + c + step]
                        if v1 - v0 < dmin:
                            dmin = v1 - v0
                        if v1 - v0 > dmax:
                            dmax = v1 - v0
                        # where the segment is <= eps
                        if v0 <= eps:
                            le_lo = 0.0
                            if v1 <= eps:
                                le_hi = 1.0
                            else:
                                lam = (eps - v0) / (v1 - v0)
                                if lam > le_hi:
                                    le_hi = lam
                        elif v1 <= eps:
                            le_hi = 1.0
                            lam = (v0 - eps) / (v0 - v1)
                            if lam < le_lo:
                                le_lo = lam
                        if equation:
                            # where the segment is >= -eps
                            if v0 >= -eps:
                                ge_lo = 0.0
                                if v1 >= -eps:
                                    ge_hi = 1.0
                                else:
                                    lam = (v0 + eps) / (v0 - v1)
                                    if lam > ge_hi:
                                        ge_hi = lam
                            elif v1 >= -eps:
                                ge_hi = 1.0
                                lam = (-eps - v0) / (v1 - v0)
                                if lam < ge_lo:
                                    ge_lo = lam
                    if equation:
                        # support positions 1..k_i-1 are equations voff[i]..: find this action's row
                        r = 0
                        for q in range(1, k[i]):
                            if supp[i, q] == act:
                                r = q
                        Jlo[e + r - 1, t] = dmin / w
                        Jhi[e + r - 1, t] = dmax / w
                    else:
                        ge_lo = 0.0
                        ge_hi = 1.0
                    l2 = max(le_lo, ge_lo)
                    h2 = min(le_hi, ge_hi)
                    if l2 > h2:
                        return False
                    if l2 > new_lo:
                        new_lo = l2
                    if h2 < new_hi:
                        new_hi = h2
                # a little slack against rounding in the interpolation
                l3 = lo0[t] + max(new_lo - 1e-12, 0.0) * w
                h3 = lo0[t] + min(new_hi + 1e-12, 1.0) * w
                if l3 > lo[t]:
                    lo[t] = l3
                if h3 < hi[t]:
                    hi[t] = h3
                if lo[t] > hi[t]:
                    return False
    return True


@njit(cache=True)
def _values(system, rows, f, gmax):
    """At the point set in ``rows``: equation values ``f`` and, per player, the largest gain of an
    action outside the support over the reference action (``-inf`` when the support is everything)."""
    Tbuf, Toff, shape, k, supp, insupp, voff = system
    mats, mrows, dmats = rows
    N = shape.shape[0]
    for i in range(N):
        a_i = shape[i]
        V = _contract(Tbuf, Toff, i, shape, k, mats, mrows, dmats, -1)
        ref = supp[i, 0]
        for r in range(1, k[i]):
            f[voff[i] + r - 1] = V[supp[i, r]] - V[ref]
        best = -np.inf
        for b in range(a_i):
            if insupp[i, b]:
                continue
            d = V[b] - V[ref]
            if d > best:
                best = d
        gmax[i] = best


@njit(cache=True)
def _jacobian(system, rows, Jlo, Jhi):
    """Exact range of every partial derivative over the corners (or point) set in ``rows``."""
    Tbuf, Toff, shape, k, supp, insupp, voff = system
    mats, mrows, dmats = rows
    N = shape.shape[0]
    Jlo[:, :] = 0.0
    Jhi[:, :] = 0.0
    for i in range(N):
        if k[i] <= 1:
            continue
        a_i = shape[i]
        ref = supp[i, 0]
        for j in range(N):
            if j == i or k[j] <= 1:
                continue
            V = _contract(Tbuf, Toff, i, shape, k, mats, mrows, dmats, j)
            C = V.shape[0] // a_i
            # stride of player j's axis among the others' axes
            stride = 1
            for l in range(j + 1, N):
                if l != i:
                    stride *= mrows[l]
            mj = k[j] - 1
            for r in range(1, k[i]):
                e = voff[i] + r - 1
                act = supp[i, r]
                for t in range(mj):
                    Jlo[e, voff[j] + t] = np.inf
                    Jhi[e, voff[j] + t] = -np.inf
                for c in range(C):
                    t = (c // stride) % mj
                    d = V[act * C + c] - V[ref * C + c]
                    col = voff[j] + t
                    if d < Jlo[e, col]:
                        Jlo[e, col] = d
                    if d > Jhi[e, col]:
                        Jhi[e, col] = d


@njit(cache=True)
def _newton(x0, system, rows, ftol):
    """Newton's method from ``x0``; returns a :class:`NewtonResult` ``(x, converged, singular, gmax)``."""
    n = x0.shape[0]
    k, voff = system.k, system.voff
    mats, mrows = rows.mats, rows.mrows
    N = k.shape[0]
    x = x0.copy()
    f = np.empty(n)
    gmax = np.empty(N)
    Jlo = np.empty((n, n))
    Jhi = np.empty((n, n))
    work = np.empty((n, n))
    step = np.empty(n)
    small = 0
    converged = False
    singular = False
    for _ in range(60):
        _set_point(x, k, voff, mats, mrows)
        _values(system, rows, f, gmax)
        _jacobian(system, rows, Jlo, Jhi)
        for a in range(n):
            step[a] = f[a]
            for b in range(n):
                work[a, b] = Jlo[a, b]
        if solve_inplace(work, step, n, _PIVOT_ABS, _PIVOT_REL) != UNIQUE:
            # singular Jacobian: a least-squares step still moves onto a solution set
            step[:] = np.linalg.lstsq(Jlo, f)[0]
            singular = True
        big = 0.0
        for t in range(n):
            x[t] -= step[t]
            if abs(step[t]) > big:
                big = abs(step[t])
            if not np.isfinite(x[t]) or abs(x[t]) > 1e6:
                return NewtonResult(x, False, singular, gmax)
        if big <= 1e-15:
            small += 1
            if small >= 2:
                break
        else:
            small = 0
    _set_point(x, k, voff, mats, mrows)
    _values(system, rows, f, gmax)
    _jacobian(system, rows, Jlo, Jhi)
    res = 0.0
    for t in range(n):
        if abs(f[t]) > res:
            res = abs(f[t])
    converged = res <= ftol
    if n > 0:
        if np.linalg.cond(Jlo) > _COND_SINGULAR:
            singular = True
        else:
            singular = False
    return NewtonResult(x, converged, singular, gmax)


@njit(cache=True)
def _feasible(x, k, voff, ptol):
    """Whether the point gives nonnegative probabilities (within ``ptol``)."""
    N = k.shape[0]
    for j in range(N):
        s = 0.0
        for t in range(k[j] - 1):
            v = x[voff[j] + t]
            if v < -ptol:
                return False
            s += v
        if 1.0 - s < -ptol:
            return False
    return True


# ----------------------------------------------------------------------------- one support system
@njit(cache=True)
def _push_root(roots, nroots, x, gmax, tol):
    """Append free variables ``x`` and a tie flag (an unused action is also a best reply) to ``roots``."""
    n = x.shape[0]
    if nroots >= roots.shape[0]:
        bigger = np.empty((2 * roots.shape[0] + 4, roots.shape[1]))
        bigger[:nroots] = roots[:nroots]
        roots = bigger
    for t in range(n):
        roots[nroots, t] = x[t]
    tie = 0.0
    for i in range(gmax.shape[0]):
        if gmax[i] >= -tol:
            tie = 1.0
    roots[nroots, n] = tie
    return roots, nroots + 1


@njit(cache=True)
def _inbox(x, lo, hi, margin):
    for t in range(x.shape[0]):
        if x[t] < lo[t] - margin or x[t] > hi[t] + margin:
            return False
    return True


@njit(cache=True)
def new_box_search(n):
    """A :class:`BoxSearch` at its start: one box, the unit cube of the ``n`` free variables."""
    slo = np.empty((64, n))
    shi = np.empty((64, n))
    slo[0, :] = 0.0
    shi[0, :] = 1.0
    return BoxSearch(slo, shi, 1, np.empty((4, n + 1)), 0, 0, _PAUSED)


@njit(cache=True)
def _box_weight(system):
    """Work units of examining one box: the corner values of the contractions, plus the Krawczyk test."""
    shape, k, voff = system.shape, system.k, system.voff
    N = k.shape[0]
    w = voff[N] * voff[N]
    for i in range(N):
        c = shape[i]
        for j in range(N):
            if j != i:
                c *= 1 << (k[j] - 1)
        w += c
    return w


@njit(cache=True, inline="always")
def _push_box(slo, shi, top, lo, hi):
    """``slo``/``shi`` with the box ``lo``/``hi`` written at row ``top`` (grown when full)."""
    if top + 1 > slo.shape[0]:
        nlo = np.empty((2 * slo.shape[0], slo.shape[1]))
        nhi = np.empty((2 * slo.shape[0], slo.shape[1]))
        nlo[:top] = slo[:top]
        nhi[:top] = shi[:top]
        slo = nlo
        shi = nhi
    slo[top, :] = lo
    shi[top, :] = hi
    return slo, shi


@njit(cache=True)
def _solve_support(system, opts, search, budget):
    """All isolated solutions of one support system (a :class:`System`) that are equilibria, in pieces.

    ``opts`` is a :class:`SupportOptions`; ``search`` the :class:`BoxSearch` to continue
    (:func:`new_box_search` to start); ``budget`` the work units to spend in this call (-1: no limit; at
    least one box is examined). Returns the :class:`BoxSearch` after this call and the work units spent; its
    status is ``_PAUSED`` when boxes remain, else final, and then each row of ``roots[:nroots]`` holds the
    free variables (``sum(k) - N`` of them) followed by a tie flag.
    """
    k, voff = system.k, system.voff
    eps, ftol, tol, max_boxes, symmetric = opts
    N = k.shape[0]
    n = voff[N]
    maxk = 1
    for j in range(N):
        if k[j] > maxk:
            maxk = k[j]
    mats = np.zeros((N, (1 << (maxk - 1)) + (maxk - 1) * (1 << max(maxk - 2, 0)), maxk))
    mrows = np.ones(N, dtype=np.int64)
    dmats = np.zeros((N, max(maxk - 1, 1), maxk))
    for j in range(N):
        for t in range(k[j] - 1):
            dmats[j, t, t] = 1.0
            dmats[j, t, k[j] - 1] = -1.0
    rows = Rows(mats, mrows, dmats)
    ptol = 1e-9
    slo, shi, top, roots, nroots, boxes, _ = search
    f = np.empty(n)
    gmax = np.empty(N)

    if n == 0:
        x = np.empty(0)
        _set_point(x, k, voff, mats, mrows)
        _values(system, rows, f, gmax)
        if gmax.max() <= tol:
            roots, nroots = _push_root(roots, nroots, x, gmax, tol)
        return BoxSearch(slo, shi, 0, roots, nroots, 0, _OK), 1

    weight = _box_weight(system)
    spent = 0
    lo = np.empty(n)
    hi = np.empty(n)
    y = np.empty(n)
    rad = np.empty(n)
    Jlo = np.empty((n, n))
    Jhi = np.empty((n, n))
    Jc = np.empty((n, n))
    Y = np.empty((n, n))
    work = np.empty((n, n))
    Kc = np.empty(n)
    Kr = np.empty(n)
    while top > 0:
        top -= 1
        lo[:] = slo[top]
        hi[:] = shi[top]
        while True:  # work on this box until it is excluded, certified or split
            if budget >= 0 and spent > 0 and spent >= budget:
                # out of this call's budget: the box goes back on the stack, to be taken up first next time
                slo, shi = _push_box(slo, shi, top, lo, hi)
                return BoxSearch(slo, shi, top + 1, roots, nroots, boxes, _PAUSED), spent
            spent += weight
            boxes += 1
            if boxes > max_boxes:
                return BoxSearch(slo, shi, top, roots, _dedupe(roots, nroots, n), boxes, _CAPPED), spent
            if symmetric and not _sort_players(system.supp, k, voff, lo, hi):
                break
            # simplex constraints: x_t <= 1 - (sum of the other lower bounds of that player)
            empty = False
            for j in range(N):
                s = 0.0
                for t in range(k[j] - 1):
                    s += lo[voff[j] + t]
                if s > 1.0 + 1e-12:
                    empty = True
                    break
                for t in range(k[j] - 1):
                    u = 1.0 - (s - lo[voff[j] + t])
                    if hi[voff[j] + t] > u:
                        hi[voff[j] + t] = max(u, lo[voff[j] + t])
            if empty:
                break
            straddle = False
            for j in range(N):
                s = 0.0
                for t in range(k[j] - 1):
                    s += hi[voff[j] + t]
                if s > 1.0:
                    straddle = True
            if straddle:
                # the exact range over the feasible part needs the vertices of box and simplex
                if not _set_vertices(lo, hi, k, voff, mats, mrows):
                    break
                if _range_excludes(system, rows, eps):
                    break
            _set_corners(lo, hi, k, voff, mats, mrows)
            pairs_ok = True
            for t in range(n):
                y[t] = hi[t] - lo[t]
                if y[t] < _WDIRECT:
                    pairs_ok = False
            if not _corner_pass(system, rows, lo, hi, eps, Jlo, Jhi):
                break
            gain = 0.0
            for t in range(n):
                if y[t] > 0.0:
                    g = 1.0 - (hi[t] - lo[t]) / y[t]
                    if g > gain:
                        gain = g
            if gain > 0.35:
                continue  # narrowed well: propagate and test again
            width = 0.0
            for t in range(n):
                y[t] = 0.5 * (lo[t] + hi[t])
                rad[t] = 0.5 * (hi[t] - lo[t])
                if hi[t] - lo[t] > width:
                    width = hi[t] - lo[t]
            # Krawczyk test: interval Jacobian over the box, values at the centre
            shrunk = False
            ok = False
            if width <= _WKRAWCZYK:
                if not pairs_ok:
                    # narrow boxes: derivatives directly, not as differences of close values
                    _set_corners(lo, hi, k, voff, mats, mrows)
                    _jacobian(system, rows, Jlo, Jhi)
                _set_point(y, k, voff, mats, mrows)
                _values(system, rows, f, gmax)
                for a in range(n):
                    for b in range(n):
                        Jc[a, b] = 0.5 * (Jlo[a, b] + Jhi[a, b])
                ok = inverse_into(Jc, Y, work, _PIVOT_ABS, _PIVOT_REL)
            if ok:
                inside = True
                disjoint = False
                for a in range(n):
                    s = 0.0
                    for b in range(n):
                        s += Y[a, b] * f[b]
                    Kc[a] = y[a] - s
                    r = 0.0
                    for b in range(n):
                        # row a of |I - Y Jc| + |Y| rad(J), times the box radius
                        m = 0.0
                        wr = 0.0
                        for c in range(n):
                            m += Y[a, c] * Jc[c, b]
                            wr += abs(Y[a, c]) * 0.5 * (Jhi[c, b] - Jlo[c, b])
                        if a == b:
                            m = 1.0 - m
                        else:
                            m = -m
                        r += (abs(m) + wr) * rad[b]
                    Kr[a] = r + 1e-13 * (1.0 + abs(Kc[a]))
                    if Kc[a] - Kr[a] > hi[a] or Kc[a] + Kr[a] < lo[a]:
                        disjoint = True
                    if not (Kc[a] - Kr[a] > lo[a] and Kc[a] + Kr[a] < hi[a]):
                        inside = False
                if disjoint:
                    break
                if inside:
                    # exactly one root in the box: Newton from the centre converges to it
                    x, conv, sing, gm = _newton(y, system, rows, ftol)
                    if conv and _feasible(x, k, voff, ptol) and gm.max() <= tol:
                        roots, nroots = _push_root(roots, nroots, x, gm, tol)
                    break
                # shrink to the intersection with K(X) when that helps
                new_width = 0.0
                for a in range(n):
                    l2 = max(lo[a], Kc[a] - Kr[a])
                    h2 = min(hi[a], Kc[a] + Kr[a])
                    if h2 - l2 > new_width:
                        new_width = h2 - l2
                if new_width < 0.7 * width:
                    for a in range(n):
                        lo[a] = max(lo[a], Kc[a] - Kr[a])
                        hi[a] = min(hi[a], Kc[a] + Kr[a])
                    shrunk = True
            if shrunk:
                continue
            if width < _WNEWTON:
                x, conv, sing, gm = _newton(y, system, rows, ftol)
                if conv and sing and _inbox(x, lo, hi, 1e-6):
                    # a non-isolated (or multiple) solution: keep it if it is an equilibrium and
                    # give up the rest of this support, whose solution set is not finite here
                    if _feasible(x, k, voff, ptol) and gm.max() <= tol:
                        roots, nroots = _push_root(roots, nroots, x, gm, tol)
                    return BoxSearch(slo, shi, top, roots, _dedupe(roots, nroots, n), boxes, _SINGULAR), spent
                if width < _WMIN:
                    if conv and _inbox(x, lo, hi, 1e-7):
                        if _feasible(x, k, voff, ptol) and gm.max() <= tol:
                            roots, nroots = _push_root(roots, nroots, x, gm, tol)
                    else:
                        # a tiny box neither excluded nor resolved: the solution set is not
                        # made of regular points here; give up this support
                        return BoxSearch(slo, shi, top, roots, _dedupe(roots, nroots, n), boxes, _SINGULAR), spent
                    break
            # bisect the widest variable, off centre; keep the upper part, stack the lower
            best = 0
            bw = -1.0
            for t in range(n):
                if hi[t] - lo[t] > bw:
                    bw = hi[t] - lo[t]
                    best = t
            cut = lo[best] + _SPLIT * bw
            slo, shi = _push_box(slo, shi, top, lo, hi)
            shi[top, best] = cut
            top += 1
            lo[best] = cut
    return BoxSearch(slo, shi, 0, roots, _dedupe(roots, nroots, n), boxes, _OK), spent


@njit(cache=True)
def _dedupe(roots, nroots, n):
    """Drop repeated rows (a root on a face shared by two tiny boxes is found twice)."""
    keep = 0
    for r in range(nroots):
        dup = False
        for q in range(keep):
            d = 0.0
            for t in range(n):
                v = abs(roots[r, t] - roots[q, t])
                if v > d:
                    d = v
            if d <= 1e-9:
                dup = True
                break
        if not dup:
            if keep != r:
                roots[keep, :] = roots[r, :]
            keep += 1
    return keep


# ----------------------------------------------------------------------------- the enumeration
@njit(cache=True)
def _support_membership(supp, k, insupp):
    """``insupp[i, a]``: whether action ``a`` is in player ``i``'s support."""
    for j in range(k.shape[0]):
        insupp[j, :] = False
        for t in range(k[j]):
            insupp[j, supp[j, t]] = True


@njit(cache=True)
def _support_kernel(flat, shape, size_profiles, plan, opts, cursor):
    """Solve the support systems of the given support sizes, in order, from ``cursor`` on, for about
    ``plan.budget`` units of work.

    Parameters
    ----------
    flat : float64[:, :]
        ``(N, prod(shape))`` payoffs, each player's array flattened in C order.
    shape : int64[:]
        Actions per player.
    size_profiles : int64[:, :]
        Support sizes to visit, one row per size profile, in visiting order;
        within a row, supports are visited in lexicographic order (last player fastest).
    plan : SearchPlan
        ``stop_first`` (bool): return after the first support that yields an equilibrium (a later call
        goes on with the next support);
        ``max_supports`` (int64): stop after visiting this many support profiles in all (-1: no limit);
        ``budget`` (int64): return after about this many units of work (-1: no limit).
    opts : SupportOptions
        ``eps``, ``ftol``, ``tol`` (float64): exclusion margin, residual tolerance of a root, regret
        tolerance; ``max_boxes`` (int64): box budget of one support system; ``symmetric`` (bool): visit only
        sorted support profiles and sorted players' roots (the caller permutes them).
    cursor : Cursor
        Where to start: all zeros (and any :class:`BoxSearch`) at the beginning, then as the last call
        left it. ``pos``, ``supp`` and ``stats`` are updated in place; ``pos[3]`` is 1 once the enumeration
        has ended. ``stats``: visited, pruned, solved, boxes, singular supports, capped supports, hit
        ``max_supports``.

    Returns
    -------
    SupportSearch
    profiles : float64[:, :]
        One row per root of the supports finished in this call: the concatenated mixed strategies.
    ties : int64[:]
        1 where an unused action is also a best reply at the root.
    search : BoxSearch
        The paused support system (the ``search`` of the next call's cursor).
    work : int64
        Units of work done.
    """
    stop_first, max_supports, budget = plan
    symmetric = opts.symmetric
    pos, supp, stats, search = cursor
    eps = opts.eps
    N = shape.shape[0]
    strides = c_order_strides(shape)
    total = 0
    maxa = 0
    P = 1
    for j in range(N):
        total += shape[j]
        P *= shape[j]
        if shape[j] > maxa:
            maxa = shape[j]
    aoff = np.zeros(N + 1, dtype=np.int64)
    for j in range(N):
        aoff[j + 1] = aoff[j] + shape[j]
    out = np.zeros((16, total))
    ties = np.zeros(16, dtype=np.int64)
    nout = 0
    insupp = np.zeros((N, maxa), dtype=np.bool_)
    k = np.empty(N, dtype=np.int64)
    Tbuf = np.empty(N * P)
    Toff = np.empty(N + 1, dtype=np.int64)
    voff = np.empty(N + 1, dtype=np.int64)
    system = System(Tbuf, Toff, shape, k, supp, insupp, voff)
    visit = N * P  # work units of restricting the payoffs to one support profile
    spent = 0
    while pos[3] == 0 and pos[0] < size_profiles.shape[0]:
        p = pos[0]
        nvar = 0
        for j in range(N):
            k[j] = size_profiles[p, j]
            voff[j] = nvar
            nvar += k[j] - 1
        voff[N] = nvar
        if pos[1] == 0:
            for j in range(N):
                for t in range(k[j]):
                    supp[j, t] = t
            pos[1] = 1
        while True:
            found = False
            if pos[2] == 0 and symmetric and not _sorted_supports(supp, k):
                pass  # another support profile of its orbit is solved, and its roots permuted by the caller
            elif pos[2] == 0:  # a new support profile
                if max_supports >= 0 and stats[0] >= max_supports:
                    stats[6] = 1
                    pos[3] = 1
                    return SupportSearch(out[:nout], ties[:nout], search, spent)
                if budget >= 0 and spent >= budget:
                    return SupportSearch(out[:nout], ties[:nout], search, spent)
                stats[0] += 1
                spent += visit
                _support_membership(supp, k, insupp)
                _restrict(flat, shape, strides, supp, k, Tbuf, Toff)
                if _conditionally_dominated(Tbuf, Toff, shape, supp, k, eps):
                    stats[1] += 1
                else:
                    stats[2] += 1
                    search = new_box_search(nvar)
                    pos[2] = 1
            else:  # the support system paused by the last call: its restricted payoffs are made again
                spent += visit
                _support_membership(supp, k, insupp)
                _restrict(flat, shape, strides, supp, k, Tbuf, Toff)
            if pos[2] == 1:
                search, used = _solve_support(system, opts, search, max(budget - spent, 0) if budget >= 0 else -1)
                spent += used
                if search.status == _PAUSED:
                    return SupportSearch(out[:nout], ties[:nout], search, spent)
                pos[2] = 0
                stats[3] += search.boxes
                if search.status == _SINGULAR:
                    stats[4] += 1
                elif search.status == _CAPPED:
                    stats[5] += 1
                roots = search.roots
                for r in range(search.nroots):
                    if nout >= out.shape[0]:
                        bigger = np.zeros((2 * out.shape[0], total))
                        bigger[:nout] = out[:nout]
                        out = bigger
                        bt = np.zeros(2 * ties.shape[0], dtype=np.int64)
                        bt[:nout] = ties[:nout]
                        ties = bt
                    v = 0
                    for j in range(N):
                        s = 0.0
                        for t in range(k[j] - 1):
                            out[nout, aoff[j] + supp[j, t]] = roots[r, v]
                            s += roots[r, v]
                            v += 1
                        out[nout, aoff[j] + supp[j, k[j] - 1]] = 1.0 - s
                    ties[nout] = 1 if roots[r, v] > 0.5 else 0
                    nout += 1
                found = search.nroots > 0
            j = N - 1
            while j >= 0:
                if _next_combination(supp[j], k[j], shape[j]):
                    break
                j -= 1
            if j < 0:  # the row is done
                pos[0] += 1
                pos[1] = 0
            if stop_first and found:
                return SupportSearch(out[:nout], ties[:nout], search, spent)
            if j < 0:
                break
    pos[3] = 1
    return SupportSearch(out[:nout], ties[:nout], search, spent)
