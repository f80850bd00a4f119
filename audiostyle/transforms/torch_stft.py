"""Pure-PyTorch STFT (``torch.stft``): differentiable, on any device."""

from __future__ import annotations

import torch

from audiostyle import dsp
from audiostyle.contracts.transform import SpectralTransform


class TorchSTFT(SpectralTransform):
    """``torch.stft`` / ``torch.istft`` with every setting passed explicitly."""

    differentiable = True

    def __init__(self, options=None, *, sample_rate: int = 22_050, device="cpu") -> None:
        super().__init__(options, sample_rate=sample_rate, device=device)
        self._win = dsp.window(self.config.window, self.config.win_length, device=self.device)

    def stft(self, wave: torch.Tensor) -> torch.Tensor:  # noqa: D102
        wave = torch.as_tensor(wave, dtype=torch.float32, device=self.device)
        return dsp.stft(wave, config=self.config, win=self._win)

    def istft(self, spec: torch.Tensor, *, length: int) -> torch.Tensor:  # noqa: D102
        spec = torch.as_tensor(spec, device=self.device).to(torch.complex64)
        return dsp.istft(spec, config=self.config, length=length, win=self._win)
