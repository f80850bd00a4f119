"""torchaudio's ``Spectrogram`` / ``InverseSpectrogram``: differentiable."""

from __future__ import annotations

import torch

from audiostyle.contracts.transform import SpectralTransform
from audiostyle.errors import DependencyError

TORCHAUDIO_FIX = (
    "pip install 'audiostyle[torchaudio]' (pins torch==2.11.0 with torchaudio==2.11.0, "
    "the only pair that imports together), or choose --transform torch"
)


def import_torchaudio():
    """Import torchaudio or raise :class:`DependencyError` naming the fix."""
    try:
        import torchaudio
    except Exception as exc:  # noqa: BLE001 - a broken install raises OSError and others
        raise DependencyError(
            f"torchaudio is missing or broken ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}); {TORCHAUDIO_FIX}."
        ) from exc
    return torchaudio


class TorchaudioSTFT(SpectralTransform):
    """torchaudio STFT / iSTFT with every setting passed explicitly."""

    differentiable = True

    def __init__(self, options=None, *, sample_rate: int = 22_050, device="cpu") -> None:
        super().__init__(options, sample_rate=sample_rate, device=device)
        torchaudio = import_torchaudio()
        from audiostyle import dsp

        c = self.config
        win_fn = {
            "hann": torch.hann_window,
            "hamming": torch.hamming_window,
            "blackman": torch.blackman_window,
        }.get(c.window)
        if win_fn is None:  # rectangular

            def win_fn(n, **kw):
                return dsp.window("rectangular", n, **kw)

        common = dict(
            n_fft=c.n_fft,
            win_length=c.win_length,
            hop_length=c.hop_length,
            window_fn=win_fn,
            normalized=False,
            center=c.center,
            pad_mode=c.pad_mode,
            onesided=True,
        )
        self._spec = torchaudio.transforms.Spectrogram(power=None, **common).to(self.device)
        self._inv = torchaudio.transforms.InverseSpectrogram(**common).to(self.device)

    def stft(self, wave: torch.Tensor) -> torch.Tensor:  # noqa: D102
        wave = torch.as_tensor(wave, dtype=torch.float32, device=self.device)
        return self._spec(wave)

    def istft(self, spec: torch.Tensor, *, length: int) -> torch.Tensor:  # noqa: D102
        spec = torch.as_tensor(spec, device=self.device).to(torch.complex64)
        return self._inv(spec, length=length)
