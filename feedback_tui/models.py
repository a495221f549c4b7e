"""Plain records passed between importers, the store and scoring.

No I/O and no third-party imports here: these are the shapes the rest of the
code agrees on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SurveyKind = Literal["nps", "csat", "ces"]
SURVEY_KINDS: tuple[str, ...] = ("nps", "csat", "ces")
SURVEY_RANGES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}

REVIEW_STATUSES: tuple[str, ...] = ("new", "open", "replied", "outdated", "archived", "spam", "answered_elsewhere")
SENTIMENT_LABELS: tuple[str, ...] = ("positive", "neutral", "negative", "unknown")


@dataclass(slots=True)
class ReviewRecord:
    """One review as read from an export, already validated and normalised.

    Dates are UTC ISO-8601 strings (``2026-03-14T09:21:00Z``).
    """

    source: str
    external_id: str
    body: str
    created_at: str
    rating: int | float | None = None  # 1-5; half and decimal stars exact (3.5), whole ones int
    title: str | None = None
    author: str | None = None
    language: str | None = None
    product: str | None = None
    url: str | None = None
    updated_at: str | None = None
    reply: str | None = None
    reply_at: str | None = None
    # Agents' replies carried by a feedback-tui export (text, agent, created_at, ...).
    agent_replies: list[dict[str, str | None]] | None = None
    rating_original: str | None = None  # the rating as written when on another scale ("8/10")
    customer: str | None = None  # the shop's customer id, when the export has one (--map customer=...)
    line: int = 0
    undated: bool = False  # the file gave no date: ``created_at`` is the import's time (the store notes it, m025)


@dataclass(slots=True)
class SurveyRecord:
    """One survey answer (NPS 0-10, CSAT 1-5 or CES 1-7) with its comment."""

    source: str
    external_id: str
    kind: str
    score: int | float  # on the kind's own scale (a CES answer from another scale may be fractional)
    created_at: str
    comment: str | None = None
    customer: str | None = None
    language: str | None = None
    score_original: int | None = None  # the answer as given when the question used another scale (--csat-scale)
    score_scale: int | None = None  # the top of that scale (10 for 1-10 or 0-10); None: the kind's own
    line: int = 0
    undated: bool = False  # the file gave no date: ``created_at`` is the import's time (the store notes it, m025)


@dataclass(slots=True)
class Reject:
    """A row that could not be imported, kept with the reason and its raw text
    so that nothing a user gave us is silently dropped."""

    line: int
    reason: str
    raw: str
    field: str | None = None
    item: int | None = None  # the item's number in a JSON list (1-based), which names it better than a line

    def describe(self) -> str:
        if self.item:
            where = f"item {self.item} (line {self.line})" if self.line else f"item {self.item}"
        else:
            where = f"line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class ImportResult:
    """What one import run did, for the CLI summary and the app's notification."""

    run_id: int
    path: str
    kind: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    replies_imported: int = 0
    duplicates: int = 0  # rows repeating an earlier row's id and content: counted once, not rejected
    undated: int = 0  # new rows whose file gave no date: dated by this import
    undated_kept: int = 0  # stored rows given again with no date: their stored date is kept

    @property
    def rejected(self) -> int:
        return len(self.rejects)


@dataclass(slots=True)
class Filters:
    """Which feedback a score, a report or an export covers.

    ``since`` is inclusive and ``until`` exclusive; both are ISO dates or
    datetimes in UTC.
    """

    source: str | None = None
    product: str | None = None
    language: str | None = None
    since: str | None = None
    until: str | None = None
