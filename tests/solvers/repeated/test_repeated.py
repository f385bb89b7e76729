"""Tests of repeated-game payoffs, subgame perfection and critical discount factors.

Closed forms (prisoner's dilemma with T > R > P > S, payoffs normalised by 1 - delta):

* grim trigger is subgame perfect iff delta >= (T - R)/(T - P) (Friedman 1971; Mailath and
  Samuelson 2006, sec. 2.4.1);
* k-period punishment iff T - R <= (R - P)(delta + ... + delta^k) (Mailath and Samuelson 2006, sec. 2.4.2);
* win-stay-lose-shift iff delta >= (T - R)/(R - P), so never when T + P >= 2R (one-shot deviation
  principle on its two reachable joint states (C,C) and (D,D); derived by hand, checked with SymPy below);
* mutual tit-for-tat: the one-shot conditions at the four joint states are
  delta >= (T-R)/(R-S) at (C,C), delta <= (T-R)/(R-S) at (D,C), delta >= (P-S)/(T-P) at (C,D) and
  delta <= (P-S)/(T-P) at (D,D), so it is subgame perfect only at the single discount factor where
  (T-R)/(R-S) = (P-S)/(T-P), if those coincide (Mailath and Samuelson 2006, sec. 2.4.3) and never on an
  interval [delta*, 1);
* under implementation noise mutual tit-for-tat averages (R + S + T + P)/4 (Molander 1985, J. Conflict
  Resolution 29, 611-618).
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.automata import Automaton, custom
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.payoffs import discounted_payoffs, joint_chain, simulate_payoffs
from coop.solvers.repeated.subgame_perfection import (
    check_subgame_perfect,
    critical_discount_factor,
    critical_discount_factor_symbolic,
)
from tests.games.test_automata import three_player_game
from tests.textbook_games import chicken, prisoners_dilemma, stag_hunt

TOL = 1e-9
TOL_DELTA = 1e-7  # numeric critical delta (grid + bisection against a 1e-9 gain tolerance)


def repeated(stage: NormalFormGame, delta=None, **kw) -> RepeatedGame:
    n = stage.num_players
    return RepeatedGame(stage, delta, (0,) * n, (1,) * n, **kw)


def chicken_asymmetric_punishment(g: RepeatedGame) -> tuple[Automaton, ...]:
    """Swerve; a player who goes straight is punished forever by the stage equilibrium that is worst for it."""
    def automaton(player: int) -> Automaton:
        me = g.stage.players[player]
        return custom(
            g.stage, player, ["coop", "punish_row", "punish_col"],
            {"coop": "Swerve", "punish_row": "Swerve" if me == "Row" else "Straight",
             "punish_col": "Straight" if me == "Row" else "Swerve"},
            rules={"coop": [({"Row": "Straight"}, "punish_row"), ({"Column": "Straight"}, "punish_col")]},
            name="asymmetric_punishment",
        )
    return (automaton(0), automaton(1))


def k_root(x: float, k: int) -> float:
    """The root in (0, 1) of delta + ... + delta^k = x."""
    roots = np.roots([1.0] * k + [-x])
    return float(min(r.real for r in roots if abs(r.imag) < 1e-12 and 0 < r.real))


CRITICAL_CASES = [
    pytest.param(prisoners_dilemma(), "grim_trigger", {}, 0.5, id="pd_grim"),
    pytest.param(prisoners_dilemma(4, 3, 1, 0), "grim_trigger", {}, 1 / 3, id="pd4310_grim"),
    pytest.param(prisoners_dilemma(10, 7, 1, -2), "grim_trigger", {}, 1 / 3, id="pd_grim_negative_S"),
    # grim trigger that ignores own defections: after a lone deviation the deviator keeps cooperating
    # while punished, and gains (1 - delta)(P - S) by defecting there
    pytest.param(prisoners_dilemma(), "grim_trigger", {"trigger_on_own": False}, None, id="pd_grim_others_only"),
    pytest.param(prisoners_dilemma(), "tit_for_tat", {}, None, id="pd_tft"),
    pytest.param(prisoners_dilemma(4, 3, 1, 0), "tit_for_tat", {}, None, id="pd_tft_knife_edge"),
    pytest.param(prisoners_dilemma(4, 3, 1, 0), "win_stay_lose_shift", {}, 0.5, id="pd_wsls"),
    pytest.param(prisoners_dilemma(), "win_stay_lose_shift", {}, None, id="pd_wsls_T+P=2R"),
    pytest.param(prisoners_dilemma(4, 3, 1, 0), "k_period_punishment", {"k": 1}, 0.5, id="pd_punish1"),
    pytest.param(prisoners_dilemma(), "k_period_punishment", {"k": 2}, k_root(1.0, 2), id="pd_punish2"),
    pytest.param(prisoners_dilemma(4, 3, 1, 0), "k_period_punishment", {"k": 3}, k_root(0.5, 3), id="pd_punish3"),
    pytest.param(prisoners_dilemma(), "k_period_punishment", {"k": 1}, None, id="pd_punish1_never"),
    pytest.param(prisoners_dilemma(), "always_defect", {}, 0.0, id="pd_alld"),
    pytest.param(prisoners_dilemma(), "always_cooperate", {}, None, id="pd_allc"),
    pytest.param(prisoners_dilemma(), "generous_tit_for_tat", {"generosity": 0.2}, None, id="pd_gtft"),
    # stag hunt (Stag = cooperate): (Stag, Stag) and (Hare, Hare) are stage equilibria
    pytest.param(stag_hunt(), "grim_trigger", {}, 0.0, id="stag_grim"),
    pytest.param(stag_hunt(), "always_cooperate", {}, 0.0, id="stag_allc"),
    pytest.param(stag_hunt(), "always_defect", {}, 0.0, id="stag_alld"),
    pytest.param(stag_hunt(), "tit_for_tat", {}, None, id="stag_tft"),
    # chicken (Swerve = cooperate): (Straight, Straight) is no stage equilibrium, so no Nash reversion to it
    pytest.param(chicken(), "grim_trigger", {}, None, id="chicken_grim"),
    pytest.param(chicken(), "always_defect", {}, None, id="chicken_alld"),
    pytest.param(chicken(), "always_cooperate", {}, None, id="chicken_allc"),
    # (1 - delta) 7 + delta 2 <= 6
    pytest.param(chicken(), chicken_asymmetric_punishment, {}, 0.2, id="chicken_custom_asymmetric"),
    # 3-player public goods, u_i = 2k/3 - [i contributes]: (1 - delta) 4/3 <= 1
    pytest.param(three_player_game(), "grim_trigger", {}, 0.25, id="public_goods3_grim"),
    pytest.param(three_player_game(), "always_defect", {}, 0.0, id="public_goods3_alld"),
    # 1/3 <= delta + delta^2 (the punishment phase has 3^2 joint states, only 3 reachable)
    pytest.param(three_player_game(), "k_period_punishment", {"k": 2}, k_root(1 / 3, 2), id="public_goods3_punish2"),
]


def _profile(g, kind, params):
    return kind(g) if callable(kind) else g.profile(kind, **params)


@pytest.mark.parametrize("stage, kind, params, expected", CRITICAL_CASES)
def test_critical_discount_factor_closed_forms(stage, kind, params, expected):
    g = repeated(stage)
    profile = _profile(g, kind, params)
    numeric = critical_discount_factor(g, profile)
    exact = critical_discount_factor_symbolic(g, profile)
    if expected is None:
        assert numeric.overall is None and exact.overall is None
    else:
        assert numeric.overall == pytest.approx(expected, abs=TOL_DELTA)
        assert exact.overall == pytest.approx(expected, abs=1e-12)
        assert all(v == pytest.approx(expected, abs=TOL_DELTA) for v in numeric.per_player)
    json.dumps(numeric.to_dict())
    json.dumps(exact.to_dict())
    # the one-shot deviation check agrees on both sides of the threshold
    for delta in (0.05, 0.3, 0.45, 0.55, 0.7, 0.95):
        res = check_subgame_perfect(g.with_delta(delta), profile)
        should = expected is not None and delta >= expected
        assert res.is_spe == should, (delta, res.max_gain)
        json.dumps(res.to_dict())


T, R, P, S = sp.symbols("T R P S")
SYMBOLIC_PD = [[[R, S], [T, P]], [[R, T], [S, P]]]


@pytest.mark.parametrize(
    "kind, params, sample, closed_form",
    [
        pytest.param("grim_trigger", {}, (5, 3, 1, 0), (T - R) / (T - P), id="grim"),
        pytest.param("grim_trigger", {}, (9, 5, 2, -1), (T - R) / (T - P), id="grim_other_sample"),
        pytest.param("win_stay_lose_shift", {}, (4, 3, 1, 0), (T - R) / (R - P), id="wsls"),
        pytest.param("k_period_punishment", {"k": 1}, (4, 3, 1, 0), (T - R) / (R - P), id="punish1"),
    ],
)
def test_symbolic_closed_forms(kind, params, sample, closed_form):
    g = repeated(prisoners_dilemma(*sample))
    values = dict(zip((T, R, P, S), sample, strict=True))
    res = critical_discount_factor_symbolic(g, g.profile(kind, **params), SYMBOLIC_PD, values)
    for expr in res.expressions:
        assert sp.simplify(expr - closed_form) == 0
    assert res.overall == pytest.approx(float(closed_form.subs(values)), abs=1e-12)


def test_symbolic_two_period_punishment_solves_its_equation():
    g = repeated(prisoners_dilemma())
    sample = {T: 5, R: 3, P: 1, S: 0}
    res = critical_discount_factor_symbolic(g, g.profile("k_period_punishment", k=2), SYMBOLIC_PD, sample)
    d = res.expressions[0]
    # T - R = (R - P)(d + d^2) identically in the parameters near the sample point
    assert sp.simplify((R - P) * (d + d**2) - (T - R)) == 0
    assert res.overall == pytest.approx((np.sqrt(5) - 1) / 2, abs=1e-12)


def test_symbolic_needs_a_sample_for_symbols():
    g = repeated(prisoners_dilemma())
    with pytest.raises(InputError, match="sample value"):
        critical_discount_factor_symbolic(g, g.profile("grim_trigger"), SYMBOLIC_PD)


def tft_gains(delta, T, R, P, S):
    """Player 1's one-shot gains (divided by 1 - delta) at the joint states CC, DC, CD, DD of mutual TFT."""
    v_dc = (T + delta * S) / (1 + delta)
    v_cd = (S + delta * T) / (1 + delta)
    return np.array([
        (1 - delta) * T + delta * v_cd - R,
        R - v_dc,
        P - v_cd,
        (1 - delta) * S + delta * v_dc - P,
    ]) / (1 - delta)


@pytest.mark.parametrize("payoffs", [(5, 3, 1, 0), (4, 3, 1, 0), (7, 4, 2, -1)], ids=["5310", "4310", "742m1"])
@pytest.mark.parametrize("delta", [0.1, 1 / 3, 0.5, 0.8])
def test_tit_for_tat_one_shot_gains_match_hand_derivation(payoffs, delta):
    g = repeated(prisoners_dilemma(*payoffs), delta)
    res = check_subgame_perfect(g, g.profile("tit_for_tat"))
    assert res.num_states == 4
    hand = tft_gains(delta, *payoffs)
    assert res.max_gain[0] == pytest.approx(hand.max(), abs=TOL)
    assert res.is_spe == bool(hand.max() <= TOL)


def test_tit_for_tat_knife_edge():
    # T + S = R + P with (T,R,P,S) = (4,3,1,0): (T-R)/(R-S) = (P-S)/(T-P) = 1/3
    g = repeated(prisoners_dilemma(4, 3, 1, 0))
    tft = g.profile("tit_for_tat")
    assert check_subgame_perfect(g.with_delta(1 / 3), tft).is_spe
    assert not check_subgame_perfect(g.with_delta(1 / 3 - 1e-4), tft).is_spe
    assert not check_subgame_perfect(g.with_delta(1 / 3 + 1e-4), tft).is_spe
    assert critical_discount_factor(g, tft).overall is None


@pytest.mark.parametrize("delta", [0.0, 0.2, 0.5, 0.9, 0.999])
def test_always_defect_is_subgame_perfect_for_every_delta(delta):
    g = repeated(prisoners_dilemma(), delta)
    res = check_subgame_perfect(g, g.profile("always_defect"))
    assert res.is_spe and res.holds == (True, True)
    np.testing.assert_allclose(res.payoffs, [1.0, 1.0])


def test_three_player_grim_trigger_reports_the_deviation():
    g = repeated(three_player_game(), 0.2)
    res = check_subgame_perfect(g, g.profile("grim_trigger"))
    assert not res.is_spe
    # gain (1 - delta)(4/3 - 1) - delta (1 - 0), per period: 1/3 - 0.2/0.8
    np.testing.assert_allclose(res.max_gain, [1 / 3 - 0.25] * 3, atol=TOL)
    assert res.best_deviation == ("D", "D", "D") and res.worst_state[0] == ("cooperate",) * 3
    crit = critical_discount_factor(g, g.profile("grim_trigger"), player="EU")
    assert crit.players == (2,) and crit.per_player[0] == pytest.approx(0.25, abs=TOL_DELTA)


def test_subgame_perfection_refuses_imperfect_monitoring_and_missing_delta():
    g = repeated(prisoners_dilemma(), 0.9, detection=0.9)
    with pytest.raises(InputError, match="perfect or public monitoring only"):
        check_subgame_perfect(g, g.profile("grim_trigger"))
    with pytest.raises(InputError, match="private channels"):
        critical_discount_factor(repeated(prisoners_dilemma(), false_alarm=0.1), g.profile("grim_trigger"))
    with pytest.raises(InputError, match="discount factor"):
        check_subgame_perfect(repeated(prisoners_dilemma()), g.profile("grim_trigger"))


# ---------------------------------------------------------------------- implementation noise
def grim_trigger_threshold_with_noise(T: float, R: float, P: float, S: float, eps: float) -> float | None:
    """Critical delta of mutual grim trigger in a symmetric 2x2 game with implementation noise eps < 1/2.

    Derived by hand (everybody sees the realised profile; grim trigger punishes any realised defection,
    own included). In the punishment state both intend D forever; intending C instead changes the stage
    payoff by (1 - 2 eps)[(1 - eps)(S - P) + eps (R - T)], which must be <= 0 (else never subgame perfect).
    In the cooperative state both intend C; the profile stays cooperative with probability pi = (1 - eps)^2,
    or eps (1 - eps) after intending D. With g = (1 - eps)(T - R) + eps (P - S) the one-shot condition is
    g (1 - delta pi) <= delta (1 - eps)(1 - 2 eps)(R - P), i.e.
    delta >= g / (pi g + (1 - eps)(1 - 2 eps)(R - P)); at eps = 0 this is (T - R)/(T - P).
    """
    if (1 - eps) * (S - P) + eps * (R - T) > 0:
        return None
    g = (1 - eps) * (T - R) + eps * (P - S)
    if g <= 0:
        return 0.0
    d = g / ((1 - eps) ** 2 * g + (1 - eps) * (1 - 2 * eps) * (R - P))
    return d if d < 1 else None


NOISE_CASES = [
    pytest.param(prisoners_dilemma(), (5, 3, 1, 0), 0.05, id="pd_eps0.05"),
    pytest.param(prisoners_dilemma(), (5, 3, 1, 0), 0.2, id="pd_eps0.2"),
    pytest.param(prisoners_dilemma(4, 3, 1, 0), (4, 3, 1, 0), 0.01, id="pd4310_eps0.01"),
    pytest.param(prisoners_dilemma(), (5, 3, 1, 0), 0.4, id="pd_eps0.4_never"),
    pytest.param(stag_hunt(), (3, 4, 2, 0), 0.1, id="stag_eps0.1"),
    pytest.param(stag_hunt(), (3, 4, 2, 0), 0.4, id="stag_eps0.4"),
    pytest.param(chicken(), (7, 6, 0, 2), 0.05, id="chicken_eps0.05_never"),
]


@pytest.mark.parametrize("stage, trps, eps", NOISE_CASES)
def test_grim_trigger_threshold_under_noise_matches_closed_form(stage, trps, eps):
    expected = grim_trigger_threshold_with_noise(*trps, eps)
    g = repeated(stage, noise=eps)
    crit = critical_discount_factor(g, g.profile("grim_trigger"))
    if expected is None:
        assert crit.overall is None
    else:
        assert crit.overall == pytest.approx(expected, abs=TOL_DELTA)
        for delta, spe in ((expected + 1e-3, True), (expected - 1e-3, expected == 0.0)):
            if 0.0 <= delta < 1.0:
                assert check_subgame_perfect(g.with_delta(delta), g.profile("grim_trigger")).is_spe is spe


def test_grim_trigger_threshold_under_noise_symbolic():
    T, R, P, S = sp.symbols("T R P S", positive=True)
    g = repeated(prisoners_dilemma(), noise=0.05)
    sym = [[[R, S], [T, P]], [[R, T], [S, P]]]
    res = critical_discount_factor_symbolic(g, g.profile("grim_trigger"), sym, {T: 5, R: 3, P: 1, S: 0})
    e = sp.Rational(1, 20)
    gap = (1 - e) * (T - R) + e * (P - S)
    closed = gap / ((1 - e) ** 2 * gap + (1 - e) * (1 - 2 * e) * (R - P))
    assert sp.simplify(res.expressions[0] - closed) == 0
    assert res.overall == pytest.approx(grim_trigger_threshold_with_noise(5, 3, 1, 0, 0.05), abs=1e-12)


@pytest.mark.parametrize("eps", [0.0, 0.02, 0.1])
@pytest.mark.parametrize("kind", ["tit_for_tat", "win_stay_lose_shift", "k_period_punishment"])
def test_noisy_one_shot_gains_match_brute_force_values(kind, eps):
    """Each one-shot gain equals the value of the deviating automaton minus that of the profile.

    The deviating player follows an automaton that plays ``a`` once in joint state ``s`` and then its own
    automaton again: its value from ``s`` is (1 - delta) E u + delta E V(next); computed here with
    plain numpy from the on-path chain, independently of the deviation kernel.
    """
    from coop.solvers.repeated.subgame_perfection import _normalised_gains, _tables

    delta = 0.85
    g = repeated(prisoners_dilemma(4, 3, 1, 0), delta, noise=eps)
    prof = g.profile(kind)
    t = _tables(g, prof)
    gains = _normalised_gains(t, delta)
    V = np.linalg.solve(np.eye(len(t.U)) - delta * t.P, (1 - delta) * t.U)
    stage = g.stage
    for js, names in enumerate(t.joint_names):
        states = [prof[i].state_names.index(names[i]) for i in range(2)]
        for i in range(2):
            for a in range(2):
                intended = [prof[j].actions[states[j]] for j in range(2)]
                intended[i] = a
                u, nxt = 0.0, np.zeros(len(t.U))
                for flips in itertools.product([0, 1], repeat=2):
                    prob = np.prod([eps if f else 1 - eps for f in flips])
                    real = tuple(1 - x if f else x for x, f in zip(intended, flips, strict=True))
                    u += prob * stage.payoffs[i][real]
                    flat = np.ravel_multi_index(real, stage.num_actions)
                    dist = np.einsum("a,b->ab", *(prof[j].transitions[states[j], flat] for j in range(2)))
                    for k, other in enumerate(t.joint_names):
                        nxt[k] += prob * dist[tuple(prof[j].state_names.index(other[j]) for j in range(2))]
                expected = ((1 - delta) * u + delta * nxt @ V[:, i] - V[js, i]) / (1 - delta)
                assert gains[js, i, a] == pytest.approx(expected, abs=1e-9)


# ---------------------------------------------------------------------- exact payoffs
def tft_hand_chain(T, R, P, S, eps, q, r):
    """Mutual tit-for-tat as a 4-state chain over (row's intended action, column's intended action).

    Each intended action is flipped with probability eps; each player's next action is what it
    observes of the other's realised action (a D is seen with prob q, a C is seen as D with prob r).
    """
    u_row = {(0, 0): R, (0, 1): S, (1, 0): T, (1, 1): P}
    seen_d = {0: r, 1: q}  # probability of observing D given the realised action
    states = [(0, 0), (0, 1), (1, 0), (1, 1)]
    Pm = np.zeros((4, 4))
    u = np.zeros((4, 2))
    for k, (x, y) in enumerate(states):
        for bx, by in itertools.product((0, 1), repeat=2):
            pb = (eps if bx != x else 1 - eps) * (eps if by != y else 1 - eps)
            u[k] += pb * np.array([u_row[bx, by], u_row[by, bx]])
            for nx, ny in itertools.product((0, 1), repeat=2):
                p_nx = seen_d[by] if nx == 1 else 1 - seen_d[by]
                p_ny = seen_d[bx] if ny == 1 else 1 - seen_d[bx]
                Pm[k, states.index((nx, ny))] += pb * p_nx * p_ny
    return Pm, u


@pytest.mark.parametrize(
    "eps, q, r, delta",
    [
        pytest.param(0.0, 1.0, 0.0, 0.9, id="perfect"),
        pytest.param(0.05, 1.0, 0.0, 0.9, id="noise"),
        pytest.param(0.0, 0.7, 0.1, 0.8, id="monitoring"),
        pytest.param(0.1, 0.6, 0.05, 0.95, id="both"),
        pytest.param(0.02, 0.9, 0.02, 0.5, id="both_impatient"),
    ],
)
def test_tit_for_tat_payoffs_match_hand_built_chain(eps, q, r, delta):
    pd = prisoners_dilemma()
    g = repeated(pd, delta, noise=eps, detection=q, false_alarm=r)
    Pm, u = tft_hand_chain(5, 3, 1, 0, eps, q, r)
    P_kernel, U_kernel, start = joint_chain(g, g.profile("tit_for_tat"))
    np.testing.assert_allclose(P_kernel, Pm, atol=1e-14)
    np.testing.assert_allclose(U_kernel, u, atol=1e-14)
    v = np.linalg.solve(np.eye(4) - delta * Pm, (1 - delta) * u)
    res = discounted_payoffs(g, g.profile("tit_for_tat"))
    np.testing.assert_allclose(res.payoffs, v[0], atol=TOL)
    json.dumps(res.to_dict())


@pytest.mark.parametrize("eps", [0.01, 0.1, 0.3])
def test_noisy_tit_for_tat_averages_the_four_outcomes(eps):
    g = repeated(prisoners_dilemma(), None, noise=eps)
    res = discounted_payoffs(g, g.profile("tit_for_tat"))
    assert res.criterion == "average"
    np.testing.assert_allclose(res.payoffs, [(5 + 3 + 1 + 0) / 4] * 2, atol=TOL)
    # the discounted value tends to the limit of means as delta -> 1
    near = discounted_payoffs(g, g.profile("tit_for_tat"), delta=0.99999).payoffs
    np.testing.assert_allclose(near, res.payoffs, atol=1e-3)


def test_generous_tit_for_tat_against_always_defect():
    # GTFT cooperates in period 0, then forgives with probability g each period: (1-d) S + d (g S + (1-g) P)
    pd = prisoners_dilemma()
    g = repeated(pd, 0.9)
    gtft = g.automaton("generous_tit_for_tat", 0, generosity=0.3)
    res = discounted_payoffs(g, [gtft, g.automaton("always_defect", 1)])
    assert res.payoffs[0] == pytest.approx(0.1 * 0 + 0.9 * (0.3 * 0 + 0.7 * 1), abs=TOL)
    assert res.payoffs[1] == pytest.approx(0.1 * 5 + 0.9 * (0.3 * 5 + 0.7 * 1), abs=TOL)


def test_average_with_transient_states_and_two_closed_classes():
    # grim trigger with noise only on the column player: the chain leaves (coop, coop) for good
    pd = prisoners_dilemma()
    g = repeated(pd, None, noise=0.2)
    res = discounted_payoffs(g, [g.automaton("grim_trigger", 0), g.automaton("always_cooperate", 1)])
    # absorbed in (punish, C): row intends D, column intends C, both flipped with prob 0.2
    expected_row = 0.64 * 5 + 0.16 * 1 + 0.16 * 3 + 0.04 * 0
    assert res.payoffs[0] == pytest.approx(expected_row, abs=TOL)


SIM_CASES = [
    pytest.param(prisoners_dilemma(), "tit_for_tat", 0.9, dict(noise=0.05), id="pd_tft_noise"),
    pytest.param(prisoners_dilemma(), "grim_trigger", 0.95, dict(noise=0.02, detection=0.8), id="pd_grim_mon"),
    pytest.param(prisoners_dilemma(), "win_stay_lose_shift", 0.8, dict(noise=0.1, false_alarm=0.1), id="pd_wsls"),
    pytest.param(prisoners_dilemma(), "generous_tit_for_tat", 0.9, dict(noise=0.05), id="pd_gtft"),
    pytest.param(three_player_game(), "tit_for_tat", 0.9, dict(noise=0.05, detection=0.7), id="pg3_tft"),
    pytest.param(three_player_game(), "k_period_punishment", 0.85, dict(noise=0.03, false_alarm=0.05),
                 id="pg3_punish"),
    pytest.param(prisoners_dilemma(), "tit_for_tat", None, dict(noise=0.1), id="pd_tft_average"),
]


@pytest.mark.parametrize("stage, kind, delta, errors", SIM_CASES)
def test_simulation_agrees_with_exact_payoffs(stage, kind, delta, errors):
    g = repeated(stage, delta, **errors)
    profile = g.profile(kind)
    exact = discounted_payoffs(g, profile).payoffs
    periods = 2000 if delta is None else 300
    sim = simulate_payoffs(g, profile, periods=periods, runs=1500, seed=12345)
    # 5 standard errors, plus the discounted tail beyond `periods` (or the 1/periods transient bias)
    bias = sim.truncation if delta is not None else 20.0 / periods
    assert np.all(np.abs(sim.payoffs - exact) <= 5 * sim.std_error + bias + 1e-12), (sim.payoffs, exact)
    again = simulate_payoffs(g, profile, periods=periods, runs=1500, seed=12345)
    np.testing.assert_array_equal(again.payoffs, sim.payoffs)
    json.dumps(sim.to_dict())


# ---------------------------------------------------------------------- differential test against a reference
def reference_chain(g: RepeatedGame, profile):
    """Readable NumPy/itertools reference of the joint-state chain (same conventions as the kernel)."""
    stage = g.stage
    n = stage.num_players
    eps, q, r = g.noise, g.detection, g.false_alarm
    joint = list(itertools.product(*[range(a.num_states) for a in profile]))
    index = {s: k for k, s in enumerate(joint)}
    Pm = np.zeros((len(joint), len(joint)))
    U = np.zeros((len(joint), n))

    def realised(i, a):
        if a == g.cooperate[i]:
            return [(a, 1 - eps), (g.defect[i], eps)]
        if a == g.defect[i]:
            return [(a, 1 - eps), (g.cooperate[i], eps)]
        return [(a, 1.0)]

    def observed(j, b):
        if b == g.cooperate[j]:
            return [(b, 1 - r), (g.defect[j], r)]
        return [(b, q), (g.cooperate[j], 1 - q)]

    for k, s in enumerate(joint):
        intended = [profile[i].actions[s[i]] for i in range(n)]
        for combo in itertools.product(*[realised(i, intended[i]) for i in range(n)]):
            b = tuple(x for x, _ in combo)
            pb = np.prod([p for _, p in combo])
            U[k] += pb * stage.payoffs[(slice(None), *b)]
            per_player = []
            for i in range(n):
                dist = np.zeros(profile[i].num_states)
                options = [[(b[i], 1.0)] if j == i else observed(j, b[j]) for j in range(n)]
                for obs in itertools.product(*options):
                    po = np.prod([p for _, p in obs])
                    f = np.ravel_multi_index(tuple(x for x, _ in obs), stage.num_actions)
                    dist += po * profile[i].transitions[s[i], f]
                per_player.append(dist)
            for s2 in joint:
                Pm[k, index[s2]] += pb * np.prod([per_player[i][s2[i]] for i in range(n)])
    return Pm, U


@st.composite
def random_automaton(draw, game: NormalFormGame, player: int):
    n_states = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    trans = rng.dirichlet(np.ones(n_states), size=(n_states, game.num_profiles))
    if draw(st.booleans()):  # deterministic
        trans = (trans == trans.max(axis=2, keepdims=True)).astype(float)
    acts = rng.integers(0, game.num_actions[player], size=n_states)
    return Automaton("random", tuple(f"s{k}" for k in range(n_states)), acts, trans, int(rng.integers(n_states)))


@st.composite
def random_repeated_profile(draw):
    n = draw(st.integers(2, 3))
    counts = [draw(st.integers(2, 3)) for _ in range(n)]
    seed = draw(st.integers(0, 2**32 - 1))
    stage = NormalFormGame.from_payoffs(np.random.default_rng(seed).normal(size=(n, *counts)))
    prob = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.01, 0.99))
    g = RepeatedGame(
        stage, draw(st.floats(0.0, 0.99)), (0,) * n, (1,) * n,
        noise=draw(prob), detection=draw(prob), false_alarm=draw(prob),
    )
    return g, tuple(draw(random_automaton(stage, i)) for i in range(n))


@settings(deadline=None, max_examples=25)
@given(random_repeated_profile())
def test_joint_chain_matches_reference(case):
    g, profile = case
    Pm, U, start = joint_chain(g, profile)
    P_ref, U_ref = reference_chain(g, profile)
    np.testing.assert_allclose(Pm, P_ref, atol=1e-12)
    np.testing.assert_allclose(U, U_ref, atol=1e-12)
    np.testing.assert_allclose(Pm.sum(axis=1), 1.0, atol=1e-12)
    # values satisfy the Bellman equation and payoffs stay within the stage payoff range
    res = discounted_payoffs(g, profile)
    V = res.state_values
    np.testing.assert_allclose(V, (1 - g.delta) * U + g.delta * Pm @ V, atol=1e-9)
    assert np.all(res.payoffs <= g.stage.payoffs.max() + 1e-9) and np.all(res.payoffs >= g.stage.payoffs.min() - 1e-9)
    avg = discounted_payoffs(g, profile, delta=None).payoffs
    assert np.all(avg <= g.stage.payoffs.max() + 1e-9) and np.all(avg >= g.stage.payoffs.min() - 1e-9)


@settings(deadline=None, max_examples=15)
@given(random_repeated_profile())
def test_average_is_the_limit_of_discounted_payoffs(case):
    g, profile = case
    avg = discounted_payoffs(g, profile, delta=None).payoffs
    # Abel mean: (1 - delta) sum delta^t u_t -> Cesaro limit; error O(1 - delta) for a finite chain
    near = discounted_payoffs(g, profile, delta=1 - 1e-7).payoffs
    np.testing.assert_allclose(near, avg, atol=1e-4 * g.stage.payoff_scale)


# ---------------------------------------------------------------------- finite horizon
def gibbons_two_stage() -> NormalFormGame:
    """Gibbons (1992, sec. 2.3.A): two pure stage equilibria, (L, L) worth 1 and (R, R) worth 3."""
    A = np.array([[1.0, 5.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 3.0]])
    return NormalFormGame.from_bimatrix(A, A.T, ("P1", "P2"), (("L", "M", "R"), ("L", "M", "R")))


def carrot_and_stick(g: RepeatedGame) -> tuple[Automaton, ...]:
    """(M, M) first; then (R, R) after (M, M) and (L, L) after anything else."""
    return tuple(
        custom(g.stage, i, ["first", "reward", "punish"], {"first": "M", "reward": "R", "punish": "L"},
               rules={"first": [({"P1": "M", "P2": "M"}, "reward"), ({}, "punish")]}, name="carrot_and_stick")
        for i in range(2)
    )


def test_two_stage_game_sustains_cooperation_from_delta_one_half():
    """4 + 3 delta >= 5 + delta in the first stage (Gibbons 1992, p. 84, undiscounted there)."""
    stage = gibbons_two_stage()
    g = RepeatedGame(stage, None, (1, 1), (0, 0), horizon=2)
    prof = carrot_and_stick(g)
    res = check_subgame_perfect(g, prof)
    assert res.is_spe
    np.testing.assert_allclose(res.payoffs, [3.5, 3.5])  # (4 + 3) / 2
    crit = critical_discount_factor(g, prof)
    assert crit.overall == pytest.approx(0.5, abs=TOL_DELTA)
    low = check_subgame_perfect(g.with_delta(0.4), prof)
    assert not low.is_spe and low.best_deviation == ("L", "L") and low.worst_period == (0, 0)
    assert low.max_gain[0] == pytest.approx(1 - 2 * 0.4)
    # three stages: (M, M) in stage 0 only, then the reward or punishment equilibrium twice
    three = RepeatedGame(stage, None, (1, 1), (0, 0), horizon=3)
    assert critical_discount_factor(three, carrot_and_stick(three)).overall == pytest.approx(
        (-1 + np.sqrt(1 + 4 * 0.5)) / 2, abs=TOL_DELTA)  # 1 <= 2 (delta + delta^2)


@pytest.mark.parametrize("horizon", [1, 2, 5, 50])
def test_finitely_repeated_prisoners_dilemma_unravels(horizon):
    """Backward induction: with a unique stage equilibrium only its repetition is subgame perfect."""
    for delta in (None, 0.5, 0.99):
        g = repeated(prisoners_dilemma(), delta, horizon=horizon)
        for kind in ("grim_trigger", "tit_for_tat", "win_stay_lose_shift", "always_cooperate"):
            res = check_subgame_perfect(g, g.profile(kind))
            assert not res.is_spe
            assert critical_discount_factor(g, g.profile(kind)).overall is None
        assert check_subgame_perfect(g, g.profile("always_defect")).is_spe
    # grim trigger's profitable deviation is defecting in the last period, worth T - R
    res = check_subgame_perfect(repeated(prisoners_dilemma(), 0.9, horizon=horizon), g.profile("grim_trigger"))
    assert res.worst_period == (horizon - 1,) * 2 and res.max_gain[0] == pytest.approx(2.0)


@pytest.mark.parametrize("delta", [None, 0.0, 0.7])
@pytest.mark.parametrize("kind", ["grim_trigger", "tit_for_tat", "generous_tit_for_tat"])
def test_finite_horizon_payoffs_agree_with_simulation_and_hand_sums(kind, delta):
    g = repeated(prisoners_dilemma(), delta, horizon=6, noise=0.1)
    exact = discounted_payoffs(g, g.profile(kind))
    assert exact.criterion == ("finite average" if delta is None else "finite discounted")
    sim = simulate_payoffs(g, g.profile(kind), runs=20000, seed=3)
    assert sim.periods == 6 and sim.truncation == 0.0
    assert np.all(np.abs(sim.payoffs - exact.payoffs) <= 5 * sim.std_error + 1e-12)
    # by hand: the period-t payoff distribution is the chain's t-step distribution from the start
    P, U, start = joint_chain(g, g.profile(kind))
    d = 1.0 if delta is None else delta
    dist = np.zeros(len(P))
    dist[start] = 1.0
    total, weight = np.zeros(2), 0.0
    for t in range(6):
        total += d**t * dist @ U
        weight += d**t
        dist = dist @ P
    np.testing.assert_allclose(exact.payoffs, total / weight, atol=1e-12)


def test_horizon_is_validated_and_symbolic_refuses_it():
    with pytest.raises(InputError, match="whole number of periods"):
        repeated(prisoners_dilemma(), 0.9, horizon=0)
    with pytest.raises(InputError, match="whole number of periods"):
        repeated(prisoners_dilemma(), 0.9, horizon=2.5)
    g = repeated(prisoners_dilemma(), 0.9, horizon=3)
    with pytest.raises(InputError, match="infinite horizon only"):
        critical_discount_factor_symbolic(g, g.profile("grim_trigger"))
    with pytest.raises(InputError, match="needs a discount factor"):
        check_subgame_perfect(repeated(prisoners_dilemma()), g.profile("grim_trigger"))


@pytest.mark.parametrize("stage", [prisoners_dilemma(), stag_hunt(), chicken(), three_player_game()],
                         ids=["pd", "stag", "chicken", "three_players"])
@pytest.mark.parametrize("kind", ["grim_trigger", "tit_for_tat", "win_stay_lose_shift", "k_period_punishment",
                                  "always_defect", "always_cooperate"])
def test_at_delta_zero_subgame_perfect_means_a_stage_equilibrium_in_every_reachable_state(stage, kind):
    """delta = 0 is a myopic game, not an error: only the current period counts, so a one-shot deviation pays
    exactly when the profile the automata prescribe at some reachable state is not a stage Nash equilibrium."""
    from coop.solvers.nash.pure_nash import pure_nash_indices
    from coop.solvers.repeated.profile_analysis import analyse_profile
    from coop.solvers.repeated.subgame_perfection import _tables

    g = repeated(stage, 0.0)
    profile = g.profile(kind)
    nash = {int(np.ravel_multi_index(tuple(r), stage.num_actions)) for r in pure_nash_indices(stage)}
    t = _tables(g, profile)
    expected = all(int(f) in nash for f in t.onpath[t.reach])
    assert check_subgame_perfect(g, profile).is_spe == expected
    a = analyse_profile(g, kind, profile)  # every analysis runs at delta = 0
    assert a.subgame_perfect == expected
    assert a.critical_delta == critical_discount_factor(repeated(stage, 0.9), profile).per_player  # unaffected
