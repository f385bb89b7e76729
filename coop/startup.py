"""How a ``coop`` command starts its solvers: small inputs without compiling, a notice when Numba compiles.

Compiling coop's Numba kernels takes a minute or more the first time (they are cached afterwards), while a
small game, the size of the bundled scenarios, is solved by the same kernels' Python code in about a second.
So the ``coop`` command (and only the command: ``import coop`` in a notebook always compiles) chooses, once per
process and before any solver is imported:

- ``interpreted``: the kernels run as plain Python (``NUMBA_DISABLE_JIT``, read by
  :mod:`coop.solvers.shared.jit`, which then does not import Numba at all), for an input whose stage
  game is small (:func:`small_input`). A watchdog restarts the command compiled when it runs longer than
  :data:`INTERPRETED_SECONDS` (a small game with a long section: a large tournament or population);
- ``compiled``: Numba compiles the kernels the run needs, or loads them from its cache. When some of the
  solver families the input needs have not been compiled with this version of the source yet, one line on
  stderr says so before the work starts (:func:`notice`); a marker file per family, written after a compiled
  run succeeds, records what is compiled (:func:`marker_dir`).

The environment variable ``COOP_JIT`` overrides the choice: ``1`` always compiles, ``0`` never does (``auto``,
the default, chooses as above). Both ways give the same answers, up to the last bits of some floating-point
sums (the compiled kernels may reorder them).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from coop.inputs import LoadedInput

Mode = Literal["interpreted", "compiled"]

#: The environment variable that overrides the choice: "1" (compile), "0" (interpret), "auto".
JIT_ENV = "COOP_JIT"
#: Seconds an interpreted run may take before the command restarts compiled (``COOP_INTERPRETED_SECONDS``
#: changes it, for the tests).
INTERPRETED_SECONDS = 5.0
#: The largest stage games run interpreted: 2 players, at most this many action profiles (10 x 10) ...
SMALL_BIMATRIX_PROFILES = 100
#: ... 3 or more players, at most this many (2 x 2 x 2 x 2 x 2, 3 x 3 x 3)
SMALL_N_PLAYER_PROFILES = 32
#: ... or a symmetric game (a group by counts) of at most this many profiles, whose support enumeration solves one
#: support profile per orbit of player permutations, with at most as many orbits as the 3 x 3 x 3 game has support
#: profiles: a group of six with two actions (64 profiles, 28 orbits, 305 equilibria) takes about 2 s
#: interpreted in all; a group of eight (256 profiles, 2,609 equilibria) took longer than INTERPRETED_SECONDS
SMALL_SYMMETRIC_PROFILES = 64
SMALL_SYMMETRIC_ORBITS = 7**3

#: About how long the first compilation of each solver family takes (seconds, measured on a 2-core machine
#: shared with other work; see benchmarks/bench_startup.py), for the notice.
COMPILE_SECONDS = {
    "nash-2": 45,
    "nash-n": 35,
    "repeated": 20,
    "payoff_sets": 15,
    "tournament": 10,
    "evolution": 35,
    "institutions": 10,
}

_may_choose = False
_mode: Mode | None = None
_families: tuple[str, ...] = ()
_reason = ""


def allow_choice() -> None:
    """Called by the ``coop`` program's entry point: this process may choose how the kernels run.

    In-process callers (``click.testing.CliRunner``, a notebook) never call it, so their kernels are compiled
    as usual and nothing here changes a process that imported coop for other work.
    """
    global _may_choose
    _may_choose = True


def current_mode() -> Mode | None:
    """The mode this process chose (``None`` before a command chose one, or where it may not choose)."""
    return _mode


def describe() -> str:
    """How this command runs its kernels, for the ``-v`` log: ``"kernels interpreted (small game)"``."""
    if _mode is None:
        return "kernels compiled"
    return f"kernels {_mode} ({_reason})"


def needs_public_payoff_set(loaded: LoadedInput) -> bool:
    """Whether the analysis computes the perfect-public-equilibrium payoff set (a 2-player repeated game with a
    public signal but not perfect monitoring, a discount factor and no horizon): its linear programmes run as
    plain Python far too slowly for an interpreted run, whatever the size of the game."""
    from coop.sections.payoff_sets import computes_public_set

    spec = getattr(loaded.scenario, "repeated", None) if loaded.scenario is not None else None
    if spec is None or loaded.stage is None:
        return False
    return computes_public_set(loaded.stage, spec.game)


def small_input(loaded: LoadedInput) -> bool:
    """Whether the stage game is small enough that the kernels' Python code solves it in about a second."""
    game = loaded.stage
    if game is None:  # a large group by counts: the finite population's chains are not small
        return False
    if needs_public_payoff_set(loaded):
        return False
    limit = SMALL_BIMATRIX_PROFILES if game.num_players <= 2 else SMALL_N_PLAYER_PROFILES
    if game.num_profiles <= limit:
        return True
    if game.num_players <= 2 or game.num_profiles > SMALL_SYMMETRIC_PROFILES or not game.is_symmetric:
        return False
    return game.support_profile_count(orbits=True) <= SMALL_SYMMETRIC_ORBITS


#: The solver family each analysis compiles (its name in :data:`COMPILE_SECONDS`); the stage analysis is
#: "nash-2" or "nash-n" by the number of players.
FAMILY_OF = {
    "repeated": "repeated",
    "payoff_sets": "payoff_sets",
    "tournament": "tournament",
    "dynamics": "evolution",
    "finite_population": "evolution",
    "institutions": "institutions",
}


def families(loaded: LoadedInput) -> tuple[str, ...]:
    """The solver families a full analysis of ``loaded`` compiles (the keys of :data:`COMPILE_SECONDS`)."""
    from coop.sections.registry import analyses

    out = [] if loaded.stage is None else ["nash-2" if loaded.stage.num_players <= 2 else "nash-n"]
    for analysis in analyses():
        family = FAMILY_OF.get(analysis.name)
        if family is not None and family not in out and analysis.applies(loaded):
            out.append(family)
    return tuple(out)


def _source_digest() -> str:
    """A digest of what the compiled kernels depend on: coop's solver sources, Numba and Python."""
    import numba

    import coop.solvers
    from coop import __version__

    solvers = Path(coop.solvers.__file__).resolve().parent
    h = hashlib.sha1(f"{__version__} {numba.__version__} {sys.version}".encode())
    for path in sorted(solvers.rglob("*.py")):
        with contextlib.suppress(OSError):
            st = path.stat()
            h.update(f"{path.relative_to(solvers)} {st.st_mtime_ns} {st.st_size}\n".encode())
    return h.hexdigest()[:16]


def marker_dir() -> Path:
    """Where the markers of compiled families go: Numba's cache folder for coop's kernels.

    ``$NUMBA_CACHE_DIR`` when set; else the solvers' ``__pycache__`` (where Numba caches beside the source) when
    it can be written; else a per-user cache folder.
    """
    configured = os.environ.get("NUMBA_CACHE_DIR")
    if configured:
        return Path(configured)
    import coop.solvers

    in_tree = Path(coop.solvers.__file__).resolve().parent / "__pycache__"
    with contextlib.suppress(OSError):
        in_tree.mkdir(exist_ok=True)
        if os.access(in_tree, os.W_OK):
            return in_tree
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coop"


def _marker(family: str, digest: str) -> Path:
    return marker_dir() / f"coop-compiled-{family}-{digest}"


def missing_families(wanted: Iterable[str]) -> list[str]:
    """The families of ``wanted`` not yet compiled with this source (no marker)."""
    digest = _source_digest()
    return [f for f in wanted if not _marker(f, digest).exists()]


def notice(missing: Iterable[str]) -> str:
    """The one line printed while the kernels compile the first time."""
    seconds = sum(COMPILE_SECONDS.get(f, 20) for f in missing)
    return f"coop: compiling the solvers for first use (once, about {seconds} s)..."


def _restart_compiled(signum: int, frame: Any) -> None:
    """The watchdog: the interpreted run is long; run the same command again, compiled."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is not None:  # a child doing part of the work (a large sparse solve) would outlive the exec
        for child in multiprocessing.active_children():
            with contextlib.suppress(Exception):
                child.terminate()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    env[JIT_ENV] = "1"
    argv = list(getattr(sys, "orig_argv", [])) or [sys.executable, *sys.argv]
    os.execve(sys.executable, [sys.executable, *argv[1:]], env)


def begin(loaded: LoadedInput) -> Mode | None:
    """Choose how this command runs its kernels (see the module doc); call before any solver is imported.

    Returns the mode chosen, or ``None`` where this process may not choose (in-process callers) or the kernels
    are already loaded.
    """
    global _mode, _families, _reason
    if not _may_choose or _mode is not None:
        return _mode
    if "numba" in sys.modules:
        return None  # kernels may be loaded already: their functions are what they are
    setting = os.environ.get(JIT_ENV, "auto").strip().lower()
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        setting = "0"  # the user asked Numba itself
    interpreted = setting in ("0", "no", "off", "false") or (
        setting not in ("1", "yes", "on", "true") and small_input(loaded))
    if interpreted:
        _mode = "interpreted"
        _reason = "small game" if setting == "auto" else f"{JIT_ENV}={setting}"
        os.environ["NUMBA_DISABLE_JIT"] = "1"
        if setting == "auto" and hasattr(signal, "setitimer"):
            signal.signal(signal.SIGALRM, _restart_compiled)
            seconds = float(os.environ.get("COOP_INTERPRETED_SECONDS", INTERPRETED_SECONDS))
            signal.setitimer(signal.ITIMER_REAL, seconds)
        return _mode
    _mode = "compiled"
    _reason = "large game" if setting == "auto" else f"{JIT_ENV}={setting}"
    _families = families(loaded)
    try:
        missing = missing_families(_families)
    except Exception:  # noqa: BLE001 - a notice is never worth a failure
        missing = []
    if missing:
        with contextlib.suppress(OSError, ValueError):
            print(notice(missing), file=sys.stderr, flush=True)
    return _mode


def finish(complete: bool = True) -> None:
    """After a command succeeded: stop the watchdog; mark the families a compiled run has compiled (not when the
    run stopped early: some of its kernels may not have been compiled)."""
    if _mode == "interpreted" and hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    if _mode != "compiled" or not _families or not complete:
        return
    with contextlib.suppress(Exception):
        digest = _source_digest()
        folder = marker_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for family in _families:
            _marker(family, digest).touch()

