"""Built-in suites."""

from audiostyle.hookspecs import hookimpl  # noqa: F401
