"""The names of the equilibrium methods, one source for the solver, the CLI and the docs (imports nothing heavy)."""

from __future__ import annotations

from typing import Literal, get_args

#: A method of :func:`coop.solvers.nash.solve.solve_game` (``coop solve --method``).
Method = Literal["auto", "pure", "vertex", "support", "lemke-howson", "polynomial", "search", "simplicial"]

METHODS: tuple[Method, ...] = get_args(Method)

METHOD_HELP: dict[Method, str] = {
    "auto": "all equilibria when the game is small enough to enumerate, else pure ones plus one mixed",
    "pure": "every pure-strategy equilibrium only (any number of players and actions)",
    "vertex": "2 players: every extreme equilibrium by vertex enumeration (robust to degeneracy)",
    "support": "2 players: every equilibrium of a nondegenerate game by support enumeration",
    "lemke-howson": "2 players: one equilibrium by Lemke-Howson complementary pivoting",
    "polynomial": "any number of players: every equilibrium by support enumeration and polynomial solving",
    "search": "any number of players: one equilibrium by support search (Porter, Nudelman, Shoham 2004)",
    "simplicial": "any number of players: one equilibrium by simplicial subdivision (van der Laan and Talman 1987), "
                  "polished by Newton's method",
}

#: What a result promises about its equilibria (:attr:`coop.solvers.nash.results.NashResult.guarantee`): every
#: equilibrium, every extreme equilibrium, every pure equilibrium, or at least one when there are any.
Guarantee = Literal["all", "all_extreme", "all_pure", "some"]

GUARANTEES: tuple[Guarantee, ...] = get_args(Guarantee)
