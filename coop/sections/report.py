"""One report of everything coop computes for an input: :func:`analyse` and :class:`SolveReport`.

``coop solve`` is: load the input, run every registered analysis that applies
(:mod:`coop.sections.registry`), and print the :class:`SolveReport` as JSON or
text. A notebook gets the same with :func:`coop.analyse`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coop.report_text import WIDTH, Table, format_number, plural
from coop.sections.base import Analysis, Metric, PlotOptions, SectionResult, SolveOptions
from coop.solvers.nash.methods import Method
from coop.solvers.shared.progress import ProgressOption, StopAfter

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coop.inputs import LoadedInput
    from coop.scenarios.schema import Scenario


@dataclass(frozen=True, eq=False)
class SolveReport:
    """Every section's result for one input, in report order.

    Attributes
    ----------
    loaded : LoadedInput
        The game, where it came from and (for scenario files) the scenario.
    options : SolveOptions
    sections : dict of str to SectionResult
        One entry per analysis that applies, keyed by its name (``"stage"``, ``"repeated"``,
        ``"payoff_sets"``, ``"tournament"``, ``"dynamics"``, ``"finite_population"``,
        ``"institutions"``, ...).
    interrupted : str or None
        The analysis that was running when Ctrl-C stopped the work, or ``None``. Its result is in
        ``sections`` when it kept what it had verified (the stage game, a tournament, ...); the analyses after
        it did not run (:meth:`not_computed`).

    Examples
    --------
    >>> import coop
    >>> report = coop.analyse("ai-arms-race", relative_gains=0.5)
    >>> report.metrics()["stage.structure"]
    '1 pure (race,race)'
    >>> report.sections["repeated"].metrics()["grim_trigger.spe"]
    True
    """

    loaded: LoadedInput
    options: SolveOptions
    sections: dict[str, SectionResult] = field(default_factory=dict)
    interrupted: str | None = None

    @property
    def game(self) -> Any:
        return self.loaded.game

    def not_computed(self) -> list[str]:
        """The analyses that apply to this input but have no result (Ctrl-C stopped the run before them)."""
        from coop.sections.registry import analyses

        return [a.name for a in analyses() if a.name not in self.sections and a.applies(self.loaded)]

    def interrupted_lines(self) -> list[str]:
        """``INCOMPLETE: ...`` at the end of the text report when Ctrl-C stopped the run, else nothing."""
        if self.interrupted is None:
            return []
        missing = self.not_computed()
        rest = f"; not computed: {', '.join(missing)}" if missing else ""
        return ["", *textwrap.wrap(f"INCOMPLETE: interrupted (Ctrl-C) during the {self.interrupted} section{rest}. "
                                   "Everything above was verified before the interruption.", WIDTH)]

    @property
    def scenario(self) -> Scenario | None:
        scenario: Scenario | None = self.loaded.scenario
        return scenario

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``coop solve`` (docs/json-output.md)."""
        from coop import __version__
        from coop.sections.registry import analyses

        loaded = self.loaded
        doc: dict[str, Any] = {
            "coop_version": __version__,
            "input": {"source": loaded.source, "kind": loaded.kind},
            "title": loaded.title,
            "players": list(loaded.players),
            "actions": {p: list(loaded.actions[i]) for i, p in enumerate(loaded.players)},
        }
        for analysis in analyses():
            result = self.sections.get(analysis.name)
            if result is None:
                continue
            body = result.to_dict()
            if not analysis.json_path:
                doc.update(body)
                if self.scenario is not None and "scenario" not in doc:
                    doc["scenario"] = self.scenario.to_dict()
                continue
            parent = doc
            for key in analysis.json_path[:-1]:
                parent = parent.setdefault(key, {})
            parent[analysis.json_path[-1]] = body
        if self.scenario is not None and "scenario" not in doc:
            doc["scenario"] = self.scenario.to_dict()
        if self.interrupted is not None:
            doc["interrupted"] = {"section": self.interrupted, "not_computed": self.not_computed()}
        if "solver" in doc:  # the solver details close the document, as before the registry
            doc["solver"] = doc.pop("solver")
        return doc

    def header(self) -> list[str]:
        """The opening of the text report: title, source, story, players and parameters."""
        loaded = self.loaded
        title = loaded.title or loaded.source
        lines = [title, "=" * min(len(title), WIDTH), f"source: {_source_label(loaded)}"]
        scenario = self.scenario
        if scenario is not None and scenario.description:
            for para in scenario.description.strip().split("\n\n"):
                lines += textwrap.wrap(" ".join(para.split()), WIDTH)
                lines.append("")
        group = loaded.group
        if group is not None:
            lines += textwrap.wrap(
                f"A group of {group.size} members ({group.players[0]} ... {group.players[-1]}), each with actions "
                f"{', '.join(group.actions)}; payoffs depend on a member's own action and on how many play each "
                f"({plural(len(group.compositions), 'composition')} of the others"
                + (f", {plural(group.num_profiles, 'action profile')} in all)" if group.has_normal_form else
                   f"; its {len(group.actions)}^{group.size} action profiles are not listed: it is analysed by "
                   "counts)"), WIDTH, subsequent_indent="  ")
        else:
            game = loaded.game
            shape = " x ".join(str(a) for a in game.num_actions)
            lines.append(f"{plural(game.num_players, 'player')}, {shape} actions "
                         f"({plural(game.num_profiles, 'action profile')})")
            for i, p in enumerate(game.players):
                lines.append(f"  {p}: {', '.join(game.actions[i])}")
        if scenario is not None and scenario.parameters:
            params = ", ".join(f"{k} = {format_number(v)}" for k, v in scenario.parameters.items())
            lines += textwrap.wrap(f"parameters: {params}", WIDTH, subsequent_indent="  ")
        lines.append("")
        return lines

    def text(self, brief: bool = False) -> str:
        """The text report of ``coop solve`` (``brief``: the story, the equilibria and one sentence per section,
        as ``coop solve --brief`` prints it)."""
        if brief:
            return self.brief()
        lines = self.header()
        first = True
        for result in self.sections.values():
            if not first:
                lines.append("")
            lines += result.text()
            first = False
        lines += self.interrupted_lines()
        lines += ["", *self.figure_lines()]
        return "\n".join(lines).rstrip() + "\n"

    def brief(self) -> str:
        """The report on one screen: title, the story in a sentence, the players, the equilibria (a few rows) and
        one sentence per other section."""
        loaded = self.loaded
        title = loaded.title or loaded.source
        lines = [title, "=" * min(len(title), WIDTH)]
        if self.scenario is not None and self.scenario.description:
            lines += textwrap.wrap(first_sentence(self.scenario.description), WIDTH)
        group = loaded.group
        if group is not None:
            lines += textwrap.wrap(f"A group of {group.size} members, each with actions {', '.join(group.actions)}.",
                                   WIDTH)
        else:
            lines += textwrap.wrap("; ".join(f"{p}: {', '.join(loaded.actions[i])}"
                                             for i, p in enumerate(loaded.players)), WIDTH, subsequent_indent="  ")
        lines.append("")
        for result in self.sections.values():
            brief = getattr(result, "brief", None)
            lines += brief() if callable(brief) else result.text()[:1]
            lines.append("")
        lines += self.figure_lines()
        lines.append(f"The full report: coop solve {plot_target(loaded)} (without --brief).")
        return "\n".join(lines).rstrip() + "\n"

    def available_figures(self) -> list[str]:
        """The figure kinds ``coop plot`` draws for this input (each analysis says which it can)."""
        from coop.sections.registry import figure_kinds

        loaded = self.loaded
        return [kind for kind, owner in figure_kinds().items()
                if (loaded.stage is not None or owner.applies(loaded)) and owner.figure_refusal(kind, loaded) is None]

    def figure_lines(self) -> list[str]:
        """Which ``coop plot`` commands draw figures of this input (only those that can be drawn for it)."""
        kinds = self.available_figures()
        if not kinds:
            return []
        target = plot_target(self.loaded)
        if len(kinds) == 1:
            return [f"Figure: coop plot {target} --kind {kinds[0]}"]
        return textwrap.wrap(f"Figures: coop plot {target} --kind KIND, with KIND one of {', '.join(kinds)}.",
                             WIDTH, subsequent_indent="  ", break_on_hyphens=False)

    def tables(self, brief: bool = False) -> list[Table]:
        """Every table of the report, in report order (``brief``: the equilibria table only)."""
        out: list[Table] = []
        for result in self.sections.values():
            tables = getattr(result, "tables", None)
            if callable(tables):
                out += tables()
        return [t for t in out if t.key == "equilibria"] if brief else out

    def render(self, fmt: str, brief: bool = False) -> str:
        """The report as ``text``, or its tables as ``markdown``, ``latex`` or ``csv`` (the equilibria table:
        one row per equilibrium, one column per action's probability)."""
        if fmt == "text":
            return self.text(brief)
        title = self.loaded.title or self.loaded.source
        tables = self.tables(brief)
        if fmt == "csv":
            return next(t for t in tables if t.key == "equilibria").csv()
        if fmt == "markdown":
            lines = [f"# {title}", ""]
            if self.scenario is not None and self.scenario.description:
                lines += [first_sentence(self.scenario.description), ""]
            for t in tables:
                lines += [*t.markdown(), ""]
            return "\n".join(lines).rstrip() + "\n"
        if fmt == "latex":
            lines = [f"% {title}: tables by coop solve --format latex", ""]
            for t in tables:
                lines += [*t.latex(), ""]
            return "\n".join(lines).rstrip() + "\n"
        raise ValueError(f"unknown report format {fmt!r}")

    def metrics(self) -> dict[str, Metric]:
        """Every section's metrics, flat, as ``"section.metric"`` (what ``coop sweep`` tabulates)."""
        out: dict[str, Metric] = {}
        for name, result in self.sections.items():
            for key, value in result.metrics().items():
                out[f"{name}.{key}"] = value
        return out

    def __repr__(self) -> str:
        return f"SolveReport({self.loaded.source!r}, sections={list(self.sections)})"

    def _repr_html_(self) -> str:
        """The report with its sections as headings, as a notebook shows it (:func:`coop.notebook.report_html`)."""
        from coop.notebook import report_html

        return report_html(self)


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, on one line."""
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat[: end + 1] if end >= 0 else flat


def plot_target(loaded: LoadedInput) -> str:
    """What to give ``coop plot`` (or ``coop solve``) for this input: a bundled scenario's name, else the file."""
    import coop.scenarios

    path = Path(loaded.source)
    if loaded.scenario is not None and path.parent == Path(coop.scenarios.__file__).parent:
        return str(loaded.scenario.name)
    return loaded.source if " " not in loaded.source else repr(loaded.source)


def _source_label(loaded: LoadedInput) -> str:
    import coop.scenarios

    path = Path(loaded.source)
    if loaded.scenario is not None and path.parent == Path(coop.scenarios.__file__).parent:
        return f"bundled scenario {loaded.scenario.name!r} ({path.name})"
    return loaded.source


def _as_loaded(source: Any, parameters: Mapping[str, float]) -> LoadedInput:
    from coop.games.normal_form import NormalFormGame
    from coop.inputs import LoadedInput, load_input
    from coop.scenarios.schema import Scenario

    if isinstance(source, SolveReport):
        source = source.loaded
    if isinstance(source, NormalFormGame):
        if parameters:
            raise TypeError("parameters apply to scenarios; a game has none")
        return LoadedInput(source, source.title or "game", "game")
    if isinstance(source, LoadedInput):
        if parameters:
            if source.scenario is None:
                raise TypeError("parameters apply to scenarios; this input has none")
            source = source.scenario
        else:
            return source
    if isinstance(source, Scenario):
        scenario = source.with_parameters(parameters) if parameters else source
        return LoadedInput.from_scenario(scenario)
    return load_input(str(source), dict(parameters))


def run_analyses(loaded: LoadedInput, options: SolveOptions, selected: list[Analysis]) -> dict[str, SectionResult]:
    """Run ``selected`` analyses (and what they require) in registry order; the results by name.

    Ctrl-C raises ``KeyboardInterrupt`` here (a figure has no use for part of its input); :func:`analyse` keeps
    what was computed instead (:func:`run_until_interrupted`).
    """
    results, interrupted = run_until_interrupted(loaded, options, selected)
    if interrupted is not None:
        raise KeyboardInterrupt
    return results


def run_until_interrupted(loaded: LoadedInput, options: SolveOptions,
                          selected: list[Analysis]) -> tuple[dict[str, SectionResult], str | None]:
    """:func:`run_analyses`, but Ctrl-C ends the run with the results so far and the name of the analysis it
    stopped (``None`` when none was stopped): a long step returns what it verified, marked ``interrupted``
    (:mod:`coop.solvers.shared.progress`); any other step is dropped."""
    from coop.sections.registry import analyses, analysis_named

    wanted = {a.name for a in selected}
    stack = list(selected)
    while stack:  # close over requirements
        for req in stack.pop().requires:
            if req not in wanted:
                wanted.add(req)
                stack.append(analysis_named(req))
    results: dict[str, SectionResult] = {}
    for analysis in analyses():
        if analysis.name in wanted and analysis.applies(loaded):
            earlier = {name: results[name] for name in analysis.requires if name in results}
            try:
                results[analysis.name] = analysis.run(loaded, options, earlier)
            except KeyboardInterrupt:
                return results, analysis.name
            if getattr(results[analysis.name], "interrupted", False):
                return results, analysis.name
    return results, None


def analyse(source: Any, *, method: Method = "auto", tol: float | None = None, mixed_dominance: bool = True,
            stop_after: StopAfter = None, progress: ProgressOption = False, **parameters: float) -> SolveReport:
    """Everything ``coop solve`` computes for a scenario or game, as one :class:`SolveReport`.

    Parameters
    ----------
    source : str, Path, Scenario, NormalFormGame or LoadedInput
        A scenario file, a bundled scenario name, a Gambit ``.nfg`` file, a loaded scenario, or a game.
    method, tol, mixed_dominance
        As ``coop solve --method/--tol/--no-mixed-dominance``.
    stop_after : float, optional
        As ``coop solve --time-limit``: seconds for the whole analysis; each long step (the equilibrium
        enumeration, a tournament, a stationary distribution, basins of attraction) stops when the time is up
        and reports what it verified, with ``complete`` false and a ``reason``. Ctrl-C does the same for the
        step it stops (the steps after it do not run: :attr:`SolveReport.interrupted`).
    progress : bool or callable, optional
        A progress bar on stderr for long steps (``True``; ``coop solve`` shows one on a terminal), or a
        callback (:mod:`coop.solvers.shared.progress`).
    **parameters : float
        Scenario parameters to set (as ``coop solve --set NAME=VALUE``).

    Examples
    --------
    >>> import coop
    >>> report = coop.analyse("ai-arms-race")
    >>> list(report.sections)
    ['stage', 'repeated', 'payoff_sets']
    >>> len(report.sections["stage"].solution.equilibria)
    3
    """
    from coop.sections.registry import analyses

    loaded = _as_loaded(source, parameters)
    from coop.solvers.shared.progress import time_limit

    options = SolveOptions(method=method, tol=tol, mixed_dominance=mixed_dominance,
                           time_limit=time_limit(stop_after), progress=progress)
    results, interrupted = run_until_interrupted(loaded, options, list(analyses()))
    return SolveReport(loaded, options, results, interrupted)


def draw_figure(kind: str, source: Any, options: PlotOptions | None = None, **parameters: float) -> Figure:
    """The figure ``kind`` (``coop plot --kind``) of a scenario or game, computed from the sections it shows only.

    Parameters
    ----------
    kind : str
        ``payoff-sets``, ``critical-delta``, ``simplex``, ``trajectories``, ``stationary`` or ``gradient``.
    source : str, Path, Scenario, NormalFormGame, LoadedInput or SolveReport
        What :func:`analyse` takes, a game, or a report (whose results are drawn, not computed again).
    options : PlotOptions, optional
        The discount factor to draw at, the style (``paper`` or ``slide``), the size and the dpi.
    **parameters : float
        Scenario parameters to set.

    Returns
    -------
    matplotlib.figure.Figure
        Made without pyplot: no backend is chosen or switched; a notebook shows it inline.

    Examples
    --------
    >>> import coop
    >>> fig = coop.draw_figure("critical-delta", "ai-arms-race")
    >>> fig.axes[0].get_xlabel()
    'critical discount factor (self-enforcing from here up to 1)'
    >>> fig = coop.draw_figure("critical-delta", "ai-arms-race", coop.PlotOptions(style="slide"))
    >>> [round(v) for v in fig.get_size_inches() * fig.dpi]
    [1920, 1080]
    """
    if parameters:
        source = _as_loaded(source, parameters)
    return render_figure(kind, source, options or PlotOptions())


def render_figure(kind: str, source: Any, options: PlotOptions, result: SectionResult | None = None) -> Figure:
    """Draw ``kind`` for ``source`` (as :func:`draw_figure`), from ``result`` (the owning section's) when given,
    else from the results of a :class:`SolveReport` given as ``source``, else computed."""
    from coop.errors import InputError
    from coop.plots import finish_figure
    from coop.sections.registry import analysis_named, figure_kinds

    kinds = figure_kinds()
    if kind not in kinds:
        raise InputError(f"unknown figure kind {kind!r}; expected one of {', '.join(kinds)}")
    owner = kinds[kind]
    given: dict[str, SectionResult] = dict(source.sections) if isinstance(source, SolveReport) else {}
    if owner.name in given and options.delta is not None and type(owner).figure_result is not Analysis.figure_result:
        del given[owner.name]  # the figure's own result depends on the discount factor asked for
    loaded = _as_loaded(source, {})
    if result is not None:
        given[owner.name] = result
    solve_options = source.options if isinstance(source, SolveReport) else SolveOptions()
    if owner.name in given:
        results = {owner.name: given[owner.name]}
    else:
        own = owner.figure_result(kind, loaded, options)
        if own is None:
            if not owner.applies(loaded):
                raise InputError(f"the {kind} plot needs {owner.missing(loaded)}", source=loaded.source)
            results = run_analyses(loaded, solve_options, [owner])
        else:
            results = {owner.name: own}
    extras = [analysis_named(name) for name in owner.figure_inputs.get(kind, ())]
    for extra in extras:
        if extra.name in given:
            results[extra.name] = given[extra.name]
    missing = [a for a in extras if a.name not in results]
    if missing and not isinstance(source, SolveReport):  # a report already has every analysis that applies
        results.update(run_analyses(loaded, solve_options, missing))
    return finish_figure(owner.draw(kind, results, loaded, options), options)
