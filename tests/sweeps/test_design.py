"""Parameter ranges and designs: the syntax, every error line, sizes, bounds and determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest

from coop.errors import InputError
from coop.sweeps.design import (
    DEFAULT_POINTS,
    MAX_GRID_POINTS,
    Design,
    ParameterRange,
    check_parameter_names,
    make_design,
    make_range,
    parse_range,
    parse_ranges,
)


# ---------------------------------------------------------------------------- the range syntax
def test_linear_range_includes_both_ends():
    r = parse_range("relative_gains=0:1:51")
    assert (r.name, r.start, r.stop, r.num, r.spacing, r.kind) == ("relative_gains", 0.0, 1.0, 51, "linear", "range")
    v = r.grid_values()
    assert v.dtype == np.float64 and len(v) == 51
    assert v[0] == 0.0 and v[-1] == 1.0
    np.testing.assert_allclose(np.diff(v), 0.02)


def test_log_range():
    r = parse_range("leak=0.01:1:5:log")
    assert r.spacing == "log"
    v = r.grid_values()
    assert v[0] == 0.01 and v[-1] == 1.0
    np.testing.assert_allclose(v, [0.01, 10**-1.5, 0.1, 10**-0.5, 1.0])


def test_list_bounds_and_single_value():
    assert parse_range("risk=0.1, 0.5,0.9").values == (0.1, 0.5, 0.9)
    assert parse_range("risk=0.9,0.1").grid_values().tolist() == [0.9, 0.1]  # a list keeps its order
    b = parse_range("x=0:2")
    assert (b.kind, b.start, b.stop, b.num) == ("bounds", 0.0, 2.0, None)
    assert parse_range("x=1e-3:1:log").spacing == "log"
    assert parse_range("x=0.5").values == (0.5,)
    assert parse_range("x=0:1:3:linear").grid_values().tolist() == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("r", ["a=0:1:51", "b=0.01:1:20:log", "c=0.1,0.5,0.9", "d=0:2", "e=1e-06:1:log"])
def test_text_and_dict_round_trip(r):
    parsed = parse_range(r)
    assert parse_range(parsed.text()) == parsed
    assert ParameterRange.from_dict(json.loads(json.dumps(parsed.to_dict()))) == parsed


@pytest.mark.parametrize(
    "text, message",
    [
        ("x", r"^parameter range 'x': expected NAME=START:STOP:NUM, NAME=START:STOP:NUM:log, NAME=V1,V2,\.\.\. "
              r"or NAME=START:STOP$"),
        ("x=", "expected NAME=START:STOP:NUM"),
        ("=0:1:5", "expected NAME=START:STOP:NUM"),
        ("1x=0:1:5", r"invalid parameter name '1x': use letters, digits and '_', starting with a letter"),
        ("x=1:0:5", r"the range of 'x' is reversed \(START 1 > STOP 0\); write x=0:1:5$"),
        ("x=1:1:5", r"the range of 'x' is empty \(START = STOP = 1\); give two different bounds"),
        ("x=0:1:1", r"NUM of 'x' must be a whole number >= 2 \(both ends are included\), got 1$"),
        ("x=0:1:0", r"NUM of 'x' must be a whole number >= 2"),
        ("x=0:1:2.5", r"NUM of 'x' must be a whole number >= 2 \(both ends are included\), got 2.5$"),
        ("x=0:1:", r"NUM of 'x' is empty"),
        ("x=a:1:5", r"START of 'x' must be a number, got 'a'"),
        ("x=0:b:5", r"STOP of 'x' must be a number, got 'b'"),
        ("x=0:1:n", r"NUM of 'x' must be a number, got 'n'"),
        ("x=0:inf:5", r"STOP of 'x' must be a finite number, got 'inf'"),
        ("x=nan,1", r"a value of 'x' must be a finite number, got 'nan'"),
        ("x=1,two", r"a value of 'x' must be a number, got 'two'"),
        ("x=1,,2", r"the list of values of 'x' has an empty entry"),
        ("x=1,2,1", r"the list of values of 'x' repeats 1"),
        ("x=0,1:2", r"give a list \(V1,V2,\.\.\.\) or a range \(START:STOP:NUM\), not both"),
        ("x=0:1:5:log", r"log spacing needs START and STOP > 0; 'x' starts at 0$"),
        ("x=-1:1:log", r"log spacing needs START and STOP > 0; 'x' starts at -1"),
        ("x=0:1:5:cubic", r"unknown spacing 'cubic'; expected linear or log"),
        ("x=0:1:5:log:7", "expected NAME=START:STOP:NUM"),
    ],
)
def test_range_errors_are_one_line(text, message):
    with pytest.raises(InputError, match=message) as info:
        parse_range(text)
    text_of_error = str(info.value)
    assert "\n" not in text_of_error
    assert text_of_error.startswith(f"parameter range {text!r}: ")


def test_make_range_errors():
    with pytest.raises(InputError, match=r"the list of values of 'x' is empty"):
        make_range("x", values=[])
    with pytest.raises(InputError, match=r"parameter 'x' has no values: give a list, or START and STOP"):
        make_range("x", start=0)
    with pytest.raises(InputError, match=r"START of 'x' must be a number, got True"):
        make_range("x", start=True, stop=1)
    with pytest.raises(InputError, match=r"unknown spacing 'lin' of 'x'; expected linear or log"):
        make_range("x", start=0, stop=1, num=3, spacing="lin")
    # the constructor checks too
    with pytest.raises(InputError, match="reversed"):
        ParameterRange("x", 1.0, 0.0, 3)


def test_duplicate_parameter():
    with pytest.raises(InputError, match=r"^parameter 'x' is swept twice; give one range per parameter$"):
        parse_ranges(["x=0:1:3", "y=1,2", "x=0,1"])


def test_unknown_parameter_names():
    known = {"relative_gains": 0.0, "delta": 0.9}
    check_parameter_names(["delta"], known)
    with pytest.raises(InputError, match=r"^s\.yaml: cannot sweep unknown parameter 'relative_gain' \(did you mean "
                                         r"'relative_gains'\?\); the scenario's parameters are 'relative_gains', "
                                         r"'delta'$"):
        check_parameter_names(["relative_gain"], known, "s.yaml")
    with pytest.raises(InputError, match=r"cannot sweep 'x': the scenario has no parameters"):
        check_parameter_names(["x"], {})
    with pytest.raises(InputError, match="cannot sweep unknown parameter 'zeta'"):
        make_design(["zeta=0:1:3"], known=known)


# ---------------------------------------------------------------------------- designs
def test_grid_is_the_cartesian_product_first_parameter_slowest():
    d = make_design(["a=0:1:3", "b=10,20", "c=0.1:1:2:log"])
    assert (d.kind, d.shape, d.size, d.names) == ("grid", (3, 2, 2), 12, ("a", "b", "c"))
    pts = d.points()
    assert list(pts.columns) == ["a", "b", "c"]
    assert all(pts[c].dtype == np.float64 for c in pts.columns)
    assert pts.index.name == "point" and pts.index.tolist() == list(range(12))
    assert pts.iloc[0].tolist() == [0.0, 10.0, 0.1]
    assert pts.iloc[1].tolist() == [0.0, 10.0, 1.0]
    assert pts.iloc[2].tolist() == [0.0, 20.0, 0.1]
    assert pts.iloc[-1].tolist() == [1.0, 20.0, 1.0]
    assert len({tuple(r) for r in pts.to_numpy()}) == 12
    # a slice is computed alone and equals the same rows of the whole
    part = d.points(5, 9)
    assert part.index.tolist() == [5, 6, 7, 8]
    np.testing.assert_array_equal(part.to_numpy(), pts.to_numpy()[5:9])


def test_grid_cap():
    side = int(MAX_GRID_POINTS ** 0.5)
    assert make_design([f"a=0:1:{side}", f"b=0:1:{side}"]).size == MAX_GRID_POINTS
    with pytest.raises(InputError) as info:
        make_design([f"a=0:1:{side}", f"b=0:1:{side + 1}"])
    assert str(info.value) == (
        f"a grid of {side * (side + 1):,} points ({side} x {side + 1}) is over the limit of 1,000,000; give fewer "
        "values per parameter, or use a sampled design (random, sobol or lhs) with an explicit number of points")
    # an explicit number of points in a sampled design is not capped
    assert make_design(["a=0:1", "b=0:1"], design="random", points=MAX_GRID_POINTS + 1).size == MAX_GRID_POINTS + 1


def test_design_errors():
    with pytest.raises(InputError, match=r"a sweep needs at least one parameter range"):
        make_design([])
    with pytest.raises(InputError, match=r"unknown design 'sobel' \(did you mean 'sobol'\?\); expected one of 'grid'"):
        make_design(["x=0:1"], design="sobel")
    with pytest.raises(InputError, match=r"points applies to sampled designs \(random, sobol, lhs\); a grid takes NUM"):
        make_design(["x=0:1:3"], points=10)
    with pytest.raises(InputError, match=r"parameter 'x' has bounds only \(x=0:1\), which suit a sampled design "
                                         r"\(random, sobol, lhs\); a grid needs x=START:STOP:NUM or a list"):
        make_design(["x=0:1"])
    with pytest.raises(InputError, match=r"points must be a whole number >= 1, got 0"):
        make_design(["x=0:1"], design="lhs", points=0)
    with pytest.raises(InputError, match=r"the seed must be a whole number >= 0, got -1"):
        make_design(["x=0:1"], design="random", seed=-1)


@pytest.mark.parametrize("kind", ["random", "sobol", "lhs"])
def test_sampled_designs_sizes_bounds_and_determinism(kind):
    ranges = ["x=0:2", "leak=0.01:1:log", "risk=0.1,0.5,0.9", "y=-1:1:11"]
    d = make_design(ranges, design=kind, points=200, seed=7)
    assert (d.kind, d.size, d.count, d.seed) == (kind, 200, 200, 7)
    pts = d.points()
    assert pts.shape == (200, 4) and pts.index.tolist() == list(range(200))
    assert pts["x"].between(0, 2).all() and pts["x"].nunique() == 200
    assert pts["leak"].between(0.01, 1).all()
    assert (np.log10(pts["leak"]) < -1).mean() == pytest.approx(0.5, abs=0.15)  # log-uniform: half below 0.1
    assert set(pts["risk"]) == {0.1, 0.5, 0.9}  # a list is sampled among its values
    assert pts["y"].between(-1, 1).all() and pts["y"].nunique() == 200  # NUM is only for a grid
    # the same seed draws the same points; another seed others
    again = make_design(ranges, design=kind, points=200, seed=7).points()
    np.testing.assert_array_equal(pts.to_numpy(), again.to_numpy())
    other = make_design(ranges, design=kind, points=200, seed=8).points()
    assert not np.array_equal(pts.to_numpy(), other.to_numpy())
    # slices are the same rows
    np.testing.assert_array_equal(d.points(50, 60).to_numpy(), pts.to_numpy()[50:60])


def test_latin_hypercube_is_stratified_and_sobol_is_balanced():
    lhs = make_design(["x=0:1"], design="lhs", points=50, seed=3).points()["x"].to_numpy()
    assert sorted(np.floor(lhs * 50).astype(int).tolist()) == list(range(50))
    sob = make_design(["x=0:1"], design="sobol", points=64, seed=3).points()["x"].to_numpy()
    assert sorted(np.floor(sob * 8).astype(int).tolist()) == sorted(list(range(8)) * 8)


def test_defaults_and_dict_round_trip():
    d = make_design(["x=0:1"], design="sobol")
    assert (d.size, d.seed) == (DEFAULT_POINTS, 0)
    for design in (d, make_design(["x=0:1:3", "y=1,2"]), make_design(["x=0:1", "y=1,2"], "lhs", 10, 5)):
        doc = json.loads(json.dumps(design.to_dict()))
        assert Design.from_dict(doc) == design
    assert make_design(["x=0:1:3", "y=1,2"]).to_dict() == {
        "design": "grid", "points": 6, "seed": None,
        "parameters": [{"name": "x", "start": 0.0, "stop": 1.0, "num": 3, "spacing": "linear"},
                       {"name": "y", "values": [1.0, 2.0]}]}
