"""One infinite population in groups: fitness, the gradient and its roots, against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coop.errors import InputError
from coop.games.population import PopulationGame, collective_risk_dilemma
from coop.inputs import load_input
from coop.solvers.evolution.dynamics import fitness, population_model
from coop.solvers.evolution.fixation import birth_death
from coop.solvers.evolution.group_replicator import (
    gradient_polynomial,
    group_fitness,
    group_replicator_field,
    group_rest_points,
)
from coop.solvers.evolution.rest_points import rest_points
from tests.textbook_games import chicken, stag_hunt


def test_fitness_is_the_diagonal_of_one_population_per_player():
    """With every player's population at the same shares, each population's fitness is the group fitness."""
    game = load_input("collective-risk", {"risk": 0.7}).game
    pop = PopulationGame.from_normal_form(game)
    model = population_model(game, "per_player")
    for p in (0.0, 0.2, 0.5, 0.93, 1.0):
        x = np.array([p, 1 - p])
        per_player = fitness(model, np.tile(x, game.num_players))
        np.testing.assert_allclose(model.split(per_player)[0], group_fitness(pop, x), atol=1e-12)


@pytest.mark.parametrize("risk", [0.1, 0.5, 0.9])
def test_roots_are_the_sign_changes_of_the_sampled_gradient(risk):
    game = collective_risk_dilemma(group_size=6, threshold=3, cost=0.1, risk=risk)
    grid = np.linspace(1e-6, 1 - 1e-6, 20001)
    g = np.array([group_fitness(game, [p, 1 - p]) @ [1.0, -1.0] for p in grid])
    changes = grid[np.flatnonzero(np.sign(g[1:]) != np.sign(g[:-1]))]
    rp = group_rest_points(game)
    interior = [float(p.state[0]) for p in rp.points[1:-1]]
    assert len(interior) == len(changes)
    np.testing.assert_allclose(interior, changes, atol=1e-4)
    # the polynomial is the same function
    poly = gradient_polynomial(game)
    np.testing.assert_allclose(poly(grid[::500]), g[::500], atol=1e-12)


def test_collective_risk_regimes():
    """Santos and Pacheco (2011), infinite population: high risk gives a threshold and a coexistence point."""
    high = group_rest_points(collective_risk_dilemma(group_size=6, threshold=3, cost=0.1, risk=0.9))
    assert [p.stability for p in high.points] == ["stable", "unstable", "stable", "unstable"]
    low = group_rest_points(collective_risk_dilemma(group_size=6, threshold=3, cost=0.1, risk=0.1))
    assert [p.stability for p in low.points] == ["stable", "unstable"]  # defection takes over


def test_large_finite_populations_approach_the_infinite_roots():
    game = collective_risk_dilemma(group_size=6, threshold=3, cost=0.1, risk=0.9)
    infinite = [float(p.state[0]) for p in group_rest_points(game).points[1:-1]]
    bd = birth_death(game, 3000, 1.0, "C", "D")
    g = np.asarray(bd.gradient)[1:-1]
    k = np.arange(1, 3000)
    finite = (k[np.flatnonzero(np.sign(g[1:]) != np.sign(g[:-1]))] + 0.5) / 3000
    np.testing.assert_allclose(finite, infinite, atol=5e-3)


@pytest.mark.parametrize("stage", [stag_hunt(), chicken()], ids=["stag", "chicken"])
def test_pairs_agree_with_the_matrix_replicator(stage):
    """N = 2: the group game is the matrix game; same rest points and stability as the matrix replicator."""
    pop = PopulationGame.from_matrix(stage.payoffs[0], stage.actions[0])
    ours = group_rest_points(pop)
    ref = rest_points(stage, "replicator", populations="one")
    assert len(ours.points) == len(ref.points)
    for p in ref.points:
        match = [q for q in ours.points if np.allclose(q.state, p.state, atol=1e-9)]
        assert len(match) == 1 and match[0].stability == p.stability
    x = np.array([0.3, 0.7])
    f = stage.payoffs[0] @ x
    np.testing.assert_allclose(group_replicator_field(pop, x), x * (f - x @ f), atol=1e-12)


def test_neutral_game_and_bad_states():
    flat = PopulationGame.from_matrix([[1.0, 1.0], [1.0, 1.0]], ("A", "B"))
    assert {p.stability for p in group_rest_points(flat).points} == {"non-hyperbolic"}
    game = collective_risk_dilemma(group_size=4, threshold=2, cost=0.1, risk=0.9)
    with pytest.raises(InputError, match="on the simplex"):
        group_fitness(game, [0.7, 0.7])
    with pytest.raises(InputError, match="needs 2 shares"):
        group_fitness(game, [1.0])
    three = PopulationGame.from_matrix(np.eye(3), ("a", "b", "c"))
    with pytest.raises(InputError, match="2 strategies"):
        gradient_polynomial(three)
    assert math.isclose(float(group_fitness(three, [0.2, 0.3, 0.5])[2]), 0.5)
