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
            "cli", "sweep", "logit_qre", "one_equilibrium_n_player"} == set(bench.WORKLOADS)


# ----------------------------------------------------------------------------- history and the speed gate
def _row(workload: str, ratio: float | None, reference: str = "lib solve", size: str = "3x3",
         coop: float = 1e-3, agree: bool = True) -> dict:
    return {"workload": workload, "size": size, "reference": reference, "coop_seconds": coop,
            "reference_seconds": None if ratio is None else coop * ratio, "ratio": ratio, "agree": agree}


@pytest.fixture(scope="module")
def history(bench):
    return sys.modules["history"]  # run.py imported it from benchmarks/


def test_a_halved_ratio_fails_and_names_the_row(history):
    baseline = [_row("pure_nash", 300.0), _row("lemke", 10.0)]
    run = [_row("pure_nash", 140.0, coop=2.1e-3), _row("lemke", 9.0)]
    c = history.compare(run, baseline)
    assert c.failed
    assert [key for key, _, _ in c.regressions] == ["pure_nash | 3x3 | lib solve"]
    assert c.compared == ["pure_nash | 3x3 | lib solve", "lemke | 3x3 | lib solve"]
    text = history.format_comparison(c)
    assert "REGRESSION: pure_nash | 3x3 | lib solve: ratio 140x, baseline 300x" in text


def test_a_ratio_within_half_passes(history):
    baseline = [_row("pure_nash", 300.0)]
    assert not history.compare([_row("pure_nash", 151.0, coop=2e-3)], baseline).failed
    assert history.compare([_row("pure_nash", 149.0, coop=2e-3)], baseline).failed


def test_a_row_missing_from_the_baseline_is_reported_not_failed(history):
    c = history.compare([_row("pure_nash", 1.0), _row("new_workload", 5.0)], [_row("pure_nash", 1.0)])
    assert not c.failed
    assert c.missing == ["new_workload | 3x3 | lib solve"]
    assert "not in the baseline (reported, not failed): new_workload | 3x3 | lib solve" in \
        history.format_comparison(c)


def test_rows_that_cannot_be_compared_are_said_and_left_out(history):
    keys = [("threads", "coop, 1 thread", 1e-3), ("floor", "memory-bandwidth floor", 1e-3),
            ("tiny", "lib solve", 1e-8)]
    baseline = [_row(w, 100.0, reference=ref, coop=t) for w, ref, t in keys] + [_row("cli", None)]
    run = [_row(w, 1.0, reference=ref, coop=t) for w, ref, t in keys] + [_row("cli", None)]
    c = history.compare(run, baseline)
    assert not c.failed and c.compared == []
    reasons = dict(c.skipped)
    assert "itself" in reasons["threads | 3x3 | coop, 1 thread"]
    assert "floor" in reasons["floor | 3x3 | memory-bandwidth floor"]
    assert "below" in reasons["tiny | 3x3 | lib solve"]
    assert "no ratio" in reasons["cli | 3x3 | lib solve"]


def test_best_ratio_over_attempts(history):
    first = [_row("a", 10.0), _row("b", 4.0)]
    again = [_row("a", 30.0, coop=5e-4), _row("b", 2.0)]
    best = history.best_ratios([first, again])
    assert [(r["ratio"], r["coop_seconds"]) for r in best] == [(30.0, 5e-4), (4.0, 1e-3)]


def test_a_faster_reference_is_reported_not_failed(history):
    # the ratio halved because the reference took half the time; coop's own time did not grow
    baseline = [_row("fix", 600.0, coop=2e-4)]
    c = history.compare([_row("fix", 250.0, coop=2e-4)], baseline)
    assert not c.failed
    assert [key for key, _, _ in c.reference_faster] == ["fix | 3x3 | lib solve"]
    assert "the reference got faster" in history.format_comparison(c)
    assert history.compare([_row("fix", 250.0, coop=2.1e-4)], baseline).failed


def test_history_append_load_and_print(history, tmp_path):
    machine = {"cpu": "test cpu", "cores": 2, "memory_bytes": 1 << 30, "python": "3", "system": "Linux"}
    old = history.run_record([_row("a", 10.0)], "full", 7, 5, when="2026-01-02T10:00:00+0000",
                             git={"commit": "a" * 40, "dirty": False, "subject": "old"}, machine=machine)
    new = history.run_record([_row("a", 20.0), _row("b", 3.0)], "full", 7, 5, when="2026-02-03T10:00:00+0000",
                             git={"commit": "b" * 40, "dirty": True, "subject": "new"}, machine=machine)
    p_new = history.append_run(new, tmp_path)
    p_old = history.append_run(old, tmp_path)
    again = history.append_run(old, tmp_path)  # never over an existing file
    assert p_new.name == "2026-02-03-bbbbbbbbbb-dirty.json"
    assert (p_old.name, again.name) == ("2026-01-02-aaaaaaaaaa.json", "2026-01-02-aaaaaaaaaa-2.json")
    (tmp_path / "quick-baseline.json").write_text(json.dumps(new))  # not a run of the history
    runs = history.load_history(tmp_path)
    assert [r["commit"][0] for r in runs] == ["a", "a", "b"]
    assert runs[0]["machine"] == machine and runs[2]["dirty"] is True
    assert history.ratio_series(runs) == {"a | 3x3 | lib solve": [10.0, 10.0, 20.0],
                                          "b | 3x3 | lib solve": [None, None, 3.0]}
    text = history.format_history(runs)
    assert "| a | 3x3 | lib solve | 10x | 10x | 20x |" in text
    assert "| b | 3x3 | lib solve | - | - | 3x |" in text
    assert "2026-02-03 bbbbbbb+" in text
    png = history.plot_history(runs, tmp_path / "h.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _fake_workloads(bench, monkeypatch, ratios: list[float]):
    """Replace the registry by one workload whose successive runs measure ``ratios`` (then the last one).

    The baseline (:func:`_baseline`) has ratio 100 with coop at 1 ms; the reference here takes 0.1 s throughout.
    """
    calls = []

    def fake(cfg):
        r = ratios[min(len(calls), len(ratios) - 1)]
        calls.append(r)
        return [bench.Row("fake", "3x3", "lib solve", 0.1 / r, 0.1, r, True),  # the reference steady, coop not
                bench.Row("fake", "4x4", "lib solve", 1e-3, 5e-3, 5.0, True)]

    monkeypatch.setattr(bench, "WORKLOADS", {"fake": fake})
    return calls


def _baseline(history, tmp_path, cfg_seeds=3, cfg_repeats=3):
    path = tmp_path / "quick-baseline.json"
    record = history.run_record([_row("fake", 100.0), _row("fake", 5.0, size="4x4")], "quick", cfg_seeds,
                                cfg_repeats, git={"commit": "c" * 40, "dirty": False}, machine={})
    path.write_text(json.dumps(record))
    return path


def test_quick_run_fails_on_a_confirmed_regression(bench, history, monkeypatch, tmp_path, capsys):
    calls = _fake_workloads(bench, monkeypatch, [40.0, 45.0, 30.0])
    status = bench.main(["--quick", "--baseline", str(_baseline(history, tmp_path))])
    out = capsys.readouterr().out
    assert status == 1
    assert len(calls) == 1 + bench.CONFIRM_RUNS  # the low row was run again before failing
    assert "REGRESSION: fake | 3x3 | lib solve: ratio 45x, baseline 100x" in out  # the best of the three runs


def test_quick_run_passes_when_a_low_ratio_is_not_confirmed(bench, history, monkeypatch, tmp_path, capsys):
    calls = _fake_workloads(bench, monkeypatch, [40.0, 90.0])
    status = bench.main(["--quick", "--baseline", str(_baseline(history, tmp_path))])
    out = capsys.readouterr().out
    assert status == 0 and len(calls) == 2
    assert "2 rows compared" in out and "REGRESSION" not in out


def test_quick_run_with_other_seeds_is_not_compared(bench, history, monkeypatch, tmp_path, capsys):
    _fake_workloads(bench, monkeypatch, [1.0])
    assert bench.main(["--quick", "--seeds", "1", "--baseline", str(_baseline(history, tmp_path))]) == 0
    assert "speed not compared" in capsys.readouterr().out


def test_full_run_appends_to_the_history_and_only_does_not(bench, history, monkeypatch, tmp_path):
    _fake_workloads(bench, monkeypatch, [7.0])
    assert bench.main(["--history-dir", str(tmp_path), "--seeds", "1", "--repeats", "1"]) == 0
    assert bench.main(["--history-dir", str(tmp_path), "--only", "fake"]) == 0
    runs = history.load_history(tmp_path)
    assert len(runs) == 1
    run = runs[0]
    assert run["mode"] == "full" and run["imported"] is False and (run["seeds"], run["repeats"]) == (1, 1)
    assert (len(run["commit"]) == 40 or run["commit"] == "unknown") and run["machine"]["cores"] >= 1
    assert [r["ratio"] for r in run["rows"]] == [7.0, 5.0]


def test_write_baseline_then_compare(bench, history, monkeypatch, tmp_path, capsys):
    _fake_workloads(bench, monkeypatch, [50.0])
    path = tmp_path / "b.json"
    assert bench.main(["--quick", "--write-baseline", "--baseline", str(path)]) == 0
    assert history.load_baseline(path)[0]["ratio"] == 50.0
    assert bench.main(["--quick", "--baseline", str(path)]) == 0
    assert "2 rows compared" in capsys.readouterr().out


def test_table_history_prints_and_plots(bench, history, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("coop_benchmarks_table", RUN.parent / "table.py")
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    history.append_run(history.run_record([_row("a", 12.0)], "full", 7, 5, when="2026-01-02T10:00:00+0000",
                                          git={"commit": "d" * 40, "dirty": False}, machine={}), tmp_path)
    assert table.main(["--history", str(tmp_path), "--plot", str(tmp_path / "p.png")]) == 0
    out = capsys.readouterr().out
    assert "| a | 3x3 | lib solve | 12x |" in out and (tmp_path / "p.png").is_file()
