"""The reply composer, driven with Textual's Pilot on a copy of the demo database.

Each test runs the real app, presses the keys an agent would press, and
checks both the screen and what was committed to SQLite (through another
connection, as another process would see it). Delivery goes to a real local
HTTP server (pytest-httpserver).
"""

from __future__ import annotations

import io
import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from rich.console import Console
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from feedback_tui import reply_rules
from feedback_tui.cli import cli
from dataclasses import replace

from feedback_tui.config import Config
from feedback_tui.store import Store
from feedback_tui.store import replies as reply_store
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.dialogs import ChoiceDialog, TextPrompt
from feedback_tui.tui.screens.composer import ComposerScreen
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.tui.screens.review import ReviewScreen
from feedback_tui.tui.screens.templates import TemplateDialog, TemplatesScreen
from tui_helpers import SIZE, inbox_of, notifications, review, review_list, row_line, screen_text, settle

AGENT = "camille"
ORDER = "AB-4521"  # the case number an agent types into the apology's {?…}
TESTS = Path(__file__).resolve().parent


def make_app(path: Path, config: Config | None = None, agent: str = AGENT, watch: bool = False) -> FeedbackApp:
    # Sent at once: the grace period has its own tests (test_held_reply.py).
    config = replace(config or Config(), send_grace_seconds=0)
    return FeedbackApp(db_path=path, agent=agent, config=config, watch=watch)


def rows(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, Any]]:
    """Read with a plain sqlite3 connection of our own: what another process would see."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


def agent_replies(path: Path, review_id: int) -> list[dict[str, Any]]:
    return rows(path, "SELECT * FROM replies WHERE review_id = ? AND origin = 'agent' ORDER BY id", (review_id,))


def drafts(path: Path, review_id: int) -> list[dict[str, Any]]:
    return rows(path, "SELECT * FROM drafts WHERE review_id = ?", (review_id,))


def template_body(path: Path, name: str) -> str:
    return str(rows(path, "SELECT body FROM templates WHERE name = ?", (name,))[0]["body"])


def first_id(path: Path, where: str) -> int:
    """The first review of the "Needs reply" order matching ``where``."""
    found = rows(path, f"SELECT id FROM reviews WHERE status IN ('new', 'open', 'outdated') AND {where} "
                       "ORDER BY is_negative DESC, created_at, id LIMIT 1")
    assert found, f"the demo data has no review with {where}: adapt this test"
    return int(found[0]["id"])


def composer(app: FeedbackApp) -> ComposerScreen:
    screen = next((s for s in app.screen_stack if isinstance(s, ComposerScreen)), None)
    assert screen is not None, f"no composer open: {app.screen_stack}"
    return screen


def editor(app: FeedbackApp) -> TextArea:
    return composer(app).query_one("#reply", TextArea)


def widget_text(screen: Any, selector: str) -> str:
    """The plain text a Static shows (a Text, or a Group of them)."""
    content = screen.query_one(selector, Static).content
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(content)
    return console.export_text()


async def show_review(app: FeedbackApp, pilot: Any, review_id: int) -> None:
    """Narrow the inbox to one review (as a dashboard drill-down does) with the cursor on it."""
    inbox = inbox_of(app)
    inbox.apply_query(inbox.query_state.with_changes(view="all", ids=(review_id,)))
    await settle(app, pilot)
    row = review_list(app).current_row
    assert row is not None and row.id == review_id


async def open_composer(app: FeedbackApp, pilot: Any, review_id: int, answer: str | None = None) -> None:
    """``r`` on the review; answer the template's question if one is asked."""
    await show_review(app, pilot, review_id)
    await pilot.press("r")
    await settle(app, pilot)
    if isinstance(app.screen, TextPrompt):
        assert answer is not None, "the suggested template asks a question"
        await type_text(pilot, answer)
        await pilot.press("enter")
        await settle(app, pilot)
    assert isinstance(app.screen, ComposerScreen)
    assert composer(app).review_id == review_id


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


async def paste(app: FeedbackApp, pilot: Any, text: str, replace: bool = True) -> None:
    """What the terminal driver sends when the agent pastes (replacing the whole reply if ``replace``)."""
    area = editor(app)
    assert app.focused is area
    if replace:
        area.select_all()
    app.post_message(events.Paste(text))  # the app forwards it to the focused widget
    await pilot.pause()


async def wait_for_draft(path: Path, review_id: int, pilot: Any, text: str | None = None,
                         patience: float = 30.0) -> list[dict[str, Any]]:
    """The review's drafts once one is committed (read from another connection), with
    `text` when given. `patience` only bounds a hung run: how soon the save lands (0.5 s
    after the last key) is the composer's DRAFT_DELAY, not a figure a loaded CI can time."""
    start = time.monotonic()
    while time.monotonic() - start < patience:
        found = drafts(path, review_id)
        if found and (text is None or found[0]["text"] == text):
            return found
        await pilot.pause(0.05)
    raise AssertionError(f"no draft{' with that text' if text else ''} on disk after {patience} s")


def score_json(path: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--db", str(path), "score", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# -- the acceptance flow -------------------------------------------------------------------------------
async def test_acceptance_french_one_star_reply_raises_the_response_rate(demo_db: Path) -> None:
    """Issue #4: a 1-star French review, ``r``, the French negative template with its
    question answered, ``ctrl+s``; ``score --json`` counts one more reply."""
    before = score_json(demo_db)["responses"]
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        inbox = inbox_of(app)
        # the filter panel's "language fr, rating 1 to 1" (the panel itself is tested in test_inbox.py)
        inbox.apply_query(inbox.query_state.with_changes(language="fr", min_rating=1, max_rating=1))
        await settle(app, pilot)
        row = review_list(app).current_row
        assert row is not None and (row.rating, row.language) == (1, "fr")
        target = dict(review(demo_db, row.id))

        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt), "the French template asks for the case number"
        assert "numéro de dossier ?" in screen_text(app)  # French typography: a space before "?"
        await type_text(pilot, ORDER)
        await pilot.press("enter")
        await settle(app, pilot)

        assert isinstance(app.screen, ComposerScreen)
        area = editor(app)
        assert app.focused is area, "the agent can type at once"
        expected = reply_rules.fill(template_body(demo_db, "Excuses (FR)"), target, AGENT,
                                    {"numéro de dossier": ORDER}, language="fr")
        assert area.text == expected
        greeting = f"Bonjour {target['author']}," if target["author"] else "Bonjour,"
        assert area.text.startswith(f"{greeting} nous sommes désolés")
        assert f"le dossier {ORDER} pour" in area.text and "{" not in area.text and area.text.endswith(AGENT)
        assert "Template: Excuses (FR)" in widget_text(composer(app), "#composer-info")
        assert target["title"] and target["title"] in screen_text(app), "the review is shown above the reply"

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen), "sending closes the composer"
        assert any("Reply saved" in m for m in notifications(app))

    stored = agent_replies(demo_db, target["id"])
    assert len(stored) == 1
    reply = stored[0]
    assert (reply["text"], reply["agent"], reply["template"], reply["channel"], reply["delivery_status"]) == (
        expected, AGENT, "Excuses (FR)", target["source"], "local")
    after_review = review(demo_db, target["id"])
    assert (after_review["status"], after_review["has_reply"]) == ("replied", 1)
    assert after_review["first_reply_at"] == reply["created_at"]
    assert drafts(demo_db, target["id"]) == []

    after = score_json(demo_db)["responses"]
    assert after["reviews"] == before["reviews"]
    assert after["replied"] == before["replied"] + 1
    assert after["rate"] == round(100 * after["replied"] / after["reviews"], 1) > before["rate"]
    assert after["negative_rate"] > before["negative_rate"]
    assert after["positive_rate"] == before["positive_rate"]
    agents = {s["segment"]: s["responses"] for s in score_json(demo_db, "--segment", "agent")["segments"]}
    assert agents[AGENT]["replied"] == 1


async def test_reply_from_the_review_screen(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await show_review(app, pilot, target)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen) and app.screen.review_id == target
        assert editor(app).text.startswith("Hi ") and "thank you for taking the time" in editor(app).text
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen), "escape goes back where the agent came from"


# -- limits -----------------------------------------------------------------------------------------------
async def test_a_400_character_google_play_reply_is_refused_naming_the_limit(demo_db: Path) -> None:
    target = first_id(demo_db, "source = 'google_play'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target, answer=ORDER)
        await paste(app, pilot, "Merci " + "x" * 394)
        assert len(editor(app).text) == 400
        info = widget_text(composer(app), "#composer-info")
        assert "400/350 characters" in info and "50 over the google_play limit" in info

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen), "refused: the composer stays open"
        refusal = notifications(app)[-1]
        assert "Not sent" in refusal and "google_play" in refusal and "350" in refusal and "400" in refusal
        assert agent_replies(demo_db, target) == []
        assert review(demo_db, target)["status"] in ("new", "open")

        await paste(app, pilot, "Merci " + "x" * 344)  # exactly 350: allowed
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
    assert [len(r["text"]) for r in agent_replies(demo_db, target)] == [350]


async def test_a_configured_limit_and_no_limit(demo_db: Path) -> None:
    limited = first_id(demo_db, "source = 'trustpilot' AND rating = 5")
    unlimited = first_id(demo_db, "source = 'google_play' AND rating = 5")
    config = Config(limits={"trustpilot": {"max": 20, "unit": "bytes"}, "google_play": {"max": None}})
    app = make_app(demo_db, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, limited)
        await paste(app, pilot, "Merci beaucoup, été !")  # 21 characters, 23 bytes
        assert "23/20 bytes" in widget_text(composer(app), "#composer-info")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "trustpilot replies are limited to 20 bytes; this one has 23" in notifications(app)[-1]
        assert agent_replies(demo_db, limited) == []
        await pilot.press("escape")
        await settle(app, pilot)

        await open_composer(app, pilot, unlimited)  # the config removed Google Play's default limit
        await paste(app, pilot, "y" * 5000)
        assert "5000 characters (no limit for google_play)" in widget_text(composer(app), "#composer-info")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
    assert [len(r["text"]) for r in agent_replies(demo_db, unlimited)] == [5000]


async def test_an_unanswered_question_or_an_empty_reply_is_refused(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 1 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await show_review(app, pilot, target)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("escape")  # the agent skips the question
        await settle(app, pilot)
        assert "case {?case number} to fix" in editor(app).text
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "fill in the placeholder {?case number} first" in notifications(app)[-1]
        await paste(app, pilot, "   ")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "the reply is empty" in notifications(app)[-1]
        assert isinstance(app.screen, ComposerScreen)
    assert agent_replies(demo_db, target) == []


# -- templates ----------------------------------------------------------------------------------------------
async def test_ctrl_t_switches_the_template(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    with Store.open(demo_db, migrate=False) as store:  # one made by an agent: offered with the shipped ones
        reply_store.save_template(store, "Zut (FR)", "fr", "negative", "Zut {author}, {?quoi} ?")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        detail = review(demo_db, target)
        assert editor(app).text == reply_rules.fill(template_body(demo_db, "Thanks (EN)"), detail, AGENT)

        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceDialog)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(labels) == 7 and any("Suivi (FR)  ·  fr · neutral" in label for label in labels)
        assert any(label.startswith("Zut (FR)") for label in labels)
        target_index = next(i for i, label in enumerate(labels) if label.startswith("Suivi (FR)"))
        await pilot.press("home", *["down"] * target_index, "enter")
        await settle(app, pilot)

        assert isinstance(app.screen, ComposerScreen)
        assert app.focused is editor(app)
        assert editor(app).text == reply_rules.fill(template_body(demo_db, "Suivi (FR)"), detail, AGENT,
                                                    language="fr")
        assert "Template: Suivi (FR)" in widget_text(composer(app), "#composer-info")

        # a template with a question asks it
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        labels = [str(options.prompt) for options in app.screen.query_one(OptionList)._options]
        index = next(i for i, label in enumerate(labels) if label.startswith("Apology (EN)"))
        await pilot.press("home", *["down"] * index, "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "A 12")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "case A 12 to fix" in editor(app).text and editor(app).text.startswith(f"Hi {detail['author']}, we're sorry")

        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert [r["template"] for r in agent_replies(demo_db, target)] == ["Apology (EN)"]


async def test_templates_screen_create_edit_delete(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 6

        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplateDialog)
        await type_text(pilot, "Late delivery")
        await pilot.press("tab", "ctrl+a")  # the language field: replace "en"
        app.screen.query_one("#language", Input).value = ""
        await type_text(pilot, "fr")
        await pilot.press("tab", "tab")  # past the tone, into the text
        assert isinstance(app.focused, TextArea)
        app.post_message(events.Paste("Bonjour {author}, votre commande {?commande} arrive."))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
        created = rows(demo_db, "SELECT * FROM templates WHERE name = 'Late delivery'")
        assert [(t["language"], t["tone"], t["body"], t["builtin"]) for t in created] == [
            ("fr", "neutral", "Bonjour {author}, votre commande {?commande} arrive.", 0)]
        assert table.row_count == 7

        # edit: the cursor on the new row, e, change the text
        index = next(i for i, row in enumerate(app.screen.rows) if row["name"] == "Late delivery")
        table.move_cursor(row=index)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplateDialog)
        assert sum(isinstance(s, TemplateDialog) for s in app.screen_stack) == 1, "one dialog per enter"
        assert app.screen.query_one("#name", Input).value == "Late delivery"
        body = app.screen.query_one("#body", TextArea)
        assert body.text == created[0]["body"]
        body.focus()
        await pilot.press("ctrl+e")  # end of the line
        await type_text(pilot, " Merci !")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        edited = rows(demo_db, "SELECT body FROM templates WHERE name = 'Late delivery'")
        assert [t["body"] for t in edited] == ["Bonjour {author}, votre commande {?commande} arrive. Merci !"]

        # a duplicate name is refused with a message, nothing changes
        await pilot.press("n")
        await settle(app, pilot)
        await type_text(pilot, "Thanks (EN)")
        app.screen.query_one("#body", TextArea).load_text("dup")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "a template named 'Thanks (EN)' already exists" in notifications(app)[-1]
        assert rows(demo_db, "SELECT count(*) AS n FROM templates")[0]["n"] == 7

        # delete
        index = next(i for i, row in enumerate(app.screen.rows) if row["name"] == "Late delivery")
        table.move_cursor(row=index)
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceDialog), "delete asks first"
        assert rows(demo_db, "SELECT count(*) AS n FROM templates WHERE name = 'Late delivery'")[0]["n"] == 1
        await pilot.press("home", "down", "enter")
        await settle(app, pilot)
        assert rows(demo_db, "SELECT * FROM templates WHERE name = 'Late delivery'") == []
        assert table.row_count == 6
        assert "u puts it back" in notifications(app)[-1]
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)


# -- drafts ----------------------------------------------------------------------------------------------------
async def test_draft_is_on_disk_while_the_composer_is_still_open(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        proposed = editor(app).text
        await type_text(pilot, " PS: see you")
        saved = await wait_for_draft(demo_db, target, pilot, text=proposed + " PS: see you")
        assert [(d["agent"], d["text"], d["template"]) for d in saved] == [
            (AGENT, proposed + " PS: see you", "Thanks (EN)")]
        assert isinstance(app.screen, ComposerScreen), "saved while the composer is still open"


async def test_opening_and_closing_without_typing_leaves_no_draft(demo_db: Path) -> None:
    """Only what the agent wrote is a draft: a peek must not mark the review ✎ for everyone."""
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await pilot.press("ctrl+r")  # nothing was sent: nothing to retry
        await pilot.pause(0.8)
        await settle(app, pilot)
        assert "No reply waits for delivery here." in notifications(app)[-1]
        assert drafts(demo_db, target) == []
        await pilot.press("escape")
        await settle(app, pilot)
        assert drafts(demo_db, target) == []


async def test_draft_survives_closing_and_an_app_restart_and_marks_the_inbox(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await paste(app, pilot, "Dear customer, thank you so much")
        await pilot.press("escape")  # at once: the save on leaving, not the debounce
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        assert [d["text"] for d in drafts(demo_db, target)] == ["Dear customer, thank you so much"]

    # a new app on the same file: a restart (watching the file, as the real app does)
    app = make_app(demo_db, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await show_review(app, pilot, target)
        line = row_line(review_list(app), 0)
        assert "✎" in line, line
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen), "a draft is resumed: no template question asked"
        assert editor(app).text == "Dear customer, thank you so much"
        assert app.focused is editor(app)
        assert editor(app).cursor_location == editor(app).document.end, "typing continues at the end"
        assert "Your draft was restored." in notifications(app)
        assert "Template: Thanks (EN)" in widget_text(composer(app), "#composer-info")

        await type_text(pilot, "!")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert drafts(demo_db, target) == [], "sending drops the draft"
        for _ in range(30):  # the watcher sees the commit within a second and the row is redrawn
            line = row_line(review_list(app), 0)
            if "↩" in line:
                break
            await pilot.pause(0.1)
            await settle(app, pilot)
        assert "↩" in line and "✎" not in line, line
    assert [r["text"] for r in agent_replies(demo_db, target)] == ["Dear customer, thank you so much!"]


async def test_sending_right_after_typing_leaves_no_stale_draft(demo_db: Path) -> None:
    """ctrl+s within the debounce delay: the pending draft save must not bring the draft back."""
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await type_text(pilot, "!!")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.pause(0.8)
        await settle(app, pilot)
    assert len(agent_replies(demo_db, target)) == 1
    assert drafts(demo_db, target) == []


async def test_keys_typed_just_before_ctrl_s_are_in_the_sent_reply(demo_db: Path) -> None:
    """A burst of keys then ctrl+s with no pause between them, as a fast typist or a
    terminal sends them: ctrl+s is a priority binding, handled by the app before the
    editor has processed the keys queued ahead of it, and it used to send the text
    without them (found in tmux and in the browser)."""
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        before = editor(app).text
        burst = " Thanks a lot, see you soon"
        for char in burst:  # posted at once: nothing waits for the editor in between
            app.post_message(events.Key(char, char))
        app.post_message(events.Key("ctrl+s", None))
        await settle(app, pilot)
        await pilot.pause(0.3)
        await settle(app, pilot)
    sent = agent_replies(demo_db, target)
    assert len(sent) == 1
    assert sent[0]["text"].endswith("see you soon"), sent[0]["text"][-60:]
    assert before.strip() in sent[0]["text"]


async def test_a_new_template_typed_just_before_ctrl_s_is_saved_whole(demo_db: Path) -> None:
    """The Templates dialog's ctrl+s is a priority binding too: a name typed in one
    burst with it, no pause, is saved with its last letters."""
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplateDialog) and app.focused is app.screen.query_one("#name", Input)
        app.screen.query_one("#body", TextArea).text = "Thank you {author}!"
        for char in "Quick thanks":  # posted at once: nothing waits for the input in between
            app.post_message(events.Key(char if char != " " else "space", char))
        app.post_message(events.Key("ctrl+s", None))
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
    assert [t["name"] for t in rows(demo_db, "SELECT name FROM templates WHERE builtin = 0")] == ["Quick thanks"]


KILL_SCRIPT = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from tui_helpers import SIZE, settle
    from test_composer import make_app, open_composer, type_text

    async def main():
        app = make_app(Path(sys.argv[1]))
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await open_composer(app, pilot, int(sys.argv[2]))
            await type_text(pilot, " typed before the crash")
            print("typed", flush=True)
            await asyncio.sleep(60)  # still running, still typing: the parent kills us

    asyncio.run(main())
""")


def test_a_draft_survives_kill_9(demo_db: Path) -> None:
    """The real app in a child process (headless, driven by Pilot): the agent types,
    then the process is killed with SIGKILL, so no exit handler, no "save on
    leaving" and no flush runs. The draft must already be committed to the
    SQLite file, while the app still runs (0.5 s after the last keystroke), read by this (another)
    process; a new app on the file resumes it.
    """
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS.parent), str(TESTS.parents[1])])}
    child = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(demo_db), str(target), str(TESTS)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 30)
        assert ready, "the app in the child process did not start within 30 s"
        line = child.stdout.readline()
        assert line.strip() == "typed", child.stderr.read() if child.stderr else line
        typed_at = time.monotonic()
        found = None
        while time.monotonic() - typed_at < 30 and child.poll() is None:  # a bound for a hung run only
            found = drafts(demo_db, target)
            if found and found[0]["text"].endswith(" typed before the crash"):
                break
            time.sleep(0.02)
        assert found, "the draft was not on disk while the app ran"
        assert child.poll() is None, "the app was still running when the draft was read"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL

    saved = drafts(demo_db, target)
    assert len(saved) == 1 and saved[0]["text"].endswith(" typed before the crash")
    assert saved[0]["agent"] == AGENT

    async def reopen() -> str:
        app = make_app(demo_db)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await open_composer(app, pilot, target)
            return editor(app).text

    import asyncio

    assert asyncio.run(reopen()) == saved[0]["text"]


# -- two agents -----------------------------------------------------------------------------------------------
async def test_two_agents_warning_then_second_ctrl_s_sends(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        warning = composer(app).query_one("#composer-warning", Static)
        assert not warning.display

        with Store.open(demo_db, migrate=False) as store:  # meanwhile, at another desk
            reply_store.add_reply(store, target, "Thanks from Bob, we're glad!", "bob")

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen), "not sent: the agent must read the other reply first"
        assert warning.display
        shown = widget_text(composer(app), "#composer-warning")
        assert "bob" in shown and "Thanks from Bob, we're glad!" in shown and "ctrl+s again" in shown
        assert "Someone else replied meanwhile" in notifications(app)[-1]
        assert [r["agent"] for r in agent_replies(demo_db, target)] == ["bob"]

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
    assert [r["agent"] for r in agent_replies(demo_db, target)] == ["bob", AGENT]


async def test_other_agents_drafts_before_and_after_opening(demo_db: Path) -> None:
    """A draft already there is shown on opening; one started meanwhile also holds the first ctrl+s."""
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    with Store.open(demo_db, migrate=False) as store:
        reply_store.save_draft(store, target, "bob", "Bob is writing")
        with store.write() as conn:
            conn.execute("UPDATE drafts SET updated_at = '2026-01-05T09:30:00Z' WHERE agent = 'bob'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        warning = composer(app).query_one("#composer-warning", Static)
        assert warning.display
        assert "bob has a draft (saved 2026-01-05 09:30)" in widget_text(composer(app), "#composer-warning")

        with Store.open(demo_db, migrate=False) as store:  # meanwhile, dee starts one
            reply_store.save_draft(store, target, "dee", "Dee is writing too")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen)
        shown = widget_text(composer(app), "#composer-warning")
        assert "dee has a draft" in shown and "bob" not in shown and "ctrl+s again sends yours anyway" in shown
        assert "Someone else started a draft meanwhile" in notifications(app)[-1]
        assert agent_replies(demo_db, target) == []

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
    assert [r["agent"] for r in agent_replies(demo_db, target)] == [AGENT]
    assert sorted(d["agent"] for d in drafts(demo_db, target)) == ["bob", "dee"], "their drafts are theirs"



# -- delivery -----------------------------------------------------------------------------------------------------
async def test_failed_delivery_is_kept_and_ctrl_r_retries(demo_db: Path, httpserver: HTTPServer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = first_id(demo_db, "source = 'trustpilot' AND rating = 5")
    monkeypatch.setenv("TP_REPLY_TOKEN", "tok-123")
    httpserver.expect_oneshot_request("/replies", method="POST").respond_with_data("down", status=500)
    httpserver.expect_oneshot_request("/replies", method="POST").respond_with_json({"ok": True})
    config = Config(sources={"trustpilot": {"reply_url": httpserver.url_for("/replies"),
                                            "reply_secret_env": "TP_REPLY_TOKEN", "reply_retries": 0,
                                            "reply_timeout": 5}})
    app = make_app(demo_db, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        text = editor(app).text
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        failed = agent_replies(demo_db, target)
        assert [(r["text"], r["delivery_status"], r["attempts"]) for r in failed] == [(text, "failed", 1)]
        assert "500" in failed[0]["delivery_error"] and "tok-123" not in failed[0]["delivery_error"]
        assert any("Delivery failed" in m and "ctrl+r" in m for m in notifications(app))
        assert review(demo_db, target)["status"] == "replied", "the reply is kept whatever the network does"

        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen)
        assert "failed" in widget_text(composer(app), "#composer-review-text")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert "Reply delivered." in notifications(app)[-1]
        await pilot.press("escape")
        await settle(app, pilot)

    sent = agent_replies(demo_db, target)
    assert [(r["delivery_status"], r["delivery_error"], r["attempts"]) for r in sent] == [("sent", None, 2)]
    assert drafts(demo_db, target) == [], "looking at a reply to retry it is no draft"
    payloads = [json.loads(request.get_data()) for request, _ in httpserver.log]
    assert len(payloads) == 2 and payloads[0] == payloads[1]
    assert payloads[0]["text"] == text and payloads[0]["agent"] == AGENT and payloads[0]["source"] == "trustpilot"
    assert all(request.headers["Authorization"] == "Bearer tok-123" for request, _ in httpserver.log)


# -- keys -----------------------------------------------------------------------------------------------------
async def test_composer_keys_tab_help_and_command_palette(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        area = editor(app)
        await pilot.press("tab")
        assert app.focused is not area, "tab leaves the reply (it does not type a tab)"
        assert "\t" not in area.text
        await pilot.press("shift+tab")
        assert app.focused is area

        commands = {command.title: command.help for command in app.get_system_commands(app.screen)}
        for title, key in (("Send", "ctrl+s"), ("Template", "ctrl+t"), ("Retry delivery", "ctrl+r"),
                           ("Close (draft kept)", "escape")):
            assert title in commands, title
            assert commands[title].startswith(f"key: {app.get_key_display(Binding(key, ''))}"), commands[title]

        app.action_help()  # "?" would be typed into the reply; the palette and the help screen list the keys
        await settle(app, pilot)
        text = screen_text(app)
        for label in ("Send", "Template", "Retry delivery", "Close (draft kept)", "composer.send"):
            assert label in text, label


async def test_escape_on_a_restored_draft_left_unchanged_keeps_it_and_says_so(demo_db: Path) -> None:
    """Reopening a stored draft and leaving without a keystroke: it is still the agent's draft,
    so escape must not say "no draft kept" (it used to, while the draft stayed on disk)."""
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await paste(app, pilot, "Thanks, we are on it")
        await pilot.press("escape")
        await settle(app, pilot)
        await open_composer(app, pilot, target)  # the draft comes back: no question asked
        assert editor(app).text == "Thanks, we are on it"
        await pilot.press("escape")
        await settle(app, pilot)
        await app.workers.wait_for_complete()
        assert isinstance(app.screen, InboxScreen)
        said = notifications(app)[-1]
        assert "no draft kept" not in said and "draft is kept" in said, said
    assert [d["text"] for d in drafts(demo_db, target)] == ["Thanks, we are on it"]
