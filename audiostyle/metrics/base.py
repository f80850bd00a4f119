"""The metric contract.

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

from typing import ClassVar

import numpy as np


class Metric:
    """One quality measure."""

    #: Inputs besides ``output`` this metric needs: "content", "style", "target", "text".
    requires: ClassVar[tuple[str, ...]] = ()
    #: Whether larger values are better (for highlighting the best value).
    higher_is_better: ClassVar[bool] = False

    def __init__(self, options=None) -> None:
        self.options = options

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
        raise NotImplementedError
