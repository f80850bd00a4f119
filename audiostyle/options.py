"""Typed option schemas: dataclasses whose fields are a backend's options.

An options class is a plain (frozen) dataclass. Each field has a type annotation
(``int``, ``float``, ``bool``, ``str``, ``Literal[...]``, ``tuple[int, ...]``,
``float | None`` ...), a default, and optionally ``metadata={"help": "..."}``.
Range checks go in ``__post_init__`` and raise :class:`ParameterError`.

This module is light (no torch): listing and validating options must stay fast.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class EchoOptions:
...     delay: float = option(0.25, "seconds between echoes")
...     repeats: int = option(3, "number of echoes")
>>> build(EchoOptions, parse_pairs(["delay=0.5"]))
EchoOptions(delay=0.5, repeats=3)
>>> build(EchoOptions, {"repeat": 2})
Traceback (most recent call last):
...
audiostyle.errors.ParameterError: unknown option 'repeat'. Did you mean 'repeats'? ...
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args, get_origin

from audiostyle.errors import ParameterError


@dataclasses.dataclass(frozen=True)
class NoOptions:
    """Options of an implementation that takes none."""


def option(default: Any, help: str) -> Any:  # noqa: A002 - mirrors argparse
    """Declare an option field with a default and a one-line help text."""
    if isinstance(default, list | dict | set):
        raise TypeError("use a tuple or a default_factory for mutable defaults")
    return dataclasses.field(default=default, metadata={"help": help})


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def type_name(tp: Any) -> str:
    """A short human-readable name of an option's type."""
    origin = get_origin(tp)
    if origin is Literal:
        return "|".join(str(a) for a in get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in get_args(tp))
    if origin is tuple:
        args = get_args(tp)
        return f"list of {type_name(args[0])}" if args else "list"
    if tp is type(None):
        return "none"
    return getattr(tp, "__name__", str(tp))


def describe(cls: type) -> list[tuple[str, str, Any, str]]:
    """Return ``(name, type, default, help)`` for every option of ``cls``."""
    hints = _hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        default = f.default
        if default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        out.append((f.name, type_name(hints[f.name]), default, f.metadata.get("help", "")))
    return out


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def convert(value: Any, tp: Any, *, name: str) -> Any:
    """Convert ``value`` (often a string from the command line) to type ``tp``."""
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = get_args(tp)
        if type(None) in args and (
            value is None or (isinstance(value, str) and value.lower() in {"none", "null", ""})
        ):
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return convert(value, arg, name=name)
            except ParameterError as exc:
                errors.append(str(exc))
        for error in errors:
            if "not a finite number" in error:
                raise ParameterError(error)
        raise ParameterError(f"{name}={value!r} is not a {type_name(tp)}.")
    if origin is Literal:
        choices = get_args(tp)
        for choice in choices:
            if value == choice or str(value) == str(choice):
                return choice
        hint = _closest(str(value), [str(c) for c in choices])
        raise ParameterError(
            f"{name}={value!r} is not one of {', '.join(map(str, choices))}.{hint}"
        )
    if origin is tuple:
        args = get_args(tp)
        item = args[0] if args else str
        if isinstance(value, str):
            parts = [p for p in value.replace(" ", "").split(",") if p]
        elif isinstance(value, Iterable):
            parts = list(value)
        else:
            parts = [value]
        return tuple(convert(p, item, name=name) for p in parts)
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise ParameterError(f"{name}={value!r} is not a boolean; use true or false.")
    if tp is int:
        if isinstance(value, bool):
            raise ParameterError(f"{name}={value!r} is not an integer.")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).replace("_", ""))
        except ValueError:
            raise ParameterError(f"{name}={value!r} is not an integer.") from None
    if tp is float:
        if isinstance(value, bool):
            raise ParameterError(f"{name}={value!r} is not a number.")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise ParameterError(f"{name}={value!r} is not a number.") from None
        if not math.isfinite(number):
            raise ParameterError(f"{name}={value!r} is not a finite number; give a real value.")
        return number
    if tp is str:
        return str(value)
    return value


def _closest(word: str, names: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(names), n=1, cutoff=0.5)
    return f" Did you mean {match[0]!r}?" if match else ""


def closest_hint(word: str, names: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest of ``names``, or an empty string."""
    return _closest(word, names)


def parse_pairs(pairs: Iterable[str], *, flag: str = "option") -> dict[str, str]:
    """Split ``key=value`` strings into a dict, with a clear error for bad ones."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise ParameterError(f"{flag} {pair!r} is not key=value (e.g. n_fft=1024).")
        out[key] = value.strip()
    return out


def build(cls: type, values: Mapping[str, Any] | None = None, *, context: str = "") -> Any:
    """Build an options dataclass from a mapping, converting and validating values.

    Unknown keys and values of the wrong type raise :class:`ParameterError` listing
    the valid keys.
    """
    values = dict(values or {})
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    where = f" for {context}" if context else ""
    unknown = [k for k in values if k not in fields]
    if unknown:
        valid = ", ".join(fields) or "(none)"
        hint = _closest(unknown[0], fields)
        raise ParameterError(f"unknown option {unknown[0]!r}{where}.{hint} Valid options: {valid}.")
    kwargs = {}
    for key, value in values.items():
        kwargs[key] = convert(value, hints[key], name=f"{key}{where}")
    try:
        return cls(**kwargs)
    except ParameterError as exc:
        raise ParameterError(f"{exc}{'' if not where else ' (' + context + ')'}") from None
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"bad options{where}: {exc}") from None


def as_dict(options: Any) -> dict[str, Any]:
    """The fields of an options dataclass as plain values (tuples become lists)."""
    out = {}
    for f in dataclasses.fields(options):
        v = getattr(options, f.name)
        out[f.name] = list(v) if isinstance(v, tuple) else v
    return out
