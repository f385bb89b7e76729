"""The `sweep` section of a scenario file: parsed through the loader, errors with their line numbers."""

from __future__ import annotations

import json

import pytest

from coop.errors import InputError
from coop.scenarios import load
from coop.scenarios.library import resolve
from coop.scenarios.sweep_section import SweepSpec

GOOD = """
sweep:
  description: where restraint holds
  parameters:
    relative_gains: {start: 0, stop: 1, num: 5}
    patience: "0.5:0.9:3"
    safe_value: [3, 4, 5]
    lead_value: {start: 0.01, stop: 1, num: 3, spacing: log}
  thresholds: true
"""


def scenario_with(tmp_path, section: str, name: str = "s.yaml"):
    path = tmp_path / name
    base = resolve("ai-arms-race").read_text().split("\nsweep:")[0]  # the bundled file without its own sweep
    path.write_text(base.rstrip("\n") + "\n" + section.lstrip("\n"))
    return path


def line_of(path, marker: str) -> int:
    """The line of the first ``marker`` from the sweep section on."""
    lines = path.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("sweep:"))
    return next(i for i, line in enumerate(lines[first:], start=first + 1) if marker in line)


def test_good_section(tmp_path):
    s = load(scenario_with(tmp_path, GOOD))
    spec = s.sections["sweep"]
    assert isinstance(spec, SweepSpec)
    assert (spec.design, spec.points, spec.seed, spec.thresholds) == ("grid", None, None, True)
    assert spec.description == "where restraint holds"
    assert [r.name for r in spec.parameters] == ["relative_gains", "patience", "safe_value", "lead_value"]
    design = spec.to_design()
    assert design.shape == (5, 3, 3, 3) and design.size == 135
    pts = design.points()
    assert pts["relative_gains"].unique().tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert pts["patience"].unique().tolist() == [0.5, 0.7, 0.9]
    assert pts["lead_value"].unique().tolist() == pytest.approx([0.01, 0.1, 1.0])
    doc = s.to_dict()
    assert json.loads(json.dumps(doc, allow_nan=False))["sweep"] == spec.to_dict()
    assert spec.to_dict()["parameters"][2] == {"name": "safe_value", "values": [3.0, 4.0, 5.0]}
    # the scenario still rebuilds with new values (the section is parsed again)
    assert s.with_parameters({"relative_gains": 0.5}).sections["sweep"] == spec


def test_sampled_section_and_command_line_choices(tmp_path):
    s = load(scenario_with(tmp_path, """
sweep:
  parameters:
    relative_gains: "0:1"
    patience: {start: 0.5, stop: 0.99}
  design: sobol
  points: 32
  seed: 4
"""))
    spec = s.sections["sweep"]
    d = spec.to_design()
    assert (d.kind, d.size, d.seed) == ("sobol", 32, 4)
    assert d.points()["patience"].between(0.5, 0.99).all()
    # the command line replaces the ranges, the design, the number of points, the seed
    assert spec.to_design(points=8).size == 8
    assert spec.to_design(design="lhs").kind == "lhs"
    assert spec.to_design(seed=9).seed == 9
    assert spec.to_design(["relative_gains=0:1:3"], design="grid").size == 3
    assert spec.to_design(["patience=0.2,0.4"], design="random").names == ("patience",)
    # a scenario without a sweep: absent, and null in the JSON document
    plain = load(resolve("red-lines"))
    assert "sweep" not in plain.sections and plain.to_dict()["sweep"] is None


def test_defaults(tmp_path):
    spec = load(scenario_with(tmp_path, "sweep:\n  parameters:\n    relative_gains: [0, 0.5]\n")).sections["sweep"]
    assert spec == SweepSpec(spec.parameters)
    assert (spec.design, spec.points, spec.seed, spec.thresholds) == ("grid", None, None, False)
    assert spec.to_design(design="random").size == 256


# Each case: the section's text, the marker whose line the error names, a regex for the message.
ERRORS = [
    pytest.param("sweep:\n  parameters:\n    relative_gain: [0, 1]\n", "relative_gain:",
                 r"at sweep\.parameters\.relative_gain: cannot sweep unknown parameter 'relative_gain' \(did you mean "
                 r"'relative_gains'\?\); the scenario's parameters are 'safe_value'", id="unknown_parameter"),
    pytest.param("sweep:\n  parameters:\n    relative_gains: {start: 1, stop: 0, num: 5}\n", "relative_gains:",
                 r"the range of 'relative_gains' is reversed \(START 1 > STOP 0\); write relative_gains=0:1:5",
                 id="reversed"),
    pytest.param("sweep:\n  parameters:\n    relative_gains: {start: 0, stop: 0, num: 5}\n", "relative_gains:",
                 r"the range of 'relative_gains' is empty", id="empty"),
    pytest.param("sweep:\n  parameters:\n    relative_gains: {start: 0, stop: 1, num: 1}\n", "relative_gains:",
                 r"NUM of 'relative_gains' must be a whole number >= 2 \(both ends are included\), got 1",
                 id="num_below_2"),
    pytest.param("sweep:\n  parameters:\n    relative_gains: '0:1:1'\n", "relative_gains:",
                 r"at sweep\.parameters\.relative_gains: NUM of 'relative_gains' must be a whole number >= 2",
                 id="num_below_2_text"),
    pytest.param("sweep:\n  parameters:\n    patience: {start: 0, stop: 1, num: 5, spacing: log}\n", "patience:",
                 r"log spacing needs START and STOP > 0; 'patience' starts at 0", id="log_non_positive"),
    pytest.param("sweep:\n  parameters:\n    patience: {start: 0.1, stop: 1, num: 5, spacing: cubic}\n", "patience:",
                 r"unknown spacing 'cubic' of 'patience'; expected linear or log", id="spacing"),
    pytest.param("sweep:\n  parameters:\n    patience: {start: low, stop: 1, num: 5}\n", "patience:",
                 r"START of 'patience' must be a number, got 'low'", id="not_a_number"),
    pytest.param("sweep:\n  parameters:\n    patience: {start: [0], stop: 1, num: 5}\n", "patience:",
                 r"start of 'patience' must be a number, got a list", id="not_a_scalar"),
    pytest.param("sweep:\n  parameters:\n    patience: [0.5, x]\n", "patience:",
                 r"a value of 'patience' must be a number, got 'x'", id="list_not_a_number"),
    pytest.param("sweep:\n  parameters:\n    patience: []\n", "patience:",
                 r"the list of values of 'patience' is empty", id="empty_list"),
    pytest.param("sweep:\n  parameters:\n    patience: {start: 0, num: 5}\n", "patience:",
                 r"the range of 'patience' is missing the required key 'stop'", id="missing_stop"),
    pytest.param("sweep:\n  parameters:\n    patience: {start: 0, stop: 1, nums: 5}\n", "patience:",
                 r"unknown key 'nums' in the range of 'patience' \(did you mean 'num'\?\)", id="range_key"),
    pytest.param("sweep:\n  parameters:\n    patience: {start: 0, stop: 1}\n", "patience:",
                 r"'patience' has bounds only, which suit a sampled design; a grid needs num", id="bounds_in_grid"),
    pytest.param("sweep:\n  parameters:\n    patience: true\n", "patience:",
                 r"the range of 'patience' must be \{start, stop, num\}, a list or 'START:STOP:NUM'", id="bool_range"),
    pytest.param("sweep:\n  parameters: [patience]\n", "parameters:",
                 r"sweep parameters must be a mapping of parameter name: range", id="parameters_not_map"),
    pytest.param("sweep:\n  design: grid\n", "sweep:",
                 r"the sweep section is missing the required key 'parameters'", id="no_parameters"),
    pytest.param("sweep:\n  parameters:\n    patience: [0.5]\n  design: sobel\n", "design:",
                 r"unknown design 'sobel' \(did you mean 'sobol'\?\)", id="design"),
    pytest.param("sweep:\n  parameters:\n    patience: [0.5]\n  points: 10\n", "points:",
                 r"points applies to sampled designs \(random, sobol, lhs\)", id="points_with_grid"),
    pytest.param("sweep:\n  parameters:\n    patience: '0:1'\n  design: lhs\n  points: 0\n", "points:",
                 r"points must be a whole number >= 1, got the number 0", id="points_zero"),
    pytest.param("sweep:\n  parameters:\n    patience: '0:1'\n  design: lhs\n  seed: 1.5\n", "seed:",
                 r"seed must be a whole number >= 0, got the number 1.5", id="seed"),
    pytest.param("sweep:\n  parameters:\n    patience: [0.5]\n  thresholds: maybe\n", "thresholds:",
                 r"thresholds must be true or false", id="thresholds_flag"),
    pytest.param("sweep:\n  parameters:\n    patience: [0.5]\n  desing: grid\n", "desing:",
                 r"unknown key 'desing' in the sweep section \(did you mean 'design'\?\)", id="unknown_key"),
    pytest.param("sweep:\n  parameters:\n    patience: '0:1:1001'\n    relative_gains: '0:1:1001'\n", "sweep:",
                 r"a grid of 1,002,001 points \(1001 x 1001\) is over the limit of 1,000,000", id="cap"),
    pytest.param("sweep:\n  parameters:\n    patience: [0.5]\n    patience: [0.6]\n", "patience: [0.6]",
                 r"duplicate key 'patience'", id="duplicate_parameter"),
]


@pytest.mark.parametrize("section, marker, message", ERRORS)
def test_errors_name_the_line(tmp_path, section, marker, message):
    path = scenario_with(tmp_path, section)
    with pytest.raises(InputError, match=message) as info:
        load(path)
    err = info.value
    assert err.source == str(path)
    assert err.line == line_of(path, marker), str(err)
    assert "\n" not in str(err)
