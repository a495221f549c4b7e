"""Helpers for the Pilot tests of the TUI: wait for workers, read what is drawn.

Nothing here stands in for our code: the app runs for real on a real SQLite
file; these only wait and look.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import OptionList
from textual.worker import WorkerState

from feedback_tui.store import Store
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.store.rows import InboxRow
from feedback_tui.tui.widgets.review_list import ReviewList

SIZE = (120, 40)
RAW_CONTROLS = ("\x1b", "\x07", "\u202e", "\u200b")


def _busy(app: App[Any]) -> list[Any]:
    """Unfinished workers, except the database watcher (it only ends when the app does)."""
    return [w for w in app.workers if w.group != "watch" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)]


async def settle(app: App[Any], pilot: Pilot[Any], rounds: int = 6) -> None:
    """Wait until no worker runs and the messages they posted are handled.

    A worker's result often starts another one (a count, then a page, then a
    relocation), hence a few rounds.
    """
    for _ in range(rounds):
        for worker in _busy(app):
            await worker.wait()
        await pilot.pause()
        await pilot.pause()
        if not _busy(app):
            return


def inbox_of(app: App[Any]) -> InboxScreen:
    screen = next(s for s in app.screen_stack if isinstance(s, InboxScreen))
    return screen


def review_list(app: App[Any]) -> ReviewList:
    return inbox_of(app).query_one(ReviewList)


def loaded_rows(lst: ReviewList) -> list[InboxRow]:
    """Every row in memory, in display order (pages are contiguous from 0 in these tests)."""
    rows: list[InboxRow] = []
    for index in sorted(lst.pages):
        rows.extend(lst.pages[index])
    return rows


def row_line(lst: ReviewList, index: int) -> str:
    """The text drawn for row ``index`` (which must be on screen)."""
    return lst.render_line(index - round(lst.scroll_y)).text


def screen_text(app: App[Any]) -> str:
    """The whole screen as plain text, drawn the way ``export_screenshot`` draws it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def notifications(app: App[Any]) -> list[str]:
    return [n.message for n in app._notifications]


def scalar(path: Path, sql: str, params: tuple[object, ...] = ()) -> Any:
    with Store.open(path, migrate=False) as store:
        return store.scalar(sql, params)


def review(path: Path, review_id: int) -> dict[str, Any]:
    with Store.open(path, migrate=False) as store:
        row = store.conn.execute("SELECT * FROM reviews WHERE id = ?", (review_id,)).fetchone()
    assert row is not None, review_id
    return dict(row)


async def choose(pilot: Any, value: str) -> None:
    """Pick the option ``value`` of the ChoiceDialog on top, with the keyboard."""
    options = pilot.app.screen.query_one(OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    target = ids.index(value)
    await pilot.press("home")
    for _ in range(target):
        await pilot.press("down")
    assert options.highlighted == target
    await pilot.press("enter")
