"""An STFT analysis that keeps its phase; synthesis is the inverse STFT with that phase.

The conversion stages then work on a power spectrum (``envelope``) frame by frame
with no pitch (``f0 is None``): the long-term colour of the ``default`` recipe runs
on it without touching the waveform's phase.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, AnalysisSynthesis


class StftAnalysis(AnalysisSynthesis):
    """Power spectrum + phase by a centred Hann STFT; inverse STFT back."""

    kind = "stft"

    def _config(self):
        from audiostyle.dsp import STFTConfig

        o = self.options
        hop = o.hop_length or o.n_fft // 4
        return STFTConfig(n_fft=o.n_fft, hop_length=hop, win_length=o.n_fft)

    def analyze(self, wave: np.ndarray) -> Analysis:
        import torch

        from audiostyle import dsp

        cfg = self._config()
        n = int(np.asarray(wave).shape[0])
        cfg_ = self._config()
        # Padded so a frame centre falls on the last sample (dsp.covering_length): a
        # change of the spectrum then comes back at the end at its true level.
        padded = np.pad(
            np.asarray(wave, dtype=np.float32), (0, dsp.covering_length(n, config=cfg_) - n)
        )
        x = torch.from_numpy(np.ascontiguousarray(padded))
        spec = dsp.stft(x, config=cfg)  # (bins, frames) complex
        power = (spec.abs() ** 2).double().numpy().T
        phase = torch.angle(spec).numpy().T
        return Analysis(
            kind=self.kind,
            sample_rate=self.sample_rate,
            length=n,
            frame_period=cfg.hop_length / self.sample_rate,
            envelope=power,
            extra={"phase": phase, "padded_length": int(padded.shape[0])},
        )

    def synthesize(self, analysis: Analysis) -> np.ndarray:
        import torch

        from audiostyle import dsp

        cfg = self._config()
        mag = torch.from_numpy(np.sqrt(np.maximum(analysis.envelope, 0.0)).T.astype(np.float32))
        phase = torch.from_numpy(np.asarray(analysis.extra["phase"]).T.astype(np.float32))
        spec = torch.polar(mag, phase)
        full = int(analysis.extra.get("padded_length", analysis.length))
        y = dsp.istft(spec, config=cfg, length=full)
        return y.numpy()[: analysis.length].astype(np.float32)
