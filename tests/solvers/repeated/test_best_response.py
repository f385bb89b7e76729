"""Nash equilibria of repeated games among automata: best responses by policy iteration.

Closed forms (prisoner's dilemma, T > R > P > S): mutual tit-for-tat is a Nash equilibrium iff
delta >= max((T - R)/(T - P), (T - R)/(R - S)) (Axelrod and Hamilton 1981; Axelrod 1984, ch. 3:
the best replies to tit-for-tat are all-C, all-D and alternating D, C); grim trigger iff
delta >= (T - R)/(T - P), as for subgame perfection; always-cooperate never; always-defect always.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.best_response import _optimal_values, check_nash
from coop.solvers.repeated.subgame_perfection import _tables, critical_discount_factor
from tests.textbook_games import chicken, prisoners_dilemma, stag_hunt

TOL_DELTA = 1e-7


def repeated(stage, delta=None, **kw) -> RepeatedGame:
    n = stage.num_players
    return RepeatedGame(stage, delta, (0,) * n, (1,) * n, **kw)


def tft_threshold(T, R, P, S):
    return max((T - R) / (T - P), (T - R) / (R - S))


@pytest.mark.parametrize(
    "trps, kind, expected",
    [
        pytest.param((5, 3, 1, 0), "tit_for_tat", tft_threshold(5, 3, 1, 0), id="tft_5310"),
        pytest.param((4, 3, 1, 0), "tit_for_tat", tft_threshold(4, 3, 1, 0), id="tft_4310"),
        pytest.param((5, 3, 2, 0), "tit_for_tat", tft_threshold(5, 3, 2, 0), id="tft_5320"),
        pytest.param((6, 5, 1, 0), "tit_for_tat", tft_threshold(6, 5, 1, 0), id="tft_6510"),
        pytest.param((5, 3, 1, 0), "grim_trigger", 0.5, id="grim_5310"),
        pytest.param((5, 3, 1, 0), "always_cooperate", None, id="allc"),
        pytest.param((5, 3, 1, 0), "always_defect", 0.0, id="alld"),
    ],
)
def test_nash_thresholds_in_the_prisoners_dilemma(trps, kind, expected):
    g = repeated(prisoners_dilemma(*trps), 0.5)
    res = check_nash(g, g.profile(kind))
    if expected is None:
        assert res.critical_delta_overall is None
    else:
        assert res.critical_delta_overall == pytest.approx(expected, abs=TOL_DELTA)
        for delta, nash in ((expected + 1e-3, True), (expected - 1e-3, expected == 0.0)):
            if 0.0 <= delta < 1.0:
                assert check_nash(g.with_delta(delta), g.profile(kind)).is_nash is nash


@pytest.mark.parametrize("stage", [prisoners_dilemma(), prisoners_dilemma(4, 3, 1, 0), stag_hunt(), chicken()],
                         ids=["pd", "pd4310", "stag", "chicken"])
@pytest.mark.parametrize("kind", ["tit_for_tat", "grim_trigger", "win_stay_lose_shift", "k_period_punishment",
                                  "generous_tit_for_tat", "two_tits_for_tat"])
@pytest.mark.parametrize("eps", [0.0, 0.05])
def test_policy_iteration_equals_brute_force_over_stationary_policies(stage, kind, eps):
    """The deviator's optimum over every deterministic policy on the joint states, by enumeration."""
    delta = 0.8
    g = repeated(stage, delta, noise=eps)
    prof = g.profile(kind)
    t = _tables(g, prof)
    J = t.P.shape[0]
    own = np.unravel_index(t.onpath, stage.num_actions)
    for i in range(2):
        V, settled = _optimal_values(t, i, delta, np.asarray(own[i], dtype=np.int64))
        assert settled
        best = np.full(J, -np.inf)
        for policy in itertools.product(range(2), repeat=J):
            pol = np.array(policy)
            P = t.D[np.arange(J), i, pol]
            u = t.UD[np.arange(J), i, pol]
            best = np.maximum(best, np.linalg.solve(np.eye(J) - delta * P, (1 - delta) * u))
        np.testing.assert_allclose(V, best, atol=1e-10)


@pytest.mark.parametrize("stage", [prisoners_dilemma(), stag_hunt(), chicken()], ids=["pd", "stag", "chicken"])
@pytest.mark.parametrize("kind", ["tit_for_tat", "grim_trigger", "win_stay_lose_shift", "k_period_punishment"])
def test_subgame_perfection_implies_nash(stage, kind):
    g = repeated(stage)
    spe = critical_discount_factor(g, g.profile(kind)).overall
    nash = check_nash(g.with_delta(0.5), g.profile(kind)).critical_delta_overall
    if spe is not None:
        assert nash is not None and nash <= spe + TOL_DELTA


def test_finite_horizon_nash_unravels_like_subgame_perfection_in_the_prisoners_dilemma():
    g = repeated(prisoners_dilemma(), 0.9, horizon=5)
    assert check_nash(g, g.profile("tit_for_tat")).is_nash is False  # defect in the last period
    assert check_nash(g, g.profile("always_defect")).is_nash is True


def test_json_of_the_check():
    g = repeated(prisoners_dilemma(), 0.9)
    d = check_nash(g, g.profile("tit_for_tat")).to_dict()
    assert d["nash"] is True and d["critical_delta_overall"] == pytest.approx(2 / 3, abs=TOL_DELTA)
    assert set(d["best_response_gain"]) == {"Row", "Column"}
