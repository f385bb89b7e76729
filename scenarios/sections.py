"""The registry of a scenario's optional top-level sections (``repeated``, ``institutions``, ...).

Each section is one :class:`SectionParser`, registered once in :data:`PARSERS`.
The loader reads the core of a scenario (players, parameters, payoffs, framing,
red lines) and then hands each registered section present in the file to its
parser, in registry order; the result (a *spec* with ``to_dict()``) lands in
:attr:`coop.scenarios.Scenario.sections` under the section's key. The known
top-level keys, their documentation and the ``scenario`` part of the JSON
document all follow this list, so a new section needs no edit in the loader,
the schema, the CLI or the reporters: one parser module and one line here (and
an analysis in :mod:`coop.sections.registry`).

Parsers are named by ``"module:function"`` and imported only when a scenario
uses their section, so loading a scenario without an ``evolution`` section does
not import the evolution parser.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from coop.games.normal_form import NormalFormGame
from coop.scenarios.yaml_source import YNode

#: ``scalar(node, what)``: the number or formula of parameters at ``node``, evaluated.
Scalar = Callable[[YNode, str], float]


@dataclass(frozen=True)
class SectionContext:
    """What a section parser may use: the stage game (framing applied), formulas, earlier sections."""

    game: NormalFormGame
    scalar: Scalar
    source: str
    parameters: Mapping[str, float]
    sections: Mapping[str, Any] = field(default_factory=dict)


#: A parser: ``build(node, context) -> spec``; the spec has ``to_dict()`` (or is a list/tuple of such).
SectionBuilder = Callable[[YNode, SectionContext], Any]


@dataclass(frozen=True)
class SectionParser:
    """One optional top-level section of a scenario.

    Attributes
    ----------
    key : str
        The top-level key (``"repeated"``).
    summary : str
        What the section holds, for messages (``known keys``) and the docs check.
    build : str or callable
        ``"module:function"`` (imported on first use) or the function itself,
        ``build(node, context) -> spec``.
    absent : object
        The value of the section in ``Scenario.to_dict()`` when the file has no such section
        (``None``, or ``[]`` for list-like sections).
    empty_means_defaults : bool
        Whether the key written alone (``evolution:``) asks for the section with its defaults; otherwise an
        empty section counts as absent.
    """

    key: str
    summary: str
    build: str | SectionBuilder
    absent: Any = None
    empty_means_defaults: bool = False

    def builder(self) -> SectionBuilder:
        if callable(self.build):
            return self.build
        module, _, name = self.build.partition(":")
        func: SectionBuilder = getattr(importlib.import_module(module), name)
        return func


#: The registered sections, in the order they are parsed (a section may read the ones before it).
PARSERS: list[SectionParser] = [
    SectionParser("repeated", "the repeated game: delta, cooperative and defecting actions, strategies",
                  "coop.scenarios.repeated_section:parse_repeated"),
    SectionParser("institutions",
                  "institution designs to compare: detection, sanctions, peer review, membership",
                  "coop.scenarios.institutions_section:parse_institutions", absent=[]),
    SectionParser("evolution", "evolutionary dynamics: deterministic dynamics, rest points, a finite population",
                  "coop.scenarios.evolution_section:parse_evolution", empty_means_defaults=True),
    SectionParser("treaty", "a treaty: countries, payoffs of members and non-members or a second stage, clauses",
                  "coop.scenarios.treaty_section:parse_treaty"),
    SectionParser("correlated", "correlated equilibria: what a mediator's recommendations achieve (kinds, objectives)",
                  "coop.scenarios.correlated_section:parse_correlated", empty_means_defaults=True),
    SectionParser("quantal_response", "logit quantal response equilibria: lambdas to report, observed play to fit",
                  "coop.scenarios.quantal_response_section:parse_quantal_response", empty_means_defaults=True),
    SectionParser("sweep", "a parameter sweep: ranges, design (grid, random, sobol, lhs), points, seed, thresholds",
                  "coop.scenarios.sweep_section:parse_sweep"),
]


def register_parser(parser: SectionParser) -> None:
    """Add a section parser (replacing one with the same key)."""
    for k, p in enumerate(PARSERS):
        if p.key == parser.key:
            PARSERS[k] = parser
            return
    PARSERS.append(parser)


def unregister_parser(key: str) -> None:
    """Remove the section parser registered under ``key`` (tests use this to undo a registration)."""
    PARSERS[:] = [p for p in PARSERS if p.key != key]


def section_parsers() -> tuple[SectionParser, ...]:
    """The registered section parsers, in parsing order."""
    return tuple(PARSERS)
