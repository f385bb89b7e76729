r"""One Nash equilibrium of a 2-player game by the Lemke-Howson algorithm.

With payoffs rescaled to be positive, the best-response polytopes are
:math:`P = \{x \ge 0 : B^\top x \le 1\}` and :math:`Q = \{y \ge 0 : A y \le 1\}`
(von Stengel 2007, section 3.5). Label :math:`i < m` belongs to :math:`x_i`
and to the slack of row :math:`i` of :math:`Ay \le 1`; label :math:`m + j`
to the slack of column :math:`j` of :math:`B^\top x \le 1` and to
:math:`y_j`. Starting from :math:`(0, 0)`, which carries every label, the
algorithm drops the initial label :math:`k` by pivoting the variable with
label :math:`k` into its tableau; the variable that leaves has some label
:math:`l`, whose partner then enters the other tableau, and so on, until the
variable with label :math:`k` leaves. The pair of basic solutions is then
completely labeled: normalised, it is a Nash equilibrium.

The two tableaux (``[B^T | I | 1]`` and ``[I | A | 1]`` in full, columns in
label order) are stored compactly, with only the columns of the nonbasic
variables and the right-hand side: the basic columns are unit vectors, so a
pivot updates about half the entries of the full tableau on a square game.
The leaving row is chosen by the lexicographic minimum-ratio rule over the
columns that started as the identity (read from the compact tableau, or as a
unit vector when basic), which keeps the path well defined on degenerate
games. The path and its end point are those of the full-tableau method
(QuantEcon's ``lemke_howson`` pivots the same way), up to rounding.
"""

from __future__ import annotations

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.bimatrix import check_two_player, verify_profile, verify_rule
from coop.solvers.nash.results import Equilibrium, NashResult, regret_tolerance
from coop.solvers.shared.jit import njit

#: Tableau entries at most this (payoffs rescaled to [1, 2]) are never pivots.
PIVOT_TOL = 1e-10
#: Ratios within this (relative) tie and go to the lexicographic comparison.
RATIO_TOL = 1e-13


@njit(cache=True, inline="always")
def _lex_min_ratio_row(D, col, basis, pos, slack_start, num_slack, ties):
    """The leaving row for the entering column ``col`` of the compact tableau ``D`` (-1 if unbounded).

    Minimum ratio ``rhs / D[i, col]`` over rows with ``D[i, col] > PIVOT_TOL``;
    ties (within ``RATIO_TOL``) are broken lexicographically by the columns of
    the variables that started as the identity (labels ``slack_start`` ..
    ``slack_start + num_slack - 1``) divided by the pivot entry, as in the full
    tableau: a nonbasic one is its column ``pos[c]`` of ``D``, a basic one the
    unit vector of its row. ``ties`` is a workspace of one entry per row.
    """
    rows, width = D.shape
    rhs = width - 1
    best = -1
    n_tie = 0
    theta = np.inf
    below = np.inf  # theta minus and plus its tie tolerance RATIO_TOL * max(1, |theta|)
    above = np.inf
    for i in range(rows):
        a = D[i, col]
        if a > PIVOT_TOL:
            # rhs / a compared with theta's bounds as rhs against bound * a (a > 0): one division per new minimum
            b = D[i, rhs]
            if best < 0 or b < below * a:
                theta = b / a
                slack = RATIO_TOL * max(1.0, abs(theta))
                below = theta - slack
                above = theta + slack
                best = i
                n_tie = 1
                ties[0] = i
            elif b <= above * a:
                ties[n_tie] = i
                n_tie += 1
    if n_tie <= 1:
        return best
    for c in range(slack_start, slack_start + num_slack):
        p = pos[c]
        theta = np.inf
        kept = 0
        for t in range(n_tie):
            i = ties[t]
            if p >= 0:
                ratio = D[i, p] / D[i, col]
            else:
                ratio = (1.0 if basis[i] == c else 0.0) / D[i, col]
            if kept == 0 or ratio < theta - RATIO_TOL * max(1.0, abs(theta)):
                theta = ratio
                ties[0] = i
                kept = 1
            elif ratio <= theta + RATIO_TOL * max(1.0, abs(theta)):
                ties[kept] = i
                kept += 1
        n_tie = kept
        if n_tie == 1:
            break
    return ties[0]


@njit(cache=True, inline="always")
def _pivot(D, row, col, buf):
    """Exchange pivot of the compact tableau ``D`` on ``(row, col)``.

    The basic variable of ``row`` and the nonbasic variable of column ``col``
    swap places: the column becomes the leaving variable's column of the full
    tableau after the Gauss-Jordan step (``1 / p`` in the pivot row,
    ``-D[i, col] / p`` elsewhere) and every other entry is updated as in the
    full tableau. The normalised pivot row is kept in ``buf`` so that the
    update loop reads and writes different arrays (which lets it vectorise).
    """
    rows, width = D.shape
    piv = D[row, col]
    for j in range(width):
        buf[j] = D[row, j] / piv
    buf[col] = 1.0 / piv
    for j in range(width):
        D[row, j] = buf[j]
    for i in range(rows):
        if i == row:
            continue
        f = D[i, col]
        if f != 0.0:
            for j in range(width):
                D[i, j] -= f * buf[j]
            D[i, col] = -f * buf[col]


@njit(cache=True)
def _lemke_howson_kernel(P, init_label, max_iter, x, y):
    """Complementary pivoting from the initial label ``init_label`` on the bimatrix game ``P`` (``(2, m, n)``).

    Each player's payoffs are first mapped affinely onto ``[1, 2]`` (as
    :func:`coop.solvers.nash.bimatrix._prepare_bimatrix` does), straight into the
    tableaux. The tableaux are compact: one column per nonbasic variable plus
    the right-hand side (``n x (m + 1)`` for ``P``, ``m x (n + 1)`` for ``Q``)
    rather than one column per variable, which halves a pivot's work on a
    square game. Variables are named by their labels; ``pos[label]`` is the
    column of a nonbasic variable (-1 when basic) and ``basis[row]`` the label
    of a row's basic variable.

    The basic solutions at the end of the path are written to ``x`` (``m``)
    and ``y`` (``n``), normalised to sum one when the path ended.

    Returns
    -------
    num_iter : int64
        Pivots made.
    status : int64
        0 reached a completely labeled pair, 1 hit ``max_iter``, 2 no
        pivot row (numerical breakdown).
    spread : float
        ``P.max() - P.min()`` (1.0 for a constant game), the scale of the
        default regret tolerance.
    """
    m = P.shape[1]
    n = P.shape[2]
    L = m + n
    lo0 = hi0 = P[0, 0, 0]
    lo1 = hi1 = P[1, 0, 0]
    for i in range(m):
        for j in range(n):
            lo0 = min(lo0, P[0, i, j])
            hi0 = max(hi0, P[0, i, j])
            lo1 = min(lo1, P[1, i, j])
            hi1 = max(hi1, P[1, i, j])
    s0 = hi0 - lo0
    s1 = hi1 - lo1
    inv0 = 1.0 / s0 if s0 > 0.0 else 0.0  # a constant matrix becomes all ones
    inv1 = 1.0 / s1 if s1 > 0.0 else 0.0
    spread = max(hi0, hi1) - min(lo0, lo1)
    # P: rows j (columns of B), basic slacks (labels m + j), nonbasic x (labels 0..m-1) in columns 0..m-1
    D0 = np.empty((n, m + 1))
    for j in range(n):
        for i in range(m):
            D0[j, i] = 1.0 + (P[1, i, j] - lo1) * inv1
        D0[j, m] = 1.0
    # Q: rows i (rows of A), basic slacks (labels i), nonbasic y (labels m..m+n-1) in columns 0..n-1
    D1 = np.empty((m, n + 1))
    for i in range(m):
        for j in range(n):
            D1[i, j] = 1.0 + (P[0, i, j] - lo0) * inv0
        D1[i, n] = 1.0
    ints = np.empty((5, max(L, 1)), dtype=np.int64)
    basis0 = ints[0]
    basis1 = ints[1]
    pos0 = ints[2]
    pos1 = ints[3]
    ties = ints[4]
    for k in range(L):
        pos0[k] = -1
        pos1[k] = -1
    for j in range(n):
        basis0[j] = m + j
        pos1[m + j] = j
    for i in range(m):
        basis1[i] = i
        pos0[i] = i

    buf = np.empty(max(m, n) + 1)
    entering = init_label
    player = 0 if init_label < m else 1
    status = 1
    num_iter = 0
    while num_iter < max_iter:
        # the entering variable is nonbasic on a valid path (col >= 0); anything else is a breakdown
        if player == 0:
            col = pos0[entering]
            row = _lex_min_ratio_row(D0, col, basis0, pos0, m, n, ties) if col >= 0 else -1
            if row < 0:
                status = 2
                break
            _pivot(D0, row, col, buf)
            leaving = basis0[row]
            basis0[row] = entering
            pos0[entering] = -1
            pos0[leaving] = col
        else:
            col = pos1[entering]
            row = _lex_min_ratio_row(D1, col, basis1, pos1, 0, m, ties) if col >= 0 else -1
            if row < 0:
                status = 2
                break
            _pivot(D1, row, col, buf)
            leaving = basis1[row]
            basis1[row] = entering
            pos1[entering] = -1
            pos1[leaving] = col
        num_iter += 1
        if leaving == init_label:
            status = 0
            break
        entering = leaving
        player = 1 - player

    for i in range(m):
        x[i] = 0.0
    for j in range(n):
        y[j] = 0.0
    for j in range(n):
        if basis0[j] < m:
            x[basis0[j]] = D0[j, m]
    for i in range(m):
        if basis1[i] >= m:
            y[basis1[i] - m] = D1[i, n]
    sx = 0.0
    for i in range(m):
        sx += x[i]
    sy = 0.0
    for j in range(n):
        sy += y[j]
    if status == 0 and sx > 0.0 and sy > 0.0:
        for i in range(m):
            x[i] /= sx
        for j in range(n):
            y[j] /= sy
    elif status == 0:
        status = 2
    return num_iter, status, spread if spread > 0.0 else 1.0


@njit(cache=True)
def _lemke_howson_verified(P, init_label, max_iter, rule):
    """Run :func:`_lemke_howson_kernel` on the unit payoffs ``P`` and check the end point, in one call.

    ``rule`` is the admission rule (:func:`~coop.solvers.nash.bimatrix.verify_rule`). Returns ``(point, regret,
    relative regret, verification status, pivots, path status)``: ``point`` holds the cleaned mixes
    ``x`` (``m``) and ``y`` (``n``) and then the two payoffs. The verification status is 0 (kept)
    or 1 (rejected, or not checked because the path did not end).
    """
    m = P.shape[1]
    n = P.shape[2]
    point = np.empty(m + n + 2)
    x = point[:m]
    y = point[m:m + n]
    num_iter, status, _spread = _lemke_howson_kernel(P, init_label, max_iter, x, y)
    vstat = 1
    regret = np.inf
    relative = np.inf
    if status == 0:
        vstat, regret, relative = verify_profile(P[0], P[1], x, y, x, y, rule, point[m + n:])
    return point, regret, relative, vstat, num_iter, status


def lemke_howson(
    game: NormalFormGame, initial_label: int = 0, tol: float | None = None, max_iter: int = 1_000_000
) -> NashResult:
    """Find one Nash equilibrium of a 2-player game by the Lemke-Howson algorithm.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game with ``m`` and ``n`` actions.
    initial_label : int, optional
        The label dropped first: ``0..m-1`` are the row player's actions,
        ``m..m+n-1`` the column player's (QuantEcon's ``init_pivot``
        convention). If the path from this label breaks down numerically or
        runs past ``max_iter``, the other labels are tried in turn.
    tol : float, optional
        Relative regret tolerance for the verification (each player's regret at most this times
        their stake; default ``1e-9``).
    max_iter : int, optional
        Pivots allowed per initial label.

    Returns
    -------
    NashResult
        ``guarantee="some"`` with one equilibrium, or none and
        ``converged=False`` (with a note) if no label gave a verified
        equilibrium. ``parameters["label_used"]`` is the label whose path
        produced it.

    Examples
    --------
    The 3x2 game of von Stengel (2007), dropping the row player's action 1:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = [[3, 3], [2, 5], [0, 6]]
    >>> B = [[3, 2], [2, 6], [3, 1]]
    >>> res = lemke_howson(NormalFormGame.from_bimatrix(A, B), initial_label=1)
    >>> [np.round(s, 4).tolist() for s in res.equilibria[0].strategies]
    [[0.0, 0.3333, 0.6667], [0.3333, 0.6667]]

    References
    ----------
    C. E. Lemke and J. T. Howson (1964), "Equilibrium points of bimatrix
    games", *SIAM Journal on Applied Mathematics* 12, 413-423.
    B. von Stengel (2007), "Equilibrium computation for two-player games in
    strategic and extensive form", in *Algorithmic Game Theory*, ch. 3.
    """
    if type(game) is not NormalFormGame or game.payoffs.ndim != 3:
        check_two_player(game, "lemke_howson")  # raises for anything but a 2-player game
    P = game.unit_payoffs
    m = P.shape[1]
    n = P.shape[2]
    if type(initial_label) is not int:
        if isinstance(initial_label, bool) or not isinstance(initial_label, (int, np.integer)):
            raise InputError(f"initial_label must be an integer, got {initial_label!r}")
        initial_label = int(initial_label)
    if not 0 <= initial_label < m + n:
        raise InputError(f"initial_label must be in 0..{m + n - 1} for a {m}x{n} game, got {initial_label}")
    if type(max_iter) is not int and (isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer))):
        raise InputError(f"max_iter must be a positive integer, got {max_iter!r}")
    if max_iter < 1:
        raise InputError(f"max_iter must be a positive integer, got {max_iter!r}")
    max_iter = int(max_iter)
    tol_used = regret_tolerance(game, tol)
    rule = verify_rule(game, tol_used)
    total_iter = 0
    rejected = 0
    notes: list[str] = []
    k0 = initial_label
    for shift in range(m + n):
        label = (k0 + shift) % (m + n)
        point, regret, relative, vstat, num_iter, status = _lemke_howson_verified(P, label, max_iter, rule)
        total_iter += num_iter
        if status == 0:
            if vstat == 0:
                point.setflags(write=False)  # the views below are read-only too
                equilibria = (Equilibrium((point[:m], point[m:m + n]), point[m + n:], regret, relative),)
                if shift:
                    notes.append(f"initial label {k0} failed; the equilibrium comes from label {label}")
                return NashResult(game, "lemke_howson", equilibria, "some", None, tol_used, True, total_iter, rejected,
                                  {"initial_label": k0, "label_used": label, "max_iter": max_iter}, tuple(notes))
            rejected += 1
            notes.append(f"label {label}: the path's end was not an equilibrium within the tolerance (numerical error)")
        elif status == 1:
            notes.append(f"label {label}: no equilibrium within {max_iter} pivots")
        else:
            notes.append(f"label {label}: the pivoting broke down numerically (no pivot row)")
    notes.append("no initial label gave a verified equilibrium; try vertex_enumeration")
    return NashResult(
        game=game,
        method="lemke_howson",
        equilibria=(),
        guarantee="some",
        degenerate=None,
        tol=tol_used,
        converged=False,
        num_iter=total_iter,
        rejected=rejected,
        parameters={"initial_label": k0, "label_used": None, "max_iter": int(max_iter)},
        notes=tuple(notes),
    )
