"""The readable report of ``coop solve``: the payoff table, dominated strategies and the equilibria.

Written for a class: probabilities that are simple fractions print as fractions
(``2/3``), every equilibrium says which red lines it crosses, and the report
ends with what was computed and what that guarantees.
"""

from __future__ import annotations

import textwrap
from fractions import Fraction
from typing import Any

import numpy as np

from coop.games.normal_form import NormalFormGame
from coop.inputs import LoadedInput
from coop.solvers.nash.results import PROB_EPS
from coop.solvers.nash.solve import GameSolution

#: Payoff tables are printed for games with at most this many profiles.
MAX_TABLE_PROFILES = 64
WIDTH = 88


def format_number(v: float) -> str:
    """A payoff for reading: integers without decimals, others with up to 4 significant digits."""
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


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
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
        out.extend("  " + line for line in _table(rows, header))
        out.append("")
    return out


def render_solution(
    loaded: LoadedInput,
    solution: GameSolution,
    doc: dict[str, Any],
    analyses: list[Any] | None = None,
    institutions: list[tuple[str, Any]] | None = None,
    payoff_sets: dict[str, Any] | None = None,
    tournament: Any = None,
    evolution: dict[str, Any] | None = None,
) -> str:
    """The text report of ``coop solve``."""
    game = loaded.game
    lines: list[str] = []
    title = game.title or loaded.source
    lines += [title, "=" * min(len(title), WIDTH)]
    lines.append(f"source: {_source_label(loaded)}")
    if loaded.scenario is not None and loaded.scenario.description:
        for para in loaded.scenario.description.strip().split("\n\n"):
            lines += textwrap.wrap(" ".join(para.split()), WIDTH)
            lines.append("")
    shape = " x ".join(str(a) for a in game.num_actions)
    lines.append(f"{game.num_players} players, {shape} actions ({game.num_profiles:,} action profiles)")
    for i, p in enumerate(game.players):
        lines.append(f"  {p}: {', '.join(game.actions[i])}")
    if loaded.scenario is not None and loaded.scenario.parameters:
        params = ", ".join(f"{k} = {format_number(v)}" for k, v in loaded.scenario.parameters.items())
        lines += textwrap.wrap(f"parameters: {params}", WIDTH, subsequent_indent="  ")
    lines.append("")

    tables = payoff_tables(game)
    if tables:
        lines.append(f"Payoffs ({', '.join(game.players)})")
        lines += tables

    lines += _dominance_block(solution)

    n_eq = len(solution.equilibria)
    lines.append(f"Nash equilibria: {n_eq} found")
    lines += textwrap.wrap(f"Computed: {solution.summary}.", WIDTH)
    lines.append("")
    if n_eq:
        header = ["#", *game.players, f"payoffs ({', '.join(game.players)})"]
        if loaded.red_lines:
            header.append("red lines crossed")
        rows = []
        shown = list(zip(solution.equilibria, doc["equilibria"], strict=False))[:MAX_EQUILIBRIA_SHOWN]
        for k, (eq, eq_doc) in enumerate(shown, start=1):
            row = [str(k)]
            row += [format_strategy(game.actions[i], eq.strategies[i]) for i in range(game.num_players)]
            row.append(", ".join(format_number(float(v)) for v in eq.payoffs))
            if loaded.red_lines:
                crossed = eq_doc["red_lines"]
                row.append("; ".join(_crossing(c) for c in crossed) or "none")
            rows.append(row)
        lines += ["  " + line for line in _table(rows, header)]
        if n_eq > MAX_EQUILIBRIA_SHOWN:
            lines.append(f"  ... and {n_eq - MAX_EQUILIBRIA_SHOWN} more (all are in --format json)")
        lines.append("")
        lines.append(
            f"Every equilibrium was verified: largest regret {max(e.max_regret for e in solution.equilibria):.2g} "
            f"(tolerance {solution.pure.tol:.2g})."
        )
    else:
        lines.append("  No equilibrium was found within the method's limits (see notes).")
    if loaded.red_lines:
        crossing = sum(1 for d in doc["equilibria"] if d["red_lines"])
        lines.append(f"Red lines: {crossing} of {n_eq} equilibria cross at least one red line.")
    for note in solution.notes:
        lines += textwrap.wrap(f"Note: {note}", WIDTH, subsequent_indent="  ")
    if analyses:
        lines.append("")
        lines += _repeated_block(loaded, analyses)
    if payoff_sets:
        lines.append("")
        lines += _payoff_sets_block(loaded, payoff_sets)
    if tournament is not None:
        lines.append("")
        lines += _tournament_block(tournament)
    if evolution:
        lines.append("")
        lines += _evolution_block(evolution)
    if institutions:
        lines.append("")
        lines += _institutions_block(loaded, institutions)
    return "\n".join(lines).rstrip() + "\n"


def _patience(game: Any) -> str:
    """``delta = 0.9``, with the horizon of a finitely repeated game."""
    d = "no discounting" if game.delta is None else f"delta = {format_number(game.delta)}"
    return d if game.horizon is None else f"{game.horizon} periods, {d}"


def _sanction(x: float | None, none: str) -> str:
    return none if x is None else format_number(x)


def _institutions_block(loaded: LoadedInput, analyses: list[tuple[str, Any]]) -> list[str]:
    stage = loaded.game
    lines = [f"Institutions (repeated game, {_patience(loaded.scenario.repeated.game)})"]
    for design in loaded.scenario.institutions:
        members = ", ".join(design.members) if design.members else "all"
        lines += textwrap.wrap(
            f"{design.name}: detection {format_number(design.detection)}, sanction "
            f"{format_number(design.sanction)}, reputation cost {format_number(design.reputation_cost)}, "
            f"participation cost {format_number(design.participation_cost)}, forum shopping "
            f"{format_number(design.forum_shopping)}; members: {members}",
            WIDTH,
            initial_indent="  ",
            subsequent_indent="    ",
        )
    lines.append("")
    header = ["institution", "strategies", "SPE", f"critical delta ({', '.join(stage.players)})",
              "least sanction", "sanction ceiling", f"payoffs ({', '.join(stage.players)})"]
    rows = []
    for profile, a in analyses:
        rows.append([
            a.institution.name,
            profile,
            "yes" if a.subgame_perfect else "no",
            ", ".join(_delta(d) for d in a.critical.per_player),
            _sanction(a.least_sanction, "none works"),
            _sanction(a.sanction_ceiling, "no limit"),
            ", ".join(format_number(float(v)) for v in a.payoffs.payoffs),
        ])
    lines += ["  " + line for line in _table(rows, header)]
    lines.append("")
    lines += textwrap.wrap(
        "The least sanction is the smallest sanction (with the design's detection, forum shopping and "
        "reputation cost) that makes the strategies subgame perfect at this delta; above the ceiling the "
        "sanction also falls on the punishments the strategies rely on, and they stop being credible.",
        WIDTH,
    )
    return lines


def _delta(x: float | None) -> str:
    return "never" if x is None else format_probability(x) if x > 0 else "any"


def _repeated_block(loaded: LoadedInput, analyses: list[Any]) -> list[str]:
    game = loaded.scenario.repeated.game
    stage = game.stage
    roles = "; ".join(
        f"{p} cooperates with {stage.actions[i][game.cooperate[i]]}, defects with {stage.actions[i][game.defect[i]]}"
        for i, p in enumerate(stage.players)
    )
    lines = [f"Repeated game: {'discount factor ' if game.horizon is None else ''}{_patience(game)}"]
    lines += textwrap.wrap(roles, WIDTH, initial_indent="  ", subsequent_indent="  ")
    if game.noise > 0.0:
        lines += textwrap.wrap(
            f"  implementation noise {format_number(game.noise)}: an intended action is flipped with this "
            "probability; everything below includes it",
            WIDTH,
            subsequent_indent="  ",
        )
    if game.detection != 1.0 or game.false_alarm != 0.0:
        lines += textwrap.wrap(
            f"  detection {format_number(game.detection)}, false alarm {format_number(game.false_alarm)}: the "
            "payoffs include these monitoring errors; subgame perfection and critical delta are computed with "
            "perfect monitoring (private signals make the automaton states private)",
            WIDTH,
            subsequent_indent="  ",
        )
    lines.append("")
    names = ", ".join(stage.players)
    header = ["strategies", f"SPE at {_patience(game)}", f"critical delta ({names})", "Nash from delta",
              f"payoffs ({names})"]
    rows = []
    for a in analyses:
        rows.append([
            a.name,
            "yes" if a.subgame_perfect else "no",
            ", ".join(_delta(d) for d in a.critical_delta),
            _delta(a.nash_critical_delta_overall),
            ", ".join(format_number(float(v)) for v in a.payoffs),
        ])
    lines += ["  " + line for line in _table(rows, header)]
    lines.append("")
    lines += textwrap.wrap(
        "A profile is subgame perfect when no player gains from a one-shot deviation after any history; "
        "its critical delta is the least discount factor from which this holds ('any': every delta, "
        "'never': no delta close to 1). 'Nash from delta' asks less: no player gains by any strategy "
        "from the start (threats need not be credible), as for tit-for-tat in Axelrod's tournaments.",
        WIDTH,
    )
    return lines


#: At most this many equilibria are listed in the text report (all are in the JSON).
MAX_EQUILIBRIA_SHOWN = 40

#: At most this many vertices of a payoff set are listed in the text report (all are in the JSON).
MAX_VERTICES = 8


def _vertices(v: Any) -> str:
    pts = ["(" + ", ".join(format_number(float(x)) for x in row) + ")" for row in v[:MAX_VERTICES]]
    more = f" and {len(v) - MAX_VERTICES} more (see --format json)" if len(v) > MAX_VERTICES else ""
    return ", ".join(pts) + more if pts else "empty"


def _payoff_sets_block(loaded: LoadedInput, sets: dict[str, Any]) -> list[str]:
    game = loaded.scenario.repeated.game
    stage = game.stage
    mm = sets["minmax"]
    lines = [f"Payoff sets of the repeated game ({', '.join(stage.players)})"]
    parts = []
    for i, p in enumerate(stage.players):
        mixed = format_number(float(mm.mixed_minmax[i]))
        if not mm.exact[i]:
            mixed = f"between {format_number(float(mm.mixed_minmax_lower[i]))} and {mixed}"
        parts.append(f"{p} {mixed} (pure {format_number(float(mm.pure_minmax[i]))})")
    lines += textwrap.wrap("minmax, the least the others can hold a player to: " + "; ".join(parts), WIDTH,
                           initial_indent="  ", subsequent_indent="    ")
    lines += textwrap.wrap(f"feasible payoffs (vertices): {_vertices(sets['feasible'].vertices)}", WIDTH,
                           initial_indent="  ", subsequent_indent="    ")
    lines += textwrap.wrap(
        f"individually rational (above every minmax): {_vertices(sets['individually_rational'].vertices)}",
        WIDTH, initial_indent="  ", subsequent_indent="    ")
    eq = sets.get("equilibrium")
    if eq is None:
        lines += textwrap.wrap(f"({sets['equilibrium_note']})", WIDTH, initial_indent="  ", subsequent_indent="   ")
    elif eq.empty:
        lines.append(f"  subgame-perfect payoffs at delta = {format_number(eq.delta)}: none in pure strategies")
    else:
        worst = ", ".join(f"{p} {format_number(float(eq.punishment[i]))}" for i, p in enumerate(stage.players))
        bound = f", within {eq.error_bound:.1g}" if eq.error_bound is not None else ""
        lines += textwrap.wrap(
            f"subgame-perfect payoffs at delta = {format_number(eq.delta)} (pure strategies with public "
            f"randomisation; Judd-Yeltekin-Conklin outer approximation{bound}): {_vertices(eq.vertices)}; "
            f"worst equilibrium payoffs: {worst}",
            WIDTH, initial_indent="  ", subsequent_indent="    ")
    lines += textwrap.wrap(
        "Folk theorem: with patient enough players every feasible, individually rational payoff is an "
        "equilibrium payoff; `coop plot FILE --kind payoff-sets` draws these sets.", WIDTH)
    return lines


def _tournament_block(t: Any) -> list[str]:
    noise = f"noise {format_number(t.noise)}" if t.noise else "no noise"
    lines = [f"Round-robin tournament: {len(t.strategies)} strategies, {t.turns} turns, "
             f"{t.repetitions} repetitions, {noise} (seed {t.seed})"]
    header = ["rank", "strategy", "median score per turn", "mean"]
    if t.wins is not None:
        header.append("wins per round robin")
    rows = []
    median = np.median(t.normalised_scores, axis=0)
    for rank, k in enumerate(t.ranking, start=1):
        row = [str(rank), t.strategies[k], format_number(round(float(median[k]), 4)),
               format_number(round(float(t.scores[k]), 4))]
        if t.wins is not None:
            row.append(format_number(round(float(t.wins[:, k].mean()), 2)))
        rows.append(row)
    lines += ["  " + line for line in _table(rows, header)]
    lines.append("")
    lines += textwrap.wrap(
        "Each strategy meets every other (and a copy of itself) in matches of the stage game; its score "
        "is its payoff per turn against the others, as in Axelrod's tournaments, ranked by the "
        "median over the repetitions; the pairwise scores are in the JSON output.", WIDTH)
    return lines


def _population_state(model: Any, x: np.ndarray) -> str:
    blocks = model.split(np.asarray(x, dtype=float))
    parts = [format_strategy(acts, np.clip(b, 0.0, None)) for acts, b in zip(model.actions, blocks, strict=True)]
    if len(parts) == 1:
        return parts[0]
    return "; ".join(f"{name}: {part}" for name, part in zip(model.names, parts, strict=True))


def _eigen(values: np.ndarray) -> str:
    out = []
    for v in values:
        re, im = float(np.real(v)), float(np.imag(v))
        out.append(format_number(round(re, 4)) + (f" {'+' if im > 0 else '-'} {format_number(round(abs(im), 4))}i"
                                                  if abs(im) > 1e-9 else ""))
    return ", ".join(out) or "-"


def _evolution_block(evo: dict[str, Any]) -> list[str]:
    spec = evo["spec"]
    trajectories = evo["trajectories"]
    model = evo["model"]
    n = trajectories[0].model.names
    who = ("one population per player" if spec.populations == "per_player"
           else "one population playing the game against itself" if len(n) <= 1 or len(model.names) > 1
           else f"one population, in groups of {len(n)}")
    lines = [f"Evolutionary dynamics ({who})"]
    for t in trajectories:
        eta = f" (eta {format_number(t.parameters['eta'])})" if t.dynamic == "logit" else ""
        lines += textwrap.wrap(
            f"{t.dynamic}{eta} from {_population_state(model, t.states[0])}: at t = {format_number(float(t.times[-1]))}"
            f" the shares are {_population_state(model, t.states[-1])}", WIDTH, initial_indent="  ",
            subsequent_indent="    ")
    if "rest_points" in evo:
        rp = evo["rest_points"]
        lines.append("")
        lines.append(f"  Rest points of the {rp.dynamic} dynamic and their stability:")
        rows = [[_population_state(model, p.state), p.stability, _eigen(p.eigenvalues)] for p in rp.points]
        lines += ["    " + line for line in _table(rows, ["state", "stability", "eigenvalues (tangent space)"])]
    if "basins" in evo:
        b = evo["basins"]
        shares = "; ".join(f"{_population_state(model, a.state)}: {100 * float(f):.0f}%"
                           for a, f in zip(b.attractors, b.fractions, strict=True))
        if b.unconverged > 0:
            shares += f"; no convergence: {100 * b.unconverged:.0f}%"
        lines += textwrap.wrap(f"Basins of attraction ({b.dynamic}, {len(b.starts)} starts on a grid): {shares}",
                               WIDTH, initial_indent="  ", subsequent_indent="    ")
    if "small_mutation" in evo:
        f = spec.finite
        sml = evo["small_mutation"]
        fix = sml.fixation
        names = list(fix.strategies)
        group = evo["population_game"].group_size
        lines.append("")
        lines += textwrap.wrap(
            f"Finite population: Z = {f.size}, selection beta = {format_number(f.selection)}, {f.rule} rule, "
            f"{'pairwise games' if group == 2 else f'groups of {group}'}", WIDTH, initial_indent="  ",
            subsequent_indent="    ")
        lines.append(f"  Fixation probability of one mutant (row) in a population of the column "
                     f"(neutral: 1/Z = {format_number(round(1.0 / f.size, 6))}):")
        rows = [[names[a]] + ["-" if a == r else f"{float(fix.fixation[r, a]):.3g}" for r in range(len(names))]
                for a in range(len(names))]
        lines += ["    " + line for line in _table(rows, ["mutant \\ resident", *names])]
        lines.append("  Small-mutation limit, share of time in each monomorphic state:")
        for k, name in enumerate(names):
            share = float(sml.stationary[k])
            lines.append(f"    {name.ljust(max(len(n) for n in names))}  {share:6.3f}  {'#' * round(40 * share)}")
        if "gradient" in evo:
            from coop.report import gradient_roots

            bd = evo["gradient"]
            roots = gradient_roots(bd)
            desc = "; ".join(f"{'stable' if r['stable'] else 'unstable'} at {100 * r['share']:.0f}% {bd.invader}"
                             for r in roots) or f"none: selection pushes one way all along the {bd.invader}-" \
                                                 f"{bd.resident} edge"
            lines += textwrap.wrap(f"Gradient of selection (T+ - T-) on the {bd.invader}-{bd.resident} edge, "
                                   f"interior roots: {desc}", WIDTH, initial_indent="  ", subsequent_indent="    ")
        if "stationary" in evo:
            st = evo["stationary"]
            means = ", ".join(f"{n} {float(v):.3f}" for n, v in zip(names, st.mean_frequencies, strict=True))
            lines += textwrap.wrap(f"With mutation mu = {format_number(f.mutation)}: mean shares over the stationary "
                                   f"distribution: {means}", WIDTH, initial_indent="  ", subsequent_indent="    ")
    for note in evo["notes"]:
        lines += textwrap.wrap(f"Note: {note}", WIDTH, initial_indent="  ", subsequent_indent="    ")
    lines.append("")
    text = "Rest points are where the dynamic stops; a stable one attracts the states near it."
    if "small_mutation" in evo:
        text += (" In a finite population a mutant that fixes more often than 1/Z is favoured by selection; the "
                 "small-mutation limit says where the population spends its time when mutations are rare.")
    lines += textwrap.wrap(text, WIDTH)
    return lines


def _source_label(loaded: LoadedInput) -> str:
    from pathlib import Path

    import coop.scenarios

    path = Path(loaded.source)
    if loaded.scenario is not None and path.parent == Path(coop.scenarios.__file__).parent:
        return f"bundled scenario {loaded.scenario.name!r} ({path.name})"
    return loaded.source


def _crossing(c: dict[str, Any]) -> str:
    p = c["probability"]
    return c["name"] if p > 1 - 1e-9 else f"{c['name']} (p = {format_probability(p)})"


def _dominance_block(solution: GameSolution) -> list[str]:
    dom = solution.dominance
    lines = ["Iterated elimination of strictly dominated strategies"]
    if not dom.eliminations:
        lines.append("  No action is strictly dominated" + (" (by a pure or mixed strategy)." if dom.mixed else "."))
    for e in dom.eliminations:
        if e.by_mixed:
            by = ", ".join(f"{a} {format_probability(p)}" for a, p in e.dominated_by.items())
        else:
            by = next(iter(e.dominated_by))
        kind = "the mixed strategy " if e.by_mixed else ""
        lines.append(
            f"  round {e.round}: {e.player}'s {e.action} is strictly dominated by {kind}{by} "
            f"(worse by at least {format_number(e.margin)})"
        )
    if dom.eliminations:
        survivors = "; ".join(f"{p}: {', '.join(a)}" for p, a in dom.remaining_actions.items())
        lines.append(f"  surviving actions: {survivors}")
        if dom.solved:
            lines.append("  The game is dominance solvable: the survivors form its unique equilibrium.")
    lines.append("")
    return lines
