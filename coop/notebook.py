"""How coop's objects show in a notebook: short ``repr()`` lines and HTML tables.

Jupyter shows the last value of a cell by its ``_repr_html_`` when it has one. These functions give
:class:`~coop.games.NormalFormGame` (a payoff table), :class:`~coop.GameSolution` (its equilibria, the
pure ones highlighted) and :class:`~coop.SolveReport` (its sections under headings) theirs, and keep their
``repr()`` to one line.

In the payoff table a player's payoff is underlined where it is a best reply to the others' actions,
as one marks a matrix by hand; a cell where every payoff is underlined is a pure equilibrium, and is
shaded.

Examples
--------
>>> import coop
>>> game = coop.load("ai-arms-race").game
>>> game
NormalFormGame('AI arms race between the US and China', players=('US', 'China'), actions 2 x 2)
>>> solution = coop.solve_game(game)
>>> solution
GameSolution(3 equilibria (2 pure), complete, method=vertex_enumeration)
>>> "<table" in game._repr_html_() and "pure" in solution._repr_html_()
True
"""

from __future__ import annotations

import html
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from coop.games.normal_form import NormalFormGame

#: The payoff table is drawn for games with at most this many action profiles.
MAX_HTML_PROFILES = 400
#: The equilibria table shows at most this many rows.
MAX_HTML_EQUILIBRIA = 50

#: Colours of the tables (light shading only, so that they read in a light or a dark notebook theme).
PURE_SHADE = "rgba(0, 158, 115, 0.18)"
_TABLE = 'style="border-collapse: collapse; margin: 0.4em 0"'


def _e(text: Any) -> str:
    return html.escape(str(text))


def _cell(text: str, tag: str = "td", shade: str | None = None, bold: bool = False) -> str:
    style = "border: 1px solid #999; padding: 0.2em 0.6em; text-align: center"
    if shade:
        style += f"; background: {shade}"
    if bold:
        style += "; font-weight: bold"
    return f'<{tag} style="{style}">{text}</{tag}>'


def game_repr(game: NormalFormGame) -> str:
    """``NormalFormGame('title', players=(...), actions 2 x 3)``: one line."""
    title = f"{game.title!r}, " if game.title else ""
    shape = " x ".join(str(a) for a in game.num_actions)
    return f"NormalFormGame({title}players={game.players!r}, actions {shape})"


def best_replies(game: NormalFormGame) -> np.ndarray:
    """``out[i][profile]``: whether player i's action in ``profile`` is a best reply to the others' actions there
    (within a tolerance scaled to player i's payoffs)."""
    out = np.zeros(game.payoffs.shape, dtype=bool)
    for i in range(game.num_players):
        u = game.payoffs[i]
        tol = 1e-9 * max(1.0, float(np.abs(u).max(initial=0.0)))
        out[i] = u >= u.max(axis=i, keepdims=True) - tol
    return out


def game_html(game: NormalFormGame) -> str:
    """The payoff table of ``game`` as HTML: rows are the first player's actions, columns the second's, one table
    per profile of the others; best replies underlined and pure equilibria shaded (see the module doc)."""
    from coop.report_text import format_number

    n = game.num_players
    shape = " x ".join(str(a) for a in game.num_actions)
    players = ", ".join(_e(p) for p in game.players)
    head = f"<p><b>{_e(game.title or 'Game')}</b>: {n} players ({players}), {shape} actions</p>"
    if n < 2:
        acts = ", ".join(f"{_e(a)}: {format_number(float(v))}" for a, v in zip(game.actions[0], game.payoffs[0],
                                                                                strict=True))
        return head + f"<p>{acts}</p>"
    if game.num_profiles > MAX_HTML_PROFILES:
        return head + (f"<p><i>{game.num_profiles:,} action profiles: too many to show as a table (at most "
                       f"{MAX_HTML_PROFILES}).</i></p>")
    best = best_replies(game)
    parts = [head]
    rest_shapes = game.num_actions[2:]
    for rest in np.ndindex(*rest_shapes) if rest_shapes else [()]:
        if rest:
            fixed = ", ".join(f"{_e(game.players[2 + j])} plays {_e(game.actions[2 + j][k])}"
                              for j, k in enumerate(rest))
            parts.append(f"<p>when {fixed}:</p>")
        rows = [_cell(f"{_e(game.players[0])} \\ {_e(game.players[1])}", "th")
                + "".join(_cell(_e(a), "th") for a in game.actions[1])]
        for r, action in enumerate(game.actions[0]):
            cells = [_cell(_e(action), "th")]
            for c in range(game.num_actions[1]):
                idx = (r, c, *rest)
                marks = [best[i][idx] for i in range(n)]
                values = [format_number(float(game.payoffs[i][idx])) for i in range(n)]
                text = ", ".join(f"<u>{v}</u>" if m else v for v, m in zip(values, marks, strict=True))
                cells.append(_cell(text, shade=PURE_SHADE if all(marks) else None))
            rows.append("".join(cells))
        parts.append(f"<table {_TABLE}>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>")
    parts.append(f"<p><small>Payoffs in player order ({players}). Underlined: a best reply to the others' "
                 "actions; shaded: every payoff underlined, a pure Nash equilibrium.</small></p>")
    return "\n".join(parts)


def solution_repr(solution: Any) -> str:
    """``GameSolution(3 equilibria (2 pure), complete, method=vertex_enumeration)``: one line."""
    from coop.report_text import plural

    count = len(solution.equilibria)
    pure = sum(1 for e in solution.equilibria if e.is_pure)
    kinds = f" ({pure} pure)" if 0 < pure < count else " (all pure)" if pure == count > 1 else ""
    method = solution.mixed.method if solution.mixed is not None else solution.pure.method
    return (f"GameSolution({plural(count, 'equilibrium', 'equilibria')}{kinds}, "
            f"{'complete' if solution.complete else 'incomplete'}, method={method})")


def solution_html(solution: Any) -> str:
    """The equilibria of a :class:`~coop.GameSolution` as an HTML table: one row per equilibrium, each player's
    strategy and payoff, pure equilibria shaded and marked."""
    from coop.report_text import format_number, format_profile, plural

    game = solution.game
    count = len(solution.equilibria)
    title = _e(game.title or "Game")
    parts = [f"<p><b>{title}</b>: {plural(count, 'Nash equilibrium', 'Nash equilibria')}"
             f"{'' if solution.complete else ' (the list may be incomplete)'}</p>"]
    if solution.summary:
        parts.append(f"<p><small>{_e(solution.summary)}</small></p>")
    header = (_cell("#", "th") + _cell("kind", "th") + "".join(_cell(_e(p), "th") for p in game.players)
              + "".join(_cell(f"payoff of {_e(p)}", "th") for p in game.players))
    rows = [header]
    for k, eq in enumerate(solution.equilibria[:MAX_HTML_EQUILIBRIA]):
        pure = eq.is_pure
        shade = PURE_SHADE if pure else None
        strategies = format_profile(game.actions, eq.strategies)
        cells = [_cell(str(k + 1), shade=shade), _cell("pure" if pure else "mixed", shade=shade, bold=pure)]
        cells += [_cell(_e(s), shade=shade, bold=pure) for s in strategies]
        cells += [_cell(format_number(float(v)), shade=shade) for v in eq.payoffs]
        rows.append("".join(cells))
    parts.append(f"<table {_TABLE}>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>")
    if count > MAX_HTML_EQUILIBRIA:
        parts.append(f"<p><i>... and {count - MAX_HTML_EQUILIBRIA:,} more (solution.equilibria has them all).</i></p>")
    notes = [n for n in getattr(solution, "notes", ()) if n]
    if notes:
        parts.append("<p><small>" + "<br>".join(_e(n) for n in notes) + "</small></p>")
    return "\n".join(parts)


def report_html(report: Any) -> str:
    """A :class:`~coop.SolveReport` as HTML: the title and story, the stage game's payoff table and equilibria,
    then every other section's text under its heading."""
    from coop.sections.registry import analyses

    game = report.game
    scenario = report.scenario
    parts = [f"<h3>{_e(game.title or report.loaded.source)}</h3>"]
    if scenario is not None and scenario.description:
        story = " ".join(scenario.description.split())
        parts.append(f"<p>{_e(textwrap.shorten(story, 1200, placeholder=' ...'))}</p>")
    titles = {a.name: a.title for a in analyses()}
    for name, result in report.sections.items():
        heading = titles.get(name, name)
        parts.append(f"<h4>{_e(heading[:1].upper() + heading[1:])}</h4>")
        solution = getattr(result, "solution", None)
        if name == "stage" and solution is not None:
            parts.append(game_html(game))
            parts.append(solution_html(solution))
            continue
        text = "\n".join(result.text())
        parts.append(f'<pre style="white-space: pre-wrap">{_e(text)}</pre>')
    return "\n".join(parts)
