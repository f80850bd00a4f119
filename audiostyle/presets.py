"""Named presets: the published recipes and the project's own default.

Each preset is a function returning a fresh :class:`Recipe`, registered in
``PRESETS`` with a one-line description. Values follow ../DESIGN.md ("The published
recipes, exact values").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from audiostyle.errors import UnknownBackendError
from audiostyle.options import closest_hint
from audiostyle.recipe import LossChoice, Recipe, StageChoice


@dataclass(frozen=True)
class Preset:
    """A named recipe factory."""

    name: str
    description: str
    build: Callable[[], Recipe]


PRESETS: dict[str, Preset] = {}


def preset(name: str, description: str):
    """Register a preset factory under ``name``."""

    def deco(fn: Callable[[], Recipe]) -> Callable[[], Recipe]:
        def build() -> Recipe:
            r = fn()
            r.preset = name
            r.description = description
            return r

        PRESETS[name] = Preset(name, description, build)
        return fn

    return deco


def get_preset(name: str) -> Recipe:
    """A fresh recipe for preset ``name``; a clear error naming the closest one."""
    if name not in PRESETS:
        raise UnknownBackendError(
            f"no preset named {name!r}.{closest_hint(name, PRESETS)} Presets: "
            f"{', '.join(PRESETS)}. Run 'audiostyle presets'."
        )
    return PRESETS[name].build()


@preset("default", "audiostyle's own recipe: content start, L-BFGS, content phase; fast")
def _default() -> Recipe:
    return Recipe(
        transform=StageChoice("torch", {"n_fft": 1024}),
        network=StageChoice(
            "random-cnn",
            {"n_filters": 1024, "kernel_size": 11, "padding": "same", "init": "kaiming"},
        ),
        optimizer=StageChoice("lbfgs"),
        phase=StageChoice("griffin-lim", {"n_iter": 0, "init": "content"}),
        losses={
            "content": LossChoice(0.1, {"reduction": "mean"}),
            "style": LossChoice(1.0, {"normalize": "frames", "reduction": "mean"}),
        },
        init="auto",
        steps=60,
    )


@preset(
    "ulyanov2016",
    "Ulyanov & Lebedev 2016: 1 layer, 4096 filters of width 11, L-BFGS 300, "
    "Griffin-Lim 500 from random phase, noise start",
)
def _ulyanov2016() -> Recipe:
    return Recipe(
        transform=StageChoice("torch", {"n_fft": 2048}),
        network=StageChoice(
            "random-cnn",
            {
                "n_filters": 4096,
                "kernel_size": 11,
                "padding": "none",
                "init": "ulyanov",
                "bias": False,
                "activation": "relu",
            },
        ),
        optimizer=StageChoice("lbfgs", {"history_size": 10}),
        phase=StageChoice("griffin-lim", {"n_iter": 500, "init": "random"}),
        losses={
            "content": LossChoice(1e-2, {"reduction": "sum"}),
            "style": LossChoice(1.0, {"normalize": "frames", "reduction": "sum"}),
        },
        init="noise",
        noise_scale=1e-3,
        steps=300,
    )
