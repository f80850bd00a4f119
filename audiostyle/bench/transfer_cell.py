"""A ``transfer`` cell: one recipe on one case, ``repeat`` times after ``warmup``
untimed runs: wall time per stage (median and spread), peak memory, final losses and
the quality metrics of the first timed run's output. Before timing, the recipe runs
once on a fraction of a second of noise (imports, JIT, FFT plans, autograd set-up)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from audiostyle.bench import measure
from audiostyle.bench.process import PeakMemory
from audiostyle.bench.specs import CellSpec
from audiostyle.errors import AudiostyleError
from audiostyle.provenance import TIMING_ORDER
from audiostyle.recipe import Recipe
from audiostyle.scoring import score


def transfer_cell(spec: CellSpec, notes: list[str]) -> dict[str, Any]:
    from audiostyle.run_files import run_files

    case, recipe = spec.case, spec.recipe
    kwargs = dict(
        recipe=recipe,
        offset=case.offset,
        duration=case.duration,
        style_offset=case.style_offset,
        style_duration=case.style_duration,
        progress=False,
    )
    prime(recipe)
    for _ in range(spec.warmup):
        run_files(case.content, case.style, **kwargs)
    timings: dict[str, list[float]] = {}
    peaks: list[float] = []
    first = None
    for _ in range(spec.repeat):
        with PeakMemory() as mem:
            result = run_files(case.content, case.style, **kwargs)
        if mem.peak_mb is not None:
            peaks.append(mem.peak_mb)
        for stage, seconds in result.timings.items():
            timings.setdefault(stage, []).append(seconds)
        if first is None:
            first = result
    out: dict[str, Any] = {"repeats": spec.repeat}
    for stage in TIMING_ORDER:
        if stage in timings:
            measure.summary(f"time.{stage}", timings[stage], out)
    for stage, samples in timings.items():
        if f"time.{stage}" not in out:
            measure.summary(f"time.{stage}", samples, out)
    out["peak_mb"] = statistics.median(peaks) if peaks else None
    out["steps"] = first.steps_done
    out["evaluations"] = first.evaluations
    out["stopped"] = first.stopped
    for term, value in first.final_losses.items():
        out[f"losses.{term}"] = value
    for term, value in first.initial_losses.items():
        out[f"losses.{term}.initial"] = value
    notes.extend(first.notes)
    target = measure.target(case, recipe.sample_rate)
    out.update(
        score(
            spec.metrics,
            first.audio,
            sample_rate=first.sample_rate,
            content=first.content,
            style=first.style,
            target=target,
            text=case.text,
            notes=notes,
        )
    )
    if spec.keep_output:
        out["_output"] = {
            "audio": first.audio,
            "sample_rate": first.sample_rate,
            "history": first.history,
            "initial_losses": first.initial_losses,
            "recipe_toml": first.recipe.to_toml(),
            "content": first.content,
            "style": first.style,
            "target": target,
        }
    stem = measure.stem(spec)
    if spec.audio_dir is not None:
        path = first.save(Path(spec.audio_dir) / f"{stem}.wav", force=True)
        out["audio"] = str(path)
    if spec.plot_dir is not None:
        try:
            from audiostyle.plotting import plot_result

            path = Path(spec.plot_dir) / f"{stem}.png"
            plot_result(first, path)
            out["plot"] = str(path)
        except AudiostyleError as exc:  # e.g. matplotlib missing: the numbers still count
            notes.append(f"no plot: {exc}")
    return out


PRIME_FRAMES = 32  # frames of noise in the priming run


def prime(recipe: Recipe) -> None:
    """Run the recipe once, one step, on a fraction of a second of noise.

    The first use of a backend imports its library (librosa alone takes seconds),
    compiles or plans its FFTs, and torch sets up autograd on the first backward
    pass (seconds here): timings and memory of the measured runs should not
    include that.
    """
    import numpy as np

    from audiostyle import engine

    built = recipe.validate()
    n_fft = built["transform"].n_fft
    hop = built["transform"].resolved_hop_length
    primer = recipe.copy()
    primer.steps = min(recipe.steps, 1)
    if hasattr(built["phase"], "n_iter"):
        primer.set_stage("phase", None, {"n_iter": min(built["phase"].n_iter, 1)})
    rng = np.random.default_rng(0)
    wave = (0.1 * rng.standard_normal(n_fft + PRIME_FRAMES * hop)).astype(np.float32)
    engine.run(primer, style=wave, content=wave)
