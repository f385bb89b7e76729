r"""Rest points of the evolutionary dynamics, their stability, and basins of attraction.

Replicator rest points are found face by face: for every support profile
(one non-empty set of actions per population), the fitnesses of each
population's support actions must be equal and the support probabilities sum
to one. Fitness is multilinear in the populations' mixtures, so the system is
linear for one population or two and is solved by Newton's method (exact in
one step there) from the face's barycentre; a solution strictly inside the
face is a rest point. Games with singular face systems (degenerate games) can
have continua of rest points, which are not listed (``notes`` says so).

For the other dynamics, rest points are roots of the vector field found by
``scipy.optimize.root`` from a grid of starting points and from the replicator
rest points (BNN and Smith rest points are exactly the Nash equilibria,
Sandholm 2010, ch. 5), then deduplicated.

Stability: the Jacobian of the field restricted to the tangent space of the
product of simplices (vectors summing to zero within each population). It is
analytic for the replicator and the logit dynamics; for the best-response,
BNN and Smith dynamics it is taken by central finite differences (step
``1e-6``), which only approximates the linearisation because these fields are
not differentiable where fitnesses tie (the result says ``smooth=False``).
Classification by the real parts of the eigenvalues, with tolerance
``1e-8`` times the payoff spread: all negative: ``"stable"`` (asymptotically
stable); all positive: ``"unstable"``; both signs and none near zero:
``"saddle"``; all near zero with some imaginary part: ``"centre"`` (e.g.
rock-paper-scissors under the replicator); otherwise ``"non-hyperbolic"``.

References
----------
W. H. Sandholm, Population Games and Evolutionary Dynamics, MIT Press 2010.
J. Hofbauer and K. Sigmund, Evolutionary Games and Population Dynamics,
Cambridge University Press 1998 (ch. 7, the replicator's rest points and the
rock-paper-scissors invariant).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.evolution.dynamics import (
    PopulationModel,
    dynamic_code,
    fitness,
    integrate_many,
    population_model,
    simplex_grid,
)
from coop.solvers.evolution.names import (
    DEFAULT_BASIN_RESOLUTION,
    DEFAULT_BASIN_TIME,
    DEFAULT_LOGIT_ETA,
    Dynamic,
    PopulationsOrSymmetric,
)
from coop.solvers.evolution.sizes import check_basins
from coop.solvers.shared.budgets import REST_POINT_SUPPORTS
from coop.solvers.shared.progress import ChunkedRun, ProgressOption, StopAfter, Stopped, time_limit

#: Starts integrated by the first call of a basin computation (later calls are sized to about 0.15 s each).
FIRST_STARTS = 1_000

#: Support profiles enumerated at most (beyond this, rest points need a smaller game).
MAX_SUPPORTS = REST_POINT_SUPPORTS
#: Relative tolerance on the field's size at an accepted rest point (times the payoff spread).
REST_TOL = 1e-9
#: Two rest points closer than this (max-norm) are the same.
DEDUPE_TOL = 1e-6
STABILITIES = ("stable", "unstable", "saddle", "centre", "non-hyperbolic", "not-differentiable")


@dataclass(frozen=True, eq=False)
class RestPoint:
    """One rest point of a dynamic.

    Attributes
    ----------
    state : numpy.ndarray
        Flat state (populations concatenated).
    eigenvalues : numpy.ndarray
        Complex eigenvalues of the Jacobian on the tangent space of the simplices.
    stability : str
        One of :data:`STABILITIES`.
    field_norm : float
        Max-norm of the vector field at ``state`` (how exactly it is a rest point).
    """

    state: np.ndarray
    eigenvalues: np.ndarray
    stability: str
    field_norm: float

    def support(self, model: PopulationModel) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(int(a) for a in np.flatnonzero(b > 1e-12)) for b in model.split(self.state))


@dataclass(frozen=True, eq=False)
class RestPoints:
    """Rest points of one dynamic on one game.

    Attributes
    ----------
    model : PopulationModel
    dynamic : str
    points : tuple of RestPoint
        Sorted: pure states first, then by probabilities (largest weight on early actions first).
    method : str
        ``"support_enumeration"`` (replicator), ``"nash_equilibria"`` (best response) or ``"root_finding"``.
    smooth : bool
        Whether the eigenvalues come from an exact Jacobian (replicator, logit).
    parameters : dict
    notes : tuple of str
    """

    model: PopulationModel
    dynamic: Dynamic
    points: tuple[RestPoint, ...]
    method: str
    smooth: bool
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.points)

    def stable(self) -> tuple[RestPoint, ...]:
        return tuple(p for p in self.points if p.stability == "stable")

    def to_dict(self) -> dict[str, Any]:
        names, acts = self.model.names, self.model.actions
        return {
            "dynamic": self.dynamic,
            "method": self.method,
            "smooth": self.smooth,
            "parameters": dict(self.parameters),
            "notes": list(self.notes),
            "rest_points": [
                {
                    "state": {n: {a: _clean(float(v)) for a, v in zip(al, block, strict=True)}
                              for n, al, block in zip(names, acts, self.model.split(p.state), strict=True)},
                    "stability": p.stability,
                    "eigenvalues": [[float(e.real), float(e.imag)] for e in p.eigenvalues],
                    "field_norm": float(p.field_norm),
                }
                for p in self.points
            ],
        }


def _clean(v: float) -> float:
    return 0.0 if abs(v) < 1e-12 else v


# ----------------------------------------------------------------------------- linear algebra helpers
def tangent_basis(model: PopulationModel) -> np.ndarray:
    """An orthonormal basis (columns) of the vectors that sum to zero within each population."""
    n = model.dimension
    cols = []
    for o, k in zip(model.offsets.tolist(), model.sizes.tolist(), strict=True):
        if k < 2:
            continue
        # orthonormal basis of {v in R^k : sum v = 0}: the last k-1 columns of a QR of [1, I]
        q, _ = np.linalg.qr(np.column_stack([np.ones(k), np.eye(k)[:, : k - 1]]))
        block = np.zeros((n, k - 1))
        block[o:o + k] = q[:, 1:]
        cols.append(block)
    return np.hstack(cols) if cols else np.zeros((n, 0))


def fitness_jacobian(model: PopulationModel, x: np.ndarray) -> np.ndarray:
    """``D[u, v] = d f_u / d x_v`` (exact: fitness is affine in each population's mixture)."""
    n = model.dimension
    if model.one_population:
        return model.payload.reshape(n, n).copy()
    D = np.zeros((n, n))
    pts = []
    for o, k in zip(model.offsets.tolist(), model.sizes.tolist(), strict=True):
        for b in range(k):
            y = x.copy()
            y[o:o + k] = 0.0
            y[o + b] = 1.0
            pts.append(y)
    vals = fitness(model, np.array(pts))
    col = 0
    for o, k in zip(model.offsets.tolist(), model.sizes.tolist(), strict=True):
        for _ in range(k):
            D[:, col] = vals[col]
            D[o:o + k, col] = 0.0  # a population's own mixture does not enter its fitness
            col += 1
    return D


def field_jacobian(model: PopulationModel, x: np.ndarray, dynamic: Dynamic, eta: float = 1.0) -> np.ndarray:
    """Jacobian of the field at ``x`` in the full coordinates (analytic for replicator and logit)."""
    n = model.dimension
    f = fitness(model, x)
    if dynamic in ("replicator", "logit"):
        D = fitness_jacobian(model, x)
        J = np.zeros((n, n))
        for o, k in zip(model.offsets.tolist(), model.sizes.tolist(), strict=True):
            sl = slice(o, o + k)
            if dynamic == "replicator":
                xs, fs = x[sl], f[sl]
                mean = xs @ fs
                dmean = xs @ D[sl]  # sum_c x_c d f_c / d x_v
                dmean[sl] += fs
                J[sl] = xs[:, None] * (D[sl] - dmean[None, :])
                J[sl, sl] += np.diag(fs - mean)
            else:
                z = (fs := f[sl]) / eta
                p = np.exp(z - z.max())
                p /= p.sum()
                J[sl] = ((np.diag(p) - np.outer(p, p)) @ D[sl]) / eta
                J[sl, sl] -= np.eye(k)
        return J
    h = 1e-6
    J = np.zeros((n, n))
    pts = np.repeat(x[None, :], 2 * n, axis=0)
    for v in range(n):
        pts[2 * v, v] += h
        pts[2 * v + 1, v] -= h
    vals = _field_rows(model, pts, dynamic, eta)
    for v in range(n):
        J[:, v] = (vals[2 * v] - vals[2 * v + 1]) / (2 * h)
    return J


def _field_rows(model: PopulationModel, pts: np.ndarray, dynamic: Dynamic, eta: float) -> np.ndarray:
    from coop.solvers.evolution.dynamics import _field_batch, _field_spec

    dyn, eta_v = dynamic_code(dynamic, eta)
    out = np.empty_like(pts)
    _field_batch(np.ascontiguousarray(pts), _field_spec(model, dyn, eta_v), out)
    return out


def classify(eigenvalues: np.ndarray, tol: float) -> str:
    """``"stable"``, ``"unstable"``, ``"saddle"``, ``"centre"`` or ``"non-hyperbolic"`` from eigenvalues."""
    re = np.real(eigenvalues)
    if re.size == 0:
        return "stable"
    near = np.abs(re) <= tol
    if np.all(near) and np.any(np.abs(np.imag(eigenvalues)) > tol):
        return "centre"
    if np.any(near):
        return "non-hyperbolic"
    if np.all(re < 0):
        return "stable"
    if np.all(re > 0):
        return "unstable"
    return "saddle"


def stability(model: PopulationModel, x: np.ndarray, dynamic: Dynamic, eta: float = 1.0) -> tuple[np.ndarray, str]:
    """Eigenvalues of the tangent-space Jacobian at ``x`` and their classification.

    Tolerance on the real parts: ``1e-8`` times the payoff spread for the exact
    Jacobians (replicator, logit), ``1e-4`` times it for finite differences (BNN, Smith).
    For the best-response dynamic the field is ``-(x - x*)`` near a strict
    equilibrium (eigenvalues -1, stable) and discontinuous at any other rest
    point (no eigenvalues, ``"not-differentiable"``).
    """
    V = tangent_basis(model)
    if dynamic == "best_response":
        f = fitness(model, x)
        strict = all(np.count_nonzero(fb >= fb.max() - 1e-9 * model.scale) == 1 and np.count_nonzero(xb > 0) == 1
                     for fb, xb in zip(model.split(f), model.split(x), strict=True))
        if strict:
            return -np.ones(V.shape[1], dtype=complex), "stable"
        return np.zeros(0, dtype=complex), "not-differentiable"
    J = field_jacobian(model, x, dynamic, eta)
    eig = np.linalg.eigvals(V.T @ J @ V) if V.shape[1] else np.zeros(0, dtype=complex)
    order = np.lexsort((np.imag(eig), np.real(eig)))
    eig = eig[order]
    exact = dynamic in ("replicator", "logit")
    return eig, classify(eig, (1e-8 if exact else 1e-4) * model.scale)


# ----------------------------------------------------------------------------- rest points
def _supports(model: PopulationModel):
    per_pop = [
        [c for r in range(1, k + 1) for c in itertools.combinations(range(k), r)] for k in model.sizes.tolist()
    ]
    count = int(np.prod([len(p) for p in per_pop]))
    if count > MAX_SUPPORTS:
        raise InputError(f"the rest points of this game need {count:,} support profiles enumerated; the limit is "
                         f"{MAX_SUPPORTS:,}; remedy: fewer actions (or rest_points: false)")
    return itertools.product(*per_pop)


def _face_solve(model: PopulationModel, supp: tuple[tuple[int, ...], ...], tol: float) -> np.ndarray | None:
    """Newton's method for equal fitness on the supports; the state, or None if singular or off the face."""
    offs = model.offsets.tolist()
    idx = np.array([offs[p] + a for p, s in enumerate(supp) for a in s], dtype=np.int64)
    x = np.zeros(model.dimension)
    for p, s in enumerate(supp):
        x[[offs[p] + a for a in s]] = 1.0 / len(s)
    for _ in range(50):
        f = fitness(model, x)
        D = fitness_jacobian(model, x)
        rows, rhs = [], []
        for p, s in enumerate(supp):
            u0 = offs[p] + s[0]
            for a in s[1:]:
                u = offs[p] + a
                rows.append(D[u, idx] - D[u0, idx])
                rhs.append(-(f[u] - f[u0]))
            r = np.zeros(len(idx))
            r[[int(np.flatnonzero(idx == offs[p] + a)[0]) for a in s]] = 1.0
            rows.append(r)
            rhs.append(1.0 - x[[offs[p] + a for a in s]].sum())
        M = np.array(rows)
        if np.linalg.cond(M) > 1e12:
            return None
        step = np.linalg.solve(M, np.array(rhs))
        x[idx] += step
        if np.max(np.abs(step)) <= 1e-14:
            break
    if np.min(x[idx]) <= -tol:
        return None
    x[idx] = np.maximum(x[idx], 0.0)
    return x


def _dedupe(states: list[np.ndarray]) -> list[np.ndarray]:
    kept: list[np.ndarray] = []
    for s in states:
        if not any(np.max(np.abs(s - k)) <= DEDUPE_TOL for k in kept):
            kept.append(s)
    return kept


def _sort_key(x: np.ndarray, model: PopulationModel) -> tuple:
    pure = all(np.count_nonzero(b > 1e-12) == 1 for b in model.split(x))
    return (not pure, tuple(-np.round(x, 9)))


def rest_points(game: NormalFormGame | np.ndarray, dynamic: Dynamic = "replicator",
                eta: float | None = DEFAULT_LOGIT_ETA, populations: PopulationsOrSymmetric = "one_if_symmetric",
                grid: int = 6, tol: float | None = None) -> RestPoints:
    r"""Rest points of a dynamic, with the eigenvalues of the linearisation and a stability label.

    Parameters
    ----------
    game : NormalFormGame or array_like
        A game, or a square matrix for one symmetric population.
    dynamic : str
        ``"replicator"`` (support enumeration, every isolated rest point),
        ``"best_response"`` (the Nash equilibria among those: the rest points
        of the best-response inclusion), or ``"logit"``, ``"bnn"``, ``"smith"`` (root finding
        from a grid of starts and from the replicator rest points: the rest
        points found, not a guarantee of all).
    eta : float
        Logit noise.
    populations : {"one_if_symmetric", "one", "per_player"}
        ``"one_if_symmetric"``: one population for a matrix or a symmetric
        2-player game, one per player otherwise.
    grid : int
        Resolution of the grid of starting points for root finding.
    tol : float, optional
        Max-norm of the field accepted at a rest point; default ``1e-9`` times the payoff spread.

    Returns
    -------
    RestPoints

    Examples
    --------
    The stag hunt: two stable pure rest points and an unstable one at the mixed equilibrium (2/3 stag):

    >>> import numpy as np
    >>> res = rest_points(np.array([[4.0, 0.0], [3.0, 2.0]]))
    >>> [(np.round(p.state, 4).tolist(), p.stability) for p in res.points]
    [([1.0, 0.0], 'stable'), ([0.0, 1.0], 'stable'), ([0.6667, 0.3333], 'unstable')]
    """
    model = _model(game, populations)
    dyn, eta_v = dynamic_code(dynamic, eta)
    tol_v = REST_TOL * model.scale if tol is None else float(tol)
    notes: list[str] = []
    singular = 0
    candidates: list[np.ndarray] = []
    for supp in _supports(model):
        x = _face_solve(model, supp, 1e-9)
        if x is None:
            singular += 1
            continue
        candidates.append(x)
    rep = [x for x in candidates if np.max(np.abs(_field_rows(model, x[None, :], "replicator", 1.0)[0])) <= tol_v]
    method = "support_enumeration"
    if singular:
        notes.append(f"{singular} faces had no isolated solution (singular or outside the face); a degenerate "
                     "game may have continua of rest points there, which are not listed")
    if dynamic == "replicator":
        found = _dedupe(rep)
    elif dynamic == "best_response":
        # rest points of the best-response differential inclusion are the Nash equilibria (Sandholm 2010, 6.1)
        method = "nash_equilibria"
        found = [x for x in _dedupe(rep) if _max_regret(model, x) <= tol_v]
    else:
        method = "root_finding"
        notes = ["rest points found by root finding from a grid and from the replicator rest points; "
                 "others may exist"]
        found = _roots(model, dynamic, eta_v, np.vstack([np.array(rep).reshape(-1, model.dimension),
                                                         simplex_grid(model.sizes.tolist(), grid, False)]), tol_v)
    points = []
    for x in sorted(found, key=lambda s: _sort_key(s, model)):
        eig, label = stability(model, x, dynamic, eta_v)
        norm = float(np.max(np.abs(_field_rows(model, x[None, :], dynamic, eta_v)[0])))
        x = x.copy()
        x.setflags(write=False)
        eig.setflags(write=False)
        points.append(RestPoint(x, eig, label, norm))
    params: dict[str, Any] = {"tol": tol_v}
    if dynamic == "logit":
        params["eta"] = eta_v
    if dynamic != "replicator":
        params["grid"] = int(grid)
    return RestPoints(model, dynamic, tuple(points), method, dynamic in ("replicator", "logit"), params,
                      tuple(notes))


def _max_regret(model: PopulationModel, x: np.ndarray) -> float:
    f = fitness(model, x)
    return max(float(fb.max() - fb @ xb) for fb, xb in zip(model.split(f), model.split(x), strict=True))


def _model(game: NormalFormGame | np.ndarray, populations: PopulationsOrSymmetric) -> PopulationModel:
    if populations == "one_if_symmetric":
        if isinstance(game, NormalFormGame):
            one = game.num_players == 2 and game.num_actions[0] == game.num_actions[1] and bool(
                np.max(np.abs(game.payoffs[1] - game.payoffs[0].T)) <= 1e-12 * game.payoff_scale)
            return population_model(game, "one" if one else "per_player")
        return population_model(game, "auto")
    return population_model(game, populations)


def _roots(model: PopulationModel, dynamic: Dynamic, eta: float, starts: np.ndarray, tol: float) -> list[np.ndarray]:
    """Roots of the field (one population entry dropped per block, replaced by the sum constraint)."""
    from scipy.optimize import root

    offs, sizes = model.offsets.tolist(), model.sizes.tolist()

    def g(x: np.ndarray) -> np.ndarray:
        v = _field_rows(model, x[None, :], dynamic, eta)[0]
        for o, k in zip(offs, sizes, strict=True):
            v[o + k - 1] = x[o:o + k].sum() - 1.0
        return v

    accept = max(tol, 1e-10 * model.scale)

    def norm(x: np.ndarray) -> float:
        return float(np.max(np.abs(_field_rows(model, x[None, :], dynamic, eta)[0])))

    found = [s.copy() for s in starts if np.max(np.abs(g(s))) <= tol]  # exact roots first: they win the dedupe
    for s in starts:
        sol = root(g, s, method="hybr", tol=1e-13)
        x = sol.x
        if not np.all(np.isfinite(x)) or x.min() < -1e-9:
            continue
        x = np.maximum(x, 0.0)
        for o, k in zip(offs, sizes, strict=True):
            x[o:o + k] /= x[o:o + k].sum()
        # where the field is flat (BNN near a strict equilibrium) roots are inexact: try snapping tiny entries
        snapped = np.where(x < 1e-7, 0.0, x)
        for o, k in zip(offs, sizes, strict=True):
            snapped[o:o + k] /= snapped[o:o + k].sum()
        if norm(snapped) <= norm(x):
            x = snapped
        if norm(x) <= accept:
            found.append(x)
    return _dedupe(found)


# ----------------------------------------------------------------------------- basins
@dataclass(frozen=True, eq=False)
class Basins:
    """Where a grid of starting points ends up.

    Attributes
    ----------
    model : PopulationModel
    dynamic : str
    starts : numpy.ndarray
        The grid, one flat state per row (interior points).
    labels : numpy.ndarray
        int64 per start: the index into ``attractors`` of the stable rest point
        nearest to the end state (within ``match_tol``), or ``-1`` for no convergence.
    attractors : tuple of RestPoint
        The stable rest points.
    fractions : numpy.ndarray
        Share of starts per attractor (the share with label ``-1`` is ``1 - fractions.sum()``).
    finals : numpy.ndarray
        End state of each start.
    parameters : dict
    reached : numpy.ndarray or None
        bool per start: whether its integration reached ``t_end`` (``False``: it stopped early, at the step
        limit; its label is then ``-1``). ``None`` means every start did.
    early_stop : Stopped or None
        Set when a time limit or Ctrl-C stopped the computation before every start was integrated
        (``integrated`` says which were; the starts are integrated in a shuffled order, so those are a random
        sample of the grid and ``fractions`` are estimates from them).
    integrated : numpy.ndarray or None
        bool per start: whether it was integrated (``None``: every start was).
    """

    model: PopulationModel
    dynamic: Dynamic
    starts: np.ndarray
    labels: np.ndarray
    attractors: tuple[RestPoint, ...]
    fractions: np.ndarray
    finals: np.ndarray
    parameters: dict[str, Any] = field(default_factory=dict)
    reached: np.ndarray | None = None
    early_stop: Stopped | None = None
    integrated: np.ndarray | None = None

    @property
    def unconverged(self) -> float:
        """Share of the integrated starts that reached no stable rest point."""
        labels = self.labels if self.integrated is None else self.labels[self.integrated]
        return float(np.mean(labels < 0)) if labels.size else 0.0

    @property
    def stopped(self) -> int:
        """Number of starts whose integration stopped at the step limit before ``t_end``."""
        if self.reached is None:
            return 0
        integrated = self.integrated if self.integrated is not None else np.ones(len(self.reached), dtype=bool)
        return int(np.count_nonzero(~self.reached & integrated))

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C stopped the computation (the starts integrated by then are kept)."""
        return self.early_stop is not None and self.early_stop.interrupted

    @property
    def complete(self) -> bool:
        """Whether every start was integrated to ``t_end``."""
        return self.stopped == 0 and self.early_stop is None

    @property
    def reason(self) -> str | None:
        """Why the basins are incomplete, in a sentence (``None`` when they are complete)."""
        if self.complete:
            return None
        parts = []
        if self.early_stop is not None:
            parts.append(f"the computation was {self.early_stop.reason}, in a shuffled order: the shares are "
                         "estimates from those starts")
        if self.stopped:
            steps = int(self.parameters.get("max_steps", 0))
            parts.append(f"{self.stopped:,} of {len(self.starts):,} starts stopped at the integrator's step limit "
                         f"of {steps:,} steps before time {float(self.parameters.get('t_end', 0.0)):.6g}; they are "
                         "counted under no convergence (a shorter time, or fewer starts, avoids this)")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        names, acts = self.model.names, self.model.actions
        return {
            "dynamic": self.dynamic,
            "parameters": dict(self.parameters),
            "attractors": [
                {"state": {n: {a: _clean(float(v)) for a, v in zip(al, block, strict=True)}
                           for n, al, block in zip(names, acts, self.model.split(p.state), strict=True)},
                 "fraction": float(f)}
                for p, f in zip(self.attractors, self.fractions, strict=True)
            ],
            "no_convergence": self.unconverged,
            "starts": [[float(v) for v in row] for row in self.starts],
            "labels": [int(v) for v in self.labels],
            "complete": self.complete,
            "reason": self.reason,
            "integrated": None if self.integrated is None else [bool(v) for v in self.integrated],
        }


def basins(game: NormalFormGame | np.ndarray, dynamic: Dynamic = "replicator", eta: float | None = DEFAULT_LOGIT_ETA,
           resolution: int = DEFAULT_BASIN_RESOLUTION, t_end: float = DEFAULT_BASIN_TIME,
           populations: PopulationsOrSymmetric = "one_if_symmetric", match_tol: float = 1e-3, rtol: float = 1e-8,
           atol: float = 1e-12, max_steps: int = 200_000, *, stop_after: StopAfter = None,
           progress: ProgressOption = False) -> Basins:
    r"""Basins of attraction of the stable rest points, from a grid of interior starting points.

    Every start (``simplex_grid(sizes, resolution)``) is integrated to ``t_end``
    in one parallel Numba call; the end state is assigned to the nearest stable
    rest point when within ``match_tol`` (max-norm), else labelled ``-1``. The work
    (starts x steps to ``t_end``, at most ``max_steps`` each) is estimated first and
    refused past the budget (:func:`coop.solvers.evolution.sizes.check_basins`); a start
    that stops at ``max_steps`` is labelled ``-1`` and counted in ``stopped``.

    The starts are integrated in pieces of about 0.15 s, in a fixed shuffled order, so that ``stop_after``
    (seconds, or a shared :class:`~coop.solvers.shared.progress.TimeLimit`) and Ctrl-C stop the work between
    pieces and leave a random sample of the grid integrated: the result then has ``early_stop`` set and its
    fractions are estimates from that sample. ``progress=True`` shows a progress bar on stderr.

    Examples
    --------
    In the stag hunt, stag wins from more than 2/3 stag:

    >>> import numpy as np
    >>> b = basins(np.array([[4.0, 0.0], [3.0, 2.0]]), resolution=30)
    >>> np.round(b.fractions, 3).tolist()
    [0.31, 0.655]
    """
    model = _model(game, populations)
    if not (np.isfinite(t_end) and t_end > 0):
        raise InputError(f"t_end must be a positive number, got {t_end}")
    if int(resolution) >= 1:  # the work of every start, before any is integrated
        check_basins(model.sizes.tolist(), int(resolution), float(t_end), dynamic, model.scale, model.shape.tolist(),
                     model.one_population, eta, max_steps)
    limit = time_limit(stop_after)
    rp = rest_points(game, dynamic, eta, populations)
    attractors = rp.stable()
    starts = simplex_grid(model.sizes.tolist(), resolution, interior=True)
    finals, ok, integrated, stopped = _integrate_in_pieces(model, starts, t_end, dynamic, eta, (rtol, atol, max_steps),
                                                           limit, progress)
    labels = np.full(starts.shape[0], -1, dtype=np.int64)
    if attractors:
        A = np.array([p.state for p in attractors])
        dist = np.max(np.abs(finals[:, None, :] - A[None, :, :]), axis=2)
        best = np.argmin(dist, axis=1)
        hit = (dist[np.arange(len(best)), best] <= match_tol) & ok
        labels[hit] = best[hit]
    sample = labels if integrated is None else labels[integrated]
    fractions = np.array([np.mean(sample == i) if sample.size else 0.0 for i in range(len(attractors))])
    for arr in (starts, labels, fractions, finals):
        arr.setflags(write=False)
    params: dict[str, Any] = {"resolution": int(resolution), "t_end": float(t_end), "match_tol": float(match_tol),
                              "rtol": float(rtol), "atol": float(atol), "max_steps": int(max_steps)}
    if dynamic == "logit":
        params["eta"] = float(eta)  # type: ignore[arg-type]
    ok.setflags(write=False)
    if integrated is not None:
        integrated.setflags(write=False)
    return Basins(model, dynamic, starts, labels, tuple(attractors), fractions, finals, params, ok, stopped,
                  integrated)


def _integrate_in_pieces(model: PopulationModel, starts: np.ndarray, t_end: float, dynamic: Dynamic,
                         eta: float | None, control: tuple[float, float, int], limit: Any,
                         progress: ProgressOption) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Stopped | None]:
    """:func:`integrate_many` over ``starts`` in pieces, in a fixed shuffled order: the final states, whether each
    reached ``t_end``, which starts were integrated (``None``: all) and what stopped the work (or ``None``).

    Each start is integrated on its own, so the pieces and their order change no final state."""
    rtol, atol, max_steps = control
    n = starts.shape[0]
    finals = starts.copy()
    ok = np.zeros(n, dtype=bool)
    order = np.random.default_rng(0).permutation(n)
    done = 0
    with ChunkedRun("basins of attraction", total=n, unit="starts", verb="integrated", stop_after=limit,
                    progress=progress, first=FIRST_STARTS) as run:
        while done < n and run.going:
            piece = order[done:done + run.budget]
            finals[piece], ok[piece] = integrate_many(model, starts[piece], t_end, dynamic, eta, rtol, atol, max_steps)
            done += len(piece)
            run.advance(done, len(piece))
    if done == n:
        return finals, ok, None, None
    integrated = np.zeros(n, dtype=bool)
    integrated[order[:done]] = True
    return finals, ok, integrated, run.stopped

