"""Symmetric games: the symmetry check, and support enumeration by orbits of player permutations.

In a symmetric game renaming the players maps equilibria to equilibria, so
:func:`polynomial_support_enumeration` solves one support profile per orbit (and, within a system, looks
only where players with one support are sorted) and permutes the roots. The oracle is the same function with
``symmetric=False``, which solves every support profile over the whole box, and pygambit's ``enumpoly_solve``
(whose equilibria must all be among ours).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from coop.games import NormalFormGame
from coop.solvers.nash.polynomial_support import (
    _arrangements,
    polynomial_support_enumeration,
    support_search,
)
from tests import regret
from tests.oracles import gambit_flat, pygambit


def symmetric_game(n: int, a: int, seed: int, integer: bool = False) -> NormalFormGame:
    """A random symmetric game: u_i(a) = f(a_i, the multiset of the others' actions)."""
    rng = np.random.default_rng(seed)
    table: dict[tuple[int, tuple[int, ...]], float] = {}
    payoffs = np.zeros((n,) + (a,) * n)
    for profile in itertools.product(range(a), repeat=n):
        for i in range(n):
            key = (profile[i], tuple(sorted(profile[:i] + profile[i + 1:])))
            if key not in table:
                table[key] = float(rng.integers(0, 5)) if integer else float(rng.standard_normal())
            payoffs[(i, *profile)] = table[key]
    return NormalFormGame.from_payoffs(payoffs)


def brute_force_symmetric(game: NormalFormGame) -> bool:
    """The definition, over every permutation of the players."""
    n = game.num_players
    if len(set(game.num_actions)) != 1:
        return False
    for sigma in itertools.permutations(range(n)):
        for profile in itertools.product(*(range(a) for a in game.num_actions)):
            moved = [0] * n
            for j in range(n):
                moved[sigma[j]] = profile[j]
            for i in range(n):
                if game.payoffs[(sigma[i], *moved)] != game.payoffs[(i, *profile)]:
                    return False
    return True


def _flat(result) -> np.ndarray:
    return np.array(sorted(tuple(np.round(np.concatenate(eq.strategies), 7)) for eq in result.equilibria))


@pytest.mark.parametrize("n, a", [(2, 2), (2, 3), (3, 2), (3, 3), (4, 2)])
@pytest.mark.parametrize("seed", range(3))
def test_is_symmetric_matches_the_definition(n, a, seed):
    game = symmetric_game(n, a, seed)
    assert game.is_symmetric and brute_force_symmetric(game)
    rng = np.random.default_rng(seed)
    broken = game.payoffs.copy()
    where = tuple(int(x) for x in rng.integers(0, a, size=n))
    broken[(int(rng.integers(n)), *where)] += 1.0
    other = NormalFormGame.from_payoffs(broken)
    assert other.is_symmetric == brute_force_symmetric(other)


def test_is_symmetric_small_cases():
    pd = np.array([[3.0, 0.0], [5.0, 1.0]])
    assert NormalFormGame.symmetric(pd).is_symmetric
    assert not NormalFormGame.from_bimatrix(pd, pd).is_symmetric  # both players' own payoff on the rows
    assert not NormalFormGame.from_payoffs(np.zeros((2, 2, 3))).is_symmetric  # different action counts
    assert NormalFormGame.from_payoffs(np.zeros((3, 2, 2, 2))).is_symmetric


@pytest.mark.parametrize("labels", [[0, 0, 0], [0, 1, 2], [0, 0, 2, 2], [0, 1, 1, 3, 3, 3]])
def test_arrangements_are_the_distinct_orderings(labels):
    got = list(_arrangements(labels))
    assert len(got) == len(set(got))
    assert set(got) == set(itertools.permutations(labels))
    counts = [labels.count(x) for x in set(labels)]
    assert len(got) == math.factorial(len(labels)) // math.prod(math.factorial(c) for c in counts)


@pytest.mark.parametrize("n, a, seed", [(3, 2, 0), (3, 2, 1), (3, 3, 0), (3, 3, 1), (4, 2, 0), (4, 2, 1),
                                        (5, 2, 0)])
def test_orbits_give_the_same_equilibria_as_every_support(n, a, seed):
    game = symmetric_game(n, a, seed)
    fast = polynomial_support_enumeration(game)
    full = polynomial_support_enumeration(game, symmetric=False)
    assert fast.guarantee == full.guarantee == "all"
    assert len(fast.equilibria) == len(full.equilibria)
    assert len(fast.equilibria) % 2 == 1  # generic games have an odd number (Wilson 1971)
    np.testing.assert_allclose(_flat(fast), _flat(full), atol=1e-6)
    assert any("orbit" in note for note in fast.notes)
    assert not any("orbit" in note for note in full.notes)
    for eq in fast.equilibria:
        assert regret.is_equilibrium(game, eq.strategies)


@pytest.mark.parametrize("seed", range(3))
def test_integer_symmetric_games_agree(seed):
    """Integer payoffs give ties and non-isolated solutions: both ways must still report the same points."""
    game = symmetric_game(3, 2, 10 + seed, integer=True)
    fast = polynomial_support_enumeration(game)
    full = polynomial_support_enumeration(game, symmetric=False)
    assert fast.guarantee == full.guarantee
    if fast.guarantee == "all":
        np.testing.assert_allclose(_flat(fast), _flat(full), atol=1e-6)


def test_group_of_six_collective_risk():
    """Santos and Pacheco's threshold game in a group of six (the bundled collective-risk scenario): 305
    equilibria, the same from the 28 orbits as from all 729 support profiles."""
    from coop.inputs import load_input

    game = load_input("collective-risk").game
    assert game.is_symmetric
    fast = polynomial_support_enumeration(game)
    full = polynomial_support_enumeration(game, symmetric=False)
    assert len(fast.equilibria) == len(full.equilibria) == 305
    np.testing.assert_allclose(_flat(fast), _flat(full), atol=1e-6)
    assert fast.num_iter == 28 and full.num_iter == 729


@pytest.mark.parametrize("seed", range(2))
def test_contains_pygambit_enumpoly(seed):
    game = symmetric_game(3, 2, 20 + seed)
    ours = [np.concatenate(eq.strategies) for eq in polynomial_support_enumeration(game).equilibria]
    theirs = [gambit_flat(eq) for eq in pygambit.nash.enumpoly_solve(game.to_gambit()).equilibria]
    for q in theirs:
        if game.max_regret(np.split(q, [2, 4])) <= 1e-7 * game.payoff_scale:
            assert min(np.max(np.abs(p - q)) for p in ours) <= 1e-6


def test_symmetric_flag_is_ignored_for_asymmetric_games():
    rng = np.random.default_rng(3)
    game = NormalFormGame.from_payoffs(rng.standard_normal((3, 2, 2, 2)))
    assert not game.is_symmetric
    a = polynomial_support_enumeration(game, symmetric=True)
    b = polynomial_support_enumeration(game)
    np.testing.assert_allclose(_flat(a), _flat(b), atol=1e-9)
    assert a.num_iter == 27


def test_support_search_on_a_symmetric_game_is_verified():
    game = symmetric_game(4, 3, 5)
    res = support_search(game)
    assert res.equilibria
    for eq in res.equilibria:
        assert regret.is_equilibrium(game, eq.strategies)
