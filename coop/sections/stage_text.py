"""The stage game's part of the report in words for a class: the equilibria table, what was computed and how,
what degeneracy means and the sets of equilibria a degenerate game has, the solvers' notes in plain words; the
brief form (``coop solve --brief``) and the tables for ``--format markdown|latex|csv``.

Every equilibrium prints in one number format (:func:`coop.report_text.format_profile`): fractions when each of
its probabilities is a simple fraction, else decimals for all.
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.report_text import WIDTH, Table, format_number, format_probability, format_profile, format_strategy, plural
from coop.report_text import fractions_fit as _fractions_fit

if TYPE_CHECKING:
    from coop.sections.stage import StageResult
    from coop.solvers.nash.components import NashComponent

#: At most this many equilibria are listed in the text report (all are in the JSON).
MAX_EQUILIBRIA_SHOWN = 40
#: ... and in the brief report.
MAX_BRIEF_EQUILIBRIA = 8
#: At most this many sets of equilibria of a degenerate game are described in the text report.
MAX_COMPONENTS_SHOWN = 12

#: Each method in a few plain words (the summary names it).
METHOD_PLAIN = {
    "vertex enumeration": "it pairs up the corners of the regions where each player's actions are best replies",
    "support enumeration": "it tries every choice of which actions each player mixes and solves for the mixes "
                           "that leave the other player indifferent among them",
    "polynomial support enumeration": "it tries every choice of which actions each player mixes and solves "
                                      "the equations that leave every player indifferent among the actions they "
                                      "mix",
    "support search": "it tries the likeliest choices of which actions each player mixes first and stops at the "
                      "first equilibrium",
    "Lemke-Howson": "it follows a path of near-equilibria from a starting action to one equilibrium",
}

DEGENERACY_PLAIN = (
    "What degenerate means: some strategy has more best replies than the actions it uses, which with "
    "whole-number payoffs happens through ties (payoff differences below 1e-9 of a player's payoff range count "
    "as ties). A player can then stay exactly indifferent while the other changes their mix, so equilibria need "
    "not be isolated points: they can form segments or larger regions, and 'every equilibrium' means those "
    "sets."
)


def equilibria_table(result: StageResult, limit: int | None = MAX_EQUILIBRIA_SHOWN) -> Table:
    """The equilibria as a table (at most ``limit`` rows; ``None``: all), each row in one number format; its CSV
    form has one column per action with the probability in full precision."""
    game = result.loaded.game
    solution = result.solution
    red_lines = result.loaded.red_lines
    crossings = result.crossings()
    header = ["#", *game.players, f"payoffs ({', '.join(game.players)})"]
    if red_lines:
        header.append("red lines crossed")
    rows = []
    shown = solution.equilibria if limit is None else solution.equilibria[:limit]
    for k, (eq, crossed) in enumerate(zip(shown, crossings, strict=False), start=1):
        fraction = _fractions_fit(*eq.strategies)
        row = [str(k), *format_profile(game.actions, eq.strategies)]
        row.append(", ".join(format_number(float(v)) for v in eq.payoffs))
        if red_lines:
            row.append("; ".join(_crossing(c, fraction) for c in crossed) or "none")
        rows.append(row)
    data_header = ["equilibrium", "pure"]
    data_header += [f"{p}: {a}" for i, p in enumerate(game.players) for a in game.actions[i]]
    data_header += [f"payoff {p}" for p in game.players]
    components = solution.components
    set_of: dict[int, list[int]] = {}
    if components is not None:
        data_header.append("sets")
        for j, c in enumerate(components, start=1):
            for k in c.equilibria:
                set_of.setdefault(k, []).append(j)
    if red_lines:
        data_header.append("red lines crossed")
    data_rows: list[list[object]] = []
    for k, (eq, crossed) in enumerate(zip(solution.equilibria, crossings, strict=True)):
        drow: list[object] = [k + 1, eq.is_pure]
        drow += [float(p) if p > 1e-12 else 0.0 for s in eq.strategies for p in s]
        drow += [float(v) for v in eq.payoffs]
        if components is not None:
            drow.append(" ".join(str(j) for j in set_of.get(k, [])))
        if red_lines:
            drow.append("; ".join(c["name"] for c in crossed))
        data_rows.append(drow)
    return Table("equilibria", "Nash equilibria", header, rows, (data_header, data_rows))


def _crossing(c: dict[str, Any], fraction: bool) -> str:
    p = c["probability"]
    return c["name"] if p > 1 - 1e-9 else f"{c['name']} (p = {format_probability(p, fraction)})"


def summary_sentence(summary: str) -> str:
    """``Computed: SUMMARY`` with the method explained in a few plain words."""
    method = next((name for name in sorted(METHOD_PLAIN, key=len, reverse=True) if f"by {name}" in summary), None)
    how = f" ({METHOD_PLAIN[method]})" if method is not None else ""
    if method is not None and f"by {method}" in summary:
        summary = summary.replace(f"by {method}", f"by {method}{how}", 1)
    return f"Computed: {summary}."


def equilibria_lines(result: StageResult) -> list[str]:
    """The heading, what was computed, the table and the verification, as the text report prints them."""
    solution = result.solution
    n_eq = len(solution.equilibria)
    lines = textwrap.wrap(f"{plural(n_eq, 'Nash equilibrium', 'Nash equilibria')} found (a Nash equilibrium is a "
                          "strategy for each player that no player can improve on by changing only their own)",
                          WIDTH, subsequent_indent="  ")
    lines += textwrap.wrap(summary_sentence(solution.summary), WIDTH)
    lines.append("")
    if not n_eq:
        lines.append("  No equilibrium was found within the method's limits (see the notes).")
        return lines
    lines += equilibria_table(result).text()
    if n_eq > MAX_EQUILIBRIA_SHOWN:
        lines.append(f"  ... and {n_eq - MAX_EQUILIBRIA_SHOWN} more (--format json and --format csv list all)")
    lines.append("")
    worst = max(e.relative_regret for e in solution.equilibria)
    gain = "anything" if worst == 0.0 else f"more than {worst:.2g} of what is at stake for them"
    lines += textwrap.wrap(
        f"Every equilibrium was verified: no player can gain {gain} by deviating "
        f"(tolerance {solution.pure.tol:.2g} of the stake).",
        WIDTH,
    )
    return lines


def red_line_sentence(result: StageResult) -> str | None:
    """How many equilibria cross a red line, in a sentence (``None`` without red lines)."""
    if not result.loaded.red_lines:
        return None
    crossings = result.crossings()
    n_eq = len(crossings)
    crossing = sum(1 for c in crossings if c)
    if n_eq == 0:
        return "Red lines: no equilibrium was found to check."
    if n_eq == 1:
        return f"Red lines: the only equilibrium {'crosses' if crossing else 'crosses no'} red line" + \
            (" (at least one)." if crossing else ".")
    if crossing == n_eq:
        return f"Red lines: all {n_eq} equilibria cross at least one red line."
    if crossing == 0:
        return f"Red lines: none of the {n_eq} equilibria crosses a red line."
    verb = "crosses" if crossing == 1 else "cross"
    return f"Red lines: {crossing} of the {n_eq} equilibria {verb} at least one red line."


# ---------------------------------------------------------------------------- degenerate games
def _mixes(actions: tuple[str, ...], mixes: tuple[np.ndarray, ...], fraction: bool) -> str:
    if len(mixes) == 1:
        return format_strategy(actions, mixes[0], fraction)
    parts = [f"({format_strategy(actions, m, fraction)})" for m in mixes]
    return "any mix of " + ", ".join(parts[:-1]) + " and " + parts[-1]


def component_sentence(result: StageResult, number: int, component: NashComponent) -> str:
    """One set of equilibria in words: ``set 2 (equilibria 2 and 4): US plays any mix of (...) and (...), China
    plays ...: every such pair is an equilibrium``."""
    game = result.loaded.game
    members = [k + 1 for k in component.equilibria]
    fraction = _fractions_fit(*component.row_mixes, *component.column_mixes)
    if component.isolated:
        return f"set {number}: equilibrium {members[0]} alone (an isolated equilibrium)"
    which = ("equilibria " + ", ".join(map(str, members[:-1])) + f" and {members[-1]}") if len(members) > 1 \
        else f"equilibrium {members[0]}" if members else "corners not listed"
    row = _mixes(game.actions[0], component.row_mixes, fraction)
    col = _mixes(game.actions[1], component.column_mixes, fraction)
    return (f"set {number} ({which} at its corners): {game.players[0]} plays {row} and {game.players[1]} plays "
            f"{col}: every such pair is an equilibrium")


def degenerate_lines(result: StageResult) -> list[str]:
    """For a degenerate game: what degeneracy means, and the sets of equilibria (2 players, complete list)."""
    solution = result.solution
    if not solution.degenerate:
        return []
    game = result.loaded.game
    lines = [""]
    lines += textwrap.wrap(f"The game is degenerate. {DEGENERACY_PLAIN}", WIDTH)
    components = solution.components
    n_eq = len(solution.equilibria)
    if game.num_players == 2 and components is not None:
        if all(c.isolated for c in components):
            lines += textwrap.wrap(
                f"Here no two of the {plural(n_eq, 'equilibrium', 'equilibria')} can be combined: each is an isolated "
                "equilibrium, and the list above is every equilibrium of the game.", WIDTH)
            return lines
        lines += textwrap.wrap(
            f"coop lists the corners of those sets (the extreme equilibria) and groups them: these "
            f"{plural(n_eq, 'extreme equilibrium', 'extreme equilibria')} form "
            f"{plural(len(components), 'set')} of equilibria (maximal Nash subsets), and every equilibrium of the "
            "game lies in one of them:", WIDTH)
        for j, c in enumerate(components[:MAX_COMPONENTS_SHOWN], start=1):
            lines += textwrap.wrap(component_sentence(result, j, c), WIDTH, initial_indent="  ",
                                   subsequent_indent="    ")
        if len(components) > MAX_COMPONENTS_SHOWN:
            lines.append(f"  ... and {len(components) - MAX_COMPONENTS_SHOWN} more (all are in --format json, "
                         "key components)")
        groups: dict[int, list[int]] = {}
        for j, c in enumerate(components, start=1):
            groups.setdefault(c.connected_set, []).append(j)
        for members in (m for m in groups.values() if len(m) > 1):
            names = ", ".join(map(str, members[:-1])) + f" and {members[-1]}"
            lines += textwrap.wrap(
                f"Sets {names} overlap (through shared equilibria): together they form one connected piece of "
                "equilibria, along which play can move from one to another without ever leaving equilibrium.",
                WIDTH)
        return lines
    if game.num_players == 2:
        lines += textwrap.wrap(
            "The list above may miss some of those sets' corners; --method vertex lists every extreme equilibrium "
            "and groups them into the sets they form.", WIDTH)
    else:
        lines += textwrap.wrap(
            f"With {game.num_players} players coop lists the isolated equilibria and verified points of such sets, "
            "but cannot map the sets themselves; a small change of a tied payoff usually removes the degeneracy.",
            WIDTH)
    return lines


# ---------------------------------------------------------------------------- the solvers' notes in plain words
_STATS = re.compile(r"visited (\d+) support profiles: (\d+) pruned by conditional dominance, (\d+) systems solved "
                    r"\((\d+) boxes\)")
_SINGULAR = re.compile(r"(\d+) support systems had singular \(non-isolated\) solutions")


def plain_note(note: str, degenerate_explained: bool = False) -> str | None:
    """A solver's note in words for a class (``None`` when the report already says it in words).

    >>> print(textwrap.fill(plain_note(
    ...     "visited 27 support profiles: 22 pruned by conditional dominance, 1 systems solved (0 boxes)"), 100))
    27 support profiles (choices of which actions each player mixes) were tried: 22 ruled out at once
    (conditional dominance: one of their actions does worse than another whatever the others do within
    the choice), 1 solved (the equations that leave each player indifferent, by splitting the
    probabilities into 0 boxes)
    """
    match = _STATS.fullmatch(note)
    if match:
        visited, pruned, solved, boxes = (int(g) for g in match.groups())
        return (f"{plural(visited, 'support profile')} (choices of which actions each player mixes) "
                f"{'was' if visited == 1 else 'were'} tried: {pruned:,} ruled out at once (conditional dominance: "
                "one of their actions does worse than another whatever the others do within the choice), "
                f"{solved:,} solved (the equations that leave each player indifferent, by splitting the "
                f"probabilities into {plural(boxes, 'box', 'boxes')})")
    if degenerate_explained and note.startswith("the game is degenerate"):
        return None  # said above in plain words
    match = _SINGULAR.match(note)
    if match:
        count = int(match.group(1))
        return (f"{plural(count, 'support profile')} had equations with a whole line or region of solutions "
                "rather than single points (the game is degenerate); the equilibria listed are verified points of "
                "them, not every equilibrium")
    return note


def note_lines(result: StageResult) -> list[str]:
    lines: list[str] = []
    explained = bool(result.solution.degenerate)
    for note in result.solution.notes:
        text = plain_note(note, explained)
        if text is not None:
            lines += textwrap.wrap(f"Note: {text}", WIDTH, subsequent_indent="  ")
    return lines


# ---------------------------------------------------------------------------- brief
def brief_sentence(result: StageResult) -> str:
    """The equilibria in one sentence: how many, how many pure, and whether every one was found."""
    solution = result.solution
    eqs = solution.equilibria
    pure = sum(1 for e in eqs if e.is_pure)
    what = f"{plural(len(eqs), 'Nash equilibrium', 'Nash equilibria')} ({pure:,} pure, {len(eqs) - pure:,} mixed)"
    if solution.complete and solution.guarantee == "all":
        scope = "every equilibrium of the game"
    elif solution.complete:
        comps = solution.components
        scope = "every extreme equilibrium of a degenerate game" + (
            f", forming {plural(len(comps), 'set')} of equilibria" if comps is not None else "")
    else:
        scope = "not necessarily all (see the full report)"
    sentence = f"{what}: {scope}."
    red = red_line_sentence(result)
    if red is not None:
        sentence += " " + red.removeprefix("Red lines: ")[:1].upper() + red.removeprefix("Red lines: ")[1:]
    return sentence


def brief_lines(result: StageResult) -> list[str]:
    lines = textwrap.wrap(brief_sentence(result), WIDTH)
    lines.append("")
    if result.solution.equilibria:
        lines += equilibria_table(result, MAX_BRIEF_EQUILIBRIA).text()
        n_eq = len(result.solution.equilibria)
        if n_eq > MAX_BRIEF_EQUILIBRIA:
            lines.append(f"  ... and {n_eq - MAX_BRIEF_EQUILIBRIA} more (the full report lists "
                         f"{min(n_eq, MAX_EQUILIBRIA_SHOWN)}, --format json and --format csv all)")
    return lines
