"""The Result of :func:`audiostyle.transfer` and :func:`audiostyle.texture`.

A :class:`~audiostyle.outcome.Outcome` (the run's output, recipe, timings, notes,
inputs; it saves and reports itself) that shows itself: its ``repr``, the arrays as
numpy or torch, a plot, a player in a notebook and the report page
(:meth:`Result.to_html`). The API re-exports it as :class:`audiostyle.api.Result`.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audiostyle.outcome import Outcome
from audiostyle.outputs import refuse_inputs
from audiostyle.provenance import TIMING_ORDER

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


class Result(Outcome):
    """The outcome of :func:`~audiostyle.api.transfer` or :func:`~audiostyle.api.texture`.

    In a notebook it shows itself as an audio player with its losses, timings and
    recipe; :meth:`plot` draws its spectrograms and loss curves; :meth:`save` writes
    the audio atomically. Its attributes are an :class:`~audiostyle.outcome.Outcome`'s:
    ``output`` (the engine's output) and, read from it, ``audio`` (ndarray
    [shape=(time,)], float32), ``sample_rate``, ``history``, ``initial_losses``,
    ``final_losses``, ``steps_done``, ``evaluations``, ``stopped``, ``device``, ...;
    the run's ``recipe``, ``timings``, ``notes``, ``content``, ``style`` and
    ``sources``.
    """

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
