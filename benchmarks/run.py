"""Speed of coop against the reference libraries, on the same games, in one process.

Run ``python benchmarks/run.py`` for the full table (about ten minutes on a
quiet 2-core machine), ``--quick`` for small sizes (CI: exits non-zero only on a
wrong answer, never on a slow one), ``--json FILE`` to save the rows and
``--only WORKLOAD`` to run some workloads.

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
import platform
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
from bench_payoff_set import bench_repeated_game_payoffs  # noqa: E402
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


# ----------------------------------------------------------------------------- 1. pure Nash
def copy_bandwidth(nbytes: int = 1 << 28, repeats: int = 7) -> float:
    """Bandwidth of ``np.copyto`` in bytes per second, counting bytes read and written (best of ``repeats``)."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # touch the pages
    best = min(time_once(lambda: np.copyto(dst, src))[0] for _ in range(repeats))
    return 2 * src.nbytes / best


def bench_pure_nash(cfg: Config) -> list[Row]:
    """Pure equilibria of 3- and 4-player games: one thread vs the references and the floor; two threads vs one."""
    import numba
    import pygambit
    import quantecon.game_theory as qe

    from coop.solvers.nash.pure_nash import PARALLEL_MIN_VALUES, pure_nash_equilibria, pure_nash_indices

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
                t_first, rows_coop = time_once(lambda g=g: pure_nash_indices(g))
                contest.note_first("coop", t_first)
                mine = {tuple(int(v) for v in r) for r in rows_coop}
                t_full, full = time_once(lambda g=g: pure_nash_equilibria(g))
                contest.note_first("coop_full", t_full)
                mine_full = {tuple(eq.support(i)[0] for i in range(n)) for eq in full.equilibria}
                agree &= mine_full == mine
                hint = time_once(lambda g=g: pure_nash_indices(g))[0]
                contest.add("coop", lambda g=g: pure_nash_indices(g), hint)
                hint_full = time_once(lambda g=g: pure_nash_equilibria(g))[0]
                contest.add("coop_full", lambda g=g: pure_nash_equilibria(g), hint_full)
                if not gambit_skip:
                    t_b, gg = time_once(g.to_gambit)
                    contest.note_build("pygambit", t_b)
                    t_g, res = time_once(lambda gg=gg: pygambit.nash.enumpure_solve(gg))
                    contest.note_first("pygambit", t_g)
                    theirs = {tuple(int(np.argmax(p[sum(shape[:i]):sum(shape[:i + 1])])) for i in range(n))
                              for p in gambit_points(res)}
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
                t_multi, rows_multi = time_once(lambda g=g: pure_nash_indices(g))
                multi.note_first("coop_threads", t_multi)
                same_threads &= bool(np.array_equal(rows_multi, rows_coop))
                hint_multi = time_once(lambda g=g: pure_nash_indices(g))[0]
                multi.add("coop_threads", lambda g=g: pure_nash_indices(g), hint_multi)
                multi.run(repeats)
            finally:
                numba.set_num_threads(all_threads)
        agree &= same_threads
        coop_note = ("coop: pure_nash_indices (index rows), one Numba thread; "
                     "pure_nash_equilibria (verified result objects) in coop_full_seconds")
        full_s = contest.median("coop_full")
        for ref, key, target, skip in (("pygambit enumpure_solve", "pygambit", 300, gambit_skip),
                                       ("quantecon pure_nash_brute", "quantecon", 3000, qe_skip)):
            row = target_row("pure_nash", size, ref, contest, "coop", key, agree, target,
                              "; ".join([*notes, skip, coop_note] if skip else [*notes, coop_note]))
            row.extra["coop_full_seconds"] = full_s
            rows.append(row)
        payload = 8 * n * int(np.prod(shape))
        floor = payload / bandwidth
        coop_s = contest.median("coop")
        rows.append(Row(
            "pure_nash", size, "memory-bandwidth floor", coop_s, floor, ratio(floor, coop_s), agree,
            target=">= 0.5x (coop within 2x of floor)",
            meets_target=None if coop_s is None else bool(coop_s <= 2 * floor),
            notes=(f"coop on one thread; payoffs {payload / 1e6:.2f} MB; copy bandwidth {bandwidth / 1e9:.1f} GB/s "
                   f"(read+write, np.copyto); coop/floor = {coop_s / floor:.2f}"
                   + ("; payoffs fit in cache, floor is nominal" if payload < 4e6 else "")),
            extra={"coop_over_floor": coop_s / floor, "payload_bytes": payload,
                   "copy_bandwidth_bytes_per_s": bandwidth},
        ))
        multi_s = multi.median("coop_threads")
        parallel = n * int(np.prod(shape)) >= PARALLEL_MIN_VALUES and threads > 1
        rows.append(Row(
            "pure_nash", size, "coop, 1 thread", multi_s, coop_s, ratio(coop_s, multi_s), agree,
            notes=(f"coop on {threads} threads vs 1 (same rows: {same_threads}); "
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
    "replicator_dynamics": bench_replicator,
    "fixation_probabilities": bench_fixation,
    "stationary_distribution": bench_stationary,
    "tournament": bench_tournament,
    "repeated_game_payoffs": bench_repeated_game_payoffs,
    "cli": bench_startup,
    "sweep": bench_sweep,
}

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
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few seeds (CI): fails only on a wrong answer")
    parser.add_argument("--json", metavar="FILE", help="write the rows as a JSON list")
    parser.add_argument("--only", action="append", choices=sorted(WORKLOADS),
                        help="run only this workload (repeatable)")
    parser.add_argument("--seeds", type=int, help="random games per size (default 3 quick, 7 full)")
    parser.add_argument("--repeats", type=int, help="timed rounds per game (default 3 quick, 5 full)")
    parser.add_argument("--cold-cache", action="store_true",
                        help="start from an empty Numba cache, so first-call times are compile times")
    args = parser.parse_args(argv)
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
    rows: list[Row] = []
    for name, bench in WORKLOADS.items():
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        new = bench(cfg)
        rows += new
        print(f"  {name}: {len(new)} rows in {time.perf_counter() - t0:.1f} s", flush=True)
    print(format_table(rows))
    for r in rows:
        if r.notes:
            print(f"- {r.workload} {r.size} vs {r.reference}: {r.notes}")
    wrong = [r for r in rows if r.agree is False]
    print(f"total {time.perf_counter() - started:.0f} s; {len(wrong)} rows with wrong answers")
    if args.json:
        Path(args.json).write_text(json.dumps([r.to_dict() for r in rows], indent=2) + "\n")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
