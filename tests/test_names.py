"""Each list of names and each default has one source, read alike by the scenario parsers and the solvers."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from coop.errors import InputError
from coop.games.names import CLASSIC_FIELD, DEFAULT_PROFILES, STRATEGIES, STRATEGY_PARAMETERS
from coop.scenarios import load
from coop.scenarios.formula import known_list
from coop.solvers.evolution.names import (
    DEFAULT_BASIN_RESOLUTION,
    DEFAULT_BASIN_TIME,
    DEFAULT_LOGIT_ETA,
    DEFAULT_UPDATE_RULE,
    DYNAMIC_CODES,
    DYNAMIC_HELP,
    DYNAMICS,
    UPDATE_RULE_CODES,
    UPDATE_RULE_HELP,
    UPDATE_RULES,
)
from coop.solvers.repeated.names import DEFAULT_REPETITIONS, DEFAULT_TOURNAMENT_SEED, DEFAULT_TURNS, MINMAX_MODES

NAME_MODULES = ["coop.solvers.evolution.names", "coop.solvers.repeated.names", "coop.games.names",
                "coop.solvers.nash.methods", "coop.scenarios.fields"]

HAWK_DOVE = """\
title: Hawk-dove
players:
  - {name: A, actions: [dove, hawk]}
  - {name: B, actions: [dove, hawk]}
payoffs:
  arrays:
    A: [[1, 0], [2, -0.5]]
    B: [[1, 2], [0, -0.5]]
evolution:
  dynamics: [DYNAMIC]
  finite_population: {size: 10, rule: RULE}
"""


def _evolution(tmp_path, dynamic="replicator", rule="fermi"):
    path = tmp_path / "hawk-dove.yaml"
    path.write_text(HAWK_DOVE.replace("DYNAMIC", dynamic).replace("RULE", rule))
    return load(path).evolution


def test_name_modules_import_nothing_heavy():
    code = (f"import sys; import {', '.join(NAME_MODULES)}; "
            "print(sorted(m for m in ('numba', 'scipy', 'sympy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_codes_follow_the_order_of_the_names():
    assert list(DYNAMIC_CODES) == list(DYNAMICS) and list(DYNAMIC_CODES.values()) == list(range(len(DYNAMICS)))
    assert list(UPDATE_RULE_CODES) == list(UPDATE_RULES)
    assert list(UPDATE_RULE_CODES.values()) == list(range(len(UPDATE_RULES)))
    assert set(DYNAMIC_HELP) == set(DYNAMICS) and set(UPDATE_RULE_HELP) == set(UPDATE_RULES)


@pytest.mark.parametrize("dynamic", DYNAMICS)
def test_the_parser_and_the_solver_accept_every_dynamic(tmp_path, dynamic):
    from coop.solvers.evolution.dynamics import dynamic_code

    (run,) = _evolution(tmp_path, dynamic=dynamic).runs
    assert run.dynamic == dynamic
    assert run.eta == (DEFAULT_LOGIT_ETA if dynamic == "logit" else None)
    assert dynamic_code(dynamic, DEFAULT_LOGIT_ETA)[0] == DYNAMIC_CODES[dynamic]


def test_the_parser_and_the_solver_refuse_the_same_dynamics(tmp_path):
    from coop.solvers.evolution.dynamics import dynamic_code

    with pytest.raises(InputError, match=f"expected one of {known_list(DYNAMICS)}$"):
        _evolution(tmp_path, dynamic="imitation")
    with pytest.raises(InputError, match="unknown dynamic 'imitation'"):
        dynamic_code("imitation", None)


@pytest.mark.parametrize("rule", UPDATE_RULES)
def test_the_parser_and_the_solver_accept_every_update_rule(tmp_path, rule):
    from coop.games.population import PopulationGame
    from coop.solvers.evolution.fixation import fixation_probabilities

    finite = _evolution(tmp_path, rule=rule).finite
    assert finite.rule == rule
    game = PopulationGame.from_matrix([[1.0, 0.0], [2.0, 0.5]])
    assert fixation_probabilities(game, finite.size, 0.1, rule=rule).fixation.shape == (2, 2)


def test_the_parser_refuses_what_the_solver_refuses(tmp_path):
    with pytest.raises(InputError, match=f"expected one of {known_list(UPDATE_RULES)}$"):
        _evolution(tmp_path, rule="wright_fisher")


def test_solver_defaults_are_the_named_ones():
    from coop.solvers.evolution.dynamics import integrate, integrate_many, vector_field
    from coop.solvers.evolution.fixation import fixation_probabilities
    from coop.solvers.evolution.rest_points import basins, rest_points
    from coop.solvers.repeated.tournament import round_robin

    for f in (integrate, integrate_many, vector_field, rest_points, basins):
        assert inspect.signature(f).parameters["eta"].default == DEFAULT_LOGIT_ETA, f.__name__
    params = inspect.signature(basins).parameters
    assert (params["resolution"].default, params["t_end"].default) == (DEFAULT_BASIN_RESOLUTION, DEFAULT_BASIN_TIME)
    assert inspect.signature(fixation_probabilities).parameters["rule"].default == DEFAULT_UPDATE_RULE
    params = inspect.signature(round_robin).parameters
    assert (params["turns"].default, params["repetitions"].default, params["seed"].default) == (
        DEFAULT_TURNS, DEFAULT_REPETITIONS, DEFAULT_TOURNAMENT_SEED)


def test_every_strategy_name_has_a_builder():
    from coop.games.automata import BUILDERS

    assert tuple(BUILDERS) == STRATEGIES
    assert set(CLASSIC_FIELD) <= set(STRATEGIES) and set(DEFAULT_PROFILES) <= set(STRATEGIES)
    for key, parameter in STRATEGY_PARAMETERS.items():
        assert key in inspect.signature(BUILDERS[parameter.owner]).parameters


def test_every_minmax_mode_is_accepted():
    import numpy as np

    from coop.games import NormalFormGame
    from coop.solvers.repeated.payoff_sets import individually_rational_set

    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    game = NormalFormGame.from_bimatrix(A, A.T)
    for mode in MINMAX_MODES:
        individually_rational_set(game, minmax=mode)
    with pytest.raises(InputError, match="minmax must be one of"):
        individually_rational_set(game, minmax="maxmin")
