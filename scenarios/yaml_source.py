"""Read YAML into a tree that remembers where each value came from.

Scenario errors must name the line and the place in the document
(``export.yaml, line 23, at payoffs.table[4].payoffs.China: ...``). This module
reads PyYAML's event stream (the parse, without PyYAML's constructors) and
builds :class:`YNode` values (mapping, sequence or scalar, with line and place)
in one pass, without recursion. It rejects what a scenario never needs, each
with one located :class:`~coop.errors.InputError`:

- files over :data:`MAX_YAML_BYTES` (checked before anything is parsed);
- text that is not UTF-8 (UTF-16 is named as such), and control characters;
- aliases (``*name``, which also defuses "billion laughs" documents), merge
  keys (``<<``), non-scalar keys, duplicate keys, more than one document,
  nesting deeper than :data:`MAX_NESTING` and more than :data:`MAX_VALUES` values;
- tags other than the YAML core ones (``!!str``, ``!!int``, ``!!float``,
  ``!!bool``, ``!!null``, ``!!seq``, ``!!map``), and a tagged value that does
  not read as its tag (``!!int abc``).

Plain scalars are read with the YAML 1.2 core schema, not PyYAML's YAML 1.1
rules, so that numbers mean what they look like: ``010`` is ten (not eight),
``1:30`` is text (not ninety), ``1e10`` is a number, and only ``true`` and
``false`` (``True``, ``TRUE``, ...) are booleans (``yes``, ``no``, ``on`` and
``off`` are text). See :func:`resolve_plain`.

Examples
--------
>>> root = parse_yaml("title: Demo\\nplayers:\\n  - name: US\\n", source="demo.yaml")
>>> root["players"][0]["name"].value, root["players"][0]["name"].line
('US', 3)
>>> root["players"][0]["name"].place
'players[0].name'
>>> [v.value for v in parse_yaml("[010, 1:30, 1e10, 0x1F, yes, true, ~]")]
[10, '1:30', 10000000000.0, 31, 'yes', True, None]
"""

from __future__ import annotations

import gc
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coop.errors import InputError

#: The largest scenario file coop reads, in bytes (1 MiB). The bundled scenarios are about 5 KB; a
#: game too large to write out in a few hundred KB belongs in a Gambit ``.nfg`` file.
MAX_YAML_BYTES = 1024**2

#: Lists and mappings may nest at most this deep (a scenario needs one level per player at most).
MAX_NESTING = 64

#: A document may hold at most this many values (scalars, lists and mappings together).
MAX_VALUES = 250_000

#: Mapping keys are names (of keys, players, parameters): at most this many characters.
MAX_KEY_LENGTH = 200

# libyaml's parser when PyYAML was built with it (about 15 times faster), else PyYAML's own
_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
_SEQ, _MAP = _CORE + "seq", _CORE + "map"
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, "!"}

# the YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_WORDS: dict[str, bool | None] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
}
_NUMBER_START = frozenset("0123456789+-.")  # every int, float, .inf and .nan starts with one of these
_INT_RE = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", re.ASCII)
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", re.ASCII)
_INF_RE = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN_RE = re.compile(r"\.(?:nan|NaN|NAN)")
#: Integers longer than this are refused (Python itself refuses to read more than 4300 digits).
_MAX_DIGITS = 4000

# what YAML allows in a stream: tab, newline, carriage return, printable characters (YAML 1.2, 5.1)
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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
            return f"the number {quoted(self.text, 60)[1:-1]}"
        return f"the text {quoted(str(v), 60)}"

    def plain(self) -> Any:
        """The value as plain Python data (dicts, lists, scalars), without positions."""
        if self.kind == "map":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind == "seq":
            return [v.plain() for v in self.value]
        return self.value


def _mark_line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _yaml_error(err: yaml.YAMLError, text: str, source: str | None) -> InputError:
    if isinstance(err, yaml.reader.ReaderError):  # a character YAML does not allow (normally caught before)
        pos = max(0, int(getattr(err, "position", 0)))
        return InputError(f"malformed YAML: {err.reason}", source=source, line=text.count("\n", 0, pos) + 1)
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    if problem.startswith("found character") and "cannot start any token" in problem and mark is not None:
        char = _char_at(text, mark.line, mark.column)
        if char is not None:  # libyaml's message does not name the character; PyYAML's does
            problem = f"found character {char!r} that cannot start any token"
            if char == "\t":
                problem += " (YAML indents with spaces, not tabs)"
    if "maximum nesting depth" in problem:  # libyaml (PyYAML >= 6.0.4) stops deep nesting itself: say it as coop does
        return InputError(f"the YAML document nests too deeply (more than {MAX_NESTING} levels of lists and "
                          "mappings)", source=source, line=_mark_line(mark))
    context = getattr(err, "context", None)
    message = f"malformed YAML: {problem}"
    context_line = _mark_line(getattr(err, "context_mark", None))
    if context:
        message += f" ({context}"
        if context_line is not None and context_line != _mark_line(mark):
            message += f" started at line {context_line}"
        message += ")"
    return InputError(message, source=source, line=_mark_line(mark))


def _char_at(text: str, line: int, column: int) -> str | None:
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    pos = start + column
    return text[pos] if pos < len(text) else None


def _show_tag(tag: str) -> str:
    """``!!int`` for the core tags, the tag as written otherwise."""
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def quoted(text: str, limit: int = 40) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters (``'abc...'``) so one line stays one line."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")


def resolve_plain(text: str) -> bool | int | float | str | None:
    """The value of a plain (unquoted, untagged) scalar under the YAML 1.2 core schema.

    ``null``/``~``/empty is ``None``; ``true``/``false`` (also ``True``, ``TRUE``, ...) are booleans;
    ``[-+]?[0-9]+``, ``0o17`` and ``0x1F`` are integers (``010`` is ten); decimals with an optional
    exponent (``1.5``, ``.5``, ``1e10``, ``1.0e10``), ``.inf`` and ``.nan`` are floats; anything
    else is text (``yes``, ``on``, ``1:30``, ``1_000``, ``2001-12-14``).

    Examples
    --------
    >>> [resolve_plain(t) for t in ("010", "0o10", "0x10", "1e3", "-.inf", "yes", "1:30", "")]
    [10, 8, 16, 1000.0, -inf, 'yes', '1:30', None]

    Raises
    ------
    ValueError
        For an integer of more than 4000 digits.
    """
    if text[:1] not in _NUMBER_START:  # most values are names and text: one look at the first character
        return _WORDS.get(text, text)
    if text.isdigit() and text.isascii():  # the usual number: plain digits
        return int(text) if len(text) <= _MAX_DIGITS else _too_long(text)
    if _INT_RE.fullmatch(text):
        return _int(text)
    if _FLOAT_RE.fullmatch(text):
        return float(text)
    if _INF_RE.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN_RE.fullmatch(text):
        return math.nan
    return text


def _int(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8) if len(text) <= _MAX_DIGITS else _too_long(text)
    if text.startswith("0x"):
        return int(text[2:], 16) if len(text) <= _MAX_DIGITS else _too_long(text)
    return int(text) if len(text) <= _MAX_DIGITS else _too_long(text)


def _too_long(text: str) -> int:
    raise ValueError(f"the integer {quoted(text)} has {len(text)} digits; at most {_MAX_DIGITS} are read")


def _tagged(tag: str, text: str) -> bool | int | float | str | None:
    """The value of a scalar with an explicit core tag, or ``ValueError`` saying why it does not fit."""
    if tag in (_STR, "!"):
        return text
    value = resolve_plain(text)
    if tag == _NULL and value is None:
        return None
    if tag == _BOOL and isinstance(value, bool):
        return value
    if tag == _INT and isinstance(value, int) and not isinstance(value, bool):
        return value
    if tag == _FLOAT and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    expected = {
        _NULL: "empty, ~ or null",
        _BOOL: "true or false",
        _INT: "an integer (such as 42, -7, 0o52 or 0x2A)",
        _FLOAT: "a number (such as 1.5, -2, 1e-3, .inf or .nan)",
    }[tag]
    raise ValueError(f"the value {quoted(text)} is tagged {_show_tag(tag)} but is not {expected}")


class _Open:
    """A list or mapping being built: its node, and for a mapping the key waiting for its value."""

    __slots__ = ("node", "key", "key_line")

    def __init__(self, node: YNode) -> None:
        self.node = node
        self.key: str | None = None
        self.key_line = 0

    def child_place(self) -> str:
        node = self.node
        if node.kind == "seq":
            return f"{node.place}[{len(node.value)}]"
        assert self.key is not None  # internal: a mapping's value always follows its key
        return f"{node.place}.{self.key}" if node.place else self.key


class _Builder:
    """Turns the event stream of one document into a :class:`YNode` tree, checking it on the way."""

    def __init__(self, text: str, source: str | None) -> None:
        self.text = text
        self.source = source
        self.stack: list[_Open] = []
        self.root: YNode | None = None
        self.documents = 0
        self.values = 0

    def error(self, message: str, event: Any, place: str | None = None) -> InputError:
        return InputError(message, source=self.source, line=_mark_line(event.start_mark), place=place or None)

    def build(self, events: Iterable[Any]) -> YNode | None:
        for event in events:
            if isinstance(event, yaml.ScalarEvent):
                self.scalar(event)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                self.start(event)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                self.attach(self.stack.pop().node)
            elif isinstance(event, yaml.AliasEvent):
                raise self.error(f"YAML aliases ('*{event.anchor}') are not supported; write the value out", event)
            elif isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise self.error(
                        "the file holds more than one YAML document (a '---' starts another one here); "
                        "a scenario is one document",
                        event,
                    )
        return self.root

    def count(self, event: Any) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.error(
                f"the YAML document has more than {MAX_VALUES:,} values; for a game this large, "
                "write the payoffs to a Gambit .nfg file",
                event,
            )

    def where(self, event: Any) -> tuple[str, bool]:
        """The place of the value this event starts, and whether it is a mapping key."""
        if not self.stack:
            return "", False
        top = self.stack[-1]
        if top.node.kind == "map" and top.key is None:
            return top.node.place, True
        return top.child_place(), False

    def check_tag(self, event: Any, place: str, kind: str) -> None:
        """Refuse a tag that is not a core tag, or one that does not fit ``kind`` (scalar, seq, map)."""
        tag = event.tag
        if tag is None or tag == "!":  # no tag, or the non-specific one ('! text' is text)
            return
        fits = _SCALAR_TAGS if kind == "scalar" else {_SEQ if kind == "seq" else _MAP}
        if tag in fits:
            return
        if tag in _SCALAR_TAGS or tag in (_SEQ, _MAP):
            what = {"scalar": "a plain value", "seq": "a list", "map": "a mapping"}[kind]
            raise self.error(f"the YAML tag {_show_tag(tag)!r} does not fit {what}", event, place)
        raise self.error(
            f"the YAML tag {_show_tag(tag)!r} is not supported; scenarios use plain text, numbers, "
            "true/false, null, lists and mappings (the tags allowed are !!str, !!int, !!float, !!bool, "
            "!!null, !!seq and !!map)",
            event,
            place,
        )

    def scalar(self, event: Any) -> None:
        # the most frequent event: written out, without the helper calls of start()
        self.values += 1
        if self.values > MAX_VALUES:
            self.count(event)
        stack = self.stack
        top = stack[-1] if stack else None
        is_key = top is not None and top.key is None and top.node.kind == "map"
        if top is None:
            place = ""
        elif is_key:
            place = top.node.place
        else:
            place = top.child_place()
        tag = event.tag
        if tag is not None:
            self.check_tag(event, place, "scalar")
        text = event.value
        if is_key:
            assert top is not None  # for the type checker: a key has a mapping above it
            if text == "<<" and event.implicit[0] and tag is None:
                raise self.error("YAML merge keys ('<<') are not supported; write the keys out", event, place)
            node = top.node
            if text in node.value:
                child = f"{node.place}.{text}" if node.place else text
                raise self.error(
                    f"duplicate key {text!r} (first given at line {node.key_lines[text]})", event, child
                )
            if len(text) > MAX_KEY_LENGTH:
                raise self.error(
                    f"the mapping key {quoted(text)} is {len(text):,} characters long; keys are names of at most "
                    f"{MAX_KEY_LENGTH} characters",
                    event,
                    node.place,
                )
            top.key, top.key_line = text, event.start_mark.line + 1
            return
        try:
            if tag is not None:
                value = _tagged(tag, text)
            elif event.implicit[0]:  # plain: resolved by the YAML 1.2 core schema
                value = resolve_plain(text)
            else:  # quoted or a block scalar: always text
                value = text
        except ValueError as err:
            raise self.error(str(err), event, place) from None
        self.attach(YNode("scalar", value, event.start_mark.line + 1, place, self.source, text=text))

    def start(self, event: Any) -> None:
        self.count(event)
        place, is_key = self.where(event)
        if is_key:
            raise self.error("a mapping key must be a plain name, not a list or a mapping", event, place)
        is_seq = isinstance(event, yaml.SequenceStartEvent)
        self.check_tag(event, place, "seq" if is_seq else "map")
        if len(self.stack) >= MAX_NESTING:
            raise self.error(
                f"the YAML document nests too deeply (more than {MAX_NESTING} levels of lists and mappings)", event
            )
        line = _mark_line(event.start_mark) or 0
        if is_seq:
            node = YNode("seq", [], line, place, self.source)
        else:
            node = YNode("map", {}, line, place, self.source, key_lines={})
        self.stack.append(_Open(node))

    def attach(self, node: YNode) -> None:
        if not self.stack:
            self.root = node
            return
        top = self.stack[-1]
        parent = top.node
        if parent.kind == "seq":
            parent.value.append(node)
            return
        assert top.key is not None  # internal: the parser gives a key before each value
        if node.kind != "scalar":
            # a block list or mapping starts on the next line; its errors name the key's line
            node.line = top.key_line
        parent.value[top.key] = node
        parent.key_lines[top.key] = top.key_line
        top.key = None


def _check_characters(text: str, source: str | None) -> None:
    m = _NOT_PRINTABLE.search(text)
    if m is None:
        return
    char = m.group()
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    name = unicodedata.name(char, "a control character")
    what = "a NUL character (binary data?)" if char == "\x00" else f"the character U+{ord(char):04X} ({name})"
    raise InputError(
        f"the file contains {what} at column {column}, which YAML does not allow; a scenario file is plain text",
        source=source,
        line=line,
    )


def parse_yaml(text: str, source: str | None = None) -> YNode | None:
    """Parse one YAML document into a :class:`YNode` tree, or ``None`` for an empty document.

    Plain scalars follow the YAML 1.2 core schema (:func:`resolve_plain`).

    Raises
    ------
    InputError
        For text over :data:`MAX_YAML_BYTES`, malformed YAML (with the line the
        parser reports), control characters, aliases, merge keys, unsupported
        tags or tagged values that do not fit their tag, duplicate keys,
        non-scalar keys, more than one document, nesting deeper than
        :data:`MAX_NESTING` and more than :data:`MAX_VALUES` values.
    """
    if len(text) > MAX_YAML_BYTES:
        raise InputError(
            f"the text is {len(text):,} characters long; a scenario may be at most {_size(MAX_YAML_BYTES)}",
            source=source,
        )
    _check_characters(text, source)
    builder = _Builder(text, source)
    collecting = gc.isenabled()
    gc.disable()  # the tree has no reference cycles; collecting while it grows only costs time
    try:
        return builder.build(yaml.parse(text, Loader=_Parser))
    except yaml.YAMLError as err:
        raise _yaml_error(err, text, source) from None
    finally:
        if collecting:
            gc.enable()


def _size(nbytes: int) -> str:
    """``1 MiB``, ``50.2 MiB``, ``812 KiB``, ``120 bytes``."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes} bytes"


def _read_limited(path: Path, limit: int, what: str, source: str) -> bytes:
    """The bytes of ``path``, or :class:`InputError` when it is larger than ``limit`` bytes.

    The size is checked before reading when the file system knows it, and reading stops after
    ``limit + 1`` bytes otherwise (a pipe, ``/dev/zero``), so a huge file is never read whole.
    ``what`` names the kind of file in messages (``"a scenario file"``).
    """
    try:
        with path.open("rb") as f:
            try:
                size = path.stat().st_size if path.is_file() else 0
            except OSError:
                size = 0
            if size > limit:
                raise InputError(
                    f"the file is {_size(size)} ({size:,} bytes); {what} may be at most {_size(limit)}",
                    source=source,
                )
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise InputError("no such file", source=source) from None
    except IsADirectoryError:
        raise InputError(f"this is a folder, expected {what}", source=source) from None
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", source=source) from None
    if len(data) > limit:
        raise InputError(f"the file is larger than {_size(limit)}; {what} may be at most {_size(limit)}",
                         source=source)
    return data


def _decode(raw: bytes, source: str) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is dropped), or :class:`InputError` naming the line."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is UTF-16 text; save it as UTF-8", source=source, line=1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError("the file is not UTF-8 text", source=source, line=line) from None


def read_yaml(path: str | Path) -> YNode | None:
    """Read and parse a YAML file; :class:`InputError` when it cannot be read or parsed.

    Files over :data:`MAX_YAML_BYTES` are refused before they are read.
    """
    path = Path(path)
    source = str(path)
    raw = _read_limited(path, MAX_YAML_BYTES, "a scenario file", source)
    return parse_yaml(_decode(raw, source), source)
