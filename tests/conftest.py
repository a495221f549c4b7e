"""Shared fixtures: a fresh SQLite file per test, the repository's fixture
files, and helpers to run the CLI end to end and look at the database after.

Nothing here replaces our own code: every test goes through the real
importers, the real store and the real CLI.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from feedback_tui.cli import cli
from feedback_tui.importers import open_input
from feedback_tui.models import ImportResult
from feedback_tui.store import Store
from feedback_tui.store.imports import import_rows

# Test modules share helpers across folders (tests/tui/test_faults.py serves the HTTP
# fixtures of tests/core): both folders on the path, whichever subset of the suite runs
# (pytest puts a folder there only once it collects a test of it).
for _folder in ("core", "tui", "serve"):
    if str(Path(__file__).resolve().parent / _folder) not in sys.path:
        sys.path.append(str(Path(__file__).resolve().parent / _folder))

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BROKEN = FIXTURES / "broken"
IMPORTED_AT = "2026-12-01T00:00:00Z"

REVIEW_HEADER = ["id", "source", "rating", "title", "body", "author", "created_at", "language", "reply", "reply_at"]


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may read the developer's config or touch their real database."""
    monkeypatch.setenv("FEEDBACK_TUI_CONFIG", str(tmp_path / "absent-config.toml"))
    monkeypatch.setenv("FEEDBACK_TUI_DB", str(tmp_path / "default-db-must-not-be-used.db"))
    monkeypatch.setenv("FEEDBACK_TUI_AGENT", "tester")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "feedback.db"


@pytest.fixture
def store(db_path: Path):
    with Store.open(db_path) as opened:
        yield opened


@pytest.fixture
def run_cli(db_path: Path) -> Callable[..., Result]:
    """``run_cli('import', path, ...)`` runs ``feedback-tui --db <db_path> ...``."""
    runner = CliRunner()

    def run(*args: object) -> Result:
        return runner.invoke(cli, ["--db", str(db_path), *(str(a) for a in args)])

    return run


def assert_no_crash(result: Result) -> None:
    """A user mistake is one line and an exit code, never a traceback."""
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def db_counts(path: Path) -> dict[str, int]:
    """Row counts of the tables an import writes to."""
    with Store.open(path) as opened:
        return {
            table: int(opened.scalar(f"SELECT count(*) FROM {table}") or 0)
            for table in ("reviews", "survey_responses", "replies", "import_runs", "rejects", "review_history")
        }


def raw_rows(path: Path, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
    with Store.open(path) as opened:
        return opened.query(sql, tuple(params))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def import_file(store: Store, path: Path, **options: object) -> ImportResult:
    """Parse and import one file the way the CLI does (real importer, real store)."""
    parsed = open_input(path, imported_at=IMPORTED_AT, **options)  # type: ignore[arg-type]
    return import_rows(store, parsed.origin, parsed.kind, parsed.format, parsed.rows)


# Reviews with hand-checkable response figures (see test_scoring.py):
#   id  source      rating  created (UTC)          reply after
#   r1  trustpilot  5       Mon 2026-03-02 10:00   2 h
#   r2  trustpilot  4       Sun 2026-03-08 09:00   -
#   r3  trustpilot  1       Mon 2026-03-09 08:00   24 h
#   r4  app_store   2       Wed 2026-04-01 00:00   10 h
#   r5  app_store   3       Wed 2026-04-15 00:00   6 h
#   r6  app_store   1       Wed 2026-07-01 00:00   -
RESPONSE_ROWS = [
    ["r1", "trustpilot", 5, "Great", "Fresh food, friendly driver.", "Ann", "2026-03-02T10:00:00Z", "en",
     "Thank you Ann!", "2026-03-02T12:00:00Z"],
    ["r2", "trustpilot", 4, "Good", "Good selection of vegetables.", "Bob", "2026-03-08T09:00:00Z", "en", "", ""],
    ["r3", "trustpilot", 1, "Late", "The delivery was two hours late.", "Cid", "2026-03-09T08:00:00Z", "en",
     "Sorry Cid, we refunded the fee.", "2026-03-10T08:00:00Z"],
    ["r4", "app_store", 2, "Missing", "Two items were missing.", "Dee", "2026-04-01T00:00:00Z", "en",
     "Sorry, refunded.", "2026-04-01T10:00:00Z"],
    ["r5", "app_store", 3, "Ok", "It was fine I guess.", "Eve", "2026-04-15T00:00:00Z", "en",
     "Thanks for the feedback.", "2026-04-15T06:00:00Z"],
    ["r6", "app_store", 1, "Bad", "Rotten avocados again.", "Fay", "2026-07-01T00:00:00Z", "en", "", ""],
]


@pytest.fixture
def responses_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "responses.csv", REVIEW_HEADER, RESPONSE_ROWS)


# -- the TUI tests: one demo database per worker, copied per test ---------------------------
@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo data loaded once by the real ``demo --no-app`` (import and sentiment, ~1 s)."""
    path = tmp_path_factory.mktemp("demo-template") / "feedback.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDBACK_TUI_CONFIG", str(path.parent / "absent-config.toml"))
        patch.setenv("FEEDBACK_TUI_AGENT", "tester")
        result = CliRunner().invoke(cli, ["--db", str(path), "demo", "--no-app"])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the .db file, so one copy is enough
    finally:
        conn.close()
    return path


@pytest.fixture
def demo_db(demo_template: Path, db_path: Path) -> Path:
    """A private copy of the demo database at ``db_path`` (the same name in every test, for snapshots)."""
    shutil.copy(demo_template, db_path)
    return db_path
