"""Schema steps m007-m012: the replied index, per-batch search indexing,
reply-time histograms, exact (half-star) ratings, learned sentiment and
templates without a brand. Never edit a step that has shipped."""

from __future__ import annotations

import re

from sqlite_utils import Database

from feedback_tui.store import steps_001_006  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import migrations, run_script

@migrations()
def m007_replied_index(db: Database) -> None:
    """Reply times read only the replied reviews: a partial index finds them in a date
    range without visiting the others (which, at a million reviews, took seconds)."""
    db.execute(
        "CREATE INDEX reviews_replied ON reviews(created_at, first_reply_at, status, source) "
        "WHERE first_reply_at IS NOT NULL"
    )


@migrations()
def m008_search_index_per_batch(db: Database) -> None:
    """Imports feed the search index a batch (or a whole bulk load) at a time,
    not a row at a time.

    FTS5 flushes its in-memory index at every statement savepoint, and a
    trigger runs one statement per inserted row: through the trigger, each
    imported review became a tiny index segment, later merged, and indexing
    cost four times what one ``INSERT INTO reviews_fts SELECT ...`` costs. The
    import sets ``search_index_paused`` inside its write transaction, with
    ``after_id`` the largest review id before it: reviews inserted meanwhile
    are left to the import, which indexes every id above ``after_id`` in one
    statement and clears the row before committing, so no other connection
    ever sees it set. An edit of such a review before then (the same id twice
    in a bulk load) is left to that statement too, which reads the final text;
    edits of older reviews, and every other writer, still use the triggers.
    """
    db.execute("CREATE TABLE search_index_paused (since TEXT NOT NULL, after_id INTEGER NOT NULL)")
    db.execute("DROP TRIGGER reviews_ai")
    db.execute(
        """CREATE TRIGGER reviews_ai AFTER INSERT ON reviews
           WHEN NOT EXISTS (SELECT 1 FROM search_index_paused) BEGIN
             INSERT INTO reviews_fts (rowid, title, body, author) VALUES (new.rowid, new.title, new.body, new.author);
           END"""
    )
    db.execute("DROP TRIGGER reviews_au")
    db.execute(
        """CREATE TRIGGER reviews_au AFTER UPDATE OF title, body, author ON reviews
           WHEN NOT EXISTS (SELECT 1 FROM search_index_paused WHERE old.rowid > after_id) BEGIN
             INSERT INTO reviews_fts (reviews_fts, rowid, title, body, author)
                 VALUES ('delete', old.rowid, old.title, old.body, old.author);
             INSERT INTO reviews_fts (rowid, title, body, author) VALUES (new.rowid, new.title, new.body, new.author);
           END"""
    )


# Upper bounds, in hours, of the reply-time histogram buckets (m009). Bucket 0 holds
# [0, 0.5] (hours are clamped at 0), bucket i holds (BOUNDS[i-1], BOUNDS[i]], the last
# bucket (len(BOUNDS)) everything longer, and bucket -1 the replies whose hours cannot
# be computed (an unreadable date). Finer where replies cluster (the first two days),
# so that the bucket holding a median or the SLA has few rows to read. Baked into the
# schema: never edit it, a new migration must redefine the column and its rollup.
REPLY_HOUR_BOUNDS: tuple[float, ...] = (
    0.5, 1, 2, 3, 4, 6, 8, 10, 12, 15, 18, 21, 24, 30, 36, 42, 48, 60, 72, 84, 96,
    120, 144, 168, 240, 336, 504, 720,
)


def _watch_column(db: Database, trigger: str, table: str, column: str) -> None:
    """Add ``column`` to the ``AFTER UPDATE OF`` list of ``trigger``, keeping the
    rest of it (the columns and body any earlier migration gave it) unchanged."""
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [trigger]).fetchone()
    match = re.search(rf"AFTER UPDATE OF (.+?) ON {table}\b", row[0], flags=re.IGNORECASE | re.DOTALL)
    if match is None:
        raise RuntimeError(f"{trigger}: not an AFTER UPDATE OF trigger on {table}")
    columns = [c.strip() for c in match.group(1).split(",")]
    if column in columns:
        return
    sql = row[0][:match.end(1)] + f", {column}" + row[0][match.end(1):]
    db.execute(f"DROP TRIGGER {trigger}")
    db.execute(sql)


@migrations()
def m009_reply_time_histograms(db: Database) -> None:
    """Reply times from daily histograms instead of sorting every replied review.

    ``reply_hours`` (hours from a review to its first reply, clamped at 0, as the
    raw query computes it) and its histogram ``reply_bucket`` are virtual columns:
    nothing to keep in step, nothing stored in the table. The partial index on
    (reply_bucket, created_at, reply_hours, ...) holds only what reply times count
    (replied, not spam): a median is found by adding up ``reply_daily``, then
    reading one bucket of one period in the index, already covering.

    ``reply_daily`` is filled here in one pass over that index rather than by
    marking every day dirty (which would recompute the other rollups too).
    ``reviews_rollup_au`` now also watches ``first_reply_at``: a reply added or
    withdrawn moves a review between buckets.

    ``review_history_review`` serves the dashboard's reply effect (the first
    version of each edited review) and a review's history, which otherwise
    scan the whole history table.
    """
    bucket_cases = " ".join(f"WHEN reply_hours <= {bound} THEN {i}" for i, bound in enumerate(REPLY_HOUR_BOUNDS))
    run_script(
        db,
        f"""
        ALTER TABLE reviews ADD COLUMN reply_hours REAL GENERATED ALWAYS AS (
            CASE WHEN first_reply_at IS NOT NULL
                 THEN max(0.0, (julianday(first_reply_at) - julianday(created_at)) * 24.0) END
        ) VIRTUAL;
        ALTER TABLE reviews ADD COLUMN reply_bucket INTEGER GENERATED ALWAYS AS (
            CASE WHEN first_reply_at IS NULL THEN NULL WHEN reply_hours IS NULL THEN -1
                 {bucket_cases} ELSE {len(REPLY_HOUR_BOUNDS)} END
        ) VIRTUAL;
        CREATE INDEX reviews_reply_hours
            ON reviews(reply_bucket, created_at, reply_hours, source, product, language)
            WHERE first_reply_at IS NOT NULL AND status != 'spam';
        CREATE TABLE reply_daily (
            day TEXT NOT NULL, source TEXT, product TEXT, language TEXT, bucket INTEGER NOT NULL, n INTEGER NOT NULL
        );
        CREATE INDEX reply_daily_day ON reply_daily(day);
        INSERT INTO reply_daily
            SELECT substr(created_at, 1, 10), source, product, language, reply_bucket, count(*)
            FROM reviews INDEXED BY reviews_reply_hours
            WHERE first_reply_at IS NOT NULL AND status != 'spam'
            GROUP BY 1, source, product, language, reply_bucket;
        CREATE INDEX review_history_review ON review_history(review_id, id)
        """,
    )
    _watch_column(db, "reviews_rollup_au", "reviews", "first_reply_at")


_OLD_RATING = "rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5)"
_NEW_RATING = "rating NUMERIC CHECK (rating IS NULL OR rating BETWEEN 0.5 AND 5)"


@migrations()
def m010_exact_ratings(db: Database) -> None:
    """Half and decimal stars stored exactly, and the rating as written on another scale.

    ``rating`` held whole stars 1-5. Allociné gives half stars from 0.5,
    TripAdvisor writes ``4.0``, and a 1-10 scale divided by two gives halves:
    the column becomes ``NUMERIC`` from 0.5 to 5, so 3.5 is stored as the real
    3.5 and a whole rating stays the integer every reader expects (the list's
    stars, exports, the JSON figures). Only the declared type and the CHECK
    change, not one stored value, so the table is not rebuilt (a million rows,
    with its triggers, FTS and generated columns): the statement in the schema
    is edited in place, which SQLite documents for loosening a constraint
    (https://www.sqlite.org/lang_altertable.html#otheralter), and the schema
    version is bumped so that every open connection rereads it.

    ``rating_original`` keeps the text of a rating given on another scale
    (``8/10``, ``--rating-scale 10``) next to its 1-5 value.
    """
    db.execute("ALTER TABLE reviews ADD COLUMN rating_original TEXT")
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'reviews'").fetchone()[0]
    if _OLD_RATING not in sql:
        raise RuntimeError("reviews: the rating column is not the one m001 created")
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'reviews'",
                   [sql.replace(_OLD_RATING, _NEW_RATING)])
        db.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")


@migrations()
def m011_learned_sentiment(db: Database) -> None:
    """Sentiment models learned from the workspace's stars, and which one scored each text.

    ``sentiment_models`` keeps one row per training (the newest per language is
    used): the model as checksummed JSON (never a pickle), what it learned
    from and its cross-validated accuracy. ``sentiment_model`` on a text is the
    id of the model that scored it (NULL: the lexicon analyzer). ``mismatch``
    is 1 when a review's text confidently contradicts its stars.
    """
    run_script(
        db,
        """
        CREATE TABLE sentiment_models (
            id INTEGER PRIMARY KEY,
            language TEXT NOT NULL,
            trained_at TEXT NOT NULL,
            n_positive INTEGER NOT NULL,
            n_negative INTEGER NOT NULL,
            balanced_accuracy REAL,
            recall_positive REAL,
            recall_negative REAL,
            folds INTEGER,
            model BLOB NOT NULL,
            sha256 TEXT NOT NULL
        );
        CREATE INDEX sentiment_models_language ON sentiment_models(language, id);
        ALTER TABLE reviews ADD COLUMN sentiment_model INTEGER;
        ALTER TABLE survey_responses ADD COLUMN sentiment_model INTEGER;
        ALTER TABLE reviews ADD COLUMN mismatch INTEGER NOT NULL DEFAULT 0 CHECK (mismatch IN (0, 1));
        CREATE INDEX reviews_mismatch ON reviews(created_at) WHERE mismatch = 1
        """,
    )


@migrations()
def m012_templates_without_brand(db: Database) -> None:
    """The seeded templates lose the brand m003 wrote in them.

    ``{agent} from the Panier team`` was a real company's name in every team's
    replies: the built-in templates that still end so say ``{agent}, {company}``
    instead (``company`` in the config, else "the support team" in the
    template's language). A built-in the team edited keeps its text otherwise.
    """
    for old in (" from the Panier team", " de l'équipe Panier"):
        db.execute("UPDATE templates SET body = replace(body, ?, ', {company}') WHERE builtin = 1", [old])
