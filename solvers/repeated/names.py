"""Names and defaults of the repeated-game family, one source for the scenario parsers, the CLI and the solvers.

Imports nothing heavy. The names of the built-in strategies are in :mod:`coop.games.names`.

Examples
--------
>>> MINMAX_MODES
('mixed', 'pure', 'correlated')
"""

from __future__ import annotations

from typing import Literal, get_args

#: Which minmax bounds the individually rational payoffs from below
#: (:func:`coop.solvers.repeated.payoff_sets.individually_rational_set`).
MinmaxMode = Literal["mixed", "pure", "correlated"]

MINMAX_MODES: tuple[MinmaxMode, ...] = get_args(MinmaxMode)

#: Periods per match of a tournament.
DEFAULT_TURNS = 200

#: Round robins played in a tournament.
DEFAULT_REPETITIONS = 10

#: Seed of a tournament's random numbers (the same seed gives the same scores).
DEFAULT_TOURNAMENT_SEED = 0
