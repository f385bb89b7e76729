"""The ``coop`` command line.

Commands import their solvers inside the function body so that ``coop --help``
stays fast. JSON goes to stdout, progress and logs to stderr. Bad input raises
:class:`coop.errors.InputError`, shown as one line with exit status 2.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from coop import __version__
from coop.errors import InputError
from coop.options import force_opt, format_opt, refuse_overwrite, set_opt, tol_opt, verbose_opt
from coop.sections.registry import figure_help, figure_kinds
from coop.solvers.nash.methods import METHOD_HELP, METHODS, Method

log = logging.getLogger("coop")


class BadInput(click.ClickException):
    """A one-line error about the user's input; exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"coop: error: {self.format_message()}", err=True)


def reports_bad_input(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn InputError and file-system errors into one line and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as err:
            raise BadInput(str(err)) from err
        except (FileNotFoundError, IsADirectoryError, PermissionError) as err:
            raise BadInput(f"{err.filename}: {err.strerror}") from err
        except MemoryError as err:
            raise BadInput("not enough memory for this game; try a smaller game or --method pure") from err

    return wrapper


def _dump_json(doc: Any) -> None:
    click.echo(json.dumps(doc, indent=2, allow_nan=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coop")
def cli() -> None:
    """coop: game-theoretic analysis of international AI cooperation.

    Write a scenario (players, actions, payoffs; see docs/scenario-format.md)
    or take a Gambit .nfg file, then run `coop solve FILE`. Bundled scenarios
    can be named instead of a file: `coop list` shows them.
    """


@cli.command()
@click.argument("file")
@format_opt
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
@verbose_opt
@reports_bad_input
def solve(
    file: str, fmt: str, method: Method, tol: float | None, overrides: dict[str, float], no_mixed_dominance: bool
) -> None:
    """Compute and verify the Nash equilibria of a scenario or .nfg game.

    FILE is a scenario .yaml file, a Gambit .nfg file, or the name of a
    bundled scenario (see `coop list`). Every equilibrium printed has been
    checked: no player can gain more than the tolerance by deviating.
    """
    from coop.inputs import load_input
    from coop.sections.report import analyse
    from coop.solvers.nash.solve import choose_method

    loaded = load_input(file, overrides)
    game = loaded.game
    chosen = choose_method(game) if method == "auto" else method
    log.info(
        "solving %s: %d players, %s actions, %s profiles, method %s",
        loaded.source, game.num_players, "x".join(map(str, game.num_actions)), f"{game.num_profiles:,}", chosen,
    )
    report = analyse(loaded, method=method, tol=tol, mixed_dominance=not no_mixed_dominance)
    log.info("ran sections: %s", ", ".join(report.sections))
    if fmt == "json":
        _dump_json(report.to_dict())
    else:
        click.echo(report.text(), nl=False)


@cli.command("list")
@format_opt
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
        click.echo(f"{s.name.ljust(width)}  {s.title}")
        for line in textwrap.wrap(s.summary, 86 - width):
            click.echo(f"{' ' * width}  {line}")
    click.echo("\nSolve one with `coop solve NAME`; to edit one, copy its file (paths: coop list --format json).")


@cli.command()
@click.argument("file")
@set_opt
@verbose_opt
@reports_bad_input
def validate(file: str, overrides: dict[str, float]) -> None:
    """Check a scenario or .nfg file without solving it; exit status 2 on the first problem."""
    from coop.inputs import load_input

    loaded = load_input(file, overrides)
    game = loaded.game
    shape = " x ".join(str(a) for a in game.num_actions)
    parts = [f"{game.num_players} players ({', '.join(game.players)})", f"{shape} actions"]
    if loaded.scenario is not None:
        parts.append(f"{len(loaded.scenario.parameters)} parameters")
        parts.append(f"{len(loaded.red_lines)} red lines")
    click.echo(f"ok: {loaded.source}: {', '.join(parts)}")


@cli.command()
@click.argument("file")
@click.option("--to", "target", type=click.Choice(["nfg"]), default="nfg", show_default=True, help="Output format.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of stdout (an existing file is kept unless --force).",
)
@force_opt
@set_opt
@reports_bad_input
def export(file: str, target: str, output: Path | None, force: bool, overrides: dict[str, float]) -> None:
    """Write the stage game of a scenario (or .nfg file) in another format, e.g. Gambit .nfg."""
    from coop.inputs import load_input

    text = load_input(file, overrides).game.to_nfg()
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    refuse_overwrite(output, force)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)


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
    help="PNG file to write [default: NAME-KIND.png in the current folder]; an existing file is kept unless --force.",
)
@force_opt
@click.option(
    "--delta",
    type=click.FloatRange(0.0, 1.0, max_open=True),
    default=None,
    help="Discount factor to draw at [default: the scenario's repeated.delta].",
)
@set_opt
@verbose_opt
@reports_bad_input
def plot(file: str, kind: str, output: Path | None, force: bool, delta: float | None,
         overrides: dict[str, float]) -> None:
    """Draw a figure of a scenario or .nfg game as a PNG file."""
    from coop.inputs import load_input
    from coop.plots import save_figure
    from coop.sections.base import PlotOptions
    from coop.sections.report import draw_figure

    loaded = load_input(file, overrides)
    if output is None:
        output = Path(f"{Path(loaded.source).stem}-{kind}.png")
    refuse_overwrite(output, force)
    log.info("drawing %s of %s", kind, loaded.source)
    save_figure(draw_figure(kind, loaded, PlotOptions(delta=delta)), str(output))
    click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("file")
@click.option("-p", "--param", "ranges", metavar="NAME=RANGE", multiple=True,
              help="A swept parameter (repeatable): NAME=START:STOP:NUM (NUM points, both ends), "
              "NAME=START:STOP:NUM:log, NAME=V1,V2,V3, or NAME=START:STOP for sampled designs. "
              "Default: the scenario's sweep section.")
@click.option("--design", type=click.Choice(["grid", "random", "sobol", "lhs"]), default=None,
              help="grid: every combination [default]; random, sobol, lhs (Latin hypercube): --points points "
              "drawn between the bounds.")
@click.option("--points", type=click.IntRange(min=1), default=None, help="Points of a sampled design.")
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
              help="Draw the sweep as PNG: one parameter, regions along it; two, a phase diagram.")
@click.option("--region", "regions", multiple=True, metavar="METRIC",
              help="Metrics whose values name the regions of --plot (repeatable) [default: stage.structure].")
@click.option("--line", "lines", multiple=True, metavar="METRIC",
              help="Continuous metrics drawn along a single parameter in --plot (repeatable).")
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
          regions: tuple[str, ...], lines: tuple[str, ...], workers: int | None, scheduler: str | None,
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
    from coop.sweeps.output import check_output, write_table
    from coop.sweeps.run import run

    if resume and store is None:
        raise InputError("--resume needs --store FOLDER (where the interrupted sweep kept its chunks)")
    if plot_path is not None:
        refuse_overwrite(plot_path, force)
    if output is not None:
        check_output(output, force)
        thresholds_path = output.with_name(f"{output.stem}-thresholds{output.suffix}")
    hint = f"resume with the same command and --store {store} --resume" if store is not None else None
    try:
        result = run(file, ranges, design=design, points=points, seed=seed, fixed=overrides, method=method,
                     sections=sections, thresholds=thresholds, threshold_metrics=threshold_metrics or None,
                     workers=workers, scheduler=scheduler, store=store, resume=resume, force=force,
                     progress=progress, resume_hint=hint, announce=lambda text: click.echo(text, err=True))
    except KeyboardInterrupt:
        raise click.exceptions.Exit(130) from None
    if output is not None:
        write_table(result.table, output, force=force)
        click.echo(f"wrote {output} ({len(result.table):,} points)", err=True)
        if result.thresholds:
            write_table(result.thresholds_table(), thresholds_path, force=force)
            click.echo(f"wrote {thresholds_path} ({len(result.thresholds)} thresholds)", err=True)
    if plot_path is not None:
        from coop.plots import save_figure
        from coop.sweeps.figure import plot_sweep

        fig = plot_sweep(result.table, list(result.design.names), result.thresholds, regions=regions or None,
                         lines=lines or None, title=_sweep_title(result.source))
        save_figure(fig, str(plot_path))
        click.echo(f"wrote {plot_path}", err=True)
    if fmt == "json":
        _dump_json(result.to_dict())
    else:
        click.echo(result.text(regions or None), nl=False)


def _sweep_title(source: str) -> str:
    from coop.scenarios import load

    return load(source).title


def main() -> None:  # pragma: no cover
    cli(prog_name="coop")


if __name__ == "__main__":  # pragma: no cover
    main()
