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
    """An option or argument has a bad value.

    ``option`` names it as the recipe and the API do (``device``, ``segment``,
    ``transform.n_fft``); the message says the same, and a face translates the name to
    its own spelling (the CLI adds the flag, e.g. ``--transform-opt n_fft``).
    """

    exit_code = 2

    def __init__(self, *args: object, option: str | None = None) -> None:
        super().__init__(*args)
        self.option = option


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
