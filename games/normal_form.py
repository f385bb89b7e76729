"""N-player normal-form (strategic-form) games with named players and actions.

Axis convention
---------------
A game with players ``0..N-1`` where player ``i`` has ``a_i`` actions stores its
payoffs in one float64, C-contiguous array of shape ``(N, a_1, ..., a_N)``:
``payoffs[i][s_1, ..., s_N]`` is player ``i``'s payoff when player ``j`` plays
action ``s_j``. Every player's array has one axis per player, in player order;
no axis is ever rotated (QuantEcon rotates axes per player; ``to_quantecon``
does that conversion for the oracle tests only).

Players and actions are identified by unique labels; integer indices are used
only inside the kernels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from coop.errors import InputError

#: The largest payoff array coop will allocate, in bytes (1 GiB: a 2-player 8192 x 8192 game, or 22
#: players with two actions each). Beyond this a game is rejected with a clear message instead of
#: exhausting memory. Building a game holds the array twice (the reader's and the game's copy), so
#: this keeps a game within the 2 GiB that one analysis may use (``coop.solvers.shared.budgets``).
MAX_PAYOFF_BYTES = 1024**3

#: The most players a game may have. A NumPy array has at most 64 axes; a payoff array has one
#: axis per player plus one, and solvers add a few more (a batch of profiles, a second profile),
#: so coop stops at half of NumPy's limit. Games with more players are also far beyond what the
#: solvers can enumerate unless almost every player has a single action.
MAX_PLAYERS = 32

#: The most actions one player may have. Every action has a label (a Python string of about 60
#: bytes), so this also bounds the memory of the labels, which the payoff budget does not see: a
#: 1 x 100,000,000 game has only 1.5 GiB of payoffs but would need 6 GB of labels.
MAX_ACTIONS = 1_000_000

MixedProfile = tuple[np.ndarray, ...]


def _default_players(n: int) -> tuple[str, ...]:
    return tuple(str(i + 1) for i in range(n))


def _default_actions(counts: Sequence[int]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(k + 1) for k in range(c)) for c in counts)


def check_game_size(num_actions: Sequence[int], source: str = "game") -> None:
    """Raise :class:`InputError` if a game of this shape has too many players or would not fit in memory.

    Checked before anything of the game's size is allocated: at most :data:`MAX_PLAYERS` players,
    at least one and at most :data:`MAX_ACTIONS` actions each, and a payoff array of at most
    :data:`MAX_PAYOFF_BYTES`.

    Examples
    --------
    >>> check_game_size([2, 2])
    >>> check_game_size([1] * 70)
    Traceback (most recent call last):
    ...
    coop.errors.InputError: game: a game of 70 players is too large: coop handles at most 32 players ...
    """
    n = len(num_actions)
    if n > MAX_PLAYERS:
        raise InputError(
            f"a game of {n} players is too large: coop handles at most {MAX_PLAYERS} players "
            "(each player adds an axis to the payoff arrays)",
            source=source,
        )
    if any(int(a) < 1 for a in num_actions):
        raise InputError("every player needs at least one action", source=source)
    largest = max((int(a) for a in num_actions), default=0)
    if largest > MAX_ACTIONS:
        k = next(i for i, a in enumerate(num_actions) if int(a) == largest)
        raise InputError(
            f"player {k + 1} of {n} has {_count(largest)} actions; coop handles at most {MAX_ACTIONS:,} actions "
            "per player",
            source=source,
        )
    profiles = math.prod(int(a) for a in num_actions)
    nbytes = 8 * n * profiles
    if nbytes > MAX_PAYOFF_BYTES:
        raise InputError(
            f"a game of {n} players with {describe_shape(num_actions)} actions needs {_gib(nbytes)} "
            "of payoffs; "
            f"expected at most {MAX_PAYOFF_BYTES / 1024**3:.0f} GiB",
            source=source,
        )


def _gib(nbytes: int) -> str:
    """``149 GiB``; ``just over 4 GiB`` at the limit; astronomically large sizes as a power of ten."""
    if nbytes < 1024**3 * 1e15:
        shown = f"{nbytes / 1024**3:.3g}"
        if nbytes > MAX_PAYOFF_BYTES and shown == f"{MAX_PAYOFF_BYTES / 1024**3:.3g}":
            return f"just over {shown} GiB"
        return f"{shown} GiB"
    digits = len(str(nbytes // 1024**3)) - 1
    return f"about 1e{digits} GiB"


def _count(k: int) -> str:
    """``1,234,567``; a count of more than 15 digits as a power of ten (``about 1e400``)."""
    return f"{k:,}" if k < 10**15 else f"about 1e{len(str(k)) - 1}"


def describe_shape(num_actions: Sequence[int]) -> str:
    """``"3 x 4 x 2"``, shortened for many players: ``"2 x 2 x 2 x ... x 2"``."""
    counts = [str(int(a)) if int(a) < 10**15 else _count(int(a)) for a in num_actions]
    if len(counts) <= 6:
        return " x ".join(counts)
    return " x ".join(counts[:3]) + " x ... x " + counts[-1]


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """A finite game in strategic form with named players and actions.

    Parameters
    ----------
    payoffs : numpy.ndarray
        Shape ``(N, a_1, ..., a_N)``; ``payoffs[i]`` is player ``i``'s payoff
        with one axis per player in player order. Stored as a read-only,
        C-contiguous float64 copy.
    players : tuple of str
        Unique player labels, length ``N``.
    actions : tuple of tuple of str
        ``actions[i]`` are player ``i``'s unique action labels, length ``a_i``.
    title : str
        A short name, used by reporters and written to ``.nfg`` files.
    description : str
        Free text (the scenario description or the ``.nfg`` comment).

    Use the named constructors rather than the class directly:
    :meth:`from_payoffs`, :meth:`from_bimatrix`, :meth:`symmetric` and
    :meth:`from_nfg`.

    Examples
    --------
    The prisoner's dilemma, with row player ``A`` and column player ``B``:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> pd = NormalFormGame.from_bimatrix(A, A.T, players=("A", "B"),
    ...                                   actions=(("C", "D"), ("C", "D")))
    >>> pd.num_actions
    (2, 2)
    >>> float(pd.payoffs[1][0, 1])  # B's payoff when A cooperates and B defects
    5.0
    """

    payoffs: np.ndarray
    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    title: str = ""
    description: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        payoffs = np.array(self.payoffs, dtype=np.float64, order="C", copy=True)
        if payoffs.ndim < 2 or payoffs.shape[0] != payoffs.ndim - 1:
            raise InputError(
                f"payoff array of shape {payoffs.shape} is not of the form (N, a_1, ..., a_N)"
            )
        n = payoffs.shape[0]
        if n < 1 or any(a < 1 for a in payoffs.shape[1:]):
            raise InputError("every player needs at least one action")
        if not np.all(np.isfinite(payoffs)):
            raise InputError("payoffs must be finite numbers (found NaN or infinity)")
        players = tuple(str(p) for p in self.players)
        actions = tuple(tuple(str(a) for a in acts) for acts in self.actions)
        if len(players) != n:
            raise InputError(f"{len(players)} player names given for a {n}-player game")
        if len(set(players)) != n:
            raise InputError(f"player names must be unique, got {list(players)}")
        if len(actions) != n:
            raise InputError(f"action lists given for {len(actions)} players, expected {n}")
        for i, acts in enumerate(actions):
            if len(acts) != payoffs.shape[i + 1]:
                raise InputError(
                    f"player {players[i]!r} has {len(acts)} action names but "
                    f"{payoffs.shape[i + 1]} actions in the payoff array"
                )
            if len(set(acts)) != len(acts):
                raise InputError(f"action names of player {players[i]!r} must be unique")
        payoffs.setflags(write=False)
        object.__setattr__(self, "payoffs", payoffs)
        object.__setattr__(self, "players", players)
        object.__setattr__(self, "actions", actions)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_payoffs(
        cls,
        payoffs: np.ndarray,
        players: Sequence[str] | None = None,
        actions: Sequence[Sequence[str]] | None = None,
        title: str = "",
        description: str = "",
    ) -> NormalFormGame:
        """Build a game from a ``(N, a_1, ..., a_N)`` payoff array.

        Players default to ``"1", "2", ...`` and actions to ``"1", "2", ...``.
        """
        if isinstance(players, str):
            raise InputError(f"players must be a list of names, got the string {players!r}")
        arr = np.asarray(payoffs, dtype=np.float64)
        if arr.ndim >= 2 and arr.shape[0] == arr.ndim - 1:
            check_game_size(arr.shape[1:])
        counts = arr.shape[1:]
        return cls(
            arr,
            tuple(players) if players is not None else _default_players(arr.shape[0]),
            tuple(tuple(a) for a in actions) if actions is not None else _default_actions(counts),
            title,
            description,
        )

    @classmethod
    def from_bimatrix(
        cls,
        A: np.ndarray,
        B: np.ndarray,
        players: Sequence[str] | None = None,
        actions: Sequence[Sequence[str]] | None = None,
        title: str = "",
        description: str = "",
    ) -> NormalFormGame:
        """Build a 2-player game from the row player's matrix ``A`` and the column player's ``B``.

        ``A[r, c]`` and ``B[r, c]`` are the payoffs when the row player plays
        ``r`` and the column player ``c`` (the Nashpy/textbook convention).
        """
        A = np.asarray(A, dtype=np.float64)
        B = np.asarray(B, dtype=np.float64)
        if A.ndim != 2 or A.shape != B.shape:
            raise InputError(f"bimatrix needs two matrices of one shape, got {A.shape} and {B.shape}")
        return cls.from_payoffs(np.stack([A, B]), players, actions, title, description)

    @classmethod
    def symmetric(
        cls,
        M: np.ndarray,
        players: Sequence[str] | None = None,
        actions: Sequence[str] | None = None,
        title: str = "",
        description: str = "",
    ) -> NormalFormGame:
        """Build a symmetric 2-player game where ``M[r, c]`` is the payoff of playing ``r`` against ``c``."""
        M = np.asarray(M, dtype=np.float64)
        if M.ndim != 2 or M.shape[0] != M.shape[1]:
            raise InputError(f"a symmetric game needs a square matrix, got shape {M.shape}")
        acts = tuple(actions) if actions is not None else _default_actions([M.shape[0]])[0]
        return cls.from_bimatrix(M, M.T, players, (acts, acts), title, description)

    @classmethod
    def from_nfg(cls, path: str | Path) -> NormalFormGame:
        """Read a Gambit ``.nfg`` file (payoff or outcome version)."""
        from coop.games.nfg import read_nfg

        return read_nfg(path)

    def to_nfg(self) -> str:
        """Return the game as the text of a Gambit ``.nfg`` file (payoff version, with labels)."""
        from coop.games.nfg import format_nfg

        return format_nfg(self)

    def __repr__(self) -> str:
        """One line: the title, the players and the numbers of actions (``payoffs`` holds the numbers)."""
        from coop.notebook import game_repr

        return game_repr(self)

    def _repr_html_(self) -> str:
        """The payoff table, as a notebook shows it (:func:`coop.notebook.game_html`)."""
        from coop.notebook import game_html

        return game_html(self)

    # ------------------------------------------------------------------ shape
    @property
    def num_players(self) -> int:
        return int(self.payoffs.shape[0])

    @property
    def num_actions(self) -> tuple[int, ...]:
        return tuple(int(a) for a in self.payoffs.shape[1:])

    @property
    def num_profiles(self) -> int:
        return math.prod(self.num_actions)

    @property
    def payoff_scale(self) -> float:
        """The spread of payoffs (max - min), or 1.0 for a constant game; tolerances scale with it."""
        spread = float(self.payoffs.max() - self.payoffs.min()) if self.payoffs.size else 0.0
        return spread if spread > 0.0 else 1.0

    @cached_property
    def payoff_exponents(self) -> np.ndarray:
        """Per player, the power of two ``e_i`` with ``max |u_i| * 2**-e_i`` in ``[0.5, 1)`` (0 for all-zero payoffs).

        Scaling a player's payoffs by a power of two is exact in floating point and leaves the
        Nash equilibria unchanged, so solvers and the regret check work on :attr:`unit_payoffs`
        and map payoffs back with ``numpy.ldexp``: payoffs near ``1e308`` cannot overflow there.
        """
        peaks = np.abs(self.payoffs.reshape(self.num_players, -1)).max(axis=1)
        exps = np.frexp(peaks)[1].astype(np.int64)
        exps.setflags(write=False)
        return exps

    @cached_property
    def unit_payoffs(self) -> np.ndarray:
        """The payoffs, player ``i``'s scaled by ``2**-e_i`` (:attr:`payoff_exponents`): entries in ``(-1, 1)``."""
        shape = (self.num_players,) + (1,) * self.num_players
        unit = np.ldexp(self.payoffs, -self.payoff_exponents.reshape(shape))
        unit.setflags(write=False)
        return unit

    def support_profile_count(self, orbits: bool = False) -> int:
        """How many support profiles (a nonempty set of actions per player) the game has, or with ``orbits`` (a
        symmetric game, every player with the same actions) how many up to renaming the players: multisets of
        ``N`` supports out of ``2**a - 1``.

        >>> game = NormalFormGame.from_payoffs(np.zeros((3, 2, 2, 2)))
        >>> game.support_profile_count(), game.support_profile_count(orbits=True)
        (27, 10)
        """
        if not orbits:
            return math.prod(2**a - 1 for a in self.num_actions)
        if len(set(self.num_actions)) != 1:
            raise InputError("support profiles up to renaming the players need every player to have the same "
                             f"number of actions, got {self.num_actions}")
        return math.comb(2 ** self.num_actions[0] - 1 + self.num_players - 1, self.num_players)

    @cached_property
    def is_symmetric(self) -> bool:
        r"""Whether the game is symmetric: every player has the same number of actions and renaming the players
        permutes their payoffs, :math:`u_{\sigma(i)}(a_{\sigma^{-1}(1)}, \dots, a_{\sigma^{-1}(N)}) = u_i(a)` for
        every permutation :math:`\sigma` (exactly, on the stored numbers; action labels are not compared).

        A transposition and an N-cycle generate all permutations, so those two are checked. Games of one player
        count as symmetric. Group games by counts (:mod:`coop.games.group_game`) are symmetric by construction.

        Examples
        --------
        >>> import numpy as np
        >>> NormalFormGame.symmetric(np.array([[3.0, 0.0], [5.0, 1.0]])).is_symmetric
        True
        >>> NormalFormGame.from_bimatrix(np.eye(2), np.zeros((2, 2))).is_symmetric
        False
        """
        n = self.num_players
        if len(set(self.num_actions)) != 1:
            return False
        if n == 1:
            return True
        generators = [(1, 0, *range(2, n)), (*range(1, n), 0)]  # sigma as a tuple: i -> sigma[i]
        for sigma in generators:
            inverse = np.argsort(sigma)
            for i in range(n):
                # moved[b] = u_i(a) with a_j = b_sigma(j): axis k of the result is axis sigma^-1(k) of u_i
                moved = np.transpose(self.payoffs[i], inverse)
                if not np.array_equal(moved, self.payoffs[sigma[i]]):
                    return False
        return True

    def player_index(self, player: str) -> int:
        try:
            return self.players.index(player)
        except ValueError:
            raise InputError(f"unknown player {player!r}; expected one of {list(self.players)}") from None

    def action_index(self, player: int | str, action: str) -> int:
        i = self.player_index(player) if isinstance(player, str) else int(player)
        try:
            return self.actions[i].index(action)
        except ValueError:
            raise InputError(
                f"unknown action {action!r} for player {self.players[i]!r}; "
                f"expected one of {list(self.actions[i])}"
            ) from None

    # ------------------------------------------------------------------ evaluation
    def _check_profile(self, profile: Sequence[np.ndarray]) -> MixedProfile:
        if len(profile) != self.num_players:
            raise InputError(f"a profile needs {self.num_players} strategies, got {len(profile)}")
        out = []
        for i, s in enumerate(profile):
            s = np.asarray(s, dtype=np.float64)
            if s.shape != (self.num_actions[i],):
                raise InputError(
                    f"strategy of player {self.players[i]!r} has shape {s.shape}, "
                    f"expected ({self.num_actions[i]},)"
                )
            out.append(s)
        return tuple(out)

    def action_values(self, profile: Sequence[np.ndarray], unit: bool = False) -> tuple[np.ndarray, ...]:
        """Each player's expected payoff of each own pure action against the others' mixed strategies.

        With ``unit=True`` the values are those of :attr:`unit_payoffs` (player ``i``'s scaled by
        ``2**-e_i``), which cannot overflow.
        """
        profile = self._check_profile(profile)
        payoffs = self.unit_payoffs if unit else self.payoffs
        values = []
        for i in range(self.num_players):
            # own axis first, then contract the others' axes from the last (matmul contracts the last axis)
            t = np.moveaxis(payoffs[i], i, 0)
            for j in reversed(range(self.num_players)):
                if j != i:
                    t = t @ profile[j]
            values.append(np.asarray(t, dtype=np.float64))
        return tuple(values)

    def payoffs_and_regrets(self, profile: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Expected payoff of each player and each player's gain from the best pure deviation, both ``(N,)``.

        One pass over the payoffs serves both (:meth:`expected_payoffs` and :meth:`regrets` each
        return one of them).
        """
        profile = self._check_profile(profile)
        values = self.action_values(profile)
        payoffs = np.array([float(values[i] @ profile[i]) for i in range(self.num_players)])
        best = np.array([float(values[i].max()) for i in range(self.num_players)])
        return payoffs, best - payoffs

    def expected_payoffs(self, profile: Sequence[np.ndarray]) -> np.ndarray:
        """Expected payoff of each player under a mixed profile, shape ``(N,)``."""
        return self.payoffs_and_regrets(profile)[0]

    def regrets(self, profile: Sequence[np.ndarray]) -> np.ndarray:
        """Each player's gain from the best pure deviation, shape ``(N,)`` (zero at a Nash equilibrium)."""
        return self.payoffs_and_regrets(profile)[1]

    def max_regret(self, profile: Sequence[np.ndarray]) -> float:
        return float(self.regrets(profile).max())

    def pure_profile(self, indices: Sequence[int]) -> MixedProfile:
        """The mixed profile that puts probability one on the given action indices."""
        if len(indices) != self.num_players:
            raise InputError(f"a pure profile needs {self.num_players} action indices, got {len(indices)}")
        out = []
        for i, k in enumerate(indices):
            if not 0 <= int(k) < self.num_actions[i]:
                raise InputError(f"action index {int(k)} out of range for player {self.players[i]!r}")
            s = np.zeros(self.num_actions[i])
            s[int(k)] = 1.0
            out.append(s)
        return tuple(out)

    # ------------------------------------------------------------------ conversions (oracle tests)
    def to_quantecon(self):  # pragma: no cover - exercised by oracle tests
        """Return a ``quantecon.game_theory.NormalFormGame`` of the same game.

        QuantEcon stores player ``i``'s payoffs with player ``i``'s own axis
        first, followed by ``i+1, ..., N-1, 0, ..., i-1``.
        """
        from quantecon.game_theory import NormalFormGame as QEGame
        from quantecon.game_theory import Player

        n = self.num_players
        qplayers = []
        for i in range(n):
            order = [(i + k) % n for k in range(n)]
            # always a writable copy: quantecon's Numba kernels reject read-only arrays
            qplayers.append(Player(np.array(np.transpose(self.payoffs[i], order), order="C")))
        return QEGame(qplayers)

    def to_nashpy(self):  # pragma: no cover - exercised by oracle tests
        """Return a ``nashpy.Game`` (2-player games only)."""
        import nashpy

        if self.num_players != 2:
            raise InputError("nashpy handles 2-player games only")
        return nashpy.Game(np.array(self.payoffs[0]), np.array(self.payoffs[1]))

    def to_gambit(self):  # pragma: no cover - exercised by oracle tests
        """Return a ``pygambit.StrategicGame`` (pygambit 17) with the same labels and payoffs (floats)."""
        import pygambit

        g = pygambit.StrategicGame.from_arrays(
            *[np.array(self.payoffs[i]) for i in range(self.num_players)], title=self.title or "coop"
        )
        # pygambit 17 names players and strategies by label ("1", "2", ... at first); relabelling is simultaneous
        g.relabel_players({str(i + 1): name for i, name in enumerate(self.players)})
        for name, actions in zip(self.players, self.actions, strict=True):
            g.relabel_strategies(name, {str(k + 1): label for k, label in enumerate(actions)})
        return g
