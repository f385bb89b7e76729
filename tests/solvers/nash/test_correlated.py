"""Correlated and coarse correlated equilibria: closed forms, Nash equilibria inside the polytope, an independent
programme built with loops, zero-sum values and invariances.

Closed forms:

- Chicken with Aumann's (1974) payoffs (6, 6 / 2, 7 / 7, 2 / 0, 0). Aumann's distribution, a third on each of
  (C, C), (C, D), (D, C), gives each player 5. The welfare-maximising one, derived here: with
  ``x = p(C, C)``, ``y = p(C, D)``, ``z = p(D, C)``, ``w = p(D, D)`` the four incentive constraints are
  ``2y >= x`` and ``z >= 2w`` (row), ``2z >= x`` and ``y >= 2w`` (column); welfare is ``12x + 9(y + z)``.
  Mass on (D, D) earns nothing and only tightens the constraints, so ``w = 0``; for a given ``y + z = 1 - x``
  the constraints ask ``x <= 2 min(y, z)``, best with ``y = z = (1 - x) / 2``, so ``x <= 1 - x``: ``x = 1/2``,
  ``y = z = 1/4``, welfare ``6 + 4.5 = 10.5``, 5.25 each (the fairest too, since the minimum is at most half
  of the welfare). The Nash equilibria give (2, 7), (7, 2) and 14/3 each.
- Two-person zero-sum games: every correlated equilibrium, and every coarse one, gives each player the value
  (Forges 1990, "Correlated equilibrium in two-person zero-sum games", Econometrica 58, 515).
- A 3-player game built here (:func:`mediated_three_player`), checked by hand in its docstring.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.nash.correlated import (
    correlated_equilibrium,
    incentive_constraints,
    incentive_gains,
    mediator_gain,
    nash_benchmark,
    polish,
)
from coop.solvers.nash.correlated_names import KINDS, OBJECTIVES, lp_coefficients
from coop.solvers.nash.results import relative_regret
from coop.solvers.nash.solve import solve_game
from coop.solvers.nash.zero_sum import zero_sum_solution
from tests import textbook_games as tg
from tests.oracles import gambit_strategies, nashpy, pygambit
from tests.strategies import games

#: Agreement of optimal values with the loop-built programme (HiGHS works to about 1e-9 here), relative to the
#: payoff spread.
VALUE_TOL = 1e-7
#: The verification tolerance (coop's default relative regret tolerance).
TOL = 1e-9


def aumann_chicken() -> NormalFormGame:
    """Chicken with Aumann's (1974) payoffs: (C, C) = (6, 6), (C, D) = (2, 7), (D, C) = (7, 2), (D, D) = (0, 0)."""
    return NormalFormGame.symmetric(np.array([[6.0, 2.0], [7.0, 0.0]]), ("Row", "Column"), ("C", "D"))


def mediated_three_player() -> NormalFormGame:
    """Players 1 (U, D) and 2 (L, R) and 3 (A, B, C); zero payoffs except
    (U, L, A) = (0, 0, 3), (D, L, A) = (1, 0, 0), (U, L, B) = (D, R, B) = (2, 2, 2), (D, L, C) = (0, 1, 0),
    (D, R, C) = (0, 0, 3).

    By hand: the largest welfare of any cell is 6, at (U, L, B) and (D, R, B) only, so a welfare of 6 puts all
    the mass ``q``, ``1 - q`` on them. Told B, player 3 gets 2; switching to A earns 3 at (U, L) only, so
    ``3q <= 2``, and to C 3 at (D, R) only, so ``3(1 - q) <= 2``: ``q`` in [1/3, 2/3]. Players 1 and 2, told
    their part, know the cell and get 2 against 0 by switching. So the welfare-maximising correlated
    equilibria give (2, 2, 2), the fairest too (no cell gives every player more than 2). No pure profile with
    welfare 6 is a Nash equilibrium (player 3 gains 1 by switching).
    """
    P = np.zeros((3, 2, 2, 3))
    P[:, 0, 0, 0] = (0, 0, 3)
    P[:, 1, 0, 0] = (1, 0, 0)
    P[:, 0, 0, 1] = (2, 2, 2)
    P[:, 1, 1, 1] = (2, 2, 2)
    P[:, 1, 0, 2] = (0, 1, 0)
    P[:, 1, 1, 2] = (0, 0, 3)
    return NormalFormGame.from_payoffs(P, ("P1", "P2", "P3"), (("U", "D"), ("L", "R"), ("A", "B", "C")))


# ----------------------------------------------------------------------------------------- a readable reference
def loop_constraints(payoffs: np.ndarray, kind: str) -> np.ndarray:
    """The incentive constraints ``A p <= 0`` written with loops over profiles (dense, raw payoffs)."""
    shape = payoffs.shape[1:]
    profiles = list(itertools.product(*(range(a) for a in shape)))
    column = {s: k for k, s in enumerate(profiles)}
    rows = []
    for i, n in enumerate(shape):
        if kind == "correlated":  # one row per recommended a and deviation b != a
            for a in range(n):
                for b in range(n):
                    if a == b:
                        continue
                    row = np.zeros(len(profiles))
                    for s in profiles:
                        if s[i] == a:
                            dev = s[:i] + (b,) + s[i + 1:]
                            row[column[s]] = payoffs[(i, *dev)] - payoffs[(i, *s)]
                    rows.append(row)
        else:  # one row per deviation b, whatever was recommended
            for b in range(n):
                row = np.zeros(len(profiles))
                for s in profiles:
                    dev = s[:i] + (b,) + s[i + 1:]
                    row[column[s]] = payoffs[(i, *dev)] - payoffs[(i, *s)]
                rows.append(row)
    return np.array(rows).reshape(len(rows), len(profiles))


def loop_optimum(game: NormalFormGame, kind: str, objective: str) -> float:
    """The optimal value by a programme built with loops (``fair``: max-min only)."""
    from scipy.optimize import linprog

    A = loop_constraints(game.payoffs, kind)
    S = game.num_profiles
    U = game.payoffs.reshape(game.num_players, -1)
    if objective == "welfare":
        res = linprog(-U.sum(axis=0), A_ub=A if len(A) else None, b_ub=np.zeros(len(A)) if len(A) else None,
                      A_eq=np.ones((1, S)), b_eq=[1.0], bounds=[(0, None)] * S, method="highs")
        assert res.status == 0
        return float(-res.fun)
    A1 = np.vstack([np.hstack([A, np.zeros((len(A), 1))]), np.hstack([-U, np.ones((len(U), 1))])])
    cost = np.zeros(S + 1)
    cost[-1] = -1.0
    res = linprog(cost, A_ub=A1, b_ub=np.zeros(len(A1)), A_eq=np.append(np.ones(S), 0.0)[None, :], b_eq=[1.0],
                  bounds=[(0, None)] * S + [(None, None)], method="highs")
    assert res.status == 0
    return float(-res.fun)


def product_distribution(strategies) -> np.ndarray:
    """The distribution of independent mixed strategies."""
    out = np.ones(())
    for s in strategies:
        out = np.multiply.outer(out, np.asarray(s, dtype=float))
    return out


def check(ce, game: NormalFormGame) -> None:
    """Verify ``ce`` in the test's own words: a distribution that meets the loop-built constraints."""
    p = ce.distribution
    assert p.shape == game.num_actions
    assert np.all(p >= 0.0) and p.sum() == pytest.approx(1.0, abs=1e-12)
    A = loop_constraints(game.payoffs, ce.kind)
    spread = float(np.ptp(game.payoffs)) or 1.0
    if len(A):
        assert float((A @ p.ravel()).max()) <= 1e-9 * spread
    assert ce.relative_violation <= ce.tol
    expected = np.array([float((game.payoffs[i] * p).sum()) for i in range(game.num_players)])
    assert np.allclose(ce.payoffs, expected, rtol=0, atol=1e-12 * max(1.0, float(np.abs(game.payoffs).max())))


# ----------------------------------------------------------------------------------------- closed forms
def test_aumanns_distribution_in_chicken_is_a_correlated_equilibrium_worth_5():
    game = aumann_chicken()
    third = np.array([[1.0, 1.0], [1.0, 0.0]]) / 3
    pay, gain, stake = incentive_gains(game, third, "correlated")
    assert pay == pytest.approx([5.0, 5.0], abs=1e-14)
    assert np.all(gain <= 1e-15)
    # the same check fails for a profile that is no equilibrium: at (C, C) each gains 1 by playing D
    pay, gain, stake = incentive_gains(game, np.array([[1.0, 0.0], [0.0, 0.0]]), "correlated")
    assert gain.tolist() == [1.0, 1.0] and relative_regret(gain, stake) > 0.1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_chicken_closed_form(kind, objective):
    game = aumann_chicken()
    ce = correlated_equilibrium(game, kind, objective)
    check(ce, game)
    assert ce.distribution == pytest.approx(np.array([[0.5, 0.25], [0.25, 0.0]]), abs=1e-12)
    assert ce.payoffs == pytest.approx([5.25, 5.25], abs=1e-12)
    assert ce.welfare == pytest.approx(10.5, abs=1e-12) and ce.min_payoff == pytest.approx(5.25, abs=1e-12)
    # what a mediator adds over the best Nash equilibrium: 10.5 - 28/3 in welfare, 5.25 - 14/3 in the least payoff
    eqs = solve_game(game).equilibria
    assert nash_benchmark(eqs) == pytest.approx((28 / 3, 14 / 3), abs=1e-12)
    gain = mediator_gain(ce, eqs)
    assert gain == pytest.approx(10.5 - 28 / 3 if objective == "welfare" else 5.25 - 14 / 3, abs=1e-12)


def test_chicken_to_dict_lists_the_recommendations_by_name():
    import json

    d = correlated_equilibrium(aumann_chicken()).to_dict()
    json.dumps(d, allow_nan=False)
    assert [(e["profile"], e["probability"]) for e in d["distribution"]] == [
        ({"Row": "C", "Column": "C"}, pytest.approx(0.5, abs=1e-12)),
        ({"Row": "C", "Column": "D"}, pytest.approx(0.25, abs=1e-12)),
        ({"Row": "D", "Column": "C"}, pytest.approx(0.25, abs=1e-12)),
    ]
    assert d["payoffs"] == {"Row": pytest.approx(5.25), "Column": pytest.approx(5.25)}
    assert d["kind"] == "correlated" and d["objective"] == "welfare" and d["constraints"] == 4


@pytest.mark.parametrize("kind", KINDS)
def test_three_player_hand_checked(kind):
    game = mediated_three_player()
    welfare = correlated_equilibrium(game, kind, "welfare")
    check(welfare, game)
    assert welfare.payoffs == pytest.approx([2.0, 2.0, 2.0], abs=1e-12)
    support = {prof: p for prof, p in welfare.support()}
    assert set(support) == {(0, 0, 1), (1, 1, 1)}
    assert 1 / 3 - 1e-12 <= support[(0, 0, 1)] <= 2 / 3 + 1e-12
    fair = correlated_equilibrium(game, kind, "fair")
    check(fair, game)
    assert fair.min_payoff == pytest.approx(2.0, abs=1e-12) and fair.welfare == pytest.approx(6.0, abs=1e-12)
    # no Nash equilibrium found reaches 6 (no pure profile of welfare 6 is one): the mediator adds
    gain = mediator_gain(welfare, solve_game(game).equilibria)
    assert gain is not None and gain > 1.0


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("M", [
    pytest.param([[1, -1], [-1, 1]], id="matching_pennies"),
    pytest.param([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], id="rock_paper_scissors"),
    pytest.param([[4, 1], [2, 3]], id="mixed_2x2"),
    pytest.param([[1, 3], [2, 4]], id="saddle_point"),
])
def test_zero_sum_correlated_payoff_is_the_value(M, kind, objective):
    M = np.array(M, dtype=float)
    game = NormalFormGame.from_bimatrix(M, -M)
    ce = correlated_equilibrium(game, kind, objective)
    check(ce, game)
    value = zero_sum_solution(M).value
    assert ce.payoffs[0] == pytest.approx(value, abs=1e-9)
    assert ce.payoffs[1] == pytest.approx(-value, abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
def test_random_zero_sum_payoff_is_the_value(seed):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((int(rng.integers(2, 6)), int(rng.integers(2, 6))))
    game = NormalFormGame.from_bimatrix(M, -M)
    value = zero_sum_solution(M).value
    for kind in KINDS:
        ce = correlated_equilibrium(game, kind, "fair")
        check(ce, game)
        assert ce.payoffs[0] == pytest.approx(value, abs=1e-8)


# ----------------------------------------------------------------------------------------- Nash inside
@pytest.mark.parametrize("factory", [tg.prisoners_dilemma, tg.battle_of_the_sexes, tg.stag_hunt, tg.chicken,
                                     tg.rock_paper_scissors, tg.von_stengel_3x2, tg.three_player_matching_pennies,
                                     tg.two_totally_mixed_2x2x2, mediated_three_player])
def test_every_nash_equilibrium_meets_both_kinds_of_constraints(factory):
    game = factory()
    eqs = solve_game(game).equilibria
    assert eqs
    for eq in eqs:
        p = product_distribution(eq.strategies)
        for kind in KINDS:
            _pay, gain, stake = incentive_gains(game, p, kind)
            assert relative_regret(gain, stake) <= TOL
        # and the optimum is never below a Nash equilibrium's welfare or least payoff
    for kind in KINDS:
        assert correlated_equilibrium(game, kind, "welfare").welfare >= nash_benchmark(eqs)[0] - 1e-9
        assert correlated_equilibrium(game, kind, "fair").min_payoff >= nash_benchmark(eqs)[1] - 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_nashpy_equilibria_are_correlated_equilibria(seed):
    rng = np.random.default_rng(100 + seed)
    A, B = rng.standard_normal((2, 3, 4))
    game = NormalFormGame.from_bimatrix(A, B)
    found = list(nashpy.Game(A, B).support_enumeration())
    assert found
    best = correlated_equilibrium(game, "correlated", "welfare")
    for x, y in found:
        p = np.outer(x, y)
        for kind in KINDS:
            _pay, gain, stake = incentive_gains(game, p, kind)
            assert relative_regret(gain, stake) <= 1e-8  # nashpy's own precision
        assert best.welfare >= float(x @ (A + B) @ y) - 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_gambit_equilibria_of_three_player_games_are_inside(seed):
    # Gambit's enumpoly and gnm find equilibria of a 3-player game their own ways: each is a correlated (and a
    # coarse) equilibrium of ours, and none has more welfare or a larger least payoff than our optima
    rng = np.random.default_rng(200 + seed)
    game = NormalFormGame.from_payoffs(rng.standard_normal((3, 2, 2, 3)))
    found = [*pygambit.nash.enumpoly_solve(game.to_gambit()).equilibria,
             *pygambit.nash.gnm_solve(game.to_gambit()).equilibria]
    assert found
    best = {o: correlated_equilibrium(game, "correlated", o) for o in OBJECTIVES}
    for eq in found:
        strategies = gambit_strategies(eq)
        p = product_distribution(strategies)
        for kind in KINDS:
            _pay, gain, stake = incentive_gains(game, p, kind)
            assert relative_regret(gain, stake) <= 1e-8  # Gambit's own precision
        pay = np.array([float((game.payoffs[i] * p).sum()) for i in range(3)])
        assert best["welfare"].welfare >= pay.sum() - 1e-9
        assert best["fair"].min_payoff >= pay.min() - 1e-9


# ----------------------------------------------------------------------------------------- against loops
@pytest.mark.parametrize("seed", range(10))
def test_random_games_match_the_loop_built_programme(seed):
    rng = np.random.default_rng(seed)
    n = 2 if seed < 5 else 3
    shape = tuple(int(a) for a in rng.integers(2, 5 if n == 2 else 4, size=n))
    payoffs = rng.standard_normal((n, *shape)) if seed % 2 else rng.integers(-3, 4, (n, *shape)).astype(float)
    game = NormalFormGame.from_payoffs(payoffs)
    spread = float(np.ptp(payoffs)) or 1.0
    best_nash_welfare, best_nash_least = nash_benchmark(solve_game(game).equilibria)
    values = {}
    for kind in KINDS:
        for objective in OBJECTIVES:
            ce = correlated_equilibrium(game, kind, objective)
            check(ce, game)
            values[kind, objective] = ce.value
            assert ce.value == pytest.approx(loop_optimum(game, kind, objective), abs=VALUE_TOL * spread)
        assert values[kind, "welfare"] >= best_nash_welfare - 1e-9 * spread
        assert values[kind, "fair"] >= best_nash_least - 1e-9 * spread
    # every correlated equilibrium is a coarse one
    assert values["coarse", "welfare"] >= values["correlated", "welfare"] - 1e-9 * spread
    assert values["coarse", "fair"] >= values["correlated", "fair"] - 1e-9 * spread


def test_the_constraint_matrix_equals_the_loop_built_one():
    game = mediated_three_player()
    for kind in KINDS:
        A = incentive_constraints(game, kind).toarray()
        # the solver writes each player's rows in payoffs scaled by 2**-e_i: scale them back
        ref = loop_constraints(game.payoffs, kind)
        per_player = [(a - 1) * a if kind == "correlated" else a for a in game.num_actions]
        scale = np.repeat(np.ldexp(1.0, game.payoff_exponents), per_player)
        assert np.array_equal(A * scale[:, None], ref)
    assert incentive_constraints(game).nnz <= lp_coefficients(game.num_actions)


@settings(deadline=None, max_examples=25)
@given(games(n_players=(2, 3), max_actions=3, continuous=False, max_profiles=27))
def test_property_verified_and_ordered(game):
    spread = float(np.ptp(game.payoffs)) or 1.0
    ce = correlated_equilibrium(game, "correlated", "welfare")
    cce = correlated_equilibrium(game, "coarse", "welfare")
    fair = correlated_equilibrium(game, "correlated", "fair")
    for r in (ce, cce, fair):
        assert r.relative_violation <= r.tol
        assert np.all(r.distribution >= 0.0) and r.distribution.sum() == pytest.approx(1.0, abs=1e-12)
    assert cce.welfare >= ce.welfare - 1e-9 * spread
    assert ce.welfare >= fair.welfare - 1e-9 * spread
    assert fair.min_payoff >= ce.min_payoff - 1e-9 * spread
    # the welfare-maximising distribution meets the coarse constraints too (CE inside CCE)
    _pay, gain, stake = incentive_gains(game, ce.distribution, "coarse")
    assert relative_regret(gain, stake) <= TOL
    # every pure Nash equilibrium is at most the optimum
    for prof in itertools.product(*(range(a) for a in game.num_actions)):
        p = np.zeros(game.num_actions)
        p[prof] = 1.0
        _pay, gain, stake = incentive_gains(game, p, "correlated")
        if relative_regret(gain, stake) <= TOL:
            assert float(game.payoffs[(slice(None), *prof)].sum()) <= ce.welfare + 1e-9 * spread


# ----------------------------------------------------------------------------------------- invariances, edges
def test_power_of_two_scaling_changes_nothing_and_huge_payoffs_solve():
    game = mediated_three_player()
    for factor in (2.0**-900, 2.0**1000):
        scaled = NormalFormGame.from_payoffs(game.payoffs * factor, game.players, game.actions)
        for kind in KINDS:
            a = correlated_equilibrium(game, kind, "welfare")
            b = correlated_equilibrium(scaled, kind, "welfare")
            assert np.allclose(a.distribution, b.distribution, atol=1e-12)
            assert np.allclose(b.payoffs, a.payoffs * factor, rtol=1e-12, atol=0)


def test_one_player_and_single_action_players():
    solo = NormalFormGame.from_payoffs(np.array([[3.0, 5.0, 1.0]]))
    ce = correlated_equilibrium(solo)
    assert ce.distribution.tolist() == [0.0, 1.0, 0.0] and ce.payoffs.tolist() == [5.0]
    fixed = NormalFormGame.from_payoffs(np.array([[[1.0]], [[2.0]]]))
    ce = correlated_equilibrium(fixed, "coarse", "fair")
    assert ce.constraints == 0 and ce.payoffs.tolist() == [1.0, 2.0]


def test_fair_breaks_ties_by_welfare():
    # battle of the sexes: the fairest correlated equilibrium is the coin toss between (B, B) and (S, S), 1.5 each,
    # not a worse one with the same least payoff
    game = tg.battle_of_the_sexes()
    fair = correlated_equilibrium(game, "correlated", "fair")
    assert fair.payoffs == pytest.approx([1.5, 1.5], abs=1e-9)
    assert fair.distribution == pytest.approx(np.array([[0.5, 0.0], [0.0, 0.5]]), abs=1e-9)


def test_polish_removes_rounding_of_a_vertex():
    game = aumann_chicken()
    A = incentive_constraints(game)
    rough = np.array([0.5 + 4e-8, 0.25 - 3e-8, 0.25 - 1e-8, 0.0])
    assert float((A @ rough).max()) > 1e-9
    q = polish(A, rough)
    assert q is not None and float((A @ q).max()) <= 1e-15
    assert q == pytest.approx([0.5, 0.25, 0.25, 0.0], abs=1e-14)
    assert polish(A, np.array([0.5, 0.25, 0.25, 0.0])) is None  # nothing to polish


def test_a_spent_time_limit_returns_nothing():
    from coop.solvers.shared.progress import TimeLimit

    spent = TimeLimit(1.0, time.monotonic() - 5.0)
    with pytest.raises(RuntimeError, match="the programme was not run: the time limit of 1 s was reached"):
        correlated_equilibrium(aumann_chicken(), stop_after=spent)
    assert correlated_equilibrium(aumann_chicken(), stop_after=60.0).welfare == pytest.approx(10.5, abs=1e-12)


def test_bad_input():
    game = aumann_chicken()
    with pytest.raises(InputError, match="unknown kind of correlated equilibrium 'nash'; expected one of"):
        correlated_equilibrium(game, "nash")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown objective 'utilitarian'"):
        correlated_equilibrium(game, objective="utilitarian")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="regret tolerance must be a number in"):
        correlated_equilibrium(game, tol=0.5)
    big = NormalFormGame.from_payoffs(np.zeros((2, 200, 200)))
    with pytest.raises(InputError, match="constraint coefficients; the limit is 250,000"):
        correlated_equilibrium(big)
    with pytest.raises(TypeError, match="takes a NormalFormGame"):
        correlated_equilibrium(np.zeros((2, 2, 2)))  # type: ignore[arg-type]
