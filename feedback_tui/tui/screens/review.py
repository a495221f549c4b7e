"""One review in full: text, metadata, sentiment, tags, notes, replies, history.

``j``/``k`` move to the next/previous review of the inbox list without going
back to it; triage keys work here too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from feedback_tui.store import Store
from feedback_tui.store import replies as reply_store
from feedback_tui.store import triage
from feedback_tui.tui.dialogs import ChoiceDialog, TextPrompt
from feedback_tui.tui.safe_text import plain
from feedback_tui.tui.triage import TRIAGE_BINDINGS, ActionDone, TriageActions
from feedback_tui.tui.widgets.review_list import ReviewList, stars

SENTIMENT_STYLES = {"positive": "green", "neutral": "yellow", "negative": "red", "unknown": "dim"}


def _section(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def _size(characters: int) -> str:
    return f"{characters / 1_000_000:.1f} M characters" if characters >= 100_000 else f"{characters:,} characters"


def render_review(detail: dict[str, Any], kind: str) -> Group:
    """The review as Rich renderables built from plain text (never markup)."""
    parts: list[Any] = []
    head = Text()
    rating_text = stars({"rating": detail.get("rating") if kind == "reviews" else detail.get("score"),
                         "kind": detail.get("kind")})
    head.append(rating_text + "  ", style="yellow")
    head.append_text(plain(detail.get("source")))
    head.append("  ·  " + (detail.get("created_at") or "")[:16].replace("T", " ") + " UTC", style="dim")
    author = detail.get("author") if kind == "reviews" else detail.get("customer")
    head.append("  ·  ")
    head.append_text(plain(author or "anonymous", single_line=True))
    parts.append(head)
    meta = Text(style="dim")
    for label, key in (("language", "language"), ("product", "product"), ("status", "status"), ("assignee", "assignee"),
                       ("flags", "flags")):
        if detail.get(key):
            meta.append(f"{label}: ")
            meta.append_text(plain(str(detail[key]), single_line=True))
            meta.append("   ")
    parts.append(meta)
    label = detail.get("sentiment") or "not scored"
    polarity = detail.get("polarity")
    sentiment = Text("sentiment: ")
    sentiment.append(label, style=SENTIMENT_STYLES.get(label, ""))
    if polarity is not None:
        sentiment.append(f" (polarity {polarity:+.2f}, subjectivity {detail.get('subjectivity') or 0:.2f})", style="dim")
    parts.append(sentiment)
    if detail.get("tags"):
        tags = Text("tags: ")
        tags.append_text(plain(", ".join(detail["tags"])))
        parts.append(tags)
    if detail.get("title"):
        parts.append(Text(""))
        parts.append(plain(detail["title"], "bold"))
    parts.append(Text(""))
    text_key = "body" if kind == "reviews" else "comment"
    parts.append(plain(detail.get(text_key)))
    length = detail.get(f"{text_key}_length") or 0
    if length > len(detail.get(text_key) or ""):
        parts.append(Text(f"… cut here: the whole text has {length:,} characters ({_size(length)}); "
                          "x saves it to a file.", style="bold yellow"))
    if detail.get("url"):
        link = Text("source: ", style="dim")
        link.append_text(plain(detail["url"], "dim", single_line=True))
        parts.append(link)
    replies = detail.get("replies") or []
    parts.append(_section(f"Replies ({len(replies)})"))
    if not replies and kind == "reviews":
        parts.append(Text("No reply yet: r to answer.", style="dim"))
    for reply in replies:
        line = Text(f"{(reply.get('created_at') or 'date unknown')[:16].replace('T', ' ')} · ", style="dim")
        line.append_text(plain(reply.get("agent"), "dim", single_line=True))
        status = "withdrawn" if reply.get("withdrawn_at") else reply.get("delivery_status")
        line.append(f" · {status}", style="red" if status in ("failed", "withdrawn") else "dim")
        if reply.get("updated_at") and not reply.get("withdrawn_at"):
            line.append(f" · edited {reply['updated_at'][:16].replace('T', ' ')}", style="dim")
        parts.append(line)
        if reply.get("delivery_status") == "failed" and reply.get("delivery_error"):
            parts.append(plain(f"delivery failed: {reply['delivery_error']} (r, then ctrl+r retries)", "red"))
        parts.append(plain(reply.get("text"), "strike dim" if reply.get("withdrawn_at") else ""))
    notes = detail.get("notes") or []
    if notes:
        parts.append(_section(f"Internal notes ({len(notes)})"))
        for note in notes:
            line = Text(f"{note['created_at'][:16].replace('T', ' ')} · ", style="dim")
            line.append_text(plain(note["agent"], "dim", single_line=True))
            parts.append(line)
            parts.append(plain(note["text"]))
    history = detail.get("history") or []
    if history:
        parts.append(_section("Earlier versions"))
        for version in history:
            parts.append(Text(f"before {version['replaced_at'][:10]}: {version.get('rating') or '—'}★", style="dim"))
            parts.append(plain(version["body"], "dim"))
    return Group(*parts)


class ReviewScreen(TriageActions, Screen[None]):
    """The detail of the row under the inbox cursor."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="review.back"),
        Binding("j", "next", "Next", id="review.next"),
        Binding("k", "previous", "Previous", id="review.previous"),
        Binding("E", "edit_reply", "Edit my reply", id="review.edit_reply", show=False),
        Binding("W", "withdraw_reply", "Withdraw my reply", id="review.withdraw_reply", show=False),
        Binding("x", "save_text", "Save the whole text to a file", id="review.save_text", show=False),
        *TRIAGE_BINDINGS,
    ]

    class Loaded(Message):
        def __init__(self, row_id: int, detail: dict[str, Any] | None) -> None:
            self.row_id = row_id
            self.detail = detail
            super().__init__()

    def __init__(self, review_list: ReviewList, kind: str) -> None:
        super().__init__()
        self.review_list = review_list
        self.kind = kind
        self.row_id: int | None = None
        self.detail: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail-scroll"):
            yield Static(Text("Loading…", style="dim"), id="detail")
        yield Footer()

    def on_mount(self) -> None:
        row = self.review_list.current_row
        if row is not None:
            self.show_row(row)
        self.query_one("#detail-scroll").focus()

    def show_row(self, row: dict[str, Any]) -> None:
        self.row_id = row["id"]
        self._load(row["id"])

    def refresh_data(self) -> None:
        if self.row_id is not None:
            self._load(self.row_id, mark_read=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail", description="Loading the review")
    def _load(self, row_id: int, mark_read: bool = True) -> None:
        with Store.open(self.app.db_path, migrate=False) as store:
            if self.kind == "reviews":
                if mark_read and not store.readonly:  # a read-only database still shows the review
                    triage.mark_read(store, row_id)
                detail = triage.review_detail(store, row_id)
            else:
                detail = triage.survey_detail(store, row_id)
        self.post_message(self.Loaded(row_id, detail))

    def on_review_screen_loaded(self, message: Loaded) -> None:
        if message.row_id != self.row_id:
            return
        widget = self.query_one("#detail", Static)
        if message.detail is None:
            widget.update(Text("This review no longer exists.", style="dim"))
            return
        self.detail = message.detail
        widget.update(render_review(message.detail, self.kind))
        self.query_one("#detail-scroll", VerticalScroll).scroll_home(animate=False)

    def on_action_done(self, message: ActionDone) -> None:
        self.notify(message.text, severity="error" if message.error else "information", timeout=3)
        self.refresh_data()

    def target_ids(self) -> list[int]:
        return [self.row_id] if self.row_id is not None else []

    def target_kind(self) -> str:
        return self.kind

    def _my_latest_reply(self) -> dict[str, Any] | None:
        replies = [r for r in (self.detail or {}).get("replies", [])
                   if r.get("origin") == "agent" and r.get("agent") == self.app.agent and not r.get("withdrawn_at")]
        if not replies:
            self.notify("You have no reply on this review to change.", severity="warning")
            return None
        return replies[-1]

    def action_edit_reply(self) -> None:
        """Edit your latest reply; the earlier text is kept in its versions."""
        reply = self._my_latest_reply()
        if reply is None:
            return
        agent = self.app.agent

        def chosen(text: str | None) -> None:
            if text and text.strip() and text != reply["text"]:
                self.run_triage(lambda s: (reply_store.edit_reply(s, reply["id"], text, agent), "Reply edited")[1],
                                False)

        prompt = TextPrompt("Edit your reply (the earlier version is kept)", multiline=True, initial=reply["text"])
        self.app.push_screen(prompt, chosen)

    def action_withdraw_reply(self) -> None:
        reply = self._my_latest_reply()
        if reply is None:
            return
        agent = self.app.agent

        def chosen(answer: str | None) -> None:
            if answer == "yes":
                self.run_triage(lambda s: (reply_store.withdraw_reply(s, reply["id"], agent), "Reply withdrawn")[1],
                                False)

        self.app.push_screen(ChoiceDialog("Withdraw your reply? (its text is kept)",
                                          [("no", "No, keep it"), ("yes", "Yes, withdraw it")]), chosen)

    def action_save_text(self) -> None:
        if self.row_id is not None:
            self._save_text(self.row_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail-save", description="Saving the text")
    def _save_text(self, row_id: int) -> None:
        """The whole text (a review cut on screen, or any other) in a private file."""
        with Store.open(self.app.db_path, migrate=False) as store:
            text = triage.full_text(store, self.kind, row_id)
        try:  # a new file of our own (0600, never an existing name someone prepared)
            fd, name = tempfile.mkstemp(prefix=f"feedback-tui-{self.kind}-{row_id}-", suffix=".txt")
            path = Path(name)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
                handle.write(text)
        except OSError as error:
            self.post_message(ActionDone(f"Could not save the text: {error.strerror}", error=True))
            return
        self.post_message(ActionDone(f"The whole text ({len(text):,} characters) is in {path}"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A load that failed says so (else "Loading…" would stay and look like a hang)."""
        if event.state == WorkerState.ERROR and event.worker.group == "detail":
            self.query_one("#detail", Static).update(plain(f"Could not load this review: {event.worker.error}", "red"))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_next(self) -> None:
        self.review_list.action_cursor_down()

    def action_previous(self) -> None:
        self.review_list.action_cursor_up()
