"""Triage actions shared by the inbox and the review screen.

A screen that mixes in :class:`TriageActions` says which rows an action
targets (``target_ids``); each action runs in a thread worker with its own
connection (``app.open_store()``) and ends with an :class:`ActionDone` message that the screen turns
into a notification and a refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.binding import Binding
from textual.message import Message

from feedback_tui.errors import FeedbackError
from feedback_tui.models import REVIEW_STATUSES
from feedback_tui.store import Store
from feedback_tui.store import triage
from feedback_tui.tui.dialogs import ChoiceDialog, TextPrompt
from feedback_tui.tui.key_hold import KeyHold
from feedback_tui.tui.messages import ReplyRequested
from feedback_tui.tui.typed_keys import after_typed_keys

TRIAGE_BINDINGS = [
    Binding("a", "assign", "Assign to me", id="triage.assign"),
    # t, n and r are priority bindings: taken by the app as the key arrives, they hold the letters
    # typed in the same burst for the prompt or composer they open (tui/key_hold.py), before
    # those reach the list's keys (e archives) or a screen not built yet (which drops them).
    Binding("t", "tag", "Tag", id="triage.tag", priority=True),
    Binding("e", "archive", "Archive", id="triage.archive"),
    Binding("exclamation_mark", "spam", "Spam", id="triage.spam", key_display="!"),
    Binding("N", "toggle_read", "Read/unread", id="triage.read"),
    Binding("m", "set_status", "Set status", id="triage.status"),
    Binding("n", "note", "Note", id="triage.note", priority=True),
    Binding("u", "undo", "Undo", id="triage.undo"),
    Binding("r", "reply", "Reply", id="triage.reply", priority=True),
]


class ActionDone(Message):
    """A triage action finished (or failed with a user-facing message)."""

    def __init__(self, text: str, *, error: bool = False, clear_selection: bool = True,
                 focus: int | None = None) -> None:
        self.text = text
        self.error = error
        self.clear_selection = clear_selection
        self.focus = focus
        """A row to put the cursor on once the list reloads (the row an undo restored)."""
        super().__init__()


class TriageActions:
    """Mixin for screens: the triage key actions."""

    app: Any

    def target_ids(self) -> list[int]:
        raise NotImplementedError

    def target_kind(self) -> str:
        return "reviews"

    # -- helpers ---------------------------------------------------------------
    def _targets(self, what: str, *, reviews_only: bool = True) -> list[int] | None:
        if getattr(self.app, "read_only", False):
            self.app.notify("The database is open read-only: nothing can be changed.", title="Read-only",
                            severity="warning")
            return None
        ids = self.target_ids()
        if not ids:
            self.app.notify(f"Nothing to {what}: no review under the cursor.", severity="warning")
            return None
        if reviews_only and self.target_kind() != "reviews":
            self.app.notify(f"Survey comments cannot be given a {what}; archive (e) or mark spam (!) them.",
                            severity="warning")
            return None
        return ids

    @work(thread=True, exit_on_error=False, group="triage", description="Saving a triage action")
    def run_triage(self, action: Callable[[Store], str | tuple[str, int | None]], clear_selection: bool = True) -> None:
        """Run ``action`` in a worker; it returns the message, or (message, row to jump to)."""
        try:
            with self.app.open_store() as store:
                result = action(store)
        except FeedbackError as error:
            self.post_message(ActionDone(str(error), error=True, clear_selection=False))  # type: ignore[attr-defined]
            return
        text, focus = result if isinstance(result, tuple) else (result, None)
        self.post_message(ActionDone(text, clear_selection=clear_selection, focus=focus))  # type: ignore[attr-defined]

    @staticmethod
    def _plural(ids: list[int]) -> str:
        return f"{len(ids)} review{'s' if len(ids) != 1 else ''}"

    # -- actions -----------------------------------------------------------------
    def action_assign(self) -> None:
        ids = self._targets("assignee")
        if ids:
            agent = self.app.agent
            self.run_triage(lambda s: (triage.assign(s, ids, agent, agent), f"Assigned {self._plural(ids)} to {agent}")[1])

    def _status(self, status: str, ids: list[int]) -> None:
        agent = self.app.agent
        if self.target_kind() == "surveys":
            self.run_triage(lambda s: (triage.set_survey_status(s, ids, status, agent),
                                            f"{len(ids)} comment(s): {status}")[1])
        else:
            self.run_triage(lambda s: (triage.set_status(s, ids, status, agent), f"{self._plural(ids)}: {status}")[1])

    def action_archive(self) -> None:
        ids = self._targets("archive", reviews_only=False)
        if ids:
            self._status("archived", ids)

    def action_spam(self) -> None:
        ids = self._targets("spam mark", reviews_only=False)
        if ids:
            self._status("spam", ids)

    def action_toggle_read(self) -> None:
        ids = self._targets("read mark")
        if ids:
            agent = self.app.agent

            def toggle(store: Store) -> str:
                _, now_read = triage.toggle_read(store, ids, agent)
                return f"{self._plural(ids)} marked {'read' if now_read else 'unread'}"

            self.run_triage(toggle)

    def action_set_status(self) -> None:
        ids = self._targets("status", reviews_only=False)
        if not ids:
            return

        def chosen(status: str | None) -> None:
            if status == triage.ELSEWHERE:
                self._answered_elsewhere(ids)
            elif status:
                self._status(status, ids)

        statuses = [s for s in REVIEW_STATUSES if s != triage.ELSEWHERE or self.target_kind() == "reviews"]
        self.app.push_screen(ChoiceDialog("Set status", [(s, s.replace("_", " ")) for s in statuses]), chosen)

    def _answered_elsewhere(self, ids: list[int]) -> None:
        """The status needs a note saying where: asked for, and an empty one changes nothing."""
        agent = self.app.agent

        def noted(text: str | None) -> None:
            if text is None:
                return
            if not text.strip():
                self.app.notify("Not changed: answered elsewhere needs a note saying where.",
                                title="Status", severity="warning", markup=False)
                return
            self.run_triage(lambda s: (triage.answer_elsewhere(s, ids, text, agent),
                                       f"{self._plural(ids)}: answered elsewhere")[1])

        self.app.push_screen(TextPrompt("Answered where? (phone, e-mail, on the platform…): required",
                                        placeholder="phoned the customer on 2 Dec"), noted)

    def _open_with_typed_keys(self, open_prompt: Callable[[KeyHold], None]) -> None:
        """For a priority binding that opens a prompt: hold the keys typed after it, and open
        once the keys typed before it are handled (``jn`` notes the row j went to), unless
        one of them opened a screen over this one: then this key and the held ones are its
        text (``nr``: r is a letter of the note). ``open_prompt`` releases the hold."""
        hold = self.app.key_keeper.hold()

        def go() -> None:
            if self.app.screen is not self:  # (is_current is also true under a modal)
                self.working_done()
                hold.release(give_back=True)
            else:
                open_prompt(hold)

        after_typed_keys(self, go)  # type: ignore[arg-type]

    def action_tag(self) -> None:
        self._open_with_typed_keys(self._ask_tag)

    def _ask_tag(self, hold: KeyHold) -> None:
        ids = self._targets("tag")
        if ids:
            self._prompt_tag(ids, hold)
        else:
            hold.release()

    @work(thread=True, exit_on_error=False, group="triage", description="Loading tags")
    def _prompt_tag(self, ids: list[int], hold: KeyHold) -> None:
        with self.app.open_store() as store:
            names = triage.tag_names(store)
        agent = self.app.agent

        def chosen(name: str | None) -> None:
            if not name or not name.strip():
                return
            if name.startswith("-"):
                tag = name[1:]
                self.run_triage(lambda s: (triage.remove_tag(s, ids, tag, agent), f"Untagged {tag}")[1])
            else:
                self.run_triage(lambda s: (triage.add_tag(s, ids, name, agent), f"Tagged {self._plural(ids)}: {name}")[1])

        prompt = TextPrompt(f"Tag {self._plural(ids)} (prefix with - to remove)", suggestions=names,
                            placeholder="delivery", keys=hold)
        self.app.call_from_thread(self.app.push_screen, prompt, chosen)

    def action_note(self) -> None:
        self._open_with_typed_keys(self._ask_note)

    def _ask_note(self, hold: KeyHold) -> None:
        ids = self._targets("note")
        if not ids:
            hold.release()
            return
        review_id, agent = ids[0], self.app.agent

        def chosen(text: str | None) -> None:
            if text and text.strip():
                self.run_triage(lambda s: (triage.add_note(s, review_id, text, agent), "Note added")[1], False)

        self.app.push_screen(TextPrompt("Internal note (only agents see it)", multiline=True, keys=hold), chosen)

    def action_undo(self) -> None:
        if self.app.reply_holder.cancel():  # a reply in its grace period is the latest thing done
            return
        if getattr(self.app, "read_only", False):
            self.app.notify("The database is open read-only: nothing to undo.", title="Read-only", severity="warning")
            return
        agent = self.app.agent

        kind = self.target_kind()

        def undo(store: Store) -> tuple[str, int | None]:
            undone = triage.undo_last_action(store, agent)
            if undone is None:
                return "Nothing to undo", None
            text, ids, undone_kind = undone
            return f"Undone: {text}", (ids[0] if ids and undone_kind == kind else None)

        self.run_triage(undo, False)

    def show_working(self, what: str) -> None:
        """Say at once that a screen is being built (the composer: 60-200 ms on a busy machine)."""

    def working_done(self) -> None:
        """No screen is being built after all: the screen's usual line again."""

    def action_reply(self) -> None:
        """Reply to the review under the cursor; the letters typed right after ``r`` wait
        for the composer's editor (see _open_with_typed_keys)."""
        self.show_working("opening the composer…")
        self._open_with_typed_keys(self._request_reply)

    def _request_reply(self, hold: KeyHold) -> None:
        ids = self._targets("reply")
        if not ids:
            self.working_done()
            hold.release()  # no composer: the keys go where they would have gone
            return
        # After the repaint that shows "working": the composer is built in that time.
        self.call_after_refresh(self.post_message, ReplyRequested(ids[0], keys=hold))  # type: ignore[attr-defined]
