"""STFT settings every transform shares: the options (as given) and the resolved config.

Light (dataclasses only, no torch): ``audiostyle plugins`` lists and validates
:class:`STFTOptions` without importing a backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option

DEFAULT_N_FFT = 2048  # ~93 ms at 22.05 kHz


@dataclass(frozen=True)
class STFTOptions:
    """Short-time Fourier transform settings shared by every STFT backend.

    ``None`` means "derive": ``hop_length`` = ``win_length // 4``,
    ``win_length`` = ``n_fft``.
    """

    n_fft: int = option(DEFAULT_N_FFT, "FFT size in samples; freq bins = n_fft // 2 + 1")
    hop_length: int | None = option(
        None, "hop between frames in samples (None: win_length // overlap)"
    )
    overlap: int = option(
        4, "frames per window when hop_length is None: 4 = 75 % overlap (librosa's), 2 = 50 %"
    )
    win_length: int | None = option(None, "window length in samples (None: n_fft)")
    window: Literal["hann", "hamming", "blackman", "rectangular"] = option(
        "hann", "analysis / synthesis window"
    )
    center: bool = option(True, "pad the signal so frame t is centred at t * hop_length")
    pad_mode: Literal["constant", "reflect"] = option(
        "constant", "padding used when center is true"
    )

    def __post_init__(self) -> None:
        if self.overlap < 1:
            raise ParameterError(f"overlap={self.overlap} must be >= 1; use 4 or 2.")
        if self.n_fft < 16:
            raise ParameterError(f"n_fft={self.n_fft} must be at least 16; try 1024 or 2048.")
        win = self.win_length if self.win_length is not None else self.n_fft
        if not 1 <= win <= self.n_fft:
            raise ParameterError(
                f"win_length={self.win_length} must be in [1, n_fft={self.n_fft}]."
            )
        if self.hop_length is not None and not 1 <= self.hop_length <= win:
            raise ParameterError(
                f"hop_length={self.hop_length} must be in [1, win_length={win}]: a hop longer "
                "than the window leaves gaps; use win_length // 4."
            )
        if self.hop_length == win and self.window in ("hann", "blackman"):
            raise ParameterError(
                f"hop_length={self.hop_length} must be shorter than win_length={win} with a "
                f"{self.window} window (it is 0 at its ends, so the inverse STFT cannot "
                "rebuild the samples there); use win_length // 4."
            )

    @property
    def resolved_win_length(self) -> int:
        """The window length with ``None`` resolved."""
        return self.win_length if self.win_length is not None else self.n_fft

    @property
    def resolved_hop_length(self) -> int:
        """The hop length with ``None`` resolved."""
        if self.hop_length is not None:
            return self.hop_length
        return max(self.resolved_win_length // self.overlap, 1)

    @property
    def n_bins(self) -> int:
        """Number of frequency bins, ``n_fft // 2 + 1``."""
        return self.n_fft // 2 + 1

    def n_frames(self, n_samples: int) -> int:
        """Number of frames the STFT of ``n_samples`` samples has."""
        hop = self.resolved_hop_length
        if self.center:
            return 1 + n_samples // hop
        return 1 + (n_samples - self.n_fft) // hop


@dataclass(frozen=True)
class STFTConfig:
    """Resolved STFT settings (no ``None``)."""

    n_fft: int
    hop_length: int
    win_length: int
    window: str = "hann"
    center: bool = True
    pad_mode: str = "constant"

    @classmethod
    def from_options(cls, options) -> STFTConfig:
        """Resolve an :class:`STFTOptions`."""
        return cls(
            n_fft=options.n_fft,
            hop_length=options.resolved_hop_length,
            win_length=options.resolved_win_length,
            window=options.window,
            center=options.center,
            pad_mode=options.pad_mode,
        )
