"""Untrusted text made safe to show.

Review text is data: Rich/Textual markup in it must not style or link, and
control characters (ANSI CSI/OSC sequences, bidi overrides, zero-width
characters) must not reach the terminal. We never pass review text through a
markup parser: we build :class:`rich.text.Text` objects from plain strings,
after replacing control characters with visible placeholders.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0/C1 controls except tab and newline, DEL, bidi embeddings/overrides/isolates,
# zero-width and invisible formatting characters.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if code == 0x1B:
        return "␛"
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ␁ ...
    return "\ufffd" if code in (0x7F,) or 0x80 <= code <= 0x9F else "·"


def clean(text: str | None, *, single_line: bool = False) -> str:
    """The text with every control character replaced by a visible placeholder."""
    if not text:
        return ""
    if single_line:
        text = " ".join(text.split())
    return _CONTROLS.sub(_visible, text)


def plain(text: str | None, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich Text that shows ``text`` literally (no markup is parsed)."""
    return Text(clean(text, single_line=single_line), style=style, no_wrap=single_line)
