"""One exception type for bad input, carrying where the problem is.

Every problem a user can cause by hand (a malformed file, an unknown action, a
payoff table of the wrong size, a formula with an unknown name) is raised as
:class:`InputError`. The CLI prints its one-line message and exits with status
2; the Python API lets it propagate as a ``ValueError``.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input, with the file, the line and the place in the document where known.

    Parameters
    ----------
    message : str
        What was wrong and what was expected, in one line.
    source : str, optional
        The file (or "game", "scenario") the input came from.
    line : int, optional
        1-based line number in ``source``.
    place : str, optional
        A path inside the document, such as ``payoffs.table[3]``.

    Examples
    --------
    >>> str(InputError("expected a number, got 'x'", source="s.yaml", line=4, place="parameters.c"))
    "s.yaml, line 4, at parameters.c: expected a number, got 'x'"
    """

    def __init__(
        self,
        message: str,
        source: str | None = None,
        line: int | None = None,
        place: str | None = None,
    ) -> None:
        self.message = " ".join(str(message).split())
        self.source = source
        self.line = line
        self.place = place
        super().__init__(self.format())

    def format(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.place:
            where.append(f"at {self.place}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def located(
        self, source: str | None = None, line: int | None = None, place: str | None = None
    ) -> InputError:
        """A copy with missing location fields filled in (inner details win)."""
        return InputError(
            self.message,
            source=self.source or source,
            line=self.line if self.line is not None else line,
            place=self.place or place,
        )
