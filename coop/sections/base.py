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

#: A metric value: a number, a flag, a label, or ``None`` when it does not apply.
Metric = float | int | bool | str | None


@dataclass(frozen=True)
class SolveOptions:
    """The options of ``coop solve`` that analyses read (the stage game's method and tolerance)."""

    method: Method = "auto"
    tol: float | None = None
    mixed_dominance: bool = True


@dataclass(frozen=True)
class PlotOptions:
    """What ``coop plot`` passes to a figure: a discount factor to draw at, instead of the scenario's."""

    delta: float | None = None


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

    def applies(self, loaded: LoadedInput) -> bool:
        """Whether this input has something for this analysis (usually: its scenario section is present)."""
        raise NotImplementedError

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
