"""Tests of the 2-player solvers: vertex enumeration, support enumeration, Lemke-Howson.

Oracles: the textbook equilibria written out below, pygambit's ``enummixed_solve``
(every extreme equilibrium, also on degenerate games), QuantEcon's
``vertex_enumeration`` and ``lemke_howson`` (per initial label) and Nashpy's
``support_enumeration``. Property tests check the invariants on random games.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.nash.lemke_howson import lemke_howson
from coop.solvers.nash.support_enumeration import support_enumeration
from coop.solvers.nash.vertex_enumeration import vertex_enumeration
from tests import regret
from tests import textbook_games as tg
from tests.oracles import gambit_flat, pygambit, quantecon
from tests.strategies import bimatrix

#: Probabilities of two equilibria that are the same must agree within this.
PROB_TOL = 1e-6
#: Relative regret tolerance every reported equilibrium must meet (times the payoff spread).
REGRET_TOL_REL = 1e-9

Profile = tuple[tuple[float, ...], tuple[float, ...]]


# ---------------------------------------------------------------------------- helpers
def profiles(result) -> list[np.ndarray]:
    """The equilibria of a result as flat probability vectors."""
    return [np.concatenate(e.strategies) for e in result.equilibria]


def same_set(found: list[np.ndarray], expected: list[np.ndarray], tol: float = PROB_TOL) -> bool:
    """Whether two lists of flat profiles are equal as sets (each matched within ``tol``)."""
    if len(found) != len(expected):
        return False
    unmatched = list(expected)
    for f in found:
        hit = next((k for k, e in enumerate(unmatched) if np.max(np.abs(f - e)) <= tol), None)
        if hit is None:
            return False
        unmatched.pop(hit)
    return True


def gambit_extreme(game: NormalFormGame) -> list[np.ndarray]:
    g = game.to_gambit()
    res = pygambit.nash.enummixed_solve(g, rational=False)
    out: list[np.ndarray] = []
    for eq in res.equilibria:
        flat = gambit_flat(eq)
        # on degenerate games Gambit can list one extreme equilibrium once per basis: keep one
        if not any(np.max(np.abs(flat - o)) <= 1e-9 for o in out):
            out.append(flat)
    return out


def quantecon_game(game: NormalFormGame):
    """``game.to_quantecon()`` with writable payoff arrays (QuantEcon's kernels reject read-only ones)."""
    return quantecon.NormalFormGame([quantecon.Player(np.array(p.payoff_array)) for p in game.to_quantecon().players])


def brute_force_pure(game: NormalFormGame) -> set[tuple[int, int]]:
    return {(int(i), int(j)) for i, j in regret.pure_equilibria(game, REGRET_TOL_REL)}


def pure_found(result) -> set[tuple[int, int]]:
    return {(e.support(0)[0], e.support(1)[0]) for e in result.equilibria if e.is_pure}


def check_invariants(game: NormalFormGame, result) -> None:
    assert result.tol == REGRET_TOL_REL
    for e in result.equilibria:
        assert e.relative_regret <= result.tol
        assert regret.is_equilibrium(game, e.strategies, result.tol)  # independent check (tests/regret.py)
        assert game.max_regret(e.strategies) <= REGRET_TOL_REL * game.payoff_scale
        for s in e.strategies:
            assert s.min() >= 0.0
            assert s.sum() == pytest.approx(1.0, abs=1e-12)
    json.dumps(result.to_dict())


def random_game(rng: np.random.Generator, m: int, n: int, integer: bool = False) -> NormalFormGame:
    if integer:
        return NormalFormGame.from_payoffs(rng.integers(0, 3, (2, m, n)).astype(float))
    return NormalFormGame.from_payoffs(rng.standard_normal((2, m, n)))


# ---------------------------------------------------------------------------- textbook table
@dataclass(frozen=True)
class SolverCase:
    factory: Callable[[], NormalFormGame]
    expected: tuple[Profile, ...]


def _flat(p: Profile) -> np.ndarray:
    return np.concatenate([np.array(p[0], float), np.array(p[1], float)])


TEXTBOOK = [
    pytest.param(SolverCase(tg.prisoners_dilemma, (((0, 1), (0, 1)),)), id="prisoners_dilemma"),
    pytest.param(SolverCase(tg.matching_pennies, (((0.5, 0.5), (0.5, 0.5)),)), id="matching_pennies"),
    pytest.param(
        SolverCase(
            tg.battle_of_the_sexes,
            (((1, 0), (1, 0)), ((0, 1), (0, 1)), ((2 / 3, 1 / 3), (1 / 3, 2 / 3))),
        ),
        id="battle_of_the_sexes",
    ),
    pytest.param(
        SolverCase(tg.stag_hunt, (((1, 0), (1, 0)), ((0, 1), (0, 1)), ((2 / 3, 1 / 3), (2 / 3, 1 / 3)))),
        id="stag_hunt",
    ),
    pytest.param(
        SolverCase(tg.chicken, (((1, 0), (0, 1)), ((0, 1), (1, 0)), ((2 / 3, 1 / 3), (2 / 3, 1 / 3)))),
        id="chicken",
    ),
    pytest.param(
        SolverCase(tg.rock_paper_scissors, (((1 / 3,) * 3, (1 / 3,) * 3),)), id="rock_paper_scissors"
    ),
    pytest.param(
        SolverCase(
            tg.von_stengel_3x2,
            (((1, 0, 0), (1, 0)), ((0.8, 0.2, 0), (2 / 3, 1 / 3)), ((0, 1 / 3, 2 / 3), (1 / 3, 2 / 3))),
        ),
        id="von_stengel_3x2",
    ),
]


@pytest.mark.parametrize("case", TEXTBOOK)
@pytest.mark.parametrize("solver", [vertex_enumeration, support_enumeration], ids=["vertex", "support"])
def test_textbook_all_equilibria(case: SolverCase, solver) -> None:
    game = case.factory()
    res = solver(game)
    expected = [_flat(p) for p in case.expected]
    assert len(res.equilibria) == len(expected)
    check_invariants(game, res)
    assert same_set(profiles(res), expected)
    assert res.degenerate is False
    assert res.guarantee == ("all_extreme" if solver is vertex_enumeration else "all")
    assert same_set(profiles(res), gambit_extreme(game))


@pytest.mark.parametrize("case", TEXTBOOK)
def test_textbook_lemke_howson_finds_a_listed_equilibrium(case: SolverCase) -> None:
    game = case.factory()
    expected = [_flat(p) for p in case.expected]
    for label in range(sum(game.num_actions)):
        res = lemke_howson(game, initial_label=label)
        assert res.converged and res.guarantee == "some" and len(res.equilibria) == 1
        check_invariants(game, res)
        assert any(np.max(np.abs(profiles(res)[0] - e)) <= PROB_TOL for e in expected)


# ---------------------------------------------------------------------------- pygambit oracle
GAMBIT_SIZES = [(2, 3), (3, 3), (4, 2), (4, 4), (5, 3), (5, 5), (6, 4), (7, 7)]


@pytest.mark.parametrize("m,n", GAMBIT_SIZES, ids=[f"{m}x{n}" for m, n in GAMBIT_SIZES])
def test_vertex_enumeration_matches_gambit_nondegenerate(m: int, n: int) -> None:
    rng = np.random.default_rng(1000 * m + n)
    for _ in range(3):
        game = random_game(rng, m, n)
        res = vertex_enumeration(game)
        check_invariants(game, res)
        assert res.degenerate is False and res.converged and res.rejected == 0
        assert same_set(profiles(res), gambit_extreme(game))


@pytest.mark.parametrize("m,n", [(1, 3), (2, 2), (2, 4), (3, 3), (3, 4), (4, 4)])
def test_vertex_enumeration_matches_gambit_degenerate(m: int, n: int) -> None:
    """Small integer payoffs (0, 1, 2) make ties and continua common; the extreme points must agree."""
    rng = np.random.default_rng(77 * m + n)
    degenerate_seen = 0
    for _ in range(12):
        game = random_game(rng, m, n, integer=True)
        res = vertex_enumeration(game)
        check_invariants(game, res)
        assert res.converged and res.rejected == 0
        assert same_set(profiles(res), gambit_extreme(game))
        degenerate_seen += bool(res.degenerate)
        if res.degenerate:
            assert res.notes
    assert degenerate_seen > 0


@pytest.mark.parametrize("m,n", [(2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (4, 7)])
def test_support_enumeration_agrees_with_vertex_enumeration(m: int, n: int) -> None:
    rng = np.random.default_rng(31 * m + n)
    for _ in range(3):
        game = random_game(rng, m, n)
        se = support_enumeration(game)
        ve = vertex_enumeration(game)
        check_invariants(game, se)
        assert se.degenerate is False and se.guarantee == "all"
        assert same_set(profiles(se), profiles(ve))


# ---------------------------------------------------------------------------- QuantEcon and Nashpy oracles
@pytest.mark.parametrize("n", [3, 5, 8])
def test_vertex_enumeration_matches_quantecon(n: int) -> None:
    rng = np.random.default_rng(n)
    for _ in range(2):
        game = random_game(rng, n, n + 1)
        theirs = [np.concatenate(p) for p in quantecon.vertex_enumeration(quantecon_game(game))]
        assert same_set(profiles(vertex_enumeration(game)), theirs)


@pytest.mark.parametrize("m,n", [(2, 2), (3, 5), (6, 4), (10, 10), (30, 25)])
def test_lemke_howson_matches_quantecon_per_label(m: int, n: int) -> None:
    rng = np.random.default_rng(m * n)
    game = random_game(rng, m, n)
    qgame = quantecon_game(game)
    for label in range(m + n):
        res = lemke_howson(game, initial_label=label)
        assert res.converged and res.parameters["label_used"] == label
        check_invariants(game, res)
        qx, qy = quantecon.lemke_howson(qgame, init_pivot=label)
        assert np.max(np.abs(profiles(res)[0] - np.concatenate([qx, qy]))) <= PROB_TOL


def test_lemke_howson_matches_quantecon_on_degenerate_games() -> None:
    # payoffs in {0, 1, 2}: ties in the ratio test are common, and the lexicographic rule (read from the compact
    # tableau, basic identity columns as unit vectors) must follow QuantEcon's full-tableau path label by label
    rng = np.random.default_rng(3)
    for _ in range(20):
        m, n = (int(v) for v in rng.integers(2, 7, 2))
        game = random_game(rng, m, n, integer=True)
        qgame = quantecon_game(game)
        for label in range(m + n):
            res = lemke_howson(game, initial_label=label)
            assert res.converged and res.parameters["label_used"] == label
            check_invariants(game, res)
            qx, qy = quantecon.lemke_howson(qgame, init_pivot=label)
            assert np.max(np.abs(profiles(res)[0] - np.concatenate([qx, qy]))) <= PROB_TOL


def test_support_enumeration_matches_nashpy() -> None:
    # Nashpy's own support_enumeration misses equilibria of some nondegenerate games (tolerance
    # 1e-16 on best responses; seen on a 5x5 game here), so its vertex_enumeration is the oracle
    rng = np.random.default_rng(5)
    for m, n in [(3, 3), (4, 4), (5, 5), (3, 5), (6, 6)]:
        game = random_game(rng, m, n)
        theirs = [np.concatenate(p) for p in game.to_nashpy().vertex_enumeration()]
        assert same_set(profiles(support_enumeration(game)), theirs)


# ---------------------------------------------------------------------------- properties
@settings(deadline=None, max_examples=40)
@given(bimatrix(max_actions=5, nondegenerate=True))
def test_property_nondegenerate(game: NormalFormGame) -> None:
    ve = vertex_enumeration(game)
    se = support_enumeration(game)
    lh = lemke_howson(game)
    for res in (ve, se, lh):
        check_invariants(game, res)
    assert len(ve.equilibria) % 2 == 1  # nondegenerate games have an odd number of equilibria
    assert pure_found(ve) == brute_force_pure(game)
    assert pure_found(se) == brute_force_pure(game)
    assert same_set(profiles(se), profiles(ve))
    assert any(np.max(np.abs(profiles(lh)[0] - p)) <= PROB_TOL for p in profiles(ve))


@settings(deadline=None, max_examples=40)
@given(bimatrix(max_actions=4, nondegenerate=False))
def test_property_degenerate_no_crash(game: NormalFormGame) -> None:
    ve = vertex_enumeration(game)
    check_invariants(game, ve)
    assert ve.equilibria  # every game has an equilibrium, and an extreme one
    # every pure equilibrium is a pair of vertices, so vertex enumeration lists all of them
    assert pure_found(ve) == brute_force_pure(game)
    se = support_enumeration(game)
    check_invariants(game, se)
    assert se.degenerate is not False or se.guarantee == "all"
    lh = lemke_howson(game)
    check_invariants(game, lh)
    if lh.converged:
        assert len(lh.equilibria) == 1


# ---------------------------------------------------------------------------- edge cases
def test_zero_game_every_pure_profile_is_extreme() -> None:
    game = NormalFormGame.from_payoffs(np.zeros((2, 3, 4)))
    res = vertex_enumeration(game)
    assert res.degenerate is True and res.notes
    assert pure_found(res) == set(itertools.product(range(3), range(4)))
    assert len(res.equilibria) == 12
    assert same_set(profiles(res), gambit_extreme(game))
    se = support_enumeration(game)
    assert se.degenerate is True and se.guarantee == "some"
    assert any("vertex_enumeration" in note for note in se.notes)
    assert lemke_howson(game).converged


@pytest.mark.parametrize(
    "payoffs",
    [
        pytest.param(np.array([[[1.0]], [[2.0]]]), id="1x1"),
        pytest.param(np.array([[[1.0, 2.0, 0.5]], [[3.0, 1.0, 3.0]]]), id="1x3_tie"),
        pytest.param(np.array([[[1.0], [4.0], [4.0]], [[0.0], [0.0], [1.0]]]), id="3x1_tie"),
        pytest.param(
            np.array([[[3.0, 0.0], [3.0, 0.0], [1.0, 2.0]], [[1.0, 2.0], [1.0, 2.0], [3.0, 0.0]]]),
            id="duplicated_rows",
        ),
        pytest.param(np.ones((2, 2, 2)), id="constant"),
    ],
)
def test_edge_cases_do_not_crash(payoffs: np.ndarray) -> None:
    game = NormalFormGame.from_payoffs(payoffs)
    ve = vertex_enumeration(game)
    check_invariants(game, ve)
    assert same_set(profiles(ve), gambit_extreme(game))
    assert pure_found(ve) == brute_force_pure(game)
    for solver in (support_enumeration, lemke_howson):
        res = solver(game)
        check_invariants(game, res)
        assert res.equilibria


def test_1x1_is_trivial() -> None:
    game = NormalFormGame.from_payoffs(np.array([[[1.0]], [[2.0]]]))
    for solver in (vertex_enumeration, support_enumeration, lemke_howson):
        res = solver(game)
        assert profiles(res) == [pytest.approx([1.0, 1.0])]


def test_duplicated_strategies_give_a_segment_of_equilibria() -> None:
    """Rows 0 and 1 are copies: the mixed equilibrium is a segment whose two ends are both reported."""
    A = np.array([[2.0, 0.0], [2.0, 0.0], [0.0, 1.0]])
    B = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    game = NormalFormGame.from_bimatrix(A, B)
    res = vertex_enumeration(game)
    assert res.degenerate is True
    assert same_set(profiles(res), gambit_extreme(game))
    ends = [p for p in profiles(res) if p[2] > 0 and p[0] + p[1] > 0]
    assert len(ends) == 2  # (2/3, 0, 1/3) and (0, 2/3, 1/3) against (1/3, 2/3)


# ---------------------------------------------------------------------------- input errors and caps
@pytest.mark.parametrize("solver", [vertex_enumeration, support_enumeration, lemke_howson])
def test_three_player_game_is_refused(solver) -> None:
    with pytest.raises(InputError, match="2-player"):
        solver(tg.three_player_matching_pennies())


@pytest.mark.parametrize("solver", [vertex_enumeration, support_enumeration, lemke_howson])
def test_non_game_is_refused(solver) -> None:
    with pytest.raises(InputError, match="NormalFormGame"):
        solver(np.zeros((2, 2, 2)))


@pytest.mark.parametrize("label", [-1, 5, 2.0, True])
def test_lemke_howson_bad_label(label) -> None:
    with pytest.raises(InputError, match="initial_label"):
        lemke_howson(tg.von_stengel_3x2(), initial_label=label)


def test_lemke_howson_iteration_cap_reports_failure() -> None:
    res = lemke_howson(tg.von_stengel_3x2(), max_iter=1)
    assert not res.converged and res.equilibria == ()
    assert any("pivots" in note for note in res.notes)


def test_lemke_howson_falls_back_to_other_labels() -> None:
    # von Stengel's 3x2 game: the path from label 1 takes 4 pivots, from label 2 three, from 3 two
    game = tg.von_stengel_3x2()
    assert [lemke_howson(game, initial_label=k).num_iter for k in (1, 2, 3)] == [4, 3, 2]
    capped = lemke_howson(game, initial_label=1, max_iter=3)
    assert capped.converged and capped.parameters["label_used"] == 2
    assert any("label 1" in note for note in capped.notes)
    assert same_set(profiles(capped), profiles(lemke_howson(game, initial_label=2)))


def test_compiled_point_check_agrees_with_the_reference_rule() -> None:
    # every 2-player solver (Lemke-Howson's end point included) admits a point by bimatrix.verify_profile; it must
    # accept exactly the points tests/regret.py accepts, on equilibria, non-equilibria and points off the simplex,
    # also when one player's payoffs are scaled by 1e10 and a single payoff is far larger than the rest
    from coop.solvers.nash.bimatrix import _DEDUPE_TOL, _verify_bimatrix_kernel, verify_rule

    rng = np.random.default_rng(17)
    for m, n in [(2, 2), (3, 5), (8, 6)]:
        base = random_game(rng, m, n)
        big = np.array(base.payoffs)
        big[0] *= 1e10
        big[1, 0, 0] = 1e6
        for game in (base, NormalFormGame.from_payoffs(big)):
            U = game.unit_payoffs
            eq = lemke_howson(game).equilibria[0]
            points = [np.concatenate(eq.strategies)]
            points += [np.concatenate([rng.dirichlet(np.ones(m)), rng.dirichlet(np.ones(n))]) for _ in range(5)]
            points.append(np.concatenate([np.eye(m)[0], np.eye(n)[n - 1]]))
            points.append(points[1] * 1.01)  # off the simplex
            bad = points[1].copy()
            bad[0] = -1e-6  # a negative entry
            points.append(bad)
            for tol in (1e-9, 0.05):
                for pt in points:
                    x, y = pt[:m].copy(), pt[m:].copy()
                    _, _, pay, reg, rel, status = _verify_bimatrix_kernel(U[0], U[1], x[None], y[None],
                                                                          verify_rule(game, tol), _DEDUPE_TOL)
                    on_simplex = np.all(pt >= 0) and abs(x.sum() - 1) <= 1e-9 and abs(y.sum() - 1) <= 1e-9
                    if not on_simplex:
                        assert status[0] == 1
                        continue
                    ratios = regret.regret_ratios(game, (x, y))
                    assert rel[0] == pytest.approx(ratios.max(), rel=1e-6, abs=1e-15)
                    assert (status[0] == 0) == regret.is_equilibrium(game, (x, y), tol)
                    if status[0] == 0:
                        np.testing.assert_allclose(pay[0], game.expected_payoffs((x, y)), rtol=1e-12)


def test_vertex_enumeration_basis_cap() -> None:
    game = random_game(np.random.default_rng(3), 6, 6)
    res = vertex_enumeration(game, max_bases=5)
    assert not res.converged and any("stopped" in note for note in res.notes)
    for e in res.equilibria:
        assert e.relative_regret <= res.tol
    with pytest.raises(InputError):
        vertex_enumeration(game, max_bases=0)


def test_explicit_tolerance_is_used() -> None:
    game = tg.battle_of_the_sexes()
    for solver in (vertex_enumeration, support_enumeration, lemke_howson):
        assert solver(game, tol=1e-6).tol == 1e-6


def test_bimatrix_verification_matches_the_generic_one_in_order() -> None:
    # the compiled 2-player path (verify, dedupe, order in one kernel) must keep, score and order candidates
    # exactly as coop.solvers.nash.results.verified_equilibria does for any game; candidates include repeats,
    # non-equilibria, pure profiles and near-ties in the ordering keys
    from coop.solvers.nash.bimatrix import verified_bimatrix_equilibria
    from coop.solvers.nash.results import verified_equilibria

    rng = np.random.default_rng(5)
    for m, n in [(2, 2), (3, 3), (4, 6)]:
        game = random_game(rng, m, n)
        found = [tuple(e.strategies) for e in vertex_enumeration(game).equilibria]
        cands = found + found[::-1]  # every one twice
        cands += [(np.eye(m)[i], np.eye(n)[j]) for i in range(m) for j in range(n)]
        cands += [(rng.dirichlet(np.ones(m)), rng.dirichlet(np.ones(n))) for _ in range(4)]
        rng.shuffle(cands)
        tol = 1e-9 * float(np.ptp(game.payoffs))
        generic, rej_generic = verified_equilibria(game, cands, tol)
        X = np.array([c[0] for c in cands])
        Y = np.array([c[1] for c in cands])
        fast, rej_fast = verified_bimatrix_equilibria(game, X, Y, tol)
        assert rej_fast == rej_generic
        assert len(fast) == len(generic)
        for a, b in zip(fast, generic, strict=True):
            np.testing.assert_allclose(np.concatenate(a.strategies), np.concatenate(b.strategies), atol=1e-12)
            np.testing.assert_allclose(a.payoffs, b.payoffs, atol=1e-12)
