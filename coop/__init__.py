"""coop: a game-theoretic solver for international AI cooperation.

The public API: game classes, scenario loading and the solvers, for use in a notebook.
Names are imported on first use, so ``import coop`` (and ``coop --help``) stay fast.

>>> import coop
>>> scenario = coop.load("ai-arms-race")
>>> scenario.game.players
('US', 'China')
>>> solution = coop.solve_game(scenario.game)
>>> [eq.is_pure for eq in solution.equilibria]
[True, True, False]
"""

from __future__ import annotations

from coop._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "InputError": "coop.errors",
    "NormalFormGame": "coop.games",
    "relative_gains": "coop.games.transforms",
    "RedLine": "coop.scenarios",
    "Scenario": "coop.scenarios",
    "bundled_scenarios": "coop.scenarios",
    "load": "coop.scenarios",
    "DominanceResult": "coop.solvers.dominance",
    "Equilibrium": "coop.solvers.results",
    "GameSolution": "coop.solvers.solve",
    "NashResult": "coop.solvers.results",
    "iterated_dominance": "coop.solvers.dominance",
    "lemke_howson": "coop.solvers.lemke_howson",
    "polynomial_support_enumeration": "coop.solvers.polynomial_support",
    "pure_nash_equilibria": "coop.solvers.pure_nash",
    "solve_game": "coop.solvers.solve",
    "support_enumeration": "coop.solvers.support_enumeration",
    "support_search": "coop.solvers.polynomial_support",
    "vertex_enumeration": "coop.solvers.vertex_enumeration",
    "Automaton": "coop.games.automata",
    "RepeatedGame": "coop.games.repeated",
    "discounted_payoffs": "coop.solvers.repeated_payoffs",
    "simulate_payoffs": "coop.solvers.repeated_payoffs",
    "check_subgame_perfect": "coop.solvers.subgame_perfection",
    "critical_discount_factor": "coop.solvers.subgame_perfection",
    "critical_discount_factor_symbolic": "coop.solvers.subgame_perfection",
    "check_nash": "coop.solvers.best_response",
    "Institution": "coop.games.institutions",
    "analyse_institution": "coop.solvers.institutions",
    "round_robin": "coop.solvers.tournament",
    "minmax_values": "coop.solvers.minmax",
    "feasible_payoff_set": "coop.solvers.payoff_sets",
    "individually_rational_set": "coop.solvers.payoff_sets",
    "equilibrium_payoff_set": "coop.solvers.payoff_sets",
    "integrate": "coop.solvers.dynamics",
    "vector_field": "coop.solvers.dynamics",
    "rest_points": "coop.solvers.rest_points",
    "basins": "coop.solvers.rest_points",
    "PopulationGame": "coop.solvers.finite_population",
    "collective_risk_dilemma": "coop.solvers.finite_population",
    "fixation_probabilities": "coop.solvers.fixation",
    "small_mutation_limit": "coop.solvers.fixation",
    "stationary_distribution": "coop.solvers.stationary",
}

__all__ = sorted([*_EXPORTS, "__version__"])


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
