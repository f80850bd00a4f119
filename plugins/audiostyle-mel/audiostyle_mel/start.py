"""The ``mel-mean`` initializer: the style's long-term spectrum, smoothed over mel
bands, in every frame (a texture's start that already has the style's colour).

A start as a third party writes one: it subclasses the contract's
:class:`~audiostyle.contracts.init.Initializer`, says which domains it applies to
(here the spectrogram only, in the class and in its registration), and draws its
randomness from the run's generator.
"""

from __future__ import annotations

import torch

from audiostyle.contracts.init import InitContext, Initializer
from audiostyle_mel.filterbank import mel_filterbank


class MelMean(Initializer):
    """Each frame = the style's mean log-magnitude, averaged within mel bands, plus
    noise of the recipe's ``noise_scale`` (so no two frames are the same)."""

    domains = ("spectrogram",)

    def initialize(self, context: InitContext) -> torch.Tensor:  # noqa: D102
        t = context.transform
        fb = mel_filterbank(
            n_bins=t.n_bins, sample_rate=t.sample_rate, n_mels=self.options.n_mels
        ).to(context.device)
        mean = context.style_rep.mean(dim=-1)  # (n_bins,)
        bands = fb @ mean  # (n_mels,): each band's mean
        cover = fb.sum(dim=0)  # how much of each bin the bands hold
        smooth = torch.where(cover > 0, fb.T @ bands / cover.clamp_min(1e-12), mean)
        jitter = torch.randn((t.n_bins, context.n_frames), generator=context.generator)
        return smooth[:, None] + (jitter * context.noise_scale).to(context.device)
