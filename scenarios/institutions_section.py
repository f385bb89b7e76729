"""The ``institutions`` section of a scenario: institution designs to compare.

.. code-block:: yaml

    institutions:
      - name: IAEA-like body
        like: iaea_like            # optional: start from a named design, then override fields
        detection: 0.8             # probability a member's defection is detected
        sanction: 2                # payoff loss of a detected defector (enforcement)
        reputation_cost: 0.5       # loss from published peer review (no enforcement)
        participation_cost: 0.2    # per-period cost of membership
        forum_shopping: 0.0        # chance a detected defector escapes to another forum
        members: [US, China, EU]   # default: every player

Each design is analysed with every strategy profile of the ``repeated``
section (which is required): subgame perfection at its delta, the critical
delta per player, payoffs, and the least sanction (and the sanction ceiling)
that make the profile self-enforcing. Numbers may be formulas of parameters.
"""

from __future__ import annotations

from typing import Any

from coop.games.institutions import DESIGNS, Institution
from coop.games.normal_form import NormalFormGame
from coop.scenarios import fields
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.sections import SectionContext
from coop.scenarios.yaml_source import YNode

INSTITUTION_KEYS: dict[str, KeySpec] = {
    "name": KeySpec("a label for the design", required=True),
    "like": KeySpec(f"a named design to start from: {', '.join(DESIGNS)}"),
    "detection": KeySpec("probability a member's defection is detected"),
    "sanction": KeySpec("payoff loss of a detected defector"),
    "reputation_cost": KeySpec("payoff loss from peer review of a detected defection"),
    "participation_cost": KeySpec("per-period cost of membership"),
    "forum_shopping": KeySpec("probability a detected defector escapes the sanction"),
    "members": KeySpec("the players bound by the institution (default: all)"),
    "description": KeySpec("what the design stands for"),
}

_NUMBERS = ("detection", "sanction", "reputation_cost", "participation_cost", "forum_shopping")
_PROBABILITIES = ("detection", "forum_shopping")


def _design(entry: YNode, stage: NormalFormGame, scalar) -> Institution:
    check_keys(entry, INSTITUTION_KEYS, "an institution")
    name = entry["name"].text.strip()
    values: dict[str, Any] = {"name": name}
    if "like" in entry:
        base = DESIGNS[fields.choice(entry["like"], tuple(DESIGNS), "design")]()
        values.update({k: getattr(base, k) for k in _NUMBERS})
    for key in _NUMBERS:
        if key in entry:
            values[key] = (fields.probability(entry[key], scalar, key) if key in _PROBABILITIES
                           else fields.positive(entry[key], scalar, key, strict=False))
    if "members" in entry:
        members = fields.sequence(entry["members"], "members", of="players")
        values["members"] = tuple(stage.players[fields.player(child, stage.players)] for child in members)
    try:
        return Institution(**values)
    except ValueError as err:  # InputError is a ValueError
        raise entry.error(str(err)) from None


def build_institutions(node: YNode, stage: NormalFormGame, scalar, has_repeated: bool) -> tuple[Institution, ...]:
    """Validate the ``institutions`` section; ``scalar(node, what)`` evaluates a number or formula."""
    if not has_repeated:
        raise node.error(
            "institutions are analysed in the repeated game: add a 'repeated' section "
            "(delta, cooperate, defect) to the scenario"
        )
    designs = []
    seen: dict[str, int] = {}
    for entry in fields.sequence(node, "institutions", of="designs"):
        design = _design(entry, stage, scalar)
        if design.name in seen:
            raise entry["name"].error(f"duplicate institution {design.name!r} (first at line {seen[design.name]})")
        seen[design.name] = entry["name"].line
        designs.append(design)
    return tuple(designs)


def parse_institutions(node: YNode, context: SectionContext) -> tuple[Institution, ...]:
    """The registered parser of the ``institutions`` section (see :mod:`coop.scenarios.sections`)."""
    return build_institutions(node, context.game, context.scalar, context.sections.get("repeated") is not None)
