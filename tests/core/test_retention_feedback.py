"""Feedback beside retention: do answered detractors stay?

The fixture is written by the test: 80 customers buy in January 2024 and
each leaves a 1-star review on 1 February. The 40 we answer within 10 hours
buy again in March; the 40 we never answer do not. 40 of them link through
the review export's own customer column (``--map customer=client_ref``), 40
through ``link-customers``; all 80 gave NPS 2-3 in a survey. Five promoters
make a group too small to show.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feedback_tui.margins import share_margin

ANSWERED = [f"a{i:02d}" for i in range(1, 41)]
SILENT = [f"u{i:02d}" for i in range(1, 41)]
PROMOTERS = [f"p{i}" for i in range(1, 6)]


@pytest.fixture
def linked(run_cli, tmp_path: Path):
    orders = ["order_id,customer,created_at,amount"]
    for n, customer in enumerate(ANSWERED + SILENT + PROMOTERS):
        orders.append(f"j{n},{customer},2024-01-05 10:00:00,20")
    for n, customer in enumerate(ANSWERED + PROMOTERS[:1]):
        orders.append(f"m{n},{customer},2024-03-10 10:00:00,35")
    (tmp_path / "orders.csv").write_text("\n".join(orders) + "\n", encoding="utf-8")
    reviews = ["id,rating,body,author,created_at,reply,reply_at,client_ref"]
    for customer in ANSWERED:
        reviews.append(f"r-{customer},1,Late again,Same Name,2024-02-01T08:00:00Z,Sorry - we fixed it,"
                       f"2024-02-01T18:00:00Z,{customer}")
    for customer in SILENT:
        reviews.append(f"r-{customer},1,Cold food,Same Name,2024-02-01T08:00:00Z,,,")
    (tmp_path / "reviews.csv").write_text("\n".join(reviews) + "\n", encoding="utf-8")
    links = ["review_id,customer"] + [f"r-{c},{c}" for c in SILENT] + ["r-nobody,zz"]
    (tmp_path / "links.csv").write_text("\n".join(links) + "\n", encoding="utf-8")
    surveys = ["id,kind,score,created_at,customer"]
    surveys += [f"s-{c},nps,{3 if c in ANSWERED else 2},2024-02-02T09:00:00Z,{c}" for c in ANSWERED + SILENT]
    surveys += [f"s-{c},nps,10,2024-02-02T09:00:00Z,{c}" for c in PROMOTERS]
    (tmp_path / "surveys.csv").write_text("\n".join(surveys) + "\n", encoding="utf-8")
    assert run_cli("import", str(tmp_path / "orders.csv"), "--kind", "orders").exit_code == 0
    result = run_cli("import", "--no-sentiment", str(tmp_path / "reviews.csv"), "--map", "customer=client_ref")
    assert result.exit_code == 0, result.output
    assert run_cli("import", "--no-sentiment", str(tmp_path / "surveys.csv")).exit_code == 0
    link = run_cli("link-customers", str(tmp_path / "links.csv"))
    assert link.exit_code == 1 and "40 reviews linked" in link.output
    assert "line 42, field 'review_id': no stored review with review id 'r-nobody'" in link.output
    result = run_cli("retention", "--json")
    assert result.exit_code == 0, result.output
    return {(g["question"], g["group"]): g for g in json.loads(result.output)["feedback"]["groups"]}


def test_answered_detractors_stay_and_unanswered_leave(linked) -> None:
    answered, silent = linked[("negative reviews", "answered")], linked[("negative reviews", "not answered")]
    assert (answered["n"], answered["retained"], answered["retention"]) == (40, 40, 100.0)
    assert (silent["n"], silent["retained"], silent["retention"]) == (40, 0, 0.0)
    assert answered["retention_margin"] == share_margin(40, 40) and answered["retention_margin"] > 0
    assert (answered["repeat_purchase_rate"], silent["repeat_purchase_rate"]) == (100.0, 0.0)


def test_by_time_to_first_reply(linked) -> None:
    assert linked[("first reply", "< 24 h")]["n"] == 40 and linked[("first reply", "< 24 h")]["retention"] == 100.0
    assert linked[("first reply", "never")]["retention"] == 0.0
    assert linked[("first reply", "1-7 days")]["n"] == 0 and linked[("first reply", "1-7 days")]["note"]


def test_nps_groups_and_stars_and_small_groups(linked) -> None:
    detractors = linked[("nps", "detractors")]
    assert (detractors["n"], detractors["retained"], detractors["retention"]) == (80, 40, 50.0)
    assert detractors["retention_margin"] == share_margin(80, 40)
    promoters = linked[("nps", "promoters")]
    assert promoters["n"] == 5 and promoters["retention"] is None and promoters["note"] == "not enough customers"
    assert linked[("stars", "1-2 stars")]["n"] == 80 and linked[("stars", "4-5 stars")]["n"] == 0


def test_names_never_link(linked, run_cli, db_path: Path) -> None:
    """Every review has the same author: only the ids linked them, one customer each."""
    from conftest import raw_rows

    rows = raw_rows(db_path, "SELECT linked_by, count(*), count(DISTINCT customer) FROM review_customers "
                             "GROUP BY linked_by ORDER BY linked_by")
    assert [tuple(r) for r in rows] == [("import", 40, 40), ("link-customers", 40, 40)]
    text = run_cli("retention").output
    assert "negative reviews: answered" in text and "not enough customers" in text


def test_customer_history_has_orders_reviews_answers_and_replies(linked, db_path: Path) -> None:
    from feedback_tui.store import Store
    from feedback_tui.store.retention import customer_history

    with Store.open(db_path) as store:
        history = customer_history(store, "a01")
    assert [o.amount for o in history.orders] == [20.0, 35.0]
    assert [r[2] for r in history.reviews] == [1] and [a[1:3] for a in history.answers] == [("nps", 3)]
    assert [r[3] for r in history.replies] == ["Sorry - we fixed it"]


def test_a_survey_customer_written_as_a_float_links_to_the_orders_id(run_cli, tmp_path: Path) -> None:
    (tmp_path / "o.csv").write_text("order_id,customer,created_at,amount\n1,12923,2024-01-05,5\n2,12920,2024-03-05,5\n"
                                    "3,12923,2024-03-05,5\n", encoding="utf-8")
    (tmp_path / "s.csv").write_text("id,kind,score,created_at,customer\ns1,nps,10,2024-02-01T00:00:00Z,12923.0\n"
                                    "s2,nps,2,2024-02-01T00:00:00Z,12920.00\ns3,nps,2,2024-02-01T00:00:00Z,1a.0\n",
                                    encoding="utf-8")
    run_cli("import", str(tmp_path / "o.csv"), "--kind", "orders")
    run_cli("import", "--no-sentiment", str(tmp_path / "s.csv"))
    feedback = json.loads(run_cli("retention", "--json").output)["feedback"]
    groups = {g["group"]: g["n"] for g in feedback["groups"] if g["question"] == "nps"}
    assert feedback["linked_customers"] == 2 and groups == {"promoters": 1, "passives": 0, "detractors": 1}
