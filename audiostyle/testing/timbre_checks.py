"""Contract checks of the conversion stages (analysis, conditioner, matcher).

What every analysis/synthesis, conditioner and matcher must do, checked on real
signals (a harmonic note with vibrato, a melody of such notes, noise, a chord)::

    from audiostyle.testing.timbre_checks import check_conversion
    check_conversion("matcher", "timbre")

analysis
    ``analyze`` gives an :class:`~audiostyle.contracts.conversion.Analysis` of its
    ``kind`` with a finite, non-negative ``(frames, bins)`` envelope, an ``f0`` of one
    value per frame (when it has one) that finds the note's pitch, the input's
    length; ``synthesize(analyze(y))`` is a finite float32 wave of that length close
    to ``y`` (``max_error``: relative RMS error of the magnitude spectrogram).
conditioner / matcher
    on a melody (content) and another melody (style), and on noise and a chord as
    content: an analysis of the same kind, frames and bins, finite and non-negative,
    the inputs untouched, deterministic; the synthesised wave finite.
"""

from __future__ import annotations

import numpy as np

from audiostyle.contracts.conversion import (
    Analysis,
    AnalysisSynthesis,
    Conditioner,
    ConversionContext,
    Matcher,
)
from audiostyle.testing.contracts import ContractError

SAMPLE_RATE = 16_000  # Hz
NOTE_HZ = 220.0


def harmonic_note(
    f0: float, seconds: float, *, sample_rate: int = SAMPLE_RATE, tilt: float = 1.0, seed: int = 0
) -> np.ndarray:
    """A harmonic note with 5 Hz vibrato, an attack and a decay, and a little noise."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate)
    t = np.arange(n) / sample_rate
    inst = f0 * (1.0 + 0.004 * np.sin(2 * np.pi * 5.0 * t))
    phase = 2 * np.pi * np.cumsum(inst) / sample_rate
    y = np.zeros(n)
    for h in range(1, int(sample_rate / 2 / f0)):
        y += np.sin(h * phase) / h**tilt
    env = np.minimum(t / 0.02, 1.0) * np.exp(-t / (2.0 * seconds))
    y = env * y + 1e-3 * rng.standard_normal(n)
    return (0.3 * y / np.abs(y).max()).astype(np.float32)


def melody(notes: list[float], *, seconds: float = 0.4, tilt: float = 1.0) -> np.ndarray:
    """Notes in a row, each ``seconds`` long."""
    return np.concatenate(
        [harmonic_note(f, seconds, tilt=tilt, seed=i) for i, f in enumerate(notes)]
    )


def chord(seconds: float = 1.2) -> np.ndarray:
    """A C major triad (three harmonic notes at once)."""
    y = sum(harmonic_note(f, seconds, seed=i) for i, f in enumerate((261.6, 329.6, 392.0)))
    return (0.3 * y / np.abs(y).max()).astype(np.float32)


def noise(seconds: float = 1.2, seed: int = 1) -> np.ndarray:
    """Decaying bursts of white noise (a drum-like texture)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    t = (np.arange(n) % (SAMPLE_RATE // 4)) / SAMPLE_RATE
    return (0.3 * np.exp(-t / 0.03) * rng.standard_normal(n)).astype(np.float32)


def _fail(stage: str, name: str, rule: str) -> ContractError:
    return ContractError(f"{stage} {name!r}: {rule}")


def _check_analysis_value(a, *, stage: str, name: str, kind: str, frames: int | None = None):
    if not isinstance(a, Analysis):
        raise _fail(stage, name, f"must return an Analysis, not {type(a).__name__}")
    if a.kind != kind:
        raise _fail(stage, name, f"returned kind {a.kind!r}, expected {kind!r}")
    env = np.asarray(a.envelope)
    if env.ndim != 2 or not np.isfinite(env).all() or (env < 0).any():
        raise _fail(stage, name, "envelope must be a finite, non-negative (frames, bins) array")
    if frames is not None and a.n_frames != frames:
        raise _fail(stage, name, f"has {a.n_frames} frames, the content {frames}")
    if a.f0 is not None and (a.f0.shape != (a.n_frames,) or not np.isfinite(a.f0).all()):
        raise _fail(stage, name, "f0 must be finite with one value per frame")


def build(stage: str, name: str, options: dict | None = None, *, sample_rate: int = SAMPLE_RATE):
    """The registered conversion stage ``name`` built with ``options``."""
    from audiostyle.plugins import create, get_backend

    opts = get_backend(stage, name).parse_options(options or {})
    if stage == "analysis":
        return create(stage, name, opts, sample_rate=sample_rate)
    return create(stage, name, opts)


def check_analysis(name: str, options: dict | None = None, *, max_error: float = 0.1) -> list[str]:
    """The analysis contract on a harmonic note (see the module docstring)."""
    stage = "analysis"
    an = build(stage, name, options)
    if not isinstance(an, AnalysisSynthesis):
        raise _fail(stage, name, "must subclass AnalysisSynthesis")
    y = harmonic_note(NOTE_HZ, 1.0)
    a = an.analyze(y.copy())
    _check_analysis_value(a, stage=stage, name=name, kind=an.kind)
    if a.length != y.shape[0]:
        raise _fail(stage, name, f"length {a.length}, the wave has {y.shape[0]} samples")
    passed = ["analysis shape"]
    if a.f0 is not None:
        v = a.f0[a.f0 > 0]
        if v.size < a.n_frames // 2 or abs(12 * np.log2(np.median(v) / NOTE_HZ)) > 0.5:
            raise _fail(
                stage,
                name,
                f"f0 misses the {NOTE_HZ:g} Hz note (median {np.median(v) if v.size else 0:.1f})",
            )
        passed.append("f0 finds the note")
    out = an.synthesize(a)
    if out.dtype != np.float32 or out.shape != y.shape or not np.isfinite(out).all():
        raise _fail(stage, name, "synthesize must give a finite float32 wave of the input's length")
    from audiostyle.metrics.spectral import power_spectrogram

    ref = np.sqrt(power_spectrogram(y, n_fft=512))
    got = np.sqrt(power_spectrogram(out, n_fft=512))
    err = float(np.linalg.norm(got - ref) / np.linalg.norm(ref))
    if err > max_error:
        raise _fail(stage, name, f"synthesize(analyze(y)) is {err:.3f} from y (bound {max_error})")
    passed.append("round trip")
    return passed


def check_transform_stage(
    stage: str,
    name: str,
    options: dict | None = None,
    *,
    analysis: str = "pitched-stft",
    analysis_options: dict | None = None,
) -> list[str]:
    """The conditioner/matcher contract on a melody, noise and a chord as content."""
    an = build("analysis", analysis, analysis_options)
    impl = build(stage, name, options)
    base = Conditioner if stage == "conditioner" else Matcher
    if not isinstance(impl, base):
        raise _fail(stage, name, f"must subclass {base.__name__}")
    style = an.analyze(melody([196.0, 246.9, 293.7, 392.0], tilt=0.5))
    passed = []
    for what, wave in (
        ("melody", melody([220.0, 261.6, 329.6, 293.7], tilt=2.0)),
        ("noise", noise()),
        ("chord", chord()),
    ):
        content = an.analyze(wave)
        before = (content.envelope.copy(), style.envelope.copy())
        ctx = ConversionContext(seed=0)
        run = impl.condition if stage == "conditioner" else impl.match
        out = run(content, style, context=ctx)
        _check_analysis_value(
            out, stage=stage, name=name, kind=content.kind, frames=content.n_frames
        )
        if out.n_bins != content.n_bins:
            raise _fail(stage, name, f"changed the bin count on {what}")
        if not (
            np.array_equal(before[0], content.envelope)
            and np.array_equal(before[1], style.envelope)
        ):
            raise _fail(stage, name, f"modified its inputs on {what}")
        again = run(content, style, context=ConversionContext(seed=0))
        if not np.array_equal(again.envelope, out.envelope):
            raise _fail(stage, name, f"is not deterministic on {what}")
        y = an.synthesize(out)
        if not np.isfinite(y).all():
            raise _fail(stage, name, f"gave a wave with NaN/Inf on {what}")
        passed.append(f"{what}: shape, inputs kept, deterministic, finite")
    return passed


def check_conversion(stage: str, name: str, options: dict | None = None, **kw) -> list[str]:
    """Dispatch to :func:`check_analysis` or :func:`check_transform_stage`."""
    if stage == "analysis":
        return check_analysis(name, options, **kw)
    return check_transform_stage(stage, name, options, **kw)
