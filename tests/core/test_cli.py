"""The headless CLI end to end: exit codes, what it prints, and the database after."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import BROKEN, FIXTURES, REVIEW_HEADER, assert_no_crash, db_counts, raw_rows, write_csv

SCORE_KEYS = {
    "nps": {"score", "n", "promoters", "passives", "detractors", "moe95", "ci95"},
    "csat": {"score", "n", "satisfied"},
    "ces": {"mean", "normalized", "n"},
    "sentiment": {"n", "positive", "neutral", "negative", "mean_polarity"},
    "responses": {"reviews", "replied", "rate", "positive_rate", "negative_rate", "median_hours_to_reply",
                  # added by the reply-tracking issue (#4)
                  "p90_hours_to_reply", "sla_hours", "within_sla_rate",
                  # issue 15: unanswered reviews past the SLA
                  "overdue"},
    # issue 15: star ratings, half stars counted in the star below
    "ratings": {"n", "mean", "moe95", "ci95", "distribution"},
}


def assert_score_shape(figures: dict, extra: set[str] = frozenset()) -> None:
    assert set(figures) == set(SCORE_KEYS) | extra
    for key, fields in SCORE_KEYS.items():
        assert set(figures[key]) == fields, key


# -- import -------------------------------------------------------------------------------
def test_import_twice_reports_zero_new_and_same_scores(run_cli, responses_csv: Path, db_path: Path) -> None:
    files = (FIXTURES / "scoring_small.csv", FIXTURES / "reviews.jsonl", responses_csv)
    first = run_cli("import", "--no-sentiment", *files)
    assert first.exit_code == 0, first.output
    assert f"{FIXTURES / 'scoring_small.csv'}: 45 rows (csv, utf-8): 45 new, 0 updated, 0 unchanged, 0 rejected" in first.stdout
    assert "20 new" in first.stdout and "3 replies" in first.stdout
    score_before = run_cli("score", "--json").stdout
    counts_before = db_counts(db_path)

    second = run_cli("import", "--no-sentiment", *files)
    assert second.exit_code == 0
    lines = [line for line in second.stdout.splitlines() if not line.startswith("  ")]  # not the details
    assert len(lines) == 3 and all(": 0 new, 0 updated," in line for line in lines)
    assert "45 unchanged" in lines[0] and "replies" not in second.stdout
    assert run_cli("score", "--json").stdout == score_before
    after = db_counts(db_path)
    assert after == {**counts_before, "import_runs": counts_before["import_runs"] + 3}


WHOLE_FILE = ["empty.csv", "header_only.csv", "binary.csv", "invalid.json", "not_a_list.json",
              "missing_body_column.csv"]


@pytest.mark.parametrize("name", WHOLE_FILE)
def test_unusable_file_is_one_error_line_exit_2_and_nothing_written(run_cli, db_path: Path, name: str) -> None:
    path = BROKEN / name
    result = run_cli("import", "--no-sentiment", path)
    assert_no_crash(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: ")
    assert db_counts(db_path) == dict.fromkeys(
        ("reviews", "survey_responses", "replies", "import_runs", "rejects", "review_history"), 0)


def test_invalid_json_error_names_the_line(run_cli) -> None:
    result = run_cli("import", BROKEN / "invalid.json")
    assert "invalid JSON at line 20" in result.stderr


ROW_LEVEL = {
    "bad_rows_reviews.csv": ("reviews", [(4, "rating"), (6, "rating"), (7, "created_at"), (8, "body"), (10, "rating")],
                             {"br-001", "br-002", "br-004", "br-008"}),
    "bad_nps.csv": ("survey_responses", [(3, "score"), (4, "score"), (6, "score"), (7, "score"), (8, "kind"),
                                         (9, "score")], {"bn-001", "bn-004", "bn-009"}),
    "bad_lines.jsonl": ("reviews", [(3, None), (5, None)], {"bl-001", "bl-002", "bl-004"}),
    "bad_dates.csv": ("reviews", [(2, "created_at"), (3, "created_at"), (4, "created_at")], {"bd-004"}),
}


@pytest.mark.parametrize("name", sorted(ROW_LEVEL))
def test_rejected_rows_are_listed_exit_1_and_good_rows_kept(run_cli, db_path: Path, name: str) -> None:
    table, bad, good = ROW_LEVEL[name]
    path = BROKEN / name
    result = run_cli("import", "--no-sentiment", path)
    assert_no_crash(result)
    assert result.exit_code == 1
    assert f"{len(good)} new, 0 updated, 0 unchanged, {len(bad)} rejected" in result.stdout
    listed = [line.strip() for line in result.stderr.splitlines()]
    assert len(listed) == len(bad)
    for (line, field), text in zip(bad, listed, strict=True):
        where = f"{path}: line {line}" + (f", field '{field}'" if field else "") + ": "
        assert text.startswith(where), text
    assert {row[0] for row in raw_rows(db_path, f"SELECT external_id FROM {table}")} == good
    stored = raw_rows(db_path, "SELECT line, field, origin FROM rejects ORDER BY line")
    assert [(r["line"], r["field"]) for r in stored] == bad and {r["origin"] for r in stored} == {str(path)}


def test_missing_file_and_a_good_file(run_cli, db_path: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    result = run_cli("import", "--no-sentiment", missing, FIXTURES / "reviews.tsv")
    assert_no_crash(result)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {missing}: no such file"
    assert "10 new" in result.stdout
    assert db_counts(db_path)["reviews"] == 10


def test_database_that_is_not_sqlite(run_cli, db_path: Path) -> None:
    db_path.write_text("not a database at all\n" * 100, encoding="utf-8")
    result = run_cli("import", "--no-sentiment", FIXTURES / "reviews.tsv")
    assert_no_crash(result)
    assert result.exit_code == 3
    assert result.stderr.strip() == f"Error: {db_path}: not a feedback-tui database (the file is not SQLite or is damaged)"


# -- rejects and runs ------------------------------------------------------------------
def test_rejects_command(run_cli) -> None:
    assert run_cli("rejects").stdout.strip() == "No rejected rows."
    run_cli("import", "--no-sentiment", BROKEN / "bad_rows_reviews.csv")
    run_cli("import", "--no-sentiment", FIXTURES / "reviews.tsv")  # a clean run in between
    result = run_cli("rejects")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 10  # a line and its raw text per reject
    assert lines[0].startswith(f"{BROKEN / 'bad_rows_reviews.csv'}: line 4, field 'rating': ")
    assert "br-003" in lines[1]
    assert lines[6].endswith("no review text and no rating")
    assert run_cli("rejects", "--run", "1").stdout == result.stdout
    assert run_cli("rejects", "--run", "2").stdout.strip() == "No rejected rows."


def test_rejects_of_a_run_that_does_not_exist_say_so(run_cli) -> None:
    run_cli("import", "--no-sentiment", FIXTURES / "reviews.tsv")
    result = run_cli("rejects", "--run", "12")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: there is no import run #12 (feedback-tui runs lists them)"
    assert result.stdout == ""


def test_runs_on_a_fresh_database_say_there_is_none(run_cli) -> None:
    result = run_cli("runs")
    assert result.exit_code == 0
    assert result.stdout.strip() == "No imports yet: feedback-tui import FILE"


def test_runs_command(run_cli) -> None:
    run_cli("import", "--no-sentiment", BROKEN / "bad_rows_reviews.csv")
    lines = run_cli("runs").stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("#1 ") and " done " in lines[0]
    assert "4 new, 0 updated, 0 unchanged, 5 rejected" in lines[0]  # words, as in the import's summary


# -- export ---------------------------------------------------------------------------
@pytest.fixture
def export_db(run_cli, tmp_path: Path) -> Path:
    path = write_csv(tmp_path / "formula.csv", REVIEW_HEADER, [
        ["x-1", "trustpilot", 1, "+33 6 12", '=HYPERLINK("https://evil.example","click")', "Mallory",
         "2026-02-01T10:00:00Z", "en", "We do not click links.", "2026-02-01T11:00:00Z"],
        ["x-2", "app_store", 5, "Nice", "Fresh bread", "Ann", "2026-03-01T10:00:00Z", "en", "", ""],
    ])
    assert run_cli("import", "--no-sentiment", path).exit_code == 0
    return path


def test_export_csv_neutralises_formulas_and_has_replies(run_cli, export_db: Path) -> None:
    result = run_cli("export", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["external_id"] for r in rows] == ["x-1", "x-2"]
    assert rows[0]["body"] == '\'=HYPERLINK("https://evil.example","click")'
    assert rows[0]["title"] == "'+33 6 12"
    assert rows[0]["rating"] == "1" and rows[1]["body"] == "Fresh bread"
    replies = json.loads(rows[0]["replies"])
    assert [(r["text"], r["origin"]) for r in replies] == [("We do not click links.", "import")]
    assert json.loads(rows[1]["replies"]) == []


def test_export_json_and_jsonl_keep_text_and_replies(run_cli, export_db: Path, tmp_path: Path) -> None:
    as_json = json.loads(run_cli("export", "--format", "json").stdout)
    assert as_json[0]["body"].startswith("=HYPERLINK(")  # data formats keep the text as written
    assert as_json[0]["replies"][0]["text"] == "We do not click links."
    as_jsonl = [json.loads(line) for line in run_cli("export", "--format", "jsonl").stdout.splitlines()]
    assert as_jsonl == as_json
    target = tmp_path / "out.jsonl"
    result = run_cli("export", "--format", "jsonl", "--source", "app_store", "-o", target)
    assert result.exit_code == 0 and result.stderr.strip() == f"1 review written to {target}"
    assert [json.loads(line)["external_id"] for line in target.read_text(encoding="utf-8").splitlines()] == ["x-2"]


# -- score ------------------------------------------------------------------------------
def test_score_json_shape_and_periods(run_cli, responses_csv: Path) -> None:
    run_cli("import", "--no-sentiment", FIXTURES / "scoring_small.csv", responses_csv)
    card = json.loads(run_cli("score", "--json").stdout)
    assert_score_shape(card, {"sentiment_models", "undated"})
    assert card["sentiment_models"] == {}  # imported with --no-sentiment: nothing scored yet
    by_month = json.loads(run_cli("score", "--json", "--by", "month").stdout)
    assert_score_shape(by_month, {"periods", "sentiment_models", "undated"})
    assert {k: v for k, v in by_month.items() if k != "periods"} == card
    assert [p["period"] for p in by_month["periods"]] == ["2026-03", "2026-04", "2026-06", "2026-07"]
    for period in by_month["periods"]:
        assert period["undated"] == {"reviews": 0, "surveys": 0}  # every row of these files had its date
        assert_score_shape({k: v for k, v in period.items() if k not in ("period", "undated")})
    june = by_month["periods"][2]
    assert (june["nps"]["score"], june["csat"]["score"], june["responses"]["reviews"]) == (10.0, 66.7, 0)


def test_score_filters(run_cli, responses_csv: Path) -> None:
    run_cli("import", "--no-sentiment", FIXTURES / "scoring_small.csv", responses_csv)

    def score(*args: str) -> dict:
        result = run_cli("score", "--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert score("--source", "trustpilot")["responses"]["reviews"] == 3
    assert score("--source", "trustpilot")["nps"]["n"] == 0
    # --until with a bare date includes that whole day (r5 was written at 00:00 on the 15th)
    april = score("--since", "2026-04-01", "--until", "2026-04-15")
    assert april["responses"]["reviews"] == 2
    assert score("--since", "2026-04-01", "--until", "2026-04-14")["responses"]["reviews"] == 1
    assert score("--since", "01/06/2026", "--until", "30/06/2026")["nps"]["score"] == 10.0


def test_score_bad_date_is_a_usage_error(run_cli) -> None:
    result = run_cli("score", "--since", "last tuesday")
    assert_no_crash(result)
    assert result.exit_code == 2 and result.stderr.startswith("Error: --since: unreadable date")


def test_score_table_output(run_cli) -> None:
    run_cli("import", "--no-sentiment", FIXTURES / "scoring_small.csv")
    result = run_cli("score")
    assert result.exit_code == 0
    # stdout is not a terminal here: a plain tab-separated table, never wrapped
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    header, overall = lines[0], dict(zip(lines[0], lines[1], strict=True))
    assert header[0] == "group" and all(len(line) == len(header) for line in lines)
    assert (overall["group"], overall["nps"], overall["nps_moe95"], overall["csat"]) == ("overall", "10.0", "33.4", "66.7")


# -- demo -----------------------------------------------------------------------------
def test_demo_without_app_loads_into_the_given_db(run_cli, db_path: Path) -> None:
    result = run_cli("demo", "--no-app")
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
    assert f"Loading demo data into {db_path}" in result.stderr
    counts = db_counts(db_path)
    assert (counts["reviews"], counts["survey_responses"], counts["rejects"]) == (365, 342, 0)
    assert raw_rows(db_path, "SELECT count(*) FROM reviews WHERE sentiment IS NULL")[0][0] == 0
    card = json.loads(run_cli("score", "--json").stdout)
    assert card["sentiment"]["n"] > 0 and card["responses"]["replied"] == 103


def test_export_csv_has_the_first_reply_in_plain_columns(run_cli, export_db: Path, db_path: Path) -> None:
    """Time, hours, agent and text of the first live reply, beside the JSON list; an
    imported reply is 'platform'; an agent's reply after a withdrawn one is the first."""
    from feedback_tui.store import Store, replies

    with Store.open(db_path) as store:
        review_id = store.scalar("SELECT id FROM reviews WHERE external_id = 'x-2'")
        withdrawn = replies.add_reply(store, review_id, "Draft sent by mistake", "zoé")
        replies.withdraw_reply(store, withdrawn, "zoé")
        replies.add_reply(store, review_id, "Thank you, Ann!", "camille")
    rows = list(csv.DictReader(io.StringIO(run_cli("export").stdout)))
    first, second = rows
    assert (first["first_reply_at"], first["first_reply_hours"], first["first_reply_agent"],
            first["first_reply_text"]) == ("2026-02-01T11:00:00Z", "1.0", "platform", "We do not click links.")
    assert (second["first_reply_agent"], second["first_reply_text"]) == ("camille", "Thank you, Ann!")
    assert len(json.loads(second["replies"])) == 2  # the lossless list keeps the withdrawn one


def test_export_surveys_with_nps_category_in_every_format(run_cli, tmp_path: Path) -> None:
    assert run_cli("import", "--no-sentiment", "--survey-kind", "nps", FIXTURES / "nps_only.csv").exit_code == 0
    with (FIXTURES / "nps_only.csv").open(encoding="utf-8") as handle:
        scores = {row["id"]: int(row["score"]) for row in csv.DictReader(handle)}
    expected = {key: "promoter" if s >= 9 else "passive" if s >= 7 else "detractor" for key, s in scores.items()}
    rows = list(csv.DictReader(io.StringIO(run_cli("export", "--kind", "surveys").stdout)))
    assert {r["external_id"]: r["nps_category"] for r in rows} == expected
    as_json = json.loads(run_cli("export", "--kind", "surveys", "--format", "json").stdout)
    assert {r["external_id"]: r["nps_category"] for r in as_json} == expected
    assert [r["score"] for r in as_json] == [int(r["score"]) for r in rows]
    out = tmp_path / "answers.md"
    result = run_cli("export", "--kind", "surveys", "--format", "md", "-o", out)
    assert result.exit_code == 0 and f"{len(scores)} survey answers written" in result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("| id | source | external_id | kind | score | nps_category |")
    assert len(lines) == 2 + len(scores)
    assert any("| nps_only | nps-01 | nps | 3 | detractor |" in line for line in lines)  # numbers unescaped


def test_export_markdown_escapes_every_cell(run_cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "md.csv", REVIEW_HEADER, [
        ["m-1", "web", 2, "[win](https://evil.example)", "a | b\nsecond line <img src=x>", "*Eve*",
         "2026-02-01T10:00:00Z", "en", "", ""],
    ])
    assert run_cli("import", "--no-sentiment", path).exit_code == 0
    lines = run_cli("export", "--format", "md").stdout.splitlines()
    assert len(lines) == 3  # header, rule, one row: the newline in the text did not break the table
    row = lines[2]
    assert "\\[win\\](https\\://evil\\.example)" in row  # text, never a link
    assert "a \\| b" in row and "\\<img" in row and "\\*Eve\\*" in row


def test_the_help_of_import_names_every_kind_it_reads(run_cli) -> None:
    """A new user reads ``--help`` first: import takes orders and costs too (``--kind``)."""
    for args in (("--help",), ("import", "--help")):
        text = " ".join(run_cli(*args).stdout.split())
        assert "Import reviews, survey answers, orders or retention" in text, text
