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


async def test_a_new_lists_count_waits_while_the_panel_is_open(demo_db: Path) -> None:
    """The count of a list shown just before ``f`` runs once the panel is closed (issue 19,
    session 8: it ran beside the panel's opening); applying a choice counts the new list."""
    from feedback_tui.store.inbox import InboxQuery
    from feedback_tui.tui.widgets.review_list import ReviewList

    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        lst = screen.query_one(ReviewList)
        screen.apply_query(InboxQuery(agent="camille", view="all"))
        screen.action_filters()  # before the new list's first page: its count is held
        await settle(app, pilot)
        panel = app.screen
        assert isinstance(panel, FilterDialog)
        assert 0 in lst.pages and lst.total is None  # the rows are in, the count waits
        assert _values(panel.query_one("#language", Select))  # the lists are filled
        await pilot.press("escape")
        await settle(app, pilot)
        with Store.open(demo_db) as store:
            everything = inbox.count(store, InboxQuery(agent="camille", view="all"))
        assert app.screen is screen and lst.total == everything
        assert "counting" not in str(screen.query_one("#status-line").render())

        screen.apply_query(InboxQuery(agent="camille", view="all"))
        screen.action_filters()
        await settle(app, pilot)
        panel.query_one("#language", Select).value = "fr"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        with Store.open(demo_db) as store:
            french = inbox.count(store, InboxQuery(agent="camille", view="all", language="fr"))
        assert screen.query_state.language == "fr" and lst.total == french


async def test_the_language_list_names_each_language_and_filters_by_its_code(demo_db: Path) -> None:
    """Bare codes ("ko", "zxx") meant nothing to most agents: each option reads as its
    code and its English name (the UI's language), "und" as unknown, a code without a
    name as itself; the query still holds the code."""
    from tui_helpers import screen_text

    with Store.open(demo_db) as store:
        with store.write() as conn:
            for language in ("es", "ko", "zxx", "und", "qq"):
                conn.execute("UPDATE reviews SET language = ? WHERE id = (SELECT min(id) FROM reviews "
                             "WHERE language IN ('en', 'fr') AND status != 'spam')", (language,))
        assert {"es", "ko", "zxx", "und", "qq"} <= set(inbox.distinct_values(store, "language"))
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        panel = app.screen
        assert isinstance(panel, FilterDialog)
        select = panel.query_one("#language", Select)
        labels = {value: str(label) for label, value in select._options if isinstance(value, str)}
        assert labels["es"] == "es — Spanish" and labels["ko"] == "ko — Korean"
        assert labels["en"] == "en — English" and labels["fr"] == "fr — French"
        assert labels["zxx"] == "zxx — no language" and labels["und"] == "und — unknown"
        assert labels["qq"] == "qq"
        select.value = "ko"
        await pilot.pause()
        assert "ko — Korean" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen) and app.screen.query_state.language == "ko"
