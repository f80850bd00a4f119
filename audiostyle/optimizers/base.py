"""The optimizer contract, re-exported: it lives in :mod:`audiostyle.contracts`."""

from audiostyle.contracts.optimizer import Objective, Optimizer, OptimizeResult, StepInfo

__all__ = ["Objective", "OptimizeResult", "Optimizer", "StepInfo"]
