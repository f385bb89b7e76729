r"""Group achievement: how often groups drawn from a finite population reach a threshold.

In a threshold game (the collective-risk dilemma of Santos and Pacheco 2011, a treaty that needs
:math:`M` members, a red line that holds when at least :math:`M` of :math:`N` hold it) what matters
to the world is not each strategy's share but how often a group reaches the threshold. With
:math:`k` players of the strategy among :math:`Z`, a group of :math:`N` drawn at random (without
replacement) has :math:`j` of them with the hypergeometric probability, so it succeeds with

.. math:: a_G(k) = \binom{Z}{N}^{-1} \sum_{j=M}^{N} \binom{k}{j} \binom{Z-k}{N-j},

and the *group achievement* is its average over where the population spends its time,
:math:`\eta_G = \sum_x \sigma(x)\, a_G(k(x))` (Santos and Pacheco 2011, eq. 3 and Fig. 2).

References
----------
Santos, F. C. and Pacheco, J. M. (2011). Risk of collective failure provides an escape from the
tragedy of the commons. *PNAS* 108(26), 10421-10425.
"""

from __future__ import annotations

import numpy as np


def success_probabilities(population_size: int, group_size: int, at_least: int) -> np.ndarray:
    """``a_G(k)`` for ``k = 0..Z``: the probability that a group of ``N`` drawn from ``Z`` players, ``k`` of whom
    play the strategy, has at least ``M`` of them.

    Examples
    --------
    Groups of 2 from 4 players, 2 of them cooperators: both are cooperators in 1 of the 6 pairs,
    at least one in 5 of them:

    >>> float(success_probabilities(4, 2, 2)[2] * 6), float(success_probabilities(4, 2, 1)[2] * 6)
    (1.0, 5.0)
    """
    from scipy.stats import hypergeom

    if not 1 <= group_size <= population_size:
        raise ValueError(f"groups of {group_size} cannot be drawn from {population_size} players")
    k = np.arange(population_size + 1)
    if at_least <= 0:
        return np.ones(k.size)
    if at_least > group_size:
        return np.zeros(k.size)
    out: np.ndarray = hypergeom.sf(at_least - 1, population_size, k, group_size)
    return np.clip(out, 0.0, 1.0)


def group_achievement(counts: np.ndarray, distribution: np.ndarray, population_size: int, group_size: int,
                      at_least: int) -> float:
    """The group achievement ``eta_G``: the success probability averaged over a distribution of population states.

    Parameters
    ----------
    counts : numpy.ndarray
        ``(S,)`` int: the number of players of the strategy in each population state.
    distribution : numpy.ndarray
        ``(S,)`` the probability of each state (the stationary distribution).
    population_size, group_size, at_least : int
        ``Z``, ``N`` and the threshold ``M``.

    Examples
    --------
    Half the time all cooperate, half the time none does:

    >>> group_achievement(np.array([10, 0]), np.array([0.5, 0.5]), 10, 6, 3)
    0.5
    """
    a = success_probabilities(population_size, group_size, at_least)
    return float(np.clip(np.asarray(distribution, dtype=float) @ a[np.asarray(counts, dtype=np.int64)], 0.0, 1.0))
