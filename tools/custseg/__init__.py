"""custseg: customer segmentation that computes every number before a model writes a word.

Layers (each imports only the ones before it):
ingest -> compute -> facts -> render; agent and build sit on top.
"""

import os as _os
import sys as _sys

if "pyarrow" not in _sys.modules:  # read once, when Arrow's allocator (mimalloc) starts
    # By default mimalloc hands freed memory back to the kernel after 10 ms, and the kernel
    # zeroes every page it hands out again: a run on millions of rows frees and reallocates
    # large arrays all the time. Ten seconds lets a run reuse its own memory (a fifth fewer
    # fresh pages on the benchmark) and still returns it soon after; see toolkit/memory.py.
    _os.environ.setdefault("MIMALLOC_PURGE_DELAY", "10000")

from custseg.errors import InputError  # noqa: E402
from custseg.ingest import Dataset, IngestOptions, load  # noqa: E402

__all__ = ["Dataset", "IngestOptions", "InputError", "load"]
__version__ = "0.1.0"
