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

from typing import TYPE_CHECKING

from coop._lazy import lazy_exports

if TYPE_CHECKING:  # what a type checker sees (tests/test_exports.py keeps it equal to _EXPORTS)
    from coop.errors import InputError
    from coop.games import NormalFormGame
    from coop.games.automata import Automaton
    from coop.games.institutions import Institution
    from coop.games.population import PopulationGame, collective_risk_dilemma
    from coop.games.repeated import RepeatedGame
    from coop.games.transforms import relative_gains
    from coop.games.treaty import CompetingTreaty, TreatyGame
    from coop.plots import (
        plot_critical_delta,
        plot_gradient,
        plot_payoff_sets,
        plot_qre,
        plot_simplex,
        plot_stationary,
        plot_trajectories,
        save_figure,
    )
    from coop.scenarios import RedLine, Scenario, bundled_scenarios, load
    from coop.sections.base import PlotOptions
    from coop.sections.report import SolveReport, analyse, draw_figure
    from coop.solvers.coalitions.second_stage import solve_second_stage
    from coop.solvers.coalitions.stability import treaty_stability
    from coop.solvers.evolution.dynamics import integrate, vector_field
    from coop.solvers.evolution.fixation import fixation_probabilities, small_mutation_limit
    from coop.solvers.evolution.rest_points import basins, rest_points
    from coop.solvers.evolution.stationary import stationary_distribution
    from coop.solvers.nash.correlated import CorrelatedEquilibrium, correlated_equilibrium
    from coop.solvers.nash.dominance import DominanceResult, iterated_dominance
    from coop.solvers.nash.lemke_howson import lemke_howson
    from coop.solvers.nash.polynomial_support import polynomial_support_enumeration, support_search
    from coop.solvers.nash.pure_nash import pure_nash_equilibria
    from coop.solvers.nash.quantal_response import QuantalResponseResult, logit_branch, logit_fit, logit_nash, logit_qre
    from coop.solvers.nash.results import Equilibrium, NashResult
    from coop.solvers.nash.simplicial_subdivision import simplicial_subdivision
    from coop.solvers.nash.solve import GameSolution, solve_game
    from coop.solvers.nash.support_enumeration import support_enumeration
    from coop.solvers.nash.vertex_enumeration import vertex_enumeration
    from coop.solvers.repeated.best_response import check_nash
    from coop.solvers.repeated.institutions import analyse_institution
    from coop.solvers.repeated.minmax import minmax_values
    from coop.solvers.repeated.payoff_sets import equilibrium_payoff_set, feasible_payoff_set, individually_rational_set
    from coop.solvers.repeated.payoffs import discounted_payoffs, simulate_payoffs
    from coop.solvers.repeated.subgame_perfection import (
        check_subgame_perfect,
        critical_discount_factor,
        critical_discount_factor_symbolic,
    )
    from coop.solvers.repeated.tournament import round_robin
    from coop.sweeps.figure import plot_sweep
    from coop.sweeps.run import SweepResult, sweep

__version__ = "0.1.0"

_EXPORTS = {
    "InputError": "coop.errors",
    "SolveReport": "coop.sections.report",
    "analyse": "coop.sections.report",
    "draw_figure": "coop.sections.report",
    "PlotOptions": "coop.sections.base",
    "plot_payoff_sets": "coop.plots",
    "plot_critical_delta": "coop.plots",
    "plot_simplex": "coop.plots",
    "plot_trajectories": "coop.plots",
    "plot_stationary": "coop.plots",
    "plot_gradient": "coop.plots",
    "plot_qre": "coop.plots",
    "save_figure": "coop.plots",
    "plot_sweep": "coop.sweeps.figure",
    "SweepResult": "coop.sweeps.run",
    "sweep": "coop.sweeps.run",
    "NormalFormGame": "coop.games",
    "relative_gains": "coop.games.transforms",
    "RedLine": "coop.scenarios",
    "Scenario": "coop.scenarios",
    "bundled_scenarios": "coop.scenarios",
    "load": "coop.scenarios",
    "CorrelatedEquilibrium": "coop.solvers.nash.correlated",
    "correlated_equilibrium": "coop.solvers.nash.correlated",
    "DominanceResult": "coop.solvers.nash.dominance",
    "Equilibrium": "coop.solvers.nash.results",
    "GameSolution": "coop.solvers.nash.solve",
    "NashResult": "coop.solvers.nash.results",
    "iterated_dominance": "coop.solvers.nash.dominance",
    "lemke_howson": "coop.solvers.nash.lemke_howson",
    "QuantalResponseResult": "coop.solvers.nash.quantal_response",
    "logit_branch": "coop.solvers.nash.quantal_response",
    "logit_fit": "coop.solvers.nash.quantal_response",
    "logit_nash": "coop.solvers.nash.quantal_response",
    "logit_qre": "coop.solvers.nash.quantal_response",
    "polynomial_support_enumeration": "coop.solvers.nash.polynomial_support",
    "pure_nash_equilibria": "coop.solvers.nash.pure_nash",
    "simplicial_subdivision": "coop.solvers.nash.simplicial_subdivision",
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
    "TreatyGame": "coop.games.treaty",
    "CompetingTreaty": "coop.games.treaty",
    "treaty_stability": "coop.solvers.coalitions.stability",
    "solve_second_stage": "coop.solvers.coalitions.second_stage",
}

# a literal list, so that type checkers see the exports (tests/test_exports.py keeps it equal to _EXPORTS)
__all__ = [
    "Automaton",
    "CompetingTreaty",
    "CorrelatedEquilibrium",
    "DominanceResult",
    "Equilibrium",
    "GameSolution",
    "InputError",
    "Institution",
    "NashResult",
    "NormalFormGame",
    "PlotOptions",
    "PopulationGame",
    "QuantalResponseResult",
    "RedLine",
    "RepeatedGame",
    "Scenario",
    "SolveReport",
    "SweepResult",
    "TreatyGame",
    "__version__",
    "analyse",
    "analyse_institution",
    "basins",
    "bundled_scenarios",
    "check_nash",
    "check_subgame_perfect",
    "collective_risk_dilemma",
    "correlated_equilibrium",
    "critical_discount_factor",
    "critical_discount_factor_symbolic",
    "discounted_payoffs",
    "draw_figure",
    "equilibrium_payoff_set",
    "feasible_payoff_set",
    "fixation_probabilities",
    "individually_rational_set",
    "integrate",
    "iterated_dominance",
    "lemke_howson",
    "load",
    "logit_branch",
    "logit_fit",
    "logit_nash",
    "logit_qre",
    "minmax_values",
    "plot_critical_delta",
    "plot_gradient",
    "plot_payoff_sets",
    "plot_qre",
    "plot_simplex",
    "plot_stationary",
    "plot_sweep",
    "plot_trajectories",
    "polynomial_support_enumeration",
    "pure_nash_equilibria",
    "relative_gains",
    "rest_points",
    "round_robin",
    "save_figure",
    "simplicial_subdivision",
    "simulate_payoffs",
    "small_mutation_limit",
    "solve_second_stage",
    "solve_game",
    "stationary_distribution",
    "support_enumeration",
    "support_search",
    "sweep",
    "treaty_stability",
    "vector_field",
    "vertex_enumeration",
]


if not TYPE_CHECKING:  # a type checker sees the imports above instead, and flags any other name
    __getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)
