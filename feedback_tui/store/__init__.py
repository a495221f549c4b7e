"""The SQLite store: one file, WAL mode, versioned migrations, named queries.

Every thread opens its own :class:`Store` (a sqlite3 connection cannot cross
threads), through the one :class:`StoreOpener` its program holds: the opener
knows the path, whether the file is to be opened read-only and whether to
migrate, so that no caller works these out again. Writes run in short ``BEGIN IMMEDIATE`` transactions so that several
agents and an import can share one database; readers never block writers in
WAL mode.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from feedback_tui.errors import DatabaseProblem
from feedback_tui.store.schema_facts import MIGRATION_NAMES, MIGRATION_SET, MIGRATIONS_TABLE
from feedback_tui.text import clean


def _import_sqlite_utils() -> None:
    """Import sqlite-utils (on first need) without letting it load numpy.

    The store uses sqlite-utils for its migrations alone, and imports it only when
    a file has one to apply or a caller asks for :attr:`Store.db`
    (:mod:`feedback_tui.store.schema_facts`: with click, pluggy and dateutil it is
    5 MB of the app's memory). sqlite-utils imports numpy when it is installed (it
    is: the learned sentiment model uses it), only to map numpy values in its
    inserts, and numpy is 15 MB of the app's resident memory (issue 19), so it
    stays out until a learned model is used: ``None`` in ``sys.modules`` makes the
    import fail, as sqlite-utils expects when numpy is absent, and the entry is
    removed at once so that numpy imports as usual later.
    """
    if "numpy" in sys.modules or "sqlite_utils" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        if sys.modules.get("numpy", 0) is None:
            del sys.modules["numpy"]


def _migrations() -> Any:
    """The schema's migrations: ``schema``, its steps and sqlite-utils, imported on first need."""
    _import_sqlite_utils()
    from feedback_tui.store.schema import migrations

    return migrations


BUSY_TIMEOUT_ENV = "FEEDBACK_TUI_BUSY_TIMEOUT_MS"

SMALL_CACHE_KIB = 512
"""The page cache of a one-shot aggregation's connection (the dashboard's workers).

Each worker opens a connection of its own and closes it when done, so its cache
starts cold and serves that worker alone: a scan of the rollups or of a period
reads each page about once, and SQLite's default 2,000 KiB only held pages
nobody read again. The dashboard runs four or five such workers at once; with
the default their caches were ~8 MB of the app's peak memory at 1M reviews
(issue 19, benchmarks/RESULTS.md session 8)."""
READ_ONLY_ENV = "FEEDBACK_TUI_READ_ONLY"


REQUIRED_TABLES = frozenset({
    "reviews", "survey_responses", "replies", "tags", "review_tags", "notes", "import_runs", "rejects",
    "actions", "drafts", "templates", "saved_views", "review_history", "reviews_fts",
    "review_daily", "survey_daily", "reply_daily", "rollup_dirty",
})
"""Tables every query relies on (a test checks a fresh database has them all)."""


@lru_cache(maxsize=1)
def _known_migrations() -> frozenset[str]:
    """The names of this version's schema steps, from the steps themselves."""
    return frozenset(m.name for m in _migrations()._migrations)  # noqa: SLF001 - sqlite-utils keeps no public list


def _busy_timeout() -> int:
    """How long a write waits for another writer: 5 s, or $FEEDBACK_TUI_BUSY_TIMEOUT_MS."""
    try:
        return max(int(os.environ.get(BUSY_TIMEOUT_ENV, "")), 0)
    except ValueError:
        return 5000


BUSY_TIMEOUT_MS = _busy_timeout()


def _seconds(ms: int) -> str:
    return f"{ms / 1000:g} s"


def read_only_wanted(path: str | os.PathLike[str]) -> bool:
    """Whether the database at ``path`` must be opened read-only: the user
    asked for it ($FEEDBACK_TUI_READ_ONLY=1), or the file (or its folder,
    where SQLite keeps the WAL) cannot be written."""
    if os.environ.get(READ_ONLY_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    db_path = Path(path).expanduser()
    if not db_path.exists():
        return False
    return not os.access(db_path, os.W_OK) or not os.access(db_path.parent, os.W_OK | os.X_OK)


def utc_now() -> str:
    """Now, as stored: UTC ISO-8601 to the second, ending in ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _friendly(path: Path, error: sqlite3.Error) -> DatabaseProblem:
    text = str(error)
    if "not a database" in text or "malformed" in text:
        return DatabaseProblem(f"{path}: not a feedback-tui database (the file is not SQLite or is damaged)")
    if "locked" in text or "busy" in text:
        return DatabaseProblem(
            f"{path}: the database is busy (another program kept it locked for "
            f"more than {_seconds(_busy_timeout())}); nothing was changed, try again in a moment"
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseProblem(f"{path}: the database is read-only; this change was not saved")
    if "disk I/O" in text:
        return DatabaseProblem(f"{path}: the disk failed while writing ({text}); nothing after the last save was written")
    if "full" in text:
        return DatabaseProblem(f"{path}: the disk or database is full; nothing after the last save was written")
    if "unable to open" in text:
        return DatabaseProblem(f"{path}: cannot open the database file ({text})")
    return DatabaseProblem(f"{path}: database error: {text}")


class Store:
    """A connection to the feedback database plus the named queries on it."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self._db: Any = None

    @property
    def db(self) -> Any:
        """sqlite-utils' ``Database`` on this connection (sqlite-utils imported on first use)."""
        if self._db is None:
            _import_sqlite_utils()
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    # -- opening ---------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], *, readonly: bool | None = None, migrate: bool = True,
             cache_kib: int | None = None) -> Store:
        """Open (creating if needed) and migrate the database at ``path``.

        ``cache_kib``: this connection's page cache (SQLite's default: 2,000 KiB); see
        :data:`SMALL_CACHE_KIB`.

        ``readonly=None`` (the default) opens read-only when
        :func:`read_only_wanted` says so: every write then raises a polite
        :class:`DatabaseProblem` instead of an SQLite error half-way.

        Raises :class:`DatabaseProblem` with a one-line message when the file
        is not a usable SQLite database.
        """
        db_path = Path(path).expanduser()
        if db_path.is_dir():
            raise DatabaseProblem(f"{db_path}: is a directory, not a database file")
        if readonly is None:
            readonly = read_only_wanted(db_path)
        if not readonly and not db_path.exists():
            try:
                db_path.parent.mkdir(parents=True, exist_ok=True)
                # Reviews hold personal data: the file is private to its owner.
                os.close(os.open(db_path, os.O_CREAT | os.O_WRONLY, 0o600))
            except OSError as error:
                raise DatabaseProblem(f"{db_path}: cannot create the database ({error.strerror})") from None
        if readonly and not db_path.exists():
            raise DatabaseProblem(f"{db_path}: no such database")
        try:
            if readonly:
                conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True, isolation_level=None)
            else:
                conn = sqlite3.connect(db_path, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {_busy_timeout()}")
            conn.execute("PRAGMA foreign_keys = ON")
            if cache_kib is not None:
                conn.execute(f"PRAGMA cache_size = -{max(int(cache_kib), 1)}")
            conn.execute("PRAGMA schema_version").fetchone()  # fails fast on a non-SQLite file
            if readonly:
                conn.execute("PRAGMA query_only = ON")  # belt and braces: no statement can write
            else:
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(conn, db_path, readonly=readonly)
            if migrate and not readonly and store._pending_migrations():
                _migrations().apply(store.db)
            elif readonly and store._pending_migrations():
                conn.close()
                raise DatabaseProblem(
                    f"{db_path}: this database is read-only and was made by an older feedback-tui; "
                    "open it once with write access to upgrade it"
                )
            problem = store._shape_problem()
            if problem:
                conn.close()
                raise DatabaseProblem(f"{db_path}: {problem}")
        except sqlite3.Error as error:
            raise _friendly(db_path, error) from None
        return store

    def _shape_problem(self) -> str | None:
        """Why this file cannot be used as it is: made by a newer feedback-tui (a
        migration we do not know), or a table missing (dropped by hand, or a damaged
        file). Checked at every open, before any query: a missing ``reviews`` would
        otherwise leave ``score`` reading its rollups as if nothing had changed."""
        names = {row[0] for row in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        applied = self._applied_in_order()
        pending = False
        if frozenset(applied) != MIGRATION_NAMES:  # not this version's exact list: ask the steps
            known = _known_migrations()
            unknown = [name for name in applied if name not in known]
            if unknown:
                return (f"made by a newer feedback-tui (schema step {clean(unknown[-1], single_line=True)!r} is "
                        "unknown to this version); open it with that version or a later one")
            pending = not known <= frozenset(applied)
        missing = sorted(REQUIRED_TABLES - names) if not pending else []
        if missing:
            return (f"not a complete feedback-tui database: table{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)} missing (the file was changed by hand or is damaged)")
        return None

    def _applied_in_order(self) -> list[str]:
        """The names of the store's applied migrations, in the order they were applied (none: no table)."""
        try:
            return [row[0] for row in self.conn.execute(
                f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid", (MIGRATION_SET,))]
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return []
            raise

    def _pending_migrations(self) -> bool:
        """Whether a migration is missing (a read: no write lock taken).

        When the applied migrations are this version's exactly (``schema_facts``),
        none is, and the steps (and sqlite-utils) are not imported."""
        applied = frozenset(self._applied_in_order())
        if applied == MIGRATION_NAMES:
            return False
        return not _known_migrations() <= applied

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ----------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction that takes the write lock up front.

        ``BEGIN IMMEDIATE`` waits (busy timeout) for another writer instead of
        failing later when a read lock cannot be upgraded.
        """
        if self.readonly:
            raise DatabaseProblem(f"{self.path}: the database is open read-only; this change was not saved")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise _friendly(self.path, error) from None
        try:
            yield self.conn
        except sqlite3.Error as error:
            self._rollback()
            raise _friendly(self.path, error) from None
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise _friendly(self.path, error) from None

    def _rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already (it does on a full disk)."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def query(self, sql: str, params: dict[str, object] | tuple[object, ...] = ()) -> list[sqlite3.Row]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            raise _friendly(self.path, error) from None

    def scalar(self, sql: str, params: dict[str, object] | tuple[object, ...] = ()) -> object:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it changes when another connection commits."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    # -- simple counts ---------------------------------------------------
    def count_reviews(self) -> int:
        return int(self.scalar("SELECT count(*) FROM reviews") or 0)

    def count_surveys(self) -> int:
        return int(self.scalar("SELECT count(*) FROM survey_responses") or 0)


@dataclass(frozen=True, slots=True)
class StoreOpener:
    """The one owner of how a program opens its database.

    A program (the app, a CLI command, a sync) makes one opener and hands it
    to whatever needs the database; each thread calls :meth:`open` for a
    connection of its own, with the same path, read-only decision and busy
    timeout. The read-only decision is taken once, when the opener is made,
    so the app's banner and every connection agree. It is also the seam for
    another backend: callers ask the opener for a store, never for a file.
    """

    path: Path
    readonly: bool = False
    migrate: bool = False

    @classmethod
    def for_path(cls, path: str | os.PathLike[str], *, migrate: bool = False) -> StoreOpener:
        """An opener for the file at ``path``: read-only when :func:`read_only_wanted` says so."""
        db_path = Path(path).expanduser()
        return cls(db_path, readonly=read_only_wanted(db_path), migrate=migrate)

    def open(self, *, cache_kib: int | None = None) -> Store:
        """A new connection, for the calling thread only (close it when done; ``cache_kib``: see :meth:`Store.open`)."""
        return Store.open(self.path, readonly=self.readonly, migrate=self.migrate and not self.readonly,
                          cache_kib=cache_kib)


__all__ = ["Store", "StoreOpener", "utc_now", "BUSY_TIMEOUT_MS", "read_only_wanted"]
