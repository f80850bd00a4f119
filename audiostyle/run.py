"""The run: a resolved recipe and loaded arrays in, the output and what was done out.

Everything a run decides once for the whole clip happens here, before segmenting:
what the clips are (the speech detector, when the recipe routes or has an ``auto``
option), the preset a route leads to, the envelope strength of ``envelope="auto"``,
and the conversion front end (:mod:`audiostyle.convert`: analysis, conditioners,
matcher, vocoder). Then :func:`audiostyle.segments.run` optimises the (converted)
content in segments. :func:`audiostyle.run_files.run_files` loads the audio, calls
:func:`run` and writes what it returns; the faces (API, CLI, bench, batch) call that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from audiostyle.errors import ParameterError
from audiostyle.recipe import Recipe


@dataclass
class RunOutput:
    """What :func:`run` returns: the engine's output and the recipe as run."""

    output: Any  # audiostyle.engine.EngineOutput
    recipe: Recipe
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # before the engine's


def _needs_kind(recipe: Recipe) -> bool:
    return bool(recipe.route) or any("auto" in c.options.values() for c in recipe.conditioners)


_SAME = object()


def _changes(current: Any, base: Any) -> Any:
    """What ``current`` sets differently from ``base`` (nested dicts), or ``_SAME``."""
    if isinstance(current, dict) and isinstance(base, dict):
        out = {}
        for key, value in current.items():
            if key not in base:
                out[key] = value
                continue
            diff = _changes(value, base[key])
            if diff is not _SAME:
                out[key] = diff
        return out or _SAME
    return _SAME if current == base else current


def user_changes(recipe: Recipe) -> dict[str, Any]:
    """The settings of ``recipe`` that differ from its preset's (the user's choices)."""
    from audiostyle.presets import PRESETS, get_preset

    if recipe.preset not in PRESETS:
        return {}
    base = get_preset(recipe.preset).resolved().to_dict()
    diff = _changes(recipe.to_dict(), base)
    if diff is _SAME:
        return {}
    for key in ("route", "preset", "description"):
        diff.pop(key, None)
    return diff


def _routed(
    preset: str, recipe: Recipe, rate: int, overrides: dict[str, Any] | None = None
) -> Recipe:
    """The preset a route leads to, with the routing recipe's own changes over it (from
    a recipe file or object) and then the caller's explicit overrides (keywords, flags:
    kept even where they equal the routing preset's value)."""
    from audiostyle.presets import get_preset
    from audiostyle.resolve import resolve_recipe

    routed = get_preset(preset)
    routed.apply(user_changes(recipe), source=f"route to {preset!r}")
    if overrides:
        routed = resolve_recipe(None, routed, **overrides)
    routed = routed.resolved()
    if routed.sample_rate != rate:
        raise ParameterError(
            f"route preset {preset!r} runs at {routed.sample_rate} Hz, the routing recipe at "
            f"{rate} Hz; give both the same sample_rate."
        )
    return routed


def run(
    recipe: Recipe,
    *,
    style: np.ndarray,
    content: np.ndarray | None = None,
    length: int | None = None,
    callback=None,
    progress=None,
    shared: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
) -> RunOutput:
    """Run a resolved recipe on arrays at ``recipe.sample_rate``.

    Parameters
    ----------
    recipe : Recipe
        Resolved and validated (:meth:`Recipe.resolved`); not modified.
    style, content : ndarray [shape=(time,)], float32
        ``content=None`` grows a texture of ``length`` samples.
    callback, progress, shared
        As :func:`audiostyle.engine.run`.
    overrides : dict, optional
        The keyword overrides the recipe was resolved with: a route's preset takes the
        recipe's own changes from its preset (:func:`user_changes`, e.g. from a recipe
        file) and then these.
    """
    from audiostyle import segments

    recipe = recipe.copy()
    rate = recipe.sample_rate
    notes: list[str] = []
    timings: dict[str, float] = {}
    kind = None
    if content is not None and (_needs_kind(recipe) or recipe.envelope == "auto"):
        # The detector would be the first to import torch (~2 s on a busy machine),
        # which every run with a content pays anyway (the engine needs it): it is the
        # run's, untimed as when :func:`audiostyle.segments.run` is the first.
        import torch  # noqa: F401
    if content is not None and _needs_kind(recipe):
        from audiostyle.convert import detect_kind

        t = time.perf_counter()
        kind, note = detect_kind(content, style, sample_rate=rate)
        timings["speech"] = time.perf_counter() - t
        target = recipe.route.get(kind) if recipe.route else None
        if recipe.route and target is not None:
            notes.append(f"route: {note}: preset {target!r}")
            recipe = _routed(target, recipe, rate, overrides)
        elif recipe.route:
            notes.append(f"route: {note}: no route for {kind!r}, the recipe as given")
        else:
            notes.append(note)
    elif recipe.route and content is None:
        # A texture has no content to tell apart: it runs the routing recipe's own
        # settings (the default's are colour's: Gram steps from noise).
        notes.append("texture: no route taken (there is no content to detect)")
    if recipe.envelope == "auto":
        # Decided once for the whole clip (not per segment); the result's recipe keeps
        # the number, so it replays without the detector.
        recipe.envelope = 0.0
        if content is not None:
            from audiostyle.envelope import auto_strength

            t = time.perf_counter()
            recipe.envelope, note = auto_strength(content, style, sample_rate=rate)
            notes.append(note)
            timings["speech"] = timings.get("speech", 0.0) + time.perf_counter() - t
    from audiostyle.plan import Plan

    plan = Plan.of(recipe)  # decided: validated once, then read by every stage
    if shared is not None:
        # A caller's state kept across runs (a warm batch worker) belongs to the recipe
        # actually run: two rows of one routing recipe may take different presets, and
        # "auto" strengths differ by clip.
        import json

        key = ("run", json.dumps(plan.recipe.to_dict(), sort_keys=True, default=str))
        shared = shared.setdefault(key, {})
    run_content = content
    if content is not None:
        from audiostyle.convert import convert, front_end

        if front_end(plan) is not None:
            converted = convert(plan, content=content, style=style, kind=kind)
            run_content = converted.audio
            notes += converted.notes
            timings.update(converted.timings)
    elif recipe.analysis is not None:
        notes.append("texture: the conversion front end is skipped (there is no content)")
    out = segments.run(
        plan,
        style=style,
        content=run_content,
        length=length,
        callback=callback,
        progress=progress,
        shared=shared,
    )
    return RunOutput(output=out, recipe=plan.recipe, notes=notes, timings=timings)
