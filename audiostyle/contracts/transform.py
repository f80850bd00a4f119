"""The spectral-transform stage contract (``register_transforms``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import torch

from audiostyle.contracts.stft import STFTConfig, STFTOptions


class SpectralTransform(ABC):
    """STFT / iSTFT with fixed settings.

    Parameters
    ----------
    options : STFTOptions
        Validated settings (``n_fft``, ``hop_length``, ``win_length``, ``window`` ...).
    sample_rate : int
        Sample rate of the audio in Hz.
    device : str or torch.device
        Where tensors live.

    Subclasses implement :meth:`stft` and :meth:`istft` and set ``differentiable``
    to ``True`` when gradients flow through :meth:`stft` in torch.
    """

    differentiable: ClassVar[bool] = False

    def __init__(
        self,
        options: STFTOptions | None = None,
        *,
        sample_rate: int = 22_050,
        device: str | torch.device = "cpu",
    ) -> None:
        self.options = options or STFTOptions()
        self.sample_rate = int(sample_rate)
        self.device = torch.device(device)
        self.config = STFTConfig.from_options(self.options)

    @property
    def n_fft(self) -> int:
        """FFT size."""
        return self.config.n_fft

    @property
    def hop_length(self) -> int:
        """Hop between frames in samples."""
        return self.config.hop_length

    @property
    def win_length(self) -> int:
        """Window length in samples."""
        return self.config.win_length

    @property
    def n_bins(self) -> int:
        """Number of frequency bins."""
        return self.config.n_fft // 2 + 1

    def n_frames(self, n_samples: int) -> int:
        """Frames in the STFT of ``n_samples`` samples."""
        return self.options.n_frames(n_samples)

    @abstractmethod
    def stft(self, wave: torch.Tensor) -> torch.Tensor:
        """Complex STFT.

        Parameters
        ----------
        wave : Tensor [shape=(..., time)], float32

        Returns
        -------
        Tensor [shape=(..., n_fft // 2 + 1, frames)], complex64, on ``self.device``
        """

    @abstractmethod
    def istft(self, spec: torch.Tensor, *, length: int) -> torch.Tensor:
        """Inverse STFT (weighted overlap-add).

        Parameters
        ----------
        spec : Tensor [shape=(..., n_fft // 2 + 1, frames)], complex
        length : int
            Number of samples of the result.

        Returns
        -------
        Tensor [shape=(..., length)], float32
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config}, sample_rate={self.sample_rate})"
