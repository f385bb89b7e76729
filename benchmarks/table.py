"""The README's benchmark table from the rows ``run.py --json`` wrote, and the ratios across runs.

``python benchmarks/table.py rows.json``: the markdown table of one run.
``python benchmarks/table.py --history [DIR] [--plot FILE]``: each row's ratio in every run recorded in
``benchmarks/history/`` (or ``DIR``), oldest first, and with ``--plot`` a PNG of them (one panel per workload).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # history.py beside this file

from history import HISTORY_DIR, format_history, load_history, plot_history  # noqa: E402


def _seconds(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def _ratio(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3g}x" if x < 1000 else f"{x:,.0f}x"


def markdown(rows: list[dict]) -> str:
    """One markdown table row per benchmark row; a missed target is marked in bold."""
    lines = ["| workload | size | reference | coop s | reference s | ratio | target | meets |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        meets = {True: "yes", False: "**no**", None: "-"}[r.get("meets_target")]
        lines.append(f"| {r['workload']} | {r['size']} | {r['reference']} | {_seconds(r['coop_seconds'])} | "
                     f"{_seconds(r['reference_seconds'])} | {_ratio(r['ratio'])} | {r.get('target', '')} | {meets} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", nargs="?", help="a run's JSON rows (run.py --json)")
    parser.add_argument("--history", nargs="?", const=str(HISTORY_DIR), metavar="DIR",
                        help="print each row's ratio across the runs in DIR (default benchmarks/history/)")
    parser.add_argument("--plot", metavar="FILE", help="with --history: draw the ratios to FILE (PNG)")
    args = parser.parse_args(argv)
    if args.history is None:
        if args.rows is None or args.plot:
            parser.error("give a rows file, or --history [DIR] (with --plot FILE)")
        print(markdown(json.loads(Path(args.rows).read_text())))
        return 0
    runs = load_history(Path(args.history))
    print(format_history(runs))
    if args.plot:
        if not runs:
            parser.error(f"no runs in {args.history} to plot")
        print(f"plot: {plot_history(runs, args.plot)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
