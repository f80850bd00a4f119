"""Options of the autocorrelation loss term (light: dataclasses only, no torch)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option

#: Pseudo layer names of :class:`AutocorrelationLossOptions.layers`.
LAYER_ALIASES = ("style", "content", "input")


@dataclass(frozen=True)
class AutocorrelationLossOptions:
    """Distance between the autocorrelations over time of the output's and the style's
    feature maps (Antognini, Hoffman & Weiss 2019): keeps rhythm in textures."""

    max_lag_seconds: float = option(
        2.0, "longest lag compared, in seconds (converted with the transform's hop)"
    )
    max_lag_frames: int | None = option(
        None, "longest lag in frames of the feature maps; overrides max_lag_seconds if set"
    )
    layers: tuple[str, ...] = option(
        ("input",),
        "what to compare: input = the log-magnitude the network sees (kept a click "
        "track's period best in tests), style = the network's style layers, content = "
        "its content layers, or layer names",
    )
    normalize: Literal["correlation", "unbiased", "frames"] = option(
        "correlation",
        "correlation = each channel's autocorrelation divided by its lag-0 value (shape of "
        "the rhythm only; the style term keeps the energy), unbiased = sum over the "
        "overlapping pairs / their number, frames = sum / frames (biased)",
    )
    center: bool = option(True, "subtract each channel's mean over time first (autocovariance)")
    reduction: Literal["mean", "sum"] = option(
        "mean", "mean or sum of squared differences over channels and lags"
    )

    def __post_init__(self) -> None:
        if not self.max_lag_seconds > 0:
            raise ParameterError(
                f"max_lag_seconds={self.max_lag_seconds} must be > 0; try 2 (two beats at 60 bpm)."
            )
        if self.max_lag_frames is not None and self.max_lag_frames < 1:
            raise ParameterError(f"max_lag_frames={self.max_lag_frames} must be >= 1.")
        if not self.layers:
            raise ParameterError(
                "layers is empty; use style, content, input or layer names (e.g. layers=style)."
            )
