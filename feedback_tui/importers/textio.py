"""Reading export files as text: encoding detection and whole-file checks.

Exports come from spreadsheets and consoles that disagree on encodings:
UTF-8 with or without a BOM, UTF-16 with a BOM (Google Play), and Windows
cp1252 (Excel in France). We pick the encoding from the bytes, never from the
locale, and refuse binary files with one clear sentence.

Bytes that are not valid in the file's encoding never stop an import and are
never dropped: the reader turns each one into a lone surrogate (U+DC00 + the
byte, which no valid text can contain), and :func:`repair` turns those, and
NUL characters, into U+FFFD per value, telling the caller which rows were
touched. A UTF-8 file with a few damaged bytes stays UTF-8 (its emoji and
accents intact); only a file whose non-ASCII bytes are mostly not UTF-8 is
read as cp1252.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path
import typing
from typing import TextIO

from feedback_tui.errors import FileProblem
from feedback_tui.importers import mixed_cp

_CHUNK = 1 << 20
ESCAPE_ERRORS = "feedback-tui-escape"
REPLACEMENT = "\ufffd"
# Lone surrogates (undecodable bytes, or \udXXX escapes in JSON) and NUL: SQLite
# cannot store the first, and truncates the second in substr(), length() and FTS.
_DAMAGE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Bytes a text export does not contain (C0 controls except tab, newlines, form
# feed, BEL and ESC, which hostile but real reviews do carry).
_BINARY_BYTES = bytes(sorted(set(range(32)) - {7, 9, 10, 12, 13, 27}))
BINARY_RATIO = 0.05


def _escape_bytes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each undecodable byte becomes U+DC00 + byte."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start:error.end]
    return "".join(chr(0xDC00 + b) for b in bad), error.end


codecs.register_error(ESCAPE_ERRORS, _escape_bytes)


def repair(text: str) -> tuple[str, bool]:
    """``text`` with undecodable bytes and NUL characters replaced by U+FFFD,
    and whether anything was replaced."""
    if not _DAMAGE.search(text):
        return text, False
    return _DAMAGE.sub(REPLACEMENT, text), True


def has_damage(text: str) -> bool:
    """Whether :func:`repair` would change ``text`` (fast for clean ASCII)."""
    if "\x00" in text:
        return True
    return not text.isascii() and _SURROGATE.search(text) is not None


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    first_line = head.split(b"\n", 1)[0]
    return controls / len(head) > BINARY_RATIO or (b"\x00" in first_line and len(first_line) < len(head))


def check_readable(path: Path) -> int:
    """Size of a file we can read, or a :class:`FileProblem` saying why not."""
    if not path.exists():
        raise FileProblem(str(path), "no such file")
    if path.is_dir():
        raise FileProblem(str(path), "is a directory, not a file")
    if not path.is_file():
        # a FIFO with no writer would block the import forever, a device never ends
        raise FileProblem(str(path), "is not a regular file (a FIFO, device or socket): save the export to a file")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as error:
        raise FileProblem(str(path), f"cannot be read ({error.strerror})") from None
    if size == 0:
        raise FileProblem(str(path), "the file is empty")
    return size


def shown_name(name: str) -> str:
    """A file name as text that can be printed and stored: bytes that are not
    UTF-8 (kept by the OS as lone surrogates) become U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT, name)


def detect_encoding(path: Path) -> str:
    """``utf-8-sig``, ``utf-16`` or ``utf-8`` when the bytes say so, else ``cp1252``."""
    with path.open("rb") as handle:
        head = handle.read(8192)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if _looks_binary(head):
            raise FileProblem(str(path), "looks like a binary file, not CSV or JSON text")
        decoder = codecs.getincrementaldecoder("utf-8")()
        handle.seek(0)
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            handle.seek(0)
            return "utf-8" if _mostly_utf8(handle) else "cp1252"
    return "utf-8"


def _mostly_utf8(handle: typing.BinaryIO) -> bool:
    """Whether a file that is not valid UTF-8 is still UTF-8 with a few damaged
    bytes: some well-formed multi-byte characters, at least one for every four
    invalid bytes. A cp1252 file (``é`` is one byte followed by ASCII) has
    almost no well-formed sequence."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    valid = invalid = 0
    final = False
    while not final:
        chunk = handle.read(_CHUNK)
        final = not chunk
        text = decoder.decode(chunk, final=final)  # type: ignore[arg-type]
        bad = len(_SURROGATE.findall(text))
        invalid += bad
        valid += len(text) - len(text.encode("ascii", "ignore")) - bad  # well-formed non-ASCII characters
    # Misreading UTF-8 as cp1252 would silently turn every accent and emoji into
    # mojibake; misreading cp1252 as UTF-8 replaces its accents with U+FFFD,
    # flagged. So a few genuine multi-byte characters are enough to say UTF-8.
    return valid > 0 and valid * 4 >= invalid


def open_text(path: Path) -> tuple[TextIO, str]:
    """The file as text (universal newlines kept for the csv module) and its encoding.

    Undecodable bytes do not abort the import: they become lone surrogates
    that :func:`repair` replaces with U+FFFD, row by row, so the row still
    lands, flagged, and the replacement character shows where the damage was.
    """
    check_readable(path)
    encoding = detect_encoding(path)
    raw = path.open("rb")
    # cp1252 with the letters of rows written in cp850 put back (importers/mixed_cp.py)
    reading = mixed_cp.NAME if encoding == "cp1252" else encoding
    text = io.TextIOWrapper(raw, encoding=reading, errors=ESCAPE_ERRORS, newline="")
    return text, encoding


def count_lines(path: Path) -> int:
    """A cheap estimate of the number of rows, for progress bars."""
    total = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            total += chunk.count(b"\n")
    return total
