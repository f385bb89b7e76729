"""Perfect public equilibria under a general public signal (Green and Porter 1984; Mailath and Samuelson 2006,
sec. 7.2).

Closed form, derived here. Prisoner's dilemma (T, R, P, S); a public signal `bad` with probability p when both
cooperate and q > p when exactly one defects; grim trigger on `bad` (both play D for ever after it). With
W = V - P, cooperation's value solves V = (1-d) R + d [(1-p) V + p P], so

    V = ((1-d) R + d p P) / (1 - d (1-p)),        W = (1-d)(R-P) / (1 - d (1-p)).

A one-shot defection earns (1-d) T + d [(1-q) V + q P] <= V, i.e. (1-d)(T-P) <= W (1 - d (1-q)), i.e. (divided
by 1 - d > 0) (T-P)(1 - d + d p) <= (R-P)(1 - d + d q), i.e.

    T - R <= d [(T-P)(1-p) - (R-P)(1-q)],     d* = (T-R) / ((T-P)(1-p) - (R-P)(1-q))

when the bracket exceeds T - R (else never). In the punishment both defect for ever (P >= S). With p = 0,
q = 1 it is Friedman's (T-R)/(T-P).

An institution that fines each member's defection s with probability k (its own inspection: T -> T - k s,
P -> P - k s) then needs T - R - k s <= d [(T-P)(1-p) - (R-P+k s)(1-q)], the least fine

    s* = (T - R - d (T-P)(1-p) + d (R-P)(1-q)) / (k (1 - d (1-q))),

below the ceiling (P - S) / k where punishing (defecting, fined) stops beating cooperating alone.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coop.games import NormalFormGame
from coop.games.institutions import Institution
from coop.games.public_signals import SignalDistribution, profile_names, signal_table
from coop.games.repeated import RepeatedGame
from coop.solvers.repeated.best_response import check_nash
from coop.solvers.repeated.institutions import analyse_institution
from coop.solvers.repeated.limit_of_means import limit_of_means_check
from coop.solvers.repeated.payoffs import discounted_payoffs
from coop.solvers.repeated.subgame_perfection import (
    check_subgame_perfect,
    critical_discount_factor,
    critical_discount_factor_symbolic,
)
from tests.textbook_games import prisoners_dilemma


def green_porter(p: float, q: float, T=5.0, R=3.0, P=1.0, S=0.0, delta=0.9, noise=0.0) -> RepeatedGame:
    """The prisoner's dilemma with Green and Porter's bad signal (probability p, q, q, and q at (D, D))."""
    bad = np.array([p, q, q, q])
    sig = SignalDistribution(("good", "bad"), np.stack([1 - bad, bad], axis=1), punish_on=("bad",))
    return RepeatedGame(prisoners_dilemma(T, R, P, S), delta, (0, 0), (1, 1), noise=noise, signals=sig)


def closed_delta(p, q, T=5.0, R=3.0, P=1.0):
    bracket = (T - P) * (1 - p) - (R - P) * (1 - q)
    return (T - R) / bracket if bracket > T - R else None


PQ = [(0.1, 0.4), (0.05, 0.5), (0.2, 0.9), (0.0, 1.0), (0.0, 0.6), (0.3, 0.35), (0.25, 0.5)]


@pytest.mark.parametrize("p, q", PQ)
def test_grim_trigger_on_a_bad_signal_matches_the_closed_form(p, q):
    g = green_porter(p, q)
    crit = critical_discount_factor(g, g.profile("grim_trigger"))
    expected = closed_delta(p, q)
    if expected is None:
        assert crit.overall is None
    else:
        assert crit.overall == pytest.approx(expected, abs=1e-9)
    for d in (0.5, 0.7, 0.85, 0.95):
        V = ((1 - d) * 3.0 + d * p * 1.0) / (1 - d * (1 - p))
        dev = (1 - d) * 5.0 + d * ((1 - q) * V + q * 1.0)
        res = check_subgame_perfect(g.with_delta(d), g.profile("grim_trigger"))
        np.testing.assert_allclose(res.payoffs, [V, V], atol=1e-13)
        np.testing.assert_allclose(discounted_payoffs(g.with_delta(d), g.profile("grim_trigger")).payoffs,
                                   [V, V], atol=1e-13)
        if abs(V - dev) > 1e-9:
            assert res.is_spe == (dev < V)
            assert res.max_gain[0] == pytest.approx(max((dev - V) / (1 - d), 0.0), abs=1e-9)


def test_the_exact_critical_delta_is_the_closed_form_in_symbolic_payoffs():
    import sympy as sp

    T, R, P, S = sp.symbols("T R P S")
    p, q = sp.Rational(1, 10), sp.Rational(2, 5)
    g = green_porter(0.1, 0.4)
    sym = [[[R, S], [T, P]], [[R, T], [S, P]]]
    res = critical_discount_factor_symbolic(g, g.profile("grim_trigger"), sym, {T: 5, R: 3, P: 1, S: 0})
    closed = (T - R) / ((T - P) * (1 - p) - (R - P) * (1 - q))
    assert sp.simplify(res.expressions[0] - closed) == 0
    assert res.overall == pytest.approx(5 / 6, abs=1e-15)


def test_the_custom_automaton_on_the_signal_is_the_built_in_read_over_it():
    from coop.games.automata import custom

    g = green_porter(0.1, 0.4)
    hand = tuple(custom(g.stage, i, ["cooperate", "punish"], {"cooperate": "C", "punish": "D"},
                        rules={"cooperate": [({"signal": "bad"}, "punish")]}, signals=("good", "bad"))
                 for i in range(2))
    built = g.profile("grim_trigger")
    for a, b in zip(hand, built, strict=True):
        np.testing.assert_array_equal(a.transitions, b.transitions)
    assert check_subgame_perfect(g, hand).is_spe


def test_least_sanction_of_an_institution_that_inspects_on_its_own():
    p, q, d, k = 0.1, 0.4, 0.7, 0.5
    T, R, P, S = 5.0, 3.0, 1.0, 0.0
    g = green_porter(p, q, delta=d)
    res = analyse_institution(g, "grim_trigger", Institution("inspector", detection=k, sanction=1.0))
    s_star = (T - R - d * (T - P) * (1 - p) + d * (R - P) * (1 - q)) / (k * (1 - d * (1 - q)))
    assert res.least_sanction == pytest.approx(s_star, abs=1e-7)
    assert res.sanction_ceiling == pytest.approx((P - S) / k, abs=1e-7)
    assert any("inspects on its own" in n for n in res.notes)


# ---------------------------------------------------------------------- the report and perfect monitoring as signals
def random_game(rng: np.random.Generator, shape: tuple[int, ...]) -> NormalFormGame:
    n = len(shape)
    players = ("US", "China", "EU")[:n]
    acts = tuple(tuple(("C", "D", "X")[:m]) for m in shape)
    return NormalFormGame.from_payoffs(rng.integers(-5, 6, size=(n, *shape)).astype(float), players, acts)


def as_signals(game: RepeatedGame) -> RepeatedGame:
    """The same game with its public report (or perfect monitoring) written as a general signal table."""
    table = signal_table(game).dense()
    sig = SignalDistribution(profile_names(game.stage), table)
    return RepeatedGame(game.stage, game.delta, game.cooperate, game.defect, noise=game.noise,
                        horizon=game.horizon, signals=sig)


def _profiles(game: RepeatedGame):
    n = game.num_players
    kinds = [("grim_trigger", {}), ("tit_for_tat", {}), ("k_period_punishment", {"k": 2}), ("win_stay_lose_shift", {}),
             ("generous_tit_for_tat", {"generosity": 0.25})]
    out = [game.profile(k, **kw) for k, kw in kinds]
    out.append(tuple(game.automaton(kinds[j % len(kinds)][0], i) for i, j in zip(range(n), (0, 1, 3), strict=False)))
    return out


def _same_answers(a: RepeatedGame, b: RepeatedGame, profile) -> None:
    for d in (0.3, 0.6, 0.9):
        ra = check_subgame_perfect(a.with_delta(d), profile)
        rb = check_subgame_perfect(b.with_delta(d), profile)
        assert ra.is_spe == rb.is_spe and ra.holds == rb.holds
        np.testing.assert_allclose(ra.max_gain, rb.max_gain, atol=1e-10)
        np.testing.assert_allclose(ra.payoffs, rb.payoffs, atol=1e-12)
        np.testing.assert_allclose(discounted_payoffs(a.with_delta(d), profile).payoffs,
                                   discounted_payoffs(b.with_delta(d), profile).payoffs, atol=1e-12)
    ca, cb = critical_discount_factor(a, profile), critical_discount_factor(b, profile)
    assert [x is None for x in ca.per_player] == [x is None for x in cb.per_player]
    np.testing.assert_allclose([x or 0.0 for x in ca.per_player], [x or 0.0 for x in cb.per_player], atol=1e-9)
    na, nb = check_nash(a, profile), check_nash(b, profile)
    assert na.is_nash == nb.is_nash
    la, lb = limit_of_means_check(a.with_delta(None), profile), limit_of_means_check(b.with_delta(None), profile)
    assert (la.is_spe, la.is_nash) == (lb.is_spe, lb.is_nash)
    np.testing.assert_allclose(la.payoffs, lb.payoffs, atol=1e-10)
    fa = check_subgame_perfect(RepeatedGame(a.stage, 0.8, a.cooperate, a.defect, a.noise, a.detection,
                                            a.false_alarm, 6, a.monitoring, a.signals), profile)
    fb = check_subgame_perfect(RepeatedGame(b.stage, 0.8, b.cooperate, b.defect, b.noise, b.detection,
                                            b.false_alarm, 6, b.monitoring, b.signals), profile)
    assert fa.is_spe == fb.is_spe
    np.testing.assert_allclose(fa.max_gain, fb.max_gain, atol=1e-10)
    np.testing.assert_allclose(fa.payoffs, fb.payoffs, atol=1e-12)


@pytest.mark.parametrize("seed, shape, eps, q, r", [
    (0, (2, 2), 0.0, 0.8, 0.0), (1, (2, 2), 0.05, 0.7, 0.1), (2, (2, 3), 0.02, 0.9, 0.05),
    (3, (2, 2, 2), 0.0, 0.6, 0.02), (4, (3, 2, 2), 0.1, 0.85, 0.1),
])
def test_the_inspector_report_written_as_signals_gives_the_same_answers(seed, shape, eps, q, r):
    rng = np.random.default_rng(seed)
    stage = random_game(rng, shape)
    n = len(shape)
    report = RepeatedGame(stage, 0.9, (0,) * n, (1,) * n, noise=eps, detection=q, false_alarm=r, monitoring="public")
    signals = as_signals(report)
    for profile in _profiles(report):  # the automata read reported profiles, which are the signals
        _same_answers(report, signals, profile)


@pytest.mark.parametrize("seed, shape, eps", [(5, (2, 2), 0.0), (6, (2, 3), 0.05), (7, (2, 2, 2), 0.03)])
def test_signals_that_reveal_the_profile_give_the_perfect_monitoring_answers(seed, shape, eps):
    rng = np.random.default_rng(seed)
    stage = random_game(rng, shape)
    n = len(shape)
    perfect = RepeatedGame(stage, 0.9, (0,) * n, (1,) * n, noise=eps)
    sig = SignalDistribution(profile_names(stage), np.eye(stage.num_profiles))
    revealing = RepeatedGame(stage, 0.9, (0,) * n, (1,) * n, noise=eps, signals=sig)
    for profile in _profiles(perfect):
        _same_answers(perfect, revealing, profile)


def test_built_ins_on_the_report_signals_with_punish_on_every_reported_defection_are_the_triggers():
    """grim trigger and k-period punishment react to any reported defection (their own included): read over the
    report's signals with punish_on = every report with a defection, they are the same automata."""
    stage = prisoners_dilemma()
    report = RepeatedGame(stage, 0.9, (0, 0), (1, 1), detection=0.7, false_alarm=0.1, monitoring="public")
    names = profile_names(stage)
    sig = SignalDistribution(names, signal_table(report).dense(), punish_on=names[1:])
    signals = RepeatedGame(stage, 0.9, (0, 0), (1, 1), signals=sig)
    for kind, kw in (("grim_trigger", {}), ("k_period_punishment", {"k": 3})):
        for a, b in zip(report.profile(kind, **kw), signals.profile(kind, **kw), strict=True):
            np.testing.assert_array_equal(a.transitions, b.transitions)


def test_a_built_in_that_reacts_needs_punish_on_and_one_that_does_not_is_fine():
    from coop.errors import InputError

    bad = np.array([0.1, 0.4, 0.4, 0.7])
    sig = SignalDistribution(("good", "bad"), np.stack([1 - bad, bad], axis=1))
    g = RepeatedGame(prisoners_dilemma(), 0.9, (0, 0), (1, 1), signals=sig)
    with pytest.raises(InputError, match="reacts to defections.*punish_on"):
        g.profile("tit_for_tat")
    res = check_subgame_perfect(g, g.profile("always_defect"))
    assert res.is_spe and res.payoffs.tolist() == [1.0, 1.0]


def test_reachability_counts_only_signals_that_some_profile_draws():
    """A signal that no profile can draw leads nowhere: the states behind it are no public history."""
    from coop.games.automata import custom

    table = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    sig = SignalDistribution(("good", "bad", "never"), table)
    g = RepeatedGame(prisoners_dilemma(), 0.9, (0, 0), (1, 1), signals=sig)
    # grim trigger, with a third state (always cooperate) behind the impossible signal: never reached
    profile = tuple(custom(g.stage, i, ["c", "p", "sucker"], {"c": "C", "p": "D", "sucker": "C"},
                           rules={"c": [({"signal": "bad"}, "p"), ({"signal": "never"}, "sucker")]},
                           signals=sig.names) for i in range(2))
    res = check_subgame_perfect(g, profile)
    assert res.is_spe and res.num_states == 2


def test_the_signal_structure_feeds_the_same_distributions_as_the_tables():
    """Every joint state's next-state distribution is the signal's distribution given the intended profile
    (public_signal_structure) pushed through the automata."""
    from coop.games.public_signals import public_signal_structure

    g = green_porter(0.1, 0.4, noise=0.05)
    s = public_signal_structure(g)
    for (a, b) in itertools.product(range(2), range(2)):
        f = 2 * a + b
        assert s.probabilities[f].sum() == pytest.approx(1.0, abs=1e-15)
    # grim trigger from cooperation: punish next with the bad signal's probability at intended (C, C)
    from coop.solvers.repeated.payoffs import joint_chain

    P, U, start = joint_chain(g, g.profile("grim_trigger"))
    assert P[start].tolist() == pytest.approx([s.probabilities[0, 0], 0.0, 0.0, s.probabilities[0, 1]], abs=1e-15)
    np.testing.assert_allclose(U[start], s.expected_payoffs[:, 0], atol=1e-15)


@pytest.mark.parametrize("kind", ["grim_trigger", "tit_for_tat", "win_stay_lose_shift"])
def test_simulated_plays_on_the_public_signal_agree_with_the_exact_payoffs(kind):
    """An independent check of the linear algebra: sample paths where one signal is drawn per period given the
    realised actions and every automaton moves on it (general signals, and the inspector's public report)."""
    from coop.solvers.repeated.payoffs import simulate_payoffs

    report = RepeatedGame(prisoners_dilemma(), 0.8, (0, 0), (1, 1), noise=0.05, detection=0.7, false_alarm=0.1,
                          monitoring="public")
    for g in (green_porter(0.1, 0.4, delta=0.8, noise=0.05), report):
        profile = g.profile(kind)
        sim = simulate_payoffs(g, profile, periods=150, runs=6000, seed=11)
        exact = discounted_payoffs(g, profile).payoffs
        assert np.all(np.abs(sim.payoffs - exact) < 5 * sim.std_error + sim.truncation)


def test_a_tournament_is_refused_on_a_public_signal():
    from coop.errors import InputError
    from coop.solvers.repeated.tournament import round_robin

    with pytest.raises(InputError, match="tournament .* general public signal"):
        round_robin(green_porter(0.1, 0.4), ["always_cooperate", "always_defect"])
