"""Built-in metrics that need nothing beyond numpy and librosa.

Every spectral measure uses its own fixed analysis (Hann window, ~46 ms, hop a
quarter of it), never the transform under test, so variants are compared with the
same ruler. Clips of different lengths are compared over their common part.
"""

from __future__ import annotations

import math

import numpy as np

from audiostyle.contracts.metric import Metric
from audiostyle.errors import ParameterError
from audiostyle.mel import hz_to_mel, mel_filterbank, mel_to_hz  # noqa: F401 - mel_filterbank: old home
from audiostyle.metrics.options import (
    METRIC_WINDOW_SECONDS,
    LogSpectralDistanceOptions,
    MFCCTimbreOptions,
    SpectralConvergenceOptions,
)

_TINY = 1e-20  # power below which a clip counts as digital silence


def default_n_fft(sample_rate: int) -> int:
    """The power of two closest to a ~46 ms window (1024 at 22050 Hz, 512 at 8000 Hz).

    >>> default_n_fft(22050), default_n_fft(8000), default_n_fft(16000)
    (1024, 512, 1024)
    """
    return int(2 ** round(math.log2(max(sample_rate * METRIC_WINDOW_SECONDS, 16))))


def power_spectrogram(y: np.ndarray, *, n_fft: int, hop_length: int | None = None) -> np.ndarray:
    """Power |STFT|² with a periodic Hann window, centred frames, zero padding.

    Parameters
    ----------
    y : ndarray [shape=(time,)]
    n_fft : int
    hop_length : int, optional
        Default ``n_fft // 4``.

    Returns
    -------
    ndarray [shape=(n_fft // 2 + 1, frames)], float64
    """
    hop = hop_length or max(n_fft // 4, 1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    padded = np.pad(y, (n_fft // 2, n_fft // 2))
    if padded.shape[0] < n_fft:
        padded = np.pad(padded, (0, n_fft - padded.shape[0]))
    n_frames = 1 + (padded.shape[0] - n_fft) // hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:n_frames]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    spec = np.fft.rfft(frames * window, axis=-1)
    return (spec.real**2 + spec.imag**2).T


def _check(y: np.ndarray | None, role: str) -> np.ndarray | None:
    if y is None:
        return None
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise ParameterError(f"{role} must be mono, shape (time,); got shape {y.shape}.")
    if y.size == 0:
        raise ParameterError(f"{role} has no samples.")
    if not np.isfinite(y).all():
        raise ParameterError(f"{role} contains NaN or Inf samples; a metric cannot score it.")
    return y


def _pair(
    out: np.ndarray, ref: np.ndarray, *, n_fft: int, hop: int | None
) -> tuple[np.ndarray, np.ndarray]:
    a = power_spectrogram(out, n_fft=n_fft, hop_length=hop)
    b = power_spectrogram(ref, n_fft=n_fft, hop_length=hop)
    frames = min(a.shape[1], b.shape[1])
    return a[:, :frames], b[:, :frames]


def log_spectral_distance(
    output: np.ndarray,
    reference: np.ndarray,
    *,
    n_fft: int,
    hop_length: int | None = None,
    floor_db: float = 80.0,
    gain_match: bool = True,
) -> float:
    """Log-spectral distance in dB: RMS over bins of the dB difference, mean over frames.

    The output is first scaled to the reference's energy (``gain_match``), so a
    loudness change costs nothing; both power spectrograms are floored at
    ``floor_db`` below the louder clip's peak bin, so digital silence counts as that
    floor instead of minus infinity.

    >>> rng = np.random.default_rng(0)
    >>> y = rng.standard_normal(8000)
    >>> log_spectral_distance(y, y, n_fft=512)
    0.0
    >>> round(log_spectral_distance(0.5 * y, y, n_fft=512), 9)  # a gain costs nothing
    0.0
    >>> 40 < log_spectral_distance(np.zeros(8000), y, n_fft=512) <= 80  # bounded by the floor
    True
    """
    p_out, p_ref = _pair(output, reference, n_fft=n_fft, hop=hop_length)
    e_out, e_ref = p_out.sum(), p_ref.sum()
    if gain_match and e_out > _TINY and e_ref > _TINY:
        p_out = p_out * (e_ref / e_out)
    peak = max(float(p_out.max()), float(p_ref.max()))
    if peak <= _TINY:  # both digital silence
        return 0.0
    floor = peak * 10 ** (-floor_db / 10)
    diff = 10 * np.log10(np.maximum(p_out, floor)) - 10 * np.log10(np.maximum(p_ref, floor))
    return float(np.sqrt((diff**2).mean(axis=0)).mean())


def spectral_convergence(
    output: np.ndarray,
    reference: np.ndarray,
    *,
    n_fft: int,
    hop_length: int | None = None,
    gain_match: bool = True,
) -> float:
    """``||R - g·O||_F / ||R||_F`` on magnitudes, g the least-squares gain (or 1).

    0 for identical clips (or clips that differ by a gain), about 1 for unrelated
    ones. A silent reference gives 0 against silence and 1 otherwise.

    >>> y = np.sin(np.arange(4000) * 0.3)
    >>> round(spectral_convergence(2 * y, y, n_fft=256), 9)
    0.0
    """
    p_out, p_ref = _pair(output, reference, n_fft=n_fft, hop=hop_length)
    m_out, m_ref = np.sqrt(p_out), np.sqrt(p_ref)
    n_ref = float(np.linalg.norm(m_ref))
    n_out = float(np.linalg.norm(m_out))
    if n_ref <= 1e-10:
        return 0.0 if n_out <= 1e-10 else 1.0
    gain = 1.0
    if gain_match:
        gain = float((m_out * m_ref).sum() / n_out**2) if n_out > 1e-10 else 0.0
    return float(np.linalg.norm(m_ref - gain * m_out) / n_ref)


class _Spectral(Metric):
    """Shared plumbing of the aligned (frame-by-frame) spectral metrics."""

    requires_any = ("content", "target")

    def _score(self, output: np.ndarray, reference: np.ndarray, sample_rate: int) -> float:
        raise NotImplementedError

    def __call__(  # noqa: D102
        self,
        output,
        *,
        sample_rate,
        content=None,
        style=None,
        target=None,
        text=None,
    ):
        output = _check(output, "output")
        out = {}
        for key, ref in (("to_content", content), ("to_target", target)):
            ref = _check(ref, key[3:])
            if ref is not None:
                out[key] = self._score(output, ref, sample_rate)
        if not out:
            raise ParameterError(f"{type(self).__name__} needs a content or a target clip.")
        return out


class LogSpectralDistance(_Spectral):
    """Log-spectral distance (dB) of the output to the content and to the target.

    Frame-aligned, so it measures how much the output's spectrum moved away from
    the content's (or how close it came to the true answer); lower is closer.
    """

    def __init__(self, options: LogSpectralDistanceOptions | None = None) -> None:
        super().__init__(options or LogSpectralDistanceOptions())

    def _score(self, output, reference, sample_rate):
        o = self.options
        return log_spectral_distance(
            output,
            reference,
            n_fft=o.n_fft or default_n_fft(sample_rate),
            hop_length=o.hop_length,
            floor_db=o.floor_db,
            gain_match=o.gain_match,
        )


class SpectralConvergence(_Spectral):
    """Spectral convergence of the output's magnitude to the content's / target's."""

    def __init__(self, options: SpectralConvergenceOptions | None = None) -> None:
        super().__init__(options or SpectralConvergenceOptions())

    def _score(self, output, reference, sample_rate):
        o = self.options
        return spectral_convergence(
            output,
            reference,
            n_fft=o.n_fft or default_n_fft(sample_rate),
            hop_length=o.hop_length,
            gain_match=o.gain_match,
        )


def dct_matrix(n_out: int, n_in: int) -> np.ndarray:
    """The first ``n_out`` rows of the orthonormal DCT-II of size ``n_in``.

    ``dct_matrix(k, n) @ x`` equals ``scipy.fft.dct(x, type=2, norm="ortho", axis=0)[:k]``.

    >>> d = dct_matrix(8, 8)
    >>> bool(np.allclose(d @ d.T, np.eye(8)))
    True
    """
    n = np.arange(n_in)
    k = np.arange(n_out)[:, None]
    basis = np.cos(np.pi / n_in * (n + 0.5) * k) * math.sqrt(2.0 / n_in)
    basis[0] /= math.sqrt(2.0)
    return basis


def mfcc_statistics(
    y: np.ndarray,
    *,
    sample_rate: int,
    n_mfcc: int = 20,
    n_mels: int = 40,
    n_fft: int | None = None,
    keep_c0: bool = False,
    active_db: float | None = 40.0,
    floor_db: float = 80.0,
) -> np.ndarray:
    """Mean and standard deviation over time of each MFCC: a timbre fingerprint.

    Mel powers are floored ``floor_db`` below the clip's loudest bin and frames more
    than ``active_db`` below the loudest frame (pauses) are left out, so neither a
    gain nor the amount of silence in a clip counts as timbre.

    Returns
    -------
    ndarray [shape=(2 * n_mfcc,) or (2 * (n_mfcc - 1),)]
    """
    n_fft = n_fft or default_n_fft(sample_rate)
    power = power_spectrogram(y, n_fft=n_fft)
    mel_db = 10 * np.log10(np.maximum(mel_filterbank(sample_rate, n_fft, n_mels) @ power, _TINY))
    # Floored relative to the clip's loudest bin, so a gain does not move the floor.
    mel_db = np.maximum(mel_db, mel_db.max() - floor_db)
    mfcc = dct_matrix(n_mfcc, n_mels) @ mel_db
    if active_db is not None:
        energy = 10 * np.log10(power.sum(axis=0) + _TINY)
        active = energy >= energy.max() - active_db
        if active.any():
            mfcc = mfcc[:, active]
    if not keep_c0:
        mfcc = mfcc[1:]
    return np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)]).astype(np.float64)


class MFCCTimbre(Metric):
    """Timbre distance: RMS difference of MFCC means and standard deviations.

    Not frame-aligned (clips of any length compare), so it scores the output
    against the style as well as the content (and the target when known). c0 (the
    overall loudness) is left out by default, so loudness does not count as timbre,
    and so are pauses (frames ``active_db`` below the loudest).
    """

    requires_any = ("style", "content", "target")

    def __init__(self, options: MFCCTimbreOptions | None = None) -> None:
        super().__init__(options or MFCCTimbreOptions())

    def _stats(self, y: np.ndarray, sample_rate: int) -> np.ndarray:
        o = self.options
        return mfcc_statistics(
            y,
            sample_rate=sample_rate,
            n_mfcc=o.n_mfcc,
            n_mels=o.n_mels,
            n_fft=o.n_fft,
            keep_c0=o.keep_c0,
            active_db=o.active_db,
        )

    def __call__(  # noqa: D102
        self,
        output,
        *,
        sample_rate,
        content=None,
        style=None,
        target=None,
        text=None,
    ):
        mine = self._stats(_check(output, "output"), sample_rate)
        out = {}
        for key, ref in (("to_style", style), ("to_content", content), ("to_target", target)):
            ref = _check(ref, key[3:])
            if ref is None:
                continue
            other = self._stats(ref, sample_rate)
            out[key] = float(np.sqrt(((mine - other) ** 2).mean()))
        if not out:
            raise ParameterError("mfcc-timbre needs a style, content or target clip.")
        return out
