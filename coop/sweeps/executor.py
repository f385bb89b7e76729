"""Run a sweep: evaluate every point of a design, serially, in a local process pool or on a Dask cluster.

The points are cut into chunks of contiguous points. Each finished chunk is
written to a *store* folder as one JSON-lines file (``chunk-000012.jsonl``,
written to a temporary name and renamed, so a file is whole or absent), next to
a ``manifest.json`` that records the design and the evaluate function. So:

- ``resume=True`` computes only the chunks not yet stored, and refuses a store
  that holds a different design or evaluate function;
- a killed run loses at most the chunks in flight; Ctrl-C stops at once, keeps
  every finished chunk and says on stderr how to resume;
- memory stays flat in the number of points: at most a window of chunks is in
  flight, and the table is built from the store chunk by chunk.

A point whose evaluation raises is recorded with the error message in the
``error`` column (an :class:`coop.errors.InputError`'s text as is) and the sweep
goes on. The table is the same whatever ran it (serial, local processes, Dask):
rows in point order, the parameter columns, then the metric columns in the order
first seen along the points, then ``error``; each column's type follows from
all its values (see :meth:`SweepStore.column_types`).

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.sweeps.design import Design

if TYPE_CHECKING:
    import pandas as pd

    from coop.sections.base import Metric

#: ``evaluate(point) -> metrics``: a picklable callable from parameter values to named metric values.
Evaluate = Callable[[dict[str, float]], "Mapping[str, Metric]"]

#: The version of the store's layout.
STORE_FORMAT = 1
MANIFEST = "manifest.json"
#: At most this many points in one chunk (what Ctrl-C or a killed worker can cost, per worker).
MAX_CHUNK = 256
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
def _plain(key: str, value: Any) -> Metric:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        item = value.item()
        if isinstance(item, (bool, int, float, str)):
            return item
    raise TypeError(f"metric {key!r} is {type(value).__name__}; a metric is a number, a flag, a label or None")


def _message(err: Exception) -> str:
    if isinstance(err, InputError):
        return str(err)
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def evaluate_chunk(evaluate: Evaluate, names: Sequence[str], values: np.ndarray, first: int) -> str:
    """Evaluate the points ``first, first + 1, ...`` (rows of ``values``) and return their JSON lines.

    Each line is ``{"point": i, "metrics": {...}, "error": null}``; a point whose evaluation
    raises an :class:`Exception` has no metrics and the message in ``error``. This is what runs
    in a worker process or on a Dask worker.
    """
    reserved = {*names, "error"}
    lines = []
    for i, row in enumerate(np.asarray(values, dtype=np.float64)):
        point = {name: float(v) for name, v in zip(names, row, strict=True)}
        metrics: dict[str, Metric] = {}
        error: str | None = None
        try:
            for key, value in evaluate(point).items():
                if key in reserved:
                    raise ValueError(f"metric {key!r} has the name of a parameter or of the error column")
                metrics[str(key)] = _plain(key, value)
        except Exception as err:  # recorded, the sweep goes on
            metrics, error = {}, _message(err)
        lines.append(json.dumps({"point": first + i, "metrics": metrics, "error": error}))
    return "".join(line + "\n" for line in lines)


def describe_evaluate(evaluate: Evaluate) -> str:
    """What identifies an evaluate function in a store's manifest: a dataclass' repr, else its qualified name."""
    if dataclasses.is_dataclass(evaluate) or hasattr(evaluate, "func"):  # dataclass instance, functools.partial
        return repr(evaluate)
    target = evaluate if hasattr(evaluate, "__qualname__") else type(evaluate)
    return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', repr(target))}"


# ---------------------------------------------------------------------------- the store
def _str_dtype() -> Any:
    import pandas as pd

    return pd.Series(["x"]).dtype  # pandas >= 3: the string dtype; before: object


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
    """

    path: Path
    design: Design
    chunk_size: int
    evaluator: str

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
    def create(cls, path: str | Path, design: Design, chunk_size: int, evaluator: str, *, resume: bool = False,
               force: bool = False) -> SweepStore:
        """Open the store at ``path`` for this sweep: a new one, or with ``resume`` the same sweep's chunks.

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
        for stale in [*folder.glob("chunk-*.jsonl"), *folder.glob("chunk-*.tmp")]:
            stale.unlink()
        store = cls(folder, design, max(1, int(chunk_size)), evaluator)
        manifest = {"format": STORE_FORMAT, "design": design.to_dict(), "chunk_size": store.chunk_size,
                    "evaluate": evaluator}
        _write_atomic(folder / MANIFEST, json.dumps(manifest, indent=1) + "\n")
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
        return self.path / f"chunk-{chunk:06d}.jsonl"

    def finished(self) -> list[int]:
        """The chunks on disk, in order."""
        out = []
        for p in self.path.glob("chunk-*.jsonl"):
            try:
                k = int(p.stem.split("-", 1)[1])
            except ValueError:
                continue
            if 0 <= k < self.n_chunks:
                out.append(k)
        return sorted(out)

    def points_done(self) -> int:
        """How many points the finished chunks hold."""
        return sum(b - a for a, b in map(self.bounds, self.finished()))

    def write_chunk(self, chunk: int, text: str) -> None:
        """Store a finished chunk (its JSON lines): whole, or not at all."""
        _write_atomic(self.chunk_path(chunk), text)

    def records(self, chunk: int) -> list[dict[str, Any]]:
        """A finished chunk's records, in point order."""
        with open(self.chunk_path(chunk), encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    # -- the table
    def column_types(self) -> dict[str, str]:
        """The metric columns in first-seen order, each with the type its values make.

        ``"bool"`` and ``"int64"`` for flags and counts that every point has; ``"float64"`` for
        numbers (ints and floats together), missing as NaN; ``"str"`` for labels (pandas' string
        type from pandas 3 on), missing as NaN; ``"object"`` for flags or counts missing at some
        points and for mixed values: Python values as they are, missing as None (so a flag stays
        ``True``/``False`` and a count an ``int``).
        """
        kinds: dict[str, set[type]] = {}
        present: dict[str, int] = {}
        rows = 0
        for chunk in self.finished():
            for rec in self.records(chunk):
                rows += 1
                for key, value in rec["metrics"].items():
                    seen = kinds.setdefault(key, set())
                    if value is not None:
                        seen.add(type(value))
                        present[key] = present.get(key, 0) + 1
        out = {}
        for key, seen in kinds.items():
            missing = present.get(key, 0) < rows
            if seen == {bool}:
                out[key] = "object" if missing else "bool"
            elif seen == {int}:
                out[key] = "object" if missing else "int64"
            elif seen and seen <= {int, float}:
                out[key] = "float64"
            elif seen == {str}:
                out[key] = "str"
            else:
                out[key] = "object"
        return out

    def tables(self, types: Mapping[str, str] | None = None) -> Iterator[pd.DataFrame]:
        """The table, one finished chunk at a time (same columns and types in every part)."""
        import pandas as pd

        types = self.column_types() if types is None else types
        str_dtype = _str_dtype()
        for chunk in self.finished():
            start, stop = self.bounds(chunk)
            records = self.records(chunk)
            if [r["point"] for r in records] != list(range(start, stop)):
                raise InputError(f"chunk {chunk} of the sweep is damaged (its points are not {start} to {stop - 1}); "
                                 "delete its file and resume", source=str(self.chunk_path(chunk)))
            data: dict[str, Any] = {}
            values = self.design.values(start, stop)
            for j, name in enumerate(self.design.names):
                data[name] = values[:, j]
            for key, kind in types.items():
                data[key] = _column([r["metrics"].get(key) for r in records], kind, str_dtype)
            data["error"] = _column([r["error"] for r in records], "str", str_dtype)
            yield pd.DataFrame(data, index=pd.RangeIndex(start, stop, name="point"))

    def table(self) -> pd.DataFrame:
        """The table of every finished point: parameters, metrics (first-seen order), ``error``."""
        import pandas as pd

        types = self.column_types()
        parts = list(self.tables(types))
        if parts:
            return pd.concat(parts) if len(parts) > 1 else parts[0]
        str_dtype = _str_dtype()
        empty: dict[str, Any] = {name: np.empty(0) for name in self.design.names}
        empty.update({key: _column([], kind, str_dtype) for key, kind in types.items()})
        empty["error"] = _column([], "str", str_dtype)
        return pd.DataFrame(empty, index=pd.RangeIndex(0, 0, name="point"))


def _column(values: list[Any], kind: str, str_dtype: Any) -> Any:
    import pandas as pd

    if kind in ("bool", "int64"):
        return np.array(values, dtype=kind)
    if kind == "float64":
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if kind == "str" and isinstance(str_dtype, pd.StringDtype):
        return pd.array([np.nan if v is None else v for v in values], dtype=str_dtype)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _json_round_trip(data: Any) -> Any:
    return json.loads(json.dumps(data))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name.rsplit(".", 1)[0] + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# ---------------------------------------------------------------------------- running
def available_cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_chunk_size(points: int, workers: int) -> int:
    """About :data:`CHUNKS_PER_WORKER` chunks per worker, at most :data:`MAX_CHUNK` points each."""
    return max(1, min(MAX_CHUNK, math.ceil(points / (max(1, workers) * CHUNKS_PER_WORKER))))


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


def _run_serial(evaluate: Evaluate, store: SweepStore, todo: Sequence[int], progress: _Progress) -> None:
    names = store.design.names
    for chunk in todo:
        start, stop = store.bounds(chunk)
        store.write_chunk(chunk, evaluate_chunk(evaluate, names, store.design.values(start, stop), start))
        progress.update(stop - start)


def _run_pool(evaluate: Evaluate, store: SweepStore, todo: Sequence[int], workers: int,
              progress: _Progress) -> None:
    names = store.design.names
    context = multiprocessing.get_context(START_METHOD)
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_ignore_sigint)
    queue = iter(todo)
    running: dict[cf.Future[str], int] = {}

    def submit_next() -> None:
        chunk = next(queue, None)
        if chunk is not None:
            start, stop = store.bounds(chunk)
            running[pool.submit(evaluate_chunk, evaluate, names, store.design.values(start, stop), start)] = chunk

    try:
        for _ in range(WINDOW_PER_WORKER * workers):
            submit_next()
        while running:
            done, _ = cf.wait(list(running), timeout=0.5, return_when=cf.FIRST_COMPLETED)
            for future in done:
                chunk = running.pop(future)
                store.write_chunk(chunk, future.result())
                start, stop = store.bounds(chunk)
                progress.update(stop - start)
                submit_next()
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def _run_dask(evaluate: Evaluate, store: SweepStore, todo: Sequence[int], client: Any, progress: _Progress) -> None:
    from distributed import as_completed

    names = store.design.names
    queue = iter(todo)
    running: dict[Any, int] = {}  # future -> chunk

    def submit_next() -> Any:
        chunk = next(queue, None)
        if chunk is None:
            return None
        start, stop = store.bounds(chunk)
        future = client.submit(evaluate_chunk, evaluate, names, store.design.values(start, stop), start, pure=False)
        running[future] = chunk
        return future

    try:
        window = WINDOW_PER_WORKER * max(1, len(client.scheduler_info().get("workers", {})))
        first = [f for f in (submit_next() for _ in range(window)) if f is not None]
        batch = as_completed(first, loop=client.loop)
        for future in batch:
            chunk = running.pop(future)
            store.write_chunk(chunk, future.result())
            future.release()
            start, stop = store.bounds(chunk)
            progress.update(stop - start)
            following = submit_next()
            if following is not None:
                batch.add(following)
    finally:
        with contextlib.suppress(Exception):
            client.cancel(list(running))


def execute(evaluate: Evaluate, design: Design, store: str | Path, *, resume: bool = False, force: bool = False,
            workers: int | None = None, scheduler: str | None = None, chunk_size: int | None = None,
            progress: bool | None = None, resume_hint: str | None = None) -> SweepStore:
    """Evaluate every point of ``design`` not yet in ``store``, writing each finished chunk there.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(point) -> metrics``, picklable (e.g. :class:`coop.sweeps.point.PointEvaluator`):
        ``point`` maps each swept parameter to its value; ``metrics`` maps names to numbers,
        flags, labels or None.
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
        Points per chunk (default :func:`default_chunk_size`); a resumed sweep keeps its own.
    progress : bool, optional
        Show a progress bar on stderr (default: when stderr is a terminal).
    resume_hint : str, optional
        How to resume, said on stderr after an interruption; ``{store}`` is replaced by the folder.

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
    size = chunk_size if chunk_size is not None else default_chunk_size(design.size, cores)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InputError(f"the chunk size must be a whole number >= 1, got {chunk_size!r}")
    if address is None and cores > 1:
        try:
            pickle.dumps(evaluate)
        except Exception as err:
            raise TypeError(f"evaluate must be picklable to run in worker processes ({err}); define it at module "
                            "level, or use workers=1") from None
    client = connect(address, origin=origin) if address is not None else None  # unreachable: one line, up front
    try:
        sweep_store = SweepStore.create(store, design, size, describe_evaluate(evaluate), resume=resume, force=force)
        done = set(sweep_store.finished())
        todo = [k for k in range(sweep_store.n_chunks) if k not in done]
        bar = _Progress(design.size, sweep_store.points_done(), sys.stderr.isatty() if progress is None else progress)
        try:
            if not todo:
                pass
            elif client is not None:
                _run_dask(evaluate, sweep_store, todo, client, bar)
            elif cores == 1 or len(todo) == 1:
                _run_serial(evaluate, sweep_store, todo, bar)
            else:
                _run_pool(evaluate, sweep_store, todo, min(cores, len(todo)), bar)
        except BaseException as err:
            bar.close()
            hint = (resume_hint or "resume with the same store and resume=True").replace("{store}", str(store))
            what = "interrupted" if isinstance(err, KeyboardInterrupt) else f"stopped ({type(err).__name__})"
            print(f"coop sweep {what}: {sweep_store.points_done()} of {design.size} points are kept in {store}; "
                  f"{hint}", file=sys.stderr, flush=True)
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
                        progress=progress, resume_hint=resume_hint).table()
    except KeyboardInterrupt:
        raise  # the chunks stay, for a resume
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    shutil.rmtree(folder, ignore_errors=True)
    return table
