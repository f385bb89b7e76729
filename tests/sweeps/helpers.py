"""Cheap picklable evaluate functions for the sweep engine's tests (no solver: microseconds a point).

They live in an importable module so that local worker processes and Dask
workers can unpickle them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from coop.errors import InputError

Metrics = dict[str, float | int | bool | str | None]


@dataclass(frozen=True)
class Cheap:
    """Metrics of every type from ``x`` (and ``y``): a float, a label, a flag, a count, one that appears late.

    Raises ``ValueError`` at the ``x`` values in ``fail_at`` and an ``InputError`` at those in ``bad_input_at``.
    """

    fail_at: tuple[float, ...] = ()
    bad_input_at: tuple[float, ...] = ()

    def __call__(self, point: dict[str, float]) -> Metrics:
        x, y = point["x"], point.get("y", 0.0)
        if any(abs(x - f) < 1e-12 for f in self.fail_at):
            raise ValueError(f"no solution at x={x:g}\n(second line)")
        if any(abs(x - f) < 1e-12 for f in self.bad_input_at):
            raise InputError("payoff of 'US' is not a number", source="s.yaml", line=3)
        out: Metrics = {
            "sum": x + y,
            "region": "low" if x < 0.5 else "high",
            "high": x >= 0.5,
            "count": int(round(10 * x)),
            "maybe": None if x < 0.25 else x,
        }
        if x > 0.7:
            out["late"] = y  # a metric first seen at a later point: it goes after the others
        return out


@dataclass(frozen=True)
class Counting:
    """:class:`Cheap`, appending each evaluated ``x`` to the file ``log`` (works across processes)."""

    log: str

    def __call__(self, point: dict[str, float]) -> Metrics:
        with open(self.log, "a", encoding="utf-8") as fh:
            fh.write(f"{point['x']!r} {point.get('y', 0.0)!r}\n")
        return Cheap()(point)


def evaluations(log: str | Path) -> list[str]:
    """The points a :class:`Counting` evaluated, one line each."""
    path = Path(log)
    return path.read_text().splitlines() if path.exists() else []


@dataclass(frozen=True)
class InterruptAt:
    """:class:`Cheap`, but Ctrl-C (``KeyboardInterrupt``) arrives while evaluating ``x == at``."""

    at: float

    def __call__(self, point: dict[str, float]) -> Metrics:
        if abs(point["x"] - self.at) < 1e-12:
            raise KeyboardInterrupt
        return Cheap()(point)


@dataclass(frozen=True)
class Slow:
    """:class:`Cheap` after ``delay`` seconds."""

    delay: float

    def __call__(self, point: dict[str, float]) -> Metrics:
        time.sleep(self.delay)
        return Cheap()(point)


@dataclass(frozen=True)
class KillOnce:
    """:class:`Cheap`, but the process evaluating ``x == at`` dies the first time (``marker`` records it)."""

    marker: str
    at: float
    delay: float = 0.02

    def __call__(self, point: dict[str, float]) -> Metrics:
        time.sleep(self.delay)
        if abs(point["x"] - self.at) < 1e-12 and not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)  # the worker dies mid-chunk, without cleaning up
        return Cheap()(point)


@dataclass(frozen=True)
class InterruptOnce:
    """:class:`Counting`, but Ctrl-C arrives at ``x == at`` the first time (``marker`` records it).

    The same object is used before and after the interruption, as a resumed sweep must be.
    """

    log: str
    marker: str
    at: float

    def __call__(self, point: dict[str, float]) -> Metrics:
        if abs(point["x"] - self.at) < 1e-12 and not os.path.exists(self.marker):
            Path(self.marker).write_text("interrupted")
            raise KeyboardInterrupt
        return Counting(self.log)(point)


@dataclass(frozen=True)
class BadMetrics:
    """Metrics that cannot be stored: a list at ``x > 0.5``, a metric named like the parameter at ``x == 0``."""

    def __call__(self, point: dict[str, float]) -> dict[str, object]:
        if point["x"] == 0.0:
            return {"x": 1.0}
        return {"ok": 1.0, "bad": [1, 2]} if point["x"] > 0.5 else {"ok": 1.0}
