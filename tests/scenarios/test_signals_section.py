"""`repeated.signals`: a public signal written as formulas, strategies on it, what `coop solve` reports, and the
errors (one line, its line number, exit status 2).

Green and Porter's bad signal in the prisoner's dilemma (T, R, P, S) = (5, 3, 1, 0), probability p when both
cooperate and q otherwise: grim trigger on it is a perfect public equilibrium from
d* = (T - R) / ((T - P)(1 - p) - (R - P)(1 - q)) (derived in tests/solvers/repeated/test_public_signals.py):
5/6 at p = 0.1, q = 0.4.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from coop.errors import InputError
from coop.scenarios import load
from coop.scenarios.library import resolve
from coop.solvers.repeated.profile_analysis import analyse_profile

GREEN_PORTER = """\
title: Restraint watched through a noisy public signal
players:
  - {name: US, actions: [restrain, race]}
  - {name: China, actions: [restrain, race]}
parameters:
  p: 0.1
  q: 0.4
payoffs:
  table:
    - {profile: [restrain, restrain], payoffs: [3, 3]}
    - {profile: [restrain, race], payoffs: [0, 5]}
    - {profile: [race, restrain], payoffs: [5, 0]}
    - {profile: [race, race], payoffs: [1, 1]}
repeated:
  delta: 0.9
  cooperate: {US: restrain, China: restrain}
  defect: {US: race, China: race}
  signals:
    good: rest
    bad: "p + (q - p) * (1 - US.restrain * China.restrain)"
  punish_on: [bad]
  automata:
    trigger:
      states: [cooperate, punish]
      play: {cooperate: cooperate, punish: defect}
      transitions: {cooperate: [{when: {signal: bad}, to: punish}]}
  strategies:
    - trigger
    - grim_trigger
    - tit_for_tat
"""


def write(tmp_path, text, name="gp.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_green_porter_in_the_report(tmp_path, coop_cli):
    path = write(tmp_path, GREEN_PORTER)
    res = coop_cli("solve", path, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)["repeated"]
    p, q, d = 0.1, 0.4, 0.9
    V = ((1 - d) * 3 + d * p * 1) / (1 - d * (1 - p))
    for name in ("trigger", "grim_trigger"):
        prof = next(x for x in doc["profiles"] if x["name"] == name)
        assert prof["critical_delta_overall"] == pytest.approx(2 / ((5 - 1) * (1 - p) - (3 - 1) * (1 - q)), abs=1e-9)
        assert prof["subgame_perfect"] and prof["spe_monitoring"] == "public signals"
        assert prof["payoffs"]["US"] == pytest.approx(V, abs=1e-12)
    sig = doc["signals"]
    assert sig["names"] == ["good", "bad"] and sig["punish_on"] == ["bad"] and doc["monitoring"] == "public"
    assert sig["at"][0]["case"] == "cooperation" and sig["at"][0]["probabilities"] == pytest.approx(
        {"good": 0.9, "bad": 0.1})
    assert sig["given_realised_profile"][3]["probabilities"] == pytest.approx({"good": 0.6, "bad": 0.4})
    text = " ".join(coop_cli("solve", path).output.split())
    assert "public signal: good, bad" in text and "perfect public equilibrium" in text
    assert "cooperation (restrain, restrain): good 0.9, bad 0.1" in text


def test_counts_and_all_signals_given(tmp_path):
    text = GREEN_PORTER.replace('    good: rest\n    bad: "p + (q - p) * (1 - US.restrain * China.restrain)"\n',
                                '    good: "1 - p - (q - p) * min(n_race, 1)"\n'
                                '    bad: "p + (q - p) * min(n_race, 1)"\n')
    game = load(write(tmp_path, text)).repeated.game
    np.testing.assert_allclose(game.signals.table[:, 1], [0.1, 0.4, 0.4, 0.4], atol=1e-15)


def _report_as_signals(text: str) -> str:
    """ai-treaty's public report written as a general signal: one signal per reported profile."""
    players = ("US", "China", "EU")
    lines = ["  signals:"]
    names = []
    for report in itertools.product(("comply", "violate"), repeat=3):
        name = "r_" + "_".join(report)
        names.append(name)
        factors = [f"({p}.comply * (1 - false_alarm) + {p}.violate * (1 - detection))" if r == "comply"
                   else f"({p}.comply * false_alarm + {p}.violate * detection)" for p, r in zip(players, report,
                                                                                                 strict=True)]
        lines.append(f"    {name}: \"{' * '.join(factors)}\"")
    lines.append(f"  punish_on: [{', '.join(names[1:])}]")
    out = text.replace("  detection: detection\n  false_alarm: false_alarm\n  monitoring: public\n",
                       "\n".join(lines) + "\n")
    assert out != text
    return out


@pytest.mark.parametrize("overrides", [{}, {"detection": 0.5, "false_alarm": 0.1}, {"patience": 0.9}])
def test_ai_treaty_report_written_as_signals_gives_the_same_answers(tmp_path, overrides):
    original = resolve("ai-treaty").read_text()
    report = load(resolve("ai-treaty"), overrides).repeated
    signals = load(write(tmp_path, _report_as_signals(original), "treaty.yaml"), overrides).repeated
    assert signals.game.signals is not None and report.game.signals is None
    for a, b in zip(report.profiles, signals.profiles, strict=True):
        ra, rb = analyse_profile(report.game, a.name, a.automata), analyse_profile(signals.game, b.name, b.automata)
        assert ra.subgame_perfect == rb.subgame_perfect and ra.nash == rb.nash
        nan = [np.nan if x is None else x for x in ra.critical_delta]
        np.testing.assert_allclose(nan, [np.nan if x is None else x for x in rb.critical_delta], atol=1e-9)
        np.testing.assert_allclose(ra.payoffs, rb.payoffs, atol=1e-12)
        np.testing.assert_allclose(ra.max_gain, rb.max_gain, atol=1e-10)


GP = GREEN_PORTER


@pytest.mark.parametrize(
    "old, new, message, marker",
    [
        ('bad: "p + (q', 'bad: "p + 4 * (q', r"probability of signal 'bad' is 1.3 at the profile "
         r"US:restrain,China:race; expected a number in \[0, 1\]", "bad:"),
        ("    good: rest\n", '    good: "1 - p"\n', r"sum to 1.3 at the profile US:restrain,China:race, expected 1",
         "signals:"),
        ("    good: rest\n", "    good: rest\n    other: rest\n", "only one signal may be 'rest'", "other: rest"),
        ("    good: rest\n", "    good: rest\n    fine: 0.7\n", "the signals other than 'good' have probability 1.1 "
         "at the profile US:restrain,China:race, more than 1", "good: rest"),
        ("{signal: bad}", "{signal: bda}", r"unknown signal 'bda' \(did you mean 'bad'", "signal: bda"),
        ("{signal: bad}", "{US: race}", r"reads the public signal.*\('US'\) are not observed", "when: {US: race}"),
        ("  punish_on: [bad]\n", "", r"grim_trigger reacts to defections.*punish_on", "- grim_trigger"),
        ("  punish_on: [bad]\n", "  punish_on: [bda]\n", r"unknown signal 'bda'.*did you mean 'bad'", "[bda]"),
        ("  punish_on: [bad]\n", "  punish_on: [bad]\n  detection: 0.9\n", "signals replace the inspector's report: "
         "leave out detection", "detection: 0.9"),
        ("  punish_on: [bad]\n", "  punish_on: [bad]\n  false_alarm: 0.1\n", "leave out false_alarm",
         "false_alarm: 0.1"),
        ("  punish_on: [bad]\n", "  punish_on: [bad]\n  monitoring: private\n", "signals are public",
         "monitoring: private"),
        ("  punish_on: [bad]\n", "  punish_on: [bad]\n  tournament: {}\n", "tournament .* cannot be combined",
         "tournament:"),
        ('bad: "p + (q', 'bad: "pp + (q', r"unknown parameter 'pp'.*write 'rest'", "bad:"),
        ('bad: "p + (q', 'bad: "p * US.rase + (q', r"unknown indicator 'US.rase'", "bad:"),
    ],
)
def test_errors_name_the_line(tmp_path, old, new, message, marker, coop_cli):
    assert old in GP
    text = GP.replace(old, new)
    line = 1 + next(k for k, row in enumerate(text.splitlines()) if marker in row)
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=message) as info:
        load(path)
    assert info.value.line == line
    res = coop_cli("solve", str(path))
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1 and re.search(message, res.output)


def test_default_strategies_and_signal_conditions_without_signals(tmp_path):
    no_strategies = GP[:GP.index("  strategies:")]
    no_punish = no_strategies.replace("  punish_on: [bad]\n", "")
    with pytest.raises(InputError, match=r"the defaults \(grim_trigger.*punish_on"):
        load(write(tmp_path, no_punish))
    assert len(load(write(tmp_path, no_strategies, "ok.yaml")).repeated.profiles) == 3
    without = GP.replace(GP[GP.index("  signals:"):GP.index("  automata:")], "").replace("    - tit_for_tat\n", "")
    with pytest.raises(InputError, match="on the public signal needs repeated.signals"):
        load(write(tmp_path, without, "nosig.yaml"))
    stray = GP.replace(GP[GP.index("  signals:"):GP.index("  punish_on:")], "")
    with pytest.raises(InputError, match="punish_on names signals of repeated.signals"):
        load(write(tmp_path, stray, "stray.yaml"))


def test_the_documented_signals_example_gives_the_documented_numbers(tmp_path):
    """docs/scenario-format.md's `signals` example, with this file's players and payoffs: delta* = 5/6 and
    cooperation worth 2.053 at delta = 0.9, as the text there says."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", doc, flags=re.S) if "signals:" in b)
    head = GREEN_PORTER[:GREEN_PORTER.index("repeated:")]
    spec = load(write(tmp_path, head + block, "doc.yaml")).repeated
    assert [p.name for p in spec.profiles] == ["trigger", "grim_trigger"]
    for p in spec.profiles:
        a = analyse_profile(spec.game, p.name, p.automata)
        assert a.critical_delta_overall == pytest.approx(5 / 6, abs=1e-9)
        assert round(float(a.payoffs[0]), 3) == 2.053
