"""Write a sweep's table to a file chosen by its suffix: ``.csv``, ``.parquet`` or ``.json``.

Every format has the point number first (column ``point``), then the table's
columns. Missing values are empty cells in CSV, nulls in Parquet and ``null`` in
JSON (a list of records, one per point), never ``NaN``. An existing file is kept
unless ``force`` is given. A table can be written in parts (one per stored chunk,
:meth:`coop.sweeps.executor.SweepStore.tables`), so a sweep of any size is written
with flat memory; the file appears whole, under its name, only once it is complete
(:func:`coop.output_files.replacing`: a failed write leaves an existing file as it was).

Examples
--------
>>> import json, tempfile, pathlib
>>> import pandas as pd
>>> table = pd.DataFrame({"x": [0.0, 1.0], "label": ["a", None], "error": [None, "boom"]})
>>> path = pathlib.Path(tempfile.mkdtemp()) / "sweep.json"
>>> _ = write_table(table, path)
>>> json.loads(path.read_text())
[{'point': 0, 'x': 0.0, 'label': 'a', 'error': None}, {'point': 1, 'x': 1.0, 'label': None, 'error': 'boom'}]
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.output_files import check_target, replacing

if TYPE_CHECKING:
    import pandas as pd

    from coop.sweeps.executor import SweepStore

#: The output formats, by file suffix.
SUFFIXES: tuple[str, ...] = (".csv", ".parquet", ".json")


def check_output(path: str | Path, force: bool = False) -> Path:
    """The output path, checked before any work: a known suffix, no existing file unless ``force``, a
    folder that takes new files (:func:`coop.output_files.check_target`).

    Raises
    ------
    coop.errors.InputError
        An unknown suffix, an existing file without ``force``, a target that is not a regular file,
        a missing or unwritable folder.
    """
    out = Path(path)
    if out.suffix.lower() not in SUFFIXES:
        raise InputError(f"unknown output format {out.suffix or '(no suffix)'!r}; name the file .csv, .parquet or "
                         ".json", source=str(out))
    return check_target(out, force)


def json_cell(value: Any) -> Any:
    """A cell as JSON: Python scalars, with NaN, infinities and pandas' NA as None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (bool, int, str)):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _with_point(part: pd.DataFrame) -> pd.DataFrame:
    """The index (the point number) as a first column ``point``."""
    if part.index.name == "point" or "point" not in part.columns:
        return part.rename_axis("point").reset_index()
    return part.reset_index(drop=True)


def _write_csv(parts: Iterator[pd.DataFrame], fh: Any) -> None:
    first = True
    for part in parts:
        part.to_csv(fh, header=first, index=False, lineterminator="\n")
        first = False


def _records(part: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """The rows of ``part`` as JSON-safe records (:func:`json_cell` for every cell)."""
    columns = [str(c) for c in part.columns]
    for row in part.itertuples(index=False, name=None):
        yield {k: json_cell(v) for k, v in zip(columns, row, strict=True)}


def table_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A sweep's table as JSON-safe records, the point number first (what a ``.json`` output file holds)."""
    return list(_records(_with_point(table)))


def _write_json(parts: Iterator[pd.DataFrame], fh: Any) -> None:
    fh.write("[")
    sep = "\n"
    for part in parts:
        for record in _records(part):
            fh.write(sep + json.dumps(record, allow_nan=False))
            sep = ",\n"
    fh.write("\n]\n")


def _arrow_type(column: pd.Series) -> Any:
    """One Parquet type per column: by the dtype, or for Python values by the types present."""
    import pyarrow as pa

    kind = str(column.dtype)
    if kind in ("bool", "boolean"):
        return pa.bool_()
    if kind.startswith(("int", "Int")):
        return pa.int64()
    if kind.startswith("float"):
        return pa.float64()
    if kind == "object":
        seen = {type(v) for v in column if json_cell(v) is not None}
        if seen == {bool}:
            return pa.bool_()
        if seen == {int}:
            return pa.int64()
        if seen and seen <= {int, float}:
            return pa.float64()
    return pa.string()


def _arrow_ready(part: pd.DataFrame, schema: Any) -> pd.DataFrame:
    """Python-value columns cleaned for their Parquet type (missing as None; text for mixed values)."""
    import pandas as pd
    import pyarrow as pa

    out = part.copy()
    for field in schema:
        if out[field.name].dtype == object:
            cells = [json_cell(v) for v in out[field.name]]
            if field.type == pa.string():
                cells = [None if v is None else str(v) for v in cells]
            out[field.name] = pd.Series(cells, index=out.index, dtype=object)
    return out


def _write_parquet(parts: Iterator[pd.DataFrame], path: Path, types: Mapping[str, Any] | None = None) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("writing .parquet needs pyarrow: pip install pyarrow", source=str(path)) from None
    writer = None
    known = types or {}
    try:
        for part in parts:
            if writer is None:
                schema = pa.schema([(str(c), known.get(str(c)) or _arrow_type(part[c])) for c in part.columns])
                writer = pq.ParquetWriter(str(path), schema)
            writer.write_table(pa.Table.from_pandas(_arrow_ready(part, schema), schema=schema, preserve_index=False))
    finally:
        if writer is not None:
            writer.close()


def write_tables(parts: Iterable[pd.DataFrame], path: str | Path, *, force: bool = False,
                 parquet_types: Mapping[str, Any] | None = None) -> Path:
    """Write a table given in parts (same columns and types in each, at least one part) by ``path``'s suffix.

    Parameters
    ----------
    parts : iterable of pandas.DataFrame
        The table's rows in order, indexed by point number.
    path : str or Path
        ``.csv``, ``.parquet`` or ``.json``.
    force : bool
        Overwrite an existing file.
    parquet_types : mapping of str to pyarrow.DataType, optional
        The Parquet type of some columns, known from the whole table (an object column's type is
        otherwise judged from the first part's values).

    Returns
    -------
    Path
        The file written.
    """
    out = check_output(path, force)
    rows = (_with_point(p) for p in parts)
    suffix = out.suffix.lower()
    with replacing(out, force=force) as tmp:
        if suffix == ".parquet":
            _write_parquet(rows, tmp, parquet_types)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                (_write_csv if suffix == ".csv" else _write_json)(rows, fh)
    return out


def write_table(table: pd.DataFrame, path: str | Path, *, force: bool = False) -> Path:
    """Write a sweep's table by ``path``'s suffix (``.csv``, ``.parquet``, ``.json``); see :func:`write_tables`."""
    return write_tables([table], path, force=force)


def write_store(store: SweepStore, path: str | Path, *, force: bool = False) -> Path:
    """Write the table of a stored sweep chunk by chunk (memory flat in the number of points).

    An object column (flags or counts missing at some points, mixed values) gets the Parquet type
    its values make over the whole sweep, as :func:`write_table` of the whole table would give it.
    """
    from coop.sweeps.columns import column_type

    summary = store.column_summary()
    types = {key: column_type(seen, missing) for key, (seen, missing) in summary.items()}
    parquet = {key: _object_arrow_type(seen) for key, (seen, _) in summary.items() if types[key] == "object"}
    parts = store.tables(types)
    first = next(parts, None)
    if first is None:
        return write_table(store.table(), path, force=force)
    return write_tables(_chain(first, parts), path, force=force, parquet_types=parquet)


def _object_arrow_type(seen: set[type]) -> Any:
    """The Parquet type of an object column whose values have these Python types (as :func:`_arrow_type`)."""
    import pyarrow as pa

    if seen == {bool}:
        return pa.bool_()
    if seen == {int}:
        return pa.int64()
    if seen and seen <= {int, float}:
        return pa.float64()
    return pa.string()


def _chain(first: pd.DataFrame, rest: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    yield first
    yield from rest
