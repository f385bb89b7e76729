"""The bundled scenarios: each loads, has the documented players, and has the equilibria its description claims."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from coop.scenarios import bundled_scenarios, load, resolve
from tests.oracles import gambit_strategies, pygambit

PROB_TOL = 1e-6

DOCUMENTED = {
    "ai-arms-race": (("US", "China"), (("restrain", "race"), ("restrain", "race"))),
    "export-controls": (
        ("US", "China", "EU"),
        (("restrict", "open"), ("retaliate", "accommodate"), ("align", "trade")),
    ),
    "red-lines": (
        ("US", "China", "EU"),
        (("human_control", "autonomous"), ("human_control", "autonomous"), ("advocate", "abstain")),
    ),
    "ai-safety-institutions": (("US", "China", "EU"), (("comply", "defect"),) * 3),
    "ai-development-race": (("developer_A", "developer_B"), (("SAFE", "UNSAFE"),) * 2),
    "collective-risk": (tuple(f"member{k}" for k in range(1, 7)), (("C", "D"),) * 6),
    "ai-safety-treaty": (("US", "China"), (("invest", "free_ride"),) * 2),
    "ai-treaty": (("US", "China", "EU"), (("comply", "violate"),) * 3),
}


def pure_equilibria(payoffs: np.ndarray) -> set[tuple[int, ...]]:
    """Brute force: every pure profile where no player gains by a unilateral deviation."""
    shape = payoffs.shape[1:]
    out = set()
    for s in itertools.product(*(range(a) for a in shape)):
        if all(
            payoffs[(i, *s)] >= payoffs[i][s[:i] + (slice(None),) + s[i + 1 :]].max() - 1e-12 for i in range(len(shape))
        ):
            out.add(s)
    return out


def strictly_dominant(payoffs: np.ndarray, player: int, action: int) -> bool:
    """Whether ``action`` is strictly better for ``player`` than every other action, against every profile."""
    u = np.moveaxis(payoffs[player], player, 0)
    others = [k for k in range(u.shape[0]) if k != action]
    return all(bool(np.all(u[action] > u[k])) for k in others)


def gambit_equilibria(game) -> list[list[np.ndarray]]:
    g = game.to_gambit()
    if game.num_players == 2:
        result = pygambit.nash.enummixed_solve(g, rational=False)
    else:
        result = pygambit.nash.enumpoly_solve(g)
    return [gambit_strategies(eq) for eq in result.equilibria]


def test_the_library_lists_every_documented_scenario():
    names = [b.name for b in bundled_scenarios()]
    assert names == sorted(DOCUMENTED)
    for b in bundled_scenarios():
        assert b.path.is_file() and b.title and b.summary
        assert resolve(b.name) == b.path == resolve(b.name + ".yaml")


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_bundled_scenario_loads_with_documented_players(name):
    s = load(name)
    players, actions = DOCUMENTED[name]
    assert s.name == name
    assert s.game.players == players and s.game.actions == actions
    assert s.game.title == s.title and s.game.description == s.description
    assert len(s.description) > 300, "a class needs the story"
    assert any("illustrative" in a.lower() for a in s.assumptions)
    assert len(s.sources) >= 3
    json.dumps(s.to_dict())


def test_arms_race_threshold_turns_stag_hunt_into_prisoners_dilemma():
    s = load("ai-arms-race")
    threshold = s.parameters["threshold"]
    assert threshold == pytest.approx(1 / 3)
    restrain, race = 0, 1
    # weight 0 and just below the threshold: an assurance game (stag hunt), two pure equilibria
    for w in (0.0, threshold - 1e-6):
        g = s.with_parameters({"relative_gains": w}).game
        assert pure_equilibria(g.payoffs) == {(restrain, restrain), (race, race)}, w
        assert not strictly_dominant(g.payoffs, 0, race) and not strictly_dominant(g.payoffs, 1, race)
    # just above it and beyond: racing strictly dominant, a prisoner's dilemma
    for w in (threshold + 1e-6, 1.0, 5.0):
        g = s.with_parameters({"relative_gains": w}).game
        assert strictly_dominant(g.payoffs, 0, race) and strictly_dominant(g.payoffs, 1, race), w
        assert pure_equilibria(g.payoffs) == {(race, race)}
        # a dilemma: both prefer mutual restraint to the equilibrium
        assert np.all(g.payoffs[:, restrain, restrain] > g.payoffs[:, race, race])


def test_arms_race_threshold_follows_the_parameters():
    s = load("ai-arms-race", parameters={"lead_value": 2.5})
    t = s.parameters["threshold"]
    assert t == pytest.approx((4 - 2.5) / 2.5)
    below = s.with_parameters({"lead_value": 2.5, "relative_gains": t - 1e-6}).game
    above = s.with_parameters({"lead_value": 2.5, "relative_gains": t + 1e-6}).game
    assert len(pure_equilibria(below.payoffs)) == 2 and pure_equilibria(above.payoffs) == {(1, 1)}


def _matches(found: list[np.ndarray], expected: list[list[float]]) -> bool:
    return all(np.allclose(f, e, atol=1e-4) for f, e in zip(found, expected, strict=True))


# What each description claims, as (player strategies) lists; mixed ones rounded as printed.
CLAIMS = {
    "ai-arms-race": [
        [[1, 0], [1, 0]],
        [[0, 1], [0, 1]],
        [[2 / 3, 1 / 3], [2 / 3, 1 / 3]],
    ],
    "export-controls": [
        [[1, 0], [1, 0], [1, 0]],  # coordinated controls
        [[0, 1], [0, 1], [0, 1]],  # open trade
    ],
    "red-lines": [
        [[0, 1], [1, 0], [1, 0]],
        [[1, 0], [0, 1], [1, 0]],
        [[9 / 11, 2 / 11], [9 / 11, 2 / 11], [1, 0]],
    ],
    "ai-safety-institutions": [
        [[0, 1], [0, 1], [0, 1]],  # the stage game is a prisoner's dilemma: everyone defects
    ],
    "ai-development-race": [
        [[0, 1], [0, 1]],  # at the default disaster risk (the dilemma region) both develop unsafely
    ],
}
NUM_EQUILIBRIA = {"ai-arms-race": 3, "export-controls": 5, "red-lines": 3, "ai-safety-institutions": 1,
                  "ai-development-race": 1}


def test_collective_risk_pure_equilibria_are_exactly_three_contributors_or_none():
    """Santos and Pacheco's one-shot threshold game: a contributor is pivotal only when exactly M contribute."""
    from coop.solvers.nash.pure_nash import pure_nash_equilibria

    game = load("collective-risk").game
    found = {tuple(int(np.argmax(s)) for s in e.strategies) for e in pure_nash_equilibria(game).equilibria}
    expected = {p for p in np.ndindex(*game.num_actions) if sum(a == 0 for a in p) == 3}
    expected.add((1,) * 6)
    assert found == expected and len(found) == 21


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_bundled_equilibria_match_the_description(name):
    game = load(name).game
    eqs = gambit_equilibria(game)
    assert len(eqs) == NUM_EQUILIBRIA[name]
    for eq in eqs:
        assert game.max_regret(eq) <= 1e-6 * game.payoff_scale
    for claim in CLAIMS[name]:
        assert any(_matches(eq, claim) for eq in eqs), claim
    expected_pure = {tuple(int(np.argmax(s)) for s in c) for c in CLAIMS[name] if all(max(s) == 1 for s in c)}
    assert pure_equilibria(game.payoffs) == expected_pure


def test_red_lines_are_crossed_in_every_equilibrium_unless_norm_pressure_exceeds_speed_advantage():
    s = load("red-lines")
    us, china = 0, 1
    autonomous = 1

    def crosses(eq):
        return any(eq[p][autonomous] > PROB_TOL for p in (us, china))

    assert all(crosses(eq) for eq in gambit_equilibria(s.game))
    strong = s.with_parameters({"norm_pressure": s.parameters["speed_advantage"] + 0.5}).game
    eqs = gambit_equilibria(strong)
    assert len(eqs) == 1 and not crosses(eqs[0])
    assert {(r.player, r.action) for r in s.red_lines} == {("US", "autonomous"), ("China", "autonomous")}


def test_export_controls_eu_is_pivotal():
    """With low leakage US controls pay alone: restricting becomes dominant for the US."""
    s = load("export-controls")
    assert not strictly_dominant(s.game.payoffs, 0, 0)
    low = s.with_parameters({"leakage": 0.1}).game
    assert strictly_dominant(low.payoffs, 0, 0)
