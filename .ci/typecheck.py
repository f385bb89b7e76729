#!/usr/bin/env python3
"""Type-check coop with mypy, through pyproject.toml's package-dir map.

mypy names a module after its folder (``games/normal_form.py`` is ``games.normal_form`` to it), and it
cannot see the import hook of an editable install, so on its own it does not know that ``games/`` is
``coop.games``. This script builds the package as Python imports it, a tree of symbolic links under
``build/typecheck/`` (``coop/*`` -> the files of ``coop/``, ``coop/games`` -> ``games/``, ...) made afresh
from ``[tool.setuptools.package-dir]`` on every run, runs mypy on it with the settings of ``[tool.mypy]``,
and prints every message with the file's path in this repository (``games/normal_form.py:12: error: ...``).
The link tree is not site-packages, so mypy reports errors in every file of the package.

Usage (from anywhere)::

    python .ci/typecheck.py             # check the package coop
    python .ci/typecheck.py -p coop.games --warn-return-any   # other targets or extra mypy options

The exit status is mypy's: 0 when clean, 1 when it found errors, 2 on a usage error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: mypy depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
MIRROR = Path("build") / "typecheck"  # relative to ROOT, so mypy prints short paths


def package_dirs() -> dict[str, Path]:
    """The package-dir map of pyproject.toml: import name -> folder in the repository."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        config = tomllib.load(f)
    mapping = config["tool"]["setuptools"]["package-dir"]
    return {name: ROOT / folder for name, folder in mapping.items() if name}


def build_mirror(mirror: Path, mapping: dict[str, Path]) -> None:
    """Lay out ``mapping`` under ``mirror`` as the import system sees it, with symbolic links."""
    if mirror.exists():
        shutil.rmtree(mirror)
    for name in sorted(mapping, key=lambda n: n.count(".")):
        target = mirror.joinpath(*name.split("."))
        mapped_children = {other[len(name) + 1:] for other in mapping if other.startswith(name + ".")}
        mapped_children = {child for child in mapped_children if "." not in child}
        target.parent.mkdir(parents=True, exist_ok=True)
        if not mapped_children:
            target.symlink_to(mapping[name], target_is_directory=True)
            continue
        # a package with sub-packages mapped elsewhere: a real folder linking each of its own entries
        target.mkdir()
        for entry in mapping[name].iterdir():
            if entry.name not in mapped_children and entry.name != "__pycache__" and not entry.name.startswith("."):
                (target / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())


def main(argv: list[str]) -> int:
    mapping = package_dirs()
    build_mirror(ROOT / MIRROR, mapping)
    targets = [] if any(a in ("-p", "--package", "-m", "--module") or a.endswith(".py") for a in argv) else [
        arg for name in mapping if "." not in name for arg in ("-p", name)]
    env = dict(os.environ, MYPYPATH=str(MIRROR))
    cmd = [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", *targets, *argv]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    # messages name files by their link: give the path in the repository instead
    prefixes = "|".join(re.escape(str(p) + os.sep) for p in (ROOT / MIRROR, MIRROR))
    link = re.compile(rf"^((?:{prefixes})\S+?\.pyi?)(?=:)", re.MULTILINE)

    def real(match: re.Match[str]) -> str:
        return os.path.relpath(os.path.realpath(ROOT / match.group(1)), ROOT)

    sys.stdout.write(link.sub(real, proc.stdout))
    sys.stderr.write(link.sub(real, proc.stderr))
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
