"""Collecting the suite imports no reference library: they load on first use, through :mod:`tests.oracles`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.oracles import HEAVY

ROOT = Path(__file__).resolve().parents[1]

# imports every module of tests/ (as pytest's collection does) and prints the oracles that got imported
_IMPORT_ALL = """
import importlib, pathlib, sys
for path in sorted(pathlib.Path("tests").rglob("*.py")):
    if path.name != "__init__.py":
        importlib.import_module(".".join(path.with_suffix("").parts))
print(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:])))
"""


def test_importing_every_test_module_imports_no_oracle():
    res = subprocess.run([sys.executable, "-c", _IMPORT_ALL, *HEAVY], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]", f"imported while collecting: {res.stdout.strip()} (use tests.oracles)"
