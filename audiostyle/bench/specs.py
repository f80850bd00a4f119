"""What a bench is made of: its cases, its cells and the plan that lists them.

Plain, picklable data: a cell travels to whichever process or machine runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from audiostyle.bench.grid import label
from audiostyle.recipe import Recipe
from audiostyle.scoring import MetricSpec

#: Grid axes that change what a transform-level cell measures.
TRANSFORM_KEYS = ("transform", "phase", "sample_rate", "seed", "device")


@dataclass(frozen=True)
class CaseSpec:
    """One (content, style[, target]) case: file paths and the excerpt to use."""

    name: str
    content: str
    style: str
    target: str | None = None
    text: str | None = None
    offset: float = 0.0
    duration: float | None = None
    style_offset: float = 0.0
    style_duration: float | None = None

    @classmethod
    def from_case(cls, case: Any, **excerpt: Any) -> CaseSpec:
        """From a suite's :class:`~audiostyle.suites.base.Case` (paths as strings)."""
        return cls(
            name=case.name,
            content=str(case.content),
            style=str(case.style),
            target=None if case.target is None else str(case.target),
            text=case.text,
            **excerpt,
        )


@dataclass(frozen=True)
class CellSpec:
    """Everything one cell needs; picklable (plain data and a :class:`Recipe`)."""

    index: int
    kind: str  # "transfer", "baseline" or "transform"
    case: CaseSpec
    recipe: Recipe
    point: tuple[tuple[str, str], ...] = ()
    repeat: int = 1
    warmup: int = 0
    metrics: tuple[MetricSpec, ...] = ()
    plot_dir: str | None = None
    audio_dir: str | None = None
    threads: int | None = None  # torch intra-op threads (None: torch's default)
    keep_output: bool = False  # send the output audio and loss history back (HTML report)

    @property
    def variant(self) -> str:
        """The grid point as a label (``baseline`` for the do-nothing row)."""
        if self.kind == "baseline":
            return "baseline (content as output)"
        return label(dict(self.point))


@dataclass
class Plan:
    """The cells of a bench and what was noticed while planning them."""

    cells: list[CellSpec]
    axes: list[str]
    notes: list[str] = field(default_factory=list)
