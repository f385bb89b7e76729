r"""The full Markov chain of a finite population with mutation, and its stationary distribution.

With a mutation rate :math:`\mu > 0` the process on all
:math:`\binom{Z+m-1}{m-1}` population states (5151 for :math:`m = 3`,
:math:`Z = 100`) is irreducible and has a unique stationary distribution
:math:`\pi`, :math:`\pi P = \pi`. One step changes one individual, so each
state has at most :math:`m(m-1)` neighbours and :math:`P` is sparse; the
Numba kernel writes its nonzeros directly (transition probabilities in
:mod:`coop.solvers.evolution.finite_population`).

:math:`\pi` is found by one sparse LU solve: fixing :math:`\pi_k = 1` for a
reference state :math:`k` (the monomorphic state the small-mutation limit
favours, where :math:`\pi` is largest, so no other entry overflows), the other
entries solve the nonsingular system
:math:`(I - P)_{-k,-k}^{\top}\,\pi_{-k} = P_{k,-k}^{\top}`; then
:math:`\pi` is normalised. The residual :math:`\max|\pi P - \pi|` is reported.

EGTtools computes the same :math:`\pi` from a dense eigen-decomposition of
``PairwiseComparison.calculate_transition_matrix`` (the tests compare the two).

The LU solve is one call into SuperLU that cannot be cut into pieces; it can take
minutes for four strategies and a hundred individuals (the fill-in of a
three-dimensional grid). Past :data:`PROCESS_STATES` states it runs in a child
process (:func:`coop.solvers.shared.progress.call_in_process`), so that a progress
line, Ctrl-C and a time limit still act within a fraction of a second.

References
----------
Stewart, W. J. (1994). *Introduction to the Numerical Solution of Markov Chains*. Princeton University
Press, ch. 2.
Vasconcelos, V. V., Santos, F. P., Santos, F. C. and Pacheco, J. M. (2017). Stochastic dynamics through
hierarchically embedded Markov chains. *Physical Review Letters* 118, 058301.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.games.population import PopulationGame
from coop.games.validation import probability
from coop.solvers.evolution.finite_population import (
    _check_num_states,
    _check_process,
    _log_factorials,
    _rule_fitness,
    _state_fitness,
    _step_probability,
)
from coop.solvers.evolution.fixation import _names, small_mutation_limit
from coop.solvers.evolution.names import DEFAULT_UPDATE_RULE, UpdateRule
from coop.solvers.evolution.sizes import check_chain
from coop.solvers.shared.compositions import binomial_table, composition_rank, compositions
from coop.solvers.shared.jit import njit
from coop.solvers.shared.progress import ChunkedRun, ProgressOption, StopAfter, call_in_process, time_limit

#: Chains of more states are solved in a child process, watched for Ctrl-C and the time limit (smaller ones
#: take a few hundredths of a second at most, and are solved in this process).
PROCESS_STATES = 20_000

if TYPE_CHECKING:
    import scipy.sparse as sp


# ============================================================================ kernel
@njit(cache=True)
def _transition_kernel(states, payoffs, comps, pop_size, rule, beta, mu, binom):
    """CSR arrays ``(indptr, indices, data)`` of the row-stochastic transition matrix over ``states``.

    Each row lists its off-diagonal moves ``x -> x + e_i - e_j`` (``x_j > 0``) with positive probability,
    then the diagonal ``1 - sum``.
    """
    n, m = states.shape
    logfact = _log_factorials(pop_size)
    cap = n * (m * (m - 1) + 1)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(cap, dtype=np.int64)
    data = np.empty(cap)
    fit = np.zeros(m)
    x = np.zeros(m, dtype=np.int64)
    nnz = 0
    for s in range(n):
        for t in range(m):
            x[t] = states[s, t]
        _state_fitness(x, payoffs, comps, pop_size, logfact, fit)
        phi_total = 0.0
        if rule != 0:
            for t in range(m):
                if x[t] > 0:
                    fit[t] = _rule_fitness(fit[t], rule, beta)
                    phi_total += x[t] * fit[t]
        out = 0.0
        for j in range(m):
            if x[j] == 0:
                continue
            for i in range(m):
                if i == j:
                    continue
                p = _step_probability(x, i, j, fit, phi_total, pop_size, rule, beta, mu)
                if p > 0.0:
                    x[i] += 1
                    x[j] -= 1
                    indices[nnz] = composition_rank(x, pop_size, binom)
                    x[i] -= 1
                    x[j] += 1
                    data[nnz] = p
                    nnz += 1
                    out += p
        indices[nnz] = s
        data[nnz] = max(1.0 - out, 0.0)
        nnz += 1
        indptr[s + 1] = nnz
    return indptr, indices[:nnz], data[:nnz]


# ============================================================================ result
@dataclass(frozen=True, eq=False)
class StationaryResult:
    r"""Stationary distribution of the population process with mutation.

    Attributes
    ----------
    strategies : tuple of str
        Strategy labels.
    population_size, group_size : int
        :math:`Z` and :math:`N`.
    beta, mu : float
        Intensity of selection and mutation probability per update.
    rule : str
        The update rule.
    states : numpy.ndarray
        ``(num_states, m)`` counts in :func:`coop.solvers.evolution.finite_population.all_states` order.
    distribution : numpy.ndarray
        ``(num_states,)``, sums to one.
    residual : float
        ``max |pi P - pi|``.
    """

    strategies: tuple[str, ...]
    population_size: int
    group_size: int
    beta: float
    mu: float
    rule: UpdateRule
    states: np.ndarray
    distribution: np.ndarray
    residual: float

    @property
    def mean_frequencies(self) -> np.ndarray:
        """Long-run average frequency of each strategy, ``sum_x pi(x) x / Z``."""
        return self.distribution @ self.states / self.population_size

    @property
    def monomorphic(self) -> np.ndarray:
        """Stationary probability of each monomorphic state."""
        idx = np.argmax(self.states, axis=0)  # the row where strategy s holds all Z
        return self.distribution[idx]

    def to_dict(self, labels: Sequence[str] | None = None, full: bool = False, top: int = 10) -> dict[str, Any]:
        """JSON-ready summary; ``full=True`` adds every state and its probability, else the ``top`` most likely."""
        names = _names(labels, self.strategies)
        order = np.argsort(-self.distribution, kind="stable")
        chosen = order if full else order[:top]
        return {
            "method": "full_chain", "strategies": names, "population_size": self.population_size,
            "group_size": self.group_size, "beta": self.beta, "mu": self.mu, "rule": self.rule,
            "num_states": int(len(self.states)),
            "mean_frequencies": dict(zip(names, (float(v) for v in self.mean_frequencies), strict=True)),
            "monomorphic": dict(zip(names, (float(v) for v in self.monomorphic), strict=True)),
            "states": [{"counts": dict(zip(names, (int(c) for c in self.states[i]), strict=True)),
                        "probability": float(self.distribution[i])} for i in chosen],
            "residual": self.residual,
        }


# ============================================================================ public functions
def transition_matrix(game: PopulationGame, population_size: int, beta: float, mu: float,
                      rule: UpdateRule = DEFAULT_UPDATE_RULE) -> sp.csr_matrix:
    """Row-stochastic sparse transition matrix over all population states (:func:`all_states` order).

    Row ``x`` holds the probabilities of moving from ``x`` in one update. This is
    EGTtools' ``PairwiseComparison.calculate_transition_matrix(beta, mu)`` for
    ``rule="fermi"`` (``StochDynamics`` returns the transpose).

    Examples
    --------
    >>> from coop.games.population import PopulationGame
    >>> g = PopulationGame.from_matrix([[1.0, 0.0], [0.0, 1.0]])
    >>> P = transition_matrix(g, 4, beta=1.0, mu=0.1)
    >>> P.shape, bool(np.allclose(P.sum(axis=1), 1.0))
    ((5, 5), True)
    """
    z, b, code = _check_process(game, population_size, beta, rule)
    m_rate = probability(mu, "mutation rate mu")
    m = game.num_strategies
    if m < 2:
        raise InputError("a population process needs at least 2 strategies")
    check_chain(z, m)
    _check_num_states(z, m)
    states = compositions(z, m)
    indptr, indices, data = _transition_kernel(states, game.payoffs, game.compositions, z, code, b, m_rate,
                                               binomial_table(z + m, m))
    import scipy.sparse as sp  # here: SciPy's sparse modules take 0.2 s to import

    return sp.csr_matrix((data, indices, indptr), shape=(len(states), len(states)))


def stationary_distribution(game: PopulationGame, population_size: int, beta: float, mu: float,
                            rule: UpdateRule = DEFAULT_UPDATE_RULE, *, stop_after: StopAfter = None,
                            progress: ProgressOption = False) -> StationaryResult:
    """Stationary distribution over all population states with mutation rate ``mu > 0``.

    ``stop_after`` (seconds, or a shared :class:`~coop.solvers.shared.progress.TimeLimit`) and Ctrl-C stop the
    solve of a large chain: there is no partial answer, so :class:`~coop.solvers.shared.progress.StoppedEarly`
    (time limit) or ``KeyboardInterrupt`` is raised. ``progress=True`` shows the time a large solve has taken on
    stderr (:mod:`coop.solvers.shared.progress`).

    Examples
    --------
    A coordination game with a risk-dominant B: the population sits mostly near all-B.

    >>> from coop.games.population import PopulationGame
    >>> g = PopulationGame.from_matrix([[2.0, 0.0], [1.0, 1.5]], strategies=("A", "B"))
    >>> res = stationary_distribution(g, 20, beta=2.0, mu=0.01)
    >>> res.states.shape, round(float(res.distribution.sum()), 12)
    ((21, 2), 1.0)
    >>> bool(res.mean_frequencies[1] > 0.5)
    True
    """
    m_rate = probability(mu, "mutation rate mu")
    if m_rate <= 0.0:
        raise InputError("the full chain needs a mutation rate mu > 0 (with mu = 0 every monomorphic state is "
                         "absorbing); use small_mutation_limit for the limit mu -> 0")
    limit = time_limit(stop_after)
    P = transition_matrix(game, population_size, beta, m_rate, rule)
    z, b, _ = _check_process(game, population_size, beta, rule)
    m = game.num_strategies
    states = compositions(z, m)
    # reference state: the monomorphic state the small-mutation limit favours
    sml = small_mutation_limit(game, z, b, rule)
    k = int(np.flatnonzero(states.max(axis=1) == z)[int(np.argmax(sml.stationary))])
    if P.shape[0] <= PROCESS_STATES:
        pi = _solve_stationary(P, k)
    else:
        with ChunkedRun("stationary distribution", total=None, unit="s", verb="elapsed", stop_after=limit,
                        progress=progress, first=1, counted=False) as run:
            pi = call_in_process(_solve_stationary, (P, k), run,
                                 f"the sparse solve over {P.shape[0]:,} population states had not finished")
    residual = float(np.max(np.abs(P.T @ pi - pi)))
    for arr in (states, pi):
        arr.setflags(write=False)
    return StationaryResult(game.strategies, z, game.group_size, b, m_rate, rule, states, pi, residual)


def _solve_stationary(P: sp.csr_matrix, k: int) -> np.ndarray:
    """``pi`` with ``pi P = pi``, ``sum pi = 1``, from the reduced system with ``pi_k = 1``."""
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    n = P.shape[0]
    keep = np.ones(n, dtype=bool)
    keep[k] = False
    A = (sp.identity(n, format="csr") - P).T.tocsc()
    A_red = A[keep][:, keep]
    rhs = np.asarray(P[k].toarray()).ravel()[keep]
    rest = spla.spsolve(A_red.tocsc(), rhs)
    pi = np.empty(n)
    pi[keep] = np.maximum(rest, 0.0)
    pi[k] = 1.0
    return pi / pi.sum()
