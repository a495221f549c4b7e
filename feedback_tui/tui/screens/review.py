"""One review in full: text, metadata, sentiment, tags, notes, replies, history.

``j``/``k`` move to the next/previous review of the inbox list without going
back to it: the screen asks for it (:class:`~feedback_tui.tui.messages.StepRequested`)
and shows whatever row the inbox then reports (:class:`~feedback_tui.tui.messages.CurrentRow`).
Triage keys work here too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from feedback_tui.store import replies as reply_store
from feedback_tui.store import triage
from feedback_tui.store.rows import Reply, ReviewDetail
from feedback_tui.tui.dialogs import ChoiceDialog, TextPrompt
from feedback_tui.tui.triage_actions import TRIAGE_BINDINGS, ActionDone, TriageActions
from feedback_tui.tui.messages import CurrentRow, DatabaseChanged, StepRequested
from feedback_tui.tui.safe_text import plain
from feedback_tui.tui.widgets.footer import Footer
from feedback_tui.tui.widgets.review_view import render_review

class ReviewScreen(TriageActions, Screen[None]):
    """The detail of the row under the inbox cursor."""

    BINDINGS = [
        Binding("escape,q", "back", "Back", id="review.back"),
        Binding("j", "next", "Next", id="review.next"),
        Binding("k", "previous", "Previous", id="review.previous"),
        Binding("E", "edit_reply", "Edit my reply", id="review.edit_reply", show=False, priority=True),  # as n, t
        Binding("W", "withdraw_reply", "Withdraw my reply", id="review.withdraw_reply", show=False),
        Binding("x", "save_text", "Save the whole text to a file", id="review.save_text", show=False),
        *TRIAGE_BINDINGS,
    ]

    class Loaded(Message):
        def __init__(self, row_id: int, detail: ReviewDetail | None) -> None:
            self.row_id = row_id
            self.detail = detail
            super().__init__()

    def __init__(self, row_id: int | None, kind: str, terms: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.kind = kind
        self.terms = terms  # the inbox's search, highlighted in the text
        self.first_row_id = row_id
        self.row_id: int | None = None
        self.detail: ReviewDetail | None = None
        self._rejected_edit: str | None = None  # an edit refused for its length, offered again
        # j/k presses whose row the inbox has not reported yet: show each row it reports for them
        # (a bool dropped the second j of a fast jj: the inbox's cursor went two rows on, the screen one)
        self._steps = 0
        self._cursor_row_id: int | None = None  # the inbox's cursor row, when it moved without us

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail-scroll"):
            yield Static(Text("Loading…", style="dim"), id="detail")
        yield Static(id="review-working", classes="status-line")  # shown only while a screen is built over it
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#review-working", Static).display = False
        if self.first_row_id is not None:
            self.show_row(self.first_row_id)
        self.query_one("#detail-scroll").focus()

    def reuse(self, row_id: int | None, kind: str, terms: tuple[str, ...] = ()) -> None:
        """Show ``row_id`` in this screen, already built, as a new screen would.

        A new review screen costs Textual a compose, its first styling and its
        footer (~35 keys) before the review shows: ~100-200 ms of a busy 2-core
        machine, most of the "open a review" interaction (issue 19). The inbox
        keeps one screen (installed, so going back does not destroy it) and
        calls this before pushing it again. Nothing of the review shown before
        stays on the screen: it says "Loading…" until the new one is read.
        """
        self.kind, self.terms, self.first_row_id = kind, terms, row_id
        self.row_id, self.detail, self._rejected_edit = None, None, None
        self._steps, self._cursor_row_id = 0, None
        if not self.is_mounted:
            return  # on_mount shows it
        self.query_one("#detail", Static).update(Text("Loading…", style="dim"))
        scroll = self.query_one("#detail-scroll", VerticalScroll)
        scroll.scroll_home(animate=False)
        scroll.focus()
        if row_id is not None:
            self.show_row(row_id)

    def show_row(self, row_id: int) -> None:
        self.row_id = row_id
        self._load(row_id)

    def on_current_row(self, message: CurrentRow) -> None:
        """Follow the inbox's cursor only when j/k moved it: when the review shown left the
        list (another agent archived or answered it), the cursor lands on its neighbour, and
        swapping that in under the agent's eyes would have them answer the wrong customer."""
        if not self._steps:
            self._cursor_row_id = message.row.id if message.row is not None else None
            return
        self._steps -= 1
        self._cursor_row_id = None
        if message.row is not None and message.row.id != self.row_id:
            self.show_row(message.row.id)

    def on_database_changed(self, message: DatabaseChanged) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        if self.row_id is not None:
            self._load(self.row_id, mark_read=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail", description="Loading the review")
    def _load(self, row_id: int, mark_read: bool = True) -> None:
        kind = self.kind
        with self.app.open_store() as store:
            detail = triage.review_detail(store, row_id) if kind == "reviews" else triage.survey_detail(store, row_id)
            self.post_message(self.Loaded(row_id, detail))
            # After the review is on its way to the screen: marking it read is a write,
            # which may wait for another agent's transaction (the detail does not show it).
            if kind == "reviews" and detail is not None and mark_read and not store.readonly:
                triage.mark_read(store, row_id)  # a read-only database still shows the review

    def on_review_screen_loaded(self, message: Loaded) -> None:
        if message.row_id != self.row_id:
            return
        widget = self.query_one("#detail", Static)
        if message.detail is None:
            widget.update(Text("This review no longer exists.", style="dim"))
            return
        self.detail = message.detail
        widget.update(render_review(message.detail, self.terms))
        self.query_one("#detail-scroll", VerticalScroll).scroll_home(animate=False)

    def on_action_done(self, message: ActionDone) -> None:
        self.notify(message.text, severity="error" if message.error else "information", timeout=3)
        self.refresh_data()

    def target_ids(self) -> list[int]:
        return [self.row_id] if self.row_id is not None else []

    def show_working(self, what: str) -> None:
        """A screen is being built over this one (the composer: ~60-200 ms on a busy machine,
        more at 1M under load): said at once, as in the inbox."""
        working = self.query_one("#review-working", Static)
        working.update(Text(f"working: {what}", style="italic"))
        working.display = True

    def working_done(self) -> None:
        self.query_one("#review-working", Static).display = False

    def on_screen_suspend(self) -> None:
        """A screen is over this one: its "working" line is done with."""
        self.query_one("#review-working", Static).display = False

    def target_kind(self) -> str:
        return self.kind

    def _my_latest_reply(self) -> Reply | None:
        replies = [r for r in (self.detail.replies if self.detail else ())
                   if r.origin == "agent" and r.agent == self.app.agent and not r.withdrawn_at]
        if not replies:
            self.notify("You have no reply on this review to change.", severity="warning")
            return None
        return replies[-1]

    def action_edit_reply(self) -> None:
        """Edit your latest reply; the earlier text is kept in its versions."""
        self._open_with_typed_keys(self._ask_edit)  # what is typed right after E goes in the prompt

    def _ask_edit(self, hold: KeyHold) -> None:
        reply = self._my_latest_reply()
        if reply is None:
            hold.release()
            return
        agent = self.app.agent

        outbox = self.app.outbox

        def chosen(text: str | None) -> None:
            if text is None or text == reply.text:
                return
            problem = outbox.problem(text, self.detail.source if self.detail else None)
            if problem:  # said at once, as the composer does; the store checks again
                self.notify(f"Not saved: {problem}. Your text is kept: E again to shorten it.",
                            title="Reply", severity="error", markup=False)
                self._rejected_edit = text
                return
            self._rejected_edit = None
            self.run_triage(lambda s: (outbox.edit(reply.id, text, agent), "Reply edited")[1], False)

        initial = self._rejected_edit or reply.text  # a refused edit is not lost: it comes back
        prompt = TextPrompt("Edit your reply (the earlier version is kept)", multiline=True, initial=initial,
                            keys=hold)
        self.app.push_screen(prompt, chosen)

    def action_withdraw_reply(self) -> None:
        reply = self._my_latest_reply()
        if reply is None:
            return
        agent = self.app.agent

        def chosen(answer: str | None) -> None:
            if answer == "yes":
                self.run_triage(lambda s: (reply_store.withdraw_reply(s, reply.id, agent), "Reply withdrawn")[1],
                                False)

        self.app.push_screen(ChoiceDialog("Withdraw your reply? (its text is kept)",
                                          [("no", "No, keep it"), ("yes", "Yes, withdraw it")]), chosen)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_next(self) -> None:
        moved = self._cursor_row_id
        if moved is not None and moved != self.row_id:
            # the review shown left the list and its neighbour took its place: that one is next
            self._cursor_row_id = None
            self.show_row(moved)
            return
        self._steps += 1
        self.post_message(StepRequested(+1))

    def action_previous(self) -> None:
        self._steps += 1
        self.post_message(StepRequested(-1))

    def action_save_text(self) -> None:
        if self.row_id is not None:
            self._save_text(self.row_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail-save", description="Saving the text")
    def _save_text(self, row_id: int) -> None:
        """The whole text (a review cut on screen, or any other) in a private file."""
        with self.app.open_store() as store:
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
