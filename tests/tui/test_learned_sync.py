"""Issue 17 in the app: a sync (``S``) that brings enough star-rated reviews trains the
sentiment model in the sync's worker (never on the UI thread).

A real local HTTP server serves one page of reviews; the config asks for a model from
20 labelled texts per class. After the sync the model is in the database, every
review of its language was rescored by it, and the toast says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from tui_helpers import SIZE, notifications, settle

from conftest import raw_rows
from feedback_tui.config import load_config
from feedback_tui.paths import CONFIG_ENV
from feedback_tui.store import Store
from feedback_tui.tui.app import FeedbackApp
from feedback_tui.tui.screens.inbox import InboxScreen

GOOD = ["Great app, I love the new design", "Works perfectly, fast and reliable", "Excellent support, thank you",
        "Brilliant, does exactly what I need", "Smooth and simple, highly recommended"]
BAD = ["Crashes every time I open it", "Terrible update, nothing loads anymore", "Refund never arrived, awful",
       "Useless, the login is broken again", "Slow and buggy, I want my money back"]


def page() -> dict[str, object]:
    """30 positive and 30 negative reviews, each text its own (a number and a weekday)."""
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    items = []
    for i in range(60):
        good = i % 2 == 0
        text = f"{(GOOD if good else BAD)[i // 2 % 5]} on {days[i // 10]}, order {i}"
        items.append({"id": f"r-{i}", "attributes": {"text": text, "stars": 5 if good else 1,
                                                      "date": f"2026-11-{i % 28 + 1:02d}T10:00:00Z"}})
    return {"data": items}


async def test_a_sync_with_enough_stars_trains_the_model_in_its_worker(
        httpserver: HTTPServer, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    httpserver.expect_request("/v1/reviews").respond_with_data(json.dumps(page()), content_type="application/json")
    path = tmp_path / "config.toml"
    path.write_text(f"""
languages = ["en"]

[sentiment]
model = "learned"
min_per_class = 20
retrain_after = 10

[sources.shop]
kind = "json"
url = "{httpserver.url_for('/v1/reviews')}"
items = "data"

[sources.shop.fields]
id = "id"
body = "attributes.text"
rating = "attributes.stars"
created_at = "attributes.date"
""", encoding="utf-8")
    path.chmod(0o600)
    monkeypatch.setenv(CONFIG_ENV, str(path))  # the app's sync reads its sources from the config file
    config = load_config(path)
    assert config.warnings == []
    Store.open(db_path).close()  # an empty workspace, migrated as the command line leaves it
    app = FeedbackApp(db_path=db_path, agent="camille", config=config, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("S")
        for _ in range(600):  # a bound for a hung run only: training 60 texts takes well under a second
            if any("Sentiment model trained" in n for n in notifications(app)):
                break
            await pilot.pause(0.05)
        trained = [n for n in notifications(app) if "Sentiment model trained" in n]
        assert trained, notifications(app)
        assert "shop: 60 fetched" in trained[0] and "en:" in trained[0]
        await settle(app, pilot)
        assert isinstance(app.screen, InboxScreen) and app.screen.total == 60  # the list took the new rows
    [model] = raw_rows(db_path, "SELECT id, language, n_positive, n_negative FROM sentiment_models")
    assert (model["language"], model["n_positive"], model["n_negative"]) == ("en", 30, 30)
    scored = raw_rows(db_path, "SELECT sentiment_model, sentiment, rating FROM reviews")
    assert len(scored) == 60 and all(row["sentiment_model"] == model["id"] for row in scored)
    assert all(row["sentiment"] == ("positive" if row["rating"] == 5 else "negative") for row in scored)
