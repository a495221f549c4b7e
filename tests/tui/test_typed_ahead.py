"""Keys typed in the same burst as the key that opens a screen belong to that screen.

A terminal's read (or ``serve``'s websocket) hands ``rMerci`` over at once: each test
posts such a burst to the app with nothing waiting in between (as the terminal driver
does), then checks where every letter went, on the screen and in SQLite.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input

from feedback_tui import reply_rules
from feedback_tui.store import Store
from feedback_tui.store import replies as reply_store
from feedback_tui.tui.dialogs import TextPrompt
from feedback_tui.tui.screens.composer import ComposerScreen
from feedback_tui.tui.screens.review import ReviewScreen
from test_composer import (AGENT, ORDER, composer, drafts, editor, first_id, make_app, rows, show_review,
                           template_body)
from tui_helpers import SIZE, inbox_of, review, review_list, settle

KEY_NAMES = {" ": "space", "-": "minus", "/": "slash", "!": "exclamation_mark", ",": "comma", "\r": "enter",
             "?": "question_mark"}


def burst(app: object, text: str) -> None:
    """``text`` as the terminal driver delivers one read: every key posted before any is handled."""
    for char in text:
        app.post_message(events.Key(KEY_NAMES.get(char, char), char))  # type: ignore[attr-defined]


def triaged(path: Path) -> list[str]:
    """What the letters could have done instead: triage actions (e archives, m sets a status...)."""
    return [row["kind"] for row in rows(path, "SELECT kind FROM actions")]


async def test_letters_typed_right_after_r_in_the_inbox_go_into_the_reply(demo_db: Path) -> None:
    """They went to the list while the composer was built: ``e`` archived the review, ``r``
    asked for a second composer, ``c`` and ``i`` were dropped; the composer then opened
    with none of "Merci". Typed after the proposed template, where its cursor is."""
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    proposal = reply_rules.fill(template_body(demo_db, "Thanks (EN)"), review(demo_db, target), AGENT)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await show_review(app, pilot, target)
        burst(app, "rMerci")
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen) and app.screen.review_id == target
        assert [type(s).__name__ for s in app.screen_stack].count("ComposerScreen") == 1
        assert editor(app).text == proposal + "Merci"
        assert editor(app).cursor_location == editor(app).document.end
        assert app.focused is editor(app)
    assert triaged(demo_db) == []
    assert review(demo_db, target)["status"] == "new"
    assert [d["text"] for d in drafts(demo_db, target)] == [proposal + "Merci"], "typed: a draft"


async def test_letters_typed_right_after_r_on_the_review_screen_go_into_the_reply(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    proposal = reply_rules.fill(template_body(demo_db, "Thanks (EN)"), review(demo_db, target), AGENT)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await show_review(app, pilot, target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        burst(app, "rMerci, see you")
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen) and app.screen.review_id == target
        assert editor(app).text == proposal + "Merci, see you"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen), "back where r was pressed"
    assert triaged(demo_db) == []


async def test_letters_typed_right_after_r_follow_a_restored_draft(demo_db: Path) -> None:
    """The draft is restored with the cursor at its end: the letters continue it there."""
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    with Store.open(demo_db, migrate=False) as store:
        reply_store.save_draft(store, target, AGENT, "Dear Ann, ", "Thanks (EN)")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await show_review(app, pilot, target)
        burst(app, "rMerci")
        await settle(app, pilot)
        assert editor(app).text == "Dear Ann, Merci"
        assert editor(app).cursor_location == editor(app).document.end
    assert triaged(demo_db) == []


async def test_letters_typed_right_after_r_answer_the_proposals_first_question(demo_db: Path) -> None:
    """The apology proposed for a French 1-star review asks for a case number first: an agent
    who waited would type there, so the letters typed at once go there too."""
    target = first_id(demo_db, "rating = 1 AND language = 'fr'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await show_review(app, pilot, target)
        burst(app, "r" + ORDER)
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one("#text", Input).value == ORDER
        await pilot.press("enter")
        await settle(app, pilot)
        assert f"le dossier {ORDER} pour" in editor(app).text
    assert triaged(demo_db) == []


async def test_r_typed_right_after_j_replies_to_the_row_j_went_to(demo_db: Path) -> None:
    """``r`` is taken by the app as it arrives, ahead of the ``j`` before it in the same
    burst: the composer waits for ``j`` to move the cursor before choosing its review."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        second = review_list(app).row_at(1)
        assert second is not None
        burst(app, "jr")
        await settle(app, pilot)
        assert composer(app).review_id == second.id  # (under its template's question, if it asks one)


async def test_r_typed_in_the_search_is_a_letter_of_the_search(demo_db: Path) -> None:
    """``r`` is a priority binding of the inbox: not while the search field takes letters."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        burst(app, "/retard")
        await settle(app, pilot)
        assert inbox_of(app).query_one("#search", Input).value == "retard"
        assert app.screen is inbox_of(app)


async def test_keys_typed_after_an_r_that_opens_nothing_go_on_as_usual(demo_db: Path) -> None:
    """No review under the cursor: no composer, and the key after ``r`` is not lost."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        inbox = inbox_of(app)
        inbox.apply_query(inbox.query_state.with_changes(view="all", ids=(-1,)))  # an empty list
        await settle(app, pilot)
        assert review_list(app).current_row is None
        burst(app, "r2")
        await settle(app, pilot)
        assert app.screen is inbox
        assert inbox.query_state.view == "negative"


async def test_r_typed_right_after_enter_replies_from_the_review_screen(demo_db: Path) -> None:
    """``enter`` then ``rMerci`` in one burst: the review screen opens, then one composer over
    it with "Merci" (before the hold of r, the second r opened a second composer and e
    archived the review). Textual runs enter's binding at the app, and the screen it opens
    is on the stack before the keys behind it reach theirs: enter itself needs no hold."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        inbox = inbox_of(app)
        target = first_id(demo_db, "rating = 5 AND language = 'en'")
        await show_review(app, pilot, target)
        for attempt in ("first", "reused"):  # the first review screen is built, later ones are refilled
            burst(app, "\rrMerci")
            await settle(app, pilot)
            assert [type(s).__name__ for s in app.screen_stack[1:]] == ["InboxScreen", "ReviewScreen",
                                                                       "ComposerScreen"], attempt
            assert composer(app).review_id == target and editor(app).text.endswith("Merci"), attempt
            while app.screen is not inbox:
                await pilot.press("escape")
                await settle(app, pilot)
    assert triaged(demo_db) == []



async def test_jj_typed_at_once_on_the_review_screen_shows_the_row_two_further(demo_db: Path) -> None:
    """Each j asks the inbox for the next row and shows the one it reports: with the two in
    one burst, the screen showed the first report only (the inbox's cursor two rows on, the
    review one), so the next j seemed to do nothing. And k k back."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        ids = [row.id for row in (review_list(app).row_at(i) for i in range(4)) if row is not None]
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.row_id == ids[0]
        burst(app, "jj")
        await settle(app, pilot)
        assert screen.row_id == ids[2] == review_list(app).current_row.id
        burst(app, "jkj")
        await settle(app, pilot)
        assert screen.row_id == ids[3] == review_list(app).current_row.id
        burst(app, "kk")
        await settle(app, pilot)
        assert screen.row_id == ids[1] == review_list(app).current_row.id


async def test_an_r_typed_right_after_n_is_a_letter_of_the_note(demo_db: Path) -> None:
    """``n`` opens the note's prompt; ``r`` (a priority binding) ran on the inbox ahead of it
    and opened a composer too. It is given back to the prompt, with the letters after it."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        burst(app, "nrappeler")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        assert not any(isinstance(s, ComposerScreen) for s in app.screen_stack)
        assert "rappeler" in app.screen.query_one("#text").text


async def test_letters_typed_right_after_n_and_t_go_into_their_prompt(demo_db: Path) -> None:
    """``n`` (a note) and ``t`` (a tag) open a prompt; the letters typed at once reached the
    list (e archived, a assigned) or a prompt not built yet, and the prompt opened empty."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        burst(app, "nSee case AB-12")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one("#text").text == "See case AB-12"
        await pilot.press("escape")
        await settle(app, pilot)
        burst(app, "tdelivery late")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one("#text", Input).value == "delivery late"
    assert triaged(demo_db) == []


async def test_letters_typed_right_after_w_and_E_go_into_their_prompt(demo_db: Path) -> None:
    """``w`` (save the view as) and ``E`` (edit my reply, on the review screen) open a prompt
    too; E's holds the reply, and the letters go where its cursor is, as typed later."""
    with Store.open(demo_db, migrate=False) as store:
        target = int(store.scalar("SELECT id FROM reviews WHERE source = 'google_play' ORDER BY id LIMIT 1"))
        reply_store.add_reply(store, target, "Merci !", AGENT, channel="google_play")
    before = triaged(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        burst(app, "wnegative late")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one("#text", Input).value == "negative late"
        await pilot.press("escape")
        await settle(app, pilot)
        inbox = inbox_of(app)
        inbox.apply_query(inbox.query_state.with_changes(view="all", ids=(target,)))
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        burst(app, "EBien ")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one("#text").text == "Bien Merci !"
    assert triaged(demo_db) == before
