"""What coop promises on any input: a verified answer (exit 0) or one line and exit status 2.

Never a traceback, never an internal error, never a hang. Every case runs in-process (click's
``CliRunner``) under a wall-clock guard: a case that runs past ``HANG_SECONDS`` fails as a hang
(a generous bound that catches runaway work, not a speed check).
"""

from __future__ import annotations

import contextlib
import json
import signal
from collections.abc import Iterator
from typing import Any

from click.testing import CliRunner, Result

from coop.cli import cli

#: Past this, a case counts as hung (inputs are small or refused up front: real runs take about a second).
HANG_SECONDS = 60


class Hung(AssertionError):
    """A command ran past :data:`HANG_SECONDS`."""


@contextlib.contextmanager
def hang_guard(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail the test (raise :class:`Hung`) if the block runs longer than ``seconds``."""

    def _raise(signum: int, frame: Any) -> None:
        raise Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(*args: Any) -> Result:
    """``coop ARGS`` in this process, under the hang guard; a :class:`Hung` inside is re-raised."""
    with hang_guard():
        result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="coop")
    if isinstance(result.exception, Hung):
        raise result.exception
    return result


def error_line(result: Result) -> str:
    """The one ``coop: error:`` line of a refused input (asserted: exit status 2, nothing else on stderr)."""
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("coop: error: "), result.stderr
    return lines[0]


def check_outcome(result: Result, fmt: str = "text") -> str:
    """Exit 0 with a complete report (JSON that parses, equilibria verified) or exit 2 with one line.

    Returns ``"ok"`` or ``"refused"``.
    """
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr[-2000:], repr(result.exception))
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    if result.exit_code == 2:
        error_line(result)
        return "refused"
    assert result.stderr.strip() == "" or "wrote" in result.stderr, result.stderr
    if fmt == "json":
        doc = json.loads(result.stdout)
        stage = doc.get("stage", doc)
        for eq in stage.get("equilibria", []):
            assert eq["relative_regret"] <= stage["tol"], eq
    return "ok"
