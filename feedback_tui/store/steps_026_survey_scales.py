"""Schema step m026: survey answers asked on another scale keep their original value.

Never edit a step that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback_tui.store import steps_025_undated_rows  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import migrations


@migrations()
def m026_survey_scales(db: Database) -> None:
    """``score_original`` and ``score_scale`` on ``survey_responses``.

    A CSAT asked on 1-10 (``--csat-scale 1-10``) or a CES on 1-5 keeps the
    answer as given and the top of its scale; ``score`` holds its value on the
    kind's own scale, so that every list, filter and CHECK that reads a 1-5
    CSAT or a 1-7 CES stays right. Both are NULL for an answer on the kind's
    own scale (nearly all of them). Adding nullable columns rewrites no row:
    instant at any size.
    """
    columns = {row[1] for row in db.execute("PRAGMA table_info(survey_responses)").fetchall()}
    if "score_original" not in columns:
        db.execute("ALTER TABLE survey_responses ADD COLUMN score_original INTEGER")
    if "score_scale" not in columns:
        db.execute("ALTER TABLE survey_responses ADD COLUMN score_scale INTEGER")
