"""Untrusted text made safe to show in Textual.

Review text is data: we never pass it through a markup parser. We build
:class:`rich.text.Text` objects from plain strings, after :func:`clean` has
replaced control characters with visible placeholders.
"""

from __future__ import annotations

from rich.text import Text

from feedback_tui.store.search import match_spans
from feedback_tui.text import clean

__all__ = ["clean", "highlighted", "plain"]

MATCH_STYLE = "bold black on yellow"


def plain(text: str | None, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich Text that shows ``text`` literally (no markup is parsed)."""
    return Text(clean(text, single_line=single_line), style=style, no_wrap=single_line)


def highlighted(text: str | None, terms: tuple[str, ...], style: str = "", *, single_line: bool = False) -> Text:
    """:func:`plain`, with the search's matches styled: spans over the literal text, never markup."""
    shown = plain(text, style, single_line=single_line)
    for start, end in match_spans(shown.plain, terms):
        shown.stylize(MATCH_STYLE, start, end)
    return shown
