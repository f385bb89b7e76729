"""One equilibrium of a 4-player game with 6 actions each (issue 14 item 3).

coop's side is the public call ``coop.simplicial_subdivision(game)`` (simplicial subdivision, four runs from pure
profiles taking turns, the first from every player's first action; polished by Newton's method; the equilibrium
returned is verified). The references are pygambit 17's
``simpdiv_solve`` (simplicial subdivision in exact rational arithmetic, from the same pure start) and ``gnm_solve``
(the global Newton method of Govindan and Wilson, which follows one path and reports every equilibrium it passes).
The methods follow different paths, so the equilibria may differ. A row agrees when coop returns an equilibrium on
every game that passes the harness's regret rule (as well as coop's own check); whether the reference returned one
(by the same rule, at :data:`REFERENCE_REGRET`) is counted in the notes and in ``reference_verified`` /
``reference_games``: ``gnm_solve`` returns no equilibrium at all on some of these games (its path ends at
``end_lambda`` without one), which is the reference's miss, not a disagreement, and its time is the call's all the
same.

pygambit's ``simpdiv_solve`` takes 20 s to many minutes per game of this size (a C call that cannot be interrupted),
so it runs in a child process ended after :data:`SIMPDIV_LIMIT` seconds, once per game (its one call is the sample),
on fewer games than the others. A game it does not finish counts with the limit as its time, so the ratio is then a
lower bound (the notes say on how many games).
"""

from __future__ import annotations

import numpy as np
from harness import Config, Contest, Row, gambit_points, random_game, regret_ok, target_row, time_once

#: players and actions of the workload's games
PLAYERS = 4
ACTIONS = 6
#: seeds on which pygambit's simpdiv_solve runs (one in the quick mode), and the seconds it gets per game
SIMPDIV_SEEDS = 3
SIMPDIV_LIMIT = 120.0
#: a reference point counts as an equilibrium at this regret relative to the payoff spread (pygambit's simpdiv
#: stops at 1e-7 of the game's payoff range by default)
REFERENCE_REGRET = 1e-6


def _gambit_start(gg, actions: tuple[int, ...]) -> object:
    """pygambit's profile of every player's first action (coop's default start), in exact arithmetic."""
    import pygambit

    return gg.mixed_strategy_profile(data=[[pygambit.Rational(1 if k == 0 else 0) for k in range(a)]
                                           for a in actions], rational=True)


def _simpdiv_child(payoffs: np.ndarray, send) -> None:
    """In a child process: pygambit's simpdiv_solve from every player's first action; sends (seconds, point)."""
    import time

    import pygambit

    from coop.games import NormalFormGame

    gg = NormalFormGame.from_payoffs(payoffs).to_gambit()
    start = _gambit_start(gg, payoffs.shape[1:])
    t0 = time.perf_counter()
    eq = pygambit.nash.simpdiv_solve(start).equilibrium
    seconds = time.perf_counter() - t0
    send.send((seconds, None if eq is None else [float(p) for mixed in eq for _, p in mixed]))
    send.close()


def _timed_simpdiv(payoffs: np.ndarray, limit: float) -> tuple[float, np.ndarray | None, bool]:
    """pygambit's simpdiv_solve on the game in a child process: its seconds, its point, and whether it finished
    within ``limit`` seconds (if not: ``limit`` and no point)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_simpdiv_child, args=(payoffs, send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(limit):
            return limit, None, False
        seconds, point = receive.recv()
        return seconds, None if point is None else np.array(point), True
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        receive.close()


def bench_one_equilibrium(cfg: Config) -> list[Row]:
    """One equilibrium of random 4-player, 6-action games: coop vs pygambit's gnm_solve and simpdiv_solve."""
    import pygambit

    import coop

    shape = (ACTIONS,) * PLAYERS
    size = "x".join(map(str, shape))
    contest = Contest()
    simpdiv = Contest()
    agree = True
    notes: list[str] = []
    vertices: list[int] = []
    gnm_counts: list[int] = []
    verified = {"gnm": 0, "simpdiv": 0}
    unfinished = 0
    simpdiv_seeds = 1 if cfg.quick else SIMPDIV_SEEDS
    for seed in range(cfg.seeds):
        t_build, g = random_game(shape, seed)
        contest.note_build("coop", t_build)

        def call(g=g):
            return coop.simplicial_subdivision(g)

        t_first, res = time_once(call)
        contest.note_first("coop", t_first)
        if len(res.equilibria) != 1 or not regret_ok(g, np.concatenate(res.equilibria[0].strategies), 1e-9):
            agree = False
            notes.append(f"seed {seed}: coop returned no verified equilibrium ({'; '.join(res.notes)})")
        vertices.append(res.num_iter)
        t_b, gg = time_once(g.to_gambit)
        contest.note_build("pygambit", t_b)

        def gnm(gg=gg):
            return pygambit.nash.gnm_solve(gg)

        t_g, out = time_once(gnm)
        contest.note_first("pygambit_gnm", t_g)
        pts = gambit_points(out)
        gnm_counts.append(len(pts))
        verified["gnm"] += any(regret_ok(g, p, REFERENCE_REGRET) for p in pts)
        contest.add("coop", call, time_once(call)[0])
        contest.add("pygambit_gnm", gnm, time_once(gnm)[0])
        contest.run(cfg.repeats)
        if seed < simpdiv_seeds:
            t_s, point, finished = _timed_simpdiv(g.payoffs, SIMPDIV_LIMIT)
            simpdiv.note_first("pygambit_simpdiv", t_s)
            unfinished += not finished
            verified["simpdiv"] += point is not None and regret_ok(g, point, REFERENCE_REGRET)
            simpdiv.add("coop", call, time_once(call)[0])
            simpdiv.run(cfg.repeats)
            simpdiv.per_seed.setdefault("pygambit_simpdiv", []).append(t_s)  # one sample: its one call
    common = (f"coop: coop.simplicial_subdivision (four runs from pure starts taking turns, the first from "
              f"simpdiv_solve's start), a verified equilibrium on "
              f"{'every' if agree else 'NOT every'} game, median {int(np.median(vertices)):,} vertices labelled "
              f"(max {max(vertices):,}); the equilibria may differ from the reference's (different paths)")
    gnm_note = (f"gnm_solve returned a verified equilibrium on {verified['gnm']} of {cfg.seeds} games (none at all "
                f"on the others; it reports every equilibrium on its path, median {int(np.median(gnm_counts))} "
                "per game)")
    simpdiv_note = (f"simpdiv_solve (exact rationals, same start) on {simpdiv_seeds} game(s), one call each in a "
                    f"child process, a verified equilibrium on {verified['simpdiv']}"
                    + (f"; {unfinished} not finished within {SIMPDIV_LIMIT:g} s, counted at {SIMPDIV_LIMIT:g} s "
                       "(the ratio is a lower bound)" if unfinished else ""))
    rows = [target_row("one_equilibrium_n_player", size, "pygambit gnm_solve", contest, "coop", "pygambit_gnm",
                       agree, 10, "; ".join([*notes, common, gnm_note])),
            target_row("one_equilibrium_n_player", size, "pygambit simpdiv_solve", simpdiv, "coop",
                       "pygambit_simpdiv", agree, 10, "; ".join([*notes, common, simpdiv_note]))]
    rows[0].extra.update(reference_verified=verified["gnm"], reference_games=cfg.seeds)
    rows[1].extra.update(reference_verified=verified["simpdiv"], reference_games=simpdiv_seeds,
                         reference_unfinished=unfinished)
    for row in rows:
        row.extra["coop_vertices_median"] = int(np.median(vertices))
    return rows
