"""The names and the size limit of the correlated-equilibrium programmes (imports nothing heavy, so the scenario
parser can check a ``correlated`` section before any solver is loaded)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, get_args

from coop.solvers.shared.budgets import check_budget

#: ``correlated``: no player gains by disobeying a recommendation once given (Aumann 1974); ``coarse``: none gains
#: by ignoring the mediator altogether for one fixed action (Moulin and Vial 1978).
Kind = Literal["correlated", "coarse"]
KINDS: tuple[Kind, ...] = get_args(Kind)

#: ``welfare``: the largest sum of expected payoffs; ``fair``: the largest smallest payoff, then the largest welfare.
Objective = Literal["welfare", "fair"]
OBJECTIVES: tuple[Objective, ...] = get_args(Objective)

KIND_HELP: dict[Kind, str] = {
    "correlated": "no player gains by disobeying a recommendation once it is given (Aumann 1974)",
    "coarse": "no player gains by ignoring the mediator for one fixed action (Moulin and Vial 1978)",
}
OBJECTIVE_HELP: dict[Objective, str] = {
    "welfare": "the largest sum of the players' expected payoffs",
    "fair": "the largest smallest expected payoff (max-min), then the largest welfare",
}

#: The most constraint coefficients a programme may have. The programme has one variable per action profile; the
#: slowest programme is the fairest correlated equilibrium (max-min), which took HiGHS about 12 s of one core for
#: random 50 x 50 (245,000 coefficients) and 17 x 17 x 17 games (235,824), 32 s for 18 x 18 x 18 (297,432),
#: 52 s for 20 x 20 x 20 and minutes for 100 x 100.
MAX_LP_COEFFICIENTS = 250_000
#: HiGHS stops a programme after this many seconds (a safety stop; the size limit keeps programmes well within it).
LP_SECONDS = 120.0


def lp_coefficients(num_actions: Sequence[int]) -> int:
    """The number of nonzero coefficients of the incentive constraints, :math:`\\sum_i (a_i - 1) \\prod_j a_j`.

    >>> lp_coefficients((2, 2)), lp_coefficients((3, 3, 3))
    (8, 162)
    """
    profiles = math.prod(int(a) for a in num_actions)
    return sum(int(a) - 1 for a in num_actions) * profiles


def check_lp_size(num_actions: Sequence[int]) -> None:
    """Refuse (:class:`~coop.errors.InputError`) a game whose programme has more than :data:`MAX_LP_COEFFICIENTS`
    constraint coefficients, before anything is built.

    >>> check_lp_size((50, 50))
    >>> check_lp_size((60, 60))
    Traceback (most recent call last):
    ...
    coop.errors.InputError: the correlated equilibrium programme needs about 424,800 constraint coefficients; ...
    """
    check_budget("the correlated equilibrium programme", lp_coefficients(num_actions), MAX_LP_COEFFICIENTS,
                 "a game with fewer actions (the programme has one variable per action profile)",
                 unit="constraint coefficients")
