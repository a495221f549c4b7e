"""Rows whose file gave no date (m025): dated by their import, and the store says so.

Real SQLite files and the real CLI: the summary, the stored dates across
re-imports, the side tables, and the figures' count of undated rows.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from conftest import import_file, write_csv
from feedback_tui.cli import cli
from feedback_tui.models import Filters
from feedback_tui.store import Store, undated


def rows(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def test_undated_rows_are_noted_and_a_reimport_keeps_their_date(run_cli, db_path: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "shop.csv", ["id", "rating", "body", "date"], [
        ["a1", 5, "Great shop", ""], ["a2", 1, "Never again", "2026-11-02"], ["a3", 4, "Fine", ""]])
    first = run_cli("import", "--no-sentiment", path)
    assert first.exit_code == 0, first.output
    assert "2 rows had no date: dated by this import (" in first.stdout
    stored = rows(db_path, "SELECT external_id, created_at FROM reviews ORDER BY external_id")
    assert rows(db_path, "SELECT r.external_id FROM undated_reviews u JOIN reviews r ON r.id = u.review_id "
                         "ORDER BY 1") == [("a1",), ("a3",)]
    again = run_cli("import", "--no-sentiment", path)
    assert again.exit_code == 0 and "0 new, 0 updated, 3 unchanged" in again.stdout, again.output
    assert "2 rows had no date and were already stored: their date is kept" in again.stdout
    assert rows(db_path, "SELECT external_id, created_at FROM reviews ORDER BY external_id") == stored
    assert rows(db_path, "SELECT count(*) FROM undated_reviews") == [(2,)]


def test_derived_ids_of_undated_rows_never_hold_the_import_time(store: Store, tmp_path: Path) -> None:
    """No id column and no date (3a's Trustpilot scrapes): the id comes from the fields the
    file gave, so importing the file on another day finds the same rows."""
    from feedback_tui.importers import open_input
    from feedback_tui.store.imports import import_rows

    path = write_csv(tmp_path / "scrape.csv", ["consumer_name", "stars", "title_review", "content_review"], [
        ["Helrat", 5, "Toujours parfait", "Un service impeccable."], ["Laura", 2, "Lent", "Colis en retard."]])
    for day in ("2026-11-01T08:00:00Z", "2026-12-03T09:00:00Z"):
        parsed = open_input(path, imported_at=day)
        result = import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows)
    assert (result.inserted, result.unchanged, result.undated, result.undated_kept) == (0, 2, 0, 2)
    assert store.query("SELECT DISTINCT created_at FROM reviews")[0][0] == "2026-11-01T08:00:00Z"
    assert store.scalar("SELECT count(*) FROM reviews") == 2


def test_a_later_file_with_the_date_dates_the_row(store: Store, tmp_path: Path) -> None:
    undated_file = write_csv(tmp_path / "a.csv", ["id", "rating", "body"], [["x1", 3, "Okay"], ["x2", 4, "Good"]])
    dated_file = write_csv(tmp_path / "b.csv", ["id", "rating", "body", "date"], [["x1", 3, "Okay", "2025-05-04"]])
    import_file(store, undated_file)
    assert store.scalar("SELECT count(*) FROM undated_reviews") == 2
    import_file(store, dated_file, source="a")  # the same source as the first file (named after it)
    assert store.scalar("SELECT created_at FROM reviews WHERE external_id = 'x1'") == "2025-05-04T00:00:00Z"
    ids = [r[0] for r in store.query("SELECT r.external_id FROM undated_reviews u JOIN reviews r ON r.id = u.review_id")]
    assert ids == ["x2"]
    # a dated row given again without its date keeps both its date and its datedness
    import_file(store, undated_file)
    assert store.scalar("SELECT created_at FROM reviews WHERE external_id = 'x1'") == "2025-05-04T00:00:00Z"
    assert store.scalar("SELECT count(*) FROM undated_reviews") == 1


def test_a_deleted_row_takes_its_note_with_it(store: Store, tmp_path: Path) -> None:
    import_file(store, write_csv(tmp_path / "a.csv", ["id", "rating", "body"], [["x1", 3, "Okay"]]))
    with store.write() as conn:
        conn.execute("DELETE FROM reviews")
    assert store.scalar("SELECT count(*) FROM undated_reviews") == 0


def test_a_bulk_load_notes_them_too(store: Store, tmp_path: Path) -> None:
    from feedback_tui.importers import open_input
    from feedback_tui.store.imports import import_rows

    path = write_csv(tmp_path / "big.csv", ["id", "rating", "body", "date"],
                     [[f"b{i}", 1 + i % 5, f"text {i}", "" if i % 3 == 0 else "2026-10-05"] for i in range(30)])
    parsed = open_input(path, imported_at="2026-12-01T00:00:00Z")
    result = import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows, bulk=True, batch_size=7)
    assert (result.inserted, result.undated) == (30, 10)
    assert store.scalar("SELECT count(*) FROM undated_reviews u JOIN reviews r ON r.id = u.review_id "
                        "WHERE r.created_at = '2026-12-01T00:00:00Z'") == 10


def test_undated_survey_answers_and_the_score_command(run_cli, db_path: Path, tmp_path: Path) -> None:
    """5b's NPS answers have no date at all: every one is noted; ``score`` says how many of its
    figures are undated, on stderr (piped, stdout stays the table)."""
    surveys = write_csv(tmp_path / "nps.csv", ["id", "nps", "explication"],
                        [[1, 10, "Parfait"], [2, 3, "Trop d'attente en caisse"], [3, 8, ""]])
    reviews = write_csv(tmp_path / "rev.csv", ["id", "rating", "body", "date"],
                        [["r1", 5, "Bien", "2026-10-03"], ["r2", 2, "Bof", ""]])
    imported = run_cli("import", "--no-sentiment", "--kind", "surveys", "--survey-kind", "nps", surveys)
    assert imported.exit_code == 0 and "3 rows had no date: dated by this import" in imported.stdout, imported.output
    assert run_cli("import", "--no-sentiment", reviews).exit_code == 0
    assert rows(db_path, "SELECT count(*) FROM undated_surveys") == [(3,)]
    card = json.loads(run_cli("score", "--json", "--by", "month").stdout)
    assert card["undated"] == {"reviews": 1, "surveys": 3}
    by_period = {p["period"]: p.get("undated") for p in card["periods"]}
    assert by_period["2026-10"] == {"reviews": 0, "surveys": 0}
    assert sum(p["undated"]["surveys"] for p in card["periods"]) == 3
    text = run_cli("score")
    assert "Undated: 1 review and 3 survey answers have no date in their file: dated by their import" in text.stderr
    assert "Undated" not in text.stdout
    assert "Undated" not in run_cli("score", "--since", "2026-10-01", "--until", "2026-11-01").stderr


def test_counts_follow_the_filters(store: Store, tmp_path: Path) -> None:
    import_file(store, write_csv(tmp_path / "a.csv", ["id", "rating", "body", "source", "date"], [
        ["x1", 3, "Okay", "trustpilot", ""], ["x2", 4, "Good", "app_store", ""], ["x3", 4, "Good", "app_store", "2026-01-02"]]))
    assert undated.count(store) == {"reviews": 2, "surveys": 0}
    assert undated.count(store, Filters(source="app_store")) == {"reviews": 1, "surveys": 0}
    with store.write() as conn:  # spam is out of the figures: out of their undated count too
        conn.execute("UPDATE reviews SET status = 'spam' WHERE external_id = 'x1'")
    assert undated.count(store) == {"reviews": 1, "surveys": 0}
    assert undated.by_group(store, Filters(), "month") == {"2026-12": {"reviews": 1, "surveys": 0}}


def test_the_report_has_a_section_on_them(run_cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "shop.csv", ["id", "rating", "body", "date"],
                     [["a1", 5, "Great shop", ""], ["a2", 1, "Never again", "2026-11-02"]])
    assert run_cli("import", "--no-sentiment", path).exit_code == 0
    today = run_cli("score", "--json").stdout  # the import's day: the period the undated row is counted in
    assert json.loads(today)["undated"] == {"reviews": 1, "surveys": 0}
    from datetime import UTC, datetime

    day = datetime.now(UTC).date().isoformat()
    report = run_cli("report", "--today", day)
    assert report.exit_code == 0, report.output
    assert "## Rows without a date" in report.stdout
    assert f"- {day[:7]}: 1 review has no date in its file: dated by its import" in report.stdout
    card = json.loads(run_cli("report", "--today", day, "--format", "json").stdout)
    assert card["undated"] == {"reviews": 1, "surveys": 0} and card["periods"][-1]["undated"]["reviews"] == 1
    assert "Rows without a date" not in run_cli("report", "--today", "2026-11-15").stdout


def _steps(store: Store, call) -> int:  # type: ignore[no-untyped-def]
    """SQLite virtual-machine steps (in hundreds) that ``call`` takes on ``store``'s connection."""
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        return 0

    store.conn.set_progress_handler(tick, 100)
    try:
        call()
    finally:
        store.conn.set_progress_handler(None, 100)
    return ticks[0]


def test_the_counts_read_the_undated_rows_not_the_window(store: Store, tmp_path: Path) -> None:
    """The counts go from the side table to the rows: with plain JOIN SQLite walked every
    review of the window by date and probed the side table (1 s at 1M reviews, none undated)."""
    window = Filters(since="2026-01-01T00:00:00Z", until="2027-01-01T00:00:00Z")
    steps = []
    for n in (100, 3000):
        rows_ = [[f"d{n}-{i}", 1 + i % 5, f"review {i}", f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"] for i in range(n)]
        rows_.append([f"u{n}", 3, "no date here", ""])
        import_file(store, write_csv(tmp_path / f"shop{n}.csv", ["id", "rating", "body", "date"], rows_))
        steps.append(_steps(store, lambda: (undated.count(store, window), undated.count(store),
                                            undated.by_group(store, Filters(), "month"))))
    assert undated.count(store) == {"reviews": 2, "surveys": 0}
    assert steps[1] <= steps[0] + 1, steps  # 3,100 more dated reviews: no more work


def test_an_export_keeps_the_flag_and_a_reimport_elsewhere_keeps_it(run_cli, db_path: Path, tmp_path: Path) -> None:
    """An undated row's ``created_at`` is its import day: exported without a word, a re-import into
    another database read it as the customer's date, a silently wrong date."""
    path = write_csv(tmp_path / "shop.csv", ["id", "rating", "body", "date"], [
        ["a1", 5, "Great shop", ""], ["a2", 1, "Never again", "2026-11-02"]])
    survey = write_csv(tmp_path / "nps.csv", ["id", "kind", "score", "date"], [
        ["s1", "nps", 9, ""], ["s2", "nps", 3, "2026-11-05"]])
    for file in (path, survey):
        assert run_cli("import", "--no-sentiment", file).exit_code == 0
    exported = tmp_path / "export.csv"
    assert run_cli("export", "--format", "csv", "-o", exported).exit_code == 0
    with exported.open(encoding="utf-8", newline="") as handle:
        flags = {row["external_id"]: row["undated"] for row in csv.DictReader(handle)}
    assert flags == {"a1": "true", "a2": "false"}
    as_json = json.loads(run_cli("export", "--format", "json", "--kind", "surveys").stdout)
    assert {row["external_id"]: row["undated"] for row in as_json} == {"s1": True, "s2": False}
    markdown = run_cli("export", "--format", "md").stdout
    assert "date not in the file: imported " in markdown.splitlines()[2] + markdown.splitlines()[3]

    elsewhere = tmp_path / "other.db"
    moved_in = CliRunner().invoke(cli, ["--db", str(elsewhere), "import", "--no-sentiment", str(exported)])
    assert moved_in.exit_code == 0, moved_in.output
    assert "2 new" in moved_in.stdout and "dated by this import" not in moved_in.stdout
    assert "1 row of a feedback-tui export had no date in its first file: the date of that import is kept" \
        in moved_in.stdout
    with Store.open(elsewhere) as other:
        moved = dict(other.query("SELECT external_id, created_at FROM reviews"))
        assert undated.is_undated(other, "reviews", other.scalar("SELECT id FROM reviews WHERE external_id = 'a1'"))
        assert not undated.is_undated(other, "reviews", other.scalar("SELECT id FROM reviews WHERE external_id = 'a2'"))
    assert moved == dict(rows(db_path, "SELECT external_id, created_at FROM reviews"))  # the dates came along
    # imported back into its own database (try11: 3a's 17,516 undated rows all became dated): nothing changes
    before = rows(db_path, "SELECT id, created_at FROM reviews ORDER BY id")
    again = run_cli("import", "--no-sentiment", exported)
    assert again.exit_code == 0 and "0 new, 0 updated, 2 unchanged" in again.stdout, again.output
    assert rows(db_path, "SELECT count(*) FROM undated_reviews") == [(1,)]
    assert rows(db_path, "SELECT id, created_at FROM reviews ORDER BY id") == before


def test_a_dry_run_reads_the_whole_file_and_says_what_would_be_dated(run_cli, db_path: Path, tmp_path: Path) -> None:
    """``--dry-run`` showed five rows and never said that 2 of the file's rows had no date (try11)."""
    path = write_csv(tmp_path / "shop.csv", ["id", "rating", "body", "date"], [
        ["a1", 5, "Great shop", ""], ["a2", 1, "Never again", "2026-11-02"], ["a3", 9, "Bad stars", "2026-11-03"],
        *[[f"b{i}", 4, "Fine", "2026-11-04"] for i in range(6)], ["a9", 3, "Okay", ""]])
    result = run_cli("import", "--dry-run", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("  row ") == 5
    assert "10 rows read: 9 would be imported, 1 rejected" in result.stdout
    assert "2 rows had no date: would be dated by the import (" in result.stdout
    assert not db_path.exists()
