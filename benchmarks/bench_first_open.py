"""The first moments of the app on a bench database: first paint, keys, the first filter panel.

``bench_app.py`` times interactions after the inbox has settled, three runs each,
so the filter panel's first opening is one run in three of its figure. This
times what an agent sees right after start (ms, JSON):

- ``first_paint_ms``: the app's start to the first row under the cursor;
- ``keys``: ``j`` pressed at fixed moments after the first count (0.32-1.0 s),
  when the inbox builds its filter panel ahead of need (``tui/prebuild.py``):
  a key that comes while it builds waits for the step under way;
- ``first_filter_panel_ms`` after 1.2 s without a key, then ``second_filter_panel_ms``.

Run it beside a copy of the old code on the same database to compare::

    python benchmarks/bench_first_open.py DB
    python /tmp/old/benchmarks/bench_first_open.py DB   # a copy of main with this file
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

KEY_MOMENTS = (0.32, 0.38, 0.44, 0.5, 0.56, 0.62, 0.68, 0.74, 0.8, 0.9, 1.0)  # seconds after the first count


async def first_moments(db: Path) -> dict[str, Any]:
    from feedback_tui.tui.app import FeedbackApp
    from feedback_tui.tui.dialogs.filters import FilterDialog
    from feedback_tui.tui.widgets.review_list import ReviewList

    from bench_app import wait

    out: dict[str, Any] = {}
    started = time.perf_counter()
    app = FeedbackApp(db_path=db, agent="bench", watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        lst = app.screen.query_one(ReviewList)
        await wait(pilot, lambda: lst.current_row is not None)
        out["first_paint_ms"] = (time.perf_counter() - started) * 1000
        await wait(pilot, lambda: lst.total is not None)
        counted = time.perf_counter()
        keys = []
        for moment in KEY_MOMENTS:
            rest = moment - (time.perf_counter() - counted)
            if rest > 0:
                await asyncio.sleep(rest)  # not pilot.pause, which waits for idle
            cursor = lst.cursor
            before = time.perf_counter()
            await pilot.press("j")
            await wait(pilot, lambda cursor=cursor: lst.cursor != cursor and lst.current_row is not None)
            keys.append((time.perf_counter() - before) * 1000)
        out["keys"] = [round(ms) for ms in keys]
        out["key_ms_median"], out["key_ms_max"] = statistics.median(keys), max(keys)
        await asyncio.sleep(1.2)  # the agent reads
        inbox = app.screen
        for name in ("first_filter_panel_ms", "second_filter_panel_ms"):
            await pilot.pause()
            before = time.perf_counter()
            inbox.action_filters()
            await wait(pilot, lambda: isinstance(app.screen, FilterDialog) and app.screen.is_mounted
                       and bool(app.screen.query("#language")))
            await pilot.pause()
            out[name] = (time.perf_counter() - before) * 1000
            app.screen.dismiss(None)
            await pilot.pause(0.3)
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}


if __name__ == "__main__":
    print(json.dumps({"code": str(ROOT), **asyncio.run(first_moments(Path(sys.argv[1])))}))
