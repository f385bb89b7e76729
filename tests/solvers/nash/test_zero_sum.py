"""Zero-sum matrix games: value and optimal strategies, against HiGHS and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from coop.solvers.nash.zero_sum import GAP_TOL, _highs_solution, zero_sum_solution


@pytest.mark.parametrize(
    "M, value, row, column",
    [
        pytest.param([[1, -1], [-1, 1]], 0.0, [0.5, 0.5], [0.5, 0.5], id="matching_pennies"),
        pytest.param([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], 0.0, [1 / 3] * 3, [1 / 3] * 3, id="rock_paper_scissors"),
        # saddle point at (row 1, column 0): 2 is the least of its row and the largest of its column
        pytest.param([[1, 3], [2, 4]], 2.0, [0.0, 1.0], [1.0, 0.0], id="saddle_point"),
        # von Neumann and Morgenstern's 2x2 without saddle: value (ad - bc) / (a + d - b - c)
        pytest.param([[4, 1], [2, 3]], 2.5, [0.25, 0.75], [0.5, 0.5], id="mixed_2x2"),
        pytest.param([[3, 1, 4]], 1.0, [1.0], [0.0, 1.0, 0.0], id="one_row"),
        pytest.param([[3], [1], [4]], 4.0, [0.0, 0.0, 1.0], [1.0], id="one_column"),
    ],
)
def test_closed_forms(M, value, row, column):
    sol = zero_sum_solution(np.array(M, dtype=float))
    assert sol.value == pytest.approx(value, abs=1e-12)
    assert np.allclose(sol.row_strategy, row, atol=1e-12)
    assert np.allclose(sol.column_strategy, column, atol=1e-12)


def test_constant_matrix_and_bad_input():
    sol = zero_sum_solution(np.full((2, 3), 7.0))
    assert sol.row_guarantee == sol.column_guarantee == 7.0
    for bad in (np.zeros((0, 2)), np.zeros(3), np.array([[1.0, np.nan]])):
        with pytest.raises(ValueError, match="finite, non-empty matrix"):
            zero_sum_solution(bad)


def _check_optimal(M: np.ndarray) -> None:
    sol = zero_sum_solution(M)
    ref = _highs_solution(M)
    scale = max(float(np.ptp(M)), 1.0)
    for s, n in ((sol.row_strategy, M.shape[0]), (sol.column_strategy, M.shape[1])):
        assert s.shape == (n,) and np.all(s >= 0.0) and s.sum() == pytest.approx(1.0, abs=1e-12)
    # the guarantees are recomputed from the strategies: they certify optimality when they meet
    assert sol.row_guarantee == pytest.approx(float((sol.row_strategy @ M).min()), abs=0)
    assert sol.column_guarantee - sol.row_guarantee <= GAP_TOL * scale
    if abs(sol.value - ref.value) > 1e-8 * scale:
        # HiGHS works to feasibility tolerances of about 1e-7 (relative to its scaling), so on payoffs that differ
        # by 1e-5 its value can be off by more than ours: ours is certified by the two recomputed guarantees
        # above; HiGHS's own strategies must not guarantee more than ours to either side.
        assert float((ref.row_strategy @ M).min()) <= sol.column_guarantee + GAP_TOL * scale
        assert float((M @ ref.column_strategy).max()) >= sol.row_guarantee - GAP_TOL * scale
        assert sol.value == pytest.approx(ref.value, abs=1e-6 * scale)


def test_where_highs_is_less_precise_than_the_certificate():
    """Found by hypothesis: the value is -1e-5 exactly (columns 3 to 5 give -1e-5 against every row, and rows 1
    and 2 get -1e-5 against every column), and HiGHS says -8.75e-6."""
    M = np.full((4, 6), -1e-5)
    M[0, :2] = [0.0, 26.0]
    M[3, :3] = [-3.0, -1e-5, 1.0]
    sol = zero_sum_solution(M)
    assert sol.value == -1e-5 and sol.row_guarantee == sol.column_guarantee == -1e-5
    _check_optimal(M)


@pytest.mark.parametrize("seed", range(40))
def test_random_games_agree_with_highs(seed):
    rng = np.random.default_rng(seed)
    m, n = (int(k) for k in rng.integers(1, 9, size=2))
    # integer payoffs: many ties, so degenerate games are common
    M = rng.integers(-3, 4, size=(m, n)).astype(float) if seed % 2 else rng.standard_normal((m, n))
    _check_optimal(M)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
              elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False)))
def test_property_optimal_pair(M):
    _check_optimal(M)


def test_highs_fallback_takes_payoffs_of_any_magnitude():
    # HiGHS refuses coefficients of about 1e15 and more: the matrix is scaled by a power of two first
    from coop.solvers.nash.zero_sum import _highs_solution

    sol = _highs_solution(np.array([[8.3e14, -3e20], [1.0, 2e-5]]))
    assert sol.row_strategy.tolist() == [0.0, 1.0] and sol.column_strategy.tolist() == [0.0, 1.0]
    sol = _highs_solution(np.array([[1.0, -1.0], [-1.0, 1.0]]) * 1e307)
    np.testing.assert_allclose(sol.row_strategy, [0.5, 0.5])
