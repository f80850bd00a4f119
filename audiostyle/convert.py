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


@dataclass
class FrontEnd:
    """The conversion stages a recipe runs: (name, built options) per stage."""

    analysis: tuple[str, object]
    conditioners: list[tuple[str, object]]
    matcher: tuple[str, object] | None
    vocoder: tuple[str, object] | None


def front_end(recipe) -> FrontEnd | None:
    """The conversion stages ``recipe`` runs, or ``None`` if it runs none.

    ``recipe.envelope`` (a number > 0; ``auto`` is decided by the run first) is the
    ``colour`` conditioner's shorthand: on its own it runs on an ``stft`` analysis at
    the recipe transform's FFT size and hop (the content's phase kept), after an
    analysis's own conditioners otherwise.
    """
    from audiostyle.plan import Plan
    from audiostyle.plugins import get_backend

    plan = Plan.of(recipe)
    recipe, built = plan.recipe, plan.built
    chain = [(c.name, o) for c, o in zip(recipe.conditioners, built["conditioners"], strict=True)]
    envelope = recipe.envelope
    colour = isinstance(envelope, int | float) and envelope > 0
    if colour:
        opts = get_backend("conditioner", "colour").parse_options(
            {"strength": float(envelope), "classes": recipe.envelope_classes}
        )
        chain.append(("colour", opts))
    if recipe.analysis is not None:
        analysis = (recipe.analysis.name, built["analysis"])
    elif colour:
        stft = built["transform"]
        analysis = (
            "stft",
            get_backend("analysis", "stft").parse_options(
                {"n_fft": stft.n_fft, "hop_length": stft.resolved_hop_length}
            ),
        )
    else:
        return None

    def single(key: str):
        choice = getattr(recipe, key)
        return None if choice is None else (choice.name, built[key])

    return FrontEnd(analysis, chain, single("matcher"), single("vocoder"))


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
    from audiostyle.plan import Plan

    plan = Plan.of(recipe)
    recipe = plan.recipe
    chain = front_end(plan)
    if chain is None:
        return Converted(audio=content)
    sr = recipe.sample_rate
    out = Converted(audio=content)
    ctx = ConversionContext(seed=recipe.seed, kind=kind)
    t = time.perf_counter()
    analysis = create("analysis", chain.analysis[0], chain.analysis[1], sample_rate=sr)
    conditioners = [(name, create("conditioner", name, opts)) for name, opts in chain.conditioners]
    matcher = None if chain.matcher is None else create("matcher", *chain.matcher)
    vocoder = None
    if chain.vocoder is not None:
        vocoder = create(
            "vocoder",
            *chain.vocoder,
            sample_rate=sr,
            optional={"device": recipe.device if recipe.device != "auto" else "cpu"},
        )
    c = analysis.analyze(np.asarray(content, dtype=np.float32))
    s = analysis.analyze(np.asarray(style, dtype=np.float32))
    out.timings["convert-analysis"] = time.perf_counter() - t
    t = time.perf_counter()
    for name, cond in conditioners:
        check_kind(cond, c, role=f"conditioner {name!r}")
        c = cond.condition(c, s, context=ctx)
    if matcher is not None:
        check_kind(matcher, c, role=f"matcher {chain.matcher[0]!r}")
        c = matcher.match(c, s, context=ctx)
    out.timings["convert"] = time.perf_counter() - t
    t = time.perf_counter()
    if vocoder is not None:
        check_kind(vocoder, c, role=f"vocoder {chain.vocoder[0]!r}")
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
            f"the conversion ({chain.analysis[0]}) produced NaN/Inf samples; "
            "try another analysis or check the inputs."
        )
    out.audio = y
    out.notes = list(ctx.notes)
    return out
