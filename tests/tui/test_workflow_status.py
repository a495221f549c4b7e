"""'Answered elsewhere' from the m menu, with its required note, and the detail's activity log."""

from __future__ import annotations

from pathlib import Path

from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.dialogs import TextPrompt
from feedback_tui.tui.screens.review import ReviewScreen
from tui_helpers import SIZE, choose, notifications, review, review_list, screen_text, settle


async def test_answered_elsewhere_asks_for_a_note_and_the_detail_shows_the_activity(demo_db: Path) -> None:
    app = FeedbackApp(db_path=demo_db, agent="marc", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lst = review_list(app)
        row = lst.current_row
        assert row is not None
        await pilot.press("m")
        await settle(app, pilot)
        await choose(pilot, "answered_elsewhere")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")  # an empty note changes nothing
        await settle(app, pilot)
        assert review(demo_db, row.id)["status"] == row.status
        assert any("needs a note" in n for n in notifications(app))

        await pilot.press("m")
        await settle(app, pilot)
        await choose(pilot, "answered_elsewhere")
        await settle(app, pilot)
        await pilot.press(*"phoned", "enter")
        await settle(app, pilot)
        assert review(demo_db, row.id)["status"] == "answered_elsewhere"
        assert lst.current_row is not None and lst.current_row.id != row.id, "it left Needs reply"

        app.screen.apply_query(app.screen.query_state.with_changes(view="all", ids=(row.id,)))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        text = screen_text(app)
        assert "Activity (1)" in text and "marc · answered elsewhere: phoned" in text
        assert "Answered elsewhere: phoned" in text  # the note, with the internal notes


async def test_undo_names_the_review_and_jumps_to_the_restored_row(demo_db: Path) -> None:
    app = FeedbackApp(db_path=demo_db, agent="marc", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lst = review_list(app)
        lst.move_to(3)
        await settle(app, pilot)
        row = lst.current_row
        assert row is not None
        await pilot.press("e")
        await settle(app, pilot)
        assert review(demo_db, row.id)["status"] == "archived"
        await pilot.press("j", "j", "j", "j", "j")
        await settle(app, pilot)
        assert lst.cursor == 8
        await pilot.press("u")
        await settle(app, pilot)
        assert review(demo_db, row.id)["status"] == row.status
        assert lst.current_row is not None and lst.current_row.id == row.id and lst.cursor == 3
        label = " ".join((row.title or row.excerpt or "").split())[:29]
        assert any(n.startswith(f"Undone: archive of '{label}") and f"({row.author})" in n
                   for n in notifications(app)), notifications(app)


async def test_undo_is_per_agent(demo_db: Path) -> None:
    from feedback_tui.store import Store, triage

    with Store.open(demo_db) as store:
        triage.set_status(store, [1], "archived", "camille")
    app = FeedbackApp(db_path=demo_db, agent="marc", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        assert "Nothing to undo" in notifications(app)
        assert review(demo_db, 1)["status"] == "archived", "camille's archive is hers to undo"
