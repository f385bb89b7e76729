"""Tolerances every solver family shares (imports nothing heavy, so reporters can read them too).

The regret check is per player and local: at a profile, player ``i``'s *stake* is the spread
(max - min) of the payoffs ``u_i(k, s_-i)`` over every own action ``k`` and every ``s_-i`` the
others play with positive probability, but at least ``STAKE_FLOOR`` times the largest of
their magnitudes (rounding in payoffs of that size is no gain). A profile is an equilibrium
when every player's regret is at most ``tol`` times their stake. A large payoff elsewhere in
the game, or in another player's table, never loosens the check, and multiplying one player's
payoffs by any positive number leaves it unchanged.
"""

#: Relative regret tolerance: an equilibrium's regret must be at most this times each player's stake.
REGRET_TOL = 1e-9
#: The largest relative tolerance accepted (more would admit a tenth of what is at stake as a gain).
MAX_REGRET_TOL = 0.1
#: The smallest: below it the check would ask for more than double precision can compute.
MIN_REGRET_TOL = 1e-14
#: A player's stake is at least this times the largest payoff magnitude at stake.
STAKE_FLOOR = 1e-6
def stake(hi: float, lo: float) -> float:
    """A player's stake from the largest (``hi``) and least (``lo``) payoff at stake: their spread, but at least
    ``STAKE_FLOOR`` times the larger magnitude (the rule of the module docstring)."""
    return max(hi - lo, STAKE_FLOOR * max(abs(hi), abs(lo)))


#: Probabilities below this are printed and exported as zero after verification.
PROB_EPS = 1e-12
