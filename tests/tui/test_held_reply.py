"""The send grace period (issue 16, item 6): ctrl+s holds the reply, u takes it back.

The countdown is driven by calling the holder's own tick (what its one-second
interval calls), so the test waits for no clock.
"""

from __future__ import annotations

from pathlib import Path

from feedback_tui.config import Config
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.composer import ComposerScreen
from test_composer import AGENT, agent_replies, drafts, editor, first_id, open_composer, paste
from tui_helpers import SIZE, notifications, settle

TEXT = "Bonjour, merci pour votre retour, nous regardons votre commande."


async def test_a_sent_reply_waits_can_be_cancelled_with_u_and_is_stored_after_the_grace(demo_db: Path) -> None:
    review_id = first_id(demo_db, "rating >= 4")
    app = FeedbackApp(db_path=demo_db, agent=AGENT, config=Config(send_grace_seconds=10), watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.reply_holder.tick_seconds = 3600  # only the test's own ticks count down: no clock in the test
        subtitle = app.sub_title
        await open_composer(app, pilot, review_id)
        await paste(app, pilot, TEXT)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, ComposerScreen), "the composer closes at once"
        assert agent_replies(demo_db, review_id) == [], "held, not stored"
        assert [d["text"] for d in drafts(demo_db, review_id)] == [TEXT], "the text is safe as a draft"
        assert "sending in 10 s — u to cancel" in app.sub_title
        app.reply_holder._tick()
        assert "sending in 9 s — u to cancel" in app.sub_title

        await pilot.press("u")
        await settle(app, pilot)
        assert app.sub_title == subtitle
        assert any(n.startswith("Not sent: reply to ") and "r reopens it" in n for n in notifications(app))
        for _ in range(12):
            app.reply_holder._tick()
        await settle(app, pilot)
        assert agent_replies(demo_db, review_id) == [], "a cancelled reply never goes"
        assert [d["text"] for d in drafts(demo_db, review_id)] == [TEXT]

        await open_composer(app, pilot, review_id)
        assert editor(app).text == TEXT, "the draft comes back"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        for _ in range(10):
            app.reply_holder._tick()
        await settle(app, pilot)
        assert [r["text"] for r in agent_replies(demo_db, review_id)] == [TEXT]
        assert drafts(demo_db, review_id) == []
        assert app.sub_title == subtitle
        await pilot.press("u")  # now u undoes the stored reply, as before the grace period
        await settle(app, pilot)
        assert agent_replies(demo_db, review_id)[0]["withdrawn_at"] is not None


def test_the_grace_period_is_read_from_the_config(tmp_path: Path) -> None:
    from feedback_tui.config import load_config

    path = tmp_path / "config.toml"
    path.write_text("send_grace_seconds = 3\n", encoding="utf-8")
    assert load_config(path).send_grace_seconds == 3
    path.write_text("send_grace_seconds = -1\n", encoding="utf-8")
    loaded = load_config(path)
    assert loaded.send_grace_seconds == 10 and any("send_grace_seconds" in w for w in loaded.warnings)
    assert Config().send_grace_seconds == 10
