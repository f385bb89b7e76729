r"""Institutions as payoff transforms: monitoring, sanctions, peer review, membership, forum shopping.

An :class:`Institution` changes the *stage* payoffs of the players bound by it
(its members). With detection probability :math:`q`, sanction :math:`s`,
reputational cost :math:`\rho`, forum-shopping probability :math:`f` and
participation cost :math:`c`, a member :math:`i` whose realised action
:math:`a_i` is not its cooperative action :math:`C_i` gets

.. math:: u_i'(a) = u_i(a) - q\,(1 - f)\,(s + \rho)\,[a_i \ne C_i] - c,

and a member who cooperates gets :math:`u_i(a) - c`. Non-members' payoffs are
unchanged. The product :math:`q(1-f)(s+\rho)` is the *expected sanction*
:math:`s_e` (:meth:`Institution.expected_sanction`).

Modelling assumptions (stated plainly, because they drive every answer):

* **Expected-value sanctions.** Players are risk neutral: a sanction imposed
  with probability :math:`q(1-f)` is worth its expectation.
* **Detection is independent across periods and players**, and independent of
  the repeated game's own monitoring channel (``RepeatedGame.detection``): the
  institution's verification feeds its sanctions only, not what the players
  observe of each other.
* **Sanctions are deadweight losses**: nothing is transferred to the victims
  or to other members (no compensation). Transfers would also change the
  victims' incentives; this module does not model them.
* **Every non-cooperative action of a member is sanctioned**, including a
  defection played to punish another member's defection (the institution does
  not tell punishment from cheating). A large sanction can therefore make a
  trigger strategy's punishment phase non-credible: in the prisoner's
  dilemma, grim trigger stays subgame perfect only while :math:`s_e \le P - S`.
* **Sanctions apply to realised actions**: under implementation noise an
  accidental defection is sanctioned like an intended one.
* **The participation cost** is paid by every member in every period, whatever
  it plays; it lowers payoffs without changing any incentive to deviate.
* **Forum shopping** (the cost of a fragmented regime complex, Keohane and
  Victor 2011): with probability :math:`f` a detected defector escapes both
  the sanction and the reputational cost by moving to an overlapping forum.
* The **reputational cost** (peer review that publishes findings, as the FSB
  does, with no enforcement power) enters exactly like a sanction; it is kept
  apart so that reports can tell enforcement from reputation.

The four designs compared in issue 3 have named constructors with
illustrative defaults (:func:`no_institution`, :func:`iaea_like`,
:func:`fsb_like`, :func:`fragmented_regime_complex`). Their numbers are in
stage-payoff units and sized for games whose payoffs span a few units (the
prisoner's dilemma (5, 3, 1, 0)); they are illustrations, not estimates.
Scale them to the scenario's payoffs.

Scenario mapping
----------------
A scenario's ``institutions`` section will list designs whose keys are this
class's fields (``name``, ``detection``, ``sanction``, ``reputation_cost``,
``participation_cost``, ``forum_shopping``, ``members``); bad numbers and
unknown members are :class:`~coop.errors.InputError`.

References
----------
Abbott, K. W. and Snidal, D. (1998). Why states act through formal international
organizations. *Journal of Conflict Resolution* 42(1), 3-32 (centralisation and
independence of international organisations; monitoring and enforcement).
Keohane, R. O. and Victor, D. G. (2011). The regime complex for climate change.
*Perspectives on Politics* 9(1), 7-23 (fragmented regime complexes, forum shopping).
IAEA (1972). *The structure and content of agreements between the Agency and States
required in connection with the Treaty on the Non-Proliferation of Nuclear Weapons*,
INFCIRC/153 (safeguards verification; non-compliance is reported to the Security Council).
Financial Stability Board. *Handbook for FSB peer reviews* (peer review with published
findings and no enforcement power).

Examples
--------
>>> import numpy as np
>>> from coop.games import NormalFormGame
>>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
>>> pd = NormalFormGame.from_bimatrix(A, A.T, ("US", "China"), (("C", "D"), ("C", "D")))
>>> inst = Institution("treaty", detection=0.5, sanction=2.0, forum_shopping=0.5, participation_cost=0.1)
>>> inst.expected_sanction()
0.5
>>> inst.apply(pd, (0, 0)).payoffs[0].tolist()  # [[R - c, S - c], [T - s_e - c, P - s_e - c]]
[[2.9, -0.1], [4.4, 0.4]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.games.validation import nonnegative, probability


def _probability(value: Any, name: str) -> float:
    return probability(value, f"the institution's {name}")


def _cost(value: Any, name: str) -> float:
    return nonnegative(value, f"the institution's {name}")


@dataclass(frozen=True)
class Institution:
    r"""An institution design: verification, enforcement, peer review, membership and forum shopping.

    Parameters
    ----------
    name : str
        A label for reports.
    detection : float
        Probability :math:`q \in [0, 1]` that a member's defection is detected
        (verification, as by IAEA safeguards).
    sanction : float
        Payoff loss :math:`s \ge 0` imposed on a detected defector (enforcement).
    reputation_cost : float
        Payoff loss :math:`\rho \ge 0` of a detected defection published by peer
        review (FSB-style, no enforcement); it applies like a sanction.
    participation_cost : float
        Per-period cost :math:`c \ge 0` of membership, paid by every member.
    forum_shopping : float
        Probability :math:`f \in [0, 1]` that a detected defector escapes the
        sanction and the reputational cost through an overlapping forum.
    members : tuple of str or None
        The players bound by the institution; ``None`` (default) means all
        players of the game it is applied to. Checked against the game in
        :meth:`apply`.

    See the module docstring for the modelling assumptions and references.
    """

    name: str = "institution"
    detection: float = 1.0
    sanction: float = 0.0
    reputation_cost: float = 0.0
    participation_cost: float = 0.0
    forum_shopping: float = 0.0
    members: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"an institution needs a non-empty name, got {self.name!r}")
        object.__setattr__(self, "detection", _probability(self.detection, "detection"))
        object.__setattr__(self, "forum_shopping", _probability(self.forum_shopping, "forum_shopping"))
        object.__setattr__(self, "sanction", _cost(self.sanction, "sanction"))
        object.__setattr__(self, "reputation_cost", _cost(self.reputation_cost, "reputation_cost"))
        object.__setattr__(self, "participation_cost", _cost(self.participation_cost, "participation_cost"))
        if self.members is not None:
            if isinstance(self.members, str) or not isinstance(self.members, Sequence):
                raise InputError(f"institution {self.name!r}: members must be a list of player names")
            members = tuple(self.members)
            for m in members:
                if not isinstance(m, str):
                    raise InputError(f"institution {self.name!r}: member {m!r} is not a player name")
            if len(set(members)) != len(members):
                raise InputError(f"institution {self.name!r}: members listed twice in {list(members)}")
            object.__setattr__(self, "members", members)

    @property
    def effective_detection(self) -> float:
        """Probability :math:`q(1-f)` that a defection is detected *and* punished."""
        return self.detection * (1.0 - self.forum_shopping)

    def expected_sanction(self, sanction: float | None = None) -> float:
        """Expected loss :math:`q(1-f)(s+\\rho)` of a member's defection (``sanction`` overrides :math:`s`)."""
        s = self.sanction if sanction is None else _cost(sanction, "sanction")
        return self.effective_detection * (s + self.reputation_cost)

    def member_indices(self, stage: NormalFormGame) -> tuple[int, ...]:
        """Indices of the members in ``stage`` (all players when ``members`` is ``None``)."""
        if self.members is None:
            return tuple(range(stage.num_players))
        out = []
        for m in self.members:
            if m not in stage.players:
                raise InputError(
                    f"institution {self.name!r}: unknown member {m!r}; expected players from {list(stage.players)}"
                )
            out.append(stage.players.index(m))
        return tuple(sorted(out))

    def apply(
        self, stage: NormalFormGame, cooperate: Sequence[int], defect: Sequence[int] | None = None
    ) -> NormalFormGame:
        """The expected stage payoffs under the institution.

        Parameters
        ----------
        stage : NormalFormGame
            The stage game.
        cooperate : sequence of int
            Each player's cooperative action index; every other action of a
            member counts as a defection and is sanctioned.
        defect : sequence of int, optional
            Each player's designated defecting action; accepted for symmetry
            with :class:`~coop.games.repeated.RepeatedGame` and checked, but not
            needed (all non-cooperative actions are treated alike).

        Returns
        -------
        NormalFormGame
            Same players, actions and labels; payoffs transformed as in the
            module docstring.
        """
        n = stage.num_players
        coop = tuple(int(c) for c in cooperate)
        if len(coop) != n:
            raise InputError(f"a cooperative action is needed for each of the {n} players, got {len(coop)}")
        for i, c in enumerate(coop):
            if not 0 <= c < stage.num_actions[i]:
                raise InputError(f"cooperative action index {c} out of range for player {stage.players[i]!r}")
        if defect is not None:
            dfct = tuple(int(d) for d in defect)
            if len(dfct) != n or any(not 0 <= d < stage.num_actions[i] for i, d in enumerate(dfct)):
                raise InputError(f"a defecting action index in range is needed for each of the {n} players")
        members = self.member_indices(stage)
        loss = self.expected_sanction()
        u = np.array(stage.payoffs, dtype=float, copy=True)
        for i in members:
            ui = u[i]
            moved = np.moveaxis(ui, i, 0)  # a view: axis 0 is player i's own action
            for a in range(stage.num_actions[i]):
                if a != coop[i]:
                    moved[a] -= loss
            ui -= self.participation_cost
        title = f"{stage.title} under {self.name}" if stage.title else f"under {self.name}"
        return NormalFormGame(u, stage.players, stage.actions, title, stage.description)

    def with_sanction(self, sanction: float) -> Institution:
        """The same design with another sanction."""
        from dataclasses import replace

        return replace(self, sanction=sanction)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "detection": self.detection,
            "sanction": self.sanction,
            "reputation_cost": self.reputation_cost,
            "participation_cost": self.participation_cost,
            "forum_shopping": self.forum_shopping,
            "members": None if self.members is None else list(self.members),
            "expected_sanction": self.expected_sanction(),
        }


def no_institution() -> Institution:
    """The baseline: no verification, no sanction, no cost (the stage game unchanged)."""
    return Institution("no institution", detection=0.0)


def iaea_like(
    detection: float = 0.8,
    sanction: float = 2.0,
    reputation_cost: float = 0.5,
    participation_cost: float = 0.2,
    forum_shopping: float = 0.0,
    members: Sequence[str] | None = None,
    name: str = "IAEA-like body",
) -> Institution:
    """A central body with intrusive verification and enforcement (IAEA safeguards style).

    Defaults (illustrative): detection 0.8 (on-site inspections catch most
    diversions), sanction 2.0 (referral and enforcement), reputational cost 0.5
    (findings are reported), participation cost 0.2 (inspections and
    secretariat are costly), no forum shopping (one central body).
    """
    return Institution(name, detection, sanction, reputation_cost, participation_cost, forum_shopping,
                       None if members is None else tuple(members))


def fsb_like(
    detection: float = 0.6,
    reputation_cost: float = 1.0,
    participation_cost: float = 0.05,
    forum_shopping: float = 0.1,
    members: Sequence[str] | None = None,
    name: str = "FSB-like peer review",
) -> Institution:
    """Peer review with published findings and no enforcement (Financial Stability Board style).

    Defaults (illustrative): detection 0.6 (self-reporting checked by peers),
    sanction 0 (no enforcement power), reputational cost 1.0, participation
    cost 0.05 (light secretariat), forum shopping 0.1.
    """
    return Institution(name, detection, 0.0, reputation_cost, participation_cost, forum_shopping,
                       None if members is None else tuple(members))


def fragmented_regime_complex(
    detection: float = 0.7,
    sanction: float = 1.5,
    reputation_cost: float = 0.5,
    participation_cost: float = 0.3,
    forum_shopping: float = 0.5,
    members: Sequence[str] | None = None,
    name: str = "fragmented regime complex",
) -> Institution:
    """Many overlapping forums (Keohane and Victor 2011): some verification and sanctions, much forum shopping.

    Defaults (illustrative): detection 0.7 (many forums watch), sanction 1.5
    and reputational cost 0.5 (each forum's own measures), participation cost
    0.3 (membership of several bodies), forum shopping 0.5 (a defector
    sanctioned in one forum moves to another half of the time).
    """
    return Institution(name, detection, sanction, reputation_cost, participation_cost, forum_shopping,
                       None if members is None else tuple(members))


#: The four designs compared in issue 3, with their illustrative defaults.
DESIGNS = {
    "no_institution": no_institution,
    "iaea_like": iaea_like,
    "fsb_like": fsb_like,
    "fragmented_regime_complex": fragmented_regime_complex,
}
