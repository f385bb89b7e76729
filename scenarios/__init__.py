"""Scenario files: the format (version 1), its safe formula parser, the loader and the bundled library.

>>> from coop.scenarios import load
>>> s = load("export-controls")
>>> s.game.players
('US', 'China', 'EU')
"""

from coop.scenarios.formula import Formula, parse_formula
from coop.scenarios.library import BundledScenario, bundled_scenarios, resolve
from coop.scenarios.loader import build_scenario, load
from coop.scenarios.schema import FORMAT_VERSION, RedLine, Scenario, top_level_keys

__all__ = [
    "FORMAT_VERSION",
    "BundledScenario",
    "Formula",
    "RedLine",
    "Scenario",
    "build_scenario",
    "bundled_scenarios",
    "load",
    "parse_formula",
    "resolve",
    "top_level_keys",
]
