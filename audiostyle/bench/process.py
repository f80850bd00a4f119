"""Measure one process: its peak memory over a block, and a fresh process per cell.

Peak memory is the growth of the resident set during a run: the kernel's
high-water mark ``VmHWM`` in ``/proc/self/status`` after the run minus the RSS
before it. Before the run, free heap is handed back to the OS (``gc.collect`` and
glibc's ``malloc_trim(0)``, so memory freed by an earlier run is not silently
reused) and ``VmHWM`` is reset to the current RSS by writing ``5`` to
``/proc/self/clear_refs`` (Linux >= 4.0). Unlike :mod:`tracemalloc` this counts
torch's and numpy's native buffers. Where the reset is refused (another OS, a
locked-down kernel) it falls back to ``resource.getrusage`` ``ru_maxrss``
deltas, which are only exact in a fresh process: use :func:`isolated_map` (one
new process per cell, ``audiostyle bench --isolate``) there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

MB = 1024.0  # kB per MB in /proc/self/status


MEMORY_METHOD = (
    "peak_mb = growth of the resident set during one run: VmHWM after the run minus "
    "VmRSS before it, with VmHWM reset by writing 5 to /proc/self/clear_refs "
    "(falls back to getrusage ru_maxrss deltas where that is refused)"
)


def status_kb(field_name: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            text = f.read()
    except OSError:
        return None
    match = re.search(rf"^{field_name}:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def release_free_memory() -> None:
    """Return freed heap to the OS (gc, then glibc's malloc_trim where there is one)."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


class PeakMemory:
    """Measure the peak growth of this process's resident memory over a block (MB)."""

    def __init__(self) -> None:
        self.peak_mb: float | None = None
        self.method = "none"

    def __enter__(self) -> PeakMemory:
        release_free_memory()
        self._start_rss = status_kb("VmRSS")
        self._reset = False
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
                f.write("5")
            self._reset = status_kb("VmHWM") is not None
        except OSError:
            self._reset = False
        if not self._reset:
            import resource

            self._start_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB (Linux)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._reset and self._start_rss is not None:
            hwm = status_kb("VmHWM")
            if hwm is not None:
                self.peak_mb = max(hwm - self._start_rss, 0) / MB
                self.method = "vmhwm"
                return
        import resource

        end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.peak_mb = max(end - self._start_max, 0) / MB
        self.method = "maxrss"


def isolated_map(fn: Callable, items: list, *, env: dict[str, str] | None = None) -> Iterator:
    """Run ``fn`` on each item in a fresh process, one at a time, in order.

    Every cell then pays its own imports and starts with an empty allocator, so
    timings of the first run and peak memory are not shaped by earlier cells.
    ``env`` is set in each new process before ``fn`` (and torch) is imported there,
    e.g. ``{"OMP_NUM_THREADS": "1"}``. ``fn`` must be importable by reference.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for item in items:
        with ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_set_env, initargs=(dict(env or {}),)
        ) as pool:
            yield pool.submit(fn, item).result()


def _set_env(env: dict[str, str]) -> None:
    import os

    os.environ.update(env)
