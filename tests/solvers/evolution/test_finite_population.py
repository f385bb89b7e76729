"""Tests of finite-population dynamics: closed forms, EGTtools, brute force and simulation.

EGTtools 0.1.14 conventions checked here and shared by coop: the Fermi rule imitates with probability
``1 / (1 + exp(-beta (f_model - f_focal)))``; the focal is drawn from all Z, the model from the other Z - 1
(prefactor ``x_j / Z * x_i / (Z - 1)``); fitness has no self-interaction (co-players drawn without replacement,
hypergeometric); a mutation (probability mu) goes to one of the other m - 1 strategies at random;
``fixation[r, a]`` is one ``a`` mutant's fixation in a population of ``r``; the small-mutation chain moves from
``i`` to ``j`` with probability ``fixation[i, j] / (m - 1)``; states are numbered as ``sample_simplex``.

Where coop differs from EGTtools:

* ``PairwiseComparison`` returns row-stochastic matrices (as coop does), ``StochDynamics`` their transpose;
* ``StochDynamics.calculate_full_transition_matrix`` leaves pure-mutation moves (to a strategy absent from the
  state) out of the diagonal, so its columns on the simplex faces do not sum to one; coop (like
  ``PairwiseComparison``) puts ``1 - sum`` on the diagonal. ``test_stochdynamics_full_matrix`` compares the
  off-diagonal entries only, for this reason;
* ``StochDynamics.fixation_probability`` and ``PairwiseComparison`` return 0 once the running sum passes 1e7
  (fixation below 1e-7); coop sums in log space and returns the exact value (and its logarithm), so where
  EGTtools gives 0 the comparison only asks coop's value to be below 1e-7 (:func:`_assert_fixation_close`), and
  a stationary distribution built on such a cut can differ from the exact one by far more than the cut entry (a
  2-state chain with exits 5e-5 and 8e-10 has pi = (1.6e-5, 1 - 1.6e-5), EGTtools' cut chain (0, 1)); there the
  test hands coop's transition matrix to EGTtools' eigen-solver instead, which still checks coop's solve.

Keep a reference to every EGTtools game object while a ``PairwiseComparison`` uses it: the C++ model holds a
raw pointer, and a collected game crashes the process.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop.errors import InputError
from coop.games import NormalFormGame
from coop.games.population import PopulationGame, collective_risk_dilemma
from coop.solvers.evolution.finite_population import (
    all_states,
    fitness,
    num_states,
    simulate_chain,
    simulate_fixation,
    state_index,
)
from coop.solvers.evolution.fixation import (
    _log_gth_kernel,
    birth_death,
    fixation_probabilities,
    small_mutation_limit,
)
from coop.solvers.evolution.names import UPDATE_RULES
from coop.solvers.evolution.stationary import stationary_distribution, transition_matrix
from tests.oracles import egttools as egt

#: tolerance tiers: exact arithmetic paths agree to TOL; EGTtools' dense eigenvector to TOL_EIG
TOL = 1e-10
TOL_EIG = 1e-8
#: EGTtools returns 0 for fixation probabilities below this
EGT_CUTOFF = 1e-7
#: sampling bound: |estimate - exact| <= Z_SE standard errors (plus SLACK)
Z_SE = 5.0
SLACK = 1e-12


def _pc(z: int, egame):
    return egt.analytical.PairwiseComparison(z, egame)


def _egt_stationary(matrix_row_stochastic) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # EGTtools warns on entries close to 1
        return np.asarray(egt.utils.calculate_stationary_distribution(matrix_row_stochastic.transpose()))


def _assert_fixation_close(ours: np.ndarray, theirs: np.ndarray) -> bool:
    """Same fixation probabilities (or SML transitions) where EGTtools gives a positive value, below its cut-off
    where it gives 0; returns whether EGTtools cut any entry."""
    theirs = np.asarray(theirs)
    diag = np.eye(len(theirs), dtype=bool)
    cut = (theirs == 0.0) & ~diag
    keep = ~cut & ~diag
    assert np.allclose(ours[keep], theirs[keep], rtol=1e-9, atol=1e-14)
    assert np.all(ours[cut] < EGT_CUTOFF)
    # a transition matrix's diagonal absorbs the cut entries
    assert np.allclose(ours[diag], theirs[diag], rtol=1e-9, atol=EGT_CUTOFF if cut.any() else 1e-14)
    return bool(cut.any())


def _random_matrix(m: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((m, m))


def _crd_egt_order(n: int, threshold: int, cost: float, risk: float) -> PopulationGame:
    # EGTtools' OneShotCRD lists defectors first: strategy 0 = D, 1 = C
    # (reversing both axes swaps the strategies: composition c of two strategies is (N-1-c, c))
    ours = collective_risk_dilemma(n, threshold, cost, risk, strategies=("C", "D"))
    return PopulationGame(ours.payoffs[::-1, ::-1], n, ("D", "C"))


def _group_game_from_egt(payoffs_egt: np.ndarray, n: int, labels) -> PopulationGame:
    """EGTtools' payoffs per *group* composition (focal included) -> coop's per co-player composition."""
    m = payoffs_egt.shape[0]
    comps = all_states(n - 1, m)
    eye = np.eye(m, dtype=np.int64)
    table = np.array([[payoffs_egt[s, egt.calculate_state(n, c + eye[s])] for c in comps] for s in range(m)])
    return PopulationGame(table, n, tuple(labels))


# ============================================================================ closed forms
@pytest.mark.parametrize("rule", UPDATE_RULES)
@pytest.mark.parametrize("z", [2, 7, 40])
def test_neutral_mutant_fixes_with_one_over_z(rule, z):
    # beta = 0 on a random game, and equal payoffs under selection: both neutral
    g = PopulationGame.from_matrix(_random_matrix(3, z) * 0.3)
    assert np.allclose(fixation_probabilities(g, z, 0.0, rule).fixation, (1 - np.eye(3)) / z, atol=TOL)
    flat = PopulationGame.from_matrix(np.full((3, 3), 0.7))
    assert np.allclose(fixation_probabilities(flat, z, 0.9, rule).fixation, (1 - np.eye(3)) / z, atol=TOL)


@pytest.mark.parametrize("rule", UPDATE_RULES)
def test_neutral_group_game(rule):
    g = collective_risk_dilemma(5, 3, 0.1, 0.9)
    res = fixation_probabilities(g, 20, 0.0, rule)
    assert np.allclose(res.fixation, [[0, 1 / 20], [1 / 20, 0]], atol=TOL)


@pytest.mark.parametrize(
    "r, z",
    [pytest.param(1.1, 10, id="r1.1_z10"), pytest.param(2.0, 20, id="r2_z20"), pytest.param(0.8, 15, id="r0.8_z15"),
     pytest.param(1.5, 100, id="r1.5_z100"), pytest.param(1.0001, 50, id="nearly_neutral")],
)
def test_moran_constant_fitness(r, z):
    # A has fitness r, B fitness 1 whatever the state (Nowak 2006, eq. 6.12): rho = (1 - 1/r) / (1 - 1/r^Z)
    g = PopulationGame.from_matrix([[r, r], [1.0, 1.0]])
    res = fixation_probabilities(g, z, 1.0, "moran")
    expected = (1 - 1 / r) / (1 - r ** (-z))
    assert res.fixation[1, 0] == pytest.approx(expected, rel=1e-10)
    inverse = (1 - r) / (1 - r**z)  # B invading A: fitness ratio 1/r
    assert res.fixation[0, 1] == pytest.approx(inverse, rel=1e-10)


def test_moran_exp_equals_fermi_fixation():
    # T-/T+ = exp(-beta (f_A - f_B)) for both (Traulsen, Shoresh and Nowak 2008)
    g = PopulationGame.from_matrix(_random_matrix(4, 3))
    a = fixation_probabilities(g, 30, 0.7, "fermi").fixation
    b = fixation_probabilities(g, 30, 0.7, "moran_exp").fixation
    assert np.allclose(a, b, rtol=1e-12, atol=0)


def test_strong_selection_does_not_underflow():
    # rho far below the smallest double: the logarithm stays exact, the stationary distribution is well defined
    g = PopulationGame.from_matrix([[3.0, 0.0], [5.0, 1.0]], strategies=("C", "D"))
    res = small_mutation_limit(g, 100, 50.0)
    assert res.fixation.fixation[1, 0] == 0.0  # C invading D underflows
    assert np.isfinite(res.fixation.log_fixation).all()
    lf = res.fixation.log_fixation
    assert lf[1, 0] < -700 and res.stationary[1] == 1.0 and res.stationary.sum() == 1.0
    # two strategies: pi_C / pi_D = rho(C <- D) / rho(D <- C)
    # with moderate selection the same identity in plain numbers
    mid = small_mutation_limit(g, 30, 0.2)
    f = mid.fixation.fixation
    assert mid.stationary[0] / mid.stationary[1] == pytest.approx(f[1, 0] / f[0, 1], rel=1e-12)


def test_log_gth_matches_dense_solve():
    rng = np.random.default_rng(5)
    for n in (2, 3, 6, 10):
        P = rng.random((n, n))
        P /= P.sum(axis=1, keepdims=True)
        A = np.vstack([(P.T - np.eye(n))[:-1], np.ones(n)])
        expected = np.linalg.solve(A, np.eye(n)[-1])
        with np.errstate(divide="ignore"):
            logp = np.log(P)
        np.fill_diagonal(logp, -np.inf)
        assert np.allclose(_log_gth_kernel(logp), expected, atol=1e-13)


def test_two_strategy_full_chain_detailed_balance():
    # a birth-death chain: pi(k+1) T-(k+1) = pi(k) T+(k), independently of the sparse solve
    g = PopulationGame.from_matrix([[2.0, 0.0], [1.0, 1.5]], strategies=("A", "B"))
    z, beta, mu = 25, 1.5, 0.02
    res = stationary_distribution(g, z, beta, mu)
    P = transition_matrix(g, z, beta, mu).toarray()
    idx = [state_index([k, z - k]) for k in range(z + 1)]
    for k in range(z):
        up = P[idx[k], idx[k + 1]]
        down = P[idx[k + 1], idx[k]]
        assert res.distribution[idx[k]] * up == pytest.approx(res.distribution[idx[k + 1]] * down, rel=1e-9)


@pytest.mark.parametrize("rule", UPDATE_RULES)
def test_small_mutation_limit_is_the_limit_of_the_full_chain(rule):
    g = PopulationGame.from_matrix(_random_matrix(3, 11) + 2.0 if rule == "moran" else _random_matrix(3, 11))
    beta = 0.3 if rule == "moran" else 1.0
    sml = small_mutation_limit(g, 15, beta, rule)
    full = stationary_distribution(g, 15, beta, 1e-7, rule)
    assert full.monomorphic.sum() > 0.999
    assert np.allclose(full.monomorphic / full.monomorphic.sum(), sml.stationary, atol=2e-4)


# ============================================================================ EGTtools
@settings(deadline=None, max_examples=12)
@given(m=st.integers(2, 4), z=st.integers(2, 60), beta=st.floats(0.0, 3.0), seed=st.integers(0, 2**31))
def test_fixation_and_sml_match_egttools_pairwise_comparison(m, z, beta, seed):
    A = _random_matrix(m, seed)
    egame = egt.games.Matrix2PlayerGameHolder(m, A)
    model = _pc(z, egame)
    T, F = model.calculate_transition_and_fixation_matrix_sml(beta)
    res = small_mutation_limit(PopulationGame.from_matrix(A), z, beta)
    cut = _assert_fixation_close(res.fixation.fixation, F)
    _assert_fixation_close(res.transitions, T)
    # EGTtools solves with an eigendecomposition, whose rounding (about 1e-16 on entries near 1) moves the
    # distribution by about 1e-16 / (the smallest rate of leaving a state): with rates near 1e-14 (strong
    # selection) that is far above 1e-8, so the tolerance grows with it; coop's own result is checked exactly
    outflow = 1.0 - np.diag(res.transitions)
    tol = TOL_EIG + 1e-15 / max(float(outflow.min()), 1e-300)
    assert np.allclose(res.stationary, _egt_stationary(res.transitions if cut else np.asarray(T)), atol=tol)
    np.testing.assert_allclose(res.stationary @ res.transitions, res.stationary, atol=1e-15)
    if m == 2:  # a two-state chain: pi_0 = T_10 / (T_01 + T_10), exactly
        t01, t10 = res.transitions[0, 1], res.transitions[1, 0]
        assert res.stationary[0] == pytest.approx(t10 / (t01 + t10), rel=1e-9)


@pytest.mark.parametrize("m, z, beta", [pytest.param(2, 30, 0.5, id="m2"), pytest.param(3, 25, 2.0, id="m3"),
                                        pytest.param(4, 12, 1.0, id="m4")])
def test_fixation_matches_egttools_stochdynamics(m, z, beta):
    A = _random_matrix(m, 100 + m)
    sd = egt.analytical.StochDynamics(m, A, z)
    res = fixation_probabilities(PopulationGame.from_matrix(A), z, beta)
    for r, a in itertools.permutations(range(m), 2):
        # StochDynamics cuts fixation below ~1e-7 to 0
        assert res.fixation[r, a] == pytest.approx(sd.fixation_probability(a, r, beta), rel=1e-9, abs=1e-7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        T, F = sd.transition_and_fixation_matrix(beta)
    assert np.allclose(small_mutation_limit(PopulationGame.from_matrix(A), z, beta).transitions, T.T, atol=1e-7)


@pytest.mark.parametrize("m, z, mu, beta", [pytest.param(2, 40, 0.01, 1.0, id="m2"),
                                            pytest.param(3, 20, 0.05, 1.0, id="m3"),
                                            pytest.param(4, 8, 0.1, 2.0, id="m4")])
def test_full_chain_matches_egttools(m, z, mu, beta):
    A = _random_matrix(m, 200 + m)
    egame = egt.games.Matrix2PlayerGameHolder(m, A)
    model = _pc(z, egame)
    theirs = model.calculate_transition_matrix(beta, mu)
    g = PopulationGame.from_matrix(A)
    ours = transition_matrix(g, z, beta, mu)
    assert ours.shape == theirs.shape == (num_states(z, m),) * 2
    assert abs(ours - theirs).max() <= TOL
    assert np.allclose(ours.sum(axis=1), 1.0, atol=1e-14)
    res = stationary_distribution(g, z, beta, mu)
    assert np.allclose(res.distribution, _egt_stationary(theirs), atol=TOL_EIG)
    assert res.residual <= 1e-14


def test_stochdynamics_full_matrix():
    # same off-diagonal entries (StochDynamics is column-stochastic); its diagonal misses pure-mutation moves
    m, z, mu, beta = 3, 8, 0.05, 1.0
    A = _random_matrix(m, 7)
    sd = egt.analytical.StochDynamics(m, A, z, mu=mu)
    theirs = sd.calculate_full_transition_matrix(beta).toarray().T
    ours = transition_matrix(PopulationGame.from_matrix(A), z, beta, mu).toarray()
    off = ~np.eye(len(ours), dtype=bool)
    assert np.allclose(ours[off], theirs[off], atol=TOL)
    assert np.allclose(ours.sum(axis=1), 1.0, atol=1e-14)


@pytest.mark.parametrize("n, threshold, risk, z, beta", [
    pytest.param(6, 3, 0.5, 30, 2.0, id="N6_M3_r0.5"),
    pytest.param(4, 4, 0.9, 40, 5.0, id="N4_M4_r0.9"),
    pytest.param(10, 5, 0.25, 50, 1.0, id="N10_M5_r0.25"),
])
def test_collective_risk_dilemma_matches_egttools(n, threshold, risk, z, beta):
    egame = egt.games.OneShotCRD(1.0, 0.1, risk, n, threshold)
    g = _crd_egt_order(n, threshold, 0.1, risk)
    # same payoff table
    assert np.allclose(_group_game_from_egt(np.asarray(egame.payoffs()), n, ("D", "C")).payoffs[:, :], g.payoffs)
    model = _pc(z, egame)
    T, F = model.calculate_transition_and_fixation_matrix_sml(beta)
    res = small_mutation_limit(g, z, beta)
    cut = _assert_fixation_close(res.fixation.fixation, F)
    assert np.allclose(res.stationary, _egt_stationary(res.transitions if cut else np.asarray(T)), atol=TOL_EIG)
    theirs = model.calculate_transition_matrix(beta, 0.01)
    assert abs(transition_matrix(g, z, beta, 0.01) - theirs).max() <= TOL
    full = stationary_distribution(g, z, beta, 0.01)
    assert np.allclose(full.distribution, _egt_stationary(theirs), atol=TOL_EIG)


@settings(deadline=None, max_examples=6)
@given(m=st.integers(2, 3), n=st.integers(3, 5), z=st.integers(5, 14), seed=st.integers(0, 2**31))
def test_group_game_matches_egttools_matrix_n_player(m, n, z, seed):
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((m, egt.calculate_nb_states(n, m)))
    egame = egt.games.MatrixNPlayerGameHolder(m, n, table)
    model = _pc(z, egame)
    g = _group_game_from_egt(table, n, [f"s{k}" for k in range(m)])
    T, F = model.calculate_transition_and_fixation_matrix_sml(1.0)
    _assert_fixation_close(fixation_probabilities(g, z, 1.0).fixation, F)
    assert abs(transition_matrix(g, z, 1.0, 0.03) - model.calculate_transition_matrix(1.0, 0.03)).max() <= TOL


def test_state_order_matches_egttools():
    for z, m in ((3, 3), (5, 4), (7, 2)):
        states = all_states(z, m)
        assert len(states) == num_states(z, m) == egt.calculate_nb_states(z, m)
        for i, x in enumerate(states):
            assert np.array_equal(x, np.asarray(egt.sample_simplex(i, z, m), dtype=np.int64))
            assert state_index(x) == i == egt.calculate_state(z, x)


# ============================================================================ fitness by brute force
def _brute_fitness(game: PopulationGame, counts) -> np.ndarray:
    """Average payoff of each strategy over every group of N - 1 co-players drawn from the other individuals."""
    people = [s for s, c in enumerate(counts) for _ in range(c)]
    out = np.full(len(counts), np.nan)
    for s in range(len(counts)):
        if counts[s] == 0:
            continue
        focal = people.index(s)
        others = people[:focal] + people[focal + 1:]
        vals = [game.payoff(s, np.bincount(group, minlength=len(counts)))
                for group in itertools.combinations(others, game.group_size - 1)]
        out[s] = np.mean(vals)
    return out


@settings(deadline=None, max_examples=15)
@given(m=st.integers(2, 3), n=st.integers(2, 4), extra=st.integers(0, 3), seed=st.integers(0, 2**31))
def test_hypergeometric_fitness_equals_enumeration_of_groups(m, n, extra, seed):
    rng = np.random.default_rng(seed)
    z = n + extra
    g = PopulationGame(rng.standard_normal((m, math.comb(n - 1 + m - 1, m - 1))), n, tuple("abc"[:m]))
    counts = rng.multinomial(z, np.ones(m) / m)
    assert np.allclose(fitness(g, counts), _brute_fitness(g, counts), atol=1e-12, equal_nan=True)
    if m == 2 and 0 < counts[0] < z:
        bd = birth_death(g, z, 1.0, 0, 1)
        assert bd.fitness_invader[counts[0]] == pytest.approx(_brute_fitness(g, counts)[0], abs=1e-12)
        assert bd.fitness_resident[counts[0]] == pytest.approx(_brute_fitness(g, counts)[1], abs=1e-12)


def test_normal_form_conversion():
    # a symmetric 3-player game: payoff depends on own action and the number of others playing action 0
    base = np.array([[1.0, 4.0, 0.5], [2.0, 0.0, 3.0]])  # [own, number of others playing "x"]
    payoffs = np.zeros((3, 2, 2, 2))
    for prof in itertools.product(range(2), repeat=3):
        for i in range(3):
            others = [prof[j] for j in range(3) if j != i]
            payoffs[(i, *prof)] = base[prof[i], others.count(0)]
    game = NormalFormGame.from_payoffs(payoffs, actions=(("x", "y"),) * 3)
    pg = PopulationGame.from_normal_form(game)
    assert pg.group_size == 3 and pg.strategies == ("x", "y")
    for s in range(2):
        for j in range(3):
            assert pg.payoff(s, [j, 2 - j]) == base[s, j]
    assert np.allclose(PopulationGame.two_strategy(base[0], base[1], ("x", "y")).payoffs, pg.payoffs)
    A = _random_matrix(3, 1)
    assert np.array_equal(PopulationGame.from_normal_form(NormalFormGame.from_bimatrix(A, A.T)).payoffs, A)
    with pytest.raises(InputError, match="not symmetric"):
        PopulationGame.from_normal_form(NormalFormGame.from_bimatrix(A, A))


# ============================================================================ simulation
SIM_CASES = [
    pytest.param(PopulationGame.from_matrix([[3.0, 0.0], [5.0, 1.0]]), 12, 0.3, "fermi", id="pd_fermi"),
    pytest.param(PopulationGame.from_matrix([[2.0, 0.5], [1.0, 1.8]]), 10, 0.5, "moran", id="coord_moran"),
    pytest.param(collective_risk_dilemma(4, 2, 0.2, 0.8), 12, 3.0, "fermi", id="crd_fermi"),
    pytest.param(collective_risk_dilemma(4, 3, 0.2, 0.8), 10, 1.0, "moran_exp", id="crd_moran_exp"),
]


@pytest.mark.parametrize("game, z, beta, rule", SIM_CASES)
def test_simulated_fixation_agrees_with_exact(game, z, beta, rule):
    exact = fixation_probabilities(game, z, beta, rule).fixation
    for a, r in ((0, 1), (1, 0)):
        sim = simulate_fixation(game, z, beta, a, r, runs=20_000, rule=rule, seed=17 + a)
        p = exact[r, a]
        bound = Z_SE * math.sqrt(p * (1 - p) / sim.runs) + SLACK
        assert sim.unfinished == 0
        assert abs(sim.probability - p) <= bound


@pytest.mark.parametrize("rule", UPDATE_RULES)
def test_simulated_chain_agrees_with_stationary_distribution(rule):
    # 3 strategies with mutation; independent chains give the standard error of each state's occupation
    g = PopulationGame.from_matrix(np.array([[1.0, 0.2, 0.6], [0.9, 0.5, 0.1], [0.3, 1.1, 0.7]]))
    z, beta, mu = 8, 1.0 if rule != "moran" else 0.8, 0.08
    exact = stationary_distribution(g, z, beta, mu, rule).distribution
    runs = np.array([simulate_chain(g, z, beta, mu, steps=60_000, burn_in=500, rule=rule, seed=s).distribution
                     for s in range(12)])
    est = runs.mean(axis=0)
    se = runs.std(axis=0, ddof=1) / math.sqrt(len(runs))
    assert np.all(np.abs(est - exact) <= Z_SE * se + 2e-3 * exact + SLACK)
    assert np.abs(est - exact).sum() < 0.03  # total variation (x2)


def test_simulation_is_seeded():
    g = collective_risk_dilemma(4, 2, 0.2, 0.8)
    a = simulate_fixation(g, 10, 1.0, "C", "D", runs=500, seed=3)
    b = simulate_fixation(g, 10, 1.0, "C", "D", runs=500, seed=3)
    assert a.fixed == b.fixed and a.mean_steps == b.mean_steps
    c = simulate_chain(g, 10, 1.0, 0.1, steps=2000, seed=np.random.default_rng(4))
    d = simulate_chain(g, 10, 1.0, 0.1, steps=2000, seed=np.random.default_rng(4))
    assert np.array_equal(c.visits, d.visits)


# ============================================================================ results and JSON
def test_results_to_dict_are_json():
    g = collective_risk_dilemma(5, 3, 0.1, 0.9)
    sml = small_mutation_limit(g, 30, 2.0)
    full = stationary_distribution(g, 30, 2.0, 0.01)
    bd = birth_death(g, 30, 2.0, "C", "D")
    for d in (sml.to_dict(), sml.to_dict(["coop", "defect"]), full.to_dict(), full.to_dict(full=True),
              bd.to_dict(), simulate_fixation(g, 30, 2.0, "C", "D", runs=10, seed=1).to_dict(),
              simulate_chain(g, 30, 2.0, 0.01, steps=100, seed=1).to_dict(), g.to_dict()):
        json.loads(json.dumps(d))
    d = sml.to_dict()
    assert set(d["stationary"]) == {"C", "D"} and d["fixation"]["D"]["C"] == float(sml.fixation.fixation[1, 0])
    assert sum(s["probability"] for s in full.to_dict(full=True)["states"]) == pytest.approx(1.0)
    assert len(full.to_dict()["states"]) == 10


def test_inputs_left_unchanged_and_outputs_read_only():
    A = _random_matrix(3, 9)
    before = A.copy()
    g = PopulationGame.from_matrix(A)
    res = small_mutation_limit(g, 10, 1.0)
    assert np.array_equal(A, before)
    with pytest.raises(ValueError):
        res.stationary[0] = 1.0


# ============================================================================ bad input
PD = PopulationGame.from_matrix([[3.0, 0.0], [5.0, 1.0]], strategies=("C", "D"))
CRD = collective_risk_dilemma(5, 3, 0.1, 0.9)


@pytest.mark.parametrize("call, match", [
    pytest.param(lambda: fixation_probabilities(PD, 1, 1.0), "population size", id="z_below_2"),
    pytest.param(lambda: fixation_probabilities(PD, 10.5, 1.0), "population size", id="z_not_int"),
    pytest.param(lambda: fixation_probabilities(CRD, 4, 1.0), "larger than the population", id="group_gt_z"),
    pytest.param(lambda: fixation_probabilities(PD, 10, -0.1), "beta", id="beta_negative"),
    pytest.param(lambda: fixation_probabilities(PD, 10, float("nan")), "beta", id="beta_nan"),
    pytest.param(lambda: fixation_probabilities(PD, 10, 1.0, rule="wright"), "update rule", id="rule"),
    pytest.param(lambda: fixation_probabilities(PD, 10, 1.5, rule="moran"), "beta in", id="moran_beta"),
    pytest.param(lambda: fixation_probabilities(PopulationGame.from_matrix([[-5.0, 0], [0, 1]]), 10, 0.5, "moran"),
                 "positive", id="moran_negative_fitness"),
    pytest.param(lambda: stationary_distribution(PD, 10, 1.0, 1.5), "mu", id="mu_above_1"),
    pytest.param(lambda: stationary_distribution(PD, 10, 1.0, -0.1), "mu", id="mu_negative"),
    pytest.param(lambda: stationary_distribution(PD, 10, 1.0, 0.0), "mu > 0", id="mu_zero_full_chain"),
    pytest.param(lambda: stationary_distribution(PopulationGame.from_matrix(np.eye(20)), 200, 1.0, 0.1),
                 "states", id="too_many_states"),
    pytest.param(lambda: PopulationGame.from_matrix([[1.0, 2.0, 3.0]]), "square", id="matrix_not_square"),
    pytest.param(lambda: PopulationGame.from_matrix([[1.0, "x"], [0, 1]]), "numbers", id="matrix_not_numbers"),
    pytest.param(lambda: PopulationGame.from_matrix([[1.0, np.inf], [0, 1]]), "finite", id="matrix_inf"),
    pytest.param(lambda: PopulationGame(np.zeros((2, 3)), 4, ("a", "b")), "shape", id="group_payoff_shape"),
    pytest.param(lambda: PopulationGame(np.zeros((2, 2)), 1, ("a", "b")), "group size", id="group_size_1"),
    pytest.param(lambda: PopulationGame(np.zeros((2, 2)), 2, ("a", "a")), "unique", id="duplicate_labels"),
    pytest.param(lambda: PopulationGame.two_strategy([1, 2, 3], [1, 2]), "same length", id="two_strategy_len"),
    pytest.param(lambda: collective_risk_dilemma(4, 5, 0.1, 0.5), "threshold", id="crd_threshold"),
    pytest.param(lambda: collective_risk_dilemma(4, 2, 0.1, 1.5), "risk", id="crd_risk"),
    pytest.param(lambda: birth_death(PD, 10, 1.0, "C", "C"), "different", id="same_pair"),
    pytest.param(lambda: birth_death(PD, 10, 1.0, "C", "X"), "unknown strategy", id="unknown_strategy"),
    pytest.param(lambda: simulate_chain(PD, 10, 1.0, 0.1, 100, start=[5, 4]), "start", id="bad_start"),
    pytest.param(lambda: simulate_fixation(PD, 10, 1.0, 0, 1, seed=-3), "seed", id="bad_seed"),
    pytest.param(lambda: fitness(PD, [3, -1]), "counts", id="bad_state"),
    pytest.param(lambda: fixation_probabilities(np.eye(2), 10, 1.0), "PopulationGame", id="not_a_game"),
])
def test_bad_input_raises_one_line(call, match):
    with pytest.raises(InputError, match=match) as err:
        call()
    assert "\n" not in str(err.value)
