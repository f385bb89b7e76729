"""Benchmark workload: the subgame-perfect equilibrium payoff set of a 2-player repeated game.

coop's :func:`~coop.solvers.repeated.payoff_sets.equilibrium_payoff_set` (outer and inner approximations of
Judd, Yeltekin and Conklin 2003, 256 directions, with the inner polygon's self-generation check)
against QuantEcon's ``RepeatedGame.equilibrium_payoffs`` (Abreu and Sannikov 2014). Agreement is
checked before timing: QuantEcon's vertices lie in coop's outer polygon, coop's inner polygon lies in
QuantEcon's set, and their Hausdorff distance is within coop's ``error_bound`` (all up to ``1e-7``
times the payoff spread, QuantEcon's own convergence error).

``run.py`` imports this module after putting ``benchmarks/`` on ``sys.path``.
"""

from __future__ import annotations

import numpy as np
from harness import Config, Contest, Row, target_row, time_once

#: QuantEcon's sets are converged to about this, relative to the payoff spread
QE_TOL = 1e-7


def _cases(cfg: Config) -> list[tuple[str, str, float, float | None]]:
    """(size label, game kind, delta, target ratio)."""
    cases = [("prisoner's dilemma, delta=0.9", "pd", 0.9, 3.0)]
    if not cfg.quick:
        cases += [("prisoner's dilemma, delta=0.6", "pd", 0.6, None),
                  ("stag hunt, delta=0.9", "stag_hunt", 0.9, None),
                  ("random 3x3 integer, delta=0.8", "random3x3", 0.8, None)]
    return cases


def _game(kind: str, seed: int):
    from coop.games import NormalFormGame

    if kind == "pd":
        A = np.array([[3.0, 0.0], [5.0, 1.0]])
        return NormalFormGame.from_bimatrix(A, A.T)
    if kind == "stag_hunt":
        return NormalFormGame.symmetric(np.array([[4.0, 0.0], [3.0, 2.0]]))
    # seeds whose set is two-dimensional (QuantEcon's qhull call fails on points and segments)
    good = (0, 1, 2, 3, 5, 6, 7)
    rng = np.random.default_rng(good[seed % len(good)])
    return NormalFormGame.from_payoffs(rng.integers(0, 10, (2, 3, 3)).astype(float))


def _agree(res, hull, scale: float) -> tuple[bool, str]:
    from coop.solvers.repeated.payoff_sets import hausdorff_distance, points_polygon_distance

    theirs = hull.points[hull.vertices]
    if res.empty or res.error_bound is None:
        return False, "coop returned an empty set or no error bound"
    out = points_polygon_distance(theirs, res.vertices).max()
    inn = points_polygon_distance(res.inner_vertices, theirs).max()
    d = hausdorff_distance(res.vertices, theirs)
    ok = out <= QE_TOL * scale and inn <= QE_TOL * scale and d <= res.error_bound + QE_TOL * scale
    return bool(ok), f"Hausdorff(coop outer, quantecon) {d:.2g}, coop error bound {res.error_bound:.2g}"


def bench_repeated_game_payoffs(cfg: Config) -> list[Row]:
    import quantecon.game_theory as qe

    from coop.solvers.repeated.payoff_sets import equilibrium_payoff_set

    rows = []
    for size, kind, delta, target in _cases(cfg):
        contest = Contest()
        agree = True
        notes: list[str] = []
        seeds = cfg.seeds if kind.startswith("random") else 1
        for seed in range(seeds):
            t_build, g = time_once(lambda kind=kind, seed=seed: _game(kind, seed))
            contest.note_build("coop", t_build)
            t_b, rq = time_once(lambda g=g, delta=delta: qe.RepeatedGame(g.to_quantecon(), delta))
            contest.note_build("quantecon", t_b)

            def mine(g=g, delta=delta):
                return equilibrium_payoff_set(g, delta)

            def theirs(rq=rq):
                return rq.equilibrium_payoffs()

            t_first, res = time_once(mine)
            contest.note_first("coop", t_first)
            t_qf, hull = time_once(theirs)
            contest.note_first("quantecon", t_qf)
            ok, note = _agree(res, hull, g.payoff_scale)
            agree &= ok
            if not ok or seed == 0:
                notes.append(f"seed {seed}: {note}" if seeds > 1 else note)
            if not res.converged:
                agree = False
                notes.append(f"seed {seed}: coop did not converge")
            contest.add("coop", mine, time_once(mine)[0])
            contest.add("quantecon", theirs, time_once(theirs)[0])
            contest.run(cfg.repeats if seeds > 1 else max(cfg.repeats, 3))
        notes.append("coop: 256 directions, outer + inner approximation and self-generation check")
        rows.append(target_row("repeated_game_payoffs", size, "quantecon RepeatedGame.equilibrium_payoffs", contest,
                               "coop", "quantecon", agree, target, "; ".join(notes)))
    return rows
