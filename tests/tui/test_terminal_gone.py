"""The app leaves when its terminal hangs up, SIGHUP or not (tui/terminal_watch.py).

Found by hand: `make demo` in a tmux pane closed with `tmux kill-server` kept running
against the dead terminal at 100 % of a core; the app under make got no SIGHUP. Here
the real app runs in a real pseudo-terminal with SIGHUP ignored (as under nohup or a
wrapper that swallows it), and the terminal is closed under it.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from feedback_tui.store import Store
from feedback_tui.tui import terminal_watch


def test_a_hung_up_terminal_is_seen() -> None:
    master, slave = pty.openpty()
    try:
        assert not terminal_watch.gone(slave)
        os.close(master)
        assert terminal_watch.gone(slave)
    finally:
        os.close(slave)


def _read_until(fd: int, needle: bytes, deadline: float) -> bytes:
    seen = b""
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_the_app_exits_when_its_terminal_closes_without_a_sighup(tmp_path: Path) -> None:
    db = tmp_path / "feedback.db"
    Store.open(db).close()
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    child = subprocess.Popen(
        [sys.executable, "-m", "feedback_tui", "--db", str(db), "--agent", "camille"],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))  # noqa: PLW1509 - the point of the test
    os.close(slave)
    try:
        drawn = _read_until(master, b"Needs reply", time.monotonic() + 60)
        assert b"Needs reply" in drawn, drawn[-500:]
        assert child.poll() is None, "the app runs while its terminal is there"
        os.close(master)
        master = -1
        child.wait(timeout=60)  # a liveness bound, not a measurement: it checks every few seconds
    finally:
        if master >= 0:
            os.close(master)
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode is not None
