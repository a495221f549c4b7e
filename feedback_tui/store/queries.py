"""Named queries: the only SQL the rest of the program uses.

Screens, the CLI and workers call these functions with a :class:`Store` of
their own thread; none of them builds SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from feedback_tui.models import Filters
from feedback_tui.store import Store
from feedback_tui.store.grouping import where_clause

if TYPE_CHECKING:
    from feedback_tui.sentiment import Sentiment

SENTIMENT_TABLES = ("reviews", "survey_responses")


# -- sentiment ---------------------------------------------------------------
def count_pending_sentiment(store: Store) -> int:
    reviews = store.scalar("SELECT count(*) FROM reviews WHERE sentiment IS NULL")
    comments = store.scalar("SELECT count(*) FROM survey_responses WHERE sentiment IS NULL AND comment IS NOT NULL")
    return int(reviews or 0) + int(comments or 0)


def pending_sentiment(store: Store, table: str, limit: int, after_id: int = 0,
                      ) -> list[tuple[int, str, str | None, str | None]]:
    """(id, text, language, title) of rows whose sentiment is not computed yet, in id
    order after ``after_id`` (so a batch still being scored is not read again). A review's
    text is its body and its title comes apart (the analyzer weighs the title's verdict);
    a survey comment has no title."""
    if table == "reviews":
        sql = """SELECT id, body, language, CASE WHEN title != '' THEN title END
                 FROM reviews WHERE sentiment IS NULL AND id > ? ORDER BY id LIMIT ?"""
    elif table == "survey_responses":
        sql = """SELECT id, comment, language, NULL FROM survey_responses
                 WHERE sentiment IS NULL AND comment IS NOT NULL AND id > ? ORDER BY id LIMIT ?"""
    else:
        raise ValueError(table)
    return [(row[0], row[1] or "", row[2], row[3]) for row in store.conn.execute(sql, (after_id, limit))]


def save_sentiment(store: Store, table: str, scored: Iterable[tuple[int, Sentiment]]) -> None:
    """Store the scores, and the detected language of a row that had none.

    Two statements, not one ``language = coalesce(language, ?)``: an UPDATE that names
    ``language`` rewrites every index holding it (the reply-time indexes) even where the
    value stays, a third of the backfill's writing at 100k (issue 19). The second one
    only looks the row up when it already has a language.
    """
    if table not in SENTIMENT_TABLES:
        raise ValueError(table)
    scored = list(scored)
    with store.write() as conn:
        conn.executemany(f"UPDATE {table} SET polarity = ?, subjectivity = ?, sentiment = ? WHERE id = ?",
                         [(s.polarity, s.subjectivity, s.label, row_id) for row_id, s in scored])
        conn.executemany(f"UPDATE {table} SET language = ? WHERE id = ? AND language IS NULL",
                         [(s.language, row_id) for row_id, s in scored if s.language is not None])


def reset_sentiment(store: Store) -> None:
    with store.write() as conn:
        for table in SENTIMENT_TABLES:
            conn.execute(f"UPDATE {table} SET polarity = NULL, subjectivity = NULL, sentiment = NULL")


# -- filters -----------------------------------------------------------------
# -- listings ----------------------------------------------------------------
def import_runs(store: Store, limit: int = 20) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query("SELECT * FROM import_runs ORDER BY id DESC LIMIT ?", (limit,))]


def run_exists(store: Store, run_id: int) -> bool:
    return store.scalar("SELECT 1 FROM import_runs WHERE id = ?", (run_id,)) is not None


def rejects(store: Store, run_id: int | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    if run_id is None:
        run_id = int(store.scalar("SELECT max(import_run_id) FROM rejects") or 0)
    rows = store.query(
        "SELECT import_run_id, origin, line, field, reason, raw FROM rejects WHERE import_run_id = ? ORDER BY line LIMIT ?",
        (run_id, limit),
    )
    return [dict(row) for row in rows]


EXPORT_COLUMNS = [
    "id", "source", "external_id", "rating", "title", "body", "author", "created_at", "undated", "updated_at", "language",
    "product", "url", "polarity", "subjectivity", "sentiment", "status", "assignee", "tags", "replies",
]
# The first live reply in plain columns, after the lossless ``replies`` list: what a
# spreadsheet reads (``platform``: a reply that came with the source's export).
FIRST_REPLY_COLUMNS = ["first_reply_at", "first_reply_hours", "first_reply_agent", "first_reply_text"]
SURVEY_EXPORT_COLUMNS = [
    "id", "source", "external_id", "kind", "score", "nps_category", "comment", "created_at", "undated", "customer",
    "language", "polarity", "sentiment", "status",
    # an answer asked on another scale (--csat-scale): as given, and the top of its scale (m026)
    "score_original", "score_scale",
]


def export_reviews(store: Store, filters: Filters) -> Iterator[dict[str, Any]]:
    """Reviews with their replies and tags, oldest first, streamed.

    A row whose file gave no date has an empty ``created_at``: the stored one is its
    import's time, which the export would pass off as the review's (and importing the
    export back would then date the row, silently: it is no longer "undated")."""
    where, params = where_clause(filters, table_alias="r")
    sql = f"""
        SELECT r.id, r.source, r.external_id, r.rating, r.title, r.body, r.author, r.created_at,
               EXISTS (SELECT 1 FROM undated_reviews u WHERE u.review_id = r.id) AS undated, r.updated_at,
               r.language, r.product, r.url, r.polarity, r.subjectivity, r.sentiment, r.status, r.assignee,
               (SELECT group_concat(t.name, ', ') FROM review_tags rt JOIN tags t ON t.id = rt.tag_id
                 WHERE rt.review_id = r.id) AS tags,
               (SELECT json_group_array(json_object('text', p.text, 'agent', p.agent, 'created_at', p.created_at,
                        'channel', p.channel, 'origin', p.origin, 'delivery_status', p.delivery_status))
                  FROM (SELECT * FROM replies WHERE review_id = r.id ORDER BY created_at, id) p) AS replies,
               r.first_reply_at, round(r.reply_hours, 2) AS first_reply_hours,
               CASE WHEN f.origin = 'import' THEN 'platform' ELSE f.agent END AS first_reply_agent,
               f.text AS first_reply_text
        FROM reviews r
        LEFT JOIN replies f ON f.id = (
            SELECT p.id FROM replies p WHERE p.review_id = r.id AND p.withdrawn_at IS NULL
            ORDER BY p.created_at, p.id LIMIT 1)
        WHERE {where} ORDER BY r.created_at, r.id"""
    cursor = store.conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    for row in cursor:
        yield _flagged(dict(zip(columns, row, strict=True)))


def _flagged(row: dict[str, Any]) -> dict[str, Any]:
    """``undated`` as a boolean: ``true``/``false`` in JSON, and the words a re-import reads in CSV."""
    row["undated"] = bool(row["undated"])
    return row


def export_surveys(store: Store, filters: Filters) -> Iterator[dict[str, Any]]:
    """Survey answers, oldest first, streamed, with the NPS category of an NPS answer
    (an empty ``created_at`` for an answer its file did not date, as for reviews)."""
    where, params = where_clause(filters, surveys=True)
    sql = f"""
        SELECT id, source, external_id, kind, score,
               CASE WHEN kind != 'nps' THEN NULL WHEN score >= 9 THEN 'promoter' WHEN score >= 7 THEN 'passive'
                    ELSE 'detractor' END AS nps_category,
               comment, created_at, EXISTS (SELECT 1 FROM undated_surveys u WHERE u.response_id = survey_responses.id)
               AS undated, customer, language, polarity, sentiment, status, score_original, score_scale
        FROM survey_responses WHERE {where} ORDER BY created_at, id"""
    cursor = store.conn.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    for row in cursor:
        yield _flagged(dict(zip(columns, row, strict=True)))


# -- incremental fetching ----------------------------------------------------
def stored_review_versions(store: Store, source: str, external_ids: Iterable[str]) -> dict[str, tuple[Any, ...]]:
    """``external_id -> (created_at, rating, title, body)`` of the given reviews already stored.

    A web fetch compares a page with this to stop at reviews it already has
    (feeds list the newest first, so what follows is older and known too).
    """
    ids = list(dict.fromkeys(external_ids))
    found: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(ids), 500):  # stay under SQLite's parameter limit
        chunk = ids[start:start + 500]
        rows = store.query(
            f"""SELECT external_id, created_at, rating, title, body FROM reviews
                WHERE source = ? AND external_id IN ({', '.join('?' * len(chunk))})""",
            (source, *chunk),
        )
        found.update({row[0]: tuple(row[1:]) for row in rows})
    return found


def latest_feedback_at(store: Store, filters: Filters) -> str | None:
    """When the newest review or survey answer ``filters`` select was written (spam left out).

    The dashboard asks only when its last two periods are empty: an export that
    ends months ago would otherwise open on empty cards.
    """
    latest: str | None = None
    for table, surveys in (("reviews", False), ("survey_responses", True)):
        where, params = where_clause(Filters(source=filters.source, product=filters.product,
                                             language=filters.language), surveys=surveys)
        spam = " AND status != 'spam'" if table == "reviews" else ""
        row = store.conn.execute(f"SELECT max(created_at) FROM {table} WHERE {where}{spam}", params).fetchone()
        if row and row[0] and (latest is None or row[0] > latest):
            latest = row[0]
    return latest
