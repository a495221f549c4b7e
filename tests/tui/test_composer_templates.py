"""Composer templates and drafts: nothing an agent typed or chose is lost, and a
French reply says nothing in English (issue 16).

The real app on a copy of the demo database, driven with Pilot; what is stored
is read back through a plain sqlite3 connection.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, OptionList, TextArea

from feedback_tui.config import Config
from feedback_tui.store import Store
from feedback_tui.store import replies as reply_store
from feedback_tui.store import triage
from feedback_tui.tui.dialogs import ChoiceDialog
from feedback_tui.tui.screens.composer import ComposerScreen
from feedback_tui.tui.screens.inbox import InboxScreen
from feedback_tui.tui.screens.templates import TemplateDialog, TemplatesScreen
from test_composer import (AGENT, agent_replies, drafts, editor, first_id, make_app, open_composer, rows,
                           show_review, type_text, wait_for_draft, widget_text)
from tui_helpers import SIZE, notifications, settle

ENGLISH_FALLBACKS = {"there", "our", "the", "from", "team", "app", "store", "service"}


async def pick_template(app: Any, pilot: Any, name: str) -> None:
    await pilot.press("ctrl+t")
    await settle(app, pilot)
    assert isinstance(app.screen, ChoiceDialog)
    options = app.screen.query_one(OptionList)
    labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    index = next(i for i, label in enumerate(labels) if label.startswith(name))
    await pilot.press("home", *["down"] * index, "enter")
    await settle(app, pilot)


def picker_labels(app: Any) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_a_french_review_without_author_sent_as_proposed_has_no_english_and_no_brace(demo_db: Path) -> None:
    """The acceptance test of issue 16: seed the review, send the proposed template unchanged."""
    with Store.open(demo_db, migrate=False) as store, store.write() as conn:
        target = conn.execute("SELECT id FROM reviews WHERE language = 'fr' AND rating = 5 "
                              "AND status IN ('new', 'open') ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE reviews SET author = NULL, product = 'com.example.shop' WHERE id = ?", (target,))
    app = make_app(demo_db, Config(company="Panier"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        assert editor(app).text.startswith("Bonjour, merci beaucoup")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
    [reply] = agent_replies(demo_db, target)
    words = set(re.findall(r"[\w.]+", reply["text"].lower()))
    assert "{" not in reply["text"] and "}" not in reply["text"]
    assert not words & (ENGLISH_FALLBACKS - {"service"}), reply["text"]  # "le service" is French
    assert "com.example.shop" not in reply["text"] and "sur Shop !" in reply["text"]
    assert reply["text"].endswith(f"{AGENT}, Panier")


async def test_the_picker_marks_a_template_in_another_language(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'fr'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        labels = picker_labels(app)
        assert any(label.startswith("Thanks (EN)") and "⚠ not fr" in label for label in labels)
        assert not any(label.startswith("Merci (FR)") and "⚠" in label for label in labels)


async def test_ctrl_t_over_typed_text_asks_and_ctrl_z_brings_the_text_back(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        area = editor(app)
        area.select_all()
        await type_text(pilot, "Thanks a lot, see you")
        typed = area.text
        assert typed == "Thanks a lot, see you"

        await pick_template(app, pilot, "Follow-up (EN)")
        assert isinstance(app.screen, ChoiceDialog), "typed text is not replaced without asking"
        assert [label.split(" (")[0] for label in picker_labels(app)] == ["Replace it", "Insert at the cursor",
                                                                          "Cancel"]
        await pilot.press("home", "down", "down", "enter")  # cancel
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen) and area.text == typed

        await pick_template(app, pilot, "Follow-up (EN)")
        await pilot.press("home", "enter")  # replace
        await settle(app, pilot)
        assert area.text.startswith("Hi ") and "thanks for your feedback" in area.text
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert area.text == typed, "one ctrl+z brings the typed text back"
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert "thanks for your feedback" in area.text, "and ctrl+y redoes it"
        await pilot.press("ctrl+z")
        await settle(app, pilot)

        area.move_cursor(area.document.end)
        await pick_template(app, pilot, "Follow-up (EN)")
        await pilot.press("home", "down", "enter")  # insert at the cursor
        await settle(app, pilot)
        assert area.text.startswith(typed + "Hi ") and "thanks for your feedback" in area.text
        await wait_for_draft(demo_db, target, pilot)
    assert drafts(demo_db, target)[0]["text"].startswith(typed)


async def test_a_template_picked_then_escape_is_kept_as_a_draft(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await pick_template(app, pilot, "Follow-up (EN)")
        filled = editor(app).text
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        await app.workers.wait_for_complete()
    assert [d["text"] for d in drafts(demo_db, target)] == [filled]


async def test_an_answered_question_then_escape_is_kept_as_a_draft(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 1 AND language = 'fr'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target, answer="AB-12")
        await pilot.press("escape")
        await settle(app, pilot)
        await app.workers.wait_for_complete()
    [draft] = drafts(demo_db, target)
    assert "le dossier AB-12 pour" in draft["text"]


async def test_after_the_other_agent_warning_escape_keeps_the_reply(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'fr'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        proposed = editor(app).text  # untouched: sent as proposed
        with Store.open(demo_db, migrate=False) as store:
            reply_store.add_reply(store, target, "Merci de Bob", "bob")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ComposerScreen)
        assert "escape keeps it as a draft" in widget_text(app.screen, "#composer-warning")
        await pilot.press("escape")
        await settle(app, pilot)
        await app.workers.wait_for_complete()
    assert [d["text"] for d in drafts(demo_db, target) if d["agent"] == AGENT] == [proposed]


async def test_the_untouched_proposal_is_not_a_draft_and_escape_says_so(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await pilot.press("escape")
        await settle(app, pilot)
        assert "no draft kept" in notifications(app)[-1]
        await app.workers.wait_for_complete()
    assert drafts(demo_db, target) == []


async def test_quitting_from_the_composer_keeps_the_last_keystrokes(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await type_text(pilot, " PS")
        await app.action_quit()  # before the half-second draft timer
    assert [d["text"] for d in drafts(demo_db, target)][0].endswith(" PS")



# -- the Templates screen ---------------------------------------------------------------------------------------
async def open_templates(app: Any, pilot: Any) -> Any:
    await settle(app, pilot)
    await pilot.press("T")
    await settle(app, pilot)
    assert isinstance(app.screen, TemplatesScreen)
    return app.screen.query_one(DataTable)


def cursor_name(app: Any) -> str:
    return str(app.screen._current()["name"])


async def test_templates_screen_moves_with_j_k_g_G_and_stays_on_the_edited_row(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_templates(app, pilot)
        names = [row["name"] for row in app.screen.rows]
        await pilot.press("j", "j")
        assert table.cursor_row == 2 and cursor_name(app) == names[2]
        await pilot.press("k")
        assert cursor_name(app) == names[1]
        await pilot.press("G")
        assert cursor_name(app) == names[-1]
        await pilot.press("g")
        assert cursor_name(app) == names[0]

        await pilot.press("j", "j", "j", "e")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplateDialog)
        app.screen.query_one("#body", TextArea).load_text("Edited {author}")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
        assert cursor_name(app) == names[3], "the cursor stays on the edited row"
        assert rows(demo_db, "SELECT body FROM templates WHERE name = ?", (names[3],))[0]["body"] == "Edited {author}"


async def test_a_built_in_template_is_not_deleted_but_can_be_reset(demo_db: Path) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_templates(app, pilot)
        name = cursor_name(app)
        shipped = rows(demo_db, "SELECT body FROM templates WHERE name = ?", (name,))[0]["body"]
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen), "no confirmation for what is refused"
        assert "built-in template: it cannot be deleted" in notifications(app)[-1]
        assert len(rows(demo_db, "SELECT * FROM templates WHERE name = ?", (name,))) == 1

        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one("#body", TextArea).load_text("Team text")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("home", "down", "enter")
        await settle(app, pilot)
        assert rows(demo_db, "SELECT body FROM templates WHERE name = ?", (name,))[0]["body"] == shipped
        assert cursor_name(app) == name


async def test_a_deleted_template_comes_back_with_u(demo_db: Path) -> None:
    with Store.open(demo_db, migrate=False) as store:
        reply_store.save_template(store, "Zut (FR)", "fr", "negative", "Zut {author} !")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_templates(app, pilot)
        index = next(i for i, row in enumerate(app.screen.rows) if row["name"] == "Zut (FR)")
        table.move_cursor(row=index)
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("home", "enter")  # "No, keep it"
        await settle(app, pilot)
        assert len(rows(demo_db, "SELECT * FROM templates WHERE name = 'Zut (FR)'")) == 1
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("home", "down", "enter")
        await settle(app, pilot)
        assert rows(demo_db, "SELECT * FROM templates WHERE name = 'Zut (FR)'") == []
        await pilot.press("u")
        await settle(app, pilot)
        assert [r["body"] for r in rows(demo_db, "SELECT * FROM templates WHERE name = 'Zut (FR)'")] == ["Zut {author} !"]
        assert cursor_name(app) == "Zut (FR)"


# -- undo and status rules ----------------------------------------------------------------------------------------
async def test_u_right_after_sending_undoes_the_reply_not_an_older_assignment(demo_db: Path) -> None:
    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    elsewhere = [r["id"] for r in rows(demo_db, "SELECT id FROM reviews WHERE id != ? AND assignee IS NULL "
                                                "ORDER BY id LIMIT 2", (target,))]
    with Store.open(demo_db, migrate=False) as store:
        triage.assign(store, elsewhere, AGENT, AGENT)  # minutes earlier, now off-screen
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen)
        assert rows(demo_db, "SELECT has_reply FROM reviews WHERE id = ?", (target,))[0]["has_reply"] == 1
        await pilot.press("u")
        await settle(app, pilot)
        assert any(m.startswith("Undone: reply to '") for m in notifications(app))
    assert rows(demo_db, "SELECT has_reply, status FROM reviews WHERE id = ?", (target,))[0]["has_reply"] == 0
    assert [r["withdrawn_at"] is not None for r in agent_replies(demo_db, target)] == [True]
    assert {r["assignee"] for r in rows(demo_db, f"SELECT assignee FROM reviews WHERE id IN ({elsewhere[0]}, "
                                                 f"{elsewhere[1]})")} == {AGENT}


async def test_m_replied_is_refused_for_a_review_with_no_reply(demo_db: Path) -> None:
    target = first_id(demo_db, "has_reply = 0")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await show_review(app, pilot, target)
        await pilot.press("m")
        await settle(app, pilot)
        labels = picker_labels(app)
        await pilot.press("home", *["down"] * labels.index("replied"), "enter")
        await settle(app, pilot)
        assert "not marked replied: this review has no reply" in notifications(app)[-1]
    assert rows(demo_db, "SELECT status FROM reviews WHERE id = ?", (target,))[0]["status"] != "replied"


async def test_question_mark_is_typed_in_the_reply_and_f1_shows_the_keys(demo_db: Path) -> None:
    from feedback_tui.tui.screens.help import HelpScreen

    target = first_id(demo_db, "rating = 5 AND language = 'en'")
    app = make_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_composer(app, pilot, target)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert editor(app).text.endswith("?")
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
