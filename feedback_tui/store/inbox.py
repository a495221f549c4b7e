"""The inbox's named queries: filtered, sorted pages of reviews or comments.

The list never loads every row. It asks for pages of ``PAGE_SIZE`` rows by
*keyset*: "the next rows after this one in this order", which costs the same
at the top of a million rows as at the bottom, where ``OFFSET`` gets slower
the deeper it goes. ``OFFSET`` is only used for a jump far from any loaded
page (dragging the scrollbar). Counts are separate queries, run by their own
worker, so the first page paints before the count is known.
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import asdict, dataclass, field, replace
from collections.abc import Iterable
from typing import Any

from feedback_tui.errors import FeedbackError
from feedback_tui.store import Store, filter_values, narrowing, search
from feedback_tui.store.rows import InboxRow

PAGE_SIZE = 100
VIEWS = ("needs_reply", "negative", "mine", "all")
VIEW_TITLES = {"needs_reply": "Needs reply", "negative": "Negative", "mine": "Mine", "all": "All"}
SORTS = ("newest", "oldest", "rating_low", "rating_high", "sentiment_low", "sentiment_high", "needs_reply")
OPEN_STATUSES = ("new", "open", "outdated")
MISSABLE = ("source", "language", "product")  # columns a drill-down can ask to be empty


class SearchProblem(FeedbackError):
    """A full-text query SQLite cannot parse: shown as a message, never a crash."""


@dataclass(frozen=True)
class InboxQuery:
    """Everything that decides which rows the inbox lists, in which order."""

    kind: str = "reviews"  # reviews | surveys
    view: str = "needs_reply"
    agent: str | None = None  # who "mine" is
    statuses: tuple[str, ...] = ()
    min_rating: int | None = None
    max_rating: int | None = None
    sentiment: str | None = None
    source: str | None = None
    language: str | None = None
    product: str | None = None
    tag: str | None = None
    assignee: str | None = None
    since: str | None = None
    until: str | None = None
    search: str | None = None
    sort: str = "newest"
    survey_kind: str | None = None
    comments_only: bool = True  # survey answers without a comment are listed only on drill-down
    replied: bool | None = None
    ids: tuple[int, ...] = field(default=())  # drill-down: exactly these rows
    missing: str | None = None  # drill-down into a "(none)" segment: rows with no value in this column
    mismatch: bool = False  # only reviews whose text contradicts their stars (issue 17)

    def with_changes(self, **changes: Any) -> InboxQuery:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["statuses"] = list(self.statuses)
        data["ids"] = list(self.ids)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InboxQuery:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for name in ("statuses", "ids"):
            if name in known:
                known[name] = tuple(known[name] or ())
        return cls(**known)


# -- order ---------------------------------------------------------------------
# Each sort is a list of (expression, descending?) ending with the unique id,
# so that every row has one place and a keyset condition is exact. Each review
# order is an index's order, forwards or backwards (migration 017), so a first
# page reads a hundred index entries at any N; "Most positive" is the exact
# reverse of "Most negative" (oldest first among equal scores) so that one
# index serves both.
_REVIEW_ORDERS: dict[str, list[tuple[str, bool]]] = {
    "newest": [("r.created_at", True), ("r.id", True)],
    "oldest": [("r.created_at", False), ("r.id", False)],
    "rating_low": [("coalesce(r.rating, 0)", False), ("r.created_at", True), ("r.id", True)],
    "rating_high": [("coalesce(r.rating, 0)", True), ("r.created_at", True), ("r.id", True)],
    "sentiment_low": [("coalesce(r.polarity, 0)", False), ("r.created_at", True), ("r.id", True)],
    "sentiment_high": [("coalesce(r.polarity, 0)", True), ("r.created_at", False), ("r.id", False)],
}
# "Needs reply" (also a sort of its own, for any view): negative first, then the oldest waiting first.
_NEEDS_REPLY_ORDER = [("r.is_negative", True), ("r.created_at", False), ("r.id", False)]
# The same order in the other views, on the expression of its own index (m017).
_NEGATIVE_FIRST_ORDER = [("-r.is_negative", False), ("r.created_at", False), ("r.id", False)]
_SURVEY_ORDERS: dict[str, list[tuple[str, bool]]] = {
    "newest": [("r.created_at", True), ("r.id", True)],
    "oldest": [("r.created_at", False), ("r.id", False)],
    "rating_low": [("r.score", False), ("r.created_at", True), ("r.id", True)],
    "rating_high": [("r.score", True), ("r.created_at", True), ("r.id", True)],
    "sentiment_low": [("coalesce(r.polarity, 0)", False), ("r.created_at", True), ("r.id", True)],
    "sentiment_high": [("coalesce(r.polarity, 0)", True), ("r.created_at", True), ("r.id", True)],
}


def order_of(query: InboxQuery) -> list[tuple[str, bool]]:
    if query.kind == "surveys":
        return _SURVEY_ORDERS.get(query.sort, _SURVEY_ORDERS["newest"])
    if query.view == "needs_reply" and query.sort in ("newest", "needs_reply"):
        return _NEEDS_REPLY_ORDER
    if query.sort == "needs_reply":
        return _NEGATIVE_FIRST_ORDER
    return _REVIEW_ORDERS.get(query.sort, _REVIEW_ORDERS["newest"])


# -- full-text search ------------------------------------------------------------
# What the search box means lives in store/search.py; here it becomes SQL.
# A search is "common" when its hits are dense enough that walking the date index and
# probing each row (``rowid = r.id AND MATCH``) fills a page sooner than collecting every
# hit, looking each up and sorting them. A probe costs about PROBE_COST_RATIO times a
# hit's lookup and sort (57 µs against 2.8 µs at 1M), and the walk probes about
# PAGE_SIZE × reviews / hits rows, so the break-even is at sqrt(ratio × PAGE_SIZE ×
# reviews) hits: 45k at 1M, 141k at 10M. The hits are counted up to that many (LIMIT:
# ~2 ms at 1M for a word in 300k reviews); the fts5vocab table's doc count read the
# word's whole doclist (31 ms at 1M, ten times that at 10M) and, for several words,
# said nothing of how many reviews hold them all ("delivery livraison": none, and the
# walk probed every review).
PROBE_COST_RATIO = 20
COMMON_TERM_DOCS: int | None = None  # a fixed threshold instead (the tests force each plan)


def fts_query(text: str) -> str:
    """The FTS5 query of what the user typed ('' when only symbols or nothing were typed)."""
    return search.plan(text).fts or ""


def common_threshold(store: Store) -> int:
    """How many hits make a search common (see PROBE_COST_RATIO)."""
    if COMMON_TERM_DOCS is not None:
        return COMMON_TERM_DOCS
    reviews = int(store.conn.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0])
    return max(1, math.isqrt(PROBE_COST_RATIO * PAGE_SIZE * reviews))


def search_is_common(store: Store, plan: search.SearchPlan | str) -> bool:
    """True when a plain query of whole words (no phrase of several, no prefix) has at
    least :func:`common_threshold` hits: its page walks the date index and probes each row."""
    if isinstance(plan, str):
        plan = search.plan(plan)
    if plan.advanced or not plan.fts or "*" in plan.fts:
        return False
    for phrase in re.findall(r'"((?:[^"]|"")*)"', plan.fts):
        if len(re.findall(r"\w+", phrase)) != 1:
            return False  # a phrase's hits are sparse among its words': probing found them too slowly
    threshold = common_threshold(store)
    try:
        found = store.conn.execute(
            "SELECT count(*) FROM (SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH ? LIMIT ?)",
            (plan.fts, threshold)).fetchone()[0]
    except sqlite3.OperationalError:
        return False  # the query itself reports it (SearchProblem)
    return int(found) >= threshold


# Symbols alone (no word the full-text index could narrow) are looked for with instr
# in every text: at a million reviews a symbol in none of them took 2-3 s for the
# first page and as long again for the count. They are looked for in the newest
# reviews only, and the inbox says so (search.LITERAL_SCAN_ROWS, see literal_scan_only).
# Next to a common word the same holds: the index narrows to the word's reviews (300k
# of 1M for "delivery"), each of which instr then read (1.4-2.6 s in the app at 1M):
# the symbol is looked for in the word's newest WORD_LITERAL_SCAN_ROWS reviews (literal_bound).
LITERAL_SCAN_ROWS = search.LITERAL_SCAN_ROWS
WORD_LITERAL_SCAN_ROWS = search.WORD_LITERAL_SCAN_ROWS


def literal_scan_only(query: InboxQuery) -> bool:
    """True when this query's search is symbols alone, looked for in the newest
    ``LITERAL_SCAN_ROWS`` reviews only (survey comments are few: all are read)."""
    return query.kind == "reviews" and bool(query.search) and search.plan(query.search or "").symbols_only


def literal_bound(store: Store, query: InboxQuery) -> bool:
    """True when this query's search is words next to symbols, and the words are in
    more than ``WORD_LITERAL_SCAN_ROWS`` reviews: the symbols are then looked for in the
    newest ``WORD_LITERAL_SCAN_ROWS`` of those only, by the page, the count and the cursor
    alike. Fewer: all of them are read (at most as many texts as the bound).

    Asked of the index itself (``LIMIT`` one more than the bound: ~1 ms for a word in
    300k reviews at 1M), so a phrase or a prefix is judged on what it really matches.
    """
    if query.kind != "reviews" or not query.search:
        return False
    plan = search.plan(query.search)
    if not (plan.fts and plan.literals):
        return False
    try:
        found = store.conn.execute(
            "SELECT count(*) FROM (SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH ? LIMIT ?)",
            (plan.fts, WORD_LITERAL_SCAN_ROWS + 1)).fetchone()[0]
    except sqlite3.OperationalError:
        return False  # the query itself reports it (SearchProblem)
    return int(found) > WORD_LITERAL_SCAN_ROWS


def _search_conditions(plan: search.SearchPlan, where: list[str], params: dict[str, Any], probe: bool,
                       bounded: bool = False) -> None:
    if plan.symbols_only:
        # The newest LITERAL_SCAN_ROWS reviews, from the date index, whatever the sort: the
        # rows are looked up by id and only those are read and sorted.
        where.append("r.id IN (SELECT id FROM reviews ORDER BY created_at DESC, id DESC LIMIT :literal_scan)")
        params["literal_scan"] = LITERAL_SCAN_ROWS
    if plan.fts and plan.literals and bounded:
        # The words' newest WORD_LITERAL_SCAN_ROWS reviews: the index's ids in a list, the
        # date index walked newest first (index only) until that many are in it. Left to
        # itself the planner looked up each of the 300k rows of "delivery" at 1M for its
        # date and sorted them (~0.5 s). "+id": the list is checked, not used to look rows up.
        where.append("r.id IN (SELECT id FROM reviews INDEXED BY reviews_created WHERE +id IN "
                     "(SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH :fts) "
                     "ORDER BY created_at DESC, id DESC LIMIT :literal_scan)")
        params["fts"] = plan.fts
        params["literal_scan"] = WORD_LITERAL_SCAN_ROWS
    elif plan.fts:
        if probe:
            where.append("EXISTS (SELECT 1 FROM reviews_fts WHERE reviews_fts MATCH :fts AND rowid = r.id)")
        else:
            where.append("r.id IN (SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH :fts)")
        params["fts"] = plan.fts
    for i, literal in enumerate(plan.literals):
        where.append(f"(instr(r.body, :lit{i}) > 0 OR instr(coalesce(r.title, ''), :lit{i}) > 0)")
        params[f"lit{i}"] = literal


def _conditions(query: InboxQuery, *, probe_search: bool = False,
                bounded: bool = False) -> tuple[list[str], dict[str, Any]]:
    """The WHERE terms of ``query``; ``bounded``: what :func:`literal_bound` said for it
    (the page, the count, the cursor's position and the selection must agree)."""
    where: list[str] = []
    params: dict[str, Any] = {}
    surveys = query.kind == "surveys"
    if query.ids:
        ids = ",".join(str(int(i)) for i in query.ids)
        where.append(f"r.id IN ({ids})")
    if query.missing:
        if query.missing not in MISSABLE or (surveys and query.missing == "product"):
            raise ValueError(f"no such column to be missing: {query.missing!r}")
        where.append(f"r.{query.missing} IS NULL")
    if surveys:
        if query.comments_only:
            where.append("r.comment IS NOT NULL")
        if query.survey_kind:
            where.append("r.kind = :survey_kind")
            params["survey_kind"] = query.survey_kind
    if query.statuses:
        where.append(f"r.status IN ({','.join(f':st{i}' for i in range(len(query.statuses)))})")
        params.update({f"st{i}": s for i, s in enumerate(query.statuses)})
    elif query.view == "needs_reply":
        where.append("r.status IN ('new', 'open', 'outdated')")
    elif query.view in ("negative", "mine"):
        where.append("r.status NOT IN ('archived', 'spam')")
    if query.view == "negative":
        where.append("r.sentiment = 'negative'" if surveys else "r.is_negative = 1")
    if query.view == "mine" and not surveys:
        where.append("r.assignee = :agent")
        params["agent"] = query.agent or ""
    score = "r.score" if surveys else "r.rating"
    if query.min_rating is not None:
        where.append(f"{score} >= :min_rating")
        params["min_rating"] = query.min_rating
    if query.max_rating is not None:
        where.append(f"{score} <= :max_rating")
        params["max_rating"] = query.max_rating
    for name in ("sentiment", "source", "language"):
        value = getattr(query, name)
        if value:
            where.append(f"r.{name} = :{name}")
            params[name] = value
    if not surveys:
        if query.product:
            where.append("r.product = :product")
            params["product"] = query.product
        if query.assignee:
            where.append("r.assignee = :assignee")
            params["assignee"] = query.assignee
        if query.mismatch:
            where.append("r.mismatch = 1")
        if query.replied is not None:
            where.append("r.has_reply = :replied")
            params["replied"] = int(query.replied)
        if query.tag:
            where.append(
                "r.id IN (SELECT rt.review_id FROM review_tags rt JOIN tags t ON t.id = rt.tag_id WHERE t.name = :tag)"
            )
            params["tag"] = query.tag
    if query.since:
        where.append("r.created_at >= :since")
        params["since"] = query.since
    if query.until:
        where.append("r.created_at < :until")
        params["until"] = query.until
    if query.search and query.search.strip():
        if surveys:
            where.append("r.comment LIKE :like ESCAPE '\\'")
            escaped = query.search.strip().removeprefix(search.ADVANCED_PREFIX).strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["like"] = f"%{escaped}%"
        else:
            _search_conditions(search.plan(query.search), where, params, probe_search, bounded)
    return where, params


_REVIEW_COLUMNS = """r.id, r.created_at, r.source, r.rating, r.sentiment, r.polarity, r.author, r.title,
    substr(r.body, 1, 300) AS excerpt, r.status, r.assignee, r.is_read, r.language, r.product,
    r.has_reply AS replied, r.is_negative, NULL AS kind,
    EXISTS (SELECT 1 FROM drafts d WHERE d.review_id = r.id) AS has_draft,
    EXISTS (SELECT 1 FROM undated_reviews u WHERE u.review_id = r.id) AS undated,
    (SELECT group_concat(t.name, ' ') FROM review_tags rt JOIN tags t ON t.id = rt.tag_id
     WHERE rt.review_id = r.id) AS tags"""
_SURVEY_COLUMNS = """r.id, r.created_at, r.source, r.score AS rating, r.sentiment, r.polarity, r.customer AS author,
    NULL AS title, substr(r.comment, 1, 300) AS excerpt, r.status, NULL AS assignee, 1 AS is_read, r.language,
    NULL AS product, 0 AS replied, r.sentiment = 'negative' AS is_negative, r.kind, 0 AS has_draft, NULL AS tags,
    EXISTS (SELECT 1 FROM undated_surveys u WHERE u.response_id = r.id) AS undated"""


def _table(query: InboxQuery) -> str:
    return "survey_responses r" if query.kind == "surveys" else "reviews r"


def _run(store: Store, sql: str, params: dict[str, Any]) -> list[sqlite3.Row]:
    try:
        return store.conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        text = str(error)
        # FTS5 reports a query's column filter ("col:word") as "no such column".
        if any(word in text for word in ("fts5", "MATCH", "syntax error", "unterminated", "no such column")):
            raise SearchProblem(f"search: SQLite cannot read that advanced query ({text}); "
                                "without the leading ? every word is searched as it is") from None
        raise


def _rows_from(store: Store, query: InboxQuery, where: list[str], params: dict[str, Any],
               page_rows: int | None = None) -> str | None:
    """The FROM clause that lists ``query``'s rows (``params`` gains its parameters), or
    None when the small tables say no row can match (:mod:`feedback_tui.store.narrowing`).

    When the place that holds every listed review is small (``page_rows``: a page of
    that many rows; None: a count), only its reviews are read, tested against every
    condition as before and sorted: the same rows in the same order as the walk of the
    sort's index, which a filter matching few reviews made read the whole index.
    """
    place = narrowing.candidates(store, query, (where, params))
    if place is None:
        return _table(query)
    if place.empty:
        return None
    if not (place.collect(page_rows) if page_rows is not None else place.count_collect()):
        return _table(query)
    params.update(place.params)
    return f"({place.sql}) AS c CROSS JOIN reviews r ON r.id = c.id"


def _star_seek(query: InboxQuery, order: list[tuple[str, bool]]) -> list[str]:
    """A page sorted by stars, with a bound on them: the bounds again, on the index's
    ``coalesce(rating, 0)``, which ``rating >= :min_rating`` implies (the same rows), so that
    "Lowest rating" with "4 stars and up" seeks to 4 instead of walking every review below
    it (1.6 s at 1M). Not for counts: a count reads the table faster than the index's rows."""
    if query.kind != "reviews" or order[0][0] != "coalesce(r.rating, 0)":
        return []
    return [term for name, term in (("min_rating", "coalesce(r.rating, 0) >= :min_rating"),
                                    ("max_rating", "coalesce(r.rating, 0) <= :max_rating"))
            if getattr(query, name) is not None]


def count(store: Store, query: InboxQuery) -> int:
    where, params = _conditions(query, bounded=literal_bound(store, query))
    rows_from = _rows_from(store, query, where, params)
    if rows_from is None:
        return 0
    sql = f"SELECT count(*) FROM {rows_from} WHERE {' AND '.join(where) or '1'}"
    return int(_run(store, sql, params)[0][0])


def holds_any(store: Store, kind: str = "reviews") -> bool:
    """Whether the workspace holds any row of ``kind`` at all (a survey answer with a comment):
    an empty list then says "import a file" rather than "no row matches these filters"."""
    sql = ("SELECT EXISTS (SELECT 1 FROM survey_responses WHERE comment IS NOT NULL)" if kind == "surveys"
           else "SELECT EXISTS (SELECT 1 FROM reviews)")
    return bool(store.scalar(sql))


def _key_names(order: list[tuple[str, bool]]) -> list[str]:
    return [f"k{i}" for i in range(len(order))]


def _keyset(order: list[tuple[str, bool]], after: bool) -> str:
    """Rows strictly after (or before) the key ``:k0, :k1, ...`` in ``order``."""
    clauses = []
    for depth, (expression, descending) in enumerate(order):
        equal = [f"{order[i][0]} = :k{i}" for i in range(depth)]
        forward = descending != after  # "after" in a descending column means smaller
        compare = f"{expression} {'>' if forward else '<'} :k{depth}"
        clauses.append("(" + " AND ".join([*equal, compare]) + ")")
    return "(" + " OR ".join(clauses) + ")"


def page(
    store: Store,
    query: InboxQuery,
    *,
    after: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    offset: int | None = None,
    from_end: bool = False,
    limit: int = PAGE_SIZE,
) -> list[InboxRow]:
    """One page of rows, in display order.

    ``after``/``before`` are the ``sort_key`` of a row already shown (keyset);
    ``offset`` jumps; ``from_end`` gives the last ``limit`` rows. Each row
    carries its ``sort_key`` for the next call.
    """
    order = order_of(query)
    plan = search.plan(query.search) if query.search and query.kind == "reviews" else None
    probe = bool(plan and search_is_common(store, plan))
    where, params = _conditions(query, probe_search=probe, bounded=literal_bound(store, query))
    rows_from = _rows_from(store, query, where, params, limit + (offset or 0))
    if rows_from is None:
        return []
    where += _star_seek(query, order)
    reverse = before is not None or from_end
    if after is not None or before is not None:
        key = after if after is not None else before
        assert key is not None
        where.append(_keyset(order, after=after is not None))
        params.update(key)
    order_sql = ", ".join(f"{expr} {'DESC' if desc != reverse else 'ASC'}" for expr, desc in order)
    keys_sql = ", ".join(f"{expr} AS {name}" for (expr, _), name in zip(order, _key_names(order), strict=True))
    columns = _SURVEY_COLUMNS if query.kind == "surveys" else _REVIEW_COLUMNS
    if plan is not None and plan.terms:  # enough text to centre the excerpt on the first match
        columns = columns.replace("substr(r.body, 1, 300) AS excerpt", "substr(r.body, 1, 3000) AS excerpt")
    sql = (f"SELECT {columns}, {keys_sql} FROM {rows_from} WHERE {' AND '.join(where) or '1'} "
           f"ORDER BY {order_sql} LIMIT :limit")
    params["limit"] = limit
    if offset:
        sql += " OFFSET :offset"
        params["offset"] = offset
    names = _key_names(order)
    rows = [InboxRow.from_row(row, {name: row[name] for name in names}) for row in _run(store, sql, params)]
    if plan is not None and plan.terms:
        rows = [replace(row, excerpt=search.centred_excerpt(row.excerpt or "", plan.terms)) for row in rows]
    if reverse:
        rows.reverse()
    return rows


def position_of(store: Store, query: InboxQuery, sort_key: dict[str, Any]) -> int:
    """How many rows come before the row with this key (to keep the cursor on it)."""
    order = order_of(query)
    where, params = _conditions(query, bounded=literal_bound(store, query))
    rows_from = _rows_from(store, query, where, params)
    if rows_from is None:
        return 0
    where.append(_keyset(order, after=False))
    params.update(sort_key)
    return int(_run(store, f"SELECT count(*) FROM {rows_from} WHERE {' AND '.join(where)}", params)[0][0])


def still_listed(store: Store, query: InboxQuery, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` the query lists now: after someone else archived or
    answered a selected review, the selection drops it instead of acting on a
    row the agent can no longer see."""
    wanted = ",".join(str(int(i)) for i in ids)
    if not wanted:
        return set()
    where, params = _conditions(query, bounded=literal_bound(store, query))
    where.append(f"r.id IN ({wanted})")
    return {row[0] for row in _run(store, f"SELECT r.id FROM {_table(query)} WHERE {' AND '.join(where)}", params)}


def sort_key_of(store: Store, query: InboxQuery, row_id: int) -> dict[str, Any] | None:
    order = order_of(query)
    keys_sql = ", ".join(f"{expr} AS {name}" for (expr, _), name in zip(order, _key_names(order), strict=True))
    row = store.conn.execute(f"SELECT {keys_sql} FROM {_table(query)} WHERE r.id = ?", (row_id,)).fetchone()
    return dict(row) if row else None


def distinct_values(store: Store, column: str, kind: str = "reviews") -> list[str]:
    """Values offered by the filter panel (sources, languages, products): from the
    rollups, never a scan of the reviews (see :mod:`feedback_tui.store.filter_values`)."""
    return filter_values.distinct_values(store, column, kind)


def assignees(store: Store) -> list[str]:
    """Everyone a review is assigned to, for the filter panel (an index skip scan)."""
    return filter_values.assignees(store)
