"""What a wheel ships: every folder of Python modules behind the package-dir map, and the py.typed marker."""

from __future__ import annotations

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def setuptools_config() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]


def test_every_module_folder_is_a_listed_package():
    config = setuptools_config()
    found = set()
    for package, folder in config["package-dir"].items():
        for path in [ROOT / folder, *(ROOT / folder).rglob("*")]:
            if path.is_dir() and "__pycache__" not in path.parts and any(path.glob("*.py")):
                found.add(".".join([package, *path.relative_to(ROOT / folder).parts]))
    assert found == set(config["packages"])


def test_py_typed_marker_is_shipped():
    assert (ROOT / "coop" / "py.typed").is_file()
    assert "py.typed" in setuptools_config()["package-data"]["coop"]
