"""Adam."""

from __future__ import annotations

import torch

from audiostyle.contracts.optimizer import Optimizer
from audiostyle.optimizers.options import AdamOptions


class Adam(Optimizer):
    """``torch.optim.Adam``, one step per iteration."""

    def __init__(self, options: AdamOptions | None = None) -> None:
        super().__init__(options or AdamOptions())

    def setup(self, x: torch.Tensor) -> None:  # noqa: D102
        o = self.options
        if o.implementation == "minimal":
            from audiostyle.optimizers.minimal import MinimalAdam

            self._opt = MinimalAdam(x, lr=o.lr, betas=(o.beta1, o.beta2), eps=o.eps)
            return
        self._opt = torch.optim.Adam([x], lr=o.lr, betas=(o.beta1, o.beta2), eps=o.eps)

    def step(self, closure) -> float:  # noqa: D102
        loss = self._opt.step(closure)
        return float(loss.detach())
