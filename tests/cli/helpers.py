"""Running ``coop`` in-process (click's CliRunner) and as a real process, and the one-line error contract."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from click.testing import CliRunner, Result

from coop.cli import cli

#: A real ``coop`` process: the module, so the test runs the checkout's code with this interpreter.
COOP = [sys.executable, "-m", "coop.cli"]


def invoke(*args: Any) -> Result:
    """``coop ARGS`` in this process."""
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="coop")


def run_coop(*args: Any, timeout: float = 60, **options: Any) -> subprocess.CompletedProcess[str]:
    """``coop ARGS`` as a process (for /dev/full, pipes, warnings at shutdown); stderr captured as text."""
    options.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([*COOP, *(str(a) for a in args)], stderr=subprocess.PIPE, text=True, timeout=timeout,
                          check=False, **options)


def run_script(code: str, *, timeout: float = 60, **options: Any) -> subprocess.CompletedProcess[str]:
    """Python ``code`` in a fresh process (to patch coop before running its command line there)."""
    options.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, timeout=timeout,
                          check=False, **options)


def one_line(stderr: str, prefix: str = "coop: error: ") -> str:
    """The one line on stderr (asserted: exactly one non-empty line, starting with ``prefix``, no traceback)."""
    assert "Traceback" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr
    assert "Warning" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith(prefix), stderr
    return lines[0]
