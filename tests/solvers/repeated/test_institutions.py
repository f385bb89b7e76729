"""Tests of institutions (expected sanctions, membership, forum shopping) and their repeated-game analysis.

Closed forms, derived by hand with the one-shot deviation principle (Mailath and Samuelson 2006,
sec. 2.2) on the transformed stage game. Prisoner's dilemma (T, R, P, S), both players members,
expected sanction s_e = q (1 - f)(s + rho) on every defection, participation cost c:

    stage payoffs of the row player: (C,C) R - c, (C,D) S - c, (D,C) T - s_e - c, (D,D) P - s_e - c.

Grim trigger (Mailath and Samuelson 2006, sec. 2.4.1) has two reachable joint states:

* cooperation (C,C): no gain from D iff (1 - delta)(T - s_e) + delta (P - s_e) <= R, i.e.
  delta >= (T - R - s_e) / (T - P)  (the sanction hits the defector both in the deviation period
  and in every punishment period, so the denominator T - P is unchanged);
* punishment (D,D): no gain from C iff S <= P - s_e, i.e. s_e <= P - S. A sanction that also hits
  the defections that carry out the punishment makes grim trigger non-credible beyond this.

So grim trigger is subgame perfect at delta iff T - R - delta (T - P) <= s_e <= P - S, the least
sanction is max(0, (T - R - delta (T - P)) / (q (1 - f)) - rho) and the ceiling (P - S)/(q (1 - f)) - rho.
Always-cooperate is subgame perfect (at every delta: critical delta 0) iff s_e >= T - R, and C is
strictly dominant in the stage game once s_e > max(T - R, P - S). c changes no incentive: it is
subtracted from every payoff of a member, so normalised discounted payoffs fall by exactly c.

Three-player linear public goods game (u_i = 2 k / 3 - [i contributes], k contributors;
tests/games/test_automata.py): R = 1, a lone defector gets 4/3, mutual defection 0, a lone
contributor -1/3. Grim trigger for a member with expected sanction e: delta >= (1/3 - e)/(4/3) and
e <= 1/3; for a non-member delta >= 1/4.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.games.institutions import (
    DESIGNS,
    Institution,
    fragmented_regime_complex,
    fsb_like,
    iaea_like,
    no_institution,
)
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.institutions import InstitutionAnalysis, analyse_institution, compare_institutions
from coop.solvers.repeated.payoffs import discounted_payoffs
from coop.solvers.repeated.subgame_perfection import check_subgame_perfect, critical_discount_factor_symbolic
from tests.games.test_automata import three_player_game
from tests.textbook_games import prisoners_dilemma

TOL_DELTA = 1e-7  # numeric critical delta (grid + bisection)
TOL_SANCTION = 1e-7  # least sanction: bisection, feasible to within tol / (q (1 - f)) ~ 1e-8 here
TOL = 1e-9


def repeated(stage, delta, **kw) -> RepeatedGame:
    n = stage.num_players
    return RepeatedGame(stage, delta, (0,) * n, (1,) * n, **kw)


def analyse(game, profile, inst) -> InstitutionAnalysis:
    """analyse_institution, checking that its report survives json.dumps and round-trips."""
    res = analyse_institution(game, profile, inst)
    doc = res.to_dict()
    assert json.loads(json.dumps(doc)) == doc
    return res


def grim_closed_form(T, R, P, S, delta, q, f, s, rho):
    """(critical delta, SPE at delta, least sanction, ceiling) of grim trigger in the PD, from the module docstring."""
    eff = q * (1 - f)
    se = eff * (s + rho)
    credible = se <= P - S
    crit = max(0.0, (T - R - se) / (T - P)) if credible else None
    spe = credible and delta >= (T - R - se) / (T - P)
    if eff == 0:
        ok = (T - R) <= delta * (T - P) and eff * rho <= P - S
        return crit, spe, (0.0 if ok else None), None
    ceiling = (P - S) / eff - rho
    least = max(0.0, (T - R - delta * (T - P)) / eff - rho)
    if ceiling < 0 or least > ceiling:
        return crit, spe, None, None
    return crit, spe, least, ceiling


# ---------------------------------------------------------------------- the design and its transform
BAD = [
    pytest.param({"detection": 1.5}, "detection", id="detection_above_1"),
    pytest.param({"detection": -0.1}, "detection", id="detection_negative"),
    pytest.param({"forum_shopping": 2}, "forum_shopping", id="forum_shopping_above_1"),
    pytest.param({"sanction": -1}, "sanction", id="negative_sanction"),
    pytest.param({"sanction": math.nan}, "sanction", id="nan_sanction"),
    pytest.param({"reputation_cost": "high"}, "reputation_cost", id="reputation_not_a_number"),
    pytest.param({"participation_cost": math.inf}, "participation_cost", id="infinite_participation_cost"),
    pytest.param({"members": "US"}, "members", id="members_a_string"),
    pytest.param({"members": ("US", "US")}, "twice", id="member_twice"),
    pytest.param({"name": ""}, "name", id="empty_name"),
]


@pytest.mark.parametrize("kwargs, word", BAD)
def test_bad_designs_are_one_line_input_errors(kwargs, word):
    kw = {"name": "x", **kwargs}
    with pytest.raises(InputError) as err:
        Institution(**kw)
    assert word in str(err.value) and "\n" not in str(err.value)


def test_unknown_member_is_an_input_error_when_applied():
    inst = Institution("club", members=("US", "India"))
    with pytest.raises(InputError, match="unknown member 'India'"):
        inst.apply(three_player_game(), (0, 0, 0))
    with pytest.raises(InputError, match="unknown member"):
        analyse_institution(repeated(three_player_game(), 0.5), "grim_trigger", inst)


def reference_transform(stage, coop, members, se, c):
    """Loop over profiles: u_i - se [a_i != C_i] - c for members, u_i otherwise."""
    u = np.array(stage.payoffs)
    for prof in np.ndindex(*stage.num_actions):
        for i in members:
            u[(i, *prof)] -= se * (prof[i] != coop[i]) + c
    return u


TRANSFORM_CASES = [
    pytest.param(prisoners_dilemma(), Institution("a", 0.5, 2.0, 1.0, 0.1, 0.2), (0, 1), id="pd_all"),
    pytest.param(prisoners_dilemma(), Institution("b", 1.0, 3.0, members=("Column",)), (1,), id="pd_column_only"),
    pytest.param(three_player_game(), Institution("c", 0.7, 1.0, 0.3, 0.05, 0.4, ("US", "EU")), (0, 2),
                 id="pgg_us_eu"),
    pytest.param(three_player_game(), no_institution(), (0, 1, 2), id="pgg_none"),
]


@pytest.mark.parametrize("stage, inst, members", TRANSFORM_CASES)
def test_apply_matches_the_profile_loop(stage, inst, members):
    coop = (0,) * stage.num_players
    out = inst.apply(stage, coop, (1,) * stage.num_players)
    se = inst.detection * (1 - inst.forum_shopping) * (inst.sanction + inst.reputation_cost)
    assert inst.expected_sanction() == pytest.approx(se, abs=1e-15)
    np.testing.assert_allclose(out.payoffs, reference_transform(stage, coop, members, se, inst.participation_cost),
                               atol=1e-12)
    assert out.players == stage.players and out.actions == stage.actions
    assert inst.member_indices(stage) == members


def test_apply_with_three_actions_sanctions_every_non_cooperative_action():
    rng = np.random.default_rng(3)
    from coop.games import NormalFormGame

    stage = NormalFormGame.from_payoffs(rng.normal(size=(2, 3, 3)))
    inst = Institution("x", 0.5, 1.0)
    out = inst.apply(stage, (1, 2))
    np.testing.assert_allclose(out.payoffs, reference_transform(stage, (1, 2), (0, 1), 0.5, 0.0), atol=1e-12)


def test_no_institution_leaves_the_game_unchanged():
    pd = prisoners_dilemma()
    np.testing.assert_array_equal(no_institution().apply(pd, (0, 0)).payoffs, pd.payoffs)


def test_named_designs_are_valid_and_distinct():
    made = {k: f() for k, f in DESIGNS.items()}
    assert len({d.name for d in made.values()}) == 4
    assert made["no_institution"].expected_sanction() == 0.0
    assert made["fsb_like"].sanction == 0.0 and made["fsb_like"].reputation_cost > 0  # peer review, no enforcement
    assert made["iaea_like"].forum_shopping == 0.0 and made["iaea_like"].sanction > 0  # one central enforcer
    assert made["fragmented_regime_complex"].forum_shopping > max(made["fsb_like"].forum_shopping, 0.0)
    assert iaea_like(members=["US", "EU"]).members == ("US", "EU")


# ---------------------------------------------------------------------- prisoner's dilemma closed forms
PD_CASES = [
    # T, R, P, S, delta, q, f, s, rho
    pytest.param(5, 3, 1, 0, 0.4, 0.5, 0.0, 0.5, 0.0, id="pd_below_threshold"),
    pytest.param(5, 3, 1, 0, 0.4, 0.5, 0.0, 1.0, 0.0, id="pd_sanction_closes_gap"),
    pytest.param(5, 3, 1, 0, 0.2, 0.8, 0.25, 0.5, 0.3, id="pd_forum_shopping_and_reputation"),
    pytest.param(5, 3, 1, 0, 0.6, 0.9, 0.0, 3.0, 0.0, id="pd_sanction_too_large_punishment_not_credible"),
    pytest.param(5, 3, 1, 0, 0.1, 1.0, 0.0, 0.0, 0.5, id="pd_reputation_only"),
    pytest.param(4, 3, 1, 0, 0.2, 0.6, 0.5, 0.2, 0.1, id="pd4310"),
    pytest.param(10, 7, 1, -2, 0.25, 0.7, 0.1, 1.0, 0.0, id="pd_negative_S"),
    pytest.param(6, 5, 0.5, 0, 0.0, 0.4, 0.0, 0.0, 0.0, id="pd_delta_zero_needs_T_minus_R"),
    pytest.param(5, 3, 1, 0, 0.3, 0.5, 0.0, 0.0, 2.5, id="pd_reputation_alone_breaks_punishment"),
]


@pytest.mark.parametrize("T, R, P, S, delta, q, f, s, rho", PD_CASES)
def test_grim_trigger_under_an_institution_matches_the_closed_form(T, R, P, S, delta, q, f, s, rho):
    g = repeated(prisoners_dilemma(T, R, P, S), delta)
    res = analyse(g, "grim_trigger", Institution("i", q, s, rho, 0.0, f))
    crit, spe, least, ceiling = grim_closed_form(T, R, P, S, delta, q, f, s, rho)
    assert res.subgame_perfect is spe
    for d in res.critical_delta:
        assert (d is None) if crit is None else d == pytest.approx(crit, abs=TOL_DELTA)
    if least is None:
        assert res.least_sanction is None and res.sanction_ceiling is None
    else:
        assert res.least_sanction == pytest.approx(least, abs=TOL_SANCTION)
        assert res.sanction_ceiling == pytest.approx(ceiling, abs=TOL_SANCTION)
        assert res.least_sanction_per_player == pytest.approx((least, least), abs=TOL_SANCTION)


@pytest.mark.parametrize("T, R, P, S, delta, q, f, s, rho", PD_CASES)
def test_least_sanction_is_the_edge_of_subgame_perfection(T, R, P, S, delta, q, f, s, rho):
    """Independent of the closed form: SPE just above the least sanction, not just below; same at the ceiling."""
    g = repeated(prisoners_dilemma(T, R, P, S), delta)
    inst = Institution("i", q, s, rho, 0.0, f)
    res = analyse_institution(g, "grim_trigger", inst)
    if res.least_sanction is None:
        return
    prof = g.profile("grim_trigger")

    def spe_at(x):
        under = dataclasses.replace(g, stage=inst.with_sanction(x).apply(g.stage, g.cooperate))
        return check_subgame_perfect(under, prof).is_spe

    step = 1e-4 * g.stage.payoff_scale
    lo, hi = res.least_sanction, res.sanction_ceiling
    assert spe_at(lo + step) if hi is None or hi - lo > 2 * step else spe_at(0.5 * (lo + hi))
    if lo > 0:
        assert not spe_at(lo - step)
    if hi is not None:
        assert not spe_at(hi + step)


def test_symbolic_critical_delta_with_an_expected_sanction():
    """SymPy on the transformed PD gives (T - R - e)/(T - P) for grim trigger (the hand derivation)."""
    T, R, P, S, e = sp.symbols("T R P S e")
    g = repeated(prisoners_dilemma(), None)
    sym = [[[R, S], [T - e, P - e]], [[R, T - e], [S, P - e]]]
    res = critical_discount_factor_symbolic(g, g.profile("grim_trigger"), sym, {T: 5, R: 3, P: 1, S: 0, e: 0.5})
    assert sp.simplify(res.expressions[0] - (T - R - e) / (T - P)) == 0


def test_a_large_sanction_makes_cooperation_dominant():
    T, R, P, S = 5, 3, 1, 0
    pd = prisoners_dilemma(T, R, P, S)
    inst = Institution("strong", detection=0.5, sanction=5.0)  # s_e = 2.5 > max(T - R, P - S)
    u = inst.apply(pd, (0, 0)).payoffs
    assert np.all(u[0][0, :] > u[0][1, :]) and np.all(u[1][:, 0] > u[1][:, 1])  # C strictly dominant
    g = repeated(pd, 0.05)
    allc = analyse(g, "always_cooperate", inst)
    assert allc.subgame_perfect and allc.critical_delta == (0.0, 0.0)
    # always-cooperate needs s_e >= T - R whatever delta, and no sanction is too large for it
    assert allc.least_sanction == pytest.approx((T - R) / 0.5, abs=TOL_SANCTION)
    assert allc.sanction_ceiling is None
    # grim trigger's punishment (D, D) is sanctioned too and stops being credible
    grim = analyse(g, "grim_trigger", inst)
    assert not grim.subgame_perfect and grim.critical_delta == (None, None)


@pytest.mark.parametrize("inst", [
    pytest.param(Institution("shopped", 0.9, 10.0, 1.0, 0.0, forum_shopping=1.0), id="forum_shopping_1"),
    pytest.param(Institution("blind", 0.0, 10.0, 1.0), id="detection_0"),
])
def test_an_institution_that_never_bites_is_useless(inst):
    pd = prisoners_dilemma()  # no-institution threshold (T - R)/(T - P) = 1/2
    low = analyse(repeated(pd, 0.4), "grim_trigger", inst)
    assert low.least_sanction is None and low.subgame_perfect is False
    assert low.critical_delta == pytest.approx((0.5, 0.5), abs=TOL_DELTA)
    assert any("no sanction can reach" in n for n in low.notes)
    high = analyse(repeated(pd, 0.6), "grim_trigger", inst)
    assert high.subgame_perfect and high.least_sanction == 0.0


@pytest.mark.parametrize("profile", ["grim_trigger", "always_cooperate", "always_defect", "win_stay_lose_shift"])
def test_participation_cost_changes_no_incentive_but_lowers_payoffs(profile):
    c = 0.7
    for noise in (0.0, 0.05):
        g = repeated(prisoners_dilemma(), 0.8, noise=noise)
        base = analyse(g, profile, Institution("free", 0.6, 1.0))
        paid = analyse(g, profile, Institution("paid", 0.6, 1.0, participation_cost=c))
        assert paid.subgame_perfect == base.subgame_perfect
        for a, b in zip(paid.critical_delta, base.critical_delta, strict=True):
            assert (a is None and b is None) or a == pytest.approx(b, abs=TOL_DELTA)
        np.testing.assert_allclose(paid.payoffs.payoffs, base.payoffs.payoffs - c, atol=1e-9)
        assert paid.least_sanction == base.least_sanction or paid.least_sanction == pytest.approx(
            base.least_sanction, abs=TOL_SANCTION)


def test_sanctions_hit_realised_defections_under_noise():
    """Mutual always-defect with noise eps: each player plays C with probability eps (hand formula)."""
    T, R, P, S = 5, 3, 1, 0
    eps, q, s, c = 0.1, 0.5, 2.0, 0.2
    se = q * s
    g = repeated(prisoners_dilemma(T, R, P, S), 0.9, noise=eps)
    res = analyse(g, "always_defect", Institution("i", q, s, participation_cost=c))
    expected = eps**2 * R + eps * (1 - eps) * S + (1 - eps) * eps * (T - se) + (1 - eps) ** 2 * (P - se) - c
    np.testing.assert_allclose(res.payoffs.payoffs, [expected, expected], atol=1e-9)
    assert res.payoffs.criterion == "discounted"
    assert not any("perfect monitoring" in n for n in res.notes)  # noise alone keeps the states public
    monitored = analyse(repeated(prisoners_dilemma(T, R, P, S), 0.9, noise=eps, detection=0.8), "always_defect",
                        Institution("i", q, s, participation_cost=c))
    assert any("perfect monitoring" in n for n in monitored.notes)


# ---------------------------------------------------------------------- the limit of means
# Under the limit of means only long-run averages count (coop.solvers.repeated.limit_of_means); a player's
# best deviation from a joint state is a stationary policy of the average-reward problem. With every player
# a member and the expected sanction s_e = q (1 - f)(s + rho) on every defection (hand derivations):
#
# * always-cooperate: defecting for ever earns T - s_e against R, any other deviation less; subgame perfect
#   iff s_e >= T - R, so the least sanction is (T - R) / (q (1 - f)) - rho, with no ceiling;
# * grim trigger: from cooperation a deviation ends in the punishment, worth max(P - s_e, S) <= R for ever;
#   in the punishment the opponent defects for ever, so cooperating pays iff S > P - s_e. Least sanction 0,
#   ceiling (P - S) / (q (1 - f)) - rho. With P > R (mutual defection beats cooperation, an arms race that
#   pays) the cooperation state also needs P - s_e <= R: least (P - R) / (q (1 - f)) - rho;
# * tit-for-tat: after mutual defection it echoes (D, D), P - s_e for ever; cooperating twice restores
#   (C, C), R for ever: a gain of R - P + s_e > 0 for every sanction (the sanction also hits the echoed
#   defections). No sanction makes it subgame perfect under the limit of means (the check still finds it a
#   Nash equilibrium).
LOM_CASES = [
    # profile, (T, R, P, S), q, f, rho, least, ceiling
    pytest.param("always_cooperate", (5, 3, 1, 0), 0.5, 0.0, 0.0, 4.0, None, id="allc"),
    pytest.param("always_cooperate", (5, 3, 1, 0), 0.8, 0.5, 0.5, 2 / 0.4 - 0.5, None, id="allc_forum_reputation"),
    pytest.param("always_cooperate", (5, 3, 1, 0), 0.5, 0.0, 5.0, 0.0, None, id="allc_reputation_enough"),
    pytest.param("grim_trigger", (5, 3, 1, 0), 0.5, 0.0, 0.0, 0.0, 2.0, id="grim"),
    pytest.param("grim_trigger", (5, 3, 1, 0), 0.8, 0.5, 0.5, 0.0, 1 / 0.4 - 0.5, id="grim_forum_reputation"),
    pytest.param("grim_trigger", (5, 3, 3.5, 0), 0.5, 0.0, 0.0, 1.0, 7.0, id="grim_p_above_r"),
    pytest.param("grim_trigger", (5, 3, 3.5, 0), 0.25, 0.2, 0.5, 0.5 / 0.2 - 0.5, 3.5 / 0.2 - 0.5,
                 id="grim_p_above_r_forum"),
    pytest.param("tit_for_tat", (5, 3, 1, 0), 0.5, 0.0, 0.0, None, None, id="tft"),
    pytest.param("always_defect", (5, 3, 1, 0), 0.5, 0.0, 0.0, 0.0, 2.0, id="alld"),
]


@pytest.mark.parametrize("profile, tp, q, f, rho, least, ceiling", LOM_CASES)
def test_least_sanction_under_the_limit_of_means(profile, tp, q, f, rho, least, ceiling):
    g = repeated(prisoners_dilemma(*tp), None)
    res = analyse(g, profile, Institution("i", q, 1.0, rho, 0.0, f))
    assert res.payoffs.criterion == "average" and res.spe is None and res.limit_of_means is not None
    assert res.complete
    if least is None:
        assert res.least_sanction is None and res.sanction_ceiling is None
        assert res.least_sanction_per_player == (None, None)
    else:
        assert res.least_sanction == pytest.approx(least, abs=1e-12)  # the exact crossing, not a bisection end
        assert (res.sanction_ceiling is None) if ceiling is None else (
            res.sanction_ceiling == pytest.approx(ceiling, abs=1e-12))
    # the verdict at the design's own sanction (1.0) is the limit-of-means check's
    expected = least is not None and least <= 1.0 and (ceiling is None or 1.0 <= ceiling)
    assert res.subgame_perfect is expected
    assert res.to_dict()["limit_of_means"]["subgame_perfect"] is expected
    assert not any("computed at a discount factor only" in n for n in res.notes)


def test_tit_for_tat_is_nash_but_never_subgame_perfect_under_the_limit_of_means():
    """The gain after mutual defection is R - P + s_e: 2 + s_e (T, R, P, S) = (5, 3, 1, 0), for every s."""
    g = repeated(prisoners_dilemma(), None)
    for s in (0.0, 1.0, 10.0):
        res = analyse(g, "tit_for_tat", Institution("i", 0.5, s))
        lom = res.limit_of_means
        assert lom.is_nash and not lom.is_spe
        np.testing.assert_allclose(lom.spe_gain, [2.0 + 0.5 * s] * 2, atol=1e-9)
        assert res.least_sanction is None


@pytest.mark.parametrize("profile", ["always_cooperate", "grim_trigger", "win_stay_lose_shift", "k_period_punishment"])
@pytest.mark.parametrize("tp, q, rho", [((5, 3, 1, 0), 0.5, 0.0), ((4, 3, 3.2, 0), 0.7, 0.3),
                                        ((6, 3, 2, -1), 0.3, 0.1)])
def test_limit_of_means_sanction_is_the_edge_of_the_verdict(profile, tp, q, rho):
    """Independent of the closed forms: the limit-of-means check itself (not the search) says SPE at the least
    sanction and at the ceiling, and not just outside them."""
    from coop.solvers.repeated.limit_of_means import limit_of_means_check

    g = repeated(prisoners_dilemma(*tp), None)
    kw = {"k": 1} if profile == "k_period_punishment" else {}
    prof = g.profile(profile, **kw)
    inst = Institution("i", q, 0.0, rho)
    res = analyse(g, prof, inst)

    def spe_at(x):
        under = dataclasses.replace(g, stage=inst.with_sanction(x).apply(g.stage, g.cooperate))
        return limit_of_means_check(under, prof, tol=res.tol).is_spe

    step = 1e-6 * g.stage.payoff_scale
    if res.least_sanction is None:
        assert not any(spe_at(x) for x in (0.0, 1.0, 3.0, 10.0, 100.0))
        return
    lo, hi = res.least_sanction, res.sanction_ceiling
    assert spe_at(lo) and (hi is None or spe_at(hi))
    if lo > 0:
        assert not spe_at(lo - step)
    if hi is not None:
        assert not spe_at(hi + step)
    else:
        assert spe_at(lo + 1000.0)


def test_limit_of_means_with_members_of_three():
    """Three-player public goods game (u_i = 2 k / 3 - [i contributes]): always-cooperate, a lone defector earns
    4/3 against 1 for ever, so a member needs s_e >= 1/3, and a non-member cannot be held: no sanction works."""
    g = repeated(three_player_game(), None)
    everyone = analyse(g, "always_cooperate", Institution("all", 0.5, 1.0))
    assert everyone.least_sanction == pytest.approx((1 / 3) / 0.5, abs=1e-12) and everyone.sanction_ceiling is None
    assert everyone.subgame_perfect
    some = analyse(g, "always_cooperate", Institution("two", 0.5, 1.0, members=("US", "EU")))
    assert some.least_sanction is None and not some.subgame_perfect
    assert some.least_sanction_per_player[1] is None
    assert some.least_sanction_per_player[0] == pytest.approx(2 / 3, abs=1e-12)


# ---------------------------------------------------------------------- three players, membership
def pgg_member(delta, e):
    """(critical delta, least expected sanction, ceiling) of grim trigger for a member of the 3-player game."""
    crit = max(0.0, (1 / 3 - e) / (4 / 3)) if e <= 1 / 3 else None
    return crit, max(0.0, 1 / 3 - delta * 4 / 3), 1 / 3


def test_three_player_membership_subset():
    q, s = 0.5, 0.1
    g = repeated(three_player_game(), 0.1)
    inst = Institution("transatlantic", q, s, members=("US", "EU"))
    res = analyse(g, "grim_trigger", inst)
    crit_m, least_e, ceil_e = pgg_member(0.1, q * s)
    us, china, eu = res.critical_delta
    assert us == pytest.approx(crit_m, abs=TOL_DELTA) and eu == pytest.approx(crit_m, abs=TOL_DELTA)
    assert china == pytest.approx(0.25, abs=TOL_DELTA)  # outside: unchanged
    assert res.members == (0, 2)
    # China's delta 0.1 < 1/4 cannot be fixed by a sanction it does not face
    assert res.least_sanction is None and not res.subgame_perfect
    lows = res.least_sanction_per_player
    assert lows[1] is None
    assert lows[0] == pytest.approx(least_e / q, abs=TOL_SANCTION) and lows[2] == pytest.approx(least_e / q,
                                                                                                abs=TOL_SANCTION)
    assert res.sanction_ceiling_per_player[0] == pytest.approx(ceil_e / q, abs=TOL_SANCTION)
    # everyone a member: the least sanction is the members' one
    full = analyse(g, "grim_trigger", Institution("global", q, s))
    assert full.least_sanction == pytest.approx(least_e / q, abs=TOL_SANCTION)
    assert full.sanction_ceiling == pytest.approx(ceil_e / q, abs=TOL_SANCTION)
    # at delta 0.3 China is fine without the institution and the subset suffices
    ok = analyse(repeated(three_player_game(), 0.3), "grim_trigger", inst)
    assert ok.subgame_perfect and ok.least_sanction == 0.0
    assert ok.sanction_ceiling == pytest.approx(ceil_e / q, abs=TOL_SANCTION)


def test_three_player_payoffs_of_members_and_non_members():
    c = 0.25
    g = repeated(three_player_game(), 0.9)
    res = analyse(g, "grim_trigger", Institution("club", 0.5, 1.0, participation_cost=c, members=("US", "EU")))
    base = discounted_payoffs(g, g.profile("grim_trigger")).payoffs  # all cooperate: 1 each
    np.testing.assert_allclose(res.payoffs.payoffs, base - np.array([c, 0.0, c]), atol=1e-9)


# ---------------------------------------------------------------------- comparisons and properties
def test_compare_the_four_designs_in_the_prisoners_dilemma():
    g = repeated(prisoners_dilemma(), 0.4)
    designs = [no_institution(), iaea_like(), fsb_like(), fragmented_regime_complex()]
    rows = compare_institutions(g, "grim_trigger", designs)
    assert [r.institution.name for r in rows] == [d.name for d in designs]
    for r, d in zip(rows, designs, strict=True):
        crit, spe, least, ceiling = grim_closed_form(5, 3, 1, 0, 0.4, d.detection, d.forum_shopping, d.sanction,
                                                     d.reputation_cost)
        assert r.subgame_perfect is spe, d.name
        assert (r.least_sanction is None) is (least is None), d.name
        if least is not None:
            assert r.least_sanction == pytest.approx(least, abs=TOL_SANCTION)
        json.dumps(r.to_dict())
    with pytest.raises(InputError, match="unique"):
        compare_institutions(g, "grim_trigger", [fsb_like(), fsb_like()])
    with pytest.raises(InputError, match="at least one"):
        compare_institutions(g, "grim_trigger", [])


@settings(deadline=None, max_examples=12)
@given(
    st.floats(0.5, 4.0), st.floats(0.5, 4.0), st.floats(0.5, 4.0),
    st.floats(0.0, 0.95), st.floats(0.1, 1.0), st.floats(0.0, 0.9), st.floats(0.0, 1.0),
)
def test_least_sanction_matches_the_closed_form_on_random_dilemmas(a, b, c, delta, q, f, rho):
    # T > R > P > S built from positive gaps
    S = 0.0
    P, R, T = S + a, S + a + b, S + a + b + c
    g = repeated(prisoners_dilemma(T, R, P, S), delta)
    res = analyse_institution(g, "grim_trigger", Institution("i", q, 0.0, rho, 0.0, f))
    _, _, least, ceiling = grim_closed_form(T, R, P, S, delta, q, f, 0.0, rho)
    # skip knife edges, where the answer flips within the gain tolerance (expected-sanction units)
    lo_e, hi_e, rho_e = T - R - delta * (T - P), P - S, q * (1 - f) * rho
    if min(abs(lo_e - hi_e), abs(rho_e - hi_e)) < 1e-6:
        return
    if least is None:
        assert res.least_sanction is None
    else:
        assert res.least_sanction == pytest.approx(least, abs=1e-5)
        assert res.sanction_ceiling == pytest.approx(ceiling, abs=1e-5 * max(1.0, ceiling))


def test_bad_arguments_to_the_analysis_are_input_errors():
    g = repeated(prisoners_dilemma(), 0.5)
    with pytest.raises(InputError, match="unknown strategy"):
        analyse_institution(g, "nice_guy", iaea_like())
    with pytest.raises(InputError, match="Institution"):
        analyse_institution(g, "grim_trigger", {"detection": 0.5})
    with pytest.raises(InputError, match="automata"):
        analyse_institution(g, g.profile("grim_trigger")[:1], iaea_like())
