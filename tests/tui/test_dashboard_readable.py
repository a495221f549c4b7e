"""What the dashboard and its drill-downs print on real-sized data: a margin too small to print is
never ±0.0 (README: "None is ever 0 for n ≥ 1"), a drill-down's statuses are readable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable, Static

from conftest import REVIEW_HEADER, import_file, write_csv
from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.dashboard import DashboardScreen
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.tui.widgets.score_card import ScoreCard
from feedback_tui.tui.widgets.trend_panel import TrendPanel
from tui_helpers import settle

TODAY = date(2026, 11, 23)


async def test_no_reply_to_thousands_of_reviews_reads_less_than_a_tenth_not_zero(tmp_path: Path, db_path: Path) -> None:
    """0 replies to 4,000 reviews is 0.0 % ±0.05 (Wilson): the card and the chart said "0.0% ±0.0",
    as if the rate were known exactly (a real Trustpilot scrape: 17,516 reviews, none answered)."""
    rows = [[f"r{i}", "trustpilot", 5 if i % 3 else 1, "", f"Avis numéro {i}, livraison correcte.", f"Client {i}",
             f"2026-10-{1 + i % 28:02d}T10:00:00Z", "fr", "", ""] for i in range(4000)]
    csv_path = write_csv(tmp_path / "many.csv", REVIEW_HEADER, rows)
    with Store.open(db_path) as store:
        import_file(store, csv_path)
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False, today=TODAY)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        card = screen.query_one("#card-response_rate", ScoreCard).content.plain
        assert "0.0%" in card and "±<0.1" in card and "±0.0" not in card, card
        chart = str(screen.query_one("#trend-response_rate", TrendPanel).border_subtitle)
        assert "±<0.1" in chart and "±0.0" not in chart, chart
        stars = screen.query_one("#card-ratings", ScoreCard).content.plain
        assert "±<" not in stars and "±0.0" in stars, stars  # ±0.04 here: a margin that prints is printed as it is


async def test_a_segment_drill_down_says_which_statuses_it_leaves_out(demo_db: Path) -> None:
    """Enter on a source row lists every review but spam: the inbox's line spelt out the six other
    statuses ("status: new, open, replied, outdated, archived, answered_elsewhere"), cut at 160 columns."""
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False, today=TODAY)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        table = app.screen.query_one("#segments", DataTable)
        table.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        assert "spam" not in app.screen.query_state.statuses and len(app.screen.query_state.statuses) > 1
        views = app.screen.query_one("#views", Static).content.plain
        assert "status: not spam" in views and "answered_elsewhere" not in views, views


def test_trend_charts_have_round_y_ticks() -> None:
    """plotext's own ticks read "-14.1, 14.5, 43.0, 71.5" on an NPS chart: the axis now
    steps by 1, 2, 2.5 or 5 times a power of ten, with the decimals the step needs."""
    from feedback_tui.tui.widgets.trend_panel import nice_ticks, tick_label

    cases = {(-71.1, 100.0): ["-50", "0", "50", "100"],
             (45.0, 100.0): ["50", "60", "70", "80", "90", "100"],
             (3.8, 6.5): ["4.0", "4.5", "5.0", "5.5", "6.0", "6.5"],
             (1.0, 5.0): ["1", "2", "3", "4", "5"],
             (-0.5, 0.464): ["-0.4", "-0.2", "0", "0.2", "0.4"],
             (4.9, 5.1): ["4.90", "4.95", "5.00", "5.05", "5.10"]}
    for (bottom, top), labels in cases.items():
        ticks = nice_ticks(bottom, top)
        assert [tick_label(tick, ticks) for tick in ticks] == labels, (bottom, top)
        assert all(bottom <= tick <= top for tick in ticks) and 2 <= len(ticks) <= 6
    assert nice_ticks(50.0, 50.0) == [50.0]


def test_no_two_y_ticks_share_a_row() -> None:
    """An NPS chart from −66.9 to +92.7 (the intervals of the first of December, demo data) on 7
    rows: steps of 25 are 1.0 rows apart, and plotext drew "0" or "25" on one row from run to run
    (a flaky snapshot). The ticks now keep at least 1.05 rows apart: −50, 0, 50."""
    from feedback_tui.tui.widgets.trend_panel import fitting_ticks, nice_ticks

    assert nice_ticks(-66.9, 92.7) == [-50.0, -25.0, 0.0, 25.0, 50.0, 75.0]
    assert fitting_ticks(-66.9, 92.7, rows=7) == [-50.0, 0.0, 50.0]
    assert fitting_ticks(45.0, 100.0, rows=7) == nice_ticks(45.0, 100.0)  # 10 points are 1.09 rows: kept
    assert fitting_ticks(-66.9, 92.7, rows=0) == nice_ticks(-66.9, 92.7)  # not laid out yet: replotted on resize
