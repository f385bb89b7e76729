r"""Fixation probabilities in finite populations and the small-mutation limit.

Without mutation, a population of :math:`k` A-players and :math:`Z - k`
B-players moves by :math:`\pm 1` with probabilities :math:`T^\pm(k)` (see
:mod:`coop.solvers.evolution.finite_population` for the rules). The probability that a
single A mutant takes over a B population is (Karlin and Taylor 1975; Nowak
2006, eq. 6.13)

.. math:: \rho_{A \leftarrow B} = \Big[\sum_{i=0}^{Z-1} \prod_{k=1}^{i} \frac{T^-(k)}{T^+(k)}\Big]^{-1},

where the prefactors of :math:`T^\pm` cancel: :math:`T^-/T^+ = e^{-\beta (f_A - f_B)}`
under the Fermi and exponential-Moran rules and :math:`\varphi_B / \varphi_A`
under the linear Moran rule. The products are summed in log space
(log-sum-exp of the partial sums), so :math:`\rho` stays accurate down to
:math:`10^{-300}` and beyond (its logarithm is returned too).

When mutations are rare (:math:`\mu \to 0`) the population is almost always
monomorphic and moves between monomorphic states through single invasions
(Fudenberg and Imhof 2006; Imhof, Fudenberg and Nowak 2005). The embedded chain
goes from all-:math:`i` to all-:math:`j` with probability
:math:`\rho_{j \leftarrow i} / (m-1)`; its stationary distribution is found by
the Grassmann-Taksar-Heyman elimination (no subtractions, so no cancellation),
carried out on logarithms so that no transition underflows.

References
----------
Nowak, M. A. (2006). *Evolutionary Dynamics*. Harvard University Press, ch. 6.
Traulsen, A., Nowak, M. A. and Pacheco, J. M. (2006). Stochastic dynamics of invasion and fixation.
*Physical Review E* 74, 011909.
Fudenberg, D. and Imhof, L. A. (2006). Imitation processes with small mutations. *Journal of Economic
Theory* 131, 251-262.
Grassmann, W. K., Taksar, M. I. and Heyman, D. P. (1985). Regenerative analysis and steady state
distributions for Markov chains. *Operations Research* 33, 1107-1116.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.population import PopulationGame
from coop.solvers.evolution.finite_population import (
    _FERMI,
    _check_process,
    _edge_fitness,
    _hypergeometric_tables,
    _log_fixation,
    _log_ratio_terms,
    _rule_fitness,
    _sigmoid,
)
from coop.solvers.evolution.names import DEFAULT_UPDATE_RULE, UpdateRule
from coop.solvers.evolution.sizes import check_population
from coop.solvers.shared.jit import njit


# ============================================================================ kernels
@njit(cache=True)
def _log_fixation_matrix_kernel(payoffs, edge, pop_size, n_co, rule, beta):
    """``out[r, a] = log rho`` of one ``a`` mutant in a population of ``r`` (``-inf``... never: diagonal 0)."""
    m = payoffs.shape[0]
    ha, hb = _hypergeometric_tables(pop_size, n_co)
    fa = np.zeros(pop_size + 1)
    fb = np.zeros(pop_size + 1)
    lr = np.zeros(pop_size + 1)
    out = np.zeros((m, m))
    for a in range(m):
        for r in range(m):
            if a == r:
                continue
            _edge_fitness(payoffs, edge, a, r, ha, hb, fa, fb)
            _log_ratio_terms(fa, fb, pop_size, rule, beta, lr)
            out[r, a] = _log_fixation(lr, pop_size)
    return out


@njit(cache=True)
def _log_gth_kernel(logp):
    """Stationary distribution of the chain with transition logs ``logp`` (off-diagonal entries used only).

    Grassmann-Taksar-Heyman state reduction with every quantity kept as a logarithm: each step only adds,
    multiplies and divides positive numbers, so the answer is accurate to rounding whatever the spread of the
    transition probabilities.
    """
    n = logp.shape[0]
    lp = logp.copy()
    for k in range(n - 1, 0, -1):
        # S = sum_{j < k} p[k, j]
        top = -np.inf
        for j in range(k):
            top = max(top, lp[k, j])
        acc = 0.0
        for j in range(k):
            acc += math.exp(lp[k, j] - top)
        log_s = top + math.log(acc)
        for i in range(k):
            lp[i, k] -= log_s
        for i in range(k):
            for j in range(k):
                if i == j:
                    continue
                a = lp[i, j]
                b = lp[i, k] + lp[k, j]
                hi = max(a, b)
                if hi > -np.inf:
                    lp[i, j] = hi + math.log(math.exp(a - hi) + math.exp(b - hi))
    logpi = np.zeros(n)
    for j in range(1, n):
        top = -np.inf
        for i in range(j):
            top = max(top, logpi[i] + lp[i, j])
        acc = 0.0
        for i in range(j):
            acc += math.exp(logpi[i] + lp[i, j] - top)
        logpi[j] = top + math.log(acc)
    top = logpi.max()
    total = 0.0
    for j in range(n):
        total += math.exp(logpi[j] - top)
    pi = np.empty(n)
    for j in range(n):
        pi[j] = math.exp(logpi[j] - top) / total
    return pi


@njit(cache=True)
def _birth_death_kernel(payoffs, edge, pop_size, n_co, rule, beta, a, b):
    """``(f_A, f_B, T+, T-)`` for ``k = 0..Z`` on the A/B edge (entries at ``k = 0, Z`` are zero)."""
    ha, hb = _hypergeometric_tables(pop_size, n_co)
    fa = np.zeros(pop_size + 1)
    fb = np.zeros(pop_size + 1)
    _edge_fitness(payoffs, edge, a, b, ha, hb, fa, fb)
    tp = np.zeros(pop_size + 1)
    tm = np.zeros(pop_size + 1)
    z = float(pop_size)
    for k in range(1, pop_size):
        if rule == _FERMI:
            pair = k * (z - k) / (z * (z - 1.0))
            tp[k] = pair * _sigmoid(beta * (fa[k] - fb[k]))
            tm[k] = pair * _sigmoid(beta * (fb[k] - fa[k]))
        else:
            pa = k * _rule_fitness(fa[k], rule, beta)
            pb = (z - k) * _rule_fitness(fb[k], rule, beta)
            tp[k] = pa / (pa + pb) * (z - k) / z
            tm[k] = pb / (pa + pb) * k / z
    return fa, fb, tp, tm


# ============================================================================ results
@dataclass(frozen=True, eq=False)
class FixationResult:
    r"""Fixation probabilities of a single mutant for every ordered pair of strategies.

    Attributes
    ----------
    strategies : tuple of str
        Strategy labels.
    population_size, group_size : int
        :math:`Z` and :math:`N`.
    beta : float
        Intensity of selection.
    rule : str
        ``"fermi"``, ``"moran"`` or ``"moran_exp"``.
    fixation : numpy.ndarray
        ``(m, m)``: ``fixation[r, a]`` is the probability that one ``a`` mutant
        takes over a population of ``r`` (EGTtools' orientation); the diagonal is 0.
    log_fixation : numpy.ndarray
        Natural logarithms of ``fixation`` (finite even where ``fixation`` underflows); diagonal 0.
    """

    strategies: tuple[str, ...]
    population_size: int
    group_size: int
    beta: float
    rule: UpdateRule
    fixation: np.ndarray
    log_fixation: np.ndarray

    @property
    def neutral(self) -> float:
        """``1 / Z``, the fixation probability of a neutral mutant."""
        return 1.0 / self.population_size

    def to_dict(self, labels: Sequence[str] | None = None) -> dict[str, Any]:
        names = _names(labels, self.strategies)
        m = len(names)
        return {
            "strategies": names, "population_size": self.population_size, "group_size": self.group_size,
            "beta": self.beta, "rule": self.rule, "neutral": self.neutral,
            "fixation": {names[r]: {names[a]: float(self.fixation[r, a]) for a in range(m) if a != r}
                         for r in range(m)},
        }


@dataclass(frozen=True, eq=False)
class SmallMutationResult:
    r"""The small-mutation limit: the embedded chain over monomorphic states and its stationary distribution.

    Attributes
    ----------
    fixation : FixationResult
        The fixation probabilities the chain is built from.
    transitions : numpy.ndarray
        ``(m, m)`` row-stochastic: ``transitions[i, j] = fixation[i, j] / (m - 1)`` for ``j != i``.
        (EGTtools' ``StochDynamics`` returns the transpose, ``PairwiseComparison`` this matrix.)
    stationary : numpy.ndarray
        ``(m,)``: the long-run share of time the population spends monomorphic in each strategy.
    residual : float
        ``max |pi T - pi|``, a check of the solve.
    """

    fixation: FixationResult
    transitions: np.ndarray
    stationary: np.ndarray
    residual: float

    @property
    def strategies(self) -> tuple[str, ...]:
        return self.fixation.strategies

    @property
    def dominant(self) -> str:
        """The strategy with the largest stationary share (the first one on ties)."""
        return self.strategies[int(np.argmax(self.stationary))]

    def to_dict(self, labels: Sequence[str] | None = None) -> dict[str, Any]:
        names = _names(labels, self.strategies)
        out = self.fixation.to_dict(names)
        out.update({
            "method": "small_mutation_limit",
            "transitions": {names[i]: {names[j]: float(self.transitions[i, j]) for j in range(len(names))}
                            for i in range(len(names))},
            "stationary": dict(zip(names, (float(v) for v in self.stationary), strict=True)),
            "dominant": names[int(np.argmax(self.stationary))],
            "residual": self.residual,
        })
        return out


@dataclass(frozen=True, eq=False)
class BirthDeath:
    """Fitnesses and one-step probabilities on the edge between two strategies (no mutation).

    Arrays are indexed by ``k = 0..Z``, the number of ``invader``s; ``gradient = t_plus - t_minus`` is the
    gradient of selection (Traulsen et al. 2006); entries at ``k = 0`` and ``k = Z`` are zero.
    """

    invader: str
    resident: str
    population_size: int
    beta: float
    rule: UpdateRule
    fitness_invader: np.ndarray
    fitness_resident: np.ndarray
    t_plus: np.ndarray
    t_minus: np.ndarray

    @property
    def gradient(self) -> np.ndarray:
        return self.t_plus - self.t_minus

    def to_dict(self) -> dict[str, Any]:
        return {"invader": self.invader, "resident": self.resident, "population_size": self.population_size,
                "beta": self.beta, "rule": self.rule, "k": list(range(self.population_size + 1)),
                "t_plus": self.t_plus.tolist(), "t_minus": self.t_minus.tolist(),
                "gradient": self.gradient.tolist()}


# ============================================================================ public functions
def fixation_probabilities(game: PopulationGame, population_size: int, beta: float,
                           rule: UpdateRule = DEFAULT_UPDATE_RULE) -> FixationResult:
    """Exact fixation probability of one mutant of each strategy in a population of each other strategy.

    Parameters
    ----------
    game : PopulationGame
        Pairwise or group game.
    population_size : int
        :math:`Z \\ge 2`, at least the group size.
    beta : float
        Intensity of selection, ``>= 0`` (``<= 1`` for ``rule="moran"``).
    rule : str
        ``"fermi"`` (pairwise comparison, default), ``"moran"`` (linear fitness) or ``"moran_exp"``.

    Returns
    -------
    FixationResult

    Examples
    --------
    A neutral mutant fixes with probability 1/Z; in the prisoner's dilemma defectors invade easily:

    >>> from coop.games.population import PopulationGame
    >>> g = PopulationGame.from_matrix([[3.0, 0.0], [5.0, 1.0]], strategies=("C", "D"))
    >>> round(float(fixation_probabilities(g, 10, beta=0.0).fixation[0, 1]), 12)
    0.1
    >>> res = fixation_probabilities(g, 10, beta=1.0)
    >>> bool(res.fixation[0, 1] > 0.1 > res.fixation[1, 0])
    True
    """
    z, b, code = _check_process(game, population_size, beta, rule)
    if game.num_strategies < 2:
        raise InputError("fixation needs at least 2 strategies")
    check_population(z, game.num_strategies, game.group_size)
    logf = _log_fixation_matrix_kernel(game.payoffs, game.edge_table(), z, game.group_size - 1, code, b)
    fix = np.exp(logf)
    np.fill_diagonal(fix, 0.0)
    for arr in (fix, logf):
        arr.setflags(write=False)
    return FixationResult(game.strategies, z, game.group_size, b, rule, fix, logf)


def small_mutation_limit(game: PopulationGame, population_size: int, beta: float,
                         rule: UpdateRule = DEFAULT_UPDATE_RULE) -> SmallMutationResult:
    """Stationary distribution over the monomorphic states when mutations are rare.

    Examples
    --------
    In the prisoner's dilemma the population spends most of its time all-defect:

    >>> from coop.games.population import PopulationGame
    >>> g = PopulationGame.from_matrix([[3.0, 0.0], [5.0, 1.0]], strategies=("C", "D"))
    >>> res = small_mutation_limit(g, 50, beta=0.5)
    >>> res.dominant, bool(res.stationary[1] > 0.99)
    ('D', True)
    """
    fix = fixation_probabilities(game, population_size, beta, rule)
    m = game.num_strategies
    logt = fix.log_fixation - math.log(m - 1)
    np.fill_diagonal(logt, -np.inf)
    pi = _log_gth_kernel(np.ascontiguousarray(logt))
    trans = fix.fixation / (m - 1)
    np.fill_diagonal(trans, 0.0)
    np.fill_diagonal(trans, 1.0 - trans.sum(axis=1))
    residual = float(np.max(np.abs(pi @ trans - pi)))
    for arr in (trans, pi):
        arr.setflags(write=False)
    return SmallMutationResult(fix, trans, pi, residual)


def birth_death(game: PopulationGame, population_size: int, beta: float, invader: int | str,
                resident: int | str, rule: UpdateRule = DEFAULT_UPDATE_RULE) -> BirthDeath:
    """Fitnesses, ``T+(k)``, ``T-(k)`` and the gradient of selection on the edge between two strategies.

    Examples
    --------
    >>> from coop.games.population import PopulationGame
    >>> g = PopulationGame.from_matrix([[3.0, 0.0], [5.0, 1.0]], strategies=("C", "D"))
    >>> bd = birth_death(g, 10, beta=1.0, invader="D", resident="C")
    >>> bool(np.all(bd.gradient[1:-1] > 0))  # defectors always gain ground
    True
    """
    z, b, code = _check_process(game, population_size, beta, rule)
    a, r = game.strategy_index(invader), game.strategy_index(resident)
    if a == r:
        raise InputError("invader and resident must be different strategies")
    check_population(z, game.num_strategies, game.group_size)
    fa, fb, tp, tm = _birth_death_kernel(game.payoffs, game.edge_table(), z, game.group_size - 1, code, b, a, r)
    for arr in (fa, fb, tp, tm):
        arr.setflags(write=False)
    return BirthDeath(game.strategies[a], game.strategies[r], z, b, rule, fa, fb, tp, tm)


def _names(labels: Sequence[str] | None, default: tuple[str, ...]) -> list[str]:
    if labels is None:
        return list(default)
    names = [str(s) for s in labels]
    if len(names) != len(default):
        raise InputError(f"expected {len(default)} labels, got {len(names)}")
    return names
