"""Options of the built-in phase reconstructors (light: dataclasses only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option

InitPhase = Literal["random", "zeros", "content"]


@dataclass(frozen=True)
class GriffinLimOptions:
    """Classic Griffin-Lim (Griffin & Lim 1984)."""

    n_iter: int = option(100, "iterations (0 = inverse STFT of the initial phase)")
    init: InitPhase = option(
        "content", "initial phase: random, zeros, or content = the content's own STFT phase"
    )
    momentum: float = option(0.0, "Perraudin momentum in [0, 1); 0 is classic Griffin-Lim")

    def __post_init__(self) -> None:
        if self.n_iter < 0:
            raise ParameterError(f"n_iter={self.n_iter} must be >= 0.")
        if not 0 <= self.momentum < 1:
            raise ParameterError(
                f"momentum={self.momentum} must be in [0, 1); use 0.99 (fast) or 0 (classic)."
            )


@dataclass(frozen=True)
class FastGriffinLimOptions(GriffinLimOptions):
    """Fast Griffin-Lim (Perraudin, Balazs & Sondergaard 2013)."""

    n_iter: int = option(32, "iterations (0 = inverse STFT of the initial phase)")
    momentum: float = option(0.99, "Perraudin momentum in [0, 1); 0.99 is the usual value")
