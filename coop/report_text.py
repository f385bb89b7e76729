"""Formatting for the text report of ``coop solve``: numbers, probabilities, strategies, tables.

Written for a class: probabilities that are simple fractions print as fractions
(``2/3``), payoffs without needless decimals. Each section's text block
(:mod:`coop.sections`) is built from these.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from coop.games.normal_form import NormalFormGame
from coop.solvers.shared.tolerances import PROB_EPS

#: Payoff tables are printed for games with at most this many profiles.
MAX_TABLE_PROFILES = 64
WIDTH = 88


def format_number(v: float) -> str:
    """A payoff for reading: integers without decimals (up to 1e12), others with up to 4 significant digits."""
    if not math.isfinite(v) or abs(v) >= 1e12:
        return f"{v:.4g}"
    if abs(v - round(v)) < 1e-9 * max(1.0, abs(v)):
        return str(int(round(v)))
    return f"{v:.4g}"


def format_probability(p: float) -> str:
    """``2/3`` when p is a fraction with a small denominator, else three decimals."""
    frac = Fraction(p).limit_denominator(16)
    if abs(float(frac) - p) < 1e-9:
        return f"{frac.numerator}/{frac.denominator}" if frac.denominator != 1 else str(frac.numerator)
    return f"{p:.3f}"


def format_strategy(actions: tuple[str, ...], strategy: np.ndarray) -> str:
    support = [k for k in range(len(strategy)) if strategy[k] > PROB_EPS]
    if len(support) == 1:
        return actions[support[0]]
    return ", ".join(f"{actions[k]} {format_probability(float(strategy[k]))}" for k in support)


def table_lines(rows: list[list[str]], header: list[str]) -> list[str]:
    """A plain-text table: a header line, a rule, one line per row; columns padded to fit."""
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    line = lambda r: "  ".join(cell.ljust(widths[c]) for c, cell in enumerate(r)).rstrip()  # noqa: E731
    return [line(header), line(["-" * w for w in widths]), *[line(r) for r in rows]]


def payoff_tables(game: NormalFormGame) -> list[str]:
    """Payoff matrices: rows are player 1's actions, columns player 2's; one matrix per profile of the others."""
    n = game.num_players
    if n < 2 or game.num_profiles > MAX_TABLE_PROFILES:
        return []
    out: list[str] = []
    rest_shapes = game.num_actions[2:]
    for rest in np.ndindex(*rest_shapes) if rest_shapes else [()]:
        if rest:
            fixed = ", ".join(f"{game.players[2 + j]} plays {game.actions[2 + j][k]}" for j, k in enumerate(rest))
            out.append(f"  when {fixed}:")
        header = [f"{game.players[0]} \\ {game.players[1]}", *game.actions[1]]
        rows = []
        for r, ra in enumerate(game.actions[0]):
            cells = [ra]
            for c in range(game.num_actions[1]):
                idx = (r, c, *rest)
                cells.append(", ".join(format_number(float(game.payoffs[i][idx])) for i in range(n)))
            rows.append(cells)
        out.extend("  " + line for line in table_lines(rows, header))
        out.append("")
    return out
