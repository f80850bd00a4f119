"""Helpers the built-in executors share (timing a task, pinning threads, naming a worker).

The contract (:class:`Executor`, :class:`Resources`, :class:`TaskResult`) lives in
:mod:`audiostyle.contracts.executor`; this module re-exports it beside the helpers
the built-in executors share. Light (no torch, no ray).
"""

from __future__ import annotations

import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from audiostyle.contracts.executor import Executor, Resources, TaskResult

__all__ = [
    "Executor",
    "Resources",
    "TaskResult",
    "cpu_count",
    "describe_error",
    "map_function",
    "pin_threads",
    "run_task",
    "worker_name",
]


def cpu_count() -> int:
    """CPUs this process may use (affinity-aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def pin_threads(threads: int | None) -> None:
    """Set torch's intra-op thread count (and the OpenMP/MKL hints) to ``threads``.

    Before torch is imported the environment variables are enough (torch reads them
    when it loads); torch is not imported here for that.
    """
    if not threads:
        return
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    torch = sys.modules.get("torch")
    if torch is not None and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def worker_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def describe_error(exc: BaseException) -> str:
    """One line for a task's failure: the message alone for project errors."""
    from audiostyle.errors import AudiostyleError

    if isinstance(exc, AudiostyleError):
        return f"{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def run_task(
    fn: Callable[[Any], Any], task: Any, *, index: int, threads: int | None = None
) -> TaskResult:
    """Worker side: call ``fn(task)``, timing it and capturing any exception."""
    pin_threads(threads)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        value = fn(task)
    except Exception as exc:  # noqa: BLE001 - a task may raise anything; it is reported
        return TaskResult(
            index=index,
            ok=False,
            error=describe_error(exc),
            traceback=traceback.format_exc(),
            seconds=time.perf_counter() - start,
            worker=worker_name(),
            cpu_seconds=time.process_time() - cpu,
        )
    return TaskResult(
        index=index,
        ok=True,
        value=value,
        seconds=time.perf_counter() - start,
        worker=worker_name(),
        cpu_seconds=time.process_time() - cpu,
    )


def map_function(
    executor: Executor,
    *,
    on_error: Callable[[Any, str], Any] | None = None,
    resources: Resources | None = None,
) -> Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]:
    """A plain ``map_fn(fn, items)`` running on ``executor``, for APIs that take one.

    Values come back in the order tasks finish. A failed task (one that raised, or
    whose worker died) yields ``on_error(item, error_text)``; without ``on_error``
    it raises :class:`~audiostyle.errors.AudiostyleError`.
    """

    def map_fn(fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        from audiostyle.errors import AudiostyleError

        items = list(items)
        for result in executor.map(fn, items, resources=resources):
            if result.ok:
                yield result.value
            elif on_error is not None:
                yield on_error(items[result.index], result.error or "failed")
            else:
                raise AudiostyleError(f"task {result.index} failed: {result.error}")

    return map_fn
