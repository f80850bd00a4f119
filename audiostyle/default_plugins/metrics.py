"""Built-in metrics."""

from audiostyle.hookspecs import hookimpl  # noqa: F401
