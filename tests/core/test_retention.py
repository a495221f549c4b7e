"""Orders import and the retention figures, checked against hand-computed values.

``fixtures/orders_lines.csv`` is an invoice export of our own (invented
items), in the columns of a shop's line-item file. By hand:

=========  ==========================================================  ===========
month      purchases (customer: order = lines)                          not counted
=========  ==========================================================  ===========
2024-01    A 536001 = 2x10 + 1x5 = 25 (on the 1st, 00:00:00, id 12923.0)  C536006: C's
           A 536003 = 3x5 = 15 (id written 12923), B 536002 = 40 (the     cancelled
           31st, 23:59:59), C 536005 = 20                                 invoice (-20)
2024-02    A 536007 = 30 (the 1st), D 536008 = 2x25 = 50 (the 29th)        C536009: B's
                                                                          return (-40)
2024-03    B 536010 = 10 + 15 = 25 (back after a gap), D 536011 = 50      -
           (the 31st), D 536012 = 10
2024-04    E 536013 = 100 (the 1st)                                       line 16: no
                                                                          customer; line
                                                                          17: quantity 'two'
=========  ==========================================================  ===========

So, per month (S, E, N, retained; crr = (E-N)/S, retention = retained/S):

- 2024-01: first period: S null, E 3, N 3; crr, retention, churn, revenue_churn null;
  orders 4, revenue 100, aov 25, frequency 4/3, rpr 1/3 (A bought twice), value 100/3.
- 2024-02: S 3, E 2, N 1 (D), retained 1 (A): crr 33.33, retention 33.33, churn 66.67;
  B and C left with 60 of January's 100: revenue_churn 60; orders 2, revenue 80, aov 40.
- 2024-03: S 2, E 2, N 0, retained 1 (D): crr 100 (B came back) > retention 50;
  churn 50; A left with 30 of 80: revenue_churn 37.5; orders 3, revenue 85, rpr 50.
- 2024-04: S 2, E 1, N 1, retained 0: crr 0, churn 100, revenue_churn 100.
- Window Jan-Apr: 10 orders, 365, 5 customers: aov 36.5, 73 per customer; mean churn of
  the whole months (66.67 + 50) / 2 = 58.33 %. No clv: its year (2023-05 to 2024-04) holds
  only four months of orders and no year before it (tests/core/test_clv.py has the clv by hand).
- Per quarter: Q1 S null, E 4, N 4, 9 orders, 265, rpr 3/4 (A, B, D twice); Q2 S 4, E 1,
  retained 0, churn 100.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, raw_rows
from feedback_tui.importers.base import ImportOptions
from feedback_tui.importers.orders import customer_id, open_orders
from feedback_tui.retention import (
    customers_behind,
    period_figures,
    period_of,
    period_range,
    retention_card,
    spend_of,
    window_figures,
)
from feedback_tui.store import Store
from feedback_tui.store import retention as queries
from feedback_tui.store.orders import write_orders

ORDERS = FIXTURES / "orders_lines.csv"
A, B, C, D, E = "12923", "12924", "12925", "12926", "12927"


def load(store: Store, path: Path = ORDERS, **options: object):
    parsed = open_orders(path, source=None, options=ImportOptions(**options))  # type: ignore[arg-type]
    orders, rejects, _ = parsed.read()
    return write_orders(store, parsed.origin, parsed.format, orders, rejects)


@pytest.fixture
def loaded(store: Store) -> Store:
    load(store)
    return store


def by_period(card: dict) -> dict[str, dict]:
    return {p["period"]: p for p in card["periods"]}


# -- import ------------------------------------------------------------------------

def test_lines_of_an_order_are_summed_and_returns_kept_as_no_purchase(store: Store, db_path: Path) -> None:
    result = load(store)
    assert (result.inserted, result.updated, result.rejected) == (12, 0, 2)
    rows = {r["order_id"]: r for r in raw_rows(db_path, "SELECT * FROM orders")}
    assert rows["536001"]["amount"] == 25.0 and rows["536001"]["lines"] == 2
    assert rows["536001"]["customer"] == A and rows["536003"]["customer"] == A  # 12923.0 and 12923: one customer
    assert rows["C536006"]["amount"] == -20.0 and rows["C536006"]["purchase"] == 0
    assert rows["C536009"]["purchase"] == 0 and rows["536010"]["amount"] == 25.0
    assert rows["536002"]["created_at"] == "2024-01-31T23:59:59Z"
    customers = {r["customer"]: r for r in raw_rows(db_path, "SELECT * FROM customers")}
    assert set(customers) == {A, B, C, D, E}
    assert customers[A]["purchases"] == 3 and customers[C]["purchases"] == 1


def test_lines_without_a_customer_are_rejected_with_line_and_field(store: Store, db_path: Path) -> None:
    result = load(store)
    assert [(r.line, r.field) for r in result.rejects] == [(16, "customer"), (17, "quantity")]
    assert "quantity must be a number, got 'two'" in result.rejects[1].reason
    stored = raw_rows(db_path, "SELECT line, field, raw FROM rejects ORDER BY line")
    assert [(r["line"], r["field"]) for r in stored] == [(16, "customer"), (17, "quantity")]
    assert stored[0]["raw"].startswith("536014,22633,HAND WARMER,6,")


def test_importing_again_changes_nothing_and_a_changed_order_is_updated(store: Store, tmp_path: Path,
                                                                       db_path: Path) -> None:
    load(store)
    again = load(store)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 12)
    changed = tmp_path / "orders_lines.csv"  # same name: same source
    changed.write_text(ORDERS.read_text().replace("536013,23084,RABBIT NIGHT LIGHT,1,", "536013,23084,RABBIT "
                                                  "NIGHT LIGHT,2,"), encoding="utf-8")
    third = load(store, changed)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 11)
    assert raw_rows(db_path, "SELECT amount FROM orders WHERE order_id = '536013'")[0][0] == 200.0
    assert raw_rows(db_path, "SELECT count(*) FROM orders")[0][0] == 12


def test_customer_ids_written_as_floats_are_one_id_and_masked_ids_are_refused() -> None:
    assert customer_id("12923.0") == "12923" and customer_id("12923") == "12923"
    assert customer_id("C-0042") == "C-0042" and customer_id("12923.5") == "12923.5"
    with pytest.raises(ValueError, match="masked"):
        customer_id("s*******")


def test_an_order_whose_lines_name_two_customers_keeps_the_first(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("order_id,customer,created_at,quantity,unit_price\n1,a,2024-05-01,1,10\n1,b,2024-05-01,1,5\n",
                    encoding="utf-8")
    result = load(store, path)
    assert [(r.line, r.field) for r in result.rejects] == [(3, "customer")]
    assert "belongs to customer 'a' on line 2" in result.rejects[0].reason


def test_amount_per_order_json_and_cancelled_status(store: Store, tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "shop.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in [
        {"order_id": "o1", "customer": "k1", "created_at": "2024-06-30T23:59:59Z", "amount": "12,50"},
        {"order_id": "o2", "customer": "k1", "created_at": "2024-07-01T00:00:00Z", "amount": 30, "status": "Cancelled"},
        {"order_id": "o3", "customer": "k2", "created_at": "2024-07-02", "amount": 0},
        {"order_id": "o4", "customer": "k2", "created_at": "2024-07-02"},
    ]) + "\n", encoding="utf-8")
    result = load(store, path)
    assert [(r.line, r.field) for r in result.rejects] == [(4, "amount")]
    rows = {r["order_id"]: (r["amount"], r["purchase"]) for r in raw_rows(db_path, "SELECT * FROM orders")}
    assert rows == {"o1": (12.5, 1), "o2": (30.0, 0), "o3": (0.0, 0)}


def test_numeric_dates_follow_the_file_order_on_the_first_and_last_day(store: Store, tmp_path: Path,
                                                                      db_path: Path) -> None:
    """The invoice file's own form: 12/1/2010 8:26 and 1/31/2011 is month first (31 > 12)."""
    path = tmp_path / "mdy.csv"
    path.write_text("InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice\n"
                    "1,7,12/1/2010 8:26,1,3\n2,7,1/31/2011 23:59,1,4\n3,8,2/1/2011 0:00,2,2\n", encoding="utf-8")
    load(store, path)
    dates = [r[0] for r in raw_rows(db_path, "SELECT created_at FROM orders ORDER BY order_id")]
    assert dates == ["2010-12-01T08:26:00Z", "2011-01-31T23:59:00Z", "2011-02-01T00:00:00Z"]
    months = by_period(retention_card(store, "month"))
    assert [months[m]["customers"] for m in ("2010-12", "2011-01", "2011-02")] == [1, 1, 1]
    assert months["2011-02"]["retained"] == 0 and months["2011-02"]["new"] == 1


def test_a_file_without_customer_column_is_refused_whole(tmp_path: Path) -> None:
    from feedback_tui.errors import FileProblem

    path = tmp_path / "nocust.csv"
    path.write_text("InvoiceNo,InvoiceDate,Quantity,UnitPrice\n1,2024-01-01,1,1\n", encoding="utf-8")
    with pytest.raises(FileProblem, match="no customer"):
        open_orders(path, source=None)


# -- the figures -----------------------------------------------------------------

def test_monthly_figures_match_the_hand_computation(loaded: Store) -> None:
    months = by_period(retention_card(loaded, "month"))
    assert list(months) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    jan, feb, mar, apr = (months[m] for m in months)
    assert (jan["customers_start"], jan["customers"], jan["new"], jan["retained"]) == (None, 3, 3, None)
    assert jan["crr"] is None and jan["churn"] is None and jan["retention"] is None and jan["revenue_churn"] is None
    assert (jan["orders"], jan["revenue"], jan["aov"]) == (4, 100.0, 25.0)
    assert jan["purchase_frequency"] == pytest.approx(4 / 3, abs=1e-4)
    assert jan["repeat_purchase_rate"] == 33.33 and jan["customer_value"] == 33.33
    assert (feb["customers_start"], feb["customers"], feb["new"], feb["retained"]) == (3, 2, 1, 1)
    assert (feb["crr"], feb["retention"], feb["churn"], feb["revenue_churn"]) == (33.33, 33.33, 66.67, 60.0)
    assert (feb["orders"], feb["revenue"], feb["aov"], feb["repeat_purchase_rate"]) == (2, 80.0, 40.0, 0.0)
    assert (mar["customers_start"], mar["customers"], mar["new"], mar["retained"]) == (2, 2, 0, 1)
    assert (mar["crr"], mar["retention"], mar["churn"], mar["revenue_churn"]) == (100.0, 50.0, 50.0, 37.5)
    assert (mar["orders"], mar["revenue"], mar["aov"], mar["repeat_purchase_rate"]) == (3, 85.0, 28.33, 50.0)
    assert mar["purchase_frequency"] == 1.5 and mar["customer_value"] == 42.5
    assert (apr["crr"], apr["retention"], apr["churn"], apr["revenue_churn"]) == (0.0, 0.0, 100.0, 100.0)


def test_crr_counts_a_customer_back_after_a_gap_and_strict_retention_does_not(loaded: Store) -> None:
    march = by_period(retention_card(loaded, "month"))["2024-03"]
    assert march["crr"] > march["retention"]
    rows = queries.customer_periods(loaded, "month")
    assert [c for c, _, _ in customers_behind(rows, "month", "2024-03", "retained")] == [D]
    assert [c for c, _, _ in customers_behind(rows, "month", "2024-03", "lost")] == [A]
    assert customers_behind(rows, "month", "2024-02", "new") == [(D, 1, 50.0)]
    assert [c for c, _, _ in customers_behind(rows, "month", "2024-02", "customers_start")] == [A, B, C]  # 40, 40, 20


def test_window_figures_and_no_clv_from_four_months(loaded: Store) -> None:
    window = retention_card(loaded, "month")["window"]
    assert (window["orders"], window["revenue"], window["customers"], window["aov"]) == (10, 365.0, 5, 36.5)
    assert window["revenue_per_customer"] == 73.0
    # April is partial (the data ends on 2024-04-01): its 100 % churn is left out of the mean
    assert window["partial_periods"] == ["2024-04"]
    assert window["mean_churn"] == 58.33
    # four months are no year: no yearly churn, and with a configured lifespan no year of purchases
    assert window["clv_year"] == ["2023-05", "2024-04"] and window["clv"] is None
    assert window["purchases_per_customer_per_year"] == 2.0 and window["year_customers_start"] == 0
    assert window["clv_note"] == "a yearly churn needs orders before 2023-05"
    fixed = retention_card(loaded, "month", lifespan_years=2.0)["window"]
    assert fixed["lifespan_from"] == "config" and fixed["clv"] is None
    assert fixed["clv_note"] == "less than a year of orders: they start after 2023-05"


def test_quarter_and_year(loaded: Store) -> None:
    quarters = by_period(retention_card(loaded, "quarter"))
    q1, q2 = quarters["2024-Q1"], quarters["2024-Q2"]
    assert (q1["customers_start"], q1["customers"], q1["new"], q1["orders"], q1["revenue"]) == (None, 4, 4, 9, 265.0)
    assert q1["repeat_purchase_rate"] == 75.0 and q1["crr"] is None
    assert (q2["customers_start"], q2["customers"], q2["retained"], q2["churn"]) == (4, 1, 0, 100.0)
    (year,) = retention_card(loaded, "year")["periods"]
    assert (year["period"], year["customers"], year["customers_start"], year["crr"]) == ("2024", 5, None, None)


def test_since_keeps_the_start_from_the_period_before(loaded: Store) -> None:
    card = retention_card(loaded, "month", since="2024-03-01T00:00:00Z", until="2024-04-01T00:00:00Z")
    (march,) = card["periods"]
    assert (march["period"], march["customers_start"], march["new"], march["crr"]) == ("2024-03", 2, 0, 100.0)
    assert card["window"]["orders"] == 3


def test_segments_by_country(loaded: Store) -> None:
    card = retention_card(loaded, "month", segment="country")
    france = by_period(card["segments"]["France"])
    assert (france["2024-03"]["customers_start"], france["2024-03"]["retained"], france["2024-03"]["crr"]) == \
        (1, 1, 200.0)  # D stayed and B came back: (2 - 0) / 1
    uk = by_period(card["segments"]["United Kingdom"])
    assert uk["2024-02"]["customers_start"] == 2 and uk["2024-02"]["retained"] == 1


def test_costs_per_customer_from_the_config_and_a_costs_file(loaded: Store, tmp_path: Path) -> None:
    from feedback_tui.importers.orders import read_costs
    from feedback_tui.store.orders import write_costs

    path = tmp_path / "costs.csv"
    path.write_text("period,amount\n2024-02,20\nfeb,3\n", encoding="utf-8")
    costs, rejects = read_costs(path)
    assert [(r.line, r.field) for r in rejects] == [(3, "period")]
    write_costs(loaded, "costs.csv", costs, rejects)
    months = by_period(retention_card(loaded, "month", config_costs={"2024-01": 30.0}))
    assert months["2024-01"]["retention_cost_per_customer"] == 10.0
    assert months["2024-02"]["retention_cost_per_customer"] == 10.0 and months["2024-03"]["retention_spend"] is None
    quarter = by_period(retention_card(loaded, "quarter", config_costs={"2024-01": 30.0}))["2024-Q1"]
    assert quarter["retention_spend"] == 50.0 and quarter["retention_cost_per_customer"] == 12.5
    assert spend_of("year", "2024", {"2024-Q1": 1.0, "2024-05": 2.0, "2025-01": 9.0}) == 3.0


@pytest.mark.parametrize("count", [0, 1, 2])
def test_no_one_or_two_orders(store: Store, tmp_path: Path, count: int) -> None:
    rows = [("1", "x", "2024-01-31 23:59:59", "10"), ("2", "x", "2024-02-01 00:00:00", "5")][:count]
    if count == 0:
        assert retention_card(store, "month")["periods"] == []
        assert retention_card(store, "month")["window"]["clv"] is None
        return
    path = tmp_path / "few.csv"
    path.write_text("order_id,customer,created_at,amount\n" + "".join(",".join(r) + "\n" for r in rows),
                    encoding="utf-8")
    load(store, path)
    periods = retention_card(store, "month")["periods"]
    assert len(periods) == count and periods[0]["crr"] is None
    if count == 2:
        assert (periods[1]["customers_start"], periods[1]["retained"], periods[1]["crr"]) == (1, 1, 100.0)
        assert periods[1]["retention"] == 100.0 and periods[1]["churn"] == 0.0


def test_periods_on_the_first_and_last_instant() -> None:
    assert period_of("month", "2024-02-29T23:59:59Z") == "2024-02"
    assert period_of("month", "2024-03-01T00:00:00Z") == "2024-03"
    assert period_of("quarter", "2024-03-31T23:59:59Z") == "2024-Q1"
    assert period_of("quarter", "2024-04-01T00:00:00Z") == "2024-Q2"
    assert period_range("month", "2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert period_range("quarter", "2023-Q4", "2024-Q1") == ["2023-Q4", "2024-Q1"]


@pytest.mark.parametrize(("data_end", "partial"), [
    ("2024-03-31T23:59:59Z", False),  # the last day: March is whole
    ("2024-03-31T00:00:00Z", False),
    ("2024-03-30T23:59:59Z", True),   # the day before: partial
    ("2024-03-01T00:00:00Z", True),   # the 1st: the data just started March
    ("2024-04-01T00:00:00Z", False),  # another month: March is whole
    (None, False)])
def test_a_period_is_partial_when_the_data_stops_before_its_last_day(data_end: str | None, partial: bool) -> None:
    from feedback_tui.retention import is_partial

    assert is_partial("month", "2024-03", data_end) is partial
    assert is_partial("quarter", "2024-Q1", data_end) is partial
    assert is_partial("month", "2024-02", "2024-02-29T08:00:00Z") is False  # a leap year's last day
    assert is_partial("year", "2024", "2024-12-30T10:00:00Z") is True


def test_a_gap_month_has_no_customers_and_the_next_has_null_rates() -> None:
    from feedback_tui.store.retention import CustomerPeriod

    rows = [CustomerPeriod(None, "2024-01", "a", 1, 10.0), CustomerPeriod(None, "2024-03", "a", 1, 10.0)]
    feb, mar = period_figures(rows, "month")[1:]
    assert (feb["customers_start"], feb["customers"], feb["churn"]) == (1, 0, 100.0)
    assert (mar["customers_start"], mar["crr"], mar["retention"]) == (0, None, None)
    assert window_figures(rows, period_figures(rows, "month"), "month")["customers"] == 1


def test_the_cli_prints_the_json_shape_of_the_issue(run_cli) -> None:
    assert run_cli("import", str(ORDERS), "--kind", "orders").exit_code == 1  # two lines rejected
    result = run_cli("retention", "--by", "month", "--json")
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    keys = {"period", "customers_start", "customers", "new", "retained", "crr", "retention", "churn", "revenue",
            "orders", "aov", "purchase_frequency", "repeat_purchase_rate", "customer_value", "revenue_churn"}
    assert all(keys <= set(p) for p in card["periods"]) and card["window"]["clv"] is None
    assert [p["partial"] for p in card["periods"]] == [False, False, False, True]
    assert card["data_end"] == "2024-04-01T00:00:00Z"
    assert set(card["feedback"]) == {"linked_customers", "min_customers", "groups"}
    text = run_cli("retention", "--by", "quarter", "--segment", "country")
    assert text.exit_code == 0 and "country = France" in text.output and "2024-Q2" in text.output


def test_the_cli_refuses_a_bad_map_in_one_line(run_cli) -> None:
    result = run_cli("import", str(ORDERS), "--kind", "orders", "--map", "customer=Buyer")
    assert result.exit_code == 2
    assert "no column 'Buyer'" in result.output and "Traceback" not in result.output


REAL_FILE = Path("/tmp/realdata/OnlineRetail.csv")


@pytest.mark.skipif(not REAL_FILE.exists(), reason="the real line-item file (REAL_DATA.md 6a) is not fetched")
def test_the_real_line_item_file_matches_an_independent_computation(run_cli, tmp_path: Path) -> None:
    """REAL_DATA.md 6a (OnlineRetail.csv, 30,000 lines, never committed), imported with --map, against
    ``benchmarks/check_retention.py``: plain csv and sets, written from the definitions again.
    Measured: 28,000 lines with a customer, 11,727 invoices, 13 months, 0 differences
    (2011-11: S 985, E 1200, N 285, retained 374, crr 92.89, churn 62.03)."""
    import importlib.util

    result = run_cli("import", str(REAL_FILE), "--kind", "orders", "--map", "order_id=InvoiceNo",
                     "--map", "customer=CustomerID", "--map", "created_at=InvoiceDate")
    assert result.exit_code == 1 and "field 'customer': missing customer" in result.output
    ours = tmp_path / "ours.json"
    ours.write_text(run_cli("retention", "--by", "month", "--json").output, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("check", Path(__file__).parents[2] / "benchmarks/check_retention.py")
    check = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(check)  # type: ignore[union-attr]
    assert check.main([str(REAL_FILE), str(ours)]) == 0


def test_the_report_has_a_retention_section_only_when_orders_exist(run_cli) -> None:
    without = run_cli("report", "--period", "month", "--today", "2024-04-15")
    assert without.exit_code == 0 and "## Retention" not in without.output
    run_cli("import", str(ORDERS), "--kind", "orders")
    report = run_cli("report", "--period", "quarter", "--today", "2024-04-15").output
    assert "## Retention (per quarter)" in report
    assert "| 2024-Q2 (partial) | 4 | 1 | 1 | 0 | 0.00 % | 0.00 % | 100.00 % | 1 | 100.00 |" in report
    assert "2024-Q2: partial, the data ends 2024-04-01" in report
    # four months of orders: no year before the clv's year (2023-Q3 to 2024-Q2), so no lifespan
    assert ("Customer lifetime value: clv — (a yearly churn needs orders before 2023-Q3). Over the window its "
            "5 customers spent 73.00 each.") in report


def test_an_etsy_like_export_with_masked_buyers_counts_no_customer(store: Store, tmp_path: Path) -> None:
    """The shape of REAL_DATA.md 6b (EtsySoldOrders2022_masked.csv): masked or empty buyer ids and
    two-digit years. On the real file (2,828 orders) every line is rejected: 2,519 masked ids, 309 empty."""
    path = tmp_path / "EtsySold.csv"
    path.write_text("Sale Date,Order ID,Buyer User ID,Full Name,Order Total\n"
                    "12/31/22,2744652857,,J******* S****,43.46\n"
                    "12/30/22,2743728263,s*******,R***** D****,24.32\n"
                    "12/30/22,2743728299,s*******,S***** K****,10.00\n", encoding="utf-8")
    result = load(store, path, mapping={"customer": "Buyer User ID", "amount": "Order Total",
                                        "order_id": "Order ID", "created_at": "Sale Date"})
    assert [(r.line, r.field) for r in result.rejects] == [(2, "customer"), (3, "customer"), (4, "customer")]
    assert "masked" in result.rejects[1].reason and result.inserted == 0
    assert retention_card(store, "month")["periods"] == []
    # a real buyer id with the file's two-digit year: the date is refused, not guessed
    path.write_text("Sale Date,Order ID,Buyer User ID,Order Total\n12/31/22,1,buyer-1,10\n", encoding="utf-8")
    result = load(store, path, mapping={"customer": "Buyer User ID", "amount": "Order Total",
                                        "order_id": "Order ID", "created_at": "Sale Date"})
    assert [(r.line, r.field) for r in result.rejects] == [(2, "created_at")]


def test_retention_config_costs_and_lifespan_are_checked(tmp_path: Path) -> None:
    from feedback_tui.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('[retention]\ncosts = { "2024-01" = 30, "2024-Q2" = 12.5, "janvier" = 3, "2024-02" = -1 }\n'
                    "lifespan_years = 0\n", encoding="utf-8")
    path.chmod(0o600)
    config = load_config(path)
    assert config.retention_costs == {"2024-01": 30.0, "2024-Q2": 12.5}
    assert config.lifespan_years is None
    assert sum("[retention]" in w for w in config.warnings) == 3


def test_blank_lines_before_the_header_and_a_record_over_two_lines(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text('\n\norder_id,customer,created_at,amount\n1,a,2024-01-01,5\n"2\nx",b,2024-01-02,6\n3,c,2024-01-03,7\n',
                    encoding="utf-8")
    result = load(store, path)
    assert result.inserted == 2 and [(r.line, r.field) for r in result.rejects] == [(5, None)]
    assert "spans lines 5-6" in result.rejects[0].reason
