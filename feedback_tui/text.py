"""Untrusted text made inert, for every output: screens, reports, exports.

Control characters (ANSI CSI/OSC sequences start with ESC), bidi overrides
and zero-width characters are replaced by visible placeholders, so a review
can neither move the cursor, retitle the terminal, write the clipboard nor
reorder what an agent reads.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# C0/C1 controls except tab and newline, DEL, bidi embeddings/overrides/isolates,
# zero-width and invisible formatting characters, the Arabic letter mark, line and
# paragraph separators, and lone surrogates (which cannot even be encoded).
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code == 0x1B:
        return "␛"
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ␁ ...
    if code == 0x7F or 0x80 <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if code in (0x2028, 0x2029):
        return "↵"
    return "·"


def clean(text: str | None, *, single_line: bool = False) -> str:
    """The text with every control character replaced by a visible placeholder."""
    if not text:
        return ""
    if single_line:
        text = " ".join(text.split())
    return _CONTROLS.sub(_visible, text)


# ASCII punctuation that can open emphasis, code, links, images, autolinks, HTML,
# entities or a table cell. CommonMark lets a backslash escape any of them. An
# underscore inside a word (app_store) never makes emphasis: it stays readable.
# Renderers with GFM's autolinks (GitHub, GitLab, chat tools) also link bare
# ``https://…``, ``www.…``, ``name@host`` and even ``evil.com/x``: the ``:`` of ``://``,
# a dot before a letter or digit and ``@`` are escaped too, which also keeps
# ``@everyone`` from pinging a channel; ``$`` would open maths in some of them.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|&!#~@$]|:(?=//)|\.(?=[0-9A-Za-z])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z]))")


def markdown_cell(text: object) -> str:
    """A value shown literally inside a Markdown table cell or line: a product
    named ``[win](https://evil)`` or ``<img src=x>`` stays text, not a link or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", clean(str(text), single_line=True))


def _finite(value: Any) -> Any:
    """NaN and infinities become None: JSON has no such numbers, and a reader that
    accepts ``NaN`` (Python's) would hand it to the next tool as a figure."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON that is safe to print: readable accents and emoji, but every control,
    C1, bidi, invisible character and lone surrogate written as a ``\\uXXXX`` escape
    (they only ever occur inside strings, where the escape means the same text)."""
    text = json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, indent=indent)
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
