"""Tournaments, stationary distributions and basins of attraction run in pieces (coop.solvers.shared.progress):
the same answers in tiny and large pieces, a time limit and Ctrl-C that keep what was computed.

(The equilibrium solvers' pieces are tested in tests/solvers/nash/test_chunked.py.)
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from coop.games import NormalFormGame
from coop.games.population import PopulationGame
from coop.games.repeated import RepeatedGame
from coop.solvers.evolution import rest_points, stationary
from coop.solvers.evolution.rest_points import basins
from coop.solvers.evolution.stationary import stationary_distribution
from coop.solvers.repeated import tournament
from coop.solvers.repeated.tournament import round_robin
from coop.solvers.shared import progress
from coop.solvers.shared.progress import StoppedEarly

NAMES = ["tit_for_tat", "always_defect", "always_cooperate", "grudger", "random", "generous_tit_for_tat",
         "win_stay_lose_shift"]


def _pd() -> RepeatedGame:
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    return RepeatedGame(NormalFormGame.from_bimatrix(A, A.T), None, (0, 0), (1, 1))


@pytest.fixture
def tiny_pieces(monkeypatch):
    monkeypatch.setattr(progress, "CHUNK_SECONDS", 0.0)
    monkeypatch.setattr(tournament, "FIRST_CHUNK", 1)
    monkeypatch.setattr(rest_points, "FIRST_STARTS", 1)
    calls: list[progress.Progress] = []
    return calls


def _stop_at(n: int):
    calls: list[progress.Progress] = []

    def callback(p: progress.Progress) -> None:
        calls.append(p)
        if len(calls) == n:
            raise KeyboardInterrupt

    return callback


# ----------------------------------------------------------------------------- tournaments
@pytest.mark.parametrize("options", [dict(noise=0.05, repetitions=4, seed=3), dict(noise=0.0, repetitions=3),
                                     dict(noise=0.1, exact=True)], ids=["noisy", "certain", "exact"])
def test_a_tournament_is_the_same_in_tiny_pieces(options, tiny_pieces):
    whole = round_robin(_pd(), NAMES, turns=40, **options)
    pieces = round_robin(_pd(), NAMES, turns=40, progress=tiny_pieces.append, **options)
    np.testing.assert_array_equal(whole.match_totals, pieces.match_totals)
    assert whole.ranking == pieces.ranking and whole.complete and pieces.complete
    assert len(tiny_pieces) == len(NAMES) * (len(NAMES) + 1) // 2 * whole.repetitions  # a call per match


def test_a_small_tournament_is_one_call():
    calls: list[progress.Progress] = []
    round_robin(_pd(), NAMES, turns=200, repetitions=10, noise=0.05, progress=calls.append)
    assert len(calls) == 1


def test_ctrl_c_keeps_the_round_robins_played(tiny_pieces):
    whole = round_robin(_pd(), NAMES, turns=40, repetitions=5, noise=0.05, seed=3)
    per_round = len(NAMES) * (len(NAMES) + 1) // 2
    part = round_robin(_pd(), NAMES, turns=40, repetitions=5, noise=0.05, seed=3, progress=_stop_at(2 * per_round + 3))
    assert part.interrupted and not part.complete and part.repetitions == 2
    assert part.reason == "interrupted (Ctrl-C): 2 of 5 round robins played"
    np.testing.assert_array_equal(part.match_totals, whole.match_totals[:2])
    doc = part.to_dict()
    assert doc["complete"] is False and doc["reason"] == part.reason and doc["repetitions"] == 2
    with pytest.raises(KeyboardInterrupt):  # nothing finished yet: nothing to report
        round_robin(_pd(), NAMES, turns=40, repetitions=5, noise=0.05, seed=3, progress=_stop_at(3))


def test_the_time_limit_lets_the_first_round_robin_finish(tiny_pieces):
    res = round_robin(_pd(), NAMES, turns=40, repetitions=5, noise=0.05, seed=3, stop_after=0.0)
    assert res.repetitions == 1 and res.reason == "stopped after the time limit of 0 s: 1 of 5 round robins played"


# ----------------------------------------------------------------------------- stationary distributions
def test_a_large_chain_is_solved_in_a_child_process_with_the_same_answer(monkeypatch):
    game = PopulationGame.from_matrix(np.random.default_rng(0).standard_normal((3, 3)))
    here = stationary_distribution(game, 60, 1.0, 0.01)
    monkeypatch.setattr(stationary, "PROCESS_STATES", 0)
    there = stationary_distribution(game, 60, 1.0, 0.01)
    np.testing.assert_array_equal(here.distribution, there.distribution)


def test_a_stationary_solve_stops_at_the_time_limit_within_seconds():
    game = PopulationGame.from_matrix(np.random.default_rng(0).standard_normal((4, 4)))
    start = time.monotonic()
    with pytest.raises(StoppedEarly) as stop:  # 176,851 states: minutes of sparse LU
        stationary_distribution(game, 100, 1.0, 0.01, stop_after=0.5)
    assert time.monotonic() - start < 10.0
    assert stop.value.stopped.reason == ("stopped after the time limit of 0.5 s: the sparse solve over 176,851 "
                                        "population states had not finished")


def test_ctrl_c_ends_a_stationary_solve():
    game = PopulationGame.from_matrix(np.random.default_rng(0).standard_normal((4, 4)))
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        stationary_distribution(game, 100, 1.0, 0.01, progress=_stop_at(2))
    assert time.monotonic() - start < 10.0


# ----------------------------------------------------------------------------- basins of attraction
def _two_populations() -> NormalFormGame:
    return NormalFormGame.from_payoffs(np.random.default_rng(0).standard_normal((2, 3, 3)))


def test_basins_are_the_same_in_tiny_pieces(tiny_pieces):
    game = _two_populations()
    whole = basins(game, resolution=4)
    pieces = basins(game, resolution=4, progress=tiny_pieces.append)
    np.testing.assert_array_equal(whole.finals, pieces.finals)
    np.testing.assert_array_equal(whole.labels, pieces.labels)
    np.testing.assert_array_equal(whole.fractions, pieces.fractions)
    assert len(tiny_pieces) == len(whole.starts) and pieces.complete and pieces.early_stop is None


def test_stopped_basins_keep_a_random_sample_of_the_grid(tiny_pieces):
    game = _two_populations()
    whole = basins(game, resolution=8)  # 441 starts
    part = basins(game, resolution=8, progress=_stop_at(30))
    assert part.interrupted and not part.complete and part.integrated is not None
    assert int(part.integrated.sum()) == 30
    np.testing.assert_array_equal(part.finals[part.integrated], whole.finals[part.integrated])
    assert part.reason is not None and part.reason.startswith(
        f"the computation was interrupted (Ctrl-C): 30 of {len(whole.starts)} starts integrated, in a shuffled order")
    assert part.to_dict()["integrated"] == [bool(v) for v in part.integrated]
    assert abs(float(part.fractions.sum()) + part.unconverged - 1.0) < 1e-12
