"""A sweep's finished chunks as data: the columnar protocol, the two file formats, and how the table is typed.

An evaluate function gives a sweep's metrics point by point (``evaluate(point) -> metrics``).
It may also have a batched path, ``evaluate_columns(names, values) -> ColumnChunk | None``:
``values`` is a float64 array of shape ``(P, d)`` whose rows are the chunk's points in order
and whose columns are the parameters ``names``; the answer holds every metric as one column of
``P`` values (a :class:`ColumnChunk`), or is ``None`` when this chunk cannot be done that way,
and the executor then calls ``evaluate`` point by point. The table is the same either way.

A finished chunk is stored as one file, written by a worker and read back by
:class:`coop.sweeps.executor.SweepStore`:

- ``chunk-000012.jsonl`` from point-by-point evaluation: one line per point,
  ``{"point": i, "metrics": {...}, "error": null}`` (a failed point has no metrics);
- ``chunk-000012.arrow`` from a :class:`ColumnChunk`: an Arrow IPC file (Feather v2), one
  typed column per metric in metric order (bool, int64, float64, string, or null when no point
  has a value), then ``error``; missing values are nulls; a column whose values mix types
  (say flags and labels) holds each value as JSON text and says so in its field metadata.

Both read back as a :class:`StoredChunk`, which summarises each metric column (the Python types
of its values and how many points have one) without a loop over the values in Python for
Arrow files, and gives the column in the type the whole table needs (:func:`column_type`).

Missing values are ``None``; a float NaN counts as missing, the same as ``None``, in both paths.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

#: The Python types a stored metric value can have (besides None).
VALUE_TYPES: tuple[type, ...] = (bool, int, float, str)
#: The suffixes of the two chunk formats.
JSONL, ARROW = ".jsonl", ".arrow"
#: Field metadata of an Arrow column that holds JSON text of values of mixed types.
MIXED_KEY, MIXED_VALUE = b"coop.values", b"json"
#: Schema metadata of an Arrow chunk: the number of its first point.
FIRST_KEY = b"coop.first"
ERROR = "error"
_NONE = type(None)


@dataclass(frozen=True, eq=False)
class ColumnChunk:
    """The metrics of a chunk of ``P`` points as columns: what ``evaluate_columns`` returns.

    Attributes
    ----------
    columns : dict of str to numpy.ndarray or list
        One column per metric, in metric order (the order of the columns of the table, and the
        order a point-by-point ``evaluate`` would give its metrics in), each of length ``P``:
        numbers as float64 with NaN for missing; flags as bool, or an object array (or list)
        of ``True``/``False``/``None``; counts as int64, or an object array of ints and
        ``None``; labels as an object array of str and ``None`` (a numpy unicode array too).
        Any other object column is taken value by value (numpy scalars become Python values,
        NaN becomes ``None``); values of several types in one column are kept as they are. A
        column counts as present at every point of the chunk, as a metric that a
        point-by-point ``evaluate`` returns at every point, ``None`` where it is missing; a
        metric that is absent from the chunk is left out.
    error : sequence of str or None
        ``P`` entries: the one-line message of a point that failed, else ``None``. A failed
        point's metrics are ignored (stored as missing); when every point failed the chunk
        has no metric columns, as with point-by-point evaluation.

    Examples
    --------
    >>> import numpy as np
    >>> chunk = ColumnChunk({"x2": np.array([0.0, np.nan]), "big": np.array([False, True])},
    ...                     [None, "ValueError: no solution"])
    >>> chunk.size
    2
    """

    columns: dict[str, Any]
    error: Sequence[str | None]

    @property
    def size(self) -> int:
        """The number of points."""
        return len(self.error)


class BatchedEvaluate(Protocol):
    """What an evaluate function has when it can evaluate a chunk of points at once (see :class:`ColumnChunk`)."""

    def evaluate_columns(self, names: Sequence[str], values: np.ndarray) -> ColumnChunk | None:
        """The metrics of the points (rows of ``values``, columns named ``names``), or ``None`` to go point by point."""


@dataclass(frozen=True, eq=False)
class ChunkFile:
    """A finished chunk as the bytes of its file.

    Attributes
    ----------
    suffix : str
        ``".jsonl"`` or ``".arrow"``.
    data : bytes or pyarrow.Buffer
        The file's contents (an Arrow file stays in Arrow's buffer: no copy; it pickles as bytes).
    """

    suffix: str
    data: Any


# ---------------------------------------------------------------------------- typing
def column_type(seen: set[type], missing: bool) -> str:
    """The type of a table column from the Python types of its values and whether some point lacks one.

    ``"bool"`` and ``"int64"`` for flags and counts that every point has; ``"float64"`` for
    numbers (ints and floats together); ``"str"`` for labels; ``"object"`` for flags or counts
    missing at some points, for mixed values, and for a column with no value at all.
    """
    if seen == {bool}:
        return "object" if missing else "bool"
    if seen == {int}:
        return "object" if missing else "int64"
    if seen and seen <= {int, float}:
        return "float64"
    if seen == {str}:
        return "str"
    return "object"


def str_dtype() -> Any:
    """pandas' type of a label column: the string dtype from pandas 3 on, else object."""
    import pandas as pd

    return pd.Series(["x"]).dtype


def values_column(values: Sequence[Any], kind: str, dtype: Any) -> Any:
    """A column of Python values (``None`` when missing) in the table type ``kind`` (``dtype``: :func:`str_dtype`)."""
    import pandas as pd

    if kind in ("bool", "int64"):
        return np.array(values, dtype=kind)
    if kind == "float64":
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if kind == "str" and isinstance(dtype, pd.StringDtype):
        return _strings(np.array(values, dtype=object), dtype)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def missing_column(size: int, kind: str, dtype: Any) -> Any:
    """A column of ``size`` missing values in the table type ``kind`` (as :func:`values_column` of Nones)."""
    import pandas as pd
    import pyarrow as pa

    if kind == "float64":
        return np.full(size, np.nan)
    if kind == "str" and isinstance(dtype, pd.StringDtype):
        return _arrow_strings(pa.nulls(size, pa.string()), dtype)
    return np.full(size, None, dtype=object)


def _strings(values: np.ndarray, dtype: Any) -> Any:
    import pandas as pd

    return pd.array(values, dtype=dtype)


def _arrow_strings(array: pa.Array, dtype: Any) -> Any:
    """An Arrow string array as pandas' string type ``dtype`` (as :func:`_strings` of its values would be)."""
    import pyarrow as pa

    if getattr(dtype, "storage", None) == "pyarrow":  # pandas keeps large strings: convert once, here
        array = array.cast(pa.large_string())
    return array.to_pandas(types_mapper={pa.string(): dtype, pa.large_string(): dtype}.get).array


def _metric_value(key: str, value: Any) -> Any:
    """A metric value as a plain Python value (a float NaN as ``None``)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if value != value else value
    raise TypeError(f"metric {key!r} is {type(value).__name__}; a metric is a number, a flag, a label or None")


def _plain_values(key: str, values: list[Any]) -> list[Any]:
    """``values`` with numpy scalars as Python values and NaN as ``None`` (untouched when already plain)."""
    kinds = set(map(type, values))
    if not kinds <= {_NONE, *VALUE_TYPES}:
        return [_metric_value(key, v) for v in values]
    if float in kinds:
        return [None if v != v else v for v in values]
    return values


# ---------------------------------------------------------------------------- writing
def encode_records(records: Sequence[tuple[dict[str, Any], str | None]], first: int) -> ChunkFile:
    """The JSON-lines file of points ``first, first + 1, ...``: each a ``(metrics, error)`` pair."""
    dumps = json.JSONEncoder(check_circular=False).encode
    text = "".join(dumps({"point": first + i, "metrics": m, "error": e}) + "\n" for i, (m, e) in enumerate(records))
    return ChunkFile(JSONL, text.encode("utf-8"))


def _arrow_values(key: str, values: Any, size: int) -> tuple[pa.Array, bool]:
    """One column of a :class:`ColumnChunk` as an Arrow array, and whether it holds mixed values as JSON."""
    import pyarrow as pa

    if not isinstance(values, (np.ndarray, list, tuple)):
        values = np.asarray(values)
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError(f"column {key!r} of the chunk has shape {values.shape}; a column is one-dimensional")
        kind = values.dtype.kind
        if len(values) == size and kind != "O":
            if kind == "b":
                return pa.array(values, pa.bool_()), False
            if kind in "iu":
                return pa.array(values.astype(np.int64, copy=False), pa.int64()), False
            if kind == "f":
                return pa.array(values.astype(np.float64, copy=False), pa.float64(), from_pandas=True), False
            if kind == "U":
                return pa.array(values, pa.string()), False
            raise TypeError(f"column {key!r} of the chunk has dtype {values.dtype}; a metric is a number, a flag, "
                            "a label or None")
        values = values.tolist()
    if len(values) != size:
        raise ValueError(f"column {key!r} of the chunk has {len(values)} values for {size} points")
    plain = _plain_values(key, list(values))
    kinds = set(map(type, plain)) - {_NONE}
    if not kinds:
        return pa.nulls(size), False
    if len(kinds) == 1:
        (only,) = kinds
        return pa.array(plain, {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string()}[only]), False
    return pa.array([None if v is None else json.dumps(v) for v in plain], pa.string()), True


def encode_columns(chunk: ColumnChunk, size: int, first: int, reserved: set[str] | frozenset[str]) -> ChunkFile:
    """The Arrow file of a :class:`ColumnChunk` of ``size`` points, the first of them numbered ``first``.

    Raises
    ------
    TypeError
        A chunk that is not a :class:`ColumnChunk`, or a value that is not a metric.
    ValueError
        A column or the errors of the wrong length, a metric named like a parameter or ``error``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(chunk, ColumnChunk):
        raise TypeError(f"evaluate_columns returned {type(chunk).__name__}, not a ColumnChunk or None")
    errors = list(chunk.error)
    if len(errors) != size:
        raise ValueError(f"the chunk has {len(errors)} errors for {size} points")
    ok = errors.count(None)
    if ok < size and not set(map(type, errors)) <= {str, _NONE}:
        raise TypeError("the errors of a chunk are messages (str) or None")
    fields, arrays = [], []
    if ok:
        mask = pa.array([e is not None for e in errors], pa.bool_()) if ok < size else None
        for key, values in chunk.columns.items():
            if not isinstance(key, str):
                raise TypeError(f"metric names are str, not {type(key).__name__}")
            if key in reserved:
                raise ValueError(f"metric {key!r} has the name of a parameter or of the error column")
            array, mixed = _arrow_values(key, values, size)
            if mask is not None and array.type != pa.null():
                array = pc.if_else(mask, pa.scalar(None, array.type), array)
            fields.append(pa.field(key, array.type, metadata={MIXED_KEY: MIXED_VALUE} if mixed else None))
            arrays.append(array)
    fields.append(pa.field(ERROR, pa.string()))
    arrays.append(pa.array(errors, pa.string()))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata={FIRST_KEY: str(first).encode()}))
    return ChunkFile(ARROW, _ipc_bytes(table))


def _ipc_bytes(table: pa.Table) -> pa.Buffer:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def merge(parts: Sequence[ChunkFile]) -> ChunkFile:
    """One chunk file of consecutive parts, in order: Arrow when every part is, else JSON lines."""
    if len(parts) == 1:
        return parts[0]
    if all(p.suffix == JSONL for p in parts):
        return ChunkFile(JSONL, b"".join(bytes(p.data) for p in parts))
    chunks = [decode(p) for p in parts]
    arrow = [c for c in chunks if isinstance(c, ArrowChunk)]
    if len(arrow) < len(chunks):
        records = [r for c in chunks for r in c.records()]
        return encode_records([(r["metrics"], r["error"]) for r in records], records[0]["point"])
    return ChunkFile(ARROW, _ipc_bytes(_concat(arrow)))


def _concat(chunks: Sequence[ArrowChunk]) -> pa.Table:
    """The rows of Arrow chunks one after the other; a column some lack is missing there."""
    import pyarrow as pa

    size = sum(c.size for c in chunks)
    keys = list(dict.fromkeys(k for c in chunks for k in c.keys))
    fields, arrays = [], []
    for key in keys:
        types = {c.table.schema.field(key).type for c in chunks if key in c.keys} - {pa.null()}
        if len(types) <= 1 and not any(key in c.mixed_keys for c in chunks):
            kind = types.pop() if types else pa.null()
            array = pa.concat_arrays([c.array(key).cast(kind) if key in c.keys else pa.nulls(c.size, kind)
                                      for c in chunks])
            mixed = False
        else:  # several types: value by value, as a column of the protocol
            values = [v for c in chunks for v in (c.values(key) if key in c.keys else [None] * c.size)]
            array, mixed = _arrow_values(key, values, size)
        fields.append(pa.field(key, array.type, metadata={MIXED_KEY: MIXED_VALUE} if mixed else None))
        arrays.append(array)
    fields.append(pa.field(ERROR, pa.string()))
    arrays.append(pa.concat_arrays([c.array(ERROR) for c in chunks]))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=chunks[0].table.schema.metadata))


# ---------------------------------------------------------------------------- reading
class StoredChunk:
    """A finished chunk read back: its points, a summary of each metric column, the columns in the table's types."""

    #: The number of points.
    size: int

    def first(self) -> int | None:
        """The number of the first point (``None`` when the chunk has no points)."""
        raise NotImplementedError

    def consecutive(self) -> bool:
        """Whether the points are numbered ``first, first + 1, ...``."""
        raise NotImplementedError

    def summary(self) -> list[tuple[str, set[type], int]]:
        """Each metric column in first-seen order: the Python types of its values, and how many points have one."""
        raise NotImplementedError

    def column(self, key: str, kind: str, dtype: Any) -> Any:
        """The metric ``key`` in the table type ``kind`` (see :func:`column_type`; ``dtype`` is :func:`str_dtype`)."""
        raise NotImplementedError

    def records(self) -> list[dict[str, Any]]:
        """``{"point": i, "metrics": {...}, "error": ...}`` per point, in order (a failed point has no metrics)."""
        raise NotImplementedError


class JsonChunk(StoredChunk):
    """A JSON-lines chunk (point-by-point evaluation)."""

    def __init__(self, data: Any) -> None:
        text = data if isinstance(data, str) else bytes(data).decode("utf-8")
        self._records = [json.loads(line) for line in text.splitlines() if line.strip()]
        self.size = len(self._records)
        self._metrics = [r["metrics"] for r in self._records]
        self._columns: dict[str, list[Any]] = {}

    def first(self) -> int | None:
        return int(self._records[0]["point"]) if self._records else None

    def consecutive(self) -> bool:
        start = self.first() or 0
        return [r["point"] for r in self._records] == list(range(start, start + self.size))

    def _values(self, key: str) -> list[Any]:
        values = self._columns.get(key)
        if values is None:
            values = self._columns[key] = [m.get(key) for m in self._metrics]
        return values

    def summary(self) -> list[tuple[str, set[type], int]]:
        out = []
        for key in dict.fromkeys(k for m in self._metrics for k in m):
            values = self._values(key)
            out.append((key, set(map(type, values)) - {_NONE}, len(values) - values.count(None)))
        return out

    def column(self, key: str, kind: str, dtype: Any) -> Any:
        if key == ERROR:
            return values_column([r["error"] for r in self._records], kind, dtype)
        return values_column(self._values(key), kind, dtype)

    def records(self) -> list[dict[str, Any]]:
        return self._records


class ArrowChunk(StoredChunk):
    """An Arrow IPC chunk (columnar evaluation): typed columns, nulls for missing values."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.size = table.num_rows
        meta = table.schema.metadata or {}
        self._first = int(meta[FIRST_KEY]) if FIRST_KEY in meta else None
        self.keys = [k for k in table.column_names if k != ERROR]
        #: The columns that hold values of several types, as JSON text.
        self.mixed_keys = {f.name for f in table.schema if (f.metadata or {}).get(MIXED_KEY) == MIXED_VALUE}

    @classmethod
    def from_bytes(cls, data: Any) -> ArrowChunk:
        """The chunk in the bytes of an Arrow IPC file (``bytes`` or a ``pyarrow.Buffer``)."""
        import pyarrow as pa

        return cls(pa.ipc.open_file(pa.py_buffer(data)).read_all())

    @classmethod
    def from_path(cls, path: str | Path) -> ArrowChunk:
        """The chunk in an Arrow IPC file (memory-mapped: only what is used is read)."""
        import pyarrow as pa

        return cls(pa.ipc.open_file(pa.memory_map(str(path))).read_all())

    def first(self) -> int | None:
        return self._first

    def consecutive(self) -> bool:
        return self._first is not None and ERROR in self.table.column_names

    def array(self, key: str) -> pa.Array:
        """The column ``key`` as one Arrow array."""
        column = self.table.column(key)
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()

    def values(self, key: str) -> list[Any]:
        """The column ``key`` as Python values, ``None`` where missing."""
        values = self.array(key).to_pylist()
        return [None if v is None else json.loads(v) for v in values] if key in self.mixed_keys else values

    def summary(self) -> list[tuple[str, set[type], int]]:
        import pyarrow as pa

        python = {pa.bool_(): bool, pa.int64(): int, pa.float64(): float, pa.string(): str}
        out = []
        for field in self.table.schema:
            if field.name == ERROR:
                continue
            if field.name in self.mixed_keys:
                values = self.values(field.name)
                out.append((field.name, set(map(type, values)) - {_NONE}, len(values) - values.count(None)))
                continue
            present = self.size - self.table.column(field.name).null_count
            seen = {python[field.type]} if present and field.type in python else set()
            out.append((field.name, seen, present))
        return out

    def column(self, key: str, kind: str, dtype: Any) -> Any:
        import pandas as pd
        import pyarrow as pa

        if key not in self.table.column_names:
            return missing_column(self.size, kind, dtype)
        if key in self.mixed_keys:
            return values_column(self.values(key), kind, dtype)
        array = self.array(key)
        if array.null_count == self.size:  # no value here (of whatever type): as the table's type has it missing
            return missing_column(self.size, kind, dtype)
        if kind in ("bool", "int64"):  # every point has a value
            return np.asarray(array.to_numpy(zero_copy_only=False), dtype=kind)
        if kind == "float64":  # int64 or float64, nulls as NaN
            return np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)
        if array.type == pa.string():
            if kind == "str" and isinstance(dtype, pd.StringDtype):
                return _arrow_strings(array, dtype)
            return array.to_numpy(zero_copy_only=False)  # object: str and None
        # object: Python values (bool, int or float), None where missing
        out = array.fill_null(False if array.type == pa.bool_() else 0).to_numpy(zero_copy_only=False).astype(object)
        if array.null_count:
            out[np.asarray(array.is_null().to_numpy(zero_copy_only=False))] = None
        return out

    def records(self) -> list[dict[str, Any]]:
        columns = [self.values(k) for k in self.keys]
        errors = self.array(ERROR).to_pylist()
        first = self._first or 0
        out = []
        for i, error in enumerate(errors):
            metrics = {k: col[i] for k, col in zip(self.keys, columns, strict=True)} if error is None else {}
            out.append({"point": first + i, "metrics": metrics, "error": error})
        return out


def decode(part: ChunkFile) -> StoredChunk:
    """A chunk file's contents read back."""
    return ArrowChunk.from_bytes(part.data) if part.suffix == ARROW else JsonChunk(part.data)


def read(path: str | Path) -> StoredChunk:
    """The chunk stored at ``path`` (``.arrow`` or ``.jsonl``)."""
    p = Path(path)
    if p.suffix == ARROW:
        return ArrowChunk.from_path(p)
    return JsonChunk(p.read_bytes())
