r"""Payoff transforms: the same game seen through a different framing.

A transform takes a :class:`~coop.games.normal_form.NormalFormGame` and returns
a new one with the same players and actions and changed payoffs. Scenario files
apply them through their ``framing`` section.
"""

from __future__ import annotations

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.games.validation import nonnegative


def relative_gains(game: NormalFormGame, weight: float) -> NormalFormGame:
    r"""Weight each player's payoff by how far it is ahead of the others (an arms-race framing).

    .. math::

        u_i'(s) = u_i(s) + w \Big( u_i(s) - \frac{1}{N-1} \sum_{j \ne i} u_j(s) \Big)

    With :math:`w = 0` the game is unchanged (players care about absolute
    gains only). As :math:`w` grows, players care more about their gap to
    the others, which can turn an assurance game (stag hunt) into a
    prisoner's dilemma. For two players this is Grieco's (1988) utility
    :math:`U = V - k(W - V)` with :math:`k = w`, where :math:`V` is the
    state's own payoff and :math:`W` its partner's; Snidal (1991) studies how
    such a relative-gains weight changes the prospects for cooperation.

    Parameters
    ----------
    game : NormalFormGame
        A game with at least two players.
    weight : float
        The weight :math:`w \ge 0` on relative gains, finite.

    Returns
    -------
    NormalFormGame
        A new game with the same labels, title and description.

    Raises
    ------
    InputError
        If the weight is negative or not finite, or the game has one player.

    References
    ----------
    Grieco, J. M. (1988). Anarchy and the limits of cooperation: a realist
    critique of the newest liberal institutionalism. *International
    Organization* 42(3), 485-507.

    Snidal, D. (1991). Relative gains and the pattern of international
    cooperation. *American Political Science Review* 85(3), 701-726.

    Examples
    --------
    >>> import numpy as np
    >>> from coop.games import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[4, 0], [3, 2]], [[4, 3], [0, 2]])
    >>> h = relative_gains(g, 0.5)
    >>> float(h.payoffs[0][1, 0])  # 3 + 0.5 * (3 - 0)
    4.5
    >>> float(h.payoffs[1][1, 0])  # 0 + 0.5 * (0 - 3)
    -1.5
    """
    w = nonnegative(weight, "the relative-gains weight")
    n = game.num_players
    if n < 2:
        raise InputError("relative gains need at least two players")
    u = game.payoffs
    others_mean = (u.sum(axis=0, keepdims=True) - u) / (n - 1)
    new = u + w * (u - others_mean)
    return NormalFormGame(new, game.players, game.actions, game.title, game.description)
