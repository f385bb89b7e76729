r"""Deterministic evolutionary dynamics on one or several population simplices, with an adaptive integrator.

State and populations
---------------------
A state is one flat float64 vector ``x``: the concatenation of one probability
vector per population. ``offsets[p]`` and ``sizes[p]`` (int64 arrays) give the
block of population ``p``. Two models are built from a game:

- **one population** (a symmetric 2-player game, or a square matrix ``A``):
  ``A[a, b]`` is the payoff of action ``a`` against ``b`` and the fitness is
  :math:`f = A x`;
- **one population per player** (any ``NormalFormGame``, e.g. US, China and EU
  policy makers): the fitness of action ``a`` in population ``i`` is player
  ``i``'s expected payoff of ``a`` when every other player ``j`` plays the
  mixture ``x_j``, obtained by contracting the payoff tensor (one kernel for
  any number of players, walking the profiles in C order).

Dynamics (Sandholm 2010, *Population Games and Evolutionary Dynamics*, ch. 5-6),
per population with fitness :math:`f` and mean fitness :math:`\bar f = x \cdot f`:

- ``"replicator"``: :math:`\dot x_a = x_a (f_a - \bar f)` (Taylor and Jonker 1978);
- ``"best_response"``: :math:`\dot x = B(x) - x` where :math:`B(x)` is the exact
  best response, probability split evenly over actions whose fitness ties with
  the maximum (within ``1e-12`` times the payoff spread). This picks one
  element of the best-response *inclusion*; it is discontinuous, so the
  integrator takes short steps where the best response switches, down to
  ``BR_MIN_STEP * max(1, t_end)`` (``1e-5``), which it accepts whatever the
  error estimate: on a switching surface that attracts from both sides the
  state then chatters within about that distance of it (a sliding motion, as
  in Filippov's solution). ``"logit"`` is its smooth version;
- ``"logit"`` with noise :math:`\eta > 0`: :math:`\dot x = \mathrm{softmax}(f/\eta) - x`;
- ``"bnn"`` (Brown-von Neumann-Nash): :math:`\dot x_a = k_a - x_a \sum_b k_b`,
  :math:`k_a = [f_a - \bar f]_+`;
- ``"smith"``: :math:`\dot x_a = \sum_b x_b [f_a - f_b]_+ - x_a \sum_b [f_b - f_a]_+`.

Each field sums to zero within each population on the simplex, so the flow
stays on it; the integrator projects after each step to remove rounding drift.

Integrator
----------
Dormand-Prince 5(4) (Dormand and Prince 1980) with the error control of
Hairer, Norsett and Wanner (1993, II.4): the step is accepted when the RMS of
the embedded error estimate, scaled by ``atol + rtol * |x|``, is at most one,
and the next step is ``h * min(10, max(0.2, 0.9 err^{-1/5}))``. Output times are
served by the 4th-order continuous extension of Shampine (1986), so output
times never shorten a step. After every accepted step the state is projected
back onto the simplex: entries below zero are set to zero and each population
is renormalised to sum to one (the derivative is re-evaluated when clipping
changed the state). Interpolated outputs are projected the same way. The
replicator dynamic of one population (fitness ``A x``) has its own kernel with
the same method and step control, written out stage by stage; every other case
goes through the general one.

References
----------
J. R. Dormand and P. J. Prince, "A family of embedded Runge-Kutta formulae",
J. Comput. Appl. Math. 6 (1980). L. F. Shampine, "Some practical Runge-Kutta
formulas", Math. Comp. 46 (1986). E. Hairer, S. P. Norsett and G. Wanner,
Solving Ordinary Differential Equations I, 2nd ed., Springer 1993.
W. H. Sandholm, Population Games and Evolutionary Dynamics, MIT Press 2010.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.games.validation import nonnegative
from coop.solvers.evolution.names import (
    DEFAULT_LOGIT_ETA,
    DYNAMIC_CODES,
    DYNAMICS,
    POPULATIONS,
    Dynamic,
    PopulationsOrAuto,
)
from coop.solvers.evolution.sizes import check_integrations
from coop.solvers.shared.budgets import GRID_POINTS
from coop.solvers.shared.jit import njit, prange

# the codes the kernels branch on (names, help texts and codes: coop.solvers.evolution.names)
_REPLICATOR = DYNAMIC_CODES["replicator"]
_BEST_RESPONSE = DYNAMIC_CODES["best_response"]
_LOGIT = DYNAMIC_CODES["logit"]
_BNN = DYNAMIC_CODES["bnn"]

#: A starting state may be off the simplex by at most this (sum of each population vs 1).
SIMPLEX_TOL = 1e-9
#: Relative tolerance under which fitnesses tie in the best-response dynamic.
TIE_TOL = 1e-12
#: Best response: steps of ``BR_MIN_STEP * max(1, t_end)`` are accepted whatever the error estimate.
BR_MIN_STEP = 1e-5

_MODE_MATRIX = 0
_MODE_TENSOR = 1

# Dormand-Prince 5(4) tableau (Dormand and Prince 1980; Hairer et al. 1993, table II.5.2). Row 6 equals the
# 5th-order weights (the method is "first same as last"), so stage 6 is evaluated at the new state.
_RK_A = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0.0, 0.0],
    [9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0, 0.0],
    [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0],
])
# error estimate weights: 5th-order minus embedded 4th-order weights, one per stage
_RK_E = np.array([71.0 / 57600.0, 0.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0, 22.0 / 525.0,
                  -1.0 / 40.0])
# continuous extension (Shampine 1986): y(t + th) = y + h sum_k K_k (P_k1 th + P_k2 th^2 + P_k3 th^3 + P_k4 th^4)
_P = np.array([
    [1.0, -8048581381.0 / 2820520608.0, 8663915743.0 / 2820520608.0, -12715105075.0 / 11282082432.0],
    [0.0, 0.0, 0.0, 0.0],
    [0.0, 131558114200.0 / 32700410799.0, -68118460800.0 / 10900136933.0, 87487479700.0 / 32700410799.0],
    [0.0, -1754552775.0 / 470086768.0, 14199869525.0 / 1410260304.0, -10690763975.0 / 1880347072.0],
    [0.0, 127303824393.0 / 49829197408.0, -318862633887.0 / 49829197408.0, 701980252875.0 / 199316789632.0],
    [0.0, -282668133.0 / 205662961.0, 2019193451.0 / 616988883.0, -1453857185.0 / 822651844.0],
    [0.0, 40617522.0 / 29380423.0, -110615467.0 / 29380423.0, 69997945.0 / 29380423.0],
])

#: status codes of the integrator kernel
_OK, _MAX_STEPS, _STEP_TOO_SMALL, _NOT_FINITE = 0, 1, 2, 3

# grouped kernel inputs and results
#: A vector field as the kernels evaluate it: the dynamic's code ``dyn``, the logit noise ``eta``, the tolerance
#: under which fitnesses tie for the best response, the fitness ``mode`` (``_MODE_MATRIX``: one population,
#: ``A x``; ``_MODE_TENSOR``: one population per player), the flattened matrix or payoff tensor ``payload``, the
#: players' action counts ``shape`` and each population's block of the state (``offsets``, ``sizes``).
FieldSpec = namedtuple("FieldSpec", ["dyn", "eta", "tie_tol", "mode", "payload", "shape", "offsets", "sizes"])
#: Workspaces of one field evaluation: ``idx`` (int64, N), ``pre`` and ``suf`` (N + 1), the fitness ``f`` (n).
FieldWork = namedtuple("FieldWork", ["idx", "pre", "suf", "f"])
#: Step control of the integrator: tolerances, the step limit, the shortest step accepted whatever the error
#: (``h_min`` > 0 only for the discontinuous best-response field) and the continuous extension ``dense_p`` (``_P``).
StepControl = namedtuple("StepControl", ["rtol", "atol", "max_steps", "h_min", "dense_p"])
#: The integrator's answer: status code, rows of the output written, accepted and rejected steps, field
#: evaluations.
Integration = namedtuple("Integration", ["status", "filled", "accepted", "rejected", "evaluations"])
_MESSAGES = {
    _OK: "reached the last output time",
    _MAX_STEPS: "stopped: the step limit was reached",
    _STEP_TOO_SMALL: "stopped: the step size fell below the resolution of the time axis",
    _NOT_FINITE: "stopped: the state became NaN or infinite",
}


# ============================================================================ kernels
@njit(cache=True, inline="always")
def _matvec(x, payload, f):
    """One population: ``f = A x`` with ``A`` flattened row by row in ``payload``."""
    n = x.shape[0]
    for a in range(n):
        s = 0.0
        row = a * n
        for b in range(n):
            s += payload[row + b] * x[b]
        f[a] = s


@njit(cache=True)
def _fitness_tensor(x, payload, shape, offsets, idx, pre, suf, f):
    """One population per player: the fitness of each action, contracting the payoff tensor.

    ``payload`` is the ``(N, prod(shape))`` payoff tensor flattened; ``idx``
    (int64, N), ``pre`` and ``suf`` (float64, N + 1) are workspaces. The profiles
    are walked in C order; each player's weight is the product of the other
    players' probabilities (prefix times suffix products).
    """
    n = x.shape[0]
    npl = shape.shape[0]
    total = 1
    for i in range(npl):
        total *= shape[i]
    for a in range(n):
        f[a] = 0.0
    for i in range(npl):
        idx[i] = 0
    for q in range(total):
        pre[0] = 1.0
        for j in range(npl):
            pre[j + 1] = pre[j] * x[offsets[j] + idx[j]]
        suf[npl] = 1.0
        for j in range(npl - 1, -1, -1):
            suf[j] = suf[j + 1] * x[offsets[j] + idx[j]]
        for i in range(npl):
            w = pre[i] * suf[i + 1]
            if w != 0.0:
                f[offsets[i] + idx[i]] += payload[i * total + q] * w
        # next profile in C order (last player fastest)
        j = npl - 1
        while j >= 0:
            idx[j] += 1
            if idx[j] < shape[j]:
                break
            idx[j] = 0
            j -= 1


@njit(cache=True, inline="always")
def _pop_field(x, f, out, row, o, k, dyn, eta, tie_tol):
    """The dynamic's field on one population's block ``[o, o + k)`` given the fitness ``f``, into ``out[row]``."""
    if dyn == _REPLICATOR:
        mean = 0.0
        for a in range(k):
            mean += x[o + a] * f[o + a]
        for a in range(k):
            out[row, o + a] = x[o + a] * (f[o + a] - mean)
    elif dyn == _BEST_RESPONSE:  # ties split evenly
        m = f[o]
        for a in range(1, k):
            if f[o + a] > m:
                m = f[o + a]
        cnt = 0
        for a in range(k):
            if f[o + a] >= m - tie_tol:
                cnt += 1
        share = 1.0 / cnt
        for a in range(k):
            br = share if f[o + a] >= m - tie_tol else 0.0
            out[row, o + a] = br - x[o + a]
    elif dyn == _LOGIT:
        m = f[o]
        for a in range(1, k):
            if f[o + a] > m:
                m = f[o + a]
        z = 0.0
        for a in range(k):
            e = np.exp((f[o + a] - m) / eta)
            out[row, o + a] = e
            z += e
        for a in range(k):
            out[row, o + a] = out[row, o + a] / z - x[o + a]
    elif dyn == _BNN:  # Brown-von Neumann-Nash
        mean = 0.0
        for a in range(k):
            mean += x[o + a] * f[o + a]
        ksum = 0.0
        for a in range(k):
            ka = f[o + a] - mean
            if ka < 0.0:
                ka = 0.0
            out[row, o + a] = ka
            ksum += ka
        for a in range(k):
            out[row, o + a] -= x[o + a] * ksum
    else:  # Smith
        for a in range(k):
            inflow = 0.0
            outflow = 0.0
            fa = f[o + a]
            for b in range(k):
                d = fa - f[o + b]
                if d > 0.0:
                    inflow += x[o + b] * d
                elif d < 0.0:
                    outflow -= d
            out[row, o + a] = inflow - x[o + a] * outflow


@njit(cache=True)
def _field(x, spec, work, out, row):
    """The vector field ``spec`` (a :class:`FieldSpec`) at ``x``, into ``out[row]``; ``work`` is a :class:`FieldWork`.

    ``mode`` 0: one population, fitness ``A x``; 1: one population per player.
    """
    dyn, eta, tie_tol, mode, payload, shape, offsets, sizes = spec
    idx, pre, suf, f = work
    if mode == _MODE_MATRIX:
        _matvec(x, payload, f)
        _pop_field(x, f, out, row, 0, x.shape[0], dyn, eta, tie_tol)
    else:
        _fitness_tensor(x, payload, shape, offsets, idx, pre, suf, f)
        for p in range(offsets.shape[0]):
            _pop_field(x, f, out, row, offsets[p], sizes[p], dyn, eta, tie_tol)


@njit(cache=True, inline="always")
def _project(x, offsets, sizes):
    """Clip negatives to zero and renormalise each population; True when something was clipped."""
    clipped = False
    for p in range(offsets.shape[0]):
        o = offsets[p]
        s = 0.0
        for a in range(sizes[p]):
            if x[o + a] < 0.0:
                x[o + a] = 0.0
                clipped = True
            s += x[o + a]
        if s > 0.0:
            for a in range(sizes[p]):
                x[o + a] /= s
    return clipped


@njit(cache=True, inline="always")
def _project_row(states, j, offsets, sizes):
    """:func:`_project` on row ``j`` of a 2-D array (no view is made)."""
    for p in range(offsets.shape[0]):
        o = offsets[p]
        s = 0.0
        for a in range(sizes[p]):
            if states[j, o + a] < 0.0:
                states[j, o + a] = 0.0
            s += states[j, o + a]
        if s > 0.0:
            inv = 1.0 / s
            for a in range(sizes[p]):
                states[j, o + a] *= inv


@njit(cache=True, inline="always")
def _first_trial_step(d0, d1, t_end):
    """Hairer, Norsett and Wanner (1993, II.4): a trial step from the norms of ``y`` and ``f(y)``."""
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    return min(h0, t_end)


@njit(cache=True, inline="always")
def _initial_step(h0, d1, d2):
    """The first step from the trial step ``h0`` and the norms of ``f`` and of its change over ``h0``."""
    dm = max(d1, d2)
    h1 = max(1e-6, h0 * 1e-3) if dm <= 1e-15 else (0.01 / dm) ** 0.2
    return min(100.0 * h0, h1)


@njit(cache=True, inline="always")
def _step_factor(e, last_rejected):
    """How much the next step grows or shrinks after an accepted step with error norm ``e``."""
    fac = 10.0 if e == 0.0 else min(10.0, max(0.2, 0.9 * e ** -0.2))
    return min(1.0, fac) if last_rejected else fac


@njit(cache=True, inline="always")
def _rejection_factor(e):
    """How much a rejected step with error norm ``e`` shrinks."""
    return max(0.2, 0.9 * e ** -0.2)


@njit(cache=True, inline="always")
def _rms_norm(v, scale):
    s = 0.0
    for i in range(v.shape[0]):
        r = v[i] / scale[i]
        s += r * r
    return np.sqrt(s / v.shape[0])


# The same tableau as scalars, for the replicator kernel below (Numba folds module-level floats into constants).
_A21 = 1.0 / 5.0
_A31, _A32 = 3.0 / 40.0, 9.0 / 40.0
_A41, _A42, _A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
_A51, _A52, _A53, _A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
_A61, _A62, _A63, _A64, _A65 = 9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0
_B1, _B3, _B4, _B5, _B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
_E1, _E3, _E4, _E5, _E6, _E7 = (71.0 / 57600.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0, 22.0 / 525.0,
                                -1.0 / 40.0)
# the th^4 coefficients of the continuous extension (the last column of _P), for Hairer's form of the same quartic:
# y(t + th h) = y + th (r2 + (1 - th) (r3 + th (r4 + (1 - th) r5))), r2 = y_new - y, r3 = h k1 - r2,
# r4 = r2 - h k7 - r3, r5 = h sum_k D_k k_k (Hairer et al. 1993, II.6, dense output of DOPRI5)
_D1, _D3, _D4 = -12715105075.0 / 11282082432.0, 87487479700.0 / 32700410799.0, -10690763975.0 / 1880347072.0
_D5, _D6, _D7 = 701980252875.0 / 199316789632.0, -1453857185.0 / 822651844.0, 69997945.0 / 29380423.0


@njit(cache=True, inline="always")
def _replicator_matrix(x, A, f, k):
    """The replicator field of one population, ``k = x * (A x - x.A x)``."""
    n = x.shape[0]
    mean = 0.0
    for a in range(n):
        s = 0.0
        for b in range(n):
            s += A[a, b] * x[b]
        f[a] = s
        mean += x[a] * s
    for a in range(n):
        k[a] = x[a] * (f[a] - mean)


@njit(cache=True, inline="always")
def _project_simplex(x):
    """One population: clip negatives to zero and renormalise; True when something was clipped."""
    clipped = False
    s = 0.0
    for a in range(x.shape[0]):
        if x[a] < 0.0:
            x[a] = 0.0
            clipped = True
        s += x[a]
    if s > 0.0:
        inv = 1.0 / s
        for a in range(x.shape[0]):
            x[a] *= inv
    return clipped


@njit(cache=True, inline="always")
def _project_row_one(states, j):
    """One population: clip row ``j`` of ``states`` at zero and renormalise it."""
    s = 0.0
    for a in range(states.shape[1]):
        if states[j, a] < 0.0:
            states[j, a] = 0.0
        s += states[j, a]
    if s > 0.0:
        inv = 1.0 / s
        for a in range(states.shape[1]):
            states[j, a] *= inv


@njit(cache=True, fastmath={'contract', 'arcp', 'nsz', 'reassoc'})
def _dopri_replicator(x0, t_out, payload, rtol, atol, max_steps, out):
    """:func:`_dopri` for the replicator dynamic of one population (fitness ``A x``), written out stage by stage.

    The same method, step control and continuous extension as the general
    kernel, with the tableau as constants and the first-same-as-last stage
    swapped in rather than copied. Compiled with the fast-math flags that
    allow reassociation and fused multiply-adds (not the ones that assume
    finite values, so the NaN and infinity checks stay): the results move
    by rounding only, and the short dot products of ``A x`` get vectorised.
    Returns ``(status, filled, accepted, rejected, evaluations)``.
    """
    n = x0.shape[0]
    m = t_out.shape[0]
    A = payload.reshape((n, n))
    work = np.empty((15, n))
    f = work[0]
    y = work[1]
    ynew = work[2]
    ytmp = work[3]
    k1 = work[4]
    k2 = work[5]
    k3 = work[6]
    k4 = work[7]
    k5 = work[8]
    k6 = work[9]
    k7 = work[10]
    r2 = work[11]
    r3 = work[12]
    r4 = work[13]
    r5 = work[14]
    for i in range(n):
        y[i] = x0[i]
    _project_simplex(y)
    accepted = 0
    rejected = 0
    nfev = 0
    j = 0
    t = 0.0
    while j < m and t_out[j] <= 0.0:
        for i in range(n):
            out[j, i] = y[i]
        j += 1
    if j == m:
        return _OK, j, accepted, rejected, nfev
    t_end = t_out[m - 1]
    _replicator_matrix(y, A, f, k1)
    nfev += 1
    # initial step (Hairer et al. 1993, II.4)
    d0 = 0.0
    d1 = 0.0
    for i in range(n):
        sc = atol + rtol * abs(y[i])
        d0 += (y[i] / sc) ** 2
        d1 += (k1[i] / sc) ** 2
    d0 = np.sqrt(d0 / n)
    d1 = np.sqrt(d1 / n)
    if not np.isfinite(d1):
        return _NOT_FINITE, j, accepted, rejected, nfev
    h0 = _first_trial_step(d0, d1, t_end)
    for i in range(n):
        ytmp[i] = y[i] + h0 * k1[i]
    _replicator_matrix(ytmp, A, f, k2)
    nfev += 1
    d2 = 0.0
    for i in range(n):
        sc = atol + rtol * abs(y[i])
        d2 += ((k2[i] - k1[i]) / sc) ** 2
    d2 = np.sqrt(d2 / n) / h0
    h = _initial_step(h0, d1, d2)
    last_rejected = False
    status = _OK
    while j < m:
        if accepted + rejected >= max_steps:
            status = _MAX_STEPS
            break
        final = False
        if t + h >= t_end:
            h = t_end - t
            final = True
        if h <= 1e-14 * max(1.0, abs(t)):
            status = _STEP_TOO_SMALL
            break
        for i in range(n):
            ytmp[i] = y[i] + h * (_A21 * k1[i])
        _replicator_matrix(ytmp, A, f, k2)
        for i in range(n):
            ytmp[i] = y[i] + h * (_A31 * k1[i] + _A32 * k2[i])
        _replicator_matrix(ytmp, A, f, k3)
        for i in range(n):
            ytmp[i] = y[i] + h * (_A41 * k1[i] + _A42 * k2[i] + _A43 * k3[i])
        _replicator_matrix(ytmp, A, f, k4)
        for i in range(n):
            ytmp[i] = y[i] + h * (_A51 * k1[i] + _A52 * k2[i] + _A53 * k3[i] + _A54 * k4[i])
        _replicator_matrix(ytmp, A, f, k5)
        for i in range(n):
            ytmp[i] = y[i] + h * (_A61 * k1[i] + _A62 * k2[i] + _A63 * k3[i] + _A64 * k4[i] + _A65 * k5[i])
        _replicator_matrix(ytmp, A, f, k6)
        for i in range(n):
            ynew[i] = y[i] + h * (_B1 * k1[i] + _B3 * k3[i] + _B4 * k4[i] + _B5 * k5[i] + _B6 * k6[i])
        _replicator_matrix(ynew, A, f, k7)
        nfev += 6
        e = 0.0
        total = 0.0
        for i in range(n):
            sc = atol + rtol * max(abs(y[i]), abs(ynew[i]))
            d = h * (_E1 * k1[i] + _E3 * k3[i] + _E4 * k4[i] + _E5 * k5[i] + _E6 * k6[i] + _E7 * k7[i]) / sc
            e += d * d
            total += ynew[i]
        e = np.sqrt(e / n)
        if not (np.isfinite(e) and np.isfinite(total)):
            status = _NOT_FINITE
            break
        if e <= 1.0:
            accepted += 1
            t_new = t_end if final else t + h
            if j < m and t_out[j] <= t_new:
                # the quartic's coefficients, and their sums: the sum of an interpolated state is then known
                # before it is written, so it is normalised in the same pass (clipping redoes the row)
                s1 = s2 = s3 = s4 = s5 = 0.0
                for i in range(n):
                    d = ynew[i] - y[i]
                    c3 = h * k1[i] - d
                    c4 = d - h * k7[i] - c3
                    c5 = h * (_D1 * k1[i] + _D3 * k3[i] + _D4 * k4[i] + _D5 * k5[i] + _D6 * k6[i] + _D7 * k7[i])
                    r2[i] = d
                    r3[i] = c3
                    r4[i] = c4
                    r5[i] = c5
                    s1 += y[i]
                    s2 += d
                    s3 += c3
                    s4 += c4
                    s5 += c5
                inv_h = 1.0 / h
                while j < m and t_out[j] <= t_new:
                    if t_out[j] >= t_new:
                        for i in range(n):
                            out[j, i] = ynew[i]
                        _project_row_one(out, j)
                    else:
                        th = (t_out[j] - t) * inv_h
                        th1 = 1.0 - th
                        s = s1 + th * (s2 + th1 * (s3 + th * (s4 + th1 * s5)))
                        inv = 1.0 / s if s > 0.0 else 1.0
                        negative = False
                        for i in range(n):
                            v = (y[i] + th * (r2[i] + th1 * (r3[i] + th * (r4[i] + th1 * r5[i])))) * inv
                            out[j, i] = v
                            negative |= v < 0.0
                        if negative:
                            _project_row_one(out, j)
                    j += 1
            t = t_new
            y, ynew = ynew, y
            if _project_simplex(y):
                _replicator_matrix(y, A, f, k1)
                nfev += 1
            else:
                k1, k7 = k7, k1
            h = h * _step_factor(e, last_rejected)
            last_rejected = False
        else:
            rejected += 1
            h = h * _rejection_factor(e)
            last_rejected = True
    return status, j, accepted, rejected, nfev


@njit(cache=True)
def _dopri(x0, t_out, spec, control, out):
    """Integrate the field ``spec`` (:class:`FieldSpec`) from ``x0`` at time 0 and write the state at each
    ``t_out[j]`` into ``out[j]``, under the :class:`StepControl` ``control``.

    ``t_out`` is non-decreasing and non-negative. Returns an :class:`Integration` ``(status, filled,
    accepted, rejected, evaluations)``: ``filled`` rows of ``out`` were written.
    Steps of length ``h_min`` or less are accepted whatever the error estimate
    (``h_min`` > 0 only for the discontinuous best-response field).
    The stages share one call site of the vector field, inlined for one
    population, which keeps compilation short.
    """
    dyn, eta, tie_tol, mode, payload, shape, offsets, sizes = spec
    rtol, atol, max_steps, h_min, dense_p = control
    if mode == _MODE_MATRIX and dyn == _REPLICATOR and h_min == 0.0:
        return Integration(*_dopri_replicator(x0, t_out, payload, rtol, atol, max_steps, out))
    n = x0.shape[0]
    m = t_out.shape[0]
    npl = shape.shape[0]
    f = np.empty(n)
    work = FieldWork(np.zeros(npl, dtype=np.int64), np.empty(npl + 1), np.empty(npl + 1), f)
    y = x0.copy()
    _project(y, offsets, sizes)
    stages = np.empty((7, n))
    ytmp = np.empty(n)
    ynew = np.empty(n)
    err = np.empty(n)
    scale = np.empty(n)
    poly = np.empty((4, n))
    accepted = 0
    rejected = 0
    nfev = 0
    j = 0
    t = 0.0
    while j < m and t_out[j] <= 0.0:
        out[j, :] = y
        j += 1
    if j == m:
        return Integration(_OK, j, accepted, rejected, nfev)
    t_end = t_out[m - 1]
    # the rows as int64, not literals: a literal argument would compile _field once per value
    _field(y, spec, work, stages, np.int64(0))
    nfev += 1
    # initial step (Hairer et al. 1993, II.4)
    for i in range(n):
        scale[i] = atol + rtol * abs(y[i])
    d0 = _rms_norm(y, scale)
    for i in range(n):
        err[i] = stages[0, i]
    d1 = _rms_norm(err, scale)
    if not np.isfinite(d1):
        return Integration(_NOT_FINITE, j, accepted, rejected, nfev)
    h0 = _first_trial_step(d0, d1, t_end)
    for i in range(n):
        ytmp[i] = y[i] + h0 * stages[0, i]
    _field(ytmp, spec, work, stages, np.int64(1))
    nfev += 1
    for i in range(n):
        err[i] = stages[1, i] - stages[0, i]
    d2 = _rms_norm(err, scale) / h0
    h = _initial_step(h0, d1, d2)
    last_rejected = False
    status = _OK
    while j < m:
        if accepted + rejected >= max_steps:
            status = _MAX_STEPS
            break
        final = False
        if t + h >= t_end:
            h = t_end - t
            final = True
        if h <= 1e-14 * max(1.0, abs(t)):
            status = _STEP_TOO_SMALL
            break
        for s in range(1, 7):
            for i in range(n):
                ytmp[i] = y[i]
            for r in range(s):
                c = h * _RK_A[s, r]
                if c != 0.0:
                    for i in range(n):
                        ytmp[i] += c * stages[r, i]
            if mode == _MODE_MATRIX:  # inlined: keeps Numba's per-call reference counting off the hot loop
                _matvec(ytmp, payload, f)
                if dyn == _REPLICATOR:  # the replicator on its own: the five-way branch costs a third of the time here
                    mean = 0.0
                    for a in range(n):
                        mean += ytmp[a] * f[a]
                    for a in range(n):
                        stages[s, a] = ytmp[a] * (f[a] - mean)
                else:
                    _pop_field(ytmp, f, stages, s, 0, n, dyn, eta, tie_tol)
            else:
                _field(ytmp, spec, work, stages, s)
        nfev += 6
        for i in range(n):
            ynew[i] = ytmp[i]  # stage 6 was evaluated at the 5th-order solution
            err[i] = 0.0
        for r in range(7):
            c = h * _RK_E[r]
            if c != 0.0:
                for i in range(n):
                    err[i] += c * stages[r, i]
        finite = True
        for i in range(n):
            scale[i] = atol + rtol * max(abs(y[i]), abs(ynew[i]))
            if not np.isfinite(ynew[i]) or not np.isfinite(err[i]):
                finite = False
        if not finite:
            status = _NOT_FINITE
            break
        e = _rms_norm(err, scale)
        if e <= 1.0 or h <= h_min:
            accepted += 1
            t_new = t_end if final else t + h
            # dense output at the requested times inside (t, t_new]: per component, a quartic in th
            if j < m and t_out[j] <= t_new:
                for c in range(4):
                    for i in range(n):
                        poly[c, i] = 0.0
                    for r in range(7):
                        w = dense_p[r, c]
                        if w != 0.0:
                            for i in range(n):
                                poly[c, i] += w * stages[r, i]
            while j < m and t_out[j] <= t_new:
                if t_out[j] >= t_new:
                    out[j, :] = ynew
                else:
                    th = (t_out[j] - t) / h
                    ht = h * th
                    for i in range(n):
                        out[j, i] = y[i] + ht * (poly[0, i] + th * (poly[1, i] + th * (poly[2, i]
                                                                                     + th * poly[3, i])))
                _project_row(out, j, offsets, sizes)
                j += 1
            t = t_new
            for i in range(n):
                y[i] = ynew[i]
            if _project(y, offsets, sizes):
                _field(y, spec, work, stages, np.int64(0))
                nfev += 1
            else:
                for i in range(n):
                    stages[0, i] = stages[6, i]
            h = max(h * _step_factor(e, last_rejected), h_min)
            last_rejected = False
        else:
            rejected += 1
            h = max(h * _rejection_factor(e), h_min)
            last_rejected = True
    return Integration(status, j, accepted, rejected, nfev)


@njit(cache=True, parallel=True)
def _dopri_batch(starts, t_out, spec, control, finals, status):
    """Integrate every row of ``starts`` to the times ``t_out`` (see :func:`_dopri`); the last state goes to
    ``finals``, the status code to ``status``."""
    m = t_out.shape[0]
    n = starts.shape[1]
    # the loop body gets the fields, not the tuples (Numba's parfor lowering does not take tuple variables)
    dyn, eta, tie_tol, mode, payload, shape, offsets, sizes = spec
    rtol, atol, max_steps, h_min, dense_p = control
    for r in prange(starts.shape[0]):
        out = np.empty((m, n))
        st, filled, _, _, _ = _dopri(starts[r], t_out, FieldSpec(dyn, eta, tie_tol, mode, payload, shape, offsets,
                                                                 sizes),
                                     StepControl(rtol, atol, max_steps, h_min, dense_p), out)
        status[r] = st
        if filled > 0:
            finals[r, :] = out[filled - 1]
        else:
            finals[r, :] = starts[r]


@njit(cache=True)
def _field_batch(points, spec, out):
    """The vector field ``spec`` (:class:`FieldSpec`) at each row of ``points``, into the rows of ``out``."""
    n = points.shape[1]
    npl = spec.shape.shape[0]
    work = FieldWork(np.zeros(npl, dtype=np.int64), np.empty(npl + 1), np.empty(npl + 1), np.empty(n))
    for r in range(points.shape[0]):
        _field(points[r], spec, work, out, r)


@njit(cache=True)
def _fitness_batch(points, mode, payload, shape, offsets, out):
    npl = shape.shape[0]
    idx = np.zeros(npl, dtype=np.int64)
    pre = np.empty(npl + 1)
    suf = np.empty(npl + 1)
    for r in range(points.shape[0]):
        if mode == _MODE_MATRIX:
            _matvec(points[r], payload, out[r])
        else:
            _fitness_tensor(points[r], payload, shape, offsets, idx, pre, suf, out[r])


@njit(cache=True)
def _times_problem(times):
    """0 if ``times`` are finite, >= 0 and non-decreasing; else 1 (not finite), 2 (negative) or 3 (decreasing)."""
    prev = 0.0
    for i in range(times.shape[0]):
        t = times[i]
        if not np.isfinite(t):
            return 1
        if t < 0.0:
            return 2
        if i > 0 and t < prev:
            return 3
        prev = t
    return 0


@njit(cache=True)
def _state_problem(x, offsets, sizes, tol):
    """``(code, population)``: 0 on the simplex; 1 not finite; 2 a negative entry; 3 a population's sum is off."""
    for i in range(x.shape[0]):
        if not np.isfinite(x[i]):
            return 1, -1
        if x[i] < 0.0:
            return 2, -1
    for p in range(offsets.shape[0]):
        s = 0.0
        for a in range(sizes[p]):
            s += x[offsets[p] + a]
        if abs(s - 1.0) > tol:
            return 3, p
    return 0, -1


@njit(cache=True)
def _spread(values):
    """``(all finite, max - min)`` of a flat array."""
    lo = np.inf
    hi = -np.inf
    for i in range(values.shape[0]):
        v = values[i]
        if not np.isfinite(v):
            return False, 0.0
        lo = min(lo, v)
        hi = max(hi, v)
    return True, hi - lo


# ============================================================================ model
@dataclass(frozen=True, eq=False)
class PopulationModel:
    """The arrays the kernels need for one game and one choice of populations.

    Attributes
    ----------
    one_population : bool
        True for the symmetric one-population model (fitness ``A x``).
    payload : numpy.ndarray
        The matrix (one population) or the payoff tensor, flattened.
    shape : numpy.ndarray
        int64 action counts of the players (the kernels' loop bounds).
    offsets, sizes : numpy.ndarray
        int64 start and length of each population's block of the state.
    names : tuple of str
        Population labels (``("population",)`` for one population, the player names otherwise).
    actions : tuple of tuple of str
        Action labels of each population.
    scale : float
        Payoff spread (max - min, or 1), used to scale tolerances.
    """

    one_population: bool
    payload: np.ndarray
    shape: np.ndarray
    offsets: np.ndarray
    sizes: np.ndarray
    names: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    scale: float

    @property
    def dimension(self) -> int:
        """Length of the flat state vector."""
        return int(self.offsets[-1] + self.sizes[-1])

    @property
    def mode(self) -> int:
        return _MODE_MATRIX if self.one_population else _MODE_TENSOR

    def split(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        """The flat state (or a stack of states, last axis) cut into one block per population."""
        return tuple(x[..., o:o + k] for o, k in zip(self.offsets.tolist(), self.sizes.tolist(), strict=True))


def _is_symmetric(payoffs: np.ndarray, scale: float) -> bool:
    return payoffs.shape[0] == 2 and payoffs.shape[1] == payoffs.shape[2] and bool(
        np.max(np.abs(payoffs[1] - payoffs[0].T)) <= 1e-12 * scale)


def population_model(game: NormalFormGame | np.ndarray, populations: PopulationsOrAuto = "auto",
                     state_length: int | None = None) -> PopulationModel:
    """Build the kernels' arrays for a game.

    Parameters
    ----------
    game : NormalFormGame or array_like
        A game, or a square payoff matrix ``A`` (``A[a, b]``: payoff of ``a``
        against ``b``) for one symmetric population.
    populations : {"auto", "one", "per_player"}
        ``"one"``: a single population playing a symmetric 2-player game
        against itself (the game must be symmetric: ``B = A^T``).
        ``"per_player"``: one population per player. ``"auto"``: a matrix is
        one population; a symmetric 2-player game is one population when
        ``state_length`` equals its number of actions and one per player
        otherwise; any other game is one population per player.
    state_length : int, optional
        The length of the starting state, used by ``"auto"`` only.

    Returns
    -------
    PopulationModel

    Examples
    --------
    >>> import numpy as np
    >>> population_model(np.array([[0.0, 1.0], [1.0, 0.0]])).sizes.tolist()
    [2]
    """
    if populations not in ("auto", *POPULATIONS):
        raise InputError(f"unknown populations {populations!r}; expected one of {', '.join(('auto', *POPULATIONS))}")
    if not isinstance(game, NormalFormGame):
        A = np.asarray(game, dtype=np.float64)
        if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] < 1:
            raise InputError(f"a one-population payoff matrix must be square, got shape {A.shape}")
        flat = np.array(A, dtype=np.float64, order="C").ravel()
        finite, spread = _spread(flat)
        if not finite:
            raise InputError("payoffs must be finite numbers (found NaN or infinity)")
        if populations == "per_player":
            raise InputError("a single payoff matrix describes one population; pass a NormalFormGame for "
                             "one population per player")
        k = A.shape[0]
        sizes = np.array([k], dtype=np.int64)
        return PopulationModel(True, flat, sizes, np.zeros(1, dtype=np.int64), sizes.copy(), ("population",),
                               _numbered_actions(k), spread if spread > 0.0 else 1.0)
    payoffs = game.payoffs
    scale = game.payoff_scale
    symmetric = _is_symmetric(payoffs, scale)
    if populations == "auto":
        populations = "one" if symmetric and state_length == game.num_actions[0] else "per_player"
    if populations == "one":
        if not symmetric:
            raise InputError("a one-population model needs a symmetric 2-player game (column payoffs equal to "
                             "the transposed row payoffs); use populations='per_player'", source=game.title or None)
        k = game.num_actions[0]
        return PopulationModel(True, np.ascontiguousarray(payoffs[0]).ravel().copy(),
                               np.array([k], dtype=np.int64), np.array([0], dtype=np.int64),
                               np.array([k], dtype=np.int64), ("population",), (game.actions[0],), scale)
    sizes = np.array(game.num_actions, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return PopulationModel(False, np.ascontiguousarray(payoffs).ravel().copy(), sizes.copy(), offsets, sizes,
                           tuple(game.players), tuple(game.actions), scale)


@lru_cache(maxsize=64)
def _numbered_actions(k: int) -> tuple[tuple[str, ...]]:
    """Action labels ``"1" .. "k"`` of a one-population matrix model."""
    return (tuple(str(a + 1) for a in range(k)),)


def dynamic_code(dynamic: Dynamic, eta: float | None) -> tuple[int, float]:
    """Validate a dynamic's name and noise; return the kernel code and the noise to pass (1.0 when unused)."""
    if dynamic not in DYNAMICS:
        raise InputError(f"unknown dynamic {dynamic!r}; expected one of {', '.join(DYNAMICS)}")
    if dynamic == "logit":
        if eta is None:
            raise InputError("the logit dynamic needs a noise level eta > 0")
        eta = float(eta)
        if not np.isfinite(eta) or eta <= 0.0:
            raise InputError(f"the logit noise eta must be a positive number, got {eta}")
        return DYNAMIC_CODES[dynamic], eta
    return DYNAMIC_CODES[dynamic], 1.0


def _flat_state(x: Any, what: str) -> np.ndarray:
    """A flat float64 vector from one vector or a list of per-population vectors."""
    try:
        if isinstance(x, (list, tuple)) and len(x) > 0 and all(np.ndim(part) == 1 for part in x):
            return np.concatenate([np.asarray(part, dtype=np.float64) for part in x])
        if np.ndim(x) != 1:
            raise InputError(f"{what} must be a flat list of probabilities (or one list per population)")
        return np.array(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        if isinstance(err, InputError):
            raise
        raise InputError(f"{what} must be a list of probabilities") from None


def check_state(model: PopulationModel, x: Any, what: str = "x0") -> np.ndarray:
    """A flat state on the simplex of ``model`` (raises :class:`InputError` otherwise)."""
    return _check_flat(model, _flat_state(x, what), what)


def _check_flat(model: PopulationModel, arr: np.ndarray, what: str) -> np.ndarray:
    """:func:`check_state` on the output of :func:`_flat_state`."""
    n = model.dimension
    if arr.shape[0] != n:
        blocks = " + ".join(str(k) for k in model.sizes.tolist())
        raise InputError(f"{what} has {arr.shape[0]} entries; expected {n} ({blocks} for populations "
                         f"{', '.join(model.names)})")
    code, p = _state_problem(arr, model.offsets, model.sizes, SIMPLEX_TOL)
    if code == 1:
        raise InputError(f"{what} must contain finite numbers")
    if code == 2:
        raise InputError(f"{what} has a negative entry ({arr.min():.3g}); probabilities must be >= 0")
    if code == 3:
        total = float(model.split(arr)[p].sum())
        raise InputError(f"{what} for population {model.names[p]!r} sums to {total:.12g}; expected 1 (within "
                         f"{SIMPLEX_TOL:g})")
    return arr


def check_times(t: Any) -> np.ndarray:
    """Output times: a number ``T`` (meaning ``linspace(0, T, 101)``) or a non-decreasing list of times >= 0."""
    if np.ndim(t) == 0:
        return np.linspace(0.0, nonnegative(t, "the end time"), 101)
    try:
        times = np.array(t, dtype=np.float64).ravel()  # a copy: the caller's array is never shared
    except (TypeError, ValueError):
        raise InputError("times must be a list of numbers") from None
    if times.size == 0:
        raise InputError("times must not be empty")
    code = _times_problem(times)
    if code == 1:
        raise InputError("times must be finite numbers")
    if code == 2:
        raise InputError(f"times must be >= 0 (integration starts at t = 0), got {times.min():g}")
    if code == 3:
        raise InputError("times must be in non-decreasing order")
    return times


def _check_tolerances(rtol: float, atol: float, max_steps: int) -> None:
    if not (math.isfinite(rtol) and rtol > 0.0) or not (math.isfinite(atol) and atol > 0.0):
        raise InputError(f"rtol and atol must be positive numbers, got rtol={rtol}, atol={atol}")
    if rtol < 1e-14:
        raise InputError(f"rtol={rtol:g} is below what float64 arithmetic can deliver; expected >= 1e-14")
    if int(max_steps) < 1:
        raise InputError(f"max_steps must be at least 1, got {max_steps}")


# ============================================================================ public API
@dataclass(frozen=True, eq=False)
class Trajectory:
    """States of the populations at the requested times.

    Attributes
    ----------
    times : numpy.ndarray
        Output times, shape ``(m,)`` (shorter than requested when ``success`` is False).
    states : numpy.ndarray
        Flat states, shape ``(m, n)``; :meth:`population` cuts out one population.
    model : PopulationModel
        Populations, their labels and blocks.
    dynamic : str
        The dynamic's name.
    parameters : dict
        ``eta`` (logit), ``rtol``, ``atol``, ``max_steps``.
    steps, rejected_steps, evaluations : int
        Accepted and rejected Runge-Kutta steps and vector-field evaluations.
    success : bool
        Whether the last requested time was reached.
    message : str
        How the integration ended.
    requested : float
        The last time asked for (``times[-1]`` when ``success``).
    """

    times: np.ndarray
    states: np.ndarray
    model: PopulationModel
    dynamic: Dynamic
    parameters: dict[str, Any] = field(default_factory=dict)
    steps: int = 0
    rejected_steps: int = 0
    evaluations: int = 0
    success: bool = True
    message: str = ""
    requested: float | None = None

    @property
    def complete(self) -> bool:
        """Whether the integration reached the last requested time (``success``)."""
        return bool(self.success)

    @property
    def reason(self) -> str | None:
        """Why the integration stopped early, in a sentence (``None`` when it did not)."""
        if self.success:
            return None
        reached = float(self.times[-1]) if len(self.times) else 0.0
        end = self.requested if self.requested is not None else reached
        cause = {
            _MESSAGES[_MAX_STEPS]: f"it reached its step limit of {int(self.parameters.get('max_steps', 0)):,} steps",
            _MESSAGES[_STEP_TOO_SMALL]: "its step size fell below the resolution of the time axis",
            _MESSAGES[_NOT_FINITE]: "the state became NaN or infinite",
        }.get(self.message, self.message)
        return (f"the integration stopped before t = {end:.6g} because {cause}; the last state computed is at "
                f"t = {reached:.6g}")

    def population(self, p: int | str) -> np.ndarray:
        """States of population ``p`` (index or name), shape ``(m, k_p)``."""
        i = self.model.names.index(p) if isinstance(p, str) else int(p)
        o, k = int(self.model.offsets[i]), int(self.model.sizes[i])
        return self.states[:, o:o + k]

    @property
    def final(self) -> tuple[np.ndarray, ...]:
        """The last state, one probability vector per population."""
        return self.model.split(self.states[-1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"dynamic", "parameters", "times", "states": {population: {action: [..]}}, ...}``."""
        return {
            "dynamic": self.dynamic,
            "parameters": dict(self.parameters),
            "populations": list(self.model.names),
            "actions": {name: list(acts) for name, acts in zip(self.model.names, self.model.actions, strict=True)},
            "times": [float(t) for t in self.times],
            "states": {
                name: {action: [float(v) for v in block[:, a]] for a, action in enumerate(acts)}
                for name, acts, block in zip(self.model.names, self.model.actions, self.model.split(self.states),
                                             strict=True)
            },
            "steps": int(self.steps),
            "rejected_steps": int(self.rejected_steps),
            "evaluations": int(self.evaluations),
            "success": bool(self.success),
            "message": self.message,
            "complete": self.complete,
            "reason": self.reason,
        }


def _min_step(dynamic: Dynamic, t_end: float) -> float:
    """Shortest step the error control may force: ``BR_MIN_STEP * max(1, t_end)`` for best response, else 0."""
    return BR_MIN_STEP * max(1.0, t_end) if dynamic == "best_response" else 0.0


def _field_spec(model: PopulationModel, dyn: int, eta: float) -> FieldSpec:
    """The kernels' :class:`FieldSpec` of dynamic ``dyn`` (a code) with logit noise ``eta`` on ``model``."""
    return FieldSpec(int(dyn), float(eta), TIE_TOL * model.scale, model.mode, model.payload, model.shape,
                     model.offsets, model.sizes)


def integrate(game: NormalFormGame | np.ndarray, x0: Any, t: Any = 100.0, dynamic: Dynamic = "replicator",
              eta: float | None = DEFAULT_LOGIT_ETA, rtol: float = 1e-8, atol: float = 1e-12, max_steps: int = 200_000,
              populations: PopulationsOrAuto = "auto") -> Trajectory:
    r"""Integrate an evolutionary dynamic from ``x0`` at time 0 and report the states at the given times.

    Parameters
    ----------
    game : NormalFormGame or array_like
        The game, or a square matrix for one symmetric population.
    x0 : array_like
        The starting state: one probability vector per population,
        concatenated (or given as a list of vectors).
    t : float or array_like
        Output times ``>= 0`` in non-decreasing order, or an end time ``T``
        (outputs at ``numpy.linspace(0, T, 101)``).
    dynamic : str
        ``"replicator"``, ``"best_response"``, ``"logit"``, ``"bnn"`` or ``"smith"`` (see the module docstring).
    eta : float
        Noise of the logit dynamic (> 0); ignored by the others.
    rtol, atol : float
        Relative and absolute local error tolerances of the Dormand-Prince 5(4) step control.
    max_steps : int
        Cap on accepted plus rejected steps.
    populations : {"auto", "one", "per_player"}
        See :func:`population_model`.

    Returns
    -------
    Trajectory
        States at the output times (obtained from the integrator's continuous
        extension, projected onto the simplex), and the step counts.

    Examples
    --------
    In the stag hunt, a population that starts with 80% stag hunters converges to all-stag:

    >>> import numpy as np
    >>> A = np.array([[4.0, 0.0], [3.0, 2.0]])
    >>> traj = integrate(A, [0.8, 0.2], [0.0, 50.0])
    >>> np.round(traj.final[0], 6).tolist()
    [1.0, 0.0]
    """
    dyn, eta_v = dynamic_code(dynamic, eta)
    _check_tolerances(rtol, atol, max_steps)
    flat = _flat_state(x0, "x0")
    model = population_model(game, populations, flat.shape[0])
    x = _check_flat(model, flat, "x0")
    times = check_times(t)
    check_integrations(1, float(times[-1]), dynamic, model.scale, model.shape.tolist(), model.one_population,
                       eta_v, int(max_steps))
    out = np.empty((times.shape[0], x.shape[0]))
    if model.one_population and dyn == _REPLICATOR:  # the replicator kernel alone: fewer arguments to pass to Numba
        status, filled, acc, rej, nfev = _dopri_replicator(x, times, model.payload, float(rtol), float(atol),
                                                           int(max_steps), out)
    else:
        control = StepControl(float(rtol), float(atol), int(max_steps), _min_step(dynamic, float(times[-1])), _P)
        status, filled, acc, rej, nfev = _dopri(x, times, _field_spec(model, dyn, eta_v), control, out)
    params: dict[str, Any] = {"rtol": float(rtol), "atol": float(atol), "max_steps": int(max_steps)}
    if dynamic == "logit":
        params["eta"] = eta_v
    times_out = times if filled == times.shape[0] else times[:filled].copy()
    states = out if filled == times.shape[0] else out[:filled].copy()
    times_out.setflags(write=False)
    states.setflags(write=False)
    return Trajectory(times_out, states, model, dynamic, params, int(acc), int(rej), int(nfev),
                      status == _OK and filled == times.shape[0], _MESSAGES[int(status)], float(times[-1]))


def vector_field(game: NormalFormGame | np.ndarray, x: Any, dynamic: Dynamic = "replicator",
                 eta: float | None = DEFAULT_LOGIT_ETA,
                 populations: PopulationsOrAuto = "auto") -> np.ndarray:
    r"""The dynamic's vector field at one state (flat, same layout as ``x``) or at each row of a 2-D array.

    Points need not lie exactly on the simplex (the formulas extend to all of
    :math:`\mathbb{R}^n`), which the Jacobians by finite differences use; rows
    are not validated beyond their length.

    Examples
    --------
    >>> import numpy as np
    >>> vector_field(np.array([[4.0, 0.0], [3.0, 2.0]]), [0.5, 0.5]).tolist()
    [-0.125, 0.125]
    """
    dyn, eta_v = dynamic_code(dynamic, eta)
    pts = np.array(x, dtype=np.float64)
    single = pts.ndim == 1
    pts = np.atleast_2d(pts)
    model = population_model(game, populations, pts.shape[-1])
    if pts.ndim != 2 or pts.shape[1] != model.dimension:
        raise InputError(f"states must have {model.dimension} entries, got shape {np.shape(x)}")
    if not np.all(np.isfinite(pts)):
        raise InputError("states must contain finite numbers")
    out = np.empty_like(pts)
    _field_batch(np.ascontiguousarray(pts), _field_spec(model, dyn, eta_v), out)
    return out[0] if single else out


def fitness(model: PopulationModel, x: np.ndarray) -> np.ndarray:
    """Fitness of every action of every population at the flat state(s) ``x`` (no validation)."""
    pts = np.atleast_2d(np.asarray(x, dtype=np.float64))
    out = np.empty_like(pts)
    _fitness_batch(np.ascontiguousarray(pts), model.mode, model.payload, model.shape, model.offsets, out)
    return out[0] if np.ndim(x) == 1 else out


def simplex_grid(sizes: Sequence[int], resolution: int, interior: bool = True) -> np.ndarray:
    """Points of a regular grid on a product of simplices, one flat state per row.

    Each population's block takes the values ``n / resolution`` with
    non-negative integers ``n`` summing to ``resolution`` (all positive when
    ``interior``: interior starting points, since faces are invariant under
    the replicator dynamic). Rows are in lexicographic order of the blocks.

    Examples
    --------
    >>> simplex_grid([3], 3).tolist()
    [[0.3333333333333333, 0.3333333333333333, 0.3333333333333333]]
    >>> simplex_grid([2], 2, interior=False).tolist()
    [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    """
    resolution = int(resolution)
    if resolution < 1:
        raise InputError(f"the grid resolution must be a positive integer, got {resolution}")
    blocks = []
    for k in sizes:
        k = int(k)
        low = 1 if interior else 0
        if interior and resolution < k:
            raise InputError(f"an interior grid on a simplex with {k} vertices needs resolution >= {k}, "
                             f"got {resolution}")
        rows = [c for c in _compositions(resolution, k, low)]
        blocks.append(np.array(rows, dtype=np.float64) / resolution)
    count = int(np.prod([len(b) for b in blocks]))
    if count > GRID_POINTS:
        raise InputError(f"a grid of {count:,} starting points is too large; the limit is {GRID_POINTS:,}; remedy: a "
                         "lower resolution")
    grids = np.meshgrid(*[np.arange(len(b)) for b in blocks], indexing="ij")
    picks = [g.ravel() for g in grids]
    return np.concatenate([b[p] for b, p in zip(blocks, picks, strict=True)], axis=1)


def _compositions(total: int, parts: int, low: int):
    if parts == 1:
        if total >= low:
            yield (total,)
        return
    for first in range(total - low * (parts - 1), low - 1, -1):
        for rest in _compositions(total - first, parts - 1, low):
            yield (first, *rest)


def integrate_many(model: PopulationModel, starts: np.ndarray, t_end: float, dynamic: Dynamic = "replicator",
                   eta: float | None = DEFAULT_LOGIT_ETA, rtol: float = 1e-8, atol: float = 1e-12,
                   max_steps: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """Final states at ``t_end`` from many validated starting rows, in parallel (Numba ``prange``).

    Returns the final states ``(r, n)`` and a bool array: whether each run reached ``t_end``.
    """
    dyn, eta_v = dynamic_code(dynamic, eta)
    _check_tolerances(rtol, atol, max_steps)
    starts = np.ascontiguousarray(starts, dtype=np.float64)
    finals = np.empty_like(starts)
    status = np.empty(starts.shape[0], dtype=np.int64)
    control = StepControl(float(rtol), float(atol), int(max_steps), _min_step(dynamic, float(t_end)), _P)
    _dopri_batch(starts, np.array([0.0, float(t_end)]), _field_spec(model, dyn, eta_v), control, finals, status)
    return finals, status == _OK
