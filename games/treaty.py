r"""The treaty (coalition formation) game: countries decide whether to sign, then play a second stage.

A treaty game has ``n`` countries. In the first stage each country signs the
treaty or not; ``k`` countries sign. In the second stage the signatories
(members) act together and the others (non-members) act alone, and every
country gets a payoff: :math:`\pi_m(k)` for a member of a treaty of ``k``, and
:math:`\pi_n(k)` for a non-member when ``k`` others have signed. The payoffs
are given either

- as formulas of ``k`` (:class:`SizeFormulas`), for symmetric countries (one
  formula each) or per country (asymmetric countries with named formulas), or
- by a second stage that coop solves (:class:`SecondStage`): a payoff formula of
  a country's own abatement ``q`` and the total ``Q``; members choose a common
  ``q`` maximising their joint payoff, non-members best respond.

A treaty may have a minimum participation clause (it binds only when at least
``m`` countries sign; otherwise everyone plays as a non-member), an
institution's sanction that a country leaving the treaty pays, and a competing
treaty (forum shopping: each country joins one treaty or none). The solvers are
in :mod:`coop.solvers.coalitions`.

References
----------
Carraro, C. and Siniscalco, D. (1993). Strategies for the international protection of
the environment. *Journal of Public Economics* 52(3), 309-328.
Barrett, S. (1994). Self-enforcing international environmental agreements. *Oxford
Economic Papers* 46, 878-894.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from coop.errors import InputError
from coop.scenarios.formula import Formula

#: How a country that is indifferent moves (see :data:`TIE_RULE_TEXT`).
TieRule = Literal["join", "stay_out", "weak", "strict"]
TIE_RULES: tuple[TieRule, ...] = ("join", "stay_out", "weak", "strict")
#: The default tie rule: an indifferent member stays, an indifferent non-member joins.
DEFAULT_TIE_RULE: TieRule = "join"
#: Each tie rule in words.
TIE_RULE_TEXT: dict[str, str] = {
    "join": "an indifferent member stays and an indifferent non-member joins "
            "(internal stability pi_m(k) >= pi_n(k-1), external stability pi_n(k) > pi_m(k+1))",
    "stay_out": "an indifferent member leaves and an indifferent non-member stays out "
                "(pi_m(k) > pi_n(k-1), pi_n(k) >= pi_m(k+1))",
    "weak": "an indifferent country does not move (pi_m(k) >= pi_n(k-1), pi_n(k) >= pi_m(k+1), "
            "as in d'Aspremont et al. 1983 and Carraro and Siniscalco 1993)",
    "strict": "an indifferent country moves (pi_m(k) > pi_n(k-1), pi_n(k) > pi_m(k+1))",
}

#: Abatement in the second stage: any real number, or abate (1) or not (0).
Abatement = Literal["continuous", "binary"]
ABATEMENTS: tuple[Abatement, ...] = ("continuous", "binary")
#: Who moves first in the second stage: everyone at once (a Nash equilibrium, Carraro and Siniscalco 1993),
#: or the members first, anticipating the non-members' best response (Stackelberg leaders, Barrett 1994).
Timing = Literal["simultaneous", "members_lead"]
TIMINGS: tuple[Timing, ...] = ("simultaneous", "members_lead")

#: The most countries of a symmetric treaty (payoffs at every size 0..n).
MAX_COUNTRIES = 10_000
#: The most countries with two competing treaties (every pair of sizes).
MAX_COMPETING_COUNTRIES = 1_000
#: The most countries when the second stage has no closed form (solved numerically at every size).
MAX_NUMERIC_COUNTRIES = 2_000
#: The most countries with two competing treaties when the second stage is solved numerically per pair.
MAX_NUMERIC_COMPETING_COUNTRIES = 60
#: The most named countries with their own formulas: every membership vector is enumerated
#: (2**n with one treaty, 3**n with two).
MAX_ASYMMETRIC = 12
MAX_ASYMMETRIC_COMPETING = 8

#: The names a size formula may use besides the parameters.
SIZE_NAMES = ("k", "k_other", "n")
#: The names a second-stage payoff may use besides the parameters.
STAGE_NAMES = ("q", "Q", "n")


@dataclass(frozen=True, eq=False)
class SizeFormulas:
    """Payoffs as formulas of the treaty's size ``k`` (and ``k_other``, the competing treaty's size, and ``n``).

    Attributes
    ----------
    member, non_member : tuple of Formula
        One formula for every country (symmetric countries), or one per country in the countries' order.
    """

    member: tuple[Formula, ...]
    non_member: tuple[Formula, ...]

    @property
    def symmetric(self) -> bool:
        return len(self.member) == 1

    def to_dict(self) -> dict[str, Any]:
        return {"member": [f.text for f in self.member], "non_member": [f.text for f in self.non_member]}


@dataclass(frozen=True, eq=False)
class SecondStage:
    """A second stage coop solves: every country's payoff is ``payoff(q, Q)`` (and ``n`` and parameters).

    Attributes
    ----------
    payoff : Formula
        A country's payoff as a formula of its own abatement ``q`` and the total abatement ``Q``.
    abatement : {"continuous", "binary"}
        ``continuous``: ``q`` is any real number (first-order conditions, second-order check; no bound keeps
        it above 0); ``binary``: each country abates (``q = 1``) or not (``q = 0``) and ``Q`` counts those
        that abate.
    timing : {"simultaneous", "members_lead"}
        ``simultaneous``: members and non-members choose at once (a Nash equilibrium between the treaty and
        the others, Carraro and Siniscalco 1993); ``members_lead``: the members choose first, anticipating
        the non-members' best response (Barrett 1994); continuous abatement and one treaty only.
    """

    payoff: Formula
    abatement: Abatement = "continuous"
    timing: Timing = "simultaneous"

    symmetric = True

    def to_dict(self) -> dict[str, Any]:
        return {"payoff": self.payoff.text, "abatement": self.abatement, "timing": self.timing}


@dataclass(frozen=True, eq=False)
class CompetingTreaty:
    """A second treaty that countries may join instead (forum shopping).

    Attributes
    ----------
    name : str
        Its label.
    member : tuple of Formula, optional
        Its members' payoff formulas (``k``: its own size, ``k_other``: the first treaty's size); ``None``
        when the payoffs come from a second stage or when it has the first treaty's rules.
    minimum_participation : int
        It binds only with at least this many members (0: no clause).
    sanction : float
        What a country that leaves it pays.
    """

    name: str
    member: tuple[Formula, ...] | None = None
    minimum_participation: int = 0
    sanction: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "member": None if self.member is None else [f.text for f in self.member],
                "minimum_participation": self.minimum_participation, "sanction": self.sanction}


@dataclass(frozen=True, eq=False)
class TreatyGame:
    """A treaty game (see the module docstring).

    Attributes
    ----------
    countries : tuple of str
        The countries' names (``country_1``, ... when the scenario gives a count).
    payoffs : SizeFormulas or SecondStage
        How payoffs depend on who signs.
    parameters : mapping of str to float
        The scenario's parameters, for the formulas.
    name : str
        The treaty's label.
    minimum_participation : int
        The treaty binds only when at least this many countries sign (0: no clause).
    sanction : float
        What a member that leaves pays (an institution's sanction), >= 0.
    target : int, optional
        A size whose least stabilising sanction is reported (default: every country).
    tie_rule : str
        One of :data:`TIE_RULES`.
    competing : CompetingTreaty, optional
        A second treaty (forum shopping).
    named : bool
        Whether the countries were named (a list) rather than counted.

    Examples
    --------
    >>> from coop.scenarios.formula import parse_formula
    >>> g = TreatyGame.symmetric(4, "k*b - c", "k*b", {"b": 1.0, "c": 2.5})
    >>> g.n, g.member_payoffs(np.arange(1, 5))
    (4, array([-1.5, -0.5,  0.5,  1.5]))
    """

    countries: tuple[str, ...]
    payoffs: SizeFormulas | SecondStage
    parameters: Mapping[str, float] = field(default_factory=dict)
    name: str = "treaty"
    minimum_participation: int = 0
    sanction: float = 0.0
    target: int | None = None
    tie_rule: TieRule = DEFAULT_TIE_RULE
    competing: CompetingTreaty | None = None
    named: bool = False

    def __post_init__(self) -> None:
        n = len(self.countries)
        if n < 1:
            raise InputError("a treaty needs at least one country")
        if self.tie_rule not in TIE_RULES:
            raise InputError(f"unknown tie rule {self.tie_rule!r}; expected one of {', '.join(TIE_RULES)}")
        if not 0 <= self.minimum_participation <= n:
            raise InputError(f"the minimum participation must be from 0 to the {n} countries, "
                             f"got {self.minimum_participation}")
        if not (np.isfinite(self.sanction) and self.sanction >= 0.0):
            raise InputError(f"the sanction must be a number >= 0, got {self.sanction:g}")
        if self.target is not None and not 1 <= self.target <= n:
            raise InputError(f"the target size must be from 1 to the {n} countries, got {self.target}")
        symmetric = self.payoffs.symmetric
        if isinstance(self.payoffs, SecondStage) and self.payoffs.timing == "members_lead":
            if self.payoffs.abatement == "binary":
                raise InputError("members that lead (timing: members_lead) need continuous abatement")
            if self.competing is not None:
                raise InputError("members that lead (timing: members_lead) are solved for one treaty, "
                                 "not with a competing one")
        if symmetric and n > MAX_COUNTRIES:
            raise InputError(f"a treaty of {n:,} countries is too large: at most {MAX_COUNTRIES:,}")
        if self.competing is not None and symmetric and n > MAX_COMPETING_COUNTRIES:
            raise InputError(f"two competing treaties of {n:,} countries are too many pairs of sizes: at most "
                             f"{MAX_COMPETING_COUNTRIES:,} countries")
        if not symmetric:
            most = MAX_ASYMMETRIC if self.competing is None else MAX_ASYMMETRIC_COMPETING
            if n > most:
                ways = 2 if self.competing is None else 3
                raise InputError(f"countries with their own formulas: every one of the {ways}**{n} membership "
                                 f"vectors would be checked; at most {most} countries "
                                 f"({ways}**{most} = {ways ** most:,} vectors)")
            if isinstance(self.payoffs, SizeFormulas) and len(self.payoffs.member) != n:
                raise InputError(f"{len(self.payoffs.member)} member formulas for {n} countries")

    @classmethod
    def symmetric(cls, n: int, member: str, non_member: str, parameters: Mapping[str, float] | None = None,
                  **options: Any) -> TreatyGame:
        """A treaty of ``n`` identical countries with payoffs given as formula text of ``k`` (and ``n``)."""
        from coop.scenarios.formula import parse_formula

        return cls(tuple(f"country_{i + 1}" for i in range(n)),
                   SizeFormulas((parse_formula(member),), (parse_formula(non_member),)),
                   dict(parameters or {}), **options)

    @classmethod
    def second_stage(cls, n: int, payoff: str, parameters: Mapping[str, float] | None = None,
                     abatement: Abatement = "continuous", timing: Timing = "simultaneous",
                     **options: Any) -> TreatyGame:
        """A treaty of ``n`` identical countries whose payoffs come from the second stage ``payoff(q, Q)``."""
        from coop.scenarios.formula import parse_formula

        return cls(tuple(f"country_{i + 1}" for i in range(n)),
                   SecondStage(parse_formula(payoff), abatement, timing), dict(parameters or {}), **options)

    @property
    def n(self) -> int:
        return len(self.countries)

    def _size_env(self, k: np.ndarray, k_other: np.ndarray | float = 0.0) -> dict[str, Any]:
        env: dict[str, Any] = dict(self.parameters)
        env.update(k=np.asarray(k, dtype=np.float64), k_other=np.broadcast_to(np.asarray(k_other, dtype=np.float64),
                                                                                 np.shape(k)).copy(),
                   n=float(self.n))
        return env

    def _formula_values(self, formula: Formula, k: np.ndarray, k_other: np.ndarray | float = 0.0) -> np.ndarray:
        value = formula.evaluate(self._size_env(k, k_other))
        return np.broadcast_to(np.asarray(value, dtype=np.float64), np.shape(k)).copy()

    def member_payoffs(self, k: np.ndarray, k_other: np.ndarray | float = 0.0, country: int = 0) -> np.ndarray:
        """The member formula of ``country`` (the only one for symmetric countries) at sizes ``k``."""
        if not isinstance(self.payoffs, SizeFormulas):
            raise TypeError("member_payoffs reads size formulas; solve the second stage instead")
        f = self.payoffs.member[0 if self.payoffs.symmetric else country]
        return self._formula_values(f, k, k_other)

    def non_member_payoffs(self, k: np.ndarray, k_other: np.ndarray | float = 0.0, country: int = 0) -> np.ndarray:
        """The non-member formula of ``country`` at sizes ``k`` (the first treaty's) and ``k_other``."""
        if not isinstance(self.payoffs, SizeFormulas):
            raise TypeError("non_member_payoffs reads size formulas; solve the second stage instead")
        f = self.payoffs.non_member[0 if self.payoffs.symmetric else country]
        return self._formula_values(f, k, k_other)

    def competing_payoffs(self, k: np.ndarray, k_other: np.ndarray | float = 0.0, country: int = 0) -> np.ndarray:
        """The competing treaty's member formula at its size ``k`` and the first treaty's ``k_other``."""
        if self.competing is None or not isinstance(self.payoffs, SizeFormulas):
            raise TypeError("competing_payoffs needs a competing treaty with size formulas")
        formulas = self.competing.member if self.competing.member is not None else self.payoffs.member
        f = formulas[0 if len(formulas) == 1 else country]
        return self._formula_values(f, k, k_other)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "countries": list(self.countries) if self.named else self.n,
            "payoffs": self.payoffs.to_dict(),
            "minimum_participation": self.minimum_participation,
            "sanction": self.sanction,
            "target": self.target,
            "tie_rule": self.tie_rule,
            "competing": None if self.competing is None else self.competing.to_dict(),
        }
