"""coop: a game-theoretic solver for international AI cooperation.

>>> import coop
>>> game = coop.NormalFormGame.symmetric([[3, 0], [5, 1]], actions=("C", "D"))
>>> len(coop.pure_nash_equilibria(game).equilibria)
1
"""

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers import Equilibrium, NashResult, pure_nash_equilibria

__version__ = "0.1.0"

__all__ = [
    "Equilibrium",
    "InputError",
    "NashResult",
    "NormalFormGame",
    "__version__",
    "pure_nash_equilibria",
]
