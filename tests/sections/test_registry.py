"""The section registry: a section is one parser and one analysis, and nothing else needs an edit."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

import coop
from coop.cli import cli
from coop.scenarios import bundled_scenarios
from coop.scenarios.schema import check_keys
from coop.scenarios.sections import SectionContext, SectionParser, register_parser, section_parsers, unregister_parser
from coop.scenarios.yaml_source import YNode
from coop.sections.base import Analysis, Metric, SectionResult, SolveOptions
from coop.sections.registry import analyses, register_analysis, unregister_analysis

DOCS = Path(__file__).resolve().parents[2] / "docs"

TOY_SCENARIO = """
title: Toy
players:
  - {name: A, actions: [x, y]}
  - {name: B, actions: [x, y]}
parameters:
  bonus: 2
payoffs:
  arrays:
    A: [[1, 0], [0, 1]]
    B: [[1, 0], [0, 1]]
toy:
  greeting: hello
  weight: bonus * 3
"""


# ------------------------------------------------------------------------------ a toy section, in this file only
@dataclass(frozen=True)
class ToySpec:
    greeting: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return {"greeting": self.greeting, "weight": self.weight}


def parse_toy(node: YNode, context: SectionContext) -> ToySpec:
    from coop.scenarios.schema import KeySpec

    check_keys(node, {"greeting": KeySpec("a word", required=True), "weight": KeySpec("a number")}, "toy")
    weight = context.scalar(node["weight"], "weight") if "weight" in node else 1.0
    return ToySpec(node["greeting"].text, weight)


@dataclass(frozen=True)
class ToyResult:
    greeting: str
    weight: float
    equilibria: int

    def to_dict(self) -> dict[str, Any]:
        return {"message": f"{self.greeting} x {self.weight:g}", "equilibria_seen": self.equilibria}

    def text(self) -> list[str]:
        return [f"Toy section: {self.greeting}, weight {self.weight:g}, after {self.equilibria} equilibria"]

    def metrics(self) -> dict[str, Metric]:
        return {"weight": self.weight, "greeting": self.greeting}


class ToyAnalysis(Analysis):
    name: ClassVar[str] = "toy"
    title: ClassVar[str] = "toy"
    json_path: ClassVar[tuple[str, ...]] = ("toy",)
    requires: ClassVar[tuple[str, ...]] = ("stage",)

    def applies(self, loaded: Any) -> bool:
        return loaded.scenario is not None and "toy" in loaded.scenario.sections

    def run(self, loaded: Any, options: SolveOptions, earlier: Mapping[str, SectionResult]) -> ToyResult:
        spec = loaded.scenario.sections["toy"]
        stage: Any = earlier["stage"]
        return ToyResult(spec.greeting, spec.weight, len(stage.solution.equilibria))


@pytest.fixture
def toy_section():
    register_parser(SectionParser("toy", "a toy section for the registry test", parse_toy))
    register_analysis(ToyAnalysis())
    yield
    unregister_parser("toy")
    unregister_analysis("toy")


def test_a_toy_section_reaches_json_text_metrics_and_the_python_api(tmp_path, toy_section):
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_SCENARIO)
    runner = CliRunner()
    res = runner.invoke(cli, ["solve", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["toy"] == {"message": "hello x 6", "equilibria_seen": 3}
    assert doc["scenario"]["toy"] == {"greeting": "hello", "weight": 6.0}
    text = runner.invoke(cli, ["solve", str(path), "--set", "bonus=1"])
    assert text.exit_code == 0
    assert "Toy section: hello, weight 3, after 3 equilibria" in text.stdout
    report = coop.analyse(str(path), bonus=5)
    assert report.metrics()["toy.weight"] == 15.0 and report.metrics()["toy.greeting"] == "hello"
    bad = tmp_path / "bad.yaml"
    bad.write_text(TOY_SCENARIO.replace("greeting: hello", "greting: hello"))
    res = runner.invoke(cli, ["validate", str(bad)])
    assert res.exit_code == 2 and "unknown key 'greting' in toy" in res.stderr


def test_without_the_registration_the_toy_key_is_unknown(tmp_path):
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_SCENARIO)
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 2 and "unknown key 'toy' in the scenario" in res.stderr


# ------------------------------------------------------------------------------ the registries themselves
def test_every_registered_section_is_documented():
    text = (DOCS / "scenario-format.md").read_text()
    headings = set(re.findall(r"^### `([a-z_]+)`", text, flags=re.M))
    missing = [p.key for p in section_parsers() if p.key not in headings]
    assert not missing, f"docs/scenario-format.md has no '### `KEY`' section for {missing}"


def test_every_analysis_has_a_documented_json_place():
    text = (DOCS / "json-output.md").read_text()
    for a in analyses():
        if a.json_path:
            assert f"`{a.json_path[-1]}`" in text, f"docs/json-output.md does not mention {a.json_path}"


def test_analysis_names_and_figure_kinds_are_unique():
    names = [a.name for a in analyses()]
    assert len(names) == len(set(names))
    kinds = [k for a in analyses() for k in a.figures]
    assert len(kinds) == len(set(kinds))


@pytest.mark.parametrize("name", [s.name for s in bundled_scenarios()])
def test_analyse_reaches_every_section_of_every_bundled_scenario(name):
    report = coop.analyse(name)
    scenario = report.scenario
    assert scenario is not None
    expected = {"stage"}
    if scenario.repeated is not None:
        expected |= {"repeated", "payoff_sets"}
        if scenario.repeated.tournament is not None:
            expected.add("tournament")
    if scenario.institutions:
        expected.add("institutions")
    if scenario.evolution is not None:
        expected.add("dynamics")
        if scenario.evolution.finite is not None:
            expected.add("finite_population")
    if scenario.sections.get("treaty") is not None:
        expected.add("treaty")
    if scenario.sections.get("quantal_response") is not None:
        expected.add("quantal_response")
    if scenario.group is not None:
        expected.add("group_game")
    assert set(report.sections) == expected
    assert set(scenario.sections) <= {"repeated", "institutions", "evolution", "sweep", "treaty", "quantal_response"}
    doc = report.to_dict()
    json.dumps(doc, allow_nan=False)
    for result in report.sections.values():
        assert result.text(), "every section prints something"
    for key, value in report.metrics().items():
        assert value is None or isinstance(value, (bool, int, float, str)), key
        assert not (isinstance(value, float) and value != value), f"{key} is NaN; missing values are None"
