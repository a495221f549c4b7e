"""The manager's figures (feedback_tui.trends), checked against values computed by hand.

Survey answers of SURVEY_ROWS, with ``today`` = 2026-04-20 (current month April, previous March):

    NPS   March: 10 answers, 5 promoters, 2 passives, 3 detractors
                 p = .5, d = .3 -> 20.0, moe = 1.96·√((.8 − .04)/10)·100 = 54.0
          April: 30 answers, 3 promoters, 6 passives, 21 detractors
                 p = .1, d = .7 -> −60.0, moe = 1.96·√((.8 − .36)/30)·100 = 23.7
          change −80.0, margin √(54.0² + 23.7²) = 58.97 -> significant
    CSAT  March 3 of 4 satisfied -> 75.0 ± 42.4; April 2 of 4 -> 50.0 ± 49.0
          change −25.0, margin √(42.4² + 49.0²) = 64.798 -> not significant
    CES   March one answer 7 (no margin); April 2, 4, 6 -> mean 4.0, s² = 4,
          margin 1.96·√(4/3) = 2.26 -> change −3.0 with no margin: significant None

Reviews: conftest.RESPONSE_ROWS (March r1 r2 r3, 2 of 3 replied after 2 h and 24 h;
April r4 r5 both replied after 10 h and 6 h; r6 in July, after "today").
"""

from __future__ import annotations

import itertools
import math
from datetime import date
from pathlib import Path

import pytest
from conftest import REVIEW_HEADER, import_file, write_csv

from feedback_tui.importers import open_input
from feedback_tui.models import Filters
from feedback_tui.scoring import scorecard
from feedback_tui.store import Store
from feedback_tui.store.imports import import_rows
from feedback_tui.trends import (
    cards_for,
    MIN_N,
    Period,
    change,
    dashboard,
    last_periods,
    metric,
    periods_since,
)

TODAY = date(2026, 4, 20)
SURVEY_HEADER = ["id", "kind", "score", "comment", "created_at", "customer", "source"]


def _answers(prefix: str, kind: str, scores: list[int], month: str, source: str = "email") -> list[list[object]]:
    return [[f"{prefix}-{i}", kind, score, "", f"2026-{month}-{i % 20 + 1:02d}T10:00:00Z", f"c{i}", source]
            for i, score in enumerate(scores)]


SURVEY_ROWS = [
    *_answers("mar-nps", "nps", [9, 10, 9, 10, 9, 7, 8, 0, 5, 6], "03"),
    *_answers("apr-nps", "nps", [10, 9, 9] + [7, 8] * 3 + [3] * 21, "04"),
    *_answers("mar-csat", "csat", [5, 4, 4, 2], "03"),
    *_answers("apr-csat", "csat", [5, 4, 3, 1], "04"),
    *_answers("mar-ces", "ces", [7], "03"),
    *_answers("apr-ces", "ces", [2, 4, 6], "04"),
]


@pytest.fixture
def small_store(store: Store, tmp_path: Path, responses_csv: Path) -> Store:
    import_file(store, write_csv(tmp_path / "surveys.csv", SURVEY_HEADER, SURVEY_ROWS))
    import_file(store, responses_csv)
    return store


# -- periods -------------------------------------------------------------------------------------
def test_last_months_across_a_year_boundary() -> None:
    periods = last_periods("month", date(2026, 2, 14), 4)
    assert periods == [
        Period("2025-11", "2025-11-01T00:00:00Z", "2025-12-01T00:00:00Z"),
        Period("2025-12", "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        Period("2026-01", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"),
        Period("2026-02", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"),
    ]
    assert len(last_periods("month", date(2026, 11, 23))) == 12
    assert last_periods("month", date(2026, 11, 23))[0].label == "2025-12"


def test_last_weeks_are_labelled_by_their_monday() -> None:
    # 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29.
    periods = last_periods("week", date(2026, 1, 1), 3)
    assert [p.label for p in periods] == ["2025-12-15", "2025-12-22", "2025-12-29"]
    assert periods[-1].since == "2025-12-29T00:00:00Z" and periods[-1].until == "2026-01-05T00:00:00Z"
    for p in periods:
        assert date.fromisoformat(p.label).weekday() == 0
    # a Monday and a Sunday belong to the week of that Monday
    assert last_periods("week", date(2026, 1, 5), 1)[0].label == "2026-01-05"
    assert last_periods("week", date(2026, 1, 11), 1)[0].label == "2026-01-05"
    # consecutive: each period starts where the previous one ends
    weeks = last_periods("week", date(2026, 11, 23), 12)
    assert all(a.until == b.since for a, b in itertools.pairwise(weeks))


def test_last_quarters_across_a_year_boundary() -> None:
    periods = last_periods("quarter", date(2026, 2, 14), 3)
    assert [(p.label, p.since, p.until) for p in periods] == [
        ("2025-Q3", "2025-07-01T00:00:00Z", "2025-10-01T00:00:00Z"),
        ("2025-Q4", "2025-10-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        ("2026-Q1", "2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z"),
    ]
    assert last_periods("quarter", date(2026, 12, 31), 1)[0].until == "2027-01-01T00:00:00Z"
    with pytest.raises(ValueError):
        last_periods("fortnight", TODAY)


def test_period_labels_match_the_sql_grouping(small_store: Store) -> None:
    """The trend's labels are the ones ``score --by`` gives (e.g. the Monday of a week)."""
    for kind in ("week", "month", "quarter"):
        periods = last_periods(kind, TODAY, 12)
        window = Filters(since=periods[0].since, until=periods[-1].until)
        labels = {p["period"] for p in scorecard(small_store, window, by=kind)["periods"]}
        assert labels and labels <= {p.label for p in periods}, kind


def test_periods_since() -> None:
    assert periods_since("month", date(2026, 3, 15), date(2026, 11, 23)) == 9  # March..November
    assert periods_since("month", date(2025, 12, 1), date(2026, 2, 1)) == 3
    assert periods_since("month", date(2026, 11, 30), date(2026, 11, 1)) == 1  # a later date: this one
    assert periods_since("quarter", date(2025, 11, 1), date(2026, 4, 1)) == 3  # 2025-Q4, 2026-Q1, 2026-Q2
    assert periods_since("week", date(2025, 12, 31), date(2026, 1, 12)) == 3  # weeks of 12-29, 01-05, 01-12
    assert periods_since("week", date(2020, 1, 1), date(2026, 1, 1), limit=10) == 10
    # the count gives exactly the periods from the one holding ``since``
    assert last_periods("month", date(2026, 11, 23), periods_since("month", date(2026, 3, 15), date(2026, 11, 23)))[0].label == "2026-03"


# -- change ------------------------------------------------------------------------------------
def test_change_is_significant_only_beyond_the_margin_of_the_difference() -> None:
    # √(3² + 4²) = 5
    assert change(60.0, 54.0, 3.0, 4.0) == {"delta": 6.0, "margin": 5.0, "significant": True, "reason": None}
    assert change(54.0, 60.0, 3.0, 4.0) == {"delta": -6.0, "margin": 5.0, "significant": True, "reason": None}
    assert change(59.0, 54.0, 3.0, 4.0) == {"delta": 5.0, "margin": 5.0, "significant": False,
                                            "reason": None}  # equal: not more
    assert change(58.9, 54.0, 3.0, 4.0)["significant"] is False
    assert change(10.0, 10.0, 0.0, 0.0)["significant"] is False
    # each margin alone would call it significant; together they do not
    assert change(7.0, 1.0, 4.5, 4.5)["significant"] is False
    assert change(0.5, 0.25, 0.1, 0.2)["margin"] == round(math.sqrt(0.05), 3)


def test_change_without_a_margin_or_a_figure() -> None:
    assert change(5.0, 7.0, None, 1.0) == {"delta": -2.0, "margin": None, "significant": None, "reason": "no margin"}
    assert change(5.0, 7.0, 1.0, None) == {"delta": -2.0, "margin": None, "significant": None, "reason": "no margin"}
    assert change(None, 7.0, 1.0, 1.0) == {"delta": None, "margin": None, "significant": None,
                                           "reason": "no current figure"}
    assert change(5.0, None, 1.0, 1.0) == {"delta": None, "margin": None, "significant": None,
                                           "reason": "no previous figure"}
    assert change(0.1, 0.3, None, None)["delta"] == -0.2  # rounded, not -0.19999999999999998


# -- dashboard() on hand-made data ---------------------------------------------------------------------
def test_nps_card_by_hand(small_store: Store) -> None:
    figures = dashboard(small_store, period="month", today=TODAY, selected=-1)
    assert [p["period"] for p in figures["trend"]][-2:] == ["2026-03", "2026-04"]
    assert len(figures["trend"]) == 12 and figures["trend"][0]["period"] == "2025-05"
    # Rocks' adjusted Wald: n~ = 33, p~ = 3.75/33, d~ = 21.75/33 -> ±23.5 around −54.5 (−78.1 .. −31.0);
    # n~ = 13, 5.75/13, 3.75/13 -> ±45.7 around 15.4 (−30.3 .. 61.1)
    assert figures["current"]["nps"] == {"score": -60.0, "n": 30, "promoters": 3, "passives": 6, "detractors": 21,
                                         "moe95": 23.5, "ci95": [-78.1, -31.0]}
    assert figures["previous"]["nps"] == {"score": 20.0, "n": 10, "promoters": 5, "passives": 2, "detractors": 3,
                                          "moe95": 45.7, "ci95": [-30.3, 61.1]}
    card = figures["cards"]["nps"]
    assert {k: card[k] for k in ("value", "margin", "n", "previous", "previous_n", "thin", "change")} == {
        "value": -60.0, "margin": 23.5, "n": 30, "previous": 20.0, "previous_n": 10,
        "thin": False,  # n = MIN_N is enough
        # -80 is far outside ±51.4, but March had 10 answers: no verdict
        "change": {"delta": -80.0, "margin": 51.388, "significant": None, "reason": "not enough answers"}}
    assert (card["period"], card["previous_period"], card["running"], card["so_far"]) == ("2026-04", "2026-03", True, None)
    assert card["window"] == {"value": figures["window"]["nps"]["score"], "margin": figures["window"]["nps"]["moe95"],
                              "n": 40, "interval": figures["window"]["nps"]["ci95"]}
    assert card["interval"] == [-78.1, -31.0]
    assert MIN_N == 30


def test_csat_ces_and_responses_cards_by_hand(small_store: Store) -> None:
    cards = dashboard(small_store, period="month", today=TODAY, selected=-1)["cards"]
    keys = ("value", "margin", "n", "previous", "previous_n", "thin", "change")
    # Wilson, 2 of 4: half-width 35.0 (the Wald margin was 49.0)
    assert {k: cards["csat"][k] for k in keys} == {
        "value": 50.0, "margin": 35.0, "n": 4, "previous": 75.0, "previous_n": 4, "thin": True,
        "change": {"delta": -25.0, "margin": 47.899, "significant": None, "reason": "not enough answers"}}
    assert cards["ces"]["value"] == 4.0 and cards["ces"]["n"] == 3 and cards["ces"]["previous_n"] == 1
    # CES 1-7 with one answer in March and three in April: too few for a margin (margins.MIN_N)
    assert cards["ces"]["margin"] is None and cards["ces"]["change"]["margin"] is None
    assert cards["ces"]["change"]["reason"] == "not enough answers"
    # April: r4 r5 both replied: Wilson 2 of 2 is 34.2 .. 100, half-width 32.9 (never 0 at 100 %)
    assert {k: cards["response_rate"][k] for k in ("value", "margin", "n", "previous", "previous_n")} == {
        "value": 100.0, "margin": 32.9, "n": 2, "previous": 66.7, "previous_n": 3}
    assert cards["response_rate"]["change"]["reason"] == "not enough answers"
    assert {k: cards["reply_hours"][k] for k in keys} == {
        "value": 8.0, "margin": None, "n": 2, "previous": 13.0, "previous_n": 2, "thin": True,
        "change": {"delta": -5.0, "margin": None, "significant": None, "reason": "no margin"}}
    # imported without sentiment: no figure, no change (never 0)
    assert cards["sentiment"]["value"] is None and cards["sentiment"]["n"] == 0
    assert cards["sentiment"]["change"] == {"delta": None, "margin": None, "significant": None,
                                            "reason": "no current figure"}


def test_dashboard_equals_scorecard_per_period(small_store: Store) -> None:
    figures = dashboard(small_store, period="month", today=TODAY, selected=-1)
    periods = last_periods("month", TODAY)
    for point, period in zip(figures["trend"], periods, strict=True):
        expected = scorecard(small_store, period.filters(Filters()), with_margins=True)
        assert {k: point[k] for k in expected} == expected, point["period"]
        assert (point["since"], point["until"]) == (period.since, period.until)
    for name in ("nps", "csat", "ces", "response_rate", "reply_hours"):
        value, margin, n = metric(figures["trend"][-1], name)
        assert (figures["cards"][name]["value"], figures["cards"][name]["margin"], figures["cards"][name]["n"]) == (
            value, margin, n)
    # July's review (after today) is outside the window
    assert figures["window"]["responses"]["reviews"] == 5
    assert sum(p["responses"]["reviews"] for p in figures["trend"]) == 5


def test_thin_flags_and_empty_periods(small_store: Store) -> None:
    figures = dashboard(small_store, period="month", today=TODAY, selected=-1)
    thin = {name: card["thin"] for name, card in figures["cards"].items()}
    assert thin == {"nps": False, "csat": True, "ces": True, "sentiment": True, "ratings": True,
                    "response_rate": True, "reply_hours": True}
    empty = figures["trend"][0]
    assert empty["nps"]["score"] is None and empty["nps"]["n"] == 0 and empty["responses"]["reviews"] == 0
    assert empty["margins"] == {"csat": None, "ces_mean": None, "mean_polarity": None, "response_rate": None}


def test_dashboard_filters_apply_to_every_figure(small_store: Store) -> None:
    figures = dashboard(small_store, Filters(source="app_store"), period="month", today=TODAY, selected=-1)
    assert figures["filters"] == {"source": "app_store"}
    assert figures["cards"]["nps"]["n"] == 0 and figures["cards"]["nps"]["value"] is None
    assert figures["cards"]["response_rate"]["n"] == 2  # r4, r5
    assert figures["previous"]["responses"]["reviews"] == 0  # March's reviews are on trustpilot
    assert [row["segment"] for row in figures["segments"]["source"]] == ["app_store"]


def test_segments_over_the_window(small_store: Store) -> None:
    segments = dashboard(small_store, period="month", today=TODAY, selected=-1)["segments"]
    by_source = {row["segment"]: row for row in segments["source"]}
    assert set(by_source) == {"app_store", "email", "trustpilot"}
    assert by_source["trustpilot"]["responses"]["reviews"] == 3
    assert by_source["app_store"]["responses"]["reviews"] == 2  # r6 (July) is after the window
    assert by_source["email"]["nps"]["n"] == 40 and by_source["email"]["responses"]["reviews"] == 0
    assert set(segments) == {"source", "product", "language"}


def test_week_and_quarter_dashboards(small_store: Store) -> None:
    weeks = dashboard(small_store, period="week", today=TODAY, selected=-1)
    assert weeks["trend"][-1]["period"] == "2026-04-20" and len(weeks["trend"]) == 12
    assert sum(p["nps"]["n"] for p in weeks["trend"]) == 40  # every answer falls in the 12 weeks
    quarters = dashboard(small_store, period="quarter", today=TODAY, selected=-1)
    assert [p["period"] for p in quarters["trend"]][-2:] == ["2026-Q1", "2026-Q2"]
    # Q2 holds April only; Q1 holds March
    assert quarters["cards"]["nps"]["value"] == -60.0 and quarters["cards"]["nps"]["previous"] == 20.0


# -- reply effect ---------------------------------------------------------------------------------------
EFFECT_HEADER = [*REVIEW_HEADER, "updated_at"]


def _effect_rows(edited: bool) -> list[list[object]]:
    """e1 3★ better after the reply, e2 1★ worse, e4 edited text only (0), e3 edited with no reply,
    e5 edited before its reply: only e1, e2 and e4 count."""
    def row(rid: str, rating: int, body: str, created: str, reply_at: str, updated: str) -> list[object]:
        reply = "Sorry about that." if reply_at else ""
        return [rid, "trustpilot", rating, "", body, "Ann", created, "en", reply, reply_at, updated if edited else ""]

    return [
        row("e1", 4 if edited else 1, "Late." + (" Edit: refunded!" if edited else ""), "2026-03-05T10:00:00Z",
            "2026-03-06T10:00:00Z", "2026-04-02T10:00:00Z"),
        row("e2", 1 if edited else 2, "Cold food.", "2026-03-10T10:00:00Z", "2026-03-11T10:00:00Z",
            "2026-03-20T10:00:00Z"),
        row("e3", 5 if edited else 4, "Fine.", "2026-03-12T10:00:00Z", "", "2026-04-03T10:00:00Z"),
        row("e4", 3, "Meh." + (" Still meh." if edited else ""), "2026-03-15T10:00:00Z", "2026-03-16T10:00:00Z",
            "2026-04-05T10:00:00Z"),
        row("e5", 4 if edited else 2, "Slow.", "2026-03-01T10:00:00Z", "2026-03-03T10:00:00Z" if edited else "",
            "2026-03-02T10:00:00Z"),
    ]


def test_reply_effect_after_a_re_import(store: Store, tmp_path: Path) -> None:
    import_file(store, write_csv(tmp_path / "before.csv", EFFECT_HEADER, _effect_rows(edited=False)))
    empty = dashboard(store, period="month", today=TODAY)["reply_effect"]
    assert empty["overall"] == {"n": 0, "mean_rating_change": None, "raised": 0, "lowered": 0}

    import_file(store, write_csv(tmp_path / "after.csv", EFFECT_HEADER, _effect_rows(edited=True)))
    effect = dashboard(store, period="month", today=TODAY)["reply_effect"]
    # (+3 − 1 + 0) / 3
    assert effect["overall"] == {"n": 3, "mean_rating_change": 0.67, "raised": 1, "lowered": 1}
    by_period = {p["period"]: p for p in effect["periods"]}
    assert len(effect["periods"]) == 12
    assert by_period["2026-03"] == {"period": "2026-03", "n": 1, "mean_rating_change": -1.0, "raised": 0, "lowered": 1}
    assert by_period["2026-04"] == {"period": "2026-04", "n": 2, "mean_rating_change": 1.5, "raised": 1, "lowered": 0}
    assert sum(p["n"] for p in effect["periods"]) == 3
    # the same source filter keeps them; another source has none
    assert dashboard(store, Filters(source="app_store"), today=TODAY)["reply_effect"]["overall"]["n"] == 0


def test_reply_effect_on_the_demo_data(demo_db: Path) -> None:
    """The demo's two Google Play exports: ten reviews edited after a reply."""
    with Store.open(demo_db, migrate=False) as store:
        effect = dashboard(store, today=date(2026, 11, 23))["reply_effect"]
        rows = store.query(
            """SELECT r.rating - h.rating AS change FROM reviews r
               JOIN review_history h ON h.id = (SELECT min(id) FROM review_history WHERE review_id = r.id)
               WHERE r.first_reply_at IS NOT NULL AND r.updated_at > r.first_reply_at""")
    changes = [row["change"] for row in rows]
    assert effect["overall"]["n"] == len(changes) == 10
    assert effect["overall"]["mean_rating_change"] == round(sum(changes) / len(changes), 2)
    assert effect["overall"]["raised"] == sum(c > 0 for c in changes)
    assert sum(p["n"] for p in effect["periods"]) == 10


@pytest.mark.parametrize("today,shown,running", [
    (date(2026, 5, 1), "2026-04", "2026-05"),    # the 1st: April's cards, May so far
    (date(2026, 4, 15), "2026-03", "2026-04"),   # mid-month: March is the last complete month
    (date(2026, 4, 30), "2026-03", "2026-04"),   # the last day: April still runs until midnight
])
def test_cards_show_the_last_complete_period_by_default(small_store: Store, today: date, shown: str,
                                                         running: str) -> None:
    figures = dashboard(small_store, period="month", today=today)
    card = figures["cards"]["nps"]
    assert (card["period"], card["running"], figures["trend"][-1]["period"]) == (shown, False, running)
    assert figures["trend"][figures["selected"]]["period"] == shown
    assert card["value"] == figures["trend"][-2]["nps"]["score"]
    assert card["so_far"] == {**dict(zip(("value", "margin", "n"), metric(figures["trend"][-1], "nps"), strict=True)),
                              "interval": figures["trend"][-1]["nps"]["ci95"]}
    # the window total (12 months) with its margin
    assert card["window"]["n"] == sum(p["nps"]["n"] for p in figures["trend"])


def test_cards_follow_the_selected_period(small_store: Store) -> None:
    figures = dashboard(small_store, period="month", today=date(2026, 5, 1))
    march = cards_for(figures["trend"], len(figures["trend"]) - 3, figures["window"])
    assert (march["nps"]["period"], march["nps"]["previous_period"]) == ("2026-03", "2026-02")
    assert march["nps"]["value"] == 20.0 and march["nps"]["change"]["reason"] == "no previous figure"


@pytest.mark.parametrize(("last", "shown", "window_end"), [
    ("2021-03-31T23:00:00Z", "2021-03", "2021-04"),  # the last day: March is whole, April is empty "so far"
    ("2021-03-01T08:00:00Z", "2021-02", "2021-03"),  # the 1st: March has one day, the cards show February
])
def test_an_old_export_opens_on_its_own_last_months(store: Store, tmp_path: Path, last: str, shown: str,
                                                     window_end: str) -> None:
    """Reviews of 2021 imported in 2026: twelve empty months to today would say nothing.
    With ``follow_data`` (the app) the window ends with the newest feedback, and says so."""
    rows = [[f"old{i}", "google_play", 1 + i % 5, "", f"review {i}", "Client", f"2021-{1 + i % 2:02d}-1{i % 9}T10:00:00Z",
             "en", "", ""] for i in range(20)]
    rows.append(["last", "google_play", 5, "", "the newest one", "Client", last, "en", "", ""])
    import_file(store, write_csv(tmp_path / "old.csv", REVIEW_HEADER, rows))
    today = date(2026, 12, 1)
    plain = dashboard(store, today=today)
    assert plain["data_ends"] is None and plain["trend"][-1]["period"] == "2026-12"
    followed = dashboard(store, today=today, follow_data=True)
    assert followed["data_ends"] == last
    assert followed["trend"][-1]["period"] == window_end
    assert followed["trend"][followed["selected"]]["period"] == shown
    assert sum(p["responses"]["reviews"] for p in followed["trend"]) == 21
    # feedback inside the window: nothing moves
    assert dashboard(store, today=date(2021, 3, 15), follow_data=True)["data_ends"] is None


@pytest.mark.parametrize(("today", "data_ends", "shown"), [
    (date(2026, 12, 3), "2026-07-20T10:00:00Z", "2026-06"),  # Aug-Nov empty: the cards show its last whole month
    (date(2026, 12, 1), "2026-07-20T10:00:00Z", "2026-06"),  # the 1st of a month
    (date(2026, 8, 31), None, "2026-07"),  # July is whole and holds feedback: nothing moves
    (date(2026, 8, 1), None, "2026-07"),  # the 1st: July is the last complete month, and has data
])
def test_an_export_that_ends_months_ago_inside_the_window_opens_on_its_last_months(
        store: Store, tmp_path: Path, today: date, data_ends: str | None, shown: str) -> None:
    """The real App Store JSON of AI chat apps ends on 2026-07-01; opened in December, the window
    of 12 months holds it, but the cards (November) were all "—". With ``follow_data`` the
    window ends with the newest feedback as it does for an export older than the window."""
    rows = [[f"r{i}", "app_store", 1 + i % 5, "", f"review {i}", "Client", f"2026-{1 + i % 6:02d}-1{i % 9}T10:00:00Z",
             "en", "", ""] for i in range(30)]
    rows.append(["last", "app_store", 5, "", "the newest one", "Client", "2026-07-20T10:00:00Z", "en", "", ""])
    import_file(store, write_csv(tmp_path / "ends.csv", REVIEW_HEADER, rows))
    followed = dashboard(store, today=today, follow_data=True)
    assert followed["data_ends"] == data_ends
    assert followed["trend"][followed["selected"]]["period"] == shown
    assert followed["cards"]["ratings"]["n"] > 0
    assert dashboard(store, today=today)["data_ends"] is None  # the CLI and reports keep today's window


def test_report_on_an_old_export_says_where_its_feedback_ends(run_cli, tmp_path: Path) -> None:
    rows = [[f"old{i}", "google_play", 4, "", f"review {i}", "Client", f"2021-05-1{i}T10:00:00Z", "en", "", ""]
            for i in range(3)]
    assert run_cli("import", "--no-sentiment", write_csv(tmp_path / "old.csv", REVIEW_HEADER, rows)).exit_code == 0
    result = run_cli("report", "--period", "month")
    assert result.exit_code == 0
    assert "no feedback in this window; the newest is from 2021-05-12 (report --today 2021-05-13" in result.stderr
    dated = run_cli("report", "--period", "month", "--today", "2021-05-13")
    assert dated.exit_code == 0 and "Note:" not in dated.stderr and "2021-05" in dated.stdout


@pytest.mark.parametrize(("today", "n"), [
    (date(2026, 12, 3), 2),   # a first import on the 3rd: every row dated this month
    (date(2026, 12, 1), 1),   # the 1st, one review of today
    (date(2026, 12, 31), 2),  # the last day of the month
    (date(2026, 12, 3), 0),   # nothing at all: the last complete month, empty
])
def test_feedback_only_in_the_running_period_shows_it_so_far(store: Store, tmp_path: Path, today: date,
                                                            n: int) -> None:
    """5b (a French survey export without dates) imported on 2026-12-03 is all dated that day:
    the cards showed November's "—" above a chart with every answer in December."""
    rows = [[f"r{i}", "app_store", 5 - i, "", f"review {i}", "Client", f"{today.isoformat()}T0{i}:00:00Z", "en", "", ""]
            for i in range(n)]
    if n:  # imported at the end of that day, so that none of its rows is "in the future"
        parsed = open_input(write_csv(tmp_path / "now.csv", REVIEW_HEADER, rows),
                            imported_at=f"{today.isoformat()}T23:59:00Z")
        assert import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows).inserted == n
    figures = dashboard(store, today=today, follow_data=True)
    running = figures["trend"][-1]["period"]
    assert running == today.strftime("%Y-%m") and figures["data_ends"] is None
    card = figures["cards"]["ratings"]
    if n:
        assert figures["trend"][figures["selected"]]["period"] == running
        assert (card["period"], card["running"], card["n"]) == (running, True, n)
        assert card["value"] == sum(5 - i for i in range(n)) / n
    else:
        assert figures["trend"][figures["selected"]]["period"] == figures["trend"][-2]["period"]
        assert (card["running"], card["n"], card["value"]) == (False, 0, None)


@pytest.mark.parametrize("fmt", ["md", "json", "csv"])
def test_report_on_feedback_only_in_the_running_month_says_so(run_cli, tmp_path: Path, fmt: str) -> None:
    """Without --today the report covers complete months; a first import dated this month
    (5b, a survey export without dates, imported on the 3rd) left it empty without a word.
    The rows are dated now (the CLI's real clock), so they are in the running month on any
    day, the 1st and the last included."""
    from datetime import UTC, datetime

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [[f"n{i}", "google_play", 4, "", f"review {i}", "Client", now, "en", "", ""] for i in range(2)]
    assert run_cli("import", "--no-sentiment", write_csv(tmp_path / "now.csv", REVIEW_HEADER, rows)).exit_code == 0
    result = run_cli("report", "--period", "month", "--format", fmt)
    assert result.exit_code == 0
    assert (f"Note: no feedback in this window; it is all from {now[:8]}01 on, in the period still running "
            f"(report --today {now[:10]} reports it so far).") in result.stderr
    dated = run_cli("report", "--period", "month", "--format", fmt, "--today", now[:10])
    assert dated.exit_code == 0 and "Note:" not in dated.stderr
