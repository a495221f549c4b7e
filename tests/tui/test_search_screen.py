"""Search in the inbox (issue 16, item 8): words never error, symbols are found,
matches are highlighted in the list and in the detail, as text (never markup)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from conftest import REVIEW_HEADER, import_file, write_csv
from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.safe_text import MATCH_STYLE
from feedback_tui.tui.screens.review import ReviewScreen
from tui_helpers import SIZE, inbox_of, loaded_rows, notifications, review_list, row_line, scalar, settle

PADDING = "Commande reçue en bon état, emballage correct, le livreur était poli et rapide. " * 3
ROWS = [
    ["s1", "play", 1, "", PADDING + "Mais l'application NOT working 😭 depuis hier.", "Ann",
     "2026-03-01T10:00:00Z", "fr", "", ""],
    ["s2", "play", 2, "", "[bold]gratuit[/bold] and or not", "Bob", "2026-03-02T10:00:00Z", "en", "", ""],
    ["s3", "play", 5, "", "Rien à signaler", "Cid", "2026-03-03T10:00:00Z", "fr", "", ""],
]


@pytest.fixture
def search_db(tmp_path: Path, db_path: Path) -> Path:
    with Store.open(db_path) as store:
        import_file(store, write_csv(tmp_path / "search.csv", REVIEW_HEADER, ROWS))
    return db_path


async def _search(app: FeedbackApp, pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    for char in text:
        await pilot.press(char if len(char) == 1 and char.isalnum() else _key(char))
    await pilot.press("enter")
    await settle(app, pilot)


def _key(char: str) -> str:
    return {" ": "space", "*": "asterisk", "?": "question_mark", "(": "left_parenthesis"}.get(char, char)


def _matched(lst, index: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The pieces of row ``index`` drawn in the match style (reversed, the cursor row too)."""
    strip = lst.render_line(index - round(lst.scroll_y))
    return [seg.text for seg in strip if seg.style and seg.style.reverse]


@pytest.mark.parametrize("text", ["AND", "OR", "NOT working", "NEAR(", "or not"])
async def test_words_that_were_operators_list_rows_and_never_fail(search_db: Path, text: str) -> None:
    app = FeedbackApp(db_path=search_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _search(app, pilot, text)
        lst = review_list(app)
        assert lst.load_error is None, notifications(app)
        assert "Could not load" not in row_line(lst, 0)
        assert not [n for n in app._notifications if n.severity != "information"]


async def test_an_emoji_finds_its_review_and_the_match_is_highlighted_in_list_and_detail(search_db: Path) -> None:
    app = FeedbackApp(db_path=search_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.apply_query(app.screen.query_state.with_changes(search="😭 working"))
        await settle(app, pilot)
        lst = review_list(app)
        assert [row.author for row in loaded_rows(lst)] == ["Ann"]
        line = row_line(lst, 0)
        assert "…" in line and "working" in line, "the excerpt starts near the match, not 240 characters before"
        assert _matched(lst, 0) == ["working", "😭"]

        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        body = app.screen.query_one("#detail", Static).content
        texts = [part for part in body.renderables if PADDING[:20] in getattr(part, "plain", "")]
        assert len(texts) == 1
        styled = [texts[0].plain[span.start:span.end] for span in texts[0].spans if str(span.style) == MATCH_STYLE]
        assert styled == ["working", "😭"]


async def test_markup_in_a_review_is_highlighted_as_text(search_db: Path) -> None:
    app = FeedbackApp(db_path=search_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.screen.apply_query(app.screen.query_state.with_changes(view="all", search="gratuit"))
        await settle(app, pilot)
        lst = review_list(app)
        assert "[bold]gratuit[/bold]" in row_line(lst, 0)
        assert _matched(lst, 0) == ["gratuit"]


async def test_the_status_line_says_when_a_symbol_was_looked_for_among_the_words_newest_reviews(
        search_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A common word next to a symbol: the symbol is looked for in the word's newest
    WORD_LITERAL_SCAN_ROWS reviews (store.inbox.literal_bound), and the status line says so;
    a word in fewer reviews than that is searched everywhere, and the line says nothing."""
    from feedback_tui.store import inbox

    monkeypatch.setattr(inbox, "WORD_LITERAL_SCAN_ROWS", 1)  # "not" is in Ann's and Bob's (the newer) reviews
    app = FeedbackApp(db_path=search_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        status = app.screen.query_one("#status-line", Static)
        app.screen.apply_query(app.screen.query_state.with_changes(view="all", search="not 😭"))
        await settle(app, pilot)
        assert loaded_rows(review_list(app)) == []
        assert str(status.render()).startswith('0 reviews in the newest 1 with "not" ·')
        monkeypatch.setattr(inbox, "WORD_LITERAL_SCAN_ROWS", 2)
        app.screen.apply_query(app.screen.query_state.with_changes(search="not  😭"))
        await settle(app, pilot)
        assert [row.author for row in loaded_rows(review_list(app))] == ["Ann"]
        assert "newest" not in str(status.render())


async def test_letters_typed_right_after_slash_go_into_the_search_not_to_triage_keys(search_db: Path) -> None:
    """A terminal (or a browser through ``serve``) delivers ``/refund`` as one burst of keys:
    every letter after ``/`` belongs to the search, none may reply (``r``), archive (``e``)
    or undo (``u``) on the review under the cursor."""
    from textual import events

    app = FeedbackApp(db_path=search_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for char in "/refund":  # queued at once, as a terminal's read hands them over
            app.post_message(events.Key("slash" if char == "/" else char, char))
        await settle(app, pilot)
        assert app.screen is inbox_of(app), type(app.screen).__name__
        assert inbox_of(app).query_one("#search").value == "refund"
        assert scalar(search_db, "SELECT COUNT(*) FROM actions") == 0
        assert scalar(search_db, "SELECT COUNT(*) FROM reviews WHERE status != 'new'") == 0


async def test_a_slash_typed_in_the_search_is_a_character_of_the_search(search_db: Path) -> None:
    app = FeedbackApp(db_path=search_db, agent="camille", watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", "1", "0", "slash", "1", "0")
        assert inbox_of(app).query_one("#search").value == "10/10"
