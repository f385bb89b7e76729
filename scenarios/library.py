"""The bundled scenario library and the lookup from a name or path to a scenario file.

The bundled ``*.yaml`` files live next to this module and are shipped as package
data, so ``coop solve export-controls`` works after ``pip install``.

Examples
--------
>>> [s.name for s in bundled_scenarios()][:3]
['ai-arms-race', 'ai-development-race', 'ai-safety-institutions']
>>> resolve("export-controls").name
'export-controls.yaml'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coop.errors import InputError
from coop.scenarios.formula import known_list, suggest
from coop.scenarios.yaml_source import read_yaml

#: The folder holding the bundled scenarios.
LIBRARY_DIR = Path(__file__).resolve().parent
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class BundledScenario:
    """A scenario shipped with coop: its name, file, title and a one-line summary."""

    name: str
    path: Path
    title: str
    summary: str


def _summary(description: str) -> str:
    """The first sentence of the description, on one line."""
    text = " ".join(description.split())
    end = text.find(". ")
    return text[: end + 1] if end >= 0 else text


def bundled_scenarios() -> list[BundledScenario]:
    """Every bundled scenario, sorted by name."""
    out = []
    for path in sorted(LIBRARY_DIR.glob("*.yaml")):
        # read as every scenario is (YAML 1.2 numbers, core tags only), for the title and the description
        root = read_yaml(path)
        title = str(root["title"].value) if root is not None and "title" in root else path.stem
        description = str(root["description"].value) if root is not None and "description" in root else ""
        out.append(BundledScenario(name=path.stem, path=path, title=title, summary=_summary(description)))
    return out


def resolve(path_or_name: str | Path) -> Path:
    """The scenario file for a path or a bundled name.

    An existing file is used as given (it must end in ``.yaml`` or ``.yml``);
    otherwise a bare name such as ``"export-controls"`` or
    ``"export-controls.yaml"`` is looked up in the bundled library.

    Raises
    ------
    InputError
        If there is no such file and no bundled scenario of that name.
    """
    path = Path(path_or_name)
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise InputError(f"expected a scenario file ending in .yaml or .yml, got {path.name!r}", source=str(path))
        return path
    if path.exists():
        raise InputError("this is not a file; expected a scenario .yaml file", source=str(path))
    names = {p.stem: p for p in LIBRARY_DIR.glob("*.yaml")}
    stem = path.stem if path.suffix.lower() in SUFFIXES else path.name
    if len(path.parts) == 1 and stem in names:
        return names[stem]
    raise InputError(
        f"no such file, and no bundled scenario named {stem!r}{suggest(stem, names)}; "
        f"the bundled scenarios are {known_list(sorted(names))}",
        source=str(path),
    )
