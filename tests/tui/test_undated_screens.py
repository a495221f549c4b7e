"""Rows whose file gave no date, on the screens: the inbox marks them, the detail says the date
is the import's, and the dashboard says how many of a period's rows are undated."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import import_file, write_csv
from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.dashboard import DashboardScreen
from feedback_tui.tui.screens.review import ReviewScreen
from feedback_tui.tui.widgets.trend_panel import TrendPanel
from textual.widgets import Static
from tui_helpers import loaded_rows, review_list, row_line, screen_text, settle

SIZE = (140, 45)


def shop(tmp_path: Path, db_path: Path) -> None:
    """Two reviews without a date (imported 2026-12-01, conftest's IMPORTED_AT) and one of November."""
    path = write_csv(tmp_path / "shop.csv", ["id", "rating", "body", "author", "date"], [
        ["u1", 5, "Toujours parfait", "Helrat", ""],
        ["u2", 1, "Colis jamais arrivé", "Laura", ""],
        ["d1", 4, "Livraison rapide", "Sam", "2026-11-10"]])
    with Store.open(db_path) as store:
        import_file(store, path)


async def test_the_inbox_marks_undated_rows_and_the_detail_says_whose_date_it_is(tmp_path: Path,
                                                                                 db_path: Path) -> None:
    shop(tmp_path, db_path)
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("4")  # every review
        await settle(app, pilot)
        lst = review_list(app)
        by_author = {row.author: index for index, row in enumerate(loaded_rows(lst))}
        assert {row.author: row.undated for row in loaded_rows(lst)} == {"Helrat": True, "Laura": True, "Sam": False}
        assert "(no date)" in row_line(lst, by_author["Helrat"]) and "2026-12-01" not in row_line(lst, by_author["Helrat"])
        assert "2026-11-10" in row_line(lst, by_author["Sam"]) and "(no date)" not in row_line(lst, by_author["Sam"])
        for author, text_of_it in (("Laura", "Colis jamais arrivé"), ("Sam", "Livraison rapide")):
            await pilot.press("home", *["down"] * by_author[author], "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, ReviewScreen)
            text = screen_text(app)
            assert text_of_it in text, text
            if author == "Laura":
                assert "date not in the file: imported 2026-12-01" in text, text
                await pilot.press("escape")
                await settle(app, pilot)
        text = screen_text(app)
        assert "Livraison rapide" in text and "2026-11-10 00:00 UTC" in text and "date not in the file" not in text


async def test_the_dashboard_says_how_many_of_the_period_are_undated(tmp_path: Path, db_path: Path) -> None:
    shop(tmp_path, db_path)
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False, today=date(2026, 12, 3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        line = screen.query_one("#dash-undated", Static)
        assert not line.display  # November, the last complete month: every row had its date
        screen.query(TrendPanel).first().focus()
        await pilot.press("right")  # December so far: the two undated rows
        await settle(app, pilot)
        assert line.display
        assert "2026-12: 2 reviews have no date in their file: dated by their import" in screen_text(app)
