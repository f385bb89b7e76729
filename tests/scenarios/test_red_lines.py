"""Red lines for one player, for a group and for an outcome: parsing, errors, and the crossing probability."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coop.errors import InputError
from coop.scenarios import load

ARMS_RACE = """title: arms race
players:
  - name: US
    actions: [restrain, race]
  - name: China
    actions: [restrain, race]
payoffs:
  arrays:
    US: [[4, 0], [3, 2]]
    China: [[4, 3], [0, 2]]
red_lines:
{lines}
"""

TREATY = """title: treaty
players:
  - name: US
    actions: [join, abstain]
  - name: China
    actions: [join, abstain]
  - name: EU
    actions: [join, abstain]
parameters:
  quorum: {{value: 2}}
payoffs:
  formulas:
    all: "3 * step(n_join - quorum) - self.join"
red_lines:
{lines}
"""


def _load(tmp_path, template, lines):
    path = tmp_path / "s.yaml"
    path.write_text(template.format(lines=lines))
    return load(str(path))


def _brute_force(mask, strategies):
    total = 0.0
    for prof in itertools.product(*[range(len(s)) for s in strategies]):
        if mask[prof]:
            total += float(np.prod([s[k] for s, k in zip(strategies, prof, strict=True)]))
    return total


def test_a_group_red_line_is_crossed_when_any_member_plays_the_action(tmp_path):
    s = _load(tmp_path, ARMS_RACE, "  - {name: no race, player: [US, China], action: race}\n"
                                   "  - {name: nobody races, player: all, action: race}")
    group, everyone = s.red_lines
    assert group.players == ("US", "China") and group.player == "US, China" and everyone.player == "all"
    np.testing.assert_array_equal(group.mask, [[False, True], [True, True]])
    mixed = [np.array([2 / 3, 1 / 3]), np.array([2 / 3, 1 / 3])]
    assert group.probability(mixed) == pytest.approx(1 - (2 / 3) ** 2)  # at least one of them races


def test_a_one_player_red_line_is_the_probability_of_its_action(tmp_path):
    s = _load(tmp_path, ARMS_RACE, "  - {name: US races, player: US, action: race}")
    (line,) = s.red_lines
    assert line.probability([np.array([0.25, 0.75]), np.array([0.5, 0.5])]) == pytest.approx(0.75)


@pytest.mark.parametrize(
    "condition, expected",
    [
        ("n_abstain >= 2", lambda p: sum(p) >= 2),
        ("n_abstain < 2", lambda p: sum(p) < 2),
        ("n_join == quorum", lambda p: 3 - sum(p) == 2),
        ("US.abstain + China.abstain >= 1 and EU.join == 1", lambda p: (p[0] or p[1]) and not p[2]),
        ("n_abstain == 3 or US.abstain == 1 and n_join >= 2", lambda p: sum(p) == 3 or (p[0] and sum(p) <= 1)),
        ("n_join != 1", lambda p: 3 - sum(p) != 1),
        ("n_abstain > 0.5 * quorum", lambda p: sum(p) > 1),
        ("n_abstain <= 0", lambda p: sum(p) == 0),
    ],
)
def test_outcome_conditions_against_brute_force(tmp_path, condition, expected):
    s = _load(tmp_path, TREATY, f'  - {{name: r, when: "{condition}"}}')
    (line,) = s.red_lines
    assert line.condition == condition and line.players == ("US", "China", "EU")
    for prof in itertools.product(range(2), repeat=3):  # 1 = abstain
        assert bool(line.mask[prof]) == bool(expected(prof)), prof
    rng = np.random.default_rng(0)
    for _ in range(5):
        strategies = [rng.dirichlet([1, 1]) for _ in range(3)]
        assert line.probability(strategies) == pytest.approx(_brute_force(line.mask, strategies))


def test_an_outcome_red_line_is_flagged_on_equilibria_in_text_and_json(coop_cli, coop_json, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(TREATY.format(lines='  - {name: treaty fails, when: "n_join < quorum"}'))
    doc = coop_json("solve", str(path), "--format", "json")
    assert doc["red_lines"][0]["condition"] == "n_join < quorum" and doc["red_lines"][0]["player"] is None
    crossings = [e["red_lines"] for e in doc["equilibria"]]
    for eq, crossed in zip(doc["equilibria"], crossings, strict=True):
        joined = sum(eq["strategies"][p]["join"] for p in ("US", "China", "EU"))
        if eq["pure"]:
            assert (crossed != []) == (joined < 2)
    assert any(c for c in crossings) and any(not c for c in crossings)
    text = coop_cli("solve", str(path)).stdout
    assert "treaty fails" in text


@pytest.mark.parametrize(
    "lines, words",
    [
        ('  - {name: r, when: "n_abstain >= 2", player: US, action: join}', "either 'when'"),
        ('  - {name: r, when: "n_nobody >= 2"}', "unknown name 'n_nobody'"),
        ('  - {name: r, when: "1 < n_join < 3"}', "chains comparisons"),
        ('  - {name: r, when: "n_join"}', "compares nothing"),
        ('  - {name: r, when: "n_join >= "}', "nothing on one side"),
        ('  - {name: r, when: ""}', "empty"),
        ("  - {name: r, player: [US, Russia], action: join}", "unknown player 'Russia'"),
        ("  - {name: r, player: [US, US], action: join}", "listed twice"),
        ("  - {name: r, player: [], action: join}", "empty"),
        ("  - {name: r, player: all, action: defect}", "no action 'defect'"),
        ("  - {name: r, player: US}", "'action' is missing"),
    ],
)
def test_bad_red_lines_are_one_line_at_their_place(tmp_path, lines, words):
    with pytest.raises(InputError) as err:
        _load(tmp_path, TREATY, lines)
    assert words in str(err.value) and "line " in str(err.value)


def test_a_sweep_flags_group_red_lines_as_coop_solve_does(tmp_path):
    import coop

    path = tmp_path / "s.yaml"
    path.write_text(ARMS_RACE.replace("US: [[4, 0], [3, 2]]", "US: [[4, 0], [t, 2]]")
                    .replace("China: [[4, 3], [0, 2]]", "China: [[4, t], [0, 2]]")
                    .replace("payoffs:", "parameters:\n  t: {{value: 3}}\npayoffs:", 1)
                    .format(lines="  - {name: anyone races, player: all, action: race}"))
    table = coop.sweep(str(path), ["t=2:5:7"], sections=["stage"], workers=1)
    for t, crossed in zip(table["t"], table["stage.red_lines_crossed_in_every"], strict=True):
        report = coop.analyse(str(path), t=float(t))
        every = all(eq["red_lines"] for eq in report.to_dict()["equilibria"])
        assert bool(crossed) == every, t
