"""The dashboard screen, driven with Pilot on a copy of the demo database.

The clock is fixed at 2026-11-23 (the demo data spans 2025-12 to 2026-11).
Every figure drawn is compared with :func:`feedback_tui.trends.dashboard`, with
``scorecard`` and with the CLI's ``score --json`` on the same data, and every
drill-down with the n of the figure it came from.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from textual.widgets import DataTable, OptionList
from tui_helpers import choose, inbox_of, review_list, screen_text, settle

from feedback_tui.margins import margin_text
from feedback_tui.models import Filters
from feedback_tui.scoring import scorecard
from feedback_tui.store import Store
from feedback_tui.store import inbox as inbox_store
from feedback_tui.trends import dashboard, last_periods
from feedback_tui.trends import metric as metric_of
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.dialogs import ChoiceDialog
from feedback_tui.tui.screens import dashboard as dashboard_module
from feedback_tui.tui.screens.dashboard import (
    CARDS,
    TRENDS,
    DashboardScreen,
    drill_query,
)
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.tui.widgets.score_card import ScoreCard, format_value
from feedback_tui.tui.widgets.trend_panel import TrendPanel

TODAY = date(2026, 11, 23)
SIZE = (140, 45)


def make_app(path: Path) -> FeedbackApp:
    return FeedbackApp(db_path=path, agent="camille", watch=False, today=TODAY)


def figures_of(path: Path, filters: Filters | None = None, period: str = "month",
               with_agents: bool = True) -> dict[str, Any]:
    with Store.open(path, migrate=False) as store:
        return dashboard(store, filters, period=period, today=TODAY, with_agents=with_agents)


def screen_figures(path: Path, filters: Filters | None = None, period: str = "month") -> dict[str, Any]:
    """What the screen's own workers compute: everything but the per-agent rows,
    which the agents table computes in a worker of its own (tested on its rows)."""
    figures = figures_of(path, filters, period, with_agents=False)
    del figures["agents"]
    return figures


async def open_dashboard(app: FeedbackApp, pilot: Any) -> DashboardScreen:
    await settle(app, pilot)
    await pilot.press("d")
    await settle(app, pilot)
    assert isinstance(app.screen, DashboardScreen)
    assert app.screen.figures is not None
    return app.screen


def card_text(screen: DashboardScreen, metric: str) -> str:
    return screen.query_one(f"#card-{metric}", ScoreCard).content.plain


def panel(screen: DashboardScreen, metric: str) -> TrendPanel:
    return screen.query_one(f"#trend-{metric}", TrendPanel)


async def drilled_inbox(app: FeedbackApp, pilot: Any) -> InboxScreen:
    await settle(app, pilot)
    assert isinstance(app.screen, InboxScreen), app.screen
    assert app.screen.total is not None
    assert review_list(app).total == app.screen.total
    return app.screen


def sql_count(path: Path, sql: str, params: tuple[object, ...] = ()) -> int:
    with Store.open(path, migrate=False) as store:
        return int(store.scalar(sql, params) or 0)




# -- figures -----------------------------------------------------------------------------------------------
async def test_cards_and_trends_show_the_figures(demo_db: Path, run_cli: Callable[..., Result]) -> None:
    expected = screen_figures(demo_db)
    score = json.loads(run_cli("score", "--json", "--by", "month", "--since", "2025-12-01",
                               "--until", "2026-11-30").stdout)
    assert score["periods"][-1]["period"] == "2026-11"
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert screen.figures == expected
        for metric, title in CARDS:
            card = expected["cards"][metric]
            widget = screen.query_one(f"#card-{metric}", ScoreCard)
            # the last complete month, not November still running
            assert (widget.border_title, widget.border_subtitle) == (title, "2026-10")
            text = card_text(screen, metric)
            assert text.startswith(format_value(metric, card["value"])), text
            assert len(text.splitlines()) <= 5  # fits the card: nothing cut off
            assert f"n={card['n']}" in text
            # November, still running, beside October
            so_far = card["so_far"]
            assert text.splitlines()[-1] == f"so far {format_value(metric, so_far['value'])} n={so_far['n']}"
            assert so_far["n"] == metric_of(expected["trend"][-1], metric)[2]
            if card["margin"] is not None:  # a ±, or the interval where a ± would misstate it
                assert ("±" in text) != ("[" in text.splitlines()[0]), text
            assert ("thin sample" in text) == card["thin"]
        # the same numbers as the CLI
        october = score["periods"][-2]  # named for the old default: the cards' month, October
        nps_margin = margin_text("nps", october["nps"]["moe95"], value=october["nps"]["score"],
                                 interval=october["nps"]["ci95"])
        assert card_text(screen, "nps").splitlines()[0] == f"{october['nps']['score']:+.1f} {nps_margin}"
        assert f"n={october['nps']['n']}" in card_text(screen, "nps")
        assert card_text(screen, "csat").splitlines()[0].startswith(f"{october['csat']['score']:.1f}%")
        assert f"n={october['csat']['n']}" in card_text(screen, "csat")
        assert card_text(screen, "ces").splitlines()[0].startswith(f"{october['ces']['mean']:.1f}")
        assert card_text(screen, "response_rate").splitlines()[0].startswith(f"{october['responses']['rate']:.1f}%")
        assert f"n={october['responses']['reviews']}" in card_text(screen, "response_rate")
        assert card_text(screen, "reply_hours").splitlines()[0] == \
            f"{october['responses']['median_hours_to_reply']:.1f} h"
        assert card_text(screen, "sentiment").splitlines()[0].startswith(
            f"{october['sentiment']['mean_polarity']:+.2f}")
        # every trend point is `score --json --by month` for that month
        for point, cli_point in zip(screen.figures["trend"], score["periods"], strict=True):
            assert point["period"] == cli_point["period"]
            # (the CLI's count of undated rows is the dashboard's line under its title)
            assert {k: point[k] for k in cli_point if k not in ("margins", "undated")} == \
                {k: v for k, v in cli_point.items() if k != "undated"}
        # October against September: the demo has under 30 answers a month, so no verdict, in a neutral colour
        cards = screen.figures["cards"]
        assert cards["nps"]["change"]["reason"] == "not enough answers"
        assert cards["nps"]["change"]["significant"] is None
        assert "vs before\nnot enough answers\nso far" in card_text(screen, "nps")
        assert "significant" not in card_text(screen, "csat")
        for metric, _title in CARDS:
            assert "▲" not in card_text(screen, metric) and "▼" not in card_text(screen, metric)
        # the NPS trend: twelve months with error bars
        nps = panel(screen, "nps")
        assert nps.labels == [p.label for p in last_periods("month", TODAY)]
        assert len(nps.labels) == 12 and nps.labels[0] == "2025-12" and nps.labels[-1] == "2026-11"
        assert nps.values == [p["nps"]["score"] for p in expected["trend"]]
        assert nps.margins == [p["nps"]["moe95"] for p in expected["trend"]]
        assert nps.thin == [p["nps"]["n"] < 30 for p in expected["trend"]] == [True] * 12
        october = expected["trend"][10]["nps"]
        # the cursor starts on the last complete month, as the cards do
        # +50 of 12 answers: Rocks' interval 0.6 .. 79.4 (49.4 below, 29.4 above) is written as it is
        assert nps.intervals[10] == october["ci95"] == [0.6, 79.4]
        assert nps.selected == 10 and nps.border_subtitle == f"2026-10: {october['score']:.1f} [0.6, 79.4] (thin)"
        for metric, _title in TRENDS:
            assert len(panel(screen, metric).labels) == 12
        effect = str(screen.query_one("#reply-effect").content)
        assert "+1.40★ mean change" in effect and "10 edited after it: 8 up, 2 down" in effect


async def test_stars_panel_agents_and_window_totals(demo_db: Path) -> None:
    """The stars card and its bars show the card's month, by hand from the reviews; the
    agents table lists first replies per agent (imported ones as ``platform``) with what
    is still assigned; each chart's title carries the 12 months' total with its margin."""
    with Store.open(demo_db) as store:
        review_id = store.scalar("SELECT id FROM reviews WHERE has_reply = 0 AND status = 'new' ORDER BY id LIMIT 1")
        store.conn.execute("UPDATE reviews SET assignee = 'zoé' WHERE id = ?", (review_id,))
        october = [float(r[0]) for r in store.query(
            "SELECT rating FROM reviews WHERE status != 'spam' AND rating IS NOT NULL "
            "AND created_at >= '2026-10-01' AND created_at < '2026-11-01'")]
    expected = figures_of(demo_db)  # with the per-agent rows
    assert expected["agents"]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        stars = card_text(screen, "ratings")
        assert stars.startswith(f"{sum(october) / len(october):.2f}★") and f"n={len(october)}" in stars
        bars = str(screen.query_one("#star-bar").content).splitlines()
        assert [line[:2] for line in bars] == ["5★", "4★", "3★", "2★", "1★"]
        fives = sum(1 for s in october if s >= 5)
        assert bars[0].endswith(f"% ({fives})")
        rows = [[str(cell) for cell in screen.query_one("#agents", DataTable).get_row_at(i)]
                for i in range(screen.query_one("#agents", DataTable).row_count)]
        by_agent = {row[0]: row for row in rows}
        assert by_agent["zoé"][1:] == ["0", "—", "—", "—", "1"]  # assigned, no reply yet
        for agent in expected["agents"]:
            assert by_agent[agent["segment"]][1] == str(agent["responses"]["replied"])
        assert "imported" not in by_agent
        window = expected["window"]["nps"]
        assert panel(screen, "nps").border_title == (
            f"NPS ±95% · all 12: {window['score']:+.1f} ±{window['moe95']:.1f}")
        # ← moves the cards, the bars follow
        panel(screen, "nps").focus()
        await pilot.press("left")
        await settle(app, pilot)
        assert screen.query_one("#card-ratings", ScoreCard).border_subtitle == "2026-09"


# -- drill-down ------------------------------------------------------------------------------------------
async def test_acceptance_lowest_month_lists_its_detractors(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        trend = screen.figures["trend"]
        lowest = min(range(len(trend)), key=lambda i: trend[i]["nps"]["score"])
        point = trend[lowest]
        nps = panel(screen, "nps")
        nps.focus()
        await pilot.pause()
        assert lowest == 0 and trend[4]["nps"]["score"] == 0.0
        for _ in range(6):  # from October, the last complete month, where the cursor starts
            await pilot.press("left")
        await pilot.pause()
        assert nps.border_subtitle == f"2026-04: 0.0 ±{trend[4]['nps']['moe95']:.1f} (thin)"  # an NPS of zero, one decimal like the others
        april = trend[4]
        # 5.20 ±2.91 would claim 8.11 on a 1-7 scale: the chart writes its interval, as the card does
        assert april["intervals"]["ces_mean"][1] == 7.0
        assert panel(screen, "ces").border_subtitle == \
            f"2026-04: {april['ces']['mean']:.2f} {margin_text('ces', april['margins']['ces_mean'], value=april['ces']['mean'], interval=april['intervals']['ces_mean'])} (thin)"
        assert "[" in panel(screen, "ces").border_subtitle
        for _ in range(4):
            await pilot.press("left")
        await pilot.pause()
        assert nps.selected == lowest and point["period"] in nps.border_subtitle
        assert panel(screen, "csat").selected == lowest  # one period cursor for every chart
        await pilot.press("enter")
        inbox = await drilled_inbox(app, pilot)
        query = inbox.query_state
        assert (query.kind, query.survey_kind, query.max_rating, query.comments_only) == ("surveys", "nps", 6, False)
        assert (query.since, query.until) == (point["since"], point["until"])
        assert inbox.total == point["nps"]["detractors"] == 7
        rows = [review_list(app).row_at(i) for i in range(inbox.total)]
        assert all(row.rating <= 6 and row.kind == "nps" for row in rows)
        assert all(point["since"] <= row.created_at < point["until"] for row in rows)
        assert "Surveys" in screen_text(app)


async def test_enter_on_the_nps_card_lists_the_shown_months_detractors(demo_db: Path) -> None:
    with sqlite3.connect(demo_db) as conn:  # the card shows October, the last complete month: a hand count
        hand = conn.execute("""SELECT count(*) FROM survey_responses WHERE kind = 'nps' AND score <= 6
                               AND created_at >= '2026-10' AND created_at < '2026-11'""").fetchone()[0]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        detractors = screen.figures["current"]["nps"]["detractors"]
        assert app.focused is screen.query_one("#card-nps")
        await pilot.press("enter")
        inbox = await drilled_inbox(app, pilot)
        assert inbox.total == detractors == hand > 0
        assert inbox.query_state.since == "2026-10-01T00:00:00Z"


async def test_enter_on_the_response_rate_card_lists_the_unanswered(demo_db: Path) -> None:
    # a spam review is left out of the response rate: the drill-down leaves it out too
    with sqlite3.connect(demo_db) as conn:
        conn.execute("""UPDATE reviews SET status = 'spam' WHERE id = (SELECT id FROM reviews
                        WHERE has_reply = 0 AND created_at >= '2026-10' AND created_at < '2026-11'
                        ORDER BY id LIMIT 1)""")
        # the card shows October, the last complete month: counted here by hand, spam left out
        hand = conn.execute("""SELECT count(*), sum(has_reply) FROM reviews WHERE status != 'spam'
                               AND created_at >= '2026-10' AND created_at < '2026-11'""").fetchone()
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        responses = screen.figures["current"]["responses"]
        assert (responses["reviews"], responses["replied"]) == tuple(hand) and hand[0] > hand[1] > 0
        screen.query_one("#card-response_rate").focus()
        await pilot.press("enter")
        inbox = await drilled_inbox(app, pilot)
        assert inbox.total == responses["reviews"] - responses["replied"] == hand[0] - hand[1]
        assert all(not review_list(app).row_at(i).replied for i in range(inbox.total))


async def test_every_card_drills_to_its_n(demo_db: Path) -> None:
    """What each card's drill-down lists, counted in SQL (the figures' n where it is the same rows)."""
    figures = figures_of(demo_db)
    current = figures["trend"][-1]
    with Store.open(demo_db, migrate=False) as store:
        counts = {metric: inbox_store.count(store, drill_query(metric, current, Filters())) for metric, _ in CARDS}
    assert counts["nps"] == current["nps"]["detractors"]
    assert counts["csat"] == current["csat"]["n"] - current["csat"]["satisfied"]
    assert counts["ces"] == current["ces"]["n"]
    assert counts["response_rate"] == current["responses"]["reviews"] - current["responses"]["replied"]
    assert counts["reply_hours"] == current["responses"]["replied"]
    assert counts["sentiment"] == sql_count(demo_db, "SELECT count(*) FROM reviews WHERE sentiment = 'negative' "
                                            "AND created_at >= '2026-11-01' AND status != 'spam'")
    # for every month, the detractors
    with Store.open(demo_db, migrate=False) as store:
        for point in figures["trend"]:
            assert inbox_store.count(store, drill_query("nps", point, Filters())) == point["nps"]["detractors"]
            assert inbox_store.count(store, drill_query("response_rate", point, Filters())) == \
                point["responses"]["reviews"] - point["responses"]["replied"]


async def test_enter_on_a_segment_row_lists_its_reviews(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        table = screen.query_one("#segments", DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        segments = {row["segment"]: row for row in screen.figures["segments"]["source"]}
        assert keys == list(segments)
        table.focus()
        table.move_cursor(row=keys.index("google_play"))
        await pilot.press("enter")
        inbox = await drilled_inbox(app, pilot)
        assert inbox.query_state.source == "google_play" and inbox.query_state.kind == "reviews"
        assert inbox.total == segments["google_play"]["responses"]["reviews"] == 140


async def test_a_survey_only_segment_lists_its_answers(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        table = screen.query_one("#segments", DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        email = next(row for row in screen.figures["segments"]["source"] if row["segment"] == "email")
        assert email["responses"]["reviews"] == 0
        table.focus()
        table.move_cursor(row=keys.index("email"))
        await pilot.press("enter")
        inbox = await drilled_inbox(app, pilot)
        assert inbox.query_state.kind == "surveys" and not inbox.query_state.comments_only
        answers = email["nps"]["n"] + email["csat"]["n"] + email["ces"]["n"]
        assert inbox.total == answers == sql_count(demo_db, "SELECT count(*) FROM survey_responses "
                                                   "WHERE source = 'email' AND created_at >= '2025-12-01'")


async def test_the_none_segment_lists_rows_without_a_value(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press("b")  # product
        table = screen.query_one("#segments", DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        assert "(none)" in keys
        none = next(row for row in screen.figures["segments"]["product"] if row["segment"] == "(none)")
        table.focus()
        table.move_cursor(row=keys.index("(none)"))
        await pilot.press("enter")
        inbox = await drilled_inbox(app, pilot)
        assert inbox.total == none["responses"]["reviews"] == sql_count(
            demo_db, "SELECT count(*) FROM reviews WHERE product IS NULL") == 55
        assert all(review_list(app).row_at(i).product is None for i in range(min(inbox.total, 20)))


# -- keys ------------------------------------------------------------------------------------------------
async def test_p_switches_to_weeks_then_quarters(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert screen.period == "week"
        weeks = panel(screen, "nps").labels
        assert weeks == [p.label for p in last_periods("week", TODAY)] and weeks[-1] == "2026-11-23"
        assert screen.figures == screen_figures(demo_db, period="week")
        assert screen.query_one("#card-nps", ScoreCard).border_subtitle == "2026-11-16"  # the last complete week
        assert "per week" in str(screen.query_one("#dash-title").content)
        await pilot.press("p")
        await settle(app, pilot)
        quarters = panel(screen, "nps").labels
        assert quarters == [p.label for p in last_periods("quarter", TODAY)] and quarters[-1] == "2026-Q4"
        assert screen.figures["cards"] == figures_of(demo_db, period="quarter")["cards"]
        await pilot.press("p")
        await settle(app, pilot)
        assert screen.period == "month" and panel(screen, "nps").labels[-1] == "2026-11"


async def test_f_filters_every_card_and_chart_by_a_segment(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        before = card_text(screen, "response_rate")
        await pilot.press("f")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceDialog)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids[0] == "*" and "source=google_play" in ids and "language=fr" in ids
        assert "source=email" in ids  # survey sources too
        await choose(pilot, "source=google_play")
        await settle(app, pilot)
        assert app.screen is screen and screen.filters == Filters(source="google_play")
        expected = screen_figures(demo_db, Filters(source="google_play"))
        assert screen.figures == expected
        with Store.open(demo_db, migrate=False) as store:
            october = scorecard(store, Filters(source="google_play", since="2026-10-01T00:00:00Z",
                                               until="2026-11-01T00:00:00Z"), with_margins=True)
        assert expected["cards"]["response_rate"]["n"] == october["responses"]["reviews"]  # the last complete month
        assert f"n={october['responses']['reviews']}" in card_text(screen, "response_rate")
        assert card_text(screen, "response_rate") != before
        assert expected["cards"]["nps"]["n"] == october["nps"]["n"] == 0  # Google Play has no survey
        assert panel(screen, "nps").values == [None] * 12
        assert "source: google_play" in str(screen.query_one("#dash-title").content)
        # the drill-down keeps the filter
        screen.query_one("#card-response_rate").focus()
        await pilot.press("enter")
        inbox = await drilled_inbox(app, pilot)
        assert inbox.query_state.source == "google_play"
        assert inbox.total == october["responses"]["reviews"] - october["responses"]["replied"]


async def test_segment_rows_keep_the_segment_filter(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        await choose(pilot, "source=google_play")
        await settle(app, pilot)
        await pilot.press("b", "b")  # language
        table = screen.query_one("#segments", DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        french = next(row for row in screen.figures["segments"]["language"] if row["segment"] == "fr")
        table.focus()
        table.move_cursor(row=keys.index("fr"))
        await pilot.press("enter")
        inbox = await drilled_inbox(app, pilot)
        assert (inbox.query_state.source, inbox.query_state.language) == ("google_play", "fr")
        assert inbox.total == french["responses"]["reviews"] == sql_count(
            demo_db, "SELECT count(*) FROM reviews WHERE source = 'google_play' AND language = 'fr'")


async def test_b_cycles_the_breakdown_and_escape_goes_back(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        table = screen.query_one("#segments", DataTable)

        def shown() -> tuple[str, list[Any]]:
            first = next(iter(table.columns.values()))
            return str(first.label), [row.key.value for row in table.ordered_rows]

        assert shown() == ("source", [row["segment"] for row in screen.figures["segments"]["source"]])
        for name in ("product", "language", "source"):
            await pilot.press("b")
            assert screen.breakdown == name
            assert shown() == (name, [row["segment"] for row in screen.figures["segments"][name]])
            assert table.border_title.startswith(f"By {name}")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        assert app.screen.query_state.view == "needs_reply"  # untouched


# -- responsiveness ------------------------------------------------------------------------------------
async def test_a_loading_state_until_the_worker_is_done(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    real = dashboard_module.headline

    def slow(*args: Any, **kwargs: Any) -> dict[str, Any]:
        assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard_module, "headline", slow)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert "computing…" in str(screen.query_one("#dash-title").content)
        assert "…" in card_text(screen, "nps") and screen.figures is None
        await pilot.press("b")  # the screen still answers keys
        assert screen.breakdown == "product"
        await pilot.press("enter")  # nothing to drill into yet: no crash, still here
        assert app.screen is screen
        gate.set()
        await settle(app, pilot)
        assert "computing…" not in str(screen.query_one("#dash-title").content)
        assert "n=12" in card_text(screen, "nps")
        assert str(next(iter(screen.query_one("#segments", DataTable).columns.values())).label) == "product"


async def test_the_cards_show_before_the_slower_panels(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The breakdown table and the reply effect fill in after the cards, each from a worker
    of its own, and say "working" until then; the cards and drill-downs work meanwhile."""
    gate = threading.Event()
    real_segments, real_effect = dashboard_module.segments, dashboard_module.reply_effect

    def waiting(real: Callable[..., Any]) -> Callable[..., Any]:
        def slow(*args: Any, **kwargs: Any) -> Any:
            assert gate.wait(10)
            return real(*args, **kwargs)
        return slow

    monkeypatch.setattr(dashboard_module, "segments", waiting(real_segments))
    monkeypatch.setattr(dashboard_module, "reply_effect", waiting(real_effect))
    expected = screen_figures(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        while screen.figures is None:
            await pilot.pause(0.01)
        await pilot.pause()
        assert "n=12" in card_text(screen, "nps")
        assert "computing…" not in str(screen.query_one("#dash-title").content)
        table = screen.query_one("#segments", DataTable)
        assert "working" in str(table.get_row_at(0)[0])
        assert "working" in str(screen.query_one("#reply-effect").content)
        await pilot.press("b")  # no rows yet: the breakdown switches all the same
        assert screen.breakdown == "product"
        gate.set()
        await settle(app, pilot)
        assert screen.figures == expected
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [
            str(row["segment"]) for row in expected["segments"]["product"]]
        assert "mean change" in str(screen.query_one("#reply-effect").content)
        assert not screen.query(".until-cards")  # the charts and tables are drawn


async def test_a_failing_panel_says_so_and_the_cards_stay(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(dashboard_module, "segments", broken)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert "n=12" in card_text(screen, "nps")
        cell = str(screen.query_one("#segments", DataTable).get_row_at(0)[0])
        assert "could not compute" in cell and "database is locked" in cell
        assert "mean change" in str(screen.query_one("#reply-effect").content)  # its own worker: unaffected


async def test_a_failing_computation_is_shown_not_stuck(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(dashboard_module, "headline", broken)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        title = str(screen.query_one("#dash-title").content)
        assert "computing…" not in title and "database is locked" in title
        assert not screen.query(".until-cards")  # the charts and tables are drawn, empty


async def test_dashboard_is_in_the_command_palette(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert any("Dashboard" in title for title in titles), titles


# -- chart axes -------------------------------------------------------------------------------------
def test_chart_axes_stay_inside_each_scale_and_gaps_split_the_line() -> None:
    from feedback_tui.tui.widgets.trend_panel import SCALES, runs, y_limits

    assert runs([None, 1.0, 2.0, None, None, 3.0, 4.0, 5.0, None]) == [[1, 2], [5, 6, 7]]
    assert runs([None, None]) == [] and runs([2.0]) == [[0]]
    assert y_limits("ces", [6.8, 7.0, 6.9]) == (6.5, 7.0)  # 5 % of the scale below, never above 7
    assert y_limits("nps", [90.0, 95.0], [[60.0, 100.0], [75.0, 100.0]]) == (50.0, 100.0)  # error bars, in the scale
    assert y_limits("csat", [None, None]) == (0.0, 100.0)
    low, high = y_limits("sentiment", [0.2, 0.2])  # a flat line: a tenth of the scale around it
    assert (round(low, 2), round(high, 2)) == (0.1, 0.3)
    for metric, _title in TRENDS:
        assert metric in SCALES


async def test_every_chart_has_the_same_x_axis_and_an_axis_inside_its_scale(demo_db: Path) -> None:
    """Survey charts and review charts of a period kind share one x-axis (all 12 periods, even
    where a figure has no data) and each y-axis stays inside its figure's scale."""
    from feedback_tui.tui.widgets.trend_panel import SCALES

    with Store.open(demo_db) as store:  # no survey answers in the first months: the CES line starts later
        store.conn.execute("DELETE FROM survey_responses WHERE created_at < '2026-03-01'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        for period in ("month", "week", "quarter"):
            for metric, _title in TRENDS:
                chart = panel(screen, metric)
                assert chart.x_limits == (0.5, 12.5), (period, metric)
                low, high = chart.y_limits
                assert SCALES[metric][0] <= low < high <= SCALES[metric][1], (period, metric)
                known = [v for v in chart.values if v is not None]
                assert all(low <= v <= high for v in known)
            assert panel(screen, "ces").values[0] is None or period != "month"
            await pilot.press("p")
            await settle(app, pilot)


async def test_rolling_cards_compare_the_last_30_days_with_the_30_before(demo_db: Path, tmp_path: Path) -> None:
    """``[dashboard] period = "rolling"``: the cards are the last 30 days (today included)
    against the 30 before, by hand from the reviews, and do not follow the chart cursor."""
    from feedback_tui.config import load_config

    config_file = tmp_path / "config.toml"
    config_file.write_text('[dashboard]\nperiod = "rolling"\n', encoding="utf-8")
    config_file.chmod(0o600)
    config = load_config(config_file)
    assert config.dashboard_period == "rolling" and config.warnings == []
    with Store.open(demo_db) as store:  # TODAY is 2026-11-23: 2026-10-25 to 2026-11-23, then 2026-09-25 to 10-24
        replied, reviews = store.query(
            "SELECT sum(has_reply), count(*) FROM reviews WHERE status != 'spam' "
            "AND created_at >= '2026-10-25' AND created_at < '2026-11-24'")[0]
        before = store.scalar("SELECT count(*) FROM reviews WHERE status != 'spam' "
                              "AND created_at >= '2026-09-25' AND created_at < '2026-10-25'")
    app = FeedbackApp(db_path=demo_db, agent="camille", config=config, watch=False, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        card = screen.figures["cards"]["response_rate"]
        assert (card["period"], card["n"], card["previous_n"]) == ("last 30 days", reviews, before)
        assert card["value"] == round(100 * replied / reviews, 1)
        widget = screen.query_one("#card-response_rate", ScoreCard)
        assert widget.border_subtitle == "last 30 days"
        panel(screen, "nps").focus()
        await pilot.press("left")
        await settle(app, pilot)
        assert widget.border_subtitle == "last 30 days"
    bad = tmp_path / "bad.toml"
    bad.write_text('[dashboard]\nperiod = "fortnight"\n', encoding="utf-8")
    bad.chmod(0o600)
    assert load_config(bad).dashboard_period == "period" and "dashboard.period" in load_config(bad).warnings[0]


async def test_left_and_right_move_the_period_from_the_card_that_has_the_focus(demo_db: Path) -> None:
    """The dashboard opens with a card focused: ←/→ did nothing there, and ? did not list
    them, until tab reached a chart (found on a real workspace in tmux)."""
    from feedback_tui.tui.screens.help import HelpScreen

    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert isinstance(app.focused, ScoreCard)
        await pilot.press("left")
        await settle(app, pilot)
        assert screen.query_one("#card-nps", ScoreCard).border_subtitle == "2026-09"
        assert panel(screen, "nps").selected == 9 and panel(screen, "csat").selected == 9
        for _ in range(3):  # stops at the running month
            await pilot.press("right")
        await settle(app, pilot)
        assert panel(screen, "nps").selected == 11
        assert screen.query_one("#card-nps", ScoreCard).border_subtitle == "2026-11 so far"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Earlier period" in screen_text(app) and "Later period" in screen_text(app)


async def test_a_card_without_answers_is_not_called_a_thin_sample(db_path: Path, run_cli) -> None:
    """Reviews only (3a): the NPS, CSAT and CES cards read "n=0 · thin sample", as if a
    figure from a few answers were shown."""
    from conftest import FIXTURES

    assert run_cli("import", "--no-sentiment", FIXTURES / "reviews.csv").exit_code == 0
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        nps = card_text(screen, "nps")
        assert nps.startswith("—") and "n=0" in nps and "thin" not in nps, nps
        ratings = screen.figures["trend"][screen.selected]["ratings"]
        assert 0 < ratings["n"] < 30
        assert "thin sample" in card_text(screen, "ratings")  # a figure from fewer than 30 answers still is


async def test_the_breakdown_title_says_it_covers_the_whole_window(demo_db: Path) -> None:
    """The breakdown sums the 12 periods while the cards beside it show one: its title said
    only "By source", and a manager read its app_store polarity as the cards' month's."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        table = screen.query_one("#segments", DataTable)
        assert table.border_title == "By source · all 12 (b switches, ⏎ its reviews)"
        with Store.open(demo_db, migrate=False) as store:
            window = scorecard(store, Filters(**screen.figures["window_filters"]), segment="source")["segments"]
        first = next(row for row in window if row["nps"]["n"])
        shown = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        row = next(cells for cells in shown if cells[0] == first["segment"])
        assert row[2] == str(first["nps"]["n"])  # the window's n, not October's
        october = screen.figures["trend"][screen.selected]["nps"]["n"]
        assert first["nps"]["n"] > october


async def test_the_detractors_drill_down_counts_survey_answers_not_comments(demo_db: Path) -> None:
    """enter on the NPS card lists the detractors, most without a comment (5b: 1,194, of which
    a few hundred commented): the status line called them "1,194 comments"."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        october = screen.figures["trend"][screen.selected]["nps"]
        await pilot.press("enter")  # the NPS card has the focus
        inbox = await drilled_inbox(app, pilot)
        assert inbox.total == october["detractors"]
        status = str(inbox.query_one("#status-line").render())
        assert f"of {october['detractors']} survey answers" in status, status
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")  # the inbox's own survey list: comments only
        await settle(app, pilot)
        assert " comments · " in str(inbox_of(app).query_one("#status-line").render())


async def test_an_open_score_bound_reads_as_at_most(demo_db: Path) -> None:
    """The detractors' drill-down (scores up to 6) was titled "score …–6"."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_dashboard(app, pilot)
        await pilot.press("enter")  # the NPS card: its detractors
        inbox = await drilled_inbox(app, pilot)
        assert "score ≤ 6" in screen_text(app) and "…–" not in screen_text(app)
        inbox.apply_query(inbox.query_state.with_changes(min_rating=2, max_rating=4))
        await settle(app, pilot)
        assert "score 2–4" in screen_text(app)
