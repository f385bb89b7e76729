r"""Feasible, individually rational and subgame-perfect equilibrium payoff sets.

Three sets of payoff vectors of a stage game :math:`G` and its repetition:

* the **feasible set** :math:`F = \operatorname{conv}\{u(a) : a \in A\}`, the
  payoffs reachable with public randomisation over pure profiles;
* the **individually rational set** :math:`F \cap \{v : v_i \ge \underline v_i\}`
  with :math:`\underline v_i` the pure, mixed or correlated minmax value of
  :mod:`coop.solvers.repeated.minmax`;
* for two players, the set :math:`V(\delta)` of payoffs of the **pure-strategy
  subgame-perfect equilibria with public randomisation** of the repeated game
  with perfect monitoring and discount factor :math:`\delta`.

:math:`V` is the largest fixed point of the operator of Abreu, Pearce and
Stacchetti (1990),

.. math::
   B(W) = \bigcup_{a \in A} \Big\{ (1-\delta)\,u(a) + \delta w \;:\; w \in W,\;
   w_i \ge \min_{w' \in W} w'_i + \tfrac{1-\delta}{\delta}\,
   \big(\max_{a_i'} u_i(a_i', a_{-i}) - u_i(a)\big) \ \forall i \Big\},

convexified (public randomisation). :func:`equilibrium_payoff_set` computes it
by the **outer approximation** of Judd, Yeltekin and Conklin (2003): fix
directions :math:`h_1, \dots, h_D` on the unit circle (uniform, plus the axes
and the outward normals of the feasible set's edges), represent :math:`W` by
its support values :math:`c_l` (:math:`W = \{w : h_l \cdot w \le c_l\}`), and
iterate :math:`c_l \leftarrow \max_a \max_{w \in W \cap IC(a)} h_l \cdot
[(1-\delta)u(a) + \delta w]` from the support values of :math:`F`. Each
inner maximisation is a linear function over a convex polygon clipped by two
axis-parallel half-planes: the kernel clips the polygon (Sutherland-Hodgman)
and walks its vertices with rotating calipers, so one iteration costs
:math:`O(|A| (D + V))` operations and no linear programme is solved.

Every iterate contains :math:`V` (the operator is monotone and the outer hull
of a set contains it), the iterates decrease, and their limit tends to
:math:`V` as the directions grow dense. An **inner approximation** (the same
operator, but :math:`W` kept as the convex hull of the maximising points)
converges to a self-generating set, hence a subset of :math:`V`; the Hausdorff
distance between the two polygons bounds the error of either one
(``error_bound``).

At ``delta = 0`` only the first period counts and the set is computed exactly: the convex hull of the stage
game's pure Nash equilibrium payoffs (:func:`myopic_payoff_set`).

References
----------
Abreu, D., Pearce, D. and Stacchetti, E. (1990). Toward a theory of discounted repeated games with
imperfect monitoring. *Econometrica* 58(5), 1041-1063.
Judd, K. L., Yeltekin, S. and Conklin, J. (2003). Computing supergame equilibria. *Econometrica* 71(4),
1239-1254.
Mailath, G. J. and Samuelson, L. (2006). *Repeated Games and Reputations*. Oxford UP, ch. 2 (the one-shot
deviation principle, self-generation).
Abreu, D. and Sannikov, Y. (2014). An algorithm for two-player repeated games with perfect monitoring.
*Theoretical Economics* 9(2), 313-338 (the exact method QuantEcon implements; used in the tests).
"""

from __future__ import annotations

import itertools
import math
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.games.repeated import RepeatedGame, check_delta
from coop.solvers.repeated.minmax import MinmaxResult, minmax_values, pure_minmax
from coop.solvers.repeated.names import MINMAX_MODES, MinmaxMode
from coop.solvers.shared.jit import INTERPRETED, njit

#: default number of uniform directions of the outer approximation (axes and feasible-edge normals are added)
NUM_DIRECTIONS = 256
#: default convergence tolerance on the support values, relative to the payoff spread
SET_TOL = 1e-12
#: relative size under which two vertices are merged
_MERGE = 1e-12
#: relative slack of the incentive constraints: a hundred merges, so that merging the vertices of a polygon
#: (or rounding in them) never drops a continuation that meets an incentive constraint exactly
_SLACK = 1e-10
#: statuses returned by the kernel
_CONVERGED, _MAX_ITER, _EMPTY = 0, 1, 2
#: largest number of constraint subsets enumerated for a lower-dimensional N-player polytope
_MAX_SUBSETS = 200_000
#: up to this many subsets, an N-player polytope's vertices are enumerated directly (one batched solve)
#: rather than by a half-space intersection around an interior point found by LP
_DIRECT_SUBSETS = 20_000
#: below this sine of their angle, two lines are met along the first one rather than by Cramer's rule
_CRAMER_DET = 1e-3


# ----------------------------------------------------------------------------- kernel inputs and results
SetStage = namedtuple("SetStage", ["pay", "dev", "delta"])
SetStage.__doc__ = """The 2-player stage game and discount factor, as the set kernels read them.

Fields
------
pay : float64[:, :]
    ``(P, 2)`` payoff vector of each pure profile, profiles in flat C order.
dev : float64[:, :]
    ``(P, 2)`` each player's best deviation payoff at that profile.
delta : float64
    Discount factor in ``(0, 1)``.
"""

SetOptions = namedtuple("SetOptions", ["tol", "max_iter", "inner", "merge", "slack"])
SetOptions.__doc__ = """Options and tolerances of :func:`_equilibrium_set_kernel` (as QuantEcon's ``PivOptions``).

Fields
------
tol : float64
    Convergence tolerance on the support values (outer) and on the Hausdorff step (inner).
max_iter : int64
    Iteration cap of each approximation.
inner : bool
    Also run the inner approximation from the outer one's maximising points.
merge : float64
    Vertices closer than this (max norm) are merged; a caliper walk tolerates drops of four times this.
slack : float64
    Incentive constraints are relaxed by this much (well above ``merge`` and rounding).
"""

SetWorkspace = namedtuple("SetWorkspace", ["c_new", "arg", "buf1", "buf2"])
SetWorkspace.__doc__ = """Preallocated arrays of one step of the set operator (:func:`_apply_operator`), reused.

Fields
------
c_new : float64[:]
    ``(D,)`` output: support values of ``conv B(W)``.
arg : float64[:, :]
    ``(D, 2)`` output: the maximising point of each direction.
buf1, buf2 : float64[:, :]
    Scratch polygons of the two clips (at least ``2 m`` and ``4 m`` rows for an ``m``-gon: see
    :func:`_clip_axis`).
"""

SetKernelResult = namedtuple(
    "SetKernelResult", ["support", "outer", "inner", "outer_status", "outer_iter", "inner_status", "inner_iter"]
)
SetKernelResult.__doc__ = """What :func:`_equilibrium_set_kernel` returns.

Fields
------
support : float64[:]
    ``(D,)`` support values of the outer approximation.
outer : float64[:, :]
    Its vertices, counter-clockwise (empty when the set vanished).
inner : float64[:, :]
    Vertices of the inner approximation (empty if not run or if it vanished).
outer_status, inner_status : int64
    0 converged, 1 iteration cap, 2 empty set. The inner status is 1 when the inner approximation was
    not run, and 0 when the outer set is empty (there is nothing to approximate).
outer_iter, inner_iter : int64
    Iterations run by each approximation.
"""


# ----------------------------------------------------------------------------- kernels
@njit(cache=True)
def _hull_2d_kernel(pts, eps):
    """Convex hull of 2-D points sorted lexicographically (Andrew's monotone chain), counter-clockwise.

    Collinear and duplicate points are dropped (a turn must exceed ``eps`` in cross product).
    Returns the hull vertices, ``(k, 2)`` with ``k`` = 1 for a point and 2 for a segment.
    """
    n = pts.shape[0]
    out = np.empty((2 * n + 1, 2))
    k = 0
    for rnd in range(2):
        start = k
        for s in range(n):
            idx = s if rnd == 0 else n - 1 - s
            px = pts[idx, 0]
            py = pts[idx, 1]
            while k >= start + 2:
                ax = out[k - 2, 0]
                ay = out[k - 2, 1]
                bx = out[k - 1, 0]
                by = out[k - 1, 1]
                if (bx - ax) * (py - ay) - (by - ay) * (px - ax) > eps:
                    break
                k -= 1
            out[k, 0] = px
            out[k, 1] = py
            k += 1
        k -= 1  # the last point of each chain starts the other one
    if k < 1:
        k = 1
    res = out[:k].copy()
    # a point or a segment: the chains leave duplicates
    if k == 2 and abs(res[0, 0] - res[1, 0]) <= eps and abs(res[0, 1] - res[1, 1]) <= eps:
        res = res[:1].copy()
    return res


@njit(cache=True)
def _simplify_kernel(poly, dist):
    """Drop vertices of a counter-clockwise polygon within ``dist`` of a neighbour or of the line through
    their two neighbours (rounding-level duplicates, collinear points and dents); returns the rest."""
    pts = poly.copy()
    k = pts.shape[0]
    changed = True
    while changed and k > 1:
        changed = False
        for idx in range(k):
            nxt = idx + 1 if idx + 1 < k else 0
            if abs(pts[idx, 0] - pts[nxt, 0]) <= dist and abs(pts[idx, 1] - pts[nxt, 1]) <= dist:
                for q in range(nxt, k - 1):
                    pts[q, 0] = pts[q + 1, 0]
                    pts[q, 1] = pts[q + 1, 1]
                k -= 1
                changed = True
                break
        if changed or k < 3:
            continue
        for idx in range(k):
            prv = idx - 1 if idx > 0 else k - 1
            nxt = idx + 1 if idx + 1 < k else 0
            ex = pts[nxt, 0] - pts[prv, 0]
            ey = pts[nxt, 1] - pts[prv, 1]
            cross = ex * (pts[idx, 1] - pts[prv, 1]) - ey * (pts[idx, 0] - pts[prv, 0])
            ee = ex * ex + ey * ey
            if -cross > dist * np.sqrt(ee):
                continue  # a convex corner
            # a dent, or a point on the chord between its neighbours; not a tip that reaches past them (a flat
            # spike, or the far end of a sliver thinner than dist, which can lie on the inner side of a chord
            # as short as its width: a nearly degenerate game's set lost a whole end that way)
            t = (ex * (pts[idx, 0] - pts[prv, 0]) + ey * (pts[idx, 1] - pts[prv, 1])) / ee if ee > 0 else 0.5
            if -1e-9 <= t <= 1.0 + 1e-9:
                for q in range(idx, k - 1):
                    pts[q, 0] = pts[q + 1, 0]
                    pts[q, 1] = pts[q + 1, 1]
                k -= 1
                changed = True
                break
    return pts[:k].copy()


@njit(cache=True)
def _clip_axis(src, m, dst, axis, t):
    """Clip the convex polygon ``src[:m]`` (counter-clockwise) to ``{w : w[axis] >= t}``; returns the new size.

    A convex polygon gains at most one vertex, but rounding can leave ``src`` slightly non-convex, and then the
    line may cross it more than twice: the bound that holds for any cyclic sequence is ``2 m`` (each edge writes
    its start point and at most one crossing), so ``dst`` must have ``2 m`` rows.
    """
    if dst.shape[0] < 2 * m:
        raise ValueError("_clip_axis: the output buffer needs 2 m rows")
    k = 0
    for idx in range(m):
        nxt = idx + 1 if idx + 1 < m else 0
        p0 = src[idx, axis]
        p1 = src[nxt, axis]
        pin = p0 >= t
        nin = p1 >= t
        if pin:
            dst[k, 0] = src[idx, 0]
            dst[k, 1] = src[idx, 1]
            k += 1
        if pin != nin and m > 1:
            s = (t - p0) / (p1 - p0)
            dst[k, 0] = src[idx, 0] + s * (src[nxt, 0] - src[idx, 0])
            dst[k, 1] = src[idx, 1] + s * (src[nxt, 1] - src[idx, 1])
            dst[k, axis] = t
            k += 1
    return k


@njit(cache=True)
def _merge_close(poly, m, eps):
    """Drop vertices of the cyclic sequence ``poly[:m]`` within ``eps`` (max norm) of their predecessor."""
    if m <= 1:
        return m
    k = 1
    for idx in range(1, m):
        if abs(poly[idx, 0] - poly[k - 1, 0]) > eps or abs(poly[idx, 1] - poly[k - 1, 1]) > eps:
            poly[k, 0] = poly[idx, 0]
            poly[k, 1] = poly[idx, 1]
            k += 1
    while k > 1 and abs(poly[k - 1, 0] - poly[0, 0]) <= eps and abs(poly[k - 1, 1] - poly[0, 1]) <= eps:
        k -= 1
    return k


@njit(cache=True)
def _line_meet(H, c, l, r):
    """Where the lines ``H[l] . w = c[l]`` and ``H[r] . w = c[r]`` meet (``det > 0``), and the determinant of the
    two unit normals (the sine of the angle from ``H[l]`` to ``H[r]``).

    Cramer's rule errs by about the rounding of ``c`` over ``det`` in each coordinate, off the lines as much as
    along them: for nearly parallel lines the point would miss both by far more than rounding (and dent a
    thin polygon inwards). Below ``_CRAMER_DET`` the point is found from the foot of line ``l`` along it
    instead: it stays on line ``l``, and on line ``r`` up to rounding, and only its place along them is
    uncertain.
    """
    h1x = H[l, 0]
    h1y = H[l, 1]
    h2x = H[r, 0]
    h2y = H[r, 1]
    det = h1x * h2y - h1y * h2x
    if det >= _CRAMER_DET:
        return (c[l] * h2y - c[r] * h1y) / det, (h1x * c[r] - h2x * c[l]) / det, det
    s = (c[r] - c[l] * (h1x * h2x + h1y * h2y)) / det  # how far along line l, counter-clockwise
    return c[l] * h1x - s * h1y, c[l] * h1y + s * h1x, det


@njit(cache=True)
def _edge_length(H, c, p, l, n):
    """Signed length of line ``l``'s edge, from where it meets line ``p`` (before it) to where it meets line ``n``
    (after it), counter-clockwise; ``inf`` when a neighbour is pi or more away (no meeting point there)."""
    if not (H[p, 0] * H[l, 1] - H[p, 1] * H[l, 0] > 0.0 and H[l, 0] * H[n, 1] - H[l, 1] * H[n, 0] > 0.0):
        return np.inf  # left to the check of the final cycle
    x0, y0, _ = _line_meet(H, c, p, l)
    x1, y1, _ = _line_meet(H, c, l, n)
    return H[l, 0] * (y1 - y0) - H[l, 1] * (x1 - x0)


@njit(cache=True)
def _vertices_from_support(H, c, out, eps):
    """Vertices of the polygon ``{w : H w <= c}``, counter-clockwise, into ``out``; returns their number (<= D).

    ``H`` is sorted by angle with gaps below pi. When every half-plane touches the polygon (``c`` are the
    support values of a convex set), consecutive lines meet at its vertices (a vertex where several lines
    meet comes once per line: :func:`_merge_close` drops the copies). A line that does not touch it (a
    support value off by more than rounding, or one of two nearly parallel lines, whose meeting point
    rounding and the merge and slack tolerances move far along them) has an edge of negative length: the
    vertex cycle folds back or loops. A spike of the cycle lowers the punishments, so that the iteration
    no longer decreases (it ran away to 1e14 on nearly degenerate games, its non-convex iterates making
    the clips of :func:`_apply_operator` overflow their buffers), and a fold stops its walks short. Such
    lines are removed first, by the half-plane intersection of lines sorted by angle (a deque): a line goes
    when its edge, between the points where it meets its neighbours as computed, is shorter than ``-eps``.
    The tight lines of a well-conditioned polygon are all kept, and then its vertices are exactly the
    meeting points of consecutive lines; what remains folds back by at most ``eps``, which
    :func:`_merge_close` with the same ``eps`` removes.
    """
    D = H.shape[0]
    # the common case first: consecutive lines meet at the vertices and no edge folds back, so the deque below
    # would keep every line; the same points, with one meeting per line instead of four
    tidy = True
    for q in range(D):
        r = q + 1 if q + 1 < D else 0
        x, y, det = _line_meet(H, c, q, r)
        if not det > 0.0:
            tidy = False
            break
        out[q, 0] = x
        out[q, 1] = y
    if tidy:
        for q in range(D):
            prev = out[q - 1] if q > 0 else out[D - 1]
            if H[q, 0] * (out[q, 1] - prev[1]) - H[q, 1] * (out[q, 0] - prev[0]) < -eps:
                tidy = False
                break
    if tidy:
        return D
    dq = np.empty(D, dtype=np.int64)
    lo = 0
    hi = 0  # the surviving lines are dq[lo:hi], by angle
    for n in range(D):
        while hi - lo >= 2 and _edge_length(H, c, dq[hi - 2], dq[hi - 1], n) < -eps:
            hi -= 1
        while hi - lo >= 2 and _edge_length(H, c, n, dq[lo], dq[lo + 1]) < -eps:
            lo += 1
        dq[hi] = n
        hi += 1
    # the last lines against the first ones, until neither end folds
    changed = True
    while changed and hi - lo >= 3:
        changed = False
        if _edge_length(H, c, dq[hi - 2], dq[hi - 1], dq[lo]) < -eps:
            hi -= 1
            changed = True
        elif _edge_length(H, c, dq[hi - 1], dq[lo], dq[lo + 1]) < -eps:
            lo += 1
            changed = True
    ok = hi - lo >= 3
    for q in range(lo, hi):
        r = dq[q + 1] if q + 1 < hi else dq[lo]
        if not H[dq[q], 0] * H[r, 1] - H[dq[q], 1] * H[r, 0] > 0.0:
            ok = False  # consecutive survivors pi or more apart: the polygon is empty up to rounding
    if not ok:  # unreachable for support values of a non-empty set; keep every line (memory-safe either way)
        lo = 0
        hi = D
        for q in range(D):
            dq[q] = q
    k = 0
    for q in range(lo, hi):
        r = q + 1 if q + 1 < hi else lo
        x, y, _ = _line_meet(H, c, dq[q], dq[r])
        out[k, 0] = x
        out[k, 1] = y
        k += 1
    return k


@njit(cache=True)
def _apply_operator(H, poly, m, thr, stage, opts, work):
    """One step of the set operator on the polygon ``poly[:m]``.

    For each pure profile ``a`` (rows of ``stage.pay``), clip the polygon to the incentive region
    ``w >= thr[a] - opts.slack`` and, for every direction (rows of ``H``), take the best point of the
    clipped polygon (rotating calipers; a walk tolerates drops of ``4 opts.merge``). Writes the
    support values of ``conv B(W)`` into ``work.c_new`` and the maximising points into ``work.arg``
    (a :class:`SetWorkspace`); returns False when no profile has an incentive-compatible continuation.
    """
    pay = stage.pay
    delta = stage.delta
    slack = opts.slack
    # a polygon of _vertices_from_support folds back by at most merge, and merging its vertices moves them by
    # at most merge more: a walk stopped by a smaller drop could end at a fold, far from the best vertex
    walk = 4.0 * opts.merge
    c_new = work.c_new
    arg = work.arg
    buf1 = work.buf1
    buf2 = work.buf2
    D = H.shape[0]
    P = pay.shape[0]
    for l in range(D):
        c_new[l] = -np.inf
    found = False
    for a in range(P):
        # the axes as int64, not literals: a literal argument would compile _clip_axis once per value
        k1 = _clip_axis(poly, m, buf1, np.int64(0), thr[a, 0] - slack)
        if k1 == 0:
            continue
        k2 = _clip_axis(buf1, k1, buf2, np.int64(1), thr[a, 1] - slack)
        if k2 == 0:
            continue
        found = True
        ux = (1.0 - delta) * pay[a, 0]
        uy = (1.0 - delta) * pay[a, 1]
        # the best vertex for the first direction by a full scan, then walk counter-clockwise
        j = 0
        best = H[0, 0] * buf2[0, 0] + H[0, 1] * buf2[0, 1]
        for q in range(1, k2):
            v = H[0, 0] * buf2[q, 0] + H[0, 1] * buf2[q, 1]
            if v > best:
                best = v
                j = q
        for l in range(D):
            hx = H[l, 0]
            hy = H[l, 1]
            # walk on while the value does not drop by more than rounding (near-duplicate vertices can
            # make a polygon very slightly non-convex), remembering the best vertex seen
            cur = hx * buf2[j, 0] + hy * buf2[j, 1]
            top = cur
            jt = j
            for _ in range(k2 - 1):
                nj = j + 1 if j + 1 < k2 else 0
                nv = hx * buf2[nj, 0] + hy * buf2[nj, 1]
                if nv < cur - walk:
                    break
                j = nj
                cur = nv
                if nv >= top:
                    top = nv
                    jt = nj
            j = jt
            cur = top
            val = hx * ux + hy * uy + delta * cur
            if val > c_new[l]:
                c_new[l] = val
                arg[l, 0] = ux + delta * buf2[j, 0]
                arg[l, 1] = uy + delta * buf2[j, 1]
    return found


def _vertices_from_support_interpreted(H, c, out, eps):
    """:func:`_vertices_from_support` for a process that runs the kernels as plain Python, with the same result.

    Its common case, where consecutive lines meet at the polygon's vertices, in whole arrays: the same meeting
    points as :func:`_line_meet` (both of its formulas, each where it applies) and the same check that no edge
    folds back; otherwise the line-by-line function, which removes the lines that do not touch the polygon.
    """
    D = H.shape[0]
    nxt = np.roll(np.arange(D), -1)
    h1x, h1y, h2x, h2y = H[:, 0], H[:, 1], H[nxt, 0], H[nxt, 1]
    cl, cr = c, c[nxt]
    det = h1x * h2y - h1y * h2x
    if not np.all(det > 0.0):
        return _vertices_from_lines(H, c, out, eps)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = (cr - cl * (h1x * h2x + h1y * h2y)) / det
        cramer = det >= _CRAMER_DET
        x = np.where(cramer, (cl * h2y - cr * h1y) / det, cl * h1x - s * h1y)
        y = np.where(cramer, (h1x * cr - h2x * cl) / det, cl * h1y + s * h1x)
    folds = H[:, 0] * (y - np.roll(y, 1)) - H[:, 1] * (x - np.roll(x, 1)) < -eps
    if folds.any():
        return _vertices_from_lines(H, c, out, eps)
    out[:D, 0] = x
    out[:D, 1] = y
    return D


def _apply_operator_interpreted(H, poly, m, thr, stage, opts, work):
    """:func:`_apply_operator` for a process that runs the kernels as plain Python, with the same result.

    The caliper walk costs a Python step per direction and profile (about 1.5 ms per iteration of a 2x2 game
    with 256 directions, most of a small scenario's run); here each profile's values in every direction are one
    array, ``hx * x + hy * y`` as the walk computes them. Where one vertex alone comes within the walk's
    tolerance of a direction's maximum, the walk ends there (the polygon is convex up to that tolerance); where
    several do (an edge perpendicular to the direction, or vertices merged by rounding), the walk is replayed
    from the previous direction's vertex, so that ties end where the compiled walk ends them.
    """
    pay = stage.pay
    delta = stage.delta
    slack = opts.slack
    walk = 4.0 * opts.merge
    c_new = work.c_new
    arg = work.arg
    hx = H[:, 0]
    hy = H[:, 1]
    c_new[:] = -np.inf
    found = False
    for a in range(pay.shape[0]):
        k1 = _clip_axis(poly, m, work.buf1, np.int64(0), thr[a, 0] - slack)
        if k1 == 0:
            continue
        k2 = _clip_axis(work.buf1, k1, work.buf2, np.int64(1), thr[a, 1] - slack)
        if k2 == 0:
            continue
        found = True
        ux = (1.0 - delta) * pay[a, 0]
        uy = (1.0 - delta) * pay[a, 1]
        px = work.buf2[:k2, 0]
        py = work.buf2[:k2, 1]
        values = hx[:, None] * px[None, :] + hy[:, None] * py[None, :]  # (D, k2)
        ends = values.argmax(axis=1)
        tops = values[np.arange(len(ends)), ends]
        close = np.count_nonzero(values >= (tops - walk)[:, None], axis=1)
        for l in np.flatnonzero(close > 1):
            j = ends[l - 1] if l > 0 else ends[0]  # direction 0 starts at its first maximum, as the walk does
            row = values[l]
            cur = row[j]
            top = cur
            end = j
            for _ in range(k2 - 1):
                nj = j + 1 if j + 1 < k2 else 0
                if row[nj] < cur - walk:
                    break
                j = nj
                cur = row[nj]
                if cur >= top:
                    top = cur
                    end = nj
            ends[l] = end
            tops[l] = top
        vals = hx * ux + hy * uy + delta * tops
        better = vals > c_new
        c_new[better] = vals[better]
        arg[better, 0] = ux + delta * px[ends[better]]
        arg[better, 1] = uy + delta * py[ends[better]]
    return found


_vertices_from_lines = _vertices_from_support
if INTERPRETED:  # plain-Python kernels: whole-array versions of the two loops each iteration runs
    _apply_operator = _apply_operator_interpreted  # type: ignore[assignment]  # njit gives a function then
    _vertices_from_support = _vertices_from_support_interpreted  # type: ignore[assignment]


@njit(cache=True)
def _incentive_thresholds(poly, m, pay, dev, gain, thr):
    """For each profile ``a``, the least continuation of each player that keeps ``a`` incentive compatible.

    With ``w_i`` the worst continuation of player ``i`` in the polygon ``poly[:m]`` (the punishment),
    playing ``a`` today needs ``w >= w_i + (1 - delta)/delta (u_i(best deviation) - u_i(a))``.
    """
    lo0 = poly[0, 0]
    lo1 = poly[0, 1]
    for q in range(1, m):
        lo0 = min(lo0, poly[q, 0])
        lo1 = min(lo1, poly[q, 1])
    for a in range(pay.shape[0]):
        thr[a, 0] = lo0 + gain * (dev[a, 0] - pay[a, 0])
        thr[a, 1] = lo1 + gain * (dev[a, 1] - pay[a, 1])


@njit(cache=True)
def _equilibrium_set_kernel(H, c0, stage, opts):
    """Outer (and optionally inner) approximation of the pure SPE payoff set of a 2-player repeated game.

    Parameters
    ----------
    H : float64[:, :]
        ``(D, 2)`` unit directions sorted by angle, gaps below pi.
    c0 : float64[:]
        Initial support values (those of the feasible set).
    stage : SetStage
        Payoffs, best deviation payoffs and discount factor.
    opts : SetOptions
        Tolerance, iteration cap, whether to run the inner approximation, merge distance and slack.

    Returns
    -------
    SetKernelResult
        Support values and vertices of the outer approximation, vertices of the inner one, and the
        status and iteration count of each.
    """
    pay = stage.pay
    dev = stage.dev
    delta = stage.delta
    tol = opts.tol
    max_iter = opts.max_iter
    merge = opts.merge
    D = H.shape[0]
    P = pay.shape[0]
    cap = D + 8
    poly = np.empty((cap, 2))
    work = SetWorkspace(np.empty(D), np.empty((D, 2)), np.empty((2 * cap, 2)), np.empty((4 * cap, 2)))
    c_new = work.c_new
    arg = work.arg
    thr = np.empty((P, 2))
    gain = (1.0 - delta) / delta
    c = c0.copy()
    outer_status = _MAX_ITER
    it = 0
    while it < max_iter:
        m = _vertices_from_support(H, c, poly, merge)
        m = _merge_close(poly, m, merge)
        _incentive_thresholds(poly, m, pay, dev, gain, thr)
        it += 1
        if not _apply_operator(H, poly, m, thr, stage, opts, work):
            outer_status = _EMPTY
            break
        diff = 0.0
        for l in range(D):
            diff = max(diff, abs(c_new[l] - c[l]))
            c[l] = c_new[l]
        if diff <= tol:
            outer_status = _CONVERGED
            break
    outer_iter = it
    if outer_status == _EMPTY:
        return SetKernelResult(c, np.empty((0, 2)), np.empty((0, 2)), outer_status, outer_iter, _CONVERGED, 0)
    m = _vertices_from_support(H, c, poly, merge)
    m = _merge_close(poly, m, merge)
    outer = poly[:m].copy()
    inner_status = _MAX_ITER
    if not opts.inner:
        return SetKernelResult(c, outer, np.empty((0, 2)), outer_status, outer_iter, inner_status, 0)
    # inner approximation: W is the convex hull of the maximising points (already in counter-clockwise order),
    # iterated until the maximising points themselves settle (then W = conv of points of B(W): self-generating)
    ip = np.empty((cap, 2))
    prev = np.empty((cap, 2))
    for l in range(D):
        ip[l, 0] = arg[l, 0]
        ip[l, 1] = arg[l, 1]
    mi = _merge_close(ip, D, merge)
    it = 0
    inner_cap = min(max_iter, 10 * outer_iter + 1000)  # ties can make the points cycle: do not wait forever
    while it < inner_cap:
        _incentive_thresholds(ip, mi, pay, dev, gain, thr)
        it += 1
        if not _apply_operator(H, ip, mi, thr, stage, opts, work):
            inner_status = _EMPTY
            break
        mp = mi
        for q in range(mi):
            prev[q, 0] = ip[q, 0]
            prev[q, 1] = ip[q, 1]
        for l in range(D):
            ip[l, 0] = arg[l, 0]
            ip[l, 1] = arg[l, 1]
        mi = _merge_close(ip, D, merge)
        # Hausdorff distance between the old and the new polygon
        diff = 0.0
        for q in range(mi):
            diff = max(diff, _point_polygon_distance(ip[q, 0], ip[q, 1], prev, mp))
        for q in range(mp):
            diff = max(diff, _point_polygon_distance(prev[q, 0], prev[q, 1], ip, mi))
        if diff <= tol:
            inner_status = _CONVERGED
            break
    if inner_status == _EMPTY:
        return SetKernelResult(c, outer, np.empty((0, 2)), outer_status, outer_iter, inner_status, it)
    return SetKernelResult(c, outer, ip[:mi].copy(), outer_status, outer_iter, inner_status, it)


@njit(cache=True)
def _point_polygon_distance(px, py, poly, m):
    """Distance from ``(px, py)`` to the convex polygon ``poly[:m]`` (counter-clockwise); 0 inside."""
    best = np.inf
    inside = m >= 3
    for i in range(m):
        j = i + 1 if i + 1 < m else 0
        ex = poly[j, 0] - poly[i, 0]
        ey = poly[j, 1] - poly[i, 1]
        dx = px - poly[i, 0]
        dy = py - poly[i, 1]
        if ex * dy - ey * dx < 0.0:
            inside = False
        ee = ex * ex + ey * ey
        t = 0.0 if ee == 0.0 else min(1.0, max(0.0, (dx * ex + dy * ey) / ee))
        best = min(best, np.sqrt((dx - t * ex) ** 2 + (dy - t * ey) ** 2))
    return 0.0 if inside else best


@njit(cache=True)
def _generated_points(poly, pay, dev, delta, slack):
    """Vertices of every piece ``(1-delta) u(a) + delta (W ∩ IC(a))`` of ``B(W)``, ``W`` the polygon ``poly``."""
    m = poly.shape[0]
    P = pay.shape[0]
    gain = (1.0 - delta) / delta
    lo0 = poly[0, 0]
    lo1 = poly[0, 1]
    for q in range(1, m):
        lo0 = min(lo0, poly[q, 0])
        lo1 = min(lo1, poly[q, 1])
    buf1 = np.empty((2 * m, 2))  # the bounds of _clip_axis
    buf2 = np.empty((4 * m, 2))
    out = np.empty((P * 4 * m, 2))
    k = 0
    for a in range(P):
        k1 = _clip_axis(poly, m, buf1, np.int64(0), lo0 + gain * (dev[a, 0] - pay[a, 0]) - slack)
        if k1 == 0:
            continue
        k2 = _clip_axis(buf1, k1, buf2, np.int64(1), lo1 + gain * (dev[a, 1] - pay[a, 1]) - slack)
        for q in range(k2):
            out[k, 0] = (1.0 - delta) * pay[a, 0] + delta * buf2[q, 0]
            out[k, 1] = (1.0 - delta) * pay[a, 1] + delta * buf2[q, 1]
            k += 1
    return out[:k].copy()


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class PayoffSet:
    """A convex set of payoff vectors, given by its vertices.

    Attributes
    ----------
    game : NormalFormGame
        The stage game.
    kind : str
        ``"feasible"`` or ``"individually_rational"``.
    vertices : numpy.ndarray
        ``(k, N)`` extreme points. With two players they are ordered counter-clockwise (a point
        has one row, a segment its two end points); with more players they are sorted
        lexicographically. An empty set has ``k = 0``.
    dimension : int
        Affine dimension of the set: -1 empty, 0 a point, 1 a segment, and so on.
    thresholds : numpy.ndarray or None
        ``(N,)`` lower bounds ``v_i >= thresholds[i]`` that cut the feasible set (IR sets only).
    minmax : str or None
        Which minmax the thresholds are: ``"pure"``, ``"mixed"`` or ``"correlated"``.
    notes : tuple of str
        Plain-language remarks.
    """

    game: NormalFormGame
    kind: str
    vertices: np.ndarray
    dimension: int
    thresholds: np.ndarray | None = None
    minmax: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return self.dimension < 0

    def to_dict(self, game: NormalFormGame | None = None) -> dict[str, Any]:
        g = self.game if game is None else game
        out: dict[str, Any] = {
            "kind": self.kind,
            "players": list(g.players),
            "dimension": int(self.dimension),
            "empty": self.empty,
            "vertices": [{p: float(v[i]) for i, p in enumerate(g.players)} for v in self.vertices],
        }
        if self.thresholds is not None:
            out["minmax"] = self.minmax
            out["thresholds"] = {p: float(self.thresholds[i]) for i, p in enumerate(g.players)}
        out["notes"] = list(self.notes)
        return out


@dataclass(frozen=True, eq=False)
class EquilibriumPayoffSet:
    """Outer (and inner) approximation of the pure-strategy SPE payoff set of a 2-player repeated game.

    Attributes
    ----------
    game : NormalFormGame
        The stage game.
    delta : float
        Discount factor.
    vertices : numpy.ndarray
        ``(k, 2)`` vertices of the outer approximation, counter-clockwise from the lexicographically
        smallest (``k = 0`` when empty; one row for a point, two for a segment). It contains the true set.
    inner_vertices : numpy.ndarray
        ``(k', 2)`` vertices of the inner approximation, counter-clockwise: a self-generating set,
        so (up to ``tol``) made of equilibrium payoffs. Empty if not computed or if it vanished.
    directions : numpy.ndarray
        ``(D, 2)`` unit directions ``h_l``, by angle.
    support : numpy.ndarray
        ``(D,)`` support values of the outer approximation: ``h_l . w <= support[l]``.
    punishment : numpy.ndarray
        ``(2,)`` each player's lowest payoff in the outer approximation: a lower bound on the
        worst equilibrium payoff (``nan`` when empty).
    inner_punishment : numpy.ndarray
        ``(2,)`` the same in the inner approximation: an upper bound on the worst equilibrium payoff.
    empty : bool
        True when the outer approximation vanished: then the game has no pure-strategy SPE.
    converged, inner_converged : bool
        Whether the support values settled within ``tol``.
    num_iter, inner_num_iter : int
        Iterations of each approximation.
    error_bound : float or None
        Hausdorff distance between the outer and inner approximations, plus ``2 (tol + slack) /
        (1 - delta)`` for the iterations stopped at ``tol`` and the slack of the incentive
        constraints. The inner polygon is checked to be self-generating (each vertex a lottery over
        payoffs it generates), so the true set lies between the two polygons and neither is farther
        than this from it. ``None`` without a converged, checked, non-empty inner approximation.
    step_bound : float
        A priori bound of one outer step, ``diam(F)/2 * tan(theta/2)`` with ``theta`` the widest gap
        between directions: how far the outer polygon of a set can lie from the set itself.
    tol : float
        Convergence tolerance on the support values. (The incentive constraints are relaxed by
        ``1e-10`` times the payoff spread, so that rounding never drops an exactly binding one.)
    notes : tuple of str
        Plain-language remarks.
    """

    game: NormalFormGame
    delta: float
    vertices: np.ndarray
    inner_vertices: np.ndarray
    directions: np.ndarray
    support: np.ndarray
    punishment: np.ndarray
    inner_punishment: np.ndarray
    empty: bool
    converged: bool
    inner_converged: bool
    num_iter: int
    inner_num_iter: int
    error_bound: float | None
    step_bound: float
    tol: float
    method: str = "jyc_outer"
    notes: tuple[str, ...] = field(default=())
    stage_nash_payoffs: np.ndarray | None = None

    @property
    def complete(self) -> bool:
        """Whether neither approximation stopped at its iteration cap (an empty outer set is complete)."""
        return self.reason is None

    @property
    def reason(self) -> str | None:
        """Why the set is incomplete, in a sentence (``None`` when it is not)."""
        if self.empty:
            return None
        parts = []
        if not self.converged:
            parts.append(f"the outer approximation stopped at its iteration cap ({self.num_iter:,} iterations) "
                         "before its support values settled: the set shown contains the equilibrium payoffs but "
                         "may be too large")
        if self.inner_stopped:
            parts.append(f"the inner approximation stopped at its iteration cap ({self.inner_num_iter:,} "
                         "iterations): there is no error bound")
        return "; ".join(parts) or None

    @property
    def inner_stopped(self) -> bool:
        """Whether the inner approximation was cut off by its iteration cap (not settled, not vanished)."""
        return not self.inner_converged and len(self.inner_vertices) > 0

    def to_dict(self, game: NormalFormGame | None = None) -> dict[str, Any]:
        g = self.game if game is None else game

        def pts(v: np.ndarray) -> list[dict[str, float]]:
            return [{p: float(x[i]) for i, p in enumerate(g.players)} for x in v]

        def vec(v: np.ndarray) -> dict[str, float | None]:
            return {p: (None if not np.isfinite(v[i]) else float(v[i])) for i, p in enumerate(g.players)}

        return {
            "method": self.method,
            "delta": self.delta,
            "players": list(g.players),
            "empty": self.empty,
            "converged": self.converged,
            "num_iter": int(self.num_iter),
            "vertices": pts(self.vertices),
            "inner_vertices": pts(self.inner_vertices),
            "inner_converged": self.inner_converged,
            "inner_num_iter": int(self.inner_num_iter),
            "punishment": vec(self.punishment),
            "inner_punishment": vec(self.inner_punishment),
            "error_bound": self.error_bound,
            "step_bound": self.step_bound,
            "num_directions": int(self.directions.shape[0]),
            "tol": self.tol,
            "notes": list(self.notes),
            "complete": self.complete,
            "reason": self.reason,
            **({} if self.stage_nash_payoffs is None else {"stage_nash_payoffs": pts(self.stage_nash_payoffs)}),
        }


# ----------------------------------------------------------------------------- feasible and IR sets
def feasible_payoff_set(game: NormalFormGame) -> PayoffSet:
    """The feasible payoff set: the convex hull of the payoff vectors of the pure profiles.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game with at least two players.

    Returns
    -------
    PayoffSet
        ``kind="feasible"``. Two players: the hull's vertices counter-clockwise, starting from the
        lexicographically smallest ``(v_1, v_2)``; collinear points are dropped, so a segment has
        its two end points and a point one row.
        More players: the extreme points (via the affine hull when the set is lower-dimensional).

    Examples
    --------
    The prisoner's dilemma (R, S, T, P = 3, 0, 5, 1):

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> feasible_payoff_set(NormalFormGame.from_bimatrix(A, A.T)).vertices.tolist()
    [[0.0, 5.0], [1.0, 1.0], [5.0, 0.0], [3.0, 3.0]]
    """
    _check_game(game)
    points = _payoff_points(game)
    if game.num_players == 2:
        hull = _hull_2d(points, _MERGE * game.payoff_scale)
        return PayoffSet(game, "feasible", _frozen(hull), _dim_2d(hull))
    verts, dim = _polytope_vertices(points, np.full(game.num_players, -np.inf), game.payoff_scale)
    return PayoffSet(game, "feasible", _frozen(verts), dim)


def individually_rational_set(
    game: NormalFormGame,
    minmax: MinmaxMode = "mixed",
    thresholds: np.ndarray | None = None,
    minmax_result: MinmaxResult | None = None,
) -> PayoffSet:
    """The feasible payoffs that give every player at least its minmax value.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game with at least two players.
    minmax : {"mixed", "pure", "correlated"}
        Which minmax bounds the set from below. ``"mixed"`` (independent punishers) is exact with
        two players; with more it uses the best independent punishment found by
        :func:`~coop.solvers.repeated.minmax.minmax_values` (an upper bound on the true value, so the set
        returned lies inside the true one; a note says when the bounds do not meet).
        ``"correlated"`` lets the punishers correlate (an exact LP, equal to the maxmin).
    thresholds : array_like, optional
        ``(N,)`` lower bounds to use instead of a minmax (``minmax`` is then ignored).
    minmax_result : MinmaxResult, optional
        The game's :func:`~coop.solvers.repeated.minmax.minmax_values`, if already computed (saves
        the local search of a 3-or-more-player game).

    Returns
    -------
    PayoffSet
        ``kind="individually_rational"``, vertices as in :func:`feasible_payoff_set` (two players:
        the feasible polygon clipped by the two half-planes, counter-clockwise); ``dimension=-1``
        and no vertices when the set is empty (for example matching pennies with pure minmax).

    Examples
    --------
    In the prisoner's dilemma every minmax is the mutual-defection payoff 1:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> ir = individually_rational_set(NormalFormGame.from_bimatrix(A, A.T))
    >>> ir.vertices.round(6).tolist()
    [[1.0, 1.0], [4.333333, 1.0], [3.0, 3.0], [1.0, 4.333333]]
    """
    _check_game(game)
    n = game.num_players
    notes: list[str] = []
    if thresholds is not None:
        thr = np.asarray(thresholds, dtype=np.float64)
        if thr.shape != (n,) or not np.all(np.isfinite(thr)):
            raise InputError(f"thresholds must be {n} finite numbers, got {thresholds!r}")
        kind = "given"
    elif minmax == "pure":
        thr = pure_minmax(game)[0]
        kind = "pure"
    elif minmax in ("mixed", "correlated"):
        res = minmax_values(game) if minmax_result is None else minmax_result
        thr = res.mixed_minmax_upper if minmax == "mixed" else res.mixed_minmax_lower
        kind = minmax
        if minmax == "mixed":
            notes.extend(res.notes)
            if not all(res.exact):
                notes.append("thresholds are the best independent punishments found (upper bounds): "
                             "the set shown lies inside the true individually rational set")
    else:
        raise InputError(f"minmax must be one of {', '.join(map(repr, MINMAX_MODES))}, got {minmax!r}")
    thr = np.array(thr, dtype=np.float64)
    points = _payoff_points(game)
    eps = _MERGE * game.payoff_scale
    if n == 2:
        hull = _hull_2d(points, eps)
        verts = _clip_polygon(hull, thr, eps)
        return PayoffSet(game, "individually_rational", _frozen(verts), _dim_2d(verts), _frozen(thr), kind,
                         tuple(notes))
    verts, dim = _polytope_vertices(points, thr, game.payoff_scale)
    return PayoffSet(game, "individually_rational", _frozen(verts), dim, _frozen(thr), kind, tuple(notes))


# ----------------------------------------------------------------------------- equilibrium payoff set
def equilibrium_payoff_set(
    game: RepeatedGame | NormalFormGame,
    delta: float | None = None,
    num_directions: int = NUM_DIRECTIONS,
    tol: float | None = None,
    max_iter: int = 100_000,
    inner: bool = True,
) -> EquilibriumPayoffSet:
    """Payoffs of the pure-strategy subgame-perfect equilibria of a 2-player repeated game.

    The repeated game has perfect monitoring, a common discount factor and public
    randomisation (so the set is convex). The set is computed by the outer approximation of
    Judd, Yeltekin and Conklin (2003) described in the module docstring; the answer
    ``vertices`` *contains* the true set, and an inner approximation (``inner_vertices``,
    made of equilibrium payoffs) brackets it from inside, which gives ``error_bound``.

    Parameters
    ----------
    game : RepeatedGame or NormalFormGame
        A repeated game (its ``stage`` and ``delta`` are used; noise and imperfect monitoring are
        not modelled here and must be absent), or a 2-player stage game with ``delta``.
    delta : float, optional
        Discount factor in ``[0, 1)``; required with a stage game, and overrides a repeated
        game's own. At ``delta = 0`` the set is the stage game's (see :func:`myopic_payoff_set`).
    num_directions : int
        Number of uniform directions (at least 8); the axes and the outward normals of the
        feasible set's edges are added. More directions give a tighter outer polygon, at a
        cost linear in their number.
    tol : float, optional
        Convergence tolerance on the support values; by default ``1e-12`` times the payoff spread.
    max_iter : int
        Iteration cap of each approximation (``converged=False`` if reached).
    inner : bool
        Also compute the inner approximation and the error bound (about doubles the time).

    Returns
    -------
    EquilibriumPayoffSet

    Examples
    --------
    The prisoner's dilemma at delta = 0.9: every feasible payoff that gives both players at
    least their minmax (1) is an equilibrium payoff (the folk theorem holds exactly here).

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> res = equilibrium_payoff_set(NormalFormGame.from_bimatrix(A, A.T), delta=0.9)
    >>> res.vertices.round(6).tolist()
    [[1.0, 1.0], [4.333333, 1.0], [3.0, 3.0], [1.0, 4.333333]]
    >>> res.punishment.round(6).tolist(), res.error_bound < 1e-6
    ([1.0, 1.0], True)
    """
    stage, d = _stage_and_delta(game, delta)
    if d == 0.0:
        return myopic_payoff_set(stage, num_directions)
    if isinstance(num_directions, bool) or not isinstance(num_directions, int | np.integer) or num_directions < 8:
        raise InputError(f"num_directions must be an integer of at least 8, got {num_directions!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise InputError(f"max_iter must be a positive integer, got {max_iter!r}")
    scale = stage.payoff_scale
    if tol is None:
        tol_v = SET_TOL * scale
    else:
        try:
            tol_v = float(tol)
        except (TypeError, ValueError):
            raise InputError(f"tol must be a positive number, got {tol!r}") from None
        if not np.isfinite(tol_v) or tol_v <= 0:
            raise InputError(f"tol must be a positive number, got {tol!r}")
    pay = _payoff_points(stage)
    dev = np.empty_like(pay)
    for i in range(2):
        dev[:, i] = np.broadcast_to(stage.payoffs[i].max(axis=i, keepdims=True), stage.num_actions).reshape(-1)
    # the operator commutes with translations, but rounding grows with the payoffs' size and every tolerance
    # with their spread: payoffs far from the origin for their spread (100 +- 2) are centred on it first
    shift = 0.5 * (pay.min(axis=0) + pay.max(axis=0))
    shift = shift if np.abs(shift).max() > scale else np.zeros(2)
    if shift.any():
        pay = pay - shift
        dev = dev - shift
    hull = _hull_2d(pay, _MERGE * scale)
    H = _directions(int(num_directions), hull)
    c0 = (pay @ H.T).max(axis=0)
    res = _equilibrium_set_kernel(H, c0, SetStage(pay, dev, d),
                                  SetOptions(tol_v, int(max_iter), bool(inner), _MERGE * scale, _SLACK * scale))
    outer, inner_v = res.outer, res.inner
    empty = res.outer_status == _EMPTY
    notes: list[str] = []
    # iterates agree to about (tol + slack) / (1 - delta): closer vertices are one, near-collinear ones dropped
    clean = 10.0 * (tol_v + _SLACK * scale) / (1.0 - d)
    outer = _simplify(outer, clean)
    inner_v = _simplify(inner_v, clean)
    gaps = np.diff(np.append(np.arctan2(H[:, 1], H[:, 0]) % (2 * np.pi), 2 * np.pi + math.atan2(H[0, 1], H[0, 0])))
    diam = float(np.sqrt(((hull[:, None, :] - hull[None, :, :]) ** 2).sum(axis=2)).max())
    step_bound = 0.5 * diam * math.tan(0.5 * float(gaps.max()))
    error_bound = None
    if empty:
        outer = np.empty((0, 2))
        inner_v = np.empty((0, 2))
        punishment = np.full(2, np.nan)
        notes.append("the outer approximation is empty: the repeated game has no pure-strategy subgame-perfect "
                     f"equilibrium at delta = {d:g}")
    else:
        punishment = outer.min(axis=0)
        if res.outer_status != _CONVERGED:
            notes.append(f"the outer approximation did not converge in {max_iter} iterations")
        if inner and res.inner_status == _EMPTY:
            notes.append("the inner approximation vanished: the outer set is not certified to hold equilibria")
        elif inner and res.inner_status == _CONVERGED and len(inner_v):
            # certificate: every vertex of the inner polygon is a lottery over points of B(inner polygon)
            gen = _generated_points(np.ascontiguousarray(inner_v), pay, dev, d, _SLACK * scale)
            snap = 1e-9 * scale  # rounding jitter makes monotone chains drop points; clean is far above this
            gen = np.round(gen / snap) * snap
            miss = points_polygon_distance(inner_v, _hull_2d(gen, _MERGE * scale)).max() if len(gen) else np.inf
            if miss <= clean:
                error_bound = hausdorff_distance(outer, inner_v) + 2.0 * (tol_v + _SLACK * scale) / (1.0 - d)
            else:
                notes.append(f"the inner approximation is not self-generating (a vertex lies {miss:.3g} outside "
                             "the payoffs it generates): no error bound")
        elif inner:
            notes.append(f"the inner approximation did not settle in {max_iter} iterations: no error bound")
    inner_pun = inner_v.min(axis=0) if len(inner_v) else np.full(2, np.nan)
    support = res.support
    if shift.any():  # back to the game's payoffs
        outer, inner_v, punishment, inner_pun = outer + shift, inner_v + shift, punishment + shift, inner_pun + shift
        support = support + H @ shift
    return EquilibriumPayoffSet(
        game=stage,
        delta=d,
        vertices=_frozen(outer),
        inner_vertices=_frozen(inner_v),
        directions=_frozen(H),
        support=_frozen(support),
        punishment=_frozen(punishment),
        inner_punishment=_frozen(inner_pun),
        empty=bool(empty),
        converged=bool(res.outer_status == _CONVERGED),
        inner_converged=bool(inner and res.inner_status == _CONVERGED),
        num_iter=int(res.outer_iter),
        inner_num_iter=int(res.inner_iter),
        error_bound=error_bound,
        step_bound=float(step_bound),
        tol=tol_v,
        notes=tuple(notes),
    )


def _pure_nash_mask(pay: np.ndarray, dev: np.ndarray, slack: float) -> np.ndarray:
    """Per pure profile (flat C order): no player gains more than ``slack`` by deviating (a pure stage Nash
    equilibrium), from each profile's payoffs ``pay`` and best deviation payoffs ``dev``."""
    return np.all(pay >= dev - slack, axis=1)


def myopic_payoff_set(game: RepeatedGame | NormalFormGame, num_directions: int = NUM_DIRECTIONS
                      ) -> EquilibriumPayoffSet:
    r"""The pure-strategy subgame-perfect payoffs (with public randomisation) of a 2-player game at ``delta = 0``.

    With :math:`\delta = 0` only the first period counts: the normalised payoff
    :math:`(1-\delta)\sum_t \delta^t u(a^t)` is :math:`u(a^0)`. A one-shot deviation at any history then
    changes the deviator's current payoff and nothing else (the continuation has weight :math:`\delta = 0`),
    so by the one-shot deviation principle (Mailath and Samuelson 2006, ch. 2) a profile is subgame perfect
    iff it prescribes a stage Nash equilibrium after every history; and any stage equilibrium played after
    every history is one. The pure-strategy subgame-perfect payoffs are therefore exactly the payoffs
    :math:`u(a)` of the pure Nash equilibria :math:`a` of the stage game, and with public randomisation
    (a lottery over them drawn before the first period) their convex hull. The same follows from the
    operator of Abreu, Pearce and Stacchetti (1990) quoted in the module docstring: at :math:`\delta = 0`
    the incentive constraint of a profile :math:`a` reads :math:`u_i(a) \ge \max_{a'_i} u_i(a'_i, a_{-i})`
    whatever the continuation set :math:`W`, and the payoff is :math:`u(a)`, so
    :math:`B(W) = \{u(a) : a \text{ a pure stage Nash equilibrium}\}` for every non-empty :math:`W`; its
    convex hull is the largest fixed point. No approximation is needed: the set is exact (``error_bound``
    0); it is empty when the stage game has no pure equilibrium. As :math:`\delta \to 0` the sets of
    :func:`equilibrium_payoff_set` approach it (tested).

    Examples
    --------
    The prisoner's dilemma has one pure equilibrium, mutual defection; the stag hunt two:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> myopic_payoff_set(NormalFormGame.from_bimatrix(A, A.T)).vertices.tolist()
    [[1.0, 1.0]]
    >>> S = np.array([[4.0, 0.0], [3.0, 2.0]])
    >>> res = myopic_payoff_set(NormalFormGame.from_bimatrix(S, S.T))
    >>> res.vertices.tolist(), res.punishment.tolist()
    ([[2.0, 2.0], [4.0, 4.0]], [2.0, 2.0])
    """
    stage = game.stage if isinstance(game, RepeatedGame) else game
    _check_game(stage)
    if stage.num_players != 2:
        raise InputError(f"the equilibrium payoff set is computed for 2-player games only, "
                         f"this game has {stage.num_players} players")
    scale = stage.payoff_scale
    pay = _payoff_points(stage)
    dev = np.empty_like(pay)
    for i in range(2):
        dev[:, i] = np.broadcast_to(stage.payoffs[i].max(axis=i, keepdims=True), stage.num_actions).reshape(-1)
    nash = pay[_pure_nash_mask(pay, dev, _SLACK * scale)]
    H = _directions(int(num_directions), _hull_2d(pay, _MERGE * scale))
    notes = ["delta = 0: only the first period counts, so the subgame-perfect payoffs are those of the stage "
             "game's pure Nash equilibria (with public randomisation, their convex hull); exact, no iteration"]
    if len(nash):
        hull = _hull_2d(nash, _MERGE * scale)
        support = (hull @ H.T).max(axis=0)
        punishment = hull.min(axis=0)
        error: float | None = 0.0
    else:
        hull = np.empty((0, 2))
        support = np.full(len(H), -np.inf)
        punishment = np.full(2, np.nan)
        error = None
        notes.append("the stage game has no pure Nash equilibrium: the repeated game at delta = 0 has no "
                     "pure-strategy subgame-perfect equilibrium")
    return EquilibriumPayoffSet(
        game=stage, delta=0.0, vertices=_frozen(hull), inner_vertices=_frozen(hull), directions=_frozen(H),
        support=_frozen(support), punishment=_frozen(punishment), inner_punishment=_frozen(punishment),
        empty=not len(nash), converged=True, inner_converged=bool(len(nash)), num_iter=0, inner_num_iter=0,
        error_bound=error, step_bound=0.0, tol=SET_TOL * scale, method="stage_nash", notes=tuple(notes),
        stage_nash_payoffs=_frozen(np.unique(nash, axis=0) if len(nash) else np.empty((0, 2))),
    )


def hausdorff_distance(P: np.ndarray, Q: np.ndarray) -> float:
    """Hausdorff distance between two convex polygons given by their vertices.

    Both vertex arrays must be ``(k, 2)`` and in counter-clockwise order (as every polygon in this
    module is); a point or a segment is allowed. The distance to a convex set is convex, so the
    largest distance is reached at a vertex.

    Examples
    --------
    >>> square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    >>> hausdorff_distance(square, square[:3])  # the triangle misses the corner (0, 1) by sqrt(2)/2
    0.7071067811865476
    """
    P = np.asarray(P, dtype=np.float64).reshape(-1, 2)
    Q = np.asarray(Q, dtype=np.float64).reshape(-1, 2)
    if len(P) == 0 or len(Q) == 0:
        raise InputError("the Hausdorff distance needs two non-empty polygons")
    return float(max(points_polygon_distance(P, Q).max(), points_polygon_distance(Q, P).max()))


def points_polygon_distance(points: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Euclidean distance from each of ``points`` (``(k, 2)``) to the convex polygon ``poly``
    (counter-clockwise vertices; a point or a segment is allowed); zero inside.

    Examples
    --------
    >>> square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    >>> points_polygon_distance(np.array([[0.5, 0.5], [2.0, 0.5]]), square).tolist()
    [0.0, 1.0]
    """
    poly = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    a = poly[None, :, :]
    e = np.roll(poly, -1, axis=0)[None, :, :] - a
    d = pts[:, None, :] - a  # (k, m, 2)
    ee = np.einsum("ijk,ijk->ij", e, e)
    t = np.clip(np.einsum("ijk,ijk->ij", d, e) / np.where(ee > 0, ee, 1.0), 0.0, 1.0)
    dist = np.sqrt(((d - t[:, :, None] * e) ** 2).sum(axis=2)).min(axis=1)
    if len(poly) >= 3:
        cross = e[:, :, 0] * d[:, :, 1] - e[:, :, 1] * d[:, :, 0]
        dist[np.all(cross >= 0, axis=1)] = 0.0
    return dist


# ----------------------------------------------------------------------------- helpers
def _check_game(game: Any) -> None:
    if not isinstance(game, NormalFormGame):
        raise InputError(f"payoff sets need a NormalFormGame, got {type(game).__name__}")
    if game.num_players < 2:
        raise InputError("payoff sets need a game with at least two players")


def _stage_and_delta(game: RepeatedGame | NormalFormGame, delta: float | None) -> tuple[NormalFormGame, float]:
    if isinstance(game, RepeatedGame):
        if not game.perfect:
            raise InputError("the equilibrium payoff set assumes perfect monitoring and no noise; "
                             "this repeated game has noise or imperfect monitoring")
        if getattr(game, "horizon", None) is not None:
            raise InputError("the equilibrium payoff set is computed for an infinitely repeated game; "
                             f"this one ends after {game.horizon} periods")
        stage = game.stage
        d = check_delta(delta) if delta is not None else game.delta
    elif isinstance(game, NormalFormGame):
        stage = game
        if delta is None:
            raise InputError("a discount factor delta is needed with a stage game")
        d = check_delta(delta)
    else:
        raise InputError(f"expected a RepeatedGame or a NormalFormGame, got {type(game).__name__}")
    if stage.num_players != 2:
        raise InputError(f"the equilibrium payoff set is computed for 2-player games only, "
                         f"this game has {stage.num_players} players")
    if d is None or not 0.0 <= d < 1.0:
        raise InputError(f"the equilibrium payoff set needs a discount factor in [0, 1), got {d}")
    return stage, float(d)


def _payoff_points(game: NormalFormGame) -> np.ndarray:
    """``(prod(a), N)`` payoff vectors of the pure profiles, in flat C order."""
    return np.ascontiguousarray(game.payoffs.reshape(game.num_players, -1).T)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def _hull_2d(points: np.ndarray, eps: float) -> np.ndarray:
    """Convex hull, counter-clockwise from the lexicographically smallest vertex, without vertices within ``eps``
    of a neighbour or of the segment between their neighbours.

    The monotone chain runs without tolerance, and the near-duplicates and near-collinear vertices are dropped
    afterwards (:func:`_simplify_kernel`): a chain that treats turns below ``eps`` as straight can pop a true
    extreme point when points nearly share an ``x`` (their order then follows rounding), as (3, 2) of (3, -2),
    (3, -1), (3, 2) each moved by 1e-13 was, and the feasible set lost a corner.
    """
    order = np.lexsort((points[:, 1], points[:, 0]))
    hull = _hull_2d_kernel(np.ascontiguousarray(points[order]), 0.0)
    if eps > 0.0 and len(hull) >= 2:
        hull = _simplify_kernel(hull, eps)
        start = int(np.lexsort((hull[:, 1], hull[:, 0]))[0])
        hull = np.roll(hull, -start, axis=0)
    return hull


def _simplify(poly: np.ndarray, dist: float) -> np.ndarray:
    """Polygon without rounding-level duplicates or collinear vertices, from its lexicographically smallest vertex."""
    if len(poly) == 0:
        return poly
    out = _simplify_kernel(np.ascontiguousarray(poly), dist)
    key = np.round(out / dist)  # coordinates equal up to dist compare equal
    start = int(np.lexsort((key[:, 1], key[:, 0]))[0])
    return np.roll(out, -start, axis=0)


def _dim_2d(verts: np.ndarray) -> int:
    return min(len(verts), 3) - 1


def _clip_polygon(hull: np.ndarray, thr: np.ndarray, eps: float) -> np.ndarray:
    m = len(hull)
    buf1 = np.empty((2 * m, 2))  # the bounds of _clip_axis
    buf2 = np.empty((4 * m, 2))
    hull = np.ascontiguousarray(hull)
    for slack in (0.0, eps):  # exact thresholds first; a slack only when rounding empties the set
        k = _clip_axis(hull, m, buf1, 0, float(thr[0]) - slack)
        k = _clip_axis(buf1, k, buf2, 1, float(thr[1]) - slack) if k else 0
        if k:
            out = np.maximum(buf2[:k], thr[None, :])  # points let in by the slack sit on the threshold
            return _hull_2d(out, eps)
    return np.empty((0, 2))


def _directions(num: int, hull: np.ndarray) -> np.ndarray:
    """Uniform directions, the four axis directions and the feasible polygon's outward edge normals, by angle."""
    extra = [0.5 * np.pi * np.arange(4)]
    if len(hull) >= 2:
        e = np.roll(hull, -1, axis=0) - hull
        if len(hull) == 2:
            e = e[:1]
            extra.append(np.array([math.atan2(-e[0, 0], e[0, 1]), math.atan2(e[0, 0], -e[0, 1])]))
        else:
            extra.append(np.arctan2(-e[:, 0], e[:, 1]))  # outward normal of a counter-clockwise edge
    ex = np.sort(np.concatenate(extra) % (2.0 * np.pi))
    ex = ex[np.append(True, np.diff(ex) > 1e-9)]
    if len(ex) > 1 and ex[0] + 2.0 * np.pi - ex[-1] <= 1e-9:
        ex = ex[:-1]
    # uniform directions closer than a quarter spacing to an added one are dropped: nearly parallel
    # neighbours would make the vertices (intersections of neighbouring lines) ill-conditioned
    uni = 2.0 * np.pi * np.arange(num) / num
    gap = np.abs((uni[:, None] - ex[None, :] + np.pi) % (2.0 * np.pi) - np.pi).min(axis=1)
    a = np.sort(np.concatenate([uni[gap > 0.5 * np.pi / num], ex]))
    H = np.column_stack([np.cos(a), np.sin(a)])
    H[np.abs(H) < 1e-15] = 0.0
    return np.ascontiguousarray(H)


def _polytope_vertices(points: np.ndarray, lower: np.ndarray, scale: float) -> tuple[np.ndarray, int]:
    """Extreme points of ``conv(points) ∩ {x >= lower}`` in any dimension, and its affine dimension.

    Works in the affine hull of the points (so lower-dimensional sets are handled), with
    ``scipy.spatial`` for the hull. Without lower bounds the vertices are the hull's. With them,
    small systems have their vertices enumerated as the feasible solutions of ``k`` tight
    constraints (dimension ``k``); larger ones go through a half-space intersection around the
    Chebyshev centre (an LP), with the enumeration again when the intersection has no interior.
    """
    eps = 1e-9 * scale
    n_dim = points.shape[1]
    p0 = points.mean(axis=0)
    X = points - p0
    _, S, Vt = np.linalg.svd(X, full_matrices=False)
    k = int(np.sum(S > eps * max(1.0, math.sqrt(len(points)))))
    B = Vt[:k].T  # (N, k)
    Y = X @ B
    finite = np.isfinite(lower)
    # constraints G y <= h in the reduced coordinates: lower_i - p0_i <= B_i . y
    G_ir = -B[finite]
    h_ir = p0[finite] - lower[finite]
    if k == 0:
        ok = np.all(h_ir >= -eps)
        return (np.maximum(p0, np.where(finite, lower, -np.inf))[None, :], 0) if ok else (np.empty((0, n_dim)), -1)
    if k == 1:
        lo, hi = float(Y.min()), float(Y.max())
        for g, h in zip(G_ir[:, 0], h_ir, strict=True):
            if g > 0:
                hi = min(hi, h / g)
            elif g < 0:
                lo = max(lo, h / g)
            elif h < -eps:
                return np.empty((0, n_dim)), -1
        if lo > hi + eps:
            return np.empty((0, n_dim)), -1
        ys = np.array([lo]) if hi - lo <= eps else np.array([lo, hi])
        verts = p0 + np.outer(ys, B[:, 0])
        return _sorted_rows(verts), len(ys) - 1
    from scipy.spatial import ConvexHull  # only here: points and segments need no hull

    hull = ConvexHull(Y)
    if not finite.any():
        return _sorted_rows(points[hull.vertices]), k
    G = np.vstack([hull.equations[:, :-1], G_ir])
    h = np.concatenate([-hull.equations[:, -1], h_ir])
    norms = np.linalg.norm(G, axis=1)
    if math.comb(len(G), k) <= _DIRECT_SUBSETS:
        return _vertices_of_tight_subsets(G, h, norms, eps, p0, B)
    from scipy.optimize import linprog
    from scipy.spatial import HalfspaceIntersection

    # Chebyshev centre: the deepest point tells whether the intersection has an interior
    cost = np.zeros(k + 1)
    cost[-1] = -1.0
    res = linprog(cost, A_ub=np.hstack([G, norms[:, None]]), b_ub=h, bounds=[(None, None)] * k + [(0.0, None)],
                  method="highs")
    if res.status != 0:
        return np.empty((0, n_dim)), -1
    centre, radius = res.x[:k], res.x[-1]
    if radius > eps:
        hs = HalfspaceIntersection(np.hstack([G, -h[:, None]]), centre)
        ys = hs.intersections
        ys = ys[ConvexHull(ys).vertices]
        return _sorted_rows(p0 + ys @ B.T), k
    if math.comb(len(G), k) > _MAX_SUBSETS:
        raise InputError(f"the payoff set is lower-dimensional with {len(G)} facets in dimension {k}: "
                         "too many vertex candidates to enumerate")
    return _vertices_of_tight_subsets(G, h, norms, eps, p0, B)


def _vertices_of_tight_subsets(G: np.ndarray, h: np.ndarray, norms: np.ndarray, eps: float, p0: np.ndarray,
                               B: np.ndarray) -> tuple[np.ndarray, int]:
    """Vertices of ``{y : G y <= h}`` (dimension ``k``) as the feasible solutions of ``k`` tight constraints,
    mapped back by ``p0 + y B^T``, and the affine dimension they span (-1 when there are none)."""
    m, k = G.shape
    rows = np.array(list(itertools.combinations(range(m), k)), dtype=np.int64).reshape(-1, k)
    Gs = G[rows]  # (subsets, k, k)
    regular = np.abs(np.linalg.det(Gs)) > 1e-12 * np.prod(norms[rows], axis=1)
    ys = np.linalg.solve(Gs[regular], h[rows[regular]][..., None])[..., 0]
    ys = ys[np.all(ys @ G.T <= h + eps, axis=1)]
    found: list[np.ndarray] = []
    for y in ys:  # a vertex with more than k tight constraints comes once per subset: keep one
        if not any(np.max(np.abs(y - f)) <= eps for f in found):
            found.append(y)
    if not found:
        return np.empty((0, len(p0))), -1
    ys = np.array(found)
    dim = int(np.linalg.matrix_rank(ys - ys[0], tol=eps)) if len(ys) > 1 else 0
    return _sorted_rows(p0 + ys @ B.T), dim


def _sorted_rows(v: np.ndarray) -> np.ndarray:
    return v[np.lexsort(v.T[::-1])]
