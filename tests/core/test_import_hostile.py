"""Importer-side hostile input (issue 21, items 3 and 4): edge dates, file shapes, file names."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import FIXTURES, IMPORTED_AT, assert_no_crash, db_counts, raw_rows
from feedback_tui import exporters
from feedback_tui.importers import csv_files, open_input
from feedback_tui.importers.dates import parse_date
from feedback_tui.models import Reject
from feedback_tui.store.queries import EXPORT_COLUMNS


def parse(path: Path):
    parsed = open_input(path, imported_at=IMPORTED_AT)
    rows = list(parsed.rows)
    return [r for r in rows if not isinstance(r, Reject)], [r for r in rows if isinstance(r, Reject)]


@pytest.mark.parametrize("text", ["0001-01-01", "0001-01-01T00:00:00Z", "9999-12-31", "1969-12-31T23:59:59Z",
                                  "9999-12-31T23:00:00-05:00", "2026-W60-1", "2026-03-14T09:21:00+24:00"])
def test_dates_out_of_range_or_of_the_calendar_are_errors(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert repr(text) in str(caught.value)


def test_iso_week_dates_are_the_day_they_name_and_the_stored_form_has_four_digits() -> None:
    assert parse_date("2026-W10-3") == "2026-03-04T00:00:00Z"
    assert parse_date("2026-W10-3T10:00:00Z") == "2026-03-04T10:00:00Z"
    assert parse_date("1970-01-01T00:00:00Z") == "1970-01-01T00:00:00Z"


def test_rows_dated_in_the_future_or_before_1970_are_rejected_and_later_commands_work(
        run_cli, tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "edge.csv"
    path.write_text("id,rating,text,date\ne1,5,Ok,9999-12-31\ne2,4,Ok,0001-01-01\ne3,3,Ok,2026-W10-3\n"
                    "e4,2,Ok,2099-01-01\ne5,1,Ok,2026-01-31T23:59:59Z\n", encoding="utf-8")
    result = run_cli("import", "--no-sentiment", path)
    assert result.exit_code == 1 and "2 new" in result.stdout and "3 rejected" in result.stdout
    assert "in the future" in result.stderr and "out of range" in result.stderr
    stored = {r[0]: r[1] for r in raw_rows(db_path, "SELECT external_id, created_at FROM reviews")}
    assert stored == {"e3": "2026-03-04T00:00:00Z", "e5": "2026-01-31T23:59:59Z"}
    for command in (("score", "--json"), ("report", "--format", "json"), ("report",)):
        assert run_cli(*command).exit_code == 0


@pytest.mark.parametrize("args", [("score", "--until", "9999-12-31"), ("score", "--since", "0001-01-01"),
                                  ("report", "--today", "9999-12-31")])
def test_cli_date_options_out_of_range_are_one_error_line(run_cli, args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert_no_crash(result)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def test_the_item_list_is_the_top_level_one_never_a_nested_decoy(tmp_path: Path) -> None:
    path = tmp_path / "decoy.json"
    path.write_text(json.dumps({"meta": {"reviews": [{"id": "decoy", "text": "x"}]},
                                "reviews": [{"id": "r1", "text": "real"}, {"id": "r2", "text": "also"}]}),
                    encoding="utf-8")
    records, _ = parse(path)
    assert [r.external_id for r in records] == ["r1", "r2"]


def test_a_duplicated_list_key_and_deep_nesting_are_whole_file_errors(run_cli, tmp_path: Path, db_path: Path) -> None:
    twice = tmp_path / "twice.json"
    twice.write_text('{"reviews": [{"id": "a", "text": "x"}],\n "reviews": [{"id": "b", "text": "y"}]}', encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    for path, words in ((twice, "'reviews' appears twice (line 2)"), (deep, "nested too deeply")):
        result = run_cli("import", "--no-sentiment", path)
        assert_no_crash(result)
        assert result.exit_code == 2 and words in result.stderr
    assert db_counts(db_path)["reviews"] == 0


def test_jsonl_keeps_good_lines_around_a_deep_one_and_reads_late_columns(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    lines = [json.dumps({"id": f"l{i}", "text": f"t{i}"}) for i in range(60)]
    lines.insert(30, "[" * 100_000 + "]" * 100_000)
    lines.append(json.dumps({"id": "late", "text": "t", "product": "Panier Web", "rating": 4}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records, rejects = parse(path)
    assert len(records) == 61 and [r.line for r in rejects] == [31] and "deeply" in rejects[0].reason
    late = next(r for r in records if r.external_id == "late")
    assert (late.product, late.rating) == ("Panier Web", 4)


def test_an_unclosed_quote_is_a_reject_naming_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text("id,rating,text\nq1,5,Fine\nq2,4,\"Also fine,\nover two lines\"\nq3,3,\"Broken\n"
                    "q4,2,swallowed\nq5,1,swallowed too\n", encoding="utf-8")
    records, rejects = parse(path)
    assert [r.external_id for r in records] == ["q1", "q2"]
    assert len(rejects) == 1 and rejects[0].line == 5 and "unclosed quote: lines 5-7" in rejects[0].reason


def test_derived_ids_hash_the_whole_text(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    prefix = "x" * 600
    path.write_text(f"author,text\nAnn,{prefix}a\nAnn,{prefix}b\n", encoding="utf-8")
    records, rejects = parse(path)
    assert rejects == [] and len({r.external_id for r in records}) == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_before_it_is_opened_and_the_next_file_imported(run_cli, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = run_cli("import", "--no-sentiment", fifo, FIXTURES / "reviews.tsv")
    assert result.exit_code == 2 and "not a regular file" in result.stderr and "10 new" in result.stdout


def test_a_file_name_that_is_not_utf8_is_shown_with_replacement_characters(run_cli, tmp_path: Path,
                                                                         db_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.csv"
    with open(raw, "wb") as handle:
        handle.write((FIXTURES / "reviews.tsv").read_bytes())
    name = os.fsdecode(raw)
    missing = os.fsdecode(os.fsencode(tmp_path) + b"/nope\xff.csv")
    result = run_cli("import", "--no-sentiment", missing, name, FIXTURES / "exports" / "us_dates.csv")
    assert_no_crash(result)
    assert result.exit_code == 2 and "nope\ufffd.csv: no such file" in result.stderr
    assert "caf\ufffd.csv: 10 rows" in result.stdout and "3 new" in result.stdout
    origins = {r[0] for r in raw_rows(db_path, "SELECT origin FROM import_runs")}
    assert f"{tmp_path}/caf\ufffd.csv" in origins


def test_our_own_export_imported_back_changes_nothing(run_cli, tmp_path: Path, db_path: Path) -> None:
    hostile = tmp_path / "formulas.csv"
    hostile.write_text("id,source,rating,title,body,author,created_at,reply,reply_at\n"
                       "=cmd,web,4,=SUM(A1),-minus start,+plus,2026-01-05T10:00:00Z,@thanks,2026-01-06T10:00:00Z\n",
                       encoding="utf-8")
    run_cli("import", "--no-sentiment", hostile, FIXTURES / "reviews.csv")
    before = [tuple(r) for r in raw_rows(db_path, "SELECT * FROM reviews ORDER BY id")]
    export = tmp_path / "export.csv"
    assert run_cli("export", "-o", export).exit_code == 0
    assert "'=SUM(A1)" in export.read_text(encoding="utf-8")  # the guard is there in the file
    result = run_cli("import", "--no-sentiment", export)
    assert result.exit_code == 0 and " 0 new, 0 updated, 241 unchanged" in result.stdout
    assert [tuple(r) for r in raw_rows(db_path, "SELECT * FROM reviews ORDER BY id")] == before


def test_the_importer_knows_the_exporter_columns_and_guard() -> None:
    assert csv_files.OWN_EXPORT_COLUMNS == EXPORT_COLUMNS
    assert csv_files.FORMULA_STARTS == exporters.FORMULA_STARTS
    for value in ("=1+1", "+x", "-y", "@z", "  =a", "\uff1dfull"):
        assert csv_files.unguard(exporters.neutralise_cell(value)) == value
    assert csv_files.unguard("'quoted on purpose") == "'quoted on purpose"


def test_column_names_in_the_summary_never_reach_the_terminal_raw(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "esc.csv"
    path.write_text('id,"te\x1b]2;pwn\x07xt",body,"\u202erating"\n1,a,b,5\n', encoding="utf-8")
    result = run_cli("import", "--no-sentiment", "--dry-run", path)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\u202e" not in result.stdout
    assert "te\\x1b]2;pwn\\x07xt" in result.stdout


def test_a_lone_surrogate_in_an_exported_reply_is_stored_replaced_and_counted_once(
        run_cli, tmp_path: Path, db_path: Path) -> None:
    # Found by test_hostile_properties: the nested ``replies`` JSON of an export decodes
    # "\ud800" to a lone surrogate, which SQLite refused with a traceback.
    replies = [{"text": "thanks \ud800", "agent": "a\ud800", "origin": "agent", "channel": "email\udfff",
                "created_at": "2026-03-02T10:00:00Z", "delivery_status": "failed"}]
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"id": "p-1", "rating": 2, "date": "2026-03-01T10:00:00Z", "body": "late",
                                 "replies": json.dumps(replies)}]), encoding="utf-8")
    first = run_cli("import", path, "--no-sentiment")
    assert_no_crash(first)
    assert first.exit_code == 0 and "1 new" in first.output and ", 1 reply" in first.output
    assert "1 with invalid bytes or NUL characters replaced by U+FFFD (flagged 'replaced-bytes')" in first.output
    rows = [dict(row) for row in raw_rows(db_path, "SELECT text, agent, channel, delivery_status FROM replies")]
    assert rows == [{"text": "thanks \ufffd", "agent": "a\ufffd", "channel": "email\ufffd", "delivery_status": "failed"}]
    again = run_cli("import", path, "--no-sentiment")
    summary = again.output.splitlines()[0]
    # no reply added again; the damaged bytes are reported on every reading of the file
    assert again.exit_code == 0 and "1 unchanged, 0 rejected, 1 with invalid bytes" in summary
    assert len(raw_rows(db_path, "SELECT id FROM replies")) == 1


def test_an_export_of_the_version_before_the_undated_column_is_still_ours(run_cli, tmp_path: Path,
                                                                          db_path: Path) -> None:
    """Exports written before the ``undated`` column existed are unguarded on import as before."""
    import csv

    hostile = tmp_path / "formulas.csv"
    hostile.write_text("id,source,rating,title,body,author,created_at\n"
                       "=cmd,web,4,=SUM(A1),-minus start,+plus,2026-01-05T10:00:00Z\n", encoding="utf-8")
    run_cli("import", "--no-sentiment", hostile)
    export = tmp_path / "export.csv"
    assert run_cli("export", "-o", export).exit_code == 0
    with export.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    where = table[0].index("undated")
    older = tmp_path / "older.csv"
    with older.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([row[:where] + row[where + 1:] for row in table])
    result = run_cli("import", "--no-sentiment", older)
    assert result.exit_code == 0 and " 0 new, 0 updated, 1 unchanged" in result.stdout, result.output
