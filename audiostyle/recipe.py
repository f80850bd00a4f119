"""Recipes: every choice of a run, resolved, saved and loaded as TOML.

Resolution order: the preset (``default`` unless named) <- a recipe file <- explicit
overrides (CLI flags or API keywords). When an override changes a stage's backend,
the preset's options for that stage are kept where the new backend has them.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import tomllib
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from audiostyle.errors import ParameterError, UnknownBackendError
from audiostyle.options import as_dict, closest_hint, convert

DEFAULT_SAMPLE_RATE = 22_050  # Hz
MAX_SEED = 2**63 - 1  # torch.Generator.manual_seed takes up to 64 bits; numpy no negatives
Domain = Literal["spectrogram", "waveform"]
Device = Literal["auto", "cpu", "cuda"]
LossNorm = Literal["auto", "none", "initial"]
STAGE_KEYS = ("transform", "network", "optimizer", "phase")
#: What ``init = "auto"`` starts from: the content for a transfer, noise for a texture
#: (:meth:`audiostyle.plan.Plan.start` decides; the recipe checks both).
AUTO_INIT = {"transfer": "content", "texture": "noise"}
# The conversion front end (audiostyle.contracts.conversion): optional single stages and
# the ordered conditioners.
CONVERSION_KEYS = ("analysis", "matcher", "vocoder")


@dataclass
class StageChoice:
    """A backend name and its options (as given; validated by :meth:`Recipe.validate`)."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class LossChoice:
    """A loss term: its weight and options."""

    weight: float = 1.0
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Recipe:
    """Every choice of a run.

    ``domain`` says what the optimizer changes: the log-magnitude (``spectrogram``,
    then the phase stage builds a wave) or the wave itself (``waveform``).
    ``init`` names the starting point, an initializer (the ``init`` stage, options in
    ``init_options``): ``content``, ``noise`` (standard deviation ``noise_scale``
    unless its option ``scale`` is set), or in waveform mode the wave the phase stage
    builds from the content's (``content-phase``) or the style's (``style-phase``)
    magnitude; ``auto`` = content for a transfer, noise for a texture.
    ``clamp`` (if set) clamps the log-magnitude to [0, clamp] before every
    step and at the end, as some published recipes do: it discards every
    log-magnitude above ``clamp`` (most of a loud spectrum, heard as a dull,
    compressed sound).
    In the waveform domain the optimizer moves ``wave / wave_scale`` (``None``: the
    RMS of the content, or of the style for a texture), so its step sizes are relative
    to the signal's level as they are to the log-magnitude's. ``loss_norm="initial"``
    divides the objective the optimizer sees by its value at the start (reported
    losses stay raw): L-BFGS keeps a curvature pair only if y.s > 1e-10, so on a small
    loss it rejects them all and stalls; ``auto`` = initial in the waveform domain,
    none in the spectrogram domain.
    ``segment``: a content longer than this (seconds) is processed in segments of at
    most this length, overlapping by ``segment_overlap`` seconds (at most a quarter
    of a segment) and cross-faded, so memory stays bounded and time grows linearly
    (0: one piece, whatever its length).
    ``envelope`` (0 to 1) colours the content toward the style's long-term spectral
    envelope before the optimisation (:mod:`audiostyle.envelope`): each of 40 mel
    bands moves that fraction of the way, in dB, to the style's level; the
    optimisation, the content loss and the content's phase then start from the
    coloured content (0: off). ``auto`` picks the strength by what the clips are: 0.6
    when the content and the style are both speech, 0.32 otherwise
    (:func:`audiostyle.envelope.auto_strength`; the run's notes say which).
    ``envelope_classes``: the content's quiet, middle and loud frames (3 classes) each
    take the colour of the style's frames of the same loudness rank (1: one colour
    for every frame).

    >>> import pathlib, tempfile
    >>> from audiostyle.presets import get_preset
    >>> r = get_preset("default")
    >>> r.set_stage("network", None, {"n_filters": 64})
    >>> r.steps = 10
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     r.save(pathlib.Path(tmp) / "recipe.toml")
    ...     again = Recipe.load(pathlib.Path(tmp) / "recipe.toml")
    >>> again == r, again.network.options["n_filters"], again.validate()["network"].n_filters
    (True, 64, 64)
    """

    transform: StageChoice = field(default_factory=lambda: StageChoice("torch"))
    network: StageChoice = field(default_factory=lambda: StageChoice("random-cnn"))
    optimizer: StageChoice = field(default_factory=lambda: StageChoice("lbfgs"))
    phase: StageChoice = field(default_factory=lambda: StageChoice("griffin-lim"))
    losses: dict[str, LossChoice] = field(
        default_factory=lambda: {"content": LossChoice(1.0), "style": LossChoice(1.0)}
    )
    domain: Domain = "spectrogram"
    init: str = "auto"  # an initializer's name ('audiostyle plugins init') or auto
    init_options: dict[str, Any] = field(default_factory=dict)
    noise_scale: float = 1e-3
    steps: int = 100
    sample_rate: int = DEFAULT_SAMPLE_RATE
    seed: int = 0
    device: Device = "auto"
    clamp: float | None = None
    peak: float = 0.99
    wave_scale: float | None = None
    loss_norm: LossNorm = "auto"
    segment: float = 30.0  # seconds; a longer content is processed in segments (0: never)
    segment_overlap: float = 1.0  # seconds cross-faded between neighbouring segments
    envelope: float | Literal["auto"] = 0.0  # 0..1 or auto: colour toward the style's envelope
    envelope_classes: int = 3  # loudness classes coloured separately (1: one colour)
    # Conversion front end, run once on the whole content before the optimisation
    # (audiostyle.convert): analysis -> conditioners -> matcher -> vocoder/synthesis.
    analysis: StageChoice | None = None
    conditioners: list[StageChoice] = field(default_factory=list)
    matcher: StageChoice | None = None
    vocoder: StageChoice | None = None
    # {"speech": preset, "other": preset}: a speech detector decides once, before any
    # work, which preset the run takes (the user's overrides still apply over it).
    route: dict[str, str] = field(default_factory=dict)
    preset: str | None = None
    description: str = ""

    # -- convenience ----------------------------------------------------------------
    @property
    def content_weight(self) -> float:
        """Weight of the ``content`` loss term (0 if absent)."""
        c = self.losses.get("content")
        return c.weight if c else 0.0

    @property
    def style_weight(self) -> float:
        """Weight of the ``style`` loss term (0 if absent)."""
        s = self.losses.get("style")
        return s.weight if s else 0.0

    def stage(self, key: str) -> StageChoice:
        """The choice for stage ``key`` (transform, network, optimizer, phase)."""
        return getattr(self, key)

    def copy(self) -> Recipe:
        """A deep copy."""
        return copy.deepcopy(self)

    # -- conversion -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (JSON ready; ``None`` is kept, see :func:`dumps_toml`)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name in STAGE_KEYS:
                out[f.name] = {"name": v.name, "options": dict(v.options)}
            elif f.name in CONVERSION_KEYS:
                out[f.name] = None if v is None else {"name": v.name, "options": dict(v.options)}
            elif f.name == "conditioners":
                out[f.name] = [{"name": c.name, "options": dict(c.options)} for c in v]
            elif f.name in ("route", "init_options"):
                out[f.name] = dict(v)
            elif f.name == "losses":
                out["losses"] = {
                    k: {"weight": c.weight, "options": dict(c.options)} for k, c in v.items()
                }
            else:
                out[f.name] = v
        return out

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, base: Recipe | None = None, source: str = "recipe"
    ) -> Recipe:
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

    # -- validation -----------------------------------------------------------------
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

    def resolved(self) -> Recipe:
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

    # -- TOML -----------------------------------------------------------------------
    def to_toml(self) -> str:
        """The recipe as TOML text."""
        return dumps_toml(self.to_dict())

    def save(self, path: str | Path) -> None:
        """Write the recipe as TOML (atomically)."""
        from audiostyle.atomic import atomic_write_text

        atomic_write_text(path, self.to_toml())

    @classmethod
    def load(cls, path: str | Path, *, base: Recipe | None = None) -> Recipe:
        """Load a TOML recipe file; a ``preset`` key in it names the base."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ParameterError(f"recipe file {str(path)!r} does not exist.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"recipe file {str(path)!r} cannot be read: {exc}.") from None
        try:
            data = loads_toml(text)
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(
                f"recipe file {str(path)!r} is not valid TOML: {exc}. Fix that line "
                "(see 'audiostyle transfer --save-recipe' for an example)."
            ) from None
        if base is None:
            name = data.get("preset")
            base = get_preset(name if name and name != "none" else "default")
        return cls.from_dict(data, base=base, source=f"recipe file {str(path)!r}")


ROUTE_KINDS = ("speech", "other")


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


# -- named recipes -----------------------------------------------------------------------
# The registry lives here, beside Recipe, so that Recipe.load can resolve a file's
# ``preset = "NAME"`` without importing the module that defines the presets (which
# builds Recipes): audiostyle.presets fills it, and the package imports that module
# first (audiostyle/__init__.py), so the built-in presets are always registered.
@dataclass(frozen=True)
class Preset:
    """A named recipe factory."""

    name: str
    description: str
    build: Callable[[], Recipe]


PRESETS: dict[str, Preset] = {}


def preset(name: str, description: str):
    """Register a preset factory under ``name``."""

    def deco(fn: Callable[[], Recipe]) -> Callable[[], Recipe]:
        def build() -> Recipe:
            r = fn()
            r.preset = name
            r.description = description
            return r

        PRESETS[name] = Preset(name, description, build)
        return fn

    return deco


def get_preset(name: str) -> Recipe:
    """A fresh recipe for preset ``name``; a clear error naming the closest one."""
    if name not in PRESETS:
        raise UnknownBackendError(
            f"no preset named {name!r}.{closest_hint(name, PRESETS)} Presets: "
            f"{', '.join(PRESETS)}. Run 'audiostyle presets'."
        )
    return PRESETS[name].build()


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


# TOML has no null. A saved recipe lists the dotted keys whose value is None under ``unset``
# (the keys themselves are left out) and writes None inside a list as ``{ none = true }``.
# Older files wrote None as the string "none": :func:`convert` still reads that back.
UNSET_KEY = "unset"
NONE_IN_LIST = {"none": True}


def dumps_toml(data: dict[str, Any]) -> str:
    """``data`` (nested dicts of scalars, lists and None) as TOML text that
    :func:`loads_toml` reads back equal (tuples come back as lists)."""
    import tomli_w

    unset: list[str] = []
    body = _strip_none(data, (), unset)
    if not unset:
        return tomli_w.dumps(body)
    # After the other top-level settings, before the first table, with a note above it.
    text = "\n" + tomli_w.dumps({**body, UNSET_KEY: unset})
    head = f"\n{UNSET_KEY} = ["  # strings are written on one line: only the key starts a line
    note = f"\n# {UNSET_KEY}: the settings that are None (TOML has no null){head}"
    return text.replace(head, note, 1)[1:]


def loads_toml(text: str) -> dict[str, Any]:
    """Parse TOML written by :func:`dumps_toml` (None restored); raises TOMLDecodeError."""
    data = tomllib.loads(text)
    unset = data.pop(UNSET_KEY, [])
    data = _restore_none(data)
    if not isinstance(unset, list) or not all(isinstance(p, str) for p in unset):
        raise tomllib.TOMLDecodeError(f"{UNSET_KEY} must be a list of dotted keys")
    for dotted in unset:
        keys = _split_key(dotted)
        table = data
        for k in keys[:-1]:
            table = table.setdefault(k, {})
            if not isinstance(table, dict):
                raise tomllib.TOMLDecodeError(f"{UNSET_KEY}: {dotted!r} is not inside a table")
        table[keys[-1]] = None
    return data


def _strip_none(value: Any, path: tuple[str, ...], unset: list[str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None:
                unset.append(".".join(_toml_key(x) for x in (*path, k)))
            else:
                out[k] = _strip_none(v, (*path, k), unset)
        return out
    if isinstance(value, list | tuple):
        return [dict(NONE_IN_LIST) if x is None else _strip_none(x, path, []) for x in value]
    return value


def _restore_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _restore_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [None if x == NONE_IN_LIST else _restore_none(x) for x in value]
    return value


def _toml_key(key: str) -> str:
    """``key`` as TOML writes it (bare or quoted)."""
    import tomli_w

    return tomli_w.dumps({key: 0}).rsplit(" = ", 1)[0]


def _split_key(dotted: str) -> list[str]:
    """The keys of a dotted TOML key (``a."b.c"`` -> ``["a", "b.c"]``)."""
    try:
        table: Any = tomllib.loads(f"{dotted} = 0")
    except tomllib.TOMLDecodeError:
        raise tomllib.TOMLDecodeError(f"{UNSET_KEY}: {dotted!r} is not a dotted key") from None
    keys = []
    while isinstance(table, dict) and len(table) == 1:
        (key, table), *_ = table.items()
        keys.append(key)
    if table != 0 or isinstance(table, bool):
        raise tomllib.TOMLDecodeError(f"{UNSET_KEY}: {dotted!r} is not a dotted key")
    return keys


def options_dict(options: Any) -> dict[str, Any]:
    """Options dataclass to dict (re-exported for reports)."""
    return as_dict(options)
