"""The database schema, as an ordered list of migrations.

Migrations are registered with sqlite-utils' :class:`Migrations` and applied in
order when a database is opened, so an old file is brought up to date the
first time a new version of feedback-tui touches it. Never edit a migration
that has shipped: add a new one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("feedback_tui")

_STATUS_CHECK = "status IN ('new','open','replied','outdated','archived','spam')"
_SENTIMENT_CHECK = "sentiment IS NULL OR sentiment IN ('positive','neutral','negative','unknown')"


def _run_script(db: Database, script: str) -> None:
    """Run statements one by one: ``executescript`` would COMMIT the
    migration's transaction half-way and break its atomicity."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


@migrations()
def m001_core(db: Database) -> None:
    """Reviews, survey answers, replies, tags, import runs and rejects."""
    _run_script(
        db,
        f"""
        CREATE TABLE import_runs (
            id INTEGER PRIMARY KEY,
            origin TEXT NOT NULL,            -- file path or URL
            kind TEXT NOT NULL,              -- reviews | surveys
            format TEXT,
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running','done','failed','interrupted')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            inserted INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            pid INTEGER
        );

        CREATE TABLE rejects (
            id INTEGER PRIMARY KEY,
            import_run_id INTEGER NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,
            origin TEXT NOT NULL,
            line INTEGER NOT NULL,
            field TEXT,
            reason TEXT NOT NULL,
            raw TEXT NOT NULL
        );

        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
            title TEXT,
            body TEXT NOT NULL,
            author TEXT,
            created_at TEXT NOT NULL,        -- UTC ISO-8601, ends in Z
            updated_at TEXT,                 -- last edit by the author, at the source
            language TEXT,
            product TEXT,
            url TEXT,
            polarity REAL,
            subjectivity REAL,
            sentiment TEXT CHECK ({_SENTIMENT_CHECK}),
            status TEXT NOT NULL DEFAULT 'new' CHECK ({_STATUS_CHECK}),
            assignee TEXT,
            is_read INTEGER NOT NULL DEFAULT 0,
            first_reply_at TEXT,             -- kept by the store: response-time queries scan one table
            imported_at TEXT NOT NULL,
            import_run_id INTEGER REFERENCES import_runs(id) ON DELETE SET NULL,
            UNIQUE (source, external_id)
        );

        -- What a review said before its author edited it (reply effect, audit).
        CREATE TABLE review_history (
            id INTEGER PRIMARY KEY,
            review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
            rating INTEGER,
            title TEXT,
            body TEXT NOT NULL,
            updated_at TEXT,
            replaced_at TEXT NOT NULL
        );

        CREATE TABLE survey_responses (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('nps','csat','ces')),
            score INTEGER NOT NULL,
            comment TEXT,
            created_at TEXT NOT NULL,
            customer TEXT,
            language TEXT,
            polarity REAL,
            subjectivity REAL,
            sentiment TEXT CHECK ({_SENTIMENT_CHECK}),
            status TEXT NOT NULL DEFAULT 'new' CHECK ({_STATUS_CHECK}),
            imported_at TEXT NOT NULL,
            import_run_id INTEGER REFERENCES import_runs(id) ON DELETE SET NULL,
            UNIQUE (source, external_id),
            CHECK (
                (kind = 'nps' AND score BETWEEN 0 AND 10) OR
                (kind = 'csat' AND score BETWEEN 1 AND 5) OR
                (kind = 'ces' AND score BETWEEN 1 AND 7)
            )
        );

        CREATE TABLE replies (
            id INTEGER PRIMARY KEY,
            review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            agent TEXT NOT NULL,
            created_at TEXT,                 -- may be unknown for imported replies
            channel TEXT,
            origin TEXT NOT NULL DEFAULT 'agent' CHECK (origin IN ('agent','import')),
            delivery_status TEXT NOT NULL DEFAULT 'local'
                CHECK (delivery_status IN ('local','pending','sent','failed')),
            delivery_error TEXT,
            template TEXT
        );
        -- A source publishes one developer reply per review: re-imports update it.
        CREATE UNIQUE INDEX replies_one_import ON replies(review_id) WHERE origin = 'import';
        CREATE INDEX replies_review ON replies(review_id, created_at);

        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE
        );
        CREATE TABLE review_tags (
            review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            agent TEXT,
            created_at TEXT,
            PRIMARY KEY (review_id, tag_id)
        ) WITHOUT ROWID;

        CREATE INDEX reviews_created ON reviews(created_at);
        CREATE INDEX reviews_source_created ON reviews(source, created_at);
        CREATE INDEX surveys_kind_created ON survey_responses(kind, created_at);
        CREATE INDEX surveys_created ON survey_responses(created_at);
        CREATE INDEX rejects_run ON rejects(import_run_id);
        """
    )
    # Full-text search over what an agent types in the search box. The
    # triggers keep the index in step with every insert, update and delete.
    db["reviews"].enable_fts(
        ["title", "body", "author"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )
    # sqlite-utils' update trigger fires on every column: a status change or a
    # sentiment score would re-index the whole text. Only text edits need it.
    db.execute("DROP TRIGGER reviews_au")
    db.execute(
        """CREATE TRIGGER reviews_au AFTER UPDATE OF title, body, author ON reviews BEGIN
             INSERT INTO reviews_fts (reviews_fts, rowid, title, body, author)
                 VALUES ('delete', old.rowid, old.title, old.body, old.author);
             INSERT INTO reviews_fts (rowid, title, body, author) VALUES (new.rowid, new.title, new.body, new.author);
           END"""
    )


@migrations()
def m002_triage(db: Database) -> None:
    """Notes, an action log (undo and audit), saved views, and the indexes of the inbox."""
    _run_script(
        db,
        """
        -- Negative by stars when the review has them, else by sentiment: the
        -- "Needs reply" view puts these first.
        ALTER TABLE reviews ADD COLUMN is_negative INTEGER GENERATED ALWAYS AS (
            CASE WHEN rating IS NOT NULL THEN rating <= 2 ELSE coalesce(sentiment = 'negative', 0) END
        ) VIRTUAL;

        -- Whether any reply exists, even one imported without a date (which
        -- first_reply_at, used for response times, cannot show).
        ALTER TABLE reviews ADD COLUMN has_reply INTEGER NOT NULL DEFAULT 0;
        UPDATE reviews SET has_reply = 1 WHERE id IN (SELECT review_id FROM replies);

        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
            agent TEXT NOT NULL,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX notes_review ON notes(review_id, created_at);

        -- Every triage action, with what it replaced, so "undo" restores it.
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            agent TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT,
            review_ids TEXT NOT NULL,         -- JSON list
            previous TEXT NOT NULL,           -- JSON: what to restore
            created_at TEXT NOT NULL,
            undone_at TEXT
        );
        CREATE INDEX actions_agent ON actions(agent, id);

        CREATE TABLE saved_views (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            filters TEXT NOT NULL,            -- JSON of the inbox query
            agent TEXT,
            created_at TEXT NOT NULL
        );

        -- Few indexes on purpose: each one costs every imported row. Needs reply has
        -- its own partial index; Mine only indexes assigned rows; the sentiment sort
        -- and the Negative view walk the created_at index.
        CREATE INDEX reviews_needs_reply ON reviews(is_negative DESC, created_at, id)
            WHERE status IN ('new', 'open', 'outdated');
        CREATE INDEX reviews_assignee_created ON reviews(assignee, created_at) WHERE assignee IS NOT NULL;
        CREATE INDEX reviews_rating_created ON reviews(coalesce(rating, 0), created_at);
        CREATE INDEX review_tags_tag ON review_tags(tag_id, review_id);
        CREATE INDEX surveys_comment_created ON survey_responses(created_at) WHERE comment IS NOT NULL
        """,
    )


@migrations()
def m003_replies(db: Database) -> None:
    """Reply templates, drafts that survive a crash, reply versions and delivery."""
    _run_script(
        db,
        """
        CREATE TABLE templates (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            language TEXT NOT NULL DEFAULT 'en',
            tone TEXT NOT NULL DEFAULT 'neutral' CHECK (tone IN ('positive', 'neutral', 'negative')),
            body TEXT NOT NULL,
            builtin INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        );

        -- One draft per review and agent, saved as the agent types.
        CREATE TABLE drafts (
            review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
            agent TEXT NOT NULL,
            text TEXT NOT NULL,
            template TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (review_id, agent)
        );

        -- Earlier versions of an edited or withdrawn reply.
        CREATE TABLE reply_versions (
            id INTEGER PRIMARY KEY,
            reply_id INTEGER NOT NULL REFERENCES replies(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            agent TEXT,
            replaced_at TEXT NOT NULL
        );

        ALTER TABLE replies ADD COLUMN updated_at TEXT;
        ALTER TABLE replies ADD COLUMN withdrawn_at TEXT;
        ALTER TABLE replies ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX replies_delivery ON replies(delivery_status) WHERE delivery_status IN ('pending', 'failed');
        CREATE INDEX drafts_review ON drafts(review_id)
        """,
    )
    from feedback_tui.reply_rules import DEFAULT_TEMPLATES

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for template in DEFAULT_TEMPLATES:
        db.execute(
            "INSERT INTO templates (name, language, tone, body, builtin, updated_at) VALUES (?, ?, ?, ?, 1, ?)",
            (template.name, template.language, template.tone, template.body, now),
        )


@migrations()
def m004_text_flags(db: Database) -> None:
    """``flags``: 'replaced-bytes' when a text holds U+FFFD.

    An import replaces bytes that are not valid in the file's encoding, and
    NUL characters, with U+FFFD (see ``importers.textio.repair``); a text that
    arrives with U+FFFD already lost its bytes upstream. Either way an agent
    should know the text is damaged, so the flag is computed from the text
    (a virtual column: nothing to keep in step, costs nothing on import).
    """
    fffd = "char(65533)"
    reviews = " OR ".join(f"instr(coalesce({c}, ''), {fffd}) > 0"
                          for c in ("body", "title", "author", "product", "url", "external_id", "source"))
    surveys = " OR ".join(f"instr(coalesce({c}, ''), {fffd}) > 0"
                          for c in ("comment", "customer", "external_id", "source"))
    _run_script(
        db,
        f"""
        ALTER TABLE reviews ADD COLUMN flags TEXT GENERATED ALWAYS AS (
            CASE WHEN {reviews} THEN 'replaced-bytes' END) VIRTUAL;
        ALTER TABLE survey_responses ADD COLUMN flags TEXT GENERATED ALWAYS AS (
            CASE WHEN {surveys} THEN 'replaced-bytes' END) VIRTUAL
        """,
    )


@migrations()
def m005_search_vocabulary(db: Database) -> None:
    """How many reviews hold each indexed word, for the search planner.

    A search for a word most reviews contain is answered fastest by walking
    the date index and checking each row; a rare word by collecting its few
    matches first. ``store.inbox`` reads this table to choose.
    """
    db.execute("CREATE VIRTUAL TABLE reviews_fts_vocab USING fts5vocab(reviews_fts, 'row')")


@migrations()
def m006_daily_rollups(db: Database) -> None:
    """Daily rollups of the score counts, and the triggers that mark days dirty.

    See :mod:`feedback_tui.store.rollups`. Every day present is marked dirty
    here, so the first score after the upgrade fills the rollups.
    """
    _run_script(
        db,
        """
        CREATE TABLE rollup_dirty (day TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE review_daily (
            day TEXT NOT NULL, source TEXT, product TEXT, language TEXT,
            n INTEGER, replied INTEGER, positive INTEGER, positive_replied INTEGER,
            negative INTEGER, negative_replied INTEGER,
            s_n INTEGER, s_pos INTEGER, s_neu INTEGER, s_neg INTEGER, pol_sum REAL, pol_sq REAL, pol_n INTEGER
        );
        CREATE INDEX review_daily_day ON review_daily(day);
        CREATE TABLE survey_daily (
            day TEXT NOT NULL, source TEXT, language TEXT, kind TEXT,
            n INTEGER, top INTEGER, low INTEGER, satisfied INTEGER, total INTEGER, total_squares INTEGER,
            s_n INTEGER, s_pos INTEGER, s_neu INTEGER, s_neg INTEGER, pol_sum REAL, pol_sq REAL, pol_n INTEGER
        );
        CREATE INDEX survey_daily_day ON survey_daily(day);
        INSERT OR IGNORE INTO rollup_dirty SELECT DISTINCT substr(created_at, 1, 10) FROM reviews;
        INSERT OR IGNORE INTO rollup_dirty SELECT DISTINCT substr(created_at, 1, 10) FROM survey_responses
        """,
    )
    mark_new = "INSERT OR IGNORE INTO rollup_dirty VALUES (substr(new.created_at, 1, 10));"
    mark_old = "INSERT OR IGNORE INTO rollup_dirty VALUES (substr(old.created_at, 1, 10));"
    watched = {
        "reviews": "created_at, source, product, language, status, rating, sentiment, polarity, has_reply",
        "survey_responses": "created_at, source, language, kind, score, sentiment, polarity",
    }
    for table, columns in watched.items():
        short = "reviews" if table == "reviews" else "surveys"
        db.execute(f"CREATE TRIGGER {short}_rollup_ai AFTER INSERT ON {table} BEGIN {mark_new} END")
        db.execute(f"CREATE TRIGGER {short}_rollup_ad AFTER DELETE ON {table} BEGIN {mark_old} END")
        db.execute(f"CREATE TRIGGER {short}_rollup_au AFTER UPDATE OF {columns} ON {table} "
                   f"BEGIN {mark_old} {mark_new} END")


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
    _run_script(
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
    _run_script(
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
