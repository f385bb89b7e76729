"""Options shared by several ``coop`` commands (rasterio's ``rio`` keeps them in one module too)."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import click

from coop.output_files import check_target
from coop.solvers.shared.tolerances import MAX_REGRET_TOL, MIN_REGRET_TOL


class FiniteFloat(click.FloatRange):
    """A float option that must be a finite number (click's ``FloatRange`` lets NaN through), in a range.

    >>> FiniteFloat(min=0.0, min_open=True).convert("0.5", None, None)
    0.5
    >>> FiniteFloat(min=0.0, min_open=True).convert("nan", None, None)
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: 'nan' is not a finite number.
    """

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.types.FloatParamType.convert(self, value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)


format_opt = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a readable report; json: the document described in docs/json-output.md.",
)

#: ``coop solve`` alone also prints its tables as Markdown, LaTeX or CSV (the other commands keep ``format_opt``).
solve_format_opt = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "latex", "csv"]),
    default="text",
    show_default=True,
    help="text: a readable report; json: the document described in docs/json-output.md; markdown, latex: the "
    "report's tables (payoffs, equilibria, ...) for notes and slides; csv: the equilibria, one row each, one "
    "column per action's probability.",
)

brief_opt = click.option(
    "--brief",
    is_flag=True,
    help="One screen: the story, the equilibria (the first few) and one sentence per section; with markdown or "
    "latex, the equilibria table only.",
)

tol_opt = click.option(
    "--tol",
    type=FiniteFloat(min=MIN_REGRET_TOL, max=MAX_REGRET_TOL),  # as solvers.nash.results.regret_tolerance
    default=None,
    help="Relative regret tolerance for accepting an equilibrium: no player may gain more than TOL times "
    "what is at stake for them (the spread of their payoffs against the others' strategies) "
    f"[default: 1e-9; from {MIN_REGRET_TOL:g} to {MAX_REGRET_TOL:g}].",
)


class _EchoHandler(logging.Handler):
    """Each record as one line on the current stderr (click's, so a test runner sees it); never raises."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # noqa: S110 - stderr gone: nowhere left to say anything
            pass


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """-v: coop's steps and every warning (NumPy's too, routed here by the CLI); -vv: details."""
    level = logging.WARNING - 10 * value
    logger = logging.getLogger("coop")
    if not any(isinstance(h, _EchoHandler) for h in logger.handlers):
        handler = _EchoHandler()
        handler.setFormatter(logging.Formatter("coop: %(message)s"))
        logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(level)
    # other libraries' logs (e.g. Dask's): errors only, unless asked for
    logging.basicConfig(level=logging.ERROR if value == 0 else level, format="coop: %(name)s: %(message)s")
    return value


verbose_opt = click.option(
    "-v",
    "--verbose",
    count=True,
    expose_value=False,
    is_eager=True,
    callback=_set_verbosity,
    help="Report progress on stderr (-v: steps and warnings, and the traceback of an internal error; "
    "-vv: details).",
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
    """Nothing is lost: an existing output file is kept unless ``--force`` was given, and a target that is
    not a regular file or cannot be created is refused, before any work (:func:`coop.output_files.check_target`)."""
    check_target(output, force)
