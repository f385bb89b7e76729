"""The shape of ``solvers/``, checked on the source with ``ast``.

- ``solvers/`` holds exactly the families ``shared``, ``nash``, ``repeated``, ``evolution`` and ``coalitions``
  (sub-packages) and no loose solver module beside ``__init__.py``.
- Nothing private (a name, or a module path component, starting with ``_``) is imported from one
  family into another, nor from ``coop.solvers`` into ``games/``: what families share is public,
  preferably in ``solvers/shared/``. Within a family private imports are fine.
- No compiled kernel takes 10 or more positional parameters: long argument lists are grouped into
  namedtuples (``PivOptions``-style, STYLE.md example 2).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOLVERS = ROOT / "solvers"
GAMES = ROOT / "games"
FAMILIES = {"shared", "nash", "repeated", "evolution", "coalitions"}
#: the most positional parameters a compiled kernel may take
MAX_KERNEL_PARAMS = 9
#: kernels allowed more, with the reason (qualified as ``family/module.py::name``)
KERNEL_PARAM_EXCEPTIONS: dict[str, str] = {
    "repeated/payoffs.py::_joint_chain_kernel": (
        "called from Python once per small automaton pair: grouped into namedtuples its arguments would add about "
        "4 us of Numba dispatch (namedtuple arguments are typed on a slow path) to a ~21 us call"
    ),
}


# ----------------------------------------------------------------------------- the checkers
def module_name(path: Path) -> str:
    """The import name of a source file under ``solvers/`` or ``games/`` (``coop.solvers.nash.bimatrix``)."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = ["coop", *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _private(dotted: str) -> bool:
    return any(p.startswith("_") and not (p.startswith("__") and p.endswith("__")) for p in dotted.split("."))


def _family(module: str) -> str | None:
    """``nash`` for ``coop.solvers.nash.x``; ``games`` for ``coop.games...``; None otherwise."""
    parts = module.split(".")
    if parts[:2] == ["coop", "solvers"] and len(parts) > 2:
        return parts[2]
    if parts[:2] == ["coop", "games"]:
        return "games"
    return None


def _resolve(node: ast.ImportFrom, here: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = here.split(".")
    drop = node.level - 1 if is_package else node.level
    base = base[: len(base) - drop] if drop else base
    return ".".join([*base, node.module] if node.module else base)


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    imported: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}"


def private_imports(source: str, here: str, is_package: bool = False) -> list[Violation]:
    """Private names that module ``here`` (source text ``source``) takes from another solver family.

    Covers ``import a.b._c``, ``from a.b import _c``, ``from a._b import c`` (absolute or relative,
    at any depth of the module, including imports inside functions) and ``alias._c`` attribute
    access on a module imported from another family. For a module of ``games/`` every
    ``coop.solvers`` module counts as another family.
    """
    mine = _family(here)
    bad: list[Violation] = []
    foreign_modules: set[str] = set()  # local names bound to modules of another family

    def foreign(target: str) -> bool:
        fam = _family(target)
        return target.startswith("coop.solvers.") and fam is not None and fam != mine

    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if foreign(alias.name):
                    if _private(alias.name):
                        bad.append(Violation(here, node.lineno, alias.name))
                    foreign_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, here, is_package)
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if foreign(full) and _private(full):
                    bad.append(Violation(here, node.lineno, full))
                elif foreign(full):
                    foreign_modules.add(alias.asname or alias.name)  # a module or a name: attributes checked below
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            chain = []
            value: ast.expr = node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name):
                dotted = ".".join([value.id, *reversed(chain)])
                if dotted in foreign_modules:
                    bad.append(Violation(here, node.lineno, f"{dotted}.{node.attr}"))
    return bad


def sources() -> list[Path]:
    return sorted([*SOLVERS.rglob("*.py"), *GAMES.rglob("*.py")])


def _is_njit(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    if name == "njit":
        return True
    if name == "jit" and isinstance(decorator, ast.Call):
        return any(k.arg == "nopython" and getattr(k.value, "value", False) is True for k in decorator.keywords)
    return False


def long_kernels(source: str, where: str, limit: int = MAX_KERNEL_PARAMS) -> list[str]:
    """``where::name (count)`` for every njit function in ``source`` with more than ``limit`` positional parameters."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and any(_is_njit(d) for d in node.decorator_list):
            count = len(node.args.posonlyargs) + len(node.args.args) + (1 if node.args.vararg else 0)
            if count > limit:
                out.append(f"{where}::{node.name} ({count})")
    return out


# ----------------------------------------------------------------------------- the checks
def test_solvers_holds_exactly_the_families():
    entries = {p.name for p in SOLVERS.iterdir() if p.name != "__pycache__" and not p.name.startswith(".")}
    loose = sorted(n for n in entries if n.endswith(".py") and n != "__init__.py")
    assert not loose, f"solver modules outside a family: {loose}; move them into {sorted(FAMILIES)}"
    packages = {n for n in entries if (SOLVERS / n).is_dir()}
    assert packages == FAMILIES, f"solvers/ has sub-packages {sorted(packages)}; expected {sorted(FAMILIES)}"
    for fam in FAMILIES:
        assert (SOLVERS / fam / "__init__.py").is_file(), f"solvers/{fam} is not a package"
    assert entries == FAMILIES | {"__init__.py"}, f"unexpected entries in solvers/: {sorted(entries - FAMILIES)}"


def test_no_private_imports_across_families():
    found = []
    for path in sources():
        found += private_imports(path.read_text(), module_name(path), path.name == "__init__.py")
    assert not found, "private names imported across solver families (make them public, e.g. in solvers/shared/):\n" + (
        "\n".join(map(str, found))
    )


def test_every_module_is_checked():
    names = {module_name(p) for p in sources()}
    assert {"coop.solvers.shared.linalg", "coop.solvers.nash.bimatrix", "coop.games.population"} <= names
    assert {_family(n) for n in names} >= FAMILIES | {"games"}


@pytest.mark.parametrize(
    ("source", "here", "expected"),
    [
        pytest.param("from coop.solvers.evolution.fixation import _names", "coop.solvers.nash.x",
                     ["coop.solvers.evolution.fixation._names"], id="private_name"),
        pytest.param("from coop.solvers.nash._polynomial import solve", "coop.solvers.evolution.x",
                     ["coop.solvers.nash._polynomial.solve"], id="private_module"),
        pytest.param("from coop.solvers.nash import _polynomial", "coop.solvers.repeated.x",
                     ["coop.solvers.nash._polynomial"], id="private_submodule"),
        pytest.param("import coop.solvers.nash._polynomial as p", "coop.solvers.shared.x",
                     ["coop.solvers.nash._polynomial"], id="import_statement"),
        pytest.param("def f():\n    from coop.solvers.shared.linalg import _width\n", "coop.solvers.nash.x",
                     ["coop.solvers.shared.linalg._width"], id="inside_a_function"),
        pytest.param("from ..evolution.fixation import _names", "coop.solvers.nash.x",
                     ["coop.solvers.evolution.fixation._names"], id="relative"),
        pytest.param("from coop.solvers.nash import bimatrix\nbimatrix._hash_words(k)", "coop.solvers.repeated.x",
                     ["bimatrix._hash_words"], id="attribute_of_a_module"),
        pytest.param("import coop.solvers.nash.bimatrix\ncoop.solvers.nash.bimatrix._PROB_TOL",
                     "coop.solvers.repeated.x", ["coop.solvers.nash.bimatrix._PROB_TOL"], id="dotted_attribute"),
        pytest.param("from coop.solvers.shared.compositions import _rank", "coop.games.population",
                     ["coop.solvers.shared.compositions._rank"], id="games_from_solvers"),
        pytest.param("from coop.solvers.nash._polynomial import _solve_support", "coop.solvers.nash.x", [],
                     id="within_a_family"),
        pytest.param("from ._polynomial import _solve_support", "coop.solvers.nash.x", [], id="relative_within"),
        pytest.param("from coop.solvers.shared.random import uniform as _uniform", "coop.solvers.repeated.x", [],
                     id="public_name_private_alias"),
        pytest.param("from coop.solvers.shared.linalg import solve_inplace", "coop.games.population", [],
                     id="games_public"),
        pytest.param("from coop.games.validation import _x", "coop.solvers.nash.x", [], id="not_a_solver_family"),
        pytest.param("from coop.solvers.nash.results import __all__", "coop.solvers.repeated.x", [], id="dunder"),
    ],
)
def test_the_import_checker(source, here, expected):
    assert [v.imported for v in private_imports(source, here)] == expected


def test_no_kernel_takes_ten_or_more_positional_parameters():
    found = []
    for path in sorted(SOLVERS.rglob("*.py")):
        where = path.relative_to(SOLVERS).as_posix()
        found += [k for k in long_kernels(path.read_text(), where) if k.split(" ")[0] not in KERNEL_PARAM_EXCEPTIONS]
    assert not found, (f"njit kernels with more than {MAX_KERNEL_PARAMS} positional parameters (group them into "
                       "namedtuples, STYLE.md example 2):\n" + "\n".join(found))


def test_the_kernel_checker():
    source = (
        "from numba import njit\nimport numba\n"
        "@njit(cache=True)\ndef a(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9):\n    pass\n"
        "@numba.njit\ndef b(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10):\n    pass\n"
        "@njit(cache=True)\ndef c(p0, p1, p2, p3, p4, p5, p6, p7, p8):\n    pass\n"
        "def d(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9):\n    pass\n"
        "@numba.jit(nopython=True)\ndef e(p0, p1, p2, p3, p4, p5, p6, p7, p8, *rest):\n    pass\n"
    )
    assert long_kernels(source, "m.py") == ["m.py::a (10)", "m.py::b (11)", "m.py::e (10)"]
    for name in KERNEL_PARAM_EXCEPTIONS:  # every exception still names a long kernel
        where = name.split("::")[0]
        path = SOLVERS / where
        assert path.is_file(), f"stale exception {name}"
        assert name in [k.split(" ")[0] for k in long_kernels(path.read_text(), where)], f"stale exception {name}"


def numba_imports(source: str, where: str) -> list[str]:
    """``where:line`` of every import of Numba itself (``import numba``, ``from numba... import``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
        if any(n == "numba" or n.startswith("numba.") for n in names):
            found.append(f"{where}:{node.lineno}")
    return found


def test_only_the_jit_module_imports_numba():
    """Kernels take njit from coop.solvers.shared.jit, so that an interpreted run never imports Numba."""
    found = []
    for path in sources():
        if path != SOLVERS / "shared" / "jit.py":
            found += numba_imports(path.read_text(), str(path.relative_to(ROOT)))
    assert not found, "import njit (prange, overload) from coop.solvers.shared.jit, not numba: " + ", ".join(found)
    assert numba_imports("import numba\nfrom numba.extending import overload\nfrom numbat import x\n", "m.py") == [
        "m.py:1", "m.py:2"]
