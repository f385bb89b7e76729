r"""Small dense linear systems, solved in place in compiled code.

One routine, :func:`solve_inplace`, serves every solver that needs
:math:`M X = B` for a small square :math:`M`: the indifference systems of
support enumeration, the Newton steps and the Krawczyk preconditioner
(:func:`inverse_into`) of the polynomial solver. It is Gaussian elimination
with partial pivoting (the row with the largest entry in the column, the first
such row on ties) that reveals the rank: a column without a usable pivot is
skipped, and a rank-deficient system is then told apart as consistent (a
continuum of solutions) or inconsistent (none) from the transformed right-hand
sides.

A pivot is unusable when its magnitude is at most ``abs_tol`` or below
``rel_tol`` times the largest entry of :math:`M` (``rel_tol = 0`` turns the
relative test off and skips the scan for that entry). A rank-deficient system
counts as inconsistent when a transformed right-hand side left below the last
pivot exceeds ``1e3 * abs_tol`` in magnitude.

Nothing is allocated: :math:`M` and :math:`B` are overwritten, and only their
leading ``size`` rows (and columns of :math:`M`) are read. :math:`B` is a
vector (one right-hand side) or a matrix (one column per right-hand side); the
routine is compiled for each, so the vector case runs without a loop over
columns.

>>> import numpy as np
>>> M = np.array([[2.0, 1.0], [1.0, 3.0]])
>>> b = np.array([3.0, 5.0])
>>> int(solve_inplace(M, b, 2, 1e-12, 0.0)), b.round(12).tolist()
(0, [0.8, 1.4])
>>> int(solve_inplace(np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([1.0, 2.0]), 2, 1e-12, 0.0))
2
>>> inv = np.empty((2, 2))
>>> bool(inverse_into(np.array([[2.0, 1.0], [1.0, 3.0]]), inv, np.empty((2, 2)), 1e-300, 1e-15))
True
>>> bool(np.allclose(inv @ [[2.0, 1.0], [1.0, 3.0]], np.eye(2)))
True
"""

from __future__ import annotations

from coop.solvers.shared.jit import njit, overload

#: :func:`solve_inplace` status: a unique solution, left in ``B``
UNIQUE = 0
#: :func:`solve_inplace` status: singular and consistent (a continuum of solutions)
CONTINUUM = 2
#: :func:`solve_inplace` status: singular and inconsistent (no solution)
NO_SOLUTION = 3


# the right-hand sides as a vector or a matrix, resolved when the caller is compiled (plain Python without the JIT)
def _width(B):
    return 1 if B.ndim == 1 else B.shape[1]


def _get(B, r, q):
    return B[r] if B.ndim == 1 else B[r, q]


def _put(B, r, q, v):
    if B.ndim == 1:
        B[r] = v
    else:
        B[r, q] = v


@overload(_width, inline="always")
def _width_jit(B):
    if B.ndim == 1:
        return lambda B: 1
    return lambda B: B.shape[1]


@overload(_get, inline="always")
def _get_jit(B, r, q):
    if B.ndim == 1:
        return lambda B, r, q: B[r]
    return lambda B, r, q: B[r, q]


@overload(_put, inline="always")
def _put_jit(B, r, q, v):
    if B.ndim == 1:
        def put_vector(B, r, q, v):
            B[r] = v
        return put_vector

    def put_matrix(B, r, q, v):
        B[r, q] = v
    return put_matrix


@njit(cache=True)
def solve_inplace(M, B, size, abs_tol, rel_tol):
    """Solve ``M[:size, :size] X = B[:size]`` by Gaussian elimination with partial pivoting, in place.

    Parameters
    ----------
    M : float64[:, :]
        At least ``size`` by ``size``; overwritten (upper triangle of the eliminated system).
    B : float64[:] or float64[:, :]
        At least ``size`` rows: one right-hand side, or one per column; overwritten, with the
        solution when it is unique.
    size : int
        Order of the system.
    abs_tol, rel_tol : float
        A pivot ``p`` counts as zero when ``|p| <= abs_tol`` or ``|p| < rel_tol * max|M|``.

    Returns
    -------
    int
        :data:`UNIQUE` (0), :data:`CONTINUUM` (2) or :data:`NO_SOLUTION` (3).
    """
    nrhs = _width(B)
    floor = 0.0
    if rel_tol > 0.0:
        scale = 0.0
        for i in range(size):
            for j in range(size):
                v = abs(M[i, j])
                if v > scale:
                    scale = v
        floor = rel_tol * scale
    rank = 0
    for c in range(size):
        p = rank
        best = -1.0
        for r in range(rank, size):
            v = abs(M[r, c])
            if v > best:
                best = v
                p = r
        if best <= abs_tol or best < floor:
            continue  # no pivot in this column: singular
        if p != rank:
            for j in range(c, size):
                t = M[rank, j]
                M[rank, j] = M[p, j]
                M[p, j] = t
            for q in range(nrhs):
                t = _get(B, rank, q)
                _put(B, rank, q, _get(B, p, q))
                _put(B, p, q, t)
        piv = M[rank, c]
        for r in range(rank + 1, size):
            f = M[r, c] / piv
            if f != 0.0:
                for j in range(c + 1, size):
                    M[r, j] -= f * M[rank, j]
                M[r, c] = 0.0
                for q in range(nrhs):
                    _put(B, r, q, _get(B, r, q) - f * _get(B, rank, q))
        rank += 1
    if rank < size:
        for r in range(rank, size):
            for q in range(nrhs):
                if abs(_get(B, r, q)) > 1e3 * abs_tol:
                    return NO_SOLUTION
        return CONTINUUM
    for q in range(nrhs):
        for c in range(size - 1, -1, -1):
            s = _get(B, c, q)
            for j in range(c + 1, size):
                s -= M[c, j] * _get(B, j, q)
            _put(B, c, q, s / M[c, c])
    return UNIQUE


@njit(cache=True)
def inverse_into(A, inv, work, abs_tol, rel_tol):
    """Write the inverse of the square ``A`` into ``inv`` by :func:`solve_inplace` (``A`` is kept; ``work``,
    of ``A``'s shape, is overwritten). Returns False if ``A`` is singular under the tolerances."""
    n = A.shape[0]
    for i in range(n):
        for j in range(n):
            work[i, j] = A[i, j]
            inv[i, j] = 0.0
        inv[i, i] = 1.0
    return solve_inplace(work, inv, n, abs_tol, rel_tol) == UNIQUE
