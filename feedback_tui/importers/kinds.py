"""Real exports recognised by their columns, and the column plan of a file.

A recognised kind (google-play-scraper, app-store-scraper, Trustpilot's API
JSON, Amazon's review TSV, ...) says which column holds which field where the
generic aliases would guess wrong or not at all (``at`` is Google Play's
date, ``developerResponse`` the App Store's reply), the platform that is the
rows' default source (so that its reply limits apply), and how its cells are
written (HTML-escaped text). Everything else falls back to the aliases of
:mod:`base`, and ``--map FIELD=COLUMN`` (or a profile) overrides both.

:func:`plan_columns` makes one :class:`ColumnPlan` per file; the import
summary and ``--dry-run`` print it (kind, mapping, ignored columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from feedback_tui.errors import FileProblem, UsageProblem
from feedback_tui.importers.dates import has_two_digit_year, infer_order, numeric_fields
from feedback_tui.importers.base import REVIEW_ALIASES, SURVEY_ALIASES, looks_like_orders, map_columns, normalise_header
from feedback_tui.models import SURVEY_KINDS


def implied_survey_kind(columns: dict[str, str], survey_kind: str | None) -> str | None:
    """The survey kind of rows without a kind column: ``--survey-kind``, else
    the name of the score column (a column called ``nps`` holds NPS answers)."""
    if survey_kind or "kind" in columns or "score" not in columns:
        return survey_kind
    named = normalise_header(columns["score"])
    return named if named in SURVEY_KINDS else None


def detect_kind(
    headers: list[str], kind: str | None, path: str, survey_kind: str | None = None
) -> tuple[str, dict[str, str]]:
    """Reviews or surveys, and the column mapping for that kind.

    A file whose every row would be rejected for the same reason (no text
    column, or survey scores of no known kind) is refused as a whole: one
    clear line beats a reject per row, and nothing is written.
    """
    reviews = map_columns(headers, REVIEW_ALIASES)
    surveys = map_columns(headers, SURVEY_ALIASES)
    survey_ready = "score" in surveys and ("kind" in surveys or implied_survey_kind(surveys, survey_kind))
    if kind is None:
        # "comment" is a review's text or a survey answer's comment: a file that
        # also has a score and a survey kind holds survey answers
        if survey_ready and ("body" not in reviews or reviews["body"] == surveys.get("comment")):
            kind = "surveys"
        elif "body" in reviews:
            kind = "reviews"
        elif "score" in surveys and ("kind" in surveys or implied_survey_kind(surveys, survey_kind)):
            kind = "surveys"
        elif "score" in surveys:
            # e.g. ``id,rating,author,created_at``: a review export without its text
            raise FileProblem(
                path,
                "no review text column (expected one of: body, text, content, review); if these are "
                "survey answers, add a kind column or pass --survey-kind",
            )
        elif looks_like_orders(headers):
            raise FileProblem(path, "its columns are a shop's orders (a customer, a date and an amount or a "
                                    "quantity and a price), not reviews nor survey answers: import it with "
                                    "--kind orders")
        else:
            raise FileProblem(
                path,
                "no review text column (expected one of: body, text, content, review) "
                "and no survey score column (expected one of: score, value, nps, csat, ces)",
            )
    if kind == "reviews" and "body" not in reviews:
        raise FileProblem(path, "no review text column (expected one of: body, text, content, review, commentaire)")
    if kind == "surveys" and "score" not in surveys:
        raise FileProblem(path, "no survey score column (expected one of: score, value, nps, csat, ces)")
    if kind == "surveys" and "kind" not in surveys and not implied_survey_kind(surveys, survey_kind):
        raise FileProblem(path, "no survey kind column (expected one of: kind, type, metric); pass --survey-kind")
    return kind, reviews if kind == "reviews" else surveys


@dataclass(frozen=True, slots=True)
class ExportKind:
    """One export format we know by its columns (normalised header names)."""

    name: str
    source: str  # the platform: default source of its rows
    signature: frozenset[str]  # every one present
    fields: Mapping[str, str]  # canonical field -> normalised header, or a JSON path for JSON kinds
    html: bool = False  # the text is HTML-escaped
    any_of: frozenset[str] = frozenset()  # at least one present (when not empty)
    date_order: str | None = None  # how its numeric dates read when the file alone cannot tell
    json: bool = False


def _kind(name: str, source: str, signature: str, fields: dict[str, str], **extra: object) -> ExportKind:
    any_of = frozenset(str(extra.pop("any_of", "")).split())
    return ExportKind(name, source, frozenset(signature.split()), fields, any_of=any_of, **extra)  # type: ignore[arg-type]


KINDS: tuple[ExportKind, ...] = (
    _kind("google-play-scraper", "google_play", "username content score at", {
        "external_id": "reviewid", "author": "username", "body": "content", "rating": "score", "created_at": "at",
        "reply": "replycontent", "reply_at": "repliedat", "product": "appid"}),
    _kind("app-store-scraper", "app_store", "date review rating username title", {
        "created_at": "date", "body": "review", "rating": "rating", "author": "username", "title": "title",
        "reply": "developerresponse"}),
    _kind("amazon-reviews-tsv", "amazon", "star_rating review_body review_date", {
        "external_id": "review_id", "rating": "star_rating", "title": "review_headline", "body": "review_body",
        "created_at": "review_date", "product": "product_title"}, html=True),
    _kind("trustpilot-api", "trustpilot", "stars text dates consumer", {
        "external_id": "id", "rating": "stars", "title": "title", "body": "text",
        "created_at": "dates.publishedDate", "updated_at": "dates.updatedDate", "author": "consumer.displayName",
        "language": "language", "reply": "reply.message", "reply_at": "reply.publishedDate",
        "product": "businessUnit.displayName"}, json=True),
    _kind("app-store-feed", "app_store", "im_rating content author", {
        "external_id": "id.label", "author": "author.name.label", "rating": "im:rating.label",
        "title": "title.label", "body": "content.label", "created_at": "updated.label",
        "url": "link.attributes.href"}, json=True),
    _kind("trustpilot-scrape", "trustpilot", "consumer_name stars content_review", {
        "author": "consumer_name", "rating": "stars", "title": "title_review", "body": "content_review",
        "created_at": "date_experience", "product": "company"}),
    _kind("trustpilot-scrape", "trustpilot", "title comments stars time", {
        "title": "title", "body": "comments", "rating": "stars", "created_at": "time"}),
    _kind("trustpilot-scrape", "trustpilot", "rating text", {
        "rating": "rating", "body": "text", "title": "title"},
        any_of="published experienced date_published date_experienced published_date experience_date"),
    _kind("schema-org-review", "trustpilot", "headline body rating date_published", {
        "author": "author", "title": "headline", "body": "body", "rating": "rating",
        "created_at": "date_published", "product": "item_reviewed", "source": "publisher"}),
    _kind("tripadvisor-scrape", "tripadvisor", "note_restaurant contenu_avis", {
        "external_id": "id_avis", "product": "id_restaurant", "author": "nom_utilisateur",
        "rating": "note_restaurant", "created_at": "date_avis", "title": "titre_avis", "body": "contenu_avis"}),
    _kind("yelp-dataset", "yelp", "review_id business_id stars text", {
        "external_id": "review_id", "product": "business_id", "author": "user_id", "rating": "stars",
        "body": "text", "created_at": "date"}),
    _kind("google-maps-scrape", "google_maps", "caption rating", {
        "external_id": "id_review", "body": "caption", "rating": "rating", "author": "username",
        "created_at": "relative_date", "retrieved_at": "retrieval_date"}),
)

# Survey columns named after the question: "How likely are you to recommend us
# (0-10)?", "Likely-To-Recommend", "êtes-vous prêt(e) à recommander ... ?"
_NPS_WORDS = ("recommend", "recommand")
_FRENCH_HEADERS = {"horodateur", "commentaire", "avis", "note", "titre", "auteur", "date_avis", "produit",
                   "marque", "reponse", "langue", "identifiant", "texte", "plateforme"}


@dataclass(slots=True)
class ColumnPlan:
    """How one file's columns become fields: what the summary and --dry-run print."""

    kind: str  # reviews | surveys
    columns: dict[str, str]  # canonical field -> header (CSV) or JSON path
    export_kind: str | None = None
    source: str | None = None  # the recognised platform, when no --source was given
    html: bool = False
    date_order_hint: str | None = None
    ignored: list[str] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)  # what --map or a profile chose
    survey_kind: str | None = None  # of survey rows without a kind column

    def describe(self) -> str:
        """``google-play-scraper: body=content, rating=score, ...; ignored: userImage, ...``."""
        mapping = ", ".join(f"{name}={column}" for name, column in self.columns.items())
        text = f"{self.export_kind or 'generic ' + self.kind}: {mapping}"
        if self.ignored:
            text += f"; ignored: {', '.join(self.ignored)} (map one with --map FIELD=COLUMN)"
        return text


def recognise(headers: list[str], *, is_json: bool = False) -> ExportKind | None:
    """The export kind whose columns the file has, or None."""
    present = {normalise_header(h) for h in headers}
    for kind in KINDS:
        if kind.json and not is_json:
            continue
        if kind.signature <= present and (not kind.any_of or kind.any_of & present):
            return kind
    return None


def _header_for(headers: list[str], wanted: str) -> str | None:
    """The header that ``wanted`` names: exactly, else by its normalised form
    (a question with a double space or a trailing space still matches)."""
    if wanted in headers:
        return wanted
    normal = normalise_header(wanted)
    return next((h for h in headers if normalise_header(h) == normal), None)


def nps_question(headers: list[str]) -> str | None:
    """A column named after the recommend question, which holds NPS answers."""
    found = [h for h in headers if any(w in h.lower() for w in _NPS_WORDS)]
    return found[0] if len(found) == 1 else None


def plan_columns(headers: list[str], kind: str | None, *, path: str, survey_kind: str | None,
                 mapping: Mapping[str, str] | None = None, is_json: bool = False) -> ColumnPlan:
    """Decide reviews or surveys and which column holds each field.

    ``mapping`` is ``--map``/the profile (field -> column or JSON path): it
    wins over the recognised kind, which wins over the aliases. ``headers``
    are a JSON file's top-level keys; a mapped JSON path need not be one.
    """

    mapping = dict(mapping or {})
    export = recognise(headers, is_json=is_json)
    by_normal = {normalise_header(h): h for h in reversed(headers)}
    if kind is None:
        kind = _kind_from_mapping(mapping)
    if kind is None and export is not None:
        kind = "reviews"
    question = nps_question(headers)
    if kind in (None, "surveys") and question and "score" not in mapping \
            and "score" not in map_columns(headers, SURVEY_ALIASES):
        kind = "surveys"
        mapping["score"] = question
        survey_kind = survey_kind or "nps"
    if kind is None:
        kind, _ = detect_kind(headers, None, path, survey_kind)
    aliases = REVIEW_ALIASES if kind == "reviews" else SURVEY_ALIASES
    columns = map_columns(headers, aliases)
    if kind == "reviews" and export is not None:
        for name, column in export.fields.items():
            if is_json:
                top = column.split(".", 1)[0]
                if top in headers or column in headers:
                    columns[name] = column
            elif column in by_normal:
                columns[name] = by_normal[column]
    for name, column in mapping.items():
        if name not in aliases:
            raise UsageProblem(f"--map {name}={column}: unknown {kind[:-1]} field {name!r} "
                               f"(fields: {', '.join(aliases)})")
        found = column if is_json else _header_for(headers, column)
        if is_json and column not in headers and column.split(".", 1)[0] not in headers:
            found = None
        if found is None:
            raise FileProblem(path, f"--map {name}={column}: no column {column!r} (columns: {', '.join(headers)})")
        # a column mapped to this field is no longer any other field's
        columns = {k: v for k, v in columns.items() if v != found}
        columns[name] = found
    if kind == "reviews" and "body" not in columns:
        raise FileProblem(path, "no review text column (expected one of: body, text, content, review, commentaire; "
                                "or name it with --map body=COLUMN)")
    if kind == "surveys" and "score" not in columns:
        raise FileProblem(path, "no survey score column (expected one of: score, value, nps, csat, ces; "
                                "or name it with --map score=COLUMN)")
    if kind == "surveys":

        survey_kind = implied_survey_kind(columns, survey_kind)
        if "kind" not in columns and not survey_kind:
            raise FileProblem(path, "no survey kind column (expected one of: kind, type, metric); pass --survey-kind")
    used = {v.split(".", 1)[0] if is_json else v for v in columns.values()}
    ignored = [h for h in headers if h not in used and h.strip()]
    french = sum(1 for h in headers if normalise_header(h) in _FRENCH_HEADERS) >= 2 or \
        any(normalise_header(h) == "horodateur" for h in headers)
    return ColumnPlan(
        kind=kind, columns=dict(sorted(columns.items(), key=lambda kv: list(aliases).index(kv[0]))),
        export_kind=export.name if export and kind == "reviews" else None,
        source=export.source if export and kind == "reviews" else None, html=bool(export and export.html),
        date_order_hint=(export.date_order if export else None) or ("dmy" if french else None),
        ignored=ignored, mapped=mapping, survey_kind=survey_kind,
    )


def _kind_from_mapping(mapping: Mapping[str, str]) -> str | None:
    """``--map score=...`` means survey answers, ``--map body=...`` reviews."""
    review_only = set(REVIEW_ALIASES) - set(SURVEY_ALIASES)
    survey_only = set(SURVEY_ALIASES) - set(REVIEW_ALIASES)
    names = set(mapping)
    if names & survey_only and not names & review_only:
        return "surveys"
    if names & review_only and not names & survey_only:
        return "reviews"
    return None


def scales_in_doubt(plan: ColumnPlan) -> bool:
    """Whether a file's answers may be CSAT or CES, whose scale :func:`survey_scales.check_scales`
    checks: survey files with a kind column or of those kinds (an NPS file is on 0-10, the widest)."""
    return plan.kind == "surveys" and ("kind" in plan.columns or plan.survey_kind in ("csat", "ces"))


def parse_map_options(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``("body=Comment", "created_at=dates.publishedDate")`` -> a field -> column mapping."""
    mapping: dict[str, str] = {}
    for value in values:
        name, sep, column = value.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise UsageProblem(f"--map {value!r}: expected FIELD=COLUMN, e.g. --map body=Comment")
        mapping[name.strip()] = column.strip()
    return mapping


DATE_FIELDS = ("created_at", "updated_at", "reply_at")


def decide_date_order(cells: Iterable[tuple[str, str]], *, path: str, option: str | None,
                      config_order: str | None, hint: str | None) -> str | None:
    """The order of a file's numeric dates (``dmy``/``mdy``), or None when it has none.

    ``cells`` yields (column, value) for every date cell of the file. The
    file's own values decide (a first field over 12 means day first); a file
    that stays ambiguous uses ``--date-order``, else the config's
    ``date_order``, else what its kind implies (French headers: day first),
    else it is refused with one line naming the column and two examples. An
    explicit ``--date-order`` is used as given: values that contradict it are
    rejected row by row, never reread the other way.
    """
    if option:
        return option
    by_column: dict[str, list[str]] = {}

    def numeric() -> Iterator[str]:
        for column, value in cells:
            if numeric_fields(value) is not None:
                shown = by_column.setdefault(column, [])
                if len(shown) < 2 and value.strip() not in shown:
                    shown.append(value.strip())
                yield value

    try:
        order, examples = infer_order(numeric())
    except ValueError as error:
        raise FileProblem(path, f"{error}: one file cannot mix them; fix the file or import its parts "
                                "separately with --date-order") from None
    if order or not examples:
        return order
    if config_order or hint:
        return config_order or hint
    column, shown = next(iter(by_column.items()))
    if all(has_two_digit_year(value) for value in shown):
        examples = " and ".join(repr(v) for v in shown)
        raise FileProblem(path, f"column {column!r}: dates with a two-digit year ({examples}), whose century is "
                                "not guessed: write the year in four digits (dd/mm/yyyy or mm/dd/yyyy) or ISO 8601")
    raise FileProblem(path, f"column {column!r}: day/month order unknown ({' and '.join(repr(v) for v in shown)} "
                            "read either way); pass --date-order dmy or --date-order mdy")
