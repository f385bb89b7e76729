"""Batched critical discount factors against ``critical_discount_factor`` point by point and the textbook forms."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.batched import batched_critical_delta
from coop.solvers.repeated.subgame_perfection import critical_discount_factor

#: the bisection stops at a bracket of 1e-13; rounding may move a decision by one step
TOL = 1e-12


def _pd(T: float, R: float, P: float, S: float) -> np.ndarray:
    A = np.array([[R, S], [T, P]], dtype=float)
    return np.stack([A, A.T])


def _random_dilemmas(rng: np.random.Generator, n: int, integer: bool) -> np.ndarray:
    """Prisoner's dilemmas T > R > P > S, half of them with an asymmetric column player."""
    out = np.empty((n, 2, 2, 2))
    for p in range(n):
        rows = []
        for _ in range(2):
            v = rng.choice(np.arange(-5, 8), 4, replace=False) if integer else rng.standard_normal(4)
            T, R, P, S = np.sort(v)[::-1].astype(float)
            rows.append(np.array([[R, S], [T, P]]))
        out[p, 0] = rows[0]
        out[p, 1] = rows[1].T if rng.random() < 0.5 else rows[0].T
    return out


def _single(payoffs: np.ndarray, profile: Sequence[str], noise: float, params: Sequence[Mapping[str, Any]],
            cooperate: tuple[int, int] = (0, 0), defect: tuple[int, int] = (1, 1)):
    game = RepeatedGame(NormalFormGame.from_payoffs(payoffs), None, cooperate, defect, noise)
    autos = tuple(game.automaton(name, i, **params[i]) for i, name in enumerate(profile))
    crit = critical_discount_factor(game, autos)
    return crit.per_player, crit.overall


def _assert_same(res, p: int, per: Sequence[float | None], overall: float | None) -> None:
    ours_per, ours_overall = res.critical(p)
    for a, b in zip((*per, overall), (*ours_per, ours_overall), strict=True):
        if a is None:
            assert b is None, (p, per, ours_per)
        else:
            assert b is not None and abs(a - b) <= TOL, (p, per, ours_per)


PROFILES = [
    pytest.param(("grim_trigger", "grim_trigger"), ({}, {}), id="grim"),
    pytest.param(("tit_for_tat", "tit_for_tat"), ({}, {}), id="tft"),
    pytest.param(("win_stay_lose_shift", "win_stay_lose_shift"), ({}, {}), id="wsls"),
    pytest.param(("k_period_punishment", "k_period_punishment"), ({"k": 2}, {"k": 2}), id="k2"),
    pytest.param(("grim_trigger", "k_period_punishment"), ({}, {"k": 1}), id="grim_vs_k1"),
    pytest.param(("generous_tit_for_tat", "tit_for_tat"), ({}, {}), id="gtft_vs_tft"),
    pytest.param(("always_defect", "always_defect"), ({}, {}), id="alld"),
]


@pytest.mark.parametrize("profile, params", PROFILES)
@pytest.mark.parametrize("noise", [0.0, 0.03], ids=["exact", "noisy"])
@pytest.mark.parametrize("integer", [False, True], ids=["gauss", "int"])
def test_equals_critical_discount_factor_on_dilemmas(profile, params, noise, integer):
    rng = np.random.default_rng([len(profile[0]), len(profile[1]), int(noise * 100), int(integer)])
    payoffs = _random_dilemmas(rng, 60, integer)
    res = batched_critical_delta(payoffs, list(profile), (0, 0), (1, 1), noise=noise, params=list(params))
    for p in range(60):
        _assert_same(res, p, *_single(payoffs[p], profile, noise, params))


@pytest.mark.parametrize("profile, params", PROFILES[:4])
def test_equals_critical_discount_factor_on_any_game(profile, params):
    """Random 2x2 games: mostly 'never', some 'any' (always-defect-like structure), some values."""
    rng = np.random.default_rng(len(profile[0]))
    payoffs = np.concatenate([rng.standard_normal((60, 2, 2, 2)), rng.integers(-2, 3, (60, 2, 2, 2)).astype(float)])
    res = batched_critical_delta(payoffs, list(profile), (0, 0), (1, 1), params=list(params))
    for p in range(len(payoffs)):
        _assert_same(res, p, *_single(payoffs[p], profile, 0.0, params))


def test_three_actions_and_roles():
    """A 2x3 stage game (the column player has an extra action) and a role assignment other than (0, 0), (1, 1)."""
    rng = np.random.default_rng(3)
    payoffs = rng.integers(-3, 6, (80, 2, 2, 3)).astype(float)
    payoffs[:, :, 1, 2] += 4.0  # make defection tempting
    for profile in ("grim_trigger", "tit_for_tat", "k_period_punishment"):
        params = {"k": 2} if profile == "k_period_punishment" else {}
        res = batched_critical_delta(payoffs, profile, (1, 0), (0, 2), params=params)
        for p in range(len(payoffs)):
            _assert_same(res, p, *_single(payoffs[p], (profile, profile), 0.0, (params, params), (1, 0), (0, 2)))


@pytest.mark.parametrize("T, R, P, S", [(5, 3, 1, 0), (4, 3, 1, 0), (10, 6, 2, -1), (1.5, 1.0, 0.2, 0.0)])
def test_grim_trigger_textbook(T, R, P, S):
    """Grim trigger in the prisoner's dilemma: delta* = (T - R) / (T - P) (Friedman 1971)."""
    res = batched_critical_delta(_pd(T, R, P, S)[None], "grim_trigger", (0, 0), (1, 1))
    expected = (T - R) / (T - P)
    np.testing.assert_allclose(res.per_player[0], expected, atol=1e-8)
    assert res.overall[0] == pytest.approx(expected, abs=1e-8)


def test_grim_trigger_with_noise_closed_form():
    """With implementation noise eps: delta* = g / ((1-eps)^2 g + (1-eps)(1-2eps)(R-P)), g = (1-eps)(T-R) + eps(P-S)."""
    T, R, P, S = 5.0, 3.0, 1.0, 0.0
    for eps in (0.01, 0.05, 0.1):
        g = (1 - eps) * (T - R) + eps * (P - S)
        expected = g / ((1 - eps) ** 2 * g + (1 - eps) * (1 - 2 * eps) * (R - P))
        res = batched_critical_delta(_pd(T, R, P, S)[None], "grim_trigger", (0, 0), (1, 1), noise=eps)
        assert res.overall[0] == pytest.approx(expected, abs=1e-8)


def test_never_and_any():
    pd = _pd(5, 3, 1, 0)[None]
    tft = batched_critical_delta(pd, "tit_for_tat", (0, 0), (1, 1))
    assert np.isnan(tft.overall[0]) and tft.critical(0) == ((None, None), None)
    alld = batched_critical_delta(pd, "always_defect", (0, 0), (1, 1))
    assert alld.critical(0) == ((0.0, 0.0), 0.0)


def test_results_and_to_dict():
    payoffs = np.stack([_pd(5, 3, 1, 0), _pd(5, 3, 1, 0) * 2.0, np.zeros((2, 2, 2))])
    res = batched_critical_delta(payoffs, ["grim_trigger", "tit_for_tat"], (0, 0), (1, 1))
    assert res.strategies == ("grim_trigger", "tit_for_tat") and res.num_points == 3
    np.testing.assert_allclose(res.tol, [5e-9, 1e-8, 1e-9])
    doc = json.loads(json.dumps(res.to_dict()))
    assert len(doc["overall"]) == 3 and doc["method"] == "grid+bisection"
    assert not res.per_player.flags.writeable


def test_explicit_automata_and_tolerance():
    pd = _pd(5, 3, 1, 0)
    game = RepeatedGame(NormalFormGame.from_payoffs(pd), None, (0, 0), (1, 1))
    res = batched_critical_delta(pd[None], game.profile("grim_trigger"), (0, 0), (1, 1), tol=0.1)
    single = critical_discount_factor(game, game.profile("grim_trigger"), tol=0.1)
    assert res.overall[0] == pytest.approx(single.overall, abs=TOL)


@pytest.mark.parametrize("kwargs, match", [
    pytest.param({"payoffs": np.zeros((2, 3, 2, 2, 2))}, "shape", id="three_players"),
    pytest.param({"payoffs": np.full((1, 2, 2, 2), np.inf)}, "finite", id="inf"),
    pytest.param({"profile": "no_such_strategy"}, "unknown strategy", id="unknown"),
    pytest.param({"profile": ["grim_trigger"]}, "2 automata", id="one_automaton"),
    pytest.param({"params": {"k": 2}}, "bad parameters", id="bad_params"),
    pytest.param({"noise": 1.5}, "noise", id="noise"),
    pytest.param({"tol": -1.0}, "tol", id="tol"),
    pytest.param({"cooperate": (0, 0), "defect": (0, 1)}, "same cooperative", id="roles"),
])
def test_bad_input_is_one_clear_error(kwargs, match):
    args: dict[str, Any] = {"payoffs": _pd(5, 3, 1, 0)[None], "profile": "grim_trigger", "cooperate": (0, 0),
                            "defect": (1, 1)}
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        batched_critical_delta(**args)
