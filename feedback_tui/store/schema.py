"""The database schema, as an ordered list of migrations.

Migrations are registered with sqlite-utils' :class:`Migrations` and applied in
order when a database is opened, so an old file is brought up to date the
first time a new version of feedback-tui touches it. Never edit a migration
that has shipped: add a new one, in a new ``steps_NNN_name.py`` module that
imports the module of the step before it, and import it here last; then add its
name to ``schema_facts.MIGRATION_NAMES`` (a store opens without this module, and
sqlite-utils, when a file's applied migrations are exactly those; a name missing
there only makes every open load the steps again, and a test says so).
"""

from __future__ import annotations

from feedback_tui.store import steps_001_006, steps_007_012, steps_013_rating_rollups  # noqa: F401  (registration order)
from feedback_tui.store import steps_014_orders  # noqa: F401  (m014)
from feedback_tui.store import steps_015_workflow  # noqa: F401  (m015)
from feedback_tui.store import steps_017_interaction_indexes  # noqa: F401  (m017)
from feedback_tui.store import steps_018_agent_rollups  # noqa: F401  (m018)
from feedback_tui.store import steps_019_model_labelled  # noqa: F401  (m019)
from feedback_tui.store import steps_020_spam_index  # noqa: F401  (m020)
from feedback_tui.store import steps_024_reply_daily_order  # noqa: F401  (m024)
from feedback_tui.store import steps_025_undated_rows  # noqa: F401  (m025)
from feedback_tui.store import steps_026_survey_scales  # noqa: F401  (m026)
from feedback_tui.store.migration_base import migrations
from feedback_tui.store.steps_007_012 import REPLY_HOUR_BOUNDS

# Steps register when their module is first imported, and a module that imports a
# step for one of its constants (``store.imports``: ``FIRST_AGENT``) may do so before
# this one: its chain (m018 imports m017, which imports m007-m012) would then register
# m017 before m013. The store loads this module only when a file has a migration to
# apply (``schema_facts``), so that can happen; the steps are put back in number order.
migrations._migrations.sort(key=lambda step: int(step.name[1:4]))  # noqa: SLF001 - sqlite-utils' registration list

__all__ = ["REPLY_HOUR_BOUNDS", "migrations"]
