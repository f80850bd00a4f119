"""The content's own representation, or Gaussian noise: the starts of every domain."""

from __future__ import annotations

import torch

from audiostyle.contracts.init import InitContext, Initializer
from audiostyle.errors import ParameterError
from audiostyle.inits.options import NoiseOptions


def content_of(context: InitContext, *, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The content's wave and log-magnitude, or a clear error for a texture."""
    if context.content is None or context.content_rep is None:
        raise ParameterError(
            f"init={name!r} needs a content clip; use init=noise for a texture.", option="init"
        )
    return context.content, context.content_rep


class ContentStart(Initializer):
    """The content itself: its log-magnitude, or its wave in the waveform domain."""

    needs_content = True

    def initialize(self, context: InitContext) -> torch.Tensor:  # noqa: D102
        wave, rep = content_of(context, name="content")
        return (wave if context.domain == "waveform" else rep).clone()


class NoiseStart(Initializer):
    """N(0, scale²) drawn from the run's generator on the CPU, then moved to the device."""

    def __init__(self, options: NoiseOptions | None = None) -> None:
        super().__init__(options or NoiseOptions())

    def initialize(self, context: InitContext) -> torch.Tensor:  # noqa: D102
        scale = self.options.scale
        if scale is None:
            scale = context.noise_scale
        noise = torch.randn(context.expected_shape(), generator=context.generator)
        return (noise * scale).to(context.device)
