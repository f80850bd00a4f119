"""Built-in executors."""

from audiostyle.hookspecs import hookimpl  # noqa: F401
