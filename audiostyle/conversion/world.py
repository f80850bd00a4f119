"""WORLD source-filter analysis and synthesis (pyworld): F0, spectral envelope, aperiodicity.

Morise, Yokomori & Ozawa (2016), "WORLD: a vocoder-based high-quality speech synthesis
system for real-time applications". The envelope is CheapTrick's (pitch-adaptive, so
it carries the vocal tract and not the harmonics); the aperiodicity D4C's. Unvoiced
frames have ``f0 == 0`` and are synthesised as shaped noise.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import Analysis, AnalysisSynthesis
from audiostyle.conversion.f0_octave import CHECKED_F0, octave_corrected
from audiostyle.errors import DependencyError


def _pyworld():
    try:
        import pyworld
    except ImportError as exc:  # pragma: no cover - a base dependency
        raise DependencyError(
            "the 'world' analysis needs pyworld: pip install pyworld-prebuilt"
        ) from exc
    return pyworld


class World(AnalysisSynthesis):
    """WORLD analysis (dio+StoneMask or harvest, an octave check, CheapTrick, D4C) and synthesis."""

    kind = "world"

    def analyze(self, wave: np.ndarray) -> Analysis:
        pw = _pyworld()
        o = self.options
        x = np.ascontiguousarray(wave, dtype=np.float64)
        fs = self.sample_rate
        if o.f0_method == "harvest":
            f0, t = pw.harvest(
                x, fs, f0_floor=o.f0_floor, f0_ceil=o.f0_ceil, frame_period=o.frame_period
            )
        else:
            f0, t = pw.dio(
                x, fs, f0_floor=o.f0_floor, f0_ceil=o.f0_ceil, frame_period=o.frame_period
            )
            f0 = pw.stonemask(x, f0, t, fs)
        extra = {}
        if o.octave_check == "track":
            f0, _ = octave_corrected(x, f0, t, fs)
        elif o.octave_check == "statistics":
            extra[CHECKED_F0], _ = octave_corrected(x, f0, t, fs)
        floor = max(o.f0_floor, 40.0)
        fft_size = pw.get_cheaptrick_fft_size(fs, floor)
        sp = pw.cheaptrick(x, f0, t, fs, f0_floor=floor, fft_size=fft_size)
        ap = pw.d4c(x, f0, t, fs, fft_size=fft_size)
        return Analysis(
            kind=self.kind,
            sample_rate=fs,
            length=int(x.shape[0]),
            frame_period=o.frame_period / 1000.0,
            envelope=sp,
            f0=np.asarray(f0, dtype=np.float64),
            aperiodicity=ap,
            extra=extra,
        )

    def synthesize(self, analysis: Analysis) -> np.ndarray:
        return world_wave(analysis)


def world_wave(analysis: Analysis) -> np.ndarray:
    """WORLD's synthesis of a ``world`` analysis: a float32 wave of ``analysis.length``."""
    pw = _pyworld()
    f0 = np.ascontiguousarray(analysis.f0, dtype=np.float64)
    sp = np.ascontiguousarray(np.maximum(analysis.envelope, 1e-16), dtype=np.float64)
    ap = np.ascontiguousarray(np.clip(analysis.aperiodicity, 0.0, 1.0), dtype=np.float64)
    y = pw.synthesize(f0, sp, ap, analysis.sample_rate, analysis.frame_period * 1000.0)
    out = np.zeros(analysis.length, dtype=np.float32)
    n = min(analysis.length, y.shape[0])
    out[:n] = y[:n]
    return out
