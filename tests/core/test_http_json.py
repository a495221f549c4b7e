"""Generic JSON APIs over real HTTP: mapping, the three paginations, auth and secrets."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import FIXTURES, assert_no_crash, db_counts, raw_rows
from feedback_tui.errors import UsageProblem
from feedback_tui.importers import http_json
from feedback_tui.importers.http import FetchError
from feedback_tui.models import Reject
from feedback_tui.sources import SourceConfig, fetch_source
from feedback_tui.store import Store
from test_http_appstore import fast

HTTP = FIXTURES / "http"
IMPORTED_AT = "2026-12-01T00:00:00Z"
SECRET = "s3cr3t-Zq9-token"
FIELDS = {"id": "id", "body": "attributes.text", "rating": "attributes.stars", "created_at": "attributes.date",
          "title": "attributes.headline", "author": "attributes.author.name", "language": "attributes.locale"}


def fixture(name: str) -> str:
    return (HTTP / name).read_text(encoding="utf-8")


def options(url: str = "http://api.example.test/v1/reviews", **table: object) -> http_json.JsonApiOptions:
    return http_json.options_from_table({"fields": FIELDS, **table}, default_source="acme", url=url)


def json_source(server: HTTPServer, **table: object) -> SourceConfig:
    return SourceConfig(name="acme", kind="json", options=options(server.url_for("/v1/reviews"), **table))


def write_map(path: Path, extra: str = "") -> Path:
    fields = "\n".join(f'{key} = "{value}"' for key, value in FIELDS.items())
    path.write_text(f'source = "acme"\nitems = "data"\nnext = "links.next"\n{extra}\n[fields]\n{fields}\n',
                    encoding="utf-8")
    return path


def serve_next_pages(server: HTTPServer, headers: dict[str, str] | None = None) -> None:
    server.expect_request("/v1/reviews", query_string="", headers=headers or {}).respond_with_data(
        fixture("api_next_1.json"), content_type="application/json")
    for after, name in (("acme-0003", "api_next_2.json"), ("acme-0007", "api_next_3.json")):
        server.expect_request("/v1/reviews", query_string={"page[after]": after}, headers=headers or {}
                              ).respond_with_data(fixture(name), content_type="application/json")


# -- pure parsing ----------------------------------------------------------------
@pytest.mark.parametrize(("path", "expected"), [
    ("a", {"b": [10, {"c": "deep"}]}), ("a.b.0", 10), ("a.b.1.c", "deep"), ("a.b.-1.c", "deep"),
    ("a.x", None), ("a.b.5", None), ("a.b.c", None), ("", {"a": {"b": [10, {"c": "deep"}]}}),
])
def test_get_path(path: str, expected: object) -> None:
    assert http_json.get_path({"a": {"b": [10, {"c": "deep"}]}}, path) == expected


def test_a_page_is_mapped_field_by_field() -> None:
    page = http_json.parse_page(json.loads(fixture("api_next_1.json")), url="u", page=1,
                                options=options(items="data"), imported_at=IMPORTED_AT)
    assert len(page.records) == 4
    first = page.records[0]
    assert (first.source, first.external_id, first.rating, first.author) == ("acme", "acme-0000", 5, "client000")
    assert first.created_at == "2026-11-21T01:30:00Z" and first.title == "Great app"
    assert first.language == "fr" and page.records[1].language == "en"


def test_without_fields_item_keys_are_matched_like_file_columns() -> None:
    document = [{"review_id": "x1", "text": "Fresh bread.", "stars": "4", "date": "2026-05-01"}]
    page = http_json.parse_page(document, url="u", page=1, options=http_json.options_from_table(
        {}, default_source="flat", url="http://x.test/r"), imported_at=IMPORTED_AT)
    [record] = page.records
    assert (record.external_id, record.body, record.rating, record.created_at) == (
        "x1", "Fresh bread.", 4, "2026-05-01T00:00:00Z")


def test_invalid_items_are_rejected_with_page_and_position() -> None:
    document = {"data": [{"id": "a", "attributes": {"text": "ok", "stars": 9, "date": "2026-01-01"}}, 42]}
    page = http_json.parse_page(document, url="u", page=3, options=options(items="data"), imported_at=IMPORTED_AT)
    assert [(r.line, r.field) for r in page.rows if isinstance(r, Reject)] == [(1, "rating"), (2, None)]
    assert all(r.reason.startswith("page 3:") for r in page.rows if isinstance(r, Reject))


def test_items_that_are_not_a_list_name_the_page() -> None:
    with pytest.raises(FetchError, match=r'u \(page 2\): "data" is not a list'):
        http_json.parse_page({"data": {"id": 1}}, url="u", page=2, options=options(items="data"),
                             imported_at=IMPORTED_AT)
    with pytest.raises(FetchError, match="set items"):
        http_json.parse_page({"weird": 1}, url="u", page=1, options=options(), imported_at=IMPORTED_AT)


@pytest.mark.parametrize(("table", "message"), [
    ({"fields": {"text": "x"}}, "unknown field 'text'"),
    ({"fields": {"rating": "x"}}, "where the review text is"),
    ({"next": "links.next", "cursor": "meta.c"}, "choose one way to paginate"),
    ({"auth_header": "Authorization"}, "need secret_env"),
    ({"secret_env": "ACME_TOKEN"}, "needs auth_header"),
    ({"token": "abc"}, "unknown key 'token'"),
    ({"max_pages": 0}, "at least 1"),
])
def test_mapping_is_validated(table: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        http_json.options_from_table(table, default_source="x", url="https://api.example.test/r")


def test_next_url_for_each_pagination() -> None:
    first = "http://h.test/r?lang=fr"
    assert http_json.next_url({"links": {"next": "/r?p=2"}}, options(next="links.next"), first, 1, first, 3) == (
        "http://h.test/r?p=2")
    assert http_json.next_url({"links": {"next": None}}, options(next="links.next"), first, 1, first, 3) is None
    assert http_json.next_url({"m": {"c": "xyz"}}, options(cursor="m.c"), first, 1, first, 3) == (
        "http://h.test/r?lang=fr&cursor=xyz")
    assert http_json.next_url({}, options(page_param="page"), first, 1, first, 3) == "http://h.test/r?lang=fr&page=2"
    assert http_json.next_url({}, options(page_param="page"), first, 1, first, 0) is None


# -- over HTTP -------------------------------------------------------------------
def test_next_links_with_a_bearer_token(httpserver: HTTPServer, store: Store, monkeypatch) -> None:
    monkeypatch.setenv("ACME_TOKEN", SECRET)
    serve_next_pages(httpserver, headers={"Authorization": f"Bearer {SECRET}"})
    source = json_source(httpserver, items="data", next="links.next", auth_header="Authorization",
                         auth_prefix="Bearer ", secret_env="ACME_TOKEN")
    result = fetch_source(store, source, settings=fast(retries=0))
    assert result.error is None, result.error
    assert (result.pages, result.imported.inserted) == (3, 10)
    assert store.scalar("SELECT count(*) FROM reviews WHERE source = 'acme'") == 10


def test_cursor_pagination(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request("/v1/reviews", query_string="lang=fr").respond_with_data(fixture("api_cursor_1.json"))
    httpserver.expect_request("/v1/reviews", query_string="lang=fr&cursor=c2").respond_with_data(
        fixture("api_cursor_2.json"))
    source = json_source(httpserver, items="data", cursor="meta.next_cursor", params={"lang": "fr"})
    result = fetch_source(store, source, settings=fast(retries=0))
    assert result.error is None and (result.pages, result.imported.inserted) == (2, 10)


def test_page_number_pagination_stops_at_an_empty_page(httpserver: HTTPServer, store: Store) -> None:
    for number in (1, 2, 3):
        httpserver.expect_request("/v1/reviews", query_string=f"page={number}").respond_with_data(
            fixture(f"api_pages_{number}.json"))
    result = fetch_source(store, json_source(httpserver, page_param="page"), settings=fast(retries=0))
    assert result.error is None and (result.pages, result.imported.inserted) == (3, 10)


def test_max_pages_caps_the_fetch(httpserver: HTTPServer, store: Store) -> None:
    serve_next_pages(httpserver)
    result = fetch_source(store, json_source(httpserver, items="data", next="links.next", max_pages=2),
                          settings=fast(retries=0))
    assert (result.pages, result.imported.inserted) == (2, 8)
    assert any("page limit (2)" in note for note in result.notes)


def test_a_next_link_back_to_an_earlier_page_stops(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request("/v1/reviews").respond_with_json({"data": [], "links": {"next": "/v1/reviews"}})
    result = fetch_source(store, json_source(httpserver, items="data", next="links.next"), settings=fast(retries=0))
    assert result.pages == 1 and result.error is None and "links back" in result.notes[0]


def test_the_token_is_not_sent_to_another_host(httpserver: HTTPServer, store: Store, monkeypatch) -> None:
    monkeypatch.setenv("ACME_TOKEN", SECRET)
    seen: list[str | None] = []

    def other_host(request: Request) -> Response:
        seen.append(request.headers.get("Authorization"))
        return Response(json.dumps({"data": []}), content_type="application/json")

    elsewhere = httpserver.url_for("/elsewhere").replace("localhost", "127.0.0.1")
    httpserver.expect_request("/v1/reviews").respond_with_json(
        {"data": json.loads(fixture("api_next_1.json"))["data"], "links": {"next": elsewhere}})
    httpserver.expect_request("/elsewhere").respond_with_handler(other_host)
    source = json_source(httpserver, items="data", next="links.next", auth_header="X-Api-Key", secret_env="ACME_TOKEN")
    result = fetch_source(store, source, settings=fast(retries=0))
    assert result.error is None and result.pages == 2 and seen == [None]
    assert httpserver.log[0][0].headers.get("X-Api-Key") == SECRET


def test_a_missing_secret_is_a_usage_problem_before_any_run(httpserver: HTTPServer, store: Store,
                                                            monkeypatch) -> None:
    monkeypatch.delenv("ACME_TOKEN", raising=False)
    source = json_source(httpserver, auth_header="Authorization", secret_env="ACME_TOKEN")
    with pytest.raises(UsageProblem, match="environment variable ACME_TOKEN is not set"):
        fetch_source(store, source, settings=fast())
    assert store.scalar("SELECT count(*) FROM import_runs") == 0


def test_the_secret_appears_in_no_output_log_or_table(run_cli, httpserver: HTTPServer, db_path: Path,
                                                      tmp_path: Path, monkeypatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """The token travels in the query string here (the worst case) and the server echoes it back."""
    monkeypatch.setenv("ACME_TOKEN", SECRET)
    calls = {"n": 0}

    def echo_then_fail(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] == 1:
            data = json.loads(fixture("api_next_1.json"))["data"]
            data[1]["attributes"]["stars"] = f"six {request.args['api_key']}"  # a reject whose raw holds it
            return Response(json.dumps({"data": data, "links": {"next": f"/v1/reviews?page=2&k={SECRET}"}}),
                            content_type="application/json")
        return Response(f"error: bad token {SECRET}", status=500, headers={"Retry-After": "0"})

    httpserver.expect_request("/v1/reviews").respond_with_handler(echo_then_fail)
    mapping = write_map(tmp_path / "acme.toml", 'auth_param = "api_key"\nsecret_env = "ACME_TOKEN"')
    with caplog.at_level(logging.DEBUG):
        result = run_cli("fetch", "json", httpserver.url_for("/v1/reviews"), "--map", mapping, "--retries", "1",
                         "--no-sentiment")
    assert_no_crash(result)
    assert result.exit_code == 1
    assert "Error: acme:" in result.stderr and "(page 2): server error 500" in result.stderr
    assert "retrying" in result.stderr and "k=***" in result.stderr
    assert SECRET not in result.output and SECRET not in result.stderr
    ours = [r.getMessage() for r in caplog.records if r.name != "werkzeug"]  # werkzeug is the test server
    assert any("api_key=***" in message for message in ours)
    assert not any(SECRET in message for message in ours)
    assert httpserver.log[0][0].args["api_key"] == SECRET  # it was sent, all the same
    for table in ("import_runs", "reviews", "rejects"):
        dump = json.dumps([dict(row) for row in raw_rows(db_path, f"SELECT * FROM {table}")])
        assert SECRET not in dump, table
    assert db_counts(db_path)["reviews"] == 3  # page 1 is kept


def test_fetch_json_end_to_end_with_a_map_file(run_cli, httpserver: HTTPServer, db_path: Path, tmp_path: Path,
                                               monkeypatch) -> None:
    monkeypatch.setenv("ACME_TOKEN", SECRET)
    serve_next_pages(httpserver, headers={"Authorization": f"Bearer {SECRET}"})
    mapping = write_map(tmp_path / "acme.toml",
                        'auth_header = "Authorization"\nauth_prefix = "Bearer "\nsecret_env = "ACME_TOKEN"')
    url = httpserver.url_for("/v1/reviews")
    first = run_cli("fetch", "json", url, "--map", mapping, "--retries", "0", "--no-sentiment")
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "acme: 10 fetched: 10 new, 0 updated, 0 unchanged, 0 rejected, pages 3"
    again = run_cli("fetch", "json", url, "--map", mapping, "--retries", "0", "--no-sentiment")
    assert "10 unchanged" in again.stdout and db_counts(db_path)["reviews"] == 10


def test_truncated_json_page_is_an_error_naming_the_page(httpserver: HTTPServer, store: Store) -> None:
    httpserver.expect_request("/v1/reviews", query_string="").respond_with_data(fixture("api_next_1.json"))
    httpserver.expect_request("/v1/reviews", query_string={"page[after]": "acme-0003"}).respond_with_data(
        fixture("api_next_2.json")[:300])
    result = fetch_source(store, json_source(httpserver, items="data", next="links.next"), settings=fast(retries=0))
    assert result.error and "(page 2): invalid JSON" in result.error
    assert store.count_reviews() == 4


@pytest.mark.parametrize(("args", "message"), [
    (["http://x.test/r"], "needs --map FILE"),
    (["nosuch"], "neither a URL nor a source"),
    (["http://x.test/r", "--map", "missing.toml"], "no such mapping file"),
])
def test_fetch_json_usage_errors_are_one_line_exit_2(run_cli, args: list[str], message: str) -> None:
    result = run_cli("fetch", "json", *args, "--no-sentiment")
    assert_no_crash(result)
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(("target", "message"), [
    ("http://", "Error: http://: not an http:// or https:// URL with a host"),
    ("http://[::1", "Error: http://[::1: not a usable URL (Invalid IPv6 URL)"),
    ("http://127.0.0.1:99999/r", "Error: http://127.0.0.1:99999/r: not a usable URL (Port out of range 0-65535)"),
    ("ftp://x.test/r", "Error: ftp://x.test/r: not an http:// or https:// URL with a host"),
    ("nosuch", "'nosuch' is neither a URL nor a source"),
])
def test_a_bad_url_is_blamed_on_the_url_not_on_the_mapping_file(run_cli, tmp_path: Path, target: str,
                                                                message: str) -> None:
    mapping = tmp_path / "good.toml"
    mapping.write_text('items = "data"\n[fields]\nbody = "text"\n', encoding="utf-8")
    result = run_cli("fetch", "json", target, "--map", mapping, "--no-sentiment")
    assert_no_crash(result)
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(message) if message.startswith("Error") else message in result.stderr
    assert str(mapping) not in result.stderr


def test_a_bad_mapping_file_names_the_file(run_cli, tmp_path: Path) -> None:
    mapping = tmp_path / "bad.toml"
    mapping.write_text('[fields]\nstars = "x"\n', encoding="utf-8")
    result = run_cli("fetch", "json", "http://x.test/r", "--map", mapping, "--no-sentiment")
    assert result.exit_code == 2 and f"{mapping}: fields: unknown field 'stars'" in result.stderr


def test_redirects_are_followed_but_credentials_stay_home(httpserver: HTTPServer, store: Store,
                                                         monkeypatch) -> None:
    monkeypatch.setenv("ACME_TOKEN", SECRET)
    moved = httpserver.url_for("/moved").replace("localhost", "127.0.0.1")
    httpserver.expect_request("/v1/reviews").respond_with_data("", status=302, headers={"Location": moved})
    httpserver.expect_request("/moved").respond_with_data(fixture("api_pages_2.json"))
    source = json_source(httpserver, auth_header="Authorization", secret_env="ACME_TOKEN")
    result = fetch_source(store, source, settings=fast(retries=0))
    assert result.error is None and result.imported.inserted == 4
    first, second = (request for request, _ in httpserver.log)
    assert first.headers.get("Authorization") == SECRET and second.headers.get("Authorization") is None


def test_a_json_api_404_asks_for_the_url_not_an_app_id(httpserver: HTTPServer, store: Store) -> None:
    """A JSON API has no app id nor country: its 404 said to check them (try10)."""
    httpserver.expect_request("/v1/reviews").respond_with_data("no", status=404)
    result = fetch_source(store, json_source(httpserver), settings=fast(retries=0))
    assert result.error and "not found (404): check the URL and its path" in result.error
    assert "app id" not in result.error and "country" not in result.error
