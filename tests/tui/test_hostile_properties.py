"""Arbitrary text in every field of a review (Hypothesis): every screen and every
reporting CLI command shows it without one raw control character, and nothing crashes.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_no_crash
from feedback_tui.cli import cli
from feedback_tui.tui.app import FeedbackApp
from test_hostile_surfaces import Walker, assert_inert, press
from tui_helpers import SIZE, settle

# Any character at all (surrogates and NUL included), with the dangerous ones made frequent.
DANGEROUS = list("\x00\x07\x08\x0d\x1b\x7f\x85\x9b\x9c\x9d\u061c\u200b\u200e\u2028\u202a\u202e\u2066\u2069\ufeff"
                 "\ud800\udfff[]/@=\\{}?")
TEXT = st.text(alphabet=st.one_of(st.characters(codec=None), st.sampled_from(DANGEROUS)), max_size=40)
FIELDS = ("title", "body", "author", "product", "source", "language", "url", "reply", "agent")
REVIEW = st.fixed_dictionaries({name: TEXT for name in FIELDS})


def review_file(folder: Path, values: dict[str, str]) -> Path:
    replies = [{"text": "r" + values["reply"], "agent": "a" + values["agent"], "origin": "agent",
                "created_at": "2026-03-02T10:00:00Z", "delivery_status": "failed"}]
    row = {"id": "p-1", "rating": 2, "date": "2026-03-01T10:00:00Z", "title": values["title"],
           "body": "b" + values["body"], "author": values["author"], "product": values["product"],
           "source": values["source"], "language": values["language"], "url": values["url"],
           "replies": json.dumps(replies)}
    path = folder / "review.json"
    path.write_text(json.dumps([row]), encoding="utf-8")  # ASCII escapes: any text, surrogates too
    return path


COMMANDS = (("runs",), ("rejects",), ("score",), ("score", "--json", "--segment", "source"),
            ("score", "--segment", "product"), ("score", "--segment", "agent"),
            ("report", "--today", "2026-03-31"), ("report", "--format", "json", "--today", "2026-03-31"),
            ("export", "--format", "jsonl"))


async def walk_screens(db: Path) -> None:
    app = FeedbackApp(db_path=db, agent="camille", watch=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        walker = Walker(app)
        await settle(app, pilot)
        await press(app, pilot, "4")
        walker.check("inbox")
        await press(app, pilot, "enter")
        walker.check("review")
        await press(app, pilot, "r")
        walker.check("composer")
        while type(app.screen).__name__ != "InboxScreen":
            await press(app, pilot, "escape")
        await press(app, pilot, "d")
        walker.check("dashboard")
        await press(app, pilot, "b")
        walker.check("dashboard by product")


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=REVIEW)
def test_any_text_in_any_field_is_shown_without_a_raw_control(values: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "feedback.db"
        runner = CliRunner()
        result = runner.invoke(cli, ["--db", str(db), "import", str(review_file(Path(folder), values)),
                                     "--no-sentiment"])
        assert_no_crash(result)
        assert_inert(result.stdout + result.stderr, "import")
        for args in COMMANDS:
            result = runner.invoke(cli, ["--db", str(db), *args])
            assert_no_crash(result)
            assert_inert(result.stdout + result.stderr, " ".join(args))
            if "--json" in args or "json" in args:
                json.loads(result.stdout)
        asyncio.run(walk_screens(db))
