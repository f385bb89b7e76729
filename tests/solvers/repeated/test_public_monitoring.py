"""Public monitoring: one report of every action (an inspector's) that every strategy reads.

Closed forms for grim trigger in the prisoner's dilemma (T, R, P, S), detection q, false alarm r (each
player's action reported independently; Fudenberg, Levine and Maskin 1994 for perfect public equilibria;
Mailath and Samuelson 2006, section 7.2, for grim trigger on a bad public signal):

* cooperation is worth V_C = ((1 - d) R + d (1 - (1-r)^2) P) / (1 - d (1-r)^2): punishment starts when
  either cooperation is falsely reported;
* a defection earns (1 - d) T + d [(1-q)(1-r) V_C + (1 - (1-q)(1-r)) P];
* with r = 0 grim trigger is subgame perfect from d* = (T - R) / (T - R + q (R - P)).

An institution that fines a reported defection s (every member, detection q; punishers defect and are fined
too, so punishment is worth P - q s) then needs, against grim trigger with a public report (r = 0),
R >= (1 - d)(T - q s) + d [(1 - q) R + q (P - q s)], i.e. the least sanction
s* = [(1 - d)(T - R) - d q (R - P)] / (q [(1 - d) + d q]), below the ceiling (P - S) / q where punishing
would stop paying.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from coop.games.institutions import Institution
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.institutions import analyse_institution
from coop.solvers.repeated.payoffs import discounted_payoffs
from coop.solvers.repeated.profile_analysis import analyse_profile
from coop.solvers.repeated.subgame_perfection import check_subgame_perfect, critical_discount_factor
from tests.textbook_games import prisoners_dilemma

TOL = 1e-9


def public(T=5.0, R=3.0, P=1.0, S=0.0, q=1.0, r=0.0, delta=0.9) -> RepeatedGame:
    return RepeatedGame(prisoners_dilemma(T, R, P, S), delta, (0, 0), (1, 1), detection=q, false_alarm=r,
                        monitoring="public")


def grim_values(T, R, P, q, r, d):
    keep = (1 - r) ** 2
    vc = ((1 - d) * R + d * (1 - keep) * P) / (1 - d * keep)
    clean = (1 - q) * (1 - r)
    dev = (1 - d) * T + d * (clean * vc + (1 - clean) * P)
    return vc, dev


@pytest.mark.parametrize("trp, q", [((5, 3, 1), 1.0), ((5, 3, 1), 0.8), ((5, 3, 1), 0.4), ((4, 3, 0), 0.6),
                                    ((7, 5, 2), 0.9)])
def test_grim_trigger_critical_delta_without_false_alarms(trp, q):
    T, R, P = trp
    g = public(T, R, P, q=q)
    crit = critical_discount_factor(g, g.profile("grim_trigger"))
    assert crit.overall == pytest.approx((T - R) / (T - R + q * (R - P)), abs=1e-7)


@pytest.mark.parametrize("q, r", [(0.9, 0.02), (0.7, 0.05), (0.95, 0.1)])
def test_grim_trigger_with_false_alarms_matches_the_closed_form(q, r):
    T, R, P = 5.0, 3.0, 1.0
    for d in (0.6, 0.8, 0.95):
        g = public(T, R, P, q=q, r=r, delta=d)
        vc, dev = grim_values(T, R, P, q, r, d)
        np.testing.assert_allclose(discounted_payoffs(g, g.profile("grim_trigger")).payoffs, [vc, vc], atol=1e-12)
        assert check_subgame_perfect(g, g.profile("grim_trigger")).is_spe == (vc >= dev - TOL)
    # the critical delta: where cooperation's value meets a defection's, from the closed form
    g = public(T, R, P, q=q, r=r)

    def margin(d: float) -> float:
        vc, dev = grim_values(T, R, P, q, r, d)
        return (vc - dev) / (1 - d)

    grid = np.linspace(0.01, 0.999, 2000)
    signs = np.array([margin(d) >= 0 for d in grid])
    crit = critical_discount_factor(g, g.profile("grim_trigger")).overall
    if not signs[-1]:
        assert crit is None
    else:
        k = int(np.flatnonzero(~signs)[-1])
        assert crit == pytest.approx(brentq(margin, grid[k], grid[k + 1], xtol=1e-14), abs=1e-7)


def test_perfect_reports_are_perfect_monitoring():
    """q = 1, r = 0: a public report is the profile itself; every profile gives the same answers."""
    for kind in ("grim_trigger", "tit_for_tat", "win_stay_lose_shift", "k_period_punishment"):
        a = analyse_profile(public(q=1.0, r=0.0), kind, public().profile(kind))
        plain = RepeatedGame(prisoners_dilemma(), 0.9, (0, 0), (1, 1), noise=0.0)
        b = analyse_profile(plain, kind, plain.profile(kind))
        assert a.subgame_perfect == b.subgame_perfect
        assert a.critical_delta == b.critical_delta
        np.testing.assert_allclose(a.payoffs, b.payoffs, atol=1e-12)


def test_the_inspectors_accuracy_moves_the_critical_delta_and_the_least_sanction():
    """S is low so that punishing (defecting, and being fined for it) stays better than cooperating alone:
    the sanction's ceiling (P - S) / q is above the least sanction."""
    T, R, P, S, d = 5.0, 3.0, 1.0, -10.0, 0.3
    g = public(T, R, P, S, delta=d)
    for q in (0.5, 0.8, 1.0):
        res = analyse_institution(g, "grim_trigger", Institution("inspector", detection=q, sanction=0.0))
        assert res.critical_delta[0] == pytest.approx((T - R) / (T - R + q * (R - P)), abs=1e-7)
        least = ((1 - d) * (T - R) - d * q * (R - P)) / (q * ((1 - d) + d * q))
        assert res.least_sanction == pytest.approx(max(0.0, least), abs=1e-7)
    private = RepeatedGame(prisoners_dilemma(T, R, P, S), d, (0, 0), (1, 1))
    res = analyse_institution(private, "grim_trigger", Institution("inspector", detection=0.5, sanction=0.0))
    assert res.critical_delta[0] == pytest.approx((T - R) / (T - P), abs=1e-7)  # payoffs only: as before
