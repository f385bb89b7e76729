"""2x2 game types (ordinal) and equilibrium selection (payoff and risk dominance) on textbook games."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coop.games import NormalFormGame
from coop.solvers.nash.classification import classify_2x2, ordinal_ranks, selection
from tests import textbook_games as tg


def _symmetric(T, R, P, S, actions=("C", "D")):
    return NormalFormGame.symmetric(np.array([[R, S], [T, P]], float), actions=actions)


@pytest.mark.parametrize(
    "game, name",
    [
        pytest.param(tg.prisoners_dilemma(), "prisoner's dilemma", id="pd"),
        pytest.param(tg.stag_hunt(), "stag hunt", id="stag_hunt"),
        pytest.param(tg.chicken(), "chicken", id="chicken"),
        pytest.param(_symmetric(T=2, R=3, P=0, S=1), "harmony", id="harmony"),
        pytest.param(tg.battle_of_the_sexes(), "battle of the sexes", id="bos"),
        pytest.param(tg.matching_pennies(), "discoordination", id="matching_pennies"),
        # the defecting action listed first: the names do not depend on the order of the actions
        pytest.param(NormalFormGame.symmetric(np.array([[1.0, 5.0], [0.0, 3.0]]), actions=("D", "C")),
                     "prisoner's dilemma", id="pd_reordered"),
        pytest.param(NormalFormGame.from_bimatrix([[3, 0], [0, 1]], [[2, 0], [0, 1]]), "coordination",
                     id="asymmetric_coordination"),
        pytest.param(NormalFormGame.from_bimatrix([[0, 2], [1, 0]], [[0, 1], [3, 0]]), "anti-coordination",
                     id="anti_coordination"),
        # payoffs that differ but rank the outcomes as a prisoner's dilemma does: the name is ordinal
        pytest.param(NormalFormGame.from_bimatrix([[3, 0], [4, 1]], [[3, 5], [0, 2]]), "prisoner's dilemma",
                     id="ordinal_pd"),
        pytest.param(NormalFormGame.from_bimatrix([[3, 0], [1, 1]], [[3, 1], [0, 2]]), "coordination",
                     id="asymmetric_stag_hunt"),
        pytest.param(NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[0, 1], [2, 0]]), "degenerate", id="ties"),
        pytest.param(_symmetric(T=3, R=3, P=1, S=0), "degenerate", id="boundary_T_equals_R"),
    ],
)
def test_textbook_names(game, name):
    assert classify_2x2(game).name == name


def test_the_four_social_dilemmas_by_greed_and_fear():
    # R = 3, P = 1; greed is T > R, fear is P > S (Macy and Flache 2002)
    for T, S, name in [(5, 0, "prisoner's dilemma"), (2, 0, "stag hunt"), (5, 2, "chicken"), (2, 2, "harmony")]:
        assert classify_2x2(_symmetric(T=T, R=3, P=1, S=S)).name == name


def test_names_are_ordinal_and_survive_positive_rescaling_per_player():
    rng = np.random.default_rng(3)
    for _ in range(200):
        A, B = rng.permutation(4).reshape(2, 2).astype(float), rng.permutation(4).reshape(2, 2).astype(float)
        game = NormalFormGame.from_bimatrix(A, B)
        # a strictly increasing map per player keeps the order, so the name
        warped = NormalFormGame.from_bimatrix(np.exp(A) * 7 - 2, B ** 3 + 0.5 * B)
        assert classify_2x2(game).name == classify_2x2(warped).name
        np.testing.assert_array_equal(classify_2x2(game).ordinal[0], A + 1)


def test_every_strict_2x2_game_gets_a_name_from_its_equilibria():
    names = set()
    for a in itertools.permutations(range(4)):
        for b in itertools.permutations(range(4)):
            game = NormalFormGame.from_bimatrix(np.reshape(a, (2, 2)), np.reshape(b, (2, 2)))
            names.add(classify_2x2(game).name)
    assert "degenerate" not in names
    assert {"dilemma", "coordination", "battle of the sexes", "anti-coordination", "discoordination",
            "dominance solvable", "prisoner's dilemma", "stag hunt", "chicken", "harmony"} == names


def test_ordinal_ranks_share_the_lower_rank_on_ties():
    np.testing.assert_array_equal(ordinal_ranks(np.array([[3.0, 0.0], [3.0, 1.0]]), 1e-12), [[3, 1], [3, 2]])


def test_stag_hunt_payoff_versus_risk_dominance():
    # (Stag, Stag) pays more, (Hare, Hare) is safer: losses 4 - 3 = 1 each against 2 - 0 = 2 each
    stag, hare = selection(tg.stag_hunt())
    assert stag.profile == (0, 0) and stag.payoff_dominant and not stag.risk_dominant
    assert hare.profile == (1, 1) and hare.risk_dominant and not hare.payoff_dominant
    assert stag.deviation_losses == (1.0, 1.0) and hare.deviation_losses == (2.0, 2.0)


def test_risk_dominance_follows_the_nash_product():
    # Harsanyi and Selten's criterion in a 2x2 coordination game: (a1 - a2) (b1 - b2) decides
    rng = np.random.default_rng(0)
    for _ in range(100):
        a1, a2, b1, b2 = rng.uniform(0.5, 3.0, 4)
        A = np.array([[a1, 0.0], [0.0, a2]])
        B = np.array([[b1, 0.0], [0.0, b2]])
        first, second = selection(NormalFormGame.from_bimatrix(A, B))
        assert first.risk_dominant == (a1 * b1 > a2 * b2) and second.risk_dominant == (a2 * b2 > a1 * b1)


def test_no_dominance_claims_without_two_equilibria():
    (only,) = selection(tg.prisoners_dilemma())
    assert not only.payoff_dominant and not only.risk_dominant
    assert selection(tg.matching_pennies()) == []
    # battle of the sexes: neither equilibrium is better for both; equal Nash products, so no risk dominance
    assert [(s.payoff_dominant, s.risk_dominant) for s in selection(tg.battle_of_the_sexes())] == [(False, False)] * 2


def test_other_shapes_are_refused():
    with pytest.raises(ValueError):
        classify_2x2(tg.rock_paper_scissors())
