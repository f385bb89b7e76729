"""Parameter ranges and the designs built from them: which points of parameter space a sweep visits.

A range is written ``NAME=START:STOP:NUM`` (``NUM >= 2`` evenly spaced values, both ends
included), ``NAME=START:STOP:NUM:log`` (logarithmic spacing, ``START, STOP > 0``),
``NAME=V1,V2,V3`` (a list) or ``NAME=START:STOP`` (bounds only, for sampled designs;
``NAME=START:STOP:log`` samples log-uniformly). The same ranges appear in the ``sweep``
section of a scenario (:mod:`coop.scenarios.sweep_section`).

A :class:`Design` puts ranges together:

- ``grid`` (the default): the Cartesian product of every parameter's values, the first
  parameter varying slowest; at most :data:`MAX_GRID_POINTS` points.
- ``random``, ``sobol``, ``lhs`` (Latin hypercube): ``points`` points drawn from the seed
  (:mod:`scipy.stats.qmc` for the last two). A range is sampled between its bounds (its
  ``NUM`` is only used by a grid; ``log`` spacing samples log-uniformly), a list uniformly
  among its values.

Every problem is one :class:`coop.errors.InputError` line.

Examples
--------
>>> d = make_design(["gain=0:1:3", "risk=0.1,0.9"])
>>> d.size
6
>>> d.points()
       gain  risk
point
0       0.0   0.1
1       0.0   0.9
2       0.5   0.1
3       0.5   0.9
4       1.0   0.1
5       1.0   0.9
>>> parse_range("gain=1:0:5")
Traceback (most recent call last):
...
coop.errors.InputError: parameter range 'gain=1:0:5': the range of 'gain' is reversed (START 1 > STOP 0); ...
"""

from __future__ import annotations

import functools
import inspect
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

import numpy as np

from coop.errors import InputError
from coop.scenarios.formula import IDENTIFIER_RE, known_list, suggest

if TYPE_CHECKING:
    import pandas as pd

#: How a range's values are spaced.
Spacing = Literal["linear", "log"]
SPACINGS: tuple[str, ...] = get_args(Spacing)
#: The designs: the Cartesian product, or points drawn at random / from a low-discrepancy sequence.
DesignKind = Literal["grid", "random", "sobol", "lhs"]
DESIGNS: tuple[str, ...] = get_args(DesignKind)
#: Designs whose points are drawn from a seed.
SAMPLED_DESIGNS: tuple[str, ...] = ("random", "sobol", "lhs")
#: A grid with more points than this is refused (a sampled design with explicit ``points`` is not capped).
MAX_GRID_POINTS = 1_000_000
#: Points of a sampled design when none are asked for.
DEFAULT_POINTS = 256
#: Seed of a sampled design when none is given, so that a sweep is reproducible.
DEFAULT_SEED = 0

RANGE_SYNTAX = "NAME=START:STOP:NUM, NAME=START:STOP:NUM:log, NAME=V1,V2,... or NAME=START:STOP"


def _g(x: float) -> str:
    """A number as the user would write it (``0.5``, ``1``, ``1e-06``)."""
    return f"{x:g}" if x == x and abs(x) != math.inf else str(x)


@dataclass(frozen=True)
class ParameterRange:
    """The values one parameter takes in a sweep: a spaced range, bounds only, or a list.

    Build one with :func:`make_range` or :func:`parse_range`, which check it; the
    constructor checks it too.

    Attributes
    ----------
    name : str
        The scenario parameter.
    start, stop : float or None
        The bounds (``None`` for a list).
    num : int or None
        How many values a grid takes between the bounds, both included (``None``: bounds only).
    spacing : {"linear", "log"}
        Even or logarithmic spacing (and uniform or log-uniform sampling).
    values : tuple of float
        The listed values (empty for a range).
    """

    name: str
    start: float | None = None
    stop: float | None = None
    num: int | None = None
    spacing: Spacing = "linear"
    values: tuple[float, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_range(self)

    @property
    def kind(self) -> Literal["list", "range", "bounds"]:
        """``"list"``, ``"range"`` (bounds and NUM) or ``"bounds"`` (bounds only)."""
        if self.values:
            return "list"
        return "bounds" if self.num is None else "range"

    def grid_values(self) -> np.ndarray:
        """The values a grid takes (float64), in order; bounds alone give none (an error)."""
        if self.values:
            return np.array(self.values, dtype=np.float64)
        if self.num is None:
            raise InputError(
                f"parameter {self.name!r} has bounds only ({self.text()}), which suit a sampled design "
                f"(random, sobol, lhs); a grid needs {self.name}=START:STOP:NUM or a list"
            )
        assert self.start is not None and self.stop is not None
        if self.spacing == "log":
            out = np.geomspace(self.start, self.stop, self.num)
        else:
            out = np.linspace(self.start, self.stop, self.num)
        out[0], out[-1] = self.start, self.stop  # both ends exactly as given
        return out

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map uniform numbers in [0, 1) onto the range: between the bounds, or among the listed values."""
        u = np.asarray(u, dtype=np.float64)
        if self.values:
            vals = np.array(self.values, dtype=np.float64)
            k = np.minimum((u * len(vals)).astype(np.int64), len(vals) - 1)
            return vals[k]
        assert self.start is not None and self.stop is not None
        if self.spacing == "log":
            lo, hi = math.log(self.start), math.log(self.stop)
            return np.asarray(np.exp(lo + u * (hi - lo)), dtype=np.float64)
        return self.start + u * (self.stop - self.start)

    def text(self) -> str:
        """The range in the command-line syntax (``gain=0:1:51``)."""
        if self.values:
            body = ",".join(_g(v) for v in self.values)
        else:
            parts = [_g(cast(float, self.start)), _g(cast(float, self.stop))]
            if self.num is not None:
                parts.append(str(self.num))
            if self.spacing == "log":
                parts.append("log")
            body = ":".join(parts)
        return f"{self.name}={body}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``{"name", "values"}`` for a list, else ``{"name", "start", "stop", "num", "spacing"}``."""
        if self.values:
            return {"name": self.name, "values": list(self.values)}
        return {"name": self.name, "start": self.start, "stop": self.stop, "num": self.num, "spacing": self.spacing}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ParameterRange:
        """The inverse of :meth:`to_dict`."""
        if "values" in data:
            return make_range(str(data["name"]), values=data["values"])
        return make_range(str(data["name"]), start=data.get("start"), stop=data.get("stop"), num=data.get("num"),
                          spacing=data.get("spacing", "linear"))


def _number(x: Any, what: str) -> float:
    if isinstance(x, bool):
        raise InputError(f"{what} must be a number, got {x!r}")
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {x!r}") from None
    if not math.isfinite(value):
        raise InputError(f"{what} must be a finite number, got {x!r}")
    return value


def _check_range(r: ParameterRange) -> None:
    name = r.name
    if not isinstance(name, str) or not IDENTIFIER_RE.match(name):
        raise InputError(f"invalid parameter name {name!r}: use letters, digits and '_', starting with a letter")
    if r.values:
        if r.start is not None or r.stop is not None or r.num is not None:
            raise InputError(f"parameter {name!r} has both a list of values and a range; give one")
        seen: set[float] = set()
        for v in r.values:
            if not isinstance(v, float) or not math.isfinite(v):
                raise InputError(f"the values of {name!r} must be finite numbers, got {v!r}")
            if v in seen:
                raise InputError(f"the list of values of {name!r} repeats {_g(v)}")
            seen.add(v)
        return
    if r.start is None or r.stop is None:
        raise InputError(f"parameter {name!r} has no values: give a list, or START and STOP")
    start, stop = r.start, r.stop
    if r.spacing not in SPACINGS:
        raise InputError(f"unknown spacing {r.spacing!r} of {name!r}; expected linear or log")
    if start == stop:
        raise InputError(f"the range of {name!r} is empty (START = STOP = {_g(start)}); give two different bounds")
    if start > stop:
        swapped = ParameterRange(name, stop, start, r.num, r.spacing)
        raise InputError(f"the range of {name!r} is reversed (START {_g(start)} > STOP {_g(stop)}); "
                         f"write {swapped.text()}")
    if r.spacing == "log" and start <= 0:
        raise InputError(f"log spacing needs START and STOP > 0; {name!r} starts at {_g(start)}")
    if r.num is not None and (isinstance(r.num, bool) or not isinstance(r.num, int) or r.num < 2):
        raise InputError(f"NUM of {name!r} must be a whole number >= 2 (both ends are included), got {r.num!r}")


def make_range(name: str, *, start: Any = None, stop: Any = None, num: Any = None, spacing: str = "linear",
               values: Iterable[Any] | None = None) -> ParameterRange:
    """A checked :class:`ParameterRange` from loose values (numbers or their text).

    Parameters
    ----------
    name : str
        The parameter.
    start, stop : float or str, optional
        The bounds of a range.
    num : int or str, optional
        The number of grid values, both ends included (``>= 2``); omit it for bounds only.
    spacing : {"linear", "log"}
        Even or logarithmic spacing.
    values : iterable of float, optional
        A list of values instead of a range.

    Returns
    -------
    ParameterRange

    Raises
    ------
    coop.errors.InputError
        One line: a non-number, an empty, reversed or log range with a non-positive bound, ``NUM < 2``.

    Examples
    --------
    >>> make_range("leak", start=0.01, stop=1, num=3, spacing="log").grid_values()
    array([0.01, 0.1 , 1.  ])
    >>> make_range("n", start=0, stop=1, num=1)
    Traceback (most recent call last):
    ...
    coop.errors.InputError: NUM of 'n' must be a whole number >= 2 (both ends are included), got 1
    """
    if values is not None:
        items = list(values)
        if not items:
            raise InputError(f"the list of values of {name!r} is empty")
        return ParameterRange(name, values=tuple(_number(v, f"a value of {name!r}") for v in items))
    lo = _number(start, f"START of {name!r}") if start is not None else None
    hi = _number(stop, f"STOP of {name!r}") if stop is not None else None
    count: int | None = None
    if num is not None:
        x = _number(num, f"NUM of {name!r}")
        if x != int(x) or x < 2:
            raise InputError(f"NUM of {name!r} must be a whole number >= 2 (both ends are included), got {num}")
        count = int(x)
    if spacing not in SPACINGS:
        raise InputError(f"unknown spacing {spacing!r} of {name!r}; expected linear or log")
    return ParameterRange(name, lo, hi, count, cast(Spacing, spacing))


def parse_range(text: str) -> ParameterRange:
    """A range in the command-line syntax: ``NAME=START:STOP:NUM[:log]``, ``NAME=V1,V2,...``, ``NAME=START:STOP``.

    Raises
    ------
    coop.errors.InputError
        ``parameter range 'TEXT': what is wrong``, one line.

    Examples
    --------
    >>> parse_range("relative_gains=0:1:51").grid_values()[:3]
    array([0.  , 0.02, 0.04])
    >>> parse_range("risk=0.1, 0.5 ,0.9").values
    (0.1, 0.5, 0.9)
    >>> parse_range("leak=0:1:20:log")
    Traceback (most recent call last):
    ...
    coop.errors.InputError: parameter range 'leak=0:1:20:log': log spacing needs START and STOP > 0; 'leak' starts at 0
    """
    try:
        return _parse_range(text)
    except InputError as err:
        raise InputError(f"parameter range {text!r}: {err.message}") from None


def _parse_range(text: str) -> ParameterRange:
    name, sep, body = str(text).partition("=")
    name, body = name.strip(), body.strip()
    if not sep or not name or not body:
        raise InputError(f"expected {RANGE_SYNTAX}")
    if not IDENTIFIER_RE.match(name):
        raise InputError(f"invalid parameter name {name!r}: use letters, digits and '_', starting with a letter")
    if "," in body:
        if ":" in body:
            raise InputError(f"give a list (V1,V2,...) or a range (START:STOP:NUM), not both; expected {RANGE_SYNTAX}")
        items = [v.strip() for v in body.split(",")]
        if any(not v for v in items):
            raise InputError(f"the list of values of {name!r} has an empty entry")
        return make_range(name, values=items)
    parts = [p.strip() for p in body.split(":")]
    if len(parts) == 1:  # one value: a list of one
        return make_range(name, values=parts)
    spacing = "linear"
    if parts[-1].lower() in SPACINGS and len(parts) in (3, 4):
        spacing = parts.pop().lower()
    elif len(parts) == 4:
        raise InputError(f"unknown spacing {parts[-1]!r}; expected linear or log")
    if len(parts) not in (2, 3):
        raise InputError(f"expected {RANGE_SYNTAX}")
    num = parts[2] if len(parts) == 3 else None
    if num is not None and not num:
        raise InputError(f"NUM of {name!r} is empty")
    return make_range(name, start=parts[0] or None, stop=parts[1] or None, num=num, spacing=spacing)


def parse_ranges(texts: Iterable[str | ParameterRange]) -> tuple[ParameterRange, ...]:
    """Several ranges (texts or ranges already made), checking that no parameter is given twice."""
    out: list[ParameterRange] = []
    seen: set[str] = set()
    for item in texts:
        r = item if isinstance(item, ParameterRange) else parse_range(item)
        if r.name in seen:
            raise InputError(f"parameter {r.name!r} is swept twice; give one range per parameter")
        seen.add(r.name)
        out.append(r)
    return tuple(out)


def check_parameter_names(names: Iterable[str], known: Iterable[str], source: str | None = None) -> None:
    """Every swept name is a parameter of the scenario (``coop.load(path).parameters``), or one error line.

    Examples
    --------
    >>> check_parameter_names(["relative_gain"], {"relative_gains": 0.0, "delta": 0.9}, "ai-arms-race")
    Traceback (most recent call last):
    ...
    coop.errors.InputError: ai-arms-race: cannot sweep unknown parameter 'relative_gain' (did you mean ...
    """
    params = list(known)
    for name in names:
        if name not in params:
            if not params:
                raise InputError(f"cannot sweep {name!r}: the scenario has no parameters", source=source)
            raise InputError(f"cannot sweep unknown parameter {name!r}{suggest(name, params)}; "
                             f"the scenario's parameters are {known_list(params)}", source=source)


@functools.lru_cache(maxsize=1)
def _unit_sample(kind: str, dim: int, count: int, seed: int) -> np.ndarray:
    """``count`` points of the unit cube ``[0, 1)^dim`` for a sampled design, drawn from ``seed`` (read-only)."""
    from scipy.stats import qmc

    rng = np.random.default_rng(seed)
    if kind == "random":
        u = rng.random((count, dim))
    else:
        engine_cls = qmc.Sobol if kind == "sobol" else qmc.LatinHypercube
        # scipy >= 1.15 takes the generator as ``rng``; older versions call it ``seed``
        key = "rng" if "rng" in inspect.signature(engine_cls.__init__).parameters else "seed"
        engine = engine_cls(dim, **{key: rng})
        with warnings.catch_warnings():  # Sobol' balance is best at powers of two; any count is valid
            warnings.simplefilter("ignore", UserWarning)
            u = engine.random(count)
    u = np.ascontiguousarray(u, dtype=np.float64)
    u.setflags(write=False)
    return u


@dataclass(frozen=True)
class Design:
    """Which points a sweep visits: ranges, a design kind, and for sampled designs the count and seed.

    Build one with :func:`make_design` (or :meth:`from_dict`); the constructor checks it.

    Attributes
    ----------
    parameters : tuple of ParameterRange
        One range per swept parameter, in column order.
    kind : {"grid", "random", "sobol", "lhs"}
        The Cartesian product, or ``count`` points drawn from ``seed``.
    count : int or None
        The number of points of a sampled design (``None`` for a grid).
    seed : int
        The seed of a sampled design (recorded for a grid too, unused).

    Examples
    --------
    >>> d = make_design(["x=0:1", "y=1,2,3"], design="sobol", points=4, seed=1)
    >>> d.size, d.names
    (4, ('x', 'y'))
    >>> bool(d.points()["x"].between(0, 1).all())
    True
    """

    parameters: tuple[ParameterRange, ...]
    kind: DesignKind = "grid"
    count: int | None = None
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        if not self.parameters:
            raise InputError("a sweep needs at least one parameter range (e.g. relative_gains=0:1:51)")
        parse_ranges(self.parameters)  # duplicates
        if self.kind not in DESIGNS:
            raise InputError(f"unknown design {self.kind!r}{suggest(str(self.kind), DESIGNS)}; "
                             f"expected one of {known_list(DESIGNS)}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"the seed must be a whole number >= 0, got {self.seed!r}")
        if self.kind == "grid":
            if self.count is not None:
                raise InputError("points applies to sampled designs (random, sobol, lhs); a grid takes NUM values "
                                 "per parameter")
            for r in self.parameters:
                if r.kind == "bounds":
                    r.grid_values()  # raises: says what a grid needs
            size = math.prod(self.shape)
            if size > MAX_GRID_POINTS:
                raise InputError(
                    f"a grid of {size:,} points ({' x '.join(str(n) for n in self.shape)}) is over the limit of "
                    f"{MAX_GRID_POINTS:,}; give fewer values per parameter, or use a sampled design "
                    "(random, sobol or lhs) with an explicit number of points")
        elif isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise InputError(f"points must be a whole number >= 1, got {self.count!r}")

    @property
    def names(self) -> tuple[str, ...]:
        """The swept parameters, in column order."""
        return tuple(r.name for r in self.parameters)

    @property
    def shape(self) -> tuple[int, ...]:
        """Values per parameter of a grid (``(count,)`` for a sampled design)."""
        if self.kind != "grid":
            return (int(cast(int, self.count)),)
        return tuple(len(r.values) if r.values else int(cast(int, r.num)) for r in self.parameters)

    @property
    def size(self) -> int:
        """The number of points."""
        return math.prod(self.shape)

    def values(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """The points ``start`` to ``stop`` (excluded) as a float64 array of shape ``(n, len(parameters))``.

        A grid computes only the rows asked for; a sampled design draws every point (cached) and slices.
        """
        stop = self.size if stop is None else min(stop, self.size)
        start = max(0, min(start, stop))
        if self.kind == "grid":
            index = np.unravel_index(np.arange(start, stop, dtype=np.int64), self.shape)
            columns = [r.grid_values()[k] for r, k in zip(self.parameters, index, strict=True)]
        else:
            u = _unit_sample(self.kind, len(self.parameters), int(cast(int, self.count)), self.seed)[start:stop]
            columns = [r.from_unit(u[:, j]) for j, r in enumerate(self.parameters)]
        out = np.empty((stop - start, len(self.parameters)), dtype=np.float64)
        for j, col in enumerate(columns):
            out[:, j] = col
        return out

    def points(self, start: int = 0, stop: int | None = None) -> pd.DataFrame:
        """The points as a table: one float64 column per parameter, in order; the index is the point number."""
        import pandas as pd

        stop = self.size if stop is None else min(stop, self.size)
        start = max(0, min(start, stop))
        vals = self.values(start, stop)
        index = pd.RangeIndex(start, stop, name="point")
        return pd.DataFrame({name: vals[:, j] for j, name in enumerate(self.names)}, index=index)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``design``, ``parameters`` (each range's ``to_dict()``), ``points`` and ``seed``."""
        return {"design": self.kind, "parameters": [r.to_dict() for r in self.parameters], "points": self.size,
                "seed": self.seed if self.kind != "grid" else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Design:
        """The inverse of :meth:`to_dict`."""
        kind = data.get("design", "grid")
        ranges = tuple(ParameterRange.from_dict(r) for r in data["parameters"])
        if kind == "grid":
            return cls(ranges)
        seed = data.get("seed")
        return cls(ranges, kind, int(data["points"]), DEFAULT_SEED if seed is None else int(seed))


def make_design(parameters: Sequence[str | ParameterRange], design: str = "grid", points: int | None = None,
                seed: int | None = None, known: Iterable[str] | None = None, source: str | None = None) -> Design:
    """A checked :class:`Design` from ranges (texts in the command-line syntax, or :class:`ParameterRange`).

    Parameters
    ----------
    parameters : sequence of str or ParameterRange
        The swept parameters and their ranges, in column order.
    design : {"grid", "random", "sobol", "lhs"}
        The kind of design.
    points : int, optional
        The number of points of a sampled design (default :data:`DEFAULT_POINTS`); not for a grid.
    seed : int, optional
        The seed of a sampled design (default :data:`DEFAULT_SEED`).
    known : iterable of str, optional
        The scenario's parameter names: every swept name must be one.
    source : str, optional
        The scenario, named in the unknown-parameter message.

    Returns
    -------
    Design

    Raises
    ------
    coop.errors.InputError
        One line, before any work: a bad range, a parameter given twice, an unknown parameter or design,
        ``points`` for a grid, a grid over :data:`MAX_GRID_POINTS` points.
    """
    ranges = parse_ranges(parameters)
    if known is not None:
        check_parameter_names((r.name for r in ranges), known, source)
    if design not in DESIGNS:
        raise InputError(f"unknown design {design!r}{suggest(design, DESIGNS)}; expected one of {known_list(DESIGNS)}")
    kind = cast(DesignKind, design)
    if kind == "grid":
        if points is not None:
            raise InputError("points applies to sampled designs (random, sobol, lhs); a grid takes NUM values "
                             "per parameter")
        return Design(ranges)
    return Design(ranges, kind, DEFAULT_POINTS if points is None else points,
                  DEFAULT_SEED if seed is None else seed)
