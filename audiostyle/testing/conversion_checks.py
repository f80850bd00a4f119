"""Contract checks of the conversion stages: analysis, conditioner, matcher, vocoder.

Run by :func:`audiostyle.testing.check` like the other stages' checks, on the bundled
speech (two LibriSpeech readers, 1.5 s each at 16 kHz):

analysis
    ``analyze`` gives an :class:`~audiostyle.contracts.conversion.Analysis` of its own
    ``kind`` with finite, non-negative power, ``length`` = the wave's samples, bins
    0 Hz..Nyquist; ``synthesize(analyze(y))`` is a finite float32 wave of that length
    whose log-mel spectrum is within :data:`ROUNDTRIP_DB` dB of ``y``'s; deterministic.
conditioner, matcher
    on a WORLD analysis (the kind most accept; an stft one where the backend says so):
    the same kind, frames, bins and length as the content, finite non-negative
    power, the inputs untouched, deterministic; with the style equal to the content
    a conditioner changes the envelope by less than :data:`SELF_DB` dB.
vocoder
    a finite float32 wave of ``analysis.length`` samples from an accepted analysis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ROUNDTRIP_DB = 6.0  # mean |log-mel difference| allowed for synthesize(analyze(y))
SELF_DB = 1.0  # mean |change| of the envelope a conditioner may make toward itself
RATE = 16_000


def _fail(stage: str, name: str, rule: str):
    from audiostyle.testing.common import fail

    return fail(stage, name, rule)


def _clips(rate: int = RATE) -> tuple[np.ndarray, np.ndarray]:
    from audiostyle.audio import load
    from audiostyle.data import demo_clip

    c = load(demo_clip("content"), sample_rate=rate, offset=0.5, duration=1.5)
    s = load(demo_clip("style"), sample_rate=rate, offset=0.5, duration=1.5)
    return c, s


def _logmel(y: np.ndarray) -> np.ndarray:
    from audiostyle.conversion import voice_features as vf

    n_fft = 512
    frames = np.lib.stride_tricks.sliding_window_view(np.pad(y, n_fft // 2), n_fft)[::128]
    power = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2
    bands = vf.mel_bands(power.shape[1], sample_rate=RATE, n_bands=40)
    return 10 * np.log10(power @ bands.T + 1e-10)


def _check_analysis_result(stage, name, a, kind, length) -> None:
    from audiostyle.contracts.conversion import Analysis

    if not isinstance(a, Analysis):
        raise _fail(stage, name, f"analyze gave {type(a).__name__}, not an Analysis.")
    if kind and a.kind != kind:
        raise _fail(stage, name, f"kind {a.kind!r} is not the backend's {kind!r}.")
    if a.length != length:
        raise _fail(stage, name, f"length {a.length} is not the wave's {length} samples.")
    env = np.asarray(a.envelope)
    if env.ndim != 2 or not np.isfinite(env).all() or (env < 0).any():
        raise _fail(stage, name, "the envelope must be a finite non-negative (frames, bins) array.")
    if a.f0 is not None and (a.f0.shape != (a.n_frames,) or not np.isfinite(a.f0).all()):
        raise _fail(stage, name, "f0 must be finite, one value per frame.")


def check_analysis(impl, cls, opts, *, device: str) -> list[str]:
    """See the module docstring."""
    stage, name = impl.stage, impl.name
    content, _ = _clips()
    backend = cls(opts, sample_rate=RATE)
    a = backend.analyze(content)
    _check_analysis_result(stage, name, a, backend.kind, content.shape[0])
    y = np.asarray(backend.synthesize(a))
    if y.dtype != np.float32 or y.shape != content.shape or not np.isfinite(y).all():
        raise _fail(
            stage, name, f"synthesize gave {y.dtype} {y.shape}, not float32 {content.shape}."
        )
    diff = float(np.abs(_logmel(y) - _logmel(content)).mean())
    if diff > ROUNDTRIP_DB:
        raise _fail(
            stage, name, f"synthesize(analyze(y)) is {diff:.1f} dB from y (> {ROUNDTRIP_DB})."
        )
    again = backend.analyze(content)
    if not np.array_equal(again.envelope, a.envelope):
        raise _fail(stage, name, "analyze is not deterministic.")
    return ["analysis of real speech", "round trip", "deterministic"]


def _analyses(kinds: tuple[str, ...], rate: int = RATE) -> tuple[Any, Any, Any]:
    from audiostyle.plugins import create

    kind = kinds[0] if kinds else "world"
    content, style = _clips(rate)
    backend = create("analysis", kind, {}, sample_rate=rate)
    return backend, backend.analyze(content), backend.analyze(style)


def _check_stage(impl, cls, opts, method: str) -> list[str]:
    from audiostyle.contracts.conversion import ConversionContext

    stage, name = impl.stage, impl.name
    backend = cls(opts)
    _, c, s = _analyses(getattr(backend, "kinds", ()))
    before = (c.envelope.copy(), s.envelope.copy())
    out = getattr(backend, method)(c, s, context=ConversionContext(kind="speech"))
    _check_analysis_result(stage, name, out, c.kind, c.length)
    if out.envelope.shape != c.envelope.shape:
        raise _fail(stage, name, f"envelope {out.envelope.shape} is not the content's shape.")
    if not (np.array_equal(before[0], c.envelope) and np.array_equal(before[1], s.envelope)):
        raise _fail(stage, name, f"{method} modified its inputs.")
    again = getattr(backend, method)(c, s, context=ConversionContext(kind="speech"))
    if not np.array_equal(again.envelope, out.envelope):
        raise _fail(stage, name, f"{method} is not deterministic.")
    passed = [f"{method} keeps kind, frames and length", "inputs untouched", "deterministic"]
    if method == "condition":
        self_out = backend.condition(c, c, context=ConversionContext(kind="speech"))
        ratio = np.abs(10 * np.log10((self_out.envelope + 1e-12) / (c.envelope + 1e-12)))
        change = float(ratio[c.envelope.sum(axis=1) > 0].mean())
        if change > SELF_DB:
            raise _fail(stage, name, f"conditioning a clip toward itself moved it {change:.1f} dB.")
        passed.append("toward itself: unchanged")
    return passed


def check_conditioner(impl, cls, opts, *, device: str) -> list[str]:
    """See the module docstring."""
    return _check_stage(impl, cls, opts, "condition")


def check_matcher(impl, cls, opts, *, device: str) -> list[str]:
    """See the module docstring."""
    return _check_stage(impl, cls, opts, "match")


def check_vocoder(impl, cls, opts, *, device: str) -> list[str]:
    """See the module docstring."""
    stage, name = impl.stage, impl.name
    rates = getattr(cls, "sample_rates", ())  # a vocoder trained at one rate says so
    rate = rates[0] if rates else RATE
    vocoder = cls(opts, sample_rate=rate, device=device)
    _, c, _ = _analyses(getattr(vocoder, "kinds", ()), rate)
    y = np.asarray(vocoder.synthesize(c))
    if y.dtype != np.float32 or y.shape != (c.length,) or not np.isfinite(y).all():
        raise _fail(stage, name, f"synthesize gave {y.dtype} {y.shape}, not float32 ({c.length},).")
    return ["synthesis of real speech"]


RUNNERS = {
    "analysis": check_analysis,
    "conditioner": check_conditioner,
    "matcher": check_matcher,
    "vocoder": check_vocoder,
}
