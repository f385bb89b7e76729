r"""Round-robin tournaments of automata with noise and repetitions, as in Axelrod's tournaments.

Every strategy meets every strategy, itself included (against a copy), in a
match of ``turns`` periods of a 2-player stage game, and the round robin is
played ``repetitions`` times. In each period both players take the action of
their automaton's state; implementation noise flips each player's *realised*
action between its cooperative and defecting action with probability
:math:`\varepsilon`, independently; each player observes the realised profile
(through the monitoring channel of the :class:`~coop.games.repeated.RepeatedGame`,
perfect by default, as in the Axelrod library) and moves its automaton on what it
saw. Mixed transitions (generous tit-for-tat, random) are sampled.

Conventions, those of the Axelrod library's ``Tournament`` (Knight et al. 2016):

* each unordered pair meets once per repetition, the strategy listed first in
  the row role; both sides' scores come from that one match. When the stage
  game is not symmetric (the column player's payoffs are not the transpose of
  the row player's, or the roles' cooperative/defecting actions differ), every
  ordered pair meets instead and a strategy's score against another is the
  mean over the two role assignments;
* in a symmetric game each strategy's automaton is built once, for the row
  player; the column player's is the same table with the roles swapped
  (:func:`swap_roles`; every builder is role-symmetric, and a test checks it);
* self-play is played (against a copy) and reported on the diagonal of the
  payoff matrix (mean of the two copies), but a strategy's tournament score,
  wins and rank leave it out, as Axelrod's ``ResultSet`` does;
* a strategy's score in a repetition is its mean score per turn over its
  opponents (Axelrod's ``normalised_scores``); the ranking orders strategies
  by the median of that over repetitions (ties: the order listed); a match is
  won by the player with the higher total score, and drawn on equal totals.

The exact path (``exact=True``) samples nothing: it propagates the
distribution of the joint automaton state of each match forward for ``turns``
periods (a Markov chain on at most :math:`S_i S_j` states) and sums the expected
stage payoffs, which gives the *expected* total score of every match. Without
noise and with deterministic automata it is the score of the one possible play.

Scenario mapping
----------------
Strategies are named as in :data:`coop.games.automata.BUILDERS` (a name, or a
``(name, {parameter: value})`` pair), so a scenario's ``repeated.strategies``
list can be run as a tournament in its stage game; :meth:`TournamentResult.to_dict`
is the JSON block.

References
----------
Axelrod, R. (1984). *The Evolution of Cooperation*. Basic Books.
Knight, V. et al. (2016). An open framework for the reproducible study of the iterated
prisoner's dilemma. *Journal of Open Research Software* 4(1), e35.
Steele, G. L., Lea, D. and Flood, C. H. (2014). Fast splittable pseudorandom number generators.
*OOPSLA 2014*, 453-472 (SplitMix64).

Long tournaments run in pieces of matches (:mod:`coop.solvers.shared.progress`): a progress bar, Ctrl-C and a
time limit act between pieces. The pieces draw from one generator in the order of one call, so the scores do
not depend on them; a tournament stopped early keeps the round robins it finished.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.errors import InputError
from coop.games.automata import BUILDERS, Automaton, automaton_size, check_table_size
from coop.games.repeated import RepeatedGame
from coop.games.validation import probability
from coop.solvers.repeated.names import DEFAULT_REPETITIONS, DEFAULT_TOURNAMENT_SEED, DEFAULT_TURNS
from coop.solvers.repeated.sizes import check_tournament
from coop.solvers.shared.jit import njit
from coop.solvers.shared.progress import ChunkedRun, ProgressOption, StopAfter, Stopped, TimeLimit, time_limit
from coop.solvers.shared.random import index_from_uniform
from coop.solvers.shared.random import uniform as _uniform

#: Strategy spec: a builder name, or a builder name with its parameters.
StrategySpec = str | tuple[str, Mapping[str, Any]]
#: Work units (match turns, times the joint states for the exact method) of the first kernel call: about
#: 0.1 s, every tournament of the bundled scenarios and of the benchmarks in one call.
FIRST_CHUNK = 5_000_000


# ---------------------------------------------------------------------- kernel inputs
# The fields of each group are in the order the flat arguments had before they were grouped: Numba passes a
# namedtuple as its fields in order, so the simulation kernel compiles to the same machine code as before. Its
# speed turned out to hang on that order (an extra unused float among them cost 20%), so keep it.
MatchStage = namedtuple("MatchStage", ["flat_pay", "n_cols"])
MatchStage.__doc__ = """The 2-player stage game of a tournament, as the kernels read it.

Fields
------
flat_pay : float64[:, :]
    ``(2, n_profiles)`` stage payoffs, profile ``a0 * n_cols + a1``.
n_cols : int
    Number of actions of the column player.
"""

StrategyTables = namedtuple("StrategyTables", ["n_states", "acts", "trans", "det_next", "init", "det_init", "fixed"])
StrategyTables.__doc__ = """The automata of the ``K`` strategies, per role, padded to ``S`` states (see :func:`_pack`).

Fields
------
n_states : int64[:]
    ``(K,)`` number of states of each strategy.
acts : int64[:, :, :]
    ``(2, K, S)`` action of each state, per role (0 row, 1 column).
trans : float64[:, :, :, :, :]
    ``(2, K, S, n_profiles, S)`` transition probabilities on each observed profile, per role.
det_next : int64[:, :, :, :]
    ``(2, K, S, n_profiles)`` the next state when the transition is deterministic, else -1.
init : float64[:, :]
    ``(K, S)`` distribution of the initial state.
det_init : int64[:]
    ``(K,)`` the initial state when it is certain, else -1.
fixed : bool[:]
    ``(K,)`` whether a strategy's play is certain (deterministic start and transitions).
"""

SampledNoise = namedtuple("SampledNoise", ["flip", "coop", "defect", "log_keep", "q", "r"])
SampledNoise.__doc__ = """Implementation noise and the monitoring channel, as :func:`_tournament_kernel` draws them.

Fields
------
flip : int64[:, :]
    ``(2, n_actions)`` the action a noise flip turns an action into, per role (-1: not flipped).
coop, defect : int64[:]
    ``(2,)`` cooperative and defecting action of each role (what the monitoring channel reads).
log_keep : float
    :math:`\\log(1 - \\varepsilon)`, the rate of the geometric gaps between flips (``-inf`` when every
    period flips).
q, r : float
    Detection and false-alarm probabilities.
"""

MatchNoise = namedtuple("MatchNoise", ["coop", "defect", "eps", "q", "r"])
MatchNoise.__doc__ = """Implementation noise and the monitoring channel as probabilities (:func:`_expected_kernel`).

Fields
------
coop, defect : int64[:]
    ``(2,)`` cooperative and defecting action of each role (noise flips one into the other; the
    monitoring channel reads them).
eps : float
    Probability that a realised cooperative or defecting action is flipped.
q, r : float
    Detection and false-alarm probabilities.
"""

Schedule = namedtuple("Schedule", ["turns", "repetitions", "rows", "cols"])
Schedule.__doc__ = """The matches of a tournament.

Fields
------
turns : int
    Periods per match.
repetitions : int
    Round robins played (the exact kernel plays one).
rows, cols : int64[:]
    ``(M,)`` strategy index of the row and of the column side of each match.
"""


# ---------------------------------------------------------------------- kernels
@njit(cache=True)
def _draw_state(probs, k, state):
    """Index drawn from the first ``k`` entries of ``probs`` (they sum to one)."""
    return index_from_uniform(probs, k, _uniform(state))


@njit(cache=True)
def _gap(log_keep, state):
    """Number of flippable periods before the next noise flip: geometric, ``log_keep = log(1 - eps)``.

    ``log_keep = 0`` (no noise) never flips; ``-inf`` (``eps = 1``) flips every period.
    """
    if log_keep == 0.0:
        return np.iinfo(np.int64).max
    if log_keep == -np.inf:
        return 0
    u = 1.0 - _uniform(state)  # in (0, 1]
    g = np.floor(np.log(u) / log_keep)
    return np.int64(g) if g < 4.0e18 else np.iinfo(np.int64).max


@njit(cache=True)
def _tournament_kernel(stage, tables, noise, schedule, state, out, span):
    """Total scores of the row and column side of each match ``(rows[m], cols[m])``, into ``out``
    ``(repetitions, M, 2)``, for the matches ``span[0] <= rep * M + m < span[1]``.

    Parameters
    ----------
    stage : MatchStage
        Flat stage payoffs and the column player's number of actions.
    tables : StrategyTables
        The strategies' automata per role, with their deterministic shortcuts.
    noise : SampledNoise
        Flip table, cooperative and defecting actions, gap rate of the flips, monitoring channel.
    schedule : Schedule
        Turns per match, repetitions and the matches.
    state : uint64[:]
        ``(1,)`` state of the SplitMix64 generator (advanced in place).
    out : float64[:, :, :]
        ``(repetitions, M, 2)`` totals, written for the matches of ``span``.
    span : int64[:]
        ``(2,)`` the matches to play, in the order ``rep * M + m`` (one call over all of them, or calls over
        consecutive spans, draw the same numbers and give the same totals).

    Noise flips are drawn as geometric gaps between flips (one draw per flip,
    not per period). A match that cannot vary (no noise, perfect monitoring,
    certain play on both sides) is played once and copied to every repetition.
    """
    flat_pay = stage.flat_pay
    n_cols = stage.n_cols
    coop = noise.coop
    defect = noise.defect
    n_states = tables.n_states
    acts = tables.acts
    trans = tables.trans
    det_next = tables.det_next
    init = tables.init
    det_init = tables.det_init
    fixed = tables.fixed
    log_keep = noise.log_keep
    flip = noise.flip
    q = noise.q
    r = noise.r
    rows = schedule.rows
    cols = schedule.cols
    turns = schedule.turns
    m_count = rows.shape[0]
    perfect = q >= 1.0 and r <= 0.0
    certain = perfect and log_keep == 0.0
    flip0 = flip[0]
    flip1 = flip[1]
    pay0 = flat_pay[0]
    pay1 = flat_pay[1]
    for rep in range(span[0] // m_count, (span[1] + m_count - 1) // m_count):
        for m in range(max(span[0] - rep * m_count, 0), min(span[1] - rep * m_count, m_count)):
            i = rows[m]
            j = cols[m]
            if rep > 0 and certain and fixed[i] and fixed[j]:
                out[rep, m, 0] = out[0, m, 0]
                out[rep, m, 1] = out[0, m, 1]
                continue
            s0 = det_init[i]
            if s0 < 0:
                s0 = _draw_state(init[i], n_states[i], state)
            s1 = det_init[j]
            if s1 < 0:
                s1 = _draw_state(init[j], n_states[j], state)
            gap0 = _gap(log_keep, state)
            gap1 = _gap(log_keep, state)
            acts0 = acts[0, i]
            acts1 = acts[1, j]
            next0 = det_next[0, i]
            next1 = det_next[1, j]
            tot0 = 0.0
            tot1 = 0.0
            for _t in range(turns):
                b0 = acts0[s0]
                b1 = acts1[s1]
                if flip0[b0] >= 0:
                    if gap0 == 0:
                        b0 = flip0[b0]
                        gap0 = _gap(log_keep, state)
                    else:
                        gap0 -= 1
                if flip1[b1] >= 0:
                    if gap1 == 0:
                        b1 = flip1[b1]
                        gap1 = _gap(log_keep, state)
                    else:
                        gap1 -= 1
                f = b0 * n_cols + b1
                tot0 += pay0[f]
                tot1 += pay1[f]
                f0 = f  # what the row player saw
                f1 = f  # what the column player saw
                if not perfect:
                    o1 = b1
                    if b1 == coop[1]:
                        if _uniform(state) < r:
                            o1 = defect[1]
                    elif _uniform(state) >= q:
                        o1 = coop[1]
                    o0 = b0
                    if b0 == coop[0]:
                        if _uniform(state) < r:
                            o0 = defect[0]
                    elif _uniform(state) >= q:
                        o0 = coop[0]
                    f0 = b0 * n_cols + o1
                    f1 = o0 * n_cols + b1
                nx = next0[s0, f0]
                s0 = nx if nx >= 0 else _draw_state(trans[0, i, s0, f0], n_states[i], state)
                nx = next1[s1, f1]
                s1 = nx if nx >= 0 else _draw_state(trans[1, j, s1, f1], n_states[j], state)
            out[rep, m, 0] = tot0
            out[rep, m, 1] = tot1
    return out


@njit(cache=True)
def _expected_kernel(stage, tables, noise, schedule, out, span):
    """Expected total scores of each match, by forward propagation of the joint-state distribution, into
    ``out`` ``(M, 2)`` for the matches ``span[0] <= m < span[1]``.

    Arguments as in :func:`_tournament_kernel` (no sampling, so no seed), except that ``noise`` is a
    :class:`MatchNoise` (the probabilities themselves); of ``tables`` it reads ``n_states``, ``acts``,
    ``trans`` and ``init``, and of ``schedule`` the matches and ``turns`` (one round robin).
    """
    flat_pay = stage.flat_pay
    n_cols = stage.n_cols
    coop = noise.coop
    defect = noise.defect
    n_states = tables.n_states
    acts = tables.acts
    trans = tables.trans
    init = tables.init
    eps = noise.eps
    q = noise.q
    r = noise.r
    rows = schedule.rows
    cols = schedule.cols
    turns = schedule.turns
    smax = acts.shape[2]
    dist = np.zeros((smax, smax))
    new = np.zeros((smax, smax))
    nxt0 = np.zeros(smax)
    nxt1 = np.zeros(smax)
    real_a = np.zeros((2, 2), dtype=np.int64)
    real_p = np.zeros((2, 2))
    obs_a = np.zeros((2, 2), dtype=np.int64)
    obs_p = np.zeros((2, 2))
    for m in range(span[0], span[1]):
        i = rows[m]
        j = cols[m]
        ni = n_states[i]
        nj = n_states[j]
        for a in range(ni):
            for b in range(nj):
                dist[a, b] = init[i, a] * init[j, b]
        tot0 = 0.0
        tot1 = 0.0
        for _t in range(turns):
            for a in range(ni):
                for b in range(nj):
                    new[a, b] = 0.0
            for s0 in range(ni):
                for s1 in range(nj):
                    w = dist[s0, s1]
                    if w == 0.0:
                        continue
                    # realised actions of both sides: at most two outcomes each
                    for side in range(2):
                        a = acts[side, i, s0] if side == 0 else acts[side, j, s1]
                        real_a[side, 0] = a
                        real_p[side, 0] = 1.0
                        real_a[side, 1] = a
                        real_p[side, 1] = 0.0
                        if a == coop[side] or a == defect[side]:
                            real_a[side, 1] = defect[side] if a == coop[side] else coop[side]
                            real_p[side, 0] = 1.0 - eps
                            real_p[side, 1] = eps
                    for k0 in range(2):
                        for k1 in range(2):
                            p = w * real_p[0, k0] * real_p[1, k1]
                            if p == 0.0:
                                continue
                            b0 = real_a[0, k0]
                            b1 = real_a[1, k1]
                            tot0 += p * flat_pay[0, b0 * n_cols + b1]
                            tot1 += p * flat_pay[1, b0 * n_cols + b1]
                            # each side's observation of the other's realised action
                            for side in range(2):
                                bo = b1 if side == 0 else b0
                                obs_a[side, 0] = bo
                                if bo == coop[1 - side]:
                                    obs_p[side, 0] = 1.0 - r
                                    obs_a[side, 1] = defect[1 - side]
                                    obs_p[side, 1] = r
                                else:
                                    obs_p[side, 0] = q
                                    obs_a[side, 1] = coop[1 - side]
                                    obs_p[side, 1] = 1.0 - q
                            for a in range(ni):
                                nxt0[a] = 0.0
                            for b in range(nj):
                                nxt1[b] = 0.0
                            for k in range(2):
                                po = obs_p[0, k]
                                if po > 0.0:
                                    f0 = b0 * n_cols + obs_a[0, k]
                                    for a in range(ni):
                                        nxt0[a] += po * trans[0, i, s0, f0, a]
                                po = obs_p[1, k]
                                if po > 0.0:
                                    f1 = obs_a[1, k] * n_cols + b1
                                    for b in range(nj):
                                        nxt1[b] += po * trans[1, j, s1, f1, b]
                            for a in range(ni):
                                pa = p * nxt0[a]
                                if pa == 0.0:
                                    continue
                                for b in range(nj):
                                    new[a, b] += pa * nxt1[b]
            for a in range(ni):
                for b in range(nj):
                    dist[a, b] = new[a, b]
        out[m, 0] = tot0
        out[m, 1] = tot1
    return out


# ---------------------------------------------------------------------- wrapper
def initial_distribution(automaton: Automaton) -> np.ndarray:
    """Distribution of the automaton's first state in a tournament.

    A point mass on ``automaton.initial``, except for a *memoryless mixed*
    automaton (every transition row the same non-degenerate vector ``v``, as
    for ``random``): it starts from ``v`` too, so that it plays independently
    from the first period on, as the Axelrod library's Random does.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> g = RepeatedGame(NormalFormGame.from_bimatrix(A, A.T), None, (0, 0), (1, 1))
    >>> initial_distribution(g.automaton("random", 0, p=0.25)).tolist()
    [0.25, 0.75]
    >>> initial_distribution(g.automaton("suspicious_tit_for_tat", 0)).tolist()
    [0.0, 1.0]
    """
    t = automaton.transitions
    v = t[0, 0]
    out = np.zeros(automaton.num_states)
    if np.count_nonzero(v) > 1 and np.all(t == v):
        out[:] = v
    else:
        out[automaton.initial] = 1.0
    return out


def _parse(spec: Any, index: int) -> tuple[str, dict[str, Any]]:
    if callable(getattr(spec, "build", None)) and isinstance(getattr(spec, "name", None), str):
        return spec.name, {"__factory__": spec}  # a custom automaton: ``spec.build(game, player)``
    if isinstance(spec, str):
        kind, params = spec, {}
    elif isinstance(spec, Sequence) and len(spec) == 2 and isinstance(spec[0], str) and isinstance(spec[1], Mapping):
        kind, params = spec[0], dict(spec[1])
    else:
        raise InputError(f"strategy {index} must be a name or a (name, {{parameter: value}}) pair, got {spec!r}")
    if kind not in BUILDERS:
        raise InputError(f"unknown strategy {kind!r}; expected one of {sorted(BUILDERS)}")
    return kind, params


def _size(kind: str, params: Mapping[str, Any], n_profiles: int) -> int:
    """Number of states of a parsed strategy, without building it (a custom automaton: its list of states)."""
    if "__factory__" in params:
        states = getattr(params["__factory__"], "states", None)
        size = len(states) if states is not None else 1
    else:
        size = automaton_size(kind, **params)
    check_table_size(size, n_profiles, _label(kind, params))
    return size


def _label(kind: str, params: Mapping[str, Any]) -> str:
    if not params or "__factory__" in params:
        return kind
    return f"{kind}({', '.join(f'{k}={v}' for k, v in params.items())})"


def _build(game: RepeatedGame, kind: str, params: Mapping[str, Any], player: int) -> Automaton:
    if "__factory__" in params:
        return params["__factory__"].build(game, player)
    try:
        return game.automaton(kind, player, **params)
    except TypeError:
        raise InputError(f"strategy {kind!r} does not take the parameters {sorted(params)}") from None


def _is_symmetric(game: RepeatedGame) -> bool:
    st = game.stage
    n0, n1 = st.num_actions
    return (
        n0 == n1
        and game.cooperate[0] == game.cooperate[1]
        and game.defect[0] == game.defect[1]
        and bool(np.array_equal(st.payoffs[1], st.payoffs[0].T))
    )


@dataclass(frozen=True, eq=False)
class TournamentResult:
    """Scores of a round-robin tournament.

    Attributes
    ----------
    strategies : tuple of str
        Unique labels of the strategies, in the order given.
    method : str
        ``"simulation"`` or ``"exact"`` (expected scores).
    turns, repetitions : int
        Periods per match; round robins played (1 for the exact method).
    noise : float
        Implementation noise used.
    seed : int or None
        The seed given (``None`` for the exact method).
    symmetric : bool
        Whether the stage game is symmetric (one match per pair, as Axelrod) or
        every ordered pair met (scores averaged over the two roles).
    match_totals : numpy.ndarray
        ``(repetitions, K, K)``: total score of the row strategy against the
        column strategy in each repetition (expected totals for the exact method).
    payoff_matrix : numpy.ndarray
        ``(K, K)``: mean score per turn of the row strategy against the column
        strategy over repetitions (diagonal: self-play, mean of the two copies).
    payoff_std_error : numpy.ndarray or None
        ``(K, K)`` standard error of ``payoff_matrix`` over repetitions (``None``
        for the exact method or a single repetition).
    normalised_scores : numpy.ndarray
        ``(repetitions, K)``: mean score per turn against the other strategies
        (self-play left out), Axelrod's ``normalised_scores`` transposed.
    scores : numpy.ndarray
        ``(K,)``: mean of ``normalised_scores`` over repetitions.
    ranking : tuple of int
        Strategy indices, best first, by the median normalised score.
    wins, draws : numpy.ndarray or None
        ``(repetitions, K)`` matches won / drawn against the others (``None`` for
        the exact method, whose totals are expectations).
    stopped : Stopped or None
        Set when a time limit or Ctrl-C stopped the tournament early: the scores are those of the
        ``repetitions`` round robins finished by then (``stopped.total`` were asked for).
    """

    strategies: tuple[str, ...]
    method: str
    turns: int
    repetitions: int
    noise: float
    seed: int | None
    symmetric: bool
    match_totals: np.ndarray
    payoff_matrix: np.ndarray
    payoff_std_error: np.ndarray | None
    normalised_scores: np.ndarray
    scores: np.ndarray
    ranking: tuple[int, ...]
    wins: np.ndarray | None
    draws: np.ndarray | None
    stopped: Stopped | None = None

    @property
    def complete(self) -> bool:
        """Whether every round robin asked for was played (not stopped by a time limit or Ctrl-C)."""
        return self.stopped is None

    @property
    def reason(self) -> str | None:
        """Why the tournament stopped early, in a sentence (``None`` when it did not)."""
        return None if self.stopped is None else self.stopped.reason

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C stopped the tournament."""
        return self.stopped is not None and self.stopped.interrupted

    @property
    def ranked_names(self) -> tuple[str, ...]:
        """Strategy labels, best first."""
        return tuple(self.strategies[k] for k in self.ranking)

    def to_dict(self) -> dict[str, Any]:
        names = self.strategies
        out: dict[str, Any] = {
            "method": self.method,
            "turns": self.turns,
            "repetitions": self.repetitions,
            "noise": self.noise,
            "seed": self.seed,
            "symmetric": self.symmetric,
            "strategies": list(names),
            "ranking": list(self.ranked_names),
            "scores": {s: float(self.scores[k]) for k, s in enumerate(names)},
            "payoff_matrix": {
                s: {t: float(self.payoff_matrix[a, b]) for b, t in enumerate(names)} for a, s in enumerate(names)
            },
        }
        if self.wins is not None and self.draws is not None:
            out["wins"] = {s: float(self.wins[:, k].mean()) for k, s in enumerate(names)}
            out["draws"] = {s: float(self.draws[:, k].mean()) for k, s in enumerate(names)}
        out["complete"] = self.complete
        out["reason"] = self.reason
        return out


def swap_roles(transitions: np.ndarray, n_actions: int) -> np.ndarray:
    """Transition table(s) ``(..., n*n, S)`` of a 2-player automaton with the two players' roles swapped.

    In a symmetric game every builder is role-symmetric, so the column player's
    automaton is the row player's with profile ``(a0, a1)`` read as ``(a1, a0)``.
    """
    lead = transitions.shape[:-2]
    t = transitions.reshape(*lead, n_actions, n_actions, transitions.shape[-1])
    return np.ascontiguousarray(np.swapaxes(t, -3, -2)).reshape(transitions.shape)


def _pack(row_autos: Sequence[Automaton], col_autos: Sequence[Automaton] | None,
          n_actions: int) -> StrategyTables:
    """Padded kernel arrays; ``col_autos=None`` (symmetric game) derives the column role by :func:`swap_roles`."""
    k = len(row_autos)
    n_states = np.array([a.num_states for a in row_autos], dtype=np.int64)
    smax = int(n_states.max())
    n_prof = row_autos[0].transitions.shape[1]
    acts = np.zeros((2, k, smax), dtype=np.int64)
    trans = np.zeros((2, k, smax, n_prof, smax))
    init = np.zeros((k, smax))
    for side, autos in enumerate((row_autos, col_autos)):
        if autos is None:
            acts[1] = acts[0]
            trans[1] = swap_roles(trans[0], n_actions)
            continue
        for s, a in enumerate(autos):
            ns = a.num_states
            acts[side, s, :ns] = a.actions
            trans[side, s, :ns, :, :ns] = a.transitions
    for s, a in enumerate(row_autos):
        init[s, : a.num_states] = initial_distribution(a)
    det = trans.max(axis=4) == 1.0
    det_next = np.where(det, trans.argmax(axis=4), -1).astype(np.int64)
    det_init = np.where(init.max(axis=1) == 1.0, init.argmax(axis=1), -1).astype(np.int64)
    # certain play: a fixed first state and deterministic transitions from every real (unpadded) state
    real = np.arange(smax)[None, :] < n_states[:, None]
    det_states = np.all(det, axis=3) | ~real[None]
    fixed = (det_init >= 0) & np.all(det_states, axis=(0, 2))
    return StrategyTables(n_states, acts, trans, det_next, init, det_init, fixed)


def round_robin(
    game: RepeatedGame,
    strategies: Sequence[StrategySpec],
    turns: int = DEFAULT_TURNS,
    repetitions: int = DEFAULT_REPETITIONS,
    noise: float | None = None,
    seed: int | np.random.Generator | None = DEFAULT_TOURNAMENT_SEED,
    exact: bool = False,
    *,
    stop_after: StopAfter = None,
    progress: ProgressOption = False,
) -> TournamentResult:
    """Play a round-robin tournament of automata in a 2-player repeated game.

    Parameters
    ----------
    game : RepeatedGame
        A 2-player stage game with each role's cooperative and defecting
        action, and its monitoring (``detection``, ``false_alarm``).
    strategies : sequence
        At least two strategies, each a name of
        :data:`coop.games.automata.BUILDERS` or a ``(name, {parameter: value})``
        pair, e.g. ``("generous_tit_for_tat", {"generosity": 0.1})``, or an
        object with a ``name`` and a ``build(game, player) -> Automaton`` method
        (a custom automaton of a scenario file).
    turns : int
        Periods per match (>= 1).
    repetitions : int
        Round robins played (>= 1); ignored by the exact method.
    noise : float, optional
        Implementation noise in ``[0, 1]``; default ``game.noise``.
    seed : int, numpy.random.Generator or None
        Seed of the simulation (same seed, same scores).
    exact : bool
        Return expected scores, computed without sampling, instead of simulating.
    stop_after : float or TimeLimit, optional
        Seconds after which to stop, once the first round robin is finished: the result holds the round
        robins played by then (``complete`` False, ``reason``). Ctrl-C stops it the same way (between pieces
        of about 0.15 s); Ctrl-C during the first round robin raises ``KeyboardInterrupt`` (no result yet).
    progress : bool or callable, optional
        A progress bar on stderr for long tournaments, or a callback (:mod:`coop.solvers.shared.progress`).

    Returns
    -------
    TournamentResult

    Examples
    --------
    Tit-for-tat against always-defect over 200 turns scores S + 199 P = 199:

    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> from coop.games.repeated import RepeatedGame
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> g = RepeatedGame(NormalFormGame.from_bimatrix(A, A.T), None, (0, 0), (1, 1))
    >>> res = round_robin(g, ["tit_for_tat", "always_defect", "always_cooperate"], repetitions=1)
    >>> res.match_totals[0].tolist()
    [[600.0, 199.0, 600.0], [204.0, 200.0, 1000.0], [600.0, 0.0, 600.0]]
    >>> res.ranked_names
    ('always_defect', 'tit_for_tat', 'always_cooperate')

    With 5% noise, expected scores per turn (no sampling); TFT's mistaken
    cooperation against always-defect costs it a little:

    >>> noisy = round_robin(g, ["tit_for_tat", "always_defect"], noise=0.05, exact=True)
    >>> noisy.payoff_matrix.round(4).tolist()
    [[2.2897, 1.0958], [1.3421, 1.1475]]
    """
    if not isinstance(game, RepeatedGame):
        raise InputError("a tournament needs a RepeatedGame (stage game, cooperative and defecting actions)")
    if game.num_players != 2:
        raise InputError(f"a round-robin tournament needs a 2-player stage game, got {game.num_players} players")
    if game.signals is not None:
        raise InputError("a tournament plays strategies that observe each other's actions through private "
                         "channels; a game with a general public signal has none (play it without signals)")
    specs = list(strategies) if not isinstance(strategies, str) else [strategies]
    if len(specs) < 2:
        raise InputError(f"a tournament needs at least two strategies, got {len(specs)}")
    try:
        turns_i = int(turns)
        reps_i = int(repetitions)
    except (TypeError, ValueError):
        raise InputError(f"turns and repetitions must be integers, got {turns!r} and {repetitions!r}") from None
    if turns_i != turns or turns_i < 1:
        raise InputError(f"turns must be an integer >= 1, got {turns!r}")
    if reps_i != repetitions or reps_i < 1:
        raise InputError(f"repetitions must be an integer >= 1, got {repetitions!r}")
    eps = game.noise if noise is None else probability(noise, "noise")
    limit = time_limit(stop_after)
    parsed = [_parse(s, k) for k, s in enumerate(specs)]
    k = len(parsed)
    symmetric = _is_symmetric(game)
    # the work and the memory of the tournament, before any automaton is built
    n_profiles = game.stage.num_profiles
    check_tournament(k, turns_i, reps_i, symmetric, max(_size(kind, params, n_profiles) for kind, params in parsed),
                     n_profiles, exact)
    labels: list[str] = []
    taken: set[str] = set()
    for kind, params in parsed:
        base = _label(kind, params)
        label, n = base, 1
        while label in taken:
            n += 1
            label = f"{base} #{n}"
        labels.append(label)
        taken.add(label)
    row_autos = [_build(game, kind, params, 0) for kind, params in parsed]
    # custom automata may name players, so they are built for each role rather than role-swapped
    custom = any("__factory__" in params for _, params in parsed)
    col_autos = None if symmetric and not custom else [_build(game, kind, params, 1) for kind, params in parsed]
    if symmetric:
        ii, jj = np.triu_indices(k)
    else:
        ii, jj = np.indices((k, k)).reshape(2, -1)
    rows = np.ascontiguousarray(ii, dtype=np.int64)
    cols = np.ascontiguousarray(jj, dtype=np.int64)
    reps = 1 if exact else reps_i
    tables = _pack(row_autos, col_autos, int(game.stage.num_actions[0]))
    st = game.stage
    coop = np.array(game.cooperate, dtype=np.int64)
    defect = np.array(game.defect, dtype=np.int64)
    stage = MatchStage(np.ascontiguousarray(st.payoffs.reshape(2, -1)), int(st.num_actions[1]))
    q, r = float(game.detection), float(game.false_alarm)
    schedule = Schedule(turns_i, reps, rows, cols)
    if exact:
        per_match = np.zeros((1, len(rows), 2))
        match_noise = MatchNoise(coop, defect, float(eps), q, r)
        per_turn_work = turns_i * int(tables.acts.shape[2]) ** 2

        def play(span: np.ndarray) -> None:
            _expected_kernel(stage, tables, match_noise, schedule, per_match[0], span)

        seed_out = None
    else:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        state = np.array([rng.integers(0, 2**63 - 1)], dtype=np.uint64)
        flip = np.full((2, int(max(st.num_actions))), -1, dtype=np.int64)
        for side in range(2):
            flip[side, coop[side]] = defect[side]
            flip[side, defect[side]] = coop[side]
        log_keep = float(np.log1p(-eps)) if eps < 1.0 else -np.inf
        sampled = SampledNoise(flip, coop, defect, log_keep, q, r)
        per_match = np.zeros((reps, len(rows), 2))
        per_turn_work = turns_i

        def play(span: np.ndarray) -> None:
            _tournament_kernel(stage, tables, sampled, schedule, state, per_match, span)

        seed_out = seed if isinstance(seed, int) else None
    per_round = len(rows)
    played, cut = _play_in_pieces(play, reps * per_round, per_round, per_turn_work, limit, progress)
    stopped = None
    if cut is not None:
        if played < per_round:
            raise KeyboardInterrupt  # Ctrl-C before one round robin was finished: nothing to report yet
        stopped = Stopped(cut.cause, played // per_round, reps, "round robins", "played", cut.limit, cut.elapsed)
        reps = played // per_round
        per_match = per_match[:reps]
    # totals[r, a, b]: a's total against b (mean over the copies / roles where a pair met twice)
    # each (row, column) pair occurs once among the matches, so each of the two sides is added with plain
    # indexing (a pair of a strategy with itself gets both sides, in the two statements)
    totals = np.zeros((reps, k, k))
    counts = np.zeros((k, k))
    totals[:, rows, cols] += per_match[:, :, 0]
    totals[:, cols, rows] += per_match[:, :, 1]
    counts[rows, cols] += 1.0
    counts[cols, rows] += 1.0
    totals /= counts
    per_turn = totals / turns_i
    off = ~np.eye(k, dtype=bool)
    normalised = np.where(off, per_turn, 0.0).sum(axis=2) / (k - 1)
    medians = np.median(normalised, axis=0)
    ranking = tuple(int(x) for x in sorted(range(k), key=lambda a: -medians[a]))
    payoff = per_turn.mean(axis=0)
    std_err = per_turn.std(axis=0, ddof=1) / np.sqrt(reps) if reps > 1 else None
    wins = draws = None
    if not exact:
        other = np.swapaxes(totals, 1, 2)
        wins = ((totals > other) & off).sum(axis=2).astype(np.int64)
        draws = ((totals == other) & off).sum(axis=2).astype(np.int64)
    arrays = [totals, payoff, std_err, normalised, wins, draws]
    for a in arrays:
        if a is not None:
            a.setflags(write=False)
    scores = normalised.mean(axis=0)
    scores.setflags(write=False)
    return TournamentResult(
        strategies=tuple(labels),
        method="exact" if exact else "simulation",
        turns=turns_i,
        repetitions=reps,
        noise=float(eps),
        seed=seed_out,
        symmetric=symmetric,
        match_totals=totals,
        payoff_matrix=payoff,
        payoff_std_error=std_err,
        normalised_scores=normalised,
        scores=scores,
        ranking=ranking,
        wins=wins,
        draws=draws,
        stopped=stopped,
    )


def _play_in_pieces(play: Callable[[np.ndarray], None], total: int, per_round: int, per_match_work: int,
                    limit: TimeLimit | None, progress: ProgressOption) -> tuple[int, Stopped | None]:
    """Call ``play(span)`` on consecutive spans of the ``total`` matches (``per_match_work`` units each) until
    all are played or the run stops (the time limit only once a round robin of ``per_round`` matches is
    done); the matches played and what stopped them."""
    per_match_work = max(int(per_match_work), 1)
    if not progress and limit is None and total * per_match_work <= FIRST_CHUNK:
        play(np.array([0, total], dtype=np.int64))  # one call: nothing to watch between pieces
        return total, None
    played = 0
    with ChunkedRun("tournament", total=total, unit="matches", verb="played", stop_after=limit, progress=progress,
                    first=FIRST_CHUNK, min_done=per_round) as run:
        while played < total and run.going:
            stop = min(total, played + max(1, run.budget // per_match_work))
            play(np.array([played, stop], dtype=np.int64))
            work = (stop - played) * per_match_work
            played = stop
            run.advance(played, work)
    return played, run.stopped
