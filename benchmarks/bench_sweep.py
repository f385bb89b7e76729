"""Benchmark workload: sweeps, as points per second of the public call, against a loop over the references.

coop's side is always the call a user makes, ``coop.sweep(scenario, ["param=START:STOP:NUM", ...],
sections=[...], workers=..., progress=False)``: the scenario read, the payoffs of every point built, solved,
the table assembled; best of ``repeats`` whole calls after one small call that loads and compiles. The
reference side loops over the same points with each point's stage game already built
(``coop.scenarios.evaluation.batched_stage_payoffs``, equal to the loader's payoffs; not timed):

- ai-arms-race, ``sections=["stage"]`` (2x2, all equilibria): nashpy's ``support_enumeration``, every point;
- export-controls, ``sections=["stage"]`` (2x2x2, all equilibria): pygambit's ``enumpoly_solve`` on a
  subsample, its time scaled to the whole sweep;
- ai-development-race, ``sections=["finite_population"]``: EGTtools' ``PairwiseComparison`` fixation matrix
  (``calculate_transition_and_fixation_matrix_sml``) and its stationary distribution
  (``egttools.utils.calculate_stationary_distribution``), on a subsample, scaled;
- ai-arms-race, ``sections=["stage", "repeated"]``: no reference library computes critical discount
  factors of automata profiles, so the row is points per second; its table is checked against coop's own
  per-point answer (``coop.analyse``).

Before anything is timed the answers are compared on every point of a subsample of ``SUBSAMPLE`` points:
the table's parameters are the grid's; the number of equilibria and the equilibria themselves (each profile
within 1e-6, as a set) of ``coop.solve_game`` on the loaded point against the reference's, and the table's
``stage.equilibria``, ``stage.best_payoff.*`` and ``stage.worst_payoff.*`` against both; a point the
reference answers differently is skipped (and counted) only where coop calls the game degenerate (nashpy's
support enumeration and pygambit's enumpoly are not complete there), any other difference fails the row.
Fixation probabilities agree to 1e-9 relative (where EGTtools cuts a probability below 1e-7 to 0, coop's
must be below that cut) and the small-mutation shares to 1e-8 relative, against EGTtools' stationary
distribution of its own chain, or, where it cut a probability, of the chain of coop's verified
probabilities (the convention of ``bench_fixation``).

Scaling: the stage + repeated sweep on 2 local workers against 1, and on a ``distributed.LocalCluster`` of
2 worker processes against the local pool of 2. The public call starts its process pool on every call
(about 2 s on 2 cores), longer than the whole 10^4-point sweep takes on one worker, so the rows compare
*steady* rates: each executor runs the sweep at two sizes and the rate is the extra points over the extra
seconds; the start-up (each call's intercept, and the cluster's own start once) is reported beside it,
with the whole-call times. A third row compares 2 workers with 1 on heavy points (every section, payoff
sets included), whole calls, pool start-up included.

Memory: a 10^6-point 2x2 sweep (ai-arms-race, stage) written to a ``store=`` folder and then to Parquet
with ``coop.sweeps.output.write_store``, in a fresh process; the peak resident set of that process is
``ru_maxrss`` of ``RUSAGE_CHILDREN`` in a small parent that runs only it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from bench_finite_population import EGT_CUTOFF, FIX_RTOL, _egt_stationary, _fixation_agree
from harness import PROB_TOL, Config, Row, ratio, same_set

#: Points of each sweep whose answers are compared with the reference (and on which slow references are timed).
SUBSAMPLE = 200
#: Small-mutation shares agree to this, relative (absolute below ``SHARE_ATOL``).
SHARE_RTOL = 1e-8
SHARE_ATOL = 1e-14
#: Critical discount factors of the sweep table against coop.analyse at the same point.
DELTA_TOL = 1e-9

ARMS_RACE = {"relative_gains": (0.0, 1.5), "safe_value": (2.0, 6.0)}
EXPORT_CONTROLS = {"leakage": (0.0, 1.0), "alliance_value": (0.0, 5.0)}
DEVELOPMENT_RACE = {"disaster_risk": (0.0, 1.0), "speed": (1.0, 5.0)}


# ----------------------------------------------------------------------------- sweeps and points
def _points(ranges: dict[str, tuple[float, float]], side: int) -> dict[str, np.ndarray]:
    """The grid of ``side`` values per parameter, in the sweep's order (the first parameter slowest)."""
    axes = [np.linspace(lo, hi, side) for lo, hi in ranges.values()]
    mesh = np.meshgrid(*axes, indexing="ij")
    return {name: m.reshape(-1) for name, m in zip(ranges, mesh, strict=True)}


def _spec(ranges: dict[str, tuple[float, float]], side: int) -> list[str]:
    return [f"{name}={lo}:{hi}:{side}" for name, (lo, hi) in ranges.items()]


def _call(name: str, ranges: dict[str, tuple[float, float]], side: int, sections: Sequence[str],
          **kwargs: Any) -> tuple[float, Any]:
    """Seconds for one whole ``coop.sweep`` call (on 1 worker unless told otherwise), and its table."""
    import coop

    if "scheduler" not in kwargs:
        kwargs.setdefault("workers", 1)
    t0 = time.perf_counter()
    table = coop.sweep(name, _spec(ranges, side), sections=list(sections), progress=False, **kwargs)
    return time.perf_counter() - t0, table


def _time_sweep(name: str, ranges: dict[str, tuple[float, float]], side: int, sections: Sequence[str],
                repeats: int, **kwargs: Any) -> tuple[float, Any, float]:
    """Best of ``repeats`` whole calls after one untimed call of the same sweep (scenario read and cached, Numba
    caches loaded or compiled: that first call's seconds are returned third)."""
    first, _ = _call(name, ranges, side, sections, **kwargs)
    best, table = float("inf"), None
    for _ in range(repeats):
        seconds, table = _call(name, ranges, side, sections, **kwargs)
        best = min(best, seconds)
    return best, table, first


def _point(points: dict[str, np.ndarray], p: int) -> dict[str, float]:
    return {k: float(v[p]) for k, v in points.items()}


def _same_grid(table: Any, points: dict[str, np.ndarray]) -> bool:
    return len(table) == len(next(iter(points.values()))) and all(
        np.allclose(table[k].to_numpy(dtype=float), v, rtol=0, atol=1e-12) for k, v in points.items())


def _sample(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.sort(rng.choice(n, size=min(SUBSAMPLE, n), replace=False))


def _busy_cores(seconds: float = 1.0) -> float | None:
    """Cores busy on this machine over ``seconds`` (from /proc/stat), measured while this process sleeps."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]) - idle, sum(fields[:8])

    try:
        import os

        b0, t0 = sample()
        time.sleep(seconds)
        b1, t1 = sample()
        return (b1 - b0) / max(1, t1 - t0) * (os.cpu_count() or 1)
    except (OSError, ValueError, IndexError):
        return None


# ----------------------------------------------------------------------------- stage games
def _stage_check(name: str, table: Any, payoffs: np.ndarray, points: dict[str, np.ndarray], idx: np.ndarray,
                 reference: Callable[[np.ndarray], tuple[list[np.ndarray], list[np.ndarray]]],
                 players: Sequence[str]) -> tuple[bool, int, list[str]]:
    """Compare the sampled points with ``reference(u) -> (profiles, payoff vectors)``.

    Returns (agree, points skipped as degenerate, problems).
    """
    import coop

    agree, skipped, problems = _same_grid(table, points), 0, []
    if not agree:
        problems.append("the table's parameter values are not the grid's")
    for p in idx:
        row = table.iloc[int(p)]
        solution = coop.solve_game(coop.load(name, _point(points, int(p))).game)
        ours = [np.concatenate(eq.strategies) for eq in solution.equilibria]
        our_pay = np.array([eq.payoffs for eq in solution.equilibria]).reshape(len(ours), len(players))
        # the sweep's (batched) table says what the point-by-point solve says
        consistent = int(row["stage.equilibria"]) == len(ours) and all(
            abs(our_pay[:, i].max() - row[f"stage.best_payoff.{pl}"]) <= PROB_TOL
            and abs(our_pay[:, i].min() - row[f"stage.worst_payoff.{pl}"]) <= PROB_TOL
            for i, pl in enumerate(players)) if ours else int(row["stage.equilibria"]) == 0
        if not consistent:
            agree = False
            problems.append(f"point {p}: the sweep table differs from coop.solve_game")
            continue
        profiles, pays = reference(payoffs[p])
        ref_pay = np.array(pays).reshape(len(pays), len(players))
        same = same_set(ours, profiles, PROB_TOL) and all(
            abs(ref_pay[:, i].max() - our_pay[:, i].max()) <= PROB_TOL
            and abs(ref_pay[:, i].min() - our_pay[:, i].min()) <= PROB_TOL for i in range(len(players)))
        if same:
            continue
        if solution.degenerate and bool(row["stage.degenerate"]):
            skipped += 1
            continue
        agree = False
        problems.append(f"point {p} ({_point(points, int(p))}): {len(ours)} equilibria, the reference {len(profiles)}")
    return agree, skipped, problems


def _nashpy(u: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    import nashpy

    game = nashpy.Game(u[0], u[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nashpy warns on degenerate games
        eqs = list(game.support_enumeration())
    return [np.concatenate(eq) for eq in eqs], [np.asarray(game[eq[0], eq[1]], dtype=float) for eq in eqs]


def _nashpy_loop(payoffs: np.ndarray, idx: Sequence[int]) -> float:
    import nashpy

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in idx:
            list(nashpy.Game(payoffs[p, 0], payoffs[p, 1]).support_enumeration())
    return time.perf_counter() - t0


def _gambit(u: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    import pygambit
    from harness import gambit_points

    game = pygambit.StrategicGame.from_arrays(*[u[i] for i in range(u.shape[0])])
    result = pygambit.nash.enumpoly_solve(game)
    return gambit_points(result), [np.array([float(v) for _, v in eq.payoffs]) for eq in result.equilibria]


def _gambit_loop(payoffs: np.ndarray, idx: Sequence[int]) -> float:
    import pygambit

    t0 = time.perf_counter()
    for p in idx:
        u = payoffs[p]
        pygambit.nash.enumpoly_solve(pygambit.StrategicGame.from_arrays(*[u[i] for i in range(u.shape[0])]))
    return time.perf_counter() - t0


def _stage_row(cfg: Config, name: str, ranges: dict[str, tuple[float, float]], side: int, players: Sequence[str],
               shape: str, reference: str, check: Callable[..., Any],
               loop: Callable[[np.ndarray, Sequence[int]], float],
               timed: int | None, target: float, rng: np.random.Generator, repeats: int) -> Row:
    """One stage-game row: the sweep against a loop of ``reference`` over every point (``timed`` None) or over
    ``timed`` sampled points, scaled."""
    from coop.scenarios import load
    from coop.scenarios.evaluation import batched_stage_payoffs

    points = _points(ranges, side)
    payoffs = batched_stage_payoffs(load(name), points)
    coop_s, table, first = _time_sweep(name, ranges, side, ["stage"], repeats)
    n = len(table)
    idx = _sample(rng, n)
    agree, skipped, problems = _stage_check(name, table, payoffs, points, idx, check, players)
    if timed is None:
        ref_s, how = loop(payoffs, range(n)), "every point"
    else:
        sub = idx if timed >= len(idx) else np.sort(rng.choice(n, size=min(timed, n), replace=False))
        ref_s, how = loop(payoffs, sub) * n / len(sub), f"timed on {len(sub)} points and scaled to {n:,}"
    r = ratio(ref_s, coop_s)
    notes = [f"coop.sweep, 1 worker: {n / coop_s:,.0f} points/s (best of {repeats}); reference {how} "
             f"({n / ref_s:,.0f} points/s), stage games prebuilt (not timed)",
             f"checked {len(idx)} points: count and equilibria within {PROB_TOL:g}, best/worst payoffs; {skipped} "
             "skipped where the reference answers a game coop calls degenerate differently"]
    notes += problems[:3]
    return Row("sweep", f"{name}, {n:,} points, stage ({shape} all equilibria)", f"{reference} loop", coop_s, ref_s, r,
               agree, target=f">= {target:g}x", meets_target=None if r is None else bool(r >= target),
               notes="; ".join(notes),
               extra={"points": n, "coop_points_per_second": n / coop_s, "coop_first_call_seconds": first,
                      "reference_points_per_second": n / ref_s,
                      "checked_points": len(idx), "skipped_degenerate": skipped,
                      "reference_timed_points": n if timed is None else min(timed, n)})


# ----------------------------------------------------------------------------- finite populations
def _egttools(u: np.ndarray, size: int, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """EGTtools' fixation matrix ``F[resident, mutant]`` and the stationary distribution of its chain."""
    import egttools as egt

    game = egt.games.Matrix2PlayerGameHolder(u.shape[1], np.ascontiguousarray(u[0]))
    model = egt.analytical.PairwiseComparison(size, game)  # keeps a raw pointer: game stays alive here
    T, F = model.calculate_transition_and_fixation_matrix_sml(beta)
    return np.asarray(F), _egt_stationary(np.asarray(T))


def _population_row(cfg: Config, side: int, rng: np.random.Generator, repeats: int) -> Row:
    from coop.scenarios import load
    from coop.scenarios.evaluation import batched_stage_payoffs

    name = "ai-development-race"
    points = _points(DEVELOPMENT_RACE, side)
    scenario = load(name)
    payoffs = batched_stage_payoffs(scenario, points)
    finite = scenario.evolution.finite
    labels = tuple(scenario.game.actions[0])
    coop_s, table, first = _time_sweep(name, DEVELOPMENT_RACE, side, ["finite_population"], repeats)
    n = len(table)
    idx = _sample(rng, n)
    agree, cuts, worst_fix, worst_share, problems = _same_grid(table, points), 0, 0.0, 0.0, []
    for p in idx:
        F, pi = _egttools(payoffs[p], finite.size, finite.selection)
        row = table.iloc[int(p)]
        m = len(labels)
        fix = np.zeros((m, m))
        for r_, resident in enumerate(labels):
            for c_, mutant in enumerate(labels):
                if r_ != c_:
                    fix[r_, c_] = row[f"finite_population.fixation_vs_neutral.{mutant}_in_{resident}"] / finite.size
        ours = np.array([row[f"finite_population.small_mutation.{s}"] for s in labels], dtype=float)
        ok, cut = _fixation_agree(fix, F)
        cuts += cut
        if cut:  # EGTtools' chain is not the exact one: its solver on the chain of coop's (verified) probabilities
            T = fix / (m - 1)
            T[np.diag_indices(m)] = 1.0 - T.sum(axis=1)
            pi = _egt_stationary(T)
        keep = ~np.eye(m, dtype=bool) & (F > 0)
        if keep.any():
            worst_fix = max(worst_fix, float(np.max(np.abs(fix[keep] - F[keep]) / np.abs(F[keep]))))
        worst_share = max(worst_share, float(np.max(np.abs(ours - pi) / (SHARE_ATOL + SHARE_RTOL * np.abs(pi)))))
        if not ok or not np.allclose(ours, pi, rtol=SHARE_RTOL, atol=SHARE_ATOL):
            agree = False
            problems.append(f"point {p} ({_point(points, int(p))}): fixation or shares differ from EGTtools")
    timed = idx if cfg.quick else np.sort(rng.choice(n, size=min(1000, n), replace=False))
    t0 = time.perf_counter()
    for p in timed:
        _egttools(payoffs[p], finite.size, finite.selection)
    ref_s = (time.perf_counter() - t0) * n / len(timed)
    r = ratio(ref_s, coop_s)
    notes = [f"coop.sweep, 1 worker: {n / coop_s:,.0f} points/s (best of {repeats}; the section also computes the "
             f"gradient of selection and the stationary distribution with mutation); EGTtools (fixation matrix + "
             f"calculate_stationary_distribution) timed on {len(timed)} points and scaled to {n:,}, games prebuilt",
             f"checked {len(idx)} points: fixation to rel {FIX_RTOL:g} (largest {worst_fix:.1g}; at {cuts} points "
             f"EGTtools cuts a probability below {EGT_CUTOFF:g} to 0 and coop's is below the cut, the shares there "
             f"compared with EGTtools' solver on coop's chain), small-mutation shares to rel {SHARE_RTOL:g} or abs "
             f"{SHARE_ATOL:g} (largest difference {worst_share:.2g} of that bound)"]
    notes += problems[:3]
    return Row("sweep", f"{name}, {n:,} points, fixation + small-mutation limit (Z = {finite.size})",
               "egttools PairwiseComparison loop", coop_s, ref_s, r, agree, target=">= 20x",
               meets_target=None if r is None else bool(r >= 20), notes="; ".join(notes),
               extra={"points": n, "coop_points_per_second": n / coop_s, "coop_first_call_seconds": first,
                      "reference_points_per_second": n / ref_s,
                      "checked_points": len(idx), "egttools_cut_points": cuts, "reference_timed_points": len(timed),
                      "max_fixation_rel_difference": worst_fix, "max_share_difference_over_bound": worst_share})


# ----------------------------------------------------------------------------- stage + repeated
def _repeated_check(table: Any, points: dict[str, np.ndarray], idx: Sequence[int]) -> tuple[bool, list[str]]:
    """The sweep's stage and repeated columns against ``coop.analyse`` at the same points."""
    import pandas as pd

    import coop

    agree, problems = _same_grid(table, points), []
    for p in idx:
        report = coop.analyse("ai-arms-race", **_point(points, int(p)))
        row = table.iloc[int(p)]
        expected = {f"{s}.{k}": v for s in ("stage", "repeated") for k, v in report.sections[s].metrics().items()}
        for key, value in expected.items():
            got = row[key] if key in row.index else "(missing)"
            if value is None or (isinstance(value, float) and np.isnan(value)):
                ok = bool(pd.isna(got))
            elif isinstance(value, bool) or isinstance(value, str):
                ok = got == value
            else:
                ok = not pd.isna(got) and abs(float(got) - float(value)) <= DELTA_TOL * max(1.0, abs(float(value)))
            if not ok:
                agree = False
                problems.append(f"point {p}: {key} = {got!r} in the sweep, {value!r} from coop.analyse")
                break
    return agree, problems


def _scaling(name: str, ranges: dict[str, tuple[float, float]], sides: tuple[int, int], sections: Sequence[str],
             repeats: int, **kwargs: Any) -> dict[str, Any]:
    """Whole calls at two sizes: the steady rate (extra points / extra seconds), the intercept, the tables."""
    small, big = sides
    _call(name, ranges, small, sections, **kwargs)  # untimed: caches loaded (and the pool's fork server started)
    t_small = min(_call(name, ranges, small, sections, **kwargs)[0] for _ in range(repeats))
    t_big, table = float("inf"), None
    for _ in range(repeats):
        seconds, table = _call(name, ranges, big, sections, **kwargs)
        t_big = min(t_big, seconds)
    extra_points = big * big - small * small
    steady = max(t_big - t_small, 1e-9)
    rate = extra_points / steady
    return {"small": small * small, "big": big * big, "t_small": t_small, "t_big": t_big, "steady": steady,
            "rate": rate, "startup": t_small - small * small / rate, "table": table}


def _scaling_rows(cfg: Config, repeats: int) -> list[Row]:
    from distributed import LocalCluster

    sections = ["stage", "repeated"]
    sides = (50, 100) if cfg.quick else (100, 316)
    busy_before = _busy_cores()
    one = _scaling("ai-arms-race", ARMS_RACE, sides, sections, repeats, workers=1)
    two = _scaling("ai-arms-race", ARMS_RACE, sides, sections, repeats, workers=2)
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        cluster_start = time.perf_counter() - t0
        t0 = time.perf_counter()
        _call("ai-arms-race", ARMS_RACE, 3, sections, scheduler=cluster.scheduler_address)  # workers import coop
        first_call = time.perf_counter() - t0
        dask = _scaling("ai-arms-race", ARMS_RACE, sides, sections, repeats, scheduler=cluster.scheduler_address)
    finally:
        cluster.close()
    busy_after = _busy_cores()
    load = (f"cores busy with other work just before / after: {busy_before:.1f} / {busy_after:.1f} of 2"
            if busy_before is not None and busy_after is not None else "")
    size = f"ai-arms-race, stage + repeated, steady rate from {one['small']:,} to {one['big']:,} points"
    how = (f"each executor runs the sweep at {one['small']:,} and {one['big']:,} points (best of {repeats} whole "
           "calls each); steady rate = extra points / extra seconds, start-up = a call's time beyond its points at "
           "that rate; coop s / ref s are the seconds of the extra points")
    same2 = bool(two["table"].equals(one["table"]))
    r2 = ratio(one["steady"], two["steady"])
    rows = [Row("sweep", size, "coop, 1 worker", two["steady"], one["steady"], r2, same2, target=">= 1.6x",
                meets_target=None if r2 is None else bool(r2 >= 1.6),
                notes="; ".join(x for x in (
                    f"2 local workers {two['rate']:,.0f} points/s vs 1 worker {one['rate']:,.0f} points/s steady",
                    f"start-up per call (pool included) {two['startup']:.2f} s on 2 workers, {one['startup']:.2f} s "
                    f"on 1; whole calls: {one['small']:,} points {two['t_small']:.2f} s vs {one['t_small']:.2f} s "
                    f"({one['t_small'] / two['t_small']:.2f}x), {one['big']:,} points {two['t_big']:.2f} s vs "
                    f"{one['t_big']:.2f} s ({one['t_big'] / two['t_big']:.2f}x)", how, f"same table: {same2}", load)
                    if x),
                extra={"points": one["big"], "steady_points_per_second": two["rate"],
                       "one_worker_points_per_second": one["rate"], "startup_seconds": two["startup"],
                       "one_worker_startup_seconds": one["startup"],
                       "whole_call_seconds": [two["t_small"], two["t_big"]],
                       "one_worker_whole_call_seconds": [one["t_small"], one["t_big"]]})]
    same_d = bool(dask["table"].equals(one["table"]))
    rd = ratio(two["steady"], dask["steady"])
    rows.append(Row("sweep", size, "coop, local pool of 2 workers", dask["steady"], two["steady"], rd, same_d,
                    target="<= 1.3x pool time", meets_target=bool(dask["steady"] <= 1.3 * two["steady"]),
                    notes="; ".join(x for x in (
                        f"distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True): "
                        f"{dask['rate']:,.0f} points/s steady vs the pool's {two['rate']:,.0f}",
                        f"cluster start-up {cluster_start:.2f} s plus {first_call:.2f} s for its first (3x3) sweep "
                        f"(the workers import coop), once, not in the rate; per call (client connect included) "
                        f"{dask['startup']:.2f} s vs the pool's {two['startup']:.2f} s; whole calls: "
                        f"{dask['small']:,} points {dask['t_small']:.2f} s vs {two['t_small']:.2f} s, {dask['big']:,} "
                        f"points {dask['t_big']:.2f} s vs {two['t_big']:.2f} s", f"same table: {same_d}", load) if x),
                    extra={"points": dask["big"], "steady_points_per_second": dask["rate"],
                           "cluster_start_seconds": cluster_start, "cluster_first_call_seconds": first_call,
                           "startup_seconds": dask["startup"], "whole_call_seconds": [dask["t_small"], dask["t_big"]],
                           "pool_whole_call_seconds": [two["t_small"], two["t_big"]]}))
    return rows


def _heavy_scaling_row(cfg: Config) -> Row:
    """2 workers against 1 on points that take tens of milliseconds (every section, payoff sets included)."""
    ranges = {"relative_gains": (0.5, 1.5), "patience": (0.1, 0.95)}
    side = 6 if cfg.quick else 20
    _call("ai-arms-race", ranges, 3, [], workers=1)  # this process: scenario read, Numba caches loaded
    one_s, table = _call("ai-arms-race", ranges, side, [], workers=1)
    two_s, table2 = _call("ai-arms-race", ranges, side, [], workers=2)  # fresh worker processes on every call
    n = len(table)
    same = bool(table.equals(table2))
    r = ratio(one_s, two_s)
    return Row("sweep", f"ai-arms-race, {n:,} points, every section (payoff sets included)", "coop, 1 worker", two_s,
               one_s, r, same, target=">= 1.6x", meets_target=None if r is None else bool(r >= 1.6),
               notes=f"whole calls, pool start-up included; {n / one_s:,.0f} points/s on 1 worker, {n / two_s:,.0f} on "
               f"2 (same table: {same})", extra={"points": n})


# ----------------------------------------------------------------------------- memory
_SWEEP_SCRIPT = """
import json, pathlib, sys, tempfile, time
import coop
import pyarrow.parquet as pq
from coop.sweeps.executor import SweepStore
from coop.sweeps.output import write_store
side = int(sys.argv[1])
with tempfile.TemporaryDirectory(prefix="coop-bench-memory-") as folder:
    folder = pathlib.Path(folder)
    t0 = time.perf_counter()
    table = coop.sweep("ai-arms-race", [f"relative_gains=0:1.5:{side}", f"safe_value=2:6:{side}"],
                       sections=["stage"], workers=1, store=folder / "store", progress=False)
    rows = len(table)
    del table
    t1 = time.perf_counter()
    write_store(SweepStore.open(folder / "store"), folder / "table.parquet")
    t2 = time.perf_counter()
    print(json.dumps({"rows": rows, "parquet_rows": pq.read_metadata(folder / "table.parquet").num_rows,
                      "sweep_seconds": t1 - t0, "write_seconds": t2 - t1}))
"""

_PARENT_SCRIPT = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], capture_output=True, text=True)
print(json.dumps({"rc": done.returncode, "out": done.stdout, "err": done.stderr[-2000:],
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def _memory(side: int) -> dict[str, Any]:
    """Peak resident set (MiB) of a fresh process that runs the streamed sweep, and what it reported."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PARENT_SCRIPT, _SWEEP_SCRIPT, str(side)], capture_output=True,
                          text=True, timeout=1800)
    seconds = time.perf_counter() - t0
    try:
        outer = json.loads(done.stdout.strip().splitlines()[-1])
        inner = json.loads(outer["out"].strip().splitlines()[-1]) if outer["rc"] == 0 else {}
    except (IndexError, ValueError, KeyError):
        outer, inner = {"rc": done.returncode, "err": done.stderr[-2000:]}, {}
    err = (outer.get("err") or "").strip().splitlines()
    return {"seconds": seconds, "ok": outer.get("rc") == 0 and inner.get("rows") == inner.get("parquet_rows")
            == side * side, "peak_mib": outer["maxrss_kib"] / 1024 if "maxrss_kib" in outer else None,
            "error": err[-1] if err else f"exit status {outer.get('rc')}", **inner}


def _memory_row(cfg: Config) -> Row:
    sides = (100,) if cfg.quick else (100, 1000)
    runs = [_memory(side) for side in sides]
    last = runs[-1]
    n = sides[-1] ** 2
    if last["peak_mib"] is None or not last["ok"]:
        return Row("sweep", f"ai-arms-race, {n:,} points, stage, streamed to a store and Parquet",
                   "(none: peak resident memory)", last["seconds"], None, None, False, target="< 1 GiB resident",
                   notes=f"failed: {last['error']}")
    base = f"; {sides[0] ** 2:,} points: peak {runs[0]['peak_mib']:.0f} MiB" if len(runs) > 1 else ""
    return Row("sweep", f"ai-arms-race, {n:,} points, stage, streamed to a store and Parquet",
               "(none: peak resident memory)", last["seconds"], None, None, True, target="< 1 GiB resident",
               meets_target=bool(last["peak_mib"] < 1024),
               notes=f"peak resident {last['peak_mib']:.0f} MiB (ru_maxrss of RUSAGE_CHILDREN in a parent that runs "
               f"only the sweep process: imports, Numba, coop.sweep(store=...) including the DataFrame it returns, "
               f"then "
               f"write_store to Parquet){base}; sweep {last['sweep_seconds']:.1f} s "
               f"({n / last['sweep_seconds']:,.0f} points/s), Parquet {last['write_seconds']:.1f} s, all "
               f"{last['parquet_rows']:,} rows written; coop s is the whole process",
               extra={"points": n, "peak_resident_mib": last["peak_mib"],
                      "peak_resident_mib_by_points": {str(s * s): r["peak_mib"]
                                                      for s, r in zip(sides, runs, strict=True)},
                      "sweep_seconds": last["sweep_seconds"], "write_seconds": last["write_seconds"]})


# ----------------------------------------------------------------------------- the workload
def bench_sweep(cfg: Config) -> list[Row]:
    side = 20 if cfg.quick else 100
    repeats = 1 if cfg.quick else 3
    rng = np.random.default_rng(0)
    rows = [
        _stage_row(cfg, "ai-arms-race", ARMS_RACE, side, ("US", "China"), "2x2", "nashpy support_enumeration",
                   _nashpy, _nashpy_loop, None, 100, rng, repeats),
        _stage_row(cfg, "export-controls", EXPORT_CONTROLS, side, ("US", "China", "EU"), "2x2x2",
                   "pygambit enumpoly_solve", _gambit, _gambit_loop, SUBSAMPLE, 50, rng, repeats),
        _population_row(cfg, side, rng, repeats),
    ]

    # stage + repeated: points per second (no reference library), the table checked against coop.analyse
    points = _points(ARMS_RACE, side)
    coop_s, table, first = _time_sweep("ai-arms-race", ARMS_RACE, side, ["stage", "repeated"], repeats)
    n = len(table)
    idx = np.sort(rng.choice(n, size=min(10 if cfg.quick else 50, n), replace=False))
    agree, problems = _repeated_check(table, points, idx)
    profiles = sorted({c.split(".")[1] for c in table.columns if c.startswith("repeated.")})
    rows.append(Row("sweep", f"ai-arms-race, {n:,} points, stage + repeated ({len(profiles)} profiles)",
                    "(none: points per second)", coop_s, None, None, agree,
                    notes="; ".join([f"coop.sweep, 1 worker: {n / coop_s:,.0f} points/s (best of {repeats}); no "
                                     "reference library computes critical discount factors of automata profiles; every "
                                     f"stage and repeated column checked against coop.analyse on {len(idx)} points "
                                     f"(critical deltas to {DELTA_TOL:g})", *problems[:3]]),
                    extra={"points": n, "coop_points_per_second": n / coop_s, "coop_first_call_seconds": first,
                           "checked_points": len(idx)}))

    rows += _scaling_rows(cfg, repeats)
    rows.append(_heavy_scaling_row(cfg))
    rows.append(_memory_row(cfg))
    return rows
