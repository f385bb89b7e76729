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
    """A game with where it came from and, for scenarios, the scenario itself.

    ``stage`` is the normal-form game; it is ``None`` only for a scenario whose players are a group too
    large for its normal form (:mod:`coop.games.group_game`), analysed by counts: then :attr:`game` is an
    error, and :attr:`players`, :attr:`actions` and :attr:`title` come from the group.
    """

    stage: NormalFormGame | None
    source: str
    kind: str  # "scenario" or "nfg"
    scenario: Any = None  # coop.scenarios.Scenario for scenario files

    @classmethod
    def from_scenario(cls, scenario: Any) -> LoadedInput:
        """A loaded :class:`~coop.scenarios.Scenario`: its game, its file, and the scenario itself."""
        return cls(scenario.normal_form, str(scenario.source), "scenario", scenario)

    @property
    def game(self) -> NormalFormGame:
        """The normal-form game (an :class:`InputError` for a group analysed by counts only)."""
        if self.stage is None:
            game: NormalFormGame = self.scenario.game  # raises, saying why
            return game
        return self.stage

    @property
    def group(self) -> Any:
        """The scenario's group game by counts (:class:`~coop.games.group_game.GroupGame`), or ``None``."""
        return self.scenario.group if self.scenario is not None else None

    @property
    def players(self) -> tuple[str, ...]:
        return self.stage.players if self.stage is not None else tuple(self.scenario.players)

    @property
    def actions(self) -> tuple[tuple[str, ...], ...]:
        return self.stage.actions if self.stage is not None else tuple(self.scenario.actions)

    @property
    def title(self) -> str:
        return self.stage.title if self.stage is not None else str(self.scenario.title)

    def population_game(self) -> Any:
        """The game as a :class:`~coop.games.population.PopulationGame` (the group's, else from the symmetric
        normal form)."""
        if self.group is not None:
            return self.group.population
        from coop.games.population import PopulationGame

        return PopulationGame.from_normal_form(self.game)

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
