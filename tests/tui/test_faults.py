"""Faults: a killed import, a locked, full, corrupt or read-only database, a broken config.

Every fault ends in a consistent database and, for the user, one clear line
and an exit code (3 for the database), never a traceback nor a lost row.

The kill -9 test runs 3 rounds here; ``pytest -m slow tests/tui/test_faults.py``
runs the 20 rounds in a row that the acceptance asks for.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import FIXTURES, assert_no_crash
from feedback_tui.cli import Context, cli
from feedback_tui.config import load_config
from feedback_tui.errors import DatabaseProblem
from feedback_tui.importers import open_input
from feedback_tui.store import Store
from feedback_tui.store.imports import import_rows

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _slow_only_when_asked(request: pytest.FixtureRequest) -> None:
    """``slow`` tests run only when selected: ``pytest -m slow``."""
    if request.node.get_closest_marker("slow") and "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("slow: run with pytest -m slow")
KILL_ROWS = 12_000
KILL_BATCH = 500
IMPORTER = """
import sys
from feedback_tui.importers import open_input
from feedback_tui.store import Store
from feedback_tui.store.imports import import_rows
store = Store.open(sys.argv[1])
parsed = open_input(sys.argv[2], imported_at="2026-12-01T00:00:00Z")
import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows, batch_size=int(sys.argv[3]))
"""


def big_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "rating", "title", "body", "author", "created_at", "reply", "reply_at"])
        for i in range(rows):
            writer.writerow([f"k{i:06d}", 1 + i % 5, f"title {i}", f"Review number {i}: " + "la livraison " * (i % 7 + 1),
                             f"author {i % 97}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
                             f"reply {i}" if i % 3 == 0 else "", "2026-12-01T00:00:00Z" if i % 3 == 0 else ""])
    return path


def _running(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=0.05)
        try:
            return conn.execute("SELECT count(*) FROM import_runs WHERE status = 'running'").fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def kill_and_rerun(tmp_path: Path, source: Path, rng: random.Random, window: float, round_: int) -> str:
    """Start an import, SIGKILL it at a random moment, import again; check everything."""
    db = tmp_path / f"kill-{round_}.db"
    process = subprocess.Popen([sys.executable, "-c", IMPORTER, str(db), str(source), str(KILL_BATCH)], env=_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not _running(db) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(rng.uniform(0, window * 0.7))  # the window includes the interpreter exit
    process.send_signal(signal.SIGKILL)
    code = process.wait()
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert code in (-signal.SIGKILL, 0), stderr
    moment = "killed" if code == -signal.SIGKILL else "finished"

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        killed = conn.execute("SELECT id, status, inserted FROM import_runs").fetchall()
        assert len(killed) == 1
        run_id, status, inserted = killed[0]
        # each batch commits with the run's counters: they match what is in the table
        assert conn.execute("SELECT count(*) FROM reviews WHERE import_run_id = ?", (run_id,)).fetchone()[0] == inserted
        assert inserted % KILL_BATCH == 0 or inserted == KILL_ROWS
    finally:
        conn.close()

    result = CliRunner().invoke(cli, ["--db", str(db), "import", "--no-sentiment", str(source)])
    assert result.exit_code == 0, result.output
    assert f"{KILL_ROWS - inserted:,} new, 0 updated, {inserted:,} unchanged, 0 rejected" in result.output, result.output

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT count(*), count(DISTINCT source || '/' || external_id) FROM reviews").fetchone() \
            == (KILL_ROWS, KILL_ROWS)
        ids = {row[0] for row in conn.execute("SELECT external_id FROM reviews")}
        assert ids == {f"k{i:06d}" for i in range(KILL_ROWS)}
        assert conn.execute("SELECT count(*) FROM replies").fetchone()[0] == len(range(0, KILL_ROWS, 3))
        assert conn.execute("SELECT count(*) FROM reviews WHERE has_reply = 1").fetchone()[0] == len(range(0, KILL_ROWS, 3))
        runs = conn.execute("SELECT status FROM import_runs ORDER BY id").fetchall()
        assert [r[0] for r in runs] == ["interrupted" if status == "running" else status, "done"]
        assert conn.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0
    finally:
        conn.close()
    return moment if status == "running" else "finished"


def _measure(tmp_path: Path, source: Path) -> float:
    db = tmp_path / "timing.db"
    process = subprocess.Popen([sys.executable, "-c", IMPORTER, str(db), str(source), str(KILL_BATCH)], env=_env())
    while not _running(db) and process.poll() is None:
        time.sleep(0.005)
    start = time.monotonic()
    assert process.wait() == 0
    return time.monotonic() - start


def _kill_rounds(tmp_path: Path, rounds: int) -> list[str]:
    source = big_csv(tmp_path / "big.csv", KILL_ROWS)
    window = _measure(tmp_path, source)
    rng = random.Random(8)
    moments = [kill_and_rerun(tmp_path, source, rng, window, i) for i in range(rounds)]
    print(f"kill -9: {rounds} rounds, {moments.count('killed')} killed mid-import, import takes {window:.2f} s")
    return moments


def test_kill_9_during_an_import_then_rerun_completes_it(tmp_path: Path) -> None:
    moments = _kill_rounds(tmp_path, 3)
    assert "killed" in moments


@pytest.mark.slow
def test_kill_9_twenty_times_in_a_row(tmp_path: Path) -> None:
    moments = _kill_rounds(tmp_path, 20)
    assert moments.count("killed") >= 12


# -- a locked database -----------------------------------------------------------------------------
HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE reviews SET is_read = is_read")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def hold_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout and holder.stdout.readline().strip() == "locked"
    return holder


def seeded(db: Path) -> Path:
    result = CliRunner().invoke(cli, ["--db", str(db), "import", "--no-sentiment", str(FIXTURES / "reviews.csv")])
    assert result.exit_code == 0
    return db


def test_a_database_locked_longer_than_the_busy_timeout_says_so_in_one_line(
        db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Result]) -> None:
    seeded(db_path)
    before = sqlite3.connect(db_path).execute("SELECT count(*) FROM import_runs").fetchone()[0]
    monkeypatch.setenv("FEEDBACK_TUI_BUSY_TIMEOUT_MS", "300")
    holder = hold_lock(db_path, 3)
    try:
        start = time.monotonic()
        result = run_cli("import", "--no-sentiment", FIXTURES / "reviews.json")
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    assert_no_crash(result)
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and "busy" in lines[0] and "more than 0.3 s" in lines[0]
    assert "database is locked" not in result.stderr
    assert waited >= 0.3  # it gave up at the busy timeout: the 3 s lock was still held (the error says busy)
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM import_runs").fetchone()[0] == before


def test_a_short_lock_is_waited_for(db_path: Path, run_cli: Callable[..., Result]) -> None:
    seeded(db_path)
    holder = hold_lock(db_path, 0.6)
    try:
        result = run_cli("import", "--no-sentiment", FIXTURES / "reviews.json")
    finally:
        holder.wait()
    assert result.exit_code == 0, result.output + result.stderr
    assert "new" in result.output


# -- a full disk -------------------------------------------------------------------------------------
def test_a_full_disk_is_one_clear_error_and_keeps_every_committed_row(tmp_path: Path, db_path: Path) -> None:
    first = big_csv(tmp_path / "first.csv", 300)
    second = tmp_path / "second.csv"
    with second.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "body", "created_at"])
        writer.writerows([f"big{i}", "x" * 4000, "2026-05-01T00:00:00Z"] for i in range(3000))
    with Store.open(db_path) as store:
        parsed = open_input(first, imported_at="2026-12-01T00:00:00Z")
        import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows)
        committed = store.query("SELECT id, body FROM reviews ORDER BY id")
        pages = store.scalar("PRAGMA page_count")
        store.conn.execute(f"PRAGMA max_page_count = {int(pages) + 40}")  # room for ~1 batch of 1000, not 3
        parsed = open_input(second, imported_at="2026-12-01T00:00:00Z")
        with pytest.raises(DatabaseProblem) as raised:
            import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows, batch_size=1000)
    message = str(raised.value)
    assert "full" in message and "nothing after the last save was written" in message and "\n" not in message
    with Store.open(db_path) as store:
        assert store.query("SELECT id, body FROM reviews WHERE source = 'first' ORDER BY id") == committed
        big = store.scalar("SELECT count(*) FROM reviews WHERE source = 'second'")
        assert big % 1000 == 0  # whole batches or nothing
        status = store.query("SELECT status FROM import_runs ORDER BY id DESC LIMIT 1")[0][0]
        assert status == "failed"
        assert store.scalar("PRAGMA integrity_check") == "ok"


def test_a_full_disk_through_the_cli_is_exit_3(tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               run_cli: Callable[..., Result]) -> None:
    seeded(db_path)
    source = big_csv(tmp_path / "more.csv", 3000)
    real_open = Context.open_store

    def nearly_full(self: Context) -> Store:
        store = real_open(self)
        store.conn.execute(f"PRAGMA max_page_count = {int(store.scalar('PRAGMA page_count')) + 5}")
        return store

    monkeypatch.setattr(Context, "open_store", nearly_full)
    result = run_cli("import", "--no-sentiment", source)
    assert_no_crash(result)
    assert result.exit_code == 3
    assert [line for line in result.stderr.splitlines() if line.startswith("Error:")] == [
        f"Error: {db_path}: the disk or database is full; nothing after the last save was written"]


# -- corrupt or not a database ------------------------------------------------------------------------
def _corruptions(tmp_path: Path, good: Path) -> dict[str, Path]:
    out = {}
    text = tmp_path / "notes.txt"
    text.write_text("this is not a database\n" * 100)
    out["text"] = text
    noise = tmp_path / "noise.db"
    noise.write_bytes(random.Random(1).randbytes(64 * 1024))
    out["noise"] = noise
    csv_file = tmp_path / "reviews.csv"
    shutil.copy(FIXTURES / "reviews.csv", csv_file)
    out["csv given as --db"] = csv_file
    header_only = tmp_path / "header.db"
    header_only.write_bytes(good.read_bytes()[:100] + b"\xff" * 4000)
    out["damaged pages"] = header_only
    mangled = tmp_path / "mangled.db"
    data = bytearray(good.read_bytes())
    for offset in range(4096, len(data), 4096):  # smash the start of every page after the first
        data[offset:offset + 64] = b"\xa5" * 64
    mangled.write_bytes(bytes(data))
    out["mangled"] = mangled
    return out


@pytest.mark.parametrize("command", [["score"], ["import", "--no-sentiment", str(FIXTURES / "reviews.json")],
                                     ["export", "--format", "json"], ["runs"]])
def test_a_corrupt_or_non_sqlite_file_is_one_clear_line(tmp_path: Path, db_path: Path, command: list[str]) -> None:
    seeded(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for label, path in _corruptions(tmp_path, db_path).items():
        before = path.read_bytes()
        result = CliRunner().invoke(cli, ["--db", str(path), *command])
        assert_no_crash(result)
        assert result.exit_code == 3, (label, result.output, result.stderr)
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, (label, result.stderr)
        assert str(path) in errors[0] and ("not a feedback-tui database" in errors[0] or "damaged" in errors[0]), errors
        assert path.read_bytes() == before, f"{label}: the file was changed"


def test_the_app_refuses_a_corrupt_file_before_the_screen_switches(tmp_path: Path) -> None:
    path = tmp_path / "noise.db"
    path.write_bytes(b"\x00garbage" * 1000)
    result = CliRunner().invoke(cli, ["--db", str(path)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {path}: not a feedback-tui database")


# -- read-only ----------------------------------------------------------------------------------------
def test_read_only_by_request_reads_and_refuses_writes_politely(db_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                run_cli: Callable[..., Result]) -> None:
    seeded(db_path)
    before = db_path.read_bytes()
    monkeypatch.setenv("FEEDBACK_TUI_READ_ONLY", "1")
    assert run_cli("score").exit_code == 0
    assert run_cli("export", "--format", "jsonl").exit_code == 0
    result = run_cli("import", "--no-sentiment", FIXTURES / "reviews.json")
    assert_no_crash(result)
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        f"Error: {db_path}: the database is open read-only; this change was not saved"]
    assert db_path.read_bytes() == before
    with Store.open(db_path) as store:
        assert store.readonly
        with pytest.raises(DatabaseProblem, match="read-only"):
            store.conn.execute("PRAGMA user_version = 1") if False else None
            with store.write():
                pass
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
            store.conn.execute("DELETE FROM reviews")  # query_only: not even a raw statement can write


def _make_unwritable(path: Path) -> Callable[[], None]:
    """A file no one may write, even root: chattr +i (root), else chmod 0444."""
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("running as root without chattr +i: cannot make a file unwritable")
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=False)
    path.chmod(0o444)
    return lambda: path.chmod(0o600)


def test_an_unwritable_database_file_opens_read_only(db_path: Path, run_cli: Callable[..., Result]) -> None:
    seeded(db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    restore = _make_unwritable(db_path)
    try:
        with pytest.raises(OSError):
            db_path.open("ab").close()  # really unwritable, for this user too
        score = run_cli("score", "--json")
        assert score.exit_code == 0, score.output + score.stderr
        result = run_cli("import", "--no-sentiment", FIXTURES / "reviews.json")
        assert result.exit_code == 3
        assert "read-only" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    finally:
        restore()


async def test_the_app_on_a_read_only_database_shows_a_banner_and_refuses_triage_politely(
        demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feedback_tui.tui.app import FeedbackApp
    from feedback_tui.tui.screens.review import ReviewScreen
    from tui_helpers import SIZE, notifications, screen_text, settle

    monkeypatch.setenv("FEEDBACK_TUI_READ_ONLY", "1")
    before = demo_db.read_bytes()
    app = FeedbackApp(db_path=demo_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.read_only
        assert "READ-ONLY" in screen_text(app)
        for key in ("a", "e", "exclamation_mark", "t", "r", "u", "n"):
            await pilot.press(key)
            await settle(app, pilot)
            assert type(app.screen).__name__ == "InboxScreen", key
        assert all(n.severity == "warning" for n in app._notifications), notifications(app)
        assert any("read-only" in n for n in notifications(app))
        await pilot.press("enter")  # reading a review still works (it is not marked read)
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "Loading" not in screen_text(app)
        assert not [n for n in app._notifications if n.severity == "error"]
    assert demo_db.read_bytes() == before


def test_the_database_file_is_created_private(tmp_path: Path, run_cli: Callable[..., Result], db_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert run_cli("import", "--no-sentiment", FIXTURES / "reviews.csv").exit_code == 0
        with Store.open(db_path) as store:  # keep it open: the WAL and shared-memory files exist now
            store.scalar("SELECT count(*) FROM reviews")
            for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
                if path.exists():
                    assert path.stat().st_mode & 0o777 == 0o600, path
    finally:
        os.umask(old)


# -- config ------------------------------------------------------------------------------------------
def test_a_missing_config_means_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nowhere.toml")
    assert config.warnings == [] and config.languages == ["en", "fr"] and config.sla_hours == 24.0


@pytest.mark.parametrize("content", ["this is = not toml [", "\udcff", "sla_hours = 'soon'\nlanguages = 3\nagent = 7"])
def test_a_broken_config_falls_back_to_defaults_with_a_warning(tmp_path: Path, content: str,
                                                               monkeypatch: pytest.MonkeyPatch, db_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    path.chmod(0o600)
    config = load_config(path)
    assert config.warnings and all(str(path) in w for w in config.warnings)
    assert config.sla_hours == 24.0 and config.languages == ["en", "fr"]
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(path))
    result = CliRunner().invoke(cli, ["--db", str(db_path), "score"])
    assert result.exit_code == 0
    assert result.stderr.startswith("Warning: ")


def test_a_config_directory_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "config.toml"
    folder.mkdir()
    assert load_config(folder).warnings


def test_a_config_other_users_can_read_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('agent = "camille"\n', encoding="utf-8")
    path.chmod(0o644)
    [warning] = load_config(path).warnings
    assert "chmod 600" in warning and "0644" in warning
    path.chmod(0o600)
    assert load_config(path).warnings == []


def test_a_missing_mapping_file_is_one_line(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    result = run_cli("fetch", "json", "https://api.example.invalid/reviews", "--map", tmp_path / "absent.toml")
    assert_no_crash(result)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "absent.toml" in result.stderr


# -- secrets --------------------------------------------------------------------------------------
async def test_a_token_reaches_no_table_export_output_or_screenshot(
        run_cli: Callable[..., Result], httpserver, tmp_path: Path, db_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The token comes from the environment (never the config) and the server echoes it back."""
    from test_http_appstore import serve_appstore
    from test_http_json import SECRET, serve_next_pages
    from test_sources import SOURCES

    from feedback_tui.tui.app import FeedbackApp
    from tui_helpers import SIZE, settle

    config = tmp_path / "config.toml"
    config.write_text(SOURCES + f'\n[sources.leaky]\nkind = "appstore"\napp_id = "2"\ntoken = "{SECRET}"\n',
                      encoding="utf-8")
    config.chmod(0o600)
    monkeypatch.setenv("ACME_TOKEN", SECRET)
    serve_appstore(httpserver)
    serve_next_pages(httpserver, headers={"Authorization": f"Bearer {SECRET}"})
    result = run_cli("sync", "--sources", config, "--base-url", httpserver.url_for("/"), "--no-sentiment")
    assert "acme: 10 fetched" in result.output
    assert "token" in result.stderr and "ignored" in result.stderr  # the key in the file is refused
    export = run_cli("export", "--format", "json")
    outputs = result.output + result.stderr + export.output + export.stderr
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dump = "\n".join(conn.iterdump())
    conn.close()
    app = FeedbackApp(db_path=db_path, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("4", "enter")
        await settle(app, pilot)
        screenshot = app.export_screenshot()
    for where, text in (("output", outputs), ("database", dump), ("screenshot", screenshot)):
        assert SECRET not in text, where
    for path in db_path.parent.glob(f"{db_path.name}*"):
        assert SECRET.encode() not in path.read_bytes(), path
