"""The ``correlated`` section of a scenario: what a mediator's recommendations can achieve.

.. code-block:: yaml

    correlated:                      # the key alone: correlated equilibria, welfare and fair
      kinds: [correlated, coarse]    # optional; default [correlated]
      objectives: [welfare, fair]    # optional; default [welfare, fair]

A mediator (an IAEA-like body that coordinates) draws a profile of actions from a lottery and tells each
player only their own part. ``correlated``: no player gains by disobeying a recommendation once given
(Aumann 1974); ``coarse``: no player gains by ignoring the mediator for one fixed action (Moulin and Vial
1978). ``welfare`` asks for the lottery with the largest total payoff, ``fair`` for the one whose worst-off
player gets the most. Each list may also be a single name. An unknown or repeated name, or a game whose
programme is too large, is one error line at its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from coop.errors import InputError
from coop.scenarios import fields
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.sections import SectionContext
from coop.scenarios.yaml_source import YNode
from coop.solvers.nash.correlated_names import KINDS, OBJECTIVES, Kind, Objective, check_lp_size

CORRELATED_KEYS: dict[str, KeySpec] = {
    "kinds": KeySpec(f"which equilibria: {', '.join(KINDS)} (default: correlated)"),
    "objectives": KeySpec(f"which to report: {', '.join(OBJECTIVES)} (default: both)"),
}

#: The defaults of the key alone (``correlated:``).
DEFAULT_KINDS: tuple[Kind, ...] = ("correlated",)
DEFAULT_OBJECTIVES: tuple[Objective, ...] = OBJECTIVES

Name = TypeVar("Name", bound=str)


@dataclass(frozen=True)
class CorrelatedSpec:
    """What the ``correlated`` section asks for: every kind with every objective."""

    kinds: tuple[Kind, ...] = DEFAULT_KINDS
    objectives: tuple[Objective, ...] = DEFAULT_OBJECTIVES

    def to_dict(self) -> dict[str, Any]:
        return {"kinds": list(self.kinds), "objectives": list(self.objectives)}


def _names(node: YNode, options: Sequence[Name], what: str, key: str) -> tuple[Name, ...]:
    """One name or a non-empty list of distinct names among ``options``."""
    entries = [node] if node.kind == "scalar" else fields.sequence(node, key, of=f"{what}s")
    chosen: list[Name] = []
    for entry in entries:
        name = fields.choice(entry, options, what, where=key)
        if name in chosen:
            raise entry.error(f"{what} {name!r} is listed twice in {key}")
        chosen.append(name)
    return tuple(chosen)


def build_correlated(node: YNode, num_actions: Sequence[int]) -> CorrelatedSpec:
    """Validate the ``correlated`` section; a game whose programme is too large is refused here."""
    if node.kind == "scalar" and (node.value is None or node.value is True):
        node = YNode("map", {}, node.line, node.place, node.source)
    check_keys(node, CORRELATED_KEYS, "correlated")
    kinds = _names(node["kinds"], KINDS, "kind", "kinds") if "kinds" in node else DEFAULT_KINDS
    objectives = (_names(node["objectives"], OBJECTIVES, "objective", "objectives") if "objectives" in node
                  else DEFAULT_OBJECTIVES)
    try:
        check_lp_size(num_actions)
    except InputError as err:
        raise node.error(err.message) from None
    return CorrelatedSpec(kinds, objectives)


def parse_correlated(node: YNode, context: SectionContext) -> CorrelatedSpec:
    """The registered parser of the ``correlated`` section (see :mod:`coop.scenarios.sections`)."""
    return build_correlated(node, context.game.num_actions)
