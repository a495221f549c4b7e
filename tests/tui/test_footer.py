"""The key bar is rebuilt only when the keys it shows change (issue 19): a dialog that
opens and closes over the inbox leaves its key widgets as they were, and a key that
appears or goes still shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Label
from textual.widgets._footer import FooterKey

from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.tui.widgets.footer import Footer
from tui_helpers import SIZE, settle


def _keys(screen: Screen[Any]) -> list[FooterKey]:
    return list(screen.query_one(Footer).query(FooterKey))


async def test_a_dialog_over_the_inbox_leaves_its_footer_as_it_was(demo_db: Path) -> None:
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        before = _keys(inbox)
        assert any(key.description == "Filters" for key in before)
        for _ in range(2):
            await pilot.press("f")
            await settle(app, pilot)
            assert app.screen is not inbox
            await pilot.press("escape")
            await settle(app, pilot)
        assert app.screen is inbox
        after = _keys(inbox)
        assert [id(key) for key in after] == [id(key) for key in before]  # the same widgets, not rebuilt


class _Toggle(Screen[None]):
    BINDINGS = [Binding("t", "toggle", "Toggle"), Binding("x", "extra", "Extra")]
    extra_shown = False

    def compose(self) -> ComposeResult:
        yield Label("keys")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.extra_shown if action == "extra" else True

    def action_toggle(self) -> None:
        self.extra_shown = not self.extra_shown
        self.refresh_bindings()


class _ToggleApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(_Toggle())


async def test_a_key_that_appears_or_goes_is_shown() -> None:
    app = _ToggleApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen

        def shown() -> set[str]:
            return {key.description for key in _keys(screen)}

        assert {"Toggle"} <= shown() and "Extra" not in shown()
        await pilot.press("t")
        await pilot.pause()
        assert "Extra" in shown()
        await pilot.press("t")
        await pilot.pause()
        assert "Extra" not in shown()
        app.push_screen(ModalScreen())  # a dialog over it and back: the keys are still there
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        assert "Toggle" in shown()
