"""The public Python API: :func:`transfer` and :func:`texture`, returning a :class:`Result`.

Every choice of the command line is a keyword here (``--network-opt n_filters=64``
is ``network_options={"n_filters": 64}``, ``--loss style=2`` is
``losses={"style": 2}``, ``-o out.wav --force`` is ``output="out.wav", force=True``):
the API and the CLI call the same run (:func:`audiostyle.run_files.run_files`, which
checks the outputs, loads the inputs, runs and writes the audio, recipe and report),
so they write the same files.

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

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audiostyle.data import demo_clip as demo_clip  # re-exported: audiostyle.demo_clip

# What the API shows lives below the faces, in the run layer (the run on files, its
# output checks, progress, provenance) and the result model; re-exported here.
from audiostyle.outputs import check_outputs as check_outputs
from audiostyle.outputs import refuse_inputs as refuse_inputs
from audiostyle.progress import make_progress as make_progress
from audiostyle.provenance import versions as versions
from audiostyle.recipe import Recipe
from audiostyle.report.result import Result as Result

# resolve_recipe and its keywords live in the run layer (audiostyle.resolve); re-exported.
from audiostyle.resolve import OVERRIDES as OVERRIDES
from audiostyle.resolve import SCALAR_OVERRIDES as SCALAR_OVERRIDES
from audiostyle.resolve import STAGE_OVERRIDES as STAGE_OVERRIDES
from audiostyle.resolve import resolve_recipe as resolve_recipe
from audiostyle.run_files import MAX_TEXTURE_SECONDS as MAX_TEXTURE_SECONDS
from audiostyle.run_files import Audio, run_files

if TYPE_CHECKING:  # pragma: no cover
    from audiostyle.engine import StepReport


def _page_check(html: str | Path | None, force: bool) -> Callable[[], object] | None:
    """The check of the report page ``html=`` asks for (run before any audio is read)."""
    if html is None:
        return None
    from audiostyle.report import check_page

    return lambda: check_page(html, force=force)


def _result(outcome, *, html: str | Path | None, force: bool) -> Result:
    result = Result.of(outcome)
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
    outcome = run_files(
        content,
        style,
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
        html=html,
        check=_page_check(html, force),
        shared=shared,
        overrides={"sample_rate": sample_rate, **overrides},
    )
    return _result(outcome, html=html, force=force)


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
    outcome = run_files(
        None,
        style,
        length=duration,
        input_rate=input_rate,
        preset=preset,
        recipe=recipe,
        style_offset=style_offset,
        style_duration=style_duration,
        callback=callback,
        progress=progress,
        output=output,
        force=force,
        save_recipe=save_recipe,
        report=report,
        html=html,
        check=_page_check(html, force),
        overrides={"sample_rate": sample_rate, **overrides},
    )
    return _result(outcome, html=html, force=force)
