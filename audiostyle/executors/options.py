"""Options of the built-in executors (light: dataclasses only, no torch, no ray)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
    """Ray: connects as Ray's own tools do, or starts a local instance."""

    address: str | None = option(
        None,
        "cluster address: host:port, ray://host:port, auto (RAY_ADDRESS or the cluster "
        "'ray start' started on this machine; an error if none) or local (always a new "
        "local instance); none = RAY_ADDRESS, else a 'ray start' cluster, else a new "
        "local instance",
    )
    workers: int | None = option(
        None,
        "tasks in flight at most (default: the cluster's CPUs / cpus_per_task); for a "
        "new local instance also its CPUs",
    )
    cpus_per_task: float = option(1.0, "CPUs each task requests")
    gpus_per_task: float | None = option(
        None, "GPUs each task requests (default: 1 with --device cuda, else 0)"
    )
    threads: int = option(
        DEFAULT_TASK_THREADS, "torch threads per task; 0 = cpus_per_task (see local)"
    )
    max_retries: int = option(
        3, "times a task is started again when its worker or node died (counted in the report)"
    )
    inputs: Literal["auto", "ship", "paths"] = option(
        "auto",
        "ship: the driver reads each input once and sends its bytes through the object "
        "store (no shared disk needed); paths: workers open the manifest's paths (a disk "
        "shared at the same path); auto: ship when the cluster has more than one node",
    )
    outputs: Literal["driver", "workers"] = option(
        "driver",
        "driver: outputs come back to the driver, which writes them; workers: workers "
        "write them into --out-dir, which must be shared by every node at the same path",
    )
    runtime_env: str | None = option(
        None,
        "Ray runtime_env for the job, as JSON or the path of a .json/.yaml file (e.g. "
        '{"pip": ["audiostyle==0.1.0"]}); ignored when Ray is already initialised',
    )

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
        if self.runtime_env is not None:
            runtime_env_dict(self.runtime_env)  # fails now, with a clear message


def runtime_env_dict(value: str) -> dict:
    """A ``runtime_env`` option as a dict: JSON text, or a .json/.yaml/.yml file."""
    import json
    from pathlib import Path

    text = value.strip()
    source = "runtime_env"
    if not text.startswith("{"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise ParameterError(
                f"runtime_env={value!r} is neither JSON (starting with '{{') nor an existing "
                ".json/.yaml file."
            )
        text, source = path.read_text(encoding="utf-8"), f"runtime_env file {str(path)!r}"
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise ParameterError(f"{source} is not valid YAML: {exc}.") from None
            if not isinstance(data, dict):
                raise ParameterError(f"{source} must hold a mapping (pip, env_vars, ...).")
            return data
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParameterError(f"{source} is not valid JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise ParameterError(f"{source} must be a JSON object (pip, env_vars, ...).")
    return data
