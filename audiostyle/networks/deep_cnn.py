"""A deeper stack of random Conv1d layers, optionally dilated."""

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
from audiostyle.networks.options import DeepCNNOptions


class DeepCNN(FeatureNetwork):
    """``n_layers`` random Conv1d, each followed by the activation.

    Layer ``i`` (``conv1`` ... ``convN``) has ``n_filters`` channels, width
    ``kernel(i)`` and dilation ``dilation_base ** i``. By default the style loss
    uses every layer's Gram (short patterns from the first, long ones from the
    last) and the content loss the last layer.
    """

    def __init__(
        self, options: DeepCNNOptions | None = None, *, n_bins: int, seed: int = 0, device="cpu"
    ) -> None:
        options = options or DeepCNNOptions()
        super().__init__(options, n_bins=n_bins, seed=seed, device=device)
        o = options
        gen = self.generator()
        self.convs = nn.ModuleDict()
        channels = n_bins
        for i in range(o.n_layers):
            conv = nn.Conv1d(
                channels,
                o.n_filters,
                o.kernel(i),
                dilation=o.dilation_base**i,
                padding=conv_padding(o.padding),
                bias=o.bias,
            )
            init_conv(conv, o.init, generator=gen)
            self.convs[f"conv{i + 1}"] = conv
            channels = o.n_filters
        names = tuple(self.convs)
        self.style_layers = names if o.style_layers == "all" else names[-1:]
        self.content_layers = names if o.content_layers == "all" else names[-1:]
        self.act = activation(o.activation)
        self.freeze()

    @property
    def receptive_field(self) -> int:
        """Frames one output frame of the last layer depends on."""
        o = self.options
        return 1 + sum((o.kernel(i) - 1) * o.dilation_base**i for i in range(o.n_layers))

    def forward(self, rep: torch.Tensor) -> dict[str, torch.Tensor]:  # noqa: D102
        if self.options.padding == "none":
            require_size(rep.shape[-1], self.receptive_field, axis="frames", network="deep-cnn")
        out = {}
        x = rep
        for name, conv in self.convs.items():
            x = self.act(conv(x))
            out[name] = x
        return out
