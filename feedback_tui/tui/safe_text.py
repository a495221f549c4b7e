"""Untrusted text made safe to show in Textual.

Review text is data: we never pass it through a markup parser. We build
:class:`rich.text.Text` objects from plain strings, after :func:`clean` has
replaced control characters with visible placeholders.
"""

from __future__ import annotations

from rich.text import Text

from feedback_tui.text import clean

__all__ = ["clean", "plain"]


def plain(text: str | None, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich Text that shows ``text`` literally (no markup is parsed)."""
    return Text(clean(text, single_line=single_line), style=style, no_wrap=single_line)
