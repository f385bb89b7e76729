r"""Repeated-game strategies as finite Moore machines over the observed action profile.

An :class:`Automaton` is one player's strategy: a finite set of states, the
action the player takes in each state (the Moore output), an initial state and
a transition rule

.. math:: \Pr(s_{t+1} = s' \mid s_t = s,\ \hat a_t = a) = \tau[s, a, s'],

where :math:`\hat a_t` is the action profile the player *observed* in period
``t`` (its own action exactly, the others' through the monitoring channel of
:class:`coop.games.repeated.RepeatedGame`), written as a flat C-order index
over the stage game's profiles (the first player's action changes slowest).
Transitions may be mixed (generous tit-for-tat), so ``tau[s, a]`` is a
probability vector.

The builders take the stage game, the player and every player's cooperative
and defecting action indices. "Defected" always means *played a
non-cooperative action*: with more than two actions per player, every action
other than the cooperative one counts as a defection.

==========================  ==============================================================
builder                     rule
==========================  ==============================================================
``always_cooperate``        one state, plays C
``always_defect``           one state, plays D
``grim_trigger``            C until some player (itself included, as in the textbook
                            automaton of Mailath and Samuelson 2006, sec. 2.4) defects,
                            then D forever; ``trigger_on_own=False`` ignores own defections
``tit_for_tat``             C first; then D iff some *other* player defected last period
                            (with two players: copy the opponent)
``k_period_punishment``     C; after any defection play D for ``k`` periods (defections
                            during the punishment are ignored), then C again
``win_stay_lose_shift``     Pavlov (Nowak and Sigmund 1993): C first; if every other
                            player cooperated ("win") repeat the own action just
                            observed, otherwise switch C <-> D. An own action that is
                            neither C nor D counts as D.
``generous_tit_for_tat``    as tit-for-tat, but after a defection forgive (play C) with
                            probability ``generosity`` (Nowak and Sigmund 1992)
``grudger``                 Axelrod's Grudger: C until some *other* player is seen to
                            defect, then D forever (grim trigger with ``trigger_on_own=False``)
``tit_for_two_tats``        C unless some other player defected in each of the last two
                            periods (Axelrod's TitFor2Tats)
``two_tits_for_tat``        D for two periods after each observed defection of another
                            player (Axelrod's TwoTitsForTat)
``hard_tit_for_tat``        D if another player defected in any of the last three periods
                            (Axelrod's HardTitForTat)
``suspicious_tit_for_tat``  tit-for-tat that starts with D (Axelrod's SuspiciousTitForTat)
``alternator``              C first, then the opposite of its own last realised action
                            (Axelrod's Alternator)
``cycler``                  repeats ``cycle`` (default ``"CCD"``) whatever happens
                            (Axelrod's Cycler)
``random``                  C with probability ``p`` (default 1/2) each period, independently;
                            the state is the action (Axelrod's Random)
``custom``                  states, the action label of each state and a rule table
                            on observed profile labels (what scenario files use)
==========================  ==============================================================

Scenario mapping
----------------
A scenario's ``repeated.strategies`` entry will map onto these builders: a
builder name (``grim_trigger``, ``tit_for_tat``, ...) with its parameters
(``k``, ``generosity``) becomes ``BUILDERS[name](stage, player, cooperate,
defect, **params)``; a custom automaton (``states``, ``actions`` per state,
``transitions`` as a list of ``{when: {player: action}, to: state}`` rules per
state and a ``default`` target) becomes :func:`custom`, whose labels are
checked against the stage game so that a typo is one :class:`InputError` line.

The builders added for tournaments follow the Axelrod library's definitions
(Knight et al. 2016) of the strategies of the same names, with "the opponent"
read as "some other player" when there are more than two players.

References
----------
Mailath, G. J. and Samuelson, L. (2006). *Repeated Games and Reputations*. Oxford UP, ch. 2.
Nowak, M. and Sigmund, K. (1992). Tit for tat in heterogeneous populations. *Nature* 355, 250-253.
Axelrod, R. (1984). *The Evolution of Cooperation*. Basic Books.
Knight, V. et al. (2016). An open framework for the reproducible study of the iterated
prisoner's dilemma. *Journal of Open Research Software* 4(1), e35.
Nowak, M. and Sigmund, K. (1993). A strategy of win-stay, lose-shift that outperforms
tit-for-tat in the Prisoner's Dilemma game. *Nature* 364, 56-58.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.solvers.shared.budgets import MEMORY_BYTES, format_count, largest_within, over_budget

#: Row sums of a transition table may differ from 1 by at most this.
PROB_TOL = 1e-9

#: A transition target: a state name, or a mapping ``{state: probability}``.
Target = str | Mapping[str, float]


@dataclass(frozen=True, eq=False)
class Automaton:
    """One player's repeated-game strategy as a finite Moore machine.

    Parameters
    ----------
    name : str
        A label for reports (``"grim_trigger"``).
    state_names : tuple of str
        Unique state labels, ``n_states`` of them.
    actions : numpy.ndarray
        int64, shape ``(n_states,)``: the action index the player takes in each state.
    transitions : numpy.ndarray
        float64, shape ``(n_states, n_observations, n_states)``: the probability of the
        next state given the current state and the observation: the observed profile
        (flat C-order index over the stage game's profiles), or the public signal when the
        repeated game has one (:attr:`coop.games.repeated.RepeatedGame.signals`; the game
        says which). Rows sum to one.
    initial : int
        Index of the initial state.

    Both arrays are stored as read-only copies. The action indices are checked
    against a stage game by :meth:`check_for`.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> tft = tit_for_tat(pd, 0, cooperate=(0, 0), defect=(1, 1))
    >>> tft.state_names, tft.actions.tolist()
    (('C', 'D'), [0, 1])
    >>> tft.transitions[0, 1].tolist()  # observed (C, D): the opponent defected
    [0.0, 1.0]
    """

    name: str
    state_names: tuple[str, ...]
    actions: np.ndarray
    transitions: np.ndarray
    initial: int = 0

    def __post_init__(self) -> None:
        names = tuple(str(s) for s in self.state_names)
        n = len(names)
        if n == 0:
            raise InputError(f"automaton {self.name!r} needs at least one state")
        if len(set(names)) != n:
            raise InputError(f"state names of automaton {self.name!r} must be unique, got {list(names)}")
        actions = np.array(self.actions, dtype=np.int64).reshape(-1)
        if actions.shape != (n,):
            raise InputError(f"automaton {self.name!r} has {n} states but {actions.size} actions")
        if np.any(actions < 0):
            raise InputError(f"automaton {self.name!r} plays a negative action index")
        trans = np.array(self.transitions, dtype=np.float64, order="C")
        if trans.ndim != 3 or trans.shape[0] != n or trans.shape[2] != n or trans.shape[1] < 1:
            raise InputError(
                f"transitions of automaton {self.name!r} have shape {trans.shape}, "
                f"expected ({n}, n_profiles, {n})"
            )
        if not np.all(np.isfinite(trans)) or np.any(trans < 0.0) or np.any(trans > 1.0):
            raise InputError(f"transition probabilities of automaton {self.name!r} must lie in [0, 1]")
        sums = trans.sum(axis=2)
        if np.any(np.abs(sums - 1.0) > PROB_TOL):
            s, a = np.unravel_index(int(np.argmax(np.abs(sums - 1.0))), sums.shape)
            raise InputError(
                f"transition probabilities of automaton {self.name!r} from state {names[s]!r} "
                f"on profile {a} sum to {sums[s, a]:.12g}, expected 1"
            )
        initial = int(self.initial)
        if not 0 <= initial < n:
            raise InputError(f"initial state {initial} of automaton {self.name!r} is not one of its {n} states")
        actions.setflags(write=False)
        trans.setflags(write=False)
        object.__setattr__(self, "state_names", names)
        object.__setattr__(self, "actions", actions)
        object.__setattr__(self, "transitions", trans)
        object.__setattr__(self, "initial", initial)

    @property
    def num_states(self) -> int:
        return len(self.state_names)

    @property
    def is_deterministic(self) -> bool:
        """True when every transition goes to one state with probability one."""
        return bool(np.all((self.transitions == 0.0) | (self.transitions == 1.0)))

    def check_for(self, game: NormalFormGame, player: int, signals: Sequence[str] | None = None) -> None:
        """Raise :class:`InputError` unless this automaton fits ``player`` of ``game``.

        Its transitions are indexed by the observed profiles of ``game``, or by ``signals`` when a public
        signal is what the automata read.
        """
        what, count = ("profiles", game.num_profiles) if signals is None else ("public signals", len(signals))
        if self.transitions.shape[1] != count:
            raise InputError(
                f"automaton {self.name!r} has transitions for {self.transitions.shape[1]} {what}, "
                f"the repeated game has {count}"
            )
        bad = self.actions >= game.num_actions[player]
        if np.any(bad):
            raise InputError(
                f"automaton {self.name!r} plays action index {int(self.actions[bad][0])}, "
                f"player {game.players[player]!r} has {game.num_actions[player]} actions"
            )

    def to_dict(self, game: NormalFormGame | None = None, player: int | None = None) -> dict[str, Any]:
        """States, the action of each state (labels if ``game`` and ``player`` are given) and the initial state."""
        acts: list[Any] = [int(a) for a in self.actions]
        if game is not None and player is not None:
            acts = [game.actions[player][a] for a in acts]
        return {
            "name": self.name,
            "states": list(self.state_names),
            "actions": dict(zip(self.state_names, acts, strict=True)),
            "initial": self.state_names[self.initial],
        }


# ---------------------------------------------------------------------- helpers
def _check_roles(game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]) -> tuple[
    int, np.ndarray, np.ndarray
]:
    n = game.num_players
    player = int(player)
    if not 0 <= player < n:
        raise InputError(f"player index {player} out of range for a {n}-player game")
    coop = np.array([int(c) for c in cooperate], dtype=np.int64)
    dfct = np.array([int(d) for d in defect], dtype=np.int64)
    if coop.shape != (n,) or dfct.shape != (n,):
        raise InputError(f"cooperative and defecting actions are needed for all {n} players")
    for i in range(n):
        for label, k in (("cooperative", coop[i]), ("defecting", dfct[i])):
            if not 0 <= k < game.num_actions[i]:
                raise InputError(f"{label} action index {int(k)} out of range for player {game.players[i]!r}")
        if coop[i] == dfct[i]:
            raise InputError(f"player {game.players[i]!r} has the same cooperative and defecting action")
    return player, coop, dfct


def _profiles(game: NormalFormGame) -> np.ndarray:
    """All pure profiles as rows ``(n_profiles, N)`` in flat C order."""
    return np.array(np.unravel_index(np.arange(game.num_profiles), game.num_actions), dtype=np.int64).T


def _others_defected(game: NormalFormGame, player: int, coop: np.ndarray, include_self: bool) -> np.ndarray:
    """Boolean per flat profile: some player (other than ``player`` unless ``include_self``) did not cooperate."""
    rows = _profiles(game)
    mask = rows != coop[None, :]
    if not include_self:
        mask[:, player] = False
    return mask.any(axis=1)


def table_bytes(n_states: int, n_profiles: int) -> float:
    """Bytes of the dense transition table ``(n_states, n_profiles, n_states)`` of one automaton."""
    return 8.0 * float(n_states) ** 2 * float(n_profiles)


def check_table_size(n_states: int, n_profiles: int, name: str = "an automaton") -> None:
    """Raise :class:`InputError` before a transition table too large for :data:`MEMORY_BYTES` is allocated.

    >>> check_table_size(10**6, 4, "k_period_punishment")
    Traceback (most recent call last):
        ...
    coop.errors.InputError: the transition table of k_period_punishment (1,000,000 states, 4 observed profiles) \
needs about 2.98e+04 GiB; the limit is 2 GiB; remedy: an automaton with fewer states (at most about 8,192 in \
this stage game)
    """
    if table_bytes(n_states, n_profiles) <= MEMORY_BYTES:
        return
    most = largest_within(MEMORY_BYTES, lambda s: table_bytes(s, n_profiles))
    message = over_budget(
        f"the transition table of {name} ({format_count(n_states)} states, {format_count(n_profiles)} observed "
        "profiles)", table_bytes(n_states, n_profiles), MEMORY_BYTES,
        f"an automaton with fewer states (at most about {format_count(most)} in this stage game)")
    if message is not None:
        raise InputError(message)


def _table(n_states: int, n_profiles: int, name: str = "an automaton") -> np.ndarray:
    check_table_size(n_states, n_profiles, name)
    return np.zeros((n_states, n_profiles, n_states))


def _acts(actions: Sequence[int]) -> np.ndarray:
    """The action of each state, as :class:`Automaton` stores it."""
    return np.array(actions, dtype=np.int64)


# ---------------------------------------------------------------------- builders
def always_cooperate(game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]) -> Automaton:
    """Play the cooperative action in every period."""
    player, coop, _ = _check_roles(game, player, cooperate, defect)
    return Automaton("always_cooperate", ("C",), _acts([coop[player]]), np.ones((1, game.num_profiles, 1)))


def always_defect(game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]) -> Automaton:
    """Play the defecting action in every period."""
    player, _, dfct = _check_roles(game, player, cooperate, defect)
    return Automaton("always_defect", ("D",), _acts([dfct[player]]), np.ones((1, game.num_profiles, 1)))


def grim_trigger(
    game: NormalFormGame,
    player: int,
    cooperate: Sequence[int],
    defect: Sequence[int],
    trigger_on_own: bool = True,
) -> Automaton:
    """Cooperate until a defection is observed, then defect forever.

    With ``trigger_on_own=True`` (the default) the player's own defection also
    triggers the punishment, so under perfect monitoring all players share one
    state; this is the automaton that is subgame perfect in the prisoner's
    dilemma iff :math:`\\delta \\ge (T-R)/(T-P)`. With ``False`` only the others'
    defections count (then a player who deviated alone keeps cooperating
    while being punished, which is not subgame perfect).
    """
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    bad = _others_defected(game, player, coop, include_self=trigger_on_own)
    t = _table(2, game.num_profiles)
    t[0, ~bad, 0] = 1.0
    t[0, bad, 1] = 1.0
    t[1, :, 1] = 1.0
    return Automaton("grim_trigger", ("cooperate", "punish"), _acts([coop[player], dfct[player]]), t)


def tit_for_tat(game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]) -> Automaton:
    """Cooperate first; then defect next period iff some other player defected this period."""
    return generous_tit_for_tat(game, player, cooperate, defect, generosity=0.0, name="tit_for_tat")


def generous_tit_for_tat(
    game: NormalFormGame,
    player: int,
    cooperate: Sequence[int],
    defect: Sequence[int],
    generosity: float = 1.0 / 3.0,
    name: str = "generous_tit_for_tat",
) -> Automaton:
    """Tit-for-tat that forgives an observed defection with probability ``generosity``.

    After a period in which every other player cooperated, play C; otherwise
    play D with probability ``1 - generosity`` and C with probability
    ``generosity``. Nowak and Sigmund (1992) propose ``min(1 - (T-R)/(R-S), (R-P)/(T-P))``.
    """
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    g = float(generosity)
    if not 0.0 <= g <= 1.0:
        raise InputError(f"generosity must lie in [0, 1], got {generosity}")
    bad = _others_defected(game, player, coop, include_self=False)
    t = _table(2, game.num_profiles)
    t[:, ~bad, 0] = 1.0
    t[:, bad, 0] = g
    t[:, bad, 1] = 1.0 - g
    return Automaton(name, ("C", "D"), _acts([coop[player], dfct[player]]), t)


def k_period_punishment(
    game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int], k: int = 1
) -> Automaton:
    """Cooperate; after any defection (own included) defect for ``k`` periods, then cooperate again.

    Defections during the punishment phase do not restart it (in the
    prisoner's dilemma D is a stage best response there anyway). In the
    prisoner's dilemma the profile is subgame perfect iff
    :math:`T - R \\le (R - P)(\\delta + \\dots + \\delta^k)`.
    """
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    k = int(k)
    if k < 1:
        raise InputError(f"the punishment length k must be at least 1, got {k}")
    t = _table(k + 1, game.num_profiles, f"k_period_punishment with k = {k}")
    bad = _others_defected(game, player, coop, include_self=True)
    t[0, ~bad, 0] = 1.0
    t[0, bad, 1] = 1.0
    for j in range(1, k + 1):
        t[j, :, (j + 1) % (k + 1)] = 1.0
    names = ("cooperate",) + tuple(f"punish{j}" for j in range(1, k + 1))
    return Automaton(f"punish_{k}", names, _acts([coop[player]] + [dfct[player]] * k), t)


def win_stay_lose_shift(
    game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]
) -> Automaton:
    """Pavlov: repeat the own action after a good period (every other player cooperated), else switch.

    The state is the action to play (C or D). After observing a profile, the
    own observed action counts as C if it is the cooperative action and as D
    otherwise; the next state is that action if all others cooperated, the
    other one if not. In the 2-player prisoner's dilemma this is subgame
    perfect iff :math:`\\delta \\ge (T-R)/(R-P)`.
    """
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    rows = _profiles(game)
    bad = _others_defected(game, player, coop, include_self=False)
    own_c = rows[:, player] == coop[player]
    stay_c = own_c != bad  # (own C and win) or (own D and lose) -> C next
    t = _table(2, game.num_profiles)
    t[:, stay_c, 0] = 1.0
    t[:, ~stay_c, 1] = 1.0
    return Automaton("win_stay_lose_shift", ("C", "D"), _acts([coop[player], dfct[player]]), t)


def custom(
    game: NormalFormGame,
    player: int,
    states: Sequence[str],
    actions: Mapping[str, str],
    rules: Mapping[str, Sequence[tuple[Mapping[str, str | Sequence[str]], Target]]] | None = None,
    default: Mapping[str, Target] | None = None,
    initial: str | None = None,
    name: str = "custom",
    signals: Sequence[str] | None = None,
) -> Automaton:
    """An automaton written by hand, by labels (what scenario files use).

    Parameters
    ----------
    game : NormalFormGame
        The stage game (labels are checked against it).
    player : int
        The player who uses the automaton.
    states : sequence of str
        State names; the first is the initial state unless ``initial`` is given.
    actions : mapping
        ``{state: action label of player}`` for every state.
    rules : mapping, optional
        ``{state: [(when, target), ...]}``. ``when`` maps player names to an
        observed action label (or a list of labels); players left out match any
        action. The first rule whose ``when`` matches the observed profile
        applies. ``target`` is a state name or ``{state: probability}``.
    default : mapping, optional
        ``{state: target}`` used when no rule of that state matches; a state
        without a default stays where it is.
    initial : str, optional
        The initial state (default: the first).
    name : str
        Label for reports.
    signals : sequence of str, optional
        The names of a public signal that the automaton reads instead of the observed profile: then
        each ``when`` is ``{"signal": name or list of names}`` and the transitions are indexed by signal.

    Examples
    --------
    Grim trigger for the row player of a prisoner's dilemma, by hand:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, ("US", "China"), (("C", "D"), ("C", "D")))
    >>> a = custom(pd, 0, ["coop", "punish"], {"coop": "C", "punish": "D"},
    ...            rules={"coop": [({"China": "D"}, "punish"), ({"US": "D"}, "punish")]},
    ...            default={"punish": "punish"})
    >>> a.transitions[0].argmax(axis=1).tolist()  # next state on (C,C), (C,D), (D,C), (D,D)
    [0, 1, 1, 1]

    The same on a public signal (good, bad):

    >>> b = custom(pd, 0, ["coop", "punish"], {"coop": "C", "punish": "D"},
    ...            rules={"coop": [({"signal": "bad"}, "punish")]}, signals=("good", "bad"))
    >>> b.transitions[:, :, 1].tolist()  # probability of punish next, per state and signal
    [[0.0, 1.0], [1.0, 1.0]]
    """
    n = game.num_players
    player = int(player)
    if not 0 <= player < n:
        raise InputError(f"player index {player} out of range for a {n}-player game")
    states = tuple(str(s) for s in states)
    if not states:
        raise InputError(f"automaton {name!r} needs at least one state")
    if len(set(states)) != len(states):
        raise InputError(f"state names of automaton {name!r} must be unique, got {list(states)}")
    index = {s: k for k, s in enumerate(states)}

    def state_of(s: Any, where: str) -> int:
        if not isinstance(s, str) or s not in index:
            raise InputError(f"unknown state {s!r} in {where} of automaton {name!r}; expected one of {list(states)}")
        return index[s]

    def target_vector(target: Target, where: str) -> np.ndarray:
        vec = np.zeros(len(states))
        if isinstance(target, str):
            vec[state_of(target, where)] = 1.0
            return vec
        if not isinstance(target, Mapping) or not target:
            raise InputError(f"a transition target in {where} of automaton {name!r} must be a state or {{state: p}}")
        for s, p in target.items():
            try:
                p = float(p)
            except (TypeError, ValueError):
                raise InputError(f"probability {p!r} in {where} of automaton {name!r} is not a number") from None
            if not 0.0 <= p <= 1.0:
                raise InputError(f"probability {p} in {where} of automaton {name!r} is outside [0, 1]")
            vec[state_of(s, where)] += p
        if abs(vec.sum() - 1.0) > PROB_TOL:
            raise InputError(f"probabilities in {where} of automaton {name!r} sum to {vec.sum():.12g}, expected 1")
        return vec

    acts = []
    for s in states:
        if s not in actions:
            raise InputError(f"state {s!r} of automaton {name!r} has no action")
        acts.append(game.action_index(player, str(actions[s])))
    for s in actions:
        state_of(s, "actions")
    n_obs = game.num_profiles if signals is None else len(signals)
    t = _table(len(states), n_obs, f"automaton {name!r}")
    rows = _profiles(game) if signals is None else np.arange(n_obs)[:, None]
    rules = rules or {}
    default = default or {}
    for s in list(rules) + list(default):
        state_of(s, "transitions")
    for k, s in enumerate(states):
        assigned = np.zeros(n_obs, dtype=bool)
        for r, (when, target) in enumerate(rules.get(s, ())):
            where = f"transitions.{s}[{r}]"
            if not isinstance(when, Mapping):
                raise InputError(f"the condition of {where} in automaton {name!r} must map players to actions")
            match = np.ones(n_obs, dtype=bool)
            for pname, labels in when.items():
                labels = [labels] if isinstance(labels, str) else list(labels)
                if signals is not None:
                    if pname != "signal":
                        raise InputError(f"the condition of {where} in automaton {name!r} reads the public signal "
                                         f"({{signal: name}}), not {pname!r}: actions are not observed")
                    unknown = [lab for lab in labels if lab not in signals]
                    if unknown:
                        raise InputError(f"unknown signal {unknown[0]!r} in {where} of automaton {name!r}; "
                                         f"the signals are {list(signals)}")
                    match &= np.isin(rows[:, 0], [list(signals).index(lab) for lab in labels])
                    continue
                j = game.player_index(str(pname))
                allowed = [game.action_index(j, str(lab)) for lab in labels]
                match &= np.isin(rows[:, j], allowed)
            match &= ~assigned
            t[k, match] = target_vector(target, where)
            assigned |= match
        t[k, ~assigned] = target_vector(default.get(s, s), f"default.{s}")
    start = state_of(initial, "initial") if initial is not None else 0
    return Automaton(name, states, _acts(acts), t, start)


#: The named builders, as a scenario refers to them.
BUILDERS: dict[str, Callable[..., Automaton]] = {
    "always_cooperate": always_cooperate,
    "always_defect": always_defect,
    "grim_trigger": grim_trigger,
    "tit_for_tat": tit_for_tat,
    "k_period_punishment": k_period_punishment,
    "win_stay_lose_shift": win_stay_lose_shift,
    "generous_tit_for_tat": generous_tit_for_tat,
}


# ---------------------------------------------------------------------- classic tournament strategies
def grudger(game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]) -> Automaton:
    """Axelrod's Grudger: cooperate until another player is seen to defect, then defect forever.

    This is :func:`grim_trigger` with ``trigger_on_own=False``: under noise the
    player's own flipped defections do not start the punishment, as in the
    Axelrod library, whose Grudger looks at the opponent's history only.
    Without noise and with perfect monitoring it plays like ``grim_trigger``.
    """
    a = grim_trigger(game, player, cooperate, defect, trigger_on_own=False)
    return Automaton("grudger", a.state_names, a.actions, a.transitions, a.initial)


def _after_defections(
    game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int], streak: int, name: str
) -> Automaton:
    """C until some other player defected in each of the last ``streak`` periods, then D (one state per streak)."""
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    bad = _others_defected(game, player, coop, include_self=False)
    t = _table(streak + 1, game.num_profiles)
    for s in range(streak + 1):
        t[s, ~bad, 0] = 1.0
        t[s, bad, min(s + 1, streak)] = 1.0
    names = ("calm",) + tuple(f"seen{j}" for j in range(1, streak)) + ("punish",)
    return Automaton(name, names, _acts([coop[player]] * streak + [dfct[player]]), t)


def _recent_defection(
    game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int], memory: int, name: str
) -> Automaton:
    """D iff some other player defected in any of the last ``memory`` periods (state: periods since then)."""
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    bad = _others_defected(game, player, coop, include_self=False)
    t = _table(memory + 1, game.num_profiles)
    t[0, ~bad, 0] = 1.0
    for s in range(1, memory + 1):
        t[s, ~bad, (s + 1) % (memory + 1)] = 1.0
    t[:, bad, 1] = 1.0
    names = ("calm",) + tuple(f"punish{j}" for j in range(1, memory + 1))
    return Automaton(name, names, _acts([coop[player]] + [dfct[player]] * memory), t)


def tit_for_two_tats(game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]) -> Automaton:
    """Axelrod's TitFor2Tats (Maynard Smith): defect iff another player defected in both of the last two periods.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> a = tit_for_two_tats(pd, 0, cooperate=(0, 0), defect=(1, 1))
    >>> a.state_names, a.actions.tolist()
    (('calm', 'seen1', 'punish'), [0, 0, 1])
    """
    return _after_defections(game, player, cooperate, defect, 2, "tit_for_two_tats")


def two_tits_for_tat(game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]) -> Automaton:
    """Axelrod's TwoTitsForTat: defect iff another player defected in one of the last two periods."""
    return _recent_defection(game, player, cooperate, defect, 2, "two_tits_for_tat")


def hard_tit_for_tat(game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]) -> Automaton:
    """Axelrod's HardTitForTat: defect iff another player defected in one of the last three periods."""
    return _recent_defection(game, player, cooperate, defect, 3, "hard_tit_for_tat")


def suspicious_tit_for_tat(
    game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]
) -> Automaton:
    """Tit-for-tat that defects in the first period (Axelrod's SuspiciousTitForTat)."""
    a = tit_for_tat(game, player, cooperate, defect)
    return Automaton("suspicious_tit_for_tat", a.state_names, a.actions, a.transitions, initial=1)


def alternator(game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int]) -> Automaton:
    """Axelrod's Alternator: C first, then D after an own (realised) C and C after anything else.

    The rule reads the player's own realised action, so after a noisy flip the
    alternation restarts from the flipped action, as in the Axelrod library.
    """
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    own_c = _profiles(game)[:, player] == coop[player]
    t = _table(2, game.num_profiles)
    t[:, own_c, 1] = 1.0
    t[:, ~own_c, 0] = 1.0
    return Automaton("alternator", ("C", "D"), _acts([coop[player], dfct[player]]), t)


def cycler(
    game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int], cycle: str = "CCD"
) -> Automaton:
    """Axelrod's Cycler: play the letters of ``cycle`` (``C`` or ``D``) in turn, whatever happens.

    The position in the cycle advances every period (under noise too, as the
    Axelrod library's cycle iterator does).
    """
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    cycle = str(cycle).upper()
    if not cycle or set(cycle) - {"C", "D"}:
        raise InputError(f"a cycle must be a non-empty string of C and D, got {cycle!r}")
    n = len(cycle)
    t = _table(n, game.num_profiles, f"cycler {cycle!r}")
    for s in range(n):
        t[s, :, (s + 1) % n] = 1.0
    names = tuple(f"{j}{c}" for j, c in enumerate(cycle))
    acts = [coop[player] if c == "C" else dfct[player] for c in cycle]
    return Automaton(f"cycler_{cycle.lower()}", names, _acts(acts), t)


def random(
    game: NormalFormGame, player: int, cooperate: Sequence[int], defect: Sequence[int], p: float = 0.5
) -> Automaton:
    """Axelrod's Random: cooperate with probability ``p`` each period, independently of the past.

    The state is the action; every transition goes to C with probability ``p``
    and to D otherwise. A Moore machine starts in a fixed state (here C), so the
    first period is C in :mod:`coop.solvers.repeated.payoffs`;
    :func:`coop.solvers.repeated.tournament.round_robin` draws the first state from
    ``(p, 1 - p)`` as well, as the Axelrod library does (the automaton is
    memoryless, see :func:`coop.solvers.repeated.tournament.initial_distribution`).
    """
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    try:
        q = float(p)
    except (TypeError, ValueError):
        raise InputError(f"the cooperation probability p must be a number in [0, 1], got {p!r}") from None
    if not 0.0 <= q <= 1.0:
        raise InputError(f"the cooperation probability p must lie in [0, 1], got {p!r}")
    t = _table(2, game.num_profiles)
    t[:, :, 0] = q
    t[:, :, 1] = 1.0 - q
    return Automaton("random", ("C", "D"), _acts([coop[player], dfct[player]]), t)


BUILDERS.update(
    {
        "grudger": grudger,
        "tit_for_two_tats": tit_for_two_tats,
        "two_tits_for_tat": two_tits_for_tat,
        "hard_tit_for_tat": hard_tit_for_tat,
        "suspicious_tit_for_tat": suspicious_tit_for_tat,
        "alternator": alternator,
        "cycler": cycler,
        "random": random,
    }
)


#: The built-in strategies whose moves do not depend on the others' observed actions (nor, on a public signal,
#: on the signal): they need no ``punish_on`` when the automata read a public signal.
UNREACTIVE = ("always_cooperate", "always_defect", "alternator", "cycler", "random")


def on_signals(automaton: Automaton, game: NormalFormGame, player: int, cooperate: Sequence[int],
               defect: Sequence[int], bad: np.ndarray) -> Automaton:
    """A built-in automaton over observed profiles read over a public signal instead.

    In state ``s`` on signal ``y`` the automaton moves as it did on the profile where its owner played the
    action of ``s`` and every other player cooperated (``y`` good) or defected (``y`` one of the signals in
    ``bad``): "a bad signal" takes the place of "some player defected". The owner's own action is its
    state's (a public strategy cannot read a private realised action), so Pavlov switches after a bad
    signal and stays after a good one, and the trigger strategies punish exactly on bad signals
    (Mailath and Samuelson 2006, sec. 7.2).

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, actions=(("C", "D"), ("C", "D")))
    >>> wsls = win_stay_lose_shift(pd, 0, (0, 0), (1, 1))
    >>> lifted = on_signals(wsls, pd, 0, (0, 0), (1, 1), np.array([False, True]))  # signals good, bad
    >>> lifted.transitions.argmax(axis=2).tolist()  # per state (C, D), the next state on good and bad
    [[0, 1], [1, 0]]
    """
    player, coop, dfct = _check_roles(game, player, cooperate, defect)
    bad = np.asarray(bad, dtype=bool)
    strides = np.array([int(np.prod(game.num_actions[i + 1:])) for i in range(game.num_players)], dtype=np.int64)
    others_c = int((coop * strides).sum() - coop[player] * strides[player])
    others_d = int((dfct * strides).sum() - dfct[player] * strides[player])
    n = automaton.num_states
    check_table_size(n, bad.size, f"automaton {automaton.name!r}")
    t = np.zeros((n, bad.size, n))
    for s in range(n):
        own = int(automaton.actions[s]) * int(strides[player])
        t[s, ~bad] = automaton.transitions[s, others_c + own]
        t[s, bad] = automaton.transitions[s, others_d + own]
    return Automaton(automaton.name, automaton.state_names, automaton.actions, t, automaton.initial)


#: Number of states of the built-in automata whose size does not depend on a parameter.
_FIXED_SIZES: dict[str, int] = {
    "always_cooperate": 1, "always_defect": 1, "grim_trigger": 2, "tit_for_tat": 2, "win_stay_lose_shift": 2,
    "generous_tit_for_tat": 2, "grudger": 2, "tit_for_two_tats": 3, "two_tits_for_tat": 3, "hard_tit_for_tat": 4,
    "suspicious_tit_for_tat": 2, "alternator": 2, "random": 2,
}


def automaton_size(kind: str, **params: Any) -> int:
    """Number of states the built-in automaton ``kind`` has with ``params``, without building it.

    What a scenario's sizes are checked with before any transition table is allocated.

    Examples
    --------
    >>> automaton_size("grim_trigger"), automaton_size("k_period_punishment", k=3), automaton_size("cycler")
    (2, 4, 3)
    """
    if kind == "k_period_punishment":
        return int(params.get("k", 1)) + 1
    if kind == "cycler":
        return len(str(params.get("cycle", "CCD")))
    if kind not in _FIXED_SIZES:
        raise InputError(f"unknown strategy {kind!r}; expected one of {sorted(BUILDERS)}")
    return _FIXED_SIZES[kind]
