"""Orders outside the window: `report` and `retention` say which window they used and where the
orders are, instead of a table of zeros or "no purchases stored".

On the UCI sample (REAL_DATA.md 6a, orders of 2010-12-01 to 2011-12-09), `report` run in 2026
printed twelve months of zeros under "Retention" and no hint, while it names `--today` for reviews
outside the window. The fixture is our own invoice export (2024-01-01 to 2024-04-03, the last
order kept is of 2024-04-01); each case runs the real CLI on a real SQLite file.
"""

from __future__ import annotations

import pytest

from conftest import FIXTURES, assert_no_crash

NOTE = ("Note: no orders between 2025-12-01 and 2026-11-30; the orders run from 2024-01-01 to 2024-04-01 "
        "(report --today 2024-04-01 reports the periods up to their end).")


@pytest.fixture
def orders(run_cli) -> None:
    assert run_cli("import", FIXTURES / "orders_lines.csv", "--kind", "orders").exit_code in (0, 1)


def test_report_after_the_orders_names_its_window_and_where_they_are(run_cli, orders: None) -> None:
    result = run_cli("report", "--today", "2026-11-23")
    assert_no_crash(result)
    assert result.exit_code == 0
    assert NOTE in result.stderr.splitlines()
    section = result.stdout.split("## Retention (per month)\n", 1)[1]
    assert section.strip().splitlines() == [
        "No orders between 2025-12-01 and 2026-11-30; the stored orders run from 2024-01-01 to 2024-04-01."]


def test_report_before_the_orders_says_so_too(run_cli, orders: None) -> None:
    result = run_cli("report", "--period", "quarter", "--today", "2021-05-10")
    assert result.exit_code == 0
    assert ("Note: no orders between 2018-07-01 and 2021-06-30; the orders run from 2024-01-01 to 2024-04-01 "
            "(report --today 2024-04-01") in result.stderr


def test_the_hinted_today_reports_the_orders_without_a_note(run_cli, orders: None) -> None:
    result = run_cli("report", "--today", "2024-04-01")
    assert result.exit_code == 0
    assert "no orders" not in result.stderr and "No orders" not in result.stdout
    assert "| 2024-03 | 2 | 2 | 0 | 1 |" in result.stdout


def test_report_without_orders_says_nothing_of_retention(run_cli) -> None:
    result = run_cli("report", "--today", "2026-11-23")
    assert result.exit_code == 0
    assert "orders" not in result.stderr and "## Retention" not in result.stdout


@pytest.mark.parametrize(("args", "line"), [
    (("--since", "2030-01-01"), "No orders from 2030-01-01 on; the orders run from 2024-01-01 to 2024-04-01."),
    (("--until", "2020-06-30"), "No orders up to 2020-06-30; the orders run from 2024-01-01 to 2024-04-01."),
    (("--since", "2025-01-01", "--until", "2025-12-31"),
     "No orders between 2025-01-01 and 2025-12-31; the orders run from 2024-01-01 to 2024-04-01."),
])
def test_retention_outside_the_orders_does_not_say_none_is_stored(run_cli, orders: None, args: tuple[str, ...],
                                                                  line: str) -> None:
    result = run_cli("retention", *args)
    assert_no_crash(result)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [line]


def test_retention_without_orders_says_how_to_import_them(run_cli) -> None:
    result = run_cli("retention", "--since", "2030-01-01")
    assert result.stdout.startswith("No purchases stored: import orders")
