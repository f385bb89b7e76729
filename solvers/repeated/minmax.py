r"""Minmax (punishment) and maxmin (security) values of an N-player game.

For player :math:`i` with payoff :math:`u_i`:

* the **pure minmax** value is what the others can hold :math:`i` down to with
  a pure profile, when :math:`i` best-responds:

  .. math:: \underline v_i^{p} = \min_{a_{-i}} \max_{a_i} u_i(a_i, a_{-i});

* the **mixed minmax** value lets the others mix, *independently* of one another:

  .. math:: \underline v_i = \min_{\sigma_{-i} \in \prod_{j \ne i} \Delta(A_j)} \max_{a_i} u_i(a_i, \sigma_{-i});

* the **correlated minmax** value lets the punishers correlate
  (:math:`z \in \Delta(A_{-i})`); by the minimax theorem it equals the mixed
  **maxmin** (security) value :math:`\max_{\sigma_i} \min_{a_{-i}} u_i(\sigma_i, a_{-i})`,
  and it is the value of a zero-sum game (solved by :mod:`coop.solvers.nash.zero_sum`);
* the **pure maxmin** value :math:`\max_{a_i} \min_{a_{-i}} u_i(a_i, a_{-i})`.

They are ordered pure maxmin <= correlated minmax = mixed maxmin <= mixed
minmax <= pure minmax. With two players the mixed minmax is the correlated one
(there is one punisher), so it is exact, with its punishing strategy. With three
or more players the independent mixed minmax is a nonconvex problem: the result
brackets it between the correlated value (a lower bound) and the best punishment
found by a local search over independent mixtures (an upper bound, reached by the
strategies it reports), and says ``exact`` only where the two meet within ``tol``.

The minmax values bound the payoffs of every equilibrium of the repeated game
from below (pure minmax for pure-strategy equilibria), and the folk theorem makes
every feasible payoff above them sustainable for patient players.

References
----------
Fudenberg, D. and Maskin, E. (1986). The folk theorem in repeated games with discounting or with
incomplete information. *Econometrica* 54(3), 533-554.
Mailath, G. J. and Samuelson, L. (2006). *Repeated Games and Reputations*, sec. 2.1.
von Neumann, J. (1928). Zur Theorie der Gesellschaftsspiele. *Math. Annalen* 100, 295-320.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.games.validation import nonnegative
from coop.solvers.nash.results import PROB_EPS
from coop.solvers.nash.zero_sum import zero_sum_solution
from coop.solvers.shared.arrays import c_order_strides
from coop.solvers.shared.jit import njit

#: relative tolerance (times the payoff spread) under which the two bounds of a mixed minmax count as equal
MINMAX_TOL = 1e-7
#: largest number of strategy variables for which the SLSQP polish of the independent punishment runs
_SLSQP_MAX_VARS = 200


# ----------------------------------------------------------------------------- kernel
@njit(cache=True)
def _pure_minmax_kernel(flat_payoffs, shape):
    """Pure minmax and pure maxmin of every player.

    Parameters
    ----------
    flat_payoffs : float64[:, :]
        ``(N, prod(shape))`` payoffs, profiles in flat C order.
    shape : int64[:]
        Number of actions of each player.

    Returns
    -------
    minmax : float64[:]
        ``min_{a_-i} max_{a_i} u_i`` for each player.
    punish : int64[:]
        Flat index of a profile reaching it: the punishers' actions and ``i``'s best response.
    maxmin : float64[:]
        ``max_{a_i} min_{a_-i} u_i`` for each player.
    secure : int64[:]
        An action of ``i`` reaching its maxmin.
    """
    n = shape.shape[0]
    total = flat_payoffs.shape[1]
    strides = c_order_strides(shape)
    minmax = np.empty(n)
    punish = np.zeros(n, dtype=np.int64)
    maxmin = np.empty(n)
    secure = np.zeros(n, dtype=np.int64)
    for i in range(n):
        st = strides[i]
        ai = shape[i]
        block = st * ai
        others = total // ai
        best = np.full(others, -np.inf)
        arg = np.zeros(others, dtype=np.int64)
        worst = np.full(ai, np.inf)
        u = flat_payoffs[i]
        for f in range(total):
            k = (f // st) % ai
            o = (f // block) * st + f % st
            v = u[f]
            if v > best[o]:
                best[o] = v
                arg[o] = f
            if v < worst[k]:
                worst[k] = v
        m = 0
        for o in range(1, others):
            if best[o] < best[m]:
                m = o
        minmax[i] = best[m]
        punish[i] = arg[m]
        s = 0
        for k in range(1, ai):
            if worst[k] > worst[s]:
                s = k
        maxmin[i] = worst[s]
        secure[i] = s
    return minmax, punish, maxmin, secure


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class MinmaxResult:
    """Minmax and maxmin values of every player of a game.

    Attributes
    ----------
    game : NormalFormGame
        The game.
    pure_minmax : numpy.ndarray
        ``(N,)`` pure minmax values.
    pure_punishment : tuple of tuple of int
        For each player ``i``, a pure profile (action indices of all players) where the others
        hold ``i`` to its pure minmax and ``i`` best-responds.
    pure_maxmin : numpy.ndarray
        ``(N,)`` pure maxmin values.
    pure_security : tuple of int
        For each player, an action that guarantees its pure maxmin.
    maxmin : numpy.ndarray
        ``(N,)`` mixed maxmin (security) values, equal to the correlated minmax values (exact: the
        value of a zero-sum game, certified by both players' guarantees).
    security_strategies : tuple of numpy.ndarray
        For each player, a mixed strategy that guarantees ``maxmin``.
    mixed_minmax_lower, mixed_minmax_upper : numpy.ndarray
        ``(N,)`` bounds on the mixed minmax with independent punishers. The lower bound is the
        correlated minmax; the upper one is reached by ``mixed_punishment``. Equal for two players.
    mixed_punishment : tuple of tuple of numpy.ndarray
        For each player ``i``, a mixed profile: the others' independent strategies that hold ``i``
        to ``mixed_minmax_upper[i]``, and a pure best response of ``i`` in entry ``i``.
    exact : tuple of bool
        Whether the two bounds meet within ``tol`` (always true with two players).
    tol : float
        Absolute tolerance used for ``exact``.
    notes : tuple of str
        Plain-language remarks.
    """

    game: NormalFormGame
    pure_minmax: np.ndarray
    pure_punishment: tuple[tuple[int, ...], ...]
    pure_maxmin: np.ndarray
    pure_security: tuple[int, ...]
    maxmin: np.ndarray
    security_strategies: tuple[np.ndarray, ...]
    mixed_minmax_lower: np.ndarray
    mixed_minmax_upper: np.ndarray
    mixed_punishment: tuple[tuple[np.ndarray, ...], ...]
    exact: tuple[bool, ...]
    tol: float
    notes: tuple[str, ...] = field(default=())

    @property
    def mixed_minmax(self) -> np.ndarray:
        """The mixed minmax where exact; elsewhere the upper bound (a punishment the others can carry out)."""
        return self.mixed_minmax_upper

    @property
    def correlated_minmax(self) -> np.ndarray:
        """The minmax when the punishers may correlate (equal to :attr:`maxmin`)."""
        return self.mixed_minmax_lower

    def to_dict(self, game: NormalFormGame | None = None) -> dict[str, Any]:
        """A JSON-ready dictionary keyed by the player and action labels of ``game`` (default: the solved game)."""
        g = self.game if game is None else game
        players = {}
        for i, p in enumerate(g.players):
            players[p] = {
                "pure_minmax": float(self.pure_minmax[i]),
                "pure_punishment": {g.players[j]: g.actions[j][k] for j, k in enumerate(self.pure_punishment[i])},
                "pure_maxmin": float(self.pure_maxmin[i]),
                "pure_security_action": g.actions[i][self.pure_security[i]],
                "mixed_minmax": float(self.mixed_minmax_upper[i]),
                "mixed_minmax_lower": float(self.mixed_minmax_lower[i]),
                "mixed_minmax_upper": float(self.mixed_minmax_upper[i]),
                "exact": bool(self.exact[i]),
                "mixed_punishment": {
                    g.players[j]: _labelled(g.actions[j], s) for j, s in enumerate(self.mixed_punishment[i])
                },
                "maxmin": float(self.maxmin[i]),
                "security_strategy": _labelled(g.actions[i], self.security_strategies[i]),
            }
        return {"tol": self.tol, "notes": list(self.notes), "players": players}


def _labelled(actions: tuple[str, ...], s: np.ndarray) -> dict[str, float]:
    return {a: (0.0 if abs(float(p)) < PROB_EPS else float(p)) for a, p in zip(actions, s, strict=True)}


# ----------------------------------------------------------------------------- public API
def pure_minmax(game: NormalFormGame) -> tuple[np.ndarray, tuple[tuple[int, ...], ...]]:
    """Pure minmax value of every player and a punishing pure profile for each.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game.

    Returns
    -------
    values : numpy.ndarray
        ``(N,)``: :math:`\\min_{a_{-i}} \\max_{a_i} u_i(a_i, a_{-i})`.
    profiles : tuple of tuple of int
        For each player ``i``, the punishers' actions and ``i``'s best response (action indices).

    Examples
    --------
    In matching pennies the punisher must commit to a pure action, so the victim always wins 1:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> values, _ = pure_minmax(NormalFormGame.from_bimatrix(A, -A))
    >>> values.tolist()
    [1.0, 1.0]
    """
    _check_game(game)
    minmax, punish, _, _ = _run_pure_kernel(game)
    return minmax, _unravel_all(punish, game.num_actions)


def minmax_values(
    game: NormalFormGame,
    tol: float | None = None,
    starts: int = 8,
    seed: int | np.random.Generator | None = 0,
) -> MinmaxResult:
    """Pure and mixed minmax values, and maxmin (security) values, of every player.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game.
    tol : float, optional
        Absolute tolerance for calling the bounds on a mixed minmax equal; by default
        ``1e-7`` times the payoff spread.
    starts : int
        Number of random starting points of the local search for the independent punishment
        (three or more players; besides the pure punishment, the uniform profile and the
        marginals of the correlated punishment, which are always tried).
    seed : int, numpy.random.Generator or None
        Randomness of those starting points.

    Returns
    -------
    MinmaxResult

    Examples
    --------
    Matching pennies: the pure minmax is 1 (a pure punisher is matched), the mixed minmax is 0,
    reached by the punisher mixing half and half.

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> res = minmax_values(NormalFormGame.from_bimatrix(A, -A))
    >>> res.pure_minmax.tolist(), res.mixed_minmax.round(12).tolist(), res.exact
    ([1.0, 1.0], [0.0, 0.0], (True, True))
    >>> res.mixed_punishment[0][1].round(12).tolist()  # the column player's punishment of the row player
    [0.5, 0.5]
    """
    _check_game(game)
    if isinstance(starts, bool) or not isinstance(starts, int | np.integer) or starts < 0:
        raise InputError(f"starts must be a non-negative integer, got {starts!r}")
    tol = _tolerance(game, tol)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = game.num_players
    pmin, punish, pmax, secure = _run_pure_kernel(game)
    pure_profiles = _unravel_all(punish, game.num_actions)

    maxmin = np.empty(n)
    lower = np.empty(n)
    upper = np.empty(n)
    security: list[np.ndarray] = []
    punishments: list[tuple[np.ndarray, ...]] = []
    exact: list[bool] = []
    notes: list[str] = []
    for i in range(n):
        M = _own_axis_first(game, i)
        # maxmin and correlated minmax are the two sides of one zero-sum game (rows: i's actions,
        # columns: the others' joint actions)
        game_i = zero_sum_solution(M)
        mm, x = game_i.row_guarantee, game_i.row_strategy
        maxmin[i] = mm
        security.append(_frozen(x))
        cval, z = game_i.column_guarantee, game_i.column_strategy
        lower[i] = min(cval, mm) if n > 2 else cval
        profile: tuple[np.ndarray, ...]
        if n == 1:
            profile = (np.eye(game.num_actions[0])[int(np.argmax(M[:, 0]))],)
            upper[i] = lower[i] = float(M.max())
        elif n == 2:
            j = 1 - i
            profile_l = [np.empty(0), np.empty(0)]
            profile_l[j] = z  # cleaned by zero_sum_solution
            values = M @ profile_l[j]
            profile_l[i] = np.eye(game.num_actions[i])[int(np.argmax(values))]
            profile = tuple(profile_l)
            upper[i] = float(values.max())
            lower[i] = min(lower[i], upper[i])
        else:
            upper[i], profile = _independent_punishment(game, i, pure_profiles[i], z, lower[i], starts, rng, tol)
        exact_i = bool(upper[i] - lower[i] <= tol)
        if not exact_i:
            notes.append(
                f"{game.players[i]}: the mixed minmax with independent punishers lies in "
                f"[{lower[i]:.6g}, {upper[i]:.6g}] (correlated punishment, best independent punishment found)"
            )
        exact.append(exact_i)
        punishments.append(tuple(_frozen(s) for s in profile))
    for arr in (pmin, pmax, maxmin, lower, upper):
        arr.setflags(write=False)
    return MinmaxResult(
        game=game,
        pure_minmax=pmin,
        pure_punishment=pure_profiles,
        pure_maxmin=pmax,
        pure_security=tuple(int(s) for s in secure),
        maxmin=maxmin,
        security_strategies=tuple(security),
        mixed_minmax_lower=lower,
        mixed_minmax_upper=upper,
        mixed_punishment=tuple(punishments),
        exact=tuple(exact),
        tol=tol,
        notes=tuple(notes),
    )


# ----------------------------------------------------------------------------- helpers
def _check_game(game: Any) -> None:
    if not isinstance(game, NormalFormGame):
        raise InputError(f"minmax values need a NormalFormGame, got {type(game).__name__}")


def _tolerance(game: NormalFormGame, tol: float | None) -> float:
    if tol is None:
        return MINMAX_TOL * game.payoff_scale
    return nonnegative(tol, "tol")


def _run_pure_kernel(game: NormalFormGame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    flat = game.payoffs.reshape(game.num_players, -1)
    return _pure_minmax_kernel(flat, np.array(game.num_actions, dtype=np.int64))


def _unravel_all(flat_idx: np.ndarray, shape: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(k) for k in np.unravel_index(int(f), shape)) for f in flat_idx)


def _own_axis_first(game: NormalFormGame, i: int) -> np.ndarray:
    """Player ``i``'s payoffs as a matrix ``(a_i, prod of the others' actions)``, others in C order."""
    return np.ascontiguousarray(np.moveaxis(game.payoffs[i], i, 0).reshape(game.num_actions[i], -1))


def _frozen(s: np.ndarray) -> np.ndarray:
    s = np.array(s, dtype=np.float64)
    s.setflags(write=False)
    return s


def _clean_simplex(z: np.ndarray) -> np.ndarray:
    z = np.clip(np.asarray(z, dtype=np.float64), 0.0, None)
    z[z < PROB_EPS] = 0.0
    return z / z.sum()


def _values_against(u: np.ndarray, i: int, profile: list[np.ndarray], skip: int | None = None) -> np.ndarray:
    """Contract ``u`` (``i``'s payoff array, one axis per player) with every strategy but ``i``'s (and ``skip``'s).

    Returns ``(a_i,)``, or ``(a_i, a_skip)`` when ``skip`` is given.
    """
    t = u
    for j in reversed(range(u.ndim)):
        if j != i and j != skip:
            t = np.tensordot(t, profile[j], axes=([j], [0]))
    if skip is not None and skip < i:
        t = t.T
    return np.asarray(t)


def _independent_punishment(
    game: NormalFormGame, i: int, pure_profile: tuple[int, ...], z: np.ndarray, lower: float, starts: int,
    rng: np.random.Generator, tol: float,
) -> tuple[float, tuple[np.ndarray, ...]]:
    """Best independent punishment of ``i`` found by block-coordinate LPs from several starts, then SLSQP.

    The polish is skipped when the search already meets ``lower`` (the correlated minmax) within ``tol``:
    no independent punishment can go below it.
    """
    n = game.num_players
    u = game.payoffs[i]
    shape = game.num_actions
    others = [j for j in range(n) if j != i]
    marg_shape = tuple(shape[j] for j in others)
    zt = z.reshape(marg_shape)
    candidates: list[list[np.ndarray]] = []
    candidates.append([np.eye(shape[j])[pure_profile[j]] for j in range(n)])
    candidates.append([np.full(a, 1.0 / a) for a in shape])
    marg = [np.ones(shape[i]) / shape[i]]
    for pos, _j in enumerate(others):
        axes = tuple(k for k in range(len(others)) if k != pos)
        marg.append(zt.sum(axis=axes))
    order = [i, *others]
    candidates.append([marg[order.index(j)] for j in range(n)])
    for _ in range(starts):
        candidates.append([rng.dirichlet(np.ones(a)) for a in shape])

    best_val = np.inf
    best_prof: list[np.ndarray] | None = None
    for prof in candidates:
        prof = [p.copy() for p in prof]
        val = float(_values_against(u, i, prof).max())
        for _sweep in range(50):
            improved = False
            for j in others:
                U = _values_against(u, i, prof, skip=j)  # (a_i, a_j)
                best_reply = zero_sum_solution(U)  # j's best mix against the rest, as a 2-player punishment
                v, s = best_reply.column_guarantee, best_reply.column_strategy
                if v < val - 1e-12 * game.payoff_scale:
                    prof[j] = s
                    val = float(_values_against(u, i, prof).max())
                    improved = True
            if not improved:
                break
        if val < best_val:
            best_val, best_prof = val, prof
    assert best_prof is not None
    polished = None if best_val - lower <= tol else _slsqp_polish(u, i, others, shape, best_prof)
    if polished is not None:
        pval = float(_values_against(u, i, polished).max())
        if pval < best_val:
            best_val, best_prof = pval, polished
    values = _values_against(u, i, best_prof)
    best_prof[i] = np.eye(shape[i])[int(np.argmax(values))]
    return float(values.max()), tuple(best_prof)


def _slsqp_polish(u: np.ndarray, i: int, others: list[int], shape: tuple[int, ...],
                  start: list[np.ndarray]) -> list[np.ndarray] | None:
    """Minimise ``v`` subject to ``v >= u_i(k, sigma_-i)`` for all ``k`` (epigraph form), from ``start``."""
    from scipy.optimize import minimize

    sizes = [shape[j] for j in others]
    nvar = sum(sizes)
    if nvar > _SLSQP_MAX_VARS:
        return None
    cuts = np.cumsum(sizes)[:-1]

    def unpack(x: np.ndarray) -> list[np.ndarray]:
        prof = [np.empty(0)] * len(shape)
        prof[i] = np.ones(shape[i]) / shape[i]
        for j, part in zip(others, np.split(x[:-1], cuts), strict=True):
            prof[j] = part
        return prof

    def cons(x: np.ndarray) -> np.ndarray:
        return x[-1] - _values_against(u, i, unpack(x))

    def cons_jac(x: np.ndarray) -> np.ndarray:
        prof = unpack(x)
        jac = np.zeros((shape[i], nvar + 1))
        jac[:, -1] = 1.0
        col = 0
        for j in others:
            jac[:, col:col + shape[j]] = -_values_against(u, i, prof, skip=j)
            col += shape[j]
        return jac

    def eq(x: np.ndarray) -> np.ndarray:
        return np.array([p.sum() - 1.0 for p in np.split(x[:-1], cuts)])

    eq_jac = np.zeros((len(others), nvar + 1))
    col = 0
    for r, a in enumerate(sizes):
        eq_jac[r, col:col + a] = 1.0
        col += a
    x0 = np.concatenate([start[j] for j in others] + [[float(_values_against(u, i, start).max())]])
    cost = np.zeros(nvar + 1)
    cost[-1] = 1.0
    res = minimize(
        lambda x: x[-1], x0, jac=lambda x: cost, method="SLSQP",
        bounds=[(0.0, 1.0)] * nvar + [(None, None)],
        constraints=[
            {"type": "ineq", "fun": cons, "jac": cons_jac},
            {"type": "eq", "fun": eq, "jac": lambda x: eq_jac},
        ],
        options={"maxiter": 200, "ftol": 1e-12},
    )
    if not np.all(np.isfinite(res.x)):
        return None
    prof = unpack(res.x)
    for j in others:
        prof[j] = _clean_simplex(prof[j]) if prof[j].clip(0, None).sum() > 0 else np.ones(shape[j]) / shape[j]
    return prof
