"""Options of the voice conversion backends (light: dataclasses only, no numpy)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.conversion.options import _finite
from audiostyle.errors import ParameterError
from audiostyle.options import option


def _count(name: str, value: int, lo: int, hi: int, hint: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ParameterError(f"{name}={value!r} must be an integer from {lo} to {hi}; {hint}.")


@dataclass(frozen=True)
class CepstralOptions:
    """Speaker statistics in cepstra: the content's envelope takes the style's mean and spread."""

    n_bands: int = option(40, "mel bands of the log envelope the cepstra are taken of")
    n_ceps: int = option(20, "cepstral coefficients mapped (c1..cN; c0, the loudness, stays)")
    variance: bool = option(True, "map the spread of each coefficient too (False: mean only)")
    max_db: float = option(30.0, "no band of a frame moves more than this, dB")
    keep_power: bool = option(
        True,
        "each frame keeps its power (c0 alone keeps the mean log band power, and a "
        "reshaped frame can gain 30 dB)",
    )

    def __post_init__(self) -> None:
        _count("n_bands", self.n_bands, 8, 128, "e.g. 40")
        _count("n_ceps", self.n_ceps, 1, self.n_bands - 1, "fewer than n_bands, e.g. 20")
        _finite("max_db", self.max_db, 0.0, 80.0, "e.g. 30")


@dataclass(frozen=True)
class KnnOptions:
    """Per-frame retrieval of the style's envelopes in a speaker-normalised cepstral space."""

    k: int = option(4, "style frames averaged per content frame")
    blend: float = option(1.0, "weight of the retrieved envelope against the content's (0..1)")
    n_bands: int = option(40, "mel bands of the log envelope the cepstra are taken of")
    n_ceps: int = option(20, "cepstral coefficients matched and replaced (c0 stays the content's)")
    voicing: Literal["split", "voiced", "any"] = option(
        "split",
        "split: voiced frames retrieve voiced ones, unvoiced unvoiced; voiced: only voiced "
        "frames retrieve (unvoiced ones keep their envelope); any: no split",
    )
    smooth: int = option(1, "frames of moving average over the retrieved cepstra (1: none)")
    context: int = option(
        0, "frames on each side stacked into the compared features (0: each frame alone)"
    )
    residual: bool = option(
        False,
        "keep each content frame's own detail: it moves by (its style neighbours' mean - "
        "its content neighbours' mean) instead of being replaced by the style's",
    )
    min_frames: int = option(
        50, "the style needs at least this many active frames of each kind retrieved"
    )
    max_db: float = option(30.0, "no band of a frame moves more than this, dB")
    keep_power: bool = option(
        True,
        "each frame keeps its power (c0 alone keeps the mean log band power, and a "
        "reshaped frame can gain 30 dB)",
    )
    too_short: Literal["error", "keep"] = option(
        "error",
        "a style with fewer than min_frames of a kind: error, or keep the content's frames "
        "of that kind (with a note)",
    )

    def __post_init__(self) -> None:
        _count("k", self.k, 1, 64, "e.g. 4")
        _finite("blend", self.blend, 0.0, 1.0, "1 takes the retrieved envelope")
        _count("n_bands", self.n_bands, 8, 128, "e.g. 40")
        _count("n_ceps", self.n_ceps, 1, self.n_bands - 1, "fewer than n_bands, e.g. 20")
        _count("smooth", self.smooth, 1, 50, "e.g. 1 or 3")
        _count("context", self.context, 0, 10, "e.g. 0 or 2")
        _count("min_frames", self.min_frames, 1, 100_000, "e.g. 50")
        _finite("max_db", self.max_db, 0.0, 80.0, "e.g. 30")
