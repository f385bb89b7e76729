"""Treaties and coalitions: the second stage, internal and external stability, forum shopping.

:mod:`~coop.solvers.coalitions.second_stage` solves what members and non-members do at every treaty size;
:mod:`~coop.solvers.coalitions.stability` finds the stable coalitions of a :class:`coop.games.treaty.TreatyGame`.
"""
