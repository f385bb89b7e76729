"""Equilibrium solvers: Numba kernels over plain arrays and thin, verifying Python wrappers.

Every solver takes a :class:`coop.games.NormalFormGame` and returns a
:class:`NashResult` whose equilibria have all passed a regret check.
"""

from coop._lazy import lazy_exports

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

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
