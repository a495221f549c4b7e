"""The schema's facts without its steps: a store opens without sqlite-utils when nothing is pending.

(issue 19, the app's peak memory: sqlite-utils, click, pluggy and dateutil are some
5 MB of it.) The facts must be the steps' own, an open of an up-to-date file must
not import the steps, and anything else (an older file, a newer one) still goes
through them.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from feedback_tui.errors import DatabaseProblem
from feedback_tui.store import Store, schema_facts
from feedback_tui.store.schema import REPLY_HOUR_BOUNDS, migrations
from feedback_tui.store.steps_013_rating_rollups import STAR_BUCKETS

ROOT = Path(__file__).resolve().parents[2]


def loaded_after(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; which of the heavy modules it left loaded, and what it printed."""
    probe = (
        "import json, sys\n" + code + "\n"
        "print(json.dumps({name: name in sys.modules for name in "
        "('sqlite_utils', 'click', 'dateutil', 'pluggy', 'feedback_tui.store.schema', 'plotext')}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_facts_are_the_steps_own() -> None:
    assert schema_facts.MIGRATION_NAMES == frozenset(m.name for m in migrations._migrations)  # noqa: SLF001
    assert (schema_facts.MIGRATION_SET, schema_facts.MIGRATIONS_TABLE) == (migrations.name, migrations.migrations_table)
    assert schema_facts.REPLY_HOUR_BOUNDS == REPLY_HOUR_BOUNDS
    assert schema_facts.STAR_BUCKETS == STAR_BUCKETS


def test_an_up_to_date_database_opens_and_answers_without_sqlite_utils(db_path: Path) -> None:
    Store.open(db_path).close()  # created and migrated here
    loaded = loaded_after(
        "from feedback_tui.store import Store, rollups, reply_times, aggregates\n"
        f"store = Store.open({str(db_path)!r})\n"
        "assert store.count_reviews() == 0\n"
        "store.close()")
    assert not any(loaded.values()), loaded


def test_an_older_database_is_still_migrated(db_path: Path) -> None:
    Store.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm024_reply_daily_order'")
        conn.execute("DROP INDEX reply_daily_day_bucket")
    loaded = loaded_after(
        "from feedback_tui.store import Store\n"
        f"Store.open({str(db_path)!r}).close()")
    assert loaded["sqlite_utils"] and loaded["feedback_tui.store.schema"]
    with Store.open(db_path) as store:
        assert store.scalar("SELECT count(*) FROM _sqlite_migrations WHERE name = 'm024_reply_daily_order'") == 1
        assert store.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'reply_daily_day_bucket'") == 1


def test_a_database_from_a_newer_version_is_still_refused(db_path: Path) -> None:
    Store.open(db_path).close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('feedback_tui', 'm999_from_the_future', '2030-01-01')")
    with pytest.raises(DatabaseProblem, match="m999_from_the_future"):
        Store.open(db_path)


def test_steps_register_in_number_order_whoever_imports_one_first() -> None:
    """``store.imports`` imports m018's module for a constant; loaded before ``schema`` (now
    that the store loads it late), its chain registered m017 before m013."""
    code = ("import feedback_tui.store.imports\n"
            "from feedback_tui.store.schema import migrations\n"
            "print(json.dumps([m.name for m in migrations._migrations]))\n")
    done = subprocess.run([sys.executable, "-c", "import json\n" + code], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    names = json.loads(done.stdout)
    assert [int(name[1:4]) for name in names] == sorted(int(name[1:4]) for name in names)

