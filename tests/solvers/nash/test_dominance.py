"""Iterated elimination of strictly dominated strategies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from coop.games import NormalFormGame
from coop.solvers.nash.dominance import iterated_dominance
from coop.solvers.nash.pure_nash import pure_nash_indices
from tests import textbook_games as tg
from tests.strategies import games


def test_prisoners_dilemma_is_dominance_solvable():
    res = iterated_dominance(tg.prisoners_dilemma())
    assert res.solved
    assert res.remaining_actions == {"Row": ["D"], "Column": ["D"]}
    assert [(e.player, e.action, e.round) for e in res.eliminations] == [("Row", "C", 1), ("Column", "C", 1)]


def test_domination_by_a_mixed_strategy_only():
    # M is beaten by 1/2 T + 1/2 B (margin 1/2) but by neither T nor B alone (Osborne 2004, ex. 120.1 style)
    A = np.array([[3.0, 0.0], [1.0, 1.0], [0.0, 3.0]])
    game = NormalFormGame.from_bimatrix(A, np.zeros((3, 2)), actions=(("T", "M", "B"), ("L", "R")))
    pure_only = iterated_dominance(game, mixed=False)
    assert pure_only.eliminations == ()
    res = iterated_dominance(game)
    (e,) = res.eliminations
    assert (e.player, e.action, e.by_mixed) == ("1", "M", True)
    assert e.dominated_by == pytest.approx({"T": 0.5, "B": 0.5}, abs=1e-6)
    assert e.margin == pytest.approx(0.5, abs=1e-9)


def test_iterated_elimination_needs_several_rounds():
    # Row: D dominates U only after Column's R is gone; R is dominated by L from the start
    A = np.array([[2.0, 0.0], [3.0, -1.0]])  # Row: U, D
    B = np.array([[3.0, 1.0], [3.0, 2.0]])  # Column: L strictly better than R
    game = NormalFormGame.from_bimatrix(A, B, actions=(("U", "D"), ("L", "R")))
    res = iterated_dominance(game)
    assert [(e.round, e.player, e.action) for e in res.eliminations] == [(1, "2", "R"), (2, "1", "U")]
    assert res.solved


def test_ties_are_not_strict_domination():
    game = NormalFormGame.from_bimatrix(np.ones((2, 2)), np.ones((2, 2)))
    assert iterated_dominance(game).eliminations == ()


def test_reduced_game_keeps_labels():
    res = iterated_dominance(tg.prisoners_dilemma())
    reduced = res.reduced_game()
    assert reduced.actions == (("D",), ("D",))
    assert reduced.payoffs.shape == (2, 1, 1)


@settings(deadline=None, max_examples=40)
@given(games(n_players=(2, 3), max_actions=4, continuous=False))
def test_no_pure_equilibrium_uses_an_eliminated_action(game):
    res = iterated_dominance(game)
    survivors = [set(r) for r in res.remaining]
    for row in pure_nash_indices(game):
        assert all(int(row[i]) in survivors[i] for i in range(game.num_players))


@settings(deadline=None, max_examples=30)
@given(games(n_players=(2, 3), max_actions=4, continuous=True))
def test_every_elimination_is_a_real_strict_domination(game):
    """Each removed action is beaten by its recorded dominator against every profile of the
    opponents' actions that survived the previous rounds."""
    res = iterated_dominance(game)
    remaining = [list(range(a)) for a in game.num_actions]
    rounds = sorted({e.round for e in res.eliminations})
    for r in rounds:
        batch = [e for e in res.eliminations if e.round == r]
        for e in batch:
            i = game.players.index(e.player)
            a = game.actions[i].index(e.action)
            sigma = np.zeros(game.num_actions[i])
            for act, p in e.dominated_by.items():
                sigma[game.actions[i].index(act)] = p
            assert sigma.sum() == pytest.approx(1.0)
            u = np.moveaxis(game.payoffs[i], i, 0)
            advantage = np.tensordot(sigma, u, axes=1) - u[a]
            others = [remaining[j] for j in range(game.num_players) if j != i]
            assert advantage[np.ix_(*others)].min() == pytest.approx(e.margin, rel=1e-6, abs=1e-9)
            assert e.margin > 0
        for e in batch:
            i = game.players.index(e.player)
            remaining[i].remove(game.actions[i].index(e.action))
    assert [tuple(r) for r in remaining] == list(res.remaining)


def _widest_margin_lp(U: np.ndarray, a: int) -> float:
    """The mixed-dominance programme written out for HiGHS: max eps s.t. sigma @ U[others] - U[a] >= eps."""
    from scipy.optimize import linprog

    V = np.delete(U, a, axis=0)
    k, S = V.shape
    res = linprog(np.append(np.zeros(k), -1.0), A_ub=np.hstack([-V.T, np.ones((S, 1))]), b_ub=-U[a],
                  A_eq=np.append(np.ones(k), 0.0)[None, :], b_eq=[1.0],
                  bounds=[(0.0, None)] * k + [(None, None)], method="highs")
    assert res.status == 0
    return -res.fun


@pytest.mark.parametrize("seed", range(60))
def test_mixed_dominance_agrees_with_the_linear_programme(seed):
    """Dominated exactly when HiGHS finds a positive margin, with the same margin.

    coop skips the programme for a best reply to some column and solves the rest as a zero-sum
    game; small integer payoffs make ties (and degenerate programmes) common.
    """
    from coop.solvers.nash.dominance import _column_stakes, _mixed_dominator

    rng = np.random.default_rng(seed)
    U = rng.integers(0, 5, size=(int(rng.integers(3, 6)), int(rng.integers(1, 7)))).astype(float)
    if seed % 3 == 0:  # plant an action beaten by a mixture of two others
        w = rng.uniform(0.2, 0.8)
        U[0] = w * U[1] + (1 - w) * U[2] - rng.uniform(0.1, 1.0)
    tol = 1e-9
    for a in range(U.shape[0]):
        margin = _widest_margin_lp(U, a)
        found = _mixed_dominator(U, _column_stakes(U), a, tol)
        if margin > 1e-7:
            assert found is not None, (U, a, margin)
            sigma, m = found
            assert m == pytest.approx(margin, abs=1e-9)
            assert sigma[a] == 0.0 and sigma.sum() == pytest.approx(1.0)
            assert (sigma @ U - U[a]).min() == pytest.approx(m, abs=1e-12)
        elif margin <= tol:
            assert found is None
