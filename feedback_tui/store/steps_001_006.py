"""Schema steps m001-m006: the first release's tables, triage, replies, text
flags, the search vocabulary and the daily rollups. Never edit a step that has
shipped: add a new one in a new ``steps_*`` module."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlite_utils import Database

from feedback_tui.store.migration_base import SENTIMENT_CHECK, STATUS_CHECK, migrations, run_script

@migrations()
def m001_core(db: Database) -> None:
    """Reviews, survey answers, replies, tags, import runs and rejects."""
    run_script(
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
            sentiment TEXT CHECK ({SENTIMENT_CHECK}),
            status TEXT NOT NULL DEFAULT 'new' CHECK ({STATUS_CHECK}),
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
            sentiment TEXT CHECK ({SENTIMENT_CHECK}),
            status TEXT NOT NULL DEFAULT 'new' CHECK ({STATUS_CHECK}),
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
    run_script(
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
    run_script(
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
    run_script(
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
    run_script(
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
