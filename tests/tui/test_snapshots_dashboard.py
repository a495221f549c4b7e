"""Screenshots of the dashboard on the demo data, at 140x45, with the clock fixed mid-month
(2026-11-23) and on the 1st of a month (2026-12-01: the cards show November, complete).

The charts (plotext) are drawn from fixed data at a fixed size, so the
picture only changes when the UI does. After a deliberate UI change:
``pytest tests/tui/test_snapshots_dashboard.py --snapshot-update``, then look at the SVG.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tui_helpers import settle

from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.dashboard import DashboardScreen

SIZE = (140, 45)


async def _open_dashboard(pilot: Any) -> None:
    app = pilot.app
    await settle(app, pilot)
    await pilot.press("d")
    await settle(app, pilot)
    assert isinstance(app.screen, DashboardScreen) and app.screen.figures is not None
    await pilot.pause()


def test_dashboard_on_the_first_of_a_month(demo_db: Path, snap_compare: Any) -> None:
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False, today=date(2026, 12, 1))
    assert snap_compare(app, terminal_size=SIZE, run_before=_open_dashboard)


def test_dashboard(demo_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen) and app.screen.figures is not None
        await pilot.pause()

    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False, today=date(2026, 11, 23))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
