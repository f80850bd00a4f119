"""Shared numerics of the voice backends: mel bands of an envelope, cepstra, normalisation.

The voice conditioners and matcher compare frames in a *speaker-normalised* cepstral
space: the log power of a WORLD envelope in ``n_bands`` mel bands, its DCT (cepstrum)
without c0 (loudness), each coefficient standardised by the *clip's own* mean and
standard deviation over its active frames (cepstral mean and variance normalisation,
per speaker). What stays is how a frame differs from the speaker's average: the
phone, not the vocal tract; what goes is what makes the speaker (their mean envelope
and its spread). Gains computed in bands come back to bins through the same
triangular bands (a partition of unity), so they are smooth across frequency.
"""

from __future__ import annotations

import numpy as np

from audiostyle.errors import ParameterError

ACTIVE_DB = 40.0  # frames this far below the loudest are pauses
TINY = 1e-16


def mel_bands(n_bins: int, *, sample_rate: int, n_bands: int) -> np.ndarray:
    """Triangular HTK-mel bands ``(n_bands, n_bins)`` whose weights per bin sum to 1."""
    hz = np.linspace(0.0, sample_rate / 2, n_bins)
    from audiostyle.mel import hz_to_mel

    mel = hz_to_mel(hz, htk=True)  # the one mel scale (audiostyle.mel)
    centres = np.linspace(0.0, mel[-1], n_bands)
    w = np.zeros((n_bands, n_bins))
    for k, c in enumerate(centres):
        lo = centres[k - 1] if k else c - (centres[1] - centres[0])
        hi = centres[k + 1] if k + 1 < n_bands else c + (centres[1] - centres[0])
        w[k] = np.clip(np.minimum((mel - lo) / (c - lo), (hi - mel) / (hi - c)), 0.0, None)
    return w / np.maximum(w.sum(axis=0, keepdims=True), TINY)


def band_log(envelope: np.ndarray, bands: np.ndarray) -> np.ndarray:
    """Natural log of the power in each band, per frame: ``(frames, n_bands)``."""
    norm = bands / np.maximum(bands.sum(axis=1, keepdims=True), TINY)
    return np.log(envelope @ norm.T + TINY)


def bins_gain(log_gain: np.ndarray, bands: np.ndarray) -> np.ndarray:
    """A per-band log gain ``(frames, n_bands)`` as a per-bin power factor."""
    return np.exp(log_gain @ bands)


def active(envelope: np.ndarray, *, active_db: float = ACTIVE_DB) -> np.ndarray:
    """Frames within ``active_db`` of the loudest (pauses excluded)."""
    e = 10.0 * np.log10(envelope.sum(axis=1) + TINY)
    return e > e.max() - active_db


def cepstra(logbands: np.ndarray, n_ceps: int) -> np.ndarray:
    """DCT-II (orthonormal) of the band log powers, coefficients 1..n_ceps (c0 dropped)."""
    from scipy.fft import dct

    return dct(logbands, norm="ortho", axis=1)[:, 1 : n_ceps + 1]


def normalised(ceps: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Cepstra standardised by their own mean and spread over ``mask`` frames (CMVN)."""
    if mask.sum() < 2:
        raise ParameterError("a clip has fewer than 2 active frames; it is silent.")
    ref = ceps[mask]
    return (ceps - ref.mean(axis=0)) / np.maximum(ref.std(axis=0), 1e-6)


def smooth(x: np.ndarray, frames: int) -> np.ndarray:
    """Moving average along time (axis 0) over ``frames`` frames (1: unchanged)."""
    if frames <= 1:
        return x
    from scipy.ndimage import uniform_filter1d

    return uniform_filter1d(x, size=int(frames), axis=0, mode="nearest")


def stacked(x: np.ndarray, context: int) -> np.ndarray:
    """Each frame beside its ``context`` neighbours on each side (edges repeated):
    ``(frames, dims * (2 * context + 1))``; ``context=0`` is ``x`` itself."""
    if context <= 0:
        return x
    padded = np.pad(x, ((context, context), (0, 0)), mode="edge")
    n = x.shape[0]
    return np.concatenate([padded[i : i + n] for i in range(2 * context + 1)], axis=1)
