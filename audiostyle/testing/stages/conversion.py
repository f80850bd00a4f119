"""Contract checks of the conversion stages: analysis, conditioner, matcher, vocoder.

Two sets of signals, one set of rules. :func:`audiostyle.testing.check` runs the
checks on the bundled speech (two LibriSpeech readers, 1.5 s each at 16 kHz;
:data:`RUNNERS`); :func:`check_conversion` runs them on pitched signals (a harmonic
note with vibrato, melodies of such notes, noise bursts, a chord) with the rules that
need a known pitch::

    from audiostyle.testing.stages.conversion import check_conversion
    check_conversion("matcher", "timbre")

analysis
    ``analyze`` gives an :class:`~audiostyle.contracts.conversion.Analysis` of its own
    ``kind`` with a finite, non-negative ``(frames, bins)`` envelope (power, bins
    0 Hz..Nyquist), an ``f0`` of one finite value per frame (when it has one),
    ``length`` = the wave's samples; deterministic. On speech,
    ``synthesize(analyze(y))`` is a finite float32 wave of that length whose log-mel
    spectrum is within :data:`ROUNDTRIP_DB` dB of ``y``'s; on a note, the ``f0``
    finds the note and the round trip's magnitude spectrogram is within
    ``max_error`` (relative RMS error) of ``y``'s.
conditioner, matcher
    the same kind, frames, bins and length as the content, finite non-negative
    power, the inputs untouched, deterministic. On speech (a WORLD analysis, or the
    first kind the backend accepts): a conditioner moving a clip toward itself
    changes its envelope by less than :data:`SELF_DB` dB. On a melody, noise and a
    chord as content (a ``pitched-stft`` analysis unless told): the synthesised
    wave is finite.
vocoder
    a finite float32 wave of ``analysis.length`` samples from an accepted analysis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from audiostyle.testing.common import fail

ROUNDTRIP_DB = 6.0  # mean |log-mel difference| allowed for synthesize(analyze(y)) on speech
SELF_DB = 1.0  # mean |change| of the envelope a conditioner may make toward itself
RATE = 16_000  # Hz, of every signal here
SAMPLE_RATE = RATE
NOTE_HZ = 220.0


# -- signals ------------------------------------------------------------------------------
def _clips(rate: int = RATE) -> tuple[np.ndarray, np.ndarray]:
    from audiostyle.audio import load
    from audiostyle.data import demo_clip

    c = load(demo_clip("content"), sample_rate=rate, offset=0.5, duration=1.5)
    s = load(demo_clip("style"), sample_rate=rate, offset=0.5, duration=1.5)
    return c, s


def harmonic_note(
    f0: float, seconds: float, *, sample_rate: int = RATE, tilt: float = 1.0, seed: int = 0
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
    n = int(seconds * RATE)
    t = (np.arange(n) % (RATE // 4)) / RATE
    return (0.3 * np.exp(-t / 0.03) * rng.standard_normal(n)).astype(np.float32)


def _logmel(y: np.ndarray) -> np.ndarray:
    from audiostyle.conversion import voice_features as vf

    n_fft = 512
    frames = np.lib.stride_tricks.sliding_window_view(np.pad(y, n_fft // 2), n_fft)[::128]
    power = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2
    bands = vf.mel_bands(power.shape[1], sample_rate=RATE, n_bands=40)
    return 10 * np.log10(power @ bands.T + 1e-10)


# -- the rules every check shares -----------------------------------------------------------
def _check_analysis(
    a: Any,
    *,
    stage: str,
    name: str,
    kind: str | None,
    length: int | None = None,
    frames: int | None = None,
) -> None:
    """``a`` is an Analysis of ``kind``, ``length`` samples and ``frames`` frames, with a
    finite non-negative (frames, bins) envelope and a finite f0 per frame if any."""
    from audiostyle.contracts.conversion import Analysis

    if not isinstance(a, Analysis):
        raise fail(stage, name, f"gave {type(a).__name__}, not an Analysis.")
    if kind and a.kind != kind:
        raise fail(stage, name, f"kind {a.kind!r} is not the expected {kind!r}.")
    if length is not None and a.length != length:
        raise fail(stage, name, f"length {a.length} is not the wave's {length} samples.")
    env = np.asarray(a.envelope)
    if env.ndim != 2 or not np.isfinite(env).all() or (env < 0).any():
        raise fail(stage, name, "the envelope must be a finite non-negative (frames, bins) array.")
    if frames is not None and a.n_frames != frames:
        raise fail(stage, name, f"has {a.n_frames} frames, the content {frames}.")
    if a.f0 is not None and (a.f0.shape != (a.n_frames,) or not np.isfinite(a.f0).all()):
        raise fail(stage, name, "f0 must be finite, one value per frame.")


def _check_wave(stage: str, name: str, y: Any, length: int, what: str = "synthesize") -> None:
    y = np.asarray(y)
    if y.dtype != np.float32 or y.shape != (length,) or not np.isfinite(y).all():
        raise fail(stage, name, f"{what} gave {y.dtype} {y.shape}, not finite float32 ({length},).")


def _check_condition_or_match(
    backend, content, style, *, method: str, stage: str, name: str, seed=None, on: str = ""
):
    """Run ``backend.<method>`` on two analyses: kind, frames, bins and length kept,
    inputs untouched, deterministic. Returns the output. ``on`` names the content."""
    from audiostyle.contracts.conversion import ConversionContext

    def context():
        return ConversionContext(kind="speech") if seed is None else ConversionContext(seed=seed)

    where = f" on {on}" if on else ""
    before = (content.envelope.copy(), style.envelope.copy())
    out = getattr(backend, method)(content, style, context=context())
    _check_analysis(
        out,
        stage=stage,
        name=name,
        kind=content.kind,
        length=content.length,
        frames=content.n_frames,
    )
    if out.envelope.shape != content.envelope.shape:
        raise fail(stage, name, f"envelope {out.envelope.shape} is not the content's shape{where}.")
    kept = np.array_equal(before[0], content.envelope) and np.array_equal(before[1], style.envelope)
    if not kept:
        raise fail(stage, name, f"{method} modified its inputs{where}.")
    again = getattr(backend, method)(content, style, context=context())
    if not np.array_equal(again.envelope, out.envelope):
        raise fail(stage, name, f"{method} is not deterministic{where}.")
    return out


# -- on speech: what audiostyle.testing.check runs ------------------------------------------
def check_analysis(impl, cls, opts, *, device: str) -> list[str]:
    """See the module docstring."""
    stage, name = impl.stage, impl.name
    content, _ = _clips()
    backend = cls(opts, sample_rate=RATE)
    a = backend.analyze(content)
    _check_analysis(a, stage=stage, name=name, kind=backend.kind, length=content.shape[0])
    y = backend.synthesize(a)
    _check_wave(stage, name, y, content.shape[0])
    diff = float(np.abs(_logmel(np.asarray(y)) - _logmel(content)).mean())
    if diff > ROUNDTRIP_DB:
        raise fail(
            stage, name, f"synthesize(analyze(y)) is {diff:.1f} dB from y (> {ROUNDTRIP_DB})."
        )
    again = backend.analyze(content)
    if not np.array_equal(again.envelope, a.envelope):
        raise fail(stage, name, "analyze is not deterministic.")
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
    _check_condition_or_match(backend, c, s, method=method, stage=stage, name=name)
    passed = [f"{method} keeps kind, frames and length", "inputs untouched", "deterministic"]
    if method == "condition":
        self_out = backend.condition(c, c, context=ConversionContext(kind="speech"))
        ratio = np.abs(10 * np.log10((self_out.envelope + 1e-12) / (c.envelope + 1e-12)))
        change = float(ratio[c.envelope.sum(axis=1) > 0].mean())
        if change > SELF_DB:
            raise fail(stage, name, f"conditioning a clip toward itself moved it {change:.1f} dB.")
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
    _check_wave(stage, name, vocoder.synthesize(c), c.length)
    return ["synthesis of real speech"]


RUNNERS = {
    "analysis": check_analysis,
    "conditioner": check_conditioner,
    "matcher": check_matcher,
    "vocoder": check_vocoder,
}


# -- on pitched signals: check_conversion ---------------------------------------------------
def build(stage: str, name: str, options: dict | None = None, *, sample_rate: int = RATE):
    """The registered conversion stage ``name`` built with ``options``."""
    from audiostyle.plugins import create, get_backend

    opts = get_backend(stage, name).parse_options(options or {})
    if stage == "analysis":
        return create(stage, name, opts, sample_rate=sample_rate)
    return create(stage, name, opts)


def check_analysis_on_a_note(
    name: str, options: dict | None = None, *, max_error: float = 0.1
) -> list[str]:
    """The analysis contract on a harmonic note (see the module docstring)."""
    from audiostyle.contracts.conversion import AnalysisSynthesis
    from audiostyle.metrics.spectral import power_spectrogram

    stage = "analysis"
    an = build(stage, name, options)
    if not isinstance(an, AnalysisSynthesis):
        raise fail(stage, name, "must subclass AnalysisSynthesis.")
    y = harmonic_note(NOTE_HZ, 1.0)
    a = an.analyze(y.copy())
    _check_analysis(a, stage=stage, name=name, kind=an.kind, length=y.shape[0])
    passed = ["analysis shape"]
    if a.f0 is not None:
        v = a.f0[a.f0 > 0]
        if v.size < a.n_frames // 2 or abs(12 * np.log2(np.median(v) / NOTE_HZ)) > 0.5:
            median = np.median(v) if v.size else 0
            raise fail(stage, name, f"f0 misses the {NOTE_HZ:g} Hz note (median {median:.1f}).")
        passed.append("f0 finds the note")
    out = an.synthesize(a)
    _check_wave(stage, name, out, y.shape[0])
    ref = np.sqrt(power_spectrogram(y, n_fft=512))
    got = np.sqrt(power_spectrogram(out, n_fft=512))
    err = float(np.linalg.norm(got - ref) / np.linalg.norm(ref))
    if err > max_error:
        raise fail(stage, name, f"synthesize(analyze(y)) is {err:.3f} from y (bound {max_error}).")
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
    from audiostyle.contracts.conversion import Conditioner, Matcher

    an = build("analysis", analysis, analysis_options)
    impl = build(stage, name, options)
    base = Conditioner if stage == "conditioner" else Matcher
    if not isinstance(impl, base):
        raise fail(stage, name, f"must subclass {base.__name__}.")
    method = "condition" if stage == "conditioner" else "match"
    style = an.analyze(melody([196.0, 246.9, 293.7, 392.0], tilt=0.5))
    passed = []
    for what, wave in (
        ("melody", melody([220.0, 261.6, 329.6, 293.7], tilt=2.0)),
        ("noise", noise()),
        ("chord", chord()),
    ):
        content = an.analyze(wave)
        out = _check_condition_or_match(
            impl, content, style, method=method, stage=stage, name=name, seed=0, on=what
        )
        if not np.isfinite(an.synthesize(out)).all():
            raise fail(stage, name, f"gave a wave with NaN/Inf on {what}.")
        passed.append(f"{what}: shape, inputs kept, deterministic, finite")
    return passed


def check_conversion(stage: str, name: str, options: dict | None = None, **kw) -> list[str]:
    """Dispatch to :func:`check_analysis_on_a_note` or :func:`check_transform_stage`."""
    if stage == "analysis":
        return check_analysis_on_a_note(name, options, **kw)
    return check_transform_stage(stage, name, options, **kw)
