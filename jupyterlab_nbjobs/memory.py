"""Giving freed memory back to the operating system."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc


def release_free_memory() -> None:
    """Collect garbage, then hand the C heap's free pages back (glibc's malloc_trim). What a
    burst of jobs allocated and freed otherwise stays counted in the server's memory (~14 MB
    after a few jobs). Blocking for a few ms; a no-op where the C library has no malloc_trim."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    name = ctypes.util.find_library("c")  # runs ldconfig: once
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None
