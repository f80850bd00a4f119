"""Options of the built-in initializers (light: dataclasses only, no torch)."""

from __future__ import annotations

from dataclasses import dataclass

from audiostyle.errors import ParameterError
from audiostyle.options import option


@dataclass(frozen=True)
class NoiseOptions:
    """A Gaussian start, N(0, scale²) in every bin and frame (or every sample)."""

    scale: float | None = option(
        None, "standard deviation (None: the recipe's noise_scale, 1e-3 unless set)"
    )

    def __post_init__(self) -> None:
        if self.scale is not None and not self.scale >= 0:
            raise ParameterError(
                f"scale={self.scale} must be >= 0 (or none: the recipe's noise_scale); e.g. 1e-3."
            )
