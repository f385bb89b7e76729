r"""Logit quantal response equilibria: the principal branch from uniform play to a Nash equilibrium.

In a logit quantal response equilibrium (QRE; McKelvey and Palfrey 1995) every player errs, but errs less
on costlier mistakes: each plays action :math:`a` with probability proportional to
:math:`\exp(\lambda\, u_{ia}(\sigma))`, where :math:`u_{ia}(\sigma)` is the action's expected payoff against
the others' mixed strategies and :math:`\lambda \ge 0` is the players' precision (rationality). At
:math:`\lambda = 0` everyone plays uniformly at random; as :math:`\lambda` grows the unique QRE near the start
moves along a curve, the *principal branch*, which for almost every game converges to one Nash equilibrium
(McKelvey and Palfrey 1995, Theorem 3). Tracing it is Gambit's ``logit_solve``: the branch picks an
equilibrium, and the branch itself is a model of imperfect decision makers fitted to data by choosing
:math:`\lambda`.

:math:`\lambda` is in the units of the game's payoffs, as in Gambit: multiplying every payoff by ten divides
the :math:`\lambda` of each point of the branch by ten. Nothing is rescaled in what is reported (the tracer
works on payoffs divided by their spread and converts back).

:func:`logit_branch` traces the branch once and answers everything asked of it: the QRE at given values of
:math:`\lambda` (the first point where the branch reaches each, corrected at that :math:`\lambda`), the
maximum-likelihood :math:`\lambda` for observed play (the best point of the principal branch, as Gambit's
``logit_estimate``) and the end point, a Nash equilibrium verified by coop's regret rule
(:mod:`coop.solvers.shared.tolerances`). :func:`logit_qre`, :func:`logit_fit` and :func:`logit_nash` ask for
one of these.

The tracer (:mod:`coop.solvers.nash._logit_kernels`) follows the curve in log-probability coordinates
(Turocy 2005) by arc length with a tangent predictor and a Newton corrector, so the branch may turn back in
:math:`\lambda`. Once the traced point is nearly an equilibrium (regret below ``1e-3`` of the stake), the
equilibrium on the support the branch is converging to is solved for by Newton's method on its
indifference conditions and verified; it is the end point only if it lies close to the traced point. At a
bifurcation of the branch (symmetric games) the tracer keeps the branch's direction; Gambit 17 may take
another path there.

References
----------
R. D. McKelvey and T. R. Palfrey (1995), "Quantal response equilibria for normal form games", *Games and
Economic Behavior* 10, 6-38.
T. L. Turocy (2005), "A dynamic homotopy interpretation of the logistic quantal response equilibrium
correspondence", *Games and Economic Behavior* 51, 243-263.
E. L. Allgower and K. Georg (1990), *Numerical Continuation Methods: An Introduction*, Springer.
J. R. Bland and T. L. Turocy (2023), "Quantal response equilibrium as a structural model for estimation: the
missing manual", SSRN working paper 4425515.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.nash import _logit_kernels as lk
from coop.solvers.nash.results import Equilibrium, NashResult, regret_tolerance
from coop.solvers.shared.progress import ChunkedRun, ProgressOption, StopAfter, Stopped
from coop.solvers.shared.tolerances import PROB_EPS

#: Arc length of the first step (as Gambit's ``first_step``), in the coordinates of payoffs divided by their spread.
DEFAULT_FIRST_STEP = 0.03
#: The most a step may grow over the last one.
DEFAULT_MAX_ACCEL = 2.0
#: The corrector's nominal first step and the tangent's nominal turn (radians) per step: a step that needs twice
#: either is rejected and halved, and the next step is sized to need them (Allgower and Georg 1990, 6.1). Small
#: enough that the tracer does not jump across a fold of the branch onto another part of it (checked against
#: pygambit on 540 random games of 2 to 4 players, folds included).
CORRECTOR_DISTANCE = 0.1
TURN_ANGLE = 0.1
#: The chord corrector's nominal contraction per iteration (it reuses the factors of the last accepted point; a
#: step whose iterations contract by less than 0.9 is rejected).
CONTRACTION = 0.45
#: Accepted steps at most (a branch needs tens to a few hundred).
DEFAULT_MAX_STEPS = 100_000
#: Relative regret of the traced point below which the Nash equilibrium nearby is sought.
ENDPOINT_TRIGGER = 1e-3
#: The end point lies within this (in every probability) of the traced point it was found from.
ENDPOINT_NEAR = 5e-2
#: The largest lambda traced, times the payoff spread: far beyond where any branch has an end point.
LAMBDA_CAP = 1e12
#: At most this many branch points go into ``to_dict()`` (the first, the last and evenly spaced ones between).
JSON_POINTS = 200
#: Accepted steps per kernel call when the trace runs in pieces (a progress bar or a time limit).
_PIECE = 50

_STATUS = {
    lk.STALLED: "the step length fell below its floor (the branch could not be followed further)",
    lk.LAMBDA_CAP: "lambda passed its cap without reaching a verified Nash equilibrium",
    lk.STEP_LIMIT: "the step limit was reached",
}


def _profile_dict(game: NormalFormGame, strategies: Sequence[np.ndarray]) -> dict[str, dict[str, float]]:
    return {player: {action: float(strategies[i][k]) for k, action in enumerate(game.actions[i])}
            for i, player in enumerate(game.players)}


def _split(game: NormalFormGame, flat: np.ndarray, clean: bool = False) -> tuple[np.ndarray, ...]:
    """One read-only probability vector per player, from a copy of ``flat`` (``clean``: below ``PROB_EPS`` as 0)."""
    copy = np.array(flat, dtype=np.float64)
    if clean:
        copy[np.abs(copy) < PROB_EPS] = 0.0
    copy.setflags(write=False)  # the views below are read-only too
    out = []
    start = 0
    for a in game.num_actions:
        out.append(copy[start:start + a])
        start += a
    return tuple(out)


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


@dataclass(frozen=True, eq=False)
class QREPoint:
    """One logit quantal response equilibrium of the principal branch.

    Attributes
    ----------
    game : NormalFormGame
    lam : float
        The precision :math:`\\lambda`, in the units of the game's payoffs.
    strategies : tuple of numpy.ndarray
        Each player's mixed strategy (every action has positive probability).
    """

    game: NormalFormGame = field(repr=False)
    lam: float
    strategies: tuple[np.ndarray, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"lambda": float(self.lam), "strategies": _profile_dict(self.game, self.strategies)}


@dataclass(frozen=True, eq=False)
class QREFit:
    """The point of the principal branch that best fits observed play (maximum likelihood).

    Attributes
    ----------
    game : NormalFormGame
    lam : float
        The fitted :math:`\\lambda` (payoff units).
    strategies : tuple of numpy.ndarray
        The QRE at ``lam``.
    log_likelihood : float
        :math:`\\sum_{i,a} n_{ia} \\log \\sigma_{ia}` at the fit, ``n`` the observed counts.
    observed : tuple of numpy.ndarray
        The observed counts (or frequencies) per player, as given.
    at_end : bool
        Whether the likelihood still grew where the trace ended (then the best fit is play as close to the
        Nash equilibrium as traced, and a larger lambda fits at least as well).
    """

    game: NormalFormGame = field(repr=False)
    lam: float
    strategies: tuple[np.ndarray, ...]
    log_likelihood: float
    observed: tuple[np.ndarray, ...]
    at_end: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "lambda": float(self.lam),
            "strategies": _profile_dict(self.game, self.strategies),
            "log_likelihood": _finite(self.log_likelihood),
            "observed": _profile_dict(self.game, self.observed),
            "at_end": bool(self.at_end),
            "branch": "principal",
        }


@dataclass(frozen=True, eq=False)
class QuantalResponseResult:
    """The traced principal branch and what was asked of it.

    Attributes
    ----------
    game : NormalFormGame
    method : str
        ``"logit"``.
    lambdas : tuple of float
        The lambdas asked for, in the order given.
    at_lambda : tuple of QREPoint or None
        The QRE at each of ``lambdas`` (``None`` where the trace stopped before it).
    branch_lambda : numpy.ndarray
        ``(P,)``: lambda at every traced point, from 0.
    branch_profiles : numpy.ndarray
        ``(P, a_1 + ... + a_N)``: the probabilities at every traced point, players' actions in order.
    end : Equilibrium or None
        The Nash equilibrium the branch converges to, verified (``None`` if the trace did not reach one).
    end_lambda : float or None
        The lambda of the traced point the end point was found from.
    fit : QREFit or None
        The maximum-likelihood fit to ``observed`` (``None`` when nothing was observed).
    tol : float
        The relative regret tolerance of the end point.
    converged : bool
        Whether the trace ended normally (end point found and every lambda reached).
    num_steps, rejected : int
        Accepted and rejected predictor-corrector steps.
    parameters : dict
    notes : tuple of str
    stopped : Stopped or None
        Set when a time limit or Ctrl-C stopped the trace.
    """

    game: NormalFormGame = field(repr=False)
    method: str
    lambdas: tuple[float, ...]
    at_lambda: tuple[QREPoint | None, ...]
    branch_lambda: np.ndarray
    branch_profiles: np.ndarray
    end: Equilibrium | None
    end_lambda: float | None
    fit: QREFit | None
    tol: float
    converged: bool
    num_steps: int
    rejected: int
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    stopped: Stopped | None = None

    @property
    def reason(self) -> str | None:
        """Why the trace did not end normally, in a sentence (``None`` when it did)."""
        if self.converged:
            return None
        if self.stopped is not None:
            return self.stopped.reason
        return "; ".join(self.notes) or "the trace stopped before its end"

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C stopped the trace."""
        return self.stopped is not None and self.stopped.interrupted

    def thinned(self, max_points: int = JSON_POINTS) -> np.ndarray:
        """Indices of at most ``max_points`` branch points: the first, the last and evenly spaced ones."""
        count = len(self.branch_lambda)
        if count <= max_points:
            return np.arange(count)
        return np.unique(np.linspace(0, count - 1, max_points).round().astype(np.int64))

    def to_dict(self) -> dict[str, Any]:
        keep = self.thinned()
        players = self.game.players
        offsets = np.cumsum((0,) + self.game.num_actions)
        branch = {
            "lambda": [float(v) for v in self.branch_lambda[keep]],
            "strategies": {p: {a: [float(v) for v in self.branch_profiles[keep, offsets[i] + k]]
                               for k, a in enumerate(self.game.actions[i])}
                           for i, p in enumerate(players)},
            "points": int(len(self.branch_lambda)),
        }
        return {
            "method": self.method,
            "lambda_units": "payoff units (lambda times a payoff difference is a log-odds)",
            "at_lambda": [None if q is None else q.to_dict() for q in self.at_lambda],
            "end": None if self.end is None else {"lambda": _finite(self.end_lambda), **self.end.to_dict(self.game)},
            "fit": None if self.fit is None else self.fit.to_dict(),
            "tol": self.tol,
            "converged": self.converged,
            "complete": self.converged,
            "reason": self.reason,
            "num_steps": int(self.num_steps),
            "rejected": int(self.rejected),
            "parameters": dict(self.parameters),
            "notes": list(self.notes),
            "stopped": None if self.stopped is None else {"reason": self.stopped.reason, **self.stopped.to_dict()},
            "branch": branch,
        }


# ----------------------------------------------------------------------------- input checks
def _check_game(game: Any, who: str) -> NormalFormGame:
    if not isinstance(game, NormalFormGame):
        raise InputError(f"{who} needs a NormalFormGame, got {type(game).__name__}")
    return game


def _number(value: Any, what: str, low: float, high: float = math.inf, strict: bool = False) -> float:
    if isinstance(value, bool):
        raise InputError(f"{what} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < low or (strict and v == low) or v > high:
        bound = f"> {low:g}" if strict else f">= {low:g}"
        raise InputError(f"{what} must be a finite number {bound}" + (f" and <= {high:g}" if high < math.inf else "")
                         + f", got {value!r}")
    return v


def _lambdas(values: Any) -> tuple[float, ...]:
    if values is None:
        return ()
    if isinstance(values, (int, float, np.integer, np.floating)) and not isinstance(values, bool):
        values = (values,)
    try:
        items = list(values)
    except TypeError:
        raise InputError(f"lambdas must be a number or a list of numbers, got {values!r}") from None
    return tuple(_number(v, "lambda", 0.0) for v in items)


def _observed(game: NormalFormGame, observed: Any) -> np.ndarray:
    """The observed counts as one flat array; a mapping by player name (then action name) or one sequence per
    player."""
    if isinstance(observed, Mapping):
        unknown = [p for p in observed if p not in game.players]
        if unknown:
            raise InputError(f"observed play names an unknown player {unknown[0]!r}; the players are "
                             f"{', '.join(game.players)}")
        blocks = []
        for i, p in enumerate(game.players):
            entry = observed.get(p)
            if entry is None:
                blocks.append(np.zeros(game.num_actions[i]))
            elif isinstance(entry, Mapping):
                row = np.zeros(game.num_actions[i])
                for a, v in entry.items():
                    if a not in game.actions[i]:
                        raise InputError(f"observed play of {p} names an unknown action {a!r}; the actions are "
                                         f"{', '.join(game.actions[i])}")
                    row[game.actions[i].index(a)] = _number(v, f"the observed count of {p}'s {a}", 0.0)
                blocks.append(row)
            else:
                blocks.append(_row(entry, game.num_actions[i], f"observed play of {p}"))
        flat = np.concatenate(blocks)
    else:
        try:
            rows = list(observed)
        except TypeError:
            raise InputError(f"observed play must be counts per player, got {observed!r}") from None
        if len(rows) != game.num_players:
            raise InputError(f"observed play needs one list of counts per player ({game.num_players}), got "
                             f"{len(rows)}")
        flat = np.concatenate([_row(r, a, f"observed play of {p}")
                               for r, a, p in zip(rows, game.num_actions, game.players, strict=True)])
    if not flat.sum() > 0.0:
        raise InputError("observed play has no observations (every count is zero)")
    return flat


def _row(values: Any, size: int, where: str) -> np.ndarray:
    try:
        row = np.array([_number(v, f"a count in {where}", 0.0) for v in values], dtype=np.float64)
    except TypeError:
        raise InputError(f"{where} must be a list of {size} counts, got {values!r}") from None
    if row.shape != (size,):
        raise InputError(f"{where} must be a list of {size} counts, got {len(row)}")
    return row


# ----------------------------------------------------------------------------- the tracer
def logit_branch(game: NormalFormGame, lambdas: Any = None, observed: Any = None, *, tol: float | None = None,
                 first_step: float = DEFAULT_FIRST_STEP, max_accel: float = DEFAULT_MAX_ACCEL,
                 max_steps: int = DEFAULT_MAX_STEPS, stop_after: StopAfter = None,
                 progress: ProgressOption = False) -> QuantalResponseResult:
    r"""Trace the principal branch of logit quantal response equilibria from :math:`\lambda = 0` to a Nash
    equilibrium.

    At precision :math:`\lambda` each player plays action :math:`a` with probability
    :math:`\sigma_{ia} = e^{\lambda u_{ia}(\sigma)} / \sum_b e^{\lambda u_{ib}(\sigma)}`. :math:`\lambda` is in
    the units of the game's payoffs (as Gambit's): scaling the payoffs by :math:`c` scales the branch's
    lambdas by :math:`1/c`.

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    lambdas : float or sequence of float, optional
        Lambdas (``>= 0``) at which to report the QRE: the first point where the branch reaches each.
    observed : mapping or sequence, optional
        Observed play to fit lambda to: counts (or frequencies) of each action, per player, as
        ``{player: {action: count}}`` or one list per player. The fit is the point of the principal branch
        with the largest log likelihood :math:`\sum n_{ia} \log \sigma_{ia}` (as Gambit's ``logit_estimate``;
        other branches are not searched). Frequencies weigh each player alike; counts weigh each observation.
    tol : float, optional
        Relative regret tolerance of the end point (default ``1e-9``; :mod:`coop.solvers.shared.tolerances`).
    first_step : float, optional
        Arc length of the first step (payoffs divided by their spread).
    max_accel : float, optional
        The most a step may grow over the last (``> 1``).
    max_steps : int, optional
        Accepted steps at most.
    stop_after : float or TimeLimit, optional
        Stop after this many seconds (the branch traced so far is kept; the end point is then missing).
    progress : bool or callable, optional
        A progress bar on stderr, or a callback (:mod:`coop.solvers.shared.progress`).

    Returns
    -------
    QuantalResponseResult

    Examples
    --------
    Matching pennies: every QRE is uniform play, and so is the end point.

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> res = logit_branch(NormalFormGame.from_bimatrix(A, -A), lambdas=[2.0])
    >>> res.at_lambda[0].strategies[0].round(6).tolist(), res.end.strategies[1].round(6).tolist()
    ([0.5, 0.5], [0.5, 0.5])

    References
    ----------
    R. D. McKelvey and T. R. Palfrey (1995), "Quantal response equilibria for normal form games", *Games
    and Economic Behavior* 10, 6-38.
    T. L. Turocy (2005), "A dynamic homotopy interpretation of the logistic quantal response equilibrium
    correspondence", *Games and Economic Behavior* 51, 243-263.
    """
    game = _check_game(game, "logit_branch")
    tol_used = regret_tolerance(game, tol)
    wanted = _lambdas(lambdas)
    counts = _observed(game, observed) if observed is not None else None
    first = _number(first_step, "first_step", 0.0, strict=True)
    accel = _number(max_accel, "max_accel", 1.0, strict=True)
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise InputError(f"max_steps must be a positive integer, got {max_steps!r}")
    scale = game.payoff_scale
    n_players = game.num_players
    P = np.ascontiguousarray((game.payoffs / scale).reshape(n_players, -1))
    counts_per_player = game.num_actions
    sizes = np.array(counts_per_player, dtype=np.int64)
    offs = np.array([sum(counts_per_player[:i]) for i in range(n_players)], dtype=np.int64)
    n = sum(counts_per_player)
    z = np.empty(n + 1)
    t = np.empty(n + 1)
    if not lk.start_kernel(P, offs, sizes, z, t):
        raise InputError("the logit branch has no well-defined start for this game")  # pragma: no cover
    order = np.argsort(np.array(wanted, dtype=np.float64), kind="stable")
    targets = np.array([wanted[k] * scale for k in order], dtype=np.float64)
    at_targets = np.full((len(targets), n + 1), np.nan)
    w = np.zeros(n) if counts is None else counts
    istate = np.zeros(8, dtype=np.int64)
    fstate = np.zeros(8)
    fstate[lk.F_STEP] = first
    fit_z = z.copy()
    fstate[lk.F_BEST] = float(np.dot(w, z[:n]))
    fstate[lk.F_SLOPE] = float(np.dot(w, t[:n]))
    # targets at lambda 0 are the start
    while istate[lk.I_TARGET] < len(targets) and targets[istate[lk.I_TARGET]] <= 0.0:
        at_targets[istate[lk.I_TARGET]] = z
        istate[lk.I_TARGET] += 1
    end_x = np.zeros(n)
    end_checks = np.zeros((n_players, 3))
    opts = np.empty(lk.NUM_OPTS)
    opts[lk.O_FIRST] = first
    opts[lk.O_ACCEL] = accel
    opts[lk.O_DIST] = CORRECTOR_DISTANCE
    opts[lk.O_CONTRACT] = CONTRACTION
    opts[lk.O_ANGLE] = TURN_ANGLE
    opts[lk.O_HMIN] = 1e-12
    opts[lk.O_LAMCAP] = LAMBDA_CAP
    opts[lk.O_TRIGGER] = ENDPOINT_TRIGGER
    opts[lk.O_TOL] = tol_used
    opts[lk.O_NEAR] = ENDPOINT_NEAR
    branch = np.empty((256, n + 1))
    branch[0] = z
    game_arrays = lk.LogitGame(P, offs, sizes)
    state = lk.TraceState(z, t, istate, fstate)
    records = lk.TraceRecords(targets, at_targets, w, fit_z, end_x, end_checks)
    istate[lk.I_POINTS] = 1
    status = lk.PAUSED
    stopped = None
    chunked = stop_after is not None or bool(progress)
    if not chunked:
        while status in (lk.PAUSED, lk.FULL):
            if status == lk.FULL:
                branch = _grow(branch)
            left = int(max_steps) - int(istate[lk.I_STEPS])
            if left <= 0:
                status = lk.STEP_LIMIT
                break
            status = lk.trace_kernel(game_arrays, state, records, branch, left, opts)
    else:
        with ChunkedRun("logit branch", total=None, unit="steps", verb="taken", stop_after=stop_after,
                        progress=progress, first=_PIECE) as run:
            while status in (lk.PAUSED, lk.FULL) and run.going:
                if status == lk.FULL:
                    branch = _grow(branch)
                left = int(max_steps) - int(istate[lk.I_STEPS])
                if left <= 0:
                    status = lk.STEP_LIMIT
                    break
                before = int(istate[lk.I_STEPS])
                status = lk.trace_kernel(game_arrays, state, records, branch, min(left, max(run.budget, 1)), opts)
                taken = int(istate[lk.I_STEPS]) - before
                run.advance(int(istate[lk.I_STEPS]), taken, last=status == lk.DONE)
            stopped = run.stopped
    return _result(game, scale, wanted, order, at_targets, branch[:istate[lk.I_POINTS]], istate, fstate, end_x,
                   end_checks, counts, fit_z, z, status, stopped, tol_used,
                   {"first_step": first, "max_accel": accel, "max_steps": int(max_steps)})


def _grow(branch: np.ndarray) -> np.ndarray:
    bigger = np.empty((2 * branch.shape[0], branch.shape[1]))
    bigger[:branch.shape[0]] = branch
    return bigger


def _result(game: NormalFormGame, scale: float, wanted: tuple[float, ...], order: np.ndarray,
            at_targets: np.ndarray, branch: np.ndarray, istate: np.ndarray, fstate: np.ndarray, end_x: np.ndarray,
            end_checks: np.ndarray, counts: np.ndarray | None, fit_z: np.ndarray, z: np.ndarray, status: int,
            stopped: Stopped | None, tol: float, parameters: dict[str, Any]) -> QuantalResponseResult:
    n = branch.shape[1] - 1
    notes: list[str] = []
    points: list[QREPoint | None] = [None] * len(wanted)
    for row, k in zip(at_targets, order, strict=True):
        if np.all(np.isfinite(row)):
            points[int(k)] = QREPoint(game, float(wanted[int(k)]), _split(game, np.exp(row[:n])))
        elif istate[lk.I_TARGET] > list(order).index(k):
            notes.append(f"the QRE at lambda = {wanted[int(k)]:g} could not be corrected (the branch turns there)")
    end = None
    end_lambda = None
    if istate[lk.I_FOUND] == 1:
        strategies = _split(game, end_x, clean=True)
        pay, regret, stake = end_checks[:, 0] * scale, end_checks[:, 1] * scale, end_checks[:, 2] * scale
        ratios = np.where(stake > 0.0, regret / np.where(stake > 0.0, stake, 1.0), np.where(regret > 0.0, np.inf, 0.0))
        pay.setflags(write=False)
        end = Equilibrium(strategies, pay, float(regret.max()), float(ratios.max()))
        end_lambda = float(fstate[lk.F_END_LAM]) / scale
    elif stopped is None:
        notes.append(f"no end point: {_STATUS.get(status, 'the trace stopped')}; the branch traced is kept, and no "
                     "equilibrium is claimed")
    fit = None
    if counts is not None:
        best = float(fstate[lk.F_BEST])
        at_end = bool(fstate[lk.F_SLOPE] > 0.0)
        fz = fit_z
        end_value = float(np.dot(counts, z[:n]))
        if at_end and end_value >= best:
            fz = z
            best = end_value
            notes.append("the likelihood still grows where the trace ends: the data are fit best by play as close "
                         "to the Nash equilibrium as traced (a larger lambda fits at least as well)")
        else:
            at_end = False
        fit = QREFit(game, float(fz[n]) / scale, _split(game, np.exp(fz[:n])), best,
                     _split(game, counts), at_end)
    converged = status == lk.DONE
    lam = branch[:, n] / scale
    probs = np.exp(branch[:, :n])
    lam.setflags(write=False)
    probs.setflags(write=False)
    return QuantalResponseResult(game, "logit", wanted, tuple(points), lam, probs, end, end_lambda, fit, tol,
                                 converged, int(istate[lk.I_STEPS]), int(istate[lk.I_REJECTED]), parameters,
                                 tuple(notes), stopped)


def logit_qre(game: NormalFormGame, lam: float, **options: Any) -> QREPoint:
    r"""The logit QRE of the principal branch at precision ``lam`` (payoff units): the branch is traced from
    :math:`\lambda = 0` to the first point where it reaches ``lam``, then corrected at that lambda.

    ``options`` are those of :func:`logit_branch`. Raises :class:`~coop.errors.InputError` if the branch
    could not be traced to ``lam``.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> logit_qre(NormalFormGame.from_bimatrix(A, -A), 5.0).strategies[0].round(6).tolist()
    [0.5, 0.5]
    """
    res = logit_branch(game, [lam], **options)
    point = res.at_lambda[0]
    if point is None:
        why = res.stopped.reason if res.stopped is not None else "; ".join(res.notes) or "the trace stopped"
        raise InputError(f"the logit branch did not reach lambda = {float(lam):g}: {why}")
    return point


def logit_fit(game: NormalFormGame, observed: Any, **options: Any) -> QREFit:
    r"""The maximum-likelihood lambda for observed play, along the principal branch (as Gambit's
    ``logit_estimate``): see ``observed`` in :func:`logit_branch`, whose ``options`` this takes.

    Examples
    --------
    Observed play that is a QRE is fit by its own lambda:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]])
    >>> q = logit_qre(g, 0.4)
    >>> round(logit_fit(g, [1000 * s for s in q.strategies]).lam, 6)
    0.4
    """
    res = logit_branch(game, observed=observed, **options)
    assert res.fit is not None
    return res.fit


def logit_nash(game: NormalFormGame, **options: Any) -> NashResult:
    r"""The Nash equilibrium at the end of the principal logit branch (Gambit's ``logit_solve``), verified.

    ``options`` are those of :func:`logit_branch`. The result has ``guarantee="some"``: one equilibrium, or
    none (``converged=False``, with a note) if the branch's end could not be verified.

    Examples
    --------
    The prisoner's dilemma: the branch ends at mutual defection.

    >>> from coop.games import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]])
    >>> [s.tolist() for s in logit_nash(g).equilibria[0].strategies]
    [[0.0, 1.0], [0.0, 1.0]]
    """
    res = logit_branch(game, **options)
    equilibria = (res.end,) if res.end is not None else ()
    return NashResult(game, "logit", equilibria, "some", None, res.tol, res.end is not None, res.num_steps, 0,
                      {**res.parameters, "end_lambda": res.end_lambda}, res.notes, res.stopped)
