"""Screenshots of the main screens on the demo data, compared with tests/tui/__snapshots__/.

The demo data is fixed and these screens show no import time nor clock, so
the pictures only change when the UI does. After a deliberate UI change:
``pytest tests/tui/test_snapshots.py --snapshot-update``, then look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.help import HelpScreen
from feedback_tui.tui.screens.review import ReviewScreen
from tui_helpers import SIZE, loaded_rows, review_list, settle

ARNAQUE_TITLE = "[bold red]ARNAQUE[/]"


def make_app(path: Path) -> FeedbackApp:
    return FeedbackApp(db_path=path, agent="camille", watch=False)


def test_inbox_needs_reply(demo_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_review_detail_with_markup_in_it(demo_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await settle(app, pilot)
        await pilot.press("slash", *"ARNAQUE", "enter")
        await settle(app, pilot)
        lst = review_list(app)
        lst.move_to(next(i for i, row in enumerate(loaded_rows(lst)) if row.title == ARNAQUE_TITLE))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_help_screen(demo_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("question_mark")
        await settle(pilot.app, pilot)
        assert isinstance(pilot.app.screen, HelpScreen)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def _no_blink(app: Any) -> None:
    """A blinking cursor would make the picture depend on the millisecond it is taken."""
    from textual.widgets import Input, TextArea

    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False
        widget.refresh()  # its lines are cached with the blink phase they were drawn in
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
        widget.refresh()


def test_composer_with_its_proposed_template(demo_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        from feedback_tui.tui.screens.composer import ComposerScreen

        await settle(pilot.app, pilot)
        await pilot.press("r")
        await settle(pilot.app, pilot)
        if not isinstance(pilot.app.screen, ComposerScreen):  # the template asks for a case number
            await pilot.press(*"A-1042", "enter")
            await settle(pilot.app, pilot)
        assert isinstance(pilot.app.screen, ComposerScreen) and pilot.app.screen.editor.text
        # the review above has the focus for the picture: a text cursor is drawn or not
        # depending on the moment of its blink, even with blinking turned off
        pilot.app.screen.query_one("#composer-review").focus()
        await settle(pilot.app, pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_composer_asks_the_template_question(demo_db: Path, snap_compare: Any) -> None:
    """The first review of Needs reply is negative: its template asks for the case number."""
    async def run_before(pilot: Any) -> None:
        from feedback_tui.tui.dialogs import TextPrompt

        await settle(pilot.app, pilot)
        await pilot.press("r")
        await settle(pilot.app, pilot)
        assert isinstance(pilot.app.screen, TextPrompt)
        _no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_composer_over_the_google_play_limit(demo_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        from feedback_tui.tui.screens.composer import ComposerScreen

        await settle(pilot.app, pilot)
        inbox = pilot.app.screen
        with Store.open(demo_db, migrate=False) as store:
            target = int(store.scalar("SELECT id FROM reviews WHERE source = 'google_play' AND has_reply = 0 "
                                      "AND status = 'new' AND rating >= 4 ORDER BY id LIMIT 1"))
        inbox.apply_query(inbox.query_state.with_changes(view="all", ids=(target,)))
        await settle(pilot.app, pilot)
        await pilot.press("r")
        await settle(pilot.app, pilot)
        assert isinstance(pilot.app.screen, ComposerScreen)
        pilot.app.screen.editor.load_text("Merci ! " * 50)  # 400 characters
        await settle(pilot.app, pilot)
        pilot.app.screen.query_one("#composer-review").focus()  # no blinking text cursor in the picture
        await settle(pilot.app, pilot)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_templates_screen(demo_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        from feedback_tui.tui.screens.templates import TemplatesScreen

        await settle(pilot.app, pilot)
        await pilot.press("T")
        await settle(pilot.app, pilot)
        assert isinstance(pilot.app.screen, TemplatesScreen)

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)


def test_filter_dialog(demo_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        from feedback_tui.tui.dialogs.filters import FilterDialog

        await settle(pilot.app, pilot)
        await pilot.press("f")
        await settle(pilot.app, pilot)
        assert isinstance(pilot.app.screen, FilterDialog)
        _no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(demo_db), terminal_size=SIZE, run_before=run_before)
