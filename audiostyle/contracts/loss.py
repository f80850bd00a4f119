"""The loss-term contract (``register_losses``).

A loss term is built as ``Term(options, *, network)``, prepared once with the
feature maps of the content and the style (targets computed once), then called on
the output's feature maps at every step. The engine sums ``weight * term(features)``
over the recipe's terms, so a new term never needs an engine change.

The feature maps a term receives are the network's, plus the representation the
network saw (the log1p-magnitude, shape (batch, freq, frames)) under ``INPUT_KEY``.
A term may accept the keyword ``frame_rate`` (frames per second of the
representation) in its constructor; the engine passes it if so.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch

#: Key of the network's input (the log1p-magnitude) among the feature maps.
INPUT_KEY = "input"


class LossTerm(ABC):
    """One weighted term of the objective: subclasses implement :meth:`__call__`."""

    #: ``True`` if the term needs the content (texture runs skip such terms).
    needs_content: bool = False

    def __init__(self, options=None, *, network=None) -> None:
        self.options = options
        self.network = network

    def prepare(  # noqa: B027 - optional: a term without targets keeps it
        self, *, content: dict[str, torch.Tensor] | None, style: dict[str, torch.Tensor]
    ) -> None:
        """Compute targets from the content's and style's feature maps (no grad)."""

    @abstractmethod
    def __call__(self, features: dict[str, torch.Tensor]) -> torch.Tensor:
        """The term's value (a scalar tensor) for the output's feature maps."""
