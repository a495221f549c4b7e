"""Search that never errors on words (issue 16, item 8).

Plain mode searches every word as it is (AND/OR/NOT included), symbols and
emoji are found by a literal match, ``?`` opens FTS5's own syntax, and the
matches are located for highlighting and for centring the row's excerpt.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback_tui.store import Store, inbox, search
from feedback_tui.store.inbox import InboxQuery, SearchProblem

from conftest import REVIEW_HEADER, import_file, write_csv

LONG_START = "Livraison rapide et emballage soigné, rien à redire sur ce point précis. " * 6
ROWS = [
    ["w1", "play", 1, "", "The app is NOT working since the update", "Ann", "2026-03-01T10:00:00Z", "en", "", ""],
    ["w2", "play", 2, "", "Cats and dogs or birds", "Bob", "2026-03-02T10:00:00Z", "en", "", ""],
    ["w3", "play", 1, "", "Très déçu 😭😭 remboursement refusé", "Cid", "2026-03-03T10:00:00Z", "fr", "", ""],
    ["w4", "play", 5, "Top ❤️", "Parfait, merci", "Dee", "2026-03-04T10:00:00Z", "fr", "", ""],
    ["w5", "play", 3, "", "Prix 10 € de plus, working hours only", "Eve", "2026-03-05T10:00:00Z", "en", "", ""],
    ["w6", "play", 2, "", LONG_START + "Mais le remboursement n'arrive jamais.", "Fay", "2026-03-06T10:00:00Z",
     "fr", "", ""],
]


@pytest.fixture
def words_db(tmp_path: Path, db_path: Path) -> Path:
    with Store.open(db_path) as store:
        result = import_file(store, write_csv(tmp_path / "words.csv", REVIEW_HEADER, ROWS))
        assert result.inserted == len(ROWS)
    return db_path


def _authors(db: Path, text: str) -> list[str]:
    with Store.open(db) as store:
        query = InboxQuery(view="all", search=text, sort="oldest")
        rows = inbox.page(store, query)
        assert inbox.count(store, query) == len(rows)
        return [row.author or "" for row in rows]


@pytest.mark.parametrize(("text", "expected"), [
    ("AND", ["Bob"]),
    ("and", ["Bob"]),
    ("OR", ["Bob"]),
    ("NOT working", ["Ann"]),
    ("working", ["Ann", "Eve"]),
    ("😭", ["Cid"]),
    ("❤️", ["Dee"]),  # typed with its presentation selector, stored text has it too
    ("❤", ["Dee"]),
    ("€", ["Eve"]),
    ("déçu 😭", ["Cid"]),
    ("decu", ["Cid"]),
    ("rembours*", ["Cid", "Fay"]),
    ('"since the update"', ["Ann"]),
    ("col:word", []),
    ("NEAR(", []),
    ("🙂", []),
])
def test_plain_words_and_symbols_are_searched_literally(words_db: Path, text: str, expected: list[str]) -> None:
    assert _authors(words_db, text) == expected


def test_advanced_syntax_after_a_question_mark(words_db: Path) -> None:
    assert _authors(words_db, "?cats OR refusé") == ["Bob", "Cid"]
    assert _authors(words_db, "?working NOT hours") == ["Ann"]
    with pytest.raises(SearchProblem, match="^search: .*without the leading"):
        _authors(words_db, "?NEAR(")


def test_the_excerpt_is_centred_on_the_first_match(words_db: Path) -> None:
    with Store.open(words_db) as store:
        (row,) = inbox.page(store, InboxQuery(view="all", search="jamais"))
        assert row.excerpt and row.excerpt.startswith("…")
        assert "jamais" in row.excerpt[:80]
        (plain,) = inbox.page(store, InboxQuery(view="all", search="jamais", ids=(row.id,)))
        assert plain.excerpt == row.excerpt
        unsearched = [r for r in inbox.page(store, InboxQuery(view="all")) if r.id == row.id][0]
        assert unsearched.excerpt == (LONG_START + "Mais")[:300]


def test_match_spans_fold_case_and_accents_and_find_symbols() -> None:
    text = "Très DÉÇU, déçue 😭 et 😭 ; decu"
    terms = search.plan("decu 😭").terms
    spans = search.match_spans(text, terms)
    assert [text[a:b] for a, b in spans] == ["DÉÇU", "😭", "😭", "decu"]  # "déçue" is another word
    prefix = search.match_spans(text, search.plan("dec*").terms)
    assert [text[a:b] for a, b in prefix] == ["DÉÇU", "déçue", "decu"]


def test_markup_like_text_is_matched_as_text() -> None:
    text = "[bold]gratuit[/bold] \x1b[31m"
    spans = search.match_spans(text, search.plan("[bold]").terms)
    assert [text[a:b] for a, b in spans] == ["bold", "bold"]


def test_symbols_alone_are_looked_for_in_the_newest_reviews_only(words_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A symbol alone reads texts one by one (no index keeps it): at a million reviews one
    in no review took 2-3 s. It is looked for in the newest LITERAL_SCAN_ROWS reviews,
    by its first page and its count alike, whatever the sort; next to a word it is not."""
    monkeypatch.setattr(inbox, "LITERAL_SCAN_ROWS", 3)  # the newest three: w4, w5, w6
    assert inbox.literal_scan_only(InboxQuery(search="😭")) and inbox.literal_scan_only(InboxQuery(search="€ ❤️"))
    assert not inbox.literal_scan_only(InboxQuery(search="déçu 😭"))
    assert not inbox.literal_scan_only(InboxQuery(search="😭", kind="surveys"))
    assert _authors(words_db, "😭") == []  # w3 is older than the newest three
    assert _authors(words_db, "€") == ["Eve"]
    assert _authors(words_db, "déçu 😭") == ["Cid"]  # a word: the full-text index narrows, every review counts
    with Store.open(words_db) as store:
        for sort in inbox.SORTS:
            query = InboxQuery(view="all", search="❤️", sort=sort)
            assert [row.author for row in inbox.page(store, query)] == ["Dee"] and inbox.count(store, query) == 1
        newest = InboxQuery(view="all", search=",", sort="newest")  # each of the newest three has one
        assert [row.author for row in inbox.page(store, newest)] == ["Fay", "Eve", "Dee"]


def test_a_symbol_next_to_a_common_word_is_looked_for_in_the_words_newest_reviews(
        words_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A common word next to a symbol read every review holding the word ("delivery 😭": 300k
    texts at 1M, 1.4-2.6 s). When the word is in more than WORD_LITERAL_SCAN_ROWS reviews, the symbol
    is looked for in its newest WORD_LITERAL_SCAN_ROWS only: the page, the count, the cursor's
    position and the selection's check agree, whatever the sort; fewer, and every one counts."""
    monkeypatch.setattr(inbox, "WORD_LITERAL_SCAN_ROWS", 1)
    with Store.open(words_db) as store:
        bounded = InboxQuery(view="all", search="remboursement 😭")  # Cid (😭) and Fay, the newer
        assert inbox.literal_bound(store, bounded)
        assert not inbox.literal_bound(store, InboxQuery(view="all", search="déçu 😭"))  # the word in one review
        assert not inbox.literal_bound(store, InboxQuery(view="all", search="remboursement"))  # no symbol
        assert not inbox.literal_bound(store, InboxQuery(view="all", search="😭"))  # symbols alone: their own bound
        for sort in inbox.SORTS:
            assert inbox.page(store, bounded.with_changes(sort=sort)) == []
            assert inbox.count(store, bounded.with_changes(sort=sort)) == 0
        cid = store.conn.execute("SELECT id FROM reviews WHERE author = 'Cid'").fetchone()[0]
        assert inbox.still_listed(store, bounded, [cid]) == set()  # Cid's review is outside the bound
        assert inbox.still_listed(store, bounded.with_changes(search="déçu 😭"), [cid]) == {cid}
        working = InboxQuery(view="all", search="working €")  # Ann and Eve (€), the newer
        rows = inbox.page(store, working)
        assert [row.author for row in rows] == ["Eve"] and inbox.count(store, working) == 1
        assert inbox.position_of(store, working, rows[0].sort_key) == 0
    assert _authors(words_db, "déçu 😭") == ["Cid"]
    monkeypatch.setattr(inbox, "WORD_LITERAL_SCAN_ROWS", 2)  # both reviews with the word: every one is read
    with Store.open(words_db) as store:
        assert not inbox.literal_bound(store, InboxQuery(view="all", search="remboursement 😭"))
    assert _authors(words_db, "remboursement 😭") == ["Cid"]
    assert search.words_of('remboursement 😭 "pas reçu" €') == '"remboursement pas reçu"'
