"""Rows into batches: duplicates within a batch become rejects, and a thread
may parse the next batch while the last one is written.

Split from :mod:`feedback_tui.store.imports`, which writes the batches.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

from feedback_tui.models import Reject, ReviewRecord, SurveyRecord


def duplicate_reject(row: ReviewRecord | SurveyRecord, first: int) -> Reject:
    raw = json.dumps(asdict(row), ensure_ascii=False)
    return Reject(row.line, f"same source and id as line {first} ({row.external_id!r}); only the first was kept",
                  raw, "external_id")


_DONE = object()
Batch = tuple[list[ReviewRecord | SurveyRecord], list[Reject], int]


def in_batches(rows: Iterable[ReviewRecord | SurveyRecord | Reject], batch_size: int) -> Iterator[Batch]:
    """(records, rejects, rows so far) every ``batch_size`` rows."""
    batch: list[ReviewRecord | SurveyRecord] = []
    rejects: list[Reject] = []
    # The staging table keeps one row per (source, id): a second row with the
    # same key in a batch would vanish without a trace, so it becomes a reject.
    # (Across batches the later row simply updates the earlier one.)
    first_line: dict[tuple[str, str], int] = {}
    handled = 0
    for row in rows:
        handled += 1
        if isinstance(row, Reject):
            rejects.append(row)
        elif (row.source, row.external_id) in first_line:
            rejects.append(duplicate_reject(row, first_line[(row.source, row.external_id)]))
        else:
            first_line[(row.source, row.external_id)] = row.line
            batch.append(row)
        if len(batch) + len(rejects) >= batch_size:
            yield batch, rejects, handled
            batch, rejects = [], []
            first_line.clear()
    if batch or rejects:
        yield batch, rejects, handled


def parse_ahead(rows: Iterable[ReviewRecord | SurveyRecord | Reject], batch_size: int,
                 stop: threading.Event) -> Iterator[Batch]:
    """Batches of (records, rejects, rows so far), parsed by a thread one batch ahead.

    Parsing is Python and holds the GIL; SQLite releases it while it inserts,
    indexes and commits. Parsing the next batch while the last one is written
    overlaps the two.
    """
    handoff: queue.Queue[Any] = queue.Queue(maxsize=2)

    def produce() -> None:
        try:
            for item in in_batches(rows, batch_size):
                handoff.put(item)
                if stop.is_set():
                    return
        except BaseException as error:  # handed to the writing thread, which raises it
            handoff.put(error)
        finally:
            handoff.put(_DONE)

    thread = threading.Thread(target=produce, name="import-parser", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                handoff.get(timeout=0.05)
            except queue.Empty:
                pass
        thread.join()
