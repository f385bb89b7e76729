r"""The second stage of a treaty game: members act together, non-members best respond.

Every country's payoff is :math:`\pi(q_i, Q)`, a formula of its own abatement
:math:`q_i` and the total :math:`Q = \sum_j q_j`. Given the treaties' sizes
:math:`s_1, \dots, s_T` (one treaty, or two competing ones) and the
:math:`r = n - \sum_t s_t` non-members, the second stage is the Nash
equilibrium in which

- the members of treaty :math:`t` choose a common abatement :math:`q_t` that
  maximises their joint payoff :math:`s_t\,\pi(q_t, Q)`: the first-order condition
  is :math:`\pi_q(q_t, Q) + s_t\,\pi_Q(q_t, Q) = 0` and the second-order condition
  :math:`\pi_{qq} + 2 s_t \pi_{qQ} + s_t^2 \pi_{QQ} < 0`;
- each non-member maximises its own payoff: :math:`\pi_q(q_n, Q) + \pi_Q(q_n, Q) = 0`,
  with :math:`\pi_{qq} + 2\pi_{qQ} + \pi_{QQ} < 0`

(Carraro and Siniscalco 1993; Barrett 1994). When the first-order conditions are
linear in the abatements they are solved in closed form with SymPy, with the
sizes, ``n`` and the parameters kept as symbols; otherwise they are solved
numerically (SciPy) at every size. The formula reaches SymPy through its syntax
tree (:meth:`coop.scenarios.formula.Formula.to_sympy`), never as text.

With binary abatement each country abates (``q = 1``) or not (``q = 0``) and ``Q``
counts those that abate. A treaty's members abate together when that gives
each of them at least as much as not abating (they abate when indifferent); the
non-members act alike (all abate or none), each abating when abating is a best
response (again: when indifferent, it abates). Among several such equilibria the
one with the largest total payoff of the members is kept (then the one with more
abatement). Barrett's binary game, :math:`\pi = bQ - cq` with :math:`b < c`, gives
members that abate exactly when :math:`kb \ge c` (Barrett 2003, ch. 7).

References
----------
Carraro, C. and Siniscalco, D. (1993). Strategies for the international protection of
the environment. *Journal of Public Economics* 52(3), 309-328.
Barrett, S. (1994). Self-enforcing international environmental agreements. *Oxford
Economic Papers* 46, 878-894.
Barrett, S. (2003). *Environment and Statecraft: The Strategy of Environmental
Treaty-Making*. Oxford University Press, ch. 7.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.treaty import MAX_NUMERIC_COMPETING_COUNTRIES, MAX_NUMERIC_COUNTRIES
from coop.scenarios.formula import Formula, shown

#: Largest residual of a first-order condition accepted from the numerical solver (relative to the scale).
FOC_TOL = 1e-8


@dataclass(frozen=True, eq=False)
class StageSolution:
    """The second stage at every structure of a grid of treaty sizes.

    Attributes
    ----------
    sizes : tuple of numpy.ndarray
        The treaties' sizes at each point of the grid (one array per treaty, all of one shape).
    member : tuple of numpy.ndarray
        Per treaty, a member's payoff at each point (NaN where the treaty has no members).
    non_member : numpy.ndarray
        A non-member's payoff (NaN where every country is a member).
    member_abatement, non_member_abatement : as ``member`` and ``non_member``
        The abatements chosen.
    method : str
        ``"closed form"``, ``"numeric"`` or ``"binary"``.
    closed_form : dict of str to str, optional
        For one treaty solved in closed form: ``q_m``, ``q_n``, ``pi_m``, ``pi_n`` as expressions of ``k``,
        ``n`` and the parameters.
    """

    sizes: tuple[np.ndarray, ...]
    member: tuple[np.ndarray, ...]
    non_member: np.ndarray
    member_abatement: tuple[np.ndarray, ...]
    non_member_abatement: np.ndarray
    method: str
    closed_form: dict[str, str] | None = None
    expressions: Any = None  # (pi_m, pi_n, k symbol) SymPy expressions for one treaty in closed form


def _exact(value: float) -> Any:
    import sympy

    return sympy.nsimplify(float(value), rational=True)


def _symbols(formula: Formula, parameters: Mapping[str, float]) -> dict[str, Any]:
    import sympy

    env: dict[str, Any] = {name: sympy.Symbol(name, real=True) for name in parameters}
    env["q"] = sympy.Symbol("q", real=True)
    env["Q"] = sympy.Symbol("Q", real=True)
    env["n"] = sympy.Symbol("n", positive=True)
    formula.check_names(env, "name")
    return env


def _grid(n: int, treaties: int) -> tuple[np.ndarray, ...]:
    if treaties == 1:
        return (np.arange(n + 1, dtype=np.float64),)
    a, b = np.meshgrid(np.arange(n + 1, dtype=np.float64), np.arange(n + 1, dtype=np.float64), indexing="ij")
    return a, b


def solve_second_stage(payoff: Formula, n: int, parameters: Mapping[str, float], *, treaties: int = 1,
                       binary: bool = False, numeric: bool = False, lead: bool = False) -> StageSolution:
    r"""Solve the second stage at every treaty size (one treaty: ``k = 0..n``; two: every ``(a, b)``).

    Parameters
    ----------
    payoff : Formula
        A country's payoff as a formula of ``q`` (its abatement), ``Q`` (the total), ``n`` and parameters.
    n : int
        The number of countries.
    parameters : mapping of str to float
        The parameters' values.
    treaties : {1, 2}
        One treaty, or two competing treaties (then the grid is ``(n + 1) x (n + 1)``; points with
        ``a + b > n`` are NaN).
    binary : bool
        Abatement is 0 or 1 (see the module docstring).
    numeric : bool
        Solve the first-order conditions numerically even when they have a closed form (to check one
        against the other).
    lead : bool
        The members move first (Stackelberg leaders, as in Barrett 1994), anticipating the non-members'
        best response; one treaty and continuous abatement only, and the non-members' best response must be
        linear in the members' abatement (its slope :math:`r'` constant): the members' first-order condition
        is then :math:`\pi_q + (k + (n - k) r')\,\pi_Q = 0`.

    Returns
    -------
    StageSolution

    Raises
    ------
    InputError
        When the first-order conditions have no solution, or the second-order condition fails at a size.

    Examples
    --------
    The linear-benefit, quadratic-cost game: members abate ``k b / c``, non-members ``b / c``.

    >>> from coop.scenarios.formula import parse_formula
    >>> s = solve_second_stage(parse_formula("b*Q - c*q**2/2"), 4, {"b": 1.0, "c": 2.0})
    >>> s.member_abatement[0][1:], s.non_member_abatement[:4]
    (array([0.5, 1. , 1.5, 2. ]), array([0.5, 0.5, 0.5, 0.5]))
    >>> s.closed_form["pi_m"]
    'b**2*(k**2 - 2*k + 2*n)/(2*c)'
    """
    sizes = _grid(n, treaties)
    if binary:
        return _binary(payoff, n, parameters, sizes)
    kinks = sorted(_functions(payoff.tree, set()) & set(NOT_SMOOTH))
    if kinks:
        raise InputError(f"the second stage of {shown(payoff.text)} is solved by first-order conditions, which "
                         f"need a payoff differentiable in q and Q; {', '.join(kinks)} has kinks (use abatement: "
                         "binary, or payoffs as formulas of k)")
    if lead and (binary or treaties != 1):
        raise InputError("members that lead (Stackelberg) are solved for one treaty with continuous abatement")
    try:
        return _continuous(payoff, n, parameters, sizes, numeric, lead)
    except InputError:
        raise
    except (TypeError, ValueError, ArithmeticError, NameError, AttributeError) as err:
        # SymPy or the generated functions met something they cannot handle (a complex value, a kink)
        raise InputError(f"the second stage of {shown(payoff.text)} could not be solved ({type(err).__name__}: "
                         f"{err}); write payoffs as formulas of k instead") from None


# ---------------------------------------------------------------------------- continuous abatement
#: Functions whose kinks the first-order conditions cannot handle.
NOT_SMOOTH = ("min", "max", "abs", "step")


def _functions(node: Any, out: set[str]) -> set[str]:
    """The names of the functions a formula's syntax tree calls."""
    from coop.scenarios.formula import Binary, Call, Unary

    if isinstance(node, Call):
        out.add(node.func)
        for arg in node.args:
            _functions(arg, out)
    elif isinstance(node, Binary):
        _functions(node.left, out)
        _functions(node.right, out)
    elif isinstance(node, Unary):
        _functions(node.operand, out)
    return out


def _derivatives(payoff: Formula, parameters: Mapping[str, float]) -> tuple[dict[str, Any], Any, Any, Any]:
    """The payoff as SymPy, its symbols, and its first and second derivatives in ``q`` and ``Q``."""
    import sympy

    env = _symbols(payoff, parameters)
    expr = payoff.to_sympy(env)
    q, Q = env["q"], env["Q"]
    first = (sympy.diff(expr, q), sympy.diff(expr, Q))
    second = (sympy.diff(expr, q, 2), sympy.diff(expr, q, Q), sympy.diff(expr, Q, 2))
    return env, expr, first, second


def _continuous(payoff: Formula, n: int, parameters: Mapping[str, float],
                sizes: tuple[np.ndarray, ...], numeric: bool = False, lead: bool = False) -> StageSolution:
    import sympy

    env, expr, (pq, pQ), (pqq, pqQ, pQQ) = _derivatives(payoff, parameters)
    q, Q, n_sym = env["q"], env["Q"], env["n"]
    T = len(sizes)
    s = [sympy.Symbol("k" if T == 1 else f"k_{t + 1}", nonnegative=True) for t in range(T)]
    qs = [sympy.Symbol(f"q_{t + 1}", real=True) for t in range(T)]
    qn = sympy.Symbol("q_n", real=True)
    total = sum((s[t] * qs[t] for t in range(T)), sympy.Integer(0)) + (n_sym - sum(s, sympy.Integer(0))) * qn
    outsider = (pq + pQ).subs({q: qn, Q: total}, simultaneous=True)
    # how the total moves when a treaty's members all move together: by its size, and with leaders also by
    # the non-members' response along their reaction function (slope -dF/dq_1 / dF/dq_n)
    weights: list[Any] = list(s)
    if lead:
        slope = sympy.cancel(sympy.diff(outsider, qn))
        reaction = sympy.cancel(-sympy.diff(outsider, qs[0]) / slope) if slope != 0 else None
        if reaction is None or reaction.free_symbols & {qs[0], qn}:
            raise InputError(f"with leading members the non-members' best response to {shown(payoff.text)} must be "
                             "linear in the members' abatement (a payoff quadratic in q and Q)")
        weights[0] = s[0] + (n_sym - s[0]) * reaction
    focs = [(pq + weights[t] * pQ).subs({q: qs[t], Q: total}, simultaneous=True) for t in range(T)]
    focs.append(outsider)
    unknowns = [*qs, qn]
    values = {env[name]: _exact(v) for name, v in parameters.items()}
    values[n_sym] = sympy.Integer(n)

    solution = None if numeric else _linear_solution(focs, unknowns)
    if solution is not None:
        funcs = [sympy.lambdify(s, sympy.cancel(x.subs(values)), modules="numpy") for x in solution]
        abate = [np.broadcast_to(np.asarray(f(*sizes), dtype=np.float64), sizes[0].shape).copy() for f in funcs]
        method = "closed form"
    else:
        most = MAX_NUMERIC_COUNTRIES if T == 1 else MAX_NUMERIC_COMPETING_COUNTRIES
        if n > most:
            raise InputError(f"the second stage of {shown(payoff.text)} has no closed form, and solving it "
                             f"numerically at every {'size' if T == 1 else 'pair of sizes'} is limited to {most} "
                             f"countries; this treaty has {n}")
        abate = _numeric_focs(focs, unknowns, s, values, sizes, n)
        method = "numeric"
    members = [sizes[t] for t in range(T)]
    outside = n - sum(members)
    valid = outside >= 0
    present = [valid & (members[t] > 0) for t in range(T)] + [valid & (outside > 0)]
    for j, mask in enumerate(present):
        bad = mask & ~np.isfinite(abate[j])
        if np.any(bad):
            where = _where(sizes, bad)
            raise InputError(f"the second stage has no solution at {where}: the first-order conditions of "
                             f"{shown(payoff.text)} do not determine the abatements there")
        abate[j] = np.where(mask, abate[j], np.nan)
    total_q = sum((members[t] * np.nan_to_num(abate[t]) for t in range(T)), np.zeros(sizes[0].shape)) + np.where(
        present[T], outside * np.nan_to_num(abate[T]), 0.0)
    # the second-order conditions, at the solution
    soc = sympy.lambdify((q, Q, sympy.Symbol("s_")), (pqq + 2 * sympy.Symbol("s_") * pqQ
                                                      + sympy.Symbol("s_") ** 2 * pQQ).subs(values), "numpy")
    for j, mask in enumerate(present):
        if not np.any(mask):
            continue
        if j < T:
            weight = np.broadcast_to(np.asarray(sympy.lambdify(s, weights[j].subs(values), "numpy")(*sizes),
                                                dtype=np.float64), sizes[0].shape)
        else:
            weight = np.ones(sizes[0].shape)
        with np.errstate(all="ignore"):
            value = np.broadcast_to(np.asarray(soc(np.nan_to_num(abate[j]), total_q, weight), dtype=np.float64),
                                    sizes[0].shape)
        bad = mask & ~(value < 0.0)
        if np.any(bad):
            who = "the members" if j < T else "a non-member"
            raise InputError(f"the second stage of {shown(payoff.text)} has no maximum for {who} at "
                             f"{_where(sizes, bad)}: the second-order condition fails (the payoff is not concave "
                             "in the abatement there)")
    pay = []
    for j, mask in enumerate(present):
        out = np.full(sizes[0].shape, np.nan)
        if np.any(mask):
            penv: dict[str, Any] = dict(parameters)
            penv.update(q=abate[j][mask], Q=total_q[mask], n=float(n))
            out[mask] = np.broadcast_to(np.asarray(payoff.evaluate(penv), dtype=np.float64), out[mask].shape)
        pay.append(out)
    closed = None
    expressions = None
    if solution is not None and T == 1:
        closed, expressions = _closed_payoffs(expr, env, solution, s[0], qs[0], qn, total)
    return StageSolution(sizes, tuple(pay[:T]), pay[T], tuple(abate[:T]), abate[T], method, closed, expressions)


def _linear_solution(focs: Sequence[Any], unknowns: Sequence[Any]) -> list[Any] | None:
    """The unique solution of first-order conditions linear in the unknowns, or ``None``."""
    import sympy

    try:
        for f in focs:
            if sympy.Poly(f, *unknowns).total_degree() > 1:
                return None
    except sympy.PolynomialError:
        return None
    matrix, rhs = sympy.linear_eq_to_matrix(list(focs), list(unknowns))
    det = sympy.cancel(matrix.det())
    if det == 0:
        return None
    solved = matrix.LUsolve(rhs)
    return [sympy.factor(sympy.cancel(x)) for x in solved]


def _closed_payoffs(expr: Any, env: Mapping[str, Any], solution: Sequence[Any], k: Any, qm: Any, qn: Any,
                    total: Any) -> tuple[dict[str, str], tuple[Any, Any, Any]]:
    import sympy

    q, Q = env["q"], env["Q"]
    sub = {qm: solution[0], qn: solution[1]}
    big_q = total.subs(sub, simultaneous=True)
    pi_m = sympy.factor(sympy.cancel(expr.subs({q: solution[0], Q: big_q}, simultaneous=True)))
    pi_n = sympy.factor(sympy.cancel(expr.subs({q: solution[1], Q: big_q}, simultaneous=True)))
    text = {"q_m": str(sympy.factor(solution[0])), "q_n": str(sympy.factor(solution[1])),
            "pi_m": str(pi_m), "pi_n": str(pi_n)}
    return text, (pi_m, pi_n, k)


def _numeric_focs(focs: Sequence[Any], unknowns: Sequence[Any], sizes_sym: Sequence[Any],
                  values: Mapping[Any, Any], sizes: tuple[np.ndarray, ...], n: int) -> list[np.ndarray]:
    """Solve the first-order conditions at every point of the grid with SciPy (empty groups dropped)."""
    import sympy
    from scipy.optimize import root

    T = len(sizes)
    system = [f.subs(values) for f in focs]
    jac = sympy.Matrix(system).jacobian(list(unknowns))
    f_num = sympy.lambdify([list(unknowns), list(sizes_sym)], system, "numpy")
    j_num = sympy.lambdify([list(unknowns), list(sizes_sym)], jac, "numpy")
    out = [np.full(sizes[0].shape, np.nan) for _ in range(T + 1)]
    for index in np.ndindex(sizes[0].shape):
        point = [float(sz[index]) for sz in sizes]
        if sum(point) > n:
            continue
        active = [j for j in range(T) if point[j] > 0] + ([T] if sum(point) < n else [])

        def fun(x: np.ndarray, point: list[float] = point, active: list[int] = active) -> np.ndarray:
            full = np.zeros(T + 1)
            full[active] = x
            return np.asarray(f_num(full, point), dtype=np.float64)[active]

        def jacobian(x: np.ndarray, point: list[float] = point, active: list[int] = active) -> np.ndarray:
            full = np.zeros(T + 1)
            full[active] = x
            return np.asarray(j_num(full, point), dtype=np.float64)[np.ix_(active, active)]

        best = None
        for start in (0.0, 1.0, -1.0, 10.0):
            with np.errstate(all="ignore"):
                try:
                    res = root(fun, np.full(len(active), start), jac=jacobian, method="hybr")
                except (ValueError, ZeroDivisionError, OverflowError):
                    continue
            if np.all(np.isfinite(res.x)) and np.max(np.abs(fun(res.x)), initial=0.0) <= FOC_TOL * max(
                    1.0, float(np.max(np.abs(res.x), initial=0.0))):
                best = res.x
                break
        if best is None:
            raise InputError(f"the second stage has no solution at {_where(sizes, index)}: the numerical "
                             "solver found no abatements that meet the first-order conditions")
        for position, j in enumerate(active):
            out[j][index] = best[position]
    return out


# ---------------------------------------------------------------------------- binary abatement
def _binary(payoff: Formula, n: int, parameters: Mapping[str, float], sizes: tuple[np.ndarray, ...]) -> StageSolution:
    payoff.check_names({*parameters, "q", "Q", "n"}, "name")
    T = len(sizes)
    shape = sizes[0].shape
    outside = np.asarray(n - sum(sizes), dtype=np.float64)
    valid = np.asarray(outside >= 0, dtype=bool)

    def pi(own: float, total: np.ndarray) -> np.ndarray:
        env: dict[str, Any] = dict(parameters)
        env.update(q=float(own), Q=np.asarray(total, dtype=np.float64), n=float(n))
        return np.broadcast_to(np.asarray(payoff.evaluate(env), dtype=np.float64), np.shape(total))

    scale = 1.0
    best_total = np.full(shape, -np.inf)
    best_q = np.full(shape, -1.0)
    member = [np.full(shape, np.nan) for _ in range(T)]
    member_q = [np.full(shape, np.nan) for _ in range(T)]
    non_member = np.full(shape, np.nan)
    non_member_q = np.full(shape, np.nan)
    found = np.zeros(shape, dtype=bool)
    candidates = []
    for choice in np.ndindex(*(2,) * (T + 1)):
        xs, y = choice[:T], choice[T]
        total = sum((sizes[t] * xs[t] for t in range(T)), np.zeros(shape)) + y * np.where(valid, outside, 0)
        own = [pi(xs[t], total) for t in range(T)]
        outsider = pi(y, total)
        scale = max(scale, *(float(np.max(np.abs(v))) for v in own), float(np.max(np.abs(outsider))))
        candidates.append((xs, y, total, own, outsider))
    tol = 1e-9 * scale
    for xs, y, total, own, outsider in candidates:
        ok = valid.copy()
        for t in range(T):
            present = sizes[t] > 0
            other = pi(1 - xs[t], total + (1 - 2 * xs[t]) * sizes[t])
            stays = own[t] >= other - tol if xs[t] == 1 else own[t] > other + tol
            ok &= ~present | stays
            ok &= present | (xs[t] == 0)  # an empty treaty abates nothing
        present = np.asarray(outside > 0, dtype=bool)
        other = pi(1 - y, total + (1 - 2 * y) * present)
        stays = outsider >= other - tol if y == 1 else outsider > other + tol
        ok &= (~present | stays) & (present | (y == 0))
        welfare = sum((sizes[t] * own[t] for t in range(T)), np.zeros(shape))
        better = ok & ((welfare > best_total + tol) | ((np.abs(welfare - best_total) <= tol) & (total > best_q)))
        best_total = np.where(better, welfare, best_total)
        best_q = np.where(better, total, best_q)
        for t in range(T):
            member[t] = np.where(better, own[t], member[t])
            member_q[t] = np.where(better, float(xs[t]), member_q[t])
        non_member = np.where(better, outsider, non_member)
        non_member_q = np.where(better, float(y), non_member_q)
        found |= ok
    missing = valid & ~found
    if np.any(missing):
        raise InputError(f"the binary second stage of {shown(payoff.text)} has no equilibrium in which the "
                         f"non-members act alike at {_where(sizes, missing)}")
    for t in range(T):
        absent = ~valid | (sizes[t] == 0)
        member[t] = np.where(absent, np.nan, member[t])
        member_q[t] = np.where(absent, np.nan, member_q[t])
    absent = ~valid | (outside == 0)
    non_member = np.where(absent, np.nan, non_member)
    non_member_q = np.where(absent, np.nan, non_member_q)
    return StageSolution(sizes, tuple(member), non_member, tuple(member_q), non_member_q, "binary")


def _where(sizes: tuple[np.ndarray, ...], where: Any) -> str:
    """``k = 3`` (or ``sizes (2, 3)``) at the first point of a mask, or at an index."""
    if isinstance(where, np.ndarray):
        index = tuple(int(i[0]) for i in np.nonzero(where))
    else:
        index = tuple(where)
    values = [int(sz[index]) for sz in sizes]
    return f"k = {values[0]}" if len(values) == 1 else f"sizes ({', '.join(str(v) for v in values)})"
