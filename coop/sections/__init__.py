"""Section analyses: each part of a scenario's analysis, registered once, with a typed result.

See :mod:`coop.sections.base` for the protocol, :mod:`coop.sections.registry` for
the list, and :mod:`coop.sections.report` for :func:`analyse` and :class:`SolveReport`.
"""
