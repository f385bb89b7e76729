"""The columnar fast path: an evaluate function with ``evaluate_columns`` gives the same table as point by point;
Arrow chunks, mixed stores, the protocol's checks, and the chunk size timed on the first points."""

from __future__ import annotations

import json
import logging
import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from coop.errors import InputError
from coop.sweeps import executor
from coop.sweeps.columns import ArrowChunk, ChunkFile, ColumnChunk, JsonChunk, encode_columns, merge, str_dtype
from coop.sweeps.design import make_design
from coop.sweeps.executor import MAX_CHUNK, evaluate_chunk, execute, run_sweep
from tests.sweeps.columnar_helpers import (
    CountingColumns,
    Declining,
    Fast,
    FastColumns,
    Malformed,
    Raising,
    Rich,
    RichColumns,
    logged,
)
from tests.sweeps.helpers import Slow

DESIGN = make_design(["x=0:1:21", "y=1,2,3"])  # 63 points
ERRORS = {"fail_at": (0.5,), "bad_input_at": (0.1,)}


@pytest.fixture(scope="module", params=[{}, ERRORS], ids=["no-errors", "errors"])
def case(request):
    kw = request.param
    return kw, run_sweep(Rich(**kw), DESIGN, workers=1, chunk_size=7, progress=False)


def test_the_point_by_point_table(case):
    kw, t = case
    assert list(t.columns) == ["x", "y", "sum", "n", "flag", "label", "maybe", "maybe_flag", "maybe_count", "nan",
                               "mixed", "empty", "whole", "late", "error"]
    kinds = {c: str(t[c].dtype) for c in t.columns}
    complete = not kw  # counts and flags every point has: int64 and bool; else Python values, None when missing
    assert kinds["n"] == ("int64" if complete else "object") and kinds["flag"] == ("bool" if complete else "object")
    assert kinds["label"] == kinds["error"] == str(str_dtype())
    assert kinds["maybe_flag"] == kinds["maybe_count"] == "object"
    assert all(kinds[c] == "float64" for c in ("sum", "maybe", "nan", "whole", "late"))
    assert kinds["mixed"] == kinds["empty"] == "object"
    assert t.loc[0, "maybe_flag"] is None and t.loc[62, "maybe_flag"] is True and t.loc[33, "maybe_flag"] is False
    assert t.loc[62, "maybe_count"] is None and type(t.loc[33, "maybe_count"]) is int
    assert t.loc[0, "mixed"] is True and t.loc[20, "mixed"] == "many" and type(t.loc[62, "mixed"]) is int
    assert np.isnan(t.loc[0, "nan"]) and t.loc[62, "nan"] == 1.0  # a NaN metric is missing, as None is
    assert t["empty"].map(lambda v: v is None).all()


@pytest.mark.parametrize("chunk_size", [1, 7, 64, None])
def test_columnar_evaluation_gives_the_same_table(case, chunk_size, tmp_path):
    kw, expected = case
    store = execute(RichColumns(**kw), DESIGN, tmp_path / "s", workers=1, chunk_size=chunk_size, progress=False)
    assert {p.suffix for p in (tmp_path / "s").glob("chunk-*")} == {".arrow"}
    pd.testing.assert_frame_equal(store.table(), expected)
    parts = list(store.tables())  # streamed: the same columns and types in every part
    pd.testing.assert_frame_equal(pd.concat(parts), expected)
    assert all(list(p.dtypes) == list(expected.dtypes) for p in parts)


def test_a_store_may_mix_columnar_and_point_by_point_chunks(case, tmp_path):
    kw, expected = case
    evaluate = RichColumns(decline_at=(0.0, 0.35, 0.5, 0.85), **kw)  # some chunks go point by point
    store = execute(evaluate, DESIGN, tmp_path / "s", workers=1, chunk_size=3, progress=False)
    kinds = [store.chunk_path(k).suffix for k in store.finished()]
    assert kinds.count(".jsonl") == 4 and kinds.count(".arrow") == 17
    pd.testing.assert_frame_equal(store.table(), expected)
    # the records read back from either kind of chunk are the same
    plain = execute(Rich(**kw), DESIGN, tmp_path / "p", workers=1, chunk_size=3, progress=False)
    columnar = execute(RichColumns(**kw), DESIGN, tmp_path / "c", workers=1, chunk_size=3, progress=False)
    for k in range(plain.n_chunks):
        assert columnar.records(k) == _none_for_nan(plain.records(k))


def _none_for_nan(records):
    return [{**r, "metrics": {k: (None if v != v else v) for k, v in r["metrics"].items()}} for r in records]


def test_local_processes_with_columns(case, tmp_path):
    kw, expected = case
    pd.testing.assert_frame_equal(run_sweep(RichColumns(**kw), DESIGN, workers=2, chunk_size=5, progress=False),
                                  expected)
    pd.testing.assert_frame_equal(run_sweep(RichColumns(decline_at=(0.5,), **kw), DESIGN, workers=2, chunk_size=4,
                                            progress=False), expected)


def test_a_batched_path_that_raises_falls_back_to_points(tmp_path):
    with pytest.warns(RuntimeWarning, match=r"^evaluate_columns raised RuntimeError: the batched path is broken; "
                                             r"these \d+ points are evaluated one by one$"):
        store = execute(Raising(), DESIGN, tmp_path / "s", workers=1, chunk_size=10, progress=False)
    assert {p.suffix for p in (tmp_path / "s").glob("chunk-*")} == {".jsonl"}
    pd.testing.assert_frame_equal(store.table(), run_sweep(Fast(), DESIGN, workers=1, progress=False))


@pytest.mark.parametrize(("how", "error", "message"), [
    ("length", ValueError, r"column 'a' of the chunk has 4 values for 3 points"),
    ("errors", ValueError, r"the chunk has 2 errors for 3 points"),
    ("reserved", ValueError, r"metric 'x' has the name of a parameter or of the error column"),
    ("value", TypeError, r"metric 'bad' is list; a metric is a number, a flag, a label or None"),
    ("dict", TypeError, r"evaluate_columns returned dict, not a ColumnChunk or None"),
])
def test_a_batched_answer_that_breaks_the_protocol_is_an_error(how, error, message):
    with pytest.raises(error, match=message):
        evaluate_chunk(Malformed(how), ["x", "y"], DESIGN.values(0, 3), 0)


def test_the_arrow_file(tmp_path):
    store = execute(RichColumns(**ERRORS), DESIGN, tmp_path / "s", workers=1, chunk_size=10, progress=False)
    table = pa.ipc.open_file(pa.memory_map(str(tmp_path / "s" / "chunk-000003.arrow"))).read_all()
    assert table.schema.metadata == {b"coop.first": b"30"} and table.num_rows == 10
    types = {f.name: str(f.type) for f in table.schema}
    assert types == {"sum": "double", "n": "int64", "flag": "bool", "label": "string", "maybe": "double",
                     "maybe_flag": "bool", "maybe_count": "int64", "nan": "double", "mixed": "string",
                     "empty": "null", "whole": "int64", "error": "string"}
    mixed = {f.name for f in table.schema if f.metadata == {b"coop.values": b"json"}}
    assert mixed == {"mixed"}  # values of several types, as JSON text
    assert table.column("mixed").to_pylist()[:7] == [None, None, None, '"many"', '"many"', '"many"', "3"]
    # the failed points (x = 0.5: points 30 to 32) have no metrics
    assert table.column("error").to_pylist()[:4] == ["ValueError: no solution at x=0.5 (second line)"] * 3 + [None]
    assert table.column("sum").null_count == 3 and table.column("maybe_count").null_count == 3
    assert store.records(3)[0] == {"point": 30, "metrics": {}, "error": "ValueError: no solution at x=0.5 (second "
                                   "line)"}
    assert store.records(3)[9] == {"point": 39, "metrics": {
        "sum": 1.65, "n": 6, "flag": True, "label": "high", "maybe": 0.65, "maybe_flag": True, "maybe_count": 6,
        "nan": 0.65, "mixed": 3, "empty": None, "whole": 3}, "error": None}
    # NaN is stored as null
    table = pa.ipc.open_file(pa.memory_map(str(tmp_path / "s" / "chunk-000000.arrow"))).read_all()
    assert table.column("nan").null_count == 10 and table.column("maybe").null_count == 10
    # a chunk whose every point failed has no metric columns (as point by point: nothing seen)
    part = evaluate_chunk(RichColumns(fail_at=(0.5,)), ["x", "y"], DESIGN.values(30, 33), 30)
    assert ArrowChunk.from_bytes(part.data).table.column_names == ["error"]


def test_merging_parts_of_a_chunk():
    names = ["x", "y"]
    values = DESIGN.values()
    parts = [evaluate_chunk(RichColumns(fail_at=(0.5,)), names, values[a:b], a)
             for a, b in [(0, 3), (3, 30), (30, 33), (33, 63)]]  # the part (30, 33) failed: no metric columns
    whole = merge(parts)
    assert whole.suffix == ".arrow"
    expected = evaluate_chunk(RichColumns(fail_at=(0.5,)), names, values, 0)
    assert ArrowChunk.from_bytes(whole.data).records() == ArrowChunk.from_bytes(expected.data).records()
    # point-by-point parts join as JSON lines, and so does a mixture
    lines = merge([evaluate_chunk(Rich(), names, values[a:b], a) for a, b in [(0, 5), (5, 9)]])
    assert lines.suffix == ".jsonl" and [r["point"] for r in JsonChunk(lines.data).records()] == list(range(9))
    mixture = merge([parts[0], evaluate_chunk(Rich(fail_at=(0.5,)), names, values[3:63], 3)])
    assert mixture.suffix == ".jsonl"
    assert JsonChunk(mixture.data).records() == _none_for_nan(JsonChunk(
        evaluate_chunk(Rich(fail_at=(0.5,)), names, values, 0).data).records())


def test_encode_columns_accepts_lists_numpy_scalars_and_unicode_arrays():
    chunk = ColumnChunk({"a": [np.float64(0.5), np.nan, None], "b": np.array(["p", "q", "r"]),
                         "c": np.array([1, 2, 3], dtype=np.int32), "d": [np.bool_(True), None, False]},
                        (None, None, "boom"))
    stored = ArrowChunk.from_bytes(encode_columns(chunk, 3, 10, frozenset({"x", "error"})).data)
    assert stored.records() == [
        {"point": 10, "metrics": {"a": 0.5, "b": "p", "c": 1, "d": True}, "error": None},
        {"point": 11, "metrics": {"a": None, "b": "q", "c": 2, "d": None}, "error": None},
        {"point": 12, "metrics": {}, "error": "boom"}]
    assert [(k, kinds, n) for k, kinds, n in stored.summary()] == [("a", {float}, 1), ("b", {str}, 2),
                                                                    ("c", {int}, 2), ("d", {bool}, 1)]


class _Odd:
    """Columns typed by the chunk's own values: numbers with no value next to labels, flags next to counts."""

    def __call__(self, point):
        x = point["x"]
        return {"label": "a" if x > 0.5 else None, "flag_or_count": True if x < 0.5 else 1}

    def evaluate_columns(self, names, values):
        x = values[:, 0]
        label = np.full(len(x), np.nan) if (x <= 0.5).all() else np.where(x > 0.5, "a", None).astype(object)
        other = (x < 0.5) if (x < 0.5).all() else [True if v < 0.5 else 1 for v in x.tolist()]
        return ColumnChunk({"label": label, "flag_or_count": other}, [None] * len(x))


def test_the_table_type_wins_over_a_chunk_type():
    design = make_design(["x=0:1:11"])
    expected = run_sweep(_Odd().__call__, design, workers=1, chunk_size=3, progress=False)
    assert str(expected["label"].dtype) == str(str_dtype()) and expected["flag_or_count"].dtype == object
    pd.testing.assert_frame_equal(run_sweep(_Odd(), design, workers=1, chunk_size=3, progress=False), expected)


def test_a_damaged_arrow_chunk_is_one_line(tmp_path):
    store = execute(FastColumns(), DESIGN, tmp_path / "s", workers=1, chunk_size=30, progress=False)
    path = tmp_path / "s" / "chunk-000001.arrow"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(InputError, match=r"chunk-000001\.arrow: chunk 1 of the sweep is damaged \(.*\); delete its "
                                         r"file and resume$"):
        store.table()


# ---------------------------------------------------------------------------- the chunk size
def test_a_fast_evaluate_gets_large_chunks_and_the_probe_points_are_kept(tmp_path):
    design = make_design(["x=0:1:100", "y=0:1:100"])  # 10^4 points
    log = tmp_path / "log"
    store = execute(CountingColumns(log=str(log)), design, tmp_path / "s", workers=1, progress=False)
    assert store.chunk_size >= 1000 and store.n_chunks <= 10
    assert json.loads((tmp_path / "s" / "manifest.json").read_text())["chunk_size"] == store.chunk_size
    # every point evaluated once: the probe's batches (here) and the rest of the first chunk, then the others
    xs = [line.split()[0] for line in logged(log)]
    assert len(xs) == design.size and [float(x) for x in xs] == design.values()[:, 0].tolist()
    pd.testing.assert_frame_equal(store.table(), run_sweep(FastColumns(), design, workers=1, chunk_size=MAX_CHUNK,
                                                           progress=False))


def test_a_slow_evaluate_gets_small_chunks(tmp_path):
    design = make_design(["x=0:1:60"])
    store = execute(Slow(0.01), design, tmp_path / "s", workers=1, progress=False)
    assert store.chunk_size <= 200  # chunks of at most 2 s
    pd.testing.assert_frame_equal(store.table(), run_sweep(Slow(0.0), design, workers=1, chunk_size=7,
                                                           progress=False))


def test_a_batched_path_that_declines_is_probed_point_by_point(tmp_path):
    design = make_design(["x=0:1:100", "y=0,1"])
    log = tmp_path / "log"
    store = execute(Declining(log=str(log), delay=0.01), design, tmp_path / "s", workers=1, progress=False)
    assert store.chunk_size <= 200 and {p.suffix for p in (tmp_path / "s").glob("chunk-*")} == {".jsonl"}
    assert len(logged(log)) == design.size  # each point once
    pd.testing.assert_frame_equal(store.table(), run_sweep(Fast(), design, workers=1, progress=False))


def test_the_probe(tmp_path):
    design = make_design(["x=0:1:100", "y=0:1:100"])
    quiet = executor._Progress(design.size, 0, False)
    fast = executor._probe(FastColumns(), design, 1250, quiet)  # batches of 64, 256, then up to the limit
    assert fast.done == 1250 and len(fast.parts) == 3 and {p.suffix for p in fast.parts} == {".arrow"}
    assert 0 < fast.seconds_per_point < 1e-3
    # a batched path that declines: point by point from one point, until a batch takes PROBE_SECONDS
    slow = executor._probe(Declining(log=str(tmp_path / "log"), delay=0.02), design, 1250, quiet)
    assert slow.done <= 7 and len(logged(tmp_path / "log")) == slow.done
    assert {p.suffix for p in slow.parts} == {".jsonl"} and 0.02 <= slow.seconds_per_point < 1.0


def test_the_probe_in_front_of_local_processes(tmp_path):
    design = make_design(["x=0:1:200", "y=0:1:50"])  # 10^4 points; the probe stops at 625 (8 chunks per worker)
    log = tmp_path / "log"
    store = execute(CountingColumns(log=str(log)), design, tmp_path / "s", workers=2, progress=False)
    lines = [line.split() for line in logged(log)]
    assert sorted(float(x) for x, _ in lines) == sorted(design.values()[:, 0].tolist())
    assert {pid for _, pid in lines[:64]} == {str(os.getpid())}  # the first batch ran here
    pd.testing.assert_frame_equal(store.table(), run_sweep(FastColumns(), design, workers=1, chunk_size=MAX_CHUNK,
                                                           progress=False))


def test_a_resumed_sweep_keeps_its_chunk_size(tmp_path):
    design = make_design(["x=0:1:100", "y=0:1:100"])
    log = tmp_path / "log"
    evaluate = CountingColumns(log=str(log))
    execute(evaluate, design, tmp_path / "s", workers=1, chunk_size=999, progress=False)
    (tmp_path / "s" / "chunk-000004.arrow").unlink()
    log.unlink()
    store = execute(evaluate, design, tmp_path / "s", resume=True, workers=1, progress=False)
    assert store.chunk_size == 999 and len(logged(log)) == 999  # no probe: only the missing chunk
    pd.testing.assert_frame_equal(store.table(), run_sweep(FastColumns(), design, workers=1, progress=False))


def test_a_design_smaller_than_the_probe_is_one_chunk(tmp_path):
    store = execute(RichColumns(), make_design(["x=0:1:3", "y=1,2"]), tmp_path / "s", workers=1, progress=False)
    assert store.n_chunks == 1 and store.chunk_size >= 6 and store.finished() == [0]


def test_the_probe_updates_the_progress_bar(capsys):
    run_sweep(RichColumns(), DESIGN, workers=1, progress=True)
    assert "63/63" in capsys.readouterr().err


@pytest.fixture(scope="module")
def dask_cluster():
    """One LocalCluster for both cases (starting one takes about 1.5 s)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        yield cluster


@pytest.mark.dask
def test_columns_on_a_dask_cluster(case, dask_cluster, monkeypatch):
    monkeypatch.delenv(executor.SCHEDULER_ENV, raising=False)
    kw, expected = case
    for chunk_size in (None, 5):
        table = run_sweep(RichColumns(decline_at=(0.5,), **kw), DESIGN, scheduler=dask_cluster.scheduler_address,
                          chunk_size=chunk_size, progress=False)
        pd.testing.assert_frame_equal(table, expected)


def test_the_chunk_file_is_picklable():
    import pickle

    part = evaluate_chunk(FastColumns(), ["x", "y"], DESIGN.values(0, 4), 0)
    again = pickle.loads(pickle.dumps(part))
    assert isinstance(again, ChunkFile) and again.suffix == ".arrow" and bytes(again.data) == bytes(part.data)
