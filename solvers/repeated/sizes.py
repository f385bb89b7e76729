"""Sizes of the repeated-game analyses, estimated before anything is allocated, and their checks.

Each function here takes only numbers (automaton sizes, action counts, a horizon, a number of strategies), so
the scenario parser can refuse an input too large for :mod:`coop.solvers.shared.budgets` before any automaton
or table is built, and the solvers check the same estimates on what they are given. This module imports no
compiled kernel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from coop.errors import InputError
from coop.solvers.shared.budgets import (
    AUTOMATON_WORK,
    HORIZON_WORK,
    MEMORY_BYTES,
    TOURNAMENT_TURNS,
    format_count,
    largest_within,
    over_budget,
)

#: The grid of discount factors scanned for critical discount factors
#: (:func:`coop.solvers.repeated.subgame_perfection.critical_discount_factor`).
DELTA_GRID = np.unique(np.concatenate([np.linspace(0.0, 0.99, 991), 1.0 - np.geomspace(1e-2, 1e-3, 41)]))


def _as_float(count: int) -> float:
    """A count as a float, ``inf`` past the float range (``float`` of a larger int raises OverflowError)."""
    return float(count) if count < 10**300 else math.inf


def joint_states_cost(n_states: Sequence[int], num_actions: Sequence[int]) -> tuple[int, float, float]:
    """``(J, bytes, operations)`` of the joint-state tables of a profile of automata with ``n_states`` states
    in a stage game with ``num_actions``: the chain ``(J, J)`` and its reachability ``(J, J)``, the one-shot
    deviation tables ``(J, N, A, J)`` (and their copy on the reachable states), the padded transition tables,
    the kernels' loops over pairs of joint states and one dense solve of the chain.

    >>> joint_states_cost([3, 3], [2, 2])[0]
    9
    """
    sizes = [int(s) for s in n_states]
    j = _as_float(math.prod(sizes))
    n = len(sizes)
    a = _as_float(max(num_actions))
    profiles = _as_float(math.prod(int(x) for x in num_actions))
    s = _as_float(max(sizes))
    # products, not powers: float ** raises OverflowError where * gives inf
    memory = 8.0 * j * j * (1.0 + 2.0 * n * a) + j * j + 8.0 * n * s * s * profiles
    work = j * j * n * 2.0**n * (n * a + profiles + 1.0) + j * j * j
    return int(math.prod(sizes)), memory, work


def check_joint_states(n_states: Sequence[int], num_actions: Sequence[int], what: str = "the strategy profile") -> None:
    """Raise :class:`InputError` before building the joint-state tables of automata with ``n_states`` states,
    when they would take more than :data:`~coop.solvers.shared.budgets.MEMORY_BYTES` or
    :data:`~coop.solvers.shared.budgets.AUTOMATON_WORK` (:func:`joint_states_cost`).

    >>> check_joint_states([3001, 3001], [2, 2], "'k_period_punishment (k=3000)'")
    Traceback (most recent call last):
        ...
    coop.errors.InputError: 'k_period_punishment (k=3000)', with 9,006,001 joint automaton states (3,001 x 3,001), \
needs about 5.5e+06 GiB; the limit is 2 GiB; remedy: automata with fewer states (at most about 2,161 joint states \
in this stage game; for k_period_punishment, a smaller k)
    """
    sizes = [int(s) for s in n_states]
    total, memory, work = joint_states_cost(sizes, num_actions)
    if memory <= MEMORY_BYTES and work <= AUTOMATON_WORK:
        return
    shape = " x ".join(format_count(s) for s in sizes)
    n = len(sizes)

    def cost(j: int) -> tuple[float, float]:  # a profile of j joint states, spread evenly over the players
        side = max(1, round(j ** (1.0 / n)))
        return joint_states_cost([side] * (n - 1) + [max(1, j // side ** (n - 1))], num_actions)[1:]

    most = largest_within(1.0, lambda j: max(cost(j)[0] / MEMORY_BYTES, cost(j)[1] / AUTOMATON_WORK))
    remedy = (f"automata with fewer states (at most about {format_count(most)} joint states in this stage game; "
              "for k_period_punishment, a smaller k)")
    head = f"{what}, with {format_count(total)} joint automaton states ({shape}),"
    message = (over_budget(head, memory, MEMORY_BYTES, remedy)
               or over_budget(head, work, AUTOMATON_WORK, remedy, unit="operations"))
    if message is not None:
        raise InputError(message)


def scan_cost(num_states: int, num_players: int, grid: int | None = None) -> tuple[float, float]:
    """``(bytes, operations)`` of scanning the discount factors of :data:`DELTA_GRID` (``grid`` of them) on
    ``num_states`` reachable joint states: batched ``(G, J, J)`` systems, one solve for subgame perfection and,
    for the best responses of :func:`~coop.solvers.repeated.best_response.check_nash`, about six policy-iteration
    solves per player."""
    g = float(len(DELTA_GRID) if grid is None else grid)
    j = _as_float(num_states)
    return 32.0 * g * j * j, g * j * j * j * (1.0 + 6.0 * num_players)


def check_scan(num_states: int, num_players: int, what: str = "the strategy profile") -> None:
    """Raise :class:`InputError` before a discount-factor scan past the budgets (:func:`scan_cost`).

    >>> check_scan(400, 2)
    Traceback (most recent call last):
        ...
    coop.errors.InputError: the scan of 1,031 discount factors of the strategy profile, on its 400 reachable joint \
states, needs about 4.92 GiB; the limit is 2 GiB; remedy: automata with fewer reachable joint states (at most \
about 90 here)
    """
    memory, work = scan_cost(num_states, num_players)
    if memory <= MEMORY_BYTES and work <= AUTOMATON_WORK:
        return
    most = largest_within(1.0, lambda j: max(scan_cost(j, num_players)[0] / MEMORY_BYTES,
                                             scan_cost(j, num_players)[1] / AUTOMATON_WORK))
    head = (f"the scan of {len(DELTA_GRID):,} discount factors of {what}, on its {format_count(num_states)} "
            "reachable joint states,")
    remedy = f"automata with fewer reachable joint states (at most about {format_count(most)} here)"
    message = (over_budget(head, memory, MEMORY_BYTES, remedy)
               or over_budget(head, work, AUTOMATON_WORK, remedy, unit="operations"))
    if message is not None:
        raise InputError(message)



def horizon_cost(horizon: int, num_states: int, num_players: int, num_actions: int, grid: int = 1) -> tuple[
        float, float]:
    """``(bytes, operations)`` of one backward induction over ``horizon`` periods for ``grid`` discount factors,
    on ``num_states`` joint states: the reachable states of each period ``(T, J)`` and the gains kept per
    discount factor; per period and discount factor the continuation of every one-shot deviation (``J^2 N A``
    products) and of the path (``J^2 N``), plus a few operations of bookkeeping."""
    j, n, a = float(num_states), float(num_players), float(num_actions)
    memory = float(horizon) * j + 16.0 * grid * j * n * a
    work = float(horizon) * grid * (j * j * n * (a + 1.0) + 8.0)
    return memory, work


def check_horizon(horizon: int, num_states: int | None, num_players: int, num_actions: int, grid: int = 1) -> None:
    """Raise :class:`InputError` before a backward induction over ``horizon`` periods that would exceed
    :data:`~coop.solvers.shared.budgets.HORIZON_WORK` or the memory budget (:func:`horizon_cost`).
    ``num_states=None`` checks the least work any profile takes (one joint state), as the scenario parser does
    before it knows which joint states are reachable.

    >>> check_horizon(10**12, None, 2, 2, grid=1031)
    Traceback (most recent call last):
        ...
    coop.errors.InputError: a finite horizon of 1e+12 periods (backward induction over every period, for each of \
1,031 discount factors) needs about 931 GiB; the limit is 2 GiB; remedy: a horizon of at most about 69,280 \
periods (fewer with larger automata), or no horizon (an infinitely repeated game)
    """
    states = 1 if num_states is None else num_states

    def share(periods: int) -> float:
        mem, ops = horizon_cost(periods, states, num_players, num_actions, grid)
        return max(mem / MEMORY_BYTES, ops / HORIZON_WORK)

    memory, work = horizon_cost(horizon, states, num_players, num_actions, grid)
    if memory <= MEMORY_BYTES and work <= HORIZON_WORK:
        return
    most = format_count(largest_within(1.0, share))
    what = (f"a finite horizon of {format_count(horizon)} periods (backward induction over every period"
            + (f", for each of {grid:,} discount factors" if grid > 1 else "")
            + ("" if num_states is None else
               f", on {num_states:,} reachable joint state{'' if num_states == 1 else 's'}") + ")")
    remedy = (f"a horizon of at most about {most} periods"
              + (" (fewer with larger automata)" if num_states is None else " with these automata")
              + ", or no horizon (an infinitely repeated game)")
    message = (over_budget(what, memory, MEMORY_BYTES, remedy)
               or over_budget(what, work, HORIZON_WORK, remedy, unit="operations"))
    if message is not None:
        raise InputError(message)


def tournament_cost(strategies: int, turns: int, repetitions: int, symmetric: bool = True, max_states: int = 4,
                    num_profiles: int = 4, exact: bool = False) -> tuple[float, float]:
    """``(bytes, match turns)`` of a round robin of ``strategies`` automata (at most ``max_states`` states each)
    in a stage game of ``num_profiles`` profiles: the strategies' padded tables per role, the totals of every
    match in every repetition, and the ``(repetitions, K, K)`` score tables (totals, scores per turn, wins and
    draws and their temporaries); the work is turns x matches x repetitions (the exact method plays one
    repetition, each turn over the ``S^2`` joint states of a match).
    """
    k, s, p = float(strategies), float(max_states), float(num_profiles)
    matches = k * (k + 1.0) / 2.0 if symmetric else k * k
    reps = 1.0 if exact else float(repetitions)
    memory = (8.0 * 2.0 * k * s * p * (s + 1.0)  # transition tables and their deterministic shortcuts, per role
              + 16.0 * reps * matches  # the totals of every match
              + 8.0 * 6.0 * reps * k * k)  # score tables and temporaries
    work = float(turns) * matches * reps * (s * s * (2.0 * s + 8.0) if exact else 1.0)
    return memory, work


def check_tournament(strategies: int, turns: int, repetitions: int, symmetric: bool = True, max_states: int = 4,
                     num_profiles: int = 4, exact: bool = False) -> None:
    """Raise :class:`InputError` before a round robin past the budgets (:func:`tournament_cost`).

    >>> check_tournament(3000, 10, 10)
    Traceback (most recent call last):
        ...
    coop.errors.InputError: a round robin of 3,000 strategies with 10 repetitions needs about 4.7 GiB; the limit is \
2 GiB; remedy: fewer strategies, turns or repetitions (at most about 1,957 strategies with 10 turns and 10 \
repetitions)
    """
    def share(k: int) -> float:
        mem, work = tournament_cost(k, turns, repetitions, symmetric, max_states, num_profiles, exact)
        return max(mem / MEMORY_BYTES, work / TOURNAMENT_TURNS)

    memory, work = tournament_cost(strategies, turns, repetitions, symmetric, max_states, num_profiles, exact)
    if memory <= MEMORY_BYTES and work <= TOURNAMENT_TURNS:
        return
    tables = 16.0 * strategies * max_states * num_profiles * (max_states + 1.0)
    if tables > MEMORY_BYTES:  # the automata themselves: fewer turns or repetitions would not help
        message = over_budget(
            f"the automata of a round robin of {format_count(strategies)} strategies (the largest of "
            f"{format_count(max_states)} states)", tables, MEMORY_BYTES, "automata with fewer states, or fewer "
            "strategies")
        raise InputError(str(message))
    most = largest_within(1.0, share, low=2)
    reps = 1 if exact else repetitions
    what = (f"a round robin of {format_count(strategies)} strategies with {format_count(reps)} "
            f"repetition{'' if reps == 1 else 's'}")
    remedy = (f"fewer strategies, turns or repetitions (at most about {format_count(most)} strategies with "
              f"{format_count(turns)} turns and {format_count(reps)} repetitions)" if most >= 2 else
              "fewer turns or repetitions")
    message = (over_budget(what, memory, MEMORY_BYTES, remedy)
               or over_budget(f"{what} of {format_count(turns)} turns", work, TOURNAMENT_TURNS, remedy,
                              unit="match turns"))
    if message is not None:
        raise InputError(message)
