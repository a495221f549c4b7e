"""Screens built ahead of need: composed, mounted and laid out, not shown.

Composing a screen of many widgets, then its first layout and rendering, take
Textual hundreds of milliseconds on a busy 2-core machine (the filter panel:
400-800 ms at its first opening at 1M, issue 19, against 117-328 ms for a
reopening). A screen the app will surely open can be built while the agent
reads the inbox, so that opening it costs what a reopening does
(``FilterDialog.reuse``).
"""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen
from textual.widget import AwaitMount


def build_ahead(app: App, screen: Screen) -> None:
    """Start ``screen`` without showing it: compose and mount it, lay it out and render it once.

    ``screen`` must be installed (``App.install_screen``), so that it lives until
    it is pushed. Textual has no public call for this: ``push_screen`` does the
    same registration (``App._get_screen``) for a screen that is not running yet,
    and finds it running when it is pushed later. The layout and the rendering
    are the screen's own compositor's, which displays nothing while the screen
    is not the current one; they fill the widgets' caches that a first showing
    would otherwise fill.
    """
    if screen.is_running:
        return
    widgets = app._register(app, screen)  # noqa: SLF001 - what push_screen does first (see above)

    async def lay_out() -> None:
        await AwaitMount(screen, widgets)
        if screen.is_current or not screen.is_attached:
            return  # pushed meanwhile (it is laid out as it shows), or gone
        screen._refresh_layout(app.size)  # noqa: SLF001 - displays nothing: the screen is not current
        app.call_later(render)  # a second step: a key waiting in between is handled first

    def render() -> None:
        if not screen.is_current and screen.is_attached:
            screen._compositor.render_update(full=True)  # noqa: SLF001 - the widgets' lines, for their caches

    app.call_next(lay_out)
