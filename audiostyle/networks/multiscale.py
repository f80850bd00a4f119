"""Parallel random CNNs of several widths (after Antognini, Hoffman & Weiss 2019)."""

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
from audiostyle.networks.options import MultiScaleOptions


class MultiScaleCNN(FeatureNetwork):
    """One random Conv1d per kernel width, all reading the spectrogram.

    Each width ``k`` gives a feature map ``"k{k}"`` and is a style layer of its own,
    so the style loss sums one Gram distance per scale.
    """

    def __init__(
        self, options: MultiScaleOptions | None = None, *, n_bins: int, seed: int = 0, device="cpu"
    ) -> None:
        options = options or MultiScaleOptions()
        super().__init__(options, n_bins=n_bins, seed=seed, device=device)
        o = options
        gen = self.generator()
        self.convs = nn.ModuleDict()
        for k in o.kernel_sizes:
            conv = nn.Conv1d(n_bins, o.n_filters, k, padding=conv_padding(o.padding), bias=o.bias)
            init_conv(conv, o.init, generator=gen)
            self.convs[f"k{k}"] = conv
        names = tuple(self.convs)
        self.style_layers = names
        self.content_layers = names if o.content_layers == "all" else (f"k{min(o.kernel_sizes)}",)
        self.act = activation(o.activation)
        self.freeze()

    def forward(self, rep: torch.Tensor) -> dict[str, torch.Tensor]:  # noqa: D102
        if self.options.padding == "none":
            need = max(self.options.kernel_sizes)
            require_size(rep.shape[-1], need, axis="frames", network="multiscale")
        return {name: self.act(conv(rep)) for name, conv in self.convs.items()}
