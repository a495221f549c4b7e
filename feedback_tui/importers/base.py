"""What every importer shares: column aliases, validation, stable ids.

A format module (CSV, JSON, Google Play, HTTP feeds) turns its input into
``RawRow`` objects: a line number, a mapping of canonical field names to
strings, and the raw text. :func:`to_review` and :func:`to_survey` validate a
``RawRow`` and return a record or a :class:`Reject` naming the line, the field
and the reason. These functions are pure, so they are tested without a
database.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from feedback_tui.importers.dates import parse_date
from feedback_tui.importers.textio import has_damage, repair
from feedback_tui.models import SURVEY_RANGES, Reject, ReviewRecord, SurveyRecord

Record = ReviewRecord | SurveyRecord

REVIEW_ALIASES: dict[str, tuple[str, ...]] = {
    # "external_id" first: our own exports carry both it and the internal "id"
    "external_id": ("external_id", "id", "review_id", "reviewid", "uuid", "identifiant"),
    "body": ("body", "text", "content", "review", "review_text", "review_body", "commentaire", "avis", "message", "texte"),
    "rating": ("rating", "stars", "star_rating", "note", "rate", "score", "etoiles"),
    "title": ("title", "subject", "titre", "review_title", "headline", "summary"),
    "author": ("author", "user", "username", "user_name", "reviewer", "reviewer_name", "name", "auteur", "author_name", "nom"),
    "created_at": ("created_at", "date", "created", "timestamp", "time", "submitted_at", "review_date", "published_at", "posted_at"),
    "updated_at": ("updated_at", "last_update", "modified_at", "edited_at"),
    "source": ("source", "platform", "channel", "store", "site", "plateforme"),
    "language": ("language", "lang", "locale", "langue", "reviewer_language"),
    "product": ("product", "app", "app_name", "package", "package_name", "produit"),
    "url": ("url", "link", "review_link", "permalink", "lien"),
    "reply": ("reply", "developer_reply", "response", "reply_text", "developer_reply_text", "reponse", "answer"),
    "reply_at": ("reply_at", "replied_at", "reply_date", "response_date", "developer_reply_date", "reponse_date"),
    # our own export: a JSON list of replies; the source's own one ("origin": "import") is re-imported
    "replies": ("replies",),
}

SURVEY_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "response_id", "answer_id", "uuid", "identifiant"),
    "kind": ("kind", "type", "survey", "metric", "survey_type", "question_type"),
    "score": ("score", "value", "answer", "nps", "csat", "ces", "nps_score", "csat_score", "ces_score", "rating", "note"),
    "comment": ("comment", "comments", "feedback", "verbatim", "commentaire", "text", "reason", "remarque"),
    "created_at": ("created_at", "date", "created", "timestamp", "time", "submitted_at", "answered_at", "responded_at"),
    "customer": ("customer", "customer_id", "user", "user_id", "email", "client", "respondent"),
    "source": ("source", "channel", "platform", "survey_source"),
    "language": ("language", "lang", "locale", "langue"),
}

KIND_WORDS = {
    "nps": "nps", "net promoter score": "nps", "net_promoter_score": "nps", "promoter": "nps",
    "csat": "csat", "satisfaction": "csat", "customer satisfaction": "csat",
    "ces": "ces", "effort": "ces", "customer effort score": "ces", "customer effort": "ces",
}
LANGUAGE_WORDS = {"english": "en", "anglais": "en", "french": "fr", "francais": "fr", "français": "fr"}
_SURVEY_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def normalise_header(name: str) -> str:
    """``'Review Text '`` -> ``'review_text'``: case, spaces and punctuation do not matter."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower().lstrip("\ufeff")).strip("_")


def map_columns(headers: list[str], aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Canonical field -> the header naming it (first match wins)."""
    by_normal = {}
    for header in headers:
        by_normal.setdefault(normalise_header(header), header)
    mapping: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in names:
            if name in by_normal:
                mapping[canonical] = by_normal[name]
                break
    return mapping


@dataclass(slots=True)
class RawRow:
    """One input row before validation: canonical field -> text (or None)."""

    line: int
    values: dict[str, str | None]
    raw: str


@dataclass(slots=True)
class Defaults:
    """Values applied to rows that do not carry their own."""

    source: str
    survey_kind: str | None = None
    imported_at: str = ""


@dataclass
class ParsedInput:
    """A readable input: its kind and format are known, its rows stream lazily.

    Whole-file problems are raised (as :class:`FileProblem`) before this
    object exists, so creating it is the point of no return.
    """

    origin: str
    kind: str  # "reviews" | "surveys"
    format: str
    rows: Iterator[Record | Reject]
    estimated_rows: int | None = None
    notes: list[str] = field(default_factory=list)
    replaced_rows: int = 0
    """Rows (imported or rejected) in which undecodable bytes or NUL characters
    were replaced by U+FFFD; final once ``rows`` is exhausted."""

    def __post_init__(self) -> None:
        self.rows = self._repaired(self.rows)

    def _repaired(self, rows: Iterator[Record | Reject]) -> Iterator[Record | Reject]:
        """Every text value made storable: see :func:`textio.repair`.

        The stored row then reads U+FFFD where the damage was, and the
        ``flags`` column of its table says ``replaced-bytes`` (migration m004).
        """
        getters: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}
        for row in rows:
            kind = row.__class__
            if kind not in getters:
                names = kind.__slots__  # type: ignore[attr-defined]
                getters[kind] = (names, attrgetter(*names))
            names, get = getters[kind]
            values = get(row)
            # one check per row, so that a clean row (nearly all of them) costs ~1 µs
            if has_damage("".join([v for v in values if v.__class__ is str])):
                for name, value in zip(names, values):
                    if isinstance(value, str):
                        setattr(row, name, repair(value)[0])
                self.replaced_rows += 1
            yield row


def text_value(value: object) -> str | None:
    """A cell as stripped text; empty means absent."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def json_cell(value: object) -> str | None:
    """A JSON value as cell text: nested objects stay JSON, booleans read true/false."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return str(value).lower()
    return text_value(value)


def stable_id(*parts: str | None) -> str:
    """An id for rows whose export has none, stable across re-imports."""
    # surrogatepass: undecodable bytes (still lone surrogates here) give a stable id too
    digest = hashlib.sha1("\x1f".join(p or "" for p in parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"h:{digest[:20]}"


def parse_int(value: str, field_name: str, low: int, high: int, label: str) -> int:
    """A whole number in ``[low, high]``; ``'4.0'`` is 4, ``'4.5'`` is an error."""
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        raise ValueError(f"{label} must be a whole number from {low} to {high}, got {value!r}") from None
    if not number.is_integer() or not low <= number <= high:
        raise ValueError(f"{label} must be a whole number from {low} to {high}, got {value!r}")
    return int(number)


@lru_cache(maxsize=512)
def normalise_language(value: str | None) -> str | None:
    """``'fr_FR'``, ``'French'`` or ``'FR'`` -> ``'fr'`` (cached: exports repeat a handful of values)."""
    if not value:
        return None
    word = value.strip().lower()
    if word in LANGUAGE_WORDS:
        return LANGUAGE_WORDS[word]
    match = re.match(r"[a-z]{2,3}", word)
    return match.group(0) if match else None


def _date(values: dict[str, str | None], name: str) -> str | None:
    text = values.get(name)
    return parse_date(text) if text else None


def _exported_replies(text: str) -> tuple[str | None, str | None, list[dict[str, str | None]]]:
    """The replies in the ``replies`` column of a feedback-tui export.

    Returns the source's own reply (text, date), which is staged like any
    imported reply, and the agents' replies, which the store adds once each
    (an export moved to another database keeps its team's answers).
    """
    try:
        replies = json.loads(text)
    except ValueError:
        raise ValueError("replies must be the JSON list of a feedback-tui export") from None
    own: tuple[str | None, str | None] = (None, None)
    agents: list[dict[str, str | None]] = []
    for item in replies if isinstance(replies, list) else []:
        if not isinstance(item, dict) or not item.get("text"):
            continue
        created = item.get("created_at")
        when = parse_date(str(created)) if created else None
        if item.get("origin") == "import":
            if own[0] is None:
                own = (str(item["text"]), when)
        else:
            agents.append({"text": str(item["text"]), "agent": str(item.get("agent") or "agent"), "created_at": when,
                           "channel": item.get("channel"), "delivery_status": item.get("delivery_status")})
    return own[0], own[1], agents


def to_review(row: RawRow, defaults: Defaults, *, body_required: bool = True) -> ReviewRecord | Reject:
    """Validate one review row."""
    values = row.values
    current = "body"
    try:
        body = values.get("body") or ""
        if body_required and not body.strip():
            raise ValueError("missing review text")
        current = "rating"
        rating_text = values.get("rating")
        rating = parse_int(rating_text, "rating", 1, 5, "rating") if rating_text else None
        current = "created_at"
        created_at = _date(values, "created_at") or defaults.imported_at
        current = "updated_at"
        updated_at = _date(values, "updated_at")
        current = "reply_at"
        reply_at = _date(values, "reply_at")
        reply = values.get("reply")
        agent_replies: list[dict[str, str | None]] = []
        if values.get("replies"):
            current = "replies"
            own, own_at, agent_replies = _exported_replies(values["replies"] or "")
            if reply is None:
                reply, reply_at = own, own_at
    except ValueError as error:
        return Reject(row.line, str(error), row.raw, current)
    source = values.get("source") or defaults.source
    external_id = values.get("external_id") or stable_id(
        source, values.get("author"), values.get("created_at"), values.get("title"), body[:500]
    )
    return ReviewRecord(
        source=source,
        external_id=external_id,
        body=body,
        created_at=created_at,
        rating=rating,
        title=values.get("title"),
        author=values.get("author"),
        language=normalise_language(values.get("language")),
        product=values.get("product"),
        url=values.get("url"),
        updated_at=updated_at,
        reply=reply,
        reply_at=reply_at,
        agent_replies=agent_replies or None,
        line=row.line,
    )


def to_survey(row: RawRow, defaults: Defaults) -> SurveyRecord | Reject:
    """Validate one survey answer row."""
    values = row.values
    kind_text = values.get("kind")
    if kind_text:
        kind = KIND_WORDS.get(kind_text.strip().lower())
        if kind is None:
            return Reject(row.line, f"unknown survey kind {kind_text!r} (expected nps, csat or ces)", row.raw, "kind")
    elif defaults.survey_kind:
        kind = defaults.survey_kind
    else:
        return Reject(row.line, "no survey kind (add a kind column or pass --survey-kind)", row.raw, "kind")
    score_text = values.get("score")
    if not score_text:
        return Reject(row.line, "missing score", row.raw, "score")
    low, high = SURVEY_RANGES[kind]
    try:
        score = parse_int(score_text, "score", low, high, f"{_SURVEY_NAMES[kind]} score")
    except ValueError as error:
        return Reject(row.line, str(error), row.raw, "score")
    try:
        created_at = _date(values, "created_at") or defaults.imported_at
    except ValueError as error:
        return Reject(row.line, str(error), row.raw, "created_at")
    source = values.get("source") or defaults.source
    external_id = values.get("external_id") or stable_id(
        source, kind, values.get("customer"), values.get("created_at"), score_text, values.get("comment")
    )
    return SurveyRecord(
        source=source,
        external_id=external_id,
        kind=kind,
        score=score,
        created_at=created_at,
        comment=values.get("comment"),
        customer=values.get("customer"),
        language=normalise_language(values.get("language")),
        line=row.line,
    )
