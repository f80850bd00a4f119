"""A recipe validated once into a frozen plan: what the run's stages read.

:meth:`Plan.of` validates a :class:`~audiostyle.recipe.Recipe` (names, options,
combinations) and keeps a private copy of it with the built options; the run, its
segments, the conversion front end and the engine read the plan and never validate
again or change it. ``Plan.of(plan)`` is the plan itself.

>>> from audiostyle.presets import get_preset
>>> plan = Plan.of(get_preset("ulyanov2016"))
>>> plan.built["network"].n_filters, Plan.of(plan) is plan
(4096, True)
>>> plan.built["steps"] = 1
Traceback (most recent call last):
...
TypeError: 'mappingproxy' object does not support item assignment
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from audiostyle.recipe import Recipe

# Settings a plan may change without validating again: they build no stage.
_FREE = frozenset({"steps", "envelope"})


@dataclass(frozen=True)
class Plan:
    """A validated recipe (a private copy) and its built options per stage."""

    recipe: Recipe
    built: Mapping[str, Any]

    @classmethod
    def of(cls, recipe: Recipe | Plan) -> Plan:
        """The plan of ``recipe``, validated once (a plan is returned as it is)."""
        if isinstance(recipe, Plan):
            return recipe
        own = recipe.copy()
        return cls(own, MappingProxyType(own.validate()))

    def but(self, **changes: Any) -> Plan:
        """A plan with ``changes`` to settings that build no stage (``steps``, ...)."""
        other = set(changes) - _FREE
        if other:
            raise ValueError(f"Plan.but changes only {sorted(_FREE)}, not {sorted(other)}")
        recipe = self.recipe.copy()
        for key, value in changes.items():
            setattr(recipe, key, value)
        return Plan(recipe, self.built)
