"""An image test per figure kind: written by `coop plot` (or `coop sweep --plot`) at the size and dpi asked,
not blank, with its legend entries, text no smaller than the style's minimum, and every legend colour drawn.

Figures are small (a few hundred pixels) so that the tests stay fast; the figure of each run is caught as
the command saves it, to read its legend and its texts.
"""

from __future__ import annotations

import io

import matplotlib.image
import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

import coop.plots
from coop.cli import cli
from coop.plots import legend_texts
from coop.sections.base import PlotOptions
from coop.sections.report import draw_figure

#: kind -> (a bundled scenario that has it, extra arguments, legend entries it must show)
KINDS = {
    "payoff-sets": ("ai-arms-race", ["--delta", "0.5"], [
        "feasible: every mix of the outcomes",
        "individually rational: each gets at least their minmax",
        "subgame-perfect payoffs at delta = 0.5 (inside the hatched set)",
        "minmax: the least each can be held to",
        "equilibrium of the one-shot game",
        "the scenario's strategy profiles (their payoffs)",
    ]),
    "critical-delta": ("ai-safety-institutions", [], [
        "self-enforcing at delta = 0.2",
        "needs more patience than delta = 0.2",
        "never self-enforcing (no delta below 1 is enough)",
        "the scenario's delta = 0.2",
    ]),
    "simplex": ("ai-development-race", [], [
        "how fast the share of SAFE changes (> 0: it grows)",
        "stable rest point",
    ]),
    "trajectories": ("collective-risk", [], ["C", "D"]),
    "group-incentive": ("collective-risk", [], [
        "C's payoff minus D's (> 0: C pays more)",
        "stable mix (a large population settles here)",
        "tipping point (unstable mix)",
    ]),
    "stationary": ("collective-risk", [], [
        "small mutation: share of time with everyone playing it",
        "mutation rate 0.01: mean share of the population",
    ]),
    "gradient": ("collective-risk", [], [
        "gradient of selection (> 0: C tends to spread)",
        "stable mix (the population settles here)",
        "unstable mix (a tipping point)",
    ]),
    "treaty": ("ai-safety-treaty", [], [
        "a member's payoff pi_m(k)",
        "what it gets by leaving, pi_n(k-1)",
        "a non-member's payoff pi_n(k)",
        "stable size: 3",
    ]),
    "qre": ("export-controls", [], ["US: restrict", "China: accommodate", "EU: trade",
                                    "the QRE at the lambdas asked for"]),
}
SWEEP = ["sweep", "ai-arms-race", "-p", "relative_gains=0:1:5", "--section", "stage", "--no-thresholds",
         "--workers", "1"]
SWEEP_LEGEND = ["2 pure (restrain,restrain) (race,race) + 1 mixed", "1 pure (race,race)"]


@pytest.fixture
def saved(monkeypatch):
    """The figures the command saves, caught on their way to the file."""
    figures = []
    save = coop.plots.save_figure

    def catch(fig, path, **kwargs):
        figures.append(fig)
        return save(fig, path, **kwargs)

    monkeypatch.setattr(coop.plots, "save_figure", catch)
    return figures


def pixels(path):
    """The PNG's pixels, ``(height, width, 4)`` floats in [0, 1]."""
    return matplotlib.image.imread(str(path))


def drawn_fraction(image):
    """The share of pixels that are not the white background."""
    return float(np.mean(np.any(image[..., :3] < 0.97, axis=-1)))


def all_texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def run_and_check(args, out, size_px, legend, saved, minimum):
    res = CliRunner().invoke(cli, [*args])
    assert res.exit_code == 0, res.output
    assert f"wrote {out}" in res.stderr
    image = pixels(out)
    assert (image.shape[1], image.shape[0]) == size_px
    assert drawn_fraction(image) > 0.05, "the figure is (nearly) blank"
    (fig,) = saved
    texts = legend_texts(fig)
    for entry in legend:
        assert entry in texts
    assert len(texts) == len(set(texts)), f"a legend entry is repeated: {texts}"
    small = {(t.get_text()[:40], t.get_fontsize()) for t in all_texts(fig) if t.get_fontsize() < minimum}
    assert not small, f"text under {minimum} pt: {small}"
    return fig


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_at_the_size_and_dpi_asked(tmp_path, saved, kind):
    scenario, extra, legend = KINDS[kind]
    out = tmp_path / f"{kind}.png"
    args = ["plot", scenario, "--kind", kind, *extra, "--size", "6x4", "--dpi", "40", "-o", str(out)]
    fig = run_and_check(args, out, (240, 160), legend, saved, minimum=9.0)
    assert fig.get_suptitle().strip(), "every figure says what it shows"


@pytest.mark.parametrize("kind", ["payoff-sets", "critical-delta", "trajectories", "stationary"])
def test_slide_style_is_16_to_9_with_text_of_at_least_12_pt(tmp_path, saved, kind):
    scenario, extra, legend = KINDS[kind]
    out = tmp_path / f"{kind}.png"
    args = ["plot", scenario, "--kind", kind, *extra, "--style", "slide", "--dpi", "30", "-o", str(out)]
    fig = run_and_check(args, out, (400, 225), legend, saved, minimum=12.0)
    width, height = fig.get_size_inches()
    assert abs(width / height - 16 / 9) < 1e-9


def test_paper_style_defaults(tmp_path, saved):
    out = tmp_path / "delta.png"
    res = CliRunner().invoke(cli, ["plot", "ai-arms-race", "--kind", "critical-delta", "-o", str(out)])
    assert res.exit_code == 0, res.output
    (fig,) = saved
    assert fig.dpi == 150
    width, height = fig.get_size_inches()
    assert pixels(out).shape[:2] == (int(height * 150), int(width * 150))
    assert min(t.get_fontsize() for t in all_texts(fig)) >= 9.0


def test_the_sweep_picture_takes_the_same_options(tmp_path, saved):
    out = tmp_path / "sweep.png"
    fig = run_and_check([*SWEEP, "--plot", str(out), "--size", "5x3", "--dpi", "50"], out, (250, 150),
                        SWEEP_LEGEND, saved, minimum=9.0)
    assert "AI arms race" in fig.get_suptitle()
    saved.clear()
    slide = tmp_path / "slide.png"
    run_and_check([*SWEEP, "--plot", str(slide), "--style", "slide", "--dpi", "30"], slide, (400, 225),
                  SWEEP_LEGEND, saved, minimum=12.0)


def test_the_trajectories_figure_is_landscape(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(TWO_POPULATIONS)
    fig = draw_figure("trajectories", str(path))
    width, height = fig.get_size_inches()
    assert width > height
    assert len(fig.axes) == 4
    assert legend_texts(fig) == ["restrict", "open", "align", "trade"]


TWO_POPULATIONS = """\
title: Two populations
players:
  - {name: US, actions: [restrict, open]}
  - {name: China, actions: [align, trade]}
payoffs:
  arrays:
    US: [[3, 1], [0, 2]]
    China: [[1, 3], [2, 0]]
evolution:
  populations: per_player
  dynamics:
    - {dynamic: replicator, start: {US: {restrict: 0.2, open: 0.8}, China: {align: 0.6, trade: 0.4}}, time: 5}
    - {dynamic: logit, start: {US: {restrict: 0.7, open: 0.3}, China: {align: 0.3, trade: 0.7}}, time: 5}
"""


# ----------------------------------------------------------------------------- every legend colour is drawn
def legend_colour(handle):
    """The colour by which a legend entry is recognised in the figure (None: white, or nothing to find)."""
    if isinstance(handle, Patch):
        face = handle.get_facecolor()
        colour = face if face[3] > 0 and face[:3] != (1.0, 1.0, 1.0) else handle.get_edgecolor()
    elif isinstance(handle, Line2D):
        colour = to_rgba(handle.get_markerfacecolor() if handle.get_linestyle() in ("None", "") else
                         handle.get_color())
    else:
        return None
    if colour[3] == 0 or colour[:3] == (1.0, 1.0, 1.0):
        return None
    alpha = handle.get_alpha()
    rgb = np.array(colour[:3])
    return rgb if alpha is None else alpha * rgb + (1 - alpha) * np.ones(3)  # as drawn over white


def rendered_outside_legends(fig):
    """The figure's pixels (RGB floats), where they are outside its legends, and the legends' handles."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[..., :3].astype(float) / 255.0
    outside = np.ones(image.shape[:2], dtype=bool)
    height = image.shape[0]
    handles = []
    for legend in fig.legends:
        box = legend.get_window_extent(canvas.get_renderer())
        outside[height - int(np.ceil(box.y1)):height - int(box.y0), int(box.x0):int(np.ceil(box.x1))] = False
        handles += legend.legend_handles
    return image[outside], handles


def near(pixels, colour, tol=0.06):
    """How many of ``pixels`` are within ``tol`` of ``colour`` in every channel."""
    return int(np.sum(np.max(np.abs(pixels - colour), axis=-1) < tol))


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_legend_colour_appears_in_the_figure(kind):
    scenario, extra, _ = KINDS[kind]
    delta = float(extra[1]) if extra else None
    fig = draw_figure(kind, scenario, PlotOptions(delta=delta, size=(6, 5), dpi=60))
    drawn, handles = rendered_outside_legends(fig)
    assert handles
    for handle in handles:
        colour = legend_colour(handle)
        if colour is not None:
            assert near(drawn, colour) >= 3, f"the legend's colour of {handle.get_label()!r} is drawn nowhere"


def test_the_payoff_sets_overlap_is_explained_and_keeps_both_colours():
    """The equilibrium set lies inside the individually rational one: filled in orange, hatched in blue."""
    fig = draw_figure("payoff-sets", "ai-arms-race", PlotOptions(delta=0.9, size=(6, 5), dpi=100))
    assert "subgame-perfect payoffs at delta = 0.9 (inside the hatched set)" in legend_texts(fig)
    assert "all the individually rational payoffs" in fig.get_suptitle().replace("\n", " ")
    drawn, _ = rendered_outside_legends(fig)
    olive = np.array([0.70, 0.70, 0.47])  # what the two translucent fills used to blend into
    assert near(drawn, olive) == 0
    assert near(drawn, to_rgba("#e69f00")[:3]) > 100 and near(drawn, to_rgba("#0072b2")[:3]) > 100


def test_no_institution_rows_are_shown_once():
    fig = draw_figure("critical-delta", "ai-safety-institutions", PlotOptions(dpi=40))
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(rows) == len(set(rows)) == 12
    assert not any(r.startswith("none:") for r in rows)
    assert sum(r.startswith("no institution:") for r in rows) == 3
    assert "the design 'none' expects no sanction" in fig.get_suptitle().replace("\n", " ")


def test_the_stationary_legend_covers_no_bar():
    fig = draw_figure("stationary", "collective-risk", PlotOptions(dpi=60))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    (legend,) = fig.legends
    box = legend.get_window_extent(renderer)
    ax = fig.axes[0]
    assert box.y1 <= ax.get_window_extent(renderer).y0 + 1  # below the axes
    for bar in ax.patches:
        assert not box.overlaps(bar.get_window_extent(renderer))


# ----------------------------------------------------------------------------- options and their errors
@pytest.mark.parametrize(
    "args, message",
    [
        (["--size", "8by4"], "expected WIDTHxHEIGHT in inches"),
        (["--size", "0x4"], "each side is from 1 to 50 inches"),
        (["--dpi", "0"], "--dpi"),
        (["--dpi", "nan"], "--dpi"),
        (["--style", "poster"], "--style"),
        (["--size", "40x30", "--dpi", "600"], "is too large: at most 10,000 pixels a side"),
        (["--style", "slide", "--dpi", "1000"], "is too large"),
    ],
)
def test_bad_figure_options_are_one_line_before_any_work(tmp_path, monkeypatch, args, message):
    import coop.inputs

    def no_work(*a, **k):
        raise AssertionError("work started")

    monkeypatch.setattr(coop.inputs, "load_input", no_work)
    res = CliRunner().invoke(cli, ["plot", "ai-arms-race", "--kind", "critical-delta", *args,
                                   "-o", str(tmp_path / "x.png")])
    assert res.exit_code == 2, res.output
    assert res.stderr.count("\n") == 1 and message in res.stderr
    assert not (tmp_path / "x.png").exists()


def test_svg_and_pdf_keep_the_size_in_inches(tmp_path):
    for suffix in (".svg", ".pdf"):
        out = tmp_path / f"f{suffix}"
        res = CliRunner().invoke(cli, ["plot", "ai-arms-race", "--kind", "critical-delta", "--size", "5x3",
                                       "-o", str(out)])
        assert res.exit_code == 0, res.output
        data = out.read_bytes()
        if suffix == ".svg":
            assert b'width="360pt" height="216pt"' in data
        else:
            assert b"/MediaBox [ 0 0 360 216 ]" in data


def test_a_notebook_shows_the_figure_without_pyplot():
    fig = draw_figure("critical-delta", "ai-arms-race", PlotOptions(dpi=30))
    png = fig._repr_png_()
    assert png.startswith(b"\x89PNG")
    assert matplotlib.image.imread(io.BytesIO(png)).shape[1] == int(fig.get_figwidth() * 30)


def test_drawing_imports_no_pyplot_and_keeps_the_backend(tmp_path):
    import subprocess
    import sys

    code = ("import sys, matplotlib, coop\n"
            "before = matplotlib.rcParams._get_backend_or_none()\n"
            "fig = coop.draw_figure('critical-delta', 'ai-arms-race', coop.PlotOptions(dpi=20))\n"
            f"coop.save_figure(fig, {str(tmp_path / 'f.png')!r})\n"
            "print('matplotlib.pyplot' in sys.modules, before == matplotlib.rcParams._get_backend_or_none())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


PUBLIC_REPORT = """\
title: Prisoner's dilemma with an inspector's public report
players:
  - {name: A, actions: [C, D]}
  - {name: B, actions: [C, D]}
payoffs:
  table:
    - {profile: [C, C], payoffs: [3, 3]}
    - {profile: [C, D], payoffs: [0, 5]}
    - {profile: [D, C], payoffs: [5, 0]}
    - {profile: [D, D], payoffs: [1, 1]}
repeated:
  delta: 0.9
  cooperate: {A: C, B: C}
  defect: {A: D, B: D}
  detection: 0.8
  monitoring: public
"""


def test_payoff_sets_with_a_public_report_draws_the_perfect_public_equilibrium_set(tmp_path, saved):
    scenario = tmp_path / "public.yaml"
    scenario.write_text(PUBLIC_REPORT)
    out = tmp_path / "public.png"
    args = ["plot", str(scenario), "--kind", "payoff-sets", "--size", "6x4", "--dpi", "40", "-o", str(out)]
    run_and_check(args, out, (240, 160), [
        "feasible: every mix of the outcomes",
        "perfect public equilibrium payoffs at delta = 0.9",
        "inner approximation of that set",
    ], saved, minimum=9.0)
