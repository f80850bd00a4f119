"""audiostyle: neural style transfer for audio with pluggable backends.

Importing the package is light (no torch); the API functions import what they
need on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audiostyle.errors import (
    AudioError,
    AudiostyleError,
    DependencyError,
    ParameterError,
    PluginError,
    UnknownBackendError,
)
from audiostyle.hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = [
    "AudioError",
    "AudiostyleError",
    "DependencyError",
    "ParameterError",
    "PluginError",
    "Recipe",
    "Result",
    "UnknownBackendError",
    "__version__",
    "demo_clip",
    "hookimpl",
    "presets",
    "resolve_recipe",
    "texture",
    "transfer",
]

_LAZY = {
    "transfer": "audiostyle.api",
    "texture": "audiostyle.api",
    "resolve_recipe": "audiostyle.api",
    "demo_clip": "audiostyle.api",
    "Result": "audiostyle.api",
    "Recipe": "audiostyle.recipe",
}

if TYPE_CHECKING:  # pragma: no cover
    from audiostyle.api import Result, demo_clip, resolve_recipe, texture, transfer
    from audiostyle.recipe import Recipe


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "presets":
        import importlib

        return importlib.import_module("audiostyle.presets")
    raise AttributeError(f"module 'audiostyle' has no attribute {name!r}")
