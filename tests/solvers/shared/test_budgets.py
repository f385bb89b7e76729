"""The budgets of :mod:`coop.solvers.shared.budgets`: the message names what, how much, the limit and the remedy."""

from __future__ import annotations

import math

import pytest

from coop.errors import InputError
from coop.solvers.shared import budgets
from coop.solvers.shared.budgets import GiB, check_budget, format_bytes, format_count, largest_within, over_budget


def test_message_names_the_need_the_limit_and_the_remedy():
    message = over_budget("the thing", 3 * GiB, 2 * GiB, "a smaller thing")
    assert message == "the thing needs about 3 GiB; the limit is 2 GiB; remedy: a smaller thing"
    message = over_budget("the walk", 4.5e9, 1e9, "fewer steps", unit="steps")
    assert message == "the walk needs about 4.5e+09 steps; the limit is 1e+09; remedy: fewer steps"


@pytest.mark.parametrize("needed", [1.0, 2 * GiB])
def test_within_the_budget_is_no_problem(needed):
    assert over_budget("x", needed, 2 * GiB, "y") is None
    check_budget("x", needed, 2 * GiB, "y")


@pytest.mark.parametrize("needed", [math.nan, math.inf])
def test_nan_and_infinity_are_refused(needed):
    with pytest.raises(InputError, match="the limit is 2 GiB"):
        check_budget("x", needed, 2 * GiB, "y")


def test_formats():
    assert format_bytes(512) == "512 bytes"
    assert format_bytes(3 * 1024**2) == "3 MiB"
    assert format_count(1234) == "1,234"
    assert format_count(1.2e12) == "1.2e+12"


def test_largest_within():
    assert largest_within(10.0, lambda n: float(n)) == 10
    assert largest_within(0.5, lambda n: float(n)) == 0  # none fits
    assert largest_within(1e300, lambda n: float(n)) == 2**62


def test_the_limits_are_positive_and_in_one_place():
    for name in ("MEMORY_BYTES", "AUTOMATON_WORK", "TOURNAMENT_TURNS", "INTEGRATION_WORK", "HORIZON_WORK",
                 "POPULATION_WORK", "SIMULATION_STEPS", "POPULATION_STATES", "FULL_CHAIN_STATES",
                 "GROUP_COMPOSITIONS", "REST_POINT_SUPPORTS", "GRID_POINTS"):
        assert getattr(budgets, name) > 0


def test_simulations_past_the_budget_are_refused_before_they_run():
    import numpy as np

    from coop.games import NormalFormGame
    from coop.games.population import PopulationGame
    from coop.games.repeated import RepeatedGame
    from coop.solvers.evolution.finite_population import simulate_chain
    from coop.solvers.repeated.payoffs import simulate_payoffs

    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    g = RepeatedGame(NormalFormGame.from_bimatrix(A, A.T), 0.9, (0, 0), (1, 1))
    with pytest.raises(InputError, match="a simulation of 1,000 runs of 1,000,000,000 periods needs about"):
        simulate_payoffs(g, g.profile("grim_trigger"), periods=10**9, runs=1000)
    with pytest.raises(InputError, match="a simulation of 10,000,000,000 update steps needs about"):
        simulate_chain(PopulationGame.from_matrix(A), 10, 1.0, 0.1, steps=10**10)
