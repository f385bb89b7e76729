"""Long computations in chunks: a progress bar, Ctrl-C and a time budget between kernel calls.

A Numba kernel neither sees Ctrl-C nor reads a clock while it runs. So every solver whose work can take more
than a couple of seconds (polynomial support enumeration, support search, vertex enumeration, tournaments,
stationary distributions, basins of attraction) calls its kernel on consecutive pieces of the work (a range of
support profiles and boxes, of bases, of matches, of starts) and returns to Python between them, through a
:class:`ChunkedRun`, which

- sizes the pieces so that each takes about :data:`CHUNK_SECONDS`: the kernel counts its work in its own units,
  and the rate measured on one piece sizes the next (a small problem is a single call);
- updates a progress bar on stderr (tqdm; shown once the work has taken :data:`BAR_DELAY` seconds) or calls a
  callback with a :class:`Progress`;
- notices Ctrl-C: from the second piece on, SIGINT only sets a flag, so a kernel's answer is never lost
  half-way, and the work stops after the piece in flight (a second Ctrl-C raises ``KeyboardInterrupt`` at
  once). During the first piece Ctrl-C raises at once as usual: there is nothing to keep yet, and that piece
  may be Numba compiling the kernel, which can take a minute on a first run;
- stops at a time budget: ``stop_after`` seconds from the start, or a :class:`TimeLimit` shared by several
  steps (``coop solve --time-limit``: the stage game, then the tournament, ... each get what is left).

A step that is one call into compiled code that cannot be cut into pieces (SciPy's sparse LU solve of a
stationary distribution) runs in a child process instead (:func:`call_in_process`): this process shows the
time, and on Ctrl-C or at the time limit ends the child and raises :class:`StoppedEarly` (or
``KeyboardInterrupt``), since such a step has nothing to report before its end.

A solver that stops early returns what it verified so far, marked incomplete: its result carries a
:class:`Stopped` (``complete`` False, the ``reason`` in a sentence, ``interrupted`` for Ctrl-C). Where the
pieces end never changes an answer: a kernel run in pieces visits the same work in the same order as in one
call (the tests compare tiny pieces with one piece).

Examples
--------
A loop over 1,000 units of work in pieces, stopped by its progress callback after the second piece:

>>> def stop_early(p):
...     if p.done >= 200:
...         raise KeyboardInterrupt
>>> with ChunkedRun("demo", total=1_000, unit="items", verb="done", progress=stop_early, first=100) as run:
...     done = 0
...     while done < 1_000 and run.going:
...         done += 100  # a kernel would do about run.budget units of work here
...         going = run.advance(done, work=100)
>>> run.stopped.reason
'interrupted (Ctrl-C): 200 of 1,000 items done'
"""

from __future__ import annotations

import logging
import math
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import FrameType, TracebackType
from typing import Any, Literal, TypeVar

from coop.errors import InputError

#: Seconds one piece of work should take: short enough that Ctrl-C and a time limit act within a second.
CHUNK_SECONDS = 0.15
#: The progress bar appears only once the work has run this long (short work shows nothing).
BAR_DELAY = 1.0
#: A piece grows at most this many times over the last one (its rate was measured on smaller work).
MAX_GROWTH = 4.0
#: Seconds between two lines of the ``coop`` log at DEBUG level (``coop solve -vv``) saying how far work got.
LOG_EVERY = 1.0

log = logging.getLogger("coop")

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """How far a chunked computation has got; what a progress callback receives after each piece.

    Attributes
    ----------
    task : str
        What runs, in a few words (``"polynomial enumeration"``).
    done : int
        Units finished so far.
    total : int or None
        Units in all (``None`` when not known in advance).
    unit : str
        What is counted (``"support profiles"``).
    elapsed : float
        Seconds since the work started.
    """

    task: str
    done: int
    total: int | None
    unit: str
    elapsed: float


#: ``progress=``: ``True`` for a bar on stderr, ``False``/``None`` for nothing, or a callback.
ProgressCallback = Callable[[Progress], Any]
ProgressOption = bool | ProgressCallback | None


@dataclass(frozen=True)
class Stopped:
    """Why and where a chunked computation stopped before its end.

    Attributes
    ----------
    cause : {"time_limit", "interrupted"}
        The time budget ran out, or Ctrl-C (``KeyboardInterrupt``).
    done, total : int, int or None
        Units finished, and in all.
    unit, verb : str
        What is counted, and what was done to it (``"support profiles"``, ``"visited"``).
    limit : float or None
        The time budget in seconds (for ``"time_limit"``).
    elapsed : float
        Seconds the work ran.
    detail : str or None
        Says how far the work got, instead of ``done``/``total`` (for work that is not counted).

    Examples
    --------
    >>> Stopped("time_limit", 1234, 5000, "support profiles", "visited", 10.0, 10.1).reason
    'stopped after the time limit of 10 s: 1,234 of 5,000 support profiles visited'
    """

    cause: Literal["time_limit", "interrupted"]
    done: int
    total: int | None
    unit: str
    verb: str
    limit: float | None
    elapsed: float
    detail: str | None = None

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C stopped the work."""
        return self.cause == "interrupted"

    @property
    def reason(self) -> str:
        """One sentence for the reader: why the work stopped and how far it had got."""
        of = f" of {self.total:,}" if self.total is not None else ""
        where = self.detail if self.detail is not None else f"{self.done:,}{of} {self.unit} {self.verb}"
        if self.cause == "interrupted":
            return f"interrupted (Ctrl-C): {where}"
        return f"stopped after the time limit of {format_seconds(self.limit or 0.0)}: {where}"

    def to_dict(self) -> dict[str, Any]:
        return {"cause": self.cause, "done": int(self.done), "total": None if self.total is None else int(self.total),
                "unit": self.unit, "limit": self.limit, "elapsed": round(float(self.elapsed), 3)}


class StoppedEarly(Exception):  # noqa: N818 - it is not an error: the user asked for it
    """A step with nothing to report before its end was stopped by a time limit (``.stopped`` says how)."""

    def __init__(self, stopped: Stopped) -> None:
        self.stopped = stopped
        super().__init__(stopped.reason)


def format_seconds(seconds: float) -> str:
    """A duration for a sentence: ``10 s``, ``0.5 s``, ``2.25 s``.

    >>> format_seconds(10.0), format_seconds(0.5), format_seconds(2.25)
    ('10 s', '0.5 s', '2.25 s')
    """
    return f"{seconds:.3g} s"


@dataclass(frozen=True)
class TimeLimit:
    """A time budget of ``seconds`` that started at ``start`` (a :func:`time.monotonic` time).

    A solver's ``stop_after`` takes a number of seconds (counted from its own start) or a
    :class:`TimeLimit` (counted from the limit's start, and reported as ``seconds``): ``coop solve
    --time-limit`` starts one and every step of the run shares it.

    >>> limit = TimeLimit.from_now(10)
    >>> limit.seconds, 9.0 < limit.left() <= 10.0
    (10.0, True)
    """

    seconds: float
    start: float

    @classmethod
    def from_now(cls, seconds: float) -> TimeLimit:
        return cls(float(seconds), time.monotonic())

    @property
    def deadline(self) -> float:
        return self.start + self.seconds

    def left(self) -> float:
        """Seconds left, at least 0."""
        return max(self.deadline - time.monotonic(), 0.0)


#: ``stop_after=``: seconds from the solver's start, a shared :class:`TimeLimit`, or ``None`` for no limit.
StopAfter = float | TimeLimit | None


def time_limit(stop_after: StopAfter) -> TimeLimit | None:
    """``stop_after`` as a :class:`TimeLimit` (a number of seconds starts now); refuses a negative, NaN or
    non-number with :class:`~coop.errors.InputError`."""
    if stop_after is None or isinstance(stop_after, TimeLimit):
        return stop_after
    if isinstance(stop_after, bool):
        raise InputError(f"stop_after is a number of seconds, got {stop_after!r}")
    try:
        value = float(stop_after)
    except (TypeError, ValueError):
        raise InputError(f"stop_after is a number of seconds, got {stop_after!r}") from None
    if math.isnan(value) or value < 0:
        raise InputError(f"stop_after is a number of seconds, at least 0, got {stop_after!r}")
    return TimeLimit.from_now(value)


class _DeferredInterrupt:
    """A SIGINT handler that records Ctrl-C instead of raising; a second Ctrl-C raises at once."""

    def __init__(self) -> None:
        self.pending = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.pending:
            raise KeyboardInterrupt
        self.pending = True


class ChunkedRun:
    """Drive a kernel called on consecutive pieces of its work (see the module docstring).

    Use as a context manager. Before each kernel call read :attr:`budget` (the work units the next piece
    should do); after it call :meth:`advance` with the units finished so far and the work units the piece
    did. Stop calling once :attr:`going` is False; :attr:`stopped` then says why (``None`` when the work
    ended by itself).

    Parameters
    ----------
    task : str
        What runs, for the progress bar.
    total : int, optional
        Units in all (``None``: not known).
    unit, verb : str
        What is counted and what is done to it, for the bar and the reason (``"support profiles"``,
        ``"visited"``).
    stop_after : float or TimeLimit, optional
        Seconds after which to stop, or a shared :class:`TimeLimit` (checked between pieces; the first piece
        always runs).
    progress : bool or callable, optional
        ``True``: a tqdm bar on stderr; a callable: called with a :class:`Progress` after each piece (it
        may raise ``KeyboardInterrupt`` to stop the work as Ctrl-C would).
    first : int
        Work units of the first piece (as much as a small problem needs, so that it is one call).
    min_done : int
        The time limit applies only once this many units are done (a tournament needs one whole round robin
        for a result); Ctrl-C always applies.
    seconds : float, optional
        Seconds one piece should take (default :data:`CHUNK_SECONDS`).
    counted : bool
        Whether the work is counted in units; if not, the bar shows the time only.
    """

    def __init__(self, task: str, *, total: int | None, unit: str, verb: str, stop_after: StopAfter = None,
                 progress: ProgressOption = False, first: int, seconds: float | None = None,
                 min_done: int = 0, counted: bool = True) -> None:
        self.task = task
        self.total = total
        self.unit = unit
        self.verb = verb
        self.limit = time_limit(stop_after)
        self.seconds = CHUNK_SECONDS if seconds is None else float(seconds)
        self.min_done = int(min_done)
        self.counted = bool(counted)
        self.budget = max(int(first), 1)
        self.done = 0
        self.stopped: Stopped | None = None
        self._callback: ProgressCallback | None = progress if callable(progress) else None
        self._show_bar = progress is True
        self._bar: Any = None
        self._handler: _DeferredInterrupt | None = None
        self._previous: Any = None
        self._deferring = False
        self._logged = -math.inf
        self._start = self._last = time.monotonic()

    # ------------------------------------------------------------------ context
    def __enter__(self) -> ChunkedRun:
        self._start = self._last = time.monotonic()
        return self

    def _defer_ctrl_c(self) -> None:
        """From now on SIGINT sets a flag that :meth:`advance` reads (main thread, Python's own handler only)."""
        self._deferring = True
        if threading.current_thread() is threading.main_thread():
            current = signal.getsignal(signal.SIGINT)
            if isinstance(current, _DeferredInterrupt):  # an outer run's handler: share its flag
                self._handler = current
            elif current is signal.default_int_handler:
                self._handler = _DeferredInterrupt()
                self._previous = current
                signal.signal(signal.SIGINT, self._handler)

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
            if kind is None and self._handler is not None and self._handler.pending:
                raise KeyboardInterrupt  # Ctrl-C after the last piece: delivered now, as it would have been

    # ------------------------------------------------------------------ the loop
    @property
    def going(self) -> bool:
        """False once the work was stopped (time limit or Ctrl-C)."""
        return self.stopped is None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def advance(self, done: int, work: int, last: bool = False) -> bool:
        """Record a finished piece: ``done`` units finished in all, ``work`` work units this piece did
        (``last``: the caller knows no piece follows).

        Sizes the next piece, updates the progress bar or callback and checks for Ctrl-C and the time
        limit. Returns :attr:`going`.
        """
        now = time.monotonic()
        took = now - self._last
        self._last = now
        step = int(done) - self.done
        self.done = int(done)
        if work > 0:
            rate = work / max(took, 1e-4)
            target = self.seconds
            if self.limit is not None and self.done >= self.min_done:
                target = min(target, max(self.limit.deadline - now, 0.0))
            self.budget = max(1, min(int(rate * target), int(MAX_GROWTH * max(work, self.budget))))
        try:
            self._report(step, now)
        except KeyboardInterrupt:
            self._stop("interrupted")
            return False
        if self._handler is not None and self._handler.pending:
            self._handler.pending = False
            self._stop("interrupted")
        elif self.limit is not None and now >= self.limit.deadline and self.done >= self.min_done:
            self._stop("time_limit")
        if self.going and not self._deferring and not last and (self.total is None or self.done < self.total):
            self._defer_ctrl_c()
        return self.going

    def _stop(self, cause: Literal["time_limit", "interrupted"]) -> None:
        limit = None if self.limit is None else self.limit.seconds
        self.stopped = Stopped(cause, self.done, self.total, self.unit, self.verb, limit, self.elapsed)

    def _report(self, step: int, now: float) -> None:
        if now - self._logged >= LOG_EVERY and log.isEnabledFor(logging.DEBUG):
            self._logged = now
            of = f" of {self.total:,}" if self.total is not None else ""
            log.debug("%s: %s%s %s %s (%.1f s)", self.task, f"{self.done:,}", of, self.unit, self.verb,
                      now - self._start)
        if self._callback is not None:
            self._callback(Progress(self.task, self.done, self.total, self.unit, now - self._start))
        if not self._show_bar:
            return
        if self._bar is None:
            from tqdm import tqdm

            shape = {} if self.counted else {"bar_format": "{desc}: {elapsed} (Ctrl-C stops it)"}
            self._bar = tqdm(total=self.total, desc=self.task, unit=f" {self.unit}", file=sys.stderr,
                             dynamic_ncols=True, leave=False, delay=BAR_DELAY, mininterval=0.25, smoothing=0.1,
                             unit_scale=True, **shape)
            step = self.done
        self._bar.update(step)


def call_in_process(func: Callable[..., T], args: tuple[Any, ...], run: ChunkedRun, detail: str) -> T:
    """``func(*args)``, a long call into compiled code that cannot be cut into pieces (a SciPy sparse solve), in
    a child process, while this process updates ``run`` every piece (time only) and watches for Ctrl-C and the
    time limit.

    Returns what ``func`` returns (or raises what it raised). When ``run`` stops first, the child is ended at
    once and ``KeyboardInterrupt`` (Ctrl-C) or :class:`StoppedEarly` (the time limit; ``detail`` says how far
    the work had got) is raised. The child is forked where the platform can (nothing to copy: it shares this
    process' memory until it writes), else spawned (``func`` and ``args`` are pickled).
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(func, args, send), name=f"coop {run.task}", daemon=True)
    child.start()
    send.close()
    try:
        while not receive.poll(run.seconds):
            if not child.is_alive() and not receive.poll(0):
                raise RuntimeError(f"the {run.task} process ended unexpectedly (exit status {child.exitcode}; "
                                   "out of memory?)")
            if not run.advance(int(run.elapsed), 0):
                assert run.stopped is not None
                if run.stopped.interrupted:
                    raise KeyboardInterrupt
                raise StoppedEarly(replace(run.stopped, detail=detail))
        try:
            ok, value = receive.recv()
        except EOFError:
            raise RuntimeError(f"the {run.task} process ended unexpectedly (exit status {child.exitcode})") from None
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        receive.close()
    if not ok:
        raise value
    result: T = value
    return result


def _child(func: Callable[..., Any], args: tuple[Any, ...], send: Any) -> None:
    """The body of :func:`call_in_process`'s child: Ctrl-C is the parent's to handle; the answer goes back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        message = (True, func(*args))
    except BaseException as err:  # noqa: BLE001 - handed to the parent
        message = (False, err)
    send.send(message)
    send.close()
