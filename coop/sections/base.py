"""The section protocol: what every part of a scenario's analysis provides.

An :class:`Analysis` is registered once (:mod:`coop.sections.registry`). For a
loaded input it says whether it applies, runs, and returns a *section result*
(:class:`SectionResult`): a frozen dataclass with

- ``to_dict()``: its part of the JSON document (placed at the analysis'
  ``json_path``),
- ``text()``: its block of the text report, as lines,
- ``metrics()``: flat named scalars and labels that summarise it (``coop sweep``
  tabulates these; a missing value is ``None``, never NaN).

An analysis may also draw figures (``figures`` names the kinds it draws, with a
help text); a figure is drawn from the analysis' own result, never by running
another section.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from coop.errors import InputError
from coop.solvers.nash.methods import Method

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from coop.inputs import LoadedInput
    from coop.solvers.shared.progress import ProgressOption, TimeLimit

#: A metric value: a number, a flag, a label, or ``None`` when it does not apply.
Metric = float | int | bool | str | None


@dataclass(frozen=True)
class SolveOptions:
    """The options of ``coop solve`` that analyses read (the stage game's method and tolerance; the time limit
    and the progress bar that its long steps share, :mod:`coop.solvers.shared.progress`)."""

    method: Method = "auto"
    tol: float | None = None
    mixed_dominance: bool = True
    #: ``coop solve --time-limit``: every long step stops when it runs out (``None``: no limit).
    time_limit: TimeLimit | None = None
    #: A progress bar on stderr for long steps (``True``), a callback, or nothing.
    progress: ProgressOption = False


#: Figure styles: ``paper`` (a figure in a paper or a notebook), ``slide`` (16:9, large fonts).
FIGURE_STYLES = ("paper", "slide")
#: The largest figure drawn: pixels a side and in all (a larger one takes gigabytes and minutes).
MAX_FIGURE_SIDE_PIXELS = 10_000
MAX_FIGURE_PIXELS = 40_000_000
#: The range of ``dpi`` (dots per inch) and of each side of ``size`` (inches).
DPI_RANGE = (10.0, 1200.0)
SIZE_RANGE = (1.0, 50.0)
#: The size of a slide figure: 16:9, 1920 x 1080 pixels at 144 dpi.
SLIDE_SIZE = (1920 / 144, 1080 / 144)


@dataclass(frozen=True)
class PlotOptions:
    """How to draw a figure (``coop plot``, ``coop sweep --plot``, :func:`coop.draw_figure`).

    Attributes
    ----------
    delta : float, optional
        A discount factor to draw at, instead of the scenario's.
    style : {"paper", "slide"}
        ``paper``: sized for a page or a notebook, text of at least 9 pt; ``slide``: 16:9
        (13.33 x 7.5 in, 1920 x 1080 pixels at the default 144 dpi), text of at least 12 pt.
    size : (float, float), optional
        Width and height in inches (default: the style's size for the figure kind).
    dpi : float, optional
        Dots per inch (default: 150 for ``paper``, 144 for ``slide``); a PNG is ``size x dpi`` pixels.

    Examples
    --------
    >>> PlotOptions(style="slide", dpi=100).style
    'slide'
    >>> PlotOptions(size=(40, 30), dpi=600)
    Traceback (most recent call last):
    ...
    coop.errors.InputError: a figure of 24,000 x 18,000 pixels (40 x 30 in at 600 dpi) is too large: ...
    """

    delta: float | None = None
    style: str = "paper"
    size: tuple[float, float] | None = None
    dpi: float | None = None

    def __post_init__(self) -> None:
        if self.style not in FIGURE_STYLES:
            raise InputError(f"unknown figure style {self.style!r}; expected one of {', '.join(FIGURE_STYLES)}")
        if self.size is not None:
            try:
                size = tuple(float(v) for v in self.size)
            except (TypeError, ValueError):
                raise InputError(f"a figure size is (width, height) in inches, got {self.size!r}") from None
            low, high = SIZE_RANGE
            if len(size) != 2 or not all(math.isfinite(v) and low <= v <= high for v in size):
                raise InputError(f"a figure size is (width, height) in inches, each from {low:g} to {high:g}, "
                                 f"got {self.size!r}")
            object.__setattr__(self, "size", size)
        if self.dpi is not None:
            low, high = DPI_RANGE
            dpi = float(self.dpi)
            if not (math.isfinite(dpi) and low <= dpi <= high):
                raise InputError(f"dpi is from {low:g} to {high:g} dots per inch, got {self.dpi!r}")
            object.__setattr__(self, "dpi", dpi)
        drawn = self.size or (SLIDE_SIZE if self.style == "slide" else None)
        if drawn is not None and self.dpi is not None:
            check_figure_pixels(drawn, self.dpi)


def check_figure_pixels(size: tuple[float, float], dpi: float) -> None:
    """Refuse a figure of more than :data:`MAX_FIGURE_SIDE_PIXELS` a side or :data:`MAX_FIGURE_PIXELS` in all."""
    w, h = (round(v * dpi) for v in size)
    if max(w, h) > MAX_FIGURE_SIDE_PIXELS or w * h > MAX_FIGURE_PIXELS:
        raise InputError(
            f"a figure of {w:,} x {h:,} pixels ({size[0]:g} x {size[1]:g} in at {dpi:g} dpi) is too large: at most "
            f"{MAX_FIGURE_SIDE_PIXELS:,} pixels a side and {MAX_FIGURE_PIXELS // 1_000_000} million in all; lower "
            "the dpi or the size")


@dataclass(frozen=True, eq=False)
class SolverSection:
    """A section result that is one solver's result: its JSON is the result's ``to_dict()``, and Ctrl-C stopped it
    when the result says so (what was done by then is kept). Subclasses add ``text()`` and ``metrics()``."""

    result: Any

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C stopped the solver (``result.interrupted``; a solver that cannot be stopped: never)."""
        return bool(getattr(self.result, "interrupted", False))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = self.result.to_dict()
        return d


@runtime_checkable
class SectionResult(Protocol):
    """What an analysis returns (see the module docstring)."""

    def to_dict(self) -> dict[str, Any]: ...

    def text(self) -> list[str]: ...

    def metrics(self) -> dict[str, Metric]: ...


class Analysis:
    """One part of a scenario's analysis, registered once in :mod:`coop.sections.registry`.

    Subclasses set the class attributes and implement :meth:`applies` and :meth:`run`
    (and :meth:`draw` when they list ``figures``).

    Attributes
    ----------
    name : str
        The key of the result in :attr:`coop.SolveReport.sections` and the prefix of its metrics.
    title : str
        A few words for the reader (``"repeated game"``).
    json_path : tuple of str
        Where ``to_dict()`` goes in the JSON document: ``("repeated",)`` is the top-level key
        ``repeated``, ``("repeated", "tournament")`` a key inside it; ``()`` merges the keys into the
        top level.
    requires : tuple of str
        Analyses whose results :meth:`run` reads (they run first; their results arrive in ``earlier``).
    figures : mapping of str to str
        The figure kinds this analysis draws, with a one-line help text each.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    json_path: ClassVar[tuple[str, ...]]
    requires: ClassVar[tuple[str, ...]] = ()
    figures: ClassVar[Mapping[str, str]] = {}
    #: Per figure kind, other analyses whose results the figure also shows when they apply.
    figure_inputs: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    #: The scenario section (its key in :attr:`coop.scenarios.Scenario.sections`) whose presence is all that
    #: :meth:`applies` asks, or ``None`` when the analysis says itself.
    section: ClassVar[str | None] = None

    def applies(self, loaded: LoadedInput) -> bool:
        """Whether this input has something for this analysis (by default: the scenario has :attr:`section`)."""
        if self.section is None:
            raise NotImplementedError
        return loaded.scenario is not None and loaded.scenario.sections.get(self.section) is not None

    def run(self, loaded: LoadedInput, options: SolveOptions,
            earlier: Mapping[str, SectionResult]) -> SectionResult:
        """Compute the section's result; ``earlier`` holds the results of :attr:`requires`."""
        raise NotImplementedError

    def missing(self, loaded: LoadedInput) -> str:
        """What is missing when :meth:`applies` is false, for the message of a figure that needs it."""
        return f"a scenario with a {self.name!r} section"

    def batch_columns(self, batch: PointBatch, options: SolveOptions) -> Columns | None:
        """The metrics at every point of ``batch`` as columns, in :meth:`SectionResult.metrics` order and equal to
        them point by point; ``None`` when this analysis has no batched path for these points."""
        return None

    def figure_result(self, kind: str, loaded: LoadedInput, options: PlotOptions) -> SectionResult | None:
        """The result a figure draws from when it needs something other than :meth:`run` (``None``: run)."""
        return None

    def figure_refusal(self, kind: str, loaded: LoadedInput) -> str | None:
        """Why the figure ``kind`` (one of :attr:`figures`) cannot be drawn for this input, or ``None`` when it
        can; the report names only the figures that can be drawn, so it must agree with :meth:`draw`."""
        return None if self.applies(loaded) else f"the {kind} plot needs {self.missing(loaded)}"

    def draw(self, kind: str, results: Mapping[str, Any], loaded: LoadedInput, options: PlotOptions) -> Figure:
        """Draw the figure ``kind`` (one of :attr:`figures`) from ``results[self.name]`` (and the results of
        :attr:`figure_inputs` that apply)."""
        raise InputError(f"the {self.name} section draws no {kind!r} figure")


@dataclass(frozen=True, eq=False)
class PointBatch:
    """Many points of one scenario at once, for an analysis' batched path (:meth:`Analysis.batch_columns`).

    Attributes
    ----------
    loaded : LoadedInput
        The scenario at its base values (fixed parameters applied); its game gives the players, actions and
        red lines, which do not change from point to point.
    points : dict of str to numpy.ndarray
        The swept parameters' values, ``(P,)`` each.
    payoffs : numpy.ndarray
        The stage payoffs at every point, ``(P, N, a_1, ..., a_N)``.
    """

    loaded: LoadedInput
    points: dict[str, Any]
    payoffs: Any

    @property
    def size(self) -> int:
        return int(self.payoffs.shape[0])


#: Columns of a batch: one value per point (numbers, flags, counts or labels; None or NaN when missing).
Columns = dict[str, Any]


def finite_or_none(x: Any) -> float | None:
    """A metric value: ``x`` as a float, or ``None`` when it is missing or not finite."""
    if x is None:
        return None
    v = float(x)
    return v if math.isfinite(v) else None
