"""Benchmark workload: a round-robin tournament of 10 classic strategies against the Axelrod library.

The issue's workload: 10 classic strategies, 200 turns, 10 repetitions, noise 0 and 0.05 (``--quick``: 50
turns, 3 repetitions). coop's :func:`coop.solvers.repeated.tournament.round_robin` (strategies built from their names,
simulation, scores and ranking) is timed against ``axelrod.Tournament(...).play(progress_bar=False)``, single
process (players built from their classes, matches played, ``ResultSet`` built, as a user gets it). The time of
Axelrod's matches alone (``play(build_results=False)``) is reported beside it.

Agreement is checked before timing. Without noise: every match between two deterministic strategies has the same
total score in coop and in Axelrod, in every repetition, and both equal coop's exact (sampling-free) total. With
noise: every entry of both libraries' payoff matrix (mean score per turn over repetitions) lies within
``Z`` standard errors of coop's exact expected score, the standard error taken from a long coop simulation.
"""

from __future__ import annotations

import warnings

import numpy as np
from harness import Config, Contest, Row, target_row, time_once

#: coop builder name -> Axelrod class name, the 10 classic strategies of the workload
CLASSIC = {
    "always_cooperate": "Cooperator",
    "always_defect": "Defector",
    "tit_for_tat": "TitForTat",
    "grudger": "Grudger",
    "win_stay_lose_shift": "WinStayLoseShift",
    "generous_tit_for_tat": "GTFT",
    "tit_for_two_tats": "TitFor2Tats",
    "suspicious_tit_for_tat": "SuspiciousTitForTat",
    "alternator": "Alternator",
    "random": "Random",
}
STOCHASTIC = {"generous_tit_for_tat", "random"}
#: sampling bound for the noisy comparison: |mean - expectation| <= Z standard errors (plus SLACK)
Z = 5.0
SLACK = 1e-9
#: repetitions of the long coop simulation that estimates the per-repetition spread of each entry
SPREAD_REPS = 400


def _pd():
    from coop.games import NormalFormGame
    from coop.games.repeated import RepeatedGame

    A = np.array([[3.0, 0.0], [5.0, 1.0]])  # Axelrod's default game: R, S, T, P = 3, 0, 5, 1
    stage = NormalFormGame.from_bimatrix(A, A.T, ("Row", "Column"), (("C", "D"), ("C", "D")))
    return RepeatedGame(stage, None, (0, 0), (1, 1))


def _axelrod_play(names: list[str], turns: int, reps: int, noise: float, seed: int, build: bool = True):
    import axelrod as axl

    players = [getattr(axl, CLASSIC[n])() for n in names]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Axelrod warns about its temporary file when results are not built
        t = axl.Tournament(players, turns=turns, repetitions=reps, noise=noise, seed=seed)
        return t.play(progress_bar=False, build_results=build)


def bench_tournament(cfg: Config) -> list[Row]:
    from coop.solvers.repeated.tournament import round_robin

    turns, reps = (50, 3) if cfg.quick else (200, 10)
    seeds = 1 if cfg.quick else min(cfg.seeds, 3)
    repeats = min(cfg.repeats, 2 if cfg.quick else 3)
    names = list(CLASSIC)
    k = len(names)
    game = _pd()
    det = np.array([n not in STOCHASTIC for n in names])
    det_pairs = det[:, None] & det[None, :]
    size = f"{k} strategies, {turns} turns, {reps} reps"
    rows = []
    for noise in (0.0, 0.05):
        contest = Contest()
        agree = True
        notes: list[str] = []
        exact = round_robin(game, names, turns=turns, noise=noise, exact=True)
        spread = None
        if noise > 0:
            long = round_robin(game, names, turns=turns, repetitions=SPREAD_REPS, noise=noise, seed=10_000)
            spread = long.payoff_std_error * np.sqrt(SPREAD_REPS)  # std over repetitions of each entry
        worst = 0.0
        for seed in range(seeds):
            def coop_fn(seed=seed, noise=noise):
                return round_robin(game, names, turns=turns, repetitions=reps, noise=noise, seed=seed)

            def ref_fn(seed=seed, noise=noise):
                return _axelrod_play(names, turns, reps, noise, seed)

            def ref_play_fn(seed=seed, noise=noise):
                return _axelrod_play(names, turns, reps, noise, seed, build=False)

            t_first, mine = time_once(coop_fn)
            contest.note_first("coop", t_first)
            t_ref, theirs = time_once(ref_fn)
            contest.note_first("axelrod", t_ref)
            per_rep = np.array(theirs.payoffs).transpose(2, 0, 1) * turns  # (reps, K, K) totals
            if noise == 0.0:
                same = (np.all(np.abs(per_rep - mine.match_totals)[:, det_pairs] <= 1e-9)
                        and np.array_equal(mine.match_totals[:, det_pairs],
                                           np.broadcast_to(exact.match_totals, mine.match_totals.shape)[:, det_pairs]))
                if not same:
                    agree = False
                    notes.append(f"seed {seed}: deterministic match totals differ from Axelrod's")
            else:
                bound = Z * spread / np.sqrt(reps) + SLACK
                for label, means in (("axelrod", per_rep.mean(axis=0) / turns), ("coop", mine.payoff_matrix)):
                    dev = np.abs(means - exact.payoff_matrix)
                    worst = max(worst, float(np.max(dev / bound)))
                    if np.any(dev > bound):
                        agree = False
                        notes.append(f"seed {seed}: {label} means off coop's expected scores by more than "
                                     f"{Z:g} standard errors")
            contest.add("coop", coop_fn, time_once(coop_fn)[0])
            contest.add("axelrod", ref_fn, t_ref)
            t_play, _ = time_once(ref_play_fn)
            contest.note_first("axelrod_play", t_play)
            contest.add("axelrod_play", ref_play_fn, t_play)
            contest.run(repeats)
        if noise == 0.0:
            notes.append(f"same totals as Axelrod for all {int(det_pairs.sum())} ordered deterministic pairs, "
                         "every repetition")
        else:
            notes.append(f"payoff-matrix means of both libraries at most {worst * Z:.2f} standard errors (bound "
                         f"{Z:g}) from coop's exact expected scores (spread from {SPREAD_REPS} repetitions)")
        play_s = contest.median("axelrod_play")
        coop_s = contest.median("coop")
        play_ratio = None if play_s is None or not coop_s else play_s / coop_s
        notes.append(f"Axelrod's matches alone (play(build_results=False)): {play_s:.3g} s, "
                     f"{play_ratio:.0f}x coop" if play_ratio else "Axelrod's matches alone not timed")
        row = target_row("tournament", f"{size}, noise {noise:g}", "axelrod Tournament.play (1 process)", contest,
                         "coop", "axelrod", agree, 300, "; ".join(notes))
        row.extra.update({"noise": noise, "turns": turns, "repetitions": reps,
                          "axelrod_play_only_seconds": play_s, "axelrod_play_only_ratio": play_ratio})
        rows.append(row)
    return rows
