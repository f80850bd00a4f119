"""Pure DSP functions in torch: STFT, iSTFT and Griffin-Lim.

Every setting is passed explicitly (never a library default), so backends that are
given the same :class:`STFTConfig` compute the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from audiostyle.contracts.stft import STFTConfig
from audiostyle.errors import ParameterError

__all__ = ["STFTConfig"]  # re-exported: its home is audiostyle.contracts.stft


def window(name: str, length: int, *, device=None, dtype=torch.float32) -> torch.Tensor:
    """A periodic analysis window of ``length`` samples (as librosa and torch use)."""
    if name == "hann":
        return torch.hann_window(length, periodic=True, device=device, dtype=dtype)
    if name == "hamming":
        return torch.hamming_window(length, periodic=True, device=device, dtype=dtype)
    if name == "blackman":
        return torch.blackman_window(length, periodic=True, device=device, dtype=dtype)
    if name in ("rectangular", "boxcar", "ones"):
        return torch.ones(length, device=device, dtype=dtype)
    raise ParameterError(f"window={name!r} is not one of hann, hamming, blackman, rectangular.")


def stft(y: torch.Tensor, *, config: STFTConfig, win: torch.Tensor | None = None) -> torch.Tensor:
    """Complex STFT of a waveform.

    Parameters
    ----------
    y : Tensor [shape=(..., time)]
        Real-valued audio.
    config : STFTConfig
    win : Tensor [shape=(win_length,)], optional
        Precomputed window.

    Returns
    -------
    Tensor [shape=(..., n_fft // 2 + 1, frames)], complex
    """
    if win is None:
        win = window(config.window, config.win_length, device=y.device, dtype=y.dtype)
    shape = y.shape
    flat = y.reshape(-1, shape[-1])
    spec = torch.stft(
        flat,
        n_fft=config.n_fft,
        hop_length=config.hop_length,
        win_length=config.win_length,
        window=win,
        center=config.center,
        pad_mode=config.pad_mode,
        normalized=False,
        onesided=True,
        return_complex=True,
    )
    return spec.reshape(*shape[:-1], *spec.shape[-2:])


def istft(
    spec: torch.Tensor, *, config: STFTConfig, length: int, win: torch.Tensor | None = None
) -> torch.Tensor:
    """Inverse STFT by weighted overlap-add.

    Parameters
    ----------
    spec : Tensor [shape=(..., n_fft // 2 + 1, frames)], complex
    config : STFTConfig
    length : int
        Samples in the result.

    Returns
    -------
    Tensor [shape=(..., length)]
    """
    if win is None:
        win = window(config.window, config.win_length, device=spec.device, dtype=spec.real.dtype)
    shape = spec.shape
    flat = spec.reshape(-1, *shape[-2:])
    y = torch.istft(
        flat,
        n_fft=config.n_fft,
        hop_length=config.hop_length,
        win_length=config.win_length,
        window=win,
        center=config.center,
        normalized=False,
        onesided=True,
        length=length,
    )
    return y.reshape(*shape[:-2], y.shape[-1])


def covering_length(n_samples: int, *, config: STFTConfig) -> int:
    """The length, at least ``n_samples``, whose frames cover its end as they cover its start.

    Centred frames start with one centred on sample 0, but they end with the last hop
    boundary at or before the last sample: the last ``n_samples % hop_length`` samples
    lie in the tapering tail of the last window alone, where the inverse STFT divides
    by a window sum that falls to ~1e-9 (Hann, 50 % overlap), so any change made to
    the spectrogram comes back there as a spike thousands of times too loud. Padding
    the signal to this length (and trimming after) puts a frame centre at or after
    the last sample, as the first is on sample 0.

    Examples
    --------
    >>> c = STFTConfig(n_fft=1024, hop_length=512, win_length=1024)
    >>> [covering_length(n, config=c) for n in (44032, 44033, 44034, 44543)]
    [44032, 44033, 44544, 44544]
    """
    hop = config.hop_length
    if config.center:
        return max(n_samples, hop * math.ceil((n_samples - 1) / hop))
    return max(n_samples, config.n_fft + hop * math.ceil((n_samples - config.n_fft) / hop))


def transform_covering_length(transform, n_samples: int) -> int:
    """:func:`covering_length` for a spectral transform: its ``config`` if it has an
    :class:`STFTConfig`, else one made of its ``n_fft`` and ``hop_length``."""
    config = getattr(transform, "config", None)
    if not isinstance(config, STFTConfig):
        n_fft, hop = transform.n_fft, transform.hop_length
        config = STFTConfig(n_fft=n_fft, hop_length=hop, win_length=n_fft)
    return covering_length(n_samples, config=config)


def unit_phase(spec: torch.Tensor) -> torch.Tensor:
    """``spec / |spec|``, 1 where ``spec`` is 0: a spectrogram's unit-modulus phase."""
    phase = spec / spec.abs().clamp_min(1e-12)
    return torch.where(spec.abs() > 0, phase, torch.ones_like(phase))


def random_phase(shape, *, generator: torch.Generator | None, device) -> torch.Tensor:
    """Uniform random phase in [-pi, pi) as unit complex numbers."""
    # Drawn on the CPU so a seed gives the same phase on every device.
    angles = (torch.rand(tuple(shape), generator=generator) * 2 - 1) * math.pi
    return torch.polar(torch.ones_like(angles), angles).to(device)


def griffinlim(
    magnitude: torch.Tensor,
    *,
    stft_fn: Callable[[torch.Tensor], torch.Tensor],
    istft_fn: Callable[[torch.Tensor], torch.Tensor],
    n_iter: int,
    momentum: float = 0.0,
    init_phase: torch.Tensor | None = None,
    callback: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """Griffin-Lim phase reconstruction, with Perraudin's momentum ("fast" GL).

    Parameters
    ----------
    magnitude : Tensor [shape=(..., freq, frames)], float
        Target magnitude.
    stft_fn, istft_fn : callables
        The transform's STFT (wave -> complex spec) and iSTFT (spec -> wave of the
        output length).
    n_iter : int
        Iterations (0 returns ``istft(magnitude * init_phase)``).
    momentum : float
        0 for classic Griffin-Lim, ~0.99 for fast Griffin-Lim (Perraudin et al. 2013).
    init_phase : Tensor [shape=(..., freq, frames)], complex, optional
        Unit-modulus starting phase (default: zeros, i.e. all ones).

    Returns
    -------
    Tensor [shape=(..., time)]
    """
    if n_iter < 0:
        raise ParameterError(f"n_iter={n_iter} must be >= 0.")
    if not 0 <= momentum < 1:
        raise ParameterError(
            f"momentum={momentum} must be in [0, 1); use 0.99 (fast) or 0 (classic)."
        )
    if init_phase is None:
        angles = torch.ones_like(magnitude, dtype=torch.complex64)
    else:
        angles = init_phase.to(magnitude.device)
    tprev = torch.zeros_like(angles)
    for i in range(n_iter):
        inverse = istft_fn(magnitude * angles)
        rebuilt = stft_fn(inverse)
        angles = rebuilt
        if momentum:
            angles = angles - tprev.mul_(momentum / (1 + momentum))
        angles = angles.div(angles.abs().add(1e-16))
        tprev = rebuilt
        if callback is not None:
            callback(i + 1, n_iter)
    return istft_fn(magnitude * angles)


def spectral_convergence(magnitude: torch.Tensor, reference: torch.Tensor) -> float:
    """``||ref - mag||_F / ||ref||_F`` (lower is better)."""
    return float(
        torch.linalg.norm(reference - magnitude) / torch.linalg.norm(reference).clamp_min(1e-12)
    )


ACTIVE_DB = 40.0  # frames this far below the loudest frame are pauses


def active_frames(power: torch.Tensor, *, active_db: float = ACTIVE_DB) -> torch.Tensor:
    """Mask of the frames within ``active_db`` of the loudest (all, if none is).

    Parameters
    ----------
    power : Tensor [shape=(freq, frames)]
        Power (or any non-negative energy) per bin and frame.

    Returns
    -------
    Tensor [shape=(frames,)], bool
    """
    energy = power.sum(0)
    active = energy >= energy.max() * 10 ** (-active_db / 10)
    return active if bool(active.any()) else torch.ones_like(active)
