"""Small named games from textbooks, with their sources, used across the test suite."""

from __future__ import annotations

import numpy as np

from coop.games import NormalFormGame

C_D = ("C", "D")


def prisoners_dilemma(T: float = 5, R: float = 3, P: float = 1, S: float = 0) -> NormalFormGame:
    """Prisoner's dilemma with T > R > P > S (Axelrod 1984 values by default). Unique equilibrium (D, D)."""
    A = np.array([[R, S], [T, P]], dtype=float)
    return NormalFormGame.from_bimatrix(A, A.T, ("Row", "Column"), (C_D, C_D), "Prisoner's dilemma")


def matching_pennies() -> NormalFormGame:
    """Matching pennies (Osborne 2004, ex. 19.1). Unique equilibrium: both mix (1/2, 1/2)."""
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    return NormalFormGame.from_bimatrix(A, -A, ("Matcher", "Mismatcher"), (("H", "T"), ("H", "T")))


def battle_of_the_sexes() -> NormalFormGame:
    """Battle of the sexes (Osborne 2004, fig. 19.1): two pure equilibria and one mixed, (2/3, 1/3), (1/3, 2/3)."""
    A = np.array([[2.0, 0.0], [0.0, 1.0]])
    B = np.array([[1.0, 0.0], [0.0, 2.0]])
    return NormalFormGame.from_bimatrix(A, B, ("Row", "Column"), (("B", "S"), ("B", "S")))


def stag_hunt() -> NormalFormGame:
    """Stag hunt (Skyrms 2004): (Stag, Stag), (Hare, Hare) and a mixed equilibrium with p(Stag) = 2/3."""
    M = np.array([[4.0, 0.0], [3.0, 2.0]])
    return NormalFormGame.symmetric(M, ("Row", "Column"), ("Stag", "Hare"), "Stag hunt")


def chicken() -> NormalFormGame:
    """Chicken / hawk-dove: two asymmetric pure equilibria and a mixed one with p(Swerve) = 2/3."""
    M = np.array([[6.0, 2.0], [7.0, 0.0]])
    return NormalFormGame.symmetric(M, ("Row", "Column"), ("Swerve", "Straight"), "Chicken")


def rock_paper_scissors() -> NormalFormGame:
    """Rock-paper-scissors: unique equilibrium, uniform mixing."""
    M = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    return NormalFormGame.from_bimatrix(M, -M, actions=(("R", "P", "S"), ("R", "P", "S")))


def von_stengel_3x2() -> NormalFormGame:
    """The 3x2 example of von Stengel (2007), "Equilibrium computation for two-player games in
    strategic and extensive form", Algorithmic Game Theory ch. 3, fig. 3.1. Three equilibria:
    ((1, 0, 0), (1, 0)), ((4/5, 1/5, 0), (2/3, 1/3)) and ((0, 1/3, 2/3), (1/3, 2/3))."""
    A = np.array([[3.0, 3.0], [2.0, 5.0], [0.0, 6.0]])
    B = np.array([[3.0, 2.0], [2.0, 6.0], [3.0, 1.0]])
    return NormalFormGame.from_bimatrix(A, B, title="von Stengel 3x2")


def three_player_matching_pennies() -> NormalFormGame:
    """Jordan's (1993) three-player matching pennies: player 1 wants to match 2, 2 to match 3,
    3 to mismatch 1. Unique equilibrium, everyone mixing 1/2."""
    P = np.zeros((3, 2, 2, 2))
    for a in range(2):
        for b in range(2):
            for c in range(2):
                P[0, a, b, c] = 1.0 if a == b else -1.0
                P[1, a, b, c] = 1.0 if b == c else -1.0
                P[2, a, b, c] = 1.0 if c != a else -1.0
    return NormalFormGame.from_payoffs(P, ("P1", "P2", "P3"), (("H", "T"),) * 3, "3-player matching pennies")


def two_totally_mixed_2x2x2() -> NormalFormGame:
    """A generic 2x2x2 game with nine equilibria, two of them totally mixed (the most a generic
    2x2x2 game can have: McKelvey and McLennan 1997). Constructed here; the count is checked against
    pygambit's enumpoly in the tests.

    Each player's payoff gain of action 0 over action 1 is a bilinear form in the other two players'
    probabilities of action 1, chosen so that the indifference surfaces cross twice inside the cube.
    """
    P = np.zeros((3, 2, 2, 2))
    # player i prefers action 0 iff (x_j - 0.3)(x_k - 0.6) > 0.01 style; encoded via corner payoffs
    vals = {
        0: lambda b, c: (0.7 - b) * (0.4 - c) - 0.01,
        1: lambda a, c: (0.65 - c) * (0.35 - a) - 0.015,
        2: lambda a, b: (0.6 - a) * (0.45 - b) - 0.02,
    }
    for a in range(2):
        for b in range(2):
            for c in range(2):
                P[0, a, b, c] = vals[0](b, c) if a == 0 else 0.0
                P[1, a, b, c] = vals[1](a, c) if b == 0 else 0.0
                P[2, a, b, c] = vals[2](a, b) if c == 0 else 0.0
    return NormalFormGame.from_payoffs(P, title="2x2x2 with two totally mixed equilibria")


def correlated_punishment_gap() -> NormalFormGame:
    """A 3-player game where correlated punishment is harsher than independent punishment (constructed
    here to illustrate the gap discussed by Fudenberg and Maskin 1986, sec. 4, and Mailath and Samuelson
    2006, remark 2.1.1). Player 1 (actions L, R) gets 1 when players 2 and 3 (actions a, b) match, and
    when they differ gets 1 only with L against (a, b) or R against (b, a). Pure minmax 1; correlated
    minmax 1/2 (half (a, b), half (b, a)); independent mixed minmax 3/4 (both mix 1/2). Players 2 and 3 get 0.
    """
    P = np.zeros((3, 2, 2, 2))
    P[0, :, 0, 0] = 1.0
    P[0, :, 1, 1] = 1.0
    P[0, 0, 0, 1] = 1.0
    P[0, 1, 1, 0] = 1.0
    return NormalFormGame.from_payoffs(P, ("P1", "P2", "P3"), (("L", "R"), ("a", "b"), ("a", "b")),
                                       "correlated punishment gap")
