"""Scores checked against values computed by hand.

NPS of the 20 answers in scoring_small.csv / nps_only.csv: 8 promoters,
6 passives, 6 detractors -> p = 0.40, d = 0.30, NPS = 10.0,
Margin (Rocks adjusted Wald, n~ = 23, p~ = 8.75/23, d~ = 6.75/23) = 33.4 points.
CSAT 10 of 15 answers are 4-5 -> 66.7. CES sum 53 over 10 -> 5.3, 5.3 / 7 = 75.7 %.
Response figures of conftest.RESPONSE_ROWS: 4 of 6 reviews replied after
2, 24, 10 and 6 hours (median 8.0); positive (4-5 stars) r1 r2 -> 1 of 2;
negative (1-2 stars) r3 r4 r6 -> 2 of 3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, import_file
from datetime import UTC, datetime, timedelta

from feedback_tui.models import Filters
from feedback_tui.scoring import ces, csat, nps, responses, scorecard, sentiment_mix, share_margin
from feedback_tui.store import Store


# -- pure functions ------------------------------------------------------------------
def test_nps_by_hand() -> None:
    assert nps(20, 8, 6) == {"score": 10.0, "n": 20, "promoters": 8, "passives": 6, "detractors": 6, "moe95": 33.4,
                             "ci95": [-24.7, 42.1]}
    assert nps(5, 5, 0)["score"] == 100.0 and nps(5, 5, 0)["moe95"] == 45.0  # never 0 at 100 %
    assert nps(4, 4, 0)["moe95"] is None  # too few for a margin (tests/core/test_small_n_margins.py)
    assert nps(3, 0, 3)["score"] == -100.0
    assert nps(3, 1, 1)["score"] == 0.0  # not -0.0
    assert nps(0, 0, 0) == {"score": None, "n": 0, "promoters": 0, "passives": 0, "detractors": 0, "moe95": None,
                            "ci95": None}


def test_csat_and_ces_by_hand() -> None:
    assert csat(15, 10) == {"score": 66.7, "n": 15, "satisfied": 10}
    assert csat(0, 0) == {"score": None, "n": 0, "satisfied": 0}
    assert ces(10, 53) == {"mean": 5.3, "normalized": 75.7, "n": 10}
    assert ces(0, 0) == {"mean": None, "normalized": None, "n": 0}
    assert share_margin(0, 0) is None and share_margin(100, 50) == 9.6  # Wilson


def test_sentiment_mix_and_responses_without_data() -> None:
    assert sentiment_mix(0, 0, 0, 0, None)["mean_polarity"] is None
    assert sentiment_mix(3, 2, 1, 0, 0.123456)["mean_polarity"] == 0.123
    assert responses(None, None) == {"reviews": 0, "replied": 0, "rate": None, "positive_rate": None,
                                     "negative_rate": None, "median_hours_to_reply": None,
                                     "p90_hours_to_reply": None, "sla_hours": 24.0, "within_sla_rate": None, "overdue": None}


# -- acceptance numbers through the CLI ------------------------------------------------
def test_scoring_small_acceptance_numbers(run_cli) -> None:
    assert run_cli("import", "--no-sentiment", FIXTURES / "scoring_small.csv").exit_code == 0
    result = run_cli("score", "--json")
    assert result.exit_code == 0
    card = json.loads(result.stdout)
    assert card["nps"] == {"score": 10.0, "n": 20, "promoters": 8, "passives": 6, "detractors": 6, "moe95": 33.4,
                           "ci95": [-24.7, 42.1]}
    assert card["csat"] == {"score": 66.7, "n": 15, "satisfied": 10}
    assert card["ces"] == {"mean": 5.3, "normalized": 75.7, "n": 10}
    assert card["responses"]["reviews"] == 0 and card["responses"]["rate"] is None


def test_nps_only_with_survey_kind(run_cli) -> None:
    result = run_cli("import", "--no-sentiment", "--survey-kind", "nps", FIXTURES / "nps_only.csv")
    assert result.exit_code == 0, result.output
    card = json.loads(run_cli("score", "--json").stdout)
    assert (card["nps"]["score"], card["nps"]["moe95"], card["nps"]["n"]) == (10.0, 33.4, 20)
    assert card["csat"]["score"] is None and card["ces"]["mean"] is None


# -- response figures, periods and segments ---------------------------------------------
@pytest.fixture
def response_store(store: Store, responses_csv: Path) -> Store:
    import_file(store, responses_csv)
    return store


def test_response_rates_and_median(response_store: Store) -> None:
    assert scorecard(response_store, now=datetime(2030, 1, 1, tzinfo=UTC))["responses"] == {
        "reviews": 6, "replied": 4, "rate": 66.7, "positive_rate": 50.0, "negative_rate": 66.7,
        "median_hours_to_reply": 8.0,
        # hours to reply 2, 6, 10, 24: the 90th percentile by nearest rank is the 4th (ceil(0.9 x 4))
        "p90_hours_to_reply": 24.0,
        # all four first replies came within 24 h (24 h counts as within): 4 of 4 replies
        "sla_hours": 24.0, "within_sla_rate": 100.0,
        # the two unanswered reviews are years older than the SLA by 2030
        "overdue": 2,
    }


def test_young_unanswered_reviews_are_never_breaches(response_store: Store) -> None:
    """The SLA share counts replies only; unanswered reviews younger than the SLA are not overdue."""
    latest = max(row[0] for row in response_store.query("SELECT created_at FROM reviews WHERE has_reply = 0", {}))
    moment = datetime.strptime(latest, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    young = scorecard(response_store, now=moment + timedelta(hours=1))["responses"]
    old = scorecard(response_store, now=moment + timedelta(hours=25))["responses"]
    assert young["within_sla_rate"] == old["within_sla_rate"] == 100.0
    assert (young["overdue"], old["overdue"]) == (1, 2)


def test_a_tighter_sla_and_responses_per_agent(response_store: Store) -> None:
    tight = scorecard(response_store, sla_hours=8.0)["responses"]
    # 2 h and 6 h: 2 of the 4 first replies, the same share overall and per agent
    assert (tight["sla_hours"], tight["within_sla_rate"]) == (8.0, 50.0)
    per_agent = scorecard(response_store, segment="agent", sla_hours=8.0)["segments"]
    # replies that came with the export are the platform's, not an agent's
    assert per_agent == [{"segment": "platform", "responses": {
        "replied": 4, "median_hours_to_reply": 8.0, "p90_hours_to_reply": 24.0, "sla_hours": 8.0,
        "within_sla_rate": 50.0, "open_assigned": 0}}]


def test_spam_is_left_out_of_response_figures(response_store: Store) -> None:
    response_store.conn.execute("UPDATE reviews SET status = 'spam' WHERE external_id = 'r6'")
    figures = scorecard(response_store)["responses"]
    assert (figures["reviews"], figures["rate"], figures["negative_rate"]) == (5, 80.0, 100.0)


def _periods(store: Store, by: str) -> dict[str, dict]:
    return {p["period"]: p["responses"] for p in scorecard(store, by=by)["periods"]}


def test_periods_by_month(response_store: Store) -> None:
    months = _periods(response_store, "month")
    assert list(months) == ["2026-03", "2026-04", "2026-07"]
    assert (months["2026-03"]["reviews"], months["2026-03"]["rate"], months["2026-03"]["median_hours_to_reply"]) == (
        3, 66.7, 13.0)
    assert (months["2026-04"]["rate"], months["2026-04"]["median_hours_to_reply"]) == (100.0, 8.0)
    assert (months["2026-07"]["rate"], months["2026-07"]["median_hours_to_reply"]) == (0.0, None)


def test_periods_by_week_are_labelled_by_their_monday(response_store: Store) -> None:
    weeks = _periods(response_store, "week")
    # Sunday 8 March belongs to the week of Monday 2 March; Monday 9 March starts a new one.
    assert {label: w["reviews"] for label, w in weeks.items()} == {
        "2026-03-02": 2, "2026-03-09": 1, "2026-03-30": 1, "2026-04-13": 1, "2026-06-29": 1}


def test_periods_by_day_and_quarter(response_store: Store) -> None:
    assert list(_periods(response_store, "day")) == [
        "2026-03-02", "2026-03-08", "2026-03-09", "2026-04-01", "2026-04-15", "2026-07-01"]
    quarters = _periods(response_store, "quarter")
    assert {label: q["reviews"] for label, q in quarters.items()} == {"2026-Q1": 3, "2026-Q2": 2, "2026-Q3": 1}


def test_segments_by_source(response_store: Store) -> None:
    segments = {s["segment"]: s["responses"] for s in scorecard(response_store, segment="source")["segments"]}
    assert set(segments) == {"app_store", "trustpilot"}
    assert (segments["trustpilot"]["replied"], segments["trustpilot"]["median_hours_to_reply"]) == (2, 13.0)
    assert (segments["app_store"]["rate"], segments["app_store"]["negative_rate"]) == (66.7, 50.0)


def test_filters_narrow_every_figure(store: Store, responses_csv: Path) -> None:
    import_file(store, responses_csv)
    import_file(store, FIXTURES / "scoring_small.csv")
    only_app_store = scorecard(store, Filters(source="app_store"))
    assert only_app_store["responses"]["reviews"] == 3 and only_app_store["nps"]["n"] == 0
    only_email = scorecard(store, Filters(source="email"))
    assert only_email["responses"]["reviews"] == 0 and only_email["nps"]["n"] > 0
    april = scorecard(store, Filters(since="2026-04-01T00:00:00Z", until="2026-05-01T00:00:00Z"))
    assert april["responses"]["reviews"] == 2 and april["nps"]["n"] == 0  # the surveys are all in June


def test_reply_without_a_date_still_counts_as_replied(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "undated.csv"
    path.write_text("id,rating,body,reply\nu-1,1,Late,Sorry we refunded you\nu-2,5,Great,\n", encoding="utf-8")
    import_file(store, path)
    assert store.scalar("SELECT status FROM reviews WHERE external_id = 'u-1'") == "replied"
    figures = scorecard(store)["responses"]
    assert (figures["replied"], figures["rate"], figures["median_hours_to_reply"]) == (1, 50.0, None)


def test_ratings_by_hand_and_half_stars_round_down(store: Store, responses_csv: Path) -> None:
    from feedback_tui.scoring import ratings

    # a half star (4.5) is in the mean as it is and in the distribution as a 4
    row = {"n": 3, "total": 4.5 + 5 + 1, "squares": 4.5**2 + 25 + 1, "s1": 1, "s2": 0, "s3": 0, "s4": 1, "s5": 1}
    figures = ratings(row)
    assert figures["mean"] == 3.5 and figures["distribution"] == {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}
    assert figures["moe95"] is None and figures["ci95"] is None  # 3 answers: too few for a margin
    assert 0 < ratings({**row, "n": 5, "total": 10.5 + 8, "squares": row["squares"] + 32})["moe95"] <= 2.0
    assert ratings(None) == {"n": 0, "mean": None, "moe95": None, "ci95": None,
                             "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
    import_file(store, responses_csv)
    card = scorecard(store)["ratings"]
    counted = store.query("SELECT rating, count(*) FROM reviews WHERE status != 'spam' GROUP BY rating", {})
    by_star = {str(int(r[0])): r[1] for r in counted if r[0] is not None}
    assert card["n"] == sum(by_star.values())
    assert {k: v for k, v in card["distribution"].items() if v} == by_star
