"""Formatting for the text report of ``coop solve``: numbers, probabilities, strategies, counts, tables.

Written for a class: the probabilities of one equilibrium print all as fractions
(``2/3``) when every one of them is a simple fraction, else all as decimals, so
one line never mixes the two; payoffs without needless decimals; counts with
the right singular or plural. Each section's text block (:mod:`coop.sections`)
is built from these, and its tables are :class:`Table` objects, printed as
plain text here or as Markdown, LaTeX or CSV (``coop solve --format``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
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


#: A probability prints as a fraction when it is one with at most this denominator.
MAX_DENOMINATOR = 16


def small_fraction(p: float) -> Fraction | None:
    """``p`` as a fraction with a denominator of at most :data:`MAX_DENOMINATOR`, or ``None`` if it is none.

    >>> small_fraction(2 / 3), small_fraction(0.65)
    (Fraction(2, 3), None)
    """
    frac = Fraction(p).limit_denominator(MAX_DENOMINATOR)
    return frac if abs(float(frac) - p) < 1e-9 else None


def format_probability(p: float, fraction: bool | None = None) -> str:
    """``2/3`` when p is a fraction with a small denominator, else three decimals.

    ``fraction=False`` forces decimals (the other probabilities of the same equilibrium are not fractions);
    ``fraction=True`` asks for a fraction where there is one.

    >>> format_probability(2 / 3), format_probability(2 / 3, fraction=False), format_probability(0.65)
    ('2/3', '0.667', '0.650')
    """
    frac = small_fraction(p) if fraction is not False else None
    if frac is not None:
        return f"{frac.numerator}/{frac.denominator}" if frac.denominator != 1 else str(frac.numerator)
    return format_decimal(p)


def format_decimal(p: float) -> str:
    """A probability with three decimals, or as many more as it takes not to show ``0.000`` or ``1.000`` for a
    probability that is neither (up to 12).

    >>> format_decimal(0.65), format_decimal(0.00039), format_decimal(1 - 0.00039), format_decimal(1.0)
    ('0.650', '0.00039', '0.99961', '1.000')
    """
    gap = min(abs(p), abs(1.0 - p))
    digits = 3
    if 1e-12 < gap < 5e-4:
        digits = min(12, max(3, math.ceil(-math.log10(gap)) + 1))
    return f"{p:.{digits}f}"


def fractions_fit(*strategies: np.ndarray) -> bool:
    """Whether every probability in ``strategies`` (one equilibrium's, or one set's) is a simple fraction: then
    they all print as fractions, else all as decimals.

    >>> import numpy as np
    >>> fractions_fit(np.array([14 / 15, 1 / 15]), np.array([0.65, 0.35]))
    False
    >>> fractions_fit(np.array([2 / 3, 1 / 3]), np.array([1.0, 0.0]))
    True
    """
    return all(small_fraction(float(p)) is not None for s in strategies for p in np.asarray(s, dtype=float).ravel()
               if p > PROB_EPS)


def format_strategy(actions: tuple[str, ...], strategy: np.ndarray, fraction: bool | None = None) -> str:
    """A mixed strategy for reading: ``restrict 2/3, open 1/3`` (an action alone when it is pure).

    ``fraction``: print fractions (True) or decimals (False) for every probability; ``None`` decides from this
    strategy alone (:func:`fractions_fit`). To print one equilibrium in one format use :func:`format_profile`.
    """
    support = [k for k in range(len(strategy)) if strategy[k] > PROB_EPS]
    if len(support) == 1:
        return actions[support[0]]
    if fraction is None:
        fraction = fractions_fit(strategy)
    return ", ".join(f"{actions[k]} {format_probability(float(strategy[k]), fraction)}" for k in support)


def format_profile(actions: Sequence[tuple[str, ...]], strategies: Sequence[np.ndarray]) -> list[str]:
    """Each player's strategy of one profile, all in one number format: fractions when every probability of the
    profile is a simple fraction, else decimals for all.

    >>> import numpy as np
    >>> format_profile([("restrict", "open"), ("align", "trade")],
    ...                [np.array([14 / 15, 1 / 15]), np.array([0.65, 0.35])])
    ['restrict 0.933, open 0.067', 'align 0.650, trade 0.350']
    """
    fraction = fractions_fit(*strategies)
    return [format_strategy(tuple(a), s, fraction) for a, s in zip(actions, strategies, strict=True)]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 equilibrium``, ``3 equilibria``, ``1,200 points``: the count with the noun in the right number.

    >>> plural(1, "equilibrium", "equilibria"), plural(2, "red line"), plural(1200, "point")
    ('1 equilibrium', '2 red lines', '1,200 points')
    """
    word = singular if count == 1 else plural_form if plural_form is not None else singular + "s"
    return f"{count:,} {word}"


def table_lines(rows: list[list[str]], header: list[str]) -> list[str]:
    """A plain-text table: a header line, a rule, one line per row; columns padded to fit."""
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    line = lambda r: "  ".join(cell.ljust(widths[c]) for c, cell in enumerate(r)).rstrip()  # noqa: E731
    return [line(header), line(["-" * w for w in widths]), *[line(r) for r in rows]]


#: Table formats of ``coop solve --format`` besides text and JSON.
TABLE_FORMATS = ("markdown", "latex", "csv")


@dataclass(frozen=True)
class Table:
    """One table of the report: a caption, a header and rows of text cells.

    ``key`` names the table for scripts (``equilibria``, ``payoffs``, ``repeated``, ...); ``data`` is, for CSV,
    the same table with numbers in full precision where the text cells round them (``None``: the cells as
    they are).

    Examples
    --------
    >>> t = Table("equilibria", "Nash equilibria", ["#", "US"], [["1", "restrict 2/3, open 1/3"]])
    >>> print("\\n".join(t.markdown()))
    **Nash equilibria**
    <BLANKLINE>
    | # | US |
    | --- | --- |
    | 1 | restrict 2/3, open 1/3 |
    >>> print("\\n".join(t.latex()))
    \\begin{table}[ht]
    \\centering
    \\begin{tabular}{ll}
    \\hline
    \\# & US \\\\
    \\hline
    1 & restrict 2/3, open 1/3 \\\\
    \\hline
    \\end{tabular}
    \\caption{Nash equilibria}
    \\end{table}
    """

    key: str
    caption: str
    header: list[str]
    rows: list[list[str]]
    data: tuple[list[str], list[list[object]]] | None = field(default=None, compare=False)

    def text(self, indent: str = "  ") -> list[str]:
        return [indent + line for line in table_lines(self.rows, self.header)]

    def markdown(self) -> list[str]:
        def cell(c: str) -> str:
            return c.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_") or " "

        out = [f"**{cell(self.caption)}**", "", "| " + " | ".join(cell(h) for h in self.header) + " |",
               "| " + " | ".join("---" for _ in self.header) + " |"]
        out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in self.rows]
        return out

    def latex(self) -> list[str]:
        out = ["\\begin{table}[ht]", "\\centering", "\\begin{tabular}{" + "l" * len(self.header) + "}", "\\hline",
               " & ".join(latex_escape(h) for h in self.header) + " \\\\", "\\hline"]
        out += [" & ".join(latex_escape(c) for c in row) + " \\\\" for row in self.rows]
        out += ["\\hline", "\\end{tabular}", f"\\caption{{{latex_escape(self.caption)}}}", "\\end{table}"]
        return out

    def csv(self) -> str:
        header, rows = self.data if self.data is not None else (self.header, self.rows)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buf.getvalue()


_LATEX_SPECIAL = {"\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#", "_": "\\_",
                  "{": "\\{", "}": "\\}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"}


def latex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped.

    >>> latex_escape("US \\\\ China: 50% & more_#1")
    'US \\\\textbackslash{} China: 50\\\\% \\\\& more\\\\_\\\\#1'
    """
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def payoff_table_objects(game: NormalFormGame) -> list[Table]:
    """The payoff matrices as tables: rows are player 1's actions, columns player 2's, one matrix per profile
    of the others (none for a game with more than :data:`MAX_TABLE_PROFILES` profiles)."""
    n = game.num_players
    if n < 2 or game.num_profiles > MAX_TABLE_PROFILES:
        return []
    out: list[Table] = []
    rest_shapes = game.num_actions[2:]
    for rest in np.ndindex(*rest_shapes) if rest_shapes else [()]:
        caption = f"Payoffs ({', '.join(game.players)})"
        if rest:
            fixed = ", ".join(f"{game.players[2 + j]} plays {game.actions[2 + j][k]}" for j, k in enumerate(rest))
            caption += f" when {fixed}"
        header = [f"{game.players[0]} \\ {game.players[1]}", *game.actions[1]]
        rows = []
        for r, ra in enumerate(game.actions[0]):
            cells = [ra]
            for c in range(game.num_actions[1]):
                idx = (r, c, *rest)
                cells.append(", ".join(format_number(float(game.payoffs[i][idx])) for i in range(n)))
            rows.append(cells)
        out.append(Table("payoffs", caption, header, rows))
    return out


def payoff_tables(game: NormalFormGame) -> list[str]:
    """Payoff matrices: rows are player 1's actions, columns player 2's; one matrix per profile of the others."""
    out: list[str] = []
    for table in payoff_table_objects(game):
        _, sep, when = table.caption.partition(" when ")
        if sep:
            out.append(f"  when {when}:")
        out.extend(table.text())
        out.append("")
    return out
