"""An octave check for an F0 track: each voiced frame keeps f0, or takes f0/2 or 2·f0,
whichever the frame's own harmonics support best.

Trackers such as dio slip by octaves on noisy or creaky speech (a 245 Hz voice read
as 117 Hz on a third of its frames), and a pitch statistic taken over such a track is
off by semitones. The check is subharmonic summation in its simplest form: for a
candidate F0 ``f`` the score is the mean log magnitude at the harmonics ``h·f`` (the
peak within a bin) minus the mean at the midpoints ``(h + ½)·f``, over the harmonics
below ``max_hz``. A true F0 scores high (peaks on harmonics, troughs between); half
of it scores lower (every second "harmonic" is a trough); double it scores lower
still (its midpoints are the true odd harmonics). The decisions (−1, 0, +1 octave)
are median-filtered over ``smooth`` voiced frames, so a single noisy frame does not
flip. Chosen on the tune half of the ``librispeech`` clips (26 clips, the median F0
of DIO's track against crepe's): the mean error went 0.67 -> 0.50 semitones and the
clips more than 2 semitones off 2 -> 1 (validate half: 2.03 -> 1.45, 4 -> 3); margins
and other smoothing lengths did worse there.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

WINDOW = 1024  # samples at 16 kHz: 64 ms, four periods of a 60 Hz voice
N_FFT = 2048
MIN_HZ = 40.0
CHUNK = 2048  # frames per batch of FFTs
#: ``Analysis.extra`` key of the corrected track when the analysis keeps the tracker's
#: own F0 (``octave_check="statistics"``): the f0 conditioner's statistics read it.
CHECKED_F0 = "f0_octave_checked"


def _log_spectra(x: np.ndarray, centres: np.ndarray, window: int) -> np.ndarray:
    half = window // 2
    padded = np.pad(x, (half, half))
    idx = centres[:, None] + np.arange(window)[None, :]
    frames = padded[np.clip(idx, 0, padded.shape[0] - 1)] * np.hanning(window)
    n_fft = max(N_FFT, 2 * window)
    return np.log(np.abs(np.fft.rfft(frames, n_fft, axis=1)) + 1e-9)


def _scores(mag: np.ndarray, f0: np.ndarray, bin_hz: float, max_hz: float) -> np.ndarray:
    """Harmonic-minus-midpoint score of each frame's ``f0`` ``(frames,)``."""
    n_h = int(max_hz // MIN_HZ)
    h = np.arange(1, n_h + 1, dtype=np.float64)[None, :]
    use = h * f0[:, None] <= max_hz
    use[:, :2] = True  # at least two harmonics
    last = mag.shape[1] - 1
    rows = np.arange(mag.shape[0])[:, None]

    def at(freq: np.ndarray, spread: int) -> np.ndarray:
        b = np.rint(freq / bin_hz).astype(np.int64)
        vals = [mag[rows, np.clip(b + d, 0, last)] for d in range(-spread, spread + 1)]
        return np.max(vals, axis=0)

    peaks = at(h * f0[:, None], 1)
    mids = at((h + 0.5) * f0[:, None], 0)
    n = use.sum(axis=1)
    return ((peaks - mids) * use).sum(axis=1) / n


def best_octave(
    score: Callable[[np.ndarray], np.ndarray],
    f0: np.ndarray,
    *,
    f0_floor: float = MIN_HZ,
    f0_ceil: float = np.inf,
) -> np.ndarray:
    """Per frame, the octave (−1, 0, +1) of ``f0/2``, ``f0``, ``2·f0`` that ``score`` (a
    frame-wise measure of harmonic support, higher is better) rates best; a candidate
    outside ``[f0_floor, f0_ceil]`` never wins, and a tie keeps ``f0``. The one rule of
    both octave checks (this module's, and the pitched-stft analysis's ``fix_octaves``
    with its chance-corrected harmonicity)."""
    best = np.zeros(f0.shape[0])
    top = score(f0)
    for step, factor in ((-1, 0.5), (1, 2.0)):
        cand = f0 * factor
        ok = (f0 > 0) & (cand >= f0_floor) & (cand <= f0_ceil)
        s = score(np.where(ok, cand, f0))
        better = ok & (s > top)
        best[better], top[better] = step, s[better]
    return best


def octave_corrected(
    x: np.ndarray,
    f0: np.ndarray,
    times: np.ndarray,
    sample_rate: int,
    *,
    smooth: int = 9,
    max_hz: float = 2000.0,
) -> tuple[np.ndarray, int]:
    """``f0`` with each voiced frame moved by the octave its harmonics support, and how
    many frames moved. Unvoiced frames (``f0 == 0``) stay unvoiced."""
    from scipy.ndimage import median_filter

    voiced = np.flatnonzero(f0 > 0)
    if voiced.size == 0:
        return f0.copy(), 0
    window = int(round(WINDOW * sample_rate / 16_000))
    window += window % 2
    n_fft = max(N_FFT, 2 * window)
    bin_hz = sample_rate / n_fft
    centres = np.rint(times[voiced] * sample_rate).astype(np.int64)
    top = min(max_hz, 0.45 * sample_rate)
    decision = np.zeros(voiced.size)
    for start in range(0, voiced.size, CHUNK):
        part = slice(start, start + CHUNK)
        mag = _log_spectra(x, centres[part], window)
        decision[part] = best_octave(
            lambda f, mag=mag: _scores(mag, f, bin_hz, top), f0[voiced[part]]
        )
    if smooth > 1:
        decision = median_filter(decision, size=int(smooth), mode="nearest")
    out = f0.copy()
    out[voiced] = f0[voiced] * 2.0**decision
    return out, int(np.count_nonzero(decision))
