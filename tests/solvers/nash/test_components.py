"""Maximal Nash subsets of 2-player games (coop.solvers.nash.components).

Oracles: textbook degenerate games with their sets of equilibria written out
(von Stengel 2007, section 3.5; an indifferent row player; the zero game),
pygambit's ``enummixed_solve(cliques=True)`` (Gambit's clique enumeration of
interchangeable extreme equilibria, exact arithmetic) on random degenerate
integer games, and a brute-force biclique enumeration over every subset of a
small graph. Every mix of a set must be an equilibrium (checked by tests/regret.py).
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.solvers.nash.components import maximal_bicliques, nash_components
from coop.solvers.nash.lemke_howson import lemke_howson
from coop.solvers.nash.solve import solve_game
from coop.solvers.nash.vertex_enumeration import vertex_enumeration
from tests import regret
from tests import textbook_games as tg
from tests.oracles import pygambit
from tests.strategies import bimatrix

#: Mixes of two sets that are the same must agree within this.
PROB_TOL = 1e-7

Mixes = frozenset[tuple[float, ...]]


def key(mix) -> tuple[float, ...]:
    return tuple(round(float(p), 7) + 0.0 for p in mix)


def as_sets(components) -> set[tuple[Mixes, Mixes]]:
    """Each set as (its row mixes, its column mixes), rounded, for comparison as sets."""
    return {(frozenset(key(x) for x in c.row_mixes), frozenset(key(y) for y in c.column_mixes)) for c in components}


def gambit_sets(payoffs: np.ndarray) -> set[tuple[Mixes, Mixes]]:
    """Gambit's cliques of interchangeable extreme equilibria (exact rationals) as (row mixes, column mixes)."""
    game = pygambit.StrategicGame.from_arrays(*[payoffs[i].astype(int) for i in range(2)])
    res = pygambit.nash.enummixed_solve(game, rational=True, cliques=True)
    out = set()
    for clique in res.cliques:
        rows, cols = set(), set()
        for profile in clique:
            x, y = ([float(p) for _, p in mixed] for mixed in profile)
            rows.add(key(x))
            cols.add(key(y))
        out.add((frozenset(rows), frozenset(cols)))
    return out


def check_every_mix_is_an_equilibrium(game: NormalFormGame, components, rng: np.random.Generator) -> None:
    for c in components:
        corners = [(x, y) for x in c.row_mixes for y in c.column_mixes]
        for x, y in corners:
            assert regret.is_equilibrium(game, (x, y), 1e-9)
        for _ in range(3):  # inside: random mixes of the corners
            wx = rng.dirichlet(np.ones(len(c.row_mixes)))
            wy = rng.dirichlet(np.ones(len(c.column_mixes)))
            x = wx @ np.array(c.row_mixes)
            y = wy @ np.array(c.column_mixes)
            assert regret.is_equilibrium(game, (x, y), 1e-9)


# ---------------------------------------------------------------------------- textbook games
def test_von_stengel_degenerate_game_has_a_segment() -> None:
    """von Stengel (2007), section 3.5: with B's first row (3, 3) the top row meets a segment of column mixes,
    from (1, 0) to (2/3, 1/3), and the third equilibrium stays isolated."""
    A = np.array([[3.0, 3.0], [2.0, 5.0], [0.0, 6.0]])
    B = np.array([[3.0, 3.0], [2.0, 6.0], [3.0, 1.0]])
    game = NormalFormGame.from_bimatrix(A, B)
    sol = solve_game(game)
    assert sol.complete and sol.degenerate
    assert as_sets(sol.components) == {
        (frozenset({(1.0, 0.0, 0.0)}), frozenset({(1.0, 0.0), key((2 / 3, 1 / 3))})),
        (frozenset({key((0, 1 / 3, 2 / 3))}), frozenset({key((1 / 3, 2 / 3))})),
    }
    first, second = sol.components
    assert not first.isolated and second.isolated
    assert first.connected_set != second.connected_set  # two separate pieces


def test_indifferent_row_player_gives_three_overlapping_segments() -> None:
    """The row player is indifferent everywhere and the column player matches: the row player's 50-50 mix
    meets every column mix, each pure row meets its own column; the three segments form one connected set."""
    game = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]])
    comps = vertex_enumeration(game).components
    half = (0.5, 0.5)
    assert as_sets(comps) == {
        (frozenset({(1.0, 0.0), half}), frozenset({(1.0, 0.0)})),
        (frozenset({(0.0, 1.0), half}), frozenset({(0.0, 1.0)})),
        (frozenset({half}), frozenset({(1.0, 0.0), (0.0, 1.0)})),
    }
    assert {c.connected_set for c in comps} == {0}


def test_zero_game_is_one_set_of_everything() -> None:
    game = NormalFormGame.from_payoffs(np.zeros((2, 3, 2)))
    sol = solve_game(game)
    (only,) = sol.components
    assert len(only.row_mixes) == 3 and len(only.column_mixes) == 2
    assert only.equilibria == tuple(range(6))


def test_duplicated_rows_give_a_segment() -> None:
    """Rows 0 and 1 are copies: the mixed equilibrium is a segment between its two reported ends."""
    A = np.array([[2.0, 0.0], [2.0, 0.0], [0.0, 1.0]])
    B = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    comps = vertex_enumeration(NormalFormGame.from_bimatrix(A, B)).components
    segment = [c for c in comps if len(c.row_mixes) == 2 and len(c.column_mixes) == 1]
    assert {frozenset(key(x) for x in c.row_mixes) for c in segment} >= {
        frozenset({key((2 / 3, 0, 1 / 3)), key((0, 2 / 3, 1 / 3))})}


@pytest.mark.parametrize("factory", [tg.battle_of_the_sexes, tg.stag_hunt, tg.chicken, tg.von_stengel_3x2,
                                     tg.rock_paper_scissors, tg.prisoners_dilemma])
def test_nondegenerate_games_have_isolated_equilibria(factory) -> None:
    sol = solve_game(factory())
    assert sol.degenerate is False
    assert len(sol.components) == len(sol.equilibria)
    assert all(c.isolated for c in sol.components)
    assert [c.equilibria for c in sol.components] == [(k,) for k in range(len(sol.equilibria))]
    assert [c.connected_set for c in sol.components] == list(range(len(sol.equilibria)))


# ---------------------------------------------------------------------------- pygambit oracle
@pytest.mark.parametrize("m,n,values", [(2, 2, 3), (2, 3, 3), (3, 3, 3), (3, 4, 2), (4, 4, 2), (5, 3, 2),
                                        (5, 5, 2), (6, 6, 3)])
def test_sets_match_gambit_cliques(m: int, n: int, values: int) -> None:
    """Small whole-number payoffs make ties and continua common; Gambit's cliques are the same sets."""
    rng = np.random.default_rng(31 * m + 7 * n + values)
    degenerate = not_isolated = 0
    for _ in range(10):
        payoffs = rng.integers(0, values, (2, m, n)).astype(float)
        game = NormalFormGame.from_payoffs(payoffs)
        res = vertex_enumeration(game)
        assert res.converged and res.rejected == 0
        assert as_sets(res.components) == gambit_sets(payoffs)
        check_every_mix_is_an_equilibrium(game, res.components, rng)
        degenerate += bool(res.degenerate)
        not_isolated += any(not c.isolated for c in res.components)
    assert degenerate > 0 and not_isolated > 0


def test_textbook_sets_match_gambit_cliques() -> None:
    for payoffs in (np.array([[[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]]], dtype=float),
                    np.array([[[1, 1], [1, 1]], [[1, 0], [0, 1]]], dtype=float),
                    np.zeros((2, 3, 3))):
        assert as_sets(vertex_enumeration(NormalFormGame.from_payoffs(payoffs)).components) == gambit_sets(payoffs)


# ---------------------------------------------------------------------------- the biclique enumeration
def brute_force_bicliques(adj: np.ndarray) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every maximal biclique by trying every nonempty set of rows (a readable reference)."""
    kx, ky = adj.shape
    found = set()
    for size in range(1, kx + 1):
        for rows in itertools.combinations(range(kx), size):
            cols = tuple(int(b) for b in np.flatnonzero(adj[list(rows)].all(axis=0)))
            if not cols:
                continue
            closed = tuple(int(a) for a in np.flatnonzero(adj[:, list(cols)].all(axis=1)))
            if closed == rows:
                found.add((rows, cols))
    return found


@settings(deadline=None, max_examples=150)
@given(st.integers(1, 7), st.integers(1, 7), st.floats(0.1, 0.9), st.integers(0, 2**32 - 1))
def test_bicliques_match_brute_force(kx: int, ky: int, density: float, seed: int) -> None:
    adj = np.random.default_rng(seed).random((kx, ky)) < density
    found = maximal_bicliques(adj)
    assert found is not None
    as_tuples = [(tuple(s), tuple(t)) for s, t in found]
    assert len(as_tuples) == len(set(as_tuples))  # each once
    assert set(as_tuples) == brute_force_bicliques(adj)


def test_biclique_limit() -> None:
    adj = ~np.eye(6, dtype=bool)  # a crown graph: 2^6 - 2 maximal bicliques
    assert len(maximal_bicliques(adj) or []) == 62
    assert maximal_bicliques(adj, limit=10) is None


@settings(deadline=None, max_examples=40)
@given(bimatrix(max_actions=4, nondegenerate=False))
def test_property_sets_cover_the_extreme_equilibria(game: NormalFormGame) -> None:
    res = vertex_enumeration(game)
    comps = res.components
    covered = sorted({k for c in comps for k in c.equilibria})
    assert covered == list(range(len(res.equilibria)))
    for c in comps:  # the listed corners are exactly the pairs of the set's mixes that are extreme equilibria
        for k in c.equilibria:
            x, y = res.equilibria[k].strategies
            assert any(np.max(np.abs(x - r)) <= PROB_TOL for r in c.row_mixes)
            assert any(np.max(np.abs(y - s)) <= PROB_TOL for s in c.column_mixes)
    check_every_mix_is_an_equilibrium(game, comps, np.random.default_rng(0))


# ---------------------------------------------------------------------------- where the sets are given
def test_sets_in_the_json_of_both_results() -> None:
    game = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]], actions=(("U", "D"), ("L", "R")))
    sol = solve_game(game)
    doc = json.loads(json.dumps(sol.to_dict()))
    assert [c["equilibria"] for c in doc["components"]] == [list(c.equilibria) for c in sol.components]
    first = doc["components"][0]
    assert set(first["strategies"]) == set(game.players)
    for c in doc["components"]:  # each listed equilibrium is a pair of the set's mixes
        for k in c["equilibria"]:
            eq = doc["equilibria"][k]["strategies"]
            assert all(eq[p] in c["strategies"][p] for p in game.players)
    assert "components" not in doc["solver"]["mixed"]  # they would number another list
    assert json.loads(json.dumps(sol.mixed.to_dict()))["components"] is not None


def test_no_sets_without_a_complete_list() -> None:
    game = tg.battle_of_the_sexes()
    assert lemke_howson(game).components is None
    assert lemke_howson(game).to_dict()["components"] is None
    assert solve_game(game, method="pure").components is None
    assert solve_game(tg.three_player_matching_pennies()).components is None


def test_three_players_refused() -> None:
    with pytest.raises(InputError, match="2-player"):
        nash_components(tg.three_player_matching_pennies(), [])
