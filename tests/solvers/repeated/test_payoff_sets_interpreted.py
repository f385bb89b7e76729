"""The payoff-set iteration's whole-array steps (what a process running the kernels as plain Python uses) give
exactly what the compiled loops give.

``coop solve`` runs a small game's kernels as plain Python (coop/startup.py); there the subgame-perfect
payoff set replaces its two per-iteration loops, the caliper walk of :func:`_apply_operator` and the meeting
points of :func:`_vertices_from_support`, by whole-array versions. Here the kernel's own Python code runs with
those versions and must reproduce the compiled kernel's answer bit for bit, on games with ties (integer payoffs:
edges perpendicular to a direction, where the walk's choice among equal vertices matters) and nearly degenerate
ones (where lines that do not touch the polygon are removed).
"""

from __future__ import annotations

import numpy as np
import pytest

from coop.games import NormalFormGame
from coop.solvers.repeated import payoff_sets
from coop.solvers.repeated.payoff_sets import equilibrium_payoff_set


def _games() -> list[tuple[str, NormalFormGame]]:
    pd = np.array([[3.0, 0.0], [5.0, 1.0]])
    stag = np.array([[4.0, 0.0], [3.0, 2.0]])
    out = [("prisoners_dilemma", NormalFormGame.from_bimatrix(pd, pd.T)),
           ("stag_hunt", NormalFormGame.from_bimatrix(stag, stag.T))]
    # the arms race just below its threshold w = 1/3, where nearly parallel support lines meet
    w = 1.0 / 3.0 - 1e-9
    base = np.array([[4.0, 0.0], [3.0, 2.0]])
    framed = base + w * (base - base.T)
    out.append(("arms_race_near_threshold", NormalFormGame.from_bimatrix(framed, framed.T)))
    rng = np.random.default_rng(7)
    for k, shape in enumerate([(2, 2), (2, 3), (3, 3), (3, 3)]):
        A = rng.integers(0, 4, size=shape).astype(float)
        B = rng.integers(0, 4, size=shape).astype(float)
        out.append((f"integer_{k}", NormalFormGame.from_bimatrix(A, B)))
    for k in range(3):
        A, B = rng.standard_normal((2, 3, 3))
        out.append((f"gaussian_{k}", NormalFormGame.from_bimatrix(A, B)))
    return out


@pytest.mark.parametrize("name, game", _games(), ids=[n for n, _ in _games()])
@pytest.mark.parametrize("delta", [0.6, 0.9])
def test_whole_array_steps_match_the_compiled_kernel(name, game, delta, monkeypatch):
    compiled = equilibrium_payoff_set(game, delta=delta, num_directions=64)
    monkeypatch.setattr(payoff_sets, "_equilibrium_set_kernel", payoff_sets._equilibrium_set_kernel.py_func)
    monkeypatch.setattr(payoff_sets, "_apply_operator", payoff_sets._apply_operator_interpreted)
    monkeypatch.setattr(payoff_sets, "_vertices_from_support", payoff_sets._vertices_from_support_interpreted)
    plain = equilibrium_payoff_set(game, delta=delta, num_directions=64)
    assert (plain.num_iter, plain.inner_num_iter) == (compiled.num_iter, compiled.inner_num_iter)
    assert np.array_equal(plain.support, compiled.support)
    assert np.array_equal(plain.vertices, compiled.vertices)
    assert np.array_equal(plain.inner_vertices, compiled.inner_vertices)
    assert plain.error_bound == compiled.error_bound


def test_vertices_fall_back_to_the_lines_when_a_line_misses_the_polygon():
    """Support values of a square with one line pushed out: the whole-array step must hand over to the deque."""
    angles = np.linspace(0.0, 2 * np.pi, 8, endpoint=False)
    H = np.column_stack([np.cos(angles), np.sin(angles)])
    square = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    c = (square @ H.T).max(axis=0)
    c[1] += 0.5  # the diagonal line no longer touches: its edge folds back
    a = np.zeros((16, 2))
    b = np.zeros((16, 2))
    ka = payoff_sets._vertices_from_support_interpreted(H, c, a, 1e-12)
    kb = payoff_sets._vertices_from_lines(H, c, b, 1e-12)
    assert ka == kb
    assert np.array_equal(a[:ka], b[:kb])
