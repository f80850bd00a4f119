"""The one-layer random CNN of Ulyanov & Lebedev (2016)."""

from __future__ import annotations

import torch
from torch import nn

from audiostyle.contracts.network import FeatureNetwork, activation, init_conv
from audiostyle.networks.options import RandomCNNOptions


class RandomCNN(FeatureNetwork):
    """Conv1d over time, frequency bins as input channels, then an activation."""

    content_layers = ("conv",)
    style_layers = ("conv",)

    def __init__(
        self, options: RandomCNNOptions | None = None, *, n_bins: int, seed: int = 0, device="cpu"
    ) -> None:
        options = options or RandomCNNOptions()
        super().__init__(options, n_bins=n_bins, seed=seed, device=device)
        pad = options.kernel_size // 2 if options.padding == "same" else 0
        self.conv = nn.Conv1d(
            n_bins, options.n_filters, options.kernel_size, padding=pad, bias=options.bias
        )
        init_conv(self.conv, options.init, generator=self.generator())
        self.act = activation(options.activation)
        self.freeze()
        if options.compute_dtype == "bfloat16":
            self.conv.to(torch.bfloat16)

    def forward(self, rep: torch.Tensor) -> dict[str, torch.Tensor]:  # noqa: D102
        if self.conv.weight.dtype != rep.dtype:  # compute_dtype="bfloat16"
            return {"conv": self.act(self.conv(rep.to(self.conv.weight.dtype)).float())}
        return {"conv": self.act(self.conv(rep))}
