"""How the ``coop`` program starts its solvers (coop/startup.py): small games interpreted, a notice on compiling.

The program (``python -m coop.cli``, the console script) chooses once per process; in-process callers such as
``CliRunner`` never choose, so the rest of the suite runs compiled kernels.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from coop import startup
from coop.games import NormalFormGame
from coop.inputs import load_input
from coop.scenarios import bundled_scenarios
from tests.cli.helpers import run_coop

SMALL = ["ai-arms-race", "ai-development-race", "ai-safety-institutions", "ai-safety-treaty", "ai-treaty",
         "collective-risk", "export-controls", "red-lines"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COOP_JIT", "NUMBA_DISABLE_JIT")}
    env.update(extra)
    return env


#: The watchdog's limit where a test checks an interpreted run's answer, not the watchdog: the suite runs a test
#: process per core, so a run of a few seconds may take longer than INTERPRETED_SECONDS here.
PATIENT = {"COOP_INTERPRETED_SECONDS": "120"}


def test_every_bundled_scenario_is_small():
    small = sorted(s.name for s in bundled_scenarios() if startup.small_input(load_input(s.name)))
    assert small == SMALL


def test_a_symmetric_group_of_six_is_small_but_not_eight_nor_an_asymmetric_game():
    """collective-risk's group of six has 64 profiles but 28 orbits of support profiles (it is symmetric)."""
    assert startup.small_input(load_input("collective-risk"))
    assert not startup.small_input(load_input("collective-risk", {"group_size": 8}))
    loaded = load_input("collective-risk")
    payoffs = loaded.stage.payoffs.copy()
    payoffs[0, 0, 0, 0, 0, 0, 0] += 1.0
    skewed = dataclasses.replace(loaded, stage=NormalFormGame.from_payoffs(payoffs))
    assert not skewed.stage.is_symmetric
    assert not startup.small_input(skewed)


def test_families_name_what_an_analysis_compiles():
    assert startup.families(load_input("ai-arms-race")) == ("nash-2", "repeated", "payoff_sets")
    assert startup.families(load_input("export-controls")) == ("nash-n",)
    assert set(startup.families(load_input("collective-risk"))) == {"nash-n", "evolution"}
    assert set(startup.families(load_input("ai-safety-institutions"))) >= {"nash-n", "repeated", "institutions"}
    assert all(f in startup.COMPILE_SECONDS for s in bundled_scenarios() for f in startup.families(load_input(s.name)))


def test_in_process_callers_never_choose(coop_json):
    # CliRunner: the kernels are this process's, compiled; nothing is set for later tests
    coop_json("solve", "export-controls", "--format", "json")
    assert startup.current_mode() is None
    assert os.environ.get("NUMBA_DISABLE_JIT") in (None, "", "0")


def _numbers(doc):
    """Every number of a JSON document, in order (to compare two documents up to rounding)."""
    if isinstance(doc, dict):
        return [x for v in doc.values() for x in _numbers(v)]
    if isinstance(doc, list):
        return [x for v in doc for x in _numbers(v)]
    return [float(doc)] if isinstance(doc, (int, float)) and not isinstance(doc, bool) else []


def _strip_numbers(doc):
    if isinstance(doc, dict):
        return {k: _strip_numbers(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_strip_numbers(v) for v in doc]
    return None if isinstance(doc, (int, float)) and not isinstance(doc, bool) else doc


def _same_answer(ours: dict, compiled: dict) -> None:
    assert _strip_numbers(ours) == _strip_numbers(compiled)
    # the same numbers, up to the order of floating-point sums in the compiled kernels
    np.testing.assert_allclose(_numbers(ours), _numbers(compiled), rtol=1e-12, atol=1e-12)


# each exercises other families interpreted: repeated game and payoff sets (2 players), evolution, institutions
# and a 3-player repeated game, a symmetric group's enumeration by orbits; export-controls (3-player stage game)
# is compared in the COOP_JIT test below
@pytest.mark.parametrize("name", ["ai-arms-race", "ai-development-race", "ai-safety-institutions",
                                  "collective-risk"])
def test_a_small_scenario_is_solved_interpreted_with_the_compiled_answer(name, coop_json):
    res = run_coop("solve", name, "--format", "json", "-v", env=_env(**PATIENT), timeout=120)
    assert res.returncode == 0, res.stderr
    assert "kernels interpreted (small game)" in res.stderr
    assert "compiling" not in res.stderr
    _same_answer(json.loads(res.stdout), coop_json("solve", name, "--format", "json"))  # in-process: compiled


_NUMBA_IMPORTED = """
import sys
from coop.cli import main
sys.argv = ["coop", "solve", sys.argv[1], "--format", "json"]
try:
    main()
finally:
    print("numba imported:", "numba" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize("name", ["ai-arms-race", "collective-risk"])
def test_an_interpreted_run_never_imports_numba(name):
    """Kernels take njit from coop.solvers.shared.jit, which leaves Numba alone in an interpreted run."""
    res = subprocess.run([sys.executable, "-c", _NUMBA_IMPORTED, name], capture_output=True, text=True,
                         env=_env(**PATIENT), timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["equilibria"]
    assert "numba imported: False" in res.stderr
    compiled = subprocess.run([sys.executable, "-c", _NUMBA_IMPORTED, name], capture_output=True, text=True,
                              env=_env(COOP_JIT="1"), timeout=600, check=False)
    assert "numba imported: True" in compiled.stderr


def test_coop_jit_0_and_1_override_the_choice(coop_json):
    res = run_coop("solve", "export-controls", "--format", "json", "-v", env=_env(COOP_JIT="0"), timeout=120)
    assert res.returncode == 0, res.stderr
    assert "kernels interpreted (COOP_JIT=0)" in res.stderr
    _same_answer(json.loads(res.stdout), coop_json("solve", "export-controls", "--format", "json"))
    res = run_coop("solve", "export-controls", "-v", env=_env(COOP_JIT="1"), timeout=600)
    assert res.returncode == 0, res.stderr
    assert "kernels compiled (COOP_JIT=1)" in res.stderr


def test_a_long_interpreted_run_restarts_compiled(tmp_path):
    """The watchdog: past COOP_INTERPRETED_SECONDS the same command runs again, compiled, with the same output."""
    path = tmp_path / "pd.nfg"
    run = run_coop("export", "ai-arms-race", "-o", path, env=_env(), timeout=120)
    assert run.returncode == 0, run.stderr
    res = run_coop("solve", path, "--method", "pure", "--format", "json", "-v",
                   env=_env(COOP_INTERPRETED_SECONDS="0.001"), timeout=600)
    assert res.returncode == 0, res.stderr
    # only the watchdog sets COOP_JIT=1 (the first process chose "interpreted": a 2x2 game, COOP_JIT unset)
    assert "kernels compiled (COOP_JIT=1)" in res.stderr
    assert len(json.loads(res.stdout)["equilibria"]) == 2


_BEGIN = """
import sys
from coop import startup
from coop.inputs import load_input
startup.allow_choice()
print(startup.begin(load_input(sys.argv[1])))
startup.finish()
"""


def _begin(name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The choice ``coop solve NAME`` makes, in a fresh process, without solving."""
    return subprocess.run([sys.executable, "-c", _BEGIN, name], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_the_notice_is_printed_until_a_compiled_run_succeeded(tmp_path):
    env = _env(COOP_JIT="1", NUMBA_CACHE_DIR=str(tmp_path))
    first = _begin("ai-arms-race", env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "compiled"
    seconds = sum(startup.COMPILE_SECONDS[f] for f in ("nash-2", "repeated", "payoff_sets"))
    assert first.stderr.strip() == f"coop: compiling the solvers for first use (once, about {seconds} s)..."
    assert len(list(tmp_path.glob("coop-compiled-*"))) == 3  # finish() marked the three families
    again = _begin("ai-arms-race", env)
    assert again.stderr.strip() == ""
    other = _begin("export-controls", env)  # another family: a notice again
    assert other.stderr.strip().startswith("coop: compiling the solvers for first use (once, about ")


def test_interpreted_runs_print_no_notice_and_mark_nothing(tmp_path):
    env = _env(NUMBA_CACHE_DIR=str(tmp_path))
    res = _begin("export-controls", env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "interpreted"
    assert res.stderr.strip() == ""
    assert not list(tmp_path.glob("coop-compiled-*"))


def test_marker_dir_follows_numba_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert startup.marker_dir() == tmp_path
    assert startup.missing_families(["nash-2"]) == ["nash-2"]
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    assert startup.marker_dir().name in ("__pycache__", "coop")


def test_script_entry_point_is_main():
    from importlib.metadata import entry_points

    scripts = [e for e in entry_points(group="console_scripts") if e.name == "coop"]
    if not scripts:
        pytest.skip("coop is not installed as a distribution here")
    assert scripts[0].value == "coop.cli:main", "reinstall coop (pip install -e .): the console script changed"


def test_helpers_use_the_program_entry_point():
    from tests.cli import helpers

    assert helpers.COOP == [sys.executable, "-m", "coop.cli"]


def test_what_a_command_imports_before_choosing_loads_no_kernel():
    """coop solve and coop plot import these before startup.begin(): a kernel module among them (Numba loaded)
    would leave the choice to nobody, and every small game would compile again."""
    code = ("import sys\n"
            "import coop.cli, coop.inputs, coop.output_files, coop.plots, coop.sections.base, coop.sections.report\n"
            "import coop.solvers.shared.progress\n"
            "from coop.sections.registry import figure_kinds\n"
            "coop.inputs.load_input('ai-arms-race', {}); coop.inputs.load_input('collective-risk', {})\n"
            "print(sorted(m for m in ('numba', 'llvmlite') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=120,
                         check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_a_two_player_game_with_a_public_signal_is_compiled(tmp_path):
    """Its perfect-public payoff set solves linear programmes that plain Python runs far too slowly."""
    text = (Path(__file__).resolve().parents[2] / "scenarios" / "ai-arms-race.yaml").read_text()
    assert "  defect: {US: race, China: race}\n" in text
    public = text.replace("  defect: {US: race, China: race}\n",
                          "  defect: {US: race, China: race}\n  monitoring: public\n  detection: 0.8\n", 1)
    path = tmp_path / "public.yaml"
    path.write_text(public)
    assert startup.needs_public_payoff_set(load_input(str(path)))
    assert not startup.small_input(load_input(str(path)))
    assert not startup.needs_public_payoff_set(load_input("ai-arms-race"))  # perfect monitoring
    assert not startup.needs_public_payoff_set(load_input("ai-treaty"))  # public, but 8 players
