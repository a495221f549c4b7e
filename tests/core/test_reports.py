"""`feedback-tui report`: Markdown, CSV and JSON checked field by field.

The hand-made data is test_trends.SURVEY_ROWS + conftest.RESPONSE_ROWS with
"today" = 2026-04-20 (its figures are worked out in test_trends.py); the
demo data is checked against ``score --json`` on the same database.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import REVIEW_HEADER, assert_no_crash, write_csv
from test_trends import SURVEY_HEADER, SURVEY_ROWS

from feedback_tui.margins import margin_figure
from feedback_tui.models import Filters
from feedback_tui.reports import (
    CSV_COLUMNS,
    SPARKS,
    render_csv,
    render_markdown,
    sparkline,
)
from feedback_tui.scoring import scorecard
from feedback_tui.store import Store
from feedback_tui.text import markdown_cell
from feedback_tui.themes import period_themes
from feedback_tui.trends import dashboard, last_periods

SMALL_TODAY = date(2026, 4, 20)
DEMO_TODAY = date(2026, 11, 23)


def as_of(run_cli: Callable[..., Result], day: date) -> Callable[..., Result]:
    """``run_cli`` with ``report`` run as of ``day`` (``--today``): reports are dated."""

    def run(*args: object) -> Result:
        if args and args[0] == "report":
            args = (*args, "--today", day.isoformat())
        return run_cli(*args)

    return run


@pytest.fixture
def small_cli(run_cli: Callable[..., Result], tmp_path: Path, responses_csv: Path) -> Callable[..., Result]:
    surveys = write_csv(tmp_path / "surveys.csv", SURVEY_HEADER, SURVEY_ROWS)
    assert run_cli("import", "--no-sentiment", surveys, responses_csv).exit_code == 0
    return as_of(run_cli, SMALL_TODAY)


@pytest.fixture
def demo_cli(demo_db: Path, run_cli: Callable[..., Result]) -> Callable[..., Result]:
    return as_of(run_cli, DEMO_TODAY)


def ok(result: Result) -> str:
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
    return result.stdout


def table_rows(markdown: str, heading: str) -> list[list[str]]:
    """The cells of the table under ``## heading`` (header and rule left out)."""
    lines = markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0].strip().splitlines()
    rows = [line for line in lines if line.startswith("|")][2:]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows]


# -- Markdown -------------------------------------------------------------------------------------------
def test_markdown_cards_by_hand(small_cli: Callable[..., Result]) -> None:
    text = ok(small_cli("report", "--format", "md"))
    assert text.startswith("# Customer feedback report, per month: 2025-05 to 2026-04\n")
    assert "Scope: all feedback. Generated for 2026-04-20." in text
    assert "## 2026-04 against 2026-03\n" in text
    # April is the window's last period: no "so far" column repeating it
    assert "| Figure | 2026-04 | n | ±95 % | 2026-03 | Change | 12 months ±95 % |" in text
    cards = {row[0]: row for row in table_rows(text, "2026-04 against 2026-03")}
    # --today in April: April's cards (still running, so no "so far"); window: 8 promoters, 24 detractors of 40
    # -> -40.0, Rocks n~ = 43 -> ±23.9; March had 10 answers: no verdict on -80
    # Rocks' interval of April is −78.1 .. −31.0 around −60 (18.1 below, 29.0 above): written as the
    # interval, since "−60.0 ±23.5" would claim −83.5 (tests/core/test_small_n_margins.py)
    assert cards["NPS"] == ["NPS", "-60.0", "30", "[-78.1, -31.0]", "+20.0", "-80.0 (not enough answers)",
                            "-40.0 ±23.9"]
    # CSAT 2 of 4 (Wilson ±35.0) against 3 of 4; the window 5 of 8 = 62.5, Wilson ±27.9
    assert cards["CSAT %"] == ["CSAT %", "50.0 *thin*", "4", "35.0", "75.0", "-25.0 (not enough answers)",
                               "62.5 ±27.9"]
    assert cards["Response rate %"][3] == "[34.2, 100.0]"  # 2 of 2: Wilson 34.2 .. 100, never ±0, nor "±32.9" past 100
    # no answer, no figure: "— *thin*" said a figure from fewer than 30 answers was there
    assert cards["Mean polarity"][1:6] == ["—", "0", "—", "—", "—"]
    assert cards["Median hours to reply"][5] == "-5.0 (no margin)"


def _fmt(value: Any, digits: int = 1, sign: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def test_markdown_trend_table_equals_scorecard(small_cli: Callable[..., Result], db_path: Path) -> None:
    text = ok(small_cli("report"))
    rows = table_rows(text, "Trend")
    periods = last_periods("month", SMALL_TODAY)
    assert [row[0] for row in rows] == [p.label for p in periods]
    with Store.open(db_path, migrate=False) as store:
        for row, period in zip(rows, periods, strict=True):
            card = scorecard(store, period.filters(Filters()))
            assert row == [
                period.label, _fmt(card["nps"]["score"], 1, True),
                margin_figure(card["nps"]["moe95"], 1, value=card["nps"]["score"], interval=card["nps"]["ci95"]),
                str(card["nps"]["n"]),
                _fmt(card["csat"]["score"]), _fmt(card["ces"]["mean"], 2), _fmt(card["ratings"]["mean"], 2),
                _fmt(card["sentiment"]["mean_polarity"], 2),
                str(card["responses"]["reviews"]), _fmt(card["responses"]["rate"]),
                _fmt(card["responses"]["median_hours_to_reply"]), _fmt(card["responses"]["within_sla_rate"]),
                _fmt(card["responses"]["overdue"], 0),
            ], period.label
    # by hand, the two months with data (stars, SLA share and overdue left out here)
    def by_hand(row: list[str]) -> list[str]:
        return row[:6] + row[7:11]
    assert by_hand(rows[-2]) == ["2026-03", "+20.0", "45.7", "10", "75.0", "7.00", "—", "3", "66.7", "13.0"]
    assert by_hand(rows[-1]) == ["2026-04", "-60.0", "[-78.1, -31.0]", "30", "50.0", "4.00", "—", "2", "100.0", "8.0"]
    assert rows[0] == ["2025-05", "—", "—", "0", "—", "—", "—", "—", "0", "—", "—", "—", "0"]  # empty: no figure, 0 overdue


def test_markdown_sparklines_one_per_metric(small_cli: Callable[..., Result]) -> None:
    text = ok(small_cli("report"))
    block = text.split("## Sparklines\n\n```\n", 1)[1].split("\n```", 1)[0].splitlines()
    assert len(block) == 7
    by_title = {line[:22].strip(): line[23:] for line in block}
    assert set(by_title) == {"NPS", "CSAT %", "CES mean (1-7)", "Mean polarity", "Stars mean (1-5)",
                             "Response rate %", "Median hours to reply"}
    # ten empty months, then the highest, then the lowest
    assert by_title["NPS"] == " " * 10 + "█▁  20.0 → -60.0"
    assert by_title["CSAT %"] == " " * 10 + "█▁  75.0 → 50.0"
    assert by_title["CES mean (1-7)"] == " " * 10 + "█▁  7.00 → 4.00"
    assert by_title["Response rate %"] == " " * 10 + "▁█  66.7 → 100.0"
    assert by_title["Median hours to reply"] == " " * 10 + "█▁  13.0 → 8.0"
    assert by_title["Mean polarity"] == " " * 12 + "  no data"


def test_markdown_reply_effect_and_sources(small_cli: Callable[..., Result]) -> None:
    text = ok(small_cli("report"))
    assert "No review was edited by its author after a reply in this window." in text
    sources = table_rows(text, "By source")
    assert [row[0] for row in sources] == ["app_store", "email", "trustpilot"]
    email = sources[1]
    assert email[1:4] == ["-40.0", "40", "62.5"]  # (8 − 24) / 40; 5 of 8 satisfied
    assert sources[0][1:3] == ["—", "0"]
    assert sources[0][6:] == ["2", "100.0"] and sources[2][6:] == ["3", "66.7"]


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([None, None]) == "  "
    assert sparkline([3.0, 3.0]) == "▁▁"
    assert sparkline([0, 7]) == "▁█"
    assert sparkline([None, 0, 1, 2, 3, 4, 5, 6, 7]) == " " + SPARKS
    assert sparkline([-60.0, None, 20.0]) == "▁ █"


# -- JSON and CSV equal `score --json` -------------------------------------------------------------------------
def test_json_equals_score_json_by_month(demo_cli: Callable[..., Result]) -> None:
    report = json.loads(ok(demo_cli("report", "--format", "json")))
    score = json.loads(ok(demo_cli("score", "--json", "--by", "month", "--since", "2025-12-01")))
    assert report == score
    assert [p["period"] for p in report["periods"]] == [p.label for p in last_periods("month", DEMO_TODAY)]


def test_json_since_and_source(demo_cli: Callable[..., Result]) -> None:
    report = json.loads(ok(demo_cli("report", "--format", "json", "--since", "2026-03-15", "--source", "google_play")))
    score = json.loads(ok(demo_cli("score", "--json", "--by", "month", "--since", "2026-03-01",
                                   "--source", "google_play")))
    assert report == score
    assert [p["period"] for p in report["periods"]] == [f"2026-{m:02d}" for m in range(3, 12)]


def test_json_per_week_and_quarter(demo_cli: Callable[..., Result]) -> None:
    weeks = json.loads(ok(demo_cli("report", "--format", "json", "--period", "week")))
    first = last_periods("week", DEMO_TODAY)[0]
    assert first.label == "2026-09-07"
    scored = json.loads(ok(demo_cli("score", "--json", "--by", "week", "--since", first.label)))
    labels = [p.label for p in last_periods("week", DEMO_TODAY)]
    # every period of the window, the empty one too (with nulls), as in the Markdown report
    assert [p["period"] for p in weeks["periods"]] == labels
    assert [p for p in weeks["periods"] if p["period"] != "2026-11-23"] == scored["periods"]
    empty = next(p for p in weeks["periods"] if p["period"] == "2026-11-23")
    assert empty["nps"]["score"] is None and empty["ratings"]["mean"] is None
    quarters = json.loads(ok(demo_cli("report", "--format", "json", "--period", "quarter", "--since", "2026-01-01")))
    assert [p["period"] for p in quarters["periods"]] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert quarters["periods"] == json.loads(ok(demo_cli("score", "--json", "--by", "quarter", "--since",
                                                         "2026-01-01")))["periods"]


def test_json_uses_the_configured_sla(demo_cli: Callable[..., Result], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("sla_hours = 48\n", encoding="utf-8")
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(config))
    report = json.loads(ok(demo_cli("report", "--format", "json")))
    assert report["responses"]["sla_hours"] == 48.0
    assert report == json.loads(ok(demo_cli("score", "--json", "--by", "month", "--since", "2025-12-01")))


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def test_csv_rows_equal_score_json_field_by_field(demo_cli: Callable[..., Result]) -> None:
    rows = list(csv.reader(io.StringIO(ok(demo_cli("report", "--format", "csv")))))
    score = json.loads(ok(demo_cli("score", "--json", "--by", "month", "--since", "2025-12-01")))
    assert rows[0] == [name for name, _ in CSV_COLUMNS]
    assert rows[0][:4] == ["period", "nps", "nps_moe95", "nps_n"]
    assert len(rows) == 1 + 12 == 1 + len(score["periods"])
    for row, point in zip(rows[1:], score["periods"], strict=True):
        record = dict(zip(rows[0], row, strict=True))
        assert record["period"] == point["period"]
        assert record["nps"] == _cell(point["nps"]["score"]) and record["nps_n"] == str(point["nps"]["n"])
        assert record["detractors"] == str(point["nps"]["detractors"])
        assert record["csat"] == _cell(point["csat"]["score"]) and record["ces_mean"] == _cell(point["ces"]["mean"])
        assert record["mean_polarity"] == _cell(point["sentiment"]["mean_polarity"])
        assert record["reviews"] == str(point["responses"]["reviews"])
        assert record["response_rate"] == _cell(point["responses"]["rate"])
        for name, path in CSV_COLUMNS[1:]:
            value = point
            for key in path:
                value = value[key]
            assert record[name] == _cell(value), (point["period"], name)


def test_csv_of_an_empty_period_is_blank_not_zero(small_cli: Callable[..., Result]) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(small_cli("report", "--format", "csv")))))
    # the same twelve months as the Markdown report, empty ones with blank cells
    assert [row["period"] for row in rows][-2:] == ["2026-03", "2026-04"] and len(rows) == 12
    assert rows[0]["nps"] == "" and rows[0]["reviews"] == "0"
    april = rows[-1]
    assert (april["nps"], april["nps_moe95"], april["detractors"], april["mean_polarity"]) == ("-60.0", "23.5", "21", "")
    assert render_csv({"periods": []}).splitlines() == [",".join(name for name, _ in CSV_COLUMNS)]


# -- options ------------------------------------------------------------------------------------------
def test_since_gives_the_right_number_of_periods(demo_cli: Callable[..., Result]) -> None:
    text = ok(demo_cli("report", "--since", "2026-06-10"))
    assert text.startswith("# Customer feedback report, per month: 2026-06 to 2026-11\n")
    assert len(table_rows(text, "Trend")) == 6
    weeks = ok(demo_cli("report", "--period", "week", "--since", "2026-10-28"))  # a Wednesday
    assert [row[0] for row in table_rows(weeks, "Trend")] == ["2026-10-26", "2026-11-02", "2026-11-09",
                                                              "2026-11-16", "2026-11-23"]
    default = ok(demo_cli("report", "--period", "quarter"))
    assert len(table_rows(default, "Trend")) == 12


def test_output_file(demo_cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    result = demo_cli("report", "-o", target)
    assert ok(result) == ""
    assert f"Report written to {target}" in result.stderr
    assert target.read_text(encoding="utf-8") == ok(demo_cli("report"))
    json_target = tmp_path / "report.json"
    ok(demo_cli("report", "--format", "json", "--output", json_target))
    assert json.loads(json_target.read_text(encoding="utf-8")) == json.loads(ok(demo_cli("report", "--format", "json")))


def test_bad_options_are_one_line(demo_cli: Callable[..., Result], tmp_path: Path) -> None:
    result = demo_cli("report", "--since", "not a date")
    assert_no_crash(result)
    assert result.exit_code == 2 and "--since" in result.stderr
    result = demo_cli("report", "-o", tmp_path / "missing-dir" / "report.md")
    assert_no_crash(result)
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert demo_cli("report", "--format", "pdf").exit_code == 2


def test_demo_markdown_is_readable(demo_cli: Callable[..., Result], demo_db: Path) -> None:
    """The acceptance: a readable report without the TUI, with the demo's figures."""
    text = ok(demo_cli("report", "--format", "md"))
    with Store.open(demo_db, migrate=False) as store:
        figures = dashboard(store, period="month", today=DEMO_TODAY, selected=-1)
        figures["themes"] = period_themes(store, figures, Filters())
    assert text == render_markdown(figures)
    assert "## What negative reviews talk about, 2026-11" in text
    nps = figures["cards"]["nps"]
    cards = {row[0]: row for row in table_rows(text, "2026-11 against 2026-10")}
    assert cards["NPS"] == [
        "NPS", f"{nps['value']:+.1f} *thin*", str(nps["n"]),
        margin_figure(nps["margin"], 1, value=nps["value"], interval=nps["interval"]), f"{nps['previous']:+.1f}",
        f"{nps['change']['delta']:+.1f} (not enough answers)",
        f"{nps['window']['value']:+.1f} ±{nps['window']['margin']:.1f}"]
    assert len(table_rows(text, "Trend")) == 12
    assert "10 reviews were edited by their author after a reply" in text
    assert "\x1b" not in text


# -- untrusted names ------------------------------------------------------------------------------------
def test_markdown_escapes_pipes_and_control_characters(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    evil = "evil|shop\x1b]0;pwned\x07"
    rows = [["x1", evil, 5, "t", "Great food.", "Ann", "2026-04-02T10:00:00Z", "en", "", ""],
            ["x2", "plain", 1, "t", "Bad food.", "Bob", "2026-04-03T10:00:00Z", "en", "", ""]]
    assert run_cli("import", "--no-sentiment", write_csv(tmp_path / "evil.csv", REVIEW_HEADER, rows)).exit_code == 0
    run_cli = as_of(run_cli, SMALL_TODAY)
    text = ok(run_cli("report"))
    assert "\x1b" not in text and "\x07" not in text
    sources = table_rows(text, "By source")
    names = [row[0] for row in sources]
    assert len(names) == 2 and "plain" in names
    name = next(n for n in names if n != "plain")
    assert "\\|" in name and "␛" in name
    assert all(len(row) == 8 for row in sources)  # the pipe did not add a column
    scoped = ok(run_cli("report", "--source", evil))
    assert "\x1b" not in scoped
    scope_line = next(line for line in scoped.splitlines() if line.startswith("Scope:"))
    assert "evil\\|shop␛" in scope_line
    assert table_rows(scoped, "Trend")[-1][8] == "1"  # only the evil source's review


def test_today_must_be_a_date(run_cli: Callable[..., Result]) -> None:
    result = run_cli("report", "--today", "last tuesday")
    assert_no_crash(result)
    assert result.exit_code == 2 and result.stderr.startswith("Error: --today: unreadable date 'last tuesday' (expected ISO 8601")
    assert len(result.stderr.splitlines()) == 1  # one Error: line, like every other bad option


def test_today_reads_the_date_forms_since_reads(small_cli: Callable[..., Result], run_cli: Callable[..., Result]) -> None:
    assert ok(run_cli("report", "--today", "20/04/2026")) == ok(small_cli("report")) != ""


def test_without_today_the_report_ends_with_the_last_complete_period(demo_db: Path,
                                                                    run_cli: Callable[..., Result]) -> None:
    text = ok(run_cli("report", "--period", "quarter"))
    now = datetime.now(UTC).date()
    year, quarter = (now.year, (now.month - 1) // 3) if now.month > 3 else (now.year - 1, 4)
    assert text.splitlines()[0].endswith(f" to {year}-Q{quarter}")


@pytest.mark.parametrize("name", [
    "[win a prize](https://evil.example)", "![x](https://evil.example/p.png)", "<img src=x onerror=alert(1)>",
    "<https://evil.example>", "*bold* _it_ `code` ~~gone~~", "&lt;b&gt; &amp;", "# Heading", "back\\slash|pipe",
    "visit https://evil.example/x now", "www.evil.example", "evil.example/win", "mail me: a@b.example",
    "@everyone @here", "$$x^2$$ and $y$", "fr.panier.app", "HTTP://EVIL.EXAMPLE",
])
def test_markdown_cells_render_as_the_literal_text(name: str) -> None:
    """Rendered by a CommonMark parser (markdown-it, which rich ships), a cell is the
    text itself: no link, image, HTML, emphasis or entity comes out of a source name."""
    from html import unescape

    from markdown_it import MarkdownIt

    for preset in ("commonmark", "gfm-like"):  # gfm-like: GitHub's autolinks of bare URLs and domains (linkify)
        html = MarkdownIt(preset).render(f"scope: {markdown_cell(name)}")
        assert not any(tag in html for tag in ("<a ", "<img", "<em>", "<strong>", "<code>", "<h1>", "<del>")), preset
        assert unescape(html.removeprefix("<p>").removesuffix("</p>\n")) == f"scope: {name}", preset
    assert markdown_cell("@everyone") == "\\@everyone" and markdown_cell("$$x$$") == "\\$\\$x\\$\\$"
