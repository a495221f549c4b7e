"""The app's threads share one malloc arena (issue 19: the app's peak memory; tui/allocator.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Four threads allocate at once, then glibc's malloc_stats() prints one "Arena N:" block per arena.
CODE = """
import ctypes, sys, threading, pathlib, tempfile
if sys.argv[1] == "app":
    from feedback_tui.tui.app import FeedbackApp
    FeedbackApp(db_path=pathlib.Path(tempfile.mkdtemp()) / "x.db", agent="a", watch=False)
barrier = threading.Barrier(4)
def work():
    barrier.wait()
    kept = [bytearray(100_000) for _ in range(20)]
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
ctypes.CDLL(None).malloc_stats()
"""


def arenas(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    result = subprocess.run([sys.executable, "-c", CODE, mode], capture_output=True, text=True, check=True, env=env)
    return sum(line.startswith("Arena ") for line in result.stderr.splitlines())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
def test_the_app_keeps_its_threads_in_one_malloc_arena() -> None:
    assert arenas("plain") > 1  # without the app, each thread gets an arena of its own
    assert arenas("app") == 1
