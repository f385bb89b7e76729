"""The bundled ai-treaty scenario: Barrett's binary treaty, minimum participation, an exit penalty, and an inspector
whose public report moves the patience compliance needs.

* Barrett (2003, ch. 7): with pi = b Q - c q, the self-enforcing treaty has k* = ceil(c / b) members (3 of 8
  with b = 1, c = 2.5); a clause binding only with all 8 makes 8 stable (ch. 11); an exit penalty of at least
  pi_n(7) - pi_m(8) = c - b = 1.5 makes every size from 3 to 8 stable.
* Public monitoring (Fudenberg, Levine and Maskin 1994): grim trigger's critical discount factor rises as the
  inspector's detection falls, and its fine on reported violations lowers it.
"""

from __future__ import annotations

import math

import pytest

import coop


def report(**values):
    return coop.analyse("ai-treaty", **values)


def test_the_self_enforcing_treaty_is_barretts():
    treaty = report().sections["treaty"].metrics()
    assert treaty["stable_size"] == math.ceil(2.5 / 1.0) == 3
    assert report(minimum=8).sections["treaty"].metrics()["stable_size"] == 8
    assert report(exit_penalty=1.5).sections["treaty"].metrics()["stable_count"] == 6  # sizes 3..8
    assert report(exit_penalty=1.4).sections["treaty"].metrics()["stable_size"] == 3
    assert report(exit_penalty=1.5).sections["treaty"].metrics()["least_sanction"] == pytest.approx(1.5)


def test_the_inspectors_accuracy_moves_the_patience_compliance_needs():
    crit = []
    for q in (0.3, 0.5, 0.8, 1.0):
        inst = report(detection=q).sections["institutions"].metrics()
        crit.append(inst["IAEA-like inspector.grim_trigger.critical_delta"])
    assert crit == sorted(crit, reverse=True)  # a better inspector needs less patience
    at = report().sections["institutions"].metrics()
    assert at["IAEA-like inspector.grim_trigger.spe"] is True  # detection 0.8, fine 1, delta 0.8
    assert at["no inspector.grim_trigger.spe"] is False  # nobody reports a violation: nothing to punish
    assert report(detection=0.3).sections["institutions"].metrics()["IAEA-like inspector.grim_trigger.spe"] is False
    # without the fine: grim trigger on the public report. With R = 3b - c, T = 2b, P = 0, k = (1 - r)^3 (no false
    # alarm on anyone) and a = (1 - q)(1 - r)^2 (a deviation goes unreported), V_C = (1 - d) R / (1 - d k) and a
    # deviation earns (1 - d) T + d a V_C, so grim trigger holds from d* = (T - R) / (T k - R a) = 0.8397
    b, c, q, r = 1.0, 2.5, 0.8, 0.02
    R, T = 3 * b - c, 2 * b
    k, a = (1 - r) ** 3, (1 - q) * (1 - r) ** 2
    repeated = report().sections["repeated"].metrics()
    assert repeated["grim_trigger.spe"] is False
    assert repeated["grim_trigger.critical_delta"] == pytest.approx((T - R) / (T * k - R * a), abs=1e-7)


def test_the_stage_game_is_a_three_player_dilemma_that_crosses_the_red_line():
    stage = report().sections["stage"]
    assert stage.metrics()["structure"] == "1 pure (violate,violate,violate)"
    assert stage.crossings()[0][0]["name"] == "treaty collapses"
