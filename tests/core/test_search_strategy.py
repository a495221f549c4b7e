"""The search planner: common words walk the date index, rare ones collect their hits.

Both plans must return exactly the same page; only their speed differs (measured
in benchmarks/, never here).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback_tui.store import Store, inbox
from feedback_tui.store.inbox import InboxQuery, search_is_common

QUERIES = ["livraison", "livraison retard", "Livraison", "refund", "app crashes"]


@pytest.mark.parametrize("text", QUERIES)
def test_both_plans_give_the_same_pages(demo_db: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    with Store.open(demo_db) as store:
        query = InboxQuery(view="all", search=text)
        monkeypatch.setattr(inbox, "COMMON_TERM_DOCS", 10**9)  # every word rare: collect the hits first
        assert not search_is_common(store, text)
        collected = inbox.page(store, query, limit=25)
        after = inbox.page(store, query, after=collected[-1].sort_key, limit=25) if collected else []
        monkeypatch.setattr(inbox, "COMMON_TERM_DOCS", 1)  # every word common: probe row by row
        assert search_is_common(store, text)
        probed = inbox.page(store, query, limit=25)
        probed_after = inbox.page(store, query, after=probed[-1].sort_key, limit=25) if probed else []
    assert [r.id for r in probed] == [r.id for r in collected]
    assert [r.id for r in probed_after] == [r.id for r in after]
    assert collected, f"the demo data should match {text!r}"


def test_the_vocabulary_counts_documents_and_folds_accents(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        docs = store.scalar("SELECT doc FROM reviews_fts_vocab WHERE term = 'livraison'")
        matching = store.scalar("SELECT count(*) FROM reviews_fts WHERE reviews_fts MATCH 'livraison'")
        assert docs == matching and docs > 0
        # "déçu" is stored folded, and looked up folded
        assert store.scalar("SELECT doc FROM reviews_fts_vocab WHERE term = 'decu'") > 0


@pytest.mark.parametrize("text", ['"exact phrase"', "livr*", "?a OR b", "?NEAR(a b)", "?col:word", "", "😭"])
def test_operators_prefixes_and_phrases_always_collect_hits(demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                             text: str) -> None:
    monkeypatch.setattr(inbox, "COMMON_TERM_DOCS", 1)
    with Store.open(demo_db) as store:
        assert not search_is_common(store, text)


def test_words_common_alone_but_never_together_collect_their_hits(store: Store, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Each word is in many reviews, both in none: counted as a whole, the query has no hit, so
    the page collects (nothing) instead of probing every review of the date index for a hit."""
    from tests.conftest import import_file, write_csv

    rows = [[f"e{i}", "app_store", 3, "", "the delivery was late", "a", f"2026-03-{1 + i % 28:02d}T10:00:00Z", "en"]
            for i in range(30)]
    rows += [[f"f{i}", "app_store", 3, "", "la livraison en retard", "b", f"2026-03-{1 + i % 28:02d}T11:00:00Z", "fr"]
             for i in range(30)]
    import_file(store, write_csv(tmp_path / "r.csv", ["id", "source", "rating", "title", "body", "author",
                                                      "created_at", "language"], rows))
    monkeypatch.setattr(inbox, "COMMON_TERM_DOCS", 5)
    assert search_is_common(store, "delivery") and search_is_common(store, "livraison")
    assert not search_is_common(store, "delivery livraison")
    assert inbox.page(store, InboxQuery(view="all", search="delivery livraison")) == []
    monkeypatch.setattr(inbox, "COMMON_TERM_DOCS", None)  # the density rule: 60 reviews need sqrt(20×100×60) = 346 hits
    assert inbox.common_threshold(store) == 346 and not search_is_common(store, "delivery")
