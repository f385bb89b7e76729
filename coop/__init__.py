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
    "SolveReport": "coop.sections.report",
    "analyse": "coop.sections.report",
    "draw_figure": "coop.sections.report",
    "NormalFormGame": "coop.games",
    "relative_gains": "coop.games.transforms",
    "RedLine": "coop.scenarios",
    "Scenario": "coop.scenarios",
    "bundled_scenarios": "coop.scenarios",
    "load": "coop.scenarios",
    "DominanceResult": "coop.solvers.nash.dominance",
    "Equilibrium": "coop.solvers.nash.results",
    "GameSolution": "coop.solvers.nash.solve",
    "NashResult": "coop.solvers.nash.results",
    "iterated_dominance": "coop.solvers.nash.dominance",
    "lemke_howson": "coop.solvers.nash.lemke_howson",
    "polynomial_support_enumeration": "coop.solvers.nash.polynomial_support",
    "pure_nash_equilibria": "coop.solvers.nash.pure_nash",
    "solve_game": "coop.solvers.nash.solve",
    "support_enumeration": "coop.solvers.nash.support_enumeration",
    "support_search": "coop.solvers.nash.polynomial_support",
    "vertex_enumeration": "coop.solvers.nash.vertex_enumeration",
    "Automaton": "coop.games.automata",
    "RepeatedGame": "coop.games.repeated",
    "discounted_payoffs": "coop.solvers.repeated.payoffs",
    "simulate_payoffs": "coop.solvers.repeated.payoffs",
    "check_subgame_perfect": "coop.solvers.repeated.subgame_perfection",
    "critical_discount_factor": "coop.solvers.repeated.subgame_perfection",
    "critical_discount_factor_symbolic": "coop.solvers.repeated.subgame_perfection",
    "check_nash": "coop.solvers.repeated.best_response",
    "Institution": "coop.games.institutions",
    "analyse_institution": "coop.solvers.repeated.institutions",
    "round_robin": "coop.solvers.repeated.tournament",
    "minmax_values": "coop.solvers.repeated.minmax",
    "feasible_payoff_set": "coop.solvers.repeated.payoff_sets",
    "individually_rational_set": "coop.solvers.repeated.payoff_sets",
    "equilibrium_payoff_set": "coop.solvers.repeated.payoff_sets",
    "integrate": "coop.solvers.evolution.dynamics",
    "vector_field": "coop.solvers.evolution.dynamics",
    "rest_points": "coop.solvers.evolution.rest_points",
    "basins": "coop.solvers.evolution.rest_points",
    "PopulationGame": "coop.games.population",
    "collective_risk_dilemma": "coop.games.population",
    "fixation_probabilities": "coop.solvers.evolution.fixation",
    "small_mutation_limit": "coop.solvers.evolution.fixation",
    "stationary_distribution": "coop.solvers.evolution.stationary",
}

__all__ = sorted([*_EXPORTS, "__version__"])


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
