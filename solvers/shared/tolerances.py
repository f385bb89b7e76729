"""Tolerances every solver family shares (imports nothing heavy, so reporters can read them too)."""

#: Relative regret tolerance: an equilibrium's regret must be at most this times the payoff spread.
REGRET_TOL = 1e-9
#: Probabilities below this are printed and exported as zero after verification.
PROB_EPS = 1e-12
