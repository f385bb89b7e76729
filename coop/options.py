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
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a valid float.", param, ctx)
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

time_limit_opt = click.option(
    "--time-limit",
    type=FiniteFloat(min=0.0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Stop long computations after about this many seconds in all, and print what was verified by then, "
    "marked INCOMPLETE (in JSON: complete false and the reason). Ctrl-C does the same, then exits with 130.",
)

quiet_opt = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress bar on stderr (there is one only on a terminal, for computations of more than a second).",
)


def refuse_overwrite(output: Path, force: bool) -> None:
    """Nothing is lost: an existing output file is kept unless ``--force`` was given, and a target that is
    not a regular file or cannot be created is refused, before any work (:func:`coop.output_files.check_target`)."""
    check_target(output, force)


class FigureSize(click.ParamType):
    """``WxH``: a figure's width and height in inches, e.g. ``8x4.5``.

    >>> FigureSize().convert("8x4.5", None, None)
    (8.0, 4.5)
    >>> FigureSize().convert("8 by 4", None, None)
    Traceback (most recent call last):
    ...
    click.exceptions.BadParameter: expected WIDTHxHEIGHT in inches (e.g. 8x4.5), got '8 by 4'.
    """

    name = "WxH"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        from coop.sections.base import SIZE_RANGE

        parts = str(value).lower().split("x")
        try:
            width, height = (float(p) for p in parts)
        except ValueError:
            self.fail(f"expected WIDTHxHEIGHT in inches (e.g. 8x4.5), got {value!r}.", param, ctx)
        low, high = SIZE_RANGE
        if not all(math.isfinite(v) and low <= v <= high for v in (width, height)):
            self.fail(f"each side is from {low:g} to {high:g} inches, got {value!r}.", param, ctx)
        return (width, height)


def figure_options(func: Any) -> Any:
    """``--style``, ``--size`` and ``--dpi`` of a command that draws a figure."""
    from coop.sections.base import DPI_RANGE, FIGURE_STYLES

    func = click.option("--dpi", type=FiniteFloat(*DPI_RANGE), default=None,
                        help="Dots per inch: a PNG is SIZE x DPI pixels [default: 150 for paper, 144 for slide].")(func)
    func = click.option("--size", type=FigureSize(), default=None,
                        help="Width x height in inches, e.g. 8x4.5 [default: the style's size for the figure].")(func)
    func = click.option("--style", type=click.Choice(FIGURE_STYLES), default="paper", show_default=True,
                        help="paper: for a page or a notebook, text of at least 9 pt; slide: 16:9 (13.33x7.5 in, "
                        "1920x1080 pixels at 144 dpi), text of at least 12 pt.")(func)
    return func
