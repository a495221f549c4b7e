"""Every CLI command, with a payload in every field, name, path and value it prints
(fixtures/hostile/surfaces.py): nothing it writes holds a raw ESC, C1, BEL or bidi
control, JSON stays valid (controls escaped, never NaN), and hostile databases,
configs, dates and servers are one line and an exit code, never a traceback.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from conftest import assert_no_crash
from feedback_tui.cli import cli
from feedback_tui.delivery import ReplyEndpoint, deliver
from feedback_tui.importers.http import FetchError, HttpClient, HttpSettings
from feedback_tui.store import Store
from test_hostile_surfaces import FORBIDDEN, HOSTILE, PAYLOAD, assert_inert, fill, surfaces

EVIL_NAME = "evil\x1b]2;PWNED-TITLE\x07[bold]\u202e"  # a file name cannot hold "/": markup that styles


def output_of(result: Result) -> str:
    return result.stdout + result.stderr


@pytest.fixture
def evil_db(tmp_path: Path) -> Path:
    """A database whose own path holds a payload, filled with the every-field corpus."""
    folder = tmp_path / EVIL_NAME
    folder.mkdir()
    db = folder / f"{EVIL_NAME}.db"
    fill(db)
    return db


def run(db: Path, *args: object) -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), *(str(a) for a in args)])
    assert_no_crash(result)
    assert_inert(output_of(result), " ".join(str(a) for a in args[:2]))
    return result


def map_file(tmp_path: Path) -> Path:
    path = tmp_path / "map.toml"
    path.write_text('source = "acme"\nitems = "reviews"\nnext = "next"\n[fields]\nid = "id"\nbody = "text"\n'
                    'rating = "rating"\ncreated_at = "date"\nauthor = "author"\n', encoding="utf-8")
    return path


def test_every_command_prints_the_payloads_inert(evil_db: Path, tmp_path: Path, httpserver: HTTPServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes((HOSTILE / "config.toml").read_bytes())
    config.chmod(0o600)
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(config))
    tried: set[str] = set()

    def command(*args: object) -> Result:
        tried.add(str(args[0]) if args[0] != "fetch" else f"fetch {args[1]}")
        return run(evil_db, *args)

    evil_file = tmp_path / f"{EVIL_NAME}.csv"
    evil_file.write_text(f"id,rating,body,author,date\nx-1,4,{PAYLOAD.replace(',', ' ')},a,2026-03-01\n"
                         "x-2,9,bad rating,b,2026-03-01\n", encoding="utf-8")
    # (a file name that is not UTF-8 is issue 21 item 4, the importers' side)
    result = command("import", evil_file, tmp_path / "missing\x1b[2J.csv")
    assert "Warning:" in result.stderr and "'sla_hours'" in result.stderr  # one warning per bad config key
    assert "PWNED-TITLE" in output_of(result) and result.exit_code == 2
    command("runs")
    command("rejects")
    command("sources")
    result = command("score")
    for args in (("--json",), ("--json", "--segment", "source"), ("--json", "--segment", "product"),
                 ("--json", "--segment", "agent"), ("--segment", "agent"), ("--by", "month", "--segment", "language")):
        result = command("score", *args)
        if "--json" in args:
            assert json.loads(result.stdout)
    for fmt in ("md", "json", "csv"):
        result = command("report", "--format", fmt, "--today", "2026-03-31")
        assert "PWNED" not in result.stdout or "␛" in result.stdout
    for fmt in ("json", "jsonl"):
        result = command("export", "--format", fmt)
        assert "\\u001b]2;PWNED-TITLE\\u0007" in result.stdout  # escaped: the same text once parsed
    out = tmp_path / "export.csv"
    command("export", "-o", out)
    command("rescore")
    labelled = tmp_path / "labelled.csv"
    labelled.write_text(f"text,label,language\ngreat,positive,{EVIL_NAME}\nawful,negative,en\n", encoding="utf-8")
    command("eval-sentiment", labelled, "--label-column", "label", "--language-column", "language")
    command("eval-sentiment", labelled, "--label-column", "label", "--language-column", "language", "--json")
    command("train-sentiment")
    command("train-sentiment", "--min-per-class", 1, "--folds", 2, "--json")
    command("train-sentiment", "--report")

    # HTTP: a next link with controls, a server's damaged JSON
    httpserver.expect_request("/v1/reviews").respond_with_json(
        surfaces.api_page_with_next("/v1/reviews?page=2&x=\x1b]52;c;SGFja2Vk\x07"))
    result = command("fetch", "json", httpserver.url_for("/v1/reviews"), "--map", map_file(tmp_path))
    assert "not followed" in result.stderr and result.exit_code != 0
    with Store.open(evil_db) as store:  # the page before the bad link is kept
        assert store.scalar("SELECT count(*) FROM reviews WHERE external_id = 'http-1'") == 1
    command("fetch", "appstore", "--app-id", "123", "--base-url", "http://127.0.0.1:9\x1b]2;PWNED-TITLE\x07",
            "--retries", "0")
    command("sync")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / f"demo{EVIL_NAME}.db"), "demo", "--no-app"])
    assert_no_crash(result)
    assert_inert(output_of(result), "demo")
    tried.add("demo")

    # serve and agents (issue 20): a name or a value with a payload is refused inert, nothing served
    for args in (("agents", "add", EVIL_NAME, "--password-stdin"), ("agents", "remove", EVIL_NAME),
                 ("agents", "list")):
        command(*args)
        tried.add(f"{args[0]} {args[1]}")
    for option, value in (("--trusted-proxy", EVIL_NAME), ("--public-url", EVIL_NAME),
                          ("--public-url", f"https://{EVIL_NAME}.example")):
        result = command("serve", option, value)
        assert result.exit_code == 2 and "PWNED-TITLE" in output_of(result)
    # orders whose ids and country carry the payloads, then every view of them
    orders = tmp_path / f"orders{EVIL_NAME}.csv"
    clean_payload = PAYLOAD.replace(",", " ")
    orders.write_text("order_id,customer,created_at,amount,country\n"
                      f"{clean_payload},{clean_payload},2026-01-31 23:59:59,10,{clean_payload}\n"
                      f"o-2,{clean_payload},2026-02-01 00:00:00,-5,{clean_payload}\n"
                      f"o-3,,2026-02-01,5,{clean_payload}\n", encoding="utf-8")
    result = command("import", orders, "--kind", "orders")
    assert result.exit_code == 1 and "field 'customer'" in result.stderr
    for args in ((), ("--json",), ("--segment", "country"), ("--by", "quarter", "--json", "--segment", "country")):
        result = command("retention", *args)
        assert result.exit_code == 0
        if "--json" in args:
            assert json.loads(result.stdout)["periods"]
    links = tmp_path / "links.csv"
    links.write_text(f"review_id,customer\nx-1,{clean_payload}\n{clean_payload},c-1\n", encoding="utf-8")
    result = command("link-customers", links)
    assert result.exit_code == 1 and "1 reviews linked" in result.stdout

    every = {name for name, cmd in cli.commands.items() if not isinstance(cmd, click.Group)}
    every |= {f"{name} {sub}" for name, cmd in cli.commands.items() if isinstance(cmd, click.Group)
              for sub in cmd.commands}
    assert every <= tried, f"commands never tried with hostile input: {sorted(every - tried)}"


def test_api_json_with_lone_surrogates_and_nul_is_repaired(httpserver: HTTPServer, db_path: Path,
                                                           tmp_path: Path) -> None:
    httpserver.expect_request("/v1/reviews").respond_with_data(surfaces.API_DAMAGED_TEXT,
                                                                content_type="application/json")
    result = run(db_path, "fetch", "json", httpserver.url_for("/v1/reviews"), "--map", map_file(tmp_path))
    assert result.exit_code == 0, output_of(result)
    with Store.open(db_path) as store:
        row = store.query("SELECT body, author FROM reviews WHERE external_id = 'http-2'")[0]
    assert row["body"] == "lone \ufffd surrogate and \ufffd NUL" and row["author"] == "\ufffdx"


# -- JSON output and config values --------------------------------------------------------------------
def test_score_json_escapes_c1_and_bidi_and_never_prints_nan(evil_db: Path) -> None:
    result = run(evil_db, "score", "--json", "--segment", "source")
    text = result.stdout
    assert "\\u009b" in text and "\\u202e" in text and "NaN" not in text and "Infinity" not in text
    segment = json.loads(text)["segments"][0]["segment"]
    assert segment == surfaces.field_value("source")  # the escapes mean the very same text


@pytest.mark.parametrize("line, key", [
    ("sla_hours = nan", "'sla_hours'"), ("sla_hours = inf", "'sla_hours'"), ("sla_hours = -3", "'sla_hours'"),
    ('languages = ["en", "english"]', "'languages'"), ('languages = ["klingon"]', "'languages'"),
    ('[limits]\ngoogle_play = {max = "abc"}', "[limits] google_play"), ("[limits]\ngoogle_play = 1e400", "[limits]"),
    ('[keys]\n"app.quit" = "\\u001b[2J"', "[keys]"), ('agent = "x\\u202ey"', "'agent'"),
])
def test_each_bad_config_value_is_one_warning_naming_its_key(line: str, key: str, db_path: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(line + "\n", encoding="utf-8")
    config.chmod(0o600)
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(config))
    result = run(db_path, "score", "--json")
    warnings = [w for w in result.stderr.splitlines() if w.startswith("Warning:")]
    assert len(warnings) == 1 and key in warnings[0], result.stderr
    figures = json.loads(result.stdout)
    assert figures["responses"]["sla_hours"] == 24  # the default stands in


@pytest.mark.parametrize("agent", ["bad\x1b]2;x\x07", "a\u202eb", "  ", "x" * 101,
                                   b"caf\xe9".decode("utf-8", "surrogateescape")])
def test_an_invalid_agent_name_is_refused_at_start(agent: str, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--agent", agent, "score"])
    assert result.exit_code == 2 and result.stderr.startswith("Error: --agent: the agent name")
    assert_inert(output_of(result))
    monkeypatch.setenv("FEEDBACK_TUI_AGENT", agent)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "score"])
    assert result.exit_code == 2 and "$FEEDBACK_TUI_AGENT" in result.stderr


# -- dates ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [("score", "--until", "9999-12-31"), ("score", "--since", "0001-01-01"),
                                  ("report", "--today", "9999-12-31"), ("report", "--since", "0001-01-01"),
                                  ("export", "--until", "9999-12-31")])
def test_out_of_range_date_options_are_one_line(args: tuple[str, ...], db_path: Path) -> None:
    result = run(db_path, *args)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "out of range (1970" in result.stderr and "2199" in result.stderr


def test_a_stored_far_future_date_breaks_no_later_command(evil_db: Path) -> None:
    surfaces.damage_database(evil_db, "far_future")
    for args in (("score",), ("score", "--by", "day"), ("score", "--by", "week", "--json"), ("report",),
                 ("report", "--format", "json"), ("report", "--period", "quarter"), ("export", "--format", "json"),
                 ("rescore",)):
        result = run(evil_db, *args)
        assert result.exit_code == 0, (args, output_of(result))
    with Store.open(evil_db) as store:  # and a later import still refreshes the rollups
        assert store.scalar("SELECT count(*) FROM reviews WHERE created_at LIKE '9999-%'") == 1


# -- database files ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, words", [("newer_schema", "made by a newer feedback-tui"),
                                         ("missing_table", "table review_tags missing"),
                                         ("invalid_utf8", "not valid UTF-8")])
def test_a_hostile_database_is_one_line_and_exit_3(kind: str, words: str, evil_db: Path) -> None:
    surfaces.damage_database(evil_db, kind)
    commands = [("score",), ("report",), ("export", "--format", "jsonl"), ("runs",)]
    if kind == "invalid_utf8":  # only what reads the damaged column fails; the rest still works
        commands = [("export", "--format", "jsonl")]
        assert run(evil_db, "score").exit_code == 0
    for args in commands:
        result = run(evil_db, *args)
        assert result.exit_code == 3, (args, output_of(result))
        assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr


def test_rollups_are_never_read_when_reviews_are_gone(evil_db: Path) -> None:
    conn = sqlite3.connect(evil_db)
    conn.execute("DROP TABLE reviews")  # review_daily still holds the old figures
    conn.close()
    result = run(evil_db, "score", "--json")
    assert result.exit_code == 3 and "reviews" in result.stderr and result.stdout == ""


# -- HTTP: a server that drips, a reason phrase with markup ---------------------------------------------
@pytest.fixture
def raw_server() -> Iterator[tuple[str, list[bytes], list[int]]]:
    """A TCP server answering each request with the bytes in ``answers[0]``, one byte
    every 0.2 s when they start with b"DRIP:" (a slow-loris server); ``accepted`` gets
    one entry per connection, so a test can tell a retry from a single attempt."""
    answers: list[bytes] = [b""]
    accepted: list[int] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                data = answers[0]
                if data.startswith(b"DRIP:"):
                    for byte in data[5:]:
                        if stop.is_set():
                            return
                        conn.send(bytes([byte]))
                        time.sleep(0.2)
                else:
                    conn.sendall(data)
            except OSError:
                return

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(1)
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", answers, accepted
    stop.set()
    server.close()


def test_a_slow_loris_server_meets_the_deadline_of_one_request(raw_server: tuple[str, list[bytes], list[int]]) -> None:
    url, answers, accepted = raw_server
    answers[0] = b"DRIP:" + surfaces.SLOW_LORIS_HEADERS  # each read is fast; the whole is not
    with HttpClient(HttpSettings(timeout=5, deadline=1.0, retries=2, backoff=0.01)) as client:
        with pytest.raises(FetchError, match=r"no complete answer within 1 s \(the deadline for one page\)"):
            client.get_json(url + "/reviews", page=1)
    assert len(accepted) == 1  # not retried: a dripping server would hold a run for ever


def test_a_reason_phrase_with_markup_and_controls_comes_back_as_text(raw_server: tuple[str, list[bytes], list[int]]) -> None:
    url, answers, accepted = raw_server
    answers[0] = surfaces.CLICK_REASON
    status, error = deliver(ReplyEndpoint(url=url + "/replies"), {"text": "hi"}, sleep=lambda s: None)
    assert status == "failed" and error is not None and "[@click=app.quit]" in error
    # what reaches a toast: App.notify never parses markup (tested in test_hostile_surfaces)


@pytest.mark.parametrize("link", ["javascript:alert(1)", "http://", "ftp://example.com/x", "http://exa mple.com/",
                                  "http://example.com/\x00", "http://example.com:99999/"])
def test_urls_from_a_server_are_checked_before_use(link: str) -> None:
    with HttpClient(HttpSettings(retries=0)) as client:
        with pytest.raises(FetchError, match="not followed") as caught:
            client.get_json(link, page=2)
    for bad in FORBIDDEN:
        assert bad not in str(caught.value)


def test_a_reply_endpoint_that_drips_meets_the_deadline(raw_server: tuple[str, list[bytes], list[int]]) -> None:
    url, answers, accepted = raw_server
    answers[0] = b"DRIP:" + surfaces.SLOW_LORIS_HEADERS
    status, error = deliver(ReplyEndpoint(url=url + "/replies", timeout=5, deadline=1.0, retries=2),
                            {"text": "hi"}, sleep=lambda s: None)
    assert status == "failed" and error is not None and "within 1 s" in error
    assert len(accepted) == 1
