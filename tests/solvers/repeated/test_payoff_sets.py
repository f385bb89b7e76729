"""Feasible, individually rational and subgame-perfect equilibrium payoff sets.

The equilibrium payoff set is compared with QuantEcon's ``RepeatedGame.equilibrium_payoffs``
(Abreu and Sannikov 2014, an exact method). The bound used: coop's outer polygon contains the true
set and its inner polygon lies inside it, so the Hausdorff distance from either to QuantEcon's
answer is at most ``error_bound`` (their distance plus ``2 tol / (1 - delta)``), up to QuantEcon's
own convergence error (``QE_TOL``). ``step_bound`` (``diam(F)/2 tan(theta/2)`` for the widest angle
``theta`` between directions: 0.025 diam(F) with the default 256 directions) is what the direction
grid alone can cost in one step; the answers here are far inside it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.spatial import ConvexHull

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.repeated import RepeatedGame
from coop.solvers.nash.pure_nash import pure_nash_indices
from coop.solvers.repeated.minmax import minmax_values, pure_minmax
from coop.solvers.repeated.payoff_sets import (
    equilibrium_payoff_set,
    feasible_payoff_set,
    hausdorff_distance,
    individually_rational_set,
    points_polygon_distance,
)
from tests import textbook_games as tg
from tests.oracles import quantecon as qe
from tests.strategies import bimatrix

TOL = 1e-9
#: QuantEcon's answer is converged to about this (its own tolerance is 1e-12 on vertex moves)
QE_TOL = 1e-7
#: coop's polygons are cleaned of vertices closer than 10 (tol + slack) / (1 - delta) ~ 1e-8 x spread
SET_TOL = 1e-7


def ccw(v: np.ndarray) -> bool:
    """Strictly convex and counter-clockwise (3 or more vertices)."""
    e = np.roll(v, -1, axis=0) - v
    cross = e[:, 0] * np.roll(e[:, 1], -1) - e[:, 1] * np.roll(e[:, 0], -1)
    return bool(np.all(cross > 0))


# ----------------------------------------------------------------------------- feasible and IR sets
@pytest.mark.parametrize(
    "factory, expected, dim",
    [
        pytest.param(tg.prisoners_dilemma, [[0, 5], [1, 1], [5, 0], [3, 3]], 2, id="pd"),
        pytest.param(tg.matching_pennies, [[-1, 1], [1, -1]], 1, id="matching_pennies_segment"),
        pytest.param(tg.chicken, [[0, 0], [7, 2], [6, 6], [2, 7]], 2, id="chicken"),
        pytest.param(tg.battle_of_the_sexes, [[0, 0], [2, 1], [1, 2]], 2, id="bos"),
        pytest.param(lambda: NormalFormGame.from_payoffs(np.ones((2, 2, 3))), [[1, 1]], 0, id="constant_point"),
    ],
)
def test_feasible_two_players_by_hand(factory, expected, dim):
    res = feasible_payoff_set(factory())
    assert np.allclose(res.vertices, expected, atol=TOL)
    assert res.dimension == dim
    if dim == 2:
        assert ccw(res.vertices)


@pytest.mark.parametrize(
    "factory, minmax, expected",
    [
        pytest.param(tg.prisoners_dilemma, "mixed", [[1, 1], [13 / 3, 1], [3, 3], [1, 13 / 3]], id="pd"),
        pytest.param(tg.prisoners_dilemma, "pure", [[1, 1], [13 / 3, 1], [3, 3], [1, 13 / 3]], id="pd_pure"),
        pytest.param(tg.chicken, "mixed", [[2, 2], [7, 2], [6, 6], [2, 7]], id="chicken"),
        # triangle (0,0), (2,1), (1,2) cut at 2/3 for both
        pytest.param(tg.battle_of_the_sexes, "mixed",
                     [[2 / 3, 2 / 3], [4 / 3, 2 / 3], [2, 1], [1, 2], [2 / 3, 4 / 3]], id="bos"),
        # pure minmax 1: only (1, 1) and the corner of the triangle above it
        pytest.param(tg.battle_of_the_sexes, "pure", [[1, 1], [2, 1], [1, 2]], id="bos_pure"),
        pytest.param(tg.matching_pennies, "mixed", [[0, 0]], id="matching_pennies_point"),
        pytest.param(tg.matching_pennies, "pure", [], id="matching_pennies_pure_empty"),
        pytest.param(tg.matching_pennies, "correlated", [[0, 0]], id="matching_pennies_correlated"),
    ],
)
def test_individually_rational_two_players_by_hand(factory, minmax, expected):
    res = individually_rational_set(factory(), minmax=minmax)
    assert res.vertices.shape == (len(expected), 2)
    if expected:
        assert np.allclose(res.vertices, expected, atol=1e-8)
    assert res.empty == (not expected)
    assert res.dimension == min(len(expected), 3) - 1
    json.dumps(res.to_dict())


def _in_hull(points: np.ndarray, x: np.ndarray) -> bool:
    """Whether x is a convex combination of the rows of ``points`` (an LP feasibility check)."""
    k = len(points)
    A_eq = np.vstack([points.T, np.ones(k)])
    res = linprog(np.zeros(k), A_eq=A_eq, b_eq=np.append(x, 1.0), bounds=[(0, None)] * k, method="highs")
    return res.status == 0


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed{s}") for s in range(4)])
def test_feasible_three_players_against_scipy_hull(seed):
    rng = np.random.default_rng(seed)
    game = NormalFormGame.from_payoffs(rng.standard_normal((3, 2, 3, 2)))
    pts = game.payoffs.reshape(3, -1).T
    hull = ConvexHull(pts)
    res = feasible_payoff_set(game)
    assert res.dimension == 3
    expected = pts[np.sort(hull.vertices)]
    assert len(res.vertices) == len(expected)
    for v in expected:
        assert np.min(np.abs(res.vertices - v).max(axis=1)) <= TOL


def test_feasible_three_players_lower_dimensional():
    # constant-sum payoffs lie in the plane v1 + v2 + v3 = 0: a polygon in 3-D
    rng = np.random.default_rng(3)
    P = rng.standard_normal((3, 2, 2, 2))
    P[2] = -P[0] - P[1]
    res = feasible_payoff_set(NormalFormGame.from_payoffs(P))
    assert res.dimension == 2
    assert np.allclose(res.vertices.sum(axis=1), 0.0, atol=1e-9)
    for v in res.vertices:
        assert _in_hull(P.reshape(3, -1).T, v)


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed{s}") for s in range(4)])
def test_individually_rational_three_players(seed):
    """Vertices are feasible and above the thresholds; every sampled feasible IR point lies in their hull."""
    rng = np.random.default_rng(10 + seed)
    game = NormalFormGame.from_payoffs(rng.standard_normal((3, 2, 2, 2)))
    res = individually_rational_set(game, minmax="correlated")
    thr = minmax_values(game).mixed_minmax_lower
    assert np.allclose(res.thresholds, thr)
    pts = game.payoffs.reshape(3, -1).T
    assert not res.empty  # mixed equilibrium payoffs are feasible and above every minmax
    for v in res.vertices:
        assert np.all(v >= thr - 1e-9)
        assert _in_hull(pts, v)
    w = rng.dirichlet(np.ones(len(pts)) * 0.3, size=3000) @ pts
    inside = w[np.all(w >= thr, axis=1)]
    for x in inside[:40]:
        assert _in_hull(res.vertices, x)


@pytest.mark.parametrize("shape", [pytest.param(s, id="x".join(map(str, s)))
                                   for s in ((2, 2, 2), (3, 2, 2), (2, 2, 2, 2))])
@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed{s}") for s in range(3)])
def test_individually_rational_vertices_same_by_both_routes(monkeypatch, shape, seed):
    """Small IR sets are enumerated from tight constraints; larger ones go through an LP interior
    point and scipy's half-space intersection. Both routes give the same vertices."""
    import coop.solvers.repeated.payoff_sets as ps

    rng = np.random.default_rng(40 + seed)
    n = len(shape)
    game = NormalFormGame.from_payoffs(rng.standard_normal((n, *shape)))
    direct = individually_rational_set(game, minmax="correlated")
    monkeypatch.setattr(ps, "_DIRECT_SUBSETS", 0)
    by_lp = individually_rational_set(game, minmax="correlated")
    assert direct.dimension == by_lp.dimension
    assert direct.vertices.shape == by_lp.vertices.shape
    for v in direct.vertices:  # as sets: rows whose leading coordinates tie within rounding may swap
        assert np.min(np.abs(by_lp.vertices - v).max(axis=1)) <= 1e-9


def test_individually_rational_given_thresholds_and_bad_input():
    pd = tg.prisoners_dilemma()
    res = individually_rational_set(pd, thresholds=[3, 3])
    assert np.allclose(res.vertices, [[3, 3]])
    assert res.dimension == 0
    with pytest.raises(InputError, match="thresholds"):
        individually_rational_set(pd, thresholds=[1, 2, 3])
    with pytest.raises(InputError, match="minmax"):
        individually_rational_set(pd, minmax="nash")
    with pytest.raises(InputError, match="NormalFormGame"):
        feasible_payoff_set("pd")


# ----------------------------------------------------------------------------- equilibrium set vs QuantEcon
def _random_game(seed: int, shape: tuple[int, int]) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    return NormalFormGame.from_payoffs(rng.integers(0, 10, (2, *shape)).astype(float))


QE_CASES = [
    pytest.param(tg.prisoners_dilemma, 0.3, id="pd_0.3"),
    pytest.param(tg.prisoners_dilemma, 0.5, id="pd_0.5"),
    pytest.param(tg.prisoners_dilemma, 0.7, id="pd_0.7"),
    pytest.param(tg.prisoners_dilemma, 0.9, id="pd_0.9"),
    pytest.param(tg.stag_hunt, 0.6, id="stag_hunt_0.6"),
    pytest.param(tg.stag_hunt, 0.9, id="stag_hunt_0.9"),
    pytest.param(tg.chicken, 0.4, id="chicken_0.4"),
    pytest.param(tg.chicken, 0.9, id="chicken_0.9"),
    pytest.param(tg.battle_of_the_sexes, 0.9, id="bos_0.9"),
    # random integer games whose equilibrium set is two-dimensional (QuantEcon's qhull call needs that)
    *[pytest.param(lambda s=s: _random_game(s, (2, 2)), 0.8, id=f"random2x2_{s}") for s in (0, 1, 2, 5)],
    pytest.param(lambda: _random_game(2, (2, 2)), 0.5, id="random2x2_2_0.5"),
    *[pytest.param(lambda s=s: _random_game(s, (3, 3)), d, id=f"random3x3_{s}_{d}")
      for s, d in ((0, 0.8), (1, 0.8), (2, 0.5), (2, 0.8), (5, 0.5), (6, 0.5), (7, 0.8))],
]


@pytest.mark.parametrize("factory, delta", QE_CASES)
def test_equilibrium_payoffs_against_quantecon(factory, delta):
    game = factory()
    res = equilibrium_payoff_set(game, delta)
    hull = qe.RepeatedGame(game.to_quantecon(), delta).equilibrium_payoffs(options={"max_iter": 5000})
    theirs = hull.points[hull.vertices]  # counter-clockwise (2-D qhull)
    assert not res.empty and res.converged and res.inner_converged
    assert res.error_bound is not None
    scale = game.payoff_scale
    # QuantEcon's set lies inside coop's outer polygon, and coop's inner polygon inside QuantEcon's set
    assert points_polygon_distance(theirs, res.vertices).max() <= QE_TOL * scale
    assert points_polygon_distance(res.inner_vertices, theirs).max() <= QE_TOL * scale
    d = hausdorff_distance(res.vertices, theirs)
    assert d <= res.error_bound + QE_TOL * scale
    assert res.error_bound <= res.step_bound
    assert d <= res.step_bound
    assert ccw(res.vertices)
    # the worst equilibrium payoffs are bracketed
    assert np.all(res.punishment <= theirs.min(axis=0) + QE_TOL * scale)
    assert np.all(res.inner_punishment >= theirs.min(axis=0) - QE_TOL * scale)


@pytest.mark.parametrize(
    "factory, delta, expected",
    [
        # below the cooperation threshold only the stage equilibria (and their lotteries) survive
        pytest.param(tg.battle_of_the_sexes, 0.3, [[1, 2], [2, 1]], id="bos_segment"),
        pytest.param(tg.stag_hunt, 0.3, [[2, 2], [4, 4]], id="stag_hunt_segment"),
        pytest.param(tg.prisoners_dilemma, 0.1, [[1, 1]], id="pd_point"),
        # the folk theorem in the PD at delta 0.9: feasible and above the minmax 1
        pytest.param(tg.prisoners_dilemma, 0.9, [[1, 1], [13 / 3, 1], [3, 3], [1, 13 / 3]], id="pd_folk"),
    ],
)
def test_equilibrium_payoffs_by_hand(factory, delta, expected):
    """Lower-dimensional sets, which QuantEcon's qhull call cannot take."""
    res = equilibrium_payoff_set(factory(), delta)
    assert np.allclose(res.vertices, expected, atol=1e-8)
    assert np.allclose(res.inner_vertices, expected, atol=1e-8)
    assert res.error_bound <= 1e-7


def test_no_pure_equilibrium_is_empty():
    res = equilibrium_payoff_set(tg.matching_pennies(), 0.95)
    assert res.empty and res.vertices.shape == (0, 2)
    assert np.all(np.isnan(res.punishment))
    assert any("no pure-strategy" in n for n in res.notes)
    json.dumps(res.to_dict())


def test_repeated_game_input_and_to_dict():
    pd = tg.prisoners_dilemma()
    rg = RepeatedGame(pd, 0.9, (0, 0), (1, 1))
    a = equilibrium_payoff_set(rg)
    b = equilibrium_payoff_set(pd, 0.9)
    assert np.array_equal(a.vertices, b.vertices)
    c = equilibrium_payoff_set(rg, delta=0.1)
    assert np.allclose(c.vertices, [[1, 1]])
    d = a.to_dict()
    json.dumps(d)
    assert d["vertices"][0] == pytest.approx({"Row": 1.0, "Column": 1.0})
    assert d["punishment"] == pytest.approx({"Row": 1.0, "Column": 1.0})


def test_more_directions_never_looser():
    game = _random_game(1, (3, 3))
    coarse = equilibrium_payoff_set(game, 0.7, num_directions=16)
    fine = equilibrium_payoff_set(game, 0.7, num_directions=512)
    # the fine outer polygon lies inside the coarse one (both contain the true set)
    assert points_polygon_distance(fine.vertices, coarse.vertices).max() <= 1e-8
    assert coarse.step_bound > fine.step_bound


@settings(deadline=None, max_examples=25)
@given(bimatrix(max_actions=3, min_actions=2, nondegenerate=False), st.sampled_from([0.2, 0.5, 0.75, 0.9]))
def test_equilibrium_set_properties(game, delta):
    """Contains the payoff of every pure stage equilibrium (repeating it is an SPE), lies in the feasible
    set and above each player's pure minmax (the bound for pure-strategy equilibria)."""
    res = equilibrium_payoff_set(game, delta)
    scale = game.payoff_scale
    nash = pure_nash_indices(game)
    if len(nash):
        assert not res.empty
    if res.empty:
        return
    for row in nash:
        u = np.array([game.payoffs[0][tuple(row)], game.payoffs[1][tuple(row)]])
        assert points_polygon_distance(u[None, :], res.vertices)[0] <= SET_TOL * scale
    feas = feasible_payoff_set(game).vertices
    assert points_polygon_distance(res.vertices, feas).max() <= SET_TOL * scale
    pmin = pure_minmax(game)[0]
    assert np.all(res.punishment >= pmin - SET_TOL * scale)
    if len(res.inner_vertices):
        assert points_polygon_distance(res.inner_vertices, res.vertices).max() <= SET_TOL * scale
        assert np.all(res.inner_punishment >= res.punishment - SET_TOL * scale)


@pytest.mark.parametrize(
    "call, message",
    [
        pytest.param(lambda: equilibrium_payoff_set(tg.prisoners_dilemma()), "delta", id="no_delta"),
        pytest.param(lambda: equilibrium_payoff_set(tg.prisoners_dilemma(), 1.0), "delta", id="delta_one"),
        pytest.param(lambda: equilibrium_payoff_set(tg.prisoners_dilemma(), -0.1), "delta", id="delta_negative"),
        pytest.param(lambda: equilibrium_payoff_set(tg.three_player_matching_pennies(), 0.9), "2-player",
                     id="three_players"),
        pytest.param(lambda: equilibrium_payoff_set(tg.prisoners_dilemma(), 0.9, num_directions=4),
                     "num_directions", id="few_directions"),
        pytest.param(lambda: equilibrium_payoff_set(tg.prisoners_dilemma(), 0.9, tol=0), "tol", id="zero_tol"),
        pytest.param(lambda: equilibrium_payoff_set(
            RepeatedGame(tg.prisoners_dilemma(), 0.9, (0, 0), (1, 1), noise=0.1)), "noise", id="noisy"),
        pytest.param(lambda: equilibrium_payoff_set("pd", 0.9), "RepeatedGame", id="string"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(InputError, match=message):
        call()


def _assert_valid_set(game: NormalFormGame, res) -> None:
    """The outer set: non-empty and converged, finite, inside the feasible set, above the pure minmax, containing
    the payoff of every exact pure stage equilibrium and the inner set."""
    scale = game.payoff_scale
    p0, p1 = game.payoffs
    nash = np.argwhere((p0 >= p0.max(axis=0, keepdims=True)) & (p1 >= p1.max(axis=1, keepdims=True)))
    assert not res.empty and res.converged
    assert np.all(np.isfinite(res.vertices)) and np.all(np.isfinite(res.inner_vertices))
    feas = feasible_payoff_set(game).vertices
    assert points_polygon_distance(res.vertices, feas).max() <= SET_TOL * scale
    assert np.all(res.punishment >= pure_minmax(game)[0] - SET_TOL * scale)
    for row in nash:
        u = np.array([[p0[tuple(row)], p1[tuple(row)]]])
        assert points_polygon_distance(u, res.vertices)[0] <= SET_TOL * scale
    if len(res.inner_vertices):
        assert points_polygon_distance(res.inner_vertices, res.vertices).max() <= SET_TOL * scale


def test_nearly_degenerate_games_stay_in_bounds():
    """Regression: near relative_gains = 1/3 in ai-arms-race a feasible edge is 6e-7 rad off an axis. Two nearly
    parallel support lines met at a point Cramer's rule misplaced, the vertex cycle folded back, the caliper
    walks stopped at the fold, lines that missed the polygon made spikes that lowered the punishments, and the
    iteration ran away (vertices 1e14 outside the feasible set), its non-convex iterates overflowing the clip
    buffers: the process died with a heap corruption."""
    from coop.scenarios import load

    scenario = load("ai-arms-race")
    lo, hi = 0.3, 0.4
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        game = scenario.with_parameters({"relative_gains": mid}).repeated.game
        _assert_valid_set(game.stage, equilibrium_payoff_set(game))
        lo, hi = (mid, hi) if mid < 1 / 3 else (lo, mid)


NEAR_VERTICAL_CORNER = [
    [0.9999999999998557, 3.0000000000005485, 2.9999999999997207, -2.0000000000005325, 2.605574935320686e-13,
     2.99999999999985, -8.856352119196509e-15, 1.0000000000000235, 1.999999999999644],
    [3.00000000000015, -1.0000000000003733, -1.9999999999997466, -1.999999999999655, -2.000000000000216,
     2.000000000000331, -1.999999999999949, 5.594176852346056e-13, 1.0000000000000047],
]


def test_feasible_set_keeps_a_corner_of_nearly_vertical_points():
    game = NormalFormGame.from_payoffs(np.array(NEAR_VERTICAL_CORNER).reshape(2, 3, 3))
    res = feasible_payoff_set(game)
    points = game.payoffs.reshape(2, -1).T
    assert points_polygon_distance(points, res.vertices).max() <= TOL * game.payoff_scale
    assert np.allclose(res.vertices, [[-2, -2], [3, -2], [3, 2], [1, 3]], atol=1e-12)
    assert ccw(res.vertices)


#: nearly degenerate games found by a randomized search (payoff points 1e-9 to 1e-6 off a line or an
#: axis-parallel line): before the fix their outer sets ran away or lost an end
NEARLY_DEGENERATE = [
    pytest.param((2, 2), [[-0.9999999988159382, 0.999999999680104, -1.0000000011144423, -2.000000001347002],
                          [-1.0000000005979592, 3.000000001387645, -1.0000000001825013, -3.0000000009118435]],
                 0.05, id="on_a_line_2x2"),
    pytest.param((2, 2), [[3.0000000009037415, -1.0000000108348832, 2.9999999807236746, -0.999999997464399],
                          [-2.000000010838286, -1.9999999935446535, -2.000000000763565, -2.000000003864197]],
                 0.01, id="horizontal_sliver_2x2"),
    *[pytest.param((3, 3), [[2.9999984732832616, 1.0000017082413097, 2.9999995542911466, 0.999999050944054,
                             3.000002917626019, -3.000003331477979, 2.999999792163169, 3.0000012157234144,
                             3.0000000534681583],
                            [-2.0000025771263443, 2.999999950003695, 2.000001788966945, -1.999999208546431,
                             -0.9999992961846563, -0.9999993188779329, 3.0000002995044226, 1.9999972501039454,
                             -2.0000006847866953]], d, id=f"near_vertical_3x3_{d}") for d in (0.2, 0.5)],
    pytest.param((3, 3), [[0.9999999933985003, 3.0000000176752346, 4.1909987525724765e-08, 2.000000019124387,
                           0.9999999903932558, 0.9999999962751652, 2.0000000211240736, -2.0000000164051084,
                           1.0000000372118678],
                          [-3.885450527349271e-09, 4.000000002760119, -1.9999999915945859, 2.0000000648739893,
                           -1.7420483885834971e-09, -1.1399133582692484e-08, 1.9999999919593388,
                           -5.9999999869050855, 3.378696394265978e-08]], 0.2, id="on_a_line_3x3"),
    # (3, -2), (3, -1) and (3, 2) up to 1e-13: the tolerant monotone chain dropped the corner (3, 2)
    pytest.param((3, 3), NEAR_VERTICAL_CORNER, 0.5, id="near_vertical_corner_3x3"),
    # ties around 100 with a spread of 2: rounding (relative to 100) against tolerances (relative to 2)
    *[pytest.param((2, 2), [[99.0, 99.99999999993895, 97.99999999993895, 99.99999999993895],
                            [99.0, 99.00000000006105, 99.0, 98.0]], d, id=f"far_from_origin_{d}") for d in (0.5, 0.99)],
]


@pytest.mark.parametrize("shape, payoffs, delta", NEARLY_DEGENERATE)
def test_nearly_degenerate_games_found_by_search(shape, payoffs, delta):
    game = NormalFormGame.from_payoffs(np.array(payoffs).reshape((2, *shape)))
    _assert_valid_set(game, equilibrium_payoff_set(game, delta))


def test_translated_game_translated_set():
    """Payoffs far from the origin for their spread are centred before the iteration: the same set, moved."""
    game = _random_game(1, (3, 3))
    far = NormalFormGame.from_payoffs(game.payoffs + np.array([1000.0, -300.0])[:, None, None])
    a = equilibrium_payoff_set(game, 0.7)
    b = equilibrium_payoff_set(far, 0.7)
    assert b.converged and b.inner_converged and b.error_bound is not None
    shift = np.array([1000.0, -300.0])
    assert hausdorff_distance(a.vertices + shift, b.vertices) <= SET_TOL * game.payoff_scale
    assert hausdorff_distance(a.inner_vertices + shift, b.inner_vertices) <= SET_TOL * game.payoff_scale
    assert np.allclose(a.punishment + shift, b.punishment, atol=SET_TOL * game.payoff_scale, rtol=0)
    assert np.allclose(a.support + a.directions @ shift, b.support, atol=SET_TOL * game.payoff_scale, rtol=0)


def test_nearly_degenerate_random_games():
    """Integer payoffs with ties, nudged by 1e-12 to 1e-5 (a few entries, or all of them onto or off a line)."""
    rng = np.random.default_rng(2024)
    for k in range(40):
        shape = (2, 2) if k % 2 else (3, 3)
        n = int(np.prod(shape))
        p = rng.integers(-3, 4, size=(2, n)).astype(float)
        if k % 4 >= 2:  # onto the line y = a x + b
            p[1] = rng.choice([-1.0, 0.5, 1.0, 2.0]) * p[0] + rng.integers(-2, 3)
        p += 10.0 ** rng.uniform(-12, -5) * rng.integers(-1, 2, size=(2, n))
        game = NormalFormGame.from_payoffs(p.reshape((2, *shape)))
        p0, p1 = game.payoffs
        if not ((p0 >= p0.max(axis=0, keepdims=True)) & (p1 >= p1.max(axis=1, keepdims=True))).any():
            continue
        for delta in (0.05, 0.5, 0.9):
            _assert_valid_set(game, equilibrium_payoff_set(game, delta))


# ----------------------------------------------------------------------------- delta = 0: the stage game's set
@pytest.mark.parametrize("factory, expected", [
    pytest.param(tg.prisoners_dilemma, [[1, 1]], id="pd"),
    pytest.param(tg.stag_hunt, [[2, 2], [4, 4]], id="stag_hunt"),
    pytest.param(tg.battle_of_the_sexes, [[1, 2], [2, 1]], id="bos"),
    pytest.param(tg.matching_pennies, [], id="matching_pennies"),
])
def test_at_delta_zero_the_set_is_the_hull_of_the_pure_stage_equilibrium_payoffs(factory, expected):
    """Only the first period counts: the pure SPE payoffs are the pure stage Nash payoffs (Abreu, Pearce and
    Stacchetti 1990: B(W) = {u(a) : a a stage equilibrium} for any W), with public randomisation their hull."""
    game = factory()
    res = equilibrium_payoff_set(game, 0.0)
    assert res.method == "stage_nash" and res.delta == 0.0 and res.num_iter == 0
    assert res.complete and res.reason is None
    assert np.array_equal(res.vertices, np.array(expected, dtype=float).reshape(-1, 2))
    assert res.empty == (not expected)
    nash = {tuple(float(p[tuple(r)]) for p in game.payoffs) for r in pure_nash_indices(game)}
    assert {tuple(v) for v in res.stage_nash_payoffs.tolist()} == nash
    doc = res.to_dict()
    json.dumps(doc)
    assert doc["complete"] is True and doc["reason"] is None and doc["method"] == "stage_nash"
    assert len(doc["stage_nash_payoffs"]) == len(nash)


@pytest.mark.parametrize("seed", range(12))
def test_the_sets_approach_the_stage_set_as_delta_falls_to_zero(seed):
    game = _random_game(seed, (3, 3))
    at_zero = equilibrium_payoff_set(game, 0.0)
    near = equilibrium_payoff_set(game, 1e-6)
    assert at_zero.empty == near.empty
    if not at_zero.empty:
        scale = game.payoff_scale
        # the stage set lies in the outer polygon, the inner one (equilibrium payoffs) in the stage set, and the
        # outer polygon is within its a priori step bound of it
        assert points_polygon_distance(at_zero.vertices, near.vertices).max() <= 1e-8 * scale
        assert points_polygon_distance(near.inner_vertices, at_zero.vertices).max() <= 1e-6 * scale
        assert hausdorff_distance(at_zero.vertices, near.vertices) <= near.step_bound + 1e-8 * scale


def test_a_repeated_game_with_delta_zero():
    rg = RepeatedGame(tg.stag_hunt(), 0.0, (0, 0), (1, 1))
    assert equilibrium_payoff_set(rg).vertices.tolist() == [[2.0, 2.0], [4.0, 4.0]]


def test_an_iteration_cap_is_reported_as_incomplete():
    res = equilibrium_payoff_set(tg.prisoners_dilemma(), 0.9, max_iter=3)
    assert not res.converged and not res.complete
    assert res.reason.startswith("the outer approximation stopped at its iteration cap (3 iterations)")
    doc = res.to_dict()
    assert doc["complete"] is False and doc["reason"] == res.reason and doc["converged"] is False
    done = equilibrium_payoff_set(tg.prisoners_dilemma(), 0.9)
    assert done.complete and done.to_dict()["complete"] is True
