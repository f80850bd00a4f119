"""The mel scale: one definition for the whole package (and its plugins).

Slaney's scale (librosa's default, ``htk=False``): linear below 1 kHz, logarithmic
above; or the HTK formula ``2595 log10(1 + f / 700)`` (``htk=True``). Each function
takes a numpy array (or a number) or a torch tensor and computes in that library, in
float64, so a caller gets the same bits it got from its own copy before (the spectral
metrics' filterbank in numpy, the envelope's bands and the mel plugin in torch).
Light: torch is never imported here.

>>> round(float(hz_to_mel(1000.0)), 6), round(float(hz_to_mel(1000.0, htk=True)), 3)
(15.0, 999.986)
>>> round(float(mel_to_hz(hz_to_mel(3000.0))), 6)
3000.0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

F_SP = 200.0 / 3  # Hz per mel below 1 kHz (Slaney)
MIN_LOG_HZ = 1000.0  # where the scale turns logarithmic
MIN_LOG_MEL = MIN_LOG_HZ / F_SP
LOGSTEP = math.log(6.4) / 27.0  # log-spaced step above 1 kHz


def _is_tensor(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def hz_to_mel(f: Any, *, htk: bool = False) -> Any:
    """Mels of frequencies ``f`` in Hz (a numpy array, a number, or a torch tensor)."""
    if _is_tensor(f):
        import torch

        if htk:
            return 2595.0 * torch.log10(1.0 + f / 700.0)
        f = f.to(torch.float64)
        linear = f / F_SP
        log = MIN_LOG_MEL + torch.log(f.clamp_min(MIN_LOG_HZ) / MIN_LOG_HZ) / LOGSTEP
        return torch.where(f >= MIN_LOG_HZ, log, linear)
    f = np.asarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    linear = f / F_SP
    log = MIN_LOG_MEL + np.log(np.maximum(f, 1e-10) / MIN_LOG_HZ) / LOGSTEP
    return np.where(f >= MIN_LOG_HZ, log, linear)


def mel_to_hz(m: Any, *, htk: bool = False) -> Any:
    """Frequencies in Hz of mels ``m`` (inverse of :func:`hz_to_mel`)."""
    if _is_tensor(m):
        import torch

        if htk:
            return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
        m = m.to(torch.float64)
        linear = m * F_SP
        log = MIN_LOG_HZ * torch.exp(LOGSTEP * (m - MIN_LOG_MEL))
        return torch.where(m >= MIN_LOG_MEL, log, linear)
    m = np.asarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    return np.where(m >= MIN_LOG_MEL, MIN_LOG_HZ * np.exp(LOGSTEP * (m - MIN_LOG_MEL)), F_SP * m)


def mel_filterbank(sample_rate: int, n_fft: int, n_mels: int) -> np.ndarray:
    """Slaney-normalised triangular mel filters from 0 Hz to Nyquist.

    The same matrix as ``librosa.filters.mel(sr=sample_rate, n_fft=n_fft,
    n_mels=n_mels)`` (its defaults), without importing librosa (seconds here).

    Returns
    -------
    ndarray [shape=(n_mels, n_fft // 2 + 1)]
    """
    freqs = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sample_rate / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    return weights * (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
