"""The customer lifetime value, computed by hand from a tiny two-year shop.

A tester found, on the UCI Online Retail sample, a clv below what the customers had already
spent: the lifespan was a month ÷ the mean *monthly* churn (62-67 % of a month's customers buy
nothing the next month, which is no loss), 0.13 years, and the purchases per year counted the
same gaps again. Now every input is over a year (Y = the 12 months ending with the window's
last period, Y−1 the year before): clv = aov(Y) × purchases per customer of Y × 1 / yearly churn.

The shop (one line per order, amounts as written):

    2023-01-10 A 100   2023-03-05 B 50   2023-06-01 C 40   2023-12-31 23:59:59 D 10
    2024-01-01 00:00:00 A 60   2024-02-01 A −20 (a return)   2024-07-15 A 40
    2024-11-30 B 30   2024-12-31 23:59:59 E 70

- Y = 2024: 4 purchases, revenue 200, customers A, B, E: aov 50, 4/3 purchases per customer.
- Y−1 = 2023: A, B, C, D; C and D bought nothing in 2024: yearly churn 2/4 = 50 %, lifespan 2 years.
- clv = 50 × 4/3 × 2 = 133.33, above the 80 each of the 5 customers spent over both years
  (400 / 5). The old formula: 8 purchases / 5 customers / 2 years = 0.8 a year, monthly churn
  100 % in every month with customers before it: lifespan 1/12 year, clv 50 × 0.8 / 12 = 3.33.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from feedback_tui.importers.base import ImportOptions
from feedback_tui.importers.orders import open_orders
from feedback_tui.retention import retention_card
from feedback_tui.retention_clv import clv_sentence
from feedback_tui.store import Store
from feedback_tui.store.orders import write_orders

SHOP = [
    ("o1", "A", "2023-01-10T10:00:00Z", 100), ("o2", "B", "2023-03-05T10:00:00Z", 50),
    ("o3", "C", "2023-06-01T10:00:00Z", 40), ("o4", "D", "2023-12-31T23:59:59Z", 10),
    ("o5", "A", "2024-01-01T00:00:00Z", 60), ("o6", "A", "2024-02-01T10:00:00Z", -20),
    ("o7", "A", "2024-07-15T10:00:00Z", 40), ("o8", "B", "2024-11-30T10:00:00Z", 30),
    ("o9", "E", "2024-12-31T23:59:59Z", 70),
]


def load(store: Store, tmp_path: Path, rows: list[tuple[str, str, str, float]]) -> None:
    path = tmp_path / "shop.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_id", "customer", "created_at", "amount"])
        writer.writerows(rows)
    parsed = open_orders(str(path), source=None, options=ImportOptions())
    orders, rejects, _ = parsed.read()
    assert not rejects
    write_orders(store, parsed.origin, parsed.format, orders, rejects)


@pytest.mark.parametrize("by", ["month", "quarter", "year"])
def test_clv_by_hand_is_the_same_whatever_the_period(store: Store, tmp_path: Path, by: str) -> None:
    load(store, tmp_path, SHOP)
    window = retention_card(store, by, feedback=False)["window"]
    assert (window["revenue"], window["customers"], window["revenue_per_customer"]) == (400.0, 5, 80.0)
    assert window["clv_year"] == {"month": ["2024-01", "2024-12"], "quarter": ["2024-Q1", "2024-Q4"],
                                  "year": ["2024", "2024"]}[by]
    assert (window["clv_aov"], window["purchases_per_customer_per_year"]) == (50.0, round(4 / 3, 4))
    assert (window["year_customers_start"], window["year_lost"], window["year_churn"]) == (4, 2, 50.0)
    assert (window["lifespan_years"], window["lifespan_from"]) == (2.0, "year_churn")
    assert window["clv"] == round(50 * 4 / 3 * 2, 2) == 133.33
    assert window["clv"] >= window["revenue_per_customer"]  # what they had already spent, at least
    assert clv_sentence(window) == ("clv 133.33 = aov 50.00 × 1.33 purchases per customer in "
                                    + {"month": "2024-01 to 2024-12", "quarter": "2024-Q1 to 2024-Q4",
                                       "year": "2024"}[by]
                                    + " × lifespan 2.00 years (1 / yearly churn 50.00 %: 2 of the year "
                                      "before's 4 customers lost)")


def test_until_the_first_of_a_month_moves_the_year_by_a_month(store: Store, tmp_path: Path) -> None:
    """--until 2025-01-01 (stored: before 2025-01-02T00:00:00Z) includes January 2025 (no purchase): Y = 2024-02..2025-01 leaves out A's
    order of 2024-01-01 00:00:00, which is Y−1's now: 3 purchases, 140, customers A, B, E;
    Y−1 = A, B, C, D, of whom C and D are lost: clv = 140 / 3 × 2 = 93.33."""
    load(store, tmp_path, SHOP)
    window = retention_card(store, "month", until="2025-01-02T00:00:00Z", feedback=False)["window"]
    assert window["clv_year"] == ["2024-02", "2025-01"]
    assert (window["clv_aov"], window["purchases_per_customer_per_year"]) == (round(140 / 3, 2), 1.0)
    assert (window["year_customers_start"], window["year_lost"]) == (4, 2)
    assert window["clv"] == round(140 / 3 * 2, 2) == 93.33
    # and until the last day of 2024 (before 2025-01-01T00:00:00Z), which includes E's order at 23:59:59
    assert retention_card(store, "month", until="2025-01-01T00:00:00Z", feedback=False)["window"]["clv"] == 133.33


def test_churn_of_zero_and_of_one(store: Store, tmp_path: Path) -> None:
    """Nobody lost: 1 / 0 is no lifespan, so no clv (and a note), unless the config gives one.
    Everybody lost: a lifespan of exactly one year, clv = a year's revenue per customer."""
    everyone_back = [("p1", "A", "2023-05-01T00:00:00Z", 10), ("p2", "A", "2024-05-01T00:00:00Z", 30)]
    load(store, tmp_path, everyone_back)
    window = retention_card(store, "month", feedback=False)["window"]
    assert (window["year_churn"], window["clv"]) == (0.0, None)
    assert window["clv_note"] == "no customer lost over a year: the lifespan is unknown"
    assert clv_sentence(window) == "clv — (no customer lost over a year: the lifespan is unknown)"
    fixed = retention_card(store, "month", lifespan_years=3.0, feedback=False)["window"]
    assert (fixed["clv"], fixed["lifespan_from"]) == (90.0, "config")  # 30 × 1 × 3


def test_everyone_lost_gives_one_year(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, [("p1", "A", "2023-05-01T00:00:00Z", 10), ("p2", "B", "2024-05-01T00:00:00Z", 30)])
    window = retention_card(store, "year", feedback=False)["window"]
    assert (window["year_churn"], window["lifespan_years"], window["clv"]) == (100.0, 1.0, 30.0)


@pytest.mark.parametrize("rows", [[], [("p1", "A", "2024-05-01T00:00:00Z", 10)],
                                  [("p1", "A", "2024-05-01T00:00:00Z", 10), ("p2", "A", "2024-06-30T23:59:59Z", 5)]])
def test_less_than_a_year_of_orders_has_no_clv(store: Store, tmp_path: Path, rows: list) -> None:
    """n = 0, 1, 2 orders, all in one year: no year before it, so no yearly churn."""
    if rows:
        load(store, tmp_path, rows)
    window = retention_card(store, "month", feedback=False)["window"]
    assert window["clv"] is None and window["clv_note"]
    assert window["year_churn"] is None


def test_retention_json_and_text_agree(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["order_id", "customer", "created_at", "amount"], *SHOP])
    assert run_cli("import", path, "--kind", "orders").exit_code in (0, 1)
    card = json.loads(run_cli("retention", "--json").stdout)
    assert card["window"]["clv"] == 133.33
    text = run_cli("retention").stdout
    assert "clv 133.33 = aov 50.00 x 1.33 purchases per customer in 2024-01 to 2024-12 x lifespan 2.00 years" in text
    assert "(80.00 per customer)" in text
