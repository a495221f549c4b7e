"""Reading export files as text: encoding detection and whole-file checks.

Exports come from spreadsheets and consoles that disagree on encodings:
UTF-8 with or without a BOM, UTF-16 with a BOM (Google Play), and Windows
cp1252 (Excel in France). We pick the encoding from the bytes, never from the
locale, and refuse binary files with one clear sentence.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import TextIO

from feedback_tui.errors import FileProblem

_CHUNK = 1 << 20


def check_readable(path: Path) -> int:
    """Size of a file we can read, or a :class:`FileProblem` saying why not."""
    if not path.exists():
        raise FileProblem(str(path), "no such file")
    if path.is_dir():
        raise FileProblem(str(path), "is a directory, not a file")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as error:
        raise FileProblem(str(path), f"cannot be read ({error.strerror})") from None
    if size == 0:
        raise FileProblem(str(path), "the file is empty")
    return size


def detect_encoding(path: Path) -> str:
    """``utf-8-sig``, ``utf-16`` or ``utf-8`` when the bytes say so, else ``cp1252``."""
    with path.open("rb") as handle:
        head = handle.read(8192)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if b"\x00" in head:
            raise FileProblem(str(path), "looks like a binary file, not CSV or JSON text")
        decoder = codecs.getincrementaldecoder("utf-8")()
        handle.seek(0)
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def open_text(path: Path) -> tuple[TextIO, str]:
    """The file as text (universal newlines kept for the csv module) and its encoding.

    Undecodable bytes become U+FFFD instead of aborting the import: the row
    still lands and the replacement character shows where the damage was.
    """
    check_readable(path)
    encoding = detect_encoding(path)
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
    return text, encoding


def count_lines(path: Path) -> int:
    """A cheap estimate of the number of rows, for progress bars."""
    total = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            total += chunk.count(b"\n")
    return total
