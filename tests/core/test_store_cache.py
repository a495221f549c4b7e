"""A connection's page cache: SQLite's default, or a small one for a one-shot aggregation (issue 19)."""

from __future__ import annotations

from pathlib import Path

from feedback_tui.store import SMALL_CACHE_KIB, Store, StoreOpener


def test_a_connection_keeps_sqlites_default_cache_unless_asked(db_path: Path) -> None:
    with Store.open(db_path) as store:
        default = store.scalar("PRAGMA cache_size")
    with StoreOpener.for_path(db_path).open() as store:
        assert store.scalar("PRAGMA cache_size") == default
    with StoreOpener.for_path(db_path).open(cache_kib=SMALL_CACHE_KIB) as store:
        assert store.scalar("PRAGMA cache_size") == -SMALL_CACHE_KIB
        assert store.count_reviews() == 0
    with StoreOpener.for_path(db_path).open() as store:  # per connection: the next one has the default again
        assert store.scalar("PRAGMA cache_size") == default
