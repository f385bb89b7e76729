r"""Value and optimal strategies of a two-person zero-sum matrix game.

In the game with matrix :math:`M` (the row player receives :math:`M_{rc}`,
the column player pays it), a mixed strategy :math:`x` of the row player
guarantees :math:`\min_c (x^\top M)_c` and a mixed strategy :math:`y` of the
column player concedes at most :math:`\max_r (M y)_r`. By the minimax
theorem (von Neumann 1928) the best guarantees meet at the value of the game,
and a pair :math:`(x, y)` is optimal exactly when it is a Nash equilibrium of
the bimatrix game :math:`(M, -M)`.

coop needs these values in several places, each a small linear programme: the
minmax (punishment) and maxmin (security) values of a player, and whether an
action is strictly dominated by a mixture of the others. Here they are solved
with the Numba Lemke-Howson kernel of :mod:`coop.solvers.nash.lemke_howson`
instead of a general LP solver, which is faster on small matrices and spares
the CLI importing ``scipy.optimize``. Every answer carries its own
certificate: the two guarantees are recomputed from the strategies found and
must meet within ``GAP_TOL`` times the payoff spread; if no initial label
gives such a pair (numerical breakdown on a badly scaled matrix), the
programme is solved by HiGHS (``scipy.optimize.linprog``) instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coop.solvers.nash.bimatrix import rule_array
from coop.solvers.nash.lemke_howson import _lemke_howson_verified
from coop.solvers.nash.results import PROB_EPS
from coop.solvers.shared.tolerances import REGRET_TOL

#: The row and column guarantees must meet within this, relative to the payoff spread.
GAP_TOL = 1e-9
#: Pivots allowed per initial label (a path visits each basis at most once; this is a safety stop).
MAX_PIVOTS = 100_000


@dataclass(frozen=True)
class ZeroSumSolution:
    """Optimal strategies of a zero-sum matrix game and what each guarantees.

    Attributes
    ----------
    row_strategy, column_strategy : numpy.ndarray
        Mixed strategies over the rows and the columns.
    row_guarantee : float
        ``min_c (x M)_c``: what the row strategy secures whatever the column player does.
    column_guarantee : float
        ``max_r (M y)_r``: the most the column strategy concedes whatever the row player does.
    method : str
        ``"lemke_howson"``, ``"direct"`` (a player with one action, or a constant matrix) or
        ``"highs"`` (the fallback).
    """

    row_strategy: np.ndarray
    column_strategy: np.ndarray
    row_guarantee: float
    column_guarantee: float
    method: str

    @property
    def value(self) -> float:
        """Midpoint of the two guarantees (they agree within ``GAP_TOL`` times the spread)."""
        return 0.5 * (self.row_guarantee + self.column_guarantee)


def zero_sum_solution(M: np.ndarray) -> ZeroSumSolution:
    """Solve the zero-sum game in which the row player receives ``M[r, c]``.

    Parameters
    ----------
    M : array_like
        Finite payoff matrix of shape ``(m, n)``, ``m, n >= 1``.

    Returns
    -------
    ZeroSumSolution

    Examples
    --------
    Matching pennies has value 0, reached by both players mixing half and half:

    >>> import numpy as np
    >>> sol = zero_sum_solution(np.array([[1.0, -1.0], [-1.0, 1.0]]))
    >>> sol.row_strategy.round(12).tolist(), sol.column_strategy.round(12).tolist(), round(sol.value, 12)
    ([0.5, 0.5], [0.5, 0.5], 0.0)
    """
    M = np.ascontiguousarray(M, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] == 0 or M.shape[1] == 0 or not np.all(np.isfinite(M)):
        raise ValueError(f"a zero-sum game needs a finite, non-empty matrix, got shape {M.shape}")
    m, n = M.shape
    lo = float(M.min())
    hi = float(M.max())
    if m == 1 or n == 1 or hi == lo:
        # one player has a single action (or nothing matters): the other simply optimises against it
        r = int(np.argmax(M.min(axis=1)))
        c = int(np.argmin(M.max(axis=0)))
        return _certified(M, np.eye(m)[r], np.eye(n)[c], "direct")
    exp = int(np.frexp(max(abs(hi), abs(lo)))[1])
    P = np.ldexp(np.stack((M, -M)), -exp)  # exact: a power of two, so payoffs near 1e308 cannot overflow
    rule = rule_array(REGRET_TOL, exp, exp)
    scale = np.ldexp(np.ldexp(hi, -exp) - np.ldexp(lo, -exp), exp)
    for label in range(m + n):
        point, _regret, _relative, vstat, _pivots, status = _lemke_howson_verified(P, label, MAX_PIVOTS, rule)
        if status == 0 and vstat == 0:
            sol = _certified(M, point[:m].copy(), point[m:m + n].copy(), "lemke_howson")
            if sol.column_guarantee - sol.row_guarantee <= GAP_TOL * scale:
                return sol
    return _highs_solution(M)


def _certified(M: np.ndarray, x: np.ndarray, y: np.ndarray, method: str) -> ZeroSumSolution:
    """Clean and freeze the strategies and recompute both guarantees from them (never trust a solver's objective)."""
    for s in (x, y):
        small = s < PROB_EPS
        if small.any():
            s[small] = 0.0
            s /= s.sum()
    x.setflags(write=False)
    y.setflags(write=False)
    return ZeroSumSolution(x, y, float((x @ M).min()), float((M @ y).max()), method)


def _highs_solution(M: np.ndarray) -> ZeroSumSolution:
    """The fallback: both players' programmes by HiGHS."""
    from scipy.optimize import linprog

    m, n = M.shape

    def simplex_lp(G: np.ndarray) -> np.ndarray:
        # max v s.t. (w G)_c >= v for every column c, w on the simplex (variables w, v; minimise -v); G is first
        # scaled by a power of two to entries of magnitude below 1 (the weights do not change; HiGHS refuses
        # coefficients of about 1e15 and more)
        G = np.ldexp(G, -int(np.frexp(np.abs(G).max())[1]))
        k, cols = G.shape
        cost = np.zeros(k + 1)
        cost[-1] = -1.0
        res = linprog(cost, A_ub=np.hstack([-G.T, np.ones((cols, 1))]), b_ub=np.zeros(cols),
                      A_eq=np.append(np.ones(k), 0.0)[None, :], b_eq=np.ones(1),
                      bounds=[(0.0, None)] * k + [(None, None)], method="highs")
        if res.status != 0:  # cannot happen for a finite matrix: the programme is bounded and feasible
            raise RuntimeError(f"linear programme failed: {res.message}")
        w = np.clip(res.x[:k], 0.0, None)
        return w / w.sum()

    return _certified(M, simplex_lp(M), simplex_lp(-M.T), "highs")
