"""The safe formula parser: precedence, associativity, functions, every error, and no Python evaluation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.scenarios.formula import parse_formula


@pytest.mark.parametrize(
    "text, env, expected",
    [
        pytest.param("1 + 2 * 3", {}, 7.0, id="mul_before_add"),
        pytest.param("(1 + 2) * 3", {}, 9.0, id="parentheses"),
        pytest.param("10 - 4 - 3", {}, 3.0, id="sub_left_assoc"),
        pytest.param("24 / 4 / 2", {}, 3.0, id="div_left_assoc"),
        pytest.param("2 ** 3 ** 2", {}, 512.0, id="pow_right_assoc"),
        pytest.param("-2 ** 2", {}, -4.0, id="unary_minus_looser_than_pow"),
        pytest.param("(-2) ** 2", {}, 4.0, id="parenthesised_negative_base"),
        pytest.param("2 ** -1", {}, 0.5, id="negative_exponent"),
        pytest.param("2 * -3", {}, -6.0, id="unary_after_mul"),
        pytest.param("--3", {}, 3.0, id="double_minus"),
        pytest.param("+3 - -3", {}, 6.0, id="unary_plus"),
        pytest.param("-x ** 2 + x", {"x": 3.0}, -6.0, id="unary_minus_name"),
        pytest.param("1.5e2 + .5 + 2.", {}, 152.5, id="number_forms"),
        pytest.param("min(3, 1, 2) + max(a, 4)", {"a": 7.0}, 8.0, id="min_max_variadic"),
        pytest.param("abs(-2) + sqrt(9) + exp(0) + log(1)", {}, 6.0, id="unary_functions"),
        pytest.param("gain * China.comply - loss", {"gain": 3, "China.comply": 1, "loss": 1}, 2.0, id="indicator"),
        pytest.param("  x\t*\n2 ", {"x": 2}, 4.0, id="whitespace"),
    ],
)
def test_values(text, env, expected):
    assert parse_formula(text).evaluate(env) == pytest.approx(expected, abs=1e-12)


def test_names_collects_parameters_and_indicators():
    f = parse_formula("max(gain, 2) * US.restrict - loss / gain")
    assert f.names == frozenset({"gain", "US.restrict", "loss"})


def test_evaluate_over_arrays_broadcasts():
    us = np.array([1.0, 0.0]).reshape(2, 1)
    cn = np.array([0.0, 1.0, 0.0]).reshape(1, 3)
    out = parse_formula("3 * US.a * China.b - 1").evaluate({"US.a": us, "China.b": cn})
    expected = np.array([[-1.0, 2.0, -1.0], [-1.0, -1.0, -1.0]])
    np.testing.assert_array_equal(out, expected)


def test_min_max_elementwise_on_arrays():
    x = np.array([1.0, 5.0])
    np.testing.assert_array_equal(parse_formula("max(x, 2)").evaluate({"x": x}), [2.0, 5.0])
    np.testing.assert_array_equal(parse_formula("min(x, 2, 3)").evaluate({"x": x}), [1.0, 2.0])


def test_to_sympy_is_exact_and_built_from_the_tree():
    d, g = sympy.symbols("delta gain")
    expr = parse_formula("gain / (1 - delta) - 0.5 * gain ** 2 + sqrt(gain)").to_sympy({"delta": d, "gain": g})
    assert sympy.simplify(expr - (g / (1 - d) - sympy.Rational(1, 2) * g**2 + sympy.sqrt(g))) == 0
    assert parse_formula("-2 ** 2").to_sympy({}) == -4
    assert parse_formula("min(a, b)").to_sympy({"a": d, "b": g}) == sympy.Min(d, g)


def test_to_sympy_needs_every_symbol():
    with pytest.raises(InputError, match="no symbol given for 'b'"):
        parse_formula("a + b").to_sympy({"a": sympy.Symbol("a")})


@pytest.mark.parametrize(
    "text, message",
    [
        pytest.param("gain ^ 2", r"column 6 .*'\^' is not an operator; write '\*\*'", id="caret"),
        pytest.param("1 +", r"column 4 .*ends too early", id="dangling_operator"),
        pytest.param("(1 + 2", r"column 7 .*expected '\)'", id="unclosed"),
        pytest.param("1 + 2)", r"column 6 .*unbalanced parentheses", id="extra_close"),
        pytest.param("2 x", r"column 3 .*missing operator", id="juxtaposition"),
        pytest.param("2x", r"column 2 .*number runs into a name", id="number_then_name"),
        pytest.param("", r"empty", id="empty"),
        pytest.param("   ", r"empty", id="blank"),
        pytest.param("foo(1)", r"unknown function 'foo'", id="unknown_function"),
        pytest.param("mx(1, 2)", r"unknown function 'mx' \(did you mean 'max'\?\)", id="function_typo"),
        pytest.param("log(1, 2)", r"log takes 1 argument, got 2", id="arity"),
        pytest.param("min(1)", r"min needs at least two arguments", id="min_one_arg"),
        pytest.param("1 * * 2", r"column 5 .*unexpected symbol '\*'", id="double_star_spaced"),
        pytest.param("a.b.c", r"at most one dot", id="two_dots"),
        pytest.param("1 % 2", r"column 3 .*unexpected character '%'", id="modulo"),
        pytest.param("a == b", r"unexpected character '='", id="comparison"),
        pytest.param("1e999", r"too large", id="huge_literal"),
        pytest.param("(" * 150 + "1" + ")" * 150, r"nests more than", id="deep_nesting"),
        pytest.param("+".join(["1"] * 400), r"too long or too deeply nested", id="long_chain"),
    ],
)
def test_syntax_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_formula(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("__import__('os').system('true')", id="dunder_import"),
        pytest.param("x.__class__", id="dunder_attribute"),
        pytest.param("US.restrict.real", id="attribute_chain"),
        pytest.param("lambda x: x", id="lambda"),
        pytest.param("'text'", id="string_single"),
        pytest.param('"text"', id="string_double"),
        pytest.param("[1, 2]", id="list"),
        pytest.param("{1: 2}", id="dict"),
        pytest.param("x[0]", id="subscript"),
        pytest.param("eval(1)", id="eval_call"),
        pytest.param("exec(1)", id="exec_call"),
        pytest.param("open(1)", id="open_call"),
        pytest.param("(lambda: 1)()", id="lambda_call"),
        pytest.param("1 if 1 else 2", id="conditional"),
        pytest.param("x := 1", id="walrus"),
        pytest.param("exp(1)(2)", id="call_result"),
        pytest.param("a; b", id="statement"),
    ],
)
def test_python_is_unreachable(text):
    with pytest.raises(InputError, match="syntax error"):
        parse_formula(text)


def test_no_python_evaluation_in_the_scenario_modules():
    """No module of coop.scenarios calls eval, exec, compile, sympify or literal_eval (checked on its syntax tree)."""
    import ast
    import inspect

    import coop.scenarios.formula
    import coop.scenarios.loader
    import coop.scenarios.schema
    import coop.scenarios.yaml_source

    forbidden = {"eval", "exec", "compile", "sympify", "literal_eval", "__import__", "parse_expr"}
    for mod in (coop.scenarios.formula, coop.scenarios.loader, coop.scenarios.schema, coop.scenarios.yaml_source):
        for node in ast.walk(ast.parse(inspect.getsource(mod))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else None
                if isinstance(func, ast.Attribute) and not (
                    func.attr == "compile" and isinstance(func.value, ast.Name) and func.value.id == "re"
                ):
                    name = func.attr
                assert name not in forbidden, f"{mod.__name__} calls {name}"


def test_non_strings_are_rejected():
    with pytest.raises(InputError, match="must be text"):
        parse_formula(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, env, message",
    [
        pytest.param("1 / x", {"x": 0.0}, "division by zero", id="division_by_zero"),
        pytest.param("1 / (a - a)", {"a": 2.0}, "division by zero", id="division_by_zero_expr"),
        pytest.param("0 ** -1", {}, "division by zero", id="zero_negative_power"),
        pytest.param("log(x)", {"x": -1.0}, "log of a number that is not positive", id="log_negative"),
        pytest.param("log(0)", {}, "log of a number that is not positive", id="log_zero"),
        pytest.param("sqrt(x)", {"x": -4.0}, "sqrt of a negative number", id="sqrt_negative"),
        pytest.param("(-8) ** (1/3)", {}, "fractional power", id="negative_fractional_power"),
        pytest.param("exp(1000)", {}, "non-finite", id="exp_overflow"),
        pytest.param("10 ** 400", {}, "non-finite", id="pow_overflow"),
        pytest.param("1e300 * 1e300", {}, "non-finite", id="mul_overflow"),
        pytest.param("x + 1", {"x": math.nan}, "non-finite", id="nan_input"),
        pytest.param("gian + 1", {"gain": 1.0}, r"unknown name 'gian' \(did you mean 'gain'\?\)", id="unknown"),
    ],
)
def test_evaluation_errors(text, env, message):
    with pytest.raises(InputError, match=message):
        parse_formula(text).evaluate(env)


def test_division_by_zero_in_one_array_entry():
    with pytest.raises(InputError, match="division by zero"):
        parse_formula("1 / x").evaluate({"x": np.array([1.0, 0.0])})


def test_unknown_name_lists_known_names():
    with pytest.raises(InputError, match="known: 'alpha', 'beta'"):
        parse_formula("gamma").evaluate({"alpha": 1.0, "beta": 2.0})


# Property: for formulas built from a small grammar, our value equals Python's arithmetic on the
# same tree (built here, not parsed, so the reference never evaluates text).
_leaf = st.one_of(
    st.integers(0, 9).map(lambda k: (str(k), float(k))),
    st.sampled_from([("x", 1.5), ("y", -2.0)]),
)


def _combine(children):
    def build(pair, op):
        (ta, va), (tb, vb) = pair
        if op == "+":
            return (f"({ta} + {tb})", va + vb)
        if op == "-":
            return (f"({ta} - {tb})", va - vb)
        if op == "*":
            return (f"({ta} * {tb})", va * vb)
        return (f"-{ta}", -va)

    return st.builds(build, st.tuples(children, children), st.sampled_from(["+", "-", "*", "neg"]))


@settings(deadline=None, max_examples=60)
@given(st.recursive(_leaf, _combine, max_leaves=12))
def test_matches_reference_arithmetic(case):
    text, expected = case
    assert parse_formula(text).evaluate({"x": 1.5, "y": -2.0}) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_step_is_a_threshold():
    import sympy as sp

    f = parse_formula("b * (1 - r * (1 - step(n_C - M)))")
    out = f.evaluate({"b": 1.0, "r": 0.5, "n_C": np.arange(6.0), "M": 3.0})
    np.testing.assert_allclose(out, [0.5, 0.5, 0.5, 1.0, 1.0, 1.0])
    assert parse_formula("step(0)").evaluate({}) == 1.0 and parse_formula("step(-1e-12)").evaluate({}) == 0.0
    expr = f.to_sympy({k: sp.Symbol(k) for k in ("b", "r", "n_C", "M")})
    assert expr.subs({"b": 1, "r": sp.Rational(1, 2), "n_C": 2, "M": 3}) == sp.Rational(1, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("2²", r"column 2 .*'²' \(SUPERSCRIPT TWO\); superscripts are not supported; write '\*\*'",
                     id="superscript"),
        pytest.param("1 + ³", r"column 5 .*superscripts", id="lone_superscript"),
        pytest.param(".²", r"column 2 .*superscripts", id="dot_superscript"),
        pytest.param("x₁", r"column 2 .*SUBSCRIPT ONE", id="subscript"),
        pytest.param("2 × 3", r"column 3 .*MULTIPLICATION SIGN\); write '\*'", id="times_sign"),
        pytest.param("6 ÷ 3", r"DIVISION SIGN\); write '/'", id="division_sign"),
        pytest.param("1 − 2", r"MINUS SIGN\); write '-'", id="unicode_minus"),
        pytest.param("1\u00a0+ 2", r"column 2 .*NO-BREAK SPACE\); write a plain space", id="nbsp"),
        pytest.param("a\u200bb", r"ZERO WIDTH SPACE\); a control or invisible", id="zero_width"),
        pytest.param("1\x002", r"column 2 .*'\\x00'; a control or invisible", id="nul"),
        pytest.param("١٢", r"ARABIC-INDIC DIGIT ONE\); write numbers with the digits 0-9", id="arabic_digits"),
        pytest.param("½", r"write numbers with the digits 0-9", id="vulgar_fraction"),
        pytest.param("café", r"column 4 .*names use the letters A-Z", id="accented_letter"),
        pytest.param("“gain”", r"strings are not allowed", id="typographic_quotes"),
        pytest.param("x" * 100_000, r"at most 10000 characters long, got 100000", id="very_long"),
        pytest.param("(" * 10_000 + "1" + ")" * 10_000, r"at most 10000 characters", id="ten_thousand_levels"),
        pytest.param("(" * 4_000 + "1" + ")" * 4_000, r"nests more than 100 levels", id="four_thousand_levels"),
        pytest.param("-" * 5_000 + "1", r"nests more than 100 levels", id="many_signs"),
        pytest.param("9" * 5_000, r"is too large", id="long_literal"),
    ],
)
def test_odd_characters_and_sizes_are_named(text, message):
    with pytest.raises(InputError, match=message) as info:
        parse_formula(text)
    assert len(str(info.value)) < 400  # long formulas are shown shortened


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("10**10**10", r"a power .* gives a non-finite number", id="huge_power"),
        pytest.param("2**1e308", r"non-finite", id="huge_exponent"),
        pytest.param("exp(1000)", r"exp .* non-finite", id="exp_overflow"),
        pytest.param("1e308 * 10", r"a product .* non-finite", id="product_overflow"),
    ],
)
def test_overflow_is_an_error_not_infinity(text, message):
    with pytest.raises(InputError, match=message):
        parse_formula(text).evaluate({})


def test_tiny_literal_is_zero_and_exact_quickly():
    f = parse_formula("1e-999999 + 1")
    assert f.evaluate({}) == 1.0
    assert f.to_sympy({}) == 1  # from the float value (0), not a million-digit denominator
    assert parse_formula("1.5e-3").to_sympy({}) == sympy.Rational(3, 2000)


def test_long_formulas_are_shortened_around_the_error():
    text = "a + " * 200 + "b ^ 2"
    with pytest.raises(InputError) as info:
        parse_formula(text)
    message = str(info.value)
    assert f"column {len(text) - 2}" in message and "b ^ 2" in message and f"({len(text)} characters)" in message
    assert len(message) < 300
