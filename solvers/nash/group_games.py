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

from coop.games.population import PopulationGame
from coop.solvers.nash.results import relative_regret
from coop.solvers.shared.compositions import binomial_table, composition_rank, compositions
from coop.solvers.shared.tolerances import REGRET_TOL
from coop.solvers.shared.tolerances import stake as player_stake


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
    """Everybody plays the mixed strategy ``strategy``, with at least two actions in use.

    Attributes
    ----------
    strategy : tuple of float
        The probability of each action.
    payoff : float
        Each player's expected payoff.
    stable : bool
        Whether the replicator dynamic of a large population in groups of ``N`` returns to it (with two
        actions: ``f`` falls through zero as ``x`` grows, a stable coexistence; otherwise a tipping point).
    relative_regret : float
        The regret over the stake (at most the tolerance).
    stability : str
        ``"stable"``, ``"unstable"``, ``"saddle"``, ``"centre"`` or ``"non-hyperbolic"``: the eigenvalues of the
        replicator's Jacobian on the simplex (with two actions: the sign of ``f``'s crossing).
    eigenvalues : tuple of complex
        Those eigenvalues (empty with two actions, where ``stability`` reads the crossing).
    """

    strategy: tuple[float, ...]
    payoff: float
    stable: bool
    relative_regret: float
    stability: str
    eigenvalues: tuple[complex, ...] = ()

    @property
    def x(self) -> float:
        """The probability of the first action."""
        return self.strategy[0]

    @property
    def support(self) -> tuple[int, ...]:
        """The actions played with positive probability."""
        return tuple(i for i, p in enumerate(self.strategy) if p > 0.0)

    def to_dict(self, actions: tuple[str, ...]) -> dict[str, Any]:
        return {"strategy": dict(zip(actions, self.strategy, strict=True)), "payoff": self.payoff,
                "stable": self.stable, "stability": self.stability,
                "eigenvalues": [[float(np.real(e)), float(np.imag(e))] for e in self.eigenvalues],
                "relative_regret": self.relative_regret}


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
        Every isolated symmetric equilibrium in which at least two actions are played (``None`` when not
        computed).
    indifferent : bool
        Every action always earns the same: every symmetric mix is an equilibrium.
    degenerate : tuple of tuple of str
        Supports (more than two actions) on whose face the mixes with equal payoffs form a continuum (not
        listed point by point).
    skipped : tuple of tuple of str
        Supports whose face was too large to search: symmetric mixed equilibria with them may be missing.
    tol : float
        The relative regret tolerance.
    """

    game: PopulationGame
    pure: tuple[CountEquilibrium, ...]
    symmetric_mixed: tuple[SymmetricMixedEquilibrium, ...] | None
    indifferent: bool
    tol: float
    degenerate: tuple[tuple[str, ...], ...] = ()
    skipped: tuple[tuple[str, ...], ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every support was searched."""
        return not self.skipped

    def to_dict(self) -> dict[str, Any]:
        acts = self.game.strategies
        return {
            "group_size": self.game.group_size,
            "actions": list(acts),
            "pure": [e.to_dict(acts) for e in self.pure],
            "symmetric_mixed": (None if self.symmetric_mixed is None
                                else [e.to_dict(acts) for e in self.symmetric_mixed]),
            "every_symmetric_mix": self.indifferent,
            "degenerate_supports": [list(s) for s in self.degenerate],
            "skipped_supports": [list(s) for s in self.skipped],
            "complete": self.complete,
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
    """The symmetric equilibria of a group game in which at least two actions are played.

    Returns the isolated equilibria and whether every action always earns the same (every mix is one). Two
    actions: by increasing ``x``. More: by support, as :func:`symmetric_equilibria_by_support` finds them
    (which also says which supports hold a continuum).

    Examples
    --------
    The collective-risk dilemma of Santos and Pacheco (2011) in groups of 6 with threshold 3 and risk
    0.9 has a tipping point near 13% contributors and a stable coexistence near 72%:

    >>> from coop.games.population import collective_risk_dilemma
    >>> eqs, _ = symmetric_mixed_equilibria(collective_risk_dilemma(6, 3, 0.1, 0.9))
    >>> [(round(e.x, 3), e.stable) for e in eqs]
    [(0.13, False), (0.723, True)]
    """
    if game.num_strategies != 2:
        res = symmetric_equilibria_by_support(game, tol)
        return res.symmetric_mixed or (), res.indifferent
    from coop.solvers.shared.bernstein import interval_roots

    d = _advantage(game)
    stake_all = player_stake(float(game.payoffs.max()), float(game.payoffs.min()))
    if np.all(np.abs(d) <= tol * stake_all):
        return (), True

    def f(x: float) -> float:
        pay, _ = expected_payoffs(game, x)
        return float(pay[0] - pay[1])

    found: list[SymmetricMixedEquilibrium] = []
    for x in interval_roots(d):
        if any(abs(x - e.x) <= 1e-9 for e in found):
            continue
        pay, w = expected_payoffs(game, x)
        at_stake = game.payoffs[:, w > 0.0]
        regret = _relative_regret(abs(float(pay[0] - pay[1])), at_stake)
        if regret > tol:
            continue
        h = 1e-6
        before, after = f(max(x - h, 0.0)), f(min(x + h, 1.0))
        stable = before > 0.0 > after
        stability = "stable" if stable else "unstable" if before < 0.0 < after else "non-hyperbolic"
        found.append(SymmetricMixedEquilibrium((float(x), 1.0 - float(x)), float(pay[0]), bool(stable), regret,
                                               stability))
    return tuple(found), False


def mixed_regret(game: PopulationGame, x: np.ndarray) -> tuple[float, np.ndarray]:
    """The relative regret of everybody playing ``x`` (the best action's expected payoff above the worst
    action in use, over the stake of the payoffs at stake: every action against every composition of the
    co-players that ``x`` gives positive probability), and the actions' expected payoffs."""
    from coop.solvers.evolution.group_replicator import group_fitness

    f = group_fitness(game, x)
    used = x > 0.0
    reachable = np.all(game.compositions[:, ~used] == 0, axis=1)
    regret = float(f.max() - f[used].min())
    return _relative_regret(max(regret, 0.0), game.payoffs[:, reachable]), f


def symmetric_equilibria_by_support(game: PopulationGame, tol: float = REGRET_TOL) -> GroupEquilibria:
    r"""Every symmetric equilibrium of a group game with at least two actions in use, support by support.

    Method: the rest points of the replicator dynamic in groups of ``N``
    (:func:`coop.solvers.evolution.group_replicator.group_rest_points`) are every mix whose actions in use
    earn the same; on the face of a support :math:`S` these are the common zeros of :math:`|S| - 1`
    polynomials of degree :math:`N - 1` in Bernstein form whose coefficients are the payoff differences by
    composition. Edges are searched as the two-action case is (sign changes, Brent's method, roots of the
    polynomial in :math:`x / (1 - x)`); larger faces by Bernstein subdivision: a sub-simplex on which some
    difference's coefficients all have one sign holds no zero and is discarded (the range enclosure of the
    Bernstein form), the rest is halved along its longest edge down to leaves of diameter :math:`2^{-10}`,
    and Newton's method polishes each leaf (:func:`coop.solvers.shared.bernstein.simplex_zeros`). So every
    zero lies in a leaf, and every nonsingular zero whose Newton basin is wider than its leaf is found; a
    face whose zeros are not isolated (all payoffs equal, a curve of zeros) is reported in ``degenerate``,
    not as a list of points. Support enumeration with these polynomial systems is the approach of
    McKelvey and McLennan (1996) for all equilibria, restricted here to symmetric profiles, which the
    counts make small.

    A rest point is an equilibrium when no action outside its support earns more; each is verified by the
    regret rule (:func:`mixed_regret`, at most ``tol``) and classified by the eigenvalues of the replicator's
    Jacobian on the simplex (stable, unstable, saddle, centre or non-hyperbolic).

    Examples
    --------
    Rock-paper-scissors in pairs: the one symmetric mixed equilibrium is the uniform mix, a centre of the
    replicator dynamic:

    >>> rps = PopulationGame.from_matrix([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], ("R", "P", "S"))
    >>> [([round(p, 6) for p in e.strategy], e.stability) for e in symmetric_equilibria_by_support(rps).symmetric_mixed]
    [([0.333333, 0.333333, 0.333333], 'centre')]

    References
    ----------
    McKelvey, R. D. and McLennan, A. (1996). Computation of equilibria in finite games. In *Handbook of
    Computational Economics* 1, 87-142.
    """
    from coop.solvers.evolution.group_replicator import group_rest_points

    acts = game.strategies
    if game.num_strategies == 2:
        mixed, indifferent = symmetric_mixed_equilibria(game, tol)
        return GroupEquilibria(game, (), mixed, indifferent, tol)
    rest = group_rest_points(game)
    found: list[SymmetricMixedEquilibrium] = []
    for p in rest.points:
        if len(p.support) < 2 or any(set(p.support) == set(face) for face in rest.degenerate):
            continue
        regret, f = mixed_regret(game, p.state)
        if regret > tol:
            continue
        found.append(SymmetricMixedEquilibrium(tuple(float(v) for v in p.state), float(p.state @ f),
                                               p.stability == "stable", regret, p.stability,
                                               tuple(complex(e) for e in p.eigenvalues)))
    everything = tuple(range(game.num_strategies))
    indifferent = everything in rest.degenerate and bool(np.ptp(game.payoffs, axis=0).max() <= tol * player_stake(
        float(game.payoffs.max()), float(game.payoffs.min())))
    return GroupEquilibria(game, (), tuple(found), indifferent, tol,
                           tuple(tuple(acts[s] for s in face) for face in rest.degenerate),
                           tuple(tuple(acts[s] for s in face) for face in rest.skipped))


def group_equilibria(game: PopulationGame, tol: float = REGRET_TOL) -> GroupEquilibria:
    """The pure equilibria (by composition) and the symmetric mixed ones of a group game."""
    from dataclasses import replace

    pure = pure_count_equilibria(game, tol)
    return replace(symmetric_equilibria_by_support(game, tol), pure=pure)
