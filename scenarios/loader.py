"""Load a scenario file: validate every part, evaluate parameters and formulas, build the game.

Every problem becomes one :class:`~coop.errors.InputError` that names the file,
the line and the place in the document, for example::

    export.yaml, line 23, at payoffs.table[4].payoffs.China: unknown parameter 'gian'
    (did you mean 'gain'?) in formula 'gian - loss'; known: 'gain', 'loss'

Examples
--------
>>> from coop.scenarios import load
>>> s = load("ai-arms-race")
>>> s.game.players
('US', 'China')
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from coop.errors import InputError
from coop.games.group_game import MAX_NORMAL_FORM_PROFILES, GroupGame
from coop.games.normal_form import MAX_PLAYERS, NormalFormGame, check_game_size
from coop.games.transforms import relative_gains
from coop.scenarios.formula import FUNCTIONS, IDENTIFIER_RE, known_list, parse_formula, shown, suggest
from coop.scenarios.group_players import COUNT_SECTIONS, group_payoffs, group_red_lines, group_size, read_group_form
from coop.scenarios.library import resolve
from coop.scenarios.profile_formulas import ProfileNames, evaluate_over_profiles
from coop.scenarios.red_lines import action_red_line, outcome_red_line
from coop.scenarios.schema import (
    FORMAT_VERSION,
    FRAMING_KEYS,
    PARAMETER_KEYS,
    PAYOFF_KEYS,
    PLAYER_KEYS,
    RED_LINE_KEYS,
    TABLE_ENTRY_KEYS,
    RedLine,
    Scenario,
    check_keys,
    identifier,
    number,
    text_list,
    text_value,
    top_level_keys,
)
from coop.scenarios.sections import SectionContext, section_parsers
from coop.scenarios.yaml_source import YNode, read_yaml


def load(path_or_name: str | Path, parameters: Mapping[str, float] | None = None) -> Scenario:
    """Load a scenario from a ``.yaml``/``.yml`` file or by the name of a bundled scenario.

    Parameters
    ----------
    path_or_name : str or Path
        A file path, or a bundled name such as ``"export-controls"`` (or
        ``"export-controls.yaml"``); an existing file wins over a bundled name.
    parameters : mapping of str to float, optional
        Values that replace the file's values of these parameters; derived
        parameters are recomputed from them.

    Raises
    ------
    InputError
        For every problem with the file, with its line and place.

    Examples
    --------
    >>> s = load("red-lines")
    >>> [r.action for r in s.red_lines]
    ['autonomous', 'autonomous']
    """
    path = resolve(path_or_name)
    root = read_yaml(path)
    if root is None:
        raise InputError("the file is empty; expected a mapping with title, players and payoffs", source=str(path))
    return build_scenario(root, name=path.stem, source=str(path), overrides=parameters)


class _Context:
    """What formulas may refer to while a document is being built."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.params: dict[str, float] = {}
        self.param_lines: dict[str, int] = {}  # every parameter of the file, with its line
        self.players: tuple[str, ...] = ()
        self.actions: tuple[tuple[str, ...], ...] = ()
        self.action_index: tuple[dict[str, int], ...] = ()  # per player: action name -> position

    def scalar(self, node: YNode, what: str) -> float:
        """A number, or a formula of the parameters (no indicators), evaluated."""
        x = number(node, what)
        if x is not None:
            return x
        try:
            formula = parse_formula(node.value)
            for name in sorted(formula.names):
                if name in self.params:
                    continue
                if "." in name:
                    raise InputError(
                        f"{name!r} is a Player.action indicator; indicators can be used only in "
                        "payoffs.formulas (here each entry already belongs to one profile)"
                    )
                if name in self.param_lines:
                    raise InputError(
                        f"parameter {name!r} is defined later (line {self.param_lines[name]}); "
                        "a formula can use only the parameters defined above it"
                    )
                raise InputError(
                    f"unknown parameter {name!r}{suggest(name, self.params)} in formula "
                    f"{shown(formula.text)}; known: {known_list(self.params)}"
                )
            return float(formula.evaluate(self.params))
        except InputError as err:
            raise err.located(self.source, node.line, node.place or None) from None


# ---------------------------------------------------------------------------- the document
def build_scenario(
    root: YNode,
    name: str,
    source: str,
    overrides: Mapping[str, float] | None = None,
) -> Scenario:
    """Validate a parsed scenario document and build the :class:`Scenario` (see :func:`load`)."""
    ctx = _Context(source)
    check_keys(root, top_level_keys(), "the scenario")

    fmt = root.get("format")
    if fmt is not None and not (
        fmt.kind == "scalar" and not isinstance(fmt.value, bool) and fmt.value == FORMAT_VERSION
    ):
        raise fmt.error(
            f"format {fmt.text or fmt.describe()} is not supported; this version of coop reads format {FORMAT_VERSION}"
        )
    title = text_value(root["title"], "the title").strip()
    if not title:
        raise root["title"].error("the title is empty")
    description = _optional_text(root, "description")
    assumptions = text_list(root["assumptions"], "assumptions") if "assumptions" in root else ()
    sources = text_list(root["sources"], "sources") if "sources" in root else ()

    form = read_group_form(root["players"]) if root["players"].kind == "map" else None
    if form is None:
        players, actions, player_descriptions = _players(root["players"])
        _set_players(ctx, players, actions, root["players"])

    descriptions = _parameters(root.get("parameters"), ctx, overrides or {})

    group = None
    if form is not None:  # a group by counts: its size may be a parameter
        size = group_size(form, ctx.scalar)
        table = group_payoffs(root["payoffs"], form, size, ctx.params, source)
        group = GroupGame(form.actions, size, table, form.member)
        player_descriptions = {"group": form.description} if form.description else {}
        if group.has_normal_form:
            _set_players(ctx, group.players, (form.actions,) * size, root["players"])
        group = dataclasses.replace(group, red_lines=group_red_lines(
            root.get("red_lines"), form, size, ctx.params, source, group.has_normal_form))

    game: NormalFormGame | None = None
    framing: dict[str, float] = {}
    red_lines: tuple[RedLine, ...] = ()
    if group is None or group.has_normal_form:
        payoffs = _payoffs(root["payoffs"], ctx)
        try:
            game = NormalFormGame.from_payoffs(payoffs, ctx.players, ctx.actions, title, description)
        except InputError as err:
            raise err.located(source, root["payoffs"].line, "payoffs") from None
        if "framing" in root:
            game, framing = _framing(root["framing"], game, ctx)
        red_lines = _red_lines(root["red_lines"], ctx) if "red_lines" in root else ()
    elif "framing" in root:
        raise root["framing"].error(_counts_only(group, "framing"))

    sections: dict[str, object] = {}
    for parser in section_parsers():
        node = root.get(parser.key)
        if node is None or (node.kind == "scalar" and node.value is None and not parser.empty_means_defaults):
            continue
        if game is None:
            assert group is not None
            if parser.key not in COUNT_SECTIONS:
                raise root.error(_counts_only(group, f"the {parser.key} section"), key=parser.key)
            if parser.key == "evolution":
                from coop.scenarios.evolution_section import build_group_evolution

                sections[parser.key] = build_group_evolution(node, group.population, ctx.scalar)
                continue
        context = SectionContext(game, ctx.scalar, source, dict(ctx.params), dict(sections))  # type: ignore[arg-type]
        sections[parser.key] = parser.builder()(node, context)

    return Scenario(
        name=name,
        source=source,
        title=title,
        description=description,
        assumptions=assumptions,
        sources=sources,
        parameters=dict(ctx.params),
        normal_form=game,
        group=group,
        red_lines=red_lines,
        framing=framing,
        sections=sections,
        parameter_descriptions=descriptions,
        player_descriptions=player_descriptions,
        document=root,
    )


def _set_players(ctx: _Context, players: tuple[str, ...], actions: tuple[tuple[str, ...], ...],
                 node: YNode) -> None:
    """The players and actions that formulas and red lines refer to (the game's size checked)."""
    ctx.players, ctx.actions = players, actions
    ctx.action_index = tuple({a: k for k, a in enumerate(acts)} for acts in actions)
    try:
        check_game_size([len(a) for a in actions], source=ctx.source)
    except InputError as err:
        raise err.located(ctx.source, node.line, "players") from None


def _counts_only(group: GroupGame, what: str) -> str:
    """Why ``what`` cannot be analysed for a group too large for its normal form."""
    return (f"{what} needs the game's normal form, and a group of {group.size} members with "
            f"{len(group.actions)} actions has {len(group.actions)}^{group.size} action profiles (at most "
            f"{MAX_NORMAL_FORM_PROFILES:,} are built); such a group is analysed by counts: its equilibria, red lines "
            f"on counts and evolution.finite_population ({', '.join(COUNT_SECTIONS)} sections only)")


def _optional_text(node: YNode, key: str) -> str:
    child = node.get(key)
    if child is None or (child.kind == "scalar" and child.value is None):
        return ""
    return text_value(child, key).strip()


# ---------------------------------------------------------------------------- players
def _players(node: YNode) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], dict[str, str]]:
    if node.kind != "seq" or len(node) == 0:
        raise node.error(
            f"players must be a list of {{name, actions}} entries, got {node.describe()}"
            + (" (empty)" if node.kind == "seq" else "")
        )
    if len(node) > MAX_PLAYERS:  # refused before reading every entry
        try:
            check_game_size([1] * len(node))
        except InputError as err:
            raise node.error(err.message) from None
    players: list[str] = []
    lines: dict[str, int] = {}
    actions: list[tuple[str, ...]] = []
    descriptions: dict[str, str] = {}
    for entry in node:
        check_keys(entry, PLAYER_KEYS, "a player")
        name_node = entry["name"]
        player = identifier(name_node, "player name")
        if player in lines:
            raise name_node.error(f"duplicate player name {player!r} (first given at line {lines[player]})")
        lines[player] = name_node.line
        acts_node = entry["actions"]
        if acts_node.kind != "seq" or len(acts_node) == 0:
            raise acts_node.error(
                f"the actions of {player!r} must be a non-empty list of names, got {acts_node.describe()}"
            )
        acts: dict[str, None] = {}  # ordered, with constant-time lookups
        for a_node in acts_node:
            action = identifier(a_node, f"action name of {player!r}")
            if action in acts:
                raise a_node.error(f"duplicate action {action!r} of player {player!r}")
            acts[action] = None
        if "description" in entry:
            descriptions[player] = text_value(entry["description"], "a player description").strip()
        players.append(player)
        actions.append(tuple(acts))
    return tuple(players), tuple(actions), descriptions


# ---------------------------------------------------------------------------- parameters
def _parameters(node: YNode | None, ctx: _Context, overrides: Mapping[str, float]) -> dict[str, str]:
    descriptions: dict[str, str] = {}
    if node is None or (node.kind == "scalar" and node.value is None):
        entries: list[tuple[str, YNode]] = []
    elif node.kind != "map":
        raise node.error(f"parameters must be a mapping of name: value, got {node.describe()}")
    else:
        entries = list(node.items())
        for key, _ in entries:
            if not IDENTIFIER_RE.match(key):
                raise node.error(
                    f"invalid parameter name {key!r}: use letters, digits and '_', starting with a letter",
                    key=key,
                )
            if key in FUNCTIONS:
                raise node.error(f"the parameter name {key!r} is the name of a function; choose another name", key=key)
            ctx.param_lines[key] = node.key_lines[key]
    unknown = [k for k in overrides if k not in ctx.param_lines]
    if unknown:
        raise InputError(
            f"cannot set unknown parameter {unknown[0]!r}{suggest(unknown[0], ctx.param_lines)}; "
            f"known: {known_list(ctx.param_lines)}",
            source=ctx.source,
        )
    for key, value_node in entries:
        what = f"parameter {key!r}"
        if value_node.kind == "map":
            check_keys(value_node, PARAMETER_KEYS, what)
            if "description" in value_node:
                descriptions[key] = text_value(value_node["description"], "a parameter description")
            value_node = value_node["value"]
        if key in overrides:
            x = _override(key, overrides[key], ctx)
        else:
            x = ctx.scalar(value_node, what)
        ctx.params[key] = x
    return descriptions


def _override(key: str, value: object, ctx: _Context) -> float:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"parameter {key!r} must be set to a number, got {value!r}", source=ctx.source) from None
    if not np.isfinite(x):
        raise InputError(f"parameter {key!r} must be a finite number, got {value!r}", source=ctx.source)
    return x


# ---------------------------------------------------------------------------- payoffs
def _profile_text(players: tuple[str, ...], actions: tuple[tuple[str, ...], ...], idx: tuple[int, ...]) -> str:
    return "{" + ", ".join(f"{p}: {actions[i][k]}" for i, (p, k) in enumerate(zip(players, idx, strict=True))) + "}"


def _payoffs(node: YNode, ctx: _Context) -> np.ndarray:
    check_keys(node, PAYOFF_KEYS, "payoffs")
    given = [k for k in PAYOFF_KEYS if k in node]
    if len(given) != 1:
        raise node.error(
            "payoffs needs exactly one of 'table', 'arrays' or 'formulas', got "
            + (" and ".join(repr(k) for k in given) if given else "none")
        )
    kind = given[0]
    if kind == "table":
        return _table(node["table"], ctx)
    if kind == "arrays":
        return _arrays(node["arrays"], ctx)
    return _formulas(node["formulas"], ctx)


def _player_of(node: YNode, key: str, ctx: _Context) -> int:
    if key not in ctx.players:
        raise node.error(
            f"unknown player {key!r}{suggest(key, ctx.players)}; the players are {known_list(ctx.players)}",
            key=key,
        )
    return ctx.players.index(key)


def _action_of(node: YNode, i: int, ctx: _Context) -> int:
    player = ctx.players[i]
    if node.kind != "scalar" or node.value is None:
        raise node.error(f"the action of {player!r} must be a name, got {node.describe()}")
    action = node.text
    k = ctx.action_index[i].get(action)
    if k is None:
        raise node.error(
            f"unknown action {action!r} of player {player!r}{suggest(action, ctx.actions[i])}; "
            f"the actions of {player!r} are {known_list(ctx.actions[i])}"
        )
    return k


def _per_player(node: YNode, ctx: _Context, what: str) -> list[YNode]:
    """A mapping {player: value} or a list in player order -> one node per player."""
    n = len(ctx.players)
    if node.kind == "map":
        out: list[YNode | None] = [None] * n
        for key, child in node.items():
            out[_player_of(node, key, ctx)] = child
        missing = [ctx.players[i] for i in range(n) if out[i] is None]
        if missing:
            raise node.error(f"{what} has no entry for player {missing[0]!r}")
        return out  # type: ignore[return-value]
    if node.kind == "seq":
        if len(node) != n:
            raise node.error(
                f"{what} lists {len(node)} entries, expected {n} (one per player, in the order "
                f"{', '.join(ctx.players)})"
            )
        return list(node)
    raise node.error(f"{what} must be a mapping {{player: ...}} or a list in player order, got {node.describe()}")


def _table(node: YNode, ctx: _Context) -> np.ndarray:
    shape = tuple(len(a) for a in ctx.actions)
    n = len(shape)
    if node.kind != "seq":
        raise node.error(f"payoffs.table must be a list of {{profile, payoffs}} entries, got {node.describe()}")
    out = np.zeros((n, *shape))
    seen: dict[tuple[int, ...], int] = {}
    for entry in node:
        check_keys(entry, TABLE_ENTRY_KEYS, "a table entry")
        prof_nodes = _per_player(entry["profile"], ctx, "the profile")
        idx = tuple(_action_of(a, i, ctx) for i, a in enumerate(prof_nodes))
        if idx in seen:
            raise entry["profile"].error(
                f"profile {_profile_text(ctx.players, ctx.actions, idx)} is given twice (first at line {seen[idx]})"
            )
        seen[idx] = entry["profile"].line
        pay_nodes = _per_player(entry["payoffs"], ctx, "the payoffs")
        for i, pnode in enumerate(pay_nodes):
            out[(i,) + idx] = ctx.scalar(pnode, f"the payoff of {ctx.players[i]!r}")
    total = int(np.prod(shape))
    if len(seen) != total:
        missing = next(idx for idx in itertools.product(*(range(a) for a in shape)) if idx not in seen)
        raise node.error(
            f"the table gives {len(seen)} of the {total} action profiles; missing "
            f"{_profile_text(ctx.players, ctx.actions, missing)}"
            + (f" and {total - len(seen) - 1} more" if total - len(seen) > 1 else "")
        )
    return out


def _arrays(node: YNode, ctx: _Context) -> np.ndarray:
    shape = tuple(len(a) for a in ctx.actions)
    if node.kind != "map":
        raise node.error(f"payoffs.arrays must be a mapping {{player: nested lists}}, got {node.describe()}")
    per_player = _per_player(node, ctx, "payoffs.arrays")
    out = np.zeros((len(shape), *shape))
    for i, arr_node in enumerate(per_player):
        _fill(arr_node, out[i], (), shape, ctx, ctx.players[i])
    return out


def _fill(
    node: YNode, target: np.ndarray, idx: tuple[int, ...], shape: tuple[int, ...], ctx: _Context, owner: str
) -> None:
    depth = len(idx)
    if depth == len(shape):
        target[idx] = ctx.scalar(node, f"a payoff of {owner!r}")
        return
    axis_player = ctx.players[depth]
    expected = (
        f"a list of {shape[depth]} entries, one per action of {axis_player!r} "
        f"({', '.join(ctx.actions[depth])}), with {len(shape) - depth} levels of lists below payoffs.arrays"
        f".{owner}"
        if depth
        else f"{shape[0]} entries, one per action of {axis_player!r} ({', '.join(ctx.actions[0])})"
    )
    if node.kind != "seq":
        raise node.error(f"expected {'a list of ' if not depth else ''}{expected}, got {node.describe()}")
    if len(node) != shape[depth]:
        raise node.error(
            f"wrong shape: this list has {len(node)} entries, expected {shape[depth]}, one per action "
            f"of {axis_player!r} ({', '.join(ctx.actions[depth])}); the array of {owner!r} has shape "
            f"{' x '.join(str(a) for a in shape)}"
        )
    for k, child in enumerate(node):
        _fill(child, target, (*idx, k), shape, ctx, owner)


def _formulas(node: YNode, ctx: _Context) -> np.ndarray:
    shape = tuple(len(a) for a in ctx.actions)
    n = len(shape)
    if node.kind != "map":
        raise node.error(f"payoffs.formulas must be a mapping {{player: formula}}, got {node.describe()}")
    shared = all(a == ctx.actions[0] for a in ctx.actions)
    if "all" in node:
        # one formula for every player: `self.action` is the player's own indicator
        if len(node) != 1:
            raise node.error("payoffs.formulas has 'all' and entries per player; give one or the other", key="all")
        if not shared:
            raise node.error("payoffs.formulas.all needs every player to have the same actions", key="all")
        per_player = [node["all"]] * n
    else:
        per_player = _per_player(node, ctx, "payoffs.formulas")
    names = ProfileNames(ctx.params, ctx.players, ctx.actions)
    out = np.zeros((n, *shape))
    for i, fnode in enumerate(per_player):
        what = f"the payoff formula of {ctx.players[i]!r}"
        x = number(fnode, what)
        if x is not None:
            out[i] = x
            continue
        try:
            out[i] = evaluate_over_profiles(fnode.value, names.for_player(i) if "all" in node else names)
        except InputError as err:
            raise err.located(ctx.source, fnode.line, fnode.place or None) from None
    return out


# ---------------------------------------------------------------------------- framing and red lines
def _framing(node: YNode, game: NormalFormGame, ctx: _Context) -> tuple[NormalFormGame, dict[str, float]]:
    if node.kind == "scalar" and node.value is None:
        return game, {}
    check_keys(node, FRAMING_KEYS, "framing")
    framing: dict[str, float] = {}
    if "relative_gains" in node:
        wnode = node["relative_gains"]
        w = ctx.scalar(wnode, "the relative-gains weight")
        if w < 0:
            raise wnode.error(f"the relative-gains weight must be >= 0, got {w:g}")
        try:
            game = relative_gains(game, w)
        except InputError as err:
            raise err.located(ctx.source, wnode.line, wnode.place) from None
        framing["relative_gains"] = w
    return game, framing


def _red_lines(node: YNode, ctx: _Context) -> tuple[RedLine, ...]:
    """Red lines: a player's action, a group's (``player: [US, China]`` or ``all``), or an outcome (``when``)."""
    if node.kind == "scalar" and node.value is None:
        return ()
    if node.kind != "seq":
        raise node.error(f"red_lines must be a list of {{name, player, action}} or {{name, when}} entries, "
                         f"got {node.describe()}")
    out: list[RedLine] = []
    lines: dict[str, int] = {}
    for entry in node:
        check_keys(entry, RED_LINE_KEYS, "a red line")
        name = text_value(entry["name"], "a red line name").strip()
        if name in lines:
            raise entry["name"].error(f"duplicate red line {name!r} (first given at line {lines[name]})")
        lines[name] = entry["name"].line
        description = _optional_text(entry, "description")
        if "when" in entry:
            if "player" in entry or "action" in entry:
                raise entry.error("a red line has either 'when' (an outcome) or 'player' and 'action', not both",
                                  key="when")
            condition = text_value(entry["when"], "a red line's condition")
            try:
                out.append(outcome_red_line(name, condition, ctx.actions, ctx.players, ctx.params, description))
            except InputError as err:
                raise err.located(ctx.source, entry["when"].line, entry["when"].place) from None
            continue
        for key in ("player", "action"):
            if key not in entry:
                raise entry.error(f"a red line needs 'player' and 'action' (or 'when' for an outcome); "
                                  f"'{key}' is missing")
        players, as_written = _red_line_players(entry["player"], ctx)
        anode = entry["action"]
        action = anode.text if anode.kind == "scalar" and anode.value is not None else ""
        if len(players) == 1:
            action = ctx.actions[ctx.players.index(players[0])][_action_of(anode, ctx.players.index(players[0]), ctx)]
        try:
            out.append(action_red_line(name, players, as_written, action, ctx.actions, ctx.players, description))
        except InputError as err:
            raise err.located(ctx.source, anode.line, anode.place) from None
    return tuple(out)


def _red_line_players(node: YNode, ctx: _Context) -> tuple[tuple[str, ...], str]:
    """The players a red line binds, and the key as written: one name, a list of names, or ``all``."""
    if node.kind == "scalar" and node.text == "all" and "all" not in ctx.players:
        return tuple(ctx.players), "all"
    items = list(node) if node.kind == "seq" else [node]
    if not items:
        raise node.error("a red line's player list is empty; name at least one player (or write all)")
    names: list[str] = []
    for item in items:
        player = item.text if item.kind == "scalar" else ""
        if player not in ctx.players:
            raise item.error(
                f"unknown player {player or item.describe()!r}{suggest(player, ctx.players)}; "
                f"the players are {known_list(ctx.players)}, or all"
            )
        if player in names:
            raise item.error(f"player {player!r} is listed twice")
        names.append(player)
    return tuple(names), ", ".join(names)
