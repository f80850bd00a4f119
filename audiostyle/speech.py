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

The detector always runs on the CPU with one thread (a 2 MB model, loaded once per
process in ~0.06 s; then ~10-15 ms per 10 s of audio), on at most the first
``max_seconds`` of the clip, at 8 or 16 kHz (other rates are resampled to 16 kHz).
Only the model's LSTM cell carries state from chunk to chunk, so everything else runs
on all the chunks at once (:func:`_probabilities`; the same numbers as stepping the
model chunk by chunk, :func:`_stepwise`, to ~1e-6: ``benchmarks/speech.py``).
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from audiostyle.errors import DependencyError
from audiostyle.memo import ClipCache

if TYPE_CHECKING:  # pragma: no cover
    import torch

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
    before = torch.get_num_threads()
    # One thread for all of it: the recurrence is ~30 tiny steps per second of audio
    # (chunks must go in order) and the rest small batched ops, far too small to share;
    # with more threads OpenMP spin-waits between them, and a busy machine made a 3 s
    # clip take 15-28 s instead of 0.2 s (and the mask below up to 25 ms instead of 1).
    torch.set_num_threads(DETECTOR_THREADS)
    try:
        x = torch.from_numpy(np.ascontiguousarray(y[: n * chunk].reshape(n, chunk)))
        if not bool(x.abs().max() > 0):
            return math.nan
        active = active_frames(x.double().T ** 2).numpy()  # pauses (40 dB down) do not count
        with torch.inference_mode():
            probs = _probabilities(model, x, rate).double().numpy()
    finally:
        torch.set_num_threads(before)
    return float(probs[active].mean())


def _probabilities(model: Any, x: torch.Tensor, rate: int) -> torch.Tensor:
    """The speech probability of each chunk, the chunks in order from a fresh state.

    Parameters
    ----------
    model : silero-vad's model (:func:`_model`)
    x : Tensor [shape=(n, chunk)], float32
        Consecutive chunks of :data:`_CHUNK` ``[rate]`` samples.
    rate : int
        8000 or 16000.

    Returns
    -------
    Tensor [shape=(n,)]

    Only the LSTM cell carries state from one chunk to the next. What comes before it
    (an STFT and convolutions) sees one chunk with the end of the one before (its
    context), and what comes after it (a 1x1 convolution and a sigmoid) one step: those
    run on all the chunks as one batch, the recurrence as one LSTM call. The same
    numbers as :func:`_stepwise` to float rounding (~1e-6), ~10x faster
    (``benchmarks/speech.py``). A silero-vad whose model is built otherwise is stepped
    chunk by chunk.
    """
    import torch

    net = getattr(model, "_model" if rate == 16000 else "_model_8k", None)
    try:
        context, extract, encoder = net.context_size_samples, net.run_extractors, net.encoder
        cell, head = net.decoder.rnn, net.decoder.decoder
        weights = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    except AttributeError:
        return _stepwise(model, x, rate)
    n = x.shape[0]
    start = torch.zeros(1, context, dtype=x.dtype)  # the model's context before chunk 0
    frames = torch.cat([torch.cat([start, x[:-1, -context:]]), x], dim=1)
    # Each call runs once per clip: the TorchScript executor's profiling and optimising
    # pass on a first call (~0.1 s) costs more than it could save.
    with torch.jit.optimized_execution(False):
        features = encoder(extract(frames))  # (n, hidden, 1): one step per chunk
        zero = torch.zeros(1, 1, cell.weight_hh.shape[1], dtype=features.dtype)
        # args: input (steps, batch 1, hidden), (h0, c0), weights, has_biases, layers,
        # dropout, train, bidirectional, batch_first
        h, _, _ = torch.lstm(
            features.reshape(n, 1, -1), (zero, zero), weights, True, 1, 0.0, False, False, False
        )
        out = head(h.reshape(n, -1, 1))  # (n, 1, 1)
    return out.squeeze(1).mean(1)  # as the model's forward: the mean over its one step


def _stepwise(model: Any, x: torch.Tensor, rate: int) -> torch.Tensor:
    """:func:`_probabilities` the way silero-vad's own loop computes them, chunk by chunk."""
    import torch

    model.reset_states()
    return torch.tensor([float(model(x[i], rate)) for i in range(x.shape[0])])


def is_speech(p: float) -> bool:
    """Whether a :func:`speech_probability` counts as speech (NaN does not)."""
    return bool(p >= THRESHOLD)
