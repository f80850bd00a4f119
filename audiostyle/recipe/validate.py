"""Validation: a recipe's every name and option checked and built into options objects.

:class:`Validation` gives :class:`~audiostyle.recipe.Recipe` its ``validate``,
``resolved`` and their helpers; the functions say which initializers a recipe's ``init``
stands for and where they apply. Nothing here imports torch.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from typing import Any, Self

from audiostyle.errors import ParameterError, UnknownBackendError
from audiostyle.options import as_dict, closest_hint
from audiostyle.recipe.choices import AUTO_INIT, CONVERSION_KEYS, MAX_SEED, STAGE_KEYS, Domain
from audiostyle.recipe.registry import PRESETS


class Validation:
    """The checks of :class:`~audiostyle.recipe.Recipe` (a base class of it)."""

    def validate(self) -> dict[str, Any]:
        """Check every name and option; return the built options per stage/term.

        Raises :class:`ParameterError` or :class:`UnknownBackendError` with a clear
        message. Does not import torch.
        """
        from audiostyle.plugins import get_backend

        self._check_types()
        if self.steps < 0:
            raise ParameterError(f"steps={self.steps} must be >= 0.")
        if self.sample_rate <= 0:
            raise ParameterError(
                f"sample_rate={self.sample_rate} must be a positive rate in Hz, e.g. 22050."
            )
        if not 0 < self.peak <= 1:
            raise ParameterError(f"peak={self.peak} must be in (0, 1].")
        if self.noise_scale < 0:
            raise ParameterError(f"noise_scale={self.noise_scale} must be >= 0.")
        if self.clamp is not None and self.clamp <= 0:
            raise ParameterError(f"clamp={self.clamp} must be > 0 (or unset).")
        if self.wave_scale is not None and not self.wave_scale > 0:
            raise ParameterError(
                f"wave_scale={self.wave_scale} must be > 0 (or unset = the input's RMS)."
            )
        if self.segment < 0:
            raise ParameterError(
                f"segment={self.segment} must be >= 0 seconds (0: never split); e.g. 30."
            )
        if self.envelope != "auto" and not (
            isinstance(self.envelope, int | float) and 0 <= self.envelope <= 1
        ):
            raise ParameterError(
                f"envelope={self.envelope!r} must be between 0 (off) and 1 (the style's "
                "envelope), or 'auto' (by what the clips are); e.g. 0.5."
            )
        if isinstance(self.envelope_classes, bool) or not 1 <= self.envelope_classes <= 16:
            raise ParameterError(
                f"envelope_classes={self.envelope_classes!r} must be an integer from 1 (one "
                "colour) to 16; e.g. 3 (quiet, middle and loud frames)."
            )
        if self.segment_overlap < 0:
            raise ParameterError(f"segment_overlap={self.segment_overlap} must be >= 0 seconds.")
        built: dict[str, Any] = {}
        for key in STAGE_KEYS:
            choice = self.stage(key)
            impl = get_backend(key, choice.name)
            built[key] = impl.parse_options(choice.options)
        if self.domain == "waveform":
            impl = get_backend("transform", self.transform.name)
            if not impl.extra.get("differentiable", False):
                from audiostyle.plugins import available

                ok = sorted(
                    n for n, i in available("transform").items() if i.extra.get("differentiable")
                )
                raise ParameterError(
                    f"domain='waveform' needs a transform differentiable in torch; "
                    f"{self.transform.name!r} is not. Use one of: {', '.join(ok)}."
                )
        built["init"] = self._build_init()
        for key in CONVERSION_KEYS:
            choice = getattr(self, key)
            if choice is not None:
                built[key] = get_backend(key, choice.name).parse_options(choice.options)
        built["conditioners"] = [
            get_backend("conditioner", c.name).parse_options(c.options) for c in self.conditioners
        ]
        if (self.conditioners or self.matcher or self.vocoder) and self.analysis is None:
            raise ParameterError(
                "conditioners, a matcher or a vocoder need an analysis to work on; "
                "choose one (e.g. analysis = world)."
            )
        if self.route:
            for kind, name in self.route.items():
                if name not in PRESETS:
                    raise ParameterError(
                        f"route {kind} = {name!r} names no preset; presets: {', '.join(PRESETS)}."
                    )
        losses = {}
        for term, choice in self.losses.items():
            impl = get_backend("loss", term)
            if choice.weight < 0:
                raise ParameterError(f"{term} weight={choice.weight} must be >= 0.")
            losses[term] = impl.parse_options(choice.options)
        built["losses"] = losses
        return built

    def _check_types(self) -> None:
        """Numbers are finite numbers, the seed fits a generator, names are strings.

        Settings may be assigned directly (API users), so :meth:`apply`'s conversion is
        not enough: NaN passes every ``<`` check and ends as silence or a PARTIAL result.
        """
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, float) and not math.isfinite(v):
                raise ParameterError(f"{f.name}={v!r} is not a finite number; give a real value.")
        for term, choice in self.losses.items():
            w = choice.weight
            if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w):
                raise ParameterError(
                    f"{term} weight={w!r} is not a finite number; give a weight >= 0, e.g. 1."
                )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ParameterError(f"seed={self.seed!r} is not an integer; e.g. 0.")
        if not 0 <= self.seed <= MAX_SEED:
            raise ParameterError(
                f"seed={self.seed} must be an integer from 0 to 2**63 - 1 ({MAX_SEED}); e.g. 0."
            )
        for key in STAGE_KEYS:
            name = self.stage(key).name
            if not isinstance(name, str):
                raise ParameterError(
                    f"{key} name={name!r} is not a name; give a string ('audiostyle plugins')."
                )
        if not isinstance(self.init, str):
            raise ParameterError(
                f"init={self.init!r} is not a name; give a string such as 'content' or 'noise'.",
                option="init",
            )
        if not isinstance(self.init_options, dict):
            raise ParameterError(
                f"init_options={self.init_options!r} is not a mapping of option = value.",
                option="init_options",
            )

    def _build_init(self) -> dict[str, Any]:
        """The built options of every initializer the run may take (:func:`init_candidates`).

        ``auto`` gives each candidate the options it declares; an option none of them
        declares is an error, as it is for a named initializer.
        """
        from audiostyle.plugins import available, get_backend

        built = {}
        try:
            impls = {name: get_backend("init", name) for name in init_candidates(self.init)}
        except UnknownBackendError as exc:
            raise UnknownBackendError(
                f"{exc} Or init = 'auto': content for a transfer, noise for a texture."
            ) from None
        for name, impl in impls.items():
            domains = init_domains(impl)
            if self.domain not in domains:
                ok = [
                    n
                    for n, i in sorted(available("init").items())
                    if self.domain in init_domains(i)
                ]
                only = " or ".join(repr(d) for d in domains)
                raise ParameterError(
                    f"init={name!r} only applies to domain={only}; use {or_join(ok)}.",
                    option="init",
                )
            values = self.init_options
            if self.init == "auto":
                declared = {f.name for f in dataclasses.fields(impl.options)}
                values = {k: v for k, v in values.items() if k in declared}
            built[name] = impl.parse_options(values)
        if self.init == "auto":
            declared = {f.name for i in impls.values() for f in dataclasses.fields(i.options)}
            stray = [k for k in self.init_options if k not in declared]
            if stray:
                hint = closest_hint(stray[0], declared)
                valid = ", ".join(sorted(declared)) or "(none)"
                raise ParameterError(
                    f"unknown option {stray[0]!r} for init 'auto' (it starts from "
                    f"{or_join(impls)}).{hint} Valid options: {valid}.",
                    option=f"init.{stray[0]}",
                )
        return built

    def resolved(self) -> Self:
        """A validated copy whose stage and loss options hold every option's typed value
        (defaults included), so a saved recipe is complete and self-describing."""
        built = self.validate()
        out = self.copy()
        for key in STAGE_KEYS:
            out.stage(key).options = as_dict(built[key])
        for term, choice in out.losses.items():
            choice.options = as_dict(built["losses"][term])
        for key in CONVERSION_KEYS:
            if getattr(out, key) is not None:
                getattr(out, key).options = as_dict(built[key])
        for choice, opts in zip(out.conditioners, built["conditioners"], strict=True):
            choice.options = as_dict(opts)
        out.init_options = {}
        for opts in built["init"].values():
            out.init_options.update(as_dict(opts))
        return out


def or_join(names) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    names = list(names)
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


def init_candidates(init: str) -> tuple[str, ...]:
    """The initializers ``init`` may start from: itself, or both that ``auto`` chooses
    between (:data:`AUTO_INIT`)."""
    return tuple(dict.fromkeys(AUTO_INIT.values())) if init == "auto" else (init,)


def init_domains(impl: Any) -> tuple[str, ...]:
    """The domains a registered initializer applies to (its ``domains=`` keyword; every
    domain when it gives none)."""
    return tuple(impl.extra.get("domains") or typing.get_args(Domain))


def init_needs_content(impl: Any) -> bool:
    """Whether a registered initializer needs a content clip (``needs_content=True``)."""
    return bool(impl.extra.get("needs_content", False))


def options_dict(options: Any) -> dict[str, Any]:
    """Options dataclass to dict (re-exported for reports)."""
    return as_dict(options)
