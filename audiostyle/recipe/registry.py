"""The preset registry: named recipe factories (:func:`preset` fills it, :func:`get_preset`
builds from it).

It lives in the recipe package, below :class:`~audiostyle.recipe.Recipe`, so that
``Recipe.load`` can resolve a file's ``preset = "NAME"`` (and ``Recipe.validate`` a
route's presets) without importing the module that defines the presets (which builds
Recipes): :mod:`audiostyle.presets` fills it, and the package imports that module first
(``audiostyle/__init__.py``), so the built-in presets are always registered. Being below
Recipe, it names what a factory builds as ``Any`` (always a fresh Recipe).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from audiostyle.errors import UnknownBackendError
from audiostyle.options import closest_hint


@dataclass(frozen=True)
class Preset:
    """A named recipe factory."""

    name: str
    description: str
    build: Callable[[], Any]


PRESETS: dict[str, Preset] = {}


def preset(name: str, description: str):
    """Register a preset factory under ``name``."""

    def deco(fn: Callable[[], Any]) -> Callable[[], Any]:
        def build() -> Any:
            r = fn()
            r.preset = name
            r.description = description
            return r

        PRESETS[name] = Preset(name, description, build)
        return fn

    return deco


def get_preset(name: str) -> Any:
    """A fresh recipe for preset ``name``; a clear error naming the closest one."""
    if name not in PRESETS:
        raise UnknownBackendError(
            f"no preset named {name!r}.{closest_hint(name, PRESETS)} Presets: "
            f"{', '.join(PRESETS)}. Run 'audiostyle presets'."
        )
    return PRESETS[name].build()
