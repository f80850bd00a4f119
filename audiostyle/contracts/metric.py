"""The metric contract (``register_metrics``).

A metric is built as ``Metric(options)`` and called on one output::

    value = metric(output, sample_rate=sr, content=c, style=s, target=t, text=txt)

``output``, ``content``, ``style``, ``target`` are mono float32 numpy arrays at
``sample_rate`` (``target`` is the true answer, known only for ground-truth suites;
``text`` is the spoken sentence when known). A metric returns a float, or a dict of
named floats (e.g. ``{"to_style": .., "to_content": ..}``, reported as
``NAME.to_style``). ``requires`` names the inputs it cannot work without; the bench
skips it (with a note) when one is missing. A metric whose optional dependency is
missing raises :class:`~audiostyle.errors.DependencyError` naming the extra to
install; the bench skips it with that note.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar

import numpy as np


class Metric(ABC):
    """One quality measure: subclasses implement :meth:`__call__`."""

    #: Inputs besides ``output`` this metric needs: "content", "style", "target", "text".
    requires: ClassVar[tuple[str, ...]] = ()
    #: Whether larger values are better (for highlighting the best value).
    higher_is_better: ClassVar[bool] = False
    #: At least one of these inputs is needed (e.g. WER needs "content" or "text").
    requires_any: ClassVar[tuple[str, ...]] = ()
    #: Optional extra whose packages the metric needs (named in skip notes).
    extra: ClassVar[str | None] = None

    @classmethod
    def missing_inputs(cls, given: Iterable[str]) -> str | None:
        """Why the metric cannot run with the inputs ``given``, or ``None`` if it can.

        >>> class M(Metric):
        ...     requires = ("style",)
        ...     requires_any = ("content", "text")
        >>> M.missing_inputs({"style", "text"}) is None
        True
        >>> M.missing_inputs({"content"})
        'needs style'
        >>> M.missing_inputs({"style"})
        'needs content or text'
        """
        given = set(given)
        absent = [r for r in cls.requires if r not in given]
        if absent:
            return "needs " + " and ".join(absent)
        if cls.requires_any and not given & set(cls.requires_any):
            return "needs " + " or ".join(cls.requires_any)
        return None

    def __init__(self, options=None) -> None:
        self.options = options

    @abstractmethod
    def __call__(
        self,
        output: np.ndarray,
        *,
        sample_rate: int,
        content: np.ndarray | None = None,
        style: np.ndarray | None = None,
        target: np.ndarray | None = None,
        text: str | None = None,
    ) -> float | dict[str, float]:
        """The metric's value(s) for ``output``."""
