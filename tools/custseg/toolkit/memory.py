"""Keep freed memory for reuse during a run (glibc's heap and Arrow's allocator), then let it go.

A run on millions of rows makes hundreds of short-lived arrays of tens of megabytes. By
default glibc hands each one to the kernel on free and asks for fresh pages on the next
allocation, and the kernel zeroes every fresh page: on the benchmark that zeroing was a
third of all CPU time. Serving large allocations from the heap and not trimming it while
the run lasts reuses pages that are already mapped; the defaults come back afterwards and
the heap is trimmed, so a long-lived process does not keep the memory. Arrow's own allocator
is asked (in custseg/__init__.py, before it starts) to keep freed memory for ten seconds,
and to release it when a run ends.
"""

from __future__ import annotations

import ctypes
import platform
from contextlib import contextmanager
from typing import Iterator

# mallopt parameters (malloc.h) and the glibc defaults they return to.
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX = -1, -2, -4
DEFAULTS = {M_MMAP_MAX: 65536, M_TRIM_THRESHOLD: 128 * 1024, M_TOP_PAD: 0}
DURING_RUN = {M_MMAP_MAX: 0, M_TRIM_THRESHOLD: 1 << 36, M_TOP_PAD: 256 << 20}


def _glibc():
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


@contextmanager
def reusing_freed_memory(libc=None) -> Iterator[None]:
    libc = libc if libc is not None else _glibc()
    if libc is not None:
        for param, value in DURING_RUN.items():
            libc.mallopt(param, value)
    try:
        yield
    finally:
        if libc is not None:
            for param, value in DEFAULTS.items():
                libc.mallopt(param, value)
            libc.malloc_trim(0)
        _release_arrow_memory()


def _release_arrow_memory() -> None:
    """Hand Arrow's freed memory back now: custseg/__init__.py asks its allocator to keep
    freed memory for a while, which serves a run but need not outlive it."""
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):  # no pyarrow, or one without release_unused
        pass
