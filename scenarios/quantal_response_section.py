"""The ``quantal_response`` section of a scenario: logit quantal response equilibria of the stage game.

.. code-block:: yaml

    quantal_response:                # the key alone (or true): the principal branch and the equilibrium it ends at
      lambda: [0.5, 2]               # optional: the QRE at these precisions (a number or a list, >= 0, in
                                     # the units of the payoffs: lambda times a payoff gap is a log-odds)
      observed:                      # optional: observed play, to fit lambda by maximum likelihood along
        US: {restrict: 30, open: 70} #   the principal branch (counts, or frequencies: each player alike)
        China: {retaliate: 12, accommodate: 88}

Every player of ``observed`` needs at least one observation; an action left out was never observed. Numbers
may be formulas of the scenario's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from coop.scenarios import fields
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.sections import SectionContext
from coop.scenarios.yaml_source import YNode

QUANTAL_RESPONSE_KEYS: dict[str, KeySpec] = {
    "lambda": KeySpec("precisions (>= 0, payoff units) at which to report the QRE: a number or a list"),
    "observed": KeySpec("observed play per player, {action: count}, to fit lambda by maximum likelihood"),
}

#: The most lambdas one section may ask for (each is a point of one trace, but each is printed).
MAX_LAMBDAS = 100


@dataclass(frozen=True, eq=False)
class QuantalResponseSpec:
    """What the ``quantal_response`` section asks for: lambdas to report, and observed counts per player (each an
    array in the player's action order) or ``None``."""

    lambdas: tuple[float, ...]
    observed: tuple[np.ndarray, ...] | None
    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        observed = None
        if self.observed is not None:
            observed = {p: {a: float(v) for a, v in zip(acts, row, strict=True)}
                        for p, acts, row in zip(self.players, self.actions, self.observed, strict=True)}
        return {"lambda": list(self.lambdas), "observed": observed}


def parse_quantal_response(node: YNode, context: SectionContext) -> QuantalResponseSpec:
    """The registered parser of the ``quantal_response`` section (see :mod:`coop.scenarios.sections`)."""
    game = context.game
    scalar = context.scalar
    if node.kind == "scalar" and (node.value is None or node.value is True):
        node = YNode("map", {}, node.line, node.place, node.source)
    check_keys(node, QUANTAL_RESPONSE_KEYS, "quantal_response")
    lambdas: list[float] = []
    if "lambda" in node:
        lnode = node["lambda"]
        entries = fields.sequence(lnode, "lambda", of="numbers") if lnode.kind == "seq" else [lnode]
        if len(entries) > MAX_LAMBDAS:
            raise lnode.error(f"lambda lists {len(entries)} values; at most {MAX_LAMBDAS} are reported")
        for entry in entries:
            lambdas.append(fields.positive(entry, scalar, "lambda", strict=False))
    observed = None
    if "observed" in node:
        rows = fields.player_map(node["observed"], game.players, "observed", "observed play")
        blocks = []
        for p, acts, row in zip(game.players, game.actions, rows, strict=True):
            if row.kind != "map":
                raise row.error(f"observed.{p} must map actions to counts, e.g. {{{acts[0]}: 10, ...}}, got "
                                f"{row.describe()}")
            counts = np.zeros(len(acts))
            for key, vnode in row.items():
                a = fields.action(row, acts, p, key=key, where=f"observed.{p}")
                counts[a] = fields.positive(vnode, scalar, f"the observed count of {p}'s {key}", strict=False)
            if not counts.sum() > 0.0:
                raise row.error(f"observed.{p} has no observations (every count is zero)")
            blocks.append(counts)
        observed = tuple(blocks)
    return QuantalResponseSpec(tuple(lambdas), observed, game.players, game.actions)
