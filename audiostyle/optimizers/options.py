"""Options of the built-in optimizers (light: dataclasses only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option


@dataclass(frozen=True)
class AdamOptions:
    """Adam (Kingma & Ba)."""

    lr: float = option(0.05, "learning rate")
    beta1: float = option(0.9, "first-moment decay")
    beta2: float = option(0.999, "second-moment decay")
    eps: float = option(1e-8, "denominator epsilon")
    implementation: Literal["minimal", "torch"] = option(
        "minimal",
        "minimal = audiostyle's own Adam (same arithmetic, no torch.optim import: ~1-5 s "
        "sooner), torch = torch.optim.Adam",
    )

    def __post_init__(self) -> None:
        if not self.lr > 0:
            raise ParameterError(f"lr={self.lr} must be > 0; try 0.01.")
        for name in ("beta1", "beta2"):
            v = getattr(self, name)
            if not 0 <= v < 1:
                raise ParameterError(f"{name}={v} must be in [0, 1).")


@dataclass(frozen=True)
class LBFGSOptions:
    """L-BFGS with a strong-Wolfe line search; one step = one iteration."""

    lr: float = option(1.0, "step length scale")
    history_size: int = option(20, "number of past updates kept")
    line_search: Literal["strong_wolfe", "none"] = option("strong_wolfe", "line search")
    max_eval_per_step: int = option(25, "most function evaluations in one iteration")
    tolerance_grad: float = option(0.0, "stop when the gradient's max-abs is below this")
    tolerance_change: float = option(0.0, "stop when the loss or step changes less than this")
    implementation: Literal["minimal", "torch"] = option(
        "minimal",
        "minimal = audiostyle's own L-BFGS (torch's arithmetic and line search, no "
        "torch.optim import: ~1-5 s sooner), torch = torch.optim.LBFGS",
    )

    def __post_init__(self) -> None:
        if not self.lr > 0:
            raise ParameterError(f"lr={self.lr} must be > 0; try 1.")
        if self.history_size < 1:
            raise ParameterError(f"history_size={self.history_size} must be >= 1.")
        if self.max_eval_per_step < 1:
            raise ParameterError(f"max_eval_per_step={self.max_eval_per_step} must be >= 1.")
