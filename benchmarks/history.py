"""Benchmark ratios over time: the history of full runs, and the quick run's regression gate.

History: every full run of ``run.py`` (not ``--quick``, not ``--only``) writes one file to
``benchmarks/history/``, named ``YYYY-MM-DD-<commit>[-dirty][-N].json``::

    {"date": ISO time, "commit": full hash, "dirty": bool (tracked files changed), "subject": commit subject,
     "machine": {"cpu", "cores", "memory_bytes", "python", "system"}, "mode": "full",
     "seeds": int, "repeats": int, "imported": false, "rows": [the rows, as run.py --json writes them]}

Runs imported from an older ``benchmarks/latest.json`` have ``"imported": true`` and ``"source"``
(the ``git show`` that gives the file); their machine was not recorded (``null``).
``python benchmarks/table.py --history`` prints each row's ratio across runs and ``--plot FILE`` draws it.

Regression gate: ``quick-baseline.json`` in the same folder holds the rows of one ``--quick`` run
(same layout, ``"mode": "quick"``); ``run.py --quick`` compares each row's ratio with it
(:func:`compare`) and fails when a ratio falls below ``REGRESSION_FRACTION`` of the baseline's.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HISTORY_DIR = HERE / "history"
BASELINE = HISTORY_DIR / "quick-baseline.json"
#: a quick-run ratio below this fraction of the baseline's is a regression (the machine is noisy: half is real)
REGRESSION_FRACTION = 0.5
#: rows whose coop or reference time per call is below this are not compared (call overhead and timer dominate)
MIN_COMPARED_SECONDS = 1e-6
#: history files are named by date first, so a listing sorts by time; other files in the folder are not runs
_RUN_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-[0-9a-f]+(-dirty)?(-\d+)?\.json$")


# ----------------------------------------------------------------------------- run records
def git_state(root: Path = HERE.parent) -> dict[str, Any]:
    """The checked-out commit (full hash), whether tracked files differ from it (the run's own outputs,
    ``benchmarks/latest.json`` and this history, do not count), and its subject line."""
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return out.stdout.strip() if out.returncode == 0 else ""

    commit = git("rev-parse", "HEAD")
    return {"commit": commit or "unknown",
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no", "--", ".",
                              ":(exclude)benchmarks/latest.json", ":(exclude)benchmarks/history")) if commit else None,
            "subject": git("log", "-1", "--format=%s") if commit else ""}


def machine_info() -> dict[str, Any]:
    """CPU model, logical cores, total memory in bytes, Python version and system of this machine."""
    cpu = platform.processor() or platform.machine()
    memory = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_bytes": memory,
            "python": platform.python_version(), "system": platform.system()}


def run_record(rows: Sequence[Mapping[str, Any]], mode: str, seeds: int | None = None, repeats: int | None = None,
               when: str | None = None, git: Mapping[str, Any] | None = None,
               machine: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One run as a history record (see the module docstring); ``git`` and ``machine`` default to this checkout's."""
    state = dict(git_state() if git is None else git)
    return {"date": when or time.strftime("%Y-%m-%dT%H:%M:%S%z"), "commit": state.get("commit", "unknown"),
            "dirty": state.get("dirty"), "subject": state.get("subject", ""),
            "machine": dict(machine_info() if machine is None else machine), "mode": mode,
            "seeds": seeds, "repeats": repeats, "imported": False, "rows": [dict(r) for r in rows]}


def append_run(record: Mapping[str, Any], directory: Path = HISTORY_DIR) -> Path:
    """Write ``record`` as a new file of ``directory`` (never over an existing one); return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{str(record['date'])[:10]}-{str(record['commit'])[:10]}" + ("-dirty" if record.get("dirty") else "")
    path = directory / f"{stem}.json"
    n = 2
    while path.exists():
        path = directory / f"{stem}-{n}.json"
        n += 1
    path.write_text(json.dumps(record, indent=1) + "\n")
    return path


def load_history(directory: Path = HISTORY_DIR) -> list[dict[str, Any]]:
    """The run records of ``directory`` (files named ``YYYY-MM-DD-<commit>...json``), oldest first."""
    if not directory.is_dir():
        return []
    runs = [json.loads(p.read_text()) for p in directory.iterdir() if _RUN_NAME.match(p.name)]
    return sorted(runs, key=lambda r: str(r["date"]))


def import_committed(directory: Path = HISTORY_DIR, path: str = "benchmarks/latest.json",
                     root: Path = HERE.parent) -> list[Path]:
    """Seed the history with every committed version of ``path`` not imported yet; return the files written.

    Each version becomes one record with ``"imported": true``, the commit that committed it, that
    commit's date and subject, ``"source": "git show <commit>:<path>"`` and no machine (not recorded then).
    """
    log = subprocess.run(["git", "log", "--format=%H%x09%cI%x09%s", "--", path], cwd=root, capture_output=True,
                         text=True, check=True).stdout
    done = {r.get("source") for r in load_history(directory)}
    written = []
    for line in reversed(log.strip().splitlines()):
        commit, date, subject = line.split("\t", 2)
        source = f"git show {commit[:10]}:{path}"
        if source in done:
            continue
        rows = json.loads(subprocess.run(["git", "show", f"{commit}:{path}"], cwd=root, capture_output=True,
                                         text=True, check=True).stdout)
        record = {"date": date, "commit": commit, "dirty": False, "subject": subject, "machine": None,
                  "mode": "full", "seeds": None, "repeats": None, "imported": True, "source": source, "rows": rows}
        written.append(append_run(record, directory))
    return written


# ----------------------------------------------------------------------------- ratios across runs
def row_key(row: Mapping[str, Any]) -> str:
    """What identifies a row across runs: ``workload | size | reference``."""
    return f"{row['workload']} | {row['size']} | {row['reference']}"


def run_label(run: Mapping[str, Any]) -> str:
    """``YYYY-MM-DD commit`` (7 hex digits; ``+`` when dirty, ``*`` when imported)."""
    mark = ("+" if run.get("dirty") else "") + ("*" if run.get("imported") else "")
    return f"{str(run['date'])[:10]} {str(run['commit'])[:7]}{mark}"


def ratio_series(runs: Sequence[Mapping[str, Any]]) -> dict[str, list[float | None]]:
    """Each row key (in order of first appearance) -> its ratio in each run (``None`` where absent or not timed)."""
    series: dict[str, list[float | None]] = {}
    for k, run in enumerate(runs):
        for row in run["rows"]:
            values = series.setdefault(row_key(row), [None] * len(runs))
            values[k] = row.get("ratio")
    return series


def _fmt_ratio(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3g}x" if x < 1000 else f"{x:,.0f}x"


def format_history(runs: Sequence[Mapping[str, Any]]) -> str:
    """A markdown table: one line per row with a ratio, one column per run (oldest first)."""
    if not runs:
        return "no benchmark history"
    series = ratio_series(runs)
    head = ["workload", "size", "reference", *(run_label(r) for r in runs)]  # a row key is these three cells
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, values in series.items():
        if any(v is not None for v in values):
            lines.append("| " + " | ".join([key, *(_fmt_ratio(v) for v in values)]) + " |")
    notes = [f"{run_label(r)}: imported from {r.get('source', 'an older file')}" for r in runs if r.get("imported")]
    notes += [f"{run_label(r)}: tracked files differed from the commit" for r in runs if r.get("dirty")]
    return "\n".join(lines + ([""] + [f"- {n}" for n in notes] if notes else []))


#: a panel of the history plot shows at most this many rows; a workload with more gets one panel per reference
PANEL_LINES = 6


def _panels(series: Mapping[str, list[float | None]]) -> dict[str, list[tuple[str, list[float | None]]]]:
    """Panel title -> (line label, ratios): one panel per workload, or per workload and reference when it is crowded."""
    by_workload: dict[str, list[tuple[str, str, list[float | None]]]] = {}
    for key, values in series.items():
        if any(v is not None for v in values):
            workload, size, reference = key.split(" | ", 2)
            by_workload.setdefault(workload, []).append((size, reference, values))
    panels: dict[str, list[tuple[str, list[float | None]]]] = {}
    for workload, lines in by_workload.items():
        if len(lines) <= PANEL_LINES:
            panels[workload] = [(f"{size} | {reference}", values) for size, reference, values in lines]
        else:
            for size, reference, values in lines:
                panels.setdefault(f"{workload} vs {reference}", []).append((size, values))
    return panels


def plot_history(runs: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Small multiples: each row's ratio (log scale) across runs, oldest on the left; see :func:`_panels`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = _panels(ratio_series(runs))
    cols = 3
    rows = max(1, -(-len(panels) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 3.9 * rows), squeeze=False)
    labels = [run_label(r).replace(" ", "\n", 1)[5:] for r in runs]  # MM-DD, then the commit
    x = list(range(len(runs)))
    for ax, (title, lines) in zip(axes.flat, panels.items(), strict=False):
        top = 0.0
        low = float("inf")
        for label, values in lines:
            pts = [(i, v) for i, v in zip(x, values, strict=True) if v is not None and v > 0]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", markersize=3, linewidth=1.3,
                        label=label if len(label) <= 70 else label[:67] + "...")
                top = max(top, max(p[1] for p in pts))
                low = min(low, min(p[1] for p in pts))
        ax.set_yscale("log")
        if top > 0:
            ax.set_ylim(min(low, 1.0) / 1.5, top * 10 ** (0.25 * len(lines) + 0.3))  # room for the legend above
        ax.axhline(1.0, color="0.6", linewidth=0.8, linestyle=":")
        ax.set_title(title if len(title) <= 75 else title[:72] + "...", fontsize=9)
        ax.set_xticks(x)
        ax.set_xticklabels(labels, fontsize=6.5)
        ax.set_ylabel("reference time / coop time", fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.legend(fontsize=6.5, loc="upper left", frameon=False)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.suptitle("coop benchmark ratios across commits (higher: coop faster; dotted: parity; * imported from "
                 "latest.json, + uncommitted changes)", fontsize=11)
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 1.0 - 0.35 / fig.get_figheight()))  # the title above the panels
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


# ----------------------------------------------------------------------------- regression gate
def not_compared(row: Mapping[str, Any]) -> str | None:
    """Why a row's ratio is not compared with the baseline, or ``None`` when it is."""
    reference = str(row.get("reference", ""))
    if row.get("agree") is False:
        return "wrong answer (fails the run on its own)"
    if row.get("ratio") is None:
        return "no ratio (no reference timed)"
    if reference.startswith("coop"):
        return "coop against itself on more threads or workers: needs idle cores"
    if "floor" in reference:
        return "a hardware floor, measured under whatever load the machine has"
    times = [row.get("coop_seconds"), row.get("reference_seconds")]
    if any(t is None or t < MIN_COMPARED_SECONDS for t in times):
        return f"a time per call below {MIN_COMPARED_SECONDS:g} s"
    return None


@dataclass
class Comparison:
    """The quick run's ratios against the baseline's.

    ``regressions``: (row key, ratio, baseline ratio) below ``fraction`` of the baseline, coop slower than in
    the baseline; ``reference_faster``: the same, but coop's own time per call no longer than the baseline's
    (the reference got faster: reported, not failed); ``compared``: the row keys compared; ``skipped``:
    (row key, why) not compared; ``missing``: rows of the run not in the baseline.
    """

    fraction: float
    regressions: list[tuple[str, float, float]] = field(default_factory=list)
    reference_faster: list[tuple[str, float, float]] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.regressions)


def compare(rows: Iterable[Mapping[str, Any]], baseline: Iterable[Mapping[str, Any]],
            fraction: float = REGRESSION_FRACTION) -> Comparison:
    """Each row's ratio against the baseline row of the same key (:func:`not_compared`: what is left out)."""
    base = {row_key(r): r for r in baseline}
    out = Comparison(fraction)
    for row in rows:
        key = row_key(row)
        if key not in base:
            out.missing.append(key)
            continue
        why = not_compared(row) or not_compared(base[key])
        if why:
            out.skipped.append((key, why))
            continue
        out.compared.append(key)
        ratio, ref = float(row["ratio"]), float(base[key]["ratio"])
        if ratio < fraction * ref:
            slower = float(row["coop_seconds"]) > float(base[key]["coop_seconds"])
            (out.regressions if slower else out.reference_faster).append((key, ratio, ref))
    return out


def best_ratios(attempts: Sequence[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The rows of the first attempt, each replaced by the attempt's row with the best (largest) ratio for its key."""
    best: dict[str, Mapping[str, Any]] = {}
    for rows in attempts:
        for r in rows:
            key = row_key(r)
            if r.get("ratio") is not None and (key not in best or float(r["ratio"]) > float(best[key]["ratio"])):
                best[key] = r
    return [dict(best.get(row_key(r), r)) for r in attempts[0]]


def format_comparison(c: Comparison, baseline_name: str = "the baseline") -> str:
    """What was compared, what was left out and why, what is missing from the baseline, and the regressions."""
    lines = [f"speed against {baseline_name}: {len(c.compared)} rows compared (fail below "
             f"{c.fraction:g} x the baseline's ratio), {len(c.skipped)} not compared, "
             f"{len(c.missing)} not in the baseline"]
    lines += [f"  not compared: {key}: {why}" for key, why in c.skipped]
    lines += [f"  not in the baseline (reported, not failed): {key}" for key in c.missing]
    lines += [f"  below {c.fraction:g} x the baseline, but coop's own time is not longer (the reference got "
              f"faster; reported, not failed): {key}: ratio {_fmt_ratio(r)}, baseline {_fmt_ratio(b)}"
              for key, r, b in c.reference_faster]
    lines += [f"  REGRESSION: {key}: ratio {_fmt_ratio(r)}, baseline {_fmt_ratio(b)} ({r / b:.2f} of it)"
              for key, r, b in c.regressions]
    return "\n".join(lines)


def load_baseline(path: Path = BASELINE) -> list[dict[str, Any]] | None:
    """The rows of the quick-run baseline, or ``None`` when there is no such file."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return list(data["rows"] if isinstance(data, dict) else data)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--import-latest"]:
        sys.exit("usage: python benchmarks/history.py --import-latest  (seed the history with every committed "
                 "benchmarks/latest.json)")
    for p in import_committed():
        print(p)
