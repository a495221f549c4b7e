"""The ``?`` screen scrolls with the keys the inbox moves with (j/k/g/G, ctrl+d/ctrl+u)."""

from __future__ import annotations

from pathlib import Path

from textual.containers import VerticalScroll

from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.help import HelpScreen
from tui_helpers import screen_text, settle


async def test_help_scrolls_with_j_k_g_and_G(demo_db: Path) -> None:
    """At 160×45 the inbox's list of keys is taller than the screen; j and G did nothing there."""
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        scroller = app.screen.query_one(VerticalScroll)
        assert scroller.max_scroll_y > 0, "the list fits: this test needs a smaller terminal"
        assert "Command palette" not in screen_text(app)
        await pilot.press("j", "j")
        await settle(app, pilot)
        assert scroller.scroll_y == 2
        await pilot.press("k")
        await settle(app, pilot)
        assert scroller.scroll_y == 1
        await pilot.press("G")
        await settle(app, pilot)
        assert scroller.scroll_y == scroller.max_scroll_y
        assert "Command palette" in screen_text(app)
        await pilot.press("g")
        await settle(app, pilot)
        assert scroller.scroll_y == 0 and "Keys: Inbox" in screen_text(app)
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert scroller.scroll_y > 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, HelpScreen)


async def test_the_palette_has_no_screenshot_command(demo_db: Path) -> None:
    """Textual's "Screenshot" has no key in this app and saves the screen (customers' texts) as a
    file without asking; the palette keeps our commands and Textual's others."""
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for key in ("", "d"):  # the inbox, then the dashboard
            if key:
                await pilot.press(key)
                await settle(app, pilot)
            titles = [command.title for command in app.get_system_commands(app.screen)]
            assert "Screenshot" not in titles and "Quit" in titles and "Theme" in titles, titles
