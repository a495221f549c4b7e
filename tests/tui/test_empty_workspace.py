"""A new workspace says how to fill it; an empty view says no row matches.

Tried by hand on a workspace holding only a French survey export (REAL_DATA.md 5b): the
Reviews tab, the first thing a new user sees, read "Nothing here: no row matches this view
and these filters" with no review stored at all.
"""

from __future__ import annotations

from pathlib import Path

from conftest import REVIEW_HEADER, import_file, write_csv

from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from tui_helpers import SIZE, review_list, screen_text, settle

NO_MATCH = "Nothing here: no row matches this view and these filters."


async def test_an_empty_workspace_says_how_to_fill_each_tab(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    Store.open(db).close()
    app = FeedbackApp(db_path=db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "No reviews yet: feedback-tui import FILE adds them" in text and NO_MATCH not in text
        await pilot.press("tab")
        await settle(app, pilot)
        assert "No survey comments yet: feedback-tui import FILE --kind surveys adds them" in screen_text(app)


async def test_a_view_with_nothing_in_it_still_says_no_row_matches(tmp_path: Path) -> None:
    db = tmp_path / "answered.db"
    rows = [["a1", "trustpilot", 5, "", "Great shop", "Ann", "2026-03-02T10:00:00Z", "en", "Thanks!",
             "2026-03-02T12:00:00Z"]]
    with Store.open(db) as store:
        import_file(store, write_csv(tmp_path / "one.csv", REVIEW_HEADER, rows))
    app = FeedbackApp(db_path=db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)  # Needs reply: the one review is answered
        assert review_list(app).total == 0
        text = screen_text(app)
        assert NO_MATCH in text and "No reviews yet" not in text
        await pilot.press("4")  # All: the review is there
        await settle(app, pilot)
        assert review_list(app).total == 1
