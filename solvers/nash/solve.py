"""Choose and run the right equilibrium method for a game, as ``coop solve`` does.

The rule, which the text and JSON reports state alongside every answer:

- 2 players, small enough to enumerate: every extreme equilibrium by vertex
  enumeration (every equilibrium when the game is nondegenerate).
- 3 or more players, few actions: every equilibrium by support enumeration
  with the polynomial indifference systems solved numerically.
- Otherwise: every pure equilibrium (always cheap, even for millions of
  profiles) plus one mixed equilibrium, by Lemke-Howson for 2 players or by a
  support search for more.

Iterated elimination of strictly dominated strategies is run alongside, since
it is how a class first reads a game.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.dominance import DominanceResult, iterated_dominance
from coop.solvers.nash.methods import METHODS, Guarantee, Method
from coop.solvers.nash.pure_nash import pure_nash_equilibria
from coop.solvers.nash.results import DistinctProfiles, Equilibrium, NashResult, regret_tolerance
from coop.solvers.shared.progress import ProgressOption, StopAfter, Stopped, time_limit

if TYPE_CHECKING:
    from coop.solvers.nash.components import NashComponent

#: ``auto`` tries vertex enumeration on every 2-player game with at most this many actions per player,
#: with a budget of :data:`AUTO_MAX_BASES` feasible bases (a few seconds); past it, Lemke-Howson.
MAX_BIMATRIX_ACTIONS = 400
AUTO_MAX_BASES = 200_000
#: N-player games are enumerated when the number of support profiles is at most this ...
MAX_SUPPORT_PROFILES = 40_000
#: ... and no player has more actions than this.
MAX_ACTIONS_FOR_POLYNOMIAL = 6
#: Mixed-dominance LPs are run only on games with at most this many profiles.
MAX_PROFILES_FOR_MIXED_DOMINANCE = 1_000_000

@dataclass(frozen=True, eq=False)
class GameSolution:
    """Everything ``coop solve`` computes for a stage game.

    Attributes
    ----------
    game : NormalFormGame
    equilibria : tuple of Equilibrium
        The equilibria to report: the full enumeration when ``complete``,
        otherwise every pure equilibrium plus the mixed one found.
    complete : bool
        Whether ``equilibria`` is every equilibrium (every extreme one for a degenerate game).
    summary : str
        One sentence saying what was computed, for the reader.
    pure : NashResult
        All pure equilibria.
    mixed : NashResult or None
        The enumeration or the one-equilibrium method's result (None for ``method="pure"``).
    dominance : DominanceResult
    """

    game: NormalFormGame
    equilibria: tuple[Equilibrium, ...]
    complete: bool
    summary: str
    pure: NashResult
    mixed: NashResult | None
    dominance: DominanceResult

    @property
    def degenerate(self) -> bool | None:
        return self.mixed.degenerate if self.mixed is not None else None

    @property
    def stopped(self) -> Stopped | None:
        """Set when a time limit or Ctrl-C stopped the mixed-equilibrium method early (then ``complete`` is
        False and ``equilibria`` holds what it verified until then)."""
        return self.mixed.stopped if self.mixed is not None else None

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C stopped the computation."""
        return self.stopped is not None and self.stopped.interrupted

    @property
    def reason(self) -> str | None:
        """Why the computation stopped early, in a sentence (``None`` when it ran to its end)."""
        return self.stopped.reason if self.stopped is not None else None

    @property
    def guarantee(self) -> Guarantee:
        """``all``, ``all_extreme``, ``all_pure`` or ``some``, for the list in ``equilibria``."""
        if self.mixed is None:
            return self.pure.guarantee
        if self.complete and self.mixed.guarantee == "all_extreme" and self.mixed.degenerate is False:
            return "all"
        return self.mixed.guarantee

    @cached_property
    def components(self) -> tuple[NashComponent, ...] | None:
        """2-player games whose list is complete: the maximal Nash subsets, each a convex set of equilibria
        (:mod:`coop.solvers.nash.components`), numbering the equilibria as ``equilibria`` does; else ``None``."""
        if self.game.num_players != 2 or not self.complete or self.mixed is None:
            return None
        from coop.solvers.nash.components import nash_components

        return nash_components(self.game, self.equilibria, self.pure.tol)

    @property
    def notes(self) -> tuple[str, ...]:
        notes = list(self.mixed.notes) if self.mixed is not None else []
        if not self.dominance.complete:
            notes.append(
                "domination by mixed strategies was not checked for some players (game too large)"
            )
        return tuple(notes)

    def __repr__(self) -> str:
        """One line: how many equilibria, whether that is all of them, the method."""
        from coop.notebook import solution_repr

        return solution_repr(self)

    def _repr_html_(self) -> str:
        """The equilibria as a table, pure ones highlighted, as a notebook shows it (:mod:`coop.notebook`)."""
        from coop.notebook import solution_html

        return solution_html(self)

    def to_dict(self) -> dict[str, Any]:
        mixed = self.mixed
        return {
            "method": mixed.method if mixed is not None else self.pure.method,
            "guarantee": self.guarantee,
            "complete": self.complete,
            "reason": self.reason,
            "degenerate": self.degenerate,
            "summary": self.summary,
            "tol": self.pure.tol,
            "pure_equilibria": len(self.pure.equilibria),
            "notes": list(self.notes),
            "equilibria": [e.to_dict(self.game) for e in self.equilibria],
            "components": (None if self.components is None
                           else [c.to_dict(self.game) for c in self.components]),
            "dominance": self.dominance.to_dict(),
            "solver": {
                "pure": _solver_dict(self.pure),
                "mixed": _solver_dict(mixed) if mixed is not None else None,
            },
        }


def _solver_dict(res: NashResult) -> dict[str, Any]:
    d = res.to_dict()
    d.pop("equilibria")
    d.pop("components", None)  # they number the solver's own list; the document's are at the top level
    d["count"] = len(res.equilibria)
    return d


def choose_method(game: NormalFormGame) -> str:
    """The method ``auto`` picks for ``game`` (see the module docstring)."""
    if game.num_players == 1:
        return "pure"
    if game.num_players == 2:
        return "vertex" if max(game.num_actions) <= MAX_BIMATRIX_ACTIONS else "lemke-howson"
    if (
        max(game.num_actions) <= MAX_ACTIONS_FOR_POLYNOMIAL
        and game.support_profile_count() <= MAX_SUPPORT_PROFILES
    ):
        return "polynomial"
    return "search"


#: The methods that run in pieces and take ``stop_after`` and ``progress`` (:mod:`coop.solvers.shared.progress`).
CHUNKED_METHODS = ("vertex", "polynomial", "search", "simplicial")


def _mixed_solver(method: str) -> Callable[..., NashResult]:
    if method == "vertex":
        from coop.solvers.nash.vertex_enumeration import vertex_enumeration

        return vertex_enumeration
    if method == "support":
        from coop.solvers.nash.support_enumeration import support_enumeration

        return support_enumeration
    if method == "lemke-howson":
        from coop.solvers.nash.lemke_howson import lemke_howson

        return lemke_howson
    if method == "polynomial":
        from coop.solvers.nash.polynomial_support import polynomial_support_enumeration

        return polynomial_support_enumeration
    if method == "search":
        from coop.solvers.nash.polynomial_support import support_search

        return support_search
    if method == "simplicial":
        from coop.solvers.nash.simplicial_subdivision import simplicial_subdivision

        return simplicial_subdivision
    raise InputError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


_COMPLETE = {"all", "all_extreme"}


def _merge(pure: tuple[Equilibrium, ...], mixed: tuple[Equilibrium, ...]) -> tuple[Equilibrium, ...]:
    seen = DistinctProfiles(1e-7)
    return tuple(eq for eq in (*pure, *mixed) if seen.add(eq))


def solve_game(
    game: NormalFormGame, method: Method = "auto", tol: float | None = None, dominance: bool = True, *,
    stop_after: StopAfter = None, progress: ProgressOption = False,
) -> GameSolution:
    """Compute the equilibria of a stage game the way ``coop solve`` reports them.

    Parameters
    ----------
    game : NormalFormGame
    method : str
        One of :data:`METHODS`; ``"auto"`` picks by size (:func:`choose_method`).
    tol : float, optional
        Relative regret tolerance (each player's regret at most this times their stake; default ``1e-9``).
    dominance : bool
        Run iterated elimination of strictly dominated strategies (mixed
        dominance only on games of at most a million profiles).
    stop_after : float or TimeLimit, optional
        Seconds after which the enumeration stops and returns what it verified
        (``complete`` False, ``reason`` says how far it got); Ctrl-C stops it the same way, with
        ``interrupted`` True. Vertex enumeration, polynomial enumeration, support search and simplicial
        subdivision take it.
    progress : bool or callable, optional
        A progress bar on stderr for long runs (``True``) or a callback
        (:mod:`coop.solvers.shared.progress`).

    Returns
    -------
    GameSolution

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> stag = NormalFormGame.symmetric(np.array([[4.0, 0.0], [3.0, 2.0]]), actions=("Stag", "Hare"))
    >>> sol = solve_game(stag)
    >>> len(sol.equilibria), sol.complete
    (3, True)
    """
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    tol = regret_tolerance(game, tol)
    limit = time_limit(stop_after)
    chosen = choose_method(game) if method == "auto" else method
    if chosen in ("vertex", "support", "lemke-howson") and game.num_players != 2:
        raise InputError(f"method {chosen!r} needs a 2-player game; this game has {game.num_players} players")
    pure = pure_nash_equilibria(game, tol)
    dom = iterated_dominance(
        game, mixed=dominance and game.num_profiles <= MAX_PROFILES_FOR_MIXED_DOMINANCE, tol=tol
    )
    if chosen == "pure":
        unique_best = game.num_players == 1 and len(pure.equilibria) == 1
        return GameSolution(
            game=game,
            equilibria=pure.equilibria,
            complete=unique_best,
            summary="every pure-strategy equilibrium (mixed equilibria were not computed)"
            if not unique_best
            else "the single player's unique best action",
            pure=pure,
            mixed=None,
            dominance=dom,
        )
    if method == "auto" and chosen == "vertex":
        mixed = _mixed_solver("vertex")(game, tol=tol, max_bases=AUTO_MAX_BASES, stop_after=limit,
                                        progress=progress)
        if not mixed.converged and mixed.stopped is None:
            return _vertex_then_lemke_howson(game, tol, pure, dom, mixed)
    elif chosen in CHUNKED_METHODS:
        mixed = _mixed_solver(chosen)(game, tol=tol, stop_after=limit, progress=progress)
    else:
        mixed = _mixed_solver(chosen)(game, tol=tol)
    complete = mixed.guarantee in _COMPLETE and mixed.converged
    if complete:
        # enumeration already contains the pure equilibria; keep pure ones first
        equilibria = _merge(tuple(e for e in mixed.equilibria if e.is_pure), mixed.equilibria)
        if mixed.degenerate:
            what = (
                "every extreme equilibrium (the game is degenerate: equilibria may form continua "
                "between the extreme points listed; the sets they form are given too)"
            )
        elif mixed.guarantee == "all" or mixed.degenerate is False:
            what = "every equilibrium"  # a nondegenerate game's equilibria are its extreme ones
        else:
            what = "every extreme equilibrium"
        summary = f"{what}, by {_method_name(mixed.method)}"
    else:
        equilibria = _merge(pure.equilibria, mixed.equilibria)
        extra = len(equilibria) - len(pure.equilibria)
        name = _method_name(mixed.method)
        if mixed.stopped is not None:
            more = f"plus {extra} more found by {name}" if extra else f"(and no other found by {name})"
            summary = (f"every pure-strategy equilibrium {more} before it was "
                       f"{'interrupted' if mixed.interrupted else 'stopped by the time limit'}")
        elif chosen in ("lemke-howson", "search", "simplicial"):
            found = "one equilibrium" if mixed.equilibria else "no equilibrium (see notes)"
            summary = f"every pure-strategy equilibrium plus {found} by {name}"
            if method == "auto":
                summary += "; the game is too large to enumerate every mixed equilibrium"
        else:
            summary = _incomplete_summary(extra, name, bool(mixed.degenerate), game.num_players)
    return GameSolution(game, equilibria, complete, summary, pure, mixed, dom)


def _vertex_then_lemke_howson(
    game: NormalFormGame, tol: float, pure: NashResult, dom: DominanceResult, partial: NashResult
) -> GameSolution:
    """Vertex enumeration ran out of its budget: keep what it verified, add one equilibrium by Lemke-Howson."""
    lh = _mixed_solver("lemke-howson")(game, tol=tol)
    equilibria = _merge(_merge(pure.equilibria, partial.equilibria), lh.equilibria)
    extra = len(equilibria) - len(pure.equilibria)
    budget = f"its budget of {AUTO_MAX_BASES:,} bases per player"
    if extra:
        summary = (f"every pure-strategy equilibrium plus {extra} more, found by vertex enumeration before it "
                   f"reached {budget} and by Lemke-Howson; use --method vertex to enumerate them all")
    else:
        summary = (f"every pure-strategy equilibrium; vertex enumeration (stopped at {budget}) and Lemke-Howson "
                   "found no other, but there may be more: use --method vertex to enumerate them all")
    notes = tuple(partial.notes) + tuple(lh.notes)
    mixed = NashResult(
        game=game,
        method="vertex_enumeration+lemke_howson",
        equilibria=tuple(e for e in equilibria if not e.is_pure),
        guarantee="some",
        degenerate=partial.degenerate if partial.degenerate else lh.degenerate,
        tol=tol,
        converged=lh.converged,
        num_iter=partial.num_iter + lh.num_iter,
        rejected=partial.rejected + lh.rejected,
        parameters={"max_bases": AUTO_MAX_BASES, **lh.parameters},
        notes=notes,
    )
    return GameSolution(game, equilibria, False, summary, pure, mixed, dom)


def _incomplete_summary(extra: int, name: str, degenerate: bool, num_players: int) -> str:
    """What an enumeration that cannot promise every equilibrium found, and why, in words for a class."""
    if extra:
        found = f"every pure-strategy equilibrium plus {extra} more found by {name}"
    else:
        found = f"every pure-strategy equilibrium; {name} found no other"
    if not degenerate:
        return f"{found}; the list may be incomplete because the enumeration stopped early (see the notes)"
    why = ("the list may be incomplete because the game is degenerate (ties in the payoffs let equilibria form "
           "continua, lines or regions of equilibria rather than isolated points")
    if num_players == 2:
        return f"{found}; {why}, which {name} does not follow): --method vertex lists every extreme equilibrium"
    return (f"{found}; {why}: such supports are not solved to isolated points, and only verified equilibria are "
            "listed)")


def _method_name(method: str) -> str:
    return method.replace("_", " ").replace("lemke howson", "Lemke-Howson")
