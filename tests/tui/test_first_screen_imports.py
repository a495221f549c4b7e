"""The app's first screen loads none of what it does not show (issue 19, the app's peak memory).

sqlite-utils (with click, pluggy and dateutil: the store's migrations, none pending
here) and plotext (the dashboard's chart) are some 6.5 MB of the app's resident
memory; an agent who only triages needs neither.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from feedback_tui.store import Store

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlite_utils", "click", "dateutil", "pluggy", "feedback_tui.store.schema", "plotext",
         "feedback_tui.sentiment_model")


def test_the_inbox_first_screen_imports_neither_sqlite_utils_nor_plotext(db_path: Path) -> None:
    """The app up to its first page of reviews: what every agent's session pays for."""
    Store.open(db_path).close()
    probe = (
        "import asyncio, json, sys\n"
        "from feedback_tui.tui.app import FeedbackApp\n"
        "from feedback_tui.tui.widgets.review_list import ReviewList\n"
        "async def main():\n"
        f"    app = FeedbackApp(db_path={str(db_path)!r}, agent='t', watch=False)\n"
        "    async with app.run_test(size=(120, 40)) as pilot:\n"
        "        lst = app.screen.query_one(ReviewList)\n"
        "        for _ in range(2500):\n"
        "            if lst.total is not None:\n"
        "                break\n"
        "            await pilot.pause(0.02)\n"
        "        assert lst.total == 0, lst.total\n"
        "asyncio.run(main())\n"
        f"print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
