"""Picklable evaluate functions with a batched path (``evaluate_columns``) and their point-by-point twins.

:class:`Rich` gives metrics of every kind the table knows, point by point; :class:`RichColumns` gives
the same metrics as columns, a chunk at a time (and may decline some chunks). They live in an
importable module so that local worker processes can unpickle them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.sweeps.columns import ColumnChunk


def _near(x: float, values: tuple[float, ...]) -> bool:
    return any(abs(x - f) < 1e-12 for f in values)


@dataclass(frozen=True)
class Rich:
    """Numbers, flags, counts and labels, complete or missing at some points, mixed values, NaN, a late metric.

    Raises ``ValueError`` at the ``x`` values in ``fail_at`` and an ``InputError`` at those in ``bad_input_at``.
    """

    fail_at: tuple[float, ...] = ()
    bad_input_at: tuple[float, ...] = ()

    def __call__(self, point: dict[str, float]) -> dict[str, Any]:
        x, y = point["x"], point["y"]
        if _near(x, self.fail_at):
            raise ValueError(f"no solution at x={x:g}\n(second line)")
        if _near(x, self.bad_input_at):
            raise InputError("payoff of 'US' is not a number", source="s.yaml", line=3)
        out: dict[str, Any] = {
            "sum": x + y,
            "n": int(round(10 * x)),
            "flag": x >= 0.5,
            "label": None if y == 2 else ("low" if x < 0.5 else "high"),
            "maybe": None if x < 0.25 else x,
            "maybe_flag": None if x < 0.25 else x > 0.6,
            "maybe_count": None if x > 0.8 else int(round(10 * x)),
            "nan": float("nan") if x < 0.5 else x,
            "mixed": True if x < 0.3 else ("many" if x < 0.6 else 3),
            "empty": None,
            "whole": 2.0 if x < 0.5 else 3,
        }
        if x > 0.7:
            out["late"] = y  # first seen at a later point: after the others
        return out


@dataclass(frozen=True)
class RichColumns(Rich):
    """:class:`Rich` with a batched path; it declines the chunks that start at a point in ``decline_at``."""

    decline_at: tuple[float, ...] = ()

    def evaluate_columns(self, names: Sequence[str], values: np.ndarray) -> ColumnChunk | None:
        assert tuple(names) == ("x", "y") and values.dtype == np.float64
        x, y = values[:, 0], values[:, 1]
        if len(x) and _near(float(x[0]), self.decline_at) and float(y[0]) == 1.0:
            return None
        size = len(x)
        n = np.round(10 * x).astype(np.int64)
        label = np.where(x < 0.5, "low", "high").astype(object)
        label[y == 2] = None
        maybe_flag = (x > 0.6).astype(object)
        maybe_flag[x < 0.25] = None
        maybe_count = n.astype(object)
        maybe_count[x > 0.8] = None
        mixed = np.full(size, "many", dtype=object)
        mixed[x < 0.3] = True
        mixed[x >= 0.6] = 3
        columns: dict[str, Any] = {
            "sum": x + y,
            "n": n,
            "flag": x >= 0.5,
            "label": label,
            "maybe": np.where(x < 0.25, np.nan, x),
            "maybe_flag": maybe_flag,
            "maybe_count": maybe_count,
            "nan": np.where(x < 0.5, np.nan, x),
            "mixed": mixed,
            "empty": [None] * size,
            "whole": [2.0 if v < 0.5 else 3 for v in x.tolist()],
        }
        if (x > 0.7).any():
            columns["late"] = np.where(x > 0.7, y, np.nan)
        errors: list[str | None] = [None] * size
        for i, v in enumerate(x.tolist()):
            if _near(v, self.fail_at):
                errors[i] = f"ValueError: no solution at x={v:g} (second line)"
            elif _near(v, self.bad_input_at):
                errors[i] = "s.yaml, line 3: payoff of 'US' is not a number"
        return ColumnChunk(columns, errors)


@dataclass(frozen=True)
class Fast:
    """Twelve metrics (3 counts, 4 flags, 4 numbers, a label), point by point."""

    def __call__(self, point: dict[str, float]) -> dict[str, Any]:
        x, y = point["x"], point["y"]
        return {"i1": 1, "i2": 2, "i3": 3, "b1": True, "b2": x > 0.5, "b3": False, "b4": y > 0.5,
                "f1": x, "f2": y, "f3": x + y, "f4": 0.25, "label": "a" if x < 0.5 else "b"}


@dataclass(frozen=True)
class FastColumns(Fast):
    """:class:`Fast` with a batched path."""

    def evaluate_columns(self, names: Sequence[str], values: np.ndarray) -> ColumnChunk:
        x, y = values[:, 0], values[:, 1]
        size = len(x)
        ones = np.ones(size, dtype=np.int64)
        return ColumnChunk({"i1": ones, "i2": 2 * ones, "i3": 3 * ones, "b1": np.ones(size, dtype=bool),
                            "b2": x > 0.5, "b3": np.zeros(size, dtype=bool), "b4": y > 0.5, "f1": x, "f2": y,
                            "f3": x + y, "f4": np.full(size, 0.25), "label": np.where(x < 0.5, "a", "b")},
                           [None] * size)


@dataclass(frozen=True)
class CountingColumns(FastColumns):
    """:class:`FastColumns`, appending each evaluated ``x`` to the file ``log`` (works across processes)."""

    log: str = ""

    def _record(self, xs: Sequence[float]) -> None:
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write("".join(f"{x!r} {os.getpid()}\n" for x in xs))

    def __call__(self, point: dict[str, float]) -> dict[str, Any]:
        self._record([point["x"]])
        return super().__call__(point)

    def evaluate_columns(self, names: Sequence[str], values: np.ndarray) -> ColumnChunk:
        self._record(values[:, 0].tolist())
        return super().evaluate_columns(names, values)


def logged(log: str | Path) -> list[str]:
    """The points a :class:`CountingColumns` evaluated, one line each."""
    path = Path(log)
    return path.read_text().splitlines() if path.exists() else []


@dataclass(frozen=True)
class Raising(Fast):
    """A batched path that raises: the chunks are evaluated point by point."""

    def evaluate_columns(self, names: Sequence[str], values: np.ndarray) -> ColumnChunk:
        raise RuntimeError("the batched path is broken")


@dataclass(frozen=True)
class Malformed(Fast):
    """A batched path that breaks the protocol in the way ``how`` says."""

    how: str = "length"

    def evaluate_columns(self, names: Sequence[str], values: np.ndarray) -> Any:
        size = len(values)
        if self.how == "length":
            return ColumnChunk({"a": np.zeros(size + 1)}, [None] * size)
        if self.how == "errors":
            return ColumnChunk({"a": np.zeros(size)}, [None] * (size - 1))
        if self.how == "reserved":
            return ColumnChunk({"x": np.zeros(size)}, [None] * size)
        if self.how == "value":
            return ColumnChunk({"bad": [[1, 2]] * size}, [None] * size)
        return {"a": np.zeros(size)}  # a dict, not a ColumnChunk


@dataclass(frozen=True)
class Declining(Fast):
    """A batched path that always declines; each point takes ``delay`` seconds and is logged with its process."""

    log: str = ""
    delay: float = 0.0

    def __call__(self, point: dict[str, float]) -> dict[str, Any]:
        time.sleep(self.delay)
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"{point['x']!r} {os.getpid()}\n")
        return super().__call__(point)

    def evaluate_columns(self, names: Sequence[str], values: np.ndarray) -> None:
        return None
