"""The command line as a user meets it: solve, list, validate, export, and bad input."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from coop.cli import cli
from coop.games import NormalFormGame
from coop.solvers.nash.methods import METHODS
from tests.oracles import gambit_flat, pygambit


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.stdout, res.stderr


def solve_json(path: str, *extra: str) -> dict:
    code, out, err = run("solve", path, "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def check_document(doc: dict, game: NormalFormGame) -> None:
    """The JSON contract of DESIGN.md, and every equilibrium re-verified from the game itself."""
    assert doc["players"] == list(game.players)
    assert list(doc["actions"]) == list(game.players)
    for i, p in enumerate(game.players):
        assert doc["actions"][p] == list(game.actions[i])
    tol = doc["tol"]
    for eq in doc["equilibria"]:
        assert list(eq["strategies"]) == list(game.players)
        assert list(eq["payoffs"]) == list(game.players)
        profile = []
        for i, p in enumerate(game.players):
            assert list(eq["strategies"][p]) == list(game.actions[i])
            probs = np.array([eq["strategies"][p][a] for a in game.actions[i]])
            assert probs.min() >= 0.0
            assert probs.sum() == pytest.approx(1.0, abs=1e-9)
            profile.append(probs)
        assert game.max_regret(profile) <= tol * (1 + 1e-6)
        np.testing.assert_allclose(
            [eq["payoffs"][p] for p in game.players], game.expected_payoffs(profile), atol=1e-9 * game.payoff_scale
        )


def test_help_lists_the_commands():
    code, out, _ = run("--help")
    assert code == 0
    for command in ("solve", "list", "validate", "export"):
        assert command in out


def test_every_method_is_reachable_from_the_cli():
    code, out, _ = run("solve", "--help")
    assert code == 0
    for method in METHODS:
        assert method in out


def test_list_shows_the_bundled_scenarios():
    code, out, _ = run("list")
    assert code == 0
    for name in ("export-controls", "ai-arms-race", "red-lines"):
        assert name in out
    code, out, _ = run("list", "--format", "json")
    assert {item["name"] for item in json.loads(out)} >= {"export-controls", "ai-arms-race", "red-lines"}


def test_every_bundled_scenario_solves_in_json(bundled_scenario):
    from coop.scenarios import load

    doc = solve_json(bundled_scenario)
    game = load(bundled_scenario).game
    check_document(doc, game)
    assert doc["equilibria"], "every bundled scenario has at least one equilibrium"
    assert doc["input"]["kind"] == "scenario"


def test_every_bundled_scenario_solves_in_text(bundled_scenario):
    code, out, err = run("solve", bundled_scenario)
    assert code == 0, err
    assert re.search(r"\d+ Nash equilibri(um|a) found", out)
    assert "verified" in out


def test_red_lines_are_reported():
    doc = solve_json("red-lines")
    assert doc["red_lines"], "the red-lines scenario marks red lines"
    names = {r["name"] for r in doc["red_lines"]}
    for eq in doc["equilibria"]:
        for crossing in eq["red_lines"]:
            assert crossing["name"] in names
            assert crossing["probability"] > 0
            assert eq["strategies"][crossing["player"]][crossing["action"]] == pytest.approx(crossing["probability"])
    code, out, _ = run("solve", "red-lines")
    assert "red lines crossed" in out


def write_game(tmp_path, payoffs, name="game.nfg") -> tuple[str, NormalFormGame]:
    game = NormalFormGame.from_payoffs(payoffs, title="test game")
    path = tmp_path / name
    path.write_text(game.to_nfg())
    return str(path), game


def gambit_equilibria(game: NormalFormGame, method: str) -> list[np.ndarray]:
    g = game.to_gambit()
    if method == "enummixed":
        res = pygambit.nash.enummixed_solve(g, rational=False)
    else:
        res = pygambit.nash.enumpoly_solve(g)
    return [gambit_flat(eq) for eq in res.equilibria]


def doc_equilibria(doc: dict) -> list[np.ndarray]:
    return [
        np.concatenate([list(eq["strategies"][p].values()) for p in doc["players"]]) for eq in doc["equilibria"]
    ]


def same_sets(ours: list[np.ndarray], theirs: list[np.ndarray], atol: float = 1e-6) -> bool:
    if len(ours) != len(theirs):
        return False
    return all(any(np.allclose(a, b, atol=atol) for b in theirs) for a in ours)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shape", [(2, 2), (3, 3), (4, 5)])
def test_solve_nfg_matches_gambit_enummixed(tmp_path, seed, shape):
    rng = np.random.default_rng(seed)
    path, game = write_game(tmp_path, rng.standard_normal((2, *shape)))
    doc = solve_json(path)
    check_document(doc, game)
    assert doc["complete"]
    assert doc["guarantee"] == "all"  # random continuous payoffs: nondegenerate with probability one
    assert doc["degenerate"] is False
    assert same_sets(doc_equilibria(doc), gambit_equilibria(game, "enummixed"))


@pytest.mark.parametrize("seed", range(3))
def test_solve_three_player_nfg_matches_gambit_enumpoly(tmp_path, seed):
    rng = np.random.default_rng(100 + seed)
    path, game = write_game(tmp_path, rng.standard_normal((3, 2, 2, 3)))
    doc = solve_json(path)
    check_document(doc, game)
    assert same_sets(doc_equilibria(doc), gambit_equilibria(game, "enumpoly"))


def test_large_game_reports_pure_plus_one(tmp_path):
    rng = np.random.default_rng(5)
    path, game = write_game(tmp_path, rng.integers(0, 5, (3, 12, 12, 12)).astype(float))
    doc = solve_json(path)
    check_document(doc, game)
    assert not doc["complete"]
    assert "pure" in doc["summary"]


def test_export_round_trip_gives_the_same_equilibria(tmp_path):
    out = tmp_path / "arms.nfg"
    code, _, err = run("export", "ai-arms-race", "--to", "nfg", "-o", str(out))
    assert code == 0, err
    a = solve_json("ai-arms-race")
    b = solve_json(str(out))
    assert same_sets(doc_equilibria(a), doc_equilibria(b), atol=1e-9)


def test_export_keeps_an_existing_file(tmp_path):
    out = tmp_path / "keep.nfg"
    out.write_text("precious")
    code, _, err = run("export", "export-controls", "-o", str(out))
    assert code == 2
    assert out.read_text() == "precious"
    assert "--force" in err
    code, _, _ = run("export", "export-controls", "-o", str(out), "--force")
    assert code == 0 and out.read_text().startswith("NFG 1 R")


def test_validate_accepts_bundled_scenarios(bundled_scenario):
    code, out, err = run("validate", bundled_scenario)
    assert code == 0, err
    assert out.startswith("ok: ")


BAD_INPUTS = {
    "missing.yaml": None,
    "broken.yaml": "title: x\nplayers: [\n",
    "unknown_key.yaml": "title: x\nplayerz: []\n",
    "short.nfg": 'NFG 1 R "t" { "1" "2" } { 2 2 }\n1 2 3\n',
    "nan.nfg": 'NFG 1 R "t" { "1" "2" } { 1 1 }\nnan 1\n',
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
@pytest.mark.parametrize("command", ["solve", "validate"])
def test_bad_input_gives_one_line_and_status_2(tmp_path, name, command):
    path = tmp_path / name
    if BAD_INPUTS[name] is not None:
        path.write_text(BAD_INPUTS[name])
    code, out, err = run(command, str(path))
    assert code == 2
    assert "Traceback" not in err + out
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert name in lines[0]


def test_method_for_the_wrong_number_of_players_is_bad_input():
    code, _, err = run("solve", "export-controls", "--method", "vertex")
    assert code == 2
    assert "2-player" in err


def test_unknown_format_is_a_usage_error():
    code, _, _ = run("solve", "export-controls", "--format", "xml")
    assert code == 2


def test_set_overrides_a_parameter():
    # past the threshold 1/3 the arms race is a prisoner's dilemma: racing is the only equilibrium
    doc = solve_json("ai-arms-race", "--set", "relative_gains=0.5")
    assert doc["scenario"]["parameters"]["relative_gains"] == 0.5
    assert len(doc["equilibria"]) == 1
    assert doc["equilibria"][0]["strategies"]["US"]["race"] == 1.0
    assert doc["dominance"]["solved"]


@pytest.mark.parametrize(
    "assignment, message",
    [("relative_gain=0.5", "unknown parameter"), ("relative_gains=abc", "NAME=NUMBER"), ("=1", "NAME=NUMBER")],
)
def test_bad_set_is_status_2(assignment, message):
    code, _, err = run("solve", "ai-arms-race", "--set", assignment)
    assert code == 2
    assert message in err


def test_set_on_an_nfg_file_is_bad_input(tmp_path):
    path, _ = write_game(tmp_path, np.zeros((2, 2, 2)))
    code, _, err = run("solve", path, "--set", "x=1")
    assert code == 2
    assert "--set" in err
