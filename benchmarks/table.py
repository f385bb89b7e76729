"""The README's benchmark table from the rows ``run.py --json`` wrote: ``python benchmarks/table.py rows.json``."""

from __future__ import annotations

import json
import sys
from pathlib import Path


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


if __name__ == "__main__":
    print(markdown(json.loads(Path(sys.argv[1]).read_text())))
