"""Turn the FILE argument of a command into a game.

FILE is a scenario file, a bundled scenario name, or a Gambit ``.nfg`` file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame


@dataclass(frozen=True, eq=False)
class LoadedInput:
    """A game with where it came from and, for scenarios, the scenario itself."""

    game: NormalFormGame
    source: str
    kind: str  # "scenario" or "nfg"
    scenario: Any = None  # coop.scenarios.Scenario for scenario files

    @classmethod
    def from_scenario(cls, scenario: Any) -> LoadedInput:
        """A loaded :class:`~coop.scenarios.Scenario`: its game, its file, and the scenario itself."""
        return cls(scenario.game, str(scenario.source), "scenario", scenario)

    @property
    def red_lines(self) -> tuple:
        return tuple(self.scenario.red_lines) if self.scenario is not None else ()


def load_input(path_or_name: str, overrides: Mapping[str, float] | None = None) -> LoadedInput:
    """Load ``path_or_name``: a ``.nfg`` file, a ``.yaml``/``.yml`` scenario, or a bundled scenario name.

    ``overrides`` replaces scenario parameters (an error for ``.nfg`` files, which have none).
    """
    path = Path(path_or_name)
    if path.suffix.lower() == ".nfg":
        if overrides:
            raise InputError("--set applies to scenario parameters; a .nfg file has none", source=str(path))
        if not path.exists():
            raise InputError("no such file; expected a Gambit .nfg file", source=str(path))
        from coop.games.nfg import read_nfg

        return LoadedInput(read_nfg(path), str(path), "nfg")
    from coop.scenarios import load

    scenario = load(path_or_name, parameters=overrides or None)
    return LoadedInput.from_scenario(scenario)
