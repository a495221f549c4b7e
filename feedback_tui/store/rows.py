"""Typed rows: what the store hands to the screens.

Rows become frozen dataclasses at the store's edge, so a screen reads
``row.author`` and a typo is an AttributeError in a test, not a silent
``None`` from ``dict.get``. Each ``from_row`` takes the columns it knows from
an ``sqlite3.Row`` (or a mapping) and ignores the others, so a migration that
adds a column breaks no reader.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")
RowLike = sqlite3.Row | Mapping[str, Any]


def _known(cls: type[T], row: RowLike, **extra: Any) -> T:
    keys = set(row.keys())
    values = {f.name: row[f.name] for f in fields(cls) if f.name in keys}  # type: ignore[arg-type]
    values.update(extra)
    return cls(**values)


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One line of the inbox: a review, or a survey answer (``kind`` is then
    ``nps``/``csat``/``ces`` and ``rating`` its score)."""

    id: int
    created_at: str | None = None
    source: str | None = None
    rating: float | None = None
    sentiment: str | None = None
    polarity: float | None = None
    author: str | None = None
    title: str | None = None
    excerpt: str | None = None
    status: str | None = None
    assignee: str | None = None
    is_read: bool = False
    language: str | None = None
    product: str | None = None
    replied: bool = False
    is_negative: bool = False
    kind: str | None = None
    has_draft: bool = False
    tags: str | None = None
    """The row's tag names, space-separated (shown before its text)."""
    undated: bool = False
    """Its file gave no date: ``created_at`` is its import's time (m025)."""
    sort_key: dict[str, Any] = field(default_factory=dict, compare=False)
    """The values of the row's sort columns, for the next keyset page."""

    @classmethod
    def from_row(cls, row: RowLike, sort_key: dict[str, Any]) -> InboxRow:
        return _known(cls, row, sort_key=sort_key)


@dataclass(frozen=True, slots=True)
class Reply:
    id: int
    text: str
    agent: str
    created_at: str | None = None
    origin: str = "agent"  # agent | import (the platform's own export)
    channel: str | None = None
    delivery_status: str = "local"
    delivery_error: str | None = None
    template: str | None = None
    updated_at: str | None = None
    withdrawn_at: str | None = None

    @classmethod
    def from_row(cls, row: RowLike) -> Reply:
        return _known(cls, row)


@dataclass(frozen=True, slots=True)
class Note:
    agent: str
    text: str
    created_at: str

    @classmethod
    def from_row(cls, row: RowLike) -> Note:
        return _known(cls, row)


@dataclass(frozen=True, slots=True)
class Version:
    """What a review said before its author edited it."""

    body: str
    replaced_at: str
    rating: float | None = None
    title: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_row(cls, row: RowLike) -> Version:
        return _known(cls, row)


@dataclass(frozen=True, slots=True)
class Activity:
    """One line of a review's activity log (store/activity.py)."""

    agent: str
    what: str
    created_at: str
    undone_at: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewDetail:
    """A review in full, or a survey answer (``survey_kind`` set, ``rating``
    its score, ``body`` its comment, ``author`` its customer)."""

    id: int
    source: str | None = None
    external_id: str | None = None
    rating: float | None = None
    title: str | None = None
    body: str | None = None
    author: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    language: str | None = None
    product: str | None = None
    url: str | None = None
    polarity: float | None = None
    subjectivity: float | None = None
    sentiment: str | None = None
    status: str | None = None
    assignee: str | None = None
    is_read: bool = False
    flags: str | None = None
    survey_kind: str | None = None
    body_length: int = 0
    """The whole text's length: ``body`` may be cut (see ``store.triage.SHOWN_CHARS``)."""
    sentiment_model: int | None = None  # the learned model that scored it (None: the lexicon)
    mismatch: bool = False  # its text contradicts its stars (issue 17)
    undated: bool = False  # its file gave no date: ``created_at`` is its import's time (m025)
    scored_by: str | None = None  # "learned from 12,340 of your texts, 0.88 balanced accuracy" / "lexicon"
    tags: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    replies: tuple[Reply, ...] = ()
    history: tuple[Version, ...] = ()
    activity: tuple[Activity, ...] = ()

    @classmethod
    def of_review(cls, row: RowLike, *, tags: tuple[str, ...] = (), notes: tuple[Note, ...] = (),
                  replies: tuple[Reply, ...] = (), history: tuple[Version, ...] = (),
                  activity: tuple[Activity, ...] = (),
                  scored_by: str | None = None, undated: bool = False) -> ReviewDetail:
        length = row["body_length"] if "body_length" in row.keys() else len(row["body"] or "")
        return _known(cls, row, tags=tags, notes=notes, replies=replies, history=history, activity=activity,
                      scored_by=scored_by, undated=undated,
                      body_length=length or 0)

    @classmethod
    def of_survey_answer(cls, row: RowLike) -> ReviewDetail:
        length = row["comment_length"] if "comment_length" in row.keys() else len(row["comment"] or "")
        return _known(cls, row, survey_kind=row["kind"], rating=row["score"], body=row["comment"],
                      author=row["customer"], body_length=length or 0)

    def placeholders(self) -> dict[str, Any]:
        """The values a reply template may fill in (see :mod:`feedback_tui.reply_rules`)."""
        return {"author": self.author, "product": self.product, "source": self.source, "rating": self.rating,
                "sentiment": self.sentiment, "language": self.language, "mismatch": self.mismatch}


__all__ = ["Activity", "InboxRow", "Note", "Reply", "ReviewDetail", "Version"]
