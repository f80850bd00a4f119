"""The executor contract (``register_executors``): run one function over many
independent tasks.

An executor is built as ``Executor(options)`` and used as a context manager::

    with create("executor", "local", {"workers": 2}) as ex:
        for result in ex.map(fn, tasks, resources=Resources(num_cpus=1)):
            ...  # a TaskResult, in the order tasks *finish*

``fn`` must be picklable by reference (a module-level function) and so must every
task and every return value. A task that raises does not stop the others: its
:class:`TaskResult` has ``ok=False`` and the error as text. Leaving the loop early,
an exception in the caller, or Ctrl-C cancels the tasks still queued or running.
Light: no torch, no ray.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Resources:
    """What one task needs. ``None`` leaves the choice to the executor's options."""

    num_cpus: float | None = None
    num_gpus: float | None = None


@dataclass
class TaskResult:
    """The outcome of one task.

    Attributes
    ----------
    index : int
        Position of the task in the sequence given to :meth:`Executor.map`.
    ok : bool
        False if the task raised or its worker died.
    value : Any
        What ``fn`` returned (``None`` on failure).
    error : str or None
        ``"ErrorType: message"`` on failure.
    traceback : str or None
        The worker-side traceback, when there is one.
    seconds : float
        Time spent in ``fn`` on the worker.
    worker : str
        ``host:pid`` of the process that ran it.
    finished : float
        Epoch seconds when the result reached the caller.
    cpu_seconds : float
        CPU time of the worker process (all its threads) while ``fn`` ran.
    attempts : int
        Times the task was started: more than 1 when its worker or node died and the
        executor started it again.
    """

    index: int
    ok: bool
    value: Any = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    worker: str = ""
    finished: float = 0.0
    cpu_seconds: float = 0.0
    attempts: int = 1


class Executor(ABC):
    """Runs a function over many tasks; subclasses decide where.

    Parameters
    ----------
    options : dataclass
        The executor's options (see ``audiostyle plugins``).
    """

    #: Registered name (set by subclasses).
    name: str = ""

    def __init__(self, options: Any = None) -> None:
        self.options = options

    @abstractmethod
    def map(
        self,
        fn: Callable[[Any], Any],
        tasks: Iterable[Any],
        *,
        resources: Resources | None = None,
        on_result: Callable[[TaskResult], None] | None = None,
    ) -> Iterator[TaskResult]:
        """Run ``fn(task)`` for every task; yield each :class:`TaskResult` as it finishes.

        Parameters
        ----------
        fn : callable
            A module-level function (pickled by reference).
        tasks : iterable
            Picklable task objects; ``TaskResult.index`` is a task's position.
        resources : Resources, optional
            What each task needs (CPUs, GPUs).
        on_result : callable(TaskResult), optional
            Called with each result just before it is yielded.
        """

    @property
    def slots(self) -> int:
        """How many tasks run at the same time (for ETAs and benchmarks)."""
        return 1

    @property
    def task_threads(self) -> int:
        """Torch threads each task computes with."""
        return 1

    def describe(self) -> str:
        """One line: where the tasks run."""
        return self.name or type(self).__name__

    # -- inputs and outputs when the workers do not share the caller's disk --------
    def may_ship_inputs(self) -> bool:
        """True if :meth:`ships_inputs` might be true (then the caller starts the
        executor before reading the inputs, to ship them in the same read)."""
        return False

    def ships_inputs(self) -> bool:
        """True if tasks must carry their inputs' bytes (:meth:`ship`), not paths:
        the workers do not see the caller's files. Asked after :meth:`start`."""
        return False

    def ship(self, data: bytes, *, name: str, sha256: str) -> Any:
        """Make ``data`` (a file called ``name``) available to every worker once; the
        handle returned has ``read()`` (on a worker), ``name`` and ``sha256``."""
        raise NotImplementedError(f"the {self.name!r} executor does not ship inputs")

    def unship(self, handle: Any) -> None:  # noqa: B027 - optional hook
        """Release what :meth:`ship` holds for ``handle`` (no task needs it any more)."""

    @property
    def workers_write(self) -> bool:
        """True if workers write each output into the caller's output folder (shared
        by every node) instead of sending the audio back."""
        return False

    def start(self) -> None:  # noqa: B027 - optional hook
        """Start workers or connect (idempotent); :meth:`map` calls it too."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers or connections (idempotent)."""

    @staticmethod
    def finish(result: TaskResult, on_result: Callable[[TaskResult], None] | None) -> TaskResult:
        """Stamp ``result`` as finished and hand it to ``on_result`` (if any)."""
        result.finished = time.time()
        if on_result is not None:
            on_result(result)
        return result

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
