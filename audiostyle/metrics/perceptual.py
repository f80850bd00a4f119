"""Perceptual metrics with pretrained models from the ``eval`` extra (offline, CPU).

- ``speaker-similarity``: resemblyzer's speaker embedding (GE2E, 16 kHz); cosine of
  the output's embedding to the style's, the content's and the target's.
- ``wer``: word error rate of pocketsphinx's transcript of the output (bundled
  US-English model, 16 kHz) against the content's transcript and the known text.
- ``dnsmos``: Microsoft's DNSMOS P.835 (speechmos, ONNX, 16 kHz): predicted overall,
  signal and background quality on a 1-5 scale, and the P.808 MOS.

Every model needs 16 kHz: clips are resampled (soxr) before scoring. Models load
once per process (the first call pays for it); embeddings and transcripts of the
same clip are cached, so the content's transcript is decoded once per bench run.
A missing package raises :class:`~audiostyle.errors.DependencyError` naming
``pip install 'audiostyle[eval]'``.
"""

from __future__ import annotations

import functools
import re
import warnings

import numpy as np

from audiostyle.contracts.metric import Metric
from audiostyle.errors import DependencyError, ParameterError
from audiostyle.memo import ClipCache
from audiostyle.metrics.options import (
    DNSMOSOptions,
    SpeakerSimilarityOptions,
    WordErrorRateOptions,
)

MODEL_RATE = 16_000  # Hz: what resemblyzer, pocketsphinx's en-us model and DNSMOS take
EVAL_FIX = "pip install 'audiostyle[eval]'"
MIN_VOICED_SECONDS = 0.5  # below this much speech after trimming, embed the whole clip
_CACHE_SIZE = 64


def _need(metric: str, packages: str, exc: BaseException) -> DependencyError:
    first = str(exc).splitlines()[0] if str(exc) else ""
    return DependencyError(
        f"metric {metric!r} needs {packages} ({type(exc).__name__}: {first}); {EVAL_FIX}."
    )


def to_model_rate(y: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono float32 at 16 kHz, clipped to [-1, 1] (what the models accept)."""
    from audiostyle.audio import resample

    y = np.asarray(y, dtype=np.float32).reshape(-1)
    if y.size == 0:
        raise ParameterError("a clip to score has no samples.")
    if not np.isfinite(y).all():
        raise ParameterError("a clip to score contains NaN or Inf samples.")
    if sample_rate != MODEL_RATE:
        y = resample(y, sample_rate, MODEL_RATE)
    return np.clip(y, -1.0, 1.0).astype(np.float32, copy=False)


_embeddings = ClipCache(size=_CACHE_SIZE)
_transcripts = ClipCache(size=_CACHE_SIZE)


# -- speaker similarity (resemblyzer) ---------------------------------------------------
@functools.lru_cache(maxsize=1)
def voice_encoder():
    """resemblyzer's pretrained VoiceEncoder on the CPU (loaded once per process)."""
    try:
        from resemblyzer import VoiceEncoder
    except Exception as exc:  # noqa: BLE001 - a broken install raises anything
        raise _need("speaker-similarity", "resemblyzer and webrtcvad", exc) from exc
    return VoiceEncoder(device="cpu", verbose=False)


def speaker_embedding(y: np.ndarray, sample_rate: int, *, trim_silence: bool = True) -> np.ndarray:
    """resemblyzer's L2-normalised speaker embedding of a clip.

    Returns
    -------
    ndarray [shape=(256,)], float32
    """
    y16 = to_model_rate(y, sample_rate)

    def compute() -> np.ndarray:
        encoder = voice_encoder()
        from resemblyzer import audio as rz_audio

        wav = rz_audio.normalize_volume(y16, -30, increase_only=True)
        if trim_silence:
            trimmed = rz_audio.trim_long_silences(wav)
            if trimmed.shape[0] >= MIN_VOICED_SECONDS * MODEL_RATE:
                wav = trimmed
        return np.asarray(encoder.embed_utterance(wav.astype(np.float32)), dtype=np.float32)

    return _embeddings.get(y16, f"rz-trim={trim_silence}", compute)


class SpeakerSimilarity(Metric):
    """Cosine similarity of speaker embeddings (resemblyzer): higher = same voice.

    ``to_style`` is how much the output sounds like the style's speaker,
    ``to_content`` how much it still sounds like the content's, ``to_target`` like
    the true answer. Two excerpts of one LibriSpeech reader score about 0.9, two
    readers about 0.6.
    """

    requires = ("style",)
    higher_is_better = True
    extra = "eval"

    def __init__(self, options: SpeakerSimilarityOptions | None = None) -> None:
        super().__init__(options or SpeakerSimilarityOptions())

    def __call__(  # noqa: D102
        self, output, *, sample_rate, content=None, style=None, target=None, text=None
    ):
        trim = self.options.trim_silence
        mine = speaker_embedding(output, sample_rate, trim_silence=trim)
        out = {}
        for key, ref in (("to_style", style), ("to_content", content), ("to_target", target)):
            if ref is not None:
                other = speaker_embedding(ref, sample_rate, trim_silence=trim)
                out[key] = float(np.dot(mine, other))
        return out


# -- word error rate (pocketsphinx) -------------------------------------------------------
@functools.lru_cache(maxsize=1)
def speech_decoder():
    """pocketsphinx's Decoder with its bundled US-English model (loaded once)."""
    try:
        from pocketsphinx import Decoder
    except Exception as exc:  # noqa: BLE001
        raise _need("wer", "pocketsphinx", exc) from exc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Decoder(samprate=MODEL_RATE, loglevel="FATAL")


def transcribe(y: np.ndarray, sample_rate: int, *, max_seconds: float | None = None) -> str:
    """pocketsphinx's best transcript of a clip (lower case, words separated by spaces)."""
    y16 = to_model_rate(y, sample_rate)
    if max_seconds is not None:
        y16 = y16[: int(max_seconds * MODEL_RATE)]

    def compute() -> str:
        decoder = speech_decoder()
        pcm = (y16 * 32767).astype(np.int16).tobytes()
        decoder.start_utt()
        decoder.process_raw(pcm, no_search=False, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        return normalize_text(hyp.hypstr) if hyp is not None else ""

    return _transcripts.get(y16, "pocketsphinx-en-us", compute)


def normalize_text(text: str) -> str:
    """Lower case, letters, digits and apostrophes only, single spaces.

    >>> normalize_text("Hello,  World! It's   <sil> 2 o'clock.")
    "hello world it's sil 2 o'clock"
    """
    words = re.findall(r"[a-z0-9']+", text.lower())
    return " ".join(w.strip("'") for w in words if w.strip("'"))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words in the reference.

    An empty reference gives the number of inserted words (0 when both are empty).

    >>> word_error_rate("the cat sat on the mat", "the cat sat on a mat")
    0.16666666666666666
    >>> word_error_rate("a b c", "a b c"), word_error_rate("a b", ""), word_error_rate("", "x")
    (0.0, 1.0, 1.0)
    """
    ref = normalize_text(reference).split()
    hyp = normalize_text(hypothesis).split()
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, start=1):
            current[j] = min(
                previous[j] + 1,  # deletion
                current[j - 1] + 1,  # insertion
                previous[j - 1] + (r != h),  # substitution or match
            )
        previous = current
    return previous[-1] / max(len(ref), 1)


class WordErrorRate(Metric):
    """Intelligibility: WER of the output's transcript (pocketsphinx, US English).

    ``vs_content`` compares with the transcript of the content itself (so a
    recogniser's own mistakes cancel out and the do-nothing baseline scores 0);
    ``vs_text`` with the known sentence when the case has one. Lower is better.
    """

    requires_any = ("content", "text")
    extra = "eval"

    def __init__(self, options: WordErrorRateOptions | None = None) -> None:
        super().__init__(options or WordErrorRateOptions())

    def __call__(  # noqa: D102
        self, output, *, sample_rate, content=None, style=None, target=None, text=None
    ):
        limit = self.options.max_seconds
        hyp = transcribe(output, sample_rate, max_seconds=limit)
        out = {}
        if content is not None:
            out["vs_content"] = word_error_rate(
                transcribe(content, sample_rate, max_seconds=limit), hyp
            )
        if text:
            out["vs_text"] = word_error_rate(text, hyp)
        return out


# -- DNSMOS (speechmos) ---------------------------------------------------------------
@functools.lru_cache(maxsize=2)
def _dnsmos_module():
    try:
        from speechmos import dnsmos
    except Exception as exc:  # noqa: BLE001
        raise _need("dnsmos", "speechmos and onnxruntime", exc) from exc
    return dnsmos


def dnsmos_scores(y: np.ndarray, sample_rate: int, *, personalized: bool = False) -> dict:
    """DNSMOS P.835 scores of a clip: ``ovrl``, ``sig``, ``bak`` and ``p808`` (1-5)."""
    y16 = to_model_rate(y, sample_rate)
    module = _dnsmos_module()  # speechmos keeps its ONNX sessions per process
    kind = "dnsmos_personalized" if personalized else "dnsmos"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = module.run(y16, MODEL_RATE, model_type=kind)
    return {
        "ovrl": float(raw["ovrl_mos"]),
        "sig": float(raw["sig_mos"]),
        "bak": float(raw["bak_mos"]),
        "p808": float(raw["p808_mos"]),
    }


class DNSMOS(Metric):
    """Predicted speech quality (DNSMOS P.835, 1-5; higher is better).

    ``ovrl`` overall, ``sig`` speech signal, ``bak`` background noise, ``p808`` the
    P.808 MOS. Rates the output alone (no reference); the baseline row gives the
    content's own score to read against.
    """

    higher_is_better = True
    extra = "eval"

    def __init__(self, options: DNSMOSOptions | None = None) -> None:
        super().__init__(options or DNSMOSOptions())

    def __call__(  # noqa: D102
        self, output, *, sample_rate, content=None, style=None, target=None, text=None
    ):
        return dnsmos_scores(output, sample_rate, personalized=self.options.personalized)
