r"""Nash equilibria of N-player games by support enumeration and polynomial systems.

A mixed profile :math:`\sigma` with supports :math:`(S_1, \dots, S_N)` is a Nash
equilibrium exactly when, for every player :math:`i`,

.. math::

    u_i(a, \sigma_{-i}) = v_i \ \ (a \in S_i), \qquad
    u_i(b, \sigma_{-i}) \le v_i \ \ (b \notin S_i), \qquad
    \sum_{a \in S_i} \sigma_i(a) = 1, \ \ \sigma_i(a) > 0 \ \ (a \in S_i).

For three or more players the equalities are polynomial (multilinear) in the
probabilities, so each support profile needs a polynomial system solved for all
of its solutions in the product of simplices (McKelvey and McLennan 1996,
"Computation of equilibria in finite games", section 6; this is what Gambit's
``enumpoly`` does).

:func:`polynomial_support_enumeration` visits every support profile, skips
those where a support action is strictly dominated given the others' supports
(conditional dominance, Porter, Nudelman and Shoham 2008), and solves each
remaining system by branch and prune over the box of free probabilities
(:mod:`coop.solvers.nash._polynomial`): exact ranges at box vertices (the equations
are affine in each variable), hull-consistency narrowing, and the Krawczyk
operator, which certifies that a box holds exactly one solution before Newton's
method polishes it. When no system meets a singular (non-isolated) solution,
the search is exhaustive and the result says ``guarantee="all"``.

:func:`support_search` looks for one equilibrium, visiting supports in the
order of Porter, Nudelman and Shoham: smaller total support size first, then
more balanced sizes, and stops at the first verified equilibrium.

References
----------
McKelvey, R. D. and McLennan, A. (1996). Computation of equilibria in finite games.
*Handbook of Computational Economics* 1, 87-142.

Porter, R., Nudelman, E. and Shoham, Y. (2008). Simple search methods for finding a
Nash equilibrium. *Games and Economic Behavior* 63, 642-662 (AAAI 2004).

Krawczyk, R. (1969). Newton-Algorithmen zur Bestimmung von Nullstellen mit
Fehlerschranken. *Computing* 4, 187-201.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.nash._polynomial import (
    BoxSearch,
    Cursor,
    SearchPlan,
    SupportOptions,
    SupportSearch,
    _support_kernel,
)
from coop.solvers.nash.results import NashResult, regret_tolerance, verified_equilibria
from coop.solvers.shared.progress import ChunkedRun, ProgressOption, StopAfter, Stopped, time_limit

#: Box budget of one support system; a system that needs more is reported as unresolved.
MAX_BOXES = 500_000
#: Without ``max_supports``, games with more support profiles than this are refused.
MAX_SUPPORT_PROFILES = 5_000_000
#: Default cap on the support profiles :func:`support_search` visits.
SEARCH_MAX_SUPPORTS = 200_000
#: Largest support a single player may use (the box method visits 2**(k-1) corners per player).
MAX_SUPPORT_SIZE = 16
#: Work units of the first kernel call (a unit is one corner value, about 50 ns): about 0.1 s, every support
#: profile of a 3x3x3 or 2x2x2x2x2 game in one call; later calls are sized by the rate measured.
FIRST_CHUNK = 2_000_000


def _check_args(game: NormalFormGame, tol: float | None, max_supports: int | None, name: str) -> float:
    if not isinstance(game, NormalFormGame):
        raise InputError(f"{name} needs a NormalFormGame, got {type(game).__name__}")
    if max_supports is not None:
        if isinstance(max_supports, bool) or not isinstance(max_supports, (int, np.integer)):
            raise InputError(f"max_supports must be a positive integer, got {max_supports!r}")
        if max_supports < 1:
            raise InputError(f"max_supports must be a positive integer, got {max_supports!r}")
    return regret_tolerance(game, tol)


def _scales(unit: np.ndarray) -> tuple[float, float]:
    """Exclusion margin and residual tolerance, relative to the magnitude of the unit payoffs."""
    magnitude = max(float(np.abs(unit).max()), float(unit.max() - unit.min()), 1e-300)
    return 1e-12 * magnitude, 1e-10 * magnitude


#: The cursor's ``search`` before the first support system (never written to).
_NO_SEARCH = BoxSearch(np.zeros((1, 0)), np.zeros((1, 0)), 0, np.zeros((1, 1)), 0, 0, 0)
_NO_TIES = np.zeros(0, dtype=np.int64)


class _Enumeration:
    """The support enumeration of one game, advanced a piece at a time (the kernel's :class:`Cursor`).

    Each :meth:`step` runs the kernel on the unit payoffs (entries in ``(-1, 1)``), with one absolute tolerance
    ``2 * tol`` that no player's stake exceeds there: its candidates include every equilibrium, and
    :func:`~coop.solvers.nash.results.verified_equilibria` applies the per-player check.
    """

    def __init__(self, game: NormalFormGame, sizes: np.ndarray, stop_first: bool, max_supports: int,
                 tol: float, symmetric: bool = False) -> None:
        counts = game.num_actions
        n = len(counts)
        self.flat = np.ascontiguousarray(game.unit_payoffs.reshape(n, -1))
        self.shape = np.array(counts, dtype=np.int64)
        self.sizes = sizes
        self.stop_first = bool(stop_first)
        self.max_supports = int(max_supports)
        eps, ftol = _scales(self.flat)
        self.opts = SupportOptions(float(eps), float(ftol), 2.0 * tol, MAX_BOXES, bool(symmetric))
        self.pos = np.zeros(4, dtype=np.int64)
        self.supp = np.zeros((n, max(counts)), dtype=np.int64)
        self.stats = np.zeros(7, dtype=np.int64)
        self.search = _NO_SEARCH  # never written: the kernel starts a new BoxSearch for each support
        self.total_actions = sum(counts)

    @property
    def no_rows(self) -> np.ndarray:
        """No candidate profile."""
        return np.zeros((0, self.total_actions))

    @property
    def finished(self) -> bool:
        return bool(self.pos[3])

    @property
    def visited(self) -> int:
        """Support profiles finished (one whose system is paused is not)."""
        return int(self.stats[0] - self.pos[2])

    def step(self, budget: int) -> SupportSearch:
        """Run the kernel for about ``budget`` units of work (-1: to the end, or to the first equilibrium)."""
        plan = SearchPlan(self.stop_first, self.max_supports, int(budget))
        out = _support_kernel(self.flat, self.shape, self.sizes, plan, self.opts,
                              Cursor(self.pos, self.supp, self.stats, self.search))
        self.search = out.search
        return out

    def pieces(self, run: ChunkedRun) -> Iterator[SupportSearch]:
        """The kernel's answers piece by piece, until the enumeration ends (or, with ``stop_first``, finds
        candidates) or ``run`` stops it."""
        while not self.finished:
            out = self.step(run.budget)
            yield out
            found = self.stop_first and len(out.profiles) > 0
            if not run.advance(self.visited, int(out.work), last=found or self.finished) or found:
                return


def _size_profiles(counts: tuple[int, ...], limit: int | None = None, sorted_only: bool = False) -> np.ndarray:
    """Support-size profiles by total size, then balance (max - min), then lexicographically.

    This is the N-player order of Porter, Nudelman and Shoham. With ``limit``,
    generation stops once at least that many profiles are listed. With ``sorted_only`` (a symmetric
    game), only the non-decreasing ones, the sizes of the support profiles the kernel visits then.
    """
    bounds = [min(a, MAX_SUPPORT_SIZE) for a in counts]
    n = len(bounds)
    out: list[tuple[int, ...]] = []

    def compositions(total: int, j: int) -> list[tuple[int, ...]]:
        if j == n - 1:
            return [(total,)] if 1 <= total <= bounds[j] else []
        rest_max = sum(bounds[j + 1 :])
        res: list[tuple[int, ...]] = []
        for k in range(max(1, total - rest_max), min(bounds[j], total - (n - 1 - j)) + 1):
            res.extend((k, *tail) for tail in compositions(total - k, j + 1))
        return res

    for total in range(n, sum(bounds) + 1):
        level = compositions(total, 0)
        if sorted_only:
            level = [s for s in level if all(a <= b for a, b in itertools.pairwise(s))]
        level.sort(key=lambda s: (max(s) - min(s), s))
        out.extend(level)
        if limit is not None and len(out) >= limit:
            break
    return np.array(out, dtype=np.int64).reshape(-1, n)


def _arrangements(labels: list[int]) -> Iterator[tuple[int, ...]]:
    """The distinct orderings of the multiset ``labels`` (each once), in lexicographic order."""
    remaining: dict[int, int] = {}
    for x in labels:
        remaining[x] = remaining.get(x, 0) + 1
    keys = sorted(remaining)
    current: list[int] = []

    def extend() -> Iterator[tuple[int, ...]]:
        if len(current) == len(labels):
            yield tuple(current)
            return
        for x in keys:
            if remaining[x]:
                remaining[x] -= 1
                current.append(x)
                yield from extend()
                current.pop()
                remaining[x] += 1

    return extend()


def _permuted_roots(rows: np.ndarray, ties: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every rearrangement of the players' strategies in each row (a symmetric game's roots of one support
    profile per orbit give the roots of the others so). Players whose strategies agree within 1e-9 count as
    one strategy, so each distinct profile comes once per row; repeats across rows (a system symmetric in
    two of its players has both orders as roots) are left to :func:`verified_equilibria`, which drops them."""
    if len(rows) == 0:
        return rows, ties
    blocks = rows.reshape(len(rows), n, -1)
    out: list[np.ndarray] = []
    flags: list[int] = []
    for r in range(len(rows)):
        labels: list[int] = []
        for i in range(n):
            same = [j for j in range(i) if np.max(np.abs(blocks[r, j] - blocks[r, i])) <= 1e-9]
            labels.append(labels[same[0]] if same else i)
        for order in _arrangements(labels):
            out.append(blocks[r, list(order)].reshape(-1))
            flags.append(int(ties[r]))
    return np.array(out), np.array(flags, dtype=np.int64)


def _split(game: NormalFormGame, rows: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    cuts = np.cumsum(game.num_actions)[:-1]
    out = []
    for row in rows:
        parts = np.split(np.array(row, dtype=np.float64), cuts)
        cleaned = []
        for p in parts:
            # roots may sit a rounding error below zero on a face of the simplex
            p = np.where((p < 0.0) & (p > -1e-9), 0.0, p)
            cleaned.append(p / p.sum() if p.sum() > 0 else p)
        out.append(tuple(cleaned))
    return out


def _stats_note(stats: np.ndarray, visited: int) -> str:
    return (
        f"visited {visited} support profiles: {int(stats[1])} pruned by conditional "
        f"dominance, {int(stats[2])} systems solved ({int(stats[3])} boxes)"
    )


def _stopped_note(stopped: Stopped) -> str:
    return f"{stopped.reason}; the equilibria listed are those of the support profiles visited"


def polynomial_support_enumeration(
    game: NormalFormGame, tol: float | None = None, max_supports: int | None = None, *,
    stop_after: StopAfter = None, progress: ProgressOption = False, symmetric: bool | None = None,
) -> NashResult:
    """Find every Nash equilibrium of an N-player game by support enumeration.

    Every support profile is visited; those with an action strictly dominated
    given the other supports are skipped, and for the rest all solutions of the
    indifference system in the product of simplices are found by a certified
    branch-and-prune search (see the module docstring). Solutions where an
    action outside the supports does better are dropped; the rest are verified
    again by :func:`coop.solvers.nash.results.verified_equilibria`.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game (two players work too, but the 2-player solvers are faster).
    tol : float, optional
        Relative regret tolerance (each player's regret at most this times their stake; default ``1e-9``).
    max_supports : int, optional
        Stop after visiting this many support profiles (``converged=False``).
        Needed for games with more than ``MAX_SUPPORT_PROFILES`` profiles.
    stop_after : float or TimeLimit, optional
        Seconds after which to stop and return the equilibria of the support profiles visited so far
        (``stopped`` then says how far it got; checked about every 0.15 s), or a shared
        :class:`~coop.solvers.shared.progress.TimeLimit`.
    progress : bool or callable, optional
        ``True``: a progress bar on stderr for long runs; a callable: called with a
        :class:`~coop.solvers.shared.progress.Progress` after each piece of work.
    symmetric : bool, optional
        Use the game's symmetry (default: when :attr:`NormalFormGame.is_symmetric`): renaming the players maps
        the equilibria with one support profile onto those with the permuted one, so only one support profile
        per orbit of player permutations is solved (the supports sorted across the players) and its roots are
        permuted, every one then verified on the game. A group of six with two actions has 28 orbits among its
        729 support profiles. ``False`` solves every support profile. ``max_supports`` counts the orbits
        visited.

    Ctrl-C stops the work too (within a fraction of a second) and returns what was verified, with
    ``stopped.interrupted`` True (:mod:`coop.solvers.shared.progress`).

    Returns
    -------
    NashResult
        ``guarantee="all"`` when every support system had only isolated
        solutions (the generic case), else ``"some"``, with ``degenerate=True``
        and a note: then the game has a continuum of equilibria or a singular
        one, and the listed equilibria are verified points of it.
        ``degenerate`` is also True when some equilibrium has an unused action
        that is a best reply. Stopped early (``stop_after``, Ctrl-C):
        ``converged=False``, ``guarantee="some"`` and ``stopped`` set.

    Raises
    ------
    InputError
        For a bad ``tol`` or ``max_supports``, or a game with too many support
        profiles and no ``max_supports``.

    Examples
    --------
    Jordan's three-player matching pennies has a single equilibrium, everyone
    mixing half and half:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> P = np.zeros((3, 2, 2, 2))
    >>> for a, b, c in np.ndindex(2, 2, 2):
    ...     P[:, a, b, c] = [1 if a == b else -1, 1 if b == c else -1, 1 if c != a else -1]
    >>> res = polynomial_support_enumeration(NormalFormGame.from_payoffs(P))
    >>> res.guarantee, len(res.equilibria)
    ('all', 1)
    >>> [s.round(6).tolist() for s in res.equilibria[0].strategies]
    [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
    """
    tol = _check_args(game, tol, max_supports, "polynomial_support_enumeration")
    limit = time_limit(stop_after) if stop_after is not None else None
    counts = game.num_actions
    symmetric = game.is_symmetric if symmetric is None else bool(symmetric) and game.is_symmetric
    profiles = game.support_profile_count(orbits=symmetric)
    if max_supports is None and profiles > MAX_SUPPORT_PROFILES:
        orbits = " orbits of" if symmetric else ""
        raise InputError(
            f"a {' x '.join(map(str, counts))} game has {profiles}{orbits} support profiles; "
            f"expected at most {MAX_SUPPORT_PROFILES} (pass max_supports, or use support_search "
            "for one equilibrium)"
        )
    # smallest supports first, so a max_supports cap keeps the cheap (pure, small) ones
    size_arr = _size_profiles(counts, sorted_only=symmetric)
    cap = -1 if max_supports is None else int(max_supports)
    search = _Enumeration(game, size_arr, False, cap, tol, symmetric)
    found: list[np.ndarray] = []
    tie_flags: list[np.ndarray] = []
    total = profiles if max_supports is None else min(profiles, int(max_supports))
    with ChunkedRun("polynomial enumeration", total=total, unit="support profiles", verb="visited",
                    stop_after=limit, progress=progress, first=FIRST_CHUNK) as run:
        for out in search.pieces(run):
            found.append(out.profiles)
            tie_flags.append(out.ties)
    rows = found[0] if len(found) == 1 else np.concatenate(found) if found else search.no_rows
    ties = tie_flags[0] if len(tie_flags) == 1 else np.concatenate(tie_flags) if found else _NO_TIES
    if symmetric:
        rows, ties = _permuted_roots(rows, ties, game.num_players)
    stats = search.stats
    equilibria, rejected = verified_equilibria(game, _split(game, rows), tol)

    notes = [_stats_note(stats, search.visited)]
    if symmetric:
        notes.append("the game is symmetric: one support profile per orbit of player permutations was solved "
                     "and its solutions permuted")
    singular, capped, hit_cap = int(stats[4]), int(stats[5]), bool(stats[6])
    truncated = any(a > MAX_SUPPORT_SIZE for a in counts)
    degenerate = singular > 0 or capped > 0 or bool(np.any(ties))
    stopped = run.stopped
    complete = singular == 0 and capped == 0 and not hit_cap and not truncated and stopped is None
    if singular:
        notes.append(
            f"{singular} support systems had singular (non-isolated) solutions: the game is "
            "degenerate and may have continua of equilibria; the equilibria listed are verified "
            "points of them, not every equilibrium"
        )
    if capped:
        notes.append(f"{capped} support systems ran out of their box budget ({MAX_BOXES})")
    if np.any(ties):
        notes.append("some equilibrium has an unused action that is also a best reply (degenerate)")
    if hit_cap:
        notes.append(f"stopped after max_supports={max_supports} support profiles")
    if truncated:
        notes.append(f"supports larger than {MAX_SUPPORT_SIZE} actions were not examined")
    if stopped is not None:
        notes.append(_stopped_note(stopped))
    return NashResult(
        game=game,
        method="polynomial_support_enumeration",
        equilibria=equilibria,
        guarantee="all" if complete else "some",
        degenerate=degenerate,
        tol=tol,
        converged=not hit_cap and stopped is None,
        num_iter=search.visited,
        rejected=rejected,
        parameters={"max_supports": max_supports, "stop_after": None if limit is None else limit.seconds},
        notes=tuple(notes),
        stopped=stopped,
    )


def support_search(
    game: NormalFormGame, tol: float | None = None, max_supports: int = SEARCH_MAX_SUPPORTS, *,
    stop_after: StopAfter = None, progress: ProgressOption = False,
) -> NashResult:
    """Find one Nash equilibrium of an N-player game by ordered support search.

    Support profiles are visited in the order of Porter, Nudelman and Shoham
    (2004) for N-player games: by total support size, then by balance (largest
    minus smallest support size), then lexicographically; profiles with a
    conditionally dominated action are skipped, and the search stops at the
    first support whose indifference system has a verified equilibrium.

    Parameters
    ----------
    game : NormalFormGame
        Any finite game.
    tol : float, optional
        Relative regret tolerance (each player's regret at most this times their stake; default ``1e-9``).
    max_supports : int
        Give up after visiting this many support profiles (``converged=False``
        and a note); every game has an equilibrium, so this only bounds the work.
    stop_after : float or TimeLimit, optional
        Seconds after which to give up (``stopped`` then says how far it got).
    progress : bool or callable, optional
        As for :func:`polynomial_support_enumeration`; Ctrl-C stops the search the same way.

    Returns
    -------
    NashResult
        ``guarantee="some"``; the equilibria of the first successful support
        (usually one).

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> rng = np.random.default_rng(0)
    >>> game = NormalFormGame.from_payoffs(rng.standard_normal((3, 6, 6, 6)))
    >>> res = support_search(game)
    >>> len(res.equilibria) >= 1 and res.relative_regret <= res.tol
    True
    """
    tol = _check_args(game, tol, max_supports, "support_search")
    limit = time_limit(stop_after) if stop_after is not None else None
    counts = game.num_actions
    symmetric = game.is_symmetric  # one support profile per orbit, as in the enumeration
    size_arr = _size_profiles(counts, limit=int(max_supports), sorted_only=symmetric)
    search = _Enumeration(game, size_arr, True, int(max_supports), tol, symmetric)
    rejected = 0
    equilibria: tuple = ()
    ties = _NO_TIES
    total = min(int(max_supports), game.support_profile_count(orbits=symmetric))
    with ChunkedRun("support search", total=total, unit="support profiles", verb="visited",
                    stop_after=limit, progress=progress, first=FIRST_CHUNK) as run:
        while not search.finished and run.going:
            rows = search.no_rows
            for out in search.pieces(run):
                if len(out.profiles):
                    rows, ties = out.profiles, out.ties
            equilibria, rej = verified_equilibria(game, _split(game, rows), tol)
            rejected += rej
            if equilibria:
                break  # else the candidates failed the final check (or none yet): search on past that support
    stats = search.stats
    stopped = run.stopped if not equilibria else None
    notes = [_stats_note(stats, search.visited)]
    found = len(equilibria) > 0
    if not found:
        if stopped is not None:
            notes.append(_stopped_note(stopped))
        elif bool(stats[6]):
            notes.append(f"no equilibrium within max_supports={max_supports} support profiles")
        else:
            notes.append("no support system gave a verified equilibrium (numerical trouble)")
    if stats[4] or stats[5]:
        notes.append("some support systems were singular or ran out of boxes (degenerate game)")
    return NashResult(
        game=game,
        method="support_search",
        equilibria=equilibria,
        guarantee="some",
        degenerate=True if (stats[4] or stats[5] or np.any(ties)) else None,
        tol=tol,
        converged=found,
        num_iter=search.visited,
        rejected=rejected,
        parameters={"max_supports": int(max_supports), "stop_after": None if limit is None else limit.seconds},
        notes=tuple(notes),
        stopped=stopped,
    )
