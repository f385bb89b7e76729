"""coop: a game-theoretic solver for international AI cooperation.

The public API: game classes, scenario loading and the solvers, for use in a notebook.

>>> import coop
>>> scenario = coop.load("ai-arms-race")
>>> scenario.game.players
('US', 'China')
>>> solution = coop.solve_game(scenario.game)
>>> [eq.is_pure for eq in solution.equilibria]
[True, True, False]
"""

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.transforms import relative_gains
from coop.scenarios import RedLine, Scenario, bundled_scenarios, load
from coop.solvers import (
    DominanceResult,
    Equilibrium,
    GameSolution,
    NashResult,
    iterated_dominance,
    lemke_howson,
    polynomial_support_enumeration,
    pure_nash_equilibria,
    solve_game,
    support_enumeration,
    support_search,
    vertex_enumeration,
)

__version__ = "0.1.0"

__all__ = [
    "DominanceResult",
    "Equilibrium",
    "GameSolution",
    "InputError",
    "NashResult",
    "NormalFormGame",
    "RedLine",
    "Scenario",
    "__version__",
    "bundled_scenarios",
    "iterated_dominance",
    "lemke_howson",
    "load",
    "polynomial_support_enumeration",
    "pure_nash_equilibria",
    "relative_gains",
    "solve_game",
    "support_enumeration",
    "support_search",
    "vertex_enumeration",
]
