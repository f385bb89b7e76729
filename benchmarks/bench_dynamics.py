"""Benchmark workload: replicator dynamics to t = 100 against nashpy's ``replicator_dynamics``.

The issue's workload: random 3x3 and 10x10 symmetric games (standard normal payoffs, one population), a
uniform-Dirichlet starting state, outputs at ``t = 0, 0.1, ..., 100`` (1001 points). nashpy integrates with
``scipy.integrate.odeint`` (LSODA at its default tolerances, about 1.5e-8) at those time points;
coop's :func:`coop.solvers.evolution.dynamics.integrate` runs Dormand-Prince 5(4) at ``rtol=1e-8, atol=1e-12``
with dense output at the same points. Agreement is checked first, against nashpy and against an accurate solution (scipy
``solve_ivp(method="DOP853", rtol=1e-13, atol=1e-16)``, untimed): over all output times coop must be within
``ACCURATE_TOL`` of the accurate solution, and within ``AGREE_TOL`` of nashpy unless nashpy itself is further
than ``AGREE_TOL`` from the accurate solution (then the seed's note says so). Trajectories that pass close to a
face (components near 1e-20 that grow back) are ill-conditioned: nashpy's odeint ends at another vertex on one
of the 10x10 seeds. The differences at t = 100 are reported too. The target is >= 20x.

A second, informative row times ``coop.basins`` (many starts, parallel kernel) single-threaded and with all
threads.
"""

from __future__ import annotations

import numpy as np
from harness import Config, Contest, Row, target_row, time_once

#: coop and nashpy trajectories must agree to this at every output time (max abs difference of frequencies)
AGREE_TOL = 1e-4
#: coop must be this close to the accurate DOP853 solution at every output time
ACCURATE_TOL = 1e-5
T_END = 100.0
N_POINTS = 1001


def bench_replicator(cfg: Config) -> list[Row]:
    import nashpy

    from coop.solvers.evolution.dynamics import integrate

    sizes = (3,) if cfg.quick else (3, 10)
    seeds = 1 if cfg.quick else cfg.seeds
    repeats = min(cfg.repeats, 2) if cfg.quick else cfg.repeats
    times = np.linspace(0.0, T_END, N_POINTS)
    rows = []
    for k in sizes:
        contest = Contest()
        agree = True
        worst = worst_final = worst_err = worst_ref_err = 0.0
        notes = []
        for seed in range(seeds):
            rng = np.random.default_rng(1000 + 17 * k + seed)
            A = rng.standard_normal((k, k))
            x0 = rng.dirichlet(np.ones(k))
            game = nashpy.Game(A)

            def coop_fn(A=A, x0=x0):
                return integrate(A, x0, times, rtol=1e-8, atol=1e-12)

            def ref_fn(game=game, x0=x0):
                return game.replicator_dynamics(y0=x0, timepoints=times)

            t_first, mine = time_once(coop_fn)
            contest.note_first("coop", t_first)
            t_ref, theirs = time_once(ref_fn)
            contest.note_first("nashpy", t_ref)
            accurate = _accurate(A, x0, times)
            diff = float(np.max(np.abs(mine.states - theirs))) if mine.success else float("inf")
            diff_final = float(np.max(np.abs(mine.states[-1] - theirs[-1]))) if mine.success else float("inf")
            err = float(np.max(np.abs(mine.states - accurate))) if mine.success else float("inf")
            ref_err = float(np.max(np.abs(theirs - accurate)))
            worst, worst_final = max(worst, diff), max(worst_final, diff_final)
            worst_err, worst_ref_err = max(worst_err, err), max(worst_ref_err, ref_err)
            if err > ACCURATE_TOL or (diff > AGREE_TOL and ref_err <= AGREE_TOL):
                agree = False
                notes.append(f"seed {seed}: coop - nashpy {diff:.2g} (bound {AGREE_TOL:g}), coop - DOP853 {err:.2g} "
                             f"(bound {ACCURATE_TOL:g})")
            elif diff > AGREE_TOL:
                notes.append(f"seed {seed}: nashpy is {ref_err:.2g} off the accurate solution (coop {err:.2g})")
            contest.add("coop", coop_fn, time_once(coop_fn)[0])
            contest.add("nashpy", ref_fn, t_ref)
            contest.run(repeats)
        notes.append(f"max |coop - nashpy| over {N_POINTS} output times {worst:.2g}, at t = 100 {worst_final:.2g} "
                     f"(bound {AGREE_TOL:g}); error vs DOP853 rtol 1e-13: coop {worst_err:.2g}, nashpy "
                     f"{worst_ref_err:.2g}; coop rtol 1e-8 atol 1e-12, nashpy odeint defaults")
        row = target_row("replicator", f"{k}x{k}, t = 100, {N_POINTS} points", "nashpy replicator_dynamics",
                         contest, "coop", "nashpy", agree, 20, "; ".join(notes))
        row.extra.update({"max_abs_difference": worst, "max_abs_difference_final": worst_final,
                          "coop_error": worst_err, "nashpy_error": worst_ref_err})
        rows.append(row)
    rows.append(_basins_row(cfg))
    return rows


def _accurate(A: np.ndarray, x0: np.ndarray, times: np.ndarray) -> np.ndarray:
    from scipy.integrate import solve_ivp

    def rhs(_t: float, x: np.ndarray) -> np.ndarray:
        f = A @ x
        return x * (f - x @ f)

    sol = solve_ivp(rhs, (times[0], times[-1]), x0, method="DOP853", t_eval=times, rtol=1e-13, atol=1e-16)
    return sol.y.T


def _basins_row(cfg: Config) -> Row:
    """``coop.basins`` (every start integrated in one parallel Numba call per piece): one thread vs all threads.

    No reference library has basins of attraction; the row compares coop with itself.
    """
    import numba

    import coop

    rng = np.random.default_rng(7)
    A = rng.standard_normal((3, 3))
    resolution = 20 if cfg.quick else 60

    def call():
        return coop.basins(A, resolution=resolution, t_end=T_END)

    call()  # compile or load from cache
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single, b1 = time_once(call)
    finally:
        numba.set_num_threads(threads)
    multi, b2 = time_once(call)
    same = bool(np.array_equal(b1.labels, b2.labels) and np.array_equal(b1.finals, b2.finals))
    starts = len(b1.starts)
    return Row("replicator_basins", f"3x3, {starts} starts to t = 100", "coop, 1 thread", multi, single,
               single / multi if multi > 0 else None, same,
               notes=f"coop.basins(resolution={resolution}), {threads} threads vs 1 (same end states and labels: "
               f"{same}); {single / starts * 1e6:.0f} us per start single-threaded",
               extra={"threads": threads, "starts": starts})
