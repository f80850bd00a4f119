"""Is this clip speech? The mean speech probability of a trained voice activity detector.

``envelope="auto"`` (the ``default`` preset) colours a voice more strongly than an
instrument (:func:`audiostyle.envelope.auto_strength`); this module tells them apart.
It runs Silero VAD (the ``silero-vad`` package, MIT licence, whose weights ship inside
the wheel: nothing is downloaded) over chunks of 32 ms and averages its speech
probability over the *active* chunks (within 40 dB of the loudest), so pauses do not
count. Measured on 10 s clips (issue 14): LibriSpeech and espeak/festival speech
0.82-0.99; fluidsynth melodies, a string orchestra, a trumpet and a jazz vibraphone
0.001-0.17. The threshold is 0.5. Speech over music stays speech until the music
dominates (a voice with an orchestra under it at equal RMS: 0.75; the orchestra 5 dB
louder: 0.45).

The detector always runs on the CPU with one thread (a 2 MB model: ~0.2 s per 10 s of
audio, however busy the machine), on at
most the first ``max_seconds`` of the clip, at 8 or 16 kHz (other rates are resampled
to 16 kHz).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from audiostyle.errors import DependencyError
from audiostyle.memo import ClipCache

THRESHOLD = 0.5  # mean speech probability at or above which a clip is speech
MAX_SECONDS = 30.0  # the detector looks at most at this much of a clip
_CHUNK = {8000: 256, 16000: 512}  # Silero's chunk sizes (32 ms)
DETECTOR_THREADS = 1  # torch threads while the detector runs (see _probability)
# A batch runs many contents against one style: its probability is computed once.
_PROBABILITIES = ClipCache(size=16)


@functools.lru_cache(maxsize=1)
def _model():
    import warnings

    import torch

    threads = torch.get_num_threads()
    try:
        from silero_vad import load_silero_vad
    except ImportError as exc:
        raise DependencyError(
            "envelope='auto' tells speech from music with Silero VAD, which needs the "
            f"silero-vad package ({exc}). Install it with 'pip install silero-vad', or give "
            "the envelope strength as a number, e.g. --envelope 0.6."
        ) from None
    finally:
        # Importing silero_vad calls torch.set_num_threads(1) for the whole process:
        # the optimisation after it ran at half speed on two cores.
        torch.set_num_threads(threads)
    with warnings.catch_warnings():  # its loader's deprecation notices are not ours to show
        warnings.simplefilter("ignore", DeprecationWarning)
        return load_silero_vad()


def speech_probability(
    y: np.ndarray, *, sample_rate: int, max_seconds: float = MAX_SECONDS
) -> float:
    """Mean speech probability of ``y``'s active 32 ms chunks, in [0, 1].

    Parameters
    ----------
    y : ndarray [shape=(n,)]
        Mono audio.
    sample_rate : int
    max_seconds : float
        Only the first ``max_seconds`` are analysed.

    Returns
    -------
    float: NaN if ``y`` is shorter than one chunk (32 ms) or silent.

    Raises
    ------
    DependencyError
        If the ``silero-vad`` package is missing (the message names the fix).
    """
    _model()  # a missing detector is an error even when the answer is cached
    y = np.asarray(y, dtype=np.float32)[: int(max_seconds * sample_rate)]
    return _PROBABILITIES.get(y, str(sample_rate), lambda: _probability(y, sample_rate))


def _probability(y: np.ndarray, sample_rate: int) -> float:
    import torch

    from audiostyle.dsp import active_frames

    model = _model()
    rate = sample_rate
    if rate not in _CHUNK:
        from audiostyle.audio import resample

        y, rate = resample(y, rate, 16000), 16000
    chunk = _CHUNK[rate]
    n = len(y) // chunk
    if n == 0:
        return math.nan
    x = torch.from_numpy(np.ascontiguousarray(y[: n * chunk].reshape(n, chunk)))
    if not bool(x.abs().max() > 0):
        return math.nan
    active = active_frames(x.double().T ** 2).numpy()  # pauses (40 dB down) do not count
    probs = np.empty(n)
    before = torch.get_num_threads()
    # One thread: each 32 ms chunk is a tiny recurrent step (chunks must go in order),
    # far too small to share; with more threads OpenMP spin-waits between the ~100
    # steps per 3 s, and a busy machine made a 3 s clip take 15-28 s instead of 0.2 s.
    torch.set_num_threads(DETECTOR_THREADS)
    try:
        with torch.inference_mode():
            model.reset_states()
            for i in range(n):  # the model is recurrent: chunks in order
                probs[i] = float(model(x[i], rate))
    finally:
        torch.set_num_threads(before)
    return float(probs[active].mean())


def is_speech(p: float) -> bool:
    """Whether a :func:`speech_probability` counts as speech (NaN does not)."""
    return bool(p >= THRESHOLD)
