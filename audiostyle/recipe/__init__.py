"""Recipes: every choice of a run, resolved, saved and loaded as TOML.

Resolution order: the preset (``default`` unless named) <- a recipe file <- explicit
overrides (CLI flags or API keywords). When an override changes a stage's backend,
the preset's options for that stage are kept where the new backend has them.

One job a module; each imports only the ones listed before it:

- :mod:`~audiostyle.recipe.choices`: a stage's and a loss term's choice, the settings'
  keys and types;
- :mod:`~audiostyle.recipe.registry`: the named presets (:mod:`audiostyle.presets` fills it);
- :mod:`~audiostyle.recipe.validate`: every name and option checked and built;
- :mod:`~audiostyle.recipe.apply`: nested settings applied, as a file or overrides give them;
- :mod:`~audiostyle.recipe.toml`: recipe files, and TOML text with ``None`` in it;
- :mod:`~audiostyle.recipe.model`: :class:`Recipe`, the fields, with the three above as
  its base classes.

Import from here: every name below is re-exported.

>>> r = get_preset("mazzzystar2018")
>>> loads_toml(r.to_toml()) == r.to_dict()
True
"""

from audiostyle.recipe.apply import Settings
from audiostyle.recipe.choices import (
    AUTO_INIT,
    CONVERSION_KEYS,
    DEFAULT_SAMPLE_RATE,
    MAX_SEED,
    ROUTE_KINDS,
    STAGE_KEYS,
    Device,
    Domain,
    LossChoice,
    LossNorm,
    StageChoice,
)
from audiostyle.recipe.model import Recipe
from audiostyle.recipe.registry import PRESETS, Preset, get_preset, preset
from audiostyle.recipe.toml import NONE_IN_LIST, UNSET_KEY, TomlFile, dumps_toml, loads_toml
from audiostyle.recipe.validate import (
    Validation,
    init_candidates,
    init_domains,
    init_needs_content,
    options_dict,
    or_join,
)

__all__ = [
    "AUTO_INIT",
    "CONVERSION_KEYS",
    "DEFAULT_SAMPLE_RATE",
    "MAX_SEED",
    "NONE_IN_LIST",
    "PRESETS",
    "ROUTE_KINDS",
    "STAGE_KEYS",
    "UNSET_KEY",
    "Device",
    "Domain",
    "LossChoice",
    "LossNorm",
    "Preset",
    "Recipe",
    "Settings",
    "StageChoice",
    "TomlFile",
    "Validation",
    "dumps_toml",
    "get_preset",
    "init_candidates",
    "init_domains",
    "init_needs_content",
    "loads_toml",
    "options_dict",
    "or_join",
    "preset",
]
