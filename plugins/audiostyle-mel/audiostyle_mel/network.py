"""``mel-cnn``: a random CNN on a mel projection of the spectrogram."""

from __future__ import annotations

import torch
from torch import nn

from audiostyle.contracts.network import FeatureNetwork, activation, init_conv
from audiostyle_mel.filterbank import mel_filterbank
from audiostyle_mel.options import MelCNNOptions

#: Sample rate the mel scale assumes when neither the engine nor the options give one.
FALLBACK_SAMPLE_RATE = 22_050


class MelCNN(FeatureNetwork):
    """A frozen mel filterbank, then parallel random Conv1d of several widths.

    The input ``log1p|X|`` with ``n_bins`` channels becomes ``n_mels`` mel bands
    (``log1p(M @ |X|)``, or ``M @ log1p|X|`` with ``projection="log"``). Each
    convolution of width ``k`` (``same`` padding, so every layer keeps the frames)
    gives the feature map ``conv{k}``. Style: every layer; content: the narrowest
    (or all). The filterbank is a buffer, the convolutions are drawn from
    ``self.generator()``; nothing requires grad.

    Parameters
    ----------
    options : MelCNNOptions
    n_bins : int
        Frequency bins of the input, ``n_fft // 2 + 1``.
    seed : int
        Seed of the random weights.
    device : str or torch.device
    sample_rate : int, optional
        The run's sample rate (the engine passes it); ``options.sample_rate`` wins.
    """

    def __init__(
        self,
        options: MelCNNOptions | None = None,
        *,
        n_bins: int,
        seed: int = 0,
        device="cpu",
        sample_rate: int | None = None,
    ) -> None:
        options = options or MelCNNOptions()
        super().__init__(options, n_bins=n_bins, seed=seed, device=device)
        self.sample_rate = int(options.sample_rate or sample_rate or FALLBACK_SAMPLE_RATE)
        fb = mel_filterbank(
            n_bins=n_bins,
            sample_rate=self.sample_rate,
            n_mels=options.n_mels,
            f_min=options.f_min,
            f_max=options.f_max,
        )
        self.register_buffer("filterbank", fb)
        gen = self.generator()
        self.convs = nn.ModuleDict()
        for k in sorted(options.kernel_sizes):
            conv = nn.Conv1d(options.n_mels, options.n_filters, k, padding="same", bias=False)
            init_conv(conv, options.init, generator=gen)
            self.convs[f"conv{k}"] = conv
        self.act = activation(options.activation)
        names = tuple(self.convs)
        self.style_layers = names
        self.content_layers = names if options.content_layer == "all" else names[:1]
        self.freeze()

    def mel(self, rep: torch.Tensor) -> torch.Tensor:
        """The mel representation of ``rep``.

        Parameters
        ----------
        rep : Tensor [shape=(batch, n_bins, frames)], float32
            log1p-magnitude spectrogram.

        Returns
        -------
        Tensor [shape=(batch, n_mels, frames)], float32
        """
        if self.options.projection == "log":
            return torch.einsum("mf,bft->bmt", self.filterbank, rep)
        magnitude = torch.expm1(rep).clamp_min(0)
        return torch.log1p(torch.einsum("mf,bft->bmt", self.filterbank, magnitude))

    def forward(self, rep: torch.Tensor) -> dict[str, torch.Tensor]:
        """Feature maps ``conv{k}`` of shape (batch, n_filters, frames)."""
        mel = self.mel(rep)
        return {name: self.act(conv(mel)) for name, conv in self.convs.items()}
