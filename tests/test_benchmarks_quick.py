"""Smoke test of the benchmark harness: a tiny run agrees with the references and writes the JSON rows."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("coop_benchmarks_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_lemke_howson_rows_agree(bench, tmp_path):
    out = tmp_path / "rows.json"
    status = bench.main(["--quick", "--only", "lemke_howson", "--seeds", "1", "--repeats", "1", "--json", str(out)])
    rows = json.loads(out.read_text())
    assert status == 0
    assert {r["reference"] for r in rows} == {"quantecon lemke_howson", "pygambit lcp_solve(rational=False)"}
    for r in rows:
        assert r["agree"] is True
        assert r["coop_seconds"] > 0 and r["reference_seconds"] > 0
        assert r["ratio"] == pytest.approx(r["reference_seconds"] / r["coop_seconds"])


def test_disagreement_is_detected(bench):
    import numpy as np

    a = [np.array([0.5, 0.5, 1.0, 0.0])]
    assert bench.same_set(a, [np.array([0.5, 0.5, 1.0, 0.0]) + 1e-9])
    assert not bench.same_set(a, [np.array([0.5, 0.5, 0.0, 1.0])])
    assert not bench.same_set(a, a + a)
    assert bench.missing(a, [np.array([1.0, 0.0, 1.0, 0.0])]) == 1


def test_every_workload_of_the_issue_is_registered(bench):
    assert {"pure_nash", "all_equilibria_2p", "lemke_howson", "all_equilibria_3p", "replicator_dynamics",
            "fixation_probabilities", "stationary_distribution", "tournament", "repeated_game_payoffs",
            "cli", "sweep"} == set(bench.WORKLOADS)
