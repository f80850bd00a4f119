"""The loss-term contract, re-exported: it lives in :mod:`audiostyle.contracts`."""

from audiostyle.contracts.loss import INPUT_KEY, LossTerm

__all__ = ["INPUT_KEY", "LossTerm"]
