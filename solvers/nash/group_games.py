r"""Equilibria of symmetric group games given by counts: pure ones by composition, symmetric mixed ones by roots.

A symmetric (anonymous) group game (:class:`~coop.games.population.PopulationGame`) gives
each of :math:`N` players the same payoff function of their own action and of how many of
the :math:`N-1` others play each action. Its normal form has :math:`m^N` profiles, far too
many for a group of 50; the counts make it small:

* a **pure** profile is an equilibrium exactly when, for its *composition* :math:`k`
  (how many play each action), no player of an action :math:`a` with :math:`k_a > 0`
  gains by switching, against the others' composition :math:`k - e_a`. Each composition
  stands for :math:`N! / \prod_a k_a!` profiles (who plays what);
* a **symmetric mixed** profile, everybody playing the first of two actions with
  probability :math:`x`, is an equilibrium exactly when both actions earn the same
  against :math:`N-1` others drawn from it:

  .. math:: f(x) = \sum_{j=0}^{N-1} \binom{N-1}{j} x^j (1-x)^{N-1-j}\, d_j = 0,

  where :math:`d_j` is what the first action earns above the second with :math:`j`
  co-players on the first. :math:`f` is a polynomial in Bernstein form; its roots in
  :math:`(0, 1)` are also the interior rest points of the replicator dynamic of an
  infinite population playing in groups of :math:`N` (Hauert et al. 2006; Santos and
  Pacheco 2011, Fig. 1; Pacheco et al. 2009).

Every equilibrium returned passes coop's per-player regret check
(:mod:`coop.solvers.shared.tolerances`), computed from the counts.

References
----------
Hauert, C., Michor, F., Nowak, M. A. and Doebeli, M. (2006). Synergy and discounting of cooperation in
social dilemmas. *Journal of Theoretical Biology* 239, 195-202.
Pacheco, J. M., Santos, F. C., Souza, M. O. and Skyrms, B. (2009). Evolutionary dynamics of collective
action in N-person stag hunt dilemmas. *Proc. R. Soc. B* 276, 315-321.
Santos, F. C. and Pacheco, J. M. (2011). Risk of collective failure provides an escape from the tragedy of
the commons. *PNAS* 108(26), 10421-10425.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.population import PopulationGame
from coop.solvers.nash.results import relative_regret
from coop.solvers.shared.compositions import binomial_table, composition_rank, compositions
from coop.solvers.shared.tolerances import REGRET_TOL
from coop.solvers.shared.tolerances import stake as player_stake

#: Sign changes of f are looked for on this many equal steps of (0, 1) before refining (plus the
#: polynomial's own roots, which also find roots where f touches zero without changing sign).
ROOT_GRID = 2048


@dataclass(frozen=True)
class CountEquilibrium:
    """A pure equilibrium of a group game, as the number of players of each action.

    Attributes
    ----------
    counts : tuple of int
        How many of the ``N`` play each action.
    payoffs : tuple of float
        The payoff of a player of each action (``None`` where nobody plays it).
    profiles : int
        How many pure profiles (who plays what) have this composition.
    relative_regret : float
        The largest regret of a player over their stake (at most the tolerance).
    """

    counts: tuple[int, ...]
    payoffs: tuple[float | None, ...]
    profiles: int
    relative_regret: float

    def to_dict(self, actions: tuple[str, ...]) -> dict[str, Any]:
        return {"counts": dict(zip(actions, self.counts, strict=True)),
                "payoffs": dict(zip(actions, self.payoffs, strict=True)),
                "profiles": self.profiles, "relative_regret": self.relative_regret}


@dataclass(frozen=True)
class SymmetricMixedEquilibrium:
    """Everybody plays the first action with probability ``x`` (two actions).

    Attributes
    ----------
    x : float
        The probability of the first action.
    payoff : float
        Each player's expected payoff.
    stable : bool
        Whether the replicator dynamic of a large population in groups of ``N`` returns to it (``f``
        falls through zero as ``x`` grows), i.e. a stable coexistence; otherwise a tipping point.
    relative_regret : float
        The regret over the stake (at most the tolerance).
    """

    x: float
    payoff: float
    stable: bool
    relative_regret: float

    def to_dict(self, actions: tuple[str, ...]) -> dict[str, Any]:
        return {"strategy": {actions[0]: self.x, actions[1]: 1.0 - self.x}, "payoff": self.payoff,
                "stable": self.stable, "relative_regret": self.relative_regret}


@dataclass(frozen=True, eq=False)
class GroupEquilibria:
    """The equilibria of a symmetric group game found from counts.

    Attributes
    ----------
    game : PopulationGame
        The group game.
    pure : tuple of CountEquilibrium
        Every pure equilibrium, by composition.
    symmetric_mixed : tuple of SymmetricMixedEquilibrium or None
        Every symmetric equilibrium in which both actions are played (two actions only; ``None`` for more).
    indifferent : bool
        Two actions and ``f`` is zero everywhere: every ``x`` is a symmetric equilibrium.
    tol : float
        The relative regret tolerance.
    """

    game: PopulationGame
    pure: tuple[CountEquilibrium, ...]
    symmetric_mixed: tuple[SymmetricMixedEquilibrium, ...] | None
    indifferent: bool
    tol: float

    def to_dict(self) -> dict[str, Any]:
        acts = self.game.strategies
        return {
            "group_size": self.game.group_size,
            "actions": list(acts),
            "pure": [e.to_dict(acts) for e in self.pure],
            "symmetric_mixed": (None if self.symmetric_mixed is None
                                else [e.to_dict(acts) for e in self.symmetric_mixed]),
            "every_symmetric_mix": self.indifferent,
            "tol": self.tol,
        }


def _relative_regret(regret: float, values: np.ndarray) -> float:
    """``regret`` over the stake of the payoffs ``values`` at stake (:func:`coop.solvers.shared.tolerances.stake`;
    a zero stake counts a zero regret as 0 and any other as infinite, as :func:`relative_regret` does)."""
    return relative_regret(np.array([regret]), np.array([player_stake(float(values.max()), float(values.min()))]))


def pure_count_equilibria(game: PopulationGame, tol: float = REGRET_TOL) -> tuple[CountEquilibrium, ...]:
    """Every pure equilibrium of a symmetric group game, one per composition.

    Examples
    --------
    A threshold public good (Pacheco et al. 2009): contributing costs 1, and each of a group of 4
    gets 3 when at least 2 contribute. Nobody contributing, and exactly 2 contributing, are the
    pure equilibria (a third contributor would waste 1; one alone cannot reach the threshold):

    >>> g = PopulationGame.two_strategy([3 * (j + 1 >= 2) - 1 for j in range(4)],
    ...                                 [3 * (j >= 2) for j in range(4)], ("C", "D"))
    >>> [e.counts for e in pure_count_equilibria(g)]
    [(2, 2), (0, 4)]
    """
    n, m = game.group_size, game.num_strategies
    binom = binomial_table(n + m, m)
    out = []
    for k in compositions(n, m):
        worst = 0.0
        pays: list[float | None] = [None] * m
        for a in np.flatnonzero(k):
            co = k.copy()
            co[a] -= 1
            values = game.payoffs[:, composition_rank(co, n - 1, binom)]
            pays[a] = float(values[a])
            worst = max(worst, _relative_regret(float(values.max() - values[a]), values))
            if worst > tol:
                break
        if worst <= tol:
            count = math.factorial(n) // math.prod(math.factorial(int(v)) for v in k)
            out.append(CountEquilibrium(tuple(int(v) for v in k), tuple(pays), count, worst))
    return tuple(out)


def _advantage(game: PopulationGame) -> np.ndarray:
    """``d_j`` for ``j = 0..N-1`` co-players on the first action: the first action's payoff above the second's."""
    comps = game.compositions  # (N, 2): co-players on each action
    d = np.empty(game.group_size)
    d[comps[:, 0]] = game.payoffs[0] - game.payoffs[1]
    return d


def expected_payoffs(game: PopulationGame, x: float) -> tuple[np.ndarray, np.ndarray]:
    """The expected payoff of each of two actions against ``N - 1`` co-players each on the first action with
    probability ``x`` (binomial weights), and the weights over the co-players' compositions."""
    from scipy.stats import binom

    comps = game.compositions
    w = binom.pmf(comps[:, 0], game.group_size - 1, x)
    return game.payoffs @ w, w


def symmetric_mixed_equilibria(game: PopulationGame, tol: float = REGRET_TOL
                               ) -> tuple[tuple[SymmetricMixedEquilibrium, ...], bool]:
    """The symmetric equilibria of a two-action group game in which both actions are played.

    Returns the equilibria, by increasing ``x``, and whether every ``x`` is one (the two actions always earn
    the same).

    Examples
    --------
    The collective-risk dilemma of Santos and Pacheco (2011) in groups of 6 with threshold 3 and risk
    0.9 has a tipping point near 13% contributors and a stable coexistence near 72%:

    >>> from coop.games.population import collective_risk_dilemma
    >>> eqs, _ = symmetric_mixed_equilibria(collective_risk_dilemma(6, 3, 0.1, 0.9))
    >>> [(round(e.x, 3), e.stable) for e in eqs]
    [(0.13, False), (0.723, True)]
    """
    from scipy.optimize import brentq
    from scipy.stats import binom

    if game.num_strategies != 2:
        raise InputError(f"symmetric mixed equilibria by roots need two actions, got {game.num_strategies}")
    d = _advantage(game)
    n1 = game.group_size - 1
    stake_all = player_stake(float(game.payoffs.max()), float(game.payoffs.min()))
    if np.all(np.abs(d) <= tol * stake_all):
        return (), True

    def f(x: float) -> float:
        pay, _ = expected_payoffs(game, x)
        return float(pay[0] - pay[1])

    candidates: list[float] = []
    grid = np.linspace(0.0, 1.0, ROOT_GRID + 1)[1:-1]
    pays = game.payoffs @ binom.pmf(game.compositions[:, :1], n1, grid[None, :])  # (2, G): f on the whole grid
    values = pays[0] - pays[1]
    signs = np.sign(values)
    for k in np.flatnonzero(signs[:-1] * signs[1:] < 0):
        candidates.append(brentq(f, grid[k], grid[k + 1], xtol=1e-15, rtol=4 * np.finfo(float).eps))
    for k in np.flatnonzero(values == 0.0):
        candidates.append(float(grid[k]))
    # roots where f touches zero: the polynomial in t = x / (1 - x), sum_j C(N-1, j) d_j t^j
    coeffs = np.array([math.comb(n1, j) * d[j] for j in range(n1 + 1)], dtype=float)
    if np.any(coeffs):
        trimmed = np.trim_zeros(coeffs[::-1], "f")
        for t in np.roots(trimmed) if trimmed.size > 1 else ():
            if abs(t.imag) <= 1e-7 * max(1.0, abs(t)) and t.real > 0:
                candidates.append(float(t.real / (1.0 + t.real)))
    found: list[SymmetricMixedEquilibrium] = []
    for x in sorted(candidates):
        if not 0.0 < x < 1.0 or any(abs(x - e.x) <= 1e-9 for e in found):
            continue
        pay, w = expected_payoffs(game, x)
        at_stake = game.payoffs[:, w > 0.0]
        regret = _relative_regret(abs(float(pay[0] - pay[1])), at_stake)
        if regret > tol:
            continue
        h = 1e-6
        before, after = f(max(x - h, 0.0)), f(min(x + h, 1.0))
        stable = before > 0.0 > after
        found.append(SymmetricMixedEquilibrium(float(x), float(pay[0]), bool(stable), regret))
    return tuple(found), False


def group_equilibria(game: PopulationGame, tol: float = REGRET_TOL) -> GroupEquilibria:
    """The pure equilibria (by composition) and, with two actions, the symmetric mixed ones of a group game."""
    pure = pure_count_equilibria(game, tol)
    if game.num_strategies == 2:
        mixed, indifferent = symmetric_mixed_equilibria(game, tol)
        return GroupEquilibria(game, pure, mixed, indifferent, tol)
    return GroupEquilibria(game, pure, None, False, tol)
