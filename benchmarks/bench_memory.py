"""Where the app's memory goes: its resident size after each step of a session (issue 19).

``bench_app.py`` reports one figure, the peak RSS of its whole scenario; this
script says which step raised it. It runs the real app headless on a bench
database and prints, after each step, ``VmRSS`` (now) and ``VmHWM`` (the peak
so far) from /proc, in MB::

    python benchmarks/bench_memory.py DB                  # one line per step, JSON at the end
    python benchmarks/bench_memory.py DB --tracemalloc    # also the 15 biggest allocation sites at the peak step

The steps: Python and the app's imports; the first page; the count and the
filter panel built ahead; the dashboard's cards; its slower panels (themes,
agents); back to the inbox; the filter panel; a review; the composer; the
retention screen. ``--tracemalloc`` slows everything down and counts Python
objects only (not SQLite's page cache nor Textual's C-level buffers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def status_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process, MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, amount, _unit = line.split()
            values[key[:-1]] = int(amount) / 1024
    return values["VmRSS"], values["VmHWM"]


async def steps(db: Path, trace: bool) -> list[dict[str, Any]]:
    import tracemalloc

    out: list[dict[str, Any]] = []
    started = time.perf_counter()
    snapshots: dict[str, Any] = {}

    def mark(name: str) -> None:
        rss, hwm = status_mb()
        row = {"step": name, "s": round(time.perf_counter() - started, 2), "rss_mb": round(rss, 1),
               "hwm_mb": round(hwm, 1)}
        if trace:
            row["traced_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            snapshots[name] = tracemalloc.take_snapshot()
            tracemalloc.reset_peak()
        out.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)

    if trace:
        tracemalloc.start(12)
    mark("python")
    from feedback_tui.tui.app import FeedbackApp
    from feedback_tui.tui.dialogs.filters import FilterDialog
    from feedback_tui.tui.screens.dashboard import DashboardScreen
    from feedback_tui.tui.screens.inbox import InboxScreen
    from feedback_tui.tui.screens.review import ReviewScreen
    from feedback_tui.tui.widgets.review_list import ReviewList

    from bench_app import wait

    mark("imports")
    app = FeedbackApp(db_path=db, agent="bench", watch=False)

    def idle() -> bool:
        return not any(not w.is_finished for w in app.workers)

    async with app.run_test(size=(160, 50)) as pilot:
        lst = app.screen.query_one(ReviewList)
        await wait(pilot, lambda: lst.current_row is not None)
        mark("first page")
        await wait(pilot, lambda: lst.total is not None)
        inbox = app.screen
        await wait(pilot, lambda: inbox._filter_dialog is not None and inbox._filter_dialog.is_attached, limit=60)
        await pilot.pause(1.5)
        await wait(pilot, idle)
        mark("count, filter panel built ahead")
        app.call_later(app.run_action, "dashboard")
        await wait(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.figures is not None,
                   limit=900)
        mark("dashboard cards")
        await wait(pilot, idle, limit=900)
        mark("dashboard panels (themes, agents)")
        app.pop_screen()
        await pilot.pause(0.2)
        mark("back to the inbox")
        inbox.action_filters()
        await wait(pilot, lambda: isinstance(app.screen, FilterDialog) and bool(app.screen.query("#language")))
        await pilot.pause(0.3)
        app.screen.dismiss(None)
        await wait(pilot, lambda: isinstance(app.screen, InboxScreen))
        mark("filter panel")
        lst.action_open()
        await wait(pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.detail is not None)
        mark("a review")
        app.pop_screen()
        await pilot.pause(0.2)
        inbox.action_reply()
        await wait(pilot, lambda: any(getattr(s, "_loaded", False) for s in app.screen_stack))
        mark("the composer")
        while not isinstance(app.screen, InboxScreen):
            app.pop_screen()
            await pilot.pause(0.1)
        app.call_later(app.run_action, "retention")
        await pilot.pause(0.5)
        await wait(pilot, idle, limit=900)
        mark("retention screen")
    if trace:
        peak = max(out[1:], key=lambda row: row["traced_mb"])
        print(f"\nbiggest allocation sites after '{peak['step']}':", file=sys.stderr)
        for stat in snapshots[peak["step"]].statistics("traceback")[:15]:
            print(f"{stat.size / 2**20:7.1f} MB {stat.count:8d} blocks", file=sys.stderr)
            for line in stat.traceback.format()[-8:]:
                print("      " + line, file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(steps(args.db, args.tracemalloc))))


if __name__ == "__main__":
    main()
