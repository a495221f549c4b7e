"""What an import pauses while it writes, and how it puts each back.

A batch, or a whole bulk load, inserts its reviews with their search index
paused (m008's ``search_index_paused``: a crash leaves the missing range
named) and indexes them in one statement afterwards. A bulk load also drops
the table's secondary indexes and m018's per-reply trigger, and rebuilds
them before its commit (``store.imports._load_in_one_transaction``).
"""

from __future__ import annotations

from typing import Any

from feedback_tui.store import utc_now
from feedback_tui.store.steps_018_agent_rollups import FIRST_AGENT

_INDEX_NEW_REVIEWS = """
INSERT INTO reviews_fts (rowid, title, body, author)
SELECT id, title, body, author FROM reviews WHERE id > ?"""

BULK_HASH_BYTES = 64 * 1024 * 1024  # FTS5's in-memory index during a bulk load's one indexing statement
FTS5_DEFAULT_HASH_BYTES = 1024 * 1024


def pause_search_index(conn: Any) -> int:
    """Leave the text of reviews inserted from now on to :func:`index_paused_reviews`
    (schema m008); returns the largest review id before them."""
    after_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0])
    conn.execute("INSERT INTO search_index_paused (since, after_id) VALUES (?, ?)", (utc_now(), after_id))
    return after_id


def index_paused_reviews(conn: Any, after_id: int, *, hash_bytes: int | None = None) -> None:
    """Index, in one statement, the reviews inserted since :func:`pause_search_index`.

    ``hash_bytes`` raises FTS5's in-memory index for the statement (a bulk
    load: a few large segments instead of many small ones, twice as fast at a
    million rows) and puts the table's setting back afterwards.
    """
    previous = None
    if hash_bytes:
        previous = conn.execute("SELECT v FROM reviews_fts_config WHERE k = 'hashsize'").fetchone()
        conn.execute("INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('hashsize', ?)", (hash_bytes,))
    conn.execute(_INDEX_NEW_REVIEWS, (after_id,))
    if hash_bytes:
        conn.execute("INSERT INTO reviews_fts (reviews_fts, rank) VALUES ('hashsize', ?)",
                     (previous[0] if previous else FTS5_DEFAULT_HASH_BYTES,))
    conn.execute("DELETE FROM search_index_paused")


# Partial indexes of states an import never writes (spam, a text that contradicts its
# stars, an assignee): a load adds no entry to them, so it keeps them, at the cost of
# one WHERE test per row, where rebuilding each would read the whole table again
# (~0.4 s per index at 1M).
KEPT_IN_BULK = frozenset({"reviews_spam", "reviews_mismatch", "reviews_assignee_created"})
# m018's trigger, set for the whole load by one statement at its end (sync_first_agents).
PAUSED_TRIGGER = "replies_agent_ai"


def secondary_indexes(conn: Any, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes a bulk load may drop and rebuild:
    not the ones behind UNIQUE or PRIMARY KEY constraints (no SQL), which dedupe,
    nor those in :data:`KEPT_IN_BULK`."""
    return [(row[0], row[1]) for row in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
        "AND sql NOT LIKE 'CREATE UNIQUE%'", (table,)) if row[0] not in KEPT_IN_BULK]


def pause_first_agents(conn: Any) -> tuple[str | None, int]:
    """Drop m018's per-reply trigger for a bulk load; its SQL and the largest reply id."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                       (PAUSED_TRIGGER,)).fetchone()
    if row:
        conn.execute(f"DROP TRIGGER {PAUSED_TRIGGER}")
    return (row[0] if row else None), int(conn.execute("SELECT coalesce(max(id), 0) FROM replies").fetchone()[0])


def sync_first_agents(conn: Any, trigger_sql: str | None, replies_after: int, reviews_after: int) -> None:
    """What the paused trigger would have left: ``first_reply_agent`` of every review
    that got a reply in the load, in one statement, then the trigger back. A new
    review whose only new reply is the source's own has it right from its insert."""
    if trigger_sql is None:
        return
    agent = FIRST_AGENT.format(review="reviews.id")
    conn.execute(f"""UPDATE reviews SET first_reply_agent = {agent}
                     WHERE id IN (SELECT review_id FROM replies WHERE id > :replies
                                  AND (origin != 'import' OR review_id <= :reviews))
                       AND first_reply_agent IS NOT {agent}""", {"replies": replies_after, "reviews": reviews_after})
    conn.execute(trigger_sql)
