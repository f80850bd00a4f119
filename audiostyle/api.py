"""The public Python API: the CLI is a thin layer over these functions.

>>> import audiostyle
>>> result = audiostyle.transfer(audiostyle.demo_clip("content"),
...                              audiostyle.demo_clip("style"),
...                              duration=1.0, steps=2,
...                              network_options={"n_filters": 64},
...                              progress=False)
>>> result.sample_rate, result.audio.shape == (22050,)
(22050, True)
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from audiostyle.errors import ParameterError
from audiostyle.recipe import Recipe

Audio = Any  # str | Path | numpy array | torch tensor

# Keyword overrides accepted by resolve_recipe, transfer and texture.
STAGE_OVERRIDES = ("transform", "network", "optimizer", "phase")
SCALAR_OVERRIDES = (
    "steps",
    "seed",
    "sample_rate",
    "device",
    "domain",
    "init",
    "clamp",
    "noise_scale",
    "peak",
)


def resolve_recipe(
    preset: str | None = None, recipe: Recipe | str | Path | None = None, **overrides: Any
) -> Recipe:
    """Build the resolved recipe: preset <- recipe (object or TOML file) <- overrides.

    Overrides: a stage name (``transform="librosa"``), stage options
    (``network_options={"n_filters": 512}``), ``content_weight``, ``style_weight``,
    ``losses={"autocorrelation": {"weight": 1.0}}``, or any recipe setting (``steps``,
    ``seed``, ``sample_rate``, ``device``, ``domain``, ``init``, ``clamp``, ...).
    Values set to ``None`` are ignored.

    >>> r = resolve_recipe("ulyanov2016", steps=5, network_options={"n_filters": 64})
    >>> r.steps, r.network.options["n_filters"], r.network.options["kernel_size"]
    (5, 64, 11)
    """
    from audiostyle.presets import get_preset

    if isinstance(recipe, Recipe):
        base = recipe.copy()
        if preset is not None and preset != recipe.preset:
            raise ParameterError("give either a preset or a recipe object, not both.")
    elif recipe is not None:
        base = Recipe.load(recipe, base=get_preset(preset) if preset else None)
    else:
        base = get_preset(preset or "default")
    overrides = {k: v for k, v in overrides.items() if v is not None}
    for key in STAGE_OVERRIDES:
        name = overrides.pop(key, None)
        opts = overrides.pop(f"{key}_options", None)
        if name is not None or opts:
            base.set_stage(key, name, dict(opts or {}))
    for term in ("content", "style"):
        w = overrides.pop(f"{term}_weight", None)
        if w is not None:
            base.set_weight(term, w)
    losses = overrides.pop("losses", None)
    if losses:
        base.apply({"losses": losses}, source="losses")
    unknown = [k for k in overrides if k not in SCALAR_OVERRIDES]
    if unknown:
        from audiostyle.options import closest_hint

        valid = [
            *STAGE_OVERRIDES,
            *(f"{s}_options" for s in STAGE_OVERRIDES),
            "content_weight",
            "style_weight",
            "losses",
            *SCALAR_OVERRIDES,
        ]
        raise ParameterError(
            f"unknown setting {unknown[0]!r}.{closest_hint(unknown[0], valid)}"
            f" Settings: {', '.join(valid)}."
        )
    base.apply(overrides, source="settings")
    return base


def _as_array(
    audio: Audio,
    *,
    sample_rate: int | None,
    target_rate: int,
    role: str,
    offset: float,
    duration: float | None,
    info: list,
) -> np.ndarray:
    from audiostyle import audio as audio_io

    if isinstance(audio, str | Path):
        return audio_io.load(
            audio, sample_rate=target_rate, offset=offset, duration=duration, role=role, info=info
        )
    try:
        import torch

        if isinstance(audio, torch.Tensor):
            audio = audio.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    arr = np.asarray(audio, dtype=np.float32)
    if sample_rate is None:
        raise ParameterError(
            f"{role} is an array: give its rate with sample_rate= (or input_rate=), e.g. 22050."
        )
    if sample_rate <= 0:
        raise ParameterError(f"sample_rate={sample_rate} must be a positive rate in Hz.")
    if arr.ndim == 2:  # (channels, time) like torchaudio, or (time, channels)
        arr = arr.mean(axis=0 if arr.shape[0] < arr.shape[1] else 1)
    if arr.ndim != 1:
        raise ParameterError(
            f"{role} array must be (time,) or (channels, time); got shape {arr.shape}."
        )
    start = int(round(offset * sample_rate))
    stop = None if duration is None else start + int(round(duration * sample_rate))
    arr = arr[start:stop]
    if sample_rate != target_rate and arr.size:
        arr = audio_io.resample(arr, sample_rate, target_rate)
    return np.ascontiguousarray(arr, dtype=np.float32)


@dataclass
class Result:
    """The outcome of :func:`transfer` or :func:`texture`.

    Attributes
    ----------
    audio : ndarray [shape=(time,)], float32
    sample_rate : int
    recipe : Recipe
        The fully resolved recipe.
    timings : dict of str to float
        Seconds per stage (load, setup, analysis, optimize, phase, total ...).
    history : list of dict
        Per optimisation step: step, loss, evaluations and each loss term.
    """

    audio: np.ndarray
    sample_rate: int
    recipe: Recipe
    timings: dict[str, float]
    history: list[dict[str, float]]
    initial_losses: dict[str, float]
    final_losses: dict[str, float]
    steps_done: int
    evaluations: int
    stopped: str | None = None
    nonfinite_step: int | None = None
    peak_scale: float = 1.0
    device: str = "cpu"
    notes: list[str] = field(default_factory=list)
    content: np.ndarray | None = field(default=None, repr=False)
    style: np.ndarray | None = field(default=None, repr=False)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        """Length of the output in seconds."""
        return self.audio.shape[0] / self.sample_rate

    @property
    def partial(self) -> bool:
        """True if the optimisation was cut short (Ctrl-C or NaN/Inf)."""
        return self.stopped in ("interrupted", "non-finite")

    def save(self, path: str | Path, *, force: bool = False) -> Path:
        """Write the audio atomically (format by extension: wav, flac, ogg)."""
        from audiostyle import audio as audio_io

        return audio_io.save(path, self.audio, sample_rate=self.sample_rate, force=force)

    def report(self) -> dict[str, Any]:
        """Recipe, versions, device, timings, losses: everything to reproduce the run."""
        return {
            "recipe": self.recipe.to_dict(),
            "versions": versions(),
            "device": self.device,
            "sources": self.sources,
            "duration_seconds": self.duration,
            "sample_rate": self.sample_rate,
            "timings": self.timings,
            "steps_done": self.steps_done,
            "evaluations": self.evaluations,
            "stopped": self.stopped,
            "partial": self.partial,
            "nonfinite_step": self.nonfinite_step,
            "peak_scale": self.peak_scale,
            "initial_losses": self.initial_losses,
            "final_losses": self.final_losses,
            "notes": self.notes,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }

    def save_report(self, path: str | Path) -> None:
        """Write :meth:`report` as JSON (atomically)."""
        from audiostyle.atomic import atomic_write_text

        atomic_write_text(path, json.dumps(self.report(), indent=2, default=str) + "\n")


def versions() -> dict[str, str]:
    """Versions of Python, audiostyle and the main dependencies."""
    from importlib import metadata

    out = {"python": platform.python_version()}
    for dist in ("audiostyle", "torch", "torchaudio", "numpy", "librosa", "soundfile"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _run(
    *,
    content: Audio | None,
    style: Audio,
    length_seconds: float | None,
    input_rate: int | None,
    preset,
    recipe,
    offset: float,
    duration: float | None,
    style_offset: float,
    style_duration: float | None,
    callback,
    progress,
    overrides: dict[str, Any],
) -> Result:
    from audiostyle import engine

    resolved = resolve_recipe(preset, recipe, **overrides)
    sample_rate = input_rate or overrides.get("sample_rate")
    resolved.validate()  # names and options fail before any audio is read
    t = time.perf_counter()
    info: list = []
    rate = resolved.sample_rate
    style_arr = _as_array(
        style,
        sample_rate=sample_rate,
        target_rate=rate,
        role="style",
        offset=style_offset,
        duration=style_duration,
        info=info,
    )
    content_arr = None
    if content is not None:
        content_arr = _as_array(
            content,
            sample_rate=sample_rate,
            target_rate=rate,
            role="content",
            offset=offset,
            duration=duration,
            info=info,
        )
    load_time = time.perf_counter() - t
    notes = [f"{i.path}: {i.channels} channels mixed down to mono" for i in info if i.downmixed]
    notes += [
        f"{i.path}: resampled from {i.native_rate} Hz to {rate} Hz" for i in info if i.resampled
    ]
    length = None if length_seconds is None else int(round(length_seconds * rate))
    if progress == "auto":
        progress = _auto_progress()
    out = engine.run(
        resolved,
        style=style_arr,
        content=content_arr,
        length=length,
        callback=callback,
        progress=progress or None,
    )
    timings = {"load": load_time, **out.timings}
    timings["total"] = out.timings["total"] + load_time
    sources = {}
    if isinstance(style, str | Path):
        sources["style"] = str(style)
    if isinstance(content, str | Path):
        sources["content"] = str(content)
    return Result(
        audio=out.audio,
        sample_rate=out.sample_rate,
        recipe=resolved,
        timings=timings,
        history=out.history,
        initial_losses=out.initial_losses,
        final_losses=out.final_losses,
        steps_done=out.steps_done,
        evaluations=out.evaluations,
        stopped=out.stopped,
        nonfinite_step=out.nonfinite_step,
        peak_scale=out.peak_scale,
        device=out.device,
        notes=notes + out.notes,
        content=content_arr,
        style=style_arr,
        sources=sources,
    )


def _auto_progress():
    """A notebook/terminal progress bar when one can be drawn, else None."""
    try:
        from audiostyle.progress import auto_progress
    except ImportError:  # pragma: no cover
        return None
    return auto_progress()


def transfer(
    content: Audio,
    style: Audio,
    *,
    sample_rate: int | None = None,
    input_rate: int | None = None,
    preset: str | None = None,
    recipe: Recipe | str | Path | None = None,
    offset: float = 0.0,
    duration: float | None = None,
    style_offset: float = 0.0,
    style_duration: float | None = None,
    callback=None,
    progress: Any = "auto",
    **overrides: Any,
) -> Result:
    """Give ``content`` the style of ``style``.

    Parameters
    ----------
    content, style : str, Path, ndarray or Tensor
        Files (wav, flac, ogg, mp3) or mono arrays at ``sample_rate``.
    sample_rate : int, optional
        Processing and output rate in Hz (the recipe's ``sample_rate``); array inputs
        are taken to be at this rate unless ``input_rate`` says otherwise.
    input_rate : int, optional
        Rate of array inputs if it differs from ``sample_rate`` (they are resampled).
        Files carry their own rate.
    preset : str, optional
        Named recipe (``audiostyle presets`` lists them); default ``default``.
    recipe : Recipe or path to a TOML recipe, optional
    offset, duration : float
        Segment of the content to use, in seconds.
    style_offset, style_duration : float
        Segment of the style to use, in seconds.
    callback : callable(StepReport) -> bool, optional
        Called after every optimisation step; return ``True`` to stop early.
    progress : "auto", False or a Progress
        "auto" draws a progress bar in notebooks and terminals.
    **overrides
        Any setting of :func:`resolve_recipe`.

    Returns
    -------
    Result
    """
    return _run(
        content=content,
        style=style,
        length_seconds=None,
        input_rate=input_rate,
        preset=preset,
        recipe=recipe,
        offset=offset,
        duration=duration,
        style_offset=style_offset,
        style_duration=style_duration,
        callback=callback,
        progress=progress,
        overrides={"sample_rate": sample_rate, **overrides},
    )


def texture(
    style: Audio,
    *,
    duration: float,
    sample_rate: int | None = None,
    input_rate: int | None = None,
    preset: str | None = None,
    recipe: Recipe | str | Path | None = None,
    style_offset: float = 0.0,
    style_duration: float | None = None,
    callback=None,
    progress: Any = "auto",
    **overrides: Any,
) -> Result:
    """Grow a texture of ``duration`` seconds from ``style`` (no content).

    The content weight is ignored (no content) and the start is noise unless the
    recipe says otherwise. Other parameters as :func:`transfer`.
    """
    if duration is None or duration <= 0:
        raise ParameterError(f"duration={duration} must be > 0 seconds.")
    return _run(
        content=None,
        style=style,
        length_seconds=duration,
        input_rate=input_rate,
        preset=preset,
        recipe=recipe,
        offset=0.0,
        duration=None,
        style_offset=style_offset,
        style_duration=style_duration,
        callback=callback,
        progress=progress,
        overrides={"sample_rate": sample_rate, **overrides},
    )


def demo_clip(which: str) -> Path:
    """Path of a clip shipped with the package: ``"content"`` or ``"style"``."""
    from audiostyle.data import DEMO_CLIPS

    if which not in DEMO_CLIPS:
        raise ParameterError(f"demo clip {which!r} is not one of {', '.join(DEMO_CLIPS)}.")
    return DEMO_CLIPS[which]
