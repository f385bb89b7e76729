"""Equilibrium solvers: Numba kernels over plain arrays and thin, verifying Python wrappers.

Every solver takes a :class:`coop.games.NormalFormGame` and returns a
:class:`NashResult` whose equilibria have all passed a regret check.
"""

from coop.solvers.dominance import DominanceResult, Elimination, iterated_dominance
from coop.solvers.lemke_howson import lemke_howson
from coop.solvers.polynomial_support import polynomial_support_enumeration, support_search
from coop.solvers.pure_nash import pure_nash_equilibria
from coop.solvers.results import REGRET_TOL, Equilibrium, NashResult
from coop.solvers.solve import GameSolution, solve_game
from coop.solvers.support_enumeration import support_enumeration
from coop.solvers.vertex_enumeration import vertex_enumeration

__all__ = [
    "REGRET_TOL",
    "DominanceResult",
    "Elimination",
    "Equilibrium",
    "GameSolution",
    "NashResult",
    "iterated_dominance",
    "lemke_howson",
    "polynomial_support_enumeration",
    "pure_nash_equilibria",
    "solve_game",
    "support_enumeration",
    "support_search",
    "vertex_enumeration",
]
