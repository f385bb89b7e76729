"""The registry of section analyses: one list, in the order the text report prints them.

``coop solve``, :func:`coop.analyse`, ``coop plot`` and the sweep read this list;
none of them names a section. A new section is one parser (registered in
:mod:`coop.scenarios.sections`) and one :class:`~coop.sections.base.Analysis`
added here (or with :func:`register_analysis`).

The analysis modules import their solvers inside ``run``, so reading this list
(for ``coop plot --help``) imports no solver.
"""

from __future__ import annotations

from collections.abc import Mapping

from coop.sections.base import Analysis
from coop.sections.correlated import CorrelatedAnalysis
from coop.sections.dynamics import DynamicsAnalysis
from coop.sections.finite_population import FinitePopulationAnalysis
from coop.sections.group_game import GroupGameAnalysis
from coop.sections.institutions import InstitutionsAnalysis
from coop.sections.payoff_sets import PayoffSetsAnalysis
from coop.sections.quantal_response import QuantalResponseAnalysis
from coop.sections.repeated import RepeatedAnalysis
from coop.sections.stage import StageAnalysis
from coop.sections.tournament import TournamentAnalysis
from coop.sections.treaty import TreatyAnalysis

#: The registered analyses, in report order.
ANALYSES: list[Analysis] = [
    StageAnalysis(),
    GroupGameAnalysis(),
    CorrelatedAnalysis(),
    QuantalResponseAnalysis(),
    RepeatedAnalysis(),
    PayoffSetsAnalysis(),
    TournamentAnalysis(),
    DynamicsAnalysis(),
    FinitePopulationAnalysis(),
    InstitutionsAnalysis(),
    TreatyAnalysis(),
]


def analyses() -> tuple[Analysis, ...]:
    """The registered analyses, in report order."""
    return tuple(ANALYSES)


def register_analysis(analysis: Analysis, before: str | None = None) -> None:
    """Add ``analysis`` (replacing one of the same name), at the end or before the analysis named ``before``."""
    unregister_analysis(analysis.name)
    names = [a.name for a in ANALYSES]
    ANALYSES.insert(names.index(before) if before in names else len(ANALYSES), analysis)


def unregister_analysis(name: str) -> None:
    """Remove the analysis called ``name`` (tests use this to undo a registration)."""
    ANALYSES[:] = [a for a in ANALYSES if a.name != name]


def analysis_named(name: str) -> Analysis:
    """The registered analysis called ``name``."""
    for a in ANALYSES:
        if a.name == name:
            return a
    raise KeyError(name)


def figure_kinds() -> Mapping[str, Analysis]:
    """Every figure kind (``coop plot --kind``) and the analysis that draws it, in registry order."""
    kinds: dict[str, Analysis] = {}
    for a in ANALYSES:
        for kind in a.figures:
            kinds[kind] = a
    return kinds


def figure_help() -> str:
    """The help text of ``coop plot --kind``: each kind with its one-line description."""
    return " ".join(f"{kind}: {a.figures[kind]}" for kind, a in figure_kinds().items())
