"""Priority bindings that read what was typed.

A priority binding (ctrl+s in an editor) runs as soon as the app receives the
key, while the keys typed just before it still wait in the focused widget's
queue: reading the text then sends or saves it without them (found in tmux and
in the browser: the last characters of a fast burst were lost). Deferring the
action to a callback queued behind those keys reads everything typed.

A key the focused widget does not take itself (``j`` on the inbox's list) then
travels up, queue by queue, to the app, which runs its binding there: the
callback follows the same way (the widget, each parent, the screen, the app),
so it also runs after ``j`` has moved the cursor (``jr`` in one burst replies
to the row ``j`` went to).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen


def after_typed_keys(screen: Screen[object], action: Callable[[], object]) -> None:
    """Run ``action`` once the keys queued before it have been handled, their bindings included."""
    focused = screen.focused
    hops = list(focused.ancestors_with_self) if focused is not None else [screen, screen.app]

    def hop(index: int) -> None:
        if index == len(hops):
            action()
        elif not hops[index].call_later(hop, index + 1):  # a node already closed: on to the next
            hop(index + 1)

    hop(0)
