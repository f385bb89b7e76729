"""A readable, independent statement of coop's equilibrium check, for the tests to compare with.

Player ``i``'s *stake* at a profile is the spread of ``u_i(k, s_-i)`` over all own actions ``k``
and all ``s_-i`` the others play with positive probability, at least ``1e-6`` times the largest
magnitude among them; a profile is an equilibrium when every player's regret is at most ``tol``
times their stake (see ``coop.solvers.shared.tolerances``). Written with plain loops over
profiles, on each player's payoffs divided by their largest magnitude (the ratio does not change
under that rescaling), so it shares no code with the solvers.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from coop.games import NormalFormGame

STAKE_FLOOR = 1e-6


def regret_ratios(game: NormalFormGame, strategies: Sequence[np.ndarray]) -> np.ndarray:
    """Each player's regret divided by their stake, ``(N,)`` (0 where nothing is at stake and nothing is lost)."""
    n = game.num_players
    out = np.zeros(n)
    for i in range(n):
        u = game.payoffs[i] / max(float(np.abs(game.payoffs[i]).max()), 1e-300)
        others = [range(a) if j != i else range(1) for j, a in enumerate(game.num_actions)]
        values = np.zeros(game.num_actions[i])
        at_stake = []
        for prof in itertools.product(*others):
            weight = 1.0
            for j in range(n):
                if j != i:
                    weight *= float(strategies[j][prof[j]])
            for k in range(game.num_actions[i]):
                full = list(prof)
                full[i] = k
                values[k] += weight * u[tuple(full)]
                if weight > 0.0:
                    at_stake.append(u[tuple(full)])
        own = float(values @ np.asarray(strategies[i]))
        regret = max(float(values.max()) - own, 0.0)
        hi, lo = max(at_stake), min(at_stake)
        stake = max(hi - lo, STAKE_FLOOR * max(abs(hi), abs(lo)))
        out[i] = regret / stake if stake > 0.0 else (np.inf if regret > 0.0 else 0.0)
    return out


def is_equilibrium(game: NormalFormGame, strategies: Sequence[np.ndarray], tol: float = 1e-9) -> bool:
    """Whether every player's regret is within ``tol`` of their stake (with room for rounding in the ratio)."""
    return bool(regret_ratios(game, strategies).max() <= tol * (1.0 + 1e-6) + 1e-15)


def pure_equilibria(game: NormalFormGame, tol: float = 1e-9) -> set[tuple[int, ...]]:
    """Every pure profile that passes :func:`is_equilibrium`, by brute force."""
    return {
        prof
        for prof in itertools.product(*[range(a) for a in game.num_actions])
        if is_equilibrium(game, game.pure_profile(prof), tol)
    }
