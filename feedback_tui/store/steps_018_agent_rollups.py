"""Schema step m018: the dashboard's per-agent table from a rollup (issue 19).

Never edit a step that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback_tui.store import steps_017_interaction_indexes  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import migrations, run_script

# Who gave a review's first reply, as the per-agent figures name it: the first reply
# not withdrawn (by time, then id), ``platform`` when it came with a platform's export.
FIRST_AGENT = """(SELECT CASE WHEN p.origin = 'import' THEN 'platform' ELSE p.agent END
    FROM replies p WHERE p.review_id = {review} AND p.withdrawn_at IS NULL
    ORDER BY p.created_at, p.id LIMIT 1)"""


def _sync(review: str) -> str:
    """The statement that sets one review's ``first_reply_agent`` (only when it changes:
    an unchanged value must not mark its day dirty)."""
    agent = FIRST_AGENT.format(review="reviews.id")
    return f"UPDATE reviews SET first_reply_agent = {agent} WHERE id = {review} AND first_reply_agent IS NOT {agent};"


@migrations()
def m018_agent_rollups(db: Database) -> None:
    """``reviews.first_reply_agent``, the ``agent_reply_daily`` histograms and their index.

    The per-agent table found each replied review's first reply in ``replies``
    and sorted every one of them per agent: 1.9 s at a million reviews, for
    every dashboard window. Now:

    - ``first_reply_agent`` holds that agent on the review, kept by triggers on
      ``replies`` (a reply added, withdrawn, moved in time, deleted);
    - ``agent_reply_daily`` counts replied reviews per day, source, product,
      language, agent and bucket of hours, as ``reply_daily`` does without the
      agent; ``rollups.refresh`` recomputes it for the dirty days, and a change
      of ``first_reply_agent`` marks its day dirty (``reviews_agent_au``); the
      other columns it depends on are watched by ``reviews_rollup_au`` already;
    - ``reviews_agent_reply_hours`` (the partial index of ``reply_daily``'s
      reader, led by the agent) lets ``reply_times`` read the exact medians
      and 90th percentiles of one agent in a few index entries.

    Both are filled here in one pass over the replied reviews.
    """
    agent = FIRST_AGENT.format(review="reviews.id")
    run_script(
        db,
        f"""
        ALTER TABLE reviews ADD COLUMN first_reply_agent TEXT;
        UPDATE reviews SET first_reply_agent = {agent}
            WHERE id IN (SELECT DISTINCT review_id FROM replies WHERE withdrawn_at IS NULL);
        CREATE INDEX reviews_agent_reply_hours
            ON reviews(first_reply_agent, reply_bucket, created_at, reply_hours, source, product, language)
            WHERE first_reply_at IS NOT NULL AND status != 'spam';
        CREATE TABLE agent_reply_daily (
            day TEXT NOT NULL, source TEXT, product TEXT, language TEXT, agent TEXT, bucket INTEGER, n INTEGER
        );
        CREATE INDEX agent_reply_daily_day ON agent_reply_daily(day);
        INSERT INTO agent_reply_daily
            SELECT substr(created_at, 1, 10), source, product, language, first_reply_agent, reply_bucket, count(*)
            FROM reviews INDEXED BY reviews_agent_reply_hours
            WHERE first_reply_at IS NOT NULL AND status != 'spam'
            GROUP BY 1, source, product, language, first_reply_agent, reply_bucket;
        CREATE TRIGGER replies_agent_ai AFTER INSERT ON replies BEGIN {_sync("new.review_id")} END;
        CREATE TRIGGER replies_agent_ad AFTER DELETE ON replies BEGIN {_sync("old.review_id")} END;
        CREATE TRIGGER replies_agent_au AFTER UPDATE OF review_id, agent, origin, created_at, withdrawn_at ON replies
            BEGIN {_sync("old.review_id")} {_sync("new.review_id")} END;
        CREATE TRIGGER reviews_agent_au AFTER UPDATE OF first_reply_agent ON reviews
            BEGIN INSERT OR IGNORE INTO rollup_dirty VALUES (substr(new.created_at, 1, 10)); END
        """,
    )
