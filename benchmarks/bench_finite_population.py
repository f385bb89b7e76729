"""Benchmark workloads: finite-population dynamics against EGTtools.

``bench_fixation``: the fixation probabilities of every ordered pair of strategies and the small-mutation-limit
stationary distribution, Z = 100, 2, 5 and 10 strategies of a random pairwise game (target >= 10x). coop's
:func:`coop.solvers.evolution.fixation.small_mutation_limit` (game built from the matrix, fixation, embedded chain,
stationary vector) is timed against EGTtools as a user runs it: ``Matrix2PlayerGameHolder`` and
``PairwiseComparison`` built, ``calculate_transition_and_fixation_matrix_sml(beta)`` (C++) and
``egttools.utils.calculate_stationary_distribution`` on the embedded chain. The pure-Python ``StochDynamics``
path (``calculate_stationary_distribution(beta)``) is timed beside it and reported in the notes.

``bench_stationary``: the full stationary distribution with mutation, 3 strategies, Z = 100 (5151 states; ``--quick``
Z = 30, 496 states), target >= 100x: coop's
:func:`coop.solvers.evolution.stationary.stationary_distribution` (sparse chain and sparse solve)
against ``PairwiseComparison.calculate_transition_matrix(beta, mu)`` followed by
``egttools.utils.calculate_stationary_distribution`` (a dense eigen-decomposition of the 5151 x 5151 matrix, about
two minutes on a 2-core machine: one game, the reference timed once).

Agreement is checked before timing: fixation probabilities to a relative 1e-9 (EGTtools returns 0 below 1e-7,
where coop's value must then be below 1e-7), stationary distributions to 1e-8 in every entry.
"""

from __future__ import annotations

import warnings

import numpy as np
from harness import Config, Contest, Row, target_row, time_once

Z_POP = 100
BETA = 0.1
MU = 0.01
#: EGTtools' fixation probabilities are 0 below this
EGT_CUTOFF = 1e-7
FIX_RTOL = 1e-9
STAT_TOL = 1e-8


def _egt_stationary(transitions_row_stochastic) -> np.ndarray:
    import egttools as egt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # EGTtools warns on entries close to 1
        return np.asarray(egt.utils.calculate_stationary_distribution(transitions_row_stochastic.transpose()))


def _fixation_agree(ours: np.ndarray, theirs: np.ndarray) -> tuple[bool, bool]:
    """(agree, cut): same fixation probabilities where EGTtools' are positive, coop's below its cut-off elsewhere."""
    theirs = np.asarray(theirs)
    off = ~np.eye(len(theirs), dtype=bool)
    cut = off & (theirs == 0.0)
    keep = off & ~cut
    ok = np.allclose(ours[keep], theirs[keep], rtol=FIX_RTOL, atol=1e-14) and bool(np.all(ours[cut] < EGT_CUTOFF))
    return ok, bool(cut.any())


def bench_fixation(cfg: Config) -> list[Row]:
    import egttools as egt

    from coop.games.population import PopulationGame
    from coop.solvers.evolution.fixation import small_mutation_limit

    seeds = 1 if cfg.quick else min(cfg.seeds, 5)
    repeats = min(cfg.repeats, 2 if cfg.quick else 5)
    rows = []
    for m in (2, 5, 10):
        contest = Contest()
        agree = True
        notes: list[str] = []
        for seed in range(seeds):
            A = np.random.default_rng(1000 * m + seed).standard_normal((m, m))

            def coop_fn(A=A):
                return small_mutation_limit(PopulationGame.from_matrix(A), Z_POP, BETA)

            def ref_fn(A=A, m=m):
                game = egt.games.Matrix2PlayerGameHolder(m, A)
                model = egt.analytical.PairwiseComparison(Z_POP, game)  # keeps a raw pointer: game stays alive here
                T, F = model.calculate_transition_and_fixation_matrix_sml(BETA)
                return np.asarray(T), np.asarray(F), _egt_stationary(np.asarray(T))

            def stoch_fn(A=A, m=m):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    return egt.analytical.StochDynamics(m, A, Z_POP).calculate_stationary_distribution(BETA)

            t_first, mine = time_once(coop_fn)
            contest.note_first("coop", t_first)
            t_ref, (T, F, pi) = time_once(ref_fn)
            contest.note_first("egttools", t_ref)
            t_sd, pi_sd = time_once(stoch_fn)
            contest.note_first("stochdynamics", t_sd)
            ok, cut = _fixation_agree(mine.fixation.fixation, F)
            # on a cut, EGTtools' chain differs from the exact one: check coop's solve with EGTtools' solver
            ref_pi = _egt_stationary(mine.transitions) if cut else pi
            ok = ok and np.allclose(mine.stationary, ref_pi, atol=STAT_TOL)
            ok = ok and (cut or np.allclose(mine.stationary, pi_sd, atol=STAT_TOL))
            if not ok:
                agree = False
                notes.append(f"seed {seed}: fixation or stationary distribution differs from EGTtools")
            contest.add("coop", coop_fn, time_once(coop_fn)[0])
            contest.add("egttools", ref_fn, t_ref)
            contest.add("stochdynamics", stoch_fn, t_sd)
            contest.run(repeats)
        sd_s, coop_s = contest.median("stochdynamics"), contest.median("coop")
        sd_ratio = sd_s / coop_s if sd_s and coop_s else None
        notes.insert(0, f"beta {BETA:g}; fixation to rel {FIX_RTOL:g} and stationary to {STAT_TOL:g} of EGTtools'")
        notes.append(f"EGTtools StochDynamics (Python): {sd_s:.3g} s, {sd_ratio:.0f}x coop" if sd_ratio
                     else "StochDynamics not timed")
        row = target_row("fixation + small-mutation stationary", f"Z = {Z_POP}, {m} strategies",
                         "egttools PairwiseComparison (SML) + calculate_stationary_distribution", contest, "coop",
                         "egttools", agree, 10, "; ".join(notes))
        row.extra.update({"strategies": m, "population_size": Z_POP, "beta": BETA,
                          "stochdynamics_seconds": sd_s, "stochdynamics_ratio": sd_ratio})
        rows.append(row)
    return rows


def bench_stationary(cfg: Config) -> list[Row]:
    import egttools as egt

    from coop.games.population import PopulationGame
    from coop.solvers.evolution.finite_population import num_states
    from coop.solvers.evolution.stationary import stationary_distribution

    z = 30 if cfg.quick else Z_POP
    m = 3
    seeds = 1  # the reference's dense eigen-decomposition takes minutes at Z = 100: one game
    repeats = min(cfg.repeats, 2 if cfg.quick else 5)
    contest = Contest()
    agree = True
    notes: list[str] = []
    worst = 0.0
    for seed in range(seeds):
        A = np.random.default_rng(77 + seed).standard_normal((m, m))

        def coop_fn(A=A):
            return stationary_distribution(PopulationGame.from_matrix(A), z, BETA, MU)

        def ref_fn(A=A):
            game = egt.games.Matrix2PlayerGameHolder(m, A)
            model = egt.analytical.PairwiseComparison(z, game)
            return _egt_stationary(model.calculate_transition_matrix(BETA, MU))

        t_first, mine = time_once(coop_fn)
        contest.note_first("coop", t_first)
        t_ref, theirs = time_once(ref_fn)
        contest.note_first("egttools", t_ref)
        dev = float(np.max(np.abs(mine.distribution - theirs)))
        worst = max(worst, dev)
        if not dev <= STAT_TOL:
            agree = False
            notes.append(f"seed {seed}: stationary distribution off EGTtools' by {dev:.3g}")
        contest.add("coop", coop_fn, time_once(coop_fn)[0])
        contest.add("egttools", ref_fn, t_ref)
        contest.run(repeats)
    notes.insert(0, f"beta {BETA:g}, mu {MU:g}; largest difference from EGTtools {worst:.2g} (bound {STAT_TOL:g})")
    row = target_row("full stationary distribution with mutation",
                     f"Z = {z}, {m} strategies, {num_states(z, m)} states",
                     "egttools PairwiseComparison.calculate_transition_matrix + calculate_stationary_distribution",
                     contest, "coop", "egttools", agree, 100, "; ".join(notes))
    row.extra.update({"strategies": m, "population_size": z, "beta": BETA, "mu": MU,
                      "states": num_states(z, m), "max_abs_difference": worst})
    return [row]
