r"""All pure-strategy Nash equilibria of an N-player game.

A pure profile :math:`s` is a Nash equilibrium when no player gains by a
unilateral change of action:

.. math:: u_i(s) \ge \max_{t_i} u_i(t_i, s_{-i}) - \text{tol} \quad \text{for every player } i.

The kernel reads the payoff data once. Player 0's array is scanned for the
largest and second-largest value of every line along player 0's axis (and
where the largest sits), player 1's for the largest value of every line, the
other players' arrays for their smallest and largest payoff only (the default
tolerance scales with the payoff spread, so every payoff must be seen). The
candidates are then player 0's best responses; a candidate is dropped at the
first player who would deviate, and the line maxima of players 2, 3, ... are
computed only for the few lines that candidates reach.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.results import REGRET_TOL, Equilibrium, NashResult, regret_tolerance
from coop.solvers.shared.jit import get_num_threads, njit, prange
from coop.solvers.shared.tolerances import STAKE_FLOOR

#: player 1's lines are scanned in full when its rows are at least this long, else their maxima are lazy too
_SCAN_MIN_POST = 4
#: rows shorter than this are not vectorised along the row (the line maxima are taken one line at a time)
_NARROW = 16
#: most lanes in one tile of a row scan (the accumulators of a tile stay in L1)
_TILE = 512
#: lanes of the running minimum and maximum over contiguous data
_MINMAX_LANES = 256
#: games with at least this many payoff values go to the parallel kernel when Numba has more than one thread
PARALLEL_MIN_VALUES = 1 << 17

# ----------------------------------------------------------------------------- grouped kernel inputs
#: The payoffs of one call as the kernels read them: ``flat`` (``(N, prod(shape))``); per player ``acts``
#: (actions), ``pre`` (profiles of the players before it) and ``post`` (values after its axis); ``memo_off``
#: (``N + 1`` offsets into ``Lines.m1``: where each player's line maxima go, then the end of those scanned in
#: full); ``cand`` (one slot per line of player 0, for the candidates); whether player 1's lines are
#: ``scanned`` in full.
Layout = namedtuple("Layout", ["flat", "acts", "pre", "post", "memo_off", "cand", "scanned"])
#: Line results: maxima ``m1`` (player 0's lines, player 1's, then the memo of lazily computed maxima, ``-inf``
#: when missing), player 0's second maxima ``m2`` and where its maxima sit, ``arg`` (stored as float).
Lines = namedtuple("Lines", ["m1", "m2", "arg"])
#: An ``(a, post)`` block of one player's array starting at ``base``: its lines are the columns.
Block = namedtuple("Block", ["base", "a", "post"])
#: Lane-wise accumulators of :func:`_top2_strips`: largest, second largest, where the largest was first seen,
#: smallest.
Top2 = namedtuple("Top2", ["x1", "x2", "tag", "lo"])


# ----------------------------------------------------------------------------- scans
@njit(cache=True)
def _top2_strips(u, start, stride, count, width, tag0, acc):
    """Fold ``count`` contiguous strips of ``width`` values into lane-wise top-2 accumulators ``acc`` (:class:`Top2`).

    Strip ``s`` is ``u[start + s * stride : start + s * stride + width]``; lane
    ``l`` keeps the largest value ``x1[l]``, the second largest ``x2[l]`` (with
    multiplicity, so a tie gives ``x2 == x1``), the strip number ``tag0 + s``
    where the largest was first seen (``tag[l]``, stored as float) and the
    smallest value ``lo[l]``. Four strips go through the accumulators at a
    time, so each accumulator is loaded and stored once per four values.
    """
    x1, x2, tag, lo = acc
    y1 = x1[:width]
    y2 = x2[:width]
    tg = tag[:width]
    lw = lo[:width]
    s = 0
    while s + 4 <= count:
        b = start + s * stride
        sa = u[b:b + width]
        sb = u[b + stride:b + stride + width]
        sc = u[b + 2 * stride:b + 2 * stride + width]
        sd = u[b + 3 * stride:b + 3 * stride + width]
        t = float(tag0 + s)
        for lane in range(width):
            x = y1[lane]
            z = y2[lane]
            g = tg[lane]
            va = sa[lane]
            vb = sb[lane]
            vc = sc[lane]
            vd = sd[lane]
            z = max(z, min(x, va))
            big = va > x
            x = va if big else x
            g = t if big else g
            z = max(z, min(x, vb))
            big = vb > x
            x = vb if big else x
            g = t + 1.0 if big else g
            z = max(z, min(x, vc))
            big = vc > x
            x = vc if big else x
            g = t + 2.0 if big else g
            z = max(z, min(x, vd))
            big = vd > x
            x = vd if big else x
            g = t + 3.0 if big else g
            y1[lane] = x
            y2[lane] = z
            tg[lane] = g
            lw[lane] = min(lw[lane], min(min(va, vb), min(vc, vd)))
        s += 4
    while s < count:
        seg = u[start + s * stride:start + s * stride + width]
        t = float(tag0 + s)
        for lane in range(width):
            v = seg[lane]
            x = y1[lane]
            y2[lane] = max(y2[lane], min(x, v))
            big = v > x
            y1[lane] = v if big else x
            tg[lane] = t if big else tg[lane]
            lw[lane] = min(lw[lane], v)
        s += 1


@njit(cache=True)
def _max_strips(u, start, stride, count, width, x1, lo):
    """Like ``_top2_strips`` for the largest value only (and the smallest, ``lo``)."""
    y1 = x1[:width]
    lw = lo[:width]
    s = 0
    while s + 4 <= count:
        b = start + s * stride
        sa = u[b:b + width]
        sb = u[b + stride:b + stride + width]
        sc = u[b + 2 * stride:b + 2 * stride + width]
        sd = u[b + 3 * stride:b + 3 * stride + width]
        for lane in range(width):
            va = sa[lane]
            vb = sb[lane]
            vc = sc[lane]
            vd = sd[lane]
            y1[lane] = max(y1[lane], max(max(va, vb), max(vc, vd)))
            lw[lane] = min(lw[lane], min(min(va, vb), min(vc, vd)))
        s += 4
    while s < count:
        seg = u[start + s * stride:start + s * stride + width]
        for lane in range(width):
            v = seg[lane]
            y1[lane] = max(y1[lane], v)
            lw[lane] = min(lw[lane], v)
        s += 1


@njit(cache=True)
def _fold_min(x, width):
    """Smallest of ``x[:width]``, halving in place (vector friendly; ``x`` is overwritten)."""
    while width > 8:
        h = width // 2
        a = x[:h]
        b = x[width - h:width]  # the middle value of an odd width is in both halves
        for j in range(h):
            a[j] = min(a[j], b[j])
        width = width - h
    m = x[0]
    for j in range(1, width):
        m = min(m, x[j])
    return m


@njit(cache=True)
def _fold_max(x, width):
    """Largest of ``x[:width]``, halving in place (``x`` is overwritten)."""
    while width > 8:
        h = width // 2
        a = x[:h]
        b = x[width - h:width]
        for j in range(h):
            a[j] = max(a[j], b[j])
        width = width - h
    m = x[0]
    for j in range(1, width):
        m = max(m, x[j])
    return m


@njit(cache=True)
def _minmax(u, start, stop, lo, hi):
    """Lane-wise smallest and largest of ``u[start:stop]`` into ``lo`` and ``hi`` (any length)."""
    w = min(lo.shape[0], stop - start)
    j = start
    while j < stop:
        j = min(j, stop - w)  # the last strip overlaps the one before: min and max do not mind
        seg = u[j:j + w]
        for lane in range(w):
            v = seg[lane]
            lo[lane] = min(lo[lane], v)
            hi[lane] = max(hi[lane], v)
        j += w


@njit(cache=True)
def _scan_rows(u, block, q0, q1, top2, lines, o, lo):
    """Line maxima (and for ``top2`` second maxima and argmax) of a :class:`Block` of one player's array.

    The ``(a, post)`` block starts at ``u[base]``; line ``q`` (for ``q0 <= q < q1``) is its
    column ``q`` and its results go to ``lines.m1[o + q]`` (``m2``, ``arg``: same
    index, only written for ``top2``); ``lo`` gets the lane-wise smallest values. Columns are
    taken ``_TILE`` at a time, so the accumulators of a tile stay in L1 while the rows stream by.
    """
    base, a, post = block
    m1, m2, arg = lines
    if not top2 and post < _NARROW:  # too narrow to vectorise along a row: one line at a time, in registers
        lw = lo[:post]
        for q in range(q0, q1):
            j = base + q
            m = u[j]
            low = m
            for k in range(1, a):
                v = u[j + k * post]
                m = max(m, v)
                low = min(low, v)
            m1[o + q] = m
            lw[q] = min(lw[q], low)
        return
    for t0 in range(q0, q1, _TILE):
        w = min(_TILE, q1 - t0)
        y1 = m1[o + t0:o + t0 + w]
        y1[:] = -np.inf
        if top2:
            y2 = m2[o + t0:o + t0 + w]
            tg = arg[o + t0:o + t0 + w]
            y2[:] = -np.inf
            tg[:] = 0.0
            _top2_strips(u, base + t0, post, a, w, 0, Top2(y1, y2, tg, lo))
        else:
            _max_strips(u, base + t0, post, a, w, y1, lo)


@njit(cache=True)
def _line_max(u, base, a, post):
    """Largest of ``u[base + k * post]`` for ``k < a`` (four running maxima, so the loads overlap)."""
    m0 = u[base]
    m1 = m0
    m2 = m0
    m3 = m0
    k = 1
    while k + 4 <= a:
        j = base + k * post
        m0 = max(m0, u[j])
        m1 = max(m1, u[j + post])
        m2 = max(m2, u[j + 2 * post])
        m3 = max(m3, u[j + 3 * post])
        k += 4
    while k < a:
        m0 = max(m0, u[base + k * post])
        k += 1
    return max(max(m0, m1), max(m2, m3))


# ----------------------------------------------------------------------------- kernel
@njit(cache=True)
def _layout(shape, ints):
    """Fill ``ints`` with actions, blocks before and values after each player's axis; return the profile count."""
    n = len(shape)
    acts = ints[:n]
    pre = ints[n:2 * n]
    post = ints[2 * n:3 * n]
    total = 1
    for j in range(n):
        acts[j] = shape[j]
        pre[j] = total
        total *= shape[j]
    for j in range(n):
        post[j] = total // (pre[j] * acts[j])
    return total


@njit(cache=True)
def _scan_share(c, shares, layout, lines, bounds):
    """Share ``c`` of ``shares`` of the one pass over the payoffs; its smallest and largest value into ``bounds[c]``.

    Player 0: a range of its lines (whole tiles); player 1 (when
    ``scanned``): a range of its blocks; the other players: a range of their
    values (smallest and largest only). Line results go to ``lines`` (:class:`Lines`).
    """
    flat, acts, pre, post, scanned = layout.flat, layout.acts, layout.pre, layout.post, layout.scanned
    m1 = lines.m1
    n = acts.shape[0]
    total = flat.shape[1]
    a0 = acts[0]
    post0 = post[0]
    width = max(min(_MINMAX_LANES, total), min(_TILE, post0))
    if scanned:
        width = max(width, min(_TILE, post[1]))
    work = np.empty(width + _MINMAX_LANES)
    lo = work[:width]
    hi = work[width:]
    lo[:] = np.inf
    hi[:] = -np.inf
    lanes = lo[:min(_MINMAX_LANES, total)]
    # player 0: one block; shares take column ranges (whole tiles)
    tiles = (post0 + _TILE - 1) // _TILE
    q0 = min(post0, (c * tiles // shares) * _TILE)
    q1 = min(post0, ((c + 1) * tiles // shares) * _TILE)
    if q1 > q0:
        _scan_rows(flat[0], Block(0, a0, post0), q0, q1, True, lines, 0, lo)
        _minmax(m1, q0, q1, lanes, hi)  # line maxima are payoffs: the smallest stays put
    if scanned:
        a1 = acts[1]
        post1 = post[1]
        p0 = c * pre[1] // shares
        p1 = (c + 1) * pre[1] // shares
        for p in range(p0, p1):
            _scan_rows(flat[1], Block(p * a1 * post1, a1, post1), 0, post1, False, lines, post0 + p * post1, lo)
        _minmax(m1, post0 + p0 * post1, post0 + p1 * post1, lanes, hi)
    for i in range(1, n):
        if i > 1 or not scanned:
            _minmax(flat[i], c * total // shares, (c + 1) * total // shares, lanes, hi)
    bounds[c, 0] = _fold_min(lo, width)
    bounds[c, 1] = _fold_max(hi, _MINMAX_LANES)


@njit(cache=True)
def _append(buf, count, f):
    """``buf`` with ``f`` at ``count`` (a larger copy when full)."""
    if count == buf.shape[0]:
        grown = np.empty(2 * count + 16, np.int64)
        grown[:count] = buf
        buf = grown
    buf[count] = f
    return buf


@njit(cache=True)
def _player1_max(u1, m1, k, r, post0, a1, post1):
    """Maximum of player 1's line ``(k, :, r)``: scanned, or computed now and kept (``-inf`` marks it missing)."""
    slot = post0 + k * post1 + r
    m = m1[slot]
    if m == -np.inf:
        m = _line_max(u1, k * post0 + r, a1, post1)
        m1[slot] = m
    return m


@njit(cache=True)
def _finish(layout, lines, bounds, tol, default_tol):
    """Tolerance, candidates (player 0's best responses) filtered by the other players, and the rows.

    Player 0's lines with a unique best response give one candidate each,
    checked against player 1 at once; lines with near-ties are read again
    in full. Player 1's line maxima come
    from its scan or, when its lines are short, are computed on first use;
    survivors then meet players 2, 3, ... one at a time, each line maximum
    computed on first use.
    """
    flat, acts, post, memo_off, cand = layout.flat, layout.acts, layout.post, layout.memo_off, layout.cand
    m1, m2, arg = lines
    n = acts.shape[0]
    if default_tol:
        spread = bounds[:, 1].max() - bounds[:, 0].min()
        tol = REGRET_TOL * (spread if spread > 0.0 else 1.0)
    if not tol >= 0.0:  # no payoff exceeds its line maximum: nothing is an equilibrium
        return np.empty((0, n), np.int64)
    a0 = acts[0]
    post0 = post[0]
    u0 = flat[0]
    a1 = acts[1] if n > 1 else 1
    post1 = post[1] if n > 1 else 1
    u1 = flat[1] if n > 1 else flat[0]
    count = 0  # candidates fill cand from the front, near-ties from the back
    ties = 0
    for s1 in range(a1):
        for r in range(post1):
            q = s1 * post1 + r
            thr = m1[q] - tol
            if m2[q] >= thr:
                cand[post0 - 1 - ties] = q  # near-ties, from the back (never reached by the count)
                ties += 1
                continue
            k = int(arg[q])
            f = k * post0 + q
            ok = True
            if n > 1:
                m = m1[post0 + k * post1 + r]
                if m == -np.inf:
                    m = _player1_max(u1, m1, k, r, post0, a1, post1)
                ok = u1[f] >= m - tol
            cand[count] = f
            count += ok
    idx = cand[:count]
    if ties:
        extra = np.empty(0, np.int64)
        n_extra = 0
        for t in range(ties):
            q = cand[post0 - 1 - t]
            thr = m1[q] - tol
            s1 = q // post1
            r = q - s1 * post1
            for k in range(a0):
                f = k * post0 + q
                if u0[f] >= thr and (n == 1 or u1[f] >= _player1_max(u1, m1, k, r, post0, a1, post1) - tol):
                    extra = _append(extra, n_extra, f)
                    n_extra += 1
        idx = np.empty(count + n_extra, np.int64)
        idx[:count] = cand[:count]
        idx[count:] = extra[:n_extra]
    out_n = idx.shape[0]
    first = 2
    for i in range(first, n):
        ai = acts[i]
        pi = post[i]
        ui = flat[i]
        kept = 0
        for c in range(out_n):
            f = idx[c]
            block = f // (ai * pi)
            within = f - block * ai * pi
            si = within // pi
            slot = memo_off[i] + block * pi + (within - si * pi)
            m = m1[slot]
            if m == -np.inf:
                m = _line_max(ui, f - si * pi, ai, pi)
                m1[slot] = m
            idx[kept] = f
            kept += ui[f] >= m - tol
        out_n = kept
    idx = idx[:out_n]
    idx.sort()
    out = np.empty((out_n, n), np.int64)
    for c in range(out_n):
        f = idx[c]
        for j in range(n - 1, -1, -1):
            out[c, j] = f % acts[j]
            f //= acts[j]
    return out


@njit(cache=True)
def _prepare(payoffs):
    """The :class:`Layout` and the :class:`Lines` work arrays of one call."""
    shape = payoffs.shape[1:]
    n = len(shape)
    total = 1
    for j in range(n):
        total *= shape[j]
    # acts, pre, post, memo offsets (n + 1), then one candidate slot per line of player 0
    ints = np.empty(4 * n + 1 + total // shape[0], np.int64)
    _layout(shape, ints)
    pre = ints[n:2 * n]
    post = ints[2 * n:3 * n]
    memo_off = ints[3 * n:4 * n + 1]
    flat = payoffs.reshape(n, total)
    scanned = n > 1 and post[1] >= _SCAN_MIN_POST
    end = post[0]
    memo_off[0] = 0
    for i in range(1, n):
        memo_off[i] = end
        end += pre[i] * post[i]
    memo_off[n] = post[0] + (pre[1] * post[1] if scanned else 0)  # lines scanned in full end here
    floats = np.empty(end + 2 * post[0])
    m1 = floats[:end]
    m2 = floats[end:end + post[0]]
    arg = floats[end + post[0]:]
    m1[memo_off[n]:] = -np.inf  # memo of the lazily computed line maxima
    layout = Layout(flat, ints[:n], pre, post, memo_off, ints[4 * n + 1:], scanned)
    return layout, Lines(m1, m2, arg)


@njit(cache=True)
def _pure_nash_rows(payoffs, tol, default_tol):
    """Action-index rows of every pure equilibrium of the game with payoff array ``payoffs`` (one thread).

    Parameters
    ----------
    payoffs : float64[N, a_1, ..., a_N]
        C-contiguous payoff array; ``payoffs[i]`` is player ``i``'s payoff.
    tol : float64
        Absolute tolerance (used when ``default_tol`` is false).
    default_tol : bool
        Use ``REGRET_TOL`` times the payoff spread (max - min, or 1 for a constant game) instead of ``tol``.

    Returns
    -------
    int64[k, N]
        One row of action indices per equilibrium, in C order of the profile.

    Notes
    -----
    One pass over the payoffs: player 0's lines (along its axis) get their
    largest value, second largest and argmax; player 1's their largest; the
    rest only feed the payoff spread, and their line maxima are computed for
    the lines that candidates reach. Lines are columns of ``(a_i, post_i)``
    blocks; rows of at least ``_WIDE`` values are folded row by row in tiles
    of a multiple of ``_STRIP`` lanes, shorter rows a few at a time as strips
    of a multiple of ``_STRIP`` values, folded per line afterwards (so the
    vector loops have no scalar tail).
    """
    layout, lines = _prepare(payoffs)
    bounds = np.empty((1, 2))
    _scan_share(0, 1, layout, lines, bounds)
    return _finish(layout, lines, bounds, tol, default_tol)


@njit(cache=True, parallel=True)
def _pure_nash_rows_parallel(payoffs, tol, default_tol, shares):
    """``_pure_nash_rows`` with the pass over the payoffs split into ``shares`` shares, run by Numba's threads."""
    layout, lines = _prepare(payoffs)
    bounds = np.empty((shares, 2))
    # the loop body gets the arrays, not the tuples (Numba's parfor lowering does not take tuple variables)
    flat, acts, pre, post, memo_off, cand, scanned = layout
    m1, m2, arg = lines
    for c in prange(shares):
        _scan_share(c, shares, Layout(flat, acts, pre, post, memo_off, cand, scanned), Lines(m1, m2, arg), bounds)
    return _finish(layout, lines, bounds, tol, default_tol)


# ----------------------------------------------------------------------------- verification
@njit(cache=True)
def _pure_checks(unit, exps, rows, tol):
    """The per-player regret check of pure profiles, on the unit payoffs; one table row per profile that passes.

    Parameters
    ----------
    unit : float64[N, a_1, ..., a_N]
        C-contiguous payoffs, player ``i``'s scaled by ``2**-exps[i]`` (entries in ``(-1, 1)``).
    exps : int64[N]
        The payoff exponents: ``payoffs[i] = unit[i] * 2**exps[i]``.
    rows : int64[k, N]
        Candidate profiles, one row of action indices each (overwritten).
    tol : float64
        Relative regret tolerance.

    Returns
    -------
    float64[m, 2N + 2 + a_1 + ... + a_N]
        For each of the ``m`` rows whose largest ratio of regret to stake is at most ``tol``, in the
        order given: its action indices (exact as floats), each player's payoff, the largest regret
        (payoff units), the largest ratio of regret to stake, then the profile as concatenated
        probability vectors (one-hot). One array crosses back to Python, not five.

    Notes
    -----
    At a pure profile, player ``i``'s stake is the spread (max - min) of ``u_i`` along the line of
    its own actions, at least ``STAKE_FLOOR`` times the larger magnitude of the two; its regret is
    the line maximum minus its payoff. A zero stake counts as ratio 0 without regret and ``inf``
    with one. Payoffs and regrets are scaled back by ``2**exps[i]`` (exact).
    """
    shape = unit.shape[1:]
    n = len(shape)
    total = 1
    width = 2 * n + 2
    for j in range(n):
        total *= shape[j]
        width += shape[j]
    flat = unit.reshape(n, total)
    post = np.empty(n, np.int64)
    p = total
    for j in range(n):
        p //= shape[j]
        post[j] = p
    k = rows.shape[0]
    out = np.zeros((k, width))
    kept = 0
    for c in range(k):
        f = 0
        for j in range(n):
            f += rows[c, j] * post[j]
        worst = 0.0
        ratio = 0.0
        for i in range(n):
            u = flat[i]
            base = f - rows[c, i] * post[i]
            hi = u[base]
            lo = hi
            for t in range(1, shape[i]):
                v = u[base + t * post[i]]
                hi = max(hi, v)
                lo = min(lo, v)
            own = u[f]
            stake = max(hi - lo, STAKE_FLOOR * max(abs(hi), abs(lo)))
            regret = hi - own
            out[kept, n + i] = np.ldexp(own, exps[i])
            worst = max(worst, np.ldexp(regret, exps[i]))
            if stake > 0.0:
                ratio = max(ratio, regret / stake)
            elif regret > 0.0:
                ratio = np.inf
        if ratio <= tol:
            off = 2 * n + 2
            for j in range(n):
                out[kept, j] = rows[c, j]
                out[kept, off + rows[c, j]] = 1.0
                off += shape[j]
            out[kept, 2 * n] = worst
            out[kept, 2 * n + 1] = ratio
            kept += 1  # else the next candidate overwrites this row's payoffs
    return out[:kept]


@njit(cache=True)
def _loose_tolerance(exps, tol):
    """The kernel's one absolute tolerance: ``2 * tol`` times the largest ``2**e_i``.

    Every player's stake is at most that (unit payoffs lie in ``(-1, 1)``), so no equilibrium
    under the relative ``tol`` is lost; the per-player check (:func:`_pure_checks`) then decides.
    """
    return np.ldexp(2.0 * tol, exps.max())


@njit(cache=True)
def _pure_nash_checked(payoffs, unit, exps, tol):
    """One thread, one call: :func:`_pure_nash_rows` at the loose tolerance, then :func:`_pure_checks`."""
    return _pure_checks(unit, exps, _pure_nash_rows(payoffs, _loose_tolerance(exps, tol), False), tol)


# ----------------------------------------------------------------------------- wrappers
def pure_nash_equilibria(game: NormalFormGame, tol: float | None = None) -> NashResult:
    """Find every pure-strategy Nash equilibrium of an N-player game.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game.
    tol : float, optional
        Relative regret tolerance (each player's regret at most this times their stake, the
        spread of their payoffs along the line of their own actions; default ``1e-9``), so exact
        ties in the payoffs count as best responses.

    Returns
    -------
    NashResult
        ``guarantee="all_pure"``; equilibria in the order of their flat index
        (the first player's action changes slowest).

    Examples
    --------
    The prisoner's dilemma has one pure equilibrium, mutual defection:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> res = pure_nash_equilibria(pd)
    >>> [eq.support(0) + eq.support(1) for eq in res.equilibria]
    [(1, 1)]
    """
    tol = regret_tolerance(game, tol)
    table = _pure_nash_table(game, tol)
    table.setflags(write=False)  # each equilibrium's strategies and payoffs are read-only views of its row
    shape = game.payoffs.shape
    n = shape[0]
    players = []  # each player's columns of the table
    start = 2 * n + 2
    for a in shape[1:]:
        players.append(slice(start, start + a))
        start += a
    pay = slice(n, 2 * n)
    equilibria = tuple([Equilibrium(tuple(map(row.__getitem__, players)), row[pay], regret, ratio)
                        for row, (regret, ratio) in zip(table, table[:, 2 * n:2 * n + 2].tolist(), strict=True)])
    return NashResult(
        game=game,
        method="pure_enumeration",
        equilibria=equilibria,
        guarantee="all_pure",
        degenerate=None,
        tol=tol,
        num_iter=game.payoffs.size // n,
        rejected=0,
        parameters={},
    )


def _pure_nash_table(game: NormalFormGame, tol: float) -> np.ndarray:
    """The pure equilibria under the relative tolerance ``tol``, checked per player (:func:`_pure_checks`'s table)."""
    payoffs = game.payoffs
    if payoffs.size >= PARALLEL_MIN_VALUES:
        threads = get_num_threads()
        if threads > 1:
            exps = game.payoff_exponents
            rows = _pure_nash_rows_parallel(payoffs, _loose_tolerance(exps, tol), False, threads)
            return _pure_checks(game.unit_payoffs, exps, rows, tol)
    return _pure_nash_checked(payoffs, game.unit_payoffs, game.payoff_exponents, tol)


def pure_nash_indices(game: NormalFormGame, tol: float | None = None) -> np.ndarray:
    """Action-index rows of all pure equilibria, without building result objects (for large games).

    Parameters
    ----------
    game : NormalFormGame
        Any finite game.
    tol : float, optional
        Relative regret tolerance, as in :func:`pure_nash_equilibria`.

    Returns
    -------
    numpy.ndarray
        ``int64`` array ``(k, N)``, one row of action indices per equilibrium, rows in C order of the profile.
    """
    n = game.num_players
    return _pure_nash_table(game, regret_tolerance(game, tol))[:, :n].astype(np.int64)
