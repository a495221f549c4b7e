"""What every schema step shares: the migration set and its helpers.

Steps live in ``steps_*.py`` modules, one per group of migrations, each
importing the one before it so the order of registration (which is the order
of application) never depends on who imports what first. ``schema`` is the one
entry point the store uses.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("feedback_tui")

STATUS_CHECK = "status IN ('new','open','replied','outdated','archived','spam')"
SENTIMENT_CHECK = "sentiment IS NULL OR sentiment IN ('positive','neutral','negative','unknown')"


def run_script(db: Database, script: str) -> None:
    """Run statements one by one: ``executescript`` would COMMIT the
    migration's transaction half-way and break its atomicity."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)
