"""Checks of the numbers that describe repeated games and institutions."""

from __future__ import annotations

import math
from typing import Any

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
