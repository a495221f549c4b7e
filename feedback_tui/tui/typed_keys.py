"""Priority bindings that read what was typed.

A priority binding (ctrl+s in an editor) runs as soon as the app receives the
key, while the keys typed just before it still wait in the focused widget's
queue: reading the text then sends or saves it without them (found in tmux and
in the browser: the last characters of a fast burst were lost). Deferring the
action to a callback queued behind those keys reads everything typed.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen


def after_typed_keys(screen: Screen[object], action: Callable[[], object]) -> None:
    """Run ``action`` once the focused widget has handled the keys queued before it."""
    focused = screen.focused
    if focused is None or not focused.call_later(action):
        action()
