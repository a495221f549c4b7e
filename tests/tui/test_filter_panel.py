"""The filter panel kept between openings (issue 19): each opening shows the current
query and lists read again, as a freshly built panel would."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select

from feedback_tui.store import Store, inbox
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.dialogs.filters import FilterDialog
from feedback_tui.tui.screens.inbox import InboxScreen
from tui_helpers import SIZE, settle


def _values(select: Select[str]) -> set[str]:
    return {value for _, value in select._options if isinstance(value, str)}


async def test_reopened_panel_shows_the_current_query_and_fresh_lists(demo_db: Path) -> None:
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        first = app.screen
        assert isinstance(first, FilterDialog)
        first.query_one("#source", Select).value = "app_store"
        first.query_one("#assignee", Input).value = "camille"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen) and app.screen.query_state.source == "app_store"

        with Store.open(demo_db) as store:  # someone imports a new source meanwhile
            with store.write() as conn:
                conn.execute("UPDATE reviews SET source = 'kiosk' WHERE id = (SELECT min(id) FROM reviews)")
            sources = inbox.distinct_values(store, "source")
        assert "kiosk" in sources

        await pilot.press("f")
        await settle(app, pilot)
        assert app.screen is first  # the same panel, not built again
        assert first.query_one("#source", Select).value == "app_store"
        assert first.query_one("#assignee", Input).value == "camille"
        assert _values(first.query_one("#source", Select)) == set(sources)
        await pilot.click("#clear")
        await settle(app, pilot)
        assert app.screen.query_state.source is None and app.screen.query_state.assignee is None

        await pilot.press("tab", "f")  # survey comments: their own sources and 0-10 scores
        await settle(app, pilot)
        assert app.screen is first
        assert first.query_one("#source", Select).value is Select.NULL
        with Store.open(demo_db) as store:
            assert _values(first.query_one("#source", Select)) == set(inbox.distinct_values(store, "source", "surveys"))
        assert _values(first.query_one("#max_rating", Select)) == {str(i) for i in range(11)}
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen) and app.screen.query_state.kind == "surveys"
