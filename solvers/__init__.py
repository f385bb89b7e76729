"""Equilibrium solvers: Numba kernels over plain arrays and thin, verifying Python wrappers."""

from coop.solvers.pure_nash import pure_nash_equilibria
from coop.solvers.results import Equilibrium, NashResult, REGRET_TOL

__all__ = ["Equilibrium", "NashResult", "REGRET_TOL", "pure_nash_equilibria"]
