"""What a CLI command (built-in or a plugin's, ``register_commands``) does with errors.

Decorate every command with :func:`handle_errors`:

* an :class:`~audiostyle.errors.AudiostyleError` prints ``error: ...`` on one line and
  exits with its ``exit_code`` (1, 2 for bad parameters, 130 when interrupted);
* any other exception is a bug: one line saying so (and how to get the traceback);
* Python warnings print as ``warning: ...`` on one line;
* ``--debug`` (or ``AUDIOSTYLE_DEBUG=1``) adds the traceback.

Part of the contract so that a plugin's command behaves like the built-in ones
without importing the CLI's internals (:mod:`audiostyle.cli.errors` re-exports it).
Light: typer only.
"""

import contextlib
import contextvars
import errno
import functools
import os
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import typer
from typer.exceptions import TyperException

from audiostyle.errors import AudiostyleError

DEBUG = contextvars.ContextVar("audiostyle_debug", default=False)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


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
