"""Screens built ahead of need: composed, mounted, laid out and rendered, not shown.

Composing a screen of many widgets, then its first layout and rendering, take
Textual hundreds of milliseconds on a busy 2-core machine (the filter panel:
400-800 ms at its first opening at 1M, issue 19, against 117-328 ms for a
reopening). A screen the app will surely open can be built while the agent
reads the inbox, so that opening it costs what a reopening does
(``FilterDialog.reuse``).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.screen import Screen
from textual.widget import AwaitMount

RETRY_SECONDS = 0.2
STEP_GAP_SECONDS = 0.05  # between steps: a key queued meanwhile reaches the screen (and ready()) first


def build_ahead(app: App, screen: Screen, ready: Callable[[], bool] = lambda: True) -> None:
    """Build ``screen`` without showing it, in three steps, each once ``ready()`` holds.

    The steps: compose and mount it; lay it out; render it. Each holds the event
    loop up to ~100 ms on a busy machine, so each waits for ``ready()`` (the
    inbox: no key for a moment), and the next starts ``STEP_GAP_SECONDS`` later:
    a key that came during a step waits in the queues of the app, the focused
    widget and the screen, and only once it has gone through them can ``ready()``
    see it (with ``call_later`` the next steps ran first: a key at the start of
    the build waited 200-330 ms for all three).

    ``screen`` must be installed (``App.install_screen``), so that it lives until
    it is pushed. Textual has no public call for this: ``push_screen`` does the
    same registration (``App._get_screen``) for a screen that is not running yet,
    and finds it running when it is pushed later. The layout and the rendering
    are the screen's own compositor's, which displays nothing while the screen is
    not the current one; they fill the caches that its first showing would fill.
    """

    def when_ready(step: Callable[[], None]) -> None:
        if screen.is_current:
            return  # pushed meanwhile: it is built as it shows
        if ready():
            step()
        else:
            app.set_timer(RETRY_SECONDS, lambda: when_ready(step))

    def register() -> None:
        if screen.is_running:
            return
        widgets = app._register(app, screen)  # noqa: SLF001 - what push_screen does first (see above)

        async def mounted() -> None:
            await AwaitMount(screen, widgets)
            app.set_timer(STEP_GAP_SECONDS, lambda: when_ready(lay_out))

        app.call_next(mounted)

    def lay_out() -> None:
        if screen.is_attached:
            screen._refresh_layout(app.size)  # noqa: SLF001 - displays nothing: the screen is not current
            app.set_timer(STEP_GAP_SECONDS, lambda: when_ready(render))

    def render() -> None:
        if screen.is_attached:
            screen._compositor.render_update(full=True)  # noqa: SLF001 - the widgets' lines, for their caches

    when_ready(register)
