"""Real export layouts (fixtures/exports/, invented rows) imported whole through the CLI.

Each test imports a file as a new user would, with no option unless the
format needs one, then reads the database: row count, dates, exact ratings,
titles, products, authors, replies, and that a second import adds nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, assert_no_crash, db_counts, raw_rows

EXPORTS = FIXTURES / "exports"


def reviews(db_path: Path) -> dict[str, dict]:
    rows = raw_rows(db_path, "SELECT * FROM reviews ORDER BY created_at, id")
    return {row["external_id"]: dict(row) for row in rows}


def replies(db_path: Path) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in raw_rows(db_path, "SELECT v.external_id, p.text, p.created_at FROM replies p "
                                                "JOIN reviews v ON v.id = p.review_id ORDER BY v.external_id")]


def import_twice(run_cli, db_path: Path, *args: object) -> tuple[object, object]:
    """Import, then import again: the second run must add and change nothing."""
    first = run_cli("import", "--no-sentiment", *args)
    assert_no_crash(first)
    before = db_counts(db_path)
    stored = reviews(db_path)
    second = run_cli("import", "--no-sentiment", *args)
    assert " 0 new, 0 updated," in second.stdout, second.stdout
    after = db_counts(db_path)
    rejected = after["rejects"] - before["rejects"]  # each run keeps its own rejects
    assert after == {**before, "import_runs": before["import_runs"] + 1, "rejects": before["rejects"] + rejected}
    assert rejected == before["rejects"]
    assert reviews(db_path).keys() == stored.keys()
    return first, second


def test_google_play_scraper_keeps_its_dates_ids_and_replies(run_cli, db_path: Path) -> None:
    first, _ = import_twice(run_cli, db_path, EXPORTS / "gplay_scraper.csv")
    assert first.exit_code == 0
    assert "recognised: google-play-scraper, source google_play" in first.stdout
    assert "ignored: userImage, thumbsUpCount, reviewCreatedVersion, appVersion" in first.stdout
    rows = reviews(db_path)
    assert len(rows) == 5 and {r["source"] for r in rows.values()} == {"google_play"}
    # two different "nice app" reviews by "A Google user" the same day: both kept, with their own time and stars
    nice = sorted((r["created_at"], r["rating"]) for r in rows.values() if r["body"] == "nice app")
    assert nice == [("2024-03-05T06:03:40Z", 4), ("2024-03-05T10:26:11Z", 5)]
    assert rows["5b1e0c7a-0001-4a1b-9c00-000000000003"]["created_at"] == "2024-02-29T23:59:59Z"
    assert rows["5b1e0c7a-0001-4a1b-9c00-000000000004"]["created_at"] == "2024-01-01T00:00:05Z"
    star_only = rows["5b1e0c7a-0001-4a1b-9c00-000000000005"]
    assert (star_only["body"], star_only["rating"], star_only["created_at"]) == ("", 5, "2024-03-31T12:00:00Z")
    assert replies(db_path) == [
        ("5b1e0c7a-0001-4a1b-9c00-000000000003", "Thanks Maelle, offline maps get a fix in 2.2.", "2024-02-28T08:00:00Z"),
        ("5b1e0c7a-0001-4a1b-9c00-000000000004", "Sorry Orin, please write to help@trailhub.example",
         "2024-01-02T09:15:00Z")]
    # a reply dated before its review (the store keeps the latest edit's date) never gives a negative delay
    hours = raw_rows(db_path, "SELECT min(reply_hours) FROM reviews WHERE reply_hours IS NOT NULL")[0][0]
    assert hours >= 0


def test_rows_without_id_or_date_are_never_collapsed(run_cli, db_path: Path) -> None:
    first, _ = import_twice(run_cli, db_path, EXPORTS / "gplay_fr_noid.csv")
    assert first.exit_code == 0
    rows = list(reviews(db_path).values())
    assert len(rows) == 5  # same text with other stars or another app, and two rows identical in every field
    assert sorted((r["rating"], r["product"]) for r in rows if r["body"] == "Super appli") == [
        (4, "fr.trailhub.app"), (5, "fr.trailhub.app"), (5, "fr.trailhub.app"), (5, "fr.trailhub.pro")]
    assert "1 rows identical to an earlier row: kept" in first.stdout
    assert "5 rows had no date: dated by this import" in first.stdout


def test_skip_identical_drops_only_the_repeated_rows(run_cli, db_path: Path) -> None:
    result = run_cli("import", "--no-sentiment", "--skip-identical", EXPORTS / "gplay_fr_noid.csv")
    assert result.exit_code == 0 and "4 new" in result.stdout
    assert "1 rows identical to an earlier row: dropped (--skip-identical)" in result.stdout
    assert len(reviews(db_path)) == 4


def test_app_store_scraper_reply_is_read_from_its_python_dict(run_cli, db_path: Path) -> None:
    first, _ = import_twice(run_cli, db_path, EXPORTS / "appstore_scraper.csv")
    assert first.exit_code == 0 and "recognised: app-store-scraper" in first.stdout
    rows = {r["author"]: r for r in reviews(db_path).values()}
    assert rows["tam_lowry"]["title"] == "Sync is broken" and rows["tam_lowry"]["body"].count("\n") == 1
    assert rows["perrin.b"]["created_at"] == "2022-12-31T23:59:00Z"
    texts = sorted(text for _, text, _ in replies(db_path))
    assert texts == ["Hi Tam, we're sorry: please update to 5.2, it fixes sync.", "Thanks for the kind words!"]
    assert {at for _, _, at in replies(db_path)} == {"2023-06-02T10:00:00Z", "2023-05-30T08:30:00Z"}


def test_trustpilot_api_json_paths_duplicates_and_item_errors(run_cli, db_path: Path) -> None:
    first, _ = import_twice(run_cli, db_path, EXPORTS / "trustpilot_api.json")
    assert first.exit_code == 1  # the bad rating; the repeated item is a duplicate, not a reject
    assert "3 new, 0 updated, 0 unchanged, 1 rejected, 1 duplicates" in first.stdout
    assert "item 5 (line " in first.stderr and "field 'rating'" in first.stderr
    rows = {r["author"]: r for r in reviews(db_path).values()}
    assert set(rows) == {"Lorna Beck", "Dario Fenn", "Aude Morel"}
    assert rows["Lorna Beck"]["created_at"] == "2024-04-30T18:45:12Z" and rows["Lorna Beck"]["product"] == "Greenbasket"
    assert rows["Aude Morel"]["language"] == "fr" and rows["Aude Morel"]["created_at"] == "2024-02-29T12:00:00Z"
    assert replies(db_path) == [("65f0a1b2c3d4e5f6a7b8c901", "Thank you Lorna!", "2024-05-01T08:00:00Z")]


def test_amazon_tsv_is_unescaped_and_other_sources_are_not(run_cli, db_path: Path) -> None:
    import_twice(run_cli, db_path, EXPORTS / "amazon_reviews.tsv")
    import_twice(run_cli, db_path, EXPORTS / "trustpilot_scrape.csv")
    rows = reviews(db_path)
    kettle = rows["RTEST0000001"]
    assert kettle["source"] == "amazon" and kettle["title"] == "Boils fast"
    assert kettle["product"] == 'Kettle "Aurora" 1.7L'
    assert kettle["body"] == "Boils in two minutes.\nThe lid is a bit stiff & loud."
    assert rows["RTEST0000002"]["body"] == "It leaks <3 times a day>.\n\nReturned."
    scraped = {r["author"]: r for r in rows.values() if r["source"] == "trustpilot"}
    assert scraped["Hal Moreno"]["body"] == "Fruit & veg arrived cold &amp; crisp"  # kept as written
    assert scraped["Bea Lindqvist"]["created_at"] == "2024-06-02T20:30:00Z"


def test_half_stars_and_french_dates_in_words(run_cli, db_path: Path) -> None:
    import_twice(run_cli, db_path, EXPORTS / "allocine_style.csv")
    rows = sorted(reviews(db_path).values(), key=lambda r: r["created_at"])
    assert [(r["created_at"][:10], r["rating"], r["product"], r["author"]) for r in rows] == [
        ("2020-12-31", 4.5, "Le Phare", "cinephile_42"), ("2021-01-30", 5, "Le Phare", "nico_v"),
        ("2021-03-14", 3.5, "La Brume", "cinephile_42"), ("2021-04-01", 0.5, "La Brume", "margot.l")]
    mean = raw_rows(db_path, "SELECT avg(rating) FROM reviews")[0][0]
    assert mean == pytest.approx((4.5 + 5 + 3.5 + 0.5) / 4, abs=1e-12)


def test_a_ten_point_scale_is_stored_on_five_with_the_original(run_cli, db_path: Path) -> None:
    plain = run_cli("import", "--no-sentiment", EXPORTS / "ratings_10.csv")
    assert plain.exit_code == 1 and "--rating-scale 10" in plain.stderr
    result = run_cli("import", "--no-sentiment", "--rating-scale", "10", EXPORTS / "ratings_10.csv")
    assert result.exit_code == 0
    rows = reviews(db_path)
    assert {k: (r["rating"], r["rating_original"]) for k, r in rows.items()} == {
        "t1": (4, "8"), "t2": (3.5, "7"), "t3": (5, "10"), "t4": (4, "8/10")}


def test_us_dates_are_read_month_first_for_the_whole_file(run_cli, db_path: Path) -> None:
    first, _ = import_twice(run_cli, db_path, EXPORTS / "us_dates.csv")
    assert "dates month first (mdy)" in first.stdout
    rows = reviews(db_path)
    assert {k: r["created_at"] for k, r in rows.items()} == {
        "y1": "2020-08-16T00:00:00Z", "y2": "2006-02-11T00:00:00Z", "y3": "2019-12-01T19:45:00Z"}


def test_ambiguous_dates_need_a_date_order(run_cli, db_path: Path, tmp_path: Path) -> None:
    refused = run_cli("import", "--no-sentiment", EXPORTS / "ambiguous_dates.csv")
    assert refused.exit_code == 2 and db_counts(db_path)["reviews"] == 0
    assert "column 'date'" in refused.stderr and "'02/11/2021'" in refused.stderr and "--date-order" in refused.stderr
    assert run_cli("import", "--no-sentiment", "--date-order", "mdy", EXPORTS / "ambiguous_dates.csv").exit_code == 0
    assert reviews(db_path)["a1"]["created_at"] == "2021-02-11T00:00:00Z"


def test_the_config_date_order_and_a_profile(run_cli, db_path: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('date_order = "dmy"\n[imports.survey]\nfields = { comment = '
                      '"What is the main reason for your score?" }\nsource = "email_survey"\n', encoding="utf-8")
    config.chmod(0o600)
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(config))
    assert run_cli("import", "--no-sentiment", EXPORTS / "ambiguous_dates.csv").exit_code == 0
    assert reviews(db_path)["a1"]["created_at"] == "2021-11-02T00:00:00Z"
    result = run_cli("import", "--no-sentiment", "--profile", "survey", EXPORTS / "survey_question.csv")
    assert result.exit_code == 0, result.output
    rows = [tuple(r) for r in raw_rows(db_path, "SELECT kind, score, comment, source, created_at FROM survey_responses "
                                                "ORDER BY created_at")]
    assert rows == [("nps", 10, "The herbs", "email_survey", "2024-09-01T10:00:00Z"),
                    ("nps", 6, None, "email_survey", "2024-09-01T11:00:00Z"),
                    ("nps", 0, "Late twice", "email_survey", "2024-09-30T23:00:00Z")]
    unknown = run_cli("import", "--profile", "nope", EXPORTS / "survey_question.csv")
    assert unknown.exit_code == 2 and "[imports.nope]" in unknown.stderr


def test_map_names_a_column_no_alias_covers(run_cli, db_path: Path) -> None:
    result = run_cli("import", "--no-sentiment", "--map", "score=On a scale of 0-10, how likely are you to recommend "
                     "Greenbasket to a friend?", "--map", "comment=What is the main reason for your score?",
                     "--map", "customer=Respondent ID", "--survey-kind", "nps", EXPORTS / "survey_question.csv")
    assert result.exit_code == 0, result.output
    assert [tuple(r) for r in raw_rows(db_path, "SELECT customer, score FROM survey_responses ORDER BY customer")] == [
        ("r-1", 10), ("r-2", 6), ("r-3", 0)]
    bad = run_cli("import", "--map", "colour=Start Date", EXPORTS / "survey_question.csv")
    assert bad.exit_code == 2 and "unknown" in bad.stderr and "colour" in bad.stderr
    missing = run_cli("import", "--map", "body=Nope", EXPORTS / "us_dates.csv")
    assert missing.exit_code == 2 and "no column 'Nope'" in missing.stderr


def test_google_maps_relative_dates_and_rating_only_reviews(run_cli, db_path: Path) -> None:
    import_twice(run_cli, db_path, EXPORTS / "google_maps.csv")
    rows = {r["author"]: r for r in reviews(db_path).values()}
    assert {a: (r["rating"], r["body"], r["created_at"]) for a, r in rows.items()} == {
        "Pia Schenk": (5, "Lovely bakery, try the rye", "2024-07-07T12:00:00Z"),
        "Tomasz Wren": (4, "", "2024-06-10T12:00:00Z"),
        "Juno Abara": (1, "", "2024-06-26T12:00:00Z")}
    assert {r["source"] for r in rows.values()} == {"google_maps"}


def test_dry_run_describes_and_writes_nothing(run_cli, db_path: Path) -> None:
    result = run_cli("import", "--dry-run", EXPORTS / "gplay_scraper.csv")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "format csv, encoding utf-8" in out and "recognised: google-play-scraper" in out
    assert "mapping: external_id=reviewId" in out and "ignored: userImage" in out
    assert out.count("  row ") == 5 and "created_at='2024-03-05T10:26:11Z'" in out
    assert not db_path.exists()


def test_several_files_exit_with_the_worst_code(run_cli, db_path: Path, tmp_path: Path) -> None:
    result = run_cli("import", "--no-sentiment", EXPORTS / "trustpilot_api.json", tmp_path / "missing.csv",
                     EXPORTS / "us_dates.csv")
    assert result.exit_code == 2
    assert db_counts(db_path)["reviews"] == 6  # both readable files were written


def test_an_app_store_feed_saved_to_a_file(run_cli, db_path: Path) -> None:
    first, _ = import_twice(run_cli, db_path, FIXTURES / "http" / "appstore_page1.json")
    assert first.exit_code == 0 and "recognised: app-store-feed, source app_store" in first.stdout
    rows = reviews(db_path)
    assert len(rows) == 50 and {r["source"] for r in rows.values()} == {"app_store"}
    review = rows["10999999951"]
    assert (review["rating"], review["author"], review["created_at"], review["title"]) == (
        1, "user049", "2026-11-06T18:30:00Z", "Late again #49")
    assert review["url"] is None or review["url"].startswith("http")


def test_a_nested_json_file_is_read_through_items(run_cli, db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "nested.json"
    day = lambda i, d, r: {"review_id": f"{i}", "store": "appstore", "user_name": f"u{i}", "rating": r,  # noqa: E731
                           "title": f"T{i}", "text": f"text {i}", "review_date": d}
    path.write_text(json.dumps({
        "Lumen": {"app_id": "1", "per_date_reviews": {"2026-07-01": [day(1, "2026-07-01", 5), day(2, "2026-07-01", 2)],
                                                      "2026-06-30": [day(3, "2026-06-30", 4)]}},
        "Orbit": {"app_id": "2", "per_date_reviews": {"2026-07-01": [day(4, "2026-07-01", 1)]}}}), encoding="utf-8")
    refused = run_cli("import", "--no-sentiment", path)
    assert refused.exit_code == 2  # no top-level list: a nested one is never guessed, only named
    assert "4 objects are nested at '*.per_date_reviews.*': import them with --items '*.per_date_reviews.*'" \
        in refused.stderr and not reviews(db_path)
    first, _ = import_twice(run_cli, db_path, "--items", "*.per_date_reviews.*", path)
    ignored = [line for line in first.stdout.splitlines() if "ignored:" in line]
    assert first.exit_code == 0 and "product=@1" in first.stdout and all("@1" not in line for line in ignored)
    rows = reviews(db_path)
    assert {k: (r["product"], r["rating"], r["created_at"][:10], r["source"]) for k, r in rows.items()} == {
        "1": ("Lumen", 5, "2026-07-01", "app_store"), "2": ("Lumen", 2, "2026-07-01", "app_store"),
        "3": ("Lumen", 4, "2026-06-30", "app_store"), "4": ("Orbit", 1, "2026-07-01", "app_store")}
    missing = run_cli("import", "--items", "*.nothing", path)
    assert missing.exit_code == 2 and "no item at that path" in missing.stderr


def test_the_suggested_items_path_is_exact_and_safe_to_print() -> None:
    from feedback_tui.importers.json_files import suggest_items_path, walk_items

    document = {"Lumen\x1b[31m'x": {"per_date_reviews": {"d1": [{"a": 1}, {"a": 2}], "d2": [{"a": 3}]},
                                      "target_reviews": [{"a": 4}], "count": 3}}
    # one app: its key is not plain (an escape, a quote), so it becomes *; the two depths are two paths
    assert suggest_items_path(document) == [("*.per_date_reviews.*", 3), ("*.target_reviews", 1)]
    assert len(walk_items(document, "*.per_date_reviews.*")) == 3
    assert suggest_items_path({"only": {"number": 3, "names": ["a", "b"]}}) == []  # no list of objects
    assert suggest_items_path({"a": {"x": [{"n": 1}]}, "b": {"y": [{"n": 2}], "z": [{"n": 3}]}}) == [("*.*", 3)]
    # a path that would also reach something else (here a list of numbers) is not offered
    assert suggest_items_path({"a": {"x": [{"n": 1}], "w": [1, 2]}, "b": {"y": [{"n": 2}]}}) == []
    assert suggest_items_path({"a": {"x": [{"n": 1}], "w": [1, 2]}}) == [("a.x", 1)]


def test_a_numeric_date_after_the_first_rows_of_iso_dates_is_rejected_not_guessed(tmp_path: Path) -> None:
    from feedback_tui.importers import open_input
    from feedback_tui.models import Reject

    path = tmp_path / "late.csv"
    lines = ["id,rating,text,date"] + [f"i{i},4,ok,2024-01-{1 + i % 28:02d}" for i in range(1200)]
    lines.append("late,3,ok,02/11/2024")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(open_input(path, imported_at="2026-12-01T00:00:00Z").rows)
    rejects = [r for r in rows if isinstance(r, Reject)]
    assert len(rows) == 1201 and len(rejects) == 1 and "--date-order" in rejects[0].reason
    rows = list(open_input(path, imported_at="2026-12-01T00:00:00Z",
                           options=__import__("feedback_tui.importers", fromlist=["ImportOptions"])
                           .ImportOptions(date_order="mdy")).rows)
    assert [r.created_at for r in rows if r.external_id == "late"] == ["2024-02-11T00:00:00Z"]


def test_the_summary_names_the_source_column_when_rows_take_their_source_from_it(run_cli, db_path: Path,
                                                                                 tmp_path: Path) -> None:
    """A nested App Store JSON (2c) has a ``store`` field: its rows became ``app_store`` while the
    summary said "source 2c" (the file's name, the source of a row whose cell is empty)."""
    path = tmp_path / "apps.json"
    path.write_text(json.dumps([
        {"review_id": "1", "store": "appstore", "rating": 4, "text": "Works well", "review_date": "2026-05-02"},
        {"review_id": "2", "store": "", "rating": 2, "text": "Slow sync", "review_date": "2026-05-03"}]))
    result = run_cli("import", "--no-sentiment", path)
    assert result.exit_code == 0, result.output
    assert "kind: reviews, source from column 'store' (else apps)" in result.stdout, result.stdout
    assert [tuple(r) for r in raw_rows(db_path, "SELECT external_id, source FROM reviews ORDER BY 1")] == [
        ("1", "app_store"), ("2", "apps")]
