"""Options of the instrument-timbre conversion backends (light: dataclasses only)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option


def _number(name: str, value: float, lo: float, hi: float, hint: str) -> None:
    if isinstance(value, bool) or not (
        isinstance(value, int | float) and math.isfinite(value) and lo <= value <= hi
    ):
        raise ParameterError(f"{name}={value!r} must be a number from {lo:g} to {hi:g}; {hint}.")


@dataclass(frozen=True)
class PitchedStftOptions:
    """An STFT analysis (power and phase) with a pitch track from WORLD or pYIN."""

    n_fft: int = option(1024, "FFT size in samples")
    hop_length: int | None = option(None, "samples between frames (None: n_fft // 4)")
    f0_method: Literal["dio", "harvest", "pyin"] = option(
        "dio", "pitch tracker: dio+StoneMask (fast), harvest (WORLD, slower) or pyin (librosa)"
    )
    f0_floor: float = option(60.0, "lowest F0 searched, Hz")
    f0_ceil: float = option(1100.0, "highest F0 searched, Hz")
    fix_octaves: bool = option(
        False, "move a frame's F0 by an octave when that explains its harmonics better"
    )

    def __post_init__(self) -> None:
        if isinstance(self.n_fft, bool) or not 64 <= self.n_fft <= 16384:
            raise ParameterError(f"n_fft={self.n_fft} must be from 64 to 16384; e.g. 1024.")
        if self.hop_length is not None and not 1 <= self.hop_length <= self.n_fft:
            raise ParameterError(
                f"hop_length={self.hop_length} must be from 1 to n_fft={self.n_fft}."
            )
        _number("f0_floor", self.f0_floor, 20.0, 2000.0, "e.g. 60 Hz")
        _number("f0_ceil", self.f0_ceil, 40.0, 8000.0, "e.g. 1100 Hz")
        if self.f0_ceil <= self.f0_floor:
            raise ParameterError(f"f0_ceil={self.f0_ceil} must be above f0_floor={self.f0_floor}.")


@dataclass(frozen=True)
class TimbreMatchOptions:
    """Each content frame takes the style's spectrum at the nearest pitch and loudness."""

    k: int = option(8, "style frames averaged per content frame (nearest neighbours)")
    pitch_scale: float = option(
        1.0, "semitones of pitch difference that count as much as loudness_scale dB"
    )
    loudness_scale: float = option(6.0, "dB of loudness difference per pitch_scale semitones")
    time_scale: float = option(
        1.0,
        "doublings of a frame's age in its note (from 50 ms) per pitch_scale semitones; "
        "0: the age is not matched",
    )
    level: Literal["content", "note"] = option(
        "content",
        "each frame's level: the content's own, or its note's peak plus the style's course "
        "(attack, decay) at that age",
    )
    fine: float | Literal["auto"] = option(
        "auto",
        "how much of the style's fine structure (harmonics, noise between them) a pitched "
        "frame takes, 0..1 (0: only its smooth envelope); auto: the frame's harmonicity",
    )
    warp: Literal["fine", "all", "off"] = option(
        "fine",
        "shift the style's spectrum so its harmonics sit on the content's: all of it, only "
        "its harmonic fine structure (the envelope, one F0 wide, stays put), or off",
    )
    smooth: int = option(1, "frames the retrieved spectra are averaged over in time (odd)")
    n_bands: int = option(40, "mel bands of the smooth envelope (frames without a pitch)")
    max_db: float = option(40.0, "no band of a frame moves more than this, dB")

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not 1 <= self.k <= 256:
            raise ParameterError(f"k={self.k!r} must be an integer from 1 to 256; e.g. 8.")
        _number("pitch_scale", self.pitch_scale, 0.01, 48.0, "e.g. 1 semitone")
        _number("loudness_scale", self.loudness_scale, 0.01, 120.0, "e.g. 6 dB")
        _number("time_scale", self.time_scale, 0.0, 100.0, "e.g. 1; 0 turns it off")
        if self.fine != "auto":
            _number("fine", self.fine, 0.0, 1.0, "or 'auto'")
        if isinstance(self.smooth, bool) or not (1 <= self.smooth <= 63 and self.smooth % 2):
            raise ParameterError(f"smooth={self.smooth!r} must be an odd integer from 1 to 63.")
        if not 4 <= self.n_bands <= 256:
            raise ParameterError(f"n_bands={self.n_bands} must be from 4 to 256; e.g. 40.")
        _number("max_db", self.max_db, 0.0, 120.0, "e.g. 40")


@dataclass(frozen=True)
class DynamicsOptions:
    """Frame levels of the content mapped onto the style's distribution of levels."""

    strength: float = option(1.0, "fraction of the way (in dB) to the style's level, 0..1")
    smooth: int = option(5, "frames the level is smoothed over before mapping (odd)")

    def __post_init__(self) -> None:
        _number("strength", self.strength, 0.0, 1.0, "1 takes the style's levels")
        if isinstance(self.smooth, bool) or not (1 <= self.smooth <= 63 and self.smooth % 2):
            raise ParameterError(f"smooth={self.smooth!r} must be an odd integer from 1 to 63.")
