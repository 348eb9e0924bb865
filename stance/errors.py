"""Exceptions and warnings raised by ``stance``.

The hierarchy::

    StanceError(Exception)                  base class: catch this to catch them all
    ├── ModelLoadError(StanceError, OSError)  missing, damaged, foreign or newer-format weights
    └── InputError(StanceError, ValueError)   a bad input record; carries .source and .line_no

Every error also subclasses a builtin, so ``except ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = ["InputError", "ModelLoadError", "StanceError"]


class StanceError(Exception):
    """Base class of every error raised by ``stance``."""


class ModelLoadError(StanceError, OSError):
    """A model file is missing, damaged, tampered with, foreign or of a newer format."""


class InputError(StanceError, ValueError):
    """An input record cannot be scored.

    Parameters
    ----------
    message : str
        What was wrong and how to fix it.
    source : str or None
        The file (or ``"<stdin>"``) the record came from.
    line_no : int or None
        The 1-based line (JSONL, text) or record number (CSV) in ``source``.
    """

    def __init__(self, message: str, *, source: str | None = None, line_no: int | None = None):
        self.message = message
        self.source = source
        self.line_no = line_no
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.source is not None:
            where = f"{self.source}:{self.line_no}: " if self.line_no is not None else f"{self.source}: "
        return f"{where}{self.message}"

    def __reduce__(self):  # keep keyword arguments across process boundaries
        return (_rebuild_input_error, (self.message, self.source, self.line_no))


def _rebuild_input_error(message, source, line_no):
    return InputError(message, source=source, line_no=line_no)

