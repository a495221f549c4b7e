"""The page cache of a bulk load's end (issue 19: the 1M import).

A bulk load's end reads the whole table eleven times (search index, then each
index rebuilt), from the log page by page, as the table outgrows the import's
cache: with a cache that holds the database (1.4 GB at 1M reviews), from memory
after the first read (-4 s CPU at 1M, benchmarks/RESULTS.md). Larger databases
would still be read from the log each time, so they keep the import's cache.
Nor may the cache take memory the machine does not have free: a small server
importing 1M reviews would swap, or be killed, where today's cache is enough.
It takes at most half of what the kernel says is available.
"""

from __future__ import annotations

from pathlib import Path

TAIL_CACHE_KIB = 2 * 1024 * 1024
MEMINFO = Path("/proc/meminfo")


def available_kib() -> int | None:
    """``MemAvailable`` from /proc/meminfo (Linux); None where it cannot be read."""
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def tail_cache_kib(pages: int, page_size: int, available: int | None) -> int | None:
    """The cache (KiB) for the end of a bulk load of a database of ``pages`` pages,
    or None to keep the import's: the database must fit in it, and it in half of
    ``available`` (KiB; None, unknown: the cap alone)."""
    needed = -(-pages * page_size // 1024)
    limit = TAIL_CACHE_KIB if available is None else min(TAIL_CACHE_KIB, available // 2)
    return limit if needed <= limit else None
