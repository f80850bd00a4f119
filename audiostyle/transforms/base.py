"""The spectral-transform contract, re-exported: it lives in :mod:`audiostyle.contracts`."""

from audiostyle.contracts.transform import SpectralTransform

__all__ = ["SpectralTransform"]
