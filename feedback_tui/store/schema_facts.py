"""What the store knows of this version's schema without loading its steps.

The steps (``steps_*.py``, through ``schema``) need sqlite-utils, and sqlite-utils
brings click, pluggy and dateutil: some 5 MB of the app's resident memory for a
database whose migrations are all applied, the usual case (issue 19, the app's
peak memory at 1M reviews). So a store opens with these facts alone, and loads
``schema`` only when the file's applied migrations are not exactly
:data:`MIGRATION_NAMES` (an older file to migrate, or one made by a newer
version). A list behind the steps only makes an open slower, never wrong: it
then falls back to the steps. ``tests/core/test_schema_facts.py`` checks that
every value here is the steps' own.
"""

from __future__ import annotations

MIGRATION_SET = "feedback_tui"
"""The name of the store's set of migrations in sqlite-utils' table."""

MIGRATIONS_TABLE = "_sqlite_migrations"
"""sqlite-utils' table of applied migrations."""

MIGRATION_NAMES: frozenset[str] = frozenset({
    "m001_core", "m002_triage", "m003_replies", "m004_text_flags", "m005_search_vocabulary",
    "m006_daily_rollups", "m007_replied_index", "m008_search_index_per_batch",
    "m009_reply_time_histograms", "m010_exact_ratings", "m011_learned_sentiment",
    "m012_templates_without_brand", "m013_rating_rollups", "m014_orders",
    "m015_answered_elsewhere_and_activity", "m017_interaction_indexes", "m018_agent_rollups",
    "m019_model_labelled", "m020_spam_index", "m024_reply_daily_order", "m025_undated_rows",
    "m026_survey_scales",
})
"""Every migration of ``schema`` (add a new step's name here too: the test says so)."""

REPLY_HOUR_BOUNDS: tuple[float, ...] = (
    0.5, 1, 2, 3, 4, 6, 8, 10, 12, 15, 18, 21, 24, 30, 36, 42, 48, 60, 72, 84, 96,
    120, 144, 168, 240, 336, 504, 720,
)
"""The upper bounds (hours) of reply_daily's buckets: m009's (``steps_007_012``)."""

STAR_BUCKETS: tuple[str, ...] = (
    "rating < 2",
    "rating >= 2 AND rating < 3",
    "rating >= 3 AND rating < 4",
    "rating >= 4 AND rating < 5",
    "rating >= 5",
)
"""The star bucket of a rating, as SQL: m013's (``steps_013_rating_rollups``)."""
