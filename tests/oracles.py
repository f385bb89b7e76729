"""The reference libraries the tests hold coop against, imported on first use and only here.

Pygambit, Nashpy, QuantEcon, EGTtools and Axelrod take seconds to import
(Axelrod alone about ten), so no test module imports them itself: it imports
their stand-ins from here (``from tests.oracles import axelrod as axl``), and
the library is imported when a test first uses one of its attributes. So
collecting the suite, or running a unit test, never pays for them.

They are all in the ``test`` extra and CI installs them, so a missing oracle
is a failure, not a skip: an oracle test that silently skipped would pass
without checking anything. On a machine without some of them, set
``COOP_SKIP_MISSING_ORACLES=1`` to skip the tests that need them instead.

Examples
--------
>>> from tests.oracles import quantecon as qe
>>> qe
<oracle 'quantecon.game_theory', imported on first use>
>>> qe.NormalFormGame.__name__
'NormalFormGame'
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import numpy as np
import pytest

#: The top-level packages of the oracles: none of them is imported when the tests are collected.
HEAVY = ("axelrod", "egttools", "nashpy", "pygambit", "quantecon")

#: Set to 1 to skip (instead of fail) the tests whose oracle is not installed.
SKIP_ENV = "COOP_SKIP_MISSING_ORACLES"


def _missing(what: str, err: Exception | None = None) -> None:
    message = f"the test oracle {what} is not available ({err or 'not found'}); install the test extra " \
              f"(pip install -e '.[test]') or set {SKIP_ENV}=1 to skip the tests that need it"
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(message)
    pytest.fail(message, pytrace=False)


def _load(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        _missing(repr(module), err)
        raise  # unreachable: _missing skips or fails


class Oracle:
    """A reference library, imported when one of its attributes is first used."""

    def __init__(self, module: str) -> None:
        self._name = module

    @property
    def module(self) -> ModuleType:
        """The library itself (imported now if it was not yet)."""
        return _load(self._name)

    def __getattr__(self, attr: str):
        # private and dunder names are asked for by pytest's collection (fixture markers) and by introspection;
        # answering them must not import the library
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self.module, attr)

    def __repr__(self) -> str:
        return f"<oracle {self._name!r}, imported on first use>"


#: The Axelrod library (tournaments, matches and their strategies).
axelrod = Oracle("axelrod")
#: EGTtools (finite-population dynamics: fixation, stationary distributions).
egttools = Oracle("egttools")
#: Nashpy (2-player equilibria, replicator dynamics).
nashpy = Oracle("nashpy")
#: Pygambit (Gambit's equilibrium solvers and .nfg files).
pygambit = Oracle("pygambit")
#: QuantEcon's game theory package, ``quantecon.game_theory``.
quantecon = Oracle("quantecon.game_theory")


def gambit_strategies(profile) -> list[np.ndarray]:
    """A pygambit (17) mixed strategy profile as one probability array per player, players and strategies in order.

    pygambit 17 indexes a profile by player label and yields one ``MixedStrategy`` per player, itself a sequence
    of ``(strategy label, probability)`` pairs.
    """
    return [np.array([float(prob) for _, prob in mixed]) for mixed in profile]


def gambit_flat(profile) -> np.ndarray:
    """A pygambit mixed strategy profile as one flat probability vector (players in order)."""
    return np.concatenate(gambit_strategies(profile))


def gambit_payoffs(game) -> np.ndarray:
    """Every payoff of every pure profile of a pygambit game, as a coop ``(N, a_1, ..., a_N)`` float array."""
    return np.array([np.asarray(a, dtype=float) for a in game.to_arrays(dtype=float)])


def gambit_labels(game) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The player labels of a pygambit game and each player's strategy labels."""
    players = tuple(game.players)
    return players, tuple(tuple(game.get_strategies(p)) for p in players)


def lrsnash() -> str:
    """The path of the ``lrsnash`` executable (Debian package ``lrslib``)."""
    path = shutil.which("lrsnash")
    if path is None:
        _missing("'lrsnash' (Debian package lrslib)")
    return path  # type: ignore[return-value]
