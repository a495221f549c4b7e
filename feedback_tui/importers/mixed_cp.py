"""cp1252 files that hold rows written in cp850 (the DOS code page of French consoles).

Why: a French retailer's survey export (REAL_DATA.md 5b) is cp1252, but a third of its
comments came through a cp850 tool: their ``é`` is byte 0x82, which cp1252 reads as the
low quote ``‚`` ("impressionn‚", "employ‚s"). 1,358 of its 3,801 comments were damaged,
search missed them and the sentiment read broken words. A whole-file choice cannot fix
a file that mixes both, so the reader decides per character: a byte whose cp1252 reading
is a punctuation mark that French or English text never puts against a letter
(``‚ ƒ „ ‡ ˆ ‰ ‹`` and the two bytes cp1252 leaves undefined, 0x81 and 0x90) is read as
its cp850 letter (``é â ä ç ê ë ï ü É``) after a letter ("employ‚s"), and, for ``‚`` and
the letters that begin French words (``é â ç ê``, the undefined bytes) also before one
("‚t‚" is "été", "ƒge" is "âge"). ``„Zitat“`` keeps its quotes: an
opening quote before a word is a quote, and ``“`` (cp850's ``ô``) is left alone, since
German closes its quotes with it right after a letter.
Dashes, ellipses, ``Œ`` and ``’`` are never touched: cp1252 text writes them between
letters ("Saint–Étienne", "cœur", "l’avis").

``open_text`` reads every file detected as cp1252 through this codec
(``feedback-cp1252``); the same bytes then give the same text on every import, so
derived ids stay stable.
"""

from __future__ import annotations

import codecs
import re

NAME = "feedback-cp1252"
_BYTES = (0x81, 0x82, 0x83, 0x84, 0x87, 0x88, 0x89, 0x8B, 0x90)


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # undefined in cp1252: the reader's escape (textio._escape_bytes)
        return chr(0xDC00 + byte)


LETTERS = {_cp1252_char(b): bytes([b]).decode("cp850") for b in _BYTES}
_SUSPECT = "".join(LETTERS)
# Before a letter with no letter before it, only these ("‚t‚" is "été", "ƒge" "âge", "‡a" "ça"):
# "„Zitat" and "‹mot›" are quotes opening a word (0x84 and 0x8B stay quotes there).
_WORD_START = "".join(_cp1252_char(b) for b in (0x81, 0x82, 0x83, 0x87, 0x88, 0x90))  # ü é â ç ê É
_FIX = re.compile(f"(?<=[^\\W\\d_])[{_SUSPECT}]|[{_WORD_START}](?=[^\\W\\d_]|[{_SUSPECT}])")


_ANY = re.compile(f"[{_SUSPECT}]")


def _letter(match: re.Match[str]) -> str:
    return LETTERS[match.group(0)]


def fix(text: str) -> str:
    """``text`` (read as cp1252) with its cp850 letters put back; the same length."""
    if not _ANY.search(text):  # nearly every chunk: one C scan
        return text
    return _FIX.sub(_letter, text)


class IncrementalDecoder(codecs.IncrementalDecoder):
    """cp1252, then :func:`fix`; a suspect character at the end of a chunk waits for the next
    (its right-hand neighbour decides), and the chunk's last character is kept as the next
    one's left-hand context."""

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self._base = codecs.getincrementaldecoder("cp1252")(errors)
        self._before = ""  # the last character returned (already fixed)
        self._held = ""  # a suspect character not returned yet

    def decode(self, input: bytes, final: bool = False) -> str:  # noqa: A002 - the codecs API's name
        text = self._held + self._base.decode(input, final)
        self._held = ""
        if not final and text and text[-1] in _SUSPECT:
            text, self._held = text[:-1], text[-1]
        if not text:
            return ""
        fixed = fix(self._before + text)[len(self._before):]
        self._before = fixed[-1]
        return fixed

    def reset(self) -> None:
        self._base.reset()
        self._before = self._held = ""

    def getstate(self) -> tuple[bytes, int]:
        # The held character's byte is undecoded input again; the left context is not kept
        # (TextIOWrapper asks only to compute tell(), which the importers use to seek(0)).
        held = b"" if not self._held else bytes([_BYTES[list(LETTERS).index(self._held)]])
        return held, 0

    def setstate(self, state: tuple[bytes, int]) -> None:
        self.reset()
        if state[0]:
            self._held = self._base.decode(state[0])


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != NAME:
        return None
    base = codecs.lookup("cp1252")
    return codecs.CodecInfo(name=NAME, encode=base.encode, decode=lambda data, errors="strict": (
        fix(codecs.decode(data, "cp1252", errors)), len(data)),
        incrementalencoder=base.incrementalencoder, incrementaldecoder=IncrementalDecoder,
        streamreader=base.streamreader, streamwriter=base.streamwriter)


codecs.register(_search)
