"""Result types returned by every equilibrium solver, and the check that admits an equilibrium.

A solver never returns an unverified profile: candidates go through
:func:`verified_equilibria`, which computes each player's regret (gain from the
best pure deviation) and keeps only profiles where every player's regret is at
most ``tol`` (by default ``1e-9``) times that player's stake: the spread of the
payoffs the player could get at that profile (see
:mod:`coop.solvers.shared.tolerances`). The check runs on the payoffs scaled
per player by powers of two (:attr:`NormalFormGame.unit_payoffs`), so it is
exact under rescaling and cannot overflow.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.nash.methods import Guarantee
from coop.solvers.shared.ordering import canonical_order_kernel
from coop.solvers.shared.progress import Stopped
from coop.solvers.shared.tolerances import MAX_REGRET_TOL, MIN_REGRET_TOL, PROB_EPS, REGRET_TOL
from coop.solvers.shared.tolerances import stake as player_stake

if TYPE_CHECKING:
    from coop.solvers.nash.components import NashComponent


def regret_tolerance(game: NormalFormGame | None = None, tol: float | None = None) -> float:
    """The relative regret tolerance: ``tol`` if given (checked), else ``REGRET_TOL``.

    A profile is accepted when each player's regret is at most this times the player's stake
    (see :mod:`coop.solvers.shared.tolerances`). ``tol`` must lie in ``[MIN_REGRET_TOL, MAX_REGRET_TOL]``
    (``[1e-14, 0.1]``): a smaller one asks for more than double precision can compute, a larger one
    would accept profiles where a player gains a tenth of what is at stake.
    """
    if tol is None:
        return REGRET_TOL
    try:
        value = float(tol)
    except (TypeError, ValueError):
        raise InputError(f"the regret tolerance must be a number, got {tol!r}") from None
    if not (math.isfinite(value) and MIN_REGRET_TOL <= value <= MAX_REGRET_TOL):
        raise InputError(
            f"the regret tolerance must be a number in [{MIN_REGRET_TOL:g}, {MAX_REGRET_TOL:g}] (relative to each "
            f"player's stake; below {MIN_REGRET_TOL:g} rounding decides), got {tol!r}"
        )
    return value


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """One verified Nash equilibrium.

    Attributes
    ----------
    strategies : tuple of numpy.ndarray
        One probability vector per player, in the game's action order.
    payoffs : numpy.ndarray
        Expected payoff of each player, shape ``(N,)``.
    max_regret : float
        The largest gain any player could get by deviating, in payoff units.
    relative_regret : float
        The largest ratio of a player's regret to that player's stake (the
        quantity checked against the tolerance; see :mod:`coop.solvers.shared.tolerances`).
    """

    strategies: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    max_regret: float
    relative_regret: float = 0.0

    @property
    def is_pure(self) -> bool:
        return all(np.count_nonzero(s > PROB_EPS) == 1 for s in self.strategies)

    def support(self, player: int) -> tuple[int, ...]:
        return tuple(int(k) for k in np.flatnonzero(self.strategies[player] > PROB_EPS))

    def to_dict(self, game: NormalFormGame) -> dict[str, Any]:
        """``{"strategies": {player: {action: p}}, "payoffs": {player: v}, ...}`` with labels from ``game``."""
        return {
            "strategies": {
                player: {
                    action: _clean(float(self.strategies[i][k]))
                    for k, action in enumerate(game.actions[i])
                }
                for i, player in enumerate(game.players)
            },
            "payoffs": {player: float(self.payoffs[i]) for i, player in enumerate(game.players)},
            "pure": self.is_pure,
            "max_regret": float(self.max_regret),
            "relative_regret": float(self.relative_regret),
        }


def _clean(p: float) -> float:
    return 0.0 if abs(p) < PROB_EPS else p


@dataclass(frozen=True, eq=False)
class NashResult:
    """What an equilibrium solver found, and what it guarantees.

    Attributes
    ----------
    game : NormalFormGame
        The game that was solved.
    method : str
        The algorithm, e.g. ``"vertex_enumeration"``.
    equilibria : tuple of Equilibrium
        Verified equilibria, in a deterministic order.
    guarantee : str
        What the method promises about ``equilibria``: ``"all"`` (every
        equilibrium, for nondegenerate games every one is isolated),
        ``"all_extreme"`` (every extreme point of every component),
        ``"all_pure"`` (every pure equilibrium), or ``"some"`` (at least one
        when ``equilibria`` is not empty).
    degenerate : bool or None
        Whether the game was found degenerate (``None`` when not checked).
        In a degenerate game equilibria can form continua; the solver reports
        the isolated or extreme ones it found.
    tol : float
        Relative regret tolerance used to verify each equilibrium: every
        player's regret is at most ``tol`` times their stake.
    converged : bool
        Whether the method ran to completion (``False`` if it hit an iteration
        or size cap; the equilibria listed are still verified).
    num_iter : int
        Work done: supports, bases or pivots examined.
    rejected : int
        Candidates the method produced that failed verification.
    parameters : dict
        The method's options.
    notes : tuple of str
        Plain-language remarks for the reader (degeneracy, caps hit).
    stopped : Stopped or None
        Set when a time limit or Ctrl-C stopped the method before its end
        (:mod:`coop.solvers.shared.progress`): ``equilibria`` holds what was verified until then.
    """

    game: NormalFormGame
    method: str
    equilibria: tuple[Equilibrium, ...]
    guarantee: Guarantee
    degenerate: bool | None
    tol: float
    converged: bool = True
    num_iter: int = 0
    rejected: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    stopped: Stopped | None = None

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C stopped the method (``stopped.cause == "interrupted"``)."""
        return self.stopped is not None and self.stopped.interrupted

    @property
    def max_regret(self) -> float:
        return max((e.max_regret for e in self.equilibria), default=0.0)

    @property
    def relative_regret(self) -> float:
        return max((e.relative_regret for e in self.equilibria), default=0.0)

    def __len__(self) -> int:
        return len(self.equilibria)

    @cached_property
    def components(self) -> tuple[NashComponent, ...] | None:
        """The maximal Nash subsets of a 2-player game (:mod:`coop.solvers.nash.components`), when ``equilibria``
        is every extreme equilibrium (``guarantee`` ``"all"`` or ``"all_extreme"`` and ``converged``); else ``None``.

        Each is a convex set of equilibria: every mix of its row mixes against every mix of its column mixes.
        In a nondegenerate game each is one equilibrium.
        """
        if self.game.num_players != 2 or self.guarantee not in ("all", "all_extreme") or not self.converged:
            return None
        from coop.solvers.nash.components import nash_components

        return nash_components(self.game, self.equilibria, self.tol)

    def to_dict(self) -> dict[str, Any]:
        components = self.components
        return {
            "method": self.method,
            "guarantee": self.guarantee,
            "degenerate": self.degenerate,
            "converged": self.converged,
            "tol": self.tol,
            "max_regret": self.max_regret,
            "relative_regret": self.relative_regret,
            "num_iter": int(self.num_iter),
            "rejected": int(self.rejected),
            "parameters": dict(self.parameters),
            "notes": list(self.notes),
            "stopped": None if self.stopped is None else {"reason": self.stopped.reason, **self.stopped.to_dict()},
            "equilibria": [e.to_dict(self.game) for e in self.equilibria],
            "components": None if components is None else [c.to_dict(self.game) for c in components],
        }


def regret_check(game: NormalFormGame, profile: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each player's expected payoff, regret and stake at ``profile``, all ``(N,)``, in payoff units.

    The stake of player ``i`` is the spread of ``u_i(k, s_-i)`` over all own actions ``k`` and
    the others' profiles ``s_-i`` in the support, at least ``STAKE_FLOOR`` times their largest
    magnitude. Computed on :attr:`NormalFormGame.unit_payoffs` and scaled back, so payoffs
    near the float limit do not overflow.
    """
    values = game.action_values(profile, unit=True)
    unit = game.unit_payoffs
    n = game.num_players
    pay = np.empty(n)
    regret = np.empty(n)
    stake = np.empty(n)
    supports = [np.flatnonzero(np.asarray(s) > 0.0) for s in profile]
    for i in range(n):
        pay[i] = float(values[i] @ profile[i])
        regret[i] = max(float(values[i].max()) - pay[i], 0.0)
        at_stake = unit[i][np.ix_(*(np.arange(a) if j == i else supports[j] for j, a in enumerate(game.num_actions)))]
        stake[i] = player_stake(float(at_stake.max()), float(at_stake.min()))
    exps = game.payoff_exponents
    return np.ldexp(pay, exps), np.ldexp(regret, exps), np.ldexp(stake, exps)


def relative_regret(regret: np.ndarray, stake: np.ndarray) -> float:
    """The largest ratio of regret to stake (a zero stake with zero regret counts as 0, with a regret as inf)."""
    ratios = np.where(stake > 0.0, regret / np.where(stake > 0.0, stake, 1.0), np.where(regret > 0.0, np.inf, 0.0))
    return float(ratios.max()) if ratios.size else 0.0


def make_equilibrium(game: NormalFormGame, profile: Sequence[np.ndarray]) -> Equilibrium:
    """Clean a candidate (clip tiny negatives, renormalise) and measure its regret."""
    strategies = []
    for s in profile:
        s = np.asarray(s, dtype=np.float64).copy()
        s[np.abs(s) < PROB_EPS] = 0.0
        total = s.sum()
        if total > 0:
            s /= total
        s.setflags(write=False)
        strategies.append(s)
    strategies_t = tuple(strategies)
    payoffs, regrets, stakes = regret_check(game, strategies_t)
    payoffs.setflags(write=False)
    return Equilibrium(strategies_t, payoffs, float(regrets.max()), relative_regret(regrets, stakes))


def is_valid_profile(game: NormalFormGame, profile: Sequence[np.ndarray], prob_tol: float = 1e-9) -> bool:
    """Whether every strategy is a probability vector (within ``prob_tol``)."""
    for i, s in enumerate(profile):
        s = np.asarray(s, dtype=np.float64)
        if s.shape != (game.num_actions[i],) or not np.all(np.isfinite(s)):
            return False
        if s.min() < -prob_tol or abs(s.sum() - 1.0) > prob_tol * max(1, len(s)):
            return False
    return True


def verified_equilibria(
    game: NormalFormGame,
    candidates: Iterable[Sequence[np.ndarray]],
    tol: float,
    dedupe_tol: float = 1e-7,
) -> tuple[tuple[Equilibrium, ...], int]:
    """Keep the candidates that are Nash equilibria of ``game``.

    ``tol`` is the relative tolerance (see :func:`regret_tolerance`). Returns the verified
    equilibria (duplicates within ``dedupe_tol`` in every probability removed, sorted for a
    deterministic order) and the number of candidates rejected for being off the simplex or
    having a player whose regret is above ``tol`` times their stake.
    """
    kept: list[Equilibrium] = []
    seen = DistinctProfiles(dedupe_tol)
    rejected = 0
    for cand in candidates:
        if not is_valid_profile(game, cand):
            rejected += 1
            continue
        eq = make_equilibrium(game, cand)
        if not eq.relative_regret <= tol:
            rejected += 1
            continue
        if seen.add(eq):
            kept.append(eq)
    order = canonical_order(seen.rows, np.array([eq.is_pure for eq in kept], dtype=bool))
    return tuple(kept[k] for k in order), rejected


def canonical_order(flat: np.ndarray, pure: np.ndarray) -> np.ndarray:
    """Indices that put profiles in the order coop reports them.

    ``flat`` holds one profile per row (the strategies concatenated) and ``pure`` says which are
    pure. Pure profiles come first, then all by their probabilities in reading order, larger
    weight on earlier actions first (compared after rounding to 9 decimals, so rounding noise
    does not reorder); ties keep their order. The rule is compiled once
    (:func:`coop.solvers.shared.ordering.canonical_order_kernel`) and shared with the 2-player kernels.
    """
    if len(pure) < 2:
        return np.arange(len(pure))
    return canonical_order_kernel(np.ascontiguousarray(flat, dtype=np.float64).reshape(len(pure), -1),
                                  np.ascontiguousarray(pure, dtype=np.bool_))


class DistinctProfiles:
    """The profiles seen so far, flattened into the rows of one array, to tell a new profile from a repeat.

    Two profiles are the same when every probability differs by at most ``tol``.
    """

    def __init__(self, tol: float) -> None:
        self.tol = tol
        self._rows = np.empty((16, 0))
        self._count = 0

    @property
    def rows(self) -> np.ndarray:
        """The distinct profiles recorded, one flattened profile per row, in the order added."""
        return self._rows[:self._count]

    def add(self, eq: Equilibrium) -> bool:
        """Record ``eq``'s profile and return True, unless it repeats one already recorded (then False)."""
        flat = np.concatenate(eq.strategies)
        if self._count == 0:
            self._rows = np.empty((16, flat.size))
        elif np.any(np.abs(self._rows[:self._count] - flat).max(axis=1) <= self.tol):
            return False
        if self._count == len(self._rows):
            self._rows = np.concatenate([self._rows, np.empty_like(self._rows)])
        self._rows[self._count] = flat
        self._count += 1
        return True


