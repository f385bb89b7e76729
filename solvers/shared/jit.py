"""The compiler of coop's kernels: Numba's, or none at all in a process that runs them interpreted.

Every kernel module takes ``njit`` (and ``prange``, ``get_num_threads``, ``overload`` where it needs them) from
here, never from Numba directly. Normally they are Numba's own. When ``NUMBA_DISABLE_JIT`` is set (to anything but
``0``) as this module is first imported, which is what the ``coop`` command does for a small game
(:mod:`coop.startup`), the kernels run as the plain Python functions they are and Numba is not imported at all:
its import alone takes about 0.2 s, a third of a small scenario's whole run. Numba's own ``NUMBA_DISABLE_JIT``
mode gives the same functions, with that import.

>>> @njit
... def twice(x):
...     return 2 * x
>>> twice(21)
42
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

#: Whether this process runs the kernels as plain Python (read once, at the first import).
INTERPRETED = os.environ.get("NUMBA_DISABLE_JIT", "0").strip() not in ("", "0")

if TYPE_CHECKING or not INTERPRETED:
    from numba import get_num_threads, njit, prange
    from numba.extending import overload
else:
    from coop.solvers.shared.no_jit import get_num_threads, njit, overload, prange

__all__ = ["INTERPRETED", "get_num_threads", "njit", "overload", "prange"]
