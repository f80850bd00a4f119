"""Turn errors, warnings and Ctrl-C into clear one-line messages and exit codes.

:func:`handle_errors` and its helpers are the commands' contract
(:mod:`audiostyle.contracts.commands`, re-exported here).
:class:`InterruptGuard` gives Ctrl-C its meaning during a run: the first press
during optimisation stops it and keeps the best result so far (written as a
partial result); any other press aborts without writing anything.
"""

import functools
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

import typer

from audiostyle.contracts.commands import (
    DEBUG,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    debug_enabled,
    fail,
    one_line,
)
from audiostyle.contracts.commands import handle_errors as _one_line_errors
from audiostyle.errors import Interrupted, ParameterError

__all__ = [
    "DEBUG",
    "EXIT_INTERRUPTED",
    "EXIT_TERMINATED",
    "GuardedProgress",
    "InterruptGuard",
    "debug_enabled",
    "fail",
    "cli_flag",
    "handle_errors",
    "one_line",
    "install_sigterm",
    "terminated",
]


def cli_flag(option: str) -> str:
    """The command line's spelling of a recipe option (``transform.n_fft`` ->
    ``--transform-opt n_fft=...``, ``style_weight`` -> ``--style-weight``)."""
    stage, _, key = option.partition(".")
    if key:
        return f"--{stage.replace('_', '-')}-opt {key}=..."
    return "--" + option.replace("_", "-")


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The commands' error handling (:func:`audiostyle.contracts.commands.handle_errors`)
    with the CLI's translation: a :class:`ParameterError` naming an option (the run's
    messages speak of options, not flags) gets its flag added."""

    @functools.wraps(fn)
    def translating(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ParameterError as exc:
            option = getattr(exc, "option", None)
            if option is None:
                raise
            flag = cli_flag(option)
            if flag.split()[0] in str(exc):
                raise
            raise ParameterError(f"{exc} (command line: {flag})", option=option) from None

    return _one_line_errors(translating)


def terminated(outputs_written: bool = False) -> Interrupted:
    """The error SIGTERM raises: an abort, like a second Ctrl-C (exit 143)."""
    exc = Interrupted(
        "terminated (SIGTERM): aborted; "
        + (
            "the outputs written before are complete, the rest was skipped."
            if outputs_written
            else "nothing was written."
        )
    )
    exc.exit_code = EXIT_TERMINATED
    return exc


def install_sigterm() -> None:
    """Make SIGTERM abort like a second Ctrl-C: the exception unwinds the run, so the
    atomic writers remove their temporary files and nothing partial is left (the
    default action kills the process on the spot). Main thread only; a forked worker
    process still dies as by default."""
    if threading.current_thread() is not threading.main_thread():
        return
    pid = os.getpid()

    def handler(signum, frame) -> None:
        if os.getpid() != pid:  # a forked worker inherited this handler
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise terminated()

    signal.signal(signal.SIGTERM, handler)


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

    def _terminate(self, signum, frame) -> None:
        raise terminated(self.outputs_written)  # SIGTERM: always an abort

    def __enter__(self) -> "InterruptGuard":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
            self._previous_term = signal.signal(signal.SIGTERM, self._terminate)
            self._installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            signal.signal(signal.SIGTERM, self._previous_term)
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
