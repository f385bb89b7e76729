r"""A small, safe arithmetic language for payoffs and parameters in scenario files.

Scenario authors write payoffs such as ``"gain * China.comply - loss * US.restrict"``.
This module reads such text with a hand-written tokenizer and a recursive-descent
parser into a tiny syntax tree of its own, and evaluates that tree with NumPy.
Nothing is ever passed to ``eval``, ``exec``, ``compile`` or ``sympify``: text
that is not in the grammar below is rejected with the column where it stopped
making sense.

Grammar (lowest precedence first)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom ("**" unary)?              # right-associative: 2**3**2 = 2**9
    atom    := NUMBER | NAME | FUNC "(" expr ("," expr)* ")" | "(" expr ")"
    NAME    := IDENT | IDENT "." IDENT         # a parameter, or a Player.action indicator
    IDENT   := [A-Za-z][A-Za-z0-9_]*
    FUNC    := min | max | abs | exp | log | sqrt | step

``step(x)`` is 1 when ``x >= 0`` and 0 otherwise (a threshold: ``step(n_C - M)`` is 1
when at least ``M`` cooperate).

Unary minus binds more loosely than ``**``, as in mathematics and Python:
``-2**2`` is ``-4``, and ``2**-1`` is ``0.5``.

Examples
--------
>>> f = parse_formula("gain * China.comply - loss / 2")
>>> sorted(f.names)
['China.comply', 'gain', 'loss']
>>> f.evaluate({"gain": 3.0, "China.comply": 1.0, "loss": 1.0})
2.5
>>> parse_formula("-2**2").evaluate({})
-4.0
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import KeysView, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from coop.errors import InputError

#: Functions a formula may call, with their number of arguments (``None``: two or more).
FUNCTIONS: dict[str, int | None] = {
    "min": None,
    "max": None,
    "abs": 1,
    "exp": 1,
    "log": 1,
    "sqrt": 1,
    "step": 1,
}

_IDENT = r"[A-Za-z][A-Za-z0-9_]*"
IDENTIFIER_RE = re.compile(rf"^{_IDENT}$")
_NUMBER_RE = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_NAME_RE = re.compile(rf"{_IDENT}(?:\.{_IDENT})?", re.ASCII)
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_MAX_LENGTH = 10_000
_MAX_DEPTH = 100
_MAX_TREE_DEPTH = 250


def suggest(name: str, known: Any) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``known``, or ``""`` when nothing is close."""
    close = difflib.get_close_matches(name, [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def known_list(known: Any, limit: int = 12) -> str:
    """A short printable list of known names: ``'a', 'b', 'c'`` (cut after ``limit``)."""
    names = [str(k) for k in known]
    shown = ", ".join(repr(n) for n in names[:limit])
    if len(names) > limit:
        shown += f", ... ({len(names)} in all)"
    return shown or "none"


# ---------------------------------------------------------------------------- syntax tree
@dataclass(frozen=True)
class Num:
    """A number literal; ``text`` keeps its spelling so sympy gets an exact rational."""

    value: float
    text: str


@dataclass(frozen=True)
class Name:
    """A parameter name or a ``Player.action`` indicator."""

    id: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/", "**"
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]


Node = Num | Name | Unary | Binary | Call


# ---------------------------------------------------------------------------- tokenizer
@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    col: int  # 1-based column in the formula text


#: Formulas longer than this are shown shortened in messages.
_SHOWN = 60


def shown(text: str, col: int | None = None) -> str:
    """The formula quoted for a message, shortened around column ``col`` when it is long.

    Examples
    --------
    >>> shown("a + b")
    "'a + b'"
    >>> shown("x" * 100 + " ^ 2", col=102)
    "'...xxxxxxxxxxxxxxxxxxxxxxxxxxxx ^ 2' (104 characters)"
    """
    if len(text) <= _SHOWN:
        return repr(text)
    half = _SHOWN // 2
    if col is None:
        return f"{text[: _SHOWN - 3] + '...'!r} ({len(text)} characters)"
    start = max(0, col - 1 - half)
    end = min(len(text), col - 1 + half)
    excerpt = ("..." if start > 0 else "") + text[start:end] + ("..." if end < len(text) else "")
    return f"{excerpt!r} ({len(text)} characters)"


def _syntax_error(text: str, col: int, message: str) -> InputError:
    return InputError(f"syntax error at column {col} of formula {shown(text, col)}: {message}")


#: Characters that look like an operator or a space but are not ASCII, with what to write instead.
_LOOKALIKES = {
    "\u00d7": "'*' for a product",  # multiplication sign
    "\u00b7": "'*' for a product",  # middle dot
    "\u22c5": "'*' for a product",  # dot operator
    "\u2219": "'*' for a product",  # bullet operator
    "\u2217": "'*' for a product",  # asterisk operator
    "\u00f7": "'/' for a division",  # division sign
    "\u2044": "'/' for a division",  # fraction slash
    "\u2215": "'/' for a division",  # division slash
    "\u2212": "'-' (the ASCII hyphen-minus) for a minus",  # minus sign
    "\u2013": "'-' (the ASCII hyphen-minus) for a minus",  # en dash
    "\u2014": "'-' (the ASCII hyphen-minus) for a minus",  # em dash
    "\u2010": "'-' (the ASCII hyphen-minus) for a minus",  # hyphen
    "\u2011": "'-' (the ASCII hyphen-minus) for a minus",  # non-breaking hyphen
    "\uff0b": "'+' (the ASCII plus) for a sum",  # fullwidth plus
}
_QUOTES = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb"


def _unexpected(text: str, col: int, c: str) -> InputError:
    """The error for a character that no token starts with, with a hint for the usual mistakes."""
    name = unicodedata.name(c, "")
    what = f"unexpected character {c!r}" + (f" ({name})" if name and not c.isascii() else "")
    if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn"):
        hint = "a control or invisible character; formulas are plain text"
    elif "SUPERSCRIPT" in name or "SUBSCRIPT" in name or c in "\u00b9\u00b2\u00b3":
        hint = "superscripts are not supported; write '**' for powers, as in 'x ** 2'"
    elif c in _LOOKALIKES:
        hint = f"write {_LOOKALIKES[c]}"
    elif c in _QUOTES:
        hint = "strings are not allowed in formulas"
    elif c.isspace():
        hint = "write a plain space"
    elif c.isdigit() or unicodedata.category(c) == "No":
        hint = "write numbers with the digits 0-9"
    elif c.isalpha():
        hint = "names use the letters A-Z and a-z, digits and '_'"
    else:
        hint = (
            "formulas use numbers, names, + - * / **, parentheses and the functions "
            f"{', '.join(FUNCTIONS)}"
        )
    return _syntax_error(text, col, f"{what}; {hint}")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        col = i + 1
        m = _NUMBER_RE.match(text, i) if c in _DIGITS or c == "." else None
        if m is not None:
            end = m.end()
            if end < n and (text[end] in _LETTERS or text[end] == "_"):
                raise _syntax_error(
                    text,
                    end + 1,
                    f"a number runs into a name ({shown(text[i : end + 1])}); write '*' for a product, as in '2 * x'",
                )
            tokens.append(_Token("num", text[i:end], col))
            i = end
            continue
        m = _NAME_RE.match(text, i) if c in _LETTERS else None
        if m is not None:
            end = m.end()
            if end < n and text[end] == ".":
                raise _syntax_error(
                    text,
                    end + 1,
                    "a name has at most one dot (Player.action); attribute access is not allowed",
                )
            tokens.append(_Token("name", text[i:end], col))
            i = end
            continue
        if text.startswith("**", i):
            tokens.append(_Token("op", "**", col))
            i += 2
            continue
        if c in "+-*/(),":
            tokens.append(_Token("op", c, col))
            i += 1
            continue
        if c == "^":
            raise _syntax_error(text, col, "'^' is not an operator; write '**' for powers, as in 'x ** 2'")
        if c == "_":
            raise _syntax_error(text, col, "names start with a letter (A-Z, a-z), not '_'")
        if c in "'\"":
            raise _syntax_error(text, col, "strings are not allowed in formulas")
        if c == "." and i + 1 < n and not text[i + 1].isascii():
            raise _unexpected(text, col + 1, text[i + 1])
        if c == ".":
            raise _syntax_error(
                text, col, "a '.' must join a player and an action (Player.action) or be part of a number"
            )
        raise _unexpected(text, col, c)
    tokens.append(_Token("end", "", n + 1))
    return tokens


# ---------------------------------------------------------------------------- parser
class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.pos]

    def error(self, message: str, tok: _Token | None = None) -> InputError:
        return _syntax_error(self.text, (tok or self.tok).col, message)

    def describe(self, tok: _Token) -> str:
        if tok.kind == "end":
            return "the end of the formula"
        return f"{tok.kind if tok.kind != 'op' else 'symbol'} {tok.text!r}"

    def accept(self, op: str) -> bool:
        if self.tok.kind == "op" and self.tok.text == op:
            self.pos += 1
            return True
        return False

    def expect(self, op: str, context: str) -> None:
        if not self.accept(op):
            raise self.error(f"expected {op!r} {context}, found {self.describe(self.tok)}")

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.error("the formula is empty; expected a number or an expression")
        node = self.expr()
        if self.tok.kind != "end":
            tok = self.tok
            if tok.kind in ("name", "num"):
                hint = "; a missing operator? (write '2 * x', not '2 x')"
            elif tok.text == ")":
                hint = "; unbalanced parentheses"
            else:
                hint = ""
            raise self.error(f"unexpected {self.describe(tok)}{hint}", tok)
        return node

    def nested(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(f"the formula nests more than {_MAX_DEPTH} levels deep")

    def expr(self) -> Node:
        self.nested()
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.tok.text
            self.pos += 1
            node = Binary(op, node, self.term())
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            op = self.tok.text
            self.pos += 1
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text in ("-", "+"):
            op = self.tok.text
            self.pos += 1
            self.nested()
            node = Unary(op, self.unary())
            self.depth -= 1
            return node
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.accept("**"):
            self.nested()
            node = Binary("**", base, self.unary())
            self.depth -= 1
            return node
        return base

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "num":
            self.pos += 1
            value = float(tok.text)
            if not math.isfinite(value):
                raise self.error(f"the number {shown(tok.text)} is too large", tok)
            return Num(value, tok.text)
        if tok.kind == "name":
            self.pos += 1
            if self.tok.kind == "op" and self.tok.text == "(":
                return self.call(tok)
            return Name(tok.text)
        if self.accept("("):
            node = self.expr()
            self.expect(")", "to close the parenthesis")
            return node
        if tok.kind == "end":
            raise self.error("the formula ends too early; expected a number, a name or '('", tok)
        raise self.error(f"unexpected {self.describe(tok)}; expected a number, a name or '('", tok)

    def call(self, name_tok: _Token) -> Node:
        func = name_tok.text
        if func not in FUNCTIONS:
            raise self.error(
                f"unknown function {func!r}{suggest(func, FUNCTIONS)}; the functions are {', '.join(FUNCTIONS)}",
                name_tok,
            )
        self.expect("(", f"after {func}")
        args = [self.expr()]
        while self.accept(","):
            args.append(self.expr())
        self.expect(")", f"to close the call to {func}")
        arity = FUNCTIONS[func]
        if arity is None and len(args) < 2:
            raise self.error(f"{func} needs at least two arguments, got {len(args)}", name_tok)
        if arity is not None and len(args) != arity:
            raise self.error(f"{func} takes {arity} argument, got {len(args)}", name_tok)
        return Call(func, tuple(args))


# ---------------------------------------------------------------------------- evaluation
Value = float | np.ndarray


def _check(value: Value, what: str, text: str) -> Value:
    if isinstance(value, np.ndarray):
        ok = bool(np.all(np.isfinite(value)))
    else:
        ok = math.isfinite(value)
    if not ok:
        raise InputError(f"{what} in formula {shown(text)} gives a non-finite number (overflow or NaN)")
    return value


def _any(mask: Any) -> bool:
    return bool(np.any(mask))


def _eval(node: Node, env: Mapping[str, Value], text: str) -> Value:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return env[node.id]
    if isinstance(node, Unary):
        v = _eval(node.operand, env, text)
        return -v if node.op == "-" else v
    if isinstance(node, Binary):
        a = _eval(node.left, env, text)
        b = _eval(node.right, env, text)
        with np.errstate(all="ignore"):
            if node.op == "+":
                return _check(a + b, "an addition", text)
            if node.op == "-":
                return _check(a - b, "a subtraction", text)
            if node.op == "*":
                return _check(a * b, "a product", text)
            if node.op == "/":
                if _any(np.asarray(b) == 0.0):
                    raise InputError(f"division by zero in formula {shown(text)}")
                return _check(a / b, "a division", text)
            # power
            base = np.asarray(a, dtype=np.float64)
            expo = np.asarray(b, dtype=np.float64)
            if _any((base == 0.0) & (expo < 0.0)):
                raise InputError(f"division by zero in formula {shown(text)}: 0 to a negative power")
            if _any((base < 0.0) & (expo != np.round(expo))):
                raise InputError(f"a negative number to a fractional power in formula {shown(text)} has no real value")
            return _check(_scalar(np.power(base, expo)), "a power", text)
    if isinstance(node, Call):
        args = [_eval(arg, env, text) for arg in node.args]
        f = node.func
        with np.errstate(all="ignore"):
            if f == "min":
                out = args[0]
                for a in args[1:]:
                    out = np.minimum(out, a)
                return _scalar(out)
            if f == "max":
                out = args[0]
                for a in args[1:]:
                    out = np.maximum(out, a)
                return _scalar(out)
            x = np.asarray(args[0], dtype=np.float64)
            if f == "abs":
                return _scalar(np.abs(x))
            if f == "exp":
                return _check(_scalar(np.exp(x)), "exp", text)
            if f == "log":
                if _any(x <= 0.0):
                    raise InputError(f"log of a number that is not positive in formula {shown(text)}")
                return _scalar(np.log(x))
            if f == "sqrt":
                if _any(x < 0.0):
                    raise InputError(f"sqrt of a negative number in formula {shown(text)}")
                return _scalar(np.sqrt(x))
            if f == "step":
                return _scalar(np.where(x >= 0.0, 1.0, 0.0))
    raise TypeError(f"not a formula node: {node!r}")  # pragma: no cover - internal


def _scalar(value: Any) -> Value:
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def _depth(tree: Node) -> int:
    """Depth of the tree, computed without recursion (a long sum is a deep left-leaning tree)."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in _children(node))
    return deepest


def _names(node: Node, out: set[str]) -> None:
    if isinstance(node, Name):
        out.add(node.id)
    elif isinstance(node, Unary):
        _names(node.operand, out)
    elif isinstance(node, Binary):
        _names(node.left, out)
        _names(node.right, out)
    elif isinstance(node, Call):
        for arg in node.args:
            _names(arg, out)


def _exact(num: Num) -> Fraction:
    """The literal as an exact rational: from its digits, or from its float when the exponent is extreme.

    ``1e-999999`` would need a denominator of a million digits; its float value (0) is used instead.
    """
    mantissa, _, exponent = num.text.lower().partition("e")
    if exponent and abs(int(exponent)) > 400:
        return Fraction(num.value)
    return Fraction(num.text)


def _to_sympy(node: Node, symbols: Mapping[str, Any]) -> Any:
    import sympy

    if isinstance(node, Num):
        q = _exact(node)
        return sympy.Rational(q.numerator, q.denominator)
    if isinstance(node, Name):
        return symbols[node.id]
    if isinstance(node, Unary):
        v = _to_sympy(node.operand, symbols)
        return -v if node.op == "-" else v
    if isinstance(node, Binary):
        a = _to_sympy(node.left, symbols)
        b = _to_sympy(node.right, symbols)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if node.op == "/":
            return a / b
        return a**b
    if isinstance(node, Call):
        args = [_to_sympy(arg, symbols) for arg in node.args]
        funcs = {
            "min": sympy.Min,
            "max": sympy.Max,
            "abs": sympy.Abs,
            "exp": sympy.exp,
            "log": sympy.log,
            "sqrt": sympy.sqrt,
            "step": lambda x: sympy.Heaviside(x, 1),
        }
        return funcs[node.func](*args)
    raise TypeError(f"not a formula node: {node!r}")  # pragma: no cover - internal


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, its syntax tree and the names it uses.

    Build one with :func:`parse_formula`.

    Attributes
    ----------
    text : str
        The formula as written.
    tree : Node
        The syntax tree (``Num``, ``Name``, ``Unary``, ``Binary``, ``Call``).
    names : frozenset of str
        Every parameter name and ``Player.action`` indicator the formula uses.
    """

    text: str
    tree: Node
    names: frozenset[str]

    def check_names(self, known: Any, what: str = "name") -> None:
        """Raise :class:`InputError` naming the first name not in ``known``, with a close match."""
        if not isinstance(known, (Mapping, set, frozenset, KeysView)):
            known = list(known)
        for name in sorted(self.names):
            if name not in known:
                known = list(known)
                raise InputError(
                    f"unknown {what} {name!r}{suggest(name, known)} in formula {shown(self.text)}; "
                    f"known: {known_list(known)}"
                )

    def evaluate(self, env: Mapping[str, Value]) -> Value:
        """The value of the formula, with each name looked up in ``env``.

        Values may be floats or NumPy arrays that broadcast together; the result
        is a float when every value used is a float, else an array.

        Raises
        ------
        InputError
            On an unknown name, division by zero, the log of a number that is
            not positive, the square root of a negative number, or a result that
            is not finite.

        Examples
        --------
        >>> import numpy as np
        >>> parse_formula("3 * US.restrict - 1").evaluate({"US.restrict": np.array([1.0, 0.0])})
        array([ 2., -1.])
        """
        self.check_names(env.keys())
        return _check(_scalar(_eval(self.tree, env, self.text)), "the result", self.text)

    def to_sympy(self, symbols: Mapping[str, Any]) -> Any:
        """The formula as a sympy expression, built from the syntax tree (never from text).

        ``symbols`` maps each name to a sympy symbol or expression; numbers
        become exact rationals (``0.5`` -> ``1/2``).

        Examples
        --------
        >>> import sympy
        >>> x = sympy.Symbol("x")
        >>> parse_formula("x**2 / 2 + 0.5").to_sympy({"x": x})
        x**2/2 + 1/2
        """
        missing = sorted(self.names - set(symbols))
        if missing:
            raise InputError(f"no symbol given for {missing[0]!r} in formula {shown(self.text)}")
        return _to_sympy(self.tree, symbols)

    def __str__(self) -> str:
        return self.text


def parse_formula(text: str) -> Formula:
    """Parse formula text into a :class:`Formula`, or raise :class:`InputError`.

    Syntax errors name the column where the text stopped making sense.

    Examples
    --------
    >>> parse_formula("2 ** 3 ** 2").evaluate({})
    512.0
    >>> parse_formula("max(a, b) - min(a, 1)").evaluate({"a": 2.0, "b": 5.0})
    4.0
    """
    if not isinstance(text, str):
        raise InputError(f"a formula must be text, got {type(text).__name__}")
    if len(text) > _MAX_LENGTH:
        raise InputError(f"a formula may be at most {_MAX_LENGTH} characters long, got {len(text)}")
    tree = _Parser(text).parse()
    if _depth(tree) > _MAX_TREE_DEPTH:
        raise InputError(
            f"formula {shown(text)} is too long or too deeply nested "
            f"(more than {_MAX_TREE_DEPTH} levels); split it into parameters"
        )
    names: set[str] = set()
    _names(tree, names)
    return Formula(text, tree, frozenset(names))
