"""Resolving a recipe: preset <- recipe file or object <- keyword overrides, once.

The run layer's entry to recipes: the API, the CLI, bench and batch all resolve
through :func:`resolve_recipe` (the API re-exports it), and a routing run resolves
the preset its route leads to with the same overrides.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from audiostyle.errors import ParameterError
from audiostyle.recipe import CONVERSION_KEYS, Recipe

# Keyword overrides accepted by resolve_recipe, transfer and texture.
STAGE_OVERRIDES = ("transform", "network", "optimizer", "phase")
# Every scalar setting of a Recipe (steps, seed, sample_rate, device, domain, init,
# clamp, noise_scale, peak, ...): derived, so a new recipe field is an API keyword at once.
SCALAR_OVERRIDES = tuple(
    f.name
    for f in dataclasses.fields(Recipe)
    if f.name not in (*STAGE_OVERRIDES, "losses", "preset", "description", "init_options")
)
OVERRIDES = (
    *STAGE_OVERRIDES,
    *(f"{s}_options" for s in STAGE_OVERRIDES),
    "init_options",
    *(f"{s}_options" for s in CONVERSION_KEYS),
    "conditioner_options",
    "content_weight",
    "style_weight",
    "losses",
    *SCALAR_OVERRIDES,
)


def resolve_recipe(
    preset: str | None = None, recipe: Recipe | str | Path | None = None, **overrides: Any
) -> Recipe:
    """Build the resolved recipe: preset <- recipe (object or TOML file) <- overrides.

    Overrides: a stage name (``transform="librosa"``), stage options
    (``network_options={"n_filters": 512}``), the start and its options (``init="noise"``,
    ``init_options={"scale": 0.01}``), ``content_weight``, ``style_weight``,
    ``losses={"autocorrelation": {"weight": 1.0}}``, or any recipe setting (``steps``,
    ``seed``, ``sample_rate``, ``device``, ``domain``, ``init``, ``clamp``, ...).
    Values set to ``None`` are ignored.

    >>> r = resolve_recipe("ulyanov2016", steps=5, network_options={"n_filters": 64})
    >>> r.steps, r.network.options["n_filters"], r.network.options["kernel_size"]
    (5, 64, 11)
    >>> resolve_recipe(stepz=5)
    Traceback (most recent call last):
    ...
    audiostyle.errors.ParameterError: unknown setting 'stepz'. Did you mean 'steps'? ...
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
    # The start (the init stage) like a stage: its name first, then its options.
    for key in ("init", "init_options"):
        if key in overrides:
            base.apply({key: overrides.pop(key)}, source="settings")
    for key in CONVERSION_KEYS:
        name = overrides.pop(key, None)
        opts = overrides.pop(f"{key}_options", None)
        if name is not None:
            base.apply({key: name}, source="settings")
        if opts:
            current = getattr(base, key)
            if current is None:
                raise ParameterError(f"{key}_options given, but the recipe has no {key}.")
            current.options.update(opts)
    conditioners = overrides.pop("conditioners", None)
    if conditioners is not None:
        base.apply({"conditioners": list(conditioners)}, source="settings")
    for name, opts in (overrides.pop("conditioner_options", None) or {}).items():
        chosen = [c for c in base.conditioners if c.name == name]
        if not chosen and base.route:
            continue  # the preset the route leads to gets them (audiostyle.run, _routed)
        if not chosen:
            have = ", ".join(c.name for c in base.conditioners) or "none"
            raise ParameterError(
                f"options for conditioner {name!r}, but the recipe's conditioners are: {have}."
            )
        for c in chosen:
            c.options.update(opts)
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

        raise ParameterError(
            f"unknown setting {unknown[0]!r}.{closest_hint(unknown[0], OVERRIDES)}"
            f" Settings: {', '.join(OVERRIDES)}."
        )
    base.apply(overrides, source="settings")
    return base
