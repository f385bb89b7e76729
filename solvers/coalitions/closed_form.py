r"""Closed forms of a treaty's payoffs and stability conditions, with SymPy.

For symmetric countries the stability conditions are two functions of the size ``k``:

- internal: :math:`I(k) = \pi_m(k) - \pi_n(k-1)`, stable when :math:`I(k) \ge 0`;
- external: :math:`E(k) = \pi_n(k) - \pi_m(k+1)`, stable when :math:`E(k) \ge 0` (``>`` under the
  default tie rule).

This module gives :math:`\pi_m`, :math:`\pi_n`, :math:`I` and :math:`E` factored, as
text, with ``k``, ``n`` and the parameters as symbols, and the real roots of
:math:`I` and :math:`E` in ``k`` when their numerators are polynomials of degree at most 2
in ``k``: the sizes where stability can change. Formulas reach SymPy through their syntax trees
(:meth:`coop.scenarios.formula.Formula.to_sympy`), never as text; the solvers
decide stability from the numbers, these forms explain it.

References
----------
Carraro, C. and Siniscalco, D. (1993). Strategies for the international protection of
the environment. *Journal of Public Economics* 52(3), 309-328.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from coop.scenarios.formula import Formula

#: Formulas longer than this are not put through SymPy (factoring can take long).
MAX_CLOSED_FORM_TEXT = 400


def _roots(expr: Any, k: Any) -> list[str] | None:
    import sympy

    try:
        numerator = sympy.numer(sympy.together(expr))
        if numerator == 0 or k not in numerator.free_symbols:
            return None
        poly = sympy.Poly(numerator, k)
        if poly.degree() > 2:  # cubic and quartic formulas in symbols are long and slow to find
            return None
        found = list(sympy.roots(poly, filter="R"))
        try:
            found.sort(key=float)
        except TypeError:  # roots with symbols: kept in SymPy's order
            pass
        return [str(r) for r in found]
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, NotImplementedError, TypeError):
        return None


#: Expressions with more operations than this are not factored (SymPy can take minutes on them).
MAX_OPS = 2_000


def _conditions(pi_m: Any, pi_n: Any, k: Any) -> dict[str, Any]:
    import sympy

    if sympy.count_ops(pi_m) + sympy.count_ops(pi_n) > MAX_OPS:
        return {"internal": None, "external": None, "internal_roots": None, "external_roots": None}

    internal = sympy.factor(sympy.cancel(pi_m - pi_n.subs(k, k - 1)))
    external = sympy.factor(sympy.cancel(pi_n - pi_m.subs(k, k + 1)))
    return {"internal": str(internal), "external": str(external),
            "internal_roots": _roots(internal, k), "external_roots": _roots(external, k)}


def size_closed_forms(member: Formula, non_member: Formula, parameters: Mapping[str, float]) -> dict[str, Any] | None:
    """Closed forms of the stability conditions of size formulas (``None`` when SymPy cannot help).

    Examples
    --------
    >>> from coop.scenarios.formula import parse_formula
    >>> f = size_closed_forms(parse_formula("b*(k**2/2 + n - k)"), parse_formula("b*(k**2 + n - k - 1/2)"),
    ...                       {"b": 1.0})
    >>> f["internal"], f["internal_roots"]
    ('-b*(k - 3)*(k - 1)/2', ['1', '3'])
    """
    import sympy

    if len(member.text) + len(non_member.text) > MAX_CLOSED_FORM_TEXT:
        return None
    k = sympy.Symbol("k", real=True)
    env: dict[str, Any] = {name: sympy.Symbol(name, real=True) for name in parameters}
    env.update(k=k, k_other=sympy.Integer(0), n=sympy.Symbol("n", positive=True))
    try:
        pi_m = sympy.factor(member.to_sympy(env))
        pi_n = sympy.factor(non_member.to_sympy(env))
        return {"pi_m": str(pi_m), "pi_n": str(pi_n), **_conditions(pi_m, pi_n, k)}
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        return None


def stage_closed_forms(text: Mapping[str, str], expressions: tuple[Any, Any, Any]) -> dict[str, Any] | None:
    """Closed forms of a second stage solved in closed form: its abatements, payoffs and stability conditions."""
    pi_m, pi_n, k = expressions
    try:
        return {**text, **_conditions(pi_m, pi_n, k)}
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        return None
