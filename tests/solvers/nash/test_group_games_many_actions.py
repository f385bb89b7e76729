"""Symmetric mixed equilibria of group games with three or more actions (Bernstein subdivision by support).

* Against the normal form: for N = 2, 3, 4 members with 3 actions, the symmetric mixed equilibria by counts
  are the symmetric equilibria (with at least two actions in use) among every equilibrium of the normal form
  (coop's own enumeration), and include every symmetric one pygambit finds (enummixed for N = 2, which
  lists every extreme equilibrium of a nondegenerate bimatrix game; enumpoly for N = 3).
* Closed forms: rock-paper-scissors in pairs and in groups (pairwise sums: the uniform mix, a centre; with
  unequal win and loss it is stable or unstable, Hofbauer and Sigmund 1998, sec. 7.7); three club goods
  with crowding, whose interior equilibrium solves a linear system; games with a continuum of equal payoffs
  reported as degenerate, not as points.
* Random games (m = 3, 4; N = 5..20): every point verified by the regret rule, and the rest points equal the
  zeros of the group replicator field found independently by Newton's method from a dense grid of starts.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from coop.games.population import PopulationGame
from coop.solvers.evolution.group_replicator import group_jacobian, group_replicator_field, group_rest_points
from coop.solvers.nash.group_games import (
    group_equilibria,
    mixed_regret,
    symmetric_equilibria_by_support,
    symmetric_mixed_equilibria,
)
from coop.solvers.nash.solve import solve_game
from coop.solvers.shared.bernstein import simplex_zeros
from tests.solvers.nash.test_group_games import normal_form

MATCH = 1e-8


def normal_group(n: int, m: int, seed: int) -> PopulationGame:
    """A generic group game: standard normal payoffs by own action and composition."""
    rng = np.random.default_rng(seed)
    return PopulationGame.from_function(lambda s, counts: float(rng.normal()), [f"a{k}" for k in range(m)], n)


def symmetric_mixed_of(solution_equilibria, tol=1e-9) -> list[np.ndarray]:
    out = []
    for eq in solution_equilibria:
        rows = [np.asarray(s, dtype=float) for s in eq]
        if all(np.allclose(r, rows[0], atol=tol) for r in rows) and int((rows[0] > tol).sum()) >= 2:
            out.append(rows[0])
    return out


def same_points(a: list, b: list, tol: float = MATCH) -> bool:
    return len(a) == len(b) and all(any(np.abs(np.asarray(x) - np.asarray(y)).max() <= tol for y in b) for x in a)


@pytest.mark.parametrize("n, seed", [(2, 100), (2, 103), (3, 101), (3, 102), (3, 103), (4, 100), (4, 103)])
def test_equal_the_symmetric_equilibria_of_the_normal_form(n, seed):
    group = normal_group(n, 3, seed)
    ours = [np.array(e.strategy) for e in symmetric_equilibria_by_support(group).symmetric_mixed]
    solution = solve_game(normal_form(group))
    assert solution.complete
    theirs = symmetric_mixed_of([eq.strategies for eq in solution.equilibria])
    assert same_points(ours, theirs), (ours, theirs)
    assert ours  # each case has at least one symmetric mixed equilibrium to compare


@pytest.mark.parametrize("n, seed", [(2, 100), (2, 103), (3, 101), (3, 103)])
def test_include_every_symmetric_equilibrium_pygambit_finds(n, seed):
    from tests.oracles import gambit_strategies
    from tests.oracles import pygambit as gbt

    group = normal_group(n, 3, seed)
    game = normal_form(group)
    ours = [np.array(e.strategy) for e in symmetric_equilibria_by_support(group).symmetric_mixed]
    solver = gbt.nash.enummixed_solve if n == 2 else gbt.nash.enumpoly_solve
    profiles = [gambit_strategies(p) for p in solver(game.to_gambit()).equilibria]
    theirs = [x for x in symmetric_mixed_of(profiles, 1e-6)
              if game.max_regret([x] * n) <= 1e-7 * game.payoff_scale]  # enumpoly returns occasional non-equilibria
    assert theirs
    for x in theirs:
        assert any(np.abs(x - y).max() <= 1e-6 for y in ours), (x, ours)
    if n == 2:  # enummixed lists every equilibrium of this nondegenerate game: the same set
        assert same_points(ours, theirs, 1e-8)


def rps(win: float, loss: float) -> np.ndarray:
    """Rock-paper-scissors: a win pays ``win``, a loss costs ``loss``, a tie 0."""
    return np.array([[0.0, -loss, win], [win, 0.0, -loss], [-loss, win, 0.0]])


def pairwise_group(matrix: np.ndarray, n: int, labels=("R", "P", "S")) -> PopulationGame:
    """Each member plays the matrix game against each of its n - 1 co-players and adds up."""
    return PopulationGame.from_function(lambda s, counts: float(matrix[s] @ np.asarray(counts)), labels, n)


@pytest.mark.parametrize("n", [2, 5, 12])
def test_rock_paper_scissors_in_groups(n):
    """f(x) = (N - 1) A x: the uniform mix is the one symmetric mixed equilibrium, a centre of the replicator
    (eigenvalues +- i (N - 1) / sqrt(3) for win = loss = 1); with win 2, loss 1 it is stable, with win 1,
    loss 2 unstable (Hofbauer and Sigmund 1998, sec. 7.7: det A > 0 decides)."""
    res = symmetric_equilibria_by_support(pairwise_group(rps(1.0, 1.0), n))
    assert len(res.symmetric_mixed) == 1
    e = res.symmetric_mixed[0]
    np.testing.assert_allclose(e.strategy, [1 / 3] * 3, atol=1e-12)
    assert e.stability == "centre" and e.payoff == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(sorted(np.imag(e.eigenvalues)), [-(n - 1) / 3**0.5, (n - 1) / 3**0.5], atol=1e-9)
    for win, loss, verdict in ((2.0, 1.0, "stable"), (1.0, 2.0, "unstable")):
        (e,) = symmetric_equilibria_by_support(pairwise_group(rps(win, loss), n)).symmetric_mixed
        np.testing.assert_allclose(e.strategy, [1 / 3] * 3, atol=1e-12)
        assert e.stability == verdict


@pytest.mark.parametrize("n", [5, 20, 50])
def test_three_club_goods_with_crowding(n):
    """Each member joins one of three clubs (public projects); club s is worth a_s to each member in it, less b
    per other member: pi_s = a_s - b n_s. Then f_s(x) = a_s - b (N - 1) x_s, and the interior equilibrium is
    x_s = (a_s - lam) / (b (N - 1)) with lam = (sum a - b (N - 1)) / 3, stable (a potential game with a
    concave potential). With a = (N - 1)(3, 2, 1) / 4 and b = 1: x = (7, 4, 1) / 12."""
    a = (n - 1) * np.array([3.0, 2.0, 1.0]) / 4
    group = PopulationGame.from_function(lambda s, counts: float(a[s] - counts[s]), ("A", "B", "C"), n)
    res = group_equilibria(group)
    interior = [e for e in res.symmetric_mixed if len(e.support) == 3]
    assert len(interior) == 1
    np.testing.assert_allclose(interior[0].strategy, np.array([7.0, 4.0, 1.0]) / 12, atol=1e-12)
    assert interior[0].stability == "stable" and interior[0].relative_regret <= 1e-9
    lam = (a.sum() - (n - 1)) / 3
    assert interior[0].payoff == pytest.approx(lam, rel=1e-10)
    # the boundary mixes are not equilibria: the unused club would earn more
    assert len(res.symmetric_mixed) == 1


def test_a_continuum_is_reported_as_degenerate():
    flat = PopulationGame.from_function(lambda s, counts: 2.0, ("A", "B", "C"), 6)
    res = group_equilibria(flat)
    assert res.indifferent and res.symmetric_mixed == ()
    assert ("A", "B", "C") in res.degenerate
    assert len(res.pure) == math.comb(6 + 2, 2)  # every composition of the 6 members
    # two copies of one action and a third that loses to both: the copies' edge is a continuum
    twins = PopulationGame.from_function(lambda s, counts: (1.0 + counts[0] + counts[1]) * (s < 2), ("A", "B", "C"),
                                         5)
    res = group_equilibria(twins)
    assert not res.indifferent and res.degenerate and ("A", "B") in res.degenerate
    assert all(len(e.support) < 3 for e in res.symmetric_mixed)
    for e in res.symmetric_mixed:
        assert mixed_regret(twins, np.array(e.strategy))[0] <= 1e-9
    # the same through the two-action interface
    eqs, indifferent = symmetric_mixed_equilibria(flat)
    assert indifferent and eqs == ()


def test_a_curve_of_zeros_is_degenerate():
    """x_1 = x_0 written twice (degree 1: the coefficients are the values at the vertices): a segment of zeros
    from (1/2, 1/2, 0) to (0, 0, 1), not isolated; one witness on it is returned."""
    z = simplex_zeros(np.array([[-1.0, 1.0, 0.0]] * 2), 1, 1e-12)
    assert z.degenerate and len(z.points) == 1
    assert z.points[0][0] == pytest.approx(z.points[0][1], abs=1e-12)


def field_zeros(game: PopulationGame, steps: int) -> list[np.ndarray]:
    """Zeros of the replicator field in the simplex by Newton's method (central differences) from every point
    of a grid of spacing 1 / steps inside the simplex: an independent search."""
    m = game.num_strategies
    starts: list[np.ndarray] = []

    def grid(prefix: list[int], left: int) -> None:
        if len(prefix) == m - 1:
            if left >= 1:
                starts.append(np.array([*prefix, left]) / steps)
            return
        for v in range(1, left):
            grid([*prefix, v], left - v)

    grid([], steps)

    def field(y: np.ndarray) -> np.ndarray:
        x = np.clip(np.concatenate([[1 - y.sum()], y]), 0.0, None)
        return group_replicator_field(game, x / x.sum())[1:]

    found: list[np.ndarray] = []
    h = 1e-7
    for x0 in starts:
        y = x0[1:].copy()
        for _ in range(40):
            if 1 - y.sum() < -1e-9 or y.min() < -1e-9:
                break
            jac = np.column_stack([(field(y + h * e) - field(y - h * e)) / (2 * h) for e in np.eye(m - 1)])
            try:
                dy = np.linalg.solve(jac, field(y))
            except np.linalg.LinAlgError:
                break
            y = y - dy
            if np.abs(dy).max() < 1e-13:
                x = np.clip(np.concatenate([[1 - y.sum()], y]), 0.0, None)
                if np.abs(field(y)).max() < 1e-10 and not any(np.abs(x - f).max() < 1e-7 for f in found):
                    found.append(x)
                break
    return found


@pytest.mark.parametrize("n, m, seed, steps", [(5, 3, 1, 30), (12, 3, 2, 30), (20, 3, 5, 30), (16, 3, 8, 60),
                                               (6, 4, 3, 12), (10, 4, 4, 24), (15, 4, 6, 24)])
def test_random_games_rest_points_are_the_zeros_of_the_field(n, m, seed, steps):
    group = normal_group(n, m, seed)
    rest = group_rest_points(group)
    assert rest.complete and not rest.degenerate
    ours = [p.state for p in rest.points]
    for p in rest.points:  # each is a zero of the field, with its eigenvalues on the simplex
        assert np.abs(group_replicator_field(group, p.state)).max() <= 1e-12
        assert p.eigenvalues.shape == (m - 1,)
    independent = field_zeros(group, steps)
    for x in independent:
        assert any(np.abs(x - y).max() <= 1e-6 for y in ours), x
    for y in ours:
        if y.min() > 0:  # every interior rest point is found by the independent search too
            assert any(np.abs(x - y).max() <= 1e-6 for x in independent), y
    # the equilibria are the rest points no action outside the support beats, each verified
    res = symmetric_equilibria_by_support(group)
    assert res.symmetric_mixed
    for e in res.symmetric_mixed:
        assert mixed_regret(group, np.array(e.strategy))[0] <= 1e-9
        assert e.relative_regret <= 1e-9
    for p in rest.points:
        regret, f = mixed_regret(group, p.state)
        used = len(p.support) >= 2
        listed = any(np.abs(np.array(e.strategy) - p.state).max() <= 1e-12 for e in res.symmetric_mixed)
        assert listed == (used and regret <= 1e-9)


def test_jacobian_against_finite_differences():
    group = normal_group(7, 3, 11)
    x = np.array([0.2, 0.5, 0.3])
    h = 1e-6
    fd = np.column_stack([(group_replicator_field(group, x + h * d) - group_replicator_field(group, x - h * d))
                          / (2 * h) for d in (np.array([1.0, -1.0, 0.0]), np.array([0.0, 1.0, -1.0]))])
    jac = group_jacobian(group, x)
    np.testing.assert_allclose(jac @ np.array([[1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]]), fd, atol=1e-7)


def test_a_group_of_fifty_with_three_actions_is_quick():
    group = normal_group(50, 3, 21)
    symmetric_equilibria_by_support(normal_group(6, 3, 1))  # compiled
    start = time.perf_counter()
    res = group_equilibria(group)
    elapsed = time.perf_counter() - start
    assert res.complete and res.symmetric_mixed
    assert all(e.relative_regret <= 1e-9 for e in res.symmetric_mixed)
    assert elapsed < 10.0, elapsed


def test_a_face_too_large_to_subdivide_is_reported():
    """Four actions in groups of 30: the mixes of all four are not searched (work budget); the result says so,
    and every smaller support is still searched and verified."""
    group = normal_group(30, 4, 5)
    res = group_equilibria(group)
    assert not res.complete and res.skipped == (("a0", "a1", "a2", "a3"),)
    assert res.to_dict()["skipped_supports"] == [["a0", "a1", "a2", "a3"]]
    assert all(len(e.support) <= 3 and e.relative_regret <= 1e-9 for e in res.symmetric_mixed)
    assert not group_rest_points(group).complete
