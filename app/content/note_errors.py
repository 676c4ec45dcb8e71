"""The error of a note that cannot be read, and the default limits: what a sync needs before it reads any note.

Kept apart from :mod:`app.content.notes` (front matter, YAML, dates) so that a sync with nothing to
read imports none of that.
"""
from __future__ import annotations

from app.content.limits import LimitExceeded, NoteLimits

DEFAULT_LIMITS = NoteLimits()


class NoteReadError(Exception):
    """A note that cannot be read: bad encoding, broken front matter, over a limit, or any failure reading it."""

    def __init__(self, filename: str, reason: str, line: int | None = None):
        where = filename if line is None else f"{filename}:{line}"
        super().__init__(f"{where}: {reason}")
        self.filename = filename
        self.reason = reason
        self.line = line


def unexpected(filename: str, exc: BaseException, doing: str = "read") -> NoteReadError:
    """The error of a note that could not be ``doing`` (read, rendered): a limit's reason, else the failure's type and message."""
    if isinstance(exc, LimitExceeded):
        return NoteReadError(filename, exc.reason, exc.line)
    message = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return NoteReadError(filename, f"cannot be {doing} ({type(exc).__name__}{': ' + message if message else ''})")
