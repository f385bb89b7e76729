"""The ``treaty`` section of a scenario: who signs a treaty, and which treaties are stable.

.. code-block:: yaml

    treaty:
      name: abatement treaty          # optional label (default: treaty)
      countries: 10                   # a count (a number or a formula of parameters) or a list of names
      member: "k*b - c"               # a member's payoff: a formula of k (members), n and parameters
      non_member: "k*b"               # a non-member's payoff when k countries are members
      # or, instead of member and non_member, a second stage coop solves:
      # second_stage:
      #   payoff: "b*Q - c*q**2/2"      # of q (own abatement), Q (total abatement), n and parameters
      #   abatement: continuous         # or binary (each country abates, q = 1, or not, q = 0)
      #   timing: simultaneous          # or members_lead (the members move first)
      minimum_participation: 4        # optional: the treaty binds only with at least 4 members
      sanction: 2                     # optional: what a member that leaves pays; or {amount: 2, target: 6}
      tie_rule: join                  # optional: join (default), stay_out, weak or strict
      competing:                      # optional: a second treaty (forum shopping)
        name: rival forum
        member: "k*b - c"             # its members' payoff (k: its size, k_other: the first treaty's);
                                      # default: the first treaty's member formula
        minimum_participation: 0
        sanction: 0

With named countries (``countries: [US, China, EU]``), ``member`` and
``non_member`` may be mappings ``{country: formula}``: each country then has
its own payoffs and every membership vector is checked (at most 12 countries
with one treaty, 8 with two). In the first treaty's formulas ``k_other`` is the
competing treaty's size (0 without one); in ``non_member`` ``k`` is the first
treaty's size and ``k_other`` the competing one's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.treaty import (
    ABATEMENTS,
    DEFAULT_TIE_RULE,
    MAX_COUNTRIES,
    SIZE_NAMES,
    STAGE_NAMES,
    TIE_RULES,
    TIMINGS,
    CompetingTreaty,
    SecondStage,
    SizeFormulas,
    TreatyGame,
)
from coop.scenarios import fields
from coop.scenarios.formula import Formula, parse_formula
from coop.scenarios.schema import KeySpec, check_keys, identifier
from coop.scenarios.sections import SectionContext
from coop.scenarios.yaml_source import YNode

TREATY_KEYS: dict[str, KeySpec] = {
    "name": KeySpec("a label for the treaty (default: treaty)"),
    "countries": KeySpec("a count of identical countries, or a list of names", required=True),
    "member": KeySpec("a member's payoff: a formula of k, n and parameters (or one per named country)"),
    "non_member": KeySpec("a non-member's payoff: a formula of k, n and parameters (or one per named country)"),
    "second_stage": KeySpec("a second stage to solve instead: payoff (of q and Q), abatement"),
    "minimum_participation": KeySpec("the treaty binds only with at least this many members"),
    "sanction": KeySpec("what a member that leaves pays: a number, or amount and target"),
    "tie_rule": KeySpec(f"how an indifferent country moves: {', '.join(TIE_RULES)} (default {DEFAULT_TIE_RULE})"),
    "competing": KeySpec("a second treaty countries may join instead: name, member, minimum_participation, "
                         "sanction"),
}

STAGE_KEYS: dict[str, KeySpec] = {
    "payoff": KeySpec("a country's payoff: a formula of q (own abatement), Q (total), n and parameters",
                      required=True),
    "abatement": KeySpec(f"{' or '.join(ABATEMENTS)} (default continuous)"),
    "timing": KeySpec(f"{' or '.join(TIMINGS)} (default simultaneous): whether the members move first"),
}

SANCTION_KEYS: dict[str, KeySpec] = {
    "amount": KeySpec("what a member that leaves pays (default 0)"),
    "target": KeySpec("a size whose least stabilising sanction is reported (default: every country)"),
}

COMPETING_KEYS: dict[str, KeySpec] = {
    "name": KeySpec("a label for the competing treaty (default: competing treaty)"),
    "member": KeySpec("its members' payoff: a formula of k (its size), k_other (the first treaty's size), n"),
    "minimum_participation": KeySpec("it binds only with at least this many members"),
    "sanction": KeySpec("what a member that leaves it pays"),
}


def _formula(node: YNode, allowed: set[str], what: str) -> Formula:
    """A formula (or a number) at ``node`` that uses only ``allowed`` names."""
    if node.kind != "scalar" or node.value is None or isinstance(node.value, bool):
        raise node.error(f"{what} must be a formula or a number, got {node.describe()}")
    try:
        formula = parse_formula(node.text if not isinstance(node.value, str) else node.value)
        formula.check_names(sorted(allowed), "name")
    except InputError as err:
        raise err.located(node.source, node.line, node.place or None) from None
    return formula


def _countries(node: YNode, scalar: fields.Scalar) -> tuple[tuple[str, ...], bool]:
    if node.kind == "seq":
        names: list[str] = []
        for child in fields.sequence(node, "countries", least=1, of="country names"):
            name = identifier(child, "country name")
            if name in names:
                raise child.error(f"country {name!r} is listed twice")
            names.append(name)
        return tuple(names), True
    n = fields.whole_number(node, scalar, "countries", 1, unit="countries")
    if n > MAX_COUNTRIES:
        raise node.error(f"a treaty of {n:,} countries is too large: at most {MAX_COUNTRIES:,}")
    return tuple(f"country_{i + 1}" for i in range(n)), False


def _per_country(node: YNode, countries: tuple[str, ...], named: bool, allowed: set[str],
                 what: str) -> tuple[Formula, ...]:
    if node.kind == "map":
        if not named:
            raise node.error(f"{what} per country needs named countries (countries: [A, B, ...]); "
                             "with a count, give one formula")
        nodes = fields.player_map(node, countries, what, "formula")
        return tuple(_formula(child, allowed, f"the {what} formula of {name!r}")
                     for child, name in zip(nodes, countries, strict=True))
    return (_formula(node, allowed, f"the {what} formula"),)


def _check_values(node: YNode, game: TreatyGame, formulas: tuple[Formula, ...], which: str) -> None:
    """Evaluate size formulas at every size they are used at, so an error names its place in the file."""
    n = game.n
    if which == "member":
        k = np.arange(1, n + 1, dtype=np.float64)
    else:
        k = np.arange(0, n, dtype=np.float64)
    if k.size == 0:
        return
    others = [0.0] if game.competing is None else [0.0, 1.0]
    env_base: dict[str, Any] = dict(game.parameters)
    for formula in formulas:
        for k_other in others:
            env = dict(env_base)
            env.update(k=k, k_other=np.full(k.shape, k_other), n=float(n))
            try:
                formula.evaluate(env)
            except InputError as err:
                raise node.error(f"{err.message} (at some k from {int(k[0])} to {int(k[-1])})") from None


def build_treaty(node: YNode, scalar: fields.Scalar, parameters: Mapping[str, float]) -> TreatyGame:
    """Validate the ``treaty`` section and build its :class:`~coop.games.treaty.TreatyGame`."""
    check_keys(node, TREATY_KEYS, "treaty")
    countries, named = _countries(node["countries"], scalar)
    n = len(countries)
    name = node["name"].text.strip() if "name" in node else "treaty"
    if not name:
        raise node.error("the treaty's name is empty", key="name")

    has_formulas = "member" in node or "non_member" in node
    if has_formulas and "second_stage" in node:
        raise node.error("give either member and non_member (payoffs as formulas of k) or second_stage, not both",
                         key="second_stage")
    if not has_formulas and "second_stage" not in node:
        raise node.error("treaty needs member and non_member (payoffs as formulas of k) or a second_stage")
    reserved = SIZE_NAMES if has_formulas else STAGE_NAMES
    for key in reserved:
        if key in parameters and not (key == "n" and parameters[key] == n):
            raise node.error(f"the parameter {key!r} has the name of the treaty's {key}; rename the parameter")
    payoffs: SizeFormulas | SecondStage
    if has_formulas:
        for key in ("member", "non_member"):
            if key not in node:
                raise node.error(f"treaty has {'non_member' if key == 'member' else 'member'} but no {key!r}; "
                                 "give both (or a second_stage)")
        allowed = {*parameters, *SIZE_NAMES}
        member = _per_country(node["member"], countries, named, allowed, "member")
        non_member = _per_country(node["non_member"], countries, named, allowed, "non_member")
        if len(member) != len(non_member):
            single, key = ("member", "non_member") if len(member) == 1 else ("non_member", "member")
            raise node.error(f"{key} gives a formula per country but {single} one for all; give both the same way",
                             key=key)
        payoffs = SizeFormulas(member, non_member)
    else:
        stage = node["second_stage"]
        check_keys(stage, STAGE_KEYS, "second_stage")
        payoff = _formula(stage["payoff"], {*parameters, *STAGE_NAMES}, "the second-stage payoff")
        if "q" not in payoff.names:
            raise stage["payoff"].error("the second-stage payoff does not depend on q, a country's own abatement")
        abatement = (fields.choice(stage["abatement"], ABATEMENTS, "abatement") if "abatement" in stage
                     else "continuous")
        timing = fields.choice(stage["timing"], TIMINGS, "timing") if "timing" in stage else "simultaneous"
        if timing == "members_lead" and abatement == "binary":
            raise stage.error("members that lead (timing: members_lead) need continuous abatement", key="timing")
        if timing == "members_lead" and "competing" in node:
            raise stage.error("members that lead (timing: members_lead) are solved for one treaty, not with a "
                              "competing one", key="timing")
        payoffs = SecondStage(payoff, abatement, timing)

    minimum = (fields.whole_number(node["minimum_participation"], scalar, "minimum_participation", 0, n,
                                   unit="countries") if "minimum_participation" in node else 0)
    sanction, target = _sanction(node, scalar, n)
    tie_rule = fields.choice(node["tie_rule"], TIE_RULES, "tie rule") if "tie_rule" in node else DEFAULT_TIE_RULE
    competing = _competing(node["competing"], scalar, parameters, countries, named, n, payoffs) \
        if "competing" in node else None
    if competing is not None and competing.name == name:
        raise node["competing"].error(f"the competing treaty needs a name other than {name!r}", key="name")
    try:
        game = TreatyGame(countries, payoffs, dict(parameters), name, minimum, sanction, target, tie_rule,
                          competing, named)
    except InputError as err:
        raise node.error(err.message, key="countries") from None
    if isinstance(payoffs, SizeFormulas):
        _check_values(node["member"], game, payoffs.member, "member")
        _check_values(node["non_member"], game, payoffs.non_member, "non_member")
        if competing is not None and competing.member is not None:
            _check_values(node["competing"]["member"], game, competing.member, "member")
    return game


def _sanction(node: YNode, scalar: fields.Scalar, n: int) -> tuple[float, int | None]:
    if "sanction" not in node:
        return 0.0, None
    s = node["sanction"]
    if s.kind == "map":
        check_keys(s, SANCTION_KEYS, "sanction")
        amount = fields.positive(s["amount"], scalar, "sanction amount", strict=False) if "amount" in s else 0.0
        target = (fields.whole_number(s["target"], scalar, "sanction target", 1, n, unit="countries")
                  if "target" in s else None)
        return amount, target
    return fields.positive(s, scalar, "sanction", strict=False), None


def _competing(node: YNode, scalar: fields.Scalar, parameters: Mapping[str, float], countries: tuple[str, ...],
               named: bool, n: int, payoffs: SizeFormulas | SecondStage) -> CompetingTreaty:
    check_keys(node, COMPETING_KEYS, "competing")
    name = node["name"].text.strip() if "name" in node else "competing treaty"
    if not name:
        raise node.error("the competing treaty's name is empty", key="name")
    member = None
    if "member" in node:
        if isinstance(payoffs, SecondStage):
            raise node.error("a competing treaty of a second stage has the first treaty's rules; its payoffs come "
                             "from the second stage, not from a member formula", key="member")
        member = _per_country(node["member"], countries, named, {*parameters, *SIZE_NAMES}, "competing member")
        if len(member) != len(payoffs.member):
            raise node.error("the competing member formulas must be given as the first treaty's are (one for all, "
                             "or one per country)", key="member")
    minimum = (fields.whole_number(node["minimum_participation"], scalar, "minimum_participation", 0, n,
                                   unit="countries") if "minimum_participation" in node else 0)
    sanction = fields.positive(node["sanction"], scalar, "sanction", strict=False) if "sanction" in node else 0.0
    return CompetingTreaty(name, member, minimum, sanction)


def parse_treaty(node: YNode, context: SectionContext) -> TreatyGame:
    """The registered parser of the ``treaty`` section (see :mod:`coop.scenarios.sections`)."""
    return build_treaty(node, context.scalar, context.parameters)

