"""Every date an export may carry ends up as UTC ``YYYY-MM-DDTHH:MM:SSZ``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from feedback_tui.importers.dates import format_utc, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-14T09:21:00Z", "2026-03-14T09:21:00Z"),
        ("2026-03-14T09:21:00+02:00", "2026-03-14T07:21:00Z"),  # converted to UTC
        ("2026-03-14T23:30:00-05:00", "2026-03-15T04:30:00Z"),  # ... across midnight
        ("2026-03-14T09:21:00", "2026-03-14T09:21:00Z"),  # no zone means UTC
        ("2026-03-14 09:21:00", "2026-03-14T09:21:00Z"),
        ("2026-03-14T09:21:00.987Z", "2026-03-14T09:21:00Z"),
        ("2026-03-14", "2026-03-14T00:00:00Z"),
        ("  2026-03-14T09:21:00Z \n", "2026-03-14T09:21:00Z"),
        ("1782656348", "2026-06-28T14:19:08Z"),  # epoch seconds
        ("1782656348000", "2026-06-28T14:19:08Z"),  # epoch milliseconds
        ("31/03/2026 14:04", "2026-03-31T14:04:00Z"),  # French day-first
        ("01/02/2026", "2026-02-01T00:00:00Z"),  # 1 February, not 2 January
        ("5/2/2026 8:05:09", "2026-02-05T08:05:09Z"),
        ("14.03.2026 09h21", "2026-03-14T09:21:00Z"),
    ],
)
def test_accepted_dates(text: str, expected: str) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["31/02/2026 10:00", "2026-13-01", "yesterday", "not a date", "03/14/2026", "2026-02-30T10:00:00Z", "14/03/26"],
)
def test_rejected_dates_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    message = str(caught.value)
    assert repr(text.strip()) in message and "dd/mm/yyyy" in message


def test_empty_date_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        parse_date("   ")


def test_format_utc_treats_naive_as_utc_and_converts_aware() -> None:
    assert format_utc(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05Z"
    paris_summer = timezone(timedelta(hours=2))
    assert format_utc(datetime(2026, 7, 1, 1, 0, 0, tzinfo=paris_summer)) == "2026-06-30T23:00:00Z"


def test_a_two_digit_year_names_the_order_of_the_file(run_cli, tmp_path) -> None:
    """Etsy's order export writes ``12/31/22``: month first. Its rejects used to say
    "expected ... dd/mm/yyyy", telling the user to write the day first."""
    path = tmp_path / "etsy_orders.csv"
    path.write_text("Sale Date,Order ID,Buyer User ID,Order Total,Currency\n"
                    "12/31/22,1001,b-1,40.90,USD\n01/01/23,1002,b-2,12.00,USD\n01/15/23,1003,b-1,8.50,USD\n",
                    encoding="utf-8")
    result = run_cli("import", "--kind", "orders", path)
    assert result.exit_code != 0 and "Traceback" not in result.output
    rejects = [line for line in result.stderr.splitlines() if "line " in line]
    assert len(rejects) == 3, result.stderr
    assert all("two-digit year" in line and "mm/dd/yyyy (month first)" in line for line in rejects), rejects
    assert "dd/mm/yyyy" not in result.stderr


@pytest.mark.parametrize(("order", "shown"), [("dmy", "dd/mm/yyyy (day first)"), ("mdy", "mm/dd/yyyy (month first)")])
def test_a_two_digit_year_is_never_read_as_a_date(order: str, shown: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date("05/06/23 10:00", order)
    assert "'05/06/23 10:00' has a two-digit year" in str(caught.value) and shown in str(caught.value)


def test_two_digit_years_of_unknown_order_are_named_as_such(run_cli, tmp_path) -> None:
    path = tmp_path / "short_years.csv"
    path.write_text("id,text,rating,date\nr1,Fine,4,01/02/23\nr2,Good,5,03/04/23\n", encoding="utf-8")
    result = run_cli("import", "--no-sentiment", path)
    assert result.exit_code == 2
    assert "column 'date': dates with a two-digit year ('01/02/23' and '03/04/23')" in result.stderr
    assert "--date-order" not in result.stderr  # an order would not make them readable
