"""Names of the built-in strategies of repeated games and of their parameters, one source for the automata, the
scenario parsers and the solvers.

Imports nothing heavy. :data:`coop.games.automata.BUILDERS` builds each name of :data:`STRATEGIES`, in this order.

Examples
--------
>>> STRATEGIES[:4]
('always_cooperate', 'always_defect', 'grim_trigger', 'tit_for_tat')
>>> STRATEGY_PARAMETERS["k"].owner
'k_period_punishment'
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

#: A built-in strategy (automaton) of a repeated game.
Strategy = Literal[
    "always_cooperate",
    "always_defect",
    "grim_trigger",
    "tit_for_tat",
    "k_period_punishment",
    "win_stay_lose_shift",
    "generous_tit_for_tat",
    "grudger",
    "tit_for_two_tats",
    "two_tits_for_tat",
    "hard_tit_for_tat",
    "suspicious_tit_for_tat",
    "alternator",
    "cycler",
    "random",
]

STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)

#: The profiles a scenario's ``repeated`` section analyses when it lists none (every player uses the strategy).
DEFAULT_PROFILES: tuple[Strategy, ...] = ("grim_trigger", "tit_for_tat", "win_stay_lose_shift")

#: Axelrod's classic field, the tournament of a scenario that lists no strategies (Axelrod 1984; Nowak and
#: Sigmund 1992, 1993).
CLASSIC_FIELD: tuple[Strategy, ...] = (
    "always_cooperate", "always_defect", "tit_for_tat", "grudger", "win_stay_lose_shift", "tit_for_two_tats",
    "suspicious_tit_for_tat", "generous_tit_for_tat", "alternator", "random",
)


class StrategyParameter(NamedTuple):
    """A parameter of one built-in strategy: the strategy, what it means, and ``count`` or ``probability``."""

    owner: Strategy
    summary: str
    kind: Literal["count", "probability"]


#: The parameters a scenario may give a built-in strategy, by name.
STRATEGY_PARAMETERS: dict[str, StrategyParameter] = {
    "k": StrategyParameter("k_period_punishment", "punishment length of k_period_punishment", "count"),
    "generosity": StrategyParameter("generous_tit_for_tat", "forgiveness probability of generous_tit_for_tat",
                                    "probability"),
    "p": StrategyParameter("random", "probability of cooperating of random", "probability"),
}
