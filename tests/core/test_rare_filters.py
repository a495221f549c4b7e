"""Rare filters (issue 19): the inbox asks the rollups and side tables where a filter's
reviews are before walking a sort's index (store.narrowing).

Whichever place it reads, the pages, the count and the cursor's position must be
exactly those of the plain query (every condition, the sort's full order): checked
here on a real SQLite file for filters that match nothing, one review, a handful
and many, in every sort order and view, with dirty days and spam in the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from feedback_tui.store import Store, inbox, narrowing, rollups, triage
from feedback_tui.store.inbox import SORTS, InboxQuery
from tests.conftest import import_file, write_csv

HEADER = ["id", "source", "rating", "title", "body", "author", "created_at", "language", "product", "reply", "reply_at"]


def _rows() -> list[list[Any]]:
    """72 reviews over twelve days with ties on the second; one source, one language and
    one product that a single review has, three that three reviews have."""
    rows = []
    for i in range(72):
        day = 1 + (i * 5) % 12
        stamp = f"2026-03-{day:02d}T{(i * 7) % 3:02d}:00:00Z"
        source = "rare_one" if i == 40 else "three" if i in (3, 30, 61) else ("app_store", "trustpilot")[i % 2]
        language = "de" if i == 17 else "it" if i in (5, 22, 66) else ("en", "fr")[i % 2] if i % 9 else ""
        product = "Solo" if i == 8 else ("Web", "iOS")[i % 2]
        rating = "" if i % 13 == 0 else (i * 7) % 5 + 1
        reply, reply_at = ("Thanks", f"2026-03-{day:02d}T12:00:00Z") if i % 4 == 0 else ("", "")
        rows.append([f"r{i}", source, rating, f"title {i}", f"body {i}", f"author {i}", stamp, language, product,
                     reply, reply_at])
    return rows


@pytest.fixture
def rare(store: Store, tmp_path: Path) -> Store:
    import_file(store, write_csv(tmp_path / "reviews.csv", HEADER, _rows()))
    ids = [row[0] for row in store.conn.execute("SELECT id FROM reviews ORDER BY id")]
    with store.write() as conn:  # sentiment on a handful only: "positive" matches three reviews, "neutral" none
        conn.execute("UPDATE reviews SET sentiment = NULL, polarity = NULL")
        conn.execute("UPDATE reviews SET sentiment = 'positive', polarity = 0.5 WHERE id IN (?, ?, ?)", ids[2:5])
        conn.execute("UPDATE reviews SET sentiment = 'negative', polarity = -0.5 WHERE id % 3 = 0")
    triage.set_status(store, [ids[9], ids[17], ids[50]], "spam", "ann")  # the "de" review is spam
    triage.set_status(store, [ids[11]], "archived", "ann")
    triage.add_tag(store, [ids[7]], "vip", "ann")
    triage.add_tag(store, ids[::3], "bulk", "ann")
    triage.add_tag(store, [], "unused", "ann")
    with store.write() as conn:
        conn.execute("INSERT OR IGNORE INTO tags (name) VALUES ('unused')")
    triage.assign(store, [ids[12], ids[13]], "bob", "ann")
    rollups.refresh(store)
    with store.write() as conn:  # after the refresh: a dirty day whose rollup rows say otherwise
        conn.execute("UPDATE reviews SET language = 'it', sentiment = 'neutral' WHERE id = ?", (ids[1],))
    return store


FILTERS: dict[str, dict[str, Any]] = {
    "nothing: a language no review has": {"language": "xx"},
    "nothing: a tag nobody uses": {"tag": "unused"},
    "nothing: a tag that does not exist": {"tag": "nope"},
    "nothing: a rating and language no review has together": {"language": "de", "max_rating": 2},
    "one: a source": {"source": "rare_one"},
    "one: a product": {"product": "Solo"},
    "one: a tag": {"tag": "vip"},
    "one: the dirty day's sentiment": {"sentiment": "neutral"},
    "one: a spam review's language": {"language": "de"},
    "a handful: a source": {"source": "three"},
    "a handful: a language, one on a dirty day": {"language": "it"},
    "a handful: a sentiment": {"sentiment": "positive"},
    "a handful: spam": {"statuses": ("spam",)},
    "a handful: an assignee": {"assignee": "bob"},
    "a handful: a missing source": {"missing": "language", "max_rating": 2},
    "a handful: stars and a source": {"source": "three", "min_rating": 2, "max_rating": 4},
    "dates: a day and a half": {"since": "2026-03-04T00:00:00Z", "until": "2026-03-05T12:00:00Z"},
    "a handful: whole days, a rare language": {"since": "2026-03-06T00:00:00Z", "until": "2026-03-08T00:00:00Z",
                                               "language": "it"},
    "dates: a day ending at midnight": {"since": "2026-03-02T01:00:00Z", "until": "2026-03-03T00:00:00Z"},
    "many: a language": {"language": "en"},
    "many: a tag": {"tag": "bulk"},
    "many: a sentiment": {"sentiment": "negative"},
    "many: not replied": {"replied": False},
    "many: replied, high stars": {"replied": True, "min_rating": 4},
    "many: unknown sentiment": {"sentiment": "unknown"},
}


def _reference(store: Store, query: InboxQuery) -> list[int]:
    """The plain query: every condition, the sort's whole order, no narrowing."""
    where, params = inbox._conditions(query)
    order = ", ".join(f"{e} {'DESC' if d else 'ASC'}" for e, d in inbox.order_of(query))
    sql = f"SELECT r.id FROM reviews r WHERE {' AND '.join(where) or '1'} ORDER BY {order}"
    return [row[0] for row in store.conn.execute(sql, params)]


def _paged(store: Store, query: InboxQuery, limit: int) -> list[int]:
    ids: list[int] = []
    rows = inbox.page(store, query, limit=limit)
    while rows:
        ids += [row.id for row in rows]
        rows = inbox.page(store, query, after=rows[-1].sort_key, limit=limit)
    return ids


@pytest.mark.parametrize("view", ["all", "needs_reply", "negative", "mine"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_pages_counts_and_positions_are_the_plain_query_s(rare: Store, name: str, view: str) -> None:
    for sort in SORTS:
        query = InboxQuery(view=view, agent="bob", sort=sort, **FILTERS[name])
        expected = _reference(rare, query)
        assert _paged(rare, query, 4) == expected, sort
        assert [row.id for row in inbox.page(rare, query)] == expected[:inbox.PAGE_SIZE], sort
        assert inbox.count(rare, query) == len(expected), sort
        assert [row.id for row in inbox.page(rare, query, from_end=True, limit=3)] == expected[-3:], sort
        assert [row.id for row in inbox.page(rare, query, offset=2, limit=3)] == expected[2:5], sort
        for position, row_id in enumerate(expected):
            key = inbox.sort_key_of(rare, query, row_id)
            assert key is not None
            assert inbox.position_of(rare, query, key) == position, (sort, row_id)
        if len(expected) > 1:
            last = inbox.page(rare, query, offset=len(expected) - 1, limit=1)
            assert [row.id for row in inbox.page(rare, query, before=last[0].sort_key, limit=2)] == expected[-3:-1]


@pytest.mark.parametrize("name", [name for name in FILTERS if name.startswith(("nothing", "one", "a handful"))])
def test_a_rare_filter_reads_its_place_not_the_index(rare: Store, name: str) -> None:
    query = InboxQuery(view="all", **FILTERS[name])
    place = narrowing.candidates(rare, query, inbox._conditions(query))
    assert place is not None
    expected = _reference(rare, query)
    if name.startswith("nothing"):
        assert place.empty and not expected
    else:
        assert not place.empty and place.rows < place.total
        assert place.matches >= len(expected)


def test_a_filter_matching_nothing_asks_no_question_of_the_reviews(rare: Store) -> None:
    """No review scored "neutral" outside the dirty day: with the day refreshed, the
    rollups alone answer an empty page and a zero count."""
    rollups.refresh(rare)
    query = InboxQuery(view="all", sentiment="neutral", product="Solo")
    assert narrowing.candidates(rare, query, inbox._conditions(query)).empty  # type: ignore[union-attr]
    assert inbox.page(rare, query) == [] and inbox.count(rare, query) == 0


def test_spam_is_found_through_its_index_after_a_change(rare: Store) -> None:
    """A review marked spam leaves the rollups: the All view still lists it, through m020's index."""
    rollups.refresh(rare)
    target = rare.conn.execute("SELECT id FROM reviews WHERE source = 'rare_one'").fetchone()[0]
    triage.set_status(rare, [target], "spam", "ann")
    rollups.refresh(rare)
    query = InboxQuery(view="all", source="rare_one")
    assert [row.id for row in inbox.page(rare, query)] == [target] and inbox.count(rare, query) == 1
    assert inbox.page(rare, query.with_changes(view="needs_reply")) == []


def test_a_side_index_too_big_to_count_is_never_the_place_read(rare: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source counted past the bound holds an unknown number of reviews: the rare language's
    days are read instead, whatever the truncated count would have said."""
    monkeypatch.setattr(narrowing, "SIDE_COUNT_LIMIT", 5)
    query = InboxQuery(view="all", source="app_store", language="it", sort="rating_low")
    place = narrowing.candidates(rare, query, inbox._conditions(query))
    assert place is not None and place.origin == "days" and place.rows < place.total
    assert [row.id for row in inbox.page(rare, query)] == _reference(rare, query)
    assert inbox.count(rare, query) == len(_reference(rare, query))
