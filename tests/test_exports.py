"""The lazy exports of coop and coop.solvers: what a type checker sees is what Python imports on first use.

Each package names its exports three times: ``_EXPORTS`` (name -> module, read at run time by
:mod:`coop._lazy`), the ``if TYPE_CHECKING:`` imports (read by mypy, pyright and editors) and the literal
``__all__``. These tests keep the three equal, so that they cannot drift apart.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys

import pytest

PACKAGES = ["coop", "coop.solvers"]


def type_checking_imports(source: str) -> dict[str, str]:
    """name -> module of the ``from M import name`` statements under ``if TYPE_CHECKING:`` in ``source``."""
    tree = ast.parse(source)
    found: dict[str, str] = {}
    blocks = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
    assert len(blocks) == 1, "expected one `if TYPE_CHECKING:` block at module level"
    for node in blocks[0].body:
        assert isinstance(node, ast.ImportFrom) and node.module, ast.unparse(node)
        for alias in node.names:
            assert alias.asname in (None, alias.name), f"{alias.name} is exported under its own name"
            assert alias.name not in found, f"{alias.name} imported twice"
            found[alias.name] = node.module
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checking_imports_name_the_lazy_exports(package):
    module = importlib.import_module(package)
    assert type_checking_imports(inspect.getsource(module)) == module._EXPORTS


@pytest.mark.parametrize("package", PACKAGES)
def test_all_lists_the_lazy_exports(package):
    module = importlib.import_module(package)
    assert len(set(module.__all__)) == len(module.__all__)
    assert set(module.__all__) - set(module._EXPORTS) <= {"__version__"}
    assert set(module._EXPORTS) <= set(module.__all__)


def test_checker_of_type_checking_imports_reads_aliases_and_modules():
    source = "import x\nif TYPE_CHECKING:\n    from a.b import f, G as G\n    from c import h\nX = 1\n"
    assert type_checking_imports(source) == {"f": "a.b", "G": "a.b", "h": "c"}
    with pytest.raises(AssertionError, match="own name"):
        type_checking_imports("if TYPE_CHECKING:\n    from a import f as g\n")
    with pytest.raises(AssertionError, match="one `if TYPE_CHECKING:` block"):
        type_checking_imports("from a import f\n")


def test_import_coop_imports_no_export():
    script = "import sys, coop, coop.solvers; print(sorted(m for m in sys.modules if m.startswith('coop')))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['coop', 'coop._lazy', 'coop.solvers']"
