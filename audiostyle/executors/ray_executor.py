"""The ``ray`` executor: one Ray task per job, on a cluster or a local instance.

``address`` names a running cluster (``auto`` finds one started with ``ray start``);
without it a local instance is started with one CPU per core and no dashboard, and
stopped again by :meth:`RayExecutor.close`. If Ray is already initialised in this
process (a notebook, a test), that session is used and left running.

Each task requests ``cpus_per_task`` CPUs (and ``gpus_per_task`` GPUs, default 1 with
``--device cuda``); Ray reruns a task whose worker or node died up to
``max_retries`` times. Tasks read their inputs by path, so on a cluster the inputs
must be on a file system every node sees; results come back to the caller.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from audiostyle.errors import AudiostyleError, DependencyError
from audiostyle.executors.base import Executor, Resources, TaskResult, cpu_count, run_task
from audiostyle.executors.options import RayOptions

INSTALL_HINT = 'pip install -e ".[ray]"  (or pip install "audiostyle[ray]")'


class ExecutorError(AudiostyleError):
    """The executor cannot start or lost its cluster."""


def import_ray():
    """Import ray, or raise :class:`DependencyError` saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise DependencyError(
            f"the ray executor needs Ray, which is not installed ({exc}). Install it with "
            f"{INSTALL_HINT}, or use --executor local."
        ) from None
    return ray


def _ray_task(fn: Callable[[Any], Any], task: Any, index: int, threads: int) -> TaskResult:
    """Runs on a Ray worker: one task with its torch threads pinned."""
    return run_task(fn, task, index=index, threads=threads)


class RayExecutor(Executor):
    """Runs each task as a Ray task (see the module docstring)."""

    name = "ray"

    def __init__(self, options: RayOptions | None = None) -> None:
        super().__init__(options or RayOptions())
        self.ray = import_ray()
        self._owned = False
        self._remote = None

    # -- connection ----------------------------------------------------------------
    def start(self) -> None:
        """Connect to the cluster, or start a local instance (idempotent)."""
        ray = self.ray
        if ray.is_initialized():
            return
        opts = self.options
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": logging.WARNING,
            "configure_logging": True,
        }
        if opts.address:
            kwargs["address"] = opts.address
        else:
            cpus = cpu_count()
            if opts.workers is not None:
                cpus = max(1, int(round(opts.workers * opts.cpus_per_task)))
            kwargs["num_cpus"] = cpus
        try:
            ray.init(**kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"at {opts.address!r}" if opts.address else "locally"
            raise ExecutorError(
                f"cannot start or reach Ray {where}: {exc}. For a cluster, start it with "
                "'ray start --head' and pass --address auto (or host:port); without "
                "--address a local instance is started."
            ) from None
        self._owned = True

    def close(self) -> None:  # noqa: D102
        if self._owned and self.ray.is_initialized():
            self.ray.shutdown()
        self._owned = False

    def cluster_cpus(self) -> float:
        """CPUs of the cluster (after :meth:`start`)."""
        return float(self.ray.cluster_resources().get("CPU", 1.0))

    @property
    def slots(self) -> int:  # noqa: D102
        if self.options.workers is not None:
            return self.options.workers
        if not self.ray.is_initialized():
            return max(1, int(cpu_count() / self.options.cpus_per_task))
        return max(1, int(self.cluster_cpus() / self.options.cpus_per_task))

    @property
    def task_threads(self) -> int:  # noqa: D102
        return self.options.threads or max(1, int(self.options.cpus_per_task))

    def describe(self) -> str:  # noqa: D102
        where = self.options.address or "a local instance"
        cpus = f", cluster CPUs {self.cluster_cpus():g}" if self.ray.is_initialized() else ""
        return (
            f"ray on {where}: {self.options.cpus_per_task:g} CPU per task x "
            f"{self.task_threads} torch thread{'s' if self.task_threads != 1 else ''}{cpus}"
        )

    # -- map -----------------------------------------------------------------------
    def map(
        self,
        fn: Callable[[Any], Any],
        tasks: Iterable[Any],
        *,
        resources: Resources | None = None,
        on_result: Callable[[TaskResult], None] | None = None,
    ) -> Iterator[TaskResult]:
        """Run ``fn`` over ``tasks`` as Ray tasks (see :meth:`Executor.map`)."""
        ray = self.ray
        self.start()
        opts = self.options
        resources = resources or Resources()
        cpus = resources.num_cpus if resources.num_cpus is not None else opts.cpus_per_task
        gpus = opts.gpus_per_task
        if gpus is None:
            gpus = resources.num_gpus or 0.0
        have = self.ray.cluster_resources()
        for kind, need, flag in (("CPU", cpus, "cpus_per_task"), ("GPU", gpus, "gpus_per_task")):
            if need and have.get(kind, 0.0) < need:
                raise ExecutorError(
                    f"each task asks for {need:g} {kind} but the Ray cluster has "
                    f"{have.get(kind, 0.0):g}: no task could ever start. "
                    + (
                        "Use --device cpu, or a cluster with GPUs."
                        if kind == "GPU"
                        else f"Lower --executor-opt {flag}."
                    )
                )
        if self._remote is None:
            self._remote = ray.remote(_ray_task)
        remote = self._remote.options(num_cpus=cpus, num_gpus=gpus, max_retries=opts.max_retries)
        threads = opts.threads or max(1, int(cpus))
        # Keep the queue bounded: enough to keep every slot busy, not the whole manifest.
        limit = opts.workers or max(1, int(self.cluster_cpus() / cpus))
        limit = max(limit, 1) * (1 if opts.workers else 2)
        todo = enumerate(tasks)
        exhausted = False
        in_flight: dict[Any, int] = {}
        clean = False

        def emit(result: TaskResult) -> TaskResult:
            return self.finish(result, on_result)

        try:
            while True:
                while not exhausted and len(in_flight) < limit:
                    item = next(todo, None)
                    if item is None:
                        exhausted = True
                        break
                    index, task = item
                    try:
                        ref = remote.remote(fn, task, index, threads)
                    except Exception as exc:  # noqa: BLE001 - e.g. a task that cannot pickle
                        yield emit(
                            TaskResult(
                                index=index, ok=False, error=f"cannot submit the task: {exc}"
                            )
                        )
                        continue
                    in_flight[ref] = index
                if not in_flight:
                    break
                ready, _ = ray.wait(list(in_flight), num_returns=1)
                for ref in ready:
                    index = in_flight.pop(ref)
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.RayError as exc:
                        cause = type(exc).__name__
                        text = str(exc).strip().splitlines()
                        result = TaskResult(
                            index=index,
                            ok=False,
                            error=f"{cause}: {text[0] if text else 'the Ray task failed'}",
                        )
                    yield emit(result)
            clean = True
        finally:
            if not clean:
                for ref in in_flight:
                    with contextlib.suppress(Exception):  # best effort on the way out
                        ray.cancel(ref, force=True)
