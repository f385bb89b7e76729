"""Shared fixtures of the test suite.

- ``coop_cli``: run the ``coop`` command line in-process, ``coop_cli("solve", path, "--format", "json")``, and
  get click's ``Result`` (``exit_code``, ``stdout``, ``stderr``);
- ``coop_json``: the same for a command that prints JSON, checked to exit with 0 and parsed;
- ``bundled_scenario``: a test that takes this argument runs once per bundled scenario (by name).

The reference libraries (pygambit, Nashpy, QuantEcon, EGTtools, Axelrod) are imported only through
:mod:`tests.oracles`, on first use, so that collecting the suite stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


def _bundled_names() -> list[str]:
    from coop.scenarios import bundled_scenarios

    return [s.name for s in bundled_scenarios()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "bundled_scenario" in metafunc.fixturenames:
        metafunc.parametrize("bundled_scenario", _bundled_names())


@pytest.fixture
def coop_cli() -> Callable[..., Any]:
    """``coop_cli(*args, **invoke_options)``: the ``coop`` command run in-process by click's ``CliRunner``."""
    from click.testing import CliRunner

    from coop.cli import cli

    runner = CliRunner()

    def invoke(*args: Any, **options: Any) -> Any:
        return runner.invoke(cli, [str(a) for a in args], **options)

    return invoke


@pytest.fixture
def coop_json(coop_cli: Callable[..., Any]) -> Callable[..., Any]:
    """``coop_json(*args)``: the JSON document a ``coop`` command prints, after checking it exited with 0."""

    def run(*args: Any) -> Any:
        res = coop_cli(*args)
        assert res.exit_code == 0, res.stderr or res.stdout
        return json.loads(res.stdout)

    return run
