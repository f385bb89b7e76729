"""Group achievement (Santos and Pacheco 2011): closed forms, brute force over groups, and EGTtools' OneShotCRD."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest

from coop.games.population import PopulationGame, collective_risk_dilemma
from coop.solvers.evolution.group_achievement import group_achievement, success_probabilities
from coop.solvers.evolution.stationary import stationary_distribution
from tests.oracles import egttools as egt


@pytest.mark.parametrize("z, n, m", [(6, 3, 2), (7, 4, 1), (5, 5, 5), (8, 2, 2)])
def test_success_probability_by_brute_force(z, n, m):
    """Every group of n of the z players, k of whom play the strategy, counted one by one."""
    a = success_probabilities(z, n, m)
    for k in range(z + 1):
        players = [1] * k + [0] * (z - k)
        groups = list(itertools.combinations(range(z), n))
        hits = sum(sum(players[i] for i in g) >= m for g in groups)
        assert a[k] == pytest.approx(hits / len(groups), abs=1e-12)


def test_closed_forms():
    z, n = 20, 5
    k = np.arange(z + 1)
    np.testing.assert_allclose(success_probabilities(z, n, 1), [1 - comb(z - j, n) / comb(z, n) for j in k],
                               atol=1e-12)
    np.testing.assert_allclose(success_probabilities(z, n, n), [comb(j, n) / comb(z, n) for j in k], atol=1e-12)
    assert success_probabilities(z, n, n + 1).max() == 0.0
    assert success_probabilities(z, n, 0).min() == 1.0


@pytest.mark.parametrize("n, threshold, risk, z, beta", [(6, 3, 0.9, 30, 5.0), (4, 2, 0.3, 20, 1.0),
                                                         (6, 4, 0.6, 25, 2.0)])
def test_matches_egttools_one_shot_crd(n, threshold, risk, z, beta):
    """EGTtools lists defectors first (strategy 0 = D, 1 = C): the same game in its order and its stationary
    distribution give the same eta_G."""
    egame = egt.games.OneShotCRD(1.0, 0.1, risk, n, threshold)
    ours = collective_risk_dilemma(n, threshold, 0.1, risk, strategies=("C", "D"))
    in_egt_order = PopulationGame(ours.payoffs[::-1, ::-1], n, ("D", "C"))
    full = stationary_distribution(in_egt_order, z, beta, 0.01)
    theirs = egame.calculate_group_achievement(z, full.distribution)
    assert group_achievement(full.states[:, 1], full.distribution, z, n, threshold) == pytest.approx(theirs,
                                                                                                      abs=1e-12)
