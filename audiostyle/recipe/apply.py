"""Settings: a (partial) nested mapping of settings applied to a recipe, with errors
naming the source and the setting.

:class:`Settings` gives :class:`~audiostyle.recipe.Recipe` its ``from_dict``, ``apply``,
``set_stage`` and ``set_weight``. When a stage's backend changes, the options the new
backend also has are kept.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Self

from audiostyle.errors import ParameterError
from audiostyle.options import closest_hint, convert
from audiostyle.recipe.choices import (
    CONVERSION_KEYS,
    ROUTE_KINDS,
    STAGE_KEYS,
    LossChoice,
    StageChoice,
)
from audiostyle.recipe.validate import init_candidates


class Settings:
    """How settings are applied to a :class:`~audiostyle.recipe.Recipe` (a base class of it)."""

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, base: Self | None = None, source: str = "recipe"
    ) -> Self:
        """Apply ``data`` (as written by :meth:`to_dict`, possibly partial) over ``base``."""
        recipe = (base or cls()).copy()
        recipe.apply(data, source=source)
        return recipe

    def apply(self, data: dict[str, Any], *, source: str = "recipe") -> None:
        """Apply a (partial) nested mapping of settings to this recipe in place."""
        hints = {f.name: f.type for f in dataclasses.fields(self)}
        types_ = typing.get_type_hints(type(self))
        # The start's name before its options (a new name keeps only the options it has).
        for key, value in sorted(data.items(), key=lambda item: item[0] == "init_options"):
            if key in STAGE_KEYS:
                if isinstance(value, str):
                    value = {"name": value}
                if not isinstance(value, dict):
                    raise ParameterError(f"{source}: [{key}] must be a table with name/options.")
                unknown = set(value) - {"name", "options"}
                if unknown:
                    raise ParameterError(
                        f"{source}: [{key}] has unknown key {sorted(unknown)[0]!r}; "
                        "use name and options."
                    )
                name = value.get("name")
                if name is not None and not isinstance(name, str):
                    raise ParameterError(
                        f"{source}: [{key}] name = {name!r} is not a name; give a string "
                        f"such as \"{self.stage(key).name}\" ('audiostyle plugins' lists them)."
                    )
                if not isinstance(value.get("options") or {}, dict):
                    raise ParameterError(
                        f"{source}: [{key}] options must be a table of key = value."
                    )
                self.set_stage(key, value.get("name"), value.get("options"))
            elif key in CONVERSION_KEYS:
                setattr(self, key, _conversion_choice(value, key=key, source=source))
            elif key == "conditioners":
                if isinstance(value, str | dict):
                    value = [value]
                if value is None or (isinstance(value, str) and value.lower() == "none"):
                    value = []
                if not isinstance(value, list | tuple):
                    raise ParameterError(
                        f"{source}: conditioners must be a list of names or name/options tables."
                    )
                chosen = [_conversion_choice(v, key="conditioners", source=source) for v in value]
                self.conditioners = [c for c in chosen if c is not None]
            elif key == "init":
                if not isinstance(value, str):
                    raise ParameterError(
                        f"{source}: init = {value!r} is not a name; give a string such as "
                        '"content" or "noise" (\'audiostyle plugins init\' lists them).'
                    )
                if value != self.init:
                    self.init_options = _shared_init_options(value, self.init_options)
                self.init = value
            elif key == "init_options":
                if not isinstance(value, dict):
                    raise ParameterError(f"{source}: init_options must be a table of key = value.")
                self.init_options = {**self.init_options, **value}
            elif key == "route":
                if not isinstance(value, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()
                ):
                    raise ParameterError(
                        f"{source}: route must be a table of kind = preset "
                        '(e.g. speech = "voice", other = "instrument").'
                    )
                unknown = set(value) - set(ROUTE_KINDS)
                if unknown:
                    raise ParameterError(
                        f"{source}: route has unknown kind {sorted(unknown)[0]!r}; "
                        f"kinds: {', '.join(ROUTE_KINDS)}."
                    )
                self.route = dict(value)
            elif key == "losses":
                if not isinstance(value, dict):
                    raise ParameterError(f"{source}: [losses] must be a table of terms.")
                for term, spec in value.items():
                    if spec is None or spec is False:
                        self.losses.pop(term, None)
                        continue
                    if isinstance(spec, int | float) and not isinstance(spec, bool):
                        spec = {"weight": spec}
                    if not isinstance(spec, dict):
                        raise ParameterError(
                            f"{source}: [losses] {term} = {spec!r} is neither a weight nor a "
                            f"table; give a number ({term} = 0.5) or weight and options."
                        )
                    if not isinstance(spec.get("options") or {}, dict):
                        raise ParameterError(
                            f"{source}: [losses.{term}] options must be a table of key = value."
                        )
                    unknown = set(spec) - {"weight", "options"}
                    if unknown:
                        raise ParameterError(
                            f"{source}: [losses.{term}] has unknown key "
                            f"{sorted(unknown)[0]!r}; use weight and options."
                        )
                    current = self.losses.get(term, LossChoice(1.0))
                    weight = convert(
                        spec.get("weight", current.weight), float, name=f"losses.{term}.weight"
                    )
                    opts = dict(current.options)
                    opts.update(spec.get("options") or {})
                    self.losses[term] = LossChoice(weight, opts)
            elif key in hints:
                setattr(self, key, convert(value, types_[key], name=key))
            else:
                hint = closest_hint(key, list(hints))
                raise ParameterError(
                    f"{source}: unknown setting {key!r}.{hint} Settings: {', '.join(hints)}."
                )

    def set_stage(self, key: str, name: str | None, options: dict[str, Any] | None = None) -> None:
        """Choose a backend for stage ``key``; keep shared options when it changes."""
        current = self.stage(key)
        new_opts = dict(current.options)
        if name is not None and name != current.name:
            new_opts = _shared_options(key, name, new_opts)
        new_opts.update(options or {})
        setattr(self, key, StageChoice(name or current.name, new_opts))

    def set_weight(self, term: str, weight: float) -> None:
        """Set a loss term's weight (adding the term if needed)."""
        current = self.losses.get(term, LossChoice(1.0))
        self.losses[term] = LossChoice(float(weight), dict(current.options))


def _conversion_choice(value: Any, *, key: str, source: str) -> StageChoice | None:
    """A conversion stage's choice from a name, ``"none"``/``None`` or a name/options table."""
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return None
    if isinstance(value, StageChoice):
        return StageChoice(value.name, dict(value.options))
    if isinstance(value, str):
        return StageChoice(value)
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        unknown = set(value) - {"name", "options"}
        if unknown:
            raise ParameterError(
                f"{source}: {key} has unknown key {sorted(unknown)[0]!r}; use name and options."
            )
        opts = value.get("options") or {}
        if not isinstance(opts, dict):
            raise ParameterError(f"{source}: {key} options must be a table of key = value.")
        return StageChoice(value["name"], dict(opts))
    raise ParameterError(
        f"{source}: {key} must be a backend name or a table with name and options, not {value!r}."
    )


def _shared_init_options(new_init: str, options: dict[str, Any]) -> dict[str, Any]:
    """Options in ``options`` that the initializer(s) ``new_init`` stands for also have."""
    kept: dict[str, Any] = {}
    for name in init_candidates(new_init):
        kept.update(_shared_options("init", name, options))
    return kept


def _shared_options(stage: str, new_name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Options in ``options`` that backend ``new_name`` of ``stage`` also has."""
    try:
        from audiostyle.plugins import get_backend

        fields = {f.name for f in dataclasses.fields(get_backend(stage, new_name).options)}
    except Exception:  # noqa: BLE001 - an unknown name is reported by validate()
        return {}
    return {k: v for k, v in options.items() if k in fields}
