"""A terminal that hangs up (SIGHUP: the window closed, ``tmux kill-server``) keeps what was
typed in the composer, even the keystrokes its half-second debounce had not saved yet.

Found by hand: typing " FASTKILL" then ``tmux kill-server`` 0.2 s later lost those words:
Python's default SIGHUP ends the process on the spot, so the composer's save on leaving
never ran. The real app runs here in a real pseudo-terminal; the debounce is set to an hour
in the child so that only the save on leaving can write the draft (no timing involved).
"""

from __future__ import annotations

import os
import re
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from conftest import REVIEW_HEADER, import_file, write_csv
from feedback_tui.store import Store

CHILD = """
import sys
from feedback_tui.tui.screens import composer
composer.DRAFT_DELAY = 3600.0  # only the save on leaving can write the draft
from feedback_tui.cli import main
sys.argv = ["feedback-tui", *sys.argv[1:]]
main()
"""


_ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


class Screen:
    """What the app has drawn so far, its escape sequences taken out."""

    def __init__(self, fd: int) -> None:
        self.fd, self.raw = fd, b""

    def wait_for(self, needle: bytes, deadline: float) -> bool:
        """Wait for ``needle`` in the drawn text (escape sequences taken out)."""
        return self._read_until(lambda: needle in _ESCAPES.sub(b"", self.raw), deadline)

    def wait_raw(self, sequence: bytes, deadline: float) -> bool:
        """Wait for a control sequence itself, among the bytes still to come."""
        start = len(self.raw)
        return self._read_until(lambda: sequence in self.raw[start:], deadline)

    def _read_until(self, found: Callable[[], bool], deadline: float) -> bool:
        while time.monotonic() < deadline:
            if found():
                return True
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                try:
                    self.raw += os.read(self.fd, 65536)
                except OSError:
                    return False
        return False


def _app_on_one_review(tmp_path: Path, db_path: Path, program: list[str]) -> tuple[subprocess.Popen[bytes], int]:
    """The real app on one review, in a pseudo-terminal of its own: (the process, the master side)."""
    csv_path = write_csv(tmp_path / "one.csv", REVIEW_HEADER, [
        ["r1", "trustpilot", 5, "Super", "Livraison rapide, merci.", "Ann", "2026-03-02T10:00:00Z", "fr", "", ""]])
    with Store.open(db_path) as store:
        import_file(store, csv_path)
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    child = subprocess.Popen([sys.executable, *program, "--db", str(db_path), "--agent", "camille"],
                             stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                             start_new_session=True)
    os.close(slave)
    return child, master


def _stop(child: subprocess.Popen[bytes], master: int) -> None:
    os.close(master)
    if child.poll() is None:
        child.kill()
        child.wait()


def test_sighup_in_the_composer_saves_the_last_keystrokes(tmp_path: Path, db_path: Path) -> None:
    child, master = _app_on_one_review(tmp_path, db_path, ["-c", CHILD])
    try:
        deadline = time.monotonic() + 60  # liveness bounds, not measurements
        screen = Screen(master)
        assert screen.wait_for(b"1 of 1 reviews", deadline), "the list has its row under the cursor"
        os.write(master, b"r")
        assert screen.wait_for(b"another", deadline), "the composer is up"
        os.write(master, b" HUPWORD")
        assert screen.wait_for(b"HUPWORD", deadline), "the keys reached the editor"
        child.send_signal(signal.SIGHUP)
        child.wait(timeout=60)
    finally:
        _stop(child, master)
    conn = sqlite3.connect(db_path)
    try:
        texts = [row[0] for row in conn.execute("SELECT text FROM drafts WHERE agent = 'camille'")]
    finally:
        conn.close()
    assert len(texts) == 1 and texts[0].endswith(" HUPWORD"), texts


def test_a_sigcont_while_leaving_does_not_keep_the_process_alive(tmp_path: Path, db_path: Path) -> None:
    """A terminal closed just after ``q`` sends SIGHUP and SIGCONT: Textual's driver answered
    the SIGCONT by starting its input thread again after it had stopped, and that thread (not a
    daemon) kept the finished app alive for good, spinning a core (found by hand: ``q`` then
    ``tmux kill-server`` 0.2 s later). Here SIGCONT keeps coming once the app has left the
    alternate screen (the driver has stopped), until the process ends."""
    child, master = _app_on_one_review(tmp_path, db_path, ["-m", "feedback_tui"])
    try:
        deadline = time.monotonic() + 60  # liveness bounds, not measurements
        screen = Screen(master)
        assert screen.wait_for(b"1 of 1 reviews", deadline), "the list has its row under the cursor"
        os.write(master, b"q")
        assert screen.wait_raw(b"\x1b[?1049l", deadline), "the app left the alternate screen"
        while child.poll() is None and time.monotonic() < deadline:
            child.send_signal(signal.SIGCONT)
            ready, _, _ = select.select([master], [], [], 0.002)
            if ready:  # keep draining the terminal so the app's last writes never block
                try:
                    os.read(master, 65536)
                except OSError:
                    pass
        assert child.poll() is not None, "the app is still running after q"
        assert child.returncode == 0
    finally:
        _stop(child, master)
