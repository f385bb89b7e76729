"""Batched 2-strategy fixation and small-mutation limits against ``small_mutation_limit`` and EGTtools."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from coop.errors import InputError
from coop.games.population import PopulationGame
from coop.solvers.evolution.batched import batched_fixation_2x2
from coop.solvers.evolution.fixation import small_mutation_limit
from tests.oracles import egttools as egt

RTOL = 1e-10


@pytest.mark.parametrize("rule, beta", [
    pytest.param("fermi", 1.0, id="fermi"),
    pytest.param("fermi", 0.0, id="neutral"),
    pytest.param("fermi", 20.0, id="strong"),
    pytest.param("moran", 0.3, id="moran"),
    pytest.param("moran_exp", 2.0, id="moran_exp"),
])
@pytest.mark.parametrize("z", [2, 3, 17, 100])
def test_equals_small_mutation_limit(rule, beta, z):
    rng = np.random.default_rng([z, int(beta * 10), len(rule)])
    n = 80
    matrices = rng.random((n, 2, 2)) * 3.0 if rule == "moran" else rng.standard_normal((n, 2, 2)) * 2.0
    res = batched_fixation_2x2(matrices, z, beta, rule)
    for p in range(n):
        single = small_mutation_limit(PopulationGame.from_matrix(matrices[p]), z, beta, rule)
        np.testing.assert_allclose(res.fixation[p], single.fixation.fixation, rtol=RTOL, atol=0)
        np.testing.assert_allclose(res.log_fixation[p], single.fixation.log_fixation, rtol=RTOL, atol=1e-300)
        np.testing.assert_allclose(res.stationary[p], single.stationary, rtol=RTOL, atol=0)
        np.testing.assert_allclose(res.transitions[p], single.transitions, rtol=RTOL, atol=0)
    assert np.allclose(res.stationary.sum(axis=1), 1.0)


def test_neutral_and_dilemma():
    pd = np.array([[3.0, 0.0], [5.0, 1.0]])
    res = batched_fixation_2x2(np.stack([pd, pd]), 40, 0.0)
    np.testing.assert_allclose(res.fixation[:, 0, 1], 1 / 40, rtol=1e-12)
    np.testing.assert_allclose(res.stationary, 0.5, rtol=1e-12)
    res = batched_fixation_2x2(pd[None], 40, 1.0)
    assert res.fixation[0, 0, 1] > res.neutral > res.fixation[0, 1, 0]  # defectors invade, cooperators do not
    assert res.stationary[0, 1] > 0.999


def test_underflow_stays_in_log_space():
    """Under strong selection fixation underflows; its logarithm and the stationary distribution stay exact."""
    pd = np.array([[3.0, 0.0], [5.0, 1.0]])
    res = batched_fixation_2x2(pd[None], 500, 5.0)
    single = small_mutation_limit(PopulationGame.from_matrix(pd), 500, 5.0)
    assert res.fixation[0, 1, 0] == 0.0 and np.isfinite(res.log_fixation[0, 1, 0])
    np.testing.assert_allclose(res.log_fixation[0], single.fixation.log_fixation, rtol=RTOL)


@pytest.mark.parametrize("z, beta, seed", [pytest.param(30, 0.5, 0, id="weak"), pytest.param(100, 1.0, 1, id="Z100"),
                                           pytest.param(12, 3.0, 2, id="strong")])
def test_against_egttools_pairwise_comparison(z, beta, seed):
    matrices = np.random.default_rng(seed).standard_normal((5, 2, 2))
    res = batched_fixation_2x2(matrices, z, beta)
    for p in range(5):
        egame = egt.games.Matrix2PlayerGameHolder(2, matrices[p])  # kept alive: the model holds a bare reference
        model = egt.analytical.PairwiseComparison(z, egame)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            T, F = model.calculate_transition_and_fixation_matrix_sml(beta)
        F = np.asarray(F)
        keep = (F > 0.0) & ~np.eye(2, dtype=bool)  # EGTtools cuts values below ~1e-7 to 0
        np.testing.assert_allclose(res.fixation[p][keep], F[keep], rtol=1e-9)
        assert np.all(res.fixation[p][~keep & ~np.eye(2, dtype=bool)] < 1e-7)
        t01, t10 = res.transitions[p, 0, 1], res.transitions[p, 1, 0]
        assert res.stationary[p, 0] == pytest.approx(t10 / (t01 + t10), rel=1e-9)


def test_to_dict_and_read_only():
    res = batched_fixation_2x2(np.random.default_rng(4).standard_normal((3, 2, 2)), 10, 1.0)
    doc = json.loads(json.dumps(res.to_dict()))
    assert len(doc["stationary"]) == 3 and doc["rule"] == "fermi"
    assert res.num_points == 3 and not res.fixation.flags.writeable


@pytest.mark.parametrize("args, match", [
    pytest.param((np.zeros((3, 3, 3)), 10, 1.0), "shape", id="three_strategies"),
    pytest.param((np.full((1, 2, 2), np.nan), 10, 1.0), "finite", id="nan"),
    pytest.param((np.zeros((1, 2, 2)), 1, 1.0), "population size", id="small_z"),
    pytest.param((np.zeros((1, 2, 2)), 10, -1.0), "beta", id="negative_beta"),
    pytest.param((np.zeros((1, 2, 2)), 10, 1.0, "bogus"), "update rule", id="rule"),
    pytest.param((np.zeros((1, 2, 2)), 10, 2.0, "moran"), "beta in", id="moran_beta"),
    pytest.param((np.array([np.zeros((2, 2)), -10 * np.ones((2, 2))]), 10, 0.5, "moran"), "point 1",
                 id="moran_fitness"),
    pytest.param((np.array([np.zeros((2, 2)), 1e3 * np.ones((2, 2))]), 10, 1.0, "moran_exp"), "point 1",
                 id="exp_overflow"),
])
def test_bad_input_is_one_clear_error(args, match):
    with pytest.raises(InputError, match=match):
        batched_fixation_2x2(*args)
