"""Logit quantal response equilibria: the principal branch, the QRE at given lambdas, the fitted lambda and the
end point, against pygambit 17 (``logit_solve``, ``qre.logit_solve_lambda``, ``qre.logit_estimate``) and
closed forms."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import brentq

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.nash.quantal_response import logit_branch, logit_fit, logit_nash, logit_qre
from coop.solvers.nash.results import make_equilibrium
from tests import textbook_games as tg
from tests.oracles import gambit_flat
from tests.oracles import pygambit as gbt
from tests.strategies import games

#: The QRE at a given lambda: both libraries correct at that lambda to near machine precision.
QRE_TOL = 1e-6
#: End points: Gambit stops once its point's regret is below 1e-8 of the payoff range, so an action whose payoff
#: falls short of the best by a gap g may keep a probability of about 1e-8 / g there (1e-5 in a 2x3x4 game below);
#: coop's end point is the limit itself, verified.
END_TOL = 1e-4
LAMBDAS = [0.3, 1.0, 2.5]


def _random_game(shape: tuple[int, ...], seed: int) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    return NormalFormGame.from_payoffs(rng.normal(size=(len(shape), *shape)))


def _flat(strategies) -> np.ndarray:
    return np.concatenate([np.asarray(s) for s in strategies])


def _check_against_gambit(game: NormalFormGame, lambdas=LAMBDAS) -> None:
    res = logit_branch(game, lambdas)
    gg = game.to_gambit()
    theirs = gbt.qre.logit_solve_lambda(gg, list(lambdas))
    for mine, q in zip(res.at_lambda, theirs, strict=True):
        assert mine is not None
        assert np.abs(_flat(mine.strategies) - gambit_flat(q.profile)).max() <= QRE_TOL
    end = gbt.nash.logit_solve(gg)
    assert res.end is not None and end.equilibrium is not None
    assert res.end.relative_regret <= 1e-9
    assert np.abs(_flat(res.end.strategies) - gambit_flat(end.equilibrium)).max() <= END_TOL


@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (4, 3), (6, 6), (2, 2, 2), (3, 3, 3), (2, 3, 4)],
                         ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("seed", range(4))
def test_random_games_match_gambit(shape, seed):
    _check_against_gambit(_random_game(shape, 100 * len(shape) + seed))


@pytest.mark.parametrize("factory", [tg.prisoners_dilemma, tg.matching_pennies, tg.stag_hunt,
                                     tg.rock_paper_scissors, tg.von_stengel_3x2, tg.three_player_matching_pennies,
                                     tg.two_totally_mixed_2x2x2], ids=lambda f: f.__name__)
def test_textbook_games_match_gambit(factory):
    _check_against_gambit(factory())


@pytest.mark.parametrize("factory", [tg.battle_of_the_sexes, tg.chicken], ids=lambda f: f.__name__)
def test_symmetric_bifurcation_keeps_the_branch(factory):
    """In these games the branch meets a pitchfork bifurcation; before it both libraries agree, after it coop
    keeps the branch's own direction (to the mixed equilibrium), where Gambit 17 perturbs onto a pure one."""
    game = factory()
    res = logit_branch(game, [0.5])
    q = gbt.qre.logit_solve_lambda(game.to_gambit(), [0.5])[0]
    assert np.abs(_flat(res.at_lambda[0].strategies) - gambit_flat(q.profile)).max() <= QRE_TOL
    assert res.end is not None and not res.end.is_pure
    assert make_equilibrium(game, res.end.strategies).relative_regret <= 1e-9


def test_fitted_lambda_matches_gambit_estimate():
    game = _random_game((3, 3), 7)
    q = logit_qre(game, 1.3)
    counts = [np.round(200 * s) + np.array([3.0, 0.0, 1.0]) for s in q.strategies]
    fit = logit_fit(game, counts)
    gg = game.to_gambit()
    data = gg.mixed_strategy_profile(data=[[float(c) for c in row] for row in counts])
    theirs = gbt.qre.logit_estimate(data)
    assert not fit.at_end
    assert fit.lam == pytest.approx(theirs.lam, rel=1e-6)
    assert fit.log_likelihood == pytest.approx(theirs.log_like, rel=1e-9)
    assert np.abs(_flat(fit.strategies) - gambit_flat(theirs.profile)).max() <= QRE_TOL


def test_fit_recovers_the_lambda_of_exact_qre_data():
    game = _random_game((2, 3, 2), 3)
    q = logit_qre(game, 0.8)
    fit = logit_fit(game, {p: dict(zip(game.actions[i], 1000 * q.strategies[i], strict=True))
                           for i, p in enumerate(game.players)})
    assert fit.lam == pytest.approx(0.8, rel=1e-7)


# ----------------------------------------------------------------------------- closed forms
def test_matching_pennies_is_uniform_at_every_lambda():
    game = tg.matching_pennies()
    res = logit_branch(game, [0.1, 1.0, 10.0, 100.0])
    assert np.abs(res.branch_profiles - 0.5).max() <= 1e-12
    for q in res.at_lambda:
        assert np.abs(_flat(q.strategies) - 0.5).max() <= 1e-12
    assert np.abs(_flat(res.end.strategies) - 0.5).max() <= 1e-12


def test_dominant_strategy_game_solves_its_logit_fixed_point():
    """Prisoner's dilemma (T, R, P, S = 5, 3, 1, 0): against a partner who defects with probability p, defecting
    earns (1 - p)(T - R) + p (P - S) = 2 - p more, so the symmetric QRE solves p = 1 / (1 + exp(-lambda (2 - p))),
    a fixed point that is unique (the right side falls as p grows)."""
    game = tg.prisoners_dilemma()
    lambdas = [0.1, 0.7, 2.0, 6.0, 15.0]
    res = logit_branch(game, lambdas)
    defect = game.actions[0].index("D") if "D" in game.actions[0] else 1
    for lam, q in zip(lambdas, res.at_lambda, strict=True):
        p = brentq(lambda p, lam=lam: p - 1.0 / (1.0 + math.exp(-lam * (2.0 - p))), 0.0, 1.0, xtol=1e-15)
        assert q.strategies[0][defect] == pytest.approx(p, abs=1e-10)
        assert q.strategies[1][defect] == pytest.approx(p, abs=1e-10)


# ----------------------------------------------------------------------------- properties
@pytest.mark.parametrize("shape", [(3, 4), (2, 2, 3)], ids=lambda s: "x".join(map(str, s)))
def test_branch_properties(shape):
    game = _random_game(shape, 11)
    res = logit_branch(game, [0.0, 1.5])
    assert res.branch_lambda[0] == 0.0
    start = 0
    for a in game.num_actions:
        block = res.branch_profiles[:, start:start + a]
        assert np.all(block > 0.0)
        assert np.abs(block.sum(axis=1) - 1.0).max() <= 1e-9
        assert np.abs(res.branch_profiles[0, start:start + a] - 1.0 / a).max() <= 1e-15
        start += a
    assert np.abs(_flat(res.at_lambda[0].strategies) - np.repeat([1.0 / a for a in shape], shape)).max() <= 1e-15
    # the end point has zero regret by coop's rule, measured again from scratch
    assert res.converged and res.end is not None
    assert make_equilibrium(game, res.end.strategies).relative_regret <= 1e-9


def _on_simplex_from_uniform(game: NormalFormGame, res) -> None:
    start = 0
    for a in game.num_actions:
        block = res.branch_profiles[:, start:start + a]
        assert np.all(block >= 0.0) and np.abs(block.sum(axis=1) - 1.0).max() <= 1e-9
        assert np.abs(block[0] - 1.0 / a).max() <= 1e-15
        start += a


@settings(deadline=None, max_examples=40)
@given(games(n_players=(1, 3), max_actions=4, continuous=True))
def test_generic_games_end_at_a_verified_equilibrium(game):
    res = logit_branch(game)
    _on_simplex_from_uniform(game, res)
    assert res.converged and res.end is not None
    assert make_equilibrium(game, res.end.strategies).relative_regret <= 1e-9


@settings(deadline=None, max_examples=40)
@given(games(n_players=(2, 3), max_actions=3, continuous=False))
def test_degenerate_games_claim_only_verified_end_points(game):
    """Integer payoffs: ties, continua of equilibria; whatever the branch does, an end point is an equilibrium."""
    res = logit_branch(game)
    _on_simplex_from_uniform(game, res)
    if res.end is not None:
        assert make_equilibrium(game, res.end.strategies).relative_regret <= 1e-9
    else:
        assert not res.converged and res.notes


@pytest.mark.parametrize("shape", [(3, 4), (3, 4, 2), (2, 3, 2, 2)], ids=lambda s: "x".join(map(str, s)))
def test_action_values_and_their_derivatives_match_einsum(shape):
    """The kernel's expected payoff of every action against the others' mixes, and its derivative in each other
    player's probabilities (the 2- and 3-player loops and the general one), against a NumPy contraction."""
    from coop.solvers.nash._logit_kernels import action_values

    rng = np.random.default_rng(len(shape))
    n_players = len(shape)
    payoffs = rng.normal(size=(n_players, *shape))
    x = rng.random(sum(shape))
    offs = np.cumsum((0, *shape))
    blocks = [x[offs[i]:offs[i + 1]] for i in range(n_players)]
    U = np.empty(len(x))
    D = np.empty((len(x), len(x)))
    action_values(payoffs.reshape(n_players, -1), offs[:-1].astype(np.int64), np.array(shape, dtype=np.int64), x,
                  U, D, True)
    letters = "abcdefgh"[:n_players]
    for i in range(n_players):
        others = [j for j in range(n_players) if j != i]
        spec = ",".join([letters, *(letters[j] for j in others)]) + f"->{letters[i]}"
        assert np.allclose(U[offs[i]:offs[i + 1]], np.einsum(spec, payoffs[i], *(blocks[j] for j in others)),
                           rtol=0, atol=1e-13)
        assert np.all(D[offs[i]:offs[i + 1], offs[i]:offs[i + 1]] == 0.0)
        for j in others:
            rest = [k for k in others if k != j]
            spec = ",".join([letters, *(letters[k] for k in rest)]) + f"->{letters[i]}{letters[j]}"
            expected = np.einsum(spec, payoffs[i], *(blocks[k] for k in rest))
            assert np.allclose(D[offs[i]:offs[i + 1], offs[j]:offs[j + 1]], expected, rtol=0, atol=1e-13)


def test_lambda_is_in_payoff_units():
    game = _random_game((3, 3), 5)
    scaled = NormalFormGame.from_payoffs(10.0 * game.payoffs)
    a = logit_qre(game, 2.0)
    b = logit_qre(scaled, 0.2)
    assert np.abs(_flat(a.strategies) - _flat(b.strategies)).max() <= 1e-10


def test_logit_nash_is_a_verified_nash_result():
    res = logit_nash(tg.prisoners_dilemma())
    assert res.method == "logit" and res.guarantee == "some" and len(res) == 1
    assert res.equilibria[0].is_pure and res.relative_regret == 0.0


def test_to_dict_is_json_safe_and_thinned():
    game = _random_game((3, 3), 1)  # a branch with two folds: over a hundred points
    res = logit_branch(game, [1.0, 1e9], observed=[[5, 3, 2], [1, 1, 8]])
    doc = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert doc["method"] == "logit" and doc["end"]["relative_regret"] <= 1e-9
    assert len(doc["branch"]["lambda"]) == min(len(res.branch_lambda), 200)
    assert doc["branch"]["lambda"][0] == 0.0 and doc["branch"]["lambda"][-1] == res.branch_lambda[-1]
    assert doc["at_lambda"][1]["lambda"] == 1e9
    assert doc["fit"]["branch"] == "principal"


def test_pieces_give_the_same_branch():
    game = _random_game((4, 4), 2)
    whole = logit_branch(game, [1.0])
    seen = []
    pieces = logit_branch(game, [1.0], progress=seen.append)
    assert seen and np.array_equal(whole.branch_lambda, pieces.branch_lambda)
    assert np.array_equal(_flat(whole.end.strategies), _flat(pieces.end.strategies))


def test_time_limit_keeps_the_branch_and_claims_no_end():
    res = logit_branch(_random_game((3, 3), 1), stop_after=0.0)
    assert res.stopped is not None and res.stopped.cause == "time_limit"
    assert res.end is None and not res.converged and len(res.branch_lambda) >= 1


@pytest.mark.parametrize("kwargs, message", [
    ({"lambdas": [-1.0]}, "lambda must be a finite number >= 0"),
    ({"lambdas": "x"}, "lambda must be a number"),
    ({"observed": [[1, 2]]}, "one list of counts per player"),
    ({"observed": [[1, 2, 3], [1, 2]]}, "must be a list of 3 counts"),
    ({"observed": {"Z": [1, 2, 3]}}, "unknown player 'Z'"),
    ({"observed": [[0, 0, 0], [0, 0, 0]]}, "no observations"),
    ({"observed": [[1, -2, 3], [1, 2, 3]]}, "must be a finite number >= 0"),
    ({"first_step": 0.0}, "first_step must be a finite number > 0"),
    ({"tol": 1.0}, "regret tolerance"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        logit_branch(_random_game((3, 3), 0), **kwargs)
