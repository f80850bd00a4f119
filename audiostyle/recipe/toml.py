"""TOML: a recipe saved to and loaded from a file, and the TOML text of nested settings
(TOML has no null: how ``None`` is written and read back).

:class:`TomlFile` gives :class:`~audiostyle.recipe.Recipe` its ``to_toml``, ``save`` and
``load``; :func:`dumps_toml` and :func:`loads_toml` also serve reports.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Self

from audiostyle.errors import ParameterError
from audiostyle.recipe.registry import get_preset


class TomlFile:
    """A :class:`~audiostyle.recipe.Recipe` as a TOML file (a base class of it)."""

    def to_toml(self) -> str:
        """The recipe as TOML text."""
        return dumps_toml(self.to_dict())

    def save(self, path: str | Path) -> None:
        """Write the recipe as TOML (atomically)."""
        from audiostyle.atomic import atomic_write_text

        atomic_write_text(path, self.to_toml())

    @classmethod
    def load(cls, path: str | Path, *, base: Self | None = None) -> Self:
        """Load a TOML recipe file; a ``preset`` key in it names the base."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ParameterError(f"recipe file {str(path)!r} does not exist.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"recipe file {str(path)!r} cannot be read: {exc}.") from None
        try:
            data = loads_toml(text)
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(
                f"recipe file {str(path)!r} is not valid TOML: {exc}. Fix that line "
                "(see 'audiostyle transfer --save-recipe' for an example)."
            ) from None
        if base is None:
            name = data.get("preset")
            base = get_preset(name if name and name != "none" else "default")
        return cls.from_dict(data, base=base, source=f"recipe file {str(path)!r}")


# TOML has no null. A saved recipe lists the dotted keys whose value is None under ``unset``
# (the keys themselves are left out) and writes None inside a list as ``{ none = true }``.
# Older files wrote None as the string "none": :func:`convert` still reads that back.
UNSET_KEY = "unset"
NONE_IN_LIST = {"none": True}


def dumps_toml(data: dict[str, Any]) -> str:
    """``data`` (nested dicts of scalars, lists and None) as TOML text that
    :func:`loads_toml` reads back equal (tuples come back as lists)."""
    import tomli_w

    unset: list[str] = []
    body = _strip_none(data, (), unset)
    if not unset:
        return tomli_w.dumps(body)
    # After the other top-level settings, before the first table, with a note above it.
    text = "\n" + tomli_w.dumps({**body, UNSET_KEY: unset})
    head = f"\n{UNSET_KEY} = ["  # strings are written on one line: only the key starts a line
    note = f"\n# {UNSET_KEY}: the settings that are None (TOML has no null){head}"
    return text.replace(head, note, 1)[1:]


def loads_toml(text: str) -> dict[str, Any]:
    """Parse TOML written by :func:`dumps_toml` (None restored); raises TOMLDecodeError."""
    data = tomllib.loads(text)
    unset = data.pop(UNSET_KEY, [])
    data = _restore_none(data)
    if not isinstance(unset, list) or not all(isinstance(p, str) for p in unset):
        raise tomllib.TOMLDecodeError(f"{UNSET_KEY} must be a list of dotted keys")
    for dotted in unset:
        keys = _split_key(dotted)
        table = data
        for k in keys[:-1]:
            table = table.setdefault(k, {})
            if not isinstance(table, dict):
                raise tomllib.TOMLDecodeError(f"{UNSET_KEY}: {dotted!r} is not inside a table")
        table[keys[-1]] = None
    return data


def _strip_none(value: Any, path: tuple[str, ...], unset: list[str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None:
                unset.append(".".join(_toml_key(x) for x in (*path, k)))
            else:
                out[k] = _strip_none(v, (*path, k), unset)
        return out
    if isinstance(value, list | tuple):
        return [dict(NONE_IN_LIST) if x is None else _strip_none(x, path, []) for x in value]
    return value


def _restore_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _restore_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [None if x == NONE_IN_LIST else _restore_none(x) for x in value]
    return value


def _toml_key(key: str) -> str:
    """``key`` as TOML writes it (bare or quoted)."""
    import tomli_w

    return tomli_w.dumps({key: 0}).rsplit(" = ", 1)[0]


def _split_key(dotted: str) -> list[str]:
    """The keys of a dotted TOML key (``a."b.c"`` -> ``["a", "b.c"]``)."""
    try:
        table: Any = tomllib.loads(f"{dotted} = 0")
    except tomllib.TOMLDecodeError:
        raise tomllib.TOMLDecodeError(f"{UNSET_KEY}: {dotted!r} is not a dotted key") from None
    keys = []
    while isinstance(table, dict) and len(table) == 1:
        (key, table), *_ = table.items()
        keys.append(key)
    if table != 0 or isinstance(table, bool):
        raise tomllib.TOMLDecodeError(f"{UNSET_KEY}: {dotted!r} is not a dotted key")
    return keys
