"""The one dense solver (solvers/shared/linalg.py) against NumPy and against readable references of the three
eliminations it replaced (support enumeration's rank-revealing solve, the polynomial solver's Newton solve and its
Gauss-Jordan inverse)."""

from __future__ import annotations

import numpy as np
import pytest

from coop.solvers.shared.linalg import CONTINUUM, NO_SOLUTION, UNIQUE, inverse_into, solve_inplace


def reference_rank_revealing(M, rhs, size, sing_tol):
    """The former ``bimatrix._solve_inplace``: status 0 / 2 / 3, solution in ``rhs``."""
    M = M.copy()
    rhs = rhs.copy()
    rank = 0
    for c in range(size):
        p = rank
        best = -1.0
        for r in range(rank, size):
            if abs(M[r, c]) > best:
                best = abs(M[r, c])
                p = r
        if best <= sing_tol:
            continue
        M[[rank, p], c:] = M[[p, rank], c:]
        rhs[[rank, p]] = rhs[[p, rank]]
        for r in range(rank + 1, size):
            f = M[r, c] / M[rank, c]
            if f != 0.0:
                for j in range(c + 1, size):
                    M[r, j] -= f * M[rank, j]
                M[r, c] = 0.0
                rhs[r] -= f * rhs[rank]
        rank += 1
    if rank < size:
        return (3 if np.any(np.abs(rhs[rank:size]) > 1e3 * sing_tol) else 2), rhs
    for c in range(size - 1, -1, -1):
        s = rhs[c]
        for j in range(c + 1, size):
            s -= M[c, j] * rhs[j]
        rhs[c] = s / M[c, c]
    return 0, rhs


def reference_gauss_jordan(A):
    """The former ``_polynomial._inverse`` (ok flag and inverse)."""
    n = A.shape[0]
    M = A.copy()
    inv = np.eye(n)
    scale = np.abs(M).max() if n else 0.0
    if scale == 0.0:
        return inv, False
    for col in range(n):
        piv = col + int(np.argmax(np.abs(M[col:, col])))
        best = abs(M[piv, col])
        if best <= 1e-300 or best < 1e-15 * scale:
            return inv, False
        M[[col, piv]] = M[[piv, col]]
        inv[[col, piv]] = inv[[piv, col]]
        d = 1.0 / M[col, col]
        M[col] *= d
        inv[col] *= d
        for r in range(n):
            if r != col and M[r, col] != 0.0:
                fac = M[r, col]
                M[r] -= fac * M[col]
                inv[r] -= fac * inv[col]
    return inv, True


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_unique_solutions_match_numpy_and_the_former_solver(n):
    rng = np.random.default_rng(n)
    for _ in range(20):
        A = rng.standard_normal((n, n))
        b = rng.standard_normal(n)
        M = np.zeros((n + 2, n + 2))  # only the leading block is read
        M[:n, :n] = A
        B = np.zeros((n + 2, 1))
        B[:n, 0] = b
        assert solve_inplace(M, B, n, 1e-12, 0.0) == UNIQUE
        assert np.allclose(B[:n, 0], np.linalg.solve(A, b), rtol=1e-9, atol=1e-9)
        status, ref = reference_rank_revealing(A, b, n, 1e-12)
        assert status == 0
        assert np.array_equal(B[:n, 0], ref)
        vec = b.copy()  # a vector right-hand side: the same arithmetic
        assert solve_inplace(A.copy(), vec, n, 1e-12, 0.0) == UNIQUE
        assert np.array_equal(vec, ref)
        plain = b.copy()  # the plain-Python routine (as under NUMBA_DISABLE_JIT=1)
        assert solve_inplace.py_func(A.copy(), plain, n, 1e-12, 0.0) == UNIQUE
        assert np.array_equal(plain, ref)


def test_several_right_hand_sides_at_once():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((4, 4))
    R = rng.standard_normal((4, 3))
    M, B = A.copy(), R.copy()
    assert solve_inplace(M, B, 4, 0.0, 1e-15) == UNIQUE
    assert np.allclose(A @ B, R)


@pytest.mark.parametrize(
    ("A", "b", "expected"),
    [
        pytest.param([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0], CONTINUUM, id="consistent"),
        pytest.param([[1.0, 2.0], [2.0, 4.0]], [1.0, 3.0], NO_SOLUTION, id="inconsistent"),
        pytest.param([[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0], CONTINUUM, id="zero"),
        pytest.param([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 1.0]], [1.0, 1.0, 2.0], CONTINUUM,
                     id="zero_column_first"),
    ],
)
def test_singular_systems_are_classified(A, b, expected):
    A = np.array(A)
    b = np.array(b)
    B = b.copy()
    assert solve_inplace(A.copy(), B, len(b), 1e-12, 0.0) == expected
    assert reference_rank_revealing(A, b, len(b), 1e-12)[0] == expected


def test_the_relative_pivot_tolerance():
    A = np.array([[1e10, 0.0], [0.0, 1e-8]])  # the second pivot is 1e-18 of the largest entry
    assert solve_inplace(A.copy(), np.ones(2), 2, 1e-300, 0.0) == UNIQUE
    assert solve_inplace(A.copy(), np.ones(2), 2, 1e-300, 1e-15) != UNIQUE


@pytest.mark.parametrize("n", [1, 2, 4, 7])
def test_inverse_matches_the_former_gauss_jordan(n):
    rng = np.random.default_rng(100 + n)
    for _ in range(20):
        A = rng.standard_normal((n, n))
        keep = A.copy()
        inv = np.full((n, n), np.nan)
        assert inverse_into(A, inv, np.empty((n, n)), 1e-300, 1e-15)
        assert np.array_equal(A, keep)
        ref, ok = reference_gauss_jordan(A)
        assert ok
        assert np.allclose(inv, ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    singular = np.array([[1.0, 2.0], [2.0, 4.0 + 1e-17]])
    assert not inverse_into(singular, np.empty((2, 2)), np.empty((2, 2)), 1e-300, 1e-15)
    assert not reference_gauss_jordan(singular)[1]
