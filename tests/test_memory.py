"""release_free_memory hands freed heap pages back: a process's USS falls after it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# In a fresh Python, so that the test process's own heap does not blur the numbers.
CHECK = textwrap.dedent("""
    import psutil
    from jupyterlab_nbjobs.memory import release_free_memory

    def uss():
        return psutil.Process().memory_full_info().uss / 2**20

    # 100 MB in 1 KB blocks (malloc's heap, not mmap); every 50th kept, as a burst's
    # bookkeeping leaves some objects behind among the freed ones.
    blocks = [bytes(1024) + bytes([i % 256]) for i in range(100_000)]
    kept = blocks[::50]
    del blocks
    before = uss()
    release_free_memory()
    print(round(before - uss(), 1), len(kept))
""")


def test_freed_heap_pages_are_given_back():
    if not sys.platform.startswith("linux"):
        pytest.skip("malloc_trim is glibc's")
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert float(out[0]) > 50, out  # of the ~98 MB freed, most goes back to the system

