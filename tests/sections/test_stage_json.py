"""The stage game's payoff table in the JSON document (``stage_payoffs``)."""

from __future__ import annotations

import json

import numpy as np

from coop.games import NormalFormGame
from coop.sections.stage import MAX_PAYOFF_TABLE_PROFILES, stage_payoff_table
from tests.cli.helpers import invoke


def test_every_profile_once_with_the_solved_payoffs():
    rng = np.random.default_rng(3)
    game = NormalFormGame.from_payoffs(rng.normal(size=(3, 2, 3, 4)))
    table = stage_payoff_table(game)
    assert table is not None and len(table) == 24
    seen = set()
    for row in table:
        idx = tuple(game.actions[i].index(row["profile"][p]) for i, p in enumerate(game.players))
        seen.add(idx)
        assert [row["payoffs"][p] for p in game.players] == game.payoffs[(slice(None), *idx)].tolist()
    assert len(seen) == 24
    json.dumps(table)


def test_too_many_profiles_for_the_document():
    side = int(np.ceil(np.sqrt(MAX_PAYOFF_TABLE_PROFILES + 1)))
    assert stage_payoff_table(NormalFormGame.from_payoffs(np.zeros((2, side, side)))) is None


def test_in_the_solve_document_with_framing_applied():
    """ai-arms-race with relative_gains 1: the racer's payoff against a restrainer is 3 + 3w = 6."""
    res = invoke("solve", "ai-arms-race", "--format", "json", "--set", "relative_gains=1")
    assert res.exit_code == 0, res.output
    rows = {tuple(r["profile"].values()): r["payoffs"] for r in json.loads(res.output)["stage_payoffs"]}
    assert rows[("race", "restrain")] == {"US": 6.0, "China": -3.0}
    assert rows[("restrain", "restrain")] == {"US": 4.0, "China": 4.0}
