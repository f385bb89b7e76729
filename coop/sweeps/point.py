"""One point of a sweep: the scenario with some parameters set, analysed, reduced to its metrics.

:class:`PointEvaluator` is what the executor sends to local processes or Dask
workers: a small frozen dataclass (it pickles as a path and a few options), which
loads its scenario once per process and then only rebuilds it with each point's
parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coop.sections.base import Metric
from coop.solvers.nash.methods import Method

if TYPE_CHECKING:
    from coop.scenarios.schema import Scenario


@functools.lru_cache(maxsize=8)
def _scenario(source: str) -> Scenario:
    from coop.scenarios import load

    return load(source)


@dataclass(frozen=True)
class PointEvaluator:
    """``evaluate(point) -> metrics`` for one scenario: every section's :meth:`metrics`, flat.

    Parameters
    ----------
    source : str
        The scenario file or bundled name.
    fixed : tuple of (str, float)
        Parameters set for every point (``coop sweep --set``); a point's own values win.
    method : str
        The stage game's equilibrium method (as ``coop solve --method``).
    sections : tuple of str, optional
        Only these analyses (and what they require); all that apply when empty.

    Examples
    --------
    >>> evaluate = PointEvaluator("ai-arms-race")
    >>> m = evaluate({"relative_gains": 0.5})
    >>> m["stage.structure"], m["repeated.grim_trigger.spe"]
    ('1 pure (race,race)', True)
    """

    source: str
    fixed: tuple[tuple[str, float], ...] = ()
    method: Method = "auto"
    sections: tuple[str, ...] = ()

    def scenario(self) -> Scenario:
        """The scenario as loaded (cached per process)."""
        return _scenario(self.source)

    def __call__(self, point: Mapping[str, float]) -> dict[str, Metric]:
        from coop.inputs import LoadedInput
        from coop.sections.base import SolveOptions
        from coop.sections.registry import analyses
        from coop.sections.report import run_analyses

        values = {**dict(self.fixed), **{k: float(v) for k, v in point.items()}}
        scenario = self.scenario().with_parameters(values)
        loaded = LoadedInput(scenario.game, str(scenario.source), "scenario", scenario)
        selected = [a for a in analyses() if not self.sections or a.name in self.sections]
        out: dict[str, Metric] = {}
        for name, result in run_analyses(loaded, SolveOptions(method=self.method), selected).items():
            for key, value in result.metrics().items():
                out[f"{name}.{key}"] = value
        return out
