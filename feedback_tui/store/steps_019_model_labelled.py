"""Schema step m019: how many labelled texts a language had when its model was trained (issue 17).

Never edit a step that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database

from feedback_tui.store import steps_018_agent_rollups  # noqa: F401  (registers the earlier steps first)
from feedback_tui.store.migration_base import migrations, run_script


@migrations()
def m019_model_labelled(db: Database) -> None:
    """``sentiment_models.labelled``: the language's labelled texts at training time.

    A model learns from at most ``sentiment_models.MAX_PER_CLASS`` texts per class
    (a million-review workspace would otherwise load every text, gigabytes, to
    train). Its ``n_positive`` / ``n_negative`` are then the sample's sizes, and
    "retrain after 1,000 new labelled texts" has to count from what the
    workspace held, not from what was read. Older models (NULL) count from their
    n, which was everything at the time.
    """
    run_script(db, "ALTER TABLE sentiment_models ADD COLUMN labelled INTEGER;")
