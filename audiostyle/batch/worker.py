"""The worker side: one row computed from its task, no file written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from audiostyle.errors import NumericalError


@dataclass(frozen=True)
class RowTask:
    """What a worker needs for one row (picklable)."""

    number: int
    content: str
    style: str
    recipe: Any
    offset: float = 0.0
    duration: float | None = None
    style_offset: float = 0.0
    style_duration: float | None = None


@dataclass
class RowOutput:
    """What a worker sends back: the audio and how it was made."""

    audio: Any
    sample_rate: int
    timings: dict[str, float]
    final_losses: dict[str, float]
    steps_done: int
    evaluations: int
    threads: int
    notes: list[str] = field(default_factory=list)
    initial_losses: dict[str, float] = field(default_factory=dict)
    history: list[dict[str, float]] = field(default_factory=list)


def run_row(task: RowTask) -> RowOutput:
    """Compute one row (runs on a worker): :func:`audiostyle.api.transfer`, no file written."""
    import torch

    from audiostyle.api import transfer

    result = transfer(
        task.content,
        task.style,
        recipe=task.recipe,
        offset=task.offset,
        duration=task.duration,
        style_offset=task.style_offset,
        style_duration=task.style_duration,
        progress=False,
    )
    if result.partial:
        raise NumericalError(
            f"the optimisation stopped at step {result.nonfinite_step} of "
            f"{result.recipe.steps} with NaN/Inf losses; nothing was written. Lower the "
            "learning rate or the loss weights for this row."
        )
    return RowOutput(
        audio=result.audio,
        sample_rate=result.sample_rate,
        timings=result.timings,
        final_losses=result.final_losses,
        steps_done=result.steps_done,
        evaluations=result.evaluations,
        threads=torch.get_num_threads(),
        notes=list(result.notes),
        initial_losses=dict(result.initial_losses),
        history=list(result.history),
    )
