"""Options shared by several ``coop`` commands (rasterio's ``rio`` keeps them in one module too)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from coop.errors import InputError

format_opt = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a readable report; json: the document described in docs/json-output.md.",
)

tol_opt = click.option(
    "--tol",
    type=click.FloatRange(min=0.0, min_open=True),
    default=None,
    help="Absolute regret tolerance for accepting an equilibrium [default: 1e-9 x payoff spread].",
)


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: int) -> int:
    level = logging.WARNING - 10 * value
    logging.basicConfig(level=level, format="coop: %(message)s")
    logging.getLogger("coop").setLevel(level)
    return value


verbose_opt = click.option(
    "-v",
    "--verbose",
    count=True,
    expose_value=False,
    is_eager=True,
    callback=_set_verbosity,
    help="Report progress on stderr (-v: steps, -vv: details).",
)


def _parse_assignments(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not sep or not name or number != number or number in (float("inf"), float("-inf")):
            raise click.BadParameter(f"expected NAME=NUMBER, got {item!r}", ctx=ctx, param=param)
        out[name] = number
    return out


set_opt = click.option(
    "--set",
    "overrides",
    metavar="NAME=VALUE",
    multiple=True,
    callback=_parse_assignments,
    help="Override a scenario parameter (repeatable), e.g. --set relative_gains=0.5.",
)


force_opt = click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")


def refuse_overwrite(output: Path, force: bool) -> None:
    """Nothing is lost: an existing output file is kept unless ``--force`` was given."""
    if output.exists() and not force:
        raise InputError("file exists; use --force to overwrite it", source=str(output))
