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
    return Reject(row.line, f"same source and id as line {first} ({row.external_id!r}) but other content; "
                  "only the first was kept", raw, "external_id")


_DONE = object()
Batch = tuple[list[ReviewRecord | SurveyRecord], list[Reject], int, int]


def _content(row: ReviewRecord | SurveyRecord) -> tuple[object, ...]:
    """Every field but the line: what makes a repeated row an exact duplicate."""
    return tuple(getattr(row, name) for name in row.__slots__ if name != "line")  # type: ignore[attr-defined]


def in_batches(rows: Iterable[ReviewRecord | SurveyRecord | Reject], batch_size: int) -> Iterator[Batch]:
    """(records, rejects, rows so far, exact duplicates) every ``batch_size`` rows."""
    batch: list[ReviewRecord | SurveyRecord] = []
    rejects: list[Reject] = []
    # The staging table keeps one row per (source, id): a second row with the
    # same key in a batch would vanish without a trace. The same item twice
    # (an export whose pages overlapped) is a duplicate, counted and not a
    # fault; the same id with other content is a reject naming the first line.
    # (Across batches the later row simply updates the earlier one.)
    first: dict[tuple[str, str], ReviewRecord | SurveyRecord] = {}
    handled = duplicates = 0
    for row in rows:
        handled += 1
        if isinstance(row, Reject):
            rejects.append(row)
        elif (key := (row.source, row.external_id)) in first:
            earlier = first[key]
            if _content(row) == _content(earlier):
                duplicates += 1
            else:
                rejects.append(duplicate_reject(row, earlier.line))
        else:
            first[key] = row
            batch.append(row)
        if len(batch) + len(rejects) >= batch_size:
            yield batch, rejects, handled, duplicates
            batch, rejects, duplicates = [], [], 0
            first.clear()
    if batch or rejects or duplicates:
        yield batch, rejects, handled, duplicates


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
