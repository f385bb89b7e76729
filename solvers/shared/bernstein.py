r"""Zeros of polynomials in Bernstein form: on an interval, and common zeros of a system on a simplex.

A polynomial of degree :math:`n` on the simplex :math:`\Delta_{k-1} = \{x \in \mathbb{R}^k_{\ge 0} :
\sum_t x_t = 1\}` in *Bernstein form* is

.. math:: p(x) = \sum_{|c| = n} b_c\, B_c(x), \qquad B_c(x) = \binom{n}{c} \prod_t x_t^{c_t},

with one coefficient per composition :math:`c` of :math:`n` into :math:`k` parts (numbered as
:func:`coop.solvers.shared.compositions.compositions` numbers them). The expected payoff of an action
against :math:`n` co-players drawn i.i.d. from :math:`x` is exactly such a polynomial, its coefficients the
payoffs by composition (Hauert et al. 2006), so the Bernstein form is the game's own table.

Two facts make the form a root finder (Farouki 2012; Mourrain and Pavone 2009):

* **range enclosure**: the :math:`B_c` are non-negative and sum to one on the simplex, so
  :math:`\min_c b_c \le p(x) \le \max_c b_c` there; a polynomial whose coefficients all have one strict
  sign has no zero on the simplex;
* **subdivision**: the coefficients of the same polynomial on a sub-simplex follow from de Casteljau's
  algorithm. Splitting the edge :math:`(v_i, v_j)` at its midpoint :math:`w` runs the univariate de
  Casteljau algorithm at :math:`1/2` along every *line* of coefficients (the compositions that differ only
  in :math:`c_i` and :math:`c_j`), because the coefficient of :math:`c` on the child whose vertex
  :math:`v_j` became :math:`w` is the blossom :math:`\beta(v_i^{c_i}, w^{c_j}, \dots)` and the blossom is
  multi-affine.

:func:`simplex_zeros` finds the common zeros of :math:`k - 1` such polynomials on :math:`\Delta_{k-1}`:
it subdivides (longest edge first, depth first), discards every sub-simplex on which some polynomial's
coefficients all exceed a rounding margin in one sign, keeps the sub-simplices whose diameter falls below
``leaf`` (the *leaves*), and runs Newton's method (a Gauss-Newton pseudo-inverse step, so singular
Jacobians do not break it) from the centre and the vertices of each leaf. What it guarantees:

* every common zero in the closed simplex lies in a leaf: a sub-simplex is discarded only when its
  coefficients prove that one polynomial has no zero on it (the margin covers the rounding of the
  subdivision, a few units in the last place per level);
* a zero is returned when Newton's method converges to it from one of its leaf's points: for a
  nonsingular zero whose basin of quadratic convergence is wider than the leaf (``2 ** -10`` of the
  simplex by default) this is certain; leaves from which no zero is reached are counted
  (``unresolved``): they are most often the loose enclosures near two zero sets that come close without
  meeting;
* a set of zeros that is not isolated (a curve or a face of zeros, as when two actions always earn the
  same) is reported as ``degenerate`` instead of as a list of points: when a polynomial is identically zero,
  when the leaves exceed ``max_leaves``, or when at least :data:`CONTINUUM_POINTS` distinct zeros with a
  singular Jacobian are found.

:func:`interval_roots` is the univariate case (``k = 2``) with sign changes on a grid, Brent's method and
the roots of the polynomial in :math:`t = x / (1 - x)` for zeros where the polynomial touches zero.

References
----------
Farouki, R. T. (2012). The Bernstein polynomial basis: a centennial retrospective. *Computer Aided
Geometric Design* 29(6), 379-419.
Mourrain, B. and Pavone, J.-P. (2009). Subdivision methods for solving polynomial equations. *Journal of
Symbolic Computation* 44(3), 292-306.
Hauert, C., Michor, F., Nowak, M. A. and Doebeli, M. (2006). Synergy and discounting of cooperation in social
dilemmas. *Journal of Theoretical Biology* 239, 195-202.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from coop.solvers.shared.compositions import binomial_table, composition_rank, compositions
from coop.solvers.shared.jit import njit

#: Sign changes of a univariate polynomial are looked for on this many equal steps of (0, 1).
ROOT_GRID = 2048
#: Leaves of the simplex subdivision have at most this diameter (in barycentric coordinates).
LEAF_DIAMETER = 2.0**-10
#: More leaves than this mean a set of zeros that is not isolated (or a system too close to one).
MAX_LEAVES = 20_000
#: At least this many distinct zeros with a singular Jacobian are reported as a continuum.
CONTINUUM_POINTS = 3
#: Zeros closer than this (largest coordinate difference) are one zero.
MERGE_DISTANCE = 1e-8
#: The most work (:func:`subdivision_work`) one subdivision may take: about ten seconds of one core. Measured
#: on random games (standard normal payoffs), whole-simplex faces: 3 vertices, degree 49: 0.1 s (work 2,652);
#: 4 vertices, degree 19: 1.5-4 s (21,252); 4 vertices, degree 29: 60 s (59,520); 5 vertices, degree 9:
#: 9-18 s (45,760); 6 vertices, degree 7: 125 s (253,440). The enclosure of a degree-n polynomial on a piece
#: of diameter h is loose by about (n h)^2 of its range, so the pieces that survive grow like n^(k-1).
MAX_SUBDIVISION_WORK = 25_000


class SimplexSystem(NamedTuple):
    """A system of Bernstein polynomials on a simplex and the tables the kernels read (arrays only)."""

    coef: np.ndarray  # (E, C) coefficients of the E polynomials
    comps: np.ndarray  # (C, k) compositions of n into k parts
    multinomial: np.ndarray  # (C,) n! / prod c_t!
    lower: np.ndarray  # (C', k) compositions of n - 1
    lower_multinomial: np.ndarray  # (C',)
    up: np.ndarray  # (C', k) rank of lower[c] + e_t among comps
    line_idx: np.ndarray  # (P, C) the compositions line by line, for each pair of vertices
    line_off: np.ndarray  # (P, L + 1) where each line starts
    pairs: np.ndarray  # (P, 2) the pairs (i, j), i < j


class SubdivisionOptions(NamedTuple):
    leaf: float  # leaf diameter
    margin: float  # coefficients within this of zero count as either sign
    max_leaves: int
    max_depth: int


@njit(cache=True)
def _multinomials(comps, n):
    out = np.empty(comps.shape[0])
    base = math.lgamma(n + 1.0)
    for r in range(comps.shape[0]):
        v = base
        for t in range(comps.shape[1]):
            v -= math.lgamma(comps[r, t] + 1.0)
        out[r] = math.exp(v)
    return out


@njit(cache=True)
def _line_tables(comps, n, k, binom):
    """For every pair ``(i, j)``: the compositions grouped in lines (equal counts off ``i`` and ``j``), each line
    ordered by the count at ``j`` from 0 to ``c_i + c_j``."""
    npairs = k * (k - 1) // 2
    C = comps.shape[0]
    n_lines = 0
    for r in range(C):
        if comps[r, 1] == 0:
            n_lines += 1
    pairs = np.empty((npairs, 2), dtype=np.int64)
    idx = np.empty((npairs, C), dtype=np.int64)
    off = np.zeros((npairs, n_lines + 1), dtype=np.int64)
    tmp = np.empty(k, dtype=np.int64)
    p = 0
    for i in range(k):
        for j in range(i + 1, k):
            pairs[p, 0] = i
            pairs[p, 1] = j
            pos = 0
            line = 0
            for r in range(C):
                if comps[r, j] != 0:
                    continue
                off[p, line] = pos
                t = comps[r, i]
                for q in range(k):
                    tmp[q] = comps[r, q]
                for q in range(t + 1):
                    tmp[i] = t - q
                    tmp[j] = q
                    idx[p, pos] = composition_rank(tmp, n, binom)
                    pos += 1
                line += 1
            off[p, line] = pos
            p += 1
    return pairs, idx, off


@njit(cache=True)
def _up_table(lower, n, binom):
    C1, k = lower.shape
    up = np.empty((C1, k), dtype=np.int64)
    tmp = np.empty(k, dtype=np.int64)
    for r in range(C1):
        for t in range(k):
            for q in range(k):
                tmp[q] = lower[r, q]
            tmp[t] += 1
            up[r, t] = composition_rank(tmp, n, binom)
    return up


def derivative_tables(n: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The compositions of ``n - 1`` into ``k`` parts, their multinomial coefficients, and ``up[c, t]``: the rank of
    ``c + e_t`` among the compositions of ``n`` (what :func:`bernstein_gradient` reads; ``n >= 1``)."""
    binom = binomial_table(n + k, k)
    lower = compositions(n - 1, k)
    return lower, _multinomials(lower, n - 1), _up_table(lower, n, binom)


@njit(cache=True)
def bernstein_gradient(coef, lower, lower_multinomial, up, x):
    r"""``(E, k)``: the partial derivatives at ``x`` of the homogeneous polynomials of degree ``n`` with Bernstein
    coefficients ``coef`` (``(E, C)``), :math:`\partial_t p(x) = n \sum_{|c| = n-1} B_c(x)\, b_{c + e_t}`
    (tables from :func:`derivative_tables`)."""
    E = coef.shape[0]
    k = x.shape[0]
    n = 1
    for t in range(k):
        n += lower[0, t]
    out = np.zeros((E, k))
    for c in range(lower.shape[0]):
        w = lower_multinomial[c] * n
        for t in range(k):
            ct = lower[c, t]
            if ct > 0:
                w *= x[t] ** ct
        if w == 0.0:
            continue
        for e in range(E):
            for t in range(k):
                out[e, t] += w * coef[e, up[c, t]]
    return out


def simplex_system(coef: np.ndarray, n: int, k: int) -> SimplexSystem:
    """The kernels' tables for ``E`` polynomials of degree ``n`` on the simplex of ``k`` vertices (``coef``:
    ``(E, C(n + k - 1, k - 1))`` coefficients in composition order)."""
    binom = binomial_table(n + k, k)
    comps = compositions(n, k)
    lower = compositions(max(n - 1, 0), k)
    pairs, idx, off = _line_tables(comps, n, k, binom)
    up = _up_table(lower, n, binom) if n >= 1 else np.zeros((1, k), dtype=np.int64)
    return SimplexSystem(np.ascontiguousarray(coef, dtype=np.float64), comps, _multinomials(comps, n), lower,
                         _multinomials(lower, max(n - 1, 0)), up, idx, off, pairs)


@njit(cache=True)
def _split(src, dst_left, dst_right, line_idx, line_off, p, work):
    """Coefficients of the two halves of a split of pair ``p``'s edge (left: vertex ``j`` moved to the midpoint;
    right: vertex ``i`` moved to it), by de Casteljau at 1/2 along every line."""
    E = src.shape[0]
    n_lines = line_off.shape[1] - 1
    for e in range(E):
        for line in range(n_lines):
            a = line_off[p, line]
            b = line_off[p, line + 1]
            if b <= a:
                continue
            t = b - a - 1
            for q in range(t + 1):
                work[q] = src[e, line_idx[p, a + q]]
            dst_left[e, line_idx[p, a]] = work[0]
            dst_right[e, line_idx[p, b - 1]] = work[t]
            for r in range(1, t + 1):
                for q in range(t - r + 1):
                    work[q] = 0.5 * (work[q] + work[q + 1])
                dst_left[e, line_idx[p, a + r]] = work[0]
                dst_right[e, line_idx[p, b - 1 - r]] = work[t - r]


@njit(cache=True)
def _subdivide_kernel(system, opts):
    """Depth-first subdivision of the simplex; returns the leaves' vertices ``(L, k, k)``, their number, whether
    ``max_leaves`` was passed, and the number of sub-simplices visited."""
    coef = system.coef
    E, C = coef.shape
    k = system.comps.shape[1]
    depth = opts.max_depth
    stack_coef = np.empty((depth + 2, E, C))
    stack_verts = np.empty((depth + 2, k, k))
    stack_level = np.zeros(depth + 2, dtype=np.int64)
    leaves = np.empty((opts.max_leaves, k, k))
    work = np.empty(C + 1)
    stack_coef[0] = coef
    stack_verts[0] = np.eye(k)
    top = 1
    n_leaves = 0
    visited = 0
    overflow = False
    while top > 0:
        top -= 1
        visited += 1
        cur = stack_coef[top]
        verts = stack_verts[top].copy()
        level = stack_level[top]
        excluded = False
        for e in range(E):
            lo = np.inf
            hi = -np.inf
            for c in range(C):
                v = cur[e, c]
                if v < lo:
                    lo = v
                if v > hi:
                    hi = v
            if lo > opts.margin or hi < -opts.margin:
                excluded = True
                break
        if excluded:
            continue
        # the longest edge
        best = -1.0
        bi = 0
        bj = 1
        for i in range(k):
            for j in range(i + 1, k):
                d = 0.0
                for t in range(k):
                    d += (verts[i, t] - verts[j, t]) ** 2
                if d > best:
                    best = d
                    bi = i
                    bj = j
        if math.sqrt(best) <= opts.leaf or level >= depth:
            if n_leaves >= opts.max_leaves:
                overflow = True
                break
            leaves[n_leaves] = verts
            n_leaves += 1
            continue
        p = 0
        for i in range(bi):
            p += k - 1 - i
        p += bj - bi - 1
        # children: the right one (vertex i at the midpoint) goes below the left one on the stack
        left = stack_coef[top + 1]
        right = np.empty((E, C))
        _split(cur, left, right, system.line_idx, system.line_off, p, work)
        stack_coef[top] = right
        mid = 0.5 * (verts[bi] + verts[bj])
        stack_verts[top] = verts
        stack_verts[top, bi] = mid
        stack_level[top] = level + 1
        stack_verts[top + 1] = verts
        stack_verts[top + 1, bj] = mid
        stack_level[top + 1] = level + 1
        top += 2
    return leaves[:n_leaves].copy(), n_leaves, overflow, visited


@njit(cache=True)
def _evaluate(system, x, values, jac):
    """The polynomials at ``x`` (``values``, ``(E,)``) and their derivatives along ``e_t - e_0`` (``jac``,
    ``(E, k - 1)``) of the homogeneous extension."""
    coef = system.coef
    E, C = coef.shape
    k = x.shape[0]
    n = 0
    for t in range(k):
        n += system.comps[0, t]
    values[:] = 0.0
    for c in range(C):
        w = system.multinomial[c]
        for t in range(k):
            ct = system.comps[c, t]
            if ct > 0:
                w *= x[t] ** ct
        if w == 0.0:
            continue
        for e in range(E):
            values[e] += w * coef[e, c]
    jac[:, :] = 0.0
    if n == 0:
        return
    for c in range(system.lower.shape[0]):
        w = system.lower_multinomial[c]
        for t in range(k):
            ct = system.lower[c, t]
            if ct > 0:
                w *= x[t] ** ct
        if w == 0.0:
            continue
        w *= n
        for e in range(E):
            base = coef[e, system.up[c, 0]]
            for t in range(1, k):
                jac[e, t - 1] += w * (coef[e, system.up[c, t]] - base)


@njit(cache=True)
def _newton_kernel(system, x0, max_iter):
    """Gauss-Newton (pseudo-inverse steps) from ``x0`` on the hyperplane ``sum x = 1``; returns the point, the
    residual's largest magnitude and the Jacobian's singular values (largest first)."""
    k = x0.shape[0]
    E = system.coef.shape[0]
    x = x0.copy()
    values = np.empty(E)
    jac = np.empty((E, k - 1))
    for _ in range(max_iter):
        _evaluate(system, x, values, jac)
        step = np.linalg.pinv(jac) @ values
        size = np.abs(step).max()
        if size > 0.25:
            step *= 0.25 / size
        for t in range(1, k):
            x[t] -= step[t - 1]
        s = 0.0
        for t in range(1, k):
            s += x[t]
        x[0] = 1.0 - s
        if size <= 1e-15:
            break
    _evaluate(system, x, values, jac)
    sv = np.linalg.svd(jac)[1]
    return x, np.abs(values).max(), sv


@dataclass(frozen=True, eq=False)
class SimplexZeros:
    """The common zeros of a system of Bernstein polynomials on a simplex (:func:`simplex_zeros`).

    Attributes
    ----------
    points : numpy.ndarray
        ``(R, k)`` the zeros found, in barycentric coordinates (on the closed simplex).
    singular : numpy.ndarray
        ``(R,)`` bool: the Jacobian at the zero is singular (relative to the coefficients' size).
    degenerate : bool
        The zeros are not isolated (a curve or a face of zeros): ``points`` then holds witnesses only.
    leaves, unresolved, visited : int
        The subdivision's leaves, the leaves from which Newton's method reached no zero, the
        sub-simplices visited.
    """

    points: np.ndarray
    singular: np.ndarray
    degenerate: bool
    leaves: int
    unresolved: int
    visited: int


def subdivision_work(n: int, k: int) -> int:
    """The coefficients ``(k - 1) x C(n + k - 1, k - 1)`` one subdivision of ``k - 1`` polynomials of degree ``n``
    on ``k`` vertices carries, times ``4 ** (k - 3)`` for the pieces that a higher dimension adds (a measured
    proxy for its time: see :data:`MAX_SUBDIVISION_WORK`)."""
    return (k - 1) * math.comb(n + k - 1, k - 1) * 4 ** max(k - 3, 0)


def simplex_zeros(coef: np.ndarray, n: int, tol: float, leaf: float = LEAF_DIAMETER,
                  max_leaves: int = MAX_LEAVES) -> SimplexZeros:
    """Every common zero on the simplex of ``E = k - 1`` polynomials of degree ``n`` in Bernstein form.

    Parameters
    ----------
    coef : numpy.ndarray
        ``(k - 1, C(n + k - 1, k - 1))``: the coefficients, in composition order.
    n : int
        The degree.
    tol : float
        A residual at most ``tol`` counts as zero; coefficients at most ``tol`` in magnitude as zero
        (a polynomial with every coefficient so is identically zero).
    leaf, max_leaves
        The leaves' diameter and their largest number.

    Returns
    -------
    SimplexZeros
        See the module docstring for what is guaranteed.

    Examples
    --------
    Two lines in the triangle, :math:`x_1 = x_0` and :math:`x_2 = x_0` (degree 1: the coefficients are the
    values at the vertices), meet at the centre:

    >>> z = simplex_zeros(np.array([[-1.0, 1.0, 0.0], [-1.0, 0.0, 1.0]]), 1, 1e-12)
    >>> z.points.round(9).tolist(), z.degenerate
    ([[0.333333333, 0.333333333, 0.333333333]], False)
    """
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    E = coef.shape[0]
    k = E + 1
    if coef.shape[1] != math.comb(n + k - 1, k - 1):
        raise ValueError(f"{E} polynomials of degree {n} on {k} vertices need {math.comb(n + k - 1, k - 1)} "
                         f"coefficients each, got {coef.shape[1]}")
    empty = np.zeros((0, k))
    zero = np.all(np.abs(coef) <= tol, axis=1)
    if zero.all():
        return SimplexZeros(np.full((1, k), 1.0 / k), np.ones(1, dtype=bool), True, 0, 0, 0)
    # a polynomial identically zero leaves fewer equations than unknowns: zeros, if any, are not isolated
    live = coef[~zero]
    scale = float(np.abs(live).max())
    system = simplex_system(live, n, k)
    levels = math.ceil(math.log2(math.sqrt(2.0) / leaf)) + 2
    opts = SubdivisionOptions(leaf, 64.0 * np.finfo(float).eps * max(n, 1) * scale, max_leaves,
                              k * (k - 1) // 2 * levels + 8)
    leaves, n_leaves, overflow, visited = _subdivide_kernel(system, opts)
    found: list[np.ndarray] = []
    singular: list[bool] = []
    unresolved = 0
    for verts in leaves:
        if found and _holds_a_zero(verts, np.array(found)):
            continue  # a zero found from a neighbouring leaf lies in this one: resolved
        reached = False
        for x0 in (verts.mean(axis=0), *verts):
            x, resid, sv = _newton_kernel(system, x0, 60)
            if not (np.all(np.isfinite(x)) and resid <= tol and x.min() >= -1e-12):
                continue
            x = np.clip(x, 0.0, None)
            x /= x.sum()
            reached = True
            if not any(np.abs(x - y).max() <= MERGE_DISTANCE for y in found):
                found.append(x)
                singular.append(bool(sv.size < k - 1 or sv[-1] <= 1e-8 * scale * max(n, 1)))
            break
        unresolved += not reached
        if (zero.any() and found) or sum(singular) >= CONTINUUM_POINTS:
            break  # a set that is not isolated: one witness is enough
    points = np.array(found) if found else empty
    sing = np.array(singular, dtype=bool)
    degenerate = bool((zero.any() and found) or overflow or int(sing.sum()) >= CONTINUUM_POINTS)
    if degenerate:
        keep = sing if sing.any() else np.ones(len(points), dtype=bool)
        points, sing = points[keep][:1], sing[keep][:1]
    return SimplexZeros(points, sing, degenerate, int(n_leaves), unresolved, int(visited))


def _holds_a_zero(verts: np.ndarray, points: np.ndarray) -> bool:
    """Whether one of ``points`` lies in the sub-simplex ``verts`` (rows: vertices), enlarged by a tenth of its
    size: its barycentric coordinates there are all at least -0.1."""
    lam = np.linalg.lstsq(verts.T, points.T, rcond=None)[0]  # (k, R): points = verts.T @ lam
    return bool(np.any(np.all(lam >= -0.1, axis=0)))


def interval_roots(d: np.ndarray) -> list[float]:
    r"""Candidate roots in :math:`(0, 1)` of :math:`f(x) = \sum_j \binom{n}{j} x^j (1-x)^{n-j} d_j`.

    Sign changes on a grid of :data:`ROOT_GRID` steps refined by Brent's method, zeros of the grid, and the
    real positive roots of :math:`\sum_j \binom{n}{j} d_j t^j` (:math:`t = x / (1 - x)`), which also find roots
    where :math:`f` touches zero without changing sign. Sorted, not deduplicated: the caller verifies them.

    Examples
    --------
    >>> [round(r, 9) for r in sorted(set(round(v, 12) for v in interval_roots(np.array([-1.0, 1.0]))))]
    [0.5]
    """
    from scipy.optimize import brentq
    from scipy.stats import binom

    d = np.asarray(d, dtype=np.float64)
    n = d.size - 1
    j = np.arange(n + 1)

    def f(x: float) -> float:
        return float(binom.pmf(j, n, x) @ d)

    candidates: list[float] = []
    grid = np.linspace(0.0, 1.0, ROOT_GRID + 1)[1:-1]
    values = binom.pmf(j[:, None], n, grid[None, :]).T @ d
    signs = np.sign(values)
    for k in np.flatnonzero(signs[:-1] * signs[1:] < 0):
        candidates.append(brentq(f, grid[k], grid[k + 1], xtol=1e-15, rtol=4 * np.finfo(float).eps))
    for k in np.flatnonzero(values == 0.0):
        candidates.append(float(grid[k]))
    coeffs = np.array([math.comb(n, i) * d[i] for i in range(n + 1)], dtype=float)
    if np.any(coeffs):
        trimmed = np.trim_zeros(coeffs[::-1], "f")
        for t in np.roots(trimmed) if trimmed.size > 1 else ():
            if abs(t.imag) <= 1e-7 * max(1.0, abs(t)) and t.real > 0:
                candidates.append(float(t.real / (1.0 + t.real)))
    return sorted(c for c in candidates if 0.0 < c < 1.0)
