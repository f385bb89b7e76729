"""Equilibria under the limit of means: closed forms, and the limit of discounting as an independent oracle.

Closed forms (prisoner's dilemma, T > R > P > S; Osborne and Rubinstein 1994, ch. 8; Fudenberg and
Tirole 1991, section 5.1): grim trigger is subgame perfect under the limit of means; tit-for-tat is
Nash but not subgame perfect (after mutual defection it echoes P for ever, while cooperating once
restores R: a gain of R - P); one period of punishment is subgame perfect iff T - R <= R - P, and
win-stay-lose-shift iff T - R <= R - P too (Pavlov's condition R >= (T + P) / 2); at the tie both hold
under the limit of means but for no discount factor.

Oracle: for a finite Markov decision problem, (1 - delta) times the optimal discounted value tends to
the optimal long-run average as delta -> 1, with an error of order 1 - delta (Blackwell 1962; Puterman
1994, section 8.2); the policy iteration of the discounted best response
(:mod:`coop.solvers.repeated.best_response`) at delta = 1 - 1e-7 gives it by another algorithm.
"""

from __future__ import annotations

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.best_response import _optimal_values
from coop.solvers.repeated.limit_of_means import limit_of_means_check, optimal_gains
from coop.solvers.repeated.payoffs import cesaro_values, discounted_payoffs, discounted_values
from coop.solvers.repeated.subgame_perfection import _tables, critical_discount_factor
from tests.textbook_games import prisoners_dilemma

#: delta of the discounted oracle, and the agreement asked of it (payoff units of games with payoffs <= 10)
ORACLE_DELTA = 1.0 - 1e-7
ORACLE_TOL = 1e-4


def repeated(stage: NormalFormGame, **kw) -> RepeatedGame:
    n = stage.num_players
    return RepeatedGame(stage, None, (0,) * n, (1,) * n, **kw)


def oracle_gains(game: RepeatedGame, profile) -> np.ndarray:
    """(J, N): each player's best long-run average minus the profile's, at every joint state, from discounting."""
    discounted = game.with_delta(ORACLE_DELTA)
    t = _tables(discounted, profile)
    own = discounted_values(t.P, t.U, ORACLE_DELTA)  # normalised: (1 - delta) V
    out = np.empty_like(own)
    for i in range(game.num_players):
        best, settled = _optimal_values(t, i, ORACLE_DELTA, _own_actions(t, game, i))
        assert settled
        out[:, i] = best - own[:, i]
    return out


def _own_actions(t, game: RepeatedGame, i: int) -> np.ndarray:
    """The action player ``i``'s automaton plays at each joint state (the policy iteration's first policy)."""
    shape = game.stage.num_actions
    return np.array([np.unravel_index(int(f), shape)[i] for f in t.onpath], dtype=np.int64)


@pytest.mark.parametrize("trps", [(5, 3, 1, 0), (4, 3, 1, 0), (6, 3, 1, 0), (5, 4, 1, 0), (3, 2, 1, 0)])
def test_prisoners_dilemma_closed_forms(trps):
    T, R, P, S = trps
    g = repeated(prisoners_dilemma(T, R, P, S))
    grim = limit_of_means_check(g, g.profile("grim_trigger"))
    assert grim.is_spe and grim.is_nash
    np.testing.assert_allclose(grim.payoffs, [R, R], atol=1e-12)
    tft = limit_of_means_check(g, g.profile("tit_for_tat"))
    assert tft.is_nash and not tft.is_spe
    np.testing.assert_allclose(tft.spe_gain, [R - P, R - P], atol=1e-9)
    assert tft.best_deviation == ("C", "C")
    one = limit_of_means_check(g, g.profile("k_period_punishment", k=1))
    assert one.is_spe == (T - R <= R - P)
    pavlov = limit_of_means_check(g, g.profile("win_stay_lose_shift"))
    assert pavlov.is_spe == (T - R <= R - P)
    never = limit_of_means_check(g, g.profile("always_cooperate"))
    assert not never.is_nash
    np.testing.assert_allclose(never.nash_gain, [T - R, T - R], atol=1e-9)
    assert limit_of_means_check(g, g.profile("always_defect")).is_spe


def test_the_tie_is_an_equilibrium_for_no_discount_factor():
    """T - R = R - P: one period of punishment and Pavlov hold under the limit of means only."""
    g = repeated(prisoners_dilemma(5, 3, 1, 0))
    for kind, params in (("k_period_punishment", {"k": 1}), ("win_stay_lose_shift", {})):
        prof = g.profile(kind, **params)
        assert limit_of_means_check(g, prof).is_spe
        assert critical_discount_factor(g.with_delta(0.5), prof).overall is None


def test_grim_trigger_with_noise_ends_in_punishment():
    """With noise grim trigger's punishment starts for good: its average is that of noisy mutual defection
    (0.95^2 P + 0.95 * 0.05 (S + T) + 0.05^2 R), and no strategy escapes it."""
    g = repeated(prisoners_dilemma(), noise=0.05)
    res = limit_of_means_check(g, g.profile("grim_trigger"))
    np.testing.assert_allclose(res.payoffs, [1.1475, 1.1475], atol=1e-12)
    assert res.is_spe
    np.testing.assert_allclose(res.payoffs, discounted_payoffs(g, g.profile("grim_trigger")).payoffs, atol=1e-12)


def test_optimal_gains_of_a_multichain_problem():
    """Three states: 0 may stay (1 a period) or jump to the closed class {1, 2}, which alternates 4 and 0;
    from 0 the best is the alternation's average 2, not the 1 of staying or the jump's one-time payoff."""
    D = np.zeros((3, 2, 3))
    D[0, 0, 0] = 1.0
    D[0, 1, 1] = 1.0
    D[1, :, 2] = 1.0
    D[2, :, 1] = 1.0
    r = np.array([[1.0, 9.0], [4.0, 4.0], [0.0, 0.0]])
    valid = np.ones((3, 2), dtype=bool)
    g, policy = optimal_gains(D, r, valid)
    np.testing.assert_allclose(g, [2.0, 2.0, 2.0], atol=1e-9)
    assert policy[0] == 1
    r[1] = 1.0  # the alternation now averages 0.5: staying is better from 0
    g, policy = optimal_gains(D, r, valid)
    np.testing.assert_allclose(g, [1.0, 0.5, 0.5], atol=1e-9)
    assert policy[0] == 0


def test_cesaro_values_of_a_periodic_and_a_transient_chain():
    P = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.5, 0.0, 0.5]])
    U = np.array([[2.0], [0.0], [7.0]])
    np.testing.assert_allclose(cesaro_values(P, U)[:, 0], [1.0, 1.0, 1.0], atol=1e-12)


STRATEGIES = ("grim_trigger", "tit_for_tat", "win_stay_lose_shift", "always_defect", "always_cooperate",
              "k_period_punishment", "tit_for_two_tats", "two_tits_for_tat")


@pytest.mark.parametrize("seed", range(12))
def test_agrees_with_the_limit_of_discounting(seed):
    """Random 2x2 and 2x2x2 games, random automata and noise: every state's gain equals the discounted one at
    delta = 1 - 1e-7 within 1e-4; an equilibrium by one is (up to that) an equilibrium by the other."""
    rng = np.random.default_rng(seed)
    n = 2 if seed % 3 else 3
    stage = NormalFormGame.from_payoffs(np.round(rng.uniform(0, 10, (n,) + (2,) * n), 1))
    noise = 0.0 if seed % 2 else float(rng.uniform(0.0, 0.1))
    g = repeated(stage, noise=noise)
    kinds = rng.choice(STRATEGIES, size=n)
    profile = tuple(g.automaton(str(k), i) for i, k in enumerate(kinds))
    res = limit_of_means_check(g, profile)
    oracle = oracle_gains(g, profile)
    np.testing.assert_allclose(res.spe_gain, oracle.max(axis=0), atol=ORACLE_TOL)
    t = _tables(g.with_delta(ORACLE_DELTA), profile)
    np.testing.assert_allclose(res.nash_gain, oracle[t.start], atol=ORACLE_TOL)
    np.testing.assert_allclose(res.payoffs, discounted_payoffs(g, profile).payoffs, atol=1e-9)
    for i in range(n):  # the dual's policy attains the programme's optimum, evaluated exactly
        valid = t.F[:, i, :] >= 0
        reward = np.where(valid, t.UD[:, i, :], 0.0)
        gains, policy = optimal_gains(t.D[:, i], reward, valid)
        rows = np.arange(policy.size)
        exact = cesaro_values(t.D[rows, i, policy], reward[rows, policy][:, None])[:, 0]
        np.testing.assert_allclose(exact, gains, atol=1e-9)


def test_refuses_a_finite_horizon():
    g = RepeatedGame(prisoners_dilemma(), None, (0, 0), (1, 1), horizon=5)
    with pytest.raises(InputError, match="infinitely repeated"):
        limit_of_means_check(g, g.profile("grim_trigger"))
