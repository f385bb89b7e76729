"""Equilibrium solvers run in pieces (coop.solvers.shared.progress): same answers in tiny and large pieces, a
time limit that returns what was verified, Ctrl-C through the progress callback, and a bar only when asked.

Tiny pieces: the first piece is one unit of work and later ones are sized for zero seconds, so every call of
the kernel examines one support profile or box (polynomial enumeration) or one basis (vertex enumeration).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from coop.games import NormalFormGame
from coop.solvers.nash import polynomial_support, vertex_enumeration
from coop.solvers.nash.polynomial_support import polynomial_support_enumeration, support_search
from coop.solvers.nash.solve import solve_game
from coop.solvers.shared import progress
from tests import regret
from tests.textbook_games import three_player_matching_pennies


def _random(shape: tuple[int, ...], seed: int = 0, integers: bool = False) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    size = (len(shape), *shape)
    payoffs = rng.integers(0, 10, size).astype(float) if integers else rng.standard_normal(size)
    return NormalFormGame.from_payoffs(payoffs)


def _profiles(result) -> list[np.ndarray]:
    return [np.concatenate(e.strategies) for e in result.equilibria]


def _same(a, b) -> None:
    """Same equilibria, bit for bit, in the same order; same statistics."""
    pa, pb = _profiles(a), _profiles(b)
    assert len(pa) == len(pb)
    for x, y in zip(pa, pb, strict=True):
        np.testing.assert_array_equal(x, y)
    assert (a.guarantee, a.degenerate, a.converged, a.num_iter, a.rejected) == (
        b.guarantee, b.degenerate, b.converged, b.num_iter, b.rejected)
    assert a.notes == b.notes


@pytest.fixture
def tiny_pieces(monkeypatch):
    """Every kernel call does the least work it can; counts the calls through the progress callback."""
    monkeypatch.setattr(progress, "CHUNK_SECONDS", 0.0)
    monkeypatch.setattr(polynomial_support, "FIRST_CHUNK", 1)
    monkeypatch.setattr(vertex_enumeration, "FIRST_CHUNK", 1)
    monkeypatch.setattr(vertex_enumeration, "SINGLE_CALL_BASES", 0)
    calls: list[progress.Progress] = []
    return calls


@pytest.mark.parametrize("shape, seed", [((2, 2, 2), 1), ((3, 3, 3), 2), ((2, 2, 2, 2), 3), ((3, 3, 2), 4)])
def test_polynomial_enumeration_is_the_same_in_tiny_pieces(shape, seed, tiny_pieces):
    game = _random(shape, seed)
    whole = polynomial_support_enumeration(game)
    pieces = polynomial_support_enumeration(game, progress=tiny_pieces.append)
    _same(whole, pieces)
    assert len(tiny_pieces) > whole.num_iter  # one call per support profile or box at least


def test_polynomial_enumeration_of_a_degenerate_game_is_the_same_in_tiny_pieces(tiny_pieces):
    game = _random((3, 3, 2), 5, integers=True)
    _same(polynomial_support_enumeration(game), polynomial_support_enumeration(game, progress=tiny_pieces.append))


def test_polynomial_enumeration_with_max_supports_is_the_same_in_tiny_pieces(tiny_pieces):
    game = _random((3, 3, 3), 6)
    whole = polynomial_support_enumeration(game, max_supports=100)
    _same(whole, polynomial_support_enumeration(game, max_supports=100, progress=tiny_pieces.append))
    assert not whole.converged and whole.num_iter == 100


@pytest.mark.parametrize("shape, seed", [((3, 3, 3), 0), ((4, 4, 4), 7), ((2, 2, 2, 2, 2), 8)])
def test_support_search_is_the_same_in_tiny_pieces(shape, seed, tiny_pieces):
    game = _random(shape, seed)
    _same(support_search(game), support_search(game, progress=tiny_pieces.append))


@pytest.mark.parametrize("n, seed, integers", [(3, 0, False), (6, 1, False), (7, 2, True), (9, 3, True)])
def test_vertex_enumeration_is_the_same_in_tiny_pieces(n, seed, integers, tiny_pieces):
    game = _random((n, n + 1), seed, integers)
    whole = vertex_enumeration.vertex_enumeration(game)
    pieces = vertex_enumeration.vertex_enumeration(game, progress=tiny_pieces.append)
    _same(whole, pieces)
    assert len(tiny_pieces) >= whole.num_iter  # a call per basis


def test_small_games_are_one_kernel_call():
    calls: list[progress.Progress] = []
    polynomial_support_enumeration(_random((3, 3, 3)), progress=calls.append)
    assert len(calls) == 1
    calls.clear()
    polynomial_support_enumeration(_random((2, 2, 2, 2, 2)), progress=calls.append)
    assert len(calls) == 1
    calls.clear()
    vertex_enumeration.vertex_enumeration(_random((8, 8)), progress=calls.append)
    assert calls == []  # the one-call kernel: no pieces at all


def test_a_time_limit_returns_what_was_verified_quickly():
    game = _random((5, 5, 5))  # the classroom issue's game: minutes without a limit
    polynomial_support_enumeration(_random((2, 2, 2)))  # the kernel loaded, so the limit measures the work
    start = time.monotonic()
    res = polynomial_support_enumeration(game, stop_after=0.5)
    assert time.monotonic() - start < 5.0
    assert res.stopped is not None and res.stopped.cause == "time_limit" and not res.interrupted
    assert res.guarantee == "some" and not res.converged
    assert res.stopped.reason.startswith("stopped after the time limit of 0.5 s: ")
    assert res.stopped.reason.endswith(" of 29,791 support profiles visited")
    assert any(note.startswith("stopped after the time limit") for note in res.notes)
    assert res.equilibria  # the pure and small supports come first
    for eq in res.equilibria:
        assert regret.is_equilibrium(game, eq.strategies)
    doc = res.to_dict()
    assert doc["stopped"]["cause"] == "time_limit" and doc["stopped"]["reason"] == res.stopped.reason


def test_ctrl_c_from_the_progress_callback_returns_a_partial_result():
    game = _random((5, 5, 5))
    seen: list[progress.Progress] = []

    def impatient(p: progress.Progress) -> None:
        seen.append(p)
        if len(seen) == 3:
            raise KeyboardInterrupt

    res = polynomial_support_enumeration(game, progress=impatient)
    assert res.interrupted and res.stopped is not None
    assert res.stopped.reason.startswith("interrupted (Ctrl-C): ")
    assert res.stopped.done == seen[-1].done < 29_791
    for eq in res.equilibria:
        assert regret.is_equilibrium(game, eq.strategies)


def test_support_search_gives_up_at_the_time_limit_with_a_reason(monkeypatch):
    # a limit of 0 s stops the search after its first piece, here one support profile: not an equilibrium
    monkeypatch.setattr(polynomial_support, "FIRST_CHUNK", 1)
    game = _random((4, 4, 4, 4), 3)
    assert (0, 0, 0, 0) not in regret.pure_equilibria(game)
    res = support_search(game, stop_after=0.0)
    assert not res.equilibria and not res.converged and res.num_iter == 1
    assert res.stopped is not None and res.stopped.cause == "time_limit"
    assert "stopped after the time limit of 0 s: 1 of " in " ".join(res.notes)


def test_vertex_enumeration_stopped_keeps_the_verified_pairs(monkeypatch):
    game = _random((9, 9), 3, integers=True)
    whole = vertex_enumeration.vertex_enumeration(game)
    monkeypatch.setattr(vertex_enumeration, "SINGLE_CALL_BASES", 0)
    monkeypatch.setattr(vertex_enumeration, "FIRST_CHUNK", 1)
    monkeypatch.setattr(progress, "CHUNK_SECONDS", 0.0)
    seen: list[progress.Progress] = []

    def impatient(p: progress.Progress) -> None:
        seen.append(p)
        if len(seen) == 40:
            raise KeyboardInterrupt

    part = vertex_enumeration.vertex_enumeration(game, progress=impatient)
    assert part.interrupted and part.guarantee == "some" and not part.converged
    assert part.stopped is not None and part.stopped.reason.startswith("interrupted (Ctrl-C): ")
    found = {tuple(np.round(p, 9)) for p in _profiles(whole)}
    assert all(tuple(np.round(p, 9)) in found for p in _profiles(part))


def test_solve_game_passes_the_limit_and_says_why_it_is_incomplete():
    game = _random((5, 5, 5))
    sol = solve_game(game, stop_after=0.3)
    assert not sol.complete and sol.stopped is not None and not sol.interrupted
    assert sol.reason is not None and sol.reason.startswith("stopped after the time limit of 0.3 s")
    assert "before it was stopped by the time limit" in sol.summary
    doc = sol.to_dict()
    assert doc["complete"] is False and doc["reason"] == sol.reason
    pure = {tuple(np.argmax(s) for s in e.strategies) for e in sol.equilibria if e.is_pure}
    assert pure == regret.pure_equilibria(game)  # every pure equilibrium is always there


def test_solve_game_of_a_small_game_is_complete_with_no_reason():
    sol = solve_game(three_player_matching_pennies(), stop_after=10)
    assert sol.complete and sol.stopped is None and sol.reason is None
    assert sol.to_dict()["reason"] is None


def test_no_progress_output_by_default(capsys):
    polynomial_support_enumeration(_random((4, 4, 4), 7))
    vertex_enumeration.vertex_enumeration(_random((10, 10), 1))
    assert capsys.readouterr().err == ""
