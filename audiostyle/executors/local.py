"""The ``local`` executor: a pool of worker processes on this machine.

Workers are started with the ``spawn`` method (safe with torch and threads), each
computing with a fixed number of torch threads set when it starts. Each worker runs
one task at a time, so the parent always knows which task a worker holds: if a
worker dies (killed, out of memory) only its task fails, a fresh worker takes its
place and the others go on. Workers ignore SIGINT; the parent handles Ctrl-C by
terminating them. A worker whose parent disappears (SIGKILL) exits by itself.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing import connection
from typing import Any

from audiostyle.executors.base import (
    Executor,
    Resources,
    TaskResult,
    cpu_count,
    describe_error,
    pin_threads,
    run_task,
)
from audiostyle.executors.options import LocalOptions

PARENT_CHECK_INTERVAL = 1.0  # s between a worker's checks that its parent is alive
TERMINATE_GRACE = 2.0  # s a worker gets to exit after SIGTERM before SIGKILL


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_INTERVAL)
        if os.getppid() != parent_pid:
            os._exit(1)


def _worker_main(conn, threads: int, parent_pid: int) -> None:
    """Entry point of a worker process: run tasks until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    pin_threads(threads)
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not message:
            return
        index = -1
        try:
            index, fn, task = pickle.loads(message)
            result = run_task(fn, task, index=index)
        except Exception as exc:  # noqa: BLE001 - an unpicklable task is that task's failure
            result = TaskResult(index=index, ok=False, error=f"cannot load the task: {exc}")
        try:
            payload = pickle.dumps(result)
        except Exception as exc:  # noqa: BLE001
            payload = pickle.dumps(
                TaskResult(
                    index=index,
                    ok=False,
                    error=f"the task's result cannot be sent back (not picklable): {exc}",
                    seconds=result.seconds,
                    worker=result.worker,
                )
            )
        try:
            conn.send_bytes(payload)
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Worker:
    process: Any
    conn: Any
    index: int | None = None


def _death_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            sig = signal.Signals(-exitcode).name
        except ValueError:
            sig = f"signal {-exitcode}"
        how = f"was killed by {sig}"
        if sig == "SIGKILL":
            how += " (out of memory, or killed by hand)"
    else:
        how = f"exited with code {exitcode}"
    return f"WorkerDied: the worker process {how} while running this task; it was not finished."


class LocalExecutor(Executor):
    """A pool of ``workers`` processes, each with ``threads`` torch threads."""

    name = "local"

    def __init__(self, options: LocalOptions | None = None) -> None:
        super().__init__(options or LocalOptions())
        cores = cpu_count()
        opts = self.options
        threads = opts.threads
        if opts.workers is None:
            self.workers = max(1, cores // (threads or 1))
        else:
            self.workers = opts.workers
        self.threads = threads or max(1, cores // self.workers)
        self.cores = cores
        self._pool: list[_Worker] = []

    @property
    def slots(self) -> int:  # noqa: D102
        return self.workers

    @property
    def task_threads(self) -> int:  # noqa: D102
        return self.threads

    def describe(self) -> str:  # noqa: D102
        return (
            f"local pool: {self.workers} worker{'s' if self.workers != 1 else ''} x "
            f"{self.threads} torch thread{'s' if self.threads != 1 else ''} "
            f"({self.cores} cores)"
        )

    # -- workers -------------------------------------------------------------------
    def _spawn(self) -> _Worker:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        process = ctx.Process(
            target=_worker_main,
            args=(child_conn, self.threads, os.getpid()),
            name="audiostyle-worker",
            daemon=True,
        )
        process.start()
        child_conn.close()
        return _Worker(process, parent_conn)

    def start(self) -> None:
        """Start the worker processes now (otherwise the first :meth:`map` does)."""
        while len(self._pool) < self.workers:
            self._pool.append(self._spawn())

    def _replace(self, worker: _Worker) -> _Worker:
        self._stop(worker, graceful=False)
        fresh = self._spawn()
        self._pool[self._pool.index(worker)] = fresh
        return fresh

    @staticmethod
    def _stop(worker: _Worker, *, graceful: bool) -> None:
        if graceful and worker.process.is_alive():
            with contextlib.suppress(OSError):
                worker.conn.send_bytes(b"")
            worker.process.join(TERMINATE_GRACE)
        if worker.process.is_alive():
            worker.process.terminate()
            worker.process.join(TERMINATE_GRACE)
        if worker.process.is_alive():  # pragma: no cover - ignored SIGTERM
            worker.process.kill()
            worker.process.join()
        with contextlib.suppress(OSError):
            worker.conn.close()

    def close(self) -> None:  # noqa: D102
        pool, self._pool = self._pool, []
        for worker in pool:
            self._stop(worker, graceful=worker.index is None)

    # -- map -----------------------------------------------------------------------
    def map(
        self,
        fn: Callable[[Any], Any],
        tasks: Iterable[Any],
        *,
        resources: Resources | None = None,
        on_result: Callable[[TaskResult], None] | None = None,
    ) -> Iterator[TaskResult]:
        """Run ``fn`` over ``tasks`` on the pool (see :meth:`Executor.map`)."""
        self.start()
        todo = enumerate(tasks)
        exhausted = False
        clean = False

        def emit(result: TaskResult) -> TaskResult:
            return self.finish(result, on_result)

        try:
            while True:
                # Hand a task to every idle worker.
                for worker in self._pool:
                    if worker.index is not None or exhausted:
                        continue
                    item = next(todo, None)
                    if item is None:
                        exhausted = True
                        break
                    index, task = item
                    try:
                        payload = pickle.dumps((index, fn, task))
                    except Exception as exc:  # noqa: BLE001
                        yield emit(
                            TaskResult(
                                index=index,
                                ok=False,
                                error=f"the task cannot be sent to a worker: {describe_error(exc)}",
                            )
                        )
                        continue
                    worker.index = index
                    try:
                        worker.conn.send_bytes(payload)
                    except OSError:
                        pass  # a dead worker: found below through its sentinel
                busy = [w for w in self._pool if w.index is not None]
                if not busy:
                    if exhausted:
                        break
                    continue
                waitables = [w.conn for w in busy] + [w.process.sentinel for w in busy]
                connection.wait(waitables)
                for worker in busy:
                    index = worker.index
                    result = None
                    lost = False
                    try:
                        if worker.conn.poll():
                            result = pickle.loads(worker.conn.recv_bytes())
                    except (EOFError, OSError):
                        lost = True  # the pipe closed: the worker is gone or going
                    if result is not None:
                        worker.index = None
                        yield emit(result)
                    elif lost or not worker.process.is_alive():
                        worker.process.join(TERMINATE_GRACE)
                        message = _death_message(worker.process.exitcode)
                        self._replace(worker)
                        yield emit(TaskResult(index=index, ok=False, error=message))
            clean = True
        finally:
            if not clean:  # Ctrl-C, an error in the caller, or the loop left early
                self.close()
