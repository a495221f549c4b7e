"""The Google Play Console review export (``reviews_reviews_<package>_<month>.csv``).

A UTF-16 CSV with fixed English column names. It has no review id column:
the id is taken from the ``gp:...`` token of the review link when present,
else derived from the package, the submission time and the device, which do
not change when the author edits the review. Developer replies become
imported replies, and ``Review Last Update Date and Time`` is kept so the
dashboard can measure how ratings move after a reply. Star-only reviews
(no text) are real Google Play reviews and are kept with an empty body.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from feedback_tui.importers.base import Defaults, ParsedInput, RawRow, normalise_header, stable_id, text_value, to_review
from feedback_tui.importers.textio import count_lines
from feedback_tui.models import Reject

SOURCE = "google_play"
REQUIRED = {"package_name", "star_rating", "review_text", "review_submit_date_and_time"}
COLUMNS = {
    "product": "package_name",
    "language": "reviewer_language",
    "created_at": "review_submit_date_and_time",
    "updated_at": "review_last_update_date_and_time",
    "rating": "star_rating",
    "title": "review_title",
    "body": "review_text",
    "reply_at": "developer_reply_date_and_time",
    "reply": "developer_reply_text",
    "url": "review_link",
}
_MILLIS = {"created_at": "review_submit_millis_since_epoch", "updated_at": "review_last_update_millis_since_epoch",
           "reply_at": "developer_reply_millis_since_epoch"}
_TOKEN = re.compile(r"gp:[A-Za-z0-9_\-]+")


def is_google_play(headers: list[str]) -> bool:
    return REQUIRED <= {normalise_header(h) for h in headers}


def parse(
    path: Path,
    handle: TextIO,
    records: Iterator[tuple[int, list[str]]],
    headers: list[str],
    defaults: Defaults,
    encoding: str,
) -> ParsedInput:
    position = {normalise_header(h): i for i, h in enumerate(headers)}

    def cell(cells: list[str], column: str) -> str | None:
        i = position.get(column)
        return text_value(cells[i]) if i is not None and i < len(cells) else None

    def rows():
        with handle:
            for line, cells in records:
                buffer = io.StringIO()
                csv.writer(buffer, lineterminator="").writerow(cells)
                raw = buffer.getvalue()
                if cells and cells[0].startswith("\x00csv-error:"):
                    yield Reject(line, f"unreadable CSV from here on ({cells[0][11:]})", "", None)
                    return
                values = {name: cell(cells, column) for name, column in COLUMNS.items()}
                for name, column in _MILLIS.items():
                    values[name] = values[name] or cell(cells, column)
                values["source"] = SOURCE
                link = values.get("url") or ""
                token = _TOKEN.search(link)
                values["external_id"] = token.group(0) if token else stable_id(
                    values["product"], cell(cells, "review_submit_millis_since_epoch") or values["created_at"],
                    cell(cells, "device"), values["language"],
                )
                yield to_review(RawRow(line, values, raw), defaults, body_required=False)

    return ParsedInput(str(path), "reviews", f"google play export, {encoding}", rows(), estimated_rows=count_lines(path))
