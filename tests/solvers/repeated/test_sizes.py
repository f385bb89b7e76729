"""Sizes of the repeated-game analyses are estimated and refused before anything large is allocated.

Each refusal is one :class:`InputError` that names the problem (joint automaton states, reachable joint states,
a horizon, a round robin), how much it would need and the remedy. The inputs are far past the limits and every
test runs in a fraction of a second: nothing of the size refused is ever built (``tracemalloc`` checks it).
"""

from __future__ import annotations

import tracemalloc
from contextlib import contextmanager

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.automata import custom
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.best_response import check_nash
from coop.solvers.repeated.profile_analysis import analyse_profile
from coop.solvers.repeated.sizes import (
    DELTA_GRID,
    check_horizon,
    check_joint_states,
    check_scan,
    check_tournament,
    horizon_cost,
    joint_states_cost,
    tournament_cost,
)
from coop.solvers.repeated.subgame_perfection import critical_discount_factor
from coop.solvers.repeated.tournament import round_robin
from coop.solvers.shared.budgets import HORIZON_WORK, MEMORY_BYTES, TOURNAMENT_TURNS

A = np.array([[3.0, 0.0], [5.0, 1.0]])
PD = NormalFormGame.from_bimatrix(A, A.T, ("US", "China"), (("C", "D"), ("C", "D")))


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


def cycle(n: int, player: int):
    """An automaton that walks a cycle of ``n`` states whatever is played (all of its states are reachable)."""
    states = [f"s{k}" for k in range(n)]
    return custom(PD, player, states, {s: ("D" if k == 0 else "C") for k, s in enumerate(states)},
                  rules={s: [({}, states[(k + 1) % n])] for k, s in enumerate(states)})


@pytest.mark.parametrize("sizes, problem", [
    ([3001, 3001], "9,006,001 joint automaton states (3,001 x 3,001)"),
    ([10**12 + 1, 2], "joint automaton states (1e+12 x 2)"),
    ([5000, 5000], "2.5e+07 joint automaton states (5,000 x 5,000)"),
])
def test_joint_states_are_refused_from_their_sizes(sizes, problem):
    with allocates_at_most(1), pytest.raises(InputError) as info:
        check_joint_states(sizes, PD.num_actions, "the profile 'big'")
    message = str(info.value)
    assert problem in message and "the limit is 2 GiB" in message
    assert "remedy: automata with fewer states (at most about" in message


def test_the_joint_state_estimate_admits_what_the_bundled_scenarios_use():
    check_joint_states([3, 3, 3], (2, 2, 2))  # ai-safety-institutions: k_period_punishment, k = 2, 3 players
    assert joint_states_cost([21, 21], (2, 2))[1] < MEMORY_BYTES / 100


def test_a_k_of_a_trillion_is_refused_before_its_table_is_allocated():
    g = RepeatedGame(PD, 0.9, (0, 0), (1, 1))
    with allocates_at_most(1), pytest.raises(InputError, match=r"transition table of k_period_punishment with "
                                                               r"k = 1000000000000 \(1e\+12 states"):
        g.automaton("k_period_punishment", 0, k=10**12)


def test_too_many_reachable_joint_states_are_refused_before_the_scan():
    g = RepeatedGame(PD, 0.9, (0, 0), (1, 1))
    profile = (cycle(10, 0), cycle(11, 1))  # 110 joint states, all reachable
    for solver in (critical_discount_factor, check_nash):
        solver(g, g.profile("grim_trigger"))  # the kernels are loaded
        with allocates_at_most(64), pytest.raises(InputError, match=r"the scan of 1,031 discount factors of the "
                                                                    r"strategy profile, on its 110 reachable joint "
                                                                    r"states, needs about .*remedy: automata with "
                                                                    r"fewer reachable joint states"):
            solver(g, profile)


def test_check_scan_admits_small_profiles():
    check_scan(27, 3)
    check_scan(90, 2)


@pytest.mark.parametrize("horizon, states, problem", [
    (10**12, None, "a finite horizon of 1e+12 periods"),
    (10**6, 2, "a finite horizon of 1,000,000 periods"),
])
def test_horizons_past_the_budget_are_refused(horizon, states, problem):
    with allocates_at_most(1), pytest.raises(InputError) as info:
        check_horizon(horizon, states, 2, 2, len(DELTA_GRID))
    message = str(info.value)
    assert problem in message and "remedy: a horizon of at most about" in message


def test_a_long_horizon_is_refused_by_the_solver_before_its_backward_induction():
    g = RepeatedGame(PD, 0.9, (0, 0), (1, 1), horizon=10**8)  # its reachable states alone would take 200 MB
    short = RepeatedGame(PD, 0.9, (0, 0), (1, 1), horizon=3)
    analyse_profile(short, "grim", short.profile("grim_trigger"))  # the kernels are loaded
    with allocates_at_most(16), pytest.raises(InputError, match=r"a finite horizon of 1e\+08 periods"):
        analyse_profile(g, "grim", g.profile("grim_trigger"))


def test_the_horizon_estimate_is_linear_and_admits_a_thousand_periods():
    small = horizon_cost(1000, 4, 2, 2, len(DELTA_GRID))
    assert small[1] < HORIZON_WORK / 5
    assert horizon_cost(2000, 4, 2, 2, len(DELTA_GRID))[1] == pytest.approx(2 * small[1])


def test_a_finite_horizon_of_a_thousand_periods_is_analysed_quickly():
    """It took minutes when every discount factor of the Nash scan ran its own Python loop over the periods."""
    g = RepeatedGame(PD, 0.9, (0, 0), (1, 1), horizon=1000)
    res = analyse_profile(g, "always_defect", g.profile("always_defect"))
    assert res.subgame_perfect and res.nash
    assert res.critical_delta_overall == 0.0


@pytest.mark.parametrize("k, turns, reps, problem, unit", [
    (3000, 10, 10, "a round robin of 3,000 strategies with 10 repetitions", "GiB"),
    (2, 10**10, 1, "a round robin of 2 strategies with 1 repetition of 1e+10 turns", "match turns"),
])
def test_tournaments_past_the_budget_are_refused(k, turns, reps, problem, unit):
    with allocates_at_most(1), pytest.raises(InputError) as info:
        check_tournament(k, turns, reps)
    message = str(info.value)
    assert problem in message and unit in message and "remedy: fewer" in message


def test_round_robin_refuses_before_building_its_automata():
    g = RepeatedGame(PD, None, (0, 0), (1, 1))
    strategies = [("generous_tit_for_tat", {"generosity": k / 3000}) for k in range(3000)]
    with allocates_at_most(8), pytest.raises(InputError, match="a round robin of 3,000 strategies"):
        round_robin(g, strategies, turns=10, repetitions=10)


def test_the_tournament_estimate_admits_the_default_and_counts_the_score_tables():
    memory, work = tournament_cost(10, 200, 10)
    assert memory < MEMORY_BYTES / 1000 and work < TOURNAMENT_TURNS / 1000
    # the (repetitions, K, K) tables dominate a large field: 3,000 strategies measured 3.3 GB
    assert 2e9 < tournament_cost(3000, 10, 10)[0] < 8e9


def test_astronomical_sizes_are_refused_not_overflowed():
    # a k of 2.4e51 (a fuzzed scenario): float ** raised OverflowError inside the estimate
    from coop.solvers.repeated.sizes import check_joint_states, joint_states_cost, scan_cost

    k = 2375668978229577117285137456430076948381023703400448
    assert joint_states_cost([k, k], [2, 2])[2] == float("inf")
    assert joint_states_cost([10**200, 10**200], [2, 2])[1:] == (float("inf"), float("inf"))
    assert scan_cost(10**400, 2) == (float("inf"), float("inf"))
    with pytest.raises(InputError, match="joint automaton states"):
        check_joint_states([k, k], [2, 2])
