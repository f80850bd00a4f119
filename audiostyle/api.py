"""The public Python API: the CLI is a thin layer over these functions.

Every choice of the command line is a keyword here (``--network-opt n_filters=64``
is ``network_options={"n_filters": 64}``, ``--loss style=2`` is
``losses={"style": 2}``, ``-o out.wav --force`` is ``output="out.wav", force=True``),
and the checks, the writing of outputs, recipes and reports happen here too.

>>> import audiostyle
>>> result = audiostyle.transfer(
...     audiostyle.demo_clip("content"), audiostyle.demo_clip("style"),
...     duration=1.0, sample_rate=8000, steps=2,
...     transform_options={"n_fft": 256}, network_options={"n_filters": 64},
...     progress=False)
>>> result.audio.shape, result.sample_rate, len(result.history)
((8000,), 8000, 2)
>>> sorted(result.final_losses)
['content', 'style', 'total']
>>> result.recipe.network.options["n_filters"], result.recipe.preset  # default routed 2 voices
(64, 'voice')
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audiostyle.data import demo_clip as demo_clip  # re-exported: audiostyle.demo_clip
from audiostyle.errors import DependencyError, ParameterError
from audiostyle.provenance import TIMING_ORDER
from audiostyle.provenance import versions as versions  # re-exported
from audiostyle.recipe import Recipe

# resolve_recipe and its keywords live in the run layer (audiostyle.resolve); re-exported.
from audiostyle.resolve import OVERRIDES as OVERRIDES
from audiostyle.resolve import SCALAR_OVERRIDES as SCALAR_OVERRIDES
from audiostyle.resolve import STAGE_OVERRIDES as STAGE_OVERRIDES
from audiostyle.resolve import resolve_recipe as resolve_recipe

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from audiostyle.engine import StepReport

Audio = Any  # str | Path | numpy array | torch tensor


def refuse_inputs(
    outputs: dict[str, str | Path | None], inputs: dict[str, str | Path | None]
) -> None:
    """Raise :class:`ParameterError` if an output is the same file as an input.

    Same file means the same path once resolved, or (when both exist) the same file
    by :func:`os.path.samefile`: a symlink or a hard link to an input is that input.
    ``--force`` allows replacing an old output, never an input.

    >>> refuse_inputs({"output": "./a.wav"}, {"content": "a.wav"})
    Traceback (most recent call last):
    ...
    audiostyle.errors.ParameterError: output 'a.wav' is the content file 'a.wav'; ...
    """
    import os

    for what, out in outputs.items():
        if out is None:
            continue
        for role, source in inputs.items():
            if source is None:
                continue
            same = os.path.realpath(out) == os.path.realpath(source)
            if not same and os.path.exists(out) and os.path.exists(source):
                try:
                    same = os.path.samefile(out, source)
                except OSError:
                    same = False
            if same:
                raise ParameterError(
                    f"{what} {os.path.normpath(out)!r} is the {role} file "
                    f"{os.path.normpath(source)!r}; an output never replaces an input (not "
                    "even with --force): choose another name."
                )


def check_outputs(
    output: str | Path | None = None,
    *,
    force: bool = False,
    save_recipe: str | Path | None = None,
    report: str | Path | None = None,
    html: str | Path | None = None,
    inputs: dict[str, str | Path] | None = None,
) -> Path | None:
    """Check, before any work, that every output can be written.

    ``output`` is the audio file (.wav, .flac, .ogg); ``save_recipe`` a TOML recipe,
    ``report`` a JSON report and ``html`` a report page. None of them may exist unless
    ``force``, their directories must exist, no two may be the same file, and none
    may be one of ``inputs`` (role -> path, e.g. ``{"content": "a.wav"}``), whatever
    ``force`` says. Returns ``output`` as a Path (or None).

    >>> check_outputs("no/such/dir/out.wav")
    Traceback (most recent call last):
    ...
    audiostyle.errors.AudioError: output directory 'no/such/dir' does not exist; ...
    """
    from audiostyle.audio import check_output, check_writable

    refuse_inputs(
        {"output": output, "save_recipe": save_recipe, "report": report, "html": html},
        inputs or {},
    )
    out = None if output is None else check_output(output, force=force)
    seen = {out.resolve(): "the audio output"} if out is not None else {}
    for what, extra in (("save_recipe", save_recipe), ("report", report)):
        if extra is None:
            continue
        extra = Path(extra)
        if extra.resolve() in seen:
            raise ParameterError(
                f"{what}={str(extra)!r} is also {seen[extra.resolve()]}; choose another name."
            )
        seen[extra.resolve()] = f"the {what} file"
        parent = extra.parent if str(extra.parent) else Path(".")
        if not parent.is_dir():
            raise ParameterError(f"directory {str(parent)!r} of {str(extra)!r} does not exist.")
        if extra.is_dir():
            raise ParameterError(f"{what}={str(extra)!r} is a directory; give a file name.")
        if extra.exists() and not force:
            raise ParameterError(f"{str(extra)!r} already exists; pass --force to overwrite it.")
        check_writable(extra, force=force, what=what)
    return out


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


@dataclass(repr=False, eq=False)
class Result:
    """The outcome of :func:`transfer` or :func:`texture`.

    In a notebook it shows itself as an audio player with its losses, timings and
    recipe; :meth:`plot` draws its spectrograms and loss curves; :meth:`save` writes
    the audio atomically.

    Attributes
    ----------
    audio : ndarray [shape=(time,)], float32
    sample_rate : int
    recipe : Recipe
        The fully resolved recipe.
    timings : dict of str to float
        Seconds per stage (load, setup, analysis, init, optimize, phase, total).
    history : list of dict
        Per optimisation step: step, loss, evaluations and each loss term.
    initial_losses, final_losses : dict of str to float
        Each loss term and the ``total`` before the first and after the last step.
    steps_done, evaluations : int
        Steps run and objective evaluations.
    stopped : str or None
        Why the optimisation ended early: ``callback``, ``interrupted``, ``non-finite``.
    content, style : ndarray, optional
        The inputs as used (mono, at ``sample_rate``; ``content`` is None for a texture).
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
    content: np.ndarray | None = None
    style: np.ndarray | None = None
    sources: dict[str, str] = field(default_factory=dict)
    segments: int = 1

    @property
    def duration(self) -> float:
        """Length of the output in seconds."""
        return self.audio.shape[0] / self.sample_rate

    @property
    def partial(self) -> bool:
        """True if the optimisation was cut short (Ctrl-C or NaN/Inf)."""
        return self.stopped in ("interrupted", "non-finite")

    def __repr__(self) -> str:
        loss = ""
        if "total" in self.final_losses:
            loss = (
                f", loss {self.initial_losses.get('total', float('nan')):.4g}"
                f" -> {self.final_losses['total']:.4g}"
            )
        stopped = f", stopped: {self.stopped}" if self.stopped else ""
        return (
            f"<Result {self.duration:.2f} s at {self.sample_rate} Hz, preset "
            f"{self.recipe.preset or '(none)'}, steps {self.steps_done}/{self.recipe.steps}"
            f"{stopped}{loss}, {self.timings.get('total', 0.0):.2f} s on {self.device}>"
        )

    # -- arrays ---------------------------------------------------------------------------
    def to_numpy(self) -> np.ndarray:
        """A copy of the output samples, float32, shape (time,)."""
        return self.audio.copy()

    def to_torch(self):
        """The output samples as a float32 torch tensor, shape (time,)."""
        import torch

        return torch.from_numpy(self.audio.copy())

    # -- files ----------------------------------------------------------------------------
    def save(self, path: str | Path, *, force: bool = False) -> Path:
        """Write the audio atomically (format by extension: wav, flac, ogg).

        Refuses to overwrite an existing file unless ``force``.
        """
        from audiostyle import audio as audio_io

        return audio_io.save(path, self.audio, sample_rate=self.sample_rate, force=force)

    def save_recipe(self, path: str | Path) -> Path:
        """Write the resolved recipe as TOML (atomically); ``recipe=path`` reruns it."""
        self.recipe.save(path)
        return Path(path)

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
            "segments": self.segments,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }

    def save_report(self, path: str | Path) -> Path:
        """Write :meth:`report` as JSON (atomically)."""
        from audiostyle.atomic import atomic_write_text

        atomic_write_text(path, json.dumps(self.report(), indent=2, default=str) + "\n")
        return Path(path)

    def write_outputs(
        self,
        output: str | Path | None = None,
        *,
        force: bool = False,
        save_recipe: str | Path | None = None,
        report: str | Path | None = None,
    ) -> None:
        """Write the audio, the recipe (TOML) and the report (JSON): what the CLI's
        ``-o``, ``--save-recipe`` and ``--report`` do. Each given path is checked first
        (see :func:`check_outputs`), so nothing is written if one of them cannot be.
        They are written together (:class:`audiostyle.atomic.AtomicGroup`): after a
        failure or Ctrl-C either all of them are new or none is."""
        from audiostyle.atomic import AtomicGroup
        from audiostyle.audio import write_to

        check_outputs(
            output, force=force, save_recipe=save_recipe, report=report, inputs=self.sources
        )
        group = AtomicGroup()
        if output is not None:
            ext = Path(output).suffix
            group.add(
                output, lambda tmp: write_to(tmp, self.audio, sample_rate=self.sample_rate, ext=ext)
            )
        if save_recipe is not None:
            toml = self.recipe.to_toml()
            group.add(save_recipe, lambda tmp: tmp.write_text(toml, encoding="utf-8"))
        if report is not None:
            text = json.dumps(self.report(), indent=2, default=str) + "\n"
            group.add(report, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        group.commit()

    # -- pictures and notebooks -----------------------------------------------------------
    def plot(self, path: str | Path | None = None, **kwargs: Any) -> Figure:
        """Spectrograms of content / style / output (one colour scale, seconds and Hz)
        and the loss curves; saved as PNG if ``path`` is given. Returns the Figure.

        Keyword arguments go to :func:`audiostyle.plotting.plot_result` (``n_fft``,
        ``dynamic_range``, ``figsize``, ``dpi``, ``force``).
        """
        from audiostyle.plotting import plot_result

        return plot_result(self, path, **kwargs)

    def to_html(
        self,
        path: str | Path | None = None,
        *,
        audio_format: str = "ogg",
        inputs: bool = False,
        force: bool = False,
        metrics: Any = "auto",
        embed: bool = False,
        title: str | None = None,
    ) -> Any:
        """HTML: an audio player (embedded ``data:`` URI), a table of losses and
        timings, notes and the recipe (collapsed).

        ``audio_format`` is ``ogg`` (Vorbis, smallest), ``flac`` (plays in every
        browser) or ``wav``; ``inputs=True`` adds players for the content and style.

        With ``path`` (``.html``) it writes the full report page instead and returns
        its Path (see :mod:`audiostyle.report`): players and spectrograms of the
        content, style and output on one colour scale, the loss curves, the recipe,
        a metric table (``metrics``: ``"auto"`` = the metrics needing no extra,
        a list of names, or None), the versions; audio and pictures in
        ``PAGE_files/`` beside it (or inside it with ``embed=True``). ``force``
        replaces an existing report.
        """
        if path is not None:
            from audiostyle.report import write
            from audiostyle.report.build import from_result

            refuse_inputs({"html": path}, self.sources)

            report = from_result(self, title=title, metrics=metrics)
            return write(report, path, audio_format=audio_format, force=force, embed=embed)
        from audiostyle.plotting import audio_html

        e = html.escape
        head = (
            f"<b>audiostyle result</b>: {self.duration:.2f} s at {self.sample_rate} Hz, "
            f"preset <code>{e(str(self.recipe.preset))}</code>, "
            f"{self.steps_done}/{self.recipe.steps} steps, {self.evaluations} evaluations "
            f"on {e(self.device)}"
            + (f", <b>stopped: {e(self.stopped)}</b>" if self.stopped else "")
        )
        clips = [("output", self.audio)]
        if inputs:
            clips += [(n, getattr(self, n)) for n in ("content", "style")]
        players = "".join(
            '<div style="display:flex;align-items:center;gap:0.5em">'
            f"{name} {audio_html(clip, self.sample_rate, format=audio_format)}</div>"
            for name, clip in clips
            if clip is not None
        )
        num = '<td style="text-align:right">'
        rows = "".join(
            f"<tr><td>{e(k)}</td>{num}{_fmt(self.initial_losses.get(k))}</td>"
            f"{num}{_fmt(self.final_losses.get(k))}</td></tr>"
            for k in self.final_losses
        )
        losses = (
            "<table><thead><tr><th>loss</th><th>before</th><th>after</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
        timing = ", ".join(
            f"{k} {self.timings[k]:.2f} s" for k in TIMING_ORDER if k in self.timings
        )
        notes = "".join(f"<li>{e(n)}</li>" for n in self.notes)
        return (
            '<div class="audiostyle-result">'
            f"<div>{head}</div>"
            + players
            + losses
            + f"<div>time: {timing}</div>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "<details><summary>recipe</summary>"
            f"<pre>{e(self.recipe.to_toml())}</pre></details></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def make_progress(progress: Any):
    """The Progress a ``progress=`` argument asks for.

    ``"auto"``: a bar in notebooks and terminals (:func:`audiostyle.progress.auto_progress`);
    ``True``: always a tqdm bar; ``False`` or ``None``: none; anything with ``start``,
    ``update`` and ``finish`` (an :class:`audiostyle.engine.Progress`) is used as is.
    """
    if progress is None or progress is False:
        return None
    if isinstance(progress, str):
        if progress != "auto":
            raise ParameterError(f"progress={progress!r}: use 'auto', True, False or a Progress.")
        from audiostyle.progress import auto_progress

        return auto_progress()
    if progress is True:
        from audiostyle.progress import TqdmProgress, tqdm_available

        if not tqdm_available():
            raise DependencyError(
                "progress=True needs tqdm: pip install 'audiostyle[notebook]' "
                "(or pass progress=False)."
            )
        return TqdmProgress()
    if all(callable(getattr(progress, m, None)) for m in ("start", "update", "finish")):
        return progress
    raise ParameterError(
        f"progress={progress!r} is not 'auto', True, False or an object with "
        "start/update/finish methods (audiostyle.engine.Progress)."
    )


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
    output,
    force: bool,
    save_recipe,
    report,
    overrides: dict[str, Any],
    html=None,
    shared: dict[str, Any] | None = None,
) -> Result:
    from audiostyle.audio import check_excerpt, check_signal

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
    if html is not None:
        from audiostyle.report import check_page

        check_page(html, force=force)
    if callback is not None and not callable(callback):
        raise ParameterError(f"callback={callback!r} is not callable; give a function(StepReport).")
    bar = make_progress(progress)
    array_rate = input_rate or overrides.get("sample_rate")
    t = time.perf_counter()
    info: list = []
    rate = resolved.sample_rate
    style_arr = _as_array(
        style,
        sample_rate=array_rate,
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
            sample_rate=array_rate,
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
    length = None if length_seconds is None else int(round(length_seconds * rate))
    from audiostyle.run import run

    try:
        ran = run(
            resolved,
            style=style_arr,
            content=content_arr,
            length=length,
            callback=callback,
            progress=bar,
            shared=shared,
            overrides=overrides,
        )
    finally:
        if bar is not None and bar is not progress and hasattr(bar, "close"):
            bar.close()
    out, resolved = ran.output, ran.recipe
    notes += ran.notes
    before = {"load": load_time, **ran.timings}
    timings = {**before, **out.timings}
    timings["total"] = out.timings["total"] + sum(before.values())
    sources = {}
    if isinstance(style, str | Path):
        sources["style"] = str(style)
    if isinstance(content, str | Path):
        sources["content"] = str(content)
    result = Result(
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
        segments=out.segments,
    )
    result.write_outputs(output, force=force, save_recipe=save_recipe, report=report)
    if html is not None:
        result.to_html(html, force=force)
    return result


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
    callback: Callable[[StepReport], bool | None] | None = None,
    progress: Any = "auto",
    output: str | Path | None = None,
    force: bool = False,
    save_recipe: str | Path | None = None,
    report: str | Path | None = None,
    html: str | Path | None = None,
    shared: dict[str, Any] | None = None,
    **overrides: Any,
) -> Result:
    """Give ``content`` the style of ``style``.

    Parameters
    ----------
    content, style : str, Path, ndarray or Tensor
        Files (wav, flac, ogg, mp3) or arrays, shape (time,) or (channels, time)
        (mixed down to mono), at ``input_rate`` or else ``sample_rate``.
    sample_rate : int, optional
        Processing and output rate in Hz (the recipe's ``sample_rate``); array inputs
        are taken to be at this rate unless ``input_rate`` says otherwise.
    input_rate : int, optional
        Rate of array inputs if it differs from ``sample_rate`` (they are resampled).
        Files carry their own rate.
    preset : str, optional
        Named recipe (``audiostyle presets`` lists them); default ``default``.
    recipe : Recipe or path to a TOML recipe, optional
        As written by ``save_recipe=`` / ``--save-recipe``.
    offset, duration : float
        Segment of the content to use, in seconds.
    style_offset, style_duration : float
        Segment of the style to use, in seconds.
    callback : callable(StepReport) -> bool, optional
        Called after every optimisation step with an
        :class:`audiostyle.engine.StepReport` (step, steps, loss, losses,
        evaluations, elapsed); return ``True`` to stop early.
    progress : "auto", True, False or a Progress
        "auto" draws a progress bar in notebooks and terminals (see
        :func:`make_progress`).
    output : str or Path, optional
        Also write the audio there (.wav, .flac, .ogg), atomically; checked before
        any work, like ``save_recipe`` and ``report``.
    force : bool
        Overwrite existing outputs.
    save_recipe : str or Path, optional
        Write the fully resolved recipe as TOML.
    report : str or Path, optional
        Write a JSON report (recipe, versions, device, timings, losses).
    html : str or Path, optional
        Write an HTML report page (see :meth:`Result.to_html`), checked before any
        work like ``output``.
    shared : dict, optional
        Built stages and the style's targets, kept between calls: pass the same dict
        to calls with the same recipe and style (a batch worker does) and they are
        built once. The output is the same as without it.
    **overrides
        Any setting of :func:`resolve_recipe`: ``transform``, ``network``,
        ``optimizer``, ``phase``, ``<stage>_options``, ``content_weight``,
        ``style_weight``, ``losses``, ``steps``, ``seed``, ``device``, ``domain``,
        ``init``, ``clamp``, ``noise_scale``, ``peak``.

    Returns
    -------
    Result

    Examples
    --------
    Arrays (numpy or torch) need their rate; a callback can stop the run early:

    >>> import numpy as np
    >>> sr = 8000
    >>> t = np.arange(sr) / sr
    >>> tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    >>> hiss = (0.1 * np.random.default_rng(0).standard_normal(sr)).astype(np.float32)
    >>> tiny = dict(transform_options={"n_fft": 256}, network_options={"n_filters": 32})
    >>> r = transfer(tone, hiss, sample_rate=sr, steps=50, progress=False,
    ...              callback=lambda step: step.step >= 3, **tiny)
    >>> r.steps_done, len(r.history), r.stopped
    (3, 3, 'callback')
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
        output=output,
        force=force,
        save_recipe=save_recipe,
        report=report,
        overrides={"sample_rate": sample_rate, **overrides},
        html=html,
        shared=shared,
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
    callback: Callable[[StepReport], bool | None] | None = None,
    progress: Any = "auto",
    output: str | Path | None = None,
    force: bool = False,
    save_recipe: str | Path | None = None,
    report: str | Path | None = None,
    html: str | Path | None = None,
    **overrides: Any,
) -> Result:
    """Grow a texture of ``duration`` seconds from ``style`` (no content).

    The content loss is left out (there is no content) and the start is noise
    unless the recipe says otherwise. Other parameters as :func:`transfer`.

    >>> r = texture(demo_clip("style"), duration=0.5, style_duration=1.0, sample_rate=8000,
    ...             steps=2, transform_options={"n_fft": 256}, network_options={"n_filters": 32},
    ...             phase_options={"init": "random"}, progress=False)
    >>> r.audio.shape, r.content is None, "content" in r.final_losses
    ((4000,), True, False)
    """
    _check_texture_duration(duration)
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
        output=output,
        force=force,
        save_recipe=save_recipe,
        report=report,
        overrides={"sample_rate": sample_rate, **overrides},
        html=html,
    )


MAX_TEXTURE_SECONDS = 600.0  # a texture is one piece (not segmented): ~1.2 MB per second


def _check_texture_duration(duration: float) -> None:
    """A texture's length: a finite number of seconds in (0, MAX_TEXTURE_SECONDS]."""
    import math

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
