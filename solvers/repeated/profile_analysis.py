"""One report per strategy profile of a repeated game, as ``coop solve`` prints it.

For each profile of automata: whether it is a subgame-perfect equilibrium at
the game's discount factor (one-shot deviation principle), the critical
discount factor of each player (the least delta from which the player never
gains by a one-shot deviation), whether it is at least a Nash equilibrium of
the repeated game and from which delta (best response by policy iteration,
:mod:`coop.solvers.repeated.best_response`), and the exact discounted payoffs, with
the game's noise and monitoring.

Subgame perfection is checked with the game's implementation noise and
perfect monitoring of the realised actions (the automaton states are then
common knowledge). With imperfect monitoring (detection below one or false
alarms) the payoffs are still exact, but the automaton states become private
and subgame perfection is checked for the same game with perfect monitoring:
the benchmark that the monitoring errors erode (``spe_monitoring`` says which).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from coop.games.automata import Automaton
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.best_response import check_nash
from coop.solvers.repeated.limit_of_means import limit_of_means_check
from coop.solvers.repeated.payoffs import discounted_payoffs
from coop.solvers.repeated.subgame_perfection import check_subgame_perfect, critical_discount_factor


@dataclass(frozen=True, eq=False)
class ProfileAnalysis:
    """What the repeated-game analysis says about one strategy profile.

    Attributes
    ----------
    name : str
        The profile's label.
    strategies : tuple of str
        Each player's strategy name.
    subgame_perfect : bool
        Subgame perfect at the game's delta (with its noise, under perfect monitoring); for an
        infinite game without a delta, under the limit of means
        (:mod:`coop.solvers.repeated.limit_of_means`).
    critical_delta : tuple of (float or None)
        Per player, the least delta from which the player has no profitable
        one-shot deviation (``None``: not for any interval up to 1).
    critical_delta_overall : float or None
        The largest of them: the profile is subgame perfect from there on.
    payoffs : numpy.ndarray
        Exact normalised discounted payoffs (long-run averages under the limit of means), with the
        game's noise and monitoring.
    perfect_payoffs : numpy.ndarray
        The same without noise and with perfect monitoring (with a general public signal: without noise, the
        strategies still reading the signal).
    nash : bool or None
        Whether the profile is a Nash equilibrium of the repeated game at its delta (no
        profitable strategy from the start; weaker than subgame perfection).
    nash_critical_delta : tuple of (float or None)
        Per player, the least delta from which no strategy gains against the others' automata.
    nash_critical_delta_overall : float or None
        The largest of them.
    spe_monitoring : str
        ``"perfect"`` when the game's monitoring is perfect; ``"public signals"`` for a general public signal
        (a perfect public equilibrium: the strategies read the signal); ``"public"`` for a public report with errors
        (subgame perfection of a perfect public equilibrium, with those errors); else ``"perfect
        (benchmark)"``: private channels, and the subgame-perfection columns are for the game with perfect
        monitoring.
    max_gain : numpy.ndarray
        Per player, the largest one-shot deviation gain per period at the game's delta (under the
        limit of means: the largest gain in long-run average of any strategy, over the joint states).
    complete : bool
        ``False`` when a computation stopped at its iteration cap (the best-response policy iteration).
    reason : str or None
        Why it is not complete.
    """

    game: RepeatedGame
    name: str
    strategies: tuple[str, ...]
    subgame_perfect: bool
    critical_delta: tuple[float | None, ...]
    critical_delta_overall: float | None
    payoffs: np.ndarray
    perfect_payoffs: np.ndarray
    max_gain: np.ndarray
    nash: bool | None = None
    nash_critical_delta: tuple[float | None, ...] = ()
    nash_critical_delta_overall: float | None = None
    spe_monitoring: str = "perfect"
    complete: bool = True
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        players = self.game.stage.players
        return {
            "name": self.name,
            "strategies": dict(zip(players, self.strategies, strict=True)),
            "subgame_perfect": self.subgame_perfect,
            "critical_delta": dict(zip(players, self.critical_delta, strict=True)),
            "critical_delta_overall": self.critical_delta_overall,
            "payoffs": {p: float(self.payoffs[i]) for i, p in enumerate(players)},
            "payoffs_without_noise": {p: float(self.perfect_payoffs[i]) for i, p in enumerate(players)},
            "max_deviation_gain": {p: float(self.max_gain[i]) for i, p in enumerate(players)},
            "nash": self.nash,
            "nash_critical_delta": dict(zip(players, self.nash_critical_delta, strict=True)),
            "nash_critical_delta_overall": self.nash_critical_delta_overall,
            "spe_monitoring": self.spe_monitoring,
            "complete": self.complete,
            "reason": self.reason,
        }


def analyse_profile(game: RepeatedGame, name: str, profile: Sequence[Automaton]) -> ProfileAnalysis:
    """Subgame perfection, critical discount factors and payoffs of one profile.

    Examples
    --------
    Grim trigger in the prisoner's dilemma (T, R, P, S) = (5, 3, 1, 0) is
    subgame perfect from delta = (T - R) / (T - P) = 1/2:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> pd = NormalFormGame.symmetric(np.array([[3.0, 0.0], [5.0, 1.0]]), actions=("C", "D"))
    >>> game = RepeatedGame(pd, 0.9, cooperate=(0, 0), defect=(1, 1))
    >>> a = analyse_profile(game, "grim", game.profile("grim_trigger"))
    >>> a.subgame_perfect, round(a.critical_delta_overall, 6)
    (True, 0.5)
    """
    perfect_monitoring = game.detection == 1.0 and game.false_alarm == 0.0 and game.signals is None
    # public reports keep the automaton states common knowledge: the game is checked as it is (a perfect public
    # equilibrium); private channels do not, and the check falls back to perfect monitoring as a benchmark
    monitored = game if game.public else replace(game, detection=1.0, false_alarm=0.0)
    crit = critical_discount_factor(monitored, profile)
    nash = check_nash(monitored, profile)
    is_nash: bool | None
    if game.delta is None and game.horizon is None:  # the limit of means: no one-shot deviation principle
        lom = limit_of_means_check(monitored, profile)
        is_spe, is_nash, on_path, max_gain = lom.is_spe, lom.is_nash, lom.payoffs, lom.spe_gain
    else:
        spe = check_subgame_perfect(monitored, profile)
        is_spe, is_nash, on_path, max_gain = spe.is_spe, nash.is_nash, spe.payoffs, spe.max_gain
    payoffs = on_path if game.public else discounted_payoffs(game, profile).payoffs
    perfect_payoffs = on_path if game.noise == 0.0 else discounted_payoffs(
        replace(game, noise=0.0, detection=1.0, false_alarm=0.0), profile).payoffs
    return ProfileAnalysis(
        game=game,
        name=name,
        strategies=tuple(a.name for a in profile),
        subgame_perfect=bool(is_spe),
        critical_delta=tuple(crit.per_player),
        critical_delta_overall=crit.overall,
        payoffs=np.asarray(payoffs, dtype=float),
        perfect_payoffs=np.asarray(perfect_payoffs, dtype=float),
        max_gain=np.asarray(max_gain, dtype=float),
        nash=is_nash,
        nash_critical_delta=nash.critical_delta,
        nash_critical_delta_overall=nash.critical_delta_overall,
        spe_monitoring=("perfect" if perfect_monitoring else "public signals" if game.signals is not None
                        else "public" if game.public else "perfect (benchmark)"),
        complete=nash.complete,
        reason=nash.reason,
    )
