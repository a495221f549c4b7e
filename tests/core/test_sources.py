"""The sources config (``[sources.NAME]`` tables), ``sources``, ``sync`` and ``sync_all`` for the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from conftest import assert_no_crash, db_counts, raw_rows
from feedback_tui.errors import UsageProblem
from feedback_tui.sources import load_sources, sync_all
from test_http_appstore import fast, serve_appstore
from test_http_json import SECRET, serve_next_pages

SOURCES = """
[sources.ios]
kind = "appstore"
app_id = "1"
country = "us"
product = "Panier"

[sources.acme]
kind = "json"
url = "https://api.acme.example/v1/reviews"
items = "data"
next = "links.next"
auth_header = "Authorization"
auth_prefix = "Bearer "
secret_env = "ACME_TOKEN"
reply_endpoint = "https://api.acme.example/v1/reviews/{external_id}/replies"

[sources.acme.fields]
id = "id"
body = "attributes.text"
rating = "attributes.stars"
created_at = "attributes.date"
"""


@pytest.fixture
def sources_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(SOURCES, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def served(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both sources served by one local server; returns its base URL."""
    monkeypatch.setenv("ACME_TOKEN", SECRET)
    serve_appstore(httpserver)
    serve_next_pages(httpserver, headers={"Authorization": f"Bearer {SECRET}"})
    return httpserver.url_for("/")


# -- loading -------------------------------------------------------------------
def test_sources_are_loaded_and_validated(sources_file: Path) -> None:
    loaded = load_sources(sources_file)
    assert [(s.name, s.kind) for s in loaded.sources] == [("ios", "appstore"), ("acme", "json")]
    ios, acme = loaded.sources
    assert ios.options.product == "Panier" and ios.source_name == "app_store"
    assert acme.secret_env == "ACME_TOKEN" and acme.source_name == "acme"
    assert acme.reply_endpoint.endswith("/{external_id}/replies")
    assert loaded.warnings == []


def test_the_default_config_may_be_absent_but_a_named_file_may_not(tmp_path: Path) -> None:
    assert load_sources().sources == []  # conftest points the config at a missing file
    with pytest.raises(UsageProblem, match="no such sources file"):
        load_sources(tmp_path / "nope.toml")


@pytest.mark.parametrize(("text", "message"), [
    ("[sources.x\n", "invalid TOML"),
    ("sources = 3\n", r"one \[sources.NAME\] table per source"),
    ("[sources.x]\nkind = \"xml\"\n", r"\[sources.x\]: kind must be one of appstore, json"),
    ("[sources.x]\nkind = \"appstore\"\n", "needs app_id"),
    ("[sources.x]\nkind = \"appstore\"\napp_id = 1\ncountri = \"fr\"\n", "unknown key 'countri'"),
    ("[sources.x]\nkind = \"json\"\n", "needs url"),
    ("[sources.x]\nkind = \"json\"\nurl = \"ftp://a/b\"\n", "must start with http"),
    ("[sources.x]\nkind = \"appstore\"\napp_id = 1\nbase_url = \"mirror\"\n", "base_url must be an http"),
])
def test_invalid_sources_name_the_file_and_table(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageProblem, match=message) as caught:
        load_sources(path)
    assert str(caught.value).startswith(str(path))


def test_a_token_in_the_file_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[sources.x]\nkind = "appstore"\napp_id = 1\ntoken = "abc"\n', encoding="utf-8")
    path.chmod(0o644)
    loaded = load_sources(path)
    assert len(loaded.sources) == 1
    [warning] = loaded.warnings
    assert "key 'token' is ignored" in warning and "chmod 600" in warning and "abc" not in warning
    path.chmod(0o600)
    assert "chmod" not in load_sources(path).warnings[0]


# -- sources command ---------------------------------------------------------------
def test_sources_lists_each_source_without_secrets(run_cli, sources_file: Path, monkeypatch) -> None:
    monkeypatch.setenv("ACME_TOKEN", SECRET)
    result = run_cli("sources", "--sources", sources_file)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["ios", "appstore"] and "app 1 in the us store" in lines[0]
    assert lines[1].startswith("acme") and "https://api.acme.example/v1/reviews (next link)" in lines[1]
    assert "secret: $ACME_TOKEN (set)" in lines[1] and "replies: https://api.acme.example" in lines[1]
    assert SECRET not in result.output
    monkeypatch.delenv("ACME_TOKEN")
    assert "$ACME_TOKEN (NOT SET)" in run_cli("sources", "--sources", sources_file).stdout


def test_sources_without_a_config_says_how_to_add_one(run_cli) -> None:
    result = run_cli("sources")
    assert result.exit_code == 0 and "No sources in" in result.stdout and "[sources.NAME]" in result.stdout


def test_a_broken_sources_file_is_one_line_exit_2(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[sources.x]\nkind = 'xml'\n", encoding="utf-8")
    for command in ("sources", "sync"):
        result = run_cli(command, "--sources", path)
        assert_no_crash(result)
        assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, command


# -- sync --------------------------------------------------------------------------
def test_sync_fetches_every_source_with_a_line_each(run_cli, sources_file: Path, served: str,
                                                    db_path: Path) -> None:
    result = run_cli("sync", "--sources", sources_file, "--base-url", served, "--no-sentiment")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "ios: 120 fetched: 120 new, 0 updated, 0 unchanged, 0 rejected, pages 4",
        "acme: 10 fetched: 10 new, 0 updated, 0 unchanged, 0 rejected, pages 3",
    ]
    assert raw_rows(db_path, "SELECT DISTINCT product FROM reviews WHERE source = 'app_store'")[0][0] == "Panier"
    again = run_cli("sync", "--sources", sources_file, "--base-url", served, "--no-sentiment")
    assert again.stdout.splitlines()[0].endswith("0 new, 0 updated, 50 unchanged, 0 rejected, pages 1")
    assert db_counts(db_path)["reviews"] == 130


def test_sync_by_name_and_unknown_names(run_cli, sources_file: Path, served: str, db_path: Path) -> None:
    result = run_cli("sync", "acme", "--sources", sources_file, "--base-url", served, "--no-sentiment")
    assert result.exit_code == 0 and result.stdout.startswith("acme: 10 fetched")
    assert db_counts(db_path)["reviews"] == 10
    unknown = run_cli("sync", "android", "--sources", sources_file, "--no-sentiment")
    assert unknown.exit_code == 2 and "no source named 'android' (configured: ios, acme)" in unknown.stderr


def test_one_failing_source_does_not_stop_the_others(run_cli, sources_file: Path, served: str, db_path: Path,
                                                     monkeypatch) -> None:
    monkeypatch.delenv("ACME_TOKEN")
    result = run_cli("sync", "--sources", sources_file, "--base-url", served, "--no-sentiment")
    assert_no_crash(result)
    assert result.exit_code == 2
    assert "Error: acme: source 'acme': the environment variable ACME_TOKEN is not set" in result.stderr
    assert result.stdout.startswith("ios: 120 fetched") and db_counts(db_path)["reviews"] == 120


# -- sync_all, as the app calls it from a worker ---------------------------------------
def test_sync_all_reports_progress_and_results(sources_file: Path, served: str, db_path: Path) -> None:
    events: list[tuple[int, int, str]] = []
    results = sync_all(db_path, sources_file, progress=lambda done, total, message: events.append(
        (done, total, message)), base_url=served, score_sentiment=False, settings=fast(retries=0))
    assert [r.summary() for r in results] == [
        "ios: 120 fetched: 120 new, 0 updated, 0 unchanged, 0 rejected, pages 4",
        "acme: 10 fetched: 10 new, 0 updated, 0 unchanged, 0 rejected, pages 3",
    ]
    assert all(r.ok for r in results)
    totals = {total for _, total, _ in events}
    assert totals == {60}  # 10 App Store pages + the 50-page default cap for the JSON API
    done = [d for d, _, _ in events]
    assert done == sorted(done) and done[-1] == 60
    assert events[0][2] == "Fetching ios"


def test_sync_all_stops_when_asked(sources_file: Path, served: str, db_path: Path) -> None:
    pages = []
    results = sync_all(db_path, sources_file, progress=lambda d, t, m: pages.append(d),
                       should_stop=lambda: bool(pages) and pages[-1] >= 1, base_url=served, score_sentiment=False,
                       settings=fast(retries=0))
    assert [r.name for r in results] == ["ios"] and results[0].cancelled and results[0].pages == 1
    assert "(cancelled)" in results[0].summary()
    run = raw_rows(db_path, "SELECT status, inserted FROM import_runs")[0]
    assert (run["status"], run["inserted"]) == ("interrupted", 50)


def test_sync_all_collects_errors_and_scores_sentiment(sources_file: Path, served: str, db_path: Path,
                                                       monkeypatch) -> None:
    monkeypatch.delenv("ACME_TOKEN")
    results = sync_all(db_path, sources_file, names=["ios", "acme"], base_url=served, settings=fast(retries=0))
    ios, acme = results
    assert ios.ok and ios.imported.inserted == 120
    assert not acme.ok and acme.exit_code == 2 and "ACME_TOKEN is not set" in acme.error
    assert raw_rows(db_path, "SELECT count(*) FROM reviews WHERE sentiment IS NULL")[0][0] == 0


def test_sync_all_rejects_a_bad_file_or_name(tmp_path: Path, sources_file: Path) -> None:
    with pytest.raises(UsageProblem, match="no source named 'x'"):
        sync_all(tmp_path / "f.db", sources_file, names=["x"])
    assert not (tmp_path / "f.db").exists()



def test_fetch_json_by_source_name(run_cli, sources_file: Path, served: str, db_path: Path) -> None:
    result = run_cli("fetch", "json", "acme", "--sources", sources_file, "--base-url", served, "--no-sentiment")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("acme: 10 fetched: 10 new")
    origin = raw_rows(db_path, "SELECT origin FROM import_runs")[0]["origin"]
    assert origin == f"{served.rstrip('/')}/v1/reviews"


def test_sentiment_after_a_sync_detects_only_the_configured_languages(run_cli, sources_file: Path, served: str,
                                                                       db_path: Path, monkeypatch) -> None:
    """App Store rows carry no language: the sentiment pass detects it, among the
    config's ``languages`` only (here French alone), as after a file import."""
    monkeypatch.delenv("ACME_TOKEN")
    sync_all(db_path, sources_file, names=["ios"], base_url=served, settings=fast(retries=0))
    detected = {row[0] for row in raw_rows(db_path, "SELECT DISTINCT language FROM reviews")}
    assert detected == {"en", "fr"}  # the defaults: the feed's English reviews are English
    french_only = db_path.with_name("french.db")
    sync_all(french_only, sources_file, names=["ios"], base_url=served, settings=fast(retries=0), languages=["fr"])
    assert {row[0] for row in raw_rows(french_only, "SELECT DISTINCT language FROM reviews")} == {"fr"}

    config = sources_file.with_name("french.toml")
    config.write_text('languages = ["fr"]\n' + sources_file.read_text(encoding="utf-8"), encoding="utf-8")
    config.chmod(0o600)
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(config))
    cli_db = db_path.with_name("cli.db")
    result = run_cli("--db", cli_db, "sync", "ios", "--sources", config, "--base-url", served)
    assert result.exit_code == 0, result.output
    assert {row[0] for row in raw_rows(cli_db, "SELECT DISTINCT language FROM reviews")} == {"fr"}
