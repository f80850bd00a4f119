"""Long-term spectral envelope matching: colour the content toward the style's.

A Gram loss on a random network matches the *correlations* of feature channels; it
moves the long-term spectral balance of the content (bright / dark, the formant
region of a voice, the register of an instrument) only slowly and partly. This
module does that part in one step, before the optimisation: the content's
long-term mean level in dB (frames within ``active_db`` of the loudest, so pauses
do not count) in each of ``n_bands`` mel bands is compared with the style's, and
every bin of the content is multiplied by a gain that moves each band
a fraction ``strength`` of the way (in dB) to the style's level. The gain is smooth
across frequency (interpolated between band centres in dB), limited to
``max_db``, and scaled so the content keeps its energy. Pitch, timing and words
stay where they were: only the colour changes.

>>> import torch
>>> n_bins = 257
>>> dark = torch.linspace(1.0, 0.01, n_bins)[:, None].repeat(1, 10)  # power per bin
>>> bright = torch.linspace(0.01, 1.0, n_bins)[:, None].repeat(1, 10)
>>> g = envelope_gain(dark, bright, sample_rate=8000, strength=1.0)
>>> bool(g[-1] > 10 * g[0])  # the top is lifted against the bottom
True
>>> float(((dark * g[:, None] ** 2).sum() / dark.sum()).round(decimals=4))  # energy kept
1.0
"""

from __future__ import annotations

import math

import torch

from audiostyle.errors import ParameterError

ACTIVE_DB = 40.0  # frames this far below the loudest frame are pauses
MAX_DB = 30.0  # no band moves more than this
FLOOR_DB = 80.0  # band levels are floored this far below the loudest
_TINY = 1e-20


def _hz_to_mel(f: float | torch.Tensor):
    return 2595.0 * (
        torch.log10(1.0 + f / 700.0) if torch.is_tensor(f) else math.log10(1 + f / 700)
    )


def band_weights(
    n_bins: int, *, sample_rate: int, n_bands: int, device=None, dtype=torch.float64
) -> torch.Tensor:
    """Triangular mel bands over ``n_bins`` STFT bins: shape ``(n_bands, n_bins)``.

    Each bin's weights sum to 1 (a partition of unity), so band values can be
    interpolated back to bins. Bands are spaced evenly on the mel scale from 0 Hz to
    Nyquist; neighbouring centres are at least one bin apart (fewer bands at a tiny
    ``n_fft``).
    """
    if n_bands < 2:
        raise ParameterError(f"n_bands={n_bands} must be >= 2.")
    freqs = torch.linspace(0, sample_rate / 2, n_bins, device=device, dtype=dtype)
    mel = _hz_to_mel(freqs)
    centres = torch.linspace(0, float(mel[-1]), min(n_bands, n_bins), device=device, dtype=dtype)
    spacing = centres[1] - centres[0]
    # Hat functions centred on each band, width one spacing on either side: they
    # sum to 1 at every bin between the first and the last centre.
    w = (1 - (mel[None, :] - centres[:, None]).abs() / spacing).clamp_min(0)
    return w / w.sum(0, keepdim=True).clamp_min(_TINY)


def active_frames(power: torch.Tensor, *, active_db: float = ACTIVE_DB) -> torch.Tensor:
    """Mask of the frames within ``active_db`` of the loudest (all, if none is)."""
    energy = power.sum(0)
    active = energy >= energy.max() * 10 ** (-active_db / 10)
    return active if bool(active.any()) else torch.ones_like(active)


def long_term_power(power: torch.Tensor, *, active_db: float = ACTIVE_DB) -> torch.Tensor:
    """Mean power per bin over the frames within ``active_db`` of the loudest frame.

    ``power``: shape ``(n_bins, frames)``; returns shape ``(n_bins,)``.
    """
    return power[:, active_frames(power, active_db=active_db)].mean(1)


def log_band_mean(
    power: torch.Tensor,
    w: torch.Tensor,
    *,
    active_db: float = ACTIVE_DB,
    floor_db: float = FLOOR_DB,
) -> torch.Tensor:
    """Mean level in dB of each band over the active frames (floored ``floor_db``
    below the loudest band value, so digital silence is not minus infinity)."""
    bands = w @ power[:, active_frames(power, active_db=active_db)]
    db = 10 * torch.log10(bands.clamp_min(_TINY))
    return db.clamp_min(db.max() - floor_db).mean(1)


def envelope_gain(
    content_power: torch.Tensor,
    style_power: torch.Tensor,
    *,
    sample_rate: int,
    strength: float,
    n_bands: int = 40,
    max_db: float = MAX_DB,
) -> torch.Tensor:
    """Per-bin amplitude gain moving the content's envelope toward the style's.

    Parameters
    ----------
    content_power, style_power : Tensor [shape=(n_bins, frames)]
        Power spectrograms (|STFT|²) of the same STFT settings; frame counts may differ.
    sample_rate : int
    strength : float
        0 = no change, 1 = each band at the style's level (relative to the clip's
        total), 0.5 = halfway in dB.
    n_bands : int
        Mel bands the envelopes are pooled in (fewer = smoother).
    max_db : float
        Largest boost or cut of any band.

    Returns
    -------
    Tensor [shape=(n_bins,)]: multiply the content's complex STFT by it (per bin).
    The content's total energy is kept.
    """
    if not 0 <= strength <= 1:
        raise ParameterError(f"envelope strength {strength} must be in [0, 1].")
    if content_power.shape[0] != style_power.shape[0]:
        raise ParameterError(
            f"content has {content_power.shape[0]} bins and style {style_power.shape[0]}: "
            "the envelopes need the same STFT settings."
        )
    cp = long_term_power(content_power.double())
    w = band_weights(cp.shape[0], sample_rate=sample_rate, n_bands=n_bands, device=cp.device)
    # Mean band level in dB over the active frames (a log mean, as MFCCs and the
    # log-spectral distance see a spectrum): the mean power would follow the loudest
    # frames only and, matched, moves the MFCC means away from the style's.
    db = log_band_mean(style_power.double(), w) - log_band_mean(content_power.double(), w)
    db = db - db.mean()
    db = (strength * db).clamp(-max_db, max_db)
    gain = 10 ** ((w.T @ db) / 20)  # dB interpolated between band centres
    keep = (cp.sum() / (cp * gain**2).sum().clamp_min(_TINY)).sqrt()
    return (gain * keep).to(content_power.dtype)
