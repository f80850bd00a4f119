"""The optimizer stage contract (``register_optimizers``).

The engine hands an optimizer an *objective* (tensor -> scalar loss tensor), a
starting tensor and a number of steps. :meth:`Optimizer.minimize` owns the loop:
progress callbacks and early stop, NaN/Inf detection with fall-back to the last
finite state, and Ctrl-C, after which it returns the best state so far. Subclasses
only implement :meth:`Optimizer.setup` and :meth:`Optimizer.step`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

Objective = Callable[[torch.Tensor], torch.Tensor]


@dataclass
class StepInfo:
    """What a progress callback receives after each step."""

    step: int
    steps: int
    loss: float
    evaluations: int


@dataclass
class OptimizeResult:
    """The outcome of :meth:`Optimizer.minimize`."""

    x: torch.Tensor
    steps_done: int
    evaluations: int
    losses: list[float] = field(default_factory=list)
    stopped: str | None = None  # "callback", "interrupted", "non-finite", "converged"
    nonfinite_step: int | None = None


class Optimizer(ABC):
    """Minimise ``objective(x)`` over the tensor ``x``.

    Subclasses implement :meth:`setup` and :meth:`step`; :meth:`minimize` owns the loop.
    """

    def __init__(self, options=None) -> None:
        self.options = options
        self.evaluations = 0

    @abstractmethod
    def setup(self, x: torch.Tensor) -> None:
        """Create the optimizer state for the leaf tensor ``x``."""

    @abstractmethod
    def step(self, closure: Callable[[], torch.Tensor]) -> float:
        """Do one iteration; ``closure()`` zeroes grads, evaluates and back-props."""

    def minimize(
        self,
        objective: Objective,
        x0: torch.Tensor,
        *,
        steps: int,
        callback: Callable[[StepInfo], bool | None] | None = None,
    ) -> OptimizeResult:
        """Run ``steps`` iterations from ``x0``; return the best finite state seen.

        ``callback(info)`` is called after every step; returning ``True`` stops early.
        A non-finite loss or state stops the run at that step and falls back to the
        best finite state; Ctrl-C (``KeyboardInterrupt``) does the same.
        """
        x = x0.detach().clone(memory_format=torch.contiguous_format).requires_grad_(True)
        self.evaluations = 0
        self.setup(x)
        track = {
            "best_loss": math.inf,
            "best": x.detach().clone(),
            "version": None,
            "loss": None,
            "grad": None,
            "x": None,
        }

        def closure() -> torch.Tensor:
            # L-BFGS re-evaluates the point its line search ended on: serve it from cache.
            if track["grad"] is not None and (
                track["version"] == x._version or torch.equal(track["x"], x.detach())
            ):
                x.grad = track["grad"].clone()
                return track["loss"]
            x.grad = None
            loss = objective(x)
            loss.backward()
            self.evaluations += 1
            value = float(loss.detach())
            if math.isfinite(value) and value < track["best_loss"]:
                track["best_loss"], track["best"] = value, x.detach().clone()
            track.update(
                version=x._version,
                loss=loss.detach(),
                x=x.detach().clone(),
                grad=None if x.grad is None else x.grad.detach().clone(),
            )
            return loss

        result = OptimizeResult(x=track["best"], steps_done=0, evaluations=0)
        for i in range(steps):
            # One try around the whole step: Ctrl-C anywhere in it keeps the best state.
            try:
                loss = float(self.step(closure))
                if not (math.isfinite(loss) and bool(torch.isfinite(x.detach()).all())):
                    result.stopped = "non-finite"
                    result.nonfinite_step = i + 1
                    break
                result.losses.append(loss)
                result.steps_done = i + 1
                if callback is not None and callback(
                    StepInfo(i + 1, steps, loss, self.evaluations)
                ):
                    result.stopped = "callback"
                    break
            except KeyboardInterrupt:
                result.stopped = "interrupted"
                break
            except (OverflowError, RuntimeError) as exc:
                # e.g. torch's "value cannot be converted to type float without overflow"
                # when a huge learning rate scales a step: as non-finite as a NaN.
                if "overflow" not in str(exc):
                    raise
                result.stopped = "non-finite"
                result.nonfinite_step = i + 1
                break
        result.x = track["best"] if math.isfinite(track["best_loss"]) else x0.detach().clone()
        result.evaluations = self.evaluations
        return result
