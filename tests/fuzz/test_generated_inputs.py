"""Generated hostile inputs (hypothesis): scenario documents with one value replaced, formulas from a hostile
alphabet, and .nfg text with bytes changed. Each must give a verified answer or one line and exit status 2."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.contract import check_outcome, run

#: A small scenario touching most sections that stay fast: parameters, formulas, framing, red lines, repeated.
BASE = {
    "title": "fuzz",
    "players": [{"name": "US", "actions": ["restrain", "race"]}, {"name": "China", "actions": ["restrain", "race"]}],
    "parameters": {"gain": {"value": 3}, "w": {"value": 0.2}, "patience": {"value": 0.9}},
    "payoffs": {"table": [
        {"profile": {"US": "restrain", "China": "restrain"}, "payoffs": {"US": 4, "China": 4}},
        {"profile": {"US": "restrain", "China": "race"}, "payoffs": {"US": 0, "China": "gain"}},
        {"profile": {"US": "race", "China": "restrain"}, "payoffs": {"US": "gain", "China": 0}},
        {"profile": {"US": "race", "China": "race"}, "payoffs": {"US": 2, "China": 2}},
    ]},
    "framing": {"relative_gains": "w"},
    "red_lines": [{"name": "no race", "player": "US", "action": "race"}],
    "repeated": {"delta": "patience", "cooperate": {"US": "restrain", "China": "restrain"},
                 "defect": {"US": "race", "China": "race"},
                 "strategies": ["grim_trigger", {"all": "k_period_punishment", "k": 2}]},
}

HOSTILE_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e308, -1e308, 5e-324, 10**30, 2**63, "1e999", "nan", "-inf", "", " ", "∞", "²",
                     "gain ** gain ** gain", "(" * 200, "US.race", "self.race", "__import__('os')", "\x00", None,
                     True, [], {}, [1, 2, 3], {"a": 1}, "restrain", "race", "US", "China"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=12),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for k, value in enumerate(node):
            out += _paths(value, (*prefix, k))
    return out


def _replace(node: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    import copy

    doc = copy.deepcopy(node)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def _solve_text(text: str, suffix: str, *extra: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        outcome = check_outcome(run("validate", path))
        if outcome == "ok":
            outcome = check_outcome(run("solve", path, "--format", "json", *extra), "json")
        return outcome


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_paths(BASE)), HOSTILE_VALUES, st.booleans())
def test_scenario_with_one_value_replaced(path: tuple[Any, ...], value: Any, delete: bool) -> None:
    doc = _replace(BASE, path, value, delete)
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return
    _solve_text(text, ".yaml")


FORMULA_ALPHABET = st.sampled_from(list("0123456789.+-*/()^ e,") + ["**", "gain", "w", "US.race", "China.restrain",
                                                                   "min(", "max(", "exp(", "log(", "sqrt(", "abs(",
                                                                   "step(", "²", "√", "×", "\u00a0", "1e308", "_"])


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FORMULA_ALPHABET, min_size=1, max_size=25).map("".join))
def test_formula_from_a_hostile_alphabet(formula: str) -> None:
    doc = _replace(BASE, ("payoffs", "table", 1, "payoffs", "China"), formula, False)
    _solve_text(yaml.safe_dump(doc, allow_unicode=True), ".yaml")


VALID_NFG = 'NFG 1 R "fuzz" { "US" "China" } { 2 2 }\n4 4 3 0 0 3 2 2\n'


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(VALID_NFG) - 1), st.integers(0, 4),
       st.lists(st.sampled_from(list('0123456789 -.e"{}\n') + ["1e308", "nan", "inf", "é"]), max_size=6).map("".join))
def test_nfg_text_with_bytes_changed(at: int, cut: int, insert: str) -> None:
    _solve_text(VALID_NFG[:at] + insert + VALID_NFG[at + cut:], ".nfg")


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["--tol", "--set"]), st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                                                       st.sampled_from(["", "x", "1e999", "-0", "0x10", "1_000"])))
def test_numeric_options(option: str, value: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(BASE), encoding="utf-8")
        arg = f"gain={value}" if option == "--set" else value
        result = run("solve", path, option, arg)
        assert result.exit_code in (0, 2), (result.exit_code, result.stderr, repr(result.exception))
        assert "Traceback" not in result.stderr
        if option == "--tol" and result.exit_code == 0:
            number = float(value)
            assert math.isfinite(number) and 1e-14 <= number <= 0.1
