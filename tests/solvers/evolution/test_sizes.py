"""Sizes of the evolutionary analyses are estimated and refused before anything large is allocated or run, and
every integration that stops early says so.

Each refusal names the problem (the starts and time of a basin computation, the integrations, a finite
population, its full chain), how much it would need and the remedy; the inputs are far past the limits and each
test runs in a fraction of a second: nothing of the size refused is built (``tracemalloc`` checks it).
"""

from __future__ import annotations

import tracemalloc
from contextlib import contextmanager

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.population import PopulationGame
from coop.solvers.evolution.dynamics import integrate
from coop.solvers.evolution.fixation import birth_death, fixation_probabilities, small_mutation_limit
from coop.solvers.evolution.rest_points import basins
from coop.solvers.evolution.sizes import (
    check_basins,
    check_chain,
    check_integrations,
    check_population,
    integration_work,
    interior_starts,
    population_cost,
)
from coop.solvers.evolution.stationary import stationary_distribution
from coop.solvers.shared.budgets import INTEGRATION_WORK, MEMORY_BYTES

A = np.array([[3.0, 0.0], [5.0, 1.0]])
PD = NormalFormGame.from_bimatrix(A, A.T, ("US", "China"), (("C", "D"), ("C", "D")))
POP = PopulationGame.from_matrix(A, strategies=("C", "D"))


@contextmanager
def allocates_at_most(megabytes: float):
    """Fails if the block's peak of traced allocations (NumPy's included) passes ``megabytes``."""
    tracemalloc.start()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < megabytes * 1024**2, f"allocated {peak / 1024**2:.1f} MiB"


def test_interior_starts_count_the_grid():
    from coop.solvers.evolution.dynamics import simplex_grid

    for sizes, res in (([2], 10), ([3], 7), ([2, 3], 5), ([2, 2], 200)):
        assert interior_starts(sizes, res) == len(simplex_grid(sizes, res, interior=True))


@pytest.mark.parametrize("sizes, resolution, time, problem", [
    ((2, 2), 200, 1e12, "basins of attraction from 39,601 starts to time 1e+12 need about 7.9e+09 steps"),
    ((2,), 200, 1e12, "basins of attraction from 199 starts to time 1e+12 need about 4e+07 steps"),
    ((3, 3), 150, 200.0, "basins of attraction from 1.2e+08 starts to time 200"),
])
def test_basins_past_the_budget_are_refused_with_the_remedy(sizes, resolution, time, problem):
    with allocates_at_most(1), pytest.raises(InputError) as info:
        check_basins(sizes, resolution, time, "replicator", 5.0, sizes, len(sizes) == 1)
    message = str(info.value)
    assert problem in message and "the limit is 2e+07" in message
    assert "remedy: a lower resolution or a shorter time" in message


def test_the_basins_solver_refuses_before_any_start_is_integrated():
    basins(A, resolution=5, t_end=10.0)  # the kernels are loaded
    with allocates_at_most(4), pytest.raises(InputError, match="basins of attraction from 39,601 starts"):
        basins(PD, resolution=200, t_end=1e12, populations="per_player")


def test_the_default_basins_and_the_bundled_runs_are_well_within_the_budget():
    starts = interior_starts((2, 2), 10)
    assert integration_work(starts, 200.0, "replicator", 5.0, (2, 2), False) < INTEGRATION_WORK / 100
    # ai-development-race: one run to t = 1, payoffs spread over about 60
    assert integration_work(1, 1.0, "replicator", 60.0, (2, 2), True) < INTEGRATION_WORK / 1000


def test_an_integration_of_a_huge_game_is_refused_before_it_runs():
    big = NormalFormGame.from_bimatrix(np.zeros((300, 300)), np.eye(300))
    with allocates_at_most(8), pytest.raises(InputError, match=r"1 integration of the replicator dynamic to time "
                                                               r"1,000,000 needs about .* steps of a small game"):
        integrate(big, np.full(600, 1.0 / 300), 1e6, populations="per_player")
    with pytest.raises(InputError, match="fewer runs or a shorter time, or a game with fewer actions"):
        check_integrations(1, 1e6, "replicator", 1.0, (300, 300), False)


def test_an_integration_stopped_at_its_step_limit_says_so():
    traj = integrate(A, [0.3, 0.7], [0.0, 1e6], max_steps=500)
    assert not traj.success and not traj.complete
    assert traj.reason == ("the integration stopped before t = 1e+06 because it reached its step limit of 500 steps; "
                           "the last state computed is at t = 0")
    doc = traj.to_dict()
    assert doc["complete"] is False and doc["reason"] == traj.reason and doc["success"] is False
    done = integrate(A, [0.3, 0.7], [0.0, 1.0])
    assert done.complete and done.reason is None and done.to_dict()["complete"] is True


def test_basins_whose_starts_stop_at_the_step_limit_say_so():
    res = basins(A, resolution=4, t_end=1e6, max_steps=300)
    assert res.stopped == 3 and not res.complete
    assert res.reason.startswith("3 of 3 starts stopped at the integrator's step limit of 300 steps before time 1e+06")
    doc = res.to_dict()
    assert doc["complete"] is False and doc["reason"] == res.reason and doc["no_convergence"] == 1.0
    ok = basins(A, resolution=4, t_end=50.0)
    assert ok.complete and ok.reason is None and ok.to_dict()["complete"] is True


@pytest.mark.parametrize("size, strategies, group, problem", [
    (10**9, 2, 2, "a finite population of 1e+09 (its fixation probabilities and gradient of selection) needs about"),
    (10**9, 3, 2, "a finite population of 1e+09 (its fixation probabilities) needs about"),
    (10**8, 2, 6, "a finite population of 1e+08"),
])
def test_populations_past_the_budget_are_refused(size, strategies, group, problem):
    with allocates_at_most(1), pytest.raises(InputError) as info:
        check_population(size, strategies, group)
    message = str(info.value)
    assert problem in message and "remedy: a smaller population (at most about" in message


@pytest.mark.parametrize("solver", [
    lambda: fixation_probabilities(POP, 10**9, 1.0),
    lambda: small_mutation_limit(POP, 10**9, 1.0),
    lambda: birth_death(POP, 10**9, 1.0, "C", "D"),
])
def test_the_population_solvers_refuse_before_their_tables(solver):
    with allocates_at_most(4), pytest.raises(InputError, match="a finite population of 1e\\+09"):
        solver()


def test_a_huge_chain_with_mutation_is_refused_with_the_actual_problem():
    with allocates_at_most(4), pytest.raises(InputError) as info:
        stationary_distribution(POP, 20_000_000, 1.0, 0.01)
    message = str(info.value)
    assert "the full Markov chain with mutation of a population of 2e+07 with 2 strategies" in message
    assert "--method" not in message and "small-mutation limit" in message
    with pytest.raises(InputError, match="the full Markov chain with mutation of a population of 3,000 with 3 "):
        check_chain(3000, 3)


def test_the_population_estimate_admits_realistic_populations():
    for z in (100, 1000, 100_000):
        assert population_cost(z, 2, 2)[0] < MEMORY_BYTES / 10
    check_population(50, 2, 6)  # collective-risk
    check_chain(100, 3)


def test_a_fixation_simulation_cut_off_by_its_step_cap_says_so():
    from coop.solvers.evolution.finite_population import simulate_fixation

    sim = simulate_fixation(POP, 200, 0.0, "C", "D", runs=20, seed=1, max_steps=2)
    assert sim.unfinished > 0 and not sim.complete
    assert sim.reason.endswith("runs stopped at the step cap before either strategy fixed; they are counted as not "
                               "fixed")
    assert sim.to_dict()["complete"] is False
