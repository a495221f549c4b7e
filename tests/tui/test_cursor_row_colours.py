"""The cursor's row keeps its bar's text colour (try10): yellow stars on the orange bar
did not read, in a terminal and in the browser. Other rows keep their colours."""

from __future__ import annotations

from pathlib import Path

from conftest import REVIEW_HEADER, import_file, write_csv
from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from tui_helpers import SIZE, review_list, settle

ROWS = [
    ["c1", "play", 2, "", "Livraison en retard", "Ann", "2026-03-01T10:00:00Z", "fr", "", ""],
    ["c2", "play", 1, "", "Never again", "Bob", "2026-03-02T10:00:00Z", "en", "", ""],
]


def _star_styles(lst, index: int) -> list[str | None]:  # type: ignore[no-untyped-def]
    """The colour names of the pieces of row ``index`` drawn with a star in them."""
    strip = lst.render_line(index - round(lst.scroll_y))
    return [seg.style.color.name if seg.style and seg.style.color else None
            for seg in strip if "★" in seg.text]


async def test_the_cursor_row_draws_its_stars_in_the_bar_colour(tmp_path: Path, db_path: Path) -> None:
    with Store.open(db_path) as store:
        import_file(store, write_csv(tmp_path / "rows.csv", REVIEW_HEADER, ROWS))
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")  # All
        await settle(app, pilot)
        lst = review_list(app)
        assert lst.cursor == 0 and lst.total == 2
        assert _star_styles(lst, 1) == ["yellow"]
        on_cursor = _star_styles(lst, 0)
        assert len(on_cursor) == 1 and on_cursor != ["yellow"]
        await pilot.press("j")
        await settle(app, pilot)
        assert _star_styles(lst, 0) == ["yellow"] and _star_styles(lst, 1) != ["yellow"]
