"""Options of the built-in spectral transforms: the contract's shared STFT options.

Re-exported so ``from audiostyle.transforms.options import STFTOptions`` keeps
working; the definition lives in :mod:`audiostyle.contracts.stft`.
"""

from audiostyle.contracts.stft import DEFAULT_N_FFT, STFTOptions

__all__ = ["DEFAULT_N_FFT", "STFTOptions"]
