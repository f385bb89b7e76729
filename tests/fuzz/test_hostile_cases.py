"""Every hostile input of issue 15 gets one clear line and exit status 2, or a correct, complete answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fuzz.cases import CASES, Case
from tests.fuzz.contract import check_outcome, error_line, run


def _file(case: Case, folder: Path) -> str:
    if not case.text and case.write is None:
        return ""
    path = folder / case.name
    if case.write is not None:
        case.write(path)
    else:
        path.write_text(case.text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    path = _file(case, tmp_path)
    args = [*case.args, path] if path else list(case.args)
    result = run(*args, *case.extra)
    fmt = "json" if "json" in case.extra else "text"
    outcome = check_outcome(result, fmt)
    assert outcome == case.expect, (result.stdout[-1500:], result.stderr[-1500:])
    if outcome == "refused":
        line = error_line(result)
        for word in case.says:
            assert word in line, line


def test_one_large_payoff_gives_the_only_equilibrium(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == "one_large_payoff")
    doc = json.loads(run("solve", _file(case, tmp_path), "--format", "json").stdout)
    assert [(e["strategies"]["Row"]["b"], e["strategies"]["Col"]["c"]) for e in doc["equilibria"]] == [(1.0, 1.0)]


def test_a_leading_zero_is_a_decimal_number(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == "leading_zero_is_decimal")
    text = run("export", _file(case, tmp_path)).stdout
    assert "10" in text.split("}")[-1].split() and "8" not in text.split("}")[-1].split()
