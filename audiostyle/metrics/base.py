"""The metric contract, re-exported: it lives in :mod:`audiostyle.contracts`."""

from audiostyle.contracts.metric import Metric

__all__ = ["Metric"]
