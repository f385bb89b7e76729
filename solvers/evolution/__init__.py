"""Evolutionary dynamics.

Deterministic dynamics and rest points, finite populations, fixation and stationary distributions.
"""
