"""Equilibrium solvers: Numba kernels over plain arrays and thin, verifying Python wrappers.

Every solver takes a :class:`coop.games.NormalFormGame` and returns a
:class:`NashResult` whose equilibria have all passed a regret check.
"""

from typing import TYPE_CHECKING

from coop._lazy import lazy_exports

if TYPE_CHECKING:  # what a type checker sees (tests/test_exports.py keeps it equal to _EXPORTS)
    from coop.solvers.nash.dominance import DominanceResult, Elimination, iterated_dominance
    from coop.solvers.nash.lemke_howson import lemke_howson
    from coop.solvers.nash.polynomial_support import polynomial_support_enumeration, support_search
    from coop.solvers.nash.pure_nash import pure_nash_equilibria
    from coop.solvers.nash.results import REGRET_TOL, Equilibrium, NashResult
    from coop.solvers.nash.solve import GameSolution, solve_game
    from coop.solvers.nash.support_enumeration import support_enumeration
    from coop.solvers.nash.vertex_enumeration import vertex_enumeration

# imported on first use: a scenario loads only the solver modules it runs
_EXPORTS = {
    "DominanceResult": "coop.solvers.nash.dominance",
    "Elimination": "coop.solvers.nash.dominance",
    "iterated_dominance": "coop.solvers.nash.dominance",
    "lemke_howson": "coop.solvers.nash.lemke_howson",
    "polynomial_support_enumeration": "coop.solvers.nash.polynomial_support",
    "support_search": "coop.solvers.nash.polynomial_support",
    "pure_nash_equilibria": "coop.solvers.nash.pure_nash",
    "REGRET_TOL": "coop.solvers.nash.results",
    "Equilibrium": "coop.solvers.nash.results",
    "NashResult": "coop.solvers.nash.results",
    "GameSolution": "coop.solvers.nash.solve",
    "solve_game": "coop.solvers.nash.solve",
    "support_enumeration": "coop.solvers.nash.support_enumeration",
    "vertex_enumeration": "coop.solvers.nash.vertex_enumeration",
}

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

if not TYPE_CHECKING:  # a type checker sees the imports above instead, and flags any other name
    __getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
