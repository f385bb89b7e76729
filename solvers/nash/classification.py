r"""What kind of 2x2 game this is, and which of its equilibria players would select.

A class asks first which game it is looking at. For a 2x2 game coop gives

- each player's *ordinal* payoffs (ranks 1 to 4, 4 the best; ties share the lower rank),
  which is all the classification below uses;
- a *name*. A symmetric game (the column player ranks the outcomes as the row player does,
  roles swapped: the ordinal payoffs are each other's transpose) is named from the four
  payoffs of the social-dilemma literature: with the
  actions labelled so that mutual play of the first action is better for both than mutual
  play of the second (reward :math:`R` against punishment :math:`P`, temptation :math:`T`
  and sucker's payoff :math:`S`), *greed* is :math:`T > R` and *fear* is :math:`P > S`:
  greed and fear make a prisoner's dilemma (:math:`T > R > P > S`), fear alone a stag hunt
  (assurance game, :math:`R > T > P > S`), greed alone chicken (snowdrift, hawk-dove,
  :math:`T > R > S > P`), neither a harmony game (Rapoport and Chammah 1965; Macy and Flache
  2002); the other orders are named by their equilibria. Any 2x2 game is also described by its pure equilibria: one that
  both would trade for another outcome (a dilemma), two that both rank alike (coordination),
  two they rank oppositely (battle of the sexes), two off the diagonal (anti-coordination),
  none (discoordination, as in matching pennies).

For every game, each pure equilibrium is marked *payoff dominant* when it gives every player
at least as much as every other pure equilibrium, and, in a 2x2 game with two strict pure
equilibria, one of them is *risk dominant* when its product of deviation losses is the larger
(Harsanyi and Selten 1988, section 3.9): the equilibrium players drift to when unsure what the
other will do.

Examples
--------
>>> import numpy as np
>>> from coop.games import NormalFormGame
>>> stag = NormalFormGame.symmetric(np.array([[4.0, 0.0], [3.0, 2.0]]), actions=("restrain", "race"))
>>> classify_2x2(stag).name
'stag hunt'
>>> [s.risk_dominant for s in selection(stag)]
[False, True]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.games.normal_form import NormalFormGame

#: Payoff differences within this (relative to the payoff spread) count as ties.
_TIE = 1e-9


@dataclass(frozen=True)
class GameType:
    """The kind of a 2x2 game.

    Attributes
    ----------
    name : str
        ``"prisoner's dilemma"``, ``"stag hunt"``, ``"chicken"``, ``"harmony"``, or for a game that is
        not symmetric (or not strictly ordered) a name from its pure equilibria: ``"dilemma"``,
        ``"coordination"``, ``"battle of the sexes"``, ``"anti-coordination"``, ``"discoordination"``,
        ``"dominance solvable"``, ``"degenerate"``.
    description : str
        One plain sentence for the report.
    ordinal : tuple of numpy.ndarray
        Each player's payoffs as ranks 1 (worst) to 4 (best), ties sharing the lower rank.
    symmetric : bool
        Whether the ordinal payoffs of the column player are the transpose of the row player's.
    """

    name: str
    description: str
    ordinal: tuple[np.ndarray, ...]
    symmetric: bool

    def to_dict(self, game: NormalFormGame) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "symmetric": self.symmetric,
            "ordinal": {p: self.ordinal[i].astype(int).tolist() for i, p in enumerate(game.players)},
        }


@dataclass(frozen=True)
class Selection:
    """How one pure equilibrium fares in equilibrium selection.

    Attributes
    ----------
    profile : tuple of int
        The action indices of the pure equilibrium.
    payoff_dominant : bool
        It gives every player at least as much as every other pure equilibrium (and there is another).
    risk_dominant : bool
        2x2 games with two strict pure equilibria: its product of deviation losses is the larger.
    deviation_losses : tuple of float
        What each player loses by deviating alone from it.
    """

    profile: tuple[int, ...]
    payoff_dominant: bool
    risk_dominant: bool
    deviation_losses: tuple[float, ...]

    def to_dict(self, game: NormalFormGame) -> dict[str, Any]:
        return {
            "profile": {p: game.actions[i][k] for i, (p, k) in enumerate(zip(game.players, self.profile,
                                                                              strict=True))},
            "payoff_dominant": self.payoff_dominant,
            "risk_dominant": self.risk_dominant,
            "deviation_losses": {p: float(v) for p, v in zip(game.players, self.deviation_losses, strict=True)},
        }


def ordinal_ranks(u: np.ndarray, tie: float) -> np.ndarray:
    """Ranks 1 (worst) .. k of the entries of ``u``; entries within ``tie`` of each other share the lower rank."""
    flat = np.sort(u.ravel())
    ranks = np.empty(u.shape)
    for idx, v in np.ndenumerate(u):
        ranks[idx] = 1 + int(np.sum(flat < v - tie))
    return ranks


def classify_2x2(game: NormalFormGame) -> GameType:
    """Name a 2x2 game (see the module docstring); raises ``ValueError`` for other shapes."""
    if game.num_actions != (2, 2):
        raise ValueError(f"classify_2x2 needs a 2x2 game, got {game.num_actions}")
    A, B = (np.asarray(game.payoffs[i], dtype=np.float64) for i in range(2))
    tie = _TIE * game.payoff_scale
    ordinal = (ordinal_ranks(A, tie), ordinal_ranks(B, tie))
    symmetric = bool(np.array_equal(ordinal[0], ordinal[1].T))
    if symmetric:
        named = _social_dilemma(A, tie, game.actions[0])
        if named is not None:
            return GameType(named[0], named[1], ordinal, True)
    name, description = _by_equilibria(A, B, tie, game)
    return GameType(name, description, ordinal, symmetric)


def _social_dilemma(A: np.ndarray, tie: float, actions: tuple[str, ...]) -> tuple[str, str] | None:
    """The symmetric names from R, S, T, P; ``None`` when a tie leaves the game on a boundary."""
    c, d = (0, 1) if A[0, 0] >= A[1, 1] else (1, 0)  # c: the action whose mutual play pays more
    R, S, T, P = A[c, c], A[c, d], A[d, c], A[d, d]
    if R - P <= tie or abs(T - R) <= tie or abs(P - S) <= tie:
        return None
    greed, fear = T > R, P > S
    coop, defect = actions[c], actions[d]
    if greed and fear:
        return ("prisoner's dilemma",
                f"{defect} pays more whatever the other does (greed and fear), so both play {defect}, "
                f"although both would be better off if both played {coop}")
    if fear and T > P:
        return ("stag hunt",
                f"{coop} pays best if the other plays {coop} too, but {defect} is safer (fear without greed): "
                f"both ({coop}, {coop}) and ({defect}, {defect}) are equilibria, and trust decides")
    if greed and R > S:
        return ("chicken",
                f"each wants to play {defect} while the other plays {coop} (greed without fear), and mutual "
                f"{defect} is the worst: the equilibria are the two outcomes where one gives way")
    if not greed and not fear:
        return ("harmony", f"{coop} pays more whatever the other does: no dilemma, both play {coop}")
    return None


def _pure_equilibria(A: np.ndarray, B: np.ndarray, tie: float) -> list[tuple[int, int]]:
    return [(i, j) for i in range(2) for j in range(2)
            if A[i, j] >= A[1 - i, j] - tie and B[i, j] >= B[i, 1 - j] - tie]


def _by_equilibria(A: np.ndarray, B: np.ndarray, tie: float, game: NormalFormGame) -> tuple[str, str]:
    eqs = _pure_equilibria(A, B, tie)
    label = [f"({game.actions[0][i]}, {game.actions[1][j]})" for i, j in eqs]
    strict = all(abs(A[i, j] - A[1 - i, j]) > tie and abs(B[i, j] - B[i, 1 - j]) > tie for i, j in eqs)
    if len(eqs) > 2 or not strict:
        return "degenerate", "ties in the payoffs make some best responses equally good"
    if not eqs:
        return ("discoordination",
                "no pure equilibrium: one player wants to match the other's choice and the other to avoid it, "
                "so both mix (as in matching pennies)")
    if len(eqs) == 1:
        (i, j), = eqs
        better = [(k, m) for k in range(2) for m in range(2)
                  if A[k, m] > A[i, j] + tie and B[k, m] > B[i, j] + tie]
        if better:
            k, m = better[0]
            return ("dilemma",
                    f"the only equilibrium {label[0]} is worse for both than ({game.actions[0][k]}, "
                    f"{game.actions[1][m]}), as in a prisoner's dilemma")
        return "dominance solvable", f"one equilibrium, {label[0]}, which no other outcome improves for both"
    (i1, j1), (i2, j2) = eqs
    if i1 == i2 or j1 == j2:  # cannot happen with strict best responses
        return "degenerate", "ties in the payoffs make some best responses equally good"
    same_order = (A[i1, j1] - A[i2, j2]) * (B[i1, j1] - B[i2, j2]) >= 0
    diagonal = (i1, j1) == (0, 0) or (i1, j1) == (1, 1)
    if not same_order:
        if diagonal:
            return ("battle of the sexes",
                    f"two equilibria, {label[0]} and {label[1]}: both want to coordinate but disagree on which")
        return ("anti-coordination",
                f"two equilibria, {label[0]} and {label[1]}, each better for one player: one must give way")
    return ("coordination",
            f"two equilibria, {label[0]} and {label[1]}, ranked alike by both players: they need to coordinate")


def selection(game: NormalFormGame) -> list[Selection]:
    """Payoff and risk dominance of each pure equilibrium of ``game`` (in C order of the profile).

    Payoff dominance is checked in any game; risk dominance in 2x2 games with exactly two strict
    pure equilibria (Harsanyi and Selten 1988): the one with the larger product of the two
    players' deviation losses.
    """
    from coop.solvers.nash.pure_nash import pure_nash_indices

    rows = [tuple(int(k) for k in r) for r in pure_nash_indices(game)]
    n = game.num_players
    tie = _TIE * game.payoff_scale
    losses = []
    for prof in rows:
        per = []
        for i in range(n):
            own = game.payoffs[i][prof]
            others = [game.payoffs[i][prof[:i] + (k,) + prof[i + 1:]]
                      for k in range(game.num_actions[i]) if k != prof[i]]
            per.append(float(own - max(others)) if others else 0.0)
        losses.append(tuple(per))
    pays = [np.array([game.payoffs[i][p] for i in range(n)]) for p in rows]
    dominant = [len(rows) > 1 and all(bool(np.all(pays[k] >= pays[m] - tie)) for m in range(len(rows)) if m != k)
                for k in range(len(rows))]
    risk = [False] * len(rows)
    if game.num_actions == (2, 2) and len(rows) == 2 and all(min(v) > tie for v in losses):
        products = [float(np.prod(v)) for v in losses]
        if abs(products[0] - products[1]) > tie * tie:
            risk[int(np.argmax(products))] = True
    return [Selection(rows[k], dominant[k], risk[k], losses[k]) for k in range(len(rows))]
