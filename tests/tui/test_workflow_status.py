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


async def test_a_row_archived_by_another_agent_under_the_cursor_is_announced(demo_db: Path) -> None:
    from feedback_tui.store import Store, triage

    app = FeedbackApp(db_path=demo_db, agent="marc", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lst = review_list(app)
        row = lst.current_row
        assert row is not None
        with Store.open(demo_db) as store:  # camille, in another process in real life
            triage.set_status(store, [row.id], "archived", "camille")
        app.screen.refresh_data()  # what the database watcher calls on her commit
        await settle(app, pilot)
        assert lst.current_row is not None and lst.current_row.id != row.id
        assert any("left this view: status → archived by camille" in n for n in notifications(app)), \
            notifications(app)
        before = len(notifications(app))
        await pilot.press("e")  # our own archive: no warning
        await settle(app, pilot)
        app.screen.refresh_data()
        await settle(app, pilot)
        assert not any("left this view" in n for n in notifications(app)[before:])


async def test_rows_show_tags_an_unread_bar_and_the_columns_have_titles(demo_db: Path) -> None:
    from feedback_tui.store import Store, triage
    from tui_helpers import row_line, screen_text

    app = FeedbackApp(db_path=demo_db, agent="marc", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        lst = review_list(app)
        first, second = lst.row_at(0), lst.row_at(1)
        assert first is not None and second is not None
        with Store.open(demo_db) as store:
            triage.add_tag(store, [first.id], "livraison", "marc")
            store.conn.execute("UPDATE reviews SET is_read = 1 WHERE id = ?", (second.id,))
        app.screen.refresh_data()
        await settle(app, pilot)
        assert "#livraison" in row_line(lst, 0) and "#livraison" not in row_line(lst, 1)
        assert row_line(lst, 0).startswith("▌") and not row_line(lst, 1).startswith("▌")
        header = screen_text(app).splitlines()[2]
        assert "date" in header and "author" in header and "assignee" in header
