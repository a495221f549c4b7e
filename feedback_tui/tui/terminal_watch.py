"""Notice that the app's terminal has gone, and leave.

Closing the terminal window (or a dropped SSH session) normally sends SIGHUP and the
app ends. But a process started under another one (``make demo``, a wrapper script)
may not get the signal: the app then kept running against a hung-up terminal, its
input thread spinning at 100 % of a core (found by hand: a `make demo` in a tmux pane
closed with tmux kill-server was still running 15 minutes later). Every few seconds
the app asks the terminal for its settings; a hung-up one answers EIO, and the app
exits (drafts are saved as they are typed).

Only a real terminal is watched: in ``feedback-tui serve`` and under Pilot the app has
none, and nothing is checked.
"""

from __future__ import annotations

import os
import sys
import termios

CHECK_SECONDS = 3.0


def terminal_fd() -> int | None:
    """The descriptor of the terminal the app draws on, or None when it has none."""
    for stream in (sys.__stdin__, sys.__stdout__):
        try:
            if stream is not None and os.isatty(stream.fileno()):
                return stream.fileno()
        except (OSError, ValueError):  # closed or detached
            continue
    return None


def gone(fd: int) -> bool:
    """Whether the terminal behind ``fd`` has hung up (or was closed)."""
    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError):
        return True
    return False
