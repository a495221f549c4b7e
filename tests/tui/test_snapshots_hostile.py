"""Screenshots of the hostile corpus (fixtures/hostile/) in the inbox and the review screen.

Markup must show as typed, control sequences as visible placeholders
(␛ ␇ ␈ ␍ �), bidi overrides and zero-width characters as ``·``, wide
characters in their two cells, and every line must keep its width. After a
deliberate UI change: ``pytest tests/tui/test_snapshots_hostile.py --snapshot-update``,
then look at the SVGs.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from feedback_tui.cli import cli
from feedback_tui.store import Store
from feedback_tui.store.inbox import InboxQuery
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.review import ReviewScreen
from tui_helpers import SIZE, settle

HOSTILE = FIXTURES / "hostile"
SHOWN = ["markup.csv", "ansi.csv", "unicode.csv", "formulas.csv", "invalid_utf8.csv", "nul.csv", "escapes.json"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile-snap") / "feedback.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEEDBACK_TUI_CONFIG", str(path.parent / "absent.toml"))
        result = CliRunner().invoke(cli, ["--db", str(path), "import", *(str(HOSTILE / n) for n in SHOWN)])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def hostile_db(template: Path, db_path: Path) -> Path:
    shutil.copy(template, db_path)
    return db_path


def make_app(path: Path) -> FeedbackApp:
    return FeedbackApp(db_path=path, agent="camille", watch=False)


def test_inbox_with_hostile_rows(hostile_db: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("4")
        await settle(pilot.app, pilot)

    assert snap_compare(make_app(hostile_db), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("external_id", ["an-2", "un-1"])
def test_review_detail_of_a_hostile_review(hostile_db: Path, snap_compare: Any, external_id: str) -> None:
    with Store.open(hostile_db) as store:
        review_id = store.scalar("SELECT id FROM reviews WHERE external_id = ?", (external_id,))

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await settle(app, pilot)
        app.screen.open_with(InboxQuery(view="all", ids=(review_id,)))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)

    assert snap_compare(make_app(hostile_db), terminal_size=SIZE, run_before=run_before)
