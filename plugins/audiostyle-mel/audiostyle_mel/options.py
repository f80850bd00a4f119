"""Options of the audiostyle-mel implementations (light: dataclasses only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option

DEFAULT_N_MELS = 128
DEFAULT_KERNEL_SIZES = (3, 9, 27)  # frames: ~35 ms, ~100 ms, ~300 ms at hop 256 / 22.05 kHz


def _check_mel(n_mels: int, f_min: float, f_max: float | None, sample_rate: int | None) -> None:
    if n_mels < 1:
        raise ParameterError(f"n_mels={n_mels} must be >= 1; try 128.")
    if f_min < 0:
        raise ParameterError(f"f_min={f_min} Hz must be >= 0.")
    if f_max is not None and f_max <= f_min:
        raise ParameterError(f"f_max={f_max} Hz must be above f_min={f_min} Hz.")
    if sample_rate is not None and sample_rate <= 0:
        raise ParameterError(f"sample_rate={sample_rate} must be a positive rate in Hz.")


@dataclass(frozen=True)
class MelCNNOptions:
    """A frozen mel filterbank, then parallel random Conv1d of several widths."""

    n_mels: int = option(DEFAULT_N_MELS, "mel bands the spectrogram is projected onto")
    f_min: float = option(0.0, "lowest band edge in Hz")
    f_max: float | None = option(None, "highest band edge in Hz (None: Nyquist)")
    projection: Literal["magnitude", "log"] = option(
        "magnitude",
        "magnitude: log1p(mel @ |X|), a log-mel spectrogram; log: mel @ log1p|X| (no exp)",
    )
    kernel_sizes: tuple[int, ...] = option(
        DEFAULT_KERNEL_SIZES, "widths in frames of the parallel convolutions (one layer each)"
    )
    n_filters: int = option(512, "random filters per convolution")
    activation: Literal["relu", "leaky_relu", "tanh", "elu", "none"] = option(
        "relu", "non-linearity after each convolution"
    )
    init: Literal["ulyanov", "kaiming", "normal", "default"] = option(
        "kaiming", "weight init (see the random-cnn network)"
    )
    content_layer: Literal["narrowest", "all"] = option(
        "narrowest", "layers the content loss uses: the narrowest convolution, or all"
    )
    sample_rate: int | None = option(
        None, "sample rate the mel scale assumes (None: the run's --sample-rate)"
    )

    def __post_init__(self) -> None:
        _check_mel(self.n_mels, self.f_min, self.f_max, self.sample_rate)
        if self.n_filters < 1:
            raise ParameterError(f"n_filters={self.n_filters} must be >= 1; try 512.")
        if not self.kernel_sizes or any(k < 1 for k in self.kernel_sizes):
            raise ParameterError(
                f"kernel_sizes={self.kernel_sizes} must be one or more widths >= 1, e.g. 3,9,27."
            )
        if len(set(self.kernel_sizes)) != len(self.kernel_sizes):
            raise ParameterError(f"kernel_sizes={self.kernel_sizes} repeats a width.")


@dataclass(frozen=True)
class MelGramOptions:
    """Options of the ``mel-gram`` metric (and of ``audiostyle mel-distance``)."""

    n_fft: int | None = option(None, "analysis window in samples (None: ~46 ms)")
    n_mels: int = option(64, "mel bands")
    n_filters: int = option(256, "random filters per convolution")
    kernel_sizes: tuple[int, ...] = option((3, 9, 27), "widths in frames of the convolutions")
    seed: int = option(0, "seed of the random network (the same seed = the same ruler)")

    def __post_init__(self) -> None:
        _check_mel(self.n_mels, 0.0, None, None)
        if self.n_fft is not None and self.n_fft < 16:
            raise ParameterError(f"n_fft={self.n_fft} must be at least 16 (or unset).")
        if self.n_filters < 1:
            raise ParameterError(f"n_filters={self.n_filters} must be >= 1.")
        if not self.kernel_sizes or any(k < 1 for k in self.kernel_sizes):
            raise ParameterError(f"kernel_sizes={self.kernel_sizes} must be widths >= 1.")


@dataclass(frozen=True)
class MelMeanOptions:
    """Options of the ``mel-mean`` initializer."""

    n_mels: int = option(32, "mel bands the style's mean spectrum is averaged within")

    def __post_init__(self) -> None:
        _check_mel(self.n_mels, 0.0, None, None)


@dataclass(frozen=True)
class MelTiltOptions:
    """Options of the ``mel-tilt`` conditioner."""

    strength: float = option(1.0, "fraction of the way to the style's tilt (0..1)")
    f_min: float = option(100.0, "lowest frequency of the fit, Hz")
    max_db: float = option(24.0, "no bin moves more than this, dB")

    def __post_init__(self) -> None:
        import math

        if not (math.isfinite(self.strength) and 0 <= self.strength <= 1):
            raise ParameterError(f"strength={self.strength} must be from 0 to 1; e.g. 1.")
        if not (math.isfinite(self.f_min) and self.f_min > 0):
            raise ParameterError(f"f_min={self.f_min} must be a frequency > 0 Hz; e.g. 100.")
        if not (math.isfinite(self.max_db) and 0 < self.max_db <= 60):
            raise ParameterError(f"max_db={self.max_db} must be in (0, 60] dB; e.g. 24.")
