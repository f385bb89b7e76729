"""CI: check a non-editable install of coop against the source tree it was built from.

Run by the installed interpreter from outside the repository: ``python check_installed.py REPO``. Every module of
the source folders (``coop/``, ``games/``, ``solvers/``, ``scenarios/``, mapped as ``pyproject.toml`` maps them)
must import from the installed copy, and every bundled scenario must be installed as package data and listed by
``coop list``. Prints one line per problem and exits with 1 if there is any.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

#: import name -> source folder, as [tool.setuptools.package-dir] in pyproject.toml
PACKAGE_DIRS = {"coop": "coop", "coop.games": "games", "coop.solvers": "solvers", "coop.scenarios": "scenarios"}


def source_modules(repo: Path) -> list[str]:
    names = []
    for package, folder in PACKAGE_DIRS.items():
        root = repo / folder
        for path in sorted(root.rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join([package, *parts]))
    return names


def main(repo: Path) -> int:
    problems = []
    installed = Path(importlib.import_module("coop").__file__).resolve().parent
    if installed.is_relative_to(repo):
        problems.append(f"coop is imported from the source tree ({installed}), not from the install")
    for name in source_modules(repo):
        try:
            module = importlib.import_module(name)
        except ImportError as err:
            problems.append(f"{name}: not installed ({err})")
            continue
        # a folder without __init__.py is a namespace package: no __file__, only its __path__
        origin = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", [])), None)
        if origin is None or not Path(origin).resolve().is_relative_to(installed):
            problems.append(f"{name}: imported from {origin}, not from the install at {installed}")
    scenarios = sorted(p.name for p in (repo / "scenarios").glob("*.yaml"))
    shipped = sorted(p.name for p in (installed / "scenarios").glob("*.yaml"))
    if shipped != scenarios:
        problems.append(f"bundled scenarios: installed {shipped}, expected {scenarios}")
    out = subprocess.run([Path(sys.executable).with_name("coop"), "list", "--format", "json"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        problems.append(f"coop list failed: {out.stderr.strip()}")
    else:
        listed = sorted(item["name"] for item in json.loads(out.stdout))
        if listed != sorted(Path(s).stem for s in scenarios):
            problems.append(f"coop list shows {listed}, expected the stems of {scenarios}")
    for line in problems:
        print(f"installed coop: {line}", file=sys.stderr)
    if not problems:
        print(f"installed coop: {len(source_modules(repo))} modules and {len(shipped)} scenarios at {installed}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve()))
