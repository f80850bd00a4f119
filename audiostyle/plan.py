"""A recipe validated once into a frozen plan: what the run's stages read.

:meth:`Plan.of` validates a :class:`~audiostyle.recipe.Recipe` (names, options,
combinations) and keeps a private copy of it with the built options; the run, its
segments, the conversion front end and the engine read the plan and never validate
again or change it. ``Plan.of(plan)`` is the plan itself. :meth:`Plan.start` is the
one place ``init = "auto"`` becomes an initializer.

>>> from audiostyle.presets import get_preset
>>> plan = Plan.of(get_preset("ulyanov2016"))
>>> plan.built["network"].n_filters, Plan.of(plan) is plan
(4096, True)
>>> plan.built["steps"] = 1
Traceback (most recent call last):
...
TypeError: 'mappingproxy' object does not support item assignment
>>> Plan.of(get_preset("colour")).start(texture=True)[0], plan.start(texture=False)[0]
('noise', 'noise')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from audiostyle.errors import ParameterError
from audiostyle.recipe import AUTO_INIT, Recipe, init_domains, init_needs_content, or_join

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

    def start(self, *, texture: bool) -> tuple[str, Any]:
        """The initializer a run of this plan starts from, and its built options.

        ``init = "auto"`` is decided here: ``content`` for a transfer, ``noise`` for a
        texture (:data:`audiostyle.recipe.AUTO_INIT`). A start that needs a content
        clip is refused for a texture (``texture=True``), naming those that do not.
        """
        from audiostyle.plugins import available, get_backend

        init = self.recipe.init
        name = AUTO_INIT["texture" if texture else "transfer"] if init == "auto" else init
        if texture and init_needs_content(get_backend("init", name)):
            domain = self.recipe.domain
            ok = [
                n
                for n, impl in sorted(available("init").items())
                if not init_needs_content(impl) and domain in init_domains(impl)
            ]
            raise ParameterError(
                f"init={name!r} needs a content clip; use init={or_join(ok)} for a texture.",
                option="init",
            )
        return name, self.built["init"][name]

    def but(self, **changes: Any) -> Plan:
        """A plan with ``changes`` to settings that build no stage (``steps``, ...)."""
        other = set(changes) - _FREE
        if other:
            raise ValueError(f"Plan.but changes only {sorted(_FREE)}, not {sorted(other)}")
        recipe = self.recipe.copy()
        for key, value in changes.items():
            setattr(recipe, key, value)
        return Plan(recipe, self.built)
