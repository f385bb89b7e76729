"""The hostile inputs of issue 15 as a table: each a file (text, or a function that writes a large one) and a
command line, with what coop must do: ``"refused"`` (one line, exit 2) or ``"ok"`` (a complete answer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_PLAYERS = "players:\n  - name: Row\n    actions: [a, b]\n  - name: Col\n    actions: [c, d]\n"
_PD = "payoffs:\n  arrays:\n    Row: [[3, 0], [5, 1]]\n    Col: [[3, 5], [0, 1]]\n"
_PD_SYM = ("players:\n  - name: US\n    actions: [C, D]\n  - name: China\n    actions: [C, D]\n"
           "payoffs:\n  arrays:\n    US: [[3, 0], [5, 1]]\n    China: [[3, 5], [0, 1]]\n")
_REPEATED = "repeated:\n  delta: 0.9\n  cooperate: {US: C, China: C}\n  defect: {US: D, China: D}\n"


def _arrays(row: str, col: str) -> str:
    return f"title: t\n{_PLAYERS}payoffs:\n  arrays:\n    Row: {row}\n    Col: {col}\n"


def _players(count: int, actions: str) -> str:
    return "".join(f"  - name: P{i}\n    actions: {actions}\n" for i in range(count))


def _write_big_nfg(path: Path) -> None:
    n = 2236
    values = np.random.default_rng(0).integers(0, 100, size=2 * n * n)
    path.write_text(f'NFG 1 R "big" {{ "A" "B" }} {{ {n} {n} }}\n' + " ".join(map(str, values.tolist())) + "\n")


def _write_long_nfg(path: Path) -> None:
    path.write_text('NFG 1 R "x" { "A" "B" } { 2 2 }\n' + "1 " * 10_000_000 + "\n")


def _write_long_description(path: Path) -> None:
    path.write_text("title: t\ndescription: " + "x" * 50_000_000 + "\n" + _PLAYERS + _PD)


def _write_long_comments(path: Path) -> None:
    path.write_text("title: t\n" + _PLAYERS + _PD + ("# " + "y" * 98 + "\n") * 500_000)


@dataclass(frozen=True)
class Case:
    """A hostile input: ``text`` (or ``write``) goes to ``name`` in a temporary folder; ``args`` follow the file."""

    id: str
    expect: str  # "refused" or "ok"
    text: str = ""
    args: tuple[str, ...] = ("solve",)
    name: str = "case.yaml"
    write: Callable[[Path], None] | None = None
    extra: tuple[str, ...] = ()
    #: words the error line must contain (the actual problem, not a generic message)
    says: tuple[str, ...] = field(default=())


CASES = [
    # silent wrong answers
    Case("one_large_payoff", "ok", _arrays("[[1, 2], [3, 1e10]]", "[[4, 3], [2, 1]]"), extra=("--format", "json")),
    Case("large_payoff_other_player", "ok", _arrays("[[1, 2], [3, 4]]", "[[1e10, 0], [0, 1]]"),
         extra=("--format", "json")),
    Case("payoff_1e308", "ok", _arrays("[[1, 2], [3, 1.0e308]]", "[[4, 3], [2, 1]]"), extra=("--format", "json")),
    Case("matching_pennies_1e308", "ok",
         _arrays("[[1.0e308, -1.0e308], [-1.0e308, 1.0e308]]", "[[-1.0e308, 1.0e308], [1.0e308, -1.0e308]]"),
         extra=("--format", "json")),
    Case("tol_nan", "refused", "title: t\n" + _PLAYERS + _PD, extra=("--tol", "nan")),
    Case("tol_inf", "refused", "title: t\n" + _PLAYERS + _PD, extra=("--tol", "inf")),
    Case("tol_inf_json", "refused", "title: t\n" + _PLAYERS + _PD, extra=("--tol", "inf", "--format", "json")),
    Case("tol_too_large", "refused", "title: t\n" + _PLAYERS + _PD, extra=("--tol", "0.5")),
    Case("tol_negative", "refused", "title: t\n" + _PLAYERS + _PD, extra=("--tol", "-1")),
    Case("tol_below_rounding", "refused", "title: t\n" + _PLAYERS + _PD, extra=("--tol", "1e-300")),
    Case("delta_zero", "ok", "title: t\n" + _PD_SYM
         + "repeated: {delta: 0, cooperate: {US: C, China: C}, defect: {US: D, China: D}}\n"),
    Case("repeated_with_payoffs_near_1e308", "refused",
         "title: t\n" + _PD_SYM.replace("[[3, 0], [5, 1]]", "[[3, 0], [1e308, 1]]") + _REPEATED, says=("1e+150",)),
    # tracebacks
    Case("tag_int", "refused", _arrays("[[!!int abc, 2], [3, 4]]", "[[4, 3], [2, 1]]")),
    Case("tag_float", "refused", _arrays("[[!!float abc, 2], [3, 4]]", "[[4, 3], [2, 1]]")),
    Case("tag_bool", "refused", _arrays("[[!!bool maybe, 2], [3, 4]]", "[[4, 3], [2, 1]]")),
    Case("tag_int_empty", "refused", _arrays("[[!!int '', 2], [3, 4]]", "[[4, 3], [2, 1]]")),
    Case("tag_timestamp", "refused", "title: !!timestamp notadate\n" + _PLAYERS + _PD),
    Case("tag_python_object", "refused", "title: !!python/object:os.system echo\n" + _PLAYERS + _PD),
    Case("superscript", "refused", _arrays("[['2²', 2], [3, 4]]", "[[4, 3], [2, 1]]")),
    Case("superscript_alone", "refused", _arrays("[['1 + ³', 2], [3, 4]]", "[[4, 3], [2, 1]]")),
    Case("superscript_dot", "refused", _arrays("[['.²', 2], [3, 4]]", "[[4, 3], [2, 1]]")),
    Case("seventy_players", "refused", "title: t\nplayers:\n" + _players(70, "[x]") + "payoffs:\n  formulas:\n"
         "    all: '1'\n", says=("players",)),
    Case("seventy_players_nfg", "refused", 'NFG 1 R "t" { ' + " ".join(f'"P{i}"' for i in range(70)) + " } { "
         + " ".join("1" for _ in range(70)) + " }\n" + " ".join("0" for _ in range(70)) + "\n", name="case.nfg",
         says=("players",)),
    Case("k_period_huge", "refused", "title: t\n" + _PD_SYM + _REPEATED
         + "  strategies:\n    - {all: k_period_punishment, k: 1.0e12}\n"),
    Case("set_huge_parameter", "refused", "", args=("solve", "ai-arms-race", "--set", "relative_gains=1e308")),
    # hangs and memory blowups
    Case("long_description", "refused", write=_write_long_description),
    Case("long_comments", "refused", write=_write_long_comments),
    Case("big_nfg", "ok", name="case.nfg", write=_write_big_nfg, args=("validate",)),
    Case("long_nfg", "refused", name="case.nfg", write=_write_long_nfg),
    Case("twenty_four_players", "refused", "title: t\nplayers:\n" + _players(24, "[C, D]")
         + "payoffs:\n  formulas:\n    all: 'n_C - self.C'\n"),
    Case("custom_automaton_5000_states", "refused", "title: t\n" + _PD_SYM + _REPEATED + "  automata:\n    big:\n"
         "      states: [" + ", ".join(f"s{i}" for i in range(5000)) + "]\n      play: {"
         + ", ".join(f"s{i}: cooperate" for i in range(5000)) + "}\n  strategies:\n    - big\n"),
    Case("k_period_3000", "refused", "title: t\n" + _PD_SYM + _REPEATED
         + "  strategies:\n    - {all: k_period_punishment, k: 3000}\n"),
    Case("tournament_3000", "refused", "title: t\n" + _PD_SYM + _REPEATED + "  tournament:\n    strategies:\n"
         + "".join(f"      - {{strategy: random, p: {i / 3000:.6f}}}\n" for i in range(3000))
         + "    turns: 10\n"),
    Case("basins_forever", "refused",
         "title: t\n" + _PD_SYM + "evolution:\n  basins: {resolution: 200, time: 1.0e12}\n"),
    Case("population_1e9", "refused", "title: t\n" + _PD_SYM + "evolution:\n  finite_population: {size: 1000000000}\n"),
    # accepted but surprising
    Case("leading_zero_is_decimal", "ok", _arrays("[[010, 2], [3, 4]]", "[[4, 3], [2, 1]]"), args=("export",)),
    Case("sexagesimal_is_not_a_number", "refused", _arrays("[[1:30, 2], [3, 4]]", "[[4, 3], [2, 1]]")),
]
