"""App Store reviews over real HTTP: a local server serves pages in the real feed format.

Parsing is tested on ``fixtures/http/*.json`` directly; everything else goes
through the real client, the real store (a SQLite file) and, for the
acceptance checks, the real CLI.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import FIXTURES, assert_no_crash, db_counts, raw_rows
from feedback_tui import __version__
from feedback_tui.importers import appstore
from feedback_tui.importers.http import FetchError, HttpSettings, Redactor, rebase, redact_query, retry_after_seconds
from feedback_tui.models import Reject, ReviewRecord
from feedback_tui.sources import SourceConfig, fetch_source
from feedback_tui.store import Store

HTTP = FIXTURES / "http"
IMPORTED_AT = "2026-12-01T00:00:00Z"
OPTIONS = appstore.AppStoreOptions(app_id="1", country="us")
PAGE_FILES = ["appstore_page1.json", "appstore_page2.json", "appstore_page3.json"]


def page_path(page: int, app_id: str = "1", country: str = "us") -> str:
    return f"/{country}/rss/customerreviews/page={page}/id={app_id}/sortby=mostrecent/json"


def fixture_text(name: str) -> str:
    return (HTTP / name).read_text(encoding="utf-8")


def serve_appstore(server: HTTPServer, pages: list[str] | None = None, *, first: int = 1, app_id: str = "1",
                   country: str = "us") -> None:
    """Serve ``pages`` (fixture names or JSON text) as pages ``first``.. on; later pages are an empty feed."""
    pages = PAGE_FILES if pages is None else pages
    for number in range(first, appstore.MAX_PAGES + 1):
        index = number - first
        body = pages[index] if index < len(pages) else "appstore_empty.json"
        text = fixture_text(body) if body.endswith(".json") else body
        server.expect_request(page_path(number, app_id, country)).respond_with_data(
            text, content_type="application/json")


class Sleeps(list[float]):
    """Stands in for ``time.sleep``: records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fast(**overrides: object) -> HttpSettings:
    """Settings for tests: tiny backoff; ``settings.sleep`` records the waits instead of waiting."""
    return HttpSettings(**{"timeout": 5.0, "backoff": 0.01, "sleep": Sleeps(), **overrides})  # type: ignore[arg-type]


def appstore_source(pages: int = appstore.MAX_PAGES) -> SourceConfig:
    options = appstore.AppStoreOptions(app_id="1", country="us", pages=pages)
    return SourceConfig(name="ios", kind="appstore", options=options)


def with_new_reviews(count: int) -> str:
    """Page 1 with ``count`` newer reviews on top, as the feed looks after they are posted."""
    document = json.loads(fixture_text("appstore_page1.json"))
    entries = document["feed"]["entry"]
    template = entries[1]
    new = []
    for index in range(count):
        entry = json.loads(json.dumps(template))
        entry["id"]["label"] = str(12_000_000_000 + index)
        entry["updated"]["label"] = f"2026-11-21T0{index}:00:00-07:00"
        entry["content"]["label"] = f"Brand new review {index}"
        new.append(entry)
    document["feed"]["entry"] = [entries[0], *new, *entries[1:]]
    return json.dumps(document)


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """A server that answers while another handler sleeps (for the timeout test)."""
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


# -- parsing (pure) ------------------------------------------------------------
def test_first_page_skips_the_app_entry_and_maps_every_field() -> None:
    document = json.loads(fixture_text("appstore_page1.json"))
    page = appstore.parse_page(document, url="u", page=1, options=OPTIONS, imported_at=IMPORTED_AT)
    assert len(page.rows) == 50 and all(isinstance(r, ReviewRecord) for r in page.rows)
    assert page.notes == ["app: Panier – Courses en ligne"]
    first = page.records[0]
    assert (first.source, first.external_id, first.product) == ("app_store", "11000000000", "1")
    assert first.created_at == "2026-11-21T01:30:00Z"  # -07:00 in the feed, UTC in the store
    assert first.rating == 5 and isinstance(first.rating, int)
    assert first.title == "Great app #0" and first.author == "user000"
    assert first.body.startswith("Ordering vegetables") and first.language is None


def test_a_single_review_is_an_object_not_a_list() -> None:
    document = json.loads(fixture_text("appstore_single_entry.json"))
    assert isinstance(document["feed"]["entry"], dict)
    page = appstore.parse_page(document, url="u", page=1, options=OPTIONS, imported_at=IMPORTED_AT)
    assert [r.external_id for r in page.records] == ["11000000000"]


def test_a_feed_without_entry_key_is_an_empty_page() -> None:
    document = json.loads(fixture_text("appstore_empty.json"))
    assert "entry" not in document["feed"]
    page = appstore.parse_page(document, url="u", page=4, options=OPTIONS, imported_at=IMPORTED_AT)
    assert page.rows == [] and page.notes == []


def test_bad_entries_are_rejected_with_page_entry_and_field() -> None:
    document = json.loads(fixture_text("appstore_bad_entries.json"))
    page = appstore.parse_page(document, url="u", page=1, options=OPTIONS, imported_at=IMPORTED_AT)
    rejects = {r.line: r for r in page.rows if isinstance(r, Reject)}
    assert sorted(rejects) == [3, 4, 5, 7]
    assert rejects[3].field == "rating" and "'six'" in rejects[3].reason and rejects[3].reason.startswith("page 1:")
    assert rejects[4].field == "body" and "missing review text" in rejects[4].reason
    assert rejects[5].field == "external_id"
    assert "object" in rejects[7].reason and rejects[7].raw == '"oops"'
    assert json.loads(rejects[3].raw)["im:rating"]["label"] == "six"  # the raw entry is kept
    assert [r.line for r in page.records] == [2, 6]


@pytest.mark.parametrize("document", [{}, [], {"feed": "throttled"}, "<html>"])
def test_a_document_that_is_not_a_feed_names_url_and_page(document: object) -> None:
    with pytest.raises(FetchError, match=r"^u \(page 3\): not an App Store reviews feed"):
        appstore.parse_page(document, url="u", page=3, options=OPTIONS, imported_at=IMPORTED_AT)


@pytest.mark.parametrize(("table", "message"), [
    ({}, "needs app_id"),
    ({"app_id": "com.panier"}, "app id must be the number"),
    ({"app_id": 1, "country": "france"}, "two-letter"),
    ({"app_id": 1, "pages": 11}, "from 1 to 10"),
    ({"app_id": 1, "pages": "3"}, "whole number"),
])
def test_options_are_validated(table: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        appstore.options_from_table(table)


def test_feed_url_and_rebase() -> None:
    assert appstore.feed_url("42", "fr", 3) == (
        "https://itunes.apple.com/fr/rss/customerreviews/page=3/id=42/sortby=mostrecent/json")
    assert appstore.feed_url("42", "fr", 3, "http://127.0.0.1:9/mirror/") == (
        "http://127.0.0.1:9/mirror/fr/rss/customerreviews/page=3/id=42/sortby=mostrecent/json")
    with pytest.raises(ValueError, match="--base-url"):
        rebase("https://a.example/x", "localhost:8000")


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Fri, 20 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Fri, 20 Nov 2026 11:00:00 GMT", now) == 0.0  # in the past: go now
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_redaction_masks_secrets_and_credential_parameters() -> None:
    redactor = Redactor(["s3cr3t"])
    assert redactor.text("token s3cr3t failed") == "token *** failed"
    assert redact_query("https://a.example/r?api_key=abc&page=2") == "https://a.example/r?api_key=***&page=2"
    assert redactor.url("https://a.example/r?q=s3cr3t") == "https://a.example/r?q=***"


# -- over HTTP -------------------------------------------------------------------
def test_acceptance_every_review_once_then_zero_new(run_cli, httpserver: HTTPServer, db_path: Path) -> None:
    serve_appstore(httpserver)
    base = httpserver.url_for("/").rstrip("/")
    first = run_cli("fetch", "appstore", "--base-url", base, "--app-id", "1", "--country", "us", "--no-sentiment")
    assert_no_crash(first)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == ("appstore 1 (us): 120 fetched: 120 new, 0 updated, 0 unchanged, 0 rejected, "
                                    "pages 4")
    assert "app: Panier" in first.stderr
    assert db_counts(db_path)["reviews"] == 120
    assert raw_rows(db_path, "SELECT count(DISTINCT external_id) FROM reviews WHERE source = 'app_store'")[0][0] == 120

    second = run_cli("fetch", "appstore", "--base-url", base, "--app-id", "1", "--country", "us", "--no-sentiment")
    assert second.exit_code == 0, second.output
    assert " 0 new, 0 updated, 50 unchanged, 0 rejected, pages 1" in second.stdout  # stopped at known reviews
    assert db_counts(db_path)["reviews"] == 120
    runs = raw_rows(db_path, "SELECT status, inserted, unchanged, error, origin FROM import_runs ORDER BY id")
    assert [(r["status"], r["inserted"], r["unchanged"], r["error"]) for r in runs] == [
        ("done", 120, 0, None), ("done", 0, 50, None)]
    assert runs[0]["origin"] == f"{base}/us/rss/customerreviews/id=1/sortby=mostrecent/json"


def test_new_and_edited_reviews_are_picked_up_from_the_first_page(httpserver: HTTPServer, store: Store) -> None:
    serve_appstore(httpserver)
    base = httpserver.url_for("/")
    fetch_source(store, appstore_source(), settings=fast(), base_url=base)
    httpserver.clear()
    document = json.loads(with_new_reviews(2))
    edited = document["feed"]["entry"][3]  # an old review, edited: it moves up with a new date
    edited["content"]["label"] = "Edited: they refunded me, thanks."
    edited["updated"]["label"] = "2026-11-22T10:00:00-07:00"
    serve_appstore(httpserver, [json.dumps(document), *PAGE_FILES[1:]])

    result = fetch_source(store, appstore_source(), settings=fast(), base_url=base)
    assert result.error is None and result.pages == 1
    assert (result.imported.inserted, result.imported.updated) == (2, 1)
    assert store.count_reviews() == 122
    history = store.query("SELECT body FROM review_history")
    assert len(history) == 1 and "Edited" not in history[0]["body"]


def test_full_reads_every_page_even_when_known(run_cli, httpserver: HTTPServer) -> None:
    serve_appstore(httpserver)
    base = httpserver.url_for("/")
    run_cli("fetch", "appstore", "--base-url", base, "--app-id", "1", "--no-sentiment")
    again = run_cli("fetch", "appstore", "--base-url", base, "--app-id", "1", "--no-sentiment", "--full")
    assert "120 unchanged, 0 rejected, pages 4" in again.stdout


def test_pages_option_caps_the_fetch(run_cli, httpserver: HTTPServer, db_path: Path) -> None:
    serve_appstore(httpserver)
    result = run_cli("fetch", "appstore", "--base-url", httpserver.url_for("/"), "--app-id", "1", "--pages", "1",
                     "--no-sentiment")
    assert result.exit_code == 0 and "50 new" in result.stdout and "pages 1" in result.stdout
    assert "page limit (1)" in result.stderr
    assert db_counts(db_path)["reviews"] == 50


def test_user_agent_names_the_tool_and_version(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request(page_path(1), headers={"User-Agent": f"feedback-tui/{__version__}"}).respond_with_data(
        fixture_text("appstore_single_entry.json"), content_type="application/json")
    httpserver.expect_request(page_path(2)).respond_with_data(fixture_text("appstore_empty.json"))
    result = fetch_source(store, appstore_source(), settings=fast(retries=0), base_url=httpserver.url_for("/"))
    assert result.error is None and result.imported.inserted == 1


def test_bad_entries_are_kept_as_rejects_and_exit_1(run_cli, httpserver: HTTPServer, db_path: Path) -> None:
    serve_appstore(httpserver, ["appstore_bad_entries.json"])
    result = run_cli("fetch", "appstore", "--base-url", httpserver.url_for("/"), "--app-id", "1", "--no-sentiment")
    assert_no_crash(result)
    assert result.exit_code == 1
    assert "2 new, 0 updated, 0 unchanged, 4 rejected" in result.stdout
    assert "line 3, field 'rating': page 1: rating must be a number of stars from 0.5 to 5 (such as 4, 4.5 or 3,5/5), got 'six'" in result.stderr
    rows = raw_rows(db_path, "SELECT origin, line, field FROM rejects ORDER BY line")
    assert [(r["line"], r["field"]) for r in rows] == [(3, "rating"), (4, "body"), (5, "external_id"), (7, None)]
    assert rows[0]["origin"].endswith("/us/rss/customerreviews/id=1/sortby=mostrecent/json")


def test_500_then_200_is_retried_with_backoff(httpserver: HTTPServer, store: Store) -> None:
    calls = {"n": 0}

    def flaky(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return Response("upstream down", status=500)
        return Response(fixture_text("appstore_page1.json"), content_type="application/json")

    httpserver.expect_request(page_path(1)).respond_with_handler(flaky)
    serve_appstore(httpserver, [], first=2)
    settings = fast()
    result = fetch_source(store, appstore_source(), settings=settings, base_url=httpserver.url_for("/"))
    assert result.error is None and result.imported.inserted == 50
    assert calls["n"] == 2 and settings.sleep == [0.01]


def test_5xx_every_time_gives_up_with_a_clear_error(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request(page_path(1)).respond_with_data("busy", status=503)
    settings = fast(retries=2)
    result = fetch_source(store, appstore_source(), settings=settings, base_url=httpserver.url_for("/"))
    assert result.error and "page=1" in result.error and "(page 1): server error 503 (gave up after 3 attempts)" in result.error
    assert settings.sleep == [0.01, 0.02]  # exponential
    run = store.query("SELECT status, error FROM import_runs")[0]
    assert run["status"] == "failed" and "server error 503" in run["error"]


def test_acceptance_429_then_200_waits_as_told(run_cli, httpserver: HTTPServer, db_path: Path) -> None:
    calls = {"n": 0}

    def throttled(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response(fixture_text("appstore_page1.json"), content_type="application/json")

    httpserver.expect_request(page_path(1)).respond_with_handler(throttled)
    serve_appstore(httpserver, [], first=2)
    started = time.monotonic()
    result = run_cli("fetch", "appstore", "--base-url", httpserver.url_for("/"), "--app-id", "1", "--no-sentiment")
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert calls["n"] == 2 and elapsed >= 1.0
    assert "too many requests (429); retrying in 1.0 s" in result.stderr
    assert "50 new" in result.stdout and db_counts(db_path)["reviews"] == 50


def test_429_asking_for_too_long_a_wait_fails_without_sleeping(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request(page_path(1)).respond_with_data("", status=429, headers={"Retry-After": "3600"})
    settings = fast()
    result = fetch_source(store, appstore_source(), settings=settings, base_url=httpserver.url_for("/"))
    assert result.error and "asks to wait 3600 s, more than the 60 s limit" in result.error
    assert settings.sleep == []


def test_truncated_page_keeps_earlier_pages_and_records_the_error(run_cli, httpserver: HTTPServer,
                                                                  db_path: Path) -> None:
    serve_appstore(httpserver, ["appstore_page1.json", "appstore_truncated.json", "appstore_page3.json"])
    result = run_cli("fetch", "appstore", "--base-url", httpserver.url_for("/"), "--app-id", "1", "--no-sentiment")
    assert_no_crash(result)
    assert result.exit_code == 1
    assert "50 fetched: 50 new" in result.stdout and "pages 1" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1
    assert "/page=2/id=1/sortby=mostrecent/json (page 2): invalid JSON at line" in errors[0]
    assert "(1 earlier page kept)" in errors[0]
    assert db_counts(db_path)["reviews"] == 50
    run = raw_rows(db_path, "SELECT status, inserted, error FROM import_runs")[0]
    assert run["status"] == "failed" and run["inserted"] == 50 and "(page 2): invalid JSON" in run["error"]


def test_no_retry_says_one_attempt(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request(page_path(1)).respond_with_data("busy", status=503)
    result = fetch_source(store, appstore_source(), settings=fast(retries=0), base_url=httpserver.url_for("/"))
    assert result.error and result.error.endswith("server error 503 (gave up after 1 attempt)")


def test_slow_answer_past_the_timeout_is_a_clear_error(threaded_server: HTTPServer, store: Store) -> None:
    calls: list[int] = []

    def slow(request: Request) -> Response:
        calls.append(1)
        time.sleep(1.5)
        return Response(fixture_text("appstore_page1.json"), content_type="application/json")

    threaded_server.expect_request(page_path(1)).respond_with_handler(slow)
    settings = fast(timeout=0.5, retries=1)
    result = fetch_source(store, appstore_source(), settings=settings, base_url=threaded_server.url_for("/"))
    assert len(calls) == 2  # one try and one retry, each given up at the timeout
    assert result.error and "(page 1): no answer within 0.5 s (timeout) (gave up after 2 attempts)" in result.error
    assert store.query("SELECT status FROM import_runs")[0]["status"] == "failed"


def test_connection_refused_is_one_line_exit_1(run_cli) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli("fetch", "appstore", "--base-url", f"http://127.0.0.1:{port}", "--app-id", "1", "--retries", "0",
                     "--no-sentiment")
    assert_no_crash(result)
    assert result.exit_code == 1
    assert "(page 1): connection failed (ConnectError" in result.stderr


def test_page_larger_than_the_cap_is_refused(httpserver: HTTPServer, store: Store) -> None:
    serve_appstore(httpserver)
    result = fetch_source(store, appstore_source(), settings=fast(max_bytes=10_000), base_url=httpserver.url_for("/"))
    assert result.error and "more than the 10,000 byte limit" in result.error
    assert store.count_reviews() == 0


def test_not_found_is_not_retried(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request(page_path(1)).respond_with_data("no", status=404)
    settings = fast()
    result = fetch_source(store, appstore_source(), settings=settings, base_url=httpserver.url_for("/"))
    assert result.error and "not found (404): check the app id and the country" in result.error
    assert settings.sleep == []


@pytest.mark.parametrize(("args", "message"), [
    (["--app-id", "panier"], "app id must be the number"),
    (["--app-id", "1", "--country", "fra"], "two-letter"),
    (["--app-id", "1", "--base-url", "localhost"], "--base-url must look like http://host:port"),
])
def test_bad_options_are_one_line_exit_2(run_cli, db_path: Path, args: list[str], message: str) -> None:
    result = run_cli("fetch", "appstore", *args, "--no-sentiment")
    assert_no_crash(result)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr


def test_sentiment_is_scored_after_fetching(run_cli, httpserver: HTTPServer, db_path: Path) -> None:
    serve_appstore(httpserver, ["appstore_single_entry.json"])
    result = run_cli("fetch", "appstore", "--base-url", httpserver.url_for("/"), "--app-id", "1")
    assert result.exit_code == 0, result.output
    assert raw_rows(db_path, "SELECT sentiment FROM reviews")[0]["sentiment"] is not None


def test_retries_are_logged_with_the_page_and_the_wait(httpserver: HTTPServer, store: Store,
                                            caplog: pytest.LogCaptureFixture) -> None:
    calls = {"n": 0}

    def flaky(request: Request) -> Response:
        calls["n"] += 1
        return Response("x", status=502) if calls["n"] == 1 else Response(fixture_text("appstore_empty.json"))

    httpserver.expect_request(page_path(1)).respond_with_handler(flaky)
    with caplog.at_level(logging.INFO, logger="feedback_tui.importers.http"):
        fetch_source(store, appstore_source(), settings=fast(), base_url=httpserver.url_for("/"))
    assert "server error 502; retrying in 0.0 s" in caplog.text
