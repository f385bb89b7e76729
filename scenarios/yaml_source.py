"""Read YAML into a tree that remembers where each value came from.

Scenario errors must name the line and the place in the document
(``export.yaml, line 23, at payoffs.table[4].payoffs.China: ...``). PyYAML's
``yaml.compose`` with the ``SafeLoader`` gives nodes with their positions but
constructs no Python objects; this module turns those nodes into :class:`YNode`
values (mapping, sequence or scalar, with line and place) and rejects what a
scenario never needs: aliases (``*name``, which also defuses "billion laughs"
documents), tags other than the standard ones, duplicate keys, non-scalar keys
and more than one document.

Examples
--------
>>> root = parse_yaml("title: Demo\\nplayers:\\n  - name: US\\n", source="demo.yaml")
>>> root["players"][0]["name"].value, root["players"][0]["name"].line
('US', 3)
>>> root["players"][0]["name"].place
'players[0].name'
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coop.errors import InputError

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


@dataclass(eq=False)
class YNode:
    """One value of a YAML document with its line (1-based) and place (``a.b[2].c``).

    ``kind`` is ``"map"`` (``value`` is a dict of key -> :class:`YNode`, in file
    order, with the key lines in ``key_lines``), ``"seq"`` (``value`` is a list
    of :class:`YNode`) or ``"scalar"`` (``value`` is a str, int, float, bool or
    None, and ``text`` is the scalar as written).
    """

    kind: str
    value: Any
    line: int
    place: str
    source: str | None = None
    text: str = ""
    key_lines: dict[str, int] = field(default_factory=dict)

    # -- navigation
    def __getitem__(self, key: str | int) -> YNode:
        return self.value[key]

    def __contains__(self, key: str) -> bool:
        return self.kind == "map" and key in self.value

    def get(self, key: str) -> YNode | None:
        return self.value.get(key) if self.kind == "map" else None

    def items(self) -> Iterator[tuple[str, YNode]]:
        return iter(self.value.items())

    def __iter__(self) -> Iterator[YNode]:
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)

    # -- errors
    def error(self, message: str, key: str | None = None) -> InputError:
        """An :class:`InputError` located at this node (or at one of its keys)."""
        line = self.key_lines.get(key, self.line) if key is not None else self.line
        place = self.child_place(key) if key is not None else self.place
        return InputError(message, source=self.source, line=line, place=place or None)

    def child_place(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.place}[{key}]"
        return f"{self.place}.{key}" if self.place else str(key)

    def describe(self) -> str:
        """What the node is, for messages: ``a list``, ``a mapping``, ``the text 'x'``, ``the number 3``."""
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        v = self.value
        if v is None:
            return "nothing"
        if isinstance(v, bool):
            return f"the boolean {self.text!r}"
        if isinstance(v, (int, float)):
            return f"the number {self.text}"
        return f"the text {str(v)!r}"

    def plain(self) -> Any:
        """The value as plain Python data (dicts, lists, scalars), without positions."""
        if self.kind == "map":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind == "seq":
            return [v.plain() for v in self.value]
        return self.value


def _mark_line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _yaml_error(err: yaml.YAMLError, source: str | None) -> InputError:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    text = f"malformed YAML: {problem}"
    context_line = _mark_line(getattr(err, "context_mark", None))
    if context:
        text += f" ({context}"
        if context_line is not None and context_line != _mark_line(mark):
            text += f" started at line {context_line}"
        text += ")"
    return InputError(text, source=source, line=_mark_line(mark))


class _Converter:
    def __init__(self, source: str | None) -> None:
        self.source = source
        self.constructor = yaml.constructor.SafeConstructor()

    def convert(self, node: yaml.Node, place: str) -> YNode:
        line = node.start_mark.line + 1
        if node.tag not in _STANDARD_TAGS:
            raise InputError(
                f"the YAML tag {node.tag!r} is not supported; scenarios use plain text, numbers, lists and mappings",
                source=self.source,
                line=line,
                place=place or None,
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[str, YNode] = {}
            key_lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    raise InputError(
                        "a mapping key must be a plain name, not a list or a mapping",
                        source=self.source,
                        line=key_line,
                        place=place or None,
                    )
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise InputError(
                        "YAML merge keys ('<<') are not supported; write the keys out",
                        source=self.source,
                        line=key_line,
                        place=place or None,
                    )
                key = str(key_node.value)
                child_place = f"{place}.{key}" if place else key
                if key in out:
                    raise InputError(
                        f"duplicate key {key!r} (first given at line {key_lines[key]})",
                        source=self.source,
                        line=key_line,
                        place=child_place,
                    )
                key_lines[key] = key_line
                child = self.convert(value_node, child_place)
                if child.kind != "scalar":
                    # a block list or mapping starts on the next line; its errors name the key's line
                    child.line = key_line
                out[key] = child
            return YNode("map", out, line, place, self.source, key_lines=key_lines)
        if isinstance(node, yaml.SequenceNode):
            items = [self.convert(v, f"{place}[{k}]") for k, v in enumerate(node.value)]
            return YNode("seq", items, line, place, self.source)
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = str(node.value)
        return YNode("scalar", value, line, place, self.source, text=str(node.value))


#: Lists and mappings may nest at most this deep (a scenario needs one level per player at most).
MAX_NESTING = 64


def _scan_events(text: str, source: str | None) -> None:
    """Refuse aliases and very deep nesting from the event stream, before any tree is built."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_NESTING:
                raise InputError(
                    f"the YAML document nests too deeply (more than {MAX_NESTING} levels of lists and mappings)",
                    source=source,
                    line=_mark_line(event.start_mark),
                )
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            raise InputError(
                f"YAML aliases ('*{event.anchor}') are not supported; write the value out",
                source=source,
                line=_mark_line(event.start_mark),
            )


def parse_yaml(text: str, source: str | None = None) -> YNode | None:
    """Parse one YAML document into a :class:`YNode` tree, or ``None`` for an empty document.

    Raises
    ------
    InputError
        For malformed YAML (with the line PyYAML reports), aliases, unsupported
        tags, duplicate keys and non-scalar keys.
    """
    try:
        _scan_events(text, source)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise _yaml_error(err, source) from None
    except RecursionError:
        raise InputError("the YAML document nests too deeply", source=source) from None
    if node is None:
        return None
    try:
        return _Converter(source).convert(node, "")
    except yaml.YAMLError as err:  # a scalar the constructor cannot read
        raise _yaml_error(err, source) from None
    except RecursionError:
        raise InputError("the YAML document nests too deeply", source=source) from None


def read_yaml(path: str | Path) -> YNode | None:
    """Read and parse a YAML file; :class:`InputError` when it cannot be read or parsed."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", source=source) from None
    except IsADirectoryError:
        raise InputError("this is a folder, expected a .yaml file", source=source) from None
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", source=source) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError("the file is not UTF-8 text", source=source, line=line) from None
    return parse_yaml(text, source)
