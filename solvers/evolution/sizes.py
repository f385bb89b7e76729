"""Sizes of the evolutionary analyses, estimated before anything is allocated or integrated, and their checks.

Each function here takes only numbers (action counts, a payoff spread, a time, a grid resolution, a population
size), so the scenario parser refuses an input too large for :mod:`coop.solvers.shared.budgets` before any
work starts, and the solvers check the same estimates on what they are given. This module imports no compiled
kernel.

Integrations
------------
The Dormand-Prince integrator is explicit: near an attracting rest point its step cannot exceed about
``3.3 / |lambda|`` (the method's stability boundary on the negative real axis), with ``|lambda|`` the fastest
rate of the dynamic there. That rate is bounded by the payoff spread for the replicator (fitness differences),
by twice it for BNN, by the number of strategies times it for Smith, by spread / eta for logit and by one for
the best response (whose switching surfaces force steps down to its least step). So an integration to time
``T`` takes about ``100 + T * rate / 3`` steps, at most its step limit; each step evaluates the field seven
times, at a cost that grows with the game (``n^2`` for one population of ``n`` strategies, profiles x players
for one population per player). :func:`integration_work` is that estimate, an upper bound near attractors
(slower ones allow longer steps).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from coop.errors import InputError
from coop.solvers.shared.budgets import (
    INTEGRATION_WORK,
    MEMORY_BYTES,
    POPULATION_WORK,
    format_count,
    largest_within,
    over_budget,
)

#: A step of the integrator for a game this small (field cost <= this) counts as one unit of work.
_UNIT_FIELD_COST = 64.0


def stiffness(dynamic: str, spread: float, num_actions: int, eta: float | None = None) -> float:
    """The fastest rate (per unit of time) a dynamic can have near a rest point, from the payoff spread."""
    spread = max(float(spread), 0.0)
    if dynamic == "logit":
        return 1.0 + spread / (4.0 * float(eta if eta else 0.1))
    if dynamic == "bnn":
        return 2.0 * spread
    if dynamic == "smith":
        return float(num_actions) * spread
    if dynamic == "best_response":
        return 1.0
    return spread  # replicator


def steps_needed(time: float, rate: float, max_steps: int) -> float:
    """Runge-Kutta steps an integration to ``time`` takes at most (its transient, then about ``rate / 3`` steps
    per unit of time), capped by ``max_steps``."""
    if not math.isfinite(time) or not math.isfinite(rate):
        return float(max_steps)
    return min(float(max_steps), 100.0 + float(time) * float(rate) / 3.0)


def field_cost(num_actions: Sequence[int], one_population: bool) -> float:
    """Operations of one evaluation of the vector field: ``n^2`` (one population, ``A x``), or the profiles times
    the players (one population per player, contracting the payoff tensor)."""
    if one_population:
        return float(num_actions[0]) ** 2
    return float(math.prod(int(a) for a in num_actions)) * len(num_actions)


def integration_work(runs: float, time: float, dynamic: str, spread: float, num_actions: Sequence[int],
                     one_population: bool, eta: float | None = None, max_steps: int = 200_000) -> float:
    """Units of :data:`~coop.solvers.shared.budgets.INTEGRATION_WORK` of ``runs`` integrations to ``time``: steps
    (:func:`steps_needed`) times the relative cost of a field evaluation (one for games up to about 8 x 8)."""
    rate = stiffness(dynamic, spread, max(num_actions), eta)
    weight = max(1.0, field_cost(num_actions, one_population) / _UNIT_FIELD_COST)
    return float(runs) * steps_needed(time, rate, max_steps) * weight


def interior_starts(sizes: Sequence[int], resolution: int) -> int:
    """Number of interior points of a simplex grid of ``resolution`` steps on each population's simplex
    (``simplex_grid(sizes, resolution, interior=True)``)."""
    return math.prod(math.comb(int(resolution) - 1, int(k) - 1) for k in sizes) if all(
        resolution >= k for k in sizes) else 0


def _steps_unit(per_run: float, weight: float) -> str:
    """How the work of integrations is counted, for a message."""
    if weight <= 1.0:
        return f"steps (up to {format_count(per_run)} each)"
    return (f"steps of a small game (up to {format_count(per_run)} steps each, a step here is worth "
            f"{format_count(weight)})")


def check_integrations(runs: int, time: float, dynamic: str, spread: float, num_actions: Sequence[int],
                       one_population: bool, eta: float | None = None, max_steps: int = 200_000) -> None:
    """Raise :class:`InputError` before integrations past :data:`~coop.solvers.shared.budgets.INTEGRATION_WORK`.

    >>> check_integrations(199, 1e12, "replicator", 5.0, (2, 2), True)
    Traceback (most recent call last):
        ...
    coop.errors.InputError: 199 integrations of the replicator dynamic to time 1e+12 need about 4e+07 steps (up to \
200,000 each); the limit is 2e+07; remedy: fewer runs or a shorter time
    """
    work = integration_work(runs, time, dynamic, spread, num_actions, one_population, eta, max_steps)
    if work <= INTEGRATION_WORK:
        return
    per_run = steps_needed(time, stiffness(dynamic, spread, max(num_actions), eta), max_steps)
    weight = max(1.0, field_cost(num_actions, one_population) / _UNIT_FIELD_COST)
    head = (f"{format_count(runs)} integration{'' if runs == 1 else 's'} of the {dynamic} dynamic to time "
            f"{format_count(time)}")
    remedy = "fewer runs or a shorter time" + (", or a game with fewer actions" if weight > 1.0 else "")
    message = str(over_budget(head, work, INTEGRATION_WORK, remedy, unit=_steps_unit(per_run, weight)))
    raise InputError(message.replace(" needs about ", " need about ", 1) if runs != 1 else message)


def check_basins(sizes: Sequence[int], resolution: int, time: float, dynamic: str, spread: float,
                 num_actions: Sequence[int], one_population: bool, eta: float | None = None,
                 max_steps: int = 200_000) -> None:
    """Raise :class:`InputError` before a basin computation past the budget: starts x steps per start.

    >>> check_basins((2, 2), 200, 1e12, "replicator", 5.0, (2, 2), False)
    Traceback (most recent call last):
        ...
    coop.errors.InputError: basins of attraction from 39,601 starts to time 1e+12 need about 7.9e+09 steps (up to \
200,000 each); the limit is 2e+07; remedy: a lower resolution or a shorter time (time 243 at resolution 200; \
the defaults are resolution 10 and time 200)
    """
    starts = interior_starts(sizes, resolution)
    rate = stiffness(dynamic, spread, max(num_actions), eta)

    def work(n_starts: float, t: float) -> float:
        return integration_work(n_starts, t, dynamic, spread, num_actions, one_population, eta, max_steps)

    if work(starts, time) <= INTEGRATION_WORK:
        return
    finest = largest_within(INTEGRATION_WORK, lambda r: work(interior_starts(sizes, r), time),
                            low=max(sizes) + 1, high=max(int(resolution), max(sizes) + 1))
    longest = largest_within(INTEGRATION_WORK, lambda t: work(starts, t), low=0)
    at_limit = steps_needed(time, rate, max_steps) >= max_steps  # every start would stop at the step limit
    options = ([f"resolution {finest} at time {format_count(time)}"]
               if finest > max(sizes) and not at_limit else [])
    if longest >= 1:
        options.append(f"time {format_count(longest)} at resolution {resolution}")
    hint = f" ({', or '.join(options)}; the defaults are resolution 10 and time 200)" if options else ""
    weight = max(1.0, field_cost(num_actions, one_population) / _UNIT_FIELD_COST)
    message = over_budget(f"basins of attraction from {format_count(starts)} starts to time {format_count(time)}",
                          work(starts, time), INTEGRATION_WORK, f"a lower resolution or a shorter time{hint}",
                          unit=_steps_unit(steps_needed(time, rate, max_steps), weight))
    raise InputError(str(message).replace(" needs about ", " need about ", 1))


# ---------------------------------------------------------------------------- finite populations
def population_cost(size: int, num_strategies: int, group_size: int) -> tuple[float, float]:
    """``(bytes, operations)`` of the fixation probabilities (every ordered pair of strategies) and the gradient
    of selection (2 strategies) of a population of ``size``: the hypergeometric tables ``(Z + 1, N)`` of the
    co-players and the per-state fitnesses and transition ratios ``(Z + 1)`` of an edge, and for the gradient's
    JSON its four arrays of ``Z + 1`` numbers (about 200 bytes each as Python floats and text, measured); the work is
    ``Z`` states x ``N`` co-player counts per ordered pair."""
    z, m, n = float(size), float(num_strategies), float(group_size)
    memory = 8.0 * (z + 1.0) * (2.0 * n + 6.0) + (800.0 * (z + 1.0) if num_strategies == 2 else 0.0)
    work = (z + 1.0) * n * (m * (m - 1.0) + 2.0) * 4.0
    return memory, work


def check_population(size: int, num_strategies: int, group_size: int) -> None:
    """Raise :class:`InputError` before the fixation and gradient tables of a population too large for the
    budgets (:func:`population_cost`).

    >>> check_population(10**9, 2, 2)
    Traceback (most recent call last):
        ...
    coop.errors.InputError: a finite population of 1e+09 (its fixation probabilities and gradient of selection) \
needs about 820 GiB; the limit is 2 GiB; remedy: a smaller population (at most about 2,440,321 with 2 strategies \
in groups of 2)
    """
    def share(z: int) -> float:
        mem, ops = population_cost(z, num_strategies, group_size)
        return max(mem / MEMORY_BYTES, ops / POPULATION_WORK)

    memory, work = population_cost(size, num_strategies, group_size)
    if memory <= MEMORY_BYTES and work <= POPULATION_WORK:
        return
    what = (f"a finite population of {format_count(size)} (its fixation probabilities"
            + (" and gradient of selection)" if num_strategies == 2 else ")"))
    most = largest_within(1.0, share, low=2)
    remedy = (f"a smaller population (at most about {format_count(most)} with {num_strategies} strategies in "
              f"groups of {group_size})")
    message = (over_budget(what, memory, MEMORY_BYTES, remedy)
               or over_budget(what, work, POPULATION_WORK, remedy, unit="operations"))
    if message is not None:
        raise InputError(message)


def chain_cost(num_states: float, num_strategies: int) -> tuple[float, float]:
    """``(bytes, operations)`` of the full Markov chain with mutation on ``num_states`` population states: its
    sparse transition matrix (``m (m - 1) + 1`` entries a row, with the copies of the solve) and the states, and a
    generous allowance for the fill-in of the sparse LU factors (20 entries a row beyond 2 strategies)."""
    s, m = float(num_states), float(num_strategies)
    per_row = m * (m - 1.0) + 1.0
    fill = 0.0 if num_strategies <= 2 else 20.0
    memory = s * (16.0 * per_row * 4.0 + 8.0 * m + 16.0 * fill)
    work = s * (per_row * m + fill * fill)
    return memory, work


def check_chain(size: int, num_strategies: int) -> None:
    """Raise :class:`InputError` before the full chain with mutation of a population too large for the budgets.

    >>> check_chain(10**9, 2)
    Traceback (most recent call last):
        ...
    coop.errors.InputError: the full Markov chain with mutation of a population of 1e+09 with 2 strategies (1e+09 \
states) needs about 194 GiB; the limit is 2 GiB; remedy: a smaller population (at most about 1e+07 with 2 \
strategies), or the small-mutation limit (mutation 0)
    """
    states = math.comb(int(size) + num_strategies - 1, num_strategies - 1)
    memory, work = chain_cost(states, num_strategies)
    if memory <= MEMORY_BYTES and work <= POPULATION_WORK:
        return

    def share(z: int) -> float:
        mem, ops = chain_cost(math.comb(z + num_strategies - 1, num_strategies - 1), num_strategies)
        return max(mem / MEMORY_BYTES, ops / POPULATION_WORK)

    what = (f"the full Markov chain with mutation of a population of {format_count(size)} with {num_strategies} "
            f"strategies ({format_count(states)} states)")
    most = largest_within(1.0, share, low=2, high=max(2, int(size)))
    remedy = (f"a smaller population (at most about {format_count(most)} with {num_strategies} strategies), or the "
              "small-mutation limit (mutation 0)")
    message = (over_budget(what, memory, MEMORY_BYTES, remedy)
               or over_budget(what, work, POPULATION_WORK, remedy, unit="operations"))
    if message is not None:
        raise InputError(message)
