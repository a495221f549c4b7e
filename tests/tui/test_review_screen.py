"""The review detail screen, opened from the inbox with ``enter``."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from feedback_tui.config import Config
from feedback_tui.store import Store
from feedback_tui.store import replies as reply_store
from feedback_tui.tui.dialogs import TextPrompt
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.tui.screens.review import ReviewScreen
from tui_helpers import SIZE, loaded_rows, notifications, review, review_list, screen_text, settle


def make_app(path: Path) -> FeedbackApp:
    return FeedbackApp(db_path=path, agent="camille", watch=False, config=Config(send_grace_seconds=0))


def first_line(text: str | None) -> str:
    return " ".join((text or "").split())[:40]


async def test_enter_opens_the_cursor_row_and_j_k_follow_the_list(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lst = review_list(app)
        first, second = loaded_rows(lst)[:2]
        assert review(demo_db, first.id)["is_read"] == 0

        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.row_id == first.id == lst.current_row.id
        assert first_line(review(demo_db, first.id)["body"]) in " ".join(screen_text(app).split())
        assert review(demo_db, first.id)["is_read"] == 1, "opening a review reads it"

        await pilot.press("j")
        await settle(app, pilot)
        assert lst.cursor == 1
        assert screen.row_id == second.id == lst.current_row.id
        assert first_line(review(demo_db, second.id)["body"]) in " ".join(screen_text(app).split())

        await pilot.press("k")
        await settle(app, pilot)
        assert lst.cursor == 0
        assert screen.row_id == first.id == lst.current_row.id

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        assert app.focused is lst
        assert lst.cursor == 0


async def test_j_past_the_first_page_loads_the_next_review(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lst = review_list(app)
        lst.move_to(99)
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("j")
        await settle(app, pilot)
        assert lst.cursor == 100
        assert lst.current_row is not None
        assert app.screen.row_id == lst.current_row.id


async def test_triage_from_the_detail(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        row = review_list(app).current_row
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert review(demo_db, row.id)["assignee"] == "camille"
        assert "assignee: camille" in screen_text(app), "the detail reloads after the action"

        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press(*"vu au tel", "ctrl+s")
        await settle(app, pilot)
        with Store.open(demo_db, migrate=False) as store:
            assert store.scalar("SELECT text FROM notes WHERE review_id = ?", (row.id,)) == "vu au tel"
        text = screen_text(app)
        assert "Internal notes (1)" in text and "vu au tel" in text

        await pilot.press("e")
        await settle(app, pilot)
        assert review(demo_db, row.id)["status"] == "archived"
        assert "status: archived" in screen_text(app)
        assert "1 review: archived" in notifications(app)


async def test_edit_my_reply_enforces_the_platform_limit_and_keeps_the_text(demo_db: Path) -> None:
    """``E`` stores nothing over Google Play's 350 characters, says so as the composer
    does, and offers the refused text again; a short edit is stored."""
    with Store.open(demo_db, migrate=False) as store:
        target = int(store.scalar("SELECT id FROM reviews WHERE source = 'google_play' ORDER BY id LIMIT 1"))
        reply_id = reply_store.add_reply(store, target, "Merci !", "camille", channel="google_play")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        inbox.apply_query(inbox.query_state.with_changes(view="all", ids=(target,)))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)

        long_text = "x" * 414
        await pilot.press("E")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        app.screen.query_one(TextArea).load_text(long_text)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "google_play replies are limited to 350 characters; this one has 414" in notifications(app)[-1]
        with Store.open(demo_db, migrate=False) as store:
            assert reply_store.reply(store, reply_id)["text"] == "Merci !"

        await pilot.press("E")
        await settle(app, pilot)
        area = app.screen.query_one(TextArea)
        assert area.text == long_text, "the refused text comes back to be shortened"
        area.load_text("Merci beaucoup !")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Reply edited" in notifications(app)[-1]
    with Store.open(demo_db, migrate=False) as store:
        assert reply_store.reply(store, reply_id)["text"] == "Merci beaucoup !"


async def test_a_reopened_review_screen_shows_the_new_review_from_the_top(demo_db: Path) -> None:
    """The inbox keeps one review screen (issue 19): each opening shows the row under
    the cursor, marks it read, scrolled to its top, with nothing of the one before."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lst = review_list(app)
        first, second = loaded_rows(lst)[:2]
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.row_id == first.id
        screen.query_one("#detail-scroll").scroll_end(animate=False)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("j")
        await settle(app, pilot)
        assert review(demo_db, second.id)["is_read"] == 0

        await pilot.press("enter")
        assert app.screen is screen  # the same screen, already built
        await settle(app, pilot)
        assert screen.row_id == second.id and screen.detail is not None and screen.detail.id == second.id
        text = " ".join(screen_text(app).split())
        assert first_line(review(demo_db, second.id)["body"]) in text
        assert first_line(review(demo_db, first.id)["body"]) not in text
        assert screen.query_one("#detail-scroll").scroll_y == 0
        assert review(demo_db, second.id)["is_read"] == 1, "opening a review reads it"
        assert app.focused is screen.query_one("#detail-scroll")


async def test_reply_from_the_review_says_working_until_the_composer_is_up(demo_db: Path) -> None:
    """The composer takes Textual more than 100 ms to build on a busy machine (issue 19):
    ``r`` on a review says so at once, as the inbox does, and the line is gone once the
    composer is up and after it closes."""
    from textual.widgets import Static

    from feedback_tui.tui.screens.composer import ComposerScreen

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        working = screen.query_one("#review-working", Static)
        assert not working.display

        screen.action_reply()
        assert working.display and str(working.render()) == "working: opening the composer…"
        await settle(app, pilot)
        assert any(isinstance(s, ComposerScreen) for s in app.screen_stack)  # perhaps a prompt on top
        assert not working.display
        while app.screen is not screen:
            await pilot.press("escape")
            await settle(app, pilot)
        assert not working.display and "working" not in screen_text(app)
