"""Errors a user can cause, each carrying one clear sentence.

The CLI turns these into a single line on stderr and an exit code; the app
turns them into a notification. Anything else is a bug and may show a
traceback.
"""

from __future__ import annotations


class FeedbackError(Exception):
    """Base class: ``str(error)`` is the message shown to the user."""

    exit_code = 1


class FileProblem(FeedbackError):
    """A whole input file cannot be used (missing, empty, binary, malformed).

    Nothing is written to the database when this is raised.
    """

    exit_code = 2

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class DatabaseProblem(FeedbackError):
    """The database file cannot be opened or written (not SQLite, locked,
    read-only, disk full)."""

    exit_code = 3


class UsageProblem(FeedbackError):
    """An option or argument that does not make sense."""

    exit_code = 2
