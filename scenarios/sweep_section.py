"""The ``sweep`` section of a scenario: which parameters to vary, over which ranges, in which design.

.. code-block:: yaml

    sweep:
      parameters:
        relative_gains: {start: 0, stop: 1, num: 51}   # NUM evenly spaced values, both ends included
        delta: "0.5:0.99:50"                           # the command-line syntax works too
        risk: [0.1, 0.5, 0.9]                          # a list
        leak: {start: 0.01, stop: 1, num: 20, spacing: log}
      design: grid          # grid (default) | random | sobol | lhs
      points: 1000          # sampled designs only (default 256)
      seed: 1               # sampled designs (default 0)
      thresholds: true      # refine where a categorical metric changes (default false)

The ranges are those of :mod:`coop.sweeps.design`; every swept name must be a
parameter of the scenario. A sampled design draws between each range's bounds
(``num`` may be left out) and among a list's values.

Examples
--------
>>> from coop.scenarios.yaml_source import parse_yaml
>>> from coop.scenarios.sections import SectionContext
>>> doc = parse_yaml("sweep:\\n  parameters:\\n    gain: {start: 0, stop: 1, num: 3}\\n", source="demo.yaml")
>>> context = SectionContext(None, lambda node, what: float(node.value), "demo.yaml", {"gain": 0.5})
>>> spec = parse_sweep(doc["sweep"], context)
>>> spec.to_design().points()["gain"].tolist()
[0.0, 0.5, 1.0]
>>> doc = parse_yaml("sweep:\\n  parameters:\\n    gian: [1, 2]\\n", source="demo.yaml")
>>> parse_sweep(doc["sweep"], context)
Traceback (most recent call last):
...
coop.errors.InputError: demo.yaml, line 3, at sweep.parameters.gian: cannot sweep unknown parameter 'gian' ...
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coop.errors import InputError
from coop.scenarios import fields
from coop.scenarios.formula import known_list, suggest
from coop.scenarios.schema import KeySpec, check_keys
from coop.scenarios.sections import SectionContext
from coop.scenarios.yaml_source import YNode
from coop.sweeps.design import (
    DESIGNS,
    Design,
    ParameterRange,
    check_parameter_names,
    make_design,
    make_range,
    parse_range,
)

SWEEP_KEYS: dict[str, KeySpec] = {
    "parameters": KeySpec("the swept parameters: name -> {start, stop, num, spacing}, a list, or 'START:STOP:NUM'",
                          required=True),
    "design": KeySpec(f"how points are chosen: {', '.join(DESIGNS)} (default grid)"),
    "points": KeySpec("the number of points of a sampled design (random, sobol, lhs)"),
    "seed": KeySpec("the seed of a sampled design"),
    "thresholds": KeySpec("refine the parameter values where a categorical metric changes: true/false, or the "
                          "list of metrics to refine (e.g. [stage.structure])"),
    "sections": KeySpec("record only these sections' metrics, e.g. [stage, repeated] (default: all)"),
    "description": KeySpec("what the sweep shows"),
}

RANGE_KEYS: dict[str, KeySpec] = {
    "start": KeySpec("the lower bound", required=True),
    "stop": KeySpec("the upper bound", required=True),
    "num": KeySpec("how many evenly spaced values a grid takes, both ends included (>= 2)"),
    "spacing": KeySpec("linear (default) or log"),
}


@dataclass(frozen=True)
class SweepSpec:
    """The ``sweep`` section: ranges, design, and whether to refine thresholds.

    Attributes
    ----------
    parameters : tuple of ParameterRange
        The swept parameters, in the file's order.
    design : {"grid", "random", "sobol", "lhs"}
        How points are chosen.
    points : int or None
        The number of points of a sampled design, when given.
    seed : int or None
        The seed of a sampled design, when given.
    thresholds : bool
        Whether ``coop sweep`` refines where a categorical metric changes.
    description : str
        What the sweep shows.
    threshold_metrics : tuple of str
        The metrics to refine (empty: every categorical one).
    sections : tuple of str
        The sections whose metrics are recorded (empty: every one that applies).
    """

    parameters: tuple[ParameterRange, ...]
    design: str = "grid"
    points: int | None = None
    seed: int | None = None
    thresholds: bool = False
    description: str = ""
    threshold_metrics: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()

    def to_design(self, parameters: Sequence[str | ParameterRange] = (), design: str | None = None,
                  points: int | None = None, seed: int | None = None) -> Design:
        """The :class:`coop.sweeps.design.Design` of this section, with the command line's choices first.

        Parameters
        ----------
        parameters : sequence of str or ParameterRange
            Ranges given on the command line; when any are given they replace the section's ranges.
        design, points, seed : optional
            Replace the section's values. Changing to a grid drops the section's ``points``.

        Returns
        -------
        Design
        """
        kind = design if design is not None else self.design
        if points is None and kind != "grid":
            points = self.points
        return make_design(list(parameters) or list(self.parameters), design=kind, points=points,
                           seed=seed if seed is not None else self.seed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ``parameters`` (each range's ``to_dict()``), ``design``, ``points``, ``seed``, ``thresholds``."""
        return {"parameters": [r.to_dict() for r in self.parameters], "design": self.design, "points": self.points,
                "seed": self.seed, "thresholds": self.thresholds, "description": self.description,
                "threshold_metrics": list(self.threshold_metrics), "sections": list(self.sections)}


def _number(node: YNode, what: str) -> Any:
    if node.kind != "scalar" or node.value is None or isinstance(node.value, bool):
        raise node.error(f"{what} must be a number, got {node.describe()}")
    return node.value


def _range(name: str, node: YNode) -> ParameterRange:
    """One parameter's range: a mapping, a list, the command-line syntax as text, or one number."""
    try:
        if node.kind == "map":
            check_keys(node, RANGE_KEYS, f"the range of {name!r}")
            spacing = node["spacing"].text.strip() if "spacing" in node else "linear"
            if spacing not in ("linear", "log"):
                raise node["spacing"].error(f"unknown spacing {spacing!r} of {name!r}; expected linear or log")
            return make_range(name, start=_number(node["start"], f"start of {name!r}"),
                              stop=_number(node["stop"], f"stop of {name!r}"),
                              num=_number(node["num"], f"num of {name!r}") if "num" in node else None,
                              spacing=spacing)
        if node.kind == "seq":
            return make_range(name, values=[_number(child, f"a value of {name!r}") for child in node])
        if node.value is None or isinstance(node.value, bool):
            raise node.error(f"the range of {name!r} must be {{start, stop, num}}, a list or 'START:STOP:NUM', "
                             f"got {node.describe()}")
        return parse_range(f"{name}={node.text}")
    except InputError as err:
        if err.line is not None:
            raise
        message = err.message
        prefix = f"parameter range '{name}={node.text}': "
        raise node.error(message[len(prefix):] if message.startswith(prefix) else message) from None


def build_sweep(node: YNode, parameters: Sequence[str]) -> SweepSpec:
    """Validate the ``sweep`` section against the scenario's parameter names."""
    check_keys(node, SWEEP_KEYS, "the sweep section")
    params_node = node["parameters"]
    if params_node.kind != "map" or len(params_node) == 0:
        raise params_node.error("sweep parameters must be a mapping of parameter name: range, "
                                f"e.g. relative_gains: {{start: 0, stop: 1, num: 51}}; got {params_node.describe()}")
    design = fields.choice(node["design"], DESIGNS, "design") if "design" in node else "grid"
    ranges = []
    for name, child in params_node.items():
        try:
            check_parameter_names([name], parameters)
        except InputError as err:
            raise params_node.error(err.message, key=name) from None
        r = _range(name, child)
        if design == "grid" and r.kind == "bounds":
            raise child.error(f"{name!r} has bounds only, which suit a sampled design; a grid needs num "
                              "(e.g. {start: 0, stop: 1, num: 51}) or a list (or design: sobol)")
        ranges.append(r)

    def whole(key: str, least: int) -> int | None:
        if key not in node:
            return None
        child = node[key]
        if child.kind != "scalar" or isinstance(child.value, bool) or not isinstance(child.value, int) \
                or child.value < least:
            raise child.error(f"{key} must be a whole number >= {least}, got {child.describe()}")
        return int(child.value)

    points, seed = whole("points", 1), whole("seed", 0)
    if points is not None and design == "grid":
        raise node["points"].error("points applies to sampled designs (random, sobol, lhs); a grid takes num "
                                   "values per parameter (add design: sobol, for example)")
    threshold_metrics: tuple[str, ...] = ()
    if "thresholds" in node and node["thresholds"].kind == "seq":
        threshold_metrics = _names(node["thresholds"], "thresholds")
        thresholds = bool(threshold_metrics)
    else:
        thresholds = fields.flag(node["thresholds"], "thresholds") if "thresholds" in node else False
    sections = _names(node["sections"], "sections") if "sections" in node else ()
    if sections:
        from coop.sections.registry import analyses

        known = [a.name for a in analyses()]
        for item, name in zip(node["sections"], sections, strict=True):
            if name not in known:
                raise item.error(f"unknown section {name!r}{suggest(name, known)}; the sections are "
                                 f"{known_list(known)}")
    description = node["description"].text.strip() if "description" in node else ""
    spec = SweepSpec(tuple(ranges), design, points, seed, thresholds, description, threshold_metrics, sections)
    try:
        spec.to_design()
    except InputError as err:  # e.g. a grid over the cap, bounds only in a grid
        raise node.error(err.message) from None
    return spec


def _names(node: YNode, what: str) -> tuple[str, ...]:
    if node.kind != "seq" or len(node) == 0 or any(item.kind != "scalar" or item.value is None for item in node):
        raise node.error(f"{what} must be a non-empty list of names, got {node.describe()}")
    return tuple(item.text for item in node)


def parse_sweep(node: YNode, context: SectionContext) -> SweepSpec:
    """The registered parser of the ``sweep`` section (see :mod:`coop.scenarios.sections`)."""
    return build_sweep(node, list(context.parameters))
