"""L-BFGS (one iteration per step, state kept across steps)."""

from __future__ import annotations

import torch

from audiostyle.contracts.optimizer import Optimizer
from audiostyle.optimizers.options import LBFGSOptions


class LBFGS(Optimizer):
    """``torch.optim.LBFGS`` driven one iteration at a time, so progress and early
    stop work per iteration. Each iteration may evaluate the objective several times
    (line search): the summary reports evaluations."""

    def __init__(self, options: LBFGSOptions | None = None) -> None:
        super().__init__(options or LBFGSOptions())

    def setup(self, x: torch.Tensor) -> None:  # noqa: D102
        o = self.options
        if o.implementation == "minimal":
            from audiostyle.optimizers.minimal import MinimalLBFGS

            self._opt = MinimalLBFGS(
                x,
                lr=o.lr,
                max_eval=o.max_eval_per_step,
                history_size=o.history_size,
                tolerance_grad=o.tolerance_grad,
                tolerance_change=o.tolerance_change,
                line_search_fn=None if o.line_search == "none" else o.line_search,
            )
            self._x = x
            return
        self._opt = torch.optim.LBFGS(
            [x],
            lr=o.lr,
            max_iter=1,
            max_eval=o.max_eval_per_step,
            history_size=o.history_size,
            tolerance_grad=o.tolerance_grad,
            tolerance_change=o.tolerance_change,
            line_search_fn=None if o.line_search == "none" else o.line_search,
        )
        self._x = x

    def step(self, closure) -> float:  # noqa: D102
        self._opt.step(closure)
        # The loss at the point the iteration ended on (served from the closure cache,
        # so this costs no extra evaluation).
        return float(closure().detach())
