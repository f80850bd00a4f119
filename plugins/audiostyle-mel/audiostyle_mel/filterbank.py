"""The mel scale and a triangular mel filterbank, in torch (no librosa needed).

The scale is :mod:`audiostyle.mel`'s Slaney scale (librosa's default,
``htk=False``): linear below 1 kHz, logarithmic above. Each band is a triangle over
the STFT bins, normalised to unit sum so a band's value is a weighted average of the
bins' magnitudes (the same scale as the input). A band narrower than one bin, which
would be empty, takes the linear interpolation of the two bins around its centre
instead.
"""

from __future__ import annotations

import torch

from audiostyle import mel
from audiostyle.errors import ParameterError


def hz_to_mel(hz: torch.Tensor) -> torch.Tensor:
    """Slaney mel of frequencies in Hz (:func:`audiostyle.mel.hz_to_mel`, in torch)."""
    return mel.hz_to_mel(torch.as_tensor(hz, dtype=torch.float64))


def mel_to_hz(mels: torch.Tensor) -> torch.Tensor:
    """Frequencies in Hz of Slaney mels (inverse of :func:`hz_to_mel`)."""
    return mel.mel_to_hz(torch.as_tensor(mels, dtype=torch.float64))


def mel_filterbank(
    *, n_bins: int, sample_rate: int, n_mels: int, f_min: float = 0.0, f_max: float | None = None
) -> torch.Tensor:
    """Triangular mel filters over the bins of a one-sided STFT.

    Parameters
    ----------
    n_bins : int
        STFT bins, ``n_fft // 2 + 1`` (bin ``k`` is at ``k * sample_rate / n_fft`` Hz).
    sample_rate : int
        Sample rate in Hz.
    n_mels : int
        Number of bands.
    f_min, f_max : float
        Band edges in Hz (``f_max`` None: Nyquist).

    Returns
    -------
    Tensor [shape=(n_mels, n_bins)], float32
        Each row sums to 1.
    """
    nyquist = sample_rate / 2
    f_max = nyquist if f_max is None else float(f_max)
    if not 0 <= f_min < f_max <= nyquist:
        raise ParameterError(
            f"mel bands from f_min={f_min} to f_max={f_max} Hz must lie in [0, {nyquist}] "
            f"(Nyquist at sample_rate={sample_rate}); lower f_max or raise the rate."
        )
    if n_bins < 2:
        raise ParameterError(f"n_bins={n_bins} must be >= 2.")
    freqs = torch.linspace(0, nyquist, n_bins, dtype=torch.float64)
    edges = mel_to_hz(torch.linspace(float(hz_to_mel(f_min)), float(hz_to_mel(f_max)), n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None] - lower) / (centre - lower)
    falling = (upper - freqs[None]) / (upper - centre)
    weights = torch.clamp(torch.minimum(rising, falling), min=0)
    # Bands narrower than a bin: linear interpolation at the centre frequency.
    empty = weights.sum(dim=1) <= 0
    if bool(empty.any()):
        step = nyquist / (n_bins - 1)
        pos = (centre[empty, 0] / step).clamp(0, n_bins - 1)
        lo = pos.floor().long().clamp(max=n_bins - 2)
        frac = pos - lo
        rows = torch.zeros(int(empty.sum()), n_bins, dtype=torch.float64)
        idx = torch.arange(rows.shape[0])
        rows[idx, lo] = 1 - frac
        rows[idx, lo + 1] += frac
        weights[empty] = rows
    weights = weights / weights.sum(dim=1, keepdim=True)
    return weights.to(torch.float32)
