"""The dashboard's "What negative reviews talk about" panel, with Pilot on invented reviews.

The reviews are those of tests/core/test_themes.py: October's negative reviews
are about "la mise à jour" (12) and "le service client" (8). With the clock on
2026-11-05 the dashboard shows October (the last complete month) against
September, and so must the panel; ``enter`` on a theme lists exactly the 12
reviews behind it in the inbox.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import loaded_rows, review_list, settle

from conftest import REVIEW_HEADER, raw_rows, write_csv
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.dashboard import DashboardScreen
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.tui.widgets.themes_panel import ThemesPanel

from core.test_themes import rows


async def test_panel_shows_the_period_themes_and_opens_their_reviews(db_path: Path, tmp_path: Path, run_cli) -> None:
    assert run_cli("import", write_csv(tmp_path / "avis.csv", REVIEW_HEADER, rows())).exit_code == 0
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False, today=date(2026, 11, 5))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        panel = app.screen.query_one(ThemesPanel)
        assert panel.period is not None and panel.period["period"] == "2026-10"
        table = panel.query_one(DataTable)
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert cells == [["mise à jour", "12", "60%", "+40 pts", "0"], ["service client", "8", "40%", "+40 pts", "0"]]
        table.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        listed = loaded_rows(review_list(app))
        assert len(listed) == 12 == app.screen.total
        bodies = dict(raw_rows(db_path, "SELECT id, body FROM reviews"))
        assert all("mise à jour" in bodies[row.id] and row.rating == 1 for row in listed)
        assert sum("mise à jour" in body for body in bodies.values()) == 14  # 12 in October, 2 in September
