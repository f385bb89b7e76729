"""Evolutionary dynamics and the Dormand-Prince integrator, against closed forms, nashpy, egttools and scipy.

Oracles: nashpy's ``Game.replicator_dynamics`` (scipy ``odeint``, its default tolerances ~1.5e-8, so agreement
is checked to 1e-6), egttools' ``replicator_equation`` (the vector field), scipy's ``solve_ivp(method="DOP853",
rtol=1e-12)`` on coop's own vector field for every dynamic, a NumPy reference of each field written from the
formulas, and closed forms (exponential approach of the best-response dynamic, the rock-paper-scissors
invariant x1 x2 x3, the matching-pennies invariant).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.evolution.dynamics import integrate, population_model, simplex_grid, vector_field
from coop.solvers.evolution.names import DYNAMICS
from tests import textbook_games as tg
from tests.oracles import egttools, nashpy

TOL_ORACLE = 1e-6  # vs nashpy (odeint at its default tolerances)
TOL_TIGHT = 1e-7  # vs DOP853 at rtol 1e-12, coop at rtol 1e-10
RPS = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])


# ----------------------------------------------------------------------------- NumPy reference fields
def reference_field(fits: list[np.ndarray], xs: list[np.ndarray], dynamic: str, eta: float) -> np.ndarray:
    out = []
    for f, x in zip(fits, xs, strict=True):
        mean = x @ f
        if dynamic == "replicator":
            out.append(x * (f - mean))
        elif dynamic == "best_response":
            br = (f >= f.max() - 1e-12).astype(float)
            out.append(br / br.sum() - x)
        elif dynamic == "logit":
            p = np.exp((f - f.max()) / eta)
            out.append(p / p.sum() - x)
        elif dynamic == "bnn":
            k = np.maximum(f - mean, 0.0)
            out.append(k - x * k.sum())
        else:
            diff = f[:, None] - f[None, :]  # diff[a, b] = f_a - f_b
            out.append(np.maximum(diff, 0) @ x - x * np.maximum(-diff, 0).sum(axis=1))
    return np.concatenate(out)


def game_fitness(game: NormalFormGame, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    cuts = np.cumsum(game.num_actions)[:-1]
    xs = np.split(x, cuts)
    return list(game.action_values(xs)), xs


# ----------------------------------------------------------------------------- vector fields
@pytest.mark.parametrize("dynamic", list(DYNAMICS))
@pytest.mark.parametrize("shape", [pytest.param((3, 3), id="3x3"), pytest.param((2, 3, 2), id="2x3x2"),
                                   pytest.param((2, 2, 2, 2), id="2x2x2x2")])
def test_field_matches_numpy_reference(dynamic, shape):
    rng = np.random.default_rng(len(shape) * 10 + list(DYNAMICS).index(dynamic))
    game = NormalFormGame.from_payoffs(rng.standard_normal((len(shape), *shape)))
    for _ in range(5):
        x = np.concatenate([rng.dirichlet(np.ones(k)) for k in shape])
        fits, xs = game_fitness(game, x)
        want = reference_field(fits, xs, dynamic, 0.3)
        got = vector_field(game, x, dynamic, eta=0.3)
        np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("dynamic", list(DYNAMICS))
def test_one_population_field_matches_reference(dynamic):
    rng = np.random.default_rng(5)
    A = rng.standard_normal((4, 4))
    for _ in range(5):
        x = rng.dirichlet(np.ones(4))
        np.testing.assert_allclose(vector_field(A, x, dynamic, eta=0.2), reference_field([A @ x], [x], dynamic, 0.2),
                                   atol=1e-12)


def test_replicator_field_equals_egttools():
    rng = np.random.default_rng(8)
    for k in (2, 3, 5):
        A = rng.standard_normal((k, k))
        x = rng.dirichlet(np.ones(k))
        np.testing.assert_allclose(vector_field(A, x), egttools.analytical.replicator_equation(x, A), atol=1e-12)


# ----------------------------------------------------------------------------- trajectories vs oracles
@pytest.mark.parametrize("k, seed", [pytest.param(2, 0, id="2x2"), pytest.param(3, 1, id="3x3"),
                                     pytest.param(5, 2, id="5x5"), pytest.param(10, 3, id="10x10")])
def test_replicator_matches_nashpy(k, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((k, k))
    x0 = rng.dirichlet(np.ones(k))
    times = np.linspace(0.0, 20.0, 201)
    theirs = nashpy.Game(A).replicator_dynamics(y0=x0, timepoints=times)  # nashpy: row payoffs, fitness A x
    mine = integrate(A, x0, times)
    assert mine.success
    np.testing.assert_allclose(mine.states, theirs, atol=TOL_ORACLE)


def test_asymmetric_replicator_matches_nashpy():
    rng = np.random.default_rng(4)
    A, B = rng.standard_normal((2, 3, 4))
    x0, y0 = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(4))
    times = np.linspace(0.0, 10.0, 51)
    xs, ys = nashpy.Game(A, B).asymmetric_replicator_dynamics(x0=x0, y0=y0, timepoints=times)
    mine = integrate(NormalFormGame.from_bimatrix(A, B), [x0, y0], times)
    np.testing.assert_allclose(mine.population(0), xs, atol=TOL_ORACLE)
    np.testing.assert_allclose(mine.population(1), ys, atol=TOL_ORACLE)


DOP853_CASES = [
    pytest.param(dyn, game, id=f"{dyn}-{gid}")
    for dyn in DYNAMICS
    for gid, game in [("rand3", "rand3"), ("2pop", "2pop"), ("3pop", "3pop")]
    if dyn != "best_response"
] + [pytest.param("best_response", "stag", id="best_response-stag")]


def _dop_game(name: str):
    rng = np.random.default_rng(21)
    if name == "rand3":
        return rng.standard_normal((3, 3)), rng.dirichlet(np.ones(3))
    if name == "stag":
        return np.array([[4.0, 0.0], [3.0, 2.0]]), np.array([0.5, 0.5])
    if name == "2pop":
        g = NormalFormGame.from_payoffs(rng.standard_normal((2, 3, 2)))
        return g, np.concatenate([rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(2))])
    g = NormalFormGame.from_payoffs(rng.standard_normal((3, 2, 2, 2)))
    return g, np.concatenate([rng.dirichlet(np.ones(2)) for _ in range(3)])


@pytest.mark.parametrize("dynamic, game_name", DOP853_CASES)
def test_trajectory_matches_scipy_dop853(dynamic, game_name):
    game, x0 = _dop_game(game_name)
    times = np.linspace(0.0, 15.0, 31)
    mine = integrate(game, x0, times, dynamic, eta=0.25, rtol=1e-10, atol=1e-12)
    ref = solve_ivp(lambda t, x: vector_field(game, x, dynamic, eta=0.25), (0.0, 15.0), x0, method="DOP853",
                    t_eval=times, rtol=1e-12, atol=1e-14)
    assert mine.success and ref.success
    np.testing.assert_allclose(mine.states, ref.y.T, atol=TOL_TIGHT)


@pytest.mark.parametrize("k, seed", [pytest.param(3, 5, id="3x3"), pytest.param(6, 6, id="6x6")])
def test_one_population_kernel_matches_two_identical_populations(k, seed):
    # the one-population replicator has its own kernel; a symmetric game played by two populations that start
    # at the same state runs the general kernel, and both populations follow the one-population trajectory
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((k, k))
    x0 = rng.dirichlet(np.ones(k))
    times = np.linspace(0.0, 30.0, 601)
    one = integrate(A, x0, times, rtol=1e-10, atol=1e-13)
    two = integrate(NormalFormGame.from_bimatrix(A, A.T), [x0, x0], times, populations="per_player", rtol=1e-10,
                    atol=1e-13)
    assert one.success and two.success
    np.testing.assert_allclose(two.population(0), one.states, atol=TOL_TIGHT)
    np.testing.assert_allclose(two.population(1), one.states, atol=TOL_TIGHT)


@pytest.mark.parametrize("dynamic", ["replicator", "bnn"])
def test_overflowing_payoffs_stop_as_not_finite(dynamic):
    A = np.array([[1e308, -1e308], [-1e308, 1e308]])
    traj = integrate(A, [0.3, 0.7], [0.0, 1.0], dynamic)
    assert not traj.success and "NaN or infinite" in traj.message
    np.testing.assert_array_equal(traj.states, [[0.3, 0.7]])


def test_best_response_closed_form():
    # From 50% stag in the stag hunt the best response is stag throughout: x(t) = e_stag + (x0 - e_stag) e^{-t}
    times = np.linspace(0.0, 5.0, 26)
    traj = integrate(np.array([[4.0, 0.0], [3.0, 2.0]]), [0.7, 0.3], times, "best_response")
    want_stag = 1.0 - 0.3 * np.exp(-times)
    np.testing.assert_allclose(traj.states[:, 0], want_stag, atol=1e-8)


def test_rock_paper_scissors_conserves_product():
    # Hofbauer and Sigmund (1998), 7.7: for zero-sum RPS, x1 x2 x3 is a constant of motion of the replicator
    x0 = np.array([0.5, 0.3, 0.2])
    traj = integrate(RPS, x0, np.linspace(0.0, 200.0, 2001), rtol=1e-10, atol=1e-12)
    prod = traj.states.prod(axis=1)
    np.testing.assert_allclose(prod, x0.prod(), rtol=1e-7)
    assert np.ptp(traj.states[:, 0]) > 0.2  # and it does cycle


def test_matching_pennies_two_populations_cycle():
    # 2-population replicator of matching pennies: H = log x_H + log x_T + log y_H + log y_T is conserved
    # (Hofbauer and Sigmund 1998, 10.3, for zero-sum bimatrix games with an interior equilibrium)
    game = tg.matching_pennies()
    traj = integrate(game, [[0.8, 0.2], [0.4, 0.6]], np.linspace(0.0, 50.0, 501), rtol=1e-10, atol=1e-12)
    H = np.log(traj.states).sum(axis=1)
    np.testing.assert_allclose(H, H[0], atol=1e-6)


def test_three_populations_of_two_actions():
    game = tg.three_player_matching_pennies()
    x0 = [[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]]
    traj = integrate(game, x0, np.linspace(0.0, 10.0, 11))
    assert traj.states.shape == (11, 6)
    ref = solve_ivp(lambda t, x: vector_field(game, x), (0, 10), np.concatenate(x0), method="DOP853",
                    t_eval=traj.times, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(traj.states, ref.y.T, atol=1e-6)


def test_logit_trajectory_reaches_a_rest_point_near_nash_as_noise_falls():
    # Chicken: unique symmetric equilibrium p(Swerve) = 2/3; the logit rest point tends to it as eta -> 0
    A = np.array([[6.0, 2.0], [7.0, 0.0]])
    gaps = []
    for eta in (0.5, 0.1, 0.02):
        end = integrate(A, [0.5, 0.5], [0.0, 200.0], "logit", eta=eta).final[0]
        np.testing.assert_allclose(vector_field(A, end, "logit", eta=eta), 0.0, atol=1e-7)
        gaps.append(abs(end[0] - 2.0 / 3.0))
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 0.01


# ----------------------------------------------------------------------------- result object and options
def test_trajectory_to_dict_is_json_and_labelled():
    game = tg.stag_hunt()
    traj = integrate(game, [0.9, 0.1], [0.0, 1.0, 2.0])
    assert traj.model.one_population  # symmetric game and a state of length 2: one population
    d = json.loads(json.dumps(traj.to_dict()))
    assert d["populations"] == ["population"]
    assert list(d["states"]["population"]) == ["Stag", "Hare"]
    assert d["times"] == [0.0, 1.0, 2.0]
    assert d["states"]["population"]["Stag"][0] == pytest.approx(0.9)
    two = integrate(game, [0.9, 0.1, 0.2, 0.8], [0.0, 1.0])
    assert two.model.names == ("Row", "Column")


def test_scalar_end_time_gives_101_points_and_start_is_kept():
    traj = integrate(RPS, [0.2, 0.3, 0.5], 10.0)
    assert traj.times.shape == (101,) and traj.times[-1] == 10.0
    np.testing.assert_array_equal(traj.states[0], [0.2, 0.3, 0.5])


def test_step_limit_reported():
    traj = integrate(RPS, [0.2, 0.3, 0.5], [0.0, 1.0, 100.0], max_steps=5)
    assert not traj.success and "step limit" in traj.message
    assert len(traj.times) < 3


def test_faces_are_invariant_under_replicator():
    traj = integrate(RPS, [0.4, 0.6, 0.0], [0.0, 30.0])
    assert traj.final[0][2] == 0.0


def test_simplex_grid():
    g = simplex_grid([3], 4)
    assert g.shape == (3, 3) and np.all(g > 0)
    np.testing.assert_allclose(g.sum(axis=1), 1.0)
    full = simplex_grid([2, 3], 2, interior=False)
    assert full.shape == (3 * 6, 5)


BAD = [
    pytest.param(dict(x0=[0.5, 0.6]), "sums to", id="off-simplex"),
    pytest.param(dict(x0=[1.2, -0.2]), "negative", id="negative"),
    pytest.param(dict(x0=[0.5, 0.25, 0.25]), "expected 2", id="wrong-length"),
    pytest.param(dict(dynamic="logit", eta=0.0), "eta", id="eta-zero"),
    pytest.param(dict(dynamic="logit", eta=-1.0), "eta", id="eta-negative"),
    pytest.param(dict(t=[0.0, -1.0]), ">= 0", id="negative-time"),
    pytest.param(dict(t=[2.0, 1.0]), "non-decreasing", id="decreasing-times"),
    pytest.param(dict(dynamic="fictitious"), "unknown dynamic", id="unknown-dynamic"),
    pytest.param(dict(rtol=0.0), "rtol", id="rtol"),
    pytest.param(dict(populations="many"), "unknown populations", id="populations"),
]


@pytest.mark.parametrize("kwargs, fragment", BAD)
def test_bad_input(kwargs, fragment):
    args = dict(x0=[0.5, 0.5], t=[0.0, 1.0])
    args.update(kwargs)
    with pytest.raises(InputError, match=fragment) as info:
        integrate(np.array([[4.0, 0.0], [3.0, 2.0]]), **args)
    assert "\n" not in str(info.value)


def test_one_population_needs_symmetric_game():
    with pytest.raises(InputError, match="symmetric"):
        integrate(tg.battle_of_the_sexes(), [0.5, 0.5], [0.0, 1.0], populations="one")
    with pytest.raises(InputError, match="square"):
        population_model(np.ones((2, 3)))


# ----------------------------------------------------------------------------- properties
@st.composite
def matrix_and_state(draw, max_k: int = 5):
    k = draw(st.integers(2, max_k))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    A = rng.uniform(-5, 5, (k, k))
    x = rng.dirichlet(np.ones(k) * draw(st.sampled_from([0.2, 1.0, 5.0])))
    return A, x


@settings(deadline=None, max_examples=25)
@given(matrix_and_state(), st.sampled_from(list(DYNAMICS)))
def test_state_stays_on_simplex(case, dynamic):
    A, x = case
    traj = integrate(A, x, np.linspace(0.0, 20.0, 21), dynamic, eta=0.3)
    assert traj.success
    assert traj.states.min() >= 0.0
    np.testing.assert_allclose(traj.states.sum(axis=1), 1.0, atol=1e-12)


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 2**31), st.sampled_from(list(DYNAMICS)))
def test_field_sums_to_zero_per_population(seed, dynamic):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(2, 4, size=rng.integers(2, 4)))
    game = NormalFormGame.from_payoffs(rng.standard_normal((len(shape), *shape)))
    x = np.concatenate([rng.dirichlet(np.ones(k)) for k in shape])
    v = vector_field(game, x, dynamic, eta=0.5)
    cuts = np.cumsum(shape)[:-1]
    for block in np.split(v, cuts):
        assert abs(block.sum()) <= 1e-12
