"""The ``ray`` executor: one Ray task per job, on a cluster or a local instance.

Connecting follows Ray's own tools: ``address`` if given (``auto``: ``RAY_ADDRESS`` or
the cluster ``ray start`` started on this machine; ``local``: always a new local
instance); without it ``RAY_ADDRESS``, else a ``ray start`` cluster on this machine,
else a new local instance (one CPU per core, no dashboard) that :meth:`close` stops.
A Ray session already initialised in this process (a notebook, a test) is used and
left running. An address that does not answer fails at once with one line naming it
and where it came from.

Each task requests ``cpus_per_task`` CPUs (and ``gpus_per_task`` GPUs, default 1 with
``--device cuda``). A task whose worker or node died is started again up to
``max_retries`` times, by this driver, so :attr:`TaskResult.attempts` counts it.

Without a shared disk (``inputs=ship``, the default on a cluster of more than one
node) the caller ships each input's bytes once with :meth:`RayExecutor.ship` (one
object in the object store, however many tasks use it) and tasks carry the
reference; results come back to the caller, or with ``outputs=workers`` the workers
write them into a folder every node shares.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from audiostyle.errors import AudiostyleError, DependencyError
from audiostyle.executors.base import Executor, Resources, TaskResult, cpu_count, run_task
from audiostyle.executors.options import RayOptions, runtime_env_dict

INSTALL_HINT = 'pip install -e ".[ray]"  (or pip install "audiostyle[ray]")'
CONNECT_TIMEOUT = 5.0  # s to wait for a cluster's address to accept a connection


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


@dataclass(frozen=True)
class RayInput:
    """An input file's bytes in Ray's object store (what a task carries instead of a path)."""

    ref: Any
    name: str
    sha256: str

    def read(self) -> bytes:
        """The bytes (on a worker: fetched from the object store)."""
        import ray

        return ray.get(self.ref)


def _ray_task(fn: Callable[[Any], Any], task: Any, index: int, threads: int) -> TaskResult:
    """Runs on a Ray worker: one task with its torch threads pinned."""
    return run_task(fn, task, index=index, threads=threads)


def _started_cluster() -> str | None:
    """The address of the cluster ``ray start`` started on this machine, if any."""
    try:
        from ray._private.utils import read_ray_address

        return read_ray_address() or None
    except Exception:  # noqa: BLE001 - a private helper of Ray: absent means none
        return None


def _reachable(address: str) -> str | None:
    """None if ``host:port`` accepts a TCP connection, else why not (``ray://`` and
    names Ray resolves itself are not checked)."""
    if "://" in address:
        return None
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        return "it is not host:port"
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), CONNECT_TIMEOUT):
            return None
    except OSError as exc:
        return exc.strerror or str(exc) or type(exc).__name__


class RayExecutor(Executor):
    """Runs each task as a Ray task (see the module docstring)."""

    name = "ray"

    def __init__(self, options: RayOptions | None = None) -> None:
        super().__init__(options or RayOptions())
        self.ray = import_ray()
        self._owned = False
        self._remote = None
        self.where = "a local instance"

    # -- connection ----------------------------------------------------------------
    def target(self) -> tuple[str | None, str]:
        """``(address, where it came from)``; ``None`` means start a local instance."""
        address = self.options.address
        if address == "local":
            return None, "local"
        if address and address != "auto":
            return address, "--address"
        env = os.environ.get("RAY_ADDRESS", "").strip()
        if env and env != "auto":
            return (None, "local") if env == "local" else (env, "RAY_ADDRESS")
        started = _started_cluster()
        if started:
            return started, "the cluster 'ray start' started on this machine"
        if address == "auto":
            raise ExecutorError(
                "--address auto found no Ray cluster: RAY_ADDRESS is not set and no "
                "'ray start' cluster runs on this machine. Start one with 'ray start "
                "--head', give its host:port, or leave --address out for a local instance."
            )
        return None, "local"

    def start(self) -> None:
        """Connect to the cluster, or start a local instance (idempotent)."""
        ray = self.ray
        if ray.is_initialized():
            return
        opts = self.options
        address, source = self.target()
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": logging.WARNING,
            "configure_logging": True,
        }
        if opts.runtime_env is not None:
            kwargs["runtime_env"] = runtime_env_dict(opts.runtime_env)
        if address is None:
            cpus = cpu_count()
            if opts.workers is not None:
                cpus = max(1, int(round(opts.workers * opts.cpus_per_task)))
            kwargs.update(address="local", num_cpus=cpus)
            where = "a new local instance"
        else:
            kwargs["address"] = address
            where = f"{address!r} (from {source})"
            problem = _reachable(address)
            if problem:
                raise ExecutorError(
                    f"cannot reach Ray at {where}: {problem}. Check that the cluster is up "
                    "('ray status'), fix the address, or pass --address local for a new "
                    "local instance."
                )
        try:
            ray.init(**kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ExecutorError(
                f"cannot start or reach Ray at {where}: {first}. For a cluster, start it "
                "with 'ray start --head' and pass --address auto (or host:port)."
            ) from None
        self.where = "a local instance" if address is None else address
        self._owned = True

    def close(self) -> None:  # noqa: D102
        if self._owned and self.ray.is_initialized():
            self.ray.shutdown()
        self._owned = False

    def cluster_cpus(self) -> float:
        """CPUs of the cluster (after :meth:`start`)."""
        return float(self.ray.cluster_resources().get("CPU", 1.0))

    def nodes(self) -> int:
        """Alive nodes of the cluster (after :meth:`start`)."""
        return sum(1 for n in self.ray.nodes() if n.get("Alive"))

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
        where = self.where
        cluster = ""
        if self.ray.is_initialized():
            n = self.nodes()
            cluster = f", {n} node{'s' if n != 1 else ''}, cluster CPUs {self.cluster_cpus():g}"
            cluster += ", inputs shipped" if self.ships_inputs() else ", inputs by path"
            if self.workers_write:
                cluster += ", outputs written by workers"
        return (
            f"ray on {where}: {self.options.cpus_per_task:g} CPU per task x "
            f"{self.task_threads} torch thread{'s' if self.task_threads != 1 else ''}{cluster}"
        )

    # -- shipping ------------------------------------------------------------------
    def may_ship_inputs(self) -> bool:  # noqa: D102
        if self.options.inputs != "auto":
            return self.options.inputs == "ship"
        # auto ships on a cluster of several nodes; a new local instance has one.
        return self.ray.is_initialized() or self.target()[0] is not None

    def ships_inputs(self) -> bool:  # noqa: D102
        if self.options.inputs != "auto":
            return self.options.inputs == "ship"
        self.start()
        return self.nodes() > 1

    def ship(self, data: bytes, *, name: str, sha256: str) -> RayInput:  # noqa: D102
        self.start()
        return RayInput(self.ray.put(data), name, sha256)

    def unship(self, handle: Any) -> None:  # noqa: D102
        pass  # the object is freed when the last reference (tasks included) is gone

    @property
    def workers_write(self) -> bool:  # noqa: D102
        return self.options.outputs == "workers"

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
        # Retries are this driver's (counted in TaskResult.attempts), not Ray's.
        remote = self._remote.options(num_cpus=cpus, num_gpus=gpus, max_retries=0)
        threads = opts.threads or max(1, int(cpus))
        # Keep the queue bounded: enough to keep every slot busy, not the whole manifest.
        limit = opts.workers or max(1, int(self.cluster_cpus() / cpus))
        limit = max(limit, 1) * (1 if opts.workers else 2)
        todo = enumerate(tasks)
        exhausted = False
        in_flight: dict[Any, tuple[int, Any, int]] = {}  # ref -> (index, task, attempts)
        clean = False

        def emit(result: TaskResult) -> TaskResult:
            return self.finish(result, on_result)

        def submit(index: int, task: Any, attempts: int) -> TaskResult | None:
            try:
                ref = remote.remote(fn, task, index, threads)
            except Exception as exc:  # noqa: BLE001 - e.g. a task that cannot pickle
                return TaskResult(
                    index=index,
                    ok=False,
                    error=f"cannot submit the task: {exc}",
                    attempts=attempts,
                )
            in_flight[ref] = (index, task, attempts)
            return None

        try:
            while True:
                while not exhausted and len(in_flight) < limit:
                    item = next(todo, None)
                    if item is None:
                        exhausted = True
                        break
                    failed = submit(*item, 1)
                    if failed is not None:
                        yield emit(failed)
                if not in_flight:
                    break
                ready, _ = ray.wait(list(in_flight), num_returns=1)
                for ref in ready:
                    index, task, attempts = in_flight.pop(ref)
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.RayError as exc:
                        if attempts <= opts.max_retries:  # its worker or node died
                            failed = submit(index, task, attempts + 1)
                            if failed is None:
                                continue
                            result = failed
                        else:
                            cause = type(exc).__name__
                            text = str(exc).strip().splitlines()
                            result = TaskResult(
                                index=index,
                                ok=False,
                                error=f"{cause}: {text[0] if text else 'the Ray task failed'}"
                                + (f" (after {attempts} attempts)" if attempts > 1 else ""),
                            )
                    result.attempts = attempts
                    yield emit(result)
            clean = True
        finally:
            if not clean:
                for ref in in_flight:
                    with contextlib.suppress(Exception):  # best effort on the way out
                        ray.cancel(ref, force=True)
