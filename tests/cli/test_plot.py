"""`coop plot` (and `coop sweep --plot`): PNG, SVG and PDF files, what they draw, and one-line errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from coop.cli import cli
from coop.plots import legend_texts
from coop.sections.base import PlotOptions
from coop.sections.registry import figure_kinds
from coop.sections.report import draw_figure

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_format(data: bytes, suffix: str) -> bool:
    """The file's bytes are what its suffix says: PNG's magic number, PDF's header, an SVG document."""
    if suffix == ".png":
        return data.startswith(PNG_MAGIC)
    if suffix == ".pdf":
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    return data.lstrip().startswith(b"<?xml") and b"<svg" in data[:2000] and data.rstrip().endswith(b"</svg>")


def test_cli_lists_every_plot_kind():
    choices = next(p for p in cli.commands["plot"].params if p.name == "kind").type.choices
    assert list(choices) == list(figure_kinds())
    assert set(figure_kinds()) == {"payoff-sets", "critical-delta", "simplex", "trajectories", "stationary",
                                   "gradient", "treaty", "qre", "group-incentive"}


@pytest.mark.parametrize("scenario, kind", [("ai-arms-race", "payoff-sets"), ("ai-arms-race", "critical-delta"),
                                            ("ai-safety-institutions", "critical-delta")])
def test_plot_writes_a_png(tmp_path, scenario, kind):
    out = tmp_path / "figure.png"
    res = CliRunner().invoke(cli, ["plot", scenario, "--kind", kind, "-o", str(out)])
    assert res.exit_code == 0, res.stderr
    data = out.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 10_000
    assert f"wrote {out}" in res.stderr


def test_default_file_name_and_no_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["plot", "ai-arms-race", "--kind", "critical-delta"]).exit_code == 0
    out = tmp_path / "ai-arms-race-critical-delta.png"
    before = out.read_bytes()
    again = runner.invoke(cli, ["plot", "ai-arms-race", "--kind", "critical-delta"])
    assert again.exit_code == 2 and "use --force" in again.stderr and again.stderr.count("\n") == 1
    assert out.read_bytes() == before
    assert runner.invoke(cli, ["plot", "ai-arms-race", "--kind", "critical-delta", "--force"]).exit_code == 0


def test_payoff_sets_draws_the_equilibrium_set_only_with_a_discount_factor():
    with_delta = draw_figure("payoff-sets", "ai-arms-race", PlotOptions(delta=0.9), relative_gains=0.5)
    labels = legend_texts(with_delta)
    assert "subgame-perfect payoffs at delta = 0.9 (inside the hatched set)" in labels
    assert "individually rational: each gets at least their minmax" in labels
    assert "feasible: every mix of the outcomes" in labels
    assert "equilibrium of the one-shot game" in labels
    from coop.games import NormalFormGame
    from coop.inputs import LoadedInput

    # a bare stage game (as from a .nfg file) has no discount factor
    plain = LoadedInput(NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]]), "pd.nfg", "nfg", None)
    fig = draw_figure("payoff-sets", plain)
    assert not any("subgame-perfect" in x for x in legend_texts(fig))
    assert "give --delta" in fig.get_suptitle()


@pytest.mark.parametrize(
    "args, message",
    [
        (["plot", "export-controls", "--kind", "payoff-sets"], "needs a 2-player game; this one has 3 players"),
        (["plot", "red-lines", "--kind", "critical-delta"], "needs a scenario with a 'repeated' section"),
        (["plot", "ai-arms-race", "--kind", "payoff-sets", "--delta", "1.0"], "--delta"),
        (["plot", "ai-arms-race", "--kind", "phase"], "--kind"),
    ],
)
def test_plot_errors_are_one_line_with_status_2(tmp_path, args, message):
    res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "x.png")])
    assert res.exit_code == 2
    assert message in res.stderr
    assert not (tmp_path / "x.png").exists()


RPS = """\
title: Rock-paper-scissors with a bonus
players:
  - {name: A, actions: [R, P, S]}
  - {name: B, actions: [R, P, S]}
payoffs:
  arrays:
    A: [[0, -1, 1.2], [1.2, 0, -1], [-1, 1.2, 0]]
    B: [[0, 1.2, -1], [-1, 0, 1.2], [1.2, -1, 0]]
evolution:
  dynamics:
    - {dynamic: replicator, start: {R: 0.6, P: 0.3, S: 0.1}, time: 30}
  finite_population: {size: 20, selection: 1, mutation: 0.02}
"""


@pytest.mark.parametrize("source, kind", [("rps", "simplex"), ("rps", "trajectories"), ("rps", "stationary"),
                                          ("collective-risk", "gradient"), ("ai-development-race", "simplex"),
                                          ("collective-risk", "simplex"),
                                          ("collective-risk", "trajectories")])
def test_evolution_plots(tmp_path, source, kind):
    if source == "rps":
        path = tmp_path / "rps.yaml"
        path.write_text(RPS)
        source = str(path)
    out = tmp_path / f"{kind}.png"
    res = CliRunner().invoke(cli, ["plot", source, "--kind", kind, "-o", str(out)])
    assert res.exit_code == 0, res.stderr
    assert out.read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize(
    "args, message",
    [
        (["plot", "ai-arms-race", "--kind", "simplex"], "needs a scenario with an 'evolution' section"),
        (["plot", "ai-development-race", "--kind", "stationary", "--set", "speed=-1"], "division by zero"),
    ],
)
def test_evolution_plot_errors(tmp_path, args, message):
    res = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "x.png")])
    assert res.exit_code == 2 and message in res.stderr and res.stderr.count("\n") == 1


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".PDF"])
def test_the_suffix_names_the_format(tmp_path, suffix):
    out = tmp_path / f"figure{suffix}"
    res = CliRunner().invoke(cli, ["plot", "ai-arms-race", "--kind", "critical-delta", "-o", str(out)])
    assert res.exit_code == 0, res.stderr
    assert is_format(out.read_bytes(), suffix.lower())
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_sweep_plot_suffix_names_the_format(tmp_path, suffix):
    out = tmp_path / f"sweep{suffix}"
    res = CliRunner().invoke(cli, ["sweep", "ai-arms-race", "-p", "relative_gains=0:1:3", "--section", "stage",
                                   "--no-thresholds", "--workers", "1", "--plot", str(out)])
    assert res.exit_code == 0, res.stderr
    assert is_format(out.read_bytes(), suffix)


@pytest.mark.parametrize("name", ["figure.jpg", "figure", "figure.png.bak", "figure.eps"])
@pytest.mark.parametrize("command", [["plot", "ai-arms-race", "--kind", "critical-delta", "-o"],
                                     ["sweep", "ai-arms-race", "-p", "relative_gains=0:1:3", "--plot"]],
                         ids=["plot", "sweep"])
def test_other_suffixes_are_refused_before_any_work(tmp_path, monkeypatch, command, name):
    import coop.inputs
    import coop.sweeps.run

    def no_work(*args, **kwargs):
        raise AssertionError("work started")

    monkeypatch.setattr(coop.inputs, "load_input", no_work)
    monkeypatch.setattr(coop.sweeps.run, "run", no_work)
    res = CliRunner().invoke(cli, [*command, str(tmp_path / name)])
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("coop: error: ")
    assert "unknown figure format" in res.stderr and "name the file .png, .svg or .pdf" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_plot_help_names_the_formats():
    res = CliRunner().invoke(cli, ["plot", "--help"])
    assert ".png, .svg, .pdf" in " ".join(res.stdout.split())
    res = CliRunner().invoke(cli, ["sweep", "--help"])
    assert ".png, .svg or .pdf" in " ".join(res.stdout.split())
