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

These are pygambit's rules (16.7 and 17), so labels in coop's JSON output match the ones
Gambit shows for the same file (checked in the tests).

Limits
------
A file may be at most :data:`MAX_NFG_BYTES` (256 MiB; refused before it is
read), a game at most :data:`~coop.games.normal_form.MAX_PLAYERS` players, and
its payoff array at most :data:`~coop.games.normal_form.MAX_PAYOFF_BYTES`:
both are checked from the header, before any payoff is read, and a label list
far too long for them is refused without reading it to its end. The payoff
part is read in pieces by NumPy, so a game of 10^7 payoffs (20 to 30 MB) takes
about a second; a piece with anything but plain decimals (fractions, bad
tokens) is read token by token, which gives the same errors as before.

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
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import MAX_ACTIONS, MAX_PAYOFF_BYTES, MAX_PLAYERS, NormalFormGame, check_game_size

__all__ = ["MAX_NFG_BYTES", "read_nfg", "parse_nfg", "format_nfg"]

#: The largest ``.nfg`` file coop reads, in bytes (256 MiB: about 10^8 short payoffs; a 2236 x 2236
#: game of 10^7 payoffs is 20 to 30 MB). Larger files are refused before they are read.
MAX_NFG_BYTES = 256 * 1024**2

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"[^"\\]*(?:\\.[^"\\]*)*")
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
# characters that can appear in a plain list of decimals (or integers) separated by whitespace or commas
_PLAIN_NUMBER_CHARS = str.maketrans("", "", "0123456789.eE+- \t\r\n\f\v,")
_PLAIN_INTEGER_CHARS = str.maketrans("", "", "0123456789 \t\r\n\f\v,")
_PLAIN_SIGNED_INTEGER_CHARS = str.maketrans("", "", "0123456789+- \t\r\n\f\v,")
# per byte: whether it separates numbers (ASCII whitespace or a comma)
_SEPARATOR_BYTE = np.zeros(256, dtype=bool)
_SEPARATOR_BYTE[[ord(c) for c in " \t\r\n\f\v,"]] = True
_DIGIT_BYTE = np.zeros(256, dtype=bool)
_DIGIT_BYTE[ord("0") : ord("9") + 1] = True
_SEPARATOR = re.compile(r"[\s,]")
# the payoff part is read in pieces of about this many characters
_CHUNK = 1 << 18


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
        self._line_at = (0, 1)  # a position and its line, so that line numbers are counted onwards from it

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
        """The 1-based line of ``pos``, counted from the last position asked (the reader mostly moves on)."""
        known, line = self._line_at
        if pos >= known:
            line += self.text.count("\n", known, pos)
        else:
            line -= self.text.count("\n", pos, known)
        self._line_at = (pos, line)
        return line

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

    def string_list(self, what: str, brace: _Token, limit: int | None = None,
                    too_many: Callable[[int], InputError] | None = None) -> list[str]:
        """``{ "a" "b" ... }`` after its opening ``brace`` has been read.

        With ``limit``, ``too_many(limit)`` is raised as soon as the list has more than ``limit``
        labels, so that a huge list is refused without reading it to its end.
        """
        opened = self.line(brace.pos)
        labels: list[str] = []
        while True:
            token = self.next()
            if token.kind == "close":
                return labels
            if token.kind == "string":
                labels.append(_unquote(token.text))
                if limit is not None and too_many is not None and len(labels) > limit:
                    raise too_many(limit)
            elif token.kind == "end":
                raise self.error(f"missing '}}' closing the {what} list (opened on line {opened})", token.pos)
            else:
                raise self.error(f"expected a quoted {what} or '}}', got {_describe(token)}", token.pos)

    def number(self, token: _Token, what: str) -> float:
        if token.kind != "word":
            raise self.error(f"expected {what} (a number), got {_describe(token)}", token.pos)
        return _parse_number(token.text, what, lambda msg: self.error(msg, token.pos))

    def numbers_until_close(self, what: str, group: str, opened_at: int) -> list[float]:
        """Numbers (commas allowed between them) up to the brace closing ``group``, opened at ``opened_at``."""
        values: list[float] = []
        while True:
            token = self.next()
            if token.kind == "close":
                return values
            if token.kind == "comma":
                continue
            if token.kind == "end":
                opened = self.line(opened_at)
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


def _plain_chunk(chunk: str, allowed: dict[int, int | None],
                 dtype: type[np.float64] | type[np.int64]) -> tuple[np.ndarray, np.ndarray] | None:
    """Fast path for one piece of the number list: its numbers (parsed by NumPy, in C) and where each starts.

    ``None`` when anything looks unusual (a character outside ``allowed``, a malformed or overlong
    number): the caller then reads that piece token by token, with the exact error messages.
    A piece has only ASCII digits, signs, dots, exponents, whitespace and commas here, and NumPy
    reads a number exactly when Python's ``float`` or ``int`` does, to the same value. Decimals
    without a dot or an exponent (most payoffs) are read as integers, three times as fast, and
    converted: an integer of at most 18 digits becomes the float that ``float()`` gives.
    """
    if chunk.translate(allowed):
        return None
    codes = np.frombuffer(chunk.encode("ascii"), dtype=np.uint8)
    sep = _SEPARATOR_BYTE[codes]
    word = ~sep
    starts = np.flatnonzero(word & np.concatenate(([True], sep[:-1])))
    if starts.size == 0:
        return np.empty(0, dtype=dtype), starts
    ends = np.flatnonzero(word & np.concatenate((sep[1:], [True])))
    short = int((ends - starts).max()) < 18  # no overflow of int64
    if dtype is np.int64 and not short:
        return None  # longer ones go the slow way
    whole = dtype is np.int64 or (short and not chunk.translate(_PLAIN_SIGNED_INTEGER_CHARS))
    if whole and dtype is np.float64:
        # NumPy reads a lone sign as the integer 0: a sign must start a word and be followed by a digit
        signs = np.flatnonzero((codes == ord("+")) | (codes == ord("-")))
        if signs.size:
            after = np.minimum(signs + 1, codes.size - 1)
            starts_word = (signs == 0) | sep[np.maximum(signs - 1, 0)]
            whole = bool(np.all(starts_word & (signs + 1 < codes.size) & _DIGIT_BYTE[codes[after]]))
    values = _fromstring(chunk, np.int64 if whole else dtype)
    if values is not None and whole and dtype is np.float64:
        if "-" in chunk and not values.all():
            values = _fromstring(chunk, dtype)  # "-0" is the float -0.0, not the integer 0
        else:
            values = values.astype(np.float64)
    # one number per word: a malformed word that NumPy read as two numbers (or none) is caught here
    return (values, starts) if values is not None and values.size == starts.size else None


def _fromstring(chunk: str, dtype: type[np.float64] | type[np.int64]) -> np.ndarray | None:
    """NumPy's reading of the numbers in ``chunk``, or ``None`` when it cannot read to the end."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy warns (or raises) when it cannot read to the end
        try:
            return np.fromstring(chunk.replace(",", " "), dtype=dtype, sep=" ")
        except (ValueError, DeprecationWarning):
            return None


def _chunk_end(text: str, pos: int) -> int:
    """The end of the piece that starts at ``pos``: about ``_CHUNK`` characters on, at a separator."""
    end = pos + _CHUNK
    if end >= len(text):
        return len(text)
    m = _SEPARATOR.search(text, end)
    return m.start() if m else len(text)


def _read_numbers(p: _Parser, expected: int, dtype: type[np.float64] | type[np.int64],
                  allowed: dict[int, int | None], good: Callable[[np.ndarray], bool],
                  slow: Callable[[_Token], float | int]) -> tuple[np.ndarray, int, int]:
    """Every number from the parser's position to the end of the text, separated by whitespace or commas.

    Pieces of plain numbers are read by NumPy; a piece with anything else, or whose values fail
    ``good``, is read token by token with ``slow`` (which raises the error for a bad token), so the
    first bad token is reported exactly as a token-by-token reader would report it, and quickly.

    Returns the first ``expected`` values, how many numbers were found, and the position to name
    when that is not ``expected``: the last number when there are too few (the start when none),
    the first extra one when there are too many.
    """
    text = p.text
    start = pos = p.peek().pos
    out = np.empty(expected, dtype=dtype)
    found, last_pos, extra_pos = 0, start, -1
    while pos < len(text):
        end = _chunk_end(text, pos)
        fast = _plain_chunk(text[pos:end], allowed, dtype)
        if fast is not None and good(fast[0]):
            values, starts = fast
            take = min(values.size, max(0, expected - found))
            out[found : found + take] = values[:take]
            if take:
                last_pos = pos + int(starts[take - 1])
            if take < values.size and extra_pos < 0:
                extra_pos = pos + int(starts[take])
            found += values.size
        else:
            p.restart_at(pos)
            while True:
                token = p.peek()
                if token.kind == "end" or token.pos >= end:
                    break
                p.next()
                if token.kind == "comma":
                    continue
                value = slow(token)
                if found < expected:
                    out[found] = value
                    last_pos = token.pos
                elif extra_pos < 0:
                    extra_pos = token.pos
                found += 1
        pos = end
    return out, found, last_pos if extra_pos < 0 else extra_pos


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

    def too_many_players(limit: int) -> InputError:
        return p.error(f"the game has more than {limit} players: coop handles at most {limit} "
                       "(each player adds an axis to the payoff arrays)", player_list.pos)

    players = p.string_list("player name", player_list, MAX_PLAYERS, too_many_players)
    n = len(players)
    if n == 0:
        raise p.error("the player list is empty; expected at least one quoted player name", player_list.pos)

    opening = p.expect("open", "'{' opening the strategy counts or strategy labels")
    opened = p.line(opening.pos)
    actions: list[list[str]] = []
    counts: list[int] = []

    def too_many_strategies(limit: int) -> InputError:
        k = len(actions) + 1
        if limit >= MAX_ACTIONS:
            return p.error(f"player {k} has more than {MAX_ACTIONS:,} strategies; coop handles at most "
                           f"{MAX_ACTIONS:,} per player", lists_at)
        return p.error(f"player {k} has more than {limit:,} strategies: with the strategies of the players before "
                       f"it, the payoffs would need more than {MAX_PAYOFF_BYTES / 1024**3:.0f} GiB "
                       "(the most coop allocates)", lists_at)

    lists_at = opening.pos
    if p.peek().kind == "open":
        while p.peek().kind == "open":
            if len(actions) >= max(n, MAX_PLAYERS):  # far more lists than players: stop reading them
                raise p.error(f"expected {n} strategy lists (one per player), found more than {len(actions)}",
                              opening.pos)
            limit = min(MAX_ACTIONS, MAX_PAYOFF_BYTES // (8 * n * math.prod(len(a) for a in actions)))
            lists_at = p.peek().pos
            labels = p.string_list("strategy label", p.next(), limit, too_many_strategies)
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
            if len(counts) > max(n, MAX_PLAYERS):  # far more counts than players: stop reading them
                raise p.error(f"expected {n} strategy counts (one per player), found more than {len(counts) - 1}",
                              opening.pos)
        if len(counts) != n:
            raise p.error(f"expected {n} strategy counts (one per player), found {len(counts)}", opening.pos)
    try:
        check_game_size(counts, source)
    except InputError as err:
        raise err.located(line=p.line(opening.pos)) from None
    if not actions:
        actions = [[str(k) for k in range(1, c + 1)] for c in counts]  # Gambit labels them by position

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
    flat, found, pos = _read_numbers(
        p, expected, np.float64, _PLAIN_NUMBER_CHARS,
        good=lambda values: bool(np.isfinite(values).all()),
        slow=lambda token: p.number(token, "a payoff"),
    )
    if found != expected:
        raise p.error(
            f"wrong number of payoffs: expected {expected} ({n} players x {num_profiles} strategy profiles), "
            f"found {found}",
            pos,
        )
    return flat.reshape((n, *counts), order="F")


# one outcome, ``{ "label" 1, 2 }``: its numbers (anything but braces and quotes) in group 1
_OUTCOME = re.compile(r'\s*\{\s*(?:"[^"\\]*(?:\\.[^"\\]*)*")?([^{}"]*)\}')
# outcomes read together by NumPy
_OUTCOME_BATCH = 100_000
_PLAIN_OUTCOME_CHARS = str.maketrans("", "", "0123456789.eE+- \t\r\n\f\v,;")


def _outcome_batch(groups: list[str], n: int) -> np.ndarray | None:
    """The payoffs of a batch of outcomes (the numbers part of each) as a ``(len(groups), n)`` array.

    ``None`` when anything is unusual (a fraction, a bad token, a wrong count, a payoff that is not
    finite): the caller then reads the batch token by token, which gives the exact error.
    """
    joined = ";".join(groups)
    if joined.translate(_PLAIN_OUTCOME_CHARS) or joined.count(";") != len(groups) - 1:
        return None
    codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    stop = codes == ord(";")
    sep = _SEPARATOR_BYTE[codes] | stop
    starts = np.flatnonzero(~sep & np.concatenate(([True], sep[:-1])))
    per_outcome = np.bincount(np.cumsum(stop)[starts], minlength=len(groups)) if starts.size else None
    if per_outcome is None or np.any(per_outcome != n):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            values = np.fromstring(joined.replace(",", " ").replace(";", " "), dtype=np.float64, sep=" ")
        except (ValueError, DeprecationWarning):
            return None
    if values.size != starts.size or not np.isfinite(values).all():
        return None
    return values.reshape(len(groups), n)


def _outcome_payoffs(p: _Parser, n: int, counts: list[int], num_profiles: int) -> np.ndarray:
    """Outcome version: a list of outcomes, then one outcome index per profile."""
    opening = p.next()
    text = p.text

    def slow_outcome(k: int) -> np.ndarray | None:
        """Outcome ``k`` read token by token (``None`` at the brace closing the list), with exact errors."""
        token = p.next()
        if token.kind == "close":
            return None
        if token.kind == "end":
            raise p.error(f"missing '}}' closing the outcome list (opened on line {p.line(opening.pos)})", token.pos)
        if token.kind != "open":
            raise p.error(f"expected '{{' opening an outcome or '}}' closing the outcome list, got {_describe(token)}",
                          token.pos)
        if p.peek().kind == "string":
            p.next()
        values = p.numbers_until_close(f"payoff of outcome {k}", f"outcome {k}", token.pos)
        if len(values) != n:
            raise p.error(f"outcome {k} has {len(values)} payoffs; expected {n} (one per player)", token.pos)
        return np.array(values, dtype=np.float64).reshape(1, n)

    parts = [np.zeros((1, n))]  # index 0: the null outcome
    num_outcomes = 0
    pos = p.peek().pos
    while True:
        # a batch of well-formed outcomes, read together
        start = pos
        groups: list[str] = []
        while len(groups) < _OUTCOME_BATCH and (m := _OUTCOME.match(text, pos)) is not None:
            groups.append(m.group(1))
            pos = m.end()
        if groups:
            batch = _outcome_batch(groups, n)
            if batch is None:  # read token by token instead: the exact values (fractions) or the exact error
                p.restart_at(start)
                rows = [slow_outcome(num_outcomes + 1 + k) for k in range(len(groups))]
                batch = np.concatenate([r for r in rows if r is not None])
                pos = p.peek().pos
            parts.append(batch)
            num_outcomes += len(groups)
            continue
        # the closing brace, or something the token reader must judge
        p.restart_at(pos)
        row = slow_outcome(num_outcomes + 1)
        if row is None:
            break
        parts.append(row)
        num_outcomes += 1
        pos = p.peek().pos
    table = np.concatenate(parts)

    def outcome_number(token: _Token) -> int:
        if token.kind != "word" or not (token.text.isascii() and token.text.isdigit()):
            raise p.error(f"expected an outcome number (a whole number from 0 to {num_outcomes}), "
                          f"got {_describe(token)}", token.pos)
        value = int(token.text) if len(token.text) <= 18 else num_outcomes + 1
        if value > num_outcomes:
            raise p.error(f"outcome number {token.text} is out of range: expected 0 (no outcome) to "
                          f"{num_outcomes}", token.pos)
        return value

    index, found, pos = _read_numbers(
        p, num_profiles, np.int64, _PLAIN_INTEGER_CHARS,
        good=lambda values: values.size == 0 or int(values.max()) <= num_outcomes,
        slow=outcome_number,
    )
    if found != num_profiles:
        raise p.error(f"wrong number of outcome numbers: expected {num_profiles} (one per strategy profile), "
                      f"found {found}", pos)
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
    """Read a Gambit ``.nfg`` file (UTF-8, or Latin-1 when it is not valid UTF-8) of at most 256 MiB.

    The payoffs are read in pieces by NumPy (a 10^7-payoff file in about a second); a header whose
    strategy counts imply a payoff array beyond :data:`~coop.games.normal_form.MAX_PAYOFF_BYTES`,
    or more than :data:`~coop.games.normal_form.MAX_PLAYERS` players, is refused before any payoff
    is read.

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
    data = _read_limited(Path(path), source)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("the file is UTF-16 text; save it as UTF-8 (or ASCII)", source=source, line=1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "\x00" in text:
        pos = text.index("\x00")
        raise InputError("found a NUL character (binary or UTF-16 data); expected a text .nfg file",
                         source=source, line=text.count("\n", 0, pos) + 1)
    return parse_nfg(text, source)


def _size(nbytes: int) -> str:
    return f"{nbytes / 1024**2:.3g} MiB" if nbytes >= 1024**2 else f"{nbytes:,} bytes"


def _read_limited(path: Path, source: str) -> bytes:
    """The bytes of the file, refused when it is larger than :data:`MAX_NFG_BYTES`.

    The size is checked before reading when the file system knows it; otherwise (a pipe,
    ``/dev/zero``) reading stops one byte past the limit.
    """
    limit = MAX_NFG_BYTES
    try:
        with path.open("rb") as f:
            try:
                size = path.stat().st_size if path.is_file() else 0
            except OSError:
                size = 0
            if size > limit:
                exact = f" ({size:,} bytes)" if size >= 1024**2 else ""
                raise InputError(f"the file is {_size(size)}{exact}; a Gambit .nfg file may be at most {_size(limit)}",
                                 source=source)
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise InputError("no such file; expected a Gambit .nfg file", source=source) from None
    except IsADirectoryError:
        raise InputError("is a directory; expected a Gambit .nfg file", source=source) from None
    except OSError as err:
        raise InputError(f"cannot read the file ({err.strerror or err})", source=source) from None
    if len(data) > limit:
        raise InputError(f"the file is larger than {_size(limit)}, the most a Gambit .nfg file may be",
                         source=source)
    return data


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

    Gambit (pygambit 17) itself reads only labels of UTF-8 text without control
    characters, leading, trailing or doubled spaces (pygambit 16.7: printable
    ASCII only); other labels are written as they are and read back by
    :func:`parse_nfg`.

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
