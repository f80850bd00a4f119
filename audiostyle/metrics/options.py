"""Options of the built-in metrics (light: dataclasses only, no numpy or torch).

``audiostyle plugins metric`` lists and validates these without importing the code
that does the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from audiostyle.errors import ParameterError
from audiostyle.options import option

#: Analysis window of the spectral metrics, independent of the transform under test
#: so every variant is measured with the same ruler.
METRIC_WINDOW_SECONDS = 0.046  # ~46 ms: 1024 samples at 22.05 kHz, 512 at 8 kHz
DEFAULT_FLOOR_DB = 80.0  # dB below the louder clip's peak bin


def _check_stft(n_fft: int | None, hop_length: int | None) -> None:
    if n_fft is not None and n_fft < 16:
        raise ParameterError(f"n_fft={n_fft} must be at least 16 (or unset for ~46 ms).")
    if hop_length is not None and hop_length < 1:
        raise ParameterError(f"hop_length={hop_length} must be >= 1 (or unset for n_fft // 4).")


@dataclass(frozen=True)
class LogSpectralDistanceOptions:
    """Options of ``lsd`` (log-spectral distance in dB)."""

    n_fft: int | None = option(None, "analysis window in samples (None: ~46 ms)")
    hop_length: int | None = option(None, "hop in samples (None: n_fft // 4)")
    floor_db: float = option(
        DEFAULT_FLOOR_DB, "power floor in dB below the louder clip's peak (silence is not -inf)"
    )
    gain_match: bool = option(True, "scale the output to the reference's energy first")

    def __post_init__(self) -> None:
        _check_stft(self.n_fft, self.hop_length)
        if not 0 < self.floor_db <= 200:
            raise ParameterError(f"floor_db={self.floor_db} must be in (0, 200]; 80 is usual.")


@dataclass(frozen=True)
class SpectralConvergenceOptions:
    """Options of ``spectral-convergence``."""

    n_fft: int | None = option(None, "analysis window in samples (None: ~46 ms)")
    hop_length: int | None = option(None, "hop in samples (None: n_fft // 4)")
    gain_match: bool = option(True, "least-squares gain on the output magnitude first")

    def __post_init__(self) -> None:
        _check_stft(self.n_fft, self.hop_length)


@dataclass(frozen=True)
class MFCCTimbreOptions:
    """Options of ``mfcc-timbre`` (distance of MFCC mean and standard deviation)."""

    n_mfcc: int = option(20, "MFCCs per frame (c0, the loudness, is dropped unless keep_c0)")
    n_mels: int = option(40, "mel bands under the MFCCs")
    keep_c0: bool = option(False, "keep c0 (overall loudness) in the statistics")
    n_fft: int | None = option(None, "analysis window in samples (None: ~46 ms)")
    active_db: float | None = option(
        40.0, "ignore frames this many dB below the loudest (pauses); None keeps all"
    )

    def __post_init__(self) -> None:
        _check_stft(self.n_fft, None)
        if self.active_db is not None and self.active_db <= 0:
            raise ParameterError(f"active_db={self.active_db} must be > 0 (or none).")
        if not 2 <= self.n_mfcc <= self.n_mels:
            raise ParameterError(
                f"n_mfcc={self.n_mfcc} must be in [2, n_mels={self.n_mels}]; 20 is usual."
            )


@dataclass(frozen=True)
class SpeakerSimilarityOptions:
    """Options of ``speaker-similarity`` (resemblyzer)."""

    trim_silence: bool = option(True, "drop long pauses (webrtcvad) before embedding")


@dataclass(frozen=True)
class WordErrorRateOptions:
    """Options of ``wer`` (pocketsphinx, bundled US-English model)."""

    max_seconds: float = option(
        30.0, "decode at most this many seconds of each clip (decoding is ~real time)"
    )

    def __post_init__(self) -> None:
        if self.max_seconds <= 0:
            raise ParameterError(f"max_seconds={self.max_seconds} must be > 0.")


@dataclass(frozen=True)
class DNSMOSOptions:
    """Options of ``dnsmos`` (speechmos)."""

    personalized: bool = option(False, "the personalised DNSMOS model (penalises other talkers)")


@dataclass(frozen=True)
class PitchOptions:
    """Options of the ``pitch`` metric (torchcrepe ``tiny``)."""

    voicing_threshold: float = option(
        0.5,
        "a content frame is voiced when crepe's periodicity (confidence) is at least this",
    )
    silence_db: float = option(
        -45.0, "frames quieter than this (dB below the content's loudest frame) are unvoiced"
    )
    tolerance_cents: float = option(50.0, "pitch agrees when within this many cents")
    hop_ms: float = option(20.0, "frame hop in milliseconds (crepe's usual 10 costs twice as much)")
    fmin: float = option(50.0, "lowest pitch searched, Hz")
    fmax: float = option(
        1500.0, "highest pitch searched, Hz (at most 1800: torchcrepe's Viterbi fails near 2 kHz)"
    )
    model: Literal["tiny", "full"] = option("tiny", "torchcrepe model (both ship in the package)")

    def __post_init__(self) -> None:
        if not 0 < self.voicing_threshold < 1:
            raise ParameterError(
                f"voicing_threshold={self.voicing_threshold} must be in (0, 1); e.g. 0.5."
            )
        if self.silence_db >= 0:
            raise ParameterError(f"silence_db={self.silence_db} must be negative (e.g. -45).")
        if self.tolerance_cents <= 0:
            raise ParameterError(f"tolerance_cents={self.tolerance_cents} must be > 0 (e.g. 50).")
        if not 5 <= self.hop_ms <= 100:
            raise ParameterError(f"hop_ms={self.hop_ms} must be in [5, 100] (e.g. 20).")
        if not 32 <= self.fmin < self.fmax <= 1800:
            raise ParameterError(
                f"fmin={self.fmin}, fmax={self.fmax}: need 32 <= fmin < fmax <= 1800 Hz "
                "(e.g. 50 and 1500)."
            )
