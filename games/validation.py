"""Checks of the numbers and labels that describe games: probabilities, costs, counts, payoff arrays."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from coop.errors import InputError


def probability(value: Any, name: str) -> float:
    """``value`` as a float in [0, 1]; :class:`InputError` naming ``name`` otherwise."""
    try:
        p = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number in [0, 1], got {value!r}") from None
    if not 0.0 <= p <= 1.0:
        raise InputError(f"{name} must lie in [0, 1], got {value!r}")
    return p


def nonnegative(value: Any, name: str) -> float:
    """``value`` as a finite float >= 0; :class:`InputError` naming ``name`` otherwise."""
    try:
        c = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number >= 0, got {value!r}") from None
    if not math.isfinite(c) or c < 0.0:
        raise InputError(f"{name} must be a finite number >= 0, got {value!r}")
    return c


def int_at_least(value: Any, low: int, name: str) -> int:
    """``value`` as an int >= ``low`` (bools refused); :class:`InputError` naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < low:
        raise InputError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def float_array(data: Any, name: str) -> np.ndarray:
    """``data`` as a new float64 array of finite numbers; :class:`InputError` naming ``name`` otherwise."""
    try:
        arr = np.array(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be an array of numbers", source="game") from None
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must be finite numbers", source="game")
    return arr


def strategy_labels(strategies: Sequence[str] | None, m: int) -> tuple[str, ...]:
    """``m`` strategy labels as strings: ``strategies``, or ``A, B, ...`` (``1, 2, ...`` beyond 26) when None."""
    if strategies is None:
        return tuple(chr(ord("A") + k) if m <= 26 else str(k + 1) for k in range(m))
    labels = tuple(str(s) for s in strategies)
    if len(labels) != m:
        raise InputError(f"expected {m} strategy labels, got {len(labels)}: {list(labels)}", source="game")
    return labels
