"""The README's "A short tour" runs as written: every command, in order, in one empty folder.

The commands are read from the README itself (the first code block under "## A short tour"; a ``#`` after
spaces starts a comment) and run in this process with click's ``CliRunner``, so a command that is renamed,
an option that changes or a file the tour needs and does not make fails here. The files a command writes
(``-o``, ``--plot``, a plot's default name) must exist afterwards.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tour_commands(readme: Path = ROOT / "README.md") -> list[str]:
    """The command lines of the tour, without their comments."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("## A short tour", 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.DOTALL)
    assert block is not None, "no code block under '## A short tour'"
    lines = [re.split(r"\s+#", line, maxsplit=1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def written_files(args: list[str]) -> list[str]:
    """The files a tour command says it writes: -o/--output and --plot values, a plot's default PNG."""
    out = [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-o", "--output", "--plot")]
    if args[0] == "plot" and not out:
        kind = args[args.index("--kind") + 1]
        out.append(f"{Path(args[1]).stem}-{kind}.png")
    return out


def test_the_tour_is_found_and_names_only_coop():
    commands = tour_commands()
    assert len(commands) >= 10
    assert all(shlex.split(c)[0] == "coop" for c in commands), commands


def test_the_tour_runs_as_written(tmp_path, monkeypatch, coop_cli):
    monkeypatch.chdir(tmp_path)
    for command in tour_commands():
        args = shlex.split(command)[1:]
        res = coop_cli(*args)
        assert res.exit_code == 0, f"{command}: exit {res.exit_code}: {res.stderr or res.stdout}"
        assert res.stdout.strip() or any(a in args for a in ("-o", "--output")) or args[0] == "plot", command
        for name in written_files(args):
            path = tmp_path / name
            assert path.is_file() and path.stat().st_size > 0, f"{command}: {name} was not written"


@pytest.mark.parametrize(("command", "files"), [
    ("coop plot ai-arms-race --kind payoff-sets", ["ai-arms-race-payoff-sets.png"]),
    ("coop sweep x --plot arms.png -o t.csv", ["arms.png", "t.csv"]),
    ("coop solve y", []),
])
def test_written_files(command, files):
    assert written_files(shlex.split(command)[1:]) == files
