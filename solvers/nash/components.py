r"""The sets of equilibria of a degenerate 2-player game: its maximal Nash subsets, from its extreme equilibria.

In a nondegenerate bimatrix game every equilibrium is isolated. In a degenerate
one (ties in the payoffs, common with small whole-number payoffs) equilibria can
form segments, polygons or larger convex sets, and vertex enumeration lists their
corners: the extreme equilibria. This module groups the corners into the convex
sets they span.

Two extreme equilibria :math:`(x, y)` and :math:`(x', y')` are *interchangeable*
when :math:`(x, y')` and :math:`(x', y)` are equilibria too. Take the bipartite
graph whose nodes are the distinct row mixes and column mixes of the extreme
equilibria and whose edges are the equilibria :math:`(x, y)`. A *biclique* is a
set of row mixes :math:`S` and column mixes :math:`T` with every pair in
:math:`S \times T` an equilibrium; then every mix of :math:`S` against every mix
of :math:`T` is an equilibrium too (a best reply to each of several strategies is
a best reply to any mix of them), so :math:`\operatorname{conv} S \times
\operatorname{conv} T` is a convex set of equilibria. The maximal bicliques give
the *maximal Nash subsets*, and every equilibrium of the game lies in one of them
(Winkels 1979; Jansen 1981; Audet, Hansen, Jaumard and Savard 2001). Maximal
Nash subsets may overlap; the connected components of the graph give the
connected sets of equilibria, the unions of the subsets that overlap.

The maximal bicliques are the closed pairs of the graph (a row set and its
common column neighbours, each the other's common neighbours), found here by a
"close by one" depth-first search over the row mixes: a new row is added to a
closed pair, the pair is closed again, and the result is kept only when closing
added no row before the new one, so each pair is met exactly once, with work
polynomial in the graph per pair found.

References
----------
D. Avis, G. D. Rosenberg, R. Savani and B. von Stengel (2010), "Enumeration of
Nash equilibria for two-player games", *Economic Theory* 42, 9-37 (section 6:
cliques of interchangeable equilibria and components).

C. Audet, P. Hansen, B. Jaumard and G. Savard (2001), "Enumeration of all
extreme equilibria of bimatrix games", *SIAM J. Sci. Comput.* 23, 323-338.

S. O. Kuznetsov (1993), "A fast algorithm for computing all intersections of
objects in a finite semi-lattice" (the close-by-one search).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.results import Equilibrium, make_equilibrium, regret_tolerance

#: Two mixes whose probabilities all differ by at most this are the same mix.
SAME_MIX_TOL = 1e-7
#: Cross pairs are screened on the unit payoffs with this loose relative regret before the exact check.
SCREEN_TOL = 1e-6
#: At most this many cross pairs (distinct row mixes x distinct column mixes) are screened; past it only the
#: listed equilibria are edges (for a complete list of extreme equilibria they are every edge).
MAX_CROSS_PAIRS = 4_000_000
#: At most this many maximal Nash subsets are enumerated (there can be exponentially many).
MAX_COMPONENTS = 10_000


@dataclass(frozen=True, eq=False)
class NashComponent:
    """One maximal Nash subset: every mix of ``row_mixes`` against every mix of ``column_mixes`` is an equilibrium.

    Attributes
    ----------
    row_mixes, column_mixes : tuple of numpy.ndarray
        The extreme mixes of each player in this set (its corners are the pairs of them).
    equilibria : tuple of int
        The positions (from 0) of this set's extreme equilibria in the list the sets were computed from.
    connected_set : int
        Which connected set of equilibria this one belongs to (from 0): maximal Nash subsets that overlap
        (share an extreme equilibrium, directly or through others) have the same number.
    """

    row_mixes: tuple[np.ndarray, ...]
    column_mixes: tuple[np.ndarray, ...]
    equilibria: tuple[int, ...]
    connected_set: int = 0

    @property
    def isolated(self) -> bool:
        """Whether this set is a single equilibrium."""
        return len(self.row_mixes) == 1 and len(self.column_mixes) == 1

    @property
    def mixes(self) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        return self.row_mixes, self.column_mixes

    def to_dict(self, game: NormalFormGame) -> dict[str, Any]:
        """``{"equilibria": [...], "strategies": {player: [{action: p}, ...]}, "connected_set": k}``."""
        return {
            "equilibria": list(self.equilibria),
            "strategies": {
                player: [{a: _clean(float(p)) for a, p in zip(game.actions[i], mix, strict=True)}
                         for mix in self.mixes[i]]
                for i, player in enumerate(game.players)
            },
            "connected_set": self.connected_set,
        }


def _clean(p: float) -> float:
    return 0.0 if abs(p) < 1e-12 else p


def _distinct(mixes: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[int]]:
    """The distinct mixes (within :data:`SAME_MIX_TOL`) and, for each input, the index of its distinct mix."""
    kept: list[np.ndarray] = []
    index: list[int] = []
    table = np.empty((len(mixes), len(mixes[0]) if len(mixes) else 0))
    for mix in mixes:
        close = np.flatnonzero(np.abs(table[:len(kept)] - mix).max(axis=1, initial=0.0) <= SAME_MIX_TOL)
        if close.size:
            index.append(int(close[0]))
            continue
        table[len(kept)] = mix
        kept.append(np.asarray(mix, dtype=np.float64))
        index.append(len(kept) - 1)
    return kept, index


def _cross_edges(game: NormalFormGame, rows: list[np.ndarray], cols: list[np.ndarray], adj: np.ndarray,
                 tol: float) -> None:
    """Add to ``adj`` the pairs of a row mix and a column mix that are equilibria though not listed (verified)."""
    if len(rows) * len(cols) > MAX_CROSS_PAIRS:
        return
    unit = game.unit_payoffs
    X = np.array(rows)
    Y = np.array(cols)
    AY = unit[0] @ Y.T  # (m, ky): the row player's value of each action against each column mix
    reg_row = AY.max(axis=0)[None, :] - X @ AY
    XB = X @ unit[1]  # (kx, n)
    reg_col = XB.max(axis=1)[:, None] - XB @ Y.T
    spread = [max(float(u.max() - u.min()), 1e-300) for u in unit]
    maybe = (reg_row <= SCREEN_TOL * spread[0]) & (reg_col <= SCREEN_TOL * spread[1]) & ~adj
    for a, b in zip(*np.nonzero(maybe), strict=True):
        if make_equilibrium(game, (rows[a], cols[b])).relative_regret <= tol:
            adj[a, b] = True


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def maximal_bicliques(adj: np.ndarray, limit: int | None = None) -> list[tuple[list[int], list[int]]] | None:
    """Every maximal biclique ``(rows, columns)`` of the bipartite graph ``adj`` (rows x columns, bool), both sides
    nonempty, by the close-by-one search (module docstring); ``None`` when there are more than ``limit``.

    Examples
    --------
    >>> import numpy as np
    >>> adj = np.array([[1, 1, 0], [1, 1, 1], [0, 0, 1]], dtype=bool)
    >>> maximal_bicliques(adj)
    [([0, 1], [0, 1]), ([1], [0, 1, 2]), ([1, 2], [2])]
    """
    kx, ky = adj.shape
    row_nbrs = [sum(1 << int(b) for b in np.flatnonzero(adj[a])) for a in range(kx)]
    col_nbrs = [sum(1 << int(a) for a in np.flatnonzero(adj[:, b])) for b in range(ky)]
    all_rows = (1 << kx) - 1
    all_cols = (1 << ky) - 1

    def rows_of(cols: int) -> int:
        s = all_rows
        for b in _bits(cols):
            s &= col_nbrs[b]
        return s

    found: list[tuple[int, int]] = []
    stack = [(rows_of(all_cols), all_cols, 0)]
    while stack:
        s, t, start = stack.pop()
        if s and t:
            found.append((s, t))
            if limit is not None and len(found) > limit:
                return None
        for r in range(kx - 1, start - 1, -1):  # pushed in reverse: popped in increasing order
            if s >> r & 1:
                continue
            t2 = t & row_nbrs[r]
            if not t2:
                continue  # adding more rows can only shrink the columns further
            s2 = rows_of(t2)
            below = (1 << r) - 1
            if s2 & below != s & below:
                continue  # this closed pair is reached from a smaller new row
            stack.append((s2, t2, r + 1))
    return sorted(((_bits(s), _bits(t)) for s, t in found), key=lambda st: (st[0], st[1]))


def _connected(adj: np.ndarray) -> tuple[np.ndarray, int]:
    """The connected component of each row node of the bipartite graph (numbered in order of first row)."""
    kx, ky = adj.shape
    label = -np.ones(kx, dtype=np.int64)
    count = 0
    for a0 in range(kx):
        if label[a0] >= 0:
            continue
        label[a0] = count
        frontier = [a0]
        while frontier:
            cols = np.flatnonzero(adj[frontier].any(axis=0))
            nxt = np.flatnonzero(adj[:, cols].any(axis=1) & (label < 0))
            label[nxt] = count
            frontier = nxt.tolist()
        count += 1
    return label, count


def nash_components(game: NormalFormGame, equilibria: Sequence[Equilibrium],
                    tol: float | None = None) -> tuple[NashComponent, ...] | None:
    """Group the extreme equilibria of a 2-player game into its maximal Nash subsets.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game.
    equilibria : sequence of Equilibrium
        Its extreme equilibria (as vertex enumeration lists them); from a complete list, the sets are all the
        maximal Nash subsets of the game and every equilibrium lies in one of them.
    tol : float, optional
        Relative regret tolerance for a pair of a row mix and a column mix that is not in ``equilibria`` to count
        as an equilibrium (checked as every equilibrium is).

    Returns
    -------
    tuple of NashComponent or None
        Ordered by their first extreme equilibrium; ``None`` when there are more than :data:`MAX_COMPONENTS`.

    Examples
    --------
    The row player is indifferent, the column player wants to match: three segments of equilibria, the row
    player's half-half mix in all of them.

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.solvers.nash.vertex_enumeration import vertex_enumeration
    >>> game = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]])
    >>> res = vertex_enumeration(game)
    >>> [c.equilibria for c in nash_components(game, res.equilibria)]
    [(0, 2), (1, 3), (2, 3)]
    """
    if game.num_players != 2:
        raise InputError(f"maximal Nash subsets are computed for 2-player games; this game has "
                         f"{game.num_players} players")
    tol = regret_tolerance(game, tol)
    if not equilibria:
        return ()
    rows, row_of = _distinct([e.strategies[0] for e in equilibria])
    cols, col_of = _distinct([e.strategies[1] for e in equilibria])
    adj = np.zeros((len(rows), len(cols)), dtype=bool)
    listed: dict[tuple[int, int], int] = {}
    for k, (a, b) in enumerate(zip(row_of, col_of, strict=True)):
        adj[a, b] = True
        listed.setdefault((a, b), k)
    _cross_edges(game, rows, cols, adj, tol)
    cliques = maximal_bicliques(adj, MAX_COMPONENTS)
    if cliques is None:
        return None
    label, _count = _connected(adj)
    out = []
    for s, t in cliques:
        members = tuple(sorted(listed[(a, b)] for a in s for b in t if (a, b) in listed))
        out.append(NashComponent(tuple(rows[a] for a in s), tuple(cols[b] for b in t), members,
                                 int(label[s[0]])))
    out.sort(key=lambda c: (c.equilibria[:1] or (len(equilibria),), c.equilibria))
    # connected sets numbered in the order their first subset appears
    renumber: dict[int, int] = {}
    for c in out:
        renumber.setdefault(c.connected_set, len(renumber))
    return tuple(NashComponent(c.row_mixes, c.column_mixes, c.equilibria, renumber[c.connected_set]) for c in out)
