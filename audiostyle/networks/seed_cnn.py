"""The two-layer CNN of the 2020 seed blog "Neural Style Transfer for Audio in Pytorch"."""

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
from audiostyle.networks.options import SeedCNNOptions


class SeedCNN(FeatureNetwork):
    """Conv1d -> activation -> Conv1d over time, frequency bins as input channels.

    Content and style both use ``conv2``, the second convolution's output (no
    activation after it, as in the blog). With ``conv2_input="raw"`` the second
    convolution reads the spectrogram itself, as the blog's code does by mistake
    (its 4096-channel ``conv2`` could not even run on 1025 bins; here it takes the
    bins so the behaviour can be heard): the features are then linear in the input.
    """

    content_layers = ("conv2",)
    style_layers = ("conv2",)

    def __init__(
        self, options: SeedCNNOptions | None = None, *, n_bins: int, seed: int = 0, device="cpu"
    ) -> None:
        options = options or SeedCNNOptions()
        super().__init__(options, n_bins=n_bins, seed=seed, device=device)
        o = options
        pad = conv_padding(o.padding)
        gen = self.generator()
        self.raw = o.conv2_input == "raw"
        if self.raw:
            self.conv1 = None
            self.conv2 = nn.Conv1d(n_bins, o.n_filters, o.kernel_size, padding=pad, bias=o.bias)
        else:
            self.conv1 = nn.Conv1d(n_bins, o.n_filters, o.kernel_size, padding=pad, bias=o.bias)
            self.conv2 = nn.Conv1d(
                o.n_filters, o.n_filters, o.kernel_size, padding=pad, bias=o.bias
            )
            init_conv(self.conv1, o.init, generator=gen)
        init_conv(self.conv2, o.init, generator=gen)
        self.act = activation(o.activation)
        self.freeze()

    def forward(self, rep: torch.Tensor) -> dict[str, torch.Tensor]:  # noqa: D102
        k = self.options.kernel_size
        if self.options.padding == "none":
            need = k if self.raw else 2 * k - 1
            require_size(rep.shape[-1], need, axis="frames", network="seed-cnn")
        if self.raw:
            return {"conv2": self.conv2(rep)}
        hidden = self.act(self.conv1(rep))
        return {"conv1": hidden, "conv2": self.conv2(hidden)}
