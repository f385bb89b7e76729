r"""Finite populations: the game a population plays, the fitness of each strategy, the update rules and simulation.

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
composition :math:`c` (:class:`PopulationGame`). For :math:`N = 2` this is
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
``(Z, 0, 0), (Z-1, 1, 0), (Z-1, 0, 1), (Z-2, 2, 0), ...``; co-player
compositions of a :class:`PopulationGame` use the same order over
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.games.validation import nonnegative, probability
from coop.solvers.shared.random import uniform as _splitmix

#: update rules and their kernel codes
RULES = {"fermi": 0, "moran": 1, "moran_exp": 2}
#: the largest number of population states the full chain or a state histogram may have
MAX_STATES = 5_000_000
#: the largest number of co-player compositions a group game may have
MAX_COMPOSITIONS = 1_000_000

Seed = int | np.random.Generator | None


# ============================================================================ kernels: states
@njit(cache=True)
def _binomial_table(n_max, k_max):
    """Exact binomial coefficients ``table[n, k]`` for ``n <= n_max``, ``k <= k_max`` (float64 Pascal triangle)."""
    table = np.zeros((n_max + 1, k_max + 1))
    for n in range(n_max + 1):
        table[n, 0] = 1.0
        for k in range(1, min(n, k_max) + 1):
            table[n, k] = table[n - 1, k - 1] + table[n - 1, k]
    return table


@njit(cache=True)
def _compositions(total, m):
    """Every composition of ``total`` into ``m`` counts, ``(C(total+m-1, m-1), m)``, in ``sample_simplex`` order."""
    count = 1
    for k in range(1, m):
        count = count * (total + k) // k
    out = np.zeros((count, m), dtype=np.int64)
    x = np.zeros(m, dtype=np.int64)
    x[0] = total
    for r in range(count):
        out[r] = x
        # next: the rightmost nonzero count before the last moves one unit right, the tail collapses onto it
        p = m - 2
        while p >= 0 and x[p] == 0:
            p -= 1
        if p < 0:
            break
        tail = 0
        for q in range(p + 1, m):
            tail += x[q]
            x[q] = 0
        x[p] -= 1
        x[p + 1] = tail + 1
    return out


@njit(cache=True)
def _rank(x, total, binom):
    """Index of the composition ``x`` of ``total`` in ``sample_simplex`` order.

    Compositions sharing the prefix ``x[:p]`` with a larger ``p``-th count come first; there are
    ``C(R_p - x_p + m-p-2, m-p-1)`` of them, ``R_p`` the total left for positions ``p..m-1``.
    """
    m = x.shape[0]
    idx = 0
    rem = total
    for p in range(m - 1):
        idx += np.int64(binom[rem - x[p] + m - p - 2, m - p - 1])
        rem -= x[p]
    return idx


@njit(cache=True)
def _edge_table_kernel(m, n_co, binom):
    """``edge[a, b, j]``: index of the co-player composition with ``j`` a's and ``n_co - j`` b's."""
    edge = np.zeros((m, m, n_co + 1), dtype=np.int64)
    c = np.zeros(m, dtype=np.int64)
    for a in range(m):
        for b in range(m):
            for j in range(n_co + 1):
                c[:] = 0
                c[a] += j
                c[b] += n_co - j
                edge[a, b, j] = _rank(c, n_co, binom)
    return edge


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
    if rule == 1:
        return 1.0 - beta + beta * f
    if rule == 2:
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
    if rule == 0:
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
        if rule == 0:
            out[k] = -beta * (fa[k] - fb[k])
        elif rule == 1:
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
def _simulate_step(x, payoffs, comps, pop_size, logfact, rule, beta, mu, rng, fit, phi):
    """One update of the individual-level process in place (the individuals are drawn, not the transitions)."""
    m = x.shape[0]
    _state_fitness(x, payoffs, comps, pop_size, logfact, fit)
    if rule == 0:
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
def _simulate_fixation_kernel(payoffs, comps, pop_size, rule, beta, invader, resident, m, runs, seed,
                              max_steps):
    """Runs from one invader among residents until one strategy fixes; returns (fixed count, steps, unfinished)."""
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
            _simulate_step(x, payoffs, comps, pop_size, logfact, rule, beta, 0.0, rng, fit, phi)
            n += 1
        steps += n
        if x[invader] == pop_size:
            fixed += 1
        elif x[invader] > 0:
            unfinished += 1
    return fixed, steps, unfinished


@njit(cache=True)
def _simulate_chain_kernel(payoffs, comps, pop_size, rule, beta, mu, start, steps, burn_in, seed, nstates, binom):
    """Visits of each state (``sample_simplex`` index) over ``steps`` updates after ``burn_in``."""
    m = start.shape[0]
    logfact = _log_factorials(pop_size)
    rng = np.empty(1, dtype=np.uint64)
    rng[0] = np.uint64(seed)
    x = start.copy()
    fit = np.zeros(m)
    phi = np.zeros(m)
    visits = np.zeros(nstates, dtype=np.int64)
    for _ in range(burn_in):
        _simulate_step(x, payoffs, comps, pop_size, logfact, rule, beta, mu, rng, fit, phi)
    for _ in range(steps):
        _simulate_step(x, payoffs, comps, pop_size, logfact, rule, beta, mu, rng, fit, phi)
        visits[_rank(x, pop_size, binom)] += 1
    return visits


# ============================================================================ the population game
@dataclass(frozen=True, eq=False)
class PopulationGame:
    r"""A symmetric game played in groups of ``group_size`` drawn from a population.

    Parameters
    ----------
    payoffs : numpy.ndarray
        Shape ``(m, C(N-1+m-1, m-1))``: ``payoffs[s, c]`` is the payoff of an
        ``s``-player whose ``N-1`` co-players have composition
        ``compositions[c]`` (counts per strategy, in EGTtools ``sample_simplex``
        order). For ``N = 2`` this is the payoff matrix: ``payoffs[s, t]`` is
        ``s``'s payoff against ``t``.
    group_size : int
        ``N >= 2``.
    strategies : tuple of str
        Unique strategy labels.

    Examples
    --------
    >>> g = PopulationGame.from_matrix([[3.0, 0.0], [5.0, 1.0]], strategies=("C", "D"))
    >>> g.num_strategies, g.group_size
    (2, 2)
    >>> crd = collective_risk_dilemma(group_size=4, threshold=2, cost=0.1, risk=0.9)
    >>> crd.payoff("D", {"C": 2, "D": 1})  # 2 cooperating co-players + a defector: 3 of 4 ... threshold met
    1.0
    """

    payoffs: np.ndarray
    group_size: int
    strategies: tuple[str, ...]
    compositions: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        labels = tuple(str(s) for s in self.strategies)
        m = len(labels)
        if m < 1 or len(set(labels)) != m:
            raise InputError(f"strategies must be unique labels, got {list(labels)}", source="game")
        n = _int_at_least(self.group_size, 2, "group size")
        count = math.comb(n - 1 + m - 1, m - 1)
        if count > MAX_COMPOSITIONS:
            raise InputError(f"{m} strategies in groups of {n} give {count} group compositions; expected at most "
                             f"{MAX_COMPOSITIONS}", source="game")
        data = _float_array(self.payoffs, "payoffs")
        if data.shape != (m, count):
            raise InputError(f"payoffs must have shape ({m}, {count}) (strategies x compositions of the {n - 1} "
                             f"co-players), got {data.shape}", source="game")
        data = np.ascontiguousarray(data)
        data.setflags(write=False)
        comps = _compositions(n - 1, m)
        comps.setflags(write=False)
        object.__setattr__(self, "payoffs", data)
        object.__setattr__(self, "group_size", n)
        object.__setattr__(self, "strategies", labels)
        object.__setattr__(self, "compositions", comps)

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_matrix(cls, matrix: Any, strategies: Sequence[str] | None = None) -> PopulationGame:
        """Pairwise game (``N = 2``) from the payoff matrix ``matrix[s, t]`` of ``s`` against ``t``."""
        data = _float_array(matrix, "payoff matrix")
        if data.ndim != 2 or data.shape[0] != data.shape[1] or data.shape[0] < 1:
            raise InputError(f"a payoff matrix must be square, got shape {data.shape}", source="game")
        return cls(data, 2, _labels(strategies, data.shape[0]))

    @classmethod
    def from_normal_form(cls, game: NormalFormGame) -> PopulationGame:
        """The population game of a symmetric N-player normal-form game.

        Every player must have the same actions (same labels) and the game must be
        symmetric: a player's payoff depends only on its own action and the
        multiset of the others' actions, the same for every player.
        """
        n = game.num_players
        acts = game.actions[0]
        if n < 2 or any(a != acts for a in game.actions):
            raise InputError("a population game needs a symmetric game: every player with the same actions, got "
                             f"{[list(a) for a in game.actions]}", source="game")
        m = len(acts)
        comps = _compositions(n - 1, m)
        binom = _binomial_table(n - 1 + m, m)
        table = np.full((m, len(comps)), np.nan)
        tol = 1e-9 * max(game.payoff_scale, 1.0)
        for profile in np.ndindex(*game.num_actions):
            for i in range(n):
                s = profile[i]
                counts = np.bincount(np.delete(np.array(profile), i), minlength=m).astype(np.int64)
                c = _rank(counts, n - 1, binom)
                v = game.payoffs[(i, *profile)]
                if np.isnan(table[s, c]):
                    table[s, c] = v
                elif abs(table[s, c] - v) > tol:
                    raise InputError(
                        f"the game is not symmetric: player {game.players[i]!r} gets {v:g} at profile "
                        f"{[acts[k] for k in profile]} but {table[s, c]:g} in a profile with the same own action "
                        "and the same multiset of others' actions; a population game needs a symmetric game",
                        source="game")
        return cls(table, n, acts)

    @classmethod
    def two_strategy(cls, payoff_a: Any, payoff_b: Any, strategies: Sequence[str] = ("A", "B")) -> PopulationGame:
        """Two strategies in groups of ``N = len(payoff_a)``: ``payoff_a[j]`` / ``payoff_b[j]`` is an A-player's /
        B-player's payoff when ``j`` of its ``N - 1`` co-players play A (``j = 0..N-1``)."""
        a = _float_array(payoff_a, "payoff_a")
        b = _float_array(payoff_b, "payoff_b")
        if a.ndim != 1 or a.shape != b.shape or a.shape[0] < 2:
            raise InputError(f"payoff_a and payoff_b must be vectors of the same length N >= 2 (one entry per "
                             f"number of A co-players, 0..N-1), got shapes {a.shape} and {b.shape}", source="game")
        # composition index c has N-1-c A co-players
        return cls(np.stack([a[::-1], b[::-1]]), a.shape[0], _labels(strategies, 2))

    @classmethod
    def from_function(cls, fn: Callable[[int, tuple[int, ...]], float], strategies: Sequence[str],
                      group_size: int) -> PopulationGame:
        """Group game from ``fn(s, counts)``: the payoff of an ``s``-player whose co-players number ``counts[t]``
        of each strategy ``t`` (``sum(counts) == group_size - 1``)."""
        labels = _labels(strategies, len(strategies))
        n = _int_at_least(group_size, 2, "group size")
        comps = _compositions(n - 1, len(labels))
        table = np.array([[float(fn(s, tuple(int(v) for v in c))) for c in comps] for s in range(len(labels))])
        return cls(table, n, labels)

    # ----------------------------------------------------------------- accessors
    @property
    def num_strategies(self) -> int:
        return len(self.strategies)

    @property
    def payoff_scale(self) -> float:
        return float(np.ptp(self.payoffs)) if self.payoffs.size else 0.0

    def strategy_index(self, strategy: int | str) -> int:
        """Index of a strategy given by label or index; :class:`InputError` if unknown."""
        if isinstance(strategy, (int, np.integer)) and not isinstance(strategy, bool):
            if 0 <= int(strategy) < self.num_strategies:
                return int(strategy)
        elif strategy in self.strategies:
            return self.strategies.index(strategy)
        raise InputError(f"unknown strategy {strategy!r}; expected one of {list(self.strategies)}", source="game")

    def payoff(self, strategy: int | str, co_players: dict[str, int] | Sequence[int]) -> float:
        """Payoff of a ``strategy`` player whose co-players number ``co_players`` of each strategy."""
        s = self.strategy_index(strategy)
        if isinstance(co_players, dict):
            counts = np.zeros(self.num_strategies, dtype=np.int64)
            for key, v in co_players.items():
                counts[self.strategy_index(key)] = int(v)
        else:
            counts = np.asarray(co_players, dtype=np.int64)
        if counts.shape != (self.num_strategies,) or counts.min() < 0 or counts.sum() != self.group_size - 1:
            raise InputError(f"co-players must be {self.num_strategies} counts >= 0 summing to "
                             f"{self.group_size - 1}, got {counts.tolist()}", source="game")
        binom = _binomial_table(self.group_size + self.num_strategies, self.num_strategies)
        return float(self.payoffs[s, _rank(counts, self.group_size - 1, binom)])

    def edge_table(self) -> np.ndarray:
        """``edge[a, b, j]``: index of the co-player composition with ``j`` a's and ``N - 1 - j`` b's."""
        m, n_co = self.num_strategies, self.group_size - 1
        return _edge_table_kernel(m, n_co, _binomial_table(n_co + m, m))

    def to_dict(self) -> dict[str, Any]:
        return {"strategies": list(self.strategies), "group_size": self.group_size,
                "compositions": self.compositions.tolist(), "payoffs": self.payoffs.tolist()}


def collective_risk_dilemma(group_size: int, threshold: int, cost: float, risk: float, endowment: float = 1.0,
                            strategies: Sequence[str] = ("C", "D")) -> PopulationGame:
    r"""The collective-risk dilemma of Santos and Pacheco (2011) as a two-strategy group game.

    In a group of :math:`N`, cooperators pay :math:`c b` of their endowment
    :math:`b`; if fewer than :math:`M` = ``threshold`` members cooperate, every
    member loses what is left with probability :math:`r` (a red line crossed).
    With :math:`k` cooperators in the group (focal included),

    .. math:: P_D(k) = b\,\{\Theta(k - M) + (1 - r)[1 - \Theta(k - M)]\},\qquad P_C(k) = P_D(k) - c b,

    :math:`\Theta(x) = 1` for :math:`x \ge 0`, else 0.

    Examples
    --------
    >>> g = collective_risk_dilemma(group_size=3, threshold=2, cost=0.1, risk=0.5)
    >>> g.payoff("C", {"C": 1, "D": 1}), g.payoff("C", {"C": 0, "D": 2})
    (0.9, 0.4)

    References
    ----------
    Santos, F. C. and Pacheco, J. M. (2011). Risk of collective failure provides an escape from the tragedy of
    the commons. *PNAS* 108(26), 10421-10425.
    """
    n = _int_at_least(group_size, 2, "group size")
    m_thr = _int_at_least(threshold, 0, "threshold")
    if m_thr > n:
        raise InputError(f"threshold must be at most the group size {n}, got {m_thr}", source="game")
    c = probability(cost, "cost (a fraction of the endowment)")
    r = probability(risk, "risk")
    b = nonnegative(endowment, "endowment")

    def defector(k: int) -> float:
        return b if k >= m_thr else b * (1.0 - r)

    payoff_c = [defector(j + 1) - c * b for j in range(n)]  # j cooperating co-players
    payoff_d = [defector(j) for j in range(n)]
    return PopulationGame.two_strategy(payoff_c, payoff_d, strategies)


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
    z = _int_at_least(population_size, 0, "population size")
    m = _int_at_least(num_strategies, 1, "number of strategies")
    _check_num_states(z, m)
    return _compositions(z, m)


def state_index(counts: Sequence[int]) -> int:
    """Index of the state ``counts`` in :func:`all_states` order.

    >>> state_index([1, 0, 1])
    2
    """
    x = np.asarray(counts, dtype=np.int64)
    if x.ndim != 1 or x.size < 1 or x.min() < 0:
        raise InputError(f"a state must be a vector of counts >= 0, got {list(counts)}")
    z = int(x.sum())
    return int(_rank(x, z, _binomial_table(z + x.size, x.size)))


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
    rule: str
    runs: int
    fixed: int
    probability: float
    std_error: float
    mean_steps: float
    unfinished: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {"invader": self.invader, "resident": self.resident, "population_size": self.population_size,
                "beta": self.beta, "rule": self.rule, "runs": self.runs, "fixed": self.fixed,
                "probability": self.probability, "std_error": self.std_error, "mean_steps": self.mean_steps,
                "unfinished": self.unfinished, "seed": self.seed}


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
    rule: str
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
                      resident: int | str, runs: int = 10_000, rule: str = "fermi", seed: Seed = None,
                      max_steps: int = 10_000_000) -> FixationSimulation:
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
    n_runs = _int_at_least(runs, 1, "runs")
    cap = _int_at_least(max_steps, 1, "max_steps")
    s = _seed_value(seed)
    fixed, steps, unfinished = _simulate_fixation_kernel(game.payoffs, game.compositions, z, code, b, a, r,
                                                         game.num_strategies, n_runs, s, cap)
    p = fixed / n_runs
    return FixationSimulation(game.strategies[a], game.strategies[r], z, b, rule, n_runs, int(fixed), p,
                              math.sqrt(p * (1.0 - p) / n_runs), steps / n_runs, int(unfinished), s)


def simulate_chain(game: PopulationGame, population_size: int, beta: float, mu: float, steps: int,
                   burn_in: int = 0, start: Sequence[int] | None = None, rule: str = "fermi",
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
    n_steps = _int_at_least(steps, 1, "steps")
    n_burn = _int_at_least(burn_in, 0, "burn_in")
    if start is None:
        x0 = np.zeros(m, dtype=np.int64)
        x0[0] = z
    else:
        x0 = np.asarray(start, dtype=np.int64)
        if x0.shape != (m,) or x0.min() < 0 or x0.sum() != z:
            raise InputError(f"start must be {m} counts >= 0 summing to {z}, got {list(start)}")
    s = _seed_value(seed)
    states = _compositions(z, m)
    binom = _binomial_table(z + m, m)
    visits = _simulate_chain_kernel(game.payoffs, game.compositions, z, code, b, m_rate, x0, n_steps, n_burn, s,
                                    len(states), binom)
    dist = visits / n_steps
    return ChainSimulation(game.strategies, z, b, m_rate, rule, n_steps, n_burn, s, states, visits, dist,
                           dist @ states / z)


# ============================================================================ validation helpers (shared)
def _labels(strategies: Sequence[str] | None, m: int) -> tuple[str, ...]:
    if strategies is None:
        return tuple(chr(ord("A") + k) if m <= 26 else str(k + 1) for k in range(m))
    labels = tuple(str(s) for s in strategies)
    if len(labels) != m:
        raise InputError(f"expected {m} strategy labels, got {len(labels)}: {list(labels)}", source="game")
    return labels


def _float_array(data: Any, name: str) -> np.ndarray:
    try:
        arr = np.array(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be an array of numbers", source="game") from None
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must be finite numbers", source="game")
    return arr


def _int_at_least(value: Any, low: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < low:
        raise InputError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _check_population(z: int, game: PopulationGame) -> None:
    if z < game.group_size:
        raise InputError(f"group size {game.group_size} is larger than the population size {z}; expected a "
                         "population at least as large as a group")


def _check_num_states(z: int, m: int) -> None:
    n = num_states(z, m)
    if n > MAX_STATES:
        raise InputError(f"a population of {z} with {m} strategies has {n} states; expected at most {MAX_STATES}")


def _check_process(game: PopulationGame, population_size: Any, beta: Any, rule: str) -> tuple[int, float, int]:
    """Validated ``(Z, beta, rule code)`` for ``game``: ``Z >= 2`` and ``>= N``, ``beta >= 0``, a known rule, and
    positive fitness under the linear Moran map."""
    if not isinstance(game, PopulationGame):
        raise InputError(f"expected a PopulationGame, got {type(game).__name__}; build one with "
                         "PopulationGame.from_matrix, from_normal_form or two_strategy")
    z = _int_at_least(population_size, 2, "population size Z")
    _check_population(z, game)
    b = nonnegative(beta, "selection intensity beta")
    if rule not in RULES:
        raise InputError(f"unknown update rule {rule!r}; expected one of {list(RULES)}")
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
    return z, b, RULES[rule]


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
