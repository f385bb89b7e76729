"""Closed forms of refined thresholds, derived with SymPy from the scenario's formulas where it can.

A change in the stage game's equilibrium structure along one parameter can only
happen where some player's ranking of two of its actions flips
(:func:`coop.scenarios.symbolic.best_response_boundaries`). For a threshold of a
``stage.*`` metric, the exact root nearest the bisected value is its closed form
when the two agree within :data:`AGREEMENT_RTOL` (the numeric value can sit up to
the solvers' deduplication tolerance, 1e-7, from the exact one: near a boundary
a mixed equilibrium merges with a pure one). Otherwise no closed form is claimed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from coop.sweeps.thresholds import Threshold

if TYPE_CHECKING:
    from coop.scenarios.schema import Scenario

#: A closed form is reported when it is within this relative distance of the bisected threshold.
AGREEMENT_RTOL = 1e-6
#: The metrics whose changes come from best-response flips of the stage game.
STAGE_PREFIX = "stage."


def with_closed_forms(thresholds: list[Threshold], scenario: Scenario, lower: dict[str, float],
                      upper: dict[str, float], fixed: dict[str, float] | None = None) -> tuple[list[Threshold],
                                                                                              list[str]]:
    """Add the closed form to each ``stage.*`` threshold where SymPy derives one that agrees with it.

    ``lower``/``upper`` bound each swept parameter (the roots are searched there); ``fixed`` are the
    parameters set for the whole sweep.
    """
    from coop.errors import InputError
    from coop.scenarios.symbolic import best_response_boundaries

    cache: dict[tuple[Any, ...], list[Any]] = {}
    out: list[Threshold] = []
    notes: list[str] = []
    failed = False
    for t in thresholds:
        if not t.metric.startswith(STAGE_PREFIX):
            out.append(t)
            continue
        key = (t.parameter, tuple(sorted(t.at.items())))
        if key not in cache:
            try:
                at_point = scenario.with_parameters({**(fixed or {}), **t.at})
                cache[key] = best_response_boundaries(at_point, t.parameter, lower[t.parameter],
                                                      upper[t.parameter])
            except (InputError, NotImplementedError, TypeError, ValueError) as err:
                cache[key] = []
                if not failed:
                    notes.append(f"no closed form derived for {t.parameter}: {err}")
                    failed = True
        roots = cache[key]
        if roots:
            nearest = min(roots, key=lambda r: abs(float(r) - t.value))
            v = float(nearest)
            if abs(v - t.value) <= AGREEMENT_RTOL * max(1.0, abs(v)):
                t = replace(t, closed_form=str(nearest), closed_form_value=v)
        out.append(t)
    return out, notes
