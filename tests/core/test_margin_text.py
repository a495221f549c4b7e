"""A margin that rounds to nothing reads ±<0.1 in every text rendering, and stays a number in JSON,
CSV and the score command's pipe table.

A real Trustpilot scrape (3a: 17,516 reviews, none answered) gave "0.0 % ±0.0" in `report` and an
NPS of 10,000 promoters "+100.0 ±0.0" in `score`, as if exact; the dashboard already said ±<0.1.
One helper (:func:`feedback_tui.margins.margin_text`) writes them all now. Each CLI case runs the
real command on a real SQLite file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REVIEW_HEADER, assert_no_crash, write_csv
from feedback_tui import margins
from feedback_tui.cli import cli

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize(("name", "margin", "text"), [
    ("response_rate", 0.0, "±<0.1"), ("response_rate", 0.04, "±<0.1"), ("response_rate", 0.05, "±0.1"),
    ("nps", 23.456, "±23.5"), ("ratings", 0.004, "±<0.01"), ("ratings", 0.04, "±0.04"),
    ("ces", 0.004, "±<0.01"), ("sentiment", 0.123, "±0.12"), ("csat", 0.0, "±<0.1"),
])
def test_a_margin_that_rounds_away_reads_less_than_its_last_decimal(name: str, margin: float, text: str) -> None:
    assert margins.margin_text(name, margin) == text
    assert margins.margin_figure(margin, margins.figure_digits(name)) == text[1:]
    assert margins.margin_figure(None) == "—"


def test_the_dashboard_writes_its_margins_with_the_core_helper() -> None:
    """No second copy of the rule: the card, the charts and the dashboard's titles use this one."""
    from feedback_tui.tui.widgets import score_card

    assert score_card.margin_text is margins.margin_text  # type: ignore[attr-defined]
    assert score_card.format_value("ces", 4.254) == "4.25" and score_card.format_value("nps", 0.0) == "+0.0"


@pytest.fixture
def unanswered_db(run_cli, tmp_path: Path) -> None:
    """4,000 reviews of November 2026, none answered: 0.0 % ±0.05 (Wilson), rounded to 0.0."""
    rows = [[f"r{i}", "trustpilot", 5 if i % 3 else 1, "", f"Avis numéro {i}, livraison correcte.", f"Client {i}",
             f"2026-11-{1 + i % 20:02d}T10:00:00Z", "fr", "", ""] for i in range(4000)]
    assert run_cli("import", "--no-sentiment", write_csv(tmp_path / "many.csv", REVIEW_HEADER, rows)).exit_code == 0


def test_report_markdown_says_less_than_a_tenth_never_zero(run_cli, unanswered_db: None) -> None:
    result = run_cli("report", "--today", "2026-11-23")
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("| Response rate %"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1:4] == ["0.0", "4000", "<0.1"], row  # the ±95 % column
    assert cells[-1] == "0.0 ±<0.1", row  # the window's total
    assert "±0.0 " not in result.stdout and "| 0.0 |" not in row.split("4000")[1]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_report_json_and_csv_keep_the_numbers(run_cli, unanswered_db: None, fmt: str) -> None:
    result = run_cli("report", "--today", "2026-11-23", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "<0." not in result.stdout
    if fmt == "json":
        card = json.loads(result.stdout)
        assert card["responses"]["rate"] == 0.0 and card["responses"]["reviews"] == 4000
        assert all(isinstance(p["ratings"]["moe95"], float) for p in card["periods"] if p["ratings"]["n"])
    else:
        november = next(row for row in csv.DictReader(io.StringIO(result.stdout)) if row["period"] == "2026-11")
        assert (november["response_rate"], november["reviews"]) == ("0.0", "4000")
        float(november["ratings_moe95"])  # a number, as written


def test_score_table_on_a_terminal_says_less_than_a_tenth_and_its_pipe_keeps_the_number(
        db_path: Path, tmp_path: Path) -> None:
    """10,000 promoters: Rocks' NPS margin is 416 / (n + 3) = 0.04 points."""
    rows = [[f"s{i}", "nps", 10, "", f"2026-10-{1 + i % 28:02d}T10:00:00Z"] for i in range(10_000)]
    surveys = write_csv(tmp_path / "nps.csv", ["id", "kind", "score", "comment", "created_at"], rows)
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db_path), "import", "--no-sentiment", "--kind", "surveys",
                               str(surveys)]).exit_code == 0
    terminal = runner.invoke(cli, ["--db", str(db_path), "score"], env={"FORCE_COLOR": "1", "COLUMNS": "200"})
    assert_no_crash(terminal)
    assert terminal.exit_code == 0, terminal.output
    table = ANSI.sub("", terminal.stdout)
    assert "+100.0 ±<0.1 n=10000" in table and "±0.0" not in table, table
    piped = runner.invoke(cli, ["--db", str(db_path), "score"])
    overall = dict(zip(*[line.split("\t") for line in piped.stdout.splitlines()[:2]], strict=True))
    assert (overall["nps"], overall["nps_moe95"]) == ("100.0", "0.0")


@pytest.mark.parametrize("columns", ["80", "100"])
def test_score_table_never_splits_a_number_on_a_narrow_terminal(db_path: Path, tmp_path: Path, columns: str) -> None:
    """On the real workspace (13,612 NPS answers, 28,104/0/6,752 sentiments) an 80-column
    terminal showed "(n=1361" over "2)" and a 100-column one "28104/0/67" over "52": the
    table folded numbers to fit its columns."""
    rows = [[f"s{i}", "nps", 10, "", f"2026-10-{1 + i % 28:02d}T10:00:00Z"] for i in range(10_000)]
    surveys = write_csv(tmp_path / "nps.csv", ["id", "kind", "score", "comment", "created_at"], rows)
    reviews = write_csv(tmp_path / "reviews.csv", REVIEW_HEADER, [
        [f"r{i}", "trustpilot", 5 if i % 3 else 1, "", "Super boutique, livraison rapide" if i % 3 else "Colis perdu, nul",
         "Ann", f"2026-10-{1 + i % 28:02d}T10:00:00Z", "fr", "", ""] for i in range(1200)])
    runner = CliRunner()
    for path, kind in ((surveys, "surveys"), (reviews, "reviews")):
        assert runner.invoke(cli, ["--db", str(db_path), "import", "--kind", kind, str(path)]).exit_code == 0
    card = json.loads(runner.invoke(cli, ["--db", str(db_path), "score", "--json"]).stdout)
    terminal = runner.invoke(cli, ["--db", str(db_path), "score"], env={"FORCE_COLOR": "1", "COLUMNS": columns})
    assert_no_crash(terminal)
    table = ANSI.sub("", terminal.stdout)
    sentiment = card["sentiment"]
    for whole in (f"n={card['nps']['n']}", f"n={card['ratings']['n']}", str(sentiment["positive"]),
                  str(sentiment["negative"]), "Median"):
        assert whole in table, (whole, table)
    assert max(len(line) for line in table.splitlines()) <= int(columns), table
