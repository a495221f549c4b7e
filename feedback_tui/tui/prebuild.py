"""Screens built ahead of need: composed and mounted, not shown.

Composing a screen of many widgets takes Textual hundreds of milliseconds on a
busy 2-core machine (the filter panel: 400-800 ms at its first opening at 1M,
issue 19). A screen the app will surely open can be built while the agent reads
the inbox, so that opening it is a reuse (``FilterDialog.reuse``).
"""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen


def build_ahead(app: App, screen: Screen) -> None:
    """Start ``screen`` (compose and mount it, in its own message pump) without showing it.

    ``screen`` must be installed (``App.install_screen``), so that it lives until
    it is pushed. Textual has no public call for this: ``push_screen`` does the
    same registration (``App._get_screen``) for a screen that is not running yet,
    and finds it running when it is pushed later. Its composing runs in the
    screen's and its widgets' tasks, between the app's other messages (a key
    pressed meanwhile is not held up for the whole of it).
    """
    if not screen.is_running:
        app._register(app, screen)  # noqa: SLF001 - what push_screen does first (see above)
