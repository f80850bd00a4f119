"""The options-schema check every stage's implementations pass (no torch needed)."""

from __future__ import annotations

import dataclasses
from typing import Any

from audiostyle.errors import ParameterError
from audiostyle.testing.common import fail


def _cli_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return ",".join(_cli_text(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def check_options_schema(impl) -> list[str]:
    """Check an implementation's options class (no torch needed).

    It must be a dataclass; every field needs a default and a help text
    (:func:`audiostyle.options.option`); the defaults must build, and each default
    written as command-line text must convert back to itself.
    """
    from audiostyle.options import build, describe

    stage, name, cls = impl.stage, impl.name, impl.options
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise fail(stage, name, f"options {cls!r} is not a dataclass class.")
    for f in dataclasses.fields(cls):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise fail(stage, name, f"option {f.name!r} has no default.")
    try:
        default = build(cls, {}, context=f"{stage} {name!r}")
    except ParameterError as exc:
        raise fail(stage, name, f"its default options do not build: {exc}") from exc
    for opt, _tp, value, help_ in describe(cls):
        if not help_:
            raise fail(
                stage,
                name,
                f"option {opt!r} has no help text; declare it with "
                "audiostyle.options.option(default, help).",
            )
        text = _cli_text(value)
        try:
            again = build(cls, {opt: text}, context=f"{stage} {name!r}")
        except ParameterError as exc:
            raise fail(
                stage,
                name,
                f"option {opt!r}: its default {value!r} written as {text!r} on the command "
                f"line is rejected ({exc}); fix its type annotation.",
            ) from exc
        if getattr(again, opt) != getattr(default, opt):
            raise fail(
                stage,
                name,
                f"option {opt!r}: default {value!r} becomes {getattr(again, opt)!r} after "
                f"'{opt}={text}'; fix its type annotation.",
            )
    return ["options schema"]
