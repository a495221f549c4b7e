"""A reply dated before its review (the stores date a review by its latest edit, REAL_DATA.md:
32 of 743 Google Play replies in 1b) says that it answered an earlier version."""

from __future__ import annotations

from pathlib import Path

from conftest import import_file, write_csv
from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.review import ReviewScreen
from tui_helpers import screen_text, settle

HEADER = ["reviewId", "userName", "content", "score", "at", "replyContent", "repliedAt"]


async def test_a_reply_older_than_the_review_says_the_review_was_edited_since(tmp_path: Path, db_path: Path) -> None:
    csv_path = write_csv(tmp_path / "gplay.csv", HEADER, [
        ["gp-1", "Robin Vale", "Amazing now, five stars!", 5, "2021-04-04 18:09:30",
         "Sorry the trails are missing, add them on the website.", "2017-05-03 21:05:59"],
        ["gp-2", "Sam Oak", "The map froze twice.", 2, "2019-02-01 10:00:00",
         "Thanks Sam, fixed in 2.3.", "2019-02-02 09:00:00"],
    ])
    with Store.open(db_path) as store:
        import_file(store, csv_path)
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        for author, edited in (("Robin Vale", True), ("Sam Oak", False)):
            await pilot.press("4", "slash", *author.split()[0], "enter")
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ReviewScreen)
            text = screen_text(app)
            assert author in text and "Replies (1)" in text, text
            assert ("its author edited it since" in text) is edited, text
            await pilot.press("escape")
            await settle(app, pilot)
            await pilot.press("escape")  # clears the search
            await settle(app, pilot)
