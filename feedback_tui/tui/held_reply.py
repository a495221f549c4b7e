"""The send grace period: a sent reply is held a few seconds, and ``u`` takes it back.

``ctrl+s`` in the composer closes it at once, but the reply is only *stored*
(and delivered) when the config's ``send_grace_seconds`` (10 by default) have
passed; until then the header says "reply to 'Colis abîmé' sending in 9 s — u
to cancel" and ``u`` on the inbox or a review cancels it. The text is on disk
as the agent's draft the whole time, so a cancel, a quit or a crash during the
grace period loses nothing: ``r`` reopens it. Withdrawing a reply already
stored stays ``W``.

One reply is held at a time: sending another while one waits sends the waiting
one first (it was meant to go).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.timer import Timer

from feedback_tui.errors import FeedbackError
from feedback_tui.outbox import ReplySession


@dataclass
class HeldReply:
    session: ReplySession
    text: str
    template: str | None
    confirmed: bool
    label: str  # "reply to 'Colis abîmé' (Ann)"
    left: int
    timer: Timer | None = None


class ReplyHolder:
    """The app's one held reply: the countdown, the cancel and the send at the end."""

    tick_seconds = 1.0
    """How long one second of the countdown lasts (a test drives :meth:`_tick` itself instead)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.held: HeldReply | None = None
        self._subtitle = ""

    @property
    def waiting(self) -> bool:
        return self.held is not None

    def hold(self, held: HeldReply) -> None:
        """Hold ``held`` for its ``left`` seconds (0: send it now)."""
        if self.held is not None:
            self.send_now()
        if held.left <= 0:
            self._send(held)
            return
        self.held = held
        self._subtitle = self.app.sub_title
        held.timer = self.app.set_interval(self.tick_seconds, self._tick)
        self._show()
        self.app.notify(f"{held.label[:1].upper()}{held.label[1:]}: sending in {held.left} s — u to cancel", title="Reply",
                        timeout=min(held.left, 5))

    def _show(self) -> None:
        assert self.held is not None
        self.app.sub_title = f"{self.held.label} sending in {self.held.left} s — u to cancel"

    def _tick(self) -> None:
        if self.held is None:
            return
        self.held.left -= 1
        if self.held.left <= 0:
            self.send_now()
        else:
            self._show()

    def _release(self) -> HeldReply | None:
        held, self.held = self.held, None
        if held is not None:
            if held.timer is not None:
                held.timer.stop()
            self.app.sub_title = self._subtitle
        return held

    def cancel(self) -> bool:
        """Take the held reply back (it stays the agent's draft); False when none waits."""
        held = self._release()
        if held is None:
            return False
        self.app.notify(f"Not sent: {held.label}. It is kept as your draft: r reopens it.", title="Reply")
        return True

    def send_now(self) -> None:
        held = self._release()
        if held is not None:
            self._send(held)

    def _send(self, held: HeldReply) -> None:
        app = self.app
        app.run_worker(lambda: _store_and_deliver(app, held), thread=True, group="reply-send",
                       exit_on_error=False, description="Sending a reply")


def _store_and_deliver(app: Any, held: HeldReply) -> None:
    """Store the reply (the draft goes with it), deliver it, and say how it went."""

    def say(text: str, severity: str = "information") -> None:
        app.call_from_thread(app.notify, text, title="Reply", severity=severity)

    try:
        outcome = held.session.send(held.text, held.template, confirmed=held.confirmed)
        if outcome.status == "others":
            say(f"Not sent: someone else replied or started a draft meanwhile ({held.label}). "
                "Yours is kept as a draft: r reopens it.", "warning")
            return
        app.call_from_thread(app.database_changed)
        if outcome.status == "saved":
            say("Reply saved (no delivery configured for this source).")
            return
        say("Reply saved; delivering…")
        assert outcome.reply_id is not None
        delivery = held.session.deliver(outcome.reply_id, held.text)
    except FeedbackError as error:
        say(f"Not sent: {error}. Your text is kept as a draft.", "error")
        return
    app.call_from_thread(app.database_changed)
    if delivery.status == "sent":
        say("Reply delivered.")
    else:
        say(f"Delivery failed: {delivery.error}. The reply is kept; open the composer and press ctrl+r to retry.",
            "error")
