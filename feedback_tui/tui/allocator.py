"""One malloc arena for the app's threads (issue 19: the app's peak memory at 1M reviews).

glibc gives each thread that allocates while another holds the lock an arena of
its own, up to eight per core. The app's workers run in a pool of threads, and
most of what they allocate is SQLite's (each worker's connection, its page cache
and its statements, freed when the worker closes it) and the rows they read.
Memory freed in one thread's arena is kept there for that arena's next
allocations: it cannot serve another thread's, so each arena kept the peak of
whatever worker last ran in it. At 1M reviews 30-40 MB of the app's resident
memory was such free memory (``mallinfo2().fordblks``), and the peak RSS of the
benchmark's session went 117-124 -> 87-91 MB with a single arena
(benchmarks/RESULTS.md). Whether sharing one arena's lock costs time is not
settled: no figure was worse on a loaded machine, the first paint read
0.05-0.1 s slower in two pairs on a quiet one (RESULTS.md, session 7).

Set once, when the app is made, before its first worker thread exists (an
arena already given to a thread stays with it). ``MALLOC_ARENA_MAX`` in the
environment, read by glibc itself, wins. Elsewhere than glibc (musl, macOS),
nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # glibc's malloc.h
APP_ARENAS = 1


def limit_malloc_arenas(arenas: int = APP_ARENAS) -> bool:
    """Ask glibc for at most ``arenas`` malloc arenas; whether it was set."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own symbols: libc's, no library search
    except (OSError, AttributeError):  # no mallopt: not glibc
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
