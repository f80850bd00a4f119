"""The parts of a recipe: a stage's and a loss term's choice, the settings' keys and types.

The bottom of the package: it imports nothing of its own, and every other module of
:mod:`audiostyle.recipe` builds on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DEFAULT_SAMPLE_RATE = 22_050  # Hz
MAX_SEED = 2**63 - 1  # torch.Generator.manual_seed takes up to 64 bits; numpy no negatives
Domain = Literal["spectrogram", "waveform"]
Device = Literal["auto", "cpu", "cuda"]
LossNorm = Literal["auto", "none", "initial"]
STAGE_KEYS = ("transform", "network", "optimizer", "phase")
#: What ``init = "auto"`` starts from: the content for a transfer, noise for a texture
#: (:meth:`audiostyle.plan.Plan.start` decides; the recipe checks both).
AUTO_INIT = {"transfer": "content", "texture": "noise"}
# The conversion front end (audiostyle.contracts.conversion): optional single stages and
# the ordered conditioners.
CONVERSION_KEYS = ("analysis", "matcher", "vocoder")
ROUTE_KINDS = ("speech", "other")


@dataclass
class StageChoice:
    """A backend name and its options (as given; validated by :meth:`Recipe.validate`)."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class LossChoice:
    """A loss term: its weight and options."""

    weight: float = 1.0
    options: dict[str, Any] = field(default_factory=dict)
