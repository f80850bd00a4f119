"""Griffin-Lim and fast Griffin-Lim over any spectral transform."""

from __future__ import annotations

import torch

from audiostyle import dsp
from audiostyle.phase.base import PhaseReconstructor, initial_phase
from audiostyle.phase.options import GriffinLimOptions


class GriffinLim(PhaseReconstructor):
    """Griffin-Lim with optional momentum (fast Griffin-Lim when momentum > 0)."""

    def __init__(self, options: GriffinLimOptions | None = None) -> None:
        super().__init__(options or GriffinLimOptions())

    def reconstruct(
        self,
        magnitude,
        *,
        transform,
        length,
        content_phase=None,  # noqa: D102
        generator=None,
        callback=None,
    ) -> torch.Tensor:
        o = self.options
        magnitude = magnitude.detach()
        angles = initial_phase(o.init, magnitude, content_phase=content_phase, generator=generator)
        with torch.no_grad():
            return dsp.griffinlim(
                magnitude,
                stft_fn=transform.stft,
                istft_fn=lambda spec: transform.istft(spec, length=length),
                n_iter=o.n_iter,
                momentum=o.momentum,
                init_phase=angles,
                callback=callback,
            )
