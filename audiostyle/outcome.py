"""What one run on files or arrays gives back: the engine's output and the run around it.

:class:`Outcome` holds the engine's output (:class:`audiostyle.engine.EngineOutput`,
as ``outcome.output``) and what the run added around it: the recipe as run, every
stage's time (loading included), every note, the inputs as used and where they came
from. The output's own values (``audio``, ``sample_rate``, ``history``, losses,
steps, ...) are read-only attributes that read the output, so each is held once.
It writes itself: the audio, the recipe and a report of everything needed to
reproduce it (:meth:`Outcome.write_outputs`). :func:`audiostyle.run_files.run_files`
makes one; :class:`audiostyle.api.Result` is one with a notebook view and a page.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from audiostyle.outputs import check_outputs
from audiostyle.provenance import versions
from audiostyle.recipe import Recipe


def _from_output(name: str) -> property:
    def read(self: Outcome) -> Any:
        return getattr(self.output, name)

    return property(read, doc=f"The engine output's ``{name}`` (read-only).")


#: The engine output's values an :class:`Outcome` shows as its own attributes.
OUTPUT_VALUES = (
    "audio",
    "sample_rate",
    "history",
    "initial_losses",
    "final_losses",
    "steps_done",
    "evaluations",
    "stopped",
    "nonfinite_step",
    "peak_scale",
    "device",
    "segments",
)


@dataclass(repr=False, eq=False)
class Outcome:
    """The outcome of one run: :func:`audiostyle.run_files.run_files`.

    Attributes
    ----------
    output : EngineOutput
        What the engine produced. Its values are attributes here too (read-only):
        ``audio`` (ndarray [shape=(time,)], float32), ``sample_rate``, ``history``
        (per optimisation step: step, loss, evaluations and each loss term),
        ``initial_losses`` and ``final_losses`` (each loss term and the ``total``
        before the first and after the last step), ``steps_done``, ``evaluations``,
        ``stopped`` (why the optimisation ended early: ``callback``, ``interrupted``,
        ``non-finite``), ``nonfinite_step``, ``peak_scale``, ``device``, ``segments``.
    recipe : Recipe
        The fully resolved recipe, as run (a route's preset when the recipe routes).
    timings : dict of str to float
        Seconds per stage (load, speech, convert, setup, analysis, init, optimize,
        phase, total), the run's and the engine's.
    notes : list of str
        What the run and the engine had to tell.
    content, style : ndarray, optional
        The inputs as used (mono, at ``sample_rate``; ``content`` is None for a texture).
    sources : dict of str to str
        The files the inputs were read from, by role.
    """

    output: Any  # audiostyle.engine.EngineOutput
    recipe: Recipe
    timings: dict[str, float]
    notes: list[str] = field(default_factory=list)
    content: np.ndarray | None = None
    style: np.ndarray | None = None
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, outcome: Outcome) -> Outcome:
        """The same run as an instance of ``cls`` (e.g. :class:`audiostyle.api.Result`)."""
        return cls(**{f.name: getattr(outcome, f.name) for f in fields(Outcome)})

    @property
    def duration(self) -> float:
        """Length of the output in seconds."""
        return self.audio.shape[0] / self.sample_rate

    @property
    def partial(self) -> bool:
        """True if the optimisation was cut short (Ctrl-C or NaN/Inf)."""
        return self.stopped in ("interrupted", "non-finite")

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
        (see :func:`~audiostyle.outputs.check_outputs`), so nothing is written if one of
        them cannot be. They are written together (:class:`audiostyle.atomic.AtomicGroup`):
        after a failure or Ctrl-C either all of them are new or none is."""
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


for _name in OUTPUT_VALUES:
    setattr(Outcome, _name, _from_output(_name))
del _name
