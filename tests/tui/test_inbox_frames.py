"""What one key or one new list makes the inbox do (issue 19: the j key and the search at 1M).

A ``j`` press drew two frames: the list, then the status line a frame interval later
(its text was written on the list's ``Highlighted`` message, after the list's repaint
was queued), and every notice the app broadcast also reached Textual's default screen
under the inbox, which then repainted the whole inbox once more. A new list (a filter,
a search) ran its count beside its first page. These tests drive the real app on a real
database and check what it does, not how long it takes.
"""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen
from textual.widgets import Static

from feedback_tui.tui import messages
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.inbox import InboxScreen
from tui_helpers import SIZE, review_list, settle


def _status(app: FeedbackApp) -> str:
    return str(app.screen.query_one("#status-line", Static).render())


def _running(app: FeedbackApp, group: str) -> list[object]:
    return [w for w in app.workers if w.group == group and not w.is_finished]


async def test_the_status_line_is_written_as_the_cursor_moves(demo_db: Path) -> None:
    """In the same step as the move, so that the list and the line are drawn in one frame."""
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lst = review_list(app)
        total = lst.total
        assert total and total > 3
        lst.action_cursor_down()
        lst.action_cursor_down()
        assert _status(app).startswith(f"3 of {total:,} ")  # no message handled yet: written by the move
        await pilot.press("j")
        assert _status(app).startswith(f"4 of {total:,} ")
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        inbox.show_working("opening the filters…")  # another text in the same line
        assert _status(app) == "working: opening the filters…"
        inbox._show_status()  # noqa: SLF001 - the same position as before the working line: written again
        assert _status(app).startswith(f"4 of {total:,} ")


async def test_notices_go_to_the_app_screens_and_not_to_textual_default_screen(demo_db: Path) -> None:
    """The default screen under the inbox handles none of them; a message to it made it
    repaint and mark the whole inbox for a repaint of its own (a second frame per key)."""
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        default, inbox = app.screen_stack[0], app.screen
        assert type(default) is Screen and isinstance(inbox, InboxScreen)
        app.broadcast(messages.DatabaseChanged)
        # Textual's queue of each screen, read before either handles anything (no await since).
        assert default._message_queue.empty()  # noqa: SLF001
        assert not inbox._message_queue.empty()  # noqa: SLF001
        await settle(app, pilot)
        assert review_list(app).total is not None  # the inbox reloaded on it


async def test_a_new_list_counts_once_its_first_page_is_in(demo_db: Path) -> None:
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        lst = review_list(app)
        inbox.apply_query(inbox.query_state.with_changes(view="all", search="app"))
        assert lst.total is None
        assert _running(app, "list-pages") and not _running(app, "list-count")
        await settle(app, pilot)
        assert lst.current_row is not None and lst.total is not None and lst.total > 0
        assert _status(app).startswith(f"1 of {lst.total:,} ")

        # A search that finds nothing: its empty page is in, and the count says so.
        inbox.apply_query(inbox.query_state.with_changes(search="zzzqqqxxnothing"))
        await settle(app, pilot)
        assert lst.total == 0 and lst.current_row is None

        # A live refresh keeps its rows on the screen and counts at once.
        inbox.apply_query(inbox.query_state.with_changes(search=None))
        await settle(app, pilot)
        lst.move_to(2)
        inbox.refresh_data()
        assert _running(app, "list-count")
        await settle(app, pilot)
        assert lst.cursor == 2 and lst.total is not None
