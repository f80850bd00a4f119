"""Waveform-domain starts: the wave the run's phase reconstructor builds from a magnitude."""

from __future__ import annotations

import math

import torch

from audiostyle import dsp
from audiostyle.contracts.init import InitContext, Initializer
from audiostyle.inits.basic import content_of


def _reconstructed(context: InitContext, magnitude_of) -> torch.Tensor:
    """The phase reconstructor's wave for ``magnitude_of(content_spec, frames)``.

    Rebuilt on the covering length and trimmed (no spike at the end, see
    :func:`audiostyle.dsp.covering_length`); the content's phase (if any) is offered to
    the reconstructor as its ``content`` initial phase.
    """
    t, length = context.transform, context.length
    full = dsp.transform_covering_length(t, length)
    content_spec = content_phase = None
    if context.content is not None:
        content_spec = t.stft(torch.nn.functional.pad(context.content, (0, full - length)))
        content_phase = dsp.unit_phase(content_spec)
    magnitude = magnitude_of(content_spec, t.n_frames(full))
    return context.phase.reconstruct(
        magnitude,
        transform=t,
        length=full,
        content_phase=content_phase,
        generator=context.generator,
    ).detach()[..., :length]


class ContentPhaseStart(Initializer):
    """The wave the phase reconstructor builds from the content's magnitude."""

    domains = ("waveform",)
    needs_content = True

    def initialize(self, context: InitContext) -> torch.Tensor:  # noqa: D102
        content_of(context, name="content-phase")
        return _reconstructed(context, lambda spec, frames: spec.abs())


class StylePhaseStart(Initializer):
    """The wave the phase reconstructor builds from the style's magnitude, repeated (or
    cut) to the output's frames."""

    domains = ("waveform",)

    def initialize(self, context: InitContext) -> torch.Tensor:  # noqa: D102
        def tiled(spec, frames: int) -> torch.Tensor:
            mag = torch.expm1(context.style_rep)
            reps = math.ceil(frames / mag.shape[-1])
            return mag.repeat(1, reps)[:, :frames]

        return _reconstructed(context, tiled)
