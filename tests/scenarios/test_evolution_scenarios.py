"""The bundled evolutionary scenarios reproduce what their papers report.

* ``ai-development-race``: Han, Pereira, Santos and Lenaerts (2020), JAIR 69, long-term regime of the
  DSAIR model. Three regions of (s, p_r): safety favoured by selection and socially best when
  p_r > 1 - 1/(3s) (risk dominance of SAFE for B/W >> b); a dilemma between 1 - 1/s and 1 - 1/(3s) (UNSAFE
  favoured, SAFE socially better); UNSAFE favoured and socially better below 1 - 1/s.
* ``collective-risk``: Santos and Pacheco (2011), PNAS 108: cooperation grows with the perceived risk r;
  at high risk the gradient of selection has an unstable root (a coordination threshold) below a stable one
  (coexistence); at low risk defection takes over.
"""

from __future__ import annotations

import numpy as np
import pytest

from coop.games.population import PopulationGame, collective_risk_dilemma
from coop.inputs import load_input
from coop.sections.finite_population import gradient_roots
from coop.sections.report import analyse
from coop.solvers.evolution.fixation import fixation_probabilities


def race(speed: float, risk: float):
    loaded = load_input("ai-development-race", {"speed": speed, "disaster_risk": risk})
    finite = analyse(loaded).sections["finite_population"]
    safe_share = float(finite.small_mutation.stationary[0])
    pay = loaded.game.payoffs[0]
    return safe_share, pay[0, 0], pay[1, 1]


@pytest.mark.parametrize("speed", [1.5, 3.0])
def test_ai_race_three_regions(speed):
    upper, lower = 1 - 1 / (3 * speed), 1 - 1 / speed
    # region I: safety favoured and best for all
    share, ss, uu = race(speed, min(upper + 0.06, 0.99))
    assert share > 0.5 and ss > uu
    # region II: a dilemma, UNSAFE favoured although SAFE is better for all
    share, ss, uu = race(speed, 0.5 * (lower + upper))
    assert share < 0.5 and ss > uu
    # region III: UNSAFE favoured and socially preferable
    share, ss, uu = race(speed, max(lower - 0.1, 0.0))
    assert share < 0.5 and ss < uu


def test_ai_race_selection_boundary_is_near_risk_dominance():
    """With Z = 100 and weak selection the switch of the stationary distribution sits near 1 - 1/(3s)."""
    speed = 1.5
    grid = np.linspace(0.70, 0.86, 17)
    shares = np.array([race(speed, r)[0] for r in grid])
    assert np.all(np.diff(shares) >= -1e-12)  # more risk, more safety
    crossing = grid[np.argmax(shares > 0.5)]
    assert abs(crossing - (1 - 1 / (3 * speed))) < 0.02


def test_ai_race_fixation_matches_the_population_game_of_its_matrix():
    loaded = load_input("ai-development-race", {})
    finite = analyse(loaded).sections["finite_population"]
    direct = fixation_probabilities(PopulationGame.from_matrix(loaded.game.payoffs[0], ("SAFE", "UNSAFE")),
                                    100, 0.01)
    np.testing.assert_allclose(finite.small_mutation.fixation.fixation, direct.fixation, rtol=1e-12, atol=0)


def test_collective_risk_group_game_equals_the_published_payoffs():
    loaded = load_input("collective-risk", {})
    ours = analyse(loaded).sections["finite_population"].population_game
    ref = collective_risk_dilemma(group_size=6, threshold=3, cost=0.1, risk=0.9)
    assert ours.group_size == 6 and ours.strategies == ("C", "D")
    for c in range(6):  # c cooperating co-players out of five
        for name in ("C", "D"):
            assert ours.payoff(name, {"C": c, "D": 5 - c}) == pytest.approx(ref.payoff(name, {"C": c, "D": 5 - c}))


def test_collective_risk_cooperation_grows_with_risk():
    shares, roots = [], {}
    for r in (0.1, 0.5, 0.9):
        finite = analyse("collective-risk", risk=r).sections["finite_population"]
        shares.append(float(finite.stationary.mean_frequencies[0]))
        roots[r] = gradient_roots(finite.gradient)
    assert shares[0] < shares[1] < shares[2]
    assert shares[0] < 0.2 and shares[2] > 0.5
    high = roots[0.9]
    assert [r["stable"] for r in high] == [False, True]  # a coordination threshold, then coexistence
    assert high[0]["share"] < high[1]["share"]
    assert all(not r["stable"] for r in roots[0.1]) or roots[0.1] == []


def test_the_report_explains_the_finite_population(coop_cli):
    res = coop_cli("solve", "collective-risk")
    assert res.exit_code == 0, res.stderr
    text = " ".join(res.stdout.split())  # the report wraps its lines
    assert "Finite population: Z = 50 players, selection strength beta = 5" in text
    assert "Fermi imitation" in text and "groups of 6" in text
    assert "Gradient of selection" in res.stdout and "unstable at" in res.stdout
    assert "... and" in res.stdout  # many equilibria: the table is cut, the JSON has them all


def test_collective_risk_one_population_in_groups():
    """The infinite population of Santos and Pacheco's Fig. 1: the replicator ends at the stable root."""
    evo = analyse("collective-risk").sections["dynamics"]
    assert evo.spec.populations == "one"
    stable = [p for p in evo.rest_points.points if p.stability == "stable"]
    assert [round(float(p.state[0]), 3) for p in stable] == [0.0, 0.723]
    end = evo.trajectories[0].states[-1]
    np.testing.assert_allclose(end.reshape(6, 2), np.tile(end[:2], (6, 1)), atol=1e-9)  # on the diagonal
    assert end[0] == pytest.approx(float(stable[1].state[0]), abs=1e-4)


def test_collective_risk_group_achievement_grows_with_risk():
    """Santos and Pacheco (2011, Fig. 2): groups reach the threshold more often the higher the perceived risk;
    eta_G with mutation is the hypergeometric success probability averaged over the full stationary distribution."""
    from coop.solvers.evolution.group_achievement import success_probabilities

    etas = []
    for r in (0.1, 0.5, 0.9):
        finite = analyse("collective-risk", risk=r).sections["finite_population"]
        got = finite.achievement()
        st = finite.stationary
        assert got["with_mutation"] == pytest.approx(
            float(st.distribution @ success_probabilities(50, 6, 3)[st.states[:, 0]]), abs=1e-12)
        etas.append(got["with_mutation"])
    assert etas[0] < 0.1 < etas[1] < etas[2] and etas[2] > 0.8


def test_group_achievement_and_the_full_distribution_in_the_json(tmp_path, coop_cli):
    import json

    from coop.scenarios.library import resolve

    text = resolve("collective-risk").read_text().replace("    mutation: 0.01\n",
                                                                "    mutation: 0.01\n    full_distribution: true\n")
    path = tmp_path / "crd.yaml"
    path.write_text(text)
    res = coop_cli("solve", str(path), "--format", "json")
    assert res.exit_code == 0, res.stderr
    finite = json.loads(res.stdout)["evolution"]["finite_population"]
    assert len(finite["stationary"]["states"]) == finite["stationary"]["num_states"] == 51
    assert sum(s["probability"] for s in finite["stationary"]["states"]) == pytest.approx(1.0, abs=1e-12)
    ach = finite["group_achievement"]
    assert (ach["strategy"], ach["at_least"], ach["group_size"]) == ("C", 3, 6)
    assert 0.0 <= ach["small_mutation"] <= 1.0 and 0.0 <= ach["with_mutation"] <= 1.0
    short = coop_cli("solve", "collective-risk", "--format", "json")
    assert len(json.loads(short.stdout)["evolution"]["finite_population"]["stationary"]["states"]) == 10


@pytest.mark.parametrize("entry, message", [
    ("{strategy: X, at_least: 3}", "unknown action 'X'"),
    ("{strategy: C, at_least: 7}", "at_least must be a whole number of players of the group from 1 to 6"),
    ("{strategy: C}", "missing the required key 'at_least'"),
])
def test_group_achievement_errors(tmp_path, entry, message):
    from coop.errors import InputError
    from coop.scenarios import load
    from coop.scenarios.library import resolve

    text = resolve("collective-risk").read_text().replace("{strategy: C, at_least: threshold}", entry)
    path = tmp_path / "crd.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load(path)
