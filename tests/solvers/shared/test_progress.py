"""Tests of the chunked-work driver (coop.solvers.shared.progress): pieces, Ctrl-C, the time limit, the bar."""

from __future__ import annotations

import os
import signal
import time

import pytest

from coop.errors import InputError
from coop.solvers.shared import progress
from coop.solvers.shared.progress import ChunkedRun, Stopped, TimeLimit, time_limit


def _count_to(run: ChunkedRun, total: int, per_unit: float = 0.0) -> int:
    """A stand-in kernel: ``run.budget`` units per piece (``per_unit`` seconds each) until ``total``."""
    done = 0
    while done < total and run.going:
        step = min(run.budget, total - done)
        if per_unit:
            time.sleep(step * per_unit)
        done += step
        run.advance(done, step)
    return done


def test_a_small_job_is_one_piece_and_the_budget_follows_the_measured_rate():
    seen = []
    with ChunkedRun("t", total=100, unit="items", verb="done", progress=seen.append, first=1_000) as run:
        assert _count_to(run, 100) == 100
    assert [p.done for p in seen] == [100]
    assert run.stopped is None
    with ChunkedRun("t", total=None, unit="items", verb="done", first=10, seconds=0.01) as run:
        time.sleep(0.02)
        run.advance(10, 10)  # 10 units in 20 ms: about 5 units in 10 ms
    assert 1 <= run.budget <= 10


def test_growth_is_bounded():
    with ChunkedRun("t", total=None, unit="items", verb="done", first=10) as run:
        run.advance(10, 10)  # very fast: the rate would allow far more
    assert run.budget == 40


def test_a_time_limit_stops_between_pieces_and_says_how_far_it_got():
    start = time.monotonic()
    with ChunkedRun("t", total=10_000, unit="support profiles", verb="visited", stop_after=0.2, first=1) as run:
        done = _count_to(run, 10_000, per_unit=1e-4)  # 1 s in all
    assert time.monotonic() - start < 5.0
    assert run.stopped is not None and run.stopped.cause == "time_limit" and not run.stopped.interrupted
    assert 0 < done < 10_000 and run.stopped.done == done
    assert run.stopped.reason == f"stopped after the time limit of 0.2 s: {done:,} of 10,000 support profiles visited"


def test_a_shared_time_limit_is_reported_with_its_own_seconds():
    limit = TimeLimit(10.0, time.monotonic() - 20.0)  # started 20 s ago: already over
    with ChunkedRun("t", total=5, unit="matches", verb="played", stop_after=limit, first=1) as run:
        done = _count_to(run, 5)
    assert done == 1  # the first piece always runs
    assert run.stopped is not None and run.stopped.reason.startswith("stopped after the time limit of 10 s: 1 of 5")


def test_keyboard_interrupt_from_the_callback_stops_the_work():
    def stop(p: progress.Progress) -> None:
        if p.done >= 30:
            raise KeyboardInterrupt

    with ChunkedRun("t", total=100, unit="items", verb="done", progress=stop, first=10, seconds=0.0) as run:
        done = _count_to(run, 100)
    assert done == 30
    assert run.stopped == Stopped("interrupted", 30, 100, "items", "done", None, run.stopped.elapsed)
    assert run.stopped.reason == "interrupted (Ctrl-C): 30 of 100 items done"


def test_sigint_is_deferred_to_the_end_of_the_piece_and_the_handler_restored():
    before = signal.getsignal(signal.SIGINT)
    assert before is signal.default_int_handler
    pieces = []

    def piece(run: ChunkedRun, k: int) -> None:
        if k == 2:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while a "kernel" runs
            time.sleep(0.05)  # the handler has run by now: no KeyboardInterrupt was raised
        pieces.append(k)
        run.advance(k + 1, 1)

    with ChunkedRun("t", total=10, unit="items", verb="done", first=1) as run:
        k = 0
        while run.going and k < 10:
            piece(run, k)
            k += 1
    assert pieces == [0, 1, 2]  # the piece in flight finished, then the work stopped
    assert run.stopped is not None and run.stopped.interrupted
    assert signal.getsignal(signal.SIGINT) is before


def test_sigint_after_the_last_piece_is_delivered_on_exit():
    with pytest.raises(KeyboardInterrupt), ChunkedRun("t", total=1, unit="items", verb="done", first=1) as run:
        run.advance(1, 1)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_raises_at_once_during_the_first_piece():
    with pytest.raises(KeyboardInterrupt), ChunkedRun("t", total=2, unit="items", verb="done", first=1):
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        os.kill(os.getpid(), signal.SIGINT)  # during the first piece (maybe a compilation): not deferred
        time.sleep(0.5)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_nested_runs_share_the_flag_and_the_outer_one_restores():
    with ChunkedRun("outer", total=3, unit="items", verb="done", first=1) as outer:
        outer.advance(1, 1)
        handler = signal.getsignal(signal.SIGINT)
        assert handler is not signal.default_int_handler
        with ChunkedRun("inner", total=2, unit="items", verb="done", first=1) as inner:
            inner.advance(1, 1)
            assert signal.getsignal(signal.SIGINT) is handler
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            inner.advance(2, 1)
        assert inner.stopped is not None and inner.stopped.interrupted
        assert signal.getsignal(signal.SIGINT) is handler
        outer.advance(2, 1)
        assert outer.going  # the inner run took the Ctrl-C
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_error_inside_restores_the_handler():
    with pytest.raises(ValueError), ChunkedRun("t", total=1, unit="items", verb="done", first=1):
        raise ValueError("boom")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_no_output_unless_asked(capsys):
    with ChunkedRun("t", total=3, unit="items", verb="done", first=1, seconds=0.0) as run:
        _count_to(run, 3)
    assert capsys.readouterr().err == ""


def test_the_bar_appears_on_stderr_when_asked(capsys, monkeypatch):
    monkeypatch.setattr(progress, "BAR_DELAY", 0.0)
    with ChunkedRun("counting", total=3, unit="items", verb="done", progress=True, first=1, seconds=0.0) as run:
        _count_to(run, 3)
    assert "counting" in capsys.readouterr().err


@pytest.mark.parametrize("bad", [-1.0, float("nan"), "soon", True])
def test_bad_time_limits_are_refused(bad):
    with pytest.raises(InputError, match="stop_after"):
        time_limit(bad)


def test_time_limits():
    assert time_limit(None) is None
    limit = TimeLimit.from_now(5)
    assert time_limit(limit) is limit
    assert time_limit(0).seconds == 0.0
    assert 4.0 < limit.left() <= 5.0
