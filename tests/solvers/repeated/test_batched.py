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
from coop.solvers.repeated.batched import batched_critical_delta, batched_subgame_perfect
from coop.solvers.repeated.subgame_perfection import check_subgame_perfect, critical_discount_factor

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


# ============================================================================ subgame perfection at each delta
SPE_PROFILES = [
    pytest.param("grim_trigger", {}, id="grim"),
    pytest.param("tit_for_tat", {}, id="tft"),
    pytest.param("win_stay_lose_shift", {}, id="wsls"),
    pytest.param("k_period_punishment", {"k": 2}, id="k2"),
    pytest.param("always_defect", {}, id="alld"),
]
#: the offsets from the critical discount factor tried: each side, within 1e-9
NEAR = (-1e-9, 1e-9, -1e-10, 1e-10)


def _spe_batch(rng: np.random.Generator, count: int, shape: tuple[int, int], kind: str) -> np.ndarray:
    if kind == "dilemma":
        return _random_dilemmas(rng, count, integer=bool(rng.integers(2)))
    if kind == "int":
        out = rng.integers(-3, 6, (count, 2, *shape)).astype(float)  # many ties
        out[4:6] = rng.integers(-3, 6, (2, 1, 1, 1))  # constant games: every profile, every delta
        return out
    return rng.standard_normal((count, 2, *shape))


@pytest.mark.parametrize("name, params", SPE_PROFILES)
@pytest.mark.parametrize("noise", [0.0, 0.03], ids=["exact", "noisy"])
def test_subgame_perfect_equals_check_subgame_perfect(name, params, noise):
    """Random 2x2 and 2x3 games, integer and Gaussian: random deltas, delta = 0 and deltas within 1e-9 of the
    critical one, equal point by point to check_subgame_perfect(...).is_spe (240 points per case)."""
    rng = np.random.default_rng([len(name), int(noise * 100)])
    outcomes = set()
    for shape, kind, cooperate, defect in [((2, 2), "int", (0, 0), (1, 1)), ((2, 2), "gauss", (0, 0), (1, 1)),
                                           ((2, 2), "dilemma", (0, 0), (1, 1)), ((2, 2), "dilemma", (0, 0), (1, 1)),
                                           ((2, 3), "int", (1, 0), (0, 2)), ((2, 3), "gauss", (0, 0), (1, 1))]:
        count = 40
        payoffs = _spe_batch(rng, count, shape, kind)
        deltas = rng.uniform(0.0, 1.0, count)
        deltas[:4] = 0.0
        games = [RepeatedGame(NormalFormGame.from_payoffs(u), None, cooperate, defect, noise) for u in payoffs]
        automata = [g.profile(name, **params) for g in games]
        for p in range(4, count):
            crit = critical_discount_factor(games[p], automata[p]).overall
            if crit is not None and p % 3:
                deltas[p] = min(max(crit + NEAR[p % len(NEAR)], 0.0), 0.999)
        fast = batched_subgame_perfect(payoffs, deltas, name, cooperate, defect, noise=noise, params=params)
        assert fast.shape == (count,) and fast.dtype == np.bool_
        for p in range(count):
            single = check_subgame_perfect(games[p].with_delta(float(deltas[p])), automata[p]).is_spe
            assert bool(fast[p]) == single, (kind, shape, payoffs[p].tolist(), float(deltas[p]))
            outcomes.add(single)
    assert outcomes == {True, False}


def test_subgame_perfect_ties_and_thresholds():
    # tit-for-tat in the prisoner's dilemma (4, 3, 1, 0) is subgame perfect only at delta = 1/3, where both
    # one-shot conditions hold with equality
    pd = _pd(4, 3, 1, 0)
    deltas = [0.0, 0.3, 1 / 3, 0.34, 0.9]
    assert batched_subgame_perfect(np.stack([pd] * 5), deltas, "tit_for_tat", (0, 0), (1, 1)).tolist() \
        == [False, False, True, False, False]
    # grim trigger from (T - R) / (T - P) = 1/2 on; always defect at every delta, 0 included
    pd = _pd(5, 3, 1, 0)
    deltas = [0.0, 0.5 - 1e-9, 0.5, 0.5 + 1e-9, 0.99]
    assert batched_subgame_perfect(np.stack([pd] * 5), deltas, "grim_trigger", (0, 0), (1, 1)).tolist() \
        == [False, False, True, True, True]
    assert batched_subgame_perfect(np.stack([pd] * 5), deltas, "always_defect", (0, 0), (1, 1)).all()
    # a constant game: nobody ever gains
    assert batched_subgame_perfect(np.zeros((2, 2, 2, 2)), [0.0, 0.5], "tit_for_tat", (0, 0), (1, 1)).all()


def test_subgame_perfect_tolerance_explicit_automata_and_mixed_profiles():
    pd = _pd(5, 3, 1, 0)
    game = RepeatedGame(NormalFormGame.from_payoffs(pd), None, (0, 0), (1, 1))
    deltas = np.linspace(0.0, 0.95, 20)
    for tol in (None, 0.0, 0.1, 0.5):
        ours = batched_subgame_perfect(np.stack([pd] * 20), deltas, game.profile("grim_trigger"), (0, 0), (1, 1),
                                       tol=tol)
        single = [check_subgame_perfect(game.with_delta(float(d)), game.profile("grim_trigger"), tol=tol).is_spe
                  for d in deltas]
        assert ours.tolist() == single
    # one name and parameters per player
    autos = (game.automaton("grim_trigger", 0), game.automaton("k_period_punishment", 1, k=1))
    ours = batched_subgame_perfect(np.stack([pd] * 20), deltas, ["grim_trigger", "k_period_punishment"], (0, 0),
                                   (1, 1), params=[{}, {"k": 1}])
    assert ours.tolist() == [check_subgame_perfect(game.with_delta(float(d)), autos).is_spe for d in deltas]


@pytest.mark.parametrize("kwargs, match", [
    pytest.param({"deltas": [0.5, 0.5]}, "one per point", id="count"),
    pytest.param({"deltas": [1.0]}, r"\[0, 1\)", id="one"),
    pytest.param({"deltas": [-0.1]}, r"\[0, 1\)", id="negative"),
    pytest.param({"deltas": [float("nan")]}, r"\[0, 1\)", id="nan"),
    pytest.param({"deltas": ["x"]}, "array of numbers", id="text"),
    pytest.param({"payoffs": np.zeros((1, 3, 2, 2, 2))}, "shape", id="three_players"),
    pytest.param({"profile": "no_such_strategy"}, "batched_subgame_perfect: unknown strategy", id="unknown"),
    pytest.param({"tol": -1.0}, "tol", id="tol"),
    pytest.param({"noise": 1.5}, "batched_subgame_perfect: .*noise", id="noise"),
])
def test_subgame_perfect_bad_input_is_one_clear_error(kwargs, match):
    args: dict[str, Any] = {"payoffs": _pd(5, 3, 1, 0)[None], "deltas": [0.5], "profile": "grim_trigger",
                            "cooperate": (0, 0), "defect": (1, 1)}
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        batched_subgame_perfect(**args)
