r"""Repeated games with discounting, implementation noise and imperfect monitoring.

A :class:`RepeatedGame` is a stage :class:`~coop.games.NormalFormGame` played
in periods :math:`t = 0, 1, \dots` with payoffs evaluated as the normalised
discounted sum

.. math:: V_i = (1 - \delta) \sum_{t \ge 0} \delta^t\, \mathbb{E}\, u_i(a^t),

or, when ``delta`` is ``None``, as the limit of means
:math:`\lim_T \frac1T \sum_{t<T} \mathbb{E}\, u_i(a^t)`. With a finite
``horizon`` :math:`T` the game ends after :math:`T` periods and payoffs are
the normalised sum :math:`\frac{1-\delta}{1-\delta^T} \sum_{t<T} \delta^t\,
\mathbb{E}\, u_i(a^t)` (the plain average over the :math:`T` periods when
``delta`` is ``None``), in the same units as a stage payoff.

Every player ``i`` has a cooperative action ``cooperate[i]`` and a defecting
action ``defect[i]`` (indices into its actions). Two kinds of error act on them:

* **implementation noise** ``noise`` (:math:`\varepsilon`): an intended
  cooperate is played as defect, and an intended defect as cooperate, with
  probability :math:`\varepsilon`, independently across players (other
  actions are played as intended);
* **imperfect monitoring**: each player observes every *other* player's
  realised action through an independent channel. A non-cooperative action is
  seen as it is with probability ``detection`` (:math:`q`) and as the
  cooperative action otherwise; a cooperative action is seen as the defecting
  action with probability ``false_alarm`` (:math:`r`). Own actions are
  observed exactly, and payoffs depend on the realised actions.

Strategies are :class:`~coop.games.automata.Automaton` objects, one per
player; they move on what their owner observed. With ``monitoring="public"``
every automaton reads one report of the realised profile (the errors above,
drawn once); with ``signals`` (a :class:`~coop.games.public_signals.SignalDistribution`)
every automaton reads a general public signal drawn given the realised
profile, and its transitions are indexed by signal
(:mod:`coop.games.public_signals`).

Scenario mapping
----------------
A scenario's ``repeated`` section will map onto this class as
``delta`` (or ``continuation`` probability) -> ``delta``; ``cooperate`` and
``defect`` (``{player: action label}``, one entry for every player) ->
:meth:`RepeatedGame.from_labels`; ``noise``, ``detection`` and
``false_alarm`` -> the fields of the same names; an institution's detection
probability becomes ``detection``. Missing cooperative actions, ``delta``
outside ``[0, 1)`` and probabilities outside ``[0, 1]`` are
:class:`~coop.errors.InputError`.

Examples
--------
>>> import numpy as np
>>> from coop.games import NormalFormGame
>>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
>>> pd = NormalFormGame.from_bimatrix(A, A.T, ("US", "China"), (("C", "D"), ("C", "D")))
>>> g = RepeatedGame.from_labels(pd, 0.9, {"US": "C", "China": "C"}, {"US": "D", "China": "D"}, noise=0.01)
>>> g.cooperate, g.defect, g.perfect
((0, 0), (1, 1), False)
>>> [a.name for a in g.profile("grim_trigger")]
['grim_trigger', 'grim_trigger']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.automata import BUILDERS, UNREACTIVE, Automaton, on_signals
from coop.games.normal_form import NormalFormGame
from coop.games.public_signals import SignalDistribution
from coop.games.validation import probability

#: How the players see each other's actions: through private channels, or one public report.
MONITORING = ("private", "public")


def check_delta(delta: Any) -> float | None:
    """Return ``delta`` as a float in ``[0, 1)`` (or ``None``); raise :class:`InputError` otherwise."""
    if delta is None:
        return None
    try:
        d = float(delta)
    except (TypeError, ValueError):
        raise InputError(f"the discount factor delta must be a number in [0, 1), got {delta!r}") from None
    if not 0.0 <= d < 1.0:
        raise InputError(f"the discount factor delta must lie in [0, 1), got {d}")
    return d


def check_horizon(horizon: Any) -> int | None:
    """Return ``horizon`` as an int >= 1 (or ``None`` for an infinite horizon); raise :class:`InputError` otherwise."""
    if horizon is None:
        return None
    if (isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer, float))
            or not np.isfinite(horizon) or horizon != int(horizon)):
        raise InputError(f"the horizon must be a whole number of periods >= 1, got {horizon!r}")
    if int(horizon) < 1:
        raise InputError(f"the horizon must be a whole number of periods >= 1, got {int(horizon)}")
    return int(horizon)


#: Largest stage payoff magnitude of a repeated game: sums over periods divided by 1 - delta must not overflow.
MAX_PAYOFF = 1e150

@dataclass(frozen=True, eq=False)
class RepeatedGame:
    """A stage game repeated infinitely often, with noise and imperfect monitoring.

    Parameters
    ----------
    stage : NormalFormGame
        The stage game (any number of players).
    delta : float or None
        Discount factor (or continuation probability) in ``[0, 1)``; ``None``
        means the limit-of-means criterion.
    cooperate, defect : tuple of int
        Each player's cooperative and defecting action index (they must differ).
    noise : float
        Implementation noise :math:`\\varepsilon` in ``[0, 1]``.
    detection : float
        Probability :math:`q` that another player's defection is observed as such.
    false_alarm : float
        Probability :math:`r` that another player's cooperation is observed as defection.
    horizon : int or None
        Number of periods of a finitely repeated game; ``None`` (default) for an infinite horizon.
    monitoring : {"private", "public"}
        ``private`` (default): each player observes the others through its own channel, so the
        automaton states are private. ``public``: one report of every player's action, with the same
        ``detection`` and ``false_alarm`` rates (an inspector who publishes what it saw), which every
        automaton reads, its owner's reported action included: the joint state is common knowledge and
        subgame perfection is that of a perfect public equilibrium (Fudenberg, Levine and Maskin 1994).
    signals : SignalDistribution or None
        A general public signal whose distribution depends on the realised profile
        (:mod:`coop.games.public_signals`): every automaton reads it instead of the players' actions, its
        transitions indexed by signal. It replaces the report: ``detection`` and ``false_alarm`` must keep
        their defaults, and ``monitoring`` is ``"public"``.
    """

    stage: NormalFormGame
    delta: float | None
    cooperate: tuple[int, ...]
    defect: tuple[int, ...]
    noise: float = 0.0
    detection: float = 1.0
    false_alarm: float = 0.0
    horizon: int | None = None
    monitoring: str = "private"
    signals: SignalDistribution | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.stage, NormalFormGame):
            raise InputError("the stage game must be a NormalFormGame")
        peak = float(np.abs(self.stage.payoffs).max())
        if peak > MAX_PAYOFF:
            raise InputError(
                f"a repeated game needs stage payoffs of magnitude at most {MAX_PAYOFF:.0e} (discounted sums and "
                f"deviation gains of larger ones overflow), got {peak:.3g}; divide the payoffs by a common factor "
                "(no equilibrium, critical discount factor or ranking changes)"
            )
        n = self.stage.num_players
        coop = tuple(int(c) for c in self.cooperate)
        dfct = tuple(int(d) for d in self.defect)
        if len(coop) != n:
            raise InputError(f"a cooperative action is needed for each of the {n} players, got {len(coop)}")
        if len(dfct) != n:
            raise InputError(f"a defecting action is needed for each of the {n} players, got {len(dfct)}")
        for i in range(n):
            for label, k in (("cooperative", coop[i]), ("defecting", dfct[i])):
                if not 0 <= k < self.stage.num_actions[i]:
                    raise InputError(f"{label} action index {k} out of range for player {self.stage.players[i]!r}")
            if coop[i] == dfct[i]:
                raise InputError(f"player {self.stage.players[i]!r} has the same cooperative and defecting action")
        object.__setattr__(self, "delta", check_delta(self.delta))
        object.__setattr__(self, "cooperate", coop)
        object.__setattr__(self, "defect", dfct)
        object.__setattr__(self, "noise", probability(self.noise, "noise"))
        object.__setattr__(self, "detection", probability(self.detection, "detection"))
        object.__setattr__(self, "false_alarm", probability(self.false_alarm, "false_alarm"))
        object.__setattr__(self, "horizon", check_horizon(self.horizon))
        if self.monitoring not in MONITORING:
            raise InputError(f"monitoring must be one of {', '.join(MONITORING)}, got {self.monitoring!r}")
        if self.signals is not None:
            if not isinstance(self.signals, SignalDistribution):
                raise InputError(f"signals must be a SignalDistribution, got {type(self.signals).__name__}")
            if self.signals.table.shape[0] != self.stage.num_profiles:
                raise InputError(f"the signal table has {self.signals.table.shape[0]} rows, the stage game has "
                                 f"{self.stage.num_profiles} profiles")
            if self.detection != 1.0 or self.false_alarm != 0.0:
                raise InputError("a public signal replaces the inspector's report: write its detection and false "
                                 "alarm into the signal's probabilities instead of detection and false_alarm")
            object.__setattr__(self, "monitoring", "public")

    @classmethod
    def from_labels(
        cls,
        stage: NormalFormGame,
        delta: float | None,
        cooperate: Mapping[str, str],
        defect: Mapping[str, str],
        noise: float = 0.0,
        detection: float = 1.0,
        false_alarm: float = 0.0,
        horizon: int | None = None,
        monitoring: str = "private",
        signals: SignalDistribution | None = None,
    ) -> RepeatedGame:
        """Build from ``{player: action label}`` mappings that name every player."""
        idx = []
        for label, table in (("cooperative", cooperate), ("defecting", defect)):
            for p in table:
                stage.player_index(str(p))
            row = []
            for i, p in enumerate(stage.players):
                if p not in table:
                    raise InputError(f"no {label} action given for player {p!r}")
                row.append(stage.action_index(i, str(table[p])))
            idx.append(tuple(row))
        return cls(stage, delta, idx[0], idx[1], noise, detection, false_alarm, horizon, monitoring, signals)

    @property
    def num_players(self) -> int:
        return self.stage.num_players

    @property
    def public(self) -> bool:
        """Whether the automata read common information: perfect monitoring, a public report or public signals."""
        return self.signals is not None or self.monitoring == "public" or (
            self.detection == 1.0 and self.false_alarm == 0.0)

    @property
    def perfect(self) -> bool:
        """True with no implementation noise and perfect monitoring (no general signal)."""
        return self.noise == 0.0 and self.detection == 1.0 and self.false_alarm == 0.0 and self.signals is None

    @property
    def num_observations(self) -> int:
        """What an automaton's transitions are indexed by: the signals, or else the (observed) action profiles."""
        return self.stage.num_profiles if self.signals is None else self.signals.num_signals

    def with_delta(self, delta: float | None) -> RepeatedGame:
        """The same game with another discount factor."""
        return dataclasses.replace(self, delta=delta)

    def automaton(self, kind: str, player: int, **params: Any) -> Automaton:
        """A named automaton (a key of :data:`coop.games.automata.BUILDERS`) for ``player``."""
        if kind not in BUILDERS:
            raise InputError(f"unknown strategy {kind!r}; expected one of {sorted(BUILDERS)}")
        if self.signals is not None and kind not in UNREACTIVE and not self.signals.punish_on:
            raise InputError(
                f"the built-in strategy {kind} reacts to defections, which a public signal does not show: say "
                f"which signals count as one with punish_on (one or more of {', '.join(self.signals.names)}), "
                "or write an automaton on the signals")
        built = BUILDERS[kind](self.stage, player, self.cooperate, self.defect, **params)
        if self.signals is None:
            return built
        return on_signals(built, self.stage, player, self.cooperate, self.defect, self.signals.bad)

    def profile(self, kind: str, **params: Any) -> tuple[Automaton, ...]:
        """Every player using the same named automaton."""
        return tuple(self.automaton(kind, i, **params) for i in range(self.num_players))

    def check_profile(self, profile: Sequence[Automaton]) -> tuple[Automaton, ...]:
        """Raise :class:`InputError` unless ``profile`` has one fitting automaton per player."""
        profile = tuple(profile)
        if len(profile) != self.num_players:
            raise InputError(f"a profile needs {self.num_players} automata, got {len(profile)}")
        for i, a in enumerate(profile):
            if not isinstance(a, Automaton):
                raise InputError(f"strategy of player {self.stage.players[i]!r} is not an Automaton")
            a.check_for(self.stage, i, None if self.signals is None else self.signals.names)
        return profile

    def to_dict(self) -> dict[str, Any]:
        st = self.stage
        return {
            "delta": self.delta,
            "cooperate": {p: st.actions[i][self.cooperate[i]] for i, p in enumerate(st.players)},
            "defect": {p: st.actions[i][self.defect[i]] for i, p in enumerate(st.players)},
            "noise": self.noise,
            "detection": self.detection,
            "false_alarm": self.false_alarm,
            "horizon": self.horizon,
            "monitoring": self.monitoring,
            **({} if self.signals is None else {"signals": self.signals.to_dict()}),
        }


def pack_profile(profile: Sequence[Automaton]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Padded kernel arrays ``(n_states, actions, transitions, initial)`` of a profile of automata.

    ``actions`` is ``(N, S)`` and ``transitions`` ``(N, S, n_profiles, S)`` with
    ``S`` the largest number of states; padding is zero and never read.
    """
    n = len(profile)
    n_states = np.array([a.num_states for a in profile], dtype=np.int64)
    s = int(n_states.max())
    n_prof = profile[0].transitions.shape[1]
    acts = np.zeros((n, s), dtype=np.int64)
    trans = np.zeros((n, s, n_prof, s))
    for i, a in enumerate(profile):
        k = a.num_states
        acts[i, :k] = a.actions
        trans[i, :k, :, :k] = a.transitions
    initial = np.array([a.initial for a in profile], dtype=np.int64)
    return n_states, acts, trans, initial
