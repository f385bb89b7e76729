"""The timing harness shared by the benchmark workloads (see run.py for how numbers are taken)."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

#: matched equilibria agree to this (max abs difference of probabilities)
PROB_TOL = 1e-6
#: a reference point counts as an equilibrium when its regret is at most this times the payoff spread
REF_REGRET_TOL = 1e-7
#: calls shorter than this are looped and the mean taken, so timer resolution does not matter
MIN_SAMPLE = 2e-3
#: a reference slower than this per call is timed once per seed, not per repeat
SLOW_CALL = 20.0
#: largest n at which pygambit's lcp_solve is called (it runs for minutes on some games above)
GAMBIT_LCP_MAX_N = 50


# ----------------------------------------------------------------------------- rows
@dataclass
class Row:
    """One line of the table (and of the JSON output)."""

    workload: str
    size: str
    reference: str
    coop_seconds: float | None
    reference_seconds: float | None
    ratio: float | None
    agree: bool | None
    target: str = ""
    meets_target: bool | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        d.update(self.extra)
        return d


@dataclass
class Config:
    quick: bool
    seeds: int
    repeats: int


def median(xs: Sequence[float]) -> float | None:
    return float(statistics.median(xs)) if xs else None


def ratio(ref: float | None, coop: float | None) -> float | None:
    if ref is None or coop is None or coop <= 0:
        return None
    return ref / coop


# ----------------------------------------------------------------------------- timing
def time_once(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds for one call with the garbage collector off, and the call's value."""
    gc.disable()
    try:
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
    finally:
        gc.enable()
    return dt, out


def time_call(fn: Callable[[], Any], hint: float) -> float:
    """Seconds per call; loops short calls (``hint``: a previous call's time) to at least ``MIN_SAMPLE``."""
    loops = 1 if hint >= MIN_SAMPLE else min(10_000, max(1, int(MIN_SAMPLE / max(hint, 1e-7))))
    gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(loops):
            fn()
        dt = time.perf_counter() - t0
    finally:
        gc.enable()
    return dt / loops


class Contest:
    """Interleaved timing of coop and references over seeds and repeats.

    ``add(name, fn, hint)`` for each contender of one seed, then ``run(repeats)``
    times them in turn; ``median(name)`` is the median over seeds of the
    per-seed medians.
    """

    def __init__(self) -> None:
        self.per_seed: dict[str, list[float]] = {}
        self.first_call: dict[str, float] = {}
        self.build: dict[str, list[float]] = {}
        self._round: list[tuple[str, Callable[[], Any], float]] = []

    def note_first(self, name: str, seconds: float) -> None:
        self.first_call.setdefault(name, seconds)

    def note_build(self, name: str, seconds: float) -> None:
        self.build.setdefault(name, []).append(seconds)

    def add(self, name: str, fn: Callable[[], Any], hint: float) -> None:
        self._round.append((name, fn, hint))

    def run(self, repeats: int) -> None:
        samples: dict[str, list[float]] = {name: [] for name, _, _ in self._round}
        gc.collect()  # once per round: a full collection costs ~0.1 s once Numba and pygambit are loaded
        for r in range(repeats):
            for name, fn, hint in self._round:
                if hint > SLOW_CALL and r > 0:
                    continue  # the agreement call already took long: one sample (the hint) is enough
                samples[name].append(hint if hint > SLOW_CALL else time_call(fn, hint))
        for name, xs in samples.items():
            self.per_seed.setdefault(name, []).append(float(statistics.median(xs)))
        self._round = []

    def median(self, name: str) -> float | None:
        return median(self.per_seed.get(name, []))

    def buildmedian(self, name: str) -> float | None:
        return median(self.build.get(name, []))


def extra_fields(contest: Contest, coop: str, ref: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "coop_first_call_seconds": contest.first_call.get(coop),
        "coop_build_seconds": contest.buildmedian(coop),
        "seeds": len(contest.per_seed.get(coop, [])),
    }
    if ref is not None:
        out["reference_first_call_seconds"] = contest.first_call.get(ref)
        out["reference_build_seconds"] = contest.buildmedian(ref)
    return out


def target_row(workload: str, size: str, reference: str, contest: Contest, coop: str, ref: str,
                agree: bool, min_ratio: float | None, notes: str = "", skipped: str = "") -> Row:
    coop_s = contest.median(coop)
    if skipped:
        return Row(workload, size, reference, coop_s, None, None, agree,
                   target=f">= {min_ratio:g}x" if min_ratio else "", meets_target=None,
                   notes="; ".join(x for x in (skipped, notes) if x), extra=extra_fields(contest, coop, None))
    ref_s = contest.median(ref)
    r = ratio(ref_s, coop_s)
    meets = None if min_ratio is None or r is None else bool(r >= min_ratio)
    return Row(workload, size, reference, coop_s, ref_s, r, agree,
               target=f">= {min_ratio:g}x" if min_ratio else "", meets_target=meets, notes=notes,
               extra=extra_fields(contest, coop, ref))


# ----------------------------------------------------------------------------- comparing answers
def gambit_points(result) -> list[np.ndarray]:
    """Each pygambit equilibrium as one flat probability vector (players in order).

    pygambit 17 yields a profile's mixed strategies player by player, each as (strategy label, probability) pairs.
    """
    return [np.array([float(prob) for mixed in eq for _, prob in mixed]) for eq in result.equilibria]


def coop_points(result) -> list[np.ndarray]:
    return [np.concatenate(eq.strategies) for eq in result.equilibria]


def missing(found: Sequence[np.ndarray], reference: Sequence[np.ndarray], tol: float = PROB_TOL) -> int:
    """How many points of ``reference`` have no match within ``tol`` in ``found``."""
    return sum(not any(np.max(np.abs(q - f)) <= tol for f in found) for q in reference)


def same_set(a: Sequence[np.ndarray], b: Sequence[np.ndarray], tol: float = PROB_TOL) -> bool:
    return len(a) == len(b) and missing(a, b, tol) == 0 and missing(b, a, tol) == 0


def regret_ok(game, point: np.ndarray, rel: float = REF_REGRET_TOL) -> bool:
    cuts = np.cumsum(game.num_actions)[:-1]
    return bool(game.max_regret(np.split(point, cuts)) <= rel * game.payoff_scale)


def random_game(shape: tuple[int, ...], seed: int):
    from coop.games import NormalFormGame

    rng = np.random.default_rng(seed)
    data = rng.standard_normal((len(shape), *shape))
    return time_once(lambda: NormalFormGame.from_payoffs(data))


