"""Equilibria of symmetric group games by counts, against the normal form, the group replicator and closed forms.

* Pure equilibria by composition equal the pure equilibria of the normal form (coop's brute-force kernel),
  grouped by how many play each action, with N! / prod(k_a!) profiles each.
* Symmetric mixed equilibria (two actions) equal the symmetric equilibria among every equilibrium of the
  normal form (coop's enumeration, and pygambit's for N = 3), and the interior rest points of the replicator
  dynamic in groups (Santos and Pacheco 2011, Fig. 1; coop.solvers.evolution.group_replicator).
* Closed forms: the N-person stag hunt of Pacheco et al. (2009) and a polynomial with a double root.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coop.games.normal_form import NormalFormGame
from coop.games.population import PopulationGame, collective_risk_dilemma
from coop.solvers.nash.group_games import (
    group_equilibria,
    pure_count_equilibria,
    symmetric_mixed_equilibria,
)
from coop.solvers.nash.pure_nash import pure_nash_equilibria
from coop.solvers.nash.solve import solve_game
from coop.solvers.shared.compositions import binomial_table, composition_rank


def normal_form(group: PopulationGame) -> NormalFormGame:
    """The group game written out profile by profile."""
    n, m = group.group_size, group.num_strategies
    binom = binomial_table(n + m, m)
    payoffs = np.empty((n,) + (m,) * n)
    for profile in np.ndindex(*(m,) * n):
        for i in range(n):
            others = np.bincount(np.delete(np.array(profile), i), minlength=m).astype(np.int64)
            payoffs[(i, *profile)] = group.payoffs[profile[i], composition_rank(others, n - 1, binom)]
    return NormalFormGame.from_payoffs(payoffs, actions=(group.strategies,) * n)


def random_group(n: int, m: int, seed: int) -> PopulationGame:
    rng = np.random.default_rng(seed)
    return PopulationGame.from_function(lambda s, counts: float(rng.integers(0, 6)), [f"a{k}" for k in range(m)], n)


@pytest.mark.parametrize("n, m, seed", [(3, 2, 0), (4, 2, 1), (5, 2, 2), (3, 3, 3), (4, 3, 4), (6, 2, 5)])
def test_pure_equilibria_by_counts_equal_the_normal_forms(n, m, seed):
    group = random_group(n, m, seed)
    by_counts = {e.counts: e.profiles for e in pure_count_equilibria(group)}
    seen: dict[tuple[int, ...], int] = {}
    for eq in pure_nash_equilibria(normal_form(group)).equilibria:
        counts = tuple(int(v) for v in np.bincount([int(np.argmax(s)) for s in eq.strategies], minlength=m))
        seen[counts] = seen.get(counts, 0) + 1
    assert seen == by_counts
    for counts, profiles in by_counts.items():
        assert profiles == math.factorial(n) // math.prod(math.factorial(c) for c in counts)


@pytest.mark.parametrize("n, threshold, risk", [(3, 2, 0.9), (4, 2, 0.8), (4, 3, 0.95), (5, 3, 0.9)])
def test_symmetric_mixed_equal_the_symmetric_equilibria_of_the_normal_form(n, threshold, risk):
    group = collective_risk_dilemma(n, threshold, 0.1, risk)
    mixed, indifferent = symmetric_mixed_equilibria(group)
    assert not indifferent
    solution = solve_game(normal_form(group))
    symmetric = sorted(float(eq.strategies[0][0]) for eq in solution.equilibria
                       if all(np.allclose(s, eq.strategies[0], atol=1e-9) for s in eq.strategies)
                       and 1e-9 < eq.strategies[0][0] < 1 - 1e-9)
    np.testing.assert_allclose([e.x for e in mixed], symmetric, atol=1e-8)


def test_symmetric_mixed_agree_with_pygambit():
    """Every symmetric, strictly mixed equilibrium that pygambit's enumpoly reports (and that passes a regret
    check: enumpoly returns occasional non-equilibria) is one of ours, on a random symmetric 3-member game."""
    from tests.oracles import gambit_strategies
    from tests.oracles import pygambit as gbt

    rng = np.random.default_rng(13)  # two symmetric mixed equilibria, x = 0.168 and 0.938
    group = PopulationGame.two_strategy(rng.normal(size=3), rng.normal(size=3), ("A", "B"))
    game = normal_form(group)
    ours = [e.x for e in symmetric_mixed_equilibria(group)[0]]
    checked = 0
    for prof in gbt.nash.enumpoly_solve(game.to_gambit()).equilibria:
        rows = [np.asarray(r, dtype=float) for r in gambit_strategies(prof)]
        x = rows[0][0]
        if not (all(np.allclose(r, rows[0], atol=1e-6) for r in rows) and 1e-6 < x < 1 - 1e-6):
            continue
        if game.max_regret(rows) > 1e-7 * game.payoff_scale:
            continue
        checked += 1
        assert any(abs(x - o) <= 1e-6 for o in ours), (x, ours)
    assert checked >= 1  # the test compares something: this game has a symmetric mixed equilibrium


@pytest.mark.parametrize("n, threshold, risk", [(6, 3, 0.9), (10, 5, 0.5), (20, 10, 0.9)])
def test_roots_are_the_group_replicators_rest_points(n, threshold, risk):
    from coop.solvers.evolution.group_replicator import group_rest_points

    group = collective_risk_dilemma(n, threshold, 0.1, risk)
    mixed, _ = symmetric_mixed_equilibria(group)
    rest = group_rest_points(group)
    interior = [(float(p.state[0]), p.stability == "stable") for p in rest.points if 1e-9 < p.state[0] < 1 - 1e-9]
    assert [(round(x, 7), s) for x, s in interior] == [(round(e.x, 7), e.stable) for e in mixed]


def test_n_person_stag_hunt_closed_form():
    """Pacheco et al. (2009): each of N contributes c or not; a group with at least M contributors produces F c k / N
    (k contributors), shared by all. With N = 2 and M = 2 the root is where c = F c x / 2 ... here checked as the
    zero of the expected advantage computed directly with binomial weights."""
    from scipy.stats import binom

    n, m_thr, F, c = 8, 4, 6.0, 1.0

    def payoff(s: int, counts: tuple[int, ...]) -> float:
        k = counts[0] + (s == 0)
        return (F * c * k / n if k >= m_thr else 0.0) - c * (s == 0)

    group = PopulationGame.from_function(payoff, ("C", "D"), n)
    mixed, _ = symmetric_mixed_equilibria(group)
    for e in mixed:
        j = np.arange(n)
        w = binom.pmf(j, n - 1, e.x)
        gain = sum(w[i] * (payoff(0, (i, n - 1 - i)) - payoff(1, (i, n - 1 - i))) for i in j)
        assert abs(gain) <= 1e-12
    assert [e.stable for e in mixed] == [False, True]  # a tipping point below a stable mix (Pacheco et al., Fig. 2)


def test_a_double_root_touching_zero():
    """f(x) = (x - 1/2)^2 in Bernstein form of degree 2 (N = 3): d = (1/4, -1/4, 1/4); x = 1/2 is an
    equilibrium where f does not change sign: not stable."""
    d = np.array([0.25, -0.25, 0.25])
    group = PopulationGame.two_strategy(d, np.zeros(3), ("A", "B"))
    mixed, _ = symmetric_mixed_equilibria(group)
    assert [round(e.x, 6) for e in mixed] == [0.5]
    assert not mixed[0].stable


def test_indifferent_and_none():
    flat = PopulationGame.two_strategy(np.full(4, 2.0), np.full(4, 2.0), ("A", "B"))
    assert symmetric_mixed_equilibria(flat) == ((), True)
    public_good = PopulationGame.two_strategy([3 * (j + 1) / 4 - 1 for j in range(4)], [3 * j / 4 for j in range(4)],
                                              ("C", "D"))
    res = group_equilibria(public_good)
    assert res.symmetric_mixed == () and [e.counts for e in res.pure] == [(0, 4)]


def test_three_actions_also_have_symmetric_mixed_equilibria():
    """With three actions the symmetric mixed equilibria are computed by support
    (tests/solvers/nash/test_group_games_many_actions.py checks them); the JSON lists each over every action."""
    res = group_equilibria(random_group(4, 3, 7))
    assert res.symmetric_mixed is not None and res.complete
    doc = res.to_dict()
    assert all(list(e["strategy"]) == ["a0", "a1", "a2"] for e in doc["symmetric_mixed"])
