"""Sweep tables written by suffix: CSV, Parquet, JSON (nulls, never NaN), no overwrite without force."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from coop.errors import InputError
from coop.sweeps.design import make_design
from coop.sweeps.executor import execute
from coop.sweeps.output import check_output, write_store, write_table
from tests.sweeps.columnar_helpers import Rich, RichColumns
from tests.sweeps.helpers import Cheap

DESIGN = make_design(["x=0:1:11", "y=1,2"])  # 22 points, with failed points at x = 0.1 and x = 0.5


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    return execute(Cheap(fail_at=(0.5,), bad_input_at=(0.1,)), DESIGN, folder, workers=1, chunk_size=5,
                   progress=False)


def reject_constant(name: str) -> float:
    raise AssertionError(f"the JSON has {name}")


def test_json_records_with_nulls_never_nan(stored, tmp_path):
    table = stored.table()
    path = write_table(table, tmp_path / "t.json")
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    records = json.loads(text, parse_constant=reject_constant)
    assert len(records) == 22
    assert list(records[0]) == ["point", "x", "y", "sum", "region", "high", "count", "maybe", "late", "error"]
    assert records[0] == {"point": 0, "x": 0.0, "y": 1.0, "sum": 1.0, "region": "low", "high": False, "count": 0,
                          "maybe": None, "late": None, "error": None}
    failed = records[2]
    assert failed["error"] == "s.yaml, line 3: payoff of 'US' is not a number"
    assert all(failed[k] is None for k in ("sum", "region", "high", "count", "maybe", "late"))
    assert records[21] == {"point": 21, "x": 1.0, "y": 2.0, "sum": 3.0, "region": "high", "high": True,
                           "count": 10, "maybe": 1.0, "late": 2.0, "error": None}
    # infinities and NA of any kind are null too
    odd = pd.DataFrame({"a": [math.inf, -math.inf, np.nan], "b": pd.array([1, None, 3], dtype="Int64"),
                        "c": pd.array([True, None, False], dtype="boolean")})
    got = json.loads(write_table(odd, tmp_path / "odd.json").read_text(), parse_constant=reject_constant)
    assert got == [{"point": 0, "a": None, "b": 1, "c": True}, {"point": 1, "a": None, "b": None, "c": None},
                   {"point": 2, "a": None, "b": 3, "c": False}]


def test_csv_and_parquet_read_back(stored, tmp_path):
    table = stored.table()
    csv = pd.read_csv(write_table(table, tmp_path / "t.csv"), index_col="point")
    assert list(csv.columns) == list(table.columns)
    np.testing.assert_array_equal(csv[["x", "y", "sum"]].to_numpy(), table[["x", "y", "sum"]].to_numpy())
    assert csv.loc[2, "error"] == "s.yaml, line 3: payoff of 'US' is not a number" and pd.isna(csv.loc[0, "error"])
    pq = pd.read_parquet(write_table(table, tmp_path / "t.parquet")).set_index("point")
    assert list(pq.columns) == list(table.columns)
    numbers = ["x", "y", "sum", "maybe"]
    np.testing.assert_array_equal(pq[numbers].to_numpy(), table[numbers].to_numpy())
    assert pq["high"].isna().tolist()[:4] == [False, False, True, True]
    assert bool(pq.loc[21, "high"]) and not bool(pq.loc[0, "high"]) and pq.loc[21, "count"] == 10
    assert pq["region"].tolist()[0] == "low" and pd.isna(pq.loc[2, "region"])
    import pyarrow.parquet as papq

    schema = papq.read_schema(tmp_path / "t.parquet")
    assert [str(schema.field(c).type) for c in ("point", "x", "high", "count", "region", "error")] == [
        "int64", "double", "bool", "int64", "string", "string"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_streamed_from_the_store_equals_the_whole_table(stored, tmp_path, suffix):
    whole = write_table(stored.table(), tmp_path / f"whole{suffix}")
    streamed = write_store(stored, tmp_path / f"streamed{suffix}")
    if suffix == ".parquet":  # one row group per chunk: the same table, not the same bytes
        pd.testing.assert_frame_equal(pd.read_parquet(streamed), pd.read_parquet(whole))
    else:
        assert whole.read_bytes() == streamed.read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json"])
def test_a_columnar_store_writes_the_same_file(tmp_path, suffix):
    kw = {"fail_at": (0.5,), "bad_input_at": (0.1,)}
    point = execute(Rich(**kw), DESIGN, tmp_path / "p", workers=1, chunk_size=5, progress=False)
    columnar = execute(RichColumns(decline_at=(0.8,), **kw), DESIGN, tmp_path / "c", workers=1, chunk_size=4,
                       progress=False)
    assert {p.suffix for p in (tmp_path / "c").glob("chunk-*")} == {".arrow", ".jsonl"}
    one = write_store(point, tmp_path / f"point{suffix}")
    other = write_store(columnar, tmp_path / f"columnar{suffix}")
    whole = write_table(point.table(), tmp_path / f"whole{suffix}")
    if suffix == ".parquet":  # an object column's type is that of the whole table, not of the first chunk
        import pyarrow.parquet as papq

        for path in (one, other):
            pd.testing.assert_frame_equal(pd.read_parquet(path), pd.read_parquet(whole))
            schema = papq.read_schema(path)
            assert schema.types == papq.read_schema(whole).types
            assert [str(schema.field(c).type) for c in ("mixed", "maybe_flag", "maybe_count", "empty")] == [
                "string", "bool", "int64", "string"]
    else:
        assert one.read_bytes() == other.read_bytes() == whole.read_bytes()


def test_no_overwrite_without_force_and_known_suffixes(stored, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("keep me")
    with pytest.raises(InputError, match=r"t\.csv: file exists; use --force to overwrite it"):
        write_table(stored.table(), path)
    assert path.read_text() == "keep me"
    write_table(stored.table(), path, force=True)
    assert path.read_text().startswith("point,x,y,sum")
    with pytest.raises(InputError, match=r"unknown output format '\.xlsx'; name the file \.csv, \.parquet or \.json"):
        check_output(tmp_path / "t.xlsx")
    with pytest.raises(InputError, match=r"unknown output format '\(no suffix\)'"):
        check_output(tmp_path / "table")
    with pytest.raises(InputError, match=r"does not exist"):
        check_output(tmp_path / "missing" / "t.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]  # no partial files left
