"""The examples in docstrings and in docs/*.md are executed, so the documentation stays true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import coop

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["coop", "coop.games", "coop.solvers", "coop.scenarios"]


def all_modules() -> list[str]:
    names = []
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names.append(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg_name}."):
            if info.name not in PACKAGES:
                names.append(info.name)
    return sorted(set(names))


@pytest.mark.parametrize("module_name", all_modules())
def test_docstring_examples(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "docs").glob("*.md")))
def test_docs_pages(page):
    result = doctest.testfile(
        str(ROOT / "docs" / page), module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0


def test_the_examples_are_many():
    # guards against the doctest collection silently finding nothing
    attempted = sum(doctest.testmod(importlib.import_module(m)).attempted for m in all_modules())
    assert attempted >= 50


def test_every_public_name_is_documented():
    for name in coop.__all__:
        obj = getattr(coop, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), f"coop.{name} has no docstring"
