"""Options of the built-in feature networks (light: dataclasses only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option

Activation = Literal["relu", "leaky_relu", "tanh", "elu", "none"]
Init = Literal["ulyanov", "kaiming", "normal", "default"]


@dataclass(frozen=True)
class RandomCNNOptions:
    """One random Conv1d over time with the frequency bins as channels (Ulyanov 2016)."""

    n_filters: int = option(4096, "number of random filters (output channels)")
    kernel_size: int = option(11, "filter width in frames")
    activation: Activation = option("relu", "non-linearity after the convolution")
    init: Init = option(
        "ulyanov",
        "weight init: ulyanov = N(0, 2/((bins+filters)*k)) * 2, kaiming, normal = N(0, 1), "
        "default = PyTorch's",
    )
    bias: bool = option(False, "add a (random) bias")
    padding: Literal["none", "same"] = option(
        "none", "none = valid convolution, same = keep frames"
    )

    def __post_init__(self) -> None:
        if self.n_filters < 1:
            raise ParameterError(f"n_filters={self.n_filters} must be >= 1; try 4096.")
        if self.kernel_size < 1:
            raise ParameterError(f"kernel_size={self.kernel_size} must be >= 1; try 11.")
