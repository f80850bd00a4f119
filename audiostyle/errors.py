"""One error hierarchy for audiostyle.

Every message says what went wrong and what to do. The CLI prints an
:class:`AudiostyleError` as one line and exits with a non-zero code, without a
traceback (``--debug`` shows one).
"""

from __future__ import annotations


class AudiostyleError(Exception):
    """Base class of every error the project raises on purpose."""

    exit_code = 1


class ParameterError(AudiostyleError, ValueError):
    """An option or argument has a bad value."""

    exit_code = 2


class UnknownBackendError(AudiostyleError, LookupError):
    """No implementation is registered under the requested name."""

    exit_code = 2


class PluginError(AudiostyleError):
    """A plugin failed to load, raised in its hook, or broke a stage contract."""


class AudioError(AudiostyleError):
    """An audio file cannot be read, written, or used."""


class OutputExistsError(AudioError, FileExistsError):
    """The output file exists and overwriting was not asked for."""


class DependencyError(AudiostyleError, ImportError):
    """An optional dependency is missing or broken."""


class NumericalError(AudiostyleError, ArithmeticError):
    """The computation produced NaN or Inf values."""


class Interrupted(AudiostyleError):
    """The user interrupted a run (Ctrl-C)."""

    exit_code = 130
