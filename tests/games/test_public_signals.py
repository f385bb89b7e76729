"""The public signal structure of a repeated game: general signals, an inspector's report, perfect monitoring.

Each distribution is checked against a brute-force enumeration written here from the definitions
(implementation noise flips cooperate <-> defect with probability eps; the report keeps a cooperation with
probability 1 - r and a defection with probability q, each player independently).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.public_signals import SignalDistribution, public_signal_structure, signal_table
from coop.games.repeated import RepeatedGame
from tests.textbook_games import prisoners_dilemma


def _flip(a: int, coop: int, defect: int, keep: float, keep_other: float = 1.0) -> list[tuple[int, float]]:
    """A player's action after a channel that keeps it with probability ``keep`` (cooperative or defecting)."""
    if a == coop:
        return [(coop, keep), (defect, 1.0 - keep)]
    if a == defect:
        return [(defect, keep), (coop, 1.0 - keep)]
    return [(a, keep_other), (coop, 1.0 - keep_other)]


def _brute(game: RepeatedGame, given_realised) -> tuple[np.ndarray, np.ndarray]:
    """Expected payoffs ``(N, n_prof)`` and signal probabilities ``(n_prof, n_sig)`` by enumeration."""
    st = game.stage
    shape = st.num_actions
    profiles = list(itertools.product(*(range(m) for m in shape)))
    n_sig = given_realised(profiles[0]).shape[0]
    pay = np.zeros((st.num_players, len(profiles)))
    prob = np.zeros((len(profiles), n_sig))
    for f, a in enumerate(profiles):
        options = [_flip(a[i], game.cooperate[i], game.defect[i], 1 - game.noise) for i in range(len(a))]
        for combo in itertools.product(*options):
            b = tuple(x for x, _ in combo)
            p = float(np.prod([q for _, q in combo]))
            pay[:, f] += p * st.payoffs[(slice(None),) + b]
            prob[f] += p * given_realised(b)
    return pay, prob


def _report(game: RepeatedGame):
    st = game.stage
    profiles = list(itertools.product(*(range(m) for m in st.num_actions)))

    def dist(b):
        out = np.zeros(len(profiles))
        for o, prof in enumerate(profiles):
            p = 1.0
            for i, (bi, oi) in enumerate(zip(b, prof, strict=True)):
                ch = dict()
                for x, q in _flip(bi, game.cooperate[i], game.defect[i],
                                  1 - game.false_alarm if bi == game.cooperate[i] else game.detection,
                                  game.detection):
                    ch[x] = ch.get(x, 0.0) + q
                p *= ch.get(oi, 0.0)
            out[o] = p
        return out

    return dist


@pytest.mark.parametrize("eps, q, r", [(0.0, 1.0, 0.0), (0.1, 1.0, 0.0), (0.05, 0.7, 0.1), (0.2, 0.3, 0.25)])
def test_inspector_report_and_perfect_monitoring_match_enumeration(eps, q, r):
    rng = np.random.default_rng(3)
    st = NormalFormGame.from_payoffs(rng.normal(size=(3, 3, 2, 2)), ("US", "China", "EU"),
                                     (("C", "D", "X"), ("C", "D"), ("C", "D")))
    g = RepeatedGame(st, 0.9, (0, 0, 0), (1, 1, 1), noise=eps, detection=q, false_alarm=r, monitoring="public")
    s = public_signal_structure(g)
    pay, prob = _brute(g, _report(g))
    np.testing.assert_allclose(s.expected_payoffs, pay, atol=1e-14)
    np.testing.assert_allclose(s.probabilities, prob, atol=1e-14)
    np.testing.assert_allclose(s.probabilities.sum(axis=1), 1.0, atol=1e-14)
    assert s.names[0] == "US:C,China:C,EU:C" and s.names[3] == "US:C,China:D,EU:D" and len(s.names) == 12
    if q == 1.0 and r == 0.0:  # perfect monitoring: the signal is the realised profile
        np.testing.assert_array_equal(signal_table(g).dense(), np.eye(12))
        private = public_signal_structure(RepeatedGame(st, 0.9, (0, 0, 0), (1, 1, 1), noise=eps))
        np.testing.assert_array_equal(private.probabilities, s.probabilities)


def test_general_signals_with_noise_match_enumeration():
    pd = prisoners_dilemma(5.0, 3.0, 1.0, 0.0)
    bad = np.array([0.1, 0.4, 0.45, 0.8])
    table = np.stack([1 - bad, bad], axis=1)
    sig = SignalDistribution(("good", "bad"), table, punish_on=("bad",))
    g = RepeatedGame(pd, 0.9, (0, 0), (1, 1), noise=0.1, signals=sig)
    s = public_signal_structure(g)
    pay, prob = _brute(g, lambda b: table[b[0] * 2 + b[1]])
    np.testing.assert_allclose(s.expected_payoffs, pay, atol=1e-14)
    np.testing.assert_allclose(s.probabilities, prob, atol=1e-14)
    assert s.names == ("good", "bad")
    # by hand: intended (C, C) is realised as (C, C) w.p. 0.81, (C, D) and (D, C) w.p. 0.09 each, (D, D) 0.01
    assert s.probabilities[0, 1] == pytest.approx(0.81 * 0.1 + 0.09 * 0.4 + 0.09 * 0.45 + 0.01 * 0.8, abs=1e-15)
    assert g.monitoring == "public" and g.public and not g.perfect


def test_private_monitoring_has_no_public_signal():
    g = RepeatedGame(prisoners_dilemma(), 0.9, (0, 0), (1, 1), detection=0.8)
    with pytest.raises(InputError, match="private monitoring .* has no public signal"):
        public_signal_structure(g)


@pytest.mark.parametrize("table, message", [
    ([[0.9, 0.1], [0.5, 0.6], [0.5, 0.5], [0.2, 0.8]], "sum to 1.1"),
    ([[1.1, -0.1], [0.5, 0.5], [0.5, 0.5], [0.2, 0.8]], "signal 'good' at profile 0 is 1.1, outside"),
    ([[0.9, 0.1], [0.5, 0.5], [0.5, 0.5]], "3 rows, the stage game has 4 profiles"),
])
def test_bad_signal_tables_are_refused(table, message):
    with pytest.raises(InputError, match=message):
        RepeatedGame(prisoners_dilemma(), 0.9, (0, 0), (1, 1), signals=SignalDistribution(("good", "bad"), table))


def test_tiny_rounding_is_renormalised_and_signals_replace_the_report():
    table = np.array([[0.9, 0.1 + 5e-13], [0.5, 0.5], [0.5, 0.5], [0.2, 0.8]])
    sig = SignalDistribution(("good", "bad"), table)
    assert sig.table.sum(axis=1).tolist() == [1.0, 1.0, 1.0, 1.0]
    with pytest.raises(InputError, match="replaces the inspector's report"):
        RepeatedGame(prisoners_dilemma(), 0.9, (0, 0), (1, 1), detection=0.9, signals=sig)
    with pytest.raises(InputError, match="unknown signal 'bda'"):
        SignalDistribution(("good", "bad"), table, punish_on=("bda",))
