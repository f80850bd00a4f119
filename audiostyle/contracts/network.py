"""The feature-network stage contract (``register_networks``) and the building blocks
every random convolutional network uses (public: plugins use them too)."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import torch
from torch import nn

from audiostyle.errors import ParameterError


class FeatureNetwork(nn.Module, ABC):
    """A frozen random network whose feature maps feed the losses.

    Subclasses build their layers in ``__init__(options, *, n_bins, seed, device)``
    from a ``torch.Generator`` seeded with ``seed`` (never the global RNG), call
    :meth:`freeze` at the end, and implement :meth:`forward`.

    Attributes
    ----------
    content_layers, style_layers : tuple of str
        Names of the feature maps the content and style losses use.
    """

    content_layers: tuple[str, ...] = ("features",)
    style_layers: tuple[str, ...] = ("features",)

    def __init__(self, options, *, n_bins: int, seed: int = 0, device="cpu") -> None:
        super().__init__()
        self.options = options
        self.n_bins = int(n_bins)
        self.seed = int(seed)
        self.device = torch.device(device)

    def generator(self) -> torch.Generator:
        """A CPU generator seeded with the network's seed (weights are drawn on CPU
        so a seed gives the same network on every device)."""
        return torch.Generator(device="cpu").manual_seed(self.seed)

    def freeze(self) -> FeatureNetwork:
        """Move to ``device``, switch to eval mode and stop gradients to weights."""
        self.to(self.device)
        self.eval()
        for p in self.parameters():
            p.requires_grad_(False)
        return self

    @abstractmethod
    def forward(self, rep: torch.Tensor) -> dict[str, torch.Tensor]:
        """Feature maps of a representation.

        Parameters
        ----------
        rep : Tensor [shape=(batch, freq, frames)], float32
            log1p-magnitude spectrogram.

        Returns
        -------
        dict of str to Tensor [shape=(batch, ..., frames')]
            Named feature maps; the last axis is time.
        """


def activation(name: str) -> nn.Module:
    """The activation module for an option value."""
    table = {
        "relu": nn.ReLU,
        "leaky_relu": lambda: nn.LeakyReLU(0.2),
        "tanh": nn.Tanh,
        "elu": nn.ELU,
        "none": nn.Identity,
    }
    if name not in table:
        raise ParameterError(f"activation={name!r} is not one of {', '.join(table)}.")
    return table[name]()


def init_conv(conv: nn.Conv1d | nn.Conv2d, init: str, *, generator: torch.Generator) -> None:
    """Draw a convolution's weights (and bias) from ``generator``.

    ``ulyanov``: N(0, s^2) with s = sqrt(2) * sqrt(2 / ((in + out) * k)) (Ulyanov & Lebedev);
    ``kaiming``: N(0, 2 / fan_in); ``normal``: N(0, 1); ``default``: PyTorch's uniform
    kaiming init, drawn from the same generator.
    """
    w = conv.weight
    receptive = math.prod(w.shape[2:])
    fan_in, fan_out = w.shape[1] * receptive, w.shape[0] * receptive
    with torch.no_grad():
        if init == "ulyanov":
            std = math.sqrt(2) * math.sqrt(2.0 / (fan_in + fan_out))
            w.copy_(torch.randn(w.shape, generator=generator) * std)
        elif init == "kaiming":
            w.copy_(torch.randn(w.shape, generator=generator) * math.sqrt(2.0 / fan_in))
        elif init == "normal":
            w.copy_(torch.randn(w.shape, generator=generator))
        elif init == "default":
            bound = 1.0 / math.sqrt(fan_in)
            w.copy_((torch.rand(w.shape, generator=generator) * 2 - 1) * bound)
        else:
            raise ParameterError(f"init={init!r} is not one of ulyanov, kaiming, normal, default.")
        if conv.bias is not None:
            if init == "default":
                bound = 1.0 / math.sqrt(fan_in)
                conv.bias.copy_((torch.rand(conv.bias.shape, generator=generator) * 2 - 1) * bound)
            else:
                conv.bias.zero_()


def conv_padding(padding: str) -> int | str:
    """The ``padding`` argument of a stride-1 convolution for an option value.

    ``same`` keeps the input's size (PyTorch pads ``dilation * (k - 1)`` split
    between both ends); ``none`` is a valid convolution.
    """
    if padding == "same":
        return "same"
    if padding == "none":
        return 0
    raise ParameterError(f"padding={padding!r} is not one of none, same.")


def require_size(have: int, need: int, *, axis: str, network: str) -> None:
    """A clear error when a valid convolution has less input than its receptive field."""
    if have < need:
        raise ParameterError(
            f"network {network!r} with padding=none needs at least {need} {axis}, the "
            f"input has {have}; use a longer clip, smaller kernels or "
            "--network-opt padding=same."
        )
