"""Screens built ahead of need (tui/prebuild.py): built only when the app says it may be,
never shown until pushed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from feedback_tui.store.inbox import InboxQuery
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.dialogs.filters import FilterChoices, FilterDialog
from feedback_tui.tui.prebuild import build_ahead
from tui_helpers import SIZE, settle


async def test_a_screen_built_ahead_waits_for_ready_and_is_not_shown(demo_db: Path) -> None:
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        inbox = app.screen
        may = False
        dialog = FilterDialog(InboxQuery(), FilterChoices(sources=["trustpilot"]))
        app.install_screen(dialog, name="ahead")
        build_ahead(app, dialog, ready=lambda: may)
        await pilot.pause(0.5)
        assert not dialog.is_running, "a key came: nothing is built"
        may = True
        for _ in range(100):
            await pilot.pause(0.05)
            if dialog.is_mounted and dialog._compositor.size:  # noqa: SLF001 - laid out
                break
        assert dialog.is_mounted and dialog._compositor.size == app.size  # noqa: SLF001
        assert app.screen is inbox and dialog not in app.screen_stack
        app.push_screen("ahead")
        await settle(app, pilot)
        assert app.screen is dialog
        assert "trustpilot" in [value for _, value in dialog.query_one("#source", Select)._options]
