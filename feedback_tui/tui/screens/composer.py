"""The reply composer: the review on top, the reply below, ready to type.

A template is proposed from the review's tone and language; ``ctrl+t`` picks
another (over typed text it asks: replace, insert at the cursor, or cancel;
``ctrl+z`` undoes the insertion), and its ``{?question}`` placeholders are
asked for. The picker marks a template whose language is not the review's. A live counter
shows the source's length limit. What the agent types is saved as a draft
half a second after they stop (and on leaving), so closing, quitting or a
crash loses nothing. A template the agent picked, a question they answered
or a reply they tried to send is theirs too, and kept as a draft; only the
untouched proposal is not (it would show every opened review as "has a draft"
to the other agents). Sending, delivery and drafts are the core's
:class:`~feedback_tui.outbox.ReplySession`: this screen only calls it from
workers and shows the outcome. If another agent replied or started a draft
since the composer opened, it says so, shows their reply, and asks for a
second ``ctrl+s``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Static, TextArea
from textual.worker import Worker, WorkerState

from feedback_tui import reply_rules
from feedback_tui.errors import FeedbackError
from feedback_tui.outbox import ReplySession
from feedback_tui.store import replies as reply_store
from feedback_tui.store import triage
from feedback_tui.store.rows import ReviewDetail
from feedback_tui.tui.dialogs import ChoiceDialog, TextPrompt
from feedback_tui.tui.held_reply import HeldReply
from feedback_tui.tui.key_hold import KeyHold
from feedback_tui.tui.safe_text import clean, plain
from feedback_tui.tui.typed_keys import after_typed_keys
from feedback_tui.tui.widgets.footer import Footer
from feedback_tui.tui.widgets.review_view import render_review

DRAFT_DELAY = 0.5


class ComposerScreen(Screen[None]):
    # Focused as the screen is composed, before its footer first reads the keys: focusing
    # it in on_mount made the footer build its keys twice (with q, ? and d, then without).
    AUTO_FOCUS = "#reply"
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="composer.send", priority=True),
        Binding("ctrl+t", "template", "Template", id="composer.template", priority=True),
        Binding("ctrl+r", "retry", "Retry delivery", id="composer.retry", priority=True),
        Binding("escape", "close", "Close (draft kept)", id="composer.close"),
        # ? is a character of the reply here: the keys screen is on F1
        Binding("f1", "app.help", "Keys", id="composer.help"),
    ]

    class Loaded(Message):
        def __init__(self, data: dict[str, Any]) -> None:
            self.data = data
            super().__init__()

    class Finished(Message):
        def __init__(self, text: str, *, error: bool = False, close: bool = False) -> None:
            self.text = text
            self.error = error
            self.close = close
            super().__init__()

    class Hold(Message):
        """Nobody else is active: close, and let the app hold the reply for the grace period."""

        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    class OthersActive(Message):
        def __init__(self, activity: dict[str, list[dict[str, Any]]]) -> None:
            self.activity = activity
            super().__init__()

    def __init__(self, review_id: int, keys: KeyHold | None = None) -> None:
        super().__init__()
        self.review_id = review_id
        self._keys = keys  # the keys typed since r: released into the editor once it is filled
        self.session: ReplySession | None = None  # made when the review is loaded
        self.review = ReviewDetail(id=review_id)  # until the real one is loaded
        self.template_name: str | None = None
        self.templates: list[dict[str, Any]] = []
        self.limit: reply_rules.Limit | None = None
        self._draft_timer: Timer | None = None
        self._loaded = False
        self._confirmed_others = False
        self._sending = False
        self._proposed: str | None = None  # the text the composer put there (template or draft)
        self._edited = False  # the agent changed it: only then is there a draft to keep
        self._restored = False  # the editor holds the agent's stored draft: it stays kept as it is
        self._draft_seq = 0
        self._dirty = False  # changed since the last draft save was started
        self._last_filled: str | None = None  # the editor's text right after a template was filled in
        self._text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="composer-review"):
            yield Static(Text("Loading the review…", style="dim"), id="composer-review-text")
        yield Static(id="composer-warning")
        yield Static(id="composer-info")
        yield TextArea(id="reply", soft_wrap=True, show_line_numbers=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#composer-warning", Static).display = False
        self.query_one("#reply", TextArea).focus()
        self._load()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#reply", TextArea)

    # -- loading ---------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="composer", description="Loading the composer")
    def _load(self) -> None:
        config = self.app.config
        with self.app.open_store() as store:
            review = triage.review_detail(store, self.review_id) or ReviewDetail(id=self.review_id)
            data = {
                "review": review,
                "templates": reply_store.templates(store),
                "draft": reply_store.draft(store, self.review_id, self.app.agent),
                "others": reply_store.others_activity(store, self.review_id, self.app.agent, "0000"),
                "limit": reply_rules.limit_for(review.source, config.limits),
            }
        self.post_message(self.Loaded(data))

    def on_composer_screen_loaded(self, message: Loaded) -> None:
        data = message.data
        self.review = data["review"]
        self.session = self.app.outbox.session(self.review, self.app.agent)
        self.templates = data["templates"]
        self.limit = data["limit"]
        self.query_one("#composer-review-text", Static).update(render_review(self.review))
        draft = data["draft"]
        if draft:
            self.template_name = draft.get("template")
            self._set_text(draft["text"])
            self._restored = True
            self.notify("Your draft was restored.", timeout=3)
        else:
            suggested = reply_rules.suggest([reply_store.as_template(t) for t in self.templates], self.review.placeholders())
            if suggested is not None:
                self._apply_template(suggested)
        self._loaded = True
        self._show_others(data["others"], opening=True)
        self._update_info()
        self._release_keys()

    def _take_keys(self) -> KeyHold | None:
        keys, self._keys = self._keys, None
        return keys

    def _release_keys(self) -> None:
        """The editor holds its draft or template and the cursor is at its end, where the
        composer puts it: the letters typed since ``r`` go there, in order, as if typed now,
        so that the reply does not depend on how fast the agent typed (tui/key_hold.py)."""
        keys = self._take_keys()
        if keys is not None:
            keys.release()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A load that failed says so: "Loading the review…" would stay and look like a hang."""
        if event.state == WorkerState.ERROR and event.worker.group == "composer" and not self._loaded:
            self._release_keys()  # escape closes
            self.query_one("#composer-review-text", Static).update(
                plain(f"Could not load the review: {event.worker.error}. Escape closes.", "red"))
            self.notify(f"Could not load the review: {event.worker.error}", title="Reply", severity="error")

    # -- templates ---------------------------------------------------------------------
    def _set_text(self, text: str, *, undoable: bool = False) -> None:
        """Put a draft or a filled template in the editor: what it shows is what is sent.

        ``undoable``: through the editor's own history (one ``ctrl+z`` brings
        back what was there), for a template the agent picked over a text.
        """
        text = clean(text)
        editor = self.editor
        typed = ""
        if undoable:
            editor.history.checkpoint()
            editor.replace(text, (0, 0), editor.document.end)
            editor.history.checkpoint()
        else:
            # The first fill: what was typed before it (keys no hold kept) stays, after it.
            typed = editor.text if self._proposed is None else ""
            self._proposed = text
            editor.load_text(text)
        editor.move_cursor(editor.document.end)
        if typed:
            editor.insert(typed)

    def _insert_text(self, text: str) -> None:
        editor = self.editor
        editor.history.checkpoint()
        editor.insert(clean(text))
        editor.history.checkpoint()

    def _apply_template(self, template: reply_rules.Template, mode: str = "proposed") -> None:
        """Fill ``template`` in: ``proposed`` on opening, else ``replace`` or ``insert`` (the agent's pick)."""
        self.template_name = template.name
        pending = reply_rules.questions(template.body)
        answers: dict[str, str] = {}

        def ask(index: int) -> None:
            if index >= len(pending):
                config = self.app.config
                filled = reply_rules.fill(template.body, self.review.placeholders(), self.app.agent, answers,
                                          language=template.language, company=config.company,
                                          products=config.products)
                if mode != "proposed" or answers:
                    self._edited = True  # the agent's choice: a draft from now on
                if mode == "insert":
                    self._insert_text(filled)
                else:
                    self._set_text(filled, undoable=mode == "replace")
                self._last_filled = self.editor.text
                self._update_info()
                return

            def answered(value: str | None) -> None:
                if value:
                    answers[pending[index]] = value
                ask(index + 1)

            # The proposal's first question is what takes the letters typed since r (see _release_keys).
            mark = " ?" if template.language.lower().startswith("fr") else "?"  # French puts a space before it
            self.app.push_screen(TextPrompt(f"{pending[index]}{mark}", placeholder=pending[index],
                                            keys=self._take_keys()), answered)

        ask(0)

    def action_template(self) -> None:
        after_typed_keys(self, self._pick_template)  # "replace / insert at cursor" sees the whole text

    def _pick_template(self) -> None:
        if not self.templates:
            self.notify("No template yet: create one from the inbox with T.", severity="warning")
            return
        language = (self.review.language or "").lower()

        def label(t: dict[str, Any]) -> str:
            other = language and t["language"].lower() != language
            mark = f"  ⚠ not {language}" if other else ""  # the review's language
            return f"{t['name']}  ·  {t['language']} · {t['tone']}{mark}"

        options = [(str(t["id"]), label(t)) for t in self.templates]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            row = next(t for t in self.templates if str(t["id"]) == value)
            template = reply_store.as_template(row)
            if not self.editor.text.strip() or self.editor.text == self._last_filled:
                self._apply_template(template, "replace")
                return

            def how(mode: str | None) -> None:
                if mode in ("replace", "insert"):
                    self._apply_template(template, mode)

            self.app.push_screen(ChoiceDialog(
                "Your reply has text. The template:",
                [("replace", "Replace it (ctrl+z brings it back)"), ("insert", "Insert at the cursor"),
                 ("cancel", "Cancel")]), how)

        self.app.push_screen(ChoiceDialog("Reply template", options), chosen)

    # -- counter and drafts -----------------------------------------------------------------
    def _update_info(self) -> None:
        text = self.editor.text
        info = Text()
        info.append(f"Template: {clean(self.template_name, single_line=True) or 'none'}", style="dim")
        info.append(" · ctrl+t another · ")
        count = reply_rules.measure(text, self.limit)
        if self.limit is None:
            source = clean(self.review.source, single_line=True) or "this source"
            info.append(f"{count} characters (no limit for {source})", style="dim")
        else:
            over = count > self.limit.size
            info.append(f"{count}/{self.limit.size} {self.limit.unit}", style="bold red" if over else "green")
            if over:
                source = clean(self.review.source, single_line=True)
                info.append(f"  {count - self.limit.size} over the {source} limit", style="red")
        self.query_one("#composer-info", Static).update(info)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._text = self.editor.text  # read on unmount, when the editor is gone
        self._update_info()
        if not self._loaded or (not self._edited and self.editor.text == self._proposed):
            return  # a proposed template is not a draft until the agent changes it
        self._edited = True
        self._dirty = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._save_draft_now)

    def _save_draft_now(self) -> None:
        self._save_draft(self.editor.text, self.template_name)

    def _save_draft(self, text: str, template: str | None) -> None:
        # An app-level worker, so that the save on escape outlives this screen; it is
        # given the app because a closed screen no longer finds it from a thread.
        self._dirty = False
        self._draft_seq += 1
        self.app.run_worker(partial(self._write_draft, self.app, self._draft_seq, text, template), thread=True,
                            group="draft", exit_on_error=False, description="Saving the draft")

    def _write_draft(self, app: Any, seq: int, text: str, template: str | None) -> None:
        if self.session is None:
            return
        try:
            self.session.save_draft(seq, text, template)
        except FeedbackError as error:
            app.call_from_thread(app.notify, f"The draft could not be saved: {error}", severity="error")

    # -- the other agents ------------------------------------------------------------------------
    def _show_others(self, activity: dict[str, list[dict[str, Any]]], opening: bool = False) -> None:
        replies_, drafts = activity["replies"], activity["drafts"]
        banner = self.query_one("#composer-warning", Static)
        if not replies_ and not drafts:
            banner.display = False
            return
        parts: list[Any] = []
        for reply in replies_:
            line = Text("⚠ ", style="bold yellow")
            line.append_text(plain(reply["agent"], "bold", single_line=True))
            line.append(f" replied at {reply['created_at'][:16].replace('T', ' ')}: ", style="yellow")
            parts.append(line)
            parts.append(plain(reply["text"]))
        for other in drafts:
            line = Text("✎ ", style="yellow")
            line.append_text(plain(other["agent"], "bold", single_line=True))
            line.append(f" has a draft (saved {other['updated_at'][:16].replace('T', ' ')}).", style="yellow")
            parts.append(line)
        if not opening and replies_:
            parts.append(Text("ctrl+s again sends yours as well (both replies are kept); escape keeps it as a draft.",
                              style="bold"))
        elif not opening:
            parts.append(Text("ctrl+s again sends yours anyway; escape keeps it as a draft.", style="bold"))
        banner.update(Group(*parts))
        banner.display = True

    # -- sending ------------------------------------------------------------------------------
    def action_send(self) -> None:
        if not self._loaded or self._sending:
            return
        after_typed_keys(self, self._send_typed)  # a priority binding: see tui/typed_keys.py

    def _send_typed(self) -> None:
        if not self._loaded or self._sending:
            return
        text = self.editor.text.strip()
        problem = self.app.outbox.problem(text, self.review.source)  # the one check: send, edit, retry
        if problem:
            self.notify(f"Not sent: {problem}.", title="Reply", severity="error")
            return
        self._sending = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
        if self.app.config.send_grace_seconds > 0:
            self._check_before_holding(text, self._confirmed_others)
            return
        # An app-level worker: delivery goes on after this screen has closed, so it
        # is given the app (a closed screen no longer finds it from a thread).
        self.app.run_worker(partial(self._send, self.app, text, self._confirmed_others), thread=True,
                            group="reply-send", exit_on_error=False, description="Sending a reply")

    @work(thread=True, exit_on_error=False, group="composer", description="Checking other agents")
    def _check_before_holding(self, text: str, confirmed: bool) -> None:
        assert self.session is not None
        try:
            activity = self.session.others_active()
        except FeedbackError as error:
            self.post_message(self.Finished(f"Not sent: {error}", error=True))
            return
        if (activity["replies"] or activity["drafts"]) and not confirmed:
            self.post_message(self.OthersActive(activity))
        else:
            self.post_message(self.Hold(text))

    def on_composer_screen_hold(self, message: Hold) -> None:
        """The text becomes the draft now (a cancel or a crash keeps it), the app holds the send."""
        self._sending = False
        assert self.session is not None
        self._save_draft(message.text, self.template_name)
        self.app.reply_holder.hold(HeldReply(self.session, message.text, self.template_name,
                                             self._confirmed_others, self.session.label(),
                                             int(round(self.app.config.send_grace_seconds))))
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._loaded = False  # saved above: nothing more to write on the way out
        if self.is_current:
            self.app.pop_screen()

    def _send(self, app: Any, text: str, confirmed: bool) -> None:
        assert self.session is not None  # sending waits for the load
        try:
            outcome = self.session.send(text, self.template_name, confirmed=confirmed)
            if outcome.status == "others":
                self.post_message(self.OthersActive(outcome.activity))
                return
            if outcome.status == "saved":
                self.post_message(self.Finished("Reply saved (no delivery configured for this source).", close=True))
                return
            self.post_message(self.Finished("Reply saved; delivering…", close=True))
            assert outcome.reply_id is not None
            delivery = self.session.deliver(outcome.reply_id, text)
        except FeedbackError as error:
            self.post_message(self.Finished(f"Not sent: {error}", error=True))
            return
        if delivery.status == "sent":
            app.call_from_thread(app.notify, "Reply delivered.", title="Reply")
        else:
            app.call_from_thread(partial(app.notify, f"Delivery failed: {delivery.error}. The reply is kept; "
                                         "open the composer and press ctrl+r to retry.", title="Reply",
                                         severity="error", markup=False))

    def on_composer_screen_others_active(self, message: OthersActive) -> None:
        self._sending = False
        self._edited = True  # the agent meant to send it: whatever comes next, it is a draft
        self._save_draft_now()  # not sent: the draft stays on disk, up to date
        self._confirmed_others = True
        self._show_others(message.activity)
        if message.activity["replies"]:
            self.notify("Someone else replied meanwhile: read their reply above.", severity="warning")
        else:
            self.notify("Someone else started a draft meanwhile: see above.", severity="warning")

    def on_composer_screen_finished(self, message: Finished) -> None:
        self._sending = False
        self.notify(message.text, title="Reply", severity="error" if message.error else "information")
        if message.close and self.is_current:
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self._loaded = False  # nothing left to save: the draft went with the reply
            self.app.pop_screen()

    def action_retry(self) -> None:
        self._retry()

    @work(thread=True, exit_on_error=False, group="composer", description="Retrying delivery")
    def _retry(self) -> None:
        if self.session is None:
            return
        try:
            outcome = self.session.retry()
        except FeedbackError as error:
            self.post_message(self.Finished(f"Not delivered: {error}", error=True))
            return
        messages = {"nothing": "No reply waits for delivery here.",
                    "no-endpoint": "No delivery endpoint is configured for this source.",
                    "sent": "Reply delivered.", "failed": f"Delivery failed again: {outcome.error}"}
        self.post_message(self.Finished(messages[outcome.status], error=outcome.status in ("failed", "no-endpoint")))

    def action_close(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        if self._loaded and self._edited:
            self._save_draft(self.editor.text, self.template_name)
        elif self._loaded and self._restored:
            self.notify("Your draft is kept.", timeout=3)  # stored already, unchanged: nothing to write
        elif self._loaded and self.editor.text.strip():
            self.notify("The proposed template was not changed: no draft kept.", timeout=3)
        self.app.pop_screen()

    def on_unmount(self) -> None:
        """Quitting the app from here (``ctrl+q``, a signal) skips ``escape``: the
        last keystrokes, not saved yet, are written now, in this thread, since no
        worker outlives the app."""
        self._release_keys()  # closed before it was filled (the app quits): the keys go on
        if self._draft_timer is not None:
            self._draft_timer.stop()
        if self._loaded and self._edited and self._dirty and self.session is not None:
            self._draft_seq += 1
            try:
                self.session.save_draft(self._draft_seq, self._text, self.template_name)
            except FeedbackError:
                pass  # the app is closing: the timer's last save is what is kept

