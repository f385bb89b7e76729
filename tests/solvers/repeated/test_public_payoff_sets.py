"""Perfect public equilibrium payoff sets (APS with public signals, JYC outer and inner approximations).

Bounds used: the outer polygon contains the true set E(delta) and the inner one (self-generating, checked here
again with HiGHS) lies in it, so a point of E is inside the outer polygon and within ``error_bound`` of the
inner one.

Mailath and Samuelson (2006, section 7.7; the game and signal of their section 7.2): the prisoner's dilemma
u(E,E) = 2, u(S,E) = 3, u(E,S) = -1, u(S,S) = 0 with a public signal, good with probability p when both exert
effort, q when one shirks and r when both do. The best strongly symmetric PPE plays EE with continuation w+
after the good signal and w- after the bad one, the incentive constraint binding:
delta (p - q)(w+ - w-) = 1 - delta, and w+ = v, so v = 2 - (1 - p) / (p - q), feasible (w- >= 0, the minmax)
iff delta >= 1 / (3p - 2q). The same number bounds every PPE's payoff sum (not only the strongly symmetric
ones): at the point of E maximising v1 + v2 the profile is EE when that sum exceeds 2 (SS gives at most
delta times the sum, ES and SE at most 2 (1 - delta) + delta times it), and adding the two players'
constraints w_i(good) - w_i(bad) >= (1 - delta) / (delta (p - q)) gives
v1 + v2 <= 4 (1 - delta) + delta (v1 + v2) - 2 (1 - p)(1 - delta) / (p - q), i.e. v1 + v2 <= 2 (2 - (1-p)/(p-q)).
So with 2p - q > 1 (the bound exceeds 1 per player) the best symmetric PPE payoff is exactly
2 - (1 - p)/(p - q), for every delta >= 1 / (3p - 2q). The bound is the one that keeps the PPE set away from
the efficient frontier with this signal (Mailath and Samuelson 2006, section 7.7; the failure of pairwise
identifiability of Fudenberg, Levine and Maskin 1994). With q = r a player's shirking while the other
shirks leaves the signal alone, so ES and SE cannot be enforced; EE needs the inequality above with a
payoff sum above 0, so below delta = 1 / (3p - 2q) only the stage Nash payoff (0, 0) remains.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import linprog

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.payoff_sets import equilibrium_payoff_set, hausdorff_distance, points_polygon_distance
from coop.solvers.repeated.public_payoff_sets import public_equilibrium_payoff_set, public_payoff_set
from tests import textbook_games as tg

#: containment up to the iterations' tolerance and the vertices' cleaning (relative to the payoff spread)
SET_TOL = 1e-7


def ms_game() -> np.ndarray:
    """Mailath and Samuelson (2006), section 7.2: payoffs (2, 2 actions, 2 actions), actions (E, S)."""
    u1 = np.array([[2.0, -1.0], [3.0, 0.0]])
    return np.stack([u1, u1.T])


def ms_signal(p: float, q: float, r: float) -> np.ndarray:
    good = np.array([p, q, q, r])
    return np.column_stack([good, 1.0 - good])


def identity(game: NormalFormGame) -> tuple[np.ndarray, np.ndarray]:
    return game.payoffs, np.eye(int(np.prod(game.num_actions)))


def inside(points: np.ndarray, poly: np.ndarray, tol: float) -> bool:
    return bool(len(points) == 0 or points_polygon_distance(points, poly).max() <= tol)


def random_game(shape: tuple[int, int], seed: int) -> NormalFormGame:
    return NormalFormGame.from_payoffs(np.random.default_rng(seed).standard_normal((2, *shape)))


# ----------------------------------------------------------------------------- perfect monitoring as a special case
GAMES = [
    pytest.param(tg.prisoners_dilemma, id="pd"),
    pytest.param(tg.stag_hunt, id="stag_hunt"),
    pytest.param(tg.battle_of_the_sexes, id="bos"),
    pytest.param(lambda: random_game((2, 2), 1), id="random_2x2"),
    pytest.param(lambda: random_game((2, 3), 2), id="random_2x3"),
    pytest.param(lambda: random_game((3, 3), 3), id="random_3x3"),
]


@pytest.mark.parametrize("factory", GAMES)
@pytest.mark.parametrize("delta", [0.3, 0.6, 0.9])
def test_identity_signal_gives_the_perfect_monitoring_set(factory, delta):
    game = factory()
    spe = equilibrium_payoff_set(game, delta, num_directions=64)
    ppe = public_equilibrium_payoff_set(*identity(game), delta)
    tol = SET_TOL * game.payoff_scale
    assert ppe.empty == spe.empty
    if spe.empty:
        return
    assert ppe.error_bound is not None and spe.error_bound is not None
    # each inner polygon lies in the true set, hence in the other's outer polygon
    assert inside(ppe.inner_vertices, spe.vertices, tol)
    assert inside(spe.inner_vertices, ppe.vertices, tol)
    assert hausdorff_distance(ppe.vertices, spe.vertices) <= ppe.error_bound + spe.error_bound + tol
    assert np.allclose(ppe.punishment, spe.punishment, atol=ppe.error_bound + spe.error_bound + tol)


# ----------------------------------------------------------------------------- Mailath and Samuelson, section 7.7
@pytest.mark.parametrize("p, q, r", [(0.9, 0.5, 0.2), (0.8, 0.4, 0.1), (0.95, 0.6, 0.6), (0.9, 0.7, 0.3)])
@pytest.mark.parametrize("above", [1.02, 1.3])
def test_best_symmetric_ppe_payoff_is_the_closed_form(p, q, r, above):
    assert 2 * p - q > 1
    best = 2.0 - (1.0 - p) / (p - q)
    delta = min(above / (3 * p - 2 * q), 0.97)
    res = public_equilibrium_payoff_set(ms_game(), ms_signal(p, q, r), delta)
    assert res.error_bound is not None
    # the symmetric point (best, best) is a PPE payoff: inside the outer polygon, near the inner one
    point = np.array([[best, best]])
    assert inside(point, res.vertices, SET_TOL)
    assert points_polygon_distance(point, res.inner_vertices)[0] <= res.error_bound
    # and no PPE payoff has a larger sum: the inner polygon, made of PPE payoffs, stays below the bound
    assert res.inner_vertices.sum(axis=1).max() <= 2 * best + SET_TOL
    assert res.vertices.sum(axis=1).max() <= 2 * best + 2 * res.error_bound


@pytest.mark.parametrize("p, q", [(0.9, 0.5), (0.8, 0.3)])
def test_below_the_threshold_only_the_stage_nash_payoff_remains(p, q):
    threshold = 1.0 / (3 * p - 2 * q)
    below = public_equilibrium_payoff_set(ms_game(), ms_signal(p, q, q), 0.85 * threshold)
    assert not below.empty
    assert np.abs(below.vertices).max() <= 1e-6  # the point (0, 0)
    above = public_equilibrium_payoff_set(ms_game(), ms_signal(p, q, q), min(1.05 * threshold, 0.97))
    best = 2.0 - (1.0 - p) / (p - q)
    assert inside(np.array([[best, best]]), above.vertices, SET_TOL)
    assert above.inner_vertices.sum(axis=1).max() >= 2 * best - 2 * above.error_bound


# ----------------------------------------------------------------------------- monotonicity
@pytest.mark.parametrize("signal", [ms_signal(0.9, 0.5, 0.2), ms_signal(0.8, 0.4, 0.1)], ids=["ms", "ms_2"])
def test_the_set_grows_with_delta(signal):
    sets = [public_equilibrium_payoff_set(ms_game(), signal, d) for d in (0.8, 0.85, 0.9, 0.95)]
    assert all(s.error_bound is not None for s in sets)
    for small, large in zip(sets, sets[1:], strict=False):
        assert inside(small.inner_vertices, large.vertices, SET_TOL)  # E(small) in E(large) in outer(large)
        assert inside(small.vertices, large.vertices, small.error_bound + SET_TOL)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_garbled_signal_gives_a_subset(seed):
    rng = np.random.default_rng(seed)
    game = random_game((2, 2), 10 + seed)
    prob = rng.dirichlet(np.ones(3), size=4)
    garble = rng.dirichlet(np.ones(2), size=3)  # signal y -> y' with probability garble[y, y']
    for delta in (0.5, 0.8):
        fine = public_equilibrium_payoff_set(game.payoffs, prob, delta)
        coarse = public_equilibrium_payoff_set(game.payoffs, prob @ garble, delta)
        # the same directions and start: the garbled operator is smaller at every step
        assert np.all(coarse.support <= fine.support + SET_TOL) or coarse.empty
        assert inside(coarse.vertices, fine.vertices, SET_TOL)
    # perfect monitoring is the finest signal of all
    perfect = public_equilibrium_payoff_set(*identity(game), 0.8)
    assert inside(public_equilibrium_payoff_set(game.payoffs, prob, 0.8).vertices, perfect.vertices, SET_TOL)


# ----------------------------------------------------------------------------- self-generation, checked with HiGHS
def generation_gap(x: np.ndarray, poly: np.ndarray, u: np.ndarray, prob: np.ndarray, delta: float,
                   shape: tuple[int, int]) -> float:
    """How far ``x`` lies (max norm) from conv B(poly), by one LP over lotteries of profiles (HiGHS).

    Variables: theta_a (the lottery) and z_a(y) = theta_a w_a(y), with w_a(y) in the polygon
    (H z <= theta c), each profile's incentive constraints multiplied by theta_a, and a slack t on
    |sum_a theta_a (1 - delta) u(a) + delta sum_y pi(y|a) z_a(y) - x| <= t, minimised.
    """
    n1, n2 = shape
    P, Y = prob.shape
    pay = u.reshape(2, P).T
    if len(poly) >= 3:
        edges = np.roll(poly, -1, axis=0) - poly
        normals = np.column_stack([edges[:, 1], -edges[:, 0]])
        normals /= np.linalg.norm(normals, axis=1, keepdims=True)
        c = np.einsum("ij,ij->i", normals, poly)
    else:  # a point or a segment: its two axes (the segment's direction and normal), both ways
        e = poly[-1] - poly[0]
        e = e / np.linalg.norm(e) if np.linalg.norm(e) > 0 else np.array([1.0, 0.0])
        normals = np.array([e, -e, [e[1], -e[0]], [-e[1], e[0]]])
        c = (poly @ normals.T).max(axis=0)
    nz = P * Y * 2
    nvar = P + nz + 1  # theta, z, t
    zi = lambda a, y, i: P + (a * Y + y) * 2 + i  # noqa: E731
    A_ub, b_ub = [], []
    for a in range(P):
        for y in range(Y):
            for k in range(len(normals)):
                row = np.zeros(nvar)
                row[zi(a, y, 0)], row[zi(a, y, 1)] = normals[k]
                row[a] = -c[k]
                A_ub.append(row)
                b_ub.append(0.0)
        a1, a2 = divmod(a, n2)
        devs = [(b1 * n2 + a2, 0) for b1 in range(n1) if b1 != a1] + [(a1 * n2 + b2, 1) for b2 in range(n2) if b2 != a2]
        for b, i in devs:
            row = np.zeros(nvar)  # deviation value - value <= 0
            row[a] = (1 - delta) * (pay[b, i] - pay[a, i]) - 1e-10
            for y in range(Y):
                row[zi(a, y, i)] = delta * (prob[b, y] - prob[a, y])
            A_ub.append(row)
            b_ub.append(0.0)
    for i in range(2):
        for sign in (1.0, -1.0):
            row = np.zeros(nvar)
            for a in range(P):
                row[a] = sign * (1 - delta) * pay[a, i]
                for y in range(Y):
                    row[zi(a, y, i)] = sign * delta * prob[a, y]
            row[-1] = -1.0
            A_ub.append(row)
            b_ub.append(sign * x[i])
    A_eq = np.zeros((1, nvar))
    A_eq[0, :P] = 1.0
    cost = np.zeros(nvar)
    cost[-1] = 1.0
    bounds = [(0, None)] * P + [(None, None)] * nz + [(0, None)]
    res = linprog(cost, A_ub=np.array(A_ub), b_ub=np.array(b_ub), A_eq=A_eq, b_eq=[1.0], bounds=bounds,
                  method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


CASES = [
    pytest.param(ms_game(), ms_signal(0.9, 0.5, 0.2), 0.9, id="ms_0.9"),
    pytest.param(ms_game(), ms_signal(0.8, 0.4, 0.1), 0.8, id="ms_0.8"),
    pytest.param(tg.stag_hunt().payoffs, np.eye(4), 0.5, id="stag_hunt_perfect"),
    pytest.param(random_game((2, 3), 7).payoffs, np.random.default_rng(7).dirichlet(np.ones(4), size=6), 0.85,
                 id="random_2x3_4_signals"),
]


@pytest.mark.parametrize("u, prob, delta", CASES)
def test_every_inner_vertex_is_generated_by_the_inner_set(u, prob, delta):
    res = public_equilibrium_payoff_set(u, prob, delta)
    assert res.error_bound is not None and len(res.inner_vertices) >= 1
    spread = float(u.max() - u.min())
    for x in res.inner_vertices:
        gap = generation_gap(x, res.inner_vertices, u, prob, delta, u.shape[1:])
        assert gap <= 1e-7 * spread
    # the inner polygon is inside the outer one
    assert inside(res.inner_vertices, res.vertices, SET_TOL * spread)


def test_the_check_finds_a_point_that_is_not_generated():
    """The HiGHS check is not vacuous: a payoff above the bound of Mailath and Samuelson is not generated."""
    res = public_equilibrium_payoff_set(ms_game(), ms_signal(0.9, 0.5, 0.2), 0.9)
    gap = generation_gap(np.array([1.9, 1.9]), res.inner_vertices, ms_game(), ms_signal(0.9, 0.5, 0.2), 0.9, (2, 2))
    assert gap > 0.1


# ----------------------------------------------------------------------------- the result and its inputs
def test_result_shape_and_json():
    res = public_equilibrium_payoff_set(ms_game(), ms_signal(0.9, 0.5, 0.2), 0.9, players=("A", "B"),
                                        signals=("good", "bad"))
    e = np.roll(res.vertices, -1, axis=0) - res.vertices
    cross = e[:, 0] * np.roll(e[:, 1], -1) - e[:, 1] * np.roll(e[:, 0], -1)
    assert np.all(cross > 0)  # strictly convex, counter-clockwise
    doc = json.loads(json.dumps(res.to_dict()))
    assert doc["kind"] == "perfect_public_equilibrium" and doc["signals"] == ["good", "bad"]
    assert doc["complete"] and doc["reason"] is None and doc["error_bound"] == res.error_bound
    assert set(doc["vertices"][0]) == {"A", "B"}
    # the worst payoffs: the stage Nash equilibrium (0, 0) is the minmax here. The outer polygon contains it, and
    # lies outside the true set by at most its documented accuracy: each step adds the programmes' optimality
    # gap (1e-10 of the spread per weight and slack) and the tolerance, which add up over 1 / (1 - delta) steps
    spread = 4.0
    accuracy = 1e-9 * spread / (1 - 0.9)
    assert np.all(res.punishment <= 1e-12) and np.all(res.punishment >= -accuracy)


def test_a_time_limit_stops_the_iteration_and_says_so():
    res = public_equilibrium_payoff_set(ms_game(), ms_signal(0.9, 0.5, 0.2), 0.99, stop_after=0.0)
    assert not res.complete and "time limit" in res.reason and res.error_bound is None
    capped = public_equilibrium_payoff_set(ms_game(), ms_signal(0.9, 0.5, 0.2), 0.99, max_iter=5)
    assert not capped.complete and "iteration cap" in capped.reason
    full = public_equilibrium_payoff_set(ms_game(), ms_signal(0.9, 0.5, 0.2), 0.99)
    # an early stop is still an outer approximation; both polygons exceed the true set by up to the documented
    # accuracy, 1e-9 of the spread over 1 - delta (the optimality gaps added at each step), the settled one more
    accuracy = 1e-9 * 4.0 / (1 - 0.99)
    assert inside(full.vertices, capped.vertices, accuracy)


def test_the_slow_regime_near_the_threshold_is_reported_incomplete():
    """q = r = 0.4, p = 0.8: delta = 0.7 is 12% above the threshold 1 / (3p - 2q) = 0.625, where the set is thin
    and the outer iteration crawls (20,000 iterations, 27 s, did not settle it). A small cap is
    reported honestly, and the polygon is still an outer approximation: it contains (0, 0), a PPE payoff."""
    res = public_equilibrium_payoff_set(ms_game(), ms_signal(0.8, 0.4, 0.4), 0.7, max_iter=200)
    assert not res.converged and not res.complete and "iteration cap" in res.reason
    assert res.error_bound is None and "did not settle" in res.error_note
    assert inside(np.zeros((1, 2)), res.vertices, 1e-12)
    doc = res.to_dict()
    assert doc["complete"] is False and "iteration cap" in doc["reason"]


def test_delta_zero_is_the_stage_nash_hull():
    res = public_equilibrium_payoff_set(tg.stag_hunt().payoffs, np.eye(4), 0.0)
    nash = np.array([[float(tg.stag_hunt().payoffs[0][a]), float(tg.stag_hunt().payoffs[1][a])]
                     for a in [(0, 0), (1, 1)]])
    assert hausdorff_distance(res.vertices, nash[np.lexsort(nash.T[::-1])]) <= 1e-9


@pytest.mark.parametrize("kwargs, match", [
    ({"expected_payoffs": np.zeros((3, 2, 2))}, "2-player"),
    ({"probabilities": np.ones((4, 2))}, "sum to 1"),
    ({"probabilities": np.ones((3, 1))}, r"\(4, number of signals\)"),
    ({"delta": 1.0}, "discount factor"),
    ({"num_directions": 4}, "num_directions"),
])
def test_bad_input(kwargs, match):
    args = {"expected_payoffs": ms_game(), "probabilities": ms_signal(0.9, 0.5, 0.2), "delta": 0.9, **kwargs}
    with pytest.raises(InputError, match=match):
        public_equilibrium_payoff_set(**args)


# ----------------------------------------------------------------------------- from a repeated game
def test_inspector_report_matches_its_table():
    """An inspector's public report (detection q, false alarm r) through public_signal_structure: the same set as
    the table written by hand (each player's action reported independently)."""
    pd = tg.prisoners_dilemma()
    q, r = 0.8, 0.1
    game = RepeatedGame(pd, 0.9, (0, 0), (1, 1), detection=q, false_alarm=r, monitoring="public")
    res = public_payoff_set(game)
    one = np.array([[1 - r, r], [1 - q, q]])  # realised C / D -> reported C / D
    table = np.kron(one, one)
    by_hand = public_equilibrium_payoff_set(pd.payoffs, table, 0.9)
    assert hausdorff_distance(res.vertices, by_hand.vertices) <= 1e-9
    assert "inspector" in res.monitoring and res.players == pd.players
    with pytest.raises(InputError, match="private channels"):
        public_payoff_set(RepeatedGame(pd, 0.9, (0, 0), (1, 1), detection=q))


# ----------------------------------------------------------------------------- the section and the figure
PUBLIC_SCENARIO = """\
title: Prisoner's dilemma with an inspector's public report
players:
  - name: A
    actions: [C, D]
  - name: B
    actions: [C, D]
payoffs:
  table:
    - {profile: [C, C], payoffs: [3, 3]}
    - {profile: [C, D], payoffs: [0, 5]}
    - {profile: [D, C], payoffs: [5, 0]}
    - {profile: [D, D], payoffs: [1, 1]}
repeated:
  delta: 0.9
  cooperate: {A: C, B: C}
  defect: {A: D, B: D}
  detection: 0.8
  false_alarm: 0.05
  monitoring: public
"""


def test_solve_reports_the_ppe_set_of_a_public_monitoring_scenario(tmp_path):
    from click.testing import CliRunner

    from coop.cli import cli

    path = tmp_path / "public.yaml"
    path.write_text(PUBLIC_SCENARIO)
    res = CliRunner().invoke(cli, ["solve", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    eq = json.loads(res.stdout)["repeated"]["payoff_sets"]["equilibrium"]
    assert eq["kind"] == "perfect_public_equilibrium" and "inspector" in eq["monitoring"]
    assert eq["complete"] and eq["reason"] is None
    # the inner approximation of this game does not settle (the operator's pieces have more vertices than it
    # finds): the solver says so instead of giving a bound it could not certify
    assert eq["error_bound"] is None and "no error bound" in eq["error_note"]
    # the same set as the solver's on the game the scenario describes
    pd = tg.prisoners_dilemma()
    one = np.array([[0.95, 0.05], [0.2, 0.8]])
    direct = public_equilibrium_payoff_set(pd.payoffs, np.kron(one, one), 0.9)
    got = np.array([[v["A"], v["B"]] for v in eq["vertices"]])
    assert hausdorff_distance(got, direct.vertices) <= 1e-9
    text = CliRunner().invoke(cli, ["solve", str(path)])
    assert "perfect public equilibrium payoffs at delta = 0.9" in " ".join(text.output.split())


def test_plot_draws_the_ppe_set(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import coop.plots
    from coop.cli import cli
    from coop.plots import legend_texts

    path = tmp_path / "public.yaml"
    path.write_text(PUBLIC_SCENARIO)
    out = tmp_path / "x.png"
    figures = []
    save = coop.plots.save_figure

    def catch(fig, target, **kwargs):
        figures.append(fig)
        return save(fig, target, **kwargs)

    monkeypatch.setattr(coop.plots, "save_figure", catch)
    res = CliRunner().invoke(cli, ["plot", str(path), "--kind", "payoff-sets", "--dpi", "40", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and out.stat().st_size > 0
    (fig,) = figures
    assert "perfect public equilibrium payoffs at delta = 0.9" in legend_texts(fig)
