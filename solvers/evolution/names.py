"""Names and defaults of the evolution family, one source for the scenario parser, the CLI and the solvers.

Imports nothing heavy.
"""

from __future__ import annotations

#: The noise of the logit dynamic when a scenario or a call gives none.
DEFAULT_LOGIT_ETA = 0.1
