"""Options of the built-in executors (light: dataclasses only, no torch, no ray)."""

from __future__ import annotations

from dataclasses import dataclass

from audiostyle.errors import ParameterError
from audiostyle.options import option

# Torch threads one task computes with. Torch splits its float reductions per thread,
# so a row's last bits depend on this number: the same value on every executor is
# what makes a row identical on the local pool, on Ray and with `audiostyle transfer`.
DEFAULT_TASK_THREADS = 1


@dataclass(frozen=True)
class LocalOptions:
    """A pool of worker processes on this machine."""

    workers: int | None = option(None, "worker processes (default: cores // threads)")
    threads: int = option(
        DEFAULT_TASK_THREADS,
        "torch threads per worker; 0 = cores // workers (faster with few workers, but a "
        "row's samples then depend on the thread count)",
    )

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ParameterError(f"workers={self.workers} must be >= 1 (e.g. --workers 2).")
        if self.threads < 0:
            raise ParameterError(f"threads={self.threads} must be >= 0 (0 = cores // workers).")


@dataclass(frozen=True)
class RayOptions:
    """Ray: a running cluster (``address``) or a local instance started on demand."""

    address: str | None = option(
        None, "cluster address (host:port, ray://host:port, or auto); none = start a local one"
    )
    workers: int | None = option(
        None,
        "tasks in flight at most (default: the cluster's CPUs / cpus_per_task); without "
        "an address also the local instance's CPUs",
    )
    cpus_per_task: float = option(1.0, "CPUs each task requests")
    gpus_per_task: float | None = option(
        None, "GPUs each task requests (default: 1 with --device cuda, else 0)"
    )
    threads: int = option(
        DEFAULT_TASK_THREADS, "torch threads per task; 0 = cpus_per_task (see local)"
    )
    max_retries: int = option(3, "times Ray reruns a task whose worker or node died")

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ParameterError(f"workers={self.workers} must be >= 1.")
        if not self.cpus_per_task > 0:
            raise ParameterError(f"cpus_per_task={self.cpus_per_task} must be > 0.")
        if self.gpus_per_task is not None and self.gpus_per_task < 0:
            raise ParameterError(f"gpus_per_task={self.gpus_per_task} must be >= 0.")
        if self.threads < 0:
            raise ParameterError(f"threads={self.threads} must be >= 0.")
        if self.max_retries < 0:
            raise ParameterError(f"max_retries={self.max_retries} must be >= 0.")
