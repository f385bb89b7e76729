r"""Public signals of a repeated game: what every automaton reads when monitoring is public.

With *public monitoring* (Fudenberg, Levine and Maskin 1994; Mailath and
Samuelson 2006, ch. 7) the players do not see each other's actions; after
each period they all see one public signal :math:`y \in Y`, drawn from a
distribution :math:`\rho(y \mid b)` that depends on the *realised* action
profile :math:`b`. Strategies that condition on the public history only
(public strategies) keep a common-knowledge joint state, and a profile of
them that passes the one-shot deviation test at every public history is a
*perfect public equilibrium* (PPE).

Three signal structures share this representation:

* **general signals** (a scenario's ``repeated.signals``): a table
  :math:`\rho(y \mid b)` of shape ``(n_profiles, n_signals)``, written as
  formulas of the action indicators (:class:`SignalDistribution`);
* **an inspector's public report** (``monitoring: public``): the signal is a
  reported action profile :math:`o`; each player's cooperative action is
  reported as its defecting one with probability :math:`r` (false alarm), any
  other action as it is with probability :math:`q` (detection) and as the
  cooperative one otherwise, independently across players:
  :math:`\rho(o \mid b) = \prod_i \rho_i(o_i \mid b_i)`;
* **perfect monitoring**: the signal is the realised profile (the identity
  table, the report with :math:`q = 1`, :math:`r = 0`).

Implementation noise :math:`\varepsilon` acts on actions before the signal is
drawn: an intended cooperative (defecting) action is played as the defecting
(cooperative) one with probability :math:`\varepsilon`, independently, so the
signal distribution given an *intended* profile :math:`a` is
:math:`\sum_b \Pr(b \mid a)\, \rho(y \mid b)`, and so is the expected stage
payoff :math:`\sum_b \Pr(b \mid a)\, u(b)`.

:func:`signal_table` gives :math:`\rho(\cdot \mid b)` as a sparse row table
(what the one-shot deviation kernels read); :func:`public_signal_structure`
gives the dense distributions given intended profiles, with the expected
payoffs (what a payoff-set algorithm for public monitoring reads).

Scenario mapping
----------------
``repeated.signals`` (``{name: formula}``, at most one ``rest``) and
``repeated.punish_on`` (the signals that count as "a defection was observed"
for the built-in strategies) become a :class:`SignalDistribution` on the
:class:`~coop.games.repeated.RepeatedGame`.

References
----------
Fudenberg, D., Levine, D. and Maskin, E. (1994). The folk theorem with imperfect public information.
*Econometrica* 62(5), 997-1039.
Green, E. J. and Porter, R. H. (1984). Noncooperative collusion under imperfect price information.
*Econometrica* 52(1), 87-100.
Mailath, G. J. and Samuelson, L. (2006). *Repeated Games and Reputations*. Oxford UP, ch. 7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from coop.errors import InputError
from coop.solvers.shared.budgets import MEMORY_BYTES, check_budget

if TYPE_CHECKING:
    from coop.games.normal_form import NormalFormGame
    from coop.games.repeated import RepeatedGame

#: Signal probabilities may leave [0, 1], and their sums 1, by at most this before they are refused.
SIGNAL_TOL = 1e-12


@dataclass(frozen=True, eq=False)
class SignalDistribution:
    """A public signal whose distribution depends on the realised action profile.

    Parameters
    ----------
    names : tuple of str
        The signals' names (unique), ``n_signals`` of them.
    table : numpy.ndarray
        float64, ``(n_profiles, n_signals)``: :math:`\\rho(y \\mid b)` for every realised flat profile ``b``
        (C order over the players' actions). Entries within :data:`SIGNAL_TOL` of ``[0, 1]`` and rows
        summing to one within it are clipped and renormalised; anything further off is an
        :class:`InputError` naming the signal and the profile's index.
    punish_on : tuple of str
        The signals on which the built-in strategies react as they do to an observed defection (empty:
        only custom automata and strategies that do not react may be used).

    Examples
    --------
    >>> import numpy as np
    >>> sig = SignalDistribution(("good", "bad"), np.array([[0.9, 0.1], [0.6, 0.4], [0.6, 0.4], [0.3, 0.7]]),
    ...                          punish_on=("bad",))
    >>> sig.index("bad"), sig.bad.tolist()
    (1, [False, True])
    """

    names: tuple[str, ...]
    table: np.ndarray
    punish_on: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = tuple(str(s) for s in self.names)
        if not names:
            raise InputError("a public signal needs at least one value")
        if len(set(names)) != len(names):
            raise InputError(f"signal names must be unique, got {list(names)}")
        try:
            table = np.array(self.table, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError("signal probabilities must be numbers") from None
        if table.ndim != 2 or table.shape[1] != len(names) or table.shape[0] < 1:
            raise InputError(f"signal probabilities have shape {table.shape}, expected (n_profiles, {len(names)})")
        table = checked_probabilities(table, names)
        table.setflags(write=False)
        punish = tuple(str(s) for s in self.punish_on)
        for s in punish:
            if s not in names:
                raise InputError(f"punish_on names the unknown signal {s!r}; the signals are {list(names)}")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "punish_on", punish)

    @property
    def num_signals(self) -> int:
        return len(self.names)

    @property
    def bad(self) -> np.ndarray:
        """Boolean per signal: it is one of ``punish_on``."""
        return np.array([s in self.punish_on for s in self.names], dtype=bool)

    def index(self, name: str) -> int:
        """The position of the signal ``name``."""
        if name not in self.names:
            raise InputError(f"unknown signal {name!r}; the signals are {list(self.names)}")
        return self.names.index(name)

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "punish_on": list(self.punish_on)}


def checked_probabilities(table: np.ndarray, names: Sequence[str],
                          profile_label: Any = None) -> np.ndarray:
    """``table`` ``(n_profiles, n_signals)`` clipped to ``[0, 1]`` and renormalised, after checking it.

    Every entry must lie in ``[0, 1]`` and every row sum to one within :data:`SIGNAL_TOL`;
    otherwise one :class:`InputError` names the first offending signal and profile
    (``profile_label(f)`` renders a flat profile, default its index).
    """
    label = profile_label or (lambda f: f"profile {f}")
    bad = ~np.isfinite(table) | (table < -SIGNAL_TOL) | (table > 1.0 + SIGNAL_TOL)
    if bad.any():
        f, k = (int(x) for x in np.argwhere(bad)[0])
        raise InputError(f"the probability of signal {names[k]!r} at {label(f)} is {table[f, k]:.12g}, "
                         "outside [0, 1]")
    table = np.clip(table, 0.0, 1.0)
    sums = table.sum(axis=1)
    off = np.abs(sums - 1.0) > SIGNAL_TOL
    if off.any():
        f = int(np.flatnonzero(off)[0])
        raise InputError(f"the signal probabilities at {label(f)} sum to {sums[f]:.12g}, expected 1 "
                         f"({', '.join(f'{n} {p:.6g}' for n, p in zip(names, table[f], strict=True))})")
    out: np.ndarray = np.ascontiguousarray(table / sums[:, None])
    return out


@dataclass(frozen=True, eq=False)
class SignalTable:
    """The public signal given each realised profile, as sparse rows (what the kernels read).

    Attributes
    ----------
    names : tuple of str
        The signals' names.
    ptr : numpy.ndarray
        int64 ``(n_profiles + 1,)``: the entries of realised profile ``b`` are ``ptr[b]:ptr[b + 1]``.
    signal : numpy.ndarray
        int64 ``(nnz,)``: the signal of each entry.
    prob : numpy.ndarray
        float64 ``(nnz,)``: its probability (positive).
    """

    names: tuple[str, ...]
    ptr: np.ndarray
    signal: np.ndarray
    prob: np.ndarray

    @property
    def num_signals(self) -> int:
        return len(self.names)

    def possible(self) -> np.ndarray:
        """Boolean per signal: it has a positive probability at some realised profile."""
        out = np.zeros(self.num_signals, dtype=bool)
        out[self.signal] = True
        return out

    def dense(self) -> np.ndarray:
        """The table ``(n_profiles, n_signals)``."""
        n_prof = self.ptr.shape[0] - 1
        out = np.zeros((n_prof, self.num_signals))
        rows = np.repeat(np.arange(n_prof), np.diff(self.ptr))
        np.add.at(out, (rows, self.signal), self.prob)
        return out


def _per_player_csr(shape: Sequence[int], stay: Sequence[np.ndarray], other: Sequence[np.ndarray]
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse rows of a product of independent per-player channels.

    For player ``i`` and action ``a``, the channel keeps ``a`` with probability ``stay[i][a]`` and turns it
    into ``other[i][a]`` otherwise. Returns ``(ptr, column, prob)`` over flat profiles (C order), zero
    probabilities dropped.
    """
    n_prof = int(np.prod(shape))
    rows = np.array(np.unravel_index(np.arange(n_prof), tuple(shape)), dtype=np.int64).T  # (n_prof, N)
    strides = np.array([int(np.prod(shape[i + 1:])) for i in range(len(shape))], dtype=np.int64)
    cols = (rows * strides[None, :]).sum(axis=1)[:, None]
    probs = np.ones((n_prof, 1))
    for i in range(len(shape)):
        a = rows[:, i]
        keep = np.asarray(stay[i], dtype=float)[a]
        alt = np.asarray(other[i], dtype=np.int64)[a]
        if np.all(keep == 1.0):
            continue
        shift = ((alt - a) * strides[i])[:, None]
        cols = np.concatenate([cols, cols + shift], axis=1)
        probs = np.concatenate([probs * keep[:, None], probs * (1.0 - keep)[:, None]], axis=1)
    mask = probs > 0.0
    ptr = np.zeros(n_prof + 1, dtype=np.int64)
    np.cumsum(mask.sum(axis=1), out=ptr[1:])
    return ptr, np.ascontiguousarray(cols[mask], dtype=np.int64), np.ascontiguousarray(probs[mask])


def _channel(stage: NormalFormGame, cooperate: Sequence[int], defect: Sequence[int], keep: tuple[float, float, float]
             ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per player: the probability that each action is kept, and what it turns into otherwise; ``keep`` is
    ``(cooperative, defecting, any other)``. A cooperative action turns into the defecting one, any other into
    the cooperative one."""
    stay, other = [], []
    for i, m in enumerate(stage.num_actions):
        s = np.full(m, keep[2])
        s[defect[i]] = keep[1]
        s[cooperate[i]] = keep[0]
        o = np.full(m, cooperate[i], dtype=np.int64)
        o[cooperate[i]] = defect[i]
        stay.append(s)
        other.append(o)
    return stay, other


def profile_names(stage: NormalFormGame) -> tuple[str, ...]:
    """Every flat profile as ``"US:race,China:restrain"`` (C order)."""
    rows = np.array(np.unravel_index(np.arange(stage.num_profiles), stage.num_actions)).T
    return tuple(",".join(f"{p}:{stage.actions[i][k]}" for i, (p, k) in enumerate(zip(stage.players, row,
                                                                                       strict=True)))
                 for row in rows)


def signal_table(game: RepeatedGame) -> SignalTable:
    """The public signal of ``game`` given each *realised* profile, as sparse rows.

    General signals give their table; an inspector's public report (or perfect
    monitoring) gives the reported profile, a product of per-player channels
    with detection :math:`q` and false alarm :math:`r` (at most :math:`2^N`
    reports per realised profile). Private channels with errors have no public
    signal: :class:`InputError`.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, ("US", "China"), (("C", "D"), ("C", "D")))
    >>> g = RepeatedGame(pd, 0.9, (0, 0), (1, 1), detection=0.8, monitoring="public")
    >>> t = signal_table(g)
    >>> t.names[1], t.dense()[3].round(2).tolist()  # (D, D) is reported as each profile
    ('US:C,China:D', [0.04, 0.16, 0.16, 0.64])
    """
    if game.signals is not None:
        sig = game.signals
        mask = sig.table > 0.0
        ptr = np.zeros(sig.table.shape[0] + 1, dtype=np.int64)
        np.cumsum(mask.sum(axis=1), out=ptr[1:])
        cols = np.broadcast_to(np.arange(sig.num_signals), sig.table.shape)[mask]
        return SignalTable(sig.names, ptr, np.ascontiguousarray(cols, dtype=np.int64),
                           np.ascontiguousarray(sig.table[mask]))
    if not game.public:
        raise InputError(
            f"private monitoring (detection {game.detection:g}, false alarm {game.false_alarm:g} through each "
            "player's own channel) has no public signal; use monitoring: public (an inspector's report) or signals")
    stay, other = _channel(game.stage, game.cooperate, game.defect, (1.0 - game.false_alarm, game.detection,
                                                                      game.detection))
    ptr, cols, probs = _per_player_csr(game.stage.num_actions, stay, other)
    return SignalTable(profile_names(game.stage), ptr, cols, probs)


def noise_table(game: RepeatedGame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The realised profiles of each *intended* profile under implementation noise, as sparse rows
    ``(ptr, realised, prob)`` (at most :math:`2^N` per intended profile)."""
    eps = game.noise
    stay, other = _channel(game.stage, game.cooperate, game.defect, (1.0 - eps, 1.0 - eps, 1.0))
    return _per_player_csr(game.stage.num_actions, stay, other)


@dataclass(frozen=True, eq=False)
class PublicSignals:
    """The public signal structure of a repeated game, per *intended* action profile.

    Attributes
    ----------
    names : tuple of str
        The signals' names (for an inspector's report and perfect monitoring, the reported profiles,
        ``"US:race,China:restrain"``, in flat C order).
    expected_payoffs : numpy.ndarray
        float64 ``(N, n_profiles)``: each player's stage payoff expected over implementation noise,
        for every intended flat profile (C order over the players' actions).
    probabilities : numpy.ndarray
        float64 ``(n_profiles, n_signals)``: the signal's distribution given each intended profile,
        noise included; rows sum to one.
    """

    names: tuple[str, ...]
    expected_payoffs: np.ndarray
    probabilities: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "expected_payoffs": self.expected_payoffs.tolist(),
                "probabilities": self.probabilities.tolist()}


def public_signal_structure(game: RepeatedGame) -> PublicSignals:
    r"""The signal distribution and expected stage payoffs given each intended action profile.

    .. math:: \Pr(y \mid a) = \sum_b \Pr(b \mid a)\, \rho(y \mid b), \qquad
              \bar u_i(a) = \sum_b \Pr(b \mid a)\, u_i(b),

    with :math:`\Pr(b \mid a)` the implementation noise and :math:`\rho` the
    public signal given the realised profile (:func:`signal_table`). The input
    of the self-generation operator of Abreu, Pearce and Stacchetti (1990) for
    perfect public equilibria.

    Raises
    ------
    InputError
        For private monitoring with errors (no public signal), or a table larger than the memory limit.

    Examples
    --------
    Green and Porter's bad signal: probability 0.1 when both cooperate, 0.4
    when one defects, 0.7 when both do:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, ("US", "China"), (("C", "D"), ("C", "D")))
    >>> bad = np.array([0.1, 0.4, 0.4, 0.7])
    >>> sig = SignalDistribution(("good", "bad"), np.stack([1 - bad, bad], axis=1), punish_on=("bad",))
    >>> s = public_signal_structure(RepeatedGame(pd, 0.9, (0, 0), (1, 1), signals=sig))
    >>> s.names, s.probabilities[0].round(3).tolist(), s.expected_payoffs[:, 1].tolist()
    (('good', 'bad'), [0.9, 0.1], [0.0, 5.0])
    >>> perfect = public_signal_structure(RepeatedGame(pd, 0.9, (0, 0), (1, 1)))
    >>> perfect.names[2], perfect.probabilities.tolist() == np.eye(4).tolist()
    ('US:D,China:C', True)
    """
    table = signal_table(game)
    stage = game.stage
    n_prof = stage.num_profiles
    check_budget(f"the public signal's table ({n_prof:,} profiles x {table.num_signals:,} signals)",
                 8.0 * n_prof * table.num_signals, MEMORY_BYTES, "a smaller game or fewer signals")
    ptr, real, prob = noise_table(game)
    rows = np.repeat(np.arange(n_prof), np.diff(ptr))
    flat = stage.payoffs.reshape(stage.num_players, -1)
    expected = np.zeros((stage.num_players, n_prof))
    for i in range(stage.num_players):
        np.add.at(expected[i], rows, prob * flat[i, real])
    given_realised = table.dense()
    probabilities = np.zeros((n_prof, table.num_signals))
    np.add.at(probabilities, rows, prob[:, None] * given_realised[real])
    expected.setflags(write=False)
    probabilities.setflags(write=False)
    return PublicSignals(table.names, expected, probabilities)
