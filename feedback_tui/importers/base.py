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
from datetime import datetime, timedelta
from functools import lru_cache
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from feedback_tui.importers.dates import parse_date, parse_relative
from feedback_tui.importers.survey_scales import read_answer
from feedback_tui.importers.textio import has_damage, repair
from feedback_tui.importers.values import clean_html, parse_rating, split_reply
from feedback_tui.models import Reject, ReviewRecord, SurveyRecord

Record = ReviewRecord | SurveyRecord

REVIEW_ALIASES: dict[str, tuple[str, ...]] = {
    # "external_id" first: our own exports carry both it and the internal "id"
    "external_id": ("external_id", "id", "review_id", "reviewid", "uuid", "identifiant", "id_review", "id_avis"),
    "body": ("body", "text", "content", "review", "review_text", "review_body", "commentaire", "avis", "message",
             "texte", "caption", "contenu", "contenu_avis", "review_content"),
    "rating": ("rating", "stars", "star_rating", "note", "rate", "score", "etoiles", "review_rating", "review_stars",
               "user_rating", "rating_value", "note_sur_5"),
    "title": ("title", "subject", "titre", "review_title", "headline", "summary", "review_headline", "titre_avis"),
    "author": ("author", "user", "username", "user_name", "reviewer", "reviewer_name", "name", "auteur",
               "author_name", "nom", "reviewer_display_name", "display_name", "consumer_name", "pseudo",
               "utilisateur", "nom_utilisateur", "reviewer_nickname"),
    "created_at": ("created_at", "date", "created", "timestamp", "time", "submitted_at", "review_date",
                   "published_at", "posted_at", "at", "published", "date_published", "published_date",
                   "date_avis", "experienced", "date_experience", "date_of_experience", "horodateur"),
    "updated_at": ("updated_at", "last_update", "modified_at", "edited_at"),
    "source": ("source", "platform", "channel", "store", "site", "plateforme"),
    "language": ("language", "lang", "locale", "langue", "reviewer_language"),
    "product": ("product", "app", "app_name", "package", "package_name", "produit", "appid", "app_id",
                "product_title", "product_name", "item_reviewed", "business", "business_name", "film", "movie",
                "restaurant", "hotel", "company", "entreprise"),
    "url": ("url", "link", "review_link", "permalink", "lien"),
    "reply": ("reply", "developer_reply", "response", "reply_text", "developer_reply_text", "reponse", "answer",
              "replycontent", "reply_content", "developerresponse", "owner_response", "response_text"),
    "reply_at": ("reply_at", "replied_at", "repliedat", "reply_date", "response_date", "developer_reply_date",
                 "reponse_date", "owner_response_date"),
    # when the file was scraped: what relative dates ("3 days ago") count back from
    "retrieved_at": ("retrieved_at", "retrieval_date", "scraped_at", "date_scraped", "crawled_at"),
    # our own export: a JSON list of replies; the source's own one ("origin": "import") is re-imported
    "replies": ("replies",),
    # the customer id of the shop's orders (links the review to them); never the author's name
    "customer": ("customer", "customer_id", "client_id"),
    # our own export: "true" when the row's first file gave no date (created_at is then its import's)
    "undated": ("undated",),
}

SURVEY_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "response_id", "answer_id", "uuid", "identifiant"),
    "kind": ("kind", "type", "survey", "metric", "survey_type", "question_type"),
    "score": ("score", "value", "answer", "nps", "csat", "ces", "nps_score", "csat_score", "ces_score", "rating", "note"),
    "comment": ("comment", "comments", "feedback", "verbatim", "commentaire", "text", "reason", "remarque",
                "explication", "explanation", "why", "description"),
    "created_at": ("created_at", "date", "created", "timestamp", "time", "submitted_at", "answered_at", "responded_at",
                   "horodateur", "horodatage", "start_date", "end_date", "date_submitted"),
    "customer": ("customer", "customer_id", "user", "user_id", "email", "client", "respondent"),
    "source": ("source", "channel", "platform", "survey_source"),
    "language": ("language", "lang", "locale", "langue"),
    "undated": ("undated",),  # our own export, as for reviews
}

ORDER_ALIASES: dict[str, tuple[str, ...]] = {
    "order_id": ("order_id", "invoiceno", "invoice_no", "invoice", "order", "order_number", "ordernumber",
                 "invoice_id", "commande", "numero_commande"),
    "customer": ("customer", "customer_id", "customerid", "client", "client_id", "buyer_id", "buyer_user_id",
                 "id_client"),
    "created_at": ("created_at", "invoicedate", "invoice_date", "order_date", "date", "sale_date", "created",
                   "timestamp", "date_commande"),
    "amount": ("amount", "total", "order_total", "montant", "revenue", "value"),
    "quantity": ("quantity", "qty", "quantite"),
    "unit_price": ("unit_price", "unitprice", "price", "prix_unitaire", "prix"),
    "currency": ("currency", "devise"),
    "status": ("status", "order_status", "statut"),
    "country": ("country", "pays", "ship_country"),
    "source": ("source", "channel", "store", "shop"),
}


def looks_like_orders(headers: list[str]) -> bool:
    """A customer, a date and an amount (or a quantity and a unit price): a shop's
    orders, which an import reads only with ``--kind orders`` (never guessed: an
    order export may have a ``comment`` or a ``value`` column too)."""
    columns = map_columns(headers, ORDER_ALIASES)
    return {"customer", "created_at"} <= set(columns) and (
        "amount" in columns or {"quantity", "unit_price"} <= set(columns))


KIND_WORDS = {
    "nps": "nps", "net promoter score": "nps", "net_promoter_score": "nps", "promoter": "nps",
    "csat": "csat", "satisfaction": "csat", "customer satisfaction": "csat",
    "ces": "ces", "effort": "ces", "customer effort score": "ces", "customer effort": "ces",
}
LANGUAGE_WORDS = {"english": "en", "anglais": "en", "french": "fr", "francais": "fr", "français": "fr"}


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
    """Values applied to rows that do not carry their own, and how one file's
    cells are read (all of it decided once per file, never per row)."""

    source: str
    survey_kind: str | None = None
    imported_at: str = ""
    date_order: str = "dmy"  # how a numeric a/b/yyyy date of this file reads (see dates.infer_order)
    rating_scale: int = 5  # the file's scale for ratings that do not name one (--rating-scale)
    survey_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # --csat-scale, --ces-scale
    html: bool = False  # the source escapes its text as HTML (Amazon): see values.clean_html
    skip_identical: bool = False  # --skip-identical: drop rows identical to an earlier one
    identical: int = 0
    """Rows identical to an earlier row of the file (derived ids only): kept with
    their occurrence number in the id, or dropped with ``skip_identical``."""
    undated: int = 0  # rows with no date of their own, dated at the import
    undated_carried: int = 0  # of them, rows of our own export (``undated`` true): dated by their first import
    latest: str = ""  # the last date a row may carry: a day after the import (set from imported_at)
    _seen: set[int] = field(default_factory=set)
    _repeats: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.imported_at and not self.latest:
            moment = datetime.fromisoformat(self.imported_at.replace("Z", "+00:00")) + timedelta(days=1)
            self.latest = moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def checked(self, stored: str, text: str) -> str:
        """``stored`` (a parsed date), refused when it is after :attr:`latest`: a
        review from the future is a wrong date, and it would sit at the top of
        every list and period."""
        if self.latest and stored > self.latest:
            raise ValueError(f"date {text.strip()!r} is in the future (after {self.latest[:10]})")
        return stored

    def occurrence(self, derived: str) -> str | None:
        """``derived`` for its first row in the file, ``derived:N`` for the Nth
        identical row, or None when identical rows are skipped.

        Why an occurrence number: when nothing (no id, no date, no field)
        tells two rows apart, they are still two people's reviews (two "Great
        app" 5-star reviews of a day), and merging them would lose one. The
        same file imported again gives the same numbers, so re-imports add
        nothing. First rows are remembered by hash (8 bytes each), repeats by id.
        """
        key = int(derived[2:18], 16) if derived.startswith("h:") else hash(derived)
        if key not in self._seen:
            self._seen.add(key)
            return derived
        count = self._repeats.get(derived, 1) + 1
        self._repeats[derived] = count
        self.identical += 1
        return None if self.skip_identical else f"{derived}:{count}"


@dataclass(slots=True)
class ImportOptions:
    """How the user asked to read a file (``import`` options or an ``[imports.NAME]`` profile)."""

    mapping: dict[str, str] = field(default_factory=dict)  # --map FIELD=COLUMN (a JSON path for JSON)
    date_order: str | None = None  # --date-order: for files whose own dates do not tell
    config_date_order: str | None = None  # the config's date_order, used after the file's own dates
    rating_scale: int = 5  # --rating-scale
    survey_ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (low, high): --csat-scale...
    skip_identical: bool = False
    items: str | None = None  # --items PATH: where a nested JSON file keeps its items (json_files.walk_items)


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
    plan: Any = None  # the kinds.ColumnPlan used (None for fixed layouts such as the Play Console export)
    defaults: Defaults | None = None  # its counters (identical, undated) are final once rows are exhausted
    date_order: str | None = None  # the order numeric dates were read in, when the file has any
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
            if row is None:  # an identical row dropped by --skip-identical
                continue
            kind = row.__class__
            if kind not in getters:
                names = kind.__slots__  # type: ignore[attr-defined]
                getters[kind] = (names, attrgetter(*names))
            names, get = getters[kind]
            values = get(row)
            texts = [v for v in values if v.__class__ is str]
            # an export's agents' replies come from the row's nested JSON, whose "\\ud800"
            # escapes are lone surrogates too (hypothesis found one crashing the import)
            replies = getattr(row, "agent_replies", None) or ()
            for reply in replies:
                texts += [v for v in reply.values() if v.__class__ is str]
            # one check per row, so that a clean row (nearly all of them) costs ~1 µs
            if has_damage("".join(texts)):
                for name, value in zip(names, values):
                    if isinstance(value, str):
                        setattr(row, name, repair(value)[0])
                for reply in replies:
                    reply.update({key: repair(value)[0] for key, value in reply.items() if isinstance(value, str)})
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


PLATFORMS = {
    "google play": "google_play", "google_play": "google_play", "play store": "google_play",
    "google play store": "google_play", "app store": "app_store", "app_store": "app_store",
    "apple app store": "app_store", "itunes": "app_store", "appstore": "app_store", "googleplay": "google_play",
    "playstore": "google_play", "ios": "app_store", "trustpilot": "trustpilot",
    "amazon": "amazon", "yelp": "yelp", "tripadvisor": "tripadvisor", "google maps": "google_maps",
    "google_maps": "google_maps", "allocine": "allocine", "allociné": "allocine",
}
MISSING = {"na", "n/a", "nan", "null", "none"}


@lru_cache(maxsize=1024)
def normalise_source(value: str | None) -> str | None:
    """A platform named in a source column (``'Google Play'``) as the source id
    its reply limits use (``google_play``); other names are kept as written."""
    if not value:
        return value
    return PLATFORMS.get(value.strip().lower(), value)


_TRUE = frozenset({"1", "true", "yes", "oui", "vrai"})


def exported_undated(values: dict[str, str | None]) -> bool:
    """Whether a row of our own export says its first file gave no date (``undated`` true):
    its ``created_at`` is the day of that first import, kept, and the row stays flagged
    in the database it moves to instead of passing for a dated one."""
    return (values.get("undated") or "").strip().lower() in _TRUE


def _undated(created_at: str | None, values: dict[str, str | None], defaults: Defaults) -> bool:
    """Whether a row has no date of its own (none in the file, or our export says so), counted."""
    carried = created_at is not None and exported_undated(values)
    if created_at is None or carried:
        defaults.undated += 1
        defaults.undated_carried += carried
        return True
    return False


def _date(values: dict[str, str | None], name: str, defaults: Defaults | None = None) -> str | None:
    text = values.get(name)
    if not text:
        return None
    order = defaults.date_order if defaults else "dmy"
    try:
        stored = parse_date(text, order)
    except ValueError:
        retrieved = values.get("retrieved_at")
        relative = parse_relative(text, parse_date(retrieved, order)) if retrieved else None
        if relative is None:
            raise
        stored = relative
    return defaults.checked(stored, text) if defaults else stored


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


def to_review(row: RawRow, defaults: Defaults, *, body_required: bool = False) -> ReviewRecord | Reject | None:
    """Validate one review row (None: an identical row that ``--skip-identical`` drops).

    A rating with no text is a review too (a star-only Google Play or Maps
    review counts in star figures), so the text is required only by callers
    that say so, and a row needs at least one of them.
    """
    values = row.values
    current = "body"
    try:
        body = values.get("body") or ""
        if defaults.html:
            body = clean_html(body)
            for name in ("title", "product"):
                if values.get(name):
                    values[name] = clean_html(values[name] or "") or None
        rating_text = values.get("rating")
        if rating_text and rating_text.strip().lower() in MISSING:
            rating_text = None
        if not body.strip() and (body_required or not rating_text):
            raise ValueError("missing review text" if body_required else "no review text and no rating")
        current = "rating"
        rating, rating_original = parse_rating(rating_text, defaults.rating_scale) if rating_text else (None, None)
        current = "created_at"
        created_at = _date(values, "created_at", defaults)
        undated = _undated(created_at, values, defaults)
        if created_at is None:
            created_at = defaults.imported_at
        current = "updated_at"
        updated_at = _date(values, "updated_at", defaults)
        reply = values.get("reply")
        reply_at_text = values.get("reply_at")
        if reply and reply[:1] == "{":
            current = "reply"
            reply, embedded_at = split_reply(reply)
            reply_at_text = reply_at_text or embedded_at
        current = "reply_at"
        reply_at = defaults.checked(parse_date(reply_at_text, defaults.date_order), reply_at_text) \
            if reply_at_text else None
        agent_replies: list[dict[str, str | None]] = []
        if values.get("replies"):
            current = "replies"
            own, own_at, agent_replies = _exported_replies(values["replies"] or "")
            if reply is None:
                reply, reply_at = own, own_at
    except ValueError as error:
        return Reject(row.line, str(error), row.raw, current)
    source = normalise_source(values.get("source")) or defaults.source
    external_id = values.get("external_id")
    if not external_id:
        # Every identifying field, the whole text: two reviews differing in any
        # of them never share an id; rows equal in all of them get an occurrence number.
        external_id = defaults.occurrence(stable_id(
            source, values.get("author"), values.get("created_at"), rating_text, values.get("product"),
            values.get("title"), body,
        ))
        if external_id is None:
            return None
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
        rating_original=rating_original,
        customer=values.get("customer"),
        line=row.line,
        undated=undated,
    )


def to_survey(row: RawRow, defaults: Defaults) -> SurveyRecord | Reject | None:
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
    if not score_text or score_text.strip().lower() in MISSING:
        return Reject(row.line, "missing score", row.raw, "score")
    try:
        score, original, scale = read_answer(kind, score_text, defaults.survey_ranges)
    except ValueError as error:
        return Reject(row.line, str(error), row.raw, "score")
    try:
        created_at = _date(values, "created_at", defaults)
    except ValueError as error:
        return Reject(row.line, str(error), row.raw, "created_at")
    undated = _undated(created_at, values, defaults)
    if created_at is None:
        created_at = defaults.imported_at
    comment = values.get("comment")
    if comment and comment.lower() in MISSING:  # R and pandas write a missing comment as NA
        comment = None
    source = normalise_source(values.get("source")) or defaults.source
    external_id = values.get("external_id")
    if not external_id:
        external_id = defaults.occurrence(stable_id(
            source, kind, values.get("customer"), values.get("created_at"), score_text, comment
        ))
        if external_id is None:
            return None
    return SurveyRecord(
        source=source,
        external_id=external_id,
        kind=kind,
        score=score,
        score_original=original,
        score_scale=scale,
        created_at=created_at,
        comment=comment,
        customer=values.get("customer"),
        language=normalise_language(values.get("language")),
        line=row.line,
        undated=undated,
    )
