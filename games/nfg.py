r"""Read and write Gambit ``.nfg`` files (strategic-form games).

The format is described in the Gambit documentation, "The .nfg file format".
A file holds, separated by any whitespace (newlines included):

1. the header ``NFG 1 R`` (``NFG 1 D``, from older Gambit versions, is also read);
2. the quoted game title;
3. the players' names, ``{ "Alice" "Bob" }``;
4. either the number of strategies of each player, ``{ 3 2 }``, or each
   player's strategy labels, ``{ { "a" "b" "c" } { "x" "y" } }``;
5. an optional quoted comment (kept as :attr:`NormalFormGame.description`);
6. the payoffs, in one of two versions:

   - *payoff version*: a flat list of numbers, the payoffs of all players for
     each strategy profile in turn;
   - *outcome version*: a braced list of outcomes ``{ "label" 1, 2 }`` (one
     payoff per player, commas optional) followed by one outcome number per
     profile, 1-based, where ``0`` is the null outcome (every payoff 0).

   In both versions profiles are listed with the **first** player's strategy
   changing fastest. coop's arrays have the first player's axis first (C
   order), so the file order is the Fortran order of the ``(N, a_1, ..., a_N)``
   array and the reader reshapes with ``order="F"``.

Numbers are integers, decimals (``-2.5``, ``.5``, ``1e-3``) or rationals
(``3/4``); payoffs must be finite. Quoted strings may contain ``\"`` (a quote)
and ``\\`` (a backslash); any other backslash is kept as it is.

Labels
------
coop identifies players and strategies by unique labels, while a file may
leave labels empty or repeat them. The reader settles this deterministically
and silently:

- when a label occurs more than once in the same list, *every* occurrence is
  renamed ``label_1``, ``label_2``, ... in order, skipping names already used in
  the list (so no copy silently keeps the bare name);
- an empty player or strategy label is renamed the same way with an empty base:
  ``_1``, ``_2``, ... (the first free suffixes);
- strategies given only by their count are labelled ``"1"``, ``"2"``, ...

These are pygambit 16.7's rules, so labels in coop's JSON output match the ones
Gambit shows for the same file (checked in the tests).

Every error is an :class:`~coop.errors.InputError` naming the file, the line
and what was expected.

Examples
--------
>>> from coop.games.nfg import parse_nfg, format_nfg
>>> g = parse_nfg('NFG 1 R "PD" { "A" "B" } { { "C" "D" } { "C" "D" } } 3 3 5 0 0 5 1 1')
>>> float(g.payoffs[0][1, 0])  # A defects, B cooperates
5.0
>>> print(format_nfg(g))
NFG 1 R "PD" { "A" "B" }
{ { "C" "D" } { "C" "D" } }
""
<BLANKLINE>
3 3
5 0
0 5
1 1
<BLANKLINE>
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame, check_game_size

__all__ = ["read_nfg", "parse_nfg", "format_nfg"]

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<comma>,)
  | (?P<quote>")
  | (?P<word>[^\s{}",]+)
    """,
    re.VERBOSE | re.DOTALL,
)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_RATIONAL = re.compile(r"([+-]?\d+)/(\d+)", re.ASCII)
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([\\\"])")
# characters that can appear in a plain whitespace-separated list of decimals
_PLAIN_NUMBER_CHARS = str.maketrans("", "", "0123456789.eE+- \t\r\n\f\v")
_PLAIN_INTEGER_CHARS = str.maketrans("", "", "0123456789 \t\r\n\f\v")


class _Token(NamedTuple):
    kind: str  # "string", "open", "close", "comma", "word" or "end"
    text: str
    pos: int


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "the end of the file"
    text = token.text if len(token.text) <= 30 else token.text[:27] + "..."
    return repr(text)


class _Parser:
    """A one-token-lookahead reader over the text of an ``.nfg`` file."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self._tokens = self._scan(0)
        self._peeked: _Token | None = None

    # ------------------------------------------------------------------ tokens
    def _scan(self, start: int) -> Iterator[_Token]:
        for m in _TOKEN.finditer(self.text, start):
            kind = m.lastgroup
            assert kind is not None  # every alternative of _TOKEN is a named group
            if kind == "space":
                continue
            if kind == "quote":
                raise self.error("unterminated string: expected a closing '\"'", m.start())
            yield _Token(kind, m.group(), m.start())
        yield _Token("end", "", len(self.text))

    def next(self) -> _Token:
        if self._peeked is not None:
            token, self._peeked = self._peeked, None
            return token
        return next(self._tokens)

    def peek(self) -> _Token:
        if self._peeked is None:
            self._peeked = next(self._tokens)
        return self._peeked

    def restart_at(self, pos: int) -> None:
        """Tokenize afresh from ``pos`` (used after a fast path gave up)."""
        self._tokens = self._scan(pos)
        self._peeked = None

    def line(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def error(self, message: str, pos: int) -> InputError:
        return InputError(message, source=self.source, line=self.line(pos))

    # ------------------------------------------------------------------ pieces
    def expect_word(self, allowed: Sequence[str], what: str) -> _Token:
        token = self.next()
        if token.kind != "word" or token.text not in allowed:
            raise self.error(f"expected {what}, got {_describe(token)}", token.pos)
        return token

    def expect(self, kind: str, what: str) -> _Token:
        token = self.next()
        if token.kind != kind:
            raise self.error(f"expected {what}, got {_describe(token)}", token.pos)
        return token

    def string_list(self, what: str, brace: _Token) -> list[str]:
        """``{ "a" "b" ... }`` after its opening ``brace`` has been read."""
        opened = self.line(brace.pos)
        labels: list[str] = []
        while True:
            token = self.next()
            if token.kind == "close":
                return labels
            if token.kind == "string":
                labels.append(_unquote(token.text))
            elif token.kind == "end":
                raise self.error(f"missing '}}' closing the {what} list (opened on line {opened})", token.pos)
            else:
                raise self.error(f"expected a quoted {what} or '}}', got {_describe(token)}", token.pos)

    def number(self, token: _Token, what: str) -> float:
        if token.kind != "word":
            raise self.error(f"expected {what} (a number), got {_describe(token)}", token.pos)
        return _parse_number(token.text, what, lambda msg: self.error(msg, token.pos))

    def numbers_until_close(self, what: str, group: str, opened: int) -> list[float]:
        """Numbers (commas allowed between them) up to the brace closing ``group``."""
        values: list[float] = []
        while True:
            token = self.next()
            if token.kind == "close":
                return values
            if token.kind == "comma":
                continue
            if token.kind == "end":
                raise self.error(f"missing '}}' closing {group} (opened on line {opened})", token.pos)
            values.append(self.number(token, what))


def _unquote(token: str) -> str:
    return _ESCAPE.sub(r"\1", token[1:-1])


def _quote(text: str) -> str:
    """Quote ``text`` so that both coop and Gambit read it back unchanged.

    Gambit reads ``\\"`` as a quote and keeps other backslashes literally, so
    a backslash is doubled only where it would otherwise be misread: before a
    quote, before another backslash, or at the end of the string.
    """
    out = []
    for k, ch in enumerate(text):
        if ch == '"':
            out.append('\\"')
        elif ch == "\\" and (k + 1 == len(text) or text[k + 1] in '\\"'):
            out.append("\\\\")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _parse_number(text: str, what: str, fail) -> float:
    """A finite float from a decimal or rational token; ``fail(message)`` builds the error."""
    if _DECIMAL.fullmatch(text):
        value = float(text)
    elif m := _RATIONAL.fullmatch(text):
        num, den = m.groups()
        if len(num) + len(den) > 4000:
            raise fail(f"{what} {_describe(_Token('word', text, 0))} has too many digits")
        if int(den) == 0:
            raise fail(f"division by zero in {what} {text!r}")
        try:
            value = float(Fraction(int(num), int(den)))
        except OverflowError:
            value = math.inf
    elif _NONFINITE.fullmatch(text):
        raise fail(f"{what} must be a finite number, got {text!r}")
    else:
        raise fail(
            f"expected {what} (an integer, a decimal or a fraction like 3/4), "
            f"got {_describe(_Token('word', text, 0))}"
        )
    if not math.isfinite(value):
        raise fail(f"{what} must be a finite number, got {text!r} (too large for a float)")
    return value


def _unique_labels(labels: Sequence[str]) -> tuple[str, ...]:
    """Rename empty and repeated labels the way pygambit does (see the module docstring)."""
    counts = Counter(label for label in labels if label)
    taken = set(counts)
    next_suffix: dict[str, int] = {}
    out: list[str] = []
    for label in labels:
        if label and counts[label] == 1:
            out.append(label)
            continue
        # an empty label is renamed like a repeated one, with the empty string as its base: _1, _2, ...
        k = next_suffix.get(label, 1)
        name = f"{label}_{k}"
        while name in taken:
            k += 1
            name = f"{label}_{k}"
        next_suffix[label] = k + 1
        taken.add(name)
        out.append(name)
    return tuple(out)


_Number = TypeVar("_Number", int, float)


def _plain_numbers(text: str, allowed: dict[int, int | None],
                   convert: Callable[[str], _Number]) -> list[_Number] | None:
    """Fast path: ``text`` split on whitespace and converted, or None if anything looks unusual."""
    if text.translate(allowed):
        return None
    try:
        return [convert(t) for t in text.split()]
    except ValueError:
        return None


def _parse(text: str, source: str) -> NormalFormGame:
    p = _Parser(text, source)
    first = p.peek()
    if first.kind != "word" or first.text != "NFG":
        raise p.error(f"expected the header 'NFG 1 R' of a Gambit .nfg file, got {_describe(first)}", first.pos)
    p.next()
    p.expect_word(["1"], "the format version '1' after 'NFG'")
    p.expect_word(["R", "D"], "'R' after 'NFG 1'")
    title = _unquote(p.expect("string", "the quoted game title after 'NFG 1 R'").text)

    player_list = p.expect("open", "'{' opening the list of player names")
    players = p.string_list("player name", player_list)
    n = len(players)
    if n == 0:
        raise p.error("the player list is empty; expected at least one quoted player name", player_list.pos)

    opening = p.expect("open", "'{' opening the strategy counts or strategy labels")
    opened = p.line(opening.pos)
    actions: list[list[str]] = []
    counts: list[int] = []
    if p.peek().kind == "open":
        while p.peek().kind == "open":
            labels = p.string_list("strategy label", p.next())
            if not labels:
                raise p.error(f"player {len(actions) + 1} has no strategies; expected at least one label", p.peek().pos)
            actions.append(labels)
        p.expect("close", f"'}}' closing the strategy lists opened on line {opened}")
        counts = [len(a) for a in actions]
        if len(counts) != n:
            raise p.error(f"expected {n} strategy lists (one per player), found {len(counts)}", opening.pos)
    else:
        while True:
            token = p.next()
            if token.kind == "close":
                break
            if token.kind == "end":
                raise p.error(f"missing '}}' closing the strategy counts (opened on line {opened})", token.pos)
            if token.kind != "word" or not (token.text.isascii() and token.text.isdigit()):
                raise p.error(f"expected a positive whole number of strategies or '}}', got {_describe(token)}",
                              token.pos)
            if len(token.text) > 18:
                raise p.error(f"strategy count {_describe(token)} is far too large for memory", token.pos)
            if int(token.text) < 1:
                raise p.error("a player needs at least one strategy; got 0", token.pos)
            counts.append(int(token.text))
        if len(counts) != n:
            raise p.error(f"expected {n} strategy counts (one per player), found {len(counts)}", opening.pos)
        actions = [[str(k) for k in range(1, c + 1)] for c in counts]  # Gambit labels them by position
    try:
        check_game_size(counts, source)
    except InputError as err:
        raise err.located(line=p.line(opening.pos)) from None

    description = ""
    if p.peek().kind == "string":
        description = _unquote(p.next().text)

    num_profiles = math.prod(counts)
    start = p.peek()
    if start.kind == "open":
        payoffs = _outcome_payoffs(p, n, counts, num_profiles)
    elif start.kind in ("word", "end", "comma"):
        payoffs = _listed_payoffs(p, n, counts, num_profiles)
    else:
        raise p.error(f"expected the payoffs (numbers) or a '{{' opening the outcome list, got {_describe(start)}",
                      start.pos)

    try:
        return NormalFormGame(
            payoffs,
            _unique_labels(players),
            tuple(_unique_labels(a) for a in actions),
            title,
            description,
        )
    except InputError as err:  # labels are made unique above, so this is a safety net
        raise err.located(source=source) from None


def _listed_payoffs(p: _Parser, n: int, counts: list[int], num_profiles: int) -> np.ndarray:
    """Payoff version: ``n * num_profiles`` numbers, first player's strategy fastest."""
    expected = n * num_profiles
    start = p.peek().pos
    values = _plain_numbers(p.text[start:], _PLAIN_NUMBER_CHARS, float)
    if values is not None and len(values) == expected:
        flat = np.array(values, dtype=np.float64)
        if np.all(np.isfinite(flat)):
            return flat.reshape((n, *counts), order="F")
    # slow path: token by token, with the line of the first problem
    p.restart_at(start)
    flat = np.empty(expected, dtype=np.float64)
    found, last_pos, extra_pos = 0, start, None
    while True:
        token = p.next()
        if token.kind == "end":
            break
        if token.kind == "comma":
            continue
        value = p.number(token, "a payoff")
        if found < expected:
            flat[found] = value
            last_pos = token.pos
        elif extra_pos is None:
            extra_pos = token.pos
        found += 1
    if found != expected:
        raise p.error(
            f"wrong number of payoffs: expected {expected} ({n} players x {num_profiles} strategy profiles), "
            f"found {found}",
            last_pos if extra_pos is None else extra_pos,
        )
    return flat.reshape((n, *counts), order="F")


def _outcome_payoffs(p: _Parser, n: int, counts: list[int], num_profiles: int) -> np.ndarray:
    """Outcome version: a list of outcomes, then one outcome index per profile."""
    opening = p.next()
    opened = p.line(opening.pos)
    outcomes = [np.zeros(n)]  # index 0: the null outcome
    while True:
        token = p.next()
        if token.kind == "close":
            break
        if token.kind == "end":
            raise p.error(f"missing '}}' closing the outcome list (opened on line {opened})", token.pos)
        if token.kind != "open":
            raise p.error(f"expected '{{' opening an outcome or '}}' closing the outcome list, got {_describe(token)}",
                          token.pos)
        k = len(outcomes)
        if p.peek().kind == "string":
            p.next()
        values = p.numbers_until_close(f"payoff of outcome {k}", f"outcome {k}", p.line(token.pos))
        if len(values) != n:
            raise p.error(f"outcome {k} has {len(values)} payoffs; expected {n} (one per player)", token.pos)
        outcomes.append(np.array(values))
    table = np.array(outcomes, dtype=np.float64)
    num_outcomes = len(outcomes) - 1

    start = p.peek().pos
    indices = _plain_numbers(p.text[start:], _PLAIN_INTEGER_CHARS, int)
    if indices is not None and len(indices) == num_profiles and all(0 <= i <= num_outcomes for i in indices):
        index = np.array(indices, dtype=np.int64)
    else:
        p.restart_at(start)
        index = np.empty(num_profiles, dtype=np.int64)
        found, last_pos, extra_pos = 0, start, None
        while True:
            token = p.next()
            if token.kind == "end":
                break
            if token.kind == "comma":
                continue
            if token.kind != "word" or not (token.text.isascii() and token.text.isdigit()):
                raise p.error(f"expected an outcome number (a whole number from 0 to {num_outcomes}), "
                              f"got {_describe(token)}", token.pos)
            value = int(token.text) if len(token.text) <= 18 else num_outcomes + 1
            if value > num_outcomes:
                raise p.error(f"outcome number {token.text} is out of range: expected 0 (no outcome) to "
                              f"{num_outcomes}", token.pos)
            if found < num_profiles:
                index[found] = value
                last_pos = token.pos
            elif extra_pos is None:
                extra_pos = token.pos
            found += 1
        if found != num_profiles:
            raise p.error(f"wrong number of outcome numbers: expected {num_profiles} (one per strategy profile), "
                          f"found {found}", last_pos if extra_pos is None else extra_pos)
    payoffs = table[index.reshape(counts, order="F")]  # shape (a_1, ..., a_N, n)
    return np.moveaxis(payoffs, -1, 0)


# ---------------------------------------------------------------------- public API
def parse_nfg(text: str, source: str = "<string>") -> NormalFormGame:
    """Parse the text of a Gambit ``.nfg`` file.

    Parameters
    ----------
    text : str
        The whole file (payoff or outcome version).
    source : str
        Name used in error messages.

    Returns
    -------
    NormalFormGame
        With the file's title, comment (as ``description``), player names and
        strategy labels (made unique as the module docstring describes).

    Raises
    ------
    InputError
        One line naming ``source``, the line and what was expected.

    Examples
    --------
    >>> g = parse_nfg('NFG 1 R "" { "P1" "P2" } { 2 1 } 1 2 3 4')
    >>> g.actions
    (('1', '2'), ('1',))
    >>> g.payoffs[:, 1, 0].tolist()  # the second profile: P1 plays its strategy 2
    [3.0, 4.0]
    """
    return _parse(text, source)


def read_nfg(path: str | Path) -> NormalFormGame:
    """Read a Gambit ``.nfg`` file (UTF-8, or Latin-1 when it is not valid UTF-8).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    NormalFormGame

    Raises
    ------
    InputError
        The file is missing or unreadable, or its content is not a valid
        ``.nfg`` game; the message names the file and, for content errors, the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "coin.nfg"
    >>> _ = path.write_text('NFG 1 R "coin" { "A" "B" } { 2 2 } 1 -1 -1 1 -1 1 1 -1')
    >>> read_nfg(path).payoffs[0].tolist()
    [[1.0, -1.0], [-1.0, 1.0]]
    """
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file; expected a Gambit .nfg file", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory; expected a Gambit .nfg file", source=source) from None
    except OSError as err:
        raise InputError(f"cannot read the file ({err.strerror or err})", source=source) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "\x00" in text:
        pos = text.index("\x00")
        raise InputError("found a NUL character (binary or UTF-16 data); expected a text .nfg file",
                         source=source, line=text.count("\n", 0, pos) + 1)
    return parse_nfg(text, source)


def _format_number(x: float) -> str:
    """Shortest text that reads back as exactly ``x``, in a form Gambit also reads."""
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    text = repr(x)
    return text.replace("e+", "e")  # Gambit rejects '+' in exponents


def format_nfg(game: NormalFormGame) -> str:
    """The game as the text of a Gambit ``.nfg`` file (payoff version, with labels).

    The title, player names, strategy labels and ``game.description`` (as the
    comment) are written quoted; payoffs are written so that they read back to
    the same float64 values, one strategy profile per line, the first player's
    strategy changing fastest.

    Gambit (pygambit 16.7) itself reads only labels made of printable ASCII
    characters without leading, trailing or doubled spaces; other labels are
    written as they are and read back by :func:`parse_nfg`.

    Parameters
    ----------
    game : NormalFormGame

    Returns
    -------
    str

    Examples
    --------
    >>> from coop.games import NormalFormGame
    >>> g = NormalFormGame.from_payoffs([[[1.5, 0]], [[2, -1e-300]]], players=("a", "b"))
    >>> print(format_nfg(g), end="")
    NFG 1 R "" { "a" "b" }
    { { "1" } { "1" "2" } }
    ""
    <BLANKLINE>
    1.5 2
    0 -1e-300
    """
    n = game.num_players
    lines = [
        f"NFG 1 R {_quote(game.title)} {{ {' '.join(_quote(p) for p in game.players)} }}",
        "{ " + " ".join("{ " + " ".join(_quote(a) for a in acts) + " }" for acts in game.actions) + " }",
        _quote(game.description),
        "",
    ]
    flat = np.asarray(game.payoffs).ravel(order="F")
    whole = ((flat == np.trunc(flat)) & (np.abs(flat) < 1e16)).tolist()
    words = [str(int(x)) if w else _format_number(x) for x, w in zip(flat.tolist(), whole, strict=True)]
    lines.extend(" ".join(words[k : k + n]) for k in range(0, len(words), n))
    return "\n".join(lines) + "\n"
