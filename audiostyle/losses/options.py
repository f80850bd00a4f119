"""Options of the built-in loss terms (light: dataclasses only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option


@dataclass(frozen=True)
class ContentLossOptions:
    """Distance between feature maps of the output and of the content."""

    reduction: Literal["sum", "mean"] = option("mean", "sum or mean of squared differences")
    scale: float = option(1.0, "multiply both feature maps by this before the difference")
    divisor: Literal["none", "4chw"] = option(
        "none",
        "then divide by: none, or 4chw = 4 * the feature map's size (batch * channels * "
        "height * frames), as mazzzystar 2018",
    )

    def __post_init__(self) -> None:
        if not self.scale > 0:
            raise ParameterError(f"scale={self.scale} must be > 0.")


@dataclass(frozen=True)
class StyleLossOptions:
    """Distance between Gram matrices of the output's and the style's feature maps."""

    normalize: Literal["frames", "elements", "none"] = option(
        "frames",
        "divide the Gram by frames (Ulyanov), by batch*channels*frames (seed blog), or not at all",
    )
    reduction: Literal["sum", "mean"] = option("sum", "sum or mean of squared differences")
    scale: float = option(1.0, "multiply both Grams by this before the difference")
    form: Literal["auto", "channels", "frames"] = option(
        "auto",
        "compute with the channels x channels Gram, or the equal frames x frames "
        "form (faster when channels > frames); auto picks the cheaper",
    )
    divisor: Literal["none", "4c2hw"] = option(
        "none",
        "then divide by: none, or 4c2hw = 4 * C^2 * H * W of the output's feature map "
        "(channels, height, frames), as mazzzystar 2018",
    )

    def __post_init__(self) -> None:
        if not self.scale > 0:
            raise ParameterError(f"scale={self.scale} must be > 0.")
