r"""Fixation probabilities and the small-mutation limit of many 2-strategy population games at once.

A sweep over an evolutionary scenario (two strategies, pairwise encounters in
a finite population of size :math:`Z`) asks at every parameter point how
likely a single mutant of each strategy is to take over, and where the
population spends its time when mutations are rare. :func:`batched_fixation_2x2`
takes the payoff matrices of all points, ``(P, 2, 2)`` (``matrices[p, s, t]``
is an ``s``-player's payoff against a ``t``-player), and computes in one
compiled call what :func:`coop.solvers.evolution.fixation.small_mutation_limit`
computes for ``PopulationGame.from_matrix(matrices[p])``, with the same
arithmetic in the same order, so the answers agree to rounding.

With :math:`k` A-players among :math:`Z`, an A-player meets an A co-player
with probability :math:`(k-1)/(Z-1)` and a B-player meets one with
:math:`k/(Z-1)` (the hypergeometric weights are computed once, from
log-factorials, as the single function does). The fixation probability of one
A mutant in a B population is (Nowak 2006, eq. 6.13)

.. math:: \rho_{A \leftarrow B} = \Big[\sum_{i=0}^{Z-1} \prod_{k=1}^{i} \frac{T^-(k)}{T^+(k)}\Big]^{-1},
          \qquad \log \frac{T^-(k)}{T^+(k)} = -\beta\,(f_A(k) - f_B(k)) \ \text{(Fermi, exponential Moran)},

(:math:`\log \varphi_B / \varphi_A` with :math:`\varphi = 1 - \beta + \beta f` for the linear Moran rule),
summed in log space. With two strategies the embedded chain of the
small-mutation limit jumps between the two monomorphic states with
probabilities :math:`\rho_{B \leftarrow A}` and :math:`\rho_{A \leftarrow B}`; its
stationary distribution is :math:`\pi_A \propto \rho_{A \leftarrow B}`,
:math:`\pi_B \propto \rho_{B \leftarrow A}`, computed from the logarithms
(Grassmann-Taksar-Heyman elimination on two states).

References
----------
Nowak, M. A. (2006). *Evolutionary Dynamics*. Harvard University Press, ch. 6.
Fudenberg, D. and Imhof, L. A. (2006). Imitation processes with small mutations. *Journal of Economic
Theory* 131, 251-262.
"""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.validation import int_at_least, nonnegative
from coop.solvers.evolution.finite_population import _hypergeometric_tables
from coop.solvers.evolution.names import DEFAULT_UPDATE_RULE, UPDATE_RULE_CODES, UPDATE_RULES, UpdateRule
from coop.solvers.shared.jit import njit

_MORAN = UPDATE_RULE_CODES["moran"]
#: Options of the kernel: population size, update rule code, selection intensity.
FixationOptions = namedtuple("FixationOptions", ["pop_size", "rule", "beta"])
#: The outputs the kernel fills: ``log_fixation`` ``(P, 2, 2)`` (``[r, a]``: one ``a`` mutant among ``r``
#: residents; diagonal 0) and ``stationary`` ``(P, 2)``.
FixationOut = namedtuple("FixationOut", ["log_fixation", "stationary"])


# ============================================================================ kernels
@njit(cache=True)
def _log_rho(m, a, r, ha, hb, opts):
    """``log rho`` of one ``a`` mutant taking over a population of ``r`` under the 2x2 payoff matrix ``m``."""
    pop_size, rule, beta = opts
    top = 0.0
    acc = 0.0
    for k in range(1, pop_size):
        fa = ha[k, 0] * m[a, r] + ha[k, 1] * m[a, a]
        fb = hb[k, 0] * m[r, r] + hb[k, 1] * m[r, a]
        if rule == _MORAN:
            acc += math.log(1.0 - beta + beta * fb) - math.log(1.0 - beta + beta * fa)
        else:
            acc += -beta * (fa - fb)
        if acc > top:
            top = acc
    total = math.exp(-top)  # the i = 0 term
    acc = 0.0
    for k in range(1, pop_size):
        fa = ha[k, 0] * m[a, r] + ha[k, 1] * m[a, a]
        fb = hb[k, 0] * m[r, r] + hb[k, 1] * m[r, a]
        if rule == _MORAN:
            acc += math.log(1.0 - beta + beta * fb) - math.log(1.0 - beta + beta * fa)
        else:
            acc += -beta * (fa - fb)
        total += math.exp(acc - top)
    return -(top + math.log(total))


@njit(cache=True)
def _fixation_2x2_kernel(matrices, opts, out):
    """Fixation logarithms and small-mutation stationary distributions of every 2x2 matrix ``matrices[p]``."""
    ha, hb = _hypergeometric_tables(opts.pop_size, 1)  # one co-player: pairwise games
    for p in range(matrices.shape[0]):
        m = matrices[p]
        lf = out.log_fixation[p]
        lf[0, 0] = 0.0
        lf[1, 1] = 0.0
        lf[0, 1] = _log_rho(m, 1, 0, ha, hb, opts)
        lf[1, 0] = _log_rho(m, 0, 1, ha, hb, opts)
        # the single solver's log-space GTH elimination on two states (transitions rho / (m - 1) = rho)
        lp01 = lf[0, 1] - lf[1, 0]
        log_pi1 = 0.0 + lp01 + math.log(math.exp(0.0 + lp01 - (0.0 + lp01)))
        top = max(0.0, log_pi1)
        total = math.exp(0.0 - top) + math.exp(log_pi1 - top)
        out.stationary[p, 0] = math.exp(0.0 - top) / total
        out.stationary[p, 1] = math.exp(log_pi1 - top) / total


# ============================================================================ results and wrapper
@dataclass(frozen=True, eq=False)
class BatchedFixation:
    r"""Fixation probabilities and the small-mutation limit at every point of a batch of 2-strategy games.

    Attributes
    ----------
    fixation : numpy.ndarray
        ``(P, 2, 2)``: ``fixation[p, r, a]`` is the probability that one ``a`` mutant takes over a population of
        ``r`` (EGTtools' orientation, as :class:`~coop.solvers.evolution.fixation.FixationResult`); diagonal 0.
    log_fixation : numpy.ndarray
        ``(P, 2, 2)``: natural logarithms of ``fixation`` (finite where it underflows); diagonal 0.
    stationary : numpy.ndarray
        ``(P, 2)``: the long-run share of time spent monomorphic in each strategy when mutations are rare.
    transitions : numpy.ndarray
        ``(P, 2, 2)``: the embedded chain, row-stochastic.
    population_size : int
    beta : float
    rule : str
    """

    fixation: np.ndarray
    log_fixation: np.ndarray
    stationary: np.ndarray
    transitions: np.ndarray
    population_size: int
    beta: float
    rule: UpdateRule

    @property
    def num_points(self) -> int:
        return int(self.stationary.shape[0])

    @property
    def neutral(self) -> float:
        """``1 / Z``, the fixation probability of a neutral mutant."""
        return 1.0 / self.population_size

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "small_mutation_limit",
            "population_size": self.population_size,
            "beta": self.beta,
            "rule": self.rule,
            "neutral": self.neutral,
            "fixation": self.fixation.tolist(),
            "stationary": self.stationary.tolist(),
        }


def batched_fixation_2x2(matrices: Any, population_size: int, beta: float,
                         rule: UpdateRule = DEFAULT_UPDATE_RULE) -> BatchedFixation:
    """Fixation probabilities and the small-mutation stationary distribution of many 2x2 population games.

    Parameters
    ----------
    matrices : array-like
        ``(P, 2, 2)``: ``matrices[p, s, t]`` is an ``s``-player's payoff against a ``t``-player at point ``p``
        (pairwise encounters, as :meth:`coop.games.population.PopulationGame.from_matrix`).
    population_size : int
        :math:`Z \\ge 2`.
    beta : float
        Intensity of selection, ``>= 0`` (``<= 1`` for ``rule="moran"``).
    rule : str
        ``"fermi"`` (default), ``"moran"`` or ``"moran_exp"``.

    Returns
    -------
    BatchedFixation
        Point by point what :func:`coop.solvers.evolution.fixation.small_mutation_limit` returns
        (``fixation``, ``log_fixation``, ``transitions``, ``stationary``), to rounding.

    Raises
    ------
    InputError
        For a bad shape, non-finite payoffs, ``Z < 2``, a negative ``beta``, an unknown rule, or a point where
        the linear Moran fitness is not positive or ``exp(beta * payoff)`` overflows (the point is named).

    Examples
    --------
    In the prisoner's dilemma defectors take over far more easily than cooperators:

    >>> import numpy as np
    >>> pd = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> res = batched_fixation_2x2(np.stack([pd, pd.T]), 50, beta=0.5)
    >>> bool(res.fixation[0, 0, 1] > res.neutral > res.fixation[0, 1, 0]), bool(res.stationary[0, 1] > 0.99)
    (True, True)
    """
    try:
        arr = np.ascontiguousarray(np.asarray(matrices, dtype=np.float64))
    except (TypeError, ValueError):
        raise InputError("batched_fixation_2x2: matrices must be an array of numbers") from None
    if arr.ndim != 3 or arr.shape[1:] != (2, 2) or arr.shape[0] < 1:
        raise InputError(f"batched_fixation_2x2: matrices must have shape (P, 2, 2), got {arr.shape}")
    finite = np.isfinite(arr).all(axis=(1, 2))
    if not finite.all():
        raise InputError(f"batched_fixation_2x2: payoffs must be finite numbers (point {int(np.argmin(finite))} "
                         "is not)")
    z = int_at_least(population_size, 2, "population size Z")
    b = nonnegative(beta, "selection intensity beta")
    if rule not in UPDATE_RULES:
        raise InputError(f"unknown update rule {rule!r}; expected one of {list(UPDATE_RULES)}")
    if rule == "moran":
        if b > 1.0:
            raise InputError(f"the linear Moran fitness 1 - beta + beta * payoff needs beta in [0, 1], got {b:g}; "
                             "use rule='moran_exp' for stronger selection")
        low = 1.0 - b + b * arr.min(axis=(1, 2))
        if np.any(low <= 0.0):
            p = int(np.argmin(low))
            raise InputError(f"the linear Moran fitness 1 - beta + beta * payoff must be positive, but at point {p} "
                             f"the smallest payoff {float(arr[p].min()):g} gives {float(low[p]):g} at beta {b:g}")
    if rule == "moran_exp":
        big = b * np.abs(arr).max(axis=(1, 2))
        if np.any(big > 700.0):
            p = int(np.argmax(big))
            raise InputError(f"beta * |payoff| reaches {float(big[p]):g} at point {p}, beyond what exp() can "
                             "represent; rescale the payoffs or lower beta")
    P = arr.shape[0]
    out = FixationOut(np.empty((P, 2, 2)), np.empty((P, 2)))
    _fixation_2x2_kernel(arr, FixationOptions(z, UPDATE_RULE_CODES[rule], b), out)
    fix = np.exp(out.log_fixation)
    fix[:, 0, 0] = 0.0
    fix[:, 1, 1] = 0.0
    trans = fix.copy()  # rho / (m - 1) with m = 2
    trans[:, 0, 0] = 1.0 - trans[:, 0, 1]
    trans[:, 1, 1] = 1.0 - trans[:, 1, 0]
    for a in (fix, out.log_fixation, out.stationary, trans):
        a.setflags(write=False)
    return BatchedFixation(fix, out.log_fixation, out.stationary, trans, z, b, rule)
