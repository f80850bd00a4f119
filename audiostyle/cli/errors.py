"""Turn project errors into one clear line and an exit code."""

import contextvars
import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import typer

from audiostyle.errors import AudiostyleError

DEBUG = contextvars.ContextVar("audiostyle_debug", default=False)


def debug_enabled() -> bool:
    """True if ``--debug`` was given (or ``AUDIOSTYLE_DEBUG=1`` is set)."""
    return DEBUG.get() or os.environ.get("AUDIOSTYLE_DEBUG", "") not in ("", "0")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` to stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: print an :class:`AudiostyleError` as one line, exit non-zero."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AudiostyleError as exc:
            if debug_enabled():
                traceback.print_exc(file=sys.stderr)
            raise fail(str(exc), getattr(exc, "exit_code", 1)) from None
        except KeyboardInterrupt:
            typer.echo("interrupted: nothing was written.", err=True)
            raise typer.Exit(130) from None

    return wrapper
