"""librosa's STFT / iSTFT (numpy; not differentiable in torch)."""

from __future__ import annotations

import numpy as np
import torch

from audiostyle.contracts.transform import SpectralTransform


class LibrosaSTFT(SpectralTransform):
    """``librosa.stft`` / ``librosa.istft`` with every setting passed explicitly.

    Runs in numpy on the CPU; results are moved to ``device``.
    """

    differentiable = False

    def __init__(self, options=None, *, sample_rate: int = 22_050, device="cpu") -> None:
        super().__init__(options, sample_rate=sample_rate, device=device)
        import librosa

        self._librosa = librosa
        self._window = "boxcar" if self.config.window == "rectangular" else self.config.window

    def stft(self, wave: torch.Tensor) -> torch.Tensor:  # noqa: D102
        y = torch.as_tensor(wave).detach().cpu().numpy().astype(np.float32, copy=False)
        c = self.config
        spec = self._librosa.stft(
            y,
            n_fft=c.n_fft,
            hop_length=c.hop_length,
            win_length=c.win_length,
            window=self._window,
            center=c.center,
            pad_mode=c.pad_mode,
            dtype=np.complex64,
        )
        return torch.from_numpy(spec).to(self.device)

    def istft(self, spec: torch.Tensor, *, length: int) -> torch.Tensor:  # noqa: D102
        s = torch.as_tensor(spec).detach().cpu().numpy().astype(np.complex64, copy=False)
        c = self.config
        y = self._librosa.istft(
            s,
            n_fft=c.n_fft,
            hop_length=c.hop_length,
            win_length=c.win_length,
            window=self._window,
            center=c.center,
            length=length,
            dtype=np.float32,
        )
        return torch.from_numpy(y).to(self.device)
