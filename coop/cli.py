"""The ``coop`` command line.

Commands import their solvers inside the function body so that ``coop --help``
stays fast. JSON goes to stdout, progress and logs to stderr.

Every problem ends with one line on stderr and an exit status, never a traceback
(docs/cli.md):

``0``
    Success.
``1``
    An internal error, a bug in coop: ``coop: internal error: TYPE: MESSAGE (this is a
    bug in coop; ...)``; with ``-v`` the traceback is printed above it.
``2``
    Bad input (:class:`coop.errors.InputError`: a malformed file, a bad option value,
    a game too large for memory) as ``coop: error: ...``; also output that cannot be
    written (a full disk, a folder without write permission, a target that is not a
    regular file, a full standard output).
``130``
    Interrupted (Ctrl-C): ``coop: interrupted`` (``coop sweep`` says how to resume). ``coop solve``
    first prints what it had verified, marked incomplete: a long computation (an enumeration, a tournament, a
    stationary distribution) stops within a fraction of a second and keeps its results.
``141``
    Standard output was closed before coop finished writing (``coop solve ... | head -1``):
    coop stops quietly, with the status a shell reports for a process ended by SIGPIPE
    (128 + 13), so that a pipeline with ``set -o pipefail`` can tell it from an error.

Warnings from NumPy or Python (a ``RuntimeWarning: overflow``) are not printed;
``-v`` shows them as ``coop: ...`` lines. Files are written whole or not at all
(:mod:`coop.output_files`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from coop import __version__
from coop.errors import InputError
from coop.options import (
    FiniteFloat,
    brief_opt,
    figure_options,
    force_opt,
    format_opt,
    quiet_opt,
    refuse_overwrite,
    set_opt,
    solve_format_opt,
    time_limit_opt,
    tol_opt,
    verbose_opt,
)
from coop.sections.registry import figure_help, figure_kinds
from coop.solvers.nash.methods import METHOD_HELP, METHODS, Method

log = logging.getLogger("coop")

#: Exit statuses (see the module doc).
EXIT_INTERNAL_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_CLOSED_PIPE = 141
#: The most points ``coop sweep --points`` takes (a sampled design draws them all at once: 80 MB per parameter).
MAX_SAMPLED_POINTS = 10_000_000
#: errno values of a write that failed because the output is full or broken (not a bug in coop).
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


class BadInput(click.ClickException):
    """A one-line error about the user's input; exit status 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file: Any = None) -> None:
        _say(f"error: {self.format_message()}")


def _say(text: str) -> None:
    """One line ``coop: TEXT`` on stderr, if stderr can still take it."""
    with contextlib.suppress(OSError, ValueError):
        click.echo(f"coop: {text}", err=True)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def memory_message(err: BaseException) -> str:
    """What ran out, in one line: NumPy names the array it could not allocate; Python says nothing."""
    detail = _one_line(str(err))
    if detail:
        detail = detail[0].lower() + detail[1:]
    else:
        detail = "the computation needed more memory than this machine has available"
    return f"not enough memory for this input ({detail})"


def reports_bad_input(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn InputError and file-system errors into one line and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as err:
            raise BadInput(str(err)) from err
        except OSError as err:
            if err.filename is None:
                raise  # not about a file the user named: the command line's safety net decides
            raise BadInput(f"{err.filename}: {err.strerror or err}") from err
        except MemoryError as err:
            raise BadInput(memory_message(err)) from err

    return wrapper


def _discard_stdout() -> None:
    """After standard output failed: send what is still buffered to /dev/null, so that Python's
    final flush has nothing to fail on (no "Exception ignored ... BrokenPipeError" at exit)."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)


def _output_failed(err: OSError) -> NoReturn:
    """Standard output could not be written: quietly 141 for a closed pipe, else one line and 2."""
    _discard_stdout()
    if err.errno == errno.EPIPE:
        raise click.exceptions.Exit(EXIT_CLOSED_PIPE) from None
    raise BadInput(f"cannot write to standard output ({err.strerror or err})") from None


def _out(text: str, nl: bool = True) -> None:
    """Print a command's result on stdout; a full or closed stdout ends coop cleanly (see the module doc)."""
    if sys.stdout is None:  # started with stdout closed
        raise BadInput("cannot write to standard output (it is closed)")
    try:
        click.echo(text, nl=nl)
    except OSError as err:
        _output_failed(err)


def _note(text: str) -> None:
    """A message for the user on stderr ("wrote FILE"); best effort: the result is already written."""
    with contextlib.suppress(OSError, ValueError):
        click.echo(text, err=True)


def _dump_json(doc: Any) -> None:
    _out(json.dumps(doc, indent=2, allow_nan=False))


def _internal_error(err: BaseException) -> None:
    """A bug in coop: one line (and the traceback above it at -v)."""
    verbose = log.isEnabledFor(logging.INFO)
    if verbose:
        with contextlib.suppress(OSError, ValueError):
            click.echo("".join(traceback.format_exception(err)).rstrip("\n"), err=True)
    message = _one_line(str(err))
    what = f"{type(err).__name__}: {message}" if message else type(err).__name__
    hint = "the traceback is above" if verbose else "run again with -v to see the traceback"
    _say(f"internal error: {what} (this is a bug in coop; {hint})")


def _log_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: Any = None, line: str | None = None) -> None:
    """Where warnings go while a command runs: the ``coop`` log, shown with -v."""
    log.info("%s: %s (%s, line %d)", category.__name__, _one_line(str(message)), filename, lineno)


@contextlib.contextmanager
def _quiet_workers() -> Iterator[None]:
    """Worker processes started meanwhile (a sweep's) print no warnings either, unless -v or PYTHONWARNINGS."""
    if log.isEnabledFor(logging.INFO) or "PYTHONWARNINGS" in os.environ:
        yield
        return
    os.environ["PYTHONWARNINGS"] = "ignore"
    try:
        yield
    finally:
        os.environ.pop("PYTHONWARNINGS", None)


class CoopGroup(click.Group):
    """The ``coop`` group: every command's failure ends with one line and an exit status (the module doc).

    Bad input and bad option values (click's usage errors included) are one ``coop: error:`` line
    with status 2; output that cannot be written is one line with 2 (or, for a closed pipe, no
    line and 141); Ctrl-C is ``coop: interrupted`` and 130; any other exception is a bug in coop:
    one ``coop: internal error:`` line and 1 (-v adds the traceback). Warnings go to the log (-v).
    """

    def invoke(self, ctx: click.Context) -> Any:
        log.setLevel(logging.WARNING)  # until the command's -v says otherwise
        try:
            return super().invoke(ctx)
        except click.UsageError as err:  # a bad option value, a missing argument, an unknown command
            where = err.ctx.command_path if err.ctx is not None else "coop"
            message = _one_line(err.format_message()).rstrip(".")
            message = message[:1].lower() + message[1:]
            raise BadInput(f"{message} (see '{where} --help')") from err
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            _say("interrupted")
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except InputError as err:
            raise BadInput(str(err)) from err
        except MemoryError as err:
            raise BadInput(memory_message(err)) from err
        except OSError as err:
            if err.errno == errno.EPIPE or (err.filename is None and err.errno in OUTPUT_ERRNOS):
                _output_failed(err)  # output written by click itself, such as a command's --help
            if err.filename is not None:
                raise BadInput(f"{err.filename}: {err.strerror or err}") from err
            _internal_error(err)
            raise click.exceptions.Exit(EXIT_INTERNAL_ERROR) from None
        except Exception as err:
            _internal_error(err)
            raise click.exceptions.Exit(EXIT_INTERNAL_ERROR) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.showwarning = _log_warning
            try:
                return super().main(*args, **kwargs)
            except OSError as err:  # click's own output (coop --help, an error line) could not be written
                if not kwargs.get("standalone_mode", True):
                    raise
                _discard_stdout()
                if err.errno == errno.EPIPE:
                    sys.exit(EXIT_CLOSED_PIPE)
                _say(f"error: cannot write to standard output ({err.strerror or err})")
                sys.exit(EXIT_BAD_INPUT)


@click.group(cls=CoopGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coop")
def cli() -> None:
    """coop: game-theoretic analysis of international AI cooperation.

    Write a scenario (players, actions, payoffs; see docs/scenario-format.md)
    or take a Gambit .nfg file, then run `coop solve FILE`. Bundled scenarios
    can be named instead of a file: `coop list` shows them.
    """


@cli.command()
@click.argument("file")
@solve_format_opt
@brief_opt
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="auto",
    show_default=True,
    help=" ".join(f"{name}: {text}." for name, text in METHOD_HELP.items()),
)
@tol_opt
@set_opt
@click.option("--no-mixed-dominance", is_flag=True, help="Check domination by pure strategies only.")
@time_limit_opt
@quiet_opt
@verbose_opt
@reports_bad_input
def solve(
    file: str, fmt: str, brief: bool, method: Method, tol: float | None, overrides: dict[str, float],
    no_mixed_dominance: bool, time_limit: float | None, quiet: bool
) -> None:
    """Compute and verify the Nash equilibria of a scenario or .nfg game.

    FILE is a scenario .yaml file, a Gambit .nfg file, or the name of a
    bundled scenario (see `coop list`). Every equilibrium printed has been
    checked: no player can gain more than the tolerance by deviating.

    \b
      coop solve collective-risk --brief                 # one screen
      coop solve export-controls --format markdown       # the tables, for notes
      coop solve red-lines --format csv > eq.csv         # one row per equilibrium
    """
    if brief and fmt in ("json", "csv"):
        raise InputError(f"--brief shortens the text, markdown and latex reports; --format {fmt} always gives "
                         "every equilibrium")
    from coop import startup
    from coop.inputs import load_input
    from coop.sections.report import analyse
    from coop.solvers.shared.progress import TimeLimit

    limit = TimeLimit.from_now(time_limit) if time_limit is not None else None  # counts the loading too
    loaded = load_input(file, overrides)
    startup.begin(loaded)  # before any solver is imported: a small game is solved without compiling
    from coop.solvers.nash.solve import choose_method

    game = loaded.stage
    if game is None:
        log.info("solving %s: a group of %d members by counts, %s", loaded.source, len(loaded.players),
                 startup.describe())
    else:
        chosen = choose_method(game) if method == "auto" else method
        log.info(
            "solving %s: %d players, %s actions, %s profiles, method %s, %s",
            loaded.source, game.num_players, "x".join(map(str, game.num_actions)), f"{game.num_profiles:,}", chosen,
            startup.describe(),
        )
    report = analyse(loaded, method=method, tol=tol, mixed_dominance=not no_mixed_dominance, stop_after=limit,
                     progress=_show_progress(quiet))
    log.info("ran sections: %s", ", ".join(report.sections))
    if fmt == "json":
        _dump_json(report.to_dict())
    else:
        _out(report.render(fmt, brief=brief), nl=False)
    startup.finish(complete=report.interrupted is None)
    if report.interrupted is not None:  # Ctrl-C: what was verified is printed above, marked incomplete
        _say("interrupted")
        raise click.exceptions.Exit(EXIT_INTERRUPTED)


def _show_progress(quiet: bool) -> bool:
    """A progress bar for long steps: on a terminal, unless --quiet."""
    if quiet:
        return False
    try:
        return bool(sys.stderr is not None and sys.stderr.isatty())
    except (AttributeError, ValueError):  # a replaced or closed stderr
        return False


@cli.command("list")
@format_opt
@verbose_opt
@reports_bad_input
def list_scenarios(fmt: str) -> None:
    """List the bundled scenarios (solve one with `coop solve NAME`)."""
    from coop.scenarios import bundled_scenarios

    items = bundled_scenarios()
    if fmt == "json":
        _dump_json([{"name": s.name, "title": s.title, "summary": s.summary, "path": str(s.path)} for s in items])
        return
    import textwrap

    width = max((len(s.name) for s in items), default=0)
    for s in items:
        _out(f"{s.name.ljust(width)}  {s.title}")
        for line in textwrap.wrap(s.summary, 86 - width):
            _out(f"{' ' * width}  {line}")
    _out("\nSolve one with `coop solve NAME`; to edit one, copy its file (paths: coop list --format json).")


@cli.command()
@click.argument("file")
@set_opt
@verbose_opt
@reports_bad_input
def validate(file: str, overrides: dict[str, float]) -> None:
    """Check a scenario or .nfg file without solving it; exit status 2 on the first problem."""
    from coop.inputs import load_input
    from coop.report_text import plural

    loaded = load_input(file, overrides)
    group = loaded.group
    if group is not None:
        parts = [f"a group of {group.size} members ({', '.join(group.actions)}), by counts"]
    else:
        game = loaded.game
        shape = " x ".join(str(a) for a in game.num_actions)
        parts = [f"{plural(game.num_players, 'player')} ({', '.join(game.players)})", f"{shape} actions"]
    if loaded.scenario is not None:
        parts.append(plural(len(loaded.scenario.parameters), "parameter"))
        parts.append(plural(len(loaded.red_lines), "red line"))
    _out(f"ok: {loaded.source}: {', '.join(parts)}")


@cli.command()
@click.argument("file")
@click.option("--to", "target", type=click.Choice(["nfg"]), default="nfg", show_default=True, help="Output format.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of stdout; an existing file is kept unless --force, and is replaced only "
    "once the new one is complete.",
)
@force_opt
@set_opt
@verbose_opt
@reports_bad_input
def export(file: str, target: str, output: Path | None, force: bool, overrides: dict[str, float]) -> None:
    """Write the stage game of a scenario (or .nfg file) in another format, e.g. Gambit .nfg."""
    from coop.inputs import load_input
    from coop.output_files import write_text

    if output is not None:
        refuse_overwrite(output, force)
    text = load_input(file, overrides).game.to_nfg()
    if output is None:
        _out(text, nl=not text.endswith("\n"))
        return
    write_text(output, text, force=force)
    _note(f"wrote {output}")


@cli.command()
@click.argument("file")
@click.option(
    "--kind",
    type=click.Choice(list(figure_kinds())),
    required=True,
    help=figure_help(),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write, as PNG, SVG or PDF by its suffix (.png, .svg, .pdf) [default: NAME-KIND.png in the "
    "current folder]; an existing file is kept unless --force.",
)
@force_opt
@click.option(
    "--delta",
    type=FiniteFloat(0.0, 1.0, max_open=True),
    default=None,
    help="Discount factor to draw at [default: the scenario's repeated.delta].",
)
@figure_options
@set_opt
@verbose_opt
@reports_bad_input
def plot(file: str, kind: str, output: Path | None, force: bool, delta: float | None, style: str,
         size: tuple[float, float] | None, dpi: float | None, overrides: dict[str, float]) -> None:
    """Draw a figure of a scenario or .nfg game as a PNG, SVG or PDF file (by the suffix of -o).

    \b
      coop plot ai-arms-race --kind payoff-sets -o sets.pdf           # for a paper
      coop plot ai-arms-race --kind critical-delta --style slide -o delta.png   # 1920x1080, large text
      coop plot collective-risk --kind gradient --size 6x4 --dpi 300 -o gradient.png
    """
    from coop import startup
    from coop.inputs import load_input
    from coop.output_files import figure_format
    from coop.plots import save_figure
    from coop.sections.base import PlotOptions
    from coop.sections.report import draw_figure

    options = PlotOptions(delta=delta, style=style, size=size, dpi=dpi)  # refused here, before any work
    if output is not None:
        figure_format(output)
        refuse_overwrite(output, force)
    loaded = load_input(file, overrides)
    if output is None:
        output = Path(f"{Path(loaded.source).stem}-{kind}.png")
        refuse_overwrite(output, force)
    startup.begin(loaded)  # before any solver is imported: a small game is solved without compiling
    log.info("drawing %s of %s, %s", kind, loaded.source, startup.describe())
    save_figure(draw_figure(kind, loaded, options), output, force=force)
    startup.finish()
    _note(f"wrote {output}")


@cli.command()
@click.argument("file")
@click.option("-p", "--param", "ranges", metavar="NAME=RANGE", multiple=True,
              help="A swept parameter (repeatable): NAME=START:STOP:NUM (NUM points, both ends), "
              "NAME=START:STOP:NUM:log, NAME=V1,V2,V3, or NAME=START:STOP for sampled designs. "
              "Default: the scenario's sweep section.")
@click.option("--design", type=click.Choice(["grid", "random", "sobol", "lhs"]), default=None,
              help="grid: every combination [default]; random, sobol, lhs (Latin hypercube): --points points "
              "drawn between the bounds.")
@click.option("--points", type=click.IntRange(min=1, max=MAX_SAMPLED_POINTS), default=None,
              help="Points of a sampled design.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Seed of a sampled design [default: 0].")
@set_opt
@click.option("--method", type=click.Choice(METHODS), default="auto", show_default=True,
              help="The stage game's equilibrium method at every point (see coop solve --help).")
@click.option("--section", "sections", multiple=True, metavar="NAME",
              help="Record only these sections' metrics (repeatable; e.g. stage, repeated) [default: all].")
@click.option("--thresholds/--no-thresholds", default=None,
              help="Refine by bisection where a categorical metric changes between neighbouring grid points "
              "(and give the closed form where SymPy derives one) [default: the sweep section's choice].")
@click.option("--threshold-metric", "threshold_metrics", multiple=True, metavar="METRIC",
              help="Refine only these metrics (repeatable) [default: every categorical metric].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the table to this .csv, .parquet or .json file (and the thresholds beside it as "
              "NAME-thresholds.SUFFIX); an existing file is kept unless --force.")
@force_opt
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Draw the sweep to this .png, .svg or .pdf file: one parameter, regions along it; two, a phase "
              "diagram.")
@click.option("--region", "regions", multiple=True, metavar="METRIC",
              help="Metrics whose values name the regions of --plot (repeatable) [default: stage.structure].")
@click.option("--line", "lines", multiple=True, metavar="METRIC",
              help="Continuous metrics drawn along a single parameter in --plot (repeatable).")
@figure_options
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes [default: every core].")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Run on this Dask distributed cluster (its workers need coop) [default: $COOP_SCHEDULER].")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep finished chunks in this folder, so an interrupted sweep can be resumed.")
@click.option("--resume", is_flag=True, help="Compute only the points not yet in --store.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr [default: on a terminal].")
@format_opt
@verbose_opt
@reports_bad_input
def sweep(file: str, ranges: tuple[str, ...], design: str | None, points: int | None, seed: int | None,
          overrides: dict[str, float], method: Method, sections: tuple[str, ...], thresholds: bool | None,
          threshold_metrics: tuple[str, ...], output: Path | None, force: bool, plot_path: Path | None,
          regions: tuple[str, ...], lines: tuple[str, ...], style: str, size: tuple[float, float] | None,
          dpi: float | None, workers: int | None, scheduler: str | None,
          store: Path | None, resume: bool, progress: bool | None, fmt: str) -> None:
    """Evaluate a scenario over many parameter points: where does cooperation hold?

    Every point is solved as `coop solve` would and reduced to each section's metrics (number and
    structure of equilibria, red lines crossed, subgame perfection and critical delta per strategy
    profile, least sanctions, where evolution goes, ...): one row per point. Examples:

    \b
      coop sweep ai-arms-race -p relative_gains=0:1:51 --thresholds
      coop sweep ai-arms-race -p relative_gains=0:1:41 -p patience=0.05:0.95:19 --plot phase.png
      coop sweep ai-development-race -o race.csv          # the scenario's own sweep section
    """
    from coop.output_files import figure_format
    from coop.sections.base import PlotOptions
    from coop.sweeps.output import check_output, write_table
    from coop.sweeps.run import run

    plot_options = PlotOptions(style=style, size=size, dpi=dpi)  # refused here, before any work
    if resume and store is None:
        raise InputError("--resume needs --store FOLDER (where the interrupted sweep kept its chunks)")
    if plot_path is not None:
        figure_format(plot_path)
        refuse_overwrite(plot_path, force)
    if output is not None:
        check_output(output, force)
        thresholds_path = output.with_name(f"{output.stem}-thresholds{output.suffix}")
        if thresholds is not False:  # it may be written: refuse now, not after the work
            refuse_overwrite(thresholds_path, force)
    hint = f"resume with the same command and --store {store} --resume" if store is not None else None
    try:
        with _quiet_workers():
            result = run(file, ranges, design=design, points=points, seed=seed, fixed=overrides, method=method,
                         sections=sections, thresholds=thresholds, threshold_metrics=threshold_metrics or None,
                         workers=workers, scheduler=scheduler, store=store, resume=resume, force=force,
                         progress=progress, resume_hint=hint, announce=_note)
    except KeyboardInterrupt as err:
        if not getattr(err, "sweep_reported", False):  # else the sweep has said what it kept and how to resume
            _say("interrupted")
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    if output is not None:
        write_table(result.table, output, force=force)
        _note(f"wrote {output} ({len(result.table):,} point{'' if len(result.table) == 1 else 's'})")
        if result.thresholds:
            write_table(result.thresholds_table(), thresholds_path, force=force)
            count = len(result.thresholds)
            _note(f"wrote {thresholds_path} ({count} threshold{'' if count == 1 else 's'})")
    if plot_path is not None:
        from coop.plots import save_figure
        from coop.sweeps.figure import plot_sweep

        fig = plot_sweep(result, regions=regions or None, lines=lines or None, options=plot_options)
        save_figure(fig, plot_path, force=force)
        _note(f"wrote {plot_path}")
    if fmt == "json":
        _dump_json(result.to_dict())
    else:
        _out(result.text(regions or None), nl=False)


def main() -> None:  # pragma: no cover
    """The ``coop`` program (its console script and ``python -m coop.cli``)."""
    from coop import startup

    startup.allow_choice()  # this process runs one command: it may choose how its kernels run
    cli(prog_name="coop")


if __name__ == "__main__":  # pragma: no cover
    main()
