"""Keys typed while a screen opens wait for it, then arrive in order.

A terminal's read (or serve's websocket) hands over ``r`` and ``Merci`` in one
burst. ``r`` opens the composer, which Textual takes 60-200 ms to build and the
composer longer to fill with its template or draft; until then the app
forwards each letter to whatever has the focus: the inbox's list, whose
bindings archive (``e``) or reply again (``r``), or a screen not composed yet,
which drops it. A key that opens such a screen is a priority binding (run by
the app as the key arrives, ahead of the keys behind it), and its action calls
:meth:`KeyKeeper.hold`; the app keeps every key and paste that arrives from
then on (:meth:`KeyKeeper.keep`), and the opened screen calls
:meth:`KeyHold.release` once its field has the focus and its text is in place.
The kept keys then go through the app's usual path, in order, as if typed at
that moment: the result does not depend on how fast the agent types or the
database answers.

A priority binding runs ahead of the keys typed before it: ``n`` then ``r`` in one
burst ran ``r`` on the inbox while ``n`` was still on its way to open the note's
prompt. The hold keeps the key that started it (:attr:`KeyHold.opener`): once the keys
before it are handled, an action that finds its screen covered gives it back with
``release(give_back=True)``, and it is typed into whatever came up.

A hold that nobody releases (a bug, a screen that failed to open) ends after
:data:`HOLD_AT_MOST` seconds, so that the keyboard never stays dead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import events

HOLD_AT_MOST = 3.0  # seconds; a composer opens in well under one, even at 1M reviews under load


class KeyHold:
    """One screen's claim on the keys typed while it opens."""

    def __init__(self, keeper: KeyKeeper, opener: events.Event | None) -> None:
        self._keeper = keeper
        self.opener = opener  # the key whose binding started the hold
        self.released = False

    def release(self, *, give_back: bool = False) -> None:
        """The screen is ready: the kept keys go to the focused widget, the opener first
        if ``give_back`` (its binding did nothing). A second call does nothing."""
        if not self.released:
            self.released = True
            self._keeper._release(self, give_back)


class KeyKeeper:
    """The app's keys-in-waiting; ``deliver`` is the app's own handling of an event."""

    def __init__(self, app: Any, deliver: Callable[[events.Event], Awaitable[None]]) -> None:
        self._app = app
        self._deliver = deliver
        self._hold: KeyHold | None = None
        self._kept: list[events.Event] = []
        self._arriving: events.Event | None = None  # the key the app is handling (a binding's opener)

    @property
    def holding(self) -> bool:
        return self._hold is not None

    def hold(self) -> KeyHold:
        """Keep the keys from now on, until the returned hold is released (a newer hold takes them over)."""
        hold = self._hold = KeyHold(self, self._arriving)
        self._app.set_timer(HOLD_AT_MOST, hold.release)
        return hold

    def keep(self, event: events.Event) -> bool:
        """Whether ``event``, just received by the app, is kept for later (the app then drops it now).

        Only keys and pastes from the terminal: one a widget forwarded back up is already on its way.
        """
        typed = isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded
        if self._hold is None or not typed:
            self._arriving = event if typed else None
            return False
        self._kept.append(event)
        return True

    def _release(self, hold: KeyHold, give_back: bool) -> None:
        if hold is self._hold:
            if give_back and hold.opener is not None:
                self._kept.insert(0, hold.opener)
            # From the app's queue: the keys that arrive until then are kept too, behind these.
            self._app.call_later(self._replay, hold)

    async def _replay(self, hold: KeyHold) -> None:
        if hold is not self._hold:
            return  # a newer hold has the keys
        self._hold = None
        kept, self._kept = self._kept, []
        for index, event in enumerate(kept):
            self._arriving = event
            await self._deliver(event)
            if self._hold is not None:  # that key opened another screen: the rest waits for it
                self._kept[:0] = kept[index + 1:]
                return
