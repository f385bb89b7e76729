"""Budgets: how much memory and work one analysis may take, and what to say when an input needs more.

Every structure that grows with the input (the joint states of a profile of automata, a tournament's score
tables, the starts of a basin computation, the periods of a finite horizon, a finite population and its
Markov chain) is *estimated before it is allocated* and checked against the limits below, here and nowhere
else. An input past a limit is refused with one :class:`~coop.errors.InputError` line that names what is too
large, how much it would need, the limit and the remedy::

    a round robin of 3,000 strategies with 10 repetitions needs about 4.7 GiB; the limit is 2 GiB; remedy:
    fewer strategies, turns or repetitions (at most about 1,957 strategies with 10 turns and 10 repetitions)

The estimates count the main arrays and the inner loops of the kernels (not Python's own overhead), so they
are slightly generous, never far off: each is a few times below the memory or time at which the machine would
struggle. Work is counted in each algorithm's own step (a match turn, a Runge-Kutta step, a period of
backward induction for one discount factor), and each limit stands for at most about twenty seconds of one
core of a laptop. Nothing of the bundled scenarios comes near any limit.

This module imports nothing heavy, so scenario parsers can check sizes before loading a solver.
"""

from __future__ import annotations

import math

from coop.errors import InputError

#: One mebibyte and one gibibyte, in bytes.
MiB = 1024**2
GiB = 1024**3

#: Memory the main arrays of one analysis may take (a joint-state chain and its deviation tables, a
#: tournament's score tables, a finite population's edge tables or chain, an automaton's transition table).
MEMORY_BYTES = 2 * GiB

#: Elementary operations of the joint-state kernels of one strategy profile (building the chain and the
#: one-shot deviation tables) and of its discount-factor scan (batched linear solves).
AUTOMATON_WORK = 1e10

#: Match turns one round-robin tournament may play: turns x matches x repetitions (about 15 ns each).
TOURNAMENT_TURNS = 1e9

#: Runge-Kutta steps one batch of integrations may take (the starts of a basin computation, or one
#: trajectory), weighted by the cost of one evaluation of the vector field (see
#: :func:`coop.solvers.evolution.dynamics.integration_work`): about one microsecond each.
INTEGRATION_WORK = 2e7

#: Operations of one backward induction of a finitely repeated game: periods x discount factors x the products
#: of one period (critical discount factors scan about a thousand discount factors, each over every period, so
#: 2-state automata in a 2x2 game allow about 30,000 periods).
HORIZON_WORK = 1e9

#: Population states x strategy pairs x co-player counts of the fixation and gradient computations of a
#: finite population (each a few nanoseconds).
POPULATION_WORK = 2e10


#: Simulated periods (or update steps) one Monte Carlo call may run: runs x periods of a repeated game,
#: steps of a finite population's chain (each some tens of nanoseconds).
SIMULATION_STEPS = 1e9

#: Counts that bound an enumeration (each also within the memory budget for the games it serves):
#: population states enumerated (a finite population's states, a simulated chain's histogram),
POPULATION_STATES = 5_000_000
#: population states of the full chain with mutation that a scenario's finite population solves (beyond, only
#: the small-mutation limit is reported, and the analysis says it is incomplete),
FULL_CHAIN_STATES = 200_000
#: co-player compositions of a group game (strategies in groups of N),
GROUP_COMPOSITIONS = 1_000_000
#: support profiles enumerated for the replicator's rest points,
REST_POINT_SUPPORTS = 100_000
#: starting points of a grid on the simplices.
GRID_POINTS = 2_000_000


def format_bytes(n: float) -> str:
    """A size for reading: ``3.2 GiB``, ``512 MiB``, ``12 KiB`` or ``100 bytes``.

    >>> format_bytes(2 * GiB), format_bytes(1.5 * MiB), format_bytes(100), format_bytes(3.3e18)
    ('2 GiB', '1.5 MiB', '100 bytes', '3.1e+09 GiB')
    """
    n = float(n)
    if n < 1024:
        return f"{n:.0f} bytes"
    for unit, size in (("KiB", 1024), ("MiB", MiB)):
        if n < 1024 * size:
            return f"{n / size:.3g} {unit}"
    g = n / GiB
    return f"{g:.3g} GiB" if g < 1e6 else f"{g:.2g} GiB"


def format_count(n: float) -> str:
    """A count for reading: ``4,500,000`` up to ten million, then ``7.9e+09``.

    >>> format_count(4_500_000), format_count(7.9e9), format_count(1e300 * 1e300)
    ('4,500,000', '7.9e+09', 'more than 1e+308')
    """
    n = float(n)
    if math.isinf(n):
        return "more than 1e+308"
    if n < 1e7:
        return f"{n:,.0f}"
    return f"{n:.2g}"


def over_budget(what: str, needed: float, limit: float, remedy: str, unit: str = "bytes") -> str | None:
    """The message when ``what`` needs more than ``limit`` (in ``unit``: ``"bytes"`` or a count's noun), else
    ``None``.

    >>> print(over_budget("the tournament", 3e9, 1e9, "play fewer turns", unit="match turns"))
    the tournament needs about 3e+09 match turns; the limit is 1e+09; remedy: play fewer turns
    >>> over_budget("a small thing", 10, 1e9, "none") is None
    True
    """
    if needed <= limit:  # NaN is not: it is refused, never passed silently
        return None
    if unit == "bytes":
        need, lim = format_bytes(needed), format_bytes(limit)
    else:
        need, lim = f"{format_count(needed)} {unit}", format_count(limit)
    return f"{what} needs about {need}; the limit is {lim}; remedy: {remedy}"


def check_budget(what: str, needed: float, limit: float, remedy: str, unit: str = "bytes") -> None:
    """Raise :class:`~coop.errors.InputError` with :func:`over_budget`'s message when ``needed > limit``.

    >>> check_budget("a game", 8 * GiB, MEMORY_BYTES, "a smaller game")
    Traceback (most recent call last):
        ...
    coop.errors.InputError: a game needs about 8 GiB; the limit is 2 GiB; remedy: a smaller game
    """
    message = over_budget(what, needed, limit, remedy, unit)
    if message is not None:
        raise InputError(message)


def largest_within(limit: float, cost, low: int = 1, high: int = 2**62) -> int:
    """The largest integer ``n`` in ``[low, high]`` with ``cost(n) <= limit`` (``cost`` increasing), or
    ``low - 1`` if there is none: what a remedy can suggest ("at most about n strategies").

    >>> largest_within(100.0, lambda n: n * n)
    10
    """
    if cost(low) > limit:
        return low - 1
    lo, hi = low, high
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if cost(mid) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo
