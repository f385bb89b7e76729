"""The scenario format (version 1): its keys, the result types and the checks shared by the loader.

The known keys of each part of a scenario live in one table per part
(:data:`CORE_KEYS`, :data:`PLAYER_KEYS`, ...). The optional sections
(``repeated``, ``institutions``, ``evolution``, ...) are registered once in
:mod:`coop.scenarios.sections`; :func:`top_level_keys` joins the two, so adding
a section needs no edit here. Reserved names are kept for a later feature and
give a clear "not supported" error.

See ``docs/scenario-format.md`` for the user-facing description.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from coop.errors import InputError
from coop.games.group_game import GroupGame
from coop.games.normal_form import NormalFormGame
from coop.scenarios.formula import FUNCTIONS, IDENTIFIER_RE, known_list, suggest
from coop.scenarios.red_lines import RedLine
from coop.scenarios.yaml_source import YNode, quoted

#: The scenario format version this code reads.
FORMAT_VERSION = 1


@dataclass(frozen=True)
class KeySpec:
    """One allowed key: whether it must be present, and what it holds (for messages and docs).

    ``reserved`` keys are names kept for a later feature: using one is an error
    that says the section is not supported yet.
    """

    summary: str
    required: bool = False
    reserved: bool = False


#: The core top-level keys of a scenario (the stage game), in the order the documentation lists them.
CORE_KEYS: dict[str, KeySpec] = {
    "format": KeySpec("the format version; only 1 is understood"),
    "title": KeySpec("a short title", required=True),
    "description": KeySpec("the story: players, choices, the question asked"),
    "assumptions": KeySpec("modelling assumptions, a list of text"),
    "sources": KeySpec("references for the story, a list of text"),
    "players": KeySpec("the players and their actions", required=True),
    "parameters": KeySpec("named numbers and derived formulas"),
    "payoffs": KeySpec("the payoffs: one of table, arrays, formulas", required=True),
    "framing": KeySpec("payoff transforms such as relative_gains"),
    "red_lines": KeySpec("actions or outcomes that must not happen"),
}

#: Names kept for later features: using one says the section is not supported yet.
RESERVED_KEYS: dict[str, KeySpec] = {}


def top_level_keys() -> dict[str, KeySpec]:
    """Every top-level key a scenario may have: the core keys, then the registered sections."""
    from coop.scenarios.sections import section_parsers

    keys = dict(CORE_KEYS)
    for parser in section_parsers():
        keys[parser.key] = KeySpec(parser.summary)
    for key, spec in RESERVED_KEYS.items():
        keys.setdefault(key, spec)
    return keys


PLAYER_KEYS: dict[str, KeySpec] = {
    "name": KeySpec("the player's name (an identifier)", required=True),
    "actions": KeySpec("the player's action names (identifiers)", required=True),
    "description": KeySpec("who the player is"),
}

PARAMETER_KEYS: dict[str, KeySpec] = {
    "value": KeySpec("a number or a formula of earlier parameters", required=True),
    "description": KeySpec("what the parameter means"),
}

PAYOFF_KEYS: dict[str, KeySpec] = {
    "table": KeySpec("one entry per action profile"),
    "arrays": KeySpec("one nested list per player, one axis per player"),
    "formulas": KeySpec("one formula per player, with Player.action indicators"),
}

TABLE_ENTRY_KEYS: dict[str, KeySpec] = {
    "profile": KeySpec("the action of each player", required=True),
    "payoffs": KeySpec("the payoff of each player", required=True),
}

FRAMING_KEYS: dict[str, KeySpec] = {
    "relative_gains": KeySpec("weight on relative gains (a number >= 0 or a formula)"),
}

RED_LINE_KEYS: dict[str, KeySpec] = {
    "name": KeySpec("what the red line is called", required=True),
    "player": KeySpec("the player, the list of players or 'all' bound by it (with 'action')"),
    "action": KeySpec("the action that crosses it (with 'player')"),
    "when": KeySpec("an outcome condition that crosses it, such as 'n_abstain >= 2' (instead of player and action)"),
    "description": KeySpec("why it matters"),
}


# ---------------------------------------------------------------------------- result types
@dataclass(frozen=True, eq=False)
class Scenario:
    """A loaded and validated scenario, with its game built.

    Attributes
    ----------
    name : str
        The file stem (``export-controls``).
    source : str
        The path it was read from.
    title, description : str
        From the file; also set on ``game``.
    assumptions, sources : tuple of str
        The stated modelling assumptions and the references for the story.
    parameters : dict of str to float
        Every parameter's value, derived ones evaluated, in file order.
    normal_form : NormalFormGame or None
        The game, with framing transforms applied; ``None`` for a group too large for its normal form
        (:attr:`group`), which is analysed by counts. :attr:`game` is the same, or an error.
    group : GroupGame or None
        The players given as a group by counts (:mod:`coop.games.group_game`), else ``None``.
    red_lines : tuple of RedLine
    framing : dict of str to float
        The framing transforms applied (``{"relative_gains": 0.5}``), empty if none.
    parameter_descriptions : dict of str to str
        Descriptions given in ``{value: ..., description: ...}`` parameters.
    sections : dict of str to object
        The spec of each optional section the file has (``"repeated"``, ``"institutions"``, ...), built by its
        parser in :mod:`coop.scenarios.sections`.
    player_descriptions : dict of str to str
        Descriptions given in ``players`` entries.
    """

    name: str
    source: str
    title: str
    description: str
    assumptions: tuple[str, ...]
    sources: tuple[str, ...]
    parameters: dict[str, float]
    normal_form: NormalFormGame | None
    red_lines: tuple[RedLine, ...]
    framing: dict[str, float] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    parameter_descriptions: dict[str, str] = field(default_factory=dict, repr=False)
    player_descriptions: dict[str, str] = field(default_factory=dict, repr=False)
    document: YNode | None = field(default=None, repr=False)
    group: GroupGame | None = None

    @property
    def game(self) -> NormalFormGame:
        """The normal-form game; an :class:`InputError` for a group too large to have one."""
        if self.normal_form is None:
            assert self.group is not None
            raise InputError(f"a group of {self.group.size} members has no normal form here (too many action "
                             "profiles); it is analysed by counts", source=self.source)
        return self.normal_form

    @property
    def players(self) -> tuple[str, ...]:
        if self.normal_form is None and self.group is not None:
            return self.group.players
        return self.game.players

    @property
    def actions(self) -> tuple[tuple[str, ...], ...]:
        """Each player's actions."""
        if self.normal_form is None and self.group is not None:
            return (self.group.actions,) * self.group.size
        return self.game.actions

    @property
    def repeated(self) -> Any:
        """The ``repeated`` section (:class:`~coop.scenarios.repeated_section.RepeatedSpec`), or ``None``."""
        return self.sections.get("repeated")

    @property
    def institutions(self) -> tuple[Any, ...]:
        """The institution designs of the ``institutions`` section (empty without one)."""
        return tuple(self.sections.get("institutions", ()))

    @property
    def evolution(self) -> Any:
        """The ``evolution`` section (:class:`~coop.scenarios.evolution_section.EvolutionSpec`), or ``None``."""
        return self.sections.get("evolution")

    def with_parameters(self, values: Mapping[str, float]) -> Scenario:
        """The same scenario rebuilt with some parameters set to new values (derived ones follow).

        Examples
        --------
        >>> from coop.scenarios import load
        >>> s = load("ai-arms-race").with_parameters({"relative_gains": 1.0})
        >>> s.parameters["relative_gains"]
        1.0
        """
        from coop.scenarios.loader import build_scenario

        if self.document is None:
            raise InputError("this scenario was not loaded from a document and cannot be rebuilt")
        return build_scenario(self.document, name=self.name, source=self.source, overrides=values)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe summary: name, title, players, actions, parameters, framing, red lines..."""
        return {
            "name": self.name,
            "source": self.source,
            "format": FORMAT_VERSION,
            "title": self.title,
            "description": self.description,
            "assumptions": list(self.assumptions),
            "sources": list(self.sources),
            "players": list(self.players),
            "actions": {p: list(a) for p, a in zip(self.players, self.actions, strict=True)},
            "group": None if self.group is None else self.group.to_dict(),
            "player_descriptions": dict(self.player_descriptions),
            "parameters": {k: float(v) for k, v in self.parameters.items()},
            "parameter_descriptions": dict(self.parameter_descriptions),
            "framing": {k: float(v) for k, v in self.framing.items()},
            "red_lines": [r.to_dict() for r in self.red_lines] if self.normal_form is not None or self.group is None
            else [r.to_dict() for r in self.group.red_lines],
            **self.sections_to_dict(),
        }

    def sections_to_dict(self) -> dict[str, Any]:
        """Every registered section as JSON: its spec's ``to_dict()``, or the section's empty value."""
        from coop.scenarios.sections import section_parsers

        return {p.key: _section_json(self.sections[p.key]) if p.key in self.sections else p.absent
                for p in section_parsers()}


def _section_json(spec: Any) -> Any:
    if isinstance(spec, (list, tuple)):
        return [item.to_dict() for item in spec]
    return spec.to_dict()


# ---------------------------------------------------------------------------- shared checks
def check_keys(node: YNode, table: Mapping[str, KeySpec], what: str) -> None:
    """Check that ``node`` is a mapping whose keys are all in ``table`` and has the required ones."""
    if node.kind != "map":
        known = known_list(k for k, s in table.items() if not s.reserved)
        raise node.error(f"{what} must be a mapping with keys {known}, got {node.describe()}")
    for key in node.value:
        spec = table.get(key)
        if spec is None:
            raise node.error(
                f"unknown key {quoted(key)} in {what}{suggest(key, table)}; "
                f"known keys: {known_list(k for k, s in table.items() if not s.reserved)}",
                key=key,
            )
        if spec.reserved:
            raise node.error(
                f"section {quoted(key)} is not supported by this version of coop (format {FORMAT_VERSION})",
                key=key,
            )
    missing = [k for k, s in table.items() if s.required and k not in node.value]
    if missing:
        raise node.error(f"{what} is missing the required key {missing[0]!r} ({table[missing[0]].summary})")


def identifier(node: YNode, what: str) -> str:
    """The node's text as an identifier ``[A-Za-z][A-Za-z0-9_]*``, or an error at its line."""
    if node.kind != "scalar" or node.value is None:
        raise node.error(f"the {what} must be a name, got {node.describe()}")
    text = node.text
    if not IDENTIFIER_RE.match(text):
        raise node.error(f"invalid {what} {quoted(text)}: use letters, digits and '_', starting with a letter")
    if text in FUNCTIONS:
        raise node.error(f"the {what} {text!r} is the name of a function; choose another name")
    return text


def text_value(node: YNode, what: str) -> str:
    """A scalar as text (numbers are accepted and written as given)."""
    if node.kind != "scalar" or node.value is None:
        raise node.error(f"{what} must be text, got {node.describe()}")
    return node.value if isinstance(node.value, str) else node.text


def text_list(node: YNode, what: str) -> tuple[str, ...]:
    """A list of text, or one text given alone."""
    if node.kind == "scalar" and node.value is not None:
        return (text_value(node, what),)
    if node.kind != "seq":
        raise node.error(f"{what} must be a list of text, got {node.describe()}")
    return tuple(text_value(item, f"each entry of {what}") for item in node)


def number(node: YNode, what: str) -> float | None:
    """The node's value as a finite float, ``None`` when it is text (a formula); errors otherwise."""
    if node.kind != "scalar" or node.value is None:
        raise node.error(f"{what} must be a number or a formula, got {node.describe()}")
    v = node.value
    if isinstance(v, bool):
        raise node.error(f"{what} must be a number or a formula, got {node.describe()}")
    if isinstance(v, (int, float)):
        try:
            x = float(v)
        except OverflowError:
            x = math.inf
        if not math.isfinite(x):
            raise node.error(f"{what} must be a finite number, got {node.text}")
        return x
    return None
