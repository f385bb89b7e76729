"""Names and defaults of the evolution family, one source for the scenario parser, the CLI and the solvers.

Imports nothing heavy (no NumPy, no Numba), so a parser or ``coop --help`` can read it for free.

The kernels know a dynamic or an update rule by its place in :data:`DYNAMICS` or :data:`UPDATE_RULES`
(:data:`DYNAMIC_CODES`, :data:`UPDATE_RULE_CODES`). Numba bakes those codes into the compiled kernels and its
cache does not notice a change to this file, so add new names at the end and never reorder them.

Examples
--------
>>> DYNAMICS
('replicator', 'best_response', 'logit', 'bnn', 'smith')
>>> DYNAMIC_CODES["logit"], UPDATE_RULE_CODES["moran_exp"]
(2, 2)
"""

from __future__ import annotations

from typing import Literal, get_args

#: A deterministic dynamic of large populations (:func:`coop.solvers.evolution.dynamics.integrate`).
Dynamic = Literal["replicator", "best_response", "logit", "bnn", "smith"]

DYNAMICS: tuple[Dynamic, ...] = get_args(Dynamic)

#: One line per dynamic, for help texts.
DYNAMIC_HELP: dict[Dynamic, str] = {
    "replicator": "x_a' = x_a (f_a - x.f)",
    "best_response": "x' = BR(x) - x, exact argmax with ties split evenly",
    "logit": "x' = softmax(f / eta) - x",
    "bnn": "Brown-von Neumann-Nash: x_a' = k_a - x_a sum k, k_a = max(f_a - x.f, 0)",
    "smith": "x_a' = sum_b x_b [f_a - f_b]+ - x_a sum_b [f_b - f_a]+",
}

#: The integer code the kernels use for each dynamic: its place in :data:`DYNAMICS`.
DYNAMIC_CODES: dict[Dynamic, int] = {name: code for code, name in enumerate(DYNAMICS)}

#: The dynamic of a scenario's run or basins when none is named.
DEFAULT_DYNAMIC: Dynamic = "replicator"

#: The noise of the logit dynamic when a scenario or a call gives none.
DEFAULT_LOGIT_ETA = 0.1

#: How long a scenario's dynamic runs when it gives no ``time``.
DEFAULT_RUN_TIME = 100.0

#: Grid steps per axis of the simplex for basins of attraction.
DEFAULT_BASIN_RESOLUTION = 10

#: How long each start of a basin grid is integrated.
DEFAULT_BASIN_TIME = 200.0

#: An update rule of a finite population (:mod:`coop.solvers.evolution.finite_population`).
UpdateRule = Literal["fermi", "moran", "moran_exp"]

UPDATE_RULES: tuple[UpdateRule, ...] = get_args(UpdateRule)

#: One line per update rule, for help texts.
UPDATE_RULE_HELP: dict[UpdateRule, str] = {
    "fermi": "pairwise comparison: adopt a random model's strategy with probability 1 / (1 + exp(-beta (f_i - f_j)))",
    "moran": "Moran birth-death with fitness 1 - beta + beta payoff (beta <= 1)",
    "moran_exp": "Moran birth-death with fitness exp(beta payoff)",
}

#: The integer code the kernels use for each update rule: its place in :data:`UPDATE_RULES`.
UPDATE_RULE_CODES: dict[UpdateRule, int] = {name: code for code, name in enumerate(UPDATE_RULES)}

#: The update rule when none is named.
DEFAULT_UPDATE_RULE: UpdateRule = "fermi"

#: Intensity of selection of a scenario's finite population when it gives none.
DEFAULT_SELECTION = 1.0

#: Mutation rate of a scenario's finite population when it gives none.
DEFAULT_MUTATION = 0.0

#: How a scenario models the players: one population (a symmetric game) or one population per player.
Populations = Literal["one", "per_player"]

POPULATIONS: tuple[Populations, ...] = get_args(Populations)

#: ``populations`` of :func:`~coop.solvers.evolution.dynamics.integrate` and its kin: a :data:`Populations`, or
#: ``"auto"``: a matrix is one population, a symmetric 2-player game is one when the state has one block.
PopulationsOrAuto = Literal["auto", Populations]

#: ``populations`` of :func:`~coop.solvers.evolution.rest_points.rest_points` and
#: :func:`~coop.solvers.evolution.rest_points.basins`: a :data:`Populations`, or ``"one_if_symmetric"``: one
#: population for a symmetric 2-player game, one per player otherwise.
PopulationsOrSymmetric = Literal["one_if_symmetric", Populations]
