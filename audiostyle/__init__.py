"""audiostyle: neural style transfer for audio with pluggable backends.

Importing the package is light (no torch); the API functions import what they
need on first use. In a notebook::

    import audiostyle

    result = audiostyle.transfer("content.wav", "style.wav", steps=100)
    result                    # an audio player, losses, timings and the recipe
    result.plot()             # spectrograms and loss curves
    result.save("out.wav")    # atomic; never overwrites unless force=True

>>> import audiostyle
>>> "transfer" in dir(audiostyle), audiostyle.demo_clip("style").exists()
(True, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Fills the preset registry (audiostyle.recipe.registry.PRESETS) that Recipe.load resolves a
# file's ``preset = "NAME"`` by; light (no numpy or torch).
from audiostyle import presets  # noqa: F401
from audiostyle.errors import (
    AudioError,
    AudiostyleError,
    DependencyError,
    ParameterError,
    PluginError,
    UnknownBackendError,
)
from audiostyle.hookspecs import hookimpl


def _version() -> str:
    """The installed distribution's version (written once, in pyproject.toml)."""
    from importlib import metadata

    try:
        return metadata.version("audiostyle")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


__version__ = _version()

__all__ = [
    "AudioError",
    "AudiostyleError",
    "DependencyError",
    "ParameterError",
    "PluginError",
    "Recipe",
    "Result",
    "StepReport",
    "UnknownBackendError",
    "__version__",
    "check_outputs",
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
    "check_outputs": "audiostyle.api",
    "Recipe": "audiostyle.recipe",
    "StepReport": "audiostyle.engine",
}

if TYPE_CHECKING:  # pragma: no cover
    from audiostyle.api import Result, check_outputs, demo_clip, resolve_recipe, texture, transfer
    from audiostyle.engine import StepReport
    from audiostyle.recipe import Recipe


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'audiostyle' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
