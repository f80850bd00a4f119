"""A random 2-D CNN over the spectrogram as an image ("randomCNN voice transfer", 2018)."""

from __future__ import annotations

import torch
from torch import nn

from audiostyle.contracts.network import (
    FeatureNetwork,
    activation,
    conv_padding,
    init_conv,
    require_size,
)
from audiostyle.networks.options import RandomCNN2dOptions


class RandomCNN2d(FeatureNetwork):
    """One Conv2d with one input channel over (freq, frames), then an activation.

    The feature map is (batch, filters, freq', frames): the style loss flattens it to
    (filters * freq', frames), so the Gram is taken over the time axis as mazzzystar's
    code does.
    """

    content_layers = ("conv",)
    style_layers = ("conv",)

    def __init__(
        self,
        options: RandomCNN2dOptions | None = None,
        *,
        n_bins: int,
        seed: int = 0,
        device="cpu",
    ) -> None:
        options = options or RandomCNN2dOptions()
        super().__init__(options, n_bins=n_bins, seed=seed, device=device)
        o = options
        self.conv = nn.Conv2d(
            1,
            o.n_filters,
            (o.kernel_freq, o.kernel_time),
            padding=conv_padding(o.padding),
            bias=o.bias,
        )
        init_conv(self.conv, o.init, generator=self.generator())
        self.act = activation(o.activation)
        self.freeze()

    def forward(self, rep: torch.Tensor) -> dict[str, torch.Tensor]:  # noqa: D102
        kf, kt = self.options.kernel_freq, self.options.kernel_time
        if self.options.padding == "none":
            require_size(rep.shape[-2], kf, axis="frequency bins", network="random-cnn-2d")
            require_size(rep.shape[-1], kt, axis="frames", network="random-cnn-2d")
        return {"conv": self.act(self.conv(rep.unsqueeze(-3)))}
