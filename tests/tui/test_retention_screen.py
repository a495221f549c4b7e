"""The Retention screen (``R``) on the hand-computed invoice fixture of tests/core/test_retention.py.

The figures come from a worker; the test waits for it, then checks the cards,
the periods table, the drill-down from March to its customers and from a
customer to their orders, review and our reply. The snapshot is the screen at
120x40 on the same data (looked at as a PNG before it was accepted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static
from tui_helpers import settle

from conftest import FIXTURES
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.retention import RetentionScreen

SIZE = (120, 40)


@pytest.fixture
def orders_db(run_cli, db_path: Path, tmp_path: Path) -> Path:
    run_cli("import", str(FIXTURES / "orders_lines.csv"), "--kind", "orders")
    reviews = tmp_path / "reviews.csv"
    reviews.write_text("id,rating,body,created_at,reply,reply_at,customer_id\n"
                       "r1,1,Cake stand [bold]broken[/bold],2024-02-02T09:00:00Z,Sorry: a new one is on its way,"
                       "2024-02-02T15:00:00Z,12924.0\n", encoding="utf-8")
    assert run_cli("import", "--no-sentiment", str(reviews)).exit_code == 0
    return db_path


def text_of(widget: Static) -> str:
    return str(widget.render())


async def test_r_opens_retention_and_drills_down_to_a_customer(orders_db: Path) -> None:
    app = FeedbackApp(db_path=orders_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RetentionScreen) and screen.card is not None
        # April is partial (the data ends on its 1st): the cards show March, the last whole month
        assert "50.00%" in text_of(screen.query_one("#ret-card-churn", Static))
        assert "2024-04 is partial: the data ends 2024-04-01" in text_of(screen.query_one("#ret-title", Static))
        periods = screen.query_one("#ret-periods", DataTable)
        assert periods.row_count == 4 and str(periods.get_row_at(3)[0]) == "2024-04 (partial)"
        assert periods.cursor_row == 2  # on March, the cards' month, not on the partial April (try11)
        await pilot.press("c", "c")  # active -> new -> retained
        await pilot.press("enter")
        drill = screen.query_one("#ret-drill", DataTable)
        assert drill.display and [str(drill.get_row_at(i)[0]) for i in range(drill.row_count)] == ["12926"]
        await pilot.press("c")  # lost: A left after February
        assert [str(drill.get_row_at(i)[0]) for i in range(drill.row_count)] == ["12923"]
        await pilot.press("c", "c", "c")  # start -> active -> new: none in March
        assert drill.row_count == 0
        await pilot.press("c")  # retained
        await pilot.press("escape")
        assert periods.display and not drill.display
        await pilot.press("c", "c", "c")  # retained -> lost -> start -> active
        await pilot.press("up", "up", "enter")  # January, its active customers
        assert drill.row_count == 3
        row_keys = [str(drill.get_row_at(i)[0]) for i in range(drill.row_count)]
        await pilot.press(*["down"] * row_keys.index("12924"), "enter")  # B: a return, a review, our reply
        await settle(app, pilot)
        detail = text_of(screen.query_one("#ret-detail", Static))
        assert "order C536009" in detail and "no purchase" in detail and "order 536010" in detail
        assert "Cake stand [bold]broken[/bold]" in detail  # shown literally
        assert "Sorry: a new one is on its way" in detail
        await pilot.press("p")
        await settle(app, pilot)
        assert screen.by == "quarter" and periods.row_count == 2
        await pilot.press("escape", "escape")
        assert not isinstance(app.screen, RetentionScreen)


async def test_without_orders_the_screen_says_how_to_import_them(db_path: Path) -> None:
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        assert "import FILE --kind orders" in text_of(app.screen.query_one("#ret-title", Static))


def test_retention_snapshot(orders_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("R")
        await settle(pilot.app, pilot)
        assert isinstance(pilot.app.screen, RetentionScreen) and pilot.app.screen.card is not None
        await pilot.pause()

    app = FeedbackApp(db_path=orders_db, agent="camille", watch=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_enter_is_in_the_footer_the_help_and_the_palette_with_what_it_does_there(orders_db: Path) -> None:
    """The footer showed p, c and escape but not enter, the screen's main key: the focused table's
    own hidden "Select" binding stood in front of the screen's. On the periods, enter lists the
    customers; on the customers, it shows one's history; each says so."""
    from textual.widgets._footer import FooterKey

    from feedback_tui.tui.screens.help import HelpScreen, binding_table
    from feedback_tui.tui.widgets.footer import Footer

    app = FeedbackApp(db_path=orders_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, RetentionScreen)

        def footer() -> dict[str, str]:
            return {key.key: key.description for key in screen.query_one(Footer).query(FooterKey)}

        def helped() -> str:
            return "\n".join(str(cell) for column in binding_table(screen).columns for cell in column._cells)

        def palette() -> dict[str, str]:
            return {command.title: command.help for command in app.get_system_commands(screen)}

        assert footer().get("enter") == "Its customers", footer()
        assert "retention.customers" in helped() and "Select" not in helped()
        assert palette().get("Its customers") == "key: ⏎"
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.query_one("#ret-drill", DataTable).has_focus
        assert footer().get("enter") == "Their history", footer()
        assert "retention.history" in helped() and "Their history" in palette()
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)

