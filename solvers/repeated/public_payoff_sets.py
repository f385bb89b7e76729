r"""Perfect public equilibrium payoffs of a 2-player repeated game with public signals.

After each period the players see a public signal :math:`y \in Y` drawn from :math:`\pi(\cdot \mid a)`, the
distribution given the intended action profile :math:`a` (an inspector's report, or the realised profile when
actions are implemented with noise), and each player's expected stage payoff is :math:`u_i(a)`. A perfect
public equilibrium (PPE) is a profile of public strategies (they depend on the signals only) that is a Nash
equilibrium after every public history (Fudenberg, Levine and Maskin 1994). With public randomisation the set
:math:`E(\delta)` of pure-strategy PPE payoffs is convex, and it is the largest fixed point of the operator of
Abreu, Pearce and Stacchetti (1990),

.. math::
   B(W) = \operatorname{conv} \bigcup_{a \in A} \Big\{ v = (1-\delta)\,u(a) + \delta \sum_y \pi(y \mid a)\,w(y)
   \;:\; w(y) \in W \ \forall y,\;
   v_i \ge (1-\delta)\,u_i(a_i', a_{-i}) + \delta \sum_y \pi(y \mid a_i', a_{-i})\,w_i(y)
   \ \forall i, a_i' \Big\}.

:func:`public_equilibrium_payoff_set` computes it by the **outer approximation** of Judd, Yeltekin and Conklin
(2003): fix unit directions :math:`h_1, \dots, h_D` (uniform, plus the axes and the outward normals of the
feasible set's edges), represent :math:`W = \{w : h_l \cdot w \le c_l\}` by its support values, and iterate

.. math::
   c_l \leftarrow \max_{a} \max_{w(\cdot)} \; h_l \cdot \Big[(1-\delta)\,u(a) + \delta \sum_y \pi(y \mid a)\,w(y)\Big]
   \quad \text{s.t. } w(y) \in W \ \forall y, \text{ the incentive constraints of } a,

from the feasible set's support values until no :math:`c_l` moves by more than ``tol``. Each inner
maximisation is a linear programme in the continuation values :math:`w(y) \in \mathbb{R}^2`. It is solved in
**vertex form**: :math:`w(y) = \sum_k \mu_{yk} P_k` over the vertices :math:`P_k` of :math:`W`, with
:math:`\mu_{y\cdot}` on the simplex, so the programme has one row per signal and one per deviation
(:math:`|Y| + \sum_i (|A_i| - 1)` rows: 6 for a 2x2 game with 4 signals) and one column per (signal,
vertex). A revised primal simplex in Numba (:func:`_solve_profile`) prices the columns by column generation:
the reduced cost of :math:`\mu_{yk}` is :math:`g_y \cdot P_k - \lambda_y`, with :math:`g_y` built from the
duals, so the entering column of signal :math:`y` is the vertex of :math:`W` farthest along :math:`g_y`. Only
the objective changes from one direction to the next: the optimal basis of :math:`h_l` is a feasible start
for :math:`h_{l+1}` (a warm start; one phase 1 per profile and iteration), and most directions need one or two
pivots. Signals that neither :math:`a` nor any unilateral deviation from it can produce are left out of its
programme, and a profile with no incentive-compatible continuation is dropped for the rest of the outer
iteration (the iterates only shrink).

Why not HiGHS: SciPy's ``linprog(method="highs")`` takes about 1.8 ms per programme of this size (measured on
a 2x2 game, 4 signals, 68 directions, in the half-space form with :math:`2|Y|` variables), so one outer
iteration (4 profiles x 68 directions) takes half a second and the 150-250 iterations of a discount factor of
0.9 over a minute; ``highspy`` (HiGHS' own bindings, with warm starts) is not a dependency of ``coop``. The
simplex here solves the same programmes in a few microseconds each (measured times in
:func:`public_equilibrium_payoff_set`), and HiGHS is kept as the independent check of the tests.

Every iterate contains :math:`E(\delta)` (the operator is monotone and the outer polygon of a set contains
it), the iterates decrease, and they tend to :math:`E(\delta)` as the directions grow dense. The **inner
approximation** applies the operator without the direction grid, from the outer polygon :math:`W_0`:
:math:`W_{k+1} = \operatorname{conv} B(W_k)`, each piece :math:`B_a(W_k)` by all its vertices (between the
best points of two neighbouring directions the normal of their segment is tried, and a point beyond it is a
vertex the grid missed, :func:`_generate`). Since :math:`W_0 \supseteq \operatorname{conv} B(W_0)` at the
outer fixed point, the iterates decrease to the largest fixed point, :math:`E(\delta)` (Abreu, Pearce and
Stacchetti 1990); the iteration stops when every vertex of :math:`W_k` lies within the tolerance of
:math:`\operatorname{conv} B(W_k)`, i.e. :math:`W_k` generates itself up to it (a self-generating set is
made of PPE payoffs: the same paper's self-generation). The last step is checked in plain NumPy: every generated point
is recomputed from its continuation values, which are checked to lie in :math:`W_k` and to meet every
incentive constraint, and every vertex of :math:`W_k` is checked to lie near the convex hull of those points.
The true set then lies between the two polygons, up to that tolerance, and the Hausdorff distance between
them bounds the error of either (``error_bound``). The exact iteration does not always settle: when ``W`` has
many vertices the pieces :math:`B_a(W)` have more vertices than the refinement finds, the iterates then lose
and regain bits of area (about 1e-3 of the spread for the prisoner's dilemma with an inspector's report,
detection 0.8), and the iteration gives up once its step has not halved for a while; the result then has no
``error_bound`` and says why (``error_note``), never a bound that was not checked. The outer polygon is
reported with its vertices (only those within 1e-11 of their neighbours' chord dropped, so that it still
contains the set); it exceeds the true set by up to about 1e-9 of the payoff spread over :math:`1 - \delta`,
the programmes' optimality gaps that each step adds to keep it an outer approximation. What ``error_bound``
mostly measures is the outer polygon's direction
grid: the inner polygon is :math:`E(\delta)` itself up to the tolerance.

With the signal equal to the action profile (the identity table) the set is the pure-strategy subgame-perfect
payoff set of perfect monitoring, :func:`~coop.solvers.repeated.payoff_sets.equilibrium_payoff_set` (tested).

References
----------
Abreu, D., Pearce, D. and Stacchetti, E. (1990). Toward a theory of discounted repeated games with
imperfect monitoring. *Econometrica* 58(5), 1041-1063.
Fudenberg, D., Levine, D. and Maskin, E. (1994). The folk theorem with imperfect public information.
*Econometrica* 62(5), 997-1039.
Judd, K. L., Yeltekin, S. and Conklin, J. (2003). Computing supergame equilibria. *Econometrica* 71(4),
1239-1254.
Mailath, G. J. and Samuelson, L. (2006). *Repeated Games and Reputations*. Oxford UP, ch. 7 (perfect public
equilibria; the prisoner's dilemma with imperfect public monitoring, section 7.7).
"""

from __future__ import annotations

import time
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.repeated import RepeatedGame, check_delta
from coop.solvers.repeated.payoff_sets import (
    _directions,
    _hull_2d,
    _hull_2d_kernel,
    _merge_close,
    _point_polygon_distance,
    _simplify,
    _simplify_kernel,
    _vertices_from_support,
    hausdorff_distance,
    points_polygon_distance,
)
from coop.solvers.shared.jit import njit
from coop.solvers.shared.progress import ChunkedRun, ProgressOption, StopAfter, Stopped, time_limit

#: default number of uniform directions (the axes and the feasible set's edge normals are added)
NUM_DIRECTIONS = 64
#: default convergence tolerance on the support values, relative to the payoff spread
SET_TOL = 1e-10
#: default iteration cap of each approximation
MAX_ITER = 20_000
#: relative slack of the incentive constraints (rounding never drops a continuation that meets one exactly)
_SLACK = 1e-10
#: relative size under which two vertices are merged
_MERGE = 1e-12
#: relative distance from the chord of its neighbours under which a vertex is dropped (see PublicOptions)
_THIN = 1e-11
#: a reduced cost above this (payoffs scaled to a unit spread) lets a column enter: the duals of a basis with
#: two nearly equal vertex columns carry errors of 1e-12 and more, and a smaller threshold pivots back and forth
#: on them; the optimum can exceed the value found by this times the weights' and slacks' sum, which the outer
#: approximation adds to its support values (so that it still contains the set)
_OPT_TOL = 1e-10
#: a pivot element must exceed this
_PIV_TOL = 1e-10
#: phase 1 declares a programme infeasible when its artificial variables sum to more than this
_FEAS_TOL = 1e-11
#: a vertex of a piece of B(W) that the directions missed is looked for until it adds less than this (above
#: the programmes' own optimality gap, ~1e-10, so that rounding does not keep finding new ones)
_REFINE = 1e-10
#: the inner approximation settles when a step moves its polygon by less than this (or the tolerance, if larger)
_INNER_TOL = 1e-9
#: pivots between two refactorisations of the basis inverse
_REFACTOR = 30
#: pivots in a row that do not raise the objective after which the simplex stops (see _simplex)
_STALL = 50
#: degenerate pivots in a row after which Bland's rule takes over (no cycling)
_BLAND_AFTER = 15
#: statuses
_CONVERGED, _MAX_ITER, _EMPTY, _LP_FAILED, _NO_PROGRESS = 0, 1, 2, 3, 4
#: LP statuses
_LP_OPTIMAL, _LP_INFEASIBLE, _LP_STUCK = 0, 1, 2


# ----------------------------------------------------------------------------- kernel inputs
PublicStage = namedtuple("PublicStage", ["pay", "prob", "dev_prof", "dev_player", "n_dev", "sig", "n_sig", "delta"])
PublicStage.__doc__ = """The stage game with public signals, as the kernels read it (payoffs scaled to a unit spread).

Fields
------
pay : float64[:, :]
    ``(P, 2)`` expected stage payoffs of each intended profile, flat C order.
prob : float64[:, :]
    ``(P, Y)`` the signal's distribution given each intended profile.
dev_prof, dev_player : int64[:, :]
    ``(P, K)`` for each profile, its unilateral deviations: the profile reached and the deviating player.
n_dev : int64[:]
    ``(P,)`` number of deviations of each profile (``K`` is the largest).
sig : int64[:, :]
    ``(P, S)`` the signals a profile or one of its deviations can produce (the programme's signal rows).
n_sig : int64[:]
    ``(P,)`` how many.
delta : float64
    Discount factor in ``(0, 1)``.
"""

PublicOptions = namedtuple("PublicOptions", ["tol", "slack", "merge", "thin"])
PublicOptions.__doc__ = """Tolerances of the set kernels (payoffs scaled to a unit spread).

Fields
------
tol : float64
    Convergence tolerance on the support values (outer) and on the Hausdorff step (inner).
slack : float64
    Incentive constraints are relaxed by this much.
merge : float64
    Vertices closer than this (max norm) are merged.
thin : float64
    A vertex within this of the chord between its neighbours is dropped before a polygon enters the linear
    programmes.
"""

LPWork = namedtuple("LPWork", ["binv", "xb", "basis", "col", "dcol", "duals", "bmat", "rhs"])
LPWork.__doc__ = """Preallocated arrays of the simplex (:func:`_solve_profile`), reused across programmes.

Fields
------
binv : float64[:, :]
    ``(M, M)`` inverse of the basis matrix.
xb : float64[:]
    ``(M,)`` values of the basic variables.
basis : int64[:]
    ``(M,)`` code of each basic column (see :func:`_column`).
col, dcol, duals : float64[:]
    ``(M,)`` scratch: a column, its image under the basis inverse, the duals.
bmat : float64[:, :]
    ``(M, M)`` scratch for refactorisation.
rhs : float64[:]
    ``(M,)`` right-hand side of the programme.
"""

StepOut = namedtuple("StepOut", ["c_new", "arg", "arg_prof", "cont", "alive"])
StepOut.__doc__ = """What one step of the operator (:func:`_operator_step`) writes.

Fields
------
c_new : float64[:]
    ``(D,)`` support values of ``B(W)``.
arg : float64[:, :]
    ``(D, 2)`` the maximising point of each direction.
arg_prof : int64[:]
    ``(D,)`` the profile that generates it.
cont : float64[:, :, :]
    ``(D, Y, 2)`` its continuation value after each signal (zero for signals outside the profile's rows).
alive : bool[:]
    ``(P,)`` profiles not yet found unenforceable (read and updated).
"""


# ----------------------------------------------------------------------------- the simplex
@njit(cache=True)
def _column(code, a, stage, verts, nv, out):
    """Write the constraint column of variable ``code`` of profile ``a``'s programme into ``out``.

    Codes: ``s * nv + k`` for :math:`\\mu_{sk}` (signal row ``s``, vertex ``k``); ``ns * nv + j`` for the
    slack of deviation row ``j``; ``ns * nv + K + j`` for its artificial variable. Returns the column's kind
    (0 weight, 1 slack, 2 artificial).
    """
    ns = stage.n_sig[a]
    nd = stage.n_dev[a]
    m = ns + nd
    for r in range(m):
        out[r] = 0.0
    K = stage.dev_prof.shape[1]
    if code < ns * nv:
        s = code // nv
        k = code - s * nv
        y = stage.sig[a, s]
        out[s] = 1.0
        for j in range(nd):
            b = stage.dev_prof[a, j]
            i = stage.dev_player[a, j]
            out[ns + j] = stage.delta * (stage.prob[b, y] - stage.prob[a, y]) * verts[k, i]
        return 0
    j = code - ns * nv
    if j < K:
        out[ns + j] = 1.0
        return 1
    out[ns + j - K] = -1.0
    return 2


@njit(cache=True)
def _refactor(a, stage, verts, nv, work, m):
    """Recompute the basis inverse and the basic values from the basis codes (drops accumulated rounding)."""
    bmat = work.bmat
    col = work.col
    for r in range(m):
        _column(work.basis[r], a, stage, verts, nv, col)
        for q in range(m):
            bmat[q, r] = col[q]
    inv = np.linalg.inv(np.ascontiguousarray(bmat[:m, :m]))
    for q in range(m):
        for r in range(m):
            work.binv[q, r] = inv[q, r]
    for q in range(m):
        acc = 0.0
        for r in range(m):
            acc += inv[q, r] * work.rhs[r]
        work.xb[q] = acc


@njit(cache=True)
def _cost(code, a, stage, verts, nv, h, phase):
    """Objective coefficient of a column: phase 1 maximises minus the artificial sum; phase 2
    :math:`\\pi(y \\mid a)\\, h \\cdot P_k` for a weight column."""
    ns = stage.n_sig[a]
    K = stage.dev_prof.shape[1]
    if phase == 1:
        return -1.0 if code >= ns * nv + K else 0.0
    if code < ns * nv:
        s = code // nv
        k = code - s * nv
        return stage.prob[a, stage.sig[a, s]] * (h[0] * verts[k, 0] + h[1] * verts[k, 1])
    return 0.0


@njit(cache=True)
def _is_basic(basis, m, code):
    for q in range(m):
        if basis[q] == code:
            return True
    return False


@njit(cache=True)
def _simplex(a, stage, verts, nv, work, h, phase, max_piv):
    """Revised primal simplex (maximisation) from the current basis of ``work``; column generation over the
    vertices. Artificial columns never enter in phase 2, and a basic artificial may not grow (it leaves at the
    first pivot that would raise it). Returns (status, pivots, gap): at an optimum the largest reduced cost
    left is below the gap (``_OPT_TOL``, or the last one seen when the objective stalled)."""
    ns = stage.n_sig[a]
    nd = stage.n_dev[a]
    m = ns + nd
    K = stage.dev_prof.shape[1]
    binv = work.binv
    xb = work.xb
    basis = work.basis
    col = work.col
    dcol = work.dcol
    duals = work.duals
    degenerate = 0
    since = 0
    stall = 0
    obj = -np.inf
    for piv in range(max_piv):
        # duals: c_B^T B^-1
        for r in range(m):
            duals[r] = 0.0
        for q in range(m):
            cq = _cost(basis[q], a, stage, verts, nv, h, phase)
            if cq != 0.0:
                for r in range(m):
                    duals[r] += cq * binv[q, r]
        bland = degenerate >= _BLAND_AFTER
        enter = -1
        best = _OPT_TOL
        # weight columns: reduced cost g_s . P_k - duals[s]
        for s in range(ns):
            y = stage.sig[a, s]
            pa = stage.prob[a, y]
            gx = 0.0
            gy = 0.0
            if phase == 2:
                gx = pa * h[0]
                gy = pa * h[1]
            for j in range(nd):
                coef = duals[ns + j] * stage.delta * (stage.prob[stage.dev_prof[a, j], y] - pa)
                if stage.dev_player[a, j] == 0:
                    gx -= coef
                else:
                    gy -= coef
            for k in range(nv):
                rc = gx * verts[k, 0] + gy * verts[k, 1] - duals[s]
                if rc > best and not _is_basic(basis, m, s * nv + k):  # rounding can leave a basic one at 1e-12
                    best = rc
                    enter = s * nv + k
                    if bland:
                        break
            if bland and enter >= 0:
                break
        if enter < 0 or not bland:
            for j in range(nd):
                rc = -duals[ns + j]
                if rc > best and not _is_basic(basis, m, ns * nv + j):
                    best = rc
                    enter = ns * nv + j
                    if bland:
                        break
            if phase == 1 and (enter < 0 or not bland):
                for j in range(nd):
                    rc = -1.0 + duals[ns + j]
                    if rc > best and not _is_basic(basis, m, ns * nv + K + j):
                        best = rc
                        enter = ns * nv + K + j
                        if bland:
                            break
        if enter < 0:
            return _LP_OPTIMAL, piv, _OPT_TOL
        # a basis with two nearly equal columns (the vertices of a sliver) has duals wrong by more than any
        # fixed threshold, and the simplex can swap the two for ever: when the objective stops rising, the
        # solution is optimal up to the reduced cost seen, which the caller adds as the gap
        now = 0.0
        for q in range(m):
            now += _cost(basis[q], a, stage, verts, nv, h, phase) * xb[q]
        stall = stall + 1 if now <= obj + 1e-13 else 0
        obj = max(obj, now)
        if stall >= _STALL:
            return _LP_OPTIMAL, piv, best
        # entering column through the basis inverse
        _column(enter, a, stage, verts, nv, col)
        for q in range(m):
            acc = 0.0
            for r in range(m):
                acc += binv[q, r] * col[r]
            dcol[q] = acc
        leave = -1
        ratio = np.inf
        piv_el = 0.0
        for q in range(m):
            art = basis[q] >= ns * nv + K
            d = dcol[q]
            if d > _PIV_TOL:
                t = max(xb[q], 0.0) / d
            elif art and phase == 2 and d < -_PIV_TOL:
                t = 0.0  # an artificial at zero must not grow
            else:
                continue
            better = t < ratio - 1e-14
            tie = not better and t <= ratio + 1e-14
            if better or (tie and (basis[q] < basis[leave] if bland else abs(d) > piv_el)):
                ratio = t
                leave = q
                piv_el = abs(d)
        if leave < 0:
            return _LP_STUCK, piv, np.inf  # unbounded: impossible for these programmes (weights on simplices)
        # pivot
        d = dcol[leave]
        for r in range(m):
            binv[leave, r] /= d
        for q in range(m):
            if q != leave and dcol[q] != 0.0:
                f = dcol[q]
                for r in range(m):
                    binv[q, r] -= f * binv[leave, r]
        theta = ratio
        for q in range(m):
            xb[q] -= theta * dcol[q]
        xb[leave] = theta
        basis[leave] = enter
        # a pivot that gains (almost) nothing counts as degenerate: tiny steps can cycle as well as zero ones
        degenerate = degenerate + 1 if theta * best <= 1e-11 else 0
        since += 1
        if since >= _REFACTOR:
            _refactor(a, stage, verts, nv, work, m)
            since = 0
    return _LP_STUCK, max_piv, np.inf


@njit(cache=True)
def _start_basis(a, stage, verts, nv, work, slack):
    """Phase 1 from the basis 'every signal continues at vertex 0'; returns True when the programme is
    feasible (its incentive constraints relaxed by ``slack``), leaving a feasible basis in ``work``."""
    ns = stage.n_sig[a]
    nd = stage.n_dev[a]
    m = ns + nd
    K = stage.dev_prof.shape[1]
    col = work.col
    for s in range(ns):
        work.rhs[s] = 1.0
        work.basis[s] = s * nv
    need = False
    for j in range(nd):
        b = stage.dev_prof[a, j]
        i = stage.dev_player[a, j]
        work.rhs[ns + j] = (1.0 - stage.delta) * (stage.pay[a, i] - stage.pay[b, i]) + slack
        # row j at the starting weights
        acc = 0.0
        for s in range(ns):
            _column(s * nv, a, stage, verts, nv, col)
            acc += col[ns + j]
        if work.rhs[ns + j] - acc >= 0.0:
            work.basis[ns + j] = ns * nv + j
        else:
            work.basis[ns + j] = ns * nv + K + j
            need = True
    _refactor(a, stage, verts, nv, work, m)
    if not need:
        return True
    h = np.zeros(2)
    status, _, _ = _simplex(a, stage, verts, nv, work, h, 1, 50 * (m + 2) * (ns * nv + 2 * nd + 1))
    art = 0.0
    for q in range(m):
        if work.basis[q] >= ns * nv + K:
            art += max(work.xb[q], 0.0)
    return status == _LP_OPTIMAL and art <= _FEAS_TOL


@njit(cache=True)
def _continuation(a, stage, verts, nv, work, out):
    """The continuation value after each signal row of the current basic solution, ``out[:ns]``; returns
    :math:`\\sum_y \\pi(y \\mid a)\\, w(y)`."""
    ns = stage.n_sig[a]
    m = ns + stage.n_dev[a]
    tot = np.zeros(ns)
    for s in range(ns):
        out[s, 0] = 0.0
        out[s, 1] = 0.0
    for q in range(m):
        code = work.basis[q]
        if code < ns * nv:
            s = code // nv
            k = code - s * nv
            x = max(work.xb[q], 0.0)  # rounding can leave a weight at -1e-12: a convex combination, renormalised
            tot[s] += x
            out[s, 0] += x * verts[k, 0]
            out[s, 1] += x * verts[k, 1]
    for s in range(ns):
        if tot[s] > 0.0:
            out[s, 0] /= tot[s]
            out[s, 1] /= tot[s]
    ex = 0.0
    ey = 0.0
    for s in range(ns):
        p = stage.prob[a, stage.sig[a, s]]
        ex += p * out[s, 0]
        ey += p * out[s, 1]
    return ex, ey


@njit(cache=True)
def _solve_profile(a, H, verts, nv, stage, opts, work, wbuf, step):
    """Profile ``a``'s programme for every direction (warm-started along the directions); updates ``step``
    where ``a`` does better. Returns the LP status (infeasible drops ``a``)."""
    if not _start_basis(a, stage, verts, nv, work, opts.slack):
        return _LP_INFEASIBLE
    ns = stage.n_sig[a]
    m = ns + stage.n_dev[a]
    delta = stage.delta
    ux = (1.0 - delta) * stage.pay[a, 0]
    uy = (1.0 - delta) * stage.pay[a, 1]
    max_piv = 50 * (m + 2) * (ns * nv + 2 * stage.n_dev[a] + 1)
    D = H.shape[0]
    for l in range(D):
        h = H[l]
        status, _, gap = _simplex(a, stage, verts, nv, work, h, 2, max_piv)
        if status != _LP_OPTIMAL:
            _refactor(a, stage, verts, nv, work, m)
            status, _, gap = _simplex(a, stage, verts, nv, work, h, 2, max_piv)
            if status != _LP_OPTIMAL:
                return _LP_STUCK
        ex, ey = _continuation(a, stage, verts, nv, work, wbuf)
        px = ux + delta * ex
        py = uy + delta * ey
        # the value found, plus what the optimum can exceed it by (reduced costs up to the gap times weights
        # summing to ns and slacks of at most 2 each, the payoffs having a unit spread)
        val = h[0] * px + h[1] * py + delta * gap * (ns + 2 * stage.n_dev[a])
        if val > step.c_new[l]:
            step.c_new[l] = val
            step.arg[l, 0] = px
            step.arg[l, 1] = py
            step.arg_prof[l] = a
            for y in range(step.cont.shape[1]):
                step.cont[l, y, 0] = 0.0
                step.cont[l, y, 1] = 0.0
            for s in range(ns):
                y = stage.sig[a, s]
                step.cont[l, y, 0] = wbuf[s, 0]
                step.cont[l, y, 1] = wbuf[s, 1]
    return _LP_OPTIMAL


@njit(cache=True)
def _operator_step(H, verts, nv, stage, opts, work, step):
    """One application of the operator to the polygon ``verts[:nv]``: support values and maximising points of
    ``B(W)`` into ``step``. Profiles found unenforceable are marked dead in ``step.alive`` (the caller decides
    whether that sticks). Returns (any profile enforceable, any programme failed)."""
    D = H.shape[0]
    for l in range(D):
        step.c_new[l] = -np.inf
    wbuf = np.empty((stage.sig.shape[1], 2))
    found = False
    failed = False
    for a in range(stage.pay.shape[0]):
        if not step.alive[a]:
            continue
        status = _solve_profile(a, H, verts, nv, stage, opts, work, wbuf, step)
        if status == _LP_INFEASIBLE:
            step.alive[a] = False
        elif status == _LP_OPTIMAL:
            found = True
        else:
            failed = True
    return found, failed


@njit(cache=True)
def _outer_steps(H, c, stage, opts, work, step, budget):
    """Up to ``budget`` outer iterations from the support values ``c`` (updated in place). Returns
    (status, iterations run): converged, iteration budget spent, empty, or a programme failed."""
    D = H.shape[0]
    poly = np.empty((D + 8, 2))
    for it in range(budget):
        m = _vertices_from_support(H, c, poly, opts.merge)
        m = _merge_close(poly, m, opts.merge)
        # vertices on the chord of their neighbours (up to rounding) make nearly equal columns, between which
        # the simplex would pivot for gains below rounding
        verts = _simplify_kernel(poly[:m], opts.thin)
        found, failed = _operator_step(H, verts, verts.shape[0], stage, opts, work, step)
        if failed:
            return _LP_FAILED, it + 1
        if not found:
            return _EMPTY, it + 1
        diff = 0.0
        for l in range(D):
            diff = max(diff, abs(step.c_new[l] - c[l]))
            c[l] = step.c_new[l]
        if diff <= opts.tol:
            return _CONVERGED, it + 1
    return _MAX_ITER, budget


@njit(cache=True)
def _hull_of(points):
    """Convex hull (counter-clockwise) of 2-D points in any order."""
    order = np.argsort(points[:, 1], kind="mergesort")
    pts = points[order]
    order = np.argsort(pts[:, 0], kind="mergesort")
    return _hull_2d_kernel(np.ascontiguousarray(pts[order]), 0.0)


@njit(cache=True)
def _grow(buf, k):
    """``buf`` with twice its rows when ``k`` rows are in use and it is full."""
    if k < buf.shape[0]:
        return buf
    shape = (2 * buf.shape[0],) + buf.shape[1:]
    out = np.zeros(shape, dtype=buf.dtype)
    out[:k] = buf[:k]
    return out


@njit(cache=True)
def _max_point(a, h, verts, nv, stage, work, wbuf):
    """Profile ``a``'s best point in direction ``h`` from the current basis: (ok, x, y); the continuation
    values after each of its signal rows are left in ``wbuf``."""
    ns = stage.n_sig[a]
    m = ns + stage.n_dev[a]
    max_piv = 50 * (m + 2) * (ns * nv + 2 * stage.n_dev[a] + 1)
    status, _, _ = _simplex(a, stage, verts, nv, work, h, 2, max_piv)
    if status != _LP_OPTIMAL:
        _refactor(a, stage, verts, nv, work, m)
        status, _, _ = _simplex(a, stage, verts, nv, work, h, 2, max_piv)
        if status != _LP_OPTIMAL:
            return False, 0.0, 0.0
    ex, ey = _continuation(a, stage, verts, nv, work, wbuf)
    d = stage.delta
    return True, (1.0 - d) * stage.pay[a, 0] + d * ex, (1.0 - d) * stage.pay[a, 1] + d * ey


GenOut = namedtuple("GenOut", ["pts", "prof", "cont", "n", "failed"])
GenOut.__doc__ = """The extreme points of every piece of ``B(W)`` (:func:`_generate`).

Fields
------
pts : float64[:, :]
    ``(n, 2)`` (and spare rows) the points.
prof : int64[:]
    The profile that generates each.
cont : float64[:, :, :]
    ``(n, Y, 2)`` its continuation value after each signal (zero outside the profile's signal rows).
n : int64
    Number of points.
failed : bool
    A programme did not terminate.
"""


@njit(cache=True)
def _generate(H, verts, nv, stage, opts, work, refine):
    """The vertices of each piece :math:`B_a(W)` of the operator, ``W`` the polygon ``verts[:nv]``.

    For each enforceable profile the programme is solved along the directions (warm-started); between the
    best points ``p, q`` of two neighbouring directions, the normal of the segment ``pq`` is tried: a point
    beyond it by more than ``refine`` is a vertex the directions missed, and is inserted (and its two new
    segments tried in turn). The points of each piece come out counter-clockwise, and their convex hull is
    the piece up to ``refine``.
    """
    D = H.shape[0]
    Y = stage.prob.shape[1]
    S = stage.sig.shape[1]
    cap = 4 * D * stage.pay.shape[0] + 16
    pts = np.empty((cap, 2))
    prof = np.empty(cap, dtype=np.int64)
    cont = np.zeros((cap, Y, 2))
    wbuf = np.empty((S, 2))
    # points waiting to be stored, the last one first: each is stored once the segment from the last stored
    # point to it has no vertex beyond it
    depth = 66
    spt = np.empty((depth, 2))
    scont = np.empty((depth, S, 2))
    hn = np.empty(2)
    n = 0
    for a in range(stage.pay.shape[0]):
        if not _start_basis(a, stage, verts, nv, work, opts.slack):
            continue
        first = n
        for l in range(D + 1):
            ok, px, py = _max_point(a, H[l % D], verts, nv, stage, work, wbuf)
            if not ok:
                return GenOut(pts, prof, cont, n, True)
            tries = 0  # LPs spent refining this gap: rounding must not make it endless
            spt[0, 0] = px
            spt[0, 1] = py
            scont[0] = wbuf
            top = 1
            while top > 0:
                tx = spt[top - 1, 0]
                ty = spt[top - 1, 1]
                split = False
                if n > first and top < depth and tries < depth:
                    qx = pts[n - 1, 0]
                    qy = pts[n - 1, 1]
                    ex = tx - qx
                    ey = ty - qy
                    norm = np.sqrt(ex * ex + ey * ey)
                    if norm > opts.merge:
                        hn[0] = ey / norm
                        hn[1] = -ex / norm
                        tries += 1
                        ok2, rx, ry = _max_point(a, hn, verts, nv, stage, work, wbuf)
                        if not ok2:
                            return GenOut(pts, prof, cont, n, True)
                        if hn[0] * (rx - qx) + hn[1] * (ry - qy) > refine:
                            spt[top, 0] = rx
                            spt[top, 1] = ry
                            scont[top] = wbuf
                            top += 1
                            split = True
                if split:
                    continue
                top -= 1
                if l == D and top == 0:
                    break  # the first direction's point again: already stored
                if n > first and abs(pts[n - 1, 0] - tx) <= opts.merge and abs(pts[n - 1, 1] - ty) <= opts.merge:
                    continue
                pts = _grow(pts, n)
                prof = _grow(prof, n)
                cont = _grow(cont, n)
                pts[n, 0] = tx
                pts[n, 1] = ty
                prof[n] = a
                _store(a, stage, scont[top], cont, n)
                n += 1
    return GenOut(pts, prof, cont, n, False)


@njit(cache=True)
def _store(a, stage, wbuf, cont, n):
    """Copy the continuation values of profile ``a``'s signal rows into ``cont[n]`` (by signal)."""
    for y in range(cont.shape[1]):
        cont[n, y, 0] = 0.0
        cont[n, y, 1] = 0.0
    for s in range(stage.n_sig[a]):
        y = stage.sig[a, s]
        cont[n, y, 0] = wbuf[s, 0]
        cont[n, y, 1] = wbuf[s, 1]


@njit(cache=True)
def _inner_steps(H, poly, stage, opts, work, budget, ctl):
    """Up to ``budget`` steps of ``W <- conv B(W)`` (every piece's vertices, :func:`_generate`; vertices within
    ``thin`` of their neighbours' chord dropped), from the polygon ``poly``, until every vertex of ``W`` lies
    within ``opts.tol`` of ``conv B(W)``, or within ``settle`` with no progress for 50 steps (the programmes'
    rounding leaves a floor, higher for a discount factor near 1). ``ctl`` holds ``refine, thin, settle`` and
    the progress state carried from one call to the next (the smallest step so far and the steps since it
    halved): after ``ctl[5]`` steps without progress above ``settle`` the iteration gives up (status
    ``_NO_PROGRESS``; the exact operator's pieces can have more vertices than the refinement finds, and the
    iterates then wander without settling).

    Returns (status, iterations run, the last polygon W, the points of ``B(W)`` as a :class:`GenOut`, the
    largest distance of a vertex of W from the hull of those points).
    """
    refine = ctl[0]
    thin = ctl[1]
    settle = ctl[2]
    low = ctl[3]
    since = int(ctl[4])
    give_up = ctl[5]
    cur = poly
    gen = _generate(H, cur, cur.shape[0], stage, opts, work, refine)
    miss = np.inf
    for it in range(budget):
        if gen.failed:
            return _LP_FAILED, it + 1, cur, gen, miss
        if gen.n == 0:
            return _EMPTY, it + 1, cur, gen, miss
        nxt = _simplify_kernel(_hull_of(gen.pts[:gen.n]), thin)
        miss = 0.0
        for q in range(cur.shape[0]):
            miss = max(miss, _point_polygon_distance(cur[q, 0], cur[q, 1], nxt, nxt.shape[0]))
        # W within tol of conv B(W): self-generating up to tol, what the certificate needs (the iterates
        # decrease from the outer polygon, so the step is this distance)
        if miss <= opts.tol:
            return _CONVERGED, it + 1, cur, gen, miss
        if miss < 0.5 * low:
            low = miss
            since = 0
        else:
            since += 1
            if miss <= settle and since >= 50:
                return _CONVERGED, it + 1, cur, gen, miss
            if since >= give_up:
                return _NO_PROGRESS, it + 1, cur, gen, miss
        ctl[3] = low
        ctl[4] = since
        cur = nxt
        gen = _generate(H, cur, cur.shape[0], stage, opts, work, refine)
    return _MAX_ITER, budget, cur, gen, miss


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class PublicEquilibriumPayoffSet:
    """Outer (and inner) approximation of the pure-strategy PPE payoff set of a 2-player repeated game with
    public signals (public randomisation).

    Attributes
    ----------
    players : tuple of str
        The two players' names.
    delta : float
        Discount factor.
    signals : tuple of str
        The public signals' names.
    vertices : numpy.ndarray
        ``(k, 2)`` vertices of the outer approximation, counter-clockwise from the lexicographically
        smallest (``k = 0`` when empty; a point or a segment comes out as a polygon about 1e-8 of the spread
        wide). It contains the true set.
    inner_vertices : numpy.ndarray
        ``(k', 2)`` vertices of the inner approximation, counter-clockwise: a self-generating set (checked),
        so made of PPE payoffs up to ``tol``. Empty if not computed, vanished or not certified.
    directions : numpy.ndarray
        ``(D, 2)`` unit directions, by angle.
    support : numpy.ndarray
        ``(D,)`` support values of the outer approximation.
    punishment : numpy.ndarray
        ``(2,)`` each player's lowest payoff in the outer polygon: a lower bound on its worst PPE payoff.
    inner_punishment : numpy.ndarray
        ``(2,)`` the same in the inner polygon: an upper bound on it (``nan`` without an inner polygon).
    empty : bool
        True when the outer approximation vanished: no pure-strategy PPE exists.
    converged, inner_converged : bool
        Whether each approximation settled within ``tol``.
    num_iter, inner_num_iter : int
        Iterations run.
    error_bound : float or None
        Hausdorff distance between the two polygons plus ``2 (t + slack + r) / (1 - delta)`` (``t`` the inner
        iteration's tolerance, at least ``1e-9`` of the payoff spread, ``r`` the refinement's ``1e-10``);
        ``None``, with
        ``error_note`` saying why, without a certified inner polygon.
    tol : float
        Convergence tolerance, in payoff units.
    seconds : float
        Wall time of the computation (compilation excluded once cached).
    stopped : Stopped or None
        Set when a time limit or Ctrl-C stopped the work.
    monitoring : str
        Which signal structure the set is for, in words (``"public signals"``, ``"inspector's public
        report"``, ...).
    notes : tuple of str
        Plain-language remarks.
    """

    players: tuple[str, ...]
    delta: float
    signals: tuple[str, ...]
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
    tol: float
    seconds: float
    stopped: Stopped | None = None
    monitoring: str = "public signals"
    error_note: str | None = None
    notes: tuple[str, ...] = field(default=())
    method: str = "jyc_outer_public"
    kind: str = "perfect_public_equilibrium"

    @property
    def complete(self) -> bool:
        """Whether the outer approximation settled and neither approximation was cut short."""
        return self.reason is None

    @property
    def reason(self) -> str | None:
        """Why the set is incomplete, in a sentence (``None`` when it is not)."""
        if self.stopped is not None:
            return (f"{self.stopped.reason}; the outer polygon shown contains the perfect public equilibrium "
                    "payoffs but may be too large")
        if self.empty:
            return None
        if not self.converged:
            return (f"the outer approximation stopped at its iteration cap ({self.num_iter:,} iterations) before "
                    "its support values settled: the set shown contains the equilibrium payoffs but may be too "
                    "large")
        return None

    def to_dict(self, players: tuple[str, ...] | None = None) -> dict[str, Any]:
        names = self.players if players is None else players

        def pts(v: np.ndarray) -> list[dict[str, float]]:
            return [{p: float(x[i]) for i, p in enumerate(names)} for x in v]

        def vec(v: np.ndarray) -> dict[str, float | None]:
            return {p: (None if not np.isfinite(v[i]) else float(v[i])) for i, p in enumerate(names)}

        return {
            "kind": self.kind,
            "method": self.method,
            "monitoring": self.monitoring,
            "signals": list(self.signals),
            "delta": self.delta,
            "players": list(names),
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
            "error_note": self.error_note,
            "num_directions": int(self.directions.shape[0]),
            "tol": self.tol,
            "seconds": round(float(self.seconds), 4),
            "notes": list(self.notes),
            "complete": self.complete,
            "reason": self.reason,
            "stopped": None if self.stopped is None else self.stopped.to_dict(),
        }


# ----------------------------------------------------------------------------- the solver
def public_equilibrium_payoff_set(
    expected_payoffs: np.ndarray,
    probabilities: np.ndarray,
    delta: float,
    num_directions: int = NUM_DIRECTIONS,
    tol: float | None = None,
    max_iter: int = MAX_ITER,
    inner: bool = True,
    *,
    players: tuple[str, ...] = ("player 1", "player 2"),
    signals: tuple[str, ...] | None = None,
    monitoring: str = "public signals",
    stop_after: StopAfter = None,
    progress: ProgressOption = False,
) -> PublicEquilibriumPayoffSet:
    r"""Payoffs of the pure-strategy perfect public equilibria (public randomisation) of a 2-player repeated game.

    The outer approximation of Judd, Yeltekin and Conklin (2003) with the operator of Abreu, Pearce and
    Stacchetti (1990) for public signals, and an inner approximation that brackets the set from inside (see
    the module docstring for the operator, the linear programmes and why they are solved by a simplex of
    our own rather than HiGHS).

    Parameters
    ----------
    expected_payoffs : array_like
        ``(2, n_1, n_2)`` each player's stage payoff (expected over any implementation noise) for each
        intended action profile.
    probabilities : array_like
        ``(n_1 n_2, |Y|)`` (profiles in flat C order) or ``(n_1, n_2, |Y|)``: the public signal's
        distribution given each intended profile; rows sum to 1.
    delta : float
        Discount factor in ``[0, 1)``. At ``delta = 0`` only the stage game counts: the set is the convex hull
        of its pure Nash equilibrium payoffs (computed by the same iteration, which then ends in one step).
    num_directions : int
        Number of uniform directions (at least 8); the axes and the feasible set's edge normals are added.
    tol : float, optional
        Convergence tolerance on the support values; by default ``1e-10`` times the payoff spread.
    max_iter : int
        Iteration cap of each approximation.
    inner : bool
        Also compute the inner approximation and the error bound (about doubles the time).
    players, signals : tuple of str
        Names for the result (``signals`` default ``y0, y1, ...``).
    monitoring : str
        What the signal is, in words, for the result.
    stop_after : float or TimeLimit, optional
        A time budget in seconds (or a shared :class:`~coop.solvers.shared.progress.TimeLimit`): the
        iteration stops between pieces of about 0.15 s and the result says so (``complete`` False).
    progress : bool or callable, optional
        A progress bar on stderr, or a callback.

    Returns
    -------
    PublicEquilibriumPayoffSet

    Notes
    -----
    Measured on one core (default 64 directions and ``tol``, compiled): the prisoner's dilemma of Mailath
    and Samuelson (2006, section 7.7) with two signals at ``delta = 0.9``, about 0.1 s for both
    approximations; with four signals (an inspector's report of each action) 0.2-0.4 s; the identity table
    of a 3x3 game (9 signals) about 1 s.

    Examples
    --------
    The prisoner's dilemma of Mailath and Samuelson (2006, section 7.7), u(E,E) = 2, u(S,E) = 3, u(E,S) = -1,
    u(S,S) = 0, with a good signal of probability p = 0.9 when both exert effort, q = 0.5 when one shirks
    and r = 0.2 when both do: the best symmetric PPE payoff is 2 - (1 - p) / (p - q) = 1.75.

    >>> import numpy as np
    >>> u = np.array([[[2.0, -1.0], [3.0, 0.0]], [[2.0, 3.0], [-1.0, 0.0]]])
    >>> good = np.array([0.9, 0.5, 0.5, 0.2])
    >>> res = public_equilibrium_payoff_set(u, np.column_stack([good, 1 - good]), 0.9)
    >>> round(float(res.vertices.sum(axis=1).max() / 2), 6)
    1.75

    The error bound (about 0.1 here) is that of the 64 directions' outer polygon, not of the iteration:
    more directions (``num_directions``) make it smaller.

    >>> 0.0 < res.error_bound < 0.2
    True
    """
    pay_t = np.asarray(expected_payoffs, dtype=np.float64)
    if pay_t.ndim != 3 or pay_t.shape[0] != 2:
        raise InputError(f"expected_payoffs must be (2, n_1, n_2) for a 2-player game, got shape {pay_t.shape}")
    if not np.all(np.isfinite(pay_t)):
        raise InputError("expected_payoffs must be finite")
    n1, n2 = int(pay_t.shape[1]), int(pay_t.shape[2])
    P = n1 * n2
    prob = np.asarray(probabilities, dtype=np.float64)
    if prob.ndim == 3:
        prob = prob.reshape(P, -1) if prob.shape[:2] == (n1, n2) else prob
    if prob.ndim != 2 or prob.shape[0] != P or prob.shape[1] < 1:
        raise InputError(f"probabilities must be ({P}, number of signals) for a {n1}x{n2} game, "
                         f"got shape {np.asarray(probabilities).shape}")
    if not np.all(np.isfinite(prob)) or np.any(prob < -1e-12) or np.any(np.abs(prob.sum(axis=1) - 1.0) > 1e-9):
        raise InputError("probabilities must be non-negative and each row must sum to 1")
    prob = np.clip(prob, 0.0, None)
    prob = prob / prob.sum(axis=1, keepdims=True)
    d = check_delta(delta)
    if d is None:
        raise InputError("the perfect public equilibrium payoff set needs a discount factor")
    if isinstance(num_directions, bool) or not isinstance(num_directions, int | np.integer) or num_directions < 8:
        raise InputError(f"num_directions must be an integer of at least 8, got {num_directions!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise InputError(f"max_iter must be a positive integer, got {max_iter!r}")
    spread = float(pay_t.max() - pay_t.min())
    scale = spread if spread > 0 else 1.0
    if tol is None:
        tol_n = SET_TOL
    else:
        try:
            tol_v = float(tol)
        except (TypeError, ValueError):
            raise InputError(f"tol must be a positive number, got {tol!r}") from None
        if not np.isfinite(tol_v) or tol_v <= 0:
            raise InputError(f"tol must be a positive number, got {tol!r}")
        tol_n = tol_v / scale
    names_y = tuple(signals) if signals is not None else tuple(f"y{k}" for k in range(prob.shape[1]))
    if len(names_y) != prob.shape[1]:
        raise InputError(f"{len(names_y)} signal names for {prob.shape[1]} signals")
    start = time.perf_counter()
    # payoffs centred and scaled to a unit spread: the operator commutes with this map, and every tolerance of
    # the kernels is then absolute
    pay_flat = np.ascontiguousarray(pay_t.reshape(2, P).T)
    shift = 0.5 * (pay_flat.min(axis=0) + pay_flat.max(axis=0))
    pay = (pay_flat - shift) / scale
    stage = _stage_arrays(pay, prob, (n1, n2), max(d, 0.0))
    hull = _hull_2d(pay, _MERGE)
    H = _directions(int(num_directions), hull)
    opts = PublicOptions(tol_n, _SLACK, _MERGE, _THIN)
    notes: list[str] = []
    c = np.ascontiguousarray((pay @ H.T).max(axis=0))
    D = len(H)
    Y = prob.shape[1]
    M = int(stage.n_sig.max() + stage.n_dev.max())
    work = LPWork(np.empty((M, M)), np.empty(M), np.zeros(M, dtype=np.int64), np.empty(M), np.empty(M),
                  np.empty(M), np.empty((M, M)), np.empty(M))
    step = StepOut(np.empty(D), np.empty((D, 2)), np.zeros(D, dtype=np.int64), np.zeros((D, Y, 2)),
                   np.ones(P, dtype=np.bool_))
    status, done = _MAX_ITER, 0
    stopped: Stopped | None = None
    limit = time_limit(stop_after)  # one budget for both approximations
    with ChunkedRun("perfect public equilibrium payoffs", total=None, unit="iterations", verb="run",
                    stop_after=limit, progress=progress, first=50, counted=False) as run:
        while done < max_iter:
            n = min(run.budget, max_iter - done)
            status, k = _outer_steps(H, c, stage, opts, work, step, n)
            done += int(k)
            if status != _MAX_ITER or done >= max_iter:
                break
            if not run.advance(done, int(k)):
                break
        stopped = run.stopped
    if status == _LP_FAILED:
        raise RuntimeError("a linear programme of the perfect public equilibrium set did not terminate")
    empty = status == _EMPTY
    converged = status == _CONVERGED
    poly = np.empty((D + 8, 2))
    m = _vertices_from_support(H, c, poly, _MERGE)
    m = _merge_close(poly, m, _MERGE)
    outer = poly[:m].copy()
    # the inner polygon generates itself up to its last step (at most its tolerance) and the refinement's
    # threshold; iterates agree to about that over 1 - delta: closer vertices are one, near-collinear ones dropped
    # from the inner polygon (which only shrinks it). The outer polygon keeps every vertex farther than _THIN
    # from its neighbours' chord: dropping one cuts a corner off, and a coarser threshold would cut off payoffs
    # of the set (1e-8 of the spread at delta = 0.9)
    inner_tol = max(tol_n, _INNER_TOL)
    slop = (inner_tol + _SLACK + _REFINE) / (1.0 - d)
    clean = 10.0 * slop
    outer = _simplify(outer, _THIN)
    inner_v = np.empty((0, 2))
    inner_conv = False
    inner_iter = 0
    error_bound: float | None = None
    error_note: str | None = None
    if empty:
        outer = np.empty((0, 2))
        notes.append(f"the outer approximation is empty: the repeated game has no pure-strategy perfect public "
                     f"equilibrium at delta = {d:g}")
    elif not inner:
        error_note = "the inner approximation was not asked for"
    elif stopped is not None or not converged:
        error_note = "the outer approximation did not settle, so the inner one was not run"
    else:
        inner_opts = opts._replace(tol=inner_tol)
        # progress means the step halves; at the pace of a contraction by delta that takes log 2 / -log delta
        # steps: three times that and 50 more without it, and the iteration gives up
        give_up = 3.0 * np.log(2.0) / -np.log(max(d, 0.5)) + 50.0
        ctl = np.array([_REFINE, tol_n, 0.1 * clean, np.inf, 0.0, give_up])
        cap = min(int(max_iter), 10 * done + 1000)
        last = np.ascontiguousarray(_simplify(outer, clean))  # a start with fewer, well-separated vertices
        istatus = _MAX_ITER
        with ChunkedRun("perfect public equilibrium payoffs (inner approximation)", total=None, unit="iterations",
                        verb="run", stop_after=limit, progress=progress, first=20, counted=False) as run:
            while inner_iter < cap:
                n = min(run.budget, cap - inner_iter)
                istatus, k, last, gen, miss = _inner_steps(H, last, stage, inner_opts, work, n, ctl)
                inner_iter += int(k)
                last = np.ascontiguousarray(last)
                if istatus != _MAX_ITER or inner_iter >= cap:
                    break
                if not run.advance(inner_iter, int(k)):
                    break
            stopped = run.stopped
        if stopped is not None:
            error_note = (f"the inner approximation was stopped after {inner_iter:,} iterations "
                          f"({stopped.reason}): no error bound")
        elif istatus == _EMPTY:
            error_note = "the inner approximation vanished: no error bound"
        elif istatus == _LP_FAILED:
            error_note = "a linear programme of the inner approximation did not terminate: no error bound"
        elif istatus == _MAX_ITER:
            error_note = f"the inner approximation did not settle in {inner_iter:,} iterations: no error bound"
        elif istatus == _NO_PROGRESS:
            error_note = (f"the inner approximation stopped making progress after {inner_iter:,} iterations "
                          f"(its step stayed near {miss * scale:.1g}, above its tolerance; the pieces of the "
                          "operator have more vertices than it finds): no error bound")
        else:
            why = _certify(np.asarray(last), gen, stage, clean)
            if why is None:
                inner_conv = True
                inner_v = _simplify(np.asarray(last), clean)
                error_bound = (hausdorff_distance(outer, inner_v) + 2.0 * slop) * scale
            else:
                error_note = why
    if error_note is not None and not empty:
        notes.append(error_note)
    outer_s = outer * scale + shift if len(outer) else outer
    inner_s = inner_v * scale + shift if len(inner_v) else inner_v
    punishment = outer_s.min(axis=0) if len(outer_s) else np.full(2, np.nan)
    inner_pun = inner_s.min(axis=0) if len(inner_s) else np.full(2, np.nan)
    support = c * scale + H @ shift
    return PublicEquilibriumPayoffSet(
        players=tuple(players), delta=float(d), signals=names_y, vertices=_frozen(outer_s),
        inner_vertices=_frozen(inner_s), directions=_frozen(H), support=_frozen(support),
        punishment=_frozen(punishment), inner_punishment=_frozen(inner_pun), empty=bool(empty),
        converged=bool(converged), inner_converged=inner_conv, num_iter=int(done), inner_num_iter=inner_iter,
        error_bound=error_bound, tol=tol_n * scale, seconds=time.perf_counter() - start, stopped=stopped,
        monitoring=monitoring, error_note=None if empty else error_note, notes=tuple(notes),
    )


def _certify(poly: np.ndarray, gen: Any, stage: PublicStage, clean: float) -> str | None:
    """Check the inner polygon's last step in plain NumPy; ``None`` when it passes, else the reason.

    Each point of ``B(poly)`` is recomputed from its continuation values, which must lie in ``poly`` and meet
    every incentive constraint of its profile (up to the slack and rounding), and every vertex of ``poly``
    must lie within ``clean`` of the convex hull of the points (self-generation).
    """
    pay, prob, d = stage.pay, stage.prob, stage.delta
    eps = 1e-9
    pts = gen.pts[:gen.n]
    for l in range(int(gen.n)):
        a = int(gen.prof[l])
        w = gen.cont[l]  # (Y, 2)
        rows = np.concatenate([[a], stage.dev_prof[a, :stage.n_dev[a]]])
        used = (prob[rows] > 0).any(axis=0)
        if points_polygon_distance(w[used], poly).max(initial=0.0) > eps:
            return "a continuation value of the inner approximation lies outside it: no error bound"
        v = (1.0 - d) * pay[a] + d * prob[a] @ w
        if np.abs(v - pts[l]).max() > eps:
            return "a point generated by the inner approximation does not recompute: no error bound"
        for j in range(int(stage.n_dev[a])):
            b = int(stage.dev_prof[a, j])
            i = int(stage.dev_player[a, j])
            if (1.0 - d) * pay[b, i] + d * prob[b] @ w[:, i] > v[i] + _SLACK + eps:
                return "a point generated by the inner approximation is not incentive compatible: no error bound"
    hull = _hull_2d(np.round(pts / 1e-12) * 1e-12, _MERGE)
    miss = float(points_polygon_distance(poly, hull).max())
    if miss > clean:
        return (f"the inner approximation is not self-generating (a vertex lies {miss:.3g} outside the payoffs it "
                "generates, in units of the payoff spread): no error bound")
    return None


def _stage_arrays(pay: np.ndarray, prob: np.ndarray, shape: tuple[int, int], delta: float) -> PublicStage:
    """The kernels' :class:`PublicStage`: each profile's unilateral deviations and the signals they can produce."""
    n1, n2 = shape
    P = n1 * n2
    K = (n1 - 1) + (n2 - 1)
    dev_prof = np.zeros((P, max(K, 1)), dtype=np.int64)
    dev_player = np.zeros((P, max(K, 1)), dtype=np.int64)
    n_dev = np.zeros(P, dtype=np.int64)
    sig_rows = []
    for a1 in range(n1):
        for a2 in range(n2):
            a = a1 * n2 + a2
            j = 0
            for b1 in range(n1):
                if b1 != a1:
                    dev_prof[a, j], dev_player[a, j] = b1 * n2 + a2, 0
                    j += 1
            for b2 in range(n2):
                if b2 != a2:
                    dev_prof[a, j], dev_player[a, j] = a1 * n2 + b2, 1
                    j += 1
            n_dev[a] = j
            rows = np.concatenate([[a], dev_prof[a, :j]])
            sig_rows.append(np.flatnonzero((prob[rows] > 0).any(axis=0)))
    S = max(len(s) for s in sig_rows)
    sig = np.zeros((P, S), dtype=np.int64)
    n_sig = np.zeros(P, dtype=np.int64)
    for a, s in enumerate(sig_rows):
        sig[a, :len(s)] = s
        n_sig[a] = len(s)
    return PublicStage(np.ascontiguousarray(pay), np.ascontiguousarray(prob), dev_prof, dev_player, n_dev, sig,
                       n_sig, float(delta))


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


# ----------------------------------------------------------------------------- from a repeated game
def public_payoff_set(
    game: RepeatedGame,
    delta: float | None = None,
    num_directions: int = NUM_DIRECTIONS,
    tol: float | None = None,
    max_iter: int = MAX_ITER,
    inner: bool = True,
    *,
    stop_after: StopAfter = None,
    progress: ProgressOption = False,
) -> PublicEquilibriumPayoffSet:
    """The PPE payoff set of a 2-player :class:`RepeatedGame` whose players read a common signal.

    The signal table is :func:`coop.games.public_signals.public_signal_structure`: general public signals
    (``repeated.signals``), an inspector's public report of each action (``monitoring: public``), or the
    realised profile (perfect observation, with or without implementation noise); payoffs and signals are
    those given the *intended* profile, noise included. Signals that no profile produces are left out.
    ``delta`` overrides the game's own.
    """
    if not isinstance(game, RepeatedGame):
        raise InputError(f"expected a RepeatedGame, got {type(game).__name__}")
    if game.num_players != 2:
        raise InputError(f"the perfect public equilibrium payoff set is computed for 2-player games only, "
                         f"this game has {game.num_players} players")
    if game.horizon is not None:
        raise InputError("the perfect public equilibrium payoff set is computed for an infinite horizon only")
    if not game.public:
        raise InputError("the perfect public equilibrium payoff set needs a public signal: this game's players "
                         "observe each other through private channels")
    d = check_delta(delta) if delta is not None else game.delta
    if d is None:
        raise InputError("the perfect public equilibrium payoff set needs a discount factor")
    from coop.games.public_signals import public_signal_structure

    sig = public_signal_structure(game)
    expected = np.asarray(sig.expected_payoffs, dtype=np.float64).reshape(2, *game.stage.num_actions)
    probs = np.asarray(sig.probabilities, dtype=np.float64)
    names = sig.names
    keep = probs.max(axis=0) > 0
    return public_equilibrium_payoff_set(
        expected, probs[:, keep], d, num_directions, tol, max_iter, inner, players=tuple(game.stage.players),
        signals=tuple(n for n, k in zip(names, keep, strict=True) if k), monitoring=monitoring_words(game),
        stop_after=stop_after,
        progress=progress,
    )


def monitoring_words(game: RepeatedGame) -> str:
    """What the public signal of ``game`` is, in words."""
    if game.signals is not None:
        noise = f" (implementation noise {game.noise:g})" if game.noise else ""
        return f"public signals {', '.join(game.signals.names)}{noise}"
    if game.monitoring == "public" and not (game.detection == 1.0 and game.false_alarm == 0.0):
        return (f"an inspector's public report of each action (detection {game.detection:g}, false alarm "
                f"{game.false_alarm:g}" + (f", noise {game.noise:g})" if game.noise else ")"))
    if game.noise:
        return f"the realised actions, seen by all (implementation noise {game.noise:g})"
    return "perfect monitoring"
