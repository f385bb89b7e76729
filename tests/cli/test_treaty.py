"""The ``treaty`` section through the command line: JSON, text, figure, sweep, and one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import coop
from tests.cli.helpers import invoke, one_line

ROOT = Path(__file__).resolve().parents[2]

STAGE = """title: A treaty
players:
  - {name: North, actions: [abate, pollute]}
  - {name: South, actions: [abate, pollute]}
parameters:
  b: 1
  c: 2
  countries: 10
payoffs:
  formulas:
    North: "b*(North.abate + South.abate) - c*North.abate"
    South: "b*(North.abate + South.abate) - c*South.abate"
"""

LQ = """treaty:
  countries: countries
  second_stage:
    payoff: "b*Q - c*q**2/2"
"""


def scenario(tmp_path: Path, treaty: str, name: str = "t.yaml", head: str = STAGE) -> Path:
    path = tmp_path / name
    path.write_text(head + treaty)
    return path


def test_json_has_the_stable_size_and_the_closed_forms(tmp_path):
    res = invoke("solve", scenario(tmp_path, LQ), "--format", "json")
    assert res.exit_code == 0, res.stderr
    t = json.loads(res.stdout)["treaty"]
    assert t["stable_sizes"] == [3] and t["method"] == "closed form" and t["n"] == 10
    assert t["closed_form"]["internal"] == "-b**2*(k - 3)*(k - 1)/(2*c)"
    assert [row["k"] for row in t["sizes"]] == list(range(1, 11))
    row = t["sizes"][2]
    assert row["stable"] and row["member_payoff"] == pytest.approx(row["leave_payoff"])  # the tie at k = 3
    assert t["sizes"][-1]["non_member_payoff"] is None  # nobody is outside the grand coalition


def test_text_says_which_sizes_are_stable_and_why(tmp_path):
    res = invoke("solve", scenario(tmp_path, LQ))
    assert res.exit_code == 0, res.stderr
    text = " ".join(res.stdout.split())
    assert "Stable coalition size: 3 (of 10)." in text
    assert "Tie rule 'join': an indifferent member stays and an indifferent non-member joins" in text
    assert "At k = 3 a member gets 5.75 and would get 5.75 by leaving" in text
    assert "The least sanction on leaving that makes a treaty of 10 stable is 15.75" in text


def test_clauses_are_reported_with_and_without(tmp_path):
    treaty = LQ + "  minimum_participation: 6\n  sanction: {amount: 1, target: 8}\n"
    report = coop.analyse(str(scenario(tmp_path, treaty)))
    m = report.metrics()
    assert m["treaty.stable_sizes"] == "6" and m["treaty.stable_size"] == 6
    # k = 8 under the clause: a leaver gets pi_n(7) = 25.75, a member pi_m(8) = 17 -> 8.75 (b = 1, c = 2)
    assert m["treaty.least_sanction"] == pytest.approx(8.75)
    text = " ".join(report.text().split())
    assert "the stable sizes are 6; without: 3" in text


def test_competing_and_asymmetric_treaties_reach_the_report(tmp_path):
    forum = LQ.replace("countries: countries", "countries: 7") + "  competing: {name: rival}\n"
    m = coop.analyse(str(scenario(tmp_path, forum))).metrics()
    assert m["treaty.forum.stable"] == "(3, 3)" and m["treaty.forum.stable_count"] == 1
    asym = """treaty:
  countries: [US, China, EU]
  member: {US: "3*k - 4", China: "2*k - 1.5", EU: "k*k - 2"}
  non_member: {US: "2*k", China: "k + 0.5", EU: "k"}
"""
    report = coop.analyse(str(scenario(tmp_path, asym, "a.yaml")))
    doc = report.to_dict()["treaty"]
    assert doc["asymmetric"]["vectors_checked"] == 8 and doc["asymmetric"]["stable"]
    assert "membership vectors was checked" in " ".join(report.text().split())


def test_the_treaty_figure(tmp_path):
    out = tmp_path / "treaty.png"
    res = invoke("plot", scenario(tmp_path, LQ), "--kind", "treaty", "--size", "6x4", "--dpi", "50", "-o", out)
    assert res.exit_code == 0, res.stderr
    assert out.read_bytes().startswith(b"\x89PNG")
    from coop.plots import legend_texts
    from coop.sections.base import PlotOptions
    from coop.sections.report import draw_figure

    fig = draw_figure("treaty", str(scenario(tmp_path, LQ)), PlotOptions(size=(6, 4), dpi=50))
    assert "stable size: 3" in legend_texts(fig)


def test_sweep_over_the_number_of_countries(tmp_path):
    path = scenario(tmp_path, LQ)
    out = tmp_path / "sweep.csv"
    res = invoke("sweep", path, "-p", "countries=3:9:4", "--section", "treaty", "--workers", "1", "-o", out)
    assert res.exit_code == 0, res.stderr
    import pandas as pd

    table = pd.read_csv(out)
    assert list(table["countries"]) == [3, 5, 7, 9]
    assert list(table["treaty.stable_size"]) == [3, 3, 3, 3]


def test_the_documented_example_runs():
    doc = (ROOT / "docs" / "scenario-format.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    example = next(b for b in blocks if b.startswith("title: A climate treaty"))
    from coop.scenarios.loader import build_scenario
    from coop.scenarios.yaml_source import parse_yaml

    s = build_scenario(parse_yaml(example, source="doc.yaml"), "doc", "doc.yaml")
    report = coop.analyse(s)
    assert report.metrics()["treaty.stable_sizes"] == "3"


BAD = [
    ("treaty:\n  countries: 5\n", "treaty needs member and non_member"),
    ('treaty:\n  countries: 5\n  member: "k"\n  non_member: "k"\n  second_stage: {payoff: "q"}\n',
     "give either member and non_member"),
    ('treaty:\n  countries: 5\n  member: "k*bb"\n  non_member: "k"\n', "unknown name 'bb' (did you mean 'b'?)"),
    ('treaty:\n  countries: 5\n  member: "k"\n  non_member: "k"\n  tie_rule: joins\n', "unknown tie rule 'joins'"),
    ('treaty:\n  countries: 5\n  member: "k"\n  non_member: "k"\n  minimum_participation: 6\n',
     "minimum_participation must be a whole number of countries from 0 to 5, got 6"),
    ('treaty:\n  countries: 5\n  member: "k"\n  non_member: "k"\n  sanction: -1\n', "sanction must be >= 0"),
    ('treaty:\n  countries: 5\n  second_stage: {payoff: "b*Q"}\n', "does not depend on q"),
    ('treaty:\n  countries: 5\n  second_stage: {payoff: "b*Q + c*q**2/2"}\n', "second-order condition fails"),
    ('treaty:\n  countries: 5\n  member: {A: "k"}\n  non_member: "k"\n', "needs named countries"),
    ('treaty:\n  countries: 0\n  member: "k"\n  non_member: "k"\n', "countries must be a whole number"),
    ('treaty:\n  countries: 5\n  member: "c/(k - 2)"\n  non_member: "k"\n', "division by zero"),
    ('treaty:\n  countries: 5\n  second_stage: {payoff: "b*Q - c*q**2/2"}\n  competing: {member: "k"}\n',
     "has the first treaty's rules"),
    ('treaty:\n  countries: 5\n  member: "k"\n  non_member: "k"\n  colour: red\n', "unknown key 'colour'"),
    ("treaty:\n  countries: [" + ", ".join(f"c{i}" for i in range(13)) + "]\n  member: {"
     + ", ".join(f'c{i}: "k"' for i in range(13)) + "}\n  non_member: {"
     + ", ".join(f'c{i}: "k"' for i in range(13)) + "}\n", "at most 12 countries"),
    ('treaty:\n  countries: 5\n  second_stage: {payoff: "b*Q - c*q**2/2", abatement: discrete}\n',
     "unknown abatement 'discrete'"),
    ('treaty:\n  countries: 5\n  second_stage: {payoff: "min(q, Q) - q**2"}\n', "min has kinks"),
    ('treaty:\n  countries: 5\n  second_stage: {payoff: "b*Q - c*q**2/2"}\n  competing: {name: treaty}\n',
     "needs a name other than 'treaty'"),
    ('treaty:\n  countries: [US, US]\n  member: "k"\n  non_member: "k"\n', "country 'US' is listed twice"),
    ('treaty:\n  countries: 5\n  second_stage: {payoff: "b*Q - c*q", abatement: binary, timing: members_lead}\n',
     "need continuous abatement"),
    ('treaty:\n  countries: 5\n  second_stage: {payoff: "b*Q - c*q**2/2", timing: members_lead}\n  competing: {}\n',
     "not with a competing one"),
    ('treaty:\n  countries: 5\n  second_stage: {payoff: "b*Q - c*q**2/2", timing: first}\n', "unknown timing 'first'"),
    ('treaty:\n  countries: 4\n  member: [1, 2]\n  non_member: "k"\n', "must be a formula or a number, got a list"),
]


@pytest.mark.parametrize("treaty, message", BAD)
def test_bad_treaties_are_one_line_with_exit_status_2(tmp_path, treaty, message):
    res = invoke("solve", scenario(tmp_path, treaty))
    assert res.exit_code == 2, res.output
    line = one_line(res.stderr)
    assert message in line, line
    assert "t.yaml" in line


def test_a_parameter_named_like_the_treatys_size_is_refused(tmp_path):
    head = STAGE.replace("  countries: 10\n", "  countries: 10\n  k: 3\n")
    res = invoke("solve", scenario(tmp_path, 'treaty:\n  countries: 5\n  member: "k"\n  non_member: "k"\n',
                                   head=head))
    assert res.exit_code == 2
    assert "the parameter 'k' has the name of the treaty's k" in one_line(res.stderr)


def test_the_figure_needs_identical_countries(tmp_path):
    asym = 'treaty:\n  countries: [A, B]\n  member: {A: "k", B: "k"}\n  non_member: {A: "k", B: "k"}\n'
    res = invoke("plot", scenario(tmp_path, asym), "--kind", "treaty", "-o", tmp_path / "x.png")
    assert res.exit_code == 2
    assert "identical countries" in one_line(res.stderr)


def test_leading_members_reach_the_report(tmp_path):
    treaty = ('treaty:\n  countries: 8\n  second_stage:\n    payoff: "b*(50*Q - Q**2/2)/n - c*q**2/2"\n'
              "    timing: members_lead\n")
    res = invoke("solve", scenario(tmp_path, treaty), "--format", "json")
    assert res.exit_code == 0, res.stderr
    t = json.loads(res.stdout)["treaty"]
    assert t["payoffs"]["timing"] == "members_lead" and t["method"] == "closed form" and t["stable_sizes"]
    text = " ".join(invoke("solve", scenario(tmp_path, treaty)).stdout.split())
    assert "anticipating the non-members' best response (Barrett 1994)" in text
