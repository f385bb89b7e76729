"""Stand-ins for the Numba names coop's kernels use, when they run as plain Python (:mod:`.jit`).

``njit`` returns the function itself (with or without options), ``prange`` is ``range``, one thread runs, and an
``overload`` (a compiled implementation of a Python function) is not needed: the Python function is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

prange = range


def njit(*args: Any, **options: Any) -> Any:
    """``@njit`` or ``@njit(cache=True, ...)``: the function, unchanged."""
    if len(args) == 1 and callable(args[0]) and not options:
        return args[0]
    return lambda func: func


def get_num_threads() -> int:
    """One thread: plain Python runs a ``prange`` loop in order."""
    return 1


def overload(func: Callable[..., Any], **options: Any) -> Callable[[Any], Any]:
    """A compiled implementation of ``func`` is never used: the decorated one is left as it is."""
    return lambda implementation: implementation
