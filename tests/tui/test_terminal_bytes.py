"""The bytes a real terminal receives: the app runs in tmux on the every-field
corpus, ``pipe-pane`` records everything it writes, and none of the payloads'
own sequences (OSC 52, a title change, C1, bidi, DSR, DCS, BEL) is in there.

Textual draws with escape sequences of its own, so this looks for the payloads'
sequences, not for ESC in general (the Pilot walker checks every widget's text
for any raw control).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_hostile_surfaces import fill

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

RAW_SEQUENCES = (b"\x1b]52;", b"\x1b]2;PWNED", b"\x1b]8;;https://evil", b"\x07", b"\xc2\x9b", b"\xc2\x9d",
                 b"\xc2\x9c", b"\xe2\x80\xae", b"\xe2\x81\xa6", b"\x1b[6n", b"\x1bP1$r", b"\x1b[?1049l\x1b[6n")


def tmux(*args: str, check: bool = True) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=check, capture_output=True, text=True).stdout


SOCKET = f"feedback-tui-test-{os.getpid()}"


def wait_for(session: str, text: str, timeout: float = 15.0, *, escape: bool = False) -> str:
    """Wait until ``text`` is on screen; with ``escape``, press escape until it is."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        if escape:
            tmux("send-keys", "-t", session, "Escape")
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared:\n{screen}")


def test_no_payload_sequence_reaches_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "feedback.db"
    fill(db)
    record = tmp_path / "terminal.bytes"
    app = f"{shlex.quote(sys.executable)} -m feedback_tui --db {shlex.quote(str(db))} --agent camille"
    session = "hostile"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40",
         f"read _; TERM=xterm-256color exec {app}")
    try:
        tmux("pipe-pane", "-o", "-t", session, f"cat >> {shlex.quote(str(record))}")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "agent camille")
        for key, expect in (("4", "source:␛]52;"), ("Enter", "esc Back"), ("r", "palette"),
                            ("Escape", "Needs reply"), ("V", "Saved views"), ("Escape", "Needs reply"),
                            ("d", "Dashboard"), ("Escape", "Needs reply"), ("T", "template:␛]52;"), ("Escape", "Needs reply")):
            tmux("send-keys", "-t", session, key)
            wait_for(session, expect, escape=key == "Escape")
            time.sleep(0.3)  # let the screen finish drawing what it loaded
        assert "PWNED" not in tmux("display-message", "-p", "-t", session, "#{pane_title}")
        tmux("send-keys", "-t", session, "q")
        time.sleep(0.5)
    finally:
        tmux("kill-server", check=False)
    # Textual's own pointer-shape sequence (OSC 22) ends with BEL: the only BEL allowed.
    data = re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", record.read_bytes())
    assert len(data) > 10_000  # the app did draw
    assert "␛]52;".encode() in data  # the payloads were on screen, as placeholders
    for sequence in RAW_SEQUENCES:
        assert sequence not in data, sequence
