"""Writing imported rows: staged batches merged with set-based SQL.

Each batch of rows goes into a temporary staging table with one
``executemany``, linked to the rows already stored, then merged: update what
changed (keeping the old text in ``review_history`` and marking answered
reviews ``outdated``), insert what is new (and index its text for search),
and upsert the source's own replies. Each batch commits together with the
run's counters and its rejects, so a killed import leaves a consistent
database and re-running it finishes the job without duplicates. A large
first load is one transaction instead (:func:`bulk_wanted`).
"""

from __future__ import annotations

import os
import threading
from operator import attrgetter
from collections.abc import Callable, Iterable
from typing import Any

from feedback_tui.models import ImportResult, Reject, ReviewRecord, SurveyRecord
from feedback_tui.store import Store, batching, checkpoint, tail_cache, undated, utc_now
from feedback_tui.store.load_pauses import (BULK_HASH_BYTES, index_paused_reviews, pause_first_agents,
                                            pause_search_index, secondary_indexes, sync_first_agents)

BATCH_SIZE = 20000  # ~1 s of writing at 1M rows: big enough for the indexes, short enough for agents
IMPORT_CACHE_KIB = 262144  # index pages stay in memory while a large import merges
Progress = Callable[[int], None]

_REVIEW_FIELDS = (
    "source", "external_id", "rating", "title", "body", "author", "created_at", "updated_at",
    "language", "product", "url", "reply", "reply_at", "rating_original",
)
_SURVEY_FIELDS = ("source", "external_id", "kind", "score", "comment", "created_at", "customer", "language",
                  "score_original", "score_scale")
# A batch with undated rows (m025) stages their flag too; a dated batch leaves it NULL and
# binds what it bound before the flag existed.
_UNDATED = attrgetter("undated")
_WITH_UNDATED = {_REVIEW_FIELDS: (*_REVIEW_FIELDS, "undated"), _SURVEY_FIELDS: (*_SURVEY_FIELDS, "undated")}

# ``known_id`` is the stored row with the same (source, id), looked up once per
# batch: the merge statements then join by rowid from the staged batch. Joined
# by (source, id) instead, SQLite scanned every stored review for each batch,
# which made large imports quadratic.
_STAGE_REVIEWS = """
CREATE TEMP TABLE IF NOT EXISTS stage_reviews (
    source TEXT, external_id TEXT, rating INTEGER, title TEXT, body TEXT, author TEXT,
    created_at TEXT, updated_at TEXT, language TEXT, product TEXT, url TEXT, reply TEXT, reply_at TEXT,
    rating_original TEXT, undated INTEGER, known_id INTEGER, PRIMARY KEY (source, external_id)
)"""
_STAGE_SURVEYS = """
CREATE TEMP TABLE IF NOT EXISTS stage_surveys (
    source TEXT, external_id TEXT, kind TEXT, score INTEGER, comment TEXT, created_at TEXT,
    customer TEXT, language TEXT, score_original INTEGER, score_scale INTEGER, undated INTEGER, known_id INTEGER,
    PRIMARY KEY (source, external_id)
)"""
_FIND_KNOWN = """
UPDATE {stage} SET known_id = (SELECT id FROM {table} r
                               WHERE r.source = {stage}.source AND r.external_id = {stage}.external_id)"""

_CONTENT_CHANGED = "(r.body IS NOT s.body OR r.rating IS NOT s.rating OR r.title IS NOT s.title)"
# A row given again with no date keeps its stored date (its first import's, or the date an
# earlier file gave): the import's time would move it to "today" on every re-import.
_CREATED = "CASE WHEN s.undated THEN r.created_at ELSE s.created_at END"
_META_CHANGED = (
    "(r.author IS NOT s.author OR r.created_at IS NOT " + _CREATED + " OR r.product IS NOT s.product"
    " OR r.url IS NOT s.url OR (s.updated_at IS NOT NULL AND r.updated_at IS NOT s.updated_at)"
    " OR (s.language IS NOT NULL AND r.language IS NOT s.language))"
)
_KNOWN = "r.id = s.known_id"

# Statements for rows already stored: run only when the batch has some.
_UPDATE_REVIEWS = [
    # 1. keep what the review said before its author edited it
    f"""INSERT INTO review_history (review_id, rating, title, body, updated_at, replaced_at)
        SELECT r.id, r.rating, r.title, r.body, r.updated_at, :now
        FROM stage_reviews s JOIN reviews r ON {_KNOWN} WHERE {_CONTENT_CHANGED}""",
    # 2. edited text or rating: new sentiment needed; an answered review is outdated
    f"""UPDATE reviews AS r SET
            rating = s.rating, rating_original = s.rating_original, title = s.title, body = s.body,
            author = s.author, created_at = {_CREATED}, updated_at = coalesce(s.updated_at, :now),
            language = coalesce(s.language, r.language), product = s.product, url = s.url,
            polarity = NULL, subjectivity = NULL, sentiment = NULL,
            status = CASE WHEN r.status = 'replied' THEN 'outdated' ELSE r.status END
        FROM stage_reviews s WHERE {_KNOWN} AND {_CONTENT_CHANGED}""",
    # 3. metadata only (author renamed, url added): no history, status kept
    f"""UPDATE reviews AS r SET
            author = s.author, created_at = {_CREATED}, updated_at = coalesce(s.updated_at, r.updated_at),
            language = coalesce(s.language, r.language), product = s.product, url = s.url
        FROM stage_reviews s WHERE {_KNOWN} AND {_META_CHANGED}""",
]
# 4. new reviews; one that came with the source's reply is answered at once, and that
#    reply (5.) is its first: m018's first_reply_agent is 'platform' from the start, so the
#    replies_agent_ai trigger finds nothing to change
_INSERT_REVIEWS = """
INSERT INTO reviews (source, external_id, rating, rating_original, title, body, author, created_at, updated_at,
                     language, product, url, imported_at, import_run_id, has_reply, first_reply_at, status,
                     first_reply_agent)
SELECT source, external_id, rating, rating_original, title, body, author, created_at, updated_at,
       language, product, url, :now, :run, reply IS NOT NULL, CASE WHEN reply IS NOT NULL THEN reply_at END,
       CASE WHEN reply IS NULL THEN 'new' WHEN updated_at > reply_at THEN 'outdated' ELSE 'replied' END,
       CASE WHEN reply IS NOT NULL THEN 'platform' END
FROM stage_reviews WHERE known_id IS NULL ORDER BY created_at
ON CONFLICT (source, external_id) DO NOTHING"""
# 5. the source's own reply (one per review), updated if the source changed it
_UPSERT_SOURCE_REPLIES = """
INSERT INTO replies (review_id, text, agent, created_at, channel, origin, delivery_status)
SELECT r.id, s.reply, 'imported', s.reply_at, r.source, 'import', 'sent'
FROM stage_reviews s JOIN reviews r ON r.source = s.source AND r.external_id = s.external_id
WHERE s.reply IS NOT NULL
ON CONFLICT (review_id) WHERE origin = 'import' DO UPDATE SET
    text = excluded.text, created_at = excluded.created_at
WHERE replies.text IS NOT excluded.text OR replies.created_at IS NOT excluded.created_at"""
# 6. first reply time and status for stored reviews that came with a reply
_SYNC_REPLIED = f"""
UPDATE reviews AS r SET
    first_reply_at = (SELECT min(p.created_at) FROM replies p WHERE p.review_id = r.id),
    has_reply = 1,
    status = CASE
        WHEN r.status IN ('new', 'open') AND r.updated_at > s.reply_at THEN 'outdated'
        WHEN r.status IN ('new', 'open') THEN 'replied'
        ELSE r.status END
FROM stage_reviews s WHERE {_KNOWN} AND s.reply IS NOT NULL"""

_UPDATE_SURVEYS = f"""
UPDATE survey_responses AS r SET
    kind = s.kind, score = s.score, score_original = s.score_original, score_scale = s.score_scale,
    comment = s.comment, created_at = {_CREATED},
    customer = s.customer, language = coalesce(s.language, r.language),
    polarity = CASE WHEN r.comment IS s.comment THEN r.polarity END,
    subjectivity = CASE WHEN r.comment IS s.comment THEN r.subjectivity END,
    sentiment = CASE WHEN r.comment IS s.comment THEN r.sentiment END
FROM stage_surveys s WHERE {_KNOWN} AND (r.kind IS NOT s.kind OR r.score IS NOT s.score
    OR r.score_original IS NOT s.score_original OR r.score_scale IS NOT s.score_scale
    OR r.comment IS NOT s.comment OR r.created_at IS NOT {_CREATED} OR r.customer IS NOT s.customer)"""
_INSERT_SURVEYS = """
INSERT INTO survey_responses (source, external_id, kind, score, comment, created_at, customer,
                              language, score_original, score_scale, imported_at, import_run_id)
SELECT source, external_id, kind, score, comment, created_at, customer, language, score_original, score_scale,
       :now, :run
FROM stage_surveys WHERE known_id IS NULL ON CONFLICT (source, external_id) DO NOTHING"""


def mark_interrupted_runs(store: Store) -> None:
    """Runs left 'running' by a process that no longer exists were killed."""
    rows = store.query("SELECT id, pid FROM import_runs WHERE status = 'running'")
    dead = [row["id"] for row in rows if not _alive(row["pid"])]
    if dead:
        with store.write() as conn:
            conn.executemany(
                "UPDATE import_runs SET status = 'interrupted', error = 'the import was stopped before it finished'"
                " WHERE id = ?",
                [(run_id,) for run_id in dead],
            )


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_run(store: Store, origin: str, kind: str, fmt: str) -> int:
    mark_interrupted_runs(store)
    with store.write() as conn:
        cursor = conn.execute(
            "INSERT INTO import_runs (origin, kind, format, started_at, pid) VALUES (?, ?, ?, ?, ?)",
            (origin, kind, fmt, utc_now(), os.getpid()),
        )
        return int(cursor.lastrowid or 0)


def finish_run(store: Store, result: ImportResult, error: str | None = None, *, status: str | None = None) -> None:
    """Close the run: ``done``, ``failed`` when ``error`` is given, or ``status`` if named."""
    with store.write() as conn:
        conn.execute(
            "UPDATE import_runs SET status = ?, finished_at = ?, error = ? WHERE id = ?",
            (status or ("failed" if error else "done"), utc_now(), error, result.run_id),
        )


_AGENT_REPLY = """
INSERT INTO replies (review_id, text, agent, created_at, channel, origin, delivery_status)
SELECT r.id, :text, :agent, :created_at, :channel, 'agent', :delivery_status
FROM reviews r WHERE r.source = :source AND r.external_id = :external_id
  AND NOT EXISTS (SELECT 1 FROM replies p WHERE p.review_id = r.id AND p.origin = 'agent' AND p.agent = :agent
                  AND p.text = :text AND p.created_at IS :created_at)"""


def _add_agent_replies(conn: Any, batch: list[ReviewRecord | SurveyRecord]) -> int:
    """Agents' replies from a feedback-tui export, each added once (re-imports add nothing)."""
    rows = [
        {"source": record.source, "external_id": record.external_id, "text": reply["text"],
         "agent": reply["agent"], "created_at": reply["created_at"], "channel": reply.get("channel"),
         "delivery_status": reply.get("delivery_status") if reply.get("delivery_status") in
         ("local", "pending", "sent", "failed") else "local"}
        for record in batch if isinstance(record, ReviewRecord) and record.agent_replies
        for reply in record.agent_replies
    ]
    if not rows:
        return 0
    # the statement's own rows: total_changes also counted what its triggers wrote (2 per reply)
    added = max(conn.executemany(_AGENT_REPLY, rows).rowcount, 0)
    keys = {(row["source"], row["external_id"]) for row in rows}
    conn.executemany(
        """UPDATE reviews SET has_reply = 1,
               first_reply_at = (SELECT min(created_at) FROM replies WHERE review_id = reviews.id
                                 AND withdrawn_at IS NULL),
               status = CASE WHEN status IN ('new', 'open') THEN 'replied' ELSE status END
           WHERE source = ? AND external_id = ?""",
        list(keys),
    )
    return added


def _insert_new_reviews(conn: Any, params: dict[str, Any], *, index_now: bool = True) -> int:
    """Insert the batch's new reviews and, unless a bulk load indexes them all
    at its end (``index_now`` false), index their text in one statement."""
    after_id = pause_search_index(conn) if index_now else 0
    inserted = conn.execute(_INSERT_REVIEWS, params).rowcount
    if index_now:
        index_paused_reviews(conn, after_id)
    return int(inserted)


def _stage(conn: Any, create: str, stage: str, fields: tuple[str, ...],
           batch: list[ReviewRecord | SurveyRecord]) -> int:
    """Put the batch in the (temporary) staging table; how many rows it holds."""
    conn.execute(create)
    conn.execute(f"DELETE FROM {stage}")
    conn.executemany(
        f"INSERT OR REPLACE INTO {stage} ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
        map(attrgetter(*fields), batch),  # one C call per row builds its tuple
    )
    return int(conn.execute(f"SELECT count(*) FROM {stage}").fetchone()[0])


def _find_known(conn: Any, stage: str, table: str) -> int:
    """Link staged rows to the stored rows they update; how many there are."""
    conn.execute(_FIND_KNOWN.format(stage=stage, table=table))
    return int(conn.execute(f"SELECT count(known_id) FROM {stage}").fetchone()[0])


def _merge_batch(
    conn: Any, result: ImportResult, batch: list[ReviewRecord | SurveyRecord], rejects: list[Reject],
    duplicates: int = 0, *, index_now: bool = True,
) -> None:
    """Stage, merge and count one batch inside the caller's write transaction
    (``index_now``: see :func:`_insert_new_reviews`)."""
    now = utc_now()
    params = {"now": now, "run": result.run_id}
    undated_rows = sum(map(_UNDATED, batch))  # a C loop: what a dated batch pays for m025
    if result.kind == "reviews":
        staged = _stage(conn, _STAGE_REVIEWS, "stage_reviews",
                        _WITH_UNDATED[_REVIEW_FIELDS] if undated_rows else _REVIEW_FIELDS, batch)
        known = _find_known(conn, "stage_reviews", "reviews")
        updated = 0
        if known:
            conn.execute(_UPDATE_REVIEWS[0], params)
            updated = conn.execute(_UPDATE_REVIEWS[1], params).rowcount
            updated += conn.execute(_UPDATE_REVIEWS[2], params).rowcount
        inserted = _insert_new_reviews(conn, params, index_now=index_now) if staged > known else 0
        result.replies_imported += max(conn.execute(_UPSERT_SOURCE_REPLIES).rowcount, 0)
        result.replies_imported += _add_agent_replies(conn, batch)
        if known:
            conn.execute(_SYNC_REPLIED)
    else:
        staged = _stage(conn, _STAGE_SURVEYS, "stage_surveys",
                        _WITH_UNDATED[_SURVEY_FIELDS] if undated_rows else _SURVEY_FIELDS, batch)
        known = _find_known(conn, "stage_surveys", "survey_responses")
        updated = conn.execute(_UPDATE_SURVEYS).rowcount if known else 0
        inserted = conn.execute(_INSERT_SURVEYS, params).rowcount if staged > known else 0
    new = kept = 0
    if undated_rows:
        new, kept = undated.note_batch(conn, result.kind)
        result.undated += new
        result.undated_kept += kept
    if known > kept:  # stored rows given with a date: one that was undated has its date now
        undated.forget_dated(conn, result.kind)
    if rejects:
        conn.executemany(
            "INSERT INTO rejects (import_run_id, origin, line, field, reason, raw) VALUES (?, ?, ?, ?, ?, ?)",
            [(result.run_id, result.path, r.line, r.field, r.reason, r.raw) for r in rejects],
        )
    result.inserted += inserted
    result.updated += updated
    result.unchanged += staged - inserted - updated
    result.duplicates += duplicates
    conn.execute(
        "UPDATE import_runs SET inserted = ?, updated = ?, unchanged = ?, rejected = ? WHERE id = ?",
        (result.inserted, result.updated, result.unchanged, len(result.rejects) + len(rejects), result.run_id),
    )
    result.rejects.extend(rejects)


def _write_batch(
    store: Store, result: ImportResult, batch: list[ReviewRecord | SurveyRecord], rejects: list[Reject],
    duplicates: int = 0,
) -> None:
    """One batch in its own transaction: a killed import keeps every batch before it."""
    with store.write() as conn:
        _merge_batch(conn, result, batch, rejects, duplicates)


BULK_MIN_ROWS = 100_000
_TABLES = {"reviews": "reviews", "surveys": "survey_responses"}


class _Cancelled(Exception):
    """Raised inside a bulk load's transaction to roll it back."""


def bulk_wanted(store: Store, kind: str, expected_rows: int | None) -> bool:
    """Whether an import of about ``expected_rows`` rows should be one bulk load.

    Updating six indexes row by row costs more per row as a table grows (at a
    million rows, twice what a load with the indexes rebuilt afterwards costs,
    since building an index is one sort). That pays off when the import is
    large and at least as big as the table it goes into: a first load, not the
    daily export.
    """
    if not expected_rows or expected_rows < BULK_MIN_ROWS:
        return False
    # The largest id stands for the row count: a seek, where count(*) reads the
    # table; deleted rows make it an overestimate, which only makes bulk rarer.
    stored = int(store.scalar(f"SELECT coalesce(max(id), 0) FROM {_TABLES[kind]}") or 0)
    return expected_rows >= stored


def _load_in_one_transaction(store: Store, result: ImportResult, batches: Iterable[batching.Batch],
                             progress: Progress | None, should_stop: Callable[[], bool] | None,
                             on_step: Callable[[str], None] | None = None) -> bool:
    """Merge every batch in one write transaction, with the table's secondary
    indexes dropped meanwhile and rebuilt before the commit. True if cancelled.

    Nobody sees the indexes missing: other connections read the last commit
    (WAL). Other writers wait for the whole load instead of between batches,
    and a crash, Ctrl-C or cancel rolls the whole load back (the run is then
    marked interrupted or cancelled; running the import again does it all).
    """
    before = (result.inserted, result.updated, result.unchanged, result.replies_imported, len(result.rejects),
              result.duplicates, result.undated, result.undated_kept)
    try:
        with store.write() as conn:
            indexes = secondary_indexes(conn, _TABLES[result.kind])
            for name, _ in indexes:
                conn.execute(f'DROP INDEX "{name}"')
            reviews = result.kind == "reviews"
            after_id = pause_search_index(conn) if reviews else 0
            trigger_sql, replies_after = pause_first_agents(conn) if reviews else (None, 0)
            if _each_batch(batches, lambda batch, rejects, duplicates: _merge_batch(
                    conn, result, batch, rejects, duplicates, index_now=not reviews), progress, should_stop):
                raise _Cancelled
            if on_step:  # seconds with no row to count, at a million rows
                on_step("Rebuilding indexes and saving")
            pages, page_size = (conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
            tail_kib = tail_cache.tail_cache_kib(pages, page_size, tail_cache.available_kib())
            if tail_kib is not None:  # put back after the commit
                conn.execute(f"PRAGMA cache_size = -{tail_kib}")
            if reviews:
                sync_first_agents(conn, trigger_sql, replies_after, after_id)
                index_paused_reviews(conn, after_id, hash_bytes=BULK_HASH_BYTES)
            for _, sql in indexes:
                conn.execute(sql)
    except BaseException as error:
        result.inserted, result.updated, result.unchanged, result.replies_imported = before[:4]
        del result.rejects[before[4]:]
        result.duplicates, result.undated, result.undated_kept = before[5:]
        if isinstance(error, _Cancelled):
            return True
        raise
    finally:
        store.conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")  # frees the tail's pages
    return False


def _load_in_batches(store: Store, result: ImportResult, batches: Iterable[batching.Batch],
                     progress: Progress | None, should_stop: Callable[[], bool] | None,
                     on_step: Callable[[str], None] | None = None) -> bool:
    """Commit batch by batch: other writers (agents) get in between. True if cancelled."""
    return _each_batch(batches, lambda batch, rejects, duplicates: _write_batch(store, result, batch, rejects,
                                                                                duplicates),
                       progress, should_stop)


def _each_batch(batches: Iterable[batching.Batch], write: Callable[[list[Any], list[Reject], int], None],
                progress: Progress | None, should_stop: Callable[[], bool] | None) -> bool:
    """Write each batch, report progress; True when asked to stop."""
    for batch, rejects, handled, duplicates in batches:
        write(batch, rejects, duplicates)
        if progress:
            progress(handled)
        if should_stop and should_stop():
            return True
    return False


def import_rows(
    store: Store,
    origin: str,
    kind: str,
    fmt: str,
    rows: Iterable[ReviewRecord | SurveyRecord | Reject],
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    should_stop: Callable[[], bool] | None = None,
    parse_ahead: bool = False,
    expected_rows: int | None = None,
    bulk: bool | None = None,
    on_step: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import validated rows (and keep the rejects) in committed batches.

    ``progress`` is called with the number of rows handled so far after each
    batch. ``should_stop`` lets a worker cancel between batches. With
    ``parse_ahead``, ``rows`` is consumed by a second thread while batches are
    written: only for row sources that never touch this store's connection
    (files; not web fetches, which check what is stored as they go). An
    ``expected_rows`` large enough for :func:`bulk_wanted` makes the import
    one bulk load (all or nothing) instead of committed batches; ``bulk``
    True or False decides it regardless of size. ``on_step`` hears of the steps
    that have no rows to count (a bulk load's index rebuild and commit).
    """
    result = ImportResult(run_id=start_run(store, origin, kind, fmt), path=origin, kind=kind)
    store.conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    stop = threading.Event()
    if bulk is None:
        bulk = bulk_wanted(store, kind, expected_rows)
    load = _load_in_one_transaction if bulk else _load_in_batches
    # A bulk load's log is copied into the database beside the rollups' refresh (store.checkpoint).
    held = checkpoint.hold(store.conn) if bulk else None
    try:
        batches = batching.parse_ahead(rows, batch_size, stop) if parse_ahead else batching.in_batches(rows, batch_size)
        if load(store, result, batches, progress, should_stop, on_step):
            checkpoint.release(store.conn, held)
            finish_run(store, result, error="cancelled")
            return result
    except BaseException as error:
        checkpoint.release(store.conn, held)
        # Ctrl-C stops an import the user may simply re-run: 'interrupted', like
        # a killed process, not 'failed', which means the input needs fixing.
        status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
        message = "the import was stopped before it finished" if status == "interrupted" else None
        try:
            finish_run(store, result, error=message or str(error) or type(error).__name__, status=status)
        except Exception:
            pass  # the original error matters more than the bookkeeping
        raise
    finish_run(store, result)
    # The import pays for its rollups, so that the next score reads them at once.
    from feedback_tui.store import rollups

    with checkpoint.beside(store.conn, store.path, held):
        rollups.refresh(store)
    return result
