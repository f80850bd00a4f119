"""Pitch agreement: does the output keep the content's melody (or intonation)?

Both clips are resampled to 16 kHz and tracked by torchcrepe's bundled ``tiny`` model
(its weights ship inside the PyPI package: nothing is downloaded) every ``hop_ms``
(default 20 ms) with Viterbi decoding. A content frame is *voiced* when crepe's periodicity (its
confidence that the frame has a pitch) is at least ``voicing_threshold`` (default
0.5) and the frame is no more than ``-silence_db`` dB (default 45) below the
content's loudest frame. The score is the fraction of voiced content frames where
the output's pitch is within ``tolerance_cents`` (default 50 cents, a quarter tone)
of the content's. An octave error is 1200 cents away: it counts as wrong. The
output's own voicing is not consulted: an output without a pitch there gets crepe's
best guess, which rarely agrees. Content frames past the end of a shorter output
count as wrong. A content with no voiced frame (noise, silence) scores NaN: pitch
agreement does not apply to it.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from audiostyle.contracts.metric import Metric
from audiostyle.errors import DependencyError, ParameterError
from audiostyle.memo import ClipCache
from audiostyle.metrics.options import PitchOptions

PITCH_SAMPLE_RATE = 16_000  # crepe's rate
CREPE_WINDOW = 1024  # samples crepe sees per frame (64 ms)
_CENTS_OF_BIN_0 = 1997.3794084376191  # torchcrepe.convert: bin 0 in cents above 10 Hz
_CONTENT_TRACKS = ClipCache(size=16)  # bench scores many outputs per content


def _torchcrepe():
    try:
        import torchcrepe
    except ImportError as exc:
        raise DependencyError(
            f"the pitch metric needs torchcrepe ({exc}); install it with "
            "pip install 'audiostyle[eval]'."
        ) from None
    return torchcrepe


def _viterbi_no_dither(logits):
    """torchcrepe's Viterbi decoding without its random dither: the same clip always
    gives the same track (the dither draws from numpy's global generator)."""
    torchcrepe = _torchcrepe()
    bins, _ = torchcrepe.decode.viterbi(logits)
    cents = torchcrepe.CENTS_PER_BIN * bins + _CENTS_OF_BIN_0
    return bins, torchcrepe.convert.cents_to_frequency(cents)


def pitch_track(
    y: np.ndarray,
    *,
    sample_rate: int,
    model: str = "tiny",
    fmin: float = 50.0,
    fmax: float = 1500.0,
    hop_ms: float = 20.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pitch, periodicity and loudness of ``y`` every ``hop_ms`` (torchcrepe, offline).

    Parameters
    ----------
    y : ndarray [shape=(time,)]
        Mono audio at ``sample_rate``.
    sample_rate : int
    model : {"tiny", "full"}
        torchcrepe model; the weights ship in the torchcrepe package.
    fmin, fmax : float
        Search range in Hz.
    hop_ms : float
        Frame hop in milliseconds.

    Returns
    -------
    f0 : ndarray [shape=(frames,)]
        Pitch in Hz (Viterbi-decoded; defined on every frame).
    periodicity : ndarray [shape=(frames,)]
        Crepe's confidence in [0, 1].
    loudness_db : ndarray [shape=(frames,)]
        Frame RMS in dB (64 ms frames centred like crepe's).
    """
    torchcrepe = _torchcrepe()
    import torch

    from audiostyle.audio import resample

    hop = int(round(hop_ms * PITCH_SAMPLE_RATE / 1000))
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    if sample_rate != PITCH_SAMPLE_RATE:
        y = resample(y, sample_rate, PITCH_SAMPLE_RATE)
    audio = torch.from_numpy(np.ascontiguousarray(y))[None]
    with torch.inference_mode():
        f0, periodicity = torchcrepe.predict(
            audio,
            PITCH_SAMPLE_RATE,
            hop_length=hop,
            fmin=fmin,
            fmax=fmax,
            model=model,
            decoder=_viterbi_no_dither,
            return_periodicity=True,
            batch_size=512,
            device="cpu",
            pad=True,
        )
    f0 = f0[0].double().numpy()
    periodicity = periodicity[0].double().numpy()
    padded = np.pad(y.astype(np.float64), (CREPE_WINDOW // 2, CREPE_WINDOW // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, CREPE_WINDOW)[::hop]
    frames = frames[: f0.shape[0]]
    rms = np.sqrt((frames**2).mean(axis=1))
    loudness = 20 * np.log10(np.maximum(rms, 1e-10))
    if loudness.shape[0] < f0.shape[0]:  # pragma: no cover - crepe pads the same way
        loudness = np.pad(loudness, (0, f0.shape[0] - loudness.shape[0]), constant_values=-200)
    return f0, periodicity, loudness


def agreement(
    f0_output: np.ndarray, f0_content: np.ndarray, voiced: np.ndarray, *, tolerance_cents: float
) -> float:
    """Fraction of ``voiced`` content frames whose output pitch is within the tolerance.

    >>> c = np.array([220.0, 220.0, 440.0, 100.0])
    >>> o = np.array([221.0, 440.0, 440.0])  # 8 cents, an octave up, exact; then too short
    >>> agreement(o, c, np.array([True, True, True, True]), tolerance_cents=50)
    0.5
    """
    n_voiced = int(voiced.sum())
    if n_voiced == 0:
        return math.nan
    common = min(f0_output.shape[0], f0_content.shape[0])
    cents = 1200 * np.abs(np.log2(f0_output[:common] / f0_content[:common]))
    hits = (cents <= tolerance_cents) & voiced[:common]
    return float(hits.sum() / n_voiced)


class PitchAgreement(Metric):
    """Fraction of the content's voiced frames where the output has the same pitch."""

    requires: ClassVar[tuple[str, ...]] = ("content",)
    higher_is_better: ClassVar[bool] = True
    extra: ClassVar[str | None] = "eval"

    def __init__(self, options: PitchOptions | None = None) -> None:
        super().__init__(options if options is not None else PitchOptions())
        _torchcrepe()  # fail early, with the install hint, if it is missing

    def _track(self, y: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        o = self.options
        return pitch_track(
            y, sample_rate=sample_rate, model=o.model, fmin=o.fmin, fmax=o.fmax, hop_ms=o.hop_ms
        )

    def content_pitch(
        self, content: np.ndarray, *, sample_rate: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The content's pitch and voicing mask.

        Cached per process, keyed by the clip's bytes, the rate and the options: a bench
        scores many outputs of one content, each with a new metric instance.
        """
        content = np.ascontiguousarray(content, dtype=np.float32)

        def track() -> tuple[np.ndarray, np.ndarray]:
            f0, periodicity, loudness = self._track(content, sample_rate)
            o = self.options
            loud = loudness >= loudness.max() + o.silence_db
            return f0, (periodicity >= o.voicing_threshold) & loud

        return _CONTENT_TRACKS.get(content, f"{sample_rate}|{self.options!r}", track)

    def __call__(
        self,
        output: np.ndarray,
        *,
        sample_rate: int,
        content: np.ndarray | None = None,
        style: np.ndarray | None = None,
        target: np.ndarray | None = None,
        text: str | None = None,
    ) -> float:
        """Pitch agreement of ``output`` with ``content``, in [0, 1] (NaN if unvoiced)."""
        if content is None:
            raise ParameterError("the pitch metric needs the content clip to compare with.")
        for role, y in (("output", output), ("content", content)):
            y = np.asarray(y)
            if y.ndim != 1 or y.size == 0:
                raise ParameterError(f"{role} must be mono with samples; got shape {y.shape}.")
            if not np.isfinite(y).all():
                raise ParameterError(f"{role} contains NaN or Inf samples; cannot track pitch.")
        f0_content, voiced = self.content_pitch(content, sample_rate=sample_rate)
        f0_output, _, _ = self._track(output, sample_rate)
        return agreement(
            f0_output, f0_content, voiced, tolerance_cents=self.options.tolerance_cents
        )
