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
"""

from __future__ import annotations

import numpy as np
from numba import njit

from coop.games.normal_form import NormalFormGame
from coop.solvers._linalg import (
    _new_table,
    _table_grow,
    _table_slot,
    check_two_player,
    positive_bimatrix,
    verified_bimatrix_equilibria,
)
from coop.solvers.results import NashResult, regret_tolerance

#: A basic variable at most this (on payoffs rescaled to [1, 2]) is zero: its constraint is tight.
ZERO_TOL = 1e-9
#: Tableau entries at most this in absolute value are never used as pivots.
PIVOT_TOL = 1e-9
#: Default cap on the feasible bases visited per polytope.
MAX_BASES = 2_000_000


@njit(cache=True)
def _set_bit(words, bit):
    w = bit >> 6
    words[w] |= np.int64(1) << np.int64(bit & 63)


@njit(cache=True)
def _pivot_into(src, dst, p, q):
    """Write into ``dst`` the dictionary ``src`` after exchanging basic row ``p`` with nonbasic column ``q``.

    Rows read ``basic_i + sum_j T[i, j] nonbasic_j = T[i, -1]``.
    """
    r, c = src.shape
    piv = src[p, q]
    inv = 1.0 / piv
    for j in range(c):
        dst[p, j] = src[p, j] * inv
    dst[p, q] = inv
    for i in range(r):
        if i == p:
            continue
        f = src[i, q]
        if f == 0.0:
            for j in range(c):
                dst[i, j] = src[i, j]
        else:
            for j in range(c):
                dst[i, j] = src[i, j] - f * dst[p, j]
            dst[i, q] = -f * inv


@njit(cache=True)
def _vertex_labels(T, bas, non, var_labels, zero_tol, mask):
    """Fill ``mask`` with the labels of the basis' vertex; return how many basic variables are zero."""
    r, c = T.shape
    d = c - 1
    mask[:] = 0
    for j in range(d):
        _set_bit(mask, var_labels[non[j]])
    extra = 0
    for i in range(r):
        if T[i, d] <= zero_tol:
            _set_bit(mask, var_labels[bas[i]])
            extra += 1
    return extra


@njit(cache=True)
def _record_vertex(T, bas, zero_tol, coord_row, mask_row, mask):
    r, c = T.shape
    d = c - 1
    for i in range(r):
        if bas[i] < d and T[i, d] > zero_tol:
            coord_row[bas[i]] = T[i, d]
    mask_row[:] = mask


@njit(cache=True)
def _min_ratio(T, q, zero_tol, pivot_tol):
    """Minimum ratio ``T[i, -1] / T[i, q]`` over rows with a positive entry (zero-valued rows give 0)."""
    r, c = T.shape
    d = c - 1
    theta = np.inf
    for i in range(r):
        a = T[i, q]
        if a > pivot_tol:
            b = T[i, d]
            ratio = b / a if b > zero_tol else 0.0
            if ratio < theta:
                theta = ratio
    return theta


@njit(cache=True)
def _grow_vertices(coords, masks, n):
    c2 = np.zeros((2 * coords.shape[0], coords.shape[1]))
    c2[:n] = coords[:n]
    m2 = np.zeros((2 * masks.shape[0], masks.shape[1]), dtype=np.int64)
    m2[:n] = masks[:n]
    return c2, m2


@njit(cache=True)
def _grow_level(tab, bas, non, key, n):
    """Arrays of twice the capacity holding the first ``n`` entries."""
    cap = 2 * tab.shape[0] if n > 0 else tab.shape[0]
    t2 = np.empty((cap, tab.shape[1], tab.shape[2]))
    t2[:n] = tab[:n]
    b2 = np.empty((cap, bas.shape[1]), dtype=np.int64)
    b2[:n] = bas[:n]
    n2 = np.empty((cap, non.shape[1]), dtype=np.int64)
    n2[:n] = non[:n]
    k2 = np.zeros((cap, key.shape[1]), dtype=np.int64)
    k2[:n] = key[:n]
    return t2, b2, n2, k2


@njit(cache=True)
def _polytope_vertices(M, var_labels, num_labels, zero_tol, pivot_tol, max_bases):
    """Vertices of ``{z >= 0, M z <= 1}`` (``M`` positive, shape ``(r, d)``) with their label bit sets.

    Variables ``0..d-1`` are ``z``, ``d..d+r-1`` the slacks of the rows; the
    label of variable ``v`` is ``var_labels[v]`` (a number below
    ``num_labels``); a vertex carries the labels of its zero variables.

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
    nvars = r + d
    width = (max(nvars, num_labels) + 63) // 64
    cols = d + 1

    # breadth-first levels: dictionaries, basic and nonbasic variables, basis keys
    cap = 64
    cur_tab = np.empty((cap, r, cols))
    cur_bas = np.empty((cap, r), dtype=np.int64)
    cur_non = np.empty((cap, d), dtype=np.int64)
    cur_key = np.zeros((cap, width), dtype=np.int64)
    nxt_tab = np.empty((cap, r, cols))
    nxt_bas = np.empty((cap, r), dtype=np.int64)
    nxt_non = np.empty((cap, d), dtype=np.int64)
    nxt_key = np.zeros((cap, width), dtype=np.int64)

    for i in range(r):
        for j in range(d):
            cur_tab[0, i, j] = M[i, j]
        cur_tab[0, i, d] = 1.0
        cur_bas[0, i] = d + i
        _set_bit(cur_key[0], d + i)
    for j in range(d):
        cur_non[0, j] = j
    n_cur = 1

    bkeys, bused, bvals = _new_table(width, 1024)
    n_bases = 1
    s = _table_slot(bkeys, bused, cur_key[0])
    bused[s] = True
    bkeys[s, :] = cur_key[0]

    vkeys, vused, vvals = _new_table(width, 256)
    n_vert = 0
    coords = np.zeros((64, d))
    masks = np.zeros((64, width), dtype=np.int64)

    degenerate = False
    complete = True
    mask = np.zeros(width, dtype=np.int64)
    newkey = np.zeros(width, dtype=np.int64)

    while n_cur > 0:
        n_nxt = 0
        for s_idx in range(n_cur):
            T = cur_tab[s_idx]
            bas = cur_bas[s_idx]
            non = cur_non[s_idx]
            key = cur_key[s_idx]
            # ---- the vertex of this basis
            extra = _vertex_labels(T, bas, non, var_labels, zero_tol, mask)
            if 2 * (n_vert + 1) > vused.shape[0]:
                vkeys, vused, vvals = _table_grow(vkeys, vused, vvals)
            slot = _table_slot(vkeys, vused, mask)
            if not vused[slot]:
                vused[slot] = True
                vkeys[slot, :] = mask
                if n_vert == coords.shape[0]:
                    coords, masks = _grow_vertices(coords, masks, n_vert)
                _record_vertex(T, bas, zero_tol, coords[n_vert], masks[n_vert], mask)
                n_vert += 1
                if extra > 0:
                    degenerate = True
            if not complete:
                continue
            # ---- neighbouring feasible bases
            for q in range(d):
                theta = _min_ratio(T, q, zero_tol, pivot_tol)
                if theta == np.inf:
                    continue  # unbounded edge: impossible for a polytope, skipped for safety
                limit = theta * (1.0 + 1e-9) + 1e-15
                for i in range(r):
                    a = T[i, q]
                    b = T[i, d]
                    if b <= zero_tol:
                        if abs(a) <= pivot_tol:
                            continue
                    elif theta == 0.0 or a <= pivot_tol or b / a > limit:
                        continue
                    newkey[:] = key
                    vb = bas[i]
                    vn = non[q]
                    newkey[vb >> 6] ^= np.int64(1) << np.int64(vb & 63)
                    newkey[vn >> 6] ^= np.int64(1) << np.int64(vn & 63)
                    if 2 * (n_bases + 1) > bused.shape[0]:
                        bkeys, bused, bvals = _table_grow(bkeys, bused, bvals)
                    slot = _table_slot(bkeys, bused, newkey)
                    if bused[slot]:
                        continue
                    if n_bases >= max_bases:
                        complete = False
                        break
                    bused[slot] = True
                    bkeys[slot, :] = newkey
                    n_bases += 1
                    if n_nxt == nxt_tab.shape[0]:
                        nxt_tab, nxt_bas, nxt_non, nxt_key = _grow_level(nxt_tab, nxt_bas, nxt_non, nxt_key, n_nxt)
                    _pivot_into(T, nxt_tab[n_nxt], i, q)
                    nxt_bas[n_nxt, :] = bas
                    nxt_bas[n_nxt, i] = vn
                    nxt_non[n_nxt, :] = non
                    nxt_non[n_nxt, q] = vb
                    nxt_key[n_nxt, :] = newkey
                    n_nxt += 1
                if not complete:
                    break
        # swap levels
        cur_tab, nxt_tab = nxt_tab, cur_tab
        cur_bas, nxt_bas = nxt_bas, cur_bas
        cur_non, nxt_non = nxt_non, cur_non
        cur_key, nxt_key = nxt_key, cur_key
        n_cur = n_nxt
        if nxt_tab.shape[0] < cur_tab.shape[0]:
            # keep both levels at the larger capacity so that no level regrows from small
            nxt_tab, nxt_bas, nxt_non, nxt_key = _grow_level(
                cur_tab, cur_bas, cur_non, cur_key, 0
            )
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


def _full_mask(num_labels: int) -> np.ndarray:
    width = (num_labels + 63) // 64
    full = np.zeros(width, dtype=np.int64)
    for label in range(num_labels):
        full[label >> 6] |= np.int64(1) << np.int64(label & 63)
    return full


def vertex_enumeration(game: NormalFormGame, tol: float | None = None, max_bases: int = MAX_BASES) -> NashResult:
    """Find every extreme Nash equilibrium of a 2-player game by enumerating the best-response polytopes' vertices.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game, any size (the work grows with the number of vertices
        of the best-response polytopes, which can be exponential).
    tol : float, optional
        Absolute regret tolerance for verifying each equilibrium; by default
        ``1e-9`` times the payoff spread. The polytope computations work on
        payoffs rescaled to ``[1, 2]`` with fixed tolerances ``ZERO_TOL`` and
        ``PIVOT_TOL``.
    max_bases : int, optional
        Cap on the feasible bases visited per polytope; when reached,
        ``converged`` is False and the equilibria found so far are returned.

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
    tol = regret_tolerance(game, tol)
    if int(max_bases) < 1:
        from coop.errors import InputError

        raise InputError(f"max_bases must be a positive integer, got {max_bases}")
    A, B = positive_bimatrix(game)
    m, n = A.shape
    num_labels = m + n
    p_labels = np.arange(m + n, dtype=np.int64)  # x_i -> i, slack of column j -> m + j
    q_labels = np.concatenate([m + np.arange(n), np.arange(m)]).astype(np.int64)  # y_j -> m + j, row i -> i
    px, pmask, p_bases, p_deg, p_done = _polytope_vertices(
        np.ascontiguousarray(B.T), p_labels, num_labels, ZERO_TOL, PIVOT_TOL, int(max_bases)
    )
    qy, qmask, q_bases, q_deg, q_done = _polytope_vertices(
        A, q_labels, num_labels, ZERO_TOL, PIVOT_TOL, int(max_bases)
    )
    degenerate = bool(p_deg or q_deg)
    pairs = _match_vertices(px, pmask, qy, qmask, _full_mask(num_labels), not degenerate, ZERO_TOL)
    X = px[pairs[:, 0]]
    Y = qy[pairs[:, 1]]
    if len(pairs):
        X = X / X.sum(axis=1, keepdims=True)
        Y = Y / Y.sum(axis=1, keepdims=True)
    equilibria, rejected = verified_bimatrix_equilibria(game, X, Y, tol)
    notes = []
    if degenerate:
        notes.append(
            "the game is degenerate: a best-response polytope has a vertex with more tight "
            "constraints than its dimension, so equilibria may form continua; the equilibria "
            "listed are the extreme points of those sets (every equilibrium is a convex "
            "combination of extreme ones within a component)"
        )
    converged = bool(p_done and q_done)
    if not converged:
        notes.append(
            f"stopped after {max_bases} feasible bases in one polytope: the list may be incomplete"
        )
    if rejected:
        notes.append(f"{rejected} vertex pairs failed verification (numerical trouble) and were dropped")
    return NashResult(
        game=game,
        method="vertex_enumeration",
        equilibria=equilibria,
        guarantee="all_extreme",
        degenerate=degenerate,
        tol=tol,
        converged=converged,
        num_iter=int(p_bases + q_bases),
        rejected=rejected,
        parameters={"max_bases": int(max_bases)},
        notes=tuple(notes),
    )
