"""One run on files or arrays: what every face calls.

:func:`run_files` is the run as the faces see it (``audiostyle.transfer`` and
``texture``, the CLI's ``transfer``/``texture``/``demo``, a bench cell, a batch row):
resolve and validate the recipe, check every output before any work
(:mod:`audiostyle.outputs`), load the inputs (:func:`load_input`: files or arrays,
mono, resampled), run it (:func:`audiostyle.run.run`), then write the outputs
atomically with the report that makes it reproducible (:class:`~audiostyle.outcome.Outcome`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from audiostyle.errors import ParameterError
from audiostyle.outcome import Outcome
from audiostyle.outputs import check_outputs
from audiostyle.recipe import Recipe
from audiostyle.resolve import resolve_recipe

Audio = Any  # str | Path | numpy array | torch tensor

MAX_TEXTURE_SECONDS = 600.0  # a texture is one piece (not segmented): ~1.2 MB per second


def check_texture_duration(duration: float) -> None:
    """A texture's length: a finite number of seconds in (0, MAX_TEXTURE_SECONDS]."""
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        raise ParameterError(f"texture duration={duration!r} must be a number of seconds > 0.")
    if not math.isfinite(duration) or duration <= 0:
        raise ParameterError(
            f"texture duration={duration} must be a finite number of seconds > 0; e.g. 5."
        )
    if duration > MAX_TEXTURE_SECONDS:
        raise ParameterError(
            f"texture duration={duration:g} s is longer than {MAX_TEXTURE_SECONDS:g} s: a "
            "texture is grown in one piece (not segmented), so its memory grows with its "
            "length (~4 GB at 3600 s); grow several shorter textures (different --seed) "
            "and join them."
        )


def load_input(
    audio: Audio,
    *,
    sample_rate: int | None,
    target_rate: int,
    role: str,
    offset: float,
    duration: float | None,
    info: list,
) -> np.ndarray:
    """``audio`` (a file, or an array at ``sample_rate``) as mono float32 at ``target_rate``.

    A file's excerpt (``offset``, ``duration`` in seconds) is read by
    :func:`audiostyle.audio.load`, which appends an :class:`~audiostyle.audio.AudioInfo`
    to ``info``; an array (numpy or torch, ``(time,)`` or ``(channels, time)``) is cut,
    mixed down and resampled here.
    """
    from audiostyle import audio as audio_io

    if isinstance(audio, str | Path):
        return audio_io.load(
            audio, sample_rate=target_rate, offset=offset, duration=duration, role=role, info=info
        )
    if hasattr(audio, "detach") and hasattr(audio, "cpu"):  # a torch tensor
        audio = audio.detach().cpu().float().numpy()
    try:
        arr = np.asarray(audio, dtype=np.float32)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{role} must be a file path or an array of samples; got {type(audio).__name__}."
        ) from None
    if sample_rate is None:
        raise ParameterError(
            f"{role} is an array: give its rate with sample_rate= (or input_rate=), e.g. 22050."
        )
    if sample_rate <= 0:
        raise ParameterError(f"sample_rate={sample_rate} must be a positive rate in Hz.")
    audio_io.check_excerpt(offset, duration, role=role)
    if arr.ndim == 2:  # (channels, time) like torchaudio, or (time, channels)
        arr = arr.mean(axis=0 if arr.shape[0] < arr.shape[1] else 1)
    if arr.ndim != 1:
        raise ParameterError(
            f"{role} array must be (time,) or (channels, time); got shape {arr.shape}."
        )
    start = int(round(offset * sample_rate))
    stop = None if duration is None else start + int(round(duration * sample_rate))
    arr = arr[start:stop]
    if arr.size == 0:
        raise ParameterError(
            f"{role} array has no samples{' after offset ' + str(offset) + ' s' if offset else ''}."
        )
    if sample_rate != target_rate:
        arr = audio_io.resample(arr, sample_rate, target_rate)
    return np.ascontiguousarray(arr, dtype=np.float32)


def run_files(
    content: Audio | None,
    style: Audio,
    *,
    length: float | None = None,
    input_rate: int | None = None,
    preset: str | None = None,
    recipe: Recipe | str | Path | None = None,
    offset: float = 0.0,
    duration: float | None = None,
    style_offset: float = 0.0,
    style_duration: float | None = None,
    callback: Callable[[Any], bool | None] | None = None,
    progress: Any = None,
    output: str | Path | None = None,
    force: bool = False,
    save_recipe: str | Path | None = None,
    report: str | Path | None = None,
    html: str | Path | None = None,
    check: Callable[[], object] | None = None,
    shared: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Outcome:
    """Run ``preset``/``recipe`` with ``overrides`` on ``content`` in the style of ``style``.

    Parameters
    ----------
    content, style : str, Path, ndarray or Tensor
        Files or arrays (at ``input_rate``, else the ``sample_rate`` override);
        ``content=None`` grows a texture of ``length`` seconds.
    length : float, optional
        A texture's length in seconds (checked by :func:`check_texture_duration`).
    offset, duration, style_offset, style_duration : float
        The excerpts of the content and the style to use, in seconds.
    callback, progress
        Called after every optimisation step (return ``True`` to stop); the progress
        display (:func:`audiostyle.progress.make_progress`; None: none).
    output, force, save_recipe, report
        The audio, the resolved recipe (TOML) and the report (JSON) to write,
        checked before any work (:func:`~audiostyle.outputs.check_outputs`) and
        written together (:meth:`Outcome.write_outputs`).
    html : str or Path, optional
        A page the caller writes afterwards: checked here never to be an input or
        another output.
    check : callable, optional
        The caller's own check of what it writes afterwards (the API's and CLI's
        page), called once the recipe and outputs are checked, before any audio is read.
    shared : dict, optional
        As :func:`audiostyle.run.run`: built stages kept between calls.
    overrides : dict, optional
        Keyword settings of :func:`~audiostyle.resolve.resolve_recipe`.
    """
    from audiostyle.audio import check_excerpt, check_signal
    from audiostyle.progress import make_progress
    from audiostyle.run import run

    overrides = dict(overrides or {})
    if content is None:
        check_texture_duration(length)
    check_excerpt(style_offset, style_duration, role="style")
    check_excerpt(offset, duration, role="content")
    # Names and options fail before any audio is read; the result carries every
    # option with its validated, typed value (defaults included).
    resolved = resolve_recipe(preset, recipe, **overrides).resolved()
    built = resolved.validate()
    inputs = {
        role: path
        for role, path in (("content", content), ("style", style), ("recipe", recipe))
        if isinstance(path, str | Path)
    }
    check_outputs(
        output, force=force, save_recipe=save_recipe, report=report, html=html, inputs=inputs
    )
    if check is not None:
        check()
    if callback is not None and not callable(callback):
        raise ParameterError(f"callback={callback!r} is not callable; give a function(StepReport).")
    bar = make_progress(progress)
    array_rate = input_rate or overrides.get("sample_rate")
    t = time.perf_counter()
    info: list = []
    rate = resolved.sample_rate
    excerpts = (
        ("style", style, style_offset, style_duration),
        ("content", content, offset, duration),
    )
    arrays = {
        role: load_input(
            audio,
            sample_rate=array_rate,
            target_rate=rate,
            role=role,
            offset=start,
            duration=seconds,
            info=info,
        )
        for role, audio, start, seconds in excerpts  # the style first
        if audio is not None
    }
    style_arr, content_arr = arrays["style"], arrays.get("content")
    load_time = time.perf_counter() - t
    notes = [f"{i.path}: {i.channels} channels mixed down to mono" for i in info if i.downmixed]
    notes += [
        f"{i.path}: resampled from {i.native_rate} Hz to {rate} Hz" for i in info if i.resampled
    ]
    if (
        array_rate is not None
        and array_rate != rate
        and not all(isinstance(a, str | Path) for a in (content, style) if a is not None)
    ):
        notes.append(f"arrays resampled from {array_rate} Hz to {rate} Hz")
    for role, arr, src in (("style", style_arr, style), ("content", content_arr, content)):
        if arr is not None:  # a clear error naming the file, before the expensive work
            src = str(src) if isinstance(src, str | Path) else None
            check_signal(
                arr, role=role, source=src, n_fft=built["transform"].n_fft, sample_rate=rate
            )
    samples = None if length is None else int(round(length * rate))
    try:
        ran = run(
            resolved,
            style=style_arr,
            content=content_arr,
            length=samples,
            callback=callback,
            progress=bar,
            shared=shared,
            overrides=overrides,
        )
    finally:
        if bar is not None and bar is not progress and hasattr(bar, "close"):
            bar.close()
    out = ran.output
    before = {"load": load_time, **ran.timings}
    timings = {**before, **out.timings}
    timings["total"] = out.timings["total"] + sum(before.values())
    sources = {role: str(inputs[role]) for role in ("style", "content") if role in inputs}
    outcome = Outcome(
        output=out,
        recipe=ran.recipe,
        timings=timings,
        notes=notes + ran.notes + out.notes,
        content=content_arr,
        style=style_arr,
        sources=sources,
    )
    outcome.write_outputs(output, force=force, save_recipe=save_recipe, report=report)
    return outcome
