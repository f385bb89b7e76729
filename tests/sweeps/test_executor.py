"""The sweep executor: serial and local processes give the same table; chunks, resume, Ctrl-C, errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coop.errors import InputError
from coop.sweeps.design import make_design
from coop.sweeps.executor import (
    CHUNK_SECONDS,
    MAX_CHUNK,
    UNTIMED_CHUNK,
    SweepStore,
    default_chunk_size,
    describe_evaluate,
    evaluate_chunk,
    execute,
    run_sweep,
)
from tests.sweeps.helpers import BadMetrics, Cheap, InterruptOnce, evaluations

ROOT = Path(__file__).resolve().parents[2]
DESIGN = make_design(["x=0:1:21", "y=1,2,3"])  # 63 points
EVALUATE = Cheap(fail_at=(0.5,), bad_input_at=(0.1,))


@pytest.fixture(scope="module")
def serial_table() -> pd.DataFrame:
    return run_sweep(EVALUATE, DESIGN, workers=1, progress=False)


def test_table_columns_types_and_errors(serial_table):
    t = serial_table
    assert list(t.columns) == ["x", "y", "sum", "region", "high", "count", "maybe", "late", "error"]
    assert t.index.name == "point" and t.index.tolist() == list(range(63))
    np.testing.assert_array_equal(t[["x", "y"]].to_numpy(), DESIGN.values())
    assert t["x"].dtype == np.float64 and t["sum"].dtype == np.float64
    # flags and counts missing at the failed points stay Python bools and ints, missing as None
    assert t["high"].dtype == object and t["count"].dtype == object
    assert t.loc[60, "high"] is True and t.loc[0, "high"] is False and t.loc[6, "high"] is None
    assert t.loc[60, "count"] == 10 and type(t.loc[60, "count"]) is int
    assert t.loc[63 - 1, "late"] == 3.0 and np.isnan(t.loc[0, "late"])
    assert t.loc[0, "region"] == "low" and pd.isna(t.loc[6, "region"])
    # the failed points: the message, nothing else; the other points have no error
    failed = t[t["error"].notna()]
    assert failed.index.tolist() == [6, 7, 8, 30, 31, 32]
    assert set(failed.loc[[6, 7, 8], "error"]) == {"s.yaml, line 3: payoff of 'US' is not a number"}
    assert set(failed.loc[[30, 31, 32], "error"]) == {"ValueError: no solution at x=0.5 (second line)"}
    assert failed[["sum", "maybe", "late"]].isna().all().all()
    assert t.loc[33, "sum"] == pytest.approx(0.55 + 1.0)


def test_chunking_does_not_change_the_table(serial_table, tmp_path):
    for size in (1, 7, 100):
        pd.testing.assert_frame_equal(run_sweep(EVALUATE, DESIGN, workers=1, chunk_size=size, progress=False),
                                      serial_table)


def test_process_pool_gives_the_same_table(serial_table, tmp_path):
    pooled = run_sweep(EVALUATE, DESIGN, workers=2, chunk_size=5, progress=False, store=tmp_path / "s")
    pd.testing.assert_frame_equal(pooled, serial_table)
    store = SweepStore.open(tmp_path / "s")
    assert store.chunk_size == 5 and store.finished() == list(range(13))
    # a sampled design too
    sob = make_design(["x=0:1", "y=0.1:10:log"], design="sobol", points=40, seed=3)
    pd.testing.assert_frame_equal(run_sweep(EVALUATE, sob, workers=2, chunk_size=3, progress=False),
                                  run_sweep(EVALUATE, sob, workers=1, progress=False))


def test_the_pool_holds_a_bounded_window_of_chunks(monkeypatch):
    import concurrent.futures as cf
    import threading

    seen = {"now": 0, "most": 0, "submitted": 0}
    lock = threading.Lock()

    class Recording(cf.ProcessPoolExecutor):
        def submit(self, *args, **kwargs):  # type: ignore[override]
            future = super().submit(*args, **kwargs)
            with lock:
                seen["now"] += 1
                seen["submitted"] += 1
                seen["most"] = max(seen["most"], seen["now"])

            collect = future.result

            def result(*a, **k):  # the parent collects each chunk once, then submits the next
                with lock:
                    seen["now"] -= 1
                return collect(*a, **k)

            future.result = result  # type: ignore[method-assign]
            return future

    monkeypatch.setattr(cf, "ProcessPoolExecutor", Recording)
    run_sweep(Cheap(), DESIGN, workers=2, chunk_size=1, progress=False)
    assert seen["submitted"] == 63 and seen["most"] == 4  # WINDOW_PER_WORKER chunks per worker


def test_store_layout_and_manifest(tmp_path):
    store = execute(EVALUATE, DESIGN, tmp_path / "s", workers=1, chunk_size=10, progress=False)
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest == {"format": 1, "design": DESIGN.to_dict(), "chunk_size": 10,
                        "evaluate": describe_evaluate(EVALUATE)}
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted(["manifest.json"] + [
        f"chunk-{k:06d}.jsonl" for k in range(7)])
    first = store.records(0)[0]
    assert first == {"point": 0, "metrics": {"sum": 1.0, "region": "low", "high": False, "count": 0, "maybe": None},
                     "error": None}
    assert store.points_done() == 63 and store.bounds(6) == (60, 63)
    # written chunk by chunk, the parts have the same columns and types as the whole
    parts = list(store.tables())
    assert [len(p) for p in parts] == [10] * 6 + [3]
    pd.testing.assert_frame_equal(pd.concat(parts), store.table())
    assert all(list(p.dtypes) == list(parts[0].dtypes) for p in parts)


def test_resume_after_interruption_recomputes_nothing_stored(tmp_path, capsys):
    log, marker, folder = tmp_path / "log", tmp_path / "marker", tmp_path / "store"
    evaluate = InterruptOnce(str(log), str(marker), at=0.5)  # point 30 is in chunk 7 (points 28..31)
    with pytest.raises(KeyboardInterrupt):
        execute(evaluate, DESIGN, folder, workers=1, chunk_size=4, progress=False, resume_hint="rerun with {store}")
    err = capsys.readouterr().err
    assert err.strip() == f"coop sweep interrupted: 28 of 63 points are kept in {folder}; rerun with {folder}"
    store = SweepStore.open(folder)
    assert store.finished() == list(range(7)) and not list(folder.glob("*.tmp"))
    assert len(evaluations(log)) == 30  # 28 stored, 2 lost in flight
    # without resume or force: refused; with resume: only the rest is computed
    with pytest.raises(InputError, match=r"already holds a sweep; resume it \(--resume\) or start over \(--force\)"):
        execute(evaluate, DESIGN, folder, workers=1, progress=False)
    log.unlink()
    table = execute(evaluate, DESIGN, folder, resume=True, workers=2, chunk_size=9, progress=False).table()
    assert len(evaluations(log)) == 63 - 28
    assert store.chunk_size == 4 and SweepStore.open(folder).finished() == list(range(16))
    pd.testing.assert_frame_equal(table, run_sweep(Cheap(), DESIGN, workers=1, progress=False))
    # a complete sweep resumed computes nothing
    log.unlink()
    execute(evaluate, DESIGN, folder, resume=True, workers=1, progress=False)
    assert evaluations(log) == []


def test_resume_refuses_another_sweep_and_force_starts_over(tmp_path):
    folder = tmp_path / "store"
    execute(Cheap(), DESIGN, folder, workers=1, progress=False)
    with pytest.raises(InputError, match=r"store: the stored sweep has a different design; use another store "
                                         r"folder, or --force to start over$"):
        execute(Cheap(), make_design(["x=0:1:5"]), folder, resume=True, workers=1, progress=False)
    with pytest.raises(InputError, match=r"the stored sweep was evaluated by Cheap\(fail_at=\(\), bad_input_at=\(\)\), "
                                         r"not Cheap\(fail_at=\(0\.5,\), bad_input_at=\(\)\); use another"):
        execute(Cheap(fail_at=(0.5,)), DESIGN, folder, resume=True, workers=1, progress=False)
    store = execute(Cheap(), make_design(["x=0:1:5"]), folder, force=True, workers=1, progress=False)
    assert store.design.size == 5 and store.finished() == list(range(store.n_chunks))
    assert len(store.table()) == 5
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="must be a folder"):
        execute(Cheap(), DESIGN, tmp_path / "file", workers=1, progress=False)


def test_bad_options_and_metrics(tmp_path):
    with pytest.raises(InputError, match=r"workers must be a whole number >= 1, got 0"):
        run_sweep(Cheap(), DESIGN, workers=0)
    with pytest.raises(InputError, match=r"the chunk size must be a whole number >= 1, got 0"):
        run_sweep(Cheap(), DESIGN, workers=1, chunk_size=0)
    with pytest.raises(TypeError, match=r"evaluate must be picklable to run in worker processes"):
        run_sweep(lambda p: {"a": 1.0}, DESIGN, workers=2, progress=False)
    t = run_sweep(BadMetrics(), make_design(["x=0:1:3"]), workers=1, progress=False)
    assert t["error"].tolist()[0] == ("ValueError: metric 'x' has the name of a parameter or of the error column")
    assert pd.isna(t["error"].tolist()[1])
    assert t["error"].tolist()[2] == ("TypeError: metric 'bad' is list; a metric is a number, a flag, a label or None")
    assert list(t.columns) == ["x", "ok", "error"] and t["ok"].isna().tolist() == [True, False, True]


def test_numpy_metrics_are_stored_as_python_values():
    part = evaluate_chunk(lambda p: {"a": np.float64(0.5), "b": np.int64(3), "c": np.bool_(True), "d": np.nan},
                          ["x"], np.array([[1.0]]), 7)
    assert part.suffix == ".jsonl"
    assert json.loads(bytes(part.data)) == {"point": 7, "metrics": {"a": 0.5, "b": 3, "c": True, "d": None},
                                            "error": None}


def test_progress_bar_on_stderr(capsys):
    run_sweep(Cheap(), DESIGN, workers=1, chunk_size=10, progress=True)
    err = capsys.readouterr().err
    assert "sweep" in err and "63/63" in err and "pt/s" in err
    run_sweep(Cheap(), DESIGN, workers=1, progress=None)  # stderr is not a terminal here: no bar
    assert capsys.readouterr().err == ""


def test_default_chunk_size():
    # the time per point unknown: about 8 chunks per worker, at most 256 points each
    assert default_chunk_size(63, 1) == 8
    assert default_chunk_size(10, 16) == 1
    assert default_chunk_size(10**6, 2) == UNTIMED_CHUNK == 256
    # timed: balance, as long as a chunk lasts 0.25 s to 2 s, at most MAX_CHUNK points
    assert CHUNK_SECONDS == (0.25, 2.0)
    assert default_chunk_size(10**6, 2, 1e-6) == MAX_CHUNK == 65_536  # fast: chunks as large as allowed
    assert default_chunk_size(10**6, 2, 1e-4) == 20_000  # 2 s a chunk
    assert default_chunk_size(10**4, 2, 1e-3) == 625  # balance: 8 chunks per worker of 0.625 s
    assert default_chunk_size(10**4, 2, 1e-5) == 25_000  # a chunk lasts at least 0.25 s
    assert default_chunk_size(63, 2, 0.5) == 4  # 2 s a chunk
    assert default_chunk_size(63, 2, 30.0) == 1  # slower than 2 s a point: one point a chunk


def test_a_temporary_store_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    run_sweep(Cheap(), DESIGN, workers=1, progress=False)
    assert list(tmp_path.iterdir()) == []


SCRIPT = """
import sys
from coop.sweeps.design import make_design
from coop.sweeps.executor import execute
from tests.sweeps.helpers import Slow

if __name__ == "__main__":
    try:
        execute(Slow(0.05), make_design(["x=0:1:200"]), sys.argv[1], workers=2, chunk_size=2, progress=False,
                resume_hint="coop sweep ... --store {store} --resume")
    except KeyboardInterrupt:
        sys.exit(130)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT")
def test_ctrl_c_stops_the_pool_at_once_and_keeps_finished_chunks(tmp_path):
    script, folder = tmp_path / "run.py", tmp_path / "store"
    script.write_text(textwrap.dedent(SCRIPT))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("COOP_SCHEDULER", None)
    proc = subprocess.Popen([sys.executable, str(script), str(folder)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(folder.glob("chunk-*.jsonl"))) < 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no chunk finished in 60 s"
            time.sleep(0.02)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the parent and its workers
        _, err = proc.communicate(timeout=30)
        stopped = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert stopped < 3.0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    store = SweepStore.open(folder)
    kept = store.points_done()
    assert err.strip() == (f"coop sweep interrupted: {kept} of 200 points are kept in {folder}; "
                           f"coop sweep ... --store {folder} --resume")
    assert 6 <= kept < 200 and not list(folder.glob("*.tmp"))
    part = store.table()
    assert len(part) == kept and part["error"].isna().all()
    np.testing.assert_array_equal(part["sum"].to_numpy(), part["x"].to_numpy())
