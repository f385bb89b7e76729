r"""Compiled kernels of simplicial subdivision (the wrapper is :mod:`coop.solvers.nash.simplicial_subdivision`).

The path of the restart algorithm of van der Laan and Talman (1987) on the product of the players' simplices
:math:`S = \prod_i \Delta_i`, for one start point :math:`v` and one mesh :math:`1/m`.

Regions
    Actions are numbered ``0..n-1`` over all players (player ``i``'s block starts at ``off[i]``). For a set
    :math:`T` of actions with, for every player, :math:`T_i` not covering the support :math:`V_i` of
    :math:`v_i`, the region

    .. math::

        A(T) = \{x \in S : x_i = v_i + \textstyle\sum_{j \in T_i} \lambda_{ij} (e_{ij} - v_i),
                 \ \lambda \ge 0, \ \sum_{j \in T_i} \lambda_{ij} \le 1\}

    has dimension :math:`t = |T|`: away from :math:`v_i`, player ``i`` puts weight only on the actions of
    :math:`T_i`, the rest of the strategy staying proportional to :math:`v_i`. In the coordinates
    :math:`b_{ij} = m \sum_{k \in T_i, k \le j} \lambda_{ik}` (prefix sums in action order) the region is the
    polytope :math:`0 \le b_{i,1} \le b_{i,2} \le \dots \le b_{i,t_i} \le m` for each player, and every
    bounding hyperplane (:math:`b_{i,1} = 0`, :math:`b_{i,k} = b_{i,k-1}`, :math:`b_{i,t_i} = m`) is a union
    of faces of Freudenthal's triangulation of :math:`\mathbb{R}^t` (Kuhn's simplices
    :math:`y^0 = b^0 \in \mathbb{Z}^t`, :math:`y^k = y^{k-1} + e_{\pi_k}`). So Freudenthal's simplices
    triangulate each region, and the triangulation of a facet :math:`\lambda_{ij} = 0` of :math:`A(T)` is
    that of :math:`A(T \setminus \{j\})`.

Labels
    A point gets one label: the action ``(i, j)`` with the largest gain
    :math:`(u_i(j, x_{-i}) - u_i(x)) / s_i` over all players and actions, where :math:`s_i` is player ``i``'s
    payoff spread (first index on ties). Every player has a gain of at least 0.

The path
    It starts at the 0-simplex :math:`\{v\}` of :math:`A(\emptyset)` and moves through :math:`T`-complete
    simplices of :math:`A(T)` (vertices labelled with every action of :math:`T`, one label twice or one
    label outside :math:`T`):

    - a label :math:`l = (i, j) \notin T`: if :math:`T_i \cup \{j\}` covers :math:`V_i`, the path ends
      (*complete*); otherwise :math:`j` joins :math:`T_i` and the simplex is the facet of the one simplex
      of :math:`A(T \cup \{l\})` that holds it, whose new vertex is labelled next;
    - a label twice: the other vertex with that label leaves. If the facet left lies on
      :math:`\lambda_{ij} = 0` the path goes down to :math:`A(T \setminus \{j\})`, where the vertex labelled
      :math:`(i, j)` leaves next; on :math:`\sum_j \lambda_{ij} = 1` it ends (*boundary*); otherwise the
      Freudenthal pivot gives the neighbouring simplex and its new vertex is labelled.

    Both ends hold an approximate equilibrium: in the limit of a small mesh every label of :math:`T` and the
    last one carry the largest gain, so a player whose labels cover the support of their strategy there
    has a largest gain of 0, and then every player has (McKelvey and McLennan 1996, section 5). The path
    never meets a simplex twice (each simplex has at most two doors) and cannot come back to :math:`v`,
    so it ends after finitely many pivots.

Everything is on floats; the labels are integers, so no tie in the payoffs can make the path ambiguous. The
point found is then polished by Newton's method on its support (:func:`_newton_kernel`) and verified by the
wrapper.

References
----------
van der Laan, G. and Talman, A. J. J. (1987). Simplicial approximation of solutions to the nonlinear
complementarity problem with lower and upper bounds. *Mathematical Programming* 38, 1-15; and van der Laan, G.,
Talman, A. J. J. and van der Heyden, L. (1987). Simplicial variable dimension algorithms for solving the
nonlinear complementarity problem on a product of unit simplices using a general labelling. *Mathematics of
Operations Research* 12, 377-397.

McKelvey, R. D. and McLennan, A. (1996). Computation of equilibria in finite games. *Handbook of Computational
Economics* 1, 87-142, section 5.

Freudenthal, H. (1942). Simplizialzerlegungen von beschränkter Flachheit. *Annals of Mathematics* 43, 580-582.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from coop.solvers.shared.jit import njit
from coop.solvers.shared.linalg import UNIQUE, solve_inplace

#: The game as the kernels read it: ``flat[i]`` player ``i``'s payoffs (C order over the profiles), the
#: action counts, the profile strides, each player's first action number, each action's player, and each
#: player's payoff spread (the labels compare gains divided by it).
GameArrays = namedtuple("GameArrays", ["flat", "shape", "strides", "off", "player_of", "scale"])
#: One path, updated in place between calls: the start point ``v``, the base vertex ``b0`` and steps ``perm[:t]``
#: of the current simplex (coordinates indexed by action number), the labels ``lab[:t+1]`` of its vertices, the
#: membership ``in_t`` of :math:`T`, and ``ints`` (see ``_T`` ... ``_MESH``); ``x``, ``vals``, ``buf``, ``spare``
#: and ``b`` are workspaces.
Path = namedtuple("Path", ["v", "b0", "perm", "lab", "in_t", "ints", "x", "vals", "buf", "spare", "b"])

# positions in Path.ints
_T = 0  # dimension of the current simplex
_NEW = 1  # index of the vertex whose label is to be read next
_STATUS = 2
_PIVOTS = 3  # vertices labelled on this path so far
_MESH = 4  # m

#: Path.ints[_STATUS]: still going, ended at a new label that covers a support, ended on the boundary, or an
#: internal inconsistency (never expected: a simplex outside its region, or the path back at its start).
RUNNING = 0
DONE_LABEL = 1
DONE_BOUNDARY = 2
FAILED = 3

# how the facet opposite a vertex lies in its region
_INTERIOR = 0
_DROP = 1
_END = 2


# ----------------------------------------------------------------------------- points and labels
@njit(cache=True)
def _vertex_coords(path, k):
    """The coordinates of vertex ``k`` of the current simplex into ``path.b`` (``b0`` plus the first ``k`` steps)."""
    b = path.b
    for q in range(b.shape[0]):
        b[q] = path.b0[q]
    for q in range(k):
        b[path.perm[q]] += 1


@njit(cache=True)
def _point(game, path, b, x):
    """The strategy profile ``x`` (flat, action numbers) at the region coordinates ``b``."""
    m = path.ints[_MESH]
    v = path.v
    in_t = path.in_t
    for i in range(game.shape.shape[0]):
        lo = game.off[i]
        hi = lo + game.shape[i]
        prev = 0
        for q in range(lo, hi):
            if in_t[q]:
                prev = b[q]  # the last prefix sum: m times the weight moved off v_i
        c = (m - prev) / m
        prev = 0
        for q in range(lo, hi):
            if in_t[q]:
                x[q] = v[q] * c + (b[q] - prev) / m
                prev = b[q]
            else:
                x[q] = v[q] * c


@njit(cache=True)
def _action_values(game, x, buf, spare, vals):
    """``vals[off[i] + j] = u_i(j, x_-i)`` for every player and action.

    Player ``i``'s payoffs are contracted one axis at a time: the axes after ``i`` from the last (dot products
    over contiguous rows), then the axes before ``i`` from the first (row combinations, skipping actions of
    probability 0), about ``prod(shape)`` multiply-adds per player in simple loops. ``buf`` and ``spare`` hold
    at least ``prod(shape) / min(shape)`` values.
    """
    n_players = game.shape.shape[0]
    shape = game.shape
    off = game.off
    total = game.flat.shape[1]
    for i in range(n_players):
        src = game.flat[i]
        size = total
        in_buf = False  # whether src is buf (else the payoffs, or spare)
        for p in range(n_players - 1, i, -1):  # trailing axes: (rows, a_p) -> rows
            a = shape[p]
            rows = size // a
            dst = spare if in_buf else buf
            xo = off[p]
            for r in range(rows):
                acc = 0.0
                base = r * a
                for k in range(a):
                    acc += src[base + k] * x[xo + k]
                dst[r] = acc
            src = dst
            size = rows
            in_buf = not in_buf
        for p in range(i):  # leading axes: (a_p, rest) -> rest
            a = shape[p]
            rest = size // a
            dst = spare if in_buf else buf
            xo = off[p]
            for r in range(rest):
                dst[r] = 0.0
            for k in range(a):
                w = x[xo + k]
                if w != 0.0:
                    base = k * rest
                    for r in range(rest):
                        dst[r] += w * src[base + r]
            src = dst
            size = rest
            in_buf = not in_buf
        for j in range(shape[i]):
            vals[off[i] + j] = src[j]


@njit(cache=True)
def _gains(game, x, vals, out):
    """Each action's gain over its player's payoff, divided by the player's spread, into ``out``."""
    for i in range(game.shape.shape[0]):
        lo = game.off[i]
        hi = lo + game.shape[i]
        own = 0.0
        for q in range(lo, hi):
            own += x[q] * vals[q]
        for q in range(lo, hi):
            out[q] = (vals[q] - own) / game.scale[i]


@njit(cache=True)
def _label_of(game, path, x):
    """The label of the point ``x``: the action with the largest scaled gain (the first on ties)."""
    _action_values(game, x, path.buf, path.spare, path.vals)
    _gains(game, x, path.vals, path.vals)  # in place: each player's block is read whole before it is written
    return np.argmax(path.vals)


@njit(cache=True)
def _label_vertex(game, path, k):
    _vertex_coords(path, k)
    _point(game, path, path.b, path.x)
    path.lab[k] = _label_of(game, path, path.x)


# ----------------------------------------------------------------------------- the regions
@njit(cache=True)
def _prev_in_t(game, in_t, q):
    """The largest action of ``q``'s player below ``q`` in :math:`T` (-1: none)."""
    lo = game.off[game.player_of[q]]
    for r in range(q - 1, lo - 1, -1):
        if in_t[r]:
            return r
    return -1


@njit(cache=True)
def _is_last_in_t(game, in_t, q):
    i = game.player_of[q]
    for r in range(q + 1, game.off[i] + game.shape[i]):
        if in_t[r]:
            return False
    return True


@njit(cache=True)
def _covers(game, path, q):
    """Whether :math:`T_i \\cup \\{q\\}` holds the support of :math:`v_i` (``i`` the player of action ``q``)."""
    i = game.player_of[q]
    for r in range(game.off[i], game.off[i] + game.shape[i]):
        if path.v[r] > 0.0 and not path.in_t[r] and r != q:
            return False
    return True


@njit(cache=True)
def _facet(game, path, k):
    """Where the facet opposite vertex ``k`` lies: inside the region (``_INTERIOR``, -1), on a face
    :math:`\\lambda_h = 0` (``_DROP``, ``h``) or on a face :math:`\\sum_j \\lambda_{ij} = 1` (``_END``, -1)."""
    t = path.ints[_T]
    perm = path.perm
    b0 = path.b0
    in_t = path.in_t
    if k == 0:
        c = perm[0]
        if _is_last_in_t(game, in_t, c) and b0[c] + 1 == path.ints[_MESH]:
            return _END, -1
        return _INTERIOR, -1
    if k == t:
        c = perm[t - 1]
        if _prev_in_t(game, in_t, c) < 0 and b0[c] == 0:
            return _DROP, c
        return _INTERIOR, -1
    p = perm[k - 1]
    q = perm[k]
    if game.player_of[p] == game.player_of[q] and b0[p] == b0[q]:
        hi = max(p, q)
        if _prev_in_t(game, in_t, hi) == min(p, q):
            return _DROP, hi
    return _INTERIOR, -1


@njit(cache=True)
def _inside(game, path, b):
    """Whether the coordinates ``b`` lie in the region of :math:`T` (a check of the pivots)."""
    m = path.ints[_MESH]
    for i in range(game.shape.shape[0]):
        prev = 0
        for q in range(game.off[i], game.off[i] + game.shape[i]):
            if path.in_t[q]:
                if b[q] < prev:
                    return False
                prev = b[q]
        if prev > m:
            return False
    return True


@njit(cache=True)
def _pivot(path, k):
    """Replace vertex ``k`` of the current simplex by Freudenthal's rule; returns the new vertex's index."""
    t = path.ints[_T]
    perm = path.perm
    lab = path.lab
    if k == 0:
        first = perm[0]
        path.b0[first] += 1
        for q in range(t - 1):
            perm[q] = perm[q + 1]
        perm[t - 1] = first
        for q in range(t):
            lab[q] = lab[q + 1]
        return t
    if k == t:
        last = perm[t - 1]
        path.b0[last] -= 1
        for q in range(t - 1, 0, -1):
            perm[q] = perm[q - 1]
        perm[0] = last
        for q in range(t, 0, -1):
            lab[q] = lab[q - 1]
        return 0
    tmp = perm[k - 1]
    perm[k - 1] = perm[k]
    perm[k] = tmp
    return k


@njit(cache=True)
def _raise(game, path, q):
    """Add action ``q`` to :math:`T`: the current simplex becomes a facet of a simplex of the larger region;
    returns the index of that simplex's new vertex."""
    t = path.ints[_T]
    perm = path.perm
    lab = path.lab
    prev = _prev_in_t(game, path.in_t, q)
    path.in_t[q] = 1
    path.ints[_T] = t + 1
    if prev < 0:
        path.b0[q] = 0
        perm[t] = q
        return t + 1
    path.b0[q] = path.b0[prev]
    pos = 0
    while perm[pos] != prev:
        pos += 1
    for r in range(t, pos, -1):
        perm[r] = perm[r - 1]
    perm[pos] = q
    for r in range(t + 1, pos + 1, -1):
        lab[r] = lab[r - 1]
    return pos + 1


@njit(cache=True)
def _drop(path, k, h):
    """Remove vertex ``k`` and action ``h`` from the current simplex (its facet opposite ``k`` lies on
    :math:`\\lambda_h = 0`); the facet is then a simplex of the smaller region, whose steps are the old ones
    without ``h`` (on that face ``h`` steps with the action before it, or not at all)."""
    t = path.ints[_T]
    perm = path.perm
    lab = path.lab
    pos = 0
    while perm[pos] != h:
        pos += 1
    for r in range(pos, t - 1):
        perm[r] = perm[r + 1]
    for r in range(k, t):
        lab[r] = lab[r + 1]
    path.in_t[h] = 0
    path.b0[h] = 0
    path.ints[_T] = t - 1


@njit(cache=True)
def path_kernel(game, path, budget):
    """Follow the path for about ``budget`` more labelled vertices (-1: to its end); see the module docstring.

    Returns the vertices labelled in this call. ``path.ints[_STATUS]`` says whether the path ended.
    """
    ints = path.ints
    if ints[_STATUS] != RUNNING:
        return 0
    done = 0
    if ints[_PIVOTS] == 0:
        ints[_T] = 0
        ints[_NEW] = 0
        _label_vertex(game, path, 0)
        ints[_PIVOTS] = 1
        done = 1
    while budget < 0 or done < budget:
        t = ints[_T]
        knew = ints[_NEW]
        label = path.lab[knew]
        if not path.in_t[label]:
            if _covers(game, path, label):
                ints[_STATUS] = DONE_LABEL
                break
            knew = _raise(game, path, label)
        else:
            kout = -1
            for k in range(t + 1):
                if k != knew and path.lab[k] == label:
                    kout = k
                    break
            if kout < 0:
                ints[_STATUS] = FAILED
                break
            while True:
                kind, h = _facet(game, path, kout)
                if kind == _END:
                    ints[_STATUS] = DONE_BOUNDARY
                    break
                if kind == _INTERIOR:
                    break
                _drop(path, kout, h)
                t = ints[_T]
                if t == 0:
                    ints[_STATUS] = FAILED  # back at the start: impossible on an exact path
                    break
                kout = -1
                for k in range(t + 1):
                    if path.lab[k] == h:
                        kout = k
                        break
                if kout < 0:
                    ints[_STATUS] = FAILED
                    break
            if ints[_STATUS] != RUNNING:
                break
            knew = _pivot(path, kout)
        ints[_NEW] = knew
        _vertex_coords(path, knew)
        if not _inside(game, path, path.b):
            ints[_STATUS] = FAILED
            break
        _point(game, path, path.b, path.x)
        path.lab[knew] = _label_of(game, path, path.x)
        ints[_PIVOTS] += 1
        done += 1
    return done


@njit(cache=True)
def simplex_point(game, path, out):
    """The barycentre of the current simplex's vertices, as a flat profile, into ``out``."""
    t = path.ints[_T]
    for q in range(out.shape[0]):
        out[q] = 0.0
    for k in range(t + 1):
        _vertex_coords(path, k)
        _point(game, path, path.b, path.x)
        for q in range(out.shape[0]):
            out[q] += path.x[q]
    for q in range(out.shape[0]):
        out[q] /= t + 1


@njit(cache=True)
def scaled_gains(game, x, out):
    """Each action's gain at the flat profile ``x`` divided by its player's spread (the labels' measure)."""
    buf, spare = _buffers(game)
    vals = np.empty(x.shape[0])
    _action_values(game, x, buf, spare, vals)
    _gains(game, x, vals, out)


@njit(cache=True)
def _buffers(game):
    """Two workspaces for :func:`_action_values`."""
    size = max(game.flat.shape[1] // game.shape.min(), 1)
    return np.empty(size), np.empty(size)


# ----------------------------------------------------------------------------- Newton's method on a support
@njit(cache=True)
def _support_terms(game, x, mask, vals, deriv):
    """On the supports ``mask``: ``vals[q] = u_i(q, x_-i)`` for support actions ``q`` of player ``i``, and
    ``deriv[q, r] = d u_i(q, x_-i) / d x_r`` for support actions ``r`` of the other players."""
    n_players = game.shape.shape[0]
    shape = game.shape
    off = game.off
    strides = game.strides
    supp = np.empty((n_players, shape.max()), dtype=np.int64)
    cnt = np.zeros(n_players, dtype=np.int64)
    for p in range(n_players):
        for a in range(shape[p]):
            if mask[off[p] + a]:
                supp[p, cnt[p]] = a
                cnt[p] += 1
    n = x.shape[0]
    for q in range(n):
        vals[q] = 0.0
        for r in range(n):
            deriv[q, r] = 0.0
    idx = np.zeros(n_players, dtype=np.int64)
    act = np.empty(n_players, dtype=np.int64)
    while True:
        flat = 0
        for p in range(n_players):
            act[p] = off[p] + supp[p, idx[p]]
            flat += supp[p, idx[p]] * strides[p]
        for i in range(n_players):
            u = game.flat[i, flat]
            w = 1.0
            for p in range(n_players):
                if p != i:
                    w *= x[act[p]]
            vals[act[i]] += w * u
            for j in range(n_players):
                if j == i:
                    continue
                w2 = u
                for p in range(n_players):
                    if p != i and p != j:
                        w2 *= x[act[p]]
                deriv[act[i], act[j]] += w2
        p = n_players - 1
        while p >= 0:
            idx[p] += 1
            if idx[p] < cnt[p]:
                break
            idx[p] = 0
            p -= 1
        if p < 0:
            break


@njit(cache=True)
def _newton_residual(game, x, mask, vals, res):
    """The indifference and sum equations on the supports ``mask`` at ``x`` into ``res[:nv]``; their largest
    magnitude (equations scaled by the players' spreads)."""
    row = 0
    worst = 0.0
    for i in range(game.shape.shape[0]):
        first = -1
        total = 0.0
        for q in range(game.off[i], game.off[i] + game.shape[i]):
            if mask[q]:
                total += x[q]
                if first < 0:
                    first = q
                else:
                    res[row] = (vals[q] - vals[first]) / game.scale[i]
                    worst = max(worst, abs(res[row]))
                    row += 1
        res[row] = total - 1.0
        worst = max(worst, abs(res[row]))
        row += 1
    return worst


@njit(cache=True)
def newton_kernel(game, x, mask, max_iter, ftol):
    """Solve the indifference system of the supports ``mask`` (one flag per action) by Newton's method from
    ``x`` (flat; updated in place, zero off the supports).

    Unknowns: the probabilities of the support actions. Equations: for each player, every support action
    earns what the first one does, and the support probabilities sum to one; as many equations as unknowns.
    Where the Jacobian is singular (the support's solutions form a continuum) the step is the regularised
    least-squares one. Returns True when the residual falls to ``ftol`` (in units of the players' spreads);
    the wrapper verifies the point.
    """
    n = x.shape[0]
    var = np.empty(n, dtype=np.int64)
    nv = 0
    for q in range(n):
        if mask[q]:
            var[nv] = q
            nv += 1
        else:
            x[q] = 0.0
    vals = np.empty(n)
    deriv = np.empty((n, n))
    res = np.empty(nv)
    jac = np.empty((nv, nv))
    normal = np.empty((nv, nv))
    rhs = np.empty(nv)
    for _ in range(max_iter):
        _support_terms(game, x, mask, vals, deriv)
        worst = _newton_residual(game, x, mask, vals, res)
        if not np.isfinite(worst):
            return False
        if worst <= ftol:
            return True
        # the Jacobian, row by row in the residual's order
        row = 0
        for i in range(game.shape.shape[0]):
            first = -1
            for q in range(game.off[i], game.off[i] + game.shape[i]):
                if mask[q]:
                    if first < 0:
                        first = q
                    else:
                        for c in range(nv):
                            r = var[c]
                            jac[row, c] = (deriv[q, r] - deriv[first, r]) / game.scale[i]
                        row += 1
            for c in range(nv):
                jac[row, c] = 1.0 if game.player_of[var[c]] == i else 0.0
            row += 1
        for r in range(nv):
            for c in range(nv):
                normal[r, c] = jac[r, c]
            rhs[r] = res[r]
        if solve_inplace(normal, rhs, nv, 1e-300, 1e-13) != UNIQUE:
            # singular (a continuum of solutions through the point): the regularised least-squares step
            # (J'J + mu I) d = J'F, which moves to the nearest solution instead
            scale = 0.0
            for r in range(nv):
                for c in range(nv):
                    acc = 0.0
                    for k in range(nv):
                        acc += jac[k, r] * jac[k, c]
                    normal[r, c] = acc
                    scale = max(scale, abs(acc))
                acc = 0.0
                for k in range(nv):
                    acc += jac[k, r] * res[k]
                rhs[r] = acc
            for r in range(nv):
                normal[r, r] += 1e-12 * scale + 1e-300
            if solve_inplace(normal, rhs, nv, 1e-300, 0.0) != UNIQUE:
                return False
        for c in range(nv):
            x[var[c]] -= rhs[c]
    _support_terms(game, x, mask, vals, deriv)
    return _newton_residual(game, x, mask, vals, res) <= ftol


@njit(cache=True)
def _complementarity(game, x, w, vals, deriv, phi, jac):
    """The residual ``phi`` of the complementarity system at ``(x, w)`` (and, when ``jac`` has rows, its
    Jacobian); returns the residual's largest magnitude. ``vals`` and ``deriv`` hold the action values and
    their derivatives at ``x``."""
    n = x.shape[0]
    n_players = game.shape.shape[0]
    worst = 0.0
    fill = jac.shape[0] > 0
    for i in range(n_players):
        s = game.scale[i]
        total = 0.0
        for q in range(game.off[i], game.off[i] + game.shape[i]):
            total += x[q]
            gap = (w[i] - vals[q]) / s
            if fill:
                for c in range(n + n_players):
                    jac[q, c] = 0.0
            if x[q] <= gap:
                phi[q] = x[q]
                if fill:
                    jac[q, q] = 1.0
            else:
                phi[q] = gap
                if fill:
                    jac[q, n + i] = 1.0 / s
                    for r in range(n):
                        if game.player_of[r] != i:
                            jac[q, r] = -deriv[q, r] / s
            worst = max(worst, abs(phi[q]))
        phi[n + i] = total - 1.0
        worst = max(worst, abs(phi[n + i]))
        if fill:
            for c in range(n + n_players):
                jac[n + i, c] = 0.0
            for q in range(game.off[i], game.off[i] + game.shape[i]):
                jac[n + i, q] = 1.0
    return worst


@njit(cache=True)
def complementarity_newton_kernel(game, x, max_iter, max_halvings, ftol):
    r"""Polish the approximate equilibrium ``x`` (flat; updated in place) by a semismooth Newton method on

    .. math::

        \min\bigl(x_{ij}, (w_i - u_i(j, x_{-i})) / s_i\bigr) = 0, \qquad \textstyle\sum_j x_{ij} = 1,

    with the unknown equilibrium payoffs :math:`w_i` (the min-function reformulation of the complementarity
    problem; each row is linearised on its active branch). Its solutions are exactly the equilibria, and
    near a nondegenerate one it converges quadratically without being told the support. A step that does not
    decrease the residual is halved (at most ``max_halvings`` times, then the method gives up).
    Returns True when the residual falls to ``ftol``; the wrapper verifies the point.
    """
    n = x.shape[0]
    n_players = game.shape.shape[0]
    size = n + n_players
    mask = np.ones(n, dtype=np.int64)
    vals = np.empty(n)
    deriv = np.empty((n, n))
    phi = np.empty(size)
    step = np.empty(size)
    jac = np.empty((size, size))
    no_jac = np.empty((0, 0))
    w = np.empty(n_players)
    trial_x = np.empty(n)
    trial_w = np.empty(n_players)
    buf, spare = _buffers(game)
    _support_terms(game, x, mask, vals, deriv)
    for i in range(n_players):
        best = -np.inf
        for q in range(game.off[i], game.off[i] + game.shape[i]):
            best = max(best, vals[q])
        w[i] = best
    for _ in range(max_iter):
        worst = _complementarity(game, x, w, vals, deriv, phi, jac)
        if not np.isfinite(worst):
            return False
        if worst <= ftol:
            return True
        for c in range(size):
            step[c] = phi[c]
        if solve_inplace(jac, step, size, 1e-300, 1e-14) != UNIQUE:
            return False
        t = 1.0
        better = False
        for _half in range(max_halvings):
            for q in range(n):
                trial_x[q] = x[q] - t * step[q]
            for i in range(n_players):
                trial_w[i] = w[i] - t * step[n + i]
            _action_values(game, trial_x, buf, spare, vals)
            if _complementarity(game, trial_x, trial_w, vals, deriv, phi, no_jac) < worst:
                better = True
                break
            t *= 0.5
        if not better:
            return False
        for q in range(n):
            x[q] = trial_x[q]
        for i in range(n_players):
            w[i] = trial_w[i]
        _support_terms(game, x, mask, vals, deriv)
    return _complementarity(game, x, w, vals, deriv, phi, no_jac) <= ftol
