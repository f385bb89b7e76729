"""Long computations in ``coop solve``: --time-limit, Ctrl-C and the progress bar (the classroom issue, item 3).

The game is the issue's: a random 3-player 5x5x5 game, which ``auto`` enumerates by polynomial support
enumeration for minutes. A time limit or Ctrl-C prints what was verified by then, marked INCOMPLETE (JSON:
``complete`` false and the ``reason``); Ctrl-C then exits with status 130. The progress bar is drawn only on a
terminal, and not with --quiet. No timing is asserted except generous bounds on how fast the work stops.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import coop.cli
from coop.games import NormalFormGame
from coop.solvers.shared import progress
from tests import regret
from tests.cli.helpers import COOP, invoke, one_line


def _game() -> NormalFormGame:
    return NormalFormGame.from_payoffs(np.random.default_rng(0).standard_normal((3, 5, 5, 5)))


@pytest.fixture
def game_file(tmp_path: Path) -> Path:
    path = tmp_path / "g.nfg"
    path.write_text(_game().to_nfg())
    return path


def _verified(doc: dict) -> None:
    game = _game()
    for eq in doc["equilibria"]:
        strategies = [np.array(list(eq["strategies"][p].values())) for p in doc["players"]]
        assert regret.is_equilibrium(game, strategies)


def test_a_time_limit_prints_what_was_verified_marked_incomplete(game_file):
    invoke("solve", game_file, "--time-limit", "0.2", "--format", "json")  # the kernels loaded
    start = time.monotonic()
    res = invoke("solve", game_file, "--time-limit", "0.5", "--format", "json")
    assert time.monotonic() - start < 10.0
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["complete"] is False
    assert doc["reason"].startswith("stopped after the time limit of 0.5 s: ")
    assert doc["reason"].endswith(" of 29,791 support profiles visited")
    assert doc["equilibria"] and "interrupted" not in doc
    _verified(doc)
    text = invoke("solve", game_file, "--time-limit", "0.5")
    assert text.exit_code == 0
    assert "INCOMPLETE: the computation was stopped after the time limit of 0.5 s" in " ".join(text.stdout.split())


def test_a_small_game_under_a_time_limit_is_complete(coop_json):
    doc = coop_json("solve", "ai-arms-race", "--time-limit", "30", "--format", "json")
    assert doc["complete"] is True and doc["reason"] is None


@pytest.mark.parametrize("value", ["0", "-1", "nan", "soon"])
def test_bad_time_limits_are_one_line_and_status_2(value):
    res = invoke("solve", "ai-arms-race", "--time-limit", value)
    assert res.exit_code == 2
    assert "--time-limit" in one_line(res.stderr)


def test_ctrl_c_prints_the_partial_report_then_exits_130(game_file, monkeypatch):
    # Ctrl-C arrives between pieces, as the progress callback sees it
    calls = []

    def impatient(p: progress.Progress) -> None:
        calls.append(p)
        if len(calls) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(coop.cli, "_show_progress", lambda quiet: impatient)
    res = invoke("solve", game_file, "--format", "json")
    assert res.exit_code == 130
    assert one_line(res.stderr, "coop: interrupted") == "coop: interrupted"
    doc = json.loads(res.stdout)
    assert doc["complete"] is False and doc["reason"].startswith("interrupted (Ctrl-C): ")
    assert doc["interrupted"] == {"section": "stage", "not_computed": []}
    _verified(doc)
    calls.clear()
    res = invoke("solve", game_file)
    assert res.exit_code == 130
    text = " ".join(res.stdout.split())
    assert "INCOMPLETE: the computation was interrupted (Ctrl-C)" in text
    assert "INCOMPLETE: interrupted (Ctrl-C) during the stage section." in text


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")
def test_sigint_stops_coop_solve_within_seconds_with_the_partial_report(game_file):
    proc = subprocess.Popen([*COOP, "solve", str(game_file), "-vv"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # -vv: "coop: polynomial enumeration: 5,243 of 29,791 support profiles visited"
            if "support profiles visited" in line:
                break
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = proc.communicate(timeout=60)
        stopped_after = time.monotonic() - sent
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert stopped_after < 5.0
    assert err.strip().splitlines()[-1] == "coop: interrupted"
    assert "Traceback" not in err
    text = " ".join(out.split())
    assert "INCOMPLETE: interrupted (Ctrl-C) during the stage section" in text
    assert "Nash equilibria" in text  # the equilibria verified before the interruption are printed


def test_no_progress_bar_when_stderr_is_not_a_terminal(game_file):
    res = invoke("solve", game_file, "--time-limit", "1.5", "--format", "json")
    assert res.exit_code == 0
    assert res.stderr == ""


def _on_a_terminal(*args: str) -> str:
    """stderr of ``coop ARGS`` run on a pseudo-terminal of 120 columns (stdout to /dev/null)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen([*COOP, *args], stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    proc.wait(timeout=60)
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.skipif(sys.platform != "linux", reason="a pseudo-terminal")
def test_the_progress_bar_is_drawn_on_a_terminal_unless_quiet(game_file):
    # compile (in this process) and cache the enumeration's kernels first: a child that compiles them spends
    # its whole time limit compiling, before the first piece of work that would draw the bar
    assert invoke("solve", game_file, "--time-limit", "0.2", "--format", "json").exit_code == 0
    shown = _on_a_terminal("solve", str(game_file), "--time-limit", "3")
    assert "polynomial enumeration" in shown and "support profiles" in shown
    assert "polynomial enumeration" not in _on_a_terminal("solve", str(game_file), "--time-limit", "2", "-q")
