"""Old option spellings, kept hidden for one release: each use prints a one-line note.

A command declares the old spelling as a hidden option of its own and merges it with
:func:`merge`, which says which spelling to use instead.
"""

from typing import Any

import typer

REMOVED_IN = "0.2"  # the release that drops the old spellings


def note(old: str, new: str) -> None:
    """Print the one-line deprecation note for ``old``."""
    typer.echo(
        f"note: {old} is deprecated and goes away in audiostyle {REMOVED_IN}; use {new}.",
        err=True,
    )


def merge(new_value: Any, old_value: Any, *, new: str, old: str, default: Any = None) -> Any:
    """The value given as ``new`` or, with a note, as the deprecated ``old``.

    Both given is a usage error. ``default`` applies when neither is given.
    """
    if old_value is None or old_value == []:
        return default if new_value is None else new_value
    note(old, new)
    if new_value is not None and new_value != []:
        from audiostyle.errors import ParameterError

        raise ParameterError(f"give {new} or {old} (its old spelling), not both.")
    return old_value
