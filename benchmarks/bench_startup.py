"""Benchmark workload: how long ``coop solve NAME`` takes as a user runs it, first and later, and its imports.

Each bundled scenario is solved by the ``coop`` program in a fresh process (``coop solve NAME --format json``):

- first run (``cli_first_run`` rows): with an empty Numba cache (``NUMBA_CACHE_DIR`` a new empty folder), as on
  a machine where coop was just installed. Small games run their kernels interpreted and compile nothing
  (coop/startup.py); larger ones compile what they use and print the one-line notice, checked here;
- warm (``cli`` rows): the median of several runs with the normal cache, after one untimed run that fills it;
- imports (``import`` rows): ``python -X importtime -c "import coop.cli"``, and the packages a warm
  ``coop solve ai-arms-race`` imports, with their cumulative import times (notes).

Times are wall seconds of the whole process; the CPU seconds (user + system, of the child) are in the notes and
the JSON (``cpu_seconds``), which tells a busy machine (wall well above CPU) from a slow run. Targets (issue 12):
a first run of any bundled scenario under 10 s; a warm ``coop solve ai-arms-race`` under 0.6 s.

Run alone: ``python benchmarks/bench_startup.py [--quick]`` prints the rows; ``run.py`` includes them as the
``cli`` workload.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Config, Row, median

#: Targets of issue 12 (seconds).
FIRST_RUN_TARGET = 10.0
WARM_TARGET = 0.6
WARM_TARGET_SCENARIO = "ai-arms-race"
NOTICE = "coop: compiling the solvers for first use"
#: Top-level packages whose import time the notes list.
HEAVY = ("numpy", "numba", "llvmlite", "scipy", "pandas", "sympy", "matplotlib", "pyarrow", "yaml", "click",
         "tqdm", "dask", "coop")


def coop_command() -> list[str]:
    """The installed ``coop`` program beside this interpreter (its console script), else ``python -m coop.cli``."""
    exe = Path(sys.executable).with_name("coop")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("coop")
    if found:
        return [found]
    return [sys.executable, "-m", "coop.cli"]


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``cmd``: (wall seconds, CPU seconds of the child, the completed process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, res


def startup_small(name: str) -> bool:
    """Whether ``coop solve NAME`` runs its kernels interpreted (coop/startup.py), compiling nothing."""
    from coop import startup
    from coop.inputs import load_input

    return startup.small_input(load_input(name))


def _answered(res: subprocess.CompletedProcess) -> bool:
    try:
        return res.returncode == 0 and bool(json.loads(res.stdout).get("equilibria"))
    except ValueError:
        return False


def scenario_rows(cfg: Config, names: list[str] | None = None, first_runs: bool | None = None) -> list[Row]:
    """A ``cli_first_run`` row (empty Numba cache) and a ``cli`` row (warm) per bundled scenario."""
    cmd = coop_command()
    if names is None:
        listing = subprocess.run([*cmd, "list", "--format", "json"], capture_output=True, text=True, check=True)
        names = [s["name"] for s in json.loads(listing.stdout)]
    if first_runs is None:
        first_runs = not cfg.quick
    # as a user's Python runs it: its own choice of kernels, Numba's cache, and bytecode written to __pycache__
    # (a PYTHONDONTWRITEBYTECODE in this environment would recompile every coop module on every run, ~0.15 s)
    env = {k: v for k, v in os.environ.items()
           if k not in ("COOP_JIT", "NUMBA_DISABLE_JIT", "NUMBA_CACHE_DIR", "PYTHONDONTWRITEBYTECODE")}
    rows = []
    for name in names:
        run = [*cmd, "solve", name, "--format", "json"]
        command = "coop " + " ".join(run[len(cmd):])
        if first_runs or startup_small(name):  # quick mode: the first runs that compile nothing (seconds)
            with tempfile.TemporaryDirectory(prefix="coop-bench-cold-") as cache:
                wall, cpu, res = timed(run, dict(env, NUMBA_CACHE_DIR=cache))
            noticed = NOTICE in res.stderr
            notes = [f"CPU {cpu:.2f} s", "compiled, with the notice" if noticed else "nothing compiled"]
            if not _answered(res):
                notes.append(f"exit {res.returncode}: {res.stderr.strip()[-200:]}")
            rows.append(Row("cli_first_run", name, "(none: empty Numba cache)", wall, None, None, _answered(res),
                            target=f"<= {FIRST_RUN_TARGET:g} s", meets_target=wall <= FIRST_RUN_TARGET,
                            notes="; ".join(notes),
                            extra={"cpu_seconds": cpu, "notice": noticed, "command": command}))
        first = subprocess.run(run, capture_output=True, text=True, env=env, check=False)  # fills the cache
        walls, cpus = [], []
        for _ in range(3 if cfg.quick else 5):
            wall, cpu, res = timed(run, env)
            walls.append(wall)
            cpus.append(cpu)
        warm, warm_cpu = median(walls), median(cpus)
        target = WARM_TARGET if name == WARM_TARGET_SCENARIO else None
        rows.append(Row("cli", name, "(none: warm, wall time)", warm, None, None, _answered(first),
                        target=f"<= {target:g} s warm" if target else "",
                        meets_target=None if target is None or warm is None else warm <= target,
                        notes=f"CPU {warm_cpu:.2f} s (median of {len(walls)})",
                        extra={"cpu_seconds": warm_cpu, "command": command}))
    return rows


def importtime(code: str | None = None, argv: list[str] | None = None) -> dict[str, float]:
    """Cumulative import seconds per module of one fresh process (``python -X importtime``)."""
    cmd = [sys.executable, "-X", "importtime"] + (["-c", code] if code is not None else argv or [])
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    out: dict[str, float] = {}
    for line in res.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            name = m.group(3)
            out[name] = max(out.get(name, 0.0), int(m.group(1)) / 1e6)
    return out


def import_rows(cfg: Config) -> list[Row]:
    """``import coop.cli`` (median of 3 fresh processes) and the heavy packages of a warm ``coop solve``."""
    walls = []
    for _ in range(3):
        walls.append(importtime("import coop.cli").get("coop.cli", 0.0))
    solve = importtime(argv=["-m", "coop.cli", "solve", WARM_TARGET_SCENARIO, "--format", "json"])
    heavy = {k: v for k, v in solve.items() if k in HEAVY}
    listed = ", ".join(f"{k} {v:.2f} s" for k, v in sorted(heavy.items(), key=lambda kv: -kv[1]))
    absent = [k for k in ("pandas", "sympy", "matplotlib", "pyarrow", "dask") if k not in solve]
    return [Row("import", "coop.cli", "(none: python -X importtime)", median(walls), None, None, True,
                notes=f"coop solve {WARM_TARGET_SCENARIO} imports: {listed}; not imported: {', '.join(absent)}",
                extra={"solve_imports": heavy, "not_imported": absent})]


def bench_startup(cfg: Config) -> list[Row]:
    """The ``cli`` workload of run.py: first and warm runs of every bundled scenario, and the imports."""
    return scenario_rows(cfg) + import_rows(cfg)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 warm runs; first runs of the small scenarios only")
    parser.add_argument("--scenario", action="append", help="only this bundled scenario (repeatable)")
    args = parser.parse_args()
    config = Config(quick=args.quick, seeds=1, repeats=3 if args.quick else 5)
    for row in scenario_rows(config, args.scenario) + import_rows(config):
        secs = "-" if row.coop_seconds is None else f"{row.coop_seconds:.2f} s"
        meets = {True: "meets", False: "MISSES", None: ""}[row.meets_target]
        print(f"{row.workload:14} {row.size:24} {secs:>9}  {row.target:14} {meets:6}  {row.notes}")
