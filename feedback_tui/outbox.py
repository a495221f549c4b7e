"""The reply workflow: drafts, sending, delivery and retries, with no UI.

A reply is stored *before* it is delivered, so the network can never lose it
(see :mod:`feedback_tui.delivery`). Drafts and the reply's insert take turns
on one lock per :class:`Outbox`, so that a draft save still in flight can
neither overwrite a newer draft nor bring a draft back after its reply went
out. Every method opens its own connection through the program's
:class:`~feedback_tui.store.StoreOpener` and may run in any thread: the
composer screen calls these from its workers and turns the outcomes into
messages.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from feedback_tui import reply_rules
from feedback_tui.delivery import ReplyEndpoint, deliver, endpoint_for
from feedback_tui.errors import UsageProblem
from feedback_tui.store import StoreOpener, utc_now
from feedback_tui.store import replies as reply_store
from feedback_tui.store.rows import ReviewDetail

Activity = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What :meth:`ReplySession.send` did.

    ``others``: another agent replied or started a draft since the session
    opened, and nothing was stored (ask the agent, then send ``confirmed``);
    ``saved``: stored, no delivery configured; ``queued``: stored, and
    :meth:`ReplySession.deliver` is to be called with ``reply_id``.
    """

    status: Literal["others", "saved", "queued"]
    reply_id: int | None = None
    activity: Activity = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    status: Literal["sent", "failed", "nothing", "no-endpoint"]
    error: str | None = None


class Outbox:
    """One per program: the write lock that drafts and replies share."""

    def __init__(self, opener: StoreOpener, sources: dict[str, dict[str, Any]] | None = None,
                 limits: dict[str, dict[str, Any]] | None = None) -> None:
        self.opener = opener
        self.sources = sources or {}
        self.limits = limits or {}  # the config's [limits]
        self.writes = threading.Lock()

    def problem(self, text: str, source: str | None) -> str | None:
        """Why ``text`` cannot be stored as a reply on ``source``, or None.

        The one check for every way a reply is stored (sending, editing it
        later, delivering it again), so each says the same thing.
        """
        return reply_rules.check(text, reply_rules.limit_for(source, self.limits), source)

    def edit(self, reply_id: int, text: str, agent: str) -> None:
        """Replace a stored reply's text (the earlier one kept in its versions),
        refused like a send when it breaks the platform's limit. Raises FeedbackError."""
        with self.writes, self.opener.open() as store:
            stored = reply_store.reply(store, reply_id)
            if stored is None:
                raise UsageProblem("that reply no longer exists")
            problem = self.problem(text, stored["source"])
            if problem:
                raise UsageProblem(f"not saved: {problem}")
            reply_store.edit_reply(store, reply_id, text, agent)

    def endpoint(self, source: str | None) -> ReplyEndpoint | None:
        return endpoint_for(self.sources, source)

    def session(self, review: ReviewDetail, agent: str) -> ReplySession:
        return ReplySession(self, review, agent)


class ReplySession:
    """One agent's reply to one review, from opening the composer to delivery."""

    def __init__(self, outbox: Outbox, review: ReviewDetail, agent: str) -> None:
        self.outbox = outbox
        self.review = review
        self.review_id = review.id
        self.agent = agent
        self.opened_at = utc_now()
        self.sent = False
        self._draft_written = 0

    # -- drafts ---------------------------------------------------------------------
    def save_draft(self, seq: int, text: str, template: str | None) -> bool:
        """Store the draft numbered ``seq`` unless a newer one is stored or the
        reply went out; True when it was written. Raises FeedbackError."""
        with self.outbox.writes:
            if self.sent or seq < self._draft_written:
                return False
            with self.outbox.opener.open() as store:
                reply_store.save_draft(store, self.review_id, self.agent, text, template)
            self._draft_written = seq
            return True

    # -- sending --------------------------------------------------------------------
    def others_active(self) -> Activity:
        """Replies and drafts by other agents since the session opened (the send checks again)."""
        with self.outbox.opener.open() as store:
            return reply_store.others_activity(store, self.review_id, self.agent, self.opened_at)

    def label(self) -> str:
        """The reply in words, for the grace period's countdown: "reply to 'Colis abîmé' (Ann)"."""
        text = " ".join((self.review.title or self.review.body or "").split())
        text = text if len(text) <= 30 else text[:29] + "…"
        author = " ".join((self.review.author or "").split())
        return f"reply to {text!r}" + (f" ({author})" if author else "")

    def send(self, text: str, template: str | None, *, confirmed: bool = False) -> SendOutcome:
        """Store the reply (the draft goes with it). Unless ``confirmed``, first
        check that nobody else replied or started a draft since the session
        opened. Raises FeedbackError."""
        source = self.review.source
        problem = self.outbox.problem(text, source)
        if problem:
            raise UsageProblem(f"not sent: {problem}")
        endpoint = self.outbox.endpoint(source)
        with self.outbox.writes, self.outbox.opener.open() as store:
            activity = reply_store.others_activity(store, self.review_id, self.agent, self.opened_at)
            if (activity["replies"] or activity["drafts"]) and not confirmed:
                return SendOutcome("others", activity=activity)
            reply_id = reply_store.add_reply(store, self.review_id, text, self.agent, template=template,
                                             channel=source, deliver=endpoint is not None)
            self.sent = True
        return SendOutcome("queued" if endpoint is not None else "saved", reply_id=reply_id)

    def deliver(self, reply_id: int, text: str, agent: str | None = None) -> DeliveryOutcome:
        """Post a stored reply to its platform, outside the write lock (the
        network may take seconds), and record the result."""
        endpoint = self.outbox.endpoint(self.review.source)
        if endpoint is None:
            return DeliveryOutcome("no-endpoint")
        status, error = deliver(endpoint, payload(self.review, text, agent or self.agent, reply_id))
        with self.outbox.opener.open() as store:
            reply_store.set_delivery(store, reply_id, status, error)
        return DeliveryOutcome("sent" if status == "sent" else "failed", error)

    def retry(self) -> DeliveryOutcome:
        """Deliver again the latest agent reply here that failed or still waits."""
        with self.outbox.opener.open() as store:
            waiting = [r for r in reply_store.replies_of(store, self.review_id)
                       if r["delivery_status"] in ("failed", "pending") and r["origin"] == "agent"]
        if not waiting:
            return DeliveryOutcome("nothing")
        last = waiting[-1]
        problem = self.outbox.problem(last["text"], self.review.source)
        if problem:  # stored before a limit was configured, or edited elsewhere
            raise UsageProblem(f"not delivered: {problem}; edit it with E first")
        return self.deliver(last["id"], last["text"], last["agent"])


def payload(review: ReviewDetail, text: str, agent: str, reply_id: int) -> dict[str, Any]:
    """The JSON a reply endpoint receives."""
    return {"reply_id": reply_id, "review_id": review.external_id, "source": review.source,
            "url": review.url, "text": text, "agent": agent}
