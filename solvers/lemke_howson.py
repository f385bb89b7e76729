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

The two tableaux are kept in full (``[B^T | I | 1]`` and ``[I | A | 1]``, with
columns in label order), and the leaving row is chosen by the lexicographic
minimum-ratio rule over the columns that started as the identity, which keeps
the path well defined on degenerate games.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers._linalg import _PROB_TOL, _prepare_bimatrix, _verify_bimatrix_kernel, check_two_player
from coop.solvers.results import PROB_EPS, REGRET_TOL, Equilibrium, NashResult

#: Tableau entries at most this (payoffs rescaled to [1, 2]) are never pivots.
PIVOT_TOL = 1e-10
#: Ratios within this (relative) tie and go to the lexicographic comparison.
RATIO_TOL = 1e-13


@njit(cache=True)
def _lex_min_ratio_row(T, col, slack_start, num_slack, pivot_tol, ratio_tol):
    """The leaving row for entering column ``col`` by the lexicographic minimum-ratio rule (-1 if unbounded)."""
    rows, width = T.shape
    rhs = width - 1
    best = -1
    n_tie = 0
    ties = np.empty(rows, dtype=np.int64)
    theta = np.inf
    for i in range(rows):
        a = T[i, col]
        if a > pivot_tol:
            ratio = T[i, rhs] / a
            if best < 0 or ratio < theta - ratio_tol * max(1.0, abs(theta)):
                theta = ratio
                best = i
                n_tie = 1
                ties[0] = i
            elif ratio <= theta + ratio_tol * max(1.0, abs(theta)):
                ties[n_tie] = i
                n_tie += 1
    if n_tie <= 1:
        return best
    # several rows tie: compare the rows of the initial identity columns, divided by the pivot entry
    for c in range(slack_start, slack_start + num_slack):
        theta = np.inf
        kept = 0
        for t in range(n_tie):
            i = ties[t]
            ratio = T[i, c] / T[i, col]
            if kept == 0 or ratio < theta - ratio_tol * max(1.0, abs(theta)):
                theta = ratio
                ties[0] = i
                kept = 1
            elif ratio <= theta + ratio_tol * max(1.0, abs(theta)):
                ties[kept] = i
                kept += 1
        n_tie = kept
        if n_tie == 1:
            break
    return ties[0]


@njit(cache=True)
def _pivot(T, row, col, buf):
    """Gauss-Jordan pivot of the full tableau ``T`` on ``(row, col)``.

    The normalised pivot row is first copied to ``buf`` so that the update
    loop reads and writes different arrays (which lets it vectorise).
    """
    rows, width = T.shape
    piv = T[row, col]
    for j in range(width):
        v = T[row, j] / piv
        buf[j] = v
        T[row, j] = v
    for i in range(rows):
        if i == row:
            continue
        f = T[i, col]
        if f != 0.0:
            for j in range(width):
                T[i, j] -= f * buf[j]
            T[i, col] = 0.0


@njit(cache=True)
def _lemke_howson_kernel(A, B, init_label, max_iter, pivot_tol, ratio_tol):
    """Complementary pivoting from the initial label ``init_label`` on positive ``A``, ``B`` (shape ``(m, n)``).

    Returns
    -------
    x, y : float64[:]
        The basic solutions at the end of the path, normalised to sum one
        when the path ended (status 0).
    num_iter : int64
        Pivots made.
    status : int64
        0 reached a completely labeled pair, 1 hit ``max_iter``, 2 no
        pivot row (numerical breakdown).
    """
    m, n = A.shape
    L = m + n
    # tableau for P: rows j (columns of B), columns: x (labels 0..m-1), slacks (labels m..m+n-1), rhs
    T0 = np.zeros((n, L + 1))
    for j in range(n):
        for i in range(m):
            T0[j, i] = B[i, j]
        T0[j, m + j] = 1.0
        T0[j, L] = 1.0
    basis0 = np.empty(n, dtype=np.int64)
    for j in range(n):
        basis0[j] = m + j
    # tableau for Q: rows i (rows of A), columns: slacks (labels 0..m-1), y (labels m..m+n-1), rhs
    T1 = np.zeros((m, L + 1))
    for i in range(m):
        T1[i, i] = 1.0
        for j in range(n):
            T1[i, m + j] = A[i, j]
        T1[i, L] = 1.0
    basis1 = np.empty(m, dtype=np.int64)
    for i in range(m):
        basis1[i] = i

    buf = np.empty(L + 1)
    entering = init_label
    player = 0 if init_label < m else 1
    status = 1
    num_iter = 0
    while num_iter < max_iter:
        if player == 0:
            row = _lex_min_ratio_row(T0, entering, m, n, pivot_tol, ratio_tol)
            if row < 0:
                status = 2
                break
            _pivot(T0, row, entering, buf)
            leaving = basis0[row]
            basis0[row] = entering
        else:
            row = _lex_min_ratio_row(T1, entering, 0, m, pivot_tol, ratio_tol)
            if row < 0:
                status = 2
                break
            _pivot(T1, row, entering, buf)
            leaving = basis1[row]
            basis1[row] = entering
        num_iter += 1
        if leaving == init_label:
            status = 0
            break
        entering = leaving
        player = 1 - player

    x = np.zeros(m)
    y = np.zeros(n)
    for j in range(n):
        if basis0[j] < m:
            x[basis0[j]] = T0[j, L]
    for i in range(m):
        if basis1[i] >= m:
            y[basis1[i] - m] = T1[i, L]
    sx = x.sum()
    sy = y.sum()
    if status == 0 and sx > 0.0 and sy > 0.0:
        x /= sx
        y /= sy
    elif status == 0:
        status = 2
    return x, y, num_iter, status


@njit(cache=True)
def _lemke_howson_verified(P, init_label, max_iter, tol, pivot_tol, ratio_tol, prob_tol, prob_eps):
    """Rescale, run :func:`_lemke_howson_kernel` and check the end point, in one call.

    ``tol < 0`` means the default regret tolerance ``REGRET_TOL`` times the
    payoff spread. Returns the cleaned mixes, payoffs, regret, verification
    status (0 kept, 1 rejected), pivots, path status and the tolerance used.
    """
    A, B, spread = _prepare_bimatrix(P)
    if tol < 0.0:
        tol = REGRET_TOL * spread
    x, y, num_iter, status = _lemke_howson_kernel(A, B, init_label, max_iter, pivot_tol, ratio_tol)
    m, n = A.shape
    Xc, Yc, pay, reg, vstat = _verify_bimatrix_kernel(
        P[0], P[1], x.reshape(1, m), y.reshape(1, n), tol, prob_tol, prob_eps, 0.0
    )
    return Xc[0], Yc[0], pay[0], reg[0], vstat[0], num_iter, status, tol


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
        Absolute regret tolerance for the verification; by default ``1e-9``
        times the payoff spread.
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
    check_two_player(game, "lemke_howson")
    P = game.payoffs
    m = P.shape[1]
    n = P.shape[2]
    if isinstance(initial_label, bool) or not isinstance(initial_label, (int, np.integer)):
        raise InputError(f"initial_label must be an integer, got {initial_label!r}")
    if not 0 <= initial_label < m + n:
        raise InputError(f"initial_label must be in 0..{m + n - 1} for a {m}x{n} game, got {initial_label}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise InputError(f"max_iter must be a positive integer, got {max_iter!r}")
    tol_in = -1.0 if tol is None else float(tol)
    total_iter = 0
    rejected = 0
    notes: list[str] = []
    k0 = int(initial_label)
    for shift in range(m + n):
        label = (k0 + shift) % (m + n)
        x, y, pay, regret, vstat, num_iter, status, tol = _lemke_howson_verified(
            P, label, int(max_iter), tol_in, PIVOT_TOL, RATIO_TOL, _PROB_TOL, PROB_EPS
        )
        total_iter += int(num_iter)
        if status == 0:
            if vstat == 0:
                x.setflags(write=False)
                y.setflags(write=False)
                pay.setflags(write=False)
                equilibria = (Equilibrium((x, y), pay, float(regret)),)
                if shift:
                    notes.append(f"initial label {k0} failed; the equilibrium comes from label {label}")
                return NashResult(
                    game=game,
                    method="lemke_howson",
                    equilibria=equilibria,
                    guarantee="some",
                    degenerate=None,
                    tol=tol,
                    converged=True,
                    num_iter=total_iter,
                    rejected=rejected,
                    parameters={"initial_label": k0, "label_used": label, "max_iter": int(max_iter)},
                    notes=tuple(notes),
                )
            rejected += 1
            notes.append(f"label {label}: the path's end failed verification (numerical error)")
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
        tol=tol,
        converged=False,
        num_iter=total_iter,
        rejected=rejected,
        parameters={"initial_label": k0, "label_used": None, "max_iter": int(max_iter)},
        notes=tuple(notes),
    )
