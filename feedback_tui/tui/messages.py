"""The messages screens and the app exchange, so that no screen reaches into another.

Two directions:

- *Requests* bubble from a screen up to the :class:`~feedback_tui.tui.app.FeedbackApp`,
  which decides what to do (open the composer, move the inbox's cursor, show
  rows in the inbox).
- *Notices* go from the app to every screen on the stack (``bubble=False``: a
  screen that does not handle one lets it drop, so it never comes back up to
  the app). A screen opts in by defining the handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from feedback_tui.store.inbox import InboxQuery
from feedback_tui.tui.key_hold import KeyHold


# -- requests: screen -> app -------------------------------------------------------
class InboxSettled(Message):
    """The inbox has its first list and count: the app's long-lived objects exist
    (the app moves them out of the full garbage collections)."""


@dataclass
class ReplyRequested(Message):
    """Open the reply composer on this review; ``keys``: the keys typed since ``r``, held for its editor."""

    review_id: int
    keys: KeyHold | None = None


@dataclass
class StepRequested(Message):
    """The review screen wants the next (``+1``) or previous (``-1``) row of the list it came from."""

    delta: int


@dataclass
class RowHighlighted(Message):
    """The inbox's cursor is on a new row (``None``: the list is empty)."""

    row: Any  # an InboxRow


@dataclass
class ShowInInbox(Message):
    """Drill-down: close what is on top and list exactly these rows in the inbox."""

    query: InboxQuery


# -- notices: app -> every screen ------------------------------------------------------
@dataclass
class DatabaseChanged(Message, bubble=False):
    """Another connection committed (another agent, an import, a sync): reload what is shown."""


@dataclass
class SyncProgress(Message, bubble=False):
    """A sync's progress; ``done=None`` when it has ended (done or failed)."""

    done: int | None
    total: int | None
    text: str = ""


@dataclass
class StepCursor(Message, bubble=False):
    """Move the inbox list's cursor by ``delta`` (routed from a :class:`StepRequested`)."""

    delta: int


@dataclass
class CurrentRow(Message, bubble=False):
    """The row under the inbox's cursor now (routed from a :class:`RowHighlighted`)."""

    row: Any


@dataclass
class OpenQuery(Message, bubble=False):
    """List these rows (routed from a :class:`ShowInInbox`)."""

    query: InboxQuery


__all__ = ["CurrentRow", "DatabaseChanged", "InboxSettled", "OpenQuery", "ReplyRequested", "RowHighlighted", "ShowInInbox",
           "StepCursor", "StepRequested", "SyncProgress"]
