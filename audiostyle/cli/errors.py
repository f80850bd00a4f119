"""Turn errors, warnings and Ctrl-C into clear one-line messages and exit codes.

:func:`handle_errors` and its helpers are the commands' contract
(:mod:`audiostyle.contracts.commands`, re-exported here).
:class:`InterruptGuard` gives Ctrl-C its meaning during a run: the first press
during optimisation stops it and keeps the best result so far (written as a
partial result); any other press aborts without writing anything.
"""

import signal
import threading
from typing import Any

import typer

from audiostyle.contracts.commands import (
    DEBUG,
    EXIT_INTERRUPTED,
    debug_enabled,
    fail,
    handle_errors,
    one_line,
)
from audiostyle.errors import Interrupted

__all__ = [
    "DEBUG",
    "EXIT_INTERRUPTED",
    "GuardedProgress",
    "InterruptGuard",
    "debug_enabled",
    "fail",
    "handle_errors",
    "one_line",
]


class InterruptGuard:
    """Ctrl-C policy of one run, installed as the SIGINT handler.

    While optimising (between :meth:`optimizing` ``(True)`` and ``(False)``) the first
    Ctrl-C raises :class:`KeyboardInterrupt`, which the optimizer turns into "stop
    and keep the best state so far". Any other Ctrl-C (a second one, or one during
    loading, reconstruction or saving) raises :class:`~audiostyle.errors.Interrupted`,
    which nothing in the pipeline catches: the run aborts and writes nothing.

    Use as a context manager; outside the main thread it does nothing.
    """

    def __init__(self, *, quiet: bool = False) -> None:
        self.quiet = quiet
        self.presses = 0
        self.outputs_written = False  # set by the caller once its main outputs are on disk
        self._optimizing = False
        self._previous: Any = None
        self._installed = False

    @property
    def stopped(self) -> bool:
        """True once Ctrl-C was pressed."""
        return self.presses > 0

    def optimizing(self, active: bool) -> None:
        """Say whether the optimisation is running (first Ctrl-C = stop, keep best)."""
        self._optimizing = active

    def _handler(self, signum, frame) -> None:
        self.presses += 1
        if self.presses == 1 and self._optimizing:
            typer.echo(
                "\nstopping: finishing with the best result so far; it will be written as a "
                "PARTIAL result (press Ctrl-C again to abort without writing).",
                err=True,
            )
            raise KeyboardInterrupt
        raise Interrupted(
            "interrupted by Ctrl-C"
            + (" a second time" if self.presses > 1 else "")
            + (
                ": aborted; the outputs written before are complete, the rest was skipped."
                if self.outputs_written
                else ": aborted, nothing was written."
            )
        )

    def __enter__(self) -> "InterruptGuard":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False


class GuardedProgress:
    """Wraps a progress sink so the :class:`InterruptGuard` knows when optimising."""

    def __init__(self, inner: Any, guard: InterruptGuard) -> None:
        self.inner = inner
        self.guard = guard

    def start(self, stage: str, total: int) -> None:  # noqa: D102
        if stage == "optimize":
            self.guard.optimizing(True)
        self.inner.start(stage, total)

    def update(self, stage: str, done: int, info: dict) -> None:  # noqa: D102
        self.inner.update(stage, done, info)

    def finish(self, stage: str) -> None:  # noqa: D102
        if stage == "optimize":
            self.guard.optimizing(False)
        self.inner.finish(stage)

    def close(self) -> None:  # noqa: D102
        self.inner.close()
