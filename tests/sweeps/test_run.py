"""coop.sweep and `coop sweep`: the table of metrics, refined thresholds with closed forms, pictures, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import coop
from coop.cli import cli
from coop.plots import legend_texts
from coop.sweeps.closed_form import with_closed_forms
from coop.sweeps.figure import plot_sweep, region_labels
from coop.sweeps.point import PointEvaluator
from coop.sweeps.thresholds import categorical_metrics, find_thresholds

PNG = b"\x89PNG\r\n\x1a\n"


def test_sweep_returns_one_row_per_point_with_every_section_metric():
    table = coop.sweep("ai-arms-race", ["relative_gains=0:1:5"], workers=1)
    assert table.index.name == "point" and len(table) == 5
    assert list(table.columns[:1]) == ["relative_gains"] and table.columns[-1] == "error"
    assert table["stage.equilibria"].tolist() == [3, 3, 1, 1, 1]
    assert table["stage.structure"].tolist()[-1] == "1 pure (race,race)"
    # grim trigger's critical delta (T - R) / (T - P) with T = 3 + 3w, R = 4, P = 2: (3w - 1) / (3w + 1) above 1/3
    w = table["relative_gains"].to_numpy()
    crit = table["repeated.grim_trigger.critical_delta"].to_numpy(dtype=float)
    np.testing.assert_allclose(crit[2:], (3 * w[2:] - 1) / (3 * w[2:] + 1), atol=1e-7)
    assert table["error"].isna().all()
    assert table.attrs["design"]["design"] == "grid" and table.attrs["thresholds"] == []


def test_thresholds_of_the_arms_race_are_one_third_in_closed_form():
    table = coop.sweep("ai-arms-race", ["relative_gains=0:1:11"], sections=["stage"], thresholds=True,
                       threshold_metrics=["stage.structure", "stage.dominance_solvable"], workers=1)
    found = table.attrs["thresholds"]
    assert {t["metric"] for t in found} == {"stage.structure", "stage.dominance_solvable"}
    for t in found:
        assert t["closed_form"] == "1/3"
        assert abs(t["value"] - 1 / 3) < 1e-6 and t["upper"] - t["lower"] < 1e-6
    structure = next(t for t in found if t["metric"] == "stage.structure")
    assert structure["below"].endswith("+ 1 mixed") and structure["above"] == "1 pure (race,race)"


def test_export_controls_thresholds_in_leakage_have_exact_values():
    evaluate = PointEvaluator("export-controls", sections=("stage",))
    grid = np.linspace(0.0, 1.0, 11)
    table = pd.DataFrame([{"leakage": x, **evaluate({"leakage": x})} for x in grid])
    found, _ = find_thresholds(table, ["leakage"], evaluate, metrics=["stage.pure_equilibria"])
    found, _ = with_closed_forms(found, evaluate.scenario(), {"leakage": 0.0}, {"leakage": 1.0})
    exact = sorted({t.closed_form for t in found})
    assert exact == ["1/2", "1/3", "5/8"]
    for t in found:
        assert abs(t.value - t.closed_form_value) <= 1e-6


def test_bisection_finds_every_change_between_two_points_and_merges_near_ones():
    def evaluate(p):
        x = p["x"]
        return {"label": "a" if x < 0.3 else ("b" if x < 0.3 + 1e-8 else ("c" if x < 0.7 else "d"))}

    table = pd.DataFrame([{"x": x, **evaluate({"x": x})} for x in (0.0, 1.0)])
    found, notes = find_thresholds(table, ["x"], evaluate, rtol=1e-12)
    assert [(t.below, t.above) for t in found] == [("a", "c"), ("c", "d")]  # a -> b -> c within 1e-8: one
    assert abs(found[0].value - 0.3) < 1e-7 and abs(found[1].value - 0.7) < 1e-11
    assert notes == []


def test_only_labels_flags_and_counts_are_categorical():
    table = pd.DataFrame({"x": [0.0, 1.0], "n": [1, 2], "f": [True, False], "s": ["a", "b"], "v": [0.5, 0.7],
                          "error": [None, None]})
    assert categorical_metrics(table, ["x"]) == ["n", "f", "s"]


def test_the_risk_dominance_boundary_of_the_ai_race():
    """Han et al. (2020): with s = 1.5 selection favours SAFE above p_r = 1 - 1/(3s) = 7/9 (Z = 100, weak selection)."""
    table = coop.sweep("ai-development-race", ["disaster_risk=0.6:0.95:8"], fixed={"speed": 1.5},
                       sections=["finite_population"], thresholds=True,
                       threshold_metrics=["finite_population.small_mutation.favoured"], workers=1)
    (t,) = table.attrs["thresholds"]
    assert (t["below"], t["above"]) == ("UNSAFE", "SAFE")
    assert abs(t["value"] - 7 / 9) < 0.02


def test_the_pictures_name_their_regions():
    evaluate = PointEvaluator("ai-arms-race", sections=("stage", "repeated"))
    rows = [{"relative_gains": w, "patience": d, **evaluate({"relative_gains": w, "patience": d})}
            for w in np.linspace(0, 1, 6) for d in (0.1, 0.5, 0.9)]
    table = pd.DataFrame(rows)
    fig = plot_sweep(table, ["relative_gains", "patience"], regions=["stage.structure"], title="t")
    labels = legend_texts(fig)
    assert set(labels) == set(region_labels(table, ["stage.structure"]))
    one = table[table["patience"] == 0.5]
    fig = plot_sweep(one, ["relative_gains"], lines=["repeated.grim_trigger.critical_delta"])
    assert fig.axes[0].get_xlabel() == "relative_gains"


def test_cli_writes_the_table_thresholds_and_a_picture(tmp_path):
    out, png = tmp_path / "arms.csv", tmp_path / "arms.png"
    runner = CliRunner()
    res = runner.invoke(cli, ["sweep", "ai-arms-race", "-p", "relative_gains=0:1:6", "--section", "stage",
                              "--thresholds", "--threshold-metric", "stage.structure", "--workers", "1",
                              "-o", str(out), "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert "sweeping 6 points" in res.stderr and "about" in res.stderr
    assert "relative_gains = 1/3" in res.stdout
    table = pd.read_csv(out)
    assert len(table) == 6 and list(table.columns[:2]) == ["point", "relative_gains"]
    thresholds = pd.read_csv(tmp_path / "arms-thresholds.csv")
    assert thresholds["closed_form"].tolist() == ["1/3"]
    assert png.read_bytes().startswith(PNG)
    again = runner.invoke(cli, ["sweep", "ai-arms-race", "-p", "relative_gains=0:1:6", "-o", str(out)])
    assert again.exit_code == 2 and "use --force" in again.stderr


def test_cli_json_document_has_no_nan(tmp_path):
    res = CliRunner().invoke(cli, ["sweep", "ai-arms-race", "-p", "relative_gains=0,1", "--workers", "1",
                                   "--format", "json"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert [p["relative_gains"] for p in doc["points"]] == [0.0, 1.0]
    assert doc["points"][0]["repeated.tit_for_tat.critical_delta"] is None
    assert "NaN" not in res.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["-p", "relativ_gains=0:1:5"], "cannot sweep unknown parameter 'relativ_gains' (did you mean"),
        (["-p", "relative_gains=1:0:5"], "relative_gains"),
        (["-p", "relative_gains=0:1:1"], "relative_gains"),
        (["-p", "relative_gains=0:1:5", "--section", "stag"], "unknown section 'stag'"),
        (["-p", "relative_gains=0:1:5", "--resume"], "--resume needs --store"),
        (["-p", "relative_gains=0:1:5", "-o", "out.xlsx"], "name the file .csv, .parquet or .json"),
        (["-p", "relative_gains=0:1:5", "--set", "relative_gains=0.2"], "both swept and set"),
        (["-p", "relative_gains=0:1:2000", "-p", "patience=0:0.9:1000"], "over the limit"),
    ],
)
def test_cli_bad_input_is_one_line_before_any_work(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["sweep", "ai-arms-race", *args])
    assert res.exit_code == 2, res.output
    assert message in res.stderr and res.stderr.count("\n") == 1
    assert "sweeping" not in res.stderr


def test_nothing_to_sweep(tmp_path):
    res = CliRunner().invoke(cli, ["sweep", "red-lines"])
    assert res.exit_code == 2 and "nothing to sweep" in res.stderr


def test_batched_bisection_equals_one_bracket_at_a_time():
    evaluate = PointEvaluator("ai-arms-race", sections=("stage",))
    rows = [{"relative_gains": w, "patience": d, **evaluate({"relative_gains": w, "patience": d})}
            for w in np.linspace(0, 1, 6) for d in (0.2, 0.5, 0.9)]
    table = pd.DataFrame(rows)
    names = ["relative_gains", "patience"]
    fast, _ = find_thresholds(table, names, evaluate)
    slow, _ = find_thresholds(table, names, lambda point: evaluate(point))  # no evaluate_batch: one at a time
    assert [t.to_dict() for t in fast] == [t.to_dict() for t in slow]
    assert len(fast) > 5
