"""Parsing only (no database): every fixture format and encoding, and every
broken file with the exact line and field of each reject."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import BROKEN, FIXTURES, IMPORTED_AT
from feedback_tui.errors import FileProblem, UsageProblem
from feedback_tui.importers import ParsedInput, open_input
from feedback_tui.models import Reject, SurveyRecord


def parse(path: Path, **options: object) -> tuple[ParsedInput, list, list[Reject]]:
    parsed = open_input(path, imported_at=IMPORTED_AT, **options)  # type: ignore[arg-type]
    rows = list(parsed.rows)
    return parsed, [r for r in rows if not isinstance(r, Reject)], [r for r in rows if isinstance(r, Reject)]


def physical_lines(path: Path, encoding: str) -> list[str]:
    """The file's physical lines, 1-based (index 0 is line 1)."""
    return path.read_bytes().decode(encoding).splitlines()


# -- good fixtures -------------------------------------------------------------
def test_reviews_csv_rows_lines_and_multiline_bodies() -> None:
    parsed, records, rejects = parse(FIXTURES / "reviews.csv")
    assert (parsed.kind, parsed.format, rejects) == ("reviews", "csv, utf-8", [])
    assert len(records) == 240
    assert Counter(r.rating for r in records) == {1: 43, 2: 24, 3: 29, 4: 60, 5: 84}
    assert any("\n" in r.body for r in records), "fixture promises multi-line bodies"
    # Each record's line is the physical line where it starts, even after multi-line bodies.
    lines = physical_lines(FIXTURES / "reviews.csv", "utf-8")
    for record in records:
        assert lines[record.line - 1].startswith(record.external_id + ","), record.line
    # Empty language stays unknown (detected later), markup is kept literally.
    assert sum(r.language is None for r in records) >= 10
    assert any(r.title == "[bold red]ARNAQUE[/]" and "[link=https://evil.example]" in r.body for r in records)
    assert all(r.created_at.endswith("Z") and len(r.created_at) == 20 for r in records)


def test_french_cp1252_semicolon_day_first_export() -> None:
    path = FIXTURES / "avis_export_fr.csv"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the fixture really is not UTF-8
    parsed, records, rejects = parse(path)
    assert parsed.format == "csv (semicolon), cp1252"
    assert (len(records), rejects) == (25, [])
    by_id = {r.external_id: r for r in records}
    first = by_id["fr-0001"]
    assert (first.rating, first.title, first.author, first.source) == (5, "Très bien", "Fatou T.", "trustpilot")
    assert first.body.startswith("Les pêches étaient parfaitement mûres.")
    assert first.created_at == "2026-10-10T19:47:00Z"
    # 31/03: the day comes first (there is no month 31).
    assert by_id["fr-0002"].created_at == "2026-03-31T14:04:00Z"
    assert all("\ufffd" not in r.body for r in records)


def test_utf16_csv_with_accents() -> None:
    parsed, records, rejects = parse(FIXTURES / "reviews_utf16.csv")
    assert parsed.format == "csv, utf-16"
    assert (len(records), rejects) == (8, [])
    by_id = {r.external_id: r for r in records}
    assert "personne ne m'a prévenu" in by_id["u16-001"].body
    assert by_id["u16-001"].rating == 1 and by_id["u16-001"].source == "website"
    assert by_id["u16-003"].author == "Rémi J."


def test_tsv_with_bom_keeps_the_id_column() -> None:
    parsed, records, rejects = parse(FIXTURES / "reviews.tsv")
    assert parsed.format == "tsv, utf-8-sig"
    assert (len(records), rejects) == (10, [])
    # A BOM glued to the first header would lose the id column and fall back to hashes.
    assert [r.external_id for r in records] == [f"ts-{i:04d}" for i in range(1, 11)]
    assert records[0].rating == 1 and records[0].author == "Liam L." and records[0].line == 2


def test_json_array_with_alias_fields_and_element_lines() -> None:
    path = FIXTURES / "reviews.json"
    parsed, records, rejects = parse(path)
    assert (parsed.kind, parsed.format, rejects) == ("reviews", "json, utf-8", [])
    assert len(records) == 30
    first = records[0]
    assert (first.external_id, first.rating, first.author, first.language, first.source) == (
        "js-1013", 4, "Fatou A.", "en", "google_play")
    assert first.body.startswith("Been ordering every week since spring.")
    assert first.created_at == "2025-12-15T09:53:00Z"  # no zone in the file: UTC
    assert first.title is None  # "" is absent, not an empty title
    # Each element is named by the line of its opening brace.
    brace_lines = [i for i, text in enumerate(physical_lines(path, "utf-8"), start=1) if text.strip() == "{"]
    assert [r.line for r in records] == brace_lines
    assert [r.line for r in records[:3]] == [2, 12, 22]


def test_wrapped_json_with_epoch_millis() -> None:
    parsed, records, rejects = parse(FIXTURES / "reviews_wrapped.json")
    assert (parsed.kind, len(records), rejects) == ("reviews", 10, [])
    first = records[0]
    assert first.external_id == "wr-0001" and first.line == 3
    expected = datetime.fromtimestamp(1782656348, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert first.created_at == expected == "2026-06-28T14:19:08Z"
    assert [r.external_id for r in records] == [f"wr-{i:04d}" for i in range(1, 11)]


def test_jsonl_reviews_with_replies() -> None:
    parsed, records, rejects = parse(FIXTURES / "reviews.jsonl")
    assert (parsed.kind, parsed.format, rejects) == ("reviews", "jsonl, utf-8", [])
    assert [r.line for r in records] == list(range(1, 21))
    replied = [r for r in records if r.reply]
    assert len(replied) == 3
    assert all(r.reply_at and r.reply_at.endswith("Z") for r in replied)


def test_survey_files() -> None:
    _, surveys, rejects = parse(FIXTURES / "surveys.csv")
    assert rejects == [] and all(isinstance(s, SurveyRecord) for s in surveys)
    assert Counter(s.kind for s in surveys) == {"nps": 150, "csat": 100, "ces": 80}
    _, answers, rejects = parse(FIXTURES / "survey_answers.jsonl")
    assert (len(answers), rejects) == (12, [])
    assert answers[0].kind == "csat" and answers[0].score == 5 and answers[0].source == "web"
    _, small, _ = parse(FIXTURES / "scoring_small.csv")
    assert Counter(s.kind for s in small) == {"nps": 20, "csat": 15, "ces": 10}


def test_nps_only_needs_and_uses_survey_kind() -> None:
    parsed, records, rejects = parse(FIXTURES / "nps_only.csv", survey_kind="nps")
    assert (parsed.kind, rejects) == ("surveys", [])
    assert {r.kind for r in records} == {"nps"} and {r.source for r in records} == {"nps_only"}
    assert Counter(r.score for r in records) == {10: 5, 9: 3, 8: 4, 7: 2, 6: 2, 3: 3, 0: 1}
    with pytest.raises(FileProblem, match="--survey-kind"):
        open_input(FIXTURES / "nps_only.csv", imported_at=IMPORTED_AT)


def test_score_column_named_after_the_kind(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("id,nps,comment\na1,9,great\na2,4,meh\n", encoding="utf-8")
    _, records, rejects = parse(path)
    assert rejects == [] and [(r.kind, r.score) for r in records] == [("nps", 9), ("nps", 4)]


# -- Google Play console export ---------------------------------------------------
GP = FIXTURES / "google_play_export.csv"
GP_EDITED_AFTER_REPLY = {3, 4, 5, 11, 17, 19, 20, 28, 33, 36}


def test_google_play_export() -> None:
    parsed, records, rejects = parse(GP)
    assert parsed.format == "google play export, utf-16" and rejects == []
    assert len(records) == 40 and [r.line for r in records] == list(range(2, 42))
    assert {r.source for r in records} == {"google_play"} and {r.product for r in records} == {"fr.panier.app"}
    assert len({r.external_id for r in records}) == 40
    assert sum(bool(r.reply) for r in records) == 16
    by_line = {r.line: r for r in records}
    edited = by_line[3]
    assert edited.external_id.startswith("gp:") and edited.rating == 5
    assert (edited.created_at, edited.updated_at, edited.reply_at) == (
        "2026-11-04T16:35:42Z", "2026-11-06T12:18:55Z", "2026-11-06T04:02:49Z")
    assert {r.line for r in records if r.reply_at and r.updated_at > r.reply_at} == GP_EDITED_AFTER_REPLY
    assert by_line[5].url is None and by_line[5].external_id.startswith("h:")  # no review link


def test_google_play_ids_are_stable_across_parses() -> None:
    _, first, _ = parse(GP)
    second = list(open_input(GP, imported_at="2030-01-01T00:00:00Z").rows)
    assert [r.external_id for r in first] == [r.external_id for r in second]


def _gp_export(path: Path, rows: list[dict[str, str]]) -> Path:
    header = codecs.decode(GP.read_bytes(), "utf-16").splitlines()[0].split(",")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-16"))
    return path


def _gp_row(**values: str) -> dict[str, str]:
    row = {"Package Name": "fr.panier.app", "Reviewer Language": "fr", "Device": "a12",
           "Review Submit Date and Time": "2026-05-01T10:00:00Z", "Review Submit Millis Since Epoch": "1777629600000",
           "Review Last Update Date and Time": "2026-05-01T10:00:00Z", "Star Rating": "4", "Review Text": "Bien"}
    row.update(values)
    return row


def test_google_play_star_only_rows_are_kept(tmp_path: Path) -> None:
    path = _gp_export(tmp_path / "gp.csv", [_gp_row(**{"Review Text": "", "Star Rating": "5"}), _gp_row(
        **{"Review Submit Millis Since Epoch": "1777633200000", "Review Submit Date and Time": "2026-05-01T11:00:00Z"})])
    _, records, rejects = parse(path)
    assert rejects == [] and len(records) == 2
    assert (records[0].body, records[0].rating, records[0].line) == ("", 5, 2)


def test_google_play_id_without_link_survives_an_edit(tmp_path: Path) -> None:
    before = _gp_export(tmp_path / "before.csv", [_gp_row(**{"Review Text": "Nul", "Star Rating": "1"})])
    after = _gp_export(tmp_path / "after.csv", [_gp_row(**{
        "Review Text": "Nul. Edit : remboursé, merci", "Star Rating": "4",
        "Review Last Update Date and Time": "2026-05-03T08:00:00Z"})])
    (old,), (new,) = parse(before)[1], parse(after)[1]
    assert old.external_id == new.external_id
    assert (new.rating, new.updated_at) == (4, "2026-05-03T08:00:00Z")


# -- broken fixtures: row-level problems ----------------------------------------
ROW_PROBLEMS = {
    "bad_rows_reviews.csv": ({4: "rating", 6: "rating", 7: "created_at", 8: "body", 10: "rating"},
                             {2: "br-001", 3: "br-002", 5: "br-004", 9: "br-008"}),
    "bad_nps.csv": ({3: "score", 4: "score", 6: "score", 7: "score", 8: "kind", 9: "score"},
                    {2: "bn-001", 5: "bn-004", 10: "bn-009"}),
    "bad_lines.jsonl": ({3: None, 5: None}, {1: "bl-001", 2: "bl-002", 4: "bl-004"}),
    "bad_dates.csv": ({2: "created_at", 3: "created_at", 4: "created_at"}, {5: "bd-004"}),
}


@pytest.mark.parametrize("name", sorted(ROW_PROBLEMS))
def test_broken_rows_are_rejected_with_line_and_field(name: str) -> None:
    bad, good = ROW_PROBLEMS[name]
    _, records, rejects = parse(BROKEN / name)
    assert {r.line: r.field for r in rejects} == bad
    assert {r.line: r.external_id for r in records} == good
    assert all(r.reason and r.describe().startswith(f"line {r.line}") for r in rejects)


def test_bad_row_reasons_quote_the_value() -> None:
    _, _, rejects = parse(BROKEN / "bad_rows_reviews.csv")
    reasons = {r.line: r for r in rejects}
    assert "'six'" in reasons[4].reason and "0.5 to 5" in reasons[4].reason
    assert "'0'" in reasons[6].reason
    assert "'not a date'" in reasons[7].reason
    assert "'1,000'" in reasons[10].reason
    assert reasons[4].raw.startswith("br-003,google_play,six,")  # the raw row is kept for the rejects table
    assert reasons[10].describe() == f"line 10, field 'rating': {reasons[10].reason}"


def test_bad_survey_rows_keep_good_kinds_and_scores() -> None:
    _, records, rejects = parse(BROKEN / "bad_nps.csv")
    assert [(r.external_id, r.kind, r.score) for r in records] == [
        ("bn-001", "nps", 9), ("bn-004", "csat", 4), ("bn-009", "ces", 6)]
    reasons = {r.line: r.reason for r in rejects}
    assert "'foo'" in reasons[8] and "NPS" in reasons[3] and "CSAT" in reasons[6] and "CES" in reasons[7]


def test_bad_jsonl_lines_say_why() -> None:
    _, _, rejects = parse(BROKEN / "bad_lines.jsonl")
    reasons = {r.line: r for r in rejects}
    assert reasons[3].reason.startswith("invalid JSON") and reasons[3].raw.startswith('{"id": "x3"')
    assert "JSON object" in reasons[5].reason and reasons[5].raw == "[1,2,3]"


def test_extra_cells_are_rejected_not_shifted(tmp_path: Path) -> None:
    path = tmp_path / "shifted.csv"
    path.write_text("id,rating,body\nok-1,4,fine\nbad-2,5,Great, really,extra\nok-3,4.0,fine too\n", encoding="utf-8")
    _, records, rejects = parse(path)
    assert [(r.line, r.field) for r in rejects] == [(3, None)] and "cells for 3 columns" in rejects[0].reason
    assert [(r.external_id, r.rating) for r in records] == [("ok-1", 4), ("ok-3", 4)]


# -- broken fixtures: whole-file problems ----------------------------------------
FILE_PROBLEMS = {
    "empty.csv": "empty",
    "header_only.csv": "no data rows",
    "binary.csv": "binary",
    "invalid.json": "invalid JSON at line 20",
    "not_a_list.json": "JSON array",
    "missing_body_column.csv": "no review text column",
}


@pytest.mark.parametrize("name", sorted(FILE_PROBLEMS))
def test_broken_files_raise_file_problem_naming_the_file(name: str) -> None:
    path = BROKEN / name
    with pytest.raises(FileProblem) as caught:
        open_input(path, imported_at=IMPORTED_AT)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert FILE_PROBLEMS[name] in message
    assert "\n" not in message and caught.value.exit_code == 2


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(FileProblem, match="no such file"):
        open_input(tmp_path / "nope.csv", imported_at=IMPORTED_AT)
    with pytest.raises(FileProblem, match="is a directory"):
        open_input(tmp_path, imported_at=IMPORTED_AT)


def test_unknown_kind_options_are_usage_problems() -> None:
    with pytest.raises(UsageProblem):
        open_input(FIXTURES / "reviews.csv", kind="tweets", imported_at=IMPORTED_AT)
    with pytest.raises(UsageProblem):
        open_input(FIXTURES / "surveys.csv", survey_kind="stars", imported_at=IMPORTED_AT)


def test_forced_kind_without_its_columns_is_refused() -> None:
    with pytest.raises(FileProblem, match="no review text column"):
        open_input(FIXTURES / "surveys.csv", kind="reviews", imported_at=IMPORTED_AT)
    # 'rating' could be a survey score, but with no kind every row would fail.
    with pytest.raises(FileProblem, match="no survey kind column"):
        open_input(FIXTURES / "reviews.jsonl", kind="surveys", imported_at=IMPORTED_AT)
    records = list(open_input(FIXTURES / "reviews.jsonl", kind="surveys", survey_kind="csat",
                              imported_at=IMPORTED_AT).rows)
    assert [r.score for r in records if isinstance(r, SurveyRecord)][:2] == [5, 4]


@pytest.mark.parametrize(("header", "line"), [
    ("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",  # UCI Online Retail
     "569901,23256,CUTLERY ,2,2011-10-06 16:20:00,4.15,12923.0,United Kingdom"),
    ("Sale Date,Order ID,Buyer User ID,Full Name,Currency,Order Total,Status",  # an Etsy shop's sold orders
     "12/31/22,2871,jdoe42,Jane Doe,USD,43.46,Completed"),
])
def test_an_order_export_read_as_feedback_is_named_as_orders(tmp_path: Path, header: str, line: str) -> None:
    """Orders are never guessed (an order export may hold a 'value' or a 'comment'),
    but a file that is plainly orders says which option reads it."""
    from feedback_tui.importers.orders import open_orders

    path = tmp_path / "orders.csv"
    path.write_text(f"{header}\n{line}\n", encoding="utf-8")
    with pytest.raises(FileProblem, match="a shop's orders .*: import it with --kind orders"):
        open_input(path, imported_at=IMPORTED_AT)
    parsed = open_orders(path, source=None)
    assert parsed.plan.columns["customer"] in ("CustomerID", "Buyer User ID")
    # a file of neither kind keeps the plain message
    path.write_text("name,colour\nx,blue\n", encoding="utf-8")
    with pytest.raises(FileProblem, match="no review text column .* and no survey score column"):
        open_input(path, imported_at=IMPORTED_AT)


@pytest.mark.parametrize("start", ["export const reviews = {", "module.exports = [", "var feed = {"])
def test_a_javascript_module_is_named_as_such(tmp_path: Path, start: str) -> None:
    # A feed saved by a front-end as a JS module (quirk 2d of REAL_DATA.md: the
    # iTunes RSS page wrapped in `export const reviews = {...}`): read as CSV it
    # failed on "no review text column", which sends the user after the wrong problem.
    path = tmp_path / "reviews.js"
    path.write_text(f'{start}\n  feed: {{ entry: [{{ "im:rating": {{ label: "5" }}, }}], }},\n}};\n', encoding="utf-8")
    with pytest.raises(FileProblem, match=r"reviews\.js: is JavaScript, not JSON, CSV or TSV .*save the data itself"):
        open_input(path, imported_at=IMPORTED_AT)


def test_a_csv_whose_first_word_is_export_is_still_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "export"  # no suffix: the content decides
    path.write_text("export,text,rating\nyes,Great app,5\n", encoding="utf-8")
    assert [row.body for row in parse(path)[1]] == ["Great app"]
