"""Treaties and coalitions: stability against closed forms, brute force and the published results.

Sources of the results checked:

- Barrett, S. (2003). *Environment and Statecraft*, ch. 7: in the binary abatement game
  (each of n countries abates at cost c, every abatement gives b to every country, b < c <= n b)
  the members abate iff k b >= c, and the self-enforcing treaty has k* members, the smallest k
  with k b >= c. Ch. 11: a minimum participation clause can sustain a larger treaty.
- Barrett, S. (1994), Oxford Economic Papers 46; Finus (2001): the linear-benefit, quadratic-cost
  game pi = b Q - c q^2 / 2 has one stable treaty, of 3 members, for every n >= 3 (with an
  indifferent member staying and an indifferent non-member joining).
- Carraro, C. and Siniscalco, D. (1993), J. Public Econ. 52: internal and external stability,
  which is the pure Nash equilibrium of the open-membership game (checked by brute force).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from coop.errors import InputError
from coop.games.treaty import CompetingTreaty, TreatyGame
from coop.scenarios.formula import parse_formula
from coop.solvers.coalitions.second_stage import solve_second_stage
from coop.solvers.coalitions.stability import asymmetric_stability, forum_stability, size_table, treaty_stability

TOL = 1e-9
LQ = "b*Q - c*q**2/2"
BARRETT = "b*Q - c*q"


def smallest_k(b: float, c: float, n: int) -> int:
    """The smallest k with k b >= c (Barrett 2003, ch. 7), by counting."""
    return next(k for k in range(1, n + 1) if k * b >= c)


def lq_member(k, n, b, c):
    """pi_m(k) = b^2/c (k^2/2 + n - k): members abate k b / c, non-members b / c."""
    return b * b / c * (k * k / 2 + n - k)


def lq_non_member(k, n, b, c):
    """pi_n(k) = b^2/c (k^2 + n - k - 1/2)."""
    return b * b / c * (k * k + n - k - 0.5)


# ---------------------------------------------------------------------------- Barrett's binary game
BARRETT_CASES = [(1.0, 2.5, 10), (1.0, 3.0, 10), (2.0, 7.0, 6), (0.5, 4.2, 12), (1.0, 1.5, 3), (3.0, 20.0, 7),
                 (1.0, 10.0, 10)]


@pytest.mark.parametrize("b, c, n", BARRETT_CASES)
def test_barrett_binary_members_abate_iff_kb_at_least_c(b, c, n):
    stage = solve_second_stage(parse_formula(BARRETT), n, {"b": b, "c": c}, binary=True)
    k = np.arange(1, n + 1)
    np.testing.assert_array_equal(stage.member_abatement[0][1:], (k * b >= c - 1e-12).astype(float))
    np.testing.assert_array_equal(stage.non_member_abatement[:-1], np.zeros(n))  # b < c: never abate alone
    expected_m = np.where(k * b >= c - 1e-12, k * b - c, 0.0)
    np.testing.assert_allclose(stage.member[0][1:], expected_m, atol=TOL)


@pytest.mark.parametrize("b, c, n", BARRETT_CASES)
def test_barrett_binary_stable_treaty_is_the_smallest_k_with_kb_at_least_c(b, c, n):
    r = treaty_stability(TreatyGame.second_stage(n, BARRETT, {"b": b, "c": c}, abatement="binary"))
    assert r.stable_sizes == (smallest_k(b, c, n),)
    assert r.method == "binary"


@pytest.mark.parametrize("b, c, n", BARRETT_CASES)
def test_barrett_weak_rule_adds_the_treaties_that_abate_nothing(b, c, n):
    ks = smallest_k(b, c, n)
    r = treaty_stability(TreatyGame.second_stage(n, BARRETT, {"b": b, "c": c}, abatement="binary", tie_rule="weak"))
    expected = set(range(1, ks - 1)) | {ks}
    if math.isclose(ks * b, c):
        expected.add(ks - 1)  # members of k* are indifferent: a non-member of k* - 1 does not join
    assert set(r.stable_sizes) == expected


def test_barrett_as_formulas_of_k_gives_the_same_table():
    b, c, n = 1.0, 3.5, 9
    by_formula = treaty_stability(TreatyGame.symmetric(n, "step(k*b - c)*(k*b - c)", "step(k*b - c)*k*b",
                                                       {"b": b, "c": c}))
    by_stage = treaty_stability(TreatyGame.second_stage(n, BARRETT, {"b": b, "c": c}, abatement="binary"))
    np.testing.assert_allclose(by_formula.table.member, by_stage.table.member, atol=TOL)
    np.testing.assert_allclose(by_formula.table.leaver, by_stage.table.leaver, atol=TOL)
    assert by_formula.stable_sizes == by_stage.stable_sizes == (4,)


# ---------------------------------------------------------------------------- linear benefit, quadratic cost
@pytest.mark.parametrize("n", [3, 4, 5, 8, 13, 50, 200])
@pytest.mark.parametrize("b, c", [(1.0, 1.0), (0.3, 2.0), (5.0, 0.7), (2.0, 9.0)])
def test_linear_quadratic_treaty_has_three_members(n, b, c):
    r = treaty_stability(TreatyGame.second_stage(n, LQ, {"b": b, "c": c}))
    assert r.method == "closed form"
    assert r.stable_sizes == (3,)
    k = np.arange(n + 1.0)
    np.testing.assert_allclose(r.pi_m[1:], lq_member(k[1:], n, b, c), rtol=1e-12)
    np.testing.assert_allclose(r.pi_n[:-1], lq_non_member(k[:-1], n, b, c), rtol=1e-12)
    np.testing.assert_allclose(r.abatement[0][1:], k[1:] * b / c, rtol=1e-12)
    np.testing.assert_allclose(r.abatement[1][:-1], b / c, rtol=1e-12)


@pytest.mark.parametrize("rule, expected", [("join", (3,)), ("weak", (2, 3)), ("stay_out", (2,)), ("strict", ())])
@pytest.mark.parametrize("n", [3, 7, 40])
def test_linear_quadratic_tie_rules(rule, expected, n):
    r = treaty_stability(TreatyGame.second_stage(n, LQ, {"b": 1.3, "c": 0.9}, tie_rule=rule))
    assert r.stable_sizes == expected


def test_linear_quadratic_closed_forms_from_sympy():
    r = treaty_stability(TreatyGame.second_stage(6, LQ, {"b": 2.0, "c": 3.0}))
    cf = r.closed_form
    assert cf["q_m"] == "b*k/c" and cf["q_n"] == "b/c"
    assert cf["internal"] == "-b**2*(k - 3)*(k - 1)/(2*c)"
    assert cf["external"] == "b**2*k*(k - 2)/(2*c)"
    assert cf["internal_roots"] == ["1", "3"] and cf["external_roots"] == ["0", "2"]


@pytest.mark.parametrize("n, b, c", [(5, 1.0, 1.0), (9, 0.4, 2.5)])
def test_closed_form_second_stage_equals_the_numeric_one(n, b, c):
    closed = solve_second_stage(parse_formula(LQ), n, {"b": b, "c": c})
    numeric = solve_second_stage(parse_formula(LQ), n, {"b": b, "c": c}, numeric=True)
    assert closed.method == "closed form" and numeric.method == "numeric"
    np.testing.assert_allclose(numeric.member[0], closed.member[0], rtol=1e-8, equal_nan=True)
    np.testing.assert_allclose(numeric.non_member, closed.non_member, rtol=1e-8, equal_nan=True)


def test_a_second_stage_without_closed_form_is_solved_numerically_and_meets_the_conditions():
    # concave benefit of the total: the first-order conditions are not linear in the abatements
    b, c, n = 2.0, 1.0, 6
    stage = solve_second_stage(parse_formula("b*log(1 + Q) - c*q**2/2"), n, {"b": b, "c": c})
    assert stage.method == "numeric"
    for k in range(1, n):
        qm, qn = stage.member_abatement[0][k], stage.non_member_abatement[k]
        total = k * qm + (n - k) * qn
        assert abs(k * b / (1 + total) - c * qm) < 1e-7  # members: pi_q + k pi_Q = 0
        assert abs(b / (1 + total) - c * qn) < 1e-7  # non-members: pi_q + pi_Q = 0


def test_quadratic_damage_second_stage_matches_its_closed_form():
    # pi = b Q - g Q^2 / 2 - c q^2 / 2 (Barrett 1994's quadratic benefit): linear first-order conditions
    b, g, c, n = 1.0, 0.1, 1.0, 5
    stage = solve_second_stage(parse_formula("b*Q - g*Q**2/2 - c*q**2/2"), n, {"b": b, "g": g, "c": c})
    assert stage.method == "closed form"
    for k in range(1, n):
        a = np.array([[c + g * k * k, g * k * (n - k)], [g * k, c + g * (n - k)]])
        qm, qn = np.linalg.solve(a, [k * b, b])
        assert stage.member_abatement[0][k] == pytest.approx(qm, rel=1e-10)
        assert stage.non_member_abatement[k] == pytest.approx(qn, rel=1e-10)


def test_a_convex_payoff_fails_the_second_order_condition():
    with pytest.raises(InputError, match="second-order condition"):
        solve_second_stage(parse_formula("b*Q + c*q**2/2"), 4, {"b": 1.0, "c": 1.0})


# ---------------------------------------------------------------------------- Carraro-Siniscalco stability
def nash_sizes(pi_m, pi_n, n):
    """Sizes k >= 1 at which 'k sign' is a pure Nash equilibrium of the open-membership game, by brute force
    over every sign/not profile (nobody gains strictly by changing alone)."""
    sizes = set()
    for profile in itertools.product((0, 1), repeat=n):
        k = sum(profile)
        if k == 0:
            continue
        ok = True
        for signs in profile:
            here = pi_m(k) if signs else pi_n(k)
            there = pi_n(k - 1) if signs else pi_m(k + 1)
            if there > here + 1e-12:
                ok = False
                break
        if ok:
            sizes.add(k)
    return sizes


@pytest.mark.parametrize("seed", range(6))
def test_weak_stability_is_the_nash_equilibrium_of_the_membership_game(seed):
    rng = np.random.default_rng(seed)
    n = 6
    coef = rng.integers(-3, 4, size=6).astype(float)
    member = f"{coef[0]}*k**2 + {coef[1]}*k + {coef[2]}"
    non_member = f"{coef[3]}*k**2 + {coef[4]}*k + {coef[5]}"
    r = treaty_stability(TreatyGame.symmetric(n, member, non_member, tie_rule="weak"))

    def pm(k):
        return coef[0] * k * k + coef[1] * k + coef[2]

    def pn(k):
        return coef[3] * k * k + coef[4] * k + coef[5]

    assert set(r.stable_sizes) == nash_sizes(pm, pn, n)


def test_size_table_follows_the_definitions():
    rng = np.random.default_rng(3)
    pm, pn = rng.normal(size=9), rng.normal(size=9)
    t = size_table(pm, pn, "join")
    n = 8
    for k in range(1, n + 1):
        assert t.internal[k - 1] == (pm[k] >= pn[k - 1])
        assert t.external[k - 1] == (k == n or pn[k] > pm[k + 1])


# ---------------------------------------------------------------------------- minimum participation
@pytest.mark.parametrize("n, m", [(5, 3), (6, 4), (10, 10), (12, 7)])
def test_minimum_participation_stabilises_the_linear_quadratic_treaty_at_m(n, m):
    # at k = m a leaver ends the treaty: pi_m(m) - pi_n(0) = (m - 1)^2 b^2 / (2c) >= 0, and above m
    # pi_m(k) < pi_n(k - 1) for k > 3; below m nobody is bound and an indifferent non-member joins
    r = treaty_stability(TreatyGame.second_stage(n, LQ, {"b": 1.0, "c": 2.0}, minimum_participation=m))
    assert r.stable_sizes == (m,)
    assert r.plain.stable_sizes == (3,)


@pytest.mark.parametrize("b, c, n, m", [(1.0, 2.5, 10, 6), (1.0, 3.0, 8, 8), (2.0, 7.0, 9, 5)])
def test_minimum_participation_sustains_a_larger_binary_treaty(b, c, n, m):
    assert m >= smallest_k(b, c, n)
    r = treaty_stability(TreatyGame.second_stage(n, BARRETT, {"b": b, "c": c}, abatement="binary",
                                                 minimum_participation=m))
    assert r.stable_sizes == (m,)


# ---------------------------------------------------------------------------- sanctions
@pytest.mark.parametrize("target", [4, 6, 9])
def test_least_sanction_is_the_leavers_gain_at_the_target(target):
    n, b, c = 10, 1.5, 2.0
    r = treaty_stability(TreatyGame.second_stage(n, LQ, {"b": b, "c": c}, target=target))
    expected = lq_non_member(target - 1, n, b, c) - lq_member(target, n, b, c)
    assert expected == pytest.approx((target - 1) * (target - 3) * b * b / (2 * c))
    assert r.target_sanction == pytest.approx(expected, rel=1e-12)
    with_it = treaty_stability(TreatyGame.second_stage(n, LQ, {"b": b, "c": c}, sanction=expected))
    assert target in with_it.stable_sizes
    assert set(with_it.stable_sizes) == set(range(3, target + 1))
    short = treaty_stability(TreatyGame.second_stage(n, LQ, {"b": b, "c": c}, sanction=expected * 0.99))
    assert target not in short.stable_sizes


def test_no_sanction_stabilises_a_size_outsiders_would_join():
    r = treaty_stability(TreatyGame.second_stage(8, LQ, {"b": 1.0, "c": 1.0}, target=2))
    assert r.target_sanction is None  # pi_m(3) = pi_n(2): under the join rule a non-member joins
    assert r.table.rows()[0]["least_sanction"] is None  # k = 1: a non-member gains by joining


# ---------------------------------------------------------------------------- forum shopping
def lq_partition_payoffs(sizes, n, b=1.0, c=1.0):
    """Hand formula: with treaties of sizes s_t, Q c / b = sum s_t^2 + (n - sum s_t); a member of a treaty of
    s gets b^2/c (S - s^2/2), a non-member b^2/c (S - 1/2)."""
    big_s = sum(s * s for s in sizes) + n - sum(sizes)
    return [b * b / c * (big_s - s * s / 2) for s in sizes], b * b / c * (big_s - 0.5)


def brute_force_forum(n, rule="join"):
    """Every (k_A, k_B) that is stable, checked on every assignment of n identical countries to A, B or none."""
    strict_leave = rule in ("join", "weak")
    strict_join = rule in ("stay_out", "weak")
    stable = set()
    for assignment in itertools.product((0, 1, 2), repeat=n):
        a, b = assignment.count(1), assignment.count(2)
        (pa, pb), pn = lq_partition_payoffs((a, b), n)
        ok = True
        for where in set(assignment):
            if where == 1:
                here = pa
                moves = [(lq_partition_payoffs((a - 1, b), n)[1], strict_leave),
                         (lq_partition_payoffs((a - 1, b + 1), n)[0][1], True)]
            elif where == 2:
                here = pb
                moves = [(lq_partition_payoffs((a, b - 1), n)[1], strict_leave),
                         (lq_partition_payoffs((a + 1, b - 1), n)[0][0], True)]
            else:
                here = pn
                moves = [(lq_partition_payoffs((a + 1, b), n)[0][0], strict_join),
                         (lq_partition_payoffs((a, b + 1), n)[0][1], strict_join)]
            for there, strict in moves:
                if there > here + 1e-12 or (not strict and there >= here - 1e-12):
                    ok = False
        if ok:
            stable.add((a, b))
    return stable


@pytest.mark.parametrize("n, expected", [(5, {(2, 3), (3, 2)}), (6, {(3, 3)}), (7, {(3, 3)})])
def test_forum_shopping_hand_checked(n, expected):
    # gains (hand-derived from lq_partition_payoffs): leaving a treaty of s: (s-1)(s-3)/2; joining a treaty of
    # s: s(2-s)/2; switching from s to t: ((s-2)^2 - (t-1)^2)/2.  Non-members join any treaty of 0, 1 or 2
    # (join rule), so with non-members both treaties have 3 or more, and members leave above 3.
    g = TreatyGame.second_stage(n, LQ, {"b": 1.0, "c": 1.0}, competing=CompetingTreaty("B"))
    f = forum_stability(g)
    assert set(f.stable) == expected == brute_force_forum(n)


@pytest.mark.parametrize("rule", ["weak", "stay_out"])
def test_forum_shopping_other_rules_match_brute_force(rule):
    g = TreatyGame.second_stage(6, LQ, {"b": 1.0, "c": 1.0}, competing=CompetingTreaty("B"), tie_rule=rule)
    assert set(forum_stability(g).stable) == brute_force_forum(6, rule)


def test_forum_with_formulas_equals_the_second_stage():
    n = 6
    member = "k**2 + k_other**2 + n - k - k_other - k**2/2"
    non_member = "k**2 + k_other**2 + n - k - k_other - 1/2"
    g = TreatyGame.symmetric(n, member, non_member, competing=CompetingTreaty("B"))
    assert set(forum_stability(g).stable) == brute_force_forum(n)


# ---------------------------------------------------------------------------- countries with their own payoffs
def test_asymmetric_three_countries_by_brute_force():
    names = ("US", "China", "EU")
    member = {"US": "3*k - 4", "China": "2*k - 1.5", "EU": "k*k - 2"}
    non_member = {"US": "2*k", "China": "k + 0.5", "EU": "k"}
    g = TreatyGame(names, _formulas(names, member, non_member))
    r = asymmetric_stability(g)
    assert r.vectors == 8

    def value(text, k):
        return parse_formula(text).evaluate({"k": float(k), "k_other": 0.0, "n": 3.0})

    expected = set()
    for members in itertools.product((0, 1), repeat=3):
        k = sum(members)
        ok = True
        for i, name in enumerate(names):
            if members[i]:
                ok &= not value(non_member[name], k - 1) > value(member[name], k)  # join rule: stays on a tie
            else:
                ok &= not value(member[name], k + 1) >= value(non_member[name], k)  # joins on a tie
        if ok:
            expected.add(tuple(name for i, name in enumerate(names) if members[i]))
    found = {tuple(c for c, t in zip(names, v, strict=True) if t) for v in r.stable}
    assert found == expected and expected  # the case has a stable vector


def _formulas(names, member, non_member):
    from coop.games.treaty import SizeFormulas

    return SizeFormulas(tuple(parse_formula(member[c]) for c in names),
                        tuple(parse_formula(non_member[c]) for c in names))


def test_asymmetric_countries_with_identical_formulas_agree_with_the_symmetric_solver():
    names = ("A", "B", "C", "D", "E")
    formulas = {c: "k**2/2 + 5 - k" for c in names}, {c: "k**2 + 5 - k - 1/2" for c in names}
    r = treaty_stability(TreatyGame(names, _formulas(names, *formulas)))
    sizes = {len([t for t in v if t]) for v in r.asymmetric.stable}
    assert sizes == {3}
    assert len(r.asymmetric.stable) == math.comb(5, 3)


def test_too_many_asymmetric_countries_are_refused():
    names = tuple(f"c{i}" for i in range(13))
    with pytest.raises(InputError, match="at most 12 countries"):
        TreatyGame(names, _formulas(names, {c: "k" for c in names}, {c: "k" for c in names}))


def test_results_are_json_safe():
    import json

    r = treaty_stability(TreatyGame.second_stage(5, LQ, {"b": 1.0, "c": 1.0}, competing=CompetingTreaty("B")))
    text = json.dumps(r.to_dict(), allow_nan=False)
    assert '"stable_sizes": [3]' in text


# ---------------------------------------------------------------------------- members that lead (Barrett 1994)
BARRETT_1994 = "b*(A*Q - Q**2/2)/n - c*q**2/2"  # Barrett's benefit (b/N)(AQ - Q^2/2), cost c q^2 / 2


def stackelberg_by_hand(k, n, b, c, a):
    """Members' and non-members' payoffs when the k members lead, by a bounded scalar search over the members'
    common abatement with the non-members' reaction q_n = (b/n)(A - k q_m) / (c + (b/n)(n - k))."""
    from scipy.optimize import minimize_scalar

    def react(qm):
        return (b / n) * (a - k * qm) / (c + (b / n) * (n - k))

    def payoff(qown, total):
        return b * (a * total - total * total / 2) / n - c * qown * qown / 2

    def loss(qm):
        total = k * qm + (n - k) * react(qm)
        return -payoff(qm, total)

    best = minimize_scalar(loss, bounds=(-10 * a, 10 * a), method="bounded", options={"xatol": 1e-11})
    qm = best.x
    total = k * qm + (n - k) * react(qm)
    return payoff(qm, total), payoff(react(qm), total)


@pytest.mark.parametrize("c", [0.05, 0.5, 3.0])
def test_leading_members_match_a_search_over_their_abatement(c):
    n, b, a = 8, 1.0, 50.0
    stage = solve_second_stage(parse_formula(BARRETT_1994), n, {"b": b, "c": c, "A": a}, lead=True)
    assert stage.method == "closed form"
    pm = np.full(n + 1, np.nan)
    pn = np.full(n + 1, np.nan)
    for k in range(1, n + 1):
        pm[k], pn_k = stackelberg_by_hand(k, n, b, c, a)
        if k < n:
            pn[k] = pn_k
    pn[0] = stackelberg_by_hand(0, n, b, c, a)[1]
    np.testing.assert_allclose(stage.member[0][1:], pm[1:], rtol=1e-7)
    np.testing.assert_allclose(stage.non_member[:-1], pn[:-1], rtol=1e-7)
    # the stable sizes follow from these payoffs by the definitions
    r = treaty_stability(TreatyGame.second_stage(n, BARRETT_1994, {"b": b, "c": c, "A": a}, timing="members_lead"))
    expected = tuple(k for k in range(1, n + 1)
                     if pm[k] >= pn[k - 1] - 1e-9 and (k == n or pn[k] > pm[k + 1] + 1e-9))
    assert r.stable_sizes == expected


def test_leading_members_sustain_larger_treaties_when_abatement_is_cheap():
    # Barrett (1994): with the members as leaders the stable treaty grows as c / b falls
    sizes = [treaty_stability(TreatyGame.second_stage(10, BARRETT_1994, {"b": 1.0, "c": c, "A": 100.0},
                                                      timing="members_lead")).stable_sizes for c in (100, 1, 0.01)]
    assert all(len(s) == 1 for s in sizes)
    assert sizes[0][0] < sizes[1][0] < sizes[2][0]


def test_with_orthogonal_reactions_leading_changes_nothing():
    lead = solve_second_stage(parse_formula(LQ), 7, {"b": 1.0, "c": 2.0}, lead=True)
    nash = solve_second_stage(parse_formula(LQ), 7, {"b": 1.0, "c": 2.0})
    np.testing.assert_allclose(lead.member[0], nash.member[0], equal_nan=True)
    np.testing.assert_allclose(lead.non_member, nash.non_member, equal_nan=True)


def test_leading_members_need_continuous_abatement_and_one_treaty():
    with pytest.raises(InputError, match="continuous abatement"):
        TreatyGame.second_stage(5, BARRETT, {"b": 1.0, "c": 2.0}, abatement="binary", timing="members_lead")
    with pytest.raises(InputError, match="one treaty"):
        TreatyGame.second_stage(5, LQ, {"b": 1.0, "c": 2.0}, timing="members_lead", competing=CompetingTreaty("B"))
    with pytest.raises(InputError, match="linear in the members' abatement"):
        solve_second_stage(parse_formula("b*log(1 + Q) - c*q**2/2"), 5, {"b": 1.0, "c": 1.0}, lead=True)
