"""Give freed memory back to the operating system after a large load.

pyarrow's allocator (mimalloc) and glibc's ``malloc`` keep freed blocks for
later use. After reading a programme, the Arrow buffers of the CSV or Parquet
read are freed but stay resident: about 0.3 GB for a 200,000-employee
programme, in every kernel of a report run (``docs/scaling.md``).
"""

from __future__ import annotations

import contextlib
import sys


def release_memory() -> None:
    """Give freed memory back to the system: garbage collection, pyarrow's pool, and (glibc) ``malloc_trim``."""
    import gc

    gc.collect()
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        with contextlib.suppress(Exception):
            pyarrow.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)
