"""Rest points, stability and basins: closed forms for 2x2 games, coop's equilibria, finite differences, simulation.

Closed forms: for a 2-action population, x' = x(1-x)(f_1 - f_2); the interior rest point solves f_1 = f_2 and
its eigenvalue is x(1-x) d(f_1 - f_2)/dx; at a vertex the eigenvalue is the payoff gain of the other action.
Cross-checks: every Nash equilibrium (coop's solve_game) of a symmetric game is a replicator rest point of one
population; the analytic Jacobians equal central finite differences of the field; basin fractions of the stag
hunt equal the share of grid points on each side of the mixed equilibrium.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.evolution.dynamics import population_model, vector_field
from coop.solvers.evolution.rest_points import basins, field_jacobian, rest_points
from coop.solvers.nash.solve import solve_game
from tests import textbook_games as tg

PROB_TOL = 1e-9
EIG_TOL = 1e-9


def _states(res):
    return [np.asarray(p.state) for p in res.points]


def _find(res, state, tol=PROB_TOL):
    hits = [p for p in res.points if np.max(np.abs(p.state - np.asarray(state))) <= tol]
    assert len(hits) == 1, f"{state} not found once in {[p.state for p in res.points]}"
    return hits[0]


# (game, [(state, stability, real eigenvalue or None)]) -- the closed forms in the module docstring
TWO_BY_TWO = [
    pytest.param(tg.prisoners_dilemma, [([0, 1], "stable", -1.0), ([1, 0], "unstable", 2.0)], id="pd"),
    # stag hunt 4,0 / 3,2: vertices -1 and -2; interior 2/3 with eigenvalue (2/3)(1/3) * 3 = 2/3
    pytest.param(tg.stag_hunt, [([1, 0], "stable", -1.0), ([0, 1], "stable", -2.0),
                                ([2 / 3, 1 / 3], "unstable", 2 / 3)], id="stag_hunt"),
    # chicken 6,2 / 7,0: f_1 - f_2 = 2 - 3x, interior 2/3 with eigenvalue (2/9)(-3) = -2/3
    pytest.param(tg.chicken, [([1, 0], "unstable", 1.0), ([0, 1], "unstable", 2.0),
                              ([2 / 3, 1 / 3], "stable", -2 / 3)], id="hawk_dove"),
]


@pytest.mark.parametrize("factory, expected", TWO_BY_TWO)
def test_replicator_two_by_two_closed_forms(factory, expected):
    res = rest_points(factory())
    assert res.model.one_population
    assert len(res) == len(expected)
    for state, label, eig in expected:
        p = _find(res, state)
        assert p.stability == label
        assert p.eigenvalues.shape == (1,)
        assert abs(p.eigenvalues[0] - eig) <= EIG_TOL
        assert p.field_norm <= 1e-12


def test_rock_paper_scissors_interior_centre():
    res = rest_points(np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]))
    p = _find(res, [1 / 3, 1 / 3, 1 / 3])
    assert p.stability == "centre"
    # linearisation at the barycentre: eigenvalues +-i/sqrt(3)
    np.testing.assert_allclose(sorted(np.imag(p.eigenvalues)), [-1 / np.sqrt(3), 1 / np.sqrt(3)], atol=1e-12)
    assert {q.stability for q in res.points if q is not p} == {"saddle"}
    assert len(res) == 4  # three vertices and the centre; no rest point on the edges


def test_matching_pennies_two_populations_centre():
    res = rest_points(tg.matching_pennies())
    assert res.model.names == ("Matcher", "Mismatcher")
    p = _find(res, [0.5, 0.5, 0.5, 0.5])
    assert p.stability == "centre"
    np.testing.assert_allclose(sorted(np.imag(p.eigenvalues)), [-1.0, 1.0], atol=1e-12)
    assert len(res) == 5


def test_three_populations_two_actions():
    game = tg.three_player_matching_pennies()
    res = rest_points(game)
    assert len(res.model.names) == 3
    # the 8 vertices plus the interior equilibrium (1/2 each)
    assert sum(all(np.count_nonzero(b) == 1 for b in res.model.split(p.state)) for p in res.points) == 8
    _find(res, [0.5] * 6)
    for p in res.points:
        np.testing.assert_allclose(vector_field(game, p.state), 0.0, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_replicator_rest_points_include_symmetric_nash_equilibria(seed):
    rng = np.random.default_rng(seed)
    k = 3 + seed % 2
    game = NormalFormGame.symmetric(rng.standard_normal((k, k)))
    res = rest_points(game)
    sol = solve_game(game)
    symmetric = [eq for eq in sol.equilibria if np.max(np.abs(eq.strategies[0] - eq.strategies[1])) <= 1e-9]
    assert symmetric
    for eq in symmetric:
        _find(res, eq.strategies[0], tol=1e-7)
    # and every rest point has fitness equal on its support (checked independently of the solver)
    A = np.asarray(game.payoffs[0])
    for p in res.points:
        f = A @ p.state
        supp = p.state > 1e-12
        assert np.ptp(f[supp]) <= 1e-9


@pytest.mark.parametrize("dynamic", ["replicator", "logit"])
def test_analytic_jacobian_equals_finite_differences(dynamic):
    rng = np.random.default_rng(3)
    game = NormalFormGame.from_payoffs(rng.standard_normal((3, 2, 3, 2)))
    model = population_model(game, "per_player")
    x = np.concatenate([rng.dirichlet(np.ones(k)) for k in (2, 3, 2)])
    J = field_jacobian(model, x, dynamic, 0.4)
    h = 1e-6
    fd = np.column_stack([(vector_field(game, x + h * e, dynamic, eta=0.4)
                           - vector_field(game, x - h * e, dynamic, eta=0.4)) / (2 * h) for e in np.eye(7)])
    np.testing.assert_allclose(J, fd, atol=1e-7)


def test_logit_rest_point_approaches_nash_as_noise_falls():
    game = tg.chicken()  # unique symmetric Nash equilibrium p(Swerve) = 2/3, stable
    gaps = []
    for eta in (1.0, 0.1, 0.01):
        res = rest_points(game, "logit", eta=eta)
        assert len(res) == 1 and res.points[0].stability == "stable"
        gaps.append(abs(res.points[0].state[0] - 2 / 3))
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-2


@pytest.mark.parametrize("dynamic", ["bnn", "smith"])
def test_bnn_and_smith_rest_points_are_nash_equilibria(dynamic):
    # Nash stationarity (Sandholm 2010, 5.5): rest points are exactly the Nash equilibria
    for factory, n_eq in ((tg.stag_hunt, 3), (tg.chicken, 1), (tg.prisoners_dilemma, 1)):
        res = rest_points(factory(), dynamic)
        assert len(res) == n_eq, factory.__name__
        A = np.asarray(factory().payoffs[0])
        for p in res.points:
            f = A @ p.state
            assert f.max() - f @ p.state <= 1e-9


def test_best_response_rest_points_and_labels():
    res = rest_points(tg.stag_hunt(), "best_response")
    assert [p.stability for p in res.points] == ["stable", "stable", "not-differentiable"]
    assert res.method == "nash_equilibria" and not res.smooth


def test_stability_agrees_with_simulation():
    # start near each rest point of the stag hunt and check where the replicator goes
    from coop.solvers.evolution.dynamics import integrate

    A = np.array([[4.0, 0.0], [3.0, 2.0]])
    for p in rest_points(A).points:
        for d in (1e-3, -1e-3):
            x0 = np.clip(p.state + np.array([d, -d]), 0, 1)
            x0 /= x0.sum()
            end = integrate(A, x0, [0.0, 30.0]).final[0]
            moved = np.max(np.abs(end - p.state))
            if p.stability == "stable":
                assert moved < 1e-3
            else:
                assert moved > 0.1 or np.allclose(x0, p.state)


def test_basins_of_the_stag_hunt():
    res = basins(tg.stag_hunt(), resolution=30)
    assert [np.round(a.state, 9).tolist() for a in res.attractors] == [[1.0, 0.0], [0.0, 1.0]]
    x_stag = res.starts[:, 0]
    # x > 2/3 goes to stag, x < 2/3 to hare, x = 2/3 (a grid point at resolution 30) stays
    np.testing.assert_array_equal(res.labels[x_stag > 2 / 3 + 1e-9], 0)
    np.testing.assert_array_equal(res.labels[x_stag < 2 / 3 - 1e-9], 1)
    assert res.unconverged == pytest.approx(1 / 29)
    np.testing.assert_allclose(res.fractions, [np.mean(x_stag > 2 / 3 + 1e-9), np.mean(x_stag < 2 / 3 - 1e-9)])
    json.dumps(res.to_dict())


def test_basins_of_rock_paper_scissors_do_not_converge():
    res = basins(np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]), resolution=6, t_end=50.0)
    assert res.attractors == () and res.unconverged == 1.0


def test_rest_points_to_dict_is_json():
    d = json.loads(json.dumps(rest_points(tg.stag_hunt()).to_dict()))
    assert d["rest_points"][0]["state"] == {"population": {"Stag": 1.0, "Hare": 0.0}}
    assert d["rest_points"][0]["stability"] == "stable"


def test_bad_input():
    with pytest.raises(InputError, match="unknown dynamic"):
        rest_points(tg.stag_hunt(), "imitation")
    with pytest.raises(InputError, match="symmetric"):
        rest_points(tg.battle_of_the_sexes(), populations="one")
    with pytest.raises(InputError, match="t_end"):
        basins(tg.stag_hunt(), t_end=-1.0)


@settings(deadline=None, max_examples=15)
@given(st.integers(0, 2**31), st.integers(2, 4))
def test_replicator_rest_points_are_rest_points(seed, k):
    rng = np.random.default_rng(seed)
    A = rng.uniform(-3, 3, (k, k))
    res = rest_points(A)
    assert len(res) >= k  # every vertex is a rest point
    for p in res.points:
        assert p.state.min() >= 0 and abs(p.state.sum() - 1) <= 1e-12
        np.testing.assert_allclose(vector_field(A, p.state), 0.0, atol=1e-9)
    # at least one Nash equilibrium of the symmetric game is among them (every symmetric game has one)
    assert any((A @ p.state).max() - p.state @ A @ p.state <= 1e-9 for p in res.points)
