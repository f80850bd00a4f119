"""Long contents in overlapping segments, cross-faded, so memory stays bounded.

A content longer than ``recipe.segment`` seconds is cut into segments of equal
length (at most ``segment`` seconds) that overlap by ``recipe.segment_overlap``
seconds (at most a quarter of a segment). Each segment is one
:func:`audiostyle.engine.run`; the stages and the style's targets (its feature
maps and Gram matrices) are built once and shared by every segment. The outputs
are joined with raised-cosine cross-fades whose gains sum to one, and the peak
limit is applied once to the joined result, so the level does not jump between
segments.

Memory is that of one segment (plus the input and output samples), and time grows
linearly with the duration.

Ctrl-C: the optimizer stops the segment it is in and keeps its best state so far;
the later segments are then not optimised (their output is the reconstruction of
the content itself) so the result is complete, playable and marked partial. A
second Ctrl-C aborts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from audiostyle.errors import ParameterError


def plan(n_samples: int, *, segment: int, overlap: int) -> list[tuple[int, int]]:
    """Equal, overlapping ``(start, stop)`` sample ranges covering ``n_samples``.

    Parameters
    ----------
    n_samples : int
        Length of the content.
    segment : int
        Longest segment, in samples (0: one segment).
    overlap : int
        Samples shared by neighbouring segments (``< segment / 2``).

    Returns
    -------
    list of (int, int)
        Consecutive ranges; range ``i + 1`` starts ``overlap`` samples before range
        ``i`` stops. One range ``(0, n_samples)`` if no split is needed.

    Examples
    --------
    >>> plan(100, segment=40, overlap=10)
    [(0, 40), (30, 70), (60, 100)]
    >>> plan(30, segment=40, overlap=10)
    [(0, 30)]
    """
    if segment <= 0 or n_samples <= segment:
        return [(0, n_samples)]
    if not 0 <= overlap < segment / 2:
        raise ParameterError(
            f"segment overlap of {overlap} samples must be in [0, segment / 2 = {segment / 2})."
        )
    count = math.ceil((n_samples - overlap) / (segment - overlap))
    hop = (n_samples - overlap) / count
    bounds = [int(round(i * hop)) for i in range(count + 1)]
    return [(bounds[i], bounds[i + 1] + overlap) for i in range(count)]


def fade_in(n: int) -> np.ndarray:
    """Raised-cosine gain rising from 0 to 1 over ``n`` samples (``fade_in + fade_out = 1``)."""
    if n <= 0:
        return np.zeros(0, dtype=np.float32)
    t = (np.arange(n, dtype=np.float64) + 0.5) / n
    return (0.5 - 0.5 * np.cos(np.pi * t)).astype(np.float32)


def join(pieces: list[np.ndarray], spans: list[tuple[int, int]], length: int) -> np.ndarray:
    """Overlap-add ``pieces`` at ``spans`` with complementary cross-fades.

    Parameters
    ----------
    pieces : list of ndarray [shape=(stop - start,)]
    spans : list of (start, stop)
        As returned by :func:`plan`.
    length : int
        Samples in the result.

    Returns
    -------
    ndarray [shape=(length,)], float32
        Where two pieces overlap their gains sum to one: joining copies of the same
        signal returns that signal.
    """
    out = np.zeros(length, dtype=np.float32)
    for i, (piece, (start, stop)) in enumerate(zip(pieces, spans, strict=True)):
        if piece.shape[0] != stop - start:
            raise ValueError(f"piece {i} has {piece.shape[0]} samples, its span {stop - start}")
        gain = np.ones(stop - start, dtype=np.float32)
        if i > 0:
            n = spans[i - 1][1] - start
            gain[:n] *= fade_in(n)
        if i + 1 < len(spans):
            n = stop - spans[i + 1][0]
            gain[gain.shape[0] - n :] *= fade_in(n)[::-1]
        out[start:stop] += piece * gain
    return out


class _SegmentProgress:
    """Shows the segments of a run as one bar per stage (step counts add up)."""

    def __init__(self, inner: Any, *, n_segments: int, steps: int) -> None:
        self.inner = inner
        self.n = n_segments
        self.steps = steps
        self.offset: dict[str, int] = {}
        self.size: dict[str, int] = {}
        self.started: set[str] = set()
        self.segment = 0

    def start(self, stage: str, total: int) -> None:
        self.size[stage] = total
        if stage not in self.started:
            self.started.add(stage)
            self.offset[stage] = 0
            full = self.steps if stage == "optimize" else total
            self.inner.start(stage, full * self.n)

    def update(self, stage: str, done: int, info: dict) -> None:
        self.inner.update(stage, self.offset.get(stage, 0) + done, info)

    def finish(self, stage: str) -> None:
        self.offset[stage] = self.offset.get(stage, 0) + self.size.get(stage, 0)
        self.inner.update(stage, self.offset[stage], {})
        if self.segment == self.n - 1:
            self.inner.finish(stage)


def run(
    recipe,
    *,
    style: np.ndarray,
    content: np.ndarray | None = None,
    length: int | None = None,
    callback: Callable[..., bool | None] | None = None,
    progress: Any = None,
    shared: dict[str, Any] | None = None,
):
    """:func:`audiostyle.engine.run`, in segments when the content is long.

    ``shared`` is the engine's (stages and style targets built once): given, it is
    used by every segment and kept for the caller's next run with the same recipe
    and style; otherwise the segments of this run share a fresh one.

    Same parameters and result as :func:`audiostyle.engine.run`. A texture
    (``content=None``), ``recipe.segment == 0`` or a content no longer than
    ``recipe.segment`` seconds runs in one piece. Otherwise the result's losses are
    the length-weighted means over segments, ``steps_done`` and ``evaluations`` are
    totals, ``segments`` the number of segments, and ``history`` rows carry a
    ``segment`` index.
    """
    from audiostyle import engine
    from audiostyle.plan import Plan

    run_plan = Plan.of(recipe)  # validated once: every segment runs this plan
    recipe = run_plan.recipe
    sr = recipe.sample_rate
    seg = int(round(recipe.segment * sr))
    if content is None or seg <= 0 or np.asarray(content).shape[0] <= seg:
        return engine.run(
            run_plan,
            style=style,
            content=content,
            length=length,
            callback=callback,
            progress=progress,
            shared=shared,
        )
    n_fft = run_plan.built["transform"].n_fft
    if seg < 4 * n_fft:
        raise ParameterError(
            f"segment={recipe.segment} s is {seg} samples, too short for n_fft={n_fft}; "
            f"use segment={math.ceil(8 * n_fft / sr * 10) / 10:g} or more (or 0: no segments).",
            option="segment",
        )
    content = np.asarray(content, dtype=np.float32)
    overlap = min(int(round(recipe.segment_overlap * sr)), seg // 4)  # at most 1/4 segment
    spans = plan(content.shape[0], segment=seg, overlap=overlap)
    return _run_segments(
        run_plan,
        style=style,
        content=content,
        spans=spans,
        overlap=overlap,
        callback=callback,
        progress=progress,
        shared={} if shared is None else shared,
    )


def _run_segments(run_plan, *, style, content, spans, overlap, callback, progress, shared):
    from audiostyle import engine

    recipe = run_plan.recipe
    t0 = time.perf_counter()
    n = len(spans)
    bar = None if progress is None else _SegmentProgress(progress, n_segments=n, steps=recipe.steps)
    idle = run_plan.but(steps=0)
    outputs = []
    stopped: str | None = None
    stopped_in: int | None = None
    for i, (start, stop) in enumerate(spans):
        if bar is not None:
            bar.segment = i
        piece = content[start:stop]
        kwargs = dict(style=style, content=piece, progress=bar, shared=shared)
        if stopped in ("interrupted", "callback"):
            # Stopped: the rest is not optimised (a second Ctrl-C propagates and aborts).
            out = engine.run(idle, **kwargs)
        else:
            try:
                out = engine.run(run_plan, callback=callback, **kwargs)
            except KeyboardInterrupt:
                # Ctrl-C outside the optimizer (analysis, reconstruction): this segment
                # and the later ones are not optimised.
                stopped, stopped_in = "interrupted", i
                out = engine.run(idle, **kwargs)
            else:
                if out.stopped in ("interrupted", "callback"):
                    stopped, stopped_in = out.stopped, i
        out.magnitude = None  # one segment's worth of memory at a time
        outputs.append(out)

    pieces = [o.audio / o.peak_scale for o in outputs]  # undo each segment's peak limit
    audio = join(pieces, spans, content.shape[0])
    notes = [
        f"the content ({content.shape[0] / recipe.sample_rate:.1f} s) was processed in {n} "
        f"segments of {(spans[0][1] - spans[0][0]) / recipe.sample_rate:.1f} s, "
        f"cross-faded over {overlap / recipe.sample_rate:.2f} s; "
        f"{recipe.steps} steps per segment"
    ]
    if stopped is not None and stopped_in is not None and stopped_in + 1 < n:
        notes.append(
            f"stopped ({stopped}) in segment {stopped_in + 1} of {n}: segments "
            f"{stopped_in + 2}-{n} were not optimised (they are the content as it was)"
        )
    for i, o in enumerate(outputs):
        for note in o.notes:
            if note.startswith("output peak"):
                continue  # per-segment peak limits were undone; see below
            notes.append(f"segment {i + 1}: {note}")
    nonfinite = [(i, o.nonfinite_step) for i, o in enumerate(outputs) if o.nonfinite_step]
    if stopped is None and nonfinite:
        stopped = "non-finite"
    if not np.isfinite(audio).all():  # pragma: no cover - every piece is finite already
        audio = np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0)
    audio, scale, note = engine.limit_peak(audio, recipe.peak)
    if note:
        notes.append(note)
    weights = np.array([stop - start for start, stop in spans], dtype=np.float64)
    weights /= weights.sum()

    def mean_losses(key: str) -> dict[str, float]:
        names = {k for o in outputs for k in getattr(o, key)}
        return {
            k: float(
                sum(w * getattr(o, key).get(k, 0.0) for w, o in zip(weights, outputs, strict=True))
            )
            for k in sorted(names)
        }

    timings: dict[str, float] = {}
    for o in outputs:
        for k, v in o.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    timings["total"] = time.perf_counter() - t0
    history = [{"segment": i, **row} for i, o in enumerate(outputs) for row in o.history]
    result = engine.EngineOutput(
        audio=audio.astype(np.float32),
        sample_rate=recipe.sample_rate,
        recipe=recipe,
        timings=timings,
        history=history,
        initial_losses=mean_losses("initial_losses"),
        final_losses=mean_losses("final_losses"),
        steps_done=sum(o.steps_done for o in outputs),
        evaluations=sum(o.evaluations for o in outputs),
        stopped=stopped,
        nonfinite_step=nonfinite[0][1] if nonfinite else None,
        peak_scale=scale,
        device=outputs[0].device,
        magnitude=None,
        notes=notes,
        segments=n,
    )
    return result
