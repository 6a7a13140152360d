"""Give freed memory back to the operating system after a large load.

pyarrow's allocator (mimalloc) and glibc's ``malloc`` keep freed blocks for
later use. After reading a programme, the Arrow buffers of the CSV or Parquet
read are freed but stay resident: about 0.3 GB for a 200,000-employee
programme, in every kernel of a report run (``docs/scaling.md``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

__all__ = [
    "CELL_SECONDS_PER_GB",
    "HEADROOM",
    "KERNEL_BASE_BYTES",
    "KERNEL_FACTOR",
    "RELEASE_MIN_BYTES",
    "available_bytes",
    "cell_timeout_for",
    "jobs_that_fit",
    "kernel_peak_bytes",
    "reading_memory",
    "release_memory",
    "release_memory_if_large",
]


def release_memory(generation: int = 2) -> None:
    """Give freed memory back to the system: garbage collection, pyarrow's pool, and (glibc) ``malloc_trim``.

    Parameters
    ----------
    generation : int
        Oldest generation the garbage collector examines: 2 (all objects), or
        1 after a load, whose garbage is young (a full collection of a process
        with pandas loaded costs about 30 ms).
    """
    import gc

    gc.collect(generation)
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:
        with contextlib.suppress(Exception):
            pyarrow.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)


_READING_LOCK = threading.Lock()
_MALLOC_TUNED = False
_MALLOPT: Any = None
"""glibc's ``mallopt`` once :func:`_tune_malloc` has set the thresholds (None otherwise)."""
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameters (``malloc.h``)."""

MMAP_THRESHOLD_BYTES = 32 * 2**20
"""Blocks up to this size come from the heap: glibc's largest mmap threshold, which it reaches by itself
only after the first such block is freed."""

READING_MMAP_THRESHOLD_BYTES = 256 * 2**20
"""Blocks up to this size come from the heap while a programme is read (:func:`reading_memory`)."""

TRIM_THRESHOLD_BYTES = 64 * 2**20
"""Free memory kept at the top of the heap: twice the mmap threshold, as glibc sets it when it raises that."""


def _tune_malloc() -> None:
    """Set glibc's ``malloc`` to what a large load needs, once per process (see :func:`reading_memory`).

    - **One arena.** By default glibc gives each new thread its own arena (up
      to 8 per core). A load runs pandas' or Arrow's reader threads, the column
      converters and the file hashing in different threads: each grew its
      own heap, and memory freed in one was not reused by the next.
    - **Heap blocks up to 32 MB, 64 MB kept free.** glibc starts by mapping
      every block above 128 kB on its own and unmapping it when freed, and
      raises that threshold (up to 32 MB) only as large blocks come and go.
      Each unmapping costs the process its pages: a block allocated later
      touches fresh pages, which the kernel must zero (and, on a virtual
      machine, the host must back). These are the values glibc itself ends
      with, set from the start.

    Measured on the 200,000-employee programme (``docs/scaling.md``): load +
    validate fell from 2.74 s to 2.40 s with one arena, then to 2.15 s with
    the thresholds; the kernel's share of the load's CPU time from 1.5 s to
    0.85 s, and its peak memory from 1.37 GB to 1.2 GB. glibc reads the
    arena limit once, so the settings stay for the process. A setting the
    user made through glibc's environment (``MALLOC_ARENA_MAX``,
    ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``) is left alone, and
    nothing is done off glibc.
    """
    global _MALLOC_TUNED, _MALLOPT
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version"):  # not glibc (musl...)
            return
        if not os.environ.get("MALLOC_ARENA_MAX"):
            libc.mallopt(M_ARENA_MAX, 1)
        if not os.environ.get("MALLOC_MMAP_THRESHOLD_") and not os.environ.get(
            "MALLOC_TRIM_THRESHOLD_"
        ):
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
            libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
            _MALLOPT = libc.mallopt


def _set_mmap_threshold(n_bytes: int) -> None:
    """glibc's mmap threshold, when :func:`_tune_malloc` owns it (else nothing)."""
    if _MALLOPT is not None:
        with contextlib.suppress(Exception):
            _MALLOPT(M_MMAP_THRESHOLD, n_bytes)


def _numpy_hugepage(enabled: bool) -> bool | None:
    """Set whether numpy asks for transparent huge pages for its large arrays; the previous setting.

    numpy calls ``madvise(MADV_HUGEPAGE)`` on every array of 4 MB or more
    (Linux). None when this numpy has no such switch, or when the user chose
    with ``NUMPY_MADVISE_HUGEPAGE``, which is then left alone.
    """
    if os.environ.get("NUMPY_MADVISE_HUGEPAGE") is not None:
        return None
    import numpy as np

    core = getattr(np, "_core", None) or getattr(np, "core", None)
    switch = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if switch is None:
        return None
    return bool(switch(enabled))


_reading_depth = 0
_reading_saved: tuple[object, bool, bool | None] | None = None


@contextlib.contextmanager
def reading_memory() -> Iterator[None]:
    """Arrow's system allocator, a larger heap, no cyclic garbage collection and no huge pages while reading.

    Reading 450 MB of CSV allocates about 2 GB of short-lived buffers. glibc's
    ``malloc`` is set once for the process (:func:`_tune_malloc`), and four
    process-wide settings make the allocation cheaper while a programme is
    read, put back when the last reader leaves (readers may nest or run in
    threads):

    - pyarrow's default pool becomes the system allocator (``malloc``). With
      pyarrow's own default (mimalloc) on the project's 2-core machine, about
      half of the load's CPU time went to the kernel zeroing fresh pages
      (``clear_page_erms`` in ``perf``); with ``malloc``, load + validate of
      the 200,000-employee programme fell from 4.5 s to 3.3 s
      (``docs/scaling.md``). Buffers allocated meanwhile keep their pool and
      stay valid afterwards. When ``ARROW_DEFAULT_MEMORY_POOL`` is set, Arrow's
      pool is the user's choice and is left alone.
    - glibc maps blocks above 256 MB on their own instead of above 32 MB
      (when :func:`_tune_malloc` set the thresholds): the 49 MB columns of
      the activity table then reuse the heap memory the CSV reader just freed,
      rather than new pages (load + validate 2.39 s -> 2.26 s, kernel CPU
      time -0.25 s). The heap's free pages go back to the system at the end of
      the load (:func:`release_memory`).
    - Python's cyclic garbage collector is paused: the load makes millions of
      short-lived objects in pandas and none of them form cycles, yet each
      burst of allocations triggers a collection (about 3 % of the load's
      CPU time).
    - numpy stops asking for transparent huge pages for its new arrays
      (:func:`_numpy_hugepage`). Where the kernel compacts memory to serve
      such a request (``defrag`` set to ``madvise``, the default of many
      distributions), a machine whose memory is fragmented spent about 0.1 s
      of CPU per 49 MB column of the activity table, against 0.03 s with
      ordinary pages: load + validate 2.29 s -> 2.01 s, kernel CPU time
      1.25 s -> 0.65 s (median of 8 alternating runs). Unless the user chose
      with ``NUMPY_MADVISE_HUGEPAGE``.
    """
    global _reading_depth, _reading_saved
    with _READING_LOCK:
        _tune_malloc()
        if _reading_depth == 0:
            import gc

            import pyarrow as pa

            pool = pa.default_memory_pool()
            if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
                pa.set_memory_pool(pa.system_memory_pool())
            _reading_saved = (pool, gc.isenabled(), _numpy_hugepage(False))
            gc.disable()
            _set_mmap_threshold(READING_MMAP_THRESHOLD_BYTES)
        _reading_depth += 1
    try:
        yield
    finally:
        with _READING_LOCK:
            _reading_depth -= 1
            if _reading_depth == 0 and _reading_saved is not None:
                import gc

                import pyarrow as pa

                pool, enabled, hugepage = _reading_saved
                pa.set_memory_pool(pool)
                if hugepage is not None:
                    _numpy_hugepage(hugepage)
                _set_mmap_threshold(MMAP_THRESHOLD_BYTES)
                if enabled:
                    gc.enable()
                _reading_saved = None


RELEASE_MIN_BYTES = 64 * 2**20
"""Data size below which :func:`release_memory_if_large` does nothing: a full garbage collection of a
report kernel (pandas, matplotlib, scipy loaded) costs about 0.1 s of CPU, more than the memory it would
give back after loading a small programme."""


def release_memory_if_large(n_bytes: int, generation: int = 2) -> bool:
    """:func:`release_memory` after handling ``n_bytes`` of data, when that is at least :data:`RELEASE_MIN_BYTES`.

    Parameters
    ----------
    n_bytes : int
        Size of the data just loaded or dropped (input files, or a programme in memory).
    generation : int
        As in :func:`release_memory`.

    Returns
    -------
    bool
        Whether memory was released.
    """
    if n_bytes < RELEASE_MIN_BYTES:
        return False
    release_memory(generation)
    return True


KERNEL_BASE_BYTES = 400 * 2**20
"""Resident memory of a report kernel before it loads a programme (Python, pandas, scipy, matplotlib)."""

KERNEL_FACTOR = 2.5
"""Peak resident memory of a report kernel per byte of the loaded programme (measured: 2.4 GB for 0.86 GB at
200,000 employees x 34 months, ``docs/scaling.md``): the programme, plus the panel and the fits of the onboarding
effect."""

HEADROOM = 0.8
"""Share of the available memory the reports may use together."""


def available_bytes(meminfo: str = "/proc/meminfo") -> int | None:
    """Memory available to new processes (Linux ``MemAvailable`` of ``meminfo``), or None where it cannot be read."""
    try:
        with open(meminfo, encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def kernel_peak_bytes(programme_bytes: int) -> int:
    """Expected peak resident memory of one report kernel on a programme of ``programme_bytes`` in memory.

    Parameters
    ----------
    programme_bytes : int
        In-memory size of the loaded programme's tables
        (:meth:`advocacy_eval.schema.Programme.memory_bytes`).
    """
    return int(KERNEL_BASE_BYTES + KERNEL_FACTOR * programme_bytes)


def jobs_that_fit(programme_bytes: int, wanted: int, available: int | None = None) -> int:
    """How many reports may run at once without exhausting memory (at least 1, at most ``wanted``).

    Parameters
    ----------
    programme_bytes : int
        In-memory size of the loaded programme.
    wanted : int
        Reports the caller would run at once (e.g. the number of cores).
    available : int, optional
        Bytes available (default: :func:`available_bytes`; when unknown, ``wanted`` is kept).

    Returns
    -------
    int

    Examples
    --------
    >>> jobs_that_fit(860 * 2**20, wanted=2, available=20 * 2**30)
    2
    >>> jobs_that_fit(4300 * 2**20, wanted=2, available=20 * 2**30)
    1
    """
    available = available_bytes() if available is None else available
    if available is None:
        return max(1, wanted)
    return max(1, min(wanted, int(HEADROOM * available // kernel_peak_bytes(programme_bytes))))


CELL_SECONDS_PER_GB = 600
"""Default per-cell time limit of a report, in seconds per GB of programme in memory (and at least this)."""


def cell_timeout_for(programme_bytes: int) -> int:
    """Default per-cell time limit of a report on a programme of ``programme_bytes`` in memory.

    600 s up to 1 GB (a 200,000-employee programme takes 0.9 GB and its
    longest cell about 40 s), then in proportion: the longest cell, the
    programme report's onboarding effects, grows with the employee x month
    panel (``docs/scaling.md``: 1,000,000 employees x 36 months, 4.3 GB,
    exceeded 600 s on a shared 2-core machine).

    Examples
    --------
    >>> cell_timeout_for(5 * 2**20), cell_timeout_for(4 * 2**30)
    (600, 2400)
    """
    return int(max(CELL_SECONDS_PER_GB, CELL_SECONDS_PER_GB * programme_bytes / 2**30))
