"""The review detail screen, opened from the inbox with ``enter``."""

from __future__ import annotations

from pathlib import Path

from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.tui.screens.review import ReviewScreen
from tui_helpers import SIZE, loaded_rows, notifications, review, review_list, screen_text, settle


def make_app(path: Path) -> FeedbackApp:
    return FeedbackApp(db_path=path, agent="camille", watch=False)


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
