"""Giving the memory a full match has freed back to the operating system (glibc), so that the worker does
not hold it until the next night.

A full run allocates and frees arrays of megabytes by the thousand. Once a large one has been freed,
glibc serves arrays of that size from its heaps instead of mapping them (its mmap threshold grows), and
keeps what they free for later use: measured on bench.scale's data (100,000 volunteers × 10,000 needs,
250 MB of profiles), 1,030-1,120 MB stayed resident after a run with its result still held, and
410-430 MB after malloc_trim(0), which returns the free pages of every heap in about 10 ms. It is a
glibc extension: with another C library, nothing happens.
"""

import ctypes
import logging
from collections.abc import Callable
from functools import cache

log = logging.getLogger(__name__)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # looked up in the C library this process runs on
    except (OSError, AttributeError, TypeError):  # TypeError: Windows has no process-wide library
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Returns the C heap's free pages to the operating system; whether any were (False where the C
    library cannot). It walks every heap (about 10 ms after a full run): call it after one, not per task."""
    trim = _malloc_trim()
    if trim is None:
        return False
    released = bool(trim(0))
    log.debug("malloc_trim(0): %s", "memory released" if released else "nothing to release")
    return released
