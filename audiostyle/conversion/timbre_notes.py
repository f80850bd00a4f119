"""Where notes start: onsets from spectral flux and from pitch changes (numpy only).

An instrument's timbre is also its course in time: a plucked string or a piano
decays from its attack, a bowed string or a reed sustains. To give a melody another
instrument's course, each frame is placed in its note: its *age* (seconds since the
note's onset) and the note's *peak* level. Onsets are the frames where the
band-wise rise of the log spectrum (the spectral flux, mean over mel bands of the
positive dB change, on a floor ``FLOOR_DB`` under the loudest band) is a local
maximum standing ``FLUX_DB`` above its surroundings, and the voiced frames whose
pitch moved more than ``PITCH_JUMP`` semitones from the previous voiced frame (a
legato note change has no energy onset).
"""

from __future__ import annotations

import numpy as np

FLOOR_DB = 80.0
FLUX_DB = 2.0  # mean rise over bands, dB, above the local mean, for an energy onset
PEAK_HALF = 3  # frames: an onset is the largest flux within +-this
MEAN_HALF = 15  # frames: the local mean the flux must stand above
PITCH_JUMP = 0.6  # semitones: a larger move between voiced frames is a new note
PITCH_HALF = 2  # frames: the pitch track is median-filtered over +-this first
MIN_GAP = 0.05  # seconds: onsets closer than this merge


def _moving(x: np.ndarray, half: int, fn) -> np.ndarray:
    padded = np.pad(x, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return fn(windows, axis=1)


def onsets(band_db: np.ndarray, f0: np.ndarray | None, *, frame_period: float) -> np.ndarray:
    """Boolean ``(frames,)``: True where a note starts (frame 0 always does).

    Parameters
    ----------
    band_db : ndarray [shape=(frames, bands)]
        Band levels in dB.
    f0 : ndarray [shape=(frames,)], optional
        Hz, 0 where there is no pitch.
    """
    n = band_db.shape[0]
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    out[0] = True
    d = np.maximum(band_db, band_db.max() - FLOOR_DB)
    flux = np.zeros(n)
    flux[1:] = np.maximum(np.diff(d, axis=0), 0.0).mean(axis=1)
    if n > 2 * PEAK_HALF:
        peak = flux >= _moving(flux, PEAK_HALF, np.max)
        out |= peak & (flux >= _moving(flux, MEAN_HALF, np.mean) + FLUX_DB)
    if f0 is not None:
        voiced = np.flatnonzero(f0 > 0)
        if voiced.size > 2 * PITCH_HALF + 1:
            # Median-filtered, so a tracker's one- or two-frame slip (an octave error in
            # a decaying pluck) is not a note.
            st = _moving(12.0 * np.log2(f0[voiced]), PITCH_HALF, np.median)
            jump = np.abs(np.diff(st)) > PITCH_JUMP
            out[voiced[1:][jump]] = True  # (across a pause too: the next voiced frame)
    # Merge onsets closer than MIN_GAP: keep the first of a run.
    gap = max(int(round(MIN_GAP / frame_period)), 1)
    idx = np.flatnonzero(out)
    keep = [idx[0]]
    for i in idx[1:]:
        if i - keep[-1] >= gap:
            keep.append(i)
    out[:] = False
    out[keep] = True
    return out


def note_positions(
    starts: np.ndarray, levels: np.ndarray, *, frame_period: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each frame's age in its note (seconds) and its note's peak level (dB).

    Parameters
    ----------
    starts : ndarray [shape=(frames,)], bool
        From :func:`onsets`.
    levels : ndarray [shape=(frames,)]
        Frame levels in dB.
    """
    seg = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    age = (np.arange(levels.shape[0]) - first[seg]) * frame_period
    peak = np.full(first.shape[0], -np.inf)
    np.maximum.at(peak, seg, levels)
    return age, peak[seg]
