"""A magnitude-only analysis at a neural vocoder's settings; the vocoder rebuilds the wave.

The ``spectrum`` analysis is the power spectrum of a centred Hann STFT with the
settings of the universal HiFi-GAN (n_fft 1024, hop 256 at 22.05 kHz): conditioners
that change a power envelope (``colour``) work on it frame by frame, and the
``hifigan`` vocoder turns it back into a wave through its 80 mel bands, with no phase
to guess. Without a vocoder its own synthesis is fast Griffin-Lim (with a note).
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, AnalysisSynthesis

N_FFT = 1024
HOP = 256


class Spectrum(AnalysisSynthesis):
    """Power spectrum (no phase) at the HiFi-GAN's STFT settings."""

    kind = "spectrum"

    def _config(self):
        from audiostyle.dsp import STFTConfig

        return STFTConfig(n_fft=N_FFT, hop_length=HOP, win_length=N_FFT, pad_mode="reflect")

    def analyze(self, wave: np.ndarray) -> Analysis:
        import torch

        from audiostyle import dsp

        n = int(np.asarray(wave).shape[0])
        cfg_ = self._config()
        # Padded so a frame centre falls on the last sample (dsp.covering_length): a
        # change of the spectrum then comes back at the end at its true level.
        padded = np.pad(
            np.asarray(wave, dtype=np.float32), (0, dsp.covering_length(n, config=cfg_) - n)
        )
        x = torch.from_numpy(np.ascontiguousarray(padded))
        spec = dsp.stft(x, config=self._config())
        return Analysis(
            kind=self.kind,
            sample_rate=self.sample_rate,
            length=n,
            frame_period=HOP / self.sample_rate,
            envelope=(spec.abs() ** 2).double().numpy().T,
            extra={"padded_length": int(padded.shape[0])},
        )

    def synthesize(self, analysis: Analysis) -> np.ndarray:
        import torch

        from audiostyle import dsp

        cfg = self._config()
        full = int(analysis.extra.get("padded_length", analysis.length))
        mag = torch.from_numpy(np.sqrt(np.maximum(analysis.envelope, 0.0)).T.astype(np.float32))
        generator = torch.Generator().manual_seed(0)
        y = dsp.griffinlim(
            mag,
            stft_fn=lambda w: dsp.stft(w, config=cfg),
            istft_fn=lambda s: dsp.istft(s, config=cfg, length=full),
            n_iter=32,
            momentum=0.99,
            init_phase=dsp.random_phase(mag.shape, generator=generator, device=mag.device),
        )
        return y.numpy()[: analysis.length].astype(np.float32)
