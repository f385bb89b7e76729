"""Speed of coop against the reference libraries, on the same games, in one process.

Run ``python benchmarks/run.py`` for the full table (about fifteen minutes on a
quiet 2-core machine; the run is appended to ``benchmarks/history/``, see
``history.py``), ``--quick`` for small sizes (CI: exits non-zero on a wrong
answer, or on a ratio below half of the committed quick baseline's, confirmed
by re-runs), ``--json FILE`` to save the rows and ``--only WORKLOAD`` to run
some workloads. coop's side of every row is the public call a user makes,
which returns verified results (named in each JSON row's ``coop_call``).

How each number is taken:

- every workload draws its games from fixed seeds; coop and each reference
  solve the same game, converted once (the conversion, "build", is timed apart);
- before anything is timed, the answers are compared (same equilibrium set
  within ``PROB_TOL``, same pure profiles, same Lemke-Howson end point per
  initial label); a disagreement makes the row ``agree=False`` and the run fail;
- the first call of each solver in the process is timed apart ("first call":
  Numba compilation or loading from its cache; ``--cold-cache`` starts from an
  empty cache so that it is compilation);
- then, for each seed, ``repeats`` rounds call coop and each reference in turn
  (interleaved, so load on the machine hits both alike), with the garbage
  collector off; a call shorter than ``MIN_SAMPLE`` is looped and averaged;
- the reported time is the median over seeds of the per-seed medians; the
  ratio is reference time / coop time (higher is better for coop).

Every workload of the benchmark issue has a function ``bench_<name>(cfg) ->
list[Row]`` (here or in a ``bench_*.py`` module beside this file; the timing
harness is in ``harness.py``), registered in ``WORKLOADS``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the harness and workload modules beside this file

from bench_dynamics import bench_replicator  # noqa: E402
from bench_finite_population import bench_fixation, bench_stationary  # noqa: E402
from bench_one_equilibrium import bench_one_equilibrium  # noqa: E402
from bench_payoff_set import bench_repeated_game_payoffs  # noqa: E402
from bench_quantal_response import bench_logit  # noqa: E402
from bench_startup import bench_startup  # noqa: E402
from bench_sweep import bench_sweep  # noqa: E402
from bench_tournament import bench_tournament  # noqa: E402
from harness import (  # noqa: E402
    GAMBIT_LCP_MAX_N,
    SLOW_CALL,
    Config,
    Contest,
    Row,
    coop_points,
    gambit_points,
    missing,
    random_game,
    ratio,
    regret_ok,
    same_set,
    target_row,
    time_once,
)
from history import (  # noqa: E402
    BASELINE,
    HERE,
    HISTORY_DIR,
    REGRESSION_FRACTION,
    append_run,
    best_ratios,
    compare,
    format_comparison,
    load_baseline,
    machine_info,
    row_key,
    run_record,
)


# ----------------------------------------------------------------------------- 1. pure Nash
def copy_bandwidth(nbytes: int = 1 << 28, repeats: int = 7) -> float:
    """Bandwidth of ``np.copyto`` in bytes per second, counting bytes read and written (best of ``repeats``)."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # touch the pages
    best = min(time_once(lambda: np.copyto(dst, src))[0] for _ in range(repeats))
    return 2 * src.nbytes / best


def bench_pure_nash(cfg: Config) -> list[Row]:
    """Pure equilibria of 3- and 4-player games: one thread vs the references and the floor; two threads vs one.

    coop's time is the public call, ``coop.pure_nash_equilibria`` (verified result objects); the verified index
    rows alone (``pure_nash_indices``, no result objects) are timed beside it (``coop_indices_seconds``).
    """
    import numba
    import pygambit
    import quantecon.game_theory as qe

    import coop
    from coop.solvers.nash.pure_nash import PARALLEL_MIN_VALUES, pure_nash_indices

    sizes = [(3, 10), (3, 30), (4, 10)] if cfg.quick else [(3, 10), (3, 30), (3, 60), (4, 10), (4, 20)]
    bandwidth = copy_bandwidth(1 << 26 if cfg.quick else 1 << 28)
    all_threads = numba.get_num_threads()
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    rows = []
    for n, a in sizes:
        shape = (a,) * n
        size = "x".join(map(str, shape))
        big = np.prod(shape) * n >= 500_000
        seeds = max(1, cfg.seeds // 2) if big else cfg.seeds
        repeats = max(1, cfg.repeats // 2) if big else cfg.repeats
        contest = Contest()
        multi = Contest()
        agree = True
        same_threads = True
        notes = []
        qe_skip = gambit_skip = ""
        for seed in range(seeds):
            t_build, g = random_game(shape, seed)
            contest.note_build("coop", t_build)
            numba.set_num_threads(1)
            try:
                def call(g=g):
                    return coop.pure_nash_equilibria(g)

                def indices(g=g):
                    return pure_nash_indices(g)

                t_first, res = time_once(call)
                contest.note_first("coop", t_first)
                mine = {tuple(eq.support(i)[0] for i in range(n)) for eq in res.equilibria}
                t_idx, rows_coop = time_once(indices)
                contest.note_first("coop_indices", t_idx)
                agree &= {tuple(int(v) for v in r) for r in rows_coop} == mine
                contest.add("coop", call, time_once(call)[0])
                contest.add("coop_indices", indices, time_once(indices)[0])
                if not gambit_skip:
                    t_b, gg = time_once(g.to_gambit)
                    contest.note_build("pygambit", t_b)
                    t_g, out = time_once(lambda gg=gg: pygambit.nash.enumpure_solve(gg))
                    contest.note_first("pygambit", t_g)
                    theirs = {tuple(int(np.argmax(p[sum(shape[:i]):sum(shape[:i + 1])])) for i in range(n))
                              for p in gambit_points(out)}
                    if theirs != mine:
                        agree = False
                        notes.append(f"seed {seed}: pygambit pure set differs ({len(theirs)} vs {len(mine)})")
                    contest.add("pygambit", lambda gg=gg: pygambit.nash.enumpure_solve(gg), t_g)
                    if t_g > SLOW_CALL:
                        gambit_skip = f"pygambit timed on seed 0 only ({t_g:.0f} s per call)"
                if not qe_skip:
                    t_b, q = time_once(g.to_quantecon)
                    contest.note_build("quantecon", t_b)
                    t_q, res_q = time_once(lambda q=q: qe.pure_nash_brute(q))
                    contest.note_first("quantecon", t_q)
                    theirs_q = {tuple(int(v) for v in p) for p in res_q}
                    if theirs_q != mine:
                        agree = False
                        notes.append(f"seed {seed}: quantecon pure set differs ({len(theirs_q)} vs {len(mine)})")
                    contest.add("quantecon", lambda q=q: qe.pure_nash_brute(q), t_q)
                    if t_q > SLOW_CALL:
                        qe_skip = f"quantecon timed on seed 0 only ({t_q:.0f} s per call)"
                contest.run(repeats)
                numba.set_num_threads(threads)
                t_multi, res_multi = time_once(call)
                multi.note_first("coop_threads", t_multi)
                same_threads &= ({tuple(eq.support(i)[0] for i in range(n)) for eq in res_multi.equilibria} == mine)
                multi.add("coop_threads", call, time_once(call)[0])
                multi.run(repeats)
            finally:
                numba.set_num_threads(all_threads)
        agree &= same_threads
        idx_s = contest.median("coop_indices")
        coop_note = ("coop: coop.pure_nash_equilibria (verified result objects), one Numba thread; "
                     f"pure_nash_indices (verified index rows, no result objects) {_fmt(idx_s)} s in "
                     "coop_indices_seconds")
        for ref, key, target, skip in (("pygambit enumpure_solve", "pygambit", 300, gambit_skip),
                                       ("quantecon pure_nash_brute", "quantecon", 3000, qe_skip)):
            row = target_row("pure_nash", size, ref, contest, "coop", key, agree, target,
                              "; ".join([*notes, skip, coop_note] if skip else [*notes, coop_note]))
            ref_s = contest.median(key)
            row.extra["coop_indices_seconds"] = idx_s
            row.extra["indices_ratio"] = ratio(ref_s, idx_s)
            rows.append(row)
        payload = 8 * n * int(np.prod(shape))
        floor = payload / bandwidth
        coop_s = contest.median("coop")
        rows.append(Row(
            "pure_nash", size, "memory-bandwidth floor", coop_s, floor, ratio(floor, coop_s), agree,
            target=">= 0.5x (coop within 2x of floor)",
            meets_target=None if coop_s is None else bool(coop_s <= 2 * floor),
            notes=(f"coop.pure_nash_equilibria on one thread; payoffs {payload / 1e6:.2f} MB; copy bandwidth "
                   f"{bandwidth / 1e9:.1f} GB/s (read+write, np.copyto); coop/floor = {coop_s / floor:.2f}, "
                   f"index rows only {idx_s / floor:.2f}"
                   + ("; payoffs fit in cache, floor is nominal" if payload < 4e6 else "")),
            extra={"coop_over_floor": coop_s / floor, "indices_over_floor": idx_s / floor, "payload_bytes": payload,
                   "copy_bandwidth_bytes_per_s": bandwidth},
        ))
        multi_s = multi.median("coop_threads")
        parallel = n * int(np.prod(shape)) >= PARALLEL_MIN_VALUES and threads > 1
        rows.append(Row(
            "pure_nash", size, "coop, 1 thread", multi_s, coop_s, ratio(coop_s, multi_s), agree,
            notes=(f"coop.pure_nash_equilibria on {threads} threads vs 1 (same equilibria: {same_threads}); "
                   + ("parallel kernel" if parallel else
                      f"below PARALLEL_MIN_VALUES ({PARALLEL_MIN_VALUES} payoffs): the one-thread kernel")),
            extra={"threads": threads, "coop_over_floor": None if multi_s is None else multi_s / floor},
        ))
    return rows


# ----------------------------------------------------------------------------- 2. all equilibria, 2 players
def bench_bimatrix_all(cfg: Config) -> list[Row]:
    import pygambit
    import quantecon.game_theory as qe

    from coop.solvers.nash.vertex_enumeration import vertex_enumeration

    sizes = [4, 6, 8] if cfg.quick else [4, 6, 8, 10, 12]
    rows = []
    for n in sizes:
        contest = Contest()
        agree = True
        notes: list[str] = []
        use_gambit = n <= 10
        # quantecon's support enumeration visits C(2n, n) support pairs: 2.7 million at n = 12 (seconds per call)
        use_qe_support = n <= 10 or not cfg.quick
        seeds = cfg.seeds if n <= 10 else max(2, cfg.seeds // 2)
        best_qe: list[float] = []
        for seed in range(seeds):
            t_build, g = random_game((n, n), seed)
            contest.note_build("coop", t_build)
            t_first, res = time_once(lambda g=g: vertex_enumeration(g))
            contest.note_first("coop", t_first)
            mine = coop_points(res)
            if res.degenerate or not res.converged:
                notes.append(f"seed {seed}: coop says degenerate={res.degenerate}, converged={res.converged}")
            t_b, q = time_once(g.to_quantecon)
            contest.note_build("quantecon", t_b)
            refs: list[tuple[str, Callable[[], Any], Callable[[Any], list[np.ndarray]]]] = [
                ("quantecon_vertex", lambda q=q: qe.vertex_enumeration(q), lambda r: [np.concatenate(e) for e in r]),
            ]
            if use_qe_support:
                refs.append(("quantecon_support", lambda q=q: qe.support_enumeration(q),
                             lambda r: [np.concatenate(e) for e in r]))
            if use_gambit:
                t_b, gg = time_once(g.to_gambit)
                contest.note_build("pygambit", t_b)
                refs.append(("pygambit", lambda gg=gg: pygambit.nash.enummixed_solve(gg, rational=False),
                             gambit_points))
            contest.add("coop", lambda g=g: vertex_enumeration(g), time_once(lambda g=g: vertex_enumeration(g))[0])
            for name, fn, points in refs:
                t_r, out = time_once(fn)
                contest.note_first(name, t_r)
                theirs = points(out)
                if not same_set(mine, theirs):
                    agree = False
                    notes.append(f"seed {seed}: {name} found {len(theirs)} equilibria, coop {len(mine)} "
                                 f"({missing(mine, theirs)} of theirs not in coop's)")
                contest.add(name, fn, time_once(fn)[0])
            contest.run(cfg.repeats)
            # best of quantecon's two methods, per seed
            last = {k: v[-1] for k, v in contest.per_seed.items()}
            best_qe.append(min(last[k] for k in ("quantecon_vertex", "quantecon_support") if k in last))
        contest.per_seed["quantecon_best"] = best_qe
        contest.first_call["quantecon_best"] = min(
            contest.first_call[k] for k in ("quantecon_vertex", "quantecon_support") if k in contest.first_call
        )
        contest.build["quantecon_best"] = contest.build["quantecon"]
        qe_note = ("quantecon best of vertex_enumeration "
                   f"({contest.median('quantecon_vertex'):.3g} s)"
                   + (f" and support_enumeration ({contest.median('quantecon_support'):.3g} s)" if use_qe_support
                      else "; support_enumeration skipped in --quick at n = 12"))
        rows.append(target_row("all_equilibria_2p", f"{n}x{n}", "quantecon best(support, vertex)", contest, "coop",
                                "quantecon_best", agree, 1, "; ".join([*notes, qe_note])))
        if use_gambit:
            rows.append(target_row("all_equilibria_2p", f"{n}x{n}", "pygambit enummixed_solve(rational=False)",
                                    contest, "coop", "pygambit", agree, 50 if n == 10 else None, "; ".join(notes)))
        else:
            rows.append(target_row("all_equilibria_2p", f"{n}x{n}", "pygambit enummixed_solve(rational=False)",
                                    contest, "coop", "pygambit", agree, None, "; ".join(notes),
                                    skipped="pygambit not run above n = 10 (the issue sets its target at n = 10)"))
    return rows


# ----------------------------------------------------------------------------- 3. Lemke-Howson
def bench_lemke_howson(cfg: Config) -> list[Row]:
    import pygambit
    import quantecon.game_theory as qe

    from coop.solvers.nash.lemke_howson import lemke_howson

    sizes = [10, 50] if cfg.quick else [10, 50, 100, 200]
    rows = []
    for n in sizes:
        contest = Contest()
        agree = True
        notes: list[str] = []
        gambit_match = 0
        # pygambit 16.7's lcp_solve is heavy-tailed: 0.15 s on seed 0 at n = 100 but over 80 s on seed 2,
        # and over 100 s at n = 200; a C call cannot be interrupted, so it runs at n <= 50 only
        use_gambit = n <= GAMBIT_LCP_MAX_N
        for seed in range(cfg.seeds):
            t_build, g = random_game((n, n), seed)
            contest.note_build("coop", t_build)
            t_b, q = time_once(g.to_quantecon)
            contest.note_build("quantecon", t_b)
            t_first, res = time_once(lambda g=g: lemke_howson(g))
            contest.note_first("coop", t_first)
            t_qf, _ = time_once(lambda q=q: qe.lemke_howson(q))
            contest.note_first("quantecon", t_qf)
            # same end point per initial label: every label at small n, a spread of them at large n
            # (some labels give paths of ~1-2 s per library at n = 200, so fewer labels at large n)
            labels = range(2 * n) if n <= 10 else np.linspace(0, 2 * n - 1, 8 if n <= 50 else 4).astype(int)
            for k in labels:
                r = lemke_howson(g, initial_label=int(k))
                if r.parameters.get("label_used") != int(k):
                    notes.append(f"seed {seed}: label {k} fell back to label {r.parameters.get('label_used')}")
                    continue
                x, y = qe.lemke_howson(q, init_pivot=int(k))
                if not same_set(coop_points(r), [np.concatenate([x, y])]):
                    agree = False
                    notes.append(f"seed {seed}: label {k}: coop and quantecon end at different equilibria")
            contest.add("coop", lambda g=g: lemke_howson(g), time_once(lambda g=g: lemke_howson(g))[0])
            contest.add("quantecon", lambda q=q: qe.lemke_howson(q), time_once(lambda q=q: qe.lemke_howson(q))[0])
            if use_gambit:
                t_b, gg = time_once(g.to_gambit)
                contest.note_build("pygambit", t_b)
                def fn(gg=gg):
                    return pygambit.nash.lcp_solve(gg, rational=False, stop_after=1)

                t_g, out = time_once(fn)
                contest.note_first("pygambit", t_g)
                pts = gambit_points(out)
                if len(pts) != 1 or not regret_ok(g, pts[0]):
                    agree = False
                    notes.append(f"seed {seed}: pygambit lcp_solve returned no verified equilibrium")
                else:
                    gambit_match += same_set(coop_points(res), pts)
                contest.add("pygambit", fn, t_g)
                if t_g > SLOW_CALL:
                    use_gambit = False
                    notes.append(f"pygambit timed on seeds 0..{seed} only ({t_g:.0f} s per call)")
            contest.run(cfg.repeats)
        size = f"{n}x{n}"
        rows.append(target_row("lemke_howson", size, "quantecon lemke_howson", contest, "coop", "quantecon", agree, 1,
                                "; ".join([*notes, "initial label 0 timed"])))
        gnote = ("lcp_solve(stop_after=1) is Lemke's algorithm, not LH from label 0: its point is checked by "
                 f"regret; equal to coop's label-0 point on {gambit_match} of "
                 f"{len(contest.per_seed.get('pygambit', []))} seeds")
        skip = "" if n <= GAMBIT_LCP_MAX_N else (
            f"pygambit not run above n = {GAMBIT_LCP_MAX_N} (lcp_solve took over 80 s on seed 2 at n = 100, "
            "over 100 s at n = 200)")
        rows.append(target_row("lemke_howson", size, "pygambit lcp_solve(rational=False)", contest, "coop", "pygambit",
                                agree, 100, "; ".join([*notes, gnote]) if not skip else "; ".join(notes), skipped=skip))
    return rows


# ----------------------------------------------------------------------------- 4. all equilibria, 3 players
def bench_polynomial(cfg: Config) -> list[Row]:
    import pygambit

    from coop.solvers.nash.polynomial_support import polynomial_support_enumeration

    sizes = [3] if cfg.quick else [3, 4]
    rows = []
    for a in sizes:
        shape = (a, a, a)
        contest = Contest()
        agree = True
        notes: list[str] = []
        counts = {"gambit_points": 0, "gambit_non_equilibria": 0, "coop_points": 0, "coop_extra": 0}
        seeds = cfg.seeds
        for seed in range(seeds):
            t_build, g = random_game(shape, seed)
            contest.note_build("coop", t_build)
            t_first, res = time_once(lambda g=g: polynomial_support_enumeration(g))
            contest.note_first("coop", t_first)
            mine = coop_points(res)
            if not all(regret_ok(g, p, 1e-9) for p in mine):
                agree = False
                notes.append(f"seed {seed}: coop returned a point with regret above 1e-9 x spread")
            if res.guarantee != "all":
                notes.append(f"seed {seed}: coop guarantee {res.guarantee}")
            t_b, gg = time_once(g.to_gambit)
            contest.note_build("pygambit", t_b)
            def fn(gg=gg):
                return pygambit.nash.enumpoly_solve(gg)

            t_g, out = time_once(fn)
            contest.note_first("pygambit", t_g)
            theirs = gambit_points(out)
            verified = [p for p in theirs if regret_ok(g, p)]
            counts["gambit_points"] += len(theirs)
            counts["gambit_non_equilibria"] += len(theirs) - len(verified)
            counts["coop_points"] += len(mine)
            counts["coop_extra"] += missing(verified, mine)
            missed = missing(mine, verified)
            if missed:
                agree = False
                notes.append(f"seed {seed}: coop misses {missed} verified pygambit equilibria")
            contest.add("coop", lambda g=g: polynomial_support_enumeration(g),
                        time_once(lambda g=g: polynomial_support_enumeration(g))[0])
            contest.add("pygambit", fn, t_g)
            contest.run(cfg.repeats if a == 3 else max(1, cfg.repeats // 2))
        notes.append(
            f"over {seeds} seeds: coop {counts['coop_points']} equilibria, pygambit {counts['gambit_points']} points "
            f"of which {counts['gambit_non_equilibria']} fail the regret check (> 1e-7 x spread); "
            f"coop finds {counts['coop_extra']} that pygambit misses; "
            "agree = coop contains every verified pygambit point"
        )
        row = target_row("all_equilibria_3p", "x".join(map(str, shape)), "pygambit enumpoly_solve", contest, "coop",
                          "pygambit", agree, 5, "; ".join(notes))
        row.extra.update(counts)
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- 5. the CLI
# first and warm runs of coop solve per bundled scenario, and the imports: bench_startup.py


# ----------------------------------------------------------------------------- registry
#: workload name -> benchmark function (each returns its rows); add new capabilities here
WORKLOADS: dict[str, Callable[[Config], list[Row]]] = {
    "pure_nash": bench_pure_nash,
    "all_equilibria_2p": bench_bimatrix_all,
    "lemke_howson": bench_lemke_howson,
    "all_equilibria_3p": bench_polynomial,
    "one_equilibrium_n_player": bench_one_equilibrium,
    "replicator_dynamics": bench_replicator,
    "fixation_probabilities": bench_fixation,
    "stationary_distribution": bench_stationary,
    "tournament": bench_tournament,
    "repeated_game_payoffs": bench_repeated_game_payoffs,
    "cli": bench_startup,
    "sweep": bench_sweep,
    "logit_qre": bench_logit,
}

#: the public call each row times on coop's side (written to the JSON rows as ``coop_call``), by row workload
COOP_CALLS: dict[str, str] = {
    "pure_nash": "coop.pure_nash_equilibria",
    "all_equilibria_2p": "coop.vertex_enumeration",
    "lemke_howson": "coop.lemke_howson",
    "all_equilibria_3p": "coop.polynomial_support_enumeration",
    "one_equilibrium_n_player": "coop.simplicial_subdivision",
    "replicator": "coop.integrate",
    "replicator_basins": "coop.basins",
    "fixation + small-mutation stationary": "coop.small_mutation_limit (game built from the matrix)",
    "full stationary distribution with mutation": "coop.stationary_distribution (game built from the matrix)",
    "tournament": "coop.round_robin",
    "repeated_game_payoffs": "coop.equilibrium_payoff_set",
    "cli": "coop solve (a fresh process)",
    "cli_first_run": "coop solve (a fresh process, empty Numba cache)",
    "import": "import coop.cli (a fresh process)",
    "sweep": "coop.sweep",
    "logit_qre": "coop.logit_nash",
}
#: how many times the quick run re-runs a workload whose ratio fell below the baseline's fraction, to confirm it
CONFIRM_RUNS = 3

# ----------------------------------------------------------------------------- output
def _fmt(x: float | None, kind: str = "s") -> str:
    if x is None:
        return "-"
    if kind == "ratio":
        return f"{x:.3g}x" if x < 1000 else f"{x:,.0f}x"
    return f"{x:.3g}"


def format_table(rows: Sequence[Row]) -> str:
    head = ["workload", "size", "reference", "coop s", "ref s", "ratio", "target", "meets", "agree"]
    body = [[r.workload, r.size, r.reference, _fmt(r.coop_seconds), _fmt(r.reference_seconds),
             _fmt(r.ratio, "ratio"), r.target, {True: "yes", False: "NO", None: "-"}[r.meets_target],
             {True: "yes", False: "NO", None: "-"}[r.agree]] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=False)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=False)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(str(x).ljust(w) for x, w in zip(b, widths, strict=False)) + " |" for b in body]
    return "\n".join(lines)


def machine() -> str:
    """This machine in one line (:func:`history.machine_info`)."""
    m = machine_info()
    return f"{m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['system']}"


def run_workloads(cfg: Config, names: Sequence[str]) -> tuple[list[Row], dict[str, str]]:
    """The rows of the named workloads (in registry order), and each row key's workload name."""
    rows: list[Row] = []
    origin: dict[str, str] = {}
    for name, bench in WORKLOADS.items():
        if name not in names:
            continue
        t0 = time.perf_counter()
        new = bench(cfg)
        for r in new:
            r.extra.setdefault("coop_call", COOP_CALLS.get(r.workload, ""))
            origin[row_key(r.to_dict())] = name
        rows += new
        print(f"  {name}: {len(new)} rows in {time.perf_counter() - t0:.1f} s", flush=True)
    return rows, origin


def speed_gate(cfg: Config, rows: list[dict[str, Any]], origin: dict[str, str], path: Path) -> bool:
    """Compare the quick run's ratios with the baseline at ``path``; True when a ratio fell below half of it.

    Rows whose ratio looks regressed are confirmed first: their workloads run again (at most ``CONFIRM_RUNS``
    times) and each row keeps the best ratio of its runs, so one busy moment on the machine does not fail CI.
    """
    baseline = load_baseline(path)
    if baseline is None:
        print(f"speed not compared: no baseline at {path} (make one with --quick --write-baseline)")
        return False
    record = json.loads(path.read_text())
    if isinstance(record, dict) and (record.get("seeds"), record.get("repeats")) != (cfg.seeds, cfg.repeats):
        print(f"speed not compared: this run has {cfg.seeds} seeds x {cfg.repeats} repeats, the baseline "
              f"{record.get('seeds')} x {record.get('repeats')}")
        return False
    comparison = compare(rows, baseline)
    attempts = [rows]
    for k in range(CONFIRM_RUNS):
        if not comparison.failed:
            break
        names = sorted({origin[key] for key, _, _ in comparison.regressions if key in origin})
        print(f"confirming {len(comparison.regressions)} low ratios: running {', '.join(names)} again "
              f"({k + 1} of {CONFIRM_RUNS}); each row keeps its best ratio", flush=True)
        again, _ = run_workloads(cfg, names)
        attempts.append([r.to_dict() for r in again])
        comparison = compare(best_ratios(attempts), baseline)
    print(format_comparison(comparison, str(path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent)
                                            else path)))
    if hasattr(os, "getloadavg"):
        print(f"  load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (ratios are noisier above "
              "the core count)")
    return comparison.failed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few seeds (CI): fails on a wrong answer, or on a ratio below "
                             f"{REGRESSION_FRACTION:g} x the baseline's")
    parser.add_argument("--json", metavar="FILE", help="write the rows as a JSON list")
    parser.add_argument("--only", action="append", choices=sorted(WORKLOADS),
                        help="run only this workload (repeatable)")
    parser.add_argument("--seeds", type=int, help="random games per size (default 3 quick, 7 full)")
    parser.add_argument("--repeats", type=int, help="timed rounds per game (default 3 quick, 5 full)")
    parser.add_argument("--cold-cache", action="store_true",
                        help="start from an empty Numba cache, so first-call times are compile times")
    parser.add_argument("--baseline", metavar="FILE", default=str(BASELINE),
                        help="the quick-run baseline (default benchmarks/history/quick-baseline.json)")
    parser.add_argument("--no-compare", action="store_true", help="--quick: do not compare ratios with the baseline")
    parser.add_argument("--write-baseline", action="store_true",
                        help="--quick: write this run as the baseline (to --baseline) instead of comparing")
    parser.add_argument("--history-dir", metavar="DIR", default=str(HISTORY_DIR),
                        help="where a full run appends its record (default benchmarks/history/)")
    parser.add_argument("--no-history", action="store_true", help="a full run: do not append to the history")
    args = parser.parse_args(argv)
    if args.write_baseline and (not args.quick or args.only):
        parser.error("--write-baseline needs --quick and every workload (no --only)")
    cold_dir = None
    if args.cold_cache:
        if "numba" in sys.modules:
            parser.error("--cold-cache must be set before Numba is imported (run it as a script)")
        cold_dir = tempfile.TemporaryDirectory(prefix="coop-bench-numba-")
        os.environ["NUMBA_CACHE_DIR"] = cold_dir.name
    cfg = Config(quick=args.quick, seeds=args.seeds or (3 if args.quick else 7),
                 repeats=args.repeats or (3 if args.quick else 5))
    started = time.perf_counter()
    cache = "empty Numba cache: first calls include compilation" if cold_dir else "Numba cache as found"
    print(f"coop benchmarks ({'quick' if cfg.quick else 'full'}), {time.strftime('%Y-%m-%d')}, {machine()}; {cache}",
          flush=True)
    rows, origin = run_workloads(cfg, args.only or list(WORKLOADS))
    print(format_table(rows))
    for r in rows:
        if r.notes:
            print(f"- {r.workload} {r.size} vs {r.reference}: {r.notes}")
    wrong = [r for r in rows if r.agree is False]
    print(f"total {time.perf_counter() - started:.0f} s; {len(wrong)} rows with wrong answers")
    dicts = [r.to_dict() for r in rows]
    if args.json:
        Path(args.json).write_text(json.dumps(dicts, indent=2) + "\n")
    slow = False
    if args.write_baseline:
        Path(args.baseline).write_text(json.dumps(run_record(dicts, "quick", cfg.seeds, cfg.repeats), indent=1) + "\n")
        print(f"baseline written to {args.baseline}")
    elif args.quick and not args.no_compare:
        slow = speed_gate(cfg, dicts, origin, Path(args.baseline).resolve())
    if not args.quick and not args.only and not args.no_history:
        path = append_run(run_record(dicts, "full", cfg.seeds, cfg.repeats), Path(args.history_dir))
        print(f"history: {path}")
    return 1 if wrong or slow else 0


if __name__ == "__main__":
    sys.exit(main())
