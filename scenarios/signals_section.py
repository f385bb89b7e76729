"""A public signal written in a scenario: ``repeated.signals`` and ``repeated.punish_on``.

.. code-block:: yaml

    repeated:
      delta: 0.9
      cooperate: {US: restrain, China: restrain}
      defect: {US: race, China: race}
      signals:                  # {name: probability}; the distribution of the public signal
        good: rest              #   given the realised action profile; at most one `rest` takes
        bad: "p + (q - p) * (US.race + China.race) / 2"   # what the others leave
      punish_on: bad            # the signals the built-in strategies read as "a defection was seen"

Each probability is a number or a formula of the parameters, the action
indicators ``Player.action`` and, when every player has the same actions,
the counts ``n_action`` (as in ``payoffs.formulas``), evaluated at every
profile at once (:mod:`coop.scenarios.profile_formulas`). At every profile
each probability must lie in ``[0, 1]`` and they must sum to one, within
:data:`~coop.games.public_signals.SIGNAL_TOL` (then they are renormalised);
otherwise one error line names the signal and a profile where it fails.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from coop.errors import InputError
from coop.games.normal_form import NormalFormGame
from coop.games.public_signals import SIGNAL_TOL, SignalDistribution, profile_names
from coop.scenarios import fields
from coop.scenarios.profile_formulas import ProfileNames, evaluate_over_profiles
from coop.scenarios.schema import number, text_list
from coop.scenarios.yaml_source import YNode

#: The value that makes a signal take the probability the others leave.
REST = "rest"


def build_signals(node: YNode, punish_node: YNode | None, stage: NormalFormGame,
                  params: Mapping[str, float]) -> SignalDistribution:
    """Validate ``repeated.signals`` (and ``punish_on``) and evaluate the probabilities at every profile."""
    if node.kind != "map" or len(node) == 0:
        raise node.error(f"signals must be a mapping {{signal: probability}} with at least one signal, "
                         f"got {node.describe()}")
    names_of = ProfileNames(params, stage.players, stage.actions)
    labels = profile_names(stage)
    names: list[str] = []
    columns: dict[str, np.ndarray] = {}
    rest: str | None = None
    for name, vnode in node.items():
        if not name or name.strip() != name:
            raise node.error(f"invalid signal name {name!r}", key=name)
        names.append(name)
        if vnode.kind == "scalar" and isinstance(vnode.value, str) and vnode.value.strip() == REST:
            if rest is not None:
                raise vnode.error(f"only one signal may be {REST!r} (the remaining probability); {rest!r} is already")
            rest = name
            continue
        x = number(vnode, f"the probability of signal {name!r}")
        try:
            value = (np.full(stage.num_actions, x) if x is not None else evaluate_over_profiles(
                vnode.value, names_of, hint=f" (write {REST!r} for the signal that takes the remaining probability)"))
        except InputError as err:
            raise err.located(vnode.source, vnode.line, vnode.place or None) from None
        flat = value.reshape(-1)
        bad = ~np.isfinite(flat) | (flat < -SIGNAL_TOL) | (flat > 1.0 + SIGNAL_TOL)
        if bad.any():
            f = int(np.flatnonzero(bad)[0])
            raise vnode.error(f"the probability of signal {name!r} is {flat[f]:.12g} at the profile {labels[f]}; "
                              "expected a number in [0, 1] at every profile")
        columns[name] = np.clip(flat, 0.0, 1.0)
    given = sum((columns[n] for n in names if n != rest), np.zeros(stage.num_profiles))
    if rest is not None:
        if np.any(given > 1.0 + SIGNAL_TOL):
            f = int(np.argmax(given))
            raise node[rest].error(
                f"the signals other than {rest!r} have probability {given[f]:.12g} at the profile {labels[f]}, "
                f"more than 1: nothing is left for {rest!r}")
        columns[rest] = np.clip(1.0 - given, 0.0, 1.0)
    else:
        off = np.abs(given - 1.0) > SIGNAL_TOL
        if off.any():
            f = int(np.flatnonzero(off)[0])
            raise node.error(f"the signal probabilities sum to {given[f]:.12g} at the profile {labels[f]}, "
                             f"expected 1 at every profile (or make one signal {REST!r})")
    table = np.stack([columns[n] for n in names], axis=1)
    punish: tuple[str, ...] = ()
    if punish_node is not None:
        punish = text_list(punish_node, "punish_on")
        for k, s in enumerate(punish):
            if s not in names:
                where = punish_node[k] if punish_node.kind == "seq" else punish_node
                fields.choice(where, names, "signal", where="punish_on")
        if len(set(punish)) != len(punish):
            raise punish_node.error("punish_on names a signal twice")
    try:
        return SignalDistribution(tuple(names), table, punish)
    except InputError as err:
        raise err.located(node.source, node.line, node.place or None) from None
