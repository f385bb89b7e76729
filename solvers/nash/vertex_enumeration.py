r"""All extreme Nash equilibria of a 2-player game by vertex enumeration.

With the row player's payoff matrix :math:`A` and the column player's
:math:`B` (both :math:`m \times n`, rescaled to positive entries), the
best-response polytopes are (von Stengel 2007, section 3.2)

.. math::

    P = \{x \in \mathbb{R}^m : x \ge 0,\ B^\top x \le 1\}, \qquad
    Q = \{y \in \mathbb{R}^n : A y \le 1,\ y \ge 0\}.

A point has label :math:`i < m` when :math:`x_i = 0` (in :math:`P`) or
:math:`(Ay)_i = 1` (in :math:`Q`), and label :math:`m + j` when
:math:`(B^\top x)_j = 1` or :math:`y_j = 0`. A pair of vertices
:math:`(x, y) \ne (0, 0)` whose labels together cover all :math:`m + n`
labels is, after normalising each vector to sum one, an extreme Nash
equilibrium; every extreme equilibrium arises this way (ibid., theorem 3.4).

Each polytope's vertices are found by a breadth-first traversal of its
feasible bases, starting from the origin: from a basis, every nonbasic
variable is tried as the entering one, and every leaving row that keeps the
basis feasible is followed (all ties of the minimum-ratio test, and every
exchange at a zero-valued basic variable), so degenerate vertices, which have
several bases, are passed through completely. Visited bases are kept in a hash
set keyed by the bit set of basic variables; vertices are identified by their
bit set of labels (a vertex is the only point of the polytope where its tight
constraints all hold). Work grows with the number of vertices, not with the
:math:`\binom{m+n}{m}` possible bases.

Games with more than :data:`SINGLE_CALL_BASES` possible bases per polytope are
enumerated in pieces (:mod:`coop.solvers.shared.progress`): the traversal's
state (its two levels, the hash sets, the vertices found and where it is in the
current level, a :class:`Traversal`) is handed back to Python every
:attr:`~coop.solvers.shared.progress.ChunkedRun.budget` units of work, for a
progress bar, Ctrl-C and a time limit, and taken up again unchanged, so the
answer does not depend on the pieces.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.bimatrix import (
    _new_table,
    _prepare_bimatrix,
    _table_grow,
    _table_slot,
    bimatrix_equilibria,
    check_two_player,
    verified_in_order,
    verify_rule,
)
from coop.solvers.nash.results import NashResult, regret_tolerance
from coop.solvers.shared.jit import njit
from coop.solvers.shared.progress import ChunkedRun, ProgressOption, StopAfter, Stopped, TimeLimit, time_limit

#: A basic variable at most this (on payoffs rescaled to [1, 2]) is zero: its constraint is tight.
ZERO_TOL = 1e-9
#: Tableau entries at most this in absolute value are never used as pivots.
PIVOT_TOL = 1e-9
#: Default cap on the feasible bases visited per polytope.
MAX_BASES = 2_000_000
#: Games whose polytopes have at most this many possible bases (``C(m + n, m)``; 12,870 for 8 x 8) are
#: enumerated in one kernel call: a few milliseconds at most. Larger ones run in pieces.
SINGLE_CALL_BASES = 20_000
#: Work units of the first piece of a larger game (a unit is one tableau entry of a pivot, about 1 ns).
FIRST_CHUNK = 50_000_000

#: One level of the breadth-first traversal: dictionaries ``tab`` (``(cap, d + 1, r)``, column-major, see
#: :func:`_pivot_into`), basic variables ``bas`` (``(cap, r)``), nonbasic ``non`` (``(cap, d)``) and the bit-set
#: keys of the bases ``key`` (``(cap, W)``).
Level = namedtuple("Level", ["tab", "bas", "non", "key"])
#: The hash set of visited bases (keys and used flags; see :mod:`coop.solvers.nash.bimatrix`).
BasisSet = namedtuple("BasisSet", ["keys", "used"])
#: Tolerances of the traversal: basic variables that count as zero, and the smallest usable pivot.
PivotTolerances = namedtuple("PivotTolerances", ["zero_tol", "pivot_tol"])
#: Scratch of :func:`_expand_node`: a basis key (``(W,)``) and the ratios of one column (``(r,)``).
Scratch = namedtuple("Scratch", ["newkey", "rat"])
#: :func:`_expand_node`'s answer: the next level's new size, the bases added, whether ``budget`` ran out.
Expansion = namedtuple("Expansion", ["size", "added", "stopped"])
#: A polytope's breadth-first traversal between calls: the current and next :class:`Level`, the hash set of
#: visited bases (``bkeys``, ``bused``, ``bvals``) and of degenerate vertices (``vkeys``, ``vused``, ``vvals``),
#: the vertices found (``coords``, ``masks``) and the counters ``counts`` (see ``_C_*``).
Traversal = namedtuple("Traversal", ["cur", "nxt", "bkeys", "bused", "bvals", "vkeys", "vused", "vvals", "coords",
                                     "masks", "counts"])
# the entries of Traversal.counts
_C_CUR = 0  # bases in the current level
_C_NXT = 1  # bases in the next level so far
_C_NODE = 2  # the next basis of the current level to process
_C_BASES = 3  # bases visited
_C_VERT = 4  # vertices found
_C_DEG = 5  # degenerate vertices found
_C_DEGENERATE = 6  # 1 when some vertex is degenerate
_C_COMPLETE = 7  # 0 once max_bases stopped the traversal
_C_FINISHED = 8  # 1 once the traversal has ended


@njit(cache=True)
def _pivot_into(src, s, dst, t, p, q):
    """Write into ``dst[t]`` the dictionary ``src[s]`` after exchanging basic row ``p`` with nonbasic column ``q``.

    Dictionaries are stored column-major: ``src[s, j, i]`` is the entry of
    row ``i`` (basic variable) and column ``j`` (nonbasic variable, the last
    column is the right-hand side); rows read
    ``basic_i + sum_j T[j, i] nonbasic_j = T[-1, i]``.
    """
    c = src.shape[1]
    r = src.shape[2]
    inv = 1.0 / src[s, q, p]
    for j in range(c):
        if j == q:
            continue
        g = src[s, j, p] * inv
        if g == 0.0:
            for i in range(r):
                dst[t, j, i] = src[s, j, i]
        else:
            for i in range(r):
                dst[t, j, i] = src[s, j, i] - g * src[s, q, i]
        dst[t, j, p] = g
    for i in range(r):
        dst[t, q, i] = -src[s, q, i] * inv
    dst[t, q, p] = inv


@njit(cache=True)
def _vertex_labels(tab, bas, non, s, var_labels, zero_tol, mask):
    """Fill ``mask`` with the labels of node ``s``'s vertex; return how many basic variables are zero."""
    d = tab.shape[1] - 1
    r = tab.shape[2]
    for w in range(mask.shape[0]):
        mask[w] = 0
    for j in range(d):
        lab = var_labels[non[s, j]]
        mask[lab >> 6] |= np.int64(1) << np.int64(lab & 63)
    extra = 0
    for i in range(r):
        if tab[s, d, i] <= zero_tol:
            lab = var_labels[bas[s, i]]
            mask[lab >> 6] |= np.int64(1) << np.int64(lab & 63)
            extra += 1
    return extra


@njit(cache=True)
def _record_vertex(tab, bas, s, zero_tol, coords, masks, k, mask):
    d = tab.shape[1] - 1
    r = tab.shape[2]
    for j in range(d):
        coords[k, j] = 0.0
    for i in range(r):
        v = bas[s, i]
        if v < d and tab[s, d, i] > zero_tol:
            coords[k, v] = tab[s, d, i]
    for w in range(mask.shape[0]):
        masks[k, w] = mask[w]


@njit(cache=True, inline="always")
def _expand_node(cur, s, nxt, n_nxt, seen, tols, scratch, budget):
    """Push the unvisited feasible neighbours of basis ``s`` of level ``cur`` onto level ``nxt`` (a :class:`Level`
    holding ``n_nxt`` entries), recording them in ``seen`` (a :class:`BasisSet`).

    The caller guarantees room for ``r * d`` more entries in the next level
    and in the basis table. Returns an :class:`Expansion`: the new level size,
    the number of new bases (at most ``budget``) and whether more were wanted
    than ``budget``.
    """
    tab, bas, non, key = cur
    ntab, nbas, nnon, nkey = nxt
    bkeys, bused = seen
    zero_tol, pivot_tol = tols
    newkey, rat = scratch
    d = tab.shape[1] - 1
    r = tab.shape[2]
    width = key.shape[1]
    added = 0
    for q in range(d):
        # ratios b_i / a_i over a_i > 0 (a zero-valued b_i counts as 0), branch-free
        theta = np.inf
        for i in range(r):
            a = tab[s, q, i]
            b = tab[s, d, i]
            b = b if b > zero_tol else 0.0
            ratio = b / a if a > pivot_tol else np.inf
            rat[i] = ratio
            theta = ratio if ratio < theta else theta
        if theta == np.inf:
            continue  # unbounded edge: impossible for a polytope, skipped for safety
        limit = theta * (1.0 + 1e-9)
        vn = non[s, q]
        for i in range(r):
            # leaving rows: every row attaining the minimum ratio, and every zero-valued basic
            # variable with a nonzero entry (an exchange at the same vertex)
            if rat[i] > limit:
                if tab[s, d, i] > zero_tol or abs(tab[s, q, i]) <= pivot_tol:
                    continue
            vb = bas[s, i]
            for w in range(width):
                newkey[w] = key[s, w]
            newkey[vb >> 6] ^= np.int64(1) << np.int64(vb & 63)
            newkey[vn >> 6] ^= np.int64(1) << np.int64(vn & 63)
            slot = _table_slot(bkeys, bused, newkey)
            if bused[slot]:  # this basis was reached before
                continue
            if added == budget:
                return Expansion(n_nxt, added, True)
            bused[slot] = True
            for w in range(width):
                bkeys[slot, w] = newkey[w]
            added += 1
            _pivot_into(tab, s, ntab, n_nxt, i, q)
            for t in range(r):
                nbas[n_nxt, t] = bas[s, t]
            nbas[n_nxt, i] = vn
            for t in range(d):
                nnon[n_nxt, t] = non[s, t]
            nnon[n_nxt, q] = vb
            for w in range(width):
                nkey[n_nxt, w] = newkey[w]
            n_nxt += 1
    return Expansion(n_nxt, added, False)


@njit(cache=True)
def _grow_vertices(coords, masks, n):
    c2 = np.zeros((2 * coords.shape[0], coords.shape[1]))
    c2[:n] = coords[:n]
    m2 = np.zeros((2 * masks.shape[0], masks.shape[1]), dtype=np.int64)
    m2[:n] = masks[:n]
    return c2, m2


@njit(cache=True)
def _grow_level(level, n, cap):
    """A :class:`Level` of capacity ``cap`` holding the first ``n`` entries of ``level``."""
    tab, bas, non, key = level
    t2 = np.empty((cap, tab.shape[1], tab.shape[2]))
    t2[:n] = tab[:n]
    b2 = np.empty((cap, bas.shape[1]), dtype=np.int64)
    b2[:n] = bas[:n]
    n2 = np.empty((cap, non.shape[1]), dtype=np.int64)
    n2[:n] = non[:n]
    k2 = np.zeros((cap, key.shape[1]), dtype=np.int64)
    k2[:n] = key[:n]
    return Level(t2, b2, n2, k2)


@njit(cache=True)
def _origin_levels(M, num_labels):
    """The first two breadth-first levels of a traversal of ``{z >= 0, M z <= 1}`` (``M`` shape ``(r, d)``): the
    current one holding the origin's basis, an empty next one; also the key width in words and the fan-out (the
    most neighbours one basis can have)."""
    r, d = M.shape
    nvars = r + d
    width = (max(nvars, num_labels) + 63) // 64
    cols = d + 1
    fan = r * d  # most neighbours one basis can have

    # breadth-first levels: dictionaries, basic and nonbasic variables, basis keys
    cap = 64
    while cap < 2 * fan:
        cap *= 2
    cur = Level(np.empty((cap, cols, r)), np.empty((cap, r), dtype=np.int64), np.empty((cap, d), dtype=np.int64),
                np.zeros((cap, width), dtype=np.int64))
    nxt = _grow_level(cur, 0, cap)

    for i in range(r):
        for j in range(d):
            cur.tab[0, j, i] = M[i, j]
        cur.tab[0, d, i] = 1.0
        cur.bas[0, i] = d + i
        v = d + i
        cur.key[0, v >> 6] |= np.int64(1) << np.int64(v & 63)
    for j in range(d):
        cur.non[0, j] = j
    return cur, nxt, width, fan


@njit(cache=True)
def _traversal_start(M, num_labels):
    """A :class:`Traversal` of ``{z >= 0, M z <= 1}`` (``M`` positive, shape ``(r, d)``) at the origin's basis."""
    r, d = M.shape
    cur, nxt, width, fan = _origin_levels(M, num_labels)

    tcap = 1024
    while tcap < 4 * fan:
        tcap *= 2
    bkeys, bused, bvals = _new_table(width, tcap)
    slot = _table_slot(bkeys, bused, cur.key[0])
    bused[slot] = True
    bkeys[slot, :] = cur.key[0]
    vkeys, vused, vvals = _new_table(width, 256)
    counts = np.zeros(9, dtype=np.int64)
    counts[_C_CUR] = 1
    counts[_C_BASES] = 1
    counts[_C_COMPLETE] = 1
    return Traversal(cur, nxt, bkeys, bused, bvals, vkeys, vused, vvals, np.zeros((64, d)),
                     np.zeros((64, width), dtype=np.int64), counts)


@njit(cache=True)
def _traversal_run(M, var_labels, tols, trav, budget, max_bases):
    """Go on with the :class:`Traversal` ``trav`` of ``{z >= 0, M z <= 1}`` for about ``budget`` units of work
    (-1: to the end; at least one basis is processed).

    Variables ``0..d-1`` are ``z``, ``d..d+r-1`` the slacks of the rows; the label of variable ``v`` is
    ``var_labels[v]``; a vertex carries the labels of its zero variables. ``tols`` is a
    :class:`PivotTolerances`; the traversal stops adding bases once it has visited ``max_bases``. Returns the
    traversal after this call (``counts[_C_FINISHED]`` is 1 once it has ended) and the work units spent.
    """
    cur, nxt, bkeys, bused, bvals, vkeys, vused, vvals, coords, masks, counts = trav
    zero_tol = tols.zero_tol
    r, d = M.shape
    width = cur.key.shape[1]
    fan = r * d
    seen = BasisSet(bkeys, bused)
    mask = np.zeros(width, dtype=np.int64)
    scratch = Scratch(np.zeros(width, dtype=np.int64), np.empty(r))
    n_cur = counts[_C_CUR]
    n_nxt = counts[_C_NXT]
    n_bases = counts[_C_BASES]
    n_vert = counts[_C_VERT]
    n_deg = counts[_C_DEG]
    degenerate = counts[_C_DEGENERATE] != 0
    complete = counts[_C_COMPLETE] != 0
    node_work = (d + 1) * r * (d + 1)  # a vertex and up to d pivots of (d + 1) x r entries
    spent = 0

    first = counts[_C_NODE]  # where the last call paused in the current level
    while n_cur > 0:
        tab, bas, non = cur.tab, cur.bas, cur.non
        for s_idx in range(first, n_cur):
            if budget >= 0 and spent > 0 and spent >= budget:
                counts[_C_CUR] = n_cur
                counts[_C_NXT] = n_nxt
                counts[_C_NODE] = s_idx
                counts[_C_BASES] = n_bases
                counts[_C_VERT] = n_vert
                counts[_C_DEG] = n_deg
                counts[_C_DEGENERATE] = 1 if degenerate else 0
                counts[_C_COMPLETE] = 1 if complete else 0
                return Traversal(cur, nxt, bkeys, bused, bvals, vkeys, vused, vvals, coords, masks, counts), spent
            spent += node_work
            # ---- the vertex of this basis
            extra = _vertex_labels(tab, bas, non, s_idx, var_labels, zero_tol, mask)
            # a nondegenerate basis is the only basis of its vertex: only degenerate ones are deduplicated
            is_new = True
            if extra > 0:
                if 2 * (n_deg + 1) > vused.shape[0]:
                    vkeys, vused, vvals = _table_grow(vkeys, vused, vvals)
                slot = _table_slot(vkeys, vused, mask)
                if vused[slot]:
                    is_new = False
                else:
                    vused[slot] = True
                    for w in range(width):
                        vkeys[slot, w] = mask[w]
                    n_deg += 1
            if is_new:
                if n_vert == coords.shape[0]:
                    coords, masks = _grow_vertices(coords, masks, n_vert)
                _record_vertex(tab, bas, s_idx, zero_tol, coords, masks, n_vert, mask)
                n_vert += 1
                if extra > 0:
                    degenerate = True
            if complete:
                # ---- neighbouring feasible bases
                if n_nxt + fan > nxt.tab.shape[0]:
                    nxt = _grow_level(nxt, n_nxt, 2 * (n_nxt + fan))
                if 2 * (n_bases + fan) > bused.shape[0]:
                    bkeys, bused, bvals = _table_grow(bkeys, bused, bvals)
                    seen = BasisSet(bkeys, bused)
                n_nxt, added, stopped = _expand_node(cur, s_idx, nxt, n_nxt, seen, tols, scratch,
                                                     max_bases - n_bases)
                n_bases += added
                if stopped:
                    complete = False
        # swap levels, keeping both at the larger capacity
        cur, nxt = nxt, cur
        n_cur = n_nxt
        n_nxt = 0
        first = 0
        if nxt.tab.shape[0] < cur.tab.shape[0]:
            nxt = _grow_level(cur, 0, cur.tab.shape[0])
    counts[_C_CUR] = 0
    counts[_C_NXT] = 0
    counts[_C_NODE] = 0
    counts[_C_BASES] = n_bases
    counts[_C_VERT] = n_vert
    counts[_C_DEG] = n_deg
    counts[_C_DEGENERATE] = 1 if degenerate else 0
    counts[_C_COMPLETE] = 1 if complete else 0
    counts[_C_FINISHED] = 1
    return Traversal(cur, nxt, bkeys, bused, bvals, vkeys, vused, vvals, coords, masks, counts), spent


@njit(cache=True)
def _traversal_result(trav):
    """The vertices (coordinates ``(k, d)``, label bit sets ``(k, W)``), bases visited, whether some vertex is
    degenerate and whether the traversal completed (did not stop at ``max_bases``)."""
    counts = trav.counts
    n_vert = counts[_C_VERT]
    return (trav.coords[:n_vert].copy(), trav.masks[:n_vert].copy(), counts[_C_BASES], counts[_C_DEGENERATE] != 0,
            counts[_C_COMPLETE] != 0)


@njit(cache=True)
def _polytope_vertices(M, var_labels, num_labels, zero_tol, pivot_tol, max_bases):
    """Vertices of ``{z >= 0, M z <= 1}`` (``M`` positive, shape ``(r, d)``) with their label bit sets, in one call.

    Variables ``0..d-1`` are ``z``, ``d..d+r-1`` the slacks of the rows; the
    label of variable ``v`` is ``var_labels[v]`` (a number below
    ``num_labels``); a vertex carries the labels of its zero variables.

    :func:`_traversal_start` and :func:`_traversal_run` make the same traversal resumable, for large games run in
    pieces; this one-call form is kept for small games, where carrying the state costs about a fifth of the time
    (the tests check that the two visit the same bases and find the same vertices).

    Returns
    -------
    coords : float64[:, :]
        ``(k, d)`` vertex coordinates.
    masks : int64[:, :]
        ``(k, W)`` label bit sets, ``W = ceil(num_labels / 64)``.
    bases : int64
        Feasible bases visited.
    degenerate : bool
        Whether some vertex has more than ``d`` labels.
    complete : bool
        False when the traversal stopped at ``max_bases``.
    """
    r, d = M.shape
    cur, nxt, width, fan = _origin_levels(M, num_labels)
    n_cur = 1

    tcap = 1024
    while tcap < 4 * fan:
        tcap *= 2
    bkeys, bused, bvals = _new_table(width, tcap)
    n_bases = 1
    slot = _table_slot(bkeys, bused, cur.key[0])
    bused[slot] = True
    bkeys[slot, :] = cur.key[0]
    seen = BasisSet(bkeys, bused)

    vkeys, vused, vvals = _new_table(width, 256)
    n_vert = 0
    n_deg = 0
    coords = np.zeros((64, d))
    masks = np.zeros((64, width), dtype=np.int64)

    degenerate = False
    complete = True
    mask = np.zeros(width, dtype=np.int64)
    scratch = Scratch(np.zeros(width, dtype=np.int64), np.empty(r))
    tols = PivotTolerances(zero_tol, pivot_tol)

    while n_cur > 0:
        n_nxt = 0
        tab, bas, non = cur.tab, cur.bas, cur.non
        for s_idx in range(n_cur):
            # ---- the vertex of this basis
            extra = _vertex_labels(tab, bas, non, s_idx, var_labels, zero_tol, mask)
            # a nondegenerate basis is the only basis of its vertex: only degenerate ones are deduplicated
            is_new = True
            if extra > 0:
                if 2 * (n_deg + 1) > vused.shape[0]:
                    vkeys, vused, vvals = _table_grow(vkeys, vused, vvals)
                slot = _table_slot(vkeys, vused, mask)
                if vused[slot]:
                    is_new = False
                else:
                    vused[slot] = True
                    for w in range(width):
                        vkeys[slot, w] = mask[w]
                    n_deg += 1
            if is_new:
                if n_vert == coords.shape[0]:
                    coords, masks = _grow_vertices(coords, masks, n_vert)
                _record_vertex(tab, bas, s_idx, zero_tol, coords, masks, n_vert, mask)
                n_vert += 1
                if extra > 0:
                    degenerate = True
            if not complete:
                continue
            # ---- neighbouring feasible bases
            if n_nxt + fan > nxt.tab.shape[0]:
                nxt = _grow_level(nxt, n_nxt, 2 * (n_nxt + fan))
            if 2 * (n_bases + fan) > bused.shape[0]:
                bkeys, bused, bvals = _table_grow(bkeys, bused, bvals)
                seen = BasisSet(bkeys, bused)
            n_nxt, added, stopped = _expand_node(cur, s_idx, nxt, n_nxt, seen, tols, scratch, max_bases - n_bases)
            n_bases += added
            if stopped:
                complete = False
        # swap levels, keeping both at the larger capacity
        cur, nxt = nxt, cur
        n_cur = n_nxt
        if nxt.tab.shape[0] < cur.tab.shape[0]:
            nxt = _grow_level(cur, 0, cur.tab.shape[0])
    return coords[:n_vert].copy(), masks[:n_vert].copy(), n_bases, degenerate, complete


@njit(cache=True)
def _match_vertices(px, pmask, qy, qmask, full, exact_only, zero_tol):
    """Index pairs ``(a, b)`` of nonzero vertices of P and Q whose labels cover ``full``.

    With ``exact_only`` (both polytopes simple), a vertex of Q must carry
    exactly the labels missing at the vertex of P, found by hashing;
    otherwise every pair is tested.
    """
    kp = px.shape[0]
    kq = qy.shape[0]
    width = full.shape[0]
    out = np.empty((16, 2), dtype=np.int64)
    n_out = 0
    p_nonzero = np.zeros(kp, dtype=np.bool_)
    q_nonzero = np.zeros(kq, dtype=np.bool_)
    for a in range(kp):
        p_nonzero[a] = px[a].sum() > zero_tol
    for b in range(kq):
        q_nonzero[b] = qy[b].sum() > zero_tol
    if exact_only:
        cap = 16
        while cap < 2 * kq + 2:
            cap *= 2
        keys, used, vals = _new_table(width, cap)
        for b in range(kq):
            slot = _table_slot(keys, used, qmask[b])
            used[slot] = True
            keys[slot, :] = qmask[b]
            vals[slot] = b
        need = np.zeros(width, dtype=np.int64)
        for a in range(kp):
            if not p_nonzero[a]:
                continue
            for w in range(width):
                need[w] = ~pmask[a, w] & full[w]
            slot = _table_slot(keys, used, need)
            if used[slot] and q_nonzero[vals[slot]]:
                if n_out == out.shape[0]:
                    o2 = np.empty((2 * n_out, 2), dtype=np.int64)
                    o2[:n_out] = out
                    out = o2
                out[n_out, 0] = a
                out[n_out, 1] = vals[slot]
                n_out += 1
    else:
        for a in range(kp):
            if not p_nonzero[a]:
                continue
            for b in range(kq):
                if not q_nonzero[b]:
                    continue
                ok = True
                for w in range(width):
                    if (pmask[a, w] | qmask[b, w]) & full[w] != full[w]:
                        ok = False
                        break
                if ok:
                    if n_out == out.shape[0]:
                        o2 = np.empty((2 * n_out, 2), dtype=np.int64)
                        o2[:n_out] = out
                        out = o2
                    out[n_out, 0] = a
                    out[n_out, 1] = b
                    n_out += 1
    return out[:n_out].copy()


@njit(cache=True)
def _polytope_labels(m, n):
    """The labels of the variables of P (``x_i -> i``, slack of column ``j`` -> ``m + j``) and of Q
    (``y_j -> m + j``, slack of row ``i`` -> ``i``)."""
    p_labels = np.arange(m + n)
    q_labels = np.empty(m + n, dtype=np.int64)
    for j in range(n):
        q_labels[j] = m + j
    for i in range(m):
        q_labels[n + i] = i
    return p_labels, q_labels


@njit(cache=True)
def _equilibrium_pairs(m, n, px, pmask, qy, qmask, degenerate, zero_tol):
    """The normalised mixes ``X`` ``(k, m)`` and ``Y`` ``(k, n)`` of the completely labelled vertex pairs."""
    num_labels = m + n
    width = pmask.shape[1]
    full = np.zeros(width, dtype=np.int64)
    for label in range(num_labels):
        full[label >> 6] |= np.int64(1) << np.int64(label & 63)
    pairs = _match_vertices(px, pmask, qy, qmask, full, not degenerate, zero_tol)
    k = pairs.shape[0]
    X = np.empty((k, m))
    Y = np.empty((k, n))
    for c in range(k):
        sx = px[pairs[c, 0]].sum()
        sy = qy[pairs[c, 1]].sum()
        for i in range(m):
            X[c, i] = px[pairs[c, 0], i] / sx
        for j in range(n):
            Y[c, j] = qy[pairs[c, 1], j] / sy
    return X, Y


@njit(cache=True)
def _vertex_enumeration_kernel(P, zero_tol, pivot_tol, max_bases):
    """Candidate extreme equilibria of the bimatrix game ``(P[0], P[1])``.

    Returns the normalised candidate mixes ``X`` ``(k, m)`` and ``Y``
    ``(k, n)``, the payoff spread, the bases visited, whether a polytope is
    degenerate and whether both traversals completed.
    """
    A, B, spread = _prepare_bimatrix(P)
    m, n = A.shape
    num_labels = m + n
    p_labels, q_labels = _polytope_labels(m, n)
    px, pmask, p_bases, p_deg, p_done = _polytope_vertices(
        np.ascontiguousarray(B.T), p_labels, num_labels, zero_tol, pivot_tol, max_bases
    )
    qy, qmask, q_bases, q_deg, q_done = _polytope_vertices(A, q_labels, num_labels, zero_tol, pivot_tol, max_bases)
    degenerate = p_deg or q_deg
    X, Y = _equilibrium_pairs(m, n, px, pmask, qy, qmask, degenerate, zero_tol)
    return X, Y, spread, p_bases + q_bases, degenerate, p_done and q_done


@njit(cache=True)
def _vertex_enumeration_verified(P, zero_tol, pivot_tol, max_bases, rule):
    """:func:`_vertex_enumeration_kernel` and the verification of its candidates in one call.

    ``P`` holds the unit payoffs and ``rule`` is the admission rule (:func:`~coop.solvers.nash.bimatrix.verify_rule`).
    Returns the kept profiles in reporting order (``X``, ``Y``, payoffs, regrets, relative regrets),
    the number rejected, the bases visited and the degeneracy and completion flags.
    """
    X, Y, _spread, bases, degenerate, converged = _vertex_enumeration_kernel(P, zero_tol, pivot_tol, max_bases)
    Xk, Yk, pay, reg, rel, rejected = verified_in_order(P[0], P[1], X, Y, rule)
    return Xk, Yk, pay, reg, rel, rejected, bases, degenerate, converged


def _in_pieces(P: np.ndarray, max_bases: int, rule: np.ndarray, limit: TimeLimit | None,
               progress: ProgressOption) -> tuple[tuple, Stopped | None]:
    """:func:`_vertex_enumeration_verified` in pieces of about 0.15 s, and what stopped it (or ``None``).

    The two polytopes' traversals run in alternate pieces; then the vertices are paired, in pieces of P's
    vertices when the game is degenerate (every pair is tested then). When ``limit`` or Ctrl-C stops the
    work, the vertices found so far are paired: every completely labelled pair among them is an equilibrium
    (verified as always), though not every equilibrium need be among them.
    """
    A, B, _spread = _prepare_bimatrix(P)
    m, n = A.shape
    p_labels, q_labels = _polytope_labels(m, n)
    tols = PivotTolerances(ZERO_TOL, PIVOT_TOL)
    polytopes = ((np.ascontiguousarray(B.T), p_labels), (np.ascontiguousarray(A), q_labels))
    travs = [_traversal_start(M, m + n) for M, _ in polytopes]
    with ChunkedRun("vertex enumeration", total=None, unit="bases", verb="visited", stop_after=limit,
                    progress=progress, first=FIRST_CHUNK) as run:
        while run.going and not all(t.counts[_C_FINISHED] for t in travs):
            for k, (M, labels) in enumerate(polytopes):
                if travs[k].counts[_C_FINISHED]:
                    continue
                travs[k], spent = _traversal_run(M, labels, tols, travs[k], run.budget, max_bases)
                last = all(t.counts[_C_FINISHED] for t in travs)
                if not run.advance(sum(int(t.counts[_C_BASES]) for t in travs), int(spent), last=last):
                    break
    stopped = run.stopped
    px, pmask, p_bases, p_deg, p_done = _traversal_result(travs[0])
    qy, qmask, q_bases, q_deg, q_done = _traversal_result(travs[1])
    degenerate = bool(p_deg or q_deg)
    if not degenerate:  # pairs by hashing the labels: fast
        X, Y = _equilibrium_pairs(m, n, px, pmask, qy, qmask, False, ZERO_TOL)
    else:  # every pair is tested: in pieces of P's vertices, in order
        per_vertex = max(len(qy), 1) * pmask.shape[1]
        parts: list[tuple[np.ndarray, np.ndarray]] = []
        with ChunkedRun("pairing vertices", total=len(px), unit="vertices", verb="paired", stop_after=limit,
                        progress=progress, first=FIRST_CHUNK) as pairing:
            a = 0
            while a < len(px) and pairing.going and stopped is None:
                rows = max(1, pairing.budget // per_vertex)
                parts.append(_equilibrium_pairs(m, n, px[a:a + rows], pmask[a:a + rows], qy, qmask, True, ZERO_TOL))
                a += rows
                pairing.advance(min(a, len(px)), rows * per_vertex)
        stopped = stopped or pairing.stopped
        X = np.concatenate([x for x, _ in parts]) if parts else np.zeros((0, m))
        Y = np.concatenate([y for _, y in parts]) if parts else np.zeros((0, n))
    Xk, Yk, pay, reg, rel, rejected = verified_in_order(P[0], P[1], X, Y, rule)
    return (Xk, Yk, pay, reg, rel, rejected, p_bases + q_bases, degenerate, p_done and q_done), stopped


def vertex_enumeration(game: NormalFormGame, tol: float | None = None, max_bases: int = MAX_BASES, *,
                       stop_after: StopAfter = None, progress: ProgressOption = False) -> NashResult:
    """Find every extreme Nash equilibrium of a 2-player game by enumerating the best-response polytopes' vertices.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game, any size (the work grows with the number of vertices
        of the best-response polytopes, which can be exponential).
    tol : float, optional
        Relative regret tolerance for verifying each equilibrium (each player's regret at most
        this times their stake; default ``1e-9``). The polytope computations work on
        payoffs rescaled to ``[1, 2]`` with fixed tolerances ``ZERO_TOL`` and
        ``PIVOT_TOL``.
    max_bases : int, optional
        Cap on the feasible bases visited per polytope; when reached,
        ``converged`` is False and the equilibria found so far are returned.
    stop_after : float or TimeLimit, optional
        Seconds after which to stop (checked between pieces of about 0.15 s, on games with more than
        :data:`SINGLE_CALL_BASES` possible bases): the equilibria among the vertices found so far are
        returned (``guarantee="some"``, ``converged=False``, ``stopped`` says how far it got). Ctrl-C stops
        it the same way (``stopped.interrupted``).
    progress : bool or callable, optional
        A progress bar on stderr for long runs, or a callback (:mod:`coop.solvers.shared.progress`).

    Returns
    -------
    NashResult
        ``guarantee="all_extreme"``: every extreme point of every component of
        equilibria (for a nondegenerate game, every equilibrium).
        ``degenerate`` is True when some vertex of a best-response polytope
        has more tight constraints than the polytope's dimension.

    Examples
    --------
    Battle of the sexes has two pure equilibria and one mixed:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    >>> res = vertex_enumeration(g)
    >>> [np.round(np.concatenate(e.strategies), 4).tolist() for e in res.equilibria]
    [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0], [0.6667, 0.3333, 0.3333, 0.6667]]

    References
    ----------
    B. von Stengel (2007), "Equilibrium computation for two-player games in
    strategic and extensive form", in *Algorithmic Game Theory*, ch. 3.
    """
    check_two_player(game, "vertex_enumeration")
    if isinstance(max_bases, bool) or not isinstance(max_bases, (int, np.integer)) or max_bases < 1:
        raise InputError(f"max_bases must be a positive integer, got {max_bases!r}")
    tol = regret_tolerance(game, tol)
    limit = time_limit(stop_after) if stop_after is not None else None
    _, m, n = game.unit_payoffs.shape
    stopped = None
    if math.comb(m + n, m) <= SINGLE_CALL_BASES:
        out = _vertex_enumeration_verified(game.unit_payoffs, ZERO_TOL, PIVOT_TOL, int(max_bases),
                                           verify_rule(game, tol))
    else:
        out, stopped = _in_pieces(game.unit_payoffs, int(max_bases), verify_rule(game, tol), limit, progress)
    X, Y, pay, reg, rel, rejected, bases, degenerate, converged = out
    converged = bool(converged) and stopped is None
    equilibria = bimatrix_equilibria(X, Y, pay, reg, rel)
    rejected = int(rejected)
    notes = []
    if degenerate:
        notes.append(
            "the game is degenerate (or nearly: payoff differences below 1e-9 of a player's payoff range "
            "count as ties here): a best-response polytope has a vertex with more tight "
            "constraints than its dimension, so equilibria may form continua; the equilibria "
            "listed are the extreme points of those sets (every equilibrium is a convex "
            "combination of extreme ones within a component)"
        )
    if not converged and stopped is None:
        notes.append(
            f"stopped after {max_bases} feasible bases in one polytope: the list may be incomplete"
        )
    if stopped is not None:
        notes.append(f"{stopped.reason}; the equilibria listed are those among the vertices found by then")
    if rejected:
        notes.append(
            f"{rejected} vertex pairs were not equilibria within the tolerance (payoff differences too small "
            "for the polytope arithmetic, or rounding) and were dropped"
        )
    return NashResult(
        game=game,
        method="vertex_enumeration",
        equilibria=equilibria,
        guarantee="all_extreme" if stopped is None else "some",
        degenerate=bool(degenerate),
        tol=tol,
        converged=bool(converged),
        num_iter=int(bases),
        rejected=rejected,
        parameters={"max_bases": int(max_bases), "stop_after": None if limit is None else limit.seconds},
        notes=tuple(notes),
        stopped=stopped,
    )
