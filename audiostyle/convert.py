"""The conversion front end of a run: analysis -> conditioners -> matcher -> synthesis.

Runs once on the whole content (before any segmenting) when the recipe names an
``analysis``; the converted wave is then the content the optimisation starts from.
See :mod:`audiostyle.contracts.conversion` for the stage contracts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from audiostyle.contracts.conversion import ConversionContext, check_kind
from audiostyle.errors import AudioError
from audiostyle.plugins import create


@dataclass
class Converted:
    """What the front end produced: the wave, its notes and per-stage timings."""

    audio: np.ndarray
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def detect_kind(content: np.ndarray, style: np.ndarray, *, sample_rate: int) -> tuple[str, str]:
    """``"speech"`` if both clips are speech (Silero VAD), else ``"other"``; and a note."""
    from audiostyle.speech import is_speech, speech_probability

    p = {
        role: speech_probability(y, sample_rate=sample_rate)
        for role, y in (("content", content), ("style", style))
    }
    kind = "speech" if all(is_speech(v) for v in p.values()) else "other"
    return kind, (
        f"speech probability content {p['content']:.2f}, style {p['style']:.2f} -> {kind}"
    )


def convert(
    recipe, *, content: np.ndarray, style: np.ndarray, kind: str | None = None
) -> Converted:
    """Run the recipe's conversion front end on ``content`` toward ``style``.

    Parameters
    ----------
    recipe : Recipe
        Validated; ``recipe.analysis`` must be set.
    content, style : ndarray [shape=(time,)], float32
        At ``recipe.sample_rate``.
    kind : str, optional
        What the clips are (``"speech"``/``"other"``), if the run detected it.
    """
    built = recipe.validate()
    sr = recipe.sample_rate
    out = Converted(audio=content)
    ctx = ConversionContext(seed=recipe.seed, kind=kind)
    t = time.perf_counter()
    analysis = create("analysis", recipe.analysis.name, built["analysis"], sample_rate=sr)
    conditioners = [
        create("conditioner", c.name, opts)
        for c, opts in zip(recipe.conditioners, built["conditioners"], strict=True)
    ]
    matcher = (
        None if recipe.matcher is None else create("matcher", recipe.matcher.name, built["matcher"])
    )
    vocoder = None
    if recipe.vocoder is not None:
        vocoder = create(
            "vocoder",
            recipe.vocoder.name,
            built["vocoder"],
            sample_rate=sr,
            optional={"device": recipe.device if recipe.device != "auto" else "cpu"},
        )
    c = analysis.analyze(np.asarray(content, dtype=np.float32))
    s = analysis.analyze(np.asarray(style, dtype=np.float32))
    out.timings["convert-analysis"] = time.perf_counter() - t
    t = time.perf_counter()
    for cond, choice in zip(conditioners, recipe.conditioners, strict=True):
        check_kind(cond, c, role=f"conditioner {choice.name!r}")
        c = cond.condition(c, s, context=ctx)
    if matcher is not None:
        check_kind(matcher, c, role=f"matcher {recipe.matcher.name!r}")
        c = matcher.match(c, s, context=ctx)
    out.timings["convert"] = time.perf_counter() - t
    t = time.perf_counter()
    if vocoder is not None:
        check_kind(vocoder, c, role=f"vocoder {recipe.vocoder.name!r}")
        y = vocoder.synthesize(c)
    else:
        y = analysis.synthesize(c)
    out.timings["convert-synthesis"] = time.perf_counter() - t
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    if y.shape[0] != content.shape[0]:
        fixed = np.zeros(content.shape[0], dtype=np.float32)
        n = min(fixed.shape[0], y.shape[0])
        fixed[:n] = y[:n]
        y = fixed
    if not np.isfinite(y).all():
        raise AudioError(
            f"the conversion ({recipe.analysis.name}) produced NaN/Inf samples; "
            "try another analysis or check the inputs."
        )
    out.audio = y
    out.notes = list(ctx.notes)
    return out
