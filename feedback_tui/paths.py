"""Where feedback-tui keeps its files.

The database lives in the user's data directory unless ``--db`` or
``$FEEDBACK_TUI_DB`` says otherwise; the config lives in the user's config
directory unless ``$FEEDBACK_TUI_CONFIG`` says otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "feedback-tui"
DB_ENV = "FEEDBACK_TUI_DB"
CONFIG_ENV = "FEEDBACK_TUI_CONFIG"


def default_db_path() -> Path:
    """The database used when no ``--db`` is given."""
    from_env = os.environ.get(DB_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return user_data_path(APP_NAME) / "feedback.db"


def demo_db_path() -> Path:
    """A separate database for the demo, so it never mixes with real data."""
    return user_data_path(APP_NAME) / "demo.db"


def config_path() -> Path:
    """The TOML config file (optional)."""
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return user_config_path(APP_NAME) / "config.toml"


def fixtures_dir() -> Path:
    """The bundled sample data: in a wheel it ships inside the package, in a
    checkout it is the repository's ``fixtures/`` folder."""
    packaged = Path(__file__).parent / "_fixtures"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "fixtures"
