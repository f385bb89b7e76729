"""Kernel helpers shared by the solver families: shapes, random numbers, ordering, dense linear algebra.
"""
