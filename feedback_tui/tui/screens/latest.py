"""A read-only list of the latest reviews with their scores.

The data core's stand-in for the inbox: it proves the store, the sentiment
and the worker pattern end to end.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from feedback_tui.store import Store
from feedback_tui.store.queries import latest_reviews
from feedback_tui.tui.safe_text import plain

SENTIMENT_STYLES = {"positive": "green", "neutral": "yellow", "negative": "red"}


class LatestScreen(Screen[None]):
    """The latest 200 reviews, newest first."""

    class Loaded(Message):
        def __init__(self, rows: list[dict[str, Any]]) -> None:
            self.rows = rows
            super().__init__()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading reviews…", id="status-line")
        yield DataTable(id="reviews", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Date", "Source", "Stars", "Sentiment", "Author", "Review", "Replied")
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="db", description="Loading reviews")
    def load(self) -> None:
        with Store.open(self.app.db_path) as store:  # type: ignore[attr-defined]
            rows = latest_reviews(store)
        self.post_message(self.Loaded(rows))

    def on_latest_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in message.rows:
            stars = "★" * (row["rating"] or 0) if row["rating"] else "—"
            sentiment = row["sentiment"] or "—"
            table.add_row(
                row["created_at"][:10],
                plain(row["source"]),
                stars,
                Text(sentiment, style=SENTIMENT_STYLES.get(sentiment, "")),
                plain(row["author"], single_line=True),
                plain((row["title"] + " — " if row["title"] else "") + row["body"], single_line=True),
                "✓" if row["replied"] else "",
                key=str(row["id"]),
            )
        self.query_one("#status-line", Static).update(f"{len(message.rows)} latest reviews")
