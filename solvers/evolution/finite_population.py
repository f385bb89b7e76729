r"""Finite populations: the fitness of each strategy, the update rules and simulation.

A population of :math:`Z` individuals each follows one of :math:`m` strategies;
a *state* is the vector of counts :math:`x = (x_0, \dots, x_{m-1})`,
:math:`\sum_s x_s = Z`. Individuals play a symmetric game in groups of size
:math:`N` (:math:`N = 2`: pairwise encounters) drawn at random *without
replacement* from the rest of the population, so an :math:`s`-player's
co-players follow a multivariate hypergeometric law and nobody plays against
itself. Its fitness is the expected payoff

.. math::

    f_s(x) = \sum_{c} \frac{\prod_t \binom{x_t - \delta_{st}}{c_t}}{\binom{Z-1}{N-1}} \, a_s(c),

the sum over compositions :math:`c` of the :math:`N-1` co-players and
:math:`a_s(c)` the payoff of an :math:`s`-player whose co-players have
composition :math:`c` (:class:`coop.games.population.PopulationGame`). For :math:`N = 2` this is
:math:`f_s = (\sum_t x_t A_{st} - A_{ss}) / (Z-1)`.

Update rules (one individual changes per step; ``rule=``)
---------------------------------------------------------
``"fermi"``
    Pairwise comparison (Traulsen, Nowak and Pacheco 2006): a focal individual
    (strategy :math:`j`) is drawn uniformly from the :math:`Z`, a model
    (strategy :math:`i`) from the other :math:`Z-1`, and the focal adopts the
    model's strategy with probability
    :math:`[1 + e^{-\beta (f_i - f_j)}]^{-1}`. With probability :math:`\mu` the
    focal instead mutates to one of the other :math:`m-1` strategies at random:

    .. math:: T(x \to x + e_i - e_j) = \frac{x_j}{Z}\Big[(1-\mu)\frac{x_i}{Z-1}
              \frac{1}{1 + e^{-\beta(f_i - f_j)}} + \frac{\mu}{m-1}\Big].

    These are EGTtools' conventions (``PairwiseComparison``, ``StochDynamics``).
``"moran"``
    Moran birth-death process with linear fitness
    :math:`\varphi = 1 - \beta + \beta f` (Nowak et al. 2004; :math:`\beta \in [0, 1]` is
    the intensity of selection :math:`w` and every :math:`\varphi` must be positive): a
    parent is drawn with probability proportional to :math:`\varphi`, its offspring
    (a mutant to a random other strategy with probability :math:`\mu`)
    replaces an individual drawn uniformly from all :math:`Z`.
``"moran_exp"``
    The same with exponential fitness :math:`\varphi = e^{\beta f}` (Traulsen,
    Shoresh and Nowak 2008); its fixation probabilities equal the Fermi rule's.

The analytical answers live in :mod:`coop.solvers.evolution.fixation` (fixation
probabilities, the small-mutation limit) and :mod:`coop.solvers.evolution.stationary`
(the full chain with mutation); this module holds the shared kernels, the
state indexing and a Numba simulation of the individual-level process that
the tests hold against both.

State indexing
--------------
The :math:`\binom{Z+m-1}{m-1}` states are numbered in the order of EGTtools'
``sample_simplex``: lexicographic with the first count decreasing,
``(Z, 0, 0), (Z-1, 1, 0), (Z-1, 0, 1), (Z-2, 2, 0), ...``
(:mod:`coop.solvers.shared.compositions`); co-player compositions of a
:class:`~coop.games.population.PopulationGame` use the same order over
:math:`N-1` players.

References
----------
Nowak, M. A., Sasaki, A., Taylor, C. and Fudenberg, D. (2004). Emergence of cooperation and evolutionary
stability in finite populations. *Nature* 428, 646-650.
Traulsen, A., Nowak, M. A. and Pacheco, J. M. (2006). Stochastic dynamics of invasion and fixation.
*Physical Review E* 74, 011909.
Traulsen, A., Shoresh, N. and Nowak, M. A. (2008). Analytical results for individual and group selection
of any intensity. *Bulletin of Mathematical Biology* 70, 1410-1424.
Santos, F. C. and Pacheco, J. M. (2011). Risk of collective failure provides an escape from the tragedy of
the commons. *PNAS* 108(26), 10421-10425.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.population import PopulationGame
from coop.games.validation import int_at_least, nonnegative, probability
from coop.solvers.evolution.names import DEFAULT_UPDATE_RULE, UPDATE_RULE_CODES, UPDATE_RULES, UpdateRule
from coop.solvers.shared.budgets import POPULATION_STATES, SIMULATION_STEPS, check_budget
from coop.solvers.shared.compositions import binomial_table, composition_rank, compositions
from coop.solvers.shared.jit import njit
from coop.solvers.shared.random import uniform as _splitmix

# the update rules' kernel codes (names and codes: coop.solvers.evolution.names)
_FERMI = UPDATE_RULE_CODES["fermi"]
_MORAN = UPDATE_RULE_CODES["moran"]
_MORAN_EXP = UPDATE_RULE_CODES["moran_exp"]
#: the largest number of population states the full chain or a state histogram may have
MAX_STATES = POPULATION_STATES

Seed = int | np.random.Generator | None

#: The individual-level process a simulation kernel runs: the game's ``payoffs`` and co-player compositions
#: ``comps`` (the arrays of a :class:`~coop.games.population.PopulationGame`), the population size, the update
#: rule's kernel code, the selection intensity ``beta`` and the mutation rate ``mu``.
Process = namedtuple("Process", ["payoffs", "comps", "pop_size", "rule", "beta", "mu"])
#: :func:`_simulate_fixation_kernel`'s answer: runs in which the invader fixed, steps over all runs, runs stopped
#: at the step cap.
FixationCounts = namedtuple("FixationCounts", ["fixed", "steps", "unfinished"])


# ============================================================================ kernels: fitness
@njit(cache=True)
def _log_factorials(n):
    out = np.zeros(n + 1)
    for k in range(2, n + 1):
        out[k] = out[k - 1] + math.log(k)
    return out


@njit(cache=True)
def _state_fitness(x, payoffs, comps, pop_size, logfact, out):
    """Fitness of every strategy present in state ``x`` (multivariate hypergeometric co-players); 0 where absent.

    ``payoffs[s, c]`` is an ``s``-player's payoff against co-player composition ``comps[c]``.
    """
    m = x.shape[0]
    n_co = 0
    for t in range(m):
        n_co += comps[0, t]
    if n_co == 1:  # pairwise: composition c is the unit vector e_c
        for s in range(m):
            if x[s] == 0:
                out[s] = 0.0
                continue
            acc = 0.0
            for t in range(m):
                acc += (x[t] - (1 if t == s else 0)) * payoffs[s, t]
            out[s] = acc / (pop_size - 1)
        return
    # log C(Z-1, N-1)
    log_total = logfact[pop_size - 1] - logfact[n_co] - logfact[pop_size - 1 - n_co]
    for s in range(m):
        if x[s] == 0:
            out[s] = 0.0
            continue
        acc = 0.0
        for c in range(comps.shape[0]):
            lp = -log_total
            ok = True
            for t in range(m):
                y = x[t] - (1 if t == s else 0)
                k = comps[c, t]
                if k > y:
                    ok = False
                    break
                lp += logfact[y] - logfact[k] - logfact[y - k]
            if ok:
                acc += math.exp(lp) * payoffs[s, c]
        out[s] = acc


@njit(cache=True)
def _hypergeometric_tables(pop_size, n_co):
    """``ha[k, j]``, ``hb[k, j]``: probability that an A-player (resp. B-player) meets ``j`` A co-players
    among ``n_co`` drawn from the other ``Z - 1`` when ``k`` of the ``Z`` play A (``1 <= k <= Z - 1``)."""
    logfact = _log_factorials(pop_size)
    ha = np.zeros((pop_size + 1, n_co + 1))
    hb = np.zeros((pop_size + 1, n_co + 1))
    log_total = logfact[pop_size - 1] - logfact[n_co] - logfact[pop_size - 1 - n_co]
    for k in range(1, pop_size):
        for j in range(n_co + 1):
            # A-player: k-1 A's and Z-k B's among the others
            if j <= k - 1 and n_co - j <= pop_size - k:
                ha[k, j] = math.exp(logfact[k - 1] - logfact[j] - logfact[k - 1 - j]
                                    + logfact[pop_size - k] - logfact[n_co - j] - logfact[pop_size - k - n_co + j]
                                    - log_total)
            # B-player: k A's and Z-k-1 B's among the others
            if j <= k and n_co - j <= pop_size - k - 1:
                hb[k, j] = math.exp(logfact[k] - logfact[j] - logfact[k - j]
                                    + logfact[pop_size - k - 1] - logfact[n_co - j]
                                    - logfact[pop_size - k - 1 - n_co + j] - log_total)
    return ha, hb


@njit(cache=True)
def _edge_fitness(payoffs, edge, a, b, ha, hb, out_a, out_b):
    """Fitness of A = ``a`` and B = ``b`` in the population of ``k`` A's and ``Z - k`` B's, for ``k = 1..Z-1``.

    ``edge[a, b, j]`` is the index of the co-player composition with ``j`` a's and ``N - 1 - j`` b's.
    """
    n_k = ha.shape[0]
    n_j = ha.shape[1]
    for k in range(1, n_k - 1):
        fa = 0.0
        fb = 0.0
        for j in range(n_j):
            fa += ha[k, j] * payoffs[a, edge[a, b, j]]
            fb += hb[k, j] * payoffs[b, edge[a, b, j]]
        out_a[k] = fa
        out_b[k] = fb


# ============================================================================ kernels: update rules
@njit(cache=True)
def _sigmoid(z):
    """``1 / (1 + exp(-z))`` without overflow."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(cache=True)
def _rule_fitness(f, rule, beta):
    """The fitness that drives selection: payoff ``f`` (Fermi), ``1 - beta + beta f`` or ``exp(beta f)`` (Moran)."""
    if rule == _MORAN:
        return 1.0 - beta + beta * f
    if rule == _MORAN_EXP:
        return math.exp(beta * f)
    return f


@njit(cache=True)
def _step_probability(x, i, j, fit, phi_total, pop_size, rule, beta, mu):
    """Probability of ``x -> x + e_i - e_j`` (``i != j``, ``x[j] > 0``) in one step.

    ``fit`` are the strategies' payoffs (Fermi) or selection fitnesses (Moran); ``phi_total`` is
    ``sum_s x_s fit_s`` (Moran only).
    """
    m = x.shape[0]
    mut = mu / (m - 1) if m > 1 else 0.0
    if rule == _FERMI:
        sel = 0.0
        if x[i] > 0:
            sel = x[i] / (pop_size - 1.0) * _sigmoid(beta * (fit[i] - fit[j]))
        return x[j] / pop_size * ((1.0 - mu) * sel + mut)
    share = x[i] * fit[i] / phi_total
    return x[j] / pop_size * ((1.0 - mu) * share + mut * (1.0 - share))


@njit(cache=True)
def _log_ratio_terms(fa, fb, pop_size, rule, beta, out):
    """``out[k] = log(T-(k) / T+(k))`` for ``k = 1..Z-1`` on an A/B edge (the prefactors cancel)."""
    for k in range(1, pop_size):
        if rule == _FERMI:
            out[k] = -beta * (fa[k] - fb[k])
        elif rule == _MORAN:
            out[k] = math.log(1.0 - beta + beta * fb[k]) - math.log(1.0 - beta + beta * fa[k])
        else:
            out[k] = -beta * (fa[k] - fb[k])


@njit(cache=True)
def _log_fixation(log_ratio, pop_size):
    r"""``log rho``, ``rho = 1 / sum_{i=0}^{Z-1} prod_{k=1}^{i} T-(k)/T+(k)``, by log-sum-exp of partial sums."""
    top = 0.0
    acc = 0.0
    for i in range(1, pop_size):
        acc += log_ratio[i]
        if acc > top:
            top = acc
    total = math.exp(-top)  # the i = 0 term
    acc = 0.0
    for i in range(1, pop_size):
        acc += log_ratio[i]
        total += math.exp(acc - top)
    return -(top + math.log(total))


# ============================================================================ kernels: simulation
@njit(cache=True)
def _pick_by_count(x, total, u):
    """The strategy of the individual at position ``floor(u * total)`` when individuals are listed by strategy."""
    r = u * total
    c = 0.0
    for s in range(x.shape[0]):
        c += x[s]
        if r < c:
            return s
    for s in range(x.shape[0] - 1, -1, -1):
        if x[s] > 0:
            return s
    return 0


@njit(cache=True)
def _random_other(s, m, u):
    t = int(u * (m - 1))
    if t >= m - 1:
        t = m - 2
    return t + 1 if t >= s else t


@njit(cache=True)
def _simulate_step(x, process, logfact, rng, fit, phi):
    """One update of the individual-level :class:`Process` in state ``x``, in place (the individuals are drawn,
    not the transitions); ``rng`` is the generator state, ``fit`` and ``phi`` workspaces of length ``m``."""
    payoffs, comps, pop_size, rule, beta, mu = process
    m = x.shape[0]
    _state_fitness(x, payoffs, comps, pop_size, logfact, fit)
    if rule == _FERMI:
        focal = _pick_by_count(x, pop_size, _splitmix(rng))
        if mu > 0.0 and _splitmix(rng) < mu:
            new = _random_other(focal, m, _splitmix(rng))
        else:
            # the model: uniform among the other Z - 1 individuals
            x[focal] -= 1
            model = _pick_by_count(x, pop_size - 1, _splitmix(rng))
            x[focal] += 1
            new = focal
            if model != focal and _splitmix(rng) < _sigmoid(beta * (fit[model] - fit[focal])):
                new = model
        if new != focal:
            x[focal] -= 1
            x[new] += 1
        return
    total = 0.0
    for s in range(m):
        phi[s] = x[s] * _rule_fitness(fit[s], rule, beta) if x[s] > 0 else 0.0
        total += phi[s]
    u = _splitmix(rng) * total
    parent = m - 1
    c = 0.0
    for s in range(m):
        c += phi[s]
        if u < c and phi[s] > 0.0:
            parent = s
            break
    while phi[parent] == 0.0:  # guard against rounding at the upper end
        parent -= 1
    child = parent
    if mu > 0.0 and _splitmix(rng) < mu:
        child = _random_other(parent, m, _splitmix(rng))
    dead = _pick_by_count(x, pop_size, _splitmix(rng))
    x[dead] -= 1
    x[child] += 1


@njit(cache=True)
def _simulate_fixation_kernel(process, invader, resident, runs, seed, max_steps):
    """Runs from one invader among residents until one strategy fixes (``process.mu`` is 0); returns
    :class:`FixationCounts`."""
    pop_size = process.pop_size
    m = process.payoffs.shape[0]
    logfact = _log_factorials(pop_size)
    rng = np.empty(1, dtype=np.uint64)
    rng[0] = np.uint64(seed)
    x = np.zeros(m, dtype=np.int64)
    fit = np.zeros(m)
    phi = np.zeros(m)
    fixed = 0
    steps = 0
    unfinished = 0
    for _ in range(runs):
        x[:] = 0
        x[invader] = 1
        x[resident] = pop_size - 1
        n = 0
        while 0 < x[invader] < pop_size and n < max_steps:
            _simulate_step(x, process, logfact, rng, fit, phi)
            n += 1
        steps += n
        if x[invader] == pop_size:
            fixed += 1
        elif x[invader] > 0:
            unfinished += 1
    return FixationCounts(fixed, steps, unfinished)


@njit(cache=True)
def _simulate_chain_kernel(process, start, steps, burn_in, seed, nstates, binom):
    """Visits of each state (``sample_simplex`` index) over ``steps`` updates of ``process`` after ``burn_in``."""
    pop_size = process.pop_size
    m = start.shape[0]
    logfact = _log_factorials(pop_size)
    rng = np.empty(1, dtype=np.uint64)
    rng[0] = np.uint64(seed)
    x = start.copy()
    fit = np.zeros(m)
    phi = np.zeros(m)
    visits = np.zeros(nstates, dtype=np.int64)
    for _ in range(burn_in):
        _simulate_step(x, process, logfact, rng, fit, phi)
    for _ in range(steps):
        _simulate_step(x, process, logfact, rng, fit, phi)
        visits[composition_rank(x, pop_size, binom)] += 1
    return visits


# ============================================================================ state helpers
def num_states(population_size: int, num_strategies: int) -> int:
    """Number of population states, ``C(Z + m - 1, m - 1)``.

    >>> num_states(100, 3)
    5151
    """
    return math.comb(int(population_size) + int(num_strategies) - 1, int(num_strategies) - 1)


def all_states(population_size: int, num_strategies: int) -> np.ndarray:
    """Every state as counts, shape ``(num_states, m)``, in EGTtools ``sample_simplex`` order.

    >>> all_states(2, 3).tolist()
    [[2, 0, 0], [1, 1, 0], [1, 0, 1], [0, 2, 0], [0, 1, 1], [0, 0, 2]]
    """
    z = int_at_least(population_size, 0, "population size")
    m = int_at_least(num_strategies, 1, "number of strategies")
    _check_num_states(z, m)
    return compositions(z, m)


def state_index(counts: Sequence[int] | np.ndarray) -> int:
    """Index of the state ``counts`` in :func:`all_states` order.

    >>> state_index([1, 0, 1])
    2
    """
    x = np.asarray(counts, dtype=np.int64)
    if x.ndim != 1 or x.size < 1 or x.min() < 0:
        raise InputError(f"a state must be a vector of counts >= 0, got {list(counts)}")
    z = int(x.sum())
    return int(composition_rank(x, z, binomial_table(z + x.size, x.size)))


def fitness(game: PopulationGame, counts: Sequence[int]) -> np.ndarray:
    """Expected payoff of each strategy present in the state ``counts`` (``nan`` for absent strategies).

    >>> g = PopulationGame.from_matrix([[1.0, 0.0], [0.0, 2.0]])
    >>> fitness(g, [2, 1]).tolist()  # an A meets the other A or the B; the B meets an A
    [0.5, 0.0]
    """
    x = np.asarray(counts, dtype=np.int64)
    if x.shape != (game.num_strategies,) or x.min() < 0:
        raise InputError(f"a state must be {game.num_strategies} counts >= 0, got {list(counts)}")
    z = int(x.sum())
    _check_population(z, game)
    out = np.zeros(game.num_strategies)
    _state_fitness(x, game.payoffs, game.compositions, z, _log_factorials(z), out)
    out[x == 0] = np.nan
    return out


# ============================================================================ simulation
@dataclass(frozen=True, eq=False)
class FixationSimulation:
    """Monte Carlo estimate of a fixation probability.

    Attributes
    ----------
    invader, resident : str
        The strategies.
    runs : int
        Independent runs, each from one invader among ``Z - 1`` residents.
    fixed : int
        Runs in which the invader took over.
    probability : float
        ``fixed / runs``.
    std_error : float
        Binomial standard error ``sqrt(p (1 - p) / runs)``.
    mean_steps : float
        Average number of update steps until absorption.
    unfinished : int
        Runs stopped at ``max_steps`` before absorption (counted as not fixed).
    """

    invader: str
    resident: str
    population_size: int
    beta: float
    rule: UpdateRule
    runs: int
    fixed: int
    probability: float
    std_error: float
    mean_steps: float
    unfinished: int
    seed: int

    @property
    def complete(self) -> bool:
        """Whether every run reached fixation or extinction before its step cap."""
        return self.unfinished == 0

    @property
    def reason(self) -> str | None:
        """Why the estimate is incomplete, in a sentence (``None`` when every run finished)."""
        if self.complete:
            return None
        return (f"{self.unfinished:,} of {self.runs:,} runs stopped at the step cap before either strategy fixed; "
                "they are counted as not fixed")

    def to_dict(self) -> dict[str, Any]:
        return {"invader": self.invader, "resident": self.resident, "population_size": self.population_size,
                "beta": self.beta, "rule": self.rule, "runs": self.runs, "fixed": self.fixed,
                "probability": self.probability, "std_error": self.std_error, "mean_steps": self.mean_steps,
                "unfinished": self.unfinished, "seed": self.seed, "complete": self.complete, "reason": self.reason}


@dataclass(frozen=True, eq=False)
class ChainSimulation:
    """Time spent in each population state by a long simulated run with mutation.

    Attributes
    ----------
    states : numpy.ndarray
        ``(num_states, m)`` counts, in :func:`all_states` order.
    visits : numpy.ndarray
        Steps spent in each state after the burn-in.
    distribution : numpy.ndarray
        ``visits / steps``: the empirical occupation measure.
    mean_frequencies : numpy.ndarray
        Time-averaged frequency of each strategy.
    """

    strategies: tuple[str, ...]
    population_size: int
    beta: float
    mu: float
    rule: UpdateRule
    steps: int
    burn_in: int
    seed: int
    states: np.ndarray
    visits: np.ndarray
    distribution: np.ndarray
    mean_frequencies: np.ndarray

    def to_dict(self, labels: Sequence[str] | None = None) -> dict[str, Any]:
        names = list(labels) if labels is not None else list(self.strategies)
        mono = {names[s]: float(self.distribution[state_index(_unit(s, len(names), self.population_size))])
                for s in range(len(names))}
        return {"strategies": names, "population_size": self.population_size, "beta": self.beta, "mu": self.mu,
                "rule": self.rule, "steps": self.steps, "burn_in": self.burn_in, "seed": self.seed,
                "mean_frequencies": dict(zip(names, self.mean_frequencies.tolist(), strict=True)),
                "monomorphic": mono}


def simulate_fixation(game: PopulationGame, population_size: int, beta: float, invader: int | str,
                      resident: int | str, runs: int = 10_000, rule: UpdateRule = DEFAULT_UPDATE_RULE,
                      seed: Seed = None, max_steps: int = 10_000_000) -> FixationSimulation:
    """Estimate the fixation probability of one ``invader`` among ``Z - 1`` ``resident``s by simulation.

    Each step draws the individuals (focal and model, or parent and the one it
    replaces) and recomputes the fitnesses from the state, independently of the
    closed-form chain in :mod:`coop.solvers.evolution.fixation`.

    Examples
    --------
    >>> g = PopulationGame.from_matrix([[1.0, 1.0], [1.0, 1.0]])
    >>> sim = simulate_fixation(g, 10, beta=1.0, invader=0, resident=1, runs=20_000, seed=1)
    >>> abs(sim.probability - 0.1) < 5 * sim.std_error  # neutral: 1/Z
    True
    """
    z, b, code = _check_process(game, population_size, beta, rule)
    a, r = game.strategy_index(invader), game.strategy_index(resident)
    if a == r:
        raise InputError("invader and resident must be different strategies")
    n_runs = int_at_least(runs, 1, "runs")
    cap = int_at_least(max_steps, 1, "max_steps")
    s = _seed_value(seed)
    process = Process(game.payoffs, game.compositions, z, code, b, 0.0)
    fixed, steps, unfinished = _simulate_fixation_kernel(process, a, r, n_runs, s, cap)
    p = fixed / n_runs
    return FixationSimulation(game.strategies[a], game.strategies[r], z, b, rule, n_runs, int(fixed), p,
                              math.sqrt(p * (1.0 - p) / n_runs), steps / n_runs, int(unfinished), s)


def simulate_chain(game: PopulationGame, population_size: int, beta: float, mu: float, steps: int,
                   burn_in: int = 0, start: Sequence[int] | None = None, rule: UpdateRule = DEFAULT_UPDATE_RULE,
                   seed: Seed = None) -> ChainSimulation:
    """Run the process with mutation for ``steps`` updates and record the time spent in each state.

    ``start`` defaults to the monomorphic state of the first strategy.

    Examples
    --------
    >>> g = PopulationGame.from_matrix([[1.0, 0.0], [0.0, 1.0]])
    >>> sim = simulate_chain(g, 5, beta=1.0, mu=0.1, steps=1000, seed=3)
    >>> int(sim.visits.sum()), sim.states.shape
    (1000, (6, 2))
    """
    z, b, code = _check_process(game, population_size, beta, rule)
    m_rate = probability(mu, "mutation rate mu")
    m = game.num_strategies
    _check_num_states(z, m)
    n_steps = int_at_least(steps, 1, "steps")
    n_burn = int_at_least(burn_in, 0, "burn_in")
    check_budget(f"a simulation of {n_steps + n_burn:,} update steps", float(n_steps + n_burn), SIMULATION_STEPS,
                 "fewer steps", unit="steps")
    if start is None:
        x0 = np.zeros(m, dtype=np.int64)
        x0[0] = z
    else:
        x0 = np.asarray(start, dtype=np.int64)
        if x0.shape != (m,) or x0.min() < 0 or x0.sum() != z:
            raise InputError(f"start must be {m} counts >= 0 summing to {z}, got {list(start)}")
    s = _seed_value(seed)
    states = compositions(z, m)
    binom = binomial_table(z + m, m)
    process = Process(game.payoffs, game.compositions, z, code, b, m_rate)
    visits = _simulate_chain_kernel(process, x0, n_steps, n_burn, s, len(states), binom)
    dist = visits / n_steps
    return ChainSimulation(game.strategies, z, b, m_rate, rule, n_steps, n_burn, s, states, visits, dist,
                           dist @ states / z)


# ============================================================================ validation helpers
def _check_population(z: int, game: PopulationGame) -> None:
    if z < game.group_size:
        raise InputError(f"group size {game.group_size} is larger than the population size {z}; expected a "
                         "population at least as large as a group")


def _check_num_states(z: int, m: int) -> None:
    n = num_states(z, m)
    if n > MAX_STATES:
        raise InputError(f"a population of {z:,} with {m} strategies has {n:,} states, too many to enumerate; the "
                         f"limit is {MAX_STATES:,}; remedy: a smaller population or fewer strategies")


def _check_process(game: PopulationGame, population_size: Any, beta: Any, rule: UpdateRule) -> tuple[int, float, int]:
    """Validated ``(Z, beta, rule code)`` for ``game``: ``Z >= 2`` and ``>= N``, ``beta >= 0``, a known rule, and
    positive fitness under the linear Moran map."""
    if not isinstance(game, PopulationGame):
        raise InputError(f"expected a PopulationGame, got {type(game).__name__}; build one with "
                         "PopulationGame.from_matrix, from_normal_form or two_strategy")
    z = int_at_least(population_size, 2, "population size Z")
    _check_population(z, game)
    b = nonnegative(beta, "selection intensity beta")
    if rule not in UPDATE_RULES:
        raise InputError(f"unknown update rule {rule!r}; expected one of {list(UPDATE_RULES)}")
    if rule == "moran":
        if b > 1.0:
            raise InputError(f"the linear Moran fitness 1 - beta + beta * payoff needs beta in [0, 1], got {b:g}; "
                             "use rule='moran_exp' for stronger selection")
        low = 1.0 - b + b * float(game.payoffs.min())
        if low <= 0.0:
            raise InputError(f"the linear Moran fitness 1 - beta + beta * payoff must be positive, but the smallest "
                             f"payoff {float(game.payoffs.min()):g} gives {low:g} at beta {b:g}; shift the payoffs, "
                             "lower beta or use rule='moran_exp'")
    if rule == "moran_exp" and b * float(np.max(np.abs(game.payoffs))) > 700.0:
        raise InputError(f"beta * |payoff| reaches {b * float(np.max(np.abs(game.payoffs))):g}, beyond what "
                         "exp() can represent; rescale the payoffs or lower beta")
    return z, b, UPDATE_RULE_CODES[rule]


def _seed_value(seed: Seed) -> int:
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63))
    if seed is None:
        return int(np.random.default_rng().integers(0, 2**63))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise InputError(f"seed must be an integer >= 0 or a numpy Generator, got {seed!r}")
    return int(seed) % 2**64


def _unit(s: int, m: int, z: int) -> np.ndarray:
    x = np.zeros(m, dtype=np.int64)
    x[s] = z
    return x
