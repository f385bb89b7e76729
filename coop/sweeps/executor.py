"""Run a sweep: evaluate every point of a design, serially, in a local process pool or on a Dask cluster.

The points are cut into chunks of contiguous points. Each finished chunk is
written to a *store* folder as one file (``chunk-000012.jsonl`` or
``chunk-000012.arrow``, see :mod:`coop.sweeps.columns`; written to a temporary
name and renamed, so a file is whole or absent), next to a ``manifest.json``
that records the design, the chunk size and the evaluate function. So:

- ``resume=True`` computes only the chunks not yet stored, and refuses a store
  that holds a different design or evaluate function;
- a killed run loses at most the chunks in flight; Ctrl-C stops at once, keeps
  every finished chunk and says on stderr how to resume;
- memory stays flat in the number of points: at most a window of chunks is in
  flight, and the table is built from the store chunk by chunk.

An evaluate function with a batched path, ``evaluate_columns(names, values) ->
ColumnChunk | None`` (:class:`coop.sweeps.columns.ColumnChunk`), gets a whole
chunk at once and its answer is stored as an Arrow file; where it answers
``None`` (or raises) the chunk is evaluated point by point. The table does not
depend on which path computed a chunk.

Unless a chunk size is given, the first points are evaluated in this process in
growing batches to time the evaluate function, and chunks then last about
:data:`CHUNK_SECONDS` (at most :data:`MAX_CHUNK` points); the probe's points are
kept, as the start of the first chunk. The chunk size is recorded in the
manifest, so a resumed sweep keeps its own.

A point whose evaluation raises is recorded with the error message in the
``error`` column (an :class:`coop.errors.InputError`'s text as is) and the sweep
goes on. The table is the same whatever ran it (serial, local processes, Dask)
and however it was cut into chunks: rows in point order, the parameter columns,
then the metric columns in the order first seen along the points, then
``error``; each column's type follows from all its values (see
:meth:`SweepStore.column_types`).

Examples
--------
>>> from coop.sweeps.design import make_design
>>> table = run_sweep(lambda p: {"x2": p["x"] ** 2, "big": p["x"] > 1}, make_design(["x=0:2:3"]), workers=1,
...                   progress=False)
>>> table[["x", "x2", "big"]]
         x   x2    big
point
0      0.0  0.0  False
1      1.0  1.0  False
2      2.0  4.0   True
>>> list(table.columns), bool(table["error"].isna().all())
(['x', 'x2', 'big', 'error'], True)
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import json
import math
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.sweeps.columns import (
    ARROW,
    ERROR,
    JSONL,
    ChunkFile,
    ColumnChunk,
    StoredChunk,
    column_type,
    encode_columns,
    encode_records,
    merge,
    read,
    str_dtype,
    values_column,
)
from coop.sweeps.design import Design

if TYPE_CHECKING:
    import pandas as pd

    from coop.sections.base import Metric

#: ``evaluate(point) -> metrics``: a picklable callable from parameter values to named metric values; it may
#: also have ``evaluate_columns(names, values) -> ColumnChunk | None`` (:mod:`coop.sweeps.columns`).
Evaluate = Callable[[dict[str, float]], "Mapping[str, Metric]"]

__all__ = ["ColumnChunk", "SweepStore", "default_chunk_size", "evaluate_chunk", "execute", "run_sweep"]

#: The version of the store's layout.
STORE_FORMAT = 1
MANIFEST = "manifest.json"
#: At most this many points in one chunk, however fast the evaluate function.
MAX_CHUNK = 65_536
#: The chunk size when the time per point is not known: at most this many points.
UNTIMED_CHUNK = 256
#: The seconds a chunk lasts, between these bounds: long enough that the costs of a chunk (a file, sending it
#: to a worker) vanish, short enough that Ctrl-C or a killed worker loses little and the progress bar moves.
CHUNK_SECONDS = (0.25, 2.0)
#: The probe that times the evaluate function stops once one of its batches (after the first, which may
#: load and compile) takes this long.
PROBE_SECONDS = 0.05
#: The probe's first batch, and how its batches grow: point by point, and with a batched path.
PROBE_START = {"points": (1, 2), "columns": (64, 4)}
#: Chunks per worker the default chunk size aims at (for balance and a live progress bar).
CHUNKS_PER_WORKER = 8
#: Chunks in flight per worker (the rest wait in the parent, as chunk numbers).
WINDOW_PER_WORKER = 2
#: Seconds to wait for a Dask scheduler before giving up.
CONNECT_TIMEOUT = 5.0
#: The environment variable naming a Dask scheduler (``tcp://HOST:PORT``).
SCHEDULER_ENV = "COOP_SCHEDULER"
#: How local worker processes are started: a fork server where there is one (never a fork of a parent
#: that may hold Numba's threads), else spawn.
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


# ---------------------------------------------------------------------------- evaluation of a chunk
_PLAIN = frozenset({type(None), bool, int, str})
_SIMPLE = frozenset({type(None), bool, int, float, str})


def _plain(key: str, value: Any) -> Metric:
    """A metric value as a plain Python value; a float NaN is missing (``None``)."""
    if type(value) in _PLAIN:
        return value
    if type(value) is float:
        return None if value != value else value
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if value != value else value
    raise TypeError(f"metric {key!r} is {type(value).__name__}; a metric is a number, a flag, a label or None")


def _message(err: Exception) -> str:
    if isinstance(err, InputError):
        return str(err)
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _columns(evaluate: Evaluate, names: Sequence[str], values: np.ndarray) -> ColumnChunk | None:
    """The batched path's answer for these points, or ``None`` (no batched path, declined, or it raised: a warning)."""
    method = getattr(evaluate, "evaluate_columns", None)
    if method is None or not callable(method):
        return None
    try:
        return method(tuple(names), values)
    except Exception as err:  # the points are evaluated one by one, each failure recorded with its own message
        warnings.warn(f"evaluate_columns raised {_message(err)}; these {len(values)} points are evaluated one by "
                      "one", RuntimeWarning, stacklevel=2)
        return None


def evaluate_chunk(evaluate: Evaluate, names: Sequence[str], values: np.ndarray, first: int) -> ChunkFile:
    """Evaluate the points ``first, first + 1, ...`` (rows of ``values``) and return their chunk file.

    With a batched path (``evaluate.evaluate_columns``) that answers a
    :class:`~coop.sweeps.columns.ColumnChunk`, an Arrow file of its columns. Otherwise point by
    point, JSON lines: ``{"point": i, "metrics": {...}, "error": null}`` each; a point whose
    evaluation raises an :class:`Exception` has no metrics and the message in ``error``. This is
    what runs in a worker process or on a Dask worker.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(point) -> metrics``, and maybe ``evaluate_columns(names, values)``.
    names : sequence of str
        The parameters, one per column of ``values``.
    values : numpy.ndarray
        The points, shape ``(P, len(names))``.
    first : int
        The number of the first point.

    Returns
    -------
    ChunkFile
        The file's suffix (``.arrow`` or ``.jsonl``) and bytes.

    Raises
    ------
    TypeError, ValueError
        A batched answer that breaks the protocol (not a ``ColumnChunk``, columns of the wrong
        length or of values that are not metrics, a metric named like a parameter or ``error``).
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values):
        chunk = _columns(evaluate, names, values)
        if chunk is not None:
            return encode_columns(chunk, len(values), first, frozenset({*names, ERROR}))
    return _point_by_point(evaluate, names, values, first)


def _point_by_point(evaluate: Evaluate, names: Sequence[str], values: np.ndarray, first: int) -> ChunkFile:
    """The JSON-lines chunk file of these points, each evaluated on its own."""
    reserved = frozenset({*names, ERROR})
    records: list[tuple[dict[str, Metric], str | None]] = []
    for row in values.tolist():
        point = dict(zip(names, row, strict=True))
        metrics: dict[str, Metric] = {}
        error: str | None = None
        try:
            raw = evaluate(point)
            if (type(raw) is dict and reserved.isdisjoint(raw) and set(map(type, raw)) <= {str}
                    and set(map(type, raw.values())) <= _SIMPLE):  # plain values: only NaN to replace
                metrics = {k: v if v == v else None for k, v in raw.items()}
            else:
                for key, value in raw.items():
                    if key in reserved:
                        raise ValueError(f"metric {key!r} has the name of a parameter or of the error column")
                    metrics[str(key)] = _plain(key, value)
        except Exception as err:  # recorded, the sweep goes on
            metrics, error = {}, _message(err)
        records.append((metrics, error))
    return encode_records(records, first)


def describe_evaluate(evaluate: Evaluate) -> str:
    """What identifies an evaluate function in a store's manifest: a dataclass' repr, else its qualified name."""
    if dataclasses.is_dataclass(evaluate) or hasattr(evaluate, "func"):  # dataclass instance, functools.partial
        return repr(evaluate)
    target = evaluate if hasattr(evaluate, "__qualname__") else type(evaluate)
    return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', repr(target))}"


# ---------------------------------------------------------------------------- the store
@dataclass(frozen=True)
class SweepStore:
    """A folder of finished chunks and the manifest of the sweep they belong to.

    Attributes
    ----------
    path : Path
        The folder.
    design : Design
        The sweep's design.
    chunk_size : int
        Points per chunk (the last chunk may be shorter).
    evaluator : str
        What evaluated the points (:func:`describe_evaluate`).
    durable : bool
        Whether each chunk file is flushed to disk (``fsync``) before it counts as finished, so
        that it survives a crash of the machine, not only of the process.
    """

    path: Path
    design: Design
    chunk_size: int
    evaluator: str
    durable: bool = field(default=True, compare=False, repr=False)

    # -- creation
    @classmethod
    def open(cls, path: str | Path) -> SweepStore:
        """The store at ``path`` (its manifest must exist)."""
        folder = Path(path)
        try:
            data = json.loads((folder / MANIFEST).read_text())
            if data.get("format") != STORE_FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            return cls(folder, Design.from_dict(data["design"]), int(data["chunk_size"]), str(data["evaluate"]))
        except FileNotFoundError:
            raise InputError("no sweep is stored here (no manifest.json)", source=str(folder)) from None
        except (ValueError, KeyError, TypeError) as err:
            raise InputError(f"the sweep's manifest.json is not readable ({err})", source=str(folder)) from None

    @classmethod
    def prepare(cls, path: str | Path, design: Design, evaluator: str, *, resume: bool = False,
                force: bool = False) -> SweepStore | None:
        """The stored sweep to resume, or ``None`` once ``path`` is ready for a new one (nothing left in it).

        Raises
        ------
        coop.errors.InputError
            The folder holds a sweep and neither ``resume`` nor ``force`` was given, or ``resume`` was
            given and the stored sweep has another design or evaluate function.
        """
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise InputError("the sweep store must be a folder, and this is a file", source=str(folder))
        if (folder / MANIFEST).exists() and not force:
            if not resume:
                raise InputError("this folder already holds a sweep; resume it (--resume) or start over (--force)",
                                 source=str(folder))
            old = cls.open(folder)
            if old.design.to_dict() != _json_round_trip(design.to_dict()):
                raise InputError("the stored sweep has a different design; use another store folder, or --force "
                                 "to start over", source=str(folder))
            if old.evaluator != evaluator:
                raise InputError(f"the stored sweep was evaluated by {old.evaluator}, not {evaluator}; use another "
                                 "store folder, or --force to start over", source=str(folder))
            return old
        folder.mkdir(parents=True, exist_ok=True)
        for stale in [folder / MANIFEST, *folder.glob("chunk-*.jsonl"), *folder.glob("chunk-*.arrow"),
                      *folder.glob("chunk-*.tmp")]:
            stale.unlink(missing_ok=True)
        return None

    @classmethod
    def create(cls, path: str | Path, design: Design, chunk_size: int, evaluator: str, *, resume: bool = False,
               force: bool = False, durable: bool = True) -> SweepStore:
        """Open the store at ``path`` for this sweep: a new one, or with ``resume`` the same sweep's chunks.

        ``durable`` is the store's :attr:`durable`.

        Raises
        ------
        coop.errors.InputError
            As :meth:`prepare`.
        """
        old = cls.prepare(path, design, evaluator, resume=resume, force=force)
        if old is not None:
            return dataclasses.replace(old, durable=durable)
        store = cls(Path(path), design, max(1, int(chunk_size)), evaluator, durable)
        manifest = {"format": STORE_FORMAT, "design": design.to_dict(), "chunk_size": store.chunk_size,
                    "evaluate": evaluator}
        _write_atomic(store.path / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"), durable)
        return store

    # -- chunks
    @property
    def n_chunks(self) -> int:
        """How many chunks the sweep has."""
        return -(-self.design.size // self.chunk_size)

    def bounds(self, chunk: int) -> tuple[int, int]:
        """The points ``[start, stop)`` of a chunk."""
        start = chunk * self.chunk_size
        return start, min(start + self.chunk_size, self.design.size)

    def chunk_path(self, chunk: int) -> Path:
        """The file of a chunk: the one stored (``.arrow`` or ``.jsonl``), else the ``.jsonl`` name."""
        arrow = self.path / f"chunk-{chunk:06d}{ARROW}"
        return arrow if arrow.exists() else self.path / f"chunk-{chunk:06d}{JSONL}"

    def finished(self) -> list[int]:
        """The chunks on disk, in order."""
        out = set()
        for p in self.path.glob("chunk-*"):
            if p.suffix not in (JSONL, ARROW):
                continue
            try:
                k = int(p.stem.split("-", 1)[1])
            except ValueError:
                continue
            if 0 <= k < self.n_chunks:
                out.add(k)
        return sorted(out)

    def points_done(self) -> int:
        """How many points the finished chunks hold."""
        return sum(b - a for a, b in map(self.bounds, self.finished()))

    def write_chunk(self, chunk: int, data: ChunkFile | str) -> None:
        """Store a finished chunk (its file, or the text of its JSON lines): whole, or not at all."""
        part = ChunkFile(JSONL, data.encode("utf-8")) if isinstance(data, str) else data
        _write_atomic(self.path / f"chunk-{chunk:06d}{part.suffix}", part.data, sync=self.durable)

    def read_chunk(self, chunk: int) -> StoredChunk:
        """A finished chunk, read back (checked: it holds the chunk's points).

        Raises
        ------
        coop.errors.InputError
            The file is not readable, or holds other points.
        """
        path = self.chunk_path(chunk)
        start, stop = self.bounds(chunk)
        try:
            stored = read(path)
        except FileNotFoundError:
            raise
        except Exception as err:  # a truncated or foreign file
            reason = " ".join(str(err).split()) or type(err).__name__
            raise InputError(f"chunk {chunk} of the sweep is damaged ({reason}); delete its file and resume",
                             source=str(path)) from None
        if stored.size != stop - start or not stored.consecutive() or (stored.size and stored.first() != start):
            raise InputError(f"chunk {chunk} of the sweep is damaged (its points are not {start} to {stop - 1}); "
                             "delete its file and resume", source=str(path))
        return stored

    def records(self, chunk: int) -> list[dict[str, Any]]:
        """A finished chunk's records, in point order: ``{"point": i, "metrics": {...}, "error": ...}``."""
        return self.read_chunk(chunk).records()

    # -- the table
    def column_types(self) -> dict[str, str]:
        """The metric columns in first-seen order, each with the type its values make.

        ``"bool"`` and ``"int64"`` for flags and counts that every point has; ``"float64"`` for
        numbers (ints and floats together), missing as NaN; ``"str"`` for labels (pandas' string
        type from pandas 3 on), missing as NaN; ``"object"`` for flags or counts missing at some
        points and for mixed values: Python values as they are, missing as None (so a flag stays
        ``True``/``False`` and a count an ``int``). Each chunk is summarised as a whole (an Arrow
        chunk from its column types and null counts), never value by value.
        """
        return _types(self.read_chunk(k) for k in self.finished())

    def column_summary(self) -> dict[str, tuple[set[type], bool]]:
        """Each metric column in first-seen order: the Python types of its values, and whether some point lacks one.

        What :meth:`column_types` follows from (:func:`coop.sweeps.columns.column_type`).
        """
        return _summary(self.read_chunk(k) for k in self.finished())

    def tables(self, types: Mapping[str, str] | None = None) -> Iterator[pd.DataFrame]:
        """The table, one finished chunk at a time (same columns and types in every part)."""
        types = self.column_types() if types is None else types
        for chunk in self.finished():
            yield self._frame(chunk, self.read_chunk(chunk), types)

    def _frame(self, chunk: int, stored: StoredChunk, types: Mapping[str, str]) -> pd.DataFrame:
        import pandas as pd

        dtype = str_dtype()
        start, stop = self.bounds(chunk)
        index = pd.RangeIndex(start, stop, name="point")
        data: dict[str, Any] = {}
        values = self.design.values(start, stop)
        for j, name in enumerate(self.design.names):
            data[name] = values[:, j]
        for key, kind in types.items():
            data[key] = _as_column(stored.column(key, kind, dtype), kind, index)
        data[ERROR] = stored.column(ERROR, "str", dtype)
        return pd.DataFrame(data, index=index)

    def table(self) -> pd.DataFrame:
        """The table of every finished point: parameters, metrics (first-seen order), ``error``."""
        import pandas as pd

        finished = self.finished()
        stored = [self.read_chunk(k) for k in finished]  # each file read once (Arrow files memory-mapped)
        types = _types(stored)
        parts = [self._frame(k, c, types) for k, c in zip(finished, stored, strict=True)]
        del stored
        if parts:
            return pd.concat(parts) if len(parts) > 1 else parts[0]
        dtype = str_dtype()
        empty: dict[str, Any] = {name: np.empty(0) for name in self.design.names}
        index = pd.RangeIndex(0, 0, name="point")
        empty.update({key: _as_column(values_column([], kind, dtype), kind, index) for key, kind in types.items()})
        empty[ERROR] = values_column([], "str", dtype)
        return pd.DataFrame(empty, index=index)


def _as_column(values: Any, kind: str, index: pd.RangeIndex) -> Any:
    """An object column stays one (pandas 3 would make an object array of only labels a string column)."""
    import pandas as pd

    return pd.Series(values, index=index, dtype=object, copy=False) if kind == "object" else values


def _summary(chunks: Iterable[StoredChunk]) -> dict[str, tuple[set[type], bool]]:
    """Each metric column over these chunks, in first-seen order: the types of its values, whether some lack one."""
    seen: dict[str, set[type]] = {}
    present: dict[str, int] = {}
    rows = 0
    for stored in chunks:
        rows += stored.size
        for key, kinds, count in stored.summary():
            seen.setdefault(key, set()).update(kinds)
            present[key] = present.get(key, 0) + count
    return {key: (kinds, present[key] < rows) for key, kinds in seen.items()}


def _types(chunks: Iterable[StoredChunk]) -> dict[str, str]:
    """The metric columns' types (:func:`coop.sweeps.columns.column_type`) over these chunks, in first-seen order."""
    return {key: column_type(kinds, missing) for key, (kinds, missing) in _summary(chunks).items()}


def _json_round_trip(data: Any) -> Any:
    return json.loads(json.dumps(data))


def _write_atomic(path: Path, data: bytes, sync: bool = True) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file renamed over it, removed if interrupted."""
    tmp = path.with_name(path.name.rsplit(".", 1)[0] + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:  # Ctrl-C between the write and the rename included: no .tmp left in the store
        tmp.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------- running
def available_cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _balance(points: int, workers: int) -> int:
    return math.ceil(points / (max(1, workers) * CHUNKS_PER_WORKER))


def default_chunk_size(points: int, workers: int, seconds_per_point: float | None = None) -> int:
    """The chunk size of a sweep of ``points`` points on ``workers`` workers.

    About :data:`CHUNKS_PER_WORKER` chunks per worker (for balance and a live progress bar), as long as
    a chunk lasts between the bounds of :data:`CHUNK_SECONDS` at ``seconds_per_point``; at most
    :data:`MAX_CHUNK` points, and at most :data:`UNTIMED_CHUNK` when the time per point is not known.

    Examples
    --------
    >>> default_chunk_size(10**6, 2), default_chunk_size(10**6, 2, 1e-6), default_chunk_size(10**4, 2, 0.1)
    (256, 65536, 20)
    """
    balance = _balance(points, workers)
    if seconds_per_point is None or not seconds_per_point > 0:
        return max(1, min(UNTIMED_CHUNK, balance))
    low, high = (math.ceil(s / seconds_per_point) if math.isfinite(s / seconds_per_point) else MAX_CHUNK
                 for s in CHUNK_SECONDS)
    return max(1, min(MAX_CHUNK, max(1, high), max(low, balance)))


@dataclass
class _Probe:
    """The first points, evaluated in this process to time the evaluate function: they start the first chunk."""

    parts: list[ChunkFile]
    done: int
    seconds_per_point: float


def _probe(evaluate: Evaluate, design: Design, limit: int, progress: _Progress) -> _Probe:
    """Evaluate the first points (at most ``limit``) in growing batches until one takes :data:`PROBE_SECONDS`.

    With a batched path the batches start larger; once it declines (answers ``None``), the probe goes
    on point by point from a single point, as a slow evaluate function needs.
    """
    names = design.names
    reserved = frozenset({*names, ERROR})
    columnar = callable(getattr(evaluate, "evaluate_columns", None))
    batch, growth = PROBE_START["columns" if columnar else "points"]
    total = min(design.size, max(1, limit))
    parts: list[ChunkFile] = []
    done, seconds, warm = 0, math.inf, True
    while done < total:
        n = min(batch, total - done)
        values = design.values(done, done + n)
        began = time.perf_counter()
        chunk = _columns(evaluate, names, values) if columnar else None
        if chunk is not None:
            parts.append(encode_columns(chunk, n, done, reserved))
        else:
            if columnar:  # declined: point by point from here on, starting with one point
                columnar, growth, n = False, PROBE_START["points"][1], 1
                began = time.perf_counter()
            parts.append(_point_by_point(evaluate, names, values[:n], done))
        took = time.perf_counter() - began
        progress.update(n)
        done += n
        seconds = took / n
        if not warm and took >= PROBE_SECONDS:
            break
        # after the first batch (which may load and compile), a slow evaluate function is timed on one point
        batch = 1 if warm and seconds >= CHUNK_SECONDS[1] else n * growth
        warm = False
    return _Probe(parts, done, seconds)


def _scheduler_address(scheduler: str | None) -> tuple[str | None, str]:
    """The scheduler's address and where it came from; ``""`` means this machine, whatever the environment says."""
    if scheduler is not None:
        return (scheduler.strip() or None), "--scheduler"
    env = os.environ.get(SCHEDULER_ENV, "").strip()
    return (env, SCHEDULER_ENV) if env else (None, "")


def connect(address: str, timeout: float | None = None, origin: str = "--scheduler") -> Any:
    """A ``distributed.Client`` of the scheduler at ``address``, or one :class:`InputError` line within ``timeout``.

    ``timeout`` defaults to :data:`CONNECT_TIMEOUT` seconds; ``origin`` says where the address came from.
    """
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    try:
        from distributed import Client
    except ImportError:
        raise InputError("running on a Dask cluster needs the 'cluster' extra: pip install 'coop[cluster]'") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except Exception as err:
        reason = " ".join(str(err).split()) or type(err).__name__
        raise InputError(f"cannot reach the Dask scheduler at {address} (from {origin}): {reason}; is it running "
                         "('dask scheduler' starts one)?") from None


class _Progress:
    """A tqdm bar on stderr (points done, rate, time left), or nothing."""

    def __init__(self, total: int, initial: int, show: bool) -> None:
        self.bar: Any = None
        if show:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="pt", desc="sweep", file=sys.stderr,
                            dynamic_ncols=True, mininterval=0.5, smoothing=0.1)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the parent, which stops them (no traceback from every worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a pool now: drop the queued chunks and end the workers (their chunks in flight are lost)."""
    pool.shutdown(wait=False, cancel_futures=True)
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # before 3.14: no public way
        with contextlib.suppress(Exception):
            process.terminate()


def _task(store: SweepStore, chunk: int, head: _Probe | None) -> tuple[int, int, list[ChunkFile]]:
    """The points of a chunk still to evaluate, ``[start, stop)``, and its parts already done (the probe's)."""
    start, stop = store.bounds(chunk)
    if head is not None and chunk == 0:
        return head.done, stop, list(head.parts)
    return start, stop, []


def _run_serial(evaluate: Evaluate, store: SweepStore, todo: Sequence[int], progress: _Progress,
                head: _Probe | None) -> None:
    names = store.design.names
    for chunk in todo:
        start, stop, parts = _task(store, chunk, head)
        if start < stop:
            parts.append(evaluate_chunk(evaluate, names, store.design.values(start, stop), start))
        store.write_chunk(chunk, merge(parts))
        progress.update(stop - start)


def _run_pool(evaluate: Evaluate, store: SweepStore, todo: Sequence[int], workers: int, progress: _Progress,
              head: _Probe | None) -> None:
    names = store.design.names
    context = multiprocessing.get_context(START_METHOD)
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_sigint)
    queue = iter(todo)
    running: dict[cf.Future[ChunkFile], int] = {}

    def submit_next() -> None:
        chunk = next(queue, None)
        if chunk is not None:
            start, stop, _ = _task(store, chunk, head)
            running[pool.submit(evaluate_chunk, evaluate, names, store.design.values(start, stop), start)] = chunk

    try:
        for _ in range(WINDOW_PER_WORKER * workers):
            submit_next()
        while running:
            done, _ = cf.wait(list(running), timeout=0.5, return_when=cf.FIRST_COMPLETED)
            for future in done:
                chunk = running.pop(future)
                start, stop, parts = _task(store, chunk, head)
                store.write_chunk(chunk, merge([*parts, future.result()]))
                progress.update(stop - start)
                submit_next()
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def _run_dask(evaluate: Evaluate, store: SweepStore, todo: Sequence[int], client: Any, progress: _Progress,
              head: _Probe | None) -> None:
    from distributed import as_completed

    names = store.design.names
    queue = iter(todo)
    running: dict[Any, int] = {}  # future -> chunk

    def submit_next() -> Any:
        chunk = next(queue, None)
        if chunk is None:
            return None
        start, stop, _ = _task(store, chunk, head)
        future = client.submit(evaluate_chunk, evaluate, names, store.design.values(start, stop), start, pure=False)
        running[future] = chunk
        return future

    try:
        window = WINDOW_PER_WORKER * max(1, len(client.scheduler_info().get("workers", {})))
        first = [f for f in (submit_next() for _ in range(window)) if f is not None]
        batch = as_completed(first, loop=client.loop)
        for future in batch:
            chunk = running.pop(future)
            start, stop, parts = _task(store, chunk, head)
            store.write_chunk(chunk, merge([*parts, future.result()]))
            future.release()
            progress.update(stop - start)
            following = submit_next()
            if following is not None:
                batch.add(following)
    finally:
        with contextlib.suppress(Exception):
            client.cancel(list(running))


def execute(evaluate: Evaluate, design: Design, store: str | Path, *, resume: bool = False, force: bool = False,
            workers: int | None = None, scheduler: str | None = None, chunk_size: int | None = None,
            progress: bool | None = None, resume_hint: str | None = None, durable: bool = True) -> SweepStore:
    """Evaluate every point of ``design`` not yet in ``store``, writing each finished chunk there.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(point) -> metrics``, picklable (e.g. :class:`coop.sweeps.point.PointEvaluator`):
        ``point`` maps each swept parameter to its value; ``metrics`` maps names to numbers,
        flags, labels or None. It may also have ``evaluate_columns(names, values) -> ColumnChunk
        | None``, which evaluates a whole chunk at once (:mod:`coop.sweeps.columns`).
    design : Design
        The points.
    store : str or Path
        The folder of the chunks and their manifest (created if needed).
    resume : bool
        Keep the chunks already stored for this same sweep and compute only the rest.
    force : bool
        Start over in a folder that holds a sweep (its chunks are deleted).
    workers : int, optional
        Local processes (default: every core); 1 runs in this process. Ignored with a scheduler.
    scheduler : str, optional
        A Dask scheduler, ``tcp://HOST:PORT`` (default: the ``COOP_SCHEDULER`` environment variable,
        if set; ``""`` runs on this machine even when it is set); its workers need coop installed.
    chunk_size : int, optional
        Points per chunk; a resumed sweep keeps its own. By default the first points are evaluated
        here in growing batches, to time ``evaluate``, and the chunk size is
        :func:`default_chunk_size` at that time per point (those points are kept).
    progress : bool, optional
        Show a progress bar on stderr (default: when stderr is a terminal).
    resume_hint : str, optional
        How to resume, said on stderr after an interruption; ``{store}`` is replaced by the folder.
    durable : bool
        Flush each chunk file to disk before it counts as finished (``fsync``), so that a crash of
        the machine does not leave a damaged chunk; a throwaway store can do without.

    Returns
    -------
    SweepStore
        The store, complete.

    Notes
    -----
    Local worker processes are started by a fork server (by spawning where there is none), never
    forked from this process, which may hold Numba's threads. So, as with any multiprocessing code,
    a script that runs a sweep on several workers keeps its work under ``if __name__ == "__main__":``.
    Each worker unpickles ``evaluate`` once per chunk; an evaluate function that loads a scenario
    should cache it per process (as :class:`coop.sweeps.point.PointEvaluator` does).

    Raises
    ------
    coop.errors.InputError
        A store that holds another sweep, a bad number of workers, an unreachable scheduler.
    KeyboardInterrupt
        After Ctrl-C, once the workers are stopped; every finished chunk is kept.
    """
    address, origin = _scheduler_address(scheduler)
    if address is None:
        cores = available_cores() if workers is None else workers
        if isinstance(cores, bool) or not isinstance(cores, int) or cores < 1:
            raise InputError(f"workers must be a whole number >= 1, got {workers!r}")
    else:
        cores = 1
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1):
        raise InputError(f"the chunk size must be a whole number >= 1, got {chunk_size!r}")
    if address is None and cores > 1:
        try:
            pickle.dumps(evaluate)
        except Exception as err:
            raise TypeError(f"evaluate must be picklable to run in worker processes ({err}); define it at module "
                            "level, or use workers=1") from None
    client = connect(address, origin=origin) if address is not None else None  # unreachable: one line, up front
    evaluator = describe_evaluate(evaluate)
    sweep_store: SweepStore | None = None
    try:
        sweep_store = SweepStore.prepare(store, design, evaluator, resume=resume, force=force)
        show = sys.stderr.isatty() if progress is None else progress
        bar = _Progress(design.size, sweep_store.points_done() if sweep_store is not None else 0, show)
        try:
            head = None
            if sweep_store is None:  # a new sweep: its chunk size, timed on its first points unless given
                if client is not None:
                    cores = max(1, len(client.scheduler_info().get("workers", {})))
                size = chunk_size
                if size is None:
                    head = _probe(evaluate, design, min(MAX_CHUNK, _balance(design.size, cores)), bar)
                    size = max(head.done, default_chunk_size(design.size, cores, head.seconds_per_point))
                sweep_store = SweepStore.create(store, design, size, evaluator, durable=durable)
            else:
                sweep_store = dataclasses.replace(sweep_store, durable=durable)
            done = set(sweep_store.finished())
            todo = [k for k in range(sweep_store.n_chunks) if k not in done]
            if head is not None and head.done == sweep_store.bounds(0)[1]:  # the probe did the first chunk
                sweep_store.write_chunk(0, merge(head.parts))
                todo, head = todo[1:], None
            if not todo:
                pass
            elif client is not None:
                _run_dask(evaluate, sweep_store, todo, client, bar, head)
            elif cores == 1 or len(todo) == 1:
                _run_serial(evaluate, sweep_store, todo, bar, head)
            else:
                _run_pool(evaluate, sweep_store, todo, min(cores, len(todo)), bar, head)
        except BaseException as err:
            bar.close()
            hint = (resume_hint or "resume with the same store and resume=True").replace("{store}", str(store))
            what = "interrupted" if isinstance(err, KeyboardInterrupt) else f"stopped ({type(err).__name__})"
            kept = sweep_store.points_done() if sweep_store is not None else 0
            print(f"coop sweep {what}: {kept} of {design.size} points are kept in {store}; {hint}", file=sys.stderr,
                  flush=True)
            err.sweep_reported = True  # type: ignore[attr-defined]  # the command line adds no second line
            raise
        bar.close()
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close(timeout=2)
    return sweep_store


def run_sweep(evaluate: Evaluate, design: Design, *, store: str | Path | None = None, resume: bool = False,
              force: bool = False, workers: int | None = None, scheduler: str | None = None,
              chunk_size: int | None = None, progress: bool | None = None,
              resume_hint: str | None = None) -> pd.DataFrame:
    """Evaluate every point of ``design`` and return the table (see :func:`execute` for the parameters).

    Without ``store`` the chunks go to a temporary folder, removed once the table is built (kept,
    and named on stderr, after Ctrl-C, so the sweep can be resumed).

    Returns
    -------
    pandas.DataFrame
        One row per point, indexed by point number: the parameter columns (float64), the metric
        columns in the order first seen along the points, and ``error`` (the message of a point
        whose evaluation raised, else missing).
    """
    if store is not None:
        return execute(evaluate, design, store, resume=resume, force=force, workers=workers, scheduler=scheduler,
                       chunk_size=chunk_size, progress=progress, resume_hint=resume_hint).table()
    folder = Path(tempfile.mkdtemp(prefix="coop-sweep-"))
    try:
        table = execute(evaluate, design, folder, workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                        progress=progress, resume_hint=resume_hint, durable=False).table()
    except KeyboardInterrupt:
        raise  # the chunks stay, for a resume
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    shutil.rmtree(folder, ignore_errors=True)
    return table
