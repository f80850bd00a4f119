"""Turn errors, warnings and Ctrl-C into clear one-line messages and exit codes.

* An :class:`~audiostyle.errors.AudiostyleError` prints ``error: ...`` on one line and
  exits with its ``exit_code`` (1, 2 for bad parameters, 130 when interrupted).
* Any other exception is a bug: one line saying so (and how to get the traceback).
* Python warnings print as ``warning: ...`` on one line.
* ``--debug`` (or ``AUDIOSTYLE_DEBUG=1``) adds the traceback.
* :class:`InterruptGuard` gives Ctrl-C its meaning during a run: the first press
  during optimisation stops it and keeps the best result so far (written as a
  partial result); any other press aborts without writing anything.
"""

import contextlib
import contextvars
import errno
import functools
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import typer
from typer.exceptions import TyperException

from audiostyle.errors import AudiostyleError, Interrupted

DEBUG = contextvars.ContextVar("audiostyle_debug", default=False)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


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


def debug_enabled() -> bool:
    """True if ``--debug`` was given (or ``AUDIOSTYLE_DEBUG=1`` is set)."""
    return DEBUG.get() or os.environ.get("AUDIOSTYLE_DEBUG", "") not in ("", "0")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` to stderr and return the Exit to raise."""
    typer.echo(f"error: {one_line(message)}", err=True)
    return typer.Exit(code)


def one_line(message: str) -> str:
    """``message`` with its line breaks folded into spaces."""
    return " ".join(str(message).split())


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    text = one_line(str(message))
    if debug_enabled():
        text += f" ({category.__name__} at {filename}:{lineno})"
    typer.echo(f"warning: {text}", err=True)


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: print an :class:`AudiostyleError` as one line, exit non-zero."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            try:
                return fn(*args, **kwargs)
            except AudiostyleError as exc:
                if debug_enabled():
                    traceback.print_exc(file=sys.stderr)
                raise fail(str(exc), getattr(exc, "exit_code", 1)) from None
            except KeyboardInterrupt:
                if debug_enabled():
                    traceback.print_exc(file=sys.stderr)
                typer.echo("interrupted: nothing was written.", err=True)
                raise typer.Exit(EXIT_INTERRUPTED) from None
            except MemoryError:
                if debug_enabled():
                    traceback.print_exc(file=sys.stderr)
                raise fail(
                    "out of memory; use a shorter --segment, fewer filters "
                    "(--network-opt n_filters=...) or a smaller n_fft."
                ) from None
            except (typer.Exit, typer.Abort, TyperException):
                raise  # exits and usage errors: typer prints them
            except BrokenPipeError:
                # The reader went away (`audiostyle plugins | head`): not an error.
                with contextlib.suppress(OSError):
                    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
                raise typer.Exit(0) from None
            except OSError as exc:
                if debug_enabled():
                    traceback.print_exc(file=sys.stderr)
                if exc.errno is None:
                    raise fail(_bug(exc)) from None
                # The machine, not audiostyle: a full disk, permissions, a lost mount.
                where = f" ({exc.filename})" if exc.filename else ""
                full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
                advice = "free some space" if full else "check the path and its permissions"
                raise fail(f"{exc.strerror or exc}{where}; {advice} and run again.") from None
            except Exception as exc:  # noqa: BLE001 - anything else is a bug: say so clearly
                if debug_enabled():
                    traceback.print_exc(file=sys.stderr)
                    raise fail(f"{type(exc).__name__}: {exc}") from None
                raise fail(_bug(exc)) from None

    return wrapper


def _bug(exc: BaseException) -> str:
    return (
        f"unexpected {type(exc).__name__}: {exc}. This is a bug in audiostyle "
        "or a plugin; rerun with --debug for the traceback and report it."
    )


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
