"""Benchmark workload: the end of the principal logit QRE branch against pygambit's ``logit_solve``.

coop's public call :func:`coop.logit_nash` (the branch traced from lambda = 0, the end point solved on its support
and verified, a ``NashResult`` built) is timed against ``pygambit.nash.logit_solve(game)`` (Gambit 17's tracer
with its defaults: it stops once its point's regret is below 1e-8 of the payoff range) on the same random games
(standard normal payoffs, fixed seeds).

Agreement is checked before timing: both end points must be the same equilibrium within ``END_TOL`` in every
probability (Gambit's point may keep a probability of about 1e-8 / g on an action whose payoff falls short of the
best by g; coop's is the limit itself, verified by coop's regret rule), and coop's must be verified (relative regret
at most 1e-9).
"""

from __future__ import annotations

import numpy as np
from harness import Config, Contest, Row, random_game, target_row, time_once

#: Largest difference in a probability between the two end points.
END_TOL = 1e-4
#: The issue's target: pygambit's time over coop's.
TARGET = 20


def bench_logit(cfg: Config) -> list[Row]:
    import pygambit

    from coop.solvers.nash.quantal_response import logit_nash

    shapes = [(5, 5), (3, 3, 3)] if cfg.quick else [(3, 3), (5, 5), (10, 10), (20, 20), (3, 3, 3), (4, 4, 4)]
    rows = []
    for shape in shapes:
        contest = Contest()
        agree = True
        notes: list[str] = []
        for seed in range(cfg.seeds):
            t_build, g = random_game(shape, seed)
            contest.note_build("coop", t_build)
            t_first, res = time_once(lambda g=g: logit_nash(g))
            contest.note_first("coop", t_first)
            t_b, gg = time_once(g.to_gambit)
            contest.note_build("pygambit", t_b)

            def fn(gg=gg):
                return pygambit.nash.logit_solve(gg)

            t_g, out = time_once(fn)
            contest.note_first("pygambit", t_g)
            if not res.equilibria or res.relative_regret > 1e-9:
                agree = False
                notes.append(f"seed {seed}: coop's end point is missing or unverified")
            elif out.equilibrium is None:
                agree = False
                notes.append(f"seed {seed}: pygambit logit_solve returned no point ({out.reason})")
            else:
                theirs = np.array([float(p) for mixed in out.equilibrium for _, p in mixed])
                gap = float(np.abs(np.concatenate(res.equilibria[0].strategies) - theirs).max())
                if gap > END_TOL:
                    agree = False
                    notes.append(f"seed {seed}: the end points differ by {gap:.2g}")
            contest.add("coop", lambda g=g: logit_nash(g), time_once(lambda g=g: logit_nash(g))[0])
            contest.add("pygambit", fn, t_g)
            contest.run(cfg.repeats)
        notes.append(f"same end point within {END_TOL:g} on every seed" if agree else "end points differ")
        rows.append(target_row("logit_qre", "x".join(map(str, shape)), "pygambit logit_solve", contest, "coop",
                               "pygambit", agree, TARGET, "; ".join(notes)))
    return rows
